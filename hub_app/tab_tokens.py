"""A tab whose node died keeps its token, and so its state, when it reconnects to another node.

Reflex's Redis token manager gives a connecting tab a new token (a fresh, empty state) whenever a
socket record for its token is already in Redis: the rule that keeps a duplicated browser tab from
sharing its original's state. A node deletes a tab's record when the tab's socket closes, but a
node killed -9 or lost with its machine leaves them until they expire (an hour), so every tab it
served lost its page state on the next node. Each node here keeps a short-lived "alive" key in
Redis; a record whose node has no such key is stale and is taken over instead of counted as a
duplicate.

A node that drains (hub_app/drain.py) asks its tabs to move to another node. It says so with a
"draining" key: its records are then stale too (the tab's own record may still be there when the
tab arrives on the other node, as the draining node deletes it a moment after the socket closed).
The draining node does not store a moved tab's record again (Reflex would, while it still knows
the socket). Its events still running finish there, and their answers follow the tab:
`deliver_after_move` waits for the tab's record on its new node and sends the update there
(Reflex's lost-and-found channel), instead of to the socket the tab has just closed.
"""

import asyncio
import logging
import pickle
import time

from reflex.utils.tasks import ensure_task
from reflex.utils.token_manager import RedisTokenManager

log = logging.getLogger("hub.transport")

# A node's key lives ALIVE_SECONDS and is renewed every BEAT_SECONDS: a killed node's tabs keep
# their tokens once that much time has passed (before that they get new ones, as Reflex does); a
# busy node's event loop has several renewals' slack before it would be taken for dead.
ALIVE_SECONDS = 5
BEAT_SECONDS = 1


MOVE_POLL_SECONDS = 0.05


def alive_key(instance_id: str) -> str:
    return f"hub_node_alive_{instance_id}"


def draining_key(instance_id: str) -> str:
    return f"hub_node_draining_{instance_id}"


class NodeAwareTokenManager(RedisTokenManager):
    """RedisTokenManager whose duplicate-tab rule ignores the records of dead nodes."""

    _heartbeat_task: asyncio.Task | None = None
    _draining = False

    async def _beat(self) -> None:
        while True:
            await self.redis.set(alive_key(self.instance_id), b"1", ex=ALIVE_SECONDS)
            await asyncio.sleep(BEAT_SECONDS)

    async def _start_heartbeat(self) -> None:
        if self._heartbeat_task is None or self._heartbeat_task.done():
            # This node's key exists before its first socket record does.
            await self.redis.set(alive_key(self.instance_id), b"1", ex=ALIVE_SECONDS)
            ensure_task(owner=self, task_attribute="_heartbeat_task", coro_function=self._beat,
                        suppress_exceptions=[Exception])

    async def _stale_owner(self, token: str) -> str | None:
        """The node of this token's socket record when that node is gone (no alive key), else None."""
        record = await self.redis.get(self._get_redis_key(token))
        if record is None:
            return None
        # Written by Reflex's token manager into the portal's own Redis, as Reflex reads it back.
        owner = pickle.loads(record).instance_id
        if owner == self.instance_id:
            return None
        alive, draining = await self.redis.exists(alive_key(owner)), await self.redis.exists(draining_key(owner))
        return owner if draining or not alive else None

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        local = self.token_to_socket.get(token)
        if local is None or local.sid != sid:  # not Reflex's own fast path (the same socket again)
            try:
                await self._start_heartbeat()
                owner = await self._stale_owner(token)
                if owner is not None:
                    await self.redis.delete(self._get_redis_key(token))
                    log.info("a tab of node %s, which is gone or stopping, reconnected here with its state",
                             owner[:8])
            except Exception as error:  # Redis down: Reflex's own rule and error handling decide
                log.warning("node liveness check failed: %s", type(error).__name__)
        return await super().link_token_to_sid(token, sid)

    async def announce_draining(self, seconds: float) -> None:
        """This node is stopping: the other nodes take its tabs over with their tokens."""
        self._draining = True
        await self.redis.set(draining_key(self.instance_id), b"1", ex=max(int(seconds), 1))

    async def _handle_socket_record_del(self, token: str) -> None:
        # Reflex stores a deleted record of its own again when it still knows the socket locally.
        # A draining node's tab that moved is known here until its disconnect is cleaned up, a
        # moment after the other node took the record over: stored again, the record would make the
        # other node take the tab for a duplicate and give it a new token, without its state.
        if not self._draining:
            await super()._handle_socket_record_del(token)

    async def deliver_after_move(self, token: str, update, *, until: float) -> bool:
        """Sends `update` to the node the tab `token` moved to, once the tab's record is there (by
        `until`, a time.monotonic() deadline); False if it never came."""
        while True:
            try:
                owner = await self._get_token_owner(token, refresh=True)
                if owner is not None and owner != self.instance_id:
                    return await self.emit_lost_and_found(token, update)
            except Exception as error:  # Redis down: the tab re-hydrates wherever it lands
                log.warning("could not hand an answer to the tab's new node: %s", type(error).__name__)
                return False
            if time.monotonic() >= until:
                return False
            await asyncio.sleep(MOVE_POLL_SECONDS)

    async def forget_this_node(self) -> None:
        """Called by a node that stops: its remaining records are stale from now on."""
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
        await self.redis.delete(alive_key(self.instance_id))
