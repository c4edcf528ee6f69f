"""Pushed calendar changes (services/calendar_push.py), on SQLite and on PostgreSQL: every kind of
write to a space's bookings wakes exactly the open calendars that show it, after the commit; a
rolled-back write wakes none; with Redis, a commit reaches every worker's calendars, and a worker
whose subscription was cut reloads all of its calendars when it is back."""

import asyncio
import os
import uuid
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlmodel import Session

from hub_app.domain.bookings import TRAINING_BOOKING
from hub_app.domain.errors import Conflict
from hub_app.domain.opening_hours import day_bounds
from hub_app.models import Booking, Space
from hub_app.models.base import utcnow
from hub_app.services import booking_checkins, bookings, calendar_push, space_reservations, spaces
from hub_app.services.bookings import hub_tz
from hub_app.services.calendar_push import Change, LiveCalendars, Window
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, local, make_space, put_booking, weekday_ahead
from tests.transactions import end_read

WAIT = 10  # seconds at most for an expected wake-up (it comes within milliseconds)
FAR = utcnow() + timedelta(days=3650)
MARK = Change(-1, FAR, FAR + timedelta(hours=1))  # touches only the marker calendar below


@pytest.fixture(autouse=True)
def single_node(monkeypatch):
    """No Redis unless a test asks for it: changes go to this process's calendars."""
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    monkeypatch.setattr(calendar_push, "redis_url", lambda: "")


@pytest.fixture
def people(session):
    rina = make_user(session, "rina@umkm.example", name="Rina Kusuma")
    budi = make_user(session, "staf@jfch.example", name="Budi Santoso", role="staff")
    return {"rina": actor_of(rina), "budi": actor_of(budi)}


@pytest.fixture
def rooms(session):
    return make_space(session), make_space(session, name="Ruang Rapat Kota Tua")


def day_window(day, *space_ids) -> Window:
    start, end = day_bounds(day, hub_tz())
    return Window(start, end, frozenset(space_ids) if space_ids else None)


def week_window(day, space_id) -> Window:
    return Window(day_bounds(day, hub_tz())[0], day_bounds(day + timedelta(days=6), hub_tz())[1],
                  frozenset({space_id}))


def woken_by(action, live: LiveCalendars | None = None, **windows: Window) -> set[str]:
    """Opens a calendar per window, runs `action` (services, committed), and returns the names
    of the calendars it woke. A marker change published after it is awaited first: deliveries
    are handled in order, so every wake-up the action caused has happened by then."""

    async def scenario():
        calendars = live or calendar_push.live_calendars()
        prefix = uuid.uuid4().hex
        opened = {name: calendars.open(f"{prefix}-{name}", window) for name, window in windows.items()}
        marker = calendars.open(f"{prefix}-marker", Window(MARK.starts_at, MARK.ends_at, frozenset({-1})))
        try:
            await calendars.listening(WAIT)
            await asyncio.to_thread(action)
            await asyncio.to_thread(calendar_push.publish, [MARK], database_url=calendars.database_url,
                                    via=calendars.redis)
            assert await marker.wait(WAIT), "the marker change never arrived"
            return {name for name, calendar in opened.items() if calendar.woken.is_set()}
        finally:
            for name, calendar in [*opened.items(), ("marker", marker)]:
                calendars.close(f"{prefix}-{name}", calendar)
            if live is not None:
                await live.stop()

    return asyncio.run(scenario())


def test_a_booking_wakes_the_calendars_that_show_its_space_and_day(session, people, rooms):
    room, other = rooms
    day = weekday_ahead()
    end_read(session)

    def book():
        bookings.book(people["rina"], session=session, space_id=room.id, start=iso(day, 10), end=iso(day, 11),
                      title="Rapat", people=2)

    woken = woken_by(book, all_spaces=day_window(day), this_room=day_window(day, room.id, other.id),
                     week=week_window(day - timedelta(days=3), room.id),
                     next_day=day_window(day + timedelta(days=1)), other_room=day_window(day, other.id),
                     other_week=week_window(day, other.id), week_before=week_window(day - timedelta(days=7), room.id))
    assert woken == {"all_spaces", "this_room", "week"}


