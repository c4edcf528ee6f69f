"""Staff run the programme, and a session at the hub is a booking of its room: SQLite and PostgreSQL."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from hub_app.domain import trainings as rules
from hub_app.models import AuditEntry, Booking, Notification
from hub_app.models.base import utcnow
from hub_app.models.trainings import Attendance, Enrolment, TrainingSession
from hub_app.services import bookings, calendar_feed, enrolments, training_admin, training_attendance, trainings
from tests.accounts.factories import actor_of, make_user
from tests.bookings.helpers import iso, local, make_space, put_booking, weekday_ahead
from tests.trainings.helpers import error_key, make_training, members, reload, sessions_of, statuses
from tests.transactions import end_read, write_meanwhile

FORM = {
    "title_id": "Mengurus NIB lewat OSS RBA", "title_en": "Getting your NIB through OSS RBA",
    "description_id": "Langkah demi langkah **NIB**.", "description_en": "Step by step **NIB**.",
    "topic": "permits", "level": "beginner", "language": "id", "format": "hub", "online_link": "",
    "capacity": "12", "completion_share": "100",
}


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@jfch.example", name="Budi Santoso", role="staff"))


@pytest.fixture
def room(session):
    return make_space(session, name="Ruang Berlin", capacity=12)


def _form(day, **changes):
    """A training form whose enrolment closes the day before `day` (local)."""
    before = day - timedelta(days=1)
    form = FORM | {"enrol_opens_at": iso(before - timedelta(days=10), 8), "enrol_closes_at": iso(before, 17),
                   "cancel_until": iso(before, 12)}
    return form | changes


def _new_training(session, staff, room, day, **changes) -> int:
    training_id = training_admin.create_training(staff, session=session, form=_form(day, **changes))
    training_admin.add_session(staff, session=session, training_id=training_id,
                               form={"start": iso(day, 9), "end": iso(day, 12), "space_id": str(room.id)})
    return training_id


def _training_bookings(session, space_id):
    session.expire_all()
    return session.exec(select(Booking).where(Booking.space_id == space_id, Booking.kind == "training",
                                              col(Booking.status).in_(["pending", "confirmed"]))).all()


def test_staff_create_a_training_whose_session_books_its_room(session, staff, room):
    day = weekday_ahead(5)
    training_id = _new_training(session, staff, room, day)
    training_admin.publish_training(staff, session=session, training_id=training_id)
    [booking] = _training_bookings(session, room.id)
    [row] = session.exec(select(TrainingSession)).all()
    assert (booking.starts_at, booking.ends_at) == (local(day, 9), local(day, 12))
    assert booking.title == FORM["title_id"] and booking.training_session_id == row.id and row.booking_id == booking.id
    detail = trainings.training_detail(None, session=session, training_id=training_id)
    assert detail.status == "published" and detail.sessions[0].place == "Ruang Berlin"
    assert "<strong>NIB</strong>" in detail.description_html
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.actor_id == staff.user_id)
                           .order_by(col(AuditEntry.id))).all()
    assert actions == ["training.create", "training.session_add", "training.publish"]


def test_a_members_view_of_a_training_is_read_in_six_statements(session, staff, room):
    """The training, its sessions with their rooms, trainers, prerequisites (none here, so no
    question of which the member completed), the member's enrolment and attendance: one statement
    each, however many sessions there are (a training's page is among the most opened)."""
    day = weekday_ahead(5)
    training_id = _new_training(session, staff, room, day)
    training_admin.add_session(staff, session=session, training_id=training_id,
                               form={"start": iso(day + timedelta(days=1), 9), "end": iso(day + timedelta(days=1), 12),
                                     "space_id": str(room.id)})
    training_admin.publish_training(staff, session=session, training_id=training_id)
    member = actor_of(make_user(session, "anggota@umkm.example", name="Sari"))
    enrolments.enrol(member, session=session, training_id=training_id)
    end_read(session)
    session.expunge_all()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 (conn, cursor, statement, ...)
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        detail = trainings.training_detail(member, session=session, training_id=training_id)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert [row.place for row in detail.sessions] == ["Ruang Berlin", "Ruang Berlin"] and detail.my_status == "enrolled"
    assert len([text for text in statements if text.lstrip().upper().startswith("SELECT")]) == 6


def test_a_session_over_an_existing_booking_is_refused_and_nothing_is_added(session, staff, room):
    day = weekday_ahead(5)
    room_id = room.id  # plain: reloading an expired row is a read
    rina = make_user(session, "rina@umkm.example")
    put_booking(session, room, rina.id, local(day, 10), local(day, 11))
    training_id = training_admin.create_training(staff, session=session, form=_form(day))
    key = error_key(lambda: training_admin.add_session(staff, session=session, training_id=training_id,
                                                       form={"start": iso(day, 9), "end": iso(day, 12),
                                                             "space_id": room_id}), session)
    assert key == "booking.error.slot_taken"
    session.expire_all()
    assert session.exec(select(TrainingSession)).all() == [] and _training_bookings(session, room_id) == []
    assert reload(session, type("T", (), {"id": training_id})()).session_count == 0
    # Staff choose another time and it works.
    training_admin.add_session(staff, session=session, training_id=training_id,
                               form={"start": iso(day, 13), "end": iso(day, 15), "space_id": room_id})
    assert len(_training_bookings(session, room_id)) == 1


def test_a_member_booking_over_a_session_is_refused(session, staff, room):
    day = weekday_ahead(5)
    _new_training(session, staff, room, day)
    andi = actor_of(make_user(session, "andi@startup.example"))
    key = error_key(lambda: bookings.book(andi, session=session, space_id=room.id, start=iso(day, 11),
                                          end=iso(day, 12), title="Rapat", people=2), session)
    assert key == "booking.error.slot_taken"
    session.expire_all()
    assert session.exec(select(Booking).where(Booking.kind == "member")).all() == []


def test_moving_a_session_moves_its_booking_and_a_taken_slot_is_refused(session, staff, room):
    day = weekday_ahead(5)
    training_id = _new_training(session, staff, room, day)
    training_admin.publish_training(staff, session=session, training_id=training_id)
    [enrolled] = members(session, 1)
    enrolments.enrol(enrolled, session=session, training_id=training_id)
    other = make_space(session, name="Ruang Rapat Ancol", capacity=8)
    [row] = session.exec(select(TrainingSession)).all()
    # Plain ids: rollbacks and expire_all() expire the rows, and reloading them is a read.
    row_id, room_id, other_id = row.id, room.id, other.id
    end_read(session)
    training_admin.move_session(staff, session=session, session_id=row_id,
                                form={"start": iso(day, 13), "end": iso(day, 16), "space_id": other_id})
    assert _training_bookings(session, room_id) == []
    [moved] = _training_bookings(session, other_id)
    assert (moved.starts_at, moved.ends_at) == (local(day, 13), local(day, 16))
    # The member is told about the change.
    assert session.exec(select(Notification.kind).where(Notification.user_id == enrolled.user_id)).all() == \
        ["training.changed"]
    # A slot that is taken: refused, session and booking stay where they were.
    put_booking(session, room, None, local(day, 9), local(day, 10), kind="block")
    assert error_key(lambda: training_admin.move_session(
        staff, session=session, session_id=row_id,
        form={"start": iso(day, 9), "end": iso(day, 11), "space_id": room_id}), session) == "booking.error.slot_taken"
    session.expire_all()
    row = session.get(TrainingSession, row_id)
    assert (row.space_id, row.start_at) == (other_id, local(day, 13))
    assert [b.id for b in _training_bookings(session, other_id)] == [moved.id]


def test_deleting_a_session_or_cancelling_the_training_frees_the_room(session, staff, room):
    day = weekday_ahead(5)
    room_id = room.id  # plain: reloading an expired row is a read
    training_id = _new_training(session, staff, room, day)
    training_admin.add_session(staff, session=session, training_id=training_id,
                               form={"start": iso(day + timedelta(days=7), 9), "end": iso(day + timedelta(days=7), 12),
                                     "space_id": room_id})
    training_admin.publish_training(staff, session=session, training_id=training_id)
    first, second = sessions_of(session, reload(session, type("T", (), {"id": training_id})()))
    first_id = first.id
    training_admin.delete_session(staff, session=session, session_id=second.id)
    assert len(_training_bookings(session, room_id)) == 1
    # The last session of a published training cannot be deleted: cancel the training instead.
    end_read(session)
    assert error_key(lambda: training_admin.delete_session(staff, session=session, session_id=first_id), session) == \
        "trainings.error.last_session"
    people = members(session, 2)
    enrolments.enrol(people[0], session=session, training_id=training_id)
    training_admin.cancel_training(staff, session=session, training_id=training_id, reason="Pelatih sakit")
    assert _training_bookings(session, room_id) == []
    andi = actor_of(make_user(session, "andi@startup.example"))
    bookings.book(andi, session=session, space_id=room_id, start=iso(day, 10), end=iso(day, 11), title="Rapat",
                  people=2)
    kinds = session.exec(select(Notification.kind).where(Notification.user_id == people[0].user_id)).all()
    assert kinds == ["training.cancelled"]
    end_read(session)
    assert error_key(lambda: enrolments.enrol(people[1], session=session, training_id=training_id), session) == \
        "trainings.error.not_open"


@pytest.mark.parametrize(("start", "end", "key"), [
    ((12,), (9,), "trainings.error.session_order"),
    ((9,), (9,), "trainings.error.session_order"),
])
def test_a_session_that_ends_before_it_starts_is_refused(session, staff, room, start, end, key):
    day = weekday_ahead(5)
    training_id = training_admin.create_training(staff, session=session, form=_form(day))
    assert error_key(lambda: training_admin.add_session(staff, session=session, training_id=training_id, form={
        "start": iso(day, *start), "end": iso(day, *end), "space_id": room.id}), session) == key
    assert session.exec(select(TrainingSession)).all() == [] and _training_bookings(session, room.id) == []


@pytest.mark.parametrize("form", [
    {"start": "2020-01-01T09:00", "end": "2020-01-01T10:00"},  # the past
    {"start": "kemarin", "end": "besok"},
    {"start": ["x"], "end": None},
    {"start": "2026-13-45T25:99", "end": "2026-13-45T26:00"},
    {},
    "not a form",
])
def test_junk_session_forms_are_refused(session, staff, room, form):
    day = weekday_ahead(5)
    training_id = training_admin.create_training(staff, session=session, form=_form(day))
    if isinstance(form, dict):
        form = form | {"space_id": room.id}
    assert error_key(lambda: training_admin.add_session(staff, session=session, training_id=training_id, form=form),
                     session)
    assert session.exec(select(TrainingSession)).all() == []


def test_a_session_at_the_hub_needs_a_room(session, staff, room):
    day = weekday_ahead(5)
    training_id = training_admin.create_training(staff, session=session, form=_form(day))
    assert error_key(lambda: training_admin.add_session(staff, session=session, training_id=training_id, form={
        "start": iso(day, 9), "end": iso(day, 12), "space_id": ""}), session) == "trainings.error.space_required"
    assert error_key(lambda: training_admin.add_session(staff, session=session, training_id=training_id, form={
        "start": iso(day, 9), "end": iso(day, 12), "space_id": 10**6}), session) == "booking.error.no_space"


@pytest.mark.parametrize(("changes", "key"), [
    ({"title_id": "", "title_en": ""}, "trainings.error.title_required"),
    ({"capacity": "0"}, "error.field_range"),
    ({"capacity": "sepuluh"}, "error.field_type"),
    ({"topic": "weapons"}, "error.field_choice"),
    ({"format": "online", "online_link": ""}, "trainings.error.link_required"),
    ({"format": "online", "online_link": "javascript:alert(1)"}, "trainings.error.link_invalid"),
    ({"enrol_closes_at": "2020-01-01T00:00"}, "trainings.error.window_order"),
    ({"enrol_opens_at": "nanti"}, "error.date_invalid"),
    ({"title_id": "x" * 121}, "error.field_too_long"),
])
def test_bad_training_forms_are_refused_and_nothing_is_created(session, staff, changes, key):
    day = weekday_ahead(5)
    form = _form(day, **changes)
    assert error_key(lambda: training_admin.create_training(staff, session=session, form=form), session) == key
    assert training_admin.admin_list(staff, session=session).rows == []


def test_members_cannot_run_the_programme(session, room):
    rina = actor_of(make_user(session, "rina@umkm.example"))
    training = make_training(session)
    [row] = sessions_of(session, training)
    day = weekday_ahead(5)
    calls = [
        lambda: training_admin.create_training(rina, session=session, form=_form(day)),
        lambda: training_admin.update_training(rina, session=session, training_id=training.id, form=_form(day)),
        lambda: training_admin.publish_training(rina, session=session, training_id=training.id),
        lambda: training_admin.cancel_training(rina, session=session, training_id=training.id, reason="x"),
        lambda: training_admin.add_session(rina, session=session, training_id=training.id, form={}),
        lambda: training_admin.move_session(rina, session=session, session_id=row.id, form={}),
        lambda: training_admin.delete_session(rina, session=session, session_id=row.id),
        lambda: training_admin.add_trainer(rina, session=session, training_id=training.id, form={"name": "X"}),
        lambda: training_admin.add_prerequisite(rina, session=session, training_id=training.id, required_training_id=1),
        lambda: training_admin.admin_list(rina, session=session),
        lambda: training_admin.admin_training(rina, session=session, training_id=training.id),
        lambda: enrolments.roster(rina, session=session, training_id=training.id),
        lambda: enrolments.staff_add(rina, session=session, training_id=training.id, email="a@b.example"),
        lambda: enrolments.staff_remove(rina, session=session, enrolment_id=1),
        lambda: training_attendance.session_attendance(rina, session=session, session_id=row.id),
        lambda: training_attendance.set_attendance(rina, session=session, session_id=row.id, user_id=rina.user_id,
                                                   present=True),
        lambda: enrolments.export_enrolments_csv(rina, session=session, training_id=training.id),
        lambda: training_attendance.export_attendance_csv(rina, session=session, training_id=training.id),
    ]
    for call in calls:
        assert error_key(call) == "trainings.error.staff_only"
    assert error_key(lambda: training_admin.admin_list(None, session=session), session) == "error.sign_in_required"
    assert reload(session, training).status == "published"
    assert session.exec(select(AuditEntry)).all() == []


def test_completion_unlocks_a_space_that_requires_the_training(session, staff):
    now = utcnow()
    basics = make_training(session, title_id="Studio basics",
                           sessions=[(now - timedelta(minutes=10), now + timedelta(hours=1))],
                           opens=now - timedelta(days=3), closes=now - timedelta(hours=1),
                           cancel_until=now - timedelta(hours=1))
    studio = make_space(session, name="Studio Podcast", capacity=4, required_training_id=basics.id)
    rina = make_user(session, "rina@umkm.example")
    member = actor_of(rina)
    day = weekday_ahead(3)

    studio_id = studio.id

    def book():
        end_read(session)
        return bookings.book(member, session=session, space_id=studio_id, start=iso(day, 10), end=iso(day, 11),
                             title="Rekaman podcast", people=2)

    refused = error_key(book)
    assert refused.startswith("booking.error")
    enrolments.staff_add(staff, session=session, training_id=basics.id, email="rina@umkm.example")
    [row] = sessions_of(session, basics)
    training_attendance.set_attendance(staff, session=session, session_id=row.id, user_id=rina.id, present=True)
    assert trainings.has_completed_training(session, rina.id, basics.id)
    assert book().status == "confirmed"


def test_attendance_by_staff_and_by_qr_completes_by_share(session, staff):
    now = utcnow()
    training = make_training(session, completion_share=50, sessions=[
        (now - timedelta(days=2), now - timedelta(days=2) + timedelta(hours=2)),
        (now - timedelta(minutes=5), now + timedelta(hours=2)),
        (now + timedelta(days=2), now + timedelta(days=2, hours=2)),
        (now + timedelta(days=4), now + timedelta(days=4, hours=2)),
    ], opens=now - timedelta(days=9), closes=now - timedelta(days=3), cancel_until=now - timedelta(days=3))
    rina, andi = members(session, 2)
    for actor in (rina, andi):
        enrolments.staff_add(staff, session=session, training_id=training.id, email=_email(session, actor))
    past, current, future, _ = sessions_of(session, training)
    # Plain values: error_key's rollbacks expire the rows, and reloading them is a read.
    past_id, future_id = past.id, future.id
    current_code, future_code = current.check_in_code, future.check_in_code
    training_attendance.set_attendance(staff, session=session, session_id=past_id, user_id=rina.user_id, present=True)
    sheet = training_attendance.session_attendance(staff, session=session, session_id=past_id)
    assert [(r.name, r.present) for r in sheet.rows] == [(rina.name, True), (andi.name, False)]
    assert sheet.qr_svg.startswith("data:image/svg+xml") and "/trainings/check-in/" in sheet.check_in_url
    # A member scans the code of the session that is on now: the second of four, half: completed.
    end_read(session)
    outcome = training_attendance.check_in(rina, session=session, code=current_code)
    assert (outcome.session_number, outcome.completed) == (2, True)
    assert trainings.training_detail(rina, session=session, training_id=training.id).completed
    assert session.exec(select(Notification.kind).where(Notification.user_id == rina.user_id,
                                                        Notification.kind == "training.completed")).all()
    # Scanning again changes nothing; scanning a session that is not on is refused.
    end_read(session)
    training_attendance.check_in(rina, session=session, code=current_code)
    assert error_key(lambda: training_attendance.check_in(rina, session=session, code=future_code), session) == \
        "trainings.error.check_in_closed"
    assert error_key(lambda: training_attendance.check_in(rina, session=session, code="0" * 32), session) == \
        "trainings.error.check_in_code"
    assert error_key(lambda: training_attendance.check_in(rina, session=session, code="../../x"), session) == \
        "trainings.error.check_in_code"
    [outsider] = members(session, 1)
    assert error_key(lambda: training_attendance.check_in(outsider, session=session, code=current_code), session) == \
        "trainings.error.not_on_roster"
    # Staff cannot mark a future session yet; un-marking takes the completion back.
    assert error_key(lambda: training_attendance.set_attendance(staff, session=session, session_id=future_id,
                                                                user_id=andi.user_id, present=True), session) == \
        "trainings.error.session_not_started"
    training_attendance.set_attendance(staff, session=session, session_id=past_id, user_id=rina.user_id, present=False)
    assert not trainings.has_completed_training(session, rina.user_id, training.id)
    marks = session.exec(select(Attendance.method).where(Attendance.user_id == rina.user_id)).all()
    assert marks == ["qr"]


def _email(session, actor) -> str:
    from hub_app.models import User

    email = session.get(User, actor.user_id).email
    end_read(session)
    return email


def test_exports_as_csv_with_formulas_defused(session, staff):
    now = utcnow()
    training = make_training(session, capacity=1, sessions=[(now - timedelta(minutes=5), now + timedelta(hours=1))],
                             opens=now - timedelta(days=2), closes=now - timedelta(hours=1),
                             cancel_until=now - timedelta(hours=1))
    tricky = make_user(session, "evil@x.example", name="=HYPERLINK(\"http://x\")")
    waiting = make_user(session, "wait@x.example", name="Wulan Sari")
    enrolments.staff_add(staff, session=session, training_id=training.id, email=tricky.email)
    enrolments.staff_add(staff, session=session, training_id=training.id, email=waiting.email)
    [row] = sessions_of(session, training)
    training_attendance.set_attendance(staff, session=session, session_id=row.id, user_id=tricky.id, present=True)
    enrolled_csv = enrolments.export_enrolments_csv(staff, session=session, training_id=training.id)
    lines = enrolled_csv.strip().splitlines()
    assert lines[0].startswith("enrolment_id,member_id,name,email")
    assert "'=HYPERLINK" in enrolled_csv and ",waitlisted,1," in enrolled_csv
    attendance_csv = training_attendance.export_attendance_csv(staff, session=session, training_id=training.id)
    assert attendance_csv.strip().splitlines()[1].endswith(",1,1,yes")
    actions = session.exec(select(AuditEntry.action).where(col(AuditEntry.action).like("training.export%"))).all()
    assert sorted(actions) == ["training.export_attendance", "training.export_enrolments"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"])
def test_exports_read_back_with_no_cell_a_spreadsheet_would_run(session, staff, start):
    now = utcnow()
    training = make_training(session, capacity=5, sessions=[(now - timedelta(minutes=5), now + timedelta(hours=1))],
                             opens=now - timedelta(days=2), closes=now - timedelta(hours=1),
                             cancel_until=now - timedelta(hours=1))
    name, business, comment = (f"{start}HYPERLINK(\"http://x.example\")", f"{start}1+cmd|' /C calc'!A0",
                               f"{start}SUM(1+1)")
    member = make_user(session, "formula@x.example", name=name)
    member.business_name = business
    session.add(member)
    session.commit()
    enrolments.staff_add(staff, session=session, training_id=training.id, email=member.email)
    [row] = sessions_of(session, training)
    training_attendance.set_attendance(staff, session=session, session_id=row.id, user_id=member.id, present=True)
    enrolment = session.exec(select(Enrolment).where(Enrolment.user_id == member.id)).one()
    enrolment.rating_comment = comment
    session.add(enrolment)
    session.commit()

    def read(body: str) -> list[dict]:
        return list(csv.DictReader(io.StringIO(body, newline="")))

    [enrolled] = read(enrolments.export_enrolments_csv(staff, session=session, training_id=training.id))
    assert (enrolled["name"], enrolled["business"], enrolled["comment"]) == ("'" + name, "'" + business, "'" + comment)
    assert enrolled["email"] == "formula@x.example" and enrolled["status"] == "enrolled"
    [attended] = read(training_attendance.export_attendance_csv(staff, session=session, training_id=training.id))
    assert attended["name"] == "'" + name and attended["attended"] == "1"


def test_sessions_appear_in_the_personal_calendar_feed(session, staff, room):
    day = weekday_ahead(5)
    training_id = _new_training(session, staff, room, day)
    training_admin.publish_training(staff, session=session, training_id=training_id)
    rina, andi = members(session, 2)
    enrolments.enrol(rina, session=session, training_id=training_id)
    url = calendar_feed.regenerate_feed(rina, session=session).url
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = calendar_feed.feed_for_token(session=session, token=token).decode()
    assert "SUMMARY:Mengurus NIB lewat OSS RBA" in feed and "Ruang Berlin" in feed
    assert trainings.training_ics(rina, session=session, training_id=training_id).count(b"BEGIN:VEVENT") == 1
    assert trainings.training_ics(andi, session=session, training_id=training_id) is None
    assert trainings.training_ics(None, session=session, training_id=training_id) is None


def test_catalogue_filters_search_and_pages(session):
    now = utcnow()
    day = timedelta(days=1)
    made = {}
    for index in range(30):
        start = now + day * (index + 2)
        made[index] = make_training(
            session, capacity=1 if index % 5 == 0 else 10, sessions=[(start, start + timedelta(hours=2))],
            title_id=f"Pelatihan {index} {'ekspor' if index % 3 == 0 else 'pemasaran'}",
            title_en=f"Training {index}", topic="export" if index % 3 == 0 else "digital_marketing",
            level=rules.LEVELS[index % 3], language=rules.LANGUAGES[index % 3],
            format="online" if index % 2 else "hub")
    past = make_training(session, title_id="Pelatihan lama", sessions=[(now - day * 5, now - day * 5 + timedelta(
        hours=2))], opens=now - day * 9, closes=now - day * 6, cancel_until=now - day * 6)
    [rina] = members(session, 1)
    for index in range(0, 30, 5):
        enrolments.enrol(rina, session=session, training_id=made[index].id)

    def ids(**filters):
        result, cursor = [], ""
        while True:
            page = trainings.catalogue(None, session=session, filters=filters, cursor=cursor)
            result += [card.id for card in page.cards]
            if not page.next_cursor:
                return result
            cursor = page.next_cursor

    everything = ids()
    assert everything == [made[i].id for i in range(30)]  # by date, no duplicates across pages, no past ones
    assert ids(topic="export") == [made[i].id for i in range(0, 30, 3)]
    assert ids(level="advanced") == [made[i].id for i in range(2, 30, 3)]
    assert ids(language="en") == [made[i].id for i in range(30) if rules.LANGUAGES[i % 3] in ("en", "both")]
    assert ids(format="online") == [made[i].id for i in range(1, 30, 2)]
    assert ids(seats_only="on") == [made[i].id for i in range(30) if i % 5]
    assert ids(query="EKSPOR") == [made[i].id for i in range(0, 30, 3)]
    assert ids(query="pelatihan 1 ekspor") == [made[i].id for i in (12, 15, 18, 21)]  # every word must match
    local_day = (now + day * 12).astimezone(bookings.hub_tz()).date()
    assert ids(date_from=local_day.isoformat(), date_to=local_day.isoformat()) == [made[10].id]
    assert ids(date_from=(local_day - day * 30).isoformat())[0] == past.id
    assert ids(query="%") == everything and ids(query="_") == everything
    assert error_key(lambda: ids(date_from="2026-02-30"), session) == "error.date_invalid"
    assert error_key(lambda: ids(date_from="2026-03-10", date_to="2026-03-01"), session) == "trainings.error.date_range"
    assert error_key(lambda: ids(topic="weapons"), session) == "error.field_choice"
    assert error_key(lambda: trainings.catalogue(None, session=session, cursor="1; DROP TABLE"), session) == \
        "error.invalid"
    page = trainings.catalogue(rina, session=session)
    assert {card.id: card.my_status for card in page.cards}[made[0].id] == "enrolled"
    assert statuses(session, made[0]) == {rina.user_id: "enrolled"}


def test_enrolled_members_get_the_change_notice_and_publishing_needs_a_session(session, staff, room):
    day = weekday_ahead(5)
    room_id = room.id  # plain: reloading an expired row is a read
    training_id = training_admin.create_training(staff, session=session, form=_form(day))
    assert error_key(lambda: training_admin.publish_training(staff, session=session, training_id=training_id),
                     session) == "trainings.error.no_sessions"
    training_admin.add_session(staff, session=session, training_id=training_id,
                               form={"start": iso(day, 9), "end": iso(day, 12), "space_id": room_id})
    training_admin.publish_training(staff, session=session, training_id=training_id)
    assert error_key(lambda: training_admin.publish_training(staff, session=session, training_id=training_id),
                     session) == "trainings.error.not_draft"
    trainer_id = training_admin.add_trainer(staff, session=session, training_id=training_id,
                                            form={"name": "Lestari Putri", "bio_id": "Fasilitator", "bio_en": ""})
    assert error_key(lambda: training_admin.add_trainer(staff, session=session, training_id=training_id,
                                                        form={"trainer_id": str(trainer_id)}), session) == \
        "trainings.error.trainer_already"
    assert trainings.catalogue(None, session=session, filters={"query": "lestari"}).cards[0].id == training_id
    view = training_admin.admin_training(staff, session=session, training_id=training_id)
    assert [t.name for t in view.trainers] == ["Lestari Putri"] and view.space_choices[0].id == room.id
    end_read(session)
    training_admin.remove_trainer(staff, session=session, training_id=training_id, trainer_id=trainer_id)
    assert trainings.catalogue(None, session=session, filters={"query": "lestari"}).cards == []
    assert session.exec(select(Enrolment)).all() == []


def test_descriptions_are_markdown_without_raw_html_and_links_get_nofollow(session):
    training = make_training(session, description_id=(
        "**Tebal** <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        "[jahat](javascript:alert(1)) [OSS](https://oss.go.id)"))
    html = trainings.training_detail(None, session=session, training_id=training.id).description_html
    assert "<strong>Tebal</strong>" in html
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert '<a href="https://oss.go.id" rel="nofollow noopener">OSS</a>' in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize("service, export", [
    pytest.param(enrolments, "export_enrolments_csv", id="enrolments"),
    pytest.param(training_attendance, "export_attendance_csv", id="attendance"),
])
def test_an_export_is_recorded_when_someone_wrote_while_it_was_read(session, staff, monkeypatch, service, export):
    """On SQLite a transaction that has read cannot take the write lock after another connection
    wrote ("database is locked", a 500 for the staff member): the export ends its read first."""
    training = make_training(session, capacity=2)
    drawn = service.csv_document

    def written_meanwhile(header, rows):
        write_meanwhile(session)
        return drawn(header, rows)

    monkeypatch.setattr(service, "csv_document", written_meanwhile)
    assert getattr(service, export)(staff, session=session, training_id=training.id)
    end_read(session)
    action = "training." + export.removesuffix("_csv")
    assert session.exec(select(AuditEntry).where(AuditEntry.action == action)).one().target_id == training.id
