"""/book: the day view across spaces (laptop: spaces as columns, time as rows; phone: an agenda
with a date strip and tappable free slots), the booking form, and the live update.

CalendarState also drives the week view of one space on /spaces/<id> (pages/spaces.py).

Live: while a calendar is open, a background event checks a cheap fingerprint of the visible
window (max updated_at and count of its bookings) every few seconds, in a worker thread, and
reloads the cells only when it changed. It stops when the page is left or reloaded (a new watch
id), the socket is gone, or after a few hours. With Redis and several workers it runs on the
worker that holds this browser's socket; the database is what all workers share.
"""

import asyncio
import secrets
import time

import reflex as rx

from hub_app.components.calendar import calendar_grid, date_strip, legend
from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain.bookings import SPACE_KINDS
from hub_app.domain.errors import HubError
from hub_app.services import booking_calendar, bookings
from hub_app.services.booking_calendar import CalendarCell, DayChip
from hub_app.services.bookings import OccurrencePreview
from hub_app.state.i18n import t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, go_to

WATCH_SECONDS = 2.5
WATCH_MAX_SECONDS = 4 * 3600


async def _socket_connected(token: str) -> bool:
    """Whether this browser's socket is still open (any worker, with Redis); True if unknown."""
    try:
        from reflex_base.registry import RegistrationContext

        namespace = RegistrationContext.get().app.event_namespace
        return namespace is None or await namespace._token_manager.is_token_connected(token)
    except Exception:  # an internal API that may move: fall back on the watch id and the time limit
        return True


