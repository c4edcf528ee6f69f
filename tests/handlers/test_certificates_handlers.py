"""Certificate handlers, called as a browser would, by every kind of actor: the public check page
/certificates/<code> (anyone reads it; only staff revoke or reissue), "My certificates" on
/trainings/mine (only the owner's, only the owner changes the profile choice) and the list on a
member's record (staff only). Bad codes and junk change nothing."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from hub_app.domain.certificates import grouped
from hub_app.domain.permissions import Actor
from hub_app.models import AuditEntry
from hub_app.models.base import utcnow
from hub_app.models.certificates import Certificate
from hub_app.models.trainings import Enrolment
from hub_app.pages.certificates import CertificateState, MemberCertificatesState, MyCertificatesState
from hub_app.services import certificates, training_attendance
from tests.handlers.handler_harness import MEGABYTE_TEXT, covers, db_fingerprint
from tests.trainings.helpers import make_training, sessions_of

TABLES = ["certificates", "audit_entries", "enrolments"]


@pytest.fixture(autouse=True)
def fresh_lookup_limit(monkeypatch):
    monkeypatch.setattr(certificates, "LOOKUPS", certificates.LookupLimit())


def _certificate_of(people, person) -> str:
    """A training the person completed (marked present by staff): their certificate's code, grouped."""
    now = utcnow()
    with Session(people.engine, expire_on_commit=False) as session:
        training = make_training(session, sessions=[(now - timedelta(hours=3), now - timedelta(hours=1))],
                                 title_id="Keuangan UMKM", title_en="Small business finance",
                                 opens=now - timedelta(days=5), closes=now - timedelta(days=1),
                                 cancel_until=now - timedelta(days=1))
        session.add(Enrolment(training_id=training.id, user_id=person.id, status="enrolled", enrolled_at=now))
        training.enrolled_count = 1
        session.add(training)
        session.commit()
        [row] = sessions_of(session, training)
        training_attendance.set_attendance(Actor(people.staff.id, "staff", "active"), session=session,
                                           session_id=row.id, user_id=person.id, present=True)
        return grouped(session.exec(select(Certificate.code).where(Certificate.user_id == person.id)).one())


def _status(people, code: str) -> str:
    with Session(people.engine) as session:
        return session.exec(select(Certificate.status).where(Certificate.code == code.replace("-", ""))).one()


@covers(CertificateState.load)
@pytest.mark.parametrize("role", ["visitor", "pending", "active", "staff"])
def test_anyone_checks_a_certificate_and_sees_only_what_it_says(role, hub, people):
    code = _certificate_of(people, people.other)
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load(f"/certificates/{code.lower()}").ok()
    state = tab.state(CertificateState)
    assert state.found and state.certificate.status == "valid" and state.certificate.name == people.other.name
    assert state.certificate.training == "Keuangan UMKM"
    assert people.other.email not in outcome.delta_text()
    assert state.certificate.may_manage == (role == "staff")
    if role != "staff":
        assert state.certificate.member_id == 0 and state.certificate.reason == ""


@covers(CertificateState.load)
@pytest.mark.parametrize("code", ["0000-0000-0000-0000-0000", "nope", "A" * 300, "%27%3B--", "..%2F..%2Fetc"])
def test_an_unknown_or_malformed_code_says_not_found_and_changes_nothing(code, hub, people):
    _certificate_of(people, people.other)
    before = db_fingerprint(people.engine, TABLES)
    tab = hub.browser(people.active)
    tab.load(f"/certificates/{code}").ok()
    state = tab.state(CertificateState)
    assert not state.found and state.error == ""  # the page says "Sertifikat tidak ditemukan" itself
    assert state.certificate.name == "" and state.certificate.code == ""
    assert db_fingerprint(people.engine, TABLES) == before


@covers(CertificateState.revoke, CertificateState.reissue)
@pytest.mark.parametrize("role", ["visitor", "pending", "active"])
def test_only_staff_revoke_or_reissue(role, hub, people):
    person = people.by_role()[role]
    code = _certificate_of(people, people.other if person is None else person)
    before = db_fingerprint(people.engine, TABLES)
    tab = hub.browser(person)
    tab.load(f"/certificates/{code}").ok()
    tab.call(CertificateState.revoke, {"reason": "Salah nama"}).ok()
    assert tab.state(CertificateState).error
    tab.call(CertificateState.reissue, {"name": "Nama Lain"}).ok()
    assert tab.state(CertificateState).error
    assert db_fingerprint(people.engine, TABLES) == before