def test_cancel_decide_and_block_wake_the_day(session, people, rooms):
    room, other = rooms
    day = weekday_ahead()
    mine = put_booking(session, room, people["rina"].user_id, local(day, 10), local(day, 11))
    waiting = put_booking(session, other, people["rina"].user_id, local(day, 13), local(day, 14), status="pending")
    windows = dict(room_day=day_window(day, room.id), other_day=day_window(day, other.id),
                   next_day=day_window(day + timedelta(days=1)))

    assert woken_by(lambda: bookings.cancel(people["rina"], session=session, booking_id=mine.id),
                    **windows) == {"room_day"}
    assert woken_by(lambda: bookings.decide(people["budi"], session=session, booking_id=waiting.id, approve=True),
                    **windows) == {"other_day"}
    assert woken_by(lambda: bookings.block_space(people["budi"], session=session, space_id=room.id,
                                                 start=iso(day, 15), end=iso(day, 16), reason="Perbaikan AC"),
                    **windows) == {"room_day"}


def test_a_moved_reservation_wakes_its_old_and_new_day(session, rooms):
    room, other = rooms
    day = weekday_ahead()
    later = day + timedelta(days=7)
    reservation = put_booking(session, room, None, local(day, 9), local(day, 12), kind=TRAINING_BOOKING,
                              title="Pelatihan")
    end_read(session)

    def move():
        space_reservations.move_training_reservation(session, reservation.id, space_id=other.id, start=local(later, 9),
                                                     end=local(later, 12))
        session.commit()

    woken = woken_by(move, old=day_window(day, room.id), new=day_window(later, other.id),
                     old_other=day_window(day, other.id), new_room=day_window(later, room.id))
    assert woken == {"old", "new"}

    def release():
        space_reservations.release_training_reservation(session, reservation.id)
        session.commit()

    assert woken_by(release, old=day_window(day), new=day_window(later)) == {"new"}


def test_the_no_show_release_a_bulk_update_wakes_that_day(session, people, rooms):
    room, _ = rooms
    start = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    today = start.astimezone(hub_tz()).date()
    put_booking(session, room, people["rina"].user_id, start, start + timedelta(hours=1))
    end_read(session)

    released = []
    # Two days on, as the hour may cross midnight (late in the evening in Jakarta) and wake tomorrow too.
    woken = woken_by(lambda: released.append(booking_checkins.release_no_shows(session=session)),
                     today=day_window(today, room.id), later=day_window(today + timedelta(days=2), room.id))
    assert released == [1] and woken == {"today"}
    # Nothing due: nothing published.
    assert woken_by(lambda: booking_checkins.release_no_shows(session=session), today=day_window(today)) == set()


def test_a_hub_closure_wakes_every_space_of_its_days(session, people, rooms):
    room, other = rooms
    day = weekday_ahead()
    closure = []
    windows = dict(room=day_window(day, room.id), other=day_window(day, other.id), all=day_window(day),
                   next_day=day_window(day + timedelta(days=1)))

    def close_the_hub():
        closure.append(spaces.add_closure(people["budi"], session=session, first_day=day.isoformat(),
                                          last_day=day.isoformat(), reason="Cuti bersama"))

    assert woken_by(close_the_hub, **windows) == {"room", "other", "all"}
    end_read(session)
    assert woken_by(lambda: spaces.remove_closure(people["budi"], session=session, closure_id=closure[0]),
                    **windows) == {"room", "other", "all"}


def test_a_changed_space_wakes_its_calendars_on_every_day(session, rooms):
    room, other = rooms
    day = weekday_ahead()

    def rename():
        space = session.get(Space, room.id)
        space.name_en = "Monas Room"
        session.add(space)
        session.commit()

    assert woken_by(rename, room=week_window(day + timedelta(days=60), room.id),
                    other=day_window(day, other.id)) == {"room"}


def test_a_refused_or_rolled_back_write_wakes_nothing(session, people, rooms):
    room, _ = rooms
    day = weekday_ahead()
    put_booking(session, room, None, local(day, 10), local(day, 11))
    end_read(session)

    def refused():
        with pytest.raises(Conflict):
            bookings.book(people["rina"], session=session, space_id=room.id, start=iso(day, 10), end=iso(day, 11),
                          title="Rapat", people=2)
        session.rollback()

    def rolled_back():
        session.add(Booking(space_id=room.id, kind="member", status="confirmed", exclusive=True,
                            starts_at=local(day, 14), ends_at=local(day, 15), seats=1, title="x"))
        session.flush()
        session.rollback()

    assert woken_by(refused, day=day_window(day)) == set()
    assert woken_by(rolled_back, day=day_window(day)) == set()


