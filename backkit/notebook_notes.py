"""The short texts the notebooks print, in the kit's language.

The notebooks in ``notebooks/`` and their Portuguese copies in
``notebooks/pt/`` share their code cells byte for byte, so a sentence a code
cell shows cannot be written in the cell: it would stay English in every
language. Each such sentence lives here instead, marked for translation,
and the cells call these functions. Everything a note says is computed by the
cell (or by :mod:`backkit.analysis`); these functions only word it.

Examples
--------
>>> from backkit import notebook_notes
>>> print(notebook_notes.nothing_due_today())
Nothing is due today. To exercise anyway, open one of the exercise notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .config import day_text, number_text
from .i18n import N_
from .i18n import gettext as _

if TYPE_CHECKING:
    import datetime as dt
    from os import PathLike

    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "caseload_count",
    "corrections_count",
    "corrections_table",
    "effect_table",
    "evidence_note",
    "exercise_history_note",
    "lab_exercise_label",
    "label_dose_chart",
    "log_size",
    "no_checkins_yet",
    "nothing_due_today",
    "nothing_saved_today",
    "pain_flags_note",
    "per_leg_total",
    "plan_saved",
    "real_improvement",
    "sample_patients",
    "sample_progress_banner",
    "sample_summary_note",
    "session_pain",
    "session_pain_not_rated",
    "skipped_file",
    "todays_exercises",
    "todays_table",
    "week_label",
    "wrote",
]

#: The columns of today's table (:func:`todays_table`): log column -> heading.
TODAY_COLUMNS: Mapping[str, str] = {
    "exercise_id": N_("exercise"),
    "side": N_("side"),
    "sets_done": N_("sets done"),
    "reps_done": N_("repetitions done"),
    "hold_s_done": N_("seconds each"),
    "status": N_("done"),
    "pain_before": N_("pain before"),
    "pain_after": N_("pain straight after"),
}
#: How much of a bout was done (the log's ``status``), as today's table says it.
STATUS_WORDS: Mapping[str, str] = {"completed": N_("in full"), "partial": N_("in part")}
#: The side of a bout (the log's ``side``), in words.
SIDE_WORDS: Mapping[str, str] = {"left": N_("left"), "right": N_("right"), "both": N_("both")}

#: What the pain-change table's ``verdict`` (:func:`backkit.analysis.immediate_effect`) says.
VERDICT_WORDS: Mapping[str, str] = {
    "lower": N_("lower after"),
    "higher": N_("higher after"),
    "unclear": N_("no clear difference"),
    "identical": N_("same change every time"),
    "too few": N_("not enough data yet"),
}
#: The pain-change table's columns: analysis column -> heading.
EFFECT_COLUMNS: Mapping[str, str] = {
    "n": N_("sessions"),
    # Translators: a column heading: in how many weeks the exercise was done
    "weeks": N_("weeks"),
    "before": N_("pain before"),
    "after": N_("pain after"),
    # Translators: a column heading: pain after minus pain before
    "change": N_("change"),
    "ci_low": N_("range from"),
    "ci_high": N_("to"),
    "verdict": N_("what the data show"),
}

#: The student lab's table of the article's corrections: column -> heading.
CORRECTION_COLUMNS: Mapping[str, str] = {
    "exercise": N_("exercise"),
    "the article says": N_("the article says"),
    "corrected": N_("corrected"),
    "why": N_("why"),
    "sources": N_("sources"),
}


def _number(value: float) -> str:
    """``value`` as ``{:g}`` writes a small number (``2``, ``1.5``), in the kit's language."""
    value = float(value)
    return number_text(value, 0 if value.is_integer() else 1)


# --------------------------------------------------------------------------
# 00 Start here


def evidence_note(evidence: Mapping[str, Any], sources: Mapping[str, Any]) -> str:
    """The summary of the evidence, with its sources, as Markdown.

    Parameters
    ----------
    evidence : mapping
        The safety data's evidence block (``backkit.safety.rules()["evidence"]``):
        its ``summary`` and the tags of its ``sources``.
    sources : mapping
        Source tag -> reference (``backkit.safety.rules()["sources"]``); a tag
        not in it is shown as it is.

    Returns
    -------
    str
        The summary, then a line ``*Sources: ...*`` naming each source.

    Examples
    --------
    >>> print(evidence_note({"summary": "Walking helps.", "sources": ["NICE", "X"]},
    ...                     {"NICE": "NICE guideline NG59"}))
    Walking helps.
    <BLANKLINE>
    *Sources: NICE guideline NG59; X*
    """
    cited = "; ".join(str(sources.get(tag, tag)) for tag in evidence["sources"])
    return "{summary}\n\n*{sources}*".format(
        summary=evidence["summary"], sources=_("Sources: {cited}").format(cited=cited)
    )


