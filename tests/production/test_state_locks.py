"""Tab states in Redis under Reflex's opportunistic lock (hub_app/state_locks.py): a long event keeps
what its tab did, and a node hands a tab to another node while another of its tabs is busy.

Reflex's Redis state manager with its opportunistic lock (rxconfig.py) and the portal's renewals, on
the test Redis. For the long events the lock's expiry is shortened to 1.2 s and the lease to 0.6 s,
so that an event of 1 s outlives the lock the way a 6 s wait for the database outlives the real 10 s
one; the hand-over runs with the real 10 s lock and the portal's 30 s lease, two managers standing
for two nodes. Redis must be there (the test fails otherwise).
"""

import asyncio
import contextlib
import gc
import logging
import time
import uuid

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex_base.utils.exceptions import LockExpiredError

from hub_app import state_locks
from hub_app.settings import get_settings
from hub_app.state.session import SessionState
from tests.production.live_backend import redis_database

REDIS_DB = 12  # this module's own Redis database number
LOCK_MS = 1200
LEASE_MS = 600


@pytest.fixture
def redis_url(monkeypatch):
    """Not emptied: these tests run at once in two pytest workers, each on tabs of its own (emptying
    the database under the other's test lost its tab state and hung a wait for a waiter's record)."""
    monkeypatch.setenv("REFLEX_OPLOCK_ENABLED", "true")
    url, client = redis_database(REDIS_DB, empty=False)
    yield url
    client.close()


def _manager(url: str, lock_ms: int = LOCK_MS, lease_ms: int = LEASE_MS) -> StateManagerRedis:
    return StateManagerRedis(redis=Redis.from_url(url), lock_expiration=lock_ms, lock_warning_threshold=lock_ms // 2,
                             oplock_hold_time_ms=lease_ms)


async def _renewing_node(url: str, *, renew_locks: bool = True) -> tuple[StateManagerRedis, BaseStateToken]:
    """A manager that renews its locks (unless told not to), listening for lock notifications, and a
    new tab. A refused write-back (what some tests provoke) is reported to the loop: not printed."""
    asyncio.get_running_loop().set_exception_handler(lambda _loop, _context: None)
    manager = _manager(url)
    if renew_locks:
        state_locks.renew_held_locks(manager)
    await manager._ensure_lock_task_subscribed()
    return manager, BaseStateToken(ident=str(uuid.uuid4()), cls=SessionState)


async def _sign_in_then_wait_long(manager: StateManagerRedis, token: BaseStateToken) -> None:
    """A tab signs in, and its next event, 0.3 s into the lease, waits 1 s for the database."""
    async with manager.modify_state(token) as root:
        session = await root.get_state(SessionState)
        session.signed_in, session.user_name = True, "Sari"
    assert manager._local_leases, "the first event took a lease (rxconfig.py's opportunistic lock)"
    await asyncio.sleep(0.3)
    async with manager.modify_state(token) as root:
        (await root.get_state(SessionState)).unread = 4
        await asyncio.sleep(1.0)
    # The lease ends and writes the tab's state back (or fails to: Reflex reports it to the loop).
    await asyncio.gather(*manager._local_leases.values(), return_exceptions=True)


async def _stored(url: str, token: BaseStateToken) -> SessionState:
    reader = _manager(url)
    try:
        return await (await reader.get_state(token)).get_state(SessionState)
    finally:
        await reader.close()


def _run(url: str, *, renew_locks: bool) -> SessionState:
    async def scenario():
        manager, token = await _renewing_node(url, renew_locks=renew_locks)
        try:
            await _sign_in_then_wait_long(manager, token)
            return await _stored(url, token)
        finally:
            await manager.close()

    return asyncio.run(scenario())


def _sign_in_while_the_loop_stalls(url: str) -> SessionState:
    """A tab signs in, and inside that event the whole loop (timers and all) stands still for longer
    than the lock lives; returns what Redis holds for the tab afterwards."""

    async def scenario():
        manager, token = await _renewing_node(url)
        try:
            async with manager.modify_state(token) as root:
                session = await root.get_state(SessionState)
                session.signed_in, session.user_name = True, "Sari"
                time.sleep(LOCK_MS / 1000 * 1.5)
            await asyncio.gather(*manager._local_leases.values(), return_exceptions=True)
            return await _stored(url, token)
        finally:
            await manager.close()

    return asyncio.run(scenario())


