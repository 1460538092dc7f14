"""What the benchmarks share: timing a call, in wall-clock and CPU seconds.

Not a benchmark itself (``make bench`` runs ``benchmarks/bench_*.py``); each
benchmark imports it as ``from _common import timed``, which works because
Python puts a script's own folder first on ``sys.path``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Call ``fn`` ``repeat`` times: (the median of the wall-clock seconds, the last result)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


@dataclass(frozen=True)
class Timing:
    """Median wall-clock and CPU seconds of a call, and the 1-minute load average after it.

    CPU time is this process's (all its threads); on a shared machine it moves
    less than wall time when other work competes for the cores.
    """

    wall: float
    cpu: float
    load: float

    def ratio(self, base: Timing) -> str:
        """``self / base`` for wall and CPU, e.g. ``1.12x wall, 1.10x CPU``."""
        wall = self.wall / base.wall if base.wall else float("inf")
        cpu = self.cpu / base.cpu if base.cpu else float("inf")
        return f"{wall:.2f}x wall, {cpu:.2f}x CPU"


def measured(fn: Callable[[], T], repeat: int = 1) -> tuple[Timing, T]:
    """Call ``fn`` ``repeat`` times: (median wall and CPU seconds with the load average, result)."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    timing = Timing(statistics.median(walls), statistics.median(cpus), load_average())
    return timing, result


def load_average() -> float:
    """The 1-minute load average (0.0 where the system does not tell)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def median(timings: list[Timing]) -> Timing:
    """The median wall and CPU seconds of several timings (the load average of the last)."""
    return Timing(
        statistics.median(t.wall for t in timings),
        statistics.median(t.cpu for t in timings),
        timings[-1].load,
    )
