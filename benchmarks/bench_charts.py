"""Benchmark: every analytic and the dashboard on large logs; prints the times.

Two logs, both from ``sample_log(adherence=1)`` (a session every day, all
seven exercises, the per-side exercises as a left and a right bout):

- five years of daily sessions (about 16,000 bouts; about 13,000 rows if each
  exercise were one row);
- 100,000 bouts (about thirty years of daily sessions).

For each it times the analytics (:mod:`backkit.analysis`, adherence against
the sample plan, the sentences of :mod:`backkit.narrative`) and the dashboard
(build + draw on the Agg canvas, the work a notebook does to show it), best of
three. The five-year dashboard must draw
in under 2 s. Run::

    .venv/bin/python benchmarks/bench_charts.py
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

BUDGET_S = 2.0  # the five-year dashboard, build + draw
REPEATS = 3


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    import matplotlib.pyplot as plt

    from backkit import analysis, charts, narrative
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

    def dashboard(frame):
        fig = charts.plot_dashboard(frame, plan)
        fig.canvas.draw()
        plt.close(fig)

    print(f"backkit chart benchmark (best of {REPEATS}; python {sys.version.split()[0]})")
    print(f"generated: 5 years {len(five_years):,} bouts in {made_5y:.2f} s; "
          f"100k {len(huge):,} bouts in {made_100k:.2f} s")  # fmt: skip
    failed = False
    for label, frame in (("5 years daily", five_years), ("100,000 bouts", huge)):
        days = frame["started_at"].dt.tz_localize(None).dt.normalize().nunique()
        print(f"\n{label}: {len(frame):,} bouts, {days:,} days")
        total = 0.0
        for name, fn in analytics.items():
            seconds, _ = best_of(lambda fn=fn, frame=frame: fn(frame))
            total += seconds
            print(f"  {name:<22} {seconds * 1000:8.1f} ms")
        print(f"  {'all analytics':<22} {total * 1000:8.1f} ms")
        dashboard(frame)  # warm-up: font cache, first-use imports
        seconds, _ = best_of(lambda frame=frame: dashboard(frame))
        verdict = ""
        if label.startswith("5 years"):
            ok = seconds < BUDGET_S
            failed |= not ok
            verdict = f"  ({'OK' if ok else 'TOO SLOW'}: budget {BUDGET_S:.1f} s)"
        print(f"  {'dashboard build+draw':<22} {seconds * 1000:8.1f} ms{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
