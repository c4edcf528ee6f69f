"""Booking pages' handlers, called as a browser would, by every kind of actor: /book and
/spaces/<id> (CalendarState), /spaces, /bookings, the calendar-feed section, /checkin/<id>,
/admin/spaces and /admin/bookings. Members never act on other members' bookings, pending members
and visitors book nothing, only staff run the floor; nothing crashes on junk."""

from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from sqlmodel import Session, col, update

from hub_app.models import AuditEntry, Booking, CalendarFeed, Closure, Notification, Space, User, UserSession
from hub_app.models.base import utcnow
from hub_app.pages import book as book_page
from hub_app.pages.admin_bookings import AdminBookingsState
from hub_app.pages.admin_spaces import AdminSpacesState
from hub_app.pages.book import CalendarState
from hub_app.pages.bookings import CalendarFeedState, MyBookingsState
from hub_app.pages.space_checkin import CheckInState
from hub_app.pages.spaces import SpaceDetailState, SpacesState
from tests.bookings.helpers import iso, local, weekday_ahead
from tests.handlers.handler_harness import MEGABYTE_TEXT, covers, db_fingerprint, rows

BOOKING_TABLES = ["bookings", "booking_series", "spaces", "closures", "opening_hours", "audit_entries",
                  "notifications", "calendar_feeds"]


def _space(engine, **fields) -> int:
    values = dict(kind="meeting_room", name_id="Ruang Rapat Monas", name_en="Monas Meeting Room", capacity=6,
                  amenities=["screen"])
    values.update(fields)
    with Session(engine) as session:
        space = Space(**values)
        session.add(space)
        session.commit()
        return space.id


def _booking(engine, space_id, user_id, start, end, **fields) -> int:
    with Session(engine) as session:
        booking = Booking(space_id=space_id, user_id=user_id, starts_at=start, ends_at=end, title="Rapat",
                          exclusive=True, **fields)
        session.add(booking)
        session.commit()
        return booking.id


@pytest.fixture
def room(people):
    return _space(people.engine)


def _pick_and_book(tab, space_id, day, start, end, title="Rapat tim", people="2"):
    tab.call(CalendarState.pick, space_id, iso(day, *start)).ok()
    return tab.call(CalendarState.submit, {"end": iso(day, *end), "title": title, "people": people, "note": ""}).ok()


# -- /book: calendar and booking ------------------------------------------------------------------------

@covers(CalendarState.load_day, CalendarState.pick, CalendarState.submit, CalendarState.close_form)
def test_active_member_books_from_the_day_view(hub, people, room):
    day = weekday_ahead()
    tab = hub.browser(people.active)
    tab.load("/book", date=day.isoformat()).ok()
    state = tab.state(CalendarState)
    assert state.day == day.isoformat() and state._watch_id
    assert any(c.kind == "free" and c.start == iso(day, 10) for c in state.cells)
    tab.call(CalendarState.pick, room, iso(day, 10)).ok()
    state = tab.state(CalendarState)
    assert state.form_open and state.sel_space == "Ruang Rapat Monas"
    assert [end[1] for end in state.sel_ends][:2] == ["10.30", "11.00"]
    tab.call(CalendarState.close_form).ok()
    assert not tab.state(CalendarState).form_open
    _pick_and_book(tab, room, day, (10,), (11,))
    state = tab.state(CalendarState)
    assert "Dipesan" in state.info and not state.form_open
    assert any(c.kind == "mine" and c.label == "Rapat tim" for c in state.cells)
    assert [(b.user_id, b.starts_at) for b in rows(people.engine, Booking)] == [(people.active.id, local(day, 10))]


@covers(CalendarState.submit, CalendarState.pick)
def test_second_member_gets_the_overlap_message(hub, people, room):
    day = weekday_ahead()
    first = hub.browser(people.active)
    first.load("/book", date=day.isoformat())
    _pick_and_book(first, room, day, (10,), (11,))
    second = hub.browser(people.other, lang="en")
    second.load("/book", date=day.isoformat(), lang="en")
    second.call(CalendarState.pick, room, iso(day, 10, 30)).ok()
    second.call(CalendarState.submit, {"end": iso(day, 11, 30), "title": "Clash", "people": "1"}).ok()
    assert tab_error(second) == "That time is already booked. Please choose another time."
    assert len(rows(people.engine, Booking)) == 1


