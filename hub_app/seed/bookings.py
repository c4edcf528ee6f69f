"""Demo floor of the hub (JB Tower, 23rd floor): meeting rooms, a coworking desk area, communal
rooms and the event hall; the hub's opening hours; Indonesia's public holidays for this year and
next (from the `holidays` package); and a few bookings so the calendar is not empty. Idempotent."""

from datetime import timedelta

from sqlmodel import Session, select

from hub_app.domain.bookings import is_room
from hub_app.domain.opening_hours import DEFAULT_HOURS
from hub_app.models import Booking, OpeningHours, Space, User
from hub_app.models.base import utcnow
from hub_app.services.bookings import hub_tz, parse_moment
from hub_app.services.spaces import import_public_holidays

SPACES = [
    # kind, name_id, name_en, capacity, amenities, (location in Indonesian, in English), rules, description_id,
    # description_en
    ("desk_area", "Area Kerja Bersama", "Coworking Desk Area", 40,
     ["wifi", "power_outlets", "locker", "pantry", "wheelchair_access"],
     ("Lantai 23, sisi barat", "23rd floor, west side"),
     {"max_minutes": 600, "advance_days": 14},
     "Meja kerja bersama dengan pemandangan Jalan Sudirman. Pesan kursi per setengah jam.",
     "Shared desks overlooking Jalan Sudirman. Book a seat by the half hour."),
    ("meeting_room", "Ruang Rapat Monas", "Monas Meeting Room", 6, ["screen", "whiteboard", "video_call", "wifi"],
     ("Lantai 23, R. 2301", "23rd floor, room 2301"),
     {}, "Ruang rapat kecil untuk diskusi tim dan panggilan video dengan mitra.",
     "A small room for team discussions and video calls with partners."),
    ("meeting_room", "Ruang Rapat Ancol", "Ancol Meeting Room", 8, ["screen", "whiteboard", "wifi"],
     ("Lantai 23, R. 2302", "23rd floor, room 2302"),
     {}, "Ruang rapat dengan layar besar untuk presentasi ke investor.",
     "A meeting room with a large screen for investor pitches."),
    ("meeting_room", "Ruang Rapat Kota Tua", "Old Town Meeting Room", 4, ["whiteboard", "wifi"],
     ("Lantai 23, R. 2303", "23rd floor, room 2303"), {"max_minutes": 120}, "Ruang kecil untuk mentoring empat mata.",
     "A small room for one-to-one mentoring."),
    ("meeting_room", "Ruang Berlin", "Berlin Room", 12, ["screen", "projector", "video_call", "whiteboard", "wifi"],
     ("Lantai 23, R. 2305", "23rd floor, room 2305"), {"needs_approval": True},
     "Ruang rapat besar hasil kerja sama dengan Berlin, untuk lokakarya dan rapat mitra. Perlu persetujuan staf.",
     "The large meeting room from the Berlin partnership, for workshops and partner meetings. Needs staff approval."),
    ("communal_room", "Ruang Komunal Nusantara", "Nusantara Communal Room", 20, ["screen", "pantry", "wifi"],
     ("Lantai 23, sisi timur", "23rd floor, east side"), {},
     "Ruang santai untuk berjejaring, berbagi pengalaman dan bertukar ide sesama pelaku usaha.",
     "A relaxed room for networking, sharing experience and exchanging ideas with other founders."),
    ("communal_room", "Ruang Kreatif Betawi", "Betawi Creative Room", 10, ["whiteboard", "wifi"],
     ("Lantai 23, dekat pantri", "23rd floor, by the pantry"),
     {}, "Ruang untuk sesi curah gagasan dan pemotretan produk sederhana.",
     "A room for brainstorming and simple product photo shoots."),
    ("event_hall", "Aula Jakarta–Berlin", "Jakarta–Berlin Event Hall", 80,
     ["projector", "sound_system", "screen", "video_call", "wifi", "wheelchair_access"],
     ("Lantai 23, aula utama", "23rd floor, main hall"),
     {"needs_approval": True, "slot_minutes": 60, "min_minutes": 60, "max_minutes": 600, "advance_days": 90},
     "Aula acara untuk peluncuran produk, pelatihan besar dan demo day. Perlu persetujuan staf.",
     "The event hall for product launches, large trainings and demo days. Needs staff approval."),
]

DEMO_BOOKINGS = [
    # member email, space name, days ahead, start hour, hours, title, seats
    ("rina@umkm.example", "Ruang Rapat Monas", 1, 14, 1, "Rapat dengan fotografer produk", 3),
    ("andi@startup.example", "Ruang Rapat Ancol", 1, 10, 2, "Pitching ke investor awal", 5),
    ("maya@tech.example", "Area Kerja Bersama", 1, 9, 4, "Kerja", 1),
    ("andi@startup.example", "Area Kerja Bersama", 2, 9, 8, "Kerja", 2),
    ("maya@tech.example", "Ruang Komunal Nusantara", 3, 15, 2, "Meetup developer UMKM", 12),
]


def seed(session: Session) -> None:
    if session.exec(select(OpeningHours)).first() is None:
        for weekday in range(7):
            opens, closes = DEFAULT_HOURS.get(weekday, (0, 0))
            session.add(OpeningHours(weekday=weekday, opens_minute=opens, closes_minute=closes))
    by_name = {space.name_id: space for space in session.exec(select(Space)).all()}
    for kind, name_id, name_en, capacity, amenities, location, rules, description_id, description_en in SPACES:
        if name_id in by_name:
            if not by_name[name_id].location_en:  # seeded before spaces had an English location
                by_name[name_id].location_en = location[1]
                session.add(by_name[name_id])
            continue
        space = Space(kind=kind, name_id=name_id, name_en=name_en, capacity=capacity, amenities=amenities,
                      location=location[0], location_en=location[1], description_id=description_id,
                      description_en=description_en, **rules)
        session.add(space)
        by_name[name_id] = space
    session.commit()
    today = utcnow().astimezone(hub_tz()).date()
    import_public_holidays(session, [today.year, today.year + 1])
    if session.exec(select(Booking.id).where(Booking.kind == "member")).first() is not None:
        return
    users = {user.email_normalized: user for user in session.exec(select(User)).all()}
    for email, space_name, days, hour, hours, title, seats in DEMO_BOOKINGS:
        user, space = users.get(email), by_name.get(space_name)
        day = today + timedelta(days=days)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        if user is None or space is None:
            continue
        start = parse_moment(f"{day.isoformat()}T{hour:02d}:00", field="start")
        session.add(Booking(space_id=space.id, user_id=user.id, kind="member", status="confirmed",
                            exclusive=is_room(space.kind), starts_at=start, ends_at=start + timedelta(hours=hours),
                            seats=seats, title=title, created_by=user.id))
    session.commit()
