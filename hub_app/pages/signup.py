import reflex as rx

from hub_app.components.forms import checkbox, field, focus_field, message, required_note, select, submit, textarea
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.domain.profiles import LIMITS, SECTORS, STAGES
from hub_app.services import accounts
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load


class SignupState(SessionState):
    error: str = ""
    done: bool = False
    busy: bool = False

    @rx.event
    @page_load
    def reset_form(self):
        self.error = ""
        self.done = False
        self.busy = False

    @rx.event
    async def submit(self, form: dict):
        self.error = ""
        try:
            await call(accounts.sign_up, None, form=form_data(form), locale=self.lang,
                       client_address=self.router.session.client_ip)
        except HubError as error:
            self.error = self._error_text(error)
            return focus_field(error.field) if error.field else None
        self.done = True


def sector_options():
    return [(sector, f"sector.{sector}") for sector in SECTORS]


def stage_options():
    return [(stage, f"stage.{stage}") for stage in STAGES]


@rx.page(route="/signup", title=page_title("title.signup"),
         on_load=SignupState.reset_form)
def signup() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("signup.title")),
            rx.cond(
                SignupState.done,
                rx.el.div(rx.el.h2(t("signup.done_title")), rx.el.p(t("signup.done")),
                          class_name="card", role="status", data_testid="signup-done"),
                rx.el.form(
                    rx.el.p(t("signup.lead"), class_name="muted"),
                    required_note(),
                    field("field.name", "name", required=True, autocomplete="name", max_length=LIMITS["name"]),
                    field("field.email", "email", type="email", required=True, autocomplete="email", max_length=254),
                    field("field.password", "password", type="password", required=True,
                          autocomplete="new-password", hint_key="field.password_hint", max_length=128),
                    field("field.business_name", "business_name", autocomplete="organization",
                          max_length=LIMITS["business_name"]),
                    select("field.sector", "sector", sector_options()),
                    select("field.stage", "stage", stage_options()),
                    textarea("field.bio", "bio", max_length=LIMITS["bio"]),
                    textarea("field.offers", "offers", max_length=LIMITS["offers"]),
                    textarea("field.looking_for", "looking_for", max_length=LIMITS["looking_for"]),
                    checkbox("field.consent", "consent", required=True,
                             hint=rx.fragment(t("legal.read"), " ", rx.el.a(t("legal.terms_link"), href="/terms"),
                                              " · ", rx.el.a(t("legal.privacy_link"), href="/privacy"))),
                    message(SignupState.error),
                    submit("signup.submit"),
                    rx.el.p(t("signup.have_account"), " ", rx.el.a(t("nav.sign_in"), href="/login")),
                    on_submit=SignupState.submit, reset_on_submit=False,
                ),
            ),
            class_name="narrow",
        )
    )
