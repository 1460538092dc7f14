"""The safety advice of the region in use: every place that shows it names that region's services.

`BACKKIT_REGION` (GB, BR, PT) chooses the emergency and urgent numbers and
services; they live in the ``regions`` table of safety.yaml, never in Python.
Each test pins the region (and the language) itself: the machine's settings
never decide a result.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets as widgets
import pytest

import backkit
from backkit import config, narrative, safety
from backkit.errors import CatalogueError, ConfigError

MONDAY = dt.date(2026, 12, 7)
PACKAGE = Path(backkit.__file__).resolve().parent

#: A number on its own, not part of another (an address such as 192.168.0.1).
NUMBER = r"(?<![\w.]){}(?!\.?\d)"
#: What each region's advice must show ...
SHOWN = {
    "GB": ("Call 999 (or your local emergency number) or go to A&E now", "NHS 111"),
    "BR": ("SAMU on 192", "pronto-socorro hospitalar", "(UBS)", "(UPA)"),
    "PT": ("Call 112", "urgência hospitalar", "SNS 24 on 808 24 24 24", "centro de saúde"),
}
#: ... and the marks of each region that no other region's pages may show. 112
#: is the European emergency number and also answered in the UK, but the GB
#: advice names 999 only (with "or your local emergency number"), so a GB page
#: showing 112 would come from another region's words.
MARKS = {
    "GB": (NUMBER.format("999"), r"NHS 111", r"A&E", r"\bGP\b"),
    "BR": (NUMBER.format("192"), r"SAMU", r"\bUBS\b", r"\bUPA\b", r"pronto-socorro"),
    "PT": (
        NUMBER.format("112"),
        r"SNS 24",
        r"808 24 24 24",
        r"centro de saúde",
        r"médico de família",
    ),
}
REGIONS = tuple(SHOWN)


@pytest.fixture(params=REGIONS)
def region(request, monkeypatch) -> str:
    monkeypatch.setenv("BACKKIT_REGION", request.param)
    monkeypatch.delenv("BACKKIT_LANG", raising=False)
    return str(request.param)


def visible(page: str) -> str:
    """The words a page shows: no tags (nor pictures' data), no styles or scripts."""
    page = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def assert_region(text: str, code: str, *, all_shown: bool = True) -> None:
    """``text`` shows ``code``'s services (all of them, or at least one) and no other region's."""
    shown = [s for s in SHOWN[code] if s in text]
    assert shown if not all_shown else len(shown) == len(SHOWN[code]), (code, shown)
    assert_no_other(text, code)


def assert_no_other(text: str, code: str) -> None:
    for other, marks in MARKS.items():
        if other != code:
            found = [m for m in marks if re.search(m, text)]
            assert not found, f"{code} page shows {other}'s {found}"


def widget_text(w: widgets.Widget) -> str:
    parts = []
    stack = [w]
    while stack:
        node = stack.pop()
        for name in ("value", "description", "tooltip"):
            value = getattr(node, name, None)
            if isinstance(value, str):
                parts.append(value)
        stack.extend(getattr(node, "children", ()))
    return visible(" ".join(parts))


# -- the setting ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("region_value", "lang", "expected"),
    [
        ("pt", None, "PT"),
        (" Br ", "pt_PT", "BR"),  # the region setting wins over the language
        (None, None, "GB"),
        (None, "en_GB.UTF-8", "GB"),
        (None, "en_US", "GB"),  # no US advice: the kit's default
        (None, "pt_PT.UTF-8", "PT"),
        (None, "pt-PT", "PT"),
        (None, "pt_BR", "BR"),
        (None, "pt", "BR"),  # plain Portuguese: its most likely region (CLDR)
        (None, "de_DE", "GB"),
        ("", "pt_PT", "PT"),  # set but empty: not set
    ],
)
def test_the_region_follows_the_setting_else_the_language(monkeypatch, region_value, lang,
                                                          expected):  # fmt: skip
    for name, value in (("BACKKIT_REGION", region_value), ("BACKKIT_LANG", lang)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert config.region() == expected


@pytest.mark.parametrize("bad", ["US", "Brazil", "P T", "uk"])
def test_an_unknown_region_is_one_error_naming_the_setting_value_and_choices(monkeypatch, bad):
    monkeypatch.setenv("BACKKIT_REGION", bad)
    with pytest.raises(ConfigError) as err:
        config.region()
    message = str(err.value)
    assert "BACKKIT_REGION" in message and repr(bad) in message
    assert "GB, BR, PT" in message
    with pytest.raises(ConfigError):  # and no advice is shown in a region it does not know
        safety.screening_advice("emergency")


# -- the data ------------------------------------------------------------------


def test_every_region_has_every_word_and_sourced_services():
    known = safety.sources()
    for code in config.REGIONS:
        os.environ["BACKKIT_REGION"] = code
        try:
            words = safety.region_words()
        finally:
            del os.environ["BACKKIT_REGION"]
        assert words["region"] == code
        assert all(words[f] for f in ("emergency_number", "emergency_place", "urgent_route"))
        tags = words["sources"].split("; ")
        assert tags and set(tags) <= set(known), code
        assert all(known[t].url or known[t].reference for t in tags)


def test_the_gb_advice_is_worded_as_before(monkeypatch):
    monkeypatch.setenv("BACKKIT_REGION", "GB")
    r = safety.rules()
    assert r["emergency"]["title"] == (
        "Call 999 (or your local emergency number) or go to A&E now if you have back pain "
        "with any of these, whether they are new or getting worse"
    )
    assert r["urgent"]["title"] == (
        "See a GP urgently or call NHS 111 if you have back pain with any of these"
    )
    assert safety.screening_advice("emergency") == (
        "Do not exercise. Call 999 (or your local emergency number) or go to A&E now, and say "
        "which signs you have."
    )
    assert safety.screening_advice("urgent") == (
        "Do not exercise today. See a GP urgently or call NHS 111 today."
    )
    assert safety.screening_advice("clinician") == (
        "Stop the exercises for now and see a GP or physiotherapist before you carry on."
    )


def test_the_default_without_settings_is_the_gb_advice(monkeypatch):
    monkeypatch.delenv("BACKKIT_REGION", raising=False)
    monkeypatch.delenv("BACKKIT_LANG", raising=False)
    assert "Call 999" in safety.screening_advice("emergency")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["regions"]["BR"].pop("urgent_route"), r"regions\.BR\.urgent_route is missing"),
        (lambda d: d["regions"].pop("PT"), r"regions has no PT"),
        (lambda d: d["regions"].update(US=dict(d["regions"]["GB"])), r"regions\.US is not one of"),
        (lambda d: d["regions"]["PT"].update(sources=["SNS25"]), r"regions\.PT cites 'SNS25'"),
        (lambda d: d["regions"]["GB"].update(sources=[]), r"regions\.GB names no source"),
        (
            lambda d: d["urgent"].update(title="{urgent_number} if you have back pain"),
            r"urgent\.title names an unknown number or word",
        ),
        (
            lambda d: d["emergency"]["signs"][0].update(text="Call {ambulance}."),
            r"emergency\.signs\[0\] names an unknown number or word",
        ),
    ],
)
def test_a_broken_regions_table_is_a_catalogue_error(edited, edit, message):
    rules = edited(edit)
    with pytest.raises(CatalogueError, match=message):
        rules()


