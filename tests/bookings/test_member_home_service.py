"""A member's own hub and the phone booking flow, against a real database (SQLite and PostgreSQL):
the day /book opens on and why, a closed day named once, free start times per space, the form's
preselected end, the refusal said before the form; the home's list of the next 7 days, the waitlist,
unread notifications split from forum replies, the next free desk seat booked in one more tap, and
the checklist of a pending member."""

from datetime import timedelta

from sqlmodel import Session, select

from hub_app.domain.opening_hours import day_bounds
from hub_app.models import Booking, Closure, Enrolment, Notification, OpeningHours
from hub_app.models.base import utcnow
from hub_app.services import booking_calendar, bookings, calendar_drawing, member_home
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import WIB, iso, local, make_space, weekday_ahead
from tests.trainings.helpers import make_training


def run(engine, service, *args, **kwargs):
    """As the app runs a service: a fresh database session per call."""
    with Session(engine, expire_on_commit=False) as session:
        return service(*args, session=session, **kwargs)


def open_every_day(engine) -> None:
    with Session(engine) as session:
        for weekday in range(7):
            session.merge(OpeningHours(weekday=weekday, opens_minute=0, closes_minute=24 * 60 - 30))
        session.commit()


def close_hub(engine, day, reason: str) -> None:
    start, end = day_bounds(day, WIB)
    with Session(engine) as session:
        session.add(Closure(space_id=None, kind="holiday", reason_id=reason, reason_en=reason + " (en)",
                            starts_at=start, ends_at=end))
        session.commit()


def test_book_opens_on_the_next_open_day_and_says_why(engine):
    open_every_day(engine)
    today = utcnow().astimezone(WIB).date()
    close_hub(engine, today, "Hari Natal")
    with Session(engine) as session:
        make_space(session)
    view = run(engine, booking_calendar.calendar_day, None)
    assert view.day == (today + timedelta(days=1)).isoformat()
    assert "Hari Natal" in view.notice and not view.closed
    # Asked for that day itself: closed, named once, no cell and no start time says it again.
    closed = run(engine, booking_calendar.calendar_day, None, day=today.isoformat())
    assert closed.closed and closed.closed_reason == "Tutup: Hari Natal"
    assert closed.cells == [] and closed.spaces == []
    english = run(engine, booking_calendar.calendar_day, None, day=today.isoformat(), locale="en")
    assert english.closed_reason == "Closed: Hari Natal (en)"


def test_free_start_times_and_the_preselected_end(engine):
    day = weekday_ahead()
    with Session(engine, expire_on_commit=False) as session:
        room = make_space(session, max_minutes=120)
        other = make_user(session, "andi@umkm.example", name="Andi")
        session.add(Booking(space_id=room.id, user_id=other.id, starts_at=local(day, 11), ends_at=local(day, 12),
                            title="Rapat", exclusive=True))
        session.commit()
        member = actor_of(make_user(session, "rina@umkm.example"))
    view = run(engine, booking_calendar.calendar_day, member, day=day.isoformat(), duration=90)
    [space] = view.spaces
    starts = [chip.start for chip in space.starts + space.more]
    assert view.duration == 90 and view.durations == [30, 60, 90, 120]
    assert iso(day, 9, 30) in starts and iso(day, 10) not in starts and iso(day, 12) in starts
    assert len(space.starts) == calendar_drawing.STARTS_SHOWN and space.more
    choice = run(engine, booking_calendar.booking_choice, member, space_id=room.id, start=iso(day, 9, 30),
                 duration=90)
    assert choice.default_end == iso(day, 11) and not choice.refusal
    # The end preselected never runs into the next booking.
    choice = run(engine, booking_calendar.booking_choice, member, space_id=room.id, start=iso(day, 10, 30),
                 duration=90)
    assert choice.default_end == iso(day, 11)


def test_a_pending_member_is_told_before_the_form(engine):
    day = weekday_ahead()
    with Session(engine, expire_on_commit=False) as session:
        room = make_space(session)
        pending = actor_of(make_user(session, "baru@umkm.example", status="pending"))
    choice = run(engine, booking_calendar.booking_choice, pending, space_id=room.id, start=iso(day, 10))
    assert "disetujui staf" in choice.refusal


def test_cancelled_bookings_leave_upcoming_for_past(engine):
    day = weekday_ahead()
    with Session(engine, expire_on_commit=False) as session:
        room = make_space(session)
        member = actor_of(make_user(session, "rina@umkm.example"))
    row = run(engine, bookings.book, member, space_id=room.id, start=iso(day, 10), end=iso(day, 11), title="Rapat")
    assert [r.id for r in run(engine, bookings.my_bookings, member).rows] == [row.id]
    run(engine, bookings.cancel, member, booking_id=row.id)
    assert run(engine, bookings.my_bookings, member).rows == []
    [past] = run(engine, bookings.my_bookings, member, past=True).rows
    assert past.id == row.id and past.status == "cancelled"


