"""Live calendars by push: a change to a space's bookings wakes only the open calendars that show it.

Before, every open calendar tab asked the database for a fingerprint of its window every 2.5 s, so
the portal's idle CPU and queries grew with the number of open tabs (benchmarks/calendar_tabs.py).
Now an idle tab costs nothing but a suspended coroutine:

- Capture: every write goes through a SQLAlchemy Session, so Session events are the one place that
  sees them all. After a flush, the bookings and closures written (new, changed: old and new place,
  deleted) and the spaces changed are noted on the session as changes "space S (None: every space)
  from T1 to T2 (None: every day)"; a bulk UPDATE/DELETE of bookings or closures (the no-show
  release, personal data erasure) first reads the rows it will touch. The notes are published only
  after the outermost transaction commits (a rolled-back write publishes nothing; a savepoint's
  rollback may publish a change that did not happen, which costs one reload).
- Transport: with Redis (HUB_REDIS_URL or REFLEX_REDIS_URL; several workers or nodes) a commit
  publishes on one channel per database; each worker process holds ONE subscription. Without Redis
  (a single node: the SQLite default) the change is handed to this process's calendars directly.
- Fan-out: each worker keeps the open calendars it serves (a tab token -> its window: the UTC span
  and the spaces it shows) and wakes only those a change touches; the page's watch then reloads.
  The calendars showing one view (a day, a kind, a length, a language) share the latest reading of
  it that saw the change that woke them. A worker redraws at most `calendar_redraws_per_second`
  calendars a second, in the order they were woken: a quiet morning's change is drawn at once, while
  on a busy one (hundreds of open calendars, a day changing every second) the redraws are spread out
  and each draws everything that changed while it waited, so live updates never crowd out what
  members tap.

No periodic poll is kept. A message can only be missed while the subscription is down (Redis
restarted or unreachable); when it comes back every open calendar of that worker reloads once, and
a publisher that cannot reach Redis hands its change to its own worker directly. A tab checks its
fingerprint once when its watch starts (the change between its first read and its registration).
Writes that bypass the portal (SQL typed by an operator, another program) are not pushed: they
show at the next reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import event, inspect, select
from sqlmodel import Session

from hub_app.metrics import CALENDAR_REDRAW_DELAY
from hub_app.models import Booking, Closure, Space

log = logging.getLogger("hub.calendar_push")
T = TypeVar("T")

_PENDING = "hub_calendar_changes"
_WRITTEN = (Booking, Closure)
RETRY_SECONDS = 1.0  # between attempts to (re)subscribe while Redis is away
PUBLISH_TIMEOUT = 0.5  # a commit never waits longer than this for Redis
MAX_SHARED_READINGS = 64  # views whose latest reading a worker keeps (the least recently asked go first)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Change:
    """Space `space_id` (None: every space) changed from `starts_at` to `ends_at` (None: any time)."""

    space_id: int | None
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def as_json(self) -> list:
        return [self.space_id, self.starts_at.isoformat() if self.starts_at else None,
                self.ends_at.isoformat() if self.ends_at else None]

    @classmethod
    def from_json(cls, value: object) -> Change | None:
        try:
            space_id, start, end = value
            return cls(space_id if isinstance(space_id, int) else None,
                       _utc(datetime.fromisoformat(start)) if start else None,
                       _utc(datetime.fromisoformat(end)) if end else None)
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Window:
    """What one open calendar shows: a UTC span and its spaces (None: every space)."""

    starts_at: datetime
    ends_at: datetime
    space_ids: frozenset[int] | None = None

    @classmethod
    def of(cls, window_start: str, window_end: str, space_ids: Iterable[int] | None = None) -> Window | None:
        """From the ISO strings a page got from calendar_day/calendar_week; None when there are none."""
        try:
            start, end = _utc(datetime.fromisoformat(window_start)), _utc(datetime.fromisoformat(window_end))
        except (TypeError, ValueError):
            return None
        return cls(start, end, None if space_ids is None else frozenset(space_ids))

    def touched_by(self, change: Change) -> bool:
        if change.space_id is not None and self.space_ids is not None and change.space_id not in self.space_ids:
            return False
        if change.starts_at is None or change.ends_at is None:
            return True
        return change.starts_at < self.ends_at and self.starts_at < change.ends_at


# --------------------------------------------------------------------------------------------
# Capture: Session events


def _noted(session: Session) -> set[Change]:
    return session.info.setdefault(_PENDING, set())


def _old(row, name: str):
    history = inspect(row).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(row, name)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    try:
        noted = _noted(session)
        new, dirty = session.new, session.dirty
        for row in (*new, *dirty, *session.deleted):
            if isinstance(row, _WRITTEN):
                noted.add(Change(row.space_id, _utc(row.starts_at), _utc(row.ends_at)))
                if row in dirty:
                    noted.add(Change(_old(row, "space_id"), _utc(_old(row, "starts_at")), _utc(_old(row, "ends_at"))))
            elif isinstance(row, Space) and row not in new and (row not in dirty or session.is_modified(row)):
                noted.add(Change(row.id))
    except Exception:  # noting must never break a write; the calendars reload at their next load
        log.exception("could not note a calendar change")


@event.listens_for(Session, "do_orm_execute")
def _before_bulk_write(orm_execute_state) -> None:
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    mapper = orm_execute_state.bind_mapper
    model = mapper.class_ if mapper is not None else None
    if model not in _WRITTEN:
        return
    session = orm_execute_state.session
    statement = orm_execute_state.statement
    try:
        written = getattr(statement, "_values", None) or {}
        moved = orm_execute_state.is_update and any(
            getattr(key, "key", key) in ("space_id", "starts_at", "ends_at") for key in written)
        if moved:
            _noted(session).add(Change(None))
            return
        query = select(model.space_id, model.starts_at, model.ends_at)
        if statement.whereclause is not None:
            query = query.where(statement.whereclause)
        for space_id, starts_at, ends_at in session.execute(query).all():
            _noted(session).add(Change(space_id, _utc(starts_at), _utc(ends_at)))
    except Exception:
        log.exception("could not note a bulk calendar change")
        _noted(session).add(Change(None))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll back
    changes = session.info.pop(_PENDING, None)
    if changes:
        try:
            publish(changes, database_url=_database_url(session))
        except Exception:  # the write is committed: its caller must not see an error for the news
            log.exception("could not publish a calendar change")


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back (a commit has published them already)


# --------------------------------------------------------------------------------------------
# Transport


def redis_url() -> str:
    """The Redis the portal's workers share (as rxconfig.py decides), or "" for a single node."""
    from hub_app.settings import get_settings

    return get_settings().redis_url or os.environ.get("REFLEX_REDIS_URL", "")


