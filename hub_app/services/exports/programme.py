"""Training programme exports.

Enrolments: every enrolment (seated, waitlisted, withdrawn, removed) in the trainings that run in
the period (first session before its end, last session after its start), by training start, then
status and name; with the training's sessions and how many of them the member attended.

Attendance: one row per member and training session that starts in the period: the members seated
in the training, plus anyone marked present who has since left it; present or not, how they were
checked in and when.

Both page over trainings or sessions (keyset), a few at a time, each page in one short read
transaction; a page holds at most the seats and waitlists of those few trainings."""

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from hub_app import db
from hub_app.domain.spreadsheets import DATETIME, INTEGER, TEXT, Column
from hub_app.domain.trainings import ENROLLED
from hub_app.i18n import translate
from hub_app.models import Attendance, Enrolment, Space, Training, TrainingSession, User
from hub_app.services.exports.common import Export, header, local, yes_no
from hub_app.services.spaces import space_name
from hub_app.services.trainings import title_of

TRAININGS_PER_PAGE = 20
SESSIONS_PER_PAGE = 20
_STATUS_ORDER = {"enrolled": 0, "waitlisted": 1, "withdrawn": 2, "removed": 3}


def enrolment_columns(locale: str, zone: str) -> list[Column]:
    return [
        Column(header("exports.col.training", locale), TEXT, 30),
        Column(header("exports.col.training_start", locale, zone), DATETIME, 17),
        Column(header("exports.col.member_no", locale), INTEGER, 10),
        Column(header("exports.col.member", locale), TEXT, 24),
        Column(header("exports.col.enrolment_status", locale), TEXT, 16),
        Column(header("exports.col.registered", locale, zone), DATETIME, 17),
        Column(header("exports.col.seated", locale, zone), DATETIME, 17),
        Column(header("exports.col.completed", locale, zone), DATETIME, 17),
        Column(header("exports.col.sessions", locale), INTEGER, 8),
        Column(header("exports.col.sessions_attended", locale), INTEGER, 12),
        Column(header("exports.col.rating", locale), INTEGER, 8),
    ]


def attendance_columns(locale: str, zone: str) -> list[Column]:
    return [
        Column(header("exports.col.training", locale), TEXT, 30),
        Column(header("exports.col.session_start", locale, zone), DATETIME, 17),
        Column(header("exports.col.session_end", locale, zone), DATETIME, 17),
        Column(header("exports.col.space", locale), TEXT, 24),
        Column(header("exports.col.member_no", locale), INTEGER, 10),
        Column(header("exports.col.member", locale), TEXT, 24),
        Column(header("exports.col.enrolment_status", locale), TEXT, 16),
        Column(header("exports.col.present", locale), TEXT, 8),
        Column(header("exports.col.check_in_method", locale), TEXT, 12),
        Column(header("exports.col.marked_at", locale, zone), DATETIME, 17),
    ]


def _status(status: str, locale: str) -> str:
    return translate(f"exports.enrolment.{status}", locale)


def _after(query, start_col, id_col, after: tuple[datetime, int] | None):
    if after is None:
        return query
    return query.where(or_(start_col > after[0], and_(start_col == after[0], id_col > after[1])))


def _trainings_page(session: Session, export: Export, after) -> list[Training]:
    query = select(Training).where(col(Training.starts_at) < export.end, col(Training.ends_at) > export.start)
    query = _after(query, col(Training.starts_at), col(Training.id), after)
    return list(session.exec(query.order_by(col(Training.starts_at), col(Training.id))
                             .limit(TRAININGS_PER_PAGE)).all())


