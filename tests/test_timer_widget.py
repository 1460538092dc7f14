"""The SessionTimer widget, driven headless: buttons clicked through the widget API.

Most tests use a fake clock and call ``refresh()`` the way the ticking task
does; two run the real ticking task on a real asyncio event loop.
"""

import asyncio
import time

import pytest

from backkit import safety
from backkit.log import SessionLog
from backkit.routine import Routine, build_routine
from backkit.timer import SessionTimer, Ticker, beep_wav


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
        assert "Single knee to chest" in timer.title.value
        assert "1 set x 2 reps per side, hold 2 s - about 0:12" in timer.title.value
        assert timer.title.value.count("Single knee to chest") == 1
        assert timer.phase_text == "Ready: Get ready - left leg"
        assert timer.countdown_text == "0:01"
        assert "Session 0:00 of 0:12" in timer.session_text.value
        assert shown(timer.before_box) and not shown(timer.after_box)
        assert not timer.start_button.disabled
        assert timer.pause_button.disabled and timer.skip_button.disabled
        assert timer.stop_button.disabled
        assert timer.state == "ready" and timer.beeps == 0

    def test_every_control_has_a_css_class(self):
        timer, _ = make()
        assert {
            "bk-timer",
            "bk-title",
            "bk-phase",
            "bk-countdown",
            "bk-phase-bar",
            "bk-session-bar",
            "bk-counters",
            "bk-next",
            "bk-start",
            "bk-pause",
            "bk-skip",
            "bk-stop",
            "bk-mute",
            "bk-pain-before",
            "bk-pain-after",
            "bk-notes",
            "bk-save",
            "bk-message",
            "bk-errors",
            "bk-audio",
        } <= classes(timer)

    def test_buttons_have_words_not_only_symbols(self):
        timer, _ = make()
        labels = [
            b.description
            for b in (timer.start_button, timer.pause_button, timer.skip_button, timer.stop_button)
        ]
        assert labels == ["▶ Start", "❚❚ Pause", "» Skip", "■ Stop"]
        assert all(b.tooltip for b in (timer.start_button, timer.stop_button, timer.mute_toggle))

    def test_overrides_reach_the_routine(self):
        timer = SessionTimer("bridge", sets=1, reps=3, hold_seconds=4)
        assert [p.seconds for p in timer.routine.phases if p.is_rep] == [4.0] * 3

    def test_bad_override_is_a_clear_error(self):
        with pytest.raises(ValueError, match="override 'reps': -1"):
            SessionTimer("bridge", reps=-1)

    def test_a_routine_takes_no_overrides(self):
        with pytest.raises(TypeError, match="not to a ready-made Routine"):
            SessionTimer(build_routine("bridge"), reps=3)


