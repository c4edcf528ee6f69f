"""Signing in with an emailed one-time link: the way in when password sign-in is throttled."""

import reflex as rx

from hub_app.components.forms import field, message, submit
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import accounts
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load


class SignInLinkState(SessionState):
    has_token: bool = False
    error: str = ""
    info: str = ""

    @rx.event
    @page_load
    def prepare(self):
        self.has_token = bool(self.router.url.query_parameters.get("token"))
        self.error = self.info = ""

    @rx.event
    async def request_link(self, form: dict):
        self.error = self.info = ""
        try:
            await call(accounts.request_sign_in_link, None, email=form_data(form).get("email"),
                       client_address=self.router.session.client_ip)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("link.request_done")

    @rx.event
    async def use_link(self):
        """Redeems the link in this page's address (a press of the button, not the page load, so a
        mail scanner that opens links does not use it up) and signs this tab in like the login page."""
        self.error = self.info = ""
        try:
            ticket = await call(accounts.sign_in_with_link, None,
                                token=self.router.url.query_parameters.get("token", ""),
                                client_address=self.router.session.client_ip)
        except HubError as error:
            self.error = self._error_text(error)
            self.has_token = False
            return
        return await self._hand_over(ticket, "/")


@rx.page(route="/sign-in-link", title=page_title("title.sign_in_link"),
         on_load=SignInLinkState.prepare)
def sign_in_link() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("link.title")),
            message(SignInLinkState.info, kind="ok"),
            rx.cond(
                SignInLinkState.has_token,
                rx.el.div(
                    rx.el.p(t("link.use_lead")),
                    rx.el.button(t("link.use_submit"), type="button", class_name="button",
                                 on_click=SignInLinkState.use_link),
                    class_name="card",
                ),
                rx.el.form(
                    rx.el.p(t("link.request_lead"), class_name="muted"),
                    field("field.email", "email", type="email", required=True, autocomplete="email", max_length=254),
                    message(SignInLinkState.error),
                    submit("link.request_submit"),
                    on_submit=SignInLinkState.request_link, class_name="card",
                ),
            ),
            rx.el.p(rx.el.a(t("nav.sign_in"), href="/login")),
            class_name="narrow",
        )
    )
