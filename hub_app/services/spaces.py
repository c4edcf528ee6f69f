"""Spaces of the floor: list and filter them, staff create/edit/deactivate them, photos, the hub's
opening hours, closures (public holidays, maintenance), and the check-in QR code of a space."""

import base64
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import segno
from sqlalchemy import bindparam, delete
from sqlmodel import Session, col, select

from hub_app.db import begin_write, reads_only
from hub_app.domain import validation
from hub_app.domain.bookings import (
    AMENITIES,
    HOLDING,
    LIMITS,
    MAX_SPAN,
    SPACE_KINDS,
    is_room,
    may_manage_bookings,
)
from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.domain.opening_hours import DEFAULT_HOURS, Period, whole_day
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_short_datetime, pick_marked
from hub_app.models import Booking, Closure, OpeningHours, Space
from hub_app.models.base import utcnow
from hub_app.services import audit, images
from hub_app.settings import get_settings

SLOT_SIZES = (30, 60)
MAX_PHOTOS = 6
PHOTO_WIDTH = 1200


def _tz() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def space_name(space: Space | None, locale: str) -> str:
    """The space's name in `locale`, or the other language's marked as such."""
    return pick_marked(space.name_id, space.name_en, locale) if space else ""


def space_location(space: Space, locale: str) -> str:
    return pick_marked(space.location, space.location_en, locale)


# Asked on every calendar read and booking check: built once, run as plain rows (no ORM objects).
_HOURS = select(OpeningHours.weekday, OpeningHours.opens_minute, OpeningHours.closes_minute)
_CLOSURES = select(Closure.starts_at, Closure.ends_at, Closure.space_id).where(
    col(Closure.ends_at) > bindparam("start"), col(Closure.starts_at) < bindparam("end"))


def load_hours(session: Session) -> dict[int, tuple[int, int]]:
    """The hub's opening hours; the defaults until staff have saved their own."""
    rows = session.connection().execute(_HOURS).all()
    if not rows:
        return dict(DEFAULT_HOURS)
    return {weekday: (opens, closes) for weekday, opens, closes in rows if closes > opens}


def closures_between(session: Session, start: datetime, end: datetime) -> list[Period]:
    rows = session.connection().execute(_CLOSURES, {"start": start, "end": end}).all()
    return [Period(s, e, space_id) for s, e, space_id in rows]


# --- reading --------------------------------------------------------------------------------------

@dataclass
class SpaceCard:
    id: int
    kind: str
    name: str
    description: str
    capacity: int
    amenities: list[str]
    photo: str
    photos: list[str]
    location: str
    needs_approval: bool
    requires_training: bool
    active: bool
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    advance_days: int


def photo_url(name: str) -> str:
    return f"/media/spaces/{name}"


def _card(space: Space, locale: str) -> SpaceCard:
    photos = [photo_url(name) for name in space.photos]
    return SpaceCard(id=space.id, kind=space.kind, name=space_name(space, locale),
                     description=pick_marked(space.description_id, space.description_en, locale),
                     capacity=space.capacity,
                     amenities=list(space.amenities), photo=photos[0] if photos else "", photos=photos,
                     location=space_location(space, locale), needs_approval=space.needs_approval,
                     requires_training=space.required_training_id is not None, active=space.active,
                     slot_minutes=space.slot_minutes, min_minutes=space.min_minutes, max_minutes=space.max_minutes,
                     advance_days=space.advance_days)


@reads_only
def list_spaces(actor: Actor | None, *, session: Session, kind: object = "", min_capacity: object = "",
                amenity: object = "", include_inactive: object = False, locale: str = "id") -> list[SpaceCard]:
    """Active spaces (staff may include inactive ones), filtered by kind, capacity and amenity."""
    kind = validation.choice(kind, SPACE_KINDS, field="kind", required=False)
    amenity = validation.choice(amenity, AMENITIES, field="amenity", required=False)
    min_capacity = 0 if min_capacity in (None, "") else validation.integer(min_capacity, field="capacity",
                                                                           minimum=0, maximum=10_000)
    query = select(Space)
    if not (validation.flag(include_inactive, field="include_inactive") and may_manage_bookings(actor)):
        query = query.where(col(Space.active).is_(True))
    if kind:
        query = query.where(Space.kind == kind)
    if min_capacity:
        query = query.where(col(Space.capacity) >= min_capacity)
    spaces = session.exec(query.order_by(col(Space.kind), col(Space.id)).limit(200)).all()
    if amenity:
        spaces = [space for space in spaces if amenity in space.amenities]
    locale = actor.locale if actor else locale
    return [_card(space, locale) for space in spaces]


