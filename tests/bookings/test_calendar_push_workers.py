"""Pushed calendars on the production path: PostgreSQL, Redis, two backend workers.

The backend runs as in production (`reflex run --env prod --backend-only`, GRANIAN_WORKERS=2,
Reflex state and the calendar channel in Redis). Seven idle calendar tabs open /book over Reflex's
Socket.IO protocol (the workers share the sockets between them); a member books from an eighth
tab. Every tab that shows that day gets its calendar with the booking, whichever worker holds its
socket; the tab that shows another day is not reloaded by it (its first reload is the one for a
booking of its own day).

PostgreSQL (HUB_TEST_POSTGRES_URL) and Redis (HUB_TEST_REDIS_URL) must be running: without them
this test fails, it never skips.
"""

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from benchmarks._client import ReflexClient, sign_in, state_name
from hub_app.db import make_engine, new_session
from hub_app.pages.book import CalendarState
from hub_app.services import accounts
from tests.bookings.helpers import iso, make_space, weekday_ahead
from tests.conftest import create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.postgres

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 5  # this test's own Redis database number
EMAIL = "calendar.push@members.example"
PASSWORD = "calendar-push-pw-2026!"
WAIT = 30


def _redis_url() -> str:
    base = urlsplit(os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(base._replace(path=f"/{REDIS_DB}"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    """The backend on PostgreSQL + Redis with two workers, a meeting room and a member; yields
    (base URL, room id)."""
    import redis

    work = tmp_path_factory.mktemp("calendar-push")
    redis_url = _redis_url()
    redis_client = redis.Redis.from_url(redis_url)
    redis_client.ping()  # fails the test when Redis is down
    redis_client.flushdb()
    database_url = create_postgres_database()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.pop("REFLEX_REDIS_URL", None)
    env.update({
        "HUB_ENVIRONMENT": "production", "HUB_SECRET_KEY": secrets.token_urlsafe(32),
        "HUB_DATABASE_URL": database_url, "HUB_REDIS_URL": redis_url, "HUB_PUBLIC_BASE_URL": base_url,
        "HUB_ALLOWED_ORIGINS": base_url, "HUB_UPLOAD_DIR": str(work / "uploads"), "GRANIAN_WORKERS": "2",
        "REFLEX_WEB_WORKDIR": str(work / ".web"), "REFLEX_STATES_WORKDIR": str(work / ".states"),
        "REFLEX_CHECK_LATEST_VERSION": "0", "REFLEX_TELEMETRY_ENABLED": "0",
    })
    process = None
    log_path = work / "portal.log"
    try:
        subprocess.run([sys.executable, "-m", "hub_app.cli", "migrate"], cwd=PROJECT_ROOT, env=env, check=True,
                       capture_output=True)
        engine = make_engine(database_url)
        try:
            with new_session(engine) as session:
                accounts.create_user(session=session, email=EMAIL, name="Sari Push", password=PASSWORD,
                                     role="member")
                room_id = make_space(session).id
        finally:
            engine.dispose()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only", "--backend-port",
                 str(port), "--backend-host", "127.0.0.1"],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                pytest.fail(f"the portal exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{base_url}/ping", timeout=2):
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the portal did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base_url, room_id
    finally:
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        redis_client.flushdb()
        redis_client.close()
        drop_postgres_database(database_url)


def _shows_busy(state: str, room: int):
    """An update whose calendar shows the room busy (a visitor's calendar does not name bookings)."""
    def check(update) -> bool:
        cells = update.var(state, "cells")
        return cells is not None and any(cell.get("kind") == "busy" and cell.get("space_id") == room
                                         for cell in cells)
    return check


def _reloaded(state: str):
    return lambda update: update.var(state, "cells") is not None


async def _book(member: ReflexClient, state: str, room: int, day, hour: int, title: str) -> None:
    query = {"date": day.isoformat()}
    await member.call(f"{state}.go_day", {"day": day.isoformat()}, path="/book", done=_reloaded(state))
    await member.call(f"{state}.pick", {"space_id": room, "start": iso(day, hour)}, path="/book",
                      done=lambda update: update.var(state, "form_open") is True)
    form = {"end": iso(day, hour + 1), "title": title, "people": "1", "repeat": ""}
    member.drain()
    await member.send(f"{state}.submit", {"form": form}, "/book", query)
    await member.collect(lambda update: update.var(state, "booked_id") not in (None, 0), timeout=WAIT)


def test_a_booking_on_one_worker_reaches_the_calendar_tabs_on_every_worker(two_workers):
    base_url, room = two_workers
    state = state_name(CalendarState)
    day, other_day = weekday_ahead(), weekday_ahead() + timedelta(days=7)

    async def scenario():
        cookie = await sign_in(base_url, EMAIL, PASSWORD)
        watchers = [ReflexClient(base_url) for _ in range(6)]
        elsewhere = ReflexClient(base_url)
        member = ReflexClient(base_url, cookie=cookie)
        try:
            for watcher in watchers:
                await watcher.connect("/book", {"date": day.isoformat()}, timeout=WAIT)
            await elsewhere.connect("/book", {"date": other_day.isoformat()}, timeout=WAIT)
            await member.connect("/book", {"date": day.isoformat()}, timeout=WAIT)
            for client in (*watchers, elsewhere):
                client.drain()
            await _book(member, state, room, day, 10, "Rapat dorong")
            await asyncio.gather(*[watcher.collect(_shows_busy(state, room), timeout=WAIT)
                                   for watcher in watchers])
            await _book(member, state, room, other_day, 11, "Rapat minggu depan")
            first = await elsewhere.collect(_reloaded(state), timeout=WAIT)
            assert _shows_busy(state, room)(first[-1]), "reloaded by a booking of another day"
        finally:
            await asyncio.gather(*[client.disconnect() for client in (*watchers, elsewhere, member)],
                                 return_exceptions=True)

    asyncio.run(scenario())
