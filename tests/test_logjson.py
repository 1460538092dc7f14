"""The JSON export of the whole log: documented schema, nothing lost on the way back."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from backkit import conditions, logjson, outcomes
from backkit.errors import LogError, LogFileWarning, LogValidationError
from backkit.log import SessionLog

UTC = dt.timezone.utc
PAST = dt.datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
PSFS3 = {"sitting 1 hour": 3, "gardening": 2, "lifting a child": 4}


@pytest.fixture
def full(log):
    """A log with every kind of entry: ratings, corrections, removals, check-ins, screenings."""
    rows = log.record_many(
        [
            {"exercise_id": "bridge", "started_at": PAST, "source": "timer", "effort": 4},
            {"exercise_id": "squat", "started_at": PAST + dt.timedelta(minutes=4)},
        ],
        session={"pain_before": 3, "pain_after": None},
    )
    single = log.record(
        exercise_id="knee-to-chest", side="left", started_at=PAST + dt.timedelta(days=1),
        pain_before=4, pain_after=3, notes="felt “easier” — ok", hold_s_done=12.345,
    )  # fmt: skip
    log.correct(single["row_id"], pain_after=2, reason="typed 3")
    log.remove(rows[1]["row_id"], reason="undone right after saving")
    log.correct_session(rows[0]["session_id"], pain_after=2, reason="rated later")
    cid = outcomes.record_checkin(log, "2025-03-03", pain_average=6, psfs=PSFS3, leg_pain=3)[
        "checkin_id"
    ][0]
    outcomes.record_checkin(
        log, "2025-03-10", pain_average=5, psfs=PSFS3, next_morning="same", below_knee=False,
        custom={"name": "ODI total", "score": 30, "min": 0, "max": 100,
                "higher_is_better": False, "mcid": 10},
    )  # fmt: skip
    outcomes.correct_checkin(log, cid, pain_average=7, reason="misread")
    outcomes.record_checkin(log, "2025-03-10", pain_average=4, replace=True)
    outcomes.record_screening(log, {"bladder_bowel": False}, action="none", when=PAST)
    outcomes.record_screening(log, {"fever": True}, action="urgent", when=PAST)
    outcomes.record_clearance(log, seen_on=PAST.date(), seen_by="gp", notes="a virus; exercise")
    conditions.record(log, {"osteoporosis": "Yes", "pregnancy": "No"})
    return log


def _everything(log: SessionLog) -> dict:
    return {
        "frame": log.frame(ids=True),
        "ratings": log.session_ratings(),
        "outcomes": outcomes.outcomes_frame(log),
        "checkins": outcomes.checkins_frame(log),
        "screenings": outcomes.screenings_frame(log),
        "clearances": outcomes.clearances_frame(log),
        "conditions": conditions.current(log),
        "trail": log.audit_trail(),
        "history": [log.history(i) for i in (1, 2, 3)],
    }


def test_import_into_an_empty_log_gives_back_exactly_the_same(full, tmp_path):
    out = full.export_json(tmp_path / "log.json")
    with SessionLog(tmp_path / "copy.sqlite") as copy:
        assert copy.import_json(out) == 3  # every bout, the removed one included
        before, after = _everything(full), _everything(copy)
    for name in ("frame", "ratings", "outcomes", "checkins", "screenings", "clearances", "trail"):
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)
    assert after["conditions"] == before["conditions"] and after["conditions"].tags == {
        "osteoporosis"
    }
    for a, b in zip(after["history"], before["history"], strict=True):
        pd.testing.assert_frame_equal(a, b)
    # and a second export is the same file, but for the time of export
    again = json.loads(out.read_text())
    with SessionLog(tmp_path / "copy.sqlite") as copy:
        second = json.loads(copy.export_json(tmp_path / "again.json").read_text())
    for doc in (again, second):
        doc.pop("exported_at")
    assert second == again


def test_the_file_says_what_it_is_and_follows_the_schema(full, tmp_path):
    doc = json.loads(full.export_json(tmp_path / "log.json").read_text())
    assert (doc["format"], doc["version"]) == ("backkit-log", 3)
    assert doc["schema_version"] == full.schema_version
    assert set(doc) == set(logjson.HEADER) | set(logjson.SCHEMA)
    for section, keys in logjson.SCHEMA.items():
        for record in doc[section]:
            assert list(record) == list(keys), section
    removed = [b for b in doc["bouts"] if b["removed_at"] is not None]
    assert [b["exercise_id"] for b in removed] == ["squat"]
    assert doc["sessions"][0]["pain_before"] == 3
    assert {c["reason"] for c in doc["changes"]} >= {"typed 3", "misread", "rated later"}
    assert doc["screenings"][0]["answers"] == {"bladder_bowel": False}
    assert doc["clearances"][0]["seen_on"] == "2024-05-06"
    assert doc["conditions"][0]["tags"] == ["osteoporosis"]


def test_a_version_1_file_is_read_with_no_clearances_or_personal_answers(full, tmp_path):
    doc = json.loads(full.export_json(tmp_path / "log.json").read_text())
    doc["version"] = 1
    del doc["clearances"], doc["conditions"], doc["trail_head"]
    for entry in doc["changes"]:
        del entry["hash"]  # before version 3 the trail had no chain
    old = tmp_path / "v1.json"
    old.write_text(json.dumps(doc))
    with SessionLog(tmp_path / "copy.sqlite") as copy:
        with pytest.warns(LogFileWarning, match="version 1 export.*not checked.*chained from now"):
            copy.import_json(old)
        assert outcomes.clearances_frame(copy).empty and conditions.current(copy) is None
        assert len(outcomes.screenings_frame(copy)) == 2
    doc["clearances"] = []  # a version 1 file with a version 2 section is not a version 1 file
    old.write_text(json.dumps(doc))
    with pytest.raises(LogValidationError, match="clearances"):
        logjson.read(old)


def test_the_schema_names_every_column_of_every_table(log):
    for section, keys in logjson.SCHEMA.items():
        table = logjson.TABLES[section]
        columns = [r[1] for r in log.store.query(f"PRAGMA table_info({table})")]
        assert sorted(columns) == sorted(keys), section


def test_the_module_documents_every_type():
    kinds = {k.rstrip("?") for keys in logjson.SCHEMA.values() for k in keys.values()}
    for kind in kinds:
        assert f"``{kind}``" in logjson.__doc__


def test_an_empty_log_round_trips(log, tmp_path):
    out = log.export_json(tmp_path / "empty.json")
    with SessionLog(tmp_path / "copy.sqlite") as copy:
        assert copy.import_json(out) == 0
        assert copy.frame().empty


def test_import_refuses_a_log_that_is_not_empty(full, tmp_path, digest):
    out = full.export_json(tmp_path / "log.json")
    before = digest(full.path)
    with pytest.raises(LogError, match="reads into an empty log; this one holds 3 bouts"):
        full.import_json(out)
    assert digest(full.path) == before


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (lambda d: d.update(format="other"), "format", "is not a backkit log export"),
        (lambda d: d.update(version=4), "version", "does not read"),
        (lambda d: d.update(version=1.0), "version", "does not read"),
        (lambda d: d["bouts"][0].update(pain_after="3"), "pain_after", "must be a whole number"),
        (lambda d: d["bouts"][0].pop("side"), "side", "is missing"),
        (lambda d: d["bouts"][0].update(mood=3), "mood", "is not a key"),
        (lambda d: d["bouts"][0].update(pain_after=12), "pain_after", "from 0 to 10"),
        (lambda d: d["bouts"][0].update(started_at="yesterday"), "started_at", "UTC time"),
        (lambda d: d["sessions"][0].update(pain_before=11), "record", "CHECK constraint"),
        (lambda d: d["screenings"][0].update(answers={"q": "yes"}), "answers", "true or false"),
        # issue 23: what JSON import used to accept or crash on
        (lambda d: d["checkins"][0].update(notes="ding\x07\x1b[31m"), "notes", "U+0007"),
        (lambda d: d["checkins"][0].update(notes="x" * 100_000), "notes", "at most 2000"),
        (lambda d: d["scores"][0].update(item="y" * 50_000), "item", "at most 2000"),
        (
            lambda d: d["screenings"][0].update(answers={"<script>alert(1)</script>": True}),
            "answers",
            "question ids",
        ),
        (lambda d: d["bouts"][0].update(notes="half \ud800 a char"), "notes", "lone surrogate"),
        (lambda d: d["bouts"][0].update(row_id=10**30), "row_id", "out of range"),
        (lambda d: d["changes"][0].update(new="z" * 10_000), "new", "characters written out"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(full, tmp_path, digest, edit, where, message):
    doc = json.loads(full.export_json(tmp_path / "log.json").read_text())
    edit(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with SessionLog(tmp_path / "copy.sqlite") as copy:
        before = digest(copy.path)
        with pytest.raises(LogValidationError) as caught:
            copy.import_json(bad)
        assert any(p.field == where and message in p.message for p in caught.value.problems), str(
            caught.value
        )
        assert digest(copy.path) == before and len(copy) == 0


def test_nesting_far_too_deep_is_one_clear_error(tmp_path, log, digest):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    before = digest(log.path)
    with pytest.raises(LogValidationError, match="nests lists or objects far deeper"):
        log.import_json(deep)
    assert digest(log.path) == before and len(log) == 0


def test_a_device_is_not_read(log):
    with pytest.raises(LogValidationError, match="is not a regular file"):
        log.import_json("/dev/zero")  # read to the end, it never ends


def test_not_json_is_refused(tmp_path, log):
    bad = tmp_path / "bad.json"
    bad.write_text("session_id,started_at\n")
    with pytest.raises(LogValidationError, match="is not a JSON file"):
        log.import_json(bad)


def test_the_upgraded_real_log_round_trips(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKKIT_TZ", "Europe/London")
    copy = tmp_path / "v3.sqlite"
    shutil.copy(Path(__file__).parent / "data" / "log-v3.sqlite", copy)
    with SessionLog(copy) as log, SessionLog(tmp_path / "new.sqlite") as new:
        new.import_json(log.export_json(tmp_path / "v3.json"))
        pd.testing.assert_frame_equal(new.frame(ids=True), log.frame(ids=True))
        pd.testing.assert_frame_equal(new.audit_trail(), log.audit_trail())
        pd.testing.assert_frame_equal(outcomes.outcomes_frame(new), outcomes.outcomes_frame(log))
