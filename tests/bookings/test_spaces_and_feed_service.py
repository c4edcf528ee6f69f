"""Spaces, opening hours, closures, photos and the personal calendar feed, on both engines."""

import io
from datetime import timedelta

import pytest
from icalendar import Calendar
from PIL import Image
from sqlmodel import select

from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.models import AuditEntry, CalendarFeed
from hub_app.services import bookings, calendar_feed, spaces
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, make_space, weekday_ahead
from tests.transactions import end_read

SPACE_FORM = {"kind": "meeting_room", "name_id": "Ruang Rapat Kota Tua", "name_en": "Old Town Meeting Room",
              "capacity": "6", "slot_minutes": "30", "min_minutes": "30", "max_minutes": "180", "advance_days": "14",
              "amenity_screen": "on", "amenity_whiteboard": "on", "active": "on"}


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@jfch.example", name="Budi Santoso", role="staff"))


@pytest.fixture
def member(session):
    return actor_of(make_user(session, "rina@umkm.example"))


def _key(call) -> str:
    with pytest.raises((Conflict, InvalidInput, NotAllowed, NotFound)) as caught:
        call()
    return caught.value.key


def test_staff_create_edit_deactivate_spaces_audited(session, staff, member):
    assert _key(lambda: spaces.save_space(member, session=session, form=SPACE_FORM)) == "error.not_allowed"
    space_id = spaces.save_space(staff, session=session, form=SPACE_FORM)
    card = spaces.get_space(member, session=session, space_id=space_id)
    assert card.name == "Ruang Rapat Kota Tua" and card.amenities == ["screen", "whiteboard"] and card.capacity == 6
    end_read(session)
    spaces.save_space(staff, session=session, form=SPACE_FORM | {"capacity": "8"}, space_id=space_id)
    assert spaces.get_space(member, session=session, space_id=space_id).capacity == 8
    end_read(session)
    spaces.set_active(staff, session=session, space_id=space_id, active=False)
    assert _key(lambda: spaces.get_space(member, session=session, space_id=space_id)) == "booking.error.no_space"
    assert spaces.list_spaces(member, session=session) == []
    actions = [row.action for row in session.exec(select(AuditEntry)).all()]
    assert actions == ["space.create", "space.update", "space.deactivate"]


@pytest.mark.parametrize("change,key", [
    ({"kind": "garage"}, "error.field_choice"),
    ({"name_id": ""}, "error.field_required"),
    ({"capacity": "0"}, "error.field_range"),
    ({"capacity": "lots"}, "error.field_type"),
    ({"slot_minutes": "45"}, "error.field_choice"),
    ({"min_minutes": "90", "max_minutes": "60"}, "space.error.max_below_min"),
    ({"max_minutes": "45"}, "space.error.duration_grid"),
])
def test_bad_space_forms_are_refused(session, staff, change, key):
    assert _key(lambda: spaces.save_space(staff, session=session, form=SPACE_FORM | change)) == key
    assert _key(lambda: spaces.save_space(staff, session=session, form="not a form")) == "error.invalid"


def test_list_filters_by_kind_capacity_and_amenity(session, member):
    make_space(session, name="Ruang Rapat Monas", capacity=6)
    make_space(session, kind="event_hall", capacity=80, name="Aula")
    make_space(session, kind="desk_area", capacity=30, name="Area Kerja", amenities=["wifi"])
    assert len(spaces.list_spaces(member, session=session)) == 3
    assert [c.name for c in spaces.list_spaces(member, session=session, kind="event_hall")] == ["Aula"]
    assert {c.name for c in spaces.list_spaces(member, session=session, min_capacity="20")} == {"Aula", "Area Kerja"}
    assert [c.name for c in spaces.list_spaces(member, session=session, amenity="wifi")] == ["Area Kerja"]
    assert _key(lambda: spaces.list_spaces(member, session=session, kind="roof")) == "error.field_choice"


def test_opening_hours_change_what_can_be_booked(session, staff, member):
    room = make_space(session)
    day = weekday_ahead()
    form = {f"opens_{d}": "09:00" for d in range(5)} | {f"closes_{d}": "17:00" for d in range(5)}
    form |= {f"{part}_{d}": "" for part in ("opens", "closes") for d in (5, 6)}
    assert _key(lambda: spaces.save_opening_hours(staff, session=session, form={"opens_0": "09:00"})) == \
        "error.invalid"
    assert _key(lambda: spaces.save_opening_hours(staff, session=session, form={
        key: "" for key in form})) == "space.error.hours_all_closed"
    assert _key(lambda: spaces.save_opening_hours(member, session=session, form=form)) == "error.not_allowed"
    assert _key(lambda: spaces.save_opening_hours(staff, session=session, form=form | {"closes_0": "08:00"})) == \
        "space.error.hours_order"
    assert _key(lambda: spaces.save_opening_hours(staff, session=session, form=form | {"opens_0": "9am"})) == \
        "error.date_invalid"
    hours = spaces.save_opening_hours(staff, session=session, form=form)
    assert hours[0].opens == "09:00" and hours[5].opens == ""  # Saturday now closed
    end_read(session)
    assert _key(lambda: bookings.book(member, session=session, space_id=room.id, start=iso(day, 8, 30),
                                      end=iso(day, 9, 30), title="Pagi")) == "booking.error.outside_hours"
    bookings.book(member, session=session, space_id=room.id, start=iso(day, 9), end=iso(day, 10), title="Pagi")


