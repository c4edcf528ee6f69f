"""Stateless pieces of the training pages: cards, labels, the session list, trainers."""

import reflex as rx

from hub_app.domain.trainings import FORMATS, LANGUAGES, LEVELS, TOPICS
from hub_app.state.i18n import t


def _label(value, prefix: str, options: tuple[str, ...]) -> rx.Component:
    return rx.match(value, *[(option, t(f"{prefix}.{option}")) for option in options], value)


def topic_label(value) -> rx.Component:
    return _label(value, "trainings.topic", TOPICS)


def level_label(value) -> rx.Component:
    return _label(value, "trainings.level", LEVELS)


def format_label(value) -> rx.Component:
    return _label(value, "trainings.format", FORMATS)


def language_label(value) -> rx.Component:
    return _label(value, "trainings.language", LANGUAGES)


def options(prefix: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    """(value, catalogue key) pairs for components.forms.select."""
    return [(value, f"{prefix}.{value}") for value in values]


def pills(topic, level, format_, language) -> rx.Component:
    return rx.el.div(
        rx.el.span(topic_label(topic), class_name="pill topic"),
        rx.el.span(level_label(level), class_name="pill"),
        rx.el.span(rx.cond(format_ == "online", rx.icon("wifi", size=14, aria_hidden="true"),
                           rx.icon("map-pin", size=14, aria_hidden="true")),
                   format_label(format_), class_name="pill"),
        rx.el.span(language_label(language), class_name="pill"),
        class_name="pills",
    )


def seats(seats_left, waitlist, *, past=False) -> rx.Component:
    """'5 seats left' or 'Full · 3 on the waitlist'."""
    return rx.el.span(
        rx.cond(
            past, t("trainings.past"),
            rx.cond(seats_left > 0,
                    rx.fragment(rx.el.strong(seats_left, data_testid="seats-left"), " ", t("trainings.seats_left")),
                    rx.fragment(rx.el.strong(t("trainings.full")), " · ",
                                rx.el.span(waitlist, data_testid="waitlist-length"), " ",
                                t("trainings.on_waitlist")))),
        class_name=rx.cond(seats_left > 0, "seats", "seats full"),
    )


def my_status_pill(status, position=0) -> rx.Component:
    return rx.match(
        status,
        ("enrolled", rx.el.span(t("trainings.you_enrolled"), class_name="pill ok", data_testid="my-status")),
        ("waitlisted", rx.el.span(t("trainings.you_waitlisted"), rx.cond(position > 0, rx.fragment(" #", position)),
                                  class_name="pill warn", data_testid="my-status")),
        rx.fragment(),
    )


def training_card(card) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.div(rx.icon("calendar", size=16, aria_hidden="true"), rx.el.span(card.date),
                      class_name="when"),
            rx.el.h2(card.title, class_name="card-title"),
            pills(card.topic, card.level, card.format, card.language),
            rx.el.div(seats(card.seats_left, card.waitlist, past=card.past), my_status_pill(card.my_status),
                      class_name="row"),
            href="/trainings/" + card.id.to_string(), class_name="card-link",
        ),
        class_name="training-card", data_testid="training-card",
    )


def session_list(sessions, *, show_attended: bool = False) -> rx.Component:
    def item(row) -> rx.Component:
        return rx.el.li(
            rx.el.span(row.number, class_name="session-number", aria_hidden="true"),
            rx.el.div(
                rx.el.strong(row.day), rx.el.br(),
                rx.el.span(row.hours), " · ",
                rx.el.span(rx.icon("map-pin", size=14, aria_hidden="true"), row.place, class_name="place"),
            ),
            rx.cond(row.attended,
                    rx.el.span(rx.icon("check", size=14, aria_hidden="true"), t("trainings.attended"),
                               class_name="pill ok")) if show_attended else rx.fragment(),
            class_name="session-item",
        )

    return rx.el.ol(rx.foreach(sessions, item), class_name="session-list")


def trainer_list(trainers) -> rx.Component:
    def item(trainer) -> rx.Component:
        return rx.el.li(
            rx.cond(trainer.photo_url != "",
                    rx.el.img(src=trainer.photo_url, alt="", width="56", height="56", class_name="trainer-photo",
                              loading="lazy"),
                    rx.el.span(trainer.initials, class_name="trainer-photo initials", aria_hidden="true")),
            rx.el.div(rx.el.strong(trainer.name), rx.el.p(trainer.bio, class_name="muted")),
            class_name="trainer",
        )

    return rx.el.ul(rx.foreach(trainers, item), class_name="trainer-list")


def confirm_leaving(waitlisted, on_confirm, *, testid: str = "") -> rx.Component:
    """Cancelling an enrolment or leaving a waitlist asks first, and says what happens next."""
    return rx.el.details(
        rx.el.summary(rx.cond(waitlisted, t("trainings.leave_waitlist"), t("trainings.cancel_enrolment")),
                      class_name="button ghost small"),
        rx.el.div(
            rx.el.p(rx.cond(waitlisted, t("trainings.leave_explain"), t("trainings.cancel_explain"))),
            rx.el.button(rx.cond(waitlisted, t("trainings.leave_confirm_yes"), t("trainings.cancel_confirm_yes")),
                         type="button", on_click=on_confirm, class_name="button danger small"),
            class_name="card stack"),
        custom_attrs={"data-testid": testid} if testid else {},
    )
