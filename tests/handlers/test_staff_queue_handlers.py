"""The staff's queues, called as every kind of actor: bulk decisions on /admin/members and
/admin/bookings, the booking desk's day/week navigation and paged queue, and the audit log's
filters. Visitors and members change nothing and see nothing; staff decide through the
single-item rules, and what could not be decided is reported by name."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from hub_app.models import AuditEntry, Booking, User
from hub_app.models.base import utcnow
from hub_app.pages.admin_audit import AdminAuditState
from hub_app.pages.admin_bookings import AdminBookingsState
from hub_app.pages.admin_members import AdminMembersState
from hub_app.services import booking_admin, spaces
from tests.handlers.handler_harness import call_with_junk, covers, db_fingerprint
from tests.staff.helpers import booking, desk_area

WATCHED = ["users", "bookings", "audit_entries", "notifications", "email_outbox"]
NEW_HANDLERS = {
    AdminMembersState: ["decide_chosen"],
    AdminBookingsState: ["decide_chosen", "step", "today", "set_view", "open_day", "queue_page"],
    AdminAuditState: ["apply_filters", "clear_filters", "newest"],
}


def pending_bookings(people, member, count: int) -> list[int]:
    with Session(people.engine, expire_on_commit=False) as session:
        space = desk_area(session)
        start = utcnow() + timedelta(days=1)
        return [booking(session, space, member.id, start + timedelta(hours=n), status="pending").id
                for n in range(count)]


def statuses(people, table, ids) -> dict[int, str]:
    with Session(people.engine) as session:
        return {row.id: row.status for row in session.exec(select(table).where(table.id.in_(ids))).all()}


@covers(AdminMembersState.decide_chosen, AdminBookingsState.decide_chosen, AdminBookingsState.step,
        AdminBookingsState.today, AdminBookingsState.set_view, AdminBookingsState.open_day,
        AdminBookingsState.queue_page, AdminAuditState.apply_filters, AdminAuditState.clear_filters,
        AdminAuditState.newest)
@pytest.mark.parametrize("role", ["visitor", "pending", "active", "suspended"])
def test_visitors_and_members_decide_nothing_and_read_nothing(role, hub, people):
    booking_ids = pending_bookings(people, people.other, 2)
    with Session(people.engine) as session:
        session.add(AuditEntry(actor_id=people.staff.id, action="member.approve", target_type="user",
                               target_id=people.other.id, detail="rahasia audit"))
        session.commit()
    before = db_fingerprint(people.engine, WATCHED)
    tab = hub.browser(getattr(people, role))
    tab.load("/admin/members")
    outcome = tab.call(AdminMembersState.decide_chosen, {f"pick-{people.pending.id}": "on", "decision": "approve",
                                                         "reason": ""})
    assert "Putri Pending" not in outcome.delta_text()
    tab.load("/admin/bookings")
    texts = []
    for handler, args in [(AdminBookingsState.decide_chosen, ({f"pick-{i}": "on" for i in booking_ids}
                                                              | {"decision": "approve"},)),
                          (AdminBookingsState.step, (1,)), (AdminBookingsState.today, ()),
                          (AdminBookingsState.set_view, ("week",)), (AdminBookingsState.open_day, ("2026-11-25",)),
                          (AdminBookingsState.queue_page, (0,))]:
        texts.append(tab.call(handler, *args).ok().delta_text())
    state = tab.state(AdminBookingsState)
    assert state.queue == [] and state.week_spaces == [] and state.rows == []
    tab.load("/admin/audit")
    for handler, args in [(AdminAuditState.apply_filters, ({"member": "other@test.example"},)),
                          (AdminAuditState.clear_filters, ()), (AdminAuditState.newest, ())]:
        texts.append(tab.call(handler, *args).ok().delta_text())
    assert tab.state(AdminAuditState).entries == [] and tab.state(AdminAuditState).staff_options == []
    assert not any("Lain Orang" in text or "rahasia audit" in text for text in texts)
    assert db_fingerprint(people.engine, WATCHED) == before


@covers(AdminMembersState.decide_chosen)
@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_approve_the_ticked_members_and_hear_who_could_not_be(role, hub, people):
    second = people.add(email="kedua@test.example", name="Kedua Pending", status="pending", signed_in=False)
    unverified = people.add(email="belum@test.example", name="Belum Verifikasi", status="pending", verified=False,
                            signed_in=False)
    colleague = people.add(email="rekan@test.example", name="Rekan Staf", role="staff", status="pending",
                           signed_in=False)
    actor = getattr(people, role)
    tab = hub.browser(actor)
    tab.load("/admin/members", status="pending")
    state = tab.state(AdminMembersState)
    assert state.has_pending and {row.id for row in state.rows} >= {people.pending.id, second.id, unverified.id}
    ticked = [people.pending.id, second.id, unverified.id, colleague.id, people.active.id, actor.id, 999999]
    tab.call(AdminMembersState.decide_chosen, {f"pick-{i}": "on" for i in ticked}
             | {"decision": "approve", "reason": "Selamat bergabung"}).ok()
    state = tab.state(AdminMembersState)
    assert state.info == ("3 disetujui." if role == "admin" else "2 disetujui.")
    refused = {row.id: row for row in state.refused}
    assert refused[unverified.id].waits_for_email and refused[unverified.id].name == "Belum Verifikasi"
    # A staff account is an admin's to decide; the actor's own account and the unknown id nobody's.
    assert set(refused) == {unverified.id, people.active.id, actor.id, 999999} | (
        set() if role == "admin" else {colleague.id})
    assert statuses(people, User, [people.pending.id, second.id, unverified.id]) == {
        people.pending.id: "active", second.id: "active", unverified.id: "pending"}
    assert [row.id for row in state.rows] == ([] if role == "admin" else [colleague.id]) + [unverified.id]
    # The unverified member's link again, from the summary.
    tab.call(AdminMembersState.resend, str(unverified.id)).ok()
    assert tab.state(AdminMembersState).info == "Email verifikasi dikirim ulang."


@covers(AdminMembersState.decide_chosen)
def test_a_bulk_decline_needs_a_reason_and_a_choice(hub, people):
    tab = hub.browser(people.staff)
    tab.load("/admin/members")
    before = db_fingerprint(people.engine, WATCHED)
    tab.call(AdminMembersState.decide_chosen, {f"pick-{people.pending.id}": "on", "decision": "reject",
                                               "reason": ""}).ok()
    assert tab.state(AdminMembersState).error == "Alasan: Isian ini wajib diisi."
    tab.call(AdminMembersState.decide_chosen, {"decision": "approve", "reason": "x"}).ok()
    assert tab.state(AdminMembersState).error == "Anggota yang dipilih: Belum ada yang dipilih."
    too_many = {f"pick-{n}": "on" for n in range(1, 103)}
    tab.call(AdminMembersState.decide_chosen, too_many | {"decision": "approve"}).ok()
    assert "Paling banyak 100" in tab.state(AdminMembersState).error
    assert db_fingerprint(people.engine, WATCHED) == before
    tab.call(AdminMembersState.decide_chosen, {f"pick-{people.pending.id}": "on", "pick-x": "on",
                                               "decision": "reject", "reason": "Bukan UMKM"}).ok()
    assert statuses(people, User, [people.pending.id]) == {people.pending.id: "pending"}  # "x" refused all
    tab.call(AdminMembersState.decide_chosen, {f"pick-{people.pending.id}": "on", "decision": "reject",
                                               "reason": "Bukan UMKM"}).ok()
    assert tab.state(AdminMembersState).info == "1 ditolak."
    assert statuses(people, User, [people.pending.id]) == {people.pending.id: "rejected"}


@covers(AdminBookingsState.decide_chosen, AdminBookingsState.queue_page)
def test_staff_page_through_the_queue_and_decide_many_bookings(hub, people, monkeypatch):
    monkeypatch.setattr(booking_admin, "QUEUE_PAGE", 2)
    ids = pending_bookings(people, people.other, 5)
    tab = hub.browser(people.staff)
    tab.load("/admin/bookings")
    state = tab.state(AdminBookingsState)
    assert [row.id for row in state.queue] == ids[:2] and state.queue_total == 5 and state.queue_next == ids[1]
    tab.call(AdminBookingsState.queue_page, ids[1]).ok()
    assert [row.id for row in tab.state(AdminBookingsState).queue] == ids[2:4]
    tab.call(AdminBookingsState.queue_page, 12345).ok()  # not the next page's start: ignored
    assert [row.id for row in tab.state(AdminBookingsState).queue] == ids[2:4]
    tab.call(AdminBookingsState.decide_chosen, {f"pick-{ids[2]}": "on", f"pick-{ids[3]}": "on", "pick-777777": "on",
                                                "decision": "decline", "reason": "Aula dipakai pemda"}).ok()
    state = tab.state(AdminBookingsState)
    assert state.info == "2 ditolak." and [row.id for row in state.refused] == [777777]
    assert state.queue_total == 3
    assert statuses(people, Booking, ids) == dict(zip(ids, ["pending", "pending", "declined", "declined",
                                                            "pending"], strict=True))
    tab.call(AdminBookingsState.queue_page, 0).ok()
    tab.call(AdminBookingsState.decide_chosen, {f"pick-{ids[0]}": "on", "decision": "approve", "reason": ""}).ok()
    assert tab.state(AdminBookingsState).info == "1 disetujui."
    assert statuses(people, Booking, [ids[0]]) == {ids[0]: "confirmed"}


@covers(AdminBookingsState.load, AdminBookingsState.step, AdminBookingsState.today, AdminBookingsState.set_view,
        AdminBookingsState.open_day)
def test_the_desk_moves_by_day_and_week_and_keeps_them_in_the_address(hub, people):
    ids = pending_bookings(people, people.other, 1)
    tab = hub.browser(people.admin)
    tab.load("/admin/bookings", date="2026-11-30", view="week")
    state = tab.state(AdminBookingsState)
    assert (state.day, state.view, state.week_title) == ("2026-11-30", "week", "30 Nov – 6 Des 2026")
    assert [d.date for d in state.week_days][::6] == ["2026-11-30", "2026-12-06"]
    outcome = tab.call(AdminBookingsState.step, -1).ok()
    assert tab.state(AdminBookingsState).day == "2026-11-23"
    assert "/admin/bookings?date=2026-11-23&view=week" in " ".join(outcome.scripts)
    outcome = tab.call(AdminBookingsState.open_day, "2026-11-25").ok()
    state = tab.state(AdminBookingsState)
    assert (state.day, state.view, state.day_label) == ("2026-11-25", "day", "Rabu, 25 November 2026")
    assert "/admin/bookings?date=2026-11-25\"" in " ".join(outcome.scripts)
    tab.call(AdminBookingsState.step, 1).ok()
    assert tab.state(AdminBookingsState).day == "2026-11-26"
    tab.call(AdminBookingsState.today).ok()
    assert tab.state(AdminBookingsState).day == spaces.today_local().isoformat()
    tomorrow = (spaces.today_local() + timedelta(days=1)).isoformat()
    tab.call(AdminBookingsState.step, 1).ok()
    assert [row.id for row in tab.state(AdminBookingsState).rows] == ids
    tab.call(AdminBookingsState.set_view, "week").ok()
    week = tab.state(AdminBookingsState)
    assert week.view == "week" and tomorrow in [d.date for d in week.week_days]
    assert sum(d.total for d in week.week_days) == 1
    for junk in (["month"], ["x" * 50], [None]):
        tab.call(AdminBookingsState.set_view, *junk).ok()
    for junk in (0, 7, True, "x", None, 1.5, [1]):
        tab.call(AdminBookingsState.step, junk).ok()
        assert tab.state(AdminBookingsState).day == tomorrow, junk
    for junk in ("2026-02-30", "tomorrow", "", None, 20261125):
        tab.call(AdminBookingsState.open_day, junk).ok()
    assert (tab.state(AdminBookingsState).view, tab.state(AdminBookingsState).day) == ("week", tomorrow)
    tab.load("/admin/bookings", date="2026-99-99", view="year")
    state = tab.state(AdminBookingsState)
    assert (state.day, state.view, state.error) == (spaces.today_local().isoformat(), "day", "")


@covers(AdminAuditState.load, AdminAuditState.apply_filters, AdminAuditState.clear_filters, AdminAuditState.newest,
        AdminAuditState.older)
@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_filter_the_audit_log_and_link_it(role, hub, people):
    with Session(people.engine) as session:
        for number in range(55):
            session.add(AuditEntry(actor_id=people.admin.id, action="booking.cancel", detail=f"entry {number}"))
        session.add(AuditEntry(actor_id=people.staff.id, action="member.approve", target_type="user",
                               target_id=people.active.id))
        session.commit()
    tab = hub.browser(getattr(people, role))
    tab.load("/admin/audit", member="active@test.example")
    state = tab.state(AdminAuditState)
    assert [(e.actor, e.action_name, e.target, e.target_href) for e in state.entries] == [
        ("Siti Staf", "Anggota disetujui", "Agus Aktif", f"/admin/members/{people.active.id}")]
    assert state.csv_href == "/api/admin/audit.csv?member=active%40test.example"
    assert [o.name for o in state.staff_options] == ["Adi Admin", "Siti Staf"]
    outcome = tab.call(AdminAuditState.apply_filters, {"staff": str(people.admin.id), "action": "booking.cancel",
                                                       "from": date.today().isoformat(), "to": ""}).ok()
    state = tab.state(AdminAuditState)
    assert len(state.entries) == 50 and state.entries[0].detail == "entry 54" and state.before_id
    assert f"/admin/audit?staff={people.admin.id}&action=booking.cancel" in " ".join(outcome.scripts)
    assert state.csv_href.startswith(f"/api/admin/audit.csv?staff={people.admin.id}&action=booking.cancel&from=")
    tab.call(AdminAuditState.older).ok()
    assert len(tab.state(AdminAuditState).entries) == 5 and tab.state(AdminAuditState).page_start
    tab.call(AdminAuditState.newest).ok()
    assert tab.state(AdminAuditState).entries[0].detail == "entry 54"
    tab.call(AdminAuditState.apply_filters, {"from": "2026-11-26", "to": "2026-11-25"}).ok()
    assert tab.state(AdminAuditState).error.startswith("Sampai tanggal: ") and tab.state(AdminAuditState).entries == []
    tab.call(AdminAuditState.clear_filters).ok()
    state = tab.state(AdminAuditState)
    assert len(state.entries) == 50 and state.error == "" and state.csv_href == "/api/admin/audit.csv"


@covers(*[getattr(state, name) for state, names in NEW_HANDLERS.items() for name in names])
def test_junk_in_every_new_handler_breaks_nothing(hub, people):
    ids = pending_bookings(people, people.other, 1)
    tab = hub.browser(people.staff)
    for state, names in NEW_HANDLERS.items():
        tab.load({AdminMembersState: "/admin/members", AdminBookingsState: "/admin/bookings",
                  AdminAuditState: "/admin/audit"}[state])
        for name in names:
            call_with_junk(tab, state, name)
    assert statuses(people, Booking, ids) == {ids[0]: "pending"}
    assert statuses(people, User, [people.pending.id]) == {people.pending.id: "pending"}
