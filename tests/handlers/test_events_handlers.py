"""Events pages' handlers, called as a browser would, by every kind of actor: the list (/events), an
event (/events/<id>: member registration, the guest form, cancel), the guest's email-link pages
(a button press, never the page load), /admin/events and /admin/events/<id> (staff only) and the
door (staff only; a ticket of another event, a typed junk code). Visitors are sent to sign in where
they must; nobody touches another's registration; nothing changes on a refusal."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from hub_app.domain.permissions import Actor
from hub_app.models.base import utcnow
from hub_app.models.events import Event, EventRegistration
from hub_app.pages.admin_events import AdminEventsState, AdminEventState
from hub_app.pages.events import EventsState
from hub_app.pages.events_detail import EventDetailState
from hub_app.pages.events_door import EventDoorState
from hub_app.pages.events_guest import GuestLinkState
from hub_app.services import events
from hub_app.services.events.staff import ADMIN_PAGE_SIZE as PAGE
from hub_app.services.trainings import local_input
from tests.handlers.handler_harness import MEGABYTE_TEXT, covers, db_fingerprint, junk_forms, link_in_outbox, outbox

ROLES = ["visitor", "pending", "active", "staff"]
NOT_STAFF = ["visitor", "pending", "active"]
TABLES = ["events", "event_registrations", "bookings", "email_outbox", "audit_entries", "notifications"]


def _staff(people) -> Actor:
    return Actor(people.staff.id, "staff", "active", people.staff.name, "en")


def form(**fields) -> dict:
    starts = utcnow() + timedelta(days=3)
    values = {"title_id": "Temu komunitas UMKM", "title_en": "Small business meetup",
              "description_id": "Berkenalan dengan **anggota** hub.", "description_en": "Meet the hub's **members**.",
              "starts_at": local_input(starts), "ends_at": local_input(starts + timedelta(hours=2)),
              "place": "online", "space_id": "", "online_url": "https://meet.example/hub", "capacity": "20",
              "audience": "everyone"}
    values.update(fields)
    return values


def make_event(people, *, publish: bool = True, starts_in: timedelta = timedelta(days=3), **fields) -> int:
    starts = utcnow() + starts_in
    values = form(starts_at=local_input(starts), ends_at=local_input(starts + timedelta(hours=2)), **fields)
    with Session(people.engine, expire_on_commit=False) as session:
        event_id = events.create_event(_staff(people), session=session, form=values)
    if publish:
        with Session(people.engine, expire_on_commit=False) as session:
            events.publish_event(_staff(people), session=session, event_id=event_id)
    return event_id


def register(people, person, event_id: int) -> events.RegistrationOutcome:
    with Session(people.engine, expire_on_commit=False) as session:
        return events.register_member(Actor(person.id, person.role, person.status, person.name), session=session,
                                      event_id=event_id)


def registrations(engine, event_id: int) -> list[EventRegistration]:
    with Session(engine) as session:
        return list(session.exec(select(EventRegistration).where(EventRegistration.event_id == event_id)
                                 .order_by(EventRegistration.id)).all())


def redirects(outcome) -> list[str]:
    return [event.payload["path"] for event in outcome.frontend_events
            if getattr(event, "name", "").endswith("_redirect") and isinstance(event.payload, dict)]


def event_row(engine, event_id: int) -> Event:
    with Session(engine) as session:
        return session.get(Event, event_id)


# -- /events --------------------------------------------------------------------------------------

@covers(EventsState.load, EventsState.more)
@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_published_events_a_page_at_a_time(role, hub, people):
    published = [make_event(people, starts_in=timedelta(days=2, hours=hour)) for hour in range(13)]
    draft = make_event(people, publish=False)
    register(people, people.other, published[0])
    tab = hub.browser(people.by_role()[role])
    tab.load("/events").ok()
    state = tab.state(EventsState)
    assert [card.id for card in state.cards] == published[:12]
    assert state.next_cursor
    tab.call(EventsState.more).ok()
    state = tab.state(EventsState)
    assert [card.id for card in state.cards] == published
    assert draft not in {card.id for card in state.cards} and state.next_cursor == ""
    assert state.cards[0].seats_left == 19
    assert state.mine == []  # the other member's registration is nobody else's
    assert people.other.email not in tab.load("/events").delta_text()


@covers(EventsState.load)
def test_a_member_sees_their_own_events_on_the_list(hub, people):
    event_id = make_event(people)
    register(people, people.active, event_id)
    tab = hub.browser(people.active)
    tab.load("/events").ok()
    [mine] = tab.state(EventsState).mine
    assert mine.event_id == event_id and mine.status == "registered"


# -- /events/<id> ---------------------------------------------------------------------------------

@covers(EventDetailState.load)
@pytest.mark.parametrize("role", ROLES)
def test_an_event_page_shows_seats_and_hides_the_online_link_from_the_unregistered(role, hub, people):
    event_id = make_event(people)
    register(people, people.other, event_id)
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load(f"/events/{event_id}").ok()
    state = tab.state(EventDetailState)
    assert state.found and state.view.seats_left == 19 and state.view.title == "Temu komunitas UMKM"
    assert state.view.online_url == "" and "meet.example" not in outcome.delta_text()
    assert state.my_id == 0 and state.my_ticket == ""


@covers(EventDetailState.load)
@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_shown_to_staff_only(role, hub, people):
    event_id = make_event(people, publish=False)
    tab = hub.browser(people.by_role()[role])
    tab.load(f"/events/{event_id}").ok()
    assert tab.state(EventDetailState).found is (role == "staff")
    for junk in ("0", "-1", "abc", "99999999999999999999", "1%27--"):
        tab.load(f"/events/{junk}").ok()
        assert not tab.state(EventDetailState).found


@covers(EventDetailState.register)
def test_a_member_registers_in_one_tap_and_sees_the_ticket_and_online_link(hub, people):
    event_id = make_event(people)
    tab = hub.browser(people.active)
    tab.load(f"/events/{event_id}").ok()
    tab.call(EventDetailState.register).ok()
    state = tab.state(EventDetailState)
    [row] = registrations(people.engine, event_id)
    assert row.user_id == people.active.id and row.status == "registered"
    assert state.my_status == "registered" and state.my_ticket.replace("-", "") == row.ticket_code
    assert state.my_qr.startswith("data:image/svg+xml") and state.my_ics_url.endswith(".ics")
    assert state.view.online_url == "https://meet.example/hub" and state.info
    tab.call(EventDetailState.register).ok()  # a second tap: still one registration
    assert len(registrations(people.engine, event_id)) == 1


@covers(EventDetailState.register)
@pytest.mark.parametrize("role", ["visitor", "pending"])
def test_visitors_and_pending_members_register_nothing(role, hub, people):
    event_id = make_event(people)
    tab = hub.browser(people.by_role()[role])
    tab.load(f"/events/{event_id}").ok()
    before = db_fingerprint(people.engine, TABLES)
    outcome = tab.call(EventDetailState.register).ok()
    assert db_fingerprint(people.engine, TABLES) == before
    if role == "visitor":
        assert any("/login?next=/events/" in script for script in outcome.scripts)
    else:
        assert tab.state(EventDetailState).error


@covers(EventDetailState.register_guest)
def test_a_visitor_asks_for_a_guest_place_and_gets_the_neutral_answer(hub, people):
    event_id = make_event(people)
    tab = hub.browser(None)
    tab.load(f"/events/{event_id}").ok()
    outcome = tab.call(EventDetailState.register_guest,
                       {"name": "Sari Wulandari", "email": "Sari@Tamu.example", "organisation": "Batik Sari"}).ok()
    state = tab.state(EventDetailState)
    assert state.guest_sent and state.error == ""
    [row] = registrations(people.engine, event_id)
    assert row.status == "unconfirmed" and row.guest_email == "sari@tamu.example" and row.user_id is None
    link = link_in_outbox(people.engine, "sari@tamu.example", "/events/confirm/")
    assert link.split("/")[-1] not in outcome.delta_text()  # the token is only in the mail


@covers(EventDetailState.register_guest)
@pytest.mark.parametrize("bad", [*junk_forms(name="Sari", email="sari@tamu.example", organisation=""),
                                 {"name": "Sari", "email": "not-an-email"},
                                 {"name": MEGABYTE_TEXT, "email": "sari@tamu.example"},
                                 {"name": "Sari", "email": "sari@tamu.example", "organisation": "x" * 500}],
                         ids=lambda value: str(value)[:40])
def test_a_bad_guest_form_changes_nothing(bad, hub, people):
    event_id = make_event(people)
    tab = hub.browser(None)
    tab.load(f"/events/{event_id}").ok()
    before = db_fingerprint(people.engine, TABLES)
    tab.send(EventDetailState.register_guest, {"form": bad}).not_crashed()
    if db_fingerprint(people.engine, TABLES) != before:
        # Junk that still reads as a valid form (e.g. an organisation given as "" or None) may register.
        assert registrations(people.engine, event_id)[0].status == "unconfirmed"
    elif "email" in bad and bad.get("email") == "not-an-email":
        assert tab.state(EventDetailState).error


@covers(EventDetailState.register_guest)
def test_no_guest_form_for_a_members_only_event(hub, people):
    event_id = make_event(people, audience="members")
    tab = hub.browser(None)
    tab.load(f"/events/{event_id}").ok()
    assert not tab.state(EventDetailState).view.guests_welcome
    before = db_fingerprint(people.engine, TABLES)
    tab.call(EventDetailState.register_guest, {"name": "Sari", "email": "sari@tamu.example"}).ok()
    assert db_fingerprint(people.engine, TABLES) == before and tab.state(EventDetailState).error


@covers(EventDetailState.cancel)
def test_a_member_cancels_their_own_registration_and_the_first_in_line_moves_up(hub, people):
    event_id = make_event(people, capacity="1")
    register(people, people.active, event_id)
    register(people, people.other, event_id)
    tab = hub.browser(people.active)
    tab.load(f"/events/{event_id}").ok()
    tab.call(EventDetailState.cancel).ok()
    statuses = {row.user_id: row.status for row in registrations(people.engine, event_id)}
    assert statuses == {people.active.id: "cancelled", people.other.id: "registered"}
    assert tab.state(EventDetailState).my_id == 0


@covers(EventDetailState.cancel)
@pytest.mark.parametrize("role", ROLES)
def test_nobody_cancels_another_members_registration(role, hub, people):
    event_id = make_event(people)
    register(people, people.other, event_id)
    tab = hub.browser(people.by_role()[role])
    tab.load(f"/events/{event_id}").ok()
    before = db_fingerprint(people.engine, TABLES)
    tab.call(EventDetailState.cancel).ok()
    tab.send(EventDetailState.cancel, {"registration_id": registrations(people.engine, event_id)[0].id}).not_crashed()
    assert db_fingerprint(people.engine, TABLES) == before


# -- /events/confirm/<token>, /events/cancel/<token> ----------------------------------------------

def _guest_links(people, event_id: int, email: str = "sari@tamu.example") -> tuple[str, str]:
    with Session(people.engine, expire_on_commit=False) as session:
        events.register_guest(None, session=session, event_id=event_id,
                              form={"name": "Sari", "email": email, "organisation": ""}, locale="id",
                              client="198.51.100.1")
    return (link_in_outbox(people.engine, email, "/events/confirm/"),
            link_in_outbox(people.engine, email, "/events/cancel/"))


@covers(GuestLinkState.load, GuestLinkState.confirm)
@pytest.mark.parametrize("role", ROLES)
def test_opening_the_link_changes_nothing_and_the_button_confirms_once(role, hub, people):
    event_id = make_event(people)
    confirm, _ = _guest_links(people, event_id)
    tab = hub.browser(people.by_role()[role])
    before = db_fingerprint(people.engine, TABLES)
    tab.load(confirm).ok()
    assert db_fingerprint(people.engine, TABLES) == before  # a mail scanner's GET spends nothing
    tab.call(GuestLinkState.confirm).ok()
    state = tab.state(GuestLinkState)
    assert state.done and state.status == "registered" and state.qr.startswith("data:image/svg+xml")
    assert registrations(people.engine, event_id)[0].status == "registered"
    replay = hub.browser(None)
    replay.load(confirm).ok()
    after = db_fingerprint(people.engine, TABLES)
    replay.call(GuestLinkState.confirm).ok()
    assert replay.state(GuestLinkState).error and not replay.state(GuestLinkState).done
    assert db_fingerprint(people.engine, TABLES) == after


@covers(GuestLinkState.confirm, GuestLinkState.cancel)
@pytest.mark.parametrize("token", ["x", "0" * 43, "../../etc/passwd", "a" * 300, "%00"])
def test_a_made_up_link_is_refused(token, hub, people):
    make_event(people)
    before = db_fingerprint(people.engine, TABLES)
    for path, handler in ((f"/events/confirm/{token}", GuestLinkState.confirm),
                          (f"/events/cancel/{token}", GuestLinkState.cancel)):
        tab = hub.browser(None)
        tab.load(path).ok()
        tab.call(handler).ok()
        assert tab.state(GuestLinkState).error and not tab.state(GuestLinkState).done
    assert db_fingerprint(people.engine, TABLES) == before


@covers(GuestLinkState.cancel)
def test_the_cancel_link_frees_the_guests_place(hub, people):
    event_id = make_event(people)
    confirm, cancel = _guest_links(people, event_id)
    tab = hub.browser(None)
    tab.load(confirm).ok()
    tab.call(GuestLinkState.confirm).ok()
    tab.load(cancel).ok()
    assert registrations(people.engine, event_id)[0].status == "registered"
    tab.call(GuestLinkState.cancel).ok()
    assert tab.state(GuestLinkState).done
    assert registrations(people.engine, event_id)[0].status == "cancelled"
    assert event_row(people.engine, event_id).registered_count == 0


# -- /admin/events --------------------------------------------------------------------------------

@covers(AdminEventsState.load, AdminEventsState.show_past, AdminEventsState.next_page, AdminEventsState.first_page,
        AdminEventsState.create)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_only_staff_list_and_create_events(role, hub, people):
    make_event(people)
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load("/admin/events").ok()
    before = db_fingerprint(people.engine, TABLES)
    if role == "visitor":
        assert any("/login?next=/admin/events" in script for script in outcome.scripts)
    else:
        assert not tab.state(AdminEventsState).allowed and tab.state(AdminEventsState).rows == []
    for handler, args in ((AdminEventsState.show_past, (True,)), (AdminEventsState.next_page, ()),
                          (AdminEventsState.first_page, ()), (AdminEventsState.create, (form(),))):
        tab.call(handler, *args).ok()
    assert tab.state(AdminEventsState).rows == []
    assert db_fingerprint(people.engine, TABLES) == before


@covers(AdminEventsState.load, AdminEventsState.show_past, AdminEventsState.next_page, AdminEventsState.first_page,
        AdminEventsState.create)
def test_staff_create_an_event_and_page_through_the_list(hub, people):
    for hour in range(PAGE + 1):
        make_event(people, starts_in=timedelta(days=1, hours=hour))
    tab = hub.browser(people.staff)
    tab.load("/admin/events").ok()
    state = tab.state(AdminEventsState)
    assert state.allowed and len(state.rows) == PAGE and state.next_cursor
    tab.call(AdminEventsState.next_page).ok()
    assert len(tab.state(AdminEventsState).rows) == 1
    tab.call(AdminEventsState.first_page).ok()
    assert len(tab.state(AdminEventsState).rows) == PAGE
    tab.call(AdminEventsState.show_past, True).ok()
    assert tab.state(AdminEventsState).rows == []
    outcome = tab.call(AdminEventsState.create, form(title_id="Demo day", title_en="Demo day")).ok()
    with Session(people.engine) as session:
        created = session.exec(select(Event).where(Event.title_id == "Demo day")).one()
    assert created.status == "draft" and redirects(outcome) == [f"/admin/events/{created.id}"]


@covers(AdminEventsState.create)
@pytest.mark.parametrize("bad", [*junk_forms(**form()), form(starts_at="2001-01-01T10:00"),
                                 form(place="space", space_id=""), form(online_url="http://plain.example"),
                                 form(capacity="0"), form(title_id="", title_en="")],
                         ids=lambda value: str(value)[:40])
def test_a_bad_event_form_creates_nothing(bad, hub, people):
    tab = hub.browser(people.staff)
    tab.load("/admin/events").ok()
    before = db_fingerprint(people.engine, ["events", "bookings"])
    tab.send(AdminEventsState.create, {"form": bad}).not_crashed()
    after = db_fingerprint(people.engine, ["events", "bookings"])
    assert after == before or len(after["events"]) == len(before["events"]) + 1  # junk in an optional field


# -- /admin/events/<id> ---------------------------------------------------------------------------

@covers(AdminEventState.load, AdminEventState.save, AdminEventState.publish, AdminEventState.cancel_event)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_only_staff_edit_publish_and_cancel_an_event(role, hub, people):
    event_id = make_event(people, publish=False)
    register_id = make_event(people)
    register(people, people.other, register_id)
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load(f"/admin/events/{register_id}").ok()
    assert people.other.email not in outcome.delta_text()
    before = db_fingerprint(people.engine, TABLES)
    for path in (f"/admin/events/{event_id}", f"/admin/events/{register_id}"):
        tab.load(path).ok()
        assert not tab.state(AdminEventState).allowed
        tab.call(AdminEventState.save, form(title_id="Diubah")).ok()
        tab.call(AdminEventState.publish).ok()
        tab.call(AdminEventState.cancel_event, {"reason": "hujan"}).ok()
    assert db_fingerprint(people.engine, TABLES) == before


@covers(AdminEventState.load, AdminEventState.save, AdminEventState.publish, AdminEventState.cancel_event)
def test_staff_edit_publish_see_the_roster_and_cancel(hub, people):
    event_id = make_event(people, publish=False)
    tab = hub.browser(people.staff)
    tab.load(f"/admin/events/{event_id}").ok()
    state = tab.state(AdminEventState)
    assert state.allowed and state.form["title_en"] == "Small business meetup" and state.roster.status == "draft"
    tab.call(AdminEventState.save, form(title_en="Small business meetup #2", capacity="25")).ok()
    assert event_row(people.engine, event_id).title_en == "Small business meetup #2"
    tab.call(AdminEventState.publish).ok()
    assert event_row(people.engine, event_id).status == "published"
    register(people, people.active, event_id)
    tab.load(f"/admin/events/{event_id}").ok()
    [row] = tab.state(AdminEventState).roster.rows
    assert row.name == people.active.name and row.status == "registered"
    tab.call(AdminEventState.save, form(capacity="abc")).ok()
    assert tab.state(AdminEventState).error and event_row(people.engine, event_id).capacity == 25
    tab.call(AdminEventState.cancel_event, {"reason": MEGABYTE_TEXT}).ok()
    assert event_row(people.engine, event_id).status == "published"
    tab.call(AdminEventState.cancel_event, {"reason": "Ruangan banjir"}).ok()
    assert event_row(people.engine, event_id).status == "cancelled"
    assert registrations(people.engine, event_id)[0].status in ("registered", "cancelled")
    assert outbox(people.engine, people.active.email)


@covers(AdminEventState.load)
def test_a_photo_outcome_in_the_address_is_shown_only_when_it_is_a_known_message(hub, people):
    event_id = make_event(people)
    tab = hub.browser(people.staff)
    tab.load(f"/admin/events/{event_id}", photo="ok").ok()
    assert tab.state(AdminEventState).info
    tab.load(f"/admin/events/{event_id}", photo="<script>alert(1)</script>").ok()
    assert tab.state(AdminEventState).error == ""


# -- /admin/events/<id>/door ----------------------------------------------------------------------

def _door_event(people, **fields) -> int:
    return make_event(people, starts_in=timedelta(hours=1), **fields)


@covers(EventDoorState.load, EventDoorState.check_in, EventDoorState.walk_in, EventDoorState.scan,
        EventDoorState.stop_scan)
@pytest.mark.parametrize("role", NOT_STAFF)
def test_only_staff_check_people_in(role, hub, people):
    event_id = _door_event(people)
    ticket = register(people, people.other, event_id).ticket_code
    tab = hub.browser(people.by_role()[role])
    outcome = tab.load(f"/admin/events/{event_id}/door").ok()
    if role == "visitor":
        assert any("/login?next=/admin/events/" in script for script in outcome.scripts)
    else:
        assert not tab.state(EventDoorState).allowed
    before = db_fingerprint(people.engine, TABLES)
    tab.call(EventDoorState.check_in, {"code": ticket}).ok()
    tab.call(EventDoorState.walk_in, {"name": "Budi", "email": "", "organisation": ""}).ok()
    tab.call(EventDoorState.scan).ok()
    tab.call(EventDoorState.stop_scan).ok()
    assert db_fingerprint(people.engine, TABLES) == before
    assert tab.state(EventDoorState).result_name == ""


@covers(EventDoorState.load, EventDoorState.check_in)
def test_staff_check_a_ticket_in_once_and_refuse_another_events_ticket(hub, people):
    event_id = _door_event(people)
    other_event = _door_event(people, title_id="Acara lain")
    ticket = register(people, people.active, event_id).ticket_code
    foreign = register(people, people.other, other_event).ticket_code
    tab = hub.browser(people.staff)
    tab.load(f"/admin/events/{event_id}/door").ok()
    assert tab.state(EventDoorState).allowed and tab.state(EventDoorState).registered == 1
    tab.call(EventDoorState.check_in, {"code": ticket.lower()}).ok()
    state = tab.state(EventDoorState)
    assert state.result_status == "checked_in" and state.result_name == people.active.name
    assert state.checked_in == 1
    tab.call(EventDoorState.check_in, {"code": ticket}).ok()
    assert tab.state(EventDoorState).result_status == "already"
    before = db_fingerprint(people.engine, TABLES)
    for code in (foreign, "ZZZZZ-ZZZZZ", "", MEGABYTE_TEXT, None, 12345, ["a"], "'; DROP TABLE events;--"):
        tab.send(EventDoorState.check_in, {"form": {"code": code}}).not_crashed()
        assert tab.state(EventDoorState).error and tab.state(EventDoorState).result_status == ""
    assert db_fingerprint(people.engine, TABLES) == before


@covers(EventDoorState.walk_in)
def test_staff_add_a_walk_in_while_seats_are_left(hub, people):
    event_id = _door_event(people, capacity="1")
    tab = hub.browser(people.staff)
    tab.load(f"/admin/events/{event_id}/door").ok()
    tab.call(EventDoorState.walk_in, {"name": "Budi Santoso", "email": "", "organisation": "Warung Budi"}).ok()
    state = tab.state(EventDoorState)
    assert state.result_status == "checked_in" and state.walk_in_done == "Budi Santoso" and state.seats_left == 0
    [row] = registrations(people.engine, event_id)
    assert row.walk_in and row.checked_in_at is not None
    before = db_fingerprint(people.engine, TABLES)
    tab.call(EventDoorState.walk_in, {"name": "Orang kedua", "email": "", "organisation": ""}).ok()
    assert tab.state(EventDoorState).walk_in_error
    for bad in junk_forms(name="Citra", email="", organisation=""):
        tab.send(EventDoorState.walk_in, {"form": bad}).not_crashed()
    assert db_fingerprint(people.engine, TABLES) == before


@covers(EventDoorState.scan, EventDoorState.stop_scan)
def test_the_scanner_starts_in_the_page_with_translated_messages(hub, people):
    event_id = _door_event(people)
    tab = hub.browser(people.staff)
    tab.load(f"/admin/events/{event_id}/door").ok()
    script = " ".join(tab.call(EventDoorState.scan).ok().scripts)
    assert "/events/door_scanner.js" in script and "Arahkan kamera" in script
    assert "hubDoorScanner.stop" in " ".join(tab.call(EventDoorState.stop_scan).ok().scripts)
