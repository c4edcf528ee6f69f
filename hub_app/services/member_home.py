"""A member's own hub, the signed-in home: today and the next 7 days in one list (bookings, bookings
waiting for staff, training sessions), waitlist places, unread notifications and forum replies, and
the next free desk seat, offered to book in one more tap. A pending or rejected member gets the
checklist of what stands between them and membership instead."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from hub_app.db import reads_only
from hub_app.domain import bookings as rules
from hub_app.domain.bookings import CONFIRMED, HOLDING, MEMBER_BOOKING, PENDING, Interval
from hub_app.domain.errors import NotAllowed
from hub_app.domain.opening_hours import closed_all_day, day_bounds, opening_of
from hub_app.domain.permissions import Actor, may_use_hub
from hub_app.domain.trainings import ENROLLED, WAITLISTED
from hub_app.i18n import format_date, format_time, pick, pick_marked, translate
from hub_app.models import Booking, Enrolment, Notification, Space, Training, TrainingSession, User
from hub_app.models.base import utcnow
from hub_app.services import bookings, notifications
from hub_app.services.notifications import NotificationRow
from hub_app.services.spaces import closures_between, load_hours, space_name
from hub_app.services.trainings import waitlisted_ahead
from hub_app.settings import get_settings

DAYS_AHEAD = 7
DESK_LOOKAHEAD_DAYS = 14
DESK_HOURS = 2
FORUM_KINDS = ("forum.reply", "forum.mention")


@dataclass
class AgendaItem:
    kind: str  # booking | pending | session
    day: str  # "Hari ini", "Besok", "Kamis, 3 Des"
    time: str  # "10.00–11.00"
    title: str
    place: str
    link: str
    booking_id: int = 0
    can_check_in: bool = False
    can_cancel: bool = False
    online_link: str = ""


@dataclass
class WaitlistPlace:
    training_id: int
    title: str
    position: int


@dataclass
class DeskOffer:
    space_id: int
    start: str  # local "YYYY-MM-DDTHH:MM"
    end: str
    text: str  # "Coworking, hari ini 14.00–16.00"


@dataclass
class Checklist:
    email_verified: bool
    profile_complete: bool
    rejected: bool
    reason: str


@dataclass
class MemberHome:
    agenda: list[AgendaItem] = field(default_factory=list)
    waitlist: list[WaitlistPlace] = field(default_factory=list)
    notifications: list[NotificationRow] = field(default_factory=list)
    forum: list[NotificationRow] = field(default_factory=list)
    desk: DeskOffer | None = None
    checklist: Checklist | None = None


def _day_label(moment: datetime, today: date, locale: str) -> str:
    day = moment.astimezone(bookings.hub_tz()).date()
    if day == today:
        return translate("hub.today", locale)
    if day == today + timedelta(days=1):
        return translate("hub.tomorrow", locale)
    return format_date(day, locale, "EEEE, d MMM")


def _span(start: datetime, end: datetime, locale: str) -> str:
    tz = get_settings().timezone
    return f"{format_time(start, locale, tz)}–{format_time(end, locale, tz)}"


# The member's home is the page members open most: its reads are built once, with bind parameters
# (building and keying a statement costs about as much CPU as running it), and return plain rows.
_AGENDA_BOOKINGS = (
    select(Booking.id, Booking.status, Booking.starts_at, Booking.ends_at, Booking.checked_in_at, Booking.title,
           Booking.title_en, Space.name_id, Space.name_en)
    .join(Space, col(Space.id) == Booking.space_id)
    .where(Booking.user_id == bindparam("user_id"), Booking.kind == MEMBER_BOOKING, col(Booking.status).in_(HOLDING),
           col(Booking.ends_at) > bindparam("now"), col(Booking.starts_at) < bindparam("horizon"))
    .order_by(col(Booking.starts_at)).limit(50))
_AGENDA_SESSIONS = (
    select(TrainingSession.start_at, TrainingSession.end_at, Training.id, Training.title_id, Training.title_en,
           Training.format, Training.online_link, Space.name_id, Space.name_en)
    .join(Training, col(Training.id) == TrainingSession.training_id)
    .join(Enrolment, col(Enrolment.training_id) == Training.id)
    .join(Space, col(Space.id) == TrainingSession.space_id, isouter=True)
    .where(Enrolment.user_id == bindparam("user_id"), Enrolment.status == ENROLLED,
           col(TrainingSession.end_at) > bindparam("now"), col(TrainingSession.start_at) < bindparam("horizon"))
    .order_by(col(TrainingSession.start_at)).limit(50))
_WAITLIST = (
    select(Training.id, Training.title_id, Training.title_en,
           waitlisted_ahead(Enrolment.training_id, Enrolment.queue_number))
    .select_from(Enrolment).join(Training, col(Training.id) == Enrolment.training_id)
    .where(Enrolment.user_id == bindparam("user_id"), Enrolment.status == WAITLISTED)
    .order_by(col(Training.starts_at)).limit(10))
_UNREAD = (
    select(Notification.id, Notification.kind, Notification.params, Notification.link, Notification.created_at,
           Notification.read_at)
    .where(Notification.user_id == bindparam("user_id"), col(Notification.read_at).is_(None))
    .order_by(col(Notification.id).desc()).limit(20))
_DESKS = (
    select(Space.id, Space.name_id, Space.name_en, Space.capacity, Space.min_minutes, Space.max_minutes,
           Space.slot_minutes, Space.required_training_id)
    .where(col(Space.active).is_(True), Space.kind == rules.DESK_AREA).order_by(col(Space.id)).limit(10))
_DESK_SEATS_HELD = (
    select(Booking.space_id, Booking.starts_at, Booking.ends_at, Booking.seats)
    .where(col(Booking.space_id).in_(bindparam("desk_ids", expanding=True)), col(Booking.status).in_(HOLDING),
           col(Booking.starts_at) < bindparam("end"), col(Booking.ends_at) > bindparam("start")))


@reads_only
def my_hub(actor: Actor | None, *, session: Session) -> MemberHome:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not may_use_hub(actor):
        user = session.get(User, actor.user_id)
        return MemberHome(checklist=Checklist(
            email_verified=user.email_verified_at is not None,
            profile_complete=bool(user.business_name and user.sector and user.stage),
            rejected=user.status == "rejected", reason=user.status_reason or "-"))
    now = utcnow()
    today = now.astimezone(bookings.hub_tz()).date()
    horizon = day_bounds(today + timedelta(days=DAYS_AHEAD), bookings.hub_tz())[1]
    reads = session.connection()
    mine = {"user_id": actor.user_id, "now": now, "horizon": horizon}
    home = MemberHome()
    timed = (_my_bookings(reads.execute(_AGENDA_BOOKINGS, mine).all(), actor, now, today)
             + _my_sessions(reads.execute(_AGENDA_SESSIONS, mine).all(), actor, today))
    home.agenda = [item for _, item in sorted(timed, key=lambda pair: pair[0])]
    home.waitlist = [WaitlistPlace(training_id=training_id, title=pick_marked(title_id, title_en, actor.locale),
                                   position=ahead + 1)
                     for training_id, title_id, title_en, ahead in reads.execute(_WAITLIST, mine)]
    unread = reads.execute(_UNREAD, mine).all()
    rows = notifications.rows_for(unread, actor.locale)
    home.forum = [row for row, note in zip(rows, unread, strict=True) if note.kind in FORUM_KINDS][:5]
    home.notifications = [row for row, note in zip(rows, unread, strict=True) if note.kind not in FORUM_KINDS][:5]
    home.desk = next_desk_seat(session, actor, now)
    return home


def _my_bookings(found, actor: Actor, now: datetime, today: date) -> list[tuple[datetime, AgendaItem]]:
    items = []
    for booking_id, status, starts_at, ends_at, checked_in_at, title, title_en, name_id, name_en in found:
        opens, closes = rules.check_in_window(starts_at)
        items.append((starts_at, AgendaItem(
            kind="pending" if status == PENDING else "booking",
            day=_day_label(starts_at, today, actor.locale), time=_span(starts_at, ends_at, actor.locale),
            title=pick(title, title_en, actor.locale), place=pick_marked(name_id, name_en, actor.locale),
            link="/bookings", booking_id=booking_id,
            can_check_in=status == CONFIRMED and checked_in_at is None and opens <= now <= closes,
            can_cancel=now < starts_at)))
    return items


def _my_sessions(found, actor: Actor, today: date) -> list[tuple[datetime, AgendaItem]]:
    items = []
    for start_at, end_at, training_id, title_id, title_en, form, online_link, name_id, name_en in found:
        items.append((start_at, AgendaItem(
            kind="session", day=_day_label(start_at, today, actor.locale),
            time=_span(start_at, end_at, actor.locale),
            title=pick_marked(title_id, title_en, actor.locale),
            place=pick_marked(name_id, name_en, actor.locale) if name_id is not None
            else translate("hub.online", actor.locale),
            link=f"/trainings/{training_id}", online_link=online_link if form in ("online", "hybrid") else "")))
    return items


def next_desk_seat(session: Session, actor: Actor, now: datetime) -> DeskOffer | None:
    """The first desk seat free for the next couple of hours: today from the next start time, or on
    the next open day. A desk area that needs a training the member lacks is passed over."""
    tz = bookings.hub_tz()
    desks = session.connection().execute(_DESKS).all()
    desks = [desk for desk in desks if desk.required_training_id is None
             or bookings.training_completed(session, actor.user_id, desk.required_training_id)]
    if not desks:
        return None
    hours = load_hours(session)
    today = now.astimezone(tz).date()
    # Runs on every load of the member's home: closures once for the whole look-ahead, and a day that
    # is over (the evening) costs no query.
    closures = closures_between(session, day_bounds(today, tz)[0],
                                day_bounds(today + timedelta(days=DESK_LOOKAHEAD_DAYS - 1), tz)[1])
    desk_ids = [desk.id for desk in desks]
    for offset in range(DESK_LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        opening = opening_of(day, hours, tz)
        if opening is None or opening[1] <= now:
            continue
        start, end = day_bounds(day, tz)
        that_day = [c for c in closures if c.starts_at < end and start < c.ends_at]
        if closed_all_day(opening, that_day) is not None:
            continue
        held = session.connection().execute(_DESK_SEATS_HELD, {"desk_ids": desk_ids, "start": start, "end": end}).all()
        for desk in desks:
            minutes = rules.length_for(DESK_HOURS * 60, min_minutes=desk.min_minutes, max_minutes=desk.max_minutes,
                                       slot_minutes=desk.slot_minutes)
            length = timedelta(minutes=minutes)
            holding = [Interval(starts_at, ends_at, seats) for space_id, starts_at, ends_at, seats in held
                       if space_id == desk.id]
            closed = [(c.starts_at, c.ends_at) for c in that_day if c.space_id in (None, desk.id)]
            for span in (length, timedelta(minutes=max(desk.min_minutes, desk.slot_minutes))):
                starts = rules.free_starts(
                    opening=opening, step=timedelta(minutes=desk.slot_minutes), length=span, now=now,
                    holding=holding, capacity=desk.capacity, exclusive=False, closed=closed)
                if starts:
                    first = starts[0]
                    label = _day_label(first, today, actor.locale)
                    when = f"{label} {_span(first, first + span, actor.locale)}"
                    return DeskOffer(space_id=desk.id, start=first.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
                                     end=(first + span).astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
                                     text=translate("hub.desk_offer", actor.locale,
                                                    space=space_name(desk, actor.locale), when=when))
    return None


def book_desk_now(actor: Actor | None, *, session: Session, space_id: object, start: object,
                  end: object) -> bookings.BookingRow:
    """Books the offered desk seat: the same write path (and rules) as any booking."""
    locale = actor.locale if actor else "id"
    return bookings.book(actor, session=session, space_id=space_id, start=start, end=end,
                         title=translate("hub.desk_title", locale), people=1)
