"""NotificationsState: a member reads and marks only their own notifications."""

import pytest
from sqlmodel import Session, col, select

from hub_app.models import Notification, User
from hub_app.pages.notifications import NotificationsState
from hub_app.services import notifications
from hub_app.state.session import SessionState
from tests.handlers.handler_harness import MEGABYTE_TEXT, covers, db_fingerprint

MEMBERS = ["pending", "active", "staff", "admin"]


def notify(engine, person, count: int = 1) -> list[int]:
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, person.id)
        for _ in range(count):
            notifications.notify(session, user, "membership.approve", params={"reason": "-"}, link="/profile",
                                 email=False)
        session.commit()
        return list(session.exec(select(Notification.id).where(Notification.user_id == person.id)
                                 .order_by(col(Notification.id))).all())


def unread_ids(engine, person) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(Notification.id).where(Notification.user_id == person.id,
                                                               col(Notification.read_at).is_(None))
                                 .order_by(col(Notification.id))).all())


@covers(NotificationsState.load)
def test_notifications_page_sends_visitors_to_sign_in(hub, people):
    notify(people.engine, people.active)
    tab = hub.browser()
    assert tab.load("/notifications").ok().navigations == ["/login?next=/notifications"]
    assert tab.state(NotificationsState).items == []


@covers(NotificationsState.load)
@pytest.mark.parametrize("role", MEMBERS)
def test_a_member_sees_only_their_own_notifications(role, hub, people):
    person = people.by_role()[role]
    mine = notify(people.engine, person, 2)
    notify(people.engine, people.other, 3)
    tab = hub.browser(person)
    tab.load("/notifications").ok()
    assert sorted(item.id for item in tab.state(NotificationsState).items) == mine
    assert tab.state(SessionState).unread == 2


@covers(NotificationsState.mark_read)
@pytest.mark.parametrize("role", MEMBERS)
def test_marking_another_members_notification_read_does_nothing(role, hub, people):
    person = people.by_role()[role]
    mine = notify(people.engine, person, 2)
    theirs = notify(people.engine, people.other, 2)
    tab = hub.browser(person)
    tab.load("/notifications")
    for value in [theirs[0], str(theirs[1])]:
        tab.call(NotificationsState.mark_read, value).ok()
    assert unread_ids(people.engine, people.other) == theirs
    tab.call(NotificationsState.mark_read, mine[0]).ok()
    assert unread_ids(people.engine, person) == [mine[1]]
    assert tab.state(SessionState).unread == 1
    assert unread_ids(people.engine, people.other) == theirs


@covers(NotificationsState.mark_read, NotificationsState.mark_all_read)
def test_visitors_mark_nothing(hub, people):
    theirs = notify(people.engine, people.other, 2)
    tab = hub.browser()
    tab.call(NotificationsState.mark_read, theirs[0]).ok()
    assert tab.state(NotificationsState).error
    tab.call(NotificationsState.mark_all_read).ok()
    assert unread_ids(people.engine, people.other) == theirs


@covers(NotificationsState.mark_read)
def test_junk_notification_ids_mark_nothing(hub, people):
    mine = notify(people.engine, people.active, 2)
    before = db_fingerprint(people.engine, ["notifications"])
    tab = hub.browser(people.active)
    tab.load("/notifications")
    # (None means "all of mine", the same as mark_all_read: harmless, so not junk here.)
    for junk in [0, -1, 2**70, 1.5, True, "", "1 OR 1=1", MEGABYTE_TEXT, [mine[0]], {"id": mine[0]}]:
        tab.call(NotificationsState.mark_read, junk).ok()
    assert db_fingerprint(people.engine, ["notifications"]) == before
    assert unread_ids(people.engine, people.active) == mine


@covers(NotificationsState.mark_all_read)
@pytest.mark.parametrize("role", MEMBERS)
def test_mark_all_read_marks_only_the_own(role, hub, people):
    person = people.by_role()[role]
    notify(people.engine, person, 3)
    theirs = notify(people.engine, people.other, 2)
    tab = hub.browser(person)
    tab.load("/notifications")
    tab.send(NotificationsState.mark_all_read, {"user_id": people.other.id}).not_crashed()
    tab.call(NotificationsState.mark_all_read).ok()
    assert unread_ids(people.engine, person) == []
    assert tab.state(SessionState).unread == 0
    assert unread_ids(people.engine, people.other) == theirs


@covers(NotificationsState.older)
def test_older_pages_through_the_own_notifications(hub, people):
    mine = notify(people.engine, people.active, 35)
    notify(people.engine, people.other, 5)
    tab = hub.browser(people.active)
    tab.load("/notifications")
    first = [item.id for item in tab.state(NotificationsState).items]
    assert first == sorted(mine, reverse=True)[:30]
    tab.call(NotificationsState.older).ok()
    assert [item.id for item in tab.state(NotificationsState).items] == sorted(mine, reverse=True)[30:]
    assert tab.state(NotificationsState).before_id == 0
    tab.send(NotificationsState.older, {"before_id": 10**9}).not_crashed()


@covers(NotificationsState.older)
def test_older_after_signing_out_shows_nothing(hub, people):
    notify(people.engine, people.active, 3)
    tab = hub.browser()
    tab.call(NotificationsState.older).ok()
    assert tab.state(NotificationsState).items == []
    assert tab.state(NotificationsState).error