def get_space(actor: Actor | None, *, session: Session, space_id: object, locale: str = "id") -> SpaceCard:
    space_id = validation.identifier(space_id, field="space_id")
    space = session.get(Space, space_id)
    if space is None or (not space.active and not may_manage_bookings(actor)):
        raise NotFound("booking.error.no_space")
    return _card(space, actor.locale if actor else locale)


@dataclass
class SpaceForm:
    """A space's editable fields as plain strings for a staff form."""

    id: int
    values: dict[str, str]
    amenities: list[str]


def space_form(actor: Actor | None, *, session: Session, space_id: object) -> SpaceForm:
    if not may_manage_bookings(actor):
        raise NotAllowed()
    space = session.get(Space, validation.identifier(space_id, field="space_id"))
    if space is None:
        raise NotFound("booking.error.no_space")
    values = {name: str(getattr(space, name)) for name in (
        "kind", "name_id", "name_en", "description_id", "description_en", "capacity", "location", "location_en",
        "slot_minutes", "min_minutes", "max_minutes", "advance_days")}
    values["needs_approval"] = "1" if space.needs_approval else ""
    values["active"] = "1" if space.active else ""
    values["required_training_id"] = str(space.required_training_id or "")
    return SpaceForm(id=space.id, values=values, amenities=list(space.amenities))


# --- staff: create and edit ------------------------------------------------------------------------------

def _clean_space(form: dict) -> dict:
    if not isinstance(form, dict):
        raise InvalidInput()
    values = {
        "kind": validation.choice(form.get("kind"), SPACE_KINDS, field="kind"),
        "name_id": validation.text(form.get("name_id"), field="name_id", max_length=LIMITS["name"], required=True),
        "name_en": validation.text(form.get("name_en"), field="name_en", max_length=LIMITS["name"]),
        "description_id": validation.text(form.get("description_id"), field="description_id",
                                          max_length=LIMITS["description"], multiline=True),
        "description_en": validation.text(form.get("description_en"), field="description_en",
                                          max_length=LIMITS["description"], multiline=True),
        "capacity": validation.integer(form.get("capacity"), field="capacity", minimum=1, maximum=1000),
        "location": validation.text(form.get("location"), field="location", max_length=LIMITS["location"]),
        "location_en": validation.text(form.get("location_en"), field="location_en", max_length=LIMITS["location"]),
        "slot_minutes": validation.integer(form.get("slot_minutes") or 30, field="slot_minutes", minimum=30,
                                           maximum=60),
        "min_minutes": validation.integer(form.get("min_minutes") or 30, field="min_minutes", minimum=30,
                                          maximum=24 * 60),
        "max_minutes": validation.integer(form.get("max_minutes") or 240, field="max_minutes", minimum=30,
                                          maximum=24 * 60),
        "advance_days": validation.integer(form.get("advance_days") or 30, field="advance_days", minimum=1,
                                           maximum=365),
        "needs_approval": validation.flag(form.get("needs_approval"), field="needs_approval"),
        "active": validation.flag(form.get("active", "1"), field="active"),
    }
    if values["slot_minutes"] not in SLOT_SIZES:
        raise InvalidInput("error.field_choice", field="slot_minutes")
    if values["min_minutes"] % values["slot_minutes"] or values["max_minutes"] % values["slot_minutes"]:
        raise InvalidInput("space.error.duration_grid", field="min_minutes")
    if values["max_minutes"] < values["min_minutes"]:
        raise InvalidInput("space.error.max_below_min", field="max_minutes")
    training = form.get("required_training_id")
    values["required_training_id"] = None if training in (None, "", 0) else validation.identifier(
        training, field="required_training_id")
    amenities = form.get("amenities", [])
    if isinstance(amenities, str):
        amenities = [item for item in amenities.split(",") if item]
    if not isinstance(amenities, list) or len(amenities) > len(AMENITIES):
        raise InvalidInput("error.field_choice", field="amenities")
    values["amenities"] = [validation.choice(item, AMENITIES, field="amenities") for item in amenities]
    for amenity in AMENITIES:  # checkboxes named amenity_<name>
        if validation.flag(form.get(f"amenity_{amenity}"), field="amenities") and amenity not in values["amenities"]:
            values["amenities"].append(amenity)
    return values