# --------------------------------------------------------------------------
# The exercise notebooks


def exercise_history_note(mine: pd.DataFrame) -> str:
    """What the exercise's history chart shows: the person's bouts, or sample data.

    Parameters
    ----------
    mine : DataFrame
        The person's log rows of this one exercise (:meth:`backkit.SessionLog.frame`
        filtered on ``exercise_id``); empty when they have not logged it yet.

    Returns
    -------
    str
        How many bouts on how many days, or, for no bouts, that the chart shows
        sample data, not theirs.

    Examples
    --------
    >>> import backkit
    >>> print(exercise_history_note(backkit.log.empty_frame()))
    You have not logged this exercise yet, so the chart shows SAMPLE DATA, not yours.
    >>> sample = backkit.sample_log()
    >>> exercise_history_note(sample[sample["exercise_id"] == "bridge"])[:15]
    'Your log holds '
    """
    if mine.empty:
        return _(
            "You have not logged this exercise yet, so the chart shows SAMPLE DATA, not yours."
        )
    days = mine["started_at"].dt.date.nunique()
    return _("Your log holds {bouts} bouts of this exercise on {days} days.").format(
        bouts=len(mine), days=days
    )


# --------------------------------------------------------------------------
# 10 Today's session


def nothing_due_today() -> str:
    """Said when the plan has nothing due today.

    Examples
    --------
    >>> nothing_due_today().startswith("Nothing is due today.")
    True
    """
    return _("Nothing is due today. To exercise anyway, open one of the exercise notebooks.")


def nothing_saved_today() -> str:
    """Said when nothing was saved today: what to do first (two lines).

    Examples
    --------
    >>> print(nothing_saved_today())
    Nothing saved today yet: do the quick try or the session above, press Save to log,
    then run this cell again.
    """
    return _(
        "Nothing saved today yet: do the quick try or the session above, press Save to log,\n"
        "then run this cell again."
    )


def todays_exercises(names: Iterable[str], sessions: int) -> str:
    """Which exercises were done today, in how many sessions.

    Parameters
    ----------
    names : iterable of str
        The names of the exercises done today, each once, in the order done.
    sessions : int
        How many sessions today's bouts belong to.

    Examples
    --------
    >>> todays_exercises(["Bridge", "Squat"], 1)
    'Today you did 2 exercise(s) in 1 session(s): Bridge, Squat.'
    """
    names = list(names)
    return _("Today you did {exercises} exercise(s) in {sessions} session(s): {names}.").format(
        exercises=len(names), sessions=sessions, names=", ".join(names)
    )


def session_pain(before: float, after: float) -> str:
    """Today's mean pain before and after the sessions, out of 10.

    Examples
    --------
    >>> session_pain(3, 2.25)
    'Pain before your sessions: 3.0/10; after: 2.2/10.'
    """
    return _("Pain before your sessions: {before}/10; after: {after}/10.").format(
        before=number_text(before), after=number_text(after)
    )


def session_pain_not_rated() -> str:
    """Said when today's pain was not rated before and after.

    Examples
    --------
    >>> session_pain_not_rated()
    'Pain before and after was not rated for every session today.'
    """
    return _("Pain before and after was not rated for every session today.")


def todays_table(todays: pd.DataFrame, names: Iterable[str]) -> str:
    """Today's bouts as a plain-text table, one row a bout, headed in words.

    Parameters
    ----------
    todays : DataFrame
        Today's rows of the log.
    names : iterable of str
        Each row's exercise name, in the rows' order.

    Returns
    -------
    str
        The table, without an index column; a rating not given says "not rated".

    Examples
    --------
    >>> import backkit
    >>> frame = backkit.sample_log().head(1)
    >>> print(todays_table(frame, ["Bridge"]).splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
    exercise side sets done repetitions done seconds each done pain before pain straight after
    """
    shown = todays[list(TODAY_COLUMNS)].astype(object)
    shown["exercise_id"] = list(names)
    shown["side"] = shown["side"].map(lambda side: _(SIDE_WORDS.get(side, side)))
    shown["status"] = shown["status"].map(lambda status: _(STATUS_WORDS.get(status, status)))
    shown = shown.rename(columns={column: _(label) for column, label in TODAY_COLUMNS.items()})
    return str(shown.where(shown.notna(), _("not rated")).to_string(index=False))


def sample_summary_note() -> str:
    """Said above the summary and calendar when they show the sample data.

    Examples
    --------
    >>> sample_summary_note().startswith("SAMPLE DATA (not yours)")
    True
    """
    return _("SAMPLE DATA (not yours): save a session above, then run this cell again.")


