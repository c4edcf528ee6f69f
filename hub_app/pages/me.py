"""/me: on a phone, what the tab bar has no room for: profile, my bookings, my trainings,
notifications, the language, sign-out, and for staff the admin pages."""

import reflex as rx

from hub_app.components.shell import language_switch, shell
from hub_app.state.i18n import page_title, t
from hub_app.state.session import SessionState, ShellState, go_to, page_load


class MeState(SessionState):
    @rx.event
    @page_load
    def load(self):
        if not self.signed_in:
            return go_to("/login?next=/me")


def _link(href: str, icon: str, key: str) -> rx.Component:
    return rx.el.li(rx.el.a(rx.icon(icon, size=20, aria_hidden="true"), t(key), href=href))


@rx.page(route="/me", title=page_title("title.me"), on_load=MeState.load)
def me() -> rx.Component:
    return shell(
        rx.el.h1(t("me.title")),
        rx.el.p(SessionState.user_name, class_name="muted"),
        rx.el.ul(
            _link("/profile", "circle-user", "nav.profile"),
            _link("/bookings", "calendar-check", "nav.bookings"),
            _link("/trainings/mine", "graduation-cap", "me.trainings"),
            _link("/events#my-events", "calendar-days", "events_pages.mine_title"),
            _link("/notifications", "bell", "nav.notifications"),
            _link("/members", "users", "nav.members"),
            _link("/spaces", "building-2", "nav.spaces"),
            rx.cond(SessionState.is_staff, _link("/admin/members", "shield-check", "nav.admin")),
            class_name="me-links",
        ),
        rx.el.h2(t("nav.language")),
        language_switch(),
        rx.el.div(rx.el.button(t("nav.sign_out"), type="button", on_click=ShellState.sign_out,
                               class_name="button ghost"), class_name="actions"),
    )
