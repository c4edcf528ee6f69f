"""The booking service against a real database, on SQLite and on PostgreSQL."""

import dataclasses
from datetime import timedelta

import pytest
from sqlmodel import col, select

from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.models import AuditEntry, Booking, EmailOutbox, Notification, Space, User
from hub_app.models.base import utcnow
from hub_app.services import (
    booking_admin,
    booking_calendar,
    booking_checkins,
    booking_series,
    bookings,
    personal_data,
    space_reservations,
    spaces,
)
from hub_app.services.bookings import BookingRow
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, local, make_space, put_booking, weekday_ahead
from tests.transactions import end_read


@pytest.fixture
def people(session):
    rina = make_user(session, "rina@umkm.example", name="Rina Kusuma")
    andi = make_user(session, "andi@startup.example", name="Andi Pratama")
    budi = make_user(session, "staf@jfch.example", name="Budi Santoso", role="staff")
    dewi = make_user(session, "dewi@craft.example", name="Dewi Lestari", status="pending")
    return {name: actor_of(user) for name, user in (("rina", rina), ("andi", andi), ("budi", budi), ("dewi", dewi))}


@pytest.fixture
def room(session):
    return make_space(session)


def _book(session, actor, space, day, start, end, **extra):
    space_id = space.id  # reloads the row when a rollback expired it: a read
    end_read(session)
    return bookings.book(actor, session=session, space_id=space_id, start=iso(day, *start), end=iso(day, *end),
                         title=extra.pop("title", "Rapat tim"), people=extra.pop("people", 2), **extra)


def _key(call) -> str:
    with pytest.raises((Conflict, InvalidInput, NotAllowed, NotFound)) as caught:
        call()
    return caught.value.key


def _count(session, model, *where) -> int:
    session.expire_all()
    return len(session.exec(select(model).where(*where)).all())


def test_member_books_a_room_and_sees_it_in_my_bookings(session, people, room):
    day = weekday_ahead()
    row = _book(session, people["rina"], room, day, (10,), (11,))
    assert isinstance(row, BookingRow) and row.status == "confirmed" and row.can_cancel
    page = bookings.my_bookings(people["rina"], session=session)
    assert [r.id for r in page.rows] == [row.id]
    assert "10.00" in page.rows[0].when and page.rows[0].space == "Ruang Rapat Monas"
    assert bookings.my_bookings(people["andi"], session=session).rows == []


def test_overlapping_booking_gets_the_message_and_changes_nothing(session, people, room):
    day = weekday_ahead()
    _book(session, people["rina"], room, day, (10,), (11,))
    assert _key(lambda: _book(session, people["andi"], room, day, (10, 30), (11, 30))) == "booking.error.slot_taken"
    assert _count(session, Booking) == 1
    _book(session, people["andi"], room, day, (11,), (12,))  # back to back is fine


@pytest.mark.parametrize("start,end,key", [
    ("2020-01-06T10:00", "2020-01-06T11:00", "booking.error.past"),
    ("{day}T07:00", "{day}T08:00", "booking.error.outside_hours"),
    ("{day}T19:30", "{day}T20:30", "booking.error.outside_hours"),
    ("{day}T10:10", "{day}T11:00", "booking.error.not_aligned"),
    ("{day}T11:00", "{day}T10:00", "booking.error.end_before_start"),
    ("{day}T9:00", "{day}T10:00", "error.date_invalid"),
    ("tomorrow", "{day}T10:00", "error.date_invalid"),
    ("{day}T10:00", "{day}T15:00", "booking.error.too_long"),
])
def test_bad_times_are_refused_with_a_message(session, people, room, start, end, key):
    day = weekday_ahead()
    call = lambda: bookings.book(people["rina"], session=session, space_id=room.id,  # noqa: E731
                                 start=start.format(day=day), end=end.format(day=day), title="Rapat")
    assert _key(call) == key
    assert _count(session, Booking) == 0


