"""Staff: create, edit, publish and cancel events (the space is held through the booking
service's reservation interface, like a training session), the photo, the list and the roster,
and the door: check-in by ticket code, walk-ins while seats are left."""

import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from PIL import Image
from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from hub_app.db import begin_write
from hub_app.domain import events as rules
from hub_app.domain import seats, validation
from hub_app.domain.bookings import EVENT_BOOKING
from hub_app.domain.errors import Conflict, InvalidInput, NotFound
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_short_datetime, normalize_locale, translate
from hub_app.models import Event, EventRegistration, Space, User
from hub_app.models.base import utcnow
from hub_app.services import audit, images, space_reservations
from hub_app.services.events.common import (
    insert_with_ticket,
    lock_event,
    photo_url,
    place_text,
    require_staff,
    tell,
    title_of,
    when_text,
)
from hub_app.services.events.registration import free_place, promote_waitlist
from hub_app.services.spaces import space_name
from hub_app.services.trainings import local_datetime, local_input
from hub_app.settings import get_settings

ADMIN_PAGE_SIZE = 30
PHOTO_BOX = 1200


# --- the form ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventForm:
    title_id: str
    title_en: str
    description_id: str
    description_en: str
    starts_at: datetime
    ends_at: datetime
    place: str
    space_id: int | None
    online_url: str
    capacity: int
    audience: str


def clean_event_form(form: object) -> EventForm:
    """The staff form as typed (times local to the hub, as <input type=datetime-local> sends them).
    A title in at least one language; a space for an event at the hub, a https link online."""
    if not isinstance(form, dict):
        raise InvalidInput("error.invalid", field="event.form")

    def text(name: str, limit: str, *, multiline: bool = False, plain: bool = True) -> str:
        value = validation.text(form.get(name), field=f"event.{name}", max_length=rules.LIMITS[limit],
                                multiline=multiline)
        return validation.no_tags(value, field=f"event.{name}") if plain else value

    title_id, title_en = text("title_id", "title"), text("title_en", "title")
    if not title_id and not title_en:
        raise InvalidInput("error.field_required", field="event.title_id")
    description_id = text("description_id", "description", multiline=True, plain=False)
    description_en = text("description_en", "description", multiline=True, plain=False)
    starts_at = local_datetime(form.get("starts_at"), field="event.starts_at")
    ends_at = local_datetime(form.get("ends_at"), field="event.ends_at")
    rules.check_event_times(starts_at, ends_at)
    place = validation.choice(form.get("place") or rules.AT_SPACE, rules.PLACES, field="event.place")
    space_id = None
    if place == rules.AT_SPACE and form.get("space_id") not in (None, "", 0, "0"):
        space_id = validation.identifier(form.get("space_id"), field="event.space_id")
    online_url = validation.text(form.get("online_url"), field="event.online_url",
                                 max_length=rules.LIMITS["online_url"])
    rules.check_online_url(online_url)
    if place == rules.AT_SPACE:
        online_url = ""
    rules.check_place(place, space_id=space_id, online_url=online_url)
    capacity = validation.integer(form.get("capacity"), field="event.capacity", minimum=1, maximum=rules.MAX_CAPACITY)
    audience = validation.choice(form.get("audience") or rules.EVERYONE, rules.AUDIENCES, field="event.audience")
    return EventForm(title_id=title_id, title_en=title_en, description_id=description_id,
                     description_en=description_en, starts_at=starts_at, ends_at=ends_at, place=place,
                     space_id=space_id, online_url=online_url, capacity=capacity, audience=audience)


def _check_space(session: Session, clean: EventForm) -> Space | None:
    """The chosen space, locked (FOR UPDATE) before the event row that points to it is written: the
    foreign key would take a share lock on it first, and two staff saving events at once would
    then deadlock when the reservation locks the space."""
    if clean.space_id is None:
        return None
    space = session.exec(select(Space).where(Space.id == clean.space_id).with_for_update()).first()
    if space is None or not space.active:
        raise InvalidInput("events.error.space_unknown", field="event.space_id")
    if clean.capacity > space.capacity:
        raise InvalidInput("events.error.over_space", field="event.capacity", capacity=space.capacity)
    return space


