"""The no-code app's page, driven headless: screen, choose, run, save, undo, check in, fix."""

from __future__ import annotations

import datetime as dt
import html
import time

import ipywidgets as widgets
import pytest

import backkit
from backkit import safety
from backkit.app import App
from backkit.outcomes import record_screening, screenings_frame
from backkit.routine import for_plan
from backkit.widgets.app import QUICK_DOSE, done_today
from backkit.widgets.fix import UNDO_REASON

MONDAY = dt.date(2025, 3, 3)
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def plan():
    return backkit.Plan.default(MONDAY)


def screened(log=None):
    """A log whose red-flag questions were answered just now, with no "yes"."""
    log = log or backkit.SessionLog(":memory:")
    answers = {q.id: False for q in safety.screening_questions()}
    record_screening(log, answers, action="none")
    return log


def answer_all(check, yes=()):
    for key, buttons in check.answers.items():
        buttons.value = key in yes
    check.save_button.click()


def run_to_the_end(timer):
    """Every step done: the page reports the start and, the whole routine later, its end."""
    t0 = time.time() - timer.routine.total_seconds - 1  # started just long enough ago
    timer.view.face.events = [
        {"n": 0, "action": "start", "at": t0},
        {"n": 1, "action": "end", "at": t0 + timer.routine.total_seconds},
    ]
    assert timer.state == "finished" and timer.engine.status().completed


def skip_everything(timer):
    timer.view.start_button.click()
    while timer.state != "finished":
        timer.view.skip_button.click()


def test_the_session_is_the_plans_routine(plan):
    app = App(screened(), plan, day=MONDAY, quick=False)
    assert app.choice.value == "session"
    assert app.timer.routine == for_plan(plan, MONDAY)
    assert app.timer.routine == backkit.SessionTimer.for_plan(plan, MONDAY).routine
    assert app.timer.plan_id == plan.id


def test_quick_shortens_every_exercise(plan):
    app = App(screened(), plan, day=MONDAY, quick=True)
    assert app.timer.routine == for_plan(plan, MONDAY, rest_seconds=2, overrides=QUICK_DOSE)
    app.choice.value = "bridge"
    assert app.timer.routine.exercise_ids == ("bridge",)
    assert [p.seconds for p in app.timer.routine.phases if p.is_rep] == [2.0]
    assert "Quick try" in app.today_list.value


def test_a_rest_day_offers_each_exercise_at_the_plans_dose():
    plan = backkit.Plan(
        "Mondays", items=[backkit.PlanItem("squat", reps=12)], weekdays=["mon"], start=MONDAY
    )
    app = App(screened(), plan, day=MONDAY + dt.timedelta(days=1))
    assert [value for _, value in app.choice.options] == ["squat"]
    assert "not an exercise day" in app.today_list.value
    assert app.timer.routine.bouts[0].reps == 12


@pytest.fixture
def on_a_monday(pin_today, monkeypatch):
    """The kit's clock on a Monday, when strength work such as the bridge is due."""
    monkeypatch.setenv("BACKKIT_TZ", "UTC")
    pin_today(f"{MONDAY.isoformat()}T10:00+00:00")


def test_saving_a_session_redraws_the_progress_and_marks_it_done(on_a_monday):
    log, today = screened(), backkit.config.today()  # the timer saves with the kit's clock
    app = App(log, backkit.Plan.default(today), day=today, quick=True)
    assert "bk-row-done" not in app.today_list.value
    app.choice.value = "bridge"
    timer = app.timer
    run_to_the_end(timer)
    before = app.charts.value
    timer.view.pain_before.value, timer.view.pain_after.value = 3, 3
    timer.view.save_button.click()
    assert app.saves == 1 and len(log) == 1
    assert app.stats.value.startswith("1 session on 1 day logged (1 exercise bout)")
    assert app.charts.value != before
    assert "✓ done today" in app.today_list.value and done_today(log, today) == {"bridge": 1.0}
    row = next(r for r in app.today_list.value.split("<tr") if "Bridge" in r)
    assert "bk-row-done" in row
    assert app.errors.outputs == () and timer.view.output.outputs == ()


