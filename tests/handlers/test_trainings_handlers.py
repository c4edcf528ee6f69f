"""Training pages' handlers, called as a browser would, by every kind of actor: the catalogue
(/trainings), a training (/trainings/<id>), my trainings and the profile section, QR check-in,
/admin/trainings and /admin/trainings/<id>, and attendance on a phone. Visitors are sent to sign
in, pending members enrol in nothing, members never touch another member's enrolment, only staff
run the programme; nothing crashes on junk."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from hub_app.models import AuditEntry, Notification
from hub_app.models.base import utcnow
from hub_app.models.trainings import Attendance, Enrolment, Trainer, Training, TrainingPrerequisite, TrainingSession
from hub_app.pages.admin_trainings import AdminTrainingsState, AdminTrainingState
from hub_app.pages.trainings import TrainingsState
from hub_app.pages.trainings_attendance import TrainingAttendanceState
from hub_app.pages.trainings_checkin import TrainingCheckInState
from hub_app.pages.trainings_detail import TrainingDetailState
from hub_app.pages.trainings_mine import MyTrainingsState, ProfileTrainingsState
from hub_app.services import enrolments
from tests.bookings.helpers import iso, weekday_ahead
from tests.handlers.handler_harness import MEGABYTE_TEXT, covers, db_fingerprint, rows
from tests.trainings.helpers import make_training

TRAINING_TABLES = ["trainings", "training_sessions", "enrolments", "training_attendance", "trainers",
                   "training_trainers", "training_prerequisites", "bookings", "notifications", "audit_entries"]


def _training(engine, **fields) -> int:
    with Session(engine, expire_on_commit=False) as session:
        return make_training(session, **fields).id


def _enrol(engine, training_id: int, user_id: int) -> int:
    from hub_app.domain.permissions import Actor

    with Session(engine, expire_on_commit=False) as session:
        return enrolments.enrol(Actor(user_id, "member", "active"), session=session,
                                training_id=training_id).enrolment_id


def _statuses(engine, training_id: int) -> dict[int, str]:
    return {row.user_id: row.status for row in rows(engine, Enrolment, Enrolment.training_id == training_id)}


def _now_session_training(engine, **fields) -> tuple[int, int, str]:
    """A training whose one session is on right now: (training id, session id, check-in code)."""
    now = utcnow()
    training_id = _training(engine, sessions=[(now - timedelta(minutes=10), now + timedelta(hours=2))],
                            opens=now - timedelta(days=3), closes=now - timedelta(hours=1),
                            cancel_until=now - timedelta(hours=1), **fields)
    [row] = rows(engine, TrainingSession, TrainingSession.training_id == training_id)
    return training_id, row.id, row.check_in_code


# -- /trainings ---------------------------------------------------------------------------------------

@covers(TrainingsState.load, TrainingsState.search, TrainingsState.clear)
@pytest.mark.parametrize("role", ["visitor", "pending", "active", "staff"])
def test_everyone_browses_and_filters_the_catalogue(role, hub, people):
    finance = _training(people.engine, title_id="Pembukuan sederhana", title_en="Simple bookkeeping", topic="finance")
    marketing = _training(people.engine, title_id="Instagram untuk UMKM", title_en="Instagram for small businesses",
                          topic="digital_marketing", capacity=1)
    _enrol(people.engine, marketing, people.other.id)
    tab = hub.browser(people.by_role()[role])
    tab.load("/trainings").ok()
    assert {card.id for card in tab.state(TrainingsState).cards} == {finance, marketing}
    tab.call(TrainingsState.search, {"topic": "finance", "query": ""}).ok()
    assert [card.id for card in tab.state(TrainingsState).cards] == [finance]
    tab.call(TrainingsState.search, {"query": "instagram", "seats_only": "on"}).ok()
    assert tab.state(TrainingsState).cards == []
    tab.call(TrainingsState.clear).ok()
    assert len(tab.state(TrainingsState).cards) == 2
    tab.load("/trainings", topic="digital_marketing").ok()
    [card] = tab.state(TrainingsState).cards
    assert (card.id, card.full, card.waitlist) == (marketing, True, 0)


@covers(TrainingsState.search)
def test_bad_filters_show_a_message_and_crash_nothing(hub, people):
    _training(people.engine)
    tab = hub.browser(None, lang="en")
    tab.load("/trainings", lang="en").ok()
    tab.call(TrainingsState.search, {"topic": "weapons"}).ok()
    assert tab.state(TrainingsState).error.endswith("Choose one of the options offered.")
    tab.call(TrainingsState.search, {"date_from": "2026-02-31"}).ok()
    assert "not valid" in tab.state(TrainingsState).error
    for junk in (None, [], "x", {"query": MEGABYTE_TEXT}, {"topic": ["finance"], "level": {"a": 1}}):
        tab.send(TrainingsState.search, {"form": junk}).ok()


@covers(TrainingsState.next_page, TrainingsState.previous_page)
def test_pages_of_the_catalogue(hub, people):
    now = utcnow()
    ids = [_training(people.engine, title_id=f"Pelatihan {n}",
                     sessions=[(now + timedelta(days=n + 2), now + timedelta(days=n + 2, hours=1))])
           for n in range(15)]
    tab = hub.browser(None)
    tab.load("/trainings").ok()
    first = [card.id for card in tab.state(TrainingsState).cards]
    tab.call(TrainingsState.next_page).ok()
    second = [card.id for card in tab.state(TrainingsState).cards]
    assert first + second == ids and tab.state(TrainingsState).next_cursor == ""
    tab.call(TrainingsState.next_page).ok()  # nothing further: stays
    assert [card.id for card in tab.state(TrainingsState).cards] == second
    tab.call(TrainingsState.previous_page).ok()
    assert [card.id for card in tab.state(TrainingsState).cards] == first
    tab.call(TrainingsState.previous_page).ok()
    assert [card.id for card in tab.state(TrainingsState).cards] == first


# -- /trainings/<id> ----------------------------------------------------------------------------------

@covers(TrainingDetailState.load, TrainingDetailState.enrol)
def test_member_enrols_and_the_seat_count_drops(hub, people):
    training_id = _training(people.engine, capacity=2)
    tab = hub.browser(people.active)
    tab.load(f"/trainings/{training_id}").ok()
    assert tab.state(TrainingDetailState).training.seats_left == 2
    tab.call(TrainingDetailState.enrol).ok()
    state = tab.state(TrainingDetailState)
    assert (state.training.my_status, state.training.seats_left) == ("enrolled", 1) and "terdaftar" in state.info
    # A second time (a retry after a lost answer): the same seat, no error, nothing changes.
    tab.call(TrainingDetailState.enrol).ok()
    state = tab.state(TrainingDetailState)
    assert state.error == "" and "terdaftar" in state.info
    assert (state.training.my_status, state.training.seats_left) == ("enrolled", 1)
    assert _statuses(people.engine, training_id) == {people.active.id: "enrolled"}


@covers(TrainingDetailState.enrol, TrainingDetailState.cancel)
def test_enrolling_and_leaving_each_look_the_member_up_once(hub, people, actor_lookups):
    """The page read again after enrolling or leaving is read for the member the event found."""
    training_id = _training(people.engine, capacity=2)
    tab = hub.browser(people.active)
    tab.load(f"/trainings/{training_id}").ok()
    actor_lookups.clear()  # the page load's own lookups are the shell's
    tab.call(TrainingDetailState.enrol).ok()
    assert tab.state(TrainingDetailState).training.my_status == "enrolled"
    assert actor_lookups == [people.active.token]
    actor_lookups.clear()
    tab.call(TrainingDetailState.cancel).ok()
    assert tab.state(TrainingDetailState).training.my_status == "withdrawn"
    assert actor_lookups == [people.active.token]


@covers(TrainingDetailState.enrol)
def test_visitors_are_sent_to_sign_in_and_come_back(hub, people):
    training_id = _training(people.engine)
    tab = hub.browser(None)
    tab.load(f"/trainings/{training_id}").ok()
    assert tab.state(TrainingDetailState).training.can_enrol
    outcome = tab.call(TrainingDetailState.enrol).ok()
    assert outcome.navigations == [f"/login?next=/trainings/{training_id}"]
    assert _statuses(people.engine, training_id) == {}


@covers(TrainingDetailState.enrol)
@pytest.mark.parametrize("role", ["pending", "suspended", "rejected"])
def test_members_who_are_not_active_enrol_in_nothing(role, hub, people):
    training_id = _training(people.engine)
    person = getattr(people, role)
    tab = hub.browser(person)
    tab.load(f"/trainings/{training_id}").ok()
    outcome = tab.call(TrainingDetailState.enrol).ok()
    # Pending and rejected members read why; a suspended member's sessions no longer count (sign in).
    assert tab.state(TrainingDetailState).error or outcome.navigations == [f"/login?next=/trainings/{training_id}"]
    assert _statuses(people.engine, training_id) == {}


@covers(TrainingDetailState.load, TrainingDetailState.enrol)
def test_unknown_or_junk_training_ids_show_not_found(hub, people):
    draft = _training(people.engine, status="draft")
    tab = hub.browser(people.active, lang="en")
    for path in ("/trainings/999999", f"/trainings/{draft}", "/trainings/abc", "/trainings/-1",
                 "/trainings/" + "9" * 40):
        tab.load(path, lang="en").ok()
        state = tab.state(TrainingDetailState)
        assert not state.found and state.error
        tab.call(TrainingDetailState.enrol).ok()
    assert rows(people.engine, Enrolment) == []
    staff = hub.browser(people.staff)
    staff.load(f"/trainings/{draft}").ok()
    assert staff.state(TrainingDetailState).found


@covers(TrainingDetailState.cancel, MyTrainingsState.load, MyTrainingsState.cancel)
def test_the_first_cancels_and_the_second_is_promoted_and_notified(hub, people):
    training_id = _training(people.engine, capacity=1)
    first = hub.browser(people.active)
    first.load(f"/trainings/{training_id}").ok()
    first.call(TrainingDetailState.enrol).ok()
    second = hub.browser(people.other)
    second.load(f"/trainings/{training_id}").ok()
    second.call(TrainingDetailState.enrol).ok()
    state = second.state(TrainingDetailState)
    assert (state.training.my_status, state.training.my_position) == ("waitlisted", 1)
    first.load("/trainings/mine").ok()
    [mine] = first.state(MyTrainingsState).upcoming
    first.call(MyTrainingsState.cancel, mine.enrolment_id).ok()
    assert first.state(MyTrainingsState).upcoming == []
    assert _statuses(people.engine, training_id) == {people.active.id: "withdrawn", people.other.id: "enrolled"}
    [note] = rows(people.engine, Notification, Notification.user_id == people.other.id)
    assert note.kind == "training.promoted"
    second.load(f"/trainings/{training_id}").ok()
    assert second.state(TrainingDetailState).training.my_status == "enrolled"
    # And from the training page: give up the seat again.
    second.call(TrainingDetailState.cancel).ok()
    assert _statuses(people.engine, training_id)[people.other.id] == "withdrawn"


@covers(TrainingDetailState.cancel)
def test_leave_acts_on_the_training_of_the_pages_address_even_when_the_tabs_state_is_older(hub, people):
    shown, older = _training(people.engine), _training(people.engine)
    for training_id in (shown, older):
        _enrol(people.engine, training_id, people.active.id)
    tab = hub.browser(people.active)
    tab.load(f"/trainings/{older}").ok()
    # The tab moved on to the other training's page, and its page load has not reached this state
    # (answered late, or lost with a dropped socket): "leave" is pressed on that page.
    tab.path = f"/trainings/{shown}"
    tab.call(TrainingDetailState.cancel).ok()
    assert _statuses(people.engine, shown) == {people.active.id: "withdrawn"}
    assert _statuses(people.engine, older) == {people.active.id: "enrolled"}
    assert tab.state(TrainingDetailState).training.id == shown


@covers(MyTrainingsState.cancel, TrainingDetailState.cancel)
def test_nobody_cancels_another_members_enrolment(hub, people):
    training_id = _training(people.engine)
    victim = _enrol(people.engine, training_id, people.other.id)
    before = db_fingerprint(people.engine, TRAINING_TABLES)
    for person in (people.active, people.pending, None, people.staff):
        tab = hub.browser(person)
        tab.load("/trainings/mine").ok()
        for junk in (victim, str(victim), -1, None, "x", [victim], {"id": victim}, 2**70):
            tab.call(MyTrainingsState.cancel, junk).ok()
        tab.load(f"/trainings/{training_id}").ok()
        tab.call(TrainingDetailState.cancel).ok()
    assert db_fingerprint(people.engine, TRAINING_TABLES) == before


@covers(MyTrainingsState.load)
def test_my_trainings_sends_visitors_to_sign_in(hub, people):
    outcome = hub.browser(None).load("/trainings/mine").ok()
    assert outcome.navigations == ["/login?next=/trainings/mine"]


@covers(TrainingDetailState.rate, ProfileTrainingsState.load_completed_trainings)
def test_after_completion_the_member_rates_it_and_it_shows_on_the_profile(hub, people):
    training_id, session_id, _ = _now_session_training(people.engine, title_id="Studio basics")
    with Session(people.engine) as session:
        session.add(Enrolment(training_id=training_id, user_id=people.active.id, status="enrolled",
                              enrolled_at=utcnow()))
        training = session.get(Training, training_id)
        training.enrolled_count = 1
        session.add(training)
        session.commit()
    tab = hub.browser(people.active)
    tab.load(f"/trainings/{training_id}").ok()
    tab.call(TrainingDetailState.rate, {"rating": "5", "comment": "Bagus"}).ok()
    assert "setelah menyelesaikan" in tab.state(TrainingDetailState).error
    staff = hub.browser(people.staff)
    staff.load(f"/admin/trainings/{training_id}/sessions/{session_id}").ok()
    staff.call(TrainingAttendanceState.toggle, people.active.id, True).ok()
    tab.load("/profile").ok()
    tab.call(ProfileTrainingsState.load_completed_trainings).ok()
    assert [item.title for item in tab.state(ProfileTrainingsState).completed_trainings] == ["Studio basics"]
    tab.load(f"/trainings/{training_id}").ok()
    for junk in ({"rating": "6"}, {"rating": "abc"}, {"rating": ["5"]}, {"rating": "3", "comment": MEGABYTE_TEXT},
                 None, "x", []):
        tab.send(TrainingDetailState.rate, {"form": junk}).ok()
    tab.call(TrainingDetailState.rate, {"rating": "4", "comment": "Praktis"}).ok()
    [row] = rows(people.engine, Enrolment)
    assert (row.rating, row.rating_comment) == (4, "Praktis")
    # Someone who did not complete it cannot rate it, a visitor neither; the profile section is empty.
    for person in (people.other, None):
        other = hub.browser(person)
        other.load(f"/trainings/{training_id}").ok()
        other.call(TrainingDetailState.rate, {"rating": "1"}).ok()
        other.call(ProfileTrainingsState.load_completed_trainings).ok()
        assert other.state(ProfileTrainingsState).completed_trainings == []
    assert [r.rating for r in rows(people.engine, Enrolment)] == [4]


# -- QR check-in ----------------------------------------------------------------------------------------

@covers(TrainingCheckInState.load)
def test_checking_in_by_the_sessions_qr_code(hub, people):
    training_id, _, code = _now_session_training(people.engine)
    with Session(people.engine) as session:
        enrolments.staff_add(_actor(people.staff), session=session, training_id=training_id,
                             email=people.active.email)
    visitor = hub.browser(None).load(f"/trainings/check-in/{code}").ok()
    assert visitor.navigations == [f"/login?next=/trainings/check-in/{code}"]
    tab = hub.browser(people.active)
    tab.load(f"/trainings/check-in/{code}").ok()
    state = tab.state(TrainingCheckInState)
    assert state.done and state.session_number == 1 and state.completed
    outsider = hub.browser(people.other)
    outsider.load(f"/trainings/check-in/{code}").ok()
    assert not outsider.state(TrainingCheckInState).done and outsider.state(TrainingCheckInState).error
    for bad in ("0" * 32, "abc", "%2e%2e", "x" * 200):
        outsider.load(f"/trainings/check-in/{bad}").ok()
        assert outsider.state(TrainingCheckInState).error
    pending = hub.browser(people.pending)
    pending.load(f"/trainings/check-in/{code}").ok()
    assert not pending.state(TrainingCheckInState).done
    assert [(a.user_id, a.method) for a in rows(people.engine, Attendance)] == [(people.active.id, "qr")]


def _actor(person):
    from hub_app.domain.permissions import Actor

    return Actor(person.id, person.role, person.status, person.name)


# -- /admin/trainings -----------------------------------------------------------------------------------

def _form(**changes) -> dict:
    day = weekday_ahead(6)
    before = day - timedelta(days=1)
    form = {"title_id": "Mengurus NIB lewat OSS", "title_en": "Getting your NIB", "description_id": "Langkah",
            "description_en": "Steps", "topic": "permits", "level": "beginner", "language": "id", "format": "hub",
            "online_link": "", "capacity": "10", "completion_share": "100",
            "enrol_opens_at": iso(before - timedelta(days=9), 8), "enrol_closes_at": iso(before, 17),
            "cancel_until": iso(before, 12)}
    return form | changes


@covers(AdminTrainingsState.load, AdminTrainingsState.create, AdminTrainingsState.search,
        AdminTrainingsState.next_page, AdminTrainingsState.first_page)
@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_create_and_find_trainings(role, hub, people):
    tab = hub.browser(getattr(people, role))
    tab.load("/admin/trainings").ok()
    assert tab.state(AdminTrainingsState).allowed
    outcome = tab.call(AdminTrainingsState.create, _form()).ok()
    [training] = rows(people.engine, Training)
    assert training.status == "draft" and f"/admin/trainings/{training.id}" in outcome.delta_text() + str(
        outcome.frontend_events)
    tab.call(AdminTrainingsState.create, _form(capacity="nol")).ok()
    assert tab.state(AdminTrainingsState).create_error
    for n in range(21):
        _training(people.engine, title_id=f"Pelatihan {n}")
    tab.call(AdminTrainingsState.search, {"query": "", "status": ""}).ok()
    assert len(tab.state(AdminTrainingsState).rows) == 20
    tab.call(AdminTrainingsState.next_page).ok()
    assert len(tab.state(AdminTrainingsState).rows) == 2
    tab.call(AdminTrainingsState.first_page).ok()
    tab.call(AdminTrainingsState.search, {"query": "NIB", "status": "draft"}).ok()
    assert [row.id for row in tab.state(AdminTrainingsState).rows] == [training.id]
    tab.call(AdminTrainingsState.search, {"query": MEGABYTE_TEXT, "status": ["x"]}).ok()


@covers(AdminTrainingsState.load, AdminTrainingsState.create, AdminTrainingsState.search,
        AdminTrainingsState.next_page, AdminTrainingsState.first_page)
@pytest.mark.parametrize("role", ["visitor", "pending", "active"])
def test_only_staff_run_the_programme_list(role, hub, people):
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load("/admin/trainings").ok()
    if role == "visitor":
        assert outcome.navigations == ["/login?next=/admin/trainings"]
    else:
        assert not tab.state(AdminTrainingsState).allowed
    tab.call(AdminTrainingsState.create, _form()).ok()
    tab.call(AdminTrainingsState.search, {"query": ""}).ok()
    tab.call(AdminTrainingsState.next_page).ok()
    tab.call(AdminTrainingsState.first_page).ok()
    assert rows(people.engine, Training) == [] and tab.state(AdminTrainingsState).rows == []


STAFF_ACTIONS = [
    (AdminTrainingState.save, lambda ids: (_form(capacity="3"),)),
    (AdminTrainingState.publish, lambda ids: ()),
    (AdminTrainingState.cancel_training, lambda ids: ({"reason": "Pelatih sakit"},)),
    (AdminTrainingState.add_session, lambda ids: ({"start": iso(weekday_ahead(6), 13),
                                                   "end": iso(weekday_ahead(6), 15), "space_id": str(ids["space"])},)),
    (AdminTrainingState.move_session, lambda ids: ({"session_id": str(ids["session"]),
                                                    "start": iso(weekday_ahead(6), 16),
                                                    "end": iso(weekday_ahead(6), 18), "space_id": str(ids["space"])},)),
    (AdminTrainingState.delete_session, lambda ids: (ids["session"],)),
    (AdminTrainingState.add_trainer, lambda ids: ({"name": "Lestari Putri", "bio_id": "", "bio_en": ""},)),
    (AdminTrainingState.remove_trainer, lambda ids: (ids["trainer"],)),
    (AdminTrainingState.add_prerequisite, lambda ids: ({"prerequisite": str(ids["other"])},)),
    (AdminTrainingState.remove_prerequisite, lambda ids: (ids["required"],)),
    (AdminTrainingState.add_member, lambda ids: ({"email": "active@test.example"},)),
    (AdminTrainingState.remove_member, lambda ids: ({"enrolment_id": str(ids["enrolment"]), "reason": "x"},)),
]


def _arranged(people) -> dict:
    """A published training with a trainer, a prerequisite, a session in a room and an enrolment."""
    from tests.bookings.helpers import make_space

    with Session(people.engine, expire_on_commit=False) as session:
        space = make_space(session, name="Ruang Berlin", capacity=12)
        required = make_training(session, title_id="Dasar")
        other = make_training(session, title_id="Lain")
        start = utcnow() + timedelta(days=10)
        training = make_training(session, capacity=5, sessions=[(start, start + timedelta(hours=2)),
                                                                (start + timedelta(days=1),
                                                                 start + timedelta(days=1, hours=2))])
        trainer = Trainer(name="Ayu Wijayanti")
        session.add(trainer)
        session.flush()
        from hub_app.models.trainings import TrainingTrainer

        session.add(TrainingTrainer(training_id=training.id, trainer_id=trainer.id))
        session.add(TrainingPrerequisite(training_id=training.id, required_training_id=required.id))
        session.commit()
        sessions = session.exec(select(TrainingSession).where(TrainingSession.training_id == training.id)
                                .order_by(TrainingSession.start_at)).all()
        ids = {"training": training.id, "space": space.id, "session": sessions[-1].id, "trainer": trainer.id,
               "other": other.id, "required": required.id}
    ids["enrolment"] = _enrol(people.engine, other.id, people.other.id)  # on another training
    with Session(people.engine) as session:
        session.add(Enrolment(training_id=training.id, user_id=people.other.id, status="enrolled",
                              enrolled_at=utcnow()))
        row = session.get(Training, training.id)
        row.enrolled_count = 1
        session.add(row)
        session.commit()
        ids["enrolment"] = session.exec(select(Enrolment.id).where(Enrolment.training_id == training.id)).one()
    return ids


@covers(*[handler for handler, _ in STAFF_ACTIONS], AdminTrainingState.load)
@pytest.mark.parametrize("role", ["visitor", "pending", "active"])
def test_members_cannot_use_any_staff_action(role, hub, people):
    ids = _arranged(people)
    before = db_fingerprint(people.engine, TRAINING_TABLES)
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load(f"/admin/trainings/{ids['training']}").ok()
    if role == "visitor":
        assert outcome.navigations == [f"/login?next=/admin/trainings/{ids['training']}"]
    else:
        assert not tab.state(AdminTrainingState).allowed
        assert tab.state(AdminTrainingState).roster.enrolled == []
    for handler, arguments in STAFF_ACTIONS:
        tab.call(handler, *arguments(ids)).ok()
        assert tab.state(AdminTrainingState).error or tab.state(AdminTrainingState).session_error, handler
    assert db_fingerprint(people.engine, TRAINING_TABLES) == before


@covers(*[handler for handler, _ in STAFF_ACTIONS], AdminTrainingState.load)
def test_staff_run_a_training_from_its_page(hub, people):
    ids = _arranged(people)
    tab = hub.browser(people.staff)
    tab.load(f"/admin/trainings/{ids['training']}").ok()
    state = tab.state(AdminTrainingState)
    assert state.allowed and [row.name for row in state.roster.enrolled] == [people.other.name]
    for handler, arguments in STAFF_ACTIONS:
        if handler in (AdminTrainingState.publish, AdminTrainingState.cancel_training):
            continue
        tab.call(handler, *arguments(ids)).ok()
        state = tab.state(AdminTrainingState)
        assert not state.error and not state.session_error, (handler, state.error, state.session_error)
    with Session(people.engine) as session:
        training = session.get(Training, ids["training"])
        assert training.capacity == 3 and training.session_count == 2
        statuses = {row.user_id: row.status for row in session.exec(
            select(Enrolment).where(Enrolment.training_id == training.id))}
    assert statuses == {people.other.id: "removed", people.active.id: "enrolled"}
    actions = {entry.action for entry in rows(people.engine, AuditEntry)}
    assert {"training.update", "training.session_add", "training.session_delete", "training.trainer_add",
            "training.trainer_remove", "training.prerequisite_add", "training.prerequisite_remove",
            "training.member_add", "training.member_remove"} <= actions
    tab.call(AdminTrainingState.cancel_training, {"reason": ""}).ok()
    assert tab.state(AdminTrainingState).error  # a reason is needed
    tab.call(AdminTrainingState.cancel_training, {"reason": "Pelatih sakit"}).ok()
    assert tab.state(AdminTrainingState).view.status == "cancelled"
    tab.call(AdminTrainingState.publish).ok()
    assert tab.state(AdminTrainingState).error


@covers(AdminTrainingState.publish, AdminTrainingState.add_session)
def test_staff_see_the_room_conflict_and_choose_another_time(hub, people):
    ids = _arranged(people)
    tab = hub.browser(people.staff, lang="en")
    tab.load(f"/admin/trainings/{ids['training']}", lang="en").ok()
    day = weekday_ahead(6)
    form = {"start": iso(day, 9), "end": iso(day, 11), "space_id": str(ids["space"])}
    tab.call(AdminTrainingState.add_session, form).ok()
    assert not tab.state(AdminTrainingState).session_error
    tab.call(AdminTrainingState.add_session, form | {"start": iso(day, 10), "end": iso(day, 12)}).ok()
    assert tab.state(AdminTrainingState).session_error == "That time is already booked. Please choose another time."
    tab.call(AdminTrainingState.add_session, form | {"start": iso(day, 12), "end": iso(day, 11)}).ok()
    assert "must end after it starts" in tab.state(AdminTrainingState).session_error
    tab.call(AdminTrainingState.add_session, form | {"start": iso(day, 11), "end": iso(day, 12)}).ok()
    assert len(tab.state(AdminTrainingState).view.sessions) == 4
    draft = _training(people.engine, status="draft")
    tab.load(f"/admin/trainings/{draft}", lang="en").ok()
    tab.call(AdminTrainingState.publish).ok()
    assert tab.state(AdminTrainingState).view.status == "published"


@covers(*[handler for handler, _ in STAFF_ACTIONS])
def test_staff_actions_survive_junk(hub, people):
    ids = _arranged(people)
    tab = hub.browser(people.staff)
    tab.load(f"/admin/trainings/{ids['training']}").ok()
    for handler, _ in STAFF_ACTIONS:
        for junk in (None, [], "x", {"unexpected": MEGABYTE_TEXT}, 2**70, {"form": {"capacity": [1]}}):
            tab.send(handler, junk if not isinstance(junk, dict) else junk).not_crashed()
    with Session(people.engine) as session:
        assert session.get(Training, ids["training"]).status == "published"


# -- attendance on a phone --------------------------------------------------------------------------------

@covers(TrainingAttendanceState.load, TrainingAttendanceState.toggle, TrainingAttendanceState.toggle_qr)
def test_staff_take_attendance_by_tapping_names(hub, people):
    training_id, session_id, code = _now_session_training(people.engine)
    for person in (people.active, people.other):
        with Session(people.engine) as session:
            enrolments.staff_add(_actor(people.staff), session=session, training_id=training_id, email=person.email)
    tab = hub.browser(people.staff)
    tab.load(f"/admin/trainings/{training_id}/sessions/{session_id}").ok()
    sheet = tab.state(TrainingAttendanceState).sheet
    assert [row.name for row in sheet.rows] == sorted([people.active.name, people.other.name])
    tab.call(TrainingAttendanceState.toggle_qr).ok()
    state = tab.state(TrainingAttendanceState)
    assert state.show_qr and state.sheet.qr_svg.startswith("data:image/svg+xml") and code in state.sheet.check_in_url
    tab.call(TrainingAttendanceState.toggle, people.active.id, True).ok()
    assert tab.state(TrainingAttendanceState).sheet.present == 1
    tab.call(TrainingAttendanceState.toggle, people.active.id, False).ok()
    tab.call(TrainingAttendanceState.toggle, people.active.id, True).ok()
    tab.call(TrainingAttendanceState.toggle, people.pending.id, True).ok()  # not on the roster
    assert tab.state(TrainingAttendanceState).error
    for junk in (None, "x", -1, 2**70, [1], {"a": 1}):
        tab.call(TrainingAttendanceState.toggle, junk, junk).ok()
    assert [a.user_id for a in rows(people.engine, Attendance)] == [people.active.id]
    completed = {row.user_id: row.completed_at is not None for row in rows(people.engine, Enrolment)}
    assert completed == {people.active.id: True, people.other.id: False}


@covers(TrainingAttendanceState.load, TrainingAttendanceState.toggle, TrainingAttendanceState.toggle_qr)
@pytest.mark.parametrize("role", ["visitor", "pending", "active"])
def test_members_cannot_see_or_take_attendance(role, hub, people):
    training_id, session_id, code = _now_session_training(people.engine)
    with Session(people.engine) as session:
        enrolments.staff_add(_actor(people.staff), session=session, training_id=training_id,
                             email=people.active.email)
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load(f"/admin/trainings/{training_id}/sessions/{session_id}").ok()
    if role == "visitor":
        assert outcome.navigations[0].startswith("/login?next=")
    state = tab.state(TrainingAttendanceState)
    assert not state.sheet.rows and code not in state.sheet.check_in_url
    tab.call(TrainingAttendanceState.toggle, people.active.id, True).ok()
    tab.call(TrainingAttendanceState.toggle_qr).ok()
    assert code not in tab.state(TrainingAttendanceState).sheet.qr_svg
    assert rows(people.engine, Attendance) == []
