"""services/exports on a small hand-built hub (tests/exports/dataset.py) with known rows, on SQLite
and PostgreSQL: each export written as CSV and as XLSX, read back with the csv module and openpyxl;
times in WIB; cells a spreadsheet would run arrive neutralised; directory opt-outs as documented in
services/exports/members.py; staff only; every export audited."""

import io
from datetime import date

import pytest
from sqlmodel import Session, select

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.permissions import Actor
from hub_app.domain.spreadsheets import csv_chunks, write_xlsx
from hub_app.models import AuditEntry
from hub_app.services import exports
from hub_app.services.exports import bookings as booking_export
from hub_app.services.exports import programme
from tests.exports.dataset import FIRST, LAST, as_csv, local, read_csv, read_xlsx

NOV = lambda day: date(2026, 11, day)  # noqa: E731


def staff_of(hub, locale: str = "id") -> Actor:
    return Actor(user_id=hub.staff, role="staff", status="active", name="Sari Staf", locale=locale)


def prepare(engine, actor, kind: str, file_format: str = "csv", **changes):
    params = {"start": FIRST.isoformat(), "end": LAST.isoformat(), "lang": None} | changes
    with Session(engine) as session:
        return exports.prepare(actor, session=session, kind=kind, file_format=file_format, **params)


def both_files(engine, actor, kind: str, lang: str = "id") -> tuple[list, list]:
    """The export written as CSV and as XLSX, each read back: (csv rows, xlsx rows)."""
    csv_export = prepare(engine, actor, kind, "csv", lang=lang)
    body = b"".join(csv_chunks(csv_export.columns, exports.rows(csv_export)))
    xlsx_export = prepare(engine, actor, kind, "xlsx", lang=lang)
    target = io.BytesIO()
    write_xlsx(target, sheet=xlsx_export.sheet, columns=xlsx_export.columns, rows=exports.rows(xlsx_export))
    return read_csv(body), read_xlsx(target.getvalue())


def assert_rows(files: tuple[list, list], expected: list[list]) -> None:
    in_csv, in_xlsx = files
    assert in_xlsx == expected
    assert in_csv == as_csv(expected)


@pytest.mark.parametrize("role,status", [("member", "active"), ("member", "pending"), ("staff", "suspended"),
                                         ("admin", "suspended")])
def test_only_active_staff_and_admins_export(export_db, hub, role, status):
    for actor in (None, Actor(user_id=hub.rina, role=role, status=status)):
        with pytest.raises(NotAllowed):
            prepare(export_db, actor, "bookings")
    admin = Actor(user_id=hub.admin, role="admin", status="active", locale="en")
    assert prepare(export_db, admin, "bookings").locale == "en"  # no lang: the actor's language
    with Session(export_db) as session:
        assert [entry.actor_id for entry in session.exec(select(AuditEntry)).all()] == [hub.admin]


@pytest.mark.parametrize("changes,key", [
    ({"kind": "users"}, "exports.error.kind"), ({"kind": None}, "exports.error.kind"),
    ({"file_format": "xls"}, "exports.error.format"), ({"file_format": ["csv"]}, "exports.error.format"),
    ({"start": None}, "exports.error.date"), ({"end": "2026-11-31"}, "exports.error.date"),
    ({"start": "20261101"}, "exports.error.date"), ({"start": "2026-W44-1"}, "exports.error.date"),
    ({"end": "2026-11-30T00:00"}, "exports.error.date"), ({"start": 20261101}, "exports.error.date"),
    ({"start": "2026-12-01"}, "exports.error.order"),
    ({"start": "2025-11-29", "end": "2026-11-30"}, "exports.error.too_long"),
    ({"lang": "de"}, "exports.error.lang"), ({"lang": ["id"]}, "exports.error.lang"),
])
def test_bad_requests_are_refused_and_not_audited(export_db, hub, changes, key):
    params = {"kind": "bookings", "file_format": "csv"} | changes
    with pytest.raises(InvalidInput) as refused:
        prepare(export_db, staff_of(hub), params.pop("kind"), params.pop("file_format"), **params)
    assert refused.value.key == key
    with Session(export_db) as session:
        assert session.exec(select(AuditEntry)).all() == []


