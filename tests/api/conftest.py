"""HTTP route tests: the portal's Starlette routes with their response-header middleware, exactly as
hub_app.hub_app mounts them (build_api() wrapped by wrap_with_headers), called in-process through
Starlette's TestClient (httpx over the ASGI interface; server exceptions are raised, so a 500
fails the test loudly), against a migrated database on SQLite and on PostgreSQL."""

import pytest
from starlette.testclient import TestClient

import hub_app.db
from hub_app.api import build_api, wrap_with_headers

ORIGIN = "http://localhost:3000"  # an allowed origin in the default settings


@pytest.fixture
def api_db(engine, monkeypatch):
    """Points the app's session factory at this parametrisation's database (SQLite / PostgreSQL)."""
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)
    return engine


@pytest.fixture
def client(api_db):
    """An httpx client on the real routes; it does not follow redirects (tests check them)."""
    with TestClient(wrap_with_headers(build_api()), base_url=ORIGIN, follow_redirects=False,
                    client=("203.0.113.20", 51000)) as http:
        yield http
