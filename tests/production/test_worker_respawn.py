"""A backend worker that dies is replaced, and no tab loses a booking to it (issue 13).

- `test_reflex_starts_granian_with_respawn_on`: rxconfig.py makes Granian's server respawn failed
  workers (hub_app/respawn.py); checked on the Server that Reflex itself constructs for
  `reflex run --env prod` and tests/browser/serve.py, with GRANIAN_WORKERS=2.
- `test_a_killed_worker_is_replaced_and_no_booking_is_lost`: the real `reflex run --env prod`
  (backend only) on PostgreSQL + Redis with GRANIAN_WORKERS=2, and again on SQLite + Reflex's disk
  state with one worker. Simulated tabs (benchmarks/_client.py, Reflex's Socket.IO protocol), each a
  signed-in member on /book, book one desk after another; when a quarter of the bookings are
  confirmed, the worker serving the most tabs is killed with SIGKILL (what the out-of-memory killer
  does). A tab whose socket dies reconnects with the same token as the browser does (hydrate +
  on_load), checks it is still signed in on the same day, and sends the booking it had in flight
  again (book() answers a retry with the booking already made). Afterwards: the supervisor is alive,
  a new worker replaced the dead one and serves, every tab finished, and the bookings in the
  database are exactly the ones the tabs saw confirmed, none twice.

One kill per portal: killing the replacement again within ~5.5 s of its respawn would trip
Granian's crash-loop guard, which stops the whole server on purpose (README, "Production").
Everything waits by polling with a deadline; nothing sleeps to wait for an outcome. PostgreSQL and
Redis must be running (the test fails, never skips, without them).
"""

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from socketio.exceptions import SocketIOError
from sqlmodel import Session, col, select

from benchmarks._client import ReflexClient, Update, session_state_name, state_name
from tests.bookings.helpers import iso, local, weekday_ahead
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.production.test_production_path import _free_port, _redis_url, _require_redis

pytestmark = pytest.mark.postgres

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 13  # this module's own Redis database number (tests/production/live_backend.py lists them)
TABS = 8  # one signed-in member each
HOURS = list(range(8, 20))  # each tab books 12 one-hour desk bookings, 08.00-20.00 (the default hours)
KILL_AFTER = TABS * len(HOURS) // 4  # confirmed bookings before the kill
DEADLINE = 120  # seconds for the whole load, reconnects included
PROBE = r"""
import json
import granian.server
from reflex_base.config import get_config
from reflex_base.constants import LogLevel

get_config()  # imports rxconfig.py, as `reflex run` and tests/browser/serve.py do before the backend starts
from reflex.utils import exec  # noqa: E402

seen = {}
granian.server.Server.serve = lambda self, *a, **k: seen.update(
    cls=type(self).__name__, respawn=self.respawn_failed_workers, workers=self.workers)
exec.run_granian_backend_prod("127.0.0.1", 0, LogLevel.ERROR, app_target="hub_app.respawn:RespawningServer")
explicit = granian.server.Server(target="x:y", respawn_failed_workers=False)
print(json.dumps({**seen, "explicit": explicit.respawn_failed_workers}))
"""


def _module_redis_url() -> str:
    return _redis_url().rsplit("/", 1)[0] + f"/{REDIS_DB}"


def test_reflex_starts_granian_with_respawn_on():
    """In a process of its own: Granian's logging set-up and the fork preparation stay out of pytest."""
    env = {**os.environ, "GRANIAN_WORKERS": "2", "HUB_REDIS_URL": _module_redis_url()}
    env.pop("REFLEX_REDIS_URL", None)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"cls": "RespawningServer", "respawn": True, "workers": 2, "explicit": False}


# --- the portal, its processes and its sockets ----------------------------------------------------

@dataclass
class Portal:
    base_url: str
    port: int
    process: subprocess.Popen
    database_url: str
    log_path: Path
    workers: int
    space_id: int = 0
    cookies: list[str] = field(default_factory=list)


def _children(pid: int) -> list[int]:
    """The supervisor's child processes: the Granian workers (they are forked from it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid and stat.rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry.name))
    return sorted(found)


def _client_ports_served_by(pid: int, server_port: int) -> set[int]:
    """The client ports of the established TCP connections that process `pid` serves on server_port."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                link = os.readlink(fd)
                if link.startswith("socket:["):
                    inodes.add(link[len("socket:["):-1])
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_address, remote_address, tcp_state, inode = fields[1], fields[2], fields[3], fields[9]
        if tcp_state == "01" and inode in inodes and int(local_address.split(":")[1], 16) == server_port:
            ports.add(int(remote_address.split(":")[1], 16))
    return ports


