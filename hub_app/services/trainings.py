"""The training catalogue and one training's page, for members and visitors: the filters and the
keyset-paged catalogue, a training's sessions, trainers and prerequisites, completion (which unlocks
spaces that require a training) and the sessions in the member's calendar feed. The helpers shared
by the staff side (services/training_admin.py), enrolments (services/enrolments.py) and attendance
(services/training_attendance.py) live here.

Importing this module registers its hooks: the booking service's completion check and the calendar
feed source.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hub_app.db import reads_only
from hub_app.domain import markdown, validation
from hub_app.domain import trainings as rules
from hub_app.domain.errors import InvalidInput, NotAllowed, NotFound
from hub_app.domain.permissions import Actor
from hub_app.i18n import fallback_marker, format_date, format_datetime, format_time, normalize_locale, pick, pick_marked
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
from hub_app.services import bookings, calendar_feed
from hub_app.services.calendar_feed import FeedEvent
from hub_app.services.spaces import space_name
from hub_app.settings import get_settings

PAGE_SIZE = 12
_CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,18})$")


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


def _description_html(training: Training, locale: str) -> str:
    """The description in `locale` (rendered and sanitised), or the other language's with a note."""
    html = render_markdown(pick(training.description_id, training.description_en, locale))
    marker = fallback_marker(training.description_id, training.description_en, locale)
    return html + f'<p class="muted small">{escape(marker)}</p>' if marker else html


def title_of(training: Training, locale: str) -> str:
    return pick_marked(training.title_id, training.title_en, locale)


def title_params(training: Training, member: User) -> dict:
    """Notification params: the title in the member's language (the email goes out in it)."""
    return {"title": title_of(training, member.locale)}


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()


def training_link(training: Training) -> str:
    """A training's page, the link of the notifications about it."""
    return f"/trainings/{training.id}"


def photo_url(trainer: Trainer) -> str:
    return f"/media/trainers/{trainer.photo_file}" if trainer.photo_file else ""


def lock_training(session: Session, training_id: int) -> Training:
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


_CARD_COLUMNS = (Training.id, Training.title_id, Training.title_en, Training.topic, Training.level, Training.language,
                 Training.format, Training.starts_at, Training.ends_at, Training.session_count, Training.capacity,
                 Training.enrolled_count, Training.waitlist_count)


def catalogue_statement(filters: CatalogueFilters, *, now: datetime, after: tuple[datetime, int] | None,
                        limit: int):
    """The catalogue query: published trainings, upcoming unless a date range says otherwise,
    ordered by first session (keyset on starts_at, id). Used by the page and the benchmark. Rows of
    the card's columns only: loading whole trainings (descriptions and all) cost more than the query."""
    statement = select(*_CARD_COLUMNS).where(Training.status == rules.PUBLISHED)
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


@reads_only
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


def _card(training, locale: str, now: datetime, my_status: str) -> TrainingCard:
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


def visible_training(session: Session, actor: Actor | None, training_id: object) -> Training:
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


def sessions_with_places(session: Session, training_id: int, locale: str) -> tuple[list[TrainingSession],
                                                                                     dict[int, str]]:
    """sessions_of with the names of their rooms, in one statement (a training's page asks on every load)."""
    rows = session.exec(select(TrainingSession, Space).join(Space, col(Space.id) == TrainingSession.space_id,
                                                            isouter=True)
                        .where(TrainingSession.training_id == training_id)
                        .order_by(col(TrainingSession.start_at), col(TrainingSession.id))).all()
    return [row for row, _ in rows], {space.id: space_name(space, locale) for _, space in rows if space is not None}


def session_rows(session: Session, sessions: list[TrainingSession], locale: str, now: datetime,
                 attended: set[int] = frozenset(), places: dict[int, str] | None = None) -> list[SessionRow]:
    """`places`: the rooms' names if the caller has them (else they are read)."""
    names = places if places is not None else _space_names(session, {s.space_id for s in sessions if s.space_id},
                                                            locale)
    online = "Online" if locale == "en" else "Daring"
    return [
        SessionRow(id=s.id, number=number, day=format_date(s.start_at.astimezone(_zone()), locale),
                   hours=f"{format_time(s.start_at, locale)}–{format_time(s.end_at, locale)} WIB",
                   place=names.get(s.space_id, "") if s.space_id else online, space_id=s.space_id or 0,
                   start_input=local_input(s.start_at), end_input=local_input(s.end_at), past=s.end_at < now,
                   attended=s.id in attended)
        for number, s in enumerate(sessions, start=1)
    ]


@reads_only
def training_detail(actor: Actor | None, *, session: Session, training_id: object,
                    locale: object = "id") -> TrainingDetail:
    """Open to visitors (published and cancelled trainings); the online link only for enrolled members."""
    locale = actor.locale if actor else normalize_locale(locale)
    training = visible_training(session, actor, training_id)
    now = utcnow()
    sessions, places = sessions_with_places(session, training.id, locale)
    trainers = trainers_of(session, training.id)
    required = prerequisites_of(session, training.id)
    enrolment = None
    attended: set[int] = set()
    completed: set[int] = set()
    position = 0
    if actor is not None:
        enrolment = session.exec(select(Enrolment).where(Enrolment.training_id == training.id,
                                                         Enrolment.user_id == actor.user_id)).first()
        if required:
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
        description_html=_description_html(training, locale),
        topic=training.topic, level=training.level, language=training.language, format=training.format,
        status=training.status, cancel_reason=training.cancel_reason, capacity=training.capacity,
        seats_left=rules.seats_left(training.capacity, training.enrolled_count), waitlist=training.waitlist_count,
        enrol_opens=format_datetime(training.enrol_opens_at, locale),
        enrol_closes=format_datetime(training.enrol_closes_at, locale),
        cancel_until=format_datetime(training.cancel_until, locale),
        enrolment="open" if open_now else ("not_yet" if now < window.opens_at else "closed"),
        past=training.ends_at is not None and training.ends_at < now,
        completion_share=training.completion_share,
        sessions=session_rows(session, sessions, locale, now, attended, places),
        trainers=[TrainerRow(t.id, t.name, pick_marked(t.bio_id, t.bio_en, locale), photo_url(t), initials(t.name))
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


def waitlisted_ahead(training_id, queue_number):
    """How many wait before a place in a training's waitlist: values, or another query's columns."""
    ahead = aliased(Enrolment)
    return select(func.count()).select_from(ahead).where(
        ahead.training_id == training_id, ahead.status == rules.WAITLISTED,
        col(ahead.queue_number) < queue_number).scalar_subquery()


def waitlist_position(session: Session, enrolment: Enrolment) -> int:
    return session.exec(select(waitlisted_ahead(enrolment.training_id, enrolment.queue_number))).one() + 1


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
