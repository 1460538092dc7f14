"""The next plan after a clinician's review: plain rules, tested, that the review notebook calls.

:func:`propose_next` looks at a log against its plan and proposes the next
four weeks, one decision per exercise, each with what changes and why:

- nothing changes before :data:`MIN_LOGGED_DAYS` days of logging: a week or
  two of data is too little to judge a dose by (an exercise flagged in that
  time is named, for the clinician to discuss, but its dose is kept);
- an exercise that broke the kit's pain rule for its own pain in the last
  two weeks (a pain-monitoring flag naming it: pain over the limit, or a rise
  of 2 points or more, :func:`backkit.safety.pain_levels`), or after which
  pain rose on average by as much as that rule's rise (the "higher" verdict
  of :func:`backkit.analysis.immediate_effect` with a mean rise of
  :func:`backkit.safety.max_rise` points or more) steps back
  (:func:`step_back`): one set fewer and the low end of the catalogue's range,
  never more than before in any part of the dose (where that changes nothing,
  one repetition fewer, else a hold :data:`HOLD_STEP` s shorter), and its
  easier version is named;
- one after which pain was higher on average but by less than that (a
  "higher" verdict is about the interval, not the size: +0.5 with an interval
  above 0 is not a clinically relevant rise) keeps its dose, is not stepped
  up, and is named for the clinician to discuss;
- one flagged for pain earlier in the period (before the last two weeks),
  or any exercise when a check-in said the back felt worse the morning after
  exercising (``checkins``), keeps its dose: no step up after pain, whenever
  it was, for the clinician to discuss;
- one done on at least :data:`PROGRESS_ADHERENCE` of the prescribed sessions,
  with no higher pain after it and no pain flag, steps up within the
  catalogue's range (a longer hold, else one repetition more); where its own
  pain was not rated often enough to judge, the reason says so;
- the rest stay as they are ("no change").

From stale data (the newest session older than 4 weeks:
:func:`backkit.analysis.staleness`) no dose is raised, every reason says how
old the data are, and so does the plan's first note.

Whole-session pain ratings never change an exercise: they say nothing about
any one exercise (session-level flags name none); a whole session flagged for
pain in the last two weeks holds every step up, for the clinician to discuss.

Strength work (``strength: true`` in the catalogue) stays on non-consecutive
days: where the plan does not keep it so, the next plan puts it on
non-consecutive days of the plan, no more days a week than before and at most
three (:data:`backkit.plan.STRENGTH_DAYS`, Monday, Wednesday and Friday, for a
daily plan). The proposal is a starting point for the clinician to check and
change, not a prescription.

Examples
--------
>>> import backkit
>>> from backkit.review import propose_next
>>> proposal = propose_next(backkit.sample_log(weeks=1), backkit.sample_plan())
>>> {c.what for c in proposal.changes}
{'no change'}
>>> proposal.changes[0].why.startswith("fewer than 2 weeks logged (7 days)")
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import day_text, number_text, weekday_text
from .config import today as kit_today
from .i18n import N_, ngettext
from .i18n import gettext as _

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

    from .exercises import Exercise
    from .plan import Plan, PlanItem

__all__ = [
    "MIN_LOGGED_DAYS",
    "PROGRESS_ADHERENCE",
    "Change",
    "Proposal",
    "propose_next",
    "step_back",
]

#: Days from the first to the last logged day before a dose may change.
MIN_LOGGED_DAYS = 14
#: Share of prescribed sessions done (a partial session counting in part) to step up.
PROGRESS_ADHERENCE = 0.8
#: How far back a pain-monitoring flag counts against an exercise.
RECENT_FLAGS = dt.timedelta(days=14)
#: Seconds added to a hold when it steps up, and taken off when it steps back.
HOLD_STEP = 5
#: The shortest hold a step back goes to.
MIN_HOLD = 5
#: The next plan's length.
PLAN_DAYS = 28
#: The decision that keeps a dose as it is (translated where it is made and compared).
_NO_CHANGE = N_("no change")


@dataclass(frozen=True)
class Change:
    """The decision for one exercise: what changes (or "no change") and why."""

    exercise_id: str
    what: str
    why: str

    def sentence(self, name: str) -> str:
        """The decision as a sentence about the exercise called ``name``."""
        return f"{name}: {self.what} ({self.why})."


@dataclass(frozen=True)
class Proposal:
    """A proposed next plan and the decision behind each of its exercises.

    ``stale`` says how old the data are when the newest session is older than
    4 weeks (:func:`backkit.analysis.staleness`), else None.
    """

    plan: Plan
    changes: tuple[Change, ...]
    stale: str | None = None


@dataclass(frozen=True)
class _Evidence:
    days_logged: int
    raised: frozenset[str]
    flagged: frozenset[str]
    adherence: dict[str, float]
    last_day: dt.date | None
    judged: frozenset[str] = frozenset()  # exercises with enough per-exercise ratings
    sessions_flagged: bool = False  # a whole-session pain flag in the last two weeks
    rises: tuple[tuple[str, float], ...] = ()  # mean rise of each exercise "higher" after it
    stale: str | None = None  # how old the data are, when too old (analysis.staleness)
    flagged_before: frozenset[str] = frozenset()  # flagged earlier than the last two weeks
    worse_mornings: int = 0  # check-ins: "worse" the morning after exercising

    @property
    def a_little_higher(self) -> dict[str, float]:
        """Exercises with higher pain after them on average, by less than the pain rule's rise."""
        return {i: rise for i, rise in self.rises if i not in self.raised}


