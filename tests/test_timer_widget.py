"""The SessionTimer widget, driven headless: presses and events sent to the face's model.

The face's buttons live in the browser; ``view.start_button.click()`` appends
the same event the page does. Most tests use a fake clock and call
``refresh()``; others send events stamped as the browser stamps them.
"""

import asyncio
import datetime as dt
import re
import time

import pytest

from backkit import config, safety
from backkit.errors import LogError, RoutineError, SafetyGateError
from backkit.log import SessionLog
from backkit.routine import Routine, build_routine
from backkit.widgets.timer import SessionTimer, Ticker, replay_events
from backkit.widgets.timer_view import face_payload


class FakeClock:
    def __init__(self, t: float = 500.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


SHORT = {
    "reps": 2,
    "hold_seconds": 2,
    "prepare_seconds": 1,
    "rest_seconds": 1,
    "switch_seconds": 1,
}  # knee-to-chest: prepare 1, L 2+1+2, switch 1, R 2+1+2 = 12 s


@pytest.fixture(autouse=True)
def _own_home(tmp_path, monkeypatch, screen):
    # A timer without a log saves to the default log: keep each test's apart,
    # screened, so the timer's own behaviour is what these tests see
    # (the gate closed is tests/test_gate.py's).
    monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))
    screen(None)


def make(clock=None, log=None, exercise="knee-to-chest", **kw):
    clock = clock or FakeClock()
    kw = {**SHORT, **kw} if exercise == "knee-to-chest" else kw
    return SessionTimer(exercise, log, clock=clock, **kw), clock


def at(timer, clock, t):
    clock.t = 500.0 + t
    return timer.refresh()


def shown(w) -> bool:
    return w.layout.display != "none"


def classes(widget) -> set[str]:
    found = set(widget._dom_classes)
    for child in getattr(widget, "children", ()):
        found |= classes(child)
    return found


class TestBeforeStart:
    def test_shows_the_exercise_and_the_whole_plan(self):
        timer, _ = make()
        assert "Single knee to chest" in timer.view.title.value
        assert "1 set x 2 reps per side, hold 2 s - about 0:12" in timer.view.title.value
        assert timer.view.title.value.count("Single knee to chest") == 1
        assert timer.phase_text == "Press Start when you are ready"
        assert timer.countdown_text == "0:01"
        assert shown(timer.view.before_box) and not shown(timer.view.after_box)
        assert timer.view.pain_before.value is None and timer.view.pain_after.value is None
        assert not timer.view.start_button.disabled
        assert timer.view.pause_button.disabled and timer.view.skip_button.disabled
        assert timer.view.stop_button.disabled
        assert timer.state == "ready" and timer.events == []

    def test_every_control_has_a_css_class(self):
        timer, _ = make()
        assert {
            "bk-timer",
            "bk-title",
            "bk-safety",
            "bk-face-widget",
            "bk-rate-each",
            "bk-save-unrated",
            "bk-pain-before",
            "bk-pain-after",
            "bk-notes",
            "bk-save",
            "bk-message",
            "bk-errors",
        } <= classes(timer)

    def test_buttons_have_words_not_only_symbols(self):
        timer, _ = make()
        labels = [
            b.description
            for b in (
                timer.view.start_button,
                timer.view.pause_button,
                timer.view.skip_button,
                timer.view.stop_button,
            )
        ]
        assert labels == ["▶ Start", "❚❚ Pause", "» Skip", "■ Stop"]
        timer.view.start_button.click()
        assert timer.view.pause_button.description == "❚❚ Pause"
        timer.view.pause_button.click()
        assert timer.view.pause_button.description == "▶ Resume"

    def test_overrides_reach_the_routine(self):
        timer = SessionTimer("bridge", sets=1, reps=3, hold_seconds=4)
        assert [p.seconds for p in timer.routine.phases if p.is_rep] == [4.0] * 3

    def test_bad_override_is_a_clear_error(self):
        with pytest.raises(ValueError, match="override 'reps': -1"):
            SessionTimer("bridge", reps=-1)

    def test_a_routine_takes_no_overrides(self):
        with pytest.raises(RoutineError, match="not to a ready-made Routine"):
            SessionTimer(build_routine("bridge"), reps=3)


