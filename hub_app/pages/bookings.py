"""/bookings: my upcoming and past bookings; cancel (one, or the rest of a series) until the start;
check in; add one to my calendar (.ics). Also the calendar-feed section the profile page shows."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.domain.permissions import Actor
from hub_app.services import booking_checkins, bookings, calendar_feed
from hub_app.services.bookings import BookingRow
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import LOOK_UP, SessionState, form_data, go_to, page_load


class MyBookingsState(SessionState):
    rows: list[BookingRow] = []
    past: bool = False
    cursor: str = ""
    next_cursor: str = ""
    error: str = ""
    info: str = ""

    async def _reload(self, actor: Actor | None | object = LOOK_UP) -> None:
        """Reads the member's bookings again, for `actor` if this event has looked them up already."""
        page, error = await self._run(bookings.my_bookings, actor, past=self.past, cursor=self.cursor)
        if page is None:
            self.rows, self.next_cursor, self.error = [], "", error
            return
        self.rows, self.next_cursor = page.rows, page.next_cursor

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        if await self._actor() is None:
            return go_to("/login?next=/bookings")
        self.past = self.router.url.query_parameters.get("show") == "past"
        self.cursor = ""
        await self._reload()

    @rx.event
    async def show(self, past: bool):
        self.past = past is True
        self.cursor = ""
        self.error = self.info = ""
        await self._reload()

    @rx.event
    async def more(self):
        self.cursor = self.next_cursor
        await self._reload()

    @rx.event
    async def cancel(self, form: dict):
        data = form_data(form)
        self.error = self.info = ""
        try:
            actor = await self._actor()
            count = await call(bookings.cancel, actor, booking_id=data.get("booking_id"),
                               scope=data.get("scope") or "one")
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("bookings.cancelled", count=count)
        self.cursor = ""
        await self._reload(actor)

    @rx.event
    async def check_in(self, booking_id: int):
        self.error = self.info = ""
        try:
            actor = await self._actor()
            await call(booking_checkins.check_in, actor, booking_id=booking_id)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("bookings.checked_in")
        await self._reload(actor)


def status_pill(row: BookingRow) -> rx.Component:
    return rx.el.span(
        rx.match(row.status, *[(s, t(f"booking.status.{s}")) for s in
                               ("pending", "confirmed", "declined", "cancelled", "released")], row.status),
        class_name=rx.match(row.status, ("confirmed", "pill ok"), ("pending", "pill warn"), "pill bad"),
        data_testid="booking-status")


def _row(row: BookingRow) -> rx.Component:
    S = MyBookingsState
    return rx.el.li(
        rx.el.div(rx.el.div(rx.el.strong(row.title), rx.el.br(), rx.el.span(row.space), rx.el.br(),
                            rx.el.small(row.when, class_name="muted")),
                  rx.el.div(status_pill(row), rx.cond(row.checked_in, rx.el.span(t("bookings.checked_in_pill"),
                                                                                 class_name="pill ok"))),
                  class_name="row"),
        rx.cond(row.reason != "", rx.el.p(t("common.reason"), ": ", row.reason, class_name="muted")),
        rx.el.div(
            rx.cond(row.can_check_in, rx.el.button(t("bookings.check_in"), type="button",
                                                   on_click=S.check_in(row.id), class_name="button small")),
            rx.cond((row.status == "confirmed") | (row.status == "pending"),
                    rx.el.a(rx.icon("calendar-plus", size=16, aria_hidden="true"), t("bookings.add_to_calendar"),
                            href="/api/bookings/" + row.id.to_string() + ".ics", class_name="button ghost small")),
            rx.cond(row.can_cancel, rx.el.details(
                rx.el.summary(t("bookings.cancel"), class_name="button ghost small"),
                rx.el.form(
                    rx.el.input(type="hidden", name="booking_id", value=row.id),
                    rx.cond(row.series_id > 0, rx.el.div(
                        rx.el.label(t("bookings.which"), html_for="scope-" + row.id.to_string()),
                        rx.el.select(rx.el.option(t("bookings.only_this"), value="one"),
                                     rx.el.option(t("bookings.this_and_later"), value="rest"),
                                     id="scope-" + row.id.to_string(), name="scope"), class_name="field")),
                    rx.el.button(t("bookings.cancel_confirm"), type="submit", class_name="button danger small"),
                    on_submit=S.cancel,
                ))),
            class_name="actions",
        ),
        data_testid="booking-row",
    )


