"""The routine model and its engine, driven by a fake clock (no widgets, no waiting)."""

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from backkit import exercise_ids, get_exercise
from backkit.routine import (
    HALFWAY_MIN_SECONDS,
    MAX_INSTRUCTION_SECONDS,
    MIN_REP_FRACTION,
    SPEECH_WORDS_PER_SECOND,
    TEN_LEFT_MIN_SECONDS,
    Engine,
    Routine,
    RoutineError,
    build_routine,
    counts_down,
    exercise_heading,
    exercise_numbers,
    for_plan,
    for_plan_item,
    format_seconds,
    hold_marks,
    instruction_seconds,
    spoken_cues,
)

CONTRACT_COLUMNS = [
    "session_id",
    "started_at",
    "ended_at",
    "exercise_id",
    "side",
    "sets_planned",
    "sets_done",
    "reps_planned",
    "reps_done",
    "hold_s_planned",
    "hold_s_done",
    "status",
    "pain_before",
    "pain_after",
    "effort",
    "notes",
    "plan_id",
    "source",
]
WALL0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t


def engine_for(routine: Routine, clock: FakeClock | None = None) -> tuple[Engine, FakeClock]:
    clock = clock or FakeClock()
    return Engine(routine, clock=clock, wallclock=lambda: WALL0), clock


def kinds(routine: Routine) -> list[str]:
    return [p.kind for p in routine.phases]


# --------------------------------------------------------------------------
# Building routines


class TestEveryExercise:
    @pytest.mark.parametrize("exercise_id", exercise_ids())
    def test_structure_follows_the_catalogue_dose(self, exercise_id):
        ex = get_exercise(exercise_id)
        r = build_routine(exercise_id)
        sides = 2 if ex.per_side else 1
        reps = [p for p in r.phases if p.is_rep]
        assert r.phases[0].kind == "prepare"
        assert r.phases[-1].kind == "done" and r.phases[-1].seconds == 0
        assert kinds(r).count("done") == 1
        assert len(reps) == ex.sets * ex.reps * sides
        assert {p.kind for p in reps} == {"hold" if ex.kind == "hold" else "move"}
        assert {p.seconds for p in reps} == {float(ex.seconds_per_rep)}
        assert kinds(r).count("switch") == ex.sets * (sides - 1)
        assert kinds(r).count("set-rest") == (ex.sets - 1 if ex.set_rest_seconds else 0)
        assert kinds(r).count("rest") == (ex.sets * sides * (ex.reps - 1) if ex.rest_seconds else 0)
        assert [b.side for b in r.bouts] == (["left", "right"] if ex.per_side else ["both"])
        assert all(b.sets == ex.sets and b.reps == ex.reps for b in r.bouts)

    @pytest.mark.parametrize("exercise_id", exercise_ids())
    def test_total_duration_is_known_before_starting(self, exercise_id):
        ex = get_exercise(exercise_id)
        r = build_routine(exercise_id)
        sides = 2 if ex.per_side else 1
        switch = max(ex.rest_seconds, 5)
        # the default get-ready lasts as long as its instruction takes to say
        prepare = max(10, instruction_seconds(spoken_cues(r)[0]))
        assert r.phases[0].seconds == prepare
        expected = (
            prepare
            + ex.sets * sides * (ex.reps * ex.seconds_per_rep + (ex.reps - 1) * ex.rest_seconds)
            + ex.sets * (sides - 1) * switch
            + (ex.sets - 1) * ex.set_rest_seconds
        )
        assert r.total_seconds == pytest.approx(expected)
        # offsets are cumulative and every phase knows its index
        t = 0.0
        for i, p in enumerate(r.phases):
            assert (p.index, p.offset) == (i, pytest.approx(t))
            t += p.seconds

    @pytest.mark.parametrize("exercise_id", exercise_ids())
    def test_running_to_the_end_completes_every_bout(self, exercise_id):
        r = build_routine(exercise_id)
        e, clock = engine_for(r)
        e.start()
        clock.advance(r.total_seconds - 0.001)
        assert e.status().state == "running"
        clock.advance(0.001)
        s = e.status()
        assert s.state == "finished" and s.completed and s.session_progress == 1.0
        results = e.results()
        assert [res.plan for res in results] == list(r.bouts)
        ex = get_exercise(exercise_id)
        for res in results:
            assert res.status == "completed"
            assert (res.sets_done, res.reps_done) == (ex.sets, ex.reps)
            assert res.hold_s_done == pytest.approx(ex.seconds_per_rep)