def test_without_renewal_the_long_event_loses_the_whole_lease(redis_url):
    """What Reflex alone does (why state_locks exists): the sign-in before the long event is gone."""
    stored = _run(redis_url, renew_locks=False)
    assert (stored.signed_in, stored.user_name, stored.unread) == (False, "", 0)


def test_a_long_event_renews_the_lock_and_the_tab_keeps_its_sign_in_and_its_changes(redis_url):
    stored = _run(redis_url, renew_locks=True)
    assert (stored.signed_in, stored.user_name, stored.unread) == (True, "Sari", 4)


def test_a_stalled_event_loop_still_renews_the_lock_and_the_tab_keeps_its_changes(redis_url):
    """An overloaded node runs its timers late (at 1,000 tabs the loop fell seconds behind and the
    write-backs of 26 leases were refused): the renewal must not wait for the loop. Here the loop
    itself stands still for longer than the lock lives, inside the tab's event."""
    stored = _sign_in_while_the_loop_stalls(redis_url)
    assert (stored.signed_in, stored.user_name) == (True, "Sari")


def test_a_failed_round_of_renewals_does_not_end_them(redis_url, monkeypatch):
    """One round of renewals fails unexpectedly (here: looking at the node's tabs raises once); the
    next round still renews, so the stalled event's tab keeps its sign-in."""
    in_use, calls = state_locks._HeldTabs.in_use, []

    def fails_once(self, tab, lock_id):
        calls.append(tab)
        if len(calls) == 1:
            raise RuntimeError("dictionary changed size during iteration")
        return in_use(self, tab, lock_id)

    monkeypatch.setattr(state_locks._HeldTabs, "in_use", fails_once)

    stored = _sign_in_while_the_loop_stalls(redis_url)
    assert len(calls) >= 2 and (stored.signed_in, stored.user_name) == (True, "Sari")


def test_a_hung_event_stops_renewing_so_its_tab_is_not_locked_for_good(redis_url, monkeypatch):
    monkeypatch.setattr(state_locks, "MAX_HOLD_SECONDS", 0.9)

    async def scenario():
        manager, token = await _renewing_node(redis_url)
        lock_key = manager._lock_key(token)
        hung = asyncio.Event()
        seen = {"renewed": False, "expired": False}

        async def hang():
            async with manager.modify_state(token):
                hung.set()
                await asyncio.Event().wait()

        event = asyncio.create_task(hang())
        await hung.wait()
        # Past the first expiry the lock is still there (renewed); later it expires while the event
        # still hangs, and another node could take the tab.
        await asyncio.sleep(LOCK_MS / 1000 + 0.2)
        seen["renewed"] = bool(await manager.redis.exists(lock_key))
        for _ in range(100):
            if not await manager.redis.exists(lock_key):
                seen["expired"] = True
                break
            await asyncio.sleep(0.05)
        event.cancel()
        await asyncio.gather(event, return_exceptions=True)
        await manager.close()
        return seen

    assert asyncio.run(scenario()) == {"renewed": True, "expired": True}


def test_a_renewal_never_extends_a_lock_another_node_took(redis_url):
    """This node's lock expired while its event ran (its loop stalled) and another node took the
    tab: renewing must not keep the other node's lock alive (it would outlive that node if it died)."""

    async def scenario():
        manager, token = await _renewing_node(redis_url)
        lock_key = manager._lock_key(token)
        try:
            async with manager.modify_state(token):
                await manager.redis.set(lock_key, b"node-b", px=1000)
                await asyncio.sleep(0.9)  # this node's renewals are due at 0.4 s and 0.8 s
                return await manager.redis.get(lock_key), await manager.redis.pttl(lock_key)
        finally:
            await manager.close()

    holder, milliseconds_left = asyncio.run(scenario())
    assert holder == b"node-b" and milliseconds_left <= 150