@covers(CalendarState.pick, CalendarState.submit)
def test_a_tap_and_a_booking_each_look_the_member_up_once(hub, people, room, actor_lookups):
    """Who is asking is looked up once per event, then passed on (a booking's redraw of the
    calendar does not ask again): every lookup is a database round trip on the busiest page."""
    day = weekday_ahead()
    tab = hub.browser(people.active)
    tab.load("/book", date=day.isoformat()).ok()
    actor_lookups.clear()  # the page load's own lookups are the shell's
    tab.call(CalendarState.pick, room, iso(day, 10)).ok()
    assert tab.state(CalendarState).form_open and actor_lookups == [people.active.token]
    actor_lookups.clear()
    tab.call(CalendarState.submit, {"end": iso(day, 11), "title": "Rapat tim", "people": "2", "note": ""}).ok()
    state = tab.state(CalendarState)
    assert "Dipesan" in state.info and any(c.kind == "mine" for c in state.cells)
    assert actor_lookups == [people.active.token]


@covers(CalendarState.pick)
def test_a_tap_with_a_session_that_ended_asks_to_sign_in_again(hub, people, room):
    day = weekday_ahead()
    tab = hub.browser(people.active)
    tab.load("/book", date=day.isoformat()).ok()
    with Session(people.engine) as session:
        session.exec(update(UserSession).where(UserSession.user_id == people.active.id).values(revoked_at=utcnow()))
        session.commit()
    picked = tab.call(CalendarState.pick, room, iso(day, 10)).ok()
    address = "/book?" + urlencode({"date": day.isoformat(), "duration": 60, "space": room, "start": iso(day, 10)})
    assert picked.navigations == ["/login?next=" + quote(address, safe="")]
    assert not tab.state(CalendarState).form_open


def tab_error(tab) -> str:
    return tab.state(CalendarState).form_error


@covers(CalendarState.submit, CalendarState.pick)
@pytest.mark.parametrize("role", ["visitor", "pending"])
def test_pending_members_and_visitors_book_nothing(role, hub, people, room):
    day = weekday_ahead()
    tab = hub.browser(people.by_role()[role])
    tab.load("/book", date=day.isoformat()).ok()
    assert tab.state(CalendarState).cells  # anyone may look at the calendar
    picked = tab.call(CalendarState.pick, room, iso(day, 10)).ok()
    if role == "visitor":
        # Asked to sign in first, to come back to the same day, space and time.
        address = "/book?" + urlencode({"date": day.isoformat(), "duration": 60, "space": room, "start": iso(day, 10)})
        assert picked.navigations == ["/login?next=" + quote(address, safe="")]
    else:
        # Told why before any form opens.
        state = tab.state(CalendarState)
        assert not state.form_open and "disetujui staf" in state.refusal
    outcome = tab.call(CalendarState.submit, {"end": iso(day, 11), "title": "x", "people": "1"}).ok()
    if role == "visitor":
        assert outcome.navigations and outcome.navigations[0].startswith("/login?next=%2Fbook")
    else:
        assert "disetujui staf" in tab_error(tab)
    assert rows(people.engine, Booking) == []


@covers(CalendarState.load_day)
def test_after_signing_in_the_tapped_time_opens_with_the_form_ready(hub, people, room):
    day = weekday_ahead()
    tab = hub.browser(people.active)
    tab.load("/book", date=day.isoformat(), duration="90", space=str(room), start=iso(day, 10)).ok()
    state = tab.state(CalendarState)
    assert state.day == day.isoformat() and state.duration == 90
    assert state.form_open and state.sel_space_id == room and state.sel_start == iso(day, 10)
    assert state.sel_default_end == iso(day, 11, 30)
    # Junk in the address opens nothing and breaks nothing.
    for space, start in [("0", iso(day, 10)), (str(room), "yesterday"), ("9" * 40, "x"), (str(room), "")]:
        tab.load("/book", date=day.isoformat(), space=space, start=start).ok()
        assert not tab.state(CalendarState).form_open


