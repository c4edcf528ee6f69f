"""The staff's home (/admin), a member's record (/admin/members/<id>) and resending the verification
email from /admin/members, called as every kind of actor. Visitors go to sign in; members get
nothing done and see nothing of anyone; staff and admins approve, decline, resend and set quotas
through the existing services; nobody acts on themselves; a record's member is the one in the
address, never a value from the browser."""

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from hub_app.models import AuditEntry, Booking
from hub_app.models.base import utcnow
from hub_app.pages.admin_home import StaffHomeState
from hub_app.pages.admin_member import MemberRecordState
from hub_app.pages.admin_members import AdminMembersState
from tests.handlers.handler_harness import (
    JUNK_VALUES,
    MEGABYTE_TEXT,
    call_with_junk,
    covers,
    db_fingerprint,
    junk_forms,
    outbox,
)
from tests.staff.helpers import booking, desk_area

NOT_STAFF = ["pending", "active"]
STAFF = ["staff", "admin"]
WATCHED = ["users", "bookings", "audit_entries", "notifications", "email_outbox", "account_mails"]


def pending_booking(people, member) -> int:
    with Session(people.engine, expire_on_commit=False) as session:
        return booking(session, desk_area(session), member.id, utcnow() + timedelta(days=1), status="pending").id


def booking_status(people, booking_id: int) -> str:
    with Session(people.engine) as session:
        return session.get(Booking, booking_id).status


