"""With Redis, a tab's lock lives as long as this node holds it, and a node hands a tab to another
node without waiting for its other tabs.

Reflex locks a tab's state in Redis for `lock_expiration` (10 s) and writes it back when it is done,
refusing the write if the lock has expired meanwhile; it never renews the lock. Its opportunistic
lock (rxconfig.py) keeps one lock for all the events of the next 5 s and writes the state back once
at the end. So an event that starts 4 s into such a lease and waits 6 s for the database (a table
lock, a database restart) outlives the lock, and so does a lock whose write-back waits behind a
busy node's queue (the drill's 1,000 tabs at 1-3 s: one node refused 171 write-backs while locks
were renewed only during events): the write-back fails with LockExpiredError and every change of
the lease is lost, a sign-in included (the drain test saw a tab signed out that way). Here the node
renews each lock it holds every third of the expiry, from the moment it got it until it lets go,
while an event or a lease of the tab is using it, only while the lock is still its own, and for at
most `MAX_HOLD_SECONDS`: a node that dies stops renewing and its locks expire as before, a lock
Reflex left without a holder (it relies on expiry for those) expires as before, and a lock held
longer than that expires as Reflex intends, so one hung event never holds its tab for good. The
renewals run in a thread of their own, not on the node's event loop, which an overloaded node runs
seconds late.

Because the lock is renewed, the lease may outlast it: Reflex keeps its lease below the lock's
expiry (it never renews), here it lasts `state_lease_seconds` (30 s). A member reading a page
taps every 5-15 s; with a 5 s lease nearly every tap read the tab's state from Redis, locked it and
wrote it back, with 30 s most taps find it in the node (`make capacity` at 1,000 tabs, 5-15 s: p95
920 -> 552 ms, 10.6 -> 9.6 ms of node CPU per event). A node that dies still frees its tabs within
the lock's 10 s; what it loses is at most the lease's seconds of tab state (a page's form, not a
database write: pages read their data again when the tab reconnects).

When another node needs a tab this node holds a lease on, Redis tells this node, and Reflex's
handler waits for the tab's state to be free, then ends the lease. It runs inside the one loop
that reads all of this node's lock notifications, so while it waits for one busy tab (an event
held by the database) every other tab's hand-over and every lock release waits too: in a drain,
where all tabs move at once, one held event delayed the moves of the rest by up to the lease's 5 s.
Here each such notification is handled in a task of its own.

Reflex lets a lock go with GETDEL, which deletes the tab's lock whoever holds it by then. In some
races Reflex leaves a lock taken and unused until its holder is garbage-collected; by then the lock
may have expired and been taken by another event or node, whose lock that late release deleted (the
drill at 1,000 tabs: "was released by ..., but it belonged to ...", then that holder's write-back
refused and its tab's changes lost). Here a holder deletes the lock only while it is still its own.

Reflex cancels a page's unfinished events when its tab navigates or reconnects, the calendar's live
redraw (a background task of the page) among them. A task cancelled after Redis gave it the tab's
lock and before it held the state (Reflex's steps between the two ask Redis more questions) left the
lock in Redis with nobody to let it go, and, while the cancellation unwound, not even the garbage
collector: the redraw's own tidy-up and the member's navigation waited for the lock's 10 s expiry
(the drill at 1,000 tabs: 28 navigations of 10-11 s, each after a tap on /book). Here a holder that
fails to take the tab's state lets go of the locks it took on the way, unless a lease has them.

When a lease's write-back is refused all the same (Redis restarted and lost every lock, or a lock ran
past MAX_HOLD_SECONDS), Reflex reports it twice as a traceback: to the event loop when the lease
ends, and again as "Task exception was never retrieved" when the task is collected, since nothing
awaits a lease. After a Redis restart that was some 400 tracebacks in one node's log for an
expected, harmless loss (those tabs re-read their page). Here each is one warning line.
"""

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections import Counter
from contextvars import ContextVar

import reflex as rx
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import RedisError
from reflex.istate.manager.redis import StateManagerRedis
from reflex_base.utils.exceptions import LockExpiredError

from hub_app.settings import get_settings

