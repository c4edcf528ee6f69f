"""A small hub with known figures for the programme report of October 2026 against September 2026
(both long past, so "ended" does not depend on the clock), arranged straight into the tables.

By hand, October 2026 (WIB):
- members: 3 accounts created in October (Rina, Andi, Nguyễn), 1 in September (Maya);
- Ruang Rapat Merapi (a meeting room): 3 member bookings of 2 hours (two checked in, one released
  as a no-show) and one cancelled; September: 1 booking of 1 hour, checked in. So bookings 3 and 1,
  booked hours 6 and 1, check-in rate 2/3 and 1/1, no-show rate 1/3 and 0;
- trainings: "Pemasaran digital untuk UMKM" (2 sessions, 3 enrolled, 3 + 2 = 5 attendances) and
  "Ekspor ke Eropa: Köln, Łódź, Київ" (1 session, 1 enrolled, 1 attendance): the most attended
  first; September: none;
- forum: 2 threads with their opening posts by members; September: 1.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from hub_app.models import Attendance, Enrolment, ForumThread, Space, Training, TrainingSession, User
from tests.accounts.factories import make_user
from tests.staff.helpers import booking, post, training, wib

MONTH, PREVIOUS = "2026-10", "2026-09"
OCT, SEP = date(2026, 10, 1), date(2026, 9, 1)
MARKETING = "Pemasaran digital untuk UMKM"
EXPORT = "Ekspor ke Eropa: Köln, Łódź, Київ"


@dataclass
class Hub:
    staff: User
    members: list[User]
    room: Space


def _created(session: Session, row, moment: datetime) -> None:
    row.created_at = moment
    session.add(row)
    session.commit()


def _attend(session: Session, training_row: Training, members: list[list[User]]) -> None:
    """members[i]: who was present at the training's i-th session."""
    sessions = session.exec(select(TrainingSession).where(TrainingSession.training_id == training_row.id)
                            .order_by(TrainingSession.start_at)).all()
    for row, present in zip(sessions, members, strict=True):
        for member in present:
            session.add(Attendance(session_id=row.id, user_id=member.id, method="staff",
                                   created_at=row.start_at))
    session.commit()


def _enrol(session: Session, training_row: Training, member: User, moment: datetime) -> None:
    session.add(Enrolment(training_id=training_row.id, user_id=member.id, status="enrolled",
                          queue_number=member.id, created_at=moment, enrolled_at=moment))
    session.commit()


def _thread(session: Session, author: User, moment: datetime) -> None:
    opening = post(session, author.id)
    _created(session, opening, moment)
    _created(session, session.get(ForumThread, opening.thread_id), moment)


def arrange(session: Session) -> Hub:
    staff = make_user(session, "staf@hub.example", name="Sari Staf", role="staff")
    _created(session, staff, wib(date(2026, 1, 5), 9))
    maya = make_user(session, "maya@tech.example", name="Maya Putri")
    _created(session, maya, wib(date(2026, 9, 14), 10))
    members = [maya]
    for email, name, day in (("rina@umkm.example", "Rina Kusuma", 2), ("andi@startup.example", "Andi Wijaya", 15),
                             ("minh@startup.example", "Nguyễn Thị Minh Khai", 31)):
        member = make_user(session, email, name=name)
        member.sector, member.stage = "technology", "early"
        _created(session, member, wib(date(2026, 10, day), 23, 30))
        members.append(member)
    maya, rina, andi, minh = members

    room = Space(kind="meeting_room", name_id="Ruang Rapat Merapi", name_en="Merapi meeting room", capacity=8)
    session.add(room)
    session.commit()
    booking(session, room, maya.id, wib(date(2026, 9, 10), 10), hours=1, checked_in=True)
    booking(session, room, rina.id, wib(date(2026, 10, 6), 9), hours=2, checked_in=True)
    booking(session, room, andi.id, wib(date(2026, 10, 20), 13), hours=2, checked_in=True)
    booking(session, room, minh.id, wib(date(2026, 10, 22), 14), hours=2, status="released", no_show=True)
    booking(session, room, rina.id, wib(date(2026, 10, 27), 9), hours=2, status="cancelled")

    marketing = training(session, [wib(date(2026, 10, 7), 13), wib(date(2026, 10, 14), 13)], enrolled=3,
                         title=MARKETING)
    for member in (rina, andi, minh):
        _enrol(session, marketing, member, wib(date(2026, 10, 3), 10))
    _attend(session, marketing, [[rina, andi, minh], [rina, andi]])
    export = training(session, [wib(date(2026, 10, 21), 10)], enrolled=1, title=EXPORT)
    _enrol(session, export, maya, wib(date(2026, 10, 5), 10))
    _attend(session, export, [[maya]])

    _thread(session, maya, wib(date(2026, 9, 20), 8))
    _thread(session, rina, wib(date(2026, 10, 8), 8))
    _thread(session, andi, wib(date(2026, 10, 9), 8))
    return Hub(staff=staff, members=members, room=room)


def words(text: str) -> str:
    """A PDF's extracted text with every run of white space as one space (cells are separate lines)."""
    return " ".join(text.split())

