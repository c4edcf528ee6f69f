"""/admin/events/<id>/door: staff check people in at the door on a phone, by scanning the ticket's
QR code with the camera (assets/events/door_scanner.js fills and submits the code field) or by typing
the code; walk-ins are added on the spot while seats are left."""

import json

import reflex as rx

from hub_app.components.forms import field, message, required_note
from hub_app.components.shell import shell
from hub_app.services import events
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.session import SessionState, form_data, go_to, page_load

# Loads the scanner once per page (a same-origin script, as the page's policy allows) and starts it.
_START_SCANNER = (
    "(() => {{const messages = {messages};"
    " const go = () => window.hubDoorScanner.start(messages);"
    " if (window.hubDoorScanner) {{go(); return;}}"
    " const script = document.createElement('script'); script.src = '/events/door_scanner.js';"
    " script.onload = go; document.head.appendChild(script);}})()"
)
_STOP_SCANNER = "window.hubDoorScanner && window.hubDoorScanner.stop()"


def _text(data: dict, name: str, limit: int) -> str:
    value = data.get(name)
    return value[:limit] if isinstance(value, str) else ""


class EventDoorState(SessionState):
    allowed: bool = True
    event_id: int = 0
    title: str = ""
    when: str = ""
    door_open: bool = False
    seats_left: int = 0
    checked_in: int = 0
    registered: int = 0
    error: str = ""
    result_name: str = ""
    result_status: str = ""  # checked_in | already
    walk_in_error: str = ""
    walk_in_done: str = ""
    form_version: int = 0

    def _event_id(self) -> str:
        return str(self._route_args().get("event_id", ""))[:20]

    async def _reload(self) -> None:
        roster, error = await self._run(events.roster, event_id=self._event_id(), locale=self.lang)
        self.allowed = roster is not None
        if roster is None:
            self.error, self.event_id, self.title, self.when, self.door_open = error, 0, "", "", False
            self.seats_left = self.checked_in = self.registered = 0
            return
        self.event_id, self.title, self.when, self.door_open = roster.event_id, roster.title, roster.when, \
            roster.door_open
        self.seats_left = max(roster.capacity - roster.registered, 0)
        self.checked_in, self.registered = roster.checked_in, roster.registered

    @rx.event
    @page_load
    async def load(self):
        self.error = self.result_name = self.result_status = self.walk_in_error = self.walk_in_done = ""
        if await self._actor() is None:
            self.allowed = False
            return go_to(f"/login?next=/admin/events/{self._event_id()}/door")
        await self._reload()

    @rx.event
    async def check_in(self, form: dict):
        """A typed or scanned ticket code (XXXXX-XXXXX; the service normalises and checks the event)."""
        self.error = self.result_name = self.result_status = ""
        outcome, self.error = await self._run(events.door_check_in, event_id=self._event_id(),
                                              code=_text(form_data(form), "code", 40))
        if outcome is not None:
            self.result_name, self.result_status = outcome.name, outcome.status
        self.form_version += 1
        await self._reload()

    @rx.event
    async def walk_in(self, form: dict):
        data = form_data(form)
        self.walk_in_error = self.walk_in_done = ""
        outcome, self.walk_in_error = await self._run(
            events.add_walk_in, event_id=self._event_id(),
            form={"name": _text(data, "name", 200), "email": _text(data, "email", 300),
                  "organisation": _text(data, "organisation", 200)})
        if outcome is not None:
            self.walk_in_done = outcome.name
            self.result_name, self.result_status = outcome.name, outcome.status
            self.form_version += 1
        await self._reload()

    @rx.event
    def scan(self):
        """Starts the camera scanner in this page (nothing on the server: the scanner submits the code form)."""
        messages = {"scanning": self._t("events_pages.door_scanning"),
                    "noCamera": self._t("events_pages.door_no_camera")}
        return rx.call_script(_START_SCANNER.format(messages=json.dumps(messages)))

    @rx.event
    def stop_scan(self):
        return rx.call_script(_STOP_SCANNER)


