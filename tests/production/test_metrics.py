"""/metrics through the real routes and header middleware, on SQLite and PostgreSQL: strangers get
401 (no token) or 403 (a wrong one), the loopback, an allowed network and the token get the
Prometheus text; a stranger relayed by an untrusted proxy on the loopback is not let in. The
figures read from the database move after a real booking, enrolment, failed sign-in and queued
email made through the services; HTTP requests are timed. Every request writes one log line (JSON
with HUB_LOG_FORMAT=json) without tokens in paths, addresses or query strings."""

import io
import json
import logging
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

import hub_app.db
from hub_app.api import build_api, wrap_with_headers
from hub_app.domain.errors import InvalidInput
from hub_app.logs import configure_logging, path_for_log
from hub_app.metrics import time_database
from hub_app.models import EmailOutbox
from hub_app.services import accounts, bookings, enrolments
from hub_app.settings import get_settings
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, make_space, weekday_ahead
from tests.trainings.helpers import make_training
from tests.transactions import end_read

TOKEN = "metrics-token-for-the-tests-0123456789"
STRANGER = ("203.0.113.20", 51000)


@pytest.fixture
def portal(engine, monkeypatch):
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)
    monkeypatch.setattr(get_settings(), "metrics_token", TOKEN)
    monkeypatch.setattr(get_settings(), "metrics_allow", ["127.0.0.1/32", "::1/128", "10.20.0.0/16"])
    monkeypatch.setattr(get_settings(), "trusted_proxy_hops", 0)
    time_database()  # as hub_app/hub_app.py does at start

    def client(address=STRANGER):
        return TestClient(wrap_with_headers(build_api()), base_url="http://localhost:3000", client=address)
    return client


def figures(response) -> dict[tuple, float]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_strangers_are_refused(portal):
    stranger = portal()
    response = stranger.get("/metrics")
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
    assert "hub_" not in response.text
    assert stranger.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 403
    assert stranger.get("/metrics", headers={"authorization": f"Basic {TOKEN}"}).status_code == 401
    # nginx on the same machine relays an internet client, and no proxy hops are trusted.
    relayed = portal(("127.0.0.1", 40000)).get("/metrics", headers={"x-forwarded-for": "198.51.100.7"})
    assert relayed.status_code == 401


def test_the_token_the_loopback_and_an_allowed_network_are_answered(portal):
    assert figures(portal().get("/metrics", headers={"authorization": f"Bearer {TOKEN}"}))
    assert figures(portal(("127.0.0.1", 40000)).get("/metrics"))
    assert figures(portal(("10.20.3.4", 40000)).get("/metrics"))
    assert portal(("10.21.3.4", 40000)).get("/metrics").status_code == 401


def test_an_allowed_network_behind_trusted_proxies(portal, monkeypatch):
    monkeypatch.setattr(get_settings(), "trusted_proxy_hops", 1)
    proxy = portal(("127.0.0.1", 40000))
    assert proxy.get("/metrics", headers={"x-forwarded-for": "198.51.100.7"}).status_code == 401
    assert figures(proxy.get("/metrics", headers={"x-forwarded-for": "10.20.9.9"}))


