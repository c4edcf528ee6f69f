"""The calendar watch (CalendarState.watch) with pushed changes, through Reflex's event processing
on both engines: an open calendar sleeps without queries and reloads once when a booking of a day
and space it shows is committed (by another member, through the service, in this worker); a
booking of another day or space does not reload it; closing the registration (what a navigation
and a new watch of the tab do) ends the watch. Members woken by one change share one reading of the
day, and each still sees only their own bookings as theirs."""

import asyncio
import time
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from reflex_base.registry import RegistrationContext

import hub_app.db
from hub_app.models.base import utcnow
from hub_app.pages.book import CalendarState
from hub_app.services import booking_calendar, bookings, calendar_push
from hub_app.services.calendar_push import Change, Window
from hub_app.state.navigation import NAVIGATION_EVENT
from tests.accounts.factories import actor_of
from tests.bookings.helpers import iso, weekday_ahead
from tests.handlers.handler_harness import covers
from tests.handlers.test_bookings_handlers import _socket, _space

WAIT = 10


@pytest.fixture(autouse=True)
def single_node(monkeypatch):
    monkeypatch.setattr(calendar_push, "redis_url", lambda: "")


def _book(person, space_id, day, hour, title):
    from hub_app.models import User

    with hub_app.db.new_session() as session:
        actor = actor_of(session.get(User, person.id))
        session.rollback()
        bookings.book(actor, session=session, space_id=space_id, start=iso(day, hour), end=iso(day, hour + 1),
                      title=title, people=1)


async def _until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        await asyncio.sleep(0.02)


def _watch(tab, watch_id: str) -> asyncio.Task:
    """The tab's calendar watch, started as its page starts it (a background event), in the running loop."""
    return asyncio.get_running_loop().create_task(
        tab._send(CalendarState.get_full_name() + ".watch", {"watch_id": watch_id}))


def _staff_calendar(hub, people):
    """A meeting room, a day, and staff's tab showing that day's meeting rooms with its socket open:
    (room, day, tab, the watch id its page load gave)."""
    room = _space(people.engine)
    day = weekday_ahead()
    staff = hub.browser(people.staff)
    staff.load("/book", date=day.isoformat(), kind="meeting_room").ok()
    _socket(hub, staff, connected=True)
    return room, day, staff, staff.state(CalendarState)._watch_id


def _reloads(outcome, title: str | None = None) -> list[dict]:
    """The calendar deltas the watch sent (each reload sends the cells)."""
    name = CalendarState.get_full_name()
    found = [delta[name] for delta in outcome.deltas if "cells" in str(delta.get(name, {}).keys())]
    return [d for d in found if title is None or title in str(d)]


@covers(CalendarState.watch)
@pytest.mark.parametrize("view", ["day", "week"])
def test_an_open_calendar_reloads_once_for_its_own_day_and_space(hub, people, view):
    room = _space(people.engine)
    other_room = _space(people.engine, name_id="Ruang Rapat Kota Tua", name_en="Kota Tua Meeting Room")
    day = weekday_ahead()
    staff = hub.browser(people.staff)
    if view == "day":
        staff.load("/book", date=day.isoformat(), kind="meeting_room").ok()
        unrelated = (room, day + timedelta(days=7))  # another day: this day view does not show it
    else:
        staff.load(f"/spaces/{room}", date=day.isoformat()).ok()
        unrelated = (other_room, day)  # another space the same day: this week view does not show it
    watch_id = staff.state(CalendarState)._watch_id
    live = calendar_push.live_calendars()
    _socket(hub, staff, connected=True)

    async def scenario():
        watching = _watch(staff, watch_id)
        try:
            await _until(lambda: live.is_open(staff.token), "the watch to register")
            await asyncio.to_thread(_book, people.active, unrelated[0], unrelated[1], 10, "Lain hari")
            marker = live.open("marker", Window(utcnow() + timedelta(days=4000), utcnow() + timedelta(days=4001)))
            await asyncio.to_thread(calendar_push.publish, [Change(None, marker.window.starts_at,
                                                                   marker.window.ends_at)], database_url="")
            assert await marker.wait(WAIT)
            live.close("marker", marker)
            await asyncio.to_thread(_book, people.active, room, day, 14, "Rapat investor")
            outcome = hub.recorder.current
            await _until(lambda: _reloads(outcome, "Rapat investor"), "the reload with the new booking")
        finally:
            live.close(staff.token)
        return await watching

    outcome = hub.run(scenario()).ok()
    assert len(_reloads(outcome)) == 1  # only the booking it shows reloaded it
    state = staff.state(CalendarState)
    assert any(cell.kind == "busy" and cell.label == "Rapat investor" for cell in state.cells)
    assert not live.is_open(staff.token)


