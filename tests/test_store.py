"""Tests for backkit.store: opening, schema steps per table, transactions, atomic files."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import backkit
from backkit import store as storemod
from backkit.errors import CheckInError, LogError, LogFileError, LogValidationError
from backkit.log import MIGRATIONS, SCHEMA_VERSION, SessionLog
from backkit.outcomes import record_checkin
from backkit.store import Migrations, Store, schema, write_atomically


def notes_table() -> Migrations:
    notes = Migrations("notes")
    notes.add(1, "the notes table", "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    return notes


@pytest.fixture
def notes_store() -> Store:
    """An in-memory store with one table, ``notes``."""
    return Store(":memory:", schema(notes_table()))


def tables(path) -> set[str]:
    raw = sqlite3.connect(path)
    try:
        return {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        raw.close()



@contextlib.contextmanager
def held_write_lock(path):
    """Another program holding the log's write lock (an open write transaction) meanwhile."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()

class TestSchema:
    def test_tables_register_their_own_steps_and_merge_in_version_order(self):
        a, b = Migrations("a"), Migrations("b")
        a.add(1, "a1", "CREATE TABLE a (x)")
        b.add(2, "b2", "CREATE TABLE b (x)")
        a.add(3, "a3", "ALTER TABLE a ADD COLUMN y")
        assert [(s.version, s.table) for s in schema(b, a)] == [(1, "a"), (2, "b"), (3, "a")]
        assert repr(a) == "Migrations('a': 1, 3)"

    @pytest.mark.parametrize("versions", [[1, 1], [1, 3], [2]])
    def test_a_version_used_twice_or_skipped_is_refused(self, versions):
        steps = Migrations("t")
        for v in versions:
            steps.add(v, "step", "SELECT 1")
        with pytest.raises(LogError, match=re.escape(f"numbered {versions}; they must be 1, 2, 3")):
            schema(steps)

    def test_the_log_file_has_the_bouts_steps_then_the_checkins_step(self):
        assert [(s.version, s.table) for s in MIGRATIONS] == [
            (1, "bouts"),
            (2, "bouts"),
            (3, "outcome_scores"),
            (4, "sessions"),
            (5, "outcome_scores"),
            (6, "outcome_scores"),  # the clearances, beside the screenings they resolve
            (7, "conditions"),
            (8, "changes"),  # the audit trail chained (issue 23)
        ]
        assert SCHEMA_VERSION == 8


class TestOpen:
    def test_a_new_file_is_made_at_the_last_version(self, tmp_path):
        path = tmp_path / "sub" / "notes.sqlite"
        with Store(path, schema(notes_table())) as store:
            # made at the last version under a temporary name, then opened
            assert store.migrated_from == 1 and store.schema_version == 1
            assert store.query("PRAGMA journal_mode") == [("wal",)]
            assert store.query("PRAGMA synchronous") == [(2,)]
            assert repr(store) == f"Store({str(path)!r}, schema version 1)"
        assert repr(store) == f"Store({str(path)!r}, closed)"
        assert [p.name for p in path.parent.iterdir()] == ["notes.sqlite"]  # no temp files
        with Store(path, schema(notes_table())) as again:
            assert again.migrated_from == 1

    def test_a_store_without_tables_reopens(self, tmp_path):
        Store(tmp_path / "empty.sqlite").close()
        with Store(tmp_path / "empty.sqlite") as again:
            assert again.schema_version == 0

    def test_create_false_refuses_a_missing_file(self, tmp_path):
        with pytest.raises(LogFileError, match="no log here yet"):
            Store(tmp_path / "nope.sqlite", create=False)
        assert not (tmp_path / "nope.sqlite").exists()

    def test_a_closed_store_says_so(self, tmp_path):
        store = Store(tmp_path / "x.sqlite")
        store.close()
        with pytest.raises(LogError, match=r"x\.sqlite: the log is closed"):
            store.query("SELECT 1")

    def test_opening_a_log_from_backkit_log_alone_makes_the_checkin_table(self, tmp_path):
        # a fresh interpreter that imports only backkit.log
        path = tmp_path / "log.sqlite"
        code = textwrap.dedent(
            f"""
            from backkit.log import SessionLog
            SessionLog({str(path)!r}).close()
            """
        )
        root = str(Path(backkit.__file__).resolve().parent.parent)  # this very backkit
        env = {**os.environ, "PYTHONPATH": root}
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        assert {"meta", "bouts", "outcome_scores"} <= tables(path)
        raw = sqlite3.connect(path)
        assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        raw.close()