def _apply(event: Event, clean: EventForm) -> None:
    for name in ("title_id", "title_en", "description_id", "description_en", "starts_at", "ends_at", "place",
                 "space_id", "online_url", "capacity", "audience"):
        setattr(event, name, getattr(clean, name))


def create_event(actor: Actor | None, *, session: Session, form: object) -> int:
    """A draft event. At the hub its space is reserved at once (a booking of kind "event"), so a
    clash with a booking or a training shows now, not at publication."""
    actor = require_staff(actor)
    clean = clean_event_form(form)
    if clean.starts_at <= utcnow():
        raise InvalidInput("events.error.in_past", field="event.starts_at")
    begin_write(session)
    _check_space(session, clean)
    event = Event(capacity=clean.capacity, starts_at=clean.starts_at, ends_at=clean.ends_at,
                  created_by=actor.user_id)
    _apply(event, clean)
    session.add(event)
    session.flush()
    if clean.space_id is not None:
        event.booking_id = space_reservations.reserve_space(
            session, kind=EVENT_BOOKING, space_id=clean.space_id, start=clean.starts_at, end=clean.ends_at,
            title_id=event.title_id or event.title_en, title_en=event.title_en, event_id=event.id)
        session.add(event)
    audit.record(session, actor, "event.create", target_type="event", target_id=event.id,
                 detail=event.title_id or event.title_en)
    session.commit()
    return event.id


def update_event(actor: Actor | None, *, session: Session, event_id: object, form: object) -> None:
    """Changes an event that is not cancelled. The space's reservation moves with the time and
    place (refused, nothing changed, when the new slot is taken); the capacity never drops below
    the seats taken, and a raised one seats the waitlist at once. People holding a place are told
    when the time or place changed."""
    actor = require_staff(actor)
    event_id = validation.identifier(event_id, field="event.event_id")
    clean = clean_event_form(form)
    begin_write(session)
    event = lock_event(session, event_id)
    if event.status == rules.CANCELLED:
        raise Conflict("events.error.cancelled")
    _check_space(session, clean)
    if not seats.check_capacity_change(clean.capacity, event.registered_count):
        raise Conflict("events.error.capacity_below", field="event.capacity", registered=event.registered_count)
    moved = (clean.starts_at, clean.ends_at, clean.place, clean.space_id, clean.online_url) != (
        event.starts_at, event.ends_at, event.place, event.space_id, event.online_url)
    if clean.space_id is not None and event.booking_id is not None:
        space_reservations.move_reservation(session, event.booking_id, space_id=clean.space_id, start=clean.starts_at,
                                            end=clean.ends_at)
    elif clean.space_id is not None:
        event.booking_id = space_reservations.reserve_space(
            session, kind=EVENT_BOOKING, space_id=clean.space_id, start=clean.starts_at, end=clean.ends_at,
            title_id=clean.title_id or clean.title_en, title_en=clean.title_en, event_id=event.id)
    elif event.booking_id is not None:
        space_reservations.release_reservation(session, event.booking_id)
        event.booking_id = None
    _apply(event, clean)
    now = utcnow()
    event.updated_at = now
    session.add(event)
    session.flush()
    promote_waitlist(session, event, now)
    if moved and event.status == rules.PUBLISHED:
        for registration in _holding_places(session, event.id):
            tell(session, event, registration, "changed")
    audit.record(session, actor, "event.update", target_type="event", target_id=event.id,
                 detail=event.title_id or event.title_en)
    session.commit()


def _holding_places(session: Session, event_id: int) -> list[EventRegistration]:
    return list(session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event_id, col(EventRegistration.status).in_(rules.PLACE_HOLDING))
        .order_by(col(EventRegistration.id))).all())


