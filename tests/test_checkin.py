"""The CheckIn widget, driven headless: values set on its widgets, Save clicked."""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest

import backkit
from backkit import safety
from backkit.charts import plot_outcomes
from backkit.log import SessionLog
from backkit.outcomes import (
    checkins_frame,
    outcomes_frame,
    record_checkin,
    record_screening,
    screenings_frame,
    summary_line,
)
from backkit.widgets.checkin import CheckIn

MONDAY = dt.date(2025, 3, 3)


def fill_baseline(
    w: CheckIn,
    names=("sitting 1 hour", "gardening", "lifting a child"),
    scores=(3, 2, 4),
    *,
    answer=True,
):
    w.pain_average.value, w.pain_worst.value = 6, 8
    for box, slider, name, score in zip(
        w.activity_names, w.activity_scores, names, scores, strict=False
    ):
        box.value, slider.value = name, score
    if answer:
        answer_the_rest(w)


def answer_the_rest(w: CheckIn, yes=()):
    """The questions besides pain and the PSFS, those asked: the morning after, red flags."""
    if w.asks_morning:
        w.next_morning.value = "same"
    if w.asks_screening:
        for key, buttons in w.red_flags.items():
            buttons.value = key in yes


def walk(w: widgets.Widget):
    yield w
    for child in getattr(w, "children", ()):
        yield from walk(child)


def test_a_baseline_made_in_the_widget_lands_in_the_store(log):
    w = CheckIn(log, today=MONDAY)
    assert "baseline" in w.title.value
    assert len(w.activity_names) == 5  # 3 required, 2 optional
    fill_baseline(w)
    w.notes.value = "first week"
    w.save_button.click()
    df = outcomes_frame(log)
    assert df["baseline"].all()
    assert df["measure"].tolist() == ["pain_average", "pain_worst", "psfs", "psfs", "psfs"]
    assert df["item"].dropna().tolist() == ["sitting 1 hour", "gardening", "lifting a child"]
    assert df["score"].tolist() == [6, 8, 3, 2, 4]
    assert df["notes"].eq("first week").all()
    assert "Saved" in w.message.value and "3 Mar 2025" in w.message.value
    assert w.summary == summary_line(df)
    assert w.summary in w.message.value.replace("&#x27;", "'")
    assert w.save_button.disabled and w.save_button.description == "✓ Saved"
    assert len(w.saved) == 5


def test_a_follow_up_reuses_the_activities_and_shows_last_time(log):
    first = CheckIn(log, today=MONDAY)
    fill_baseline(first)
    first.save_button.click()

    w = CheckIn(log, today=MONDAY + dt.timedelta(days=7))
    assert "Follow-up" in w.title.value and "3 Mar 2025" in w.title.value
    assert w.activity_names == []  # named once, at baseline
    labels = [c.value for c in walk(w) if "bk-checkin-activity-name" in c._dom_classes]
    assert labels == ["sitting 1 hour", "gardening", "lifting a child"]
    lasts = [c.value for c in walk(w) if "bk-checkin-last" in c._dom_classes]
    # last time's answers beside each question (no leg pain was given), never as the start value
    assert lasts == ["last time: 6", "last time: 8", "", "last time: 3", "last time: 2",
                     "last time: 4"]  # fmt: skip
    assert [s.value for s in w.activity_scores] == [None, None, None]
    assert w.pain_average.value is None and w.pain_worst.value is None
    answer_the_rest(w)
    w.pain_average.value, w.pain_worst.value = 3, 6
    for slider, score in zip(w.activity_scores, [6, 5, 6], strict=True):
        slider.value = score
    w.save_button.click()
    assert "Saved" in w.message.value, w.message.value
    assert w.summary == (
        "Since the baseline on 3 Mar 2025 (1 week): average pain 6 → 3 (improved), "
        "worst pain 8 → 6 (unchanged), PSFS (mean) 3 → 5.7 (improved)."
    )

    # ... and appears in the outcomes chart
    fig = plot_outcomes(log.frame(), outcomes_frame(log))
    panels = {a.get_title(loc="left").split("  ")[0]: a for a in fig.axes}
    (pain,) = [ln for ln in panels["Average pain"].lines if ln.get_gid() == "score"]
    np.testing.assert_allclose(pain.get_ydata(), [6, 3])
    (psfs,) = [ln for ln in panels["PSFS (mean)"].lines if ln.get_gid() == "score"]
    np.testing.assert_allclose(psfs.get_ydata(), [3, 17 / 3])
    days = psfs.get_xdata().astype("datetime64[D]").tolist()
    assert days == [MONDAY, MONDAY + dt.timedelta(days=7)]
    (sitting,) = [
        ln for ln in panels["PSFS (mean)"].lines if ln.get_gid() == "activity:sitting 1 hour"
    ]
    np.testing.assert_allclose(sitting.get_ydata(), [3, 6])


