"""The plain-language sentences: every number in them comes from analysis or adherence."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import backkit
from backkit import analysis, narrative
from backkit.adherence import adherence
from backkit.log import COLUMNS, conform
from backkit.plan import Plan

TZ = "Europe/London"
EMPTY = conform({k: [] for k in COLUMNS}, tz=TZ)


def make_log(*rows: dict) -> pd.DataFrame:
    """A typed log frame from bouts given as dicts; ``at`` is local wall time."""
    defaults = dict.fromkeys(COLUMNS) | {
        "exercise_id": "bridge", "side": "both", "sets_planned": 1, "sets_done": 1,
        "reps_planned": 1, "reps_done": 1, "hold_s_planned": 10.0, "hold_s_done": 10.0,
        "status": "completed", "source": "manual",
    }  # fmt: skip
    full = []
    for n, row in enumerate(rows):
        r = {**defaults, **row}
        at = pd.Timestamp(r.pop("at")).tz_localize(TZ)
        full.append(r | {"started_at": at, "ended_at": at + pd.Timedelta(minutes=1),
                         "session_id": r["session_id"] or f"s{n}"})  # fmt: skip
    return conform({k: [r[k] for r in full] for k in COLUMNS}, tz=TZ)


def pain_days(values: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """One bout a day at 08:00: {'2025-03-03': (before, after), ...}."""
    return make_log(
        *(
            {"at": f"{day} 08:00", "session_id": day, "pain_before": b, "pain_after": a}
            for day, (b, a) in values.items()
        )
    )


class TestSummary:
    def test_meaningful_fall_in_words(self):
        log = pain_days({"2025-03-03": (6, 5), "2025-03-04": (4, 4), "2025-03-11": (2, 2)})
        text = narrative.summary(log)
        assert text[0] == "You logged 3 sessions on 3 days between 3 Mar 2025 and 11 Mar 2025."
        assert text[1] == (
            "Pain before exercise has fallen 3.0 points (60%) since you started "
            "(from 5.0 to 2.0/10), a clinically meaningful change."
        )
        assert "You exercised on 3 of 9 days." in text
        assert (
            "Longest streak: 2 days in a row with a session; current streak: 1 day "
            "(to 11 Mar 2025)." in text
        )

    def test_small_fall_says_what_would_be_meaningful(self):
        log = pain_days({"2025-03-03": (5, 5), "2025-03-10": (4, 4)})
        assert narrative.summary(log)[1] == (
            "Pain before exercise has fallen 1.0 point (20%) since you started (from 5.0 to "
            "4.0/10); a clinically meaningful change is a fall of 2 points or 30%."
        )

    def test_an_aggravating_exercise_and_the_limit_are_named(self):
        rows = [
            {"at": f"2025-03-{d:02d} 08:00", "exercise_id": "squat", "pain_before": 3,
             "pain_after": 4 + d % 3}
            for d in range(3, 13)
        ]  # fmt: skip
        text = " ".join(narrative.summary(make_log(*rows)))
        assert "Bodyweight squat raised pain by 1.9 points on average straight after" in text
        assert "Try the easier version (sit-to-stand)" in text
        assert "pain went above 5/10 after exercise in 3 sessions (latest 11 Mar 2025)" in text

    def test_with_a_plan_adherence_is_against_the_prescription(self):
        plan = Plan("Bridge daily", items=["bridge"], start=dt.date(2025, 3, 3))
        log = pain_days({"2025-03-03": (4, 4), "2025-03-05": (4, 3)})
        text = narrative.summary(log, plan)
        assert "You did 67% of the exercise sessions your plan prescribed (2 of 3)." in text
        assert text[3].endswith("longest run of days doing the whole plan: 1 day.")

    def test_empty_log(self):
        assert narrative.summary(EMPTY) == [
            "No sessions logged yet: do a session and your summary will appear here."
        ]

    def test_a_raising_exercise_is_named_only_with_enough_bouts(self):
        # the verdict of analysis.immediate_effect decides; the narrative waits for enough bouts
        rows = [
            {"at": f"2025-03-{d:02d} 08:00", "exercise_id": "squat", "pain_before": 3,
             "pain_after": 5}
            for d in range(3, 3 + narrative.MIN_BOUTS_FOR_EFFECT)
        ]  # fmt: skip
        rows[0]["pain_after"] = 4  # some spread, so there is an interval
        few, enough = make_log(*rows[:-1]), make_log(*rows)
        assert analysis.immediate_effect(few).loc["squat", "verdict"] == "raises"
        assert not any("raised pain" in s for s in narrative.summary(few))
        assert any("Bodyweight squat raised pain" in s for s in narrative.summary(enough))

    def test_the_easing_exercise_named_is_the_one_with_the_largest_fall(self):
        rows = [
            {"at": f"2025-03-{d:02d} 08:0{k}", "exercise_id": ex, "pain_before": 5,
             "pain_after": after - (d % 2)}
            for d in range(3, 11)
            for k, (ex, after) in enumerate([("bridge", 4), ("knee-to-chest", 2)])
        ]  # fmt: skip
        text = " ".join(narrative.summary(make_log(*rows)))
        assert "Single knee to chest eased pain the most: by 3.5 points" in text
        assert "Bridge eased" not in text


class TestHeadline:
    def test_is_the_pain_sentence_of_the_summary(self):
        log = pain_days({"2025-03-03": (6, 5), "2025-03-04": (4, 4), "2025-03-11": (2, 2)})
        assert narrative.headline(log) == narrative.summary(log)[1]

    def test_empty_log(self):
        assert narrative.headline(EMPTY) == narrative.summary(EMPTY)[0]

    def test_the_dashboard_shows_it_under_its_title(self):
        log = backkit.sample_log(weeks=3)
        fig = backkit.plot_dashboard(log)
        assert narrative.headline(log).split(" (")[0] in fig._suptitle.get_text()


class TestDescribeAdherence:
    def test_against_a_plan_and_without_one(self):
        dose = {"sets_planned": 3, "reps_planned": 10, "sets_done": 3, "reps_done": 10}
        log = make_log(
            {"at": "2024-05-06 08:00", **dose},
            {"at": "2024-05-08 08:00", **dose},
            {"at": "2024-05-10 08:00", **dose, "sets_done": 1, "status": "partial"},
        )
        mwf = Plan("MWF", items=["bridge"], weekdays=("mon", "wed", "fri"), start="2024-05-06")
        text = narrative.describe_adherence(adherence(log, mwf, end="2024-05-19"))
        assert text == (
            "From 2024-05-06 to 2024-05-19, 39% of the prescribed sessions were done "
            "(2 of 6 in full, 1 in part). Days in a row doing the whole plan: current 0, "
            "longest 2."
        )
        raw = narrative.describe_adherence(adherence(log))
        assert raw.startswith("From 2024-05-06 to 2024-05-10, 3 exercise sessions were logged")


def test_sentences_do_not_change_the_frame():
    log = pain_days({"2025-03-03": (5, 4), "2025-03-04": (6, 7)})
    before = log.copy()
    narrative.summary(log)
    narrative.summary(log, Plan("Bridge daily", items=["bridge"], start=dt.date(2025, 3, 3)))
    narrative.headline(log)
    pd.testing.assert_frame_equal(log, before)


@pytest.mark.parametrize("profile", ["improving", "plateau", "flare-up"])
def test_every_sample_profile_has_a_summary(profile):
    lines = narrative.summary(backkit.sample_log(profile=profile), backkit.sample_plan())
    assert len(lines) >= 5 and all(line.endswith(".") for line in lines)
