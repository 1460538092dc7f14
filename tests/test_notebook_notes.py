"""The notebooks' printed words live in the kit (:mod:`backkit.notebook_notes`), in both languages.

A code cell is the same in ``notebooks/`` and ``notebooks/pt/``, so a sentence
written in a cell would stay English in Portuguese. These tests check that no
code cell shows words of its own, that every note the cells call exists and
is used, that each note words what the cell computed (real logs, in each
test's tmp_path), that each marked message is one ``pybabel extract`` finds,
and that in Portuguese the dates and numbers inside the notes are Portuguese.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from babel.messages.extract import extract_from_file

import backkit
from backkit import notebook_notes as notes
from backkit.log import SessionLog

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
MODULE = ROOT / "backkit" / "notebook_notes.py"
# calls whose text arguments a person reads
SHOWN = {"print", "display", "Markdown", "HTML", "set_title", "set_xlabel", "set_ylabel",
         "suptitle", "legend", "text", "annotate"}  # fmt: skip
# an English word: three letters or more, outside HTML tags and {placeholders}
WORD = re.compile(r"[A-Za-z]{3,}")


def code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def parse(source: str) -> ast.Module:
    # IPython magics (%matplotlib inline) are not Python
    return ast.parse("\n".join("" if line.startswith("%") else line for line in source.split("\n")))


def literal_words(node: ast.AST) -> list[str]:
    """The English words of the text that ``node`` builds from literals.

    Followed: string literals, f-strings' literal parts, ``+``, ``"sep".join(...)``
    and ``"...".format(...)`` and the items of a generator; not followed: the
    expressions inside ``{}``, column keys (``frame["exercise"]``) and the
    arguments of other calls, which are code, not shown words.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return WORD.findall(re.sub(r"<[^>]*>", " ", node.value))
    if isinstance(node, ast.JoinedStr):
        return [w for part in node.values for w in literal_words(part)]
    if isinstance(node, ast.BinOp):
        return literal_words(node.left) + literal_words(node.right)
    if isinstance(node, ast.IfExp):
        return literal_words(node.body) + literal_words(node.orelse)
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return literal_words(node.elt)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"join", "format"}
    ):
        return literal_words(node.func.value) + [w for a in node.args for w in literal_words(a)]
    return []


