"""Benchmarks: figures for the speed and size budgets, printed as tables (never asserted in tests).

`python -m benchmarks` runs every module benchmarks/<name>.py (names not starting with "_") that
defines `run(report: Report)`; `python -m benchmarks <name> [<name> ...]` runs only those.
See benchmarks/README.md for the convention and the helpers below:

- Report.table / Report.budget / Report.note: print figures and compare them with a budget.
- Report.portal(...): the production portal, built and started once per run on a free port with
  its own work dirs and database (SQLite + disk state, or PostgreSQL + Redis + N workers).
- fresh_database(kind): a migrated, empty database ("sqlite" or "postgres") for query benchmarks.
- time_calls(fn, ...): run a callable many times and return latency statistics in milliseconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_URL = os.environ.get(
    "HUB_BENCH_POSTGRES_URL", os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)
REDIS_URL = os.environ.get("HUB_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
BUN_PATH = PROJECT_ROOT / ".tools" / "bun-1.4.4" / "package" / "bin" / "bun"


def work_root() -> Path:
    """Where benchmarks keep their builds, databases and logs (HUB_BENCH_DIR, else a temp folder
    per checkout). The frontend build (.web) is kept between runs so a re-run is quicker."""
    configured = os.environ.get("HUB_BENCH_DIR")
    if configured:
        root = Path(configured)
    else:
        digest = hashlib.sha1(str(PROJECT_ROOT).encode()).hexdigest()[:8]
        root = Path(tempfile.gettempdir()) / f"hub-bench-{digest}"
    root.mkdir(parents=True, exist_ok=True)
    return root


def port_range() -> range:
    """Ports the benchmarks may listen on (HUB_BENCH_PORTS="3500-3599" by default)."""
    low, _, high = os.environ.get("HUB_BENCH_PORTS", "3500-3599").partition("-")
    return range(int(low), int(high or low) + 1)


def free_port() -> int:
    for port in port_range():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {port_range()}")


# --------------------------------------------------------------------------------------------
# Statistics


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Stats:
    """Latencies in milliseconds."""

    samples: list[float]

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples) if self.samples else float("nan")

    @property
    def max(self) -> float:
        return max(self.samples) if self.samples else float("nan")

    def row(self) -> list[str]:
        """n, p50, p95, p99, max formatted for Report.table (see STATS_COLUMNS)."""
        return [str(self.n), ms(self.p50), ms(self.p95), ms(self.p99), ms(self.max)]


STATS_COLUMNS = ["n", "p50 ms", "p95 ms", "p99 ms", "max ms"]


def ms(value: float) -> str:
    return "-" if value != value else (f"{value:.2f}" if value < 10 else f"{value:.1f}")


def kb(num_bytes: float) -> str:
    return f"{num_bytes / 1000:.1f}"


def time_calls(function: Callable[[], object], *, repeat: int = 50, warmup: int = 3) -> Stats:
    """Calls `function()` warmup + repeat times and returns the wall-clock latency of the last `repeat`."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return Stats(samples)


# --------------------------------------------------------------------------------------------
# Report


@dataclass
class Budget:
    module: str
    name: str
    value: float
    limit: float
    unit: str
    higher_is_better: bool
    why: str = ""  # shown beside OVER BUDGET: what the benchmark measured that explains it

    @property
    def met(self) -> bool:
        if self.value != self.value:  # nan: not measured
            return False
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit


