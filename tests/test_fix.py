"""Fix an entry and Undo, driven headless: every change goes through the audited API."""

from __future__ import annotations

import html

import ipywidgets as widgets

import backkit
from backkit.outcomes import checkin_history, checkins_frame, outcomes_frame, record_checkin
from backkit.widgets.fix import UNDO_REASON, FixEntry, UndoBar

XSS = "<img src=x onerror=alert(1)>"


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
    fix.fields["pain_after"].value = 3
    fix.change_button.click()  # no reason: refused, nothing written
    assert "Not changed" in fix.message.value
    assert log.session_ratings()["pain_after"].tolist() == [8]
    fix.reason.value = "pressed 8, meant 3"
    fix.change_button.click()
    assert log.session_ratings()["pain_after"].tolist() == [3]
    assert "pressed 8, meant 3" in fix.history.value and ">8<" in fix.history.value
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
