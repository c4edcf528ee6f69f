"""Staff running the programme: creating, editing, publishing and cancelling trainings; their
sessions (each at the hub holding a booking of its room); trainers and their photos; prerequisites;
the programme list and one training's admin view.

The catalogue and a training's page live in services/trainings.py; enrolment and the waitlist in
services/enrolments.py; a member's own trainings and ratings in services/trainings_mine.py;
attendance, check-in and completion in services/training_attendance.py.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import trainings as rules
from hub_app.domain import validation
from hub_app.domain.errors import Conflict, InvalidInput, NotFound
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_short_datetime, pick
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
from hub_app.services import audit, images, notifications, space_reservations
from hub_app.services.enrolments import promote_waitlist
from hub_app.services.spaces import space_name
from hub_app.services.trainings import (
    PrerequisiteRow,
    SessionRow,
    TrainerRow,
    initials,
    local_datetime,
    local_input,
    lock_training,
    photo_url,
    prerequisites_of,
    require_staff,
    session_rows,
    sessions_of,
    title_of,
    title_params,
    trainers_of,
    visible_training,
    window_of,
)
from hub_app.settings import get_settings

ADMIN_PAGE_SIZE = 20
TRAINER_PHOTO_SIZE = 256
_LINK = re.compile(r"^https://[^\s<>\"']{3,290}$")


# --- staff: trainings -------------------------------------------------------------------------

def _search_text(training: Training, trainer_names: list[str]) -> str:
    return " ".join([training.title_id, training.title_en, *trainer_names]).lower()[:600]


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


def refresh_schedule(session: Session, training: Training) -> list[TrainingSession]:
    sessions = sessions_of(session, training.id)
    training.session_count = len(sessions)
    training.starts_at = min((s.start_at for s in sessions), default=None)
    training.ends_at = max((s.end_at for s in sessions), default=None)
    return sessions


def refresh_search(session: Session, training: Training) -> None:
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
    training = lock_training(session, training_id)
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
    refresh_search(session, training)
    session.add(training)
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
    training = lock_training(session, training_id)
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
    training = lock_training(session, training_id)
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
    row.booking_id = space_reservations.reserve_for_training(
        session, space_id=row.space_id, start=row.start_at, end=row.end_at, title_id=training.title_id,
        title_en=training.title_en, training_session_id=row.id)


def _release_room(session: Session, row: TrainingSession) -> None:
    if row.booking_id is None:
        return
    space_reservations.release_training_reservation(session, row.booking_id)
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
    training = lock_training(session, training_id)
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
    _commit_schedule_change(session, actor, training, "training.session_add",
                            f"{start.isoformat()} - {end.isoformat()} space={space_id}")
    return row.id


def _commit_schedule_change(session: Session, actor: Actor, training: Training, action: str, detail: str) -> None:
    """After a session is added or moved: the training's dates follow, a published training must
    still open enrolment before it starts, enrolled members hear of it, and it is audited."""
    refresh_schedule(session, training)
    if training.status == rules.PUBLISHED:
        rules.check_window(window_of(training), training.starts_at)
        _notify_enrolled(session, training, "training.changed")
    training.updated_at = utcnow()
    session.add(training)
    audit.record(session, actor, action, target_type="training", target_id=training.id, detail=detail)
    session.commit()


def _locked_session_row(session: Session, session_id: object) -> tuple[TrainingSession, Training]:
    session_id = validation.identifier(session_id, field="training.session_id")
    row = session.get(TrainingSession, session_id)
    if row is None:
        raise NotFound("trainings.error.session_not_found")
    training = lock_training(session, row.training_id)
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
        space_reservations.move_training_reservation(session, row.booking_id, space_id=space_id, start=start, end=end)
        row.start_at, row.end_at, row.space_id = start, end, space_id
    else:
        _release_room(session, row)
        row.start_at, row.end_at, row.space_id = start, end, space_id
        if space_id is not None:
            _reserve_room(session, training, row)
    session.add(row)
    session.flush()
    _commit_schedule_change(session, actor, training, "training.session_move",
                            f"session={row.id} {start.isoformat()} - {end.isoformat()} space={space_id}")


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
    refresh_schedule(session, training)
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
    training = lock_training(session, training_id)
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
    refresh_search(session, training)
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
    training = lock_training(session, training_id)
    link = session.get(TrainingTrainer, (training.id, trainer_id))
    if link is None:
        raise NotFound("trainings.error.trainer_not_found")
    session.delete(link)
    session.flush()
    refresh_search(session, training)
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
    webp = images.reencode(data, box=TRAINER_PHOTO_SIZE, quality=82, max_bytes=settings.max_avatar_bytes,
                           field="training.photo")
    begin_write(session)
    trainer = session.get(Trainer, trainer_id)
    if trainer is None:
        raise NotFound("trainings.error.trainer_not_found")
    directory = settings.upload_dir / "trainers"
    directory.mkdir(parents=True, exist_ok=True)
    filename = f"{uuid.uuid4().hex}.webp"
    (directory / filename).write_bytes(webp)
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
    training = lock_training(session, training_id)
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
    training = lock_training(session, training_id)
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
    training = visible_training(session, actor, training_id)
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
        trainers=[TrainerRow(t.id, t.name, pick(t.bio_id, t.bio_en, locale), photo_url(t), initials(t.name))
                  for t in trainers],
        prerequisites=[PrerequisiteRow(t.id, title_of(t, locale), True) for t in required],
        trainer_choices=[TrainerChoice(t.id, t.name) for t in choices if t.id not in linked],
        training_choices=[TrainingChoice(t.id, f"#{t.id} {title_of(t, locale)}") for t in others
                          if t.id not in required_ids],
        space_choices=[SpaceChoice(space.id, f"{space_name(space, locale)} ({space.capacity})")
                       for space in session.exec(select(Space).where(col(Space.active).is_(True))
                                                 .order_by(col(Space.kind), col(Space.id))).all()],
    )