class TestTransaction:
    def test_commit_and_rollback(self, notes_store):
        with notes_store.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES ('kept')")
        with pytest.raises(ZeroDivisionError), notes_store.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES ('lost')")
            1 / 0  # noqa: B018
        assert notes_store.query("SELECT text FROM notes") == [("kept",)]

    def test_a_nested_transaction_is_a_savepoint(self, notes_store):
        with notes_store.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES ('outer')")
            with pytest.raises(KeyError), notes_store.transaction() as inner:
                inner.execute("INSERT INTO notes (text) VALUES ('inner')")
                raise KeyError("undo only the inner block")
        assert notes_store.query("SELECT text FROM notes") == [("outer",)]

    def test_a_held_write_lock_is_a_clear_error_naming_the_file(self, tmp_path, monkeypatch):
        monkeypatch.setattr(storemod, "BUSY_SECONDS", 0.1)
        path = tmp_path / "busy.sqlite"
        store = Store(path, schema(notes_table()))
        with held_write_lock(path), pytest.raises(LogFileError) as info, store.transaction():
            pass
        assert str(path) in str(info.value)
        assert "writing to the log waited 0.1 s for another program's write lock" in str(info.value)
        assert "Nothing was written" in str(info.value)
        # a later write (the store writing already) is refused in the same words
        with store.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES ('first')")
        with held_write_lock(path), pytest.raises(LogFileError) as again, store.transaction():
            pass
        assert str(again.value) == str(info.value)
        store.close()


class TestNothingChanges:
    """A refused write and a refused file leave the store byte for byte as it was."""

    def test_a_refused_bout_and_a_refused_checkin(self, digest, log, path):
        log.record(exercise_id="bridge", started_at="2024-05-06T08:00+00:00")
        record_checkin(log, "2025-03-03", pain_average=5)
        before = digest(path)
        with pytest.raises(LogValidationError):
            log.record(exercise_id="bridge", pain_after=11)
        with pytest.raises(LogValidationError):
            log.record_many([{"exercise_id": "squat"}, {"exercise_id": "brige"}])
        with pytest.raises(CheckInError):
            record_checkin(log, "2025-03-10", pain_average=5, pain_worst=2)
        with pytest.raises(CheckInError):
            record_checkin(log, "2025-03-03", pain_average=4)  # a second check-in that day
        assert digest(path) == before

    @pytest.mark.parametrize("kind", ["foreign", "too new", "not sqlite"])
    def test_a_refused_file(self, digest, path, kind):
        if kind == "not sqlite":
            path.write_text("session_id,exercise_id\ns1,bridge\n")
        else:
            raw = sqlite3.connect(path)
            if kind == "foreign":
                raw.execute("CREATE TABLE photos (id INTEGER)")
            else:
                raw.executescript(
                    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                    "INSERT INTO meta VALUES ('schema_version', '99');"
                )
            raw.commit()
            raw.close()
        before = digest(path)
        for _ in range(2):
            with pytest.raises(LogFileError) as info:
                SessionLog(path)
            assert str(path) in str(info.value)
        assert digest(path) == before
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


class TestWriteAtomically:
    def test_writes_and_replaces(self, tmp_path):
        out = tmp_path / "a" / "b.txt"
        assert write_atomically(out, lambda tmp: tmp.write_text("one")) == out
        write_atomically(out, lambda tmp: tmp.write_text("two"))
        assert out.read_text() == "two"
        assert [p.name for p in out.parent.iterdir()] == ["b.txt"]

    def test_a_failed_write_leaves_the_old_file_and_no_temporary(self, tmp_path):
        out = tmp_path / "b.txt"
        out.write_text("old")

        def half(tmp):
            tmp.write_text("half a fi")
            raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            write_atomically(out, half)
        assert out.read_text() == "old"
        assert [p.name for p in tmp_path.iterdir()] == ["b.txt"]


class TestReading:
    def test_one_snapshot_that_writes_nothing(self, tmp_path, digest):
        path = tmp_path / "notes.sqlite"
        with Store(path, schema(notes_table())) as store, store.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES ('first')")
        before = digest(path)
        with Store(path, schema(notes_table())) as store, store.reading() as db:
            assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (1,)
        assert digest(path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite"]
        with Store(path, schema(notes_table())) as store:
            with store.reading() as db:
                assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (1,)
                other = sqlite3.connect(path, isolation_level=None)  # another program writes
                other.execute("INSERT INTO notes (text) VALUES ('second')")
                other.close()
                # the same snapshot: the other program's row is not seen yet
                assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (1,)
                with (
                    pytest.raises(LogError, match=r"a write inside Store\.reading"),
                    store.transaction(),
                ):
                    pass
            assert store.query("SELECT COUNT(*) FROM notes") == [(2,)]
