"""The no-code app's page, driven headless: choose, run, save, see the charts redrawn."""

from __future__ import annotations

import datetime as dt

import pytest

import backkit
from backkit.app import App
from backkit.routine import for_plan
from backkit.widgets.app import QUICK_DOSE

MONDAY = dt.date(2025, 3, 3)


@pytest.fixture
def plan():
    return backkit.Plan.default(MONDAY)


def test_the_session_is_the_plans_routine(plan):
    app = App(backkit.SessionLog(":memory:"), plan, day=MONDAY, quick=False)
    assert app.choice.value == "session"
    assert app.timer.routine == for_plan(plan, MONDAY)
    assert app.timer.routine == backkit.SessionTimer.for_plan(plan, MONDAY).routine
    assert app.timer.plan_id == plan.id


def test_quick_shortens_every_exercise(plan):
    app = App(backkit.SessionLog(":memory:"), plan, day=MONDAY, quick=True)
    assert app.timer.routine == for_plan(plan, MONDAY, rest_seconds=2, overrides=QUICK_DOSE)
    app.choice.value = "bridge"
    assert app.timer.routine.exercise_ids == ("bridge",)
    assert [p.seconds for p in app.timer.routine.phases if p.is_rep] == [2.0]
    assert "Quick try" in app.header.value


def test_a_rest_day_offers_each_exercise_at_the_plans_dose():
    plan = backkit.Plan("Mondays", items=[backkit.PlanItem("squat", reps=12)], weekdays=["mon"],
                        start=MONDAY)  # fmt: skip
    app = App(backkit.SessionLog(":memory:"), plan, day=MONDAY + dt.timedelta(days=1))
    assert [value for _, value in app.choice.options] == ["squat"]
    assert "not an exercise day" in app.header.value
    assert app.timer.routine.bouts[0].reps == 12


def test_saving_a_session_redraws_the_progress(plan):
    log = backkit.SessionLog(":memory:")
    app = App(log, plan, day=MONDAY, quick=True)
    app.choice.value = "bridge"
    timer = app.timer
    timer.view.start_button.click()
    while timer.state != "finished":
        timer.view.skip_button.click()
    before = app.charts.value
    timer.view.save_button.click()
    assert app.saves == 1 and len(log) == 1
    assert app.stats.value.startswith("1 session on 1 day logged (1 exercise bout)")
    assert app.charts.value != before
    assert app.errors.outputs == () and timer.view.output.outputs == ()


def test_the_day_is_the_kits_today(plan, monkeypatch):
    from backkit import config

    monkeypatch.setattr(config, "today", lambda: MONDAY + dt.timedelta(days=2))
    app = App(backkit.SessionLog(":memory:"), plan)
    assert app.day == MONDAY + dt.timedelta(days=2)
