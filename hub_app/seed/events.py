"""Demo events: a Jakarta–Berlin meetup and a demo day in the event hall (reserved through the
booking service, like training sessions), an online export clinic for members that is full with a
waitlist, a draft, one that starts soon (for the door), and one held three weeks ago with guests
and check-ins (for the insights and "my events"). Runs after the booking and training seeds
(FEATURE_SEEDS order), through the events services where they allow it. Idempotent: it does
nothing once an event exists."""

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from hub_app.domain import events as rules
from hub_app.domain.errors import HubError
from hub_app.domain.permissions import Actor
from hub_app.models import Event, EventRegistration, Space, User
from hub_app.models.base import utcnow
from hub_app.services import events
from hub_app.services.bookings import hub_tz
from hub_app.services.trainings import local_input

HALL = "Aula Jakarta–Berlin"
MEMBERS = ("rina@umkm.example", "andi@startup.example", "maya@tech.example")
# Guests of the past event: they came without an account (their data is erased 30 days after it).
PAST_GUESTS = [("Yusuf Hidayat", "yusuf@warung.example", "Warung Yusuf"),
               ("Claudia Becker", "claudia@berlin-partner.example", "Berlin Partner für Wirtschaft"),
               ("Nia Ramadhani", "nia@kriya.example", "Kriya Nia")]

DEMO = [
    # key, days ahead, local start hour, hours, place, capacity, audience, titles, descriptions
    ("meetup", 5, 18, 2.5, "space", 80, rules.EVERYONE,
     ("Temu Startup Jakarta–Berlin", "Jakarta–Berlin startup meetup"),
     ("Malam jejaring bersama mitra dari **Berlin**: tiga pendiri berbagi cerita, lalu ngobrol santai. "
      "Anggota boleh membawa tamu.",
      "A networking evening with partners from **Berlin**: three founders share their story, then informal "
      "talks. Members may bring guests.")),
    ("demo_day", 12, 13, 4, "space", 60, rules.EVERYONE,
     ("Hari Demo UMKM Digital", "Digital SME demo day"),
     ("Dua belas UMKM binaan hub memamerkan produk digital mereka kepada pembeli, investor dan media.",
      "Twelve of the hub's small businesses show their digital products to buyers, investors and the press.")),
    ("export_clinic", 8, 10, 1.5, "online", 3, rules.MEMBERS_ONLY,
     ("Klinik Ekspor ke Uni Eropa", "Export clinic: selling to the EU"),
     ("Konsultasi kelompok kecil daring bersama mentor ekspor dari Berlin. Khusus anggota.",
      "A small online group consultation with an export mentor from Berlin. Members only.")),
    ("draft", 20, 15, 2, "online", 40, rules.EVERYONE,
     ("Lokakarya Foto Produk (draf)", "Product photo workshop (draft)"), ("", "")),
]


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role, status=user.status, name=user.name, locale=user.locale)


def _start(day: date, hour: float) -> datetime:
    whole = int(hour)
    return datetime.combine(day, time(whole, int((hour - whole) * 60)), tzinfo=hub_tz())


def _form(start: datetime, hours: float, place: str, hall: Space | None, capacity: int, audience: str,
          titles: tuple[str, str], texts: tuple[str, str]) -> dict:
    return {"title_id": titles[0], "title_en": titles[1], "description_id": texts[0], "description_en": texts[1],
            "starts_at": local_input(start), "ends_at": local_input(start + timedelta(hours=hours)), "place": place,
            "space_id": str(hall.id) if hall and place == "space" else "",
            "online_url": "https://meet.jfch.example/klinik-ekspor" if place == "online" else "",
            "capacity": str(capacity), "audience": audience}


