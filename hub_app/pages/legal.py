"""The terms of use (/terms), the privacy notice (/privacy), and agreeing to a new version of them
(/agree, where ShellState.load_shell sends a member whose agreed version is not the current one)."""

import reflex as rx

from hub_app.api.session_cookie import safe_next
from hub_app.components.forms import message, submit
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import legal
from hub_app.settings import get_settings
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.services import call
from hub_app.state.session import SessionState, ShellState, form_data, page_load

PRIVACY = [
    ("legal.privacy.controller_title", ["legal.privacy.controller"], False),
    ("legal.privacy.data_title", ["legal.privacy.data_account", "legal.privacy.data_profile",
                                  "legal.privacy.data_activity", "legal.privacy.data_security"], True),
    ("legal.privacy.purposes_title", ["legal.privacy.purpose_membership", "legal.privacy.purpose_services",
                                      "legal.privacy.purpose_security", "legal.privacy.purpose_reports"], True,
     "legal.privacy.basis"),
    ("legal.privacy.retention_title", ["legal.privacy.retention_account", "legal.privacy.retention_delete",
                                       "legal.privacy.retention_records", "legal.privacy.retention_sessions"], True),
    ("legal.privacy.recipients_title", ["legal.privacy.recipients_you", "legal.privacy.recipients_staff",
                                        "legal.privacy.recipients_members", "legal.privacy.recipients_others"], True),
    ("legal.privacy.rights_title", ["legal.privacy.right_information", "legal.privacy.right_access",
                                    "legal.privacy.right_correction", "legal.privacy.right_deletion",
                                    "legal.privacy.right_withdraw", "legal.privacy.right_complain"], True),
    ("legal.privacy.security_title", ["legal.privacy.security"], False),
    ("legal.privacy.changes_title", ["legal.privacy.changes"], False),
]

TERMS = [
    ("legal.terms.membership_title", ["legal.terms.membership"], False),
    ("legal.terms.account_title", ["legal.terms.account"], False),
    ("legal.terms.spaces_title", ["legal.terms.spaces"], False),
    ("legal.terms.trainings_title", ["legal.terms.trainings"], False),
    ("legal.terms.forum_title", ["legal.terms.forum"], False),
    ("legal.terms.house_title", ["legal.terms.house"], False),
    ("legal.terms.service_title", ["legal.terms.service"], False),
    ("legal.terms.ending_title", ["legal.terms.ending"], False),
    ("legal.terms.law_title", ["legal.terms.law"], False),
]


def _section(title_key: str, text_keys: list[str], as_list: bool, after_key: str = "") -> rx.Component:
    """A heading, then its texts as a list or as paragraphs, then an optional closing paragraph."""
    body = (rx.el.ul(*[rx.el.li(t(key)) for key in text_keys]) if as_list
            else rx.fragment(*[rx.el.p(t(key)) for key in text_keys]))
    return rx.el.section(rx.el.h2(t(title_key)), body, rx.el.p(t(after_key)) if after_key else rx.fragment())


def _contact() -> rx.Component:
    return rx.el.section(rx.el.h2(t("legal.contact_title")),
                         rx.el.p(tf("legal.contact", email=get_settings().privacy_contact_email)))


def _document(title_key: str, lead_key: str, sections: list, other: tuple[str, str]) -> rx.Component:
    return shell(
        rx.el.article(
            rx.el.h1(t(title_key)),
            rx.el.p(tf("legal.version", version=get_settings().terms_version), class_name="muted"),
            rx.el.p(t(lead_key), class_name="lead"),
            *[_section(*section) for section in sections],
            _contact(),
            rx.el.p(rx.el.a(t(other[1]), href=other[0])),
            class_name="narrow legal",
        )
    )


@rx.page(route="/privacy", title=page_title("title.privacy"), on_load=ShellState.load_shell)
def privacy_page() -> rx.Component:
    return _document("legal.privacy.title", "legal.privacy.lead", PRIVACY, ("/terms", "legal.terms_link"))


@rx.page(route="/terms", title=page_title("title.terms"), on_load=ShellState.load_shell)
def terms_page() -> rx.Component:
    return _document("legal.terms.title", "legal.terms.lead", TERMS, ("/privacy", "legal.privacy_link"))


class AgreeState(SessionState):
    """A member agrees to the current version; a visitor is sent to sign in first."""

    error: str = ""
    version: str = ""
    already: bool = False

    @rx.event
    @page_load
    async def load(self):
        self.error = ""
        self.version = legal.current_version()
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login?next=/agree")
        self.already = not await call(legal.must_agree, actor)

    @rx.event
    async def agree(self, form: dict):
        data = form_data(form)
        self.error = ""
        try:
            await call(legal.agree, await self._actor(), version=data.get("version"), consent=data.get("consent"))
        except HubError as error:
            self.error = self._error_text(error)
            self.version = legal.current_version()
            return rx.call_script("document.getElementById('f-consent')?.focus()")
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next", "/")))


@rx.page(route="/agree", title=page_title("title.agree"), on_load=AgreeState.load)
def agree_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("legal.agree.title")),
            rx.cond(
                AgreeState.already,
                rx.el.div(rx.el.p(t("legal.agree.current"), role="status"),
                          rx.el.a(t("common.back_home"), href="/", class_name="button"), class_name="card stack"),
                rx.el.form(
                    rx.el.p(t("legal.agree.lead")),
                    rx.el.p(t("legal.read"), " ",
                            rx.el.a(t("legal.terms_link"), href="/terms"), " · ",
                            rx.el.a(t("legal.privacy_link"), href="/privacy")),
                    rx.el.input(type="hidden", name="version", value=AgreeState.version),
                    rx.el.div(
                        rx.el.input(id="f-consent", name="consent", type="checkbox", required=True,
                                    aria_required="true"),
                        rx.el.label(tf("legal.agree.checkbox", version=AgreeState.version), html_for="f-consent"),
                        class_name="check",
                    ),
                    message(AgreeState.error),
                    submit("legal.agree.submit"),
                    on_submit=AgreeState.agree, reset_on_submit=False, class_name="card stack",
                ),
            ),
            rx.cond(~AgreeState.already,
                    rx.el.div(rx.el.p(t("legal.agree.decline")),
                              rx.el.div(rx.el.a(t("nav.profile"), href="/profile", class_name="button ghost small"),
                                        rx.el.button(t("nav.sign_out"), type="button", on_click=ShellState.sign_out,
                                                     class_name="button ghost small"),
                                        class_name="actions"),
                              class_name="agree-decline muted")),
            class_name="narrow",
        )
    )
