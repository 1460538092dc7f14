"""Session ratings, corrections that lose nothing, check-in fields and red-flag screenings."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from backkit import outcomes
from backkit.errors import CheckInError, LogValidationError
from backkit.log import COLUMNS, SESSION_COLUMNS, SessionLog, audit_path, conform

UTC = dt.timezone.utc
PAST = dt.datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
PSFS3 = {"sitting 1 hour": 3, "gardening": 2, "lifting a child": 4}


def whole_session(log: SessionLog, **rating):
    """A timer session of two exercises rated once for the whole session."""
    rows = [
        {"exercise_id": "bridge", "started_at": PAST, "source": "timer"},
        {"exercise_id": "squat", "started_at": PAST + dt.timedelta(minutes=3), "source": "timer"},
    ]
    return log.record_many(rows, session=rating or {"pain_before": 3, "pain_after": 2})


# --------------------------------------------------------------------------
# Session ratings


class TestSessionRatings:
    def test_the_session_rating_is_stored_once_and_shown_on_each_bout(self, log):
        rows = whole_session(log)
        frame = log.frame()
        assert list(frame.columns) == list(COLUMNS)
        assert list(COLUMNS)[-2:] == list(SESSION_COLUMNS)
        assert frame["session_pain_before"].tolist() == [3, 3]
        assert frame["session_pain_after"].tolist() == [2, 2]
        # the bouts' own ratings are for that exercise only: not copied
        assert frame["pain_before"].isna().all() and frame["pain_after"].isna().all()
        assert str(frame["session_pain_after"].dtype) == "Int64"
        assert log.store.query("SELECT COUNT(*) FROM sessions") == [(1,)]
        assert rows[0]["session_pain_before"] == 3 and rows[0]["row_id"] == 1

    def test_a_missing_rating_is_stored_as_missing_never_zero(self, log):
        whole_session(log, pain_before=4, pain_after=None)
        ratings = log.session_ratings()
        assert ratings["pain_before"].tolist() == [4]
        assert ratings["pain_after"].isna().all()
        assert log.store.query("SELECT pain_after FROM sessions") == [(None,)]

    def test_no_rating_means_no_session_row(self, log):
        log.record_many([{"exercise_id": "bridge"}], session={"pain_before": None})
        assert log.session_ratings().empty
        assert log.frame()["session_pain_before"].isna().all()

    def test_the_session_rating_must_be_0_to_10_and_nothing_is_written(self, log, path, digest):
        whole_session(log)
        before = digest(path)
        with pytest.raises(LogValidationError) as caught:
            log.record_many([{"exercise_id": "bridge"}], session={"pain_after": 11, "pain": 2})
        text = str(caught.value)
        assert "session: pain_after = 11: must be a whole number from 0 to 10" in text
        assert "session: pain = 2: is not a session rating field" in text
        assert digest(path) == before and len(log) == 2

    def test_rows_of_two_sessions_cannot_share_one_rating(self, log):
        with pytest.raises(LogValidationError, match="rates one session, but the rows belong to 2"):
            log.record_many(
                [
                    {"exercise_id": "bridge", "session_id": "a"},
                    {"exercise_id": "squat", "session_id": "b"},
                ],
                session={"pain_before": 3},
            )
        assert len(log) == 0

    def test_rate_session_afterwards_and_a_change_needs_a_correction(self, log):
        rows = log.record_many([{"exercise_id": "bridge"}, {"exercise_id": "squat"}])
        sid = rows[0]["session_id"]
        assert log.rate_session(sid, pain_before=5)["pain_before"] == 5
        assert log.rate_session(sid, pain_after=4) == {
            "session_id": sid,
            "pain_before": 5,
            "pain_after": 4,
        }
        with pytest.raises(LogValidationError, match="already rated pain_after = 4; change it"):
            log.rate_session(sid, pain_after=1)
        with pytest.raises(LogValidationError, match="is not a session in this log"):
            log.rate_session("nope", pain_after=1)

    def test_correct_session_keeps_the_earlier_value(self, log, path, digest):
        sid = whole_session(log)[0]["session_id"]
        log.correct_session(sid, pain_after=1, reason="meant 1")
        assert log.frame()["session_pain_after"].tolist() == [1, 1]
        history = log.session_history(sid)
        assert history[["field", "old", "new", "reason"]].values.tolist() == [
            ["pain_after", 2, 1, "meant 1"]
        ]
        before = digest(path)
        with pytest.raises(LogValidationError, match="pain_after = 12"):
            log.correct_session(sid, pain_after=12, reason="x")
        with pytest.raises(LogValidationError, match="reason"):
            log.correct_session(sid, pain_after=3, reason=" ")
        assert digest(path) == before

    def test_sessions_summary_prefers_the_session_rating(self, log):
        whole_session(log, pain_before=6, pain_after=5)
        s = log.sessions()
        assert (int(s.loc[0, "pain_before"]), int(s.loc[0, "pain_after"])) == (6, 5)

    def test_csv_round_trip_keeps_the_session_rating(self, log, tmp_path):
        whole_session(log)
        log.record(exercise_id="bridge", started_at=PAST + dt.timedelta(days=1), pain_after=2)
        out = log.export_csv(tmp_path / "log.csv")
        header = out.read_text().splitlines()[0].split(",")
        assert header[-2:] == ["session_pain_before", "session_pain_after"]
        with SessionLog(tmp_path / "copy.sqlite") as copy:
            copy.import_csv(out)
            pd.testing.assert_frame_equal(copy.frame(), log.frame())
            pd.testing.assert_frame_equal(copy.session_ratings(), log.session_ratings())

    def test_an_old_csv_without_the_columns_still_imports(self, log, tmp_path):
        old = tmp_path / "old.csv"
        old.write_text("exercise_id,started_at,pain_after\nbridge,2024-05-01T08:00+00:00,2\n")
        assert log.import_csv(old) == 1
        assert log.frame()["session_pain_after"].isna().all()

    def test_a_csv_whose_rows_disagree_on_the_session_rating_is_refused(self, log, tmp_path):
        bad = tmp_path / "bad.csv"
        bad.write_text(
            "session_id,exercise_id,started_at,session_pain_after\n"
            "s1,bridge,2024-05-01T08:00+00:00,2\n"
            "s1,squat,2024-05-01T08:05+00:00,3\n"
        )
        with pytest.raises(LogValidationError, match="row 3: session_pain_after = 3: differs"):
            log.import_csv(bad)
        assert len(log) == 0

    def test_conform_fills_the_new_columns_for_old_frames(self):
        row = {name: [None] for name in COLUMNS if name not in SESSION_COLUMNS}
        row.update(
            session_id=["s"], started_at=["2024-05-01T08:00"], exercise_id=["bridge"],
            side=["both"], status=["completed"], source=["manual"],
        )  # fmt: skip
        frame = conform(row, tz="UTC")
        assert list(frame.columns) == list(COLUMNS)
        assert frame["session_pain_before"].isna().all()


# --------------------------------------------------------------------------
# Corrections of bouts


class TestCorrect:
    def test_correct_changes_the_value_and_keeps_the_old_one(self, log):
        row = log.record(exercise_id="bridge", started_at=PAST, pain_after=8)
        fixed = log.correct(row["row_id"], pain_after=3, reason="typed 8, meant 3")
        assert fixed["pain_after"] == 3
        assert log.frame()["pain_after"].tolist() == [3]
        history = log.history(row["row_id"])
        assert list(history.columns) == ["when", "field", "old", "new", "reason"]
        assert history[["field", "old", "new", "reason"]].values.tolist() == [
            ["pain_after", 8, 3, "typed 8, meant 3"]
        ]
        assert str(history["when"].dtype).startswith("datetime64[ns, ")

    def test_a_change_of_dose_updates_the_status_and_both_are_in_the_trail(self, log):
        row = log.record(exercise_id="bridge", started_at=PAST)
        fixed = log.correct(row["row_id"], reps_done=4, reason="stopped early")
        assert fixed["status"] == "partial"
        fields = log.history(row["row_id"])["field"].tolist()
        assert fields == ["reps_done", "status"]

    def test_the_status_follows_the_counts_both_ways_and_a_hold_leaves_it(self, log):
        # what "Fix an entry" relies on: it passes the counts, never the status
        row = log.record(exercise_id="bridge", started_at=PAST)
        rid = row["row_id"]
        assert log.correct(rid, sets_done=2, reason="two sets")["status"] == "partial"
        assert log.correct(rid, sets_done=3, reason="three after all")["status"] == "completed"
        fixed = log.correct(rid, hold_s_done=4.0, reason="held 4 s")
        assert (fixed["status"], fixed["hold_s_done"]) == ("completed", 4.0)
        fields = log.history(rid)["field"].tolist()
        assert fields == ["sets_done", "status", "sets_done", "status", "hold_s_done"]

    def test_a_cleared_rating_is_missing(self, log):
        row = log.record(exercise_id="bridge", started_at=PAST, pain_before=0)
        log.correct(row["row_id"], pain_before=None, reason="not rated, the slider said 0")
        assert log.frame()["pain_before"].isna().all()
        assert log.history(row["row_id"])["old"].tolist() == [0]

    def test_a_time_correction_shows_times_in_the_history(self, log):
        row = log.record(exercise_id="bridge", started_at=PAST)
        log.correct(row["row_id"], started_at=PAST - dt.timedelta(hours=1), reason="clock")
        old = log.history(row["row_id"], tz="UTC")["old"][0]
        assert old == pd.Timestamp(PAST)

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"pain_after": 11}, "pain_after", "must be a whole number from 0 to 10"),
            ({"side": "left"}, "side", "must be both: bridge works both sides at once"),
            ({"reps_done": 200}, "reps_done", "must be a whole number from 0 to 100"),
            ({"status": "completed", "reps_done": 2}, "status", "but 3 of 3 sets and 2 of 10"),
            ({"pain_aftr": 2}, "pain_aftr", "Did you mean 'pain_after'"),
            ({"session_pain_after": 2}, "session_pain_after", "correct_session"),
            ({}, "changes", "give the fields to change"),
        ],
    )
    def test_a_refused_correction_leaves_the_file_byte_identical(
        self, log, path, digest, changes, field, message
    ):
        row = log.record(exercise_id="bridge", started_at=PAST, pain_after=8)
        before = digest(path)
        with pytest.raises(LogValidationError) as caught:
            log.correct(row["row_id"], reason="fix", **changes)
        assert any(p.field == field and message in p.message for p in caught.value.problems), str(
            caught.value
        )
        assert str(caught.value).startswith("The change was not saved (nothing was written):")
        assert digest(path) == before
        assert log.history(row["row_id"]).empty

    def test_a_correction_needs_a_reason_and_an_existing_bout(self, log, path, digest):
        row = log.record(exercise_id="bridge", started_at=PAST)
        before = digest(path)
        with pytest.raises(LogValidationError, match=r"reason.*is required"):
            log.correct(row["row_id"], pain_after=2, reason="")
        with pytest.raises(LogValidationError, match="is not a bout in this log"):
            log.correct(99, pain_after=2, reason="x")
        assert digest(path) == before

    def test_a_correction_cannot_make_a_duplicate(self, log):
        log.record(exercise_id="bridge", started_at=PAST, session_id="s")
        other = log.record(exercise_id="bridge", started_at=PAST, session_id="t")
        with pytest.raises(LogValidationError, match="is already in the log"):
            log.correct(other["row_id"], session_id="s", reason="same session")


class TestRemove:
    def test_undo_right_after_saving(self, log):
        rows = whole_session(log)
        assert log.remove([r["row_id"] for r in rows], reason="undone right after saving") == 2
        assert len(log) == 0 and log.frame().empty
        assert log.store.query("SELECT COUNT(*) FROM bouts") == [(2,)]  # kept in the file
        history = log.history(rows[0]["row_id"])
        assert history[["field", "old", "new", "reason"]].values.tolist() == [
            ["removed", False, True, "undone right after saving"]
        ]

    def test_a_removed_bout_is_hidden_everywhere_and_can_be_recorded_again(self, log):
        row = log.record(exercise_id="bridge", started_at=PAST)
        log.remove(row["row_id"], reason="saved twice")
        assert "0 bouts" in repr(log) and log.sessions().empty
        again = log.record(exercise_id="bridge", started_at=PAST, session_id=row["session_id"])
        assert again["row_id"] != row["row_id"] and len(log) == 1

    def test_remove_is_all_or_nothing(self, log, path, digest):
        row = log.record(exercise_id="bridge", started_at=PAST)
        before = digest(path)
        with pytest.raises(LogValidationError, match="row 7: row_id = 7: is not a bout"):
            log.remove([row["row_id"], 7], reason="x")
        assert digest(path) == before and len(log) == 1
        log.remove(row["row_id"], reason="x")
        with pytest.raises(LogValidationError, match="was removed"):
            log.remove(row["row_id"], reason="x")
        with pytest.raises(LogValidationError, match="was removed"):
            log.correct(row["row_id"], pain_after=1, reason="x")

    def test_frame_with_ids_names_each_current_bout(self, log):
        rows = whole_session(log)
        log.remove(rows[0]["row_id"], reason="x")
        frame = log.frame(ids=True)
        assert frame.columns[0] == "row_id" and str(frame["row_id"].dtype) == "Int64"
        assert frame["row_id"].tolist() == [rows[1]["row_id"]]

    def test_the_audit_trail_is_exported_beside_the_csv(self, log, tmp_path):
        row = log.record(exercise_id="bridge", started_at=PAST, pain_after=8)
        log.correct(row["row_id"], pain_after=3, reason="typed 8, meant 3")
        out = log.export_csv(tmp_path / "log.csv", audit=True)
        trail = audit_path(out)
        assert trail == tmp_path / "log-audit.csv"
        lines = trail.read_text().splitlines()
        assert lines[0] == "target,target_id,when,field,old,new,reason"
        assert lines[1].startswith("bout,1,") and lines[1].endswith(
            ',pain_after,8,3,"typed 8, meant 3"'
        )
        assert not (tmp_path / "other-audit.csv").exists()
        log.export_csv(tmp_path / "other.csv")
        assert not (tmp_path / "other-audit.csv").exists()


# --------------------------------------------------------------------------
# Check-ins: new fields, replace, corrections


class TestCheckIns:
    def test_the_new_fields_are_stored_and_read(self, log):
        outcomes.record_checkin(
            log, "2025-03-03", pain_average=5, leg_pain=6, next_morning="worse", below_knee=True
        )
        frame = outcomes.checkins_frame(log)
        assert list(frame.columns) == list(outcomes.CHECKIN_COLUMNS)
        row = frame.iloc[0]
        assert (row["leg_pain"], row["next_morning"], bool(row["below_knee"])) == (6, "worse", True)
        assert len(outcomes.outcomes_frame(log)) == 1  # leg pain is not an outcome score

    def test_unanswered_fields_are_missing(self, log):
        outcomes.record_checkin(log, "2025-03-03", pain_average=5)
        row = outcomes.checkins_frame(log).iloc[0]
        assert row[["leg_pain", "next_morning", "below_knee"]].isna().all()

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"leg_pain": 11}, "leg_pain", "must be a whole number from 0 to 10"),
            ({"next_morning": "fine"}, "next_morning", "must be one of better, same, worse"),
            ({"below_knee": "yes"}, "below_knee", "must be True, False or None"),
        ],
    )
    def test_bad_new_fields_are_refused(self, log, path, digest, fields, field, message):
        before = digest(path)
        with pytest.raises(CheckInError) as caught:
            outcomes.record_checkin(log, "2025-03-03", **fields)
        assert any(p.field == field and message in p.message for p in caught.value.problems)
        assert digest(path) == before

    def test_a_second_check_in_on_one_day_needs_replace(self, log):
        first = outcomes.record_checkin(log, "2025-03-03", pain_average=5, psfs=PSFS3)
        with pytest.raises(CheckInError, match="already has a check-in"):
            outcomes.record_checkin(log, "2025-03-03", pain_average=6)
        second = outcomes.record_checkin(log, "2025-03-03", pain_average=4, replace=True)
        frame = outcomes.outcomes_frame(log)
        assert frame["score"].tolist() == [4.0] and bool(frame["baseline"].iloc[0])
        old_id = first["checkin_id"][0]
        history = outcomes.checkin_history(log, old_id)
        assert history["field"].tolist() == ["removed"]
        assert history["reason"][0].startswith(outcomes.REPLACED)
        assert second["checkin_id"][0] in history["reason"][0]
        assert outcomes.checkins_frame(log)["checkin_id"].tolist() == [second["checkin_id"][0]]

    def test_correct_checkin_validates_and_keeps_the_earlier_values(self, log, path, digest):
        cid = outcomes.record_checkin(log, "2025-03-03", pain_average=6, psfs=PSFS3)["checkin_id"][
            0
        ]
        outcomes.record_checkin(log, "2025-03-10", pain_average=5, psfs=PSFS3)
        fixed = outcomes.correct_checkin(
            log, cid, pain_average=7, psfs={**PSFS3, "gardening": 3}, leg_pain=2, reason="redo"
        )
        assert fixed["score"].tolist() == [7.0, 3.0, 3.0, 4.0]
        assert fixed["baseline"].all()  # still the baseline
        history = outcomes.checkin_history(log, cid)
        assert history[["field", "old", "new"]].values.tolist() == [
            ["pain_average", 6, 7],
            ["leg_pain", None, 2],
            ["psfs[gardening]", 2, 3],
        ]
        before = digest(path)
        with pytest.raises(CheckInError, match="must rate the activities named at the PSFS"):
            outcomes.correct_checkin(log, cid, psfs={"a": 1, "b": 2, "c": 3}, reason="x")
        with pytest.raises(CheckInError, match="cannot be corrected"):
            outcomes.correct_checkin(log, cid, date="2025-03-04", reason="x")
        with pytest.raises(CheckInError, match="pain_worst = 2: is below pain_average"):
            outcomes.correct_checkin(log, cid, pain_worst=2, reason="x")
        assert digest(path) == before

    def test_remove_checkin(self, log, path, digest):
        cid = outcomes.record_checkin(log, "2025-03-03", pain_average=6)["checkin_id"][0]
        before = digest(path)
        with pytest.raises(CheckInError, match="reason"):
            outcomes.remove_checkin(log, cid, reason="")
        assert digest(path) == before
        outcomes.remove_checkin(log, cid, reason="wrong person")
        assert outcomes.outcomes_frame(log).empty and outcomes.checkins_frame(log).empty
        # the day is free again, and the next check-in is the baseline
        again = outcomes.record_checkin(log, "2025-03-03", pain_average=4)
        assert bool(again["baseline"][0])
        with pytest.raises(CheckInError, match="is not a check-in"):
            outcomes.remove_checkin(log, cid, reason="again")


# --------------------------------------------------------------------------
# Red-flag screening


class TestScreening:
    def test_record_and_read_screenings(self, log):
        assert outcomes.last_screening(log) is None
        outcomes.record_screening(
            log,
            {"bladder_bowel": False, "saddle_numbness": False},
            action="none",
            when="2025-03-03T08:00+00:00",
        )
        stored = outcomes.record_screening(
            log, {"bladder_bowel": True, "saddle_numbness": False}, action="emergency"
        )
        assert stored["action"] == "emergency" and stored["answers"]["bladder_bowel"] is True
        frame = outcomes.screenings_frame(log)
        assert list(frame.columns) == list(outcomes.SCREENING_COLUMNS)
        assert frame["action"].tolist() == ["none", "emergency"]
        assert frame["yes"].tolist() == [(), ("bladder_bowel",)]
        assert outcomes.last_screening(log)["screening_id"] == stored["screening_id"]

    @pytest.mark.parametrize(
        ("answers", "action", "message"),
        [
            ({"bladder_bowel": True}, "panic", "must be one of none, clinician, urgent, emergency"),
            ({"bladder_bowel": "yes"}, "urgent", "must be True (yes) or False (no)"),
            ({}, "none", "must map each question id"),
            # one door's rule for all: the ids are the questions', the advice the answers'
            ({"bladder": True}, "emergency", "is not a warning-sign question"),
            ({"bladder_bowel": True}, "none", "does not follow from the answers"),
        ],
    )
    def test_bad_screenings_are_refused(self, log, path, digest, answers, action, message):
        before = digest(path)
        with pytest.raises(CheckInError, match=message.replace("(", r"\(").replace(")", r"\)")):
            outcomes.record_screening(log, answers, action=action)
        assert digest(path) == before


def test_the_sample_log_has_the_same_columns_as_a_real_log(log):
    from backkit import sample_log

    sample = sample_log(weeks=1)
    assert list(sample.columns) == list(log.frame().columns)
    assert sample["session_pain_before"].isna().all()


def test_copies_of_the_test_file_only(tmp_path):
    # guard for the upgrade tests: they work on copies
    from pathlib import Path

    source = Path(__file__).parent / "data" / "log-v3.sqlite"
    shutil.copy(source, tmp_path / "copy.sqlite")
    assert (tmp_path / "copy.sqlite").read_bytes() == source.read_bytes()


# --------------------------------------------------------------------------
# A tamper-evident audit trail (issue 23)


class TestEveryChangeInTheTrail:
    def test_a_rating_cleared_then_rated_again_is_in_the_trail(self, log):
        sid = whole_session(log, pain_before=4, pain_after=3)[0]["session_id"]
        log.correct_session(sid, pain_after=None, reason="not sure")
        log.rate_session(sid, pain_after=9)
        trail = log.audit_trail()
        history = trail[["field", "old", "new", "reason"]].values.tolist()
        assert trail["target_id"].tolist() == [sid, sid]
        assert history == [
            ["pain_after", 3, None, "not sure"],
            ["pain_after", None, 9, "rated after the session was saved"],
        ]

    def test_a_rating_given_by_later_bouts_of_the_session_is_in_the_trail(self, log):
        log.record_many(
            [{"exercise_id": "bridge", "session_id": "s1", "started_at": PAST}],
            session={"pain_before": 5},
        )
        log.record(exercise_id="squat", session_id="s1", started_at=PAST, session_pain_after=2)
        trail = log.audit_trail()
        assert trail[["target", "field", "old", "new"]].values.tolist() == [
            ["session", "pain_after", None, 2]
        ]

    def test_every_value_change_replays_to_the_stored_values(self, log, tmp_path):
        import json

        from backkit import audit

        rows = whole_session(log)
        log.correct(rows[0]["row_id"], pain_after=5, effort=3, reason="typo")
        log.correct_session(rows[0]["session_id"], pain_before=None, reason="unsure")
        log.rate_session(rows[0]["session_id"], pain_before=6)
        log.remove(rows[1]["row_id"], reason="not done")
        cid = outcomes.record_checkin(log, "2024-05-06", pain_average=5)["checkin_id"][0]
        outcomes.correct_checkin(log, cid, leg_pain=3, below_knee=True, notes="x", reason="r")
        outcomes.remove_checkin(log, cid, reason="wrong day")
        doc = json.loads(log.export_json(tmp_path / "log.json").read_text())
        assert len(doc["changes"]) == 9  # 2 + 1 + 1 + 1 (bout, session) + 3 + 1 (check-in)
        assert audit.chain_problems(doc["changes"]) == []
        from backkit.logjson import _held  # the module's own lookup of the values held

        assert audit.replay_problems(doc["changes"], _held(doc)) == []
        with SessionLog(tmp_path / "copy.sqlite") as copy:
            assert copy.import_json(tmp_path / "log.json") == 2
            assert copy.audit_trail()["reason"].tolist() == log.audit_trail()["reason"].tolist()


def _trail_log(log: SessionLog, tmp_path) -> dict:
    import json

    rows = whole_session(log)
    log.correct(rows[0]["row_id"], pain_after=5, reason="typed 4")
    log.correct(rows[0]["row_id"], pain_after=6, reason="typed 5")
    log.correct_session(rows[0]["session_id"], pain_after=1, reason="meant 1")
    return json.loads(log.export_json(tmp_path / "log.json").read_text())


def _rechain(doc: dict) -> None:
    """What a forger would do: recompute every hash and the head, so the chain itself holds."""
    from backkit import audit

    previous = audit.GENESIS
    for entry in doc["changes"]:
        entry["hash"] = previous = audit.entry_hash(previous, entry)
    doc["trail_head"] = previous


def _swap(changes: list[dict]) -> None:
    """The first two entries in each other's place, their ids where they were."""
    first, second = changes[0]["change_id"], changes[1]["change_id"]
    changes[0], changes[1] = {**changes[1], "change_id": first}, {**changes[0], "change_id": second}


