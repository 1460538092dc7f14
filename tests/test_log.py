"""Tests for backkit.log: the SQLite session log, its validation, files and migrations."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import backkit
from backkit import config
from backkit import log as logmod
from backkit.config import kit_timezone
from backkit.errors import LogFileError, LogValidationError
from backkit.log import (
    COLUMNS,
    SCHEMA_VERSION,
    Migration,
    SessionLog,
    conform,
    empty_frame,
)
from backkit.store import Migrations

UTC = dt.timezone.utc
PAST = dt.datetime(2024, 5, 6, 8, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def paris(monkeypatch):
    monkeypatch.setenv("BACKKIT_TZ", "Europe/Paris")
    return "Europe/Paris"


def bridge(**extra):
    return {"exercise_id": "bridge", "started_at": PAST, **extra}


# --------------------------------------------------------------------------


class TestOpen:
    def test_default_path_is_in_backkit_home(self, tmp_path, monkeypatch):
        monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "home"))
        monkeypatch.delenv("BACKKIT_LOG", raising=False)
        with SessionLog() as opened:
            assert opened.path == tmp_path / "home" / "backkit-log.sqlite"
            assert opened.path.is_file()

    def test_backkit_log_overrides_the_home(self, tmp_path, monkeypatch):
        monkeypatch.setenv("BACKKIT_LOG", str(tmp_path / "elsewhere" / "mine.sqlite"))
        (tmp_path / "elsewhere").mkdir()  # outside the data home a log's folder must exist
        with SessionLog() as opened:
            assert opened.path == tmp_path / "elsewhere" / "mine.sqlite"
            assert opened.path.is_file()

    def test_store_settings(self, log, path):
        assert log.store.query("PRAGMA journal_mode") == [("wal",)]
        assert log.store.query("PRAGMA synchronous") == [(2,)]  # FULL
        assert log.store.query("PRAGMA busy_timeout")[0][0] >= 10_000
        raw = sqlite3.connect(path)
        version = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        raw.close()
        assert version == (str(SCHEMA_VERSION),)
        assert log.schema_version == SCHEMA_VERSION == 9

    def test_normal_synchronous_on_request(self, path):
        with SessionLog(path, synchronous="normal") as opened:
            assert opened.store.query("PRAGMA synchronous")[0][0] == 1
        with pytest.raises(ValueError, match="synchronous = 'off'"):
            SessionLog(path, synchronous="off")

    def test_rows_survive_reopening(self, path):
        with SessionLog(path) as first:
            first.record(**bridge(pain_after=2))
        with SessionLog(path) as second:
            assert len(second) == 1
            assert second.frame()["pain_after"].tolist() == [2]
            assert second.migrated_from == SCHEMA_VERSION

    def test_create_false_refuses_a_missing_file(self, path):
        with pytest.raises(LogFileError, match="no log here yet") as info:
            SessionLog(path, create=False)
        assert str(path) in str(info.value)
        assert not path.exists()

    def test_a_folder_is_refused(self, tmp_path):
        with pytest.raises(LogFileError, match="is a folder"):
            SessionLog(tmp_path)

    def test_memory_log(self):
        mem = SessionLog(":memory:")
        mem.record(**bridge())
        assert len(mem) == 1

    def test_repr_and_len(self, log, path):
        assert repr(log) == f"SessionLog({str(path)!r}: 0 bouts in 0 sessions)"
        log.record_many([bridge(), bridge(exercise_id="squat")])
        log.record(exercise_id="squat", started_at=PAST + dt.timedelta(days=3))
        assert len(log) == 3
        assert repr(log) == (
            f"SessionLog({str(path)!r}: 3 bouts in 2 sessions, 2024-05-06 to 2024-05-09)"
        )
        log.close()
        assert "closed" in repr(log)
        with pytest.raises(backkit.LogError, match="closed"):
            len(log)


class TestRecord:
    def test_defaults_come_from_the_catalogue(self, log):
        row = log.record(exercise_id="bridge", started_at=PAST)
        bridge_ex = backkit.get_exercise("bridge")
        assert row["side"] == "both"
        assert (row["sets_planned"], row["reps_planned"], row["hold_s_planned"]) == (
            bridge_ex.sets,
            bridge_ex.reps,
            float(bridge_ex.hold_seconds),
        )
        assert (row["sets_done"], row["reps_done"], row["hold_s_done"]) == (3, 10, 5.0)
        assert row["status"] == "completed"
        assert row["source"] == "manual"
        assert row["ended_at"] is None and row["pain_after"] is None
        assert row["session_id"].startswith("20240506-")
        assert list(row) == ["row_id", *COLUMNS]

    def test_paced_exercise_plans_its_rep_length(self, log):
        row = log.record(exercise_id="squat", started_at=PAST)
        assert row["hold_s_planned"] == backkit.get_exercise("squat").rep_seconds

    def test_returned_row_is_what_frame_shows(self, log, paris):
        row = log.record(
            **bridge(ended_at=PAST + dt.timedelta(minutes=4), pain_before=4, notes=" stiff ")
        )
        stored = log.frame().iloc[0]
        for name in COLUMNS:
            value = stored[name]
            expected = row[name]
            if expected is None:
                assert pd.isna(value), name
            else:
                assert value == expected, name
        assert row["notes"] == "stiff"
        assert str(row["started_at"].tzinfo) == "Europe/Paris"

    def test_status_is_derived(self, log):
        assert log.record(**bridge(sets_done=2))["status"] == "partial"
        assert log.record(**bridge(sets_done=4, reps_done=12))["status"] == "completed"
        partial = log.record(**bridge(status="partial"))
        # done counts stay unknown when only "partial" is said
        assert partial["sets_done"] is None and partial["reps_done"] is None

    def test_numbers_given_as_text_from_code_are_refused(self, log):
        # text is read as a number only from a CSV file, where every value is text
        with pytest.raises(LogValidationError, match="pain_before = '3': must be"):
            log.record(**bridge(pain_before="3"))
        assert len(log) == 0

    def test_naive_times_are_in_the_kit_time_zone(self, log, paris):
        row = log.record(exercise_id="bridge", started_at="2024-05-06T08:00")
        assert row["started_at"] == dt.datetime(2024, 5, 6, 6, 0, tzinfo=UTC)
        utc = log.frame(tz="UTC")["started_at"].iloc[0]
        assert utc == pd.Timestamp("2024-05-06T06:00Z")
        stored = log.store.query("SELECT started_at FROM bouts")[0][0]
        assert stored == "2024-05-06T06:00:00.000000Z"

    def test_aware_times_keep_their_instant(self, log, paris):
        when = dt.datetime(2024, 5, 6, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
        row = log.record(exercise_id="bridge", started_at=when)
        assert row["started_at"] == when
        assert log.frame()["started_at"].iloc[0].hour == 15  # 13:00 UTC is 15:00 in Paris

    def test_record_many_shares_one_session(self, log):
        rows = log.record_many(
            [
                {"exercise_id": "knee-to-chest", "side": "left", "started_at": PAST},
                {"exercise_id": "knee-to-chest", "side": "right", "started_at": PAST},
            ]
        )
        assert rows[0]["session_id"] == rows[1]["session_id"]
        assert log.frame()["side"].tolist() == ["left", "right"]

    def test_same_bout_twice_is_refused(self, digest, log, path):
        log.record(**bridge(session_id="s1"))
        before = digest(path)
        with pytest.raises(LogValidationError, match="already in the log"):
            log.record(**bridge(session_id="s1"))
        assert digest(path) == before and len(log) == 1

    def test_records_from_a_sample_frame(self, log):
        frame = log.frame()
        log.record_many([bridge(session_id="a"), bridge(session_id="b", pain_after=1)])
        frame = log.frame()
        other = SessionLog(":memory:")
        # rows of a frame (with pandas NA and Timestamps) record as they are
        other.record_many(frame.to_dict("records"))
        pd.testing.assert_frame_equal(other.frame(), frame)


class TestFrame:
    def test_dtypes_follow_the_contract(self, log, paris):
        log.record(**bridge(pain_before=2, notes="x", plan_id="p"))
        df = log.frame()
        assert list(df.columns) == list(COLUMNS)
        assert str(df["started_at"].dtype) == "datetime64[ns, Europe/Paris]"
        assert str(df["ended_at"].dtype) == "datetime64[ns, Europe/Paris]"
        assert list(df["exercise_id"].cat.categories) == backkit.exercise_ids()
        assert list(df["side"].cat.categories) == ["left", "right", "both"]
        assert list(df["status"].cat.categories) == ["completed", "partial"]
        assert list(df["source"].cat.categories) == ["timer", "manual", "import"]
        for name, kind in COLUMNS.items():
            if kind in ("Int64", "Float64", "string", "category"):
                assert str(df[name].dtype) in (kind, "string[python]"), name

    def test_empty_frame_has_the_same_dtypes(self, log):
        log.record(**bridge())
        assert dict(log.frame(tz="UTC").dtypes) == dict(empty_frame(tz="UTC").dtypes)
        assert dict(SessionLog(":memory:").frame(tz="UTC").dtypes) == dict(
            empty_frame(tz="UTC").dtypes
        )

    def test_rows_come_oldest_first(self, log):
        log.record(**bridge(started_at=PAST + dt.timedelta(days=2)))
        log.record(**bridge(started_at=PAST))
        days = log.frame(tz="UTC")["started_at"].dt.day.tolist()
        assert days == [6, 8]

    def test_conform_casts_a_plain_frame(self):
        raw = pd.DataFrame([dict.fromkeys(COLUMNS) | bridge(session_id="s", side="both")])
        raw["status"], raw["source"] = "completed", "timer"
        out = conform(raw, tz="UTC")
        assert dict(out.dtypes) == dict(empty_frame(tz="UTC").dtypes)
        with pytest.raises(ValueError, match="columns missing: notes"):
            conform(raw.drop(columns="notes"))

    def test_sessions_summary(self, log):
        log.record_many(
            [
                bridge(pain_before=5, effort=3),
                bridge(exercise_id="squat", pain_after=3, effort=6, sets_done=1),
            ]
        )
        log.record(**bridge(started_at=PAST + dt.timedelta(days=1), pain_before=2))
        s = log.sessions()
        assert s["bouts"].tolist() == [2, 1]
        assert s["pain_before"].tolist() == [5, 2]
        assert s.loc[0, "pain_after"] == 3 and s.loc[0, "effort"] == 6
        assert s["completed"].tolist() == [False, True]


class TestTimeZone:
    def test_backkit_tz(self, paris):
        assert str(kit_timezone()) == "Europe/Paris"

    def test_bad_zone_is_named(self, monkeypatch):
        monkeypatch.setenv("BACKKIT_TZ", "Mars/Olympus")
        with pytest.raises(ValueError, match="BACKKIT_TZ: 'Mars/Olympus' is not a known time zone"):
            kit_timezone()


# --------------------------------------------------------------------------
# Every bad input: one clear error naming field, value and row; store unchanged.

FUTURE = config.now() + dt.timedelta(hours=1)
BAD = [
    ({"pain_before": 11}, "pain_before = 11: must be a whole number from 0 to 10"),
    ({"pain_after": -1}, "pain_after = -1: must be a whole number from 0 to 10"),
    ({"effort": 3.5}, "effort = 3.5: must be a whole number from 0 to 10"),
    ({"pain_after": "high"}, "pain_after = 'high': must be a whole number"),
    ({"pain_after": True}, "pain_after = True: must be a whole number"),
    ({"sets_done": -1}, "sets_done = -1: must be a whole number from 0 to 20"),
    ({"reps_done": 1000}, "reps_done = 1000: must be a whole number from 0 to 100"),
    ({"sets_planned": 0}, "sets_planned = 0: must be a whole number from 1 to 20"),
    ({"hold_s_done": 5000}, "hold_s_done = 5000: must be a number from 0 to 600"),
    (
        {"ended_at": PAST - dt.timedelta(minutes=1)},
        "ended_at = datetime.datetime(2024, 5, 6, 7, 59, tzinfo=datetime.timezone.utc): "
        "is before started_at",
    ),
    ({"ended_at": PAST + dt.timedelta(hours=5)}, "a bout lasts at most 4:00:00"),
    ({"started_at": FUTURE}, "started_at = " + repr(FUTURE) + ": is in the future"),
    ({"started_at": "1999-12-31T08:00"}, "started_at = '1999-12-31T08:00': is before 2000-01-01"),
    ({"started_at": "yesterday"}, "started_at = 'yesterday': is not a date and time"),
    (
        {"exercise_id": "brige"},
        "exercise_id = 'brige': Unknown exercise id 'brige'. Did you mean 'bridge'?",
    ),
    ({"side": "lft"}, "side = 'lft': must be one of left, right, both"),
    ({"side": "left"}, "side = 'left': must be both: bridge works both sides at once"),
    (
        {"exercise_id": "knee-to-chest", "side": "both"},
        "side = 'both': must be left or right: knee-to-chest is done one side at a time",
    ),
    (
        {"exercise_id": "knee-to-chest"},
        "side = None: is required: knee-to-chest is done one side at a time",
    ),
    ({"status": "completed", "sets_done": 1}, "status = 'completed': but 1 of 3 sets"),
    ({"status": "done"}, "status = 'done': must be one of completed, partial"),
    ({"source": "web"}, "source = 'web': must be one of timer, manual, import"),
    ({"pain_befor": 3}, "pain_befor = 3: is not a column of the log. Did you mean 'pain_before'?"),
    ({"notes": "x" * 2001}, "notes = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': is 2001 characters"),
]


@pytest.mark.parametrize(("fields", "message"), BAD, ids=[str(list(f)) for f, _ in BAD])
def test_bad_record_is_refused_and_changes_nothing(digest, log, path, fields, message):
    log.record(**bridge(session_id="keep"))
    before = digest(path)
    with pytest.raises(LogValidationError) as info:
        log.record(**(bridge() | fields))
    text = str(info.value)
    assert text.startswith("record: ")
    assert message in text
    assert info.value.rows == ["record"]
    assert isinstance(info.value, ValueError)
    assert digest(path) == before
    assert len(log) == 1


def test_a_future_time_within_the_clock_skew_is_accepted(log):
    soon = config.now() + dt.timedelta(minutes=2)
    assert log.record(exercise_id="bridge", started_at=soon)["started_at"] == soon


def test_every_problem_of_a_record_is_reported(log):
    with pytest.raises(LogValidationError) as info:
        log.record(exercise_id="bridge", pain_before=12, pain_after=-3, effort="x")
    assert [p.field for p in info.value.problems] == ["pain_before", "pain_after", "effort"]
    assert [p.value for p in info.value.problems] == [12, -3, "x"]


def test_record_many_is_all_or_nothing_and_names_each_row(digest, log, path):
    log.record(**bridge(session_id="keep"))
    before = digest(path)
    rows = [bridge(pain_after=12), bridge(exercise_id="squat"), bridge(side="left")]
    with pytest.raises(LogValidationError) as info:
        log.record_many(rows)
    assert info.value.rows == ["rows[0]", "rows[2]"]
    assert str(info.value).splitlines()[0] == "2 of 3 rows rejected; nothing was written:"
    assert digest(path) == before and len(log) == 1


# --------------------------------------------------------------------------


def _mixed_log(log: SessionLog) -> None:
    """Rows exercising every kind of value: NA, text with commas and newlines, sources."""
    log.record_many(
        [
            bridge(
                session_id="s1",
                ended_at=PAST + dt.timedelta(minutes=3, microseconds=123456),
                pain_before=4,
                pain_after=2,
                effort=6,
                notes='stiff, then "better"\nsecond line, é ✓',
                plan_id="back-basics",
                source="timer",
                hold_s_done=4.123456789,
            ),
            {
                "session_id": "s1",
                "exercise_id": "knee-to-chest",
                "side": "left",
                "started_at": PAST + dt.timedelta(minutes=5),
                "reps_done": 1,
                "hold_s_done": 12.5,
            },
            {
                "session_id": "s2",
                "exercise_id": "squat",
                "started_at": dt.datetime(2024, 3, 30, 23, 30, tzinfo=UTC),  # DST eve in Paris
                "status": "partial",
            },
        ]
    )


class TestCSV:
    def test_export_import_round_trip_is_exact(self, log, tmp_path, paris):
        _mixed_log(log)
        (tmp_path / "export").mkdir()
        out = log.export_csv(tmp_path / "export" / "log.csv")
        fresh = SessionLog(tmp_path / "fresh.sqlite")
        assert fresh.import_csv(out) == 3
        pd.testing.assert_frame_equal(fresh.frame(), log.frame())
        assert fresh.frame()["source"].tolist() == ["manual", "timer", "manual"]

    def test_export_is_readable(self, log, tmp_path, paris):
        _mixed_log(log)
        with open(log.export_csv(tmp_path / "log.csv"), newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert list(rows[0]) == list(COLUMNS)
        assert rows[0]["started_at"] == "2024-03-31T00:30:00.000000+01:00"
        assert rows[1]["started_at"] == "2024-05-06T10:00:00.000000+02:00"
        assert rows[1]["notes"] == 'stiff, then "better"\nsecond line, é ✓'
        assert rows[0]["sets_done"] == "" and rows[0]["ended_at"] == ""

    def test_rows_without_source_are_marked_import(self, log, tmp_path):
        file = tmp_path / "old.csv"
        file.write_text(
            "exercise_id,started_at,source\n"
            "bridge,2024-05-06T08:00:00+00:00,\n"
            "squat,2024-05-06T08:10:00+00:00,timer\n",
            encoding="utf-8-sig",  # a byte-order mark, as Excel writes
        )
        assert log.import_csv(file) == 2
        df = log.frame()
        assert df["source"].tolist() == ["import", "timer"]
        assert df["session_id"].nunique() == 2

    def test_bad_rows_import_nothing_and_are_all_reported(self, digest, log, path, tmp_path):
        log.record(**bridge(session_id="keep"))
        before = digest(path)
        file = tmp_path / "bad.csv"
        file.write_text(
            "exercise_id,started_at,pain_after,side\n"
            "bridge,2024-05-06T08:00:00+00:00,2,both\n"
            "brige,2024-05-06T08:05:00+00:00,2,both\n"
            "squat,2024-05-06T08:10:00+00:00,11,both\n"
            "bridge,2024-05-07T08:00:00+00:00,1,both\n"
            "knee-to-chest,2030-01-01T08:00:00+00:00,3,both\n"
        )
        with pytest.raises(LogValidationError) as info:
            log.import_csv(file)
        err = info.value
        assert err.rows == ["file bad.csv, row 3", "file bad.csv, row 4", "file bad.csv, row 6"]
        text = str(err)
        assert text.splitlines()[0] == "3 of 5 rows rejected; nothing was written:"
        assert "file bad.csv, row 3: exercise_id = 'brige': Unknown exercise id" in text
        assert "file bad.csv, row 4: pain_after = '11': must be a whole number from 0 to 10" in text
        assert "file bad.csv, row 6: started_at = '2030-01-01T08:00:00+00:00': is in the" in text
        assert "file bad.csv, row 6: side = 'both': must be left or right" in text
        assert len(err.problems) == 4
        assert digest(path) == before and len(log) == 1

    def test_header_problems(self, log, tmp_path):
        file = tmp_path / "typo.csv"
        file.write_text("exercise,started_at,pain_befor\nbridge,2024-05-06T08:00+00:00,1\n")
        with pytest.raises(LogValidationError) as info:
            log.import_csv(file)
        text = str(info.value)
        assert (
            "file typo.csv, row 1 (header): column = 'pain_befor': is not a log column. "
            "Did you mean 'pain_before'?" in text
        )
        assert "column = 'exercise_id': is required" in text
        assert len(log) == 0

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("", "the file is empty"),
            ("exercise_id,side\nbridge\n", "row 2: row = 'bridge': has 1 cells; the header has 2"),
            (b"exercise_id\n\xff\xfe\n", "is not UTF-8 text"),
        ],
    )
    def test_unreadable_files(self, log, tmp_path, content, message):
        file = tmp_path / "odd.csv"
        if isinstance(content, bytes):
            file.write_bytes(content)
        else:
            file.write_text(content)
        with pytest.raises(LogValidationError, match=message):
            log.import_csv(file)
        assert len(log) == 0

    def test_missing_file(self, log, tmp_path):
        with pytest.raises(LogValidationError, match="does not exist"):
            log.import_csv(tmp_path / "nope.csv")

    def test_importing_twice_is_refused_unless_skipping(self, digest, log, tmp_path, path):
        _mixed_log(log)
        out = log.export_csv(tmp_path / "log.csv")
        before = digest(path)
        with pytest.raises(LogValidationError, match="already in the log") as info:
            log.import_csv(out)
        assert len(info.value.problems) == 3
        assert digest(path) == before
        assert log.import_csv(out, skip_duplicates=True) == 0
        assert len(log) == 3

    def test_merge_with_skip_duplicates(self, log, tmp_path):
        _mixed_log(log)
        other = SessionLog(tmp_path / "other.sqlite")
        other.import_csv(log.export_csv(tmp_path / "a.csv"))
        other.record(**bridge(session_id="new", started_at=PAST + dt.timedelta(days=1)))
        assert log.import_csv(other.export_csv(tmp_path / "b.csv"), skip_duplicates=True) == 1
        pd.testing.assert_frame_equal(log.frame(), other.frame())

    def test_excel_export(self, log, tmp_path, paris):
        openpyxl = pytest.importorskip("openpyxl")
        _mixed_log(log)
        out = log.export_excel(tmp_path / "log.xlsx")
        book = openpyxl.load_workbook(out)
        sheet = book["log"]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == list(COLUMNS)
        assert rows[1][1] == dt.datetime(2024, 3, 31, 0, 30)  # local time, Paris
        assert rows[2][COLUMNS_INDEX["notes"]] == 'stiff, then "better"\nsecond line, é ✓'
        assert rows[1][COLUMNS_INDEX["sets_done"]] is None
        about = [c for c in book["about"]["A"] if c.value]
        assert "Europe/Paris" in " ".join(str(c.value) for c in about)


COLUMNS_INDEX = {name: i for i, name in enumerate(COLUMNS)}


# --------------------------------------------------------------------------
# Schema versions

V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE bouts (
    row_id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, started_at TEXT NOT NULL,
    ended_at TEXT, exercise_id TEXT NOT NULL, side TEXT NOT NULL, sets_planned INTEGER,
    sets_done INTEGER, reps_planned INTEGER, reps_done INTEGER, hold_s_planned REAL,
    hold_s_done REAL, status TEXT NOT NULL, pain_before INTEGER, pain_after INTEGER,
    effort INTEGER, notes TEXT, plan_id TEXT, source TEXT NOT NULL
);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO bouts VALUES (1, 'old', '2024-05-06T08:00:00.000000Z', NULL, 'bridge', 'both',
    3, 3, 10, 10, 5.0, 5.0, 'completed', 3, 2, NULL, 'from v1', NULL, 'manual');
INSERT INTO bouts VALUES (2, 'old', '2024-05-06T08:05:00.000000Z', NULL, 'squat', 'both',
    3, 2, 10, 10, 4.0, 4.0, 'partial', NULL, NULL, NULL, NULL, NULL, 'timer');
"""