def test_bad_payloads_never_crash(session, people, room):
    day = weekday_ahead()
    for payload in [dict(space_id="abc"), dict(space_id=None), dict(space_id=[1]), dict(space_id=99999),
                    dict(start=12), dict(start={"a": 1}), dict(title=""), dict(title="x" * 500), dict(people=0),
                    dict(people=9), dict(people="many"), dict(note=["x"])]:
        kwargs = dict(space_id=room.id, start=iso(day, 10), end=iso(day, 11), title="Rapat", people=2) | payload
        with pytest.raises((InvalidInput, NotFound, Conflict)):
            bookings.book(people["rina"], session=session, **kwargs)
    assert _count(session, Booking) == 0


def test_over_capacity_and_closures(session, people, room):
    day = weekday_ahead()
    assert _key(lambda: _book(session, people["rina"], room, day, (10,), (11,), people=9)) == \
        "booking.error.over_capacity"
    spaces.add_closure(people["budi"], session=session, first_day=day.isoformat(), last_day=day.isoformat(),
                       reason="Perawatan AC", space_id=room.id)
    assert _key(lambda: _book(session, people["rina"], room, day, (10,), (11,))) == "booking.error.closed"
    other = make_space(session, name="Ruang Rapat Ancol")
    _book(session, people["rina"], other, day, (10,), (11,))


def test_public_holidays_close_the_hub(session, people, room):
    added = spaces.import_public_holidays(session, [2026, 2027])
    assert added >= 15
    assert spaces.import_public_holidays(session, [2026, 2027]) == 0  # idempotent
    from datetime import date

    from hub_app.domain.opening_hours import whole_day
    from tests.bookings.helpers import WIB
    start, end = whole_day(date(2026, 8, 17), WIB)  # Independence Day
    closures = spaces.closures_between(session, start, end)
    assert any(c.space_id is None for c in closures)


def test_pending_members_and_visitors_cannot_book(session, people, room):
    day = weekday_ahead()
    assert _key(lambda: _book(session, people["dewi"], room, day, (10,), (11,))) == "error.active_required"
    assert _key(lambda: _book(session, None, room, day, (10,), (11,))) == "error.sign_in_required"
    assert _count(session, Booking) == 0


def test_quotas_hours_per_week_and_upcoming(session, people, room):
    day = weekday_ahead()
    user = session.get(User, people["rina"].user_id)
    user.quota_hours_per_week, user.quota_upcoming_bookings = 3, 2
    session.add(user)
    session.commit()
    _book(session, people["rina"], room, day, (8,), (10,))
    assert _key(lambda: _book(session, people["rina"], room, day, (10,), (12,))) == "booking.error.quota_hours"
    _book(session, people["rina"], room, day, (10,), (11,))
    assert _key(lambda: _book(session, people["rina"], room, day + timedelta(days=7), (10,), (11,))) == \
        "booking.error.quota_upcoming"
    # Staff set the quota back to the default (20 h, 5 upcoming).
    record = booking_admin.set_quota(people["budi"], session=session, member_id=user.id, hours_per_week="",
                                upcoming_bookings="")
    assert record.hours_per_week == 20 and record.upcoming_bookings == 5 and not record.custom_quota
    _book(session, people["rina"], room, day + timedelta(days=7), (10,), (11,))
    assert _count(session, AuditEntry, AuditEntry.action == "booking.quota") == 1
    assert _key(lambda: booking_admin.set_quota(people["rina"], session=session, member_id=user.id,
                                           hours_per_week=100)) == "error.not_allowed"


def test_desk_area_counts_seats(session, people):
    desks = make_space(session, kind="desk_area", capacity=3, name="Area Kerja Bersama")
    day = weekday_ahead()
    _book(session, people["rina"], desks, day, (9,), (12,), people=2)
    _book(session, people["andi"], desks, day, (10,), (11,), people=1)
    assert _key(lambda: _book(session, people["budi"], desks, day, (10, 30), (11, 30), people=1)) == \
        "booking.error.no_seats"
    _book(session, people["budi"], desks, day, (11,), (12,), people=1)


