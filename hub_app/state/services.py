"""Running a service from an event handler without blocking the event loop."""

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from hub_app.db import database_unreachable, is_read_only, new_read_session, new_session
from hub_app.domain.errors import Unavailable

T = TypeVar("T")
log = logging.getLogger("hub.database")


def _in_session(function: Callable[..., T], args: tuple, kwargs: dict, reading: bool) -> T:
    try:
        with new_read_session() if reading else new_session() as session:
            return function(*args, session=session, **kwargs)
    except DBAPIError as error:
        # The member is told to try again (a translated refusal) instead of meeting a crashed
        # event; retries are safe (a repeated booking or enrolment is answered with what was made).
        if database_unreachable(error):
            log.warning("database unreachable: %s", type(error.orig).__name__)
            raise Unavailable() from error
        raise


async def call(function: Callable[..., T], *args, **kwargs) -> T:
    """Runs `function(*args, session=…, **kwargs)` with a fresh DB session in a worker thread; a
    service marked @reads_only gets a reading session (hub_app.db.new_read_session)."""
    return await asyncio.to_thread(_in_session, function, args, kwargs, is_read_only(function))


async def call_reading(function: Callable[..., T], *args, **kwargs) -> T:
    """`call` with a reading session, for a function whose session only reads: one that wraps a
    service marked @reads_only, or the sign-in lookups (whose rare writes open sessions of their own)."""
    return await asyncio.to_thread(_in_session, function, args, kwargs, True)
