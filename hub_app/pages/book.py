"""/book: the day view across spaces (laptop: spaces as columns, time as rows; phone: per space only
its free start times for the chosen length, with a date strip), the booking form, and the live update.

A phone member books in a few taps: /book opens on the first day with time left (saying why when it
skips today), 60 minutes is the chosen length where allowed, a tap on a start time opens the form
with the end already set, and why a member cannot book there (membership, a required training, a
quota) is said before any form. A visitor who taps a time signs in and comes back to the same day,
space and time with the form open (all of it is in the address).

CalendarState also drives the week view of one space on /spaces/<id> (pages/spaces.py).

Live: while a calendar is open, a background event registers its window (UTC span and spaces)
with this worker's open calendars (services/calendar_push.py) and sleeps until a committed change
to a booking, closure or space in that window wakes it (pushed through Redis from any worker, or
within the process on a single node); then, in its turn among the worker's redraws, it reloads the
cells. An idle tab costs no query. It checks the fingerprint once at the start (a change between
the page's read and its registration) and whether its socket is still open every WATCH_SECONDS (no
database). It stops when the tab navigates elsewhere (the navigation closes its registration:
hub_app/state/navigation.py, no event of its own and no write of the tab's state), when the page is
loaded again (a new watch id), when the socket is gone, or after a few hours; each time it takes
the tab's state it checks that the tab still shows the page that started it. Reflex itself cancels
it with the rest of its page's unfinished events when the tab navigates, reconnects or closes its
socket: then it ends without taking the tab's state, which the next page (or nobody) has. With
several workers it runs on the worker that holds this browser's socket, the one that handles the
tab's navigations too.
"""

import asyncio
import secrets
import time
from functools import partial
from urllib.parse import quote, urlencode

import reflex as rx

from hub_app.components.calendar import calendar_grid, date_strip, legend
from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.db import reads_only
from hub_app.domain.bookings import SPACE_KINDS
from hub_app.domain.errors import HubError
from hub_app.domain.permissions import Actor
from hub_app.services import booking_calendar, booking_series, bookings, calendar_push
from hub_app.services.booking_calendar import BookingChoice
from hub_app.services.booking_series import OccurrencePreview
from hub_app.services.calendar_drawing import CalendarCell, DayChip, SpaceStarts
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import LOOK_UP, SessionState, form_data, go_to, page_load

WATCH_SECONDS = 60.0  # how often an idle watch checks its socket is still open (no database)
SUBSCRIBE_WAIT_SECONDS = 5.0  # at most this long for the worker's Redis subscription before the first look
# A calendar redrawn less than this long ago draws the next changes together after this pause: on a
# busy morning a day changes every second or so, and each redraw costs the tab's state and update.
REDRAW_GAP_SECONDS = 2.0


