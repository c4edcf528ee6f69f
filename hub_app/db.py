"""Engine and session factory shared by services, Alembic and tests.

SQLite runs with WAL and foreign keys; a write transaction starts with BEGIN IMMEDIATE so that
check-then-insert rules (no overlapping bookings, no more enrolments than seats) are serialised by
the database itself. On PostgreSQL services take row locks (SELECT ... FOR UPDATE) instead.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from hub_app.settings import get_settings

_WRITE_OPTION = "hub_write_transaction"
_READING = "hub_reading"
# What a reading session refuses to send: it runs without a transaction of its own on PostgreSQL.
_WRITE_VERBS = ("insert", "update", "delete", "merge", "create", "alter", "drop", "truncate", "grant", "copy")
F = TypeVar("F", bound=Callable)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(_WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction.

    On SQLite this takes the database write lock up front (BEGIN IMMEDIATE), so two writers
    cannot both read "slot is free" and then both insert. Must be the first thing a service
    does with the session. Once the session has read (or added) anything, its transaction has
    begun as a plain BEGIN, and a write lock taken later would come after the read it should
    protect; so that is an error, not a silent no-op: call begin_write before the first read,
    or end the read first (`session.rollback()`). Inside a write transaction already begun
    here (a service that calls another service), it does nothing: the lock is held.
    """
    if is_reading(session):
        raise WriteWhileReading("begin_write() in a reading session (a service marked @reads_only writes)")
    if session.in_transaction():
        if session.info.get(_WRITE_OPTION) is session.get_transaction():
            return
        raise RuntimeError(
            "begin_write() called while the session already has a read transaction open (something "
            "was read or added first), so the write transaction (BEGIN IMMEDIATE on SQLite) cannot "
            "start it and the read would not be protected: call begin_write() before the first "
            "read, or end the read with session.rollback() first")
    session.connection(execution_options={_WRITE_OPTION: True})
    session.info[_WRITE_OPTION] = session.get_transaction()


def database_unreachable(error: BaseException) -> bool:
    """PostgreSQL restarting, failing over or away: worth trying again later, not a bug. The pool
    checks connections before use, so the next try reconnects once the server is back."""
    return isinstance(error, DBAPIError) and (error.connection_invalidated
                                              or isinstance(error.orig, psycopg.OperationalError))


@contextmanager
def new_session(engine: Engine | None = None) -> Iterator[Session]:
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session


class WriteWhileReading(RuntimeError):
    """A write statement sent through a reading session: a bug (the service is not read-only)."""


def reads_only(service: F) -> F:
    """Marks a service that only reads: the event handlers run it in a reading session."""
    service.reads_only = True
    return service


def is_read_only(service: Callable) -> bool:
    return getattr(service, "reads_only", False)


def is_reading(session: Session) -> bool:
    return session.info.get(_READING, False)


def _refuse_writes(_connection, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if statement.lstrip()[:8].lower().startswith(_WRITE_VERBS):
        raise WriteWhileReading(f"a reading session may not write: {statement[:60]}")


def reading_engine(engine: Engine) -> Engine:
    """`engine` for reading: the same pool of connections, but on PostgreSQL every statement runs on
    its own (autocommit), so a page's reads cost no BEGIN and ROLLBACK round trips; each statement
    already saw its own snapshot under READ COMMITTED, so nothing a page shows changes. Write
    statements are refused. Kept on the engine, so each engine has one."""
    twin = engine.__dict__.get("_hub_reading_engine")
    if twin is None:
        twin = engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" \
            else engine.execution_options()
        event.listen(twin, "before_cursor_execute", _refuse_writes)
        engine.__dict__["_hub_reading_engine"] = twin
    return twin


@contextmanager
def new_read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for services marked @reads_only (see reading_engine)."""
    with Session(reading_engine(engine or get_engine()), expire_on_commit=False, info={_READING: True}) as session:
        yield session
