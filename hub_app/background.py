"""Duties that run beside the web server: sending queued email (and, as features add them,
releasing no-show bookings). Safe with several workers: each duty claims its rows."""

import asyncio
import logging

from hub_app.db import new_session
from hub_app.services import bookings, notifications

log = logging.getLogger("hub.background")
INTERVAL_SECONDS = 10


def _deliver_email() -> None:
    with new_session() as session:
        notifications.deliver_outbox(session=session)


def _release_no_shows() -> None:
    with new_session() as session:
        bookings.release_no_shows(session=session)


DUTIES = [_deliver_email, _release_no_shows]


async def run_background_duties() -> None:
    while True:
        for duty in DUTIES:
            try:
                await asyncio.to_thread(duty)
            except Exception:  # a failing duty must not stop the others; it is logged and retried
                log.exception("background duty %s failed", duty.__name__)
        await asyncio.sleep(INTERVAL_SECONDS)
