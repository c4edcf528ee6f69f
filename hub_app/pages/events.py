"""/events: the hub's upcoming events (public), as cards, with a "more" button (keyset pages); for a
signed-in member, "my events" first (also those registered earlier as a guest with the same email)."""

import reflex as rx

from hub_app.components.events import event_card, status_pill
from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.services import events
from hub_app.services.events import EventCard, MyEventRow
from hub_app.state.i18n import page_title, t
from hub_app.state.session import SessionState, page_load


class EventsState(SessionState):
    cards: list[EventCard] = []
    next_cursor: str = ""
    mine: list[MyEventRow] = []
    error: str = ""

    @rx.event
    @page_load
    async def load(self):
        page, self.error = await self._run(events.upcoming_events, locale=self.lang, cursor="")
        self.cards = page.rows if page is not None else []
        self.next_cursor = page.next_cursor if page is not None else ""
        mine, _ = await self._run(events.my_events, locale=self.lang) if self.signed_in else ([], "")
        self.mine = mine or []

    @rx.event
    async def more(self):
        """The next page of events, after the ones shown (the cursor is the service's own)."""
        if not self.next_cursor or len(self.cards) >= 500:
            return
        page, self.error = await self._run(events.upcoming_events, locale=self.lang, cursor=self.next_cursor)
        if page is not None:
            self.cards = [*self.cards, *page.rows]
            self.next_cursor = page.next_cursor


def _my_event(row: MyEventRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.div(rx.el.a(rx.el.strong(row.title), href="/events/" + row.event_id.to_string()), rx.el.br(),
                      rx.el.small(row.starts_text, class_name="muted")),
            rx.cond(row.checked_in, status_pill("checked_in"), status_pill(row.status)),
            class_name="row",
        ),
        rx.cond(row.event_cancelled, rx.el.p(t("events_pages.event_cancelled"), class_name="notice warn")),
        rx.cond((row.ticket_code != "") & (row.status == "registered") & ~row.past,
                rx.el.small(t("events_pages.ticket_code"), ": ", rx.el.strong(row.ticket_code))),
        data_testid="my-event",
    )


def _mine() -> rx.Component:
    s = EventsState
    return rx.el.section(
        rx.el.h2(t("events_pages.mine_title")),
        rx.cond(s.mine.length() > 0, rx.el.ul(rx.foreach(s.mine, _my_event), class_name="list"),
                rx.el.p(t("events_pages.mine_none"), class_name="muted")),
        id="my-events", class_name="card", style={"margin-top": "1.5rem"},
    )


@rx.page(route="/events", title=page_title("title.events"), on_load=EventsState.load)
def events_page() -> rx.Component:
    s = EventsState
    return shell(
        rx.el.div(
            rx.el.h1(t("events_pages.title")),
            rx.el.p(t("events_pages.lead"), class_name="muted"),
            class_name="page-head",
        ),
        message(s.error),
        rx.cond(
            s.cards.length() > 0,
            rx.el.ul(rx.foreach(s.cards, event_card), class_name="training-grid", aria_live="polite"),
            rx.el.p(t("events_pages.none"), class_name="muted", role="status"),
        ),
        rx.cond(s.next_cursor != "",
                rx.el.div(rx.el.button(t("events_pages.more"), type="button", on_click=s.more,
                                       class_name="button ghost", data_testid="more-events"),
                          class_name="actions")),
        rx.cond(SessionState.signed_in, _mine()),
    )
