"""The entrepreneur support programme: sessions delivered, enrolments, attendance, completion,
ratings, the most attended trainings and the waitlist demand per topic."""

from sqlalchemy import case, distinct, func
from sqlmodel import Session, col, select

from hub_app.domain.insights import rate
from hub_app.domain.trainings import ENROLLED, PUBLISHED
from hub_app.i18n import pick_marked, translate
from hub_app.models import Attendance, Enrolment, Training, TrainingSession
from hub_app.services.insights import rollups
from hub_app.services.insights.figures import Figure, ProgrammeFigures, TrainingRow
from hub_app.services.insights.rollups import PROGRAMME_SUMS, Split
from hub_app.services.insights.space_use import count_rows
from hub_app.services.insights.windows import CURRENT, PREVIOUS, Windows, in_spans, which_span

TOP_TRAININGS = 5


def programme(session: Session, windows: Windows, lang: str,
              split: tuple[dict[int, Split], dict[int, Split]]) -> ProgrammeFigures:
    """Rolled days from the rollups plus the live spans' rows. Sessions delivered and trainings
    ended depend on now: they are rolled only for settled days (split[1])."""
    plain, timed = split
    totals = {which: dict.fromkeys(PROGRAMME_SUMS, 0) for which in (CURRENT, PREVIOUS)}
    for which, values in rollups.rolled_programme(session, plain, timed):
        for name, value in values.items():
            totals[which][name] += int(value or 0)
    for which, values in _live(session, windows, plain, timed):
        for name, value in values.items():
            totals[which][name] += int(value or 0)
    now, before = totals[CURRENT], totals[PREVIOUS]

    def average(found: dict[str, int]) -> float | None:
        return round(found["rating_sum"] / found["ratings"], 2) if found["ratings"] else None

    return ProgrammeFigures(
        sessions_delivered=Figure(now["sessions"], before["sessions"]),
        enrolments=Figure(now["seated"], before["seated"]),
        attendance_rate=Figure(rate(now["attendances"], now["seats"]), rate(before["attendances"], before["seats"])),
        completion_rate=Figure(rate(now["ended_completed"], now["ended_enrolled"]),
                               rate(before["ended_completed"], before["ended_enrolled"])),
        average_rating=Figure(average(now), average(before)),
        ratings=Figure(now["ratings"], before["ratings"]),
        top_trainings=_top_trainings(session, windows, lang),
        waitlist_by_topic=_waitlist_by_topic(session, windows, lang),
    )


def _live(session: Session, windows: Windows, plain: dict[int, Split], timed: dict[int, Split]):
    """(period, sums) of the live spans: grouped counts, one query per figure for both periods."""
    seated_spans = {which: plain[which].live for which in (CURRENT, PREVIOUS)}
    ended_spans = {which: timed[which].live for which in (CURRENT, PREVIOUS)}

    def grouped(column, spans, names, *columns, joined=lambda query: query, where=()):
        if not any(spans.values()):
            return
        when = which_span(column, spans)
        query = joined(select(when, *columns)).where(
            in_spans(column, spans[CURRENT] + spans[PREVIOUS]), *where).group_by(when)
        for which, *values in session.exec(query).all():
            if which in (CURRENT, PREVIOUS):
                yield which, dict(zip(names, values, strict=True))

    published = col(Training.status) == PUBLISHED

    def with_training(query):
        return query.join(Training, col(Training.id) == TrainingSession.training_id)

    yield from grouped(TrainingSession.end_at, ended_spans, ("sessions", "seats"), func.count(),
                       func.sum(Training.enrolled_count), joined=with_training,
                       where=(published, col(TrainingSession.end_at) <= windows.now))
    yield from grouped(TrainingSession.end_at, ended_spans, ("attendances",), func.count(),
                       joined=lambda query: with_training(query.select_from(Attendance).join(
                           TrainingSession, col(TrainingSession.id) == Attendance.session_id)),
                       where=(published, col(TrainingSession.end_at) <= windows.now))
    yield from grouped(Enrolment.enrolled_at, seated_spans, ("seated",), func.count())
    yield from grouped(Training.ends_at, ended_spans, ("ended_enrolled", "ended_completed"), func.count(),
                       func.sum(case((col(Enrolment.completed_at).is_not(None), 1), else_=0)),
                       joined=lambda query: query.select_from(Enrolment).join(
                           Training, col(Training.id) == Enrolment.training_id),
                       where=(published, col(Training.ends_at) <= windows.now, Enrolment.status == ENROLLED))
    yield from grouped(Enrolment.rated_at, seated_spans, ("ratings", "rating_sum"), func.count(),
                       func.sum(Enrolment.rating), where=(col(Enrolment.rating).is_not(None),))


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
    # The period's few trainings first (sessions by their start), then their places never seated
    # through the partial index ix_enrolments_never_seated (training, status where enrolled_at is null).
    trainings = (select(TrainingSession.training_id.label("id"))
                 .where(col(TrainingSession.start_at) >= windows.start, col(TrainingSession.start_at) < windows.end)
                 .distinct().subquery())
    found = session.exec(
        select(Training.topic, func.count()).select_from(trainings)
        .join(Training, col(Training.id) == trainings.c.id)
        .join(Enrolment, col(Enrolment.training_id) == trainings.c.id)
        .where(Training.status == PUBLISHED, Enrolment.status != ENROLLED,
               col(Enrolment.enrolled_at).is_(None))
        .group_by(Training.topic)).all()
    return count_rows(found, "trainings.topic", lang)
