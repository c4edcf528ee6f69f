"""The staff's home (/admin): what needs attention today, in the hub's local time (WIB).

Every figure is a count the database computes, and every list is a short page of rows, so the home
costs the same few bounded queries on a quiet Monday and at 100,000 bookings:
- bookings starting today by local hour (members' bookings that were not cancelled or declined),
  with check-ins so far and no-shows;
- approvals waiting: pending members, newest first as on /admin/members (with whether their email
  is verified: approving needs it), and pending bookings that have not ended, soonest first;
- trainings with a session this week (Monday to Sunday), with seats and waitlists;
- forum reports not yet handled; closures that have not ended and start within 30 days.
Approving and declining are the membership and booking services' own (membership.change_status,
bookings.decide); the page calls them directly.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from hub_app.domain.bookings import CANCELLED as BOOKING_CANCELLED
from hub_app.domain.bookings import DECLINED, MAX_SPAN, MEMBER_BOOKING, PENDING
from hub_app.domain.errors import NotAllowed
from hub_app.domain.membership import PENDING as MEMBER_PENDING
from hub_app.domain.permissions import Actor, may_manage_members
from hub_app.domain.staff_home import hour_starts, local_day_bounds, local_week_bounds
from hub_app.domain.trainings import PUBLISHED
from hub_app.i18n import format_date, format_short_datetime, format_time, pick, translate
from hub_app.models import Booking, Closure, ForumReport, Space, Training, TrainingSession, User
from hub_app.models.base import utcnow
from hub_app.services.bookings import hub_tz
from hub_app.services.spaces import space_name

ROWS = 5  # rows of each list on the home; the counts say how many there are in all
TRAINING_ROWS = 8
CLOSURE_DAYS = 30


@dataclass
class HourRow:
    hour: str  # "09.00" / "09:00"
    bookings: int
    checked_in: int
    no_shows: int


@dataclass
class WaitingMember:
    id: int
    name: str
    email: str
    business_name: str
    joined: str
    verified: bool


@dataclass
class WaitingBooking:
    id: int
    member: str
    space: str
    when: str


@dataclass
class WeekTraining:
    id: int
    title: str
    when: str  # its first session this week
    capacity: int
    enrolled: int
    waitlisted: int
    seats_left: int


@dataclass
class ComingClosure:
    id: int
    space: str
    when: str
    reason: str


@dataclass
class StaffHome:
    day: str
    bookings_today: int
    checked_in_today: int
    no_shows_today: int
    hours: list[HourRow]
    members_waiting: int
    members: list[WaitingMember]
    bookings_waiting: int
    bookings: list[WaitingBooking]
    trainings_this_week: int
    trainings: list[WeekTraining]
    reports_waiting: int
    closures_coming: int
    closures: list[ComingClosure]


def overview(actor: Actor | None, *, session: Session) -> StaffHome:
    """Staff and admins only."""
    if not may_manage_members(actor):
        raise NotAllowed()
    now = utcnow()
    tz = hub_tz()
    locale = actor.locale
    day, day_start, day_end = local_day_bounds(now, tz)
    hours = _hours(session, day_start, day_end, hour_starts(day, tz), locale, tz)
    members_waiting, members = _waiting_members(session, locale)
    bookings_waiting, bookings = _waiting_bookings(session, now, locale)
    trainings_count, trainings = _week_trainings(session, *local_week_bounds(now, tz), locale)
    closures_count, closures = _coming_closures(session, now, locale)
    return StaffHome(
        day=format_date(day, locale),
        bookings_today=sum(row.bookings for row in hours),
        checked_in_today=sum(row.checked_in for row in hours),
        no_shows_today=sum(row.no_shows for row in hours),
        hours=hours,
        members_waiting=members_waiting, members=members,
        bookings_waiting=bookings_waiting, bookings=bookings,
        trainings_this_week=trainings_count, trainings=trainings,
        reports_waiting=session.exec(select(func.count()).select_from(ForumReport).where(
            col(ForumReport.resolved_at).is_(None))).one(),
        closures_coming=closures_count, closures=closures,
    )


def _hours(session: Session, day_start: datetime, day_end: datetime, boundaries: list[datetime], locale: str,
           tz) -> list[HourRow]:
    """Today's bookings grouped by the local hour they start in: one grouped query (the hour is a
    CASE over the day's hour boundaries, so it is the same SQL on SQLite and PostgreSQL)."""
    hour = case(*[(col(Booking.starts_at) < boundary, index) for index, boundary in enumerate(boundaries[1:])],
                else_=len(boundaries) - 1)
    inner = select(
        hour.label("hour"),
        case((col(Booking.checked_in_at).is_not(None), 1), else_=0).label("checked"),
        case((col(Booking.no_show).is_(True), 1), else_=0).label("missed"),
    ).where(col(Booking.starts_at) >= day_start, col(Booking.starts_at) < day_end,
            Booking.kind == MEMBER_BOOKING,
            col(Booking.status).not_in((BOOKING_CANCELLED, DECLINED))).subquery()
    found = session.exec(select(inner.c.hour, func.count(), func.sum(inner.c.checked), func.sum(inner.c.missed))
                         .group_by(inner.c.hour).order_by(inner.c.hour)).all()
    return [HourRow(hour=format_time(boundaries[index], locale, tz.key), bookings=count,
                    checked_in=int(checked or 0), no_shows=int(missed or 0))
            for index, count, checked, missed in found]