class CalendarState(SessionState):
    mode: str = "day"  # day | week
    week_space_id: int = 0
    kind_filter: str = ""
    day: str = ""
    title: str = ""
    cells: list[CalendarCell] = []
    days: list[DayChip] = []
    columns: int = 0
    rows: int = 0
    closed: bool = False
    previous_day: str = ""
    next_day: str = ""
    error: str = ""
    info: str = ""
    live: bool = False
    # The booking form, filled by a tap on a free slot.
    form_open: bool = False
    sel_space_id: int = 0
    sel_space: str = ""
    sel_start: str = ""
    sel_start_label: str = ""
    sel_ends: list[list[str]] = []
    sel_capacity: int = 1
    sel_needs_approval: bool = False
    sel_is_desk: bool = False
    form_error: str = ""
    form_version: int = 0
    preview: list[OccurrencePreview] = []
    _preview_key: str = ""
    _window_start: str = ""
    _window_end: str = ""
    _version: str = ""
    _watch_id: str = ""
    _watch_running: str = ""

    async def _reload(self) -> None:
        actor = await self._actor()
        try:
            if self.mode == "week":
                view = await call(booking_calendar.calendar_week, actor, space_id=self.week_space_id,
                                  day=self.day or None, locale=self.lang)
            else:
                view = await call(booking_calendar.calendar_day, actor, day=self.day or None, kind=self.kind_filter,
                                  locale=self.lang)
        except HubError as error:
            self.error = self._error_text(error)
            self.cells, self.days = [], []
            return
        self.day, self.title, self.cells, self.days = view.day, view.title, view.cells, view.days
        self.columns, self.rows, self.closed = view.columns, view.rows, view.closed
        self.previous_day, self.next_day = view.previous, view.next
        self._window_start, self._window_end, self._version = view.window_start, view.window_end, view.version

    def _start_watch(self):
        self._watch_id = secrets.token_hex(8)
        return CalendarState.watch(self._watch_id)

    def _reset_form(self) -> None:
        self.form_open = False
        self.form_error = ""
        self.preview = []
        self._preview_key = ""

    @rx.event
    async def load_day(self):
        """/book?date=YYYY-MM-DD&kind=meeting_room"""
        params = self.router.url.query_parameters
        self.mode, self.error, self.info = "day", "", ""
        self.day = str(params.get("date", ""))[:10]
        self.kind_filter = params.get("kind", "") if params.get("kind") in SPACE_KINDS else ""
        self._reset_form()
        await self._reload()
        if self.error and self.day:
            self.day, self.error = "", ""
            await self._reload()
        return self._start_watch()

    @rx.event
    async def load_week(self):
        """/spaces/<id>?date=YYYY-MM-DD: the week of one space."""
        segment = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self.mode, self.error, self.info = "week", "", ""
        self.week_space_id = int(segment) if segment.isdigit() and len(segment) < 12 else 0
        self.day = str(self.router.url.query_parameters.get("date", ""))[:10]
        self._reset_form()
        await self._reload()
        if self.error and self.day:
            self.day, self.error = "", ""
            await self._reload()
        return self._start_watch()

    @rx.event
    async def go_day(self, day: str):
        if not isinstance(day, str) or len(day) != 10:
            return
        self.day, self.error, self.info = day, "", ""
        self._reset_form()
        await self._reload()

    @rx.event
    async def set_kind(self, kind: str):
        self.kind_filter = kind if kind in SPACE_KINDS else ""
        await self._reload()

    @rx.event
    def stop_watch(self):
        self._watch_id = ""

    @rx.event(background=True)
    async def watch(self, watch_id: str):
        """Polls the visible window's fingerprint while this page is open; reloads on change."""
        async with self:
            if not isinstance(watch_id, str) or watch_id != self._watch_id or self._watch_running == watch_id:
                return
            self._watch_running = watch_id
            self.live = True
            token = self.router.session.client_token
        started = time.monotonic()
        try:
            while time.monotonic() - started < WATCH_MAX_SECONDS:
                await asyncio.sleep(WATCH_SECONDS)
                async with self:
                    if self._watch_id != watch_id:
                        return
                    window = (self._window_start, self._window_end, self._version)
                if not window[0] or not await _socket_connected(token):
                    return
                current = await call(booking_calendar.window_version, window_start=window[0], window_end=window[1])
                if current != window[2]:
                    async with self:
                        if self._watch_id != watch_id:
                            return
                        await self._reload()
        finally:
            async with self:
                if self._watch_running == watch_id:
                    self._watch_running = ""
                    self.live = False

    @rx.event
    async def pick(self, space_id: int, start: str):
        """A tap on a free slot: open the form with the end times that fit."""
        self.form_error = self.info = ""
        try:
            choice = await call(booking_calendar.booking_choice, await self._actor(), space_id=space_id, start=start,
                                locale=self.lang)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.error = ""
        self.sel_space_id, self.sel_space, self.sel_start = choice.space_id, choice.space, choice.start
        self.sel_start_label, self.sel_ends, self.sel_capacity = choice.start_label, choice.ends, choice.capacity
        self.sel_needs_approval, self.sel_is_desk = choice.needs_approval, choice.kind == "desk_area"
        self.preview, self._preview_key = [], ""
        self.form_open = True
        self.form_version += 1
        return rx.call_script("document.getElementById('booking-form')?.scrollIntoView({block: 'center'})")

    @rx.event
    def close_form(self):
        self._reset_form()

    @rx.event
    async def submit(self, form: dict):
        data = form_data(form)
        self.form_error = self.info = ""
        actor = await self._actor()
        if actor is None:
            return go_to(f"/login?next={self.router.url.path}")
        repeat = data.get("repeat") or ""
        common = dict(space_id=self.sel_space_id, start=self.sel_start, end=data.get("end"),
                      title=data.get("title"), people=data.get("people") or 1, note=data.get("note", ""))
        try:
            if repeat in ("daily", "weekly"):
                series = dict(frequency=repeat, count=data.get("count") or None, until=data.get("until") or None)
                key = repr(sorted({**common, **series}.items(), key=lambda item: item[0]))
                if key != self._preview_key:
                    self.preview = await call(bookings.preview_series, actor, **{
                        k: v for k, v in {**common, **series}.items() if k not in ("title", "note")})
                    self._preview_key = key
                    self.info = self._t("booking.preview_lead")
                    return
                result = await call(bookings.book_series, actor, **common, **series,
                                    skip_conflicts=data.get("skip_conflicts"))
                self.info = self._t("booking.series_done", created=result.created, skipped=len(result.skipped))
            else:
                row = await call(bookings.book, actor, **common)
                self.info = self._t("booking.pending_done" if row.status == "pending" else "booking.done",
                                    space=row.space, when=row.when)
        except HubError as error:
            self.form_error = self._error_text(error)
            return
        self._reset_form()
        await self._reload()


def kind_options() -> list[tuple[str, str]]:
    return [(kind, f"space.kind.{kind}") for kind in SPACE_KINDS]