def _create(session: Session, staff: Actor, form: dict) -> int | None:
    """The event through the staff service; on a clash with a booking, a day later (up to a week)."""
    for shift in range(7):
        moved = dict(form)
        for name in ("starts_at", "ends_at"):
            moved[name] = local_input(datetime.fromisoformat(form[name]).replace(tzinfo=hub_tz())
                                      + timedelta(days=shift))
        try:
            session.commit()
            return events.create_event(staff, session=session, form=moved)
        except HubError:
            session.rollback()
    return None


def _past_event(session: Session, hall: Space | None, members: list[User], today: date) -> None:
    """Held three weeks ago (written straight to the tables: the services refuse the past)."""
    start = _start(today - timedelta(days=21), 18)
    event = Event(title_id="Malam Cerita Pendiri", title_en="Founders' story night",
                  description_id="Tiga pendiri UMKM bercerita tentang tahun pertama mereka.",
                  description_en="Three founders tell the story of their first year.", starts_at=start,
                  ends_at=start + timedelta(hours=2), place="online" if hall is None else "space",
                  space_id=None, online_url="https://meet.jfch.example/cerita" if hall is None else "",
                  capacity=50, audience=rules.EVERYONE, status=rules.PUBLISHED,
                  registered_count=len(members) + len(PAST_GUESTS))
    session.add(event)
    session.flush()
    for index, user in enumerate(members):
        session.add(EventRegistration(event_id=event.id, user_id=user.id, locale=user.locale,
                                      status=rules.REGISTERED, ticket_code=rules.new_ticket_code(),
                                      confirmed_at=start - timedelta(days=5), reminded_at=start - timedelta(hours=20),
                                      checked_in_at=start + timedelta(minutes=5) if index < 2 else None))
    for index, (name, email, organisation) in enumerate(PAST_GUESTS):
        session.add(EventRegistration(event_id=event.id, guest_name=name, guest_email=email,
                                      guest_organisation=organisation, locale="id", status=rules.REGISTERED,
                                      ticket_code=rules.new_ticket_code(), confirmed_at=start - timedelta(days=3),
                                      checked_in_at=start + timedelta(minutes=10) if index < 2 else None,
                                      walk_in=index == 2))
    session.commit()


def seed(session: Session) -> None:
    if session.exec(select(Event.id)).first() is not None:
        return
    users = {user.email_normalized: user for user in session.exec(select(User)).all()}
    staff_user = users.get("staf@jfch.example")
    if staff_user is None:
        return
    staff = _actor(staff_user)
    hall = session.exec(select(Space).where(Space.name_id == HALL)).first()
    members = [users[email] for email in MEMBERS if email in users]
    today = utcnow().astimezone(hub_tz()).date()
    made: dict[str, int] = {}
    for key, days, hour, hours, place, capacity, audience, titles, texts in DEMO:
        start = _start(today + timedelta(days=days), hour)
        event_id = _create(session, staff, _form(start, hours, place, hall, capacity, audience, titles, texts))
        if event_id is None:
            continue
        made[key] = event_id
        if key != "draft":
            events.publish_event(staff, session=session, event_id=event_id)
    # Soon: starts in an hour (online, so it clashes with nothing), for trying the door.
    soon = utcnow().astimezone(hub_tz()).replace(second=0, microsecond=0) + timedelta(hours=1)
    soon_id = _create(session, staff, _form(soon, 2, "online", None, 30, rules.EVERYONE,
                                            ("Kopi Pagi Komunitas", "Community morning coffee"),
                                            ("Ngopi bareng sesama anggota dan tamu.",
                                             "Coffee with fellow members and guests.")))
    if soon_id is not None:
        events.publish_event(staff, session=session, event_id=soon_id)
        made["soon"] = soon_id
    for key in ("meetup", "export_clinic", "soon"):
        for user in members:
            if key in made:
                events.register_member(_actor(user), session=session, event_id=made[key])
    if "export_clinic" in made:  # full: the staff member joins the waitlist
        events.register_member(staff, session=session, event_id=made["export_clinic"])
    session.commit()
    _past_event(session, hall, members, today)
