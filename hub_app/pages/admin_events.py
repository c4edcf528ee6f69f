"""/admin/events and /admin/events/<id>: staff run the hub's events: create and edit them in both
languages (place: a hub space, reserved through the booking service, or an online link), the photo,
publish, cancel with a reason; the roster of who registered, who waits and who has checked in."""

import reflex as rx

from hub_app.components.events import event_status_pill, status_pill
from hub_app.components.forms import message
from hub_app.components.regions import scroll_region
from hub_app.components.shell import shell
from hub_app.domain.events import AUDIENCES, PLACES
from hub_app.i18n import CATALOGUE
from hub_app.services import events
from hub_app.services.events import AdminEventRow, EventRoster, RosterRow
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.session import SessionState, form_data, go_to, page_load

FORM_FIELDS = ("title_id", "title_en", "description_id", "description_en", "starts_at", "ends_at", "place",
               "space_id", "online_url", "capacity", "audience")
EMPTY_FORM = {name: "" for name in (*FORM_FIELDS, "status", "photo_url")}


def _form_values(values: dict) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The service's form dict as the page's text fields, and the spaces to choose from."""
    spaces = [{"id": str(space["id"]), "name": f"{space['name']} ({space['capacity']})"}
              for space in values.get("spaces", [])]
    return {name: str(values.get(name) or "") for name in EMPTY_FORM}, spaces


def _submitted(form: object) -> dict:
    """Only the form's own fields, as the browser sent them (the service validates each)."""
    data = form_data(form)
    return {name: data.get(name) for name in FORM_FIELDS}


def _input(label_key: str, name: str, values, *, prefix: str, type: str = "text", required: bool = False,
           max_length: int | None = None, **props) -> rx.Component:
    field_id = f"{prefix}-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.input(id=field_id, name=name, type=type, required=required, max_length=max_length,
                    default_value=values[name], **props),
        class_name="field",
    )


def _area(label_key: str, name: str, values, *, prefix: str) -> rx.Component:
    field_id = f"{prefix}-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.textarea(id=field_id, name=name, rows=5, max_length=8000, default_value=values[name]),
        rx.el.small(t("events_pages.markdown_hint"), class_name="hint"),
        class_name="field",
    )


def _choice(label_key: str, name: str, choices: list[tuple[str, str]], values, *, prefix: str) -> rx.Component:
    field_id = f"{prefix}-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.select(*[rx.el.option(t(key), value=value) for value, key in choices], id=field_id, name=name,
                     default_value=values[name]),
        class_name="field",
    )


def event_form(values, spaces, on_submit, submit_key: str, *, prefix: str, key=None) -> rx.Component:
    """The fields of an event, filled from `values` (a dict Var; empty strings for a new event)."""
    return rx.el.form(
        rx.el.div(_input("events_pages.field.title_id", "title_id", values, prefix=prefix, max_length=120),
                  _input("events_pages.field.title_en", "title_en", values, prefix=prefix, max_length=120),
                  class_name="grid two"),
        rx.el.div(_area("events_pages.field.description_id", "description_id", values, prefix=prefix),
                  _area("events_pages.field.description_en", "description_en", values, prefix=prefix),
                  class_name="grid two"),
        rx.el.div(_input("events_pages.field.starts_at", "starts_at", values, prefix=prefix, type="datetime-local",
                         required=True),
                  _input("events_pages.field.ends_at", "ends_at", values, prefix=prefix, type="datetime-local",
                         required=True),
                  class_name="grid two"),
        rx.el.div(
            _choice("events_pages.field.place", "place", [(place, f"events_pages.place.{place}") for place in PLACES],
                    values, prefix=prefix),
            rx.el.div(
                rx.el.label(t("events_pages.field.space"), html_for=f"{prefix}-space_id"),
                rx.el.select(rx.el.option(t("events_pages.no_space"), value=""),
                             rx.foreach(spaces, lambda space: rx.el.option(space["name"], value=space["id"])),
                             id=f"{prefix}-space_id", name="space_id", default_value=values["space_id"]),
                class_name="field",
            ),
            class_name="grid two",
        ),
        _input("events_pages.field.online_url", "online_url", values, prefix=prefix, type="url", max_length=300,
               placeholder="https://"),
        rx.el.div(_input("events_pages.field.capacity", "capacity", values, prefix=prefix, type="number",
                         required=True, min=1, max=2000),
                  _choice("events_pages.field.audience", "audience",
                          [(audience, f"events_pages.audience.{audience}") for audience in AUDIENCES], values,
                          prefix=prefix),
                  class_name="grid two"),
        rx.el.button(t(submit_key), type="submit", class_name="button"),
        on_submit=on_submit, reset_on_submit=False, key=key, class_name="card stack",
    )


