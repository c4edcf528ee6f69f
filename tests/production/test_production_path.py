"""The production path: PostgreSQL for data, Redis for Reflex state, two backend workers.

The portal's backend runs as in production (`reflex run --env prod --backend-only`, HUB_ENVIRONMENT
=production, GRANIAN_WORKERS=2) on a fresh PostgreSQL database migrated from empty and a Redis
database number of its own (flushed). A member's journey then goes over Reflex's real Socket.IO
protocol and the HTTP routes, across both workers: sign in (login event, then the cookie exchange),
an event round trip, the tab's state surviving reconnects that land on the other worker, sign out
(the session is revoked: a tab with the old cookie is signed out).

PostgreSQL (HUB_TEST_POSTGRES_URL) and Redis (HUB_TEST_REDIS_URL) must be running: without them
this test fails, it never skips (.ci/run starts both).
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
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from benchmarks._client import ReflexClient, session_state_name, shell_events_name, sign_in, state_name
from hub_app.pages.home import HomeState
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.production.live_backend import socket_owner

pytestmark = pytest.mark.postgres

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 7  # this test's own Redis database number
EMAIL = "production.path@members.example"
PASSWORD = "production-path-pw-2026!"
WORKERS = 2


def _redis_url() -> str:
    base = urlsplit(os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(base._replace(path=f"/{REDIS_DB}"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_redis(url: str):
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except Exception as error:
        pytest.fail(f"Redis at {url} is required for the production path test (run .ci/run or start it): {error}")
    client.flushdb()
    return client


def _process_group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
    return pids


@pytest.fixture(scope="module")
def production_portal(tmp_path_factory):
    """The backend on PostgreSQL + Redis with two workers; yields (base URL, Redis client)."""
    work = tmp_path_factory.mktemp("production")
    redis_url = _redis_url()
    redis_client = _require_redis(redis_url)  # fails the test when Redis is down
    database_url = create_postgres_database()  # fails the test when PostgreSQL is down
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.pop("REFLEX_REDIS_URL", None)
    env.update({
        "HUB_ENVIRONMENT": "production",
        "HUB_SECRET_KEY": secrets.token_urlsafe(32),
        "HUB_DATABASE_URL": database_url,
        "HUB_REDIS_URL": redis_url,
        "HUB_PUBLIC_BASE_URL": base_url,
        "HUB_ALLOWED_ORIGINS": base_url,
        "HUB_UPLOAD_DIR": str(work / "uploads"),
        "GRANIAN_WORKERS": str(WORKERS),
        "REFLEX_WEB_WORKDIR": str(work / ".web"),
        "REFLEX_STATES_WORKDIR": str(work / ".states"),
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "0",
    })
    python = sys.executable
    log_path = work / "portal.log"
    process = None
    try:
        # Migrated from empty, and a member created, with the command-line tool (password on stdin).
        subprocess.run([python, "-m", "hub_app.cli", "migrate"], cwd=PROJECT_ROOT, env=env, check=True)
        subprocess.run([python, "-m", "hub_app.cli", "create-user", EMAIL, "--name", "Production Path", "--role",
                        "member"], cwd=PROJECT_ROOT, env=env, input=PASSWORD + "\n", text=True, check=True,
                       capture_output=True)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [python, "-m", "reflex", "run", "--env", "prod", "--backend-only", "--backend-port", str(port),
                 "--backend-host", "127.0.0.1"],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"the portal exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{base_url}/ping", timeout=2):
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the portal did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base_url, redis_client, process
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


def _var(updates, state: str, name: str):
    value = None
    for update in updates:
        if f"{name}_rx_state_" in update.delta.get(state, {}):
            value = update.var(state, name)
    return value


def test_member_journey_across_two_workers(production_portal):
    base_url, redis_client, process = production_portal
    # Supervisor + two worker processes.
    assert len(_process_group(process.pid)) >= 1 + WORKERS
    asyncio.run(_journey(base_url, redis_client))


async def _journey(base_url: str, redis_client) -> None:
    shell = session_state_name()

    # Sign in: the login event hands out a one-time ticket, the HTTP exchange sets the HttpOnly cookie.
    cookie = await sign_in(base_url, EMAIL, PASSWORD)
    assert cookie.startswith("hub_session=") and len(cookie) > len("hub_session=") + 30

    # A tab with the cookie: the page's on_load shows who is signed in.
    tab = ReflexClient(base_url, cookie=cookie)
    updates = await tab.connect("/")
    assert _var(updates, shell, "signed_in") is True
    assert _var(updates, shell, "user_name") == "Production Path"
    first_worker = socket_owner(redis_client, tab.token)

    # An event round trip.
    _, updates = await tab.call(f"{shell_events_name()}.toggle_menu")
    assert updates[0].var(shell, "menu_open") is True
    await tab.disconnect()

    # The same tab reconnects (like after a network drop); each socket may land on either worker.
    # Every page load runs the shell's on_load, which closes the menu; the home page's "book a desk
    # now" offer (HomeState.desk_open) is left alone by a page other than /, so it shows what the
    # previous connection stored. Each connection checks what the previous one wrote, until a write
    # on one worker has been read on the other (the state lives in Redis, not in a worker's memory).
    home = state_name(HomeState)
    expected, previous_worker, crossed = False, first_worker, 0
    for _ in range(40):
        tab = ReflexClient(base_url, cookie=cookie, token=tab.token)
        updates = await tab.connect("/no-such-page")
        assert _var(updates, home, "desk_open") is expected, "the tab's state was lost on reconnect"
        assert _var(updates, shell, "signed_in") is True
        assert _var(updates, shell, "user_name") == "Production Path"
        worker = socket_owner(redis_client, tab.token)
        crossed += worker != previous_worker
        previous_worker = worker
        expected = not expected
        _, updates = await tab.call(f"{home}.offer_desk" if expected else f"{home}.load")
        assert updates[0].var(home, "desk_open") is expected
        await tab.disconnect()
        if crossed >= 2:
            break
    assert crossed >= 2, "every connection landed on the same worker; the journey did not cross workers"

    # Sign out: the event revokes the session, clears the tab and has the page post the sign-out
    # form, whose answer clears the cookie.
    tab = ReflexClient(base_url, cookie=cookie)
    await tab.connect("/")
    _, updates = await tab.call(f"{shell_events_name()}.sign_out", done=lambda update: update.auth_post() is not None)
    path, fields = next(update.auth_post() for update in updates if update.auth_post())
    assert path == "/api/auth/sign-out"
    await tab.disconnect()
    async with httpx.AsyncClient(base_url=base_url, follow_redirects=False) as http:
        response = await http.post(path, data=fields, headers={"Cookie": cookie, "origin": base_url})
    assert response.status_code == 303
    assert 'hub_session=""' in response.headers.get("set-cookie", "") or "Max-Age=0" in response.headers.get(
        "set-cookie", "")

    # The old cookie no longer signs anyone in, on any worker.
    for _ in range(4):
        stale = ReflexClient(base_url, cookie=cookie)
        updates = await stale.connect("/")
        assert _var(updates, shell, "signed_in") is not True
        await stale.disconnect()