def test_errors_are_shown_in_the_widget_and_nothing_is_stored(digest, log, path):
    w = CheckIn(log, today=MONDAY)
    fill_baseline(w, names=("sitting 1 hour", "gardening", "x" * 61))
    before = digest(path)
    w.save_button.click()
    assert "Not saved" in w.message.value
    assert "is 61 characters long; at most 60" in w.message.value
    assert digest(path) == before
    assert outcomes_frame(log).empty
    assert not w.save_button.disabled  # fix and try again

    w.activity_names[2].value = "lifting a child"
    w.pain_worst.value = 2  # below the average of 6
    w.save_button.click()
    assert "is below pain_average (6)" in w.message.value
    assert digest(path) == before

    w.pain_worst.value = 8
    w.date.value = dt.date(2999, 1, 1)
    w.save_button.click()
    assert "is in the future" in w.message.value
    assert digest(path) == before

    w.date.value = MONDAY
    w.save_button.click()
    assert "Saved" in w.message.value
    assert len(outcomes_frame(log)) == 5


def test_two_widgets_opened_before_any_checkin_cannot_both_make_a_baseline(digest, log, path):
    a, b = CheckIn(log, today=MONDAY), CheckIn(log, today=MONDAY + dt.timedelta(days=1))
    fill_baseline(a)
    fill_baseline(b)
    a.save_button.click()
    before = digest(path)
    b.save_button.click()
    assert "a second baseline" in b.message.value
    assert digest(path) == before


def test_a_custom_measure_is_defined_once_then_reused(log):
    w = CheckIn(log, today=MONDAY)
    fill_baseline(w)
    assert w.custom_box.layout.display == "none"
    w.custom_toggle.value = True
    assert w.custom_box.layout.display == "flex"
    w.custom_name.value = "ODI total"
    w.custom_score.value = 42
    w.custom_min.value, w.custom_max.value = 0, 100
    w.custom_direction.value = False
    w.custom_mcid.value = 10
    w.save_button.click()
    assert "Saved" in w.message.value, w.message.value

    later = CheckIn(log, today=MONDAY + dt.timedelta(days=28))
    assert later.custom_name.options == ("ODI total",)
    later.custom_toggle.value = True
    later.custom_min.value, later.custom_max.value, later.custom_mcid.value = 5, 50, 3
    later.custom_name.value = "ODI total"
    # the definition is shown and fixed
    assert (later.custom_min.value, later.custom_max.value, later.custom_mcid.value) == (0, 100, 10)
    assert later.custom_direction.value is False
    assert all(x.disabled for x in (later.custom_min, later.custom_max, later.custom_mcid))
    later.custom_score.value = 30
    later.save_button.click()  # the pain and PSFS ratings are not given: Save asks
    assert "Not answered yet" in later.message.value and later.saved is None
    later.skip_button.click()
    assert "ODI total 42 → 30 (improved)" in later.summary
    odi = outcomes_frame(log).query("measure == 'ODI total'")
    assert odi["score"].tolist() == [42, 30]


def test_a_bad_custom_measure_is_refused_with_its_reason(digest, log, path):
    w = CheckIn(log, today=MONDAY)
    fill_baseline(w)
    w.custom_toggle.value = True
    w.custom_name.value = "RMDQ total"
    w.custom_score.value = 30
    w.custom_min.value, w.custom_max.value, w.custom_mcid.value = 0, 24, 5
    before = digest(path)
    w.save_button.click()
    assert "custom.score" in w.message.value
    assert "must be a number from 0 to 24" in w.message.value
    assert digest(path) == before


def test_every_control_has_a_css_class():
    w = CheckIn(SessionLog(":memory:"), today=MONDAY)
    controls = [
        c
        for c in walk(w)
        if isinstance(c, (widgets.ValueWidget, widgets.Button, widgets.Output))
        and not isinstance(c, widgets.HTML)
    ]
    assert len(controls) >= 20
    missing = [type(c).__name__ for c in controls if not any(
        cls.startswith("bk-checkin") for cls in c._dom_classes)]  # fmt: skip
    assert missing == []
    assert "bk-checkin" in w._dom_classes
    assert "bk-checkin-save" in w.save_button._dom_classes


