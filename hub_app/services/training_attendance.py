"""Attendance and completion: staff mark members present on a session's sheet (with its check-in
QR code), members check in by scanning that code, and each change recomputes the member's
completion (which issues or withdraws the certificate); also the attendance CSV.

Each change locks the training row first, as enrolment does, so a staff mark and the member's own
scan at the same moment cannot both miss each other when the completion is counted.
"""

from dataclasses import dataclass
from datetime import datetime

import segno
from sqlalchemy import func
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import trainings as rules
from hub_app.domain import validation
from hub_app.domain.errors import Conflict, NotFound
from hub_app.domain.membership import DELETED
from hub_app.domain.permissions import Actor, require_member
from hub_app.domain.spreadsheets import csv_document
from hub_app.models import User
from hub_app.models.base import utcnow
from hub_app.models.trainings import Attendance, Enrolment, Training, TrainingSession
from hub_app.services import audit, certificates, notifications
from hub_app.services.trainings import (
    lock_training,
    require_staff,
    session_rows,
    sessions_of,
    title_of,
    title_params,
    training_link,
)
from hub_app.settings import get_settings


def _update_completion(session: Session, training: Training, user_id: int, now: datetime) -> bool | None:
    """Recomputes one member's completion after their attendance changed. Returns True when the
    member has just completed the training."""
    enrolment = session.exec(select(Enrolment).where(Enrolment.training_id == training.id,
                                                     Enrolment.user_id == user_id)).first()
    if enrolment is None or enrolment.status != rules.ENROLLED:
        return None
    attended = session.exec(
        select(func.count()).select_from(Attendance)
        .join(TrainingSession, col(TrainingSession.id) == Attendance.session_id)
        .where(TrainingSession.training_id == training.id, Attendance.user_id == user_id)).one()
    done = rules.has_completed(attended, training.session_count, training.completion_share)
    just_completed = done and enrolment.completed_at is None
    if done and enrolment.completed_at is None:
        enrolment.completed_at = now
    elif not done:
        if enrolment.completed_at is not None:
            certificates.withdraw_for_completion(session, training, user_id, now)
        enrolment.completed_at = None
    session.add(enrolment)
    if just_completed:
        member = session.get(User, user_id)
        if member is not None and member.status != DELETED:
            # The certificate is written with the completion, in this transaction.
            certificates.issue_for_completion(session, training, member, now)
            notifications.notify(session, member, "training.completed", params=title_params(training, member),
                                 link=training_link(training))
    return just_completed


@dataclass
class AttendanceRow:
    user_id: int
    name: str
    present: bool
    method: str


@dataclass
class SessionAttendance:
    session_id: int
    training_id: int
    training_title: str
    day: str
    hours: str
    place: str
    number: int
    total: int
    rows: list[AttendanceRow]
    present: int
    check_in_url: str
    qr_svg: str  # a data: URI of the QR code (SVG)


def _staff_session(session: Session, session_id: object) -> tuple[TrainingSession, Training]:
    session_id = validation.identifier(session_id, field="training.session_id")
    row = session.get(TrainingSession, session_id)
    if row is None:
        raise NotFound("trainings.error.session_not_found")
    return row, session.get(Training, row.training_id)


def check_in_url(row: TrainingSession) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/trainings/check-in/{row.check_in_code}"


def session_attendance(actor: Actor | None, *, session: Session, session_id: object) -> SessionAttendance:
    """Staff, on a phone at the door: the enrolled members to tap, and the QR code to show."""
    actor = require_staff(actor)
    row, training = _staff_session(session, session_id)
    sessions = sessions_of(session, training.id)
    info = next(item for item in session_rows(session, sessions, actor.locale, utcnow()) if item.id == row.id)
    members = session.exec(
        select(User).join(Enrolment, col(Enrolment.user_id) == User.id)
        .where(Enrolment.training_id == training.id, Enrolment.status == rules.ENROLLED)
        .order_by(col(User.name), col(User.id))).all()
    marks = {mark.user_id: mark for mark in session.exec(select(Attendance).where(Attendance.session_id == row.id))}
    rows = [AttendanceRow(member.id, member.name, member.id in marks,
                          marks[member.id].method if member.id in marks else "") for member in members]
    url = check_in_url(row)
    return SessionAttendance(
        session_id=row.id, training_id=training.id, training_title=title_of(training, actor.locale), day=info.day,
        hours=info.hours, place=info.place, number=info.number, total=len(sessions), rows=rows,
        present=sum(1 for item in rows if item.present), check_in_url=url,
        qr_svg=segno.make(url, error="m").svg_data_uri(scale=5, border=2, dark="#0b2f3a"))


