"""Tests for backkit.adherence, on hand-made logs whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from backkit.adherence import adherence, daily, streaks
from backkit.errors import AnalysisError
from backkit.log import COLUMNS, SessionLog, conform, empty_frame
from backkit.plan import Plan, PlanItem

MON = dt.date(2024, 5, 6)  # a Monday


def day(n: int) -> str:
    """The date ``n`` days after Monday 2024-05-06, as text."""
    return (MON + dt.timedelta(days=n)).isoformat()


def bout(
    when: str,
    exercise: str = "bridge",
    *,
    side: str = "both",
    sets: int = 3,
    reps: int = 10,
    sets_done: int | None = None,
    reps_done: int | None = None,
    status: str | None = None,
    session: str | None = None,
    hold: tuple[float, float] = (5.0, 5.0),
    time: str = "08:00",
) -> dict:
    sets_done = sets if sets_done is None else sets_done
    reps_done = reps if reps_done is None else reps_done
    if status is None:
        status = "completed" if sets_done >= sets and reps_done >= reps else "partial"
    row = dict.fromkeys(COLUMNS)
    row.update(
        session_id=session or f"{when}-{time}",
        started_at=f"{when}T{time}",
        exercise_id=exercise,
        side=side,
        sets_planned=sets,
        sets_done=sets_done,
        reps_planned=reps,
        reps_done=reps_done,
        hold_s_planned=hold[0],
        hold_s_done=hold[1],
        status=status,
        source="manual",
    )
    return row


def frame(rows: list[dict], tz: str = "UTC") -> pd.DataFrame:
    return conform(pd.DataFrame(rows, columns=list(COLUMNS)), tz=tz)


def mwf(*ids: str, **extra) -> Plan:
    return Plan("MWF", items=ids or ("bridge",), weekdays=("mon", "wed", "fri"), start=MON, **extra)


def daily_plan(*ids: str, **extra) -> Plan:
    return Plan("Daily", items=ids or ("bridge",), start=MON, **extra)


def values(table: pd.DataFrame, column: str) -> list:
    return [None if pd.isna(v) else round(float(v), 4) for v in table[column]]


class TestAdherence:
    def test_weekday_plan_known_answer(self):
        log = frame([bout(day(0)), bout(day(2)), bout(day(4), sets_done=1)])
        t = adherence(log, mwf(), end=day(13))
        assert list(t.columns) == [
            "period",
            "exercise_id",
            "prescribed",
            "sessions",
            "days",
            "done",
            "partial",
            "credit",
            "adherence",
            "hold_ratio",
        ]
        assert t["period"].astype(str).tolist() == [
            "2024-05-06/2024-05-12",
            "2024-05-13/2024-05-19",
        ]
        assert values(t, "prescribed") == [3, 3]
        assert values(t, "done") == [2, 0]
        assert values(t, "partial") == [1, 0]
        assert values(t, "credit") == [2.3333, 0]  # 1 + 1 + 1/3
        assert values(t, "adherence") == [0.7778, 0]
        assert t.attrs["overall"] == pytest.approx((2 + 1 / 3) / 6)
        # due Mon, Wed met; Fri partial breaks; week 2's due days break too
        assert (t.attrs["current_streak"], t.attrs["longest_streak"]) == (0, 2)
        assert (t.attrs["start"], t.attrs["end"]) == (MON, MON + dt.timedelta(days=13))

    def test_dtypes(self):
        t = adherence(frame([bout(day(0))]), mwf())
        assert isinstance(t["period"].dtype, pd.PeriodDtype)
        assert str(t["exercise_id"].dtype) == "category"
        for name in ("prescribed", "credit", "adherence", "hold_ratio"):
            assert str(t[name].dtype) == "Float64", name
        for name in ("sessions", "days", "done", "partial"):
            assert str(t[name].dtype) == "Int64", name

    def test_per_side_exercise_needs_both_sides(self):
        log = frame(
            [
                bout(day(0), "knee-to-chest", side="left", sets=1, reps=2),
                bout(day(1), "knee-to-chest", side="left", sets=1, reps=2),
                bout(day(1), "knee-to-chest", side="right", sets=1, reps=2),
                bout(day(2), "knee-to-chest", side="left", sets=1, reps=2),
                bout(day(2), "knee-to-chest", side="right", sets=1, reps=2, reps_done=1),
                # the left side twice does not make up for the right
                bout(day(3), "knee-to-chest", side="left", sets=1, reps=2),
                bout(day(3), "knee-to-chest", side="left", sets=1, reps=2, time="18:00"),
            ]
        )
        t = adherence(log, daily_plan("knee-to-chest"))
        assert values(t, "prescribed") == [4]  # Mon-Thu of a daily plan
        assert values(t, "done") == [1]
        assert values(t, "partial") == [3]
        assert values(t, "credit") == [2.75]  # 0.5 + 1 + (1 + 0.5) / 2 + 0.5
        assert values(t, "adherence") == [0.6875]

    def test_sessions_on_days_off_still_count(self):
        log = frame([bout(day(1)), bout(day(3)), bout(day(5))])  # Tue, Thu, Sat
        t = adherence(log, mwf(), end=day(6))
        assert values(t, "done") == [3] and values(t, "adherence") == [1.0]

    def test_a_day_counts_once_and_the_ratio_is_capped(self):
        plan = daily_plan(weekdays=None, days_per_week=3)
        log = frame(
            [bout(day(0), session="a"), bout(day(0), session="b", time="18:00")]
            + [bout(day(n)) for n in (1, 2, 3, 4)]
        )
        t = adherence(log, plan, end=day(6))
        assert values(t, "sessions") == [6]
        assert values(t, "days") == [5] and values(t, "done") == [5]
        assert values(t, "credit") == [5] and values(t, "prescribed") == [3]
        assert values(t, "adherence") == [1.0]

    def test_days_per_week_prorated_in_a_part_week(self):
        plan = Plan("3 a week", items=["bridge"], days_per_week=3, start=day(3))  # a Thursday
        t = adherence(frame([bout(day(3))]), plan, end=day(6))
        assert values(t, "prescribed") == [round(4 * 3 / 7, 4)]
        assert values(t, "adherence") == [round(1 / (4 * 3 / 7), 4)]

    def test_only_the_plans_exercises_and_dates_count(self):
        log = frame([bout("2024-05-05"), bout(day(0)), bout(day(0), "squat"), bout(day(9))])
        t = adherence(log, mwf(end=MON + dt.timedelta(days=6)))
        assert t["exercise_id"].tolist() == ["bridge"]
        assert values(t, "days") == [1]  # Sunday before and the day after the plan are out
        assert t.attrs["end"] == MON + dt.timedelta(days=6)  # clipped to the plan's end

    def test_unknown_counts_use_the_status(self):
        completed = bout(day(0)) | {"sets_done": None, "reps_done": None}
        partial = bout(day(2), status="partial") | {"sets_done": None, "reps_done": None}
        t = adherence(frame([completed, partial]), mwf(), end=day(4))
        assert values(t, "done") == [1] and values(t, "partial") == [1]
        assert values(t, "credit") == [1.0]

    def test_hold_ratio_is_reported_apart(self):
        log = frame([bout(day(0), hold=(5.0, 2.5)), bout(day(2), hold=(5.0, 5.0))])
        t = adherence(log, mwf(), end=day(4))
        assert values(t, "hold_ratio") == [0.75]
        assert values(t, "done") == [2]  # a short hold does not make the session partial

    def test_days_are_local_days(self):
        # 23:30 and 00:30 in Paris are both Monday evening in UTC
        log = frame(
            [bout(day(0), time="23:30"), bout(day(1), time="00:30")],
            tz="Europe/Paris",
        )
        assert (log["started_at"].dt.tz_convert("UTC").dt.day == 6).all()
        t = adherence(log, daily_plan(), end=day(1))
        assert values(t, "days") == [2] and values(t, "adherence") == [1.0]
        utc = adherence(log.assign(started_at=log["started_at"].dt.tz_convert("UTC")), daily_plan())
        assert values(utc, "days") == [1]

    def test_frequency_by_day_and_month(self):
        log = frame([bout(day(0)), bout(day(2))])
        by_day = adherence(log, mwf(), "D", end=day(6))
        assert values(by_day, "prescribed") == [1, 0, 1, 0, 1, 0, 0]
        assert values(by_day, "done") == [1, 0, 1, 0, 0, 0, 0]
        assert values(by_day, "adherence") == [1, None, 1, None, 0, None, None]
        by_month = adherence(log, mwf(), "M", end="2024-06-02")
        assert by_month["period"].astype(str).tolist() == ["2024-05", "2024-06"]
        assert values(by_month, "prescribed") == [12, 0]  # May 6-31 has 12 MWF days
        with pytest.raises(AnalysisError, match=r"^adherence: freq = 'fortnight' is not a period"):
            adherence(log, mwf(), "fortnight")

    def test_several_exercises_in_plan_order(self):
        log = frame([bout(day(0), "squat"), bout(day(0)), bout(day(2), "squat")])
        t = adherence(log, mwf("squat", "bridge"), end=day(6))
        assert t["exercise_id"].tolist() == ["squat", "bridge"]
        assert values(t, "done") == [2, 1]

    def test_empty_log(self):
        t = adherence(empty_frame(tz="UTC"), mwf(), end=day(6))
        assert values(t, "prescribed") == [3] and values(t, "adherence") == [0]
        assert t.attrs["current_streak"] == 0 and t.attrs["longest_streak"] == 0

    def test_from_a_real_log(self, tmp_path):
        with SessionLog(tmp_path / "log.sqlite") as log:
            base = dt.datetime(2024, 5, 6, 8, tzinfo=dt.timezone.utc)
            log.record_many(
                [
                    {"exercise_id": "bridge", "started_at": base},
                    {"exercise_id": "squat", "started_at": base, "sets_done": 2},
                ]
            )
            t = adherence(log.frame(tz="UTC"), Plan.default(MON), end=day(0))
        assert values(t, "prescribed") == [1] * 7
        by_id = dict(zip(t["exercise_id"].astype(str), values(t, "credit"), strict=True))
        assert by_id["bridge"] == 1 and by_id["squat"] == round(2 / 3, 4)
        assert by_id["knee-to-chest"] == 0


class TestWithoutPlan:
    def test_raw_frequency(self):
        log = frame(
            [
                bout(day(0), session="a"),
                bout(day(0), "squat", session="a"),
                bout(day(1), session="b"),
                bout(day(1), session="c", time="19:00"),
                bout(day(2), "squat", session="d", sets_done=1),
            ]
        )
        t = adherence(log)
        assert t["exercise_id"].tolist() == ["bridge", "squat"]
        assert values(t, "sessions") == [3, 2]
        assert values(t, "days") == [2, 2]
        assert values(t, "done") == [2, 1]
        assert values(t, "partial") == [0, 1]
        assert values(t, "prescribed") == [None, None]
        assert values(t, "adherence") == [None, None]
        assert (t.attrs["current_streak"], t.attrs["longest_streak"]) == (3, 3)
        assert t.attrs["overall"] is None

    def test_every_period_is_listed(self):
        log = frame([bout(day(0)), bout(day(15))])
        t = adherence(log)
        assert values(t, "days") == [1, 0, 1]


class TestStreaks:
    def test_daily_plan(self):
        log = frame([bout(day(n)) for n in (0, 1, 3, 4, 5)])
        assert streaks(log, daily_plan()) == (s := streaks(log, daily_plan()))
        assert (s.current, s.longest, s.last_day) == (3, 3, MON + dt.timedelta(days=5))

    def test_the_last_day_may_still_come(self):
        log = frame([bout(day(n)) for n in (0, 1, 3, 4, 5)])
        today = streaks(log, daily_plan(), end=day(6))
        assert (today.current, today.longest) == (3, 3)
        tomorrow = streaks(log, daily_plan(), end=day(7))
        assert (tomorrow.current, tomorrow.longest) == (0, 3)

    def test_every_exercise_of_the_plan_is_needed(self):
        log = frame([bout(day(0)), bout(day(0), "squat"), bout(day(1)), bout(day(2))])
        plan = daily_plan("bridge", "squat")
        assert streaks(log, plan, end=day(2)).longest == 1
        assert streaks(log, daily_plan("bridge"), end=day(2)).longest == 3

    def test_weekday_plan_rest_days_and_extra_days(self):
        # Mon, Wed, Fri met; Tue too (an extra day counts); Thu, Sat, Sun are rest days
        log = frame([bout(day(n)) for n in (0, 1, 2, 4)])
        s = streaks(log, mwf(), end=day(6))
        assert (s.current, s.longest) == (4, 4)
        missed_monday = streaks(log, mwf(), end=day(8))  # Mon 13 missed, Tue 14 last day
        assert (missed_monday.current, missed_monday.longest) == (0, 4)

    def test_days_per_week_allows_rest_days(self):
        plan = Plan("5 a week", items=["bridge"], days_per_week=5, start=MON)
        log = frame([bout(day(n)) for n in (0, 1, 3, 5)])  # Wed, Fri, Sun missed
        sunday = streaks(log, plan, end=day(6))  # Sun is the 3rd miss but the last day
        assert (sunday.current, sunday.longest) == (4, 4)
        monday = streaks(log, plan, end=day(7))  # now Sun breaks it
        assert (monday.current, monday.longest) == (0, 4)

    def test_without_a_plan(self):
        log = frame([bout(day(n)) for n in (0, 2, 3)])
        s = streaks(log)
        assert (s.current, s.longest) == (2, 2)


def test_daily_table():
    log = frame([bout(day(0)), bout(day(1)), bout(day(2), sets_done=1)])
    d = daily(log, mwf(), end=day(4))
    assert d["day"].dt.day.tolist() == [6, 7, 8, 9, 10]
    assert d["due"].tolist() == [1, 0, 1, 0, 1]
    assert d["done"].tolist() == [1, 1, 0, 0, 0]
    assert d["met"].tolist() == [True, True, False, False, False]
    assert d["state"].tolist() == [1, 1, -1, 0, 0]  # Fri is the last day: not broken yet
    assert [round(c, 3) for c in d["credit"]] == [1, 1, 0.333, 0, 0]


def test_without_a_log_or_plan_the_span_is_the_kits_today(monkeypatch):
    import backkit.config

    monkeypatch.setattr(backkit.config, "today", lambda: dt.date(2024, 5, 8))
    t = adherence(empty_frame(tz="UTC"))
    assert (t.attrs["start"], t.attrs["end"]) == (dt.date(2024, 5, 8), dt.date(2024, 5, 8))


def test_end_before_start_names_both():
    with pytest.raises(
        AnalysisError, match=r"^adherence: end = 2024-05-01 is before start = 2024-05-06$"
    ):
        adherence(frame([bout(day(0))]), mwf(), end="2024-05-01")


def test_a_plan_item_dose_does_not_change_the_bouts_credit():
    # the credit uses each bout's own planned counts (what the person set out to do)
    plan = Plan("Mondays", items=[PlanItem("bridge", sets=5)], weekdays=["mon"], start=MON)
    t = adherence(frame([bout(day(0), sets=3)]), plan, end=day(6))
    assert values(t, "done") == [1]


def test_adherence_of_stacked_logs_is_each_logs_own_and_leaves_out_the_unnamed(monkeypatch):
    """by=: each log measured as alone (its own plan and days), logs not named left out."""
    from backkit import sample

    monkeypatch.setenv("BACKKIT_TZ", "Europe/London")
    logs = {
        "a": sample.sample_log(weeks=5, seed=1),
        "b": sample.sample_log(weeks=5, seed=1, profile="flare-up"),  # the same session ids
        "c": sample.sample_log(weeks=3, seed=2, start="2025-03-03"),
        "d": sample.sample_log(weeks=2, seed=3),  # not measured
    }
    logs["b"].loc[logs["b"].index[::4], ["hold_s_done", "sets_done"]] = [None, 0]
    stack = pd.concat([log.assign(who=k) for k, log in logs.items()], ignore_index=True)
    own = Plan("Bridges", items=["bridge", "squat"], weekdays=["mon", "thu"], start="2025-02-24")
    plans = {"a": sample.sample_plan(), "b": own, "c": None}
    ends = {"a": "2025-03-23", "b": dt.date(2025, 3, 16), "c": None}
    table = adherence(stack, plans, "W", end=ends, by="who")
    assert list(table["who"].unique()) == ["a", "b", "c"]
    for key, plan in plans.items():
        alone = adherence(logs[key], plan, "W", end=ends[key])
        mine = table[table["who"] == key].drop(columns="who").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_exact=True, check_categorical=False)
        assert table.attrs["overall"][key] == alone.attrs["overall"]
        assert (table.attrs["start"][key], table.attrs["end"][key]) == (
            alone.attrs["start"], alone.attrs["end"])  # fmt: skip
    assert "current_streak" not in table.attrs  # streaks are one log's (streaks())
    with pytest.raises(AnalysisError, match="by="):
        adherence(stack, plans, "W")
