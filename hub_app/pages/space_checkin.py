"""/checkin/<space id>: the page a space's QR code opens. A member who scans it is checked in to
their booking of that space whose check-in window is open. Staff see the printable poster with
the QR code (an SVG made on the server) to hang by the door."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import booking_checkins, spaces
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, go_to, page_load


class CheckInState(SessionState):
    space_name: str = ""
    qr: str = ""
    link: str = ""
    done: str = ""
    error: str = ""
    poster: bool = False

    @rx.event
    @page_load
    async def load(self):
        self.done = self.error = self.qr = self.space_name = ""
        segment = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        if not segment.isdigit() or len(segment) > 12:
            self.error = self._t("booking.error.no_space")
            return
        actor = await self._actor()
        if actor is None:
            return go_to(f"/login?next=/checkin/{segment}")
        self.poster = actor.is_staff
        if self.poster:
            try:
                poster = await call(spaces.check_in_poster, actor, space_id=segment)
            except HubError as error:
                self.error = self._error_text(error)
                return
            self.space_name, self.qr, self.link = poster.name, poster.qr, poster.link
            return
        try:
            row = await call(booking_checkins.check_in_at_space, actor, space_id=segment)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.space_name = row.space
        self.done = self._t("checkin.done", title=row.title, when=row.when)


@rx.page(route="/checkin/[space]", title=page_title("title.check_in"),
         on_load=CheckInState.load)
def check_in_page() -> rx.Component:
    S = CheckInState
    return shell(
        rx.cond(
            S.poster & (S.qr != ""),
            rx.el.div(
                rx.el.h1(S.space_name),
                rx.el.p(t("checkin.poster_lead")),
                rx.el.img(src=S.qr, alt=t("checkin.qr_alt"), width="320", height="320", data_testid="qr"),
                rx.el.p(rx.el.small(S.link, class_name="muted")),
                rx.el.button(rx.icon("printer", size=18, aria_hidden="true"), t("checkin.print"), type="button",
                             on_click=rx.call_script("window.print()"), class_name="button no-print"),
                class_name="qr-poster card",
            ),
            rx.el.div(
                rx.el.h1(t("checkin.title")),
                rx.cond(S.space_name != "", rx.el.p(rx.el.strong(S.space_name))),
                message(S.done, kind="ok"),
                message(S.error),
                rx.el.p(rx.el.a(t("nav.bookings"), href="/bookings", class_name="button ghost")),
                class_name="narrow stack",
            ),
        ),
    )