def test_a_lock_that_nothing_uses_is_not_renewed_and_expires(redis_url):
    """Reflex leaves a lock taken in some races without anyone to let it go, and relies on its
    expiry: such a lock must expire as before (renewed, it held its tab for a minute in the drill)."""

    async def scenario():
        manager = _manager(redis_url)
        state_locks.renew_held_locks(manager)
        token = BaseStateToken(ident=str(uuid.uuid4()), cls=SessionState)
        lock_key = manager._lock_key(token)
        left_behind = contextlib.AsyncExitStack()
        await left_behind.enter_async_context(manager._lock(token))  # taken and never let go
        try:
            for _ in range(100):
                if not await manager.redis.exists(lock_key):
                    return True
                await asyncio.sleep(0.05)
            return False
        finally:
            await manager.close()

    assert asyncio.run(scenario()), "the lock nobody used was still there 5 s later"


def test_a_holder_that_lost_its_lock_does_not_release_the_next_holders(redis_url):
    """A lock taken and left unused (Reflex does that in some races) expires, and node B takes the
    tab; when the first holder lets go afterwards, B's lock must stay: Reflex's own release deleted
    whatever lock the tab had then (in the drill: "was released by ..., but it belonged to ...", then
    the lease's write-back refused and the member's changes of those seconds lost)."""

    async def scenario():
        node_a, token = await _renewing_node(redis_url)
        node_b, _ = await _renewing_node(redis_url)
        b_holds, a_let_go = asyncio.Event(), asyncio.Event()

        async def sign_in_on_node_b():
            async with node_b.modify_state(token) as root:
                session = await root.get_state(SessionState)
                session.signed_in, session.user_name = True, "Sari"
                b_holds.set()
                await a_let_go.wait()
            await asyncio.gather(*node_b._local_leases.values(), return_exceptions=True)

        try:
            async with node_a._lock(token):
                on_b = asyncio.create_task(sign_in_on_node_b())
                await b_holds.wait()  # once node A's unused lock has expired
            a_let_go.set()
            await on_b
            return await _stored(redis_url, token)
        finally:
            for node in (node_a, node_b):
                await node.close()

    stored = asyncio.run(scenario())
    assert (stored.signed_in, stored.user_name) == (True, "Sari")


def test_a_lease_longer_than_the_lock_keeps_the_tab_here_while_its_lock_stays_short_lived(redis_url):
    """The portal's lease (30 s) outlasts the lock (10 s), which the node renews meanwhile; here a 3 s
    lease over the 1.2 s lock. The tab's second event, past the lock's first expiry, finds its state
    in the node: Redis has not been written. The lock never has more than its 1.2 s to live, so a node
    that dies frees the tab as soon as with a short lease. The lease's end writes both events back."""

    async def scenario():
        asyncio.get_running_loop().set_exception_handler(lambda _loop, _context: None)
        manager = _manager(redis_url)
        state_locks.renew_held_locks(manager, lease_seconds=3.0)
        await manager._ensure_lock_task_subscribed()
        token = BaseStateToken(ident=str(uuid.uuid4()), cls=SessionState)
        lock_key = manager._lock_key(token)
        try:
            async with manager.modify_state(token) as root:
                session = await root.get_state(SessionState)
                session.signed_in, session.user_name = True, "Sari"
            lives = []
            for _ in range(15):  # 1.5 s, past the lock's first expiry
                lives.append(await manager.redis.pttl(lock_key))
                await asyncio.sleep(0.1)
            async with manager.modify_state(token) as root:
                (await root.get_state(SessionState)).unread = 4
            in_redis_meanwhile = await _stored(redis_url, token)
            await asyncio.gather(*manager._local_leases.values(), return_exceptions=True)
            return lives, in_redis_meanwhile, await _stored(redis_url, token)
        finally:
            await manager.close()

    lives, meanwhile, stored = asyncio.run(scenario())
    assert all(0 < milliseconds <= LOCK_MS for milliseconds in lives), lives
    assert (meanwhile.signed_in, meanwhile.user_name) == (False, "")
    assert (stored.signed_in, stored.user_name, stored.unread) == (True, "Sari", 4)