# --- /admin/events -----------------------------------------------------------------------------

class AdminEventsState(SessionState):
    rows: list[AdminEventRow] = []
    past: bool = False
    cursor: str = ""
    next_cursor: str = ""
    new_form: dict[str, str] = dict(EMPTY_FORM)
    spaces: list[dict[str, str]] = []
    allowed: bool = True
    error: str = ""
    create_error: str = ""

    async def _reload(self) -> None:
        page, error = await self._run(events.admin_events, past=self.past, cursor=self.cursor, locale=self.lang)
        self.allowed = page is not None
        self.error = error
        self.rows = page.rows if page is not None else []
        self.next_cursor = page.next_cursor if page is not None else ""

    @rx.event
    @page_load
    async def load(self):
        self.error = self.create_error = ""
        if await self._actor() is None:
            self.allowed = False
            return go_to("/login?next=/admin/events")
        self.past, self.cursor = False, ""
        await self._reload()
        values, _ = await self._run(events.event_form, event_id=0, locale=self.lang)
        self.new_form, self.spaces = _form_values(values) if values is not None else (dict(EMPTY_FORM), [])

    @rx.event
    async def show_past(self, past: bool):
        self.past, self.cursor = past is True, ""
        await self._reload()

    @rx.event
    async def next_page(self):
        if self.next_cursor:
            self.cursor = self.next_cursor
            await self._reload()

    @rx.event
    async def first_page(self):
        self.cursor = ""
        await self._reload()

    @rx.event
    async def create(self, form: dict):
        self.create_error = ""
        event_id, self.create_error = await self._run(events.create_event, form=_submitted(form))
        if event_id is not None:
            return rx.redirect(f"/admin/events/{event_id}")


def _admin_row(row: AdminEventRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.div(rx.el.a(rx.el.strong(row.title), href="/admin/events/" + row.id.to_string()), rx.el.br(),
                      rx.el.small(row.when, " · ", row.place, class_name="muted")),
            event_status_pill(row.status),
            class_name="row",
        ),
        rx.el.small(tf("events_pages.counts", registered=row.registered, capacity=row.capacity,
                       waitlist=row.waitlisted), class_name="muted"),
        data_testid="admin-event-row",
    )


@rx.page(route="/admin/events", title=page_title("title.admin_events"),
         on_load=AdminEventsState.load)
def admin_events_page() -> rx.Component:
    s = AdminEventsState
    return shell(
        rx.el.h1(t("events_pages.admin_title")),
        message(s.error),
        rx.cond(
            s.allowed,
            rx.fragment(
                rx.el.details(
                    rx.el.summary(rx.icon("plus", size=16, aria_hidden="true"), t("events_pages.new_event"),
                                  class_name="button"),
                    message(s.create_error),
                    event_form(s.new_form, s.spaces, s.create, "events_pages.create", prefix="new"),
                    class_name="new-training",
                ),
                rx.el.div(
                    rx.el.button(t("trainings.upcoming"), type="button", on_click=s.show_past(False),
                                 class_name=rx.cond(s.past, "button ghost small", "button small"),
                                 aria_pressed=rx.cond(s.past, "false", "true")),
                    rx.el.button(t("trainings.past_title"), type="button", on_click=s.show_past(True),
                                 class_name=rx.cond(s.past, "button small", "button ghost small"),
                                 aria_pressed=rx.cond(s.past, "true", "false")),
                    class_name="actions",
                ),
                rx.cond(s.rows.length() > 0,
                        rx.el.ul(rx.foreach(s.rows, _admin_row), class_name="list"),
                        rx.el.p(t("common.none"), class_name="muted")),
                rx.el.div(
                    rx.cond(s.cursor != "", rx.el.button(t("common.first_page"), on_click=s.first_page,
                                                         class_name="button ghost")),
                    rx.cond(s.next_cursor != "", rx.el.button(t("common.next_page"), on_click=s.next_page,
                                                              class_name="button ghost")),
                    class_name="actions",
                ),
            ),
        ),
    )


