"""Plain-language sentences about a log: what :mod:`backkit.analysis` computed, in words.

Analysis computes, this module words it, :mod:`backkit.charts` draws it. Every
number in a sentence comes from an analysis or adherence function; nothing
here computes a clinical result of its own.

Examples
--------
>>> import backkit
>>> from backkit import narrative
>>> narrative.summary(backkit.log.empty_frame())
['No sessions logged yet: do a session and your summary will appear here.']
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import analysis
from .adherence import streaks

if TYPE_CHECKING:
    import pandas as pd

    from .plan import Plan

__all__ = ["MIN_BOUTS_FOR_EFFECT", "describe_adherence", "headline", "summary"]

#: Fewest bouts of an exercise before :func:`summary` says it eases or raises pain.
MIN_BOUTS_FOR_EFFECT = 6

_EMPTY = "No sessions logged yet: do a session and your summary will appear here."


def _points(x: float) -> str:
    return f"{abs(x):.1f} point" + ("" if round(abs(x), 1) == 1.0 else "s")


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def _date(ts: Any) -> str:
    return f"{ts:%-d %b %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def summary(frame: pd.DataFrame, plan: Plan | None = None) -> list[str]:
    """Plain-language sentences about the log, every number computed from it.

    Parameters
    ----------
    frame : DataFrame
        The session log.
    plan : Plan, optional
        With a plan, adherence is reported against it; without, as days
        exercised.

    Returns
    -------
    list of str
        Sentences: what was logged, the change in pain (and whether it is
        clinically meaningful, :func:`backkit.analysis.pain_change_by_week`),
        consistency and streaks (from :mod:`backkit.adherence`), which
        exercises ease or raise pain (the ``verdict`` of
        :func:`backkit.analysis.immediate_effect`, once an exercise has
        :data:`MIN_BOUTS_FOR_EFFECT` bouts), and pain-monitoring flags.

    Examples
    --------
    >>> import backkit
    >>> from backkit import narrative
    >>> print(narrative.summary(backkit.sample_log())[1])  # doctest: +ELLIPSIS
    Pain before exercise has fallen ... since you started ..., a clinically meaningful change.
    """
    if frame.empty:
        return [_EMPTY]
    return [
        _logged(frame),
        _pain_change(frame),
        *_consistency(frame, plan),
        _streaks(frame, plan),
        *_effects(frame),
        _monitoring(frame),
    ]


def headline(frame: pd.DataFrame) -> str:
    """The key sentence of :func:`summary`: the change in pain (or that nothing is logged).

    Examples
    --------
    >>> import backkit
    >>> from backkit import narrative
    >>> narrative.headline(backkit.sample_log()) == narrative.summary(backkit.sample_log())[1]
    True
    """
    return _EMPTY if frame.empty else _pain_change(frame)


def _logged(frame: pd.DataFrame) -> str:
    day = analysis.local_day(frame)
    return (
        f"You logged {_plural(frame['session_id'].nunique(), 'session')} on "
        f"{_plural(day.nunique(), 'day')} between {_date(day.min())} and {_date(day.max())}."
    )


def _pain_change(frame: pd.DataFrame) -> str:
    change = analysis.pain_change_by_week(frame)
    base = change.attrs["baseline"]
    points, percent = analysis.pain_mcid()
    if change.empty or math.isnan(base):
        return "No pain scores yet: record pain before and after to see your trend."
    if len(change) < 2:
        return (
            f"Pain before exercise averages {base:.1f}/10 so far; after another week "
            "backkit compares it with this first week."
        )
    latest = change.iloc[-1]
    delta, pct = latest["change"], latest["change_pct"]
    pct_text = f" ({abs(pct):.0f}%)" if not math.isnan(pct) else ""
    since = f"since you started (from {base:.1f} to {latest['pain']:.1f}/10)"
    if delta < 0:
        text = f"Pain before exercise has fallen {_points(delta)}{pct_text} {since}"
        if latest["mcid"]:
            return text + ", a clinically meaningful change."
        return text + (
            f"; a clinically meaningful change is a fall of {points:.0f} points or {percent:.0f}%."
        )
    if delta > 0:
        return f"Pain before exercise has risen {_points(delta)}{pct_text} {since}."
    return f"Pain before exercise is the same as when you started ({base:.1f}/10)."


def _consistency(frame: pd.DataFrame, plan: Plan | None) -> list[str]:
    import pandas as pd

    if plan is not None:
        return _adherence_sentences(frame, plan)
    day = analysis.local_day(frame)
    first, last = day.min(), day.max()
    span = (last - first).days + 1
    done_days = pd.Series(1, index=pd.DatetimeIndex(day.unique())).sort_index()
    if span >= 56:
        first28 = int((done_days.index < first + pd.Timedelta(days=28)).sum())
        last28 = int((done_days.index > last - pd.Timedelta(days=28)).sum())
        return [
            f"You exercised on {first28} of your first 28 days and on {last28} of the "
            f"last 28 (to {_date(last)})."
        ]
    return [f"You exercised on {day.nunique()} of {span} days."]


def _adherence_sentences(frame: pd.DataFrame, plan: Plan) -> list[str]:
    _, table = analysis.weekly_adherence(frame, plan)
    table = table[table["prescribed"] > 0]
    if table.empty:
        return [f"The plan {plan.name!r} prescribed nothing in the weeks logged."]

    def share(rows: pd.DataFrame) -> float:
        return float((rows["percent"] * rows["prescribed"]).sum() / rows["prescribed"].sum())

    text = (
        f"You did {share(table):.0f}% of the exercise sessions your plan prescribed "
        f"({table['credit'].sum():.0f} of {table['prescribed'].sum():.0f})"
    )
    if len(table) >= 8:
        text += (
            f": {share(table.iloc[:4]):.0f}% in the first four weeks, "
            f"{share(table.iloc[-4:]):.0f}% in the last four"
        )
    return [text + "."]


def _streaks(frame: pd.DataFrame, plan: Plan | None) -> str:
    last = analysis.local_day(frame).max()
    st = streaks(frame)
    text = (
        f"Longest streak: {_days(st.longest)} in a row with a session; current streak: "
        f"{_days(st.current)} (to {_date(last)})"
    )
    if plan is not None:
        whole = streaks(frame, plan)
        text += f"; longest run of days doing the whole plan: {_days(whole.longest)}"
    return text + "."


def _effects(frame: pd.DataFrame) -> list[str]:
    from .exercises import exercise_ids, get_exercise

    effect = analysis.immediate_effect(frame)
    known = set(exercise_ids())
    # Left and right bouts of one sitting are not independent: claim an effect
    # only once there are enough bouts for the interval to mean something.
    effect = effect[effect["n"] >= MIN_BOUTS_FOR_EFFECT]
    out = []
    eases = effect[effect["verdict"] == "eases"].sort_values("change")
    if not eases.empty:
        ex_id, row = eases.index[0], eases.iloc[0]
        name = get_exercise(ex_id).name if ex_id in known else ex_id
        out.append(
            f"{name} eased pain the most: by {_points(row['change'])} on average straight "
            f"after (95% CI {-row['ci_high']:.1f} to {-row['ci_low']:.1f}, "
            f"{row['n']:.0f} bouts)."
        )
    for ex_id, row in effect[effect["verdict"] == "raises"].iterrows():
        ex = get_exercise(ex_id) if ex_id in known else None
        name = ex.name if ex else ex_id
        easier = (
            f" Try the easier version ({ex.regression.name.lower()}) or ask your physiotherapist."
            if ex
            else ""
        )
        out.append(
            f"{name} raised pain by {_points(row['change'])} on average straight after "
            f"(95% CI {row['ci_low']:.1f} to {row['ci_high']:.1f}, "
            f"{row['n']:.0f} bouts).{easier}"
        )
    return out


def _monitoring(frame: pd.DataFrame) -> str:
    from . import safety

    flags = analysis.pain_flags(frame)
    limit, rise = safety.max_pain(), safety.max_rise()
    above = flags[flags["kind"] == "above-limit"]
    higher = flags[flags["kind"] == "higher-next-session"]
    if above.empty and higher.empty:
        return (
            f"Pain stayed within the {limit}/10 limit after every exercise and never started a "
            f"session {rise}+ points higher than the session before."
        )
    bits = []
    if not above.empty:
        n = above["session_id"].nunique()
        bits.append(
            f"pain went above {limit}/10 after exercise in {_plural(n, 'session')} "
            f"(latest {_date(above['day'].max())})"
        )
    if not higher.empty:
        bits.append(
            f"{_plural(len(higher), 'session')} started {rise}+ points higher than the one "
            f"before (latest {_date(higher['day'].max())})"
        )
    return (
        "Pain monitoring: " + "; ".join(bits) + ". Reduce the load when this happens, "
        "and see the safety notes if it keeps happening."
    )


def describe_adherence(table: pd.DataFrame) -> str:
    """Summarise an :func:`backkit.adherence.adherence` table in one or two plain sentences.

    Examples
    --------
    >>> from backkit.adherence import adherence
    >>> from backkit.log import empty_frame
    >>> from backkit.narrative import describe_adherence
    >>> from backkit.plan import Plan
    >>> plan = Plan("Bridges", items=["bridge"], days_per_week=7, start="2024-05-06")
    >>> print(describe_adherence(adherence(empty_frame(tz="UTC"), plan, end="2024-05-12")))
    ... # doctest: +NORMALIZE_WHITESPACE
    From 2024-05-06 to 2024-05-12, 0% of the prescribed sessions were done
    (0 of 7 in full, 0 in part). Days in a row doing the whole plan: current 0, longest 0.
    """
    a = table.attrs
    span = f"From {a.get('start')} to {a.get('end')}"
    done = int(table["done"].sum())
    partial = int(table["partial"].sum())
    streak = (
        f" Days in a row doing the whole plan: current {a.get('current_streak', 0)}, "
        f"longest {a.get('longest_streak', 0)}."
    )
    if a.get("overall") is None and table["prescribed"].isna().all():
        sessions = int(table["sessions"].sum())
        return (
            f"{span}, {done + partial} exercise sessions were logged across {sessions} "
            f"sittings ({done} in full, {partial} in part).{streak}"
        )
    prescribed = float(table["prescribed"].sum())
    overall = a.get("overall") or 0.0
    return (
        f"{span}, {overall:.0%} of the prescribed sessions were done ({done} of "
        f"{prescribed:g} in full, {partial} in part).{streak}"
    )