def test_a_lease_must_end_before_the_renewals_do(redis_url):
    with pytest.raises(ValueError, match="lease"):
        state_locks.renew_held_locks(_manager(redis_url), lease_seconds=state_locks.MAX_HOLD_SECONDS)


def _node(url: str) -> StateManagerRedis:
    """A node's state manager as the portal sets it up (the real 10 s lock and the portal's lease)."""
    manager = _manager(url, lock_ms=10_000)
    state_locks.renew_held_locks(manager, get_settings().state_lease_seconds)
    state_locks.hand_over_without_waiting(manager)
    return manager


def test_a_node_hands_a_tab_over_at_once_while_another_of_its_tabs_waits_for_the_database(redis_url):
    """Node A holds leases on tabs X and Y, and Y's event waits for the database. Node B needs Y
    (it waits for that event, as it must) and then X: X comes over at once, with what A did in it,
    not after A's lease on X runs out (30 s)."""

    async def scenario():
        node_a, node_b = _node(redis_url), _node(redis_url)
        for node in (node_a, node_b):
            await node._ensure_lock_task_subscribed()
        tab_x, tab_y = (BaseStateToken(ident=str(uuid.uuid4()), cls=SessionState) for _ in range(2))
        y_held, release_y = asyncio.Event(), asyncio.Event()

        async with node_a.modify_state(tab_x) as root:
            (await root.get_state(SessionState)).user_name = "Sari"

        async def y_waits_for_the_database():
            async with node_a.modify_state(tab_y):
                y_held.set()
                await release_y.wait()

        async def on_node_b(tab) -> str:
            async with node_b.modify_state(tab) as root:
                return (await root.get_state(SessionState)).user_name

        held = asyncio.create_task(y_waits_for_the_database())
        await y_held.wait()
        y_on_b = asyncio.create_task(on_node_b(tab_y))
        while not await node_b.redis.scard(node_b._lock_key(tab_y) + b"_waiters"):
            await asyncio.sleep(0.01)
        try:
            x_on_b = await asyncio.wait_for(on_node_b(tab_x), timeout=2.5)
            y_still_held = not release_y.is_set() and not y_on_b.done()
        finally:
            release_y.set()
            await asyncio.gather(held, y_on_b)
            for node in (node_a, node_b):
                await node.close()
        return x_on_b, y_still_held

    assert asyncio.run(scenario()) == ("Sari", True)


def _lease_whose_lock_redis_lost(url: str, *, reported_once: bool) -> list[tuple[str, type]]:
    """A tab signs in (the node takes a lease), then Redis loses the tab's lock, as a Redis restart
    loses every lock; the lease ends and its write-back is refused. Returns what reached the event
    loop's exception handler (message, exception type), which logs a traceback for each, up to the
    lease task's collection. The exceptions themselves are not kept: they would keep the task."""

    async def scenario():
        reached: list[tuple[str, type]] = []
        asyncio.get_running_loop().set_exception_handler(
            lambda _loop, context: reached.append((context["message"], type(context.get("exception")))))
        manager = _manager(url)
        state_locks.renew_held_locks(manager)
        if reported_once:
            state_locks.report_failed_write_backs_once(manager)
        await manager._ensure_lock_task_subscribed()
        token = BaseStateToken(ident=str(uuid.uuid4()), cls=SessionState)
        try:
            async with manager.modify_state(token) as root:
                (await root.get_state(SessionState)).signed_in = True
            await manager.redis.delete(manager._lock_key(token))
            leases = list(manager._local_leases.values())
            assert leases, "the event took a lease (rxconfig.py's opportunistic lock)"
            await asyncio.wait(leases)  # its end, without retrieving what it raised
            del leases
            gc.collect()  # a lease task nobody awaited reports its exception when collected
            await asyncio.sleep(0)
            return reached
        finally:
            await manager.close()

    return asyncio.run(scenario())


def test_without_the_report_a_lost_lock_is_two_tracebacks_per_tab(redis_url):
    """What Reflex alone does (why report_failed_write_backs_once exists): after a Redis restart
    each leased tab put two tracebacks in the node's log, some 400 in the drill."""
    reached = _lease_whose_lock_redis_lost(redis_url, reported_once=False)
    assert reached == [("Exception in Redis State Manager lease breaker", LockExpiredError),
                       ("Task exception was never retrieved", LockExpiredError)]