def test_no_python_module_names_a_number_or_service():
    # One home for the numbers and services: safety.yaml. Every text constant
    # of the package (docstrings too) is searched.
    marks = [m for ms in MARKS.values() for m in ms if m != r"\bGP\b"]
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found += [
                    f"{path.relative_to(PACKAGE)}:{node.lineno}: {m}"
                    for m in marks
                    if re.search(m, node.value)
                ]
    assert not found


# -- every door that shows advice ----------------------------------------------


def test_the_safety_box_and_every_advice_text(region):
    box = visible(safety.safety_markdown())
    assert_region(box, region)
    words = " ".join(
        [
            *(safety.screening_advice(a) for a in safety.ACTIONS),
            *(s.text for s in safety.signs("urgent")),
            *(q.note for q in safety.screening_questions()),
            safety.next_morning_advice("worse") or "",
            safety.pain_model(),
        ]
    )
    assert_region(words, region)
    for action in ("emergency", "urgent"):  # each advice names its own service
        assert_region(safety.screening_advice(action), region, all_shown=False)


def test_the_screening_widget(region, log):
    from backkit.widgets.screening import SafetyCheck

    check = SafetyCheck(log)
    assert_region(widget_text(check), region, all_shown=False)
    for key, buttons in check.answers.items():
        buttons.value = key in ("saddle_numbness", "fever")
    check.save_button.click()
    shown = widget_text(check)
    assert "do not start the session" in shown
    assert_region(shown, region, all_shown=False)
    emergency = safety.rules()["region"]["emergency_number"]
    assert emergency in shown


def test_the_check_in(region, log):
    from backkit.widgets.checkin import CheckIn
    from backkit.widgets.screening import advice_html

    w = CheckIn(log, today=MONDAY)
    shown = widget_text(w)
    assert safety.rules()["emergency"]["title"] in shown
    assert_region(shown, region, all_shown=False)
    w.red_flags["fever"].value = True
    # The check-in's advice after a "yes" is the screening's box, and its
    # next-morning advice names who to see.
    urgent = visible(advice_html("urgent"))
    assert_region(urgent + " " + (safety.next_morning_advice("worse") or ""), region,
                  all_shown=False)  # fmt: skip


