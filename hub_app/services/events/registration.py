"""Registration for events: members in one tap, guests by a double opt-in link; seats and the
ordered waitlist; cancellation (by the member, or by the guest's link) with automatic promotion.

Every change to who holds a seat runs in one write transaction that first locks the event row
(SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite takes the database write lock), so
two people can never both take the last seat and a freed seat goes to the first in the queue
before anyone else can see it. The seat rules are the trainings' (domain/seats.py). The CHECK
constraint on events.registered_count is the last line: the database refuses more registered
than seats even if this code were wrong.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from hub_app.db import begin_write
from hub_app.domain import events as rules
from hub_app.domain import seats, validation
from hub_app.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hub_app.domain.permissions import Actor, require_member
from hub_app.i18n import normalize_locale, translate
from hub_app.models import Event, EventRegistration, User
from hub_app.models.base import utcnow
from hub_app.services import account_mail
from hub_app.services.events.common import base_url, insert_with_ticket, lock_event, mail_params, tell
from hub_app.services.security import hash_token, new_token


@dataclass
class RegistrationOutcome:
    status: str  # registered | waitlisted
    ticket_code: str  # XXXXX-XXXXX
    registration_id: int = 0
    queue_position: int = 0  # 1-based place on the waitlist, 0 with a seat
    event_id: int = 0


def queue_position(session: Session, registration: EventRegistration) -> int:
    if registration.status != rules.WAITLISTED:
        return 0
    ahead = session.exec(select(func.count()).select_from(EventRegistration).where(
        EventRegistration.event_id == registration.event_id, EventRegistration.status == rules.WAITLISTED,
        col(EventRegistration.queue_number) < registration.queue_number)).one()
    return ahead + 1


def _outcome(session: Session, registration: EventRegistration) -> RegistrationOutcome:
    return RegistrationOutcome(status=registration.status, ticket_code=rules.ticket_label(registration.ticket_code),
                               registration_id=registration.id, queue_position=queue_position(session, registration),
                               event_id=registration.event_id)


# --- seats and the waitlist (the caller holds the event's lock) ------------------------------------

def take_place(event: Event, registration: EventRegistration, now: datetime) -> None:
    """Seats the registrant or queues them (the trainings' rule: a seat only when one is free and
    nobody waits), moving the event's counts."""
    if seats.seat_for_newcomer(capacity=event.capacity, enrolled=event.registered_count,
                               waitlisted=event.waitlist_count):
        registration.status, registration.queue_number = rules.REGISTERED, 0
        event.registered_count += 1
    else:
        registration.status, registration.queue_number = rules.WAITLISTED, event.next_queue_number
        event.next_queue_number += 1
        event.waitlist_count += 1
    registration.updated_at = event.updated_at = now


def promote_waitlist(session: Session, event: Event, now: datetime) -> list[int]:
    """Fills free seats from the waitlist in queue order and tells each promoted person in their
    language. Returns the promoted registrations' ids."""
    if event.waitlist_count == 0 or not rules.promotion_possible(status=event.status, starts_at=event.starts_at,
                                                                 now=now):
        return []
    free = seats.seats_left(event.capacity, event.registered_count)
    if free == 0:
        return []
    waiting = session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.status == rules.WAITLISTED)
        .order_by(col(EventRegistration.queue_number)).limit(free)).all()
    chosen = set(seats.promotions(capacity=event.capacity, enrolled=event.registered_count,
                                  waitlist=[(row.queue_number, row.id) for row in waiting]))
    promoted = []
    for registration in waiting:
        if registration.id not in chosen:
            continue
        registration.status = rules.REGISTERED
        registration.promoted_at = registration.updated_at = now
        event.registered_count += 1
        event.waitlist_count -= 1
        session.add(registration)
        tell(session, event, registration, "promoted")
        promoted.append(registration.id)
    session.add(event)
    return promoted


def free_place(session: Session, event: Event, registration: EventRegistration, now: datetime) -> None:
    """Cancels the registration and hands a freed seat on."""
    if registration.status == rules.REGISTERED:
        event.registered_count -= 1
    elif registration.status == rules.WAITLISTED:
        event.waitlist_count -= 1
    registration.status = rules.REG_CANCELLED
    registration.updated_at = event.updated_at = now
    session.add(registration)
    session.add(event)
    session.flush()
    promote_waitlist(session, event, now)


def _mark_reminded_if_close(event: Event, registration: EventRegistration, now: datetime) -> None:
    # Inside the reminder day the confirmation is the reminder: no second mail an hour later.
    if rules.reminder_due(starts_at=event.starts_at, now=now):
        registration.reminded_at = now


# --- members ---------------------------------------------------------------------------------------

