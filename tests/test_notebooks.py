"""Notebook hygiene and behaviour, without a browser.

nbval (``pytest notebooks/``) runs each notebook once, top to bottom, and the
root conftest.py fails the run when one takes over 30 s; these tests check
what nbval does not: no stored outputs, links that resolve, only the public
API, catalogue text not copied, the student lab's
self-checks catching wrong answers, and today's session saving a quick try
that then shows up in the notebook's summary. Every kernel here gets its own
``BACKKIT_HOME`` (a temporary folder), so no test touches a real log.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import backkit

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
# The numbered notebooks are read in a series, so each ends with links to the next ones;
# others (such as the no-code app that Voila serves) stand alone.
SERIES = [p for p in ALL if re.match(r"\d\d_", p.name)]
MINE = [
    *(f"{backkit.get_exercise(i).number:02d}_{i}.ipynb" for i in backkit.exercise_ids()),
    "10_todays_session.ipynb",
    "20_my_progress.ipynb",
    "40_student_lab.ipynb",
]
LINK = re.compile(r"\]\(([^)\s]+\.ipynb)(#[^)]*)?\)")


def read(name: str | Path) -> nbformat.NotebookNode:
    return nbformat.read(str(NOTEBOOKS / name), as_version=4)


def code_of(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def run(nb, tmp_path: Path, *, timeout: int = 60) -> tuple[nbformat.NotebookNode, float]:
    """Execute ``nb`` in a fresh kernel with ``tmp_path`` as backkit home; return it, seconds."""
    env = {**os.environ, "BACKKIT_HOME": str(tmp_path), "MPLBACKEND": "Agg"}
    env.pop("BACKKIT_LOG", None)
    env.pop("BACKKIT_PLAN", None)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    )
    start = time.perf_counter()
    client.execute(env=env)
    return nb, time.perf_counter() - start


def text_of(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif "data" in o:
            out.append(o.data.get("text/markdown") or o.data.get("text/plain", ""))
        elif o.output_type == "error":
            out.append("\n".join(o.traceback))
    return "\n".join(out)


def cell_index(nb, needle: str) -> int:
    hits = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and needle in c.source]
    assert len(hits) == 1, f"{needle!r} is in {len(hits)} code cells"
    return hits[0]


# --------------------------------------------------------------------------
# Hygiene


def test_all_my_notebooks_exist():
    missing = [name for name in MINE if not (NOTEBOOKS / name).is_file()]
    assert missing == []


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
class TestHygiene:
    def test_committed_without_outputs_or_execution_counts(self, path):
        nb = read(path)
        dirty = [
            i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
        ]
        assert dirty == [], f"{path.name}: cells {dirty} have outputs or execution counts"

    def test_is_valid_and_names_its_kernel(self, path):
        nb = read(path)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec["name"] == "python3"

    def test_every_notebook_link_resolves(self, path):
        nb = read(path)
        links = {m.group(1) for c in nb.cells if c.cell_type == "markdown"
                 for m in LINK.finditer(c.source)}  # fmt: skip
        broken = sorted(link for link in links if not (NOTEBOOKS / link).is_file())
        assert broken == [], f"{path.name} links to missing notebooks: {broken}"

    def test_calls_only_the_public_api(self, path):
        code = code_of(read(path))
        private = re.findall(
            r"backkit(?:\.\w+)*\._(?!_)\w+|from backkit[\w.]* import [^\n]*\b_(?!_)\w+", code
        )
        assert private == []


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name)
def test_ends_with_links_to_next_notebooks(path):
    last = read(path).cells[-1]
    assert last.cell_type == "markdown"
    links = [m.group(1) for m in LINK.finditer(last.source)]
    assert links, f"{path.name}: the last cell links to no notebook"
    assert path.name not in links


def test_readme_maps_every_numbered_notebook_and_its_links_resolve():
    readme = (NOTEBOOKS / "README.md").read_text()
    listed = {m.group(1) for m in LINK.finditer(readme)}
    assert {p.name for p in SERIES} <= listed
    assert sorted(name for name in listed if not (NOTEBOOKS / name).is_file()) == []


# --------------------------------------------------------------------------
# Exercise notebooks: the catalogue's words, shown, not copied


@pytest.mark.parametrize("exercise_id", backkit.exercise_ids())
class TestExerciseNotebooks:
    def test_named_after_and_about_its_exercise(self, exercise_id):
        ex = backkit.get_exercise(exercise_id)
        nb = read(f"{ex.number:02d}_{exercise_id}.ipynb")
        assert f'EXERCISE = "{exercise_id}"' in code_of(nb)
        assert nb.cells[0].source.startswith(f"# Exercise {ex.number}: {ex.name}\n")

    def test_shows_every_part_of_the_exercise(self, exercise_id):
        code = code_of(read(f"{backkit.get_exercise(exercise_id).number:02d}_{exercise_id}.ipynb"))
        shown = set(
            re.findall(r'"([a-z-]+)"', " ".join(re.findall(r"show_sections\(([^)]*)\)", code)))
        )
        needed = {"steps", "start", "feel", "purpose", "mistakes", "cautions", "easier"}
        needed |= {"harder", "corrections"}
        assert needed <= shown
        calls = [
            "backkit.plot_exercise(EXERCISE)",
            "backkit.animate_exercise(EXERCISE",
            "backkit.SessionTimer(EXERCISE, log)",
            "plot_exercise_history(frame, EXERCISE)",
        ]
        assert [c for c in calls if c not in code] == []

    def test_does_not_copy_the_catalogue_text(self, exercise_id):
        ex = backkit.get_exercise(exercise_id)
        markdown = "\n".join(
            c.source for c in read(f"{ex.number:02d}_{exercise_id}.ipynb").cells
            if c.cell_type == "markdown"
        )  # fmt: skip
        words = " ".join(markdown.split())
        texts = [*ex.steps, ex.feel, ex.purpose, *ex.mistakes, *ex.cautions, ex.start_position]
        texts += [ex.regression.description, ex.progression.description]
        copied = [t for t in texts if " ".join(t.split()) in words]
        assert copied == []


# --------------------------------------------------------------------------
# Running them


@pytest.mark.slow
def test_empty_log_shows_sample_data_labelled_as_such(tmp_path):
    nb, _ = run(read("20_my_progress.ipynb"), tmp_path)
    first = text_of(nb.cells[cell_index(nb, "sample = frame.empty")])
    assert "SAMPLE DATA" in first and "made-up person" in first
    ex, _ = run(read("04_bridge.ipynb"), tmp_path / "ex")
    history = text_of(ex.cells[cell_index(ex, "plot_exercise_history")])
    assert "the chart shows SAMPLE DATA, not yours" in history


@pytest.mark.slow
def test_todays_session_saves_a_quick_try_that_the_summary_then_shows(tmp_path):
    """Drive the quick-try timer headless in the notebook's own kernel, save, re-run the summary."""
    nb = read("10_todays_session.ipynb")
    summary = cell_index(nb, "Today you did")
    progress = cell_index(nb, "plot_calendar")
    extra = [
        # as a person does: no to every warning sign, pain before, Start, let it run out,
        # pain after, Save
        "assert quick_try.content is None and session.content is None\n"
        "for buttons in quick_try.answers.values():\n"
        "    buttons.value = False\n"
        "quick_try.save_button.click()\n"
        "assert session.content is not None  # one set of answers opens both timers\n"
        "timer = quick_try.content\n"
        "assert timer.routine.total_seconds <= 30, timer.routine.total_seconds\n"
        "timer.pain_before.value = 3\n"
        "timer.start()\n"
        "await timer.run()\n"
        "timer.pain_after.value = 2\n"
        "timer.save_button.click()\n"
        "print(timer.message.value)",
        nb.cells[summary].source,
        nb.cells[progress].source,
    ]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in extra]
    nb, _ = run(nb, tmp_path)
    assert "Nothing saved today yet" in text_of(nb.cells[summary])
    saved = text_of(nb.cells[-3])
    assert "Saved to your log. Supine hamstring stretch done: 2 of 2 repetitions." in saved
    today = text_of(nb.cells[-2])
    assert "Today you did 1 exercise(s) in 1 session(s): Supine hamstring stretch." in today
    assert "Pain before your sessions: 3.0/10; after: 2.0/10." in today
    # one exercise rated before and after: the ratings are that exercise's own
    # names, not ids; no index column; "pain straight after", as it is asked
    assert "supine-hamstring-stretch" not in today and "Supine hamstring stretch" in today
    assert re.search(r"pain before\s+pain straight after\s*\n.*3\s+2\s*\n.*3\s+2", today), today
    assert not re.search(r"^\s*0\s", today.split("pain straight after")[1], re.M), today
    progress_text = text_of(nb.cells[-1])
    assert "SAMPLE DATA" not in progress_text
    assert "You logged 1 session on 1 day" in progress_text
    log = backkit.SessionLog(tmp_path / "backkit-log.sqlite", create=False)
    frame = log.frame()
    assert list(frame["side"]) == ["left", "right"]
    assert set(frame["notes"]) == {"quick try"}
    assert set(frame["plan_id"]) == {backkit.Plan.default().id}
    assert (frame["hold_s_planned"] == 5).all() and (frame["reps_planned"] == 1).all()
    assert backkit.outcomes.last_screening(log)["action"] == "none"


