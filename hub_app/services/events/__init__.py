"""The hub's public events (issue 11): the list and the event page, registration of members and
guests with capacity and an ordered waitlist, tickets and the door, reminders, and guests' data.

Modules: reading (what pages show), registration (seats, waitlist, guests' links), staff (the
events, roster and door), duties (background), common (shared internals).

Names of the contract with the pages (/tmp/prompts/events_contract.md), with these refinements:
- locale is a keyword of upcoming_events, event_view, my_events, admin_events, event_form and roster
  (the page's language); the actor's own locale is not assumed.
- EventView has more than the contract: day texts, capacity and waitlisted, cancel_reason, online,
  registration_open, sign_in_to_register (a visitor at a members-only event), og_url.
  may_register = the signed-in actor can register as a member now; guests_welcome = the guest form
  is open (audience "everyone" and registration open), whoever looks.
- MyRegistration also has qr_svg (the ticket's QR as an SVG data: URI, only with a seat) and
  can_cancel; my_events returns MyEventRow (see reading.py), with as_guest for rows registered as
  a guest with the member's verified email.
- RegistrationOutcome(status, ticket_code, registration_id, queue_position, event_id).
- staff.remove_registration (take someone off) exists besides the contract's functions.
- The guest form's client address goes in `client` (for the mail limits).

Decisions:
- A guest's registration holds NO seat and no queue place until confirmed: the seat (or queue
  number) is taken at confirmation, under the event's lock. The link is valid 24 h, single use;
  expire_unconfirmed cancels stale requests. Asking again sends fresh links for the same row.
- Guests' mails go through services/account_mail (the same limits per recipient and client
  address, a kind per event "event:<id>"); past a limit nothing is written and the answer is
  the same. Mails to members go through notifications.notify (in-app + email), in their language.
- Reminders: 24 h before the start (duties.send_event_reminders), exactly once (reminded_at set
  by a conditional UPDATE in the mail's transaction); a registration made inside those 24 h is
  marked reminded at once (its confirmation mail is the reminder).
- Door: open from 3 h before the start to 1 h after the end (domain/events.py DOOR_*). A ticket of
  another event, a waitlist place, an unconfirmed or cancelled registration is refused.
- .ics: GET /api/events/tickets/<code>/<token>.ics (api/events.py); the token is a keyed hash of
  the ticket code, nothing stored.
- Guests' data is erased event_guest_retention_days (HUB_EVENT_GUEST_RETENTION_DAYS, default 30)
  after the event; a guest row whose email is verified on an account is first handed to it.
"""

from hub_app.services.events.duties import erase_guest_data, expire_unconfirmed, send_event_reminders
from hub_app.services.events.reading import (
    EventCard,
    EventListPage,
    EventView,
    MyEventRow,
    MyRegistration,
    event_view,
    my_events,
    registration_ics,
    upcoming_events,
)
from hub_app.services.events.registration import (
    RegistrationOutcome,
    cancel_by_token,
    cancel_mine,
    confirm_guest,
    register_guest,
    register_member,
)
from hub_app.services.events.staff import (
    AdminEventPage,
    AdminEventRow,
    CheckInOutcome,
    EventRoster,
    RosterRow,
    add_walk_in,
    admin_events,
    cancel_event,
    create_event,
    door_check_in,
    event_form,
    publish_event,
    remove_registration,
    roster,
    save_event_photo,
    update_event,
)

__all__ = [
    "AdminEventPage", "AdminEventRow", "CheckInOutcome", "EventCard", "EventListPage", "EventRoster", "EventView",
    "MyEventRow", "MyRegistration", "RegistrationOutcome", "RosterRow", "add_walk_in", "admin_events",
    "cancel_by_token", "cancel_event", "cancel_mine", "confirm_guest", "create_event", "door_check_in",
    "erase_guest_data", "event_form", "event_view", "expire_unconfirmed", "my_events", "publish_event",
    "register_guest", "register_member", "registration_ics", "remove_registration", "roster", "save_event_photo",
    "send_event_reminders", "update_event", "upcoming_events",
]
