"""Accounts: sign-up, email verification, sign-in with throttling, starting a signed-in session,
password reset, emailed sign-in links (the way in for a member whose password sign-in is
throttled). Who a session cookie belongs to, and signing out, is services/sign_in_sessions.py."""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import validation
from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.membership import DELETED, SUSPENDED, can_sign_in
from hub_app.domain.passwords import password_problem
from hub_app.domain.permissions import Actor
from hub_app.domain.profiles import LIMITS, SECTORS, STAGES
from hub_app.domain.throttle import Attempt, ThrottleLimits, retry_after, wait_minutes
from hub_app.i18n import LOCALES, normalize_locale, translate
from hub_app.models import OneTimeToken, SignInAttempt, User, UserIdentity, UserSession
from hub_app.models.base import utcnow
from hub_app.services import account_mail, sign_in_sessions
from hub_app.services.security import hash_password, hash_token, needs_rehash, new_token, verify_password
from hub_app.settings import get_settings

VERIFY_EMAIL_TTL = timedelta(hours=48)
RESET_PASSWORD_TTL = timedelta(minutes=30)
SIGN_IN_TICKET_TTL = timedelta(seconds=60)
SIGN_IN_LINK_TTL = timedelta(minutes=15)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _issue_token(session: Session, user: User, purpose: str, ttl: timedelta) -> str:
    token = new_token()
    session.add(OneTimeToken(user_id=user.id, purpose=purpose, token_hash=hash_token(token),
                             expires_at=utcnow() + ttl))
    return token


def _issue_only_token(session: Session, user: User, purpose: str, ttl: timedelta) -> str:
    """A new token that replaces the account's unused ones of this purpose: one live reset or
    sign-in link per account, so old mails in an inbox (or a flood of requests) open nothing."""
    session.exec(update(OneTimeToken).where(col(OneTimeToken.user_id) == user.id,
                                            col(OneTimeToken.purpose) == purpose,
                                            col(OneTimeToken.used_at).is_(None))
                 .values(used_at=utcnow()))
    return _issue_token(session, user, purpose, ttl)


