"""A page navigation is one Reflex event: the page's on_load runs inside Reflex's on_load_internal.

Reflex turns a navigation into three events for the tab: on_load_internal, which queues the page's
on_load handlers and then set_is_hydrated. Each takes the tab's state lock, reads and writes its
state and sends a delta, so two thirds of a navigation's Reflex work is bookkeeping (page loads are
over half of what members send). `OneEventNavigation`, an app middleware (Reflex's public hook in
front of every event, run under the tab's lock), runs the page's on_load handlers in that first
event instead, through Reflex's own `process_event` (their deltas, redirects and chained events go
out as before), and marks the tab hydrated in the same event. A page without on_load is left to
Reflex, which marks it hydrated in its one event; one whose on_load is not plain handlers of states
(none today) keeps Reflex's three events.

A navigation also ends the tab's live calendar on this node (hub_app/pages/book.py): the page that
showed it is gone, and a calendar page's on_load starts a new watch. An event of the calendar's own
when it unmounted would cost the tab's state (the calendar's cells) read and written once more.
"""

from __future__ import annotations

from reflex.middleware import Middleware
from reflex.state import BaseState, OnLoadInternalState, StateUpdate
from reflex_base.event import Event, EventHandler
from reflex_base.event.processor.base_state_processor import chain_updates, process_event
from reflex_base.utils.format import format_event_handler

from hub_app.services import calendar_push

NAVIGATION_EVENT = format_event_handler(OnLoadInternalState.event_handlers["on_load_internal"])


def inline_load_handlers(load_events: list) -> list[EventHandler] | None:
    """The page's on_load handlers if there are any and all of them can run inside the navigation
    event: foreground handlers of a state, taking no arguments."""
    if not load_events or not all(isinstance(handler, EventHandler) and handler.state is not None
               and not handler.is_background for handler in load_events):
        return None
    return load_events


class OneEventNavigation(Middleware):
    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        if event.name != NAVIGATION_EVENT:
            return None
        root = state._get_root_state()
        calendar_push.live_calendars().close(root.router.session.client_token)
        handlers = inline_load_handlers(app.get_load_events(root.rx_router_url.path))
        if handlers is None:
            return None
        try:
            for position, handler in enumerate(handlers, start=1):
                if position == len(handlers):
                    # With the last handler's delta, as Reflex's third event would mark it after the
                    # page's: a page counts as loaded once it is hydrated (the browser tests wait so).
                    root.is_hydrated = True
                await process_event(handler=handler, payload={}, state=await root.get_state(handler.state),
                                    root_state=root)
        except Exception:
            # Reflex's set_is_hydrated would still run after a failed on_load: the page is not left
            # waiting, and the failure itself is answered by the backend exception handler.
            root.is_hydrated = True
            await chain_updates(None, handler_name=NAVIGATION_EVENT, root_state=root)
            raise
        return StateUpdate()
