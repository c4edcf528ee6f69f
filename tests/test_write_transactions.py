"""`db.begin_write` starts a service's write transaction, or says loudly that it cannot: once the
session has read, the write lock (BEGIN IMMEDIATE on SQLite) would come after the read it should
protect. And a service's write lock is really taken: a second writer waits. SQLite and PostgreSQL."""

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from hub_app.db import begin_write
from hub_app.domain import trainings as training_rules
from hub_app.models.trainings import Enrolment, Training
from hub_app.services import enrolments
from tests.trainings.helpers import make_training, members


def test_begin_write_after_a_read_is_an_error(session):
    session.exec(text("SELECT 1"))
    with pytest.raises(RuntimeError, match="read transaction open"):
        begin_write(session)


def test_begin_write_after_adding_is_an_error_and_after_a_rollback_it_starts(session):
    session.add(Training(title_id="x", title_en="x", capacity=1))
    with pytest.raises(RuntimeError, match="begin_write"):
        begin_write(session)
    session.rollback()
    begin_write(session)  # the transaction ended: the write transaction starts
    session.rollback()


def test_begin_write_inside_its_own_write_transaction_is_a_no_op(session):
    begin_write(session)
    session.exec(text("SELECT 1"))
    begin_write(session)  # a service calling another service: the lock is already held
    session.commit()
    session.exec(text("SELECT 1"))
    with pytest.raises(RuntimeError):  # a new transaction (a read) after the commit
        begin_write(session)


def test_a_service_called_after_a_read_refuses_and_writes_nothing(engine, session):
    training = make_training(session, capacity=3)
    [member] = members(session, 1)
    training_id = training.id
    session.exec(select(Training)).all()  # the caller read first
    with pytest.raises(RuntimeError):
        enrolments.enrol(member, session=session, training_id=training_id)
    session.rollback()
    with Session(engine) as other:
        assert other.exec(select(Enrolment)).all() == []


def test_a_second_writer_waits_for_the_first_services_write_transaction(engine, session, monkeypatch):
    """Two members enrol for the last seat at once. The first is paused inside enrol(), after its
    write transaction began; the second must not get past its own begin (SQLite: BEGIN IMMEDIATE
    waits for the write lock) or the training's row lock (PostgreSQL) until the first commits,
    and then it finds the seat taken."""
    training = make_training(session, capacity=1)
    first, second = members(session, 2)
    training_id = training.id
    first_inside, release = threading.Event(), threading.Event()
    checked: list[int] = []
    check = training_rules.check_can_enrol

    def paused_check(**kwargs):
        checked.append(len(checked))
        if len(checked) == 1:
            first_inside.set()
            assert release.wait(30), "the test never released the first writer"
        return check(**kwargs)

    monkeypatch.setattr(training_rules, "check_can_enrol", paused_check)
    outcomes: dict[str, object] = {}

    def enrol(name, actor):
        with Session(engine, expire_on_commit=False) as own:
            try:
                outcomes[name] = enrolments.enrol(actor, session=own, training_id=training_id).status
            except Exception as error:  # reported by the assertions below
                outcomes[name] = error

    one = threading.Thread(target=enrol, args=("first", first))
    two = threading.Thread(target=enrol, args=("second", second))
    one.start()
    try:
        assert first_inside.wait(30)
        two.start()
        two.join(timeout=1.5)
        assert two.is_alive() and checked == [0], "the second writer went on while the first held the lock"
    finally:
        release.set()
        one.join(30)
        two.join(30)
    assert outcomes == {"first": training_rules.ENROLLED, "second": training_rules.WAITLISTED}
