"""What pages show about events: the public list, one event (with OpenGraph texts), a member's
own registrations (also the ones made earlier as a guest with the same, verified, email), and a
registration's .ics file. Plain dataclasses, texts already in the asked language."""

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hub_app.domain import events as rules
from hub_app.domain import seats, validation
from hub_app.domain.errors import InvalidInput, NotFound
from hub_app.domain.events import ticket_qr_svg
from hub_app.domain.permissions import Actor, may_use_hub
from hub_app.i18n import format_datetime, normalize_locale, pick, translate
from hub_app.models import Event, EventRegistration, Space, User
from hub_app.models.base import utcnow
from hub_app.services import calendar_feed
from hub_app.services.events.common import (
    absolute,
    day_text,
    description_html,
    ics_path,
    ics_token,
    may_manage_events,
    photo_url,
    place_text,
    title_of,
    when_text,
)
from hub_app.settings import get_settings

PAGE_SIZE = 12
MY_EVENTS_LIMIT = 100
_CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,18})$")
# An event lasts at most MAX_EVENT_HOURS: the list reads the index from this far back and keeps
# the ones still running.
_RUNNING = timedelta(hours=rules.MAX_EVENT_HOURS)
# The waiting registrations ahead of the viewer's (made once: building an alias costs per call).
_AHEAD = aliased(EventRegistration)


@dataclass
class EventCard:
    id: int
    title: str
    starts_text: str  # "Kamis, 3 Desember 2026 19.00 – 21.00 WIB"
    day_text: str  # "3 Des"
    place_text: str
    photo_url: str
    seats_left: int
    full: bool
    audience: str  # members | everyone


@dataclass
class EventListPage:
    rows: list[EventCard]
    next_cursor: str  # "" on the last page


def _parse_cursor(cursor: object) -> tuple[datetime, int] | None:
    if cursor in (None, ""):
        return None
    if not isinstance(cursor, str) or not _CURSOR.match(cursor):
        raise InvalidInput("error.invalid", field="event.cursor")
    micros, event_id = _CURSOR.match(cursor).groups()
    try:
        return datetime.fromtimestamp(int(micros) / 1_000_000, UTC), int(event_id)
    except (ValueError, OverflowError, OSError):  # a forged cursor beyond the calendar
        raise InvalidInput("error.invalid", field="event.cursor") from None


def _make_cursor(event: Event) -> str:
    return f"{int(event.starts_at.timestamp() * 1_000_000)}.{event.id}"


def list_statement(*, now: datetime, after: tuple[datetime, int] | None, limit: int):
    """Published events not yet over, by start (keyset on starts_at, id: an index range read of
    ix_events_status_starts). Used by the page and the benchmark."""
    statement = select(Event).where(Event.status == rules.PUBLISHED, col(Event.starts_at) > now - _RUNNING,
                                    col(Event.ends_at) > now)
    if after is not None:
        starts_at, event_id = after
        statement = statement.where(or_(col(Event.starts_at) > starts_at,
                                        and_(col(Event.starts_at) == starts_at, col(Event.id) > event_id)))
    return statement.order_by(col(Event.starts_at), col(Event.id)).limit(limit)


def _spaces(session: Session, events: list[Event]) -> dict[int, Space]:
    ids = {event.space_id for event in events if event.space_id}
    if not ids:
        return {}
    return {space.id: space for space in session.exec(select(Space).where(col(Space.id).in_(ids))).all()}


def upcoming_events(actor: Actor | None, *, session: Session, locale: object = "id",
                    cursor: object = "") -> EventListPage:
    """Open to everyone: a page of the coming events, soonest first."""
    locale = normalize_locale(locale)
    now = utcnow()
    found = session.exec(list_statement(now=now, after=_parse_cursor(cursor), limit=PAGE_SIZE + 1)).all()
    page = found[:PAGE_SIZE]
    spaces = _spaces(session, page)
    tz = get_settings().timezone
    rows = []
    for event in page:
        left = seats.seats_left(event.capacity, event.registered_count)
        rows.append(EventCard(
            id=event.id, title=title_of(event, locale), starts_text=when_text(event, locale),
            day_text=day_text(event.starts_at, locale, tz),
            place_text=place_text(event, spaces.get(event.space_id), locale), photo_url=photo_url(event),
            seats_left=left, full=left == 0, audience=event.audience))
    next_cursor = _make_cursor(page[-1]) if len(found) > PAGE_SIZE else ""
    session.rollback()
    return EventListPage(rows=rows, next_cursor=next_cursor)