def test_approval_holds_the_slot_and_notifies(session, people):
    hall = make_space(session, kind="event_hall", capacity=80, name="Aula Jakarta–Berlin", needs_approval=True,
                      max_minutes=480)
    day = weekday_ahead()
    pending = _book(session, people["rina"], hall, day, (13,), (16,))
    assert pending.status == "pending"
    assert _key(lambda: _book(session, people["andi"], hall, day, (14,), (15,))) == "booking.error.slot_taken"
    assert [r.id for r in booking_admin.approval_queue(people["budi"], session=session)] == [pending.id]
    assert _key(lambda: bookings.decide(people["rina"], session=session, booking_id=pending.id,
                                        approve=True)) == "error.not_allowed"
    assert _key(lambda: bookings.decide(people["budi"], session=session, booking_id=pending.id,
                                        approve=False)) == "error.field_required"
    bookings.decide(people["budi"], session=session, booking_id=pending.id, approve=False, reason="Aula dipakai pemda")
    session.expire_all()
    assert session.get(Booking, pending.id).status == "declined"
    notes = session.exec(select(Notification).where(Notification.user_id == people["rina"].user_id)).all()
    assert [n.kind for n in notes] == ["booking.declined"] and notes[0].params["reason"] == "Aula dipakai pemda"
    assert _count(session, EmailOutbox, EmailOutbox.to_address == "rina@umkm.example") == 1
    assert _count(session, AuditEntry, AuditEntry.action == "booking.decline") == 1
    # The declined booking freed the slot.
    again = _book(session, people["andi"], hall, day, (14,), (15,))
    bookings.decide(people["budi"], session=session, booking_id=again.id, approve=True)
    session.expire_all()
    assert session.get(Booking, again.id).status == "confirmed"
    end_read(session)
    assert _key(lambda: bookings.decide(people["budi"], session=session, booking_id=again.id,
                                        approve=True)) == "booking.error.not_pending"


def test_cancel_own_until_start_and_not_another_members(session, people, room):
    day = weekday_ahead()
    mine = _book(session, people["rina"], room, day, (10,), (11,))
    assert _key(lambda: bookings.cancel(people["andi"], session=session, booking_id=mine.id)) == \
        "booking.error.no_booking"
    assert _key(lambda: bookings.cancel(people["andi"], session=session, booking_id=999999)) == \
        "booking.error.no_booking"
    assert _key(lambda: bookings.cancel(people["andi"], session=session, booking_id="x")) == "error.field_type"
    bookings.cancel(people["rina"], session=session, booking_id=mine.id)
    session.expire_all()
    assert session.get(Booking, mine.id).status == "cancelled"
    end_read(session)
    assert _key(lambda: bookings.cancel(people["rina"], session=session, booking_id=mine.id)) == \
        "booking.error.not_cancellable"
    started = put_booking(session, room, people["rina"].user_id, utcnow() - timedelta(minutes=5),
                          utcnow() + timedelta(minutes=55))
    assert _key(lambda: bookings.cancel(people["rina"], session=session, booking_id=started.id)) == \
        "booking.error.started"


def test_staff_cancel_with_a_reason_notifies_and_audits(session, people, room):
    day = weekday_ahead()
    booking = _book(session, people["rina"], room, day, (10,), (11,))
    assert _key(lambda: bookings.cancel(people["budi"], session=session, booking_id=booking.id)) == \
        "error.field_required"
    bookings.cancel(people["budi"], session=session, booking_id=booking.id, reason="Ruang dipakai rapat wali kota")
    assert _count(session, Notification, Notification.kind == "booking.cancelled") == 1
    assert _count(session, AuditEntry, AuditEntry.action == "booking.cancel") == 1


