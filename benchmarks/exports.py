"""Staff exports: the bookings export of a whole year with 100,000 bookings, streamed through the
real route (GET /api/admin/exports/bookings.<csv|xlsx>, the app's ASGI stack in this process, the
body counted and dropped as a browser would save it), on SQLite and on a throwaway PostgreSQL
database. Budget: within 10 s, with flat memory (the process's resident memory sampled every
10 ms; its peak above the level before the download should not grow with the rows: a month of
~10,800 rows and the year of 100,000 are shown side by side). Run with `python -m benchmarks exports`.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

import hub_app.db
from benchmarks import Report, fresh_database
from hub_app.api import build_api, wrap_with_headers
from hub_app.models import Booking, Space, User, UserSession
from hub_app.services.security import hash_token, new_token

WIB = ZoneInfo("Asia/Jakarta")
BOOKINGS = 100_000
SPACES = 30
MEMBERS = 1_000
HOURS = range(8, 20)
YEAR = ("2026-01-01", "2026-12-31")
MONTH = ("2026-02-01", "2026-02-28")
BUDGET_SECONDS = 10
BUDGET_GROWTH_MB = 64  # what a few pages, the zip buffers and the interpreter's arenas may take


def _arrange(engine) -> str:
    """30 spaces, 1,000 members and 100,000 one-hour bookings from 1 January 2026 (08.00-20.00 WIB,
    every space, day after day), a quarter checked in; returns a staff member's session token."""
    now = datetime.now(UTC)
    token = new_token()
    with Session(engine) as session:
        staff = User(email="staf@bench.example", email_normalized="staf@bench.example", name="Sari Staf",
                     password_hash="x", role="staff", status="active")
        session.add(staff)
        session.add_all(Space(kind="desk_area" if index == 0 else "meeting_room", name_id=f"Ruang {index + 1}",
                              name_en=f"Room {index + 1}", capacity=40 if index == 0 else 8)
                        for index in range(SPACES))
        session.add_all(User(email=f"m{index}@bench.example", email_normalized=f"m{index}@bench.example",
                             name=f"Anggota Nomor {index}", password_hash="x", status="active",
                             business_name=f"Usaha {index}") for index in range(MEMBERS))
        session.flush()
        session.add(UserSession(user_id=staff.id, token_hash=hash_token(token), expires_at=now + timedelta(days=1)))
        session.commit()
        space_ids = [space_id for (space_id,) in session.execute(Space.__table__.select().with_only_columns(
            Space.__table__.c.id)).all()]
        member_ids = [user_id for (user_id,) in session.execute(User.__table__.select().with_only_columns(
            User.__table__.c.id).where(User.__table__.c.id != staff.id)).all()]
    rows = []
    first = datetime(2026, 1, 1, tzinfo=WIB)
    for index in range(BOOKINGS):
        slot, space = divmod(index, SPACES)
        day, hour = divmod(slot, len(HOURS))
        start = (first + timedelta(days=day, hours=HOURS[hour])).astimezone(UTC)
        rows.append(dict(space_id=space_ids[space], user_id=member_ids[index % MEMBERS], kind="member",
                         status="confirmed", exclusive=space != 0, starts_at=start, ends_at=start + timedelta(hours=1),
                         seats=1 + index % 4, title=f"Rapat tim {index}", title_en="", note="", no_show=False,
                         checked_in_at=start if index % 4 == 0 else None, decision_reason="", cancel_reason="",
                         created_at=now, updated_at=now))
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 5000):
            connection.execute(Booking.__table__.insert(), rows[chunk:chunk + 5000])
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE bookings" if engine.dialect.name == "postgresql" else "ANALYZE")
    return token


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


class _PeakMemory:
    """Samples the resident memory every 10 ms while the download runs."""

    def __enter__(self):
        self.before = self.peak = _resident_bytes()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, _resident_bytes())

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, _resident_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.before) / 2**20


async def _download(app, path: str, query: str, cookie: str) -> tuple[int, int, float]:
    """One GET through the ASGI app: (status, body bytes, seconds to the first body byte)."""
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": query.encode(), "server": ("localhost", 3000), "client": ("127.0.0.1", 50000),
             "headers": [(b"host", b"localhost:3000"), (b"cookie", cookie.encode())]}
    started, status, size, first_byte = time.perf_counter(), 0, 0, 0.0
    request_sent, disconnected = False, asyncio.Event()

    async def receive():
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal status, size, first_byte
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            if not size and message.get("body"):
                first_byte = time.perf_counter() - started
            size += len(message.get("body", b""))

    await app(scope, receive, send)
    disconnected.set()
    return status, size, first_byte


def run(report: Report) -> None:
    app = wrap_with_headers(build_api())
    original = hub_app.db.get_engine
    rows = []
    try:
        for kind in ("sqlite", "postgres"):
            with fresh_database(kind) as engine:
                arranged = time.perf_counter()
                cookie = f"hub_session={_arrange(engine)}"
                report.note(f"{kind}: {BOOKINGS:,} bookings arranged in {time.perf_counter() - arranged:.0f} s")
                hub_app.db.get_engine = lambda engine=engine: engine
                asyncio.run(_download(app, "/api/admin/exports/bookings.csv", "from=2026-01-01&to=2026-01-01",
                                      cookie))  # warm-up: imports, first connections
                for file_format in ("csv", "xlsx"):
                    for label, (first, last), count in (("a month", MONTH, 28 * len(HOURS) * SPACES),
                                                        ("the year", YEAR, BOOKINGS)):
                        with _PeakMemory() as memory:
                            started, cpu = time.perf_counter(), time.process_time()
                            status, size, first_byte = asyncio.run(_download(
                                app, f"/api/admin/exports/bookings.{file_format}", f"from={first}&to={last}&lang=id",
                                cookie))
                            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                        assert status == 200, status
                        rows.append([kind, file_format, label, f"{count:,}", f"{size / 2**20:.1f}",
                                     f"{first_byte:.2f}", f"{seconds:.2f}", f"{cpu:.2f}", f"{memory.growth_mb:.1f}"])
                        if count == BOOKINGS:
                            report.budget(f"bookings {file_format} export, {count:,} rows ({kind})", seconds,
                                          BUDGET_SECONDS, "s")
                            report.budget(f"bookings {file_format} export, memory growth ({kind})",
                                          memory.growth_mb, BUDGET_GROWTH_MB, "MB")
    finally:
        hub_app.db.get_engine = original
    report.table("Bookings export through the route (in process)",
                 ["engine", "format", "period", "rows", "MB", "first byte s", "total s", "CPU s", "peak RSS growth MB"],
                 rows, note="CPU s: this process's CPU time (the wall time grows with the machine's load, "
                 f"{os.getloadavg()[0]:.1f} at the end); RSS sampled every 10 ms, growth = peak - before")