def test_a_period_of_366_days_is_the_longest(export_db, hub):
    export = prepare(export_db, staff_of(hub), "bookings", start="2025-12-01", end="2026-11-30")
    assert (export.first, export.last, export.file_name) == (
        date(2025, 12, 1), date(2026, 11, 30), "hub-bookings-2025-12-01_2026-11-30.csv")


def test_each_export_is_audited_with_who_what_and_the_period(export_db, hub):
    prepare(export_db, staff_of(hub), "members", "xlsx", lang="en")
    with Session(export_db) as session:
        [entry] = session.exec(select(AuditEntry)).all()
    assert (entry.actor_id, entry.action, entry.detail) == (
        hub.staff, "export.members", "2026-11-01 – 2026-11-30 (xlsx, en)")


def test_bookings_starting_in_the_period_in_wib_with_every_status_and_kind(export_db, hub):
    b = hub.bookings
    assert_rows(both_files(export_db, staff_of(hub), "bookings"), [
        ["No. pemesanan", "Ruang", "Anggota", "Mulai (WIB)", "Selesai (WIB)", "Status", "Jenis", "Orang",
         "Check-in (WIB)", "Tidak hadir", "Judul"],
        # 1 November 00.00 WIB is 31 October in UTC: in; 31 October 23.00 WIB and 1 December: out.
        [b["b2"], "Area Meja Bersama", "'+1 Andi", local(NOV(1), 0), local(NOV(1), 1), "Terkonfirmasi", "Anggota", 1,
         None, "Tidak", "'+1"],
        [b["b1"], "Ruang Rapat Merdeka", "Rina Kusuma", local(NOV(2), 9), local(NOV(2), 11), "Terkonfirmasi",
         "Anggota", 4, local(NOV(2), 9, 5), "Tidak", "'=HYPERLINK(\"http://x.example\",\"klik\")"],
        [b["b6"], "Area Meja Bersama", "'＝1 Maya", local(NOV(10), 13), local(NOV(10), 15), "Dibatalkan", "Anggota",
         1, None, "Tidak", "'@x"],
        [b["b7"], "Area Meja Bersama", "Rina Kusuma", local(NOV(11), 9), local(NOV(11), 10),
         "Dilepas (tidak hadir)", "Anggota", 1, None, "Ya", "'＝1"],
        [b["b8"], "Ruang Rapat Merdeka", None, local(NOV(20), 8), local(NOV(20), 17), "Terkonfirmasi",
         "Diblokir (perawatan)", 1, None, "Tidak", "Perawatan AC"],
        # Across midnight and the end of the period: it starts on 30 November.
        [b["b3"], "Ruang Rapat Merdeka", "'+1 Andi", local(NOV(30), 23), local(date(2026, 12, 1), 1),
         "Terkonfirmasi", "Anggota", 1, None, "Tidak", "'-2"],
    ])


def test_bookings_in_english(export_db, hub):
    in_csv, in_xlsx = both_files(export_db, staff_of(hub), "bookings", lang="en")
    assert in_xlsx[0] == ["Booking no.", "Space", "Member", "Start (WIB)", "End (WIB)", "Status", "Kind", "People",
                          "Checked in (WIB)", "No-show", "Title"]
    assert [row[1:3] + row[5:7] + row[9:] for row in in_xlsx[1:]] == [
        ["Area Meja Bersama (in Indonesian)", "'+1 Andi", "Confirmed", "Member", "No", "'+1"],
        ["Merdeka Meeting Room", "Rina Kusuma", "Confirmed", "Member", "No", "'=HYPERLINK(\"http://x.example\",\"klik\")"],
        ["Area Meja Bersama (in Indonesian)", "'＝1 Maya", "Cancelled", "Member", "No", "'@x"],
        ["Area Meja Bersama (in Indonesian)", "Rina Kusuma", "Released (no-show)", "Member", "Yes", "'＝1"],
        ["Merdeka Meeting Room", None, "Confirmed", "Blocked (maintenance)", "No", "Air conditioning repair"],
        ["Merdeka Meeting Room", "'+1 Andi", "Confirmed", "Member", "No", "'-2"],
    ]
    assert in_csv == as_csv(in_xlsx)


