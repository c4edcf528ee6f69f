"""Registration of members and guests, the waitlist and promotion, the guests' links, cancellation
and every bad input of the issue, against a real database on SQLite and on PostgreSQL."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from hub_app.domain import events as rules
from hub_app.models import AccountMail, EmailOutbox, EventRegistration, Notification, User
from hub_app.models.base import utcnow
from hub_app.services import events
from tests.accounts.factories import actor_of, make_user
from tests.events.helpers import error_key, links_for, mails_to, make_event, members, registrations, reload
from tests.transactions import end_read

GUEST = {"name": "Sari Wulandari", "email": "Sari@Contoh.example", "organisation": "Kopi Nusantara"}


def _state(session, event):
    """Everything that must stay unchanged when a request is refused."""
    fresh = reload(session, event)
    seats = (fresh.registered_count, fresh.waitlist_count, fresh.next_queue_number)
    rows = [(row.id, row.status, row.queue_number, row.guest_name, row.guest_email, row.checked_in_at)
            for row in registrations(session, event)]
    counts = (len(session.exec(select(Notification)).all()), len(session.exec(select(EmailOutbox)).all()),
              len(session.exec(select(AccountMail)).all()))
    end_read(session)
    return seats, rows, counts


def _guest(session, event, form=None, *, locale="id", client="10.0.0.1"):
    end_read(session)
    events.register_guest(None, session=session, event_id=event, form=dict(GUEST) if form is None else form,
                          locale=locale, client=client)


def _confirm(session, email):
    confirm, _ = links_for(session, email)
    return events.confirm_guest(session=session, token=confirm)


def test_members_fill_the_seats_then_queue_in_order_and_a_cancel_promotes_the_first(session):
    event = make_event(session, capacity=2)
    people = members(session, 4)
    outcomes = []
    for actor in people:
        end_read(session)
        outcomes.append(events.register_member(actor, session=session, event_id=event))
    assert [o.status for o in outcomes] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert [o.queue_position for o in outcomes] == [0, 0, 1, 2]
    assert all(len(o.ticket_code) == 11 and o.ticket_code[5] == "-" for o in outcomes)
    fresh = reload(session, event)
    assert (fresh.registered_count, fresh.waitlist_count) == (2, 2)

    # A retry (double tap) answers with the place already held; nothing is written.
    again = events.register_member(people[2], session=session, event_id=event)
    assert (again.status, again.registration_id, again.queue_position) == ("waitlisted", outcomes[2].registration_id, 1)

    events.cancel_mine(people[0], session=session, registration_id=outcomes[0].registration_id)
    rows = {row.user_id: row for row in registrations(session, event)}
    assert rows[people[0].user_id].status == "cancelled"
    assert rows[people[2].user_id].status == "registered" and rows[people[2].user_id].promoted_at is not None
    assert rows[people[3].user_id].status == "waitlisted"
    fresh = reload(session, event)
    assert (fresh.registered_count, fresh.waitlist_count) == (2, 1)
    promoted = session.exec(select(Notification).where(Notification.user_id == people[2].user_id,
                                                       Notification.kind == "event.promoted")).all()
    assert len(promoted) == 1
    subjects = [mail.subject for mail in session.exec(select(EmailOutbox).order_by(col(EmailOutbox.id))).all()]
    end_read(session)
    assert subjects[-1].startswith("Anda mendapat kursi: Temu Startup Jakarta–Berlin")


def test_promotion_mail_is_in_the_registrants_language(session):
    event = make_event(session, capacity=1)
    english, = members(session, 1, prefix="en", locale="en")
    first, = members(session, 1)
    end_read(session)
    seat = events.register_member(first, session=session, event_id=event)
    events.register_member(english, session=session, event_id=event)
    _guest(session, event, locale="en")
    _confirm(session, "sari@contoh.example")
    events.cancel_mine(first, session=session, registration_id=seat.registration_id)
    session.expire_all()
    subjects = [mail.subject for mail in session.exec(select(EmailOutbox).order_by(col(EmailOutbox.id))).all()]
    end_read(session)
    assert subjects[-1].startswith("You got a seat: Jakarta–Berlin startup meetup")


def test_a_guest_confirms_by_the_link_once_and_only_then_takes_a_seat(session):
    event = make_event(session, capacity=5)
    _guest(session, event)
    row, = registrations(session, event)
    assert (row.status, row.guest_email, row.queue_number) == ("unconfirmed", "sari@contoh.example", 0)
    assert reload(session, event).registered_count == 0, "an unconfirmed guest holds no seat"
    mail, = mails_to(session, "sari@contoh.example")
    assert "/events/confirm/" in mail.body_text and "/events/cancel/" in mail.body_text
    assert mail.subject.startswith("Konfirmasi pendaftaran Anda")

    outcome = _confirm(session, "sari@contoh.example")
    assert outcome.status == "registered"
    assert reload(session, event).registered_count == 1
    confirmation = mails_to(session, "sari@contoh.example")[-1]
    assert outcome.ticket_code in confirmation.body_text and "/api/events/tickets/" in confirmation.body_text

    # Replayed: refused, nothing changed.
    before = _state(session, event)
    token = _first_confirm_token(session)
    assert error_key(lambda: events.confirm_guest(session=session, token=token), session) == "events.error.link_used"
    assert _state(session, event) == before


def _first_confirm_token(session):
    session.expire_all()
    first = session.exec(select(EmailOutbox).order_by(col(EmailOutbox.id))).first()
    end_read(session)
    return re.search(r"/events/confirm/([A-Za-z0-9_\-]+)", first.body_text).group(1)


def test_an_expired_or_unknown_link_is_refused_and_nothing_changes(session):
    event = make_event(session, capacity=5)
    _guest(session, event)
    session.exec(update(EventRegistration).values(confirm_expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    before = _state(session, event)
    confirm, _ = links_for(session, "sari@contoh.example")
    assert error_key(lambda: events.confirm_guest(session=session, token=confirm), session) == \
        "events.error.link_expired"
    for junk in ("x" * 43, "", None, 7, "a" * 5000, {"token": confirm}):
        assert error_key(lambda junk=junk: events.confirm_guest(session=session, token=junk), session) == \
            "events.error.link_invalid"
        assert error_key(lambda junk=junk: events.cancel_by_token(session=session, token=junk), session) == \
            "events.error.link_invalid"
    assert _state(session, event) == before
    # The stale request goes with the duty; the guest may register again and gets fresh links.
    assert events.expire_unconfirmed(session=session) == 1
    assert error_key(lambda: events.confirm_guest(session=session, token=confirm), session) == \
        "events.error.link_expired"
    session.exec(update(AccountMail).values(created_at=utcnow() - timedelta(minutes=5)))  # a while later
    session.commit()
    _guest(session, event)
    assert _confirm(session, "sari@contoh.example").status == "registered"


def test_asking_again_resends_links_for_the_same_row(session):
    event = make_event(session, capacity=5)
    _guest(session, event, client="10.0.0.1")
    _guest(session, event, client="10.0.0.2")
    assert len(registrations(session, event)) == 1
    # The repeat gap of the account mail limits: the second mail within a minute is not sent.
    assert len(mails_to(session, "sari@contoh.example")) == 1
    session.exec(update(AccountMail).values(created_at=utcnow() - timedelta(minutes=5)))
    session.commit()
    _guest(session, event, client="10.0.0.2")
    assert len(mails_to(session, "sari@contoh.example")) == 2
    assert _confirm(session, "sari@contoh.example").status == "registered"
    # Once registered, asking again mails the ticket with a new cancel link (the old one stops).
    _, old_cancel = links_for(session, "sari@contoh.example")
    session.exec(update(AccountMail).values(created_at=utcnow() - timedelta(minutes=5)))
    session.commit()
    _guest(session, event, client="10.0.0.3")
    last = mails_to(session, "sari@contoh.example")[-1]
    assert "sudah terdaftar" in last.body_text
    _, new_cancel = links_for(session, "sari@contoh.example")
    assert new_cancel != old_cancel
    assert error_key(lambda: events.cancel_by_token(session=session, token=old_cancel), session) == \
        "events.error.link_invalid"
    events.cancel_by_token(session=session, token=new_cancel)
    assert [row.status for row in registrations(session, event)] == ["cancelled"]


def test_guest_mail_limits_per_address_and_client_write_nothing_past_them(session):
    event = make_event(session, capacity=50)
    for index in range(50):
        _guest(session, event, {**GUEST, "email": f"tamu{index}@contoh.example"}, client="10.9.9.9")
    before = _state(session, event)
    _guest(session, event, {**GUEST, "email": "satu-lagi@contoh.example"}, client="10.9.9.9")
    assert _state(session, event) == before


def test_cancel_by_link_frees_the_seat_for_the_first_waiting(session):
    event = make_event(session, capacity=1)
    _guest(session, event)
    _confirm(session, "sari@contoh.example")
    waiting, = members(session, 1)
    end_read(session)
    assert events.register_member(waiting, session=session, event_id=event).status == "waitlisted"
    _, cancel = links_for(session, "sari@contoh.example")
    events.cancel_by_token(session=session, token=cancel)
    statuses = {row.user_id: row.status for row in registrations(session, event)}
    assert statuses == {None: "cancelled", waiting.user_id: "registered"}
    before = _state(session, event)
    assert error_key(lambda: events.cancel_by_token(session=session, token=cancel), session) == \
        "events.error.already_cancelled"
    assert _state(session, event) == before


def test_bad_guest_input_is_refused_with_a_message_and_nothing_changes(session):
    event = make_event(session, capacity=5)
    before = _state(session, event)
    cases = {
        "error.field_too_long": {**GUEST, "name": "N" * 100_000},
        "error.email_invalid": {**GUEST, "email": "bukan-email"},
        "error.field_required": {**GUEST, "name": "   "},
        "error.markup": {**GUEST, "organisation": "<script>alert(1)</script>"},
        "error.field_type": {**GUEST, "email": ["a@b.example"]},
    }
    for key, form in cases.items():
        assert error_key(lambda form=form: _guest(session, event, form), session) == key
    assert error_key(lambda: _guest(session, event, "not a form"), session) == "error.invalid"
    assert error_key(lambda: events.register_guest(None, session=session, event_id="1; drop", form=GUEST,
                                                   locale="id", client=""), session) == "error.field_type"
    assert _state(session, event) == before


def test_who_may_register_when(session):
    members_only = make_event(session, audience=rules.MEMBERS_ONLY)
    draft = make_event(session, status=rules.DRAFT)
    cancelled = make_event(session, status=rules.CANCELLED)
    started = make_event(session, starts_in=timedelta(minutes=-10))
    pending = actor_of(make_user(session, "baru@contoh.example", status="pending"))
    member, = members(session, 1)
    assert error_key(lambda: _guest(session, members_only), session) == "events.error.members_only"
    assert events.register_member(member, session=session, event_id=members_only).status == "registered"
    assert error_key(lambda: events.register_member(None, session=session, event_id=members_only),
                     session) == "error.sign_in_required"
    assert error_key(lambda: events.register_member(pending, session=session, event_id=members_only),
                     session) == "error.active_required"
    assert error_key(lambda: events.register_member(member, session=session, event_id=draft),
                     session) == "events.error.not_found"
    assert error_key(lambda: events.register_member(member, session=session, event_id=cancelled),
                     session) == "events.error.cancelled"
    assert error_key(lambda: events.register_member(member, session=session, event_id=started),
                     session) == "events.error.started"
    assert error_key(lambda: events.register_member(member, session=session, event_id=10**9),
                     session) == "events.error.not_found"


def test_a_member_cannot_cancel_someone_elses_registration(session):
    event = make_event(session)
    owner, other = members(session, 2)
    end_read(session)
    outcome = events.register_member(owner, session=session, event_id=event)
    before = _state(session, event)
    assert error_key(lambda: events.cancel_mine(other, session=session, registration_id=outcome.registration_id),
                     session) == "events.error.registration_not_found"
    assert error_key(lambda: events.cancel_mine(None, session=session, registration_id=outcome.registration_id),
                     session) == "error.sign_in_required"
    assert _state(session, event) == before


@pytest.mark.parametrize("kind", ["member", "guest"])
def test_online_link_only_for_people_with_a_seat(session, kind):
    event = make_event(session, capacity=1)
    viewer, = members(session, 1)
    view = events.event_view(viewer, session=session, event_id=event, locale="en")
    assert view.online_url == "" and view.may_register and view.guests_welcome
    end_read(session)
    events.register_member(viewer, session=session, event_id=event)
    view = events.event_view(viewer, session=session, event_id=event, locale="en")
    assert view.online_url == "https://meet.example/demo-day"
    assert view.my_registration.status == "registered" and view.my_registration.qr_svg.startswith("data:image/svg")
    assert view.seats_left == 0 and not view.may_register
    assert events.event_view(None, session=session, event_id=event, locale="id").online_url == ""


def test_a_member_whose_verified_email_holds_a_guest_seat_keeps_that_one_seat(session):
    event = make_event(session, capacity=5)
    _guest(session, event)
    _confirm(session, "sari@contoh.example")
    user = User(email="sari@contoh.example", email_normalized="sari@contoh.example", name="Sari", password_hash="x",
                status="active", email_verified_at=utcnow(), locale="id")
    session.add(user)
    session.commit()
    sari = actor_of(user)
    end_read(session)
    before = _state(session, event)

    outcome = events.register_member(sari, session=session, event_id=event)

    guest_row, = registrations(session, event)
    assert (outcome.status, outcome.ticket_code.replace("-", "")) == ("registered", guest_row.ticket_code)
    assert _state(session, event) == before, "no second seat, nothing written"