def booking_form() -> rx.Component:
    S = CalendarState
    return rx.cond(
        S.form_open,
        rx.el.form(
            rx.el.div(rx.el.h2(t("booking.form_title")),
                      rx.el.button(rx.icon("x", size=20, aria_hidden="true"), rx.el.span(t("common.cancel"),
                                   class_name="sr-only"), type="button", on_click=S.close_form,
                                   class_name="button ghost small"), class_name="row"),
            rx.el.p(rx.el.strong(S.sel_space), " · ", S.sel_start_label, data_testid="booking-choice"),
            rx.cond(S.sel_needs_approval, rx.el.p(t("booking.needs_approval_note"), class_name="notice")),
            rx.el.div(rx.el.label(t("field.end"), html_for="f-end"),
                      rx.el.select(rx.foreach(S.sel_ends, lambda end: rx.el.option(end[1], value=end[0])),
                                   id="f-end", name="end"), class_name="field"),
            rx.el.div(rx.el.label(t("field.title"), html_for="f-title"),
                      rx.el.input(id="f-title", name="title", required=True, max_length=120,
                                  placeholder=t("booking.title_placeholder")), class_name="field"),
            rx.el.div(rx.el.label(rx.cond(S.sel_is_desk, t("booking.seats"), t("field.people")), html_for="f-people"),
                      rx.el.input(id="f-people", name="people", type="number", min=1, max=S.sel_capacity,
                                  default_value="1", required=True),
                      rx.el.small(t("booking.up_to"), " ", S.sel_capacity, class_name="hint"), class_name="field"),
            rx.el.div(rx.el.label(t("field.note"), html_for="f-note"),
                      rx.el.textarea(id="f-note", name="note", max_length=500, rows=2), class_name="field"),
            rx.el.details(
                rx.el.summary(t("booking.repeat_title")),
                rx.el.div(rx.el.label(t("field.frequency"), html_for="f-repeat"),
                          rx.el.select(rx.el.option(t("booking.repeat_none"), value=""),
                                       rx.el.option(t("booking.repeat_daily"), value="daily"),
                                       rx.el.option(t("booking.repeat_weekly"), value="weekly"),
                                       id="f-repeat", name="repeat"), class_name="field"),
                rx.el.div(rx.el.label(t("field.count"), html_for="f-count"),
                          rx.el.input(id="f-count", name="count", type="number", min=1, max=52), class_name="field"),
                rx.el.div(rx.el.label(t("field.until"), html_for="f-until"),
                          rx.el.input(id="f-until", name="until", type="date"), class_name="field"),
                rx.el.div(rx.el.input(id="f-skip", name="skip_conflicts", type="checkbox"),
                          rx.el.label(t("booking.skip_conflicts"), html_for="f-skip"), class_name="check"),
                rx.cond(S.preview.length() > 0, rx.el.ul(rx.foreach(S.preview, lambda p: rx.el.li(
                    p.label, rx.cond(p.problem != "", rx.el.span(" — ", p.problem, class_name="pill bad"),
                                     rx.el.span(" — ", t("calendar.free"), class_name="pill ok")),
                    data_testid="series-date")), class_name="list")),
            ),
            message(S.form_error),
            rx.el.button(rx.cond(S.preview.length() > 0, t("booking.confirm_series"), t("booking.submit")),
                         type="submit", class_name="button"),
            on_submit=S.submit, reset_on_submit=False, key=S.form_version, id="booking-form",
            class_name="card booking-form stack",
        ),
    )


def calendar_block(min_column: str = "7.5rem") -> rx.Component:
    S = CalendarState
    return rx.el.section(
        date_strip(S.days, S.go_day),
        rx.el.div(
            rx.el.button(rx.icon("chevron-left", size=18, aria_hidden="true"),
                         rx.el.span(t("calendar.previous"), class_name="hide-phone"), type="button",
                         on_click=S.go_day(S.previous_day), class_name="button ghost small",
                         aria_label=t("calendar.previous")),
            rx.el.h2(S.title, class_name="cal-title"),
            rx.el.button(rx.el.span(t("calendar.next"), class_name="hide-phone"),
                         rx.icon("chevron-right", size=18, aria_hidden="true"), type="button",
                         on_click=S.go_day(S.next_day), class_name="button ghost small", aria_label=t("calendar.next")),
            class_name="cal-toolbar",
        ),
        legend(),
        message(S.error),
        message(S.info, kind="ok"),
        booking_form(),
        rx.cond(S.closed, rx.el.p(t("calendar.closed_day"), class_name="notice")),
        rx.el.div(calendar_grid(S.cells, S.columns, S.rows, S.pick, min_column=min_column), class_name="cal-scroll"),
        rx.el.p(rx.cond(S.live, t("calendar.live"), ""), class_name="muted", aria_live="polite"),
        on_unmount=S.stop_watch,
    )


@rx.page(route="/book", title="Pesan ruang · Jakarta Future City Hub",
         on_load=[SessionState.load_shell, CalendarState.load_day])
def book() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("booking.day_title")),
            rx.el.div(
                rx.el.label(t("field.kind"), html_for="f-kind"),
                rx.el.select(rx.el.option(t("common.all"), value=""),
                             *[rx.el.option(t(key), value=value) for value, key in kind_options()],
                             id="f-kind", value=CalendarState.kind_filter,
                             on_change=CalendarState.set_kind),
                class_name="field",
            ),
            rx.el.p(rx.el.a(t("booking.see_spaces"), href="/spaces"), " · ",
                    rx.el.a(t("nav.bookings"), href="/bookings")),
            class_name="book-head",
        ),
        calendar_block(),
    )
