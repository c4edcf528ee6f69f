"""/events/<id>: one event with its seats left; a member registers in one tap, a visitor (when guests
are welcome) asks for a confirmation link by email; the registered see their ticket (code, QR, .ics),
the online link, and may cancel.

WhatsApp and other link previews read OpenGraph/Twitter tags from the served HTML without running
scripts; this route has no prerendered page of its own, so api/events_pages.py serves the page's
HTML with the event's tags in it (see there)."""

import dataclasses

import reflex as rx

from hub_app.components.events import (
    PHOTO_STYLE,
    audience_badge,
    blank,
    queue_position,
    seats_text,
    status_pill,
    ticket,
)
from hub_app.components.forms import field, message, required_note
from hub_app.components.shell import shell
from hub_app.domain.events import ticket_qr_svg
from hub_app.services import events
from hub_app.services.events import EventView
from hub_app.settings import get_settings
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.session import SessionState, form_data, go_to, page_load


def empty_view() -> EventView:
    return blank(EventView)


class EventDetailState(SessionState):
    view: EventView = empty_view()
    found: bool = True
    busy: bool = False
    error: str = ""
    info: str = ""
    guest_sent: bool = False
    # Read when the page loads, not when the frontend is built: the setting may change without a build.
    retention_days: int = 30
    # The actor's own registration, flattened for the page (the view's is dropped from the synced var).
    my_id: int = 0
    my_status: str = ""
    my_ticket: str = ""
    my_position: int = 0
    my_ics_url: str = ""
    my_qr: str = ""
    my_can_cancel: bool = False

    def _event_id(self) -> str:
        return str(self._route_args().get("event_id", ""))[:20]

    async def _reload(self) -> None:
        view, error = await self._run(events.event_view, event_id=self._event_id(), locale=self.lang)
        if view is None:
            self.view, self.found = empty_view(), False
            self.error = error
            self._show_mine(None)
            return
        self.found = True
        self._show_mine(view.my_registration)
        self.view = dataclasses.replace(view, my_registration=None)

    def _show_mine(self, mine) -> None:
        live = mine is not None and mine.status != "cancelled"
        self.my_id = mine.id if live else 0
        self.my_status = mine.status if live else ""
        self.my_ticket = mine.ticket_code if live else ""
        self.my_position = mine.queue_position if live else 0
        self.my_ics_url = mine.ics_url if live else ""
        self.my_qr = ticket_qr_svg(mine.ticket_code) if live and mine.qr_svg else ""
        self.my_can_cancel = live and mine.can_cancel

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        self.busy = self.guest_sent = False
        self.retention_days = get_settings().event_guest_retention_days
        await self._reload()

    @rx.event
    async def register(self):
        """One tap for a signed-in member; a visitor is sent to sign in first."""
        self.error = self.info = ""
        if await self._actor() is None:
            yield go_to(f"/login?next=/events/{self._event_id()}")
            return
        self.busy = True
        yield
        outcome, self.error = await self._run(events.register_member, event_id=self._event_id())
        if outcome is not None:
            self.info = self._t("events_pages.registered_ok" if outcome.status == "registered"
                                else "events_pages.waitlisted_ok")
        self.busy = False
        await self._reload()

    @rx.event
    async def register_guest(self, form: dict):
        """A visitor's name, email and organisation; always the same neutral answer ("check your email")."""
        self.error = self.info = ""
        data = form_data(form)
        fields = {name: data.get(name) if isinstance(data.get(name), str) else "" for name in
                  ("name", "email", "organisation")}
        self.busy = True
        yield
        _, self.error = await self._run(events.register_guest, event_id=self._event_id(), form=fields,
                                        locale=self.lang, client=self.router.session.client_ip)
        self.busy = False
        self.guest_sent = self.error == ""

    @rx.event
    async def cancel(self):
        """Cancels the actor's own registration shown on this page (the service refuses anyone else's)."""
        self.error = self.info = ""
        _, self.error = await self._run(events.cancel_mine, registration_id=self.my_id)
        if not self.error:
            self.info = self._t("events_pages.cancelled_ok")
        await self._reload()


def _guest_form() -> rx.Component:
    s = EventDetailState
    return rx.el.section(
        rx.el.h2(t("events_pages.guest_title")),
        rx.cond(
            s.guest_sent,
            rx.el.p(t("events_pages.guest_sent"), class_name="message ok", role="status", data_testid="guest-sent"),
            rx.el.form(
                rx.el.p(t("events_pages.guest_lead")),
                required_note(),
                field("events_pages.guest_name", "name", required=True, max_length=100, autocomplete="name"),
                field("events_pages.guest_email", "email", type="email", required=True, max_length=254,
                      autocomplete="email"),
                field("events_pages.guest_organisation", "organisation", max_length=120,
                      autocomplete="organization"),
                rx.el.p(tf("events_pages.guest_privacy", days=s.retention_days),
                        class_name="muted small", data_testid="guest-privacy"),
                rx.el.button(t("events_pages.guest_submit"), type="submit", class_name="button",
                             disabled=s.busy),
                on_submit=s.register_guest, reset_on_submit=False, class_name="stack",
            ),
        ),
        rx.el.p(rx.el.a(t("events_pages.or_sign_in"), href="/login?next=/events/" + s.view.id.to_string()),
                class_name="muted"),
        class_name="card",
    )


