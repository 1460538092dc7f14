"""Text that came from a person or a file is shown literally at every door.

Each renderer gets the same hostile strings: live HTML in Markdown, a
matplotlib formula in a chart label, both in the reports (HTML and the
printed PDF) and the caseload table; a line break never reaches a calendar.
``RENDERERS`` lists every function that renders a page's text and what
covers it, so a new one must be listed. Markdown escapes HTML in catalogue data
(``exercises.section_markdown``); every chart is drawn through
``charts.literal_text``, so no ``$...$`` in a name is read as mathematics.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import matplotlib.pyplot as plt
import pytest

import backkit
from backkit import caseload, charts, outcomes, report

HTML = "<img src=x onerror=alert(10)>"
MATH = r"ODI $\alph$ total"


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(plt.Text) if t.get_text()]


def test_catalogue_html_is_text_in_markdown(raw_catalogue, write_catalogue):
    data = raw_catalogue()
    entry = data["exercises"][3]
    entry["name"], entry["cautions"] = f"Bridge {HTML}", [f"Careful {HTML} & slow"]
    ex = backkit.get_exercise(entry["id"], path=write_catalogue(data))
    card = backkit.exercises.to_markdown(ex)
    assert "<img" not in card and "&lt;img src=x onerror=alert(10)&gt;" in card
    assert "- Careful &lt;img src=x onerror=alert(10)&gt; &amp; slow" in card


def test_a_formula_in_a_measure_name_is_drawn_as_written(tmp_path):
    log = backkit.SessionLog(":memory:")
    rows = backkit.sample_log(weeks=2)
    log.record_many(rows.astype(object).where(rows.notna(), None).to_dict("records"))
    for day, score in (("2025-02-17", 40), ("2025-03-02", 30)):
        outcomes.record_checkin(log, day, pain_average=5, baseline=day == "2025-02-17",
                                custom={"name": MATH, "score": score, "min": 0, "max": 100,
                                        "higher_is_better": False, "mcid": 10})  # fmt: skip
    fig = charts.plot_outcomes(log.frame(), outcomes.outcomes_frame(log))
    fig.savefig(tmp_path / "outcomes.png")  # a formula would fail here: unknown symbol \alph
    assert any(MATH in text for text in _texts(fig))


def test_a_formula_in_a_patient_file_name_is_drawn_as_written(tmp_path):
    folder = tmp_path / "clinic"
    folder.mkdir()
    shutil.copy(backkit.report.sample_paths()[0], folder / "Jane $\\alph$ Doe.csv")
    fig = caseload.plot_caseload(caseload.load_caseload(folder, as_of="2025-05-10"))
    fig.savefig(tmp_path / "caseload.png")
    assert "Jane $\\alph$ Doe" in _texts(fig)


@pytest.mark.parametrize("name", [n for n in charts.__all__ if n.startswith("plot_")])
def test_every_chart_takes_its_text_literally(name):
    # a new chart function without the rule fails here
    assert getattr(getattr(charts, name), "__wrapped__", None) is not None, name


# --------------------------------------------------------------------------
# Every renderer of text that came from a person or a file (issue 23)

# What a person or a file can put in: live HTML, a chart formula, a spreadsheet
# formula; each must come out as the characters typed.
HOSTILE = f"{HTML} {MATH} =1+2"


@pytest.fixture
def hostile_log(tmp_path, monkeypatch):
    """A log whose free text is hostile: bout notes, a check-in note, a custom measure, a PSFS."""
    monkeypatch.setenv("BACKKIT_TZ", "UTC")
    path = tmp_path / "hostile.sqlite"
    rows = backkit.sample_log(weeks=3)
    rows["notes"] = HOSTILE
    with backkit.SessionLog(path) as log:
        log.record_many(rows.astype(object).where(rows.notna(), None).to_dict("records"))
        for day, score in (("2025-02-17", 40), ("2025-03-02", 30)):
            outcomes.record_checkin(
                log, day, pain_average=5, baseline=day == "2025-02-17", notes=HOSTILE,
                psfs={f"walk {HTML}": 4},
                custom={"name": MATH, "score": score, "min": 0, "max": 100,
                        "higher_is_better": False, "mcid": 10},
            )  # fmt: skip
    return path


def _shown_literally(html: str) -> None:
    assert "<img src=x" not in html and "onerror=alert(10)>" not in html
    assert "&lt;img src=x onerror=alert(10)&gt;" in html


def _report(hostile_log, tmp_path, audience: str, pdf: bool = False):
    notes = tmp_path / "notes.txt"
    notes.write_text(f"Seen today. {HOSTILE}", encoding="utf-8")
    return report.build(
        hostile_log, out=tmp_path / f"{audience}.html", audience=audience, notes=notes,
        pseudonym=f"P {HTML}", include_notes=True, pdf=pdf, progress=False,
    )  # fmt: skip


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_a_report_shows_hostile_text_as_text(hostile_log, tmp_path, audience):
    (page,) = _report(hostile_log, tmp_path, audience)
    html = page.read_text(encoding="utf-8")
    _shown_literally(html)
    assert "<script" not in html.lower()


@pytest.mark.slow
def test_a_printed_report_shows_hostile_text_as_typed(hostile_log, tmp_path):
    if report.find_chromium() is None or shutil.which("pdftotext") is None:
        if os.environ.get("BACKKIT_REQUIRE_BROWSER") == "1":
            pytest.fail("BACKKIT_REQUIRE_BROWSER=1 but no Chromium or pdftotext")
        pytest.skip("no Chromium or pdftotext")
    made = _report(hostile_log, tmp_path, "clinician", pdf=True)
    pdf = next(p for p in made if p.suffix == ".pdf")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    flat = " ".join(text.split())
    assert "Seen today. <img src=x onerror=alert(10)>" in flat, flat[:2000]


def test_the_caseload_table_shows_a_hostile_file_name_as_text(tmp_path):
    folder = tmp_path / "clinic"
    folder.mkdir()
    shutil.copy(backkit.report.sample_paths()[0], folder / f"Jane {HTML}.csv".replace("/", ""))
    html = caseload.load_caseload(folder, as_of="2025-05-10").to_html()
    assert "<img" not in html and "&lt;img src=x onerror=alert(10)&gt;" in html


def test_a_hostile_plan_name_never_reaches_a_calendar(tmp_path):
    import yaml

    path = tmp_path / "plan.yaml"
    backkit.Plan.default(start="2025-03-03").save(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["name"] = "Back\r\nX-WR-CALNAME:Other"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(backkit.BackkitError, match="line break"):
        backkit.Plan.load(path)


#: Every function that renders text for a page, and what covers it: a test
#: above, or why it never shows text from a person or a file.
RENDERERS = {
    "report.render.render_html": "test_a_report_shows_hostile_text_as_text",
    "report.render.section_html": "test_a_report_shows_hostile_text_as_text (each section)",
    "report.render.chart_html":
        "test_a_report_shows_hostile_text_as_text (each chart and its alt text)",
    "report.pdf.print_pdf": "test_a_printed_report_shows_hostile_text_as_typed",
    "caseload.Caseload.to_html": "test_the_caseload_table_shows_a_hostile_file_name_as_text",
    "exercises.to_markdown": "test_catalogue_html_is_text_in_markdown",
    "exercises.section_markdown": "test_catalogue_html_is_text_in_markdown (its sections)",
    "safety.safety_markdown": "the kit's own safety data only",
    "widgets.ui.emergency_html": "the kit's own safety data only",
    "widgets.screening.advice_html": "the kit's own safety data only",
    "widgets.app.todays_list_html": "the catalogue's names, escaped (ui.escape)",
    "widgets.app.instructions_html": "the catalogue's text, escaped (ui.escape)",
    "ics.plan_calendar": "test_a_hostile_plan_name_never_reaches_a_calendar",
}


def test_every_renderer_is_listed():
    # a new *_html / *_markdown / render_* function must say how hostile text is kept out
    import importlib
    import inspect
    import pkgutil

    found = set()
    for info in pkgutil.walk_packages(backkit.__path__, "backkit."):
        if info.name.endswith("__main__"):
            continue  # running it is the command line
        module = importlib.import_module(info.name)
        for name, member in vars(module).items():
            if name.startswith("_") or getattr(member, "__module__", None) != info.name:
                continue
            short = info.name.removeprefix("backkit.")
            if inspect.isfunction(member) and re.fullmatch(r"\w+_(html|markdown)|render_\w+", name):
                found.add(f"{short}.{name}")
            if inspect.isclass(member):
                found |= {f"{short}.{name}.{m}" for m in ("to_html", "to_markdown")
                          if m in vars(member)}  # fmt: skip
    assert {"report.render.render_html", "caseload.Caseload.to_html"} <= found  # the search works
    assert found <= set(RENDERERS), sorted(found - set(RENDERERS))