def shown_words(source: str) -> list[str]:
    """English words that a cell writes itself into what it prints, displays or draws."""
    words = []
    for node in ast.walk(parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in SHOWN:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                words += literal_words(arg)
    return words


ENGLISH = sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_no_code_cell_shows_words_of_its_own(path):
    shown = {i: w for i, src in enumerate(code_cells(path)) if (w := shown_words(src))}
    assert shown == {}


def test_the_check_catches_a_sentence_written_in_a_cell():
    assert shown_words('print(f"Your log holds {n} bouts.")') == ["Your", "log", "holds", "bouts"]
    assert shown_words('ax.set_title("Pain over time")') == ["Pain", "over", "time"]
    assert shown_words('display(Markdown(f"<b>{x}</b>"))') == []
    assert shown_words('print("Total:", ", ".join(names) + " done.")') == ["Total", "done"]
    assert shown_words('print(notes.wrote(path), frame["exercise"].nunique())') == []


def test_every_note_a_notebook_calls_exists_and_every_note_is_called():
    called = set()
    for path in [*ENGLISH, *sorted((NOTEBOOKS / "pt").glob("*.ipynb"))]:
        for source in code_cells(path):
            called |= set(re.findall(r"backkit\.notebook_notes\.(\w+)", source))
    assert called == set(notes.__all__)
    assert "notebook_notes" in dir(backkit) and backkit.notebook_notes is notes


def test_every_marked_message_is_extracted():
    # a _() inside an f-string is invisible to pybabel on Python 3.10 and 3.11
    marked = set()
    for node in ast.walk(ast.parse(MODULE.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_", "N_"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            marked.add(node.args[0].value)
    extracted = {message for _line, message, *_rest in extract_from_file("python", str(MODULE))}
    assert len(marked) > 30
    assert marked - extracted == set()


# --------------------------------------------------------------------------
# What each note says, from real logs


@pytest.fixture
def bridge_log(tmp_path: Path) -> Iterator[SessionLog]:
    log = SessionLog(tmp_path / "log.sqlite")
    log.record(exercise_id="bridge", started_at="2025-03-03T08:00", pain_before=4, pain_after=3)
    log.record(exercise_id="bridge", started_at="2025-03-03T18:00")
    log.record(exercise_id="bridge", started_at="2025-03-05T08:00", pain_before=3, pain_after=2)
    yield log
    log.close()


def test_the_history_note_counts_bouts_and_days_or_says_sample_data(bridge_log):
    frame = bridge_log.frame()
    mine = frame[frame["exercise_id"] == "bridge"]
    assert notes.exercise_history_note(mine) == (
        "Your log holds 3 bouts of this exercise on 2 days."
    )
    none = frame[frame["exercise_id"] == "squat"]
    assert notes.exercise_history_note(none) == (
        "You have not logged this exercise yet, so the chart shows SAMPLE DATA, not yours."
    )


def test_the_log_size_counts_bouts_and_sessions(bridge_log):
    assert notes.log_size(bridge_log.frame()) == "Your log: 3 exercise bouts in 3 sessions."


def test_todays_table_words_sides_statuses_and_missing_ratings(tmp_path):
    with SessionLog(tmp_path / "log.sqlite") as log:
        log.record(exercise_id="supine-hamstring-stretch", side="left",
                   started_at="2025-03-03T08:00", pain_before=3, pain_after=2)  # fmt: skip
        log.record(exercise_id="bridge", started_at="2025-03-03T08:05", sets_planned=2,
                   sets_done=1, reps_planned=10, reps_done=10, status="partial")  # fmt: skip
        frame = log.frame()
    names = [backkit.get_exercise(i).name for i in frame["exercise_id"]]
    lines = notes.todays_table(frame, names).splitlines()
    assert lines[0].split() == ["exercise", "side", "sets", "done", "repetitions", "done",
                                "seconds", "each", "done", "pain", "before", "pain",
                                "straight", "after"]  # fmt: skip
    assert lines[1].startswith("Supine hamstring stretch") and "left" in lines[1]
    assert re.search(r"in full\s+3\s+2$", lines[1]), lines[1]
    assert re.search(r"^\s*Bridge\s+both\s+1\s+10\s.*in part\s+not rated\s+not rated$", lines[2])
    assert len(lines) == 3  # no index column, one row a bout


def test_todays_exercises_and_pain():
    assert notes.todays_exercises(["Bridge"], 1) == (
        "Today you did 1 exercise(s) in 1 session(s): Bridge."
    )
    assert notes.session_pain(3.0, 2.0) == "Pain before your sessions: 3.0/10; after: 2.0/10."


def test_the_pain_flags_note_lists_the_latest_flags_with_their_days():
    flags = backkit.analysis.pain_flags(backkit.sample_log())
    assert len(flags) >= 2
    note = notes.pain_flags_note(flags, latest=1)
    head, listed = note.split("\n\n")
    sessions = flags["session_id"].nunique()
    assert head == f"**{len(flags)} flags in {sessions} sessions in the log.** The latest:"
    last = flags.iloc[-1]
    assert listed == f"- {backkit.config.day_text(last['day'], weekday=True)}: {last['message']}"


def test_the_effect_table_words_the_verdicts_and_headings():
    effect = backkit.analysis.immediate_effect(backkit.sample_log()).drop(columns="sd")
    table = notes.effect_table(effect)
    assert list(table.columns) == [notes.EFFECT_COLUMNS.get(c, c) for c in effect.columns]
    assert {"sessions", "pain before", "range from", "what the data show"} <= set(table.columns)
    assert set(table["what the data show"]) <= set(notes.VERDICT_WORDS.values())
    assert list(table.index) == list(effect.index)
    assert effect["verdict"].astype(str).isin(notes.VERDICT_WORDS).all()  # the input is unchanged


def test_the_caseload_count_of_a_sample_folder(tmp_path):
    backkit.caseload.sample_caseload(tmp_path, patients=2, weeks=2)
    view = backkit.caseload.load_caseload(tmp_path, plan=tmp_path / "plan.yaml", as_of="2025-05-11")
    assert len(view.patients) == 2
    assert notes.caseload_count(view) == (
        f"2 patients on {view.as_of}; {len(view.skipped)} files skipped"
    )


def test_the_dose_chart_is_titled_labelled_and_its_legend_named():
    fig, ax = plt.subplots()
    ax.barh([0, 1], [10, 20])
    ax.barh([0, 1], [30, 40])
    notes.label_dose_chart(ax)
    assert ax.get_title() == "Time in the exercise and session length at the default doses"
    assert ax.get_xlabel() == "seconds per session"
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["in exercise (s)", "session (s)"]
    plt.close(fig)


def test_numbers_are_written_as_the_notebooks_wrote_them():
    assert notes.real_improvement(2.0, 30.0).startswith(
        "A fall of at least 2 points and at least 30%"
    )
    assert "1.5 points" in notes.real_improvement(1.5, 30)
    assert notes.per_leg_total(180, 7).startswith("Total: 180 s per leg per session; 21 minutes")


# --------------------------------------------------------------------------
# In Portuguese


@pytest.fixture
def portuguese(monkeypatch):
    monkeypatch.setenv("BACKKIT_LANG", "pt")
    monkeypatch.setenv("BACKKIT_REGION", "BR")


def test_in_portuguese_days_and_numbers_are_portuguese(portuguese):
    assert notes.week_label(dt.date(2026, 12, 7)).endswith("7 de dez. de 2026")
    assert "3,0/10" in notes.session_pain(3, 2) and "2,0/10" in notes.session_pain(3, 2)
    assert "1,5" in notes.real_improvement(1.5, 30)


def test_in_portuguese_todays_table_uses_the_catalogues_words(portuguese, tmp_path):
    with SessionLog(tmp_path / "log.sqlite") as log:
        log.record(exercise_id="supine-hamstring-stretch", side="left",
                   started_at="2025-03-03T08:00", pain_before=3)  # fmt: skip
        frame = log.frame()
    text = notes.todays_table(frame, ["Alongamento"])
    assert "esquerdo" in text and "sem nota" in text and "dor antes" in text
    assert "left" not in text and "not rated" not in text