def _evidence(
    frame: pd.DataFrame,
    plan: Plan,
    today: dt.date,
    checkins: pd.DataFrame | None = None,
    worked_out: Mapping[str, pd.DataFrame] | None = None,
) -> _Evidence:
    import pandas as pd

    from .adherence import adherence
    from .analysis import immediate_effect, local_day, pain_flags, staleness
    from .safety import max_rise

    days = local_day(frame)
    if days.empty:
        return _Evidence(0, frozenset(), frozenset(), {}, None)
    last_day = days.max().date()
    given = worked_out or {}
    effect = given["effects"] if "effects" in given else immediate_effect(frame)
    # "identical" with a rise: the same rise after it in every session counted
    higher = (effect["verdict"] == "higher") | (
        (effect["verdict"] == "identical") & (effect["change"] > 0)
    )
    # Only a clinically relevant rise changes the dose: as large, on average, as
    # the rise the pain rule treats as a reason to do less (the interval alone
    # says a rise is there, not that it matters).
    relevant = higher & (effect["change"] >= max_rise() - 1e-9)
    raised = frozenset(effect.index[relevant].astype(str))
    rises = tuple((str(i), float(c)) for i, c in effect.loc[higher, "change"].items())
    flags = given["flags"] if "flags" in given else pain_flags(frame)
    recent = flags[flags["day"] > pd.Timestamp(last_day - RECENT_FLAGS)]
    earlier = flags[flags["day"] <= pd.Timestamp(last_day - RECENT_FLAGS)]
    worse = 0
    if checkins is not None and "next_morning" in checkins and len(checkins):
        worse = int((checkins["next_morning"].astype(object) == "worse").sum())
    weekly = given["weekly"] if "weekly" in given else adherence(frame, plan)
    by_id = weekly.groupby("exercise_id", observed=True)[["credit", "prescribed"]].sum()
    # sessions done on days the plan did not ask for are not more than 100% of it
    share = (by_id["credit"] / by_id["prescribed"].where(by_id["prescribed"] > 0)).dropna()
    share = share.clip(upper=1.0)
    return _Evidence(
        days_logged=(last_day - days.min().date()).days + 1,
        raised=raised,
        flagged=frozenset(recent["exercise_id"].dropna().astype(str)),
        adherence={str(k): float(v) for k, v in share.items()},
        last_day=last_day,
        judged=frozenset(effect.index[effect["verdict"] != "too few"].astype(str)),
        sessions_flagged=bool(recent["exercise_id"].isna().any()),
        rises=rises,
        stale=staleness(last_day, today),
        flagged_before=frozenset(earlier["exercise_id"].dropna().astype(str)),
        worse_mornings=worse,
    )


def _dose_text(ex: Exercise, sets: int, reps: int, hold: float) -> str:
    text = f"{sets} × {reps}"
    if ex.kind != "hold":
        return text
    # Translators: a dose: "2 sets of 10, hold 20 s" (s: seconds)
    return _("{dose}, hold {seconds} s").format(dose=text, seconds=f"{hold:g}")


