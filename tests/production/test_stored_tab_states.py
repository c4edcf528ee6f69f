"""Clearing a tab for a new person on the Redis state manager (hub_app/stored_tab_states.py): page
states Redis holds are read and reset, so nothing of the previous member's stays stored; a new tab,
whose first event creates all its states in the node, writes back only what changed.

Reflex's Redis state manager on the test Redis (Redis must be there: the test fails otherwise), the
way SessionState._clear_tab uses it.
"""

import asyncio
import uuid

from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.event.context import EventContext

from hub_app import stored_tab_states
from hub_app.pages.home import HomeState
from hub_app.pages.profile import ProfileState
from hub_app.state.session import SessionState, all_page_states
from tests.production.live_backend import redis_database

REDIS_DB = 15  # shared with tests/handlers/test_tab_data_handlers.py: both keep to tokens of their own
PREVIOUS_MEMBER = {"name": "Sari Previous", "email": "sari.previous@example.test"}


def _run(scenario):
    url, client = redis_database(REDIS_DB, empty=False)
    client.close()

    async def run():
        manager = StateManagerRedis(redis=Redis.from_url(url))
        token = BaseStateToken(ident=str(uuid.uuid4()), cls=State)
        # What an event of the tab runs in: a state it has not read yet is read through its manager.
        EventContext.set(EventContext(token=token.ident, state_manager=manager, enqueue_impl=None))
        try:
            return await scenario(manager, token)
        finally:
            await manager.close()

    return asyncio.run(run())


async def _clear(manager: StateManagerRedis, root: State, token: BaseStateToken) -> set:
    """What SessionState._clear_tab does for a new person, then the event's write-back."""
    session = await root.get_state(SessionState)
    stored = await stored_tab_states.stored_states(token.ident, all_page_states())
    for page_state in stored:
        await session.get_state(page_state)
    stored_tab_states.reset_tree(session, stored)
    session.user_name = "Budi Next"
    await manager.set_state(token, root)
    return stored


async def _stored_names(manager: StateManagerRedis, token: BaseStateToken) -> set[str]:
    """The names of the states Redis holds for the tab."""
    return {key.decode().rpartition(".")[2] async for key in manager.redis.scan_iter(match=f"{token.ident}_*")}


def test_a_new_tab_writes_back_only_the_states_that_changed():
    async def scenario(manager, token):
        # A new tab's first event (the hydrate) creates every state of the tree in the node.
        root = await manager.get_state(token)
        assert len((await root.get_state(SessionState)).substates) == len(SessionState.get_substates()) > 40
        (await root.get_state(HomeState)).desk_open = True  # what the first page load changed
        stored = await _clear(manager, root, token)
        return stored, await _stored_names(manager, token)

    stored, names = _run(scenario)
    assert stored == set()
    assert names == {SessionState.get_name(), HomeState.get_name()}


def test_a_stored_page_state_of_the_previous_member_is_read_and_reset():
    async def scenario(manager, token):
        root = await manager.get_state(token)
        (await root.get_state(ProfileState)).profile = dict(PREVIOUS_MEMBER)
        await manager.set_state(token, root)
        # The next person's event holds only its own part of the tree: the profile is in Redis only.
        home = await manager.get_state(token.with_cls(HomeState))
        assert ProfileState.get_name() not in (await home.get_state(SessionState)).substates
        stored = await _clear(manager, home, token)
        profile = await (await manager.get_state(token.with_cls(ProfileState))).get_state(ProfileState)
        return stored, profile.profile

    stored, profile_now = _run(scenario)
    assert ProfileState in stored
    assert profile_now == {}