def test_the_figures_move_after_real_writes(portal, session):
    scraper = portal(("127.0.0.1", 40000))
    before = figures(scraper.get("/metrics"))
    assert before[("hub_database_up", ())] == 1

    rina = make_user(session, "rina@umkm.example", name="Rina Kusuma")
    member = actor_of(rina)
    room = make_space(session)
    training = make_training(session)
    room_id, training_id = room.id, training.id
    end_read(session)
    day = weekday_ahead(3)
    bookings.book(member, session=session, space_id=room_id, start=iso(day, 10), end=iso(day, 11),
                  title="Rapat tim", people=2)
    enrolments.enrol(member, session=session, training_id=training_id)
    with pytest.raises(InvalidInput):
        accounts.sign_in(None, session=session, email="rina@umkm.example", password="not her password",
                         client_address="203.0.113.9")
    session.commit()  # the failed attempt counts (the page's helper commits it the same way)
    session.add(EmailOutbox(to_address="rina@umkm.example", subject="Booking", body_text="..."))
    session.commit()

    after = figures(scraper.get("/metrics"))
    confirmed = ("hub_bookings_created", (("status", "confirmed"),))
    assert after[confirmed] == before.get(confirmed, 0) + 1
    enrolled = [key for key in after if key[0] == "hub_enrolments_created"]
    assert sum(after[key] for key in enrolled) == sum(before.get(key, 0) for key in enrolled) + 1
    assert after[("hub_sign_in_failures", ())] == before[("hub_sign_in_failures", ())] + 1
    assert after[("hub_outbox_backlog", ())] >= before[("hub_outbox_backlog", ())] + 1
    # The first scrape's own request was timed by the second one, and the database time grew.
    ok = ("hub_http_request_seconds_count", (("method", "GET"), ("status", "200")))
    assert after[ok] >= before.get(ok, 0) + 1
    selects = ("hub_database_seconds_count", (("operation", "select"),))
    inserts = ("hub_database_seconds_count", (("operation", "insert"),))
    assert after[selects] > before.get(selects, 0) and after[inserts] >= before.get(inserts, 0) + 3


def test_the_database_down_is_a_figure_not_an_error(portal, monkeypatch, tmp_path):
    unreachable = hub_app.db.make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'hub.db'}")
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: unreachable)
    found = figures(portal(("127.0.0.1", 40000)).get("/metrics"))
    assert found[("hub_database_up", ())] == 0
    assert not any(name.startswith("hub_bookings") for name, _ in found)


def test_one_json_line_per_request_without_tokens_or_addresses(portal):
    stream = io.StringIO()
    handler = configure_logging(stream, "json")
    try:
        client = portal()
        feed = "Xk3vQ9ZpL2mN8rT5wY7aB4cD6eF1gH0j"
        client.get(f"/api/calendar/{feed}.ics?email=rina@umkm.example")
        client.get("/health")
        client.get("/metrics")
    finally:
        configure_logging()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    requests = [line for line in lines if line.get("kind") == "request"]
    assert [(line["method"], line["path"], line["status"]) for line in requests] == [
        ("GET", "/api/calendar/*", 404), ("GET", "/health", 200), ("GET", "/metrics", 401)]
    for line in requests:
        assert line["logger"] == "hub.access" and line["level"] == "info" and line["ms"] >= 0
        assert line["ts"].endswith("+00:00")
    text = stream.getvalue()
    assert feed not in text and "rina" not in text and "203.0.113.20" not in text
    assert handler not in logging.getLogger("hub").handlers


def test_text_lines_by_default(portal):
    assert get_settings().log_format == "text"
    stream = io.StringIO()
    configure_logging(stream)
    try:
        portal().get("/health")
    finally:
        configure_logging()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO hub.access GET /health 200 \d+\.\d ms\n",
                        stream.getvalue())


def test_paths_keep_numbers_and_words_only():
    assert path_for_log("/trainings/12") == "/trainings/12"
    assert path_for_log("/verify/AbCdEf0123456789xyz") == "/verify/*"
    assert path_for_log("/events/cancel/q1w2e3r4t5") == "/events/cancel/*"
    assert path_for_log("/media/avatars/3f9c1e.webp") == "/media/avatars/*"
    assert path_for_log("/api/trainings/7/calendar.ics") == "/api/trainings/7/calendar.ics"
    assert path_for_log("/members/rina@umkm.example") == "/members/*"


def test_a_failed_statement_leaves_no_start_behind(engine):
    from sqlalchemy import text

    time_database()
    with engine.connect() as connection:
        with pytest.raises(Exception):  # noqa: B017  (the driver's own error for a missing table)
            connection.execute(text("SELECT * FROM no_such_table"))
        connection.rollback()
        connection.execute(text("SELECT 1"))
        assert connection.connection.info.get("hub_metrics_started") in (None, [])
