import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import accounts
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, page_load


class VerifyState(SessionState):
    error: str = ""
    verified: bool = False

    @rx.event
    @page_load
    async def check(self):
        self.error = ""
        self.verified = False
        try:
            await call(accounts.verify_email, None, token=self._route_args().get("token", ""))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.verified = True


@rx.page(route="/verify/[token]", title=page_title("title.verify"),
         on_load=VerifyState.check)
def verify() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("verify.title")),
            rx.cond(VerifyState.verified,
                    rx.el.div(rx.el.p(t("verify.ok"), class_name="message ok", role="status"),
                              rx.el.a(t("nav.sign_in"), href="/login", class_name="button")),
                    message(VerifyState.error)),
            class_name="narrow",
        )
    )
