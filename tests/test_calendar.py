"""The plan calendar (.ics): parsed back with icalendar, its recurrence is the plan's days."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
import yaml

from backkit.ics import BYDAY, plan_calendar, write_calendar
from backkit.plan import Plan, PlanItem


def events(path: Path) -> list:
    return icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")


@pytest.fixture
def plan() -> Plan:
    return Plan("Strength and stretch", author="J. Physio", weekdays=["mon", "wed", "fri"],
                items=[PlanItem("bridge", reps=8), "squat", "supine-hamstring-stretch"],
                start=dt.date(2025, 3, 5), end=dt.date(2025, 4, 30))  # fmt: skip


def test_recurrence_matches_the_plans_days_and_dates(plan, tmp_path):
    out = write_calendar(plan, tmp_path / "plan.ics", at="07:30", tz="Europe/London")
    (event,) = events(out)
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["MO", "WE", "FR"]
    start = event["DTSTART"].dt
    assert start.date() == dt.date(2025, 3, 5) and start.time() == dt.time(7, 30)
    assert str(start.tzinfo) == "Europe/London"
    assert rule["UNTIL"][0].astimezone(start.tzinfo).date() == dt.date(2025, 4, 30)
    # every day the recurrence gives is a day the plan asks for, and the other way round
    given = {d.date() for d in _occurrences(event, dt.date(2025, 3, 1), dt.date(2025, 5, 31))}
    due = {plan.start + dt.timedelta(days=i) for i in range(90)
           if plan.due_on(plan.start + dt.timedelta(days=i))}  # fmt: skip
    assert given == due


def _occurrences(event, first: dt.date, last: dt.date) -> list[dt.datetime]:
    rule = event["RRULE"]
    start = event["DTSTART"].dt
    until = rule["UNTIL"][0]
    days = [BYDAY.index(d) for d in rule["BYDAY"]]
    out, day = [], start
    while day.date() <= last:
        if day.date() >= first and day.weekday() in days and day <= until:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def test_description_lists_exercises_and_doses_and_a_reminder_goes_off(plan):
    (event,) = plan_calendar(plan, reminder_minutes=15, tz="UTC").walk("VEVENT")
    text = str(event["DESCRIPTION"])
    assert "- Bridge: 3 sets of 8, hold 5 s" in text
    assert "- Bodyweight squat: 3 sets of 10, 4 s per repetition" in text
    assert "each side" in text  # the hamstring stretch
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == -dt.timedelta(minutes=15)
    assert event["DTEND"].dt > event["DTSTART"].dt


def test_days_come_from_due_on_so_items_with_their_own_days_get_their_own_events(plan):
    class PerItemDays(Plan):
        # what a plan whose items have their own weekdays will answer
        def due_on(self, day):
            items = super().due_on(day)
            return tuple(i for i in items if i.exercise_id != "squat" or day.weekday() == 0)

    per_item = PerItemDays(plan.name, items=plan.items, weekdays=plan.weekdays, start=plan.start)
    found = {tuple(e["RRULE"]["BYDAY"]): str(e["DESCRIPTION"])
             for e in plan_calendar(per_item, tz="UTC").walk("VEVENT")}  # fmt: skip
    assert set(found) == {("MO",), ("WE", "FR")}
    assert "squat" in found[("MO",)] and "squat" not in found[("WE", "FR")]
    assert len({e["UID"] for e in plan_calendar(per_item, tz="UTC").walk("VEVENT")}) == 2


def test_a_days_per_week_plan_is_a_daily_reminder_that_says_so():
    plan = Plan("Three a week", items=["bridge"], days_per_week=3, start=dt.date(2025, 3, 3))
    (event,) = plan_calendar(plan, tz="UTC").walk("VEVENT")
    assert event["RRULE"]["BYDAY"] == list(BYDAY)
    assert "UNTIL" not in event["RRULE"]  # an open-ended plan
    assert "3 days a week: on the days that suit you." in str(event["DESCRIPTION"])


def test_a_bad_time_is_a_plan_error():
    plan = Plan("Bridges", items=["bridge"], start=dt.date(2025, 3, 3))
    with pytest.raises(Exception, match="give the time of day as HH:MM"):
        plan_calendar(plan, at="7pm")


def test_command_writes_an_owner_only_file(plan, tmp_path):
    plan.save(tmp_path / "plan.yaml")
    env = dict(os.environ, BACKKIT_HOME=str(tmp_path), BACKKIT_TZ="America/New_York")
    out = subprocess.run([sys.executable, "-m", "backkit", "plan-calendar", "plan.yaml",
                          "--out", "plan.ics", "--time", "18:15"], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    path = tmp_path / "plan.ics"
    assert path.stat().st_mode & 0o777 == 0o600
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    (event,) = cal.walk("VEVENT")
    assert event["DTSTART"].dt.time() == dt.time(18, 15)


@pytest.mark.parametrize("field", ["name", "author"])
@pytest.mark.parametrize("brk", ["\r\n", "\n", "\u2028"])
def test_a_line_break_in_a_one_line_field_is_refused_at_load(tmp_path, field, brk):
    """A plan file that would inject a calendar line is one error, and no calendar is written."""
    value = f"Evil{brk}X-WR-CALNAME:Injected"
    path = tmp_path / "plan.yaml"
    data = {"name": "Back", "author": "", "exercises": [{"id": "bridge"}], "start": "2025-03-03"}
    data[field] = value
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(Exception, match=rf"field '{field}': .* holds a line break at position 5"):
        Plan.load(path)
    env = dict(os.environ, BACKKIT_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "backkit", "plan-calendar", "plan.yaml",
                          "--out", "plan.ics"], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)  # fmt: skip
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1 and len(lines) == 1 and "holds a line break" in lines[0], out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "plan.ics").exists()
