"""Which of a tab's page states Redis holds: a new tab's first page load need not read every page
state to reset it, nor write them all back.

When the person behind a tab changes, SessionState._clear_tab resets every page state of the tab.
An event holds only its own part of the tab's state tree, so the reset first read all 48 page states
from Redis, and the tab's next write-back stored all 50 again (a reset marks each one changed). The
first page load of every signed-in member's new tab changes the person (from nobody) while almost
nothing of the tab is stored: at 1,000 tabs (`make capacity`) 98 of 222 write-backs in three seconds
were such a tab's 50 states (a new tab's first event creates all of them in the node). Now only the
stored page states are read, the reset reaches them and the ones this node holds, and of these a
state that is neither stored nor changed since it was created holds its defaults already: it stays
out of the write-back, as it would without the reset.
"""

from reflex.istate.manager import get_state_manager
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import BaseState


async def stored_states(client_token: str, states: list[type[BaseState]]) -> set[type[BaseState]] | None:
    """Those of `states` that Redis holds for this tab (one round trip); None without Redis: the
    disk and memory managers keep a tab's whole tree in the process."""
    manager = get_state_manager()
    if not isinstance(manager, StateManagerRedis):
        return None
    pipeline = manager.redis.pipeline(transaction=False)
    for state in states:
        pipeline.exists(BaseStateToken(ident=client_token, cls=state)._state_key(state))
    found = await pipeline.execute()
    return {state for state, count in zip(states, found, strict=True) if count}



def reset_tree(state: BaseState, stored: set[type[BaseState]] | None) -> None:
    """Resets `state` and the states loaded under it. `stored`: the states Redis holds for the tab
    (None: unknown, every one is written back). A state under `state` that is neither stored nor
    changed since this node created it holds its defaults already (a new tab's first event creates
    all of them): it is left unmarked, so the write-back leaves it out as it would without the reset."""
    untouched_new, pending = [], list(state.substates.values())
    while stored is not None and pending:
        loaded = pending.pop()
        if type(loaded) not in stored and not loaded._was_touched:
            untouched_new.append(loaded)
        pending.extend(loaded.substates.values())
    state.reset()
    for loaded in untouched_new:
        loaded._was_touched = False  # Reflex's "changed since read": what its write-back stores