def step_back(ex: Exercise, dose: tuple[int, int, float]) -> tuple[tuple[int, int, float], str]:
    """The dose after a pain flag, and what changed in words.

    One set fewer, and the repetitions and the hold at the low end of the
    catalogue's range, but never more than ``dose`` in any part. Where that
    changes nothing (the dose is already at or below the low end), one
    repetition fewer, else a hold :data:`HOLD_STEP` s shorter. At one set of
    one repetition (and a hold of :data:`MIN_HOLD` s) nothing is left to take
    off: the words say so and suggest the easier version or leaving the
    exercise out. The easier version is named either way.

    Examples
    --------
    >>> import backkit
    >>> from backkit.review import step_back
    >>> squat = backkit.get_exercise("squat")
    >>> step_back(squat, (1, 5, 0))       # below the catalogue's 10: one fewer, never 10
    ((1, 4, 0), 'step back to 1 × 4 (from 1 × 5), or the easier version "Sit-to-stand"')
    >>> step_back(squat, (3, 10, 0))[0]
    (2, 10, 0)
    >>> step_back(backkit.get_exercise("supine-hamstring-stretch"), (1, 1, 20))[0]
    (1, 1, 15)
    """
    sets, reps, hold = dose
    new_sets = max(1, sets - 1)
    new_reps = min(reps, ex.reps_range[0])
    new_hold = min(hold, ex.hold_range[0]) if ex.kind == "hold" else hold
    if (new_sets, new_reps, new_hold) == (sets, reps, hold):
        if reps > 1:
            new_reps = reps - 1
        elif ex.kind == "hold" and hold > MIN_HOLD:
            new_hold = max(MIN_HOLD, hold - HOLD_STEP)
    easier = ""
    if ex.regression:
        easier = _('the easier version "{name}"').format(name=ex.regression.name)
    if (new_sets, new_reps, new_hold) == (sets, reps, hold):
        what = (
            _("no change: already the smallest dose; try {easier} instead, or leave it out")
            if easier
            else _("no change: already the smallest dose; consider leaving it out")
        ).format(easier=easier)
    else:
        what = _("step back to {new} (from {old})").format(
            new=_dose_text(ex, new_sets, new_reps, new_hold), old=_dose_text(ex, sets, reps, hold)
        )
        if easier:
            what = _("{step}, or {easier}").format(step=what, easier=easier)
    return (new_sets, new_reps, new_hold), what


def _decide(item_id: str, dose: tuple[int, int, float], seen: _Evidence) -> tuple:
    """Return (sets, reps, hold, Change) for one exercise of the plan."""
    sets, reps, hold, change = _decide_fresh(item_id, dose, seen)
    if seen.stale is None:
        return sets, reps, hold, change
    if any(n > o for n, o in zip((sets, reps, hold), dose, strict=True)):
        # stale data never raise a dose: how the person is now is not known
        sets, reps, hold = dose
        why = _("{why}, but {stale}: too old to raise a dose from; ask how it is now").format(
            why=change.why, stale=seen.stale
        )
        return sets, reps, hold, Change(item_id, _(_NO_CHANGE), why)
    return sets, reps, hold, Change(item_id, change.what, f"{change.why}; {seen.stale}")


def _decide_fresh(item_id: str, dose: tuple[int, int, float], seen: _Evidence) -> tuple:
    """The decision as if the data were fresh: (sets, reps, hold, Change)."""
    from .exercises import get_exercise
    from .safety import max_rise

    ex = get_exercise(item_id)
    sets, reps, hold = dose
    if seen.days_logged < MIN_LOGGED_DAYS:
        return sets, reps, hold, Change(item_id, _(_NO_CHANGE), _too_soon(item_id, seen))
    rises = dict(seen.rises)
    if item_id in seen.raised or item_id in seen.flagged:
        (sets, reps, hold), what = step_back(ex, dose)
        why = (
            _(
                "pain was higher straight after it than before it, by {points} points on average"
            ).format(points=number_text(rises[item_id], 1))
            if item_id in seen.raised
            else _(
                "it was flagged for its own pain in the last two weeks (over the limit, or "
                "a rise of {rise} points or more)"
            ).format(rise=max_rise())
        )
        return sets, reps, hold, Change(item_id, what, why)
    if item_id in seen.a_little_higher:
        why = _(
            "pain was a little higher straight after it than before it, by "
            "{points} points on average: less than the "
            "{rise}-point rise the kit's pain rule treats as a reason to do less, so "
            "the dose is kept, not raised; discuss it with the patient"
        ).format(points=number_text(seen.a_little_higher[item_id], 1), rise=max_rise())
        return sets, reps, hold, Change(item_id, _(_NO_CHANGE), why)
    done = seen.adherence.get(item_id)
    share = f"{done:.0%}" if done is not None else ""
    if done is not None and done >= PROGRESS_ADHERENCE:
        held = _held_back(item_id, seen, share)
        if held is not None:
            return sets, reps, hold, Change(item_id, _(_NO_CHANGE), held)
        return _step_up(ex, item_id, dose, item_id in seen.judged, share)
    why = (
        _("not logged against this plan")
        if done is None
        else _("done in {share} of prescribed sessions; build the habit first").format(share=share)
    )
    return sets, reps, hold, Change(item_id, _(_NO_CHANGE), why)


