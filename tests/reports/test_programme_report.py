"""The monthly programme report (services/programme_report): who may have it, what its text says in
English and Indonesian (read back with pypdf), on SQLite and PostgreSQL. The PDFs are also written
to test-output/reports/ for a person to look at."""

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.insights import month_period
from hub_app.i18n import format_number, translate
from hub_app.services.insights import hub_insights
from hub_app.services.programme_report import programme_report
from tests.accounts.factories import actor_of, make_user
from tests.reports.hub import EXPORT, MARKETING, MONTH, PREVIOUS, arrange, words

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "reports"
COUNTS = {
    "members": ("sign_ups", "approvals", "active_members"),
    "space_use": ("bookings",),
    "programme": ("sessions_delivered", "enrolments", "ratings"),
    "community": ("threads", "posts", "posters", "reports_handled"),
}


def _read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(pdf))
    return reader, words("\n".join(page.extract_text() for page in reader.pages))


def _keep(report, engine_name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{engine_name}-{report.filename}").write_bytes(report.pdf)


@pytest.fixture
def hub(session):
    return arrange(session)


def test_only_active_staff_get_the_report(session, hub):
    pending = make_user(session, "baru@umkm.example", status="pending")
    suspended_staff = make_user(session, "lama@hub.example", role="staff", status="suspended")
    for actor in (None, actor_of(pending), actor_of(hub.members[0]), actor_of(suspended_staff)):
        with pytest.raises(NotAllowed):
            programme_report(actor, session=session, month=MONTH, lang="en")


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-10", "2026-10-01", "", None, 202610, ["2026-10"],
                                   "0001-01", "0001-02", "9999-12"])  # the calendar's edges: no month before/after
def test_a_month_that_is_not_yyyy_mm_is_refused(session, hub, month):
    with pytest.raises(InvalidInput) as refused:
        programme_report(actor_of(hub.staff), session=session, month=month, lang="en")
    assert refused.value.key == "figures.error.month"


@pytest.mark.parametrize("lang", ["de", "", None, "EN", ["en"]])
def test_a_language_other_than_id_or_en_is_refused(session, hub, lang):
    with pytest.raises(InvalidInput) as refused:
        programme_report(actor_of(hub.staff), session=session, month=MONTH, lang=lang)
    assert refused.value.key == "programme_report.error.lang"


def test_the_english_report_has_the_months_figures_against_the_month_before(session, hub, engine):
    staff = actor_of(hub.staff)
    report = programme_report(staff, session=session, month=MONTH, lang="en")
    _keep(report, engine.dialect.name)
    assert report.filename == "programme-report-2026-10-en.pdf"
    reader, text = _read(report.pdf)
    assert reader.metadata.title == "Monthly Programme Report · October 2026"
    assert "Monthly Programme Report" in text and "October 2026 · compared with September 2026" in text
    assert "Key figures" in text and "Space use by kind" in text and "Most attended trainings" in text
    # Known by hand (tests/reports/hub.py): a cancelled booking is not counted; a meeting room counts
    # a booking's hours once; two of three ended bookings were checked in, one was a no-show.
    assert "Space bookings 3 1 +2 (+200%)" in text
    assert "Booked hours 6 1 +5 (+500%)" in text
    assert "Check-in rate 66.7% 100% −33.3 pts" in text
    assert "No-show rate 33.3% 0% +33.3 pts" in text
    assert "Sign-ups 3 1 +2 (+200%)" in text
    assert "Training sessions delivered 3 0 +3 (new)" in text
    assert "New forum threads 2 1 +1 (+100%)" in text
    # The most attended training first in the table, titles in any letters (the font is embedded).
    table = text[text.index("Training Topic Sessions Enrolled Attendances"):]
    assert f"{MARKETING} (en) Digital marketing 2 3 5 83.3%" in table
    assert table.index(f"{MARKETING} (en)") < table.index(f"{EXPORT} (en)")
    assert f"Page 1 of {len(reader.pages)}" in text and "WIB" in text
    # Every count is the one /admin/insights shows for each of the two months.
    figures = hub_insights(staff, session=session, period=month_period(MONTH), previous=month_period(PREVIOUS),
                           lang="en")
    for section, names in COUNTS.items():
        for name in names:
            label = translate(f"programme_report.figure.{name}", "en")
            figure = getattr(getattr(figures, section), name)
            assert f"{label} {format_number(figure.current, 'en')} {format_number(figure.previous, 'en')}" in text


def test_the_indonesian_report(session, hub, engine):
    report = programme_report(actor_of(hub.staff), session=session, month=MONTH, lang="id")
    _keep(report, engine.dialect.name)
    assert report.filename == "programme-report-2026-10-id.pdf"
    reader, text = _read(report.pdf)
    assert "Laporan Program Bulanan" in text and "Oktober 2026 · dibandingkan dengan September 2026" in text
    assert "Angka utama" in text and "Pemakaian ruang per jenis" in text
    assert "Pelatihan dengan kehadiran terbanyak" in text
    assert "Pemesanan ruang 3 1 +2 (+200%)" in text
    assert "Tingkat check-in 66,7% 100% −33,3 poin" in text
    assert "Sesi pelatihan terlaksana 3 0 +3 (baru)" in text
    table = text[text.index("Pelatihan Topik Sesi Peserta Kehadiran"):]
    assert table.index(MARKETING) < table.index(EXPORT)
    assert f"Halaman 1 dari {len(reader.pages)}" in text


def test_every_font_is_dejavu_embedded(session, hub):
    report = programme_report(actor_of(hub.staff), session=session, month=MONTH, lang="id")
    reader, _ = _read(report.pdf)
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for name in fonts:
            font = fonts[name].get_object()
            assert str(font["/BaseFont"]).split("+")[-1] in {"DejaVuSans", "DejaVuSans-Bold"}
            assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_an_empty_month_says_so(session, hub):
    report = programme_report(actor_of(hub.staff), session=session, month="2025-02", lang="en")
    _, text = _read(report.pdf)
    assert "February 2025 · compared with January 2025" in text
    assert "Space bookings 0 0 ±0" in text
    assert translate("programme_report.no_trainings", "en") in text