@covers(CalendarState.set_duration)
def test_duration_chips_show_free_start_times_for_that_length(hub, people, room):
    day = weekday_ahead()
    _booking(people.engine, room, people.other.id, local(day, 11), local(day, 12))
    tab = hub.browser(people.active)
    tab.load("/book", date=day.isoformat()).ok()
    state = tab.state(CalendarState)
    assert state.duration == 60 and state.durations == [30, 60, 90, 120]

    def starts() -> list[str]:
        [space] = [space for space in tab.state(CalendarState).spaces if space.space_id == room]
        return [chip.start[11:] for chip in space.starts + space.more]

    assert "10:00" in starts() and "10:30" not in starts() and "11:00" not in starts() and "12:00" in starts()
    tab.call(CalendarState.set_duration, 30).ok()
    assert "10:30" in starts() and "11:00" not in starts()
    for junk in [45, "45", None, -30, 10**9, [60], {"minutes": 60}]:
        tab.send(CalendarState.set_duration, {"minutes": junk}).not_crashed()
        assert tab.state(CalendarState).duration == 30
    [space] = [space for space in tab.state(CalendarState).spaces if space.space_id == room]
    assert space.starts[0].aria.startswith("Ruang Rapat Monas, ") and "–" in space.starts[0].aria


@covers(CalendarState.pick)
def test_a_required_training_or_a_used_quota_is_said_before_the_form(hub, people):
    from hub_app.models import Training

    day = weekday_ahead()
    with Session(people.engine) as session:
        training = Training(title_id="Produksi Podcast", title_en="Podcast Production", topic="digital_marketing",
                            level="beginner", language="id", format="hub", capacity=10, enrol_opens_at=utcnow(),
                            enrol_closes_at=utcnow(), cancel_until=utcnow())
        session.add(training)
        session.commit()
        training_id = training.id
    studio = _space(people.engine, name_id="Studio Podcast", required_training_id=training_id)
    tab = hub.browser(people.active)
    tab.load("/book", date=day.isoformat()).ok()
    tab.call(CalendarState.pick, studio, iso(day, 10)).ok()
    state = tab.state(CalendarState)
    assert not state.form_open and "Produksi Podcast" in state.refusal
    assert state.refusal_link == f"/trainings/{training_id}"

    with Session(people.engine) as session:
        user = session.get(User, people.active.id)
        user.quota_upcoming_bookings = 0
        session.add(user)
        session.commit()
    room = _space(people.engine)
    tab.call(CalendarState.pick, room, iso(day, 10)).ok()
    state = tab.state(CalendarState)
    assert not state.form_open and state.refusal and state.refusal_link == "/bookings"


@covers(CalendarState.submit)
def test_series_preview_then_booking(hub, people, room):
    day = weekday_ahead()
    with Session(people.engine) as session:
        user = session.get(User, people.active.id)
        user.quota_upcoming_bookings = 10
        session.add(user)
        session.commit()
    later = day + timedelta(days=7)
    _booking(people.engine, room, people.other.id, local(later, 10), local(later, 11))
    tab = hub.browser(people.active)
    tab.load("/book", date=day.isoformat())
    tab.call(CalendarState.pick, room, iso(day, 10)).ok()
    form = {"end": iso(day, 11), "title": "Kelas", "people": "1", "repeat": "weekly", "count": "3"}
    tab.call(CalendarState.submit, form).ok()
    state = tab.state(CalendarState)
    assert [bool(p.problem) for p in state.preview] == [False, True, False]
    assert len(rows(people.engine, Booking)) == 1  # a preview books nothing
    tab.call(CalendarState.submit, form | {"skip_conflicts": "on"}).ok()
    assert "2 tanggal, 1 dilewati" in tab.state(CalendarState).info
    assert len(rows(people.engine, Booking, Booking.user_id == people.active.id)) == 2


@covers(CalendarState.go_day, CalendarState.set_kind)
def test_day_strip_and_kind_filter(hub, people, room):
    _space(people.engine, kind="desk_area", name_id="Area Kerja Bersama", capacity=20)
    tab = hub.browser(people.active)
    tab.load("/book")
    day = weekday_ahead(3)
    tab.call(CalendarState.go_day, day.isoformat()).ok()
    assert tab.state(CalendarState).day == day.isoformat()
    tab.call(CalendarState.go_day, "not-a-day").ok()
    assert tab.state(CalendarState).day == day.isoformat()
    tab.call(CalendarState.set_kind, "desk_area").ok()
    heads = [c.label for c in tab.state(CalendarState).cells if c.kind == "head"]
    assert heads == ["Area Kerja Bersama"]
    tab.call(CalendarState.set_kind, MEGABYTE_TEXT).ok()
    assert len([c for c in tab.state(CalendarState).cells if c.kind == "head"]) == 2