def _minutes(value: object) -> int:
    """A duration from the address; the service keeps it to what the spaces allow."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 3 else 60

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
    closed_reason: str = ""
    notice: str = ""
    spaces: list[SpaceStarts] = []
    duration: int = 60
    durations: list[int] = []
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
    sel_default_end: str = ""
    refusal: str = ""
    refusal_link: str = ""
    refusal_link_text: str = ""
    # The last booking made here: the confirmation links to My bookings and its .ics file.
    booked_id: int = 0
    form_error: str = ""
    form_version: int = 0
    preview: list[OccurrencePreview] = []
    _preview_key: str = ""
    _window_start: str = ""
    _window_end: str = ""
    _version: str = ""
    _watch_id: str = ""
    _watch_page: str = ""  # the path of the page that started the watch (/book or /spaces/<id>)
    _watch_running: str = ""

    async def _reload(self, change: int | None = None, actor: Actor | None | object = LOOK_UP) -> None:
        """Reads the calendar again. `change`: the pushed change that woke this tab; the tabs it woke
        that show the same day share one reading and each draws only its viewer's own columns again
        (a booking wakes hundreds of open calendars of that day at once); a week view is shared by
        the tabs of one viewer. `actor`: the viewer, if this event has looked them up already."""
        if change is None:  # a page load or a tap: the viewer's lookup and the read share one session
            if self.mode == "week":
                view, error = await self._run(booking_calendar.calendar_week, actor, space_id=self.week_space_id,
                                              day=self.day or None, locale=self.lang)
            else:
                view, error = await self._run(booking_calendar.calendar_day, actor, day=self.day or None,
                                              kind=self.kind_filter, locale=self.lang, duration=self.duration)
        else:
            view, error = await self._woken_view(change)
        if error:
            self.error = error
            self.cells, self.days = [], []
            return
        self.day, self.title, self.cells, self.days = view.day, view.title, view.cells, view.days
        self.columns, self.rows, self.closed = view.columns, view.rows, view.closed
        self.closed_reason, self.notice, self.spaces = view.closed_reason, view.notice, view.spaces
        if view.durations:
            self.duration, self.durations = view.duration, view.durations
        self.previous_day, self.next_day = view.previous, view.next
        self._window_start, self._window_end, self._version = view.window_start, view.window_end, view.version
        calendar_push.live_calendars().retune(self.router.session.client_token, self._shown())

    async def _woken_view(self, change: int):
        """The view after a pushed change, from the reading the tabs it woke share: (view, "") or
        (None, the refusal's translated message)."""
        try:
            actor = await self._actor()
            locale = actor.locale if actor else self.lang
            live = calendar_push.live_calendars()
            if self.mode == "week":
                return await live.shared_read(
                    (actor.user_id if actor else None, "week", self.week_space_id, self.day, locale), change,
                    partial(call, booking_calendar.calendar_week, actor, space_id=self.week_space_id,
                            day=self.day or None, locale=self.lang)), ""
            # one reading for every viewer of this day; each draws its own columns from it
            reading = await live.shared_read(
                ("day", self.day, self.kind_filter, locale, self.duration), change,
                partial(call, booking_calendar.read_day, day=self.day or None, kind=self.kind_filter,
                        locale=locale, duration=self.duration))
            return await asyncio.to_thread(booking_calendar.view_day, reading, actor), ""
        except HubError as error:
            return None, self._error_text(error)

    def _shown(self) -> calendar_push.Window | None:
        """The window this tab shows, for the pushed changes: its span and its spaces."""
        if self.mode == "week":
            spaces = [self.week_space_id]
        else:  # the day's columns; a closed day shows none, so any space may reopen it
            spaces = [space.space_id for space in self.spaces] or None
        return calendar_push.Window.of(self._window_start, self._window_end, spaces)

    def _start_watch(self):
        self._watch_id = secrets.token_hex(8)
        self._watch_page = self.router.url.path
        return CalendarState.watch(self._watch_id)

    def _watching(self, watch_id: str) -> bool:
        """Whether this watch still has the tab: no newer watch, and the tab still shows its page."""
        return watch_id == self._watch_id and self.router.url.path == self._watch_page

    def _reset_form(self) -> None:
        self.form_open = False
        self.refusal = self.refusal_link = self.refusal_link_text = ""
        self.form_error = ""
        self.preview = []
        self._preview_key = ""

    @rx.event
    @page_load
    async def load_day(self):
        """/book?date=YYYY-MM-DD&kind=meeting_room&duration=60 (&space=3&start=YYYY-MM-DDTHH:MM to
        open the form for that time, as after signing in)."""
        params = self.router.url.query_parameters
        self.mode, self.error, self.info, self.booked_id = "day", "", "", 0
        self.day = str(params.get("date", ""))[:10]
        self.kind_filter = params.get("kind", "") if params.get("kind") in SPACE_KINDS else ""
        self.duration = _minutes(params.get("duration"))
        self._reset_form()
        await self._reload()
        if self.error and self.day:
            self.day, self.error = "", ""
            await self._reload()
        space, start = params.get("space", ""), params.get("start", "")
        if isinstance(space, str) and space.isdigit() and len(space) < 12 and isinstance(start, str) and start:
            self._show_choice(*await self._run(booking_calendar.booking_choice, space_id=int(space), start=start[:16],
                                               locale=self.lang, duration=self.duration))
            if self.form_open and not self.sel_ends:
                # That time was booked since (e.g. by this member, when the answer was lost and the tab
                # reconnects here): no end to choose, so no form; the calendar shows whose it is.
                self._reset_form()
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
    async def set_duration(self, minutes: int):
        """A duration chip: show each space's free start times for this length."""
        if minutes not in self.durations:
            return
        self.duration = minutes
        self._reset_form()
        await self._reload()

    @rx.event(background=True)
    async def watch(self, watch_id: str):
        """Reloads this page's calendar when a change to its window is pushed, while it is open."""
        async with self:
            if not isinstance(watch_id, str) or not self._watching(watch_id) or self._watch_running == watch_id:
                return
            token = self.router.session.client_token
            if not await _socket_connected(token):
                return
            self._watch_running = watch_id
            self.live = True
            version = self._version
            shown = self._shown()
        live = calendar_push.live_calendars()
        calendar = live.open(token, shown)
        started = time.monotonic()
        redrawn = started - REDRAW_GAP_SECONDS
        cancelled = False
        try:
            await live.listening(SUBSCRIBE_WAIT_SECONDS)
            # A change committed between the page's read and the registration above was not pushed here.
            woken = bool(shown) and version != await call(
                booking_calendar.window_version, window_start=shown.starts_at.isoformat(),
                window_end=shown.ends_at.isoformat())
            while time.monotonic() - started < WATCH_MAX_SECONDS:
                if not woken:
                    left = WATCH_MAX_SECONDS - (time.monotonic() - started)
                    woken = await calendar.wait(max(min(WATCH_SECONDS, left), 0))
                if calendar.stopped:
                    return
                if not woken:
                    if not await _socket_connected(token):
                        return
                    continue
                woken = False
                pause = REDRAW_GAP_SECONDS - (time.monotonic() - redrawn)
                if pause > 0:
                    await asyncio.sleep(pause)
                await live.redraw_turn()
                if calendar.stopped:
                    return
                calendar.drawing()  # what came meanwhile is drawn now
                async with self:
                    if not self._watching(watch_id):
                        return
                    await self._reload(calendar.change)  # and retunes the registration to what it shows now
                redrawn = time.monotonic()
        except asyncio.CancelledError:
            # Reflex cancels a page's unfinished events when its tab navigates, reconnects or
            # closes its socket, often before the navigation has closed the registration.
            cancelled = True
            raise
        finally:
            # Stopped from outside (the tab navigated away, reconnected or went, or this node
            # stops): whoever stopped it has the tab now, so its state is left as it is.
            stopped_elsewhere = calendar.stopped or cancelled
            live.close(token, calendar)
            if not stopped_elsewhere:  # its time limit, its socket gone, or another page shown
                async with self:
                    if self._watch_running == watch_id:
                        self._watch_running = ""
                        self.live = False

    @rx.event
    async def pick(self, space_id: int, start: str):
        """A tap on a free start time: open the form with the end for the chosen length, or say why
        this member cannot book there; a visitor signs in first and comes back to this time."""
        choice, error = (await self._run(_members_choice, space_id=space_id, start=start, locale=self.lang,
                                         duration=self.duration)) if self._token() else (None, "")
        if choice is None and not error:
            return go_to("/login?next=" + quote(self._book_address(space_id, start), safe=""))
        self._show_choice(choice, error)
        if self.form_open or self.refusal:
            return rx.call_script("document.getElementById('booking-choice')?.scrollIntoView({block: 'start'})")

    def _book_address(self, space_id: object, start: object) -> str:
        query = {"date": self.day, "duration": self.duration}
        if self.kind_filter:
            query["kind"] = self.kind_filter
        if isinstance(space_id, int) and not isinstance(space_id, bool) and isinstance(start, str):
            query.update(space=space_id, start=start[:16])
        return "/book?" + urlencode(query)

    def _show_choice(self, choice: BookingChoice | None, error: str) -> None:
        """Opens the form with what booking_choice offers, or shows why it cannot open."""
        self.form_error = self.info = ""
        self.booked_id = 0
        if choice is None:
            self.error = error
            return
        self.error = ""
        self.sel_space_id, self.sel_space, self.sel_start = choice.space_id, choice.space, choice.start
        self.sel_start_label, self.sel_ends, self.sel_capacity = choice.start_label, choice.ends, choice.capacity
        self.sel_needs_approval, self.sel_is_desk = choice.needs_approval, choice.kind == "desk_area"
        self.sel_default_end = choice.default_end
        self.refusal, self.refusal_link, self.refusal_link_text = (choice.refusal, choice.refusal_link,
                                                                   choice.refusal_link_text)
        self.preview, self._preview_key = [], ""
        self.form_open = not choice.refusal
        self.form_version += 1

    @rx.event
    def close_form(self):
        self._reset_form()

    @rx.event
    async def submit(self, form: dict):
        data = form_data(form)
        self.form_error = self.info = ""
        actor = await self._actor()
        if actor is None:
            return go_to("/login?next=" + quote(self._book_address(self.sel_space_id, self.sel_start), safe=""))
        repeat = data.get("repeat") or ""
        common = dict(space_id=self.sel_space_id, start=self.sel_start, end=data.get("end"),
                      title=data.get("title"), people=data.get("people") or 1, note=data.get("note", ""))
        try:
            if repeat in ("daily", "weekly"):
                series = dict(frequency=repeat, count=data.get("count") or None, until=data.get("until") or None)
                key = repr(sorted({**common, **series}.items(), key=lambda item: item[0]))
                if key != self._preview_key:
                    self.preview = await call(booking_series.preview_series, actor, **{
                        k: v for k, v in {**common, **series}.items() if k not in ("title", "note")})
                    self._preview_key = key
                    self.info = self._t("booking.preview_lead")
                    return
                result = await call(booking_series.book_series, actor, **common, **series,
                                    skip_conflicts=data.get("skip_conflicts"))
                self.info = self._t("booking.series_done", created=result.created, skipped=len(result.skipped))
            else:
                row = await call(bookings.book, actor, **common)
                self.info = self._t("booking.pending_done" if row.status == "pending" else "booking.done",
                                    space=row.space, when=row.when)
                self.booked_id = row.id
        except HubError as error:
            self.form_error = self._error_text(error)
            return
        self._reset_form()
        await self._reload(actor=actor)


@reads_only
def _members_choice(actor: Actor | None, *, session, **choice) -> BookingChoice | None:
    """booking_choice for a signed-in member; None for a visitor (who signs in first)."""
    return None if actor is None else booking_calendar.booking_choice(actor, session=session, **choice)


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
            rx.el.p(rx.el.strong(S.sel_space), " · ", S.sel_start_label, data_testid="booking-choice",
                    id="booking-choice"),
            rx.cond(S.sel_needs_approval, rx.el.p(t("booking.needs_approval_note"), class_name="notice")),
            rx.el.div(rx.el.label(t("field.end"), html_for="f-end"),
                      rx.el.select(rx.foreach(S.sel_ends, lambda end: rx.el.option(end[1], value=end[0])),
                                   id="f-end", name="end", default_value=S.sel_default_end), class_name="field"),
            rx.el.div(rx.el.label(t("field.title"), html_for="f-title"),
                      rx.el.input(id="f-title", name="title", required=True, max_length=120,
                                  default_value=rx.cond(S.sel_is_desk, t("hub.desk_title"), t("booking.default_title")),
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


def refusal_card() -> rx.Component:
    """Why this member cannot book the tapped time, before any form."""
    S = CalendarState
    return rx.cond(
        S.refusal != "",
        rx.el.div(
            rx.el.p(rx.el.strong(S.sel_space), " · ", S.sel_start_label),
            rx.el.p(S.refusal, role="alert"),
            rx.cond(S.refusal_link != "", rx.el.a(S.refusal_link_text, href=S.refusal_link, class_name="button")),
            rx.el.button(t("common.cancel"), type="button", on_click=S.close_form, class_name="button ghost"),
            class_name="card stack notice", id="booking-choice", data_testid="booking-refusal",
        ),
    )


def confirmation() -> rx.Component:
    S = CalendarState
    return rx.cond(
        S.info != "",
        rx.el.div(
            rx.el.p(S.info, role="status"),
            rx.cond(S.booked_id > 0, rx.el.div(
                rx.el.a(t("nav.bookings"), href="/bookings", class_name="button"),
                rx.el.a(t("bookings.add_to_calendar"), href="/api/bookings/" + S.booked_id.to_string() + ".ics",
                        class_name="button ghost"),
                class_name="actions")),
            class_name="card stack ok-card", data_testid="booking-confirmation",
        ),
    )


def duration_chips() -> rx.Component:
    S = CalendarState
    return rx.el.div(
        rx.el.span(t("booking.length"), class_name="chips-label", id="duration-label"),
        rx.foreach(S.durations, lambda minutes: rx.el.button(
            minutes.to_string(), " ", t("booking.minutes_short"), type="button",
            on_click=S.set_duration(minutes),
            class_name=rx.cond(S.duration == minutes, "chip is-current", "chip"),
            aria_pressed=rx.cond(S.duration == minutes, "true", "false"))),
        class_name="chips", role="group", aria_labelledby="duration-label",
    )


def _start_chip(space: SpaceStarts, chip) -> rx.Component:
    return rx.el.button(chip.label, type="button", on_click=CalendarState.pick(space.space_id, chip.start),
                        class_name="chip start", aria_label=chip.aria,
                        custom_attrs={"data-space": space.space_id, "data-start": chip.start})


def free_start_times() -> rx.Component:
    """The phone agenda: per space, only the free start times for the chosen length."""
    S = CalendarState
    return rx.el.ul(
        rx.foreach(S.spaces, lambda space: rx.el.li(
            rx.el.h2(space.name, class_name="agenda-space"),
            rx.el.p(space.detail, class_name="muted small"),
            rx.el.div(rx.foreach(space.starts, lambda chip: _start_chip(space, chip)), class_name="chips"),
            rx.cond(space.more.length() > 0, rx.el.details(
                rx.el.summary(t("calendar.more_times")),
                rx.el.div(rx.foreach(space.more, lambda chip: _start_chip(space, chip)), class_name="chips"))),
            rx.cond(space.note != "", rx.el.p(space.note, class_name="muted small")),
            rx.cond(space.starts.length() == 0, rx.el.button(
                t("calendar.next_free"), type="button", on_click=S.go_day(S.next_day),
                class_name="button ghost small")),
            class_name="agenda-item", custom_attrs={"data-agenda-space": space.space_id})),
        class_name="agenda show-phone", data_testid="free-start-times",
    )


def calendar_block(min_column: str = "7.5rem") -> rx.Component:
    S = CalendarState
    day_mode = S.mode == "day"
    return rx.el.section(
        rx.cond(S.notice != "", rx.el.p(S.notice, class_name="notice", role="status")),
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
        rx.cond(day_mode & ~S.closed, duration_chips()),
        message(S.error),
        confirmation(),
        refusal_card(),
        booking_form(),
        rx.cond(S.closed, rx.el.p(rx.cond(S.closed_reason != "", S.closed_reason, t("calendar.closed_day")),
                                  class_name="notice", data_testid="closed-day")),
        rx.cond(day_mode, free_start_times()),
        rx.cond(~S.closed, rx.el.div(
            legend(),
            rx.el.div(calendar_grid(S.cells, S.columns, S.rows, S.pick, min_column=min_column), class_name="cal-scroll",
                      role="region", tab_index=0, aria_label=S.title),
            class_name=rx.cond(day_mode, "hide-phone", ""))),
        rx.el.p(rx.cond(S.live, t("calendar.live"), ""), class_name="muted", aria_live="polite"),
    )


@rx.page(route="/book", title=page_title("title.book"),
         on_load=CalendarState.load_day)
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
            class_name="book-head",
        ),
        calendar_block(),
    )
