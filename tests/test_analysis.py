"""Analytics on hand-made logs whose answers are known."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from backkit import analysis
from backkit.errors import AnalysisError
from backkit.log import COLUMNS, conform
from backkit.plan import Plan

TZ = "Europe/London"

_DEFAULTS = {
    "session_id": None,
    "started_at": None,
    "ended_at": None,
    "exercise_id": "bridge",
    "side": "both",
    "sets_planned": 1,
    "sets_done": 1,
    "reps_planned": 1,
    "reps_done": 1,
    "hold_s_planned": 10.0,
    "hold_s_done": 10.0,
    "status": "completed",
    "pain_before": None,
    "pain_after": None,
    "effort": None,
    "notes": None,
    "plan_id": None,
    "source": "manual",
    "session_pain_before": None,
    "session_pain_after": None,
}


def make_log(*rows: dict, tz: str = TZ) -> pd.DataFrame:
    """A typed log frame from bouts given as dicts; ``at`` is local wall time."""
    full = []
    for n, row in enumerate(rows):
        r = {**_DEFAULTS, **row}
        at = pd.Timestamp(r.pop("at", None) or r["started_at"])
        if at.tzinfo is None:
            at = at.tz_localize(tz)
        r["started_at"] = at
        r["ended_at"] = r["ended_at"] or at + pd.Timedelta(minutes=1)
        r["session_id"] = r["session_id"] or f"s{n}"
        full.append(r)
    return conform({k: [r.get(k) for r in full] for k in COLUMNS}, tz=tz)


def pain_days(values: dict[str, tuple[int, int]], **extra) -> pd.DataFrame:
    """One bout a day at 08:00: {'2025-03-03': (before, after), ...}."""
    return make_log(
        *(
            {"at": f"{day} 08:00", "session_id": day, "pain_before": b, "pain_after": a, **extra}
            for day, (b, a) in values.items()
        )
    )


EMPTY = conform({k: [] for k in COLUMNS}, tz=TZ)


class TestOutcomeFacts:
    def test_mcid_is_read_from_the_data_file_with_its_source(self):
        assert analysis.pain_mcid() == (2.0, 30.0)
        facts = analysis.outcome_facts()
        assert facts["pain_nrs"]["sources"][0] == "OSTELO"
        assert "Spine 33(1):90-94" in facts["sources"]["OSTELO"]
        assert "Pain 94(2):149-158" in facts["sources"]["FARRAR"]

    def test_psfs_thresholds_are_credited_to_the_right_papers(self):
        psfs = analysis.outcome_facts()["psfs"]
        assert psfs["mdc"] == {"mean": 2, "item": 3}  # minimal detectable change
        assert {k: psfs["mcid"][k] for k in ("small", "medium", "large")} == {
            "small": 1.3, "medium": 2.3, "large": 2.7
        }  # fmt: skip
        assert "minimal detectable change: Stratford 1995" in psfs["note"]
        assert "(Abbott &\nSchmitt 2014)" in psfs["note"].replace("& Schmitt", "&\nSchmitt")

    def test_custom_measures_have_references_but_no_default(self):
        ref = analysis.outcome_facts()["custom_reference"]
        assert ref["ODI"]["mcid"] == 10 and ref["RMDQ"]["mcid"] == 5

    @pytest.mark.parametrize(
        ("base", "needed"),
        [(8.0, 2.4), (5.0, 2.0), (2.0, 2.0), (0.0, 2.0)],  # 30% of 8; never under 2 points
    )
    def test_a_meaningful_change_needs_two_points_and_thirty_percent(self, base, needed):
        assert analysis.meaningful_change(base) == pytest.approx(needed)
        assert analysis.mcid_threshold(base) == pytest.approx(base - needed)

    def test_the_module_outcomes_is_not_shadowed(self):
        assert not hasattr(analysis, "outcomes")
        assert not hasattr(analysis, "change_from_baseline")


class TestDailyAndWeeklyPain:
    def test_mean_and_worst_per_local_day(self):
        log = make_log(
            {"at": "2025-03-03 08:00", "session_id": "a", "pain_before": 4, "pain_after": 3},
            {"at": "2025-03-03 08:05", "session_id": "a", "pain_before": 3, "pain_after": 2},
            {"at": "2025-03-03 19:00", "session_id": "b", "pain_before": 6, "pain_after": 5},
            {"at": "2025-03-04 08:00", "session_id": "c", "pain_before": 2, "pain_after": None},
        )
        daily = analysis.daily_pain(log)
        assert list(daily.index) == [pd.Timestamp("2025-03-03"), pd.Timestamp("2025-03-04")]
        first = daily.loc["2025-03-03"]
        assert first["sessions"] == 2 and first["bouts"] == 3
        assert first["before_mean"] == pytest.approx(13 / 3)
        assert first["before_worst"] == 6
        assert first["after_mean"] == pytest.approx(10 / 3)
        assert first["after_worst"] == 5
        assert math.isnan(daily.loc["2025-03-04", "after_mean"])

    def test_days_are_local_days_across_midnight_and_the_clock_change(self):
        # 30 March 2025: the UK goes from GMT to BST at 01:00 GMT
        log = make_log(
            {"at": "2025-03-29 23:30", "pain_before": 4},  # GMT: 23:30 UTC
            {"at": "2025-03-30 00:30", "pain_before": 6},  # GMT: 00:30 UTC, next local day
            {"at": "2025-03-30 23:30", "pain_before": 2},  # BST: 22:30 UTC on the 30th
            {"at": "2025-03-31 00:30", "pain_before": 8},  # BST: 23:30 UTC on the 30th!
        )
        daily = analysis.daily_pain(log)["before_mean"]
        assert daily.to_dict() == {
            pd.Timestamp("2025-03-29"): 4.0,
            pd.Timestamp("2025-03-30"): 4.0,
            pd.Timestamp("2025-03-31"): 8.0,
        }

    def test_weeks_run_monday_to_sunday(self):
        log = pain_days({"2025-03-09": (6, 5), "2025-03-10": (4, 3), "2025-03-16": (2, 2)})
        weekly = analysis.weekly_pain(log)
        assert list(weekly.index) == [pd.Timestamp("2025-03-03"), pd.Timestamp("2025-03-10")]
        assert weekly["before_mean"].tolist() == [6.0, 3.0]
        assert weekly["before_worst"].tolist() == [6.0, 4.0]

    def test_empty_log_gives_empty_tables(self):
        assert analysis.daily_pain(EMPTY).empty
        assert analysis.weekly_pain(EMPTY).columns.tolist() == analysis._PAIN_COLUMNS


class TestTrend:
    def test_centred_rolling_mean_over_calendar_days(self):
        log = pain_days({"2025-03-03": (3, 3), "2025-03-04": (6, 6), "2025-03-06": (9, 9)})
        trend = analysis.pain_trend(log, window=3)
        assert len(trend) == 4  # every calendar day from first to last
        assert trend.tolist() == [4.5, 4.5, 7.5, 9.0]

    def test_a_gap_longer_than_the_window_is_nan(self):
        log = pain_days({"2025-01-06": (5, 5), "2025-03-03": (3, 3)})
        trend = analysis.pain_trend(log, window=7)
        assert trend.loc["2025-01-06"] == 5 and trend.loc["2025-03-03"] == 3
        assert trend.loc["2025-02-01"] != trend.loc["2025-02-01"]  # NaN

    def test_window_must_be_a_whole_number_of_days(self):
        with pytest.raises(AnalysisError, match=r"^pain_trend: argument window=0 must be"):
            analysis.pain_trend(EMPTY, window=0)


class TestPainChangeByWeek:
    def test_a_thirty_percent_fall_under_two_points_is_not_meaningful(self):
        # baseline 5.0 (first 7 days); week 2 mean 3.5: 30% but only 1.5 points
        log = pain_days(
            {"2025-03-03": (5, 5), "2025-03-05": (5, 5), "2025-03-10": (3, 3), "2025-03-11": (4, 4)}
        )
        change = analysis.pain_change_by_week(log)
        assert change.attrs["baseline"] == 5.0
        assert change["pain"].tolist() == [5.0, 3.5]
        assert change["change"].tolist() == [0.0, -1.5]
        assert change["change_pct"].tolist() == pytest.approx([0.0, -30.0])
        assert change["mcid"].tolist() == [False, False]
        assert change["status"].tolist() == ["no meaningful change"] * 2

    def test_a_one_point_fall_from_three_is_not_meaningful(self):
        # 3 -> 2 is 33%: Ostelo's "or" would call it meaningful; the kit does not
        change = analysis.change_in_pain(pain_days({"2025-03-03": (3, 3), "2025-03-10": (2, 2)}))
        assert change.status == "no meaningful change"
        assert (change.points_met, change.percent_met) == (False, True)

    @pytest.mark.parametrize(
        ("week2", "status"),
        [
            ([6, 6, 6, 6, 7], "no meaningful change"),  # 8 -> 6.2: 1.8 points
            ([6], "no meaningful change"),  # 2 points but 25%: from 8 it takes 2.4
            ([5], "improved"),  # 3 points, 37.5%
            ([9], "no meaningful change"),
        ],
    )
    def test_a_high_baseline_needs_a_larger_fall(self, week2, status):
        log = make_log(
            {"at": "2025-03-03 08:00", "pain_before": 8},
            *({"at": f"2025-03-1{k} 08:00", "pain_before": v} for k, v in enumerate(week2)),
        )
        row = analysis.pain_change_by_week(log).iloc[1]
        assert row["pain"] == pytest.approx(np.mean(week2))
        assert row["status"] == status and bool(row["mcid"]) is (status == "improved")

    def test_a_rise_of_the_same_size_is_worse(self):
        log = pain_days({"2025-03-03": (3, 3), "2025-03-10": (5, 5)})
        assert analysis.change_in_pain(log).status == "worse"
        log = pain_days({"2025-03-03": (3, 3), "2025-03-10": (4, 4)})
        assert analysis.change_in_pain(log).status == "no meaningful change"

    def test_baseline_uses_the_first_days_with_a_score(self):
        log = make_log(
            {"at": "2025-03-01 08:00", "pain_before": None},
            {"at": "2025-03-03 08:00", "pain_before": 6},
            {"at": "2025-03-09 08:00", "pain_before": 4},  # day 7 of the baseline
            {"at": "2025-03-10 08:00", "pain_before": 1},  # day 8: not baseline
        )
        assert analysis.baseline_pain(log) == 5.0
        assert analysis.baseline_pain(log, days=1) == 6.0

    def test_zero_baseline_has_no_percent_and_no_mcid(self):
        log = pain_days({"2025-03-03": (0, 0), "2025-03-10": (0, 0)})
        change = analysis.pain_change_by_week(log)
        assert change["change_pct"].isna().all()
        assert not change["mcid"].any()

    def test_no_scores_gives_an_empty_table_and_nan_baseline(self):
        change = analysis.pain_change_by_week(make_log({"at": "2025-03-03 08:00"}))
        assert change.empty and math.isnan(change.attrs["baseline"])


class TestTQuantile:
    @pytest.mark.parametrize(
        ("p", "df", "expected"),
        [
            (0.975, 1, 12.7062047),
            (0.975, 2, 4.3026527),
            (0.975, 3, 3.1824463),
            (0.975, 5, 2.5705818),
            (0.975, 10, 2.2281389),
            (0.975, 30, 2.0422725),
            (0.975, 100, 1.9839715),
            (0.995, 3, 5.8409093),
            (0.95, 7, 1.8945786),
            (0.90, 4, 1.5332063),
            (0.975, math.inf, 1.9599640),
        ],
    )
    def test_matches_published_tables(self, p, df, expected):
        assert analysis.t_quantile(p, df) == pytest.approx(expected, abs=2e-7)

    def test_is_symmetric_and_zero_at_the_median(self):
        assert analysis.t_quantile(0.025, 10) == pytest.approx(-analysis.t_quantile(0.975, 10))
        assert analysis.t_quantile(0.5, 4) == 0.0

    @pytest.mark.parametrize(("p", "df", "name"), [(1.0, 3, "p=1.0"), (0.9, 0, "df=0")])
    def test_rejects_impossible_arguments(self, p, df, name):
        with pytest.raises(AnalysisError, match=f"^t_quantile: {name}"):
            analysis.t_quantile(p, df)


FIRST = dt.date(2025, 3, 3)  # a Monday


def _bouts(exercise_id: str, pairs: list[tuple[int, int]], **extra) -> list[dict]:
    """One bout every third day (a session each) from Monday 3 March 2025: (before, after).

    Six sessions fall in three Monday-to-Sunday weeks (2, 3 and 1 sessions).
    """
    return [
        {"at": f"{FIRST + dt.timedelta(days=3 * d)} 08:00", "session_id": f"d{d}",
         "exercise_id": exercise_id, "pain_before": b, "pain_after": a, **extra}
        for d, (b, a) in enumerate(pairs)
    ]  # fmt: skip


def _expected_interval(changes, weeks, level=0.95):
    """The interval by hand: weeks as units (clustered SE, never below sd / sqrt(n)), t(G - 1)."""
    changes = np.asarray(changes, dtype=float)
    n, mean = len(changes), changes.mean()
    sums = pd.Series(changes - mean).groupby(list(weeks)).sum()
    g = len(sums)
    clustered = math.sqrt(g / (g - 1) * (sums**2).sum()) / n
    se = max(clustered, changes.std(ddof=1) / math.sqrt(n))
    half = analysis.t_quantile(0.5 + level / 2, g - 1) * se
    return mean - half, mean + half


class TestImmediateEffect:
    def test_mean_change_per_session_with_an_interval_by_week(self):
        pairs = [(3, 2), (5, 3), (6, 3), (5, 4), (4, 2), (6, 4)]  # changes -1 -2 -3 -1 -2 -2
        log = make_log(
            *_bouts("squat", pairs),
            {"at": "2025-03-20 08:00", "exercise_id": "squat", "pain_before": 6},  # no after
            {"at": "2025-03-03 08:05", "session_id": "d0", "exercise_id": "bridge",
             "pain_before": 2, "pain_after": 4},
        )  # fmt: skip
        effect = analysis.immediate_effect(log)
        assert effect.index.tolist() == ["bridge", "squat"]  # catalogue order
        squat = effect.loc["squat"]
        changes = np.array([a - b for b, a in pairs], dtype=float)
        assert squat["n"] == 6  # the bout without pain after is left out
        assert squat["weeks"] == 3
        assert squat["change"] == pytest.approx(changes.mean())
        assert squat["sd"] == pytest.approx(changes.std(ddof=1))
        low, high = _expected_interval(changes, [0, 0, 1, 1, 1, 2])
        assert squat["ci_low"] == pytest.approx(low)
        assert squat["ci_high"] == pytest.approx(high)
        assert squat["verdict"] == "lower"
        bridge = effect.loc["bridge"]
        assert bridge["verdict"] == "too few" and math.isnan(bridge["ci_low"])

    def test_level_changes_the_width(self):
        log = make_log(*_bouts("bridge", [(4, 4 - d % 2) for d in range(1, 8)]))
        wide = analysis.immediate_effect(log, level=0.99).loc["bridge"]
        narrow = analysis.immediate_effect(log, level=0.80).loc["bridge"]
        assert wide["ci_high"] - wide["ci_low"] > narrow["ci_high"] - narrow["ci_low"]
        with pytest.raises(AnalysisError, match=r"^immediate_effect: argument level=95"):
            analysis.immediate_effect(log, level=95)

    def test_sides_and_repeats_in_one_session_count_once(self):
        rows = []
        for d in range(analysis.MIN_SESSIONS):
            for k, side in enumerate(["left", "right", "left"]):
                rows.append(
                    {"at": f"2025-03-{d + 3:02d} 08:0{k}", "session_id": f"d{d}",
                     "exercise_id": "knee-to-chest", "side": side, "pain_before": 4,
                     "pain_after": 3 if k < 2 else 2 - d % 2}
                )  # fmt: skip
        row = analysis.immediate_effect(make_log(*rows)).loc["knee-to-chest"]
        assert row["n"] == analysis.MIN_SESSIONS  # sessions, not bouts
        # per session: mean after of (3, 3, 2) or (3, 3, 1) against 4
        assert row["change"] == pytest.approx(np.mean([8 / 3 - 4, 7 / 3 - 4] * 3))

    def test_a_bout_with_nothing_done_gives_no_effect(self):
        # Stop pressed on the first side: 0 repetitions, pain 5 -> 0 saved
        stopped = [
            {"at": f"2025-03-{d + 3:02d} 08:00", "exercise_id": "knee-to-chest",
             "side": "left", "reps_done": 0, "status": "partial", "pain_before": 5,
             "pain_after": 0}
            for d in range(8)
        ]  # fmt: skip
        no_sets = [dict(r, reps_done=1, sets_done=0, exercise_id="bridge", side="both")
                   for r in stopped]  # fmt: skip
        assert analysis.immediate_effect(make_log(*stopped, *no_sets)).empty

    def test_whole_session_ratings_give_no_effect(self):
        log = whole_session_log(4)
        assert analysis.immediate_effect(log).empty
        flags = analysis.pain_flags(log)
        assert flags.empty or flags["exercise_id"].isna().all()

    def test_sessions_that_go_together_by_week_widen_the_interval(self):
        # a bad week raises every session in it: 18 daily sessions, 3 weeks, each week alike
        days = [FIRST + dt.timedelta(days=d) for d in range(21) if d % 7 < 6]
        change = {0: 2, 1: 0, 2: 1}
        rows = [
            {"at": f"{day} 08:00", "session_id": f"s{k}", "pain_before": 3,
             "pain_after": 3 + change[k // 6] + k % 2}
            for k, day in enumerate(days)
        ]  # fmt: skip
        row = analysis.immediate_effect(make_log(*rows)).loc["bridge"]
        changes = np.array([change[k // 6] + k % 2 for k in range(len(days))])
        naive = analysis.t_quantile(0.975, len(changes) - 1) * changes.std(ddof=1) / 18**0.5
        assert row["n"] == 18 and row["weeks"] == 3
        assert row["ci_high"] - row["change"] > 3 * naive  # far wider than 18 independent ones
        # independent sessions would have called it "higher"; by week it is unclear
        assert changes.mean() - naive > 0 and row["verdict"] == "unclear"
        low, high = _expected_interval(changes, [k // 6 for k in range(18)])
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))

    def test_enough_sessions_in_too_few_weeks_are_too_few(self):
        rows = [
            {"at": f"{FIRST + dt.timedelta(days=d)} 08:00", "session_id": f"s{d}",
             "pain_before": 4, "pain_after": 2 + d % 2}
            for d in range(10)  # 10 daily sessions in 2 weeks
        ]  # fmt: skip
        row = analysis.immediate_effect(make_log(*rows)).loc["bridge"]
        assert (row["n"], row["weeks"], row["verdict"]) == (10, 2, "too few")
        assert math.isnan(row["ci_low"])

    def test_identical_differences_get_no_interval(self):
        log = make_log(*_bouts("bridge", [(3, 2)] * 8))
        row = analysis.immediate_effect(log).loc["bridge"]
        assert row["verdict"] == "identical" and row["change"] == -1
        assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])

    @pytest.mark.parametrize("n", range(0, analysis.MIN_SESSIONS))
    def test_below_the_minimum_it_is_too_few(self, n):
        log = make_log(*_bouts("bridge", [(4, 2), (4, 3)] * 3)[:n]) if n else EMPTY
        effect = analysis.immediate_effect(log)
        assert (effect["verdict"] == "too few").all()
        assert effect["ci_low"].isna().all()

    def test_frames_without_the_session_columns_are_read(self):
        log = make_log(*_bouts("bridge", [(4, 2), (4, 3)] * 3))
        old = log.drop(columns=[c for c in log.columns if c.startswith("session_pain")])
        pd.testing.assert_frame_equal(
            analysis.immediate_effect(old), analysis.immediate_effect(log)
        )
        assert analysis.daily_pain(old)["before_mean"].tolist() == [4.0] * 6


def whole_session_log(sessions: int, before: int = 3, after: int = 2) -> pd.DataFrame:
    """All seven exercises (both sides where per side) per session, rated once per session.

    The session's rating is in ``session_pain_before/after`` when the frame has
    those columns; the bouts carry no rating of their own.
    """
    from backkit.exercises import exercise_ids, get_exercise

    rows = []
    for d in range(sessions):
        k = 0
        for ex_id in exercise_ids():
            sides = ["left", "right"] if get_exercise(ex_id).per_side else ["both"]
            for side in sides:
                rows.append({"at": f"2025-03-{d + 3:02d} 08:{k:02d}", "session_id": f"w{d}",
                             "exercise_id": ex_id, "side": side})  # fmt: skip
                k += 1
    log = make_log(*rows)
    log["session_pain_before"] = pd.array([before] * len(log), dtype="Int64")
    log["session_pain_after"] = pd.array([after] * len(log), dtype="Int64")
    return log


class TestVerdict:
    def test_the_interval_decides_lower_higher_or_unclear(self):
        log = make_log(
            *_bouts("bridge", [(5, 3), (5, 4), (6, 4), (5, 3), (5, 4), (6, 3)]),  # below 0
            *_bouts("squat", [(3, 5), (3, 4), (2, 4), (3, 5), (3, 4), (2, 5)]),  # above 0
            *_bouts("knee-to-chest", [(4, 2), (4, 6), (4, 3), (4, 5), (4, 4), (4, 5)]),
            *_bouts("double-knee-to-chest", [(4, 1)]),  # one session: too few
        )
        effect = analysis.immediate_effect(log)
        assert effect["verdict"].to_dict() == {
            "knee-to-chest": "unclear",
            "double-knee-to-chest": "too few",
            "bridge": "lower",
            "squat": "higher",
        }
        assert list(effect["verdict"].cat.categories) == list(analysis.VERDICTS)
        assert effect.loc["bridge", "ci_high"] < 0 < effect.loc["squat", "ci_low"]

    def test_empty_log_has_the_column_too(self):
        effect = analysis.immediate_effect(EMPTY)
        assert effect.empty and "verdict" in effect.columns


class TestWorkPerDay:
    def test_done_and_planned_seconds_and_mean_pain_per_day(self):
        log = make_log(
            {"at": "2025-03-03 08:00", "exercise_id": "knee-to-chest", "side": "left",
             "sets_planned": 1, "reps_planned": 2, "hold_s_planned": 15.0, "sets_done": 1,
             "reps_done": 2, "hold_s_done": 15.0, "pain_before": 4, "pain_after": 3},
            {"at": "2025-03-03 08:02", "exercise_id": "knee-to-chest", "side": "right",
             "sets_planned": 1, "reps_planned": 2, "hold_s_planned": 15.0, "sets_done": 1,
             "reps_done": 1, "hold_s_done": 15.0, "pain_before": 2, "pain_after": 2},
            {"at": "2025-03-04 08:00", "exercise_id": "squat"},
        )  # fmt: skip
        work = analysis.work_per_day(log, "knee-to-chest")
        assert work.index.tolist() == [pd.Timestamp("2025-03-03")]
        row = work.iloc[0]
        assert (row["seconds_done"], row["seconds_planned"]) == (45.0, 60.0)
        assert (row["pain_before"], row["pain_after"]) == (3.0, 2.5)

    def test_counts_work_as_time_under_tension_does(self):
        log = make_log(*_bouts("bridge", [(3, 3), (3, 3)], sets_done=3, reps_done=10))
        tut = analysis.time_under_tension(log)
        work = analysis.work_per_day(log, "bridge")
        assert work["seconds_done"].tolist() == tut["seconds"].tolist() == [300.0, 300.0]

    def test_an_exercise_not_logged_gives_an_empty_table(self):
        assert analysis.work_per_day(make_log({"at": "2025-03-03 08:00"}), "squat").empty
        assert analysis.work_per_day(EMPTY, "squat").empty


class TestSessionsPerWeek:
    def test_distinct_sessions_per_local_week_with_empty_weeks(self):
        log = make_log(
            {"at": "2025-03-03 08:00", "session_id": "a"},
            {"at": "2025-03-03 08:05", "session_id": "a", "exercise_id": "squat"},
            {"at": "2025-03-09 23:30", "session_id": "b"},  # Sunday night: still week 1
            {"at": "2025-03-17 00:30", "session_id": "c"},  # Monday after an empty week
        )
        per_week = analysis.sessions_per_week(log)
        assert per_week.to_dict() == {
            pd.Timestamp("2025-03-03"): 2,
            pd.Timestamp("2025-03-10"): 0,
            pd.Timestamp("2025-03-17"): 1,
        }
        assert per_week.name == "sessions" and per_week.index.name == "week"

    def test_empty_log(self):
        assert analysis.sessions_per_week(EMPTY).empty


class TestTimeUnderTension:
    def test_sets_reps_hold_summed_per_session(self):
        log = make_log(
            {"at": "2025-03-03 08:00", "session_id": "a", "exercise_id": "bridge",
             "sets_done": 3, "reps_done": 10, "hold_s_done": 5.0},
            {"at": "2025-03-03 08:10", "session_id": "a", "exercise_id": "squat",
             "sets_done": 2, "reps_done": 10, "hold_s_done": 4.0},
            {"at": "2025-03-04 08:00", "session_id": "b", "exercise_id": "knee-to-chest",
             "side": "left", "sets_done": 1, "reps_done": 2, "hold_s_done": 15.0},
            {"at": "2025-03-04 08:02", "session_id": "b", "exercise_id": "knee-to-chest",
             "side": "right", "sets_done": 1, "reps_done": 1, "hold_s_done": 12.5},
        )  # fmt: skip
        tut = analysis.time_under_tension(log)
        assert tut["session_id"].tolist() == ["a", "b"]
        assert tut["seconds"].tolist() == [230.0, 42.5]
        assert tut["bouts"].tolist() == [2, 2]
        assert str(tut["started_at"].dtype) == f"datetime64[ns, {TZ}]"


class TestPainFlags:
    def test_each_kind_of_flag(self):
        log = make_log(
            {"at": "2025-03-03 08:00", "session_id": "a", "pain_before": 2, "pain_after": 2},
            {"at": "2025-03-04 08:00", "session_id": "b", "pain_before": 4, "pain_after": 6},
            {"at": "2025-03-05 08:00", "session_id": "c", "pain_before": 3, "pain_after": 5},
            {"at": "2025-03-05 08:05", "session_id": "c", "pain_before": 5, "pain_after": 5},
        )
        flags = analysis.pain_flags(log)
        assert flags[["session_id", "kind"]].astype(str).values.tolist() == [
            ["b", "above-limit"],  # 6 > 5 (a rise of 2 too, reported once)
            ["b", "higher-next-session"],  # started at 4, session before at 2
            ["c", "rose-during"],  # 3 -> 5
        ]
        assert flags.loc[0, "message"].startswith(
            "Pain went from 4 to 6/10 during bridge: above 5/10 and a rise of 2 points, over "
            "the limit of the kit's pain rule: stop it for the day, do less next time."
        )
        assert flags.loc[0, "reference"] == 4  # the pain before: the limit is relative to it
        assert "the kit's rule: a rise of 2 or more points" in flags.loc[2, "message"]
        assert flags.loc[1, "pain"] == 4 and flags.loc[1, "reference"] == 2
        assert pd.isna(flags.loc[1, "exercise_id"])

    def test_a_high_usual_pain_that_does_not_rise_is_not_flagged(self):
        # third review, W3: pain 6 before and after (or 7 before 6) is not over any limit
        log = pain_days({"2025-03-03": (6, 6), "2025-03-04": (6, 7), "2025-03-05": (7, 7)})
        assert analysis.pain_flags(log).empty
        log = pain_days({"2025-03-03": (6, 6), "2025-03-04": (6, 8)})
        assert analysis.pain_flags(log)["kind"].tolist() == ["above-limit"]

    def test_pain_after_without_pain_before_uses_the_5_of_10_default(self):
        log = make_log({"at": "2025-03-03 08:00", "pain_after": 6},
                       {"at": "2025-03-04 08:00", "pain_after": 5})  # fmt: skip
        flags = analysis.pain_flags(log)
        assert flags["kind"].tolist() == ["above-limit"]
        assert flags.loc[0, "message"].startswith(
            "Pain was 6/10 after bridge, above 5/10 (the pain before was not rated)"
        )
        assert pd.isna(flags.loc[0, "reference"])

    def test_flags_are_the_timer_advice_rule(self):
        # one rule: every rated bout is flagged exactly when the timer would advise
        from backkit import safety

        pairs = [(b, a) for b in range(11) for a in range(11)]
        log = make_log(*(
            {"at": f"{FIRST + dt.timedelta(days=k)} 08:00", "pain_before": b, "pain_after": a}
            for k, (b, a) in enumerate(pairs)
        ), tz="UTC")  # fmt: skip
        flags = analysis.pain_flags(log)
        bouts = flags[flags["kind"] != "higher-next-session"]
        flagged = {(int(r.reference), int(r.pain)): r.kind for r in bouts.itertuples()}
        for b, a in pairs:
            advice = safety.check_pain(b, a)
            kind = {"stop": "above-limit", "reduce": "rose-during"}.get(
                advice.level if advice else ""
            )
            assert flagged.get((b, a)) == kind, (b, a)

    def test_both_sides_of_one_exercise_give_one_flag(self):
        log = make_log(
            {"at": "2025-03-03 08:00", "exercise_id": "knee-to-chest", "side": "left",
             "pain_before": 4, "pain_after": 6},
            {"at": "2025-03-03 08:01", "session_id": "s0", "exercise_id": "knee-to-chest",
             "side": "right", "pain_before": 4, "pain_after": 7},
        )  # fmt: skip
        flags = analysis.pain_flags(log)
        assert flags["kind"].tolist() == ["above-limit"] and flags["pain"].tolist() == [7]

    def test_whole_session_ratings_give_session_flags_naming_no_exercise(self):
        log = whole_session_log(3, before=3, after=6)
        log.loc[log["session_id"] == "w1", "session_pain_after"] = 5  # 3 -> 5: a rise of 2
        log.loc[log["session_id"] == "w2", ["session_pain_before", "session_pain_after"]] = 5
        flags = analysis.pain_flags(log)
        assert flags[["session_id", "kind"]].astype(str).values.tolist() == [
            ["w0", "above-limit"],
            ["w1", "rose-during"],
            ["w2", "higher-next-session"],
        ]
        assert flags["exercise_id"].isna().all()
        assert flags.loc[0, "message"].startswith("Pain went from 3 to 6/10 during the session")

    def test_quiet_log_has_no_flags(self):
        assert analysis.pain_flags(pain_days({"2025-03-03": (3, 2), "2025-03-04": (4, 3)})).empty
        assert analysis.pain_flags(EMPTY).columns.tolist()[:5] == [
            "started_at", "day", "session_id", "exercise_id", "kind"
        ]  # fmt: skip


class TestFlareUps:
    def test_a_jump_of_two_points_over_the_week_before(self):
        log = pain_days(
            {
                "2025-03-03": (3, 3),
                "2025-03-04": (3, 3),
                "2025-03-05": (4, 4),
                "2025-03-06": (6, 6),  # 6 - mean(3, 3, 4) = 2.67
                "2025-03-07": (6, 6),  # 6 - mean(3, 3, 4, 6) = 2
                "2025-03-08": (7, 7),  # 7 - 4.4 = 2.6
                "2025-03-09": (6, 6),  # 6 - 4.83 < 2
            }
        )
        flares = analysis.flare_ups(log)
        assert [d.day for d in flares.index] == [6, 7, 8]
        assert flares["recent"].iloc[0] == pytest.approx(10 / 3)


class TestWeeklyAdherence:
    def test_done_capped_per_exercise_against_the_plan(self):
        plan = Plan("Two daily", items=["bridge", "squat"], start=dt.date(2025, 3, 3))
        rows = [{"at": f"2025-03-{d:02d} 08:00", "exercise_id": "bridge"} for d in range(3, 10)]
        rows += [{"at": f"2025-03-{d:02d} 19:00", "exercise_id": "bridge"} for d in range(3, 5)]
        rows += [{"at": f"2025-03-{d:02d} 08:00", "exercise_id": "squat"} for d in (3, 5, 7)]
        rows += [{"at": "2025-03-04 08:00", "exercise_id": "knee-to-chest", "side": "left"}]
        rows += [{"at": "2025-03-11 08:00", "exercise_id": "squat", "status": "partial",
                  "sets_planned": 2, "sets_done": 1}]  # fmt: skip
        per_exercise, weeks = analysis.weekly_adherence(make_log(*rows), plan)
        assert weeks.index.tolist() == [pd.Timestamp("2025-03-03"), pd.Timestamp("2025-03-10")]
        assert per_exercise.columns.tolist() == ["bridge", "squat"]  # the plan's, not others
        assert per_exercise.to_numpy().tolist() == [[7.0, 3.0], [0.0, 0.5]]
        # week 2 counts to the last day logged (Tuesday): 2 days x 2 exercises
        assert weeks["prescribed"].tolist() == [14.0, 4.0]
        assert weeks["percent"].tolist() == pytest.approx([1000 / 14, 12.5])
        _, full = analysis.weekly_adherence(make_log(*rows), plan, end="2025-03-16")
        assert full["prescribed"].tolist() == [14.0, 14.0]

    def test_without_a_plan_only_what_was_done(self):
        log = pain_days({"2025-03-03": (3, 3), "2025-03-04": (3, 3)})
        per_exercise, weeks = analysis.weekly_adherence(log)
        assert per_exercise["bridge"].tolist() == [2.0]
        assert weeks["prescribed"].isna().all() and weeks["percent"].isna().all()


def test_functions_do_not_change_the_frame():
    log = pain_days({"2025-03-03": (5, 4), "2025-03-04": (6, 7)})
    before = log.copy()
    for fn in (
        analysis.daily_pain,
        analysis.weekly_pain,
        analysis.pain_trend,
        analysis.pain_change_by_week,
        analysis.immediate_effect,
        analysis.time_under_tension,
        analysis.sessions_per_week,
        analysis.pain_flags,
        analysis.flare_ups,
        lambda f: analysis.work_per_day(f, "bridge"),
    ):
        fn(log)
    pd.testing.assert_frame_equal(log, before)
    assert np.array_equal(log.index, before.index)


class TestStaleness:
    """The one rule for stale data: the newest session more than 4 weeks before today."""

    @pytest.mark.parametrize(
        ("newest", "said"),
        [
            ("2025-03-31", None),  # today
            ("2025-03-03", None),  # exactly 4 weeks: not yet stale
            ("2025-03-02", "the newest session is 4 weeks and 1 day old"),
            ("2025-02-17", "the newest session is 6 weeks old"),
            ("2025-02-03", "the newest session is 2 months old"),
            ("2023-03-31", "the newest session is 2 years old"),
            (None, None),  # nothing logged is not stale data
        ],
    )
    def test_on_the_kits_pinned_clock(self, pin_today, newest, said):
        pin_today("2025-03-31T09:00+00:00")
        day = None if newest is None else dt.date.fromisoformat(newest)
        assert analysis.staleness(day) == said
        assert analysis.staleness(day, dt.date(2025, 3, 31)) == said

    def test_the_clock_is_the_kits_local_day(self, pin_today, monkeypatch):
        # 23:30 UTC on 30 March is already 31 March in Auckland, the day the rule counts from
        monkeypatch.setenv("BACKKIT_TZ", "Pacific/Auckland")
        pin_today("2025-03-30T23:30+00:00")
        assert analysis.staleness(dt.date(2025, 3, 3)) is None  # 28 days in Auckland
        assert analysis.staleness(dt.date(2025, 3, 2)) is not None
        monkeypatch.setenv("BACKKIT_TZ", "UTC")
        assert analysis.staleness(dt.date(2025, 3, 2)) is None  # still the 30th in UTC

    def test_timestamps_from_a_log_are_read_as_days(self):
        assert analysis.staleness(pd.Timestamp("2025-03-02 23:59"), dt.date(2025, 3, 31))


# --------------------------------------------------------------------------
# Logs stacked with a key: each log's results, as alone


def _stacked_logs(monkeypatch) -> tuple[pd.DataFrame, dict[int, pd.DataFrame]]:
    """Sample logs (the same session ids in several) and one rated per session, stacked."""
    from backkit import sample

    monkeypatch.setenv("BACKKIT_TZ", "Europe/London")  # a clock change inside the logs
    logs = {
        0: sample.sample_log(weeks=6, seed=1, profile="flare-up"),
        1: sample.sample_log(weeks=6, seed=1, profile="flare-up"),  # the same ids again
        2: sample.sample_log(weeks=3, seed=2, profile="plateau", start="2025-03-10"),
        3: sample.sample_log(weeks=1, seed=3).iloc[:0],  # nothing logged
    }
    rated = sample.sample_log(weeks=5, seed=4, profile="flare-up")
    sessions = rated["session_id"].astype(str)
    rated["session_pain_before"] = rated.groupby(sessions)["pain_before"].transform("first")
    rated["session_pain_after"] = rated.groupby(sessions)["pain_after"].transform("max") + 1
    rated[["pain_before", "pain_after"]] = pd.NA
    logs[4] = rated
    logs[1] = logs[1].assign(pain_after=logs[1]["pain_after"].fillna(0) + 2)  # more flags
    stack = pd.concat([log.assign(patient=k) for k, log in logs.items()], ignore_index=True)
    return stack, logs


def _log_of(table: pd.DataFrame, key: int) -> pd.DataFrame:
    return table[table["patient"] == key].drop(columns="patient").reset_index(drop=True)


def test_pain_flags_of_stacked_logs_are_each_logs_own(monkeypatch):
    stack, logs = _stacked_logs(monkeypatch)
    flags = analysis.pain_flags(stack, by="patient")
    assert list(flags.columns[:2]) == ["patient", "started_at"]
    for key, log in logs.items():
        alone, mine = analysis.pain_flags(log), _log_of(flags, key)
        if alone.empty:
            assert mine.empty
            continue
        # the ids' text type may differ (stacking joins their dtypes); their values may not
        pd.testing.assert_frame_equal(mine, alone, check_exact=True, check_dtype=False)
        assert mine["session_id"].tolist() == alone["session_id"].tolist()
    kinds = set(flags["kind"])
    assert {"above-limit", "rose-during", "higher-next-session"} <= kinds
    assert flags["exercise_id"][flags["patient"] == 4].isna().all()  # whole-session flags


def test_pain_tables_baseline_and_flare_ups_of_stacked_logs_are_each_logs_own(monkeypatch):
    stack, logs = _stacked_logs(monkeypatch)
    daily = analysis.daily_pain(stack, by="patient")
    weekly = analysis.weekly_pain(stack, by="patient")
    flares = analysis.flare_ups(stack, by="patient")
    baseline = analysis.baseline_pain(stack, by="patient")
    for key, log in logs.items():
        for grouped, alone in ((daily, analysis.daily_pain(log)),
                               (weekly, analysis.weekly_pain(log)),
                               (flares, analysis.flare_ups(log))):  # fmt: skip
            has = key in grouped.index.get_level_values("patient")
            mine = grouped.xs(key, level="patient") if has else None
            if alone.empty:
                assert mine is None or mine.empty
                continue
            pd.testing.assert_frame_equal(mine, alone, check_exact=True, check_index_type=False)
        want = analysis.baseline_pain(log)
        assert (math.isnan(want) and key not in baseline.index) or baseline[key] == want
    assert len(flares.xs(1, level="patient")) > 0 and len(flares.xs(4, level="patient")) > 0
    assert analysis.baseline_pain(stack.iloc[:0], by="patient").empty


def test_weekly_adherence_of_stacked_logs_is_each_logs_own(monkeypatch):
    from backkit import sample

    stack, logs = _stacked_logs(monkeypatch)
    plans = {0: sample.sample_plan(), 1: sample.sample_plan(), 2: None, 4: sample.sample_plan()}
    ends = {0: dt.date(2025, 3, 30), 1: dt.date(2025, 3, 20), 2: None, 4: dt.date(2025, 3, 23)}
    per_exercise, weeks = analysis.weekly_adherence(stack, plans, end=ends, by="patient")
    assert sorted(weeks.index.get_level_values("patient").unique()) == [0, 1, 2, 4]
    for key, plan in plans.items():
        alone_ex, alone = analysis.weekly_adherence(logs[key], plan, end=ends[key])
        pd.testing.assert_frame_equal(weeks.xs(key, level="patient"), alone, check_exact=True)
        mine = per_exercise.xs(key, level="patient").dropna(axis=1, how="all")
        pd.testing.assert_frame_equal(mine, alone_ex, check_exact=True, check_names=False)
        assert weeks.attrs["overall"][key] == alone.attrs["overall"]
