"""The certificate journey in real browsers against the production portal:

a member who completed a training finds the certificate on /trainings/mine on a 390 px phone in
Indonesian, shows it on their profile and downloads the PDF (its text holds the name, the training
and the code; its QR code is the check page's address, module for module); a visitor on a laptop in
English opens that address and sees it valid (and a wrong code "not found"); staff reissue it with
a corrected name, and the old address then says "replaced" and links to the new one. Screenshots
go to test-output/screenshots/<engine>/certificates-*.png."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pypdf
import pytest
import segno
from playwright.sync_api import expect
from sqlmodel import select

from hub_app.domain.certificates import grouped
from hub_app.domain.permissions import Actor
from hub_app.models.base import utcnow
from hub_app.models.certificates import Certificate
from hub_app.models.trainings import Enrolment, Training, TrainingSession
from hub_app.services import training_attendance
from hub_app.services.certificate_pdf import QR_SCALE
from tests.browser.conftest import PHONE, _page
from tests.browser.helpers import open_page

pytestmark = pytest.mark.browser

TITLE_ID = "Ekspor produk UMKM ke Eropa"
TITLE_EN = "Exporting small-business products to Europe"


def _completed_training(portal, member, staff) -> str:
    """An online training of two sessions, both over, the member marked present at both by staff:
    the certificate's code (grouped)."""
    now = utcnow()
    with portal.session() as session:
        first = now - timedelta(days=8)
        training = Training(
            title_id=TITLE_ID, title_en=TITLE_EN, description_id="Dokumen ekspor dan **pasar** Eropa.",
            description_en="Export papers and European **markets**.", topic="export", level="beginner",
            language="id", format="online", online_link="https://meet.example/ekspor", capacity=10,
            enrolled_count=1, enrol_opens_at=now - timedelta(days=20), enrol_closes_at=first,
            cancel_until=first, status="published", session_count=2, starts_at=first,
            ends_at=now - timedelta(days=1, hours=-3), search_text=f"{TITLE_ID} {TITLE_EN}".lower())
        session.add(training)
        session.flush()
        rows = [TrainingSession(training_id=training.id, start_at=start, end_at=start + timedelta(hours=3),
                                check_in_code=f"cert{training.id:012d}{number:016d}")
                for number, start in enumerate((first, now - timedelta(days=1)))]
        session.add_all(rows)
        session.add(Enrolment(training_id=training.id, user_id=member.id, status="enrolled", enrolled_at=first))
        session.commit()
        ids = [row.id for row in rows]
    for session_id in ids:
        with portal.session() as session:
            training_attendance.set_attendance(Actor(staff.id, "staff", "active"), session=session,
                                               session_id=session_id, user_id=member.id, present=True)
    with portal.session() as session:
        return grouped(session.exec(select(Certificate.code).where(Certificate.user_id == member.id)).one())


def _qr_modules(image, scale: int) -> list[list[bool]]:
    gray = image.convert("L")
    size = gray.width // scale
    return [[gray.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128 for x in range(size)]
            for y in range(size)]


