"""/events/confirm/<token> and /events/cancel/<token>: the landing pages of a guest's email links.

Opening a link changes nothing: mail scanners and link previews open links too, and would spend a
single-use confirmation or cancel someone's seat. The guest presses a button; that event runs the
service with the token from the address (it never reaches the synced state)."""

import reflex as rx

from hub_app.components.events import ticket
from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.domain.events import ticket_qr_svg
from hub_app.services import events
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, page_load


class GuestLinkState(SessionState):
    done: bool = False
    busy: bool = False
    error: str = ""
    status: str = ""
    ticket_code: str = ""
    qr: str = ""

    def _link_token(self) -> str:
        token = self._route_args().get("token", "")
        return token[:200] if isinstance(token, str) else ""

    @rx.event
    @page_load
    def load(self):
        self.done = self.busy = False
        self.error = self.status = self.ticket_code = self.qr = ""

    @rx.event
    async def confirm(self):
        self.error = ""
        self.busy = True
        yield
        try:
            outcome = await call(events.confirm_guest, token=self._link_token())
        except HubError as error:
            self.error = self._error_text(error)
        else:
            self.done = True
            self.status = outcome.status
            self.ticket_code = outcome.ticket_code or ""
            seated = outcome.status == "registered" and self.ticket_code
            self.qr = ticket_qr_svg(self.ticket_code) if seated else ""
        self.busy = False

    @rx.event
    async def cancel(self):
        self.error = ""
        self.busy = True
        yield
        try:
            await call(events.cancel_by_token, token=self._link_token())
        except HubError as error:
            self.error = self._error_text(error)
        else:
            self.done = True
        self.busy = False


@rx.page(route="/events/confirm/[token]", title=page_title("title.event_confirm"),
         on_load=GuestLinkState.load)
def event_confirm_page() -> rx.Component:
    s = GuestLinkState
    return shell(
        rx.el.div(
            rx.el.h1(t("events_pages.confirm_title")),
            rx.cond(
                s.done,
                rx.el.div(
                    rx.el.p(rx.cond(s.status == "waitlisted", t("events_pages.confirmed_waitlist"),
                                    t("events_pages.confirmed")),
                            class_name="message ok", role="status", data_testid="guest-confirmed"),
                    rx.cond(s.qr != "", ticket(s.ticket_code, s.qr, "")),
                    class_name="stack",
                ),
                rx.el.div(
                    rx.el.p(t("events_pages.confirm_lead")),
                    message(s.error),
                    rx.el.button(t("events_pages.confirm_button"), type="button", on_click=s.confirm,
                                 disabled=s.busy, class_name="button", data_testid="confirm-registration"),
                    class_name="stack",
                ),
            ),
            rx.el.p(rx.el.a(t("events_pages.see_events"), href="/events")),
            class_name="narrow stack",
        ),
    )


@rx.page(route="/events/cancel/[token]", title=page_title("title.event_cancel"),
         on_load=GuestLinkState.load)
def event_cancel_page() -> rx.Component:
    s = GuestLinkState
    return shell(
        rx.el.div(
            rx.el.h1(t("events_pages.cancel_title")),
            rx.cond(
                s.done,
                rx.el.p(t("events_pages.cancel_done"), class_name="message ok", role="status",
                        data_testid="guest-cancelled"),
                rx.el.div(
                    rx.el.p(t("events_pages.cancel_lead")),
                    message(s.error),
                    rx.el.button(t("events_pages.cancel_button"), type="button", on_click=s.cancel,
                                 disabled=s.busy, class_name="button danger", data_testid="cancel-by-link"),
                    class_name="stack",
                ),
            ),
            rx.el.p(rx.el.a(t("events_pages.see_events"), href="/events")),
            class_name="narrow stack",
        ),
    )