@dataclass
class Report:
    """What a benchmark writes to. Everything is printed at once (so a long run shows progress)."""

    out: object = sys.stdout
    module: str = ""
    budgets: list[Budget] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _portals: dict = field(default_factory=dict)

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def note(self, text: str) -> None:
        self.print(f"  {text}")

    def table(self, title: str, columns: list[str], rows: list[list[object]], note: str = "") -> None:
        cells = [[str(cell) for cell in row] for row in rows]
        widths = [max([len(column)] + [len(row[i]) for row in cells if i < len(row)])
                  for i, column in enumerate(columns)]

        def line(values: list[str]) -> str:
            parts = []
            for i, value in enumerate(values):
                # Numbers right-aligned, text left-aligned.
                numeric = value.replace(".", "", 1).replace("-", "", 1).replace("%", "").replace(",", "").isdigit()
                parts.append(value.rjust(widths[i]) if numeric and i else value.ljust(widths[i]))
            return "  " + "  ".join(parts).rstrip()

        self.print()
        self.print(f"{title}")
        self.print(line(columns))
        self.print("  " + "  ".join("-" * width for width in widths))
        for row in cells:
            self.print(line(row + [""] * (len(columns) - len(row))))
        if note:
            self.print(f"  ({note})")

    def budget(self, name: str, value: float, limit: float, unit: str = "", *, higher_is_better: bool = False,
               why: str = "") -> bool:
        """Records a figure against its budget (shown in the summary at the end); returns whether it is met.
        `why`: a measured reason shown beside OVER BUDGET when it is not met."""
        entry = Budget(self.module, name, float(value), float(limit), unit, higher_is_better, why)
        self.budgets.append(entry)
        return entry.met

    def summary(self) -> None:
        if self.budgets:
            rows = []
            for entry in self.budgets:
                sign = ">=" if entry.higher_is_better else "<="
                value = "not measured" if entry.value != entry.value else f"{entry.value:.4g}"
                rows.append([entry.module, entry.name, f"{value} {entry.unit}".strip(),
                             f"{sign} {entry.limit:g} {entry.unit}".strip(), "ok" if entry.met else
                             "OVER BUDGET" + (f" ({entry.why})" if entry.why else "")])
            self.table("Budgets", ["module", "figure", "measured", "budget", "status"], rows)
        if self.failures:
            self.print()
            self.print("Benchmarks that crashed: " + ", ".join(self.failures))

    # ----------------------------------------------------------------------------------------
    # A running portal, shared by the benchmarks of one run.

    def portal(self, *, database: str = "sqlite", redis: bool = False, workers: int = 1, seed: bool = True) -> Portal:
        """The production portal (built once, started on a free port) with the given data path.

        database: "sqlite" (a file, Reflex's disk state) or "postgres" (a fresh database on the
        local server); redis=True keeps Reflex state in Redis (a DB number of its own, flushed);
        workers: GRANIAN_WORKERS. Only one portal runs at a time (the machine has few cores):
        asking for another configuration stops the previous one. All are stopped at the end.
        """
        key = (database, redis, workers, seed)
        if key in self._portals and self._portals[key].alive():
            return self._portals[key]
        self.close_portals()
        self._portals[key] = start_portal(database=database, redis=redis, workers=workers, seed=seed, log=self.note)
        return self._portals[key]

    def close_portals(self) -> None:
        for portal in self._portals.values():
            portal.stop()
        self._portals.clear()