def test_staff_book_on_behalf_and_block_a_space(session, people, room):
    day = weekday_ahead()
    row = bookings.book(people["budi"], session=session, space_id=room.id, start=iso(day, 10), end=iso(day, 11),
                        title="Konsultasi", people=2, member_id=people["rina"].user_id)
    session.expire_all()
    assert session.get(Booking, row.id).user_id == people["rina"].user_id
    assert _count(session, Notification, Notification.kind == "booking.booked_for_you") == 1
    assert _count(session, AuditEntry, AuditEntry.action == "booking.on_behalf") == 1
    assert _key(lambda: bookings.book(people["andi"], session=session, space_id=room.id, start=iso(day, 12),
                                      end=iso(day, 13), title="x", member_id=people["rina"].user_id)) == \
        "error.not_allowed"
    end_read(session)
    assert _key(lambda: bookings.block_space(people["budi"], session=session, space_id=room.id, start=iso(day, 10),
                                             end=iso(day, 12), reason="Perbaikan proyektor")) == \
        "booking.error.slot_taken"
    bookings.block_space(people["budi"], session=session, space_id=room.id, start=iso(day, 13), end=iso(day, 17),
                         reason="Perbaikan proyektor")
    assert _key(lambda: _book(session, people["andi"], room, day, (14,), (15,))) == "booking.error.slot_taken"
    assert _key(lambda: bookings.block_space(people["rina"], session=session, space_id=room.id, start=iso(day, 17),
                                             end=iso(day, 18), reason="x")) == "error.not_allowed"


def test_recurring_series_preview_skip_and_cancel_rest(session, people, room):
    day = weekday_ahead()
    room_id = room.id  # a plain id: the services' rollbacks expire the row
    user = session.get(User, people["rina"].user_id)
    user.quota_upcoming_bookings = 20
    session.add(user)
    session.commit()
    _book(session, people["andi"], room, day + timedelta(days=7), (10, 30), (11, 30))
    preview = booking_series.preview_series(people["rina"], session=session, space_id=room_id, start=iso(day, 10),
                                            end=iso(day, 11), frequency="weekly", count=4)
    assert len(preview) == 4
    assert [bool(p.problem) for p in preview] == [False, True, False, False]
    assert "sudah dipesan" in preview[1].problem
    assert _key(lambda: booking_series.book_series(people["rina"], session=session, space_id=room_id,
                                                   start=iso(day, 10), end=iso(day, 11), title="Kelas",
                                                   frequency="weekly", count=4)) == "booking.error.series_conflict"
    assert _count(session, Booking, Booking.user_id == people["rina"].user_id) == 0
    end_read(session)
    result = booking_series.book_series(people["rina"], session=session, space_id=room_id, start=iso(day, 10),
                                        end=iso(day, 11), title="Kelas", frequency="weekly", count=4,
                                        skip_conflicts=True)
    assert result.created == 3 and len(result.skipped) == 1
    series = session.exec(select(Booking).where(Booking.series_id == result.series_id)
                          .order_by(col(Booking.starts_at))).all()
    assert [b.starts_at for b in series] == [local(day + timedelta(days=7 * w), 10) for w in (0, 2, 3)]
    # Cancel one occurrence, then the rest of the series from the second one on.
    end_read(session)
    assert bookings.cancel(people["rina"], session=session, booking_id=series[0].id) == 1
    assert bookings.cancel(people["rina"], session=session, booking_id=series[1].id, scope="rest") == 2
    session.expire_all()
    assert {session.get(Booking, b.id).status for b in series} == {"cancelled"}


def test_check_in_window_button_and_qr(session, people, room):
    now = utcnow()
    soon = put_booking(session, room, people["rina"].user_id, now + timedelta(minutes=10), now + timedelta(minutes=70))
    later = put_booking(session, room, people["rina"].user_id, now + timedelta(hours=3), now + timedelta(hours=4))
    assert _key(lambda: booking_checkins.check_in(people["rina"], session=session, booking_id=later.id)) == \
        "booking.error.check_in_window"
    assert _key(lambda: booking_checkins.check_in(people["andi"], session=session, booking_id=soon.id)) == \
        "booking.error.no_booking"
    row = booking_checkins.check_in_at_space(people["rina"], session=session, space_id=room.id)
    assert row.id == soon.id and row.checked_in
    assert _key(lambda: booking_checkins.check_in(people["rina"], session=session, booking_id=soon.id)) == \
        "booking.error.already_checked_in"
    assert _key(lambda: booking_checkins.check_in_at_space(people["rina"], session=session, space_id=room.id)) == \
        "booking.error.nothing_to_check_in"
    assert spaces.qr_data_uri(room.id).startswith("data:image/svg+xml;base64,")