def register_member(actor: Actor | None, *, session: Session, event_id: object) -> RegistrationOutcome:
    """A member takes a seat if one is free, otherwise a place on the waitlist.

    Retries are safe: a member who already holds a seat or a queue place gets it as the answer
    (nothing written). The lookup runs under the event's lock, so two taps at once queue and the
    second finds the first's place."""
    actor = require_member(actor)
    event_id = validation.identifier(event_id, field="event.event_id")
    begin_write(session)
    event = lock_event(session, event_id)
    now = utcnow()
    if event.status == rules.CANCELLED:
        raise Conflict("events.error.cancelled")
    user = session.get(User, actor.user_id)
    # A place taken earlier as a guest with this account's verified email is the member's place:
    # one person, one seat (my_events shows it as theirs by the same rule).
    owner = EventRegistration.user_id == actor.user_id
    if user is not None and user.email_verified_at is not None and user.email_normalized:
        owner = or_(owner, and_(col(EventRegistration.user_id).is_(None),
                                EventRegistration.guest_email == user.email_normalized.lower()))
    existing = session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event.id, owner,
        col(EventRegistration.status).in_(rules.PLACE_HOLDING))).first()
    if existing is not None:
        outcome = _outcome(session, existing)
        session.rollback()  # nothing was written; ends the transaction and its lock
        return outcome
    rules.check_can_register(status=event.status, audience=event.audience, starts_at=event.starts_at, now=now,
                             guest=False)
    registration = EventRegistration(event_id=event.id, user_id=actor.user_id, status=rules.WAITLISTED,
                                     locale=normalize_locale(user.locale if user else actor.locale),
                                     confirmed_at=now, created_at=now)
    take_place(event, registration, now)
    _mark_reminded_if_close(event, registration, now)
    session.add(event)
    insert_with_ticket(session, registration)
    tell(session, event, registration, registration.status)
    session.commit()
    outcome = _outcome(session, registration)
    session.rollback()
    return outcome


