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
from .config import day_text, decimal_text
from .i18n import N_, ngettext
from .i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

    from .plan import Plan

__all__ = ["MIN_SESSIONS", "describe_adherence", "headline", "summary"]

#: Fewest sessions with per-exercise ratings before :func:`summary` says anything
#: about an exercise: :data:`backkit.analysis.MIN_SESSIONS` (justified there).
MIN_SESSIONS = analysis.MIN_SESSIONS

#: Said once in every summary with pain scores (NHS: most back pain eases on its own).
#: (English; shown through :func:`backkit.i18n.gettext`.)
NATURAL_COURSE = N_(
    "Back pain often improves on its own, so these figures describe what happened "
    "while exercising, not what the exercises caused."
)


@dataclass(frozen=True)
class _Voice:
    """Who the sentences are about: the reader ("you") or a named person."""

    subject: str | None

    @property
    def third(self) -> bool:
        return self.subject is not None

    def say(self, yours: str, theirs: str, **values: object) -> str:
        """The sentence in this voice (both templates marked ``N_``), filled in."""
        return _(theirs if self.third else yours).format(subject=self.subject, **values)


# Counted words, each a whole phrase for the translator (Portuguese agrees too).
def _points(x: float) -> str:
    return _point_count(f"{abs(x):.1f}")


def _point_count(shown: str) -> str:
    """``shown`` (a number as shown) points: "1.0 point", as English says it, "1.5 points"."""
    one = float(shown) == 1
    return ngettext("{points} point", "{points} points", 1 if one else 2).format(
        points=decimal_text(shown)
    )


def _days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=n)


def _sessions(n: int) -> str:
    return ngettext("{n} session", "{n} sessions", n).format(n=n)


def _weeks(n: int) -> str:
    return ngettext("{n} week", "{n} weeks", n).format(n=n)


def _empty(voice: _Voice) -> str:
    return voice.say(
        N_("No sessions logged yet: do a session and your summary will appear here."),
        N_("No sessions logged yet for {subject}."),
    )


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
        lines.append(_(NATURAL_COURSE))
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
    return voice.say(
        N_("You logged {sessions} on {days} between {first} and {last}."),
        N_("{subject} logged {sessions} on {days} between {first} and {last}."),
        sessions=_sessions(frame["session_id"].nunique()),
        days=_days(day.nunique()),
        first=day_text(day.min()),
        last=day_text(day.max()),
    )


# The change in pain, one whole sentence per voice, direction and verdict
# (``improved`` is always a fall and ``worse`` a rise: analysis.change_status).
_CHANGE = {
    ("improved", "fallen"): (
        # Translators: {relative} is "" or " (40%)"; {rule}: what counts as meaningful.
        N_(
            "Your pain before exercise has fallen {size}{relative} since you started (from "
            "{baseline} to {latest} out of 10). That is big enough to count as a real "
            "improvement: backkit asks for a fall of {rule}."
        ),
        # Translators: {relative} is "" or " (40%)"; {rule}: what counts as meaningful.
        N_(
            "Pain before exercise has fallen {size}{relative} since {subject} started (from "
            "{baseline} to {latest}/10), a clinically meaningful improvement: it meets both "
            "criteria ({rule})."
        ),
    ),
    ("worse", "risen"): (
        # Translators: {relative} is "" or " (40%)"; {rule}: what counts as meaningful.
        N_(
            "Your pain before exercise has risen {size}{relative} since you started (from "
            "{baseline} to {latest} out of 10). backkit counts it as a real rise, because it "
            "is as large as the fall it counts as a real improvement: {rule}."
        ),
        # Translators: {relative} is "" or " (40%)"; {rule}: what counts as meaningful.
        N_(
            "Pain before exercise has risen {size}{relative} since {subject} started (from "
            "{baseline} to {latest}/10): a meaningful worsening by the kit's own rule, which "
            "uses the size of a meaningful fall ({rule})."
        ),
    ),
    ("no meaningful change", "fallen"): (
        # Translators: {relative} is "" or " (40%)"; {rule}: what counts as meaningful.
        N_(
            "Your pain before exercise has fallen {size}{relative} since you started (from "
            "{baseline} to {latest} out of 10). That is less than backkit counts as a real "
            "change: a change of {rule}."
        ),
        # Translators: {relative} is "" or " (40%)"; {rule}: what counts as meaningful.
        N_(
            "Pain before exercise has fallen {size}{relative} since {subject} started (from "
            "{baseline} to {latest}/10); {short}, so not a clinically meaningful change ({rule})."
        ),
    ),
    ("no meaningful change", "risen"): (
        # Translators: {relative} is "" or " (40%)"; {rule}: what counts as meaningful.
        N_(
            "Your pain before exercise has risen {size}{relative} since you started (from "
            "{baseline} to {latest} out of 10). That is less than backkit counts as a real "
            "change: a change of {rule}."
        ),
        # Translators: {relative} is "" or " (40%)"; {rule}: what counts as meaningful.
        N_(
            "Pain before exercise has risen {size}{relative} since {subject} started (from "
            "{baseline} to {latest}/10); {short}, less than the kit counts as meaningful ({rule})."
        ),
    ),
}


