"""Python's cyclic garbage collector in a worker: what startup built is frozen, and young objects
are collected less often.

A loaded worker holds about a million objects from startup (the app, its pages and states,
SQLAlchemy's mappings) that never become garbage, and creates many short-lived cycles per event
(ORM instances and their states, unpickled tab states). With CPython's default thresholds (700, 10,
10) a node of the drill's steady load (`make drill`, 200 tabs) spent 1.9-2.6 s of every 30 s in
collections, each full one walking the startup objects again. Frozen (`gc.freeze`, once the app is
loaded) they are never walked; with the young generation collected every HUB_GC_YOUNG_THRESHOLD
allocations instead of 700 the same load spent 0.86-1.07 s, and a young collection takes about 20
ms (figures in benchmarks/FIGURES.md, "Garbage collection").
"""

import gc

from hub_app.settings import get_settings


def tune_garbage_collector() -> None:
    """Lifespan task: runs in each worker once the app is loaded, before it serves."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(get_settings().gc_young_threshold, middle, old)