class TestRunning:
    def test_start_counts_down_through_the_phases(self):
        timer, clock = make()
        timer.view.pain_before.value = 2
        timer.view.start_button.click()
        assert timer.state == "running"
        assert not shown(timer.view.before_box) and not shown(timer.view.safety_box)
        assert timer.view.start_button.disabled and not timer.view.pause_button.disabled
        (event,) = timer.events
        assert (event["action"], event["at"]) == ("start", 500.0)

        s = at(timer, clock, 1.6)  # 0.6 s into rep 1 of the left leg
        assert timer.phase_text == "Hold - left leg - rep 1 of 2"
        assert timer.countdown_text == "0:02"
        assert s.phase.kind == "hold" and s.phase_progress == pytest.approx(0.3)
        at(timer, clock, 3.2)
        assert timer.phase_text == "Rest - left leg"
        at(timer, clock, 6.5)
        assert timer.phase_text == "Switch to the right leg"

    def test_the_face_gets_the_whole_routine_once(self):
        timer, _ = make()
        data = timer.view.face.routine
        assert data == face_payload(timer.routine)
        phases = data["phases"]
        assert [p["kind"] for p in phases] == [p.kind for p in timer.routine.phases]
        assert phases[0]["heading"] == "Single knee to chest"
        assert phases[0]["say"].startswith("Single knee to chest. Lie on your back")
        assert phases[1]["next"] == "Next: Rest - left leg (0:01)"
        assert phases[1]["counters"] == [["Set", "1 of 1"], ["Rep", "1 of 2"], ["Side", "left leg"]]
        assert [p["say"] for p in phases][-1] == "Well done"
        assert set(data["poses"]) == {p["pose"] for p in phases if p["pose"]}
        assert all("var(--bk-pose-near)" in svg for svg in data["poses"].values())
        assert data["emergency"]["signs"] == list(safety.rules()["emergency"]["signs"])

    def test_the_sound_setting_is_a_trait_of_the_face(self):
        assert make()[0].view.face.sound == "voice"
        assert make(muted=True)[0].view.face.sound == "off"
        timer, _ = make(sound="beeps")
        assert timer.view.sound == "beeps"
        timer.view.face.sound = "shout"
        assert timer.view.face.sound == "voice"

    def test_pause_freezes_and_resume_continues(self):
        timer, clock = make()
        timer.view.start_button.click()
        at(timer, clock, 1.5)
        timer.view.pause_button.click()
        assert timer.state == "paused" and timer.view.pause_button.description == "▶ Resume"
        assert timer.phase_text == "Hold - left leg - rep 1 of 2 (paused)"
        frozen = timer.countdown_text
        at(timer, clock, 60)
        assert timer.countdown_text == frozen
        timer.view.pause_button.click()
        assert timer.state == "running" and timer.view.pause_button.description == "❚❚ Pause"
        s = at(timer, clock, 60.4)
        assert s.phase.kind == "hold" and s.remaining == pytest.approx(1.1)
        assert [e["action"] for e in timer.events] == ["start", "pause", "resume"]

    def test_skip_moves_on_at_once(self):
        timer, _ = make()
        timer.view.start_button.click()
        timer.view.skip_button.click()
        assert timer.phase_text == "Hold - left leg - rep 1 of 2"
        assert timer.countdown_text == "0:02"

    def test_finishing_asks_for_pain_after_and_saves_completed_rows(self):
        timer, clock = make()
        timer.view.pain_before.value = 3
        timer.view.start_button.click()
        at(timer, clock, 12)
        assert timer.state == "finished" and timer.phase_text == "Done - well done!"
        assert timer.countdown_text == "0:00"
        assert shown(timer.view.after_box) and timer.view.stop_button.disabled
        timer.view.pain_after.value = 2
        timer.view.notes.value = "felt loose"
        timer.view.save_button.click()
        df = timer.records
        assert list(df["side"]) == ["left", "right"]
        assert list(df["status"]) == ["completed", "completed"]
        assert list(df["reps_done"]) == [2, 2] and list(df["hold_s_done"]) == [2.0, 2.0]
        assert list(df["pain_before"]) == [3, 3] and list(df["pain_after"]) == [2, 2]
        assert list(df["notes"]) == ["felt loose"] * 2
        assert df["session_id"].nunique() == 1 and str(df["started_at"].dtype).startswith(
            "datetime64[ns"
        )
        assert (df["source"] == "timer").all()
        # what was done, in words: no "rows", no database talk
        assert "Saved to your log. Single knee to chest done: 4 of 4 repetitions." in (
            timer.view.message.value
        )
        assert "row" not in timer.view.message.value
        # no log given: the person's own log, opened at Save
        stored = SessionLog().frame()
        assert list(stored["session_id"]) == list(df["session_id"])
        assert timer.view.save_button.disabled and timer.view.save_button.description == "✓ Saved"
        assert timer.view.output.outputs == ()

    def test_stopped_early_is_saved_as_partial(self, tmp_path, screen):
        log = screen(SessionLog(tmp_path / "log.sqlite"))
        timer, clock = make(log=log)
        timer.view.start_button.click()
        at(timer, clock, 3.5)  # left rep 1 done, resting
        timer.view.stop_button.click()
        assert timer.state == "finished"
        assert timer.phase_text == "Stopped during: Rest - left leg"
        assert shown(timer.view.after_box)
        timer.view.skip_rating_button.click()
        assert "Saved to your log. Single knee to chest: 1 of 4 repetitions done." in (
            timer.view.message.value
        )
        log.close()
        df = SessionLog(tmp_path / "log.sqlite").frame()  # reopened from disk
        assert list(zip(df["side"], df["reps_done"], df["status"], strict=True)) == [
            ("left", 1, "partial"),
            ("right", 0, "partial"),
        ]
        assert df["notes"].iloc[0] == "[timer: stopped early; 1 of 2 reps done]"
        assert len(timer.records) == 2

    @pytest.mark.parametrize(("before", "after"), [(2, 4), (1, 7), (3, 3)])
    def test_pain_advice_after_saving(self, before, after):
        timer, clock = make()
        timer.view.pain_before.value = before
        timer.view.start_button.click()
        at(timer, clock, 12)
        timer.view.pain_after.value = after
        timer.view.save_button.click()
        advice = safety.check_pain(before, after)
        if advice is None:
            assert (
                "Reduce:" not in timer.view.message.value
                and "Stop:" not in timer.view.message.value
            )
        else:
            assert f"{advice.level.title()}:</b>" in timer.view.message.value
            assert advice.message.split(".")[0] in timer.view.message.value

    def test_a_log_that_refuses_the_rows_leaves_save_enabled(self, tmp_path, screen):
        log = screen(SessionLog(tmp_path / "log.sqlite"))
        timer, clock = make(log=log)
        timer.view.start_button.click()
        at(timer, clock, 12)
        timer.view.notes.value = "x" * 5000  # longer than the log accepts
        timer.view.skip_rating_button.click()
        assert "Not saved:" in timer.view.message.value and "notes" in timer.view.message.value
        assert not timer.view.save_button.disabled and len(log) == 0
        timer.view.notes.value = "ok"
        timer.view.skip_rating_button.click()
        assert len(log) == 2

    def test_errors_in_callbacks_are_shown_not_lost(self, tmp_path, screen):
        class BrokenLog(SessionLog):
            def record_many(self, rows):
                raise RuntimeError("disk on fire")

        timer, clock = make(log=screen(BrokenLog(tmp_path / "log.sqlite")))
        timer.view.start_button.click()
        at(timer, clock, 12)
        timer.view.skip_rating_button.click()  # must not raise out of the callback
        (out,) = timer.view.output.outputs
        assert out["name"] == "stderr" and "RuntimeError: disk on fire" in out["text"]

    def test_a_log_is_a_session_log_or_a_path(self, tmp_path, screen):
        with pytest.raises(LogError, match="log: dict is not a SessionLog; give a SessionLog"):
            SessionTimer("bridge", {})
        timer, clock = make(log=tmp_path / "given.sqlite")
        assert not (tmp_path / "given.sqlite").exists()  # showing a timer writes nothing
        screen(tmp_path / "given.sqlite")  # answered in another cell: Start reads the gate again
        timer.view.start_button.click()
        at(timer, clock, 12)
        timer.view.skip_rating_button.click()
        assert len(SessionLog(tmp_path / "given.sqlite")) == 2

    def test_a_file_that_is_not_a_log_is_not_saved_to(self, tmp_path, screen):
        path = tmp_path / "notes.sqlite"
        path.write_text("not a database")
        timer, _ = make(log=path)
        assert not timer.gate.open and "notes.sqlite" in timer.gate.reason
        with pytest.raises(SafetyGateError, match=r"notes\.sqlite: is not an SQLite database"):
            timer.start()
        assert timer.state == "ready" and path.read_text() == "not a database"

    def test_the_session_id_is_the_logs_kind(self, monkeypatch):
        monkeypatch.setenv("BACKKIT_TZ", "Europe/London")
        start = dt.datetime(2025, 3, 3, 8, 0, 30, tzinfo=dt.timezone.utc)
        timer = SessionTimer("bridge", clock=FakeClock(), wallclock=lambda: start)
        timer.view.start_button.click()
        assert re.fullmatch(r"20250303-0800-[0-9a-f]{6}", timer.session_id)

    def test_two_timers_are_independent(self):
        a, clock = make()
        b = SessionTimer("bridge", clock=clock, sets=1, reps=1, hold_seconds=5, prepare_seconds=10)
        a.view.start_button.click()
        clock.t += 2
        b.view.start_button.click()
        a.view.pause_button.click()
        clock.t += 3
        a.refresh(), b.refresh()
        assert (a.state, b.state) == ("paused", "running")
        assert a.phase_text.startswith("Hold - left leg - rep 1 of 2")
        assert b.phase_text == "Get ready" and b.countdown_text == "0:07"

    def test_a_chained_routine_runs_exercise_after_exercise(self):
        r = Routine.chain(
            [
                build_routine("bridge", sets=1, reps=1, hold_seconds=2, prepare_seconds=1),
                build_routine("squat", sets=1, reps=1, prepare_seconds=1),
            ],
            rest_seconds=3,
        )
        clock = FakeClock()
        timer = SessionTimer(r, clock=clock)
        assert "Bridge and Bodyweight squat" in timer.view.title.value
        timer.view.start_button.click()
        at(timer, clock, 4)
        assert timer.phase_text == "Get ready"
        at(timer, clock, r.total_seconds)
        timer.view.skip_rating_button.click()
        assert list(timer.records["exercise_id"]) == ["bridge", "squat"]