def audit_actions(people) -> list[tuple]:
    with Session(people.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        return [(row.actor_id, row.action, row.target_id) for row in entries]


# -- /admin -----------------------------------------------------------------------------------------


@covers(StaffHomeState.load)
def test_a_visitor_is_sent_to_sign_in(hub, people):
    tab = hub.browser()
    assert tab.load("/admin").ok().navigations == ["/login?next=/admin"]
    assert not tab.state(StaffHomeState).allowed


HOME_HANDLERS = [
    (StaffHomeState.approve_member, lambda people, booking_id: (str(people.pending.id),)),
    (StaffHomeState.decline_member, lambda people, booking_id: ({"member_id": str(people.pending.id),
                                                                   "reason": "Data tidak lengkap"},)),
    (StaffHomeState.resend, lambda people, booking_id: (str(people.pending.id),)),
    (StaffHomeState.approve_booking, lambda people, booking_id: (str(booking_id),)),
    (StaffHomeState.decline_booking, lambda people, booking_id: ({"booking_id": str(booking_id),
                                                                    "reason": "Ruang dipakai acara"},)),
]


@covers(StaffHomeState.load, *[handler for handler, _ in HOME_HANDLERS])
@pytest.mark.parametrize("role", NOT_STAFF + ["suspended", "rejected"])
def test_members_see_nothing_and_change_nothing(role, hub, people):
    person = getattr(people, role)
    people.add(email="unverified@test.example", name="Belum Verifikasi", status="pending", verified=False)
    booking_id = pending_booking(people, people.other)
    tab = hub.browser(person)
    outcome = tab.load("/admin").ok()
    state = tab.state(StaffHomeState)
    if role == "suspended":  # a suspended member's session no longer counts: a visitor
        assert outcome.navigations == ["/login?next=/admin"]
    else:
        assert not state.allowed and state.error
    assert state.members == [] and state.waiting_bookings == []
    before = db_fingerprint(people.engine, WATCHED)
    for handler, args in HOME_HANDLERS:
        outcome = tab.call(handler, *args(people, booking_id)).ok()
        assert people.other.email not in outcome.delta_text() and "Belum Verifikasi" not in outcome.delta_text()
        assert role == "suspended" or tab.state(StaffHomeState).error
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(StaffHomeState.load)
@pytest.mark.parametrize("role", STAFF)
def test_staff_see_what_waits(role, hub, people):
    unverified = people.add(email="unverified@test.example", name="Belum Verifikasi", status="pending",
                            verified=False, signed_in=False)
    booking_id = pending_booking(people, people.other)
    tab = hub.browser(getattr(people, role))
    tab.load("/admin").ok()
    state = tab.state(StaffHomeState)
    assert state.allowed and not state.error
    assert state.members_waiting == 2
    assert [(row.id, row.verified) for row in state.members] == [(unverified.id, False), (people.pending.id, True)]
    assert [(row.id, row.member) for row in state.waiting_bookings] == [(booking_id, people.other.name)]
    assert state.bookings_waiting == 1 and state.day


@covers(StaffHomeState.approve_member, StaffHomeState.decline_member)
@pytest.mark.parametrize("role", STAFF)
def test_staff_approve_and_decline_members_from_the_home(role, hub, people):
    second = people.add(email="kedua@test.example", name="Kedua Pending", status="pending", signed_in=False)
    actor = getattr(people, role)
    tab = hub.browser(actor)
    tab.load("/admin")
    tab.call(StaffHomeState.approve_member, str(people.pending.id)).ok()
    assert tab.state(StaffHomeState).info and not tab.state(StaffHomeState).error
    tab.call(StaffHomeState.decline_member, {"member_id": str(second.id), "reason": ""}).ok()
    assert tab.state(StaffHomeState).error  # a reason is required
    tab.call(StaffHomeState.decline_member, {"member_id": str(second.id), "reason": "Bukan UMKM"}).ok()
    assert tab.state(StaffHomeState).members_waiting == 0
    assert (actor.id, "member.approve", people.pending.id) in audit_actions(people)
    assert (actor.id, "member.reject", second.id) in audit_actions(people)
    # Approving again, or themselves, or an unknown id: refused, nothing changes.
    before = db_fingerprint(people.engine, WATCHED)
    for member_id in (str(people.pending.id), str(actor.id), "999999", "-1", "abc"):
        tab.call(StaffHomeState.approve_member, member_id).ok()
        assert tab.state(StaffHomeState).error
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(StaffHomeState.approve_member)
def test_an_unverified_member_cannot_be_approved(hub, people):
    unverified = people.add(email="unverified@test.example", name="Belum Verifikasi", status="pending",
                            verified=False, signed_in=False)
    tab = hub.browser(people.staff)
    tab.load("/admin")
    before = db_fingerprint(people.engine, WATCHED)
    tab.call(StaffHomeState.approve_member, str(unverified.id)).ok()
    assert tab.state(StaffHomeState).error
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(StaffHomeState.resend, AdminMembersState.resend)
@pytest.mark.parametrize("state", [StaffHomeState, AdminMembersState], ids=lambda state: state.__name__)
def test_staff_resend_the_verification_email_within_the_limits(state, hub, people):
    unverified = people.add(email="unverified@test.example", name="Belum Verifikasi", status="pending",
                            verified=False, signed_in=False)
    tab = hub.browser(people.staff)
    tab.load("/admin" if state is StaffHomeState else "/admin/members")
    tab.call(state.resend, str(unverified.id)).ok()
    assert tab.state(state).info == "Email verifikasi dikirim ulang."
    assert len(outbox(people.engine, unverified.email)) == 1
    tab.call(state.resend, str(unverified.id)).ok()
    assert tab.state(state).info == "Email verifikasi baru saja dikirim; coba lagi nanti."
    assert len(outbox(people.engine, unverified.email)) == 1
    # A verified account, an unknown id and junk: refused, no mail.
    for member_id in (str(people.pending.id), "999999", *JUNK_VALUES[:4]):
        tab.call(state.resend, member_id).ok()
        assert tab.state(state).error
    assert outbox(people.engine, people.pending.email) == []


@covers(AdminMembersState.resend)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_members_cannot_resend_from_the_members_page(role, hub, people):
    unverified = people.add(email="unverified@test.example", name="Belum Verifikasi", status="pending",
                            verified=False, signed_in=False)
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/members")
    before = db_fingerprint(people.engine, WATCHED)
    tab.call(AdminMembersState.resend, str(unverified.id)).ok()
    assert tab.state(AdminMembersState).error
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(StaffHomeState.approve_booking, StaffHomeState.decline_booking)
@pytest.mark.parametrize("role", STAFF)
def test_staff_approve_and_decline_bookings_from_the_home(role, hub, people):
    first, second = pending_booking(people, people.active), pending_booking(people, people.other)
    tab = hub.browser(getattr(people, role))
    tab.load("/admin")
    assert tab.state(StaffHomeState).bookings_waiting == 2
    tab.call(StaffHomeState.approve_booking, str(first)).ok()
    tab.call(StaffHomeState.decline_booking, {"booking_id": str(second), "reason": ""}).ok()
    assert tab.state(StaffHomeState).error and booking_status(people, second) == "pending"
    tab.call(StaffHomeState.decline_booking, {"booking_id": str(second), "reason": "Ruang dipakai acara"}).ok()
    assert (booking_status(people, first), booking_status(people, second)) == ("confirmed", "declined")
    assert tab.state(StaffHomeState).bookings_waiting == 0
    before = db_fingerprint(people.engine, WATCHED)
    for form in junk_forms(booking_id=str(first), reason="alasan"):
        tab.call(StaffHomeState.decline_booking, form).ok()
    for value in JUNK_VALUES:
        tab.call(StaffHomeState.approve_booking, value).ok()
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(StaffHomeState.decline_member)
def test_junk_forms_decline_no_member(hub, people):
    tab = hub.browser(people.admin)
    tab.load("/admin")
    before = db_fingerprint(people.engine, WATCHED)
    for form in junk_forms(member_id="999999", reason="Bukan UMKM"):
        tab.call(StaffHomeState.decline_member, form).ok()
    call_with_junk(tab, StaffHomeState, "approve_member")
    assert db_fingerprint(people.engine, WATCHED) == before


# -- /admin/members/<id> ----------------------------------------------------------------------------


@covers(MemberRecordState.load)
def test_a_visitor_is_sent_to_sign_in_from_a_record(hub, people):
    tab = hub.browser()
    outcome = tab.load(f"/admin/members/{people.active.id}").ok()
    assert outcome.navigations == [f"/login?next=/admin/members/{people.active.id}"]
    assert tab.state(MemberRecordState).email == ""


RECORD_CALLS = [
    (MemberRecordState.change_status, ({"action": "approve", "reason": ""},)),
    (MemberRecordState.change_status, ({"action": "reject", "reason": "Bukan UMKM"},)),
    (MemberRecordState.resend, ()),
    (MemberRecordState.set_quota, ({"hours_per_week": "40", "upcoming_bookings": "20"},)),
]


@covers(MemberRecordState.load, MemberRecordState.change_status, MemberRecordState.resend,
        MemberRecordState.set_quota)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_members_cannot_read_or_change_anyones_record(role, hub, people):
    unverified = people.add(email="unverified@test.example", name="Belum Verifikasi", status="pending",
                            verified=False, signed_in=False)
    person = people.by_role()[role]
    before = db_fingerprint(people.engine, WATCHED)
    for target in (people.other, unverified, person):
        tab = hub.browser(person)
        outcome = tab.load(f"/admin/members/{target.id}").ok()
        state = tab.state(MemberRecordState)
        assert not state.allowed and state.error and state.member_id == 0
        assert target.email not in outcome.delta_text() or target is person
        for handler, args in RECORD_CALLS:
            outcome = tab.call(handler, *args).ok()
            assert target.email not in outcome.delta_text() or target is person
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(MemberRecordState.load)
@pytest.mark.parametrize("role", STAFF)
def test_staff_read_a_record_and_bad_addresses_show_nothing(role, hub, people):
    tab = hub.browser(getattr(people, role))
    tab.load(f"/admin/members/{people.other.id}").ok()
    state = tab.state(MemberRecordState)
    assert state.allowed and (state.member_id, state.email, state.status) == (people.other.id, people.other.email,
                                                                              "active")
    assert state.actions == ["suspend"]
    for address in ("999999", "abc", "-1", "0", "1.5", "%2e%2e"):
        tab.load(f"/admin/members/{address}").ok()
        state = tab.state(MemberRecordState)
        assert not state.allowed and state.error and state.member_id == 0 and state.email == ""


@covers(MemberRecordState.change_status)
@pytest.mark.parametrize("role", STAFF)
def test_staff_change_the_membership_of_the_member_in_the_address(role, hub, people):
    actor = getattr(people, role)
    tab = hub.browser(actor)
    tab.load(f"/admin/members/{people.pending.id}")
    assert tab.state(MemberRecordState).actions == ["approve", "reject"]
    # A member id in the form is ignored: the record's member is the one in the address.
    tab.call(MemberRecordState.change_status, {"action": "approve", "reason": "", "member_id": str(people.other.id)})
    state = tab.state(MemberRecordState)
    assert state.status == "active" and state.info and not state.error
    assert [row.action for row in state.history] == ["Disetujui"]
    tab.call(MemberRecordState.change_status, {"action": "suspend", "reason": ""}).ok()
    assert tab.state(MemberRecordState).error  # a reason is required
    tab.call(MemberRecordState.change_status, {"action": "suspend", "reason": "Spam"}).ok()
    assert tab.state(MemberRecordState).status == "suspended"
    assert [(a, t) for _, a, t in audit_actions(people)] == [("member.approve", people.pending.id),
                                                            ("member.suspend", people.pending.id)]
    before = db_fingerprint(people.engine, WATCHED)
    for form in junk_forms(action="reactivate", reason="ok"):
        if form.get("action") != "reactivate":
            tab.call(MemberRecordState.change_status, form).ok()
    # On their own record nothing applies.
    tab.load(f"/admin/members/{actor.id}")
    assert tab.state(MemberRecordState).actions == []
    tab.call(MemberRecordState.change_status, {"action": "suspend", "reason": "x"}).ok()
    assert tab.state(MemberRecordState).error
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(MemberRecordState.change_status)
def test_staff_cannot_act_on_staff_but_admins_can(hub, people):
    tab = hub.browser(people.staff)
    tab.load(f"/admin/members/{people.admin.id}")
    assert tab.state(MemberRecordState).actions == []
    tab.call(MemberRecordState.change_status, {"action": "suspend", "reason": "x"}).ok()
    assert tab.state(MemberRecordState).error
    tab = hub.browser(people.admin)
    tab.load(f"/admin/members/{people.staff.id}")
    assert tab.state(MemberRecordState).actions == ["suspend"]


@covers(MemberRecordState.resend)
@pytest.mark.parametrize("role", STAFF)
def test_staff_resend_from_a_record_where_approve_waits_for_the_email(role, hub, people):
    unverified = people.add(email="unverified@test.example", name="Belum Verifikasi", status="pending",
                            verified=False, signed_in=False)
    tab = hub.browser(getattr(people, role))
    tab.load(f"/admin/members/{unverified.id}")
    state = tab.state(MemberRecordState)
    assert state.waits_for_email and state.actions == ["reject"]
    tab.call(MemberRecordState.resend).ok()
    assert tab.state(MemberRecordState).info == "Email verifikasi dikirim ulang."
    assert len(outbox(people.engine, unverified.email)) == 1
    tab.send(MemberRecordState.resend, {"member_id": people.other.id}).not_crashed()
    assert outbox(people.engine, people.other.email) == []
    tab.load(f"/admin/members/{people.other.id}")
    tab.call(MemberRecordState.resend).ok()
    assert tab.state(MemberRecordState).error  # already verified


@covers(MemberRecordState.set_quota)
@pytest.mark.parametrize("role", STAFF)
def test_staff_override_and_reset_a_quota(role, hub, people):
    tab = hub.browser(getattr(people, role))
    tab.load(f"/admin/members/{people.active.id}")
    tab.call(MemberRecordState.set_quota, {"hours_per_week": "6", "upcoming_bookings": "2"}).ok()
    state = tab.state(MemberRecordState)
    assert (state.hours_per_week, state.upcoming_bookings, state.custom_quota) == (6, 2, True)
    assert [row.action for row in state.audit] == ["Kuota pemesanan diubah"]
    tab.call(MemberRecordState.set_quota, {"hours_per_week": "", "upcoming_bookings": ""}).ok()
    assert not tab.state(MemberRecordState).custom_quota
    before = db_fingerprint(people.engine, WATCHED)
    for form in ({"hours_per_week": "-1"}, {"hours_per_week": "169"}, {"upcoming_bookings": "501"},
                 {"upcoming_bookings": "abc"}, {"hours_per_week": MEGABYTE_TEXT}, {"hours_per_week": [1]},
                 {"hours_per_week": {"a": 1}}, {"upcoming_bookings": 1.5}):
        tab.call(MemberRecordState.set_quota, form).ok()
        assert tab.state(MemberRecordState).error
    assert db_fingerprint(people.engine, WATCHED) == before
    # Any other junk (an empty form returns both quotas to the hub default, as the page says).
    for form in junk_forms(hours_per_week="-1", upcoming_bookings="501"):
        tab.call(MemberRecordState.set_quota, form).ok()
    assert not tab.state(MemberRecordState).custom_quota