def _socket(hub, tab, *, connected: bool) -> None:
    """The harness replaces Socket.IO; register (or drop) this tab's socket with the app's token
    manager the way a real connection (or disconnect) does, so the watch sees it."""
    from reflex_base.registry import RegistrationContext

    async def change():
        manager = RegistrationContext.get().app.event_namespace._token_manager
        if connected:
            await manager.link_token_to_sid(tab.token, tab.sid)
        else:
            await manager.disconnect_token(tab.token, tab.sid)

    hub.run(change())


@covers(CalendarState.watch)
def test_live_watch_reloads_when_another_browser_books(hub, people, room, monkeypatch):
    monkeypatch.setattr(book_page, "WATCH_SECONDS", 0.05)
    monkeypatch.setattr(book_page, "WATCH_MAX_SECONDS", 0.6)
    day = weekday_ahead()
    staff = hub.browser(people.staff)
    staff.load("/book", date=day.isoformat())
    assert not any(c.kind == "busy" for c in staff.state(CalendarState).cells)
    member = hub.browser(people.active)
    member.load("/book", date=day.isoformat())
    _pick_and_book(member, room, day, (10,), (11,), title="Rapat investor")
    # The staff tab's watch (started by its page) notices the change and reloads its cells.
    _socket(hub, staff, connected=True)
    staff.call(CalendarState.watch, staff.state(CalendarState)._watch_id).ok()
    busy = [c for c in staff.state(CalendarState).cells if c.kind == "busy"]
    assert [(c.label, c.detail) for c in busy] == [("Rapat investor", "Agus Aktif")]
    assert not staff.state(CalendarState).live  # it ended at its time limit
    # Once the socket is gone the watch stops at its first look, without reloading.
    _socket(hub, staff, connected=False)
    member.call(CalendarState.pick, room, iso(day, 12)).ok()
    member.call(CalendarState.submit, {"end": iso(day, 13), "title": "Kedua", "people": "1"}).ok()
    staff.call(CalendarState.watch, staff.state(CalendarState)._watch_id).ok()
    assert len([c for c in staff.state(CalendarState).cells if c.kind == "busy"]) == 1
    # A forged or stale watch id starts nothing.
    staff.call(CalendarState.watch, "forged").ok()
    assert not staff.state(CalendarState).live


@covers(CalendarState.load_week, SpaceDetailState.load)
def test_space_page_week_view(hub, people, room):
    day = weekday_ahead()
    _booking(people.engine, room, people.other.id, local(day, 10), local(day, 11))
    tab = hub.browser(people.active, lang="en")
    tab.load(f"/spaces/{room}", date=day.isoformat(), lang="en").ok()
    assert tab.state(SpaceDetailState).space.name == "Monas Meeting Room"
    state = tab.state(CalendarState)
    assert state.mode == "week" and state.columns == 7
    busy = [c for c in state.cells if c.kind == "busy"]
    assert [c.label for c in busy] == ["Busy"] and busy[0].detail == ""  # no names for members
    tab.load("/spaces/999999").ok()
    assert tab.state(SpaceDetailState).missing and tab.state(CalendarState).error


@covers(SpacesState.load, SpacesState.filter)
def test_spaces_list_and_filters(hub, people, room):
    _space(people.engine, kind="event_hall", name_id="Aula", capacity=80, amenities=["projector"])
    tab = hub.browser()
    tab.load("/spaces").ok()
    assert len(tab.state(SpacesState).rows) == 2
    tab.call(SpacesState.filter, {"kind": "event_hall", "capacity": "", "amenity": ""}).ok()
    assert [r.name for r in tab.state(SpacesState).rows] == ["Aula"]
    tab.call(SpacesState.filter, {"kind": "", "capacity": "10", "amenity": "projector"}).ok()
    assert [r.name for r in tab.state(SpacesState).rows] == ["Aula"]
    tab.call(SpacesState.filter, {"kind": "roof", "capacity": "x"}).ok()
    assert tab.state(SpacesState).error and tab.state(SpacesState).rows == []


# -- /bookings --------------------------------------------------------------------------------------------------

