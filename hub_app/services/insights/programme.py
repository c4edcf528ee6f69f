"""The entrepreneur support programme: sessions delivered, enrolments, attendance, completion,
ratings, the most attended trainings and the waitlist demand per topic."""

from sqlalchemy import case, distinct, func
from sqlmodel import Session, col, select

from hub_app.domain.insights import rate
from hub_app.domain.trainings import ENROLLED, PUBLISHED
from hub_app.i18n import pick_marked, translate
from hub_app.models import Attendance, Enrolment, Training, TrainingSession
from hub_app.services.insights.figures import Figure, ProgrammeFigures, TrainingRow
from hub_app.services.insights.space_use import count_rows
from hub_app.services.insights.windows import CURRENT, PREVIOUS, Windows, by_period

TOP_TRAININGS = 5


def _pair(found: dict[int, tuple], index: int = 0) -> dict[int, float]:
    return {which: float(found.get(which, (0,) * (index + 1))[index] or 0) for which in (CURRENT, PREVIOUS)}


def programme(session: Session, windows: Windows, lang: str) -> ProgrammeFigures:
    delivered_when = windows.which(TrainingSession.end_at)
    delivered = (col(Training.status) == PUBLISHED, windows.range(TrainingSession.end_at),
                 col(TrainingSession.end_at) <= windows.now)
    sessions = by_period(session.exec(
        select(delivered_when, func.count(), func.sum(Training.enrolled_count))
        .join(Training, col(Training.id) == TrainingSession.training_id)
        .where(*delivered).group_by(delivered_when)).all())
    attended = by_period(session.exec(
        select(delivered_when, func.count()).select_from(Attendance)
        .join(TrainingSession, col(TrainingSession.id) == Attendance.session_id)
        .join(Training, col(Training.id) == TrainingSession.training_id)
        .where(*delivered).group_by(delivered_when)).all())

    seated_when = windows.which(Enrolment.enrolled_at)
    enrolments = by_period(session.exec(
        select(seated_when, func.count()).where(windows.range(Enrolment.enrolled_at)).group_by(seated_when)).all())

    ended_when = windows.which(Training.ends_at)
    completion = by_period(session.exec(
        select(ended_when, func.count(), func.sum(case((col(Enrolment.completed_at).is_not(None), 1), else_=0)))
        .select_from(Enrolment).join(Training, col(Training.id) == Enrolment.training_id)
        .where(Training.status == PUBLISHED, windows.range(Training.ends_at), col(Training.ends_at) <= windows.now,
               Enrolment.status == ENROLLED)
        .group_by(ended_when)).all())

    rated_when = windows.which(Enrolment.rated_at)
    ratings = by_period(session.exec(
        select(rated_when, func.count(), func.avg(Enrolment.rating))
        .where(windows.range(Enrolment.rated_at), col(Enrolment.rating).is_not(None)).group_by(rated_when)).all())

    held, seats, present = _pair(sessions), _pair(sessions, 1), _pair(attended)
    seated, done = _pair(completion), _pair(completion, 1)
    averages = {which: (round(float(ratings[which][1]), 2) if which in ratings else None)
                for which in (CURRENT, PREVIOUS)}
    return ProgrammeFigures(
        sessions_delivered=Figure(int(held[CURRENT]), int(held[PREVIOUS])),
        enrolments=Figure(*(int(value) for value in _pair(enrolments).values())),
        attendance_rate=Figure(rate(present[CURRENT], seats[CURRENT]), rate(present[PREVIOUS], seats[PREVIOUS])),
        completion_rate=Figure(rate(done[CURRENT], seated[CURRENT]), rate(done[PREVIOUS], seated[PREVIOUS])),
        average_rating=Figure(averages[CURRENT], averages[PREVIOUS]),
        ratings=Figure(*(int(value) for value in _pair(ratings).values())),
        top_trainings=_top_trainings(session, windows, lang),
        waitlist_by_topic=_waitlist_by_topic(session, windows, lang),
    )


def _top_trainings(session: Session, windows: Windows, lang: str) -> list[TrainingRow]:
    """The trainings with the most attendances at sessions delivered in the period (then by id)."""
    attendances = func.count(Attendance.id)
    found = session.exec(
        select(Training.id, func.count(distinct(TrainingSession.id)), attendances)
        .select_from(TrainingSession)
        .join(Training, col(Training.id) == TrainingSession.training_id)
        .join(Attendance, col(Attendance.session_id) == TrainingSession.id, isouter=True)
        .where(Training.status == PUBLISHED, col(TrainingSession.end_at) >= windows.start,
               col(TrainingSession.end_at) < windows.end, col(TrainingSession.end_at) <= windows.now)
        .group_by(Training.id).order_by(attendances.desc(), col(Training.id)).limit(TOP_TRAININGS)).all()
    trainings = {training.id: training for training in session.exec(
        select(Training).where(col(Training.id).in_([row[0] for row in found]))).all()} if found else {}
    rows = []
    for training_id, sessions, present in found:
        training = trainings[training_id]
        rows.append(TrainingRow(
            id=training.id, title=pick_marked(training.title_id, training.title_en, lang), topic=training.topic,
            topic_label=translate(f"trainings.topic.{training.topic}", lang), sessions=int(sessions),
            attendances=int(present), enrolled=training.enrolled_count,
            attendance_rate=rate(int(present), int(sessions) * training.enrolled_count)))
    return rows


def _waitlist_by_topic(session: Session, windows: Windows, lang: str):
    """Members who could not get a seat in the trainings with a session starting in the period:
    still waitlisted, or left the waitlist never seated (enrolled_at is None)."""
    # The period's few trainings first, so the enrolments are read through their training index.
    trainings = (select(TrainingSession.training_id).join(Training, col(Training.id) == TrainingSession.training_id)
                 .where(Training.status == PUBLISHED, col(TrainingSession.start_at) >= windows.start,
                        col(TrainingSession.start_at) < windows.end).distinct())
    found = session.exec(
        select(Training.topic, func.count()).select_from(Enrolment)
        .join(Training, col(Training.id) == Enrolment.training_id)
        .where(col(Enrolment.training_id).in_(trainings), Enrolment.status != ENROLLED,
               col(Enrolment.enrolled_at).is_(None))
        .group_by(Training.topic)).all()
    return count_rows(found, "trainings.topic", lang)
