"""services/staff_home.overview on a small hand-built hub with known answers, on SQLite and
PostgreSQL. "Now" is Wednesday 25 November 2026, 10.30 WIB (03.30 UTC): the local day starts at
17.00 UTC the day before, which is where a UTC day and the hub's day part."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from hub_app.domain.errors import NotAllowed
from hub_app.services import staff_home
from tests.accounts.factories import actor_of, make_user
from tests.staff.helpers import booking, closure, desk_area, post, report, training, wib

TODAY = date(2026, 11, 25)
NOW = wib(TODAY, 10, 30)
YESTERDAY, TOMORROW = TODAY - timedelta(days=1), TODAY + timedelta(days=1)
MONDAY, NEXT_MONDAY = date(2026, 11, 23), date(2026, 11, 30)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(staff_home, "utcnow", lambda: NOW)
    assert NOW == datetime(2026, 11, 25, 3, 30, tzinfo=UTC)


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@hub.example", name="Sari Staf", role="staff"))


def test_visitors_members_and_suspended_staff_are_refused(session, frozen):
    pending = make_user(session, "baru@umkm.example", status="pending")
    active = make_user(session, "aktif@umkm.example")
    suspended_staff = make_user(session, "lama@hub.example", role="staff", status="suspended")
    for actor in (None, actor_of(pending), actor_of(active), actor_of(suspended_staff)):
        with pytest.raises(NotAllowed):
            staff_home.overview(actor, session=session)


def test_an_empty_hub_has_nothing_waiting(session, frozen, staff):
    home = staff_home.overview(staff, session=session)
    assert (home.bookings_today, home.checked_in_today, home.no_shows_today, home.hours) == (0, 0, 0, [])
    assert (home.members_waiting, home.bookings_waiting, home.trainings_this_week, home.reports_waiting,
            home.closures_coming) == (0, 0, 0, 0, 0)
    assert home.day == "Rabu, 25 November 2026"


def test_todays_bookings_by_hour_in_wib(session, frozen, staff):
    member = make_user(session, "rina@umkm.example")
    space = desk_area(session)
    # Not today: across last midnight (starts yesterday), and tomorrow's first minute.
    booking(session, space, member.id, wib(YESTERDAY, 23, 30), checked_in=True)
    booking(session, space, member.id, wib(TOMORROW, 0, 0))
    # Today's first minute (17.00 UTC yesterday) and last half hour (across the coming midnight).
    booking(session, space, member.id, wib(TODAY, 0, 0))
    booking(session, space, member.id, wib(TODAY, 23, 30))
    # 09.00-10.00: one checked in, one released as a no-show; cancelled and declined do not count.
    booking(session, space, member.id, wib(TODAY, 9, 0), checked_in=True)
    booking(session, space, member.id, wib(TODAY, 9, 30), status="released", no_show=True)
    booking(session, space, member.id, wib(TODAY, 9, 0), status="cancelled")
    booking(session, space, member.id, wib(TODAY, 9, 15), status="declined")
    # 10.00: a pending booking counts; a training's and a maintenance block's reservations do not.
    booking(session, space, member.id, wib(TODAY, 10, 0), status="pending")
    booking(session, space, None, wib(TODAY, 10, 0), kind="training")
    booking(session, space, None, wib(TODAY, 10, 0), kind="block")

    home = staff_home.overview(staff, session=session)
    assert [(row.hour, row.bookings, row.checked_in, row.no_shows) for row in home.hours] == [
        ("00.00", 1, 0, 0), ("09.00", 2, 1, 1), ("10.00", 1, 0, 0), ("23.00", 1, 0, 0)]
    assert (home.bookings_today, home.checked_in_today, home.no_shows_today) == (5, 1, 1)
    english = staff_home.overview(replace(staff, locale="en"), session=session)
    assert [row.hour for row in english.hours] == ["00:00", "09:00", "10:00", "23:00"]
    assert english.day == "Wednesday, 25 November 2026"


def test_approvals_waiting_are_counted_with_a_page_of_rows(session, frozen, staff, monkeypatch):
    verified = make_user(session, "a@umkm.example", name="Ani", status="pending")
    unverified = make_user(session, "b@umkm.example", name="Budi", status="pending", verified=False)
    make_user(session, "c@umkm.example", name="Cici")  # active
    make_user(session, "d@umkm.example", name="Dodi", status="rejected")
    space = desk_area(session)
    later_today = booking(session, space, verified.id, wib(TODAY, 10, 0), status="pending")  # ends 11.00
    tomorrow = booking(session, space, unverified.id, wib(TOMORROW, 9, 0), status="pending")
    booking(session, space, verified.id, wib(TODAY, 8, 0), status="pending")  # over at 9.00: not waiting
    booking(session, space, verified.id, wib(YESTERDAY, 14, 0), status="pending")
    booking(session, space, verified.id, wib(TOMORROW, 10, 0))  # confirmed

    home = staff_home.overview(staff, session=session)
    assert home.members_waiting == 2
    assert [(row.id, row.name, row.verified) for row in home.members] == [
        (unverified.id, "Budi", False), (verified.id, "Ani", True)]  # newest first, as on /admin/members
    assert home.bookings_waiting == 2
    assert [(row.id, row.member) for row in home.bookings] == [(later_today.id, "Ani"), (tomorrow.id, "Budi")]

    monkeypatch.setattr(staff_home, "ROWS", 1)
    home = staff_home.overview(staff, session=session)
    assert (home.members_waiting, len(home.members), home.bookings_waiting, len(home.bookings)) == (2, 1, 2, 1)


def test_trainings_with_a_session_this_week(session, frozen, staff):
    wednesday = training(session, [wib(TODAY, 14, 0), wib(NEXT_MONDAY + timedelta(days=2), 14, 0)],
                         capacity=10, enrolled=4, waitlisted=2, title="Keuangan UMKM")
    sunday_night = training(session, [wib(NEXT_MONDAY - timedelta(days=1), 23, 0)], capacity=5, enrolled=5,
                            waitlisted=3, title="Ekspor")
    monday_morning = training(session, [wib(MONDAY, 0, 0)], title="Izin usaha")  # the week's first minute
    training(session, [wib(NEXT_MONDAY, 0, 0)], title="Minggu depan")  # the next week's first minute
    training(session, [wib(MONDAY - timedelta(days=1), 23, 59)], title="Minggu lalu")
    training(session, [wib(TODAY, 16, 0)], status="draft", title="Draf")
    training(session, [wib(TODAY, 16, 0)], status="cancelled", title="Batal")

    home = staff_home.overview(staff, session=session)
    assert home.trainings_this_week == 3
    assert [(row.id, row.capacity, row.enrolled, row.waitlisted, row.seats_left) for row in home.trainings] == [
        (monday_morning.id, 10, 0, 0, 10), (wednesday.id, 10, 4, 2, 6), (sunday_night.id, 5, 5, 3, 0)]
    assert home.trainings[1].when == "25 Nov 2026, 14.00 WIB"


def test_open_forum_reports(session, frozen, staff):
    author = make_user(session, "penulis@umkm.example")
    readers = [make_user(session, f"pembaca{n}@umkm.example") for n in range(3)]
    first, second = post(session, author.id), post(session, author.id)
    report(session, first, readers[0].id)
    report(session, first, readers[1].id)
    report(session, second, readers[2].id, resolved=True)
    assert staff_home.overview(staff, session=session).reports_waiting == 2


def test_closures_coming_up(session, frozen, staff):
    space = desk_area(session)
    whole_hub = closure(session, wib(TOMORROW, 0, 0), wib(TOMORROW + timedelta(days=1), 0, 0))
    ongoing = closure(session, wib(YESTERDAY, 8, 0), wib(TOMORROW, 8, 0), space=space, reason="Perbaikan AC")
    closure(session, wib(TODAY, 8, 0), wib(TODAY, 9, 30))  # ended an hour ago
    closure(session, NOW + timedelta(days=31), NOW + timedelta(days=32))  # beyond 30 days
    home = staff_home.overview(staff, session=session)
    assert home.closures_coming == 2
    assert [(row.id, row.space, row.reason) for row in home.closures] == [
        (ongoing.id, "Area Kerja Bersama", "Perbaikan AC"), (whole_hub.id, "Seluruh hub", "Libur nasional")]
