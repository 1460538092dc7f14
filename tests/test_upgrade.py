"""The upgrade of a real schema-3 log (tests/data/log-v3.sqlite) keeps every row and value.

The file was written by backkit's code before the sessions table (see
tests/data/README.md). Each test opens a COPY of it; the file itself is never opened.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backkit import outcomes
from backkit.errors import CheckInError
from backkit.log import MOVED_BY_UPGRADE, SCHEMA_VERSION, SessionLog
from backkit.store import Migrations, Store, kit_migrations

SOURCE = Path(__file__).parent / "data" / "log-v3.sqlite"
BOUT_FIELDS = (
    "row_id, session_id, started_at, ended_at, exercise_id, side, sets_planned, sets_done, "
    "reps_planned, reps_done, hold_s_planned, hold_s_done, status, pain_before, pain_after, "
    "effort, notes, plan_id, source, recorded_at"
)
WHOLE = ("20250303-0800-s0", "20250303-0800-s1")  # whole-session timer sessions: 3 -> 2, 4 -> 4


def _read(path: Path, sql: str) -> list[tuple]:
    raw = sqlite3.connect(f"file:{path}?immutable=1", uri=True)  # writes nothing beside it
    try:
        return raw.execute(sql).fetchall()
    finally:
        raw.close()


@pytest.fixture(scope="module")
def original() -> dict[str, list[tuple]]:
    """Every row of the schema-3 file, read without changing it."""
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    raw = sqlite3.connect(f"file:{SOURCE}?immutable=1", uri=True)
    try:
        rows = {
            "bouts": raw.execute(f"SELECT {BOUT_FIELDS} FROM bouts ORDER BY row_id").fetchall(),
            "scores": raw.execute("SELECT * FROM outcome_scores ORDER BY row_id").fetchall(),
            "version": raw.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchall(),
        }
    finally:
        raw.close()
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == digest
    return rows


@pytest.fixture
def upgraded(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKKIT_TZ", "Europe/London")
    copy = tmp_path / "log.sqlite"
    shutil.copy(SOURCE, copy)
    with SessionLog(copy) as log:
        yield log


def test_the_file_is_schema_3(original):
    assert original["version"] == [("3",)]
    assert len(original["bouts"]) == 23 and len(original["scores"]) == 14


def test_the_upgrade_reaches_the_current_schema(upgraded):
    assert upgraded.migrated_from == 3
    assert upgraded.schema_version == SCHEMA_VERSION
    assert upgraded.check() == ["ok"]
    assert "upgraded_from_v3_at" in dict(upgraded.store.query("SELECT key, value FROM meta"))


def test_every_bout_is_still_there_and_unremoved(upgraded, original):
    assert len(upgraded) == 23
    assert upgraded.frame(ids=True)["row_id"].tolist() == [r[0] for r in original["bouts"]]
    assert upgraded.store.query("SELECT COUNT(*) FROM bouts WHERE removed_at IS NOT NULL") == [(0,)]


def test_every_value_is_still_there_or_in_the_trail_with_a_reason(upgraded, original):
    now = {r[0]: r for r in upgraded.store.query(f"SELECT {BOUT_FIELDS} FROM bouts")}
    names = [n.strip() for n in BOUT_FIELDS.split(",")]
    trail = upgraded.audit_trail()
    moved = {
        (int(t), f): old
        for t, f, old, target in zip(
            trail["target_id"], trail["field"], trail["old"], trail["target"], strict=True
        )
        if target == "bout"
    }
    for before in original["bouts"]:
        after = now[before[0]]
        for name, old, new in zip(names, before, after, strict=True):
            if old != new:
                # a value that changed is in the audit trail, with its old value
                assert moved[(before[0], name)] == old, (before[0], name)
    assert set(trail["reason"]) == {MOVED_BY_UPGRADE}


def test_whole_session_ratings_moved_to_the_session(upgraded):
    frame = upgraded.frame()
    whole = frame[frame["session_id"].isin(WHOLE)]
    assert len(whole) == 20
    assert whole["pain_before"].isna().all() and whole["pain_after"].isna().all()
    ratings = upgraded.session_ratings().set_index("session_id")
    assert ratings.loc[WHOLE[0]].tolist() == [3, 2]
    assert ratings.loc[WHOLE[1]].tolist() == [4, 4]
    s0 = frame[frame["session_id"] == WHOLE[0]]
    assert s0["session_pain_before"].tolist() == [3] * 10
    assert s0["session_pain_after"].tolist() == [2] * 10
    # each moved copy is in the trail: 20 bouts x 2 fields, and the 2 sessions x 2 fields
    trail = upgraded.audit_trail()
    assert (trail["target"] == "bout").sum() == 40
    assert (trail["target"] == "session").sum() == 4
    history = upgraded.history(1)
    assert history[["field", "old", "new", "reason"]].values.tolist() == [
        ["pain_before", 3, None, MOVED_BY_UPGRADE],
        ["pain_after", 2, None, MOVED_BY_UPGRADE],
    ]
    assert upgraded.session_history(WHOLE[1])["new"].tolist() == [4, 4]


def test_single_exercise_and_manual_entries_keep_their_ratings(upgraded):
    frame = upgraded.frame().set_index("exercise_id", drop=False)
    rest = frame[~frame["session_id"].isin(WHOLE)]
    got = [
        (r.exercise_id, r.pain_before, r.pain_after, r.effort, r.notes, r.source)
        for r in rest.itertuples()
    ]
    na = rest["pain_before"].iloc[-1]
    assert got == [
        ("bridge", 5, 3, 6, na, "timer"),
        ("squat", 2, 4, na, "knees ached", "manual"),
        ("knee-to-chest", na, na, na, na, "manual"),
    ]
    assert rest["session_pain_before"].isna().all()


def test_the_checkins_are_all_there(upgraded, original):
    scores = upgraded.store.query(
        "SELECT row_id, checkin_id, measured_on, baseline, kind, measure, item, score, "
        "scale_min, scale_max, higher_is_better, mcid, notes, recorded_at FROM outcome_scores "
        "ORDER BY row_id"
    )
    assert scores == original["scores"]
    assert len(outcomes.outcomes_frame(upgraded)) == 14
    checkins = outcomes.checkins_frame(upgraded)
    assert checkins["checkin_id"].tolist() == sorted({r[1] for r in original["scores"]})
    assert checkins["notes"].tolist() == ["sample data", "sample data"]
    assert checkins["leg_pain"].isna().all()


def test_the_upgraded_log_takes_new_entries_and_corrections(upgraded):
    outcomes.record_checkin(upgraded, "2025-03-03", pain_average=5, leg_pain=2)
    with pytest.raises(CheckInError, match="already has a check-in"):
        outcomes.record_checkin(upgraded, "2025-02-24", pain_average=5)
    upgraded.correct_session(WHOLE[0], pain_after=1, reason="meant 1")
    assert upgraded.session_history(WHOLE[0])["reason"].tolist()[-1] == "meant 1"


def test_the_trail_the_upgrade_wrote_is_chained_and_replays(upgraded, tmp_path):
    import json

    from backkit import audit

    upgraded.correct_session(WHOLE[0], pain_after=1, reason="meant 1")
    doc = json.loads(upgraded.export_json(tmp_path / "log.json").read_text())
    moved = [c for c in doc["changes"] if c["reason"] == MOVED_BY_UPGRADE]
    assert moved and doc["changes"][-1]["reason"] == "meant 1"
    assert audit.chain_problems(doc["changes"]) == []
    with SessionLog(tmp_path / "copy.sqlite") as copy:  # the import checks chain and replay
        assert copy.import_json(tmp_path / "log.json") == 23


def test_a_schema_7_trail_is_chained_by_the_upgrade(tmp_path):
    from backkit import audit

    path = tmp_path / "log.sqlite"
    with SessionLog(path) as log:
        row = log.record(exercise_id="bridge", pain_after=4, started_at="2025-03-03T08:00Z")
        log.correct(row["row_id"], pain_after=3, reason="typo")
        log.remove(row["row_id"], reason="not done")
    raw = sqlite3.connect(path)  # back to schema 7: the trail without its hashes
    raw.executescript(
        "ALTER TABLE changes DROP COLUMN hash; DROP TABLE migrations; "
        "UPDATE meta SET value = '7' WHERE key = 'schema_version'"
    )
    raw.close()
    with SessionLog(path) as log:
        assert (log.migrated_from, log.schema_version) == (7, SCHEMA_VERSION)
        rows = log.store.query("SELECT change_id, changed_at, target, target_id, field, old, "
                               "new, reason, hash FROM changes ORDER BY change_id")  # fmt: skip
    keys = ("change_id", "changed_at", "target", "target_id", "field", "old", "new", "reason")
    entries = [
        {**dict(zip(keys, r[:8], strict=True)), "old": audit.decode(r[5]),
         "new": audit.decode(r[6]), "hash": r[8]}
        for r in rows
    ]  # fmt: skip
    assert len(entries) == 2 and audit.chain_problems(entries) == []


def test_the_source_file_was_not_touched(original):
    assert _read(SOURCE, "SELECT value FROM meta WHERE key = 'schema_version'") == [("3",)]


# --------------------------------------------------------------------------
# Every old version: files of schema 1-8 kept only the number of their last step


def _kit_steps() -> list:
    return [step for migrations in kit_migrations() for step in migrations]


def _old_file(path: Path, version: int) -> None:
    """A log as backkit wrote it at schema ``version``: the steps numbered up to it, no record."""
    if version == 0:  # an empty database
        raw = sqlite3.connect(path)
        raw.execute("VACUUM")
        raw.close()
        return
    old = [
        Migrations(m.name, [s for s in m if s.was is not None and s.was <= version])
        for m in kit_migrations()
    ]
    Store(path, old).close()
    raw = sqlite3.connect(path)
    raw.executescript(
        f"DROP TABLE migrations; UPDATE meta SET value = '{version}' WHERE key = 'schema_version'"
    )
    raw.close()


def _schema(path: Path) -> list[tuple]:
    return _read(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name")


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_old_version_is_upgraded_recording_each_step_once(tmp_path, digest, version):
    path = tmp_path / "log.sqlite"
    _old_file(path, version)
    every = [s.key for s in _kit_steps()]
    with SessionLog(path) as log:
        assert (log.migrated_from, log.schema_version) == (version, SCHEMA_VERSION)
        lacked = [s.key for s in _kit_steps() if version == 0 or s.was > version]
        assert [s.key for s in log.store.applied] == lacked
        meta = dict(log.store.query("SELECT key, value FROM meta"))
    rows = _read(path, "SELECT migration_set, name FROM migrations")
    assert sorted(rows) == sorted(every) and len(rows) == len(set(rows))
    assert ("created_at" if version == 0 else f"upgraded_from_v{version}_at") in meta
    SessionLog(tmp_path / "new.sqlite").close()
    assert _schema(path) == _schema(tmp_path / "new.sqlite")  # as a new log is made
    before = digest(path)
    with SessionLog(path) as again:  # re-opening applies nothing and writes nothing
        assert again.store.applied == () and again.migrated_from == SCHEMA_VERSION
    assert digest(path) == before


def test_a_newer_file_is_refused_by_the_numbered_rule_of_older_backkits(upgraded):
    # backkits of schema 1-8 refuse a file whose version is above theirs: 9 is
    meta = dict(upgraded.store.query("SELECT key, value FROM meta"))
    assert int(meta["schema_version"]) == SCHEMA_VERSION == 9


_OPEN = """
import sys, time
from pathlib import Path
from backkit.log import SessionLog
while not Path(sys.argv[2]).exists():
    time.sleep(0.001)