def cancel_mine(actor: Actor | None, *, session: Session, registration_id: object) -> None:
    """The member gives up their seat or queue place before the start; the first in the queue
    takes a freed seat at once."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    registration_id = validation.identifier(registration_id, field="event.registration_id")
    begin_write(session)
    registration = session.get(EventRegistration, registration_id)
    # Someone else's registration looks exactly like one that does not exist.
    if registration is None or registration.user_id != actor.user_id:
        raise NotFound("events.error.registration_not_found")
    event = lock_event(session, registration.event_id)
    session.refresh(registration)
    now = utcnow()
    rules.check_cancel(status=registration.status, starts_at=event.starts_at, now=now)
    free_place(session, event, registration, now)
    session.commit()


# --- guests ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GuestForm:
    name: str
    email: str
    organisation: str


def clean_guest_form(form: object) -> GuestForm:
    if not isinstance(form, dict):
        raise InvalidInput("error.invalid", field="event.form")
    name = validation.no_tags(validation.text(form.get("name"), field="event.name", max_length=rules.LIMITS["name"],
                                              required=True), field="event.name")
    email = validation.email(form.get("email"), field="event.email").lower()
    organisation = validation.no_tags(validation.text(form.get("organisation"), field="event.organisation",
                                                      max_length=rules.LIMITS["organisation"]),
                                      field="event.organisation")
    return GuestForm(name=name, email=email, organisation=organisation)


def _links(confirm: str, cancel: str) -> dict:
    return {"confirm_link": f"{base_url()}/events/confirm/{confirm}",
            "cancel_link": f"{base_url()}/events/cancel/{cancel}"}


def register_guest(actor: Actor | None, *, session: Session, event_id: object, form: object, locale: object,
                   client: object) -> None:
    """A guest (no account) asks for a place: the answer is always the same ("check your email"),
    whether a mail went out or not, so the form tells nobody who is registered.

    The mail holds a confirmation link (valid CONFIRM_VALID, single use) and a cancel link. Nothing
    holds a seat until the link is followed (domain/events.py). Asking again for the same event
    sends fresh links for the same registration (the first mail may be lost); an address that
    already holds a place gets its ticket again with a new cancel link. Mails are limited per
    address and per client address like account mail (services/account_mail.py); past a limit
    nothing is written."""
    event_id = validation.identifier(event_id, field="event.event_id")
    guest = clean_guest_form(form)
    locale = normalize_locale(locale)
    begin_write(session)
    event = lock_event(session, event_id)
    now = utcnow()
    rules.check_can_register(status=event.status, audience=event.audience, starts_at=event.starts_at, now=now,
                             guest=True)
    registration = session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event.id, col(EventRegistration.user_id).is_(None),
        EventRegistration.guest_email == guest.email, col(EventRegistration.status).in_(rules.LIVE))).first()
    confirm, cancel = new_token(), new_token()
    if registration is None:
        registration = EventRegistration(event_id=event.id, status=rules.UNCONFIRMED, created_at=now)
    registration.guest_name, registration.guest_organisation = guest.name, guest.organisation
    registration.guest_email, registration.locale, registration.updated_at = guest.email, locale, now
    registration.cancel_token_hash = hash_token(cancel)
    kind = "guest_confirm"
    if registration.status == rules.UNCONFIRMED:
        registration.confirm_token_hash = hash_token(confirm)
        registration.confirm_expires_at = now + rules.CONFIRM_VALID
    else:
        kind = "guest_again"
    if registration.id is None:
        insert_with_ticket(session, registration)
    params = mail_params(session, event, registration, locale) | _links(confirm, cancel)
    sent = account_mail.send(session, kind=f"{account_mail.EVENT_KIND_PREFIX}{event.id}", to_address=guest.email,
                             client_address=str(client or "")[:64],
                             subject=translate(f"notify.event.{kind}.title", locale, **params),
                             body=translate(f"notify.event.{kind}.body", locale, **params))
    if not sent:
        session.rollback()
        return
    session.add(registration)
    session.commit()


def _by_token(session: Session, column, token: object) -> EventRegistration:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound("events.error.link_invalid")
    registration = session.exec(select(EventRegistration).where(column == hash_token(token))).first()
    if registration is None:
        raise NotFound("events.error.link_invalid")
    return registration


def confirm_guest(*, session: Session, token: object) -> RegistrationOutcome:
    """The guest followed the link in the mail (and pressed the button: never on a GET, so mail
    scanners do not spend it): the request takes a seat or a queue place now. Single use: a
    replayed link is refused, and so is one past CONFIRM_VALID."""
    begin_write(session)
    registration = _by_token(session, EventRegistration.confirm_token_hash, token)
    event = lock_event(session, registration.event_id)
    session.refresh(registration)
    now = utcnow()
    rules.check_confirm(status=registration.status, confirmed=registration.confirmed_at is not None,
                        expires_at=registration.confirm_expires_at, now=now)
    rules.check_can_register(status=event.status, audience=event.audience, starts_at=event.starts_at, now=now,
                             guest=True)
    registration.confirmed_at = now
    take_place(event, registration, now)
    _mark_reminded_if_close(event, registration, now)
    session.add(event)
    session.add(registration)
    tell(session, event, registration, registration.status)
    session.commit()
    outcome = _outcome(session, registration)
    session.rollback()
    return outcome


def cancel_by_token(*, session: Session, token: object) -> None:
    """The guest's cancel link (a button press on its page): frees the seat or queue place, or
    withdraws an unconfirmed request; the first in the queue takes a freed seat at once."""
    begin_write(session)
    registration = _by_token(session, EventRegistration.cancel_token_hash, token)
    event = lock_event(session, registration.event_id)
    session.refresh(registration)
    now = utcnow()
    rules.check_cancel(status=registration.status, starts_at=event.starts_at, now=now)
    free_place(session, event, registration, now)
    session.commit()


# --- personal data (UU 27/2022) ---------------------------------------------------------------

def export_personal_data(session: Session, user_id: int) -> dict:
    rows = session.exec(select(EventRegistration, Event).join(Event, col(Event.id) == EventRegistration.event_id)
                        .where(EventRegistration.user_id == user_id).order_by(col(EventRegistration.id))).all()
    return {"registrations": [
        {"event_id": event.id, "event": event.title_id or event.title_en, "starts_at": event.starts_at,
         "status": registration.status, "ticket_code": rules.ticket_label(registration.ticket_code),
         "created_at": registration.created_at, "checked_in_at": registration.checked_in_at}
        for registration, event in rows]}


def erase_personal_data(session: Session, user_id: int) -> None:
    """Places in coming events are given up (the first waiting is promoted, as on a cancellation);
    registrations made as a guest with the account's email lose the guest's data now. Past
    registrations stay for the hub's records and no longer name the person once the account row
    is anonymised."""
    now = utcnow()
    live = session.exec(select(EventRegistration).where(EventRegistration.user_id == user_id,
                                                        col(EventRegistration.status).in_(rules.LIVE))).all()
    for registration in live:
        event = lock_event(session, registration.event_id)
        session.refresh(registration)
        if registration.status in rules.LIVE and now < event.starts_at:
            free_place(session, event, registration, now)
    user = session.get(User, user_id)
    if user is not None and user.email_normalized:
        for guest in session.exec(select(EventRegistration).where(
                col(EventRegistration.user_id).is_(None),
                EventRegistration.guest_email == user.email_normalized.lower())).all():
            guest.guest_name = guest.guest_email = guest.guest_organisation = ""
            guest.confirm_token_hash = guest.cancel_token_hash = None
            guest.guest_data_erased_at = guest.updated_at = now
            session.add(guest)
    session.flush()


def _register_personal_data() -> None:
    from hub_app.services import personal_data

    if not any(feature.name == "events" for feature in personal_data.FEATURES):
        personal_data.register("events", export=export_personal_data, erase=erase_personal_data)


_register_personal_data()