def test_bookings_read_in_keyset_pages_give_the_same_rows(export_db, hub):
    export = prepare(export_db, staff_of(hub), "bookings")
    assert list(booking_export.rows(export, page_size=2)) == list(booking_export.rows(export, page_size=1000))
    assert len(list(booking_export.rows(export, page_size=3))) == 6


def test_members_with_the_periods_figures_and_the_directory_opt_outs(export_db, hub):
    assert_rows(both_files(export_db, staff_of(hub), "members"), [
        ["No. anggota", "Nama", "Email", "Usaha", "Sektor", "Tahap usaha", "Status keanggotaan", "Bergabung (WIB)",
         "Di direktori", "Pemesanan dalam periode", "Check-in dalam periode", "Sesi pelatihan dihadiri dalam periode"],
        # Bookings: not cancelled or declined, starting in November; b4 (December) and b5 (October) are out.
        [hub.rina, "Rina Kusuma", "rina@umkm.example", "'=HYPERLINK(\"http://x.example\",\"klik\")", "Kuliner",
         "Bertumbuh", "Aktif", date(2026, 3, 1), "Ya", 2, 1, 2],
        # Email only for members who chose to show it; joined 1 November in WIB (31 October in UTC).
        [hub.andi, "'+1 Andi", None, "'-2 Startup", "Teknologi", "Rintisan", "Aktif", date(2026, 11, 1), "Ya", 2, 0, 1],
        # Not in the directory: by number only, even though the email is shown in the directory settings.
        [hub.maya, f"Anggota #{hub.maya} (tidak tampil di direktori)", None, None, None, None, "Aktif",
         date(2026, 6, 1), "Tidak", 0, 0, 0],
        [hub.dewi, "Dewi Lestari", None, None, "Kriya", None, "Ditangguhkan", date(2026, 5, 1), "Ya", 0, 0, 1],
        # Staff, erased accounts and a member who joined on 1 December are not in it.
    ])


def test_members_never_carry_password_data_or_tokens(export_db, hub):
    in_csv, _ = both_files(export_db, staff_of(hub), "members", lang="en")
    assert in_csv[0][1:4] == ["Name", "Email", "Business"]
    text = repr(in_csv)
    assert "password" not in text.lower() and "$argon2" not in text and "maya@tech.example" not in text


def test_enrolments_of_the_trainings_that_run_in_the_period(export_db, hub):
    seated, completed = local(NOV(3), 8), local(NOV(17), 12)
    assert_rows(both_files(export_db, staff_of(hub), "enrolments", lang="en"), [
        ["Training", "Training starts (WIB)", "Member no.", "Member", "Enrolment status", "Signed up (WIB)",
         "Seated (WIB)", "Completed (WIB)", "Sessions", "Sessions attended", "Rating (1-5)"],
        ["Digital Marketing", local(NOV(10), 9), hub.andi, "'+1 Andi", "Enrolled", seated, local(NOV(3), 8, 30),
         None, 2, 1, None],
        ["Digital Marketing", local(NOV(10), 9), hub.rina, "Rina Kusuma", "Enrolled", seated, seated, completed, 2, 2,
         5],
        ["Digital Marketing", local(NOV(10), 9), hub.maya, "'＝1 Maya", "Waitlisted", seated, None, None, 2, 0, None],
        ["Digital Marketing", local(NOV(10), 9), hub.dewi, "Dewi Lestari", "Withdrew", seated, seated, None, 2, 1,
         None],
        # The October training is not in November's export.
    ])