def test_labels_say_what_to_do_in_words():
    r = build_routine("supine-hamstring-stretch", reps=2, hold_seconds=30)
    labels = [p.label for p in r.phases]
    assert labels == [
        "Get ready - left leg",
        "Hold - left leg - rep 1 of 2",
        "Rest - left leg",
        "Hold - left leg - rep 2 of 2",
        "Switch to the right leg",
        "Hold - right leg - rep 1 of 2",
        "Rest - right leg",
        "Hold - right leg - rep 2 of 2",
        "Done",
    ]
    squat = build_routine("squat", sets=2, reps=2)
    assert [p.label for p in squat.phases if p.is_rep] == [
        "Move - rep 1 of 2 - set 1 of 2",
        "Move - rep 2 of 2 - set 1 of 2",
        "Move - rep 1 of 2 - set 2 of 2",
        "Move - rep 2 of 2 - set 2 of 2",
    ]
    assert "Rest between sets - next: set 2 of 2" in [p.label for p in squat.phases]


def test_describe_gives_the_dose_and_duration():
    assert build_routine("squat", prepare_seconds=10).describe() == (
        "Bodyweight squat: 3 sets x 10 reps, about 4 s each - about 4:10"
    )


class TestSides:
    def test_all_reps_on_the_first_side_then_switch(self):
        r = build_routine("knee-to-chest", reps=3)
        sides = [p.side for p in r.phases if p.is_rep]
        assert sides == ["left"] * 3 + ["right"] * 3
        switch = next(p for p in r.phases if p.kind == "switch")
        assert switch.label == "Switch to the right leg" and switch.side == "right"

    @pytest.mark.parametrize("order", ["right", ("right", "left"), ["right", "left"]])
    def test_right_side_first(self, order):
        r = build_routine("standing-hip-flexor-stretch", side_order=order)
        assert [b.side for b in r.bouts] == ["right", "left"]
        assert r.phases[0].label == "Get ready - right leg back"  # the back leg is stretched
        assert next(p.side for p in r.phases if p.is_rep) == "right"

    def test_one_side_only(self):
        r = build_routine("knee-to-chest", side_order=("left",))
        assert {p.side for p in r.phases if p.is_rep} == {"left"}
        assert "switch" not in kinds(r)

    def test_sets_alternate_sides_within_each_set(self):
        r = build_routine("knee-to-chest", sets=2, reps=1, set_rest_seconds=30)
        assert [(p.kind, p.side, p.set) for p in r.phases if p.kind != "rest"] == [
            ("prepare", "left", 1),
            ("hold", "left", 1),
            ("switch", "right", 1),
            ("hold", "right", 1),
            ("set-rest", "left", 2),
            ("hold", "left", 2),
            ("switch", "right", 2),
            ("hold", "right", 2),
            ("done", "right", 2),
        ]


class TestOverrides:
    def test_dose_overrides(self):
        r = build_routine(
            "bridge",
            sets=2,
            reps=4,
            hold_seconds=7,
            rest_seconds=2,
            set_rest_seconds=45,
            prepare_seconds=10,
        )
        reps = [p for p in r.phases if p.is_rep]
        assert len(reps) == 8 and {p.seconds for p in reps} == {7.0}
        assert [p.seconds for p in r.phases if p.kind == "rest"] == [2.0] * 6
        assert [p.seconds for p in r.phases if p.kind == "set-rest"] == [45.0]
        assert r.total_seconds == 10 + 2 * (4 * 7 + 3 * 2) + 45

    def test_zero_rest_and_prepare_leave_those_phases_out(self):
        r = build_routine("bridge", sets=1, reps=3, rest_seconds=0, prepare_seconds=0)
        assert kinds(r) == ["hold", "hold", "hold", "done"]

    def test_switch_seconds(self):
        r = build_routine("knee-to-chest", switch_seconds=12)
        assert [p.seconds for p in r.phases if p.kind == "switch"] == [12.0]

    def test_paced_rep_length(self):
        assert {p.seconds for p in build_routine("squat", rep_seconds=3).phases if p.is_rep} == {
            3.0
        }
        # hold_seconds means "seconds per rep", as in the log, for paced exercises too
        r = build_routine("squat", hold_seconds=5)
        assert {p.seconds for p in r.phases if p.is_rep} == {5.0}
        assert r.bouts[0].seconds_per_rep == 5.0

    def test_none_means_catalogue_default(self):
        assert build_routine("bridge", sets=None, reps=None, hold_seconds=None) == build_routine(
            "bridge"
        )

    def test_fractional_seconds_are_allowed(self):
        r = build_routine("bridge", sets=1, reps=1, hold_seconds=0.5, prepare_seconds=0.25)
        assert r.total_seconds == 0.75

    def test_exercise_object_is_accepted(self):
        assert build_routine(get_exercise("bridge")) == build_routine("bridge")

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"reps": 0}, "override 'reps': 0 must be a whole number from 1 to 100"),
            ({"sets": 2.5}, "override 'sets': 2.5 must be a whole number from 1 to 20"),
            ({"sets": True}, "override 'sets': True must be a whole number"),
            ({"hold_seconds": 0}, "override 'hold_seconds': 0 must be a number of seconds above 0"),
            ({"hold_seconds": 700}, "'hold_seconds': 700.0 is longer than the 600 s"),
            ({"hold_seconds": "30"}, "override 'hold_seconds': '30' must be a number"),
            ({"rest_seconds": -1}, "override 'rest_seconds': -1 must be a number of seconds"),
            ({"side_order": "up"}, "override 'side_order': 'up' must be 'left', 'right'"),
            ({"side_order": ("left", "left")}, "override 'side_order': ('left', 'left')"),
            ({"per_side": False}, "'per_side'. Did you mean 'side_order'?"),
            ({"holdseconds": 3}, "'holdseconds'. Did you mean 'hold_seconds'?"),
        ],
    )
    def test_bad_override_names_field_value_and_source(self, overrides, message):
        with pytest.raises(RoutineError) as err:
            build_routine("knee-to-chest", **overrides)
        assert "build_routine('knee-to-chest')" in str(err.value)
        assert message in str(err.value)
        assert isinstance(err.value, ValueError)

    def test_side_order_needs_a_per_side_exercise(self):
        with pytest.raises(RoutineError, match=r"'side_order': 'left' needs a per-side exercise"):
            build_routine("bridge", side_order="left")

    def test_unknown_exercise_suggests_the_closest(self):
        with pytest.raises(KeyError, match="Did you mean 'bridge'"):
            build_routine("bridg")