def _too_soon(item_id: str, seen: _Evidence) -> str:
    """Why a dose stays while fewer than two weeks are logged."""
    n = seen.days_logged
    why = ngettext(
        "fewer than 2 weeks logged ({n} day): too soon to change the dose",
        "fewer than 2 weeks logged ({n} days): too soon to change the dose",
        n,
    ).format(n=n)
    why = why if n else _("nothing logged yet")
    if item_id in seen.flagged:
        return _("{why}; it was flagged for pain, so discuss it with the patient").format(
            why=why
        )
    return why


def _held_back(item_id: str, seen: _Evidence, share: str) -> str | None:
    """Why a dose done often enough to step up is kept, or None when nothing holds it back."""
    if item_id in seen.flagged_before:
        return _(
            "done in {share} of prescribed sessions, but it was flagged for pain earlier "
            "in the period: no step up after pain; discuss before progressing"
        ).format(share=share)
    if seen.worse_mornings:
        n = seen.worse_mornings
        times = _("once") if n == 1 else _("{n} times").format(n=n)
        return _(
            "done in {share} of prescribed sessions, but a check-in said the back felt "
            "worse the morning after exercising ({times}): discuss before progressing"
        ).format(share=share, times=times)
    if seen.sessions_flagged:
        return _(
            "done in {share} of prescribed sessions, but whole sessions were flagged "
            "for pain in the last two weeks: discuss before progressing"
        ).format(share=share)
    return None


def _step_up(
    ex: Exercise, item_id: str, dose: tuple[int, int, float], judged: bool, share: str
) -> tuple:
    """The dose one step up, and why: (sets, reps, hold, Change)."""
    sets, reps, hold = dose
    why = (
        _("done in {share} of prescribed sessions, with no higher pain after it")
        if judged
        else _(
            "done in {share} of prescribed sessions (its own pain was not rated often "
            "enough to judge it)"
        )
    ).format(share=share)
    if ex.kind == "hold" and hold < ex.hold_range[1]:
        hold = min(hold + HOLD_STEP, ex.hold_range[1])
        what = _("hold up to {seconds} s").format(seconds=f"{hold:g}")
        return sets, reps, hold, Change(item_id, what, why)
    if reps < ex.reps_range[1]:
        reps += 1
        what = _("one repetition more ({reps})").format(reps=reps)
        return sets, reps, hold, Change(item_id, what, why)
    return sets, reps, hold, Change(item_id, _("no change: the top of its range"), why)


def _strength_weekdays(plan: Plan, item: PlanItem) -> tuple[str, ...]:
    """Non-consecutive days for a strength exercise the plan does not keep apart.

    No more days a week than the plan gave it, at most three, and only days
    the plan has: for a daily plan :data:`backkit.plan.STRENGTH_DAYS`. A step
    back after a pain flag must never come with more sessions a week.

    Examples
    --------
    >>> from backkit.plan import Plan
    >>> from backkit.review import _strength_weekdays
    >>> [_strength_weekdays(p, p.items[0]) for p in (
    ...     Plan("p", items=["squat"]), Plan("p", items=["squat"], days_per_week=2),
    ...     Plan("p", items=["squat"], weekdays=["sat", "sun"]))]
    [('mon', 'wed', 'fri'), ('mon', 'wed'), ('sat',)]
    """
    from .plan import STRENGTH_DAYS, WEEKDAYS

    allowed = plan.weekdays or WEEKDAYS
    now = item.weekdays or plan.weekdays
    wanted = min(len(STRENGTH_DAYS), len(now) if now else plan.days_per_week or len(WEEKDAYS))
    picked: list[int] = []
    for i, day in enumerate(WEEKDAYS):
        apart = all((i - j) % 7 > 1 and (j - i) % 7 > 1 for j in picked)
        if day in allowed and apart and len(picked) < wanted:
            picked.append(i)
    return tuple(WEEKDAYS[i] for i in picked)


