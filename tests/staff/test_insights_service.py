"""services/insights.hub_insights on a small hand-built hub with known answers, on SQLite and
PostgreSQL (the `session` fixture runs each test on both).

The period is "this week", Monday 23 to Sunday 29 November 2026 (WIB); the previous period is 16 to
22 November. "Now" is Wednesday 25 November, 15.00 WIB, so part of the week has not happened yet.
Opening hours are the defaults: Monday to Friday 08-20 (12 h), Saturday 09-15 (6 h), Sunday closed.
Every expected figure is worked out by hand in the comments next to the data.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from pytest import approx

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.insights import Period, period_for
from hub_app.models import (
    Attendance,
    AuditEntry,
    Booking,
    Enrolment,
    ForumCategory,
    ForumPost,
    ForumReport,
    ForumThread,
    Space,
    Training,
    TrainingSession,
)
from hub_app.services import insights
from tests.accounts.factories import actor_of, make_user
from tests.staff.helpers import closure, desk_area, wib

MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 11, 23) + timedelta(days=n) for n in range(7))
LAST = {name: day - timedelta(days=7) for name, day in zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                                                           (MON, TUE, WED, THU, FRI, SAT, SUN), strict=True)}
NOW = wib(WED, 15)
LONG_AGO = datetime(2026, 10, 1, tzinfo=UTC)
WEEK = period_for("this_week", WED)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(insights, "utcnow", lambda: NOW)


def _person(session, email, name, *, role="member", status="active", sector="", stage="", created=LONG_AGO):
    user = make_user(session, email, name=name, role=role, status=status)
    user.sector, user.stage, user.created_at = sector, stage, created
    session.add(user)
    session.commit()
    return user


def _book(session, space, user, start, hours, *, status="confirmed", kind="member", checked_in=False,
          no_show=False, seats=1, created=None):
    row = Booking(space_id=space.id, user_id=user.id if user else None, kind=kind, status=status,
                  exclusive=space.kind != "desk_area", starts_at=start, ends_at=start + timedelta(hours=hours),
                  seats=seats, title="Kerja", checked_in_at=start if checked_in else None, no_show=no_show,
                  created_at=created or start - timedelta(days=2))
    session.add(row)
    session.commit()
    return row


def _training(session, title, topic, starts, *, capacity, enrolled, status="published", waitlisted=0):
    row = Training(title_id=title, title_en=f"{title} (EN)", topic=topic, level="beginner", language="id",
                   format="hub", capacity=capacity, enrolled_count=enrolled, waitlist_count=waitlisted,
                   status=status, enrol_opens_at=LONG_AGO, enrol_closes_at=min(starts), cancel_until=min(starts),
                   starts_at=min(starts), ends_at=max(starts) + timedelta(hours=2), session_count=len(starts))
    session.add(row)
    session.flush()
    sessions = [TrainingSession(training_id=row.id, start_at=start, end_at=start + timedelta(hours=2),
                                check_in_code=f"{title[:8]}-{index}-{row.id}".ljust(32, "x"))
                for index, start in enumerate(starts)]
    session.add_all(sessions)
    session.commit()
    return row, sessions


def _enrol(session, training, user, status="enrolled", *, enrolled=None, created=None, completed=None,
           rating=None, rated=None):
    session.add(Enrolment(training_id=training.id, user_id=user.id, status=status, created_at=created or enrolled,
                          enrolled_at=enrolled, completed_at=completed, rating=rating, rated_at=rated))
    session.commit()


def _present(session, training_session, user, at):
    session.add(Attendance(session_id=training_session.id, user_id=user.id, method="staff", created_at=at))
    session.commit()


def _thread(session, category, author, at, *, state="visible"):
    thread = ForumThread(category_id=category.id, author_id=author.id, title="Tanya", state=state, created_at=at,
                         last_activity_at=at)
    session.add(thread)
    session.flush()
    opening = _post(session, thread, author, at, state=state, opening=True)
    return thread, opening


def _post(session, thread, author, at, *, state="visible", opening=False):
    post = ForumPost(thread_id=thread.id, author_id=author.id, body_source="Halo", body_html="<p>Halo</p>",
                     body_text="Halo", is_opening=opening, state=state, created_at=at)
    session.add(post)
    session.commit()
    return post


@pytest.fixture
def hub(session):
    """The hand-built hub; returns the staff actor and the people and spaces by name."""
    staff = _person(session, "staf@hub.example", "Sari Staf", role="staff", created=wib(MON, 8))
    rina = _person(session, "rina@umkm.example", "Rina", sector="culinary", stage="early")
    andi = _person(session, "andi@startup.example", "Andi", sector="technology", stage="growth",
                   created=wib(LAST["wed"], 10))  # signed up last week
    maya = _person(session, "maya@mode.example", "Maya", sector="fashion", stage="idea")
    joko = _person(session, "joko@umkm.example", "Joko")  # no sector or stage given
    # Members who left: Budi deleted his account (data erased), Eka was rejected; Dewi waits.
    budi = _person(session, "budi@umkm.example", "Budi", status="deleted")
    _person(session, "eka@umkm.example", "Eka", status="rejected", sector="retail", created=wib(TUE, 11))
    _person(session, "dewi@umkm.example", "Dewi", status="pending", sector="craft", created=wib(TUE, 10))
    people = {"staff": staff, "rina": rina, "andi": andi, "maya": maya, "joko": joko, "budi": budi}

    for target, moment, action in [(andi, wib(MON, 9), "member.approve"), (andi, wib(TUE, 9), "member.approve"),
                                   (rina, wib(WED, 9), "member.approve"), (budi, wib(LAST["thu"], 9), "member.approve"),
                                   (maya, wib(TUE, 9), "member.reject")]:
        session.add(AuditEntry(actor_id=staff.id, action=action, target_type="user", target_id=target.id,
                               created_at=moment))
    session.commit()

    desk = desk_area(session)  # capacity 50: booked seat-hours against open hours x 50
    room = Space(kind="meeting_room", name_id="Ruang Rapat Borobudur", name_en="Borobudur meeting room", capacity=8)
    old = Space(kind="meeting_room", name_id="Ruang lama", capacity=4, active=False)
    session.add_all([room, old])
    session.commit()
    # Closures: the room on Tuesday 08-12 (4 h of its opening), the whole hub on Friday 14-20 (6 h).
    closure(session, wib(TUE, 8), wib(TUE, 12), space=room, reason="Perawatan")
    closure(session, wib(FRI, 14), wib(FRI, 20))

    # This week. Desk seat-hours: B1 2 + B2 1 + B7 2x2 + B10 1 + B11 1 = 9.
    # Room hours: B3 2.5 + B4 1 + B8 2 + B12 1 = 6.5.
    _book(session, desk, rina, wib(MON, 9), 2, checked_in=True)  # B1
    _book(session, desk, andi, wib(LAST["sun"], 23), 2, checked_in=True)  # B2: 1 h last week, 1 h this week
    _book(session, room, andi, wib(WED, 23), 2.5, seats=4, created=wib(MON, 23))  # B3: across midnight, not ended
    _book(session, room, rina, wib(TUE, 13), 1, status="released", no_show=True)  # B4: a no-show
    _book(session, desk, rina, wib(TUE, 9), 1, status="cancelled")  # B5: not counted
    _book(session, room, andi, wib(TUE, 15), 1, status="declined")  # B6: not counted
    _book(session, desk, budi, wib(MON, 10), 2, seats=2, checked_in=True)  # B7: 2 seats, by a member who left
    _book(session, room, None, wib(THU, 9), 2, kind="training")  # B8: a training's room: hours, not a booking
    _book(session, room, None, wib(THU, 13), 1, kind="block")  # B9: maintenance is not use
    _book(session, desk, rina, wib(SUN, 23), 2, status="pending", created=wib(FRI, 9))  # B10: 1 h this week
    _book(session, desk, andi, wib(WED, 9), 1, created=wib(MON, 12))  # B11: ended, not checked in (yet released)
    _book(session, room, rina, wib(WED, 8), 1, status="pending", created=wib(MON, 8))  # B12: ended, never approved
    # Last week. Desk seat-hours: P1 3 + B2 1 = 4; room: P2 1.
    _book(session, desk, rina, wib(LAST["wed"], 9), 3, checked_in=True)  # P1
    _book(session, room, andi, wib(LAST["thu"], 10), 1, status="released", no_show=True)  # P2
    _book(session, room, rina, wib(LAST["fri"], 10), 2, status="cancelled")  # P3: not counted

    # Trainings. T1 (digital marketing, 2 seats: Rina and Andi): sessions Monday (delivered) and Friday.
    t1, (t1_mon, _t1_fri) = _training(session, "Pemasaran digital", "digital_marketing",
                                      [wib(MON, 13), wib(FRI, 13)], capacity=2, enrolled=2, waitlisted=1)
    _enrol(session, t1, rina, enrolled=wib(LAST["fri"], 9))
    _enrol(session, t1, andi, enrolled=wib(MON, 8))
    _enrol(session, t1, budi, "withdrawn", enrolled=wib(LAST["tue"], 9))  # was seated once: not demand
    _enrol(session, t1, maya, "waitlisted", created=wib(TUE, 9))  # demand
    _enrol(session, t1, joko, "withdrawn", created=LONG_AGO)  # left the waitlist never seated: demand
    _present(session, t1_mon, rina, wib(MON, 13, 5))
    # T2 (finance, 3 seats) ran last week, two sessions; Rina completed, Andi and Budi did not.
    t2, (t2_wed, t2_thu) = _training(session, "Keuangan UMKM", "finance", [wib(LAST["wed"], 9), wib(LAST["thu"], 9)],
                                     capacity=3, enrolled=3)
    _enrol(session, t2, rina, enrolled=LONG_AGO, completed=wib(LAST["thu"], 11), rating=5, rated=wib(LAST["fri"], 9))
    _enrol(session, t2, andi, enrolled=wib(LAST["mon"], 10))
    _enrol(session, t2, budi, enrolled=LONG_AGO)
    for member, moment in [(rina, t2_wed), (andi, t2_wed), (budi, t2_wed), (rina, t2_thu), (budi, t2_thu)]:
        _present(session, moment, member, moment.start_at + timedelta(minutes=5))
    # T3 (export) was cancelled: its session, attendance and waitlist count nowhere.
    t3, (t3_tue,) = _training(session, "Ekspor batal", "export", [wib(TUE, 9)], capacity=1, enrolled=0,
                              status="cancelled")
    _enrol(session, t3, andi, "waitlisted", created=LONG_AGO)
    _present(session, t3_tue, joko, wib(TUE, 9, 5))
    # T5 (permits, 1 seat) is on Saturday: Rina seated this week, Andi waits.
    t5, _ = _training(session, "Perizinan OSS", "permits", [wib(SAT, 9)], capacity=1, enrolled=1, waitlisted=1)
    _enrol(session, t5, rina, enrolled=wib(MON, 10))
    _enrol(session, t5, andi, "waitlisted", created=wib(TUE, 10))
    # T6 (export, 3 seats) ran on Tuesday: Andi and Maya attended and completed, Joko did not; two ratings.
    t6, (t6_tue,) = _training(session, "Ekspor pemula", "export", [wib(TUE, 9)], capacity=3, enrolled=3)
    _enrol(session, t6, andi, enrolled=LONG_AGO, completed=wib(TUE, 11), rating=4, rated=wib(WED, 9))
    _enrol(session, t6, maya, enrolled=LONG_AGO, completed=wib(TUE, 11), rating=3, rated=wib(WED, 10))
    _enrol(session, t6, joko, enrolled=LONG_AGO)
    _present(session, t6_tue, andi, wib(TUE, 9, 5))
    _present(session, t6_tue, maya, wib(TUE, 9, 6))
    people.update(t1=t1, t6=t6)

    # The forum.
    category = ForumCategory(slug="umum", name_id="Umum")
    session.add(category)
    session.commit()
    th1, th1_opening = _thread(session, category, rina, wib(MON, 10))
    andi_reply = _post(session, th1, andi, wib(MON, 11))
    _post(session, th1, staff, wib(TUE, 9))  # staff write posts, but are not members who posted
    _post(session, th1, joko, wib(WED, 8))
    _post(session, th1, rina, wib(WED, 9), state="deleted")
    th2, th2_opening = _thread(session, category, budi, wib(LAST["thu"], 10))
    _post(session, th2, rina, wib(LAST["fri"], 10))
    _thread(session, category, andi, wib(TUE, 12), state="deleted")
    _thread(session, category, staff, wib(WED, 11))
    session.add_all([
        ForumReport(post_id=andi_reply.id, reporter_id=rina.id, reason="spam", created_at=wib(MON, 12),
                    resolved_at=wib(TUE, 8), resolved_by=staff.id, resolution="dismissed"),
        ForumReport(post_id=th2_opening.id, reporter_id=andi.id, reason="abuse", created_at=wib(LAST["fri"], 12),
                    resolved_at=wib(MON, 9), resolved_by=staff.id, resolution="hidden"),
        ForumReport(post_id=th1_opening.id, reporter_id=joko.id, reason="other", created_at=wib(WED, 12)),
    ])
    session.commit()
    people["spaces"] = (desk, room)
    return actor_of(staff), people


def _figures(figure):
    return figure.current, figure.previous


def test_visitors_members_and_suspended_staff_are_refused(session, frozen):
    pending = make_user(session, "baru@umkm.example", status="pending")
    member = make_user(session, "aktif@umkm.example")
    admin_member = make_user(session, "admin@hub.example", role="admin")
    suspended_staff = make_user(session, "lama@hub.example", role="staff", status="suspended")
    for actor in (None, actor_of(pending), actor_of(member), actor_of(suspended_staff)):
        with pytest.raises(NotAllowed):
            insights.hub_insights(actor, session=session, period=WEEK, lang="id")
    figures = insights.hub_insights(actor_of(admin_member), session=session, period=WEEK, lang="id")
    assert figures.period == WEEK and figures.previous == WEEK.previous()
    for period in ("this_week", None, {"choice": "custom"}):
        with pytest.raises(InvalidInput):
            insights.hub_insights(actor_of(admin_member), session=session, period=period, lang="id")


def test_space_use(session, frozen, hub):
    staff, people = hub
    desk, room = people["spaces"]
    use = insights.hub_insights(staff, session=session, period=WEEK, lang="id").space_use
    # Open hours: 5 x 12 + 6 = 66 a week. This week the hub closes Friday 14-20 (60 left); the room
    # also Tuesday 08-12 (56). The desk area's capacity is 50 seats x its open hours.
    assert [(row.id, row.name, row.kind, row.booked_hours, row.open_hours, row.capacity_hours, row.bookings,
             row.checked_in, row.no_shows) for row in use.spaces] == [
        (desk.id, "Area Kerja Bersama", "desk_area", 9.0, 60.0, 3000.0, 4, 2, 0),  # B1 B7 B10 B11
        (room.id, "Ruang Rapat Borobudur", "meeting_room", 6.5, 56.0, 56.0, 3, 0, 1),  # B3 B4 B12
    ]
    assert [row.use_rate for row in use.spaces] == [approx(9 / 3000), approx(6.5 / 56)]
    assert [(row.kind, row.label, row.spaces, row.booked_hours, row.capacity_hours, row.bookings)
            for row in use.kinds] == [("desk_area", "Area meja kerja bersama", 1, 9.0, 3000.0, 4),
                                      ("meeting_room", "Ruang rapat", 1, 6.5, 56.0, 3)]
    # Last week: 66 open hours each, desk 4 seat-hours (P1 3 + B2 1), room 1 (P2).
    assert _figures(use.booked_hours) == (15.5, 5.0)
    assert _figures(use.capacity_hours) == (3056.0, 3366.0)
    assert _figures(use.use_rate) == (approx(15.5 / 3056), approx(5 / 3366))
    assert (use.use_rate.direction, use.booked_hours.direction, use.booked_hours.delta) == ("up", "up", 10.5)
    assert _figures(use.bookings) == (7, 3)
    # Ended member bookings that started in the period, confirmed or released: this week B1 B7 B11
    # (confirmed) and B4 (released); B3 and B10 have not ended, B12 was never approved. B1 and B7
    # were checked in, B4 was a no-show. Last week: P1 and B2 checked in, P2 a no-show.
    assert _figures(use.check_in_rate) == (0.5, approx(2 / 3))
    assert _figures(use.no_show_rate) == (0.25, approx(1 / 3))
    assert use.check_in_rate.direction == "down"


def test_heat_map_and_peak_hours(session, frozen, hub):
    staff, _ = hub
    use = insights.hub_insights(staff, session=session, period=WEEK, lang="en").space_use
    expected = [[0.0] * 24 for _ in range(7)]
    # Each booking once (B7's two seats are one booking); training rooms count, blocks do not.
    expected[0][0] = 1  # B2: Monday 00-01, the part after last Sunday
    expected[0][9], expected[0][10], expected[0][11] = 1, 2, 1  # B1 09-11, B7 10-12
    expected[1][13] = 1  # B4
    expected[2][8], expected[2][9], expected[2][23] = 1, 1, 1  # B12, B11, B3 from 23.00
    expected[3][0], expected[3][1] = 1, 0.5  # B3 after midnight, to 01.30
    expected[3][9], expected[3][10] = 1, 1  # B8, the training's room
    expected[6][23] = 1  # B10: Sunday 23-24, not the part in next week
    assert use.heat_map == expected
    # By hour: 09.00 3 h, 10.00 3 h, then 00.00 and 23.00 2 h each (the earlier first).
    assert use.peak_hours == [9, 10, 0]
    assert use.peak_labels == ["09:00–10:00", "10:00–11:00", "00:00–01:00"]
    assert use.weekdays == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_bookings_by_sector_and_stage(session, frozen, hub):
    staff, _ = hub
    use = insights.hub_insights(staff, session=session, period=WEEK, lang="id").space_use
    # Member bookings starting this week: Rina B4 B10 B12 + B1 = 4, Andi B3 B11 = 2, Budi (erased) B7 = 1.
    assert [(row.key, row.label, row.count) for row in use.by_sector] == [
        ("culinary", "Kuliner", 4), ("technology", "Teknologi", 2), ("", "Tidak diisi", 1)]
    assert [(row.key, row.count) for row in use.by_stage] == [("early", 4), ("growth", 2), ("", 1)]


def test_members(session, frozen, hub):
    staff, _ = hub
    figures = insights.hub_insights(staff, session=session, period=WEEK, lang="en").members
    # Sign-ups: Dewi (pending) and Eka (rejected since) this week, staff not counted; Andi last week.
    assert _figures(figures.sign_ups) == (2, 1)
    # Approvals: Andi (twice, one member) and Rina this week; Budi last week. A rejection is not one.
    assert _figures(figures.approvals) == (2, 1)
    # Active this week: Rina (booked B10 B12, attended T1), Andi (booked B3 B11, seated in T1),
    # Maya (waitlisted for T1, attended T6), Joko (posted). Budi did nothing this week (B7 was booked
    # last Saturday). Last week: Rina, Andi and Budi (bookings, seats, attendance, Budi's thread).
    assert _figures(figures.active_members) == (4, 3)
    assert [(row.key, row.label, row.count) for row in figures.by_sector] == [
        ("culinary", "Food & beverage", 1), ("fashion", "Fashion", 1), ("technology", "Technology", 1),
        ("", "Not given", 1)]
    assert [(row.key, row.count) for row in figures.by_stage] == [("early", 1), ("growth", 1), ("idea", 1), ("", 1)]


def test_programme(session, frozen, hub):
    staff, people = hub
    figures = insights.hub_insights(staff, session=session, period=WEEK, lang="en").programme
    # Delivered this week: T1 Monday (2 seats, Rina present) and T6 Tuesday (3 seats, Andi and Maya);
    # T1 Friday has not happened, T3 was cancelled. Last week: T2's two sessions (3 seats each; 3 + 2 present).
    assert _figures(figures.sessions_delivered) == (2, 2)
    assert _figures(figures.attendance_rate) == (approx(3 / 5), approx(5 / 6))
    # Seats taken: this week Andi in T1 and Rina in T5; last week Rina and Budi in T1, Andi in T2.
    assert _figures(figures.enrolments) == (2, 3)
    # Trainings that ended: T6 this week (2 of 3 completed), T2 last week (1 of 3).
    assert _figures(figures.completion_rate) == (approx(2 / 3), approx(1 / 3))
    # Ratings given: 4 and 3 this week, 5 last week.
    assert _figures(figures.average_rating) == (3.5, 5.0)
    assert _figures(figures.ratings) == (2, 1)
    assert [(row.id, row.title, row.topic_label, row.sessions, row.attendances, row.enrolled) for row in
            figures.top_trainings] == [(people["t6"].id, "Ekspor pemula (EN)", "Export", 1, 2, 3),
                                       (people["t1"].id, "Pemasaran digital (EN)", "Digital marketing", 1, 1, 2)]
    assert [row.attendance_rate for row in figures.top_trainings] == [approx(2 / 3), 0.5]
    # No seat in this week's trainings: Maya (waiting) and Joko (left the queue) for T1, Andi for T5;
    # Budi had a seat before he withdrew; T3 was cancelled.
    assert [(row.key, row.label, row.count) for row in figures.waitlist_by_topic] == [
        ("digital_marketing", "Digital marketing", 2), ("permits", "Business permits (NIB/OSS)", 1)]


def test_community(session, frozen, hub):
    staff, _ = hub
    figures = insights.hub_insights(staff, session=session, period=WEEK, lang="id").community
    # Threads: Rina's and the staff's this week (Andi's was deleted); Budi's last week.
    assert _figures(figures.threads) == (2, 1)
    # Posts this week: Rina's opening, Andi, staff, Joko, the staff's opening (Rina's deleted reply and
    # Andi's deleted thread not counted); members who posted: Rina, Andi, Joko. Last week: Budi, Rina.
    assert _figures(figures.posts) == (5, 2)
    assert _figures(figures.posters) == (3, 2)
    assert _figures(figures.reports) == (2, 1)
    assert _figures(figures.reports_handled) == (2, 0)


def test_labels_and_another_comparison(session, frozen, hub):
    staff, _ = hub
    figures = insights.hub_insights(replace(staff, locale="en"), session=session, period=WEEK, lang="id")
    assert (figures.period_label, figures.previous_label) == ("23–29 November 2026", "16–22 November 2026")
    assert figures.space_use.weekdays[0] == "Sen" and figures.space_use.peak_labels[0] == "09.00–10.00"
    # Compared with an explicitly given period: the week before last has nothing.
    earlier = Period("previous", date(2026, 11, 9), date(2026, 11, 15))
    against = insights.hub_insights(staff, session=session, period=WEEK, lang="id", previous=earlier)
    assert _figures(against.space_use.bookings) == (7, 0)
    assert _figures(against.space_use.check_in_rate) == (0.5, None)
    assert against.space_use.check_in_rate.direction == ""
    assert insights.period_label(Period("custom", date(2026, 11, 24), date(2026, 12, 3)), "id") == (
        "24 November – 3 Desember 2026")
    assert insights.period_label(Period("custom", date(2026, 12, 29), date(2027, 1, 4)), "en") == (
        "29 December 2026 – 4 January 2027")


def test_an_empty_hub(session, frozen):
    staff = actor_of(make_user(session, "staf@hub.example", role="staff"))
    figures = insights.hub_insights(staff, session=session, period=period_for("quarter", WED), lang="id")
    assert figures.space_use.spaces == [] and figures.space_use.peak_hours == []
    assert _figures(figures.space_use.use_rate) == (None, None)
    assert _figures(figures.programme.average_rating) == (None, None)
    assert _figures(figures.members.sign_ups) == (0, 0)
    assert figures.programme.top_trainings == [] and figures.programme.waitlist_by_topic == []
