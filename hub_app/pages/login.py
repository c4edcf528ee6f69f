import reflex as rx

from hub_app.api.session_cookie import safe_next
from hub_app.components.forms import field, message, submit
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.i18n import CATALOGUE
from hub_app.services import accounts
from hub_app.settings import get_settings
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load


class LoginState(SessionState):
    error: str = ""
    busy: bool = False
    # Password sign-in is throttled for this account or address: offer the emailed sign-in link.
    locked: bool = False

    @rx.event
    @page_load
    def prepare(self):
        self.busy = False
        self.locked = False
        query = self.router.url.query_parameters
        provider_error = query.get("oidc_error", "")
        if provider_error.startswith("error.oidc") and provider_error in CATALOGUE:
            self.error = self._t(provider_error)
        else:
            self.error = self._t("login.expired") if query.get("expired") else ""

    @rx.event
    async def submit(self, form: dict):
        data = form_data(form)
        self.error = ""
        self.locked = False
        try:
            ticket = await call(accounts.sign_in, None, email=data.get("email"), password=data.get("password"),
                                client_address=self.router.session.client_ip)
        except HubError as error:
            self.error = self._error_text(error)
            self.locked = error.key == "error.sign_in_throttled"
            return
        return await self._hand_over(ticket, safe_next(self.router.url.query_parameters.get("next", "/")))


def _provider_sign_in() -> rx.Component:
    """Shown only when an OpenID Connect provider is configured (HUB_OIDC_*)."""
    settings = get_settings()
    if not settings.oidc_enabled:
        return rx.fragment()
    return rx.el.div(
        rx.el.p(t("login.or"), class_name="muted"),
        rx.el.a(tf("login.with_provider", provider=settings.oidc_display_name),
                href="/api/auth/oidc/start",
                class_name="button ghost"),
        rx.el.p(rx.el.small(t("login.provider_consent"), class_name="muted")),
        class_name="stack",
    )


@rx.page(route="/login", title=page_title("title.login"), on_load=LoginState.prepare)
def login() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("login.title")),
            rx.el.form(
                field("field.email", "email", type="email", required=True, autocomplete="username", max_length=254),
                field("field.password", "password", type="password", required=True,
                      autocomplete="current-password", max_length=128),
                message(LoginState.error),
                rx.cond(LoginState.locked,
                        rx.el.div(rx.el.p(t("login.locked_hint")),
                                  rx.el.a(t("login.link_ask"), href="/sign-in-link", class_name="button ghost"),
                                  class_name="stack")),
                submit("login.submit"),
                on_submit=LoginState.submit, reset_on_submit=False, class_name="card",
            ),
            _provider_sign_in(),
            rx.el.p(rx.el.a(t("login.forgot"), href="/reset-password")),
            rx.el.p(t("login.link_offer"), " ", rx.el.a(t("login.link_ask"), href="/sign-in-link")),
            rx.el.p(t("login.no_account"), " ", rx.el.a(t("nav.sign_up"), href="/signup")),
            class_name="narrow",
        )
    )
