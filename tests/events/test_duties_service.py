"""The background duties of events: reminders the day before (exactly once, also with two
workers at once), expiring unconfirmed requests, erasing guests' data after the retention period,
and a guest who signed up later seeing their past events; the .ics of a registration."""

import threading
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from hub_app.models import EmailOutbox, Event, User
from hub_app.models.base import utcnow
from hub_app.services import events
from hub_app.services.events.common import ics_token
from tests.accounts.factories import actor_of
from tests.events.helpers import links_for, mails_to, make_event, members, registrations
from tests.transactions import end_read

GUEST = {"name": "Sari Wulandari", "email": "sari@contoh.example", "organisation": "Kopi Nusantara"}


def _guest_registered(session, event_id, *, locale="id", email="sari@contoh.example"):
    end_read(session)
    events.register_guest(None, session=session, event_id=event_id, form={**GUEST, "email": email}, locale=locale,
                          client="10.1.1.1")
    confirm, _ = links_for(session, email)
    return events.confirm_guest(session=session, token=confirm)


def test_reminders_go_out_once_in_each_registrants_language(session):
    event_id = make_event(session, starts_in=timedelta(days=2), title_en="Demo day")
    english, = members(session, 1, prefix="en", locale="en")
    end_read(session)
    events.register_member(english, session=session, event_id=event_id)
    _guest_registered(session, event_id, locale="id")
    assert events.send_event_reminders(session=session) == 0, "two days ahead: not yet"
    later = utcnow() + timedelta(days=1, hours=1)
    assert events.send_event_reminders(session=session, now=later) == 2
    assert events.send_event_reminders(session=session, now=later + timedelta(minutes=5)) == 0
    assert mails_to(session, "sari@contoh.example")[-1].subject.startswith("Besok: Temu Startup")
    session.expire_all()
    english_mail = session.exec(select(EmailOutbox).where(col(EmailOutbox.subject).like("Tomorrow:%"))).all()
    end_read(session)
    assert len(english_mail) == 1 and "Ticket code:" in english_mail[0].body_text


def test_two_workers_running_the_reminders_at_once_send_each_once(engine, session):
    event_id = make_event(session, starts_in=timedelta(hours=30), capacity=40)
    for actor in members(session, 30):
        end_read(session)
        events.register_member(actor, session=session, event_id=event_id)
    later = utcnow() + timedelta(hours=7)
    barrier = threading.Barrier(2)
    sent = []

    def worker():
        barrier.wait()
        with Session(engine, expire_on_commit=False) as own:
            sent.append(events.send_event_reminders(session=own, now=later))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 30
    session.expire_all()
    reminders = session.exec(select(EmailOutbox).where(col(EmailOutbox.subject).like("Besok:%"))).all()
    end_read(session)
    assert len(reminders) == 30 and len({mail.to_address for mail in reminders}) == 30


def test_unconfirmed_requests_expire(session):
    event_id = make_event(session)
    end_read(session)
    events.register_guest(None, session=session, event_id=event_id, form=GUEST, locale="id", client="x")
    assert events.expire_unconfirmed(session=session) == 0
    assert events.expire_unconfirmed(session=session, now=utcnow() + timedelta(hours=25)) == 1
    assert [row.status for row in registrations(session, event_id)] == ["cancelled"]


def test_guest_data_is_erased_after_the_retention_and_a_later_member_keeps_the_history(session):
    past_id = make_event(session, starts_in=timedelta(days=2))
    other_id = make_event(session, starts_in=timedelta(days=2), title_id="Kelas Ekspor")
    _guest_registered(session, past_id)
    _guest_registered(session, other_id, email="lain@contoh.example")
    # The guest signs up later with the same email and verifies it: the past event shows up.
    user = User(email="Sari@Contoh.example", email_normalized="sari@contoh.example", name="Sari W.",
                password_hash="x", status="active", email_verified_at=utcnow())
    unverified = User(email="lain@contoh.example", email_normalized="lain@contoh.example", name="Lain",
                      password_hash="x", status="active")
    session.add(user)
    session.add(unverified)
    session.commit()
    member, stranger = actor_of(user), actor_of(unverified)
    end_read(session)
    mine = events.my_events(member, session=session, locale="id")
    assert [(row.event_id, row.as_guest, row.status) for row in mine] == [(past_id, True, "registered")]
    assert events.my_events(stranger, session=session, locale="id") == [], "an unverified email claims nothing"

    # The events happened long ago (moved back), and the retention passes.
    session.exec(update(Event).values(starts_at=utcnow() - timedelta(days=40), ends_at=utcnow() - timedelta(days=40)
                                      + timedelta(hours=2)))
    session.commit()
    assert events.erase_guest_data(session=session, now=utcnow() - timedelta(days=20)) == 0, "not yet"
    assert events.erase_guest_data(session=session) == 2
    rows = registrations(session, past_id) + registrations(session, other_id)
    assert all((r.guest_name, r.guest_email, r.guest_organisation) == ("", "", "") for r in rows)
    assert all(r.guest_data_erased_at is not None and r.cancel_token_hash is None for r in rows)
    assert [r.user_id for r in rows] == [user.id, None], "handed to the verified account before erasure"
    mine = events.my_events(member, session=session, locale="en")
    assert [(row.event_id, row.past, row.as_guest) for row in mine] == [(past_id, True, False)]
    assert events.erase_guest_data(session=session) == 0


def test_the_ics_link_needs_the_matching_token(session):
    event_id = make_event(session)
    outcome = _guest_registered(session, event_id)
    code = outcome.ticket_code.replace("-", "")
    body = events.registration_ics(session=session, ticket_code=code, token=ics_token(code))
    assert b"BEGIN:VEVENT" in body and b"Temu Startup" in body and outcome.ticket_code.encode() in body
    assert events.registration_ics(session=session, ticket_code=code, token="0" * 32) is None
    assert events.registration_ics(session=session, ticket_code="../../etc", token=ics_token(code)) is None
    assert events.registration_ics(session=session, ticket_code=code, token=None) is None
    _, cancel = links_for(session, "sari@contoh.example")
    events.cancel_by_token(session=session, token=cancel)
    assert events.registration_ics(session=session, ticket_code=code, token=ics_token(code)) is None
    end_read(session)


def test_personal_data_export_and_erase_free_the_members_places(session):
    from hub_app.db import begin_write
    from hub_app.services import personal_data

    event_id = make_event(session, capacity=1)
    leaving, waiting = members(session, 2)
    end_read(session)
    events.register_member(leaving, session=session, event_id=event_id)
    events.register_member(waiting, session=session, event_id=event_id)
    exported = personal_data.export_all(session, leaving.user_id)["events"]["registrations"]
    assert [row["status"] for row in exported] == ["registered"]
    end_read(session)
    begin_write(session)
    personal_data.erase_all(session, leaving.user_id)
    session.commit()
    statuses = {row.user_id: row.status for row in registrations(session, event_id)}
    assert statuses == {leaving.user_id: "cancelled", waiting.user_id: "registered"}