# --------------------------------------------------------------------------
# 20 My progress


def sample_progress_banner() -> str:
    """The boxed note at the top of *My progress* when it shows the sample data (HTML).

    Examples
    --------
    >>> banner = sample_progress_banner()
    >>> "SAMPLE DATA." in banner and "10_todays_session.ipynb" in banner
    True
    """
    words = _(
        "<b>SAMPLE DATA.</b> Your log is empty, so everything below shows a made-up person's "
        "twelve weeks. Do a session in <a href='10_todays_session.ipynb'>Today's session</a>, "
        "then run this notebook again to see your own."
    )
    return (
        f'<div style="border:2px solid #D55E00;padding:0.5em 1em;border-radius:6px">{words}</div>'
    )


def log_size(frame: pd.DataFrame) -> str:
    """How many bouts and sessions the person's log holds.

    Examples
    --------
    >>> import backkit
    >>> log_size(backkit.log.empty_frame())
    'Your log: 0 exercise bouts in 0 sessions.'
    """
    return _("Your log: {bouts} exercise bouts in {sessions} sessions.").format(
        bouts=len(frame), sessions=frame["session_id"].nunique()
    )


def week_label(start: dt.date) -> str:
    """The name of the week that begins on ``start``, for a table's row.

    Examples
    --------
    >>> import datetime as dt
    >>> week_label(dt.date(2025, 3, 3))
    'week of 3 Mar 2025'
    """
    return _("week of {day}").format(day=day_text(start))


def real_improvement(points: float, percent: float) -> str:
    """What fall in pain counts as a real improvement (:func:`backkit.analysis.pain_mcid`).

    Examples
    --------
    >>> print(real_improvement(2.0, 30.0))
    A fall of at least 2 points and at least 30% of your baseline pain counts as a real improvement.
    """
    return _(
        "A fall of at least {points} points and at least {percent}% of your baseline pain "
        "counts as a real improvement."
    ).format(points=_number(points), percent=_number(percent))


def corrections_table(corrections: pd.DataFrame) -> pd.DataFrame:
    """The student lab's table of the article's corrections, headed in the kit's language.

    Parameters
    ----------
    corrections : DataFrame
        One row per correction, with the columns of :data:`CORRECTION_COLUMNS`
        (the names the lab's code uses, the same in every language).

    Returns
    -------
    DataFrame
        A copy, its columns headed in words.

    Examples
    --------
    >>> import pandas as pd
    >>> corrections_table(pd.DataFrame(columns=["exercise", "corrected"])).columns.tolist()
    ['exercise', 'corrected']
    """
    return corrections.rename(
        columns={column: _(label) for column, label in CORRECTION_COLUMNS.items()}
    )


def effect_table(effect: pd.DataFrame) -> pd.DataFrame:
    """The pain-change table (:func:`backkit.analysis.immediate_effect`) headed in words.

    Parameters
    ----------
    effect : DataFrame
        The analysis table (its index already the exercises' names, if wished).

    Returns
    -------
    DataFrame
        A copy: each verdict in words, the columns renamed; other columns as they are.

    Examples
    --------
    >>> import backkit
    >>> table = effect_table(backkit.analysis.immediate_effect(backkit.sample_log()))
    >>> "what the data show" in table.columns
    True
    """
    table = effect.copy()
    table["verdict"] = (
        table["verdict"]
        .astype(str)
        .map(lambda verdict: _(VERDICT_WORDS[verdict]) if verdict in VERDICT_WORDS else verdict)
    )
    return table.rename(columns={column: _(label) for column, label in EFFECT_COLUMNS.items()})


def pain_flags_note(flags: pd.DataFrame, latest: int = 8) -> str:
    """How many pain flags the log has, then the latest ones, as Markdown.

    Parameters
    ----------
    flags : DataFrame
        :func:`backkit.analysis.pain_flags` of the log.
    latest : int
        How many of the latest flags to list.

    Examples
    --------
    >>> import backkit
    >>> flags = backkit.analysis.pain_flags(backkit.log.empty_frame())
    >>> pain_flags_note(flags)
    '**0 flags in 0 sessions in the log.**'
    """
    # one flag is one exercise, or one whole session
    head = _("{flags} flags in {sessions} sessions in the log.").format(
        flags=len(flags), sessions=flags["session_id"].nunique()
    )
    lines = [
        f"- {day_text(day, weekday=True)}: {message}"
        for day, message in zip(flags["day"], flags["message"], strict=True)
    ]
    if not lines:
        return f"**{head}**"
    the_latest = _("The latest:")
    return f"**{head}** {the_latest}\n\n" + "\n".join(lines[-latest:])


