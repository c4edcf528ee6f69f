"""A member's personal calendar feed (iCalendar): a secret URL that Google Calendar or a phone
calendar subscribes to. Only the SHA-256 of the token is stored; regenerating replaces it and
revoking deletes it, so an old URL stops working at once.

Other features add their events with `register_source(fn)`, fn(session, user_id) -> list[FeedEvent]
(trainings add the sessions a member is enrolled in)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain.bookings import CONFIRMED, HOLDING, PENDING
from hub_app.domain.errors import NotAllowed
from hub_app.domain.permissions import Actor
from hub_app.domain.validation import identifier
from hub_app.i18n import pick
from hub_app.models import Booking, CalendarFeed, Space, User
from hub_app.models.base import utcnow
from hub_app.services.security import new_token
from hub_app.settings import get_settings

FEED_PAST = timedelta(days=60)
FEED_LIMIT = 500


@dataclass(frozen=True)
class FeedEvent:
    uid: str  # stable across feed refreshes, e.g. "booking-12@jfch"
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    description: str = ""
    url: str = ""
    tentative: bool = False


_SOURCES: list[Callable[[Session, int], list[FeedEvent]]] = []


def register_source(fn: Callable[[Session, int], list[FeedEvent]]) -> None:
    """Adds fn(session, user_id) -> list[FeedEvent] to every member's feed."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/api/calendar/{token}.ics"


@dataclass
class FeedStatus:
    active: bool
    url: str  # shown once, right after (re)generating; "" otherwise


def feed_status(actor: Actor | None, *, session: Session) -> FeedStatus:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    exists = session.exec(select(CalendarFeed.id).where(CalendarFeed.user_id == actor.user_id)).first()
    return FeedStatus(active=exists is not None, url="")


def regenerate_feed(actor: Actor | None, *, session: Session) -> FeedStatus:
    """A new secret URL; any previous one stops working."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    token = new_token()
    begin_write(session)
    session.exec(delete(CalendarFeed).where(col(CalendarFeed.user_id) == actor.user_id))
    session.add(CalendarFeed(user_id=actor.user_id, token_hash=_hash(token)))
    session.commit()
    return FeedStatus(active=True, url=feed_url(token))


def revoke_feed(actor: Actor | None, *, session: Session) -> FeedStatus:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    begin_write(session)
    session.exec(delete(CalendarFeed).where(col(CalendarFeed.user_id) == actor.user_id))
    session.commit()
    return FeedStatus(active=False, url="")


def _booking_events(session: Session, user_id: int) -> list[FeedEvent]:
    user = session.get(User, user_id)
    locale = user.locale if user else "id"
    rows = session.exec(select(Booking, Space).join(Space, col(Space.id) == Booking.space_id).where(
        Booking.user_id == user_id, col(Booking.status).in_(HOLDING),
        col(Booking.ends_at) > utcnow() - FEED_PAST).order_by(col(Booking.starts_at)).limit(FEED_LIMIT)).all()
    base = get_settings().public_base_url.rstrip("/")
    return [FeedEvent(uid=f"booking-{booking.id}@jfch",
                      title=f"{booking.title} · {pick(space.name_id, space.name_en, locale)}",
                      starts_at=booking.starts_at, ends_at=booking.ends_at,
                      location=f"Jakarta Future City Hub, JB Tower lt. 23 · {space.location}".rstrip(" ·"),
                      description=booking.note, url=f"{base}/bookings", tentative=booking.status == PENDING)
            for booking, space in rows]


def to_ical(events: list[FeedEvent], name: str = "Jakarta Future City Hub") -> bytes:
    """Events as an iCalendar file (the personal feed, a booking, a training's sessions)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Jakarta Future City Hub//portal//ID")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", get_settings().timezone)
    stamp = utcnow()
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at)
        event.add("summary", item.title)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        event.add("status", "TENTATIVE" if item.tentative else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def feed_for_token(*, session: Session, token: str) -> bytes | None:
    """The feed for a secret token, or None when the token is unknown or revoked."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token))).first()
    if feed is None:
        return None
    user = session.get(User, feed.user_id)
    if user is None or user.status == "deleted":
        return None
    events = _booking_events(session, user.id)
    for source in _SOURCES:
        events.extend(source(session, user.id))
    return to_ical(events)


def booking_ics(actor: Actor | None, *, session: Session, booking_id: object) -> bytes | None:
    """One of the actor's bookings as an .ics file ("add to my calendar"), or None."""
    if actor is None:
        return None
    booking = session.get(Booking, identifier(booking_id, field="booking_id"))
    if booking is None or booking.user_id != actor.user_id or booking.status not in (PENDING, CONFIRMED):
        return None
    events = [event for event in _booking_events(session, actor.user_id) if event.uid == f"booking-{booking.id}@jfch"]
    return to_ical(events) if events else None


def erase_feed(session: Session, user_id: int) -> None:
    session.exec(delete(CalendarFeed).where(col(CalendarFeed.user_id) == user_id))
