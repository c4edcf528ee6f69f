"""Internals shared by the events services: permissions, the event's lock, texts in a locale,
tickets (code, QR, .ics link) and the mails."""

import hashlib
import hmac
from datetime import datetime
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hub_app.domain import events as rules
from hub_app.domain.errors import NotAllowed, NotFound
from hub_app.domain.permissions import Actor
from hub_app.i18n import (
    fallback_marker,
    format_date,
    format_datetime,
    format_time,
    normalize_locale,
    pick,
    pick_marked,
    translate,
    zone_label,
)
from hub_app.models import Event, EventRegistration, Space, User
from hub_app.services import notifications
from hub_app.services.spaces import space_name
from hub_app.services.trainings import render_markdown
from hub_app.settings import get_settings


def may_manage_events(actor: Actor | None) -> bool:
    return actor is not None and actor.is_staff and actor.is_active


def require_staff(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not may_manage_events(actor):
        raise NotAllowed("events.error.staff_only")
    return actor


def lock_event(session: Session, event_id: int) -> Event:
    """The event row, locked for the rest of the transaction (FOR UPDATE on PostgreSQL; on SQLite
    the caller's BEGIN IMMEDIATE already holds the write lock). Read fresh, never from the
    session's identity map, so the counts are the ones under the lock."""
    event = session.exec(select(Event).where(Event.id == event_id).with_for_update()
                         .execution_options(populate_existing=True)).first()
    if event is None:
        raise NotFound("events.error.not_found")
    return event


def base_url() -> str:
    return get_settings().public_base_url.rstrip("/")


def title_of(event: Event, locale: str) -> str:
    return pick_marked(event.title_id, event.title_en, locale)


def description_html(event: Event, locale: str) -> str:
    html = render_markdown(pick(event.description_id, event.description_en, locale))
    marker = fallback_marker(event.description_id, event.description_en, locale)
    return html + f'<p class="muted small">{escape(marker)}</p>' if marker else html


def when_text(event: Event, locale: str) -> str:
    """"Kamis, 3 Desember 2026, 19.00–21.00 WIB" in the hub's timezone (the end's day too when it
    is another day)."""
    return _when(event.starts_at, event.ends_at, locale, get_settings().timezone)


@lru_cache(maxsize=4096)
def _when(starts_at: datetime, ends_at: datetime, locale: str, tz: str) -> str:
    # Cached: the list and the event page show the same few events to everyone, and Babel's
    # formatting is most of what a page of cards costs.
    zone = ZoneInfo(tz)
    if starts_at.astimezone(zone).date() == ends_at.astimezone(zone).date():
        day = format_date(starts_at.astimezone(zone), locale)
        return f"{day}, {format_time(starts_at, locale, tz)}–{format_time(ends_at, locale, tz)} {zone_label(tz)}"
    return f"{format_datetime(starts_at, locale, tz)} – {format_datetime(ends_at, locale, tz)}"


@lru_cache(maxsize=4096)
def day_text(starts_at: datetime, locale: str, tz: str) -> str:
    """"3 Des" for a card's date badge."""
    return format_date(starts_at.astimezone(ZoneInfo(tz)), locale, "d MMM")


def place_text(event: Event, space: Space | None, locale: str) -> str:
    if event.place == rules.ONLINE:
        return translate("events.place.online", locale)
    return translate("events.place.hub", locale, space=space_name(space, locale) or "-")


def photo_url(event: Event) -> str:
    return f"/media/events/{event.photo}" if event.photo else ""


def absolute(path: str) -> str:
    return f"{base_url()}{path}" if path.startswith("/") else path


# --- tickets -------------------------------------------------------------------------------------

def insert_with_ticket(session: Session, registration: EventRegistration) -> EventRegistration:
    """Adds the registration with a fresh random ticket code; a code already taken (one chance in
    ~10^15 per pair) is drawn again under a savepoint, so the caller's transaction goes on."""
    for _ in range(5):
        registration.ticket_code = rules.new_ticket_code()
        try:
            with session.begin_nested():
                session.add(registration)
                session.flush()
            return registration
        except IntegrityError:
            # The partial unique indexes (one live place per person) raise here too: tell them apart.
            if session.exec(select(EventRegistration.id).where(
                    EventRegistration.ticket_code == registration.ticket_code)).first() is None:
                raise
    raise RuntimeError("no free ticket code")


def ics_token(ticket_code: str) -> str:
    """The unguessable part of a registration's .ics address: a keyed hash of its ticket code, so
    only someone who received the link (the registrant) can fetch it, and nothing is stored."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"event-ics:{ticket_code}".encode(), hashlib.sha256).hexdigest()[:32]


def ics_path(ticket_code: str) -> str:
    return f"/api/events/tickets/{ticket_code}/{ics_token(ticket_code)}.ics"


# --- mails ---------------------------------------------------------------------------------------

def registrant_locale(session: Session, registration: EventRegistration) -> str:
    if registration.user_id is not None:
        user = session.get(User, registration.user_id)
        if user is not None:
            return normalize_locale(user.locale)
    return normalize_locale(registration.locale)


def mail_params(session: Session, event: Event, registration: EventRegistration, locale: str) -> dict:
    space = session.get(Space, event.space_id) if event.space_id else None
    return {"title": title_of(event, locale), "when": when_text(event, locale),
            "place": place_text(event, space, locale), "ticket": rules.ticket_label(registration.ticket_code),
            "ics": absolute(ics_path(registration.ticket_code)), "event_url": absolute(f"/events/{event.id}"),
            "online": event.online_url if event.place == rules.ONLINE else "-"}


def tell(session: Session, event: Event, registration: EventRegistration, kind: str, *,
         extra: dict | None = None, email: bool = True) -> None:
    """Tells the registrant (notification + email for a member, email for a guest) in their
    language: kind is one of the events.mail.* messages (title + body)."""
    locale = registrant_locale(session, registration)
    params = mail_params(session, event, registration, locale) | (extra or {})
    if registration.user_id is not None:
        user = session.get(User, registration.user_id)
        if user is not None and user.status != "deleted":
            notifications.notify(session, user, f"event.{kind}", params=params, link=f"/events/{event.id}",
                                 email=email)
        return
    if registration.guest_email and email:
        notifications.queue_email(session, to_address=registration.guest_email,
                                  subject=translate(f"notify.event.{kind}.title", locale, **params),
                                  body=translate(f"notify.event.{kind}.body", locale, **params))