def test_for_plan_runs_the_day_of_a_plan():
    plan_mod = pytest.importorskip("backkit.plan", reason="backkit.plan is not written yet")
    plan = plan_mod.Plan.default()
    timer = SessionTimer.for_plan(plan, plan.start, clock=FakeClock())
    assert timer.routine.exercise_ids == tuple(i.exercise_id for i in plan.due_on(plan.start))
    assert timer.plan_id == plan.id


# --------------------------------------------------------------------------
# The real event loop


def test_the_ticker_drives_an_engine_on_a_real_loop_and_leaves_it_free():
    """The kernel-side ticker (kept for scripts and the benchmark) beside other work."""
    from backkit.routine import Engine

    found = {}

    async def main():
        engine = Engine(build_routine("bridge", sets=1, reps=2, hold_seconds=0.4,
                                      rest_seconds=0.2, prepare_seconds=0.2))  # fmt: skip
        ticker = Ticker(engine, lambda entered, now: None, tick=0.05)
        t0 = time.monotonic()
        engine.start()
        ticker.start()
        beats = 0
        while not ticker.task.done():
            await asyncio.sleep(0.01)
            beats += 1
        found.update(elapsed=time.monotonic() - t0, beats=beats, ticks=ticker.ticks,
                     completed=engine.status().completed)  # fmt: skip

    asyncio.run(main())
    assert found["completed"] and 1.2 <= found["elapsed"] < 1.5
    assert found["ticks"] / 1.2 >= 5 and found["beats"] > 50


