"""Sign-in records are kept only as long as they are of use: the sign-in limits look back minutes
(services/accounts.py), a session ends after days, a one-time link after hours. Past
settings.sign_in_record_retention_days after that, the duty below deletes them: sign-in attempts
(each with a client address, personal data), sessions that expired or were revoked, and one-time
links that expired (used or not)."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, or_, select

from hub_app.db import begin_write
from hub_app.models import OneTimeToken, SignInAttempt, UserSession
from hub_app.models.base import utcnow
from hub_app.settings import get_settings


def purge_sign_in_records(*, session: Session, now: datetime | None = None, limit: int = 1000) -> int:
    """Deletes at most `limit` rows of each kind past their retention (oldest first is not needed:
    every one found is past it); returns how many. Several workers may run it at once."""
    cutoff = (now or utcnow()) - timedelta(days=get_settings().sign_in_record_retention_days)
    begin_write(session)
    removed = 0
    for model, past in ((SignInAttempt, col(SignInAttempt.attempted_at) < cutoff),
                        (UserSession, or_(col(UserSession.expires_at) < cutoff, col(UserSession.revoked_at) < cutoff)),
                        (OneTimeToken, col(OneTimeToken.expires_at) < cutoff)):
        batch = select(model.id).where(past).limit(limit)
        removed += session.exec(delete(model).where(col(model.id).in_(batch))).rowcount
    session.commit()
    return removed
