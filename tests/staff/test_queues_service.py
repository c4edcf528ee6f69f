"""Bulk decisions (membership.decide_many, booking_admin.decide_many), the paged booking approval
queue and the booking desk's week, on SQLite and PostgreSQL. "Now" for the queue and the week is
Wednesday 25 November 2026, 10.30 WIB."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlmodel import select

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.queues import BULK_LIMIT, id_list, step, week_days
from hub_app.models import AuditEntry, Booking, Notification, User
from hub_app.services import booking_admin, membership
from tests.accounts.factories import actor_of, make_user
from tests.staff.helpers import booking, desk_area, wib
from tests.transactions import end_read

TODAY = date(2026, 11, 25)
NOW = wib(TODAY, 10, 30)
MONDAY = date(2026, 11, 23)


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@hub.example", name="Sari Staf", role="staff"))


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(booking_admin, "utcnow", lambda: NOW)


def statuses(session, ids) -> dict[int, str]:
    end_read(session)
    return {user.id: user.status for user in session.exec(select(User).where(User.id.in_(ids))).all()}


# -- pure rules ------------------------------------------------------------------------------------------

def test_ids_of_a_bulk_decision_are_validated():
    assert id_list(["3", 1, "3", 2], field_name="ids") == [3, 1, 2]
    for junk in ([], "1,2", None, {"1": 1}, [True], [0], [-1], ["x"], [1.5], ["1" * 13], [[1]], [2**63]):
        with pytest.raises(InvalidInput):
            id_list(junk, field_name="ids")
    with pytest.raises(InvalidInput) as refused:
        id_list(list(range(1, BULK_LIMIT + 2)), field_name="ids")
    assert refused.value.key == "queues.error.too_many"
    assert len(id_list(list(range(1, BULK_LIMIT + 1)), field_name="ids")) == BULK_LIMIT


def test_weeks_run_monday_to_sunday_and_the_buttons_step_a_day_or_a_week():
    assert week_days(TODAY) == [MONDAY + timedelta(days=n) for n in range(7)]
    assert week_days(date(2026, 11, 29))[0] == MONDAY and week_days(date(2026, 11, 30))[0] == date(2026, 11, 30)
    assert step(TODAY, "day", -1) == date(2026, 11, 24) and step(TODAY, "week", 1) == date(2026, 12, 2)


# -- members ---------------------------------------------------------------------------------------------

def test_bulk_approval_decides_each_member_and_says_why_some_could_not_be(session, staff):
    ani = make_user(session, "ani@umkm.example", name="Ani", status="pending")
    budi = make_user(session, "budi@umkm.example", name="Budi", status="pending", verified=False)
    cici = make_user(session, "cici@umkm.example", name="Cici", status="pending")
    active = make_user(session, "aktif@umkm.example", name="Dedi Aktif")  # decided already
    colleague = make_user(session, "rekan@hub.example", name="Rekan Staf", role="staff", status="pending")
    end_read(session)

    outcome = membership.decide_many(staff, session=session, action="approve", reason="Selamat datang",
                                     member_ids=[ani.id, str(budi.id), cici.id, active.id, colleague.id,
                                                 999999, staff.user_id, ani.id])
    assert outcome.done == 2
    assert [(r.id, r.name, r.reason, r.waits_for_email) for r in outcome.refused] == [
        (budi.id, "Budi", "Anggota ini belum memverifikasi emailnya.", True),
        (active.id, "Dedi Aktif", "Perubahan status ini tidak berlaku untuk anggota tersebut.", False),
        (colleague.id, "Rekan Staf", "Anda tidak diizinkan melakukan ini.", False),
        (999999, "#999999", "Tidak ditemukan.", False),
        (staff.user_id, "Sari Staf", "Anda tidak dapat melakukan ini pada akun sendiri.", False)]
    assert statuses(session, [ani.id, budi.id, cici.id, active.id, colleague.id]) == {
        ani.id: "active", budi.id: "pending", cici.id: "active", active.id: "active", colleague.id: "pending"}
    entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.action, e.target_id, e.detail) for e in entries] == [
        (staff.user_id, "member.approve", ani.id, "Selamat datang"),
        (staff.user_id, "member.approve", cici.id, "Selamat datang")]
    notified = session.exec(select(Notification.user_id, Notification.kind)).all()
    assert sorted(notified) == sorted([(ani.id, "membership.approve"), (cici.id, "membership.approve")])


def test_bulk_decline_needs_the_one_reason_and_reads_it_to_everyone(session, staff):
    ani = make_user(session, "ani@umkm.example", name="Ani", status="pending")
    budi = make_user(session, "budi@umkm.example", name="Budi", status="pending", verified=False)
    end_read(session)
    with pytest.raises(InvalidInput):
        membership.decide_many(staff, session=session, member_ids=[ani.id, budi.id], action="reject", reason=" ")
    english = replace(staff, locale="en")
    outcome = membership.decide_many(english, session=session, member_ids=[ani.id, budi.id], action="reject",
                                     reason="Bukan usaha digital")
    assert (outcome.done, outcome.refused) == (2, [])  # declining needs no verified email
    assert statuses(session, [ani.id, budi.id]) == {ani.id: "rejected", budi.id: "rejected"}
    again = membership.decide_many(english, session=session, member_ids=[ani.id], action="reject", reason="x")
    assert [(r.name, r.reason) for r in again.refused] == [("Ani", "That status change does not apply to this member.")]


def test_bulk_decisions_refuse_members_visitors_and_junk(session, staff):
    pending = make_user(session, "ani@umkm.example", name="Ani", status="pending")
    member = actor_of(make_user(session, "aktif@umkm.example"))
    end_read(session)
    for actor in (None, member):
        with pytest.raises(NotAllowed):
            membership.decide_many(actor, session=session, member_ids=[pending.id], action="approve")
    for ids, action in (([pending.id], "suspend"), ([pending.id], "role"), ([], "approve"),
                        (list(range(1, 102)), "approve"), (["1; drop"], "approve"), (pending.id, "approve")):
        with pytest.raises(InvalidInput):
            membership.decide_many(staff, session=session, member_ids=ids, action=action, reason="x")
    assert statuses(session, [pending.id]) == {pending.id: "pending"}


# -- bookings --------------------------------------------------------------------------------------------

def test_bulk_booking_decisions_report_decided_and_unknown_ones(session, staff, frozen):
    rina = make_user(session, "rina@umkm.example", name="Rina")
    space = desk_area(session)
    first = booking(session, space, rina.id, wib(TODAY, 13), status="pending")
    second = booking(session, space, rina.id, wib(TODAY + timedelta(days=1), 9), status="pending")
    confirmed = booking(session, space, rina.id, wib(TODAY, 15))
    end_read(session)
    with pytest.raises(InvalidInput):  # declining needs a reason
        booking_admin.decide_many(staff, session=session, booking_ids=[first.id], approve=False, reason="")
    outcome = booking_admin.decide_many(staff, session=session, booking_ids=[first.id, confirmed.id, 424242],
                                        approve="0", reason="Ruang dipakai acara kota")
    assert outcome.done == 1
    assert [(r.id, r.name, r.reason) for r in outcome.refused] == [
        (confirmed.id, "Area Kerja Bersama · 25 Nov 2026, 15.00 WIB", "Pemesanan ini tidak menunggu persetujuan."),
        (424242, "#424242", "Pemesanan tidak ditemukan.")]
    outcome = booking_admin.decide_many(staff, session=session, booking_ids=[second.id], approve="1")
    assert (outcome.done, outcome.refused) == (1, [])
    end_read(session)
    found = {b.id: (b.status, b.decision_reason) for b in session.exec(select(Booking)).all()}
    assert found[first.id] == ("declined", "Ruang dipakai acara kota") and found[second.id] == ("confirmed", "")
    member = actor_of(rina)
    with pytest.raises(NotAllowed):
        booking_admin.decide_many(member, session=session, booking_ids=[second.id], approve="1")


def test_the_approval_queue_is_counted_and_paged_soonest_first(session, staff, frozen, monkeypatch):
    rina = make_user(session, "rina@umkm.example", name="Rina")
    space = desk_area(session)
    same_start = wib(TODAY, 14)
    waiting = [booking(session, space, rina.id, same_start, status="pending") for _ in range(3)]
    waiting += [booking(session, space, rina.id, wib(TODAY + timedelta(days=d), 9), status="pending")
                for d in (3, 1, 2)]
    booking(session, space, rina.id, wib(TODAY, 9), status="pending")  # ended at 10.00: not waiting
    booking(session, space, rina.id, wib(TODAY, 16))  # confirmed
    monkeypatch.setattr(booking_admin, "QUEUE_PAGE", 2)
    expected = [waiting[0].id, waiting[1].id, waiting[2].id, waiting[4].id, waiting[5].id, waiting[3].id]
    seen, after = [], 0
    for _ in range(3):
        page = booking_admin.approval_page(staff, session=session, after_id=after)
        assert page.total == 6 and len(page.rows) == 2
        seen += [row.id for row in page.rows]
        after = page.next_after_id
    assert seen == expected and after == 0
    assert [row.id for row in booking_admin.approval_queue(staff, session=session)] == expected[:2]
    for junk in ("-1", "abc", [1], 2**63):
        with pytest.raises(InvalidInput):
            booking_admin.approval_page(staff, session=session, after_id=junk)


def test_the_week_counts_bookings_per_space_and_local_day(session, staff, frozen):
    rina = make_user(session, "rina@umkm.example", name="Rina")
    desks = desk_area(session)
    room = desk_area(session, "Ruang Rapat Monas")
    booking(session, desks, rina.id, wib(MONDAY, 0, 0))  # the week's first minute
    booking(session, desks, rina.id, wib(MONDAY, 23, 30))
    booking(session, desks, rina.id, wib(TODAY, 9), status="pending")
    booking(session, desks, rina.id, wib(TODAY, 10), status="released")  # a no-show held the seat
    booking(session, desks, rina.id, wib(TODAY, 11), status="cancelled")
    booking(session, desks, rina.id, wib(TODAY, 12), status="declined")
    booking(session, room, None, wib(date(2026, 11, 29), 23, 59), kind="block")  # Sunday's last minute
    booking(session, room, rina.id, wib(MONDAY - timedelta(days=1), 23, 59))  # the week before
    booking(session, room, rina.id, wib(MONDAY + timedelta(days=7), 0, 0))  # the week after

    week = booking_admin.week_counts(staff, session=session, day="2026-11-29")
    assert week.title == "23 Nov – 29 Nov 2026"
    assert [(d.date, d.label, d.total) for d in week.days][:3] == [
        ("2026-11-23", "Sen 23 Nov", 2), ("2026-11-24", "Sel 24 Nov", 0), ("2026-11-25", "Rab 25 Nov", 2)]
    assert [(s.name, s.counts, s.bars) for s in week.spaces] == [
        ("Area Kerja Bersama", [2, 0, 2, 0, 0, 0, 0], [100, 0, 100, 0, 0, 0, 0]),
        ("Ruang Rapat Monas", [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 50])]
    english = booking_admin.week_counts(replace(staff, locale="en"), session=session)  # today's week
    assert english.days[0].label == "Mon 23 Nov" and english.days[6].total == 1
    with pytest.raises(InvalidInput):
        booking_admin.week_counts(staff, session=session, day="2026-13-01")
    with pytest.raises(NotAllowed):
        booking_admin.week_counts(actor_of(rina), session=session)