def _pain_change(change: analysis.PainChange, voice: _Voice) -> str:
    """The change in pain since the start, with the kit's verdict, in the voice's words.

    The numbers are shown with as many decimals as it takes for them to agree
    with the verdict (:func:`backkit.analysis.shown_change`): never "2.0
    points" beside "under 2 points".
    """
    points, percent = analysis.pain_mcid()
    if change.status == "no data":
        return voice.say(
            N_("No pain scores yet: record pain before and after to see your trend."),
            N_("No pain scores recorded yet."),
        )
    if change.status == "first week":
        return voice.say(
            N_(
                "Your pain before exercise averages {baseline}/10 so far; after another week "
                "backkit compares it with this first week."
            ),
            N_(
                "Pain before exercise averages {baseline}/10 so far; after another week "
                "backkit compares it with this first week."
            ),
            baseline=decimal_text(f"{change.baseline:.1f}"),
        )
    assert change.baseline is not None and change.latest is not None  # as the status says
    shown = analysis.shown_change(change.baseline, change.latest)
    if float(shown.size) == 0:
        return voice.say(
            N_("Your pain before exercise is about the same as when you started ({baseline}/10)."),
            N_("Pain before exercise is about the same as when {subject} started ({baseline}/10)."),
            baseline=decimal_text(shown.baseline),
        )
    rule = voice.say(
        N_(
            "at least {points} points that is also at least {percent} of your starting "
            "level (for you, {needed} points)"
        ),
        N_(
            "minimal important change, MIC: at least {points} points and at least "
            "{percent} of the baseline; here {needed} points"
        ),
        points=decimal_text(f"{points:g}"),
        percent=f"{percent:g}%",
        needed=decimal_text(shown.needed),
    )
    delta = change.change
    assert delta is not None  # every status but "no data" and "first week" has a change
    moved = "fallen" if delta < 0 else "risen"
    yours, theirs = _CHANGE[change.status, moved]
    return voice.say(
        yours,
        theirs,
        size=_point_count(shown.size),
        relative=f" ({decimal_text(shown.percent_size)})" if shown.percent_size else "",
        baseline=decimal_text(shown.baseline),
        latest=decimal_text(shown.latest),
        rule=rule,
        short=_short_of(change, shown) if voice.third else "",
    )


def _short_of(change: analysis.PainChange, shown: analysis.ShownChange) -> str:
    """Which criterion of a meaningful change the latest change misses, as shown."""
    points, percent = analysis.pain_mcid()
    values = {"points": decimal_text(f"{points:g}"), "percent": f"{percent:g}%"}
    if not change.points_met and not change.percent_met:
        return _("it is under {points} points and under {percent} of the baseline").format(**values)
    if not change.points_met:
        return _("it is under {points} points").format(**values)
    if not change.percent_met:
        return _("it is under {percent} of the baseline").format(**values)
    return _("it is under the {needed} needed").format(needed=decimal_text(shown.needed))