def test_an_unexpected_error_is_shown_not_lost(log):
    w = CheckIn(log, today=MONDAY)
    fill_baseline(w)
    log.close()
    w.save_button.click()  # must not raise out of the callback
    assert "Something went wrong" in w.message.value and "the log is closed" in w.message.value
    assert any("LogError" in o.get("text", "") for o in w.output.outputs)


def test_the_default_store_is_the_default_log(tmp_path, monkeypatch):
    target = tmp_path / "home-log.sqlite"
    monkeypatch.setenv("BACKKIT_LOG", str(target))
    w = CheckIn(today=MONDAY)
    assert w.session_log.path == target
    fill_baseline(w)
    w.save_button.click()
    w.session_log.close()
    with SessionLog(target) as reopened:
        assert len(outcomes_frame(reopened)) == 5


def test_a_path_is_opened(tmp_path):
    target = tmp_path / "other.sqlite"
    with SessionLog(target) as made:
        record_checkin(made, MONDAY, pain_average=4)
    w = CheckIn(target, today=MONDAY + dt.timedelta(days=7))
    assert w.pain_average.value is None
    assert "last time: 4" in [c.value for c in walk(w) if "bk-checkin-last" in c._dom_classes]
    w.session_log.close()


# -- ratings on purpose, leg questions, red flags, a second check-in (issues 13, 14) --------

XSS = "<img src=x onerror=alert(1)>"


def test_every_rating_starts_not_rated_and_save_asks(log):
    w = CheckIn(log, today=MONDAY)
    ratings = [w.pain_average, w.pain_worst, w.leg_pain, *w.activity_scores]
    assert all(r.value is None for r in ratings)
    assert all(b.value is None for b in w.red_flags.values())
    w.save_button.click()
    assert "Not answered yet" in w.message.value and "average pain" in w.message.value
    assert "never as 0" in w.message.value
    assert w.skip_button.layout.display == "" and w.saved is None
    assert outcomes_frame(log).empty


def test_skip_stores_missing_never_zero(log):
    w = CheckIn(log, today=MONDAY)
    w.pain_average.value = 5  # worst pain, leg pain and the PSFS skipped
    w.save_button.click()
    w.skip_button.click()
    df = outcomes_frame(log)
    assert df["measure"].tolist() == ["pain_average"] and df["score"].tolist() == [5]
    row = checkins_frame(log).iloc[0]
    assert row["leg_pain"] is pd.NA and row["below_knee"] is pd.NA
    assert pd.isna(row["next_morning"])  # not asked at the baseline
    assert screenings_frame(log).empty  # no warning-sign question answered: none stored


def test_leg_pain_and_the_next_morning_are_stored_with_advice(log):
    record_checkin(log, MONDAY, pain_average=6)
    w = CheckIn(log, today=MONDAY + dt.timedelta(days=7))
    w.pain_average.value, w.pain_worst.value = 5, 7
    answer_the_rest(w)
    w.leg_pain.value = 4
    w.next_morning.value = "worse"
    assert "settle by the next morning" in w.legs_advice.value
    w.save_button.click()
    assert "Saved" in w.message.value, w.message.value
    row = checkins_frame(log).iloc[-1]
    assert (row["leg_pain"], row["next_morning"]) == (4, "worse")


def test_a_red_flag_yes_is_recorded_and_says_what_to_do(log):
    w = CheckIn(log, today=MONDAY)
    fill_baseline(w)
    answer_the_rest(w, yes=("bladder_bowel",))
    w.save_button.click()
    assert "Saved" in w.message.value
    assert "Emergency" in w.screening_advice.value and "999" in w.screening_advice.value
    stored = screenings_frame(log)
    assert stored["action"].tolist() == ["emergency"]
    assert stored["yes"].tolist() == [("bladder_bowel",)]
    assert len(stored["answers"][0]) == len(w.red_flags)


def test_the_check_in_shows_the_emergency_signs(log):
    w = CheckIn(log, today=MONDAY)
    for sign in safety.rules()["emergency"]["signs"]:
        assert html.escape(sign) in w.signs.value