# --------------------------------------------------------------------------------------------
# Databases


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def create_postgres_database(prefix: str = "hub_bench") -> str:
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_psycopg_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    admin = create_engine(_psycopg_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def fresh_database(kind: str = "sqlite") -> Iterator:
    """A migrated, empty database ("sqlite" file in the work dir, or "postgres" on the local
    server); yields the SQLAlchemy engine and removes the database afterwards."""
    from hub_app.db import make_engine
    from hub_app.migrations import upgrade

    if kind == "sqlite":
        path = work_root() / f"data-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
    elif kind == "postgres":
        url = create_postgres_database()
    else:
        raise ValueError(f"unknown database kind {kind!r}")
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            drop_postgres_database(url)


# --------------------------------------------------------------------------------------------
# The portal


@dataclass
class Portal:
    base_url: str
    port: int
    process: subprocess.Popen
    env: dict
    log_path: Path
    database_url: str
    redis_url: str
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    def alive(self) -> bool:
        return self.process.poll() is None

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for action in self.cleanup:
            with contextlib.suppress(Exception):
                action()
        self.cleanup.clear()

    def worker_pids(self) -> list[int]:
        """The process group's pids (supervisor and workers), for CPU accounting."""
        return process_group(self.process.pid)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by all processes of the portal."""
        return cpu_seconds_of(self.worker_pids())


def process_group(pgid: int) -> list[int]:
    """The pids of a process group (a portal or drill node started with start_new_session)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return pids


def cpu_seconds_of(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes (those gone count nothing)."""
    total = 0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def portal_environment(*, port: int, work: Path, database_url: str, redis_url: str, workers: int) -> dict:
    """Environment for `reflex run --env prod` with its own work dirs (see README "Configuration")."""
    env = dict(os.environ)
    env.update({
        "REFLEX_WEB_WORKDIR": str(work / ".web"),
        "REFLEX_STATES_WORKDIR": str(work / ".states"),
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "0",
        "HUB_ENVIRONMENT": "production",
        "HUB_SECRET_KEY": secrets.token_urlsafe(32),
        "HUB_DATABASE_URL": database_url,
        "HUB_REDIS_URL": redis_url,
        "HUB_UPLOAD_DIR": str(work / "uploads"),
        "HUB_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "HUB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port},http://localhost:{port}",
        "GRANIAN_WORKERS": str(workers),
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("REFLEX_REDIS_URL", None)
    if BUN_PATH.exists() and "REFLEX_BUN_PATH" not in os.environ:
        env["REFLEX_BUN_PATH"] = str(BUN_PATH)
    return env


def wait_for_http(url: str, *, timeout: float, process: subprocess.Popen | None = None,
                  log_path: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-4000:] if log_path else ""
            raise RuntimeError(f"the portal exited with {process.returncode} before answering {url}\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as error:
            last_error = str(error)
        time.sleep(1)
    tail = log_path.read_text(errors="replace")[-4000:] if log_path else ""
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s ({last_error})\n{tail}")


def _run_cli(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "-m", "hub_app.cli", *args], cwd=PROJECT_ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def start_portal(*, database: str = "sqlite", redis: bool = False, workers: int = 1, seed: bool = True,
                 log: Callable[[str], None] = print, build_timeout: float = 900) -> Portal:
    """Builds the frontend (kept in the work dir between runs) and starts the production server."""
    root = work_root()
    port = free_port()
    run_dir = root / f"run-{port}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    cleanup: list[Callable[[], None]] = []

    if database == "sqlite":
        database_url = f"sqlite:///{run_dir / 'hub.db'}"
    elif database == "postgres":
        database_url = create_postgres_database()
        cleanup.append(lambda: drop_postgres_database(database_url))
    else:
        raise ValueError(f"unknown database {database!r}")

    redis_url = ""
    if redis:
        redis_url = f"{REDIS_URL.rstrip('/')}/{_redis_db_number()}"
        _flush_redis(redis_url)
        cleanup.append(lambda: _flush_redis(redis_url))

    # The build folder is shared between runs (and locked by Reflex while building).
    work = root
    env = portal_environment(port=port, work=work, database_url=database_url, redis_url=redis_url, workers=workers)
    env["REFLEX_STATES_WORKDIR"] = str(run_dir / ".states")
    env["HUB_UPLOAD_DIR"] = str(run_dir / "uploads")

    _run_cli(env, "migrate")
    if seed:
        _run_cli(env, "seed-demo")

    log_path = run_dir / "portal.log"
    log(f"starting the portal on :{port} ({database}{' + redis' if redis else ''}, {workers} worker(s)); "
        f"log {log_path}")
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [PYTHON, "-m", "reflex", "run", "--env", "prod", "--frontend-port", str(port),
             "--backend-host", "127.0.0.1"],
            cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
    portal = Portal(f"http://127.0.0.1:{port}", port, process, env, log_path, database_url, redis_url, cleanup)
    try:
        started = time.monotonic()
        wait_for_http(portal.url("/ping"), timeout=build_timeout, process=process, log_path=log_path)
        wait_for_http(portal.url("/"), timeout=60, process=process, log_path=log_path)
        log(f"portal ready after {time.monotonic() - started:.0f} s")
    except BaseException:
        portal.stop()
        raise
    return portal


def _redis_db_number() -> int:
    """Redis DB numbers 8-15 are the benchmarks' (tests use others); pick one by process id."""
    return 8 + os.getpid() % 8


def _flush_redis(url: str) -> None:
    import redis as redis_lib

    client = redis_lib.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
