"""The staff's booking desk: every booking of a day, a week's counts per space, the approval
queue (counted, a page at a time) with decisions on many bookings at once, a member's booking
record (no-shows, upcoming bookings) and their quotas. Approving, declining, cancelling and
blocking one booking are in bookings.py with the other writes.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import validation
from hub_app.domain.bookings import (
    BLOCK_BOOKING,
    CANCELLED,
    DECLINED,
    HOLDING,
    PENDING,
    RESERVATION_KINDS,
    may_manage_bookings,
)
from hub_app.domain.errors import HubError, NotAllowed, NotFound
from hub_app.domain.opening_hours import day_bounds
from hub_app.domain.permissions import Actor
from hub_app.domain.queues import BulkOutcome, BulkRefusal, id_list, week_days
from hub_app.i18n import format_date, format_short_datetime, translate
from hub_app.models import Booking, Space, User
from hub_app.models.base import utcnow
from hub_app.services import audit, bookings
from hub_app.services.bookings import BookingRow, booking_row, hub_tz, lock_user, parse_day, quota_for
from hub_app.services.spaces import space_name

QUEUE_PAGE = 10

# --- the day list and the approval queue ---------------------------------------------------------

def day_bookings(actor: Actor | None, *, session: Session, day: object = None) -> list[BookingRow]:
    """Staff: every booking of a local day with its member and check-in status."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    tz = hub_tz()
    day = parse_day(day) if day else utcnow().astimezone(tz).date()
    start, end = day_bounds(day, tz)
    now = utcnow()
    found = session.exec(
        select(Booking, Space, User.name).join(Space, col(Space.id) == Booking.space_id)
        .join(User, col(User.id) == Booking.user_id, isouter=True)
        .where(col(Booking.starts_at) >= start, col(Booking.starts_at) < end)
        .order_by(col(Booking.starts_at), col(Booking.id)).limit(500)).all()
    return [booking_row(b, s, actor.locale, now, member=_member_label(name, b, actor.locale), staff=True)
            for b, s, name in found]


def _member_label(name: str | None, booking: Booking, locale: str) -> str:
    if booking.kind in RESERVATION_KINDS:
        return translate(f"booking.kind.{booking.kind}", locale)
    if booking.kind == BLOCK_BOOKING:
        return translate("booking.kind.block", locale)
    return name or translate("deleted.member", locale)


@dataclass
class QueuePage:
    rows: list[BookingRow]
    total: int  # pending bookings that have not ended, in all
    next_after_id: int  # the last row's id when more follow, else 0


def _waiting(now: datetime):
    """Pending bookings that have not ended (the staff home counts the same)."""
    return and_(Booking.status == PENDING, col(Booking.ends_at) > now)


def approval_page(actor: Actor | None, *, session: Session, after_id: object = 0) -> QueuePage:
    """The approval queue, soonest first, QUEUE_PAGE at a time: keyset on (start, id) after the
    booking `after_id` (the previous page's last row), with the count of all that wait."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    after_id = 0 if after_id in (None, "", 0) else validation.identifier(after_id, field="after_id")
    now = utcnow()
    query = (select(Booking, Space, User.name).join(Space, col(Space.id) == Booking.space_id)
             .join(User, col(User.id) == Booking.user_id, isouter=True).where(_waiting(now)))
    after = session.get(Booking, after_id) if after_id else None
    if after is not None:
        query = query.where(or_(col(Booking.starts_at) > after.starts_at,
                                and_(col(Booking.starts_at) == after.starts_at, col(Booking.id) > after.id)))
    found = session.exec(query.order_by(col(Booking.starts_at), col(Booking.id)).limit(QUEUE_PAGE + 1)).all()
    total = session.exec(select(func.count()).select_from(Booking).where(_waiting(now))).one()
    rows = [booking_row(b, s, actor.locale, now, member=_member_label(name, b, actor.locale), staff=True)
            for b, s, name in found[:QUEUE_PAGE]]
    return QueuePage(rows=rows, total=total, next_after_id=rows[-1].id if len(found) > QUEUE_PAGE else 0)


def approval_queue(actor: Actor | None, *, session: Session) -> list[BookingRow]:
    """The first page of the approval queue."""
    return approval_page(actor, session=session).rows


def decide_many(actor: Actor | None, *, session: Session, booking_ids: object, approve: object,
                reason: object = "") -> BulkOutcome:
    """Approve or decline the chosen pending bookings with one reason. Each is decided by
    bookings.decide, the single-booking rule, in a transaction of its own, so one that cannot be
    (decided already, unknown) is reported with its reason and the others are still decided."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    ids = id_list(booking_ids, field_name="booking_ids")
    approve = validation.flag(approve, field="approve")
    reason = validation.text(reason, field="reason", max_length=500, required=not approve)
    names = {booking.id: f"{space_name(space, actor.locale)} · "
                         f"{format_short_datetime(booking.starts_at, actor.locale, hub_tz().key)}"
             for booking, space in session.exec(select(Booking, Space).join(Space, col(Space.id) == Booking.space_id)
                                                .where(col(Booking.id).in_(ids))).all()}
    session.rollback()  # end the read: each decision begins its own write transaction
    outcome = BulkOutcome(done=0)
    for booking_id in ids:
        try:
            bookings.decide(actor, session=session, booking_id=booking_id, approve=approve, reason=reason)
        except HubError as error:
            session.rollback()
            outcome.refused.append(BulkRefusal(id=booking_id, name=names.get(booking_id, f"#{booking_id}"),
                                               reason=translate(error.key, actor.locale, **error.params)))
        else:
            outcome.done += 1
    return outcome


