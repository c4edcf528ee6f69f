"""Development mail rules without a database: the link an email carries, its status, who reads the
outbox, and the framed text for the terminal."""

from datetime import UTC, datetime

import pytest

from hub_app.domain import mail as rules
from hub_app.domain.permissions import Actor

BASE = "http://localhost:3000"
NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("body, link", [
    (f"Halo\n\n{BASE}/verify/abc_DEF-123", f"{BASE}/verify/abc_DEF-123"),
    (f"Buka {BASE}/reset/x1. Lalu {BASE}/verify/y2", f"{BASE}/verify/y2"),
    (f"Lihat ({BASE}/forum/t/3)", f"{BASE}/forum/t/3"),
    ("Ditulis anggota: https://evil.example/phish", ""),
    (f"{BASE}/forum/t/1 lalu https://evil.example{BASE}", f"{BASE}/forum/t/1"),
    (f"{BASE}.evil.example/x", ""),
    ("", ""),
])
def test_the_link_of_an_email_is_the_last_one_into_the_portal(body, link):
    assert rules.mail_link(body, BASE + "/") == link


def test_status_of_an_email():
    assert rules.mail_status(sent_at=NOW, failed_at=None, attempts=1) == "sent"
    assert rules.mail_status(sent_at=None, failed_at=NOW, attempts=5) == "failed"
    assert rules.mail_status(sent_at=None, failed_at=None, attempts=2) == "retrying"
    assert rules.mail_status(sent_at=None, failed_at=None, attempts=0) == "waiting"


@pytest.mark.parametrize("actor, allowed", [
    (None, False), (Actor(1, "member", "active"), False), (Actor(2, "member", "pending"), False),
    (Actor(3, "staff", "suspended"), False), (Actor(4, "staff", "active"), True), (Actor(5, "admin", "active"), True),
])
def test_only_active_staff_read_the_outbox(actor, allowed):
    assert rules.may_read_outbox(actor) is allowed


def test_only_development_shows_mail():
    assert rules.shows_development_mail("development")
    assert not any(rules.shows_development_mail(name) for name in ("production", "test", "", "Development"))


def test_the_terminal_block_frames_the_mail_and_escapes_every_line():
    block = rules.terminal_block(to_address="rina@x.example", subject="Verifikasi \x1b[31memail",
                                 body=f"Halo Rina\x07\n\n{BASE}/verify/t0k3n", base_url=BASE)
    lines = block.splitlines()
    assert lines[1] == lines[-1] == "=" * 72
    assert "  To:      rina@x.example" in lines and f"  Link:    {BASE}/verify/t0k3n" in lines
    assert "  Subject: Verifikasi \\x1b[31memail" in lines and "  Halo Rina\\x07" in lines
    assert all(line.isprintable() for line in lines)
