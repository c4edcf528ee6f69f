"""/admin/bookings (staff): the day's bookings with check-in status, previous/next day and a week
view (Monday to Sunday per space), the approval queue (counted, 10 a page, decided one by one or
many at once with one reason) beside the day's table on a laptop and after it on a phone, booking
on behalf of a member, cancelling with a reason, blocking a space for maintenance, and a member's
booking record (no-shows, quotas). The day and view are in the address (?date=2026-11-30&view=week),
so links work. Every action is audited by the service."""

import json
from datetime import date

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.queues import bulk_form, chosen_ids, pick_box, refusals
from hub_app.components.regions import scroll_region
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.domain.queues import BulkRefusal, step
from hub_app.i18n import format_date
from hub_app.pages.bookings import status_pill
from hub_app.services import booking_admin, booking_checkins, bookings, spaces
from hub_app.services.booking_admin import MemberRecord, WeekDay, WeekSpace
from hub_app.services.bookings import BookingRow
from hub_app.services.spaces import SpaceCard
from hub_app.state.i18n import page_title, t, tf, tp
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, go_to, page_load

_NO_RECORD = MemberRecord(id=0, name="", email="", no_shows=0, upcoming=0, hours_per_week=0, upcoming_bookings=0,
                          custom_quota=False)
VIEWS = ("day", "week")