def test_a_member_downloads_a_certificate_and_a_visitor_checks_it_by_its_qr_code(phone, laptop, portal, shot):
    staff = portal.make_user("dewi.staf@jfch.example", "Dewi Lestari", role="staff")
    member = portal.make_user("sari.wulandari@umkm.example", "Sari Wulandri", show_in_directory=True)
    code = _completed_training(portal, member, staff)

    # The member, on a phone in Indonesian: the certificate on /trainings/mine.
    portal.sign_in(phone.context, member)
    open_page(phone, "/trainings/mine")
    item = phone.get_by_test_id("my-certificate")
    expect(item).to_contain_text(TITLE_ID)
    expect(item).to_contain_text(code)
    expect(item).to_contain_text("6 jam")
    expect(item.get_by_role("link", name="Tambahkan ke LinkedIn")).to_have_attribute(
        "href", re.compile(r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME&name=.*certId="
                           + code))
    # The box follows the server's answer (a controlled input), so it is clicked, then awaited.
    item.get_by_label("Tampilkan di profil saya").click()
    expect(phone.get_by_text("Sertifikat ditampilkan di profil Anda.")).to_be_visible()
    expect(item.get_by_label("Tampilkan di profil saya")).to_be_checked()
    phone.get_by_test_id("mine-certificates").scroll_into_view_if_needed()
    shot(phone, "certificates-01-mine-phone-id")

    with phone.expect_download() as started:
        item.get_by_role("link", name="Unduh PDF").click()
    download = started.value
    assert download.suggested_filename == f"certificate-{code}-id.pdf"
    with open(download.path(), "rb") as file:
        page = pypdf.PdfReader(io.BytesIO(file.read())).pages[0]
    text = page.extract_text()
    for expected in ("Sari Wulandri", TITLE_ID, code, "SERTIFIKAT", "Jakarta Future City Hub", "Berlin"):
        assert expected in text
    # The address the QR code holds: the one printed under it, and the image is that address's QR code.
    url = re.search(r"http://\S+/certificates/" + code, text).group(0)
    [image] = page.images
    matrix = segno.make(url, error="m").matrix
    assert _qr_modules(image.image, QR_SCALE) == [[bool(bit) for bit in row] for row in matrix]

    # The member's directory profile lists it, as they chose.
    open_page(phone, f"/members/{member.id}")
    expect(phone.locator(f'a[href="/certificates/{code}"]')).to_have_text(TITLE_ID)

    # A visitor on a laptop in English scans the QR code: the check page.
    # (The portal's public address is 127.0.0.1, the browsers' base address may name it otherwise:
    # the QR code's path is opened on the laptop's own.)
    parts = urlsplit(url)
    assert (parts.scheme, parts.path) == ("http", f"/certificates/{code}")
    open_page(laptop, parts.path + "?lang=en")
    expect(laptop.get_by_test_id("certificate-status")).to_have_attribute("data-status", "valid")
    expect(laptop.get_by_text("This certificate is valid.")).to_be_visible()
    expect(laptop.get_by_test_id("certificate-name")).to_have_text("Sari Wulandri")
    expect(laptop.get_by_test_id("certificate-training")).to_have_text(TITLE_EN)
    expect(laptop.get_by_test_id("certificate-code")).to_have_text(code)
    expect(laptop.get_by_test_id("certificate-staff")).to_have_count(0)
    assert member.email not in laptop.content()
    shot(laptop, "certificates-02-check-valid-laptop-en")
    open_page(laptop, "/certificates/0000-0000-0000-0000-0000")
    expect(laptop.get_by_test_id("certificate-not-found")).to_contain_text("Certificate not found")
    shot(laptop, "certificates-03-not-found-laptop-en")

    # Staff reissue it with the corrected name, on a phone in Indonesian.
    staff_context, staff_phone = _page(phone.context.browser, portal, viewport=PHONE, locale="id-ID", mobile=True)
    portal.sign_in(staff_context, staff)
    open_page(staff_phone, f"/certificates/{code}")
    staff_phone.get_by_label("Nama yang benar").fill("Sari Wulandari")
    staff_phone.get_by_role("button", name="Terbitkan ulang dengan nama ini").click()
    expect(staff_phone.get_by_test_id("certificate-name")).to_have_text("Sari Wulandari")
    new_code = staff_phone.get_by_test_id("certificate-code").inner_text()
    assert new_code != code
    shot(staff_phone, "certificates-04-reissued-staff-phone-id")
    staff_context.close()

    # The old address now says "replaced" and leads to the new certificate.
    open_page(laptop, f"/certificates/{code}?lang=en")
    expect(laptop.get_by_test_id("certificate-status")).to_have_attribute("data-status", "replaced")
    shot(laptop, "certificates-05-replaced-laptop-en")
    laptop.get_by_test_id("certificate-new").click()
    expect(laptop).to_have_url(re.compile(f"/certificates/{new_code}$"))
    expect(laptop.get_by_test_id("certificate-status")).to_have_attribute("data-status", "valid")
    expect(laptop.get_by_test_id("certificate-name")).to_have_text("Sari Wulandari")
