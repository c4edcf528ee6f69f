"""One member's record for staff (/admin/members/<id>): profile, membership history with reasons
(from the audit trail), bookings (upcoming, past, no-shows), trainings (enrolled, waitlisted,
completed), forum posts and reports, the audit entries about them, and their booking quotas.

The record is read in a few bounded queries (counts and a short page of rows each). The actions
on it are the existing services' own: membership.change_status (approve, reject, suspend,
reactivate), booking_admin.set_quota; resending the verification email is here, through the
account-mail path that limits mails (accounts.send_verification).
"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import validation
from hub_app.domain.bookings import HOLDING
from hub_app.domain.errors import Conflict, NotAllowed, NotFound
from hub_app.domain.membership import DELETED
from hub_app.domain.permissions import Actor, may_manage_members
from hub_app.domain.staff_home import membership_actions, waits_for_email
from hub_app.domain.trainings import ENROLLED, WAITLISTED
from hub_app.i18n import CATALOGUE, format_short_datetime, pick, translate
from hub_app.models import AuditEntry, Booking, Enrolment, ForumPost, ForumReport, ForumThread, Space, Training, User
from hub_app.models.base import utcnow
from hub_app.services import accounts, audit, booking_admin
from hub_app.services.spaces import space_name

ROWS = 10
AUDIT_ROWS = 20
POST_ROWS = 5


@dataclass
class HistoryRow:
    when: str
    action: str  # readable, in the staff member's language
    by: str
    reason: str


@dataclass
class RecordBooking:
    id: int
    space: str
    when: str
    status: str
    checked_in: bool
    no_show: bool


@dataclass
class RecordTraining:
    id: int
    title: str
    when: str
    status: str  # enrolled | waitlisted | completed | withdrawn | removed


@dataclass
class RecordPost:
    id: int
    thread_id: int
    thread_title: str
    excerpt: str
    when: str
    state: str
    open_reports: int


@dataclass
class MemberFile:
    id: int
    name: str
    email: str
    handle: str
    business_name: str
    sector: str
    stage: str
    role: str
    status: str
    status_reason: str
    verified: bool
    joined: str
    # What staff may do here (the membership service checks it again when they do it).
    actions: list[str]
    waits_for_email: bool
    history: list[HistoryRow]
    upcoming_count: int
    upcoming: list[RecordBooking]
    past_count: int
    past: list[RecordBooking]
    no_shows: int
    hours_per_week: int
    upcoming_bookings: int
    custom_quota: bool
    enrolled: int
    waitlisted: int
    completed: int
    trainings: list[RecordTraining]
    posts_count: int
    posts: list[RecordPost]
    reports_against: int  # open reports about their posts
    reports_made: int
    audit: list[HistoryRow]


def _member(session: Session, member_id: object) -> User:
    member_id = validation.identifier(member_id, field="member_id")
    user = session.get(User, member_id)
    if user is None or user.status == DELETED:
        raise NotFound()
    return user


def _action_label(action: str, locale: str) -> str:
    key = f"staff.action.{action}"
    return translate(key, locale) if key in CATALOGUE else action


def record(actor: Actor | None, *, session: Session, member_id: object) -> MemberFile:
    """Staff and admins only."""
    if not may_manage_members(actor):
        raise NotAllowed()
    user = _member(session, member_id)
    locale = actor.locale
    now = utcnow()
    verified = user.email_verified_at is not None
    may_act = user.id != actor.user_id and (user.role == "member" or actor.is_admin)
    quota = booking_admin.member_record(actor, session=session, email=user.email)

    mine = Booking.user_id == user.id
    upcoming_where = (mine, col(Booking.status).in_(HOLDING), col(Booking.ends_at) > now)
    past_where = (mine, col(Booking.ends_at) <= now)
    entries = _audit_rows(session, user.id, locale)
    return MemberFile(
        id=user.id, name=user.name, email=user.email, handle=user.handle or "", business_name=user.business_name,
        sector=user.sector, stage=user.stage, role=user.role, status=user.status, status_reason=user.status_reason,
        verified=verified, joined=format_short_datetime(user.created_at, locale),
        actions=membership_actions(user.status, verified) if may_act else [],
        waits_for_email=may_act and waits_for_email(user.status, verified),
        history=_audit_rows(session, user.id, locale, membership_only=True),
        upcoming_count=_count(session, Booking, *upcoming_where),
        upcoming=_bookings(session, upcoming_where, col(Booking.starts_at), locale),
        past_count=_count(session, Booking, *past_where),
        past=_bookings(session, past_where, col(Booking.starts_at).desc(), locale),
        no_shows=quota.no_shows, hours_per_week=quota.hours_per_week, upcoming_bookings=quota.upcoming_bookings,
        custom_quota=quota.custom_quota,
        # A completed training counts as completed, not also as enrolled.
        enrolled=_count(session, Enrolment, Enrolment.user_id == user.id, Enrolment.status == ENROLLED,
                        col(Enrolment.completed_at).is_(None)),
        waitlisted=_count(session, Enrolment, Enrolment.user_id == user.id, Enrolment.status == WAITLISTED),
        completed=_count(session, Enrolment, Enrolment.user_id == user.id,
                         col(Enrolment.completed_at).is_not(None)),
        trainings=_trainings(session, user.id, locale),
        posts_count=_count(session, ForumPost, ForumPost.author_id == user.id),
        posts=_posts(session, user.id, locale),
        reports_against=session.exec(
            select(func.count()).select_from(ForumReport).join(ForumPost, col(ForumPost.id) == ForumReport.post_id)
            .where(ForumPost.author_id == user.id, col(ForumReport.resolved_at).is_(None))).one(),
        reports_made=_count(session, ForumReport, ForumReport.reporter_id == user.id),
        audit=entries,
    )


def _count(session: Session, table, *where) -> int:
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def _bookings(session: Session, where: tuple, order, locale: str) -> list[RecordBooking]:
    found = session.exec(select(Booking, Space).join(Space, col(Space.id) == Booking.space_id)
                         .where(*where).order_by(order, col(Booking.id)).limit(ROWS)).all()
    return [RecordBooking(id=booking.id, space=space_name(space, locale), when=_span(booking, locale),
                          status=booking.status, checked_in=booking.checked_in_at is not None,
                          no_show=booking.no_show) for booking, space in found]


def _span(booking: Booking, locale: str) -> str:
    return f"{format_short_datetime(booking.starts_at, locale)} – {format_short_datetime(booking.ends_at, locale)}"


def _trainings(session: Session, user_id: int, locale: str) -> list[RecordTraining]:
    found = session.exec(select(Enrolment, Training).join(Training, col(Training.id) == Enrolment.training_id)
                         .where(Enrolment.user_id == user_id)
                         .order_by(col(Training.starts_at).desc(), col(Enrolment.id).desc()).limit(ROWS)).all()
    return [RecordTraining(id=training.id, title=pick(training.title_id, training.title_en, locale),
                           when=format_short_datetime(training.starts_at, locale) if training.starts_at else "",
                           status="completed" if enrolment.completed_at is not None else enrolment.status)
            for enrolment, training in found]


def _posts(session: Session, user_id: int, locale: str) -> list[RecordPost]:
    open_reports = (select(func.count()).select_from(ForumReport)
                    .where(ForumReport.post_id == ForumPost.id, col(ForumReport.resolved_at).is_(None))
                    .correlate(ForumPost).scalar_subquery())
    found = session.exec(select(ForumPost, ForumThread.title, open_reports)
                         .join(ForumThread, col(ForumThread.id) == ForumPost.thread_id)
                         .where(ForumPost.author_id == user_id)
                         .order_by(col(ForumPost.created_at).desc(), col(ForumPost.id).desc()).limit(POST_ROWS)).all()
    return [RecordPost(id=post.id, thread_id=post.thread_id, thread_title=title,
                       excerpt=_excerpt(post.body_text), when=format_short_datetime(post.created_at, locale),
                       state=post.state, open_reports=reports or 0)
            for post, title, reports in found]


def _excerpt(text: str, length: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _audit_rows(session: Session, user_id: int, locale: str, *, membership_only: bool = False) -> list[HistoryRow]:
    query = (select(AuditEntry, User.name).join(User, col(User.id) == AuditEntry.actor_id, isouter=True)
             .where(AuditEntry.target_type == "user", AuditEntry.target_id == user_id))
    if membership_only:
        query = query.where(col(AuditEntry.action).like("member.%"))
    found = session.exec(query.order_by(col(AuditEntry.id).desc()).limit(AUDIT_ROWS)).all()
    return [HistoryRow(when=format_short_datetime(entry.created_at, locale), action=_action_label(entry.action, locale),
                       by=name or "-", reason=entry.detail) for entry, name in found]


def resend_verification(actor: Actor | None, *, session: Session, member_id: object,
                        client_address: object = "") -> bool:
    """Staff send a member's email-verification link again. The account-mail limits apply (per
    recipient and per asking address): returns False when they held the mail back."""
    if not may_manage_members(actor):
        raise NotAllowed()
    member_id = validation.identifier(member_id, field="member_id")
    begin_write(session)
    user = _member(session, member_id)
    if user.email_verified_at is not None:
        raise Conflict("staff.error.already_verified")
    sent = accounts.send_verification(session, user, str(client_address or "")[:64])
    if sent:
        audit.record(session, actor, "member.resend_verification", target_type="user", target_id=user.id)
    session.commit()
    return sent
