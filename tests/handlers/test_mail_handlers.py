"""/admin/mail (development outbox): staff read it page by page; visitors, pending and active
members call every handler and get nothing; outside development nobody does, staff included."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from hub_app.models import EmailOutbox
from hub_app.models.base import utcnow
from hub_app.pages.admin_mail import ROUTE, AdminMailState
from hub_app.services.mail import PAGE
from hub_app.settings import get_settings
from tests.handlers.handler_harness import covers

NOT_STAFF = ["visitor", "pending", "active"]
STAFF = ["staff", "admin"]
HANDLERS = (AdminMailState.load, AdminMailState.older, AdminMailState.newest)


@pytest.fixture
def development(monkeypatch):
    monkeypatch.setattr(get_settings(), "environment", "development")


def add_mail(engine, count: int) -> None:
    base = get_settings().public_base_url.rstrip("/")
    start = utcnow() - timedelta(hours=1)
    with Session(engine) as session:
        for number in range(count):
            session.add(EmailOutbox(to_address=f"orang{number}@x.example", subject=f"Verifikasi {number}",
                                    body_text=f"Halo\n\n{base}/verify/token-{number}",
                                    created_at=start + timedelta(seconds=number)))
        session.commit()


def open_outbox(hub, person):
    tab = hub.browser(person)
    tab.load(ROUTE).ok()  # the route exists only in development; the handler runs either way
    return tab, tab.call(AdminMailState.load).ok()


@covers(*HANDLERS)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_members_and_visitors_never_see_the_outbox(role, hub, people, development):
    add_mail(people.engine, 3)
    tab, outcome = open_outbox(hub, people.by_role()[role])
    if role == "visitor":
        assert outcome.navigations == [f"/login?next={ROUTE}"]
    else:
        assert tab.state(AdminMailState).error
    texts = [outcome.delta_text()]
    for handler in (AdminMailState.older, AdminMailState.newest):
        texts.append(tab.call(handler).ok().delta_text())
    assert tab.state(AdminMailState).rows == []
    assert not any("token-1" in text or "orang1@" in text for text in texts)


@covers(*HANDLERS)
@pytest.mark.parametrize("role", STAFF)
def test_staff_read_the_outbox_newest_first_page_by_page(role, hub, people, development):
    add_mail(people.engine, PAGE + 5)
    tab, _ = open_outbox(hub, people.by_role()[role])
    state = tab.state(AdminMailState)
    assert state.error == "" and len(state.rows) == PAGE
    newest = state.rows[0]
    assert (newest.recipient, newest.subject, newest.status) == (f"orang{PAGE + 4}@x.example", f"Verifikasi {PAGE + 4}",
                                                          "waiting")
    assert newest.link == f"{get_settings().public_base_url.rstrip('/')}/verify/token-{PAGE + 4}"
    assert newest.when.endswith("WIB")
    tab.call(AdminMailState.older).ok()
    assert [row.subject for row in tab.state(AdminMailState).rows] == [f"Verifikasi {n}" for n in range(4, -1, -1)]
    assert tab.state(AdminMailState).next_before_id == 0
    tab.call(AdminMailState.older).ok()  # no older page: stays
    assert len(tab.state(AdminMailState).rows) == 5
    tab.call(AdminMailState.newest).ok()
    assert tab.state(AdminMailState).rows[0].subject == f"Verifikasi {PAGE + 4}"


@covers(AdminMailState.load)
@pytest.mark.parametrize("role", STAFF)
def test_outside_development_the_outbox_does_not_exist_for_staff_either(role, hub, people):
    assert get_settings().environment != "development"
    add_mail(people.engine, 2)
    tab, outcome = open_outbox(hub, people.by_role()[role])
    assert tab.state(AdminMailState).rows == [] and tab.state(AdminMailState).error
    assert "token-1" not in outcome.delta_text()


@covers(AdminMailState.load)
def test_a_forged_cookie_is_a_visitor(hub, people, development):
    add_mail(people.engine, 1)
    tab = hub.browser(cookie="hub_session=forged-token")
    tab.load(ROUTE).ok()
    outcome = tab.call(AdminMailState.load).ok()
    assert tab.state(AdminMailState).rows == [] and tab.state(AdminMailState).error
    assert "token-0" not in outcome.delta_text()