# --------------------------------------------------------------------------
# The engine


class TestEngineClock:
    def routine(self) -> Routine:
        # prepare 5, hold 10, rest 4, hold 10, done: 29 s
        return build_routine("bridge", sets=1, reps=2, hold_seconds=10, rest_seconds=4,
                             prepare_seconds=5)  # fmt: skip

    def test_status_before_start(self):
        e, _ = engine_for(self.routine())
        s = e.status()
        assert (s.state, s.phase.kind, s.remaining, s.session_progress) == (
            "ready",
            "prepare",
            5.0,
            0.0,
        )
        assert e.results() == [] and e.log_rows() == []

    def test_countdown_and_progress(self):
        e, clock = engine_for(self.routine())
        assert [p.kind for p in e.start()] == ["prepare"]
        clock.advance(2.5)
        s = e.status()
        assert s.remaining == pytest.approx(2.5) and s.phase_progress == pytest.approx(0.5)
        assert s.session_elapsed == pytest.approx(2.5)
        assert s.session_progress == pytest.approx(2.5 / 29)
        assert s.next_phase.label == "Hold - rep 1 of 2"

    def test_late_updates_do_not_drift(self):
        e, clock = engine_for(self.routine())
        e.start()
        clock.advance(5 + 10 + 0.7)  # one update, 0.7 s after the hold should have ended
        entered = e.update()
        assert [p.kind for p in entered] == ["hold", "rest"]
        s = e.status()
        assert s.phase.kind == "rest" and s.remaining == pytest.approx(4 - 0.7)
        clock.advance(4 - 0.7 + 10)
        assert e.status().state == "finished"
        assert e.status().active_seconds == pytest.approx(29)

    def test_pause_and_resume_shift_every_deadline(self):
        e, clock = engine_for(self.routine())
        e.start()
        clock.advance(8)  # 3 s into the first hold
        assert e.pause() is True
        before = e.status()
        clock.advance(100)
        during = e.status()
        assert during.state == "paused"
        assert (during.remaining, during.session_elapsed) == (
            before.remaining,
            before.session_elapsed,
        )
        assert e.next_change_at() is None
        assert e.resume() is True
        assert e.next_change_at() == pytest.approx(clock.t + 7)
        clock.advance(7)
        assert e.status().phase.kind == "rest"
        clock.advance(4 + 10)
        s = e.status()
        assert s.completed and s.active_seconds == pytest.approx(29)
        # the pause counts as neither hold time nor session time
        (res,) = e.results()
        assert res.hold_s_done == pytest.approx(10)
        assert res.ended_at - res.started_at == timedelta(seconds=5 + 100 + 10 + 4 + 10 - 5)

    def test_toggle(self):
        e, _ = engine_for(self.routine())
        assert e.toggle() is False  # nothing to pause before start
        e.start()
        assert e.toggle() and e.state == "paused"
        assert e.toggle() and e.state == "running"

    def test_skip_starts_the_next_phase_now(self):
        e, clock = engine_for(self.routine())
        e.start()
        clock.advance(1)
        assert [p.kind for p in e.skip()] == ["hold"]
        s = e.status()
        assert s.remaining == 10 and s.session_elapsed == pytest.approx(5)
        clock.advance(6)  # more than half of the hold
        e.skip()
        assert e.status().phase.kind == "rest"
        clock.advance(1)
        e.skip()
        clock.advance(2)  # less than half: this rep does not count
        e.skip()
        s = e.status()
        assert s.state == "finished" and s.completed
        (res,) = e.results()
        assert (res.reps_done_total, res.reps_done, res.sets_done) == (1, 1, 1)
        assert res.hold_s_done == pytest.approx(6)
        assert res.status == "partial"
        (row,) = e.log_rows()
        assert row["status"] == "partial"
        assert row["notes"] == "[timer: reps skipped; 1 of 2 reps done]"

    def test_half_a_rep_counts(self):
        e, clock = engine_for(self.routine())
        e.start()
        clock.advance(5 + 10 * MIN_REP_FRACTION)
        e.skip()
        assert e.results()[0].reps_done_total == 1

    def test_skip_while_paused_stays_paused_with_a_full_phase(self):
        e, clock = engine_for(self.routine())
        e.start()
        clock.advance(7)  # 2 s into hold 1
        e.pause()
        clock.advance(30)
        e.skip()
        s = e.status()
        assert (s.state, s.phase.kind, s.remaining) == ("paused", "rest", 4.0)
        clock.advance(30)
        e.resume()
        clock.advance(3)
        assert e.status().remaining == pytest.approx(1)
        assert e.status().active_seconds == pytest.approx(7 + 3)

    def test_stop_keeps_what_was_done(self):
        r = build_routine("bridge", sets=3, reps=4, hold_seconds=5, rest_seconds=1,
                          set_rest_seconds=20, prepare_seconds=0)  # fmt: skip
        e, clock = engine_for(r)
        e.start()
        set_time = 4 * 5 + 3 * 1
        clock.advance(set_time + 20 + set_time + 20 + 5 + 1 + 3)  # set 3: rep 1 done, 3 s of rep 2
        assert e.stop() is True
        s = e.status()
        assert s.state == "finished" and not s.completed and e.stopped_early
        (res,) = e.results()
        # 4 + 4 + 1 reps done, plus rep 2 of set 3 held 3 of 5 s (counts: over half)
        assert res.reps_done_total == 10 and res.reps_planned_total == 12
        assert res.sets_done == 3 and res.reps_done == 3  # per set, rounded down
        assert res.hold_s_done == pytest.approx((9 * 5 + 3) / 10)
        (row,) = e.log_rows(pain_before=2, pain_after=3, notes=" tired ", session_id="s1")
        assert row["status"] == "partial"
        assert row["notes"] == "tired [timer: stopped early; 10 of 12 reps done]"
        assert (row["sets_planned"], row["reps_planned"], row["hold_s_planned"]) == (3, 4, 5.0)
        assert (row["pain_before"], row["pain_after"], row["session_id"]) == (2, 3, "s1")
        assert e.stop() is False and e.skip() == [] and e.pause() is False

    def test_stop_while_paused_excludes_the_pause(self):
        e, clock = engine_for(self.routine())
        e.start()
        clock.advance(12)  # 7 s into hold 1
        e.pause()
        clock.advance(50)
        e.stop()
        (res,) = e.results()
        assert res.reps_done_total == 1 and res.hold_s_done == pytest.approx(7)
        assert e.status().active_seconds == pytest.approx(12)

    def test_stop_before_any_rep_still_logs_the_attempt(self):
        e, clock = engine_for(build_routine("knee-to-chest"))
        e.start()
        clock.advance(3)
        e.stop()
        rows = e.log_rows(pain_before=4)
        assert [(r["side"], r["sets_done"], r["reps_done"], r["hold_s_done"]) for r in rows] == [
            ("left", 0, 0, None),
            ("right", 0, 0, None),
        ]
        assert {r["status"] for r in rows} == {"partial"}
        assert {r["pain_before"] for r in rows} == {4}
        assert rows[0]["notes"] == "[timer: stopped early; 0 of 2 reps done]"
        # a side never reached starts and ends when the session stopped
        stop = WALL0 + timedelta(seconds=3)
        assert (rows[1]["started_at"], rows[1]["ended_at"]) == (stop, stop)

    def test_stopped_on_the_first_side_logs_the_other_as_not_done(self):
        r = build_routine("knee-to-chest", reps=2, hold_seconds=15)
        e, clock = engine_for(r)
        e.start()
        clock.advance(10 + 15 + 10 + 15 + 3)  # both left reps done, switching
        e.stop()
        rows = e.log_rows()
        assert [(row["side"], row["reps_done"], row["status"]) for row in rows] == [
            ("left", 2, "completed"),
            ("right", 0, "partial"),
        ]

    def test_skipping_every_rep_of_a_side_logs_it_as_partial(self):
        r = build_routine("knee-to-chest", reps=1, hold_seconds=10, prepare_seconds=1)
        e, clock = engine_for(r)
        e.start()
        clock.advance(11)  # left rep done
        e.skip()  # the switch
        clock.advance(1)
        e.skip()  # right rep after 1 of 10 s
        assert e.status().completed
        assert [(row["side"], row["reps_done"], row["status"]) for row in e.log_rows()] == [
            ("left", 1, "completed"),
            ("right", 0, "partial"),
        ]

    def test_rows_follow_the_log_contract(self):
        r = build_routine("knee-to-chest", reps=2, hold_seconds=15, prepare_seconds=10)
        e, clock = engine_for(r)
        e.start()
        clock.advance(r.total_seconds)
        rows = e.log_rows(pain_before=3, pain_after=2, effort=4, plan_id="p", session_id="s")
        assert [list(row) for row in rows] == [CONTRACT_COLUMNS] * 2
        left, right = rows
        assert (left["side"], right["side"]) == ("left", "right")
        assert left["started_at"] == WALL0 + timedelta(seconds=10)
        assert left["ended_at"] == WALL0 + timedelta(seconds=10 + 15 + 10 + 15)
        assert right["started_at"] == WALL0 + timedelta(seconds=60)
        assert all(row["status"] == "completed" and row["notes"] is None for row in rows)
        assert all(row["source"] == "timer" and row["effort"] == 4 for row in rows)

    def test_commands_in_the_wrong_state_do_nothing(self):
        e, _ = engine_for(self.routine())
        assert (e.pause(), e.resume(), e.stop(), e.skip(), e.update()) == (
            False,
            False,
            False,
            [],
            [],
        )
        e.start()
        assert e.start() == [] and e.resume() is False


