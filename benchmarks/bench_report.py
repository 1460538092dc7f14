"""Benchmark: how long ``backkit report`` takes; prints the times.

Each run is a real :func:`backkit.report.build`: the review is worked out in
this process, the template renders the HTML and, with a Chromium, the
system's Chromium prints the PDF. Timed, best of three:

- the shipped sample (12 weeks, 683 bouts): the clinician's HTML, the
  patient's HTML, and the clinician's HTML + PDF;
- two years of daily sessions (about 6,000 bouts), HTML only.

Also the total of one sample run, read from the progress bar. The sample HTML
report should take under 10 s.
Run::

    .venv/bin/python benchmarks/bench_report.py
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

BUDGET_S = 10.0  # the sample's HTML report
REPEATS = 3


def best_of(fn, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    from backkit import report, sample
    from backkit.log import SessionLog

    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    os.environ.setdefault("BACKKIT_HOME", str(work / "home"))
    csv, plan = report.sample_paths()

    def html() -> None:
        report.build(csv, plan=plan, out=work / "r.html", pseudonym="P", progress=False)

    first = time.perf_counter()
    html()
    cold = time.perf_counter() - first
    t_html = best_of(html)
    print(f"sample (683 bouts), HTML: {t_html:.2f} s (first run {cold:.2f} s)")
    print(f"  report size: {(work / 'r.html').stat().st_size / 1e6:.2f} MB")

    stream = io.StringIO()
    report.build(csv, plan=plan, out=work / "r.html", pseudonym="P", progress=stream)
    print("  progress bar:", stream.getvalue().strip().splitlines()[-1])

    def patient() -> None:
        report.build(csv, plan=plan, out=work / "pt.html", audience="patient", progress=False)

    t_patient = best_of(patient)
    print(f"sample, the patient's HTML: {t_patient:.2f} s")

    if report.find_chromium():
        t_pdf = best_of(
            lambda: report.build(csv, plan=plan, out=work / "p.html", pdf=True, progress=False)
        )
        pages = (work / "p.pdf").read_bytes().count(b"/Type /Page") - 1
        print(f"sample, HTML + PDF: {t_pdf:.2f} s (PDF {(work / 'p.pdf').stat().st_size / 1e3:.0f}"
              f" kB, about {max(pages, 1)} pages)")  # fmt: skip
    else:
        print("sample, HTML + PDF: skipped (no Chromium)")

    big = work / "two-years.sqlite"
    frame = sample.sample_log(weeks=104, seed=1, adherence=1.0, start="2023-01-02")
    with SessionLog(big, synchronous="NORMAL") as log:
        log.record_many(frame.astype(object).where(frame.notna(), None).to_dict("records"))
        bouts = len(log)
    t_big = best_of(
        lambda: report.build(big, plan=plan, out=work / "b.html", progress=False), repeats=1
    )
    print(f"two years ({bouts} bouts), HTML: {t_big:.2f} s")

    ok = t_html <= BUDGET_S
    print(f"budget: sample HTML report under {BUDGET_S:g} s: {'ok' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