@covers(CalendarState.watch)
def test_changes_that_come_soon_after_a_redraw_are_drawn_together(hub, people, monkeypatch):
    """A busy morning changes a day every second or so: a calendar redraws at once for the first
    change, then draws what came within the next REDRAW_GAP_SECONDS in one redraw."""
    import hub_app.pages.book as book_page

    monkeypatch.setattr(book_page, "REDRAW_GAP_SECONDS", 4.0)
    room, day, staff, watch_id = _staff_calendar(hub, people)
    live = calendar_push.live_calendars()

    async def scenario():
        watching = _watch(staff, watch_id)
        try:
            await _until(lambda: live.is_open(staff.token), "the watch to register")
            outcome = hub.recorder.current
            await asyncio.to_thread(_book, people.active, room, day, 9, "Rapat pagi")
            await _until(lambda: _reloads(outcome, "Rapat pagi"), "the first redraw")
            for hour, title in ((11, "Rapat siang"), (14, "Rapat sore")):
                await asyncio.to_thread(_book, people.active, room, day, hour, title)
            await _until(lambda: _reloads(outcome, "Rapat sore"), "the redraw with the later bookings")
        finally:
            live.close(staff.token)
        return await watching

    delays_before = _redraw_delays()
    outcome = hub.run(scenario()).ok()
    first, second = _reloads(outcome)  # three changes, two redraws
    assert "Rapat pagi" in str(first) and "Rapat siang" not in str(first)
    assert "Rapat siang" in str(second) and "Rapat sore" in str(second)
    # /metrics tells how far behind the calendar was: the first redraw at once, the second after
    # the gap (the later bookings came right after the first redraw).
    counted = {bound: count - delays_before[bound] for bound, count in _redraw_delays().items()}
    assert (counted["1.0"], counted["10.0"], counted["+Inf"]) == (1, 2, 2)


def _redraw_delays() -> dict[str, float]:
    """hub_calendar_redraw_delay_seconds: how many redraws came within each bucket's bound so far."""
    return {bound: REGISTRY.get_sample_value("hub_calendar_redraw_delay_seconds_bucket", {"le": bound}) or 0.0
            for bound in ("1.0", "10.0", "+Inf")}


@covers(CalendarState.watch)
def test_leaving_the_calendar_page_ends_its_watch_without_an_event_or_a_write(hub, people, monkeypatch):
    """The frontend sends no event when the calendar unmounts: the navigation to the next page closes
    the tab's registration on the node, and the watch ends without taking the tab's state again."""
    import hub_app.pages.book as book_page

    monkeypatch.setattr(book_page, "WATCH_MAX_SECONDS", 3.0)  # a watch left running ends soon
    room, day, staff, watch_id = _staff_calendar(hub, people)
    live = calendar_push.live_calendars()

    async def scenario():
        watching = _watch(staff, watch_id)
        await _until(lambda: live.is_open(staff.token), "the watch to register")
        staff.path, staff.query = "/forum", {}
        navigation = await staff._send(NAVIGATION_EVENT, {})
        assert not live.is_open(staff.token)
        watched = await asyncio.wait_for(watching, WAIT)
        await asyncio.to_thread(_book, people.active, room, day, 14, "Sesudah pergi")
        return navigation, watched

    navigation, watched = hub.run(scenario())
    navigation.ok()
    assert _reloads(watched.ok()) == []
    state = staff.state(CalendarState)
    assert state._watch_running == watch_id and state.live  # as the watch left it when it started
    assert not any("Sesudah pergi" in cell.label for cell in state.cells)


def _book_page_stopped_by(hub, people, stop) -> CalendarState:
    """As a browser does it: a member's /book page load starts the watch (a background event chained
    from its on_load) with the tab's socket open; then `stop(tab)` runs in the hub's loop while the
    watch is registered. Returns the tab's calendar state once the page load and all it chained end."""
    member = hub.browser(people.active)
    _socket(hub, member, connected=True)
    live = calendar_push.live_calendars()

    async def scenario():
        loading = asyncio.get_running_loop().create_task(member.loading("/book", date=weekday_ahead().isoformat()))
        await _until(lambda: live.is_open(member.token), "the page's watch to register")
        await stop(member)
        return await asyncio.wait_for(loading, WAIT)

    hub.run(scenario()).ok()
    assert not live.is_open(member.token)
    return member.state(CalendarState)


@covers(CalendarState.watch)
def test_a_navigation_that_cancels_the_watch_leaves_the_tabs_state_to_the_new_page(hub, people):
    """The tab's next navigation makes Reflex cancel the page's unfinished events, the watch among
    them. The cancelled watch must not take the tab's state on its way out: the navigation is
    waiting for it (the drill's 10 s waits began there)."""

    async def navigate(member):
        member.path, member.query = "/forum", {}
        (await member._send(NAVIGATION_EVENT, {})).ok()

    state = _book_page_stopped_by(hub, people, navigate)
    assert state._watch_running == state._watch_id and state.live  # as the watch left it when it started


