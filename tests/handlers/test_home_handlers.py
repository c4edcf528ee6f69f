"""The signed-in home (HomeState) and the "Me" page (MeState), called as a browser would by every kind
of actor: a member sees and changes only their own things, a pending member gets the checklist, a
visitor gets the marketing page; ids of other members' bookings change nothing."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from hub_app.models import Booking, OpeningHours, Space
from hub_app.models.base import utcnow
from hub_app.pages.home import HomeState
from hub_app.pages.me import MeState
from tests.bookings.helpers import local
from tests.handlers.handler_harness import covers, db_fingerprint


def _open_every_day(engine) -> None:
    with Session(engine) as session:
        for weekday in range(7):
            session.merge(OpeningHours(weekday=weekday, opens_minute=0, closes_minute=24 * 60 - 30))
        session.commit()


def _space(engine, **fields) -> int:
    values = dict(kind="meeting_room", name_id="Ruang Rapat Monas", name_en="Monas Meeting Room", capacity=6)
    values.update(fields)
    with Session(engine) as session:
        space = Space(**values)
        session.add(space)
        session.commit()
        return space.id


def _booking_of(engine, person, space_id, days=2, hour=10) -> int:
    day = utcnow().date() + timedelta(days=days)
    with Session(engine) as session:
        booking = Booking(space_id=space_id, user_id=person.id, starts_at=local(day, hour),
                          ends_at=local(day, hour + 1), title=f"Rapat {person.name}", exclusive=True)
        session.add(booking)
        session.commit()
        return booking.id


def _status(engine, booking_id) -> str:
    with Session(engine) as session:
        return session.exec(select(Booking.status).where(Booking.id == booking_id)).one()


@covers(HomeState.load)
@pytest.mark.parametrize("role", ["visitor", "pending", "active", "staff"])
def test_the_home_shows_each_person_their_own(role, hub, people):
    room = _space(people.engine)
    person = people.by_role()[role]
    mine = _booking_of(people.engine, person, room) if person else 0
    _booking_of(people.engine, people.other, room, hour=14)
    tab = hub.browser(person)
    tab.load("/").ok()
    state = tab.state(HomeState)
    if role == "visitor":
        assert state.agenda == [] and not state.has_checklist
    elif role == "pending":
        assert state.has_checklist and state.agenda == []
    else:
        assert [item.booking_id for item in state.agenda] == [mine]
    assert people.other.name not in tab.stored_state().decode("latin-1")


@covers(HomeState.offer_desk, HomeState.book_desk)
def test_book_a_desk_now_in_two_taps(hub, people):
    _open_every_day(people.engine)
    _space(people.engine, kind="desk_area", name_id="Coworking Kota Tua", capacity=4)
    tab = hub.browser(people.active)
    tab.load("/").ok()
    tab.call(HomeState.offer_desk).ok()
    assert tab.state(HomeState).desk_open and tab.state(HomeState).desk_text.startswith("Coworking Kota Tua")
    tab.call(HomeState.book_desk).ok()
    state = tab.state(HomeState)
    assert state.booked_id and state.info.startswith("Dipesan") and not state.desk_open
    with Session(people.engine) as session:
        [booking] = session.exec(select(Booking)).all()
    assert booking.user_id == people.active.id and booking.id == state.booked_id
    # The payload cannot choose the space, the time or the member.
    tab.send(HomeState.book_desk, {"space_id": 999, "user_id": people.other.id}).not_crashed()


@covers(HomeState.offer_desk, HomeState.book_desk)
@pytest.mark.parametrize("role", ["visitor", "pending"])
def test_visitors_and_pending_members_book_no_desk(role, hub, people):
    _open_every_day(people.engine)
    _space(people.engine, kind="desk_area", name_id="Coworking Kota Tua", capacity=4)
    tab = hub.browser(people.by_role()[role])
    tab.load("/").ok()
    before = db_fingerprint(people.engine, ["bookings"])
    tab.call(HomeState.offer_desk).ok()
    tab.call(HomeState.book_desk).ok()
    assert db_fingerprint(people.engine, ["bookings"]) == before


@covers(HomeState.cancel_booking, HomeState.check_in)
def test_cancel_and_check_in_only_my_own(hub, people):
    room = _space(people.engine)
    mine = _booking_of(people.engine, people.active, room)
    theirs = _booking_of(people.engine, people.other, room, hour=14)
    tab = hub.browser(people.active)
    tab.load("/").ok()
    for junk in [theirs, 0, -1, "1 OR 1=1", None, 10**30, [mine]]:
        tab.send(HomeState.cancel_booking, {"booking_id": junk}).not_crashed()
        tab.send(HomeState.check_in, {"booking_id": junk}).not_crashed()
    assert _status(people.engine, theirs) == "confirmed" and _status(people.engine, mine) == "confirmed"
    assert tab.state(HomeState).error
    tab.call(HomeState.cancel_booking, mine).ok()
    assert _status(people.engine, mine) == "cancelled"
    assert tab.state(HomeState).agenda == []
    # Check-in opens just before the start: too early here, so it is refused with a message.
    tab.call(HomeState.check_in, theirs).ok()
    assert tab.state(HomeState).error


@covers(MeState.load)
@pytest.mark.parametrize("role", ["visitor", "pending", "active", "staff"])
def test_me_is_for_people_who_are_signed_in(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load("/me").ok()
    assert outcome.navigations == (["/login?next=/me"] if role == "visitor" else [])