def _waiting_members(session: Session, locale: str) -> tuple[int, list[WaitingMember]]:
    waiting = User.status == MEMBER_PENDING
    count = session.exec(select(func.count()).select_from(User).where(waiting)).one()
    users = session.exec(select(User).where(waiting).order_by(col(User.id).desc()).limit(ROWS)).all()
    return count, [WaitingMember(id=user.id, name=user.name, email=user.email, business_name=user.business_name,
                                 joined=format_short_datetime(user.created_at, locale),
                                 verified=user.email_verified_at is not None) for user in users]


def _waiting_bookings(session: Session, now: datetime, locale: str) -> tuple[int, list[WaitingBooking]]:
    waiting = and_(Booking.status == PENDING, col(Booking.starts_at) > now - MAX_SPAN, col(Booking.ends_at) > now)
    count = session.exec(select(func.count()).select_from(Booking).where(waiting)).one()
    found = session.exec(
        select(Booking, Space, User.name).join(Space, col(Space.id) == Booking.space_id)
        .join(User, col(User.id) == Booking.user_id, isouter=True)
        .where(waiting).order_by(col(Booking.starts_at), col(Booking.id)).limit(ROWS)).all()
    return count, [WaitingBooking(id=booking.id, member=name or translate("deleted.member", locale),
                                  space=space_name(space, locale),
                                  when=_span(booking.starts_at, booking.ends_at, locale))
                   for booking, space, name in found]


def _week_trainings(session: Session, week_start: datetime, week_end: datetime,
                    locale: str) -> tuple[int, list[WeekTraining]]:
    first = (select(func.min(TrainingSession.start_at))
             .where(TrainingSession.training_id == Training.id, col(TrainingSession.start_at) >= week_start,
                    col(TrainingSession.start_at) < week_end)
             .correlate(Training).scalar_subquery())
    in_week = and_(Training.status == PUBLISHED, col(Training.ends_at) > week_start,
                   col(Training.starts_at) < week_end, first.is_not(None))
    count = session.exec(select(func.count()).select_from(Training).where(in_week)).one()
    found = session.exec(select(Training, first.label("first")).where(in_week)
                         .order_by(first, col(Training.id)).limit(TRAINING_ROWS)).all()
    return count, [WeekTraining(id=training.id, title=pick(training.title_id, training.title_en, locale),
                                when=format_short_datetime(start, locale), capacity=training.capacity,
                                enrolled=training.enrolled_count, waitlisted=training.waitlist_count,
                                seats_left=max(0, training.capacity - training.enrolled_count))
                   for training, start in found]


def _coming_closures(session: Session, now: datetime, locale: str) -> tuple[int, list[ComingClosure]]:
    coming = and_(col(Closure.ends_at) > now, col(Closure.starts_at) < now + timedelta(days=CLOSURE_DAYS))
    count = session.exec(select(func.count()).select_from(Closure).where(coming)).one()
    found = session.exec(select(Closure, Space).join(Space, col(Space.id) == Closure.space_id, isouter=True)
                         .where(coming).order_by(col(Closure.starts_at), col(Closure.id)).limit(ROWS)).all()
    return count, [ComingClosure(id=closure.id,
                                 space=space_name(space, locale) if space else translate("staff.whole_hub", locale),
                                 when=_span(closure.starts_at, closure.ends_at, locale),
                                 reason=pick(closure.reason_id, closure.reason_en, locale))
                   for closure, space in found]


def _span(start: datetime, end: datetime, locale: str) -> str:
    return f"{format_short_datetime(start, locale)} – {format_short_datetime(end, locale)}"
