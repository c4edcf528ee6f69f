"""The app shell: a top bar on a laptop, a thumb-reachable tab bar on a phone."""

import reflex as rx

from hub_app.state.i18n import t
from hub_app.state.session import SessionState

TABS = [
    ("/", "house", "nav.home"),
    ("/spaces", "building-2", "nav.spaces"),
    ("/trainings", "graduation-cap", "nav.trainings"),
    ("/forum", "messages-square", "nav.forum"),
    ("/members", "users", "nav.members"),
]


def _language_switch() -> rx.Component:
    def option(code: str, label: str) -> rx.Component:
        return rx.el.button(
            label, type="button", on_click=SessionState.switch_language(code),
            class_name=rx.cond(SessionState.lang == code, "lang-option is-current", "lang-option"),
            aria_pressed=rx.cond(SessionState.lang == code, "true", "false"),
            lang=code,
        )

    return rx.el.div(option("id", "ID"), option("en", "EN"), class_name="lang-switch", role="group",
                     aria_label=t("nav.language"))


def _bell() -> rx.Component:
    return rx.el.a(
        rx.icon("bell", size=22, aria_hidden="true"),
        rx.cond(SessionState.unread > 0, rx.el.span(SessionState.unread, class_name="badge")),
        rx.el.span(t("nav.notifications"), " (", SessionState.unread, " ", t("nav.unread"), ")",
                   class_name="sr-only"),
        href="/notifications", class_name="bell", data_testid="bell",
    )


def _account_links() -> rx.Component:
    return rx.cond(
        SessionState.signed_in,
        rx.el.div(
            _bell(),
            rx.el.a(rx.icon("circle-user", size=22, aria_hidden="true"),
                    rx.el.span(SessionState.user_name, class_name="user-name"),
                    href="/profile", class_name="account-link", data_testid="account-link"),
            rx.el.button(t("nav.sign_out"), type="button", on_click=SessionState.sign_out,
                         class_name="button ghost small hide-phone"),
            class_name="account",
        ),
        rx.el.div(
            rx.el.a(t("nav.sign_in"), href="/login", class_name="button ghost small"),
            rx.el.a(t("nav.sign_up"), href="/signup", class_name="button small hide-phone"),
            class_name="account",
        ),
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.el.div(
            # No aria-label: the link's name is its text ("JFC Jakarta Future City Hub"; the long name is
            # visually hidden on a phone), so the visible "JFC" is part of it (WCAG 2.5.3).
            rx.el.a(rx.el.span("JFC", class_name="logo-mark"), rx.el.span(t("app.name"), class_name="logo-text"),
                    href="/", class_name="logo"),
            rx.el.nav(
                *[rx.el.a(t(key), href=path, class_name="top-link") for path, _, key in TABS[1:]],
                rx.cond(SessionState.is_staff, rx.el.a(t("nav.admin"), href="/admin/members", class_name="top-link")),
                class_name="top-nav", aria_label=t("nav.main"),
            ),
            _language_switch(),
            _account_links(),
            class_name="bar",
        ),
        class_name="site-header",
    )


def tab_bar() -> rx.Component:
    return rx.el.nav(
        *[
            rx.el.a(rx.icon(icon, size=22, aria_hidden="true"), rx.el.span(t(key)), href=path, class_name="tab")
            for path, icon, key in TABS
        ],
        class_name="tab-bar", aria_label=t("nav.main"),
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.el.p(t("footer.text")),
        rx.cond(SessionState.is_staff,
                rx.el.p(rx.el.a(t("admin.members"), href="/admin/members"), " · ",
                        rx.el.a(t("admin.audit"), href="/admin/audit"), " · ",
                        rx.el.a(t("booking.admin_title"), href="/admin/bookings"), " · ",
                        rx.el.a(t("space.admin_title"), href="/admin/spaces"), " · ",
                        rx.el.a(t("trainings.admin_title"), href="/admin/trainings"), " · ",
                        rx.el.a(t("admin.forum"), href="/admin/forum"))),
        class_name="site-footer",
    )


def membership_banner() -> rx.Component:
    """Tells a pending or rejected member why booking, enrolling and posting are closed."""
    return rx.fragment(
        rx.cond(SessionState.membership == "pending",
                rx.el.p(t("membership.pending_banner"), class_name="notice", role="status")),
        rx.cond(SessionState.membership == "rejected",
                rx.el.p(rx.cond(SessionState.is_en, "Your membership application was declined. Reason: ",
                                "Pendaftaran keanggotaan Anda ditolak. Alasan: "),
                        SessionState.membership_reason, class_name="notice warn", role="status")),
    )


def shell(*children: rx.Component) -> rx.Component:
    return rx.el.div(
        rx.el.a(t("nav.skip"), href="#main", class_name="skip-link"),
        header(),
        rx.el.main(membership_banner(), *children, id="main", class_name="main"),
        footer(),
        tab_bar(),
        class_name="app", lang=SessionState.lang,
    )
