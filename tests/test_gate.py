"""The safety gate: no timer starts without a current screening, through any door.

The rule (backkit.gate.screening_gate) is tested on its own, then at every
door a person gets a timer through: SessionTimer, SessionTimer.for_plan, a
chained routine, SafetyCheck, the app, and each notebook that shows a timer
(run in a real kernel on a fresh log). The browser tests show the same in
JupyterLab and Voila (tests/browser/test_gate_browser.py).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backkit
from backkit import conditions, config, gate, outcomes, safety
from backkit.app import App
from backkit.errors import CheckInError, SafetyGateError
from backkit.log import SessionLog
from backkit.routine import Routine, build_routine
from backkit.widgets.screening import SafetyCheck
from backkit.widgets.timer import SessionTimer

PACKAGE = Path(backkit.__file__).parent
NOTEBOOKS = PACKAGE.parent / "notebooks"
UTC = dt.timezone.utc
NO = {q.id: False for q in safety.screening_questions()}


def answered(log, *, yes=(), days_ago=0.0):
    answers = {**NO, **{q: True for q in yes}}
    when = config.now() - dt.timedelta(days=days_ago)
    return outcomes.record_screening(
        log, answers, action=safety.screening_action(answers), when=when
    )


def state(log, now=None):
    return gate.screening_gate(
        outcomes.screenings_frame(log), outcomes.clearances_frame(log), now or config.now()
    )


# --------------------------------------------------------------------------
# The rule


class TestTheRule:
    def test_never_answered_is_closed(self, log):
        assert not state(log).open and state(log).needs_answers

    def test_answered_no_within_seven_days_is_open(self, log):
        answered(log, days_ago=6.9)
        assert state(log).open and state(log).reason == ""

    def test_older_than_seven_days_asks_again(self, log):
        answered(log, days_ago=7.1)
        closed = state(log)
        assert not closed.open and closed.needs_answers and "7 days ago" in closed.reason

    @pytest.mark.parametrize("question", [q.id for q in safety.screening_questions()])
    def test_any_yes_closes_it_and_a_later_no_does_not_reopen_it(self, log, question):
        answered(log, yes=[question], days_ago=2)
        answered(log)  # a new all-no screening, today
        closed = state(log)
        assert not closed.open and not closed.needs_answers
        assert [u.yes for u in closed.unresolved] == [(question,)]
        assert closed.action == next(
            q.action for q in safety.screening_questions() if q.id == question
        )

    def test_a_clearance_on_or_after_the_day_of_the_yes_resolves_it(self, log):
        yes = answered(log, yes=["fever"], days_ago=1)
        outcomes.record_clearance(log, seen_on=yes["answered_at"].date(), seen_by="gp")
        assert state(log).open

    def test_a_visit_before_the_yes_does_not_resolve_it(self, log):
        yes = answered(log, yes=["fever"], days_ago=1)
        before = yes["answered_at"].date() - dt.timedelta(days=1)
        outcomes.record_clearance(log, seen_on=before, seen_by="gp")
        assert not state(log).open

    def test_a_yes_after_a_clearance_closes_it_again(self, log):
        answered(log, yes=["fever"], days_ago=3)
        outcomes.record_clearance(log, seen_on=config.today() - dt.timedelta(days=2), seen_by="gp")
        assert state(log).open
        answered(log, yes=["bladder_bowel"])
        closed = state(log)
        assert not closed.open and closed.action == "emergency"
        assert [u.yes for u in closed.unresolved] == [("bladder_bowel",)]

    def test_a_cleared_yes_still_needs_answers_within_seven_days(self, log):
        yes = answered(log, yes=["fever"], days_ago=9)
        outcomes.record_clearance(log, seen_on=yes["answered_at"].date(), seen_by="physiotherapist")
        assert state(log).needs_answers

    def test_a_history_yes_needs_a_clinician_once(self, log):
        first = answered(log, yes=["cancer_history"], days_ago=3)
        assert not state(log).open and state(log).action == "clinician"
        outcomes.record_clearance(log, seen_on=first["answered_at"].date(), seen_by="gp")
        answered(log, yes=["cancer_history"])  # the same history, next time: no new stop
        assert state(log).open
        answered(log, yes=["cancer_history", "fever"])  # but a new sign still stops
        closed = state(log)
        assert not closed.open and closed.action == "urgent"
        assert closed.unresolved[-1].yes == ("fever",)

    def test_an_event_in_the_history_is_covered_for_its_days_only(self, log):
        days = next(q for q in safety.screening_questions() if q.id == "recent_surgery")
        assert days.history and days.history_days == 28
        first = answered(log, yes=["recent_surgery"], days_ago=40)
        outcomes.record_clearance(log, seen_on=first["answered_at"].date(), seen_by="gp")
        answered(log, yes=["recent_surgery"], days_ago=20)  # within 28 days: covered
        assert not state(log).unresolved
        answered(log, yes=["recent_surgery"])  # 40 days on: seen again
        assert [u.yes for u in state(log).unresolved] == [("recent_surgery",)]

    def test_a_past_cancer_yes_says_most_back_pain_is_common(self, log):
        answered(log, yes=["cancer_history"])
        check = SafetyCheck(log)
        assert "common back pain" in check.message.value

    def test_a_history_yes_before_any_clearance_stays_in_force(self, log):
        answered(log, yes=["immune_history"], days_ago=2)
        answered(log, yes=["immune_history"])
        assert [u.yes for u in state(log).unresolved] == [("immune_history",)] * 2

    def test_the_reason_names_the_day_of_the_yes(self, log):
        yes = answered(log, yes=["fever"], days_ago=1)
        day = yes["answered_at"]
        assert f"{day:%A} {day.day} {day:%B %Y}" in state(log).reason

    def test_it_survives_closing_and_opening_the_file(self, path):
        with SessionLog(path) as log:
            answered(log, yes=["saddle_numbness"])
            answered(log)
        with SessionLog(path) as again:  # a reload: a new kernel, a new page
            assert not state(again).open and state(again).action == "emergency"


class TestClearances:
    def test_bad_values_are_named_and_nothing_is_written(self, log, digest, path):
        before = digest(path)
        with pytest.raises(CheckInError) as err:
            outcomes.record_clearance(
                log, seen_on=config.today() + dt.timedelta(days=1), seen_by="a friend",
                notes="fine\r\nX-INJECT: 1",
            )  # fmt: skip
        text = str(err.value)
        assert "seen_on" in text and "is in the future" in text
        assert "seen_by = 'a friend'" in text and "line break" in text
        assert digest(path) == before and outcomes.clearances_frame(log).empty

    def test_the_frame_has_its_columns_and_types(self, log):
        outcomes.record_clearance(log, seen_on="2026-12-01", seen_by="emergency department")
        frame = outcomes.clearances_frame(log)
        assert dict(frame.dtypes.astype(str)) == {
            "clearance_id": "Int64", "seen_on": "datetime64[ns]", "seen_by": "category",
            "notes": "string", "recorded_at": f"datetime64[ns, {config.kit_timezone()}]",
        }  # fmt: skip
        assert frame["seen_by"].tolist() == ["emergency department"]


# Any history of screenings (yes or no, in any order) and clearances: a later
# all-no screening never opens a gate that a "yes" closed.
_events = st.lists(
    st.one_of(
        st.tuples(st.just("screen"), st.sampled_from([q.id for q in safety.screening_questions()]
                                                      + [None])),
        st.tuples(st.just("clear"), st.integers(min_value=-3, max_value=0)),
    ),
    max_size=8,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(_events)
def test_an_all_no_answer_never_opens_a_gate_that_a_yes_closed(events):
    with SessionLog(":memory:") as log:
        for kind, value in events:
            if kind == "screen":
                answered(log, yes=[value] if value else [])
            else:
                outcomes.record_clearance(
                    log, seen_on=config.today() + dt.timedelta(days=value), seen_by="gp"
                )
        before = state(log)
        answered(log)
        after = state(log)
        if before.unresolved:
            assert not after.open and after.unresolved == before.unresolved
        else:
            assert after.open


# --------------------------------------------------------------------------
# The doors


def test_a_timer_on_a_fresh_log_shows_the_questions_and_does_not_start(tmp_path):
    path = tmp_path / "new.sqlite"
    timer = SessionTimer("bridge", path)
    assert not path.exists()  # reading the gate never creates a log
    assert timer.children == (timer.safety_check,) and timer.safety_check.content is None
    with pytest.raises(SafetyGateError, match="have not been answered yet"):
        timer.start()
    assert timer.state == "ready" and timer.events == [] and not path.exists()


def test_answering_no_in_the_timer_shows_the_countdown_in_their_place(tmp_path):
    path = tmp_path / "new.sqlite"
    timer = SessionTimer("bridge", path)
    check = timer.safety_check
    for buttons in check.answers.values():
        buttons.value = False
    check.save_button.click()
    assert timer.gate.open and check.content is timer.view
    timer.start()
    assert timer.state == "running"
    assert timer.session_log is check.session_log  # one connection to the file


def test_none_of_these_answers_no_only_where_nothing_was_pressed(log):
    # one press instead of nineteen, and a "yes" already pressed stays a yes
    check = SafetyCheck(log)
    (none,) = [w for w in check.questions.children if "bk-screening-none" in w._dom_classes]
    check.answers["fever"].value = True
    none.click()
    assert check.answers["fever"].value is True
    assert all(w.value is False for key, w in check.answers.items() if key != "fever")
    assert outcomes.screenings_frame(log).empty  # nothing is stored before Save
    check.save_button.click()
    assert not check.gate.open and check.action == safety.screening_action({"fever": True})


def test_a_yes_in_the_timer_says_what_to_do_and_offers_no_countdown(log):
    timer = SessionTimer("squat", log)
    check = timer.safety_check
    for key, buttons in check.answers.items():
        buttons.value = key == "saddle_numbness"
    check.save_button.click()
    assert check.content is None and check.action == "emergency"
    assert "do not start the session" in check.message.value
    assert check.clearance.layout.display == "flex"
    with pytest.raises(SafetyGateError):
        timer.start()


def test_a_start_event_from_a_page_without_a_countdown_is_refused(log):
    timer = SessionTimer("bridge", log)
    timer.view.face.append("start", 1000.0, wall=config.now().isoformat(), index=0)
    assert timer.events == [] and timer.state == "ready"
    assert "SafetyGateError" in str(timer.view.output.outputs)


def test_for_plan_and_a_chained_routine_pass_the_same_gate(log):
    plan = backkit.Plan.default(start=config.today())
    for timer in (
        SessionTimer.for_plan(plan, config.today(), log),
        SessionTimer(Routine.chain([build_routine("bridge"), build_routine("squat")]), log),
    ):
        with pytest.raises(SafetyGateError):
            timer.start()
    answered(log)
    timer = SessionTimer.for_plan(plan, config.today(), log)
    timer.start()
    assert timer.state == "running"


def test_a_past_yes_survives_a_reload_of_the_app_and_a_new_all_no(path):
    with SessionLog(path) as log:
        answered(log, yes=["bladder_bowel"])
    with SessionLog(path) as log:  # the page is reloaded: a new app on the same file
        app = App(log, quick=True)
        assert app.timer is None and app.safety_check.content is None
        assert app.safety_check.form.layout.display == "none"  # not asked again: in force
        assert "Emergency" in app.safety_check.message.value
        answered(log)  # even an all-no recorded by another door
        again = App(log, quick=True)
        assert again.timer is None and again.safety_check.content is None


def test_a_cleared_history_yes_says_why_the_session_may_start(log):
    first = answered(log, yes=["cancer_history"], days_ago=9)
    outcomes.record_clearance(log, seen_on=first["answered_at"].date(), seen_by="gp")
    check = SafetyCheck(log, then=lambda: SessionTimer("bridge", log))
    assert check.content is None and check.gate.needs_answers  # 9 days: asked again
    for key, buttons in check.answers.items():
        buttons.value = key == "cancer_history"
    check.save_button.click()
    assert isinstance(check.content, SessionTimer)
    assert "already seen you about" in check.message.value


def test_recording_the_visit_opens_the_gate(log):
    yes = answered(log, yes=["fever"])
    check = SafetyCheck(log, then=lambda: SessionTimer("bridge", log))
    form = check.clearance
    assert form.fields.layout.display == "none"  # folded under the advice
    form.open_button.click()
    assert form.fields.layout.display == "flex"
    form.seen_on.value = yes["answered_at"].date() - dt.timedelta(days=3)
    form.seen_by.value = "gp"
    form.record_button.click()
    assert check.content is None and "before you answered yes" in form.message.value
    form.seen_on.value = yes["answered_at"].date()
    form.notes.value = "a cold; fine to exercise"
    form.record_button.click()
    assert isinstance(check.content, SessionTimer) and check.content.gate.open
    assert outcomes.clearances_frame(log)["notes"].tolist()[-1] == "a cold; fine to exercise"


def test_only_the_timer_builds_a_countdown():
    """A new door must go through SessionTimer, where the gate is: none builds a face itself."""
    builders = {}
    for file in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                "TimerView", "TimerFace", "Engine",
            ):  # fmt: skip
                builders.setdefault(file.relative_to(PACKAGE).as_posix(), set()).add(node.func.id)
    assert builders == {
        "widgets/timer.py": {"TimerView", "Engine"},
        "widgets/timer_view.py": {"TimerFace"},
    }
    for nb in NOTEBOOKS.glob("*.ipynb"):
        code = "\n".join(c.source for c in nbformat.read(nb, as_version=4).cells
                         if c.cell_type == "code")  # fmt: skip
        assert not re.search(r"\b(TimerView|TimerFace|Engine|Ticker)\(", code), nb.name


_TIMER_NOTEBOOKS = sorted(
    p.name for p in NOTEBOOKS.glob("*.ipynb")
    if re.search(r"SessionTimer|SafetyCheck|\bApp\(", p.read_text(encoding="utf-8"))
)  # fmt: skip
_INSPECT = """
import gc
from backkit.widgets.timer import SessionTimer
from backkit.widgets.screening import SafetyCheck
timers = [o for o in gc.get_objects() if isinstance(o, SessionTimer)]
checks = [o for o in gc.get_objects() if isinstance(o, SafetyCheck)]
assert timers or checks, "this notebook shows no timer"
for t in timers:
    assert not t.gate.open, t.gate
    try:
        t.start()
    except backkit.SafetyGateError:
        pass
    else:
        raise AssertionError("a timer started with no screening")
    assert t.state == "ready" and t.events == []
