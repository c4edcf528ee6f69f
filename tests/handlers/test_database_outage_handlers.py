"""While the database cannot be reached (PostgreSQL restarting, `make drill` drill 3), an event is
answered with the translated "try again" message, not a crashed handler, and the next event after
the server is back is served on a fresh connection; so is an event whose tab state was lost (Redis
restarting, drill 2). The background duties wait for the database with one log line a round.

The outage is real: the app's engine points at a PostgreSQL address where nothing listens (a
closed port), and the recovery test ends the test database's own server connections with
pg_terminate_backend, as a restart does."""

import asyncio
import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from reflex_base.utils.exceptions import LockExpiredError
from sqlalchemy import text

import hub_app.db
import hub_app.state.session
from hub_app import background
from hub_app.db import make_engine
from hub_app.domain.errors import Unavailable
from hub_app.event_outcomes import log_backend_exception
from hub_app.i18n import translate
from hub_app.pages.bookings import MyBookingsState
from hub_app.services import sign_in_sessions
from hub_app.state.services import call
from hub_app.state.session import SessionState, ShellState
from tests.handlers.handler_harness import covers


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # released again: nothing listens there


@pytest.fixture
def unreachable():
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{_closed_port()}/hub")
    yield engine
    engine.dispose()


@covers(MyBookingsState.cancel)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_event_during_the_outage_says_try_again(lang, hub, people, unreachable, monkeypatch):
    person = people.add(email=f"outage.{lang}@members.example", name="Outage", role="member", locale=lang)
    tab = hub.browser(person, lang=lang)
    tab.load("/bookings").ok()
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: unreachable)
    tab.call(MyBookingsState.cancel, {"booking_id": "1"}).ok()
    assert tab.state(MyBookingsState).error == translate("outage.database", lang)


def test_the_service_call_raises_a_refusal_not_a_driver_error(unreachable, monkeypatch):
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: unreachable)
    with pytest.raises(Unavailable):
        asyncio.run(call(sign_in_sessions.actor_for_token, token="x" * 43))


def test_an_uncaught_refusal_is_shown_translated_not_as_a_crash():
    notice = log_backend_exception(Unavailable())
    text_sent = repr(notice)
    assert translate("outage.database", "id") in text_sent
    assert "An error occurred" not in text_sent


@pytest.mark.postgres
def test_the_next_event_after_a_restart_is_served(postgres_engine, monkeypatch):
    """A restart closes every server connection; the pool checks a connection before use and
    opens a new one, so the first event afterwards succeeds."""
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: postgres_engine)

    def one(*, session):
        return session.exec(text("SELECT 1")).scalar()

    assert asyncio.run(call(one)) == 1  # a pooled connection now exists
    database = postgres_engine.url.database
    admin = make_engine(postgres_engine.url.render_as_string(hide_password=False))
    try:
        with admin.connect() as connection:
            ended = connection.execute(text(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()) AS ended"), {"name": database}).scalar()
            connection.commit()
    finally:
        admin.dispose()
    assert ended >= 1
    assert asyncio.run(call(one)) == 1


@pytest.mark.parametrize("exception", [LockExpiredError("lock expired"), RedisConnectionError("refused")],
                         ids=["lock expired", "redis unreachable"])
def test_a_lost_tab_state_is_shown_as_try_again(exception):
    """Redis restarted (the tab's lock and state are gone) or an event outlived its lock: the
    member is asked to try again in their language, not shown the crash notice."""
    text_sent = repr(log_backend_exception(exception))
    assert translate("outage.state", "id") in text_sent
    assert "An error occurred" not in text_sent


@covers(ShellState.load_shell, ShellState.shell_when_back)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_tab_without_its_state_shows_its_member_again_once_the_database_is_back(lang, hub, people, unreachable,
                                                                                   monkeypatch):
    """Redis restarted (the tab's state is gone) while PostgreSQL is down: the page load says
    "try again" in the member's language, and the shell looks again until the database answers,
    then shows the member signed in (not a visitor until the next page)."""
    person = people.add(email=f"shell.back.{lang}@members.example", name="Sari Kembali", role="member", locale=lang)
    tab = hub.browser(person, lang=lang)
    database = hub_app.db.get_engine()
    lookups = []

    def engine_coming_back():
        lookups.append(1)
        return unreachable if len(lookups) <= 3 else database

    monkeypatch.setattr(hub_app.state.session, "SHELL_RETRY_SECONDS", 0.01)
    monkeypatch.setattr(hub_app.db, "get_engine", engine_coming_back)
    outcome = tab.load("/").ok()
    assert translate("outage.database", lang) in " ".join(outcome.scripts)
    shell = tab.state(SessionState)
    assert (shell.signed_in, shell.user_name) == (True, "Sari Kembali")
    assert len(lookups) > 3


@covers(ShellState.shell_when_back)
def test_looking_again_is_for_tabs_that_show_nobody_and_once_at_a_time(hub, people, monkeypatch):
    """Sent by hand (any payload), it does nothing for a visitor or a tab that shows its member."""
    monkeypatch.setattr(hub_app.state.session, "SHELL_RETRY_SECONDS", 0.01)
    visitor = hub.browser(None)
    visitor.load("/").ok()
    for payload in ({}, {"requested": ["en"]}, {"requested": "x" * 10_000}, {"requested": None}):
        visitor.send(ShellState.shell_when_back, payload).not_crashed()
    assert visitor.state(SessionState).signed_in is False
    member = hub.browser(people.active)
    member.load("/").ok()
    member.call(ShellState.shell_when_back, "en").ok()
    assert member.state(SessionState).lang == "id"


def test_background_duties_wait_for_the_database_with_one_line_a_round(unreachable, monkeypatch, caplog):
    """Every duty needs the database: the round ends at the first that cannot reach it, with one
    warning line and no traceback (the drill's 5 s restart left a traceback per duty before)."""
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: unreachable)
    with caplog.at_level(logging.INFO, logger="hub.background"):
        asyncio.run(background.run_duties_once())
    lines = [(record.levelname, record.getMessage(), record.exc_info) for record in caplog.records
             if record.name == "hub.background"]
    assert lines == [("WARNING", "background duties wait for the database (OperationalError); next round in "
                                 f"{background.INTERVAL_SECONDS} s", None)]


def test_a_failing_duty_is_logged_with_its_traceback_and_the_others_still_run(monkeypatch, caplog):
    ran = []

    def broken_duty():
        raise KeyError("a bug")

    def next_duty():
        ran.append("next")

    monkeypatch.setattr(background, "DUTIES", [broken_duty, next_duty])
    with caplog.at_level(logging.INFO, logger="hub.background"):
        asyncio.run(background.run_duties_once())
    assert ran == ["next"]
    [line] = [record for record in caplog.records if record.name == "hub.background"]
    assert (line.levelname, line.getMessage(), line.exc_info[0]) == ("ERROR", "background duty broken_duty failed",
                                                                     KeyError)
