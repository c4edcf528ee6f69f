"""Sign-in sessions: who a session cookie belongs to (looked up for every event of a signed-in tab),
what the app shell shows about them, and signing out. A session is started by a sign-in
(services/accounts.py); it ends when revoked, expired or idle, or when its member may no longer sign
in."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select

from hub_app.db import begin_write, is_reading, new_session
from hub_app.domain.errors import NotAllowed
from hub_app.domain.legal import needs_agreement
from hub_app.domain.membership import can_sign_in
from hub_app.domain.permissions import Actor
from hub_app.domain.sessions import is_idle
from hub_app.models import Notification, User, UserSession
from hub_app.models.base import utcnow
from hub_app.services import notifications
from hub_app.services.security import hash_token
from hub_app.settings import get_settings

SEEN_REFRESH = timedelta(minutes=5)


# The session lookup runs for every event of a signed-in tab: columns only (no ORM objects), and
# statements built once, so SQLAlchemy computes their cache keys once instead of on every call.
_SESSION_COLUMNS = (UserSession.id, UserSession.revoked_at, UserSession.expires_at, UserSession.last_seen_at,
                    UserSession.created_at, User.id, User.role, User.status, User.name, User.locale)
_ACTOR_FOR_TOKEN = (select(*_SESSION_COLUMNS).join(User, col(UserSession.user_id) == User.id)
                    .where(col(UserSession.token_hash) == bindparam("token_hash")))
_UNREAD = (select(func.count()).select_from(Notification)
           .where(col(Notification.user_id) == User.id, col(Notification.read_at).is_(None))
           .correlate(User).scalar_subquery())
_SHELL_FOR_TOKEN = _ACTOR_FOR_TOKEN.add_columns(User.status_reason, User.consent_version, _UNREAD)
_TOUCH_SESSION = (update(UserSession).where(col(UserSession.id) == bindparam("session_id"))
                  .values(last_seen_at=bindparam("now")))


def _session_row(session: Session, statement, token: str):
    """The row of a live session for a cookie's token (None for a missing, revoked, expired, idle or
    barred one). Ends its own transaction, so the caller's service can start a write transaction (a
    reading session has none to end: rolling back would only hand its connection back to the pool)."""
    if not token or len(token) > 100:
        return None
    row = session.connection().execute(statement, {"token_hash": hash_token(token)}).first()
    if not is_reading(session):
        session.rollback()
    if row is None:
        return None
    session_id, revoked_at, expires_at, last_seen, created_at, _, _, status, *_ = row
    last_seen = last_seen or created_at
    now = utcnow()
    idle_limit = timedelta(hours=get_settings().session_idle_hours)
    if revoked_at is not None or expires_at <= now or not can_sign_in(status) or is_idle(last_seen, now, idle_limit):
        return None
    if now - last_seen >= SEEN_REFRESH:
        # One small write every few minutes per session keeps the idle clock honest without a
        # write per event (in a session of its own when the lookup's only reads).
        if is_reading(session):
            with new_session() as writing:
                _touch(writing, session_id, now)
        else:
            _touch(session, session_id, now)
    return row


def _touch(session: Session, session_id: int, now) -> None:
    begin_write(session)
    session.connection().execute(_TOUCH_SESSION, {"session_id": session_id, "now": now})
    session.commit()


def _actor_of(row) -> Actor:
    user_id, role, status, name, locale = row[5:10]
    return Actor(user_id=user_id, role=role, status=status, name=name, locale=locale)


def actor_for_token(*, session: Session, token: str) -> Actor | None:
    """The actor behind a session cookie, or None for a missing, revoked, expired, idle or barred
    session. Ends its own transaction, so the caller's service can start a write transaction."""
    row = _session_row(session, _ACTOR_FOR_TOKEN, token)
    return _actor_of(row) if row is not None else None


def shell_for_token(*, session: Session, token: str) -> tuple[Actor | None, "SessionSummary | None"]:
    """actor_for_token and session_summary in one statement: the shell asks on every page load."""
    row = _session_row(session, _SHELL_FOR_TOKEN, token)
    if row is None:
        return None, None
    actor = _actor_of(row)
    status_reason, consent_version, unread = row[10:13]
    return actor, SessionSummary(user_id=actor.user_id, name=actor.name, role=actor.role, status=actor.status,
                                 status_reason=status_reason, locale=actor.locale, unread=unread,
                                 must_agree=needs_agreement(consent_version, get_settings().terms_version))


def revoke_token(session: Session, token: str) -> None:
    session.exec(update(UserSession).where(col(UserSession.token_hash) == hash_token(token),
                                           col(UserSession.revoked_at).is_(None)).values(revoked_at=utcnow()))


def sign_out(*, session: Session, token: str) -> None:
    if token:
        revoke_token(session, token)
        session.commit()


def sign_out_everywhere(actor: Actor | None, *, session: Session) -> None:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    revoke_sessions_of(session, actor.user_id)
    session.commit()


def revoke_sessions_of(session: Session, user_id: int) -> None:
    """Signs a member out everywhere inside the caller's transaction (a password reset, a suspension)."""
    session.exec(update(UserSession).where(col(UserSession.user_id) == user_id,
                                           col(UserSession.revoked_at).is_(None)).values(revoked_at=utcnow()))


@dataclass
class SessionSummary:
    """What the app shell shows about who is signed in."""

    user_id: int
    name: str
    role: str
    status: str
    status_reason: str
    locale: str
    unread: int
    must_agree: bool = False  # to the current terms and privacy notice (domain/legal.py)


def session_summary(actor: Actor | None, *, session: Session) -> SessionSummary | None:
    if actor is None:
        return None
    user = session.get(User, actor.user_id)
    return SessionSummary(user_id=user.id, name=user.name, role=user.role, status=user.status,
                          status_reason=user.status_reason, locale=user.locale,
                          unread=notifications.unread_count(actor, session=session),
                          must_agree=needs_agreement(user.consent_version, get_settings().terms_version))
