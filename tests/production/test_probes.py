"""/health (alive), /ready (database and Redis reachable) and /api/health (the older database probe),
through the real routes and header middleware, on SQLite and PostgreSQL, with a real Redis (the local
server) and real unreachable ones (a closed port, a database file in a folder that does not exist)."""

import os
import socket
from urllib.parse import urlsplit, urlunsplit

import pytest
from starlette.testclient import TestClient

import hub_app.db
from hub_app.api import build_api, wrap_with_headers


@pytest.fixture
def probes(engine, monkeypatch):
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    with TestClient(wrap_with_headers(build_api()), base_url="http://localhost:3000") as http:
        yield http


def _redis_url() -> str:
    base = urlsplit(os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(base._replace(path="/8"))  # only PINGed, nothing written


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


def _database_gone(monkeypatch, tmp_path):
    unreachable = hub_app.db.make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'hub.db'}")
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: unreachable)


def test_health_answers_without_looking_at_the_database(probes, monkeypatch, tmp_path):
    _database_gone(monkeypatch, tmp_path)
    response = probes.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_ready_with_the_database_and_state_on_disk(probes):
    response = probes.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "not used"}}
    assert response.headers["cache-control"] == "no-store"


def test_ready_with_the_database_and_redis(probes, monkeypatch):
    monkeypatch.setenv("REFLEX_REDIS_URL", _redis_url())
    response = probes.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_not_ready_when_redis_is_unreachable(probes, monkeypatch):
    monkeypatch.setenv("REFLEX_REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")
    response = probes.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "redis": "error"}}
    assert "127.0.0.1" not in response.text


def test_not_ready_when_the_database_is_unreachable(probes, monkeypatch, tmp_path):
    _database_gone(monkeypatch, tmp_path)
    response = probes.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error", "redis": "not used"}}
    assert "sqlite" not in response.text.lower() and "missing-dir" not in response.text
    assert probes.get("/api/health").status_code == 503
    assert probes.get("/health").status_code == 200


def test_a_draining_node_is_not_ready_and_refuses_new_event_sockets(probes, monkeypatch):
    """While a node moves its tabs away after SIGTERM (hub_app/drain.py), /ready says so and a new
    Engine.IO request gets 503, which nginx retries on another node; other routes still answer.
    tests/production/test_drain.py runs the whole drain on two real nodes behind nginx."""
    import hub_app.drain

    monkeypatch.setattr(hub_app.drain, "_draining", True)
    ready = probes.get("/ready")
    assert (ready.status_code, ready.json()) == (503, {"status": "draining"})
    socket_open = probes.get("/_event/?EIO=4&transport=polling")
    assert socket_open.status_code == 503
    assert socket_open.headers["retry-after"] == "1"
    assert socket_open.headers["cache-control"] == "no-store"
    assert probes.get("/health").status_code == 200
