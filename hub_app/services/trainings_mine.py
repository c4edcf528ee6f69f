"""A member's own trainings (/trainings/mine): upcoming, waitlisted, completed and past, the
trainings they completed (for their profile too), and rating a completed training."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import trainings as rules
from hub_app.domain import validation
from hub_app.domain.errors import Conflict, NotAllowed
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_datetime
from hub_app.models.base import utcnow
from hub_app.models.trainings import Enrolment, Training
from hub_app.services.trainings import title_of, waitlist_position


@dataclass
class MyTraining:
    enrolment_id: int
    training_id: int
    title: str
    date: str
    status: str  # enrolled | waitlisted
    position: int
    can_cancel: bool
    cancelled: bool  # the training was cancelled by staff
    completed: bool
    rated: bool
    past: bool  # its last session is over


@dataclass
class MyTrainings:
    upcoming: list[MyTraining]
    waitlisted: list[MyTraining]
    completed: list[MyTraining]
    past: list[MyTraining]


def mine(actor: Actor | None, *, session: Session) -> MyTrainings:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    now = utcnow()
    rows = session.exec(
        select(Enrolment, Training).join(Training, col(Training.id) == Enrolment.training_id)
        .where(Enrolment.user_id == actor.user_id, col(Enrolment.status).in_(rules.ACTIVE_ENROLMENT))
        .order_by(col(Training.starts_at), col(Training.id)).limit(300)).all()
    result = MyTrainings([], [], [], [])
    for enrolment, training in rows:
        position = waitlist_position(session, enrolment) if enrolment.status == rules.WAITLISTED else 0
        item = MyTraining(
            enrolment_id=enrolment.id, training_id=training.id, title=title_of(training, actor.locale),
            date=format_datetime(training.starts_at, actor.locale) if training.starts_at else "",
            status=enrolment.status, position=position,
            can_cancel=(training.status == rules.PUBLISHED and enrolment.status == rules.ENROLLED
                        and now < training.cancel_until) or enrolment.status == rules.WAITLISTED,
            cancelled=training.status == rules.CANCELLED, completed=enrolment.completed_at is not None,
            rated=enrolment.rating is not None, past=training.ends_at is not None and training.ends_at < now)
        if item.completed:
            result.completed.append(item)
        elif enrolment.status == rules.WAITLISTED:
            result.waitlisted.append(item)
        elif training.ends_at is not None and training.ends_at < now:
            result.past.append(item)
        else:
            result.upcoming.append(item)
    result.completed.reverse()
    result.past.reverse()
    return result


@dataclass
class CompletedTraining:
    training_id: int
    title: str
    completed: str


def completed_trainings(session: Session, user_id: int, locale: str) -> list[CompletedTraining]:
    """For profiles: the trainings a member completed, newest first."""
    rows = session.exec(
        select(Enrolment, Training).join(Training, col(Training.id) == Enrolment.training_id)
        .where(Enrolment.user_id == user_id, col(Enrolment.completed_at).is_not(None))
        .order_by(col(Enrolment.completed_at).desc()).limit(100)).all()
    return [CompletedTraining(training.id, title_of(training, locale),
                              format_datetime(enrolment.completed_at, locale).rsplit(",", 1)[0])
            for enrolment, training in rows]


def my_completed_trainings(actor: Actor | None, *, session: Session) -> list[CompletedTraining]:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    return completed_trainings(session, actor.user_id, actor.locale)


# --- ratings ----------------------------------------------------------------------------------

def rate(actor: Actor | None, *, session: Session, training_id: object, stars: object, comment: object = "") -> None:
    """After completing a training the member rates it 1-5 with an optional comment (can change it)."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    training_id = validation.identifier(training_id, field="training.training_id")
    stars = validation.integer(stars, field="training.rating", minimum=1, maximum=5)
    rules.check_rating(stars)
    comment = validation.text(comment, field="training.comment", max_length=rules.LIMITS["comment"], multiline=True)
    begin_write(session)
    enrolment = session.exec(select(Enrolment).where(Enrolment.training_id == training_id,
                                                     Enrolment.user_id == actor.user_id)).first()
    if enrolment is None or enrolment.completed_at is None:
        raise Conflict("trainings.error.rate_after_completion")
    enrolment.rating = stars
    enrolment.rating_comment = comment
    enrolment.rated_at = enrolment.updated_at = utcnow()
    session.add(enrolment)
    session.commit()
