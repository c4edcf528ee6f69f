"""The app shell: a top bar on a laptop, a thumb-reachable tab bar on a phone."""

import reflex as rx

from hub_app.domain.mail import shows_development_mail
from hub_app.settings import get_settings
from hub_app.state.i18n import t, tf
from hub_app.state.session import SessionState, ShellState

# The phone's tab bar: a visitor browses; a member's day is booking, trainings and the forum, and
# "Me" holds the rest (profile, my bookings and trainings, notifications, language).
VISITOR_TABS = [
    ("/", "house", "nav.home"),
    ("/spaces", "building-2", "nav.spaces"),
    ("/trainings", "graduation-cap", "nav.trainings"),
    ("/forum", "messages-square", "nav.forum"),
    ("/members", "users", "nav.members"),
    ("/events", "calendar-days", "nav.events"),
]
MEMBER_TABS = [
    ("/", "house", "nav.home"),
    ("/book", "calendar-plus", "nav.book"),
    ("/trainings", "graduation-cap", "nav.trainings"),
    ("/forum", "messages-square", "nav.forum"),
    ("/me", "circle-user", "nav.me"),
]
ADMIN_TAB = ("/admin", "shield-check", "nav.admin")
# The laptop's top bar (home is the logo).
VISITOR_LINKS = [("/spaces", "nav.spaces"), ("/trainings", "nav.trainings"), ("/events", "nav.events"),
                 ("/forum", "nav.forum"), ("/members", "nav.members")]
MEMBER_LINKS = [("/book", "nav.book"), ("/spaces", "nav.spaces"), ("/trainings", "nav.trainings"),
                ("/events", "nav.events"), ("/forum", "nav.forum"), ("/members", "nav.members")]


def language_switch() -> rx.Component:
    def option(code: str, label: str) -> rx.Component:
        return rx.el.button(
            label, type="button", on_click=ShellState.switch_language(code),
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
            # Named on a phone too, where only the icon shows; on a laptop the name holds the visible one.
            rx.el.a(rx.icon("circle-user", size=22, aria_hidden="true"),
                    rx.el.span(t("a11y.profile_link"), class_name="sr-only"),
                    rx.el.span(SessionState.user_name, class_name="user-name"),
                    href="/profile", class_name="account-link", data_testid="account-link"),
            rx.el.button(t("nav.sign_out"), type="button", on_click=ShellState.sign_out,
                         class_name="button ghost small hide-phone"),
            class_name="account",
        ),
        rx.el.div(
            rx.el.a(t("nav.sign_in"), href="/login", class_name="button ghost small"),
            rx.el.a(t("nav.sign_up"), href="/signup", class_name="button small hide-phone"),
            class_name="account",
        ),
    )


def _top_links(links: list[tuple[str, str]]) -> rx.Component:
    return rx.fragment(*[rx.el.a(t(key), href=path, class_name="top-link") for path, key in links])


def header() -> rx.Component:
    return rx.el.header(
        rx.el.div(
            # No aria-label: the link's name is its text ("JFC Jakarta Future City Hub"; the long name is
            # visually hidden on a phone), so the visible "JFC" is part of it (WCAG 2.5.3).
            rx.el.a(rx.el.span("JFC", class_name="logo-mark"), rx.el.span(t("app.name"), class_name="logo-text"),
                    href="/", class_name="logo"),
            rx.el.nav(
                rx.cond(SessionState.signed_in, _top_links(MEMBER_LINKS), _top_links(VISITOR_LINKS)),
                rx.cond(SessionState.is_staff, rx.el.a(t("nav.admin"), href=ADMIN_TAB[0], class_name="top-link")),
                class_name="top-nav", aria_label=t("nav.main"),
            ),
            language_switch(),
            _account_links(),
            class_name="bar",
        ),
        class_name="site-header",
    )


def _tab(path: str, icon: str, key: str) -> rx.Component:
    return rx.el.a(rx.icon(icon, size=22, aria_hidden="true"), rx.el.span(t(key)), href=path, class_name="tab")


def tab_bar() -> rx.Component:
    return rx.el.nav(
        rx.cond(SessionState.signed_in, rx.fragment(*[_tab(*tab) for tab in MEMBER_TABS]),
                rx.fragment(*[_tab(*tab) for tab in VISITOR_TABS])),
        rx.cond(SessionState.is_staff, _tab(*ADMIN_TAB)),
        # Six tabs for staff (Admin) and for visitors (Events: where newcomers first meet the hub).
        class_name=rx.cond(SessionState.is_staff | ~SessionState.signed_in, "tab-bar six", "tab-bar"),
        aria_label=t("nav.main"),
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.el.p(t("footer.text")),
        rx.el.p(rx.el.a(t("legal.terms_link"), href="/terms"), " · ",
                rx.el.a(t("legal.privacy_link"), href="/privacy")),
        rx.cond(SessionState.is_staff,
                rx.el.p(rx.el.a(t("insights.link"), href="/admin/insights"), " · ",
                        rx.el.a(t("admin.members"), href="/admin/members"), " · ",
                        rx.el.a(t("admin.audit"), href="/admin/audit"), " · ",
                        rx.el.a(t("booking.admin_title"), href="/admin/bookings"), " · ",
                        rx.el.a(t("space.admin_title"), href="/admin/spaces"), " · ",
                        rx.el.a(t("trainings.admin_title"), href="/admin/trainings"), " · ",
                        rx.el.a(t("events_pages.admin_title"), href="/admin/events"), " · ",
                        rx.el.a(t("admin.forum"), href="/admin/forum"),
                        # Development only, like the page: the outbox where a new person's mail shows.
                        *([" · ", rx.el.a(t("mail.admin_title"), href="/admin/mail")]
                          if shows_development_mail(get_settings().environment) else []))),
        class_name="site-footer",
    )


def membership_banner() -> rx.Component:
    """Tells a pending or rejected member why booking, enrolling and posting are closed."""
    return rx.fragment(
        rx.cond(SessionState.membership == "pending",
                rx.el.p(t("membership.pending_banner"), class_name="notice", role="status")),
        rx.cond(SessionState.membership == "rejected",
                rx.el.p(tf("membership.rejected_banner", reason=SessionState.membership_reason),
                        class_name="notice warn", role="status")),
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
