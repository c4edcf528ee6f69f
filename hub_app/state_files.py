"""Tab states kept on disk (the SQLite path, `make run`): their expiry scan at most once a minute.

Without Redis, Reflex keeps each tab's state in a file and its write loop removes the expired ones
by listing and stat-ing every state file each time it wakes. Under load it wakes whenever the
oldest pending write comes due, many times a second, and with thousands of files (tokens live an
hour) the scan took half of the worker's time (py-spy, `python -m benchmarks events`). A state
expires after an hour, so finding it up to a minute later changes nothing a member sees.
"""

import time
from collections.abc import Callable

import reflex as rx
from reflex.istate.manager.disk import StateManagerDisk

PURGE_INTERVAL_SECONDS = 60.0


def throttle_purge(manager: StateManagerDisk, *, interval: float = PURGE_INTERVAL_SECONDS,
                   clock: Callable[[], float] = time.monotonic) -> None:
    """Makes the manager's expiry scan run at most once per `interval` (it ran at creation)."""
    scan = manager._purge_expired_states
    last_scan = clock()

    def purge_expired_states() -> None:
        nonlocal last_scan
        now = clock()
        if now - last_scan < interval:
            return
        last_scan = now
        scan()

    # The write loop looks the method up on the instance each time (run_in_thread(self._purge...)).
    manager._purge_expired_states = purge_expired_states


def throttle_state_file_purge(app: rx.App) -> None:
    """Throttles the app's expiry scan when its tab states live on disk (a no-op with Redis)."""
    manager = app._state_manager
    if isinstance(manager, StateManagerDisk):
        throttle_purge(manager)
