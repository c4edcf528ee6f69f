"""Reading sessions (`db.new_read_session`): what a page only reads runs without a transaction of its
own on PostgreSQL (no BEGIN and ROLLBACK round trips per event), may not write, and the sign-in
lookup made in one still keeps a session's idle clock. SQLite and PostgreSQL."""

from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

import hub_app.db
from hub_app.db import WriteWhileReading, begin_write, new_read_session, new_session
from hub_app.models import User, UserSession
from hub_app.models.base import utcnow
from hub_app.services import sign_in_sessions
from hub_app.services.security import hash_token, new_token
from tests.accounts.factories import make_user


def _name_of(engine, user_id: int) -> str:
    with Session(engine) as session:
        return session.get(User, user_id).name


@pytest.mark.parametrize("write", [
    "UPDATE users SET name = 'changed' WHERE id = :id",
    "  delete FROM users WHERE id = :id",
    "INSERT INTO users (email, name) VALUES ('x@example.org', 'x')",
])
def test_a_reading_session_refuses_a_write_statement_and_nothing_changes(engine, write):
    with Session(engine) as session:
        user = make_user(session, "reader@example.org", name="Rina Kusuma")
        session.commit()
        user_id = user.id
    with new_read_session(engine) as reading, pytest.raises(WriteWhileReading, match="may not write"):
        reading.execute(text(write), {"id": user_id})
    assert _name_of(engine, user_id) == "Rina Kusuma"
    with Session(engine) as session:
        assert len(session.exec(select(User)).all()) == 1


def test_a_reading_session_refuses_an_orm_change_and_a_write_transaction(engine):
    with Session(engine) as session:
        user_id = make_user(session, "reader@example.org", name="Rina Kusuma").id
        session.commit()
    with new_read_session(engine) as reading:
        reading.get(User, user_id).name = "changed"
        with pytest.raises(WriteWhileReading, match="may not write: UPDATE users"):
            reading.flush()
    with new_read_session(engine) as reading, pytest.raises(WriteWhileReading, match="begin_write"):
        begin_write(reading)
    assert _name_of(engine, user_id) == "Rina Kusuma"


def test_on_postgresql_a_reading_session_opens_no_transaction_and_leaves_none_behind(postgres_engine):
    # One connection in the pool, so the plain session below gets the one the reading session used.
    engine = create_engine(postgres_engine.url, pool_size=1, max_overflow=0)
    try:
        with new_read_session(engine) as reading:
            assert reading.execute(text("SELECT 1")).scalar() == 1
            raw = reading.connection().connection.dbapi_connection
            assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # no BEGIN was sent
        with new_session(engine) as plain:
            plain.execute(text("SELECT 1"))
            raw = plain.connection().connection.dbapi_connection
            assert raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    finally:
        engine.dispose()


def test_a_sign_in_lookup_in_a_reading_session_still_moves_the_idle_clock(engine, monkeypatch):
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)  # the touch's own write session
    token, seen = new_token(), utcnow() - sign_in_sessions.SEEN_REFRESH - timedelta(minutes=1)
    with Session(engine) as session:
        user = make_user(session, "member@example.org")
        session.add(UserSession(user_id=user.id, token_hash=hash_token(token), user_agent="test",
                                expires_at=utcnow() + timedelta(days=1), last_seen_at=seen))
        session.commit()
        user_id = user.id
    with new_read_session(engine) as reading:
        actor = sign_in_sessions.actor_for_token(session=reading, token=token)
    assert actor is not None and actor.user_id == user_id
    with Session(engine) as session:
        touched = session.exec(select(UserSession.last_seen_at)).one()
    assert touched > seen + timedelta(minutes=1)

