"""Staff approve, reject, suspend and reactivate members; admins change roles; all audited."""

import pytest
from sqlmodel import select

from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.models import AuditEntry, EmailOutbox, Notification, User
from hub_app.services import accounts, audit, membership, sign_in_sessions
from tests.accounts.factories import PASSWORD, actor_of, make_user, open_session_for
from tests.transactions import end_read


@pytest.fixture
def people(session):
    return {
        "admin": make_user(session, "admin@x.example", name="Sari", role="admin"),
        "staff": make_user(session, "staff@x.example", name="Budi", role="staff"),
        "member": make_user(session, "member@x.example", name="Maya"),
        "pending": make_user(session, "pending@x.example", name="Dewi", status="pending"),
    }


def test_staff_approve_a_pending_member_who_is_notified_and_it_is_audited(session, people):
    staff, pending = people["staff"], people["pending"]
    membership.change_status(actor_of(staff), session=session, member_id=pending.id, action="approve")
    session.refresh(pending)
    assert pending.status == "active"
    assert session.exec(select(Notification).where(Notification.user_id == pending.id)).one().kind == \
        "membership.approve"
    assert session.exec(select(EmailOutbox).where(EmailOutbox.to_address == "pending@x.example")).one()
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor_id, entry.action, entry.target_id) == (staff.id, "member.approve", pending.id)
    rows = audit.list_entries(actor_of(staff), session=session)
    assert rows[0].actor == "Budi" and rows[0].action == "member.approve"


def test_rejecting_needs_a_reason_the_member_can_read(session, people):
    staff, pending = actor_of(people["staff"]), people["pending"]
    with pytest.raises(InvalidInput):
        membership.change_status(staff, session=session, member_id=pending.id, action="reject", reason="  ")
    membership.change_status(staff, session=session, member_id=pending.id, action="reject",
                             reason="Belum melengkapi profil usaha")
    session.refresh(pending)
    assert (pending.status, pending.status_reason) == ("rejected", "Belum melengkapi profil usaha")


def test_suspension_signs_the_member_out_and_blocks_sign_in(session, people):
    member = people["member"]
    # Plain values: a refused call's rollback expires the rows, and reloading them is a read.
    staff, member_id = actor_of(people["staff"]), member.id
    ticket = accounts.sign_in(None, session=session, email="member@x.example", password=PASSWORD, client_address="1")
    token = open_session_for(session, ticket)
    membership.change_status(staff, session=session, member_id=member_id, action="suspend",
                             reason="Spam di forum")
    assert sign_in_sessions.actor_for_token(session=session, token=token) is None
    with pytest.raises(NotAllowed):
        accounts.sign_in(None, session=session, email="member@x.example", password=PASSWORD, client_address="1")
    end_read(session)
    membership.change_status(staff, session=session, member_id=member_id, action="reactivate")
    session.refresh(member)
    assert member.status == "active"


def test_a_member_cannot_approve_anyone(session, people):
    with pytest.raises(NotAllowed):
        membership.change_status(actor_of(people["member"]), session=session, member_id=people["pending"].id,
                                 action="approve")
    with pytest.raises(NotAllowed):
        membership.change_status(None, session=session, member_id=people["pending"].id, action="approve")
    session.refresh(people["pending"])
    assert people["pending"].status == "pending" and session.exec(select(AuditEntry)).all() == []


def test_staff_trying_an_admin_only_action_is_refused(session, people):
    with pytest.raises(NotAllowed) as error:
        membership.change_role(actor_of(people["staff"]), session=session, member_id=people["member"].id, role="admin")
    assert error.value.key == "error.admin_only"
    with pytest.raises(NotAllowed):
        membership.change_status(actor_of(people["staff"]), session=session, member_id=people["admin"].id,
                                 action="suspend", reason="x")
    session.refresh(people["member"])
    assert people["member"].role == "member"


def test_admin_changes_a_role(session, people):
    membership.change_role(actor_of(people["admin"]), session=session, member_id=people["member"].id, role="staff")
    session.refresh(people["member"])
    assert people["member"].role == "staff"
    assert session.exec(select(AuditEntry)).one().detail == "member -> staff"


@pytest.mark.parametrize(("member_key", "action", "error_type"), [
    ("member", "approve", Conflict),
    ("pending", "reactivate", Conflict),
    ("staff", "suspend", NotAllowed),  # own account
    ("pending", "promote", InvalidInput),
])
def test_impossible_transitions_change_nothing(session, people, member_key, action, error_type):
    target = people[member_key]
    with pytest.raises(error_type):
        membership.change_status(actor_of(people["staff"]), session=session, member_id=target.id, action=action,
                                 reason="r")
    session.refresh(target)
    assert target.status == ("pending" if member_key == "pending" else "active")


@pytest.mark.parametrize("member_id", [999_999, "abc", None, -3, [1], {"id": 1}])
def test_unknown_or_malformed_member_ids(session, people, member_id):
    with pytest.raises((NotFound, InvalidInput)):
        membership.change_status(actor_of(people["staff"]), session=session, member_id=member_id, action="approve")


def test_approval_needs_a_verified_email(session, people):
    unverified = make_user(session, "new@x.example", status="pending", verified=False)
    with pytest.raises(Conflict):
        membership.change_status(actor_of(people["staff"]), session=session, member_id=unverified.id, action="approve")


def test_list_search_filter_and_keyset_pages(session, people):
    for number in range(45):
        make_user(session, f"m{number}@x.example", name=f"Anggota {number:02d}", status="pending")
    staff = actor_of(people["staff"])
    first = membership.list_members(staff, session=session, status="pending")
    assert len(first.rows) == 20 and first.next_after_id
    second = membership.list_members(staff, session=session, status="pending", after_id=first.next_after_id)
    third = membership.list_members(staff, session=session, status="pending", after_id=second.next_after_id)
    names = [row.name for page in (first, second, third) for row in page.rows]
    assert len(names) == len(set(names)) == 46 and third.next_after_id == 0
    found = membership.list_members(staff, session=session, query="anggota 07")
    assert [row.name for row in found.rows] == ["Anggota 07"]
    assert [row.email for row in membership.list_members(staff, session=session, role="admin").rows] == \
        ["admin@x.example"]
    with pytest.raises(NotAllowed):
        membership.list_members(actor_of(people["member"]), session=session)
    assert session.exec(select(User)).all()
