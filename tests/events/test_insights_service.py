"""The events part of the staff insights: events held, their registrations, guests and the
attendance rate, for a period and the one before, on SQLite and on PostgreSQL."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub_app.domain.insights import Period
from hub_app.models import Event, EventRegistration
from hub_app.services import insights
from tests.accounts.factories import actor_of, make_user
from tests.events.helpers import members

WIB = ZoneInfo("Asia/Jakarta")
_MONDAY = date.today() - timedelta(days=date.today().weekday() + 21)
PERIOD = Period("custom", _MONDAY, _MONDAY + timedelta(days=6))  # three weeks ago; compared with the week before


def _day(offset: int) -> date:
    return _MONDAY + timedelta(days=offset)
_codes = iter(range(10**9))


def _held(session, day: date, *, status="published", seated=(), guests=0, checked=0, waitlisted=0):
    start = datetime(day.year, day.month, day.day, 19, tzinfo=WIB)
    event = Event(title_id="Temu", starts_at=start, ends_at=start + timedelta(hours=2), capacity=100, status=status,
                  registered_count=len(seated) + guests)
    session.add(event)
    session.flush()
    people = [(user_id, "") for user_id in seated] + [(None, f"t{n}@contoh.example") for n in range(guests)]
    for index, (user_id, email) in enumerate(people):
        session.add(EventRegistration(event_id=event.id, user_id=user_id, guest_email=email, status="registered",
                                      ticket_code=f"{next(_codes):010d}", checked_in_at=start if index < checked
                                      else None))
    for _ in range(waitlisted):
        session.add(EventRegistration(event_id=event.id, guest_email=f"w{next(_codes)}@contoh.example",
                                      status="waitlisted", ticket_code=f"{next(_codes):010d}"))
    session.commit()


def test_events_held_registrations_guests_and_attendance(session):
    staff = actor_of(make_user(session, "staf@jfch.example", role="staff"))
    people = [actor.user_id for actor in members(session, 4)]
    _held(session, _day(1), seated=people[:3], guests=2, checked=4, waitlisted=3)
    _held(session, _day(4), seated=people[3:], guests=0, checked=0)
    _held(session, _day(5), status="cancelled", seated=people[:2])  # not held
    _held(session, _day(-6), seated=people[:1], guests=1, checked=2)  # the week before
    _held(session, _day(7), seated=people, guests=5)  # after the period
    found = insights.hub_insights(staff, session=session, period=PERIOD, lang="en").events
    assert (found.events_held.current, found.events_held.previous) == (2, 1)
    assert (found.registrations.current, found.registrations.previous) == (6, 2)
    assert (found.guests.current, found.guests.previous) == (2, 1)
    assert (found.attendance_rate.current, found.attendance_rate.previous) == (4 / 6, 1.0)
    assert found.events_held.direction == "up"
    session.rollback()


def test_an_events_reservation_is_use_of_its_space(session):
    from tests.bookings.helpers import make_space, put_booking

    staff = actor_of(make_user(session, "staf@jfch.example", role="staff"))
    hall = make_space(session, kind="event_hall", capacity=80, name="Aula")
    start = datetime(_day(2).year, _day(2).month, _day(2).day, 10, tzinfo=WIB)
    put_booking(session, hall, None, start, start + timedelta(hours=3), kind="event", seats=80)
    use = insights.hub_insights(staff, session=session, period=PERIOD, lang="id").space_use
    assert use.booked_hours.current == 3
    session.rollback()
