"""A tab of a node that was killed -9 keeps its token and its state on the node it reconnects to,
while a duplicated browser tab (the same token with its original still connected) still gets a new
token of its own (hub_app/tab_tokens.py).

Two app nodes (`reflex run --env prod --backend-only`, one worker each) on PostgreSQL and Redis; the
tabs speak the portal's Socket.IO protocol to them directly. PostgreSQL and Redis must be there (the
test fails otherwise).
"""

import asyncio
import os
import signal
import time
import uuid

import pytest

from benchmarks._client import ReflexClient, session_state_name, shell_events_name
from hub_app.tab_tokens import ALIVE_SECONDS, NodeAwareTokenManager, alive_key
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.production.live_backend import (
    backend_env,
    cli,
    free_port,
    redis_database,
    socket_owner,
    start_backend,
    stop_backend,
)

pytestmark = pytest.mark.postgres

REDIS_DB = 11  # this module's own Redis database numbers: each test empties its own, and the two
DRAIN_REDIS_DB = 14  # may run at once in two pytest workers


def _wait_until(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.05)


def _menu_open(updates) -> bool | None:
    """menu_open as the first update that carries it says: the state the node hydrated the tab with."""
    for update in updates:
        value = update.var(session_state_name(), "menu_open")
        if value is not None:
            return value
    return None


def test_a_killed_nodes_tab_keeps_its_token_and_state_and_a_duplicate_tab_does_not(tmp_path):
    redis_url, redis_client = redis_database(REDIS_DB)
    database_url = create_postgres_database()
    public_url = f"http://127.0.0.1:{free_port()}"
    env = backend_env(tmp_path, database_url=database_url, redis_url=redis_url, public_url=public_url)
    env["HUB_STATE_LEASE_SECONDS"] = "1"  # node A writes the tab's state back within a second, not 30 s
    nodes = []
    try:
        cli(env, "migrate")
        for name in ("a", "b"):
            port = free_port()
            node_env = {**env, "REFLEX_WEB_WORKDIR": str(tmp_path / name / ".web"),
                        "REFLEX_STATES_WORKDIR": str(tmp_path / name / ".states")}
            nodes.append((port, start_backend(node_env, port, tmp_path / f"{name}.log")))
        (port_a, node_a), (port_b, _) = nodes

        async def journey() -> None:
            token = str(uuid.uuid4())
            tab = ReflexClient(f"http://127.0.0.1:{port_a}", token=token, origin=public_url)
            await tab.connect("/")
            node_a_id = socket_owner(redis_client, token)
            await tab.call(f"{shell_events_name()}.toggle_menu")  # state only this tab has: the menu is open

            # The same token from a second connection while the first is alive: a duplicated
            # browser tab, which Reflex gives a token of its own (the record stays the original's).
            duplicate = ReflexClient(f"http://127.0.0.1:{port_b}", token=token, origin=public_url)
            assert _menu_open(await duplicate.connect("/")) is False
            assert socket_owner(redis_client, token) == node_a_id
            await duplicate.disconnect()

            # Node A's lease on the tab's state ends (its state is in Redis), then A is killed -9.
            _wait_until(lambda: not redis_client.exists(f"{token}_lock"), "node A to write the tab's state")
            os.killpg(node_a.pid, signal.SIGKILL)
            node_a.wait(timeout=10)
            assert redis_client.exists(f"token_manager_socket_record_{token}")  # left behind by the killed node
            _wait_until(lambda: not redis_client.exists(alive_key(node_a_id)), "node A's alive key to expire",
                        seconds=ALIVE_SECONDS + 10)

            back = ReflexClient(f"http://127.0.0.1:{port_b}", token=token, origin=public_url)
            updates = await back.connect("/")
            assert _menu_open(updates) is True  # the state node A left, not a fresh one
            assert socket_owner(redis_client, token) not in ("", node_a_id)  # the token is node B's now
            await back.disconnect()

        asyncio.run(journey())
    finally:
        for _, process in nodes:
            stop_backend(process)
        redis_client.flushdb()
        redis_client.close()
        drop_postgres_database(database_url)


def test_a_draining_node_does_not_store_a_moved_tabs_record_again():
    """Reflex stores a deleted socket record of its own again while it still knows the socket. A
    draining node (hub_app/drain.py) knows a moved tab's socket until its disconnect is cleaned up;
    its record, stored again after the other node took it over, would make that node give the tab
    a new token, without its state. A node that is not draining keeps Reflex's rule."""
    import redis.asyncio

    redis_url, redis_client = redis_database(DRAIN_REDIS_DB)
    key = "token_manager_socket_record_{}".format

    async def scenario():
        leaving = NodeAwareTokenManager(redis.asyncio.Redis.from_url(redis_url))
        staying = NodeAwareTokenManager(redis.asyncio.Redis.from_url(redis_url))
        moved, kept = str(uuid.uuid4()), str(uuid.uuid4())
        try:
            assert await leaving.link_token_to_sid(moved, "sid-leaving") is None
            assert await staying.link_token_to_sid(kept, "sid-staying") is None
            await leaving.announce_draining(30)
            for node, token in ((leaving, moved), (staying, kept)):
                await asyncio.to_thread(redis_client.delete, key(token))
                await node._handle_socket_record_del(token)
            assert not await asyncio.to_thread(redis_client.exists, key(moved))
            assert await asyncio.to_thread(redis_client.exists, key(kept))
            assert await staying.link_token_to_sid(moved, "sid-moved") is None  # its own token, its state
        finally:
            for node in (leaving, staying):
                await node.forget_this_node()
                await node.close()

    try:
        asyncio.run(scenario())
    finally:
        redis_client.flushdb()
        redis_client.close()