def test_run_drives_a_timer_in_a_script_without_a_browser():
    timer = SessionTimer("bridge", sets=1, reps=1, hold_seconds=0.3, prepare_seconds=0.1)
    t0 = time.monotonic()
    status = asyncio.run(timer.run())
    assert status.completed and 0.38 <= time.monotonic() - t0 < 0.8
    timer.view.skip_rating_button.click()
    assert list(timer.records["status"]) == ["completed"]


def test_ticker_rejects_a_bad_tick():
    with pytest.raises(RoutineError, match="'tick' must be a positive number of seconds, got 0"):
        Ticker(SessionTimer("bridge").engine, lambda *a: None, tick=0)
    with pytest.raises(RoutineError, match="'tick' must be a positive number of seconds"):
        SessionTimer("bridge", tick=-1)


def test_for_plan_on_a_day_with_nothing_due_says_so():
    from backkit.plan import Plan

    plan = Plan("Mondays", items=["bridge"], weekdays=["mon"], start=dt.date(2025, 3, 3))
    with pytest.raises(RoutineError, match="'Mondays' prescribes nothing on 2025-03-04"):
        SessionTimer.for_plan(plan, dt.date(2025, 3, 4))


def test_for_plan_takes_today_from_the_kit(monkeypatch):
    from backkit import config
    from backkit.plan import Plan

    plan = Plan("Mondays", items=["bridge"], weekdays=["mon"], start=dt.date(2025, 3, 3))
    monkeypatch.setattr(config, "today", lambda: dt.date(2025, 3, 10))  # a Monday
    assert SessionTimer.for_plan(plan).routine.exercise_ids == ("bridge",)
    monkeypatch.setattr(config, "today", lambda: dt.date(2025, 3, 11))
    with pytest.raises(RoutineError, match="nothing on 2025-03-11"):
        SessionTimer.for_plan(plan)


def test_the_view_only_draws_what_it_is_given():
    from backkit.routine import Engine
    from backkit.widgets.timer_view import TimerView

    r = build_routine("bridge", sets=1, reps=1, hold_seconds=5, prepare_seconds=2)
    clock = FakeClock()
    engine = Engine(r, clock=clock)
    view = TimerView(r)
    engine.start()
    clock.t += 3
    view.draw(engine.status())
    assert view.phase_text == "Hold - rep 1 of 1" and view.countdown_text == "0:04"
    assert view.start_button.disabled and not shown(view.before_box)
    view.start_button.click()  # nobody listens: nothing happens, nothing breaks
    assert view.output.outputs == ()


def test_the_style_sheet_is_shipped_and_shown_once_per_widget():
    from importlib import resources

    css = (resources.files("backkit.widgets") / "backkit.css").read_text()
    assert ".bk-timer-title" in css
    face_css = (resources.files("backkit.widgets") / "timer.css").read_text()
    assert re.search(r"\.bk-face \.bk-countdown\s*{[^}]*font-size:\s*84px", face_css)
    assert "var(--jp-ui-font-color0" in face_css and "var(--jp-layout-color0" in face_css
    timer, _ = make()
    styles = [w for w in timer.view.children if "bk-style" in w._dom_classes]
    assert len(styles) == 1 and css in styles[0].value


def test_the_views_controls_answer_on_the_timer_too():
    timer, clock = make()
    assert timer.save_button is timer.view.save_button and timer.notes is timer.view.notes
    timer.pain_before.value = 3
    timer.start_button.click()
    at(timer, clock, 12)
    timer.skip_rating_button.click()
    assert "Saved to your log." in timer.message.value
    with pytest.raises(AttributeError, match="no attribute 'phase_bar'"):
        timer.phase_bar  # drawing details stay the view's  # noqa: B018


# --------------------------------------------------------------------------
# Ratings on purpose


