"""Enrolment, the waitlist and the staff roster. A member's own trainings and their ratings are in
services/trainings_mine.py; attendance, check-in and completion in services/training_attendance.py.

Every change to who holds a seat runs in one write transaction that first locks the training row
(SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite takes the database write lock), so
two members can never both take the last seat, and a freed seat goes to the first on the
waitlist before anyone else can see it. The CHECK constraint on trainings.enrolled_count is the
last line: the database refuses more enrolled than seats even if this code were wrong.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import trainings as rules
from hub_app.domain import validation
from hub_app.domain.errors import Conflict, NotAllowed, NotFound
from hub_app.domain.membership import DELETED
from hub_app.domain.permissions import Actor, require_member
from hub_app.domain.spreadsheets import csv_document
from hub_app.i18n import format_short_datetime, translate
from hub_app.models import User
from hub_app.models.base import utcnow
from hub_app.models.trainings import Attendance, Enrolment, Trainer, Training, TrainingPrerequisite, TrainingSession
from hub_app.services import audit, notifications, personal_data, trainings_mine
from hub_app.services.trainings import (
    completed_training_ids,
    lock_training,
    require_staff,
    title_params,
    training_link,
    waitlist_position,
    window_of,
)

# --- seats and the waitlist -------------------------------------------------------------------

def _take_place(session: Session, training: Training, user_id: int, now: datetime,
                existing: Enrolment | None) -> Enrolment:
    """Seats the member or queues them, under the training's lock. Returns the enrolment."""
    enrolment = existing or Enrolment(training_id=training.id, user_id=user_id, status=rules.WAITLISTED)
    enrolment.updated_at = now
    enrolment.completed_at = None
    if rules.seat_for_newcomer(capacity=training.capacity, enrolled=training.enrolled_count,
                               waitlisted=training.waitlist_count):
        enrolment.status = rules.ENROLLED
        enrolment.enrolled_at = now
        enrolment.queue_number = 0
        training.enrolled_count += 1
    else:
        enrolment.status = rules.WAITLISTED
        enrolment.enrolled_at = None
        enrolment.queue_number = training.next_queue_number
        training.next_queue_number += 1
        training.waitlist_count += 1
    training.updated_at = now
    session.add(training)
    session.add(enrolment)
    return enrolment


def promote_waitlist(session: Session, training: Training, now: datetime | None = None) -> list[int]:
    """Fills free seats from the waitlist in queue order and tells each promoted member.
    The caller holds the training's lock and commits."""
    now = now or utcnow()
    if training.waitlist_count == 0 or not rules.promotion_possible(
            training_status=training.status, first_start=training.starts_at, now=now):
        return []
    free = rules.seats_left(training.capacity, training.enrolled_count)
    if free == 0:
        return []
    waiting = session.exec(select(Enrolment).where(Enrolment.training_id == training.id,
                                                   Enrolment.status == rules.WAITLISTED)
                           .order_by(col(Enrolment.queue_number)).limit(free)).all()
    chosen = set(rules.promotions(capacity=training.capacity, enrolled=training.enrolled_count,
                                  waitlist=[(row.queue_number, row.id) for row in waiting]))
    promoted = []
    for enrolment in waiting:
        if enrolment.id not in chosen:
            continue
        enrolment.status = rules.ENROLLED
        enrolment.enrolled_at = enrolment.promoted_at = enrolment.updated_at = now
        training.enrolled_count += 1
        training.waitlist_count -= 1
        session.add(enrolment)
        member = session.get(User, enrolment.user_id)
        if member is not None and member.status != DELETED:
            notifications.notify(session, member, "training.promoted", params=title_params(training, member),
                                 link=training_link(training))
        promoted.append(enrolment.user_id)
    session.add(training)
    return promoted


def _free_place(session: Session, training: Training, enrolment: Enrolment, status: str, now: datetime) -> None:
    """Takes the enrolment out (withdrawn or removed) and hands a freed seat on."""
    if enrolment.status == rules.ENROLLED:
        training.enrolled_count -= 1
    elif enrolment.status == rules.WAITLISTED:
        training.waitlist_count -= 1
    enrolment.status = status
    enrolment.updated_at = now
    session.add(enrolment)
    session.add(training)
    session.flush()
    promote_waitlist(session, training, now)


@dataclass
class EnrolOutcome:
    status: str  # enrolled | waitlisted
    position: int  # place on the waitlist, 0 when enrolled
    enrolment_id: int