# --- the week ------------------------------------------------------------------------------------------

@dataclass
class WeekDay:
    date: str  # ISO, for the link to that day
    label: str  # "Sen 23 Nov" / "Mon 23 Nov"
    total: int


@dataclass
class WeekSpace:
    id: int
    name: str
    counts: list[int]  # Monday to Sunday
    bars: list[int]  # each count as a percentage of the week's busiest day of any space, for a compact bar


@dataclass
class WeekView:
    title: str  # "23 - 29 Nov 2026"
    days: list[WeekDay]
    spaces: list[WeekSpace]


def week_counts(actor: Actor | None, *, session: Session, day: object = None) -> WeekView:
    """Staff: Monday to Sunday (local days) of the week that holds `day`, per space, the number of
    bookings starting that day that hold or held it (not cancelled or declined; trainings'
    reservations and maintenance blocks included, as on the day's table). One grouped query: the
    day is a CASE over the week's day boundaries, the same SQL on SQLite and PostgreSQL."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    tz = hub_tz()
    days = week_days(parse_day(day) if day else utcnow().astimezone(tz).date())
    edges = [day_bounds(d, tz)[0] for d in days] + [day_bounds(days[-1], tz)[1]]
    index = case(*[(col(Booking.starts_at) < edge, number) for number, edge in enumerate(edges[1:-1])], else_=6)
    inner = select(Booking.space_id.label("space_id"), index.label("day")).where(
        col(Booking.starts_at) >= edges[0], col(Booking.starts_at) < edges[-1],
        col(Booking.status).not_in((CANCELLED, DECLINED))).subquery()
    counted = session.exec(select(inner.c.space_id, inner.c.day, func.count())
                           .group_by(inner.c.space_id, inner.c.day)).all()
    by_space: dict[int, list[int]] = {}
    for space_id, number, count in counted:
        by_space.setdefault(space_id, [0] * 7)[int(number)] = count
    spaces = session.exec(select(Space).where(or_(col(Space.active).is_(True), col(Space.id).in_(list(by_space))))
                          .order_by(col(Space.name_id), col(Space.id)).limit(200)).all()
    busiest = max([max(counts) for counts in by_space.values()] or [0])
    rows = []
    for space in spaces:
        counts = by_space.get(space.id, [0] * 7)
        rows.append(WeekSpace(id=space.id, name=space_name(space, actor.locale), counts=counts,
                              bars=[round(100 * count / busiest) if busiest else 0 for count in counts]))
    locale = actor.locale
    return WeekView(
        title=f"{format_date(days[0], locale, 'd MMM')} – {format_date(days[-1], locale, 'd MMM y')}",
        days=[WeekDay(date=d.isoformat(), label=format_date(d, locale, "EEE d MMM"),
                      total=sum(row.counts[number] for row in rows)) for number, d in enumerate(days)],
        spaces=rows)


# --- member record and quotas --------------------------------------------------------------------------

@dataclass
class MemberRecord:
    id: int
    name: str
    email: str
    no_shows: int
    upcoming: int
    hours_per_week: int
    upcoming_bookings: int
    custom_quota: bool


def member_record(actor: Actor | None, *, session: Session, email: object) -> MemberRecord:
    """Staff look up a member's booking record: no-shows, upcoming bookings, quotas."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    email = validation.text(email, field="email", max_length=254, required=True).lower()
    user = session.exec(select(User).where(User.email_normalized == email, User.status != "deleted")).first()
    if user is None:
        raise NotFound("booking.error.no_member")
    return _record(session, user)


def _record(session: Session, user: User) -> MemberRecord:
    quota = quota_for(user)
    no_shows = session.exec(select(func.count()).select_from(Booking).where(
        Booking.user_id == user.id, col(Booking.no_show).is_(True))).one()
    upcoming = session.exec(select(func.count()).select_from(Booking).where(
        Booking.user_id == user.id, col(Booking.status).in_(HOLDING), col(Booking.ends_at) > utcnow())).one()
    return MemberRecord(id=user.id, name=user.name, email=user.email, no_shows=no_shows, upcoming=upcoming,
                        hours_per_week=quota.hours_per_week, upcoming_bookings=quota.upcoming_bookings,
                        custom_quota=user.quota_hours_per_week is not None or user.quota_upcoming_bookings is not None)


def set_quota(actor: Actor | None, *, session: Session, member_id: object, hours_per_week: object = None,
              upcoming_bookings: object = None) -> MemberRecord:
    """Staff set a member's quotas; an empty value returns that quota to the hub default."""
    if not may_manage_bookings(actor):
        raise NotAllowed()
    member_id = validation.identifier(member_id, field="member_id")
    hours = None if hours_per_week in (None, "") else validation.integer(hours_per_week, field="hours_per_week",
                                                                         minimum=0, maximum=168)
    count = None if upcoming_bookings in (None, "") else validation.integer(
        upcoming_bookings, field="upcoming_bookings", minimum=0, maximum=500)
    begin_write(session)
    user = lock_user(session, member_id)
    user.quota_hours_per_week, user.quota_upcoming_bookings = hours, count
    user.updated_at = utcnow()
    session.add(user)
    audit.record(session, actor, "booking.quota", target_type="user", target_id=user.id,
                 detail=f"hours/week={hours} upcoming={count}")
    session.commit()
    return _record(session, user)
