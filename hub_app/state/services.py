"""Running a service from an event handler without blocking the event loop."""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from hub_app.db import new_session

T = TypeVar("T")


def _in_session(function: Callable[..., T], args: tuple, kwargs: dict) -> T:
    with new_session() as session:
        return function(*args, session=session, **kwargs)


async def call(function: Callable[..., T], *args, **kwargs) -> T:
    """Runs `function(*args, session=…, **kwargs)` with a fresh DB session in a worker thread."""
    return await asyncio.to_thread(_in_session, function, args, kwargs)