class AdminBookingsState(SessionState):
    allowed: bool = True
    day: str = ""
    day_label: str = ""
    view: str = "day"
    rows: list[BookingRow] = []
    week_title: str = ""
    week_days: list[WeekDay] = []
    week_spaces: list[WeekSpace] = []
    queue: list[BookingRow] = []
    queue_total: int = 0
    queue_after: int = 0  # the shown queue page starts after this booking (0: the first page)
    queue_next: int = 0
    refused: list[BulkRefusal] = []
    space_rows: list[SpaceCard] = []
    record: MemberRecord = _NO_RECORD
    error: str = ""
    info: str = ""
    form_version: int = 0
    list_version: int = 0  # remounts the queue after each change, so no tick stays on a row that moved

    async def _reload(self) -> None:
        actor = await self._actor()
        try:
            if self.view == "week":
                week = await call(booking_admin.week_counts, actor, day=self.day or None)
                self.week_title, self.week_days, self.week_spaces = week.title, week.days, week.spaces
                self.rows = []
            else:
                self.rows = await call(booking_admin.day_bookings, actor, day=self.day or None)
            page = await call(booking_admin.approval_page, actor, after_id=self.queue_after)
            if not page.rows and self.queue_after:  # the page emptied: back to the first
                self.queue_after = 0
                page = await call(booking_admin.approval_page, actor)
            self.queue, self.queue_total, self.queue_next = page.rows, page.total, page.next_after_id
            self.space_rows = await call(spaces.list_spaces, actor, locale=self.lang)
            self.allowed = True
        except HubError as error:
            self.allowed, self.rows, self.queue, self.week_spaces = False, [], [], []
            self.error = self._error_text(error)
        self.day_label = format_date(date.fromisoformat(self.day), self.lang) if _is_day(self.day) else ""
        self.list_version += 1

    async def _act(self, function, **kwargs) -> bool:
        self.error = self.info = ""
        self.refused = []
        try:
            await call(function, await self._actor(), **kwargs)
        except HubError as error:
            self.error = self._error_text(error)
            return False
        self.info = self._t("admin.done_booking")
        self.form_version += 1
        await self._reload()
        return True

    def _address(self):
        """Keeps the day and view in the address bar (without a navigation), so the page can be linked."""
        path = f"/admin/bookings?date={self.day}" + ("&view=week" if self.view == "week" else "")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(path)})")

    async def _show(self, day: str, view: str):
        self.day, self.view = day, view
        self.error = self.info = ""
        await self._reload()
        if self.error:  # a day the service refused: back to today
            self.day, self.error = spaces.today_local().isoformat(), ""
            await self._reload()
        return self._address()

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        self.refused = []
        if await self._actor() is None:
            return go_to("/login?next=/admin/bookings")
        params = self.router.url.query_parameters
        day = str(params.get("date", ""))
        self.view = params.get("view") if params.get("view") in VIEWS else "day"
        self.day = day if _is_day(day) else spaces.today_local().isoformat()
        self.record = _NO_RECORD
        self.queue_after = 0
        await self._reload()
        if self.error and day:
            self.day, self.error = spaces.today_local().isoformat(), ""
            await self._reload()

    @rx.event
    async def show_day(self, form: dict):
        day = form_data(form).get("date", "")
        return await self._show(day if _is_day(day) else spaces.today_local().isoformat(), self.view)

    @rx.event
    async def step(self, direction: int):
        """Previous (-1) or next (1): a day in the day view, a week in the week view."""
        if direction not in (-1, 1) or isinstance(direction, bool) or not _is_day(self.day):
            return
        return await self._show(step(date.fromisoformat(self.day), self.view, direction).isoformat(), self.view)

    @rx.event
    async def today(self):
        return await self._show(spaces.today_local().isoformat(), self.view)

    @rx.event
    async def set_view(self, view: str):
        if view not in VIEWS:
            return
        return await self._show(self.day if _is_day(self.day) else spaces.today_local().isoformat(), view)

    @rx.event
    async def open_day(self, day: str):
        """A day of the week view: its table."""
        if not _is_day(day):
            return
        return await self._show(day, "day")

    @rx.event
    async def queue_page(self, after_id: int):
        """The queue's next page (after that booking) or, with 0, its first page."""
        if isinstance(after_id, bool) or not isinstance(after_id, int) or after_id not in (0, self.queue_next):
            return
        self.queue_after = after_id
        await self._reload()

    @rx.event
    async def decide_chosen(self, form: dict):
        """Approve or decline the ticked bookings of the queue with one reason."""
        data = form_data(form)
        self.error = self.info = ""
        self.refused = []
        decision = data.get("decision")
        outcome, self.error = await self._run(booking_admin.decide_many, booking_ids=chosen_ids(data),
                                              approve="1" if decision == "approve" else "0",
                                              reason=data.get("reason", ""))
        if outcome is not None:
            self.info = self._t("queues.summary.approve" if decision == "approve" else "queues.summary.decline",
                                done=outcome.done)
            self.refused = outcome.refused
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
        await self._act(booking_checkins.check_in, booking_id=booking_id)

    @rx.event
    async def book_for_member(self, form: dict):
        data = form_data(form)
        self.error = self.info = ""
        actor = await self._actor()
        try:
            record = await call(booking_admin.member_record, actor, email=data.get("email"))
            date_text = data.get("date") if isinstance(data.get("date"), str) else ""
            row = await call(bookings.book, actor, space_id=data.get("space_id"),
                             start=f"{date_text}T{data.get('start', '')}", end=f"{date_text}T{data.get('end', '')}",
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
        date_text = data.get("date") if isinstance(data.get("date"), str) else ""
        await self._act(bookings.block_space, space_id=data.get("space_id"),
                        start=f"{date_text}T{data.get('start', '')}", end=f"{date_text}T{data.get('end', '')}",
                        reason=data.get("reason"))

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


def _is_day(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


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
        rx.el.td(row.when, data_label=t("admin.col_when")), rx.el.td(row.space, data_label=t("field.space_id")),
        rx.el.td(row.member, data_label=t("admin.col_member")), rx.el.td(row.title, data_label=t("field.title")),
        rx.el.td(row.people, data_label=t("field.people")),
        rx.el.td(status_pill(row), " ",
                 rx.cond(row.checked_in, rx.el.span(t("bookings.checked_in_pill"), class_name="pill ok")),
                 rx.cond(row.no_show, rx.el.span(t("admin.no_show"), class_name="pill bad")),
                 data_label=t("admin.col_status")),
        rx.el.td(rx.el.div(
            rx.cond(row.can_check_in & (row.kind == "member"),
                    rx.el.button(t("bookings.check_in"), type="button", on_click=S.check_in(row.id),
                                 class_name="button small")),
            rx.cond(row.can_cancel, _reason_form(row, S.cancel, "bookings.cancel", [])),
            class_name="actions"), class_name="cell-actions"),
        data_testid="admin-booking-row",
    )


def _queue_row(row: BookingRow) -> rx.Component:
    S = AdminBookingsState
    return rx.el.li(
        rx.el.div(pick_box("bulk-bookings", row.id, row.member + " · " + row.space + " · " + row.when),
                  rx.el.div(rx.el.strong(row.member), " · ", row.title, rx.el.br(),
                            rx.el.small(row.space, " · ", row.when, " · ", row.people, " ", t("admin.people_short"),
                                        class_name="muted")), class_name="picked"),
        rx.el.div(
            rx.el.form(rx.el.input(type="hidden", name="booking_id", value=row.id),
                       rx.el.input(type="hidden", name="approve", value="1"),
                       rx.el.button(t("admin.approve"), type="submit", class_name="button small"), on_submit=S.decide),
            _reason_form(row, S.decide, "admin.decline", [rx.el.input(type="hidden", name="approve", value="0")]),
            class_name="actions"),
        data_testid="approval-row",
    )


def _queue() -> rx.Component:
    S = AdminBookingsState
    return rx.el.section(
        rx.el.h2(t("admin.approval_queue"), " ",
                 rx.el.span(tf("queues.waiting", count=S.queue_total), class_name="pill warn",
                            data_testid="queue-count")),
        rx.cond(S.queue.length() > 0, rx.fragment(
            bulk_form("bulk-bookings", S.decide_chosen, approve="approve", decline="decline",
                      hint_key="queues.bulk_hint_bookings"),
            refusals(S.refused),
            rx.el.ul(rx.foreach(S.queue, _queue_row), class_name="list", key=S.list_version),
            rx.el.p(tf("queues.queue_page", shown=S.queue.length(), total=S.queue_total), class_name="muted small"),
            rx.el.div(
                rx.cond(S.queue_after > 0, rx.el.button(t("common.first_page"), on_click=S.queue_page(0),
                                                        class_name="button ghost small")),
                rx.cond(S.queue_next > 0, rx.el.button(t("common.next_page"), on_click=S.queue_page(S.queue_next),
                                                       class_name="button ghost small")),
                class_name="actions")),
            rx.fragment(refusals(S.refused), rx.el.p(t("admin.queue_empty"), class_name="muted"))),
        id="queue", class_name="desk-queue",
    )


def _navigation() -> rx.Component:
    S = AdminBookingsState
    week = S.view == "week"
    return rx.el.div(
        rx.el.div(
            rx.el.button("‹ ", rx.cond(week, t("queues.prev_week"), t("queues.prev_day")), type="button",
                         on_click=S.step(-1), class_name="button ghost small"),
            rx.el.button(t("queues.today"), type="button", on_click=S.today, class_name="button ghost small"),
            rx.el.button(rx.cond(week, t("queues.next_week"), t("queues.next_day")), " ›", type="button",
                         on_click=S.step(1), class_name="button ghost small"),
            class_name="actions"),
        rx.el.div(
            rx.el.button(t("queues.view_day"), type="button", on_click=S.set_view("day"), aria_pressed=~week,
                         class_name=rx.cond(week, "chip", "chip is-current")),
            rx.el.button(t("queues.view_week"), type="button", on_click=S.set_view("week"), aria_pressed=week,
                         class_name=rx.cond(week, "chip is-current", "chip")),
            class_name="chips", role="group", aria_label=t("queues.view")),
        rx.el.form(rx.el.div(rx.el.label(t("admin.day_bookings"), html_for="ad-date"),
                             rx.el.input(id="ad-date", name="date", type="date", default_value=S.day),
                             class_name="field"),
                   rx.el.button(t("queues.show_date"), type="submit", class_name="button ghost"),
                   on_submit=S.show_day, reset_on_submit=False, key=S.day, class_name="filters"),
        class_name="desk-nav",
    )


def _day() -> rx.Component:
    S = AdminBookingsState
    return rx.fragment(
        rx.el.h2(S.day_label, data_testid="desk-day"),
        scroll_region(rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(t(key), scope="col") for key in (
                "admin.col_when", "field.space_id", "admin.col_member", "field.title", "field.people",
                "admin.col_status", "admin.col_actions")])),
            rx.el.tbody(rx.foreach(S.rows, _day_row))),
            label=t("booking.admin_title"), class_name="table-wrap cards-on-phone"),
        rx.cond(S.rows.length() == 0, rx.el.p(t("bookings.none"), class_name="muted")),
    )


