"""The page for an address the portal does not have (Reflex's own 404 page is English only)."""

import reflex as rx

from hub_app.components.shell import shell
from hub_app.state.i18n import page_title, t
from hub_app.state.session import ShellState


@rx.page(route="404", title=page_title("title.not_found"), on_load=ShellState.load_shell)
def not_found_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("not_found.title")),
            rx.el.p(t("not_found.text")),
            rx.el.a(t("common.back_home"), href="/", class_name="button"),
            class_name="narrow stack",
        )
    )