# --------------------------------------------------------------------------
# The student lab's self-checks


def _lab_with(answers: dict[str, str]) -> nbformat.NotebookNode:
    nb = read("40_student_lab.ipynb")
    for name, body in answers.items():
        i = cell_index(nb, f"def {name}(")
        src = nb.cells[i].source
        assert "return ...  # your answer here" in src
        nb.cells[i].source = src.replace("return ...  # your answer here", body)
    return nb


# What must never reach a student's screen from a check: a traceback, the checker's
# code, or the answer (the ids of 4.1, a reference function).
_GIVEAWAYS = ("Traceback", "reference_", "_work_seconds", "is_rep", "expected",
              "['bridge', 'supine-hamstring-stretch']", "AssertionError")  # fmt: skip


def _lab_output(nb) -> str:
    return "\n".join(text_of(c) for c in nb.cells if c.cell_type == "code")


def test_the_lab_has_no_reference_answers_and_leaves_the_answers_blank():
    nb = read("40_student_lab.ipynb")
    code = code_of(nb)
    assert "def reference_" not in code and "_work_seconds" not in code
    for name in ("supine_hamstrings", "time_under_tension", "weekly_minutes"):
        assert "return ...  # your answer here" in nb.cells[cell_index(nb, f"def {name}(")].source
        assert f"backkit.lab.check_{name}({name})" in code