@dataclass
class MyRegistration:
    id: int
    status: str  # unconfirmed | registered | waitlisted
    ticket_code: str  # XXXXX-XXXXX
    queue_position: int  # 1-based on the waitlist, 0 with a seat
    ics_url: str  # "" unless registered
    qr_svg: str  # data: URI of the ticket's QR; "" unless registered
    can_cancel: bool


@dataclass
class EventView:
    id: int
    title: str
    description_html: str  # sanitised Markdown
    starts_text: str
    ends_text: str
    place_text: str
    photo_url: str
    seats_left: int
    capacity: int
    waitlisted: int
    audience: str
    status: str  # draft | published | cancelled
    cancel_reason: str
    online: bool
    online_url: str  # "" unless the actor holds a seat
    registration_open: bool
    may_register: bool  # the actor can register as a member now (one tap)
    guests_welcome: bool  # the guest form is open (audience everyone, registration open)
    sign_in_to_register: bool  # a visitor: registration is open to members only
    my_registration: MyRegistration | None
    og_title: str
    og_description: str
    og_image_url: str  # absolute, "" without a photo
    og_url: str


def _plain(markdown_text: str, limit: int = 200) -> str:
    """A description as one plain line for link previews."""
    text = re.sub(r"[`*_>#\[\]()!|~-]+", " ", markdown_text or "")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def my_registration(event: Event, registration: EventRegistration | None, position: int,
                    now: datetime) -> MyRegistration | None:
    """The viewer's registration; `position` is their 1-based place when waitlisted."""
    if registration is None:
        return None
    seated = registration.status == rules.REGISTERED
    return MyRegistration(
        id=registration.id, status=registration.status, ticket_code=rules.ticket_label(registration.ticket_code),
        queue_position=position if registration.status == rules.WAITLISTED else 0,
        ics_url=ics_path(registration.ticket_code) if seated else "",
        qr_svg=ticket_qr_svg(registration.ticket_code) if seated else "",
        can_cancel=registration.user_id is not None and registration.status in rules.LIVE and now < event.starts_at
        and event.status == rules.PUBLISHED)


def event_view(actor: Actor | None, *, session: Session, event_id: object, locale: object = "id") -> EventView:
    """One event for /events/<id>: open to everyone (drafts to staff only). One query: the event,
    its space, the actor's live registration and their place in the queue."""
    locale = normalize_locale(locale)
    event_id = validation.identifier(event_id, field="event.event_id")
    mine_on = and_(col(EventRegistration.event_id) == Event.id, col(EventRegistration.status).in_(rules.LIVE),
                   col(EventRegistration.user_id) == (actor.user_id if actor else -1))
    ahead = _AHEAD
    position = (select(func.count()).select_from(ahead)
                .where(ahead.event_id == Event.id, ahead.status == rules.WAITLISTED,
                       ahead.queue_number < EventRegistration.queue_number).scalar_subquery())
    found = session.exec(select(Event, Space, EventRegistration, position)
                         .join(Space, col(Space.id) == Event.space_id, isouter=True)
                         .join(EventRegistration, mine_on, isouter=True).where(Event.id == event_id)).first()
    # A draft looks exactly like an event that does not exist, except to staff.
    if found is None or (found[0].status == rules.DRAFT and not may_manage_events(actor)):
        session.rollback()
        raise NotFound("events.error.not_found")
    event, space, mine, ahead_count = found
    now = utcnow()
    tz = get_settings().timezone
    is_open = rules.registration_open(status=event.status, starts_at=event.starts_at, now=now)
    seated = mine is not None and mine.status == rules.REGISTERED
    title = title_of(event, locale)
    view = EventView(
        id=event.id, title=title, description_html=description_html(event, locale),
        starts_text=when_text(event, locale), ends_text=format_datetime(event.ends_at, locale, tz),
        place_text=place_text(event, space, locale), photo_url=photo_url(event),
        seats_left=seats.seats_left(event.capacity, event.registered_count), capacity=event.capacity,
        waitlisted=event.waitlist_count, audience=event.audience, status=event.status,
        cancel_reason=event.cancel_reason if event.status == rules.CANCELLED else "",
        online=event.place == rules.ONLINE, online_url=event.online_url if seated else "",
        registration_open=is_open, may_register=is_open and may_use_hub(actor) and mine is None,
        guests_welcome=is_open and event.audience == rules.EVERYONE,
        sign_in_to_register=is_open and actor is None and event.audience == rules.MEMBERS_ONLY,
        my_registration=my_registration(event, mine, (ahead_count or 0) + 1, now),
        og_title=title, og_description=_plain(pick(event.description_id, event.description_en, locale)),
        og_image_url=absolute(f"/media/events/{og_image_name(event.photo)}") if event.photo else "",
        og_url=absolute(f"/events/{event.id}"))
    session.rollback()
    return view


