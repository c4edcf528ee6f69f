"""Certificates on both engines: issued with the completion (once), withdrawn with it, checked by
anyone (only the allowed fields), revoked and reissued by staff (audited), downloaded by the owner
and staff only, shown on the directory profile by the owner's choice, erased with the account."""

import io
from datetime import timedelta

import pypdf
import pytest
import segno
from PIL import Image
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from hub_app.domain import certificates as rules
from hub_app.models import AuditEntry, Notification, User
from hub_app.models.base import utcnow
from hub_app.models.certificates import Certificate
from hub_app.models.trainings import Enrolment
from hub_app.services import certificates as certificates_service
from hub_app.services import members, personal_data
from hub_app.services import training_attendance as training_attendance_service
from hub_app.services.certificate_pdf import QR_SCALE
from hub_app.settings import get_settings
from tests.accounts.factories import actor_of, make_user
from tests.trainings.helpers import error_key, make_training, sessions_of
from tests.trainings.helpers import members as make_members
from tests.transactions import end_read


class _EachCallFresh:
    """A service module whose functions start from a fresh transaction, as each call does in the
    app (a new database session per event): what the test read before is ended first."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        found = getattr(self._module, name)
        if name[:1].isupper() or not callable(found):
            return found

        def call(*args, **kwargs):
            if "session" in kwargs:
                end_read(kwargs["session"])
            return found(*args, **kwargs)
        return call


certificates = _EachCallFresh(certificates_service)
training_attendance = _EachCallFresh(training_attendance_service)


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@jfch.example", name="Budi Santoso", role="staff"))


@pytest.fixture(autouse=True)
def fresh_lookup_limit(monkeypatch):
    monkeypatch.setattr(certificates_service, "LOOKUPS", certificates_service.LookupLimit())


def _finished_training(session, *, title_id="Pemasaran Instagram untuk UMKM", sessions=2):
    """A training whose sessions are over (2 h and 1 h 30), its members enrolled."""
    now = utcnow()
    times = [(now - timedelta(days=2, hours=3), now - timedelta(days=2, hours=1)),
             (now - timedelta(hours=3), now - timedelta(hours=1, minutes=30))][:sessions]
    return make_training(session, sessions=times, title_id=title_id, opens=now - timedelta(days=9),
                         closes=now - timedelta(days=3), cancel_until=now - timedelta(days=3))


def _enrolled(session, training, *actors):
    for actor in actors:
        session.add(Enrolment(training_id=training.id, user_id=actor.user_id, status="enrolled", enrolled_at=utcnow()))
    training.enrolled_count = len(actors)
    session.add(training)
    session.commit()


def _attend_all(session, staff, training, actor, present=True):
    end_read(session)
    for row in sessions_of(session, training):
        training_attendance.set_attendance(staff, session=session, session_id=row.id, user_id=actor.user_id,
                                           present=present)


def _certificates_of(session, actor) -> list[Certificate]:
    session.expire_all()
    rows = list(session.exec(select(Certificate).where(Certificate.user_id == actor.user_id)
                             .order_by(Certificate.id)).all())
    end_read(session)
    return rows


def _completed(session, staff, *, name="Rina Kusuma"):
    training = _finished_training(session)
    [rina] = make_members(session, 1)
    user = session.get(User, rina.user_id)
    user.name = name
    session.add(user)
    session.commit()
    _enrolled(session, training, rina)
    _attend_all(session, staff, training, rina)
    [certificate] = _certificates_of(session, rina)
    return training, rina, certificate


def test_completing_a_training_issues_one_certificate_with_what_is_printed(session, staff):
    training = _finished_training(session)
    rina, andi = make_members(session, 2)
    _enrolled(session, training, rina, andi)
    [first, second] = sessions_of(session, training)
    training_attendance.set_attendance(staff, session=session, session_id=first.id, user_id=rina.user_id, present=True)
    assert _certificates_of(session, rina) == []  # half the sessions: not completed yet
    training_attendance.set_attendance(staff, session=session, session_id=second.id, user_id=rina.user_id, present=True)
    [certificate] = _certificates_of(session, rina)
    assert certificate.status == rules.VALID and rules.parse_code(certificate.code) == certificate.code
    assert certificate.name == session.get(User, rina.user_id).name
    assert (certificate.title_id, certificate.training_id) == ("Pemasaran Instagram untuk UMKM", training.id)
    assert certificate.minutes == 210  # 2 h + 1 h 30
    assert (certificate.starts_at, certificate.ends_at) == (training.starts_at, training.ends_at)
    end_read(session)
    # Marking again (and the staff's second tap) issues nothing more.
    training_attendance.set_attendance(staff, session=session, session_id=second.id, user_id=rina.user_id, present=True)
    assert len(_certificates_of(session, rina)) == 1
    assert _certificates_of(session, andi) == []
    assert session.exec(select(Notification).where(Notification.user_id == rina.user_id,
                                                   Notification.kind == "training.completed")).first()


def test_a_completion_taken_back_revokes_and_completing_again_issues_a_new_one(session, staff):
    training, rina, first = _completed(session, staff)
    [row, _] = sessions_of(session, training)
    training_attendance.set_attendance(staff, session=session, session_id=row.id, user_id=rina.user_id, present=False)
    [revoked] = _certificates_of(session, rina)
    assert revoked.status == rules.REVOKED and revoked.reason
    training_attendance.set_attendance(staff, session=session, session_id=row.id, user_id=rina.user_id, present=True)
    old, new = _certificates_of(session, rina)
    assert (old.code, old.status, new.status) == (first.code, rules.REVOKED, rules.VALID)
    assert new.code != old.code


def test_the_database_holds_one_valid_certificate_per_member_and_training(session, staff):
    training, rina, certificate = _completed(session, staff)
    session.add(Certificate(code=rules.new_code(), user_id=rina.user_id, training_id=training.id, name="x",
                            starts_at=certificate.starts_at, ends_at=certificate.ends_at, status=rules.VALID))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_anyone_checks_a_code_and_sees_only_status_name_training_and_date(session, staff):
    _, rina, certificate = _completed(session, staff, name="Rina Kusuma")
    grouped = rules.grouped(certificate.code)
    for actor in (None, rina, make_members(session, 1)[0]):
        found = certificates.check(actor, session=session, code=grouped.lower(), locale="en")
        assert (found.found, found.status, found.name, found.code) == (True, "valid", "Rina Kusuma", grouped)
        assert found.training == "Pemasaran Instagram untuk UMKM" or found.training.startswith("Instagram")
        assert found.date and not found.may_manage and found.reason == "" and found.member_id == 0
    assert certificates.check(staff, session=session, code=grouped).may_manage


@pytest.mark.parametrize("code", ["", "ABCD", "0000-0000-0000-0000-0000", "U" * 20, "x" * 100_000, None, 5, [],
                                  {"code": "x"}, "../../../etc/passwd", "7KQ2'; DROP TABLE certificates; --"])
def test_a_malformed_or_unknown_code_is_not_found(session, code):
    assert error_key(lambda: certificates.check(None, session=session, code=code)) == "certificates.error.not_found"


def test_checks_from_one_address_are_limited():
    limit = certificates.LookupLimit(per_minute=3, addresses=2)
    assert [limit.allow("10.0.0.1", now=100.0) for _ in range(4)] == [True, True, True, False]
    assert limit.allow("10.0.0.2", now=100.0)
    assert limit.allow("10.0.0.1", now=161.0)  # a minute later
    limit.allow("10.0.0.3", now=161.0)
    assert len(limit._seen) == 2  # the oldest address forgotten


def test_staff_revoke_with_a_reason_audited_and_nobody_else_can(session, staff):
    _, rina, certificate = _completed(session, staff)
    code = rules.grouped(certificate.code)
    for actor in (None, rina):
        assert error_key(lambda actor=actor: certificates.revoke(actor, session=session, code=code, reason="x"),
                         session) in ("error.sign_in_required", "trainings.error.staff_only")
    assert error_key(lambda: certificates.revoke(staff, session=session, code=code, reason=""), session) == \
        "error.field_required"
    assert error_key(lambda: certificates.revoke(staff, session=session, code="nope", reason="x"), session) == \
        "certificates.error.not_found"
    assert _certificates_of(session, rina)[0].status == rules.VALID
    certificates.revoke(staff, session=session, code=code, reason="Nama peserta salah ketik")
    [row] = _certificates_of(session, rina)
    assert (row.status, row.reason, row.changed_by) == (rules.REVOKED, "Nama peserta salah ketik", staff.user_id)
    assert error_key(lambda: certificates.revoke(staff, session=session, code=code, reason="lagi"), session) == \
        "certificates.error.not_valid"
    found = certificates.check(None, session=session, code=code)
    assert (found.status, found.replaced_by) == ("revoked", "")
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "certificate.revoke")).one()
    assert entry.target_id == rina.user_id and certificate.code in entry.detail


def test_reissue_with_a_corrected_name_replaces_the_old_code(session, staff):
    _, rina, old = _completed(session, staff, name="Rina Kusma")
    old_code = rules.grouped(old.code)
    assert error_key(lambda: certificates.reissue(rina, session=session, code=old_code, name="Rina Kusuma"),
                     session) == "trainings.error.staff_only"
    assert error_key(lambda: certificates.reissue(staff, session=session, code=old_code, name="  "), session) == \
        "error.field_required"
    new_code = certificates.reissue(staff, session=session, code=old_code, name="Rina Kusuma")
    before, after = _certificates_of(session, rina)
    assert (before.status, before.replaced_by, after.status, after.name) == \
        (rules.REPLACED, after.id, rules.VALID, "Rina Kusuma")
    assert rules.grouped(after.code) == new_code and (after.minutes, after.title_id) == (old.minutes, old.title_id)
    checked = certificates.check(None, session=session, code=old_code)
    assert (checked.status, checked.name, checked.replaced_by) == \
        ("replaced", "Rina Kusma", f"/certificates/{new_code}")
    assert certificates.check(None, session=session, code=new_code).status == "valid"
    assert error_key(lambda: certificates.reissue(staff, session=session, code=old_code, name="X"), session) == \
        "certificates.error.not_valid"
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "certificate.reissue")).one()


def _qr_modules(image: Image.Image, scale: int) -> list[list[bool]]:
    gray = image.convert("L")
    size = gray.width // scale
    return [[gray.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128 for x in range(size)]
            for y in range(size)]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_pdf_holds_name_training_code_and_a_qr_code_to_the_check_page(session, staff, lang):
    _, rina, certificate = _completed(session, staff, name="Nguyễn Thị Ánh Çelik")
    made = certificates.certificate_pdf(rina, session=session, code=certificate.code, lang=lang)
    grouped = rules.grouped(certificate.code)
    assert made.filename == f"certificate-{grouped}-{lang}.pdf" and made.pdf.startswith(b"%PDF")
    page = pypdf.PdfReader(io.BytesIO(made.pdf)).pages[0]
    text = page.extract_text()
    url = f"{get_settings().public_base_url.rstrip('/')}/certificates/{grouped}"
    for expected in ("Nguyễn Thị Ánh Çelik", "Pemasaran Instagram untuk UMKM" if lang == "id" else "Instagram",
                     grouped, url, "Jakarta Future City Hub", "Berlin", "3.5"):
        assert expected in text
    assert ("SERTIFIKAT" in text and "jam" in text) if lang == "id" else ("CERTIFICATE" in text and "hours" in text)
    # The QR code printed is the check page's address, module for module.
    [image] = page.images
    assert _qr_modules(image.image, QR_SCALE) == [[bool(bit) for bit in row] for row in
                                                  segno.make(url, error="m").matrix]


def test_only_the_owner_and_staff_download_the_pdf(session, staff):
    _, rina, certificate = _completed(session, staff)
    [other] = make_members(session, 1)
    assert error_key(lambda: certificates.certificate_pdf(None, session=session, code=certificate.code,
                                                          lang="id")) == "error.sign_in_required"
    assert error_key(lambda: certificates.certificate_pdf(other, session=session, code=certificate.code,
                                                          lang="id")) == "certificates.error.not_found"
    assert certificates.certificate_pdf(staff, session=session, code=certificate.code, lang="en").pdf
    certificates.revoke(staff, session=session, code=certificate.code, reason="Salah")
    assert error_key(lambda: certificates.certificate_pdf(rina, session=session, code=certificate.code,
                                                          lang="id")) == "certificates.error.not_found"
    stamped = certificates.certificate_pdf(staff, session=session, code=certificate.code, lang="en")
    assert "REVOKED" in pypdf.PdfReader(io.BytesIO(stamped.pdf)).pages[0].extract_text()


def test_my_certificates_with_links_and_the_profile_shows_only_the_chosen(session, staff):
    training, rina, certificate = _completed(session, staff)
    user = session.get(User, rina.user_id)
    user.show_in_directory = True
    session.add(user)
    session.commit()
    [other] = make_members(session, 1)
    [mine] = certificates.mine(rina, session=session)
    grouped = rules.grouped(certificate.code)
    assert (mine.code, mine.status, mine.hours, mine.show_on_profile) == (grouped, "valid", "3.5", False)
    assert mine.pdf_url == f"/api/certificates/{grouped}.pdf?lang=id"
    assert mine.verify_url.endswith(f"/certificates/{grouped}")
    assert "startTask=CERTIFICATION_NAME" in mine.linkedin_url and f"certId={grouped}" in mine.linkedin_url
    assert certificates.mine(other, session=session) == []
    assert error_key(lambda: certificates.mine(None, session=session)) == "error.sign_in_required"

    def section_titles():
        profile = members.get_member(other, session=session, member_id=rina.user_id, locale="id")
        return [(s.title, [item.link for item in s.items]) for s in profile.sections if s.title == "Sertifikat"]

    assert section_titles() == []
    assert error_key(lambda: certificates.show_on_profile(other, session=session, code=grouped, shown=True),
                     session) == "certificates.error.not_found"
    assert error_key(lambda: certificates.show_on_profile(rina, session=session, code=grouped, shown="perhaps"),
                     session) == "error.field_type"
    certificates.show_on_profile(rina, session=session, code=grouped, shown=True)
    assert section_titles() == [("Sertifikat", [f"/certificates/{grouped}"])]
    certificates.revoke(staff, session=session, code=grouped, reason="Salah")
    assert section_titles() == []
    [mine] = certificates.mine(rina, session=session)
    assert (mine.status, mine.pdf_url, mine.linkedin_url) == ("revoked", "", "")
    assert [row.code for row in certificates.of_member(staff, session=session, member_id=rina.user_id)] == [grouped]
    assert error_key(lambda: certificates.of_member(rina, session=session, member_id=rina.user_id)) == \
        "trainings.error.staff_only"


def test_an_erased_account_no_longer_named_and_its_certificate_revoked(session, staff):
    _, rina, certificate = _completed(session, staff)
    exported = personal_data.export_all(session, rina.user_id)["certificates"]
    assert [row["code"] for row in exported] == [rules.grouped(certificate.code)]
    personal_data.erase_all(session, rina.user_id)
    session.commit()
    [row] = _certificates_of(session, rina)
    assert (row.name, row.status) == ("", rules.REVOKED)
