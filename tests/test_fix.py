"""Fix an entry and Undo, driven headless: every change goes through the audited API."""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import pandas as pd

import backkit
from backkit.outcomes import checkin_history, checkins_frame, outcomes_frame, record_checkin
from backkit.widgets.fix import UNDO_REASON, FixEntry, UndoBar

XSS = "<img src=x onerror=alert(1)>"


def said(fix: FixEntry) -> str:
    """The message as a person reads it (its text, without the box)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fix.message.value))


def session(log, before=5, after=8, notes=None):
    rows = [{"exercise_id": "bridge", "started_at": "2025-03-03T09:00:00+00:00", "notes": notes},
            {"exercise_id": "squat", "started_at": "2025-03-03T09:05:00+00:00"}]  # fmt: skip
    return log.record_many(rows, session={"pain_before": before, "pain_after": after})


def test_nothing_saved_nothing_to_fix():
    fix = FixEntry(backkit.SessionLog(":memory:"))
    assert fix.entry.options == () and "nothing to fix" in fix.details.value


def test_change_a_sessions_rating_with_the_reason_and_see_the_history(log):
    sid = session(log)[0]["session_id"]
    fix = FixEntry(log)
    label = dict((v, k) for k, v in fix.entry.options)[("session", sid)]
    assert label.startswith("Session Mon 3 Mar 2025") and "Bridge, Bodyweight squat" in label
    assert "Bridge" in fix.details.value
    assert fix.history.value == "<b>History:</b> no changes yet."
    fix.fields["pain_after"].value = 3
    fix.change_button.click()  # no reason: refused, nothing written
    assert said(fix) == "Please give a reason for the change (for example 'typed 3 instead of 2')."
    assert log.session_ratings()["pain_after"].tolist() == [8]
    fix.reason.value = "pressed 8, meant 3"
    fix.change_button.click()
    assert said(fix) == "Changed the session; the earlier values are in its history."
    assert log.session_ratings()["pain_after"].tolist() == [3]
    assert "pressed 8, meant 3" in fix.history.value and ">8<" in fix.history.value
    assert ">pain straight after<" in fix.history.value and "pain_after" not in fix.history.value
    fix.fields["pain_before"].value = None  # "not rated": cleared, never 0
    fix.reason.value = "did not rate it"
    fix.change_button.click()
    assert log.session_ratings()["pain_before"].isna().all()


def test_remove_a_session_keeps_it_in_the_trail(log):
    sid = session(log)[0]["session_id"]
    fix = FixEntry(log)
    fix.reason.value = "saved twice"
    fix.remove_button.click()
    assert len(log) == 0 and "Removed the session (2 exercise rows)" in fix.message.value
    trail = log.audit_trail()
    assert (trail["reason"] == "saved twice").sum() >= 2
    assert ("session", sid) not in [v for _, v in fix.entry.options]


def test_change_and_remove_a_check_in(log):
    record_checkin(log, "2025-03-03", pain_average=6, pain_worst=8, notes="first")
    cid = checkins_frame(log)["checkin_id"][0]
    fix = FixEntry(log)
    assert fix.entry.value == ("checkin", cid)
    fix.fields["pain_average"].value = 5
    fix.fields["notes"].value = XSS
    fix.reason.value = "misread the scale"
    fix.change_button.click()
    assert outcomes_frame(log).query("measure == 'pain_average'")["score"].tolist() == [5]
    assert checkin_history(log, cid)["reason"].eq("misread the scale").all()
    assert XSS not in fix.history.value and html.escape(XSS) in fix.history.value
    fix.reason.value = "entered for the wrong person"
    fix.remove_button.click()
    assert checkins_frame(log).empty and fix.entry.options == ()


def test_notes_and_names_are_escaped(log):
    session(log, notes=XSS)
    fix = FixEntry(log)
    shown = " ".join(c.value for c in fix.children if isinstance(c, widgets.HTML))
    assert XSS not in shown


def test_undo_removes_the_rows_just_saved_with_its_reason(log):
    bar = UndoBar(log)
    assert bar.layout.display == "none"
    rows = session(log)
    bar.offer(rows)
    assert bar.layout.display == "" and not bar.undo_button.disabled
    bar.undo_button.click()
    assert len(log) == 0 and bar.undo_button.disabled
    assert (log.audit_trail()["reason"] == UNDO_REASON).sum() >= 2


# -- repetitions and holds, and words a person reads (issue 26) ----------------------------


def row_of(log, exercise_id, side="both"):
    frame = log.frame(ids=True)
    return int(frame.loc[(frame["exercise_id"] == exercise_id) & (frame["side"] == side),
                         "row_id"].iloc[0])  # fmt: skip


def test_fields_are_named_as_the_timer_names_them(log):
    session(log)
    fix = FixEntry(log)
    labels = [row.children[0].value for row in fix.form.children[1:3]]
    assert labels[0].startswith("Pain before") and labels[1].startswith("Pain straight after")
    boxes = [c.value for c in walk(fix.form) if "bk-fix-count-label" in c._dom_classes]
    # the bridge is held; a squat's time is that of one repetition
    assert boxes[:3] == ["sets done", "repetitions done", "hold (seconds)"]
    assert boxes[4:7] == ["sets done", "repetitions done", "seconds a repetition"]
    assert "repetitions done" in fix.details.value and "reps_done" not in fix.details.value


def test_fix_the_repetitions_and_the_status_follows(log):
    session(log)
    bridge = row_of(log, "bridge")
    fix = FixEntry(log)
    assert fix.bout_fields[bridge]["reps_done"].placeholder == "10"
    fix.bout_fields[bridge]["reps_done"].value = "6"
    fix.bout_fields[bridge]["hold_s_done"].value = "4.5"
    fix.reason.value = "stopped after 6"
    fix.change_button.click()
    assert said(fix) == "Changed the session; the earlier values are in its history."
    stored = log.frame(ids=True).set_index("row_id").loc[bridge]
    assert (stored["reps_done"], stored["hold_s_done"], stored["status"]) == (6, 4.5, "partial")
    history = fix.history.value
    for words in ("4. Bridge: repetitions done", "4. Bridge: status", "4. Bridge: hold (seconds)",
                  ">completed<", ">partial<", "stopped after 6"):  # fmt: skip
        assert words in history, words
    # back up to the plan: completed again
    fix.bout_fields[bridge]["reps_done"].value = "10"
    fix.reason.value = "miscounted"
    fix.change_button.click()
    assert log.frame(ids=True).set_index("row_id").loc[bridge, "status"] == "completed"


def test_a_bad_count_is_one_plain_sentence_and_nothing_is_written(log, path, digest):
    session(log)
    bridge, squat = row_of(log, "bridge"), row_of(log, "squat")
    fix = FixEntry(log)
    fix.fields["pain_after"].value = 2  # valid, but goes with the refused change: not written
    fix.bout_fields[bridge]["sets_done"].value = "2"  # valid too
    fix.bout_fields[squat]["reps_done"].value = "200"
    fix.reason.value = "typo"
    before = digest(path)
    fix.change_button.click()
    assert said(fix) == (
        "Nothing was changed: repetitions done for 7. Bodyweight squat cannot be 200: "
        "it must be a whole number from 0 to 100."
    )
    assert digest(path) == before and log.audit_trail().empty
    fix.bout_fields[squat]["reps_done"].value = "ten"
    fix.change_button.click()
    text = said(fix)
    assert text.startswith("Nothing was changed: repetitions done for 7. Bodyweight squat")
    assert "ten" in text and "row" not in text and "nothing was written" not in text
    assert digest(path) == before


def test_a_refusal_never_shows_internal_ids_or_doubled_words(log):
    sid = session(log)[0]["session_id"]
    fix = FixEntry(log)
    fix.fields["pain_before"].value = 4
    fix.reason.value = "x" * 3000
    fix.change_button.click()
    text = said(fix)
    assert text == "Nothing was changed: the reason is 3000 characters long; at most 2000."
    assert sid not in text and "nothing was written" not in text.lower()
    assert "pain_before" not in text and "reason =" not in text


def test_a_single_exercise_rated_on_its_own_rows_shows_and_changes_that_rating(log):
    # what the timer saves for one exercise done on both sides: the rating on each side's row
    rows = [{"exercise_id": "knee-to-chest", "side": side, "session_id": "s1",
             "started_at": f"2025-03-03T09:0{k}:00+00:00", "pain_before": 5, "pain_after": 6}
            for k, side in enumerate(("left", "right"))]  # fmt: skip
    log.record_many(rows)
    fix = FixEntry(log)
    assert "(now: 5)" in fix.form.children[1].children[0].value  # not "not rated"
    assert "(now: 6)" in fix.form.children[2].children[0].value
    fix.fields["pain_after"].value = 3
    fix.reason.value = "pressed 6, meant 3"
    fix.change_button.click()
    assert log.frame()["pain_after"].tolist() == [3, 3]  # both sides, as it was rated once
    assert log.session_ratings().empty  # no second, session-wide rating made up
    name = backkit.get_exercise("knee-to-chest").name
    assert f"2. {name} (left): pain straight after" in fix.history.value


def test_a_session_that_rated_each_exercise_can_fix_each_rating(log):
    rows = session(log)
    squat = row_of(log, "squat")
    log.correct(squat, pain_after=4, reason="rated after")
    fix = FixEntry(log)
    assert set(fix.bout_fields[squat]) == {"sets_done", "reps_done", "hold_s_done", "pain_after"}
    fix.bout_fields[squat]["pain_after"].value = None  # "not rated": cleared, never 0
    fix.reason.value = "did not rate it"
    fix.change_button.click()
    assert log.frame(ids=True).set_index("row_id").loc[squat, "pain_after"] is pd.NA
    assert log.session_ratings()["pain_after"].tolist() == [8]  # the session's own: kept
    assert rows


def test_nothing_chosen_says_so(log):
    session(log)
    fix = FixEntry(log)
    fix.reason.value = "no reason needed yet"
    fix.change_button.click()
    assert said(fix) == "Choose a new value for at least one field."
    assert log.audit_trail().empty


def walk(w):
    yield w
    for child in getattr(w, "children", ()):
        yield from walk(child)
