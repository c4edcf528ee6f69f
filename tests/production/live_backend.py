"""A real backend for the production tests: `reflex run --env prod --backend-only` as its own process
group on PostgreSQL and a Redis database number of the test's own, started and stopped the way the
service manager would. PostgreSQL and Redis must be running: a test fails without them, it never
skips (.ci/run starts both)."""

from __future__ import annotations

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

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_database(number: int, *, empty: bool = True):
    """(URL, client) of Redis database `number` on the test server, emptied unless `empty` is false
    (tests that may run at once in two workers and keep to keys of their own); fails when Redis is
    down. Each test module keeps numbers of its own, as pytest's two workers run modules at once: 5
    calendar_push_workers, 6 calendar_push, 7 production_path, 8 probes, 9 metrics_live, 10 drain,
    11 and 14 tab_tokens, 12 state_locks, 13 worker_respawn, 15 tab_data_handlers and stored_tab_states."""
    import redis

    base = urlsplit(os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    url = urlunsplit(base._replace(path=f"/{number}"))
    client = redis.Redis.from_url(url)
    try:
        if empty:
            client.flushdb()
        else:
            client.ping()
    except Exception as error:
        pytest.fail(f"Redis at {url} is required for this test (run .ci/run or start it): {error}")
    return url, client


def socket_owner(redis_client, token: str) -> str:
    """The backend worker that holds the tab's socket (Reflex's Redis token manager record)."""
    import pickle

    record = redis_client.get(f"token_manager_socket_record_{token}")
    assert record is not None, "the tab's socket is not registered in Redis"
    return pickle.loads(record).instance_id


def backend_env(work: Path, *, database_url: str, redis_url: str, public_url: str, workers: int = 1,
                **extra: str) -> dict[str, str]:
    """The environment of a production node (settings as in deploy/systemd/hub.env.example)."""
    env = dict(os.environ)
    env.pop("REFLEX_REDIS_URL", None)
    env.update({
        "HUB_ENVIRONMENT": "production", "HUB_SECRET_KEY": secrets.token_urlsafe(32),
        "HUB_DATABASE_URL": database_url, "HUB_REDIS_URL": redis_url, "HUB_PUBLIC_BASE_URL": public_url,
        "HUB_ALLOWED_ORIGINS": public_url, "HUB_UPLOAD_DIR": str(work / "uploads"), "GRANIAN_WORKERS": str(workers),
        "REFLEX_WEB_WORKDIR": str(work / ".web"), "REFLEX_STATES_WORKDIR": str(work / ".states"),
        "REFLEX_CHECK_LATEST_VERSION": "0", "REFLEX_TELEMETRY_ENABLED": "0",
    })
    env.update(extra)
    return env


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    """`python -m hub_app.cli ...` with the node's settings (migrate, create-user)."""
    subprocess.run([sys.executable, "-m", "hub_app.cli", *args], cwd=PROJECT_ROOT, env=env, input=stdin, text=True,
                   check=True, capture_output=True)


def start_backend(env: dict[str, str], port: int, log_path: Path, *, timeout: float = 240) -> subprocess.Popen:
    """Starts the node and waits until it answers /ping (fails the test with its log otherwise)."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only", "--backend-port", str(port),
             "--backend-host", "127.0.0.1"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"the portal exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2):
                return process
        if time.monotonic() > deadline:
            stop_backend(process)
            pytest.fail(f"the portal did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.5)  # polling the port until the server answers


def stop_backend(process: subprocess.Popen | None) -> None:
    """SIGTERM to the whole group, SIGKILL to what is left after 20 s."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