def enrolment_rows(export: Export) -> Iterator[list]:
    locale, tz = export.locale, export.tz
    after = None
    while True:
        with db.new_session() as session:
            trainings = _trainings_page(session, export, after)
            ids = [training.id for training in trainings] or [0]
            enrolled = session.exec(
                select(Enrolment, User.name).join(User, col(User.id) == Enrolment.user_id)
                .where(col(Enrolment.training_id).in_(ids))).all()
            attended = dict(((training, user), count) for training, user, count in session.exec(
                select(TrainingSession.training_id, Attendance.user_id, func.count())
                .join(TrainingSession, col(TrainingSession.id) == Attendance.session_id)
                .where(col(TrainingSession.training_id).in_(ids))
                .group_by(col(TrainingSession.training_id), col(Attendance.user_id))).all())
        by_training = defaultdict(list)
        for enrolment, name in enrolled:
            by_training[enrolment.training_id].append((enrolment, name))
        for training in trainings:
            title = title_of(training, locale)
            places = sorted(by_training[training.id],
                            key=lambda pair: (_STATUS_ORDER.get(pair[0].status, 9), pair[1].casefold(), pair[0].id))
            for enrolment, name in places:
                yield [title, local(training.starts_at, tz), enrolment.user_id, name, _status(enrolment.status, locale),
                       local(enrolment.created_at, tz), local(enrolment.enrolled_at, tz),
                       local(enrolment.completed_at, tz), training.session_count,
                       attended.get((training.id, enrolment.user_id), 0), enrolment.rating]
        if len(trainings) < TRAININGS_PER_PAGE:
            return
        after = (trainings[-1].starts_at, trainings[-1].id)


def attendance_rows(export: Export) -> Iterator[list]:
    locale, tz = export.locale, export.tz
    with db.new_session() as session:
        spaces = {space.id: space_name(space, locale) for space in session.exec(select(Space)).all()}
    after = None
    while True:
        with db.new_session() as session:
            query = (select(TrainingSession, Training).join(Training, col(Training.id) == TrainingSession.training_id)
                     .where(col(TrainingSession.start_at) >= export.start, col(TrainingSession.start_at) < export.end))
            query = _after(query, col(TrainingSession.start_at), col(TrainingSession.id), after)
            meetings = list(session.exec(query.order_by(col(TrainingSession.start_at), col(TrainingSession.id))
                                         .limit(SESSIONS_PER_PAGE)).all())
            training_ids = list({training.id for _, training in meetings}) or [0]
            session_ids = [meeting.id for meeting, _ in meetings] or [0]
            places = session.exec(
                select(Enrolment.training_id, Enrolment.user_id, Enrolment.status, User.name)
                .join(User, col(User.id) == Enrolment.user_id)
                .where(col(Enrolment.training_id).in_(training_ids))).all()
            marks = session.exec(
                select(Attendance, User.name).join(User, col(User.id) == Attendance.user_id)
                .where(col(Attendance.session_id).in_(session_ids))).all()
        statuses = {(training, user): status for training, user, status, _ in places}
        seated = defaultdict(dict)
        for training_id, user, status, name in places:
            if status == ENROLLED:
                seated[training_id][user] = name
        marked = defaultdict(dict)
        for mark, name in marks:
            marked[mark.session_id][mark.user_id] = (mark, name)
        for meeting, training in meetings:
            people = dict(seated[training.id])
            people.update({user: name for user, (_, name) in marked[meeting.id].items()})
            title = title_of(training, locale)
            for user, name in sorted(people.items(), key=lambda item: (item[1].casefold(), item[0])):
                mark = marked[meeting.id].get(user, (None, ""))[0]
                status = statuses.get((training.id, user), "")
                yield [title, local(meeting.start_at, tz), local(meeting.end_at, tz),
                       spaces.get(meeting.space_id, "") if meeting.space_id else translate("exports.online", locale),
                       user, name, _status(status, locale) if status else "", yes_no(mark is not None, locale),
                       translate(f"exports.method.{mark.method}", locale) if mark else "",
                       local(mark.created_at, tz) if mark else None]
        if len(meetings) < SESSIONS_PER_PAGE:
            return
        after = (meetings[-1][0].start_at, meetings[-1][0].id)