def _database_url(session: Session) -> str:
    try:
        return session.get_bind().url.render_as_string(hide_password=True)
    except Exception:
        return ""


def channel_for(database_url: str) -> str:
    """One channel per database: workers of one portal share it; other portals on the same Redis
    (tests, benchmarks) do not hear each other."""
    return "hub:calendar:" + hashlib.sha256(database_url.encode()).hexdigest()[:16]


_publishers: dict[str, object] = {}
_publishers_lock = threading.Lock()


def _publisher(url: str):
    import redis

    with _publishers_lock:
        client = _publishers.get(url)
        if client is None:
            client = _publishers[url] = redis.Redis.from_url(
                url, socket_connect_timeout=PUBLISH_TIMEOUT, socket_timeout=PUBLISH_TIMEOUT)
        return client


def publish(changes: Iterable[Change], *, database_url: str, via: str | None = None) -> None:
    """Tells every worker's open calendars about these changes (called after a commit). `via`: the
    Redis to use ("" for this process only); by default the portal's."""
    changes = list(changes)
    url = redis_url() if via is None else via
    if url:
        payload = json.dumps([change.as_json() for change in changes])
        try:
            _publisher(url).publish(channel_for(database_url), payload)
            return
        except Exception as error:  # Redis away: this worker still hears it; the others reload on reconnect
            log.warning("calendar change not published on Redis (%s); this worker only", type(error).__name__)
    live_calendars().deliver(changes)