def test_a_session_with_every_step_skipped_is_saved_but_not_done(on_a_monday):
    log, today = screened(), backkit.config.today()
    app = App(log, backkit.Plan.default(today), day=today, quick=True)
    app.choice.value = "bridge"
    skip_everything(app.timer)
    app.timer.view.save_button.click()
    app.timer.view.skip_rating_button.click()
    assert len(log) == 1 and done_today(log, today) == {"bridge": 0.0}
    row = next(r for r in app.today_list.value.split("<tr") if "Bridge" in r)
    assert "bk-row-todo" in row and "✓ done today" not in row and "nothing done yet" in row
    assert "done today" not in app.choice.options[1][0]


def test_undo_right_after_a_save_removes_it_through_the_audit_trail(on_a_monday):
    log, today = screened(), backkit.config.today()
    app = App(log, backkit.Plan.default(today), day=today, quick=True)
    app.choice.value = "bridge"
    run_to_the_end(app.timer)
    app.timer.view.skip_rating_button.click()
    assert len(log) == 1 and app.undo.layout.display == ""
    row_id = log.frame(ids=True)["row_id"][0]
    app.undo.undo_button.click()
    assert len(log) == 0 and "Undone" in app.undo.message.value
    trail = log.audit_trail()
    assert UNDO_REASON in trail["reason"].tolist()
    assert (trail["target_id"].astype(str) == str(row_id)).any()
    assert "bk-row-done" not in app.today_list.value and "✓" not in app.today_list.value
    # Undo then Save stores the corrected rating (issue 26)
    view = app.timer.view
    assert not view.save_button.disabled and view.save_button.description == "Save to log"
    view.pain_before.value, view.pain_after.value = 2, 1
    view.save_button.click()
    assert len(log) == 1 and log.frame()["pain_after"].tolist() == [1]
    assert app.timer.saved_rows[0]["pain_after"] == 1


def test_the_red_flag_questions_come_before_the_first_session(plan):
    log = backkit.SessionLog(":memory:")
    app = App(log, plan, day=MONDAY, quick=True)
    assert app.safety_check.due and app.timer is None
    app.safety_check.save_button.click()  # nothing answered: asks
    assert "Please answer every question" in app.safety_check.message.value
    answer_all(app.safety_check)
    assert app.timer is not None and app.timer.routine.exercise_ids[0] == "supine-hamstring-stretch"
    assert screenings_frame(log)["action"].tolist() == ["none"]


@pytest.mark.parametrize(
    ("yes", "action", "words"),
    [
        (("saddle_numbness",), "emergency", "999"),
        (("fever",), "urgent", "NHS 111"),
        (("below_knee",), "clinician", "physiotherapist"),
    ],
)
def test_a_red_flag_yes_stops_the_session_and_is_recorded(plan, yes, action, words):
    log = backkit.SessionLog(":memory:")
    app = App(log, plan, day=MONDAY, quick=True)
    answer_all(app.safety_check, yes=yes)
    assert app.timer is None and app.timer_box.children == ()  # no timer offered
    assert words in app.safety_check.message.value
    assert "do not start the session" in app.safety_check.message.value
    stored = screenings_frame(log)
    assert stored["action"].tolist() == [action] and stored["yes"].tolist() == [yes]
    # asked again next time: a "yes" is never forgotten
    assert App(log, plan, day=MONDAY, quick=True).safety_check.due


def test_the_questions_are_asked_again_after_a_week(plan):
    log = backkit.SessionLog(":memory:")
    week_ago = backkit.config.now() - dt.timedelta(days=8)
    record_screening(
        log, {q.id: False for q in safety.screening_questions()}, action="none", when=week_ago
    )
    assert App(log, plan, day=MONDAY).safety_check.due


def test_the_app_shows_the_emergency_signs_and_the_pain_message(plan):
    app = App(backkit.SessionLog(":memory:"), plan, day=MONDAY)
    for sign in safety.rules()["emergency"]["signs"]:
        assert html.escape(sign) in app.header.value
    # once on the page: the safety check's and the check-in's own lists are left out
    assert app.safety_check.signs not in app.safety_check.children and app.checkin.signs is None
    assert html.escape(safety.pain_message()) in app.header.value