class TestChain:
    def test_chain_joins_exercises_with_rest_between(self):
        a = build_routine("bridge", sets=1, reps=2, hold_seconds=5, prepare_seconds=5)
        b = build_routine("squat", sets=1, reps=2, prepare_seconds=5)
        r = Routine.chain([a, b], rest_seconds=20)
        assert kinds(r).count("done") == 1
        assert r.exercise_ids == ("bridge", "squat")
        first, second = [p for p in r.phases if p.kind == "prepare"]
        # each exercise's get-ready lasts at least the rest, and long enough for its instruction
        said = spoken_cues(r)
        assert first.seconds == instruction_seconds(said[first.index]) > 5
        assert second.seconds == 20 and second.exercise_id == "squat"
        assert instruction_seconds(said[second.index]) <= 20
        assert r.total_seconds == a.total_seconds + b.total_seconds + 15 + first.seconds - 5
        assert [p.bout for p in r.phases if p.is_rep] == [0, 0, 1, 1]
        assert r.title == "Bridge and Bodyweight squat"

    def test_a_long_session_has_a_short_title(self):
        r = Routine.chain([build_routine(i) for i in exercise_ids()])
        assert r.title == f"Session of {len(exercise_ids())} exercises"
        assert Routine.chain([build_routine("bridge")], title="Morning").title == "Morning"

    def test_chain_adds_a_rest_when_the_next_has_no_prepare(self):
        a = build_routine("bridge", sets=1, reps=1, hold_seconds=5)
        b = build_routine("knee-to-chest", reps=1, prepare_seconds=0)
        r = Routine.chain([a, b], rest_seconds=30)
        prep = r.phases[2]
        assert (prep.kind, prep.seconds, prep.label, prep.bout) == (
            "prepare",
            30.0,
            "Get ready - left leg",
            1,
        )

    def test_chained_session_reports_every_exercise(self):
        r = Routine.chain(
            [build_routine("knee-to-chest", reps=1), build_routine("bridge", sets=1, reps=2)]
        )
        e, clock = engine_for(r)
        e.start()
        clock.advance(r.total_seconds)
        rows = e.log_rows(session_id="today")
        assert [(row["exercise_id"], row["side"]) for row in rows] == [
            ("knee-to-chest", "left"),
            ("knee-to-chest", "right"),
            ("bridge", "both"),
        ]
        assert {row["session_id"] for row in rows} == {"today"}

    def test_exercises_never_reached_are_logged_as_not_started_without_pain(self):
        first = build_routine("bridge", sets=1, reps=2, hold_seconds=5, prepare_seconds=5)
        r = Routine.chain([first, build_routine("knee-to-chest")], rest_seconds=30)
        e, clock = engine_for(r)
        e.start()
        clock.advance(first.total_seconds + 10)  # getting ready for the next exercise
        e.stop()
        rows = e.log_rows(pain_before=3, pain_after=4)
        assert [
            (row["exercise_id"], row["side"], row["status"], row["reps_done"]) for row in rows
        ] == [
            ("bridge", "both", "completed", 2),
            ("knee-to-chest", "left", "partial", 0),
            ("knee-to-chest", "right", "partial", 0),
        ]
        assert rows[0]["pain_before"] == 3 and rows[0]["pain_after"] == 4
        assert [(row["pain_before"], row["pain_after"]) for row in rows[1:]] == [(None, None)] * 2
        assert rows[1]["notes"] == "[timer: not started; the session was stopped early]"
        assert not e.results()[1].started and e.results()[0].started

    def test_a_finished_session_has_no_skipped_exercises(self):
        r = Routine.chain([build_routine("bridge", sets=1, reps=1), build_routine("squat", sets=1)])
        e, clock = engine_for(r)
        e.start()
        clock.advance(r.total_seconds)
        assert all(b.started for b in e.results()) and len(e.results()) == 2

    def test_pain_rated_for_each_exercise_goes_on_its_bouts(self):
        r = Routine.chain([build_routine("bridge", sets=1, reps=1),
                           build_routine("knee-to-chest", reps=1)])  # fmt: skip
        e, clock = engine_for(r)
        e.start()
        clock.advance(r.total_seconds)
        rows = e.log_rows(pain_before=2, exercise_pain={"bridge": 1, "knee-to-chest": None})
        assert [(row["pain_before"], row["pain_after"]) for row in rows] == [
            (2, 1), (2, None), (2, None),
        ]  # fmt: skip

    def test_chain_of_nothing_is_an_error(self):
        with pytest.raises(RoutineError, match="'routines' is empty"):
            Routine.chain([])


