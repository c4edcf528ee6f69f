"""/book after a lost answer: the member pressed "Book", the worker wrote the booking and died before
the answer reached the tab. The tab's state (in Redis, or Reflex's disk state) is still the one from
before that event: the form open, maybe an earlier message in it. When the socket reconnects, the
frontend sends the page's hydrate again and the on_load handlers run again; pressing "Book" once
more sends the same request. Both must show the booking that was made, once."""

from sqlmodel import Session, col, select

from hub_app.models import Booking, User
from hub_app.pages.book import CalendarState
from hub_app.services import bookings
from tests.accounts.factories import actor_of
from tests.bookings.helpers import iso, weekday_ahead
from tests.handlers.handler_harness import covers
from tests.handlers.test_bookings_handlers import _space

FORM = {"title": "Rapat tim", "people": "2", "note": ""}


def _lost_answer(engine, person, space_id, day) -> int:
    """The booking the worker committed before it died: written with the same request the form sends."""
    with Session(engine, expire_on_commit=False) as session:
        actor = actor_of(session.get(User, person.id))
    with Session(engine, expire_on_commit=False) as session:
        return bookings.book(actor, session=session, space_id=space_id, start=iso(day, 10), end=iso(day, 11),
                             **FORM).id


def _open_form_with_a_message(tab, space_id, day) -> None:
    """The form open at 10.00, with the message of an earlier attempt (an end outside the choices)."""
    tab.load("/book", date=day.isoformat()).ok()
    tab.call(CalendarState.pick, space_id, iso(day, 10)).ok()
    tab.call(CalendarState.submit, {**FORM, "end": iso(day, 23)}).ok()
    state = tab.state(CalendarState)
    assert state.form_open and state.form_error


def _holding(engine, space_id) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(Booking.id).where(
            Booking.space_id == space_id, col(Booking.status).in_(["pending", "confirmed"]))).all())


@covers(CalendarState.load_day)
def test_after_reconnecting_the_calendar_shows_my_booking_and_the_form_is_closed(hub, people):
    room = _space(people.engine)
    day = weekday_ahead()
    tab = hub.browser(people.active)
    _open_form_with_a_message(tab, room, day)
    booking_id = _lost_answer(people.engine, people.active, room, day)
    tab.load("/book", date=day.isoformat()).ok()  # the reconnect: hydrate + on_load again
    state = tab.state(CalendarState)
    assert not state.form_open and (state.form_error, state.error, state.refusal) == ("", "", "")
    assert [c.label for c in state.cells if c.kind == "mine"] == ["Rapat tim"]
    assert not any(c.kind == "free" and c.start == iso(day, 10) and c.space_id == room for c in state.cells)
    assert _holding(people.engine, room) == [booking_id]


@covers(CalendarState.submit)
def test_pressing_book_again_in_the_stale_form_confirms_the_booking_that_was_made(hub, people):
    room = _space(people.engine)
    day = weekday_ahead()
    tab = hub.browser(people.active)
    _open_form_with_a_message(tab, room, day)
    booking_id = _lost_answer(people.engine, people.active, room, day)
    tab.call(CalendarState.submit, {**FORM, "end": iso(day, 11)}).ok()  # the same request again
    state = tab.state(CalendarState)
    assert state.booked_id == booking_id and "Dipesan" in state.info
    assert not state.form_open and state.form_error == ""
    assert [c.label for c in state.cells if c.kind == "mine"] == ["Rapat tim"]
    assert _holding(people.engine, room) == [booking_id]


@covers(CalendarState.load_day)
def test_reconnecting_on_the_address_of_a_booked_time_does_not_open_an_empty_form(hub, people):
    """After signing in, the address names the tapped time (space=&start=); a reconnect after the
    booking was made there must not open the form again on a time the member already holds."""
    room = _space(people.engine)
    day = weekday_ahead()
    tab = hub.browser(people.active)
    address = dict(date=day.isoformat(), duration="60", space=str(room), start=iso(day, 10))
    tab.load("/book", **address).ok()
    assert tab.state(CalendarState).form_open
    booking_id = _lost_answer(people.engine, people.active, room, day)
    tab.load("/book", **address).ok()
    state = tab.state(CalendarState)
    assert not state.form_open and (state.form_error, state.error, state.refusal) == ("", "", "")
    assert [c.label for c in state.cells if c.kind == "mine"] == ["Rapat tim"]
    assert _holding(people.engine, room) == [booking_id]