@covers(CertificateState.revoke)
def test_staff_revoke_with_a_reason(hub, people):
    code = _certificate_of(people, people.active)
    tab = hub.browser(people.staff)
    tab.load(f"/certificates/{code}").ok()
    for junk in ({"reason": ""}, {"reason": MEGABYTE_TEXT}, {"reason": ["x"]}, "x", None, {}):
        tab.call(CertificateState.revoke, junk).ok()
        assert tab.state(CertificateState).error
    assert _status(people, code) == "valid"
    tab.call(CertificateState.revoke, {"reason": "Peserta tidak hadir penuh"}).ok()
    state = tab.state(CertificateState)
    assert state.info == "Sertifikat dicabut." and state.certificate.status == "revoked"
    assert state.certificate.reason == "Peserta tidak hadir penuh"
    assert _status(people, code) == "revoked"
    with Session(people.engine) as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "certificate.revoke")).one()


@covers(CertificateState.reissue)
def test_staff_reissue_with_a_corrected_name_moves_to_the_new_code(hub, people):
    code = _certificate_of(people, people.active)
    tab = hub.browser(people.staff)
    tab.load(f"/certificates/{code}").ok()
    for junk in ({"name": ""}, {"name": MEGABYTE_TEXT}, {"name": 5}, None):
        tab.call(CertificateState.reissue, junk).ok()
        assert tab.state(CertificateState).error
    assert _status(people, code) == "valid"
    outcome = tab.call(CertificateState.reissue, {"name": "Rina Kusuma Wardani"}).ok()
    assert _status(people, code) == "replaced"
    with Session(people.engine) as session:
        new = session.exec(select(Certificate).where(Certificate.status == "valid")).one()
    assert new.name == "Rina Kusuma Wardani"
    assert any(f"/certificates/{grouped(new.code)}" in script for script in outcome.scripts)
    tab.load(f"/certificates/{code}").ok()
    assert tab.state(CertificateState).certificate.replaced_by == f"/certificates/{grouped(new.code)}"


@covers(CertificateState.load)
def test_too_many_checks_from_one_address_are_refused(hub, people, monkeypatch):
    code = _certificate_of(people, people.other)
    monkeypatch.setattr(certificates, "LOOKUPS", certificates.LookupLimit(per_minute=2))
    tab = hub.browser(None, client_ip="203.0.113.9")
    for _ in range(2):
        tab.load(f"/certificates/{code}").ok()
        assert tab.state(CertificateState).found
    tab.load(f"/certificates/{code}").ok()
    state = tab.state(CertificateState)
    assert not state.found and state.error == "Terlalu banyak pemeriksaan. Coba lagi sebentar lagi."


@covers(MyCertificatesState.load_certificates)
@pytest.mark.parametrize("role", ["visitor", "pending", "active", "staff"])
def test_my_certificates_are_only_mine(role, hub, people):
    _certificate_of(people, people.other)
    tab = hub.browser(people.by_role()[role])
    tab.load("/trainings/mine").ok()
    outcome = tab.call(MyCertificatesState.load_certificates).ok()
    assert tab.state(MyCertificatesState).my_certificates == []
    assert "Keuangan UMKM" not in outcome.delta_text()


@covers(MyCertificatesState.load_certificates, MyCertificatesState.set_shown)
def test_the_owner_shows_a_certificate_on_their_profile(hub, people):
    code = _certificate_of(people, people.active)
    tab = hub.browser(people.active)
    tab.load("/trainings/mine").ok()
    tab.call(MyCertificatesState.load_certificates).ok()
    [mine] = tab.state(MyCertificatesState).my_certificates
    assert (mine.code, mine.show_on_profile) == (code, False) and mine.pdf_url.startswith("/api/certificates/")
    for junk in (("nope", True), (None, None), (MEGABYTE_TEXT, True), ([code], True)):
        tab.call(MyCertificatesState.set_shown, *junk).ok()
        assert tab.state(MyCertificatesState).certificates_error
    tab.call(MyCertificatesState.set_shown, code, True).ok()
    state = tab.state(MyCertificatesState)
    assert state.my_certificates[0].show_on_profile and state.certificates_info
    tab.call(MyCertificatesState.set_shown, code, False).ok()
    assert not tab.state(MyCertificatesState).my_certificates[0].show_on_profile


@covers(MyCertificatesState.set_shown)
@pytest.mark.parametrize("role", ["visitor", "pending", "active", "staff"])
def test_nobody_changes_another_members_profile_choice(role, hub, people):
    code = _certificate_of(people, people.other)
    before = db_fingerprint(people.engine, TABLES)
    tab = hub.browser(people.by_role()[role])
    tab.load("/trainings/mine").ok()
    tab.call(MyCertificatesState.set_shown, code, True).ok()
    assert db_fingerprint(people.engine, TABLES) == before


@covers(MemberCertificatesState.load_member_certificates)
@pytest.mark.parametrize("role", ["visitor", "pending", "active", "staff"])
def test_a_members_certificates_on_their_record_for_staff_only(role, hub, people):
    code = _certificate_of(people, people.other)
    tab = hub.browser(people.by_role()[role])
    tab.load(f"/admin/members/{people.other.id}").ok()
    tab.call(MemberCertificatesState.load_member_certificates).ok()
    listed = [item.code for item in tab.state(MemberCertificatesState).member_certificates]
    assert listed == ([code] if role == "staff" else [])
