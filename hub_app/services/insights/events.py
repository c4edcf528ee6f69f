"""The hub's public events in the staff insights: a small live query (events are few: a grouped
read of the events held in both periods and their seated registrations).

- events_held: published events that ended in the period (ends_at in [start, end) and <= now).
- registrations: registrations holding a seat (status registered, walk-ins included) of those events.
- guests: those of them without an account (guests and walk-ins).
- attendance_rate: checked in / registrations (None when there were none).
"""

from datetime import timedelta

from sqlalchemy import and_, case, distinct, func
from sqlmodel import Session, col, select

from hub_app.domain import events as rules
from hub_app.domain.insights import rate
from hub_app.models import Event, EventRegistration
from hub_app.services.insights.figures import EventFigures, Figure
from hub_app.services.insights.windows import CURRENT, PREVIOUS, Windows, by_period


def event_figures(session: Session, windows: Windows) -> EventFigures:
    which = windows.which(Event.ends_at)
    # An event lasts at most MAX_EVENT_HOURS: its start bounds the index range (status, starts_at).
    earliest = windows.low - timedelta(hours=rules.MAX_EVENT_HOURS)
    seated = and_(EventRegistration.event_id == Event.id, EventRegistration.status == rules.REGISTERED)
    rows = session.exec(
        select(which, func.count(distinct(Event.id)), func.count(EventRegistration.id),
               func.sum(case((and_(col(EventRegistration.id).is_not(None), col(EventRegistration.user_id).is_(None)),
                              1), else_=0)),
               func.sum(case((col(EventRegistration.checked_in_at).is_not(None), 1), else_=0)))
        .select_from(Event).join(EventRegistration, seated, isouter=True)
        .where(Event.status == rules.PUBLISHED, col(Event.starts_at) >= earliest, col(Event.starts_at) < windows.high,
               windows.range(Event.ends_at), col(Event.ends_at) <= windows.now)
        .group_by(which)).all()
    found = by_period(rows)
    empty = (0, 0, 0, 0)
    now, before = found.get(CURRENT, empty), found.get(PREVIOUS, empty)

    def value(row, index):
        return int(row[index] or 0)

    return EventFigures(
        events_held=Figure(value(now, 0), value(before, 0)),
        registrations=Figure(value(now, 1), value(before, 1)),
        guests=Figure(value(now, 2), value(before, 2)),
        attendance_rate=Figure(rate(value(now, 3), value(now, 1)), rate(value(before, 3), value(before, 1))))
