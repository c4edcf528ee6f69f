"""Enrolling again while enrolled or waitlisted (the answer to the first request was lost, a double
tap) is answered with the place the member holds: nothing written, no error. Each service call gets
its own session, as in the app. SQLite and PostgreSQL (the `engine` fixture)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from hub_app.domain.errors import HubError
from hub_app.models import Notification
from hub_app.models.base import utcnow
from hub_app.models.trainings import Enrolment, Training
from hub_app.services import enrolments
from tests.trainings.helpers import make_training, members


def _enrol(engine, actor, training_id):
    with Session(engine, expire_on_commit=False) as session:
        return enrolments.enrol(actor, session=session, training_id=training_id)


def _seen(engine, training_id):
    """Everything a retry must leave as it was: the counters, every place, the notifications."""
    with Session(engine) as session:
        training = session.get(Training, training_id)
        places = sorted((row.user_id, row.status, row.queue_number) for row in session.exec(
            select(Enrolment).where(Enrolment.training_id == training_id)).all())
        notices = session.exec(select(func.count()).select_from(Notification)).one()
        return (training.enrolled_count, training.waitlist_count, training.next_queue_number, places, notices)


def test_enrolling_again_returns_the_seat_or_the_waitlist_place_held(engine, session):
    training = make_training(session, capacity=1)
    first, second, third = members(session, 3)
    seat = _enrol(engine, first, training.id)
    waiting = _enrol(engine, second, training.id)
    behind = _enrol(engine, third, training.id)
    assert (seat.status, waiting.status, waiting.position, behind.position) == ("enrolled", "waitlisted", 1, 2)
    before = _seen(engine, training.id)
    assert _enrol(engine, first, training.id) == seat
    assert _enrol(engine, second, training.id) == waiting
    assert _enrol(engine, third, training.id) == behind
    assert _seen(engine, training.id) == before


def test_the_place_is_the_answer_even_after_enrolment_closed(engine, session):
    training = make_training(session)
    [rina] = members(session, 1)
    place = _enrol(engine, rina, training.id)
    with Session(engine) as fresh:
        fresh.get(Training, training.id).enrol_closes_at = utcnow() - timedelta(minutes=1)
        fresh.commit()
    assert _enrol(engine, rina, training.id) == place


def test_after_leaving_enrolling_again_takes_a_new_place(engine, session):
    training = make_training(session, capacity=1)
    first, second = members(session, 2)
    _enrol(engine, first, training.id)
    waiting = _enrol(engine, second, training.id)
    with Session(engine) as fresh:
        enrolments.cancel(second, session=fresh, enrolment_id=waiting.enrolment_id)
    again = _enrol(engine, second, training.id)
    assert (again.status, again.position, again.enrolment_id) == ("waitlisted", 1, waiting.enrolment_id)
    assert _seen(engine, training.id)[:3] == (1, 1, 3)  # a new queue number: to the back of the line


def test_a_refusal_is_still_a_refusal(engine, session):
    training = make_training(session, status="draft")
    [rina] = members(session, 1)
    try:
        _enrol(engine, rina, training.id)
    except HubError as error:
        assert error.key == "trainings.error.not_open"
    else:
        raise AssertionError("enrolling in a draft training was not refused")


def test_a_double_enrol_at_once_takes_one_place_and_both_get_it(engine, session):
    """Two threads with their own connections enrol the same member at once (several rounds)."""
    for _ in range(4):
        training = make_training(session, capacity=1)
        [rina] = members(session, 1)
        barrier = threading.Barrier(2)

        def enrol(_, training_id=training.id, actor=rina, barrier=barrier):
            barrier.wait()
            try:
                return _enrol(engine, actor, training_id)
            except HubError as error:  # would be the bug: "already enrolled" for one's own retry
                return error

        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = pool.map(enrol, range(2))
        assert first == second and first.status == "enrolled", (first, second)
        enrolled, waiting, _, places, _ = _seen(engine, training.id)
        assert (enrolled, waiting, len(places)) == (1, 0, 1)