def save_space(actor: Actor | None, *, session: Session, form: object, space_id: object = None) -> int:
    """Creates a space (no id) or updates one; returns its id. Audited."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    values = _clean_space(form)
    begin_write(session)
    if space_id in (None, "", 0):
        space = Space(**values)
        action = "space.create"
    else:
        space = session.exec(select(Space).where(
            Space.id == validation.identifier(space_id, field="space_id")).with_for_update()).first()
        if space is None:
            raise NotFound("booking.error.no_space")
        if is_room(space.kind) != is_room(values["kind"]) and _has_future_bookings(session, space.id):
            raise Conflict("space.error.kind_change")
        if values["capacity"] < space.capacity and not is_room(space.kind) and _has_future_bookings(session, space.id):
            raise Conflict("space.error.capacity_change")
        for name, value in values.items():
            setattr(space, name, value)
        space.updated_at = utcnow()
        action = "space.update"
    session.add(space)
    session.flush()
    audit.record(session, actor, action, target_type="space", target_id=space.id, detail=values["name_id"])
    session.commit()
    return space.id


def _has_future_bookings(session: Session, space_id: int) -> bool:
    return session.exec(select(Booking.id).where(
        Booking.space_id == space_id, col(Booking.status).in_(HOLDING),
        col(Booking.ends_at) > utcnow()).limit(1)).first() is not None


def set_active(actor: Actor | None, *, session: Session, space_id: object, active: object) -> None:
    """Deactivating keeps the space's bookings; members can no longer book it."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    active = validation.flag(active, field="active")
    begin_write(session)
    space = session.exec(select(Space).where(
        Space.id == validation.identifier(space_id, field="space_id")).with_for_update()).first()
    if space is None:
        raise NotFound("booking.error.no_space")
    space.active = active
    space.updated_at = utcnow()
    session.add(space)
    audit.record(session, actor, "space.activate" if active else "space.deactivate", target_type="space",
                 target_id=space.id)
    session.commit()


