"""Benchmark outcome check-ins: writes, reads, analytics and the chart, each beside a baseline.

Prints each figure as wall-clock and CPU time with the 1-minute load average:

1. recording weekly check-ins (pain, a 4-activity PSFS, a custom measure:
   7 scores each) one ``record_checkin()`` at a time into an on-disk store,
   one transaction each, ``synchronous=FULL`` (the default);
2. reading them back (``outcomes_frame``) for 10 years (520) of weekly
   check-ins, beside a raw ``pandas.read_sql_query`` of the scores table;
3. ``change_from_baseline`` and ``summary_line`` on the same;
4. ``plot_outcomes`` with 10 years plus a 100,000-bout session log (drawn a
   month a bar beneath: more than two years), beside the 12-week sample;
5. opening a ``CheckIn`` widget on the 10-year store.

Median of 5 (the big chart: of 2). About 40 s on 2 idle cores, most of it
the 520 synced commits of 1. Run ``python benchmarks/bench_outcomes.py``.
Files go to a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")

from _common import Timing, measured

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


def line(label: str, timing: Timing, detail: str = "") -> None:
    print(
        f"{label:<58} {timing.wall * 1000:8.1f} ms wall {timing.cpu * 1000:8.1f} ms CPU"
        f"  load {timing.load:5.2f}  {detail}",
        flush=True,
    )


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
            t, frame = measured(lambda: outcomes_frame(log), repeat=5)
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            raw, _ = measured(
                lambda: pd.read_sql_query("SELECT * FROM outcome_scores", conn), repeat=5
            )
            conn.close()
            line(f"2. outcomes_frame, {len(frame):,} rows", t, f"-> {t.ratio(raw)}")
            line("   baseline: read_sql_query of the scores table", raw)
            t, change = measured(lambda: change_from_baseline(frame), repeat=5)
            line(f"3. change_from_baseline -> {len(change):,} rows", t)
            t, words = measured(lambda: summary_line(frame), repeat=5)
            line("   summary_line", t, words)

            small_log, small = sample_log(), sample_checkins()
            base, _ = measured(lambda: plot_outcomes(small_log, small), repeat=5)
            big_log = sample_log(weeks=WEEKS // 5 * 5, adherence=1.0)
            t, fig = measured(lambda: plot_outcomes(big_log, frame), repeat=2)
            patches = sum(len(ax.patches) for ax in fig.axes)
            line(
                f"4. plot_outcomes, {WEEKS} check-ins + {len(big_log):,} bouts",
                t,
                f"{patches:,} patches -> {t.ratio(base)}",
            )
            line("   baseline: plot_outcomes of the 12-week sample", base)
            t, _ = measured(lambda: fig.savefig(Path(tmp) / "big.png", dpi=80))
            line("   savefig PNG of the big one", t)

            from backkit import CheckIn

            t, _ = measured(lambda: CheckIn(log, today=START + dt.timedelta(weeks=WEEKS)), repeat=5)
            line(f"5. CheckIn() on the {WEEKS}-check-in store", t)


if __name__ == "__main__":
    main()