@covers(MyBookingsState.load, MyBookingsState.show, MyBookingsState.more, MyBookingsState.cancel)
def test_my_bookings_and_cancel_only_my_own(hub, people, room):
    day = weekday_ahead()
    mine = _booking(people.engine, room, people.active.id, local(day, 10), local(day, 11))
    theirs = _booking(people.engine, room, people.other.id, local(day, 12), local(day, 13))
    past = _booking(people.engine, room, people.active.id, utcnow() - timedelta(days=2, hours=1),
                    utcnow() - timedelta(days=2))
    tab = hub.browser(people.active)
    tab.load("/bookings").ok()
    assert [r.id for r in tab.state(MyBookingsState).rows] == [mine]
    tab.call(MyBookingsState.show, True).ok()
    assert [r.id for r in tab.state(MyBookingsState).rows] == [past]
    tab.call(MyBookingsState.more).ok()
    tab.call(MyBookingsState.show, False).ok()
    before = db_fingerprint(people.engine, ["bookings"])
    tab.call(MyBookingsState.cancel, {"booking_id": str(theirs)}).ok()
    assert tab.state(MyBookingsState).error == "Pemesanan tidak ditemukan."
    assert db_fingerprint(people.engine, ["bookings"]) == before
    tab.call(MyBookingsState.cancel, {"booking_id": str(mine), "scope": "one"}).ok()
    assert [b.status for b in rows(people.engine, Booking, Booking.id == mine)] == ["cancelled"]
    assert [b.status for b in rows(people.engine, Booking, Booking.id == theirs)] == ["confirmed"]
    visitor = hub.browser()
    assert visitor.load("/bookings").ok().navigations == ["/login?next=/bookings"]
    visitor.call(MyBookingsState.cancel, {"booking_id": str(theirs)}).ok()
    assert [b.status for b in rows(people.engine, Booking, Booking.id == theirs)] == ["confirmed"]


@covers(MyBookingsState.cancel)
def test_cancelling_looks_the_member_up_once(hub, people, room, actor_lookups):
    day = weekday_ahead()
    booking_id = _booking(people.engine, room, people.active.id, local(day, 10), local(day, 11))
    tab = hub.browser(people.active)
    tab.load("/bookings").ok()
    actor_lookups.clear()  # the page load's own lookups are the shell's
    tab.call(MyBookingsState.cancel, {"booking_id": str(booking_id)}).ok()
    state = tab.state(MyBookingsState)
    assert state.info and [row.status for row in state.rows if row.id == booking_id] in ([], ["cancelled"])
    assert actor_lookups == [people.active.token]


@covers(MyBookingsState.check_in)
def test_check_in_own_booking_in_the_window_only(hub, people, room):
    now = utcnow()
    mine = _booking(people.engine, room, people.active.id, now + timedelta(minutes=5), now + timedelta(minutes=65))
    other_room = _space(people.engine, name_id="Ruang Rapat Ancol")
    theirs = _booking(people.engine, other_room, people.other.id, now + timedelta(minutes=5),
                      now + timedelta(minutes=65))
    tab = hub.browser(people.active)
    tab.load("/bookings")
    assert tab.state(MyBookingsState).rows[0].can_check_in
    tab.call(MyBookingsState.check_in, theirs).ok()
    assert tab.state(MyBookingsState).error
    tab.call(MyBookingsState.check_in, mine).ok()
    assert tab.state(MyBookingsState).rows[0].checked_in
    assert rows(people.engine, Booking, Booking.id == theirs)[0].checked_in_at is None


@covers(CalendarFeedState.load_feed, CalendarFeedState.regenerate_feed, CalendarFeedState.revoke_feed)
def test_calendar_feed_section(hub, people):
    tab = hub.browser(people.active)
    tab.load("/profile").ok()
    tab.call(CalendarFeedState.load_feed).ok()
    assert not tab.state(CalendarFeedState).feed_active
    outcome = tab.call(CalendarFeedState.regenerate_feed).ok()
    state = tab.state(CalendarFeedState)
    assert state.feed_active and state.feed_shown
    assert any(script.endswith(".ics") for script in outcome.scripts)  # into the page's input
    tab.call(CalendarFeedState.load_feed).ok()
    assert not tab.state(CalendarFeedState).feed_shown  # shown once only
    tab.call(CalendarFeedState.revoke_feed).ok()
    assert rows(people.engine, CalendarFeed) == []
    visitor = hub.browser()
    visitor.call(CalendarFeedState.regenerate_feed).ok()
    assert rows(people.engine, CalendarFeed) == [] and visitor.state(CalendarFeedState).feed_error


