"""The sample log and plan: the contract's columns, determinism, and a believable story."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import backkit
from backkit import analysis
from backkit.exercises import exercise_ids, get_exercise
from backkit.log import COLUMNS, SessionLog, empty_frame
from backkit.plan import Plan
from backkit.sample import PROFILES, SampleDataError, sample_log, sample_plan

ROOT = Path(__file__).resolve().parent.parent
TZ = "Europe/London"
SEEDS = range(5)


@pytest.fixture(scope="module")
def logs() -> dict[tuple[str, int], pd.DataFrame]:
    return {(p, s): sample_log(profile=p, seed=s, tz=TZ) for p in PROFILES for s in SEEDS}


def _days(log: pd.DataFrame) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(analysis.local_day(log).unique()).sort_values()


class TestContract:
    @pytest.mark.parametrize("profile", PROFILES)
    def test_columns_and_dtypes_are_the_session_logs(self, profile):
        log = sample_log(profile=profile, tz=TZ)
        expected = empty_frame(tz=TZ)
        assert list(log.columns) == list(COLUMNS)
        assert log.dtypes.to_dict() == expected.dtypes.to_dict()
        assert log["exercise_id"].cat.categories.tolist() == exercise_ids()
        assert log["started_at"].is_monotonic_increasing

    def test_public_name_is_exported(self):
        assert backkit.sample_log is sample_log and backkit.sample_plan is sample_plan

    def test_same_arguments_same_log(self):
        pd.testing.assert_frame_equal(sample_log(seed=3, tz=TZ), sample_log(seed=3, tz=TZ))
        assert not sample_log(seed=3, tz=TZ).equals(sample_log(seed=4, tz=TZ))

    def test_wall_clock_is_the_same_in_every_zone(self):
        london = sample_log(weeks=2, tz=TZ)["started_at"].dt.tz_localize(None)
        tokyo = sample_log(weeks=2, tz="Asia/Tokyo")["started_at"].dt.tz_localize(None)
        pd.testing.assert_series_equal(london, tokyo)

    def test_weeks_start_and_length(self):
        log = sample_log(weeks=3, start="2024-01-01", tz=TZ)
        days = _days(log)
        assert days[0] == pd.Timestamp("2024-01-01")
        assert days[-1] < pd.Timestamp("2024-01-22")

    def test_default_span_crosses_the_clock_change(self, logs):
        offsets = logs["improving", 0]["started_at"].map(lambda t: t.utcoffset())
        assert set(offsets) == {dt.timedelta(0), dt.timedelta(hours=1)}

    def test_every_row_is_labelled_sample_data(self, logs):
        for log in logs.values():
            assert log["notes"].str.startswith("sample data").all()
            assert log["session_id"].str.startswith("sample-").all()
            assert (log["plan_id"] == sample_plan().id).all()

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"weeks": 0}, "weeks=0 must be a whole number of weeks"),
            ({"weeks": 2.5}, "weeks=2.5"),
            ({"seed": -1}, "seed=-1"),
            ({"profile": "improvng"}, "profile='improvng' is not a sample profile. Did you mean"),
            ({"start": "yesterday"}, "start='yesterday' is not a date"),
            ({"tz": "Mars/Olympus"}, "tz='Mars/Olympus' is not an IANA time zone"),
            ({"adherence": 1.5}, "adherence=1.5 must be a chance from 0 to 1"),
        ],
    )
    def test_bad_arguments_name_the_argument_and_value(self, kwargs, message):
        with pytest.raises(SampleDataError, match=message.replace("(", r"\(").replace(".", r"\.")):
            sample_log(**kwargs)
        assert issubclass(SampleDataError, ValueError)


class TestRealism:
    def test_sessions_are_in_the_morning_or_evening(self, logs):
        for log in logs.values():
            starts = log.groupby("session_id")["started_at"].min().dt.hour
            assert starts.between(6, 10).mean() > 0.4
            assert (starts.between(6, 10) | starts.between(17, 22)).all()

    def test_per_side_exercises_come_as_left_and_right_bouts(self, logs):
        log = logs["improving", 0]
        for ex_id, rows in log.groupby("exercise_id", observed=True):
            sides = set(rows["side"].astype(str))
            if get_exercise(ex_id).per_side:
                assert sides == {"left", "right"}
                per_session = rows.groupby("session_id")["side"].apply(
                    lambda s: tuple(s.astype(str))
                )
                assert set(per_session) == {("left", "right")}
            else:
                assert sides == {"both"}

    def test_partial_bouts_are_occasional_and_marked(self, logs):
        log = logs["improving", 0]
        short = (
            (log["sets_done"] < log["sets_planned"])
            | (log["reps_done"] < log["reps_planned"])
            | (log["hold_s_done"] < log["hold_s_planned"])
        )
        assert ((log["status"] == "partial") == short).all()
        assert 0.03 < short.mean() < 0.2

    def test_doses_follow_the_sample_plan(self, logs):
        plan = sample_plan()
        log = logs["plateau", 1]
        for ex_id, rows in log.groupby("exercise_id", observed=True):
            sets, reps, hold = plan.dose(ex_id)
            assert (rows["sets_planned"] == sets).all() and (rows["reps_planned"] == reps).all()
            assert (rows["hold_s_planned"] == hold).all()

    def test_pain_is_whole_numbers_on_the_scale_with_some_missing(self, logs):
        log = logs["flare-up", 2]
        for column in ("pain_before", "pain_after", "effort"):
            values = log[column].dropna()
            assert values.between(0, 10).all()
            assert 0 < log[column].isna().mean() < 0.15

    def test_stretches_relieve_and_the_squat_sometimes_aggravates(self, logs):
        for seed in SEEDS:
            effect = analysis.immediate_effect(logs["improving", seed])
            stretches = [i for i in exercise_ids() if "stretch" in i or "chest" in i]
            assert (effect.loc[stretches, "change"] < 0).all()
            assert effect.loc["squat", "change"] > 0
            assert effect.loc["bridge", "change"] > -0.3  # about neutral
            squat = logs["improving", seed].query("exercise_id == 'squat'")
            rises = (squat["pain_after"] - squat["pain_before"]).dropna()
            assert 0.1 < (rises >= 1).mean() < 0.7  # sometimes, not always

    def test_missed_days_come_in_runs(self, logs):
        log = logs["improving", 0]
        gaps = np.diff(_days(log).to_numpy()).astype("timedelta64[D]").astype(int)
        assert (gaps > 1).any() and (gaps > 2).any()


class TestProfiles:
    @pytest.mark.parametrize("seed", SEEDS)
    def test_improving_pain_falls_past_the_mcid_while_adherence_drifts_down(self, logs, seed):
        log = logs["improving", seed]
        change = analysis.pain_change_by_week(log)
        assert change["mcid"].iloc[-3:].sum() >= 2
        assert change["change"].iloc[-3:].mean() < -1.5
        days = _days(log)
        first3 = (days < days[0] + pd.Timedelta(weeks=3)).sum()
        last3 = (days >= days[0] + pd.Timedelta(weeks=9)).sum()
        assert first3 >= 17 and last3 < first3 - 3

    @pytest.mark.parametrize("seed", SEEDS)
    def test_flare_up_spikes_mid_way_with_missed_days(self, logs, seed):
        log = logs["flare-up", seed]
        weekly = analysis.weekly_pain(log)["before_mean"]
        spike = weekly.idxmax()
        assert 5 <= (spike - weekly.index[0]).days // 7 <= 7  # mid-way through twelve weeks
        assert weekly.max() - weekly.loc[: spike - pd.Timedelta(days=1)].iloc[-1] >= 2
        flares = analysis.flare_ups(log)
        assert ((flares.index >= spike) & (flares.index < spike + pd.Timedelta(days=7))).any()
        days = _days(log)
        gaps = np.diff(days.to_numpy()).astype("timedelta64[D]").astype(int)
        # a rest of 5+ days begins in the week of the spike
        rest_from = days[:-1][gaps >= 5]
        assert ((rest_from >= spike) & (rest_from < spike + pd.Timedelta(days=7))).any()

    @pytest.mark.parametrize("seed", SEEDS)
    def test_plateau_stays_about_the_same(self, logs, seed):
        change = analysis.pain_change_by_week(logs["plateau", seed])
        assert abs(change["change"].iloc[-4:].mean()) < 1.0
        assert change["mcid"].sum() <= 2

    def test_adherence_one_gives_a_session_every_day(self):
        log = sample_log(weeks=4, adherence=1, tz=TZ)
        assert len(_days(log)) == 28


class TestSamplePlan:
    def test_plan_matches_the_log(self):
        plan = sample_plan()
        assert isinstance(plan, Plan)
        assert [i.exercise_id for i in plan.items] == backkit.exercises.article_ids()
        assert plan.days_per_week == 7 and plan.start == dt.date(2025, 2, 17)
        assert "sample data" in plan.notes.lower() and "not a prescription" in plan.notes
        assert sample_plan("2024-06-03").start == dt.date(2024, 6, 3)

    def test_save_and_load_round_trip(self, tmp_path):
        path = sample_plan().save(tmp_path / "plan.yaml")
        assert Plan.load(path) == sample_plan()


class TestShippedFiles:
    def test_csv_imports_into_a_real_log_as_the_improving_sample(self, tmp_path):
        with SessionLog(tmp_path / "log.sqlite") as log:
            added = log.import_csv(ROOT / "data" / "sample_sessions.csv")
            frame = log.frame(tz=TZ)
        expected = sample_log(weeks=12, seed=0, profile="improving", tz=TZ)
        assert added == len(expected)
        pd.testing.assert_frame_equal(frame, expected)

    def test_plan_file_is_the_sample_plan(self):
        assert Plan.load(ROOT / "data" / "sample_plan.yaml") == sample_plan()

    def test_the_script_writes_the_same_files(self, tmp_path):
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_sample_data.py"), str(tmp_path)],
            check=True,
            capture_output=True,
        )
        for name in ("sample_sessions.csv", "sample_plan.yaml"):
            assert (tmp_path / name).read_text() == (ROOT / "data" / name).read_text(), name