class TestForPlan:
    """The one path from a plan's day to a routine (the timer and the app both use it)."""

    @pytest.fixture
    def plan(self):
        from backkit.plan import Plan, PlanItem

        items = [PlanItem("bridge", sets=2, reps=4, hold_seconds=8), PlanItem("squat")]
        return Plan("Mon-Wed", items=items, weekdays=["mon", "wed"], start="2025-03-03")

    def test_the_days_items_at_the_plans_dose_then_the_catalogues(self, plan):
        from datetime import date

        r = for_plan(plan, date(2025, 3, 5), rest_seconds=20)
        assert r.exercise_ids == ("bridge", "squat")
        bridge, squat = r.bouts
        assert (bridge.sets, bridge.reps, bridge.seconds_per_rep) == (2, 4, 8.0)
        squat_ex = get_exercise("squat")
        assert (squat.sets, squat.reps, squat.seconds_per_rep) == (
            squat_ex.sets,
            squat_ex.reps,
            float(squat_ex.rep_seconds),
        )
        assert r == Routine.chain([for_plan_item(i) for i in plan.items], rest_seconds=20)

    def test_each_item_matches_the_plans_dose(self, plan):
        for item in plan.items:
            b = for_plan_item(item).bouts[0]
            assert (b.sets, b.reps, b.seconds_per_rep) == plan.dose(item.exercise_id)

    def test_a_rest_day_or_a_day_outside_the_plan_has_no_routine(self, plan):
        from datetime import date

        assert for_plan(plan, date(2025, 3, 4)) is None  # a Tuesday
        assert for_plan(plan, date(2025, 3, 2)) is None  # before the start

    def test_overrides_win_over_the_plan(self, plan):
        from datetime import date

        r = for_plan(plan, date(2025, 3, 3), overrides={"sets": 1, "reps": 1, "hold_seconds": 2})
        assert [(b.sets, b.reps, b.seconds_per_rep) for b in r.bouts] == [(1, 1, 2.0)] * 2


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (0.2, "0:01"), (9.0, "0:09"), (59.5, "1:00"), (125, "2:05")]
)
def test_format_seconds_rounds_up_like_a_countdown(seconds, text):
    assert format_seconds(seconds) == text