# -- /checkin/<id> ------------------------------------------------------------------------------------------------

@covers(CheckInState.load)
def test_qr_check_in_and_staff_poster(hub, people, room):
    now = utcnow()
    mine = _booking(people.engine, room, people.active.id, now + timedelta(minutes=10), now + timedelta(minutes=70))
    tab = hub.browser(people.active)
    tab.load(f"/checkin/{room}").ok()
    assert tab.state(CheckInState).done and tab.state(CheckInState).qr == ""
    assert rows(people.engine, Booking, Booking.id == mine)[0].checked_in_at is not None
    tab.load(f"/checkin/{room}").ok()
    assert tab.state(CheckInState).error  # nothing left to check in
    other = hub.browser(people.other)
    other.load(f"/checkin/{room}").ok()
    assert other.state(CheckInState).error and not other.state(CheckInState).done
    staff = hub.browser(people.staff)
    staff.load(f"/checkin/{room}").ok()
    assert staff.state(CheckInState).qr.startswith("data:image/svg+xml;base64,")
    assert hub.browser().load(f"/checkin/{room}").navigations == [f"/login?next=/checkin/{room}"]
    staff.load("/checkin/abc").ok()
    assert staff.state(CheckInState).error


# -- /admin/spaces ---------------------------------------------------------------------------------------------------

SPACE_FORM = {"kind": "meeting_room", "name_id": "Ruang Rapat Kota Tua", "name_en": "Old Town Room", "capacity": "4",
              "slot_minutes": "30", "min_minutes": "30", "max_minutes": "120", "advance_days": "14",
              "location": "R. 2303", "description_id": "", "description_en": "", "required_training_id": "",
              "amenity_whiteboard": "on", "active": "on"}
HOURS_FORM = {**{f"opens_{d}": "09:00" for d in range(6)}, **{f"closes_{d}": "18:00" for d in range(6)},
              "opens_6": "", "closes_6": ""}


@covers(AdminSpacesState.load, AdminSpacesState.save, AdminSpacesState.edit, AdminSpacesState.new,
        AdminSpacesState.set_active, AdminSpacesState.save_hours, AdminSpacesState.add_closure,
        AdminSpacesState.remove_closure, AdminSpacesState.remove_photo)
@pytest.mark.parametrize("role", ["visitor", "pending", "active"])
def test_admin_spaces_is_staff_only(role, hub, people, room):
    tab = hub.browser(people.by_role()[role])
    before = db_fingerprint(people.engine, BOOKING_TABLES)
    outcome = tab.load("/admin/spaces").ok()
    if role == "visitor":
        assert outcome.navigations == ["/login?next=/admin/spaces"]
    else:
        assert not tab.state(AdminSpacesState).allowed
    tab.call(AdminSpacesState.save, SPACE_FORM).ok()
    tab.call(AdminSpacesState.edit, room).ok()
    tab.call(AdminSpacesState.save, SPACE_FORM).ok()
    tab.call(AdminSpacesState.set_active, room, False).ok()
    tab.call(AdminSpacesState.save_hours, HOURS_FORM).ok()
    tab.call(AdminSpacesState.add_closure, {"first_day": weekday_ahead().isoformat(), "reason": "x"}).ok()
    tab.call(AdminSpacesState.remove_photo, 0).ok()
    tab.call(AdminSpacesState.new).ok()
    assert db_fingerprint(people.engine, BOOKING_TABLES) == before


@covers(AdminSpacesState.load, AdminSpacesState.save, AdminSpacesState.edit, AdminSpacesState.new,
        AdminSpacesState.set_active, AdminSpacesState.save_hours, AdminSpacesState.add_closure,
        AdminSpacesState.remove_closure)
