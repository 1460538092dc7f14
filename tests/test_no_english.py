"""In Portuguese, no door of the kit shows English, in any region (issue 28).

Each test renders what a person reads at one door, with ``BACKKIT_LANG=pt``
and each region (GB, BR, PT), and gives the text to the root conftest's
``no_english`` check: a word of the kit's English messages that no translation
uses is English left on the page. Proper names stay as they are in every
translation, so they are never counted; the sources the kit cites are shown as
published and are left out. The notebooks' outputs are checked as they run
(the root conftest's hook on ``notebooks/pt``); the browser's rendered page in
``tests/browser/test_portuguese_browser.py``.

Each door also shows its own region's emergency number and none of another
region's emergency or urgent numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import nbformat
import pytest

import backkit
from backkit import caseload, charts, exercises, ics, report, safety
from backkit.routine import build_routine, spoken_cues
from backkit.sample import sample_log

MONDAY = dt.date(2026, 12, 7)
REGIONS = ("GB", "BR", "PT")
SCRIPT = Path(sys.executable).with_name("backkit")
#: Keys of the timer's routine whose values are names for the code (poses,
#: exercise ids, colours, tones), not words shown.
CODE_KEYS = {"kind", "pose", "demo", "exercise", "colour", "tones", "side", "id", "svg"}
SLUG = re.compile(r"[a-z0-9_./:-]+")


def visible(page: str) -> str:
    """The words a page shows: no tags (nor pictures' data), no styles or scripts."""
    page = re.sub(r"(?is)<(style|script|svg)\b.*?</\1>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def shown_strings(node: Any, key: str = "") -> list[str]:
    """The strings of a JSON value sent to the timer's face that it shows as words."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in shown_strings(v, k)]
    if isinstance(node, list):
        return [s for v in node for s in shown_strings(v, key)]
    if isinstance(node, str) and key not in CODE_KEYS and not SLUG.fullmatch(node):
        return [visible(node)]
    return []


def widget_text(w: widgets.Widget) -> str:
    """Every word a widget tree shows: values, labels, options, tooltips, outputs, the face's."""
    from backkit.widgets.timer_view import TimerFace

    parts: list[str] = []
    stack = [w]
    while stack:
        node = stack.pop()
        labelled = hasattr(node, "_options_labels")  # its value is a code; its labels show
        for name in ("description", "tooltip", "placeholder", *(() if labelled else ("value",))):
            value = getattr(node, name, None)
            if isinstance(value, str):
                parts.append(value)
        for name in ("_options_labels", "tooltips"):
            parts.extend(str(v) for v in getattr(node, name, None) or ())
        for output in getattr(node, "outputs", ()):
            data = output.get("data", {})
            parts += [str(output.get("text", "")), str(data.get("text/plain", ""))]
            parts += [str(data.get("text/html", "")), str(data.get("text/markdown", ""))]
        if isinstance(node, TimerFace):
            parts += shown_strings(node.routine)
            parts += [str(v) for v in node.words.values()]  # the keys are the English
        stack.extend(getattr(node, "children", ()))
    return visible(" ".join(parts))


def numbers(region: str) -> set[str]:
    """The emergency and urgent numbers of a region's advice."""
    before = os.environ["BACKKIT_REGION"]
    os.environ["BACKKIT_REGION"] = region
    try:
        words = safety.region_words()
    finally:
        os.environ["BACKKIT_REGION"] = before
    urgent = re.findall(r"\b\d{3}(?: \d{2,3})*\b", words["urgent_route"])
    return {words["emergency_number"], *urgent}


@pytest.fixture(params=REGIONS)
def region(request, monkeypatch) -> str:
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    monkeypatch.setenv("BACKKIT_REGION", request.param)
    monkeypatch.setenv("BACKKIT_TZ", "UTC")
    return str(request.param)


@pytest.fixture
def shows(no_english, region):
    """``shows(text, where)``: no English, the region's emergency number, no other region's."""

    def check(text: str, where: str, *, emergency: bool = True) -> None:
        no_english(text, f"{where} ({region})")
        own = re.search(r"\d+", safety.region_words()["emergency_number"]).group()
        if emergency:
            assert re.search(rf"(?<![\d.]){own}(?![\d.])", text), f"{where}: no {own}"
        for other in REGIONS:
            for number in numbers(other) - numbers(region):
                found = re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", text)
                assert not found, f"{where} ({region}) shows {other}'s {number}"

    return check


@pytest.fixture
def screened(log):
    backkit.outcomes.record_screening(log, {"fever": False}, action="none")
    return log


# -- the app, the timer, the check-in ------------------------------------------


def test_the_app_on_every_tab_before_any_session(shows, log):
    from backkit.widgets.app import App

    app = App(log, backkit.Plan.default(MONDAY), day=MONDAY, quick=True)
    for tab in range(len(app.tabs.children)):
        app.tabs.selected_index = tab
        shows(widget_text(app), f"the app's tab {tab}")


def test_the_app_with_a_log_and_its_timer(shows, tmp_path):
    from backkit.widgets.app import App

    log = backkit.SessionLog(tmp_path / "log.sqlite")
    frame = sample_log(weeks=6, seed=0)
    log.record_many(frame.astype(object).where(frame.notna(), None).to_dict("records"))
    backkit.outcomes.record_screening(log, {"fever": False}, action="none")
    app = App(log, backkit.Plan.default(MONDAY), day=MONDAY, quick=True)
    assert app.timer is not None  # screened: the session's timer is ready
    for tab in range(len(app.tabs.children)):
        app.tabs.selected_index = tab
        shows(widget_text(app), f"the app's tab {tab}, with a log")


@pytest.mark.parametrize("exercise_id", exercises.exercise_ids())
def test_each_exercises_timer_its_cues_and_its_card(shows, screened, exercise_id):
    from backkit.widgets.timer import SessionTimer

    timer = SessionTimer(exercise_id, screened)
    cues = " ".join(spoken_cues(build_routine(exercise_id)))
    shows(widget_text(timer) + " " + cues, f"the timer of {exercise_id}")
    card = exercises.to_markdown(exercises.get_exercise(exercise_id))
    shows(card, f"the card of {exercise_id}", emergency=False)


def test_the_check_in_and_what_it_says_when_a_sign_is_ticked(shows, log):
    from backkit.widgets.checkin import CheckIn

    w = CheckIn(log, today=MONDAY)
    shows(widget_text(w), "the check-in")
    w.red_flags["fever"].value = True
    shows(widget_text(w), "the check-in with a warning sign ticked")


def test_the_warning_sign_check_and_its_advice(shows, log):
    from backkit.widgets.screening import SafetyCheck

    check = SafetyCheck(log)
    shows(widget_text(check), "the warning-sign check")
    for key, buttons in check.answers.items():
        buttons.value = key in ("saddle_numbness", "fever")
    check.save_button.click()
    shows(widget_text(check), "the warning-sign check's advice")


# -- reports, charts, the caseload, the calendar --------------------------------


@pytest.fixture
def review(region) -> report.Review:
    return report.Review.load(None)  # the sample, made in the language of the test


@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_both_reports(shows, review, audience):
    page = report.render_html(report.document(review, audience))
    # the patient's report says when to get help; the clinician's, the answers given
    shows(visible(page), f"the {audience}'s report", emergency=audience == "patient")


def test_the_charts(no_english, region):
    frame = sample_log(weeks=8, seed=0)
    figures = [
        charts.plot_dashboard(frame).figure,
        charts.plot_pain_change(frame).figure,
        charts.plot_calendar(frame).figure,
        charts.plot_exercise_history(frame, "bridge").figure,
    ]
    for figure in figures:
        words = [t.get_text() for t in figure.findobj(plt.Text) if t.get_text()]
        no_english(" ".join(words), f"a chart ({region})")


def test_the_caseload_table_and_chart(no_english, region, tmp_path):
    folder = tmp_path / "patients"
    folder.mkdir()
    for n, seed in enumerate((0, 1, 2)):
        frame = sample_log(weeks=6, seed=seed)
        frame.to_csv(folder / f"p{n}.csv", index=False)
    load = caseload.load_caseload(folder, as_of=MONDAY)
    no_english(visible(load.to_html()), f"the caseload table ({region})")
    no_english(load.to_text(), f"the caseload as text ({region})")
    figure = caseload.plot_caseload(load).figure
    no_english(" ".join(t.get_text() for t in figure.findobj(plt.Text)), "the caseload chart")


def test_the_calendar_events(no_english, region):
    plan = backkit.Plan.default(MONDAY)
    events = ics.plan_calendar(plan).to_ical().decode("utf-8")
    words = " ".join(
        line.split(":", 1)[1].replace("\\n", " ").replace("\\,", ",")
        for line in re.sub(r"\r\n[ \t]", "", events).splitlines()
        if line.startswith(("SUMMARY", "DESCRIPTION"))
    )
    assert words
    no_english(words, f"the calendar ({region})")


# -- the command line ----------------------------------------------------------


def commands() -> set[str]:
    """The command line's commands (as tests/test_doors.py finds them)."""
    parser = backkit.cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def backkit_cli(*args: str, home: Path, region: str) -> str:
    env = {**os.environ, "BACKKIT_HOME": str(home), "BACKKIT_LANG": "pt", "BACKKIT_REGION": region}
    done = subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=env, cwd=home, timeout=120
    )
    return done.stdout + done.stderr


def without_commands(text: str) -> str:
    """The help without what a person types: commands, options, their choices and metavariables."""
    names = commands()
    text = re.sub(r"(?<![\w-])--?[\w-]+", " ", text)
    typed = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    return re.sub(rf"(?<![\w.-])(?:{typed})(?![\w.-])", " ", text)


@pytest.mark.slow
def test_the_command_line_help_and_outputs(no_english, region, tmp_path):
    home = tmp_path
    for command in ["", *sorted(commands())]:
        shown = backkit_cli(*([command] if command else []), "--help", home=home, region=region)
        no_english(without_commands(shown), f"`backkit {command} --help` ({region})")
    said = backkit_cli("demo", "--out", "demo", "--quiet", home=home, region=region)
    no_english(without_commands(said), f"`backkit demo` ({region})")
    said = backkit_cli("caseload", "demo", home=home, region=region)
    patients = r"\bsample(?:-log|_sessions)\b"  # the patients' ids: their files' names
    no_english(re.sub(patients, " ", without_commands(said)), f"`backkit caseload` ({region})")
    said = backkit_cli("report", "demo/sample-log.sqlite", "--for", "patient", "--out", "p.html",
                       home=home, region=region)  # fmt: skip
    no_english(without_commands(said), f"`backkit report` ({region})")
    no_english(visible((home / "p.html").read_text(encoding="utf-8")), "the report's file")
    said = backkit_cli("export", "nothing.txt", home=home, region=region)
    no_english(without_commands(said), f"a refused `backkit export` ({region})")


# -- the notebooks ---------------------------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PORTUGUESE_NOTEBOOKS = sorted((NOTEBOOKS / "pt").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("region", ["GB", "PT"], indirect=True)  # Brazil's: nbval runs them so
@pytest.mark.parametrize("notebook", PORTUGUESE_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_portuguese_notebooks_in_the_other_regions(
    shows, notebook_words, run_notebook, notebook, tmp_path
):
    nb = nbformat.read(notebook, as_version=4)
    run_notebook(nb, tmp_path, timeout=120, folder=notebook.parent)  # a cell's error fails it
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs
    # The notebooks that print the warning signs (show_safety) show the number to call;
    # the others show them in the timer's widget, checked above.
    signs = any("show_safety(" in c.source for c in nb.cells if c.cell_type == "code")
    shows(" ".join(map(notebook_words, outputs)), notebook.name, emergency=signs)


# -- the check itself ------------------------------------------------------------


def test_the_check_sees_english_where_there_is_some(no_english, log, monkeypatch):
    from backkit.widgets.app import App

    monkeypatch.delenv("BACKKIT_LANG", raising=False)
    app = App(log, backkit.Plan.default(MONDAY), day=MONDAY, quick=True)
    with pytest.raises(AssertionError, match=r"shows English: .*'session'"):
        no_english(widget_text(app), "the app in English")
    with pytest.raises(AssertionError, match="'ready'"):  # one message left untranslated
        no_english("Pressione Iniciar. Press Start when you are ready", "a mixed line")
    # and sees none in names, codes, files, sources and Portuguese dates
    no_english(
        "NHS 111, PSFS, exercise_id, sample-log.sqlite, seg., 7 de dez. de 2026, "
        + safety.rules()["sources"]["NICE"],
        "names",
    )
