"""The demo events: made through the services (the hall reserved like a training session), a full
members-only event with a waitlist, a past event with guests; seeding twice changes nothing."""

from sqlmodel import col, select

from hub_app.models import Booking, Event, EventRegistration
from hub_app.seed import seed_demo


def test_demo_events_are_seeded_once(session):
    seed_demo(session)
    session.commit()
    found = {event.title_en: event for event in session.exec(select(Event)).all()}
    assert {"Jakarta–Berlin startup meetup", "Digital SME demo day", "Export clinic: selling to the EU",
            "Founders' story night", "Community morning coffee"} <= set(found)
    meetup = found["Jakarta–Berlin startup meetup"]
    reservation = session.get(Booking, meetup.booking_id)
    assert (reservation.kind, reservation.event_id, reservation.status) == ("event", meetup.id, "confirmed")
    clinic = found["Export clinic: selling to the EU"]
    assert (clinic.registered_count, clinic.waitlist_count, clinic.audience) == (3, 1, "members")
    past = found["Founders' story night"]
    guests = session.exec(select(EventRegistration).where(EventRegistration.event_id == past.id,
                                                          col(EventRegistration.user_id).is_(None))).all()
    assert len(guests) == 3 and sum(row.checked_in_at is not None for row in guests) == 2
    count = len(found)
    session.commit()
    seed_demo(session)
    session.commit()
    assert len(session.exec(select(Event)).all()) == count
    session.rollback()