def test_a_second_check_in_on_one_day_offers_to_replace_the_first(log):
    first = CheckIn(log, today=MONDAY)
    fill_baseline(first)
    first.save_button.click()
    old_id = checkins_frame(log)["checkin_id"][0]

    again = CheckIn(log, today=MONDAY)
    again.pain_average.value, again.pain_worst.value = 4, 5
    answer_the_rest(again)
    for r, score in zip(again.activity_scores, [5, 5, 5], strict=True):
        r.value = score
    again.save_button.click()
    assert "already saved a check-in on 3 Mar 2025" in again.message.value
    assert again.replace_button.layout.display == "" and again.saved is None
    again.replace_button.click()
    assert "Saved" in again.message.value
    now = outcomes_frame(log)
    assert now.query("measure == 'pain_average'")["score"].tolist() == [4]
    assert checkins_frame(log)["checkin_id"][0] != old_id
    trail = log.audit_trail()
    assert (trail["target_id"] == old_id).any()


def test_names_and_notes_are_escaped(log):
    w = CheckIn(log, today=MONDAY)
    fill_baseline(w, names=(XSS, "gardening", "lifting a child"))
    w.save_button.click()
    later = CheckIn(log, today=MONDAY + dt.timedelta(days=7))
    shown = " ".join(c.value for c in walk(later) if isinstance(c, widgets.HTML))
    assert XSS not in shown and html.escape(XSS) in shown
    later.save_button.click()  # the message names the activity not rated
    assert XSS not in later.message.value and "&lt;img" in later.message.value


# -- each question once, no morning after at baseline, a light first run (issue 26) --------

TODAY = "2026-12-07T10:00+00:00"  # the pinned clock: a Monday


@pytest.fixture
def at_ten(pin_today, monkeypatch):
    """The kit's clock at 10:00 UTC on 7 Dec 2026, so answers at 09:12 were today."""
    monkeypatch.setenv("BACKKIT_TZ", "UTC")
    pin_today(TODAY)


def all_no(**changes):
    answers = {q.id: False for q in safety.screening_questions()}
    answers.update(changes)
    return answers


def classes(w: CheckIn) -> set[str]:
    return {cls for c in walk(w) for cls in getattr(c, "_dom_classes", ())}


def test_the_baseline_does_not_ask_about_the_morning_after(log):
    first = CheckIn(log, today=MONDAY)
    assert not first.asks_morning and "bk-checkin-next-morning" not in classes(first)
    first.save_button.click()
    assert "the morning after" not in first.message.value
    fill_baseline(first)
    first.save_button.click()
    assert "Saved" in first.message.value, first.message.value
    assert pd.isna(checkins_frame(log)["next_morning"].iloc[0])

    later = CheckIn(log, today=MONDAY + dt.timedelta(days=7))
    assert later.asks_morning and "bk-checkin-next-morning" in classes(later)
    later.save_button.click()
    assert "the morning after" in later.message.value  # asked for, never assumed


def test_pain_below_the_knee_is_asked_once_by_the_warning_sign_question(log):
    w = CheckIn(log, today=MONDAY)
    assert "bk-checkin-below-knee" not in classes(w) and not hasattr(w, "below_knee")
    asked = [c.value for c in walk(w) if "bk-checkin-screening-question" in c._dom_classes]
    below = next(q.ask for q in safety.screening_questions() if q.id == "below_knee")
    assert asked.count(html.escape(below)) == 1
    assert not any("below your knee" in text for text in asked if text != html.escape(below))
    fill_baseline(w)
    answer_the_rest(w, yes=("below_knee",))
    w.save_button.click()
    assert "Saved" in w.message.value
    assert "physiotherapist" in w.screening_advice.value
    # the answer is the screening's; the check-in's own item keeps its meaning: not asked
    assert screenings_frame(log)["yes"].tolist() == [("below_knee",)]
    assert checkins_frame(log)["below_knee"].isna().all()
    found = safety.warning_answers(screenings_frame(log), checkins_frame(log))
    assert found["question"].tolist() == [below]  # listed once, as it was asked


def test_questions_answered_today_are_not_asked_again(log, at_ten):
    record_screening(log, all_no(), action="none", when="2026-12-07 09:12")
    w = CheckIn(log, today=MONDAY)
    assert not w.asks_screening and w.questions.layout.display == "none"
    assert "You answered the warning-sign questions today at 09:12" in w.screening_note.value
    assert "answered no to each one" in w.screening_note.value
    assert w.rescreen_button.layout.display == ""
    fill_baseline(w)
    assert not any("warning-sign" in m for m in w.missing())
    w.save_button.click()
    assert "Saved" in w.message.value, w.message.value
    assert len(screenings_frame(log)) == 1  # nothing asked, nothing stored


