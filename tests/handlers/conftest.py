"""Fixtures for handler tests: `handler_db` (the app's handlers run against a migrated, empty
database, once on SQLite and once on PostgreSQL), `people` (one user of each kind, signed in) and
`hub` (an in-process backend to open browser tabs on), `actor_lookups` (the session tokens looked up
from then on). See handler_harness.py and tests/README.md."""

import pytest

import hub_app.db
from hub_app.services import sign_in_sessions
from tests.handlers.handler_harness import Hub, arrange_people


@pytest.fixture
def handler_db(engine, monkeypatch):
    """Points the app's session factory (hub_app.db.get_engine) at the test database of this
    parametrisation (SQLite or PostgreSQL, migrated and emptied by the root conftest)."""
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)
    return engine


@pytest.fixture
def people(handler_db):
    return arrange_people(handler_db)


@pytest.fixture
def hub(handler_db):
    backend = Hub()
    yield backend
    backend.close()


@pytest.fixture
def actor_lookups(monkeypatch) -> list[str]:
    """The session tokens the handlers look up from now on (one database round trip each)."""
    lookups: list[str] = []
    real_lookup = sign_in_sessions.actor_for_token
    monkeypatch.setattr(sign_in_sessions, "actor_for_token",
                        lambda **kw: lookups.append(kw["token"]) or real_lookup(**kw))
    return lookups