class TestMigrations:
    def test_v1_file_is_upgraded_with_its_rows(self, path):
        raw = sqlite3.connect(path)
        raw.executescript(V1_SCHEMA)
        raw.close()
        with SessionLog(path) as opened:
            assert opened.migrated_from == 1
            assert opened.schema_version == SCHEMA_VERSION
            df = opened.frame(tz="UTC")
            assert df["exercise_id"].tolist() == ["bridge", "squat"]
            assert df["notes"].tolist()[0] == "from v1"
            assert df["status"].tolist() == ["completed", "partial"]
            opened.record(**bridge(session_id="new"))
            recorded = opened.store.query("SELECT recorded_at FROM bouts ORDER BY row_id")
            stamps = [r[0] for r in recorded]
            assert stamps[:2] == [None, None] and stamps[2].endswith("Z")
            meta = dict(opened.store.query("SELECT key, value FROM meta"))
            assert "upgraded_from_v1_at" in meta
            assert opened.store.query("PRAGMA journal_mode")[0][0] == "wal"

    def test_v0_empty_database_is_initialised(self, path):
        raw = sqlite3.connect(path)
        raw.execute("PRAGMA user_version = 0")
        raw.execute("VACUUM")  # writes a valid, empty database file
        raw.close()
        assert path.stat().st_size > 0
        with SessionLog(path) as opened:
            assert opened.migrated_from == 0
            assert opened.schema_version == SCHEMA_VERSION
            opened.record(**bridge())
            assert len(opened) == 1

    def test_newer_file_is_refused_untouched(self, digest, path):
        raw = sqlite3.connect(path)
        raw.executescript(V1_SCHEMA.replace("'schema_version', '1'", "'schema_version', '99'"))
        raw.close()
        before = digest(path)
        with pytest.raises(LogFileError, match="newer backkit \\(schema version 99"):
            SessionLog(path)
        assert digest(path) == before

    def test_other_sqlite_database_is_refused_untouched(self, digest, path):
        raw = sqlite3.connect(path)
        raw.execute("CREATE TABLE photos (id INTEGER)")
        raw.commit()
        raw.close()
        before = digest(path)
        with pytest.raises(LogFileError, match=r"not a backkit session log .*tables: photos"):
            SessionLog(path)
        assert digest(path) == before

    def test_a_new_migration_is_applied_once(self, path, monkeypatch):
        SessionLog(path).close()
        step = Migration(
            "outcomes_table",
            "outcomes table",
            ("CREATE TABLE outcomes (id INTEGER PRIMARY KEY, measured_at TEXT)",),
        )
        bouts = Migrations("bouts", [*logmod.BOUT_MIGRATIONS, step])
        monkeypatch.setattr(logmod, "MIGRATIONS", (bouts, *logmod.MIGRATIONS[1:]))
        with SessionLog(path) as opened:
            assert [s.key for s in opened.store.applied] == [("bouts", "outcomes_table")]
            assert opened.migrated_from == opened.schema_version == SCHEMA_VERSION
            with opened.store.transaction() as db:
                db.execute("INSERT INTO outcomes (measured_at) VALUES ('x')")
        with SessionLog(path) as again:
            assert again.store.applied == ()
            assert again.store.query("SELECT COUNT(*) FROM outcomes")[0][0] == 1

    def test_a_failing_migration_leaves_the_file_as_it_was(self, digest, path, monkeypatch):
        with SessionLog(path) as opened:
            opened.record(**bridge())
        before = digest(path)
        broken = Migration(
            "broken",
            "broken",
            ("CREATE TABLE fine (x)", "ALTER TABLE nowhere ADD COLUMN y"),
        )
        bouts = Migrations("bouts", [*logmod.BOUT_MIGRATIONS, broken])
        monkeypatch.setattr(logmod, "MIGRATIONS", (bouts, *logmod.MIGRATIONS[1:]))
        message = "cannot upgrade the log with the schema step 'broken' of 'bouts'"
        with pytest.raises(LogFileError, match=message):
            SessionLog(path)
        assert digest(path) == before
        monkeypatch.undo()
        with SessionLog(path) as opened:
            assert opened.schema_version == SCHEMA_VERSION and len(opened) == 1
            tables = {r[0] for r in opened.store.query("SELECT name FROM sqlite_master")}
            assert "fine" not in tables