def test_only_the_outermost_commit_publishes(session, rooms):
    """A savepoint released inside a transaction that then rolls back publishes nothing; a savepoint
    rolled back inside one that commits keeps the outer change."""
    room, _ = rooms
    day = weekday_ahead()
    end_read(session)

    def booking(hour):
        return Booking(space_id=room.id, kind="member", status="confirmed", exclusive=True,
                       starts_at=local(day, hour), ends_at=local(day, hour + 1), seats=1, title="x")

    def inner_released_outer_rolled_back():
        with session.begin_nested():
            session.add(booking(9))
        session.rollback()

    def inner_rolled_back_outer_committed():
        session.add(booking(10))
        session.flush()
        nested = session.begin_nested()
        session.add(booking(12))
        session.flush()
        nested.rollback()
        session.commit()

    assert woken_by(inner_released_outer_rolled_back, day=day_window(day)) == set()
    assert woken_by(inner_rolled_back_outer_committed, day=day_window(day)) == {"day"}


def test_a_closed_calendar_and_a_replaced_watch_are_not_woken():
    async def scenario():
        live = LiveCalendars()
        start, end = utcnow(), utcnow() + timedelta(hours=1)
        first = live.open("tab", Window(start, end))
        second = live.open("tab", Window(start, end))  # the page was reloaded: a new watch
        assert first.stopped and not second.stopped and live.count() == 1
        live.close("tab", first)  # the old watch ending does not drop the new one
        assert live.is_open("tab")
        live.retune("tab", Window(end, end + timedelta(hours=1)))
        assert live.deliver([Change(3, start, end)]) == 0
        assert live.deliver([Change(3, end, end + timedelta(minutes=30))]) == 1
        live.close("tab")
        assert live.count() == 0 and live.deliver([Change(None)]) == 0

    asyncio.run(scenario())


def test_junk_on_the_channel_is_ignored():
    assert Change.from_json(["x", "not a time", None]) is None
    assert Change.from_json(None) is None
    assert Change.from_json([4, None, None]) == Change(4)
    assert Window.of("garbage", "") is None


# --- several workers: Redis pub/sub ------------------------------------------------------------------

REDIS_DB = 6