def _review(frame: pd.DataFrame, voice: _Voice) -> str:
    day = analysis.local_day(frame)
    weeks = ((day.max() - day.min()).days + 1) // 7
    from . import safety

    return voice.say(
        N_(
            "After {weeks} of logging, your pain is not meaningfully better: consider seeing "
            "{review} (NHS inform: see one when back pain is not getting better after 2 weeks)."
        ),
        N_(
            "After {weeks} of logging, {subject}'s pain is not meaningfully better: a review "
            "with {review} is advised (NHS inform: see one when back pain is not getting "
            "better after 2 weeks)."
        ),
        weeks=_weeks(weeks),
        review=safety.region_words()["review"],  # who to see differs by country
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
            voice.say(
                N_(
                    "You exercised on {first28} of the first 28 days and on {last28} of the "
                    "last 28 (to {day})."
                ),
                N_(
                    "{subject} exercised on {first28} of the first 28 days and on {last28} of "
                    "the last 28 (to {day})."
                ),
                first28=first28,
                last28=last28,
                day=day_text(last),
            )
        ]
    return [
        voice.say(
            N_("You exercised on {done} of {span} days."),
            N_("{subject} exercised on {done} of {span} days."),
            done=day.nunique(),
            span=span,
        )
    ]


def _adherence_sentences(
    frame: pd.DataFrame,
    plan: Plan,
    voice: _Voice,
    weekly: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[str]:
    table = (weekly if weekly is not None else analysis.weekly_adherence(frame, plan))[1]
    table = table[table["prescribed"] > 0]
    if table.empty:
        # Translators: {plan} is the plan's name in quotes.
        return [_("The plan {plan} prescribed nothing in the weeks logged.").format(
            plan=repr(plan.name)
        )]  # fmt: skip

    def share(rows: pd.DataFrame) -> str:
        done = float((rows["percent"] * rows["prescribed"]).sum() / rows["prescribed"].sum())
        return f"{done:.0f}%"

    values = {
        "share": share(table),
        "credit": f"{table['credit'].sum():.0f}",
        "prescribed": f"{table['prescribed'].sum():.0f}",
    }
    if len(table) >= 8:
        text = voice.say(
            N_(
                "You did {share} of the exercise sessions the plan prescribed ({credit} of "
                "{prescribed}): {first} in the first four weeks, {last} in the last four."
            ),
            N_(
                "{subject} did {share} of the exercise sessions the plan prescribed ({credit} "
                "of {prescribed}): {first} in the first four weeks, {last} in the last four."
            ),
            first=share(table.iloc[:4]),
            last=share(table.iloc[-4:]),
            **values,
        )
    else:
        text = voice.say(
            N_(
                "You did {share} of the exercise sessions the plan prescribed ({credit} of "
                "{prescribed})."
            ),
            N_(
                "{subject} did {share} of the exercise sessions the plan prescribed ({credit} "
                "of {prescribed})."
            ),
            **values,
        )
    measure = _(
        "Adherence here is sessions done out of sessions prescribed, a common measure (there "
        "is no validated one)."
    )
    return [f"{text} {measure}"]


def _streaks(frame: pd.DataFrame, plan: Plan | None) -> str:
    last = analysis.local_day(frame).max()
    st = streaks(frame)
    values = {"longest": _days(st.longest), "current": _days(st.current), "day": day_text(last)}
    if plan is None:
        return _(
            "Longest streak: {longest} in a row with a session; current streak: {current} "
            "(to {day})."
        ).format(**values)
    whole = streaks(frame, plan)
    return _(
        "Longest streak: {longest} in a row with a session; current streak: {current} "
        "(to {day}); longest run of days doing the whole plan: {whole}."
    ).format(whole=_days(whole.longest), **values)


def _name(ex_id: str) -> str:
    from .exercises import exercise_ids, get_exercise

    return get_exercise(ex_id).name if ex_id in set(exercise_ids()) else ex_id


#: Pain before and after one exercise, by verdict (the verdicts are analysis's keys).
_VERDICT = {
    "lower": N_("Pain was lower straight after the exercise than before it, on average, for "
                "{exercises}."),
    "higher": N_("Pain was higher straight after the exercise than before it, on average, for "
                 "{exercises}."),
}  # fmt: skip

#: The same pain before and after every session of an exercise: (you, them) by direction.
_IDENTICAL = {
    "same": (
        N_("Pain was the same before and after {exercise} in every one of its {n} sessions: "
           "identical each time, so no range is given."),
        N_("Pain was the same before and after {exercise} in every one of its {n} sessions: "
           "identical each time, so no interval is given."),
    ),
    "lower": (
        N_("Pain was {points} lower after it than before {exercise} in every one of its {n} "
           "sessions: identical each time, so no range is given."),
        N_("Pain was {points} lower after it than before {exercise} in every one of its {n} "
           "sessions: identical each time, so no interval is given."),
    ),
    "higher": (
        N_("Pain was {points} higher after it than before {exercise} in every one of its {n} "
           "sessions: identical each time, so no range is given."),
        N_("Pain was {points} higher after it than before {exercise} in every one of its {n} "
           "sessions: identical each time, so no interval is given."),
    ),
}  # fmt: skip


def _effects(frame: pd.DataFrame, voice: _Voice, effect: pd.DataFrame | None = None) -> list[str]:
    """What was observed before and after single exercises, from per-exercise ratings only."""
    if effect is None:
        effect = analysis.immediate_effect(frame)
    if effect.empty:
        return [
            voice.say(
                N_(
                    "Not enough data yet to compare pain before and after single exercises: "
                    "rate pain before and after each exercise to see this."
                ),
                N_(
                    "Not enough data yet to compare pain before and after single exercises: "
                    "pain was not rated before and after single exercises."
                ),
            )
        ]
    out = _clear_effects(effect, voice)
    out += _identical_effects(effect, voice)
    unclear = [_name(i) for i in effect.index[effect["verdict"] == "unclear"]]
    if unclear:
        out.append(
            _("No clear difference between pain before and after: {exercises}.").format(
                exercises=", ".join(unclear)
            )
        )
    out += _too_few_effects(effect)
    return out


def _clear_effects(effect: pd.DataFrame, voice: _Voice) -> list[str]:
    """The sentences on clearly lower or higher pain after exercises, and their caveat."""
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
            interval = voice.say(
                N_("the range that fits your data: {low} to {high}"),
                N_("95% CI {low} to {high}"),
                low=decimal_text(f"{low:.1f}"),
                high=decimal_text(f"{high:.1f}"),
            )
            parts.append(
                _("{exercise} by {points} ({sessions} in {weeks}, {interval})").format(
                    exercise=_name(ex_id),
                    points=_points(row["change"]),
                    sessions=_sessions(int(row["n"])),
                    weeks=_weeks(int(row["weeks"])),
                    interval=interval,
                )
            )
        out.append(_(_VERDICT[verdict]).format(exercises="; ".join(parts)))
    if out:
        points, _unused = analysis.pain_mcid()
        averages = _(
            "These are averages over many sessions, not the change in any one session; for "
            "comparison, backkit counts a change in pain over the weeks as meaningful only "
            "from {points} points."
        ).format(points=decimal_text(f"{points:g}"))
        caution = voice.say(
            N_(
                "Sessions close together tend to go up and down together, so take the ranges "
                "as a rough guide."
            ),
            N_(
                "Each interval counts a week as one unit, because sessions on nearby days are "
                "not independent; even so it is a guide, not a precise measurement."
            ),
        )
        out.append(f"{averages} {caution}")
    return out


def _identical_effects(effect: pd.DataFrame, voice: _Voice) -> list[str]:
    """The sentences on exercises whose change in pain was the same every session."""
    out = []
    for ex_id, row in effect[effect["verdict"] == "identical"].iterrows():
        change = row["change"]
        direction = "same" if change == 0 else "lower" if change < 0 else "higher"
        yours, theirs = _IDENTICAL[direction]
        out.append(
            voice.say(
                yours,
                theirs,
                exercise=_name(ex_id),
                n=f"{row['n']:.0f}",
                points=_points(change) if change != 0 else "",
            )
        )
    return out


def _too_few_effects(effect: pd.DataFrame) -> list[str]:
    """The sentence on exercises without enough ratings yet, or no sentence."""
    few = effect[effect["verdict"] == "too few"]
    if few.empty:
        return []
    counts = ", ".join(
        _("{exercise} {n} in {weeks}").format(
            exercise=_name(i), n=int(r["n"]), weeks=_weeks(int(r["weeks"]))
        )
        for i, r in few.iterrows()
    )
    return [
        ngettext(
            "Not enough data yet for this exercise (it takes per-exercise pain ratings from "
            "{sessions} sessions in at least {weeks} different weeks; sessions so far: "
            "{counts}).",
            "Not enough data yet for these exercises (it takes per-exercise pain ratings "
            "from {sessions} sessions in at least {weeks} different weeks; sessions so far: "
            "{counts}).",
            len(few),
        ).format(sessions=MIN_SESSIONS, weeks=analysis.MIN_WEEKS, counts=counts)
    ]


#: Each kind of pain-monitoring flag (analysis's keys), counted in sessions: (you, them).
_FLAGS = {
    "above-limit": (
        (N_("pain went above the limit during an exercise or session in {sessions} "
            "(latest {day})"),) * 2
    ),
    "rose-during": (
        N_("pain rose by {rise} or more points within the limit during an exercise or "
           "session in {sessions} (latest {day})"),
        N_("pain rose by {rise}+ points within the limit during an exercise or session in "
           "{sessions} (latest {day})"),
    ),
}  # fmt: skip


def _monitoring(frame: pd.DataFrame, voice: _Voice, flags: pd.DataFrame | None = None) -> str:
    """The pain-monitoring flags in one sentence, counted in sessions (one rule: safety)."""
    from . import safety

    if flags is None:
        flags = analysis.pain_flags(frame)
    limit, rise = safety.max_pain(), safety.max_rise()
    guide = voice.say(
        N_(
            "(backkit's guide: pain may go up to {limit}/10 while you exercise, or {points} "
            "above where it started if that was already {limit}/10 or more; a rise of {rise} "
            "or more points means do less next time)"
        ),
        N_(
            "(the kit's one pain rule: over the limit means {limit_words}; a rise of {rise}+ "
            "points within it, or a session starting {rise}+ points higher than the one "
            "before, means do less next time)"
        ),
        limit=limit,
        rise=rise,
        points=_point_count(str(rise - 1)),
        limit_words=safety.limit_words() if voice.third else "",
    )
    rated = any(
        analysis_column in frame and frame[analysis_column].notna().any()
        for analysis_column in ("pain_after", "session_pain_after", "pain_before")
    )
    if flags.empty:
        if not rated:
            return _("No pain scores yet to check against the pain-monitoring limits.")
        return _(
            "Pain monitoring {guide}: pain stayed within the limit after every rated exercise "
            "and session, never rose by {rise}+ points during one, and no session started "
            "{rise}+ points higher than the one before."
        ).format(guide=guide, rise=rise)
    bits = []
    for kind in ("above-limit", "rose-during", "higher-next-session"):
        rows = flags[flags["kind"] == kind]
        if rows.empty:
            continue
        n = rows["session_id"].nunique()
        day = day_text(rows["day"].max())
        if kind == "higher-next-session":
            if voice.third:
                text = ngettext(
                    "{n} session started {rise}+ points higher than the one before (latest {day})",
                    "{n} sessions started {rise}+ points higher than the one before (latest {day})",
                    n,
                )
            else:
                text = ngettext(
                    "{n} session started {rise} or more points higher than the one before "
                    "(latest {day})",
                    "{n} sessions started {rise} or more points higher than the one before "
                    "(latest {day})",
                    n,
                )
            bits.append(text.format(n=n, rise=rise, day=day))
        else:
            yours, theirs = _FLAGS[kind]
            bits.append(voice.say(yours, theirs, sessions=_sessions(n), rise=rise, day=day))
    advice = voice.say(
        N_("Do less next time when this happens, and see {review} if it keeps happening."),
        N_("The advice given is to do less next time, and to see {review} if it keeps happening."),
        review=safety.region_words()["review"],  # who to see differs by country
    )
    # Translators: {findings} is a list of what happened, joined by semicolons.
    found = _("Pain monitoring {guide}: {findings}.").format(guide=guide, findings="; ".join(bits))
    return f"{found} {advice}"


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
    done = int(table["done"].sum())
    partial = int(table["partial"].sum())
    streak = _("Days in a row doing the whole plan: current {current}, longest {longest}.").format(
        current=a.get("current_streak", 0), longest=a.get("longest_streak", 0)
    )
    values = {"start": a.get("start"), "end": a.get("end"), "done": done, "partial": partial}
    if a.get("overall") is None and table["prescribed"].isna().all():
        sittings = int(table["sessions"].sum())
        text = _(
            "From {start} to {end}, {count} exercise sessions were logged across {sittings} "
            "sittings ({done} in full, {partial} in part)."
        ).format(count=done + partial, sittings=sittings, **values)
        return f"{text} {streak}"
    prescribed = float(table["prescribed"].sum())
    overall = a.get("overall") or 0.0
    text = _(
        "From {start} to {end}, {overall} of the prescribed sessions were done ({done} of "
        "{prescribed} in full, {partial} in part)."
    ).format(overall=f"{overall:.0%}", prescribed=decimal_text(f"{prescribed:g}"), **values)
    return f"{text} {streak}"
