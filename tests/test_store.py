"""Tests for backkit.store: opening, named migration sets, transactions, atomic files."""

from __future__ import annotations

import ast
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
from backkit import log as logmod
from backkit import store as storemod
from backkit.errors import CheckInError, LogError, LogFileError, LogValidationError
from backkit.log import MIGRATIONS, SCHEMA_VERSION, SessionLog
from backkit.outcomes import record_checkin
from backkit.store import Migrations, Store, kit_migrations, write_atomically


def notes_table() -> Migrations:
    notes = Migrations("notes")
    notes.add("create", "the notes table", "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    return notes


@pytest.fixture
def notes_store() -> Store:
    """An in-memory store with one table, ``notes``."""
    return Store(":memory:", [notes_table()])


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
    def test_a_set_has_named_steps_in_order(self):
        a = Migrations("a")
        a.add("create", "a1", "CREATE TABLE a (x)")
        a.add("y", "a2", "ALTER TABLE a ADD COLUMN y")
        assert [s.key for s in a] == [("a", "create"), ("a", "y")]
        assert repr(a) == "Migrations('a': create, y)"
        assert [s.key for s in Migrations("b", a)] == [("b", "create"), ("b", "y")]

    def test_a_step_name_used_twice_is_refused(self):
        a = Migrations("a")
        a.add("create", "a1", "CREATE TABLE a (x)")
        with pytest.raises(LogError, match="'a' already has a step named 'create'"):
            a.add("create", "again", "SELECT 1")

    def test_a_set_given_twice_or_an_old_number_used_twice_is_refused(self):
        a, b = Migrations("a"), Migrations("b")
        a.add("one", "a1", "CREATE TABLE a (x)", was=1)
        b.add("one", "b1", "CREATE TABLE b (x)", was=1)
        with pytest.raises(LogError, match="name one set twice"):
            Store(":memory:", [a, a])
        with pytest.raises(LogError, match=re.escape("old numbers are [1, 1]")):
            Store(":memory:", [a, b])

    def test_each_component_declares_its_own_sets(self):
        from backkit import conditions, outcomes

        assert kit_migrations() == (*MIGRATIONS, outcomes.MIGRATIONS, conditions.MIGRATIONS)
        steps = [(s.migration_set, s.name, s.was) for m in kit_migrations() for s in m]
        assert steps == [
            ("bouts", "bouts_table", 1),
            ("bouts", "recorded_at", 2),
            ("sessions", "sessions_and_changes_tables", 4),
            ("changes", "hash_chain", 8),  # the audit trail chained (issue 23)
            ("outcomes", "outcome_scores_table", 3),
            ("outcomes", "checkins_and_screenings_tables", 5),
            ("outcomes", "clearances_table", 6),  # beside the screenings they resolve
            ("conditions", "conditions_table", 7),
        ]
        assert SCHEMA_VERSION == 9

    def test_the_log_module_needs_no_other_components_steps(self):
        source = Path(logmod.__file__).read_text(encoding="utf-8")
        imported = {
            (node.level, node.module or "")
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom)
        }
        assert (1, "store") in imported  # the walk sees log's imports
        others = {"outcomes", "conditions", "backkit.outcomes", "backkit.conditions"}
        assert not {module for _, module in imported} & others
        # and nothing log imports brings them in: only opening a log does
        code = (
            "import sys, backkit.log\n"
            "print([m for m in ('backkit.outcomes', 'backkit.conditions') if m in sys.modules])"
        )
        root = str(Path(backkit.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": root}
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
        )
        assert done.stdout.strip() == "[]"


def two_sets() -> list[Migrations]:
    a, b = Migrations("a"), Migrations("b")
    a.add("create", "a", "CREATE TABLE a (x)")
    b.add("create", "b", "CREATE TABLE b (x)")
    return [a, b]


def recorded(path) -> list[tuple[str, str]]:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return raw.execute("SELECT migration_set, name FROM migrations ORDER BY rowid").fetchall()
    finally:
        raw.close()


class TestNamedSteps:
    """The file records each step by (set, name); opening applies only what it lacks."""

    def test_a_new_file_records_every_step_once(self, tmp_path):
        path = tmp_path / "two.sqlite"
        with Store(path, two_sets()) as store:
            assert [s.key for s in store.applied] == [("a", "create"), ("b", "create")]
        assert recorded(path) == [("a", "create"), ("b", "create")]

    def test_reopening_applies_and_writes_nothing(self, tmp_path, digest):
        path = tmp_path / "two.sqlite"
        Store(path, two_sets()).close()
        before = digest(path)
        with Store(path, two_sets()) as again:
            assert again.applied == () and again.migrated_from == SCHEMA_VERSION
        assert digest(path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["two.sqlite"]

    def test_a_step_added_to_one_set_applies_only_that_step(self, tmp_path):
        path = tmp_path / "two.sqlite"
        with Store(path, two_sets()) as store, store.transaction() as db:
            db.execute("INSERT INTO a VALUES ('kept')")
        a, b = two_sets()
        a.add("y", "a gains y", "ALTER TABLE a ADD COLUMN y")
        with Store(path, [a, b]) as store:
            assert [s.key for s in store.applied] == [("a", "y")]
            assert store.query("SELECT x, y FROM a") == [("kept", None)]
        assert recorded(path) == [("a", "create"), ("b", "create"), ("a", "y")]
        with Store(path, [a, b]) as again:
            assert again.applied == ()

    def test_a_set_new_to_the_file_is_added(self, tmp_path):
        path = tmp_path / "two.sqlite"
        a, b = two_sets()
        Store(path, [a]).close()
        with Store(path, [a, b]) as store:
            assert [s.key for s in store.applied] == [("b", "create")]
        assert recorded(path) == [("a", "create"), ("b", "create")]

    @pytest.mark.parametrize("unknown", ["step", "set"])
    def test_a_file_naming_a_step_or_set_this_backkit_does_not_know_is_too_new(
        self, tmp_path, digest, unknown
    ):
        path = tmp_path / "two.sqlite"
        sets = two_sets()
        if unknown == "step":
            sets[1].add("later", "a later backkit's step", "ALTER TABLE b ADD COLUMN z")
        else:
            later = Migrations("later")
            later.add("create", "a later backkit's table", "CREATE TABLE later (x)")
            sets.append(later)
        Store(path, sets).close()
        before = digest(path)
        name = "'later' of 'b'" if unknown == "step" else "'create' of 'later'"
        for _ in range(2):
            with pytest.raises(LogFileError) as info:
                Store(path, two_sets())
            assert str(path) in str(info.value)
            assert "was written by a newer backkit" in str(info.value)
            assert f"schema steps this backkit {backkit.__version__} does not know: {name}" in str(
                info.value
            )
        assert digest(path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["two.sqlite"]

    def test_a_file_at_9_without_its_record_of_steps_is_damaged(self, tmp_path, digest):
        path = tmp_path / "two.sqlite"
        Store(path, two_sets()).close()
        raw = sqlite3.connect(path)
        raw.execute("DROP TABLE migrations")
        raw.commit()
        raw.close()
        before = digest(path)
        with pytest.raises(LogFileError, match=r"is damaged .*version is 9 but it has no"):
            Store(path, two_sets())
        assert digest(path) == before

    def test_an_old_number_the_file_has_but_this_backkit_lacks_is_too_new(self, tmp_path, digest):
        path = tmp_path / "old.sqlite"
        raw = sqlite3.connect(path)
        raw.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE a (x); INSERT INTO meta VALUES ('schema_version', '2');"
        )
        raw.close()
        before = digest(path)
        a = Migrations("a")
        a.add("create", "a", "CREATE TABLE a (x)", was=1)
        with pytest.raises(LogFileError, match=r"newer backkit \(schema version 2; .* knows 1 of"):
            Store(path, [a])
        assert digest(path) == before


class TestOpen:
    def test_a_new_file_is_made_at_the_last_version(self, tmp_path):
        path = tmp_path / "sub" / "notes.sqlite"
        path.parent.mkdir()  # outside the data home the folder must exist
        with Store(path, [notes_table()]) as store:
            # made with every step under a temporary name, then opened
            assert store.migrated_from == SCHEMA_VERSION == store.schema_version
            assert [s.key for s in store.applied] == [("notes", "create")]
            assert store.query("PRAGMA journal_mode") == [("wal",)]
            assert store.query("PRAGMA synchronous") == [(2,)]
            assert repr(store) == f"Store({str(path)!r}, schema version {SCHEMA_VERSION})"
        assert repr(store) == f"Store({str(path)!r}, closed)"
        assert [p.name for p in path.parent.iterdir()] == ["notes.sqlite"]  # no temp files
        with Store(path, [notes_table()]) as again:
            assert again.migrated_from == SCHEMA_VERSION and again.applied == ()

    def test_a_store_without_tables_reopens(self, tmp_path):
        Store(tmp_path / "empty.sqlite").close()
        with Store(tmp_path / "empty.sqlite") as again:
            assert again.schema_version == SCHEMA_VERSION
            assert again.query("SELECT COUNT(*) FROM migrations") == [(0,)]

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
        assert {"meta", "bouts", "outcome_scores", "conditions"} <= tables(path)
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
        store = Store(path, [notes_table()])
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
        out.parent.mkdir()
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
        with Store(path, [notes_table()]) as store, store.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES ('first')")
        before = digest(path)
        with Store(path, [notes_table()]) as store, store.reading() as db:
            assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (1,)
        assert digest(path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite"]
        with Store(path, [notes_table()]) as store:
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


# --------------------------------------------------------------------------
# Output folders: made only in the data home (issue 23, item 7)


def _mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def _write_x(path: str | Path) -> Path:
    return write_atomically(path, lambda tmp: tmp.write_text("x"))


class TestOutputFolder:
    @pytest.fixture(autouse=True)
    def home(self, tmp_path, monkeypatch) -> Path:
        """A data home that does not exist yet, and the test's folder as the current one."""
        home = tmp_path / "home"
        monkeypatch.setenv("BACKKIT_HOME", str(home))
        monkeypatch.chdir(tmp_path)
        return home

    def test_an_existing_folder_anywhere_is_used_as_it_is(self, tmp_path):
        (tmp_path / "out").mkdir()
        os.chmod(tmp_path / "out", 0o755)
        assert _write_x(tmp_path / "out" / "a.txt").read_text() == "x"
        assert _mode(tmp_path / "out") == 0o755  # the person's folder: its mode is theirs

    def test_a_missing_folder_outside_the_home_is_refused_and_nothing_is_made(self, tmp_path):
        for given in (tmp_path / "no" / "a.txt", "no/a.txt", "no/deeper/a.txt"):
            with pytest.raises(backkit.errors.OutputFolderError) as caught:
                _write_x(given)
            said = str(caught.value)
            assert said.startswith(f"{given}: the folder {tmp_path / 'no'}"), said
            assert said.endswith("create the folder first, or write into your data home"), said
        assert list(tmp_path.iterdir()) == []  # no folder, no file, not even the home

    def test_a_missing_folder_in_the_home_is_made_0700_under_any_umask(self, home):
        old = os.umask(0o022)
        try:
            out = _write_x(home / "a" / "b" / "c.txt")
        finally:
            os.umask(old)
        assert [_mode(f) for f in (home, home / "a", home / "a" / "b")] == [0o700] * 3
        assert _mode(out) == 0o600

    def test_a_relative_path_is_read_from_the_current_folder(self, home, monkeypatch):
        home.mkdir()
        monkeypatch.chdir(home)
        assert _write_x("exports/a.txt") == Path("exports/a.txt")
        assert (home / "exports" / "a.txt").read_text() == "x"

    def test_tilde_is_the_persons_home_folder(self, tmp_path, monkeypatch):
        (tmp_path / "person").mkdir()
        monkeypatch.setenv("HOME", str(tmp_path / "person"))
        monkeypatch.setenv("BACKKIT_HOME", "~/data")
        with pytest.raises(backkit.errors.OutputFolderError, match="person/nowhere does not"):
            _write_x("~/nowhere/a.txt")
        assert _write_x("~/data/exports/a.txt") == tmp_path / "person/data/exports/a.txt"
        assert _mode(tmp_path / "person" / "data" / "exports") == 0o700

    def test_a_link_in_the_home_that_leads_out_is_outside(self, home, tmp_path):
        home.mkdir()
        (tmp_path / "elsewhere").mkdir()
        (home / "link").symlink_to(tmp_path / "elsewhere")
        with pytest.raises(backkit.errors.OutputFolderError, match=r"that is .*elsewhere/new"):
            _write_x(home / "link" / "new" / "a.txt")
        assert list((tmp_path / "elsewhere").iterdir()) == []
        # and a link that leads into the home is inside it
        (tmp_path / "to-home").symlink_to(home)
        _write_x(tmp_path / "to-home" / "new" / "a.txt")
        assert (home / "new" / "a.txt").read_text() == "x"

    def test_a_folder_that_is_a_file_is_refused(self, home):
        home.mkdir()
        (home / "notes").write_text("mine")
        for given in (home / "notes" / "a.txt", home / "notes" / "deeper" / "a.txt"):
            with pytest.raises(backkit.errors.OutputFolderError, match="notes is a file, not"):
                _write_x(given)
        assert (home / "notes").read_text() == "mine"
        assert sorted(p.name for p in home.iterdir()) == ["notes"]

    def test_checking_creates_nothing(self, home, tmp_path):
        check = backkit.config.output_folder
        assert check(home / "a" / "b.txt", create=False) == home / "a"
        assert not home.exists()
        with pytest.raises(backkit.errors.OutputFolderError):
            check(tmp_path / "no" / "b.txt", create=False)
        assert list(tmp_path.iterdir()) == []

    def test_a_named_folder_is_made_as_mkdir_makes_it_never_mkdir_p(self, tmp_path):
        check = backkit.config.output_folder
        assert check(tmp_path / "demo", is_folder=True) == tmp_path / "demo"
        assert _mode(tmp_path / "demo") == 0o700
        with pytest.raises(backkit.errors.OutputFolderError, match=r"folder .*/no does not"):
            check(tmp_path / "no" / "demo", is_folder=True)
        (tmp_path / "file").write_text("")
        with pytest.raises(backkit.errors.OutputFolderError, match="is there and is not a"):
            check(tmp_path / "file", is_folder=True)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["demo", "file"]

    def test_a_new_log_gets_its_folder_only_in_the_home(self, home, tmp_path):
        with pytest.raises(backkit.errors.OutputFolderError, match="create the folder first"):
            SessionLog(tmp_path / "no" / "log.sqlite")
        assert list(tmp_path.iterdir()) == []
        with SessionLog(home / "logs" / "log.sqlite") as log:
            log.record(exercise_id="bridge")
        assert _mode(home / "logs") == 0o700

    def test_the_error_keeps_its_folder_when_copied(self, tmp_path):
        import pickle

        with pytest.raises(backkit.errors.OutputFolderError) as caught:
            _write_x(tmp_path / "no" / "a.txt")
        copy = pickle.loads(pickle.dumps(caught.value))
        assert copy.folder == tmp_path / "no" and str(copy) == str(caught.value)
