"""Ending a test's own read before it calls the next service.

A service that writes starts with `db.begin_write`, which refuses to start once the session has
read anything (the write lock would come after the read it should protect). In the app every
call gets a fresh session; a test that reuses one session, reads in it (a helper's query, a
read-only service, or an attribute of a row that a rollback expired) and then calls a writing
service ends that read first, like the app's session would have ended.

`write_meanwhile` is the other side: another connection (another request, a background duty)
commits a write while the session's read is open.
"""

from sqlmodel import Session

from hub_app.models import AuditEntry


def end_read(session: Session) -> None:
    """Ends the session's open read. What it loaded stays loaded (the test sessions do not expire
    on commit), so the test can keep using the rows it holds."""
    session.commit()


def write_meanwhile(session: Session, **entry) -> None:
    """Another connection commits an audit entry now (on SQLite a transaction that has read cannot
    take the write lock after that: "database is locked")."""
    with Session(session.get_bind()) as other:
        other.add(AuditEntry(**{"action": "booking.block", "detail": "meanwhile", **entry}))
        other.commit()
