"""A booking request sent again (its answer was lost when a worker died after the commit, the
phone lost its connection, a double tap) is answered with the booking it already made: no second
row, no "already booked by someone else". Each service call gets its own session, as in the app.
SQLite and PostgreSQL (the `engine` fixture)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from hub_app.domain.errors import Conflict, HubError
from hub_app.models import AuditEntry, Booking, Notification, User
from hub_app.services import bookings
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, make_space, weekday_ahead


def _call(engine, function, *args, **kwargs):
    """One service call in a session of its own (the app opens one per event)."""
    with Session(engine, expire_on_commit=False) as session:
        return function(*args, session=session, **kwargs)


def _book(engine, actor, space, day, start=10, end=11, *, title="Rapat tim", people=2, note="", **extra):
    return _call(engine, bookings.book, actor, space_id=space.id, start=iso(day, start), end=iso(day, end),
                 title=title, people=people, note=note, **extra)


def _holding(engine, space) -> list[Booking]:
    with Session(engine) as session:
        return list(session.exec(select(Booking).where(Booking.space_id == space.id,
                                                       col(Booking.status).in_(["pending", "confirmed"]))
                                 .order_by(col(Booking.id))).all())


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _error_key(call) -> str:
    with pytest.raises(HubError) as raised:
        call()
    return raised.value.key


@pytest.fixture
def people(session):
    rina = make_user(session, "rina@umkm.example")
    andi = make_user(session, "andi@umkm.example", name="Andi Wijaya")
    staff = make_user(session, "staf@hub.example", name="Staf Hub", role="staff")
    return actor_of(rina), actor_of(andi), actor_of(staff)


def test_the_same_room_request_again_is_answered_with_the_booking_it_made(engine, session, people):
    rina, _, _ = people
    room = make_space(session)
    day = weekday_ahead()
    first = _book(engine, rina, room, day, note="Proyektor, tolong")
    again = _book(engine, rina, room, day)  # the note is not compared: the first one stays
    assert again.id == first.id and again.status == first.status == "confirmed"
    assert (again.title, again.when, again.note) == ("Rapat tim", first.when, "Proyektor, tolong")
    assert [b.id for b in _holding(engine, room)] == [first.id]


def test_a_pending_booking_is_the_answer_to_its_retry(engine, session, people):
    rina, _, _ = people
    hall = make_space(session, kind="event_hall", capacity=80, name="Aula", needs_approval=True)
    day = weekday_ahead()
    first = _book(engine, rina, hall, day)
    again = _book(engine, rina, hall, day)
    assert first.status == again.status == "pending" and again.id == first.id
    assert len(_holding(engine, hall)) == 1


def test_a_retry_is_answered_even_when_the_booking_it_made_filled_the_quota(engine, session, people):
    rina, _, _ = people
    room = make_space(session)
    day = weekday_ahead()
    with Session(engine) as fresh:
        fresh.get(User, rina.user_id).quota_upcoming_bookings = 1
        fresh.commit()
    first = _book(engine, rina, room, day)
    assert _book(engine, rina, room, day).id == first.id
    # A different request is still held to the quota.
    assert _error_key(lambda: _book(engine, rina, room, day, 13, 14)) == "booking.error.quota_upcoming"


def test_another_member_asking_for_the_same_slot_is_still_refused(engine, session, people):
    rina, andi, _ = people
    room = make_space(session)
    day = weekday_ahead()
    _book(engine, rina, room, day)
    assert _error_key(lambda: _book(engine, andi, room, day)) == "booking.error.slot_taken"
    assert len(_holding(engine, room)) == 1


def test_a_different_request_is_not_a_retry(engine, session, people):
    """Title and number of people identify the request: in a desk area the member may hold two
    bookings of the same time (a seat for a guest); a room's slot holds one booking."""
    rina, _, _ = people
    room = make_space(session)
    desks = make_space(session, kind="desk_area", capacity=10, name="Area Kerja Bersama")
    day = weekday_ahead()
    mine = _book(engine, rina, desks, day, 9, 12, title="Kerja", people=1)
    guest = _book(engine, rina, desks, day, 9, 12, title="Tamu: Budi", people=1)
    more = _book(engine, rina, desks, day, 9, 12, title="Kerja", people=2)
    longer = _book(engine, rina, desks, day, 9, 13, title="Kerja", people=1)
    assert len({mine.id, guest.id, more.id, longer.id}) == 4
    assert _book(engine, rina, desks, day, 9, 12, title="  Kerja ", people="1").id == mine.id  # cleaned alike
    _book(engine, rina, room, day, title="Rapat tim")
    assert _error_key(lambda: _book(engine, rina, room, day, title="Rapat lain")) == "booking.error.slot_taken"
    assert len(_holding(engine, desks)) == 4 and len(_holding(engine, room)) == 1


def test_after_cancelling_the_same_request_books_again(engine, session, people):
    rina, _, _ = people
    room = make_space(session)
    day = weekday_ahead()
    first = _book(engine, rina, room, day)
    _call(engine, bookings.cancel, rina, booking_id=first.id)
    again = _book(engine, rina, room, day)
    assert again.id != first.id and [b.id for b in _holding(engine, room)] == [again.id]


def test_staff_retrying_a_booking_for_a_member_write_one_booking_one_audit_entry_one_notice(engine, session, people):
    rina, _, staff = people
    room = make_space(session)
    day = weekday_ahead()
    audits, notices = _count(engine, AuditEntry), _count(engine, Notification)
    first = _book(engine, staff, room, day, member_id=rina.user_id)
    again = _book(engine, staff, room, day, member_id=rina.user_id)
    assert again.id == first.id and len(_holding(engine, room)) == 1
    assert (_count(engine, AuditEntry), _count(engine, Notification)) == (audits + 1, notices + 1)


def _race(engine, jobs) -> list:
    """Runs the jobs at once, each in its own thread (and so with its own connection)."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait()
        try:
            return job()
        except Conflict as error:  # would be the bug: "already booked" for one's own retry
            return error

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


@pytest.mark.parametrize("kind", ["meeting_room", "desk_area"])
def test_a_double_submit_at_once_makes_one_booking_and_both_get_its_id(engine, session, people, kind):
    """Two threads, each with its own connection, send the same member's same request at once:
    exactly one row, and both callers are answered with it (several rounds, to meet the race)."""
    rina, _, _ = people
    space = make_space(session, kind=kind, capacity=10, name=f"Ruang {kind}")
    day = weekday_ahead()
    answers = []
    for hour in (8, 10, 12, 14, 16):
        def submit(hour=hour):
            return _book(engine, rina, space, day, hour, hour + 1, title="Kerja", people=1)

        first, second = _race(engine, [submit, submit])
        assert isinstance(first, bookings.BookingRow) and isinstance(second, bookings.BookingRow), (first, second)
        assert first.id == second.id
        answers.append(first.id)
    assert [b.id for b in _holding(engine, space)] == answers
