"""Stateless pieces of the events pages: the card of the list, badges, the ticket."""

import dataclasses
import types
import typing

import reflex as rx

from hub_app.state.i18n import t, tf

PHOTO_STYLE = {"width": "100%", "aspect-ratio": "16 / 9", "object-fit": "cover", "border-radius": "0.5rem",
               "display": "block"}


_EMPTY = {int: 0, str: "", bool: False, float: 0.0}


def blank(kind: type):
    """An empty instance of a service's read-model dataclass, for a page state's default (before the
    page loads, or when the thing is not found): zeros and empty texts, None for optional parts."""
    hints = typing.get_type_hints(kind)
    values = {}
    for item in dataclasses.fields(kind):
        hint = hints[item.name]
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            values[item.name] = None
        elif origin in (list, dict):
            values[item.name] = origin()
        else:
            values[item.name] = _EMPTY.get(hint, None)
    return kind(**values)


def audience_badge(audience) -> rx.Component:
    return rx.cond(audience == "members",
                   rx.el.span(rx.icon("lock", size=14, aria_hidden="true"), t("events_pages.members_only"),
                              class_name="pill warn", data_testid="members-only"),
                   rx.el.span(t("events_pages.guests_welcome"), class_name="pill ok"))


def seats_text(seats_left, full) -> rx.Component:
    return rx.el.span(
        rx.cond(full, rx.el.strong(t("events_pages.full")),
                rx.fragment(rx.el.strong(seats_left, data_testid="seats-left"), " ", t("events_pages.seats_left"))),
        class_name=rx.cond(full, "seats full", "seats"),
    )


def event_card(card) -> rx.Component:
    """One upcoming event in the list (card: services.events.EventCard)."""
    return rx.el.li(
        rx.el.a(
            rx.cond(card.photo_url != "",
                    rx.el.img(src=card.photo_url, alt="", width="640", height="360", loading="lazy",
                              style=PHOTO_STYLE)),
            rx.el.div(rx.icon("calendar", size=16, aria_hidden="true"), rx.el.span(card.starts_text),
                      class_name="when"),
            rx.el.h2(card.title, class_name="card-title"),
            rx.el.div(rx.icon("map-pin", size=16, aria_hidden="true"), rx.el.span(card.place_text), class_name="when"),
            rx.el.div(seats_text(card.seats_left, card.full), audience_badge(card.audience), class_name="row"),
            href="/events/" + card.id.to_string(), class_name="card-link",
        ),
        class_name="training-card", data_testid="event-card",
    )


def status_pill(status) -> rx.Component:
    """A registration's status (registered, waitlisted, unconfirmed, cancelled, checked_in)."""
    return rx.el.span(
        rx.match(status,
                 ("registered", t("events_pages.status.registered")),
                 ("waitlisted", t("events_pages.status.waitlisted")),
                 ("unconfirmed", t("events_pages.status.unconfirmed")),
                 ("cancelled", t("events_pages.status.cancelled")),
                 ("checked_in", t("events_pages.status.checked_in")),
                 status),
        class_name=rx.match(status, ("registered", "pill ok"), ("checked_in", "pill ok"), ("cancelled", "pill bad"),
                            "pill warn"),
        data_testid="registration-status",
    )


def event_status_pill(status) -> rx.Component:
    return rx.el.span(
        rx.match(status, ("draft", t("events_pages.status.draft")),
                 ("published", t("events_pages.status.published")),
                 ("cancelled", t("events_pages.status.cancelled")), status),
        class_name=rx.match(status, ("published", "pill ok"), ("cancelled", "pill bad"), "pill warn"),
        data_testid="event-status")


def ticket(code, qr_data_uri, ics_url) -> rx.Component:
    """The member's or guest's ticket: the code to say at the door, its QR and the calendar file."""
    return rx.el.div(
        rx.el.h2(t("events_pages.my_ticket")),
        rx.el.img(src=qr_data_uri, alt=t("events_pages.ticket_qr"), width="200", height="200",
                  style={"width": "200px", "height": "200px", "image-rendering": "pixelated", "background": "#fff"},
                  data_testid="ticket-qr"),
        rx.el.p(t("events_pages.ticket_code"), ": ",
                rx.el.strong(code, data_testid="ticket-code",
                             style={"font-family": "monospace", "font-size": "1.25rem", "letter-spacing": "0.05em"})),
        rx.el.p(t("events_pages.ticket_hint"), class_name="muted"),
        rx.cond(ics_url != "",
                rx.el.a(rx.icon("calendar-plus", size=16, aria_hidden="true"), t("events_pages.add_to_calendar"),
                        href=ics_url, class_name="button ghost small", data_testid="event-ics")),
        class_name="stack",
    )


def queue_position(position) -> rx.Component:
    return rx.cond(position > 0, rx.el.p(tf("events_pages.queue_position", position=position),
                                         data_testid="queue-position"))
