"""Ending a test's own read before it calls the next service.

A service that writes starts with `db.begin_write`, which refuses to start once the session has
read anything (the write lock would come after the read it should protect). In the app every
call gets a fresh session; a test that reuses one session, reads in it (a helper's query, a
read-only service, or an attribute of a row that a rollback expired) and then calls a writing
service ends that read first, like the app's session would have ended.
"""

from sqlmodel import Session


def end_read(session: Session) -> None:
    """Ends the session's open read. What it loaded stays loaded (the test sessions do not expire
    on commit), so the test can keep using the rows it holds."""
    session.commit()
