"""Arranging events for the service tests: straight into the tables (for times the service would
refuse, such as an event that is on now or over), or through the staff service; reading the
guests' links out of the outbox, as a guest reads them in the mail."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from hub_app.domain import events as rules
from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.models import EmailOutbox, Event, EventRegistration, User
from hub_app.models.base import utcnow
from tests.accounts.factories import actor_of
from tests.transactions import end_read

WIB = ZoneInfo("Asia/Jakarta")
_counter = iter(range(1, 10**9))
_LINK = re.compile(r"/events/(confirm|cancel)/([A-Za-z0-9_\-]{20,100})")


def members(session: Session, count: int, *, prefix: str = "m", locale: str = "id") -> list:
    """`count` active members (actors) with verified emails, written in one go."""
    users = []
    for _ in range(count):
        number = next(_counter)
        email = f"{prefix}{number}@events.example"
        user = User(email=email, email_normalized=email, name=f"Anggota {number:04d}", password_hash="x",
                    status="active", email_verified_at=utcnow(), locale=locale)
        session.add(user)
        users.append(user)
    session.commit()
    return [actor_of(user) for user in users]


def make_event(session: Session, *, capacity: int = 20, starts_in: timedelta = timedelta(days=3),
               hours: int = 2, status: str = rules.PUBLISHED, audience: str = rules.EVERYONE,
               place: str = rules.ONLINE, online_url: str = "https://meet.example/demo-day",
               space_id: int | None = None,
               title_id: str = "Temu Startup Jakarta–Berlin", title_en: str = "Jakarta–Berlin startup meetup",
               description_id: str = "Kenalan dengan **mitra Berlin**.", description_en: str = "") -> int:
    """An event written straight to the table (online unless a space is given: no reservation);
    returns its id (the services' rollbacks expire the rows a test holds)."""
    start = utcnow() + starts_in
    event = Event(title_id=title_id, title_en=title_en, description_id=description_id, description_en=description_en,
                  starts_at=start, ends_at=start + timedelta(hours=hours), place=place, space_id=space_id,
                  online_url=online_url if place == rules.ONLINE else "", capacity=capacity, audience=audience,
                  status=status)
    session.add(event)
    session.commit()
    return event.id


def local_input(moment: datetime) -> str:
    """How the staff form sends a time: local to the hub, to the minute."""
    return moment.astimezone(WIB).strftime("%Y-%m-%dT%H:%M")


def event_form(start: datetime, *, hours: int = 2, **values) -> dict:
    form = {"title_id": "Hari Demo UMKM Digital", "title_en": "Digital SME demo day",
            "description_id": "Pameran produk **UMKM**.", "description_en": "", "starts_at": local_input(start),
            "ends_at": local_input(start + timedelta(hours=hours)), "place": "online",
            "online_url": "https://meet.example/demo", "capacity": "40", "audience": "everyone"}
    form.update(values)
    return form


def reload(session: Session, event_id: int) -> Event:
    session.expire_all()
    fresh = session.get(Event, event_id)
    end_read(session)
    return fresh


def registrations(session: Session, event_id: int) -> list[EventRegistration]:
    session.expire_all()
    rows = list(session.exec(select(EventRegistration).where(EventRegistration.event_id == event_id)
                             .order_by(col(EventRegistration.id))).all())
    end_read(session)
    return rows


def links_for(session: Session, email: str) -> tuple[str, str]:
    """The newest (confirm, cancel) tokens mailed to `email` (confirm is "" in a mail without one)."""
    session.expire_all()
    mails = session.exec(select(EmailOutbox).where(EmailOutbox.to_address == email)
                         .order_by(col(EmailOutbox.id).desc())).all()
    end_read(session)
    for mail in mails:
        found = dict(_LINK.findall(mail.body_text))
        if "cancel" in found:
            return found.get("confirm", ""), found["cancel"]
    raise AssertionError(f"no event mail to {email}")


def mails_to(session: Session, email: str) -> list[EmailOutbox]:
    session.expire_all()
    rows = list(session.exec(select(EmailOutbox).where(EmailOutbox.to_address == email)
                             .order_by(col(EmailOutbox.id))).all())
    end_read(session)
    return rows


def error_key(call, session: Session | None = None) -> str:
    """The catalogue key of the refusal `call()` raises; like the app (a fresh session per call),
    whatever the refused call left uncommitted is rolled back."""
    try:
        call()
    except (Conflict, InvalidInput, NotAllowed, NotFound) as error:
        if session is not None:
            session.rollback()
        return error.key
    raise AssertionError("no refusal raised")


def moment(day_offset: int, hour: int) -> datetime:
    """A local hub time `day_offset` days ahead at `hour`, in UTC."""
    day = datetime.now(UTC).astimezone(WIB).date() + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, tzinfo=WIB).astimezone(UTC)