class TestRatings:
    def finished(self, **kw):
        timer, clock = make(**kw)
        timer.view.start_button.click()
        at(timer, clock, 12)
        return timer

    def test_save_asks_for_ratings_not_given(self):
        timer = self.finished()
        assert timer.view.save_button.click() is None and timer.records.empty
        text = timer.view.message.value
        assert "Not rated yet: pain before the session, pain now" in text
        assert "never as 0" in text and shown(timer.view.skip_rating_button)
        timer.view.pain_before.value = 0
        timer.view.pain_after.value = 1
        timer.view.save_button.click()
        assert list(timer.records["pain_before"]) == [0, 0]
        assert list(timer.records["pain_after"]) == [1, 1]

    def test_an_explicit_skip_stores_missing_never_zero(self, tmp_path, screen):
        log = screen(SessionLog(tmp_path / "log.sqlite"))
        timer = self.finished(log=log)
        timer.view.pain_after.value = 4
        timer.view.skip_rating_button.click()
        df = log.frame()
        assert df["pain_before"].isna().all() and list(df["pain_after"]) == [4, 4]

    def test_rate_each_exercise_puts_each_rating_on_its_bouts(self):
        r = Routine.chain([build_routine("bridge", sets=1, reps=1, hold_seconds=2,
                                         prepare_seconds=1),
                           build_routine("squat", sets=1, reps=1, prepare_seconds=1)],
                          rest_seconds=2)  # fmt: skip
        clock = FakeClock()
        timer = SessionTimer(r, clock=clock)
        timer.view.rate_each.value = True
        timer.view.pain_before.value = 2
        timer.view.start_button.click()
        at(timer, clock, r.total_seconds)
        assert shown(timer.view.exercise_box)
        timer.view.pain_after.value = 3
        timer.view.exercise_pain["bridge"].value = 1
        timer.view.save_button.click()
        assert "pain during Bodyweight squat" in timer.view.message.value
        timer.view.exercise_pain["squat"].value = 5
        timer.view.save_button.click()
        assert list(timer.records["pain_after"]) == [1, 5]

    def test_stopping_early_marks_the_rest_not_started_without_pain(self, tmp_path, screen):
        r = Routine.chain([build_routine("bridge", sets=1, reps=1, hold_seconds=2,
                                         prepare_seconds=1),
                           build_routine("knee-to-chest", reps=1)], rest_seconds=2)  # fmt: skip
        clock = FakeClock()
        log = screen(SessionLog(tmp_path / "log.sqlite"))
        timer = SessionTimer(r, log, clock=clock)
        timer.view.pain_before.value = 2
        timer.view.pain_after.value = 2
        timer.view.start_button.click()
        at(timer, clock, 4)
        timer.view.stop_button.click()
        timer.view.save_button.click()
        df = log.frame()
        assert list(df["exercise_id"]) == ["bridge", "knee-to-chest", "knee-to-chest"]
        # the rating was of the whole session: no exercise gets an effect it did not have
        assert df["pain_before"].isna().all() and df["pain_after"].isna().all()
        assert list(df["session_pain_after"]) == [2, 2, 2]
        assert df["notes"].iloc[1] == "[timer: not started; the session was stopped early]"

    def test_a_whole_session_rating_is_stored_on_the_session(self, tmp_path, screen):
        r = Routine.chain([build_routine("bridge", sets=1, reps=1, hold_seconds=1),
                           build_routine("squat", sets=1, reps=1)], rest_seconds=1)  # fmt: skip
        clock = FakeClock()
        log = screen(SessionLog(tmp_path / "log.sqlite"))
        timer = SessionTimer(r, log, clock=clock)
        timer.view.pain_before.value = 3
        timer.view.start_button.click()
        at(timer, clock, 60)
        timer.view.pain_after.value = 4
        timer.view.save_button.click()
        df = log.frame()
        assert df["pain_before"].isna().all()  # bouts hold only per-exercise ratings
        assert set(df["session_pain_before"]) == {3} and set(df["session_pain_after"]) == {4}
        ratings = log.session_ratings()
        assert len(ratings) == 1

    def test_one_exercise_rated_before_and_after_is_that_exercises_rating(self, tmp_path, screen):
        log = screen(SessionLog(tmp_path / "log.sqlite"))
        timer = self.finished(log=log)
        timer.view.pain_before.value = 3
        timer.view.pain_after.value = 4
        timer.view.save_button.click()
        df = log.frame()
        assert set(df["exercise_id"]) == {"knee-to-chest"}
        assert list(df["pain_before"]) == [3, 3] and list(df["pain_after"]) == [4, 4]
        assert df["session_pain_before"].isna().all()


def test_skipping_every_step_is_not_praised(screen):
    timer, _ = make()
    timer.view.start_button.click()
    while timer.state != "finished":
        timer.view.skip_button.click()
    assert timer.phase_text == "Finished: nothing was done"
    timer.view.skip_rating_button.click()
    assert "Nothing was done: 0 of 4 repetitions (every step was skipped)." in (
        timer.view.message.value
    )
    assert "well done" not in timer.view.message.value.lower()


def test_back_from_the_view_redoes_the_step(screen):
    timer, clock = make()
    timer.view.start_button.click()
    at(timer, clock, 1.2)  # holding, left rep 1
    timer.view.skip_button.click()  # by mistake: now resting
    assert timer.engine.phase.kind == "rest"
    timer.view.back_button.click()
    assert timer.engine.phase.kind == "hold" and timer.engine.phase.rep == 1
    assert [e["action"] for e in timer.events][-2:] == ["skip", "back"]


def test_the_emergency_signs_show_open_before_the_first_session(tmp_path, screen):
    first = SessionTimer("bridge", tmp_path / "new.sqlite")
    assert "<details class='bk-emergency' open>" in first.view.safety_box.value
    for sign in safety.rules()["emergency"]["signs"]:
        assert sign.replace("'", "&#x27;") in first.view.safety_box.value
    log = screen(SessionLog(tmp_path / "used.sqlite"))
    timer, clock = make(log=log)
    timer.view.start_button.click()
    at(timer, clock, 12)
    timer.view.skip_rating_button.click()
    later = SessionTimer("bridge", log)
    assert "<details class='bk-emergency'>" in later.view.safety_box.value


# --------------------------------------------------------------------------
# Events from the browser


def browser_events(t0, *pairs):
    """Events as the page sends them: seconds since the epoch, no 'wall'."""
    return [{"n": i, "action": a, "at": t0 + dt_} for i, (a, dt_) in enumerate(pairs)]


