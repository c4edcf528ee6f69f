"""Enrolment, the waitlist and promotion, cancellation, prerequisites and every bad input of the
issue, against a real database on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from hub_app.domain import trainings as rules
from hub_app.models import AuditEntry, EmailOutbox, Notification
from hub_app.models.base import utcnow
from hub_app.models.trainings import Attendance, Enrolment, TrainingPrerequisite
from hub_app.services import enrolments, personal_data, training_admin, training_attendance, trainings, trainings_mine
from tests.accounts.factories import actor_of, make_user
from tests.trainings.helpers import error_key, make_training, members, reload, sessions_of, statuses
from tests.transactions import end_read


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@jfch.example", name="Budi Santoso", role="staff"))


def _enrol(session, actor, training):
    training_id = training.id
    end_read(session)  # what the test read (or reloaded) before
    return enrolments.enrol(actor, session=session, training_id=training_id)


def _state(session, training):
    """Everything that must stay unchanged when a request is refused."""
    fresh = reload(session, training)
    state = (fresh.enrolled_count, fresh.waitlist_count, fresh.next_queue_number, statuses(session, training),
             len(session.exec(select(Notification)).all()))
    end_read(session)
    return state


def test_member_enrols_and_the_seat_count_drops(session):
    training = make_training(session, capacity=3)
    [rina] = members(session, 1)
    before = trainings.catalogue(None, session=session).cards[0].seats_left
    outcome = _enrol(session, rina, training)
    assert (outcome.status, outcome.position) == ("enrolled", 0)
    assert (before, trainings.catalogue(None, session=session).cards[0].seats_left) == (3, 2)
    detail = trainings.training_detail(rina, session=session, training_id=training.id)
    assert (detail.my_status, detail.can_cancel, detail.can_enrol, detail.seats_left) == ("enrolled", True, False, 2)
    assert trainings.catalogue(rina, session=session).cards[0].my_status == "enrolled"


def test_when_full_members_join_the_waitlist_and_see_their_position(session):
    training = make_training(session, capacity=2)
    people = members(session, 5)
    outcomes = [_enrol(session, actor, training) for actor in people]
    assert [(o.status, o.position) for o in outcomes] == [
        ("enrolled", 0), ("enrolled", 0), ("waitlisted", 1), ("waitlisted", 2), ("waitlisted", 3)]
    detail = trainings.training_detail(people[3], session=session, training_id=training.id)
    assert (detail.my_status, detail.my_position, detail.waitlist, detail.seats_left) == ("waitlisted", 2, 3, 0)
    assert detail.can_leave and not detail.can_cancel and not detail.can_enrol
    card = trainings.catalogue(None, session=session).cards[0]
    assert (card.full, card.waitlist) == (True, 3)


def test_cancelling_before_the_deadline_promotes_the_first_waiting_member_who_is_notified(session):
    training = make_training(session, capacity=2)
    first, second, waiting_1, waiting_2 = members(session, 4)
    for actor in (first, second, waiting_1, waiting_2):
        _enrol(session, actor, training)
    seat = session.exec(select(Enrolment).where(Enrolment.user_id == first.user_id)).one()
    end_read(session)
    enrolments.cancel(first, session=session, enrolment_id=seat.id)
    assert statuses(session, training) == {first.user_id: "withdrawn", second.user_id: "enrolled",
                                           waiting_1.user_id: "enrolled", waiting_2.user_id: "waitlisted"}
    fresh = reload(session, training)
    assert (fresh.enrolled_count, fresh.waitlist_count) == (2, 1)
    note = session.exec(select(Notification).where(Notification.user_id == waiting_1.user_id)).one()
    assert note.kind == "training.promoted" and note.link == f"/trainings/{training.id}"
    assert note.params["title"] == training.title_id
    mail = session.exec(select(EmailOutbox).where(col(EmailOutbox.to_address).like("%trainings.example"))).all()
    assert len(mail) == 1 and training.title_id in mail[0].subject
    assert trainings.training_detail(waiting_2, session=session, training_id=training.id).my_position == 1


def test_leaving_a_training_withdraws_the_members_own_enrolment_in_it_and_nothing_else(session):
    chosen, other = make_training(session, capacity=1), make_training(session, capacity=1)
    member, waiting, outsider = members(session, 3)
    for training in (chosen, other):
        _enrol(session, member, training)
    _enrol(session, waiting, chosen)
    chosen_id = chosen.id  # a plain id: a refused write rolls back and expires the row
    before = (_state(session, chosen), _state(session, other))
    for actor, training_id, key in ((None, chosen_id, "error.sign_in_required"),
                                    (outsider, chosen_id, "trainings.error.enrolment_not_found"),
                                    (member, 10**9, "trainings.error.enrolment_not_found"),
                                    (member, "x", "error.field_type"), (member, [chosen_id], "error.field_type"),
                                    (member, -1, "error.field_range")):
        assert error_key(lambda a=actor, t=training_id: enrolments.leave(a, session=session, training_id=t)) == key
        session.rollback()
    assert (_state(session, chosen), _state(session, other)) == before
    enrolments.leave(member, session=session, training_id=chosen_id)
    assert statuses(session, chosen) == {member.user_id: "withdrawn", waiting.user_id: "enrolled"}
    assert statuses(session, other) == {member.user_id: "enrolled"}


def test_cancelling_after_the_deadline_is_refused_and_changes_nothing(session):
    start = utcnow() + timedelta(days=2)
    training = make_training(session, capacity=1, sessions=[(start, start + timedelta(hours=2))],
                             cancel_until=utcnow() + timedelta(seconds=2))
    holder, waiting = members(session, 2)
    _enrol(session, holder, training)
    _enrol(session, waiting, training)
    training.cancel_until = utcnow() - timedelta(minutes=1)
    session.add(training)
    session.commit()
    seat = session.exec(select(Enrolment).where(Enrolment.user_id == holder.user_id)).one()
    before = _state(session, training)
    assert error_key(lambda: enrolments.cancel(holder, session=session, enrolment_id=seat.id)) == \
        "trainings.error.deadline_passed"
    assert _state(session, training) == before
    # Leaving the waitlist still works after the deadline.
    place = session.exec(select(Enrolment).where(Enrolment.user_id == waiting.user_id)).one()
    end_read(session)
    enrolments.cancel(waiting, session=session, enrolment_id=place.id)
    assert statuses(session, training)[waiting.user_id] == "withdrawn"
    assert reload(session, training).waitlist_count == 0


def test_leaving_the_waitlist_moves_the_others_up(session):
    training = make_training(session, capacity=1)
    people = members(session, 4)
    for actor in people:
        _enrol(session, actor, training)
    place = session.exec(select(Enrolment).where(Enrolment.user_id == people[1].user_id)).one()
    end_read(session)
    enrolments.cancel(people[1], session=session, enrolment_id=place.id)
    positions = [trainings.training_detail(a, session=session, training_id=training.id).my_position
                 for a in people[2:]]
    assert positions == [1, 2]
    # Someone who left can come back, at the end of the queue.
    outcome = _enrol(session, people[1], training)
    assert (outcome.status, outcome.position) == ("waitlisted", 3)


def test_staff_adding_seats_promotes_the_waitlist_in_order(session, staff):
    training = make_training(session, capacity=1)
    people = members(session, 4)
    for actor in people:
        _enrol(session, actor, training)
    form = training_admin.training_form(reload(session, training)) | {"capacity": "3"}
    training_admin.update_training(staff, session=session, training_id=training.id, form=form)
    assert statuses(session, training) == {people[0].user_id: "enrolled", people[1].user_id: "enrolled",
                                           people[2].user_id: "enrolled", people[3].user_id: "waitlisted"}
    promoted = session.exec(select(Notification.user_id).where(Notification.kind == "training.promoted")).all()
    assert sorted(promoted) == sorted([people[1].user_id, people[2].user_id])
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "training.update")).one().actor_id == \
        staff.user_id


def test_capacity_below_the_enrolled_is_refused(session, staff):
    training = make_training(session, capacity=3)
    for actor in members(session, 3):
        _enrol(session, actor, training)
    form = training_admin.training_form(reload(session, training)) | {"capacity": "2"}
    assert error_key(lambda: training_admin.update_training(staff, session=session, training_id=training.id,
                                                            form=form)) == "trainings.error.capacity_below_enrolled"
    assert reload(session, training).capacity == 3


def test_staff_remove_a_member_and_the_next_one_moves_up(session, staff):
    training = make_training(session, capacity=1)
    holder, waiting = members(session, 2)
    _enrol(session, holder, training)
    _enrol(session, waiting, training)
    seat = session.exec(select(Enrolment).where(Enrolment.user_id == holder.user_id)).one()
    end_read(session)
    enrolments.staff_remove(staff, session=session, enrolment_id=seat.id, reason="Tidak memenuhi syarat")
    assert statuses(session, training) == {holder.user_id: "removed", waiting.user_id: "enrolled"}
    kinds = dict(session.exec(select(Notification.user_id, Notification.kind)).all())
    assert kinds == {holder.user_id: "training.removed", waiting.user_id: "training.promoted"}


def test_staff_add_a_member_by_email_outside_the_window_but_never_past_capacity(session, staff):
    training = make_training(session, capacity=1, closes=utcnow() - timedelta(minutes=1),
                             opens=utcnow() - timedelta(days=2))
    rina = make_user(session, "rina@umkm.example")
    andi = make_user(session, "andi@startup.example")
    assert enrolments.staff_add(staff, session=session, training_id=training.id, email="Rina@UMKM.example").status \
        == "enrolled"
    outcome = enrolments.staff_add(staff, session=session, training_id=training.id, email="andi@startup.example")
    assert (outcome.status, outcome.position) == ("waitlisted", 1)
    assert reload(session, training).enrolled_count == 1
    assert error_key(lambda: enrolments.staff_add(staff, session=session, training_id=training.id,
                                                  email="rina@umkm.example")) == "trainings.error.member_already"
    assert error_key(lambda: enrolments.staff_add(staff, session=session, training_id=training.id,
                                                  email="nobody@x.example")) == "trainings.error.member_not_found"
    roster = enrolments.roster(staff, session=session, training_id=training.id)
    assert [r.user_id for r in roster.enrolled] == [rina.id] and [r.user_id for r in roster.waitlist] == [andi.id]


# --- bad input: a clear message, nothing changed ------------------------------------------------

def test_enrolling_after_closing_or_before_opening_is_refused(session):
    closed = make_training(session, closes=utcnow() - timedelta(minutes=5), opens=utcnow() - timedelta(days=3))
    not_yet = make_training(session, opens=utcnow() + timedelta(hours=5), closes=utcnow() + timedelta(days=1))
    [rina] = members(session, 1)
    assert error_key(lambda: _enrol(session, rina, closed)) == "trainings.error.closed"
    assert error_key(lambda: _enrol(session, rina, not_yet)) == "trainings.error.not_open_yet"
    assert statuses(session, closed) == {} and statuses(session, not_yet) == {}
    detail = trainings.training_detail(rina, session=session, training_id=closed.id)
    assert (detail.enrolment, detail.can_enrol) == ("closed", False)


def test_enrolling_as_a_pending_member_or_a_visitor_is_refused(session):
    training = make_training(session)
    dewi = actor_of(make_user(session, "dewi@craft.example", status="pending"))
    assert error_key(lambda: _enrol(session, dewi, training)) == "error.active_required"
    assert error_key(lambda: enrolments.enrol(None, session=session, training_id=training.id)) == \
        "error.sign_in_required"
    assert statuses(session, training) == {}


@pytest.mark.parametrize("training_id", [999_999, "999999", 0, -3, "abc", None, [1], {"id": 1}, 2**70, True, 1.5])
def test_a_training_id_that_does_not_exist_or_is_junk(session, training_id):
    make_training(session)
    [rina] = members(session, 1)
    key = error_key(lambda: enrolments.enrol(rina, session=session, training_id=training_id))
    assert key in ("trainings.error.training_not_found", "error.field_type", "error.field_range")
    assert session.exec(select(Enrolment)).all() == []
    assert error_key(lambda: trainings.training_detail(None, session=session, training_id=training_id)) in (
        "trainings.error.training_not_found", "error.field_type", "error.field_range")


def test_a_draft_is_not_open_and_not_visible_to_members(session, staff):
    draft = make_training(session, status=rules.DRAFT)
    [rina] = members(session, 1)
    assert error_key(lambda: _enrol(session, rina, draft)) == "trainings.error.not_open"
    assert error_key(lambda: trainings.training_detail(rina, session=session, training_id=draft.id)) == \
        "trainings.error.training_not_found"
    assert trainings.training_detail(staff, session=session, training_id=draft.id).status == "draft"
    assert trainings.catalogue(None, session=session).cards == []


def test_cancelling_someone_elses_enrolment_is_refused(session):
    training = make_training(session)
    rina, andi = members(session, 2)
    _enrol(session, rina, training)
    seat = session.exec(select(Enrolment).where(Enrolment.user_id == rina.user_id)).one()
    before = _state(session, training)
    for enrolment_id in (seat.id, 10**9, "x", None):
        assert error_key(lambda enrolment_id=enrolment_id: enrolments.cancel(
            andi, session=session, enrolment_id=enrolment_id)) in (
            "trainings.error.enrolment_not_found", "error.field_type")
    assert error_key(lambda: enrolments.cancel(None, session=session, enrolment_id=seat.id)) == \
        "error.sign_in_required"
    assert _state(session, training) == before


def test_prerequisites_are_needed_and_the_page_says_which_are_missing(session, staff):
    basics = make_training(session, title_id="Studio basics", title_en="Studio basics")
    advanced = make_training(session, title_id="Produksi podcast", title_en="Podcast production")
    training_admin.add_prerequisite(staff, session=session, training_id=advanced.id, required_training_id=basics.id)
    [rina] = members(session, 1)
    detail = trainings.training_detail(rina, session=session, training_id=advanced.id)
    assert [(row.id, row.title, row.done) for row in detail.missing] == [(basics.id, "Studio basics", False)]
    assert error_key(lambda: _enrol(session, rina, advanced)) == "trainings.error.prerequisites"
    assert statuses(session, advanced) == {}
    # Completing the prerequisite opens the door.
    _enrol(session, rina, basics)
    session.exec(select(Enrolment)).one().completed_at = utcnow()
    session.commit()
    assert trainings.training_detail(rina, session=session, training_id=advanced.id).missing == []
    assert _enrol(session, rina, advanced).status == "enrolled"


def test_prerequisite_loops_are_refused(session, staff):
    first, second = make_training(session), make_training(session)
    training_admin.add_prerequisite(staff, session=session, training_id=second.id, required_training_id=first.id)
    assert error_key(lambda: training_admin.add_prerequisite(staff, session=session, training_id=first.id,
                                                             required_training_id=second.id)) == \
        "trainings.error.prerequisite_cycle"
    assert error_key(lambda: training_admin.add_prerequisite(staff, session=session, training_id=first.id,
                                                             required_training_id=first.id)) == \
        "trainings.error.prerequisite_cycle"
    assert len(session.exec(select(TrainingPrerequisite)).all()) == 1


def test_the_online_link_is_shown_only_to_enrolled_members(session):
    training = make_training(session, capacity=1, format="online", online_link="https://meet.jit.si/jfch-x")
    holder, waiting = members(session, 2)
    _enrol(session, holder, training)
    _enrol(session, waiting, training)
    link = {actor: trainings.training_detail(actor, session=session, training_id=training.id).online_link
            for actor in (holder, waiting, None)}
    assert link == {holder: "https://meet.jit.si/jfch-x", waiting: "", None: ""}


def test_mine_lists_upcoming_waitlisted_and_completed(session):
    now = utcnow()
    upcoming = make_training(session, capacity=5, title_id="Akan datang")
    full = make_training(session, capacity=1, title_id="Penuh")
    done = make_training(session, title_id="Selesai",
                         sessions=[(now - timedelta(days=3), now - timedelta(days=3, hours=-2))],
                         closes=now - timedelta(days=4), opens=now - timedelta(days=9),
                         cancel_until=now - timedelta(days=4))
    rina, andi = members(session, 2)
    _enrol(session, rina, upcoming)
    _enrol(session, andi, full)
    _enrol(session, rina, full)
    session.add(Enrolment(training_id=done.id, user_id=rina.user_id, status="enrolled", enrolled_at=now,
                          completed_at=now))
    session.commit()
    mine = trainings_mine.mine(rina, session=session)
    assert [t.title for t in mine.upcoming] == ["Akan datang"] and mine.upcoming[0].can_cancel
    assert [(t.title, t.position) for t in mine.waitlisted] == [("Penuh", 1)]
    assert [t.title for t in mine.completed] == ["Selesai"] and not mine.completed[0].rated
    assert [c.title for c in trainings_mine.completed_trainings(session, rina.user_id, "id")] == ["Selesai"]
    assert error_key(lambda: trainings_mine.mine(None, session=session)) == "error.sign_in_required"


def test_personal_data_export_and_erase_give_the_seat_to_the_next_member(session):
    training = make_training(session, capacity=1)
    holder, waiting = members(session, 2)
    _enrol(session, holder, training)
    _enrol(session, waiting, training)
    exported = personal_data.export_all(session, holder.user_id)["trainings"]
    assert [row["status"] for row in exported["enrolments"]] == ["enrolled"]
    personal_data.erase_all(session, holder.user_id)
    session.commit()
    assert statuses(session, training) == {holder.user_id: "withdrawn", waiting.user_id: "enrolled"}


def test_rating_only_after_completion_and_staff_see_the_average(session, staff):
    now = utcnow()
    training = make_training(session, sessions=[(now - timedelta(hours=3), now - timedelta(hours=1))],
                             opens=now - timedelta(days=5), closes=now - timedelta(days=1),
                             cancel_until=now - timedelta(days=1))
    rina, andi = members(session, 2)
    for actor in (rina, andi):
        session.add(Enrolment(training_id=training.id, user_id=actor.user_id, status="enrolled", enrolled_at=now))
    training.enrolled_count = 2
    session.add(training)
    session.commit()
    assert error_key(lambda: trainings_mine.rate(rina, session=session, training_id=training.id, stars=5)) == \
        "trainings.error.rate_after_completion"
    [row] = sessions_of(session, training)
    for actor in (rina, andi):
        training_attendance.set_attendance(staff, session=session, session_id=row.id, user_id=actor.user_id,
                                           present=True)
    for stars in (0, 6, "lima", None, 4.5):
        assert error_key(lambda stars=stars: trainings_mine.rate(rina, session=session, training_id=training.id,
                                                             stars=stars)) in ("error.field_range", "error.field_type")
    trainings_mine.rate(rina, session=session, training_id=training.id, stars=5, comment="Sangat praktis")
    trainings_mine.rate(andi, session=session, training_id=training.id, stars="4")
    roster = enrolments.roster(staff, session=session, training_id=training.id)
    assert (roster.average_rating, roster.ratings_count) == ("4.5", 2)
    assert {(r.stars, r.comment) for r in roster.ratings} == {(5, "Sangat praktis"), (4, "")}


def test_attendance_rows_survive_only_for_enrolled_members(session, staff):
    now = utcnow()
    training = make_training(session, sessions=[(now - timedelta(minutes=5), now + timedelta(hours=2))],
                             opens=now - timedelta(days=5), closes=now - timedelta(minutes=10),
                             cancel_until=now - timedelta(minutes=10))
    [outsider] = members(session, 1)
    [row] = sessions_of(session, training)
    assert error_key(lambda: training_attendance.set_attendance(staff, session=session, session_id=row.id,
                                                                user_id=outsider.user_id, present=True)) == \
        "trainings.error.not_on_roster"
    assert session.exec(select(Attendance)).all() == []