def test_instructions_are_shown_beside_the_timer(plan):
    app = App(screened(), plan, day=MONDAY, quick=True)
    app.choice.value = "bridge"
    bridge = backkit.get_exercise("bridge")
    text = app.instructions.value
    assert html.escape(bridge.start_position) in text
    assert all(html.escape(step) in text for step in bridge.steps)
    assert "<svg" in text
    assert list(app.session_area.children) == [app.timer_box, app.instructions]


def test_changing_exercise_mid_session_asks_first(plan):
    app = App(screened(), plan, day=MONDAY, quick=True)
    app.choice.value = "bridge"
    running = app.timer
    running.view.start_button.click()
    app.choice.value = "squat"
    assert app.timer is running and app.choice.value == "bridge"  # nothing thrown away yet
    assert app.confirm.layout.display == "" and "discard it" in app.confirm_text.value
    app.keep_button.click()
    assert app.timer is running and app.confirm.layout.display == "none"
    app.choice.value = "squat"
    app.discard_button.click()
    assert app.timer is not running and app.timer.routine.exercise_ids == ("squat",)
    assert app.choice.value == "squat"


def test_the_stop_rules_come_with_the_pain_limit_they_point_to(plan):
    header = App(screened(), plan, day=MONDAY).header.value
    assert "How much pain is too much" in header
    for step in safety.pain_rule():
        assert html.escape(step, quote=True) in header


def test_the_weekly_check_in_and_fix_an_entry_are_in_the_app(plan):
    app = App(screened(), plan, day=MONDAY)
    titles = [app.tabs.get_title(k) for k in range(len(app.tabs.children))]
    assert titles == ["Today", "Weekly check-in", "Fix an entry", "About you"]
    assert app.tabs.children[1] is app.checkin and app.checkin.pain_average.value is None
    # the personal check can be changed at any time: its tab stores new answers
    app.about.answers["pregnancy"].value = "Yes"
    app.about.save_button.click()
    assert backkit.conditions.current(app.session_log).tags == {"pregnancy"}


def test_names_from_a_custom_plan_are_escaped():
    plan = backkit.Plan(XSS, items=[backkit.PlanItem("squat")], start=MONDAY)
    app = App(screened(), plan, day=MONDAY)
    assert XSS not in app.today_list.value and html.escape(XSS) in app.today_list.value


def test_the_day_is_the_kits_today(plan, monkeypatch):
    from backkit import config

    monkeypatch.setattr(config, "today", lambda: MONDAY + dt.timedelta(days=2))
    app = App(backkit.SessionLog(":memory:"), plan)
    assert app.day == MONDAY + dt.timedelta(days=2)


# -- a light first run (issue 26) ------------------------------------------------------

#: Presses from opening the app to exercise 1 running: one per warning-sign question
#: (19), Save, Start. Issue 26 asks for 17; the questions alone take 19 presses, and the
#: screening is SafetyCheck's (see the report of issue 26). Nothing else may be added.
FIRST_RUN_PRESSES = 21


def walk(w):
    yield w
    for child in getattr(w, "children", ()):
        yield from walk(child)


def emergency_lists(app) -> int:
    """How many times the page shows the emergency list (its title), in any HTML on it."""
    title = html.escape(safety.rules()["emergency"]["title"])
    return sum(c.value.count(title) for c in walk(app) if isinstance(c, widgets.HTML))


class Presses:
    """Presses as a person makes them: a button clicked, an answer chosen."""

    def __init__(self):
        self.n = 0

    def click(self, button):
        layout = getattr(button, "layout", None)  # the face's buttons are drawn in the browser
        assert not button.disabled and (layout is None or layout.display != "none")
        button.click()
        self.n += 1

    def choose(self, buttons, value):
        buttons.value = value
        self.n += 1


