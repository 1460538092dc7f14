"""The clinician's report on paper: its first two pages, the size of its charts' text, its pages.

Each test prints a report to PDF with the system Chromium
(``report.build(pdf=True)``, as ``backkit report --pdf`` does) and reads the
PDF back with poppler-utils: ``pdftotext`` (the words on each page),
``pdfimages -list`` (on which page each chart is, and at how many of its pixels
to the inch it is printed) and ``pdftoppm`` (each page as a picture).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

import backkit
from backkit import outcomes, report
from backkit.report import sections

# each prints a PDF with Chromium: make check leaves them to make test
pytestmark = pytest.mark.slow

SMALLEST_PRINTED_PT = 8  # chart text below this is hard to read on paper
LEAST_FILLED = 0.6  # share of a page's text area a page (but the last) fills at least
FIRST_PAGES = ("Warning-sign answers", "Summary", "Pain before exercise over time", "Adherence",
               "Next plan")  # fmt: skip


def needs_pdf_tools() -> None:
    tools = ("pdftotext", "pdfimages", "pdftoppm")
    if report.find_chromium() is None or not all(shutil.which(t) for t in tools):
        if os.environ.get("BACKKIT_REQUIRE_BROWSER") == "1":
            pytest.fail("BACKKIT_REQUIRE_BROWSER=1 but no Chromium or poppler-utils found")
        pytest.skip("no Chromium or poppler-utils (BACKKIT_REQUIRE_BROWSER=1 makes this an error)")


def run(*cmd: str | Path) -> str:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


@dataclass
class Drawn:
    """One chart as the report drew it: its alt text, PNG size, resolution and text sizes."""

    alt: str
    pixels: tuple[int, int]
    dpi: float
    sizes: list[tuple[float, str]]  # (points, text) of every visible text in the figure


@dataclass
class Printed:
    html: str
    pdf: Path
    charts: list[Drawn]  # in the order the page shows them

    def pages(self) -> list[str]:
        return run("pdftotext", "-layout", self.pdf, "-").split("\f")[:-1]

    def images(self) -> list[tuple[int, tuple[int, int], tuple[float, float]]]:
        """Each image in order: page, (width, height) in pixels, (x, y) pixels per inch printed."""
        rows = run("pdfimages", "-list", self.pdf).splitlines()[2:]
        found = []
        for row in rows:
            # page num type width height color comp bpc enc interp object ID x-ppi y-ppi ...
            page, _, kind, width, height, *rest = row.split()
            if kind == "image":  # not the soft masks of transparent PNGs
                ppi = float(rest[7]), float(rest[8])
                found.append((int(page), (int(width), int(height)), ppi))
        return found


def print_report(out: Path, log: Path | None, plan: Path | None = None) -> Printed:
    """Build the clinician's report with its PDF, noting the text sizes of every chart drawn."""
    drawn: dict[str, Drawn] = {}
    seen: list[tuple[float, list[tuple[float, str]]]] = []
    savefig, chart_image = Figure.savefig, report.chart_image

    def noting_savefig(fig, *args, **kwargs):
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        seen.append((kwargs["dpi"], [(t.get_fontsize(), t.get_text()) for t in texts]))
        return savefig(fig, *args, **kwargs)

    def noting_chart_image(chart, **kwargs):
        image = chart_image(chart, **kwargs)
        png = base64.b64decode(image.src.split(",", 1)[1])
        dpi, sizes = seen[-1]
        drawn[image.alt] = Drawn(image.alt, struct.unpack(">II", png[16:24]), dpi, sizes)
        return image

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Figure, "savefig", noting_savefig)
        mp.setattr(sections, "chart_image", noting_chart_image)  # where the charts are drawn
        report.build(log, plan=plan, out=out, pseudonym="Patient A", pdf=True, progress=False)
    page = out.read_text(encoding="utf-8")
    shown = [m.replace("&#39;", "'") for m in re.findall(r'<img alt="([^"]*)"', page)]
    return Printed(page, out.with_suffix(".pdf"), [drawn[alt] for alt in shown])


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Printed:
    needs_pdf_tools()
    return print_report(tmp_path_factory.mktemp("print") / "report.html", None)


def test_the_first_two_pages_hold_the_warning_signs_summary_trend_adherence_and_plan(sample):
    pages = sample.pages()
    first_two = " ".join(" ".join(p.split()) for p in pages[:2])
    for heading in FIRST_PAGES:
        assert heading in first_two, heading
    page1 = " ".join(pages[0].split())
    assert page1.index("Warning-sign answers") < page1.index("Summary")  # the box opens it
    assert "Not known from this file (this is sample data)" in page1
    # the detail starts on a page of its own
    assert "1. Adherence by exercise" not in first_two
    assert pages[2].split()[:4] == ["1.", "Adherence", "by", "exercise"]
    # the charts of the first two pages are printed there: the trend and weekly adherence
    on_page = dict(zip([c.alt for c in sample.charts], [i[0] for i in sample.images()],
                       strict=True))  # fmt: skip
    assert on_page["Pain before exercise"] == 1
    assert on_page["Exercises done per week vs plan"] <= 2


