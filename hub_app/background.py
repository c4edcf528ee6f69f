"""Duties that run beside the web server: sending queued email (and, as features add them,
releasing no-show bookings). Safe with several workers: each duty claims its rows."""

import asyncio
import logging

from hub_app.db import database_unreachable, new_session
from hub_app.services import booking_checkins, events, notifications, record_retention
from hub_app.services.insights import rollups

log = logging.getLogger("hub.background")
INTERVAL_SECONDS = 10


def _deliver_email() -> None:
    with new_session() as session:
        notifications.deliver_outbox(session=session)


def _release_no_shows() -> None:
    with new_session() as session:
        booking_checkins.release_no_shows(session=session)


def _roll_up_insights() -> None:
    # One small batch a round: builders take turns on a lock (services/insights/rollups.py), so
    # several workers never rebuild the same days, and writers never wait long for it.
    with new_session() as session:
        rollups.roll_up(session=session)


def _event_duties() -> None:
    # Reminders the day before (each claimed once), stale guest requests, guests' data past retention.
    with new_session() as session:
        events.send_event_reminders(session=session)
        events.expire_unconfirmed(session=session)
        events.erase_guest_data(session=session)


def _purge_sign_in_records() -> None:
    with new_session() as session:
        record_retention.purge_sign_in_records(session=session)


DUTIES = [_deliver_email, _release_no_shows, _roll_up_insights, _event_duties, _purge_sign_in_records]


async def run_duties_once() -> None:
    """One round of every duty. A duty that fails does not stop the others (it is logged with its
    traceback and tried again next round); without a database none of them can work, so the round
    ends there with one line, not a traceback per duty every round of the outage."""
    for duty in DUTIES:
        try:
            await asyncio.to_thread(duty)
        except Exception as error:
            if database_unreachable(error):
                log.warning("background duties wait for the database (%s); next round in %s s",
                            type(error.orig).__name__, INTERVAL_SECONDS)
                return
            log.exception("background duty %s failed", duty.__name__)


async def run_background_duties() -> None:
    while True:
        await run_duties_once()
        await asyncio.sleep(INTERVAL_SECONDS)