class TestWords:
    """What the timer shows and says for a routine (pure text)."""

    def test_headings_number_the_exercises_of_a_session(self):
        r = Routine.chain([build_routine("bridge", sets=1, reps=1),
                           build_routine("knee-to-chest", reps=1)])  # fmt: skip
        heads = [exercise_heading(r, p) for p in r.phases]
        assert heads[0] == "Exercise 1 of 2: Bridge"
        assert heads[-1] == heads[-2] == "Exercise 2 of 2: Single knee to chest"
        assert len(set(heads)) == 2

    def test_spoken_cues_name_the_exercise_its_start_and_each_step(self):
        r = build_routine("knee-to-chest", sets=2, reps=1, hold_seconds=10, set_rest_seconds=20)
        said = spoken_cues(r)
        assert len(said) == len(r.phases)
        start = get_exercise("knee-to-chest").start_position
        assert said[0] == f"Single knee to chest. {start} Left leg first."
        assert [s for s, p in zip(said, r.phases, strict=True) if p.kind == "switch"] == [
            "Switch to the right leg", "Switch to the right leg",
        ]  # fmt: skip
        assert "Rest. Next: set 2 of 2" in said and "Set 2 of 2. Hold, left leg" in said
        assert said[-1] == "Well done"

    def test_hold_cues_name_the_side_and_the_rep(self):
        """Issue 26: a person on the floor hears which side and which rep, not only "Hold"."""
        said = spoken_cues(build_routine("knee-to-chest", sets=1, reps=3))
        holds = [s for s in said if s.startswith("Hold")]
        assert holds == [
            "Hold, left leg, 1 of 3", "Hold, left leg, 2 of 3", "Hold, left leg, 3 of 3",
            "Hold, right leg, 1 of 3", "Hold, right leg, 2 of 3", "Hold, right leg, 3 of 3",
        ]  # fmt: skip
        assert [s for s in spoken_cues(build_routine("bridge", sets=1, reps=1))
                if s.startswith("Hold")] == ["Hold"]  # fmt: skip

    def test_long_holds_say_ten_seconds_left_and_halfway(self):
        from backkit.widgets.timer_view import face_payload

        phases = face_payload(build_routine("supine-hamstring-stretch", hold_seconds=20))["phases"]
        assert {p["kind"] for p in phases if p["marks"]} == {"hold"}
        # at 20 s halfway would be "10 seconds left": said once
        assert {tuple(map(tuple, p["marks"])) for p in phases if p["marks"]} == {
            (("10 seconds left", 10.0),)
        }
        longer = face_payload(build_routine("bridge", hold_seconds=30))["phases"]
        assert longer[1]["marks"] == [["Halfway", 15.0], ["10 seconds left", 20.0]]
        short = face_payload(build_routine("bridge", hold_seconds=10))["phases"]
        assert not any(p["marks"] for p in short)

    def test_back_returns_to_the_start_of_the_previous_step_and_only_the_redo_counts(self):
        t = [0.0]
        e = Engine(build_routine("bridge", sets=1, reps=2, hold_seconds=5, rest_seconds=3,
                                 prepare_seconds=2), clock=lambda: t[0])  # fmt: skip
        e.start()
        t[0] = 2.5
        e.skip()  # the first hold skipped at once by mistake: now resting
        assert e.phase.kind == "rest"
        t[0] = 3.0
        e.back()
        assert e.phase.kind == "hold" and e.phase.rep == 1 and e.status().remaining == 5
        t[0] = 3.0 + 5 + 3 + 5  # the redo, the rest and the second hold run out
        assert e.status().state == "finished"
        (result,) = e.results()
        assert result.reps_done_total == 2 and result.status == "completed"
        e2 = Engine(build_routine("bridge", sets=1, reps=1), clock=lambda: 0.0)
        assert e2.back() == []  # nothing to go back to before the start

    def test_side_cues_say_which_leg(self):
        """Third review W14: the hip-flexor stretch stretches the back leg; the cue says so."""
        r = build_routine("standing-hip-flexor-stretch", reps=1)
        said = spoken_cues(r)
        start = get_exercise("standing-hip-flexor-stretch").start_position
        assert said[0] == f"Standing hip-flexor stretch. {start} Left leg back first."
        assert [p.label for p in r.phases] == [
            "Get ready - left leg back",
            "Hold - left leg back - rep 1 of 1",
            "Switch sides: right leg back",
            "Hold - right leg back - rep 1 of 1",
            "Done",
        ]
        assert "Switch sides: right leg back" in said
        # right first, and after a chained rest with no get-ready of its own
        r = build_routine("standing-hip-flexor-stretch", reps=1, side_order="right")
        assert spoken_cues(r)[0].endswith("Right leg back first.")
        chained = Routine.chain(
            [build_routine("bridge", sets=1, reps=1),
             build_routine("standing-hip-flexor-stretch", reps=1, prepare_seconds=0)],
            rest_seconds=30,
        )  # fmt: skip
        assert "Get ready - left leg back" in [p.label for p in chained.phases]
        # the other per-side exercises name the leg that moves and is stretched
        for exercise_id in ("supine-hamstring-stretch", "knee-to-chest"):
            assert spoken_cues(build_routine(exercise_id, reps=1))[0].endswith(" Left leg first.")

    def test_paced_reps_are_counted(self):
        said = spoken_cues(build_routine("squat", sets=1, reps=3, rest_seconds=0))
        assert said[1:] == ("Rep 1", "2", "3", "Well done")

    def test_only_long_holds_and_get_ready_are_counted_down(self):
        r = build_routine("bridge", sets=1, reps=1, hold_seconds=4, prepare_seconds=10)
        assert [counts_down(p) for p in r.phases] == [True, False, False]