with SessionLog(sys.argv[1]) as log:
    print(log.migrated_from, len(log.store.applied))
"""


def test_two_processes_opening_an_old_file_at_once_upgrade_it_once(tmp_path):
    path, go = tmp_path / "log.sqlite", tmp_path / "go"
    shutil.copy(SOURCE, path)
    root = str(Path(outcomes.__file__).resolve().parent.parent)  # this very backkit
    env = {**os.environ, "PYTHONPATH": root, "BACKKIT_TZ": "Europe/London"}
    command = [sys.executable, "-c", _OPEN, str(path), str(go)]
    children = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    time.sleep(1.0)  # both started and waiting
    go.touch()
    said = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], said
    lacked = sum(1 for s in _kit_steps() if s.was > 3)
    # one applied the 5 steps a schema-3 file lacks; the other found them applied
    applied = sorted(int(out.split()[-1]) for out, _ in said)
    assert applied == [0, lacked] == [0, 5]
    rows = _read(path, "SELECT migration_set, name FROM migrations")
    assert len(rows) == len(set(rows)) == len(_kit_steps())
    once = tmp_path / "once.sqlite"
    shutil.copy(SOURCE, once)
    SessionLog(once).close()
    moved = f"SELECT COUNT(*) FROM changes WHERE reason = '{MOVED_BY_UPGRADE}'"
    assert _read(path, moved) == _read(once, moved) != [(0,)]  # each moved rating noted once
