"""The training catalogue and the staff who run the programme: trainings, their sessions (each at
the hub holding a booking of its room), trainers and prerequisites; publishing and cancelling.

Enrolment, the waitlist, attendance and ratings live in services/enrolments.py.
"""

import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from PIL import Image, UnidentifiedImageError
from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import markdown, validation
from hub_app.domain import trainings as rules
from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_date, format_datetime, format_short_datetime, format_time, normalize_locale, pick
from hub_app.models import Space, User
from hub_app.models.base import utcnow
from hub_app.models.trainings import (
    Attendance,
    Enrolment,
    Trainer,
    Training,
    TrainingPrerequisite,
    TrainingSession,
    TrainingTrainer,
)
from hub_app.services import audit, bookings, calendar_feed, notifications
from hub_app.services.calendar_feed import FeedEvent
from hub_app.services.spaces import space_name
from hub_app.settings import get_settings

PAGE_SIZE = 12
ADMIN_PAGE_SIZE = 20
TRAINER_PHOTO_SIZE = 256
_CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,18})$")
_LINK = re.compile(r"^https://[^\s<>\"']{3,290}$")


# --- permissions -------------------------------------------------------------------------------

def may_manage_trainings(actor: Actor | None) -> bool:
    return actor is not None and actor.is_staff and actor.is_active


def require_staff(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not may_manage_trainings(actor):
        raise NotAllowed("trainings.error.staff_only")
    return actor


# --- text and time helpers ---------------------------------------------------------------------

@lru_cache(maxsize=512)
def render_markdown(source: str) -> str:
    """A description: Markdown rendered with raw HTML off and sanitised with nh3 (links get
    rel="nofollow noopener"), by the same renderer as forum posts."""
    return markdown.render(source or "")


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def local_datetime(value: object, *, field: str) -> datetime:
    """A date and time typed on a form (the hub's local time, as <input type=datetime-local> sends
    it) as an aware UTC datetime."""
    parsed = validation.iso_datetime(value, field=field)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_zone())
    if not 2000 <= parsed.year <= 2100:
        raise InvalidInput("error.date_invalid", field=field)
    return parsed.astimezone(UTC)


def local_input(value: datetime | None) -> str:
    """The inverse: a UTC datetime as the value of a datetime-local input."""
    if value is None:
        return ""
    return value.astimezone(_zone()).strftime("%Y-%m-%dT%H:%M")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=_zone()).astimezone(UTC)


def title_of(training: Training, locale: str) -> str:
    return pick(training.title_id, training.title_en, locale)


def title_params(training: Training, member: User) -> dict:
    """Notification params: the title in the member's language (the email goes out in it)."""
    return {"title": title_of(training, member.locale)}


def _search_text(training: Training, trainer_names: list[str]) -> str:
    return " ".join([training.title_id, training.title_en, *trainer_names]).lower()[:600]


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()


def photo_url(trainer: Trainer) -> str:
    return f"/media/trainers/{trainer.photo_file}" if trainer.photo_file else ""


