"""A member's recurring booking: the same space at the same time every day, week or month (issue 3),
previewed date by date and booked in one transaction under the same locks, rules and quota as
one booking (services/bookings.py)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from hub_app.db import begin_write
from hub_app.domain import bookings as rules
from hub_app.domain import validation
from hub_app.domain.bookings import CONFIRMED, MEMBER_BOOKING, PENDING, Interval, may_manage_bookings
from hub_app.domain.errors import Conflict, HubError, InvalidInput, NotFound
from hub_app.domain.permissions import Actor, require_member
from hub_app.domain.recurrence import FREQUENCIES, MAX_OCCURRENCES, expand
from hub_app.i18n import translate
from hub_app.models import Booking, BookingSeries, Space
from hub_app.models.base import utcnow
from hub_app.services.bookings import (
    check_may_book,
    check_member_quota,
    check_when,
    clean_details,
    holding_bookings,
    hub_tz,
    insert_booking,
    lock_space,
    lock_user,
    parse_day,
    parse_moment,
    space_rules,
    when_text,
)


@dataclass
class OccurrencePreview:
    start: str
    label: str
    problem: str  # translated reason this date cannot be booked; "" when free


@dataclass
class SeriesResult:
    series_id: int
    created: int
    skipped: list[str] = field(default_factory=list)


def _series_occurrences(start: datetime, end: datetime, frequency: object, count: object, until: object):
    frequency = validation.choice(frequency, FREQUENCIES, field="frequency")
    count_value = None if count in (None, "", 0) else validation.integer(count, field="count", minimum=1,
                                                                         maximum=MAX_OCCURRENCES)
    until_value = None if until in (None, "") else parse_day(until, field="until")
    return frequency, expand(start, end, frequency=frequency, tz=hub_tz(), count=count_value, until=until_value)


def _occurrence_problem(session: Session, space: Space, start: datetime, end: datetime, seats: int,
                        now: datetime, staff: bool, taken: list[Interval]) -> HubError | None:
    try:
        check_when(session, space, start, end, now, staff)
        rules.check_availability(holding_bookings(session, space.id, start, end) + taken, start, end,
                                 rules=space_rules(space), seats=seats)
    except (Conflict, InvalidInput) as error:
        return error
    return None


def preview_series(actor: Actor | None, *, session: Session, space_id: object, start: object, end: object,
                   frequency: object, count: object = None, until: object = None,
                   people: object = 1) -> list[OccurrencePreview]:
    """Each date of the series, marking the ones that cannot be booked and why."""
    actor = require_member(actor)
    space_id = validation.identifier(space_id, field="space_id")
    start, end = parse_moment(start, field="start"), parse_moment(end, field="end")
    _frequency, occurrences = _series_occurrences(start, end, frequency, count, until)
    space = session.get(Space, space_id)
    if space is None:
        raise NotFound("booking.error.no_space")
    seats = validation.integer(people if people not in (None, "") else 1, field="people", minimum=1,
                               maximum=10_000)
    now, staff = utcnow(), may_manage_bookings(actor)
    previews = []
    for occurrence in occurrences:
        problem = _occurrence_problem(session, space, occurrence.starts_at, occurrence.ends_at, seats, now, staff, [])
        previews.append(OccurrencePreview(
            start=occurrence.starts_at.isoformat(),
            label=when_text(occurrence.starts_at, occurrence.ends_at, actor.locale),
            problem=translate(problem.key, actor.locale, **problem.params) if problem else ""))
    session.rollback()
    return previews


def book_series(actor: Actor | None, *, session: Session, space_id: object, start: object, end: object,
                title: object, frequency: object, count: object = None, until: object = None, people: object = 1,
                note: object = "", skip_conflicts: object = False) -> SeriesResult:
    """Books every occurrence in one transaction. Dates that cannot be booked are skipped when the
    member chose so; otherwise nothing is booked and the first problem is reported."""
    actor = require_member(actor)
    space_id = validation.identifier(space_id, field="space_id")
    start, end = parse_moment(start, field="start"), parse_moment(end, field="end")
    frequency, occurrences = _series_occurrences(start, end, frequency, count, until)
    skip = validation.flag(skip_conflicts, field="skip_conflicts")
    now, staff = utcnow(), may_manage_bookings(actor)

    begin_write(session)
    owner = lock_user(session, actor.user_id)
    space = lock_space(session, space_id)
    check_may_book(session, actor, space, owner.id)
    title, people, note = clean_details(title, people, note, space.capacity)
    chosen: list[Interval] = []
    skipped: list[str] = []
    for occurrence in occurrences:
        problem = _occurrence_problem(session, space, occurrence.starts_at, occurrence.ends_at, people, now, staff,
                                      chosen)
        if problem is not None:
            if not skip:
                session.rollback()
                raise Conflict("booking.error.series_conflict", field="start",
                               when=when_text(occurrence.starts_at, occurrence.ends_at, actor.locale),
                               problem=translate(problem.key, actor.locale, **problem.params))
            skipped.append(when_text(occurrence.starts_at, occurrence.ends_at, actor.locale))
            continue
        chosen.append(Interval(occurrence.starts_at, occurrence.ends_at, people))
    if not chosen:
        session.rollback()
        raise Conflict("booking.error.series_empty")
    if not staff:
        check_member_quota(session, owner, chosen, now)
    series = BookingSeries(user_id=owner.id, space_id=space.id, frequency=frequency, occurrences=len(chosen))
    session.add(series)
    session.flush()
    status = PENDING if space.needs_approval and not staff else CONFIRMED
    for interval in chosen:
        insert_booking(session, Booking(space_id=space.id, user_id=owner.id, kind=MEMBER_BOOKING, status=status,
                                 exclusive=rules.is_room(space.kind), starts_at=interval.starts_at,
                                 ends_at=interval.ends_at, seats=people, title=title, note=note,
                                 series_id=series.id, created_by=actor.user_id))
    session.commit()
    return SeriesResult(series_id=series.id, created=len(chosen), skipped=skipped)