log = logging.getLogger("hub.state_locks")

MAX_HOLD_SECONDS = 60.0

# What Reflex's lease breaker tells the event loop when its write-back fails.
_LEASE_BREAKER_FAILED = "Exception in Redis State Manager lease breaker"
# A write-back that was refused or could not reach Redis: expected when Redis restarts.
_EXPECTED_WRITE_BACK_FAILURES = (LockExpiredError, RedisError)

# Extends the lock only while it still holds this holder's id (it may have expired and been taken).
_RENEW_IF_OURS = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


# Deletes the lock only while it still holds this holder's id (another holder may have it by now).
_RELEASE_IF_OURS = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class _TakenLock:
    """A tab's lock this node took: let go once, by its holder or by whoever finds it left over."""

    __slots__ = ("tab", "lock_id", "let_go")

    def __init__(self, tab: str, lock_id: bytes):
        self.tab, self.lock_id, self.let_go = tab, lock_id, False


# The locks taken while the current task is taking a tab's state (_HoldingState.__aenter__).
_TAKING: ContextVar[list[_TakenLock] | None] = ContextVar("hub_state_locks_taking", default=None)


class _HeldTabs:
    """What this node is doing with the tabs it holds: how many events (or background tasks) hold
    each tab's state right now, and its leases (Reflex's, named after the lock they hold)."""

    def __init__(self, manager: StateManagerRedis):
        self._manager = manager
        self.holding: Counter[str] = Counter()

    def in_use(self, tab: str, lock_id: bytes) -> bool:
        return bool(self.holding.get(tab)) or self.leased(tab, lock_id)

    def leased(self, tab: str, lock_id: bytes) -> bool:
        lease = self._manager._local_leases.get(tab)
        return lease is not None and not lease.done() and lease.get_name().endswith(lock_id.decode())


class _LockRenewer:
    """Renews, every third of the expiry, each lock this node holds while its tab is in use here, from
    a thread of its own with its own Redis connection (one pipelined round trip for all of them). An
    overloaded node runs its loop's timers late: at 1,000 tabs the loop fell seconds behind and 26
    leases' write-backs were refused because their renewal, a loop timer, came after the expiry. The
    interpreter hands a thread the GIL within milliseconds whatever the loop is doing. Reflex leaves a
    lock taken in some races without a holder and lets it expire; such a lock is in use by nobody, so
    it is not renewed and expires as before."""

    def __init__(self, manager: StateManagerRedis, held: _HeldTabs):
        self._manager, self._held = manager, held
        self._period = manager.lock_expiration / 3000
        self._locks: dict[str, tuple[bytes, float]] = {}  # tab -> (its lock id, renewed until)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def hold(self, tab: str, lock_id: bytes) -> None:
        """From the loop: this node took the tab's lock."""
        self._locks[tab] = (lock_id, time.monotonic() + MAX_HOLD_SECONDS)
        if self._thread is None:  # started by the first lock, in the worker process (after any fork)
            self._loop = asyncio.get_running_loop()
            self._thread = threading.Thread(target=self._run, name="hub-state-lock-renewer", daemon=True)
            self._thread.start()

    def let_go(self, tab: str, lock_id: bytes) -> None:
        """From the loop: this node let the tab's lock go (a newer lock of the tab stays)."""
        if self._locks.get(tab, (None,))[0] == lock_id:
            del self._locks[tab]

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self._period + 5)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        pool = self._manager.redis.connection_pool
        client = Redis(connection_pool=ConnectionPool(connection_class=pool.connection_class,
                                                      **pool.connection_kwargs))
        renew = client.register_script(_RENEW_IF_OURS)
        try:
            while not self._stopping.wait(self._period):
                try:
                    self._round(loop, client, renew)
                except Exception:  # a thread that died would stop every renewal of this node for good
                    log.exception("a round of state lock renewals failed")
        finally:
            loop.run_until_complete(client.aclose(close_connection_pool=True))
            loop.close()

    def _round(self, loop: asyncio.AbstractEventLoop, client: Redis, renew) -> None:
        now, due, done = time.monotonic(), [], []
        for tab, (lock_id, until) in list(self._locks.items()):
            if now > until:
                done.append((tab, lock_id))
            elif self._held.in_use(tab, lock_id):
                due.append((tab, lock_id))
        if done:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nothing to forget
                self._loop.call_soon_threadsafe(self._forget, done)
        if due:
            loop.run_until_complete(self._renew(client, renew, due))

    def _forget(self, done: list[tuple[str, bytes]]) -> None:
        """In the loop: locks held longer than MAX_HOLD_SECONDS are renewed no more."""
        for tab, lock_id in done:
            self.let_go(tab, lock_id)

    async def _renew(self, client: Redis, renew, due: list[tuple[str, bytes]]) -> None:
        try:
            pipeline = client.pipeline(transaction=False)
            for tab, lock_id in due:
                await renew(keys=[f"{tab}_lock".encode()], args=[lock_id, self._manager.lock_expiration],
                            client=pipeline)
            await pipeline.execute()
        except Exception as error:  # Redis away: the holders' own write-backs report it
            log.warning("could not renew the tabs' state locks: %s", type(error).__name__)