def _day_names(days: tuple[str, ...]) -> str:
    """``("mon", "wed", "fri")`` as "Monday, Wednesday and Friday"."""
    from .plan import WEEKDAYS

    names = [weekday_text(WEEKDAYS.index(d), full=True) for d in days]
    if len(names) == 1:
        return names[0]
    return _("{first} and {second}").format(first=", ".join(names[:-1]), second=names[-1])


def propose_next(
    frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    today: dt.date | None = None,
    dates_shifted: bool = False,
    as_of: dt.date | None = None,
    checkins: pd.DataFrame | None = None,
    worked_out: Mapping[str, pd.DataFrame] | None = None,
) -> Proposal:
    """Propose the next four weeks of ``plan`` from the log ``frame``.

    Parameters
    ----------
    frame : DataFrame
        The session log (:meth:`backkit.SessionLog.frame`).
    plan : Plan, optional
        The plan the log was done for; without one, the default plan counted
        from the first logged day.
    today : date, optional
        Default :func:`backkit.config.today`. The next plan starts the day
        after the last logged day, or today when that is later; the data are
        stale when the newest session is more than 4 weeks before it
        (:func:`backkit.analysis.staleness`; see ``as_of``).
    dates_shifted : bool
        The frame's dates were shifted (a de-identified report): start the day
        after the log ends, never at today's date, which would give the shift away.
    as_of : date, optional
        The day the data are judged stale or not on (default ``today``); a
        de-identified report gives today shifted like the log's dates.
    checkins : DataFrame, optional
        The check-ins (:func:`backkit.outcomes.checkins_frame`): a morning
        after that felt worse holds every step up.
    worked_out : mapping, optional
        Tables of ``frame`` the caller has worked out already, so that a
        report works each out once: ``"effects"``
        (:func:`backkit.analysis.immediate_effect`), ``"flags"``
        (:func:`backkit.analysis.pain_flags`), ``"weekly"``
        (:func:`backkit.adherence.adherence` with ``plan``). The others are
        worked out here.

    Returns
    -------
    Proposal
        The next plan (same exercises, days and author, except strength work
        moved off consecutive days), and one :class:`Change` per exercise; the
        plan's notes list them, after how old the data are when they are stale
        (``Proposal.stale``).

    Examples
    --------
    >>> import backkit
    >>> from backkit.review import propose_next
    >>> proposal = propose_next(backkit.sample_log(weeks=12, profile="improving"),
    ...                         backkit.sample_plan())
    >>> len(proposal.changes) == len(proposal.plan.items)
    True
    """
    from .exercises import get_exercise
    from .plan import Plan, PlanItem, strength_days

    if plan is None:
        first = frame["started_at"].min() if len(frame) else None
        plan = Plan.default(first.date() if first is not None else None)
    today = today or kit_today()
    seen = _evidence(frame, plan, as_of or today, checkins, worked_out)
    items, changes = [], []
    for item in plan.items:
        sets, reps, hold, change = _decide(item.exercise_id, plan.dose(item.exercise_id), seen)
        weekdays = item.weekdays
        if get_exercise(item.exercise_id).strength and not strength_days(plan, item.exercise_id):
            weekdays = _strength_weekdays(plan, item)
            days = _("on {days} only (strength work: at least a day's rest between)").format(
                days=_day_names(weekdays)
            )
            what = days if change.what == _(_NO_CHANGE) else f"{change.what}; {days}"
            change = Change(change.exercise_id, what, change.why)
        items.append(
            PlanItem(item.exercise_id, sets=sets, reps=reps, hold_seconds=hold, weekdays=weekdays)
        )
        changes.append(change)
    start = seen.last_day + dt.timedelta(days=1) if seen.last_day else today
    if not dates_shifted:
        start = max(start, today)
    notes = _("Changes after the review: {changes}").format(
        changes=" ".join(c.sentence(get_exercise(c.exercise_id).name) for c in changes)
    )
    if seen.stale:
        notes = _("Made from stale data: {stale}. {notes}").format(stale=seen.stale, notes=notes)
    next_plan = Plan(
        name=_("Back exercises from {day}").format(day=day_text(start)),
        author=plan.author,
        items=tuple(items),
        start=start,
        end=start + dt.timedelta(days=PLAN_DAYS - 1),
        days_per_week=plan.days_per_week if plan.weekdays is None else None,
        weekdays=plan.weekdays,
        notes=notes,
    )
    return Proposal(next_plan, tuple(changes), seen.stale)
