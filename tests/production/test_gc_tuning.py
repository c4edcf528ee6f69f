"""A worker's garbage collector: startup's objects frozen out of its walks, the young generation
collected every HUB_GC_YOUNG_THRESHOLD allocations, and garbage cycles made while serving still freed
without anyone calling gc.collect(). Each check runs in a fresh interpreter: the collector is global."""

import os
import subprocess
import sys
import textwrap

import pytest
from pydantic import ValidationError

from hub_app.settings import Settings

WORKER = textwrap.dedent("""
    import gc, weakref
    from hub_app.hub_app import app
    from hub_app.gc_tuning import tune_garbage_collector

    assert tune_garbage_collector in app._lifespan_tasks, "the app does not tune its workers' collector"
    tune_garbage_collector()
    print("threshold", gc.get_threshold()[0])
    print("frozen", gc.get_freeze_count())

    class Tab:
        pass

    freed = []
    tab = Tab()
    tab.itself = tab  # a cycle: reference counting alone never frees it
    watch = weakref.ref(tab, lambda _: freed.append(True))
    del tab
    keep = [[] for _ in range(3 * gc.get_threshold()[0])]  # what serving allocates meanwhile
    print("freed", bool(freed))
""")


def _worker(threshold: str) -> dict[str, str]:
    env = dict(os.environ, HUB_GC_YOUNG_THRESHOLD=threshold)
    done = subprocess.run([sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, timeout=120,
                          cwd=os.getcwd())
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


def test_a_worker_freezes_startup_and_still_frees_cycles_made_later():
    seen = _worker("2000")
    assert seen["threshold"] == "2000"
    # Startup (the app, its pages and states) leaves hundreds of thousands of objects.
    assert int(seen["frozen"]) > 100_000
    assert seen["freed"] == "True", "a garbage cycle made after the tuning was never collected"


@pytest.mark.parametrize("value", ["0", "-5", "99", "lots", "10000000"])
def test_a_young_threshold_outside_its_bounds_is_refused_at_startup(monkeypatch, value):
    monkeypatch.setenv("HUB_GC_YOUNG_THRESHOLD", value)
    with pytest.raises(ValidationError, match="gc_young_threshold"):
        Settings()