def _port_of(tab: ReflexClient) -> int:
    """The local port of the tab's websocket (python-engineio keeps the aiohttp websocket in .ws)."""
    return tab.sio.eio.ws.get_extra_info("sockname")[1]


def _ping(base_url: str) -> bool:
    with contextlib.suppress(OSError):
        with urllib.request.urlopen(f"{base_url}/ping", timeout=3) as response:
            return response.status == 200
    return False


def _poll(predicate, *, timeout: float, what: str, step: float = 0.05):
    """Polls predicate() until it returns something true, or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        time.sleep(step)


def _arrange(database_url: str, secret_key: str, tabs: int) -> tuple[int, list[str]]:
    """A desk area with a seat per tab and `tabs` active members (quotas that fit the load), each
    with a live session; returns the space id and the members' cookie headers."""
    from hub_app.db import make_engine
    from hub_app.models import Space, User, UserSession
    from hub_app.models.base import utcnow
    from hub_app.services.security import new_token
    from hub_app.settings import get_settings

    def hash_token(token: str) -> str:  # services.security.hash_token, with the portal's secret key
        return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()

    engine = make_engine(database_url)
    cookies = []
    try:
        with Session(engine, expire_on_commit=False) as session:
            space = Space(kind="desk_area", name_id="Area Kerja Bersama", name_en="Coworking desks", capacity=tabs,
                          max_minutes=600)
            session.add(space)
            now = utcnow()
            users = []
            for index in range(tabs):
                email = f"tab{index}@respawn.example"
                user = User(email=email, email_normalized=email, name=f"Anggota {index}", password_hash="x",
                            status="active", email_verified_at=now, consent_at=now,
                            consent_version=get_settings().terms_version, quota_hours_per_week=168,
                            quota_upcoming_bookings=500)
                session.add(user)
                users.append(user)
            session.flush()
            for user in users:
                token = new_token()
                session.add(UserSession(user_id=user.id, token_hash=hash_token(token),
                                        expires_at=now + timedelta(days=1)))
                cookies.append(f"hub_session={token}")
            session.commit()
            return space.id, cookies
    finally:
        engine.dispose()