def test_the_first_run_from_opening_to_exercise_1(on_a_monday):
    log, today = backkit.SessionLog(":memory:"), backkit.config.today()
    app = App(log, backkit.Plan.default(today), day=today)
    press = Presses()
    assert emergency_lists(app) == 1  # the header's, open: no second copy under it
    assert "<details class='bk-emergency' open>" in app.header.value
    for buttons in app.safety_check.answers.values():
        press.choose(buttons, False)
    press.click(app.safety_check.save_button)
    assert app.timer is not None and app.timer.state == "ready"
    assert emergency_lists(app) == 1  # the timer's own list is not on the page either
    press.click(app.timer.view.start_button)
    assert app.timer.state == "running"
    assert app.timer.engine.status().phase.exercise_id == app.timer.routine.exercise_ids[0]
    assert press.n <= FIRST_RUN_PRESSES
    assert press.n == len(safety.screening_questions()) + 2  # the answers, Save, Start
    assert emergency_lists(app) == 1
    assert app.errors.outputs == ()


def test_the_emergency_list_folds_after_the_first_session(on_a_monday):
    log, today = screened(), backkit.config.today()
    app = App(log, backkit.Plan.default(today), day=today, quick=True)
    assert "<details class='bk-emergency' open>" in app.header.value  # no session yet
    app.choice.value = "bridge"
    run_to_the_end(app.timer)
    app.timer.view.skip_rating_button.click()
    assert "<details class='bk-emergency'>" in app.header.value
    assert emergency_lists(app) == 1
    assert emergency_lists(App(log, backkit.Plan.default(today), day=today)) == 1


def test_the_check_in_does_not_repeat_the_questions_answered_in_the_app(on_a_monday):
    log, today = backkit.SessionLog(":memory:"), backkit.config.today()
    app = App(log, backkit.Plan.default(today), day=today)
    assert app.checkin.asks_screening  # nothing answered yet
    answer_all(app.safety_check)
    assert not app.checkin.asks_screening
    assert "You answered the warning-sign questions today at 10:0" in (
        app.checkin.screening_note.value
    )
    # a check-in answered before the app: the tab reads the answers again when opened
    later = App(log, backkit.Plan.default(today), day=today)
    assert not later.checkin.asks_screening


def test_opening_the_check_in_tab_reads_answers_given_since(on_a_monday):
    log, today = backkit.SessionLog(":memory:"), backkit.config.today()
    app = App(log, backkit.Plan.default(today), day=today)
    record_screening(log, {q.id: False for q in safety.screening_questions()}, action="none")
    assert app.checkin.asks_screening
    app.tabs.selected_index = 1
    assert not app.checkin.asks_screening


def test_a_check_in_that_answers_the_questions_opens_the_gate_and_can_be_fixed(on_a_monday):
    log, today = backkit.SessionLog(":memory:"), backkit.config.today()
    app = App(log, backkit.Plan.default(today), day=today)
    assert app.timer is None and app.fix.entry.options == ()
    w = app.checkin
    w.pain_average.value, w.pain_worst.value = 4, 6
    for buttons in w.red_flags.values():
        buttons.value = False
    w.save_button.click()
    w.skip_button.click()  # the PSFS skipped on purpose
    assert "Saved" in w.message.value, w.message.value
    assert app.timer is not None  # the Today tab's questions were answered in the check-in
    assert [kind for _, (kind, _) in app.fix.entry.options] == ["checkin"]
    assert app.errors.outputs == ()


def test_before_the_first_session_the_progress_says_what_will_appear(plan):
    from backkit.widgets.app import NO_CHARTS_YET

    app = App(screened(), plan, day=MONDAY)
    assert app.charts.value == "" and app.stats.value == NO_CHARTS_YET
    assert "pain before exercise" in NO_CHARTS_YET and "against your plan" in NO_CHARTS_YET


@pytest.mark.parametrize("plot", ["plot_pain_trend", "plot_adherence"])
def test_the_apps_empty_charts_say_what_will_appear_not_nrs(plot, plan):
    from matplotlib.figure import Figure

    from backkit import charts
    from backkit.log import empty_frame

    ax = getattr(charts, plot)(empty_frame(), plan, ax=Figure().add_subplot())
    assert "will show here" in ax.get_xlabel()
    assert ax.get_ylabel() == "" and "NRS" not in ax.get_ylabel() and not ax.get_frame_on()