def enrol(actor: Actor | None, *, session: Session, training_id: object) -> EnrolOutcome:
    """Takes a seat if one is free, otherwise a place on the waitlist.

    Retries are safe: a member who already holds a seat or a waitlist place gets that place as the
    answer (nothing written), not an error. That is the request sent again after its answer was
    lost (the worker died after the commit, a double tap); the lookup runs under the training's
    lock, so two requests at once queue and the second finds the first's place."""
    actor = require_member(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    begin_write(session)
    training = lock_training(session, training_id)
    now = utcnow()
    existing = session.exec(select(Enrolment).where(Enrolment.training_id == training.id,
                                                    Enrolment.user_id == actor.user_id)).first()
    if existing is not None and existing.status in rules.ACTIVE_ENROLMENT:
        status, enrolment_id = existing.status, existing.id
        position = waitlist_position(session, existing) if status == rules.WAITLISTED else 0
        session.rollback()  # nothing was written; ends the transaction and its lock
        return EnrolOutcome(status, position, enrolment_id)
    required = list(session.exec(select(TrainingPrerequisite.required_training_id)
                                 .where(TrainingPrerequisite.training_id == training.id)).all())
    done = completed_training_ids(session, actor.user_id, required) if required else set()
    rules.check_can_enrol(status=training.status, window=window_of(training), now=now,
                          existing=existing.status if existing else None,
                          missing_prerequisites=rules.missing_prerequisites(required, done))
    enrolment = _take_place(session, training, actor.user_id, now, existing)
    session.commit()
    # The place is fixed by the queue number taken under the lock; counting who is ahead needs no lock.
    status, enrolment_id = enrolment.status, enrolment.id
    position = waitlist_position(session, enrolment) if status == rules.WAITLISTED else 0
    session.rollback()
    return EnrolOutcome(status, position, enrolment_id)


def _own_enrolment(session: Session, actor: Actor, enrolment_id: object) -> Enrolment:
    enrolment_id = validation.identifier(enrolment_id, field="training.enrolment_id")
    enrolment = session.get(Enrolment, enrolment_id)
    # Someone else's enrolment looks exactly like one that does not exist.
    if enrolment is None or enrolment.user_id != actor.user_id:
        raise NotFound("trainings.error.enrolment_not_found")
    return enrolment


def cancel(actor: Actor | None, *, session: Session, enrolment_id: object) -> None:
    """The member gives up their seat (before the deadline) or leaves the waitlist (any time).
    The first on the waitlist takes the seat at once."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    begin_write(session)
    _withdraw(session, _own_enrolment(session, actor, enrolment_id))


def leave(actor: Actor | None, *, session: Session, training_id: object) -> None:
    """`cancel` for the member's own enrolment in this training: a training's page names the
    training by its address, as `enrol` does, so "leave" acts on the training the member sees even
    when the tab's state still holds the page it showed before."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    training_id = validation.identifier(training_id, field="training.training_id")
    begin_write(session)
    enrolment = session.exec(select(Enrolment).where(Enrolment.training_id == training_id,
                                                     Enrolment.user_id == actor.user_id)).first()
    if enrolment is None:
        raise NotFound("trainings.error.enrolment_not_found")
    _withdraw(session, enrolment)


def _withdraw(session: Session, enrolment: Enrolment) -> None:
    training = lock_training(session, enrolment.training_id)
    session.refresh(enrolment)
    now = utcnow()
    if training.status == rules.CANCELLED:
        raise Conflict("trainings.error.cancelled")
    rules.check_cancel(status=enrolment.status, window=window_of(training), now=now)
    _free_place(session, training, enrolment, rules.WITHDRAWN, now)
    session.commit()


# --- staff: enrolments ------------------------------------------------------------------------

def _member_by_email(session: Session, email: object) -> User:
    email = validation.email(email, field="training.member_email")
    member = session.exec(select(User).where(User.email_normalized == email.lower())).first()
    if member is None or member.status == DELETED:
        raise NotFound("trainings.error.member_not_found")
    if member.status != "active":
        raise Conflict("trainings.error.member_not_active")
    return member


def staff_add(actor: Actor | None, *, session: Session, training_id: object, email: object) -> EnrolOutcome:
    """Staff enrol a member by email, also outside the enrolment window and without the
    prerequisites; capacity still holds (a full training puts them on the waitlist)."""
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    begin_write(session)
    training = lock_training(session, training_id)
    member = _member_by_email(session, email)
    if training.status == rules.CANCELLED:
        raise Conflict("trainings.error.cancelled")
    existing = session.exec(select(Enrolment).where(Enrolment.training_id == training.id,
                                                    Enrolment.user_id == member.id)).first()
    if existing is not None and existing.status in rules.ACTIVE_ENROLMENT:
        raise Conflict("trainings.error.member_already")
    now = utcnow()
    enrolment = _take_place(session, training, member.id, now, existing)
    session.flush()
    position = waitlist_position(session, enrolment) if enrolment.status == rules.WAITLISTED else 0
    notifications.notify(session, member, "training.added" if enrolment.status == rules.ENROLLED
                         else "training.added_waitlist", params=title_params(training, member),
                         link=training_link(training))
    audit.record(session, actor, "training.member_add", target_type="training", target_id=training.id,
                 detail=f"user={member.id} {enrolment.status}")
    session.commit()
    return EnrolOutcome(enrolment.status, position, enrolment.id)


def staff_remove(actor: Actor | None, *, session: Session, enrolment_id: object, reason: object = "") -> None:
    actor = require_staff(actor)
    enrolment_id = validation.identifier(enrolment_id, field="training.enrolment_id")
    reason = validation.text(reason, field="training.reason", max_length=500)
    begin_write(session)
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound("trainings.error.enrolment_not_found")
    training = lock_training(session, enrolment.training_id)
    session.refresh(enrolment)
    if enrolment.status not in rules.ACTIVE_ENROLMENT:
        raise Conflict("trainings.error.not_enrolled")
    _free_place(session, training, enrolment, rules.REMOVED, utcnow())
    member = session.get(User, enrolment.user_id)
    if member is not None and member.status != DELETED:
        notifications.notify(session, member, "training.removed", params={**title_params(training, member),
                                                                          "reason": reason or "-"},
                             link=training_link(training))
    audit.record(session, actor, "training.member_remove", target_type="training", target_id=training.id,
                 detail=f"user={enrolment.user_id} {reason}")
    session.commit()


@dataclass
class RosterRow:
    enrolment_id: int
    user_id: int
    name: str
    email: str
    status: str
    position: int
    since: str
    attended: int
    completed: bool


@dataclass
class RatingRow:
    stars: int
    comment: str
    name: str
    when: str


@dataclass
class TrainingRoster:
    enrolled: list[RosterRow]
    waitlist: list[RosterRow]
    average_rating: str
    ratings_count: int
    ratings: list[RatingRow]


def roster(actor: Actor | None, *, session: Session, training_id: object) -> TrainingRoster:
    """Staff: who is enrolled, who waits (in order), attendance so far, and the ratings."""
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    training = session.get(Training, training_id)
    if training is None:
        raise NotFound("trainings.error.training_not_found")
    rows = session.exec(
        select(Enrolment, User).join(User, col(User.id) == Enrolment.user_id)
        .where(Enrolment.training_id == training.id, col(Enrolment.status).in_(rules.ACTIVE_ENROLMENT))
        .order_by(col(Enrolment.status), col(Enrolment.queue_number), col(Enrolment.enrolled_at), col(Enrolment.id))
    ).all()
    attended = dict(session.exec(
        select(Attendance.user_id, func.count()).join(TrainingSession, col(TrainingSession.id) == Attendance.session_id)
        .where(TrainingSession.training_id == training.id).group_by(col(Attendance.user_id))).all())
    enrolled, waitlist = [], []
    for enrolment, user in rows:
        row = RosterRow(enrolment.id, user.id, user.name, user.email, enrolment.status, 0,
                        format_short_datetime(enrolment.enrolled_at or enrolment.updated_at, actor.locale),
                        attended.get(user.id, 0), enrolment.completed_at is not None)
        if enrolment.status == rules.ENROLLED:
            enrolled.append(row)
        else:
            row.position = len(waitlist) + 1
            waitlist.append(row)
    rated = session.exec(
        select(Enrolment, User).join(User, col(User.id) == Enrolment.user_id)
        .where(Enrolment.training_id == training.id, col(Enrolment.rating).is_not(None))
        .order_by(col(Enrolment.rated_at).desc())).all()
    stars = [enrolment.rating for enrolment, _ in rated]
    average = f"{sum(stars) / len(stars):.1f}" if stars else ""
    return TrainingRoster(
        enrolled=enrolled, waitlist=waitlist, average_rating=average, ratings_count=len(stars),
        ratings=[RatingRow(e.rating, e.rating_comment, u.name, format_short_datetime(e.rated_at, actor.locale))
                 for e, u in rated[:100]])


# --- the enrolment CSV ------------------------------------------------------------------------

def export_enrolments_csv(actor: Actor | None, *, session: Session, training_id: object) -> str:
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    training = session.get(Training, training_id)
    if training is None:
        raise NotFound("trainings.error.training_not_found")
    rows = session.exec(
        select(Enrolment, User).join(User, col(User.id) == Enrolment.user_id)
        .where(Enrolment.training_id == training.id)
        .order_by(col(Enrolment.status), col(Enrolment.queue_number), col(Enrolment.id))).all()
    waiting = [e.id for e, _ in rows if e.status == rules.WAITLISTED]
    body = csv_document(["enrolment_id", "member_id", "name", "email", "business", "status", "waitlist_position",
                 "enrolled_at", "completed_at", "rating", "comment"],
                [[e.id, u.id, u.name, u.email, u.business_name, e.status,
                  waiting.index(e.id) + 1 if e.id in waiting else "",
                  e.enrolled_at.isoformat() if e.enrolled_at else "",
                  e.completed_at.isoformat() if e.completed_at else "", e.rating or "", e.rating_comment]
                 for e, u in rows])
    audit.record_read(session, actor, "training.export_enrolments", target_type="training", target_id=training.id)
    return body



# --- personal data (UU 27/2022) ---------------------------------------------------------------

def export_personal_data(session: Session, user_id: int) -> dict:
    enrolled = session.exec(
        select(Enrolment, Training).join(Training, col(Training.id) == Enrolment.training_id)
        .where(Enrolment.user_id == user_id).order_by(col(Enrolment.id))).all()
    attended = session.exec(
        select(Attendance, TrainingSession).join(TrainingSession, col(TrainingSession.id) == Attendance.session_id)
        .where(Attendance.user_id == user_id).order_by(col(Attendance.id))).all()
    return {
        "enrolments": [
            {"training_id": t.id, "training": t.title_id or t.title_en, "status": e.status,
             "created_at": e.created_at, "enrolled_at": e.enrolled_at, "promoted_at": e.promoted_at,
             "completed_at": e.completed_at, "rating": e.rating, "rating_comment": e.rating_comment,
             "rated_at": e.rated_at}
            for e, t in enrolled],
        "attendance": [
            {"training_id": s.training_id, "session_start": s.start_at, "method": a.method, "at": a.created_at}
            for a, s in attended],
    }


def erase_personal_data(session: Session, user_id: int) -> None:
    """Seats and waitlist places are given up (the next member is promoted, as on a cancellation);
    rating comments are erased; attendance and completions stay for the programme's records and no
    longer name the person once the account row is anonymised."""
    now = utcnow()
    active = session.exec(select(Enrolment).where(Enrolment.user_id == user_id,
                                                  col(Enrolment.status).in_(rules.ACTIVE_ENROLMENT))).all()
    for enrolment in active:
        training = lock_training(session, enrolment.training_id)
        session.refresh(enrolment)
        if enrolment.status in rules.ACTIVE_ENROLMENT:
            _free_place(session, training, enrolment, rules.WITHDRAWN, now)
    for enrolment in session.exec(select(Enrolment).where(Enrolment.user_id == user_id,
                                                          Enrolment.rating_comment != "")).all():
        enrolment.rating_comment = ""
        session.add(enrolment)
    for trainer in session.exec(select(Trainer).where(Trainer.user_id == user_id)).all():
        trainer.user_id = None
        session.add(trainer)
    session.flush()


def _register_personal_data() -> None:
    if not any(feature.name == "trainings" for feature in personal_data.FEATURES):
        personal_data.register("trainings", export=export_personal_data, erase=erase_personal_data)


_register_personal_data()


# --- the member's public profile (/members/<id>) ----------------------------------------------

def _profile_section(session: Session, reader: Actor | None, member: User, locale: str):
    """"Completed trainings" on a member's profile in the directory."""
    from hub_app.services.members import ProfileSection, SectionItem

    done = trainings_mine.completed_trainings(session, member.id, locale)
    return ProfileSection(
        title=translate("trainings.profile_title", locale),
        items=[SectionItem(text=item.title, detail=item.completed, link=f"/trainings/{item.training_id}")
               for item in done],
        empty_text=translate("trainings.profile_none", locale))


def _register_profile_section() -> None:
    from hub_app.services import members

    if _profile_section not in members.PROFILE_SECTIONS:
        members.PROFILE_SECTIONS.append(_profile_section)


_register_profile_section()
