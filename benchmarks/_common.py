"""What the benchmarks share: timing a call.

Not a benchmark itself (``make bench`` runs ``benchmarks/bench_*.py``); each
benchmark imports it as ``from _common import timed``, which works because
Python puts a script's own folder first on ``sys.path``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
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