def _my_registration() -> rx.Component:
    s = EventDetailState
    return rx.el.div(
        rx.el.div(rx.el.span(t("events_pages.your_status"), ": "), status_pill(s.my_status), class_name="row"),
        queue_position(s.my_position),
        rx.cond((s.my_status == "registered") & (s.view.online_url != ""),
                rx.el.p(rx.icon("video", size=16, aria_hidden="true"), " ", t("events_pages.online_link"), ": ",
                        rx.el.a(s.view.online_url, href=s.view.online_url, rel="noopener nofollow",
                                target="_blank"),
                        data_testid="online-link")),
        rx.cond(s.my_qr != "", ticket(s.my_ticket, s.my_qr, s.my_ics_url)),
        rx.cond(s.my_can_cancel, rx.el.details(
            rx.el.summary(t("events_pages.cancel_registration"), class_name="button ghost small"),
            rx.el.div(
                rx.el.p(t("events_pages.cancel_explain")),
                rx.el.button(t("events_pages.cancel_yes"), type="button", on_click=s.cancel,
                             class_name="button danger small", data_testid="cancel-registration"),
                class_name="card stack"),
        )),
        class_name="stack", data_testid="my-registration",
    )


def _register_box() -> rx.Component:
    s = EventDetailState
    d = s.view
    return rx.el.section(
        rx.el.div(seats_text(d.seats_left, d.seats_left <= 0), audience_badge(d.audience), class_name="row"),
        rx.cond(d.status == "cancelled", rx.el.p(t("events_pages.event_cancelled"), " ", d.cancel_reason,
                                                 class_name="notice warn")),
        rx.cond(d.status == "draft", rx.el.p(t("events_pages.event_draft"), class_name="notice")),
        message(s.error),
        message(s.info, kind="ok"),
        rx.cond(
            s.my_id > 0,
            _my_registration(),
            rx.cond(
                SessionState.signed_in,
                rx.cond(d.may_register,
                        rx.el.button(rx.cond(d.seats_left > 0, t("events_pages.register"),
                                             t("events_pages.join_waitlist")),
                                     type="button", on_click=s.register, disabled=s.busy, class_name="button",
                                     data_testid="register")),
                rx.cond(d.sign_in_to_register,
                        rx.fragment(rx.el.p(t("events_pages.members_only_note")),
                                    rx.el.a(t("events_pages.sign_in_to_register"),
                                            href="/login?next=/events/" + d.id.to_string(),
                                            class_name="button", data_testid="register"))),
            ),
        ),
        class_name="card enrol-box",
    )


def _facts() -> rx.Component:
    d = EventDetailState.view
    return rx.el.dl(
        rx.el.dt(t("events_pages.when")), rx.el.dd(d.starts_text, data_testid="event-when"),
        rx.el.dt(t("events_pages.until")), rx.el.dd(d.ends_text),
        rx.el.dt(t("events_pages.where")), rx.el.dd(d.place_text),
        rx.el.dt(t("events_pages.capacity")), rx.el.dd(d.capacity),
        class_name="facts",
    )


@rx.page(route="/events/[event_id]", title=page_title("title.event"),
         on_load=EventDetailState.load)
def event_detail_page() -> rx.Component:
    s = EventDetailState
    d = s.view
    return shell(
        rx.el.p(rx.el.a(rx.icon("arrow-left", size=16, aria_hidden="true"), t("events_pages.back"), href="/events"),
                class_name="crumb"),
        rx.cond(
            s.found,
            rx.el.article(
                rx.el.h1(d.title, data_testid="event-title"),
                rx.el.div(
                    rx.el.div(
                        rx.cond(d.photo_url != "", rx.el.img(src=d.photo_url, alt="", width="960", height="540",
                                                             style=PHOTO_STYLE)),
                        _register_box(),
                        rx.cond(~SessionState.signed_in & d.guests_welcome, _guest_form()),
                        # Sanitised on the server (Markdown without raw HTML, nh3); nothing else goes here.
                        rx.html(d.description_html, class_name="prose"),
                        class_name="stack",
                    ),
                    rx.el.aside(_facts()),
                    class_name="detail-layout",
                ),
            ),
            rx.el.div(rx.el.h1(t("events_pages.not_found_title")), message(s.error)),
        ),
    )