def test_no_shows_are_released_once_and_counted(session, people, room):
    now = utcnow()
    missed = put_booking(session, room, people["rina"].user_id, now - timedelta(minutes=20),
                         now + timedelta(minutes=40))
    other = make_space(session, name="Ruang Rapat Ancol")
    attended = put_booking(session, other, people["andi"].user_id, now - timedelta(minutes=20),
                           now + timedelta(minutes=40))
    attended.checked_in_at = now - timedelta(minutes=18)
    session.add(attended)
    session.commit()
    assert booking_checkins.release_no_shows(session=session) == 1
    assert booking_checkins.release_no_shows(session=session) == 0
    session.expire_all()
    assert session.get(Booking, missed.id).status == "released" and session.get(Booking, missed.id).no_show
    assert session.get(Booking, attended.id).status == "confirmed"
    assert _count(session, Notification, Notification.kind == "booking.released") == 1
    record = booking_admin.member_record(people["budi"], session=session, email="RINA@umkm.example")
    assert record.no_shows == 1
    assert _key(lambda: booking_admin.member_record(people["rina"], session=session, email="rina@umkm.example")) == \
        "error.not_allowed"


def test_release_claims_rows_safely_with_parallel_workers(engine, session, people, room):
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import Session
    now = utcnow()
    for index in range(6):
        space = make_space(session, name=f"Ruang {index}")
        put_booking(session, space, people["rina"].user_id, now - timedelta(minutes=30), now + timedelta(minutes=30))

    def worker(_):
        with Session(engine, expire_on_commit=False) as own:
            return booking_checkins.release_no_shows(session=own)

    with ThreadPoolExecutor(max_workers=4) as pool:
        released = list(pool.map(worker, range(4)))
    assert sum(released) == 6
    assert _count(session, Notification, Notification.kind == "booking.released") == 6


def test_training_interface_holds_moves_and_releases(session, people, room):
    day = weekday_ahead()
    room_id = room.id  # a plain id: the services' rollbacks expire the row
    _book(session, people["rina"], room, day, (10,), (11,))
    with pytest.raises(Conflict) as caught:
        space_reservations.reserve_for_training(session, space_id=room_id, start=local(day, 10, 30), end=local(day, 12),
                                                title_id="Pemasaran digital", title_en="Digital marketing",
                                                training_session_id=7)
    assert caught.value.key == "booking.error.slot_taken"
    session.rollback()
    booking_id = space_reservations.reserve_for_training(session, space_id=room_id, start=local(day, 13),
                                                         end=local(day, 15),
                                                         title_id="Pemasaran digital", title_en="Digital marketing",
                                                         training_session_id=7)
    session.commit()
    assert _key(lambda: _book(session, people["andi"], room, day, (14,), (15,))) == "booking.error.slot_taken"
    view = booking_calendar.calendar_day(people["andi"], session=session, day=day.isoformat())
    assert any("Pemasaran digital" in cell.label for cell in view.cells)
    with pytest.raises(Conflict):
        space_reservations.move_training_reservation(session, booking_id, space_id=room_id, start=local(day, 10),
                                                     end=local(day, 11))
    session.rollback()
    space_reservations.move_training_reservation(session, booking_id, space_id=room_id, start=local(day, 15),
                                                 end=local(day, 17))
    session.commit()
    _book(session, people["andi"], room, day, (13,), (14,))
    space_reservations.release_training_reservation(session, booking_id)
    session.commit()
    _book(session, people["andi"], room, day, (15,), (16,))