class TestRunning:
    def test_start_counts_down_through_the_phases(self):
        timer, clock = make()
        timer.pain_before.value = 2
        timer.start_button.click()
        assert timer.state == "running"
        assert not shown(timer.before_box) and timer.pain_before.disabled
        assert timer.start_button.disabled and not timer.pause_button.disabled
        assert timer.beeps == 1  # the cue for "get ready"

        s = at(timer, clock, 1.6)  # 0.6 s into rep 1 of the left leg
        assert timer.phase_text == "Hold - left leg - rep 1 of 2"
        assert timer.countdown_text == "0:02"
        assert "font-size:84px" in timer.countdown.value and "0:02" in timer.countdown.value
        assert timer.phase_bar.value == pytest.approx(0.3)
        assert timer.session_bar.value == pytest.approx(1.6 / 12, abs=1e-3)
        assert "1 of 2" in timer.counters.value and "left leg" in timer.counters.value
        assert "Next: Rest - left leg (0:01)" in timer.next_label.value
        assert timer.phase_bar.style.bar_color == "#1a9850"
        assert s.phase.kind == "hold" and timer.beeps == 2

        at(timer, clock, 3.2)
        assert timer.phase_text == "Rest - left leg"
        assert "1 of 2" in timer.counters.value  # reps behind on this side
        assert timer.phase_bar.style.bar_color == "#2166ac"
        at(timer, clock, 6.5)
        assert timer.phase_text == "Switch to the right leg"
        assert "0 of 2" in timer.counters.value and "right leg" in timer.counters.value
        assert "Next: Hold - right leg - rep 1 of 2" in timer.next_label.value

    def test_beeps_are_short_wavs_played_by_a_new_audio_widget(self):
        timer, clock = make()
        timer.start_button.click()
        (audio,) = timer.audio_box.children
        assert audio.autoplay and not audio.controls and audio.format == "wav"
        assert audio.value[:4] == b"RIFF" and audio.value == beep_wav((660.0,))
        at(timer, clock, 1.2)
        (audio2,) = timer.audio_box.children
        assert audio2 is not audio and audio2.value == beep_wav((880.0,))

    def test_mute(self):
        timer, clock = make()
        timer.mute_toggle.value = True
        assert timer.mute_toggle.description == "♪ Sound off"
        timer.start_button.click()
        at(timer, clock, 4)
        assert timer.beeps == 0 and timer.audio_box.children == ()
        timer.mute_toggle.value = False
        assert timer.mute_toggle.description == "♪ Sound on"
        at(timer, clock, 6.5)  # the switch
        assert timer.beeps == 1

    def test_pause_freezes_and_resume_continues(self):
        timer, clock = make()
        timer.start_button.click()
        at(timer, clock, 1.5)
        timer.pause_button.click()
        assert timer.state == "paused" and timer.pause_button.description == "▶ Resume"
        assert timer.phase_text == "Hold - left leg - rep 1 of 2 (paused)"
        frozen = (timer.countdown_text, timer.phase_bar.value, timer.session_bar.value)
        at(timer, clock, 60)
        assert (timer.countdown_text, timer.phase_bar.value, timer.session_bar.value) == frozen
        timer.pause_button.click()
        assert timer.state == "running" and timer.pause_button.description == "❚❚ Pause"
        s = at(timer, clock, 60.4)
        assert s.phase.kind == "hold" and s.remaining == pytest.approx(1.1)

    def test_skip_moves_on_at_once(self):
        timer, _ = make()
        timer.start_button.click()
        timer.skip_button.click()
        assert timer.phase_text == "Hold - left leg - rep 1 of 2"
        assert timer.countdown_text == "0:02" and timer.beeps == 2

    def test_finishing_asks_for_pain_after_and_saves_completed_rows(self):
        timer, clock = make()
        timer.pain_before.value = 3
        timer.start_button.click()
        at(timer, clock, 12)
        assert timer.state == "finished" and timer.phase_text == "Done - well done!"
        assert timer.countdown_text == "0:00" and timer.session_bar.value == 1.0
        assert "2 of 2" in timer.counters.value
        assert shown(timer.after_box) and timer.stop_button.disabled
        timer.pain_after.value = 2
        timer.notes.value = "felt loose"
        timer.save_button.click()
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
        assert "Saved 2 rows to timer.records (no log given) (completed)" in timer.message.value
        assert timer.save_button.disabled and timer.save_button.description == "✓ Saved"
        assert timer.output.outputs == ()

    def test_stopped_early_is_saved_as_partial(self, tmp_path):
        log = SessionLog(tmp_path / "log.sqlite")
        timer, clock = make(log=log)
        timer.start_button.click()
        at(timer, clock, 3.5)  # left rep 1 done, resting
        timer.stop_button.click()
        assert timer.state == "finished"
        assert timer.phase_text == "Stopped during: Rest - left leg"
        assert shown(timer.after_box)
        timer.save_button.click()
        assert "(partial)" in timer.message.value and "to the log" in timer.message.value
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
        timer.pain_before.value = before
        timer.start_button.click()
        at(timer, clock, 12)
        timer.pain_after.value = after
        timer.save_button.click()
        advice = safety.check_pain(before, after)
        if advice is None:
            assert "Reduce:" not in timer.message.value and "Stop:" not in timer.message.value
        else:
            assert f"{advice.level.title()}:</b>" in timer.message.value
            assert advice.message.split(".")[0] in timer.message.value

    def test_a_log_that_refuses_the_rows_leaves_save_enabled(self, tmp_path):
        log = SessionLog(tmp_path / "log.sqlite")
        timer, clock = make(log=log)
        timer.start_button.click()
        at(timer, clock, 12)
        timer.notes.value = "x" * 5000  # longer than the log accepts
        timer.save_button.click()
        assert "Not saved:" in timer.message.value and "notes" in timer.message.value
        assert not timer.save_button.disabled and len(log) == 0
        timer.notes.value = "ok"
        timer.save_button.click()
        assert len(log) == 2

    def test_errors_in_callbacks_are_shown_not_lost(self):
        class BrokenLog:
            def record_many(self, rows):
                raise RuntimeError("disk on fire")

        timer, clock = make(log=BrokenLog())
        timer.start_button.click()
        at(timer, clock, 12)
        timer.save_button.click()  # must not raise out of the callback
        (out,) = timer.output.outputs
        assert out["name"] == "stderr" and "RuntimeError: disk on fire" in out["text"]

    def test_a_log_with_only_record_gets_one_call_per_row(self):
        class RecordOnly:
            def __init__(self):
                self.rows = []

            def record(self, **fields):
                self.rows.append(fields)
                return fields

        log = RecordOnly()
        timer, clock = make(log=log)
        timer.start_button.click()
        at(timer, clock, 12)
        timer.save_button.click()
        assert [r["side"] for r in log.rows] == ["left", "right"]

    def test_two_timers_are_independent(self):
        a, clock = make()
        b = SessionTimer("bridge", clock=clock, sets=1, reps=1, hold_seconds=5)
        a.start_button.click()
        clock.t += 2
        b.start_button.click()
        a.pause_button.click()
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
        assert "Bridge + Bodyweight squat" in timer.title.value
        timer.start_button.click()
        at(timer, clock, 4)
        assert timer.phase_text == "Get ready" and "Move" in timer.next_label.value
        at(timer, clock, r.total_seconds)
        timer.save_button.click()
        assert list(timer.records["exercise_id"]) == ["bridge", "squat"]


