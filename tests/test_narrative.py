"""The plain-language sentences: every number in them comes from analysis or adherence."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

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


def mornings(exercise_id: str, days: range, **fields: Any) -> list[dict]:
    """One bout of ``exercise_id`` at 08:00 on each day of March 2025 in ``days``."""
    return [{"at": f"2025-03-{d:02d} 08:00", "exercise_id": exercise_id, **fields} for d in days]


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
            "Your pain before exercise has fallen 3.0 points (60%) since you started "
            "(from 5.0 to 2.0 out of 10). That is big enough to count as a real improvement: "
            "backkit asks for a fall of at least 2 points that is also at least 30% of your "
            "starting level (for you, 2.0 points)."
        )
        assert narrative.summary(log, subject="Patient A")[1] == (
            "Pain before exercise has fallen 3.0 points (60%) since Patient A started "
            "(from 5.0 to 2.0/10), a clinically meaningful improvement: it meets both criteria "
            "(minimal important change, MIC: at least 2 points and at least 30% of the "
            "baseline; here 2.0 points)."
        )
        assert text[2] == narrative.NATURAL_COURSE
        assert "You exercised on 3 of 9 days." in text
        assert (
            "Longest streak: 2 days in a row with a session; current streak: 1 day "
            "(to 11 Mar 2025)." in text
        )

    def test_small_fall_says_which_criterion_it_misses(self):
        log = pain_days({"2025-03-03": (5, 5), "2025-03-10": (4, 4)})
        assert narrative.summary(log, subject="P")[1] == (
            "Pain before exercise has fallen 1.0 point (20%) since P started (from 5.0 to "
            "4.0/10); it is under 2 points and under 30% of the baseline, so not a "
            "clinically meaningful change (minimal important change, MIC: at least 2 points "
            "and at least 30% of the baseline; here 2.0 points)."
        )
        assert narrative.summary(log)[1] == (
            "Your pain before exercise has fallen 1.0 point (20%) since you started (from 5.0 "
            "to 4.0 out of 10). That is less than backkit counts as a real change: a change of "
            "at least 2 points that is also at least 30% of your starting level (for you, 2.0 "
            "points)."
        )

    def test_the_numbers_shown_never_contradict_the_verdict(self):
        # third review, E4: a fall of 1.979 was shown as "2.0 points ... under 2 points"
        days = {f"2025-03-{d:02d}": (5, 5) for d in range(3, 10)}
        week2 = [3] * 46 + [4] * 1  # mean 3.0213: a fall of 1.979 points
        rows = [{"at": f"{day} 08:00", "session_id": day, "pain_before": b}
                for day, (b, _) in days.items()]  # fmt: skip
        rows += [{"at": f"2025-03-10 {8 + k // 60:02d}:{k % 60:02d}", "session_id": f"w{k}",
                  "pain_before": v} for k, v in enumerate(week2)]  # fmt: skip
        log = make_log(*rows)
        change = analysis.change_in_pain(log)
        assert change.change == pytest.approx(-1.9787, abs=1e-4)
        assert change.status == "no meaningful change"
        for subject in (None, "P"):
            line = narrative.summary(log, subject=subject)[1]
            assert "fallen 1.98 points" in line and "2.0 points" not in line, line
            assert "from 5.00 to 3.02" in line
        assert "it is under 2 points, so not a clinically meaningful change" in (
            narrative.summary(log, subject="P")[1]
        )

    def test_a_one_point_fall_is_never_meaningful(self):
        # 3 -> 2 is 33%, but 1 point: below every reported minimal important difference
        text = narrative.summary(pain_days({"2025-03-03": (3, 3), "2025-03-10": (2, 2)}))
        assert "meaningful improvement" not in text[1]
        assert "less than backkit counts as a real change" in text[1]
        log = pain_days({"2025-03-03": (3, 3), "2025-03-10": (2, 2)})
        third = narrative.summary(log, subject="P")
        assert "it is under 2 points, so not a clinically meaningful change" in third[1]

    def test_a_meaningful_rise_is_labelled_the_kits_rule(self):
        log = pain_days({"2025-03-03": (3, 3), "2025-03-10": (6, 6)})
        assert "a meaningful worsening by the kit's own rule" in (
            narrative.summary(log, subject="P")[1]
        )
        assert "backkit counts it as a real rise" in narrative.summary(log)[1]

    def test_a_higher_exercise_and_the_limit_are_named_as_observations(self):
        rows = [
            {"at": f"2025-03-{d:02d} 08:00", "exercise_id": "squat", "pain_before": 3,
             "pain_after": 4 + d % 3}
            for d in range(3, 24)
        ]  # fmt: skip
        log = make_log(*rows)
        text = " ".join(narrative.summary(log, subject="P"))
        assert (
            "Pain was higher straight after the exercise than before it, on average, for "
            "Bodyweight squat by 2.0 points (21 sessions in 3 weeks, 95% CI" in text
        )
        # no individual-change threshold applied to a mean (third review, W7)
        assert "clinically meaningful" not in text.split("Pain was higher")[1]
        assert "Each interval counts a week as one unit" in text
        assert "raised" not in text and "eased" not in text
        assert (
            "pain went above the limit during an exercise or session in 7 sessions "
            "(latest 23 Mar 2025)" in text
        )
        assert "within the limit during an exercise or session in 7 sessions" in text
        mine = " ".join(narrative.summary(log))
        assert "(21 sessions in 3 weeks, the range that fits your data: " in mine
        assert "take the ranges as a rough guide" in mine

    def test_with_a_plan_adherence_is_against_the_prescription(self):
        plan = Plan("Bridge daily", items=["bridge"], start=dt.date(2025, 3, 3))
        log = pain_days({"2025-03-03": (4, 4), "2025-03-05": (4, 3)})
        text = narrative.summary(log, plan)
        assert (
            "You did 67% of the exercise sessions the plan prescribed (2 of 3). Adherence here "
            "is sessions done out of sessions prescribed, a common measure (there is no "
            "validated one)." in text
        )
        streak = next(line for line in text if line.startswith("Longest streak"))
        assert streak.endswith("longest run of days doing the whole plan: 1 day.")

    def test_empty_log(self):
        assert narrative.summary(EMPTY) == [
            "No sessions logged yet: do a session and your summary will appear here."
        ]
        assert narrative.summary(EMPTY, subject="Patient A") == [
            "No sessions logged yet for Patient A."
        ]

    def test_an_exercise_is_described_only_with_enough_sessions(self):
        # one session every fourth day from Monday 3 March: 5 sessions are too few
        days = range(3, 3 + 4 * analysis.MIN_SESSIONS, 4)
        rows = mornings("squat", days, pain_before=3, pain_after=5)
        rows[0]["pain_after"] = 4  # some spread, so there is an interval
        few, enough = make_log(*rows[:-1]), make_log(*rows)
        assert analysis.immediate_effect(few).loc["squat", "verdict"] == "too few"
        few_text = " ".join(narrative.summary(few))
        assert "higher straight after" not in few_text
        assert (
            f"Not enough data yet for this exercise (it takes per-exercise pain ratings from "
            f"{analysis.MIN_SESSIONS} sessions in at least {analysis.MIN_WEEKS} different "
            f"weeks; sessions so far: Bodyweight squat {analysis.MIN_SESSIONS - 1} in 3 "
            "weeks)." in few_text
        )
        assert any("Bodyweight squat by" in s for s in narrative.summary(enough))

    def test_the_lower_exercises_are_listed_largest_fall_first(self):
        rows = [
            {"at": f"2025-03-{d:02d} 08:0{k}", "session_id": f"d{d}", "exercise_id": ex,
             "pain_before": 5, "pain_after": after - (d % 2)}
            for d in range(3, 24)
            for k, (ex, after) in enumerate([("bridge", 4), ("knee-to-chest", 2)])
        ]  # fmt: skip
        text = " ".join(narrative.summary(make_log(*rows)))
        assert "Pain was lower straight after the exercise than before it, on average, for " in text
        assert text.index("Single knee to chest by 3.5 points") < text.index("Bridge by 1.5")

    def test_identical_changes_are_said_to_be_identical(self):
        rows = mornings("bridge", range(3, 11), pain_before=3, pain_after=2)
        text = " ".join(narrative.summary(make_log(*rows)))
        assert (
            "Pain was 1.0 point lower after it than before Bridge in every one of its 8 "
            "sessions: identical each time, so no range is given." in text
        )
        assert "CI" not in text
        third = " ".join(narrative.summary(make_log(*rows), subject="P"))
        assert "identical each time, so no interval is given." in third

    def test_every_kind_of_pain_flag_is_in_the_summary(self):
        log = make_log(
            {"at": "2025-03-03 08:00", "session_id": "a", "pain_before": 2, "pain_after": 2},
            {"at": "2025-03-04 08:00", "session_id": "b", "pain_before": 4, "pain_after": 6},
            {"at": "2025-03-05 08:00", "session_id": "c", "pain_before": 3, "pain_after": 5},
        )
        line = narrative.summary(log, subject="P")[-1]
        assert (
            "pain went above the limit during an exercise or session in 1 session "
            "(latest 4 Mar 2025)" in line
        )
        assert "pain rose by 2+ points within the limit during an exercise or session in 1 " in line
        assert "1 session started 2+ points higher than the one before" in line
        assert "the kit's one pain rule: over the limit means pain after exercise above 5/10" in (
            line
        )
        mine = narrative.summary(log)[-1]
        assert "pain rose by 2 or more points within the limit" in mine
        assert "backkit's guide: pain may go up to 5/10 while you exercise" in mine

    def test_a_usual_pain_of_6_that_does_not_rise_is_within_the_limit(self):
        log = pain_days({f"2025-03-{d:02d}": (6, 6 + d % 2) for d in range(3, 10)})
        line = narrative.summary(log)[-1]
        assert "pain stayed within the limit after every rated exercise and session" in line

    def test_no_pain_scores_claims_no_pain_was_within_limits(self):
        line = narrative.summary(make_log({"at": "2025-03-03 08:00"}))[-1]
        assert line == "No pain scores yet to check against the pain-monitoring limits."

    def test_not_better_after_two_weeks_prompts_a_review(self):
        days = {f"2025-03-{d:02d}": (5, 5) for d in range(3, 20)}
        text = narrative.summary(pain_days(days))
        assert (
            "After 2 weeks of logging, your pain is not meaningfully better: consider seeing "
            "a GP or physiotherapist (NHS inform: see one when back pain is not getting "
            "better after 2 weeks)." in text
        )
        third = narrative.summary(pain_days(days), subject="Patient A")
        assert any("Patient A's pain is not meaningfully better" in s for s in third)
        short = {f"2025-03-{d:02d}": (5, 5) for d in range(3, 15)}
        assert not any("GP" in s for s in narrative.summary(pain_days(short)))

    def test_back_pain_improving_on_its_own_is_said_once(self):
        for log in (backkit.sample_log(), pain_days({"2025-03-03": (5, 5)})):
            text = " ".join(narrative.summary(log))
            assert text.count("often improves on its own") == 1


def whole_session_log(sessions: int) -> pd.DataFrame:
    """All seven exercises per session (both sides where per side), pain 3 -> 2 rated once."""
    from backkit.exercises import exercise_ids, get_exercise

    rows = []
    for d in range(sessions):
        k = 0
        for ex_id in exercise_ids():
            for side in ["left", "right"] if get_exercise(ex_id).per_side else ["both"]:
                rows.append({"at": f"2025-03-{d + 3:02d} 08:{k:02d}", "session_id": f"w{d}",
                             "exercise_id": ex_id, "side": side})  # fmt: skip
                k += 1
    log = make_log(*rows)
    log["session_pain_before"] = pd.array([3] * len(log), dtype="Int64")
    log["session_pain_after"] = pd.array([2] * len(log), dtype="Int64")
    return log


class TestHonestData:
    """Issue 13: no per-exercise claim from whole-session ratings, no nan, ever."""

    def test_whole_session_ratings_give_no_per_exercise_claim(self):
        log = whole_session_log(4)
        text = narrative.summary(log)
        names = [backkit.get_exercise(i).name for i in backkit.exercises.exercise_ids()]
        for line in text:
            if line.startswith("Not enough data yet"):
                continue
            assert not any(name in line for name in names), line
        assert "Not enough data yet to compare pain before and after single exercises" in (
            " ".join(text)
        )
        assert not any("CI" in line or "eased" in line for line in text)
        # the session ratings still tell the pain story
        assert "Your pain before exercise averages 3.0/10 so far" in " ".join(text)

    def test_a_stored_whole_session_log_gives_no_claim_anywhere(self):
        """Through the store: record_many(session=...) keeps the rating off the bouts."""
        from matplotlib.patches import Rectangle

        from backkit.review import propose_next

        log = backkit.SessionLog(":memory:")
        for d in range(4):
            start = dt.datetime(2025, 3, 3 + d, 8, 0, tzinfo=dt.timezone.utc)
            rows = [
                {"session_id": f"w{d}", "exercise_id": ex, "side": side,
                 "started_at": start + dt.timedelta(minutes=3 * k + j)}
                for k, ex in enumerate(backkit.exercise_ids())
                for j, side in enumerate(
                    ("left", "right") if backkit.get_exercise(ex).per_side else ("both",)
                )
            ]  # fmt: skip
            log.record_many(rows, session={"pain_before": 3, "pain_after": 2})
        frame = log.frame()
        assert frame["pain_before"].isna().all() and (frame["session_pain_after"] == 2).all()
        names = [backkit.get_exercise(i).name for i in backkit.exercise_ids()]
        for subject in (None, "Patient A"):
            for line in narrative.summary(frame, backkit.sample_plan(), subject=subject):
                if not line.startswith("Not enough data yet"):
                    assert not any(n in line for n in names), line
        ax = backkit.plot_pain_change(frame)
        assert not [p for p in ax.patches if isinstance(p, Rectangle)]
        proposal = propose_next(frame, Plan.default(dt.date(2025, 3, 3)), today=dt.date(2025, 3, 7))
        assert all("pain" not in c.why.replace("flagged for pain", "") for c in proposal.changes)

    def test_the_issue_13_sentence_cannot_happen(self):
        # four sessions of 3 -> 2 copied onto every bout, as routine.log_rows did
        log = whole_session_log(4)
        log["pain_before"] = pd.array([3] * len(log), dtype="Int64")
        log["pain_after"] = pd.array([2] * len(log), dtype="Int64")
        text = " ".join(narrative.summary(log))
        assert "eased pain the most" not in text and "CI 1.0 to 1.0" not in text
        assert "CI" not in text  # 4 sessions: too few for any interval

    def test_stop_on_the_first_side_gives_no_effect(self):
        rows = mornings("knee-to-chest", range(3, 13), side="left", reps_done=0,
                        status="partial", pain_before=5, pain_after=0)  # fmt: skip
        text = " ".join(narrative.summary(make_log(*rows)))
        assert "Single knee to chest" not in text

    @pytest.mark.parametrize("sessions", [0, 1, 2, 3])
    @pytest.mark.parametrize("subject", [None, "Patient A"])
    def test_small_logs_have_no_nan(self, sessions, subject):
        logs = [
            backkit.sample_log(weeks=1).iloc[: sessions * 9],
            whole_session_log(sessions) if sessions else EMPTY,
            make_log(*({"at": f"2025-03-0{d + 3} 08:00"} for d in range(sessions)))
            if sessions
            else EMPTY,
        ]
        for log in logs:
            for line in narrative.summary(log, backkit.sample_plan(), subject=subject):
                assert not any(bad in line for bad in ("nan", "NaN", "<NA>", "None")), line


_YOU = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)


class TestVoice:
    @pytest.mark.parametrize("profile", ["improving", "plateau", "flare-up"])
    def test_the_persons_own_summary_has_no_jargon(self, profile):
        # third review, W9: no "95% CI", "criteria" or "clinically meaningful" for the person
        for log in (backkit.sample_log(profile=profile), backkit.sample_log(seed=2)):
            text = " ".join(narrative.summary(log, backkit.sample_plan()))
            for word in ("CI", "criteria", "clinically", "MIC", "MCID", "confidence"):
                assert not re.search(rf"\b{word}\b", text), word
        third = " ".join(narrative.summary(backkit.sample_log(seed=2), subject="P"))
        assert "95% CI" in third and "criteria" in third

    @pytest.mark.parametrize("profile", ["improving", "plateau", "flare-up"])
    def test_third_person_has_no_you(self, profile):
        for log in (
            backkit.sample_log(profile=profile),
            backkit.sample_log(weeks=2, profile=profile),
        ):
            for plan in (None, backkit.sample_plan()):
                lines = narrative.summary(log, plan, subject="Patient A")
                assert lines[0].startswith("Patient A logged")
                for line in lines:
                    assert not _YOU.search(line), line
                assert not _YOU.search(narrative.headline(log, subject="Patient A"))

    def test_third_person_small_logs_have_no_you(self):
        for log in (EMPTY, whole_session_log(2), pain_days({"2025-03-03": (4, 4)}),
                    pain_days({f"2025-03-{d:02d}": (5, 5) for d in range(3, 20)})):  # fmt: skip
            for line in narrative.summary(log, subject="Patient A"):
                assert not _YOU.search(line), line

    def test_second_person_speaks_to_the_reader(self):
        lines = narrative.summary(backkit.sample_log(), backkit.sample_plan())
        assert lines[0].startswith("You logged") and "since you started" in lines[1]


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


class TestWorkedOutTables:
    """A report hands the summary the tables it worked out: the same sentences, once."""

    def test_given_tables_give_the_same_sentences(self):
        log, plan = backkit.sample_log(tz=TZ), backkit.sample_plan()
        given = narrative.summary(
            log,
            plan,
            subject="Patient A",
            effects=analysis.immediate_effect(log),
            flags=analysis.pain_flags(log),
            weekly=analysis.weekly_adherence(log, plan),
        )
        assert given == narrative.summary(log, plan, subject="Patient A")

    def test_the_tables_given_are_the_ones_worded(self):
        log, plan = backkit.sample_log(tz=TZ), backkit.sample_plan()
        assert not analysis.pain_flags(log).empty  # the sample has flags
        no_flags = analysis.pain_flags(log).iloc[:0]
        assert "pain stayed within the limit" in narrative.summary(log, plan, flags=no_flags)[-1]
        per_ex, weeks = analysis.weekly_adherence(log, plan)
        halved = (per_ex, weeks.assign(percent=weeks["percent"] / 2))
        rows = weeks[weeks["prescribed"] > 0]
        share = float((rows["percent"] / 2 * rows["prescribed"]).sum() / rows["prescribed"].sum())
        worded = narrative.summary(log, plan, weekly=halved)
        assert any(f"did {share:.0f}% of the exercise sessions" in s for s in worded)
