"""Whether a session may start: a current screening and no warning sign left unresolved.

This is the kit's one safety gate. Every way to get a timer passes it:
:class:`backkit.SessionTimer` (and so ``SessionTimer.for_plan``, notebooks
01-08 and 10, the app and the floor view) asks :func:`check` when it is
built and again at Start, and shows the warning-sign questions instead of
the countdown while the gate is closed.

The rule (:func:`screening_gate`, a pure function of the stored records):

- the warning-sign questions were answered within the last
  ``screening.rescreen_days`` days (7, ``safety.yaml``);
- every screening with a "yes" is followed by a *clearance*
  (:func:`backkit.outcomes.record_clearance`): a clinician saw the person on
  or after the day of that answer and said they can exercise. A later
  all-no screening does not cancel a "yes", and neither does a reload.
  A "yes" to a question about the person's history (``history: true`` in
  ``safety.yaml``: a past cancer, long-term steroids) needs a clearance once:
  after one, the same history answered yes again does not close the gate;
  for history that is an event (an operation, a fall: ``history_days``) the
  clearance covers it for that many days only.

Reading the gate never writes: a log file that does not exist yet has no
screening, so its gate is closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config, safety
from .errors import BackkitError, SafetyGateError
from .i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

    from .log import SessionLog

__all__ = ["Gate", "Unresolved", "check", "day_text", "require_open", "screening_gate"]


@dataclass(frozen=True)
class Unresolved:
    """A screening answered "yes" that no clearance has followed yet."""

    answered_at: dt.datetime
    action: str
    #: The ids of the questions answered yes, in the order they are asked.
    yes: tuple[str, ...]

    def questions(self) -> tuple[str, ...]:
        """The questions answered yes, as the person read them."""
        asked = {q.id: q.ask for q in safety.screening_questions()}
        return tuple(asked.get(q, q) for q in self.yes)

    def notes(self) -> tuple[str, ...]:
        """What the kit says beside the advice for these answers (``note`` in safety.yaml)."""
        notes = {q.id: q.note for q in safety.screening_questions()}
        return tuple(n for n in dict.fromkeys(notes.get(q, "") for q in self.yes) if n)


@dataclass(frozen=True)
class Gate:
    """The gate as of one moment: open, or closed with the reason in words.

    Attributes
    ----------
    open : bool
        Whether a session may start.
    reason : str
        Why it is closed, in plain words ("" when open).
    last_answered : datetime or None
        When the questions were last answered.
    unresolved : tuple of Unresolved
        Each "yes" still in force, oldest first; the most serious decides
        the advice (:attr:`action`).
    """

    open: bool
    reason: str
    last_answered: dt.datetime | None
    unresolved: tuple[Unresolved, ...] = ()

    @property
    def action(self) -> str:
        """The most serious action among the unresolved answers ("none" when there are none)."""
        return max((u.action for u in self.unresolved), key=safety.ACTIONS.index, default="none")

    @property
    def needs_answers(self) -> bool:
        """Whether the questions must be answered (again) before anything else."""
        return not self.open and not self.unresolved


def screening_gate(
    screenings: pd.DataFrame, clearances: pd.DataFrame, now: dt.datetime | None = None
) -> Gate:
    """The gate from the stored screenings and clearances (as the outcomes frames give them).

    Parameters
    ----------
    screenings : DataFrame
        :func:`backkit.outcomes.screenings_frame` (``answered_at``, ``action``, ``yes``).
    clearances : DataFrame
        :func:`backkit.outcomes.clearances_frame` (``seen_on``, ``recorded_at``).
    now : datetime, optional
        The present (default :func:`backkit.config.now`).

    Examples
    --------
    >>> import backkit, datetime as dt
    >>> from backkit import gate, outcomes
    >>> log = backkit.SessionLog(":memory:")
    >>> now = backkit.config.now()
    >>> def state(now):
    ...     return gate.screening_gate(
    ...         outcomes.screenings_frame(log), outcomes.clearances_frame(log), now)
    >>> state(now).reason
    'The warning-sign questions have not been answered yet.'
    >>> _ = outcomes.record_screening(log, {"fever": True}, action="urgent")
    >>> _ = outcomes.record_screening(log, {"fever": False}, action="none")
    >>> state(now).open, state(now).action  # a later all-no does not cancel a yes
    (False, 'urgent')
    >>> _ = outcomes.record_clearance(log, seen_on=backkit.config.today(), seen_by="gp")
    >>> state(now).open
    True
    >>> state(now + dt.timedelta(days=8, hours=1)).reason
    'The warning-sign questions were last answered 8 days ago; answer them again (every 7 days).'
    """
    now = now or config.now()
    days = int(safety.rules()["screening"]["rescreen_days"])
    if screenings.empty:
        return Gate(False, _("The warning-sign questions have not been answered yet."), None)
    last = screenings["answered_at"].max().to_pydatetime()
    unresolved = _unresolved(screenings, clearances)
    if unresolved:
        worst = max(unresolved, key=lambda u: safety.ACTIONS.index(u.action))
        when = day_text(worst.answered_at)
        reason = _(
            "On {day} you answered yes to a warning-sign question. Until a doctor or "
            "physiotherapist has seen you about it and said you can exercise, no session starts."
        ).format(day=when)
        return Gate(False, reason, last, unresolved)
    age = now - last
    if age > dt.timedelta(days=days):
        # Translators: the first count is always more than the second (at least 8 days ago)
        reason = _(
            "The warning-sign questions were last answered {age} days ago; "
            "answer them again (every {days} days)."
        ).format(age=age.days, days=days)
        return Gate(False, reason, last)
    return Gate(True, "", last)


def _unresolved(screenings: pd.DataFrame, clearances: pd.DataFrame) -> tuple[Unresolved, ...]:
    """Each screening with a "yes" not yet followed by a clearance, oldest first.

    History questions seen by a clinician once (answered yes, then cleared)
    no longer count in later screenings.
    """
    questions = {q.id: q for q in safety.screening_questions()}
    seen_history: dict[str, Any] = {}  # history answered yes and since cleared: when
    out = []

    def covered(question: str, when: Any) -> bool:
        if question not in seen_history:
            return False
        days = questions[question].history_days
        return days is None or when - seen_history[question] <= dt.timedelta(days=days)

    for row in screenings.sort_values("answered_at", kind="stable").itertuples(index=False):
        yes = tuple(q for q in row.yes if not covered(q, row.answered_at))
        if not yes:
            continue
        if _cleared(row.answered_at, clearances):
            for q in yes:
                if q in questions and questions[q].history:
                    seen_history[q] = row.answered_at
            continue
        action = max((questions[q].action if q in questions else str(row.action) for q in yes),
                     key=safety.ACTIONS.index)  # fmt: skip
        out.append(Unresolved(row.answered_at.to_pydatetime(), action, yes))
    return tuple(out)


def _cleared(answered_at: Any, clearances: pd.DataFrame) -> bool:
    """Whether a clearance recorded after ``answered_at`` is dated on or after its day."""
    if clearances.empty:
        return False
    day = answered_at.tz_localize(None).normalize()
    after = (clearances["recorded_at"] >= answered_at) & (clearances["seen_on"] >= day)
    return bool(after.any())


def day_text(when: dt.datetime) -> str:
    """A day as the gate's messages name it: 'Monday 7 December 2026'."""
    return config.day_text(when, weekday=True, full=True)


def check(log: SessionLog | str | Path | None, now: dt.datetime | None = None) -> Gate:
    """The gate for a log: a SessionLog, the path of a log file, or None (the person's own).

    A path is read without being created or changed; a file that does not
    exist holds no screening, so the gate is closed, and so is the gate of a
    file that cannot be read as a log (the reason says why).
    """
    from .log import peek
    from .outcomes import clearances_frame, screenings_frame

    def read(opened: SessionLog) -> Gate:
        return screening_gate(screenings_frame(opened), clearances_frame(opened), now)

    try:
        state = peek(log, read, default=None)
    except (BackkitError, OSError) as err:
        reason = _("The log cannot be read, so its screenings cannot be: {error}").format(error=err)
        return Gate(False, reason, None)
    return state if state is not None else screening_gate(_no_screenings(), _no_screenings(), now)


def _no_screenings() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()


def require_open(log: SessionLog | str | Path | None, *, where: str) -> Gate:
    """The gate for ``log`` when open; otherwise raise :class:`~backkit.errors.SafetyGateError`."""
    state = check(log)
    if not state.open:
        raise SafetyGateError(state.reason, where=where)
    return state