def test_space_requiring_training_uses_the_registered_check(session, people):
    lab = make_space(session, name="Lab Produksi Konten", required_training_id=42)
    day = weekday_ahead()
    registered = bookings._training_check  # trainings registers its check at import; put it back after
    bookings.set_training_completion_check(None)
    try:
        assert _key(lambda: _book(session, people["rina"], lab, day, (10,), (11,))) == \
            "booking.error.training_required"
        _book(session, people["budi"], lab, day, (10,), (11,))  # staff can
        completed = {(people["rina"].user_id, 42)}
        bookings.set_training_completion_check(lambda s, user_id, training_id: (user_id, training_id) in completed)
        _book(session, people["rina"], lab, day, (11,), (12,))
        assert _key(lambda: _book(session, people["andi"], lab, day, (12,), (13,))) == \
            "booking.error.training_required"
    finally:
        bookings.set_training_completion_check(registered)


def test_calendar_day_shows_busy_to_members_and_names_to_staff(session, people, room):
    day = weekday_ahead()
    _book(session, people["rina"], room, day, (10,), (11,), title="Rapat investor")
    desks = make_space(session, kind="desk_area", capacity=4, name="Area Kerja Bersama")
    _book(session, people["rina"], desks, day, (9,), (10,), people=1)
    andi = booking_calendar.calendar_day(people["andi"], session=session, day=day.isoformat())
    busy = [c for c in andi.cells if c.kind == "busy"]
    assert busy and all("Rina" not in (c.label + c.detail) and "investor" not in c.label for c in busy)
    assert any(c.kind == "free" and c.start == iso(day, 11) for c in andi.cells)
    assert any(c.label == "3 kursi kosong" for c in andi.cells)
    staff = booking_calendar.calendar_day(people["budi"], session=session, day=day.isoformat())
    assert any(c.detail == "Rina Kusuma" and c.label == "Rapat investor" for c in staff.cells)
    rina = booking_calendar.calendar_day(people["rina"], session=session, day=day.isoformat())
    assert any(c.kind == "mine" and c.label == "Rapat investor" for c in rina.cells)
    week = booking_calendar.calendar_week(people["andi"], session=session, space_id=room.id, day=day.isoformat())
    assert week.columns == 7 and sum(c.kind == "head" for c in week.cells) == 7
    assert any(c.kind == "busy" for c in week.cells)
    # The version changes when a booking in the window changes, not otherwise.
    before = booking_calendar.window_version(session=session, window_start=andi.window_start,
                                             window_end=andi.window_end)
    assert before == andi.version
    _book(session, people["andi"], room, day, (12,), (13,))
    after = booking_calendar.window_version(session=session, window_start=andi.window_start, window_end=andi.window_end)
    assert after != before
    # A closure of another day leaves it alone; one in the window changes it.
    end_read(session)
    spaces.add_closure(people["budi"], session=session, first_day=(day + timedelta(days=2)).isoformat(),
                       last_day="", reason="Perawatan", space_id=room.id)
    assert booking_calendar.window_version(session=session, window_start=andi.window_start,
                                           window_end=andi.window_end) == after
    end_read(session)
    spaces.add_closure(people["budi"], session=session, first_day=day.isoformat(), last_day="", reason="Perawatan",
                       space_id=room.id, start_time="16:00", end_time="17:00")
    assert booking_calendar.window_version(session=session, window_start=andi.window_start,
                                           window_end=andi.window_end) != after
    choice = booking_calendar.booking_choice(people["andi"], session=session, space_id=room.id, start=iso(day, 11))
    assert [label for _, label in choice.ends] == ["11.30", "12.00"]


