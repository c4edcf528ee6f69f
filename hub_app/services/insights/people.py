"""Members (sign-ups, approvals, active members by sector and stage) and the community (threads,
posts, posters, reports): grouped counts, one query per figure for both periods at once."""

from sqlalchemy import distinct, func, union
from sqlmodel import Session, col, select

from hub_app.domain.bookings import MEMBER_BOOKING
from hub_app.domain.permissions import MEMBER
from hub_app.models import Attendance, AuditEntry, Booking, Enrolment, ForumPost, ForumReport, ForumThread, User
from hub_app.models.insights_rollups import ACTIVE, POSTED
from hub_app.services.insights import rollups
from hub_app.services.insights.figures import CommunityFigures, Figure, MemberFigures
from hub_app.services.insights.rollups import Split
from hub_app.services.insights.space_use import count_rows
from hub_app.services.insights.windows import CURRENT, PREVIOUS, Windows, by_period, in_spans, which_span

APPROVE_ACTION = "member.approve"  # written by services/membership.change_status
DELETED_CONTENT = "deleted"


def _figure(found: dict[int, tuple], index: int = 0) -> Figure:
    return Figure(*(int(found.get(which, (0,) * (index + 1))[index] or 0) for which in (CURRENT, PREVIOUS)))


def _counts(session: Session, windows: Windows, column, *conditions, what=None) -> dict[int, tuple]:
    """count(*) (or `what`) of rows whose `column` falls in each period."""
    which = windows.which(column)
    return by_period(session.exec(select(which, what if what is not None else func.count())
                                  .where(windows.range(column), *conditions).group_by(which)).all())


def members(session: Session, windows: Windows, lang: str, plain: dict[int, Split]) -> MemberFigures:
    sign_ups = _counts(session, windows, User.created_at, User.role == MEMBER)
    approvals = _counts(session, windows, AuditEntry.created_at, AuditEntry.action == APPROVE_ACTION,
                        AuditEntry.target_type == "user", what=func.count(distinct(AuditEntry.target_id)))
    active = _active_members(session, windows, plain)
    totals = {which: (sum(number for w, _, _, number in active if w == which),) for which in (CURRENT, PREVIOUS)}
    current = [(sector, stage, number) for which, sector, stage, number in active if which == CURRENT]
    return MemberFigures(
        sign_ups=_figure(sign_ups), approvals=_figure(approvals), active_members=_figure(totals),
        by_sector=count_rows([(sector, number) for sector, _, number in current], "sector", lang),
        by_stage=count_rows([(stage, number) for _, stage, number in current], "stage", lang),
    )


def _active_members(session: Session, windows: Windows, plain: dict[int, Split]) -> list[tuple[int, str, str, int]]:
    """(period, sector, stage, members): the distinct members who did something in each period. A
    period read from one rolled run is a count over the member months; otherwise the distinct
    (member, period) pairs of the rolled days' bits and the live spans' rows."""
    found = []
    slow = []
    for which in (CURRENT, PREVIOUS):
        if not plain[which].live and len(plain[which].rolled) == 1:
            found += [(which, sector, stage, int(number))
                      for sector, stage, number in rollups.single_run_members(session, plain[which].rolled[0], ACTIVE)]
        else:
            slow.append(which)
    if not slow:
        return found
    spans = {which: plain[which].live if which in slow else () for which in (CURRENT, PREVIOUS)}

    def acts(user_column, moment, *conditions):
        return select(user_column.label("user_id"), which_span(moment, spans).label("which")).where(
            in_spans(moment, spans[CURRENT] + spans[PREVIOUS]), *conditions)

    parts = [part for part in (rollups.rolled_members(plain[which], which, ACTIVE) for which in slow)
             if part is not None]
    if spans[CURRENT] or spans[PREVIOUS]:
        parts += [
            acts(Booking.user_id, Booking.created_at, Booking.kind == MEMBER_BOOKING),
            acts(Enrolment.user_id, Enrolment.created_at),
            acts(Enrolment.user_id, Enrolment.enrolled_at),
            acts(Attendance.user_id, Attendance.created_at),
            acts(ForumPost.author_id, ForumPost.created_at),
        ]
    # A member appears in several parts (and months): counted once (UNION of one part keeps them all).
    done = union(*parts).subquery()
    found += session.exec(
        select(done.c.which, User.sector, User.stage, func.count(distinct(done.c.user_id)))
        .join(User, col(User.id) == done.c.user_id)
        .where(User.role == MEMBER, done.c.which.is_not(None))
        .group_by(done.c.which, User.sector, User.stage)).all()
    return [(which, sector, stage, int(number)) for which, sector, stage, number in found]


def community(session: Session, windows: Windows, plain: dict[int, Split]) -> CommunityFigures:
    threads = _counts(session, windows, ForumThread.created_at, ForumThread.state != DELETED_CONTENT)
    posts = _counts(session, windows, ForumPost.created_at, ForumPost.state != DELETED_CONTENT)
    reports = _counts(session, windows, ForumReport.created_at)
    handled = _counts(session, windows, ForumReport.resolved_at)
    return CommunityFigures(threads=_figure(threads), posts=_figure(posts), posters=_posters(session, plain),
                            reports=_figure(reports), reports_handled=_figure(handled))


def _posters(session: Session, plain: dict[int, Split]) -> Figure:
    """Distinct members who wrote a post (not deleted) in each period: like the active members, a
    count over the member months when the period is one rolled run, else a distinct union."""
    found = dict.fromkeys((CURRENT, PREVIOUS), 0)
    slow = []
    for which in (CURRENT, PREVIOUS):
        if not plain[which].live and len(plain[which].rolled) == 1:
            found[which] = sum(int(number) for _, _, number in
                               rollups.single_run_members(session, plain[which].rolled[0], POSTED))
        else:
            slow.append(which)
    if slow:
        spans = {which: plain[which].live if which in slow else () for which in (CURRENT, PREVIOUS)}
        parts = [part for part in (rollups.rolled_members(plain[which], which, POSTED) for which in slow)
                 if part is not None]
        if spans[CURRENT] or spans[PREVIOUS]:
            parts.append(select(ForumPost.author_id.label("user_id"),
                                which_span(ForumPost.created_at, spans).label("which"))
                         .where(in_spans(ForumPost.created_at, spans[CURRENT] + spans[PREVIOUS]),
                                ForumPost.state != DELETED_CONTENT))
        done = union(*parts).subquery()
        for which, number in session.exec(
                select(done.c.which, func.count(distinct(done.c.user_id))).join(User, col(User.id) == done.c.user_id)
                .where(User.role == MEMBER, done.c.which.is_not(None)).group_by(done.c.which)).all():
            found[which] = int(number)
    return Figure(found[CURRENT], found[PREVIOUS])
