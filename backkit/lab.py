"""Self-checks for the student lab (``notebooks/40_student_lab.ipynb``).

Each check runs a student's function, compares what it returns with values
backkit works out another way (the timer's own phases, the plan's own days),
and prints one short, friendly line: right, not answered yet, or not yet with
a hint. A check never raises and never prints a traceback, its own code or the
expected answer, so a wrong answer reads like a tutor's note and *Run All*
gives nothing away.

Examples
--------
>>> import backkit
>>> from backkit import lab
>>> def time_under_tension(exercise_id):
...     return ...
>>> lab.check_time_under_tension(time_under_tension)  # doctest: +ELLIPSIS
\u2026 time_under_tension: not answered yet. Replace the ... in its cell with your code, ...
>>> def time_under_tension(exercise_id):
...     ex = backkit.get_exercise(exercise_id)
...     ex.sets * ex.reps * ex.seconds_per_rep
>>> lab.check_time_under_tension(time_under_tension)  # doctest: +ELLIPSIS
\u2717 time_under_tension returned nothing (None). ... add return ...
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import exercises as _exercises
from .config import language, number_text
from .i18n import N_, ngettext
from .i18n import gettext as _

__all__ = [
    "check_supine_hamstrings",
    "check_time_under_tension",
    "check_weekly_minutes",
]

# How a check's arguments are named in a message, as in the lab's own cells.
_ARG_NAMES = {"DataFrame": "cat", "Plan": "plan"}
# Translators: {name} is the student's function; "..." is Python's Ellipsis, keep it
_NOT_ANSWERED = N_(
    "\u2026 {name}: not answered yet. Replace the ... in its cell with your code, run that "
    "cell, then run this one again."
)
# Translators: "return" and None are Python words, keep them
_NO_RETURN = N_(
    "\u2717 {name} returned nothing (None). A function gives back a value only with a "
    "return line: add return in front of the value you worked out, run that cell, then "
    "this one again."
)


def _number(value: float, spec: str) -> str:
    """``value`` as ``format(value, spec)`` writes it, with the language's decimal mark."""
    text = format(value, spec)
    if language() == "en" or "." not in text or "e" in text:
        return text
    return number_text(value, len(text.split(".")[1]))


@dataclass(frozen=True)
class _Verdict:
    """What a check found: ``ok`` (right), ``answered`` (not ``...``) and the message shown."""

    ok: bool
    answered: bool
    message: str

    def __str__(self) -> str:
        return self.message


def _not_yet(message: str) -> _Verdict:
    return _Verdict(False, True, f"\u2717 {message}")


def _call(func: Callable[..., Any], *args: Any) -> tuple[Any, _Verdict | None]:
    """The student's result, or a plain-words verdict when there is no usable result."""
    name = getattr(func, "__name__", None)
    if name is None:
        name = _("your function")
    try:
        result = func(*args)
    except Exception as err:  # the student's code: say what went wrong, not where in ours
        shown = ", ".join(
            repr(a) if isinstance(a, (str, int)) else _ARG_NAMES.get(type(a).__name__, "...")
            for a in args
        )
        return None, _not_yet(
            _(
                "{call} stopped with an error: {error}: {message}. "
                "Read the line it names in your cell, fix it, and run both cells again."
            ).format(call=f"{name}({shown})", error=type(err).__name__, message=err)
        )
    if result is ...:
        return None, _Verdict(False, False, _(_NOT_ANSWERED).format(name=name))
    if result is None:
        return None, _Verdict(False, True, _(_NO_RETURN).format(name=name))
    return result, None


def _show(check: Callable[[Callable[..., Any]], _Verdict], func: Callable[..., Any]) -> None:
    # Printed, not returned: a returned value would show a second time as the cell's result.
    print(check(func).message)


def _supine_hamstrings(func: Callable[..., Any]) -> _Verdict:
    import backkit

    cat = backkit.load_exercises()
    got, stop = _call(func, cat)
    if stop is not None:
        return stop
    name = func.__name__
    expected = sorted(
        ex.id
        for ex in _exercises.catalogue().exercises
        if ex.position == "supine" and "hamstrings" in ex.targets
    )
    if not isinstance(got, list) or not all(isinstance(i, str) for i in got):
        return _not_yet(
            _(
                "{call} gave {got}. It should give a list of exercise ids (text), "
                "such as index values of the table."
            ).format(call=f"{name}(cat)", got=repr(got))
        )
    if got == expected:
        return _Verdict(True, True, "\u2713 " + _("{name} is right.").format(name=name))
    if sorted(got) == expected:
        return _not_yet(_("Nearly: the ids are right but not in order. Hint: sorted(...)."))
    extra = [i for i in got if i not in expected]
    positions = {ex.id: ex.position for ex in _exercises.catalogue().exercises}
    if any(positions.get(i) != "supine" for i in extra):
        hint = _("some are not done lying on the back: filter on position as well.")
    elif extra:
        hint = _("some do not target the hamstrings: filter on targets as well (combine with &).")
    else:
        hint = _("some are missing: check both filters against the table in section 1.")
    return _not_yet(_("Not yet: {call} gave {got}; {hint}").format(
        call=f"{name}(cat)", got=got, hint=hint))  # fmt: skip