def og_image_name(photo: str) -> str:
    """Link previews get the JPEG copy of the photo (not every app shows WebP)."""
    return photo.rsplit(".", 1)[0] + ".jpg" if photo else ""


@dataclass
class MyEventRow:
    registration_id: int
    event_id: int
    title: str
    starts_text: str
    place_text: str
    status: str  # unconfirmed | registered | waitlisted | cancelled
    status_text: str
    event_cancelled: bool
    past: bool
    as_guest: bool  # registered as a guest, before the account existed (or without signing in)
    ticket_code: str
    ics_url: str
    checked_in: bool
    can_cancel: bool


def my_events(actor: Actor | None, *, session: Session, locale: object = "id") -> list[MyEventRow]:
    """The member's registrations, coming ones first (soonest first), then past ones (latest
    first). Registrations made as a guest with the member's email count as theirs once that email
    is verified on the account (until the guest data is erased, EVENT_GUEST_RETENTION_DAYS after
    the event)."""
    if actor is None:
        return []
    locale = normalize_locale(locale)
    user = session.get(User, actor.user_id)
    if user is None:
        return []
    owner = EventRegistration.user_id == user.id
    if user.email_verified_at is not None and user.email_normalized:
        owner = or_(owner, and_(col(EventRegistration.user_id).is_(None),
                                EventRegistration.guest_email == user.email_normalized.lower()))
    found = session.exec(select(EventRegistration, Event).join(Event, col(Event.id) == EventRegistration.event_id)
                         .where(owner, Event.status != rules.DRAFT)
                         .order_by(col(Event.starts_at).desc(), col(EventRegistration.id).desc())
                         .limit(MY_EVENTS_LIMIT)).all()
    spaces = _spaces(session, [event for _, event in found])
    now = utcnow()
    rows = []
    for registration, event in found:
        seated = registration.status == rules.REGISTERED
        rows.append(MyEventRow(
            registration_id=registration.id, event_id=event.id, title=title_of(event, locale),
            starts_text=when_text(event, locale), place_text=place_text(event, spaces.get(event.space_id), locale),
            status=registration.status, status_text=translate(f"events.status.{registration.status}", locale),
            event_cancelled=event.status == rules.CANCELLED, past=event.ends_at <= now,
            as_guest=registration.user_id is None, ticket_code=rules.ticket_label(registration.ticket_code),
            ics_url=ics_path(registration.ticket_code) if seated and event.status == rules.PUBLISHED else "",
            checked_in=registration.checked_in_at is not None,
            can_cancel=registration.user_id is not None and registration.status in rules.LIVE
            and event.status == rules.PUBLISHED and now < event.starts_at))
    session.rollback()
    upcoming = [row for row in rows if not row.past]
    return list(reversed(upcoming)) + [row for row in rows if row.past]


def registration_ics(*, session: Session, ticket_code: object, token: object) -> bytes | None:
    """The .ics of one registration with a seat, for the link in its mails and on the page: the
    ticket code and a keyed hash of it (common.ics_token), so only the registrant has the address.
    None when the pair does not match, or the registration holds no seat."""
    if not isinstance(ticket_code, str) or not isinstance(token, str) or len(token) != 32:
        return None
    try:
        code = rules.normalise_ticket(ticket_code)
    except InvalidInput:
        return None
    if not hmac.compare_digest(ics_token(code), token):
        return None
    found = session.exec(select(EventRegistration, Event).join(Event, col(Event.id) == EventRegistration.event_id)
                         .where(EventRegistration.ticket_code == code)).first()
    if found is None:
        return None
    registration, event = found
    if registration.status != rules.REGISTERED or event.status != rules.PUBLISHED:
        return None
    locale = normalize_locale(registration.locale)
    if registration.user_id is not None:
        user = session.get(User, registration.user_id)
        locale = normalize_locale(user.locale if user else locale)
    space = session.get(Space, event.space_id) if event.space_id else None
    base = get_settings().public_base_url.rstrip("/")
    location = (event.online_url if event.place == rules.ONLINE
                else f"Jakarta Future City Hub, JB Tower lt. 23 · {place_text(event, space, locale)}")
    description = translate("events.ics.description", locale, ticket=rules.ticket_label(registration.ticket_code))
    session.rollback()
    return calendar_feed.to_ical([calendar_feed.FeedEvent(
        uid=f"event-{event.id}-{registration.id}@jfch", title=title_of(event, locale), starts_at=event.starts_at,
        ends_at=event.ends_at, location=location, description=description, url=f"{base}/events/{event.id}")])
