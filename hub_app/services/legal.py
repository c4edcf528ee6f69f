"""Agreeing to the terms of use and the privacy notice: the version a member agreed to is stored on
the account (users.consent_version, consent_at); settings.terms_version is the current one."""

from sqlmodel import Session

from hub_app.db import begin_write
from hub_app.domain import validation
from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed
from hub_app.domain.legal import needs_agreement
from hub_app.domain.membership import DELETED
from hub_app.domain.permissions import Actor
from hub_app.models import User
from hub_app.models.base import utcnow
from hub_app.services import audit
from hub_app.settings import get_settings


def current_version() -> str:
    return get_settings().terms_version


def must_agree(actor: Actor | None, *, session: Session) -> bool:
    """Whether the signed-in member has still to agree to the current version."""
    if actor is None:
        return False
    user = session.get(User, actor.user_id)
    return user is not None and needs_agreement(user.consent_version, current_version())


def agree(actor: Actor | None, *, session: Session, version: object, consent: object) -> bool:
    """Records that the actor agrees (the ticked box, `consent`) to `version`, which must be the
    current one: the page sends the version it showed, so a version that changed in the meantime is
    not agreed to unread. Returns whether anything changed (agreeing again changes nothing)."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not validation.flag(consent, field="consent"):
        raise InvalidInput("error.consent_required", field="consent")
    current = current_version()
    if not isinstance(version, str) or version != current:
        raise Conflict("legal.error.version_changed")
    begin_write(session)
    user = session.get(User, actor.user_id)
    if user is None or user.status == DELETED:
        session.rollback()
        raise NotAllowed("error.sign_in_required")
    if not needs_agreement(user.consent_version, current):
        session.rollback()
        return False
    previous = user.consent_version
    user.consent_version = current
    user.consent_at = utcnow()
    session.add(user)
    audit.record(session, actor, "member.terms_agreed", target_type="user", target_id=user.id,
                 detail=f"{previous or '-'} -> {current}")
    session.commit()
    return True