def _tut_hint(ex: Any, got: float, expected: float) -> str:
    if ex.per_side and math.isclose(got * 2, expected):
        return _("This one is done on each side (ex.per_side is True): did you count both sides?")
    if ex.sets > 1 and math.isclose(got * ex.sets, expected):
        return _("This one has more than one set: did you multiply by ex.sets?")
    return _("Multiply sets, reps, sides (2 when ex.per_side) and ex.seconds_per_rep.")


def _time_under_tension(func: Callable[..., Any]) -> _Verdict:
    from .routine import build_routine

    name = func.__name__
    ids = _exercises.exercise_ids()
    for exercise_id in ids:
        routine = build_routine(exercise_id)
        expected = sum(p.seconds for p in routine.phases if p.is_rep)
        got, stop = _call(func, exercise_id)
        if stop is not None:
            return stop
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return _not_yet(_("{call} gave {got}, not a number of seconds.").format(
                call=f"{name}({exercise_id!r})", got=repr(got)))  # fmt: skip
        if not math.isclose(got, expected):
            hint = _tut_hint(_exercises.get_exercise(exercise_id), got, expected)
            return _not_yet(_("Not yet: {call} gave {got}. {hint}").format(
                call=f"{name}({exercise_id!r})", got=_number(got, "g"), hint=hint))  # fmt: skip
    right = ngettext(
        "{name} is right for {n} exercise.", "{name} is right for all {n} exercises.", len(ids)
    ).format(name=name, n=len(ids))
    return _Verdict(True, True, "\u2713 " + right)


def _plans() -> list[Any]:
    """The plans the weekly-volume check tries: the default, the sample and a three-day plan."""
    import backkit

    from .plan import Plan, PlanItem

    three_days = Plan(
        _("Three days"),
        start=dt.date(2025, 1, 6),
        weekdays=("mon", "wed", "fri"),
        items=(PlanItem("bridge", sets=2, reps=8, hold_seconds=10), PlanItem("squat"),
               PlanItem("knee-to-chest", reps=3, hold_seconds=20)),
    )  # fmt: skip
    return [Plan.default(), backkit.sample_plan(), three_days]


def _item_days(plan: Any, item: Any) -> int:
    """Days a week the item is done: its own days, else the plan's."""
    if item.weekdays:
        return len(item.weekdays)
    return len(plan.weekdays) if plan.weekdays is not None else plan.days_per_week


def _weekly_minutes(func: Callable[..., Any]) -> _Verdict:
    from .routine import build_routine

    name = func.__name__
    plans = _plans()
    for plan in plans:
        seconds = 0.0
        for item in plan.items:
            sets, reps, hold = plan.dose(item.exercise_id)
            routine = build_routine(item.exercise_id, sets=sets, reps=reps, hold_seconds=hold)
            seconds += sum(p.seconds for p in routine.phases if p.is_rep) * _item_days(plan, item)
        got, stop = _call(func, plan)
        if stop is not None:
            return stop
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return _not_yet(_("{name} gave {got} for the plan {plan}, not minutes.").format(
                name=name, got=repr(got), plan=repr(plan.name)))  # fmt: skip
        if not math.isclose(got, seconds / 60, rel_tol=1e-9):
            return _not_yet(
                _(
                    "Not yet: {name} gave {got} minutes for the plan {plan}. "
                    "Hint: use the plan's doses (plan.dose), its days (days_per_week or weekdays) "
                    "and each exercise's own days where it has them (item.weekdays), and count "
                    "both sides of a per-side exercise."
                ).format(name=name, got=_number(got, ".2f"), plan=repr(plan.name))
            )
    right = ngettext(
        "{name} is right for {n} plan.", "{name} is right for {n} plans.", len(plans)
    ).format(name=name, n=len(plans))
    return _Verdict(True, True, "\u2713 " + right)


def check_supine_hamstrings(func: Callable[..., Any]) -> None:
    """Check exercise 4.1 (the supine exercises that target the hamstrings); print the verdict."""
    return _show(_supine_hamstrings, func)


def check_time_under_tension(func: Callable[..., Any]) -> None:
    """Check exercise 4.2 (time under tension per session); print the verdict."""
    return _show(_time_under_tension, func)


def check_weekly_minutes(func: Callable[..., Any]) -> None:
    """Check exercise 4.3 (minutes under tension per week of a plan); print the verdict."""
    return _show(_weekly_minutes, func)
