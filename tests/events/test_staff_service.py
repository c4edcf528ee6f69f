"""Staff: events with a space reserved through the booking service, edits, publication and
cancellation, the roster, the door (check-in, a ticket of another event, walk-ins) and the photo,
against a real database on SQLite and on PostgreSQL."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import update
from sqlmodel import col, select

from hub_app.models import AuditEntry, Booking, Event, EventRegistration, Notification
from hub_app.models.base import utcnow
from hub_app.services import bookings, events
from hub_app.settings import get_settings
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, local, make_space, weekday_ahead
from tests.events.helpers import (
    error_key,
    event_form,
    make_event,
    members,
    registrations,
    reload,
)
from tests.transactions import end_read


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@jfch.example", name="Budi Santoso", role="staff"))


def _holding(session, space_id):
    session.expire_all()
    rows = session.exec(select(Booking).where(Booking.space_id == space_id,
                                              col(Booking.status).in_(["pending", "confirmed"]))).all()
    end_read(session)
    return rows


def _hall(session):
    hall = make_space(session, kind="event_hall", capacity=120, name="Aula Serbaguna")
    space_id = hall.id
    end_read(session)
    return space_id


def test_an_event_at_the_hub_reserves_its_space_and_a_booking_cannot_take_it(session, staff):
    hall = _hall(session)
    day = weekday_ahead(3)
    start = local(day, 14)
    event_id = events.create_event(staff, session=session, form=event_form(start, place="space", space_id=str(hall),
                                                                             online_url="", capacity="100"))
    held, = _holding(session, hall)
    assert (held.kind, held.event_id, held.title, held.user_id) == ("event", event_id, "Hari Demo UMKM Digital", None)
    assert reload(session, event_id).booking_id == held.id
    member, = members(session, 1)
    end_read(session)
    assert error_key(lambda: bookings.book(member, session=session, space_id=hall, start=iso(day, 15),
                                           end=iso(day, 16), title="Rapat"), session) == "booking.error.slot_taken"
    # And the other way round: an event cannot take a room a member booked.
    bookings.book(member, session=session, space_id=hall, start=iso(day, 9), end=iso(day, 10), title="Rapat")
    before = len(session.exec(select(Event)).all())
    end_read(session)
    assert error_key(lambda: events.create_event(staff, session=session, form=event_form(
        local(day, 9, 30), place="space", space_id=str(hall), capacity="50")), session) == \
        "booking.error.slot_taken"
    assert len(session.exec(select(Event)).all()) == before
    end_read(session)


def test_editing_moves_the_reservation_and_cancelling_frees_it(session, staff):
    hall = _hall(session)
    day = weekday_ahead(3)
    event_id = events.create_event(staff, session=session, form=event_form(
        local(day, 14), place="space", space_id=str(hall), capacity="100"))
    events.publish_event(staff, session=session, event_id=event_id)
    people = members(session, 3)
    for actor in people:
        end_read(session)
        events.register_member(actor, session=session, event_id=event_id)
    events.update_event(staff, session=session, event_id=event_id, form=event_form(
        local(day, 16), place="space", space_id=str(hall), capacity="100"))
    held, = _holding(session, hall)
    assert held.starts_at == local(day, 16)
    changed = session.exec(select(Notification).where(Notification.kind == "event.changed")).all()
    assert len(changed) == 3
    end_read(session)
    # Online now: the space is freed.
    events.update_event(staff, session=session, event_id=event_id, form=event_form(local(day, 16), capacity="100"))
    assert _holding(session, hall) == []
    assert reload(session, event_id).booking_id is None
    # Back at the hub, then cancelled with a reason: freed again, and everyone told.
    events.update_event(staff, session=session, event_id=event_id, form=event_form(
        local(day, 16), place="space", space_id=str(hall), capacity="100"))
    assert len(_holding(session, hall)) == 1
    assert error_key(lambda: events.cancel_event(staff, session=session, event_id=event_id, reason=" "), session) \
        == "error.field_required"
    events.cancel_event(staff, session=session, event_id=event_id, reason="Pembicara sakit")
    assert _holding(session, hall) == []
    told = session.exec(select(Notification).where(Notification.kind == "event.event_cancelled")).all()
    assert len(told) == 3 and told[0].params["reason"] == "Pembicara sakit"
    end_read(session)
    assert error_key(lambda: events.register_member(people[0], session=session, event_id=event_id), session) == \
        "events.error.cancelled"
    actions = [row.action for row in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()]
    end_read(session)
    assert actions == ["event.create", "event.publish", "event.update", "event.update", "event.update",
                       "event.cancel"]


def test_capacity_never_drops_below_the_seats_and_a_raise_seats_the_waitlist(session, staff):
    event_id = events.create_event(staff, session=session, form=event_form(utcnow() + timedelta(days=4),
                                                                           capacity="2"))
    events.publish_event(staff, session=session, event_id=event_id)
    people = members(session, 4)
    for actor in people:
        end_read(session)
        events.register_member(actor, session=session, event_id=event_id)
    start = reload(session, event_id).starts_at
    assert error_key(lambda: events.update_event(staff, session=session, event_id=event_id, form=event_form(
        start, capacity="1")), session) == "events.error.capacity_below"
    events.update_event(staff, session=session, event_id=event_id, form=event_form(start, capacity="3"))
    fresh = reload(session, event_id)
    assert (fresh.registered_count, fresh.waitlist_count) == (3, 1)
    statuses = [row.status for row in registrations(session, event_id)]
    assert statuses == ["registered", "registered", "registered", "waitlisted"]


def test_bad_staff_input_is_refused_and_nothing_changes(session, staff):
    start = utcnow() + timedelta(days=4)
    member, = members(session, 1)
    cases = {
        "error.field_required": event_form(start, title_id="", title_en=""),
        "error.field_too_long": event_form(start, title_id="J" * 100_000),
        "error.markup": event_form(start, title_en="<img src=x onerror=alert(1)>"),
        "error.date_invalid": event_form(start, starts_at="kemarin"),
        "events.error.end_before_start": event_form(start, ends_at=event_form(start - timedelta(hours=1))["starts_at"]),
        "events.error.too_long": event_form(start, hours=30),
        "events.error.in_past": event_form(utcnow() - timedelta(days=1)),
        "events.error.url_https": event_form(start, online_url="javascript:alert(1)"),
        "events.error.space_required": event_form(start, place="space"),
        "error.field_choice": event_form(start, audience="semua"),
        "error.field_range": event_form(start, capacity="0"),
        "error.field_type": event_form(start, capacity="banyak"),
        "events.error.space_unknown": event_form(start, place="space", space_id="999999"),
    }
    for key, form in cases.items():
        assert error_key(lambda form=form: events.create_event(staff, session=session, form=form), session) == key, key
    assert error_key(lambda: events.create_event(staff, session=session, form="x"), session) == "error.invalid"
    assert error_key(lambda: events.create_event(member, session=session, form=event_form(start)), session) == \
        "events.error.staff_only"
    assert error_key(lambda: events.create_event(None, session=session, form=event_form(start)), session) == \
        "error.sign_in_required"
    assert session.exec(select(Event)).all() == []
    end_read(session)


def _door_event(session, **kwargs):
    """An event that starts in an hour (the door is open)."""
    return make_event(session, starts_in=timedelta(hours=1), **kwargs)


def test_door_check_in_by_code_once_and_refusals(session, staff):
    event_id = _door_event(session, capacity=2)
    other_id = _door_event(session, capacity=5)
    people = members(session, 3)
    end_read(session)
    seat = events.register_member(people[0], session=session, event_id=event_id)
    events.register_member(people[1], session=session, event_id=event_id)
    queued = events.register_member(people[2], session=session, event_id=event_id)
    elsewhere = events.register_member(people[0], session=session, event_id=other_id)

    typed = seat.ticket_code.lower().replace("-", " ")
    outcome = events.door_check_in(staff, session=session, event_id=event_id, code=typed)
    assert (outcome.status, outcome.name, outcome.kind) == ("checked_in", "Anggota " + outcome.name[-4:], "member")
    again = events.door_check_in(staff, session=session, event_id=event_id, code=seat.ticket_code)
    assert again.status == "already" and again.checked_in_text == outcome.checked_in_text

    def state():
        rows = [(row.id, row.checked_in_at) for row in registrations(session, event_id)]
        rows += [(row.id, row.checked_in_at) for row in registrations(session, other_id)]
        audit = len(session.exec(select(AuditEntry)).all())
        end_read(session)
        return rows, audit

    before = state()
    refusals = {
        elsewhere.ticket_code: "events.error.ticket_other_event",
        queued.ticket_code: "events.error.ticket_waitlisted",
        "ZZZZZ-ZZZZZ": "events.error.ticket_unknown",
        "bukan kode!": "events.error.ticket_format",
        "A" * 5000: "events.error.ticket_format",
    }
    for code, key in refusals.items():
        assert error_key(lambda code=code: events.door_check_in(staff, session=session, event_id=event_id,
                                                                 code=code), session) == key
    assert error_key(lambda: events.door_check_in(people[1], session=session, event_id=event_id,
                                                  code=seat.ticket_code), session) == "events.error.staff_only"
    assert state() == before
    later_id = make_event(session, starts_in=timedelta(days=2))
    end_read(session)
    later = events.register_member(people[1], session=session, event_id=later_id)
    assert error_key(lambda: events.door_check_in(staff, session=session, event_id=later_id,
                                                  code=later.ticket_code), session) == "events.error.door_closed"


def test_walk_ins_take_a_seat_while_seats_are_left(session, staff):
    event_id = _door_event(session, capacity=2)
    member, = members(session, 1)
    end_read(session)
    events.register_member(member, session=session, event_id=event_id)
    walk_in = events.add_walk_in(staff, session=session, event_id=event_id,
                                 form={"name": "Dewi Lestari", "email": "Dewi@contoh.example", "organisation": ""})
    assert (walk_in.status, walk_in.kind, walk_in.seats_left) == ("checked_in", "guest", 0)
    row = [r for r in registrations(session, event_id) if r.walk_in][0]
    assert (row.status, row.guest_email, row.checked_in_at is not None) == ("registered", "dewi@contoh.example", True)
    before = [(r.id, r.status) for r in registrations(session, event_id)]
    assert error_key(lambda: events.add_walk_in(staff, session=session, event_id=event_id,
                                                form={"name": "Satu Lagi"}), session) == "events.error.full"
    assert error_key(lambda: events.add_walk_in(staff, session=session, event_id=event_id,
                                                form={"name": ""}), session) == "error.field_required"
    assert error_key(lambda: events.add_walk_in(staff, session=session, event_id=event_id,
                                                form={"name": "X", "email": "bukan"}), session) == "error.email_invalid"
    assert [(r.id, r.status) for r in registrations(session, event_id)] == before
    roster = events.roster(staff, session=session, event_id=event_id, locale="en")
    assert (roster.registered, roster.checked_in, roster.door_open) == (2, 1, True)
    assert {row.kind for row in roster.rows} == {"member", "guest"}
    end_read(session)


def test_roster_lists_seats_then_the_queue_in_order_then_unconfirmed(session, staff):
    event_id = make_event(session, capacity=1)
    people = members(session, 3)
    for actor in people:
        end_read(session)
        events.register_member(actor, session=session, event_id=event_id)
    events.register_guest(None, session=session, event_id=event_id, locale="id", client="1.2.3.4",
                          form={"name": "Tamu Baru", "email": "tamu@contoh.example", "organisation": "Warung"})
    roster = events.roster(staff, session=session, event_id=event_id, locale="id")
    assert [(row.status, row.queue_position) for row in roster.rows] == [
        ("registered", 0), ("waitlisted", 1), ("waitlisted", 2), ("unconfirmed", 0)]
    assert roster.rows[-1].organisation == "Warung" and roster.unconfirmed == 1
    member = people[0]
    assert error_key(lambda: events.roster(member, session=session, event_id=event_id), session) == \
        "events.error.staff_only"
    # Staff take someone off: the first waiting takes the seat.
    events.remove_registration(staff, session=session, registration_id=roster.rows[0].registration_id)
    roster = events.roster(staff, session=session, event_id=event_id, locale="id")
    assert [(row.status, row.queue_position) for row in roster.rows][:2] == [("registered", 0), ("waitlisted", 1)]
    end_read(session)


def test_admin_list_form_and_publication(session, staff):
    start = utcnow() + timedelta(days=5)
    event_id = events.create_event(staff, session=session, form=event_form(start))
    # Staff see a draft; to anyone else it does not exist.
    assert events.event_view(staff, session=session, event_id=event_id, locale="id").status == "draft"
    assert error_key(lambda: events.event_view(None, session=session, event_id=event_id), session) == \
        "events.error.not_found"
    assert events.upcoming_events(None, session=session, locale="id").rows == []
    events.publish_event(staff, session=session, event_id=event_id)
    assert error_key(lambda: events.publish_event(staff, session=session, event_id=event_id), session) == \
        "events.error.not_draft"
    page = events.upcoming_events(None, session=session, locale="en")
    assert [card.title for card in page.rows] == ["Digital SME demo day"]
    listed = events.admin_events(staff, session=session, locale="en")
    assert [(row.id, row.status) for row in listed.rows] == [(event_id, "published")]
    form = events.event_form(staff, session=session, event_id=event_id, locale="id")
    assert form["title_id"] == "Hari Demo UMKM Digital" and form["starts_at"] == event_form(start)["starts_at"]
    assert events.event_form(staff, session=session, event_id=0)["event_id"] == 0
    end_read(session)


def test_event_photo_is_reencoded_with_a_jpeg_for_previews(session, staff):
    event_id = make_event(session)
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1260), (200, 80, 20)).save(buffer, "PNG")
    url = events.save_event_photo(staff, session=session, event_id=event_id, data=buffer.getvalue())
    name = url.rsplit("/", 1)[1]
    folder = get_settings().upload_dir / "events"
    with Image.open(folder / name) as webp:
        assert webp.format == "WEBP" and max(webp.size) == 1200
    assert (folder / name.replace(".webp", ".jpg")).is_file()
    view = events.event_view(None, session=session, event_id=event_id, locale="id")
    assert view.photo_url == url and view.og_image_url.endswith(name.replace(".webp", ".jpg"))
    assert view.og_image_url.startswith("http")
    end_read(session)
    assert error_key(lambda: events.save_event_photo(staff, session=session, event_id=event_id,
                                                     data=b"<svg/>"), session) == "error.avatar_invalid"


def test_member_registration_inside_the_last_day_counts_as_reminded(session):
    event_id = make_event(session, starts_in=timedelta(hours=5))
    member, = members(session, 1)
    end_read(session)
    events.register_member(member, session=session, event_id=event_id)
    row, = registrations(session, event_id)
    assert row.reminded_at is not None
    session.exec(update(EventRegistration).values(reminded_at=None))
    session.commit()
    assert events.send_event_reminders(session=session) == 1


def test_reading_services_refuse_junk_with_a_message(session, staff):
    make_event(session)
    for cursor in ("99999999999999999999.1", "x", 7, ["a"], "1.99999999999999999999"):
        assert error_key(lambda cursor=cursor: events.upcoming_events(None, session=session, cursor=cursor),
                         session) == "error.invalid"
    for junk in ("abc", -1, None, 2**70, {"id": 1}):
        assert error_key(lambda junk=junk: events.event_view(None, session=session, event_id=junk), session) in (
            "error.field_type", "error.field_range")
        assert error_key(lambda junk=junk: events.roster(staff, session=session, event_id=junk), session) in (
            "error.field_type", "error.field_range")
    assert error_key(lambda: events.admin_events(staff, session=session, past="maybe"), session) == "error.field_type"
    assert events.upcoming_events(None, session=session, locale="xx").rows[0].title == "Temu Startup Jakarta–Berlin"
    end_read(session)
