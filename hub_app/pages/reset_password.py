import reflex as rx

from hub_app.components.forms import field, message, submit
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import accounts
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load


class ResetPasswordState(SessionState):
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
            await call(accounts.request_password_reset, None, email=form_data(form).get("email"),
                       client_address=self.router.session.client_ip)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("reset.request_done")

    @rx.event
    async def set_password(self, form: dict):
        self.error = self.info = ""
        try:
            await call(accounts.reset_password, None, token=self.router.url.query_parameters.get("token", ""),
                       password=form_data(form).get("password"))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("reset.done")
        self.has_token = False


@rx.page(route="/reset-password", title=page_title("title.reset_password"),
         on_load=ResetPasswordState.prepare)
def reset_password() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("reset.title")),
            message(ResetPasswordState.info, kind="ok"),
            rx.cond(
                ResetPasswordState.has_token,
                rx.el.form(
                    field("field.new_password", "password", type="password", required=True,
                          autocomplete="new-password", hint_key="field.password_hint", max_length=128),
                    message(ResetPasswordState.error),
                    submit("reset.submit"),
                    on_submit=ResetPasswordState.set_password, class_name="card",
                ),
                rx.el.form(
                    rx.el.p(t("reset.request_lead"), class_name="muted"),
                    field("field.email", "email", type="email", required=True, autocomplete="email", max_length=254),
                    message(ResetPasswordState.error),
                    submit("reset.request_submit"),
                    on_submit=ResetPasswordState.request_link, class_name="card",
                ),
            ),
            rx.cond(ResetPasswordState.info != "", rx.el.p(rx.el.a(t("nav.sign_in"), href="/login"))),
            class_name="narrow",
        )
    )