@rx.page(route="/bookings", title=page_title("title.bookings"),
         on_load=MyBookingsState.load)
def my_bookings() -> rx.Component:
    S = MyBookingsState
    return shell(
        rx.el.div(rx.el.h1(t("nav.bookings")), rx.el.a(t("booking.day_title"), href="/book", class_name="button"),
                  class_name="row"),
        rx.el.div(
            rx.el.button(t("bookings.upcoming"), type="button", on_click=S.show(False),
                         class_name=rx.cond(S.past, "button ghost small", "button small"),
                         aria_pressed=rx.cond(S.past, "false", "true")),
            rx.el.button(t("bookings.past"), type="button", on_click=S.show(True),
                         class_name=rx.cond(S.past, "button small", "button ghost small"),
                         aria_pressed=rx.cond(S.past, "true", "false")),
            class_name="actions", role="group",
        ),
        message(S.error),
        message(S.info, kind="ok"),
        rx.cond(S.rows.length() > 0, rx.el.ul(rx.foreach(S.rows, _row), class_name="list"),
                rx.el.p(t("bookings.none"), class_name="muted")),
        rx.cond(S.next_cursor != "", rx.el.button(t("common.next_page"), type="button", on_click=S.more,
                                                  class_name="button ghost")),
        rx.el.p(t("bookings.feed_hint"), " ", rx.el.a(t("profile.title"), href="/profile#calendar-feed"),
                class_name="muted"),
    )


# --- calendar feed section (included by the profile page) -----------------------------------------------

class CalendarFeedState(SessionState):
    """The feed's secret URL is shown once: it goes straight into the page's input by a client-side
    event and is never kept in the tab's state (which lives on the server under the tab token)."""

    feed_active: bool = False
    feed_shown: bool = False
    feed_error: str = ""

    @rx.event
    async def load_feed(self):
        self.feed_shown, self.feed_error = False, ""
        try:
            status = await call(calendar_feed.feed_status, await self._actor())
        except HubError:
            self.feed_active = False
            return
        self.feed_active = status.active

    @rx.event
    async def regenerate_feed(self):
        try:
            status = await call(calendar_feed.regenerate_feed, await self._actor())
        except HubError as error:
            self.feed_error = self._error_text(error)
            return
        self.feed_active, self.feed_shown = status.active, True
        return rx.set_value(FEED_URL_INPUT, status.url)

    @rx.event
    async def revoke_feed(self):
        try:
            await call(calendar_feed.revoke_feed, await self._actor())
        except HubError as error:
            self.feed_error = self._error_text(error)
            return
        self.feed_active, self.feed_shown = False, False
        return rx.set_value(FEED_URL_INPUT, "")


FEED_URL_INPUT = "f-feed-url"


def calendar_feed_section() -> rx.Component:
    S = CalendarFeedState
    return rx.el.section(
        rx.el.h2(t("feed.title")),
        rx.el.p(t("feed.lead"), class_name="muted"),
        # Always in the page (hidden until a URL is shown) so the client event finds the input.
        rx.el.div(
            rx.el.label(t("feed.url"), html_for=FEED_URL_INPUT),
            rx.el.input(id=FEED_URL_INPUT, read_only=True, on_focus=rx.call_script(
                f"document.getElementById('{FEED_URL_INPUT}').select()")),
            rx.el.small(t("feed.copy_now"), class_name="hint"),
            class_name="field", hidden=~S.feed_shown),
        rx.cond(S.feed_active & ~S.feed_shown, rx.el.p(t("feed.active"), class_name="muted")),
        message(S.feed_error),
        rx.el.div(
            rx.el.button(rx.cond(S.feed_active, t("feed.regenerate"), t("feed.create")), type="button",
                         on_click=S.regenerate_feed, class_name="button ghost"),
            rx.cond(S.feed_active, rx.el.button(t("feed.revoke"), type="button", on_click=S.revoke_feed,
                                                class_name="button ghost")),
            class_name="actions",
        ),
        id="calendar-feed", class_name="card", on_mount=S.load_feed,
    )