def _result() -> rx.Component:
    s = EventDoorState
    return rx.cond(
        s.result_status != "",
        rx.el.p(
            rx.cond(s.result_status == "already",
                    rx.fragment(rx.icon("circle-alert", size=28, aria_hidden="true"),
                                tf("events_pages.door_already", name=s.result_name)),
                    rx.fragment(rx.icon("circle-check", size=28, aria_hidden="true"),
                                tf("events_pages.door_checked_in", name=s.result_name))),
            class_name=rx.cond(s.result_status == "already", "message warn with-icon", "message ok with-icon"),
            role="status", data_testid="door-result", style={"font-size": "1.25rem"},
        ),
    )


def _code_form() -> rx.Component:
    s = EventDoorState
    return rx.el.form(
        rx.el.div(
            rx.el.label(t("events_pages.door_code"), html_for="door-code"),
            rx.el.input(id="door-code", name="code", type="text", required=True, max_length=40,
                        auto_complete="off", auto_capitalize="characters", spell_check=False,
                        placeholder="XXXXX-XXXXX", style={"font-family": "monospace", "font-size": "1.25rem"}),
            class_name="field",
        ),
        rx.el.button(t("events_pages.door_check_in"), type="submit", class_name="button"),
        on_submit=s.check_in, reset_on_submit=True, key=s.form_version, class_name="card stack",
    )


def _scanner() -> rx.Component:
    s = EventDoorState
    return rx.el.div(
        rx.el.div(
            rx.el.button(rx.icon("scan-line", size=18, aria_hidden="true"), t("events_pages.door_scan"),
                         type="button", on_click=s.scan, class_name="button", data_testid="door-scan"),
            rx.el.button(t("events_pages.door_stop"), type="button", on_click=s.stop_scan,
                         class_name="button ghost"),
            class_name="actions",
        ),
        rx.el.video(id="door-video", muted=True, plays_inline=True, hidden=True, aria_hidden="true",
                    style={"width": "100%", "max-width": "28rem", "border-radius": "0.5rem", "background": "#000"}),
        rx.el.p(id="door-scan-status", class_name="muted", aria_live="polite"),
        class_name="stack",
    )


def _walk_in() -> rx.Component:
    s = EventDoorState
    return rx.el.section(
        rx.el.h2(t("events_pages.walk_in_title")),
        rx.cond(
            s.seats_left > 0,
            rx.el.form(
                rx.el.p(tf("events_pages.walk_in_lead", seats=s.seats_left)),
                required_note(),
                field("events_pages.guest_name", "name", required=True, max_length=100),
                field("events_pages.walk_in_email", "email", type="email", max_length=254),
                field("events_pages.guest_organisation", "organisation", max_length=120),
                message(s.walk_in_error),
                rx.el.button(t("events_pages.walk_in_submit"), type="submit", class_name="button"),
                on_submit=s.walk_in, reset_on_submit=False, key=s.form_version, class_name="card stack",
            ),
            rx.el.p(t("events_pages.walk_in_full"), class_name="muted", data_testid="walk-in-full"),
        ),
    )


@rx.page(route="/admin/events/[event_id]/door", title=page_title("title.event_door"),
         on_load=EventDoorState.load)
def event_door_page() -> rx.Component:
    s = EventDoorState
    return shell(
        rx.el.p(rx.el.a(rx.icon("arrow-left", size=16, aria_hidden="true"), t("events_pages.roster"),
                        href="/admin/events/" + s.event_id.to_string()),
                class_name="crumb"),
        rx.el.h1(t("events_pages.door_title")),
        rx.cond(
            s.allowed,
            rx.fragment(
                rx.el.p(rx.el.strong(s.title), rx.el.br(), rx.el.small(s.when, class_name="muted")),
                rx.el.p(tf("events_pages.door_counts", checked_in=s.checked_in, registered=s.registered),
                        data_testid="door-counts"),
                rx.el.p(t("events_pages.door_lead"), class_name="muted"),
                _result(),
                message(s.error),
                _scanner(),
                _code_form(),
                _walk_in(),
            ),
            message(s.error),
        ),
    )