def test_the_apps_first_page(region, log):
    from backkit.widgets.app import App

    app = App(log, backkit.Plan.default(MONDAY), day=MONDAY, quick=True)
    shown = widget_text(app)
    assert safety.rules()["emergency"]["title"] in shown
    assert_region(shown, region, all_shown=False)


def test_the_narrative_names_who_to_see(region):
    # The sample's pain-monitoring flags always end with who to see.
    text = " ".join(narrative.summary(backkit.sample_log()))
    assert f"see {safety.region_words()['review']} if it keeps happening" in text
    assert_no_other(text, region)


@pytest.fixture
def answered_sample(tmp_path, monkeypatch) -> Path:
    """The sample log as a file, with an emergency and an urgent "yes" answered in it."""
    from backkit import outcomes, sample

    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path))
    path = tmp_path / "sample.sqlite"
    with backkit.SessionLog(path) as log:
        frame = sample.sample_log(weeks=12, seed=0)
        log.record_many(frame.astype(object).where(frame.notna(), None).to_dict("records"))
        answers = {q.id: q.id in ("saddle_numbness", "fever") for q in safety.screening_questions()}
        outcomes.record_screening(log, answers, action="emergency", when="2025-05-01 09:00")
    return path


def test_the_patient_report(region, tmp_path, monkeypatch):
    from backkit import report

    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path))
    out = tmp_path / "patient.html"
    report.build(None, out=out, audience="patient", progress=False)
    assert_region(visible(out.read_text(encoding="utf-8")), region)


def test_the_clinician_report_with_warning_answers(region, answered_sample, tmp_path):
    from backkit import report

    out = tmp_path / "clinician.html"
    report.build(answered_sample, out=out, audience="clinician", progress=False)
    shown = visible(out.read_text(encoding="utf-8"))
    assert safety.screening_advice("emergency") in shown  # the advice the person was shown
    assert safety.region_words()["review"] in shown  # the narrative's who to see
    assert_region(shown, region, all_shown=False)


def test_the_command_line_reports_and_a_bad_region(tmp_path):
    env = {**os.environ, "BACKKIT_HOME": str(tmp_path), "BACKKIT_REGION": "pt"}
    env.pop("BACKKIT_LANG", None)

    def backkit_cli(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "backkit", *args], env={**env, **extra},
                              capture_output=True, text=True, check=False)  # fmt: skip

    done = backkit_cli("demo", "--out", str(tmp_path / "demo"), "--quiet")
    assert done.returncode == 0, done.stderr
    demo = visible((tmp_path / "demo" / "sample-report.html").read_text("utf-8"))
    assert "see a family doctor (médico de família) or a physiotherapist" in demo
    assert_no_other(demo, "PT")
    sample = tmp_path / "demo" / "sample-log.sqlite"
    out = tmp_path / "p.html"
    done = backkit_cli("report", str(sample), "--for", "patient", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert_region(visible(out.read_text(encoding="utf-8")), "PT")

    bad = backkit_cli("report", str(sample), "--for", "patient", "--out",
                      str(tmp_path / "q.html"), BACKKIT_REGION="XX")  # fmt: skip
    assert bad.returncode != 0
    assert "BACKKIT_REGION" in bad.stderr and "'XX'" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert not (tmp_path / "q.html").exists()


def test_no_notebook_text_names_one_regions_services():
    # The notebooks' own words point to the advice shown for the person's
    # country; the advice itself comes from safety.yaml when a cell runs.
    import nbformat

    paths = sorted((PACKAGE.parent / "notebooks").glob("*.ipynb"))
    assert len(paths) > 10
    found = []
    for path in paths:
        cells = nbformat.read(path, as_version=4).cells
        words = " ".join(" ".join(c.source.split()) for c in cells if c.cell_type == "markdown")
        found += [f"{path.name}: {m}" for ms in MARKS.values() for m in ms if re.search(m, words)]
    assert found == []


def test_every_emergency_list_says_whose_numbers_they_are(region, tmp_path, monkeypatch):
    from backkit import report
    from backkit.widgets import ui

    name = safety.region_words()["name"]
    note = f"These numbers and services are for {name}."
    assert note in visible(safety.safety_markdown())
    short = f"These numbers are for {name}; in another country, call its emergency number."
    assert short in visible(ui.emergency_html(open_=True))  # app, timer, screening, check-in
    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path))
    (page,) = report.build(None, out=tmp_path / "patient.html", audience="patient", progress=False)
    assert note in visible(page.read_text(encoding="utf-8"))
