"""Benchmark outcome check-ins: writes, reads, analytics and the chart.

Prints each figure:

1. recording weekly check-ins (pain, a 4-activity PSFS, a custom measure:
   7 scores each) one ``record_checkin()`` at a time into an on-disk store,
   one transaction each, ``synchronous=FULL`` (the default);
2. reading them back (``outcomes_frame``) for 10 years of weekly check-ins;
3. ``change_from_baseline`` and ``summary_line`` on the same;
4. ``plot_outcomes`` with the 12-week sample, and with 10 years plus a
   100,000-bout session log;
5. opening a ``CheckIn`` widget on the 10-year store.

Run ``python benchmarks/bench_outcomes.py``. Files go to a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from _common import timed

from backkit.charts import plot_outcomes
from backkit.log import SessionLog
from backkit.outcomes import (
    change_from_baseline,
    outcomes_frame,
    record_checkin,
    summary_line,
)
from backkit.sample import sample_checkins, sample_log

WEEKS = 520  # ten years
START = dt.date(2015, 1, 5)
ACTIVITIES = ("sitting 1 hour", "putting on socks", "carrying shopping", "walking 30 minutes")
ODI = {"name": "ODI total", "min": 0, "max": 100, "higher_is_better": False, "mcid": 10}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.sqlite"
        with SessionLog(path) as log:
            per = []
            for k in range(WEEKS):
                pain = 6 - min(4, k // 20)
                t0 = time.perf_counter()
                record_checkin(
                    log,
                    START + dt.timedelta(weeks=k),
                    pain_average=pain,
                    pain_worst=min(10, pain + 2),
                    psfs={a: min(10, 3 + k // 30 + i) for i, a in enumerate(ACTIVITIES)},
                    custom={**ODI, "score": 40 - min(20, k // 10)}
                    if k == 0
                    else {"name": "ODI total", "score": 40 - min(20, k // 10)},
                )
                per.append(time.perf_counter() - t0)
            per_ms = sorted(x * 1000 for x in per)
            p95 = per_ms[int(0.95 * len(per_ms))]
            print(
                f"1. record_checkin, {WEEKS} check-ins x 7 scores, FULL: median "
                f"{statistics.median(per_ms):.2f} ms, p95 {p95:.2f} ms, total {sum(per):.2f} s"
            )
            t, frame = timed(lambda: outcomes_frame(log), repeat=5)
            print(f"2. outcomes_frame, {len(frame):,} rows: {t * 1000:.1f} ms")
            t, change = timed(lambda: change_from_baseline(frame), repeat=5)
            print(f"3. change_from_baseline -> {len(change):,} rows: {t * 1000:.1f} ms")
            t, line = timed(lambda: summary_line(frame), repeat=5)
            print(f"   summary_line: {t * 1000:.1f} ms: {line}")

            small_log, small = sample_log(), sample_checkins()
            t, _ = timed(lambda: plot_outcomes(small_log, small), repeat=5)
            print(f"4. plot_outcomes, 12-week sample: {t * 1000:.0f} ms")
            big_log = sample_log(weeks=WEEKS // 5 * 5, adherence=1.0)
            t, fig = timed(lambda: plot_outcomes(big_log, frame), repeat=2)
            print(
                f"   plot_outcomes, {WEEKS} check-ins + {len(big_log):,} bouts: {t * 1000:.0f} ms"
            )
            t0 = time.perf_counter()
            fig.savefig(Path(tmp) / "big.png", dpi=80)
            print(f"   savefig PNG of that: {(time.perf_counter() - t0) * 1000:.0f} ms")

            from backkit import CheckIn

            t, _ = timed(lambda: CheckIn(log, today=START + dt.timedelta(weeks=WEEKS)), repeat=5)
            print(f"5. CheckIn() on the {WEEKS}-check-in store: {t * 1000:.0f} ms")


if __name__ == "__main__":
    main()