def test_attendance_per_session_in_the_period(export_db, hub):
    first, second = (local(NOV(10), 9), local(NOV(10), 12)), (local(NOV(17), 9), local(NOV(17), 12))
    room = "Ruang Rapat Merdeka"
    assert_rows(both_files(export_db, staff_of(hub), "attendance"), [
        ["Pelatihan", "Sesi mulai (WIB)", "Sesi selesai (WIB)", "Ruang", "No. anggota", "Anggota",
         "Status pendaftaran", "Hadir", "Cara check-in", "Dicatat (WIB)"],
        ["Pemasaran Digital", *first, room, hub.andi, "'+1 Andi", "Terdaftar", "Ya", "Kode QR", local(NOV(10), 9, 2)],
        # Marked present, then left the training: still on the session's list.
        ["Pemasaran Digital", *first, room, hub.dewi, "Dewi Lestari", "Mengundurkan diri", "Ya", "Staf",
         local(NOV(10), 9, 20)],
        ["Pemasaran Digital", *first, room, hub.rina, "Rina Kusuma", "Terdaftar", "Ya", "Staf", local(NOV(10), 9, 10)],
        ["Pemasaran Digital", *second, room, hub.andi, "'+1 Andi", "Terdaftar", "Tidak", None, None],
        ["Pemasaran Digital", *second, room, hub.rina, "Rina Kusuma", "Terdaftar", "Ya", "Kode QR",
         local(NOV(17), 9, 1)],
    ])


def test_programme_pages_of_one_training_or_session_give_the_same_rows(export_db, hub, monkeypatch):
    enrolments, attendance = (prepare(export_db, staff_of(hub), kind) for kind in ("enrolments", "attendance"))
    whole = list(programme.enrolment_rows(enrolments)), list(programme.attendance_rows(attendance))
    monkeypatch.setattr(programme, "TRAININGS_PER_PAGE", 1)
    monkeypatch.setattr(programme, "SESSIONS_PER_PAGE", 1)
    assert (list(programme.enrolment_rows(enrolments)), list(programme.attendance_rows(attendance))) == whole


def test_occupancy_per_space_kind_and_hub_from_the_insights_figures(export_db, hub):
    """Open Monday-Friday 08.00-17.00 on 21 weekdays less the closed Friday: 180 hours. Booked: the
    room b1's 2 h + b3's hour before December = 3 h; the desk area (seat-hours) b2 1 + b7 1 (a
    released booking held the seat) + b5's hour after the start of November = 3; cancelled and
    blocked bookings are not use. Bookings, check-ins and no-shows count member bookings that start
    in November."""
    in_csv, in_xlsx = both_files(export_db, staff_of(hub), "occupancy", lang="en")
    assert in_xlsx == [
        ["Level", "Name", "Kind of space", "Capacity", "Booked hours", "Open hours", "Capacity hours", "Use rate (%)",
         "Bookings", "Check-ins", "No-shows"],
        ["Space", "Area Meja Bersama (in Indonesian)", "Coworking desk area", 20, 3, 180, 3600, 0.1, 2, 0, 1],
        ["Space", "Merdeka Meeting Room", "Meeting room", 8, 3, 180, 180, 1.7, 2, 1, 0],
        ["Kind", "Coworking desk area", "Coworking desk area", None, 3, 180, 3600, 0.1, 2, 0, 1],
        ["Kind", "Meeting room", "Meeting room", None, 3, 180, 180, 1.7, 2, 1, 0],
        ["Hub", "The whole hub", None, None, 6, None, 3780, 0.2, 4, 1, 1],
    ]
    # Hours and rates have one decimal place in the CSV file.
    assert in_csv == [in_xlsx[0]] + as_csv([[float(value) if isinstance(value, int) and 4 <= index <= 7 else value
                                             for index, value in enumerate(row)] for row in in_xlsx[1:]])
