"""How long the exercise illustrations take, and how big the animations are.

Run: ``.venv/bin/python benchmarks/bench_poses.py``. Prints, per exercise, the
time to build and render ``plot_exercise`` to PNG, the time to build
``animate_exercise`` and the size of its HTML, and the time the catalogue
takes to load with every pose validated.
"""

from __future__ import annotations

import io
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.use("Agg")

from _common import timed

import backkit
from backkit import exercises
from backkit.poses import draw


def main() -> None:
    def reload():
        exercises._load.cache_clear()
        return exercises.catalogue()

    t_load, _ = timed(reload, repeat=10)
    print(f"catalogue load + pose validation: {t_load * 1000:.1f} ms (median of 10)")
    backkit.plot_exercise("squat")  # warm up fonts and caches once

    print(f"{'exercise':32s} {'figure':>8s} {'+PNG':>8s} {'anim':>7s} {'loop s':>7s} "
          f"{'frames':>6s} {'images':>6s} {'HTML KiB':>9s}")  # fmt: skip
    totals = []
    for ex_id in backkit.exercise_ids():
        t_fig, _ = timed(lambda ex_id=ex_id: backkit.plot_exercise(ex_id), repeat=3)

        def render(ex_id=ex_id):
            buf = io.BytesIO()
            backkit.plot_exercise(ex_id).savefig(buf, format="png", dpi=100)
            return buf

        t_png, _ = timed(render, repeat=3)
        t_anim, anim = timed(lambda ex_id=ex_id: backkit.animate_exercise(ex_id), repeat=1)
        size = len(anim.html.encode("utf-8")) / 1024
        totals.append(size)
        print(
            f"{ex_id:32s} {t_fig * 1000:6.0f}ms {t_png * 1000:6.0f}ms {t_anim:6.2f}s "
            f"{anim.seconds:7.1f} {anim.frames:6d} {anim.images:6d} {size:9.0f}"
        )
    print(
        f"animation HTML: total {sum(totals):.0f} KiB for all seven, largest {max(totals):.0f} KiB"
    )
    # the function under pose_png's cache, so every call draws
    t_png, _ = timed(
        lambda: draw._pose_png.__wrapped__(backkit.get_exercise("bridge"), "end", 240), repeat=3
    )
    print(f"pose_png (240 px, uncached): {t_png * 1000:.0f} ms")


if __name__ == "__main__":
    main()