@contextlib.contextmanager
def _portal(tmp_path: Path, *, database: str, workers: int):
    """`reflex run --env prod --backend-only` on a fresh database (and Redis DB 6 with `workers` > 1)."""
    redis_client = None
    if database == "postgres":
        database_url = create_postgres_database()  # fails the test when PostgreSQL is down
    else:
        database_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.pop("REFLEX_REDIS_URL", None)
    env.pop("HUB_REDIS_URL", None)
    env.update({
        "HUB_ENVIRONMENT": "production",
        "HUB_SECRET_KEY": secrets.token_urlsafe(32),
        "HUB_DATABASE_URL": database_url,
        "HUB_PUBLIC_BASE_URL": base_url,
        "HUB_ALLOWED_ORIGINS": base_url,
        "HUB_UPLOAD_DIR": str(tmp_path / "uploads"),
        "GRANIAN_WORKERS": str(workers),
        "REFLEX_WEB_WORKDIR": str(tmp_path / ".web"),
        "REFLEX_STATES_WORKDIR": str(tmp_path / ".states"),
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "0",
        "PYTHONUNBUFFERED": "1",
        "GRANIAN_LOG_LEVEL": "info",  # the supervisor's "Respawning worker-N" line
    })
    if workers > 1:
        redis_url = _module_redis_url()
        redis_client = _require_redis(redis_url)  # fails the test when Redis is down; flushed
        env["HUB_REDIS_URL"] = redis_url
    log_path = tmp_path / "portal.log"
    process = None
    try:
        subprocess.run([sys.executable, "-m", "hub_app.cli", "migrate"], cwd=PROJECT_ROOT, env=env, check=True,
                       capture_output=True)
        space_id, cookies = _arrange(database_url, env["HUB_SECRET_KEY"], TABS)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only", "--backend-port",
                 str(port), "--backend-host", "127.0.0.1"],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        portal = Portal(base_url, port, process, database_url, log_path, workers, space_id, cookies)

        def up():
            if process.poll() is not None:
                pytest.fail(f"the portal exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            return _ping(base_url) and len(_children(process.pid)) >= workers

        _poll(up, timeout=180, what="the portal starting", step=0.5)
        yield portal
    finally:
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if redis_client is not None:
            redis_client.flushdb()
            redis_client.close()
        if database == "postgres":
            drop_postgres_database(database_url)


# --- the load: tabs that book, lose their socket, reconnect and retry ------------------------------

class Lost(Exception):
    """The tab's socket closed (or the answer did not come) while it waited."""


@dataclass
class TabRun:
    index: int
    cookie: str
    token: str = ""
    confirmed: dict[int, int] = field(default_factory=dict)  # hour -> booking id
    retried_at: dict[int, float] = field(default_factory=dict)  # hour -> wall clock of the retry
    reconnects: list[float] = field(default_factory=list)  # seconds from loss to hydrated again
    confirmed_after_kill: int = 0
    port: int = 0


CALENDAR = ""
SHELL = ""


async def _wait_for(tab: ReflexClient, done, timeout: float = 15) -> Update:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tab.sio is None or not tab.sio.connected:
            raise Lost("socket closed")
        try:
            update = await asyncio.wait_for(tab.updates.get(), 0.2)
        except TimeoutError:
            continue
        if done(update):
            return update
    raise Lost("no answer")


async def _send(tab: ReflexClient, handler: str, payload: dict, done) -> Update:
    tab.drain()
    try:
        await tab.send(f"{CALENDAR}.{handler}", payload, path="/book")
    except (SocketIOError, ConnectionError, OSError) as error:
        raise Lost(str(error)) from None
    return await _wait_for(tab, done)


async def _open(run: TabRun, base_url: str, day: str) -> ReflexClient:
    """Connects (or reconnects, same token) on /book?date=day: hydrate + on_load, as the browser does;
    checks that the tab is signed in as its member and shows that day."""
    failed = 0
    while True:
        tab = ReflexClient(base_url, cookie=run.cookie, token=run.token or None)
        try:
            updates = await tab.connect("/book", {"date": day}, timeout=30)
            break
        except (SocketIOError, ConnectionError, OSError, TimeoutError):
            with contextlib.suppress(Exception):
                await tab.disconnect()
            failed = min(failed + 1, 10)
            await asyncio.sleep(0.2 * failed)  # the browser's backoff between connection attempts
    run.token = tab.token
    values = {}
    for update in updates:
        for state, name in ((SHELL, "signed_in"), (SHELL, "user_name"), (CALENDAR, "day")):
            if f"{name}_rx_state_" in update.delta.get(state, {}):
                values[name] = update.var(state, name)
    assert values == {"signed_in": True, "user_name": f"Anggota {run.index}", "day": day}, values
    return tab


async def _book_all(run: TabRun, base_url: str, space_id: int, day, kill_done: asyncio.Event,
                    progress: asyncio.Event, counter: list[int]) -> None:
    tab = await _open(run, base_url, day.isoformat())
    run.port = _port_of(tab)
    for hour in HOURS:
        retry = False
        while hour not in run.confirmed:
            try:
                if retry:
                    run.retried_at[hour] = time.time()
                await _send(tab, "pick", {"space_id": space_id, "start": iso(day, hour)},
                            lambda u: "form_version_rx_state_" in u.delta.get(CALENDAR, {})
                            or bool(u.var(CALENDAR, "error")))
                answer = await _send(
                    tab, "submit", {"form": {"end": iso(day, hour + 1), "title": "Kerja", "people": "1", "note": ""}},
                    lambda u: bool(u.var(CALENDAR, "booked_id")) or bool(u.var(CALENDAR, "form_error")))
            except Lost:
                lost_at = time.perf_counter()
                with contextlib.suppress(Exception):
                    await tab.disconnect()
                tab = await _open(run, base_url, day.isoformat())
                run.reconnects.append(time.perf_counter() - lost_at)
                retry = True
                continue
            assert not answer.var(CALENDAR, "form_error"), answer.var(CALENDAR, "form_error")
            run.confirmed[hour] = answer.var(CALENDAR, "booked_id")
            run.confirmed_after_kill += kill_done.is_set()
            counter[0] += 1
            if counter[0] >= KILL_AFTER:
                progress.set()
    await tab.disconnect()


async def _load_and_kill(portal: Portal, runs: list[TabRun], day) -> dict:
    """Runs the tabs; when KILL_AFTER bookings are confirmed, kills the worker serving the most tabs."""
    progress, kill_done, counter = asyncio.Event(), asyncio.Event(), [0]
    tasks = [asyncio.create_task(_book_all(run, portal.base_url, portal.space_id, day, kill_done, progress,
                                           counter)) for run in runs]
    killed: dict = {}

    async def killer():
        await progress.wait()
        workers = _children(portal.process.pid)
        served = {pid: _client_ports_served_by(pid, portal.port) for pid in workers}
        victim = max(workers, key=lambda pid: len(served[pid] & {run.port for run in runs}))
        killed.update(pid=victim, workers=workers, tabs={run.index for run in runs if run.port in served[victim]},
                      confirmed_before=counter[0], at=time.perf_counter())
        os.kill(victim, signal.SIGKILL)
        kill_done.set()

    killer_task = asyncio.create_task(killer())
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE)
    finally:
        for task in [*tasks, killer_task]:
            task.cancel()
    assert killed, "the load finished before the kill"
    return killed