def publish_event(actor: Actor | None, *, session: Session, event_id: object) -> None:
    actor = require_staff(actor)
    event_id = validation.identifier(event_id, field="event.event_id")
    begin_write(session)
    event = lock_event(session, event_id)
    if event.status != rules.DRAFT:
        raise Conflict("events.error.not_draft")
    if event.starts_at <= utcnow():
        raise Conflict("events.error.in_past")
    event.status, event.updated_at = rules.PUBLISHED, utcnow()
    session.add(event)
    audit.record(session, actor, "event.publish", target_type="event", target_id=event.id)
    session.commit()


def cancel_event(actor: Actor | None, *, session: Session, event_id: object, reason: object) -> None:
    """Cancels the event with a reason: the space is freed, everyone holding a place is told (in
    their language). The registrations stay as they were, for the record."""
    actor = require_staff(actor)
    event_id = validation.identifier(event_id, field="event.event_id")
    reason = validation.text(reason, field="event.reason", max_length=rules.LIMITS["reason"], required=True)
    begin_write(session)
    event = lock_event(session, event_id)
    if event.status == rules.CANCELLED:
        raise Conflict("events.error.cancelled")
    was_published = event.status == rules.PUBLISHED
    if event.booking_id is not None:
        space_reservations.release_reservation(session, event.booking_id)
    now = utcnow()
    event.status, event.cancel_reason, event.updated_at = rules.CANCELLED, reason, now
    session.add(event)
    if was_published:
        for registration in _holding_places(session, event.id):
            tell(session, event, registration, "event_cancelled", extra={"reason": reason})
    audit.record(session, actor, "event.cancel", target_type="event", target_id=event.id, detail=reason)
    session.commit()


def save_event_photo(actor: Actor | None, *, session: Session, event_id: object, data: object) -> str:
    """Checks the upload by content (PNG, JPEG, WebP up to the avatar size limit) and re-encodes it
    (at most 1200 px, metadata dropped) as a WebP for the pages and a JPEG beside it for link
    previews, under a generated name. Returns the photo's URL."""
    actor = require_staff(actor)
    event_id = validation.identifier(event_id, field="event.event_id")
    settings = get_settings()
    webp = images.reencode(data, box=PHOTO_BOX, quality=80, max_bytes=settings.max_avatar_bytes, field="event.photo")
    jpeg = io.BytesIO()
    with Image.open(io.BytesIO(webp)) as decoded:
        decoded.convert("RGB").save(jpeg, "JPEG", quality=82)
    begin_write(session)
    event = lock_event(session, event_id)
    directory = settings.upload_dir / "events"
    directory.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    (directory / f"{stem}.webp").write_bytes(webp)
    (directory / f"{stem}.jpg").write_bytes(jpeg.getvalue())
    old, event.photo = event.photo, f"{stem}.webp"
    event.updated_at = utcnow()
    session.add(event)
    audit.record(session, actor, "event.photo", target_type="event", target_id=event.id)
    session.commit()
    if old:
        old_stem = old.rsplit(".", 1)[0]
        for suffix in (".webp", ".jpg"):
            (directory / f"{old_stem}{suffix}").unlink(missing_ok=True)
    return photo_url(event)


# --- lists ---------------------------------------------------------------------------------------

@dataclass
class AdminEventRow:
    id: int
    title: str
    when: str
    place: str
    status: str
    status_text: str
    capacity: int
    registered: int
    waitlisted: int
    audience: str


@dataclass
class AdminEventPage:
    rows: list[AdminEventRow]
    next_cursor: str


