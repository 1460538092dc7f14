"""A plan as a calendar (RFC 5545 ``.ics``), so reminders work in any calendar app.

:func:`plan_calendar` turns a :class:`~backkit.plan.Plan` into an
``icalendar.Calendar``: one weekly recurring event per set of exercise days
(days on which the plan asks for the same exercises share one event, so a
daily plan is one event with ``BYDAY=MO,TU,...,SU``), from the plan's start to
its end, at a time of day the person chooses. The description lists each
exercise with its dose; a reminder (``VALARM``) goes off before it. The days
come from :meth:`Plan.due_on`, so a plan whose exercises have days of their
own gets one event per distinct day pattern. The event length is the
session's, from :func:`backkit.routine.for_plan`.

:func:`write_calendar` saves it (``backkit plan-calendar plan.yaml --out
plan.ics``), readable by its owner only.

Examples
--------
>>> import datetime as dt
>>> from backkit.plan import Plan
>>> from backkit.ics import plan_calendar
>>> plan = Plan("Bridges", items=["bridge"], weekdays=["mon", "thu"],
...             start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 30))
>>> cal = plan_calendar(plan, tz="UTC")
>>> [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
['Back exercises: Bridges']
>>> cal.walk("VEVENT")[0]["RRULE"]["BYDAY"]
['MO', 'TH']
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config
from .errors import PlanError
from .i18n import gettext as _
from .i18n import ngettext

if TYPE_CHECKING:
    import icalendar

    from .plan import Plan

__all__ = ["BYDAY", "plan_calendar", "write_calendar"]

#: RFC 5545 weekday codes, Monday first (``datetime.date.weekday()`` order).
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PRODID = "-//backkit//plan calendar//EN"


def _dose_line(plan: Plan, exercise_id: str) -> str:
    from .exercises import get_exercise

    return f"- {get_exercise(exercise_id).name}: {plan.dose_text(exercise_id)}"


def _patterns(plan: Plan) -> list[tuple[tuple[str, ...], list[int], dt.date]]:
    """(exercise ids, weekdays, first date) for each distinct set of exercises due."""
    groups: dict[tuple[str, ...], tuple[list[int], dt.date]] = {}
    for offset in range(7):
        day = plan.start + dt.timedelta(days=offset)
        if plan.end is not None and day > plan.end:
            break
        ids = tuple(item.exercise_id for item in plan.due_on(day))
        if not ids:
            continue
        groups.setdefault(ids, ([], day))[0].append(day.weekday())
    return [(ids, sorted(days), first) for ids, (days, first) in groups.items()]


def _description(plan: Plan, ids: tuple[str, ...]) -> str:
    title = (
        _("{plan} (from {author})").format(plan=plan.name, author=plan.author)
        if plan.author
        else f"{plan.name}"
    )
    lines = [title, ""]
    lines += [_dose_line(plan, i) for i in ids]
    if plan.weekdays is None and plan.days_per_week is not None and plan.days_per_week < 7:
        n = plan.days_per_week
        lines += [
            "",
            ngettext(
                "{n} day a week: on the day that suits you.",
                "{n} days a week: on the days that suit you.",
                n,
            ).format(n=n),
        ]
    if plan.notes:
        lines += ["", plan.notes]
    return "\n".join(lines)


def plan_calendar(
    plan: Plan,
    *,
    at: dt.time | str = "18:00",
    reminder_minutes: int = 10,
    tz: Any = None,
) -> icalendar.Calendar:
    """Return the plan as an iCalendar: recurring events with the exercises and a reminder.

    Parameters
    ----------
    plan : Plan
        The plan; its exercise days are read with :meth:`Plan.due_on`.
    at : time or 'HH:MM'
        The time of day of the session (default 18:00), in ``tz``.
    reminder_minutes : int
        Minutes before the session that the reminder goes off (0 at its start).
    tz : str or tzinfo, optional
        IANA time zone of the events (default :func:`backkit.config.kit_timezone`).

    Returns
    -------
    icalendar.Calendar
        With a ``VTIMEZONE`` for ``tz`` and one ``VEVENT`` (``RRULE:FREQ=WEEKLY;
        BYDAY=...``, ``UNTIL`` the plan's last day when it has one) per set of
        exercise days.

    Raises
    ------
    PlanError
        For a time that is not ``HH:MM`` or a negative reminder.
    """
    import zoneinfo

    import icalendar

    from .config import kit_timezone
    from .routine import for_plan

    when = _time(at)
    if (
        isinstance(reminder_minutes, bool)
        or not isinstance(reminder_minutes, int)
        or not (0 <= reminder_minutes <= 24 * 60)
    ):
        raise PlanError(
            _("reminder = {value}: give whole minutes from 0 to 1440").format(
                value=repr(reminder_minutes)
            ),
            where=_("plan calendar"),
        )
    zone = kit_timezone() if tz is None else tz
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    cal = icalendar.Calendar()
    cal.add("prodid", _PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # Translators: the name of the calendar and of its events ("Back exercises: Bridges")
    title = _("Back exercises: {plan}").format(plan=plan.name)
    cal.add("x-wr-calname", title)
    stamp = config.now().replace(microsecond=0)
    for ids, days, first in _patterns(plan):
        start = dt.datetime.combine(first, when, tzinfo=zone)
        routine = for_plan(plan, first)
        minutes = max(5, round(routine.total_seconds / 60)) if routine is not None else 20
        event = icalendar.Event()
        event.add("uid", f"{plan.id}-{'-'.join(BYDAY[d].lower() for d in days)}@backkit")
        event.add("dtstamp", stamp)
        event.add("summary", title)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=minutes))
        rule: dict[str, Any] = {"freq": "weekly", "byday": [BYDAY[d] for d in days]}
        if plan.end is not None:
            # UNTIL is inclusive; in UTC when DTSTART has a zone (RFC 5545 3.3.10)
            last = dt.datetime.combine(plan.end, when, tzinfo=zone)
            rule["until"] = last.astimezone(dt.timezone.utc)
        event.add("rrule", rule)
        event.add("description", _description(plan, ids))
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        reminder = ngettext(
            "Back exercises in {minutes} minute: {plan}",
            "Back exercises in {minutes} minutes: {plan}",
            reminder_minutes,
        ).format(minutes=reminder_minutes, plan=plan.name)
        alarm.add("description", reminder)
        alarm.add("trigger", dt.timedelta(minutes=-reminder_minutes))
        event.add_component(alarm)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal


def _time(at: dt.time | str) -> dt.time:
    if isinstance(at, dt.time):
        return at.replace(tzinfo=None)
    try:
        hours, minutes = (int(part) for part in str(at).strip().split(":"))
        return dt.time(hours, minutes)
    except ValueError:
        raise PlanError(
            _("time = {value}: give the time of day as HH:MM, e.g. 18:00").format(value=repr(at)),
            where=_("plan calendar"),
        ) from None


def write_calendar(plan: Plan, path: str | Path, **options: Any) -> Path:
    """Write :func:`plan_calendar` to ``path`` (readable by its owner only); return the path.

    Examples
    --------
    >>> import datetime as dt, pathlib, tempfile, icalendar
    >>> from backkit.plan import Plan
    >>> from backkit.ics import write_calendar
    >>> plan = Plan("Daily", items=["squat"], start=dt.date(2025, 3, 3))
    >>> out = write_calendar(plan, pathlib.Path(tempfile.mkdtemp()) / "plan.ics", tz="UTC")
    >>> oct(out.stat().st_mode & 0o777), str(icalendar.Calendar.from_ical(out.read_bytes())
    ...     .walk("VEVENT")[0]["RRULE"].to_ical().decode())
    ('0o600', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU')
    """
    from .store import write_atomically

    data = plan_calendar(plan, **options).to_ical()
    return write_atomically(path, lambda tmp: _write_private(tmp, data))


def _write_private(tmp: Path, data: bytes) -> None:
    # created 0600, so the file is never readable by others, even for a moment
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)  # an existing temp name keeps its old mode otherwise
