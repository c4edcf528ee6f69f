"""Never more enrolled than seats, and never a free seat while someone waits, under concurrency:
parallel threads, each with its own session and database connection, on SQLite and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text
from sqlmodel import Session, col, select

from hub_app.domain.errors import Conflict
from hub_app.models.trainings import Enrolment, Training
from hub_app.services import enrolments
from tests.trainings.helpers import make_training, members

CLIENTS = 100
SEATS = 10

# One statement, so it reads one snapshot on both engines.
INVARIANTS = text("""
    SELECT t.capacity, t.enrolled_count, t.waitlist_count,
           (SELECT count(*) FROM enrolments e WHERE e.training_id = t.id AND e.status = 'enrolled'),
           (SELECT count(*) FROM enrolments e WHERE e.training_id = t.id AND e.status = 'waitlisted')
    FROM trainings t WHERE t.id = :training_id
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


def _check(connection, training_id: int) -> tuple[int, int]:
    capacity, enrolled_count, waitlist_count, enrolled, waitlisted = connection.execute(
        INVARIANTS, {"training_id": training_id}).one()
    assert enrolled_count == enrolled <= capacity
    assert waitlist_count == waitlisted
    assert enrolled == capacity or waitlisted == 0, "a free seat while members wait"
    return enrolled, waitlisted


def test_hundred_parallel_enrolments_for_ten_seats(engine, session):
    training = make_training(session, capacity=SEATS)
    people = members(session, CLIENTS)

    def attempt(actor):
        return lambda s: enrolments.enrol(actor, session=s, training_id=training.id)

    results = _race(engine, [attempt(actor) for actor in people])
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r.status for r in results).count("enrolled") == SEATS
    # Every waitlisted member was told a distinct place, 1..90.
    assert sorted(r.position for r in results if r.status == "waitlisted") == list(range(1, CLIENTS - SEATS + 1))

    session.rollback()  # end the test session's read transaction: on SQLite it would keep its snapshot
    rows = session.exec(select(Enrolment).where(Enrolment.training_id == training.id)).all()
    seated = [row for row in rows if row.status == "enrolled"]
    queue = sorted((row for row in rows if row.status == "waitlisted"), key=lambda row: row.queue_number)
    assert (len(seated), len(queue)) == (SEATS, CLIENTS - SEATS)
    assert [row.queue_number for row in queue] == list(range(1, CLIENTS - SEATS + 1))
    # A consistent order: the queue follows the order in which the requests were served, and
    # everyone seated was served before anyone queued.
    served = [row.updated_at for row in queue]
    assert served == sorted(served)
    assert max(row.enrolled_at for row in seated) <= min(served)
    with engine.connect() as connection:
        assert _check(connection, training.id) == (SEATS, CLIENTS - SEATS)


def test_cancellations_racing_enrolments_keep_seats_and_waitlist_consistent(engine, session):
    training = make_training(session, capacity=SEATS)
    training_id = training.id  # a plain id: the services' rollbacks expire the row
    holders = members(session, SEATS, prefix="holder")
    waiting = members(session, 15, prefix="waiting")
    newcomers = members(session, 40, prefix="new")
    for actor in holders + waiting:
        enrolments.enrol(actor, session=session, training_id=training_id)
    ids = {row.user_id: row.id for row in session.exec(select(Enrolment)).all()}
    session.rollback()

    jobs = []
    for actor in holders[:8]:  # eight seats given up
        jobs.append(lambda s, actor=actor: enrolments.cancel(actor, session=s, enrolment_id=ids[actor.user_id]))
    for actor in waiting[5:10]:  # five leave the waitlist
        jobs.append(lambda s, actor=actor: enrolments.cancel(actor, session=s, enrolment_id=ids[actor.user_id]))
    for actor in newcomers:
        jobs.append(lambda s, actor=actor: enrolments.enrol(actor, session=s, training_id=training_id))

    stop = threading.Event()
    observed: list[tuple[int, int]] = []
    failures: list[BaseException] = []

    def watch():
        with engine.connect() as connection:
            while not stop.is_set():
                try:
                    observed.append(_check(connection, training_id))
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
    assert observed, "the watcher saw the training at least once"
    assert not [r for r in results if isinstance(r, Exception)]

    with engine.connect() as connection:
        enrolled, waitlisted = _check(connection, training_id)
    # 10 seats + 15 waiting + 40 new - 8 cancelled - 5 left = 52 people in, 10 of them seated.
    assert (enrolled, waitlisted) == (SEATS, 52 - SEATS)
    session.rollback()  # end the test session's read transaction: on SQLite it would keep its snapshot
    seated = {row.user_id for row in session.exec(select(Enrolment).where(Enrolment.status == "enrolled")).all()}
    # The eight freed seats went to the eight who were waiting first, not to a newcomer.
    still_waiting = waiting[:5] + waiting[10:]
    assert seated == {a.user_id for a in holders[8:]} | {a.user_id for a in still_waiting[:8]}
    queue = session.exec(select(Enrolment).where(Enrolment.status == "waitlisted")
                         .order_by(col(Enrolment.queue_number))).all()
    assert [row.user_id for row in queue[:2]] == [a.user_id for a in still_waiting[8:]]
    assert session.get(Training, training.id).enrolled_count == SEATS