# --- /admin/events/<id> ------------------------------------------------------------------------

class AdminEventState(SessionState):
    form: dict[str, str] = dict(EMPTY_FORM)
    spaces: list[dict[str, str]] = []
    roster: EventRoster = EventRoster(0, "", "", "", 0, 0, 0, 0, 0, False, [])
    allowed: bool = True
    error: str = ""
    info: str = ""
    version: int = 0

    def _event_id(self) -> str:
        return str(self._route_args().get("event_id", ""))[:20]

    async def _reload(self) -> None:
        values, error = await self._run(events.event_form, event_id=self._event_id(), locale=self.lang)
        roster, roster_error = await self._run(events.roster, event_id=self._event_id(), locale=self.lang)
        if values is None or roster is None:
            self.allowed = False
            self.error = error or roster_error
            self.form, self.spaces = dict(EMPTY_FORM), []
            self.roster = EventRoster(0, "", "", "", 0, 0, 0, 0, 0, False, [])
            return
        self.allowed = True
        self.form, self.spaces = _form_values(values)
        self.roster = roster
        self.version += 1

    async def _act(self, service, done_key: str, **kwargs) -> None:
        """Runs a staff action on this event, shows its outcome and reloads."""
        self.error = self.info = ""
        _, self.error = await self._run(service, event_id=self._event_id(), **kwargs)
        if not self.error:
            self.info = self._t(done_key)
        await self._reload()

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        if await self._actor() is None:
            self.allowed = False
            return go_to(f"/login?next=/admin/events/{self._event_id()}")
        await self._reload()
        outcome = self.router.url.query_parameters.get("photo", "")
        if outcome == "ok":
            self.info = self._t("events_pages.photo_saved")
        elif isinstance(outcome, str) and outcome.startswith(("error.", "events.")) and outcome in CATALOGUE:
            self.error = self._t(outcome)

    @rx.event
    async def save(self, form: dict):
        await self._act(events.update_event, "common.saved", form=_submitted(form))

    @rx.event
    async def publish(self):
        await self._act(events.publish_event, "events_pages.published_ok")

    @rx.event
    async def cancel_event(self, form: dict):
        reason = form_data(form).get("reason")
        await self._act(events.cancel_event, "events_pages.event_cancelled_ok",
                        reason=reason if isinstance(reason, str) else "")


def _roster_row(row: RosterRow) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.cond(row.queue_position > 0, rx.el.span("#", row.queue_position, " "), ""),
                 rx.el.strong(row.name), rx.el.br(),
                 rx.el.small(row.email, rx.cond(row.organisation != "", rx.fragment(" · ", row.organisation)),
                             class_name="muted")),
        rx.el.td(rx.cond(row.walk_in, t("events_pages.kind.walk_in"),
                         rx.cond(row.kind == "guest", t("events_pages.kind.guest"), t("events_pages.kind.member")))),
        rx.el.td(status_pill(row.status)),
        rx.el.td(rx.el.code(row.ticket_code)),
        rx.el.td(rx.cond(row.checked_in, row.checked_in_text, "–")),
        data_testid="event-roster-row",
    )