def test_an_answer_of_yes_today_shows_what_was_answered_and_what_to_do(log, at_ten):
    record_screening(log, all_no(fever=True), action="urgent", when="2026-12-07 09:12")
    w = CheckIn(log, today=MONDAY)
    assert not w.asks_screening
    fever = next(q.ask for q in safety.screening_questions() if q.id == "fever")
    note = w.screening_note.value
    assert "today at 09:12, and answered yes to" in note and html.escape(fever) in note
    assert "Urgent: do not start the session" in note and "NHS 111" in note


def test_questions_answered_yesterday_or_in_part_are_asked_again(log, at_ten):
    record_screening(log, all_no(), action="none", when="2026-12-06 18:00")
    assert CheckIn(log, today=MONDAY).asks_screening  # yesterday's: asked again, as before
    record_screening(log, {"fever": False}, action="none", when="2026-12-07 09:00")
    w = CheckIn(log, today=MONDAY)
    assert w.asks_screening and w.screening_note.value == ""  # a part answer is not an answer


def test_something_changed_answer_them_again(log, at_ten):
    record_screening(log, all_no(), action="none", when="2026-12-07 09:12")
    w = CheckIn(log, today=MONDAY)
    w.rescreen_button.click()
    assert w.asks_screening and w.rescreen_button.layout.display == "none"
    fill_baseline(w, answer=False)
    w.save_button.click()  # the questions shown again must be answered again
    assert f"{len(w.red_flags)} warning-sign questions" in w.message.value
    answer_the_rest(w, yes=("unwell",))
    w.save_button.click()
    assert "Saved" in w.message.value
    stored = screenings_frame(log)
    assert len(stored) == 2 and stored["yes"].tolist()[-1] == ("unwell",)
    assert "Urgent" in w.screening_advice.value


def test_answers_given_elsewhere_today_hide_the_questions_unless_answered_here(log, at_ten):
    w = CheckIn(log, today=MONDAY)
    untouched = CheckIn(log, today=MONDAY)
    assert w.asks_screening and untouched.asks_screening
    next(iter(w.red_flags.values())).value = False  # one answer pressed here
    record_screening(log, all_no(), action="none", when="2026-12-07 09:30")
    w.refresh_screening()
    untouched.refresh_screening()
    assert w.asks_screening  # a person's answers are never hidden
    assert not untouched.asks_screening and "09:30" in untouched.screening_note.value


def test_a_part_answered_screening_is_stored_only_with_a_yes(log, at_ten):
    w = CheckIn(log, today=MONDAY)
    fill_baseline(w, answer=False)
    for buttons in list(w.red_flags.values())[:5]:
        buttons.value = False
    w.save_button.click()
    w.skip_button.click()
    assert "Saved" in w.message.value
    assert "warning-sign answers were not stored" in w.message.value
    assert screenings_frame(log).empty  # a part answer must not count for the safety gate
    assert not backkit.gate.check(log).open

    again = CheckIn(log, today=MONDAY + dt.timedelta(days=1))
    again.pain_average.value = 4
    again.red_flags["fever"].value = True  # a yes is never dropped
    again.save_button.click()
    again.skip_button.click()
    assert screenings_frame(log)["yes"].tolist() == [("fever",)]
    assert "Urgent" in again.screening_advice.value


def test_the_app_passes_signs_false_the_emergency_list_is_left_out(log):
    title = html.escape(safety.rules()["emergency"]["title"])
    shown = CheckIn(log, today=MONDAY)
    left_out = CheckIn(log, today=MONDAY, signs=False)
    count = lambda w: sum(  # noqa: E731
        title in c.value for c in walk(w) if isinstance(c, widgets.HTML)
    )
    assert count(shown) == 1 and count(left_out) == 0 and left_out.signs is None


def test_the_empty_outcomes_chart_says_what_will_appear():
    from backkit.log import empty_frame
    from backkit.outcomes import empty_outcomes

    fig = plot_outcomes(empty_frame(), empty_outcomes())
    measures, sessions = fig.axes
    assert "week by week, compared with your first check-in" in measures.get_xlabel()
    assert "sessions you do each week will show here" in sessions.get_xlabel()
    for ax in fig.axes:  # words, not an empty frame with axis labels
        assert ax.get_ylabel() == "" and not ax.get_frame_on()
        assert list(ax.get_yticks()) == []