def _invent(doc: dict) -> None:
    doc["changes"].insert(1, {**doc["changes"][0], "change_id": 2, "changed_at":
                              "2001-01-01T00:00:00.000000Z", "old": 7, "new": 8})  # fmt: skip
    for n, entry in enumerate(doc["changes"], 1):
        entry["change_id"] = n


TAMPERING = {
    "an entry deleted": (lambda d: d["changes"].pop(1), "changes[1]", "hash"),
    "the last entry deleted": (lambda d: d["changes"].pop(), "file log.json", "trail_head"),
    "an entry invented": (_invent, "changes[1]", "hash"),
    "a reason edited": (lambda d: d["changes"][0].update(reason="nothing"), "changes[0]", "hash"),
    "two entries swapped": (lambda d: _swap(d["changes"]), "changes[0]", "hash"),
    "deleted and the chain recomputed": (
        lambda d: (d["changes"].pop(1), _rechain(d)),
        "changes[0]",  # the bout's pain_after left at 5 by the trail, 6 in the file
        "new",
    ),
    "a 2001 correction invented and the chain recomputed": (
        lambda d: (_invent(d), _rechain(d)),
        "changes[1]",
        "old",
    ),
    "a value edited and the chain recomputed": (
        lambda d: (d["bouts"][0].update(pain_after=9), _rechain(d)),
        "changes[1]",  # the last change of that field leaves 6, the file holds 9
        "new",
    ),
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=list(TAMPERING))
def test_a_tampered_trail_is_refused_and_nothing_is_written(log, tmp_path, digest, tamper):
    import json

    edit, where, field = tamper
    doc = _trail_log(log, tmp_path)
    edit(doc)
    bad = tmp_path / "log.json"
    bad.write_text(json.dumps(doc))
    with SessionLog(tmp_path / "copy.sqlite") as copy:
        before = digest(copy.path)
        with pytest.raises(LogValidationError, match="audit trail is broken") as caught:
            copy.import_json(bad)
        problems = caught.value.problems  # one error; the first problem is where it broke
        assert (problems[0].where, problems[0].field) == (where, field), problems
        assert digest(copy.path) == before and len(copy) == 0


def test_an_intact_trail_imports_and_keeps_its_chain(log, tmp_path):
    import json

    doc = _trail_log(log, tmp_path)
    with SessionLog(tmp_path / "copy.sqlite") as copy:
        assert copy.import_json(tmp_path / "log.json") == 2
        copy.correct(1, pain_after=7, reason="again")  # the chain goes on from the import
        again = json.loads(copy.export_json(tmp_path / "again.json").read_text())
    from backkit import audit

    assert again["changes"][:3] == doc["changes"]
    assert audit.chain_problems(again["changes"]) == []