def no_checkins_yet() -> str:
    """Said above the check-ins chart when it shows sample check-ins.

    Examples
    --------
    >>> no_checkins_yet().startswith("No check-ins yet")
    True
    """
    return _("No check-ins yet, so the chart shows SAMPLE DATA (a made-up person), not yours.")


# --------------------------------------------------------------------------
# 30 Clinician review and 35 caseload


def plan_saved(path: str | PathLike[str], name: str) -> str:
    """Where the next plan was saved, and its name (two lines).

    Examples
    --------
    >>> print(plan_saved("plans/next.yaml", "Weeks 3-4"))
    Saved the next plan: plans/next.yaml
    Its name: Weeks 3-4
    """
    return (
        _("Saved the next plan: {path}").format(path=path)
        + "\n"
        + _("Its name: {name}").format(name=name)
    )


def wrote(path: str | PathLike[str]) -> str:
    """Said for each file an export wrote.

    Examples
    --------
    >>> wrote("exports/patient-a-review.xlsx")
    'wrote exports/patient-a-review.xlsx'
    """
    return _("wrote {file}").format(file=path)


def sample_patients() -> str:
    """Said when the caseload shows the made-up sample patients.

    Examples
    --------
    >>> sample_patients()
    'SAMPLE DATA: made-up patients, not real people'
    """
    return _("SAMPLE DATA: made-up patients, not real people")


def caseload_count(view: Any) -> str:
    """How many patients a caseload view holds, on which day, and how many files it skipped.

    Parameters
    ----------
    view : backkit.caseload.Caseload
        The view (:func:`backkit.caseload.load_caseload`): its ``patients``,
        ``as_of`` and ``skipped``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> caseload_count(SimpleNamespace(patients=[1, 2], as_of="2025-05-11", skipped=[]))
    '2 patients on 2025-05-11; 0 files skipped'
    """
    return _("{patients} patients on {day}; {skipped} files skipped").format(
        patients=len(view.patients), day=view.as_of, skipped=len(view.skipped)
    )


def skipped_file(line: str) -> str:
    """One file the caseload skipped, and why (``line`` as the view gives it).

    Examples
    --------
    >>> skipped_file("notes.txt: not a log")
    'skipped notes.txt: not a log'
    """
    return _("skipped {line}").format(line=line)


# --------------------------------------------------------------------------
# 40 Student lab


def lab_exercise_label(exercise: Any) -> str:
    """An exercise's name in the lab's dose table, marked when the article did not have it.

    Examples
    --------
    >>> from backkit.exercises import get_exercise
    >>> [lab_exercise_label(get_exercise(i)) for i in ("bridge", "standing-back-extension")]
    ['Bridge', 'Standing back extension (not from the article)']
    """
    if exercise.from_article:
        return str(exercise.name)
    return _("{name} (not from the article)").format(name=exercise.name)


def label_dose_chart(ax: Axes) -> Axes:
    """Title and label the lab's bar chart of time in the exercise and session length.

    The chart's two series are, in this order, the seconds in the exercise and
    the session's length; the legend names them.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> bars = ax.barh([0, 1], [1, 2], label="a"), ax.barh([0, 1], [2, 3], label="b")
    >>> label_dose_chart(ax).get_title()
    'Time in the exercise and session length at the default doses'
    >>> plt.close(fig)
    """
    ax.set_xlabel(_("seconds per session"))
    ax.set_title(_("Time in the exercise and session length at the default doses"))
    ax.legend([_("in exercise (s)"), _("session (s)")])
    return ax


def per_leg_total(seconds: float, days_per_week: int) -> str:
    """The hamstring stretches' total per leg per session and per week, with the default plan.

    Examples
    --------
    >>> for part in per_leg_total(180, 3).split("; "):
    ...     print(part)
    Total: 180 s per leg per session
    9 minutes per leg per week with the default plan (3 days a week).
    """
    return _(
        "Total: {seconds} s per leg per session; {minutes} minutes per leg per week "
        "with the default plan ({days} days a week)."
    ).format(
        seconds=number_text(seconds, 0),
        minutes=number_text(seconds * days_per_week / 60, 0),
        days=days_per_week,
    )


def corrections_count(corrections: int, exercises: int) -> str:
    """How many corrections to the article across how many exercises.

    Examples
    --------
    >>> corrections_count(12, 7)
    '12 corrections across 7 exercises.'
    """
    return _("{corrections} corrections across {exercises} exercises.").format(
        corrections=corrections, exercises=exercises
    )