def _redis_url() -> str:
    base = urlsplit(os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(base._replace(path=f"/{REDIS_DB}"))


@pytest.fixture
def redis(monkeypatch):
    """The portal's Redis is configured: commits publish there (fails when Redis is down)."""
    import redis as redis_lib

    url = _redis_url()
    client = redis_lib.Redis.from_url(url)
    client.ping()
    monkeypatch.setattr(calendar_push, "redis_url", lambda: url)
    yield client
    client.close()


def _worker(engine) -> LiveCalendars:
    return LiveCalendars(redis=_redis_url(), database_url=engine.url.render_as_string(hide_password=True),
                         name=f"hub-calendar-test-{uuid.uuid4().hex[:8]}")


def test_a_commit_reaches_the_calendars_of_every_worker(session, engine, people, rooms, redis):
    room, _ = rooms
    day = weekday_ahead()
    end_read(session)
    first, second = _worker(engine), _worker(engine)

    async def scenario():
        prefix = uuid.uuid4().hex
        on_first = first.open(f"{prefix}-1", day_window(day, room.id))
        on_second = second.open(f"{prefix}-2", day_window(day))
        elsewhere = second.open(f"{prefix}-3", day_window(day + timedelta(days=1)))
        try:
            assert await first.listening(WAIT) and await second.listening(WAIT)
            for calendar in (on_first, on_second, elsewhere):  # the wake-up of a fresh subscription
                calendar.woken.clear()
            await asyncio.to_thread(lambda: bookings.book(people["rina"], session=session, space_id=room.id,
                                                          start=iso(day, 10), end=iso(day, 11), title="Rapat",
                                                          people=2))
            assert await on_first.wait(WAIT) and await on_second.wait(WAIT)
            # Another database on the same Redis (another portal) is not heard.
            await asyncio.to_thread(calendar_push.publish, [Change(None)], database_url="sqlite:///elsewhere.db")
            marker = second.open(f"{prefix}-m", Window(MARK.starts_at, MARK.ends_at, frozenset({-1})))
            await asyncio.to_thread(calendar_push.publish, [MARK], database_url=second.database_url)
            assert await marker.wait(WAIT)
            assert not elsewhere.woken.is_set() and not on_second.woken.is_set()
        finally:
            await first.stop()
            await second.stop()

    asyncio.run(scenario())


def test_a_worker_whose_subscription_was_cut_reloads_its_calendars(engine, redis):
    worker = _worker(engine)

    async def scenario():
        calendar = worker.open("tab", day_window(weekday_ahead()))
        try:
            assert await worker.listening(WAIT)
            calendar.woken.clear()
            # As when Redis restarts: the subscription's connection is dropped by the server.
            killed = await asyncio.to_thread(_kill_connection, redis, worker.name)
            assert killed == 1
            assert await calendar.wait(WAIT)  # woken when the subscription is back: it reloads once
            assert await worker.listening(WAIT)
        finally:
            await worker.stop()

    asyncio.run(scenario())


def _kill_connection(client, name: str) -> int:
    ids = [entry["id"] for entry in client.client_list() if entry.get("name") == name]
    return sum(int(client.execute_command("CLIENT", "KILL", "ID", ident)) for ident in ids)


def test_a_publisher_without_redis_still_reaches_its_own_worker(engine, monkeypatch):
    """Redis unreachable at commit time: the change is not lost for this worker's calendars."""
    calendar_push.live_calendars()  # this worker's calendars exist (they subscribe to no Redis here)
    monkeypatch.setattr(calendar_push, "redis_url", lambda: "redis://127.0.0.1:1/0")
    day = weekday_ahead()
    with Session(engine) as session:
        room = make_space(session)
        end_read(session)
        woken = woken_by(lambda: (put_booking(session, room, None, local(day, 10), local(day, 11))),
                         day=day_window(day))
    assert woken == {"day"}


def test_calendars_woken_by_one_delivery_share_one_read_per_view_and_viewer():
    async def scenario():
        live = LiveCalendars()
        reads = []

        def reader(name, fails=False):
            async def read():
                reads.append(name)
                await asyncio.sleep(0)  # another tab asks while this read is under way
                if fails:
                    raise ConnectionError("database away")
                return name
            return read

        day, member_day = (None, "day", "2026-12-02"), (7, "day", "2026-12-02")
        live.deliver([Change(None)])
        first = live.deliveries  # the number that woke the calendars
        same = await asyncio.gather(*[live.shared_read(day, first, reader("visitors")) for _ in range(50)])
        assert same == ["visitors"] * 50 and reads == ["visitors"]
        assert await live.shared_read(member_day, first, reader("member 7")) == "member 7"
        live.deliver([Change(None)])
        second = live.deliveries  # the number that woke the calendars
        assert await live.shared_read(day, second, reader("next change")) == "next change"
        # A tab woken by the older delivery that reads only now takes the newer reading: it saw both.
        assert await live.shared_read(day, first, reader("late")) == "next change"
        # A change this worker was not told of (the watch's first look) reads anew.
        assert await live.shared_read(day, 0, reader("own look")) == "own look"
        assert reads == ["visitors", "member 7", "next change", "own look"]
        # A failed reading is not handed to the next calendar.
        live.deliver([Change(None)])
        third = live.deliveries  # the number that woke the calendars
        with pytest.raises(ConnectionError):
            await live.shared_read(day, third, reader("failed", fails=True))
        assert await live.shared_read(day, third, reader("again")) == "again"

    asyncio.run(scenario())


def test_a_worker_spreads_its_redraws_at_its_pace_and_a_quiet_one_draws_at_once():
    async def scenario():
        live = LiveCalendars(redraws_per_second=50)
        done = []

        async def redraw(tab):
            waited = await live.redraw_turn()
            done.append(tab)
            return waited

        waits = await asyncio.gather(*[redraw(tab) for tab in range(5)])  # one change woke five calendars
        assert done == [0, 1, 2, 3, 4]  # in the order they were woken
        assert waits[0] == 0 and all(abs(waited - n / 50) < 0.005 for n, waited in enumerate(waits))
        await asyncio.sleep(2 / 50)
        assert await live.redraw_turn() == 0  # the pace's slots are free again: at once

    asyncio.run(scenario())