@pytest.mark.parametrize("database,workers", [("postgres", 2), ("sqlite", 1)],
                         ids=["postgres-redis-2-workers", "sqlite-disk-1-worker"])
def test_a_killed_worker_is_replaced_and_no_booking_is_lost(tmp_path, database, workers):
    global CALENDAR, SHELL
    from hub_app.pages.book import CalendarState

    CALENDAR, SHELL = state_name(CalendarState), session_state_name()
    day = weekday_ahead(3)
    with _portal(tmp_path, database=database, workers=workers) as portal:
        runs = [TabRun(index, cookie) for index, cookie in enumerate(portal.cookies)]
        started = time.perf_counter()
        killed = asyncio.run(_load_and_kill(portal, runs, day))
        elapsed = time.perf_counter() - started

        # The supervisor lives on; the dead worker was replaced by a new process that serves.
        assert portal.process.poll() is None, portal.log_path.read_text()[-3000:]
        def replaced():
            now = _children(portal.process.pid)
            return now if len(now) == workers and killed["pid"] not in now else None

        [new_pid] = set(_poll(replaced, timeout=30, what="the killed worker replaced")) - set(killed["workers"])
        assert _ping(portal.base_url)
        log = portal.log_path.read_text(errors="replace")
        assert "Respawning worker" in log and "crash loop" not in log, log[-3000:]

        # The new worker serves: open tabs until one lands on it (the kernel spreads connections).
        async def lands_on_new_worker() -> int:
            for attempt in range(1, 41):
                probe = ReflexClient(portal.base_url)
                await probe.connect("/no-such-page")
                port = _port_of(probe)
                served = port in _client_ports_served_by(new_pid, portal.port)
                await probe.disconnect()
                if served:
                    return attempt
            return 0

        attempts = asyncio.run(lands_on_new_worker())
        assert attempts, "no connection reached the new worker"

        # Every tab finished; the tabs of the killed worker reconnected; with two workers, the
        # other worker's tabs kept booking while their neighbour was down.
        assert all(len(run.confirmed) == len(HOURS) for run in runs)
        assert killed["tabs"], "the killed worker served no tab"
        for run in runs:
            assert bool(run.reconnects) == (run.index in killed["tabs"]), (run.index, run.reconnects, killed)
        # The kernel spreads the tabs over the workers by chance (a loaded machine once gave all
        # eight to one): when the other worker got some, they kept booking while their neighbour
        # was down, without reconnecting (the loop above).
        survivors = [run for run in runs if run.index not in killed["tabs"]]
        if workers > 1 and survivors:
            assert sum(run.confirmed_after_kill for run in survivors) > 0

        # The database holds exactly the bookings the tabs saw confirmed, none twice.
        from hub_app.db import make_engine
        from hub_app.models import Booking

        engine = make_engine(portal.database_url)
        try:
            with Session(engine) as session:
                rows = list(session.exec(select(Booking).where(Booking.space_id == portal.space_id,
                                                               col(Booking.status).in_(["confirmed"]))).all())
        finally:
            engine.dispose()
        confirmed = {booking_id for run in runs for booking_id in run.confirmed.values()}
        assert len(confirmed) == TABS * len(HOURS)
        assert {row.id for row in rows} == confirmed
        slots = [(row.user_id, row.starts_at) for row in rows]
        assert len(slots) == len(set(slots))
        assert {row.starts_at for row in rows} == {local(day, hour) for hour in HOURS}

        # Figures (pytest -s shows them): reconnect times, retries answered with an existing booking.
        created = {row.id: row.created_at.timestamp() for row in rows}
        recovered = sum(1 for run in runs for hour, at in run.retried_at.items() if created[run.confirmed[hour]] < at)
        reconnects = sorted(seconds for run in runs for seconds in run.reconnects)
        print(f"\n[{database}, {workers} worker(s)] {TABS} tabs x {len(HOURS)} bookings in {elapsed:.1f} s; "
              f"killed worker pid {killed['pid']} (served tabs {sorted(killed['tabs'])}) after "
              f"{killed['confirmed_before']} confirmations; replaced by pid {new_pid} (served connection "
              f"#{attempts}); reconnects: {len(reconnects)}, "
              f"median {reconnects[len(reconnects) // 2]:.2f} s, max {reconnects[-1]:.2f} s; "
              f"confirmed after the kill by the other tabs: "
              f"{sum(r.confirmed_after_kill for r in runs if r.index not in killed['tabs'])}; "
              f"retried requests {sum(len(r.retried_at) for r in runs)}, of which already written before the "
              f"retry (answer lost): {recovered}; confirmed {len(confirmed)}, in the database {len(rows)}")
