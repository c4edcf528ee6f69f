"""What seeing the portal costs, and how long its backups take (README "Backups", "Seeing what it does").

- Per event: hub_app.logs.log_event (one log line to a file, the round-trip histogram, the outcome
  counter) in text and JSON, with prometheus-client in one process and in multiprocess mode
  (PROMETHEUS_MULTIPROC_DIR: each figure lives in a memory-mapped file); each mode in a process of
  its own, because prometheus-client picks it when imported.
- Per scrape of /metrics: the database figures (bookings and enrolments by status, outbox, failed
  sign-ins) and the whole exposition, at 100,000 members' bookings.
- A backup and a restore through python -m hub_app.cli of that database, and the backup's size.
Run with `make bench` or `python -m benchmarks observability`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import PROJECT_ROOT, PYTHON, STATS_COLUMNS, Report, fresh_database, kb, time_calls

BOOKINGS = 100_000
HANDLERS = 150  # distinct handler names seen by one worker (each has its own histogram series)
CALLS = 2_000
CHUNK = 5_000


def _per_event(log_format: str) -> dict:
    """Runs in a process of its own (see the module docstring): microseconds per event."""
    import logging

    from hub_app import logs

    sink = open(os.devnull, "w")  # noqa: SIM115  (kept open for the handler's lifetime)
    logs.configure_logging(sink, log_format)
    logging.getLogger("hub").propagate = False
    names = [f"reflex___state____state.hub_app___pages___page_{n}____page_state.handler" for n in range(HANDLERS)]
    for name in names:  # every series exists before timing, as in a worker that has run a while
        logs.log_event(name, "abcdefgh12345678", "ok", 0.01)
    stats = time_calls(lambda: [logs.log_event(names[n % HANDLERS], "abcdefgh12345678", "ok", 0.012)
                                for n in range(100)], repeat=CALLS // 100, warmup=2)
    return {"p50": stats.p50 * 10, "p95": stats.p95 * 10}  # ms per 100 calls -> us per call


def _child() -> None:
    print(json.dumps({fmt: _per_event(fmt) for fmt in ("text", "json")}))


def _fill(engine) -> None:
    from sqlmodel import Session

    from hub_app.models import Booking, Space, User

    now = datetime.now(UTC)
    with Session(engine) as session:
        member = User(email="bench@members.example", email_normalized="bench@members.example", name="Bench",
                      password_hash="x", status="active", email_verified_at=now)
        desks = Space(kind="desk_area", name_id="Area Meja", capacity=1000)
        session.add_all([member, desks])
        session.commit()
        member_id, desks_id = member.id, desks.id
    statuses = ("confirmed",) * 17 + ("cancelled", "cancelled", "pending")
    rows = [dict(space_id=desks_id, user_id=member_id, kind="member", status=statuses[n % len(statuses)],
                 exclusive=False, starts_at=now - timedelta(hours=n), ends_at=now - timedelta(hours=n - 1), seats=1,
                 title="Kerja", title_en="", note="", no_show=False, decision_reason="", cancel_reason="",
                 created_at=now, updated_at=now) for n in range(BOOKINGS)]
    with engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            connection.execute(Booking.__table__.insert(), rows[start:start + CHUNK])


def _cli(env: dict, *args: str) -> float:
    started = time.monotonic()
    subprocess.run([PYTHON, "-m", "hub_app.cli", *args], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    return time.monotonic() - started


def run(report: Report) -> None:
    rows = []
    for mode in ("one process", "multiprocess"):
        env = dict(os.environ)
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        folder = tempfile.mkdtemp(prefix="hub-bench-metrics-")
        if mode == "multiprocess":
            env["PROMETHEUS_MULTIPROC_DIR"] = folder
        try:
            out = subprocess.run([PYTHON, "-c", "from benchmarks.observability import _child; _child()"],
                                 cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, text=True).stdout
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for fmt, figures in json.loads(out.splitlines()[-1]).items():
            rows.append([mode, fmt, f"{figures['p50']:.1f}", f"{figures['p95']:.1f}"])
    report.table(f"one event's log line and figures (us per event, {HANDLERS} handlers)",
                 ["prometheus-client", "log format", "p50 us", "p95 us"], rows,
                 note="log_event: the line (to a file), the round-trip histogram and the outcome counter")

    import hub_app.db
    from hub_app import metrics

    scrapes, backups = [], []
    for kind in ("sqlite", "postgres"):
        with fresh_database(kind) as engine:
            _fill(engine)
            original = hub_app.db.get_engine
            hub_app.db.get_engine = lambda engine=engine: engine
            try:
                figures = time_calls(metrics.read_database_figures, repeat=20)
                whole = time_calls(lambda: metrics.exposition(metrics.read_database_figures()), repeat=20)
            finally:
                hub_app.db.get_engine = original
            scrapes.append([kind, "database figures", *figures.row()])
            scrapes.append([kind, "whole scrape", *whole.row()])
            url = engine.url.render_as_string(hide_password=False)
            work = Path(tempfile.mkdtemp(prefix="hub-bench-backup-"))
            try:
                env = dict(os.environ, HUB_DATABASE_URL=url, HUB_UPLOAD_DIR=str(work / "uploads"))
                saving = _cli(env, "backup", "--out", str(work / "backup"))
                size = sum(path.stat().st_size for path in (work / "backup").rglob("*") if path.is_file())
                restoring = _cli(env, "restore", str(work / "backup"), "--force")
            finally:
                shutil.rmtree(work, ignore_errors=True)
            backups.append([kind, f"{saving:.1f}", f"{restoring:.1f}", kb(size)])
    report.table(f"a scrape of /metrics at {BOOKINGS:,} members' bookings (ms)", ["engine", "part", *STATS_COLUMNS],
                 scrapes, note="read from the database at each scrape; the same figures on every node")
    report.table(f"python -m hub_app.cli backup / restore --force at {BOOKINGS:,} bookings",
                 ["engine", "backup s", "restore s", "size KB"], backups,
                 note="each a process of its own (its start included); restore checks every checksum first")