def test_a_lease_whose_lock_redis_lost_is_one_warning_line(redis_url, caplog):
    with caplog.at_level(logging.WARNING, logger="hub.state_locks"):
        reached = _lease_whose_lock_redis_lost(redis_url, reported_once=True)
    assert reached == []
    lines = [record for record in caplog.records if record.name == "hub.state_locks"]
    assert [(record.levelname, record.exc_info) for record in lines] == [("WARNING", None)]
    assert "without writing its state back (LockExpiredError" in lines[0].getMessage()


def test_the_loop_still_reports_everything_else(redis_url):
    """Only the refused write-back is left out: any other report reaches the handler as before."""

    async def scenario():
        reached: list[dict] = []
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: reached.append(context))
        state_locks._quiet_lease_breaker(loop)
        state_locks._quiet_lease_breaker(loop)  # once per loop, however many leases install it
        failure = RuntimeError("a bug")
        loop.call_exception_handler({"message": "Exception in Redis State Manager lease breaker",
                                     "exception": failure})
        loop.call_exception_handler({"message": "Exception in callback", "exception": LockExpiredError("x")})
        return reached

    reached = asyncio.run(scenario())
    assert [(context["message"], type(context["exception"])) for context in reached] == [
        ("Exception in Redis State Manager lease breaker", RuntimeError), ("Exception in callback", LockExpiredError)]


def _cancelled_right_after(manager: StateManagerRedis, step: str, nth: int) -> asyncio.Event:
    """Makes the manager's `nth` call of `step` do its work in Redis and then wait until cancelled;
    returns an event set once it waits there."""
    reached, real_step, calls = asyncio.Event(), getattr(manager, step), []

    async def then_wait(*args):
        result = await real_step(*args)
        calls.append(step)
        if len(calls) == nth:
            reached.set()
            await asyncio.Event().wait()
        return result

    setattr(manager, step, then_wait)
    return reached


@pytest.mark.parametrize(("step", "nth"), [
    ("_try_get_lock", 1),  # Redis took the lock; the task is cancelled before it hears so
    ("_n_lock_contenders", 1),  # Reflex's first look after taking the lock
    ("_n_lock_contenders", 2),  # its look before taking a lease
])
def test_a_redraw_cancelled_as_it_takes_its_tab_leaves_the_tab_free(redis_url, step, nth):
    """The calendar's live redraw (a background task, book.py `watch`) takes its tab's state, and the
    member navigates away meanwhile: Reflex cancels the page's unfinished events, the redraw with them.
    Cancelled between taking the tab's lock and holding the state, Reflex left the lock in Redis with
    nobody to let it go, so the redraw's own tidy-up and then the member's navigation waited for its
    10 s expiry (the drill at 1,000 tabs: 28 navigations of 10-11 s, each after a tap on /book). The
    lock must be free as soon as the cancelled step is over, and the tidy-up and navigation run."""

    async def scenario():
        node = _node(redis_url)
        await node._ensure_lock_task_subscribed()
        token = BaseStateToken(ident=str(uuid.uuid4()), cls=SessionState)
        lock_key = node._lock_key(token)
        reached = _cancelled_right_after(node, step, nth)
        seen = {}

        async def redraw():
            try:
                async with node.modify_state(token) as root:
                    (await root.get_state(SessionState)).unread = 1
            finally:
                seen["holder while tidying up"] = await node.redis.get(lock_key)
                if seen["holder while tidying up"] is None:
                    async with node.modify_state(token) as root:
                        (await root.get_state(SessionState)).user_name = "tidied up"

        try:
            watch = asyncio.create_task(redraw())
            await reached.wait()
            watch.cancel()
            await asyncio.gather(watch, return_exceptions=True)
            async with node.modify_state(token) as root:  # the navigation
                seen["name on the next page"] = (await root.get_state(SessionState)).user_name
            return seen
        finally:
            await node.close()

    assert asyncio.run(scenario()) == {"holder while tidying up": None, "name on the next page": "tidied up"}
