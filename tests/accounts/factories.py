"""Arranging accounts directly in the database for service tests."""

from sqlmodel import Session

from hub_app.domain.permissions import Actor
from hub_app.models import User
from hub_app.models.base import utcnow
from hub_app.services.security import hash_password

PASSWORD = "kopi-temanggung-tubruk-42"
_HASH = hash_password(PASSWORD)


def make_user(session: Session, email: str, *, name: str = "Rina Kusuma", role: str = "member",
              status: str = "active", verified: bool = True) -> User:
    now = utcnow()
    user = User(email=email, email_normalized=email.lower(), name=name, password_hash=_HASH, role=role,
                status=status, email_verified_at=now if verified else None, consent_at=now, consent_version="t")
    session.add(user)
    session.commit()
    return user


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role, status=user.status, name=user.name, locale=user.locale)


def open_session_for(session: Session, ticket: str, *, tab: str = "test-tab-token", **kwargs) -> str | None:
    """The login page's way: the ticket is bound to the asking tab, then exchanged with that tab."""
    from hub_app.services import accounts

    session.commit()  # end the test's own read (services start write transactions)
    accounts.bind_ticket(session=session, ticket=ticket, tab=tab)
    return accounts.open_session(session=session, ticket=ticket, tab=tab, **kwargs)
