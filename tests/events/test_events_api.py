"""The .ics route of a registration, through the real Starlette routes and headers, on SQLite and
on PostgreSQL: the right token gives the calendar file, anything else a plain 404."""

from sqlmodel import Session

from hub_app.services import events
from hub_app.services.events.common import ics_path, ics_token
from tests.api.conftest import api_db, client  # noqa: F401  (fixtures)
from tests.events.helpers import make_event, members


def test_ics_of_a_registration_by_code_and_token(client, api_db):  # noqa: F811
    with Session(api_db, expire_on_commit=False) as session:
        event_id = make_event(session)
        member, = members(session, 1)
        session.commit()
        outcome = events.register_member(member, session=session, event_id=event_id)
    code = outcome.ticket_code.replace("-", "")
    answer = client.get(ics_path(code))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert "no-store" in answer.headers["cache-control"]
    assert "BEGIN:VEVENT" in answer.text and "Temu Startup" in answer.text
    for path in (f"/api/events/tickets/{code}/{'0' * 32}.ics", f"/api/events/tickets/{code}/short.ics",
                 f"/api/events/tickets/ZZZZZZZZZZ/{ics_token('ZZZZZZZZZZ')}.ics",
                 f"/api/events/tickets/%2e%2e/{ics_token(code)}.ics"):
        refused = client.get(path)
        assert refused.status_code == 404 and "BEGIN" not in refused.text
