"""/admin/spaces (staff): create, edit, deactivate spaces, their photos and booking rules; the
hub's opening hours; closures for the whole hub or one space. Every action is audited."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain.bookings import AMENITIES
from hub_app.domain.errors import HubError
from hub_app.i18n import CATALOGUE
from hub_app.pages.book import kind_options
from hub_app.pages.spaces import kind_label
from hub_app.services import spaces
from hub_app.services.spaces import ClosureRow, DayHours, SpaceCard
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, go_to, page_load

NEW_SPACE = {"kind": "meeting_room", "name_id": "", "name_en": "", "description_id": "", "description_en": "",
             "capacity": "6", "location": "", "location_en": "", "slot_minutes": "30", "min_minutes": "30",
             "max_minutes": "240", "advance_days": "30", "needs_approval": "", "active": "1",
             "required_training_id": ""}
WEEKDAYS = ("day.mon", "day.tue", "day.wed", "day.thu", "day.fri", "day.sat", "day.sun")


class AdminSpacesState(SessionState):
    allowed: bool = True
    rows: list[SpaceCard] = []
    hours: list[DayHours] = []
    closures: list[ClosureRow] = []
    editing: int = 0  # 0 = the form creates a new space
    values: dict[str, str] = {}
    amenities: list[str] = []
    photos: list[str] = []
    form_version: int = 0
    error: str = ""
    info: str = ""

    async def _reload(self) -> None:
        actor = await self._actor()
        try:
            self.rows = await call(spaces.list_spaces, actor, include_inactive=True, locale=self.lang)
            self.hours = await call(spaces.opening_hours)
            self.closures = await call(spaces.list_closures, actor, locale=self.lang)
            if self.editing:
                form = await call(spaces.space_form, actor, space_id=self.editing)
                self.values, self.amenities = form.values, form.amenities
                self.photos = (await call(spaces.get_space, actor, space_id=self.editing)).photos
            else:
                self.values, self.amenities, self.photos = dict(NEW_SPACE), [], []
            self.allowed = True
        except HubError as error:
            self.allowed = False
            self.error = self._error_text(error)
        self.form_version += 1

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        actor = await self._actor()
        if actor is None:
            return go_to("/login?next=/admin/spaces")
        if not actor.is_staff:
            self.allowed, self.error = False, self._t("admin.staff_only")
            return
        params = self.router.url.query_parameters
        space = str(params.get("space", ""))
        self.editing = int(space) if space.isdigit() and len(space) < 12 else 0
        outcome = params.get("photo", "")
        if outcome == "ok":
            self.info = self._t("space.photo_added")
        elif outcome in CATALOGUE and (outcome.startswith("error.") or outcome.startswith("space.error.")):
            self.error = self._t(outcome)
        await self._reload()

    @rx.event
    async def edit(self, space_id: int):
        self.error = self.info = ""
        self.editing = space_id if isinstance(space_id, int) and space_id > 0 else 0
        await self._reload()

    @rx.event
    async def new(self):
        self.editing = 0
        self.error = self.info = ""
        await self._reload()

    @rx.event
    async def save(self, form: dict):
        self.error = self.info = ""
        try:
            self.editing = await call(spaces.save_space, await self._actor(), form=form_data(form),
                                      space_id=self.editing or None)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("common.saved")
        await self._reload()

    @rx.event
    async def set_active(self, space_id: int, active: bool):
        self.error = self.info = ""
        try:
            await call(spaces.set_active, await self._actor(), space_id=space_id, active=active)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("common.saved")
        await self._reload()

    @rx.event
    async def remove_photo(self, index: int):
        self.error = self.info = ""
        try:
            await call(spaces.remove_photo, await self._actor(), space_id=self.editing, index=index)
        except HubError as error:
            self.error = self._error_text(error)
            return
        await self._reload()

    @rx.event
    async def save_hours(self, form: dict):
        self.error = self.info = ""
        try:
            self.hours = await call(spaces.save_opening_hours, await self._actor(), form=form_data(form))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("common.saved")

    @rx.event
    async def add_closure(self, form: dict):
        data = form_data(form)
        self.error = self.info = ""
        try:
            await call(spaces.add_closure, await self._actor(), first_day=data.get("first_day"),
                       last_day=data.get("last_day"), reason=data.get("reason"), space_id=data.get("space_id"),
                       start_time=data.get("start_time"), end_time=data.get("end_time"))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("common.saved")
        await self._reload()

    @rx.event
    async def remove_closure(self, closure_id: int):
        self.error = self.info = ""
        try:
            await call(spaces.remove_closure, await self._actor(), closure_id=closure_id)
        except HubError as error:
            self.error = self._error_text(error)
            return
        await self._reload()


def _field(label: str, name: str, **props) -> rx.Component:
    return rx.el.div(rx.el.label(t(label), html_for=f"s-{name}"),
                     rx.el.input(id=f"s-{name}", name=name, default_value=AdminSpacesState.values[name], **props),
                     class_name="field")


def _space_form() -> rx.Component:
    S = AdminSpacesState
    return rx.el.form(
        rx.el.h2(rx.cond(S.editing > 0, t("space.edit"), t("space.new"))),
        rx.el.div(rx.el.label(t("field.kind"), html_for="s-kind"),
                  rx.el.select(*[rx.el.option(t(key), value=value) for value, key in kind_options()], id="s-kind",
                               name="kind", default_value=S.values["kind"]), class_name="field"),
        _field("field.name_id", "name_id", required=True, max_length=100),
        _field("field.name_en", "name_en", max_length=100),
        rx.el.div(rx.el.label(t("field.description_id"), html_for="s-description_id"),
                  rx.el.textarea(id="s-description_id", name="description_id", max_length=2000, rows=3,
                                 default_value=S.values["description_id"]), class_name="field"),
        rx.el.div(rx.el.label(t("field.description_en"), html_for="s-description_en"),
                  rx.el.textarea(id="s-description_en", name="description_en", max_length=2000, rows=3,
                                 default_value=S.values["description_en"]), class_name="field"),
        rx.el.div(
            _field("field.capacity", "capacity", type="number", min=1, max=1000, required=True),
            _field("field.location", "location", max_length=100),
            _field("field.location_en", "location_en", max_length=100),
            rx.el.div(rx.el.label(t("field.slot_minutes"), html_for="s-slot_minutes"),
                      rx.el.select(rx.el.option("30", value="30"), rx.el.option("60", value="60"), id="s-slot_minutes",
                                   name="slot_minutes", default_value=S.values["slot_minutes"]), class_name="field"),
            _field("field.min_minutes", "min_minutes", type="number", min=30, step=30),
            _field("field.max_minutes", "max_minutes", type="number", min=30, step=30),
            _field("field.advance_days", "advance_days", type="number", min=1, max=365),
            _field("field.required_training_id", "required_training_id", type="number", min=1),
            class_name="grid two",
        ),
        rx.el.fieldset(
            rx.el.legend(t("field.amenity")),
            *[rx.el.div(rx.el.input(id=f"s-amenity-{name}", name=f"amenity_{name}", type="checkbox",
                                    default_checked=S.amenities.contains(name)),
                        rx.el.label(t(f"amenity.{name}"), html_for=f"s-amenity-{name}"), class_name="check")
              for name in AMENITIES],
            class_name="grid two",
        ),
        rx.el.div(rx.el.input(id="s-needs_approval", name="needs_approval", type="checkbox",
                              default_checked=S.values["needs_approval"] != ""),
                  rx.el.label(t("field.needs_approval"), html_for="s-needs_approval"), class_name="check"),
        rx.el.div(rx.el.input(id="s-active", name="active", type="checkbox",
                              default_checked=S.values["active"] != ""),
                  rx.el.label(t("field.active"), html_for="s-active"), class_name="check"),
        rx.el.div(rx.el.button(t("common.save"), type="submit", class_name="button"),
                  rx.cond(S.editing > 0, rx.el.button(t("space.new"), type="button", on_click=S.new,
                                                      class_name="button ghost")),
                  class_name="actions"),
        on_submit=S.save, reset_on_submit=False, key=S.form_version, class_name="card",
    )


def _photos() -> rx.Component:
    S = AdminSpacesState
    return rx.cond(S.editing > 0, rx.el.section(
        rx.el.h2(t("field.photo")),
        rx.el.div(rx.foreach(S.photos, lambda url, index: rx.el.figure(
            rx.el.img(src=url, alt="", width="240", height="135"),
            rx.el.button(t("space.remove_photo"), type="button", on_click=S.remove_photo(index),
                         class_name="button ghost small"))), class_name="photos"),
        rx.el.form(
            rx.el.div(rx.el.label(t("field.photo"), html_for="s-photo"),
                      rx.el.input(id="s-photo", name="photo", type="file", accept="image/png,image/jpeg,image/webp",
                                  required=True), class_name="field"),
            rx.el.button(t("space.upload_photo"), type="submit", class_name="button ghost"),
            action="/api/spaces/" + S.editing.to_string() + "/photos", method="post", enc_type="multipart/form-data",
        ),
        class_name="card",
    ))


def _hours() -> rx.Component:
    S = AdminSpacesState
    return rx.el.form(
        rx.el.h2(t("space.hours_title")),
        rx.el.p(t("space.hours_lead"), class_name="muted"),
        rx.foreach(S.hours, lambda day: rx.el.div(
            rx.el.strong(rx.match(day.weekday, *[(i, t(key)) for i, key in enumerate(WEEKDAYS)], "")),
            rx.el.label(t("space.opens"), html_for="h-open-" + day.weekday.to_string(), class_name="sr-only"),
            rx.el.input(id="h-open-" + day.weekday.to_string(), name="opens_" + day.weekday.to_string(), type="time",
                        step=1800, default_value=day.opens),
            rx.el.label(t("space.closes"), html_for="h-close-" + day.weekday.to_string(), class_name="sr-only"),
            rx.el.input(id="h-close-" + day.weekday.to_string(), name="closes_" + day.weekday.to_string(),
                        type="time", step=1800, default_value=day.closes),
            class_name="row")),
        rx.el.button(t("common.save"), type="submit", class_name="button"),
        on_submit=S.save_hours, reset_on_submit=False, key=S.form_version, class_name="card stack",
    )


def _closures() -> rx.Component:
    S = AdminSpacesState
    return rx.el.section(
        rx.el.h2(t("space.closures_title")),
        rx.el.ul(rx.foreach(S.closures, lambda c: rx.el.li(
            rx.el.div(rx.el.div(rx.el.strong(c.reason), rx.el.br(),
                                rx.el.small(c.when, " · ", rx.cond(c.space != "", c.space, t("space.whole_hub")),
                                            class_name="muted")),
                      rx.el.button(t("space.remove_closure"), type="button", on_click=S.remove_closure(c.id),
                                   class_name="button ghost small"), class_name="row"))), class_name="list"),
        rx.el.form(
            rx.el.h3(t("space.add_closure")),
            rx.el.div(
                rx.el.div(rx.el.label(t("field.first_day"), html_for="c-first"),
                          rx.el.input(id="c-first", name="first_day", type="date", required=True), class_name="field"),
                rx.el.div(rx.el.label(t("field.last_day"), html_for="c-last"),
                          rx.el.input(id="c-last", name="last_day", type="date"), class_name="field"),
                rx.el.div(rx.el.label(t("field.start_time"), html_for="c-from"),
                          rx.el.input(id="c-from", name="start_time", type="time", step=1800), class_name="field"),
                rx.el.div(rx.el.label(t("field.end_time"), html_for="c-to"),
                          rx.el.input(id="c-to", name="end_time", type="time", step=1800), class_name="field"),
                class_name="grid two"),
            rx.el.div(rx.el.label(t("field.space_id"), html_for="c-space"),
                      rx.el.select(rx.el.option(t("space.whole_hub"), value=""),
                                   rx.foreach(S.rows, lambda s: rx.el.option(s.name, value=s.id)), id="c-space",
                                   name="space_id"), class_name="field"),
            rx.el.div(rx.el.label(t("field.reason"), html_for="c-reason"),
                      rx.el.input(id="c-reason", name="reason", required=True, max_length=200), class_name="field"),
            rx.el.button(t("space.add_closure"), type="submit", class_name="button"),
            on_submit=S.add_closure, class_name="card",
        ),
    )


def _row(space: SpaceCard) -> rx.Component:
    S = AdminSpacesState
    return rx.el.li(
        rx.el.div(
            rx.el.div(rx.el.strong(space.name), rx.el.br(),
                      rx.el.small(kind_label(space.kind), " · ", space.capacity, class_name="muted")),
            rx.el.span(rx.cond(space.active, t("status.active"), t("space.inactive")),
                       class_name=rx.cond(space.active, "pill ok", "pill bad")),
            class_name="row"),
        rx.el.div(
            rx.el.button(t("space.edit"), type="button", on_click=S.edit(space.id), class_name="button ghost small"),
            rx.cond(space.active,
                    rx.el.button(t("space.deactivate"), type="button", on_click=S.set_active(space.id, False),
                                 class_name="button ghost small"),
                    rx.el.button(t("space.activate"), type="button", on_click=S.set_active(space.id, True),
                                 class_name="button ghost small")),
            rx.el.a(t("space.qr"), href="/checkin/" + space.id.to_string(), class_name="button ghost small"),
            rx.el.a(t("spaces.see_calendar"), href="/spaces/" + space.id.to_string(), class_name="button ghost small"),
            class_name="actions"),
        data_testid="admin-space-row",
    )


@rx.page(route="/admin/spaces", title=page_title("title.admin_spaces"),
         on_load=AdminSpacesState.load)
def admin_spaces() -> rx.Component:
    S = AdminSpacesState
    return shell(
        rx.el.h1(t("space.admin_title")),
        rx.el.p(rx.el.a(t("booking.admin_title"), href="/admin/bookings")),
        message(S.error),
        message(S.info, kind="ok"),
        rx.cond(S.allowed, rx.el.div(
            rx.el.div(rx.el.section(rx.el.h2(t("spaces.title")), rx.el.ul(rx.foreach(S.rows, _row), class_name="list")),
                      rx.el.div(_space_form(), _photos(), class_name="stack"), class_name="grid two"),
            rx.el.div(_hours(), _closures(), class_name="grid two"),
            class_name="stack")),
    )