def _roster() -> rx.Component:
    r = AdminEventState.roster
    return rx.el.section(
        rx.el.h2(t("events_pages.roster")),
        rx.el.p(tf("events_pages.counts", registered=r.registered, capacity=r.capacity, waitlist=r.waitlisted),
                " · ", tf("events_pages.door_counts", checked_in=r.checked_in, registered=r.registered),
                data_testid="roster-counts"),
        rx.cond(
            r.rows.length() > 0,
            scroll_region(
                rx.el.table(
                    rx.el.thead(rx.el.tr(rx.el.th(t("events_pages.col.name")), rx.el.th(t("events_pages.col.kind")),
                                         rx.el.th(t("events_pages.col.status")),
                                         rx.el.th(t("events_pages.col.ticket")),
                                         rx.el.th(t("events_pages.col.checked_in")))),
                    rx.el.tbody(rx.foreach(r.rows, _roster_row)),
                ),
                label=t("events_pages.roster"), class_name="table-wrap", data_testid="event-roster",
            ),
            rx.el.p(t("events_pages.roster_empty"), class_name="muted"),
        ),
    )


def _photo() -> rx.Component:
    s = AdminEventState
    return rx.el.form(
        rx.cond(s.form["photo_url"] != "",
                rx.el.img(src=s.form["photo_url"], alt="", width="320", height="180",
                          style={"width": "320px", "max-width": "100%", "aspect-ratio": "16 / 9",
                                 "object-fit": "cover", "border-radius": "0.5rem"})),
        rx.el.div(rx.el.label(t("events_pages.field.photo"), html_for="event-photo"),
                  rx.el.input(id="event-photo", name="photo", type="file", required=True,
                              accept="image/png,image/jpeg,image/webp"),
                  class_name="field"),
        rx.el.button(t("events_pages.upload_photo"), type="submit", class_name="button ghost small"),
        action="/api/admin/events/" + s.roster.event_id.to_string() + "/photo", method="post",
        enc_type="multipart/form-data", class_name="card stack",
    )


@rx.page(route="/admin/events/[event_id]", title=page_title("title.admin_event"),
         on_load=AdminEventState.load)
def admin_event_page() -> rx.Component:
    s = AdminEventState
    event_path = "/events/" + s.roster.event_id.to_string()
    return shell(
        rx.el.p(rx.el.a(rx.icon("arrow-left", size=16, aria_hidden="true"), t("events_pages.admin_title"),
                        href="/admin/events"), class_name="crumb"),
        message(s.error),
        message(s.info, kind="ok"),
        rx.cond(
            s.allowed,
            rx.fragment(
                rx.el.div(rx.el.h1(s.roster.title), event_status_pill(s.roster.status), class_name="row"),
                rx.el.p(s.roster.when, class_name="muted"),
                rx.el.div(
                    rx.el.a(t("events_pages.view_public"), href=event_path, class_name="button ghost small"),
                    rx.el.a(rx.icon("scan-line", size=16, aria_hidden="true"), t("events_pages.door_link"),
                            href="/admin" + event_path + "/door", class_name="button small",
                            data_testid="door-link"),
                    rx.cond(s.roster.status == "draft",
                            rx.el.button(t("events_pages.publish"), type="button", on_click=s.publish,
                                         class_name="button small", data_testid="publish-event")),
                    rx.cond(s.roster.status != "cancelled",
                            rx.el.details(
                                rx.el.summary(t("events_pages.cancel_event"), class_name="button ghost small"),
                                rx.el.form(
                                    rx.el.div(rx.el.label(t("events_pages.cancel_reason"), html_for="ce-reason"),
                                              rx.el.input(id="ce-reason", name="reason", required=True,
                                                          max_length=500), class_name="field"),
                                    rx.el.button(t("events_pages.cancel_event"), type="submit",
                                                 class_name="button danger small"),
                                    on_submit=s.cancel_event,
                                ),
                            )),
                    class_name="actions",
                ),
                _roster(),
                rx.el.section(
                    rx.el.h2(t("events_pages.details")),
                    event_form(s.form, s.spaces, s.save, "common.save", prefix="f", key=s.version),
                    _photo(),
                ),
            ),
        ),
    )
