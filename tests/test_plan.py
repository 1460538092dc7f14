"""Tests for backkit.plan: Plan and PlanItem, prescriptions, and the YAML file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pandas as pd
import pytest

import backkit
from backkit import config
from backkit.errors import PlanError
from backkit.plan import STRENGTH_DAYS, Plan, PlanItem, strength_days

MON = dt.date(2024, 5, 6)


def mwf(**extra) -> Plan:
    fields = {
        "name": "Back basics",
        "author": "J. Physio",
        "items": (PlanItem("bridge", reps=8), PlanItem("knee-to-chest"), PlanItem("squat", sets=2)),
        "start": MON,
        "weekdays": ("mon", "wed", "fri"),
        "notes": "Breathe out as you lift.\nStop if pain spreads below the knee.",
    }
    return Plan(**(fields | extra))


class TestPlan:
    def test_fields_and_id(self):
        plan = mwf()
        assert plan.id == "back-basics"
        assert plan.weekdays == ("mon", "wed", "fri")
        assert plan.days_per_week is None
        assert plan.end is None
        assert [i.exercise_id for i in plan.items] == ["bridge", "knee-to-chest", "squat"]

    def test_is_frozen_and_replace_recomputes_the_id(self):
        plan = mwf()
        with pytest.raises(dataclasses.FrozenInstanceError):
            plan.name = "x"  # type: ignore[misc]
        assert dataclasses.replace(plan, name="Phase 2: strength").id == "phase-2-strength"

    def test_items_may_be_ids_or_mappings(self):
        plan = Plan("p", items=["bridge", {"id": "squat", "reps": 12}], start=MON)
        assert plan.items == (PlanItem("bridge"), PlanItem("squat", reps=12))

    def test_defaults(self):
        plan = Plan("Daily", items=["bridge"])
        assert plan.start == config.today()
        assert plan.days_per_week == 7 and plan.weekdays is None

    def test_weekdays_are_normalised(self):
        plan = mwf(weekdays=["Friday", "MON", " wed "])
        assert plan.weekdays == ("mon", "wed", "fri")

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"items": ()}, "Plan: field 'items': [] must list at least one exercise"),
            ({"items": ["brige"]}, "Did you mean 'bridge'?"),
            ({"items": ["bridge", "bridge"]}, "['bridge'] appear more than once"),
            ({"name": "  "}, "Plan: field 'name': '' must contain letters or digits"),
            ({"days_per_week": 3}, "and days_per_week (3) are both given"),
            ({"weekdays": None, "days_per_week": 8}, "'days_per_week': 8 must be a whole number"),
            ({"weekdays": None, "days_per_week": 0}, "'days_per_week': 0 must be a whole number"),
            ({"weekdays": ["mon", "fun"]}, "field 'weekdays': 'fun' is not a day"),
            ({"weekdays": ["mon", "Monday"]}, "field 'weekdays': 'Monday' is listed twice"),
            (
                {"end": dt.date(2024, 5, 1)},
                "field 'end': '2024-05-01' is before start (2024-05-06)",
            ),
            ({"start": "6 May"}, "field 'start': '6 May' is not a date"),
            ({"items": [PlanItem("bridge"), 42]}, "items[1]: field 'exercise': 42 must be"),
        ],
    )
    def test_invalid_plans(self, fields, message):
        with pytest.raises(PlanError) as info:
            mwf(**fields)
        assert message in str(info.value)
        assert isinstance(info.value, ValueError)

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("bridge", 0), "field 'sets': 0 must be a whole number from 1 to 20"),
            (("bridge", 3, 101), "field 'reps': 101 must be a whole number from 1 to 100"),
            (("bridge", 3, 10, 0), "field 'hold_seconds': 0 must be seconds above 0"),
            (("bridge", 3, 10, 700), "at most 600"),
            (("squat", 3, 10, 90), "must be seconds per repetition above 0, at most 60"),
            (("squat", 2.5), "field 'sets': 2.5 must be a whole number"),
            (("sqat",), "Did you mean 'squat'?"),
        ],
    )
    def test_invalid_items(self, args, message):
        with pytest.raises(PlanError, match="PlanItem") as info:
            PlanItem(*args)
        assert message in str(info.value)


class TestPrescription:
    def test_due_on_weekdays(self):
        plan = mwf(end=dt.date(2024, 5, 31))
        assert plan.due_on(MON) == plan.items
        assert plan.due_on("2024-05-07") == ()  # a Tuesday
        assert plan.due_on(dt.datetime(2024, 5, 8, 18, 0)) == plan.items
        assert plan.due_on(dt.date(2024, 5, 3)) == ()  # a Friday before the start
        assert plan.due_on(dt.date(2024, 6, 3)) == ()  # a Monday after the end

    def test_due_on_days_per_week_is_every_day(self):
        plan = mwf(weekdays=None, days_per_week=3)
        days = [MON + dt.timedelta(days=i) for i in range(7)]
        assert all(plan.due_on(day) == plan.items for day in days)

    def test_dose(self):
        plan = mwf(items=(PlanItem("bridge", reps=8, hold_seconds=7.5), PlanItem("squat")))
        assert plan.dose("bridge") == (3, 8, 7.5)
        assert plan.dose("squat") == (3, 10, backkit.get_exercise("squat").rep_seconds)
        with pytest.raises(
            PlanError, match="plan 'Back basics': exercise 'knee-to-chest' is not in this plan"
        ):
            plan.dose("knee-to-chest")

    def test_prescribed_weekdays_by_week(self):
        plan = mwf(start=dt.date(2024, 5, 8))  # starts on a Wednesday
        t = plan.prescribed("2024-05-06", "2024-05-19")
        assert list(t.columns) == [
            "period",
            "exercise_id",
            "prescribed",
            "sets",
            "reps",
            "hold_seconds",
        ]
        assert t["period"].astype(str).unique().tolist() == [
            "2024-05-06/2024-05-12",
            "2024-05-13/2024-05-19",
        ]
        assert t["exercise_id"].tolist() == ["bridge", "knee-to-chest", "squat"] * 2
        assert t["prescribed"].tolist() == [2.0] * 3 + [3.0] * 3  # Wed+Fri, then Mon+Wed+Fri
        assert t.loc[0, ["sets", "reps", "hold_seconds"]].tolist() == [3, 8, 5.0]
        assert list(t["exercise_id"].cat.categories) == backkit.exercise_ids()

    def test_prescribed_days_per_week_is_prorated(self):
        plan = mwf(weekdays=None, days_per_week=3, start=dt.date(2024, 5, 9))  # a Thursday
        t = plan.prescribed("2024-05-06", "2024-05-19")
        per_week = t.groupby("period")["prescribed"].first().tolist()
        assert per_week == pytest.approx([4 * 3 / 7, 3.0])
        assert per_week[1] == 3.0  # exactly, not 2.9999999

    def test_prescribed_clips_to_the_plan_and_counts_zero_outside(self):
        plan = mwf(end=dt.date(2024, 5, 8))
        t = plan.prescribed("2024-04-29", "2024-05-19", freq="W")
        assert t.groupby("period")["prescribed"].first().tolist() == [0.0, 2.0, 0.0]

    def test_prescribed_by_day_and_month(self):
        plan = mwf(end=dt.date(2024, 6, 30))
        days = plan.prescribed("2024-05-06", "2024-05-08", freq="D")
        assert days[days["exercise_id"] == "bridge"]["prescribed"].tolist() == [1.0, 0.0, 1.0]
        months = plan.prescribed(freq="M")
        bridge = months[months["exercise_id"] == "bridge"]
        assert bridge["period"].astype(str).tolist() == ["2024-05", "2024-06"]
        assert bridge["prescribed"].tolist() == [12.0, 12.0]  # hand count from the calendar

    def test_prescribed_defaults_to_the_plan_dates(self):
        plan = mwf(end=dt.date(2024, 5, 12))
        t = plan.prescribed()
        assert t["prescribed"].tolist() == [3.0] * 3

    def test_bad_frequency(self):
        with pytest.raises(PlanError, match="'freq': 'fortnight' is not a period"):
            mwf().prescribed(MON, MON, freq="fortnight")


class TestFile:
    def test_round_trip(self, tmp_path):
        plan = mwf(end=dt.date(2024, 8, 1))
        (tmp_path / "plans").mkdir()
        path = plan.save(tmp_path / "plans" / "back.yaml")
        assert Plan.load(path) == plan

    def test_days_per_week_round_trip(self, tmp_path):
        plan = mwf(weekdays=None, days_per_week=4)
        assert Plan.load(plan.save(tmp_path / "p.yaml")) == plan

    def test_file_is_human_readable(self, tmp_path):
        text = mwf().save(tmp_path / "p.yaml").read_text()
        assert text.startswith("# A backkit exercise plan.")
        assert "\nname: Back basics\n" in text
        assert "\nstart: 2024-05-06\n" in text
        assert "\nweekdays: [mon, wed, fri]\n" in text
        assert "\ndays_per_week:" not in text  # only the one the plan uses
        assert "- {id: bridge, reps: 8}\n" in text
        assert "- {id: knee-to-chest}\n" in text
        assert (
            "notes: |-\n  Breathe out as you lift.\n  Stop if pain spreads below the knee.\n"
            in (text)
        )

    def test_a_hand_written_file_loads(self, tmp_path):
        path = tmp_path / "hand.yaml"
        path.write_text(
            "name: Morning stretches\n"
            "start: 2024-05-06\n"
            "days_per_week: 5\n"
            "exercises:\n"
            "  - id: supine-hamstring-stretch\n"
            "    hold_seconds: 45\n"
            "  - knee-to-chest\n"
        )
        plan = Plan.load(path)
        assert plan.days_per_week == 5 and plan.author == ""
        assert plan.dose("supine-hamstring-stretch") == (1, 2, 45)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("name: x\nweekday: [mon]\nexercises: [bridge]\n", "Did you mean 'weekdays'?"),
            ("name: x\nexercises: [bridge, brige]\n", "exercises[1]: field 'exercise_id'"),
            ("name: x\nexercises:\n  - {id: bridge, set: 2}\n", "Did you mean 'sets'?"),
            ("name: x\nexercises:\n  - {id: bridge, sets: 0}\n", "exercises[0]: field 'sets': 0"),
            ("exercises: [bridge]\n", "missing required field 'name'"),
            ("name: x\n", "missing required field 'exercises'"),
            ("name: x\nexercises: [bridge]\nend: 2020-01-01\nstart: 2024-01-01\n", "'end'"),
            ("name: x\nexercises: [bridge\n", "not valid YAML at line"),
            ("- just\n- a list\n", "must be a mapping of fields"),
            ("name: x\nexercises: [bridge]\ndays_per_week: 9\n", "'days_per_week': 9"),
        ],
    )
    def test_bad_files_name_the_file_and_field(self, tmp_path, text, message):
        path = tmp_path / "bad.yaml"
        path.write_text(text)
        with pytest.raises(PlanError) as info:
            Plan.load(path)
        assert str(info.value).startswith(str(path))
        assert message in str(info.value)

    def test_missing_file(self, tmp_path):
        with pytest.raises(PlanError, match="cannot read the plan"):
            Plan.load(tmp_path / "nope.yaml")

    def test_save_replaces_atomically(self, tmp_path):
        path = tmp_path / "p.yaml"
        mwf().save(path)
        mwf(name="Second").save(path)
        assert Plan.load(path).name == "Second"
        assert [p.name for p in tmp_path.iterdir()] == ["p.yaml"]


STRENGTH = {"bridge", "squat"}


def test_default_plan():
    plan = Plan.default("2024-05-06")
    # the article's seven, not the additions to the catalogue
    assert [i.exercise_id for i in plan.items] == backkit.exercises.article_ids()
    assert "standing-back-extension" not in {i.exercise_id for i in plan.items}
    assert plan.days_per_week == 7 and plan.start == MON
    assert all(i.sets is None and i.reps is None for i in plan.items)
    bridge = backkit.get_exercise("bridge")
    assert plan.dose("bridge") == (bridge.sets, bridge.reps, bridge.hold_seconds)
    t = plan.prescribed(MON, MON + dt.timedelta(days=6))
    per_week = dict(zip(t["exercise_id"].astype(str), t["prescribed"], strict=True))
    assert {k: v for k, v in per_week.items() if k in STRENGTH} == {"bridge": 3.0, "squat": 3.0}
    assert all(v == 7.0 for k, v in per_week.items() if k not in STRENGTH), "stretches daily"


def test_default_plan_strength_days_are_never_consecutive():
    plan = Plan.default("2024-05-06")
    four_weeks = [MON + dt.timedelta(days=n) for n in range(28)]
    for exercise_id in STRENGTH:
        days = [d for d in four_weeks if exercise_id in {i.exercise_id for i in plan.due_on(d)}]
        assert 2 * 4 <= len(days) <= 3 * 4, "2-3 days a week"
        gaps = {(b - a).days for a, b in itertools.pairwise(days)}
        assert min(gaps) >= 2, f"{exercise_id} on consecutive days"
    stretches = [i.exercise_id for i in plan.items if i.exercise_id not in STRENGTH]
    for day in four_weeks:
        due = [i.exercise_id for i in plan.due_on(day)]
        assert all(s in due for s in stretches), "the stretches are daily"


def test_default_plan_reads_what_it_prescribes():
    md = Plan.default("2024-05-06")._repr_markdown_()
    assert "| Bridge | 3 | 10 | 5 | mon, wed, fri |" in md
    assert "| Supine hamstring stretch | 1 | 2 | 30 | every day |" in md


class TestStarterPlan:
    """Third review, W10: a short plan weighted to strength beside the seven-exercise default."""

    def test_three_to_four_exercises_half_of_them_strength(self):
        plan = Plan.starter("2024-05-06")
        ids = [i.exercise_id for i in plan.items]
        assert 3 <= len(ids) <= 4  # Bachmann 2018: 2-4 exercises help adherence
        strength = [i for i in ids if backkit.get_exercise(i).strength]
        assert strength == ["bridge", "squat"]
        stretches = [i for i in ids if "stretch" in i]
        assert not stretches  # Owen 2020: stretching alone no better than control
        assert "standing-back-extension" in ids and "knee-to-chest" in ids
        assert plan.start == MON and plan.days_per_week == 7

    def test_strength_on_non_consecutive_days_and_the_rest_daily(self):
        plan = Plan.starter("2024-05-06")
        for exercise_id in STRENGTH:
            assert strength_days(plan, exercise_id) == STRENGTH_DAYS
        four_weeks = [MON + dt.timedelta(days=n) for n in range(28)]
        due = [len(plan.due_on(d)) for d in four_weeks]
        assert max(due) == 4 and min(due) == 2  # never more than 4 exercises on a day
        t = plan.prescribed(MON, MON + dt.timedelta(days=6))
        per_week = dict(zip(t["exercise_id"].astype(str), t["prescribed"], strict=True))
        assert per_week == {"knee-to-chest": 7.0, "bridge": 3.0, "squat": 3.0,
                            "standing-back-extension": 7.0}  # fmt: skip

    def test_walking_is_advised_and_said_not_to_be_in_the_catalogue(self):
        assert "walking" not in " ".join(backkit.exercise_ids())
        notes = Plan.starter("2024-05-06").notes
        assert "Walk every day" in notes and "walking is not in the exercise list" in notes
        assert "Not a personal prescription." in notes

    def test_it_round_trips_through_a_file(self, tmp_path):
        plan = Plan.starter("2024-05-06")
        assert Plan.load(plan.save(tmp_path / "starter.yaml")) == plan


class TestItemDays:
    """An exercise may have days of its own (strength work on non-consecutive days)."""

    def plan(self, **extra) -> Plan:
        items = (PlanItem("squat", weekdays=["mon", "thu"]), PlanItem("knee-to-chest"))
        return Plan("Mixed", items=items, start=MON, **extra)

    def test_due_on_honours_item_days(self):
        plan = self.plan()
        assert [i.exercise_id for i in plan.due_on(MON)] == ["squat", "knee-to-chest"]
        assert [i.exercise_id for i in plan.due_on(MON + dt.timedelta(days=1))] == ["knee-to-chest"]

    def test_prescribed_counts_item_days(self):
        t = self.plan().prescribed(MON, MON + dt.timedelta(days=13))
        got = t.groupby(t["exercise_id"].astype(str))["prescribed"].apply(list).to_dict()
        assert got == {"squat": [2.0, 2.0], "knee-to-chest": [7.0, 7.0]}

    def test_prescribed_with_days_per_week_keeps_the_item_days_whole(self):
        t = self.plan(days_per_week=3).prescribed(MON, MON + dt.timedelta(days=6))
        got = dict(zip(t["exercise_id"].astype(str), t["prescribed"], strict=True))
        assert got == {"squat": 2.0, "knee-to-chest": 3.0}

    def test_round_trip(self, tmp_path):
        plan = self.plan()
        text = plan.to_yaml()
        assert "weekdays: [mon, thu]" in text
        assert Plan.load(plan.save(tmp_path / "p.yaml")) == plan
        assert Plan.load(Plan.default(MON).save(tmp_path / "d.yaml")) == Plan.default(MON)

    def test_hand_written_item_days(self, tmp_path):
        path = tmp_path / "p.yaml"
        path.write_text(
            "name: Hand\nstart: 2024-05-06\nexercises:\n"
            "  - {id: bridge, weekdays: [Tuesday, friday]}\n  - squat\n",
            encoding="utf-8",
        )
        assert Plan.load(path).items[0].weekdays == ("tue", "fri")

    @pytest.mark.parametrize(
        ("weekdays", "message"),
        [
            (["mon", "someday"], r"field 'weekdays': 'someday' is not a day"),
            (["mon", "mon"], r"'mon' is listed twice"),
            ([], r"must be a list of days"),
        ],
    )
    def test_bad_item_days(self, weekdays, message):
        with pytest.raises(PlanError, match=message):
            PlanItem("bridge", weekdays=weekdays)

    def test_bad_item_days_in_a_file_name_the_entry(self, tmp_path):
        path = tmp_path / "p.yaml"
        path.write_text(
            "name: Hand\nexercises:\n  - {id: bridge, weekdays: [funday]}\n", encoding="utf-8"
        )
        with pytest.raises(PlanError, match=r"p.yaml, exercises\[0\]: field 'weekdays'"):
            Plan.load(path)

    def test_item_days_must_be_plan_days(self):
        with pytest.raises(PlanError, match=r"'squat.weekdays'.*thu, not among the plan's"):
            self.plan(weekdays=["mon", "wed"])


def test_markdown_shows_the_doses():
    md = mwf()._repr_markdown_()
    assert "**Back basics** (by J. Physio)" in md
    assert "From 2024-05-06, mon, wed, fri." in md
    assert "| Bridge | 3 | 8 | 5 |" in md


def test_prescribed_periods_are_pandas_periods():
    t = mwf().prescribed(MON, MON)
    assert isinstance(t["period"].dtype, pd.PeriodDtype)