def _consume_token(session: Session, token: object, purpose: str) -> User | None:
    """Marks a valid, unused, unexpired token used and returns its user; None otherwise."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    row = session.exec(select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(token),
                                                  OneTimeToken.purpose == purpose)).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    claimed = session.exec(update(OneTimeToken).where(col(OneTimeToken.id) == row.id,
                                                      col(OneTimeToken.used_at).is_(None))
                           .values(used_at=utcnow()))
    if claimed.rowcount != 1:
        return None
    return session.get(User, row.user_id)


def _check_password(password: object, *, user_inputs: tuple[str, ...], field: str = "password") -> str:
    if not isinstance(password, str):
        raise InvalidInput("error.field_type", field=field)
    problem = password_problem(password, user_inputs=user_inputs)
    if problem:
        raise InvalidInput(problem, field=field)
    return password


def clean_profile(form: dict) -> dict:
    """The profile fields a member may set, validated (plain text: HTML tags are refused)."""
    fields = {
        "name": validation.text(form.get("name"), field="name", max_length=LIMITS["name"], required=True),
        "business_name": validation.text(form.get("business_name"), field="business_name",
                                         max_length=LIMITS["business_name"]),
        "sector": validation.choice(form.get("sector"), SECTORS, field="sector", required=False),
        "stage": validation.choice(form.get("stage"), STAGES, field="stage", required=False),
        "bio": validation.text(form.get("bio"), field="bio", max_length=LIMITS["bio"], multiline=True),
        "offers": validation.text(form.get("offers"), field="offers", max_length=LIMITS["offers"], multiline=True),
        "looking_for": validation.text(form.get("looking_for"), field="looking_for",
                                       max_length=LIMITS["looking_for"], multiline=True),
    }
    for name in ("name", "business_name", "bio", "offers", "looking_for"):
        validation.no_tags(fields[name], field=name)
    return fields


def sign_up(actor: Actor | None, *, session: Session, form: dict, locale: str = "id",
            client_address: str = "") -> None:
    """Creates a pending, unverified account and emails a verification link.

    An email that is already registered gets a notice instead of a second account; the caller
    sees the same answer either way, so sign-up does not reveal who has an account. Both ways do
    the same work, the password hash included (argon2 is what a stopwatch would notice).
    """
    if not isinstance(form, dict):
        raise InvalidInput()
    profile = clean_profile(form)
    email = validation.email(form.get("email"))
    password = _check_password(form.get("password"), user_inputs=(email, profile["name"]))
    if not validation.flag(form.get("consent"), field="consent"):
        raise InvalidInput("error.consent_required", field="consent")
    locale = normalize_locale(locale)
    password_hash = hash_password(password)  # before the transaction, and whether or not the email is new

    begin_write(session)
    existing = session.exec(select(User).where(User.email_normalized == normalize_email(email))).first()
    if existing is not None:
        if existing.status != DELETED:
            account_mail.send(
                session, kind="already_registered", to_address=existing.email, client_address=client_address,
                subject=translate("mail.already_registered.title", existing.locale),
                body=translate("mail.already_registered.body", existing.locale),
                link="/reset-password")
        session.commit()
        return
    now = utcnow()
    user = User(email=email, email_normalized=normalize_email(email), password_hash=password_hash,
                locale=locale, consent_at=now, consent_version=get_settings().terms_version, **profile)
    session.add(user)
    session.flush()
    _send_verification(session, user, client_address)
    session.commit()


def _send_verification(session: Session, user: User, client_address: str) -> None:
    send_verification(session, user, client_address)


def send_verification(session: Session, user: User, client_address: str) -> bool:
    """Queues the email-verification link in the caller's write transaction, within the account-mail
    limits; False when a limit held it back (staff resending it from a member's record are told)."""
    return account_mail.send(
        session, kind="verify_email", to_address=user.email, client_address=client_address,
        subject=translate("mail.verify.title", user.locale),
        body=translate("mail.verify.body", user.locale, name=user.name),
        link=lambda: f"/verify/{_issue_token(session, user, 'verify_email', VERIFY_EMAIL_TTL)}")


def verify_email(actor: Actor | None, *, session: Session, token: object) -> None:
    begin_write(session)
    user = _consume_token(session, token, "verify_email")
    if user is None:
        session.rollback()
        raise InvalidInput("error.link_invalid")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.add(user)
    session.commit()


def request_password_reset(actor: Actor | None, *, session: Session, email: object, client_address: str = "") -> None:
    """Emails a reset link if the address has an account (and the mail limits allow it); answers
    the same either way. A new link replaces the account's older ones."""
    email = validation.email(email)
    begin_write(session)
    user = session.exec(select(User).where(User.email_normalized == normalize_email(email))).first()
    if user is not None and user.status != DELETED:
        account_mail.send(
            session, kind="reset_password", to_address=user.email, client_address=client_address,
            subject=translate("mail.reset.title", user.locale),
            body=translate("mail.reset.body", user.locale, name=user.name),
            link=lambda: "/reset-password?token="
            + _issue_only_token(session, user, "reset_password", RESET_PASSWORD_TTL))
    session.commit()


def reset_password(actor: Actor | None, *, session: Session, token: object, password: object) -> None:
    begin_write(session)
    user = _consume_token(session, token, "reset_password")
    if user is None or user.status == DELETED:
        session.rollback()
        raise InvalidInput("error.link_invalid")
    try:
        password = _check_password(password, user_inputs=(user.email, user.name))
    except InvalidInput:
        session.rollback()
        raise
    user.password_hash = hash_password(password)
    # Following the link proves the address too.
    user.email_verified_at = user.email_verified_at or utcnow()
    session.add(user)
    sign_in_sessions.revoke_sessions_of(session, user.id)
    session.commit()


def _throttle_wait(session: Session, email_normalized: str, client_address: str) -> timedelta | None:
    settings = get_settings()
    limits = ThrottleLimits(max_failures_per_pair=settings.signin_max_failures_per_account_and_address,
                            max_failures_per_address=settings.signin_max_failures_per_address,
                            max_failures_per_account=settings.signin_max_failures_per_account,
                            window=timedelta(minutes=settings.signin_window_minutes))
    now = utcnow()
    fields = (SignInAttempt.attempted_at, SignInAttempt.email_normalized, SignInAttempt.client_address,
              SignInAttempt.succeeded)
    # Failures are few (refused attempts are not recorded); of the successes only the pair's last counts.
    failures = session.exec(select(*fields).where(
        col(SignInAttempt.succeeded).is_(False), col(SignInAttempt.attempted_at) > now - limits.window,
        or_(col(SignInAttempt.email_normalized) == email_normalized,
            col(SignInAttempt.client_address) == client_address))).all()
    last_success = session.exec(select(*fields).where(
        col(SignInAttempt.succeeded).is_(True), col(SignInAttempt.attempted_at) > now - limits.window,
        SignInAttempt.email_normalized == email_normalized, SignInAttempt.client_address == client_address)
        .order_by(col(SignInAttempt.attempted_at).desc()).limit(1)).all()
    attempts = [Attempt(at=at, account=account, address=address, succeeded=succeeded)
                for at, account, address, succeeded in [*failures, *last_success]]
    return retry_after(attempts, account=email_normalized, address=client_address, limits=limits, now=now)


def check_password_attempt(session: Session, user: User | None, *, email_normalized: str, password: str,
                           client_address: str, throttled_key: str = "error.sign_in_throttled") -> bool:
    """The one throttled password check (sign-in, account deletion), inside the caller's write
    transaction: refuses (NotAllowed, nothing recorded) while this account from this address, this
    address or this account is throttled; otherwise verifies the password and records the attempt.
    The caller commits either way, so that a failure counts."""
    client_address = str(client_address)[:64]
    wait = _throttle_wait(session, email_normalized, client_address)
    if wait is not None:
        session.rollback()
        raise NotAllowed(throttled_key, minutes=wait_minutes(wait))
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.status != DELETED
    session.add(SignInAttempt(email_normalized=email_normalized, client_address=client_address, succeeded=ok))
    return ok


def sign_in(actor: Actor | None, *, session: Session, email: object, password: object,
            client_address: str) -> str:
    """Checks the credentials and returns a single-use ticket that the browser exchanges for a
    session cookie at /api/auth/session. Unknown email and wrong password look the same."""
    email = validation.text(email, field="email", max_length=254, required=True)
    if not isinstance(password, str) or not password or len(password) > 1024:
        raise InvalidInput("error.sign_in_failed")
    email_normalized = normalize_email(email)
    client_address = str(client_address)[:64]

    begin_write(session)
    user = session.exec(select(User).where(User.email_normalized == email_normalized)).first()
    if not check_password_attempt(session, user, email_normalized=email_normalized, password=password,
                                  client_address=client_address):
        session.commit()
        raise InvalidInput("error.sign_in_failed")
    if user.status == SUSPENDED:
        session.commit()
        raise NotAllowed("error.suspended", reason=user.status_reason or "-")
    if user.email_verified_at is None:
        _send_verification(session, user, client_address)
        session.commit()
        raise NotAllowed("error.email_unverified")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    ticket = _issue_token(session, user, "sign_in", SIGN_IN_TICKET_TTL)
    session.commit()
    return ticket


def request_sign_in_link(actor: Actor | None, *, session: Session, email: object, client_address: str) -> None:
    """Emails a one-time sign-in link, the way in when password sign-in is throttled (or the
    password forgotten), if the address has an account that may sign in and the mail limits allow
    it; answers the same either way. A new link replaces the account's older ones."""
    email = validation.email(email)
    begin_write(session)
    user = session.exec(select(User).where(User.email_normalized == normalize_email(email))).first()
    if user is not None and can_sign_in(user.status):
        account_mail.send(
            session, kind="sign_in_link", to_address=user.email, client_address=client_address,
            subject=translate("mail.sign_in_link.title", user.locale),
            body=translate("mail.sign_in_link.body", user.locale, name=user.name),
            link=lambda: "/sign-in-link?token=" + _issue_only_token(session, user, "sign_in_link", SIGN_IN_LINK_TTL))
    session.commit()


def sign_in_with_link(actor: Actor | None, *, session: Session, token: object, client_address: str) -> str:
    """Redeems an emailed sign-in link (single use, 15 minutes) for a sign-in ticket, which the
    page hands over to /api/auth/session like a password sign-in. Following the link proves the
    address, and counts as a success for this account from this address (ending its run of
    failures); the password throttle does not apply, the link is what gets past it."""
    client_address = str(client_address)[:64]
    begin_write(session)
    user = _consume_token(session, token, "sign_in_link")
    if user is None or user.status == DELETED:
        session.rollback()
        raise InvalidInput("error.link_invalid")
    if user.status == SUSPENDED:
        session.commit()
        raise NotAllowed("error.suspended", reason=user.status_reason or "-")
    session.add(SignInAttempt(email_normalized=user.email_normalized, client_address=client_address,
                              succeeded=True))
    user.email_verified_at = user.email_verified_at or utcnow()
    session.add(user)
    ticket = _issue_token(session, user, "sign_in", SIGN_IN_TICKET_TTL)
    session.commit()
    return ticket


def bind_ticket(*, session: Session, ticket: object, tab: object) -> None:
    """Binds a fresh, unbound sign-in ticket to the browser tab that asked for it (its Reflex tab
    token), so that a ticket cannot be redeemed from another browser: an attacker's own ticket is
    useless in a victim's browser (login CSRF)."""
    if not isinstance(ticket, str) or not isinstance(tab, str) or not tab or len(tab) > 100:
        raise InvalidInput("error.sign_in_failed")
    begin_write(session)
    session.exec(update(OneTimeToken).where(col(OneTimeToken.token_hash) == hash_token(ticket),
                                            col(OneTimeToken.purpose) == "sign_in",
                                            col(OneTimeToken.binding_hash) == "")
                 .values(binding_hash=hash_token(tab)))
    session.commit()


def open_session(*, session: Session, ticket: object, tab: object, previous_token: str = "", user_agent: str = "",
                 client_address: str = "", chosen_locale: object = "") -> str | None:
    """Exchanges a sign-in ticket for a new session token (rotation: any session the browser
    held before is revoked). Returns None for a bad or used ticket, or one bound to another tab.

    `chosen_locale` is the language the visitor chose on this browser before signing in (the
    hub_lang cookie; "" when they chose none): it is kept, and stored on the account."""
    if not isinstance(tab, str) or not tab or len(tab) > 100 or not isinstance(ticket, str):
        return None
    begin_write(session)
    bound = session.exec(select(OneTimeToken.binding_hash).where(OneTimeToken.token_hash == hash_token(ticket),
                                                                 OneTimeToken.purpose == "sign_in")).first()
    if bound is None or not hmac.compare_digest(bound, hash_token(tab)):
        session.rollback()
        return None
    user = _consume_token(session, ticket, "sign_in")
    if user is None or not can_sign_in(user.status):
        session.rollback()
        return None
    _keep_chosen_locale(session, user, chosen_locale)
    token = _start_session(session, user, previous_token=previous_token, user_agent=user_agent,
                           client_address=client_address)
    session.commit()
    return token


def _keep_chosen_locale(session: Session, user: User, chosen_locale: object) -> None:
    if isinstance(chosen_locale, str) and chosen_locale in LOCALES and chosen_locale != user.locale:
        user.locale = chosen_locale
        session.add(user)


def _start_session(session: Session, user: User, *, previous_token: str, user_agent: str,
                   client_address: str) -> str:
    if previous_token:
        sign_in_sessions.revoke_token(session, previous_token)
    token = new_token()
    session.add(UserSession(user_id=user.id, token_hash=hash_token(token), user_agent=user_agent[:200],
                            client_address=client_address[:64],
                            expires_at=utcnow() + timedelta(days=get_settings().session_days)))
    return token


@dataclass(frozen=True)
class ExternalIdentity:
    """What a verified ID token from an OpenID Connect provider says about the person."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str


def sign_in_with_identity(*, session: Session, identity: ExternalIdentity, locale: str = "",
                          previous_token: str = "", user_agent: str = "", client_address: str = "") -> str:
    """Opens a session for the account linked to this provider identity.

    An unknown identity is linked to the account with the same verified email, or becomes a new
    pending member (staff approve them like anyone else). The provider must vouch for the email.
    """
    if not identity.email_verified:
        raise NotAllowed("error.oidc_email_unverified")
    email = validation.email(identity.email)
    name = validation.text(identity.name, field="name", max_length=LIMITS["name"]) or email.split("@")[0]
    begin_write(session)
    link = session.exec(select(UserIdentity).where(UserIdentity.issuer == identity.issuer,
                                                   UserIdentity.subject == identity.subject)).first()
    user = session.get(User, link.user_id) if link else None
    if user is None:
        user = session.exec(select(User).where(User.email_normalized == normalize_email(email))).first()
        if user is None or user.status == DELETED:
            now = utcnow()
            user = User(email=email, email_normalized=normalize_email(email), name=name,
                        password_hash="!" + new_token(), locale=normalize_locale(locale), email_verified_at=now,
                        consent_at=now, consent_version=get_settings().terms_version)
            session.add(user)
            session.flush()
        session.add(UserIdentity(user_id=user.id, issuer=identity.issuer[:255], subject=identity.subject[:255]))
    if user.status == SUSPENDED:
        session.commit()
        raise NotAllowed("error.suspended", reason=user.status_reason or "-")
    if not can_sign_in(user.status):
        session.rollback()
        raise NotAllowed("error.sign_in_failed")
    user.email_verified_at = user.email_verified_at or utcnow()
    session.add(user)
    _keep_chosen_locale(session, user, locale)
    token = _start_session(session, user, previous_token=previous_token, user_agent=user_agent,
                           client_address=client_address)
    session.commit()
    return token


def create_user(*, session: Session, email: str, name: str, password: str, role: str) -> User:
    """For the command line and demo data: an active, verified account."""
    from hub_app.domain.permissions import ROLES

    email = validation.email(email)
    name = validation.text(name, field="name", max_length=LIMITS["name"], required=True)
    validation.choice(role, ROLES, field="role")
    password = _check_password(password, user_inputs=(email, name))
    begin_write(session)
    if session.exec(select(User).where(User.email_normalized == normalize_email(email))).first():
        session.rollback()
        raise InvalidInput("error.email_taken", field="email")
    now = utcnow()
    user = User(email=email, email_normalized=normalize_email(email), name=name,
                password_hash=hash_password(password), role=role, status="active",
                email_verified_at=now, consent_at=now, consent_version=get_settings().terms_version)
    session.add(user)
    session.commit()
    return user
