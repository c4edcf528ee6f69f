"""Staff pages: /admin/members (list, search, pages, approve/reject/suspend/reactivate, roles) and
/admin/audit. Members and visitors can call every handler too; they must get nothing done and see
no member data. Staff cannot change roles or act on staff; nobody acts on themselves."""

import pytest
from sqlmodel import Session, col, select

from hub_app.i18n import translate
from hub_app.models import AuditEntry, Notification
from hub_app.pages.admin_audit import AdminAuditState
from hub_app.pages.admin_members import AdminMembersState
from tests.handlers.handler_harness import (
    MEGABYTE_TEXT,
    count_rows,
    covers,
    db_fingerprint,
    junk_forms,
    user_row,
)

NOT_STAFF = ["visitor", "pending", "active"]
STAFF = ["staff", "admin"]
WATCHED = ["users", "audit_entries", "notifications", "user_sessions"]


def status_form(member, action, reason=""):
    # As the page's hidden inputs send them: strings.
    return {"member_id": str(member.id), "action": action, "reason": reason}


def audit_actions(engine) -> list[tuple]:
    with Session(engine) as session:
        return [(row.actor_id, row.action, row.target_id) for row in
                session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()]


def notification_kinds(engine, person) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Notification.kind).where(Notification.user_id == person.id)
                                 .order_by(col(Notification.id))).all())


# -- AdminMembersState: who may look ------------------------------------------------------------


@covers(AdminMembersState.load)
def test_members_page_sends_visitors_to_sign_in(hub, people):
    tab = hub.browser()
    assert tab.load("/admin/members").ok().navigations == ["/login?next=/admin/members"]
    assert tab.state(AdminMembersState).rows == []


@covers(AdminMembersState.load, AdminMembersState.search, AdminMembersState.next_page,
        AdminMembersState.first_page)
@pytest.mark.parametrize("role", ["pending", "active", "suspended_session", "rejected"])
def test_members_list_is_refused_to_members(role, hub, people):
    person = people.rejected if role == "rejected" else people.suspended if role == "suspended_session" \
        else people.by_role()[role]
    tab = hub.browser(person)
    outcome = tab.load("/admin/members").ok()
    state = tab.state(AdminMembersState)
    if person is people.suspended:  # a suspended member's session no longer counts: a visitor
        assert outcome.navigations == ["/login?next=/admin/members"]
    else:
        assert not state.allowed and state.error
    assert state.rows == []
    for call in [lambda: tab.call(AdminMembersState.search, {"query": "a", "status": "pending"}),
                 lambda: tab.call(AdminMembersState.next_page), lambda: tab.call(AdminMembersState.first_page)]:
        outcome = call().ok()
        assert tab.state(AdminMembersState).rows == []
        assert people.other.email not in outcome.delta_text()