def admin_events(actor: Actor | None, *, session: Session, past: object = False, cursor: object = "",
                 locale: object = None) -> AdminEventPage:
    """Staff: coming events (soonest first) or past ones (latest first), all statuses, a page at
    a time (keyset on starts_at, id; cursor "<id>" of the last row)."""
    actor = require_staff(actor)
    locale = normalize_locale(locale or actor.locale)
    past = validation.flag(past, field="event.past")
    now = utcnow()
    query = select(Event)
    after = None
    if cursor not in (None, ""):
        after = session.get(Event, validation.identifier(cursor, field="event.cursor"))
    if past:
        query = query.where(col(Event.ends_at) <= now)
        if after is not None:
            query = query.where(or_(col(Event.starts_at) < after.starts_at,
                                    and_(col(Event.starts_at) == after.starts_at, col(Event.id) < after.id)))
        query = query.order_by(col(Event.starts_at).desc(), col(Event.id).desc())
    else:
        query = query.where(col(Event.ends_at) > now)
        if after is not None:
            query = query.where(or_(col(Event.starts_at) > after.starts_at,
                                    and_(col(Event.starts_at) == after.starts_at, col(Event.id) > after.id)))
        query = query.order_by(col(Event.starts_at), col(Event.id))
    found = session.exec(query.limit(ADMIN_PAGE_SIZE + 1)).all()
    page = found[:ADMIN_PAGE_SIZE]
    names = {space.id: space for space in session.exec(select(Space).where(
        col(Space.id).in_({e.space_id for e in page if e.space_id}))).all()} if page else {}
    rows = [AdminEventRow(id=e.id, title=title_of(e, locale), when=when_text(e, locale),
                          place=place_text(e, names.get(e.space_id), locale), status=e.status,
                          status_text=translate(f"events.event_status.{e.status}", locale), capacity=e.capacity,
                          registered=e.registered_count, waitlisted=e.waitlist_count, audience=e.audience)
            for e in page]
    session.rollback()
    return AdminEventPage(rows=rows, next_cursor=str(page[-1].id) if len(found) > ADMIN_PAGE_SIZE else "")


def event_form(actor: Actor | None, *, session: Session, event_id: object = 0, locale: object = None) -> dict:
    """The edit form's values (event_id 0: a new event) and the spaces to choose from."""
    actor = require_staff(actor)
    locale = normalize_locale(locale or actor.locale)
    spaces = [{"id": str(space.id), "name": space_name(space, locale), "capacity": space.capacity}
              for space in session.exec(select(Space).where(col(Space.active).is_(True))
                                        .order_by(col(Space.kind), col(Space.id))).all()]
    values = {"event_id": 0, "title_id": "", "title_en": "", "description_id": "", "description_en": "",
              "starts_at": "", "ends_at": "", "place": rules.AT_SPACE, "space_id": "", "online_url": "",
              "capacity": "30", "audience": rules.EVERYONE, "status": rules.DRAFT, "photo_url": "", "spaces": spaces}
    if event_id not in (None, "", 0, "0"):
        event = session.get(Event, validation.identifier(event_id, field="event.event_id"))
        if event is None:
            raise NotFound("events.error.not_found")
        values |= {"event_id": event.id, "title_id": event.title_id, "title_en": event.title_en,
                   "description_id": event.description_id, "description_en": event.description_en,
                   "starts_at": local_input(event.starts_at), "ends_at": local_input(event.ends_at),
                   "place": event.place, "space_id": str(event.space_id or ""), "online_url": event.online_url,
                   "capacity": str(event.capacity), "audience": event.audience, "status": event.status,
                   "photo_url": photo_url(event)}
    session.rollback()
    return values


@dataclass
class RosterRow:
    registration_id: int
    name: str
    organisation: str
    email: str
    kind: str  # member | guest
    status: str
    status_text: str
    ticket_code: str
    queue_position: int
    checked_in: bool
    checked_in_text: str
    walk_in: bool


@dataclass
class EventRoster:
    event_id: int
    title: str
    when: str
    status: str
    capacity: int
    registered: int
    waitlisted: int
    unconfirmed: int
    checked_in: int
    door_open: bool
    rows: list[RosterRow] = field(default_factory=list)


