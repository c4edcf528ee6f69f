"""Development mail, on SQLite and PostgreSQL: in development every email is printed, framed, in
the server's terminal with its full link, and staff read the outbox (newest first, a page at a
time); outside development the outbox does not exist and mail goes to the log as before."""

import logging
from datetime import timedelta

import pytest
from sqlmodel import select

from hub_app.domain import mail as rules
from hub_app.domain.errors import NotAllowed, NotFound
from hub_app.models import EmailOutbox
from hub_app.models.base import utcnow
from hub_app.services import accounts, mail, notifications
from hub_app.settings import get_settings
from tests.accounts.factories import actor_of, make_user

BASE = "http://localhost:3000"
FORM = {"name": "Andi Pratama", "email": "andi@startup.example", "password": "dawet-ayu-banjarnegara-9",
        "consent": "on", "business_name": "Kopi Kita", "sector": "culinary", "stage": "early", "bio": "",
        "offers": "", "looking_for": ""}


@pytest.fixture
def development(monkeypatch):
    settings = get_settings()
    for name, value in (("environment", "development"), ("smtp_host", ""), ("public_base_url", BASE)):
        monkeypatch.setattr(settings, name, value)
    return settings


@pytest.fixture
def people(session):
    return {role: actor_of(make_user(session, f"{role}@x.example", name=name, role=kind, status=status))
            for role, name, kind, status in (("staff", "Budi Santoso", "staff", "active"),
                                             ("admin", "Sari Wulandari", "admin", "active"),
                                             ("member", "Rina Kusuma", "member", "active"),
                                             ("pending", "Dewi Lestari", "member", "pending"))}


def _queue(session, count: int, **fields) -> None:
    start = utcnow() - timedelta(hours=1)
    for number in range(count):
        session.add(EmailOutbox(**({"to_address": f"orang{number}@x.example", "subject": f"Subjek {number}",
                                    "body_text": f"Halo\n\n{BASE}/verify/t{number}",
                                    "created_at": start + timedelta(seconds=number)} | fields)))
    session.commit()


def test_a_new_members_verification_mail_is_printed_framed_with_its_full_link(session, development, capsys):
    accounts.sign_up(None, session=session, form=FORM, client_address="127.0.0.1")
    session.rollback()
    assert notifications.deliver_outbox(session=session) == 1
    printed = capsys.readouterr().err
    email = session.exec(select(EmailOutbox)).one()
    link = rules.mail_link(email.body_text, BASE)
    assert link.startswith(f"{BASE}/verify/") and len(link) > len(f"{BASE}/verify/") + 20
    assert "DEVELOPMENT MAIL" in printed and "To:      andi@startup.example" in printed
    assert f"Link:    {link}\n" in printed and printed.count("=" * 72) == 2
    assert email.sent_at is not None


def test_outside_development_mail_goes_to_the_log_not_the_terminal(session, development, capsys, caplog,
                                                                   monkeypatch):
    monkeypatch.setattr(development, "environment", "production")
    _queue(session, 1)
    with caplog.at_level(logging.INFO, logger="hub.mail"):
        assert notifications.deliver_outbox(session=session) == 1
    assert "DEVELOPMENT MAIL" not in capsys.readouterr().err
    assert "orang0@x.example" in caplog.text


def test_a_name_with_terminal_escapes_cannot_touch_the_operators_terminal(session, development, capsys):
    _queue(session, 1, subject="Halo \x1b[2J\x1b]0;pwned\x07", body_text=f"Dari \x1b[31mRina\r\nPalsu\n\n{BASE}/x")
    notifications.deliver_outbox(session=session)
    printed = capsys.readouterr().err
    assert "\x1b" not in printed and "\x07" not in printed and "\r" not in printed
    assert "\\x1b[2J" in printed and f"Link:    {BASE}/x" in printed


def test_staff_read_the_outbox_newest_first_a_page_at_a_time(session, development, people):
    _queue(session, 5)
    first = mail.list_outbox(people["staff"], session=session, limit=3)
    assert [row.subject for row in first.rows] == ["Subjek 4", "Subjek 3", "Subjek 2"]
    assert first.rows[0].recipient == "orang4@x.example" and first.rows[0].link == f"{BASE}/verify/t4"
    assert first.rows[0].when.endswith("WIB") and first.rows[0].status == "waiting"
    second = mail.list_outbox(people["admin"], session=session, before_id=first.before_id, limit=3)
    assert [row.subject for row in second.rows] == ["Subjek 1", "Subjek 0"] and second.before_id == 0
    for junk in (None, -5, "1; DROP TABLE", True, 10**30, [1], {"a": 1}):
        assert len(mail.list_outbox(people["staff"], session=session, before_id=junk, limit=3).rows) == 3


def test_status_and_link_of_each_email(session, development, people):
    now = utcnow()
    _queue(session, 1, subject="terkirim", sent_at=now, attempts=1)
    _queue(session, 1, subject="gagal", failed_at=now, attempts=5)
    _queue(session, 1, subject="coba lagi", attempts=2)
    _queue(session, 1, subject="tanpa tautan", body_text="Halo, lihat https://evil.example/phish")
    rows = {row.subject: row for row in mail.list_outbox(people["staff"], session=session).rows}
    assert {subject: row.status for subject, row in rows.items()} == {
        "terkirim": "sent", "gagal": "failed", "coba lagi": "retrying", "tanpa tautan": "waiting"}
    assert rows["terkirim"].status_text == "Ditampilkan (tidak dikirim)"
    assert rows["tanpa tautan"].link == ""  # only links into the portal count


@pytest.mark.parametrize("who", [None, "member", "pending"])
def test_members_and_visitors_are_refused(session, development, people, who):
    _queue(session, 1)
    with pytest.raises(NotAllowed):
        mail.list_outbox(people.get(who), session=session)


@pytest.mark.parametrize("environment", ["production", "test"])
def test_outside_development_the_outbox_does_not_exist(session, development, people, monkeypatch, environment):
    monkeypatch.setattr(development, "environment", environment)
    _queue(session, 1)
    with pytest.raises(NotFound) as refused:
        mail.list_outbox(people["admin"], session=session)
    assert refused.value.key == "mail.error.development_only"
