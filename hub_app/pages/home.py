import reflex as rx

from hub_app.components.shell import shell
from hub_app.state.i18n import t, tf
from hub_app.state.session import SessionState


def _offer(icon: str, title_key: str, text_key: str, href: str) -> rx.Component:
    return rx.el.article(
        rx.icon(icon, size=28, aria_hidden="true", color="#0b5f73"),
        rx.el.h2(t(title_key)),
        rx.el.p(t(text_key)),
        rx.el.a(t("home.open"), rx.el.span(" ", t(title_key), class_name="sr-only"), href=href),
        class_name="card",
    )


@rx.page(route="/", title="Jakarta Future City Hub", on_load=SessionState.load_shell)
def home() -> rx.Component:
    return shell(
        rx.el.section(
            rx.cond(SessionState.signed_in, rx.el.p(tf("home.welcome", name=SessionState.user_name))),
            rx.el.h1(t("home.title")),
            rx.el.p(t("home.lead")),
            rx.el.div(
                rx.cond(SessionState.signed_in, rx.fragment(),
                        rx.el.a(t("home.cta_join"), href="/signup", class_name="button")),
                rx.el.a(t("home.cta_spaces"), href="/spaces", class_name="button ghost"),
                class_name="actions",
            ),
            class_name="hero",
        ),
        rx.el.div(
            _offer("building-2", "home.spaces_title", "home.spaces_text", "/spaces"),
            _offer("graduation-cap", "home.trainings_title", "home.trainings_text", "/trainings"),
            _offer("messages-square", "home.community_title", "home.community_text", "/forum"),
            class_name="grid three", style={"margin-top": "1rem"},
        ),
        rx.el.section(
            rx.el.h2(t("home.how_title")),
            rx.el.ol(rx.el.li(t("home.how_1")), rx.el.li(t("home.how_2")), rx.el.li(t("home.how_3"))),
        ),
    )
