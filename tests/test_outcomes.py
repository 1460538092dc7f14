"""Outcome measures: store, validation, migration, MCID classes, sample check-ins, chart."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml

from backkit import analysis
from backkit import log as logmod
from backkit.charts import plot_outcomes
from backkit.errors import CheckInError
from backkit.log import SCHEMA_VERSION, SessionLog, empty_frame
from backkit.outcomes import (
    OUTCOME_COLUMNS,
    change_from_baseline,
    custom_measures,
    empty_outcomes,
    outcomes_frame,
    psfs_activities,
    record_checkin,
    summary_line,
    thresholds,
)
from backkit.sample import PROFILES, SampleDataError, sample_checkins, sample_log
from backkit.store import Store

PSFS3 = {"sitting 1 hour": 3, "gardening": 2, "lifting a child": 4}
ODI = dict(name="ODI total", score=40, min=0, max=100, higher_is_better=False, mcid=10)


@pytest.fixture
def with_baseline(log):
    record_checkin(
        log, "2025-03-03", pain_average=6, pain_worst=8, psfs=PSFS3, custom=ODI, baseline=True
    )
    return log


# --------------------------------------------------------------------------
# Storing and reading


class TestStore:
    def test_a_checkin_is_stored_in_the_session_log_file(self, log, path):
        rows = record_checkin(log, "2025-03-03", pain_average=6, pain_worst=8, psfs=PSFS3)
        assert len(rows) == 5
        raw = sqlite3.connect(path)
        stored = raw.execute(
            "SELECT measured_on, measure, item, score, baseline FROM outcome_scores ORDER BY row_id"
        ).fetchall()
        raw.close()
        assert stored == [
            ("2025-03-03", "pain_average", None, 6.0, 1),
            ("2025-03-03", "pain_worst", None, 8.0, 1),
            ("2025-03-03", "psfs", "sitting 1 hour", 3.0, 1),
            ("2025-03-03", "psfs", "gardening", 2.0, 1),
            ("2025-03-03", "psfs", "lifting a child", 4.0, 1),
        ]

    def test_rows_survive_reopening_and_the_store_stays_durable(self, path):
        with SessionLog(path) as first:
            record_checkin(first, "2025-03-03", pain_average=5, psfs=PSFS3)
        with SessionLog(path) as again:
            df = outcomes_frame(again)
            assert len(df) == 4
            assert again.store.query("PRAGMA journal_mode")[0][0] == "wal"
            assert again.store.query("PRAGMA synchronous")[0][0] == 2  # FULL
            assert again.check() == ["ok"]

    def test_frame_columns_and_dtypes(self, with_baseline):
        df = outcomes_frame(with_baseline)
        assert list(df.columns) == list(OUTCOME_COLUMNS)
        assert {c: str(df[c].dtype) for c in df} == {
            **OUTCOME_COLUMNS,
            "date": "datetime64[ns]",
        }
        assert {c: str(t) for c, t in empty_outcomes().dtypes.items()} == {
            c: str(df[c].dtype) for c in df
        }
        odi = df[df["measure"] == "ODI total"].iloc[0]
        assert (odi["scale_min"], odi["scale_max"], odi["higher_is_better"], odi["mcid"]) == (
            0,
            100,
            False,
            10,
        )
        psfs = df[df["measure"] == "psfs"]
        assert psfs["item"].tolist() == list(PSFS3)
        assert psfs["higher_is_better"].all()
        assert df.loc[df["measure"] == "pain_average", "item"].isna().all()
        assert df["baseline"].all()
        assert df["date"].eq(pd.Timestamp("2025-03-03")).all()

    def test_returned_rows_are_what_the_frame_shows(self, log):
        rows = record_checkin(log, "2025-03-03", pain_average=5, psfs=PSFS3, notes="first")
        pd.testing.assert_frame_equal(rows, outcomes_frame(log))

    def test_follow_ups_reuse_the_baseline_activities(self, with_baseline):
        # the same activities, typed with other case and spacing, in another order
        record_checkin(
            with_baseline,
            "2025-03-10",
            pain_average=5,
            psfs={"Lifting a  child": 5, "GARDENING": 4, "sitting 1 hour": 5},
            custom={"name": "odi total", "score": 32},
        )
        df = outcomes_frame(with_baseline)
        later = df[df["date"] == pd.Timestamp("2025-03-10")]
        assert set(later.loc[later["measure"] == "psfs", "item"]) == set(PSFS3)
        assert not later["baseline"].any()
        assert later.loc[later["kind"] == "custom", "measure"].tolist() == ["ODI total"]
        assert psfs_activities(df) == list(PSFS3)
        assert custom_measures(df) == {
            "ODI total": {"min": 0.0, "max": 100.0, "higher_is_better": False, "mcid": 10.0}
        }

    def test_a_measure_started_later_has_its_own_baseline(self, log):
        record_checkin(log, "2025-03-03", pain_average=6)
        record_checkin(log, "2025-03-10", pain_average=5, psfs=PSFS3)
        df = outcomes_frame(log)
        assert df.loc[df["measure"] == "psfs", "baseline"].all()
        assert df.loc[df["measure"] == "pain_average", "baseline"].tolist() == [True, False]

    def test_a_checkin_between_two_others_is_allowed(self, with_baseline):
        record_checkin(with_baseline, "2025-03-17", pain_average=4)
        record_checkin(with_baseline, "2025-03-10", pain_average=5)
        df = outcomes_frame(with_baseline)
        pain = df[df["measure"] == "pain_average"]
        assert pain["score"].tolist() == [6, 5, 4]  # oldest first

    def test_dates_in_several_forms(self, log):
        record_checkin(log, dt.date(2025, 3, 3), pain_average=6)
        record_checkin(log, dt.datetime(2025, 3, 10, 9, 30), pain_average=6)
        record_checkin(log, pd.Timestamp("2025-03-17"), pain_average=6)
        days = outcomes_frame(log)["date"].dt.strftime("%Y-%m-%d").tolist()
        assert days == ["2025-03-03", "2025-03-10", "2025-03-17"]

    def test_default_date_is_today_in_the_kit_time_zone(self, log, monkeypatch, pin_today):
        pin_today("2026-12-07T10:30+00:00")
        monkeypatch.setenv("BACKKIT_TZ", "Pacific/Kiritimati")  # UTC+14: already 8 December
        record_checkin(log, pain_average=3)
        assert outcomes_frame(log)["date"].iloc[0].date() == dt.date(2026, 12, 8)


# --------------------------------------------------------------------------
# Bad input: one clear error each, nothing stored


BAD = [
    # (keyword arguments, field, message); every case is tried after a baseline
    (
        {"psfs": {"sitting 1 hour": 3, "gardening": 2}},
        "psfs",
        "must rate the activities named at the PSFS baseline",
    ),
    (
        {"psfs": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}},
        "psfs",
        "names 6 activities; the PSFS needs 1 to 5",
    ),
    (
        {"psfs": {"sitting 1 hour": 11, "gardening": 2, "lifting a child": 4}},
        "psfs['sitting 1 hour']",
        "must be a whole number from 0 to 10",
    ),
    (
        {"psfs": {"sitting 1 hour": -1, "gardening": 2, "lifting a child": 4}},
        "psfs['sitting 1 hour']",
        "must be a whole number from 0 to 10",
    ),
    (
        {"psfs": {"sitting 1 hour": 3.5, "gardening": 2, "lifting a child": 4}},
        "psfs['sitting 1 hour']",
        "must be a whole number from 0 to 10",
    ),
    (
        {"psfs": {"   ": 3, "gardening": 2, "lifting a child": 4}},
        "psfs activity",
        "is blank: name the activity",
    ),
    (
        {"psfs": {"gardening": 3, "Gardening ": 2, "lifting a child": 4}},
        "psfs activity",
        "is named twice (also 'gardening')",
    ),
    ({"pain_average": 11}, "pain_average", "must be a whole number from 0 to 10"),
    ({"pain_worst": -2}, "pain_worst", "must be a whole number from 0 to 10"),
    ({"pain_average": "a lot"}, "pain_average", "must be a whole number from 0 to 10"),
    (
        {"pain_average": 6, "pain_worst": 4},
        "pain_worst",
        "is below pain_average (6); the worst pain of the week is at least its average",
    ),
    (
        {"pain_average": 5, "baseline": True},
        "baseline",
        "a second baseline: the baseline is already recorded (average pain on 2025-03-03)",
    ),
    (
        {"psfs": {"sitting 1 hour": 3, "gardening": 2, "swimming": 4}},
        "psfs",
        "must rate the activities named at the PSFS baseline on 2025-03-03 ('sitting 1 hour', "
        "'gardening', 'lifting a child'); new: 'swimming'; not rated: 'lifting a child'",
    ),
    ({"date": "2025-03-03", "pain_average": 5}, "date", "already has a check-in"),
    (
        {"date": "2025-02-24", "pain_average": 5},
        "date",
        "is before the baseline of average pain (2025-03-03)",
    ),
    ({"date": "2999-01-01", "pain_average": 5}, "date", "is in the future"),
    ({"date": "next week", "pain_average": 5}, "date", "is not a date"),
    ({}, "check-in", "has no answers"),
    (
        {"custom": {"name": "ODI total", "score": 140}},
        "custom.score",
        "must be a number from 0 to 100",
    ),
    (
        {"custom": {"name": "ODI total", "score": 30, "mcid": 5}},
        "custom.mcid",
        "differs from 'ODI total' as first recorded (mcid = 10.0)",
    ),
    (
        {"custom": {"name": "RMDQ total", "score": 12}},
        "custom.min",
        "is required for a new measure ('RMDQ total' is not in the store yet)",
    ),
    (
        {"custom": {"name": "  ", "score": 12}},
        "custom.name",
        "is required",
    ),
    (
        {"custom": dict(name="PSFS", score=1, min=0, max=10, higher_is_better=True, mcid=2)},
        "custom.name",
        "is a built-in measure",
    ),
    (
        {"custom": dict(name="RMDQ", score=12, min=0, max=24, higher_is_better=False, mcid=30)},
        "custom.mcid",
        "is larger than the scale (0 to 24)",
    ),
    (
        {"custom": {"name": "RMDQ total", "scor": 12}},
        "custom.scor",
        "is not a custom-measure key. Did you mean 'score'?",
    ),
    ({"psfs": ["gardening", "sitting"]}, "psfs", "must map each activity to its score"),
]


@pytest.mark.parametrize(("kwargs", "field", "message"), BAD, ids=[b[2][:40] for b in BAD])
def test_bad_input_is_refused_and_changes_nothing(
    digest, with_baseline, path, kwargs, field, message
):
    before = digest(path)
    rows_before = outcomes_frame(with_baseline)
    kwargs = {"date": "2025-03-10", **kwargs}
    with pytest.raises(CheckInError) as caught:
        record_checkin(with_baseline, **kwargs)
    err = caught.value
    assert str(err).startswith("The check-in was not saved (nothing was written):")
    assert any(p.field == field and message in p.message for p in err.problems), str(err)
    assert message in str(err)
    assert digest(path) == before
    pd.testing.assert_frame_equal(outcomes_frame(with_baseline), rows_before)


def test_a_psfs_with_one_or_two_activities_is_accepted(log):
    # common PSFS forms ask for up to 3 activities (finding 31): 1 to 5 are accepted
    record_checkin(log, "2025-03-03", pain_average=5, psfs={"a": 1, "b": 2})
    record_checkin(log, "2025-03-10", psfs={"a": 3, "b": 2})
    assert sorted(outcomes_frame(log)["item"].dropna().unique()) == ["a", "b"]


def test_a_first_psfs_with_six_activities_is_refused(digest, log, path):
    before = digest(path)
    with pytest.raises(CheckInError, match="names 6 activities; the PSFS needs 1 to 5"):
        record_checkin(log, "2025-03-03", psfs={k: 1 for k in "abcdef"})
    assert digest(path) == before
    assert outcomes_frame(log).empty


def test_a_good_part_is_not_stored_when_another_part_is_bad(digest, with_baseline, path):
    before = digest(path)
    with pytest.raises(CheckInError, match=r"custom\.score = 140"):
        record_checkin(
            with_baseline,
            "2025-03-10",
            pain_average=4,
            psfs={"sitting 1 hour": 5, "gardening": 4, "lifting a child": 6},
            custom={"name": "ODI total", "score": 140},
        )
    assert digest(path) == before


def test_every_problem_is_reported_at_once(log):
    with pytest.raises(CheckInError) as caught:
        record_checkin(log, "2025-03-03", pain_average=12, pain_worst=20, psfs={"": 3, "b": 11})
    fields = [p.field for p in caught.value.problems]
    assert fields == ["pain_average", "pain_worst", "psfs activity", "psfs['b']"]


def _race(path: str, barrier, results) -> None:
    with SessionLog(path) as opened:
        barrier.wait()
        try:
            record_checkin(opened, "2025-03-03", pain_average=5, baseline=True)
            results.put("stored")
        except CheckInError as err:
            results.put(str(err))


def test_two_processes_cannot_both_record_a_baseline(path):
    SessionLog(path).close()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(str(path), barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    outcome = sorted(results.get(timeout=5) for _ in procs)
    assert outcome[1] == "stored"
    # the loser sees the winner's check-in: same date, or a second baseline
    assert "already has a check-in" in outcome[0] or "a second baseline" in outcome[0]
    with SessionLog(path) as opened:
        assert len(outcomes_frame(opened)) == 1


# --------------------------------------------------------------------------
# Schema: a store made before the outcomes table


def _v2_store(path: Path) -> None:
    """A store as backkit wrote it before the check-ins (schema 2), holding one bout."""
    with Store(path, [logmod.BOUT_MIGRATIONS]) as old, old.transaction() as db:
        db.execute(
            "INSERT INTO bouts (session_id, started_at, exercise_id, side, status, "
            "pain_after, source) VALUES ('s1', '2025-03-01T08:00:00.000000Z', 'bridge', "
            "'both', 'completed', 2, 'manual')"
        )
        # schema 2 kept only the number of its last step
        db.execute("DROP TABLE migrations")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


class TestMigration:
    def test_the_outcomes_tables_are_migrations_3_5_and_6(self):
        from backkit import outcomes

        step, later, clearances = outcomes.MIGRATIONS
        assert (step.was, later.was, clearances.was) == (3, 5, 6)
        assert "outcome_scores" in step.statements[0]
        assert step.migration_set == later.migration_set == clearances.migration_set == "outcomes"
        assert any("CREATE TABLE checkins" in s for s in later.statements)
        assert any("CREATE TABLE screenings" in s for s in later.statements)
        assert any("CREATE TABLE clearances" in s for s in clearances.statements)

    def test_a_v2_store_opens_and_gains_the_table(self, path):
        _v2_store(path)
        raw = sqlite3.connect(path)
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        raw.close()
        assert "outcome_scores" not in tables
        with SessionLog(path) as opened:
            assert opened.migrated_from == 2
            assert opened.schema_version == SCHEMA_VERSION
            assert len(opened) == 1 and opened.frame()["pain_after"].tolist() == [2]
            assert outcomes_frame(opened).empty
            record_checkin(opened, "2025-03-03", pain_average=5, psfs=PSFS3)
            meta = dict(opened.store.query("SELECT key, value FROM meta"))
            assert "upgraded_from_v2_at" in meta
        with SessionLog(path) as again:
            assert again.migrated_from == SCHEMA_VERSION
            assert len(outcomes_frame(again)) == 4

    def test_a_v1_store_is_upgraded_through_both_steps(self, path):
        raw = sqlite3.connect(path)
        raw.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE bouts (
                row_id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, started_at TEXT NOT NULL,
                ended_at TEXT, exercise_id TEXT NOT NULL, side TEXT NOT NULL,
                sets_planned INTEGER, sets_done INTEGER, reps_planned INTEGER,
                reps_done INTEGER, hold_s_planned REAL, hold_s_done REAL, status TEXT NOT NULL,
                pain_before INTEGER, pain_after INTEGER, effort INTEGER, notes TEXT,
                plan_id TEXT, source TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '1');
            """
        )
        raw.close()
        with SessionLog(path) as opened:
            assert (opened.migrated_from, opened.schema_version) == (1, SCHEMA_VERSION)
            record_checkin(opened, "2025-03-03", pain_average=5)
            assert len(outcomes_frame(opened)) == 1

    def test_the_store_refuses_a_second_baseline_by_itself(self, with_baseline):
        # the partial unique index holds even if code skipped the check
        with pytest.raises(sqlite3.IntegrityError), with_baseline.store.transaction() as db:
            db.execute(
                "INSERT INTO outcome_scores (checkin_id, measured_on, baseline, kind, "
                "measure, item, score, scale_min, scale_max, higher_is_better, recorded_at) "
                "VALUES ('x', '2025-03-10', 1, 'pain', 'pain_average', NULL, 4, 0, 10, 0, 'x')"
            )
        assert len(outcomes_frame(with_baseline)) == 6


