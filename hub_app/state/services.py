"""Running a service from an event handler without blocking the event loop."""

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from hub_app.db import database_unreachable, new_session
from hub_app.domain.errors import Unavailable

T = TypeVar("T")
log = logging.getLogger("hub.database")


def _in_session(function: Callable[..., T], args: tuple, kwargs: dict) -> T:
    try:
        with new_session() as session:
            return function(*args, session=session, **kwargs)
    except DBAPIError as error:
        # The member is told to try again (a translated refusal) instead of meeting a crashed
        # event; retries are safe (a repeated booking or enrolment is answered with what was made).
        if database_unreachable(error):
            log.warning("database unreachable: %s", type(error.orig).__name__)
            raise Unavailable() from error
        raise


async def call(function: Callable[..., T], *args, **kwargs) -> T:
    """Runs `function(*args, session=…, **kwargs)` with a fresh DB session in a worker thread."""
    return await asyncio.to_thread(_in_session, function, args, kwargs)
