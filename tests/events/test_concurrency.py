"""Never more registered than seats, never a free seat while someone waits, and never an event and
a booking in the same room at the same time, under concurrency: parallel threads, each with its
own session and database connection, on SQLite and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, col, select

from hub_app.domain.errors import Conflict
from hub_app.models import Booking, EventRegistration
from hub_app.services import bookings, events
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, local, make_space, weekday_ahead
from tests.events.helpers import event_form, links_for, make_event, members
from tests.transactions import end_read

CLIENTS = 100
SEATS = 20

# One statement, so it reads one snapshot on both engines.
INVARIANTS = text("""
    SELECT e.capacity, e.registered_count, e.waitlist_count,
           (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.status = 'registered'),
           (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted')
    FROM events e WHERE e.id = :event_id
""")


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


def _check(connection, event_id: int) -> tuple[int, int]:
    capacity, registered_count, waitlist_count, registered, waitlisted = connection.execute(
        INVARIANTS, {"event_id": event_id}).one()
    assert registered_count == registered <= capacity
    assert waitlist_count == waitlisted
    assert registered == capacity or waitlisted == 0, "a free seat while people wait"
    return registered, waitlisted


def _guests_waiting_to_confirm(session, event_id: int, count: int, prefix: str = "tamu") -> list[str]:
    """`count` guests who registered (one after the other, from different addresses) and hold the
    confirmation link from their mail."""
    tokens = []
    for index in range(count):
        email = f"{prefix}{index}@contoh.example"
        end_read(session)
        events.register_guest(None, session=session, event_id=event_id, locale="id", client=f"10.2.{index}.1",
                              form={"name": f"Tamu {index}", "email": email, "organisation": ""})
        tokens.append(links_for(session, email)[0])
    return tokens


def test_hundred_parallel_registrations_of_members_and_guests_for_twenty_seats(engine, session):
    event_id = make_event(session, capacity=SEATS)
    people = members(session, CLIENTS // 2)
    tokens = _guests_waiting_to_confirm(session, event_id, CLIENTS // 2)
    jobs = [lambda s, actor=actor: events.register_member(actor, session=s, event_id=event_id) for actor in people]
    jobs += [lambda s, token=token: events.confirm_guest(session=s, token=token) for token in tokens]

    results = _race(engine, jobs)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r.status for r in results).count("registered") == SEATS
    # Everyone waiting was told a distinct place, 1..80.
    assert sorted(r.queue_position for r in results if r.status == "waitlisted") == list(range(1, CLIENTS - SEATS + 1))

    session.rollback()  # end the test session's read: on SQLite it would keep its snapshot
    rows = session.exec(select(EventRegistration).where(EventRegistration.event_id == event_id)).all()
    seated = [row for row in rows if row.status == "registered"]
    queue = sorted((row for row in rows if row.status == "waitlisted"), key=lambda row: row.queue_number)
    assert (len(seated), len(queue)) == (SEATS, CLIENTS - SEATS)
    assert [row.queue_number for row in queue] == list(range(1, CLIENTS - SEATS + 1))
    assert {row.user_id is None for row in seated + queue} == {True, False}, "members and guests both got in"
    # The queue follows the order in which the requests were served, everyone seated before anyone queued.
    served = [row.updated_at for row in queue]
    assert served == sorted(served)
    assert max(row.updated_at for row in seated) <= min(served)
    assert len({row.ticket_code for row in rows}) == CLIENTS
    session.rollback()
    with engine.connect() as connection:
        assert _check(connection, event_id) == (SEATS, CLIENTS - SEATS)


def test_cancellations_racing_registrations_never_leave_a_seat_free_while_someone_waits(engine, session):
    seats = 10
    event_id = make_event(session, capacity=seats)
    holders = members(session, seats, prefix="holder")
    waiting = members(session, 15, prefix="waiting")
    newcomers = members(session, 30, prefix="new")
    outcomes = {}
    for actor in holders + waiting:
        end_read(session)
        outcomes[actor.user_id] = events.register_member(actor, session=session, event_id=event_id).registration_id
    guest_tokens = _guests_waiting_to_confirm(session, event_id, 10, prefix="late")

    def cancel(actor):
        return lambda s: events.cancel_mine(actor, session=s, registration_id=outcomes[actor.user_id])

    # Eight seats given up, five leave the waitlist, while 30 members and 10 guests come in.
    jobs = [cancel(actor) for actor in holders[:8] + waiting[5:10]]
    jobs += [lambda s, actor=actor: events.register_member(actor, session=s, event_id=event_id) for actor in newcomers]
    jobs += [lambda s, token=token: events.confirm_guest(session=s, token=token) for token in guest_tokens]

    stop = threading.Event()
    observed: list[tuple[int, int]] = []
    failures: list[BaseException] = []

    def watch():
        with engine.connect() as connection:
            while not stop.is_set():
                try:
                    observed.append(_check(connection, event_id))
                    connection.rollback()
                except AssertionError as error:
                    failures.append(error)
                    return

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        results = _race(engine, jobs)
    finally:
        stop.set()
        watcher.join()
    assert not failures, failures[0]
    assert observed, "the watcher saw the event at least once"
    assert not [r for r in results if isinstance(r, Exception)]
    with engine.connect() as connection:
        registered, waitlisted = _check(connection, event_id)
    # 10 seats + 15 waiting + 30 members + 10 guests - 8 cancelled - 5 left = 52 people in, 10 seated.
    assert (registered, waitlisted) == (seats, 52 - seats)
    session.rollback()
    seated = {row.user_id for row in session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event_id, EventRegistration.status == "registered")).all()}
    # The eight freed seats went to the eight who were waiting first, not to a newcomer.
    still_waiting = waiting[:5] + waiting[10:]
    assert seated == {a.user_id for a in holders[8:]} | {a.user_id for a in still_waiting[:8]}
    session.rollback()


def test_an_event_and_bookings_racing_for_one_room_give_exactly_one_holder(engine, session):
    room = make_space(session, kind="meeting_room", capacity=30, name="Ruang Rapat Monas")
    room_id = room.id
    staff = [actor_of(make_user(session, f"staf{index}@jfch.example", role="staff")) for index in range(3)]
    people = members(session, 20)
    for user_id in [actor.user_id for actor in people]:
        session.exec(text("UPDATE users SET quota_upcoming_bookings = 100, quota_hours_per_week = 100 "
                          "WHERE id = :id"), params={"id": user_id})
    session.commit()
    day = weekday_ahead(3)

    jobs = [lambda s, actor=actor: events.create_event(actor, session=s, form=event_form(
        local(day, 10), place="space", space_id=str(room_id), capacity="20")) for actor in staff]
    jobs += [lambda s, actor=actor: bookings.book(actor, session=s, space_id=room_id, start=iso(day, 10, 30),
                                                  end=iso(day, 11, 30), title="Rapat tim") for actor in people]
    results = _race(engine, jobs)
    won = [r for r in results if not isinstance(r, Conflict)]
    assert len(won) == 1, results
    assert {r.key for r in results if isinstance(r, Conflict)} == {"booking.error.slot_taken"}
    session.rollback()
    holding = session.exec(select(Booking).where(Booking.space_id == room_id,
                                                 col(Booking.status).in_(["pending", "confirmed"]))).all()
    assert len(holding) == 1
    if isinstance(won[0], int):  # the event won: its reservation is the holder
        assert holding[0].kind == "event" and holding[0].event_id == won[0]
    session.rollback()


def test_the_database_refuses_more_registered_than_seats(session):
    event_id = make_event(session, capacity=1, starts_in=timedelta(days=1))
    end_read(session)
    try:
        session.exec(text("UPDATE events SET registered_count = 2 WHERE id = :id"), params={"id": event_id})
        session.commit()
    except Exception as error:  # the CHECK constraint, on either engine
        session.rollback()
        assert "ck_events_seats" in str(error) or "CHECK" in str(error).upper()
    else:
        raise AssertionError("the database accepted more registered than seats")
