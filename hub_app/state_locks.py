"""With Redis, a tab's lock stays alive while one of its events runs, and a node hands a tab to
another node without waiting for its other tabs.

Reflex locks a tab's state in Redis for `lock_expiration` (10 s) and writes it back when the event
ends, refusing the write if the lock has expired meanwhile. Its opportunistic lock (rxconfig.py) keeps
that one lock for all the events of the next 5 s, without renewing it, and writes the state back
once at the end. So an event that starts 4 s into such a lease and waits 6 s for the database (a
table lock, a database restart) outlives the lock: the write-back fails with LockExpiredError and
every change of the lease is lost, a sign-in included (the drain test saw a tab signed out that
way). Here each event renews its tab's lock every quarter of the expiry while it runs, for at most
`MAX_EVENT_SECONDS`: an event stuck longer than that lets the lock expire as Reflex intends, so one
hung event never holds its tab for good.

When another node needs a tab this node holds a lease on, Redis tells this node, and Reflex's
handler waits for the tab's state to be free, then ends the lease. It runs inside the one loop
that reads all of this node's lock notifications, so while it waits for one busy tab (an event
held by the database) every other tab's hand-over and every lock release waits too: in a drain,
where all tabs move at once, one held event delayed the moves of the rest by up to the lease's 5 s.
Here each such notification is handled in a task of its own.
"""

import asyncio
import logging

import reflex as rx
from reflex.istate.manager.redis import StateManagerRedis

log = logging.getLogger("hub.state_locks")

MAX_EVENT_SECONDS = 60.0


class _LockKeeper:
    """Renews one tab's lock every `period` seconds until stopped (a timer, no task per event)."""

    __slots__ = ("_extending", "_handle", "_loop", "_manager", "_lock_key", "_period", "_until")

    def __init__(self, manager: StateManagerRedis, lock_key: bytes, period: float):
        self._manager, self._lock_key, self._period = manager, lock_key, period
        self._loop = asyncio.get_running_loop()
        self._until = self._loop.time() + MAX_EVENT_SECONDS
        self._extending: asyncio.Task | None = None
        self._handle = self._loop.call_later(period, self._renew)

    def _renew(self) -> None:
        self._extending = self._loop.create_task(self._extend())
        more = self._loop.time() + self._period <= self._until
        self._handle = self._loop.call_later(self._period, self._renew) if more else None

    async def _extend(self) -> None:
        try:
            await self._manager._try_extend_lock(self._lock_key)
        except Exception as error:  # Redis away: the event's own write-back reports it
            log.warning("could not renew a tab's state lock: %s", type(error).__name__)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()


class _ModifyStateKeepingLock:
    """`manager.modify_state(token)` with a _LockKeeper around the time the event holds the state
    (a plain class: every event enters it, and a generator-based context manager costs more)."""

    __slots__ = ("_context", "_inner", "_keeper", "_manager", "_token")

    def __init__(self, manager: StateManagerRedis, modify_state, token, context: dict):
        self._manager, self._token = manager, manager._coerce_token(token)
        self._inner = modify_state(self._token, **context)
        self._keeper: _LockKeeper | None = None

    async def __aenter__(self):
        state = await self._inner.__aenter__()
        manager = self._manager
        self._keeper = _LockKeeper(manager, manager._lock_key(self._token), manager.lock_expiration / 4000)
        return state

    async def __aexit__(self, *exc_info):
        self._keeper.stop()
        return await self._inner.__aexit__(*exc_info)


def keep_locks_during_events(manager: StateManagerRedis) -> None:
    """Makes every `modify_state` of the manager renew the tab's lock while the state is held
    (`modify_state_with_links`, which events use, calls it)."""
    modify_state = manager.modify_state

    def modify_state_keeping_lock(token, **context):
        return _ModifyStateKeepingLock(manager, modify_state, token, context)

    manager.modify_state = modify_state_keeping_lock


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
        keep_locks_during_events(manager)
        hand_over_without_waiting(manager)