# --------------------------------------------------------------------------
# The voice waits for the instruction (backkit issue 26)


def _openers(r: Routine) -> list:
    numbers = [exercise_heading(r, p) for p in r.phases]
    return [
        p for p in r.phases
        if p.kind == "prepare" and (p.index == 0 or numbers[p.index] != numbers[p.index - 1])
    ]  # fmt: skip


class TestInstructionTime:
    def test_the_issue_s_instruction_is_heard_before_the_count(self):
        import datetime as dt

        from backkit.plan import Plan

        plan = Plan.default(start=dt.date(2026, 12, 7))
        r = for_plan(plan, dt.date(2026, 12, 8))  # a Tuesday: five stretches
        said = spoken_cues(r)
        first = r.phases[0]
        assert said[0].startswith("Exercise 1 of 5: Supine hamstring stretch. Lie on your back")
        words = len(said[0].split())
        assert words >= 25
        # said at 2.5 words a second, then a beat, then "3" with three seconds left
        heard = words / SPEECH_WORDS_PER_SECOND
        assert first.seconds - 3 >= heard + 0.5, (first.seconds, heard)

    @pytest.mark.parametrize("quick", [False, True])
    def test_every_exercise_of_a_session_has_time_for_its_instruction(self, quick):
        import datetime as dt

        from backkit.plan import Plan

        quick_dose = {"sets": 1, "reps": 1, "hold_seconds": 2, "prepare_seconds": 1,
                      "rest_seconds": 1}  # fmt: skip
        plan = Plan.default(start=dt.date(2026, 12, 7))
        r = for_plan(plan, dt.date(2026, 12, 7), rest_seconds=2 if quick else 30,
                     overrides=quick_dose if quick else None)  # fmt: skip
        said = spoken_cues(r)
        openers = _openers(r)
        assert len(openers) == len(r.exercise_ids) == 7
        for p in openers:
            need = min(len(said[p.index].split()) / SPEECH_WORDS_PER_SECOND + 3,
                       MAX_INSTRUCTION_SECONDS)  # fmt: skip
            assert p.seconds >= need, (p.exercise_id, p.seconds, said[p.index])
        # the other get-readies keep their length (the quick try stays quick)
        if quick:
            assert all(p.seconds == 2 for p in r.phases if p.is_rep)

    def test_a_get_ready_asked_for_by_length_is_kept(self):
        assert build_routine("bridge", prepare_seconds=2).phases[0].seconds == 2
        fitted = build_routine("bridge").phases[0].seconds
        assert fitted == instruction_seconds(spoken_cues(build_routine("bridge"))[0]) > 10

    def test_the_estimate_has_a_cap(self):
        assert instruction_seconds("word " * 500) == MAX_INSTRUCTION_SECONDS
        assert instruction_seconds("") == 4.0  # a beat and the count


