"""services/member_record: one member's record for staff, the actions it offers, and resending the
verification email through the limited account-mail path; on SQLite and PostgreSQL."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.models import AuditEntry, EmailOutbox
from hub_app.models.base import utcnow
from hub_app.services import booking_admin, member_record, membership
from tests.accounts.factories import actor_of, make_user
from tests.staff.helpers import booking, desk_area, enrol, post, report, training


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@hub.example", name="Sari Staf", role="staff"))


def test_only_staff_read_a_record(session, staff):
    member = make_user(session, "rina@umkm.example")
    other = make_user(session, "budi@umkm.example")
    for actor in (None, actor_of(make_user(session, "baru@umkm.example", status="pending")), actor_of(other)):
        with pytest.raises(NotAllowed):
            member_record.record(actor, session=session, member_id=member.id)
    assert member_record.record(staff, session=session, member_id=str(member.id)).email == "rina@umkm.example"
    with pytest.raises(NotFound):
        member_record.record(staff, session=session, member_id=member.id + 1000)
    for junk in (None, "", "abc", -1, 0, 2**70, 1.5, [], {}, "../1"):
        with pytest.raises((InvalidInput, NotFound)):
            member_record.record(staff, session=session, member_id=junk)


def test_the_record_holds_bookings_trainings_forum_and_audit(session, staff):
    member = make_user(session, "rina@umkm.example", name="Rina Kusuma")
    reader = make_user(session, "budi@umkm.example")
    space = desk_area(session)
    now = utcnow()
    booking(session, space, member.id, now + timedelta(days=1))
    booking(session, space, member.id, now + timedelta(days=2), status="pending")
    booking(session, space, member.id, now + timedelta(days=3), status="cancelled")  # neither list
    booking(session, space, member.id, now - timedelta(days=1), checked_in=True)
    booking(session, space, member.id, now - timedelta(days=2), status="released", no_show=True)
    booking(session, space, member.id, now - timedelta(days=3), status="cancelled")
    booking(session, space, reader.id, now + timedelta(days=1))  # someone else's
    first = training(session, [now + timedelta(days=5)], title="Keuangan")
    second = training(session, [now + timedelta(days=6)], title="Ekspor")
    done = training(session, [now - timedelta(days=20)], title="Izin usaha")
    enrol(session, first, member.id)
    enrol(session, second, member.id, status="waitlisted")
    enrol(session, done, member.id, completed=True)
    enrol(session, first, reader.id)
    mine, theirs = post(session, member.id, "Ada yang tahu soal NIB?"), post(session, reader.id)
    report(session, mine, reader.id)
    report(session, theirs, member.id, resolved=True)
    booking_admin.set_quota(staff, session=session, member_id=member.id, hours_per_week=6, upcoming_bookings=2)

    found = member_record.record(staff, session=session, member_id=member.id)
    assert (found.upcoming_count, found.past_count, found.no_shows) == (2, 3, 1)
    assert [row.status for row in found.upcoming] == ["confirmed", "pending"]
    assert [(row.status, row.checked_in, row.no_show) for row in found.past] == [
        ("confirmed", True, False), ("released", False, True), ("cancelled", False, False)]
    assert (found.hours_per_week, found.upcoming_bookings, found.custom_quota) == (6, 2, True)
    assert (found.enrolled, found.waitlisted, found.completed) == (1, 1, 1)
    assert [(row.title, row.status) for row in found.trainings] == [
        ("Ekspor", "waitlisted"), ("Keuangan", "enrolled"), ("Izin usaha", "completed")]
    assert (found.posts_count, found.reports_against, found.reports_made) == (1, 1, 1)
    assert [(row.id, row.excerpt, row.open_reports) for row in found.posts] == [(mine.id, "Ada yang tahu soal NIB?", 1)]
    assert [(row.action, row.by) for row in found.audit] == [("Kuota pemesanan diubah", "Sari Staf")]
    assert found.history == []


def test_membership_history_with_reasons_newest_first(session, staff):
    member = make_user(session, "rina@umkm.example", status="pending")
    session.commit()
    membership.change_status(staff, session=session, member_id=member.id, action="approve")
    membership.change_status(staff, session=session, member_id=member.id, action="suspend", reason="Spam di forum")
    membership.change_status(staff, session=session, member_id=member.id, action="reactivate")
    found = member_record.record(staff, session=session, member_id=member.id)
    assert [(row.action, row.reason, row.by) for row in found.history] == [
        ("Diaktifkan lagi", "", "Sari Staf"), ("Ditangguhkan", "Spam di forum", "Sari Staf"),
        ("Disetujui", "", "Sari Staf")]
    assert found.status == "active"
    english = member_record.record(replace(staff, locale="en"), session=session, member_id=member.id)
    assert [row.action for row in english.history] == ["Reactivated", "Suspended", "Approved"]


@pytest.mark.parametrize(("status", "verified", "actions", "waits"), [
    ("pending", True, ["approve", "reject"], False),
    ("pending", False, ["reject"], True),
    ("rejected", False, [], True),
    ("rejected", True, ["approve"], False),
    ("active", True, ["suspend"], False),
    ("suspended", True, ["reactivate"], False),
])
def test_the_actions_offered_follow_status_and_verification(session, staff, status, verified, actions, waits):
    member = make_user(session, "rina@umkm.example", status=status, verified=verified)
    found = member_record.record(staff, session=session, member_id=member.id)
    assert (found.actions, found.waits_for_email) == (actions, waits)


def test_staff_act_on_members_only_admins_on_staff_and_nobody_on_themselves(session, staff):
    colleague = make_user(session, "rekan@hub.example", role="staff")
    admin = actor_of(make_user(session, "admin@hub.example", role="admin"))
    assert member_record.record(staff, session=session, member_id=colleague.id).actions == []
    assert member_record.record(admin, session=session, member_id=colleague.id).actions == ["suspend"]
    assert member_record.record(staff, session=session, member_id=staff.user_id).actions == []
    assert member_record.record(admin, session=session, member_id=admin.user_id).actions == []


def _mails(session, to: str) -> list[EmailOutbox]:
    session.commit()
    mails = list(session.exec(select(EmailOutbox).where(EmailOutbox.to_address == to)).all())
    session.commit()  # end the read: the services start their own write transactions
    return mails


def test_resending_the_verification_email_is_limited_and_audited(session, staff):
    member = make_user(session, "rina@umkm.example", status="pending", verified=False)
    session.commit()
    assert member_record.resend_verification(staff, session=session, member_id=member.id) is True
    mails = _mails(session, "rina@umkm.example")
    assert len(mails) == 1 and "/verify/" in mails[0].body_text
    # The same kind of mail to the same address within a minute is held back (account_mail limits).
    assert member_record.resend_verification(staff, session=session, member_id=member.id) is False
    assert len(_mails(session, "rina@umkm.example")) == 1
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.target_id == member.id)).all()
    assert actions == ["member.resend_verification"]


def test_resending_is_refused_to_members_and_for_verified_or_missing_accounts(session, staff):
    member = make_user(session, "rina@umkm.example", status="pending", verified=False)
    verified = make_user(session, "budi@umkm.example", status="pending")
    session.commit()
    for actor in (None, actor_of(make_user(session, "aktif@umkm.example")), actor_of(member)):
        with pytest.raises(NotAllowed):
            member_record.resend_verification(actor, session=session, member_id=member.id)
    with pytest.raises(Conflict):
        member_record.resend_verification(staff, session=session, member_id=verified.id)
    with pytest.raises(NotFound):
        member_record.resend_verification(staff, session=session, member_id=member.id + 1000)
    with pytest.raises(InvalidInput):
        member_record.resend_verification(staff, session=session, member_id="1; drop table users")
    assert _mails(session, "rina@umkm.example") == [] and _mails(session, "budi@umkm.example") == []