@pytest.mark.slow
def test_run_all_on_the_lab_gives_no_answer_away(tmp_path):
    nb, _ = run(read("40_student_lab.ipynb"), tmp_path)
    out = _lab_output(nb)
    assert out.count("not answered yet") == 3
    assert "\u2713" not in out
    assert [g for g in _GIVEAWAYS if g in out] == []


@pytest.mark.slow
def test_the_lab_checks_accept_right_answers(tmp_path):
    nb, _ = run(
        _lab_with(
            {
                "supine_hamstrings": 'return sorted(cat.index[(cat["position"] == "supine")'
                ' & cat["targets"].apply(lambda t: "hamstrings" in t)])',
                "time_under_tension": "return ex.sets * ex.reps * (2 if ex.per_side else 1)"
                " * ex.seconds_per_rep",
                "weekly_minutes": "return sum(s * r * h * (2 if backkit.get_exercise("
                "i.exercise_id).per_side else 1) * (len(i.weekdays) if i.weekdays else "
                "(plan.days_per_week or len(plan.weekdays))) for i in plan.items "
                "for s, r, h in [plan.dose(i.exercise_id)]) / 60",
            }
        ),
        tmp_path,
    )
    out = _lab_output(nb)
    assert "not answered yet" not in out
    assert "\u2713 supine_hamstrings is right." in out
    n = len(backkit.exercise_ids())
    assert f"\u2713 time_under_tension is right for all {n} exercises." in out
    assert "\u2713 weekly_minutes is right for 3 plans." in out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            {"time_under_tension": "return ex.sets * ex.reps * ex.seconds_per_rep"},
            "\u2717 Not yet: time_under_tension('supine-hamstring-stretch') gave 60. This one is "
            "done on each side (ex.per_side is True): did you count both sides?",
        ),
        (
            {"supine_hamstrings": 'return sorted(cat.index[cat["position"] == "supine"])'},
            "some do not target the hamstrings: filter on targets as well",
        ),
        (
            # the plan's days only: misses the default plan's strength days
            {
                "weekly_minutes": "return sum(s * r * h * (2 if backkit.get_exercise("
                "i.exercise_id).per_side else 1) for i in plan.items for s, r, h in "
                "[plan.dose(i.exercise_id)]) * (plan.days_per_week or len(plan.weekdays)) / 60"
            },
            "each exercise's own days where it has them (item.weekdays)",
        ),
        (
            # no return: a plain-words explanation, not "None" in a comparison
            {"time_under_tension": "ex.sets * ex.reps * ex.seconds_per_rep"},
            "\u2717 time_under_tension returned nothing (None). A function gives back a value "
            "only with a return line",
        ),
        (
            {"supine_hamstrings": "return sorted(cat.index[cat['postion'] == 'supine'])"},
            "\u2717 supine_hamstrings(cat) stopped with an error: KeyError: 'postion'.",
        ),
    ],
)
def test_the_lab_checks_catch_wrong_answers_kindly(answers, message, tmp_path):
    nb, _ = run(_lab_with(answers), tmp_path)
    errors = [c for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert errors == []
    out = _lab_output(nb)
    assert message in out
    assert [g for g in _GIVEAWAYS if g in out] == []


@pytest.mark.slow
def test_my_progress_shows_the_persons_own_log_and_check_ins(tmp_path):
    from backkit.outcomes import record_checkin

    log = backkit.SessionLog(tmp_path / "backkit-log.sqlite")
    log.record(exercise_id="bridge", started_at="2025-03-03T08:00", pain_before=4, pain_after=3)
    log.record(exercise_id="bridge", started_at="2025-03-10T08:00", pain_before=3, pain_after=2)
    psfs = {"sitting 1 hour": 3, "gardening": 2, "lifting a child": 4}
    record_checkin(log, "2025-03-03", pain_average=5, pain_worst=7, psfs=psfs)
    psfs = {"sitting 1 hour": 6, "gardening": 5, "lifting a child": 6}
    record_checkin(log, "2025-03-10", pain_average=3, pain_worst=5, psfs=psfs)
    log.close()
    nb, _ = run(read("20_my_progress.ipynb"), tmp_path)
    everything = "\n".join(text_of(c) for c in nb.cells)
    assert "SAMPLE DATA" not in everything
    assert "Your log: 2 exercise bouts in 2 sessions." in text_of(nb.cells[1])
    summary = text_of(nb.cells[cell_index(nb, "narrative.summary(frame, plan)")])
    assert "You logged 2 sessions on 2 days between 3 Mar 2025 and 10 Mar 2025." in summary
    # the default plan counts from the first day logged, not from today
    assert "You did 4% of the exercise sessions the plan prescribed (2 of 48)." in summary
    chart = nb.cells[cell_index(nb, "plot_outcomes(")]
    assert any("image/png" in o.get("data", {}) for o in chart.outputs)
    assert "(sample data)" not in text_of(chart)


# --------------------------------------------------------------------------
# Honest framing (issue 14: findings 20, 21, 22)

FRAMED = ["00_start_here.ipynb"] + [
    f"{backkit.get_exercise(i).number:02d}_{i}.ipynb" for i in backkit.exercise_ids()
]


def _markdown(name: str) -> str:
    cells = read(name).cells
    return " ".join(" ".join(c.source.split()) for c in cells if c.cell_type == "markdown")


@pytest.mark.parametrize("name", FRAMED)
def test_no_promise_to_end_back_pain_and_advice_to_keep_active(name):
    words = _markdown(name)
    assert "end and prevent" not in words.lower()
    assert "not a cure" in words or "cannot promise" in words
    assert "Keep walking and doing your normal activities" in words
    assert "eased your pain" not in words and "raised it" not in words  # observed, not caused


def test_start_here_says_what_exercise_can_and_cannot_do():
    words = _markdown("00_start_here.ipynb")
    assert "## What exercise can and cannot do" in words
    for fact in ("Hayden 2021", "CD009365", "Owen 2020", "NICE guideline NG59", "2 weeks"):
        assert fact in words, fact
    assert "08_standing-back-extension.ipynb" in words and "not from the article" in words
    # third review: Hayden's comparator (M13), acute evidence of very low certainty (W1),
    # NICE recommends group programmes, not home stretching (W2)
    assert "compared with no treatment, usual care or a placebo" in words
    assert "the evidence is of very low certainty (Cochrane review, 2023, CD009365)" in words
    assert "exercise made no clinically relevant difference" not in words
    assert "recommends considering a **group** exercise programme, of any type" in words
    assert "not for stretches done at home on your own" in words


def test_the_long_sitting_page_draws_a_small_lean_and_the_lab_times_stretches_honestly():
    """Third review E2 (hips about 90, not 130), E3 (Shamsi), M8 (no 'TUT' for stretches)."""
    words = _markdown("05_long-sitting-hamstring-stretch.ipynb")
    assert "130 degrees" not in words and "hip hinge" not in words
    assert "Youdas 2005" in words and "touching your toes is not the aim" in words
    words = _markdown("01_supine-hamstring-stretch.ipynb")
    assert "nor the straight-leg raise" in words and "Shamsi 2020" in words
    lab = read("40_student_lab.ipynb")
    assert "TUT" not in code_of(lab) and "TUT" not in _markdown("40_student_lab.ipynb")
    words = _markdown("40_student_lab.ipynb")
    assert "**Time in the exercise** per session" in words and "*time in the stretch*" in words
    assert "for the stretches that term does not fit" in words
    assert "rest on the Portuguese source text itself" not in words


@pytest.mark.slow
def test_start_here_shows_the_evidence_block_and_marks_the_addition(tmp_path):
    nb, _ = run(read("00_start_here.ipynb"), tmp_path)
    evidence = text_of(nb.cells[cell_index(nb, 'rules()["evidence"]')])
    assert "15 points on a 0-100 scale" in evidence and "Hayden" in evidence
    table = text_of(nb.cells[cell_index(nb, "catalogue = backkit.load_exercises()")])
    assert "from_article" in table and "standing-back-extension" in table


def test_the_addition_is_marked_on_its_own_page():
    words = _markdown("08_standing-back-extension.ipynb")
    assert words.startswith("# Exercise 8: Standing back extension > **Not from the article.**")
    assert "bending backwards" in words and "bend forwards" in words
