"""A small hub with known answers for the export tests, written straight into the tables. The
period is November 2026 in WIB: [31 Oct 17.00 UTC, 30 Nov 17.00 UTC). Names, businesses and titles
hold cells a spreadsheet would run (= + - @ and the full-width ＝)."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlmodel import Session

from hub_app.models import (
    Attendance,
    Booking,
    Closure,
    Enrolment,
    OpeningHours,
    Space,
    Training,
    TrainingSession,
    User,
)

WIB = ZoneInfo("Asia/Jakarta")
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
HYPERLINK = '=HYPERLINK("http://x.example","klik")'


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB).astimezone(UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """What a time cell holds: the WIB wall-clock time, without a zone."""
    return datetime(day.year, day.month, day.day, hour, minute)


@dataclass
class Hub:
    staff: int
    admin: int
    rina: int
    andi: int
    maya: int
    dewi: int
    meeting_room: int
    desk: int
    bookings: dict[str, int]


def _user(session: Session, email: str, name: str, created: datetime, **fields) -> int:
    user = User(email=email, email_normalized=email, name=name, password_hash="x", created_at=created,
                email_verified_at=created, consent_at=created, consent_version="2026-11",
                **{"role": "member", "status": "active"} | fields)
    session.add(user)
    session.flush()
    return user.id


def _booking(session: Session, space: int, user: int | None, start: datetime, end: datetime, **fields) -> int:
    row = Booking(space_id=space, user_id=user, starts_at=start, ends_at=end, **fields)
    session.add(row)
    session.flush()
    return row.id


def arrange(engine) -> Hub:
    with Session(engine, expire_on_commit=False) as session:
        staff = _user(session, "sari@hub.example", "Sari Staf", wib(date(2026, 1, 5), 9), role="staff")
        admin = _user(session, "admin@hub.example", "Adi Admin", wib(date(2026, 1, 5), 9), role="admin",
                      locale="en")
        rina = _user(session, "rina@umkm.example", "Rina Kusuma", wib(date(2026, 3, 1), 10), business_name=HYPERLINK,
                     sector="culinary", stage="growth", show_email=True)
        # Joined at 06.00 WIB on 1 November, which is still 31 October in UTC.
        andi = _user(session, "andi@startup.example", "+1 Andi", wib(FIRST, 6), business_name="-2 Startup",
                     sector="technology", stage="early")
        maya = _user(session, "maya@tech.example", "＝1 Maya", wib(date(2026, 6, 1), 8), business_name="@x Studio",
                     show_in_directory=False, show_email=True)
        dewi = _user(session, "dewi@craft.example", "Dewi Lestari", wib(date(2026, 5, 1), 8), status="suspended",
                     sector="craft")
        _user(session, "deleted-7@invalid", "Anggota terhapus", wib(date(2026, 2, 1), 8), status="deleted")
        _user(session, "late@umkm.example", "Baru Desember", wib(date(2026, 12, 1), 0))

        # Open Monday to Friday 08.00-17.00; the whole hub closed on Friday 20 November.
        session.add_all(OpeningHours(weekday=day, opens_minute=8 * 60, closes_minute=17 * 60) for day in range(5))
        session.add(Closure(kind="holiday", reason_id="Tutup", starts_at=wib(date(2026, 11, 20), 0),
                            ends_at=wib(date(2026, 11, 21), 0)))
        room = Space(kind="meeting_room", name_id="Ruang Rapat Merdeka", name_en="Merdeka Meeting Room", capacity=8)
        desk = Space(kind="desk_area", name_id="Area Meja Bersama", name_en="", capacity=20)
        session.add_all([room, desk])
        session.flush()
        nov = lambda day: date(2026, 11, day)  # noqa: E731
        bookings = {
            "b1": _booking(session, room.id, rina, wib(nov(2), 9), wib(nov(2), 11), seats=4, title=HYPERLINK,
                           checked_in_at=wib(nov(2), 9, 5)),
            "b2": _booking(session, desk.id, andi, wib(FIRST, 0), wib(FIRST, 1), exclusive=False, title="+1"),
            # Across midnight and the end of the period: it starts in November, so it is in.
            "b3": _booking(session, room.id, andi, wib(LAST, 23), wib(date(2026, 12, 1), 1), title="-2"),
            "b4": _booking(session, desk.id, rina, wib(date(2026, 12, 1), 0), wib(date(2026, 12, 1), 1),
                           exclusive=False, title="Desember"),
            "b5": _booking(session, desk.id, rina, wib(date(2026, 10, 31), 23), wib(FIRST, 1), exclusive=False,
                           title="Oktober"),
            "b6": _booking(session, desk.id, maya, wib(nov(10), 13), wib(nov(10), 15), exclusive=False,
                           status="cancelled", title="@x"),
            "b7": _booking(session, desk.id, rina, wib(nov(11), 9), wib(nov(11), 10), exclusive=False,
                           status="released", no_show=True, title="＝1"),
            "b8": _booking(session, room.id, None, wib(nov(20), 8), wib(nov(20), 17), kind="block",
                           title="Perawatan AC", title_en="Air conditioning repair"),
        }

        training = Training(title_id="Pemasaran Digital", title_en="Digital Marketing", topic="digital_marketing",
                            level="beginner", language="id", format="hub", capacity=10, enrolled_count=2,
                            waitlist_count=1, status="published", enrol_opens_at=wib(date(2026, 10, 1), 8),
                            enrol_closes_at=wib(nov(9), 8), cancel_until=wib(nov(9), 8),
                            starts_at=wib(nov(10), 9), ends_at=wib(nov(17), 12), session_count=2)
        october = Training(title_id="Perizinan", title_en="Permits", topic="permits", level="beginner",
                           language="id", format="online", capacity=10, status="published",
                           enrol_opens_at=wib(date(2026, 9, 1), 8), enrol_closes_at=wib(date(2026, 10, 20), 8),
                           cancel_until=wib(date(2026, 10, 20), 8), starts_at=wib(date(2026, 10, 20), 9),
                           ends_at=wib(date(2026, 10, 20), 12), session_count=1)
        session.add_all([training, october])
        session.flush()
        first = TrainingSession(training_id=training.id, start_at=wib(nov(10), 9), end_at=wib(nov(10), 12),
                                space_id=room.id, check_in_code="a" * 32)
        second = TrainingSession(training_id=training.id, start_at=wib(nov(17), 9), end_at=wib(nov(17), 12),
                                 space_id=room.id, check_in_code="b" * 32)
        earlier = TrainingSession(training_id=october.id, start_at=wib(date(2026, 10, 20), 9),
                                  end_at=wib(date(2026, 10, 20), 12), check_in_code="c" * 32)
        session.add_all([first, second, earlier])
        session.flush()
        signed_up = wib(date(2026, 11, 3), 8)
        session.add_all([
            Enrolment(training_id=training.id, user_id=rina, status="enrolled", created_at=signed_up,
                      enrolled_at=signed_up, completed_at=wib(nov(17), 12), rating=5),
            Enrolment(training_id=training.id, user_id=andi, status="enrolled", created_at=signed_up,
                      enrolled_at=signed_up + timedelta(minutes=30)),
            Enrolment(training_id=training.id, user_id=maya, status="waitlisted", queue_number=1,
                      created_at=signed_up),
            Enrolment(training_id=training.id, user_id=dewi, status="withdrawn", created_at=signed_up,
                      enrolled_at=signed_up),
            Enrolment(training_id=october.id, user_id=rina, status="enrolled", created_at=signed_up,
                      enrolled_at=signed_up),
            Attendance(session_id=first.id, user_id=rina, method="staff", created_at=wib(nov(10), 9, 10)),
            Attendance(session_id=first.id, user_id=andi, method="qr", created_at=wib(nov(10), 9, 2)),
            Attendance(session_id=first.id, user_id=dewi, method="staff", created_at=wib(nov(10), 9, 20)),
            Attendance(session_id=second.id, user_id=rina, method="qr", created_at=wib(nov(17), 9, 1)),
            Attendance(session_id=earlier.id, user_id=rina, method="qr", created_at=wib(date(2026, 10, 20), 9)),
        ])
        session.commit()
        return Hub(staff=staff, admin=admin, rina=rina, andi=andi, maya=maya, dewi=dewi, meeting_room=room.id,
                   desk=desk.id, bookings=bookings)


# --- reading the files back ---------------------------------------------------------------------

def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def read_xlsx(body: bytes) -> list[list[object]]:
    """The sheet's values; a date column's cells (format yyyy-mm-dd) as dates."""
    sheet = load_workbook(io.BytesIO(body)).active
    return [[cell.value.date() if cell.is_date and cell.number_format == "yyyy-mm-dd" else cell.value
             for cell in row] for row in sheet.iter_rows()]


def as_csv(rows: list[list[object]]) -> list[list[str]]:
    """What the CSV file holds for rows of cell values (times as 'YYYY-MM-DD HH:MM', WIB)."""
    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float):
            return f"{value:.1f}"
        return str(value)

    return [[text(value) for value in row] for row in rows]
