"""Benchmark the session log: writes, loading, adherence, against the naive CSV way.

Prints each figure:

1. recording 10,000 bouts one ``record()`` call at a time into SQLite
   (one transaction each; ``synchronous=FULL``, the default, and ``NORMAL``);
2. the naive way: a pandas DataFrame re-written to a CSV file on every append;
3. loading a 100,000-row log into a DataFrame (``SessionLog.frame()``), and
   the naive ``pandas.read_csv`` of the same rows with the same dtypes;
4. computing adherence on the 100,000 rows, with and without a plan;
5. for reference: opening (with its integrity check), CSV export and import.

Run ``python benchmarks/bench_log.py`` (``--quick`` for a smaller naive run,
extrapolated). The files go to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import timed

from backkit import exercise_ids, get_exercise
from backkit.adherence import adherence
from backkit.log import COLUMNS, SessionLog, conform
from backkit.plan import Plan

START = dt.datetime(2016, 1, 4, 7, 0, tzinfo=dt.timezone.utc)  # a Monday


def bouts(n: int) -> list[dict]:
    """``n`` realistic bouts: three sessions a day, the seven exercises, both sides."""
    plan = []
    for ex_id in exercise_ids():
        ex = get_exercise(ex_id)
        plan += [(ex_id, side) for side in (("left", "right") if ex.per_side else ("both",))]
    rows, i, session = [], 0, 0
    while len(rows) < n:
        day, slot = divmod(session, 3)
        start = START + dt.timedelta(days=day, hours=5 * slot)
        for k, (ex_id, side) in enumerate(plan):
            if len(rows) == n:
                break
            when = start + dt.timedelta(minutes=2 * k)
            short = i % 11 == 0  # about one bout in eleven is partial
            rows.append(
                {
                    "session_id": f"s{session}",
                    "started_at": when,
                    "ended_at": when + dt.timedelta(seconds=90),
                    "exercise_id": ex_id,
                    "side": side,
                    "reps_done": 1 if short else None,
                    "status": "partial" if short else None,
                    "pain_before": i % 7,
                    "pain_after": (i + 2) % 7 if k == len(plan) - 1 else None,
                    "effort": 5 if k == 0 else None,
                    "notes": "felt stiff" if i % 50 == 0 else None,
                    "source": "timer",
                }
            )
            i += 1
        session += 1
    return rows


def line(label: str, seconds: float, detail: str = "") -> None:
    print(f"  {label:<58} {seconds:9.3f} s  {detail}", flush=True)


def bench_writes(folder: Path, writes: int) -> None:
    rows = bouts(writes)
    print(f"\n1. Recording {writes:,} bouts one record() call at a time (SQLite, WAL)")
    for sync in ("FULL", "NORMAL"):
        path = folder / f"writes-{sync.lower()}.sqlite"
        with SessionLog(path, synchronous=sync) as log:
            seconds, _ = timed(lambda log=log: [log.record(**row) for row in rows])
            assert len(log) == writes
        line(
            f"record() x {writes:,}, synchronous={sync}",
            seconds,
            f"{seconds / writes * 1000:.2f} ms each, {writes / seconds:,.0f} bouts/s",
        )


def bench_naive_writes(folder: Path, writes: int, total: int) -> None:
    import numpy as np

    rows = bouts(writes)
    print(f"\n2. The naive way: a DataFrame re-written to CSV on every append ({writes:,} appends)")
    path = folder / "naive.csv"
    df = pd.DataFrame(columns=list(COLUMNS))
    each = []
    start = time.perf_counter()
    for row in rows:
        t = time.perf_counter()
        df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
        df.to_csv(path, index=False)
        each.append(time.perf_counter() - t)
    seconds = time.perf_counter() - start
    line(
        f"concat + to_csv x {writes:,}",
        seconds,
        f"{seconds / writes * 1000:.2f} ms each on average, "
        f"{statistics.mean(each[-100:]) * 1000:.1f} ms for the last 100",
    )
    if writes < total:
        # Every append rewrites the whole file, so one append costs a + b * rows:
        # fit that line and add it up to the full count.
        b, a = np.polyfit(np.arange(writes), np.array(each), 1)
        estimate = total * a + b * total * (total - 1) / 2
        line(f"  extrapolated to {total:,} appends (cost linear in rows)", estimate, "(estimate)")


def bench_reads(folder: Path, rows: int) -> None:
    path = folder / "big.sqlite"
    data = bouts(rows)
    with SessionLog(path) as log:
        seconds, _ = timed(lambda: log.record_many(data))
    print(f"\n3. Loading a {rows:,}-row log into a DataFrame")
    line(f"(setup) record_many of {rows:,} rows, one transaction", seconds)
    seconds, log = timed(lambda: SessionLog(path))
    line("open the log (header check + PRAGMA quick_check + migrate)", seconds)
    seconds, frame = timed(log.frame, repeat=5)
    line(f"SessionLog.frame(), {len(frame):,} rows (median of 5)", seconds)
    csv_path = folder / "big.csv"
    seconds, _ = timed(lambda: log.export_csv(csv_path))
    line("export_csv", seconds, f"{csv_path.stat().st_size / 1e6:.1f} MB")

    def naive_load() -> pd.DataFrame:
        df = pd.read_csv(csv_path, keep_default_na=True)
        return conform(df)  # the same dtypes as frame(): categories, tz-aware times

    seconds, naive = timed(naive_load, repeat=3)
    line("naive: pandas.read_csv + the same dtypes (median of 3)", seconds)
    assert len(naive) == len(frame)
    with SessionLog(folder / "imported.sqlite") as fresh:
        seconds, _ = timed(lambda: fresh.import_csv(csv_path))
        line("import_csv (validates every row, one transaction)", seconds)

    print(f"\n4. Adherence on {rows:,} rows")
    plan = Plan.default(START.date())
    seconds, table = timed(lambda: adherence(frame, plan), repeat=5)
    line("adherence(frame, plan), weekly (median of 5)", seconds, f"{len(table):,} rows out")
    seconds, table = timed(lambda: adherence(frame, plan, "D"), repeat=3)
    line("adherence(frame, plan, 'D'), daily (median of 3)", seconds, f"{len(table):,} rows out")
    seconds, table = timed(lambda: adherence(frame), repeat=5)
    line("adherence(frame), no plan (median of 5)", seconds, f"{len(table):,} rows out")
    seconds, _ = timed(lambda: adherence(log.frame(), plan), repeat=3)
    line("frame() + adherence(), end to end (median of 3)", seconds)
    log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=10_000, help="single-record writes")
    parser.add_argument("--rows", type=int, default=100_000, help="rows to load and analyse")
    parser.add_argument(
        "--quick", action="store_true", help="naive CSV run with 2,000 appends, extrapolated"
    )
    args = parser.parse_args(argv)
    print(
        f"backkit session-log benchmark: Python {platform.python_version()}, "
        f"pandas {pd.__version__}, SQLite {__import__('sqlite3').sqlite_version}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="backkit-bench-") as tmp:
        folder = Path(tmp)
        print(f"files in {folder} (removed afterwards)")
        bench_writes(folder, args.writes)
        naive = min(args.writes, 2_000) if args.quick else args.writes
        bench_naive_writes(folder, naive, args.writes)
        bench_reads(folder, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