@covers(CalendarState.watch)
def test_a_closed_socket_cancels_the_watch_which_leaves_the_tabs_state_alone(hub, people):
    """When the tab's socket closes (the phone sleeps, the node it was on stops), Reflex cancels the
    page's unfinished events, the watch among them; nothing closed its registration first. Taking
    the tab's state on its way out would read and write the calendar's cells for a tab that is gone
    (and, on a reconnect, make the tab's new page load wait behind it)."""

    async def close_socket(member):
        namespace = RegistrationContext.get().app.event_namespace  # the one _socket linked the tab in
        namespace.sid_to_token[member.sid] = member.token  # as the socket's connect recorded it
        await namespace.on_disconnect(member.sid)

    state = _book_page_stopped_by(hub, people, close_socket)
    assert state._watch_running == state._watch_id and state.live  # as the watch left it when it started


@covers(CalendarState.watch)
def test_a_watch_that_arrives_after_the_tab_left_its_page_starts_nothing(hub, people, monkeypatch):
    import hub_app.pages.book as book_page

    monkeypatch.setattr(book_page, "WATCH_MAX_SECONDS", 1.0)  # a watch started by mistake ends soon
    day = weekday_ahead()
    member = hub.browser(people.active)
    member.load("/book", date=day.isoformat()).ok()  # its watch ends at once: no socket yet
    watch_id = member.state(CalendarState)._watch_id
    _socket(hub, member, connected=True)
    member.load("/forum").ok()
    opened = []
    open_calendar = calendar_push.LiveCalendars.open
    monkeypatch.setattr(calendar_push.LiveCalendars, "open",
                        lambda live, token, window: opened.append(token) or open_calendar(live, token, window))
    member.call(CalendarState.watch, watch_id).ok()
    assert opened == [] and not calendar_push.live_calendars().is_open(member.token)
    assert member.state(CalendarState)._watch_running != watch_id


@covers(CalendarState.watch)
def test_a_watch_without_a_socket_registers_nothing(hub, people):
    day = weekday_ahead()
    staff = hub.browser(people.staff)
    staff.load("/book", date=day.isoformat()).ok()  # its watch starts and ends at once: no socket here
    assert not calendar_push.live_calendars().is_open(staff.token)
    assert not staff.state(CalendarState).live


@covers(CalendarState.watch)
def test_members_woken_by_one_booking_share_a_reading_and_each_sees_only_their_own(hub, people, monkeypatch):
    room = _space(people.engine)
    day = weekday_ahead()
    _book(people.other, room, day, 9, "Rapat rahasia")
    tabs = [hub.browser(person) for person in (people.other, people.active)]
    for tab in tabs:
        tab.load("/book", date=day.isoformat(), kind="meeting_room").ok()
        _socket(hub, tab, connected=True)
    readings = []  # the real read, counted
    read_day = booking_calendar.read_day
    monkeypatch.setattr(booking_calendar, "read_day", lambda **kwargs: readings.append(kwargs) or read_day(**kwargs))
    live = calendar_push.live_calendars()
    watch_ids = [tab.state(CalendarState)._watch_id for tab in tabs]

    async def scenario():
        watching = [_watch(tab, watch_id) for tab, watch_id in zip(tabs, watch_ids, strict=True)]
        try:
            await _until(lambda: all(live.is_open(tab.token) for tab in tabs), "both watches to register")
            outcome = hub.recorder.current
            await asyncio.to_thread(_book, people.staff, room, day, 14, "Rapat staf")
            await _until(lambda: len(_reloads(outcome)) == 2, "both calendars to reload")
        finally:
            for tab in tabs:
                live.close(tab.token)
        return await asyncio.gather(*watching)

    hub.run(scenario())
    assert len(readings) == 1  # one reading of the day for both members
    owner, other = (tab.state(CalendarState).cells for tab in tabs)
    assert any(c.kind == "mine" and c.label == "Rapat rahasia" for c in owner)
    assert not any("rahasia" in c.label or c.kind == "mine" for c in other)
    assert any(c.kind == "busy" and c.time.startswith("09") for c in other)
    assert all(any(c.kind == "busy" and c.time.startswith("14") for c in cells) for cells in (owner, other))


@covers(CalendarState.watch)
def test_a_stopping_node_ends_its_watches_without_touching_the_tabs_state(hub, people):
    """hub_app/drain.py hands the live calendars over: the tab moves to another node, which owns its
    state from then on (and starts a watch of its own), so the watch here must not write it again."""
    day = weekday_ahead()
    member = hub.browser(people.active)
    member.load("/book", date=day.isoformat()).ok()
    watch_id = member.state(CalendarState)._watch_id
    live = calendar_push.live_calendars()
    _socket(hub, member, connected=True)

    async def scenario():
        watching = _watch(member, watch_id)
        await _until(lambda: live.is_open(member.token), "the watch to register")
        assert live.hand_over_all() == 1
        return await watching

    outcome = hub.run(scenario()).ok()
    assert not live.is_open(member.token)
    state = member.state(CalendarState)
    assert state.live and state._watch_running == watch_id  # as the watch left it when it started
    assert _reloads(outcome) == []