def add_photo(actor: Actor | None, *, session: Session, space_id: object, data: object) -> str:
    """A photo checked by its content (PNG, JPEG, WebP), re-encoded as WebP under a generated name."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    space_id = validation.identifier(space_id, field="space_id")
    settings = get_settings()
    webp = images.reencode(data, box=PHOTO_WIDTH, quality=80, max_bytes=2 * settings.max_avatar_bytes, field="photo",
                           too_large="space.error.photo_too_large")
    begin_write(session)
    space = session.exec(select(Space).where(Space.id == space_id).with_for_update()).first()
    if space is None:
        raise NotFound("booking.error.no_space")
    if len(space.photos) >= MAX_PHOTOS:
        raise Conflict("space.error.too_many_photos", max=MAX_PHOTOS)
    directory = settings.upload_dir / "spaces"
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.webp"
    (directory / name).write_bytes(webp)
    space.photos = [*space.photos, name]
    space.updated_at = utcnow()
    session.add(space)
    audit.record(session, actor, "space.photo_add", target_type="space", target_id=space.id)
    session.commit()
    return photo_url(name)


def remove_photo(actor: Actor | None, *, session: Session, space_id: object, index: object) -> None:
    if not may_manage_bookings(actor):
        raise NotAllowed()
    space_id = validation.identifier(space_id, field="space_id")
    index = validation.integer(index, field="index", minimum=0, maximum=MAX_PHOTOS)
    begin_write(session)
    space = session.exec(select(Space).where(Space.id == space_id).with_for_update()).first()
    if space is None or index >= len(space.photos):
        raise NotFound()
    name = space.photos[index]
    space.photos = [photo for i, photo in enumerate(space.photos) if i != index]
    session.add(space)
    audit.record(session, actor, "space.photo_remove", target_type="space", target_id=space.id)
    session.commit()
    (get_settings().upload_dir / "spaces" / name).unlink(missing_ok=True)


# --- opening hours and closures -----------------------------------------------------------------------------

@dataclass
class DayHours:
    weekday: int
    opens: str  # "08:00", "" when closed
    closes: str


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def opening_hours(*, session: Session) -> list[DayHours]:
    hours = load_hours(session)
    return [DayHours(day, _hhmm(hours[day][0]) if day in hours else "", _hhmm(hours[day][1]) if day in hours else "")
            for day in range(7)]


def _minutes(value: object, field: str) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":" or not (value[:2] + value[3:]).isdigit():
        raise InvalidInput("error.date_invalid", field=field)
    hours, minutes = int(value[:2]), int(value[3:])
    if hours > 24 or minutes > 59 or (hours == 24 and minutes) or minutes % 30:
        raise InvalidInput("space.error.hours_grid", field=field)
    return hours * 60 + minutes


def save_opening_hours(actor: Actor | None, *, session: Session, form: object) -> list[DayHours]:
    """form: opens_<weekday>/closes_<weekday> as HH:MM (on the half hour); both empty = closed."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    # The page's form always sends all fourteen fields (empty for a closed day); anything else is not it.
    if not isinstance(form, dict) or any(f"{part}_{day}" not in form for part in ("opens", "closes")
                                         for day in range(7)):
        raise InvalidInput()
    parsed = {}
    for day in range(7):
        opens, closes = _minutes(form.get(f"opens_{day}"), f"opens_{day}"), _minutes(form.get(f"closes_{day}"),
                                                                                     f"closes_{day}")
        if (opens is None) != (closes is None) or (opens is not None and closes <= opens):
            raise InvalidInput("space.error.hours_order", field=f"closes_{day}")
        if opens is not None:
            parsed[day] = (opens, closes)
    if not parsed:
        raise InvalidInput("space.error.hours_all_closed", field="opens_0")
    begin_write(session)
    session.exec(delete(OpeningHours))
    for day in range(7):
        # A closed weekday is stored as an empty span, so "no rows" keeps meaning "defaults".
        opens, closes = parsed.get(day, (0, 0))
        session.add(OpeningHours(weekday=day, opens_minute=opens, closes_minute=closes))
    audit.record(session, actor, "hours.update", detail=", ".join(f"{d}:{o}-{c}" for d, (o, c) in parsed.items()))
    session.commit()
    return opening_hours(session=session)


@dataclass
class ClosureRow:
    id: int
    space: str
    kind: str
    reason: str
    when: str


def list_closures(actor: Actor | None, *, session: Session, locale: str = "id", limit: int = 50) -> list[ClosureRow]:
    """Upcoming and current closures, soonest first."""
    locale = actor.locale if actor else locale
    rows = session.exec(select(Closure, Space).join(Space, col(Space.id) == Closure.space_id, isouter=True)
                        .where(col(Closure.ends_at) > utcnow()).order_by(col(Closure.starts_at)).limit(limit)).all()
    tz = get_settings().timezone
    return [ClosureRow(id=c.id, space=space_name(s, locale) if s else "", kind=c.kind,
                       reason=pick_marked(c.reason_id, c.reason_en, locale),
                       when=f"{format_short_datetime(c.starts_at, locale, tz)} – "
                            f"{format_short_datetime(c.ends_at, locale, tz)}")
            for c, s in rows]


