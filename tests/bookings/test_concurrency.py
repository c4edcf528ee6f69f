"""The no-double-booking rule holds in the database under concurrency, on SQLite and PostgreSQL:
parallel threads, each with its own session and connection, race for the same slots."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from hub_app.domain.errors import Conflict
from hub_app.models import Booking, User
from hub_app.services import booking_series, bookings
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, local, make_space, put_booking, weekday_ahead
from tests.conftest import empty_tables

ATTEMPTS = 50


def _members(session: Session, count: int) -> list:
    users = []
    for index in range(count):
        user = User(email=f"m{index}@race.example", email_normalized=f"m{index}@race.example", name=f"Anggota {index}",
                    password_hash="x", status="active", quota_upcoming_bookings=100, quota_hours_per_week=100)
        session.add(user)
        users.append(user)
    session.commit()
    return [actor_of(user) for user in users]


def _race(engine, jobs) -> list[object]:
    """Runs every job(session) at once, each in its own thread with its own session/connection."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait()
        with Session(engine, expire_on_commit=False) as session:
            try:
                return job(session)
            except Conflict as error:
                return error

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _holding(session: Session, space_id: int) -> list[Booking]:
    session.expire_all()
    return session.exec(select(Booking).where(Booking.space_id == space_id,
                                              col(Booking.status).in_(["pending", "confirmed"]))).all()


def test_fifty_parallel_attempts_at_one_room_slot_give_exactly_one_booking(engine, session):
    room = make_space(session)
    members = _members(session, ATTEMPTS)
    day = weekday_ahead()

    def attempt(actor):
        return lambda s: bookings.book(actor, session=s, space_id=room.id, start=iso(day, 10), end=iso(day, 11),
                                       title="Rapat tim", people=2)

    results = _race(engine, [attempt(actor) for actor in members])
    won = [r for r in results if isinstance(r, bookings.BookingRow)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == ATTEMPTS - 1
    assert {error.key for error in lost} == {"booking.error.slot_taken"}
    assert len(_holding(session, room.id)) == 1


def test_fifty_attempts_at_a_ten_seat_desk_area_give_exactly_ten(engine, session):
    desks = make_space(session, kind="desk_area", capacity=10, name="Area Kerja Bersama")
    members = _members(session, ATTEMPTS)
    day = weekday_ahead()

    def attempt(actor):
        return lambda s: bookings.book(actor, session=s, space_id=desks.id, start=iso(day, 9), end=iso(day, 12),
                                       title="Kerja", people=1)

    results = _race(engine, [attempt(actor) for actor in members])
    assert sum(isinstance(r, bookings.BookingRow) for r in results) == 10
    assert {r.key for r in results if isinstance(r, Conflict)} == {"booking.error.no_seats"}
    assert sum(b.seats for b in _holding(session, desks.id)) == 10


def test_a_recurring_series_racing_single_bookings_leaves_no_overlap(engine, session):
    room = make_space(session)
    members = _members(session, 21)
    day = weekday_ahead()
    weeks = 4

    def series(s):
        return booking_series.book_series(members[0], session=s, space_id=room.id, start=iso(day, 10), end=iso(day, 12),
                                          title="Kelas mingguan", frequency="weekly", count=weeks, skip_conflicts=True)

    def single(actor, week, hour):
        from datetime import timedelta
        when = day + timedelta(days=7 * week)
        return lambda s: bookings.book(actor, session=s, space_id=room.id, start=iso(when, hour, 30),
                                       end=iso(when, hour + 1, 30), title="Rapat", people=1)

    jobs = [series] + [single(actor, index % weeks, 9 + index % 3) for index, actor in enumerate(members[1:])]
    results = _race(engine, jobs)
    assert all(isinstance(r, bookings.BookingRow | booking_series.SeriesResult | Conflict) for r in results)
    held = sorted(_holding(session, room.id), key=lambda b: b.starts_at)
    assert held, "someone must have booked"
    for earlier, later in zip(held, held[1:], strict=False):
        assert earlier.ends_at <= later.starts_at, f"overlap: {earlier.id} and {later.id}"


def test_postgres_itself_refuses_overlapping_room_bookings(postgres_engine):
    """Below the service: the exclusion constraint refuses a second overlapping row. (SQLite has no
    such constraint; there BEGIN IMMEDIATE serialises the writers, as the races above show.)"""
    empty_tables(postgres_engine)
    session = Session(postgres_engine, expire_on_commit=False)
    room = make_space(session)
    member = make_user(session, "rina@umkm.example")
    day = weekday_ahead()
    put_booking(session, room, member.id, local(day, 10), local(day, 11))
    with pytest.raises(IntegrityError):
        put_booking(session, room, member.id, local(day, 10, 30), local(day, 11, 30), status="pending")
    session.rollback()
    # Cancelled rows and desk areas are not covered: they do not hold a room.
    put_booking(session, room, member.id, local(day, 10, 30), local(day, 11, 30), status="cancelled")
    session.close()