def test_a_failing_upgrade_of_a_v1_file_leaves_it_byte_for_byte(digest, path, monkeypatch):
    raw = sqlite3.connect(path)
    raw.executescript(V1_SCHEMA)  # a rollback-journal file, as v1 files may be
    raw.close()
    before = digest(path)
    first = [*logmod.BOUT_MIGRATIONS][:1]  # then a broken step in place of version 2
    broken = Migration("broken", "broken", ("ALTER TABLE nowhere ADD x",), was=2)
    bouts = Migrations("bouts", [*first, broken])
    monkeypatch.setattr(logmod, "MIGRATIONS", (bouts, *logmod.MIGRATIONS[1:]))
    with pytest.raises(LogFileError, match="cannot upgrade the log with the schema step 'broken'"):
        SessionLog(path)
    assert digest(path) == before
    monkeypatch.undo()
    with SessionLog(path) as opened:
        assert opened.migrated_from == 1 and len(opened) == 2


# --------------------------------------------------------------------------
# Reading never writes (issue 23): every door that only reads a log leaves
# every file beside it byte for byte as it was, and makes no file there.

CLI = Path(sys.executable).with_name("backkit")


def _folder_state(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def full_log(tmp_path_factory) -> Path:
    """A closed log holding one of everything: bouts, ratings, a correction, a removal,
    a check-in, a screening, a clearance and the personal check's answers."""
    from backkit import conditions, outcomes

    folder = tmp_path_factory.mktemp("patients")
    path = folder / "p001.sqlite"
    with SessionLog(path) as log:
        rows = log.record_many(
            [bridge(session_id="s1"), {**bridge(session_id="s1"), "exercise_id": "squat"}],
            session={"pain_before": 5, "pain_after": 3},
        )
        log.record(**bridge(session_id="s2", started_at=PAST + dt.timedelta(days=1)))
        log.correct(rows[0]["row_id"], pain_after=2, reason="typed 3")
        log.correct_session("s1", pain_after=4, reason="slider slipped")
        log.remove(rows[1]["row_id"], reason="not done")
        outcomes.record_checkin(log, "2024-05-06", pain_average=5, pain_worst=7)
        outcomes.record_screening(
            log, {q.id: False for q in backkit.safety.screening_questions()}, action="none"
        )
        outcomes.record_clearance(log, seen_on="2024-05-05", seen_by="gp")
        conditions.record(log, {})
    assert sorted(p.name for p in folder.iterdir()) == ["p001.sqlite"]
    return path


def _api(read):
    def door(path: Path, out: Path) -> None:
        with SessionLog(path, create=False) as log:
            read(log, out)

    return door


def _cli(*args: str):
    def door(path: Path, out: Path) -> None:
        argv = [a.format(log=path, out=out, folder=path.parent) for a in args]
        done = subprocess.run(
            [str(CLI), *argv],
            capture_output=True,
            text=True,
            cwd=out,
            env={**os.environ, "BACKKIT_HOME": str(out)},
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr

    return door


def _outcomes(name: str):
    def read(log: SessionLog, out: Path) -> None:
        from backkit import outcomes

        assert len(getattr(outcomes, name)(log)) >= 1

    return read


READ_DOORS = {
    "frame": _api(lambda log, out: log.frame(ids=True)),
    "sessions": _api(lambda log, out: log.sessions()),
    "len and repr": _api(lambda log, out: (len(log), repr(log))),
    "session_ratings": _api(lambda log, out: log.session_ratings()),
    "history": _api(lambda log, out: (log.history(1), log.session_history("s1"))),
    "audit_trail": _api(lambda log, out: log.audit_trail()),
    "check": _api(lambda log, out: log.check()),
    "outcomes_frame": _api(_outcomes("outcomes_frame")),
    "checkins_frame": _api(_outcomes("checkins_frame")),
    "screenings_frame": _api(_outcomes("screenings_frame")),
    "clearances_frame": _api(_outcomes("clearances_frame")),
    "export_csv with audit": _api(lambda log, out: log.export_csv(out / "x.csv", audit=True)),
    "export_excel": _api(lambda log, out: log.export_excel(out / "x.xlsx")),
    "export_json": _api(lambda log, out: log.export_json(out / "x.json")),
    "backkit export csv": _cli("export", "{out}/x.csv", "--log", "{log}"),
    "backkit export xlsx": _cli("export", "{out}/x.xlsx", "--log", "{log}"),
    "backkit export json": _cli("export", "{out}/x.json", "--log", "{log}"),
    "backkit export fhir": _cli("export", "{out}/x.json", "--format", "fhir", "--log", "{log}"),
    "backkit report": _cli("report", "{log}", "--out", "{out}/r.html", "--quiet"),
    "backkit caseload": _cli("caseload", "{folder}", "--as-of", "2024-05-10"),
}


@pytest.mark.parametrize("door", READ_DOORS.values(), ids=list(READ_DOORS))
def test_reading_leaves_every_file_beside_the_log_as_it_was(full_log, tmp_path, door):
    before = _folder_state(full_log.parent)
    door(full_log, tmp_path)
    assert _folder_state(full_log.parent) == before  # the same files, the same bytes


def test_a_reader_makes_side_files_only_while_open_and_marks_nothing(path):
    with SessionLog(path) as log:
        log.record(**bridge())
    before = _folder_state(path.parent)
    with SessionLog(path) as log:
        log.frame()
        # the file is not marked open by a reader
        assert log.store.query("SELECT value FROM meta WHERE key = 'closed_cleanly'") == [("yes",)]
    assert _folder_state(path.parent) == before


def test_a_writer_marks_the_file_open_at_its_first_write_and_closed_at_close(path):
    with SessionLog(path) as log:
        log.record(**bridge())
    with SessionLog(path) as log:
        len(log)
        log.record(**bridge(session_id="two"))
        # marked open in the main file itself, so a lost -wal is noticed
        raw = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        assert raw.execute("SELECT value FROM meta WHERE key = 'closed_cleanly'").fetchone() == (
            "no",
        )
        raw.close()
    raw = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    assert raw.execute("SELECT value FROM meta WHERE key = 'closed_cleanly'").fetchone() == ("yes",)
    raw.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["log.sqlite"]