def add_closure(actor: Actor | None, *, session: Session, first_day: object, last_day: object,
                reason: object, space_id: object = None, start_time: object = "", end_time: object = "") -> int:
    """Closes the hub (no space) or one space for whole local days, or for a time range on one day.
    Bookings that hold the time must be cancelled first: the closure refuses to hide them."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    first = validation.iso_date(first_day, field="first_day")
    last = validation.iso_date(last_day or first_day, field="last_day")
    if last < first or (last - first).days > 366:
        raise InvalidInput("booking.error.end_before_start", field="last_day")
    reason = validation.text(reason, field="reason", max_length=200, required=True)
    space = None if space_id in (None, "", 0) else validation.identifier(space_id, field="space_id")
    tz = _tz()
    starts_at, ends_at = whole_day(first, tz)[0], whole_day(last, tz)[1]
    from_minute, to_minute = _minutes(start_time, "start_time"), _minutes(end_time, "end_time")
    if from_minute is not None or to_minute is not None:
        if from_minute is None or to_minute is None or to_minute <= from_minute:
            raise InvalidInput("space.error.hours_order", field="end_time")
        starts_at += timedelta(minutes=from_minute)
        ends_at = whole_day(last, tz)[0] + timedelta(minutes=to_minute)
    begin_write(session)
    if space is not None:
        target = session.exec(select(Space).where(Space.id == space).with_for_update()).first()
        if target is None:
            raise NotFound("booking.error.no_space")
    query = select(Booking.id).where(col(Booking.status).in_(HOLDING), col(Booking.starts_at) < ends_at,
                                     col(Booking.starts_at) > starts_at - MAX_SPAN, col(Booking.ends_at) > starts_at)
    if space is not None:
        query = query.where(Booking.space_id == space)
    clashes = len(session.exec(query.limit(101)).all())
    if clashes:
        raise Conflict("space.error.closure_has_bookings", count=clashes)
    closure = Closure(space_id=space, kind="maintenance", reason_id=reason, reason_en=reason, starts_at=starts_at,
                      ends_at=ends_at, created_by=actor.user_id)
    session.add(closure)
    session.flush()
    audit.record(session, actor, "closure.add", target_type="closure", target_id=closure.id,
                 detail=f"space={space} {starts_at.isoformat()}–{ends_at.isoformat()}: {reason}")
    session.commit()
    return closure.id


def remove_closure(actor: Actor | None, *, session: Session, closure_id: object) -> None:
    if not may_manage_bookings(actor):
        raise NotAllowed()
    closure_id = validation.identifier(closure_id, field="closure_id")
    begin_write(session)
    closure = session.get(Closure, closure_id)
    if closure is None:
        raise NotFound()
    session.delete(closure)
    audit.record(session, actor, "closure.remove", target_type="closure", target_id=closure_id,
                 detail=closure.reason_id)
    session.commit()


def import_public_holidays(session: Session, years: list[int]) -> int:
    """Closes the hub on Indonesia's public holidays of those years (from the `holidays` package,
    which follows the government's decrees). Idempotent: a holiday already stored is skipped."""
    tz = _tz()
    calendar = holidays.country_holidays("ID", years=years, language="id")
    english = holidays.country_holidays("ID", years=years, language="en_US")
    stored = session.exec(select(Closure).where(Closure.kind == "holiday")).all()
    existing = {(row.starts_at, row.reason_id) for row in stored}
    added = 0
    for day, name in sorted(calendar.items()):
        starts_at, ends_at = whole_day(day, tz)
        if (starts_at, name[:200]) in existing:
            continue
        session.add(Closure(space_id=None, kind="holiday", reason_id=name[:200], reason_en=english.get(day, name)[:200],
                            starts_at=starts_at, ends_at=ends_at))
        existing.add((starts_at, name[:200]))
        added += 1
    session.commit()
    return added


# --- check-in QR code ----------------------------------------------------------------------------------

def check_in_url(space_id: int) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/checkin/{space_id}"


def qr_data_uri(space_id: int) -> str:
    """The space's check-in link as an SVG QR code, made on the server (segno), as a data: URI."""
    buffer = io.BytesIO()
    segno.make(check_in_url(space_id), error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False,
                                                         svgns=True, title="QR")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def today_local() -> date:
    return datetime.now(UTC).astimezone(_tz()).date()


@dataclass
class CheckInPoster:
    name: str
    qr: str
    link: str


def check_in_poster(actor: Actor | None, *, session: Session, space_id: object, locale: str = "id") -> CheckInPoster:
    """Staff print this by the door: the space's name and its check-in QR code."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    space = session.get(Space, validation.identifier(space_id, field="space_id"))
    if space is None:
        raise NotFound("booking.error.no_space")
    return CheckInPoster(name=space_name(space, actor.locale if actor else locale), qr=qr_data_uri(space.id),
                         link=check_in_url(space.id))