class TestHoldMarks:
    def test_halfway_and_ten_left_never_on_the_same_second(self):
        for seconds in range(1, 121):
            r = build_routine("bridge", sets=1, reps=1, hold_seconds=seconds, prepare_seconds=1)
            marks = hold_marks(r.phases[1])
            at = sorted(marks.values())
            assert all(b - a >= 1 for a, b in itertools.pairwise(at)), (seconds, marks)
            assert ("Halfway" in marks) <= (seconds >= HALFWAY_MIN_SECONDS)
            assert ("10 seconds left" in marks) == (seconds >= TEN_LEFT_MIN_SECONDS)
            assert all(0 < t < seconds for t in at)
        assert hold_marks(build_routine("bridge", hold_seconds=30).phases[1]) == {
            "Halfway": 15.0, "10 seconds left": 20.0,
        }  # fmt: skip

    def test_only_holds_have_marks(self):
        r = build_routine("squat", rep_seconds=40)
        assert all(hold_marks(p) == {} for p in r.phases)


def test_one_numbering_the_heading_and_the_numbers_agree():
    r = Routine.chain([build_routine(i) for i in ("squat", "knee-to-chest", "bridge")])
    numbers = exercise_numbers(r)
    assert numbers == {"squat": 1, "knee-to-chest": 2, "bridge": 3}
    for p in r.phases[:-1]:
        assert exercise_heading(r, p).startswith(f"Exercise {numbers[p.exercise_id]} of 3: ")
