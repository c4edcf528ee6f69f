"""The hub's figures for a period (/admin/insights, the exports' occupancy summary, the monthly
programme report), each compared with the previous period of the same length.

Read-only, staff and admins only. Every figure is computed by a bounded number of aggregate queries
(GROUP BY in the database), so a quarter costs about the same at 1,000 and at 100,000 bookings.

Definitions. The period is [start, end) in UTC from its local days (domain.insights.Period.bounds);
"now" is the moment of the call; "ended" means ends_at <= now.

Space use (SpaceUse):
- Counted bookings: member bookings (kind "member") whose status is not cancelled or declined
  (pending, confirmed, released), plus the rooms held by training sessions and events (kinds
  "training" and "event", same statuses) for booked hours and the heat map only. Maintenance blocks
  are not use.
- booked_hours: hours of counted bookings inside the period (a booking across an edge of the period
  counts only its part inside). In a desk area each booked seat counts (seat-hours: seats x hours),
  in a room a booking counts once whatever the number of people.
- open_hours: hours the space is open in the period, from the hub's opening hours per weekday minus
  closures of the whole hub or of that space. capacity_hours = open_hours x capacity for a desk area,
  = open_hours for a room. use_rate = booked_hours / capacity_hours (None when it was never open).
- bookings, checked_in, no_shows (per space and kind): counted member bookings that START in the
  period; checked_in has checked_in_at set, no_shows has no_show set.
- check_in_rate and no_show_rate (overall): of member bookings that started in the period, have
  ended and are confirmed or released (cancelled and declined are not counted; a pending booking
  that ended was never approved, so nobody could use it): checked in / those, no-show / those.
- heat_map[weekday][hour] (Monday = 0, local hours 0-23): booked hours of counted bookings (member
  and training, each booking once, not per seat) falling in that local weekday and hour inside the
  period; a booking across midnight adds to both days. peak_hours: the (up to 3) local hours of the
  day with the most booked hours over all weekdays, busiest first.
- by_sector, by_stage: counted member bookings starting in the period by the member's sector and
  stage (key "" for not given, including members whose data was erased).
Spaces listed: active spaces and any space with counted bookings in the period.

Members (MemberFigures):
- sign_ups: accounts with role member created in the period (whatever they became since, so a
  member who later left still counts).
- approvals: distinct members approved in the period (audit entries "member.approve", written by
  membership.change_status for pending -> active and rejected -> active).
- active_members: distinct accounts with role member who did something in the period: made a
  member booking (created_at), took a seat or waitlist place (enrolment created_at or enrolled_at),
  were marked present at a training session (attendance created_at) or wrote a forum post
  (created_at), whatever their status now. by_sector, by_stage: active members.

Programme (ProgrammeFigures):
- sessions_delivered: training sessions that ended in the period (end_at in [start, end) and
  end_at <= now) of published trainings (not cancelled, not drafts).
- enrolments: seats taken in the period (enrolments whose enrolled_at is in the period, including
  members who withdrew later).
- attendance_rate: attendances of delivered sessions / enrolled seats of delivered sessions (for
  each delivered session, the training's current enrolled members).
- completion_rate: of published trainings that ended in the period (ends_at in [start, end) and
  <= now): enrolled members who completed / enrolled members.
- average_rating (1-5, None when none) and ratings: ratings given in the period (rated_at).
- top_trainings: up to 5 published trainings with delivered sessions in the period, most
  attendances first (then the oldest training), with their attendances, delivered sessions and enrolled seats.
- waitlist_by_topic: members who could not get a seat in the trainings of the period (published
  trainings with a session starting in [start, end)): enrolments still waitlisted or that left the waitlist
  without ever being seated (enrolled_at is None), per training topic, most first.

Community (CommunityFigures):
- threads: threads started in the period that are not deleted; posts: posts (openings and replies)
  written in the period that are not deleted; posters: distinct members (role member) among their
  authors; reports: reports made in the period; reports_handled: reports resolved in the period.

Events (EventFigures, services/insights/events.py): events held, their seated registrations, guests
among them, attendance rate (checked in / seated).

Every headline figure is a Figure(current, previous): the same figure for `previous`.
"""

from sqlmodel import Session

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.insights import Period
from hub_app.domain.permissions import Actor, may_manage_members
from hub_app.i18n import format_date, normalize_locale
from hub_app.models.base import utcnow
from hub_app.services.bookings import hub_tz
from hub_app.services.insights.events import event_figures
from hub_app.services.insights.figures import (
    CommunityFigures,
    CountRow,
    EventFigures,
    Figure,
    HubInsights,
    KindRow,
    MemberFigures,
    ProgrammeFigures,
    SpaceRow,
    SpaceUse,
    TrainingRow,
)
from hub_app.services.insights.people import community, members
from hub_app.services.insights.programme import TOP_TRAININGS, programme
from hub_app.services.insights.rollups import splits
from hub_app.services.insights.space_use import hour_label, space_use
from hub_app.services.insights.windows import CURRENT, PREVIOUS, Windows

__all__ = [
    "TOP_TRAININGS", "CommunityFigures", "CountRow", "EventFigures", "Figure", "HubInsights", "KindRow",
    "MemberFigures", "ProgrammeFigures", "SpaceRow", "SpaceUse", "TrainingRow", "hour_label", "hub_insights",
    "period_label",
]


def hub_insights(actor: Actor | None, *, session: Session, period: Period, lang: str,
                 previous: Period | None = None) -> HubInsights:
    """All four sections for `period` against `previous` (default period.previous(), the same
    number of days right before; the monthly report passes the previous calendar month), labels in
    `lang` ("id" | "en"). Staff and admins only (NotAllowed before any query). Never writes."""
    if not may_manage_members(actor):
        raise NotAllowed()
    if not isinstance(period, Period) or not (previous is None or isinstance(previous, Period)):
        raise InvalidInput("figures.error.period", field="period")
    lang = normalize_locale(lang)
    previous = previous or period.previous()
    tz = hub_tz()
    windows = Windows.of(session, period, previous, tz, utcnow())
    days = {CURRENT: (period.first_day, period.last_day), PREVIOUS: (previous.first_day, previous.last_day)}
    split = splits(session, days, tz, windows.now)
    return HubInsights(
        period=period, previous=previous,
        period_label=period_label(period, lang), previous_label=period_label(previous, lang),
        space_use=space_use(session, windows, tz, days, lang, split),
        members=members(session, windows, lang, split[0]),
        programme=programme(session, windows, lang, split),
        community=community(session, windows, split[0]),
        events=event_figures(session, windows),
    )


def period_label(period: Period, lang: str) -> str:
    """"1–30 November 2026", "24 November – 3 Desember 2026", "29 Desember 2026 – 4 Januari 2027"."""
    first, last = period.first_day, period.last_day
    if first == last:
        return format_date(last, lang, "d MMMM y")
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{format_date(last, lang, 'd MMMM y')}"
    if first.year == last.year:
        return f"{format_date(first, lang, 'd MMMM')} – {format_date(last, lang, 'd MMMM y')}"
    return f"{format_date(first, lang, 'd MMMM y')} – {format_date(last, lang, 'd MMMM y')}"
