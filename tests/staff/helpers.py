"""Arranging a small hub for the staff home and member record tests, straight into the tables."""

from datetime import UTC, date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from sqlmodel import Session

from hub_app.models import (
    Booking,
    Closure,
    Enrolment,
    ForumCategory,
    ForumPost,
    ForumReport,
    ForumThread,
    Space,
    Training,
    TrainingSession,
)
from hub_app.models.base import utcnow

WIB = ZoneInfo("Asia/Jakarta")
_numbers = count(1)


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB).astimezone(UTC)


def desk_area(session: Session, name: str = "Area Kerja Bersama") -> Space:
    space = Space(kind="desk_area", name_id=name, name_en="Coworking area", capacity=50)
    session.add(space)
    session.commit()
    return space


def booking(session: Session, space: Space, user_id: int | None, start: datetime, hours: float = 1, *,
            status: str = "confirmed", kind: str = "member", checked_in: bool = False,
            no_show: bool = False) -> Booking:
    row = Booking(space_id=space.id, user_id=user_id, kind=kind, status=status, exclusive=False, starts_at=start,
                  ends_at=start + timedelta(hours=hours), seats=1, title="Kerja",
                  checked_in_at=start if checked_in else None, no_show=no_show)
    session.add(row)
    session.commit()
    return row


def training(session: Session, starts: list[datetime], *, status: str = "published", capacity: int = 10,
             enrolled: int = 0, waitlisted: int = 0, title: str = "Pemasaran digital") -> Training:
    now = utcnow()
    row = Training(title_id=title, title_en=title + " (en)", topic="digital_marketing", level="beginner",
                   language="id", format="hub", capacity=capacity, enrolled_count=enrolled,
                   waitlist_count=waitlisted, status=status, enrol_opens_at=now - timedelta(days=30),
                   enrol_closes_at=min(starts), cancel_until=min(starts), starts_at=min(starts),
                   ends_at=max(starts) + timedelta(hours=2), session_count=len(starts))
    session.add(row)
    session.flush()
    for start in starts:
        session.add(TrainingSession(training_id=row.id, start_at=start, end_at=start + timedelta(hours=2),
                                    check_in_code=f"code{next(_numbers):028d}"))
    session.commit()
    return row


def enrol(session: Session, training_row: Training, user_id: int, status: str = "enrolled",
          completed: bool = False) -> Enrolment:
    row = Enrolment(training_id=training_row.id, user_id=user_id, status=status, queue_number=next(_numbers),
                    completed_at=utcnow() if completed else None)
    session.add(row)
    session.commit()
    return row


def post(session: Session, author_id: int, text: str = "Halo semua, ada yang tahu soal NIB?") -> ForumPost:
    number = next(_numbers)
    category = ForumCategory(slug=f"umum-{number}", name_id="Umum")
    session.add(category)
    session.flush()
    thread = ForumThread(category_id=category.id, author_id=author_id, title=f"Pertanyaan {number}")
    session.add(thread)
    session.flush()
    row = ForumPost(thread_id=thread.id, author_id=author_id, body_source=text, body_html=f"<p>{text}</p>",
                    body_text=text, is_opening=True)
    session.add(row)
    session.commit()
    return row


def report(session: Session, post_row: ForumPost, reporter_id: int, *, resolved: bool = False) -> ForumReport:
    row = ForumReport(post_id=post_row.id, reporter_id=reporter_id, reason="spam",
                      resolved_at=utcnow() if resolved else None, resolution="dismissed" if resolved else "")
    session.add(row)
    session.commit()
    return row


def closure(session: Session, start: datetime, end: datetime, space: Space | None = None,
            reason: str = "Libur nasional") -> Closure:
    row = Closure(space_id=space.id if space else None, kind="holiday", reason_id=reason, reason_en="Holiday",
                  starts_at=start, ends_at=end)
    session.add(row)
    session.commit()
    return row
