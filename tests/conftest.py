"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and a test environment.

Service tests take the `session` (or `engine`) fixture and run once per engine. PostgreSQL comes
from HUB_TEST_POSTGRES_URL (default: the local server); if it cannot be reached the tests fail,
they never skip: .ci/run starts the server when it is down.
"""

import os
import tempfile
import uuid
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="hub-tests-"))
os.environ.setdefault("HUB_ENVIRONMENT", "test")
os.environ["HUB_DATABASE_URL"] = f"sqlite:///{_TMP / 'handlers.db'}"
os.environ["HUB_UPLOAD_DIR"] = str(_TMP / "uploads")
os.environ.setdefault("HUB_SECRET_KEY", "test-secret-key-that-is-long-enough-1234")

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from hub_app.db import make_engine  # noqa: E402
from hub_app.migrations import upgrade  # noqa: E402
from hub_app.models import metadata  # noqa: E402

POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ENGINES = ["sqlite", "postgres"]


def _postgres_admin_url() -> str:
    return POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)


def create_postgres_database() -> str:
    """A fresh, empty database on the test server; returns its URL."""
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # make the reason obvious instead of a wall of driver errors
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required for the tests (run .ci/run or start it): {error}")
    finally:
        admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_engine():
    engine = make_engine(f"sqlite:///{_TMP / f'services-{uuid.uuid4().hex[:8]}.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine():
    url = create_postgres_database()
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    drop_postgres_database(url)


def empty_tables(engine) -> None:
    """Deletes every row, children before parents. On PostgreSQL the ids start again from 1, as
    after TRUNCATE ... RESTART IDENTITY, which costs ~250 ms for the schema's tables (a new file for
    each table and index) where these deletes of a test's few rows take ~30 ms."""
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("; ".join(f"DELETE FROM {table}" for table in tables)))
            sequences = connection.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")).scalars().all()
            if sequences:
                connection.execute(text("; ".join(f'ALTER SEQUENCE "{name}" RESTART' for name in sequences)))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(params=ENGINES)
def engine(request):
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    engine = request.getfixturevalue(f"{request.param}_engine")
    empty_tables(engine)
    return engine


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def app_engine():
    """The database that handlers and HTTP routes use (HUB_DATABASE_URL), migrated."""
    from hub_app.db import get_engine

    engine = get_engine()
    upgrade(engine)
    return engine


@pytest.fixture
def app_db(app_engine):
    empty_tables(app_engine)
    return app_engine