def roster(actor: Actor | None, *, session: Session, event_id: object, locale: object = None) -> EventRoster:
    """Staff: who holds a seat, who waits (in order) and who has not confirmed yet, with their
    tickets and check-in."""
    actor = require_staff(actor)
    locale = normalize_locale(locale or actor.locale)
    event = session.get(Event, validation.identifier(event_id, field="event.event_id"))
    if event is None:
        raise NotFound("events.error.not_found")
    found = session.exec(
        select(EventRegistration, User).join(User, col(User.id) == EventRegistration.user_id, isouter=True)
        .where(EventRegistration.event_id == event.id, col(EventRegistration.status).in_(rules.LIVE))
        .order_by(col(EventRegistration.status), col(EventRegistration.queue_number), col(EventRegistration.id))
    ).all()
    tz = get_settings().timezone
    rows, position, checked = [], 0, 0
    for registration, user in found:
        if registration.status == rules.WAITLISTED:
            position += 1
        checked += registration.checked_in_at is not None
        rows.append(RosterRow(
            registration_id=registration.id,
            name=(user.name if user else registration.guest_name) or translate("events.guest_erased", locale),
            organisation=registration.guest_organisation,
            email=(user.email if user else registration.guest_email),
            kind="member" if registration.user_id is not None else "guest", status=registration.status,
            status_text=translate(f"events.status.{registration.status}", locale),
            ticket_code=rules.ticket_label(registration.ticket_code),
            queue_position=position if registration.status == rules.WAITLISTED else 0,
            checked_in=registration.checked_in_at is not None,
            checked_in_text=format_short_datetime(registration.checked_in_at, locale, tz)
            if registration.checked_in_at else "",
            walk_in=registration.walk_in))
    order = {rules.REGISTERED: 0, rules.WAITLISTED: 1, rules.UNCONFIRMED: 2}
    rows.sort(key=lambda row: (order.get(row.status, 3), row.queue_position, row.name.lower()))
    result = EventRoster(
        event_id=event.id, title=title_of(event, locale), when=when_text(event, locale), status=event.status,
        capacity=event.capacity, registered=event.registered_count, waitlisted=event.waitlist_count,
        unconfirmed=sum(1 for row in rows if row.status == rules.UNCONFIRMED), checked_in=checked,
        door_open=event.status == rules.PUBLISHED and rules.door_open(
            starts_at=event.starts_at, ends_at=event.ends_at, now=utcnow()),
        rows=rows)
    session.rollback()
    return result


# --- the door ------------------------------------------------------------------------------------

@dataclass
class CheckInOutcome:
    name: str
    organisation: str
    ticket_code: str
    status: str  # checked_in | already
    kind: str  # member | guest
    checked_in_text: str
    seats_left: int


def _outcome(session: Session, event: Event, registration: EventRegistration, status: str,
             locale: str) -> CheckInOutcome:
    user = session.get(User, registration.user_id) if registration.user_id else None
    return CheckInOutcome(
        name=(user.name if user else registration.guest_name) or translate("events.guest_erased", locale),
        organisation=registration.guest_organisation, ticket_code=rules.ticket_label(registration.ticket_code),
        status=status, kind="member" if user else "guest",
        checked_in_text=format_short_datetime(registration.checked_in_at, locale, get_settings().timezone),
        seats_left=seats.seats_left(event.capacity, event.registered_count))