# --------------------------------------------------------------------------
# Change from baseline, against hand-made answers


def _statuses(log) -> dict[tuple[str, str], list[str]]:
    change = change_from_baseline(outcomes_frame(log))
    out: dict[tuple[str, str], list[str]] = {}
    for r in change.itertuples():
        item = r.item if isinstance(r.item, str) else ""
        out.setdefault((r.measure, item), []).append(str(r.status))
    return out


class TestChange:
    def test_pain_two_points_or_thirty_percent(self, log):
        # baseline 6: thresholds min(2, 30% of 6 = 1.8) = 1.8 points either way
        for day, score in zip([3, 10, 17, 24, 31], [6, 5, 4, 8, 7], strict=True):
            record_checkin(log, f"2025-03-{day:02d}", pain_average=score)
        change = change_from_baseline(outcomes_frame(log))
        assert change["status"].tolist() == [
            "baseline",
            "unchanged",
            "improved",
            "worse",
            "unchanged",
        ]
        assert change["change"].tolist() == [0, -1, -2, 2, 1]
        assert change["gain"].tolist() == [0, 1, 2, -2, -1]
        # baseline 6: 30% is 1.8 points, under 2, so 2 points is the threshold
        assert change["mcid"].round(6).tolist() == [2.0] * 5
        assert change["change_pct"].round(1).tolist() == [0.0, -16.7, -33.3, 33.3, 16.7]

    def test_a_fall_under_two_points_is_never_meaningful(self, log):
        # baseline 3: a fall of 1 is 33%, but under 2 points (finding 14)
        record_checkin(log, "2025-03-03", pain_average=3)
        record_checkin(log, "2025-03-10", pain_average=2)
        record_checkin(log, "2025-03-17", pain_average=1)
        assert _statuses(log)[("pain_average", "")] == ["baseline", "unchanged", "improved"]

    def test_thirty_percent_decides_at_a_high_baseline(self, log):
        # baseline 9: 30% is 2.7 points, so a fall of 2 is not enough (Farrar 2001)
        record_checkin(log, "2025-03-03", pain_worst=9)
        record_checkin(log, "2025-03-10", pain_worst=7)
        record_checkin(log, "2025-03-17", pain_worst=6)
        assert _statuses(log)[("pain_worst", "")] == ["baseline", "unchanged", "improved"]

    def test_a_baseline_of_zero_uses_points(self, log):
        record_checkin(log, "2025-03-03", pain_worst=0)
        record_checkin(log, "2025-03-10", pain_worst=1)
        record_checkin(log, "2025-03-17", pain_worst=2)
        change = change_from_baseline(outcomes_frame(log))
        assert change["status"].tolist() == ["baseline", "unchanged", "worse"]
        assert np.isnan(change["change_pct"].iloc[1])

    def test_psfs_mean_two_points_one_activity_three(self, log):
        base = {"a": 2, "b": 3, "c": 4}  # mean 3
        record_checkin(log, "2025-03-03", psfs=base)
        record_checkin(log, "2025-03-10", psfs={"a": 4, "b": 5, "c": 6})  # mean +2, items +2
        record_checkin(log, "2025-03-17", psfs={"a": 5, "b": 3, "c": 4})  # mean +1, a +3
        record_checkin(log, "2025-03-24", psfs={"a": 0, "b": 1, "c": 2})  # mean -2, items -2
        record_checkin(log, "2025-03-31", psfs={"a": 2, "b": 0, "c": 4})  # mean -1, b -3
        s = _statuses(log)
        assert s[("psfs", "")] == ["baseline", "improved", "unchanged", "worse", "unchanged"]
        assert s[("psfs", "a")] == ["baseline", "unchanged", "improved", "unchanged", "unchanged"]
        assert s[("psfs", "b")] == ["baseline", "unchanged", "unchanged", "unchanged", "worse"]
        change = change_from_baseline(outcomes_frame(log))
        mean = change[(change["measure"] == "psfs") & change["item"].isna()]
        assert mean["score"].round(6).tolist() == [3, 5, 4, 1, 2]
        assert mean["mcid"].tolist() == [2.0] * 5
        items = change[change["item"].notna()]
        assert set(items["mcid"]) == {3.0}
        assert mean["label"].iloc[0] == "PSFS (mean)" and items["label"].iloc[0] == "PSFS: a"

    def test_custom_measures_use_the_clinicians_mcid_and_direction(self, log):
        odi = {"name": "ODI", "min": 0, "max": 100, "higher_is_better": False, "mcid": 10}
        grip = {"name": "grip kg", "min": 0, "max": 80, "higher_is_better": True, "mcid": 5}
        record_checkin(log, "2025-03-03", custom=[{**odi, "score": 40}, {**grip, "score": 25}])
        for day, o, g in [(10, 31, 29), (17, 30, 30), (24, 50, 19)]:
            record_checkin(
                log,
                f"2025-03-{day}",
                custom=[{"name": "ODI", "score": o}, {"name": "grip kg", "score": g}],
            )
        s = _statuses(log)
        assert s[("ODI", "")] == ["baseline", "unchanged", "improved", "worse"]
        assert s[("grip kg", "")] == ["baseline", "unchanged", "improved", "worse"]

    def test_the_thresholds_come_from_the_data_file(self):
        data = yaml.safe_load(
            (Path(analysis.__file__).parent / "data" / "outcomes.yaml").read_text()
        )
        t = thresholds()
        assert t["pain_average"]["points"] == data["pain_nrs"]["mcid"]["points"] == 2
        assert t["pain_worst"]["percent"] == data["pain_nrs"]["mcid"]["percent"] == 30
        assert t["psfs"]["points"] == data["psfs"]["mdc"]["mean"] == 2
        assert t["psfs_item"]["points"] == data["psfs"]["mdc"]["item"] == 3
        assert "J Orthop Sports Phys Ther 44(8):560-564" in " ".join(
            data["sources"]["ABBOTT"].split()
        )
        assert data["psfs"]["sources"] == ["STRATFORD", "ABBOTT"]

    def test_the_docstring_names_each_source(self):
        doc = " ".join(change_from_baseline.__doc__.split())
        for text in ("Ostelo", "at least 2 points *and* at least 30%", "Abbott & Schmitt 2014",
                     "1.3-2.7", "minimal detectable change", "Stratford",
                     "the MCID the clinician recorded"):  # fmt: skip
            assert text in doc

    def test_empty(self):
        change = change_from_baseline(empty_outcomes())
        assert change.empty and "status" in change


