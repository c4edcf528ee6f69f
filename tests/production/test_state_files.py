"""Tab states on disk (the SQLite path): expired ones are still removed, the scan at most once a minute."""

import os
import time

import pytest
from reflex.istate.manager.disk import StateManagerDisk

from hub_app.state_files import throttle_purge, throttle_state_file_purge


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def manager(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path))
    return StateManagerDisk()


def _state_file(manager: StateManagerDisk, name: str, age_seconds: float):
    path = manager.states_directory / f"{name}.pkl"
    path.write_bytes(b"state")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_an_expired_state_is_removed_by_the_first_scan_a_minute_after_the_last(manager):
    clock = Clock()
    throttle_purge(manager, interval=60, clock=clock)
    hour = manager.token_expiration
    expired = _state_file(manager, "expired", hour + 60)
    live = _state_file(manager, "live", 10)

    clock.now += 30
    manager._purge_expired_states()
    assert expired.exists(), "the scan ran again within the minute after the manager's own scan"

    clock.now += 31
    manager._purge_expired_states()
    assert not expired.exists()
    assert live.exists()

    later = _state_file(manager, "later", hour + 60)
    clock.now += 59
    manager._purge_expired_states()
    assert later.exists()
    clock.now += 1
    manager._purge_expired_states()
    assert not later.exists()
    assert live.exists()


def test_the_portal_throttles_the_scan_of_its_disk_states(manager):
    class App:
        _state_manager = manager

    throttle_state_file_purge(App)
    expired = _state_file(manager, "expired", manager.token_expiration + 60)
    manager._purge_expired_states()
    assert expired.exists()