class _HoldingState:
    """`manager.modify_state(token)`, counted in _HeldTabs while it holds the tab's state, letting go
    of the locks it took if it fails to hold it (a plain class: every event enters it, and a
    generator-based context manager costs more)."""

    __slots__ = ("_held", "_inner", "_tab", "_let_go")

    def __init__(self, held: _HeldTabs, modify_state, token, context: dict, let_go):
        self._held, self._tab, self._let_go = held, token.lock_key, let_go
        self._inner = modify_state(token, **context)

    async def __aenter__(self):
        taking: list[_TakenLock] = []
        reset = _TAKING.set(taking)
        try:
            state = await self._inner.__aenter__()
        except BaseException:
            for taken in taking:  # a lease that has one lets it go when it ends
                if not taken.let_go and not self._held.leased(taken.tab, taken.lock_id):
                    with contextlib.suppress(RedisError):  # Redis away: the lock expires
                        await asyncio.shield(self._let_go(taken))
            raise
        finally:
            _TAKING.reset(reset)
        self._held.holding[self._tab] += 1
        return state

    async def __aexit__(self, *exc_info):
        holding = self._held.holding
        holding[self._tab] -= 1
        if not holding[self._tab]:
            del holding[self._tab]
        return await self._inner.__aexit__(*exc_info)


def renew_held_locks(manager: StateManagerRedis, lease_seconds: float | None = None) -> None:
    """Makes the manager renew every lock it takes while the tab is in use here, and let each go only
    while it is still its own: Reflex's `_lock` (which events and leases take their locks with) and
    `modify_state` (which events and background tasks hold a tab's state with;
    `modify_state_with_links` calls it), both looked up on the manager each time. Closing the
    manager stops the renewals. A `lease_seconds` (shorter than MAX_HOLD_SECONDS) replaces Reflex's
    lease, which it keeps shorter than the lock it does not renew."""
    if lease_seconds is not None:
        if not 0 < lease_seconds < MAX_HOLD_SECONDS:
            raise ValueError(f"a tab's lease must be shorter than {MAX_HOLD_SECONDS} s")
        manager.oplock_hold_time_ms = round(lease_seconds * 1000)
    modify_state, close = manager.modify_state, manager.close
    held = _HeldTabs(manager)
    renewer = _LockRenewer(manager, held)
    release_if_ours = manager.redis.register_script(_RELEASE_IF_OURS)

    async def let_go(taken: _TakenLock) -> None:
        if taken.let_go:
            return
        taken.let_go = True
        renewer.let_go(taken.tab, taken.lock_id)
        lock_key = f"{taken.tab}_lock".encode()
        await release_if_ours(keys=[lock_key], args=[taken.lock_id])
        manager._notify_next_waiter(lock_key)  # a waiter registered after the release's notice

    @contextlib.asynccontextmanager
    async def lock_renewed_while_in_use(token, event_name: str | None = None):
        """Reflex's `_lock` (the same ids, waiting and waiter hand-off), renewed while in use here,
        and let go only while it is still this holder's."""
        lock_key = manager._lock_key(token)
        lock_id = (f"{event_name}:{uuid.uuid4().hex}" if event_name else uuid.uuid4().hex).encode()
        try:
            await manager._wait_lock(lock_key, lock_id)
        except asyncio.CancelledError:  # perhaps after Redis gave it the lock
            with contextlib.suppress(RedisError):  # Redis away: the lock expires
                await asyncio.shield(release_if_ours(keys=[lock_key], args=[lock_id]))
            raise
        taken = _TakenLock(token.lock_key, lock_id)
        if (taking := _TAKING.get()) is not None:
            taking.append(taken)
        renewer.hold(token.lock_key, lock_id)
        try:
            yield lock_id
        finally:
            await let_go(taken)

    def modify_state_counted(token, **context):
        return _HoldingState(held, modify_state, manager._coerce_token(token), context, let_go)

    async def close_and_stop_renewing():
        try:
            await close()
        finally:
            await asyncio.to_thread(renewer.stop)

    manager._lock = lock_renewed_while_in_use
    manager.modify_state = modify_state_counted
    manager.close = close_and_stop_renewing