def _lock_training(session: Session, training_id: int) -> Training:
    """The training row, locked for the rest of the transaction (FOR UPDATE on PostgreSQL; on
    SQLite the caller's BEGIN IMMEDIATE already holds the write lock)."""
    training = session.exec(
        select(Training).where(Training.id == training_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if training is None:
        raise NotFound("trainings.error.training_not_found")
    return training


def window_of(training: Training) -> rules.Window:
    return rules.Window(training.enrol_opens_at, training.enrol_closes_at, training.cancel_until)


def _space_names(session: Session, space_ids: set[int], locale: str) -> dict[int, str]:
    if not space_ids:
        return {}
    rows = session.exec(select(Space).where(col(Space.id).in_(space_ids))).all()
    return {space.id: space_name(space, locale) for space in rows}


# --- the catalogue ----------------------------------------------------------------------------

@dataclass
class TrainingCard:
    id: int
    title: str
    topic: str
    level: str
    language: str
    format: str
    date: str
    sessions: int
    capacity: int
    seats_left: int
    waitlist: int
    full: bool
    past: bool
    my_status: str  # "" | enrolled | waitlisted


@dataclass
class CataloguePage:
    cards: list[TrainingCard]
    next_cursor: str  # "" on the last page


@dataclass(frozen=True)
class CatalogueFilters:
    query: str = ""
    topic: str = ""
    level: str = ""
    language: str = ""
    format: str = ""
    date_from: date | None = None
    date_to: date | None = None
    seats_only: bool = False


def clean_filters(filters: object) -> CatalogueFilters:
    data = filters if isinstance(filters, dict) else {}
    date_from = data.get("date_from") or ""
    date_to = data.get("date_to") or ""
    result = CatalogueFilters(
        query=validation.text(data.get("query"), field="training.query", max_length=rules.LIMITS["query"]),
        topic=validation.choice(data.get("topic") or "", rules.TOPICS, field="training.topic", required=False),
        level=validation.choice(data.get("level") or "", rules.LEVELS, field="training.level", required=False),
        language=validation.choice(data.get("language") or "", rules.LANGUAGES, field="training.language",
                                   required=False),
        format=validation.choice(data.get("format") or "", rules.FORMATS, field="training.format", required=False),
        date_from=validation.iso_date(date_from, field="training.date_from") if date_from else None,
        date_to=validation.iso_date(date_to, field="training.date_to") if date_to else None,
        seats_only=validation.flag(data.get("seats_only"), field="training.seats_only"),
    )
    if result.date_from and result.date_to and result.date_to < result.date_from:
        raise InvalidInput("trainings.error.date_range", field="training.date_to")
    return result


def _parse_cursor(cursor: object) -> tuple[datetime, int] | None:
    if cursor in (None, ""):
        return None
    if not isinstance(cursor, str) or not _CURSOR.match(cursor):
        raise InvalidInput("error.invalid", field="training.cursor")
    micros, training_id = _CURSOR.match(cursor).groups()
    return datetime.fromtimestamp(int(micros) / 1_000_000, UTC), int(training_id)


def _make_cursor(training: Training) -> str:
    return f"{int(training.starts_at.timestamp() * 1_000_000)}.{training.id}"


def catalogue_statement(filters: CatalogueFilters, *, now: datetime, after: tuple[datetime, int] | None,
                        limit: int):
    """The catalogue query: published trainings, upcoming unless a date range says otherwise,
    ordered by first session (keyset on starts_at, id). Used by the page and the benchmark."""
    statement = select(Training).where(Training.status == rules.PUBLISHED)
    if filters.date_from:
        statement = statement.where(col(Training.starts_at) >= _local_midnight(filters.date_from))
    else:
        statement = statement.where(col(Training.ends_at) >= now)
    if filters.date_to:
        statement = statement.where(col(Training.starts_at) < _local_midnight(filters.date_to + timedelta(days=1)))
    if filters.topic:
        statement = statement.where(Training.topic == filters.topic)
    if filters.level:
        statement = statement.where(Training.level == filters.level)
    if filters.language:
        languages = [filters.language] if filters.language == "both" else [filters.language, "both"]
        statement = statement.where(col(Training.language).in_(languages))
    if filters.format:
        statement = statement.where(Training.format == filters.format)
    if filters.seats_only:
        statement = statement.where(col(Training.enrolled_count) < col(Training.capacity),
                                    col(Training.enrol_closes_at) > now)
    for word in filters.query.lower().split()[:5]:
        word = word.replace("\\", "").replace("%", "").replace("_", "")
        if word:
            statement = statement.where(col(Training.search_text).like(f"%{word}%"))
    if after is not None:
        starts_at, training_id = after
        statement = statement.where(or_(col(Training.starts_at) > starts_at,
                                        and_(col(Training.starts_at) == starts_at, col(Training.id) > training_id)))
    return statement.order_by(col(Training.starts_at), col(Training.id)).limit(limit)


def catalogue(actor: Actor | None, *, session: Session, filters: object = None, cursor: object = "",
              locale: object = "id") -> CataloguePage:
    """Open to visitors. A page of cards and the cursor of the next page."""
    locale = actor.locale if actor else normalize_locale(locale)
    clean = clean_filters(filters)
    now = utcnow()
    rows = session.exec(catalogue_statement(clean, now=now, after=_parse_cursor(cursor), limit=PAGE_SIZE + 1)).all()
    page = rows[:PAGE_SIZE]
    mine: dict[int, str] = {}
    if actor is not None and page:
        mine = dict(session.exec(
            select(Enrolment.training_id, Enrolment.status).where(
                Enrolment.user_id == actor.user_id, col(Enrolment.training_id).in_([t.id for t in page]),
                col(Enrolment.status).in_(rules.ACTIVE_ENROLMENT))
        ).all())
    cards = [_card(training, locale, now, mine.get(training.id, "")) for training in page]
    return CataloguePage(cards=cards, next_cursor=_make_cursor(page[-1]) if len(rows) > PAGE_SIZE else "")


def _card(training: Training, locale: str, now: datetime, my_status: str) -> TrainingCard:
    seats = rules.seats_left(training.capacity, training.enrolled_count)
    return TrainingCard(
        id=training.id, title=title_of(training, locale), topic=training.topic, level=training.level,
        language=training.language, format=training.format,
        date=format_datetime(training.starts_at, locale) if training.starts_at else "",
        sessions=training.session_count, capacity=training.capacity, seats_left=seats,
        waitlist=training.waitlist_count, full=seats == 0,
        past=training.ends_at is not None and training.ends_at < now, my_status=my_status)


# --- one training -----------------------------------------------------------------------------

@dataclass
class SessionRow:
    id: int
    number: int
    day: str
    hours: str
    place: str
    space_id: int
    start_input: str
    end_input: str
    past: bool
    attended: bool


@dataclass
class TrainerRow:
    id: int
    name: str
    bio: str
    photo_url: str
    initials: str


@dataclass
class PrerequisiteRow:
    id: int
    title: str
    done: bool


@dataclass
class TrainingDetail:
    id: int
    title: str
    description_html: str
    topic: str
    level: str
    language: str
    format: str
    status: str
    cancel_reason: str
    capacity: int
    seats_left: int
    waitlist: int
    enrol_opens: str
    enrol_closes: str
    cancel_until: str
    enrolment: str  # open | not_yet | closed
    past: bool
    completion_share: int
    sessions: list[SessionRow]
    trainers: list[TrainerRow]
    prerequisites: list[PrerequisiteRow]
    missing: list[PrerequisiteRow]
    # The viewer's own enrolment.
    enrolment_id: int
    my_status: str
    my_position: int
    online_link: str
    can_enrol: bool
    can_cancel: bool
    can_leave: bool
    completed: bool
    attended: int
    needed: int
    can_rate: bool
    my_rating: int
    my_comment: str


def _visible_training(session: Session, actor: Actor | None, training_id: object) -> Training:
    training_id = validation.identifier(training_id, field="training.training_id")
    training = session.get(Training, training_id)
    if training is None or (training.status == rules.DRAFT and not may_manage_trainings(actor)):
        raise NotFound("trainings.error.training_not_found")
    return training


def sessions_of(session: Session, training_id: int) -> list[TrainingSession]:
    return list(session.exec(select(TrainingSession).where(TrainingSession.training_id == training_id)
                             .order_by(col(TrainingSession.start_at), col(TrainingSession.id))).all())


def trainers_of(session: Session, training_id: int) -> list[Trainer]:
    return list(session.exec(
        select(Trainer).join(TrainingTrainer, col(TrainingTrainer.trainer_id) == Trainer.id)
        .where(TrainingTrainer.training_id == training_id)
        .order_by(col(TrainingTrainer.position), col(Trainer.id))).all())


def prerequisites_of(session: Session, training_id: int) -> list[Training]:
    return list(session.exec(
        select(Training).join(TrainingPrerequisite, col(TrainingPrerequisite.required_training_id) == Training.id)
        .where(TrainingPrerequisite.training_id == training_id).order_by(col(Training.id))).all())


def completed_training_ids(session: Session, user_id: int, training_ids: list[int] | None = None) -> set[int]:
    statement = select(Enrolment.training_id).where(Enrolment.user_id == user_id,
                                                   col(Enrolment.completed_at).is_not(None))
    if training_ids is not None:
        statement = statement.where(col(Enrolment.training_id).in_(training_ids))
    return set(session.exec(statement).all())


def has_completed_training(session: Session, user_id: int, training_id: int) -> bool:
    """The booking service asks this before letting a member book a space that requires a training."""
    return bool(completed_training_ids(session, user_id, [training_id]))


def session_rows(session: Session, sessions: list[TrainingSession], locale: str, now: datetime,
                 attended: set[int] = frozenset()) -> list[SessionRow]:
    names = _space_names(session, {s.space_id for s in sessions if s.space_id}, locale)
    online = "Online" if locale == "en" else "Daring"
    return [
        SessionRow(id=s.id, number=number, day=format_date(s.start_at.astimezone(_zone()), locale),
                   hours=f"{format_time(s.start_at, locale)}–{format_time(s.end_at, locale)} WIB",
                   place=names.get(s.space_id, "") if s.space_id else online, space_id=s.space_id or 0,
                   start_input=local_input(s.start_at), end_input=local_input(s.end_at), past=s.end_at < now,
                   attended=s.id in attended)
        for number, s in enumerate(sessions, start=1)
    ]


def training_detail(actor: Actor | None, *, session: Session, training_id: object,
                    locale: object = "id") -> TrainingDetail:
    """Open to visitors (published and cancelled trainings); the online link only for enrolled members."""
    locale = actor.locale if actor else normalize_locale(locale)
    training = _visible_training(session, actor, training_id)
    now = utcnow()
    sessions = sessions_of(session, training.id)
    trainers = trainers_of(session, training.id)
    required = prerequisites_of(session, training.id)
    enrolment = None
    attended: set[int] = set()
    completed: set[int] = set()
    position = 0
    if actor is not None:
        enrolment = session.exec(select(Enrolment).where(Enrolment.training_id == training.id,
                                                         Enrolment.user_id == actor.user_id)).first()
        completed = completed_training_ids(session, actor.user_id, [t.id for t in required])
        if sessions:
            attended = set(session.exec(select(Attendance.session_id).where(
                Attendance.user_id == actor.user_id,
                col(Attendance.session_id).in_([s.id for s in sessions]))).all())
        if enrolment is not None and enrolment.status == rules.WAITLISTED:
            position = waitlist_position(session, enrolment)
    prerequisites = [PrerequisiteRow(t.id, title_of(t, locale), t.id in completed) for t in required]
    window = window_of(training)
    status = enrolment.status if enrolment else ""
    open_now = rules.enrolment_open(window, now)
    needed = rules.sessions_needed(len(sessions), training.completion_share)
    is_done = enrolment is not None and enrolment.completed_at is not None
    return TrainingDetail(
        id=training.id, title=title_of(training, locale),
        description_html=render_markdown(pick(training.description_id, training.description_en, locale)),
        topic=training.topic, level=training.level, language=training.language, format=training.format,
        status=training.status, cancel_reason=training.cancel_reason, capacity=training.capacity,
        seats_left=rules.seats_left(training.capacity, training.enrolled_count), waitlist=training.waitlist_count,
        enrol_opens=format_datetime(training.enrol_opens_at, locale),
        enrol_closes=format_datetime(training.enrol_closes_at, locale),
        cancel_until=format_datetime(training.cancel_until, locale),
        enrolment="open" if open_now else ("not_yet" if now < window.opens_at else "closed"),
        past=training.ends_at is not None and training.ends_at < now,
        completion_share=training.completion_share,
        sessions=session_rows(session, sessions, locale, now, attended),
        trainers=[TrainerRow(t.id, t.name, pick(t.bio_id, t.bio_en, locale), photo_url(t), _initials(t.name))
                  for t in trainers],
        prerequisites=prerequisites, missing=[row for row in prerequisites if not row.done],
        enrolment_id=enrolment.id if enrolment else 0, my_status=status, my_position=position,
        online_link=training.online_link if status == rules.ENROLLED and training.format != "hub" else "",
        can_enrol=(training.status == rules.PUBLISHED and open_now and status not in rules.ACTIVE_ENROLMENT),
        can_cancel=status == rules.ENROLLED and now < window.cancel_until and training.status == rules.PUBLISHED,
        can_leave=status == rules.WAITLISTED,
        completed=is_done, attended=len(attended), needed=needed,
        can_rate=is_done, my_rating=(enrolment.rating or 0) if enrolment else 0,
        my_comment=enrolment.rating_comment if enrolment else "",
    )


def waitlist_position(session: Session, enrolment: Enrolment) -> int:
    ahead = session.exec(select(func.count()).select_from(Enrolment).where(
        Enrolment.training_id == enrolment.training_id, Enrolment.status == rules.WAITLISTED,
        col(Enrolment.queue_number) < enrolment.queue_number)).one()
    return ahead + 1


# --- staff: trainings -------------------------------------------------------------------------

def _clean_training_form(form: object) -> dict:
    if not isinstance(form, dict):
        raise InvalidInput()
    limits = rules.LIMITS
    fields = {
        "title_id": validation.text(form.get("title_id"), field="training.title_id", max_length=limits["title"]),
        "title_en": validation.text(form.get("title_en"), field="training.title_en", max_length=limits["title"]),
        "description_id": validation.text(form.get("description_id"), field="training.description_id",
                                          max_length=limits["description"], multiline=True),
        "description_en": validation.text(form.get("description_en"), field="training.description_en",
                                          max_length=limits["description"], multiline=True),
        "topic": validation.choice(form.get("topic"), rules.TOPICS, field="training.topic"),
        "level": validation.choice(form.get("level"), rules.LEVELS, field="training.level"),
        "language": validation.choice(form.get("language"), rules.LANGUAGES, field="training.language"),
        "format": validation.choice(form.get("format"), rules.FORMATS, field="training.format"),
        "online_link": validation.text(form.get("online_link"), field="training.online_link",
                                       max_length=limits["online_link"]),
        "capacity": validation.integer(form.get("capacity"), field="training.capacity", minimum=1,
                                       maximum=rules.MAX_CAPACITY),
        "completion_share": validation.integer(form.get("completion_share") or 100, field="training.completion_share",
                                               minimum=1, maximum=100),
        "enrol_opens_at": local_datetime(form.get("enrol_opens_at"), field="training.enrol_opens"),
        "enrol_closes_at": local_datetime(form.get("enrol_closes_at"), field="training.enrol_closes"),
        "cancel_until": local_datetime(form.get("cancel_until"), field="training.cancel_until"),
    }
    if not fields["title_id"] and not fields["title_en"]:
        raise InvalidInput("trainings.error.title_required", field="training.title_id")
    if fields["online_link"] and not _LINK.match(fields["online_link"]):
        raise InvalidInput("trainings.error.link_invalid", field="training.online_link")
    if fields["format"] != "hub" and not fields["online_link"]:
        raise InvalidInput("trainings.error.link_required", field="training.online_link")
    if fields["format"] == "hub":
        fields["online_link"] = ""
    return fields


def _refresh_schedule(session: Session, training: Training) -> list[TrainingSession]:
    sessions = sessions_of(session, training.id)
    training.session_count = len(sessions)
    training.starts_at = min((s.start_at for s in sessions), default=None)
    training.ends_at = max((s.end_at for s in sessions), default=None)
    return sessions


def _refresh_search(session: Session, training: Training) -> None:
    training.search_text = _search_text(training, [t.name for t in trainers_of(session, training.id)])


def create_training(actor: Actor | None, *, session: Session, form: object) -> int:
    """A new draft; sessions, trainers and prerequisites are added next, then it is published."""
    actor = require_staff(actor)
    fields = _clean_training_form(form)
    rules.check_window(rules.Window(fields["enrol_opens_at"], fields["enrol_closes_at"], fields["cancel_until"]),
                       None)
    begin_write(session)
    training = Training(**fields, status=rules.DRAFT, created_by=actor.user_id)
    training.search_text = _search_text(training, [])
    session.add(training)
    session.flush()
    audit.record(session, actor, "training.create", target_type="training", target_id=training.id,
                 detail=training.title_id or training.title_en)
    session.commit()
    return training.id


def update_training(actor: Actor | None, *, session: Session, training_id: object, form: object) -> None:
    """Edits the training. More seats promote the waitlist; fewer than the enrolled are refused."""
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    fields = _clean_training_form(form)
    begin_write(session)
    training = _lock_training(session, training_id)
    if training.status == rules.CANCELLED:
        raise Conflict("trainings.error.cancelled")
    rules.check_capacity_change(fields["capacity"], training.enrolled_count)
    rules.check_window(rules.Window(fields["enrol_opens_at"], fields["enrol_closes_at"], fields["cancel_until"]),
                       training.starts_at)
    if fields["format"] != training.format and fields["format"] in rules.FORMATS_AT_HUB:
        if any(s.space_id is None for s in sessions_of(session, training.id)):
            raise Conflict("trainings.error.sessions_need_space")
    changed_for_members = (fields["format"] != training.format or fields["online_link"] != training.online_link)
    if fields["format"] == "online":
        for row in sessions_of(session, training.id):
            _release_room(session, row)
    for name, value in fields.items():
        setattr(training, name, value)
    training.updated_at = utcnow()
    _refresh_search(session, training)
    session.add(training)
    from hub_app.services.enrolments import promote_waitlist

    promote_waitlist(session, training)
    if changed_for_members and training.status == rules.PUBLISHED:
        _notify_enrolled(session, training, "training.changed")
    audit.record(session, actor, "training.update", target_type="training", target_id=training.id,
                 detail=f"capacity={training.capacity}")
    session.commit()


def publish_training(actor: Actor | None, *, session: Session, training_id: object) -> None:
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    begin_write(session)
    training = _lock_training(session, training_id)
    if training.status != rules.DRAFT:
        raise Conflict("trainings.error.not_draft")
    if training.session_count == 0:
        raise Conflict("trainings.error.no_sessions")
    rules.check_window(window_of(training), training.starts_at)
    training.status = rules.PUBLISHED
    training.updated_at = utcnow()
    session.add(training)
    audit.record(session, actor, "training.publish", target_type="training", target_id=training.id)
    session.commit()


def cancel_training(actor: Actor | None, *, session: Session, training_id: object, reason: object) -> None:
    """Cancels the training, frees its rooms and tells everyone enrolled or waiting."""
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    reason = validation.text(reason, field="training.reason", max_length=500, required=True)
    begin_write(session)
    training = _lock_training(session, training_id)
    if training.status == rules.CANCELLED:
        raise Conflict("trainings.error.cancelled")
    for row in sessions_of(session, training.id):
        _release_room(session, row)
    was_published = training.status == rules.PUBLISHED
    training.status = rules.CANCELLED
    training.cancel_reason = reason
    training.updated_at = utcnow()
    session.add(training)
    if was_published:
        _notify_enrolled(session, training, "training.cancelled", waitlist_too=True, reason=reason)
    audit.record(session, actor, "training.cancel", target_type="training", target_id=training.id, detail=reason)
    session.commit()


def _notify_enrolled(session: Session, training: Training, kind: str, *, waitlist_too: bool = False,
                     **params: object) -> None:
    statuses = [rules.ENROLLED, rules.WAITLISTED] if waitlist_too else [rules.ENROLLED]
    members = session.exec(select(User).join(Enrolment, col(Enrolment.user_id) == User.id).where(
        Enrolment.training_id == training.id, col(Enrolment.status).in_(statuses))).all()
    for member in members:
        notifications.notify(session, member, kind, params={**title_params(training, member), **params},
                             link=f"/trainings/{training.id}")


# --- staff: sessions and rooms ----------------------------------------------------------------

def _clean_session_form(form: object, training: Training) -> tuple[datetime, datetime, int | None]:
    if not isinstance(form, dict):
        raise InvalidInput()
    start = local_datetime(form.get("start"), field="training.session_start")
    end = local_datetime(form.get("end"), field="training.session_end")
    rules.check_session_times(start, end)
    space = form.get("space_id") or ""
    space_id = validation.identifier(space, field="training.space_id") if space not in ("", "0", 0) else None
    if training.format in rules.FORMATS_AT_HUB and space_id is None:
        raise InvalidInput("trainings.error.space_required", field="training.space_id")
    if training.format == "online":
        space_id = None
    return start, end, space_id


def _check_space(session: Session, space_id: int | None) -> None:
    if space_id is None:
        return
    space = session.get(Space, space_id)
    if space is None or not space.active:
        raise NotFound("booking.error.no_space", field="training.space_id")


def _reserve_room(session: Session, training: Training, row: TrainingSession) -> None:
    row.booking_id = bookings.reserve_for_training(
        session, space_id=row.space_id, start=row.start_at, end=row.end_at, title_id=training.title_id,
        title_en=training.title_en, training_session_id=row.id)


def _release_room(session: Session, row: TrainingSession) -> None:
    if row.booking_id is None:
        return
    bookings.release_training_reservation(session, row.booking_id)
    row.booking_id = None
    session.add(row)


def _check_not_started(row: TrainingSession, now: datetime) -> None:
    if row.start_at <= now:
        raise Conflict("trainings.error.session_started")


def add_session(actor: Actor | None, *, session: Session, training_id: object, form: object) -> int:
    """A session at the hub books its room in the same transaction: a taken slot is refused."""
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    begin_write(session)
    training = _lock_training(session, training_id)
    if training.status == rules.CANCELLED:
        raise Conflict("trainings.error.cancelled")
    start, end, space_id = _clean_session_form(form, training)
    if start <= utcnow():
        raise InvalidInput("trainings.error.session_in_past", field="training.session_start")
    _check_space(session, space_id)
    if training.session_count >= rules.MAX_SESSIONS:
        raise Conflict("trainings.error.too_many_sessions", max=rules.MAX_SESSIONS)
    row = TrainingSession(training_id=training.id, start_at=start, end_at=end, space_id=space_id,
                          check_in_code=uuid.uuid4().hex)
    session.add(row)
    session.flush()
    if space_id is not None:
        _reserve_room(session, training, row)
        session.add(row)
    _refresh_schedule(session, training)
    if training.status == rules.PUBLISHED:
        rules.check_window(window_of(training), training.starts_at)
        _notify_enrolled(session, training, "training.changed")
    training.updated_at = utcnow()
    session.add(training)
    audit.record(session, actor, "training.session_add", target_type="training", target_id=training.id,
                 detail=f"{start.isoformat()} - {end.isoformat()} space={space_id}")
    session.commit()
    return row.id


def _locked_session_row(session: Session, session_id: object) -> tuple[TrainingSession, Training]:
    session_id = validation.identifier(session_id, field="training.session_id")
    row = session.get(TrainingSession, session_id)
    if row is None:
        raise NotFound("trainings.error.session_not_found")
    training = _lock_training(session, row.training_id)
    return row, training


def move_session(actor: Actor | None, *, session: Session, session_id: object, form: object) -> None:
    """New time and/or room; the booking moves with it, or the change is refused when taken."""
    actor = require_staff(actor)
    begin_write(session)
    row, training = _locked_session_row(session, session_id)
    if training.status == rules.CANCELLED:
        raise Conflict("trainings.error.cancelled")
    now = utcnow()
    _check_not_started(row, now)
    start, end, space_id = _clean_session_form(form, training)
    if start <= now:
        raise InvalidInput("trainings.error.session_in_past", field="training.session_start")
    _check_space(session, space_id)
    if row.booking_id is not None and space_id is not None:
        bookings.move_training_reservation(session, row.booking_id, space_id=space_id, start=start, end=end)
        row.start_at, row.end_at, row.space_id = start, end, space_id
    else:
        _release_room(session, row)
        row.start_at, row.end_at, row.space_id = start, end, space_id
        if space_id is not None:
            _reserve_room(session, training, row)
    session.add(row)
    session.flush()
    _refresh_schedule(session, training)
    if training.status == rules.PUBLISHED:
        rules.check_window(window_of(training), training.starts_at)
        _notify_enrolled(session, training, "training.changed")
    training.updated_at = utcnow()
    session.add(training)
    audit.record(session, actor, "training.session_move", target_type="training", target_id=training.id,
                 detail=f"session={row.id} {start.isoformat()} - {end.isoformat()} space={space_id}")
    session.commit()


def delete_session(actor: Actor | None, *, session: Session, session_id: object) -> None:
    actor = require_staff(actor)
    begin_write(session)
    row, training = _locked_session_row(session, session_id)
    _check_not_started(row, utcnow())
    if training.status == rules.PUBLISHED and training.session_count <= 1:
        raise Conflict("trainings.error.last_session")
    _release_room(session, row)
    session.exec(delete(Attendance).where(col(Attendance.session_id) == row.id))
    session.delete(row)
    session.flush()
    _refresh_schedule(session, training)
    if training.status == rules.PUBLISHED:
        _notify_enrolled(session, training, "training.changed")
    session.add(training)
    audit.record(session, actor, "training.session_delete", target_type="training", target_id=training.id,
                 detail=f"session={row.id}")
    session.commit()


# --- staff: trainers and prerequisites --------------------------------------------------------

def add_trainer(actor: Actor | None, *, session: Session, training_id: object, form: object) -> int:
    """Adds an existing trainer (trainer_id) or a new one (name, bios) to the training."""
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    if not isinstance(form, dict):
        raise InvalidInput()
    existing = form.get("trainer_id") or ""
    trainer_id = validation.identifier(existing, field="training.trainer_id") if existing not in ("", "0") else None
    if trainer_id is None:
        name = validation.text(form.get("name"), field="training.trainer_name", max_length=rules.LIMITS["trainer_name"],
                               required=True)
        bio_limit = rules.LIMITS["trainer_bio"]
        bio_id = validation.text(form.get("bio_id"), field="training.trainer_bio", max_length=bio_limit,
                                 multiline=True)
        bio_en = validation.text(form.get("bio_en"), field="training.trainer_bio", max_length=bio_limit,
                                 multiline=True)
    begin_write(session)
    training = _lock_training(session, training_id)
    if trainer_id is None:
        trainer = Trainer(name=name, bio_id=bio_id, bio_en=bio_en)
        session.add(trainer)
        session.flush()
    else:
        trainer = session.get(Trainer, trainer_id)
        if trainer is None:
            raise NotFound("trainings.error.trainer_not_found")
    if session.get(TrainingTrainer, (training.id, trainer.id)) is not None:
        raise Conflict("trainings.error.trainer_already")
    count = len(trainers_of(session, training.id))
    session.add(TrainingTrainer(training_id=training.id, trainer_id=trainer.id, position=count))
    session.flush()
    _refresh_search(session, training)
    session.add(training)
    audit.record(session, actor, "training.trainer_add", target_type="training", target_id=training.id,
                 detail=trainer.name)
    session.commit()
    return trainer.id


def remove_trainer(actor: Actor | None, *, session: Session, training_id: object, trainer_id: object) -> None:
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    trainer_id = validation.identifier(trainer_id, field="training.trainer_id")
    begin_write(session)
    training = _lock_training(session, training_id)
    link = session.get(TrainingTrainer, (training.id, trainer_id))
    if link is None:
        raise NotFound("trainings.error.trainer_not_found")
    session.delete(link)
    session.flush()
    _refresh_search(session, training)
    session.add(training)
    audit.record(session, actor, "training.trainer_remove", target_type="training", target_id=training.id,
                 detail=f"trainer={trainer_id}")
    session.commit()


def save_trainer_photo(actor: Actor | None, *, session: Session, trainer_id: object, data: object) -> str:
    """Checks the upload by content (PNG, JPEG, WebP up to the avatar size limit), re-encodes it as
    a 256 px WebP under a generated name, dropping metadata."""
    actor = require_staff(actor)
    trainer_id = validation.identifier(trainer_id, field="training.trainer_id")
    settings = get_settings()
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput("error.avatar_invalid", field="training.photo")
    if len(data) > settings.max_avatar_bytes:
        raise InvalidInput("error.avatar_too_large", field="training.photo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in {"PNG", "JPEG", "WEBP"}:
                raise InvalidInput("error.avatar_invalid", field="training.photo")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > 40_000_000:
                raise InvalidInput("error.avatar_invalid", field="training.photo")
            image = image.convert("RGB")
            image.thumbnail((TRAINER_PHOTO_SIZE, TRAINER_PHOTO_SIZE))
            output = io.BytesIO()
            image.save(output, "WEBP", quality=82)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput("error.avatar_invalid", field="training.photo") from None
    begin_write(session)
    trainer = session.get(Trainer, trainer_id)
    if trainer is None:
        raise NotFound("trainings.error.trainer_not_found")
    directory = settings.upload_dir / "trainers"
    directory.mkdir(parents=True, exist_ok=True)
    filename = f"{uuid.uuid4().hex}.webp"
    (directory / filename).write_bytes(output.getvalue())
    old, trainer.photo_file = trainer.photo_file, filename
    session.add(trainer)
    audit.record(session, actor, "training.trainer_photo", target_type="trainer", target_id=trainer.id)
    session.commit()
    if old:
        (directory / old).unlink(missing_ok=True)
    return photo_url(trainer)


def _requires(session: Session, training_id: int) -> set[int]:
    """Every training this one needs, directly or through its prerequisites."""
    seen: set[int] = set()
    frontier = [training_id]
    while frontier:
        needed = session.exec(select(TrainingPrerequisite.required_training_id).where(
            col(TrainingPrerequisite.training_id).in_(frontier))).all()
        frontier = [item for item in needed if item not in seen]
        seen.update(frontier)
    return seen


def add_prerequisite(actor: Actor | None, *, session: Session, training_id: object,
                     required_training_id: object) -> None:
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    required_id = validation.identifier(required_training_id, field="training.prerequisite")
    begin_write(session)
    training = _lock_training(session, training_id)
    required = session.get(Training, required_id)
    if required is None:
        raise NotFound("trainings.error.training_not_found")
    if required.id == training.id or training.id in _requires(session, required.id):
        raise Conflict("trainings.error.prerequisite_cycle")
    if session.get(TrainingPrerequisite, (training.id, required.id)) is not None:
        raise Conflict("trainings.error.prerequisite_already")
    session.add(TrainingPrerequisite(training_id=training.id, required_training_id=required.id))
    audit.record(session, actor, "training.prerequisite_add", target_type="training", target_id=training.id,
                 detail=f"requires={required.id}")
    session.commit()


def remove_prerequisite(actor: Actor | None, *, session: Session, training_id: object,
                        required_training_id: object) -> None:
    actor = require_staff(actor)
    training_id = validation.identifier(training_id, field="training.training_id")
    required_id = validation.identifier(required_training_id, field="training.prerequisite")
    begin_write(session)
    training = _lock_training(session, training_id)
    link = session.get(TrainingPrerequisite, (training.id, required_id))
    if link is None:
        raise NotFound()
    session.delete(link)
    audit.record(session, actor, "training.prerequisite_remove", target_type="training", target_id=training.id,
                 detail=f"requires={required_id}")
    session.commit()


# --- staff: the programme list and one training's admin view ----------------------------------

@dataclass
class AdminTrainingRow:
    id: int
    title: str
    status: str
    date: str
    capacity: int
    enrolled: int
    waitlist: int


@dataclass
class AdminTrainingPage:
    rows: list[AdminTrainingRow]
    next_before_id: int


def admin_list(actor: Actor | None, *, session: Session, query: object = "", status: object = "",
               before_id: object = 0) -> AdminTrainingPage:
    """All trainings, newest first (keyset on id), with search and a status filter."""
    actor = require_staff(actor)
    query = validation.text(query, field="training.query", max_length=rules.LIMITS["query"])
    status = validation.choice(status or "", rules.TRAINING_STATUSES, field="training.status", required=False)
    before_id = validation.integer(before_id or 0, field="training.before_id", minimum=0)
    statement = select(Training)
    if status:
        statement = statement.where(Training.status == status)
    for word in query.lower().split()[:5]:
        word = word.replace("\\", "").replace("%", "").replace("_", "")
        if word:
            statement = statement.where(col(Training.search_text).like(f"%{word}%"))
    if before_id:
        statement = statement.where(col(Training.id) < before_id)
    rows = session.exec(statement.order_by(col(Training.id).desc()).limit(ADMIN_PAGE_SIZE + 1)).all()
    return AdminTrainingPage(
        rows=[AdminTrainingRow(t.id, title_of(t, actor.locale), t.status,
                               format_short_datetime(t.starts_at, actor.locale) if t.starts_at else "-",
                               t.capacity, t.enrolled_count, t.waitlist_count)
              for t in rows[:ADMIN_PAGE_SIZE]],
        next_before_id=rows[ADMIN_PAGE_SIZE - 1].id if len(rows) > ADMIN_PAGE_SIZE else 0)


@dataclass
class TrainerChoice:
    id: int
    name: str


@dataclass
class TrainingChoice:
    id: int
    title: str


@dataclass
class SpaceChoice:
    id: int
    name: str


@dataclass
class AdminTraining:
    id: int
    title: str
    status: str
    cancel_reason: str
    form: dict[str, str]
    capacity: int
    enrolled: int
    waitlist: int
    sessions: list[SessionRow]
    trainers: list[TrainerRow]
    prerequisites: list[PrerequisiteRow]
    trainer_choices: list[TrainerChoice]
    training_choices: list[TrainingChoice]
    space_choices: list[SpaceChoice]


def training_form(training: Training) -> dict[str, str]:
    return {
        "title_id": training.title_id, "title_en": training.title_en,
        "description_id": training.description_id, "description_en": training.description_en,
        "topic": training.topic, "level": training.level, "language": training.language,
        "format": training.format, "online_link": training.online_link, "capacity": str(training.capacity),
        "completion_share": str(training.completion_share),
        "enrol_opens_at": local_input(training.enrol_opens_at),
        "enrol_closes_at": local_input(training.enrol_closes_at),
        "cancel_until": local_input(training.cancel_until),
    }


def admin_training(actor: Actor | None, *, session: Session, training_id: object) -> AdminTraining:
    actor = require_staff(actor)
    training = _visible_training(session, actor, training_id)
    locale = actor.locale
    required = prerequisites_of(session, training.id)
    trainers = trainers_of(session, training.id)
    linked = {t.id for t in trainers}
    choices = session.exec(select(Trainer).order_by(col(Trainer.name)).limit(200)).all()
    others = session.exec(select(Training).where(Training.id != training.id, Training.status != rules.CANCELLED)
                          .order_by(col(Training.id).desc()).limit(200)).all()
    required_ids = {t.id for t in required}
    return AdminTraining(
        id=training.id, title=title_of(training, locale), status=training.status,
        cancel_reason=training.cancel_reason, form=training_form(training), capacity=training.capacity,
        enrolled=training.enrolled_count, waitlist=training.waitlist_count,
        sessions=session_rows(session, sessions_of(session, training.id), locale, utcnow()),
        trainers=[TrainerRow(t.id, t.name, pick(t.bio_id, t.bio_en, locale), photo_url(t), _initials(t.name))
                  for t in trainers],
        prerequisites=[PrerequisiteRow(t.id, title_of(t, locale), True) for t in required],
        trainer_choices=[TrainerChoice(t.id, t.name) for t in choices if t.id not in linked],
        training_choices=[TrainingChoice(t.id, f"#{t.id} {title_of(t, locale)}") for t in others
                          if t.id not in required_ids],
        space_choices=[SpaceChoice(space.id, f"{space_name(space, locale)} ({space.capacity})")
                       for space in session.exec(select(Space).where(col(Space.active).is_(True))
                                                 .order_by(col(Space.kind), col(Space.id))).all()],
    )


# --- hooks for other features ------------------------------------------------------------------

FEED_PAST = timedelta(days=60)


def _session_events(session: Session, user_id: int, training_id: int | None = None) -> list[FeedEvent]:
    """The sessions of the trainings a member holds a seat in, as calendar events."""
    user = session.get(User, user_id)
    locale = user.locale if user else "id"
    statement = (
        select(TrainingSession, Training)
        .join(Training, col(Training.id) == TrainingSession.training_id)
        .join(Enrolment, col(Enrolment.training_id) == Training.id)
        .where(Enrolment.user_id == user_id, Enrolment.status == rules.ENROLLED,
               Training.status == rules.PUBLISHED, col(TrainingSession.end_at) > utcnow() - FEED_PAST)
    )
    if training_id is not None:
        statement = statement.where(Training.id == training_id)
    rows = session.exec(statement.order_by(col(TrainingSession.start_at)).limit(500)).all()
    names = _space_names(session, {row.space_id for row, _ in rows if row.space_id}, locale)
    base = get_settings().public_base_url.rstrip("/")
    events = []
    for row, training in rows:
        place = names.get(row.space_id, "") if row.space_id else ""
        location = f"Jakarta Future City Hub, JB Tower lt. 23 · {place}" if place else training.online_link
        events.append(FeedEvent(
            uid=f"training-session-{row.id}@jfch", title=title_of(training, locale), starts_at=row.start_at,
            ends_at=row.end_at, location=location, url=f"{base}/trainings/{training.id}",
            description=training.online_link if training.format != "hub" else ""))
    return events


def feed_events(session: Session, user_id: int) -> list[FeedEvent]:
    """Source for the personal calendar feed (services/calendar_feed.py)."""
    return _session_events(session, user_id)


def training_ics(actor: Actor | None, *, session: Session, training_id: object) -> bytes | None:
    """"Add to calendar": the sessions of one training the actor is enrolled in, as an .ics file."""
    if actor is None:
        return None
    training_id = validation.identifier(training_id, field="training.training_id")
    events = _session_events(session, actor.user_id, training_id)
    if not events:
        return None
    return calendar_feed.to_ical(events)


# Completion unlocks spaces that require a training (the booking service asks us), and the
# sessions join the member's personal calendar feed.
bookings.set_training_completion_check(has_completed_training)
calendar_feed.register_source(feed_events)
