"""Plain-language sentences about a log: what :mod:`backkit.analysis` computed, in words.

Analysis computes, this module words it, :mod:`backkit.charts` draws it. Every
number in a sentence comes from an analysis or adherence function; nothing
here computes a clinical result of its own. The sentences say what was
observed in the log, not what caused it: back pain often improves on its own.

Two voices: to the person (``subject=None``: "You did ...") or about them, in
the third person, for a clinician (``subject="Patient A"``: "Patient A did
..."), with no "you" or "your" in it.

Examples
--------
>>> import backkit
>>> from backkit import narrative
>>> narrative.summary(backkit.log.empty_frame())
['No sessions logged yet: do a session and your summary will appear here.']
>>> narrative.summary(backkit.log.empty_frame(), subject="Patient A")
['No sessions logged yet for Patient A.']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import analysis
from .adherence import streaks
from .config import day_text

if TYPE_CHECKING:
    import pandas as pd

    from .plan import Plan

__all__ = ["MIN_SESSIONS", "describe_adherence", "headline", "summary"]

#: Fewest sessions with per-exercise ratings before :func:`summary` says anything
#: about an exercise: :data:`backkit.analysis.MIN_SESSIONS` (justified there).
MIN_SESSIONS = analysis.MIN_SESSIONS

#: Said once in every summary with pain scores (NHS: most back pain eases on its own).
NATURAL_COURSE = (
    "Back pain often improves on its own, so these figures describe what happened "
    "while exercising, not what the exercises caused."
)


@dataclass(frozen=True)
class _Voice:
    """Who the sentences are about: the reader ("you") or a named person."""

    subject: str | None

    @property
    def who(self) -> str:  # subject of a sentence
        return "You" if self.subject is None else self.subject

    @property
    def whose(self) -> str:  # possessive
        return "your" if self.subject is None else f"{self.subject}'s"

    @property
    def third(self) -> bool:
        return self.subject is not None


def _points(x: float) -> str:
    return f"{abs(x):.1f} point" + ("" if round(abs(x), 1) == 1.0 else "s")


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _empty(voice: _Voice) -> str:
    if voice.third:
        return f"No sessions logged yet for {voice.subject}."
    return "No sessions logged yet: do a session and your summary will appear here."


def summary(
    frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    subject: str | None = None,
    effects: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
    weekly: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[str]:
    """Plain-language sentences about the log, every number computed from it.

    Parameters
    ----------
    frame : DataFrame
        The session log.
    plan : Plan, optional
        With a plan, adherence is reported against it; without, as days
        exercised.
    subject : str, optional
        None speaks to the person ("You logged 12 sessions ..."); a name or
        pseudonym speaks about them in the third person ("Patient A logged 12
        sessions ..."), for a clinician's report.
    effects, flags, weekly : optional
        :func:`backkit.analysis.immediate_effect`,
        :func:`backkit.analysis.pain_flags` and
        :func:`backkit.analysis.weekly_adherence` of ``frame`` (and ``plan``)
        when the caller has them already: a report words them here and shows
        them elsewhere, and on a long log each takes seconds to work out.
        Worked out here when not given.

    Returns
    -------
    list of str
        Sentences (plain words for the person; the clinician's version keeps
        the technical terms: MIC, criteria, 95% CI): what was logged; the
        change in pain since the start, with the criteria of a meaningful
        change it meets
        (:func:`backkit.analysis.change_in_pain`); that back pain often
        improves on its own; a prompt to see a GP or physiotherapist (the
        region's words: :func:`backkit.safety.region_words`) when pain
        is not better after two weeks (:func:`backkit.analysis.needs_review`);
        adherence and streaks (:mod:`backkit.adherence`); what was observed
        before and after single exercises (the ``verdict`` of
        :func:`backkit.analysis.immediate_effect`, or "not enough data yet");
        and every kind of pain-monitoring flag.

    Examples
    --------
    >>> import backkit
    >>> from backkit import narrative
    >>> print(narrative.summary(backkit.sample_log())[1])  # doctest: +ELLIPSIS
    Your pain before exercise has fallen ... since you started ... a real improvement...
    >>> print(narrative.summary(backkit.sample_log(), subject="Patient A")[0])
    Patient A logged 72 sessions on 64 days between 17 Feb 2025 and 7 May 2025.
    >>> print(narrative.summary(backkit.sample_log(), subject="Patient A")[1])  # doctest: +ELLIPSIS
    Pain before exercise has fallen ..., a clinically meaningful improvement: ... (minimal ...
    """
    voice = _Voice(subject)
    if frame.empty:
        return [_empty(voice)]
    change = analysis.change_in_pain(frame)
    lines = [_logged(frame, voice), _pain_change(change, voice)]
    if change.status != "no data":
        lines.append(NATURAL_COURSE)
    if analysis.needs_review(frame):
        lines.append(_review(frame, voice))
    return [
        *lines,
        *_consistency(frame, plan, voice, weekly),
        _streaks(frame, plan),
        *_effects(frame, voice, effects),
        _monitoring(frame, voice, flags),
    ]


def headline(frame: pd.DataFrame, *, subject: str | None = None) -> str:
    """The key sentence of :func:`summary`: the change in pain (or that nothing is logged).

    Examples
    --------
    >>> import backkit
    >>> from backkit import narrative
    >>> narrative.headline(backkit.sample_log()) == narrative.summary(backkit.sample_log())[1]
    True
    """
    voice = _Voice(subject)
    if frame.empty:
        return _empty(voice)
    return _pain_change(analysis.change_in_pain(frame), voice)


def _logged(frame: pd.DataFrame, voice: _Voice) -> str:
    day = analysis.local_day(frame)
    return (
        f"{voice.who} logged {_plural(frame['session_id'].nunique(), 'session')} on "
        f"{_plural(day.nunique(), 'day')} between {day_text(day.min())} and {day_text(day.max())}."
    )


def _pain_change(change: analysis.PainChange, voice: _Voice) -> str:
    """The change in pain since the start, with the kit's verdict, in the voice's words.

    The numbers are shown with as many decimals as it takes for them to agree
    with the verdict (:func:`backkit.analysis.shown_change`): never "2.0
    points" beside "under 2 points".
    """
    points, percent = analysis.pain_mcid()
    if change.status == "no data":
        if voice.third:
            return "No pain scores recorded yet."
        return "No pain scores yet: record pain before and after to see your trend."
    if change.status == "first week":
        return (
            f"{'Your pain' if not voice.third else 'Pain'} before exercise averages "
            f"{change.baseline:.1f}/10 so far; after another week backkit compares it with "
            "this first week."
        )
    assert change.baseline is not None and change.latest is not None  # as the status says
    shown = analysis.shown_change(change.baseline, change.latest)
    pct = f" ({shown.percent_size})" if shown.percent_size else ""
    if voice.third:
        who, started = "Pain", f"{voice.subject} started"
        since = f"since {started} (from {shown.baseline} to {shown.latest}/10)"
        rule = (
            f"minimal important change, MIC: at least {points:g} points and at least "
            f"{percent:g}% of the baseline; here {shown.needed} points"
        )
    else:
        who, started = "Your pain", "you started"
        since = f"since you started (from {shown.baseline} to {shown.latest} out of 10)"
        rule = (
            f"at least {points:g} points that is also at least {percent:g}% of your starting "
            f"level (for you, {shown.needed} points)"
        )
    if float(shown.size) == 0:
        return f"{who} before exercise is about the same as when {started} ({shown.baseline}/10)."
    delta = change.change
    assert delta is not None  # every status but "no data" and "first week" has a change
    moved = "fallen" if delta < 0 else "risen"
    size = f"{shown.size} point" + ("" if float(shown.size) == 1 else "s")
    text = f"{who} before exercise has {moved} {size}{pct} {since}"
    if not voice.third:
        if change.status == "improved":
            return text + (
                f". That is big enough to count as a real improvement: backkit asks for a fall "
                f"of {rule}."
            )
        if change.status == "worse":
            return text + (
                f". backkit counts it as a real rise, because it is as large as the fall it "
                f"counts as a real improvement: {rule}."
            )
        return text + f". That is less than backkit counts as a real change: a change of {rule}."
    if change.status == "improved":
        return text + f", a clinically meaningful improvement: it meets both criteria ({rule})."
    if change.status == "worse":
        return text + (
            f": a meaningful worsening by the kit's own rule, which uses the size of a "
            f"meaningful fall ({rule})."
        )
    short = _short_of(change, shown)
    if delta < 0:
        return text + f"; {short}, so not a clinically meaningful change ({rule})."
    return text + f"; {short}, less than the kit counts as meaningful ({rule})."


def _short_of(change: analysis.PainChange, shown: analysis.ShownChange) -> str:
    """Which criterion of a meaningful change the latest change misses, as shown."""
    points, percent = analysis.pain_mcid()
    missed = []
    if not change.points_met:
        missed.append(f"under {points:g} points")
    if not change.percent_met:
        missed.append(f"under {percent:g}% of the baseline")
    return "it is " + " and ".join(missed) if missed else f"it is under the {shown.needed} needed"


def _review(frame: pd.DataFrame, voice: _Voice) -> str:
    day = analysis.local_day(frame)
    weeks = ((day.max() - day.min()).days + 1) // 7
    from . import safety

    who = "your" if not voice.third else f"{voice.subject}'s"
    review = safety.region_words()["review"]  # who to see differs by country
    advice = (
        f"consider seeing {review}" if not voice.third else f"a review with {review} is advised"
    )
    return (
        f"After {_plural(weeks, 'week')} of logging, {who} pain is not meaningfully better: "
        f"{advice} (NHS inform: see one when back pain is not getting better after 2 weeks)."
    )


def _consistency(
    frame: pd.DataFrame,
    plan: Plan | None,
    voice: _Voice,
    weekly: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[str]:
    import pandas as pd

    if plan is not None:
        return _adherence_sentences(frame, plan, voice, weekly)
    day = analysis.local_day(frame)
    first, last = day.min(), day.max()
    span = (last - first).days + 1
    done_days = pd.Series(1, index=pd.DatetimeIndex(day.unique())).sort_index()
    if span >= 56:
        first28 = int((done_days.index < first + pd.Timedelta(days=28)).sum())
        last28 = int((done_days.index > last - pd.Timedelta(days=28)).sum())
        return [
            f"{voice.who} exercised on {first28} of the first 28 days and on {last28} of the "
            f"last 28 (to {day_text(last)})."
        ]
    return [f"{voice.who} exercised on {day.nunique()} of {span} days."]


def _adherence_sentences(
    frame: pd.DataFrame,
    plan: Plan,
    voice: _Voice,
    weekly: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[str]:
    _, table = weekly if weekly is not None else analysis.weekly_adherence(frame, plan)
    table = table[table["prescribed"] > 0]
    if table.empty:
        return [f"The plan {plan.name!r} prescribed nothing in the weeks logged."]

    def share(rows: pd.DataFrame) -> float:
        return float((rows["percent"] * rows["prescribed"]).sum() / rows["prescribed"].sum())

    text = (
        f"{voice.who} did {share(table):.0f}% of the exercise sessions the plan prescribed "
        f"({table['credit'].sum():.0f} of {table['prescribed'].sum():.0f})"
    )
    if len(table) >= 8:
        text += (
            f": {share(table.iloc[:4]):.0f}% in the first four weeks, "
            f"{share(table.iloc[-4:]):.0f}% in the last four"
        )
    return [
        text + ". Adherence here is sessions done out of sessions prescribed, a common "
        "measure (there is no validated one)."
    ]


def _streaks(frame: pd.DataFrame, plan: Plan | None) -> str:
    last = analysis.local_day(frame).max()
    st = streaks(frame)
    text = (
        f"Longest streak: {_days(st.longest)} in a row with a session; current streak: "
        f"{_days(st.current)} (to {day_text(last)})"
    )
    if plan is not None:
        whole = streaks(frame, plan)
        text += f"; longest run of days doing the whole plan: {_days(whole.longest)}"
    return text + "."


def _name(ex_id: str) -> str:
    from .exercises import exercise_ids, get_exercise

    return get_exercise(ex_id).name if ex_id in set(exercise_ids()) else ex_id


def _effects(frame: pd.DataFrame, voice: _Voice, effect: pd.DataFrame | None = None) -> list[str]:
    """What was observed before and after single exercises, from per-exercise ratings only."""
    if effect is None:
        effect = analysis.immediate_effect(frame)
    if effect.empty:
        how = (
            "rate pain before and after each exercise to see this"
            if not voice.third
            else "pain was not rated before and after single exercises"
        )
        return [f"Not enough data yet to compare pain before and after single exercises: {how}."]
    out = []
    for verdict in ("lower", "higher"):
        rows = effect[effect["verdict"] == verdict].sort_values(
            "change", ascending=verdict == "lower"
        )
        if rows.empty:
            continue
        parts = []
        for ex_id, row in rows.iterrows():
            low, high = sorted((abs(row["ci_low"]), abs(row["ci_high"])))
            counted = f"{_plural(int(row['n']), 'session')} in {_plural(int(row['weeks']), 'week')}"
            interval = (
                f"95% CI {low:.1f} to {high:.1f}"
                if voice.third
                else f"the range that fits your data: {low:.1f} to {high:.1f}"
            )
            parts.append(f"{_name(ex_id)} by {_points(row['change'])} ({counted}, {interval})")
        out.append(
            f"Pain was {verdict} straight after the exercise than before it, on average, "
            f"for {'; '.join(parts)}."
        )
    if out:
        points, _ = analysis.pain_mcid()
        out.append(
            "These are averages over many sessions, not the change in any one session; "
            f"for comparison, backkit counts a change in pain over the weeks as meaningful "
            f"only from {points:g} points. "
            + (
                "Each interval counts a week as one unit, because sessions on nearby days "
                "are not independent; even so it is a guide, not a precise measurement."
                if voice.third
                else "Sessions close together tend to go up and down together, so take the "
                "ranges as a rough guide."
            )
        )
    for ex_id, row in effect[effect["verdict"] == "identical"].iterrows():
        change = row["change"]
        what = (
            "the same before and after"
            if change == 0
            else f"{_points(change)} {'lower' if change < 0 else 'higher'} after it than before"
        )
        out.append(
            f"Pain was {what} {_name(ex_id)} in every one of its {row['n']:.0f} sessions: "
            "identical each time, so no " + ("interval" if voice.third else "range") + " is given."
        )
    unclear = [_name(i) for i in effect.index[effect["verdict"] == "unclear"]]
    if unclear:
        out.append("No clear difference between pain before and after: " + ", ".join(unclear) + ".")
    few = effect[effect["verdict"] == "too few"]
    if not few.empty:
        counts = ", ".join(
            f"{_name(i)} {int(r['n'])} in {_plural(int(r['weeks']), 'week')}"
            for i, r in few.iterrows()
        )
        out.append(
            "Not enough data yet for "
            + ("this exercise" if len(few) == 1 else "these exercises")
            + f" (it takes per-exercise pain ratings from {MIN_SESSIONS} sessions in at "
            f"least {analysis.MIN_WEEKS} different weeks; sessions so far: {counts})."
        )
    return out


def _monitoring(frame: pd.DataFrame, voice: _Voice, flags: pd.DataFrame | None = None) -> str:
    """The pain-monitoring flags in one sentence, counted in sessions (one rule: safety)."""
    from . import safety

    if flags is None:
        flags = analysis.pain_flags(frame)
    limit, rise = safety.max_pain(), safety.max_rise()
    if voice.third:
        guide = (
            f"(the kit's one pain rule: over the limit means {safety.limit_words()}; a rise "
            f"of {rise}+ points within it, or a session starting {rise}+ points higher than "
            "the one before, means do less next time)"
        )
    else:
        guide = (
            f"(backkit's guide: pain may go up to {limit}/10 while you exercise, or "
            f"{_plural(rise - 1, 'point')} above where it started if that was already "
            f"{limit}/10 or more; a rise of {rise} or more points means do less next time)"
        )
    rated = any(
        analysis_column in frame and frame[analysis_column].notna().any()
        for analysis_column in ("pain_after", "session_pain_after", "pain_before")
    )
    if flags.empty:
        if not rated:
            return "No pain scores yet to check against the pain-monitoring limits."
        return (
            f"Pain monitoring {guide}: pain stayed within the limit after every rated "
            f"exercise and session, never rose by {rise}+ points during one, and no session "
            f"started {rise}+ points higher than the one before."
        )
    bits = []
    more = f"{rise}+" if voice.third else f"{rise} or more"
    kinds = {
        "above-limit": "pain went above the limit during an exercise or session in {n}",
        "rose-during": f"pain rose by {more} points within the limit during an exercise or "
        "session in {n}",
        "higher-next-session": f"{{n}} started {more} points higher than the one before",
    }
    for kind, text in kinds.items():
        rows = flags[flags["kind"] == kind]
        if not rows.empty:
            n = _plural(rows["session_id"].nunique(), "session")
            bits.append(text.format(n=n) + f" (latest {day_text(rows['day'].max())})")
    review = safety.region_words()["review"]  # who to see differs by country
    advice = (
        f"Do less next time when this happens, and see {review} if it keeps happening."
        if not voice.third
        else f"The advice given is to do less next time, and to see {review} if it keeps happening."
    )
    return f"Pain monitoring {guide}: " + "; ".join(bits) + ". " + advice


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