@covers(AdminMembersState.load)
@pytest.mark.parametrize("role", STAFF)
def test_staff_see_the_members(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/members", status="pending").ok()
    assert [row.email for row in tab.state(AdminMembersState).rows] == [people.pending.email]
    tab.load("/admin/members", status=MEGABYTE_TEXT[:3000]).ok()
    assert len(tab.state(AdminMembersState).rows) == 7


@covers(AdminMembersState.search)
@pytest.mark.parametrize("role", STAFF)
def test_search_and_filters(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/members")
    tab.call(AdminMembersState.search, {"query": "AKTIF", "status": "", "role": ""}).ok()
    assert [row.email for row in tab.state(AdminMembersState).rows] == [people.active.email]
    tab.call(AdminMembersState.search, {"query": "", "status": "", "role": "staff"}).ok()
    assert [row.email for row in tab.state(AdminMembersState).rows] == [people.staff.email]
    tab.call(AdminMembersState.search, {"query": "%", "status": "", "role": ""}).ok()
    assert len(tab.state(AdminMembersState).rows) == 7  # "%" and "_" are not wildcards
    for form in junk_forms(query="a", status="active", role="member"):
        tab.call(AdminMembersState.search, form).ok()
        assert tab.state(AdminMembersState).allowed


@covers(AdminMembersState.next_page, AdminMembersState.first_page)
def test_pages_of_members(hub, people):
    for number in range(20):
        people.add(email=f"m{number:02d}@test.example", name=f"Anggota {number:02d}", status="pending",
                   signed_in=False)
    tab = hub.browser(people.staff)
    tab.load("/admin/members")
    first = [row.id for row in tab.state(AdminMembersState).rows]
    assert len(first) == 20 and tab.state(AdminMembersState).next_after_id
    tab.call(AdminMembersState.next_page).ok()
    second = [row.id for row in tab.state(AdminMembersState).rows]
    assert len(second) == 7 and not set(first) & set(second)
    assert tab.state(AdminMembersState).next_after_id == 0
    tab.send(AdminMembersState.next_page, {"after_id": -1}).not_crashed()
    tab.call(AdminMembersState.first_page).ok()
    assert [row.id for row in tab.state(AdminMembersState).rows] == first


# -- AdminMembersState.change_status -----------------------------------------------------------


@covers(AdminMembersState.change_status)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_members_cannot_approve_suspend_or_reactivate(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/members")
    before = db_fingerprint(people.engine, WATCHED)
    for target, action in [(people.pending, "approve"), (people.active, "suspend"), (people.other, "suspend"),
                           (people.suspended, "reactivate"), (people.pending, "reject")]:
        tab.call(AdminMembersState.change_status, status_form(target, action, "karena")).ok()
        assert tab.state(AdminMembersState).error
    # A pending member approving themselves.
    tab.call(AdminMembersState.change_status, status_form(people.pending, "approve")).ok()
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(AdminMembersState.change_status)
@pytest.mark.parametrize("role", STAFF)
def test_staff_approve_a_verified_pending_member_who_is_notified(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/members")
    tab.call(AdminMembersState.change_status, status_form(people.pending, "approve")).ok()
    assert tab.state(AdminMembersState).info == translate("admin.done", "id")
    assert user_row(people.engine, people.pending.email).status == "active"
    assert audit_actions(people.engine) == [(people.by_role()[role].id, "member.approve", people.pending.id)]
    assert notification_kinds(people.engine, people.pending) == ["membership.approve"]
    assert count_rows(people.engine, "email_outbox") == 1
    # Applying it twice is a conflict, not a second entry.
    tab.call(AdminMembersState.change_status, status_form(people.pending, "approve")).ok()
    assert tab.state(AdminMembersState).error == translate("error.status_transition", "id")
    assert len(audit_actions(people.engine)) == 1


@covers(AdminMembersState.change_status)
def test_staff_cannot_approve_an_unverified_member(hub, people):
    unverified = people.add(email="unverified@test.example", name="Belum Verif", status="pending",
                            verified=False, signed_in=False)
    tab = hub.browser(people.staff)
    tab.load("/admin/members")
    tab.call(AdminMembersState.change_status, status_form(unverified, "approve")).ok()
    assert tab.state(AdminMembersState).error == translate("error.member_unverified", "id")
    assert user_row(people.engine, unverified.email).status == "pending"


@covers(AdminMembersState.change_status)
def test_suspending_needs_a_reason_and_ends_the_members_sessions(hub, people):
    tab = hub.browser(people.staff)
    tab.load("/admin/members")
    tab.call(AdminMembersState.change_status, status_form(people.active, "suspend", "")).ok()
    assert tab.state(AdminMembersState).error
    assert user_row(people.engine, people.active.email).status == "active"
    tab.call(AdminMembersState.change_status, status_form(people.active, "suspend", "Tidak sopan")).ok()
    member = user_row(people.engine, people.active.email)
    assert (member.status, member.status_reason) == ("suspended", "Tidak sopan")
    suspended_tab = hub.browser(people.active)
    suspended_tab.load("/")
    assert not suspended_tab.state(AdminMembersState).signed_in
    tab.call(AdminMembersState.change_status, status_form(people.active, "reactivate")).ok()
    assert user_row(people.engine, people.active.email).status == "active"
    assert [action for _, action, _ in audit_actions(people.engine)] == ["member.suspend", "member.reactivate"]


@covers(AdminMembersState.change_status)
def test_staff_cannot_act_on_staff_admins_or_themselves(hub, people):
    tab = hub.browser(people.staff)
    tab.load("/admin/members")
    before = db_fingerprint(people.engine, WATCHED)
    tab.call(AdminMembersState.change_status, status_form(people.admin, "suspend", "kudeta")).ok()
    assert tab.state(AdminMembersState).error
    tab.call(AdminMembersState.change_status, status_form(people.staff, "suspend", "diri")).ok()
    assert tab.state(AdminMembersState).error == translate("error.not_on_self", "id")
    second_staff = people.add(email="staff2@test.example", name="Staf Dua", role="staff")
    tab.call(AdminMembersState.change_status, status_form(second_staff, "suspend", "x")).ok()
    assert user_row(people.engine, second_staff.email).status == "active"
    after = db_fingerprint(people.engine, WATCHED)
    assert after["audit_entries"] == before["audit_entries"] == []
    # An admin may suspend staff.
    admin = hub.browser(people.admin)
    admin.load("/admin/members")
    admin.call(AdminMembersState.change_status, status_form(people.staff, "suspend", "cuti")).ok()
    assert user_row(people.engine, people.staff.email).status == "suspended"


@covers(AdminMembersState.change_status)
def test_change_status_with_junk_does_nothing(hub, people):
    tab = hub.browser(people.admin)
    tab.load("/admin/members")
    before = db_fingerprint(people.engine, WATCHED)
    for form in junk_forms(member_id=str(people.pending.id), action="reject", reason="x"):
        if form == {"member_id": str(people.pending.id), "action": "reject", "reason": "x"}:
            continue
        if form.get("member_id") == str(people.pending.id) and form.get("action") == "reject" \
                and isinstance(form.get("reason"), str) and 0 < len(form["reason"].strip()) <= 500:
            continue  # a valid request after all (e.g. reason "<script>…" is just text)
        tab.call(AdminMembersState.change_status, form).ok()
    for member_id in [0, -1, 999_999, "1e3", "  ", str(2**63)]:
        tab.call(AdminMembersState.change_status, {"member_id": member_id, "action": "approve", "reason": ""}).ok()
        assert tab.state(AdminMembersState).error
    tab.call(AdminMembersState.change_status, status_form(people.pending, "delete")).ok()
    tab.call(AdminMembersState.change_status, status_form(people.pending, "reject", MEGABYTE_TEXT)).ok()
    assert db_fingerprint(people.engine, WATCHED) == before


# -- AdminMembersState.change_role --------------------------------------------------------------


@covers(AdminMembersState.change_role)
@pytest.mark.parametrize("role", NOT_STAFF + ["staff"])
def test_only_admins_change_roles(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/members")
    before = db_fingerprint(people.engine, WATCHED)
    for target in [people.active, people.by_role()[role] or people.other, people.admin]:
        tab.call(AdminMembersState.change_role, {"member_id": str(target.id), "role": "admin"}).ok()
        assert tab.state(AdminMembersState).error
    if role == "staff":
        assert tab.state(AdminMembersState).error == translate("error.admin_only", "id")
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(AdminMembersState.change_role)
def test_admin_changes_a_role_with_audit_and_notification(hub, people):
    tab = hub.browser(people.admin)
    tab.load("/admin/members")
    tab.call(AdminMembersState.change_role, {"member_id": str(people.active.id), "role": "staff"}).ok()
    assert tab.state(AdminMembersState).info
    assert user_row(people.engine, people.active.email).role == "staff"
    assert audit_actions(people.engine) == [(people.admin.id, "member.role", people.active.id)]
    assert notification_kinds(people.engine, people.active) == ["membership.role"]
    # Not on themselves (an admin cannot lock the hub out of its last admin by accident).
    tab.call(AdminMembersState.change_role, {"member_id": str(people.admin.id), "role": "member"}).ok()
    assert tab.state(AdminMembersState).error == translate("error.not_on_self", "id")
    assert user_row(people.engine, people.admin.email).role == "admin"


@covers(AdminMembersState.change_role)
def test_change_role_with_junk_does_nothing(hub, people):
    tab = hub.browser(people.admin)
    tab.load("/admin/members")
    before = db_fingerprint(people.engine, WATCHED)
    for form in junk_forms(member_id=str(people.active.id), role="superuser"):
        tab.call(AdminMembersState.change_role, form).ok()
    for role in ["superuser", "ADMIN", "admin ", ["admin"], {"admin": True}, None, MEGABYTE_TEXT]:
        tab.call(AdminMembersState.change_role, {"member_id": str(people.active.id), "role": role}).ok()
        assert tab.state(AdminMembersState).error
    assert db_fingerprint(people.engine, WATCHED) == before


# -- AdminAuditState --------------------------------------------------------------------------


def add_audit_entries(engine, actor, count: int) -> None:
    with Session(engine) as session:
        for number in range(count):
            session.add(AuditEntry(actor_id=actor.id, action="member.approve", target_type="user",
                                   target_id=number + 1, detail=f"entry {number}"))
        session.commit()


@covers(AdminAuditState.load, AdminAuditState.older)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_audit_log_is_refused_to_members_and_visitors(role, hub, people):
    add_audit_entries(people.engine, people.staff, 3)
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load("/admin/audit").ok()
    if role == "visitor":
        assert outcome.navigations == ["/login?next=/admin/audit"]
    else:
        assert tab.state(AdminAuditState).error
    assert tab.state(AdminAuditState).entries == []
    outcome = tab.call(AdminAuditState.older).ok()
    assert tab.state(AdminAuditState).entries == []
    assert "entry 1" not in outcome.delta_text()


@covers(AdminAuditState.load, AdminAuditState.older)
@pytest.mark.parametrize("role", STAFF)
def test_staff_read_the_audit_log_page_by_page(role, hub, people):
    add_audit_entries(people.engine, people.staff, 55)
    tab = hub.browser(people.by_role()[role])
    tab.load("/admin/audit").ok()
    entries = tab.state(AdminAuditState).entries
    assert len(entries) == 50 and entries[0].detail == "entry 54" and entries[0].actor == people.staff.name
    tab.call(AdminAuditState.older).ok()
    assert [entry.detail for entry in tab.state(AdminAuditState).entries] == [f"entry {n}" for n in range(4, -1, -1)]
    assert tab.state(AdminAuditState).before_id == 0
    tab.send(AdminAuditState.older, {"before_id": -5}).not_crashed()
