"""Benchmark: every analytic and the dashboard on large logs, each beside a baseline.

Two logs, both from ``sample_log(adherence=1)`` (a session every day, all
seven exercises, the per-side exercises as a left and a right bout):

- five years of daily sessions (about 16,000 bouts);
- 100,000 bouts (about thirty years of daily sessions).

For each it prints, as wall-clock and CPU milliseconds (median of two) with
the 1-minute load average:

- the analytics (:mod:`backkit.analysis`, adherence against the sample plan,
  the sentences of :mod:`backkit.narrative`), beside a baseline measured in
  the same run: one plain pandas pass over the same frame (the mean pain
  before exercise per local day, a ``groupby``), so each analytic reads as
  "so many passes";
- the dashboard (build + draw on the Agg canvas, the work a notebook does to
  show it) and the patches it draws, beside the dashboard of an empty log
  (the layout and the text alone).

The five-year dashboard must draw in under 2 s of CPU time (the wall time
is printed too; on a loaded machine it is longer); no dashboard may draw
thousands of patches (long histories are drawn per week, month or year).
About 1 minute on 2 idle cores. Run::

    .venv/bin/python benchmarks/bench_charts.py
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

from _common import Timing, measured

BUDGET_S = 2.0  # the five-year dashboard, build + draw
MOST_PATCHES = 1_000
REPEATS = 2


def line(label: str, timing: Timing, detail: str = "") -> None:
    print(
        f"  {label:<26} {timing.wall * 1000:8.1f} ms wall {timing.cpu * 1000:8.1f} ms CPU"
        f"  load {timing.load:5.2f}  {detail}",
        flush=True,
    )


def main() -> int:
    import matplotlib.pyplot as plt

    from backkit import analysis, charts, narrative
    from backkit.log import empty_frame
    from backkit.sample import sample_log, sample_plan

    tz = "Europe/London"
    plan = sample_plan()
    start = time.perf_counter()
    five_years = sample_log(weeks=261, seed=0, profile="improving", tz=tz, adherence=1)
    made_5y = time.perf_counter() - start
    # 100,000 bouts: about 30 years of daily sessions, cut to exactly 100,000
    start = time.perf_counter()
    huge = sample_log(weeks=1600, seed=1, profile="plateau", tz=tz, adherence=1)
    huge = huge.iloc[:100_000].reset_index(drop=True)
    made_100k = time.perf_counter() - start

    analytics = {
        "daily_pain": lambda f: analysis.daily_pain(f),
        "weekly_pain": lambda f: analysis.weekly_pain(f),
        "pain_trend": lambda f: analysis.pain_trend(f),
        "pain_change_by_week": lambda f: analysis.pain_change_by_week(f),
        "immediate_effect": lambda f: analysis.immediate_effect(f),
        "time_under_tension": lambda f: analysis.time_under_tension(f),
        "sessions_per_week": lambda f: analysis.sessions_per_week(f),
        "work_per_day": lambda f: analysis.work_per_day(f, "bridge"),
        "pain_flags": lambda f: analysis.pain_flags(f),
        "flare_ups": lambda f: analysis.flare_ups(f),
        "weekly_adherence": lambda f: analysis.weekly_adherence(f, plan),
        "narrative.summary": lambda f: narrative.summary(f, plan),
    }

    def dashboard(frame) -> int:
        fig = charts.plot_dashboard(frame, plan)
        fig.canvas.draw()
        patches = sum(len(ax.patches) for ax in fig.axes)
        plt.close(fig)
        return patches

    def plain_pass(frame):
        day = frame["started_at"].dt.tz_localize(None).dt.normalize()
        return frame["pain_before"].groupby(day).mean()

    print(f"backkit chart benchmark (median of {REPEATS}; python {sys.version.split()[0]})")
    print(f"generated: 5 years {len(five_years):,} bouts in {made_5y:.2f} s; "
          f"100k {len(huge):,} bouts in {made_100k:.2f} s")  # fmt: skip
    dashboard(empty_frame(tz=tz))  # warm-up: font cache, first-use imports
    failed = False
    for label, frame in (("5 years daily", five_years), ("100,000 bouts", huge)):
        days = frame["started_at"].dt.tz_localize(None).dt.normalize().nunique()
        print(f"\n{label}: {len(frame):,} bouts, {days:,} days")
        base, _ = measured(lambda frame=frame: plain_pass(frame), repeat=REPEATS)
        wall = cpu = 0.0
        for name, fn in analytics.items():
            timing, _ = measured(lambda fn=fn, frame=frame: fn(frame), repeat=REPEATS)
            wall, cpu = wall + timing.wall, cpu + timing.cpu
            line(name, timing, f"{timing.cpu / base.cpu:6.1f} passes (CPU)" if base.cpu else "")
        total = Timing(wall, cpu, timing.load)
        line("all analytics", total, f"{total.cpu / base.cpu:6.1f} passes" if base.cpu else "")
        line("  baseline: one plain pass", base)
        drawn, patches = measured(lambda frame=frame: dashboard(frame), repeat=REPEATS)
        empty, _ = measured(lambda: dashboard(empty_frame(tz=tz)), repeat=REPEATS)
        verdict = f"{patches:,} patches"
        if label.startswith("5 years"):
            # judged on CPU time: other work on a shared machine stretches the wall time
            ok = drawn.cpu < BUDGET_S
            failed |= not ok
            verdict += f"  ({'OK' if ok else 'TOO SLOW'}: budget {BUDGET_S:.1f} s CPU)"
        if patches >= MOST_PATCHES:
            failed = True
            verdict += f"  (TOO MANY: {MOST_PATCHES:,} at most)"
        line("dashboard build+draw", drawn, f"-> {drawn.ratio(empty)}; {verdict}")
        line("  baseline: an empty log's", empty)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