assert all(c.content is None or not isinstance(c.content, SessionTimer) for c in checks)
print(f"gated: {len(timers)} timers, {len(checks)} checks")
"""


def test_the_notebooks_with_a_timer_are_listed():
    assert [
        *(f"{backkit.get_exercise(i).number:02d}_{i}.ipynb" for i in backkit.exercise_ids()),
        "10_todays_session.ipynb",
        "app.ipynb",
    ] == _TIMER_NOTEBOOKS


@pytest.mark.slow
@pytest.mark.parametrize("name", _TIMER_NOTEBOOKS)
def test_no_notebook_starts_a_timer_on_a_fresh_log(name, tmp_path, run_notebook):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_INSPECT))
    run_notebook(nb, tmp_path)
    said = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert re.search(r"gated: \d+ timers, \d+ checks", said), nb.cells[-1].outputs
    screenings = tmp_path / "backkit-log.sqlite"
    if screenings.exists():
        with SessionLog(screenings, create=False) as log:
            assert outcomes.screenings_frame(log).empty


# --------------------------------------------------------------------------
# The personal check


def test_the_personal_check_is_asked_once_with_the_first_screening(log):
    check = SafetyCheck(log)
    assert check.personal is not None
    for buttons in check.answers.values():
        buttons.value = False
    check.personal.answers["hip_replacement"].value = "Yes, I don't know which way"
    check.save_button.click()
    assert conditions.current(log).tags == {"hip_posterior", "hip_anterior"}
    assert SafetyCheck(log).personal is None  # answered: not asked again


def test_the_timer_shows_the_cautions_that_apply_first(log):
    answered(log)
    conditions.record(log, {"osteoporosis": "Yes"})
    timer = SessionTimer("knee-to-chest", log)
    shown = timer.view.cautions["knee-to-chest"]
    ex = backkit.get_exercise("knee-to-chest")
    assert shown["mine"] == list(ex.cautions_for({"osteoporosis"})) != []
    assert sorted(shown["mine"] + shown["everyone"] + shown["others"]) == sorted(ex.cautions)
    assert shown["everyone"] == [
        c for c, t in zip(ex.cautions, ex.caution_conditions, strict=True) if not t
    ]
    assert shown["mistakes"] == list(ex.mistakes)


def test_every_exercise_shows_its_cautions_and_mistakes_beside_the_timer():
    for ex_id in backkit.exercise_ids():
        ex = backkit.get_exercise(ex_id)
        shown = SessionTimer(ex_id, ":memory:").view.cautions[ex_id]
        assert sorted(shown["mine"] + shown["everyone"] + shown["others"]) == sorted(ex.cautions)
        assert shown["mistakes"] == list(ex.mistakes) != []


def test_each_condition_tag_picks_out_a_caution_somewhere():
    for tag in conditions.tags():
        assert any(backkit.get_exercise(i).cautions_for({tag}) for i in backkit.exercise_ids()), tag


def test_bad_personal_answers_are_named_and_nothing_is_written(log):
    with pytest.raises(CheckInError, match="osteoporosis = 'Maybe'"):
        conditions.record(log, {"osteoporosis": "Maybe", "shoe_size": "9"})
    assert conditions.current(log) is None