class TestSummary:
    def test_no_checkins(self):
        assert summary_line(empty_outcomes()).startswith("No check-ins yet")

    def test_baseline_only(self, with_baseline):
        assert summary_line(outcomes_frame(with_baseline)) == (
            "Baseline on 3 Mar 2025: average pain 6/10, worst pain 8/10, PSFS (mean) 3/10, "
            "ODI total 40. Check in again next week to see the change."
        )

    def test_after_follow_ups(self, with_baseline):
        record_checkin(
            with_baseline,
            "2025-03-17",
            pain_average=4,
            pain_worst=8,
            psfs={"sitting 1 hour": 6, "gardening": 5, "lifting a child": 5},
        )
        line = summary_line(outcomes_frame(with_baseline))
        assert line == (
            "Since the baseline on 3 Mar 2025 (2 weeks): average pain 6 → 4 (improved), "
            "worst pain 8 → 8 (unchanged), PSFS (mean) 3 → 5.3 (improved), "
            "ODI total 40 (baseline only)."
        )
        assert "\n" not in line


# --------------------------------------------------------------------------
# Sample check-ins


def _mean_psfs(df: pd.DataFrame) -> pd.Series:
    return df[df["measure"] == "psfs"].groupby("date")["score"].mean().astype(float)


class TestSampleCheckins:
    @pytest.mark.parametrize("profile", PROFILES)
    def test_shape_and_determinism(self, profile):
        df = sample_checkins(profile=profile)
        assert list(df.columns) == list(OUTCOME_COLUMNS)
        assert df["date"].nunique() == 12
        assert (df["date"].dt.day_of_week == 0).all()  # weekly, on the log's first weekday
        assert df["notes"].eq("sample data").all()
        assert df["checkin_id"].str.startswith("sample-").all()
        assert df["score"].between(df["scale_min"], df["scale_max"]).all()
        pd.testing.assert_frame_equal(df, sample_checkins(profile=profile))
        assert not df.equals(sample_checkins(profile=profile, seed=1))

    def test_improving_psfs_rises_past_the_mcid(self):
        change = change_from_baseline(sample_checkins(profile="improving"))
        mean = change[(change["measure"] == "psfs") & change["item"].isna()]
        assert mean["change"].iloc[-1] >= 2 and mean["status"].iloc[-1] == "improved"
        pain = change[change["measure"] == "pain_average"]
        assert pain["status"].iloc[-1] == "improved"

    def test_flare_up_dips(self):
        mean = _mean_psfs(sample_checkins(profile="flare-up"))
        before, after = mean.iloc[:6], mean.iloc[6:]
        assert after.min() <= before.max() - 2.5  # a clear dip after the flare
        assert mean.iloc[-1] > after.min() + 2  # and recovery

    def test_plateau_is_flat(self):
        change = change_from_baseline(sample_checkins(profile="plateau"))
        mean = change[(change["measure"] == "psfs") & change["item"].isna()]
        assert mean["change"].abs().max() < 2
        assert set(mean["status"]) == {"baseline", "unchanged"}

    @pytest.mark.parametrize("profile", PROFILES)
    def test_pain_agrees_with_the_session_log(self, profile):
        # the pain a person brings to each session (its first bout's pain before)
        # over the week before a check-in is about the check-in's average pain
        log = sample_log(profile=profile, tz="UTC").groupby("session_id").head(1)
        checkins = sample_checkins(profile=profile)
        day = analysis.local_day(log)
        before = log["pain_before"].astype(float)
        gaps = []
        for date, score in checkins.loc[
            checkins["measure"] == "pain_average", ["date", "score"]
        ].itertuples(index=False):
            week = (day > date - pd.Timedelta(days=7)) & (day <= date)
            if week.any() and date > checkins["date"].min():
                gaps.append(abs(before[week.to_numpy()].mean() - float(score)))
        assert len(gaps) >= 8
        assert np.mean(gaps) < 0.75 and max(gaps) <= 2.0

    def test_worst_is_at_least_average_and_psfs_has_four_activities(self):
        df = sample_checkins()
        wide = df[df["kind"] == "pain"].pivot(index="date", columns="measure", values="score")
        assert (wide["pain_worst"] >= wide["pain_average"]).all()
        assert len(psfs_activities(df)) == 4

    def test_custom_is_optional(self):
        df = sample_checkins(custom=False)
        assert set(df["measure"]) == {"pain_average", "pain_worst", "psfs"}

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"weeks": 0}, "sample_checkins: argument weeks=0 must be a whole number"),
            ({"seed": -1}, "sample_checkins: argument seed=-1"),
            ({"profile": "improve"}, "sample_checkins: argument profile='improve' is not a sample"),
            ({"start": "soon"}, "sample_checkins: argument start='soon' is not a date"),
        ],
    )
    def test_bad_arguments(self, kwargs, message):
        with pytest.raises(SampleDataError, match=message):
            sample_checkins(**kwargs)