def test_events_from_the_browser_are_recorded_with_their_own_times():
    timer, _ = make()
    t0 = 1_750_000_000.0
    # Sent while the kernel was busy: they arrive late, all at once, and keep their times.
    timer.view.face.events = browser_events(t0, ("start", 0), ("phase", 1), ("pause", 2),
                                            ("resume", 7), ("stop", 8))  # fmt: skip
    assert timer.state == "finished" and timer.engine.stopped_early
    timer.view.skip_rating_button.click()
    df = timer.records
    start = config.at(t0)
    assert df["started_at"].iloc[0] == start + dt.timedelta(seconds=1)  # the first hold
    assert df["ended_at"].iloc[0] == start + dt.timedelta(seconds=8)
    assert df["hold_s_done"].iloc[0] == pytest.approx(2.0)  # the pause is not counted
    # the session id is named after the local day (the kit's zone), not UTC's
    local = start.astimezone(config.kit_timezone())
    assert df["session_id"].iloc[0].startswith(local.strftime("%Y%m%d-%H%M"))


def test_replaying_the_same_events_gives_the_same_engine():
    r = build_routine("bridge", sets=1, reps=2, hold_seconds=5, prepare_seconds=2)
    events = browser_events(1.7e9, ("start", 0), ("skip", 1), ("pause", 3), ("resume", 10))
    a = replay_events(r, events, clock=lambda: 1.7e9 + 12)
    b = replay_events(r, [*events, {"junk": True}, {"action": "start", "at": "x"}],
                      clock=lambda: 1.7e9 + 12)  # fmt: skip
    assert a.status() == b.status() and a.status().phase.label == "Hold - rep 1 of 2"
    assert a.status().remaining == pytest.approx(1.0)


def test_a_natural_end_reported_late_ends_at_the_planned_time():
    timer, _ = make()
    t0 = 1_750_000_000.0
    timer.view.face.events = browser_events(t0, ("start", 0), ("end", 12.0))
    assert timer.state == "finished" and timer.engine.status().completed
    rows = timer.engine.log_rows()
    assert rows[-1]["ended_at"] == config.at(t0 + 12)


def test_one_numbering_the_list_the_chooser_the_timer_and_the_voice():
    # backkit issue 26: the list said "5. Long-sitting..." while the timer said "Exercise 4 of 5".
    import datetime as dt

    import backkit
    from backkit.routine import exercise_heading, spoken_cues
    from backkit.widgets.app import App, instructions_html, todays_list_html

    plan = backkit.Plan.default(start=dt.date(2026, 12, 7))
    tuesday = dt.date(2026, 12, 8)  # five stretches due
    log = backkit.SessionLog(":memory:")
    ex = backkit.get_exercise("long-sitting-hamstring-stretch")
    assert ex.number == 5  # its number in the catalogue
    listed = todays_list_html(plan, log, tuesday)
    assert f"<td>4. {ex.name}</td>" in listed and f"5. {ex.name}" not in listed
    app = App(log, plan, day=tuesday)
    labels = [label for label, _ in app.choice.options]
    assert any(label.startswith(f"4. {ex.name} (") for label in labels), labels
    session = backkit.routine.for_plan(plan, tuesday)  # the app's whole session
    assert session is not None
    phase = next(p for p in session.phases if p.exercise_id == ex.id)
    assert exercise_heading(session, phase) == f"Exercise 4 of 5: {ex.name}"
    assert spoken_cues(session)[phase.index].startswith(f"Exercise 4 of 5: {ex.name}.")
    assert f"<b>4. {ex.name}</b>" in instructions_html(ex.id, folded=True, number=4)


class TestLeftBehind:
    """A session a closed page left: the page sends its events back, Python saves them."""

    def test_the_page_keeps_its_copy_under_a_key_of_the_log_plan_and_routine(self, tmp_path):
        a, _ = make(log=tmp_path / "a.sqlite", plan_id="p1")
        b, _ = make(log=tmp_path / "a.sqlite", plan_id="p1")
        c, _ = make(log=tmp_path / "b.sqlite", plan_id="p1")
        d, _ = make(log=SessionLog(":memory:"))
        keys = [t.view.face.journal["key"] for t in (a, b, c)]
        assert keys[0] == keys[1] != keys[2] and keys[0].startswith("backkit.session/")
        assert str(tmp_path) not in keys[0] and "p1" not in keys[0]
        assert d.view.face.journal == {"key": ""}  # nothing to come back to

    def test_save_what_you_did_stores_the_page_s_times_through_save(self, tmp_path, screen):
        path = screen(tmp_path / "log.sqlite")
        timer, _ = make(log=path, plan_id="p1")
        face = timer.view.face
        t0 = 1_765_000_000.0  # the page's clock: the first hold ran 1-3 s, the rest 3-4 s
        face.events = [
            {"n": 0, "action": "start", "at": t0, "index": 0},
            {"n": 1, "action": "phase", "at": t0 + 1, "index": 1},
            {"n": 2, "action": "phase", "at": t0 + 3, "index": 2},
            {"n": 3, "action": "stop", "at": t0 + 3.5, "index": 2, "lost": True},
            {"n": 4, "action": "save", "at": t0 + 600, "index": 2},
        ]
        rows = timer.saved_rows
        assert len(rows) == 2 and face.settled
        left = next(r for r in rows if r["side"] == "left")
        assert left["started_at"] == config.at(t0 + 1)
        assert left["ended_at"] == config.at(t0 + 3)
        assert (left["reps_done"], left["status"]) == (1, "partial")
        assert left["pain_before"] is None and left["pain_after"] is None  # never asked: not 0
        said = "1 of 1 exercise had something done; pain was not rated"
        assert timer.view.message.value.count(said) == 1
        with SessionLog(path) as stored:
            assert len(stored) == 2
        timer.reopen()  # undone: unsaved again, the page keeps its copy again
        assert not face.settled
        timer.discard()
        assert face.settled

    def test_a_save_event_before_the_end_saves_nothing(self, tmp_path, screen):
        timer, _ = make(log=screen(tmp_path / "log.sqlite"))
        t0 = 1_765_000_000.0
        timer.view.face.events = [
            {"n": 0, "action": "start", "at": t0},
            {"n": 1, "action": "save", "at": t0 + 1},
        ]  # a session still running (the fake clock is far behind): nothing to save yet
        assert timer.saved_rows == [] and not timer.view.face.settled