def _week_row(row: WeekSpace) -> rx.Component:
    S = AdminBookingsState
    return rx.el.tr(
        rx.el.th(row.name, scope="row"),
        rx.foreach(row.counts, lambda count, number: rx.el.td(rx.el.button(
            rx.el.span(count, class_name="week-count"),
            rx.el.span(class_name="week-bar", style={"width": row.bars[number].to_string() + "%"}),
            type="button", on_click=S.open_day(S.week_days[number].date), class_name="week-cell",
            aria_label=tp("queues.week_cell", count, space=row.name, day=S.week_days[number].label)))),
        data_testid="week-row",
    )


def _week() -> rx.Component:
    S = AdminBookingsState
    return rx.fragment(
        rx.el.h2(S.week_title, data_testid="desk-week"),
        rx.el.p(t("queues.week_hint"), class_name="muted small"),
        scroll_region(rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th(t("queues.week_space"), scope="col"),
                                 rx.foreach(S.week_days, lambda d: rx.el.th(d.label, scope="col")))),
            rx.el.tbody(rx.foreach(S.week_spaces, _week_row)),
            rx.el.tfoot(rx.el.tr(rx.el.th(t("queues.week_total"), scope="row"),
                                 rx.foreach(S.week_days, lambda d: rx.el.td(d.total, class_name="week-total"))))),
            label=S.week_title, class_name="table-wrap week-table"),
        rx.cond(S.week_spaces.length() == 0, rx.el.p(t("queues.no_spaces"), class_name="muted")),
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
         on_load=AdminBookingsState.load)
def admin_bookings() -> rx.Component:
    S = AdminBookingsState
    return shell(
        rx.el.h1(t("booking.admin_title")),
        rx.el.p(rx.el.a(t("space.admin_title"), href="/admin/spaces"), " · ",
                rx.el.a(t("booking.day_title"), href="/book")),
        message(S.error),
        message(S.info, kind="ok"),
        rx.cond(S.allowed, rx.el.div(
            rx.el.p(rx.el.a(t("admin.approval_queue"), ": ", tf("queues.waiting", count=S.queue_total),
                            href="#queue"), class_name="show-phone"),
            rx.el.div(
                rx.el.section(_navigation(), rx.cond(S.view == "week", _week(), _day()), class_name="desk-main"),
                _queue(),
                class_name="desk-layout"),
            rx.el.div(_on_behalf(), _block(), class_name="grid two"),
            _record(),
            class_name="stack")),
    )