def test_the_home_lists_my_next_seven_days_in_time_order(engine):
    now = utcnow()
    today = now.astimezone(WIB).date()
    open_every_day(engine)
    with Session(engine, expire_on_commit=False) as session:
        room = make_space(session, needs_approval=False)
        hall = make_space(session, name="Aula", kind="event_hall", needs_approval=True)
        me = make_user(session, "rina@umkm.example")
        other = make_user(session, "andi@umkm.example", name="Andi")
        soon = local(today + timedelta(days=2), 10)
        session.add_all([
            Booking(space_id=room.id, user_id=me.id, starts_at=soon, ends_at=soon + timedelta(hours=1),
                    title="Rapat klien", exclusive=True),
            Booking(space_id=hall.id, user_id=me.id, starts_at=soon + timedelta(days=1),
                    ends_at=soon + timedelta(days=1, hours=2), title="Demo day", exclusive=True, status="pending"),
            Booking(space_id=room.id, user_id=me.id, starts_at=soon + timedelta(hours=3),
                    ends_at=soon + timedelta(hours=4), title="Dibatalkan", exclusive=True, status="cancelled"),
            Booking(space_id=room.id, user_id=me.id, starts_at=soon + timedelta(days=9),
                    ends_at=soon + timedelta(days=9, hours=1), title="Terlalu jauh", exclusive=True),
            Booking(space_id=room.id, user_id=other.id, starts_at=soon + timedelta(hours=5),
                    ends_at=soon + timedelta(hours=6), title="Milik orang lain", exclusive=True),
        ])
        session.commit()
        training = make_training(session, sessions=[(soon - timedelta(days=1), soon - timedelta(days=1, hours=-2))],
                                 format="online", online_link="https://meet.example/abc")
        full = make_training(session, capacity=0, title_id="Kelas penuh", title_en="Full class")
        session.add(Enrolment(training_id=training.id, user_id=me.id, status="enrolled"))
        session.add(Enrolment(training_id=full.id, user_id=other.id, status="waitlisted", queue_number=1))
        session.add(Enrolment(training_id=full.id, user_id=me.id, status="waitlisted", queue_number=2))
        session.add(Notification(user_id=me.id, kind="forum.reply", link="/forum/t/1",
                                 params={"thread": "Halo", "author": "Andi", "excerpt": "Setuju!"}))
        session.add(Notification(user_id=me.id, kind="membership.approved", params={}, link="/profile"))
        session.add(Notification(user_id=other.id, kind="membership.approved", params={}, link="/profile"))
        session.commit()
        me_actor = actor_of(me)
    home = run(engine, member_home.my_hub, me_actor)
    assert [(item.kind, item.title) for item in home.agenda] == [
        ("session", "Pemasaran Instagram untuk UMKM"), ("booking", "Rapat klien"), ("pending", "Demo day")]
    session_item = home.agenda[0]
    assert session_item.place == "Daring" and session_item.online_link == "https://meet.example/abc"
    assert [(place.title, place.position) for place in home.waitlist] == [("Kelas penuh", 2)]
    assert [row.link for row in home.forum] == ["/forum/t/1"]
    assert [row.link for row in home.notifications] == ["/profile"]
    assert home.checklist is None


def test_book_a_desk_now_offers_the_next_free_seat_and_books_it(engine):
    open_every_day(engine)
    with Session(engine, expire_on_commit=False) as session:
        make_space(session, kind="desk_area", capacity=1, name="Coworking Kota Tua")
        me = actor_of(make_user(session, "rina@umkm.example"))
        other = actor_of(make_user(session, "andi@umkm.example", name="Andi"))
    offer = run(engine, member_home.my_hub, me).desk
    assert offer is not None and offer.text.startswith("Coworking Kota Tua, ")
    row = run(engine, member_home.book_desk_now, me, space_id=offer.space_id, start=offer.start, end=offer.end)
    assert row.status == "confirmed" and row.title == "Kerja di meja"
    # The one seat is taken for that time: the next offer (to someone else) starts later.
    later = run(engine, member_home.my_hub, other).desk
    assert later is not None and later.start >= offer.end
    with Session(engine) as session:
        assert len(session.exec(select(Booking)).all()) == 1


def test_a_pending_member_gets_the_checklist_instead(engine):
    with Session(engine, expire_on_commit=False) as session:
        pending = make_user(session, "baru@umkm.example", status="pending")
        pending.email_verified_at = utcnow()
        pending.business_name, pending.sector = "Batik Rina", "fashion"
        session.add(pending)
        session.commit()
        rejected = make_user(session, "tolak@umkm.example", status="rejected")
        rejected.status_reason = "Bukan UMKM"
        session.add(rejected)
        session.commit()
        pending_actor, rejected_actor = actor_of(pending), actor_of(rejected)
    home = run(engine, member_home.my_hub, pending_actor)
    assert home.checklist is not None and home.agenda == [] and home.desk is None
    assert (home.checklist.email_verified, home.checklist.profile_complete, home.checklist.rejected) == (
        True, False, False)
    refused = run(engine, member_home.my_hub, rejected_actor).checklist
    assert refused.rejected and refused.reason == "Bukan UMKM"
