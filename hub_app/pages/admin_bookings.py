"""/admin/bookings (staff): the day's bookings with check-in status, the approval queue, booking on
behalf of a member, cancelling with a reason, blocking a space for maintenance, and a member's
booking record (no-shows, quotas). Every action is audited by the service."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.regions import scroll_region
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.pages.bookings import status_pill
from hub_app.services import booking_admin, bookings, spaces
from hub_app.services.booking_admin import MemberRecord
from hub_app.services.bookings import BookingRow
from hub_app.services.spaces import SpaceCard
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, go_to

_NO_RECORD = MemberRecord(id=0, name="", email="", no_shows=0, upcoming=0, hours_per_week=0, upcoming_bookings=0,
                          custom_quota=False)


class AdminBookingsState(SessionState):
    allowed: bool = True
    day: str = ""
    rows: list[BookingRow] = []
    queue: list[BookingRow] = []
    space_rows: list[SpaceCard] = []
    record: MemberRecord = _NO_RECORD
    error: str = ""
    info: str = ""
    form_version: int = 0

    async def _reload(self) -> None:
        actor = await self._actor()
        try:
            self.rows = await call(booking_admin.day_bookings, actor, day=self.day or None)
            self.queue = await call(booking_admin.approval_queue, actor)
            self.space_rows = await call(spaces.list_spaces, actor, locale=self.lang)
            self.allowed = True
        except HubError as error:
            self.allowed, self.rows, self.queue = False, [], []
            self.error = self._error_text(error)

    async def _act(self, function, **kwargs) -> bool:
        self.error = self.info = ""
        try:
            await call(function, await self._actor(), **kwargs)
        except HubError as error:
            self.error = self._error_text(error)
            return False
        self.info = self._t("admin.done_booking")
        self.form_version += 1
        await self._reload()
        return True

    @rx.event
    async def load(self):
        self.error = self.info = ""
        if await self._actor() is None:
            return go_to("/login?next=/admin/bookings")
        day = str(self.router.url.query_parameters.get("date", ""))
        self.day = day if len(day) == 10 else spaces.today_local().isoformat()
        self.record = _NO_RECORD
        await self._reload()
        if self.error and day:
            self.day, self.error = spaces.today_local().isoformat(), ""
            await self._reload()

    @rx.event
    async def show_day(self, form: dict):
        day = form_data(form).get("date", "")
        self.day = day if isinstance(day, str) and len(day) == 10 else ""
        self.error = self.info = ""
        await self._reload()

    @rx.event
    async def decide(self, form: dict):
        data = form_data(form)
        await self._act(bookings.decide, booking_id=data.get("booking_id"), approve=data.get("approve"),
                        reason=data.get("reason", ""))

    @rx.event
    async def cancel(self, form: dict):
        data = form_data(form)
        await self._act(bookings.cancel, booking_id=data.get("booking_id"), reason=data.get("reason", ""))

    @rx.event
    async def check_in(self, booking_id: int):
        await self._act(bookings.check_in, booking_id=booking_id)

    @rx.event
    async def book_for_member(self, form: dict):
        data = form_data(form)
        self.error = self.info = ""
        actor = await self._actor()
        try:
            record = await call(booking_admin.member_record, actor, email=data.get("email"))
            date = data.get("date") if isinstance(data.get("date"), str) else ""
            row = await call(bookings.book, actor, space_id=data.get("space_id"),
                             start=f"{date}T{data.get('start', '')}", end=f"{date}T{data.get('end', '')}",
                             title=data.get("title"), people=data.get("people") or 1, member_id=record.id)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("booking.done", space=row.space, when=row.when)
        self.form_version += 1
        await self._reload()

    @rx.event
    async def block(self, form: dict):
        data = form_data(form)
        date = data.get("date") if isinstance(data.get("date"), str) else ""
        await self._act(bookings.block_space, space_id=data.get("space_id"), start=f"{date}T{data.get('start', '')}",
                        end=f"{date}T{data.get('end', '')}", reason=data.get("reason"))

    @rx.event
    async def find_member(self, form: dict):
        self.error = self.info = ""
        try:
            self.record = await call(booking_admin.member_record, await self._actor(),
                                     email=form_data(form).get("email"))
        except HubError as error:
            self.record, self.error = _NO_RECORD, self._error_text(error)

    @rx.event
    async def set_quota(self, form: dict):
        data = form_data(form)
        self.error = self.info = ""
        try:
            self.record = await call(booking_admin.set_quota, await self._actor(), member_id=self.record.id,
                                     hours_per_week=data.get("hours_per_week"),
                                     upcoming_bookings=data.get("upcoming_bookings"))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("common.saved")


def _reason_form(row: BookingRow, handler, label_key: str, extra: list, *, danger: bool = True) -> rx.Component:
    prefix = label_key.replace(".", "-")
    return rx.el.details(
        rx.el.summary(t(label_key), class_name="button ghost small"),
        rx.el.form(
            rx.el.input(type="hidden", name="booking_id", value=row.id), *extra,
            rx.el.div(rx.el.label(t("field.reason"), html_for=f"{prefix}-" + row.id.to_string()),
                      rx.el.input(id=f"{prefix}-" + row.id.to_string(), name="reason", required=True, max_length=500),
                      class_name="field"),
            rx.el.button(t(label_key), type="submit", class_name="button small danger" if danger else "button small"),
            on_submit=handler,
        ),
    )


def _day_row(row: BookingRow) -> rx.Component:
    S = AdminBookingsState
    return rx.el.tr(
        rx.el.td(row.when), rx.el.td(row.space), rx.el.td(row.member), rx.el.td(row.title), rx.el.td(row.people),
        rx.el.td(status_pill(row), " ",
                 rx.cond(row.checked_in, rx.el.span(t("bookings.checked_in_pill"), class_name="pill ok")),
                 rx.cond(row.no_show, rx.el.span(t("admin.no_show"), class_name="pill bad"))),
        rx.el.td(rx.el.div(
            rx.cond(row.can_check_in & (row.kind == "member"),
                    rx.el.button(t("bookings.check_in"), type="button", on_click=S.check_in(row.id),
                                 class_name="button small")),
            rx.cond(row.can_cancel, _reason_form(row, S.cancel, "bookings.cancel", [])),
            class_name="actions")),
        data_testid="admin-booking-row",
    )


def _queue_row(row: BookingRow) -> rx.Component:
    S = AdminBookingsState
    return rx.el.li(
        rx.el.div(rx.el.div(rx.el.strong(row.member), " · ", row.title, rx.el.br(),
                            rx.el.small(row.space, " · ", row.when, " · ", row.people, " ", t("admin.people_short"),
                                        class_name="muted")), class_name="row"),
        rx.el.div(
            rx.el.form(rx.el.input(type="hidden", name="booking_id", value=row.id),
                       rx.el.input(type="hidden", name="approve", value="1"),
                       rx.el.button(t("admin.approve"), type="submit", class_name="button small"), on_submit=S.decide),
            _reason_form(row, S.decide, "admin.decline", [rx.el.input(type="hidden", name="approve", value="0")]),
            class_name="actions"),
        data_testid="approval-row",
    )


def _space_select(name_id: str) -> rx.Component:
    return rx.el.div(rx.el.label(t("field.space_id"), html_for=name_id),
                     rx.el.select(rx.foreach(AdminBookingsState.space_rows,
                                             lambda s: rx.el.option(s.name, value=s.id)),
                                  id=name_id, name="space_id", required=True), class_name="field")


def _time_fields(prefix: str) -> list[rx.Component]:
    return [
        rx.el.div(rx.el.label(t("field.date"), html_for=f"{prefix}-date"),
                  rx.el.input(id=f"{prefix}-date", name="date", type="date", required=True), class_name="field"),
        rx.el.div(rx.el.label(t("field.start"), html_for=f"{prefix}-start"),
                  rx.el.input(id=f"{prefix}-start", name="start", type="time", step=1800, required=True),
                  class_name="field"),
        rx.el.div(rx.el.label(t("field.end"), html_for=f"{prefix}-end"),
                  rx.el.input(id=f"{prefix}-end", name="end", type="time", step=1800, required=True),
                  class_name="field"),
    ]


def _on_behalf() -> rx.Component:
    S = AdminBookingsState
    return rx.el.form(
        rx.el.h2(t("admin.book_on_behalf")),
        rx.el.div(rx.el.label(t("field.email"), html_for="ob-email"),
                  rx.el.input(id="ob-email", name="email", type="email", required=True), class_name="field"),
        _space_select("ob-space"), rx.el.div(*_time_fields("ob"), class_name="grid three"),
        rx.el.div(rx.el.label(t("field.title"), html_for="ob-title"),
                  rx.el.input(id="ob-title", name="title", required=True, max_length=120), class_name="field"),
        rx.el.div(rx.el.label(t("field.people"), html_for="ob-people"),
                  rx.el.input(id="ob-people", name="people", type="number", min=1, default_value="1"),
                  class_name="field"),
        rx.el.button(t("booking.submit"), type="submit", class_name="button"),
        on_submit=S.book_for_member, key=S.form_version, class_name="card",
    )


def _block() -> rx.Component:
    S = AdminBookingsState
    return rx.el.form(
        rx.el.h2(t("admin.block_space")),
        _space_select("bl-space"), rx.el.div(*_time_fields("bl"), class_name="grid three"),
        rx.el.div(rx.el.label(t("field.reason"), html_for="bl-reason"),
                  rx.el.input(id="bl-reason", name="reason", required=True, max_length=120), class_name="field"),
        rx.el.button(t("admin.block_space"), type="submit", class_name="button danger"),
        on_submit=S.block, key=S.form_version, class_name="card",
    )


def _record() -> rx.Component:
    S = AdminBookingsState
    return rx.el.section(
        rx.el.h2(t("admin.member_record")),
        rx.el.form(rx.el.div(rx.el.label(t("field.email"), html_for="mr-email"),
                             rx.el.input(id="mr-email", name="email", type="email", required=True), class_name="field"),
                   rx.el.button(t("common.search"), type="submit", class_name="button ghost"),
                   on_submit=S.find_member, reset_on_submit=False, class_name="filters"),
        rx.cond(S.record.id > 0, rx.el.div(
            rx.el.p(rx.el.strong(S.record.name), " · ", S.record.email),
            rx.el.p(t("admin.no_shows"), ": ", rx.el.strong(S.record.no_shows, data_testid="no-show-count"), " · ",
                    t("bookings.upcoming"), ": ", S.record.upcoming),
            rx.el.form(
                rx.el.div(rx.el.label(t("field.hours_per_week"), html_for="q-hours"),
                          rx.el.input(id="q-hours", name="hours_per_week", type="number", min=0, max=168,
                                      default_value=S.record.hours_per_week.to_string()), class_name="field"),
                rx.el.div(rx.el.label(t("field.upcoming_bookings"), html_for="q-upcoming"),
                          rx.el.input(id="q-upcoming", name="upcoming_bookings", type="number", min=0, max=500,
                                      default_value=S.record.upcoming_bookings.to_string()), class_name="field"),
                rx.el.small(t("admin.quota_hint"), class_name="hint"),
                rx.el.button(t("common.save"), type="submit", class_name="button"),
                on_submit=S.set_quota, reset_on_submit=False, key=S.record.id, class_name="stack"),
            class_name="card")),
    )


@rx.page(route="/admin/bookings", title=page_title("title.admin_bookings"),
         on_load=[SessionState.load_shell, AdminBookingsState.load])
def admin_bookings() -> rx.Component:
    S = AdminBookingsState
    return shell(
        rx.el.h1(t("booking.admin_title")),
        rx.el.p(rx.el.a(t("space.admin_title"), href="/admin/spaces"), " · ",
                rx.el.a(t("booking.day_title"), href="/book")),
        message(S.error),
        message(S.info, kind="ok"),
        rx.cond(S.allowed, rx.el.div(
            rx.el.section(rx.el.h2(t("admin.approval_queue")),
                          rx.cond(S.queue.length() > 0, rx.el.ul(rx.foreach(S.queue, _queue_row), class_name="list"),
                                  rx.el.p(t("admin.queue_empty"), class_name="muted"))),
            rx.el.section(
                rx.el.form(rx.el.div(rx.el.label(t("admin.day_bookings"), html_for="ad-date"),
                                     rx.el.input(id="ad-date", name="date", type="date", default_value=S.day),
                                     class_name="field"),
                           rx.el.button(t("common.search"), type="submit", class_name="button ghost"),
                           on_submit=S.show_day, reset_on_submit=False, class_name="filters"),
                scroll_region(rx.el.table(
                    rx.el.thead(rx.el.tr(*[rx.el.th(t(key)) for key in (
                        "admin.col_when", "field.space_id", "admin.col_member", "field.title", "field.people",
                        "admin.col_status", "admin.col_actions")])),
                    rx.el.tbody(rx.foreach(S.rows, _day_row))),
                    label=t("booking.admin_title"), class_name="table-wrap"),
                rx.cond(S.rows.length() == 0, rx.el.p(t("bookings.none"), class_name="muted")),
            ),
            rx.el.div(_on_behalf(), _block(), class_name="grid two"),
            _record(),
            class_name="stack")),
    )