def test_the_app_follows_a_left_behind_choice_once(tmp_path, screen):
    import datetime as dt

    import backkit
    from backkit.widgets.app import App

    plan = backkit.Plan.default(start=dt.date(2026, 12, 7))
    app = App(screen(SessionLog(tmp_path / "log.sqlite")), plan, day=dt.date(2026, 12, 7))
    assert app.choice.value == "session" and app.timer is not None
    assert app.timer.view.face.journal["choice"] == "session"  # kept with the page's copy
    app.timer.view.face.elsewhere = {"choice": "bridge", "title": "Bridge"}
    assert app.choice.value == "bridge" and app.timer.routine.exercise_ids == ("bridge",)
    app.choice.value = "session"  # the person's own choice afterwards stays
    app.timer.view.face.elsewhere = {"choice": "squat", "title": "Bodyweight squat"}
    assert app.choice.value == "session"


class TestGetReadyDemo:
    """Getting ready shows the first movement: the start pose and the next, each sent once."""

    def test_only_get_ready_phases_carry_the_first_movement(self):
        from backkit import poses
        from backkit.routine import Routine

        r = Routine.chain(
            [
                build_routine("bridge", sets=2, reps=2, hold_seconds=5),
                build_routine("double-knee-to-chest", sets=1, reps=2, hold_seconds=5),
            ]
        )
        data = face_payload(r)
        phases = data["phases"]
        demos = [(p["kind"], p["exercise"], p["demo"]) for p in phases if p["demo"]]
        assert [kind for kind, _, _ in demos] == ["prepare", "prepare"]
        assert {p["kind"] for p in phases if not p["demo"]} >= {"hold", "rest", "done"}
        for _, ex_id, demo in demos:
            # the start, then the pose after it: one knee before both, as taught
            names = poses.pose_names(ex_id)
            assert demo == [f"{ex_id}/{names[0]}", f"{ex_id}/{names[1]}"]
            assert all(data["poses"][k].startswith("<svg") for k in demo)
        assert demos[0][2] == ["bridge/start", "bridge/end"]
        assert demos[1][2] == ["double-knee-to-chest/start", "double-knee-to-chest/one-knee"]
        # the demo's first drawing is the still pose getting ready showed before
        assert all(p["demo"][0] == p["pose"] for p in phases if p["demo"])

    def test_no_drawing_is_sent_twice(self):
        import json

        data = face_payload(build_routine("bridge", sets=1, reps=1, hold_seconds=5))
        still = {p["pose"] for p in data["phases"] if p["pose"]}
        shown = still | {k for p in data["phases"] for k in p["demo"] or []}
        assert set(data["poses"]) == shown == still
        text = json.dumps(data)
        assert text.count('class=\\"bk-pose-svg\\"') == len(data["poses"]) == 2

    def test_every_exercise_shows_a_movement_while_getting_ready(self):
        from backkit.exercises import exercise_ids

        for ex_id in exercise_ids():
            data = face_payload(build_routine(ex_id, sets=1, reps=1))
            first, later = data["phases"][0], data["phases"][1:]
            assert first["kind"] == "prepare" and first["demo"], ex_id
            start, end = (data["poses"][k] for k in first["demo"])
            assert start != end, ex_id  # two different drawings, not one shown twice
            assert not any(p["demo"] for p in later), ex_id


