"""Arranging trainings for the service tests: straight into the tables (for times the service would
refuse, such as sessions that are on now or over), or through the staff service."""

from datetime import datetime, timedelta

from sqlmodel import Session, select

from hub_app.domain import trainings as rules
from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.models import User
from hub_app.models.base import utcnow
from hub_app.models.trainings import Enrolment, Training, TrainingSession
from hub_app.services.training_admin import refresh_schedule, refresh_search
from tests.accounts.factories import actor_of
from tests.transactions import end_read

_counter = iter(range(1, 10**9))


def members(session: Session, count: int, *, prefix: str = "m") -> list:
    """`count` active members (actors), written in one go."""
    users = []
    for _ in range(count):
        number = next(_counter)
        email = f"{prefix}{number}@trainings.example"
        user = User(email=email, email_normalized=email, name=f"Peserta {number:04d}", password_hash="x",
                    status="active", email_verified_at=utcnow())
        session.add(user)
        users.append(user)
    session.commit()
    return [actor_of(user) for user in users]


def make_training(session: Session, *, capacity: int = 10, sessions: list[tuple[datetime, datetime]] | None = None,
                  status: str = rules.PUBLISHED, title_id: str = "Pemasaran Instagram untuk UMKM",
                  title_en: str = "Instagram marketing for small businesses", topic: str = "digital_marketing",
                  level: str = "beginner", language: str = "id", format: str = "hub", online_link: str = "",
                  opens: datetime | None = None, closes: datetime | None = None, cancel_until: datetime | None = None,
                  completion_share: int = 100, description_id: str = "", description_en: str = "") -> Training:
    """A training with sessions (default: one, three days ahead) and an open enrolment window."""
    now = utcnow()
    if sessions is None:
        start = now + timedelta(days=3)
        sessions = [(start, start + timedelta(hours=2))]
    first = min(start for start, _ in sessions)
    training = Training(
        title_id=title_id, title_en=title_en, description_id=description_id, description_en=description_en,
        topic=topic, level=level, language=language, format=format, online_link=online_link, capacity=capacity,
        completion_share=completion_share, status=status,
        enrol_opens_at=opens or now - timedelta(days=1),
        enrol_closes_at=closes if closes is not None else min(first, now + timedelta(days=1)),
        cancel_until=cancel_until or min(first, now + timedelta(days=1)))
    session.add(training)
    session.flush()
    for index, (start, end) in enumerate(sessions):
        session.add(TrainingSession(training_id=training.id, start_at=start, end_at=end,
                                    check_in_code=f"{training.id:08d}{index:04d}{next(_counter):020d}"[:32]))
    session.flush()
    refresh_schedule(session, training)
    refresh_search(session, training)
    session.add(training)
    session.commit()
    return training


def sessions_of(session: Session, training: Training) -> list[TrainingSession]:
    rows = list(session.exec(select(TrainingSession).where(TrainingSession.training_id == training.id)
                             .order_by(TrainingSession.start_at)).all())
    end_read(session)
    return rows


def reload(session: Session, training: Training) -> Training:
    session.expire_all()
    fresh = session.get(Training, training.id)
    end_read(session)
    return fresh


def statuses(session: Session, training: Training) -> dict[int, str]:
    session.expire_all()
    found = {row.user_id: row.status for row in session.exec(
        select(Enrolment).where(Enrolment.training_id == training.id)).all()}
    end_read(session)
    return found


def error_key(call, session: Session | None = None) -> str:
    """The catalogue key of the refusal `call()` raises. Like the app (a fresh DB session per call,
    closed after it), whatever the refused call left uncommitted is rolled back."""
    try:
        call()
    except (Conflict, InvalidInput, NotAllowed, NotFound) as error:
        if session is not None:
            session.rollback()
        return error.key
    raise AssertionError("no refusal raised")