def test_one_reading_of_a_day_draws_each_viewers_calendar_and_leaks_nothing_between_them(session, people, room):
    day = weekday_ahead()
    _book(session, people["rina"], room, day, (10,), (11,), title="Rapat investor")
    desks = make_space(session, kind="desk_area", capacity=4, name="Area Kerja Bersama")
    _book(session, people["rina"], desks, day, (9,), (10,), people=1, title="Fokus")
    reading = booking_calendar.read_day(session=session, day=day.isoformat(), locale="id")
    # Drawn for the member with bookings and for staff first: the others' views stay their own.
    order = [people["rina"], people["budi"], people["andi"], None, people["rina"], people["andi"]]
    for viewer in order:
        assert booking_calendar.view_day(reading, viewer) == booking_calendar.calendar_day(
            viewer, session=session, day=day.isoformat())
    andi = booking_calendar.view_day(reading, people["andi"])
    assert not any(c.kind == "mine" or "investor" in c.label or "Fokus" in c.label or "Rina" in c.detail
                   for c in andi.cells)
    rina = booking_calendar.view_day(reading, people["rina"])
    assert {c.label for c in rina.cells if c.kind == "mine"} == {"Rapat investor", "Fokus"}


@pytest.mark.parametrize("locale", ["id", "en"])
def test_each_viewer_sees_the_day_as_if_every_column_were_drawn_for_them(session, people, room, locale):
    """A member's view reuses the columns drawn for no one, with their own bookings as theirs: it
    must be exactly the columns drawn for that member, whoever holds what (member bookings of
    several members, pending, a training's and an event's reservations, a staff block, a booking
    running past closing time, a desk area)."""
    day = weekday_ahead()
    other_room = make_space(session, name="Ruang Rapat Kota Tua", needs_approval=True)
    desks = make_space(session, kind="desk_area", capacity=3, name="Area Kerja Bersama")
    _book(session, people["rina"], room, day, (9,), (10, 30), title="Rapat investor")
    _book(session, people["andi"], room, day, (11,), (12,), title="Demo produk")
    _book(session, people["rina"], room, day, (13,), (14,), title="Wawancara")
    _book(session, people["andi"], other_room, day, (10,), (11,), title="Menunggu")  # pending: needs approval
    _book(session, people["rina"], desks, day, (9,), (12,), people=1, title="Fokus")
    _book(session, people["andi"], desks, day, (10,), (11,), people=2, title="Tamu")
    put_booking(session, other_room, None, local(day, 14), local(day, 16), kind="training", title="Pelatihan NIB")
    put_booking(session, other_room, None, local(day, 12), local(day, 13), kind="event", title="Temu UMKM")
    put_booking(session, room, people["budi"].user_id, local(day, 15), local(day, 16), kind="block", title="Servis AC")
    put_booking(session, room, people["andi"].user_id, local(day, 16), local(day, 23), title="Sampai malam")

    viewers = [people["andi"], None, people["rina"], people["budi"], people["dewi"], people["rina"]]
    viewers = [viewer if viewer is None else dataclasses.replace(viewer, locale=locale) for viewer in viewers]

    def each_viewer_sees_every_column_drawn_for_them():
        end_read(session)
        views = {}
        for duration in (60, 120):
            reading = booking_calendar.read_day(session=session, day=day.isoformat(), locale=locale, duration=duration)
            views[duration] = [booking_calendar.view_day(reading, viewer) for viewer in viewers]
        for duration in (60, 120):
            # As drawn from scratch: nothing kept from earlier readings (columns, free start times).
            booking_calendar._DRAWN.clear()
            booking_calendar._READINGS.clear()
            fresh = booking_calendar.read_day(session=session, day=day.isoformat(), locale=locale, duration=duration)
            for viewer, view in zip(viewers, views[duration], strict=True):
                each_column_for_them = list(fresh.time_cells)
                for index in range(len(fresh.spaces)):
                    each_column_for_them += booking_calendar._day_column(fresh, index, viewer)
                assert view.cells == each_column_for_them and view == booking_calendar.view_day(fresh, viewer)
        return views[60][2]

    rina = each_viewer_sees_every_column_drawn_for_them()
    assert {c.label for c in rina.cells if c.kind == "mine"} == {"Rapat investor", "Wawancara", "Fokus"}
    # After changes to one space (the columns of the others are drawn once for all readings): a
    # booking, a cancellation, a closure, a new name.
    made = _book(session, people["rina"], other_room, day, (16,), (17,), title="Sore")
    assert "Sore" in {c.label for c in each_viewer_sees_every_column_drawn_for_them().cells if c.kind == "mine"}
    end_read(session)
    bookings.cancel(people["rina"], session=session, booking_id=made.id)
    assert "Sore" not in {c.label for c in each_viewer_sees_every_column_drawn_for_them().cells}
    end_read(session)
    spaces.add_closure(people["budi"], session=session, first_day=day.isoformat(), last_day="", reason="Perawatan",
                       space_id=room.id, start_time="12:00", end_time="13:00")
    closed = [c for c in each_viewer_sees_every_column_drawn_for_them().cells if c.kind == "closed"]
    assert any(c.space_id == room.id for c in closed)
    end_read(session)
    room_row = session.get(Space, room.id)
    room_row.name_id, room_row.name_en, room_row.updated_at = "Ruang Rapat Baru", "New Meeting Room", utcnow()
    session.commit()
    heads = {c.label for c in each_viewer_sees_every_column_drawn_for_them().cells if c.kind == "head"}
    assert ("Ruang Rapat Baru" if locale == "id" else "New Meeting Room") in heads