# --------------------------------------------------------------------------
# The chart


def _gid(ax, gid):
    return [a for a in (*ax.lines, *ax.patches, *ax.collections) if a.get_gid() == gid]


class TestPlotOutcomes:
    def test_each_measure_is_drawn_with_its_baseline_band_and_points(self):
        checkins = sample_checkins(profile="improving")
        fig = plot_outcomes(sample_log(profile="improving"), checkins)
        titles = [a.get_title(loc="left").split("  ")[0] for a in fig.axes]
        assert titles == [
            "Average pain",
            "Worst pain",
            "PSFS (mean)",
            "ODI total",
            "Exercise sessions per week",
        ]
        change = change_from_baseline(checkins)
        for ax, measure in zip(fig.axes, ["pain_average", "pain_worst", "psfs"], strict=False):
            rows = change[(change["measure"] == measure) & change["item"].isna()]
            (line,) = _gid(ax, "score")
            np.testing.assert_allclose(line.get_ydata(), rows["score"].to_numpy())
            (base,) = _gid(ax, "baseline")
            assert base.get_ydata()[0] == rows["baseline_score"].iloc[0]
            (band,) = _gid(ax, "mcid-band")
            thr = rows["mcid"].iloc[0]
            low, high = band.get_y(), band.get_y() + band.get_height()
            base_score = rows["baseline_score"].iloc[0]
            assert (low, high) == pytest.approx((base_score - thr, min(10, base_score + thr)))
            improved = _gid(ax, "status:improved")
            n_improved = int((rows["status"] == "improved").sum())
            assert len(improved[0].get_offsets()) == n_improved if improved else n_improved == 0
        psfs_ax = fig.axes[2]
        names = {line.get_gid() for line in psfs_ax.lines if line.get_gid().startswith("act")}
        assert names == {f"activity:{n}" for n in psfs_activities(checkins)}
        assert [t.get_text() for t in psfs_ax.texts] != []
        assert fig.axes[0].get_title(loc="right").startswith("latest 3: −4, improved")
        assert "(sample data)" in fig._suptitle.get_text()
        assert summary_line(checkins).split(":")[0] in fig._suptitle.get_text().replace("\n", " ")
        assert fig.number not in plt.get_fignums()  # released from pyplot

    def test_sessions_per_week_beneath(self):
        log = sample_log(profile="plateau", tz="UTC")
        fig = plot_outcomes(log, sample_checkins(profile="plateau"))
        bars = _gid(fig.axes[-1], "sessions")
        day = analysis.local_day(log)
        week = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
        expected = log.groupby(week.to_numpy())["session_id"].nunique()
        assert [b.get_height() for b in bars] == expected.tolist()
        # all panels share the time axis
        assert len({a.get_xlim() for a in fig.axes}) == 1

    def test_empty(self):
        fig = plot_outcomes(empty_frame(), empty_outcomes())
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert "no data yet: record a weekly check-in" in texts
        assert "no data yet: sessions appear here" in texts
        assert "No check-ins yet" in fig._suptitle.get_text()

    def test_check_ins_without_sessions(self, with_baseline):
        fig = plot_outcomes(with_baseline.frame(), outcomes_frame(with_baseline))
        assert len(fig.axes) == 5
        assert "no data yet: sessions appear here" in [t.get_text() for t in fig.axes[-1].texts]

    def test_measures_choose_and_order_the_panels(self):
        fig = plot_outcomes(sample_log(), sample_checkins(), measures=["psfs", "ODI total"])
        assert [a.get_title(loc="left").split("  ")[0] for a in fig.axes] == [
            "PSFS (mean)",
            "ODI total",
            "Exercise sessions per week",
        ]
        with pytest.raises(ValueError, match="'RMDQ' not in the check-ins; measures recorded"):
            plot_outcomes(sample_log(), sample_checkins(), measures=["RMDQ"])

    def test_renders_to_png(self, tmp_path):
        for profile in PROFILES:
            fig = plot_outcomes(sample_log(profile=profile), sample_checkins(profile=profile))
            out = tmp_path / f"{profile}.png"
            fig.savefig(out, dpi=60)
            assert out.stat().st_size > 20_000
