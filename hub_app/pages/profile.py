import reflex as rx

from hub_app.components.forms import checkbox, field, focus_field, message, required_note, select, submit, textarea
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.domain.profiles import LIMITS
from hub_app.i18n import CATALOGUE
from hub_app.pages.bookings import calendar_feed_section
from hub_app.pages.signup import sector_options, stage_options
from hub_app.pages.trainings_mine import completed_trainings_section
from hub_app.services import profiles, sign_in_sessions
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, ShellState, form_data, go_to, page_load


class ProfileState(SessionState):
    profile: dict[str, str] = {}
    show_in_directory: bool = True
    show_email: bool = False
    version: int = 0
    error: str = ""
    info: str = ""
    delete_error: str = ""

    def _show(self, profile: profiles.Profile) -> None:
        self.profile = {key: str(value) for key, value in vars(profile).items() if isinstance(value, str)}
        self.show_in_directory = profile.show_in_directory
        self.show_email = profile.show_email
        self.version += 1

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = self.delete_error = ""
        actor = await self._actor()
        if actor is None:
            return go_to("/login?next=/profile")
        self._show(await call(profiles.get_profile, actor))
        outcome = self.router.url.query_parameters.get("avatar", "")
        if outcome == "ok":
            self.info = self._t("profile.avatar_saved")
        elif outcome in CATALOGUE and outcome.startswith("error."):
            self.error = self._t(outcome)

    @rx.event
    async def save(self, form: dict):
        self.error = self.info = ""
        try:
            self._show(await call(profiles.update_profile, await self._actor(), form=form_data(form)))
        except HubError as error:
            self.error = self._error_text(error)
            return focus_field(error.field) if error.field else None
        self.info = self._t("common.saved")
        self.user_name = self.profile.get("name", "")

    @rx.event
    async def sign_out_everywhere(self):
        try:
            await call(sign_in_sessions.sign_out_everywhere, await self._actor())
        except HubError as error:
            self.error = self._error_text(error)
            return
        return await self._leave("/login")

    @rx.event
    async def delete_account(self, form: dict):
        self.delete_error = ""
        try:
            await call(profiles.delete_account, await self._actor(), password=form_data(form).get("password"),
                       client_address=self.router.session.client_ip)
        except HubError as error:
            self.delete_error = self._error_text(error)
            return focus_field("password")
        return await self._leave("/")


def _status() -> rx.Component:
    status = ProfileState.profile["status"]
    return rx.el.p(
        t("membership.status"), ": ",
        rx.el.span(
            rx.match(status, ("active", t("status.active")), ("pending", t("status.pending")),
                     ("rejected", t("status.rejected")), ("suspended", t("status.suspended")), status),
            class_name="pill " + status, data_testid="membership-status",
        ),
        rx.cond(ProfileState.profile["status_reason"] != "",
                rx.el.span(" · ", t("common.reason"), ": ", ProfileState.profile["status_reason"])),
    )


def _avatar() -> rx.Component:
    return rx.el.form(
        rx.cond(ProfileState.profile["avatar_url"] != "",
                rx.el.img(src=ProfileState.profile["avatar_url"], alt=t("field.avatar"), class_name="avatar",
                          width="72", height="72")),
        rx.el.div(
            rx.el.label(t("field.avatar"), html_for="f-avatar"),
            rx.el.input(id="f-avatar", name="avatar", type="file", accept="image/png,image/jpeg,image/webp",
                        required=True, aria_describedby="f-avatar-hint"),
            rx.el.small(t("profile.avatar_hint"), id="f-avatar-hint", class_name="hint"),
            class_name="field",
        ),
        rx.el.button(t("profile.upload_avatar"), type="submit", class_name="button ghost"),
        action="/api/me/avatar", method="post", enc_type="multipart/form-data", class_name="card",
    )


def _details_form() -> rx.Component:
    p = ProfileState.profile
    return rx.el.form(
        required_note(),
        field("field.name", "name", required=True, max_length=LIMITS["name"], default_value=p["name"]),
        rx.el.p(t("field.email"), ": ", p["email"], class_name="muted"),
        field("field.business_name", "business_name", max_length=LIMITS["business_name"],
              default_value=p["business_name"]),
        select("field.sector", "sector", sector_options(), default_value=p["sector"]),
        select("field.stage", "stage", stage_options(), default_value=p["stage"]),
        textarea("field.bio", "bio", max_length=LIMITS["bio"], default_value=p["bio"]),
        textarea("field.offers", "offers", max_length=LIMITS["offers"], default_value=p["offers"]),
        textarea("field.looking_for", "looking_for", max_length=LIMITS["looking_for"], default_value=p["looking_for"]),
        checkbox("field.show_in_directory", "show_in_directory", default_checked=ProfileState.show_in_directory),
        checkbox("field.show_email", "show_email", default_checked=ProfileState.show_email),
        message(ProfileState.error),
        message(ProfileState.info, kind="ok"),
        submit("common.save"),
        on_submit=ProfileState.save, reset_on_submit=False, key=ProfileState.version, class_name="card",
    )


def _privacy() -> rx.Component:
    return rx.el.section(
        rx.el.h2(t("profile.privacy")),
        rx.el.p(t("legal.read"), " ", rx.el.a(t("legal.privacy_link"), href="/privacy"), " · ",
                rx.el.a(t("legal.terms_link"), href="/terms")),
        rx.el.div(
            rx.el.a(t("profile.export"), href="/api/me/export", class_name="button ghost", download=True),
            rx.el.button(t("profile.sign_out_all"), type="button", on_click=ProfileState.sign_out_everywhere,
                         class_name="button ghost"),
            class_name="actions",
        ),
        rx.el.details(
            rx.el.summary(t("profile.delete_title")),
            rx.el.p(t("profile.delete_lead")),
            rx.el.form(
                field("profile.delete_confirm", "password", type="password", required=True,
                      autocomplete="current-password"),
                message(ProfileState.delete_error),
                rx.el.button(t("profile.delete_submit"), type="submit", class_name="button danger"),
                on_submit=ProfileState.delete_account,
            ),
            class_name="card",
        ),
    )


@rx.page(route="/profile", title=page_title("title.profile"),
         on_load=ProfileState.load)
def profile() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.div(
                rx.el.h1(t("profile.title")),
                # The header's sign-out button is hidden on a phone; this is the phone's way out.
                rx.el.button(t("nav.sign_out"), type="button", on_click=ShellState.sign_out,
                             class_name="button ghost small show-phone"),
                class_name="row",
            ),
            _status(),
            _avatar(),
            rx.el.h2(t("profile.public")),
            _details_form(),
            calendar_feed_section(),
            completed_trainings_section(),
            _privacy(),
            class_name="narrow stack",
        )
    )