def test_a_day_is_read_once_while_it_stays_the_same_and_again_after_any_change(session, people, room):
    day = weekday_ahead()
    first = booking_calendar.read_day(session=session, day=day.isoformat(), locale="id")
    end_read(session)
    assert booking_calendar.read_day(session=session, day=day.isoformat(), locale="id") is first
    assert booking_calendar.read_day(session=session, day=day.isoformat(), locale="en") is not first

    def busy_for_andi() -> set[str]:
        end_read(session)
        view = booking_calendar.calendar_day(people["andi"], session=session, day=day.isoformat())
        return {c.time for c in view.cells if c.kind == "busy" and c.space_id == room.id}

    assert busy_for_andi() == set()
    booking = _book(session, people["rina"], room, day, (10,), (11,))
    assert busy_for_andi() == {"10.00–11.00"}
    end_read(session)
    bookings.cancel(people["rina"], session=session, booking_id=booking.id)
    assert busy_for_andi() == set()
    # A space renamed, a closure and new opening hours show on the next load too.
    end_read(session)
    form = spaces.space_form(people["budi"], session=session, space_id=room.id)
    spaces.save_space(people["budi"], session=session, space_id=room.id, form={**form.values, "name_id": "Ruang Baru"})
    end_read(session)
    assert "Ruang Baru" in {c.label for c in booking_calendar.calendar_day(
        people["andi"], session=session, day=day.isoformat()).cells if c.kind == "head"}
    end_read(session)
    spaces.add_closure(people["budi"], session=session, first_day=day.isoformat(), last_day="", reason="Perawatan",
                       space_id=room.id, start_time="16:00", end_time="17:00")
    end_read(session)
    closed = [c for c in booking_calendar.calendar_day(people["andi"], session=session, day=day.isoformat()).cells
              if c.kind == "closed" and c.space_id == room.id]
    assert closed and all(c.time >= "16.00" for c in closed)


def test_personal_data_export_and_erase(session, people, room):
    day = weekday_ahead()
    future = _book(session, people["rina"], room, day, (10,), (11,))
    past = put_booking(session, room, people["rina"].user_id, utcnow() - timedelta(days=3, hours=1),
                       utcnow() - timedelta(days=3))
    exported = personal_data.export_all(session, people["rina"].user_id)
    assert len(exported["bookings"]) == 2
    personal_data.erase_all(session, people["rina"].user_id)
    session.commit()
    session.expire_all()
    assert session.get(Booking, future.id).status == "cancelled"
    assert session.get(Booking, past.id).status == "confirmed"