def hand_over_without_waiting(manager: StateManagerRedis) -> None:
    """Makes the manager handle each "another node wants this tab" notification in its own task
    (before its notification loop starts: the loop looks the handler up when it subscribes)."""
    handle_contention = manager._handle_lock_contention
    running: set[asyncio.Task] = set()

    def finished(task: asyncio.Task) -> None:
        running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("handing a tab's state to another node failed", exc_info=task.exception())

    def handle_lock_contention(message) -> None:  # a plain function: redis-py does not await it
        task = asyncio.get_running_loop().create_task(handle_contention(message))
        running.add(task)
        task.add_done_callback(finished)

    manager._handle_lock_contention = handle_lock_contention


def _lease_ended(lease: asyncio.Task) -> None:
    """A lease's end, reported once: its exception is retrieved here, so the loop does not report it
    again when the task is collected."""
    if lease.cancelled() or (error := lease.exception()) is None:
        return
    if isinstance(error, _EXPECTED_WRITE_BACK_FAILURES):
        log.warning("a tab's lease ended without writing its state back (%s: Redis restarted or the lock "
                    "expired); the tab re-reads its page", type(error).__name__)
    else:
        log.error("a tab's lease failed", exc_info=error)


def _quiet_lease_breaker(loop: asyncio.AbstractEventLoop) -> None:
    """Makes the loop leave out Reflex's report of an expected failed write-back (_lease_ended
    reports it) and pass everything else on as before; once per loop."""
    previous = loop.get_exception_handler()
    if getattr(previous, "leaves_out_lease_breaker_reports", False):
        return

    def handler(loop: asyncio.AbstractEventLoop, context: dict) -> None:
        if (context.get("message") == _LEASE_BREAKER_FAILED
                and isinstance(context.get("exception"), _EXPECTED_WRITE_BACK_FAILURES)):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    handler.leaves_out_lease_breaker_reports = True
    loop.set_exception_handler(handler)


def report_failed_write_backs_once(manager: StateManagerRedis) -> None:
    """Makes each lease the manager takes report a failed write-back as one log line (see the
    module's docstring)."""
    create_lease_break_task = manager._create_lease_break_task

    async def lease_reported_once(token, lock_id, cleanup_ctx, **context):
        _quiet_lease_breaker(asyncio.get_running_loop())
        lease = await create_lease_break_task(token, lock_id, cleanup_ctx, **context)
        if lease is not None:
            lease.add_done_callback(_lease_ended)
        return lease

    manager._create_lease_break_task = lease_reported_once


def keep_state_locks_alive(app: rx.App) -> None:
    """Installs the renewal, the hand-over and the one-line report of a lease's failed write-back
    when the app's tab states live in Redis (a no-op on disk)."""
    manager = app._state_manager
    if isinstance(manager, StateManagerRedis):
        renew_held_locks(manager, get_settings().state_lease_seconds)
        hand_over_without_waiting(manager)
        report_failed_write_backs_once(manager)