def test_staff_manage_spaces_hours_and_closures(hub, people, room):
    tab = hub.browser(people.staff)
    tab.load("/admin/spaces").ok()
    assert tab.state(AdminSpacesState).allowed and len(tab.state(AdminSpacesState).rows) == 1
    tab.call(AdminSpacesState.save, SPACE_FORM).ok()
    new_id = tab.state(AdminSpacesState).editing
    assert tab.state(AdminSpacesState).values["name_id"] == "Ruang Rapat Kota Tua"
    tab.call(AdminSpacesState.save, SPACE_FORM | {"capacity": "lots"}).ok()
    assert tab.state(AdminSpacesState).error
    tab.call(AdminSpacesState.edit, room).ok()
    assert tab.state(AdminSpacesState).values["name_id"] == "Ruang Rapat Monas"
    tab.call(AdminSpacesState.new).ok()
    assert tab.state(AdminSpacesState).editing == 0
    tab.call(AdminSpacesState.set_active, new_id, False).ok()
    assert not rows(people.engine, Space, Space.id == new_id)[0].active
    tab.call(AdminSpacesState.save_hours, HOURS_FORM).ok()
    assert [h.opens for h in tab.state(AdminSpacesState).hours] == ["09:00"] * 6 + [""]
    day = weekday_ahead()
    tab.call(AdminSpacesState.add_closure, {"first_day": day.isoformat(), "last_day": "", "reason": "Perawatan",
                                            "space_id": str(room), "start_time": "", "end_time": ""}).ok()
    closures = rows(people.engine, Closure)
    assert len(closures) == 1 and closures[0].space_id == room
    tab.call(AdminSpacesState.remove_closure, closures[0].id).ok()
    assert rows(people.engine, Closure) == []
    actions = [row.action for row in rows(people.engine, AuditEntry)]
    assert actions == ["space.create", "space.deactivate", "hours.update", "closure.add", "closure.remove"]


# -- /admin/bookings --------------------------------------------------------------------------------------------------

@covers(AdminBookingsState.load, AdminBookingsState.show_day, AdminBookingsState.decide, AdminBookingsState.cancel,
        AdminBookingsState.check_in, AdminBookingsState.book_for_member, AdminBookingsState.block,
        AdminBookingsState.find_member, AdminBookingsState.set_quota)
@pytest.mark.parametrize("role", ["visitor", "pending", "active"])
def test_admin_bookings_is_staff_only(role, hub, people, room):
    """Approving as a member, cancelling another member's booking, setting quotas: all refused."""
    day = weekday_ahead()
    pending = _booking(people.engine, room, people.other.id, local(day, 10), local(day, 11), status="pending")
    now = utcnow()
    soon = _booking(people.engine, room, people.other.id, now + timedelta(minutes=5), now + timedelta(minutes=35))
    tab = hub.browser(people.by_role()[role])
    before = db_fingerprint(people.engine, BOOKING_TABLES + ["users"])
    tab.load("/admin/bookings").ok()
    state = tab.state(AdminBookingsState)
    assert state.rows == [] and state.queue == []
    tab.call(AdminBookingsState.decide, {"booking_id": str(pending), "approve": "1"}).ok()
    tab.call(AdminBookingsState.cancel, {"booking_id": str(pending), "reason": "x"}).ok()
    tab.call(AdminBookingsState.check_in, soon).ok()
    tab.call(AdminBookingsState.show_day, {"date": day.isoformat()}).ok()
    tab.call(AdminBookingsState.book_for_member, {"email": people.other.email, "space_id": str(room),
                                                  "date": day.isoformat(), "start": "14:00", "end": "15:00",
                                                  "title": "x"}).ok()
    tab.call(AdminBookingsState.block, {"space_id": str(room), "date": day.isoformat(), "start": "16:00",
                                        "end": "17:00", "reason": "x"}).ok()
    tab.call(AdminBookingsState.find_member, {"email": people.other.email}).ok()
    assert tab.state(AdminBookingsState).record.id == 0
    tab.call(AdminBookingsState.set_quota, {"hours_per_week": "100"}).ok()
    assert db_fingerprint(people.engine, BOOKING_TABLES + ["users"]) == before
    assert people.other.email not in str(tab.state(AdminBookingsState).rows)


@covers(AdminBookingsState.load, AdminBookingsState.show_day, AdminBookingsState.decide, AdminBookingsState.cancel,
        AdminBookingsState.check_in)
