"""/metrics and the event log of a real backend: `reflex run --env prod --backend-only` with two
workers on PostgreSQL and Redis, prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR)
and HUB_LOG_FORMAT=json, driven over Reflex's Socket.IO protocol. A failed and a good sign-in (the
login page's event), an open tab and its departure show up in every worker's scrape: the event
round-trip histogram per handler, events by outcome, failed sign-ins, connected tabs; the log file
holds one JSON line per event and per request, and not the member's email, name or password.

PostgreSQL and Redis must be running (the test fails otherwise, it never skips)."""

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from benchmarks._client import ReflexClient, sign_in, state_name
from hub_app.pages.login import LoginState
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.production.live_backend import free_port, redis_database

pytestmark = pytest.mark.postgres

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 9  # this test's own Redis database number
EMAIL = "metrics.live@members.example"
NAME = "Metrik Langsung"
PASSWORD = "metrics-live-pw-2026!"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    work = tmp_path_factory.mktemp("metrics-live")
    redis_url, redis_client = redis_database(REDIS_DB)  # fails the test when Redis is down
    database_url = create_postgres_database()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.pop("REFLEX_REDIS_URL", None)
    env.update({
        "HUB_ENVIRONMENT": "production", "HUB_SECRET_KEY": secrets.token_urlsafe(32),
        "HUB_DATABASE_URL": database_url, "HUB_REDIS_URL": redis_url,
        "HUB_PUBLIC_BASE_URL": base_url, "HUB_ALLOWED_ORIGINS": base_url,
        "HUB_UPLOAD_DIR": str(work / "uploads"), "HUB_LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"), "GRANIAN_WORKERS": "2",
        "REFLEX_WEB_WORKDIR": str(work / ".web"), "REFLEX_STATES_WORKDIR": str(work / ".states"),
        "REFLEX_CHECK_LATEST_VERSION": "0", "REFLEX_TELEMETRY_ENABLED": "0",
    })
    python, log_path, process = sys.executable, work / "portal.log", None
    try:
        subprocess.run([python, "-m", "hub_app.cli", "migrate"], cwd=PROJECT_ROOT, env=env, check=True,
                       capture_output=True)
        subprocess.run([python, "-m", "hub_app.cli", "create-user", EMAIL, "--name", NAME, "--role", "member"],
                       cwd=PROJECT_ROOT, env=env, input=PASSWORD + "\n", text=True, check=True, capture_output=True)
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
                with urllib.request.urlopen(f"{base_url}/health", timeout=2):
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the portal did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)  # polling the port until the server answers
        yield base_url, log_path
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


async def scrape(base_url: str) -> dict[tuple, float]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


async def until(base_url: str, check, what: str) -> dict:
    """Scrapes (each time on whichever worker answers) until `check` holds for three scrapes in a row."""
    deadline, held = time.monotonic() + 30, 0
    while time.monotonic() < deadline:
        found = await scrape(base_url)
        held = held + 1 if check(found) else 0
        if held == 3:
            return found
        await asyncio.sleep(0.2)  # the next scrape, not a wait for something to finish
    pytest.fail(f"the metrics never showed {what}: {found}")


def test_events_sign_ins_and_tabs_in_every_workers_scrape_and_the_log(portal):
    base_url, log_path = portal
    asyncio.run(_journey(base_url))
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    submit = f"{state_name(LoginState)}.submit"
    events = [line for line in lines if line.get("kind") == "event" and line["handler"] == submit]
    assert len(events) == 2 and {line["outcome"] for line in events} == {"ok"}
    assert all(line["ms"] > 0 and len(line["tab"]) == 8 for line in events)
    requests = [line for line in lines if line.get("kind") == "request"]
    assert {(line["path"], line["status"]) for line in requests} >= {("/metrics", 200), ("/api/auth/session", 303)}
    text = log_path.read_text()
    for secret in (EMAIL, NAME, PASSWORD, "metrics.live"):
        assert secret not in text


async def _journey(base_url: str) -> None:
    submit = f"{state_name(LoginState)}.submit"
    failed = ReflexClient(base_url)
    await failed.connect("/login")
    _, updates = await failed.call(submit, {"form": {"email": EMAIL, "password": "wrong password"}}, path="/login")
    assert any(update.var(state_name(LoginState), "error") for update in updates)
    await failed.disconnect()
    cookie = await sign_in(base_url, EMAIL, PASSWORD)

    event = ("hub_event_seconds_count", (("handler", submit),))
    found = await until(base_url, lambda found: found.get(event) == 2 and found.get(("hub_connected_tabs", ())) == 0,
                        "two timed sign-ins and no open tab")
    assert found[("hub_events_total", (("handler", submit), ("outcome", "ok")))] == 2
    assert found[("hub_sign_in_failures", ())] == 1
    assert found[("hub_database_up", ())] == 1
    assert found[("hub_event_seconds_sum", (("handler", submit),))] > 0

    tabs = [ReflexClient(base_url, cookie=cookie) for _ in range(3)]
    for tab in tabs:
        await tab.connect("/")
    await until(base_url, lambda found: found.get(("hub_connected_tabs", ())) == 3, "three open tabs")
    for tab in tabs:
        await tab.disconnect()
    await until(base_url, lambda found: found.get(("hub_connected_tabs", ())) == 0, "the tabs gone")