class TestPythonJournal:
    """Python's copy of an unsaved session (backkit.journal): made as events arrive, offered
    by the next timer of the same log, plan and routine, gone once saved or thrown away."""

    T0 = 1_765_000_000.0  # the page's clock

    def page_events(self, upto: int = 3) -> list[dict]:
        t0 = self.T0
        events = [
            {"n": 0, "action": "start", "at": t0, "index": 0, "wall": "2025-12-06T05:46:40+00:00"},
            {"n": 1, "action": "phase", "at": t0 + 1, "index": 1},
            {"n": 2, "action": "phase", "at": t0 + 3, "index": 2},
        ]
        return events[:upto]

    def test_events_arriving_keep_the_journal_and_save_removes_it(self, tmp_path, screen):
        import os
        import stat

        from backkit import journal

        timer, _ = make(log=screen(tmp_path / "log.sqlite"), plan_id="p1")
        key = timer.view.face.journal["key"]
        assert journal.read(key) is None  # shown, nothing started: nothing kept
        timer.view.face.events = self.page_events(1)
        timer.view.face.events = self.page_events(3)
        copy = journal.read(key)
        assert copy["events"] == self.page_events(3) and copy["alive"] == self.T0 + 3
        assert copy["title"] == timer.routine.title
        path = journal.path_for(key)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        timer.view.face.append("stop", self.T0 + 3.5, index=2)
        assert journal.read(key)["events"] == timer.events
        assert timer.save(skip_ratings=True) and timer.view.face.settled
        assert not path.exists()
        timer.reopen()  # the save undone: unsaved again, so kept again
        assert journal.read(key)["events"] == timer.events
        timer.discard()
        assert not path.exists()
        timer.view.face.append("phase", self.T0 + 900, index=3)  # settled: nothing kept
        assert not path.exists()

    def test_the_next_timer_offers_the_copy_and_save_what_you_did_stores_its_times(
        self, tmp_path, screen
    ):
        from backkit import journal

        path = screen(tmp_path / "log.sqlite")
        first, _ = make(log=path, plan_id="p1")
        first.view.face.events = self.page_events(3)
        kept = journal.path_for(first.view.face.journal["key"])
        before = (kept.read_bytes(), kept.stat().st_mtime_ns)
        # a new kernel: the browser's storage may be gone, Python's copy is not
        timer, _ = make(log=path, plan_id="p1")
        face = timer.view.face
        assert face.journal["copy"]["events"] == self.page_events(3)
        assert (kept.read_bytes(), kept.stat().st_mtime_ns) == before  # reading wrote nothing
        other, _ = make(log=path, plan_id="p2")
        assert "copy" not in other.view.face.journal  # another plan's page
        # what the page sends on "Save what you did": the copy, stopped when it was lost
        face.events = [
            *face.journal["copy"]["events"],
            {"n": 3, "action": "stop", "at": self.T0 + 3, "index": 2, "lost": True},
            {"n": 4, "action": "save", "at": self.T0 + 600, "index": 2},
        ]
        left = next(r for r in timer.saved_rows if r["side"] == "left")
        wall = dt.datetime(2025, 12, 6, 5, 46, 40, tzinfo=dt.timezone.utc)  # the start's "wall"
        assert left["started_at"] == wall + dt.timedelta(seconds=1)
        assert left["ended_at"] == wall + dt.timedelta(seconds=3)
        assert face.settled and not kept.exists()

    def test_the_page_s_discard_removes_the_same_session_only(self, tmp_path, screen):
        from backkit import journal

        path = screen(tmp_path / "log.sqlite")
        first, _ = make(log=path)
        first.view.face.events = self.page_events(2)
        timer, _ = make(log=path)
        face = timer.view.face
        kept = journal.path_for(face.journal["key"])
        assert face.journal["copy"]["events"] == self.page_events(2)
        rest = {k: v for k, v in face.journal.items() if k != "copy"}  # as the page sends it
        face.journal = {**rest, "dropped": self.T0 - 60}  # another session's start
        assert kept.exists()
        face.journal = {**rest, "dropped": self.T0}
        assert not kept.exists()

    def test_a_journal_edited_by_hand_is_not_offered_and_says_so(self, tmp_path, screen):
        from backkit import journal

        path = screen(tmp_path / "log.sqlite")
        first, _ = make(log=path)
        first.view.face.events = self.page_events(2)
        kept = journal.path_for(first.view.face.journal["key"])
        text = kept.read_text().replace('"phase"', '"dance"')
        kept.write_text(text)
        timer, _ = make(log=path)
        assert "copy" not in timer.view.face.journal
        said = "".join(o.get("text", "") for o in timer.view.output.outputs)
        assert "was not offered" in said and "'dance'" in said and str(kept) in said
        assert kept.read_text() == text
        timer.start()  # the timer works as ever
        assert timer.state == "running"

    def test_a_journal_that_cannot_be_written_does_not_stop_the_session(self, tmp_path, screen):
        from backkit import journal

        timer, _ = make(log=screen(tmp_path / "log.sqlite"))
        journal.path_for(timer.view.face.journal["key"]).mkdir(parents=True)  # where the file goes
        timer.view.face.events = self.page_events(3)
        timer.view.face.append("stop", self.T0 + 3.5, index=2)
        assert timer.state == "finished" and len(timer.events) == 4
        assert timer.view.output.outputs == ()  # nothing scary said
        assert len(timer.save(skip_ratings=True)) == 2


def test_the_app_finds_python_s_copy_of_another_routine_and_offers_it(tmp_path, screen):
    import backkit
    from backkit.widgets.app import App

    plan = backkit.Plan.default(start=dt.date(2026, 12, 7))
    log = screen(SessionLog(tmp_path / "log.sqlite"))
    first = App(log, plan, day=dt.date(2026, 12, 7))
    first.choice.value = "bridge"
    t0 = 1_765_000_000.0
    events = [{"n": 0, "action": "start", "at": t0, "index": 0},
              {"n": 1, "action": "phase", "at": t0 + 5, "index": 1}]  # fmt: skip
    first.timer.view.face.events = events
    # a new kernel and a browser with no storage: the app opens on the whole session
    app = App(log, plan, day=dt.date(2026, 12, 7))
    face = app.timer.view.face
    assert app.choice.value == "session" and "copy" not in face.journal
    other = face.journal["other"]
    assert (other["choice"], other["start"], other["alive"]) == ("bridge", t0, t0 + 5)
    assert other["title"] == first.timer.routine.title
    face.elsewhere = {"choice": other["choice"], "title": other["title"]}  # what the page does
    assert app.choice.value == "bridge"
    assert app.timer.view.face.journal["copy"]["events"] == events
