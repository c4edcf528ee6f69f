"""How fast this machine runs a fixed piece of Python, measured beside the drill's and capacity's
CPU figures (ms of node CPU per event).

The machine's speed is not a constant. Its two vCPUs slow each other down: the loop below cost
131-170 ms of CPU (1,000,000 turns) alone and 175-249 ms while a busy loop ran on the other vCPU
(2026-12-04), so an event costs more CPU the busier the machine is; and the host's other work moves
it from hour to hour (the same loop alone: 101-176 ms within a minute). A CPU figure says little
without how fast the machine ran meanwhile: `Gauge` runs the loop every few seconds in a process of
its own (so the load client's event loop and GIL are not disturbed) and gives the loop's CPU for a
window, beside the loop's CPU on the machine at rest before the topology started.

`python -m benchmarks.machine_speed` is that process: one line per loop, until its parent is gone.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time

TURNS = 500_000  # 25-40 ms of CPU here: sampled every EVERY_SECONDS, about 1 % of one core
EVERY_SECONDS = 3.0


def loop_cpu_ms() -> float:
    """The CPU this thread spends on a fixed loop (thread time: waiting for the GIL or a core is
    not counted, only how fast the core ran the loop)."""
    started = time.thread_time()
    total = 0
    for turn in range(TURNS):
        total += turn * turn % 7
    return (time.thread_time() - started) * 1000


def at_rest_ms(times: int = 5) -> float:
    """The loop's CPU, median of `times`, measured here and now (before the load starts)."""
    return statistics.median(loop_cpu_ms() for _ in range(times))


class Gauge:
    """Samples loop_cpu_ms() every EVERY_SECONDS in a child process while the topology runs."""

    def __init__(self) -> None:
        self.at_rest = at_rest_ms()
        self.samples: list[tuple[float, float]] = []  # (time.monotonic() when read, loop CPU ms)
        self._process = subprocess.Popen([sys.executable, "-m", "benchmarks.machine_speed"],
                                         stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._process.stdout:
            self.samples.append((time.monotonic(), float(line)))

    def during(self, started: float, ended: float) -> float:
        """The loop's median CPU in ms between two time.monotonic() readings (0 if none came)."""
        window = [value for moment, value in self.samples if started <= moment <= ended]
        return statistics.median(window) if window else 0.0

    def slowdown(self, started: float, ended: float) -> str:
        """How much more CPU the loop cost in the window than at rest, e.g. "1.4x" ("-" if unknown)."""
        during = self.during(started, ended)
        return f"{during / self.at_rest:.1f}x" if during and self.at_rest else "-"

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


def _sample_until_orphaned() -> None:
    parent = os.getppid()
    while os.getppid() == parent:
        print(f"{loop_cpu_ms():.2f}", flush=True)
        time.sleep(EVERY_SECONDS)


if __name__ == "__main__":
    try:
        _sample_until_orphaned()
    except (BrokenPipeError, KeyboardInterrupt):  # the parent went away first
        pass
