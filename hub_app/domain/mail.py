"""Development mail: with no mail server set, a new person must still see the link in their
verification email. So in development every email is printed, framed, in the terminal that runs
the server, and staff can read the outbox at /admin/mail. Pure rules: who may read the outbox,
which link an email carries, its status, and the framed text.
"""

import re
from datetime import datetime

from hub_app.domain.log_text import for_log
from hub_app.domain.permissions import Actor

DEVELOPMENT = "development"
SENT, WAITING, RETRYING, FAILED = "sent", "waiting", "retrying", "failed"
_URL = re.compile(r"https?://[^\s<>\"'`]+")
_RULE = "=" * 72


def shows_development_mail(environment: str) -> bool:
    """Only a development portal prints mail and has the outbox page."""
    return environment == DEVELOPMENT


def may_read_outbox(actor: Actor | None) -> bool:
    """Staff read every queued email (links included), so only active staff."""
    return actor is not None and actor.is_staff and actor.is_active


def mail_link(body: str, base_url: str) -> str:
    """The link an email carries: the last address into the portal (`base_url`) in its text (the
    outbox puts the email's link last). Addresses elsewhere, which a member may have written into
    a post that an email quotes, are never the email's link."""
    base = base_url.rstrip("/") + "/"
    found = [url.rstrip(".,;:!?)") for url in _URL.findall(body or "")]
    inside = [url for url in found if url.startswith(base)]
    return inside[-1] if inside else ""


def mail_status(*, sent_at: datetime | None, failed_at: datetime | None, attempts: int) -> str:
    if sent_at is not None:
        return SENT
    if failed_at is not None:
        return FAILED
    return RETRYING if attempts else WAITING


def terminal_block(*, to_address: str, subject: str, body: str, base_url: str) -> str:
    """The email as printed in the server's terminal: framed, the link on a line of its own, every
    line escaped (a member's name in an email must not move the operator's cursor or recolour the
    terminal)."""
    lines = [
        "", _RULE,
        "  DEVELOPMENT MAIL: no mail server is set (HUB_SMTP_HOST), so it is shown here, not sent.",
        f"  To:      {for_log(to_address, 254)}",
        f"  Subject: {for_log(subject, 200)}",
    ]
    link = mail_link(body, base_url)
    if link:
        lines.append(f"  Link:    {for_log(link, 2000)}")
    lines.append("-" * 72)
    lines += [f"  {for_log(line, 2000)}" for line in (body or "").splitlines()]
    lines += [_RULE, ""]
    return "\n".join(lines)