def set_attendance(actor: Actor | None, *, session: Session, session_id: object, user_id: object,
                   present: object) -> None:
    """Staff mark an enrolled member present or absent for one session."""
    actor = require_staff(actor)
    session_id = validation.identifier(session_id, field="training.session_id")
    user_id = validation.identifier(user_id, field="training.user_id")
    present = validation.flag(present, field="training.present")
    begin_write(session)
    row = session.get(TrainingSession, session_id)
    if row is None:
        raise NotFound("trainings.error.session_not_found")
    training = lock_training(session, row.training_id)
    enrolment = session.exec(select(Enrolment).where(Enrolment.training_id == training.id,
                                                     Enrolment.user_id == user_id)).first()
    if enrolment is None or enrolment.status != rules.ENROLLED:
        raise Conflict("trainings.error.not_on_roster")
    if row.start_at - rules.CHECK_IN_EARLY > utcnow():
        raise Conflict("trainings.error.session_not_started")
    mark = session.exec(select(Attendance).where(Attendance.session_id == row.id,
                                                 Attendance.user_id == user_id)).first()
    if present and mark is None:
        session.add(Attendance(session_id=row.id, user_id=user_id, method="staff", marked_by=actor.user_id))
    elif not present and mark is not None:
        session.delete(mark)
    else:
        session.rollback()
        return
    session.flush()
    _update_completion(session, training, user_id, utcnow())
    audit.record(session, actor, "training.attendance", target_type="training", target_id=training.id,
                 detail=f"session={row.id} user={user_id} present={present}")
    session.commit()


@dataclass
class CheckInOutcome:
    training_id: int
    title: str
    session_number: int
    completed: bool


def check_in(actor: Actor | None, *, session: Session, code: object) -> CheckInOutcome:
    """A member scanned the session's QR code: present, if enrolled and the session is on now."""
    actor = require_member(actor)
    if not isinstance(code, str) or not 16 <= len(code) <= 32 or not code.isalnum():
        raise NotFound("trainings.error.check_in_code")
    begin_write(session)
    row = session.exec(select(TrainingSession).where(TrainingSession.check_in_code == code)).first()
    if row is None:
        raise NotFound("trainings.error.check_in_code")
    training = lock_training(session, row.training_id)
    now = utcnow()
    if training.status != rules.PUBLISHED:
        raise Conflict("trainings.error.cancelled")
    enrolment = session.exec(select(Enrolment).where(Enrolment.training_id == training.id,
                                                     Enrolment.user_id == actor.user_id)).first()
    if enrolment is None or enrolment.status != rules.ENROLLED:
        raise Conflict("trainings.error.not_on_roster")
    if not rules.check_in_open(row.start_at, row.end_at, now):
        raise Conflict("trainings.error.check_in_closed")
    number = [s.id for s in sessions_of(session, training.id)].index(row.id) + 1
    exists = session.exec(select(Attendance).where(Attendance.session_id == row.id,
                                                   Attendance.user_id == actor.user_id)).first()
    if exists is None:
        session.add(Attendance(session_id=row.id, user_id=actor.user_id, method="qr"))
        session.flush()
        _update_completion(session, training, actor.user_id, now)
    completed = session.exec(select(Enrolment.completed_at).where(Enrolment.id == enrolment.id)).one() is not None
    session.commit()
    return CheckInOutcome(training.id, title_of(training, actor.locale), number, completed)


# --- the attendance CSV -----------------------------------------------------------------------

def export_attendance_csv(actor: Actor | None, *, session: Session, training_id: object) -> str:
    """One row per enrolled member, one column per session (1 = present), then the totals."""
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    training = session.get(Training, training_id)
    if training is None:
        raise NotFound("trainings.error.training_not_found")
    sessions = sessions_of(session, training.id)
    members = session.exec(
        select(Enrolment, User).join(User, col(User.id) == Enrolment.user_id)
        .where(Enrolment.training_id == training.id, Enrolment.status == rules.ENROLLED)
        .order_by(col(User.name))).all()
    marks = set(session.exec(select(Attendance.session_id, Attendance.user_id).where(
        col(Attendance.session_id).in_([s.id for s in sessions] or [0]))).all())
    header = ["member_id", "name", "email"] + [
        f"session_{number} {s.start_at.isoformat()}" for number, s in enumerate(sessions, 1)
    ] + ["attended", "completed"]
    rows = []
    for enrolment, user in members:
        present = [1 if (s.id, user.id) in marks else 0 for s in sessions]
        rows.append([user.id, user.name, user.email, *present, sum(present),
                     "yes" if enrolment.completed_at else "no"])
    body = csv_document(header, rows)
    audit.record_read(session, actor, "training.export_attendance", target_type="training", target_id=training.id)
    return body
