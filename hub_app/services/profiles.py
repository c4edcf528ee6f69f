"""A member's own profile: edit it, language, avatar, export all my data, delete my account."""

import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import delete
from sqlmodel import Session, select

from hub_app.db import begin_write
from hub_app.domain import validation
from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.membership import DELETED
from hub_app.domain.permissions import Actor
from hub_app.i18n import LOCALES, format_short_datetime
from hub_app.models import EmailOutbox, Notification, OneTimeToken, User, UserSession
from hub_app.models.base import utcnow
from hub_app.services import images, personal_data
from hub_app.services.accounts import check_password_attempt, clean_profile
from hub_app.services.security import new_token
from hub_app.services.sign_in_sessions import revoke_sessions_of
from hub_app.settings import get_settings

AVATAR_SIZE = 256


@dataclass
class Profile:
    name: str
    email: str
    business_name: str
    sector: str
    stage: str
    bio: str
    offers: str
    looking_for: str
    locale: str
    show_in_directory: bool
    show_email: bool
    avatar_url: str
    role: str
    status: str
    status_reason: str
    member_since: str


def avatar_url(user: User) -> str:
    return f"/media/avatars/{user.avatar_file}" if user.avatar_file else ""


def _own_user(session: Session, actor: Actor | None) -> User:
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    user = session.get(User, actor.user_id)
    if user is None or user.status == DELETED:
        raise NotAllowed("error.sign_in_required")
    return user


def get_profile(actor: Actor | None, *, session: Session) -> Profile:
    user = _own_user(session, actor)
    return Profile(name=user.name, email=user.email, business_name=user.business_name, sector=user.sector,
                   stage=user.stage, bio=user.bio, offers=user.offers, looking_for=user.looking_for,
                   locale=user.locale, show_in_directory=user.show_in_directory, show_email=user.show_email,
                   avatar_url=avatar_url(user), role=user.role, status=user.status,
                   status_reason=user.status_reason,
                   member_since=format_short_datetime(user.created_at, user.locale))


def update_profile(actor: Actor | None, *, session: Session, form: dict) -> Profile:
    if not isinstance(form, dict):
        raise InvalidInput()
    fields = clean_profile(form)
    fields["show_in_directory"] = validation.flag(form.get("show_in_directory"), field="show_in_directory")
    fields["show_email"] = validation.flag(form.get("show_email"), field="show_email")
    begin_write(session)
    user = _own_user(session, actor)
    for name, value in fields.items():
        setattr(user, name, value)
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    return get_profile(actor, session=session)


def set_locale(actor: Actor | None, *, session: Session, locale: object) -> None:
    locale = validation.choice(locale, LOCALES, field="locale")
    begin_write(session)
    user = _own_user(session, actor)
    user.locale = locale
    session.add(user)
    session.commit()


def save_avatar(actor: Actor | None, *, session: Session, data: object) -> str:
    """Checks the upload by its content (PNG, JPEG or WebP, at most 2 MB and upload_max_pixels),
    re-encodes it as a 256 px WebP under a generated name (which also drops metadata such as GPS
    position). Nobody's image is decoded before we know who is asking."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    settings = get_settings()
    webp = images.reencode(data, box=AVATAR_SIZE, quality=82, max_bytes=settings.max_avatar_bytes, field="avatar")

    begin_write(session)
    user = _own_user(session, actor)
    directory = settings.upload_dir / "avatars"
    directory.mkdir(parents=True, exist_ok=True)
    filename = f"{uuid.uuid4().hex}.webp"
    (directory / filename).write_bytes(webp)
    old = user.avatar_file
    user.avatar_file = filename
    session.add(user)
    session.commit()
    if old:
        (directory / old).unlink(missing_ok=True)
    return avatar_url(user)


def export_my_data(actor: Actor | None, *, session: Session) -> dict:
    """Everything the portal holds about the actor, as JSON-ready data (UU 27/2022 access right)."""
    user = _own_user(session, actor)
    account = {key: value for key, value in user.model_dump().items() if key not in ("password_hash",)}
    data = {
        "account": account,
        "sessions": [
            {"created_at": row.created_at, "expires_at": row.expires_at, "revoked_at": row.revoked_at,
             "user_agent": row.user_agent, "client_address": row.client_address}
            for row in session.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
        ],
        "notifications": [
            {"kind": row.kind, "params": row.params, "link": row.link, "created_at": row.created_at,
             "read_at": row.read_at}
            for row in session.exec(select(Notification).where(Notification.user_id == user.id)).all()
        ],
    }
    data.update(personal_data.export_all(session, user.id))
    return _jsonable(data)


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(asdict(value))
    return value


def delete_account(actor: Actor | None, *, session: Session, password: object, client_address: str = "") -> None:
    """Erases personal data and anonymises the account row, so what it did elsewhere (forum
    posts, past bookings, audit entries) stays consistent but no longer names the person.

    The password goes through the sign-in throttle (a stolen session must not become a way to
    guess the password): wrong ones count as failed sign-ins of this account from this address."""
    if not isinstance(password, str) or not password or len(password) > 1024:
        raise InvalidInput("error.password_wrong", field="password")
    begin_write(session)
    user = _own_user(session, actor)
    if not check_password_attempt(session, user, email_normalized=user.email_normalized, password=password,
                                  client_address=client_address, throttled_key="error.password_throttled"):
        session.commit()
        raise InvalidInput("error.password_wrong", field="password")
    personal_data.erase_all(session, user.id)
    avatar, original_email = user.avatar_file, user.email
    for name in ("business_name", "sector", "stage", "bio", "offers", "looking_for", "avatar_file",
                 "status_reason", "consent_version"):
        setattr(user, name, "")
    user.name = ""
    user.email = user.email_normalized = f"deleted-{user.id}@deleted.invalid"
    user.password_hash = "!" + new_token()
    user.status = DELETED
    user.show_in_directory = user.show_email = False
    user.updated_at = utcnow()
    session.add(user)
    revoke_sessions_of(session, user.id)
    session.exec(delete(OneTimeToken).where(OneTimeToken.user_id == user.id))
    session.exec(delete(Notification).where(Notification.user_id == user.id))
    session.exec(delete(EmailOutbox).where(EmailOutbox.to_address == original_email))
    session.commit()
    if avatar:
        (get_settings().upload_dir / "avatars" / avatar).unlink(missing_ok=True)

