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
only while the lock is still its own, for at most `MAX_HOLD_SECONDS`: a node that hangs or dies
stops renewing and its locks expire as before, and a lock held longer than that expires as Reflex
intends, so one hung event never holds its tab for good. A lease (5 s) is renewed once.

When another node needs a tab this node holds a lease on, Redis tells this node, and Reflex's
handler waits for the tab's state to be free, then ends the lease. It runs inside the one loop
that reads all of this node's lock notifications, so while it waits for one busy tab (an event
held by the database) every other tab's hand-over and every lock release waits too: in a drain,
where all tabs move at once, one held event delayed the moves of the rest by up to the lease's 5 s.
Here each such notification is handled in a task of its own.
"""

import asyncio
import contextlib
import logging

import reflex as rx
from reflex.istate.manager.redis import StateManagerRedis

log = logging.getLogger("hub.state_locks")

MAX_HOLD_SECONDS = 60.0

# Extends the lock only while it still holds this holder's id (it may have expired and been taken).
_RENEW_IF_OURS = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class _LockKeeper:
    """Renews one held lock every `period` seconds until stopped (a timer, no task per lock)."""

    __slots__ = ("_handle", "_lock_id", "_lock_key", "_loop", "_manager", "_period", "_renew_script",
                 "_renewing", "_until")

    def __init__(self, manager: StateManagerRedis, renew_script, lock_key: bytes, lock_id: bytes):
        self._manager, self._renew_script = manager, renew_script
        self._lock_key, self._lock_id = lock_key, lock_id
        self._period = manager.lock_expiration / 3000
        self._loop = asyncio.get_running_loop()
        self._until = self._loop.time() + MAX_HOLD_SECONDS
        self._renewing: asyncio.Task | None = None
        self._handle = self._loop.call_later(self._period, self._renew)

    def _renew(self) -> None:
        self._renewing = self._loop.create_task(self._extend())
        more = self._loop.time() + self._period <= self._until
        self._handle = self._loop.call_later(self._period, self._renew) if more else None

    async def _extend(self) -> None:
        try:
            await self._renew_script(keys=[self._lock_key], args=[self._lock_id, self._manager.lock_expiration])
        except Exception as error:  # Redis away: the holder's own write-back reports it
            log.warning("could not renew a tab's state lock: %s", type(error).__name__)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()


def renew_held_locks(manager: StateManagerRedis) -> None:
    """Makes the manager renew every lock it takes for as long as it holds it (Reflex's `_lock`, which
    events and leases take their locks with, looked up on the manager each time)."""
    take_lock = manager._lock
    renew_script = manager.redis.register_script(_RENEW_IF_OURS)

    @contextlib.asynccontextmanager
    async def lock_renewed_while_held(token, event_name: str | None = None):
        async with take_lock(token, event_name=event_name) as lock_id:
            keeper = _LockKeeper(manager, renew_script, manager._lock_key(token), lock_id)
            try:
                yield lock_id
            finally:
                keeper.stop()

    manager._lock = lock_renewed_while_held


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


def keep_state_locks_alive(app: rx.App) -> None:
    """Installs the renewal and the hand-over when the app's tab states live in Redis (a no-op on
    disk)."""
    manager = app._state_manager
    if isinstance(manager, StateManagerRedis):
        renew_held_locks(manager)
        hand_over_without_waiting(manager)