def door_check_in(actor: Actor | None, *, session: Session, event_id: object, code: object) -> CheckInOutcome:
    """Staff at the door scan or type a ticket code. A code of another event, of a waitlist place,
    an unconfirmed request or a cancelled registration is refused (nothing changed); a second scan
    answers "already" with the first check-in's time."""
    actor = require_staff(actor)
    event_id = validation.identifier(event_id, field="event.event_id")
    code = rules.normalise_ticket(code)
    locale = normalize_locale(actor.locale)
    begin_write(session)
    event = lock_event(session, event_id)
    now = utcnow()
    rules.check_door(event_status=event.status, starts_at=event.starts_at, ends_at=event.ends_at, now=now)
    registration = session.exec(select(EventRegistration).where(EventRegistration.ticket_code == code)
                                .with_for_update()).first()
    if registration is None:
        raise NotFound("events.error.ticket_unknown", field="event.code")
    rules.check_ticket(registration_event_id=registration.event_id, event_id=event.id, status=registration.status)
    if registration.checked_in_at is not None:
        outcome = _outcome(session, event, registration, "already", locale)
        session.rollback()
        return outcome
    registration.checked_in_at = registration.updated_at = now
    registration.checked_in_by = actor.user_id
    session.add(registration)
    audit.record(session, actor, "event.check_in", target_type="event", target_id=event.id,
                 detail=f"registration {registration.id}")
    session.commit()
    outcome = _outcome(session, event, registration, "checked_in", locale)
    session.rollback()
    return outcome


def add_walk_in(actor: Actor | None, *, session: Session, event_id: object, form: object) -> CheckInOutcome:
    """Someone without a registration at the door: a seat and a check-in at once, while seats are
    left (under the event's lock, like any registration). Name required; email and organisation
    optional (the email only lets them find the event in their account later)."""
    actor = require_staff(actor)
    event_id = validation.identifier(event_id, field="event.event_id")
    if not isinstance(form, dict):
        raise InvalidInput("error.invalid", field="event.form")
    name = validation.no_tags(validation.text(form.get("name"), field="event.name", max_length=rules.LIMITS["name"],
                                              required=True), field="event.name")
    email = ""
    if form.get("email") not in (None, ""):
        email = validation.email(form.get("email"), field="event.email").lower()
    organisation = validation.no_tags(validation.text(
        form.get("organisation"), field="event.organisation", max_length=rules.LIMITS["organisation"]),
        field="event.organisation")
    locale = normalize_locale(actor.locale)
    begin_write(session)
    event = lock_event(session, event_id)
    now = utcnow()
    rules.check_door(event_status=event.status, starts_at=event.starts_at, ends_at=event.ends_at, now=now)
    if seats.seats_left(event.capacity, event.registered_count) == 0:
        raise Conflict("events.error.full")
    if email and session.exec(select(func.count()).select_from(EventRegistration).where(
            EventRegistration.event_id == event.id, col(EventRegistration.user_id).is_(None),
            EventRegistration.guest_email == email, col(EventRegistration.status).in_(rules.LIVE))).one():
        raise Conflict("events.error.walk_in_registered", field="event.email")
    registration = EventRegistration(event_id=event.id, guest_name=name, guest_email=email,
                                     guest_organisation=organisation, locale=locale, status=rules.REGISTERED,
                                     walk_in=True, confirmed_at=now, checked_in_at=now, checked_in_by=actor.user_id,
                                     reminded_at=now, created_at=now, updated_at=now)
    event.registered_count += 1
    event.updated_at = now
    session.add(event)
    insert_with_ticket(session, registration)
    audit.record(session, actor, "event.walk_in", target_type="event", target_id=event.id,
                 detail=f"registration {registration.id}")
    session.commit()
    outcome = _outcome(session, event, registration, "checked_in", locale)
    session.rollback()
    return outcome


def remove_registration(actor: Actor | None, *, session: Session, registration_id: object) -> None:
    """Staff take someone off (a duplicate, a no-longer-wanted place); a freed seat goes to the
    first in the queue."""
    actor = require_staff(actor)
    registration_id = validation.identifier(registration_id, field="event.registration_id")
    begin_write(session)
    registration = session.get(EventRegistration, registration_id)
    if registration is None:
        raise NotFound("events.error.registration_not_found")
    event = lock_event(session, registration.event_id)
    session.refresh(registration)
    if registration.status not in rules.LIVE:
        raise Conflict("events.error.already_cancelled")
    free_place(session, event, registration, utcnow())
    audit.record(session, actor, "event.remove", target_type="event", target_id=event.id,
                 detail=f"registration {registration.id}")
    session.commit()
