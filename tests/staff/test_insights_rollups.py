"""The insights' rollups (services/insights/rollups.py) on SQLite and PostgreSQL: the known answers
of test_insights_service.py read from the rollups; figures after changes of rolled days (through
the real services and through plain SQL) equal to the all-live figures, before and after the duty
runs again; the triggers after `alembic upgrade heads`; the duty idempotent, equal to a build from
scratch, and safe when two run at once; the command line."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlmodel import Session, select

import tests.staff.test_insights_service as known
from hub_app import background, cli
from hub_app.domain.insights import period_for
from hub_app.models import Attendance, Booking, ForumPost, Space, TrainingSession, User
from hub_app.models.base import utcnow
from hub_app.models.insights_rollups import (
    InsightDirtyDay,
    InsightHourDay,
    InsightMemberMonth,
    InsightProgrammeDay,
    InsightRollupState,
    InsightSectorDay,
    InsightSpaceDay,
)
from hub_app.services import booking_checkins, bookings, insights
from hub_app.services.bookings import hub_tz
from hub_app.services.insights import rollups
from tests.accounts.factories import actor_of, make_user
from tests.staff.helpers import desk_area, enrol, post, training
from tests.staff.test_insights_service import frozen, hub  # noqa: F401  (fixtures of the known answers)

KNOWN_ANSWERS = [known.test_space_use, known.test_heat_map_and_peak_hours, known.test_bookings_by_sector_and_stage,
                 known.test_members, known.test_programme, known.test_community,
                 known.test_labels_and_another_comparison]
ROLLUPS = (InsightSpaceDay, InsightHourDay, InsightSectorDay, InsightProgrammeDay, InsightMemberMonth)


@pytest.mark.parametrize("check", KNOWN_ANSWERS, ids=lambda check: check.__name__)
def test_known_answers_from_the_rollups(session, frozen, hub, check):  # noqa: F811
    assert rollups.roll_up_all(session=session, now=known.NOW) > 0
    week = known.WEEK
    plain, timed = rollups.splits(session, {1: (week.first_day, week.last_day)}, hub_tz(), known.NOW)
    assert plain[1].rolled and not plain[1].live  # the whole week is read from the rollups
    assert timed[1].rolled and timed[1].live  # Monday is settled; from Tuesday on, what ended by now is live
    check(session, frozen, hub)


def _all_live(session: Session, staff, period):
    """The figures with no rollup read: the state says nothing is rolled (undone after)."""
    session.exec(update(InsightRollupState).values(first_day=None, last_day=None))
    figures = insights.hub_insights(staff, session=session, period=period, lang="en")
    session.rollback()
    return figures


def _compare(session: Session, staff, today) -> None:
    periods = [period_for(choice, today) for choice in ("this_week", "last_week", "this_month", "last_month",
                                                         "quarter")]
    periods.append(period_for("custom", today, today - timedelta(days=12), today + timedelta(days=6)))
    for period in periods:
        rolled = insights.hub_insights(staff, session=session, period=period, lang="en")
        session.rollback()
        assert rolled == _all_live(session, staff, period), period


def _at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=hub_tz()).astimezone(UTC)


def _booking(session, space, user, start, hours, **fields) -> Booking:
    row = Booking(space_id=space.id, user_id=user.id if user else None, kind=fields.pop("kind", "member"),
                  exclusive=space.kind != "desk_area", starts_at=start, ends_at=start + timedelta(hours=hours),
                  title="Kerja", created_at=fields.pop("created_at", start - timedelta(days=1)), **fields)
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def busy_hub(session):
    """Two weeks around today (the real today: the services check their rules against now)."""
    now = utcnow()
    today = now.astimezone(hub_tz()).date()
    staff = make_user(session, "staf@hub.example", role="staff")
    rina = make_user(session, "rina@umkm.example", name="Rina")
    andi = make_user(session, "andi@startup.example", name="Andi")
    for user, sector, stage in ((rina, "culinary", "early"), (andi, "technology", "growth")):
        user.sector, user.stage = sector, stage
        session.add(user)
    session.commit()
    desk = desk_area(session)
    room = Space(kind="meeting_room", name_id="Ruang Rapat", name_en="Meeting room", capacity=8)
    session.add(room)
    session.commit()
    rows = {}
    for offset in range(-14, 8):
        day = today + timedelta(days=offset)
        rows[("desk", offset)] = _booking(session, desk, rina if offset % 2 else andi, _at(day, 9), 2, seats=2,
                                          checked_in_at=_at(day, 9) if offset % 3 == 0 else None)
        rows[("room", offset)] = _booking(session, room, andi, _at(day, 13), 1.5,
                                          status="released" if offset % 4 == 0 else "confirmed",
                                          no_show=offset % 4 == 0)
    _booking(session, room, None, _at(today - timedelta(days=5), 15), 2, kind="training")
    _booking(session, room, rina, _at(today - timedelta(days=6), 23), 2)  # across midnight
    rows["now"] = _booking(session, desk, rina, now - timedelta(minutes=5), 1)
    rows["earlier"] = _booking(session, desk, rina, now - timedelta(hours=3), 1)
    course = training(session, [_at(today - timedelta(days=9), 10), _at(today - timedelta(days=2), 10)],
                      enrolled=2)
    enrol(session, course, rina.id, completed=True)
    enrol(session, course, andi.id)
    for days_ago in (1, 2, 9):  # Andi posts on three days, Rina once: two members who posted
        row = post(session, andi.id)
        row.created_at = _at(today - timedelta(days=days_ago), 11)
        session.add(row)
    post(session, rina.id)
    session.commit()
    # Plain values: the ORM rows expire when a comparison rolls its session back.
    return dict(staff=actor_of(staff), rina=actor_of(rina), andi=actor_of(andi), today=today, room=room.id,
                course=course.id, ids={key: row.id for key, row in rows.items()},
                starts={key: (row.starts_at, row.ends_at) for key, row in rows.items()})


def test_changes_of_rolled_days_match_the_live_figures(session, busy_hub):
    staff_actor, rina, andi, today, ids = (busy_hub[name] for name in ("staff", "rina", "andi", "today", "ids"))
    assert rollups.roll_up_all(session=session) > 0
    assert session.exec(select(InsightDirtyDay)).all() == []
    _compare(session, staff_actor, today)

    # Through the services: a member cancels a booking next week, checks in now; staff cancel a
    # past one; the duty that releases no-shows releases those of the last day (three hours ago...).
    bookings.cancel(andi, session=session, booking_id=ids[("room", 3)])
    booking_checkins.check_in(rina, session=session, booking_id=ids["now"])
    bookings.cancel(staff_actor, session=session, booking_id=ids[("desk", -5)], reason="Salah input")
    assert booking_checkins.release_no_shows(session=session) >= 1
    # Through plain SQL: a booking moved to another day, one deleted, one across midnight added,
    # a status changed, a member's sector, an attendance and a post of last week.
    moved_start, moved_end = busy_hub["starts"][("room", -10)]
    with session.get_bind().begin() as connection:
        connection.execute(update(Booking).where(Booking.id == ids[("room", -10)]).values(
            starts_at=moved_start + timedelta(days=7, hours=6), ends_at=moved_end + timedelta(days=7, hours=6)))
        connection.execute(delete(Booking).where(Booking.id == ids[("desk", -8)]))
        connection.execute(Booking.__table__.insert().values(
            space_id=busy_hub["room"], user_id=andi.user_id, kind="member", status="confirmed", exclusive=True,
            starts_at=_at(today - timedelta(days=3), 22), ends_at=_at(today - timedelta(days=2), 2), seats=1,
            title="Malam", title_en="", note="", no_show=False, decision_reason="", cancel_reason="",
            created_at=_at(today - timedelta(days=12), 8), updated_at=utcnow()))
        connection.execute(update(Booking).where(Booking.id == ids[("desk", -3)]).values(status="cancelled"))
        connection.execute(update(User).where(User.id == rina.user_id).values(sector="fashion"))
        first_session = connection.execute(select(TrainingSession.id).where(
            TrainingSession.training_id == busy_hub["course"]).order_by(TrainingSession.start_at)).scalars().first()
        connection.execute(Attendance.__table__.insert().values(
            session_id=first_session, user_id=andi.user_id, method="staff",
            created_at=_at(today - timedelta(days=9), 10)))
        connection.execute(update(ForumPost).where(ForumPost.author_id == andi.user_id).values(
            created_at=_at(today - timedelta(days=8), 12)))

    assert session.exec(select(InsightDirtyDay)).all() != []
    _compare(session, staff_actor, today)  # the changed days are read live
    assert rollups.roll_up_all(session=session) > 0
    assert session.exec(select(InsightDirtyDay)).all() == []
    _compare(session, staff_actor, today)  # and from the rebuilt rollups
    assert _fingerprint(session) == _rebuilt_from_scratch(session)


def _fingerprint(session: Session) -> dict[str, list]:
    fingerprint = {}
    for table in ROLLUPS:
        columns = list(table.__table__.columns)
        fingerprint[table.__tablename__] = sorted(
            tuple(row) for row in session.exec(select(*columns)).all())
    session.rollback()
    return fingerprint


def _rebuilt_from_scratch(session: Session) -> dict[str, list]:
    for table in ROLLUPS:
        session.exec(delete(table))
    session.exec(update(InsightRollupState).values(first_day=None, last_day=None))
    session.commit()
    rollups.roll_up_all(session=session)
    return _fingerprint(session)


def test_the_duty_is_idempotent_and_reads_only_what_it_may(session, busy_hub):
    rollups.roll_up_all(session=session)
    built = _fingerprint(session)
    assert all(built.values())  # every rollup holds rows
    assert rollups.roll_up(session=session) == 0  # nothing left to do
    assert _fingerprint(session) == built
    assert _rebuilt_from_scratch(session) == built
    # A change marks its days: they are read live until the next round rebuilds them.
    start, _ = busy_hub["starts"][("desk", -4)]
    session.exec(update(Booking).where(Booking.id == busy_hub["ids"][("desk", -4)]).values(checked_in_at=start))
    session.commit()
    assert start.date() in session.exec(select(InsightDirtyDay.day)).all()
    day = busy_hub["today"] - timedelta(days=4)
    plain, _ = rollups.splits(session, {1: (day - timedelta(days=2), day + timedelta(days=2))}, hub_tz(), utcnow())
    assert all(not first <= day <= last for first, last in plain[1].rolled)
    assert rollups.roll_up(session=session) > 0
    assert session.exec(select(InsightDirtyDay)).all() == []


def test_triggers_after_upgrade_mark_the_dates_of_old_and_new_rows(session):
    engine = session.get_bind()
    if engine.dialect.name == "sqlite":
        names = set(session.exec(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        expected = {f"insight_dirty_{table}_{event}" for table in ("bookings", "enrolments", "training_attendance",
                                                                   "training_sessions", "forum_posts")
                    for event in ("insert", "update", "delete")}
        expected |= {"insight_dirty_users_update", "insight_dirty_trainings_update", "insight_member_months_users",
                     "insight_member_months_users_delete"}
    else:
        names = set(session.exec(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
        expected = {f"insight_dirty_{table}" for table in ("bookings", "enrolments", "training_attendance",
                                                           "training_sessions", "forum_posts", "users", "trainings")}
        expected.add("insight_member_months_users")
    assert expected <= names
    member = make_user(session, "rina@umkm.example")
    desk = desk_area(session)
    start = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # to 01.00 the next UTC day
    row = _booking(session, desk, member, start, 2, created_at=datetime(2026, 11, 2, 8, tzinfo=UTC))
    assert sorted(session.exec(select(InsightDirtyDay.day)).all()) == [
        start.date() - timedelta(days=21), start.date(), start.date() + timedelta(days=1)]
    session.exec(delete(InsightDirtyDay))
    session.commit()
    row.starts_at, row.ends_at = row.starts_at + timedelta(days=3), row.ends_at + timedelta(days=3)
    session.add(row)
    session.commit()  # the old dates and the new ones
    assert start.date() in session.exec(select(InsightDirtyDay.day)).all()
    assert start.date() + timedelta(days=3) in session.exec(select(InsightDirtyDay.day)).all()


def test_two_builders_at_once_on_postgres(postgres_engine):
    from tests.conftest import empty_tables

    empty_tables(postgres_engine)
    with Session(postgres_engine, expire_on_commit=False) as session:
        member = make_user(session, "rina@umkm.example")
        desk = desk_area(session)
        today = utcnow().astimezone(hub_tz()).date()
        for offset in range(-40, 10):
            _booking(session, desk, member, _at(today + timedelta(days=offset), 10), 1)
    start = threading.Barrier(2)
    failures = []

    def build() -> None:
        try:
            with Session(postgres_engine) as own:
                start.wait()
                rollups.roll_up_all(session=own)
        except Exception as error:  # the test reports it below
            failures.append(error)

    workers = [threading.Thread(target=build) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    with Session(postgres_engine, expire_on_commit=False) as session:
        built = _fingerprint(session)
        assert len(built["insight_space_days"]) == 50
        assert _rebuilt_from_scratch(session) == built


def test_a_booking_does_not_wait_for_a_builder_and_is_rolled_up_in_the_next_round(postgres_engine, monkeypatch):
    from tests.conftest import empty_tables

    empty_tables(postgres_engine)
    today = utcnow().astimezone(hub_tz()).date()
    with Session(postgres_engine, expire_on_commit=False) as session:
        member = make_user(session, "rina@umkm.example")
        desk = desk_area(session)
        for offset in range(-5, 5):
            _booking(session, desk, member, _at(today + timedelta(days=offset), 10), 1)
        rollups.roll_up_all(session=session)
        _booking(session, desk, member, _at(today - timedelta(days=2), 14), 1)  # a change for the builder
    # The builder is held in the middle of its batch, after it read and deleted the marks.
    rebuilding, go_on = threading.Event(), threading.Event()
    rebuild = rollups._rebuild

    def held_rebuild(*args, **kwargs):
        rebuilding.set()
        go_on.wait(20)
        return rebuild(*args, **kwargs)

    monkeypatch.setattr(rollups, "_rebuild", held_rebuild)
    failures = []

    def build() -> None:
        try:
            with Session(postgres_engine) as own:
                rollups.roll_up(session=own)
        except Exception as error:  # the test reports it below
            failures.append(error)

    builder = threading.Thread(target=build)
    builder.start()
    try:
        assert rebuilding.wait(20)
        late = today + timedelta(days=3)
        with Session(postgres_engine, expire_on_commit=False) as writer:
            writer.exec(text("SET LOCAL lock_timeout = '2s'"))  # a booking held by the builder fails
            _booking(writer, desk, member, _at(late, 15), 2)
    finally:
        go_on.set()
        builder.join()
    monkeypatch.undo()
    assert failures == []
    with Session(postgres_engine, expire_on_commit=False) as session:
        assert late in session.exec(select(InsightDirtyDay.day)).all()  # the builder could not see it
        rollups.roll_up_all(session=session)
        assert session.exec(select(InsightDirtyDay)).all() == []
        built = _fingerprint(session)
        assert _rebuilt_from_scratch(session) == built
        assert sum(row[4] for row in built["insight_space_days"]) == 12  # bookings: the ten, the change, the late one

def test_command_line_and_duty_build_the_rollups(app_db, capsys):
    with Session(app_db, expire_on_commit=False) as session:
        member = make_user(session, "rina@umkm.example")
        desk = desk_area(session)
        _booking(session, desk, member, _at(utcnow().astimezone(hub_tz()).date() - timedelta(days=3), 10), 2)
    assert cli.main(["rollup-insights"]) == 0
    assert "rolled up" in capsys.readouterr().out
    with Session(app_db) as session:
        assert session.exec(select(InsightSpaceDay)).all() != []
        assert session.get(InsightRollupState, 1).last_day is not None
        session.exec(update(Booking).values(seats=2))
        session.commit()
        assert session.exec(select(InsightDirtyDay)).all() != []
    background._roll_up_insights()
    with Session(app_db) as session:
        assert session.exec(select(InsightDirtyDay)).all() == []
        assert session.exec(select(InsightSpaceDay.seat_seconds)).all() == [4 * 3600]