# --------------------------------------------------------------------------------------------
# Fan-out: the open calendars of this worker


@dataclass(eq=False)
class OpenCalendar:
    """One tab's registration: its window, and what wakes its watch."""

    token: str
    window: Window | None
    loop: asyncio.AbstractEventLoop
    woken: asyncio.Event = field(default_factory=asyncio.Event)
    stopped: bool = False
    change: int = 0  # the number of the last delivery that woke it
    woken_at: float = 0.0  # time.monotonic() of the first change since its last redraw (0: none)

    def wake(self, change: int = 0) -> None:
        self.change = change
        with contextlib.suppress(RuntimeError):  # its loop is closed: the tab is gone
            self.loop.call_soon_threadsafe(self._woke)

    def _woke(self) -> None:
        """In the calendar's loop, as drawing() is: a wake from another thread cannot slip between."""
        if not self.woken_at:
            self.woken_at = time.monotonic()
        self.woken.set()

    def drawing(self) -> None:
        """What woke the calendar is drawn now (and what wakes it from here on, at its next redraw);
        counts how long the first of those changes waited (hub_app/metrics.py)."""
        woken_at, self.woken_at = self.woken_at, 0.0
        self.woken.clear()
        if woken_at:
            CALENDAR_REDRAW_DELAY.observe(time.monotonic() - woken_at)

    async def wait(self, timeout: float) -> bool:
        """Until a change touches this calendar (True) or `timeout` seconds pass (False)."""
        try:
            await asyncio.wait_for(self.woken.wait(), timeout)
        except TimeoutError:
            return False
        self.woken.clear()
        return True