def test_for_plan_runs_the_day_of_a_plan():
    plan_mod = pytest.importorskip("backkit.plan", reason="backkit.plan is not written yet")
    plan = plan_mod.Plan.default()
    timer = SessionTimer.for_plan(plan, plan.start, clock=FakeClock())
    assert timer.routine.exercise_ids == tuple(i.exercise_id for i in plan.due_on(plan.start))
    assert timer.plan_id == plan.id


# --------------------------------------------------------------------------
# The real event loop


def test_ticker_refreshes_on_a_real_loop_and_leaves_it_free():
    """The tick task runs beside other work on the loop, at >= 5 updates a second."""
    found = {}

    async def main():
        timer = SessionTimer(
            "bridge", sets=1, reps=2, hold_seconds=0.4, rest_seconds=0.2, prepare_seconds=0.2,
            tick=0.05,
        )  # fmt: skip
        other = SessionTimer("squat", sets=1, reps=2, rep_seconds=0.3, prepare_seconds=0.1)
        t0 = time.monotonic()
        timer.start_button.click()  # as a click from the browser does: inside the loop
        other.start_button.click()
        assert timer.ticker.task is not None and not timer.ticker.task.done()
        # other work on the same loop keeps running while both timers count
        beats = 0
        while not (timer.ticker.task.done() and other.ticker.task.done()):
            await asyncio.sleep(0.01)
            beats += 1
        found.update(
            elapsed=time.monotonic() - t0,
            beats=beats,
            ticks=timer.ticker.ticks,
            states=(timer.state, other.state),
            completed=timer.engine.status().completed,
            text=timer.phase_text,
        )

    asyncio.run(main())
    assert found["states"] == ("finished", "finished") and found["completed"]
    assert found["text"] == "Done - well done!"
    assert 1.2 <= found["elapsed"] < 1.5  # 0.2 + 0.4 + 0.2 + 0.4 = 1.2 s of bridge
    assert found["ticks"] / 1.2 >= 5
    assert found["beats"] > 50


def test_run_drives_a_timer_in_a_script_without_a_running_loop():
    timer = SessionTimer("bridge", sets=1, reps=1, hold_seconds=0.3, prepare_seconds=0.1)
    timer.start_button.click()  # no running loop: nothing ticks yet
    assert timer.ticker.task is None
    t0 = time.monotonic()
    status = asyncio.run(timer.run())
    assert status.completed and 0.38 <= time.monotonic() - t0 < 0.8
    timer.save_button.click()
    assert list(timer.records["status"]) == ["completed"]


def test_ticker_rejects_a_bad_tick():
    with pytest.raises(ValueError, match="'tick' must be a positive number of seconds, got 0"):
        Ticker(SessionTimer("bridge").engine, lambda *a: None, tick=0)
