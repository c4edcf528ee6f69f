"""Notifications in the member's language; email delivered through a real SMTP server (aiosmtpd)."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlmodel import select

from hub_app.domain.errors import NotAllowed
from hub_app.models import EmailOutbox, Notification
from hub_app.services import notifications
from hub_app.settings import Settings
from tests.accounts.factories import actor_of, make_user
from tests.transactions import write_meanwhile


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _smtp_settings(port: int) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_max_attempts=3)


def test_notification_is_in_the_members_language_in_app_and_by_email(session, smtp_server):
    controller, inbox = smtp_server
    member = make_user(session, "maya@x.example", name="Maya")
    member.locale = "en"
    session.add(member)
    session.commit()
    notifications.notify(session, member, "membership.reject", params={"reason": "Incomplete"}, link="/profile")
    session.commit()

    rows = notifications.list_notifications(actor_of(member), session=session)
    assert rows[0].title == "Membership application declined" and rows[0].body == "Reason: Incomplete"
    assert notifications.unread_count(actor_of(member), session=session) == 1

    assert notifications.deliver_outbox(session=session, settings=_smtp_settings(controller.port)) == 1
    [message] = inbox.messages
    assert message["To"] == "maya@x.example" and message["Subject"] == "Membership application declined"
    assert "/profile" in message.get_payload()
    assert session.exec(select(EmailOutbox)).one().sent_at is not None
    assert notifications.deliver_outbox(session=session, settings=_smtp_settings(controller.port)) == 0


def test_indonesian_is_the_default(session):
    member = make_user(session, "rina@x.example")
    notifications.notify(session, member, "membership.approve", email=False)
    session.commit()
    assert notifications.list_notifications(actor_of(member), session=session)[0].title == \
        "Keanggotaan Anda disetujui"


def test_failed_delivery_is_retried_later_then_given_up(session):
    member = make_user(session, "rina@x.example")
    notifications.notify(session, member, "membership.approve")
    session.commit()
    closed_port = _free_port()  # nothing listens there
    settings = _smtp_settings(closed_port)
    assert notifications.deliver_outbox(session=session, settings=settings) == 0
    email = session.exec(select(EmailOutbox)).one()
    assert email.attempts == 1 and email.sent_at is None and email.failed_at is None and email.last_error
    # Not due again until the back-off has passed.
    assert notifications.deliver_outbox(session=session, settings=settings) == 0
    session.refresh(email)
    assert email.attempts == 1

    for _ in range(2):
        email.next_attempt_at = email.created_at
        session.add(email)
        session.commit()
        notifications.deliver_outbox(session=session, settings=settings)
        session.refresh(email)
    assert email.attempts == 3 and email.failed_at is not None


def test_retry_reaches_the_server_once_it_is_up(session, smtp_server):
    controller, inbox = smtp_server
    member = make_user(session, "rina@x.example")
    notifications.notify(session, member, "membership.approve")
    session.commit()
    notifications.deliver_outbox(session=session, settings=_smtp_settings(_free_port()))
    email = session.exec(select(EmailOutbox)).one()
    email.next_attempt_at = email.created_at
    session.add(email)
    session.commit()
    assert notifications.deliver_outbox(session=session, settings=_smtp_settings(controller.port)) == 1
    assert len(inbox.messages) == 1


def test_members_mark_only_their_own_notifications_read(session):
    rina = make_user(session, "rina@x.example")
    andi = make_user(session, "andi@x.example", name="Andi")
    for user in (rina, andi):
        notifications.notify(session, user, "membership.approve", email=False)
    session.commit()
    andis = session.exec(select(Notification).where(Notification.user_id == andi.id)).one()
    notifications.mark_read(actor_of(rina), session=session, notification_id=andis.id)
    session.refresh(andis)
    assert andis.read_at is None
    notifications.mark_read(actor_of(rina), session=session)
    assert notifications.unread_count(actor_of(rina), session=session) == 0
    assert notifications.unread_count(actor_of(andi), session=session) == 1
    with pytest.raises(NotAllowed):
        notifications.mark_read(None, session=session)


def test_due_mail_is_claimed_when_someone_wrote_after_the_duty_began_to_read(session, smtp_server):
    """On SQLite a transaction that has read cannot take the write lock after another connection
    wrote ("database is locked": the outbox duty failed every round while the hub was busy)."""
    controller, inbox = smtp_server
    member = make_user(session, "wati@x.example", name="Wati")
    notifications.notify(session, member, "membership.approve")
    session.commit()
    session.exec(select(EmailOutbox.id)).all()  # the duty's session has begun to read
    write_meanwhile(session)
    assert notifications.deliver_outbox(session=session, settings=_smtp_settings(controller.port)) == 1
    assert [message["To"] for message in inbox.messages] == ["wati@x.example"]