class LiveCalendars:
    """The open calendars one worker process serves, and its one Redis subscription."""

    def __init__(self, *, redis: str = "", database_url: str = "", name: str = "",
                 redraws_per_second: float = 20.0):
        self.redis = redis
        self.database_url = database_url
        self.name = name or f"hub-calendar-push-{os.getpid()}"  # the subscription's Redis client name
        self._open: dict[str, OpenCalendar] = {}
        self._lock = threading.Lock()
        self._listener: asyncio.Task | None = None
        self._listening = asyncio.Event()
        self.deliveries = 0  # deliveries handled: each wakes its calendars with its number
        # view -> (the deliveries handled when its latest reading started, that reading)
        self._reads: OrderedDict[tuple, tuple[int, asyncio.Future]] = OrderedDict()
        self.redraws_per_second = redraws_per_second
        self._next_redraw = 0.0  # the loop time of this worker's next free redraw slot

    # -- tabs ----------------------------------------------------------------------------------

    def open(self, token: str, window: Window | None) -> OpenCalendar:
        """Registers a tab's calendar (replacing and stopping an older watch of the same tab)."""
        loop = asyncio.get_running_loop()
        calendar = OpenCalendar(token, window, loop)
        with self._lock:
            previous = self._open.get(token)
            self._open[token] = calendar
        if previous is not None:
            previous.stopped = True
            previous.wake()
        if self.redis:
            self._ensure_listener(loop)
        return calendar

    def retune(self, token: str, window: Window | None) -> None:
        """The tab shows another window now (another day, kind or length)."""
        with self._lock:
            calendar = self._open.get(token)
        if calendar is not None:
            calendar.window = window

    def close(self, token: str, calendar: OpenCalendar | None = None) -> None:
        """Forgets the tab (only `calendar` if given: a newer watch of the tab stays)."""
        with self._lock:
            current = self._open.get(token)
            if current is None or (calendar is not None and current is not calendar):
                return
            del self._open[token]
        current.stopped = True
        current.wake()

    def hand_over_all(self) -> int:
        """This node stops (hub_app/drain.py): every watch here ends without touching its tab's state
        again, since the tab moves to another node, which starts a watch of its own. Returns how many."""
        with self._lock:
            calendars, self._open = list(self._open.values()), {}
        for calendar in calendars:
            calendar.stopped = True
            calendar.wake()
        return len(calendars)

    def count(self) -> int:
        return len(self._open)

    def is_open(self, token: str) -> bool:
        return token in self._open

    def deliver(self, changes: Iterable[Change]) -> int:
        """Wakes the calendars these changes touch; returns how many. Safe from any thread."""
        changes = list(changes)
        with self._lock:
            self.deliveries += 1
            number = self.deliveries
            calendars = list(self._open.values())
        touched = [c for c in calendars if c.window is None or any(c.window.touched_by(x) for x in changes)]
        for calendar in touched:
            calendar.wake(number)
        return len(touched)

    async def shared_read(self, view: tuple, change: int, read: Callable[[], Awaitable[T]]) -> T:
        """A reading of `view` (the same view for the same viewer) that saw delivery `change` and all
        before it: the latest reading started since, shared by every calendar that asks, or a new
        one. `change` 0 (a change this worker was not told of) always reads anew."""
        entry = self._reads.get(view)
        if (change == 0 or entry is None or entry[0] < change or entry[1].get_loop() is not asyncio.get_running_loop()
                or (entry[1].done() and (entry[1].cancelled() or entry[1].exception() is not None))):
            entry = self._reads[view] = (self.deliveries, asyncio.ensure_future(read()))
            while len(self._reads) > MAX_SHARED_READINGS:
                self._reads.popitem(last=False)
        self._reads.move_to_end(view)
        return await asyncio.shield(entry[1])

    async def redraw_turn(self) -> float:
        """Waits for this worker's next redraw slot (see the module's docstring); at once when the
        last redraw was at least 1/redraws_per_second ago. Returns the seconds it waited."""
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next_redraw)
        self._next_redraw = slot + 1 / self.redraws_per_second
        if slot > now:
            await asyncio.sleep(slot - now)
        return slot - now

    def wake_all(self) -> int:
        return self.deliver([Change(None)])

    # -- the subscription ----------------------------------------------------------------------

    def _ensure_listener(self, loop: asyncio.AbstractEventLoop) -> None:
        task = self._listener
        if task is not None and not task.done() and task.get_loop() is loop:
            return
        self._listening = asyncio.Event()
        self._listener = loop.create_task(self._listen(), name="hub-calendar-push")

    async def listening(self, timeout: float) -> bool:
        """Whether the subscription is up (waiting up to `timeout` s); True without Redis."""
        if not self.redis:
            return True
        try:
            await asyncio.wait_for(self._listening.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _listen(self) -> None:
        import redis.asyncio as aioredis

        channel = channel_for(self.database_url or _portal_database_url())
        subscribed_before = False
        while True:
            client = aioredis.Redis.from_url(self.redis, socket_connect_timeout=2, health_check_interval=15,
                                             client_name=self.name)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(channel)
                    if subscribed_before:
                        # What was published while this worker was not subscribed is unknown: reload all.
                        # (Before the first subscription, each watch looks at its fingerprint once.)
                        self.wake_all()
                    subscribed_before = True
                    self._listening.set()
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        try:
                            raw = json.loads(message["data"])
                        except (TypeError, ValueError):
                            continue
                        changes = [c for c in map(Change.from_json, raw if isinstance(raw, list) else []) if c]
                        if changes:
                            self.deliver(changes)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("calendar subscription lost (%s); retrying", type(error).__name__)
            finally:
                self._listening.clear()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(RETRY_SECONDS)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None


def _portal_database_url() -> str:
    import hub_app.db

    return hub_app.db.get_engine().url.render_as_string(hide_password=True)


_live: LiveCalendars | None = None


def live_calendars() -> LiveCalendars:
    """This worker process's open calendars (Redis and the redraw pace from the portal's settings)."""
    from hub_app.settings import get_settings

    global _live
    if _live is None:
        _live = LiveCalendars(redis=redis_url(), redraws_per_second=get_settings().calendar_redraws_per_second)
    return _live