def test_no_chart_text_prints_under_8_points(sample):
    """Every text in every chart prints at 8 pt or more.

    How it is measured: while the report is built, each figure's texts (titles,
    tick labels, legends, labels on bars, the sample stamp; every visible text
    artist) are noted with their size in points, with the resolution the figure
    is saved at (``dpi``: pixels to one inch of figure). In the PDF,
    ``pdfimages -list`` gives the resolution at which that same PNG is printed
    (``x-ppi``: pixels to one inch of paper). A text of ``s`` points then prints
    at ``s * dpi / x-ppi`` points: the PNG is scaled by ``dpi / x-ppi`` on
    paper, whatever the page's CSS or the browser did to it (a too-wide table
    that makes Chromium shrink the whole page shows up here). Charts and
    images are paired in page order and checked to have the same pixel size.
    ``x-ppi`` is a whole number, so the result is good to 0.3% (0.03 pt at 8 pt).

    The scale is the horizontal one, which the page sets (the image's width).
    Chromium snaps an image's top and bottom edges to whole CSS pixels (1/96
    inch) where it falls on the page, which can make a chart a pixel shorter or
    taller than its width implies: the test checks that ``y-ppi`` differs from
    ``x-ppi`` by no more than that one pixel, so no chart is squeezed.
    """
    images = sample.images()
    assert [i[1] for i in images] == [c.pixels for c in sample.charts]  # paired right
    smallest = []
    for chart, (page, (_, height), (x_ppi, y_ppi)) in zip(sample.charts, images, strict=True):
        size, text = min(chart.sizes)
        printed = size * chart.dpi / x_ppi
        smallest.append((round(printed, 2), chart.alt[:40], text, page))
        css_height = height / x_ppi * 96  # CSS pixels high at the width's scale
        assert abs(y_ppi - x_ppi) <= x_ppi / (css_height - 1) + 0.5, (chart.alt, x_ppi, y_ppi)
    assert min(smallest)[0] >= SMALLEST_PRINTED_PT, sorted(smallest)[:3]
    assert len(smallest) == 6  # every chart of the sample was measured


def ink_bottom(png: Path) -> float:
    """How far down the page its lowest mark is, as a share of the page's height."""
    gray = np.asarray(Image.open(png).convert("L"))
    marked = np.flatnonzero((gray < 200).any(axis=1))
    return (marked.max() + 1) / gray.shape[0] if marked.size else 0.0


def test_no_page_but_the_last_is_less_than_60_percent_filled(sample, tmp_path):
    """Each page is drawn with pdftoppm; its lowest mark, measured from the top margin over the
    height between the margins (the page's ``@page`` rule), is how full it is."""
    top, bottom = map(float, re.search(r"@page \{ size: A4; margin: (\d+)mm \d+mm (\d+)mm; \}",
                                       sample.html).groups())  # fmt: skip
    run("pdftoppm", "-r", "36", "-gray", "-png", sample.pdf, tmp_path / "page")
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(sample.pages()) > 2
    filled = [(ink_bottom(p) * 297 - top) / (297 - top - bottom) for p in pages]
    low = [(n, round(f, 2)) for n, f in enumerate(filled[:-1], start=1) if f < LEAST_FILLED]
    assert not low, (low, [round(f, 2) for f in filled])


def test_with_warning_signs_the_first_two_pages_still_hold_the_plan(tmp_path, pin_today):
    """A patient's own log with three warning-sign answers: the box grows, the plan stays."""
    needs_pdf_tools()
    path = tmp_path / "patient.sqlite"
    with backkit.SessionLog(path) as log:
        rows = backkit.sample_log(weeks=12, seed=0).assign(notes=None)  # not marked sample
        log.record_many(rows.astype(object).where(rows.notna(), None).to_dict("records"))
        outcomes.record_screening(log, {"saddle_numbness": True, "fever": False},
                                  action="emergency", when="2025-02-20 09:00")  # fmt: skip
        outcomes.record_screening(log, {"saddle_numbness": False, "fever": False},
                                  action="none", when="2025-02-27 09:00")  # fmt: skip
        outcomes.record_checkin(log, "2025-03-03", pain_average=4, below_knee=True,
                                next_morning="worse")  # fmt: skip
    pin_today("2025-05-08T09:00+01:00")  # the day after the last session: not stale
    printed = print_report(tmp_path / "r.html", path, report.sample_paths()[1])
    pages = [" ".join(p.split()) for p in printed.pages()]
    assert pages[0].startswith("Back exercise review: Patient A")
    assert pages[0].index("Warning-sign answers") < pages[0].index("Summary")
    assert "emergency: Do not exercise" in pages[0]
    for heading in FIRST_PAGES:
        assert heading in pages[0] + pages[1], heading
    assert "7. Bodyweight squat" in pages[1]  # the plan's last row
    assert pages[2].startswith("1. Adherence by exercise")


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_the_portuguese_pdf_shows_no_english(tmp_path, monkeypatch, no_english, audience):
    # The printed words, as pdftotext reads them back: Portugal's words and services.
    needs_pdf_tools()
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    monkeypatch.setenv("BACKKIT_REGION", "PT")
    out = tmp_path / f"{audience}.html"
    report.build(None, out=out, audience=audience, pdf=True, progress=False)
    words = run("pdftotext", "-layout", out.with_suffix(".pdf"), "-")
    words = re.sub(r"-\n\s*", "-", words)  # an address broken at a hyphen, joined again
    assert ("Resumo" if audience == "clinician" else "Como foi") in words
    no_english(words, f"the {audience}'s PDF")