def test_staff_run_the_day_and_the_approval_queue(hub, people, room):
    day = weekday_ahead()
    pending = _booking(people.engine, room, people.other.id, local(day, 10), local(day, 11), status="pending")
    declined = _booking(people.engine, room, people.active.id, local(day, 12), local(day, 13), status="pending")
    now = utcnow()
    other_room = _space(people.engine, name_id="Ruang Rapat Ancol")
    soon = _booking(people.engine, other_room, people.other.id, now + timedelta(minutes=5),
                    now + timedelta(minutes=35))
    tab = hub.browser(people.staff)
    tab.load("/admin/bookings").ok()
    assert {r.id for r in tab.state(AdminBookingsState).queue} == {pending, declined}
    tab.call(AdminBookingsState.decide, {"booking_id": str(pending), "approve": "1"}).ok()
    tab.call(AdminBookingsState.decide, {"booking_id": str(declined), "approve": "0", "reason": ""}).ok()
    assert tab.state(AdminBookingsState).error  # a decline needs a reason
    tab.call(AdminBookingsState.decide, {"booking_id": str(declined), "approve": "0", "reason": "Dipakai pemda"}).ok()
    assert tab.state(AdminBookingsState).queue == []
    assert sorted((n.user_id, n.kind) for n in rows(people.engine, Notification, col(Notification.user_id).in_(
        [people.other.id, people.active.id]))) == sorted([(people.other.id, "booking.approved"),
                                                          (people.active.id, "booking.declined")])
    tab.call(AdminBookingsState.show_day, {"date": day.isoformat()}).ok()
    assert {r.id for r in tab.state(AdminBookingsState).rows} == {pending, declined}
    assert {r.member for r in tab.state(AdminBookingsState).rows} == {"Lain Orang", "Agus Aktif"}
    tab.call(AdminBookingsState.cancel, {"booking_id": str(pending), "reason": "Lift rusak"}).ok()
    assert rows(people.engine, Booking, Booking.id == pending)[0].status == "cancelled"
    tab.call(AdminBookingsState.show_day, {"date": now.date().isoformat()}).ok()
    tab.call(AdminBookingsState.check_in, soon).ok()
    assert rows(people.engine, Booking, Booking.id == soon)[0].checked_in_at is not None
    assert {a.action for a in rows(people.engine, AuditEntry)} >= {"booking.approve", "booking.decline",
                                                                    "booking.cancel", "booking.check_in"}


@covers(AdminBookingsState.book_for_member, AdminBookingsState.block, AdminBookingsState.find_member,
        AdminBookingsState.set_quota)
def test_staff_book_on_behalf_block_and_set_quotas(hub, people, room):
    day = weekday_ahead()
    tab = hub.browser(people.staff)
    tab.load("/admin/bookings")
    tab.call(AdminBookingsState.book_for_member, {"email": people.active.email, "space_id": str(room),
                                                  "date": day.isoformat(), "start": "10:00", "end": "11:00",
                                                  "title": "Konsultasi", "people": "2"}).ok()
    assert [b.user_id for b in rows(people.engine, Booking)] == [people.active.id]
    tab.call(AdminBookingsState.book_for_member, {"email": "nobody@test.example", "space_id": str(room),
                                                  "date": day.isoformat(), "start": "12:00", "end": "13:00",
                                                  "title": "x"}).ok()
    assert tab.state(AdminBookingsState).error == "Anggota tidak ditemukan."
    tab.call(AdminBookingsState.block, {"space_id": str(room), "date": day.isoformat(), "start": "10:30",
                                        "end": "12:00", "reason": "Perbaikan"}).ok()
    assert "sudah dipesan" in tab.state(AdminBookingsState).error
    tab.call(AdminBookingsState.block, {"space_id": str(room), "date": day.isoformat(), "start": "13:00",
                                        "end": "17:00", "reason": "Perbaikan AC"}).ok()
    assert [b.kind for b in rows(people.engine, Booking, Booking.kind == "block")] == ["block"]
    tab.call(AdminBookingsState.find_member, {"email": people.active.email}).ok()
    record = tab.state(AdminBookingsState).record
    assert record.id == people.active.id and record.upcoming == 1 and record.no_shows == 0
    tab.call(AdminBookingsState.set_quota, {"hours_per_week": "8", "upcoming_bookings": "2"}).ok()
    assert tab.state(AdminBookingsState).record.hours_per_week == 8
    user = rows(people.engine, User, User.id == people.active.id)[0]
    assert (user.quota_hours_per_week, user.quota_upcoming_bookings) == (8, 2)
    tab.call(AdminBookingsState.set_quota, {"hours_per_week": "-3"}).ok()
    assert tab.state(AdminBookingsState).error