def test_a_closure_cannot_hide_existing_bookings(session, staff, member):
    room = make_space(session)
    day = weekday_ahead()
    bookings.book(member, session=session, space_id=room.id, start=iso(day, 10), end=iso(day, 11), title="Rapat")
    assert _key(lambda: spaces.add_closure(staff, session=session, first_day=day.isoformat(), last_day="",
                                           reason="Perawatan")) == "space.error.closure_has_bookings"
    closure_id = spaces.add_closure(staff, session=session, first_day=day.isoformat(), last_day="",
                                    reason="Perawatan", start_time="13:00", end_time="17:00")
    assert [c.reason for c in spaces.list_closures(staff, session=session)] == ["Perawatan"]
    end_read(session)
    spaces.remove_closure(staff, session=session, closure_id=closure_id)
    assert spaces.list_closures(staff, session=session) == []


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 95, 115)).save(buffer, "PNG")
    return buffer.getvalue()


def test_photos_checked_by_content(session, staff, member, tmp_path, monkeypatch):
    from hub_app.settings import get_settings
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path)
    room = make_space(session)
    assert _key(lambda: spaces.add_photo(staff, session=session, space_id=room.id, data=b"<svg>")) == \
        "error.avatar_invalid"
    assert _key(lambda: spaces.add_photo(member, session=session, space_id=room.id, data=_png())) == \
        "error.not_allowed"
    url = spaces.add_photo(staff, session=session, space_id=room.id, data=_png())
    assert url.startswith("/media/spaces/") and url.endswith(".webp")
    assert (tmp_path / "spaces" / url.rsplit("/", 1)[1]).is_file()
    assert spaces.get_space(member, session=session, space_id=room.id).photos == [url]
    spaces.remove_photo(staff, session=session, space_id=room.id, index=0)
    assert not (tmp_path / "spaces" / url.rsplit("/", 1)[1]).exists()


def test_calendar_feed_lists_bookings_until_cancelled_and_revokes(session, member):
    room = make_space(session)
    day = weekday_ahead()
    row = bookings.book(member, session=session, space_id=room.id, start=iso(day, 10), end=iso(day, 11),
                        title="Rapat investor")
    status = calendar_feed.regenerate_feed(member, session=session)
    token = status.url.rsplit("/", 1)[1].removesuffix(".ics")
    assert session.exec(select(CalendarFeed)).one().token_hash != token  # only the hash is stored
    events = Calendar.from_ical(calendar_feed.feed_for_token(session=session, token=token)).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Rapat investor · Ruang Rapat Monas"]
    assert events[0].decoded("dtstart") == bookings.parse_moment(iso(day, 10), field="start")
    single = calendar_feed.booking_ics(member, session=session, booking_id=row.id)
    assert b"Rapat investor" in single
    end_read(session)
    bookings.cancel(member, session=session, booking_id=row.id)
    assert Calendar.from_ical(calendar_feed.feed_for_token(session=session, token=token)).walk("VEVENT") == []
    # Regenerating replaces the URL; revoking ends it.
    end_read(session)
    new_token = calendar_feed.regenerate_feed(member, session=session).url.rsplit("/", 1)[1].removesuffix(".ics")
    assert calendar_feed.feed_for_token(session=session, token=token) is None
    assert calendar_feed.feed_for_token(session=session, token=new_token) is not None
    end_read(session)
    calendar_feed.revoke_feed(member, session=session)
    assert calendar_feed.feed_for_token(session=session, token=new_token) is None
    assert calendar_feed.feed_for_token(session=session, token="x" * 43) is None


def test_other_features_add_events_to_the_feed(session, member):
    def trainings(_session, user_id):
        start = bookings.parse_moment(iso(weekday_ahead(), 14), field="start")
        return [calendar_feed.FeedEvent(uid=f"training-1-{user_id}@jfch", title="Pelatihan pemasaran digital",
                                        starts_at=start, ends_at=start + timedelta(hours=2))]

    calendar_feed.register_source(trainings)
    try:
        token = calendar_feed.regenerate_feed(member, session=session).url.rsplit("/", 1)[1].removesuffix(".ics")
        events = Calendar.from_ical(calendar_feed.feed_for_token(session=session, token=token)).walk("VEVENT")
        assert [str(e["summary"]) for e in events] == ["Pelatihan pemasaran digital"]
    finally:
        calendar_feed._SOURCES.remove(trainings)
