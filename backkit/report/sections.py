"""The review and the words: what a report says, section by section, for each audience.

:class:`Review` works out the tables once from the de-identified data;
:func:`document` writes them as the sections of a :class:`~backkit.report.Document`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..config import day_text, language, number_text, weekday_text
from ..errors import ReportError
from ..i18n import N_, ngettext
from ..i18n import gettext as _
from .blocks import AUDIENCES, PAPERS, Blank, Chart, Document, Items, Section, Table, Text
from .inputs import read_inputs
from .privacy import Privacy
from .render import chart_image

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..plan import Plan

__all__ = ["Review", "document"]

_CHART_DPI = 150  # print resolution; a chart prints at its own size (see _PRINT_WIDTH)
#: Inches: the width a report draws its charts at. Saved with a tight border they come
#: out about 7 inches wide, under the text width of A4 (210 mm less 2 x 15 mm margins,
#: 7.09 in) and of letter (7.32 in): each chart prints at its own size, and its text at
#: the sizes matplotlib was given.
_PRINT_WIDTH = 6.9


# --------------------------------------------------------------------------
# The review: what the report says, worked out once from the de-identified data


@dataclass(frozen=True)
class Review:
    """A patient's de-identified data and what the review works out from it.

    Build it with :meth:`load`; every table is computed from the
    de-identified copies only, so nothing the privacy rules left out can reach
    a report or a chart.

    Examples
    --------
    >>> from backkit.report import Review
    >>> review = Review.load(None)
    >>> review.is_sample, len(review.proposal.changes)
    (True, 7)
    """

    privacy: Privacy
    log: Any
    plan: Any
    outcomes: Any
    is_sample: bool
    notes: str | None = None
    #: (warning-sign answers, number of screenings, unresolved "yes" answers
    #: (backkit.gate)), None where the file holds none
    warnings: Any = None

    @property
    def unresolved(self) -> tuple[Any, ...]:
        """The "yes" answers no clearance has followed: no session starts until one is recorded."""
        return tuple(self.warnings[2]) if self.warnings is not None else ()

    @classmethod
    def load(
        cls,
        log_path: str | Path | None,
        plan_path: str | Path | None = None,
        privacy: Privacy | None = None,
        *,
        notes: str | None = None,
    ) -> Review:
        """Read a log (None: the sample) and plan, and de-identify them by ``privacy``.

        ``notes`` is the clinician's own text for the report; it is cleaned
        like kept free text (:meth:`Privacy.text`).
        """
        privacy = privacy or Privacy()
        inputs, warnings = read_inputs(log_path, plan_path, warnings=True)
        if warnings is not None:
            answers, screenings, unresolved = warnings
            answers = answers.assign(date=[d + privacy.days for d in answers["date"]])
            warnings = (answers, screenings, unresolved)
        return cls(
            privacy=privacy,
            log=privacy.log(inputs.frame),
            plan=privacy.plan(inputs.plan),
            outcomes=privacy.outcomes(inputs.outcomes),
            is_sample=inputs.is_sample,
            notes=privacy.text(notes.strip()) if notes and notes.strip() else None,
            warnings=warnings,
        )

    # Each table below is worked out once per review (cached on first use): a
    # report reads them in several sections, and on a long log each costs seconds.
    @functools.cached_property
    def days(self) -> pd.Series:
        """The local day of every bout."""
        from ..analysis import local_day

        return local_day(self.log)

    @functools.cached_property
    def weekly(self) -> pd.DataFrame:
        """Adherence per exercise and week (:func:`backkit.adherence.adherence`)."""
        from ..adherence import adherence

        return adherence(self.log, self.plan)

    @functools.cached_property
    def per_week(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Sessions per week and exercise, and each week's adherence.

        :func:`backkit.analysis.weekly_adherence`: the summary words it, a chart draws it.
        """
        from ..analysis import weekly_adherence

        return weekly_adherence(self.log, self.plan)

    @functools.cached_property
    def by_exercise(self) -> pd.DataFrame:
        """Adherence per exercise over the whole log."""
        weekly = self.weekly
        per = weekly.groupby("exercise_id", observed=True)
        table = per[["prescribed", "done", "partial", "credit"]].sum()
        table["adherence"] = table["credit"] / table["prescribed"].where(table["prescribed"] > 0)
        table["hold_ratio"] = per["hold_ratio"].mean()
        table.attrs.update(weekly.attrs)
        return table

    @functools.cached_property
    def pain_change(self) -> pd.DataFrame:
        """Weekly pain against the baseline (:func:`backkit.analysis.pain_change_by_week`)."""
        from ..analysis import pain_change_by_week

        return pain_change_by_week(self.log)

    @functools.cached_property
    def flags(self) -> pd.DataFrame:
        """Pain-monitoring flags (:func:`backkit.analysis.pain_flags`)."""
        from ..analysis import pain_flags

        return pain_flags(self.log)

    @functools.cached_property
    def effects(self) -> pd.DataFrame:
        """Pain straight after each exercise (:func:`backkit.analysis.immediate_effect`)."""
        from ..analysis import immediate_effect

        return immediate_effect(self.log)

    @property
    def as_of(self) -> dt.date:
        """The day the review is for, on the report's (shifted) calendar.

        Today (:func:`backkit.config.today`) moved by the date shift, so that
        ages come out right without giving the shift away; for the sample
        data, the sample's own last day (it is a demonstration, not old data).
        """
        from .. import config

        if self.is_sample and not self.log.empty:
            return cast(dt.date, self.days.max().date())
        return config.today() + self.privacy.days

    @property
    def stale(self) -> str | None:
        """How old the data are when the newest session is older than 4 weeks, else None.

        :func:`backkit.analysis.staleness`, the kit's one rule for stale data.
        """
        from ..analysis import staleness

        return None if self.log.empty else staleness(self.days.max(), self.as_of)

    @functools.cached_property
    def proposal(self) -> Any:
        """The next plan (:func:`backkit.review.propose_next`), judged as of :attr:`as_of`."""
        from ..review import propose_next

        # the tables the report shows anyway; adherence only against the plan given
        # (without one, the next plan is judged against the default plan)
        worked_out = {"effects": self.effects, "flags": self.flags}
        if self.plan is not None:
            worked_out["weekly"] = self.weekly
        return propose_next(
            self.log,
            self.plan,
            dates_shifted=bool(self.privacy.date_shift),
            as_of=self.as_of,
            worked_out=worked_out,
        )


def _day(value: Any) -> str:
    """A date as the kit writes one for people: "8 Jan 2025" (:func:`backkit.config.day_text`)."""
    return day_text(value)


def _num(value: Any, spec: str, none: str = "–") -> str:
    import pandas as pd

    if value is None or pd.isna(value):
        return none
    return format(float(value), spec)


def _decimal(value: Any, digits: int, *, sign: bool = False, none: str = "–") -> str:
    """A number with ``digits`` decimals in the kit's language; English as ``format`` writes it.

    ``sign`` writes "+" before a number that is not negative (a change).
    """
    import pandas as pd

    if value is None or pd.isna(value):
        return none
    value = float(value)
    # English keeps Python's own format (no thousands separator), as the report always wrote it
    text = format(value, f".{digits}f") if language() == "en" else number_text(value, digits)
    return text if not sign or text.startswith("-") else f"+{text}"


def _exercise_name(exercise_id: Any, *, numbered: bool = True) -> str:
    """An exercise's name as people read it, never its id."""
    from ..errors import UnknownExerciseError
    from ..exercises import get_exercise

    try:
        ex = get_exercise(str(exercise_id))
    except UnknownExerciseError:
        return _("An exercise not in this catalogue")
    return f"{ex.number}. {ex.name}" if numbered else ex.name


def _dose(exercise_id: str, dose: tuple[int, int, float]) -> str:
    from ..exercises import get_exercise

    sets, reps, hold = dose
    what = ngettext("{sets} set of {reps}", "{sets} sets of {reps}", sets).format(
        sets=sets, reps=reps
    )
    with contextlib.suppress(Exception):
        if get_exercise(exercise_id).kind == "hold":
            # Translators: a dose: "2 sets of 10, hold 20 s" (s: seconds)
            what = _("{dose}, hold {seconds} s").format(dose=what, seconds=f"{hold:g}")
    return what


def _sessions(n: int) -> str:
    return ngettext("{n} session", "{n} sessions", n).format(n=n)


def _days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=n)


def _screenings(n: int) -> str:
    return ngettext("{n} screening", "{n} screenings", n).format(n=n)


def _both(names: list[str]) -> str:
    """Names joined as the report always joined them: "A and B and C"."""
    return functools.reduce(
        lambda first, second: _("{first} and {second}").format(first=first, second=second),
        names,
    )


def _chart(draw: Callable[[Axes], Any], sample: bool, height: float) -> Chart:
    """Draw one chart on an Axes of the printed width, ``height`` inches tall.

    The chart functions take every text literally (:func:`backkit.charts.literal_text`).
    """
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(_PRINT_WIDTH, height), layout="constrained")
    return chart_image(draw(ax), sample=sample, dpi=_CHART_DPI)


# --------------------------------------------------------------------------
# Words: the sections of each audience


def _facts(review: Review, you: bool) -> list[str]:
    """The key facts in sentences: third person for the clinician, second for the patient."""
    log, name = review.log, review.privacy.name
    if log.empty:
        return [
            _("You have not logged any exercise sessions yet.")
            if you
            else _("{name} has not logged any exercise sessions yet.").format(name=name)
        ]
    days = review.days
    sessions = log["session_id"].nunique()
    span = _("between {first} and {last}").format(first=_day(days.min()), last=_day(days.max()))
    if days.nunique() == 1:
        span = _("on {day}").format(day=_day(days.min()))
    counts = {"days": _days(days.nunique()), "sessions": _sessions(sessions), "span": span}
    lines = [
        # Translators: {days}: "5 days"; {span}: "between 3 Mar 2025 and 9 Mar 2025"
        # or "on 3 Mar 2025"
        _("You exercised on {days} {span} ({sessions} in all).").format(**counts)
        if you
        else _("{name} logged {sessions} on {days} {span}.").format(name=name, **counts)
    ]
    table = review.by_exercise
    if review.plan is not None and table["prescribed"].sum() > 0:
        share = table["credit"].sum() / table["prescribed"].sum()
        lines.append(
            _("You did {share} of the exercise sessions in your plan.").format(share=f"{share:.0%}")
            if you
            else _(
                "{name} did {share} of the prescribed exercise sessions ({done} of {prescribed})."
            ).format(
                name=name,
                share=f"{share:.0%}",
                done=_decimal(table["credit"].sum(), 1),
                prescribed=f"{table['prescribed'].sum():g}",
            )
        )
    change = review.pain_change
    if len(change) >= 2:
        from ..analysis import shown_change

        # as many decimals as the verdict needs (never "5.0 to 3.0" beside "not meaningful")
        shown = shown_change(change.attrs["baseline"], change["pain"].iloc[-1])
        if you:
            sentence = _(
                "Your pain before exercise went from {baseline}/10 in the first week "
                "to {latest}/10 in the latest week."
            )
        else:
            sentence = _(
                "Pain before exercise went from {baseline}/10 in the first week "
                "to {latest}/10 in the latest week, {verdict}."
            )
        verdict = _(_VERDICT_WORDS[str(change["status"].iloc[-1])])
        lines.append(
            sentence.format(baseline=shown.baseline, latest=shown.latest, verdict=verdict)
        )
    elif len(change) == 1:
        pain = _decimal(change["pain"].iloc[0], 1)
        lines.append(
            _("Your pain before exercise was {pain}/10 on average so far: too soon to see a trend.")
            if you
            else _("Pain before exercise was {pain}/10 on average so far; too soon for a trend.")
        )
        lines[-1] = lines[-1].format(pain=pain)
    if review.stale and you:
        # the English "the newest session is ..." spoken to the patient; other languages as given
        stale = review.stale.replace("the newest", "your newest")
        lines.append(
            _(
                "This review is from old data ({stale}), so it may not show how your back is now."
            ).format(stale=stale)
        )
    return lines


def _summary(review: Review) -> tuple[list[str], str | None]:
    """Third-person summary sentences for the first page, and the streaks sentence.

    :func:`backkit.narrative.summary` is, in order: what was logged, pain,
    adherence, the streaks, what was observed around single exercises and,
    last, the pain-monitoring flags. The first page keeps all but the streaks
    (section 1 gives them, beside adherence) and the single exercises
    (section 4 gives them in a table), so that it has room for the trend.
    """
    from .. import narrative

    lines = narrative.summary(
        review.log,
        review.plan,
        subject=review.privacy.name,
        effects=review.effects,
        flags=review.flags,
        weekly=review.per_week,
    )
    # the streaks sentence (backkit.narrative's), known by its opening words in any language
    opening = _(
        "Longest streak: {longest} in a row with a session; current streak: {current} "
        "(to {day})."
    ).split("{")[0]
    streak = next((n for n, line in enumerate(lines) if line.startswith(opening)), None)
    if streak is None:
        return lines, None
    return [*lines[:streak], *lines[streak + 1 :][-1:]], lines[streak]


def _header(review: Review, you: bool) -> tuple[Text, ...]:
    from .. import __version__, config

    privacy, log, plan = review.privacy, review.log, review.plan
    lines = []
    if review.is_sample:
        lines.append(
            Text(
                _("This is the sample log shipped with backkit, not a patient's."),
                # Translators: the lead of the report's first line; the page template
                # highlights the line whose lead is this message
                _("Sample data."),
            )
        )
    if log.empty:
        lines.append(Text(_("no exercise sessions logged yet."), _("Log:")))
    else:
        days = review.days
        lines.append(
            Text(
                _("{sessions} on {days}, {first} to {last}.").format(
                    sessions=_sessions(log["session_id"].nunique()),
                    days=_days(days.nunique()),
                    first=_day(days.min()),
                    last=_day(days.max()),
                ),
                _("Log:"),
            )
        )
    if plan is None:
        lines.append(Text(_("none given; adherence is counted as days exercised."), _("Plan:")))
    else:
        who = _("{plan} (by {author})") if plan.author else "{plan}"
        said = {
            "plan": who.format(plan=plan.name, author=plan.author),
            "exercises": ngettext("{n} exercise", "{n} exercises", len(plan.items)).format(
                n=len(plan.items)
            ),
            "how_often": _how_often(plan),
            "start": _day(plan.start),
        }
        lines.append(
            Text(
                _("{plan}: {exercises}, {how_often}, from {start} to {end}.").format(
                    end=_day(plan.end), **said
                )
                if plan.end
                else _("{plan}: {exercises}, {how_often}, from {start}.").format(**said),
                _("Plan:"),
            )
        )
    if review.stale and not you:
        lines.append(
            Text(
                _(
                    "{stale} (more than 4 weeks before this review): ask how the patient "
                    "is now before acting on it; the next plan raises no dose from it."
                ).format(stale=review.stale),
                _("Stale data:"),
            )
        )
    if not you:
        kept = [
            _("named by a pseudonym")
            if privacy.real_name is None
            else _("named (real name on request)"),
            _("all dates shifted by a fixed number of days")
            if privacy.date_shift
            else _("dates as logged"),
            _("free text included, cleaned") if privacy.include_notes else _("free text left out"),
        ]
        lines.append(Text("; ".join(kept) + ".", _("Privacy:")))
    made = (
        _("Prepared with backkit {version}. Not a diagnosis.")
        if privacy.date_shift
        else _("Prepared with backkit {version} on {day}. Not a diagnosis.")
    )
    lines.append(Text(made.format(version=__version__, day=_day(config.today()))))
    return tuple(lines)


def _how_often(plan: Plan) -> str:
    from ..plan import WEEKDAYS

    names = dict(zip(WEEKDAYS, _weekday_names(), strict=True))
    if plan.weekdays:
        when = ", ".join(names[d] for d in WEEKDAYS if d in plan.weekdays)
    else:
        when = _("every day") if plan.days_per_week == 7 else _any_days(plan.days_per_week)
    own = [item for item in plan.items if item.weekdays]
    if not own:
        return when
    # exercises on days of their own (strength work) are named, so "every day" is never wrong
    groups: dict[str, list[str]] = {}
    for item in own:
        days = ", ".join(names[d] for d in WEEKDAYS if d in (item.weekdays or ()))
        groups.setdefault(days, []).append(_exercise_name(item.exercise_id, numbered=False))
    apart = "; ".join(
        _("{exercises} only on {days}").format(exercises=_both(who), days=days)
        for days, who in groups.items()
    )
    return f"{when}; {apart}"


def _any_days(n: int | None) -> str:
    # Translators: how often a plan's exercises are done, e.g. "any 5 days a week"
    return ngettext("any {n} days a week", "any {n} days a week", n or 0).format(n=n)


def _weekday_names() -> tuple[str, ...]:
    """Mon to Sun as the kit's language writes them (asked when shown: the language may change)."""
    return tuple(weekday_text(number) for number in range(7))


_TERMS = (
    (
        N_("Adherence"),
        N_(
            "the share of the prescribed exercise sessions that were done; one exercise on one "
            "day is one session, and a session done in part counts in part. Frequency (days) and "
            "dose (time held against time planned) are reported apart."
        ),
    ),
    (
        N_("Baseline"),
        N_(
            "the mean pain before exercise over the first 7 days of the log; for check-ins, "
            "the first check-in."
        ),
    ),
    (
        N_("MIC"),
        N_(
            "minimal important change (Ostelo et al. 2008): the smallest improvement in pain "
            "that people with low back pain count as important, 2 points or 30% of the baseline. "
            "Smaller values have been reported (1.5 to 3.5 points, Abbott and Schmitt 2014); "
            "backkit asks for both 2 points and 30%, a conservative choice (from a high baseline "
            "a larger fall is needed: Farrar et al. 2001), and counts a rise of the same size as "
            "a meaningful worsening (the kit's choice). Here it is applied to weekly means of the "
            "ratings before exercise; the check-in's average pain over the last week is the "
            "closer match to what it was made for."
        ),
    ),
    (
        N_("Pain-monitoring flags"),
        N_(
            "exercises and whole sessions that broke the kit's one pain rule, counted as flags "
            "(one exercise, or one whole session, in one session) and as sessions. Over the "
            "limit: {limit} (adapted from the pain-monitoring model of Silbernagel et al. 2007, "
            "from tendinopathy research, extrapolated to low back pain; measuring it from the "
            "pain before is backkit's own adaptation). A rise of {rise} points or more within the "
            "limit, or a session starting {rise} points or more higher than the one before: "
            "backkit's own rules, not the paper's, meaning do less next time."
        ),
    ),
    (
        N_("95% confidence interval"),
        N_(
            "the range of mean changes in pain (after minus before an exercise) that fit the "
            "data; when the whole range is below zero, pain was lower after the exercise than "
            "before it, and when it is above zero, higher, which says nothing about how large "
            "the change is. Each week counts as one unit (sessions on nearby days are not "
            "independent), so it is a guide rather than a precise measurement. It describes "
            "what was observed, not what the exercise caused: back pain often changes on its own."
        ),
    ),
)


def _terms() -> tuple[tuple[str, str], ...]:
    """The terms, with the pain rule's numbers filled in from ``safety.yaml``."""
    from .. import safety

    words = {"limit": safety.limit_words(), "rise": safety.max_rise()}
    return tuple((_(term), _(text).format(**words)) for term, text in _TERMS)


def _adherence_glance(review: Review) -> Section:
    """The weekly adherence chart, on the second page (the summary says it in words)."""
    from .. import charts

    if review.log.empty:
        return Section(_("Adherence"), (Text(_("No exercise sessions logged yet.")),))
    chart = _chart(
        lambda ax: charts.plot_adherence(review.log, review.plan, weekly=review.per_week, ax=ax),
        review.is_sample,
        2.5,
    )
    return Section(_("Adherence"), (chart,))


def _adherence_section(review: Review, streaks: str | None = None) -> Section:
    """Adherence per exercise, the streaks, and the calendar once the log spans four weeks."""
    from .. import charts

    title = _("1. Adherence by exercise")
    if review.log.empty:
        return Section(title, (Text(_("No exercise sessions logged yet.")),))
    table, plan = review.by_exercise, review.plan
    start, end = table.attrs["start"], table.attrs["end"]
    done, partial = int(table["done"].sum()), int(table["partial"].sum())
    said = {"start": _day(start), "end": _day(end), "done": done, "partial": partial}
    if plan is None:
        text = ngettext(
            "From {start} to {end}: {done} exercise sessions done in full and "
            "{partial} in part (no plan given).",
            "From {start} to {end}: {done} exercise sessions done in full and "
            "{partial} in part (no plan given).",
            done,
        ).format(**said)
    else:
        text = _(
            "From {start} to {end}: {share} of the {prescribed} prescribed exercise sessions "
            "were done ({done} in full, {partial} in part)."
        ).format(
            share=f"{review.weekly.attrs['overall']:.0%}",
            prescribed=f"{table['prescribed'].sum():g}",
            **said,
        )
    if streaks:
        text += f" {streaks}"
    headers = [_("Exercise"), _("Done in full"), _("Done in part"), _("Time held vs planned")]
    rows = []
    for exercise_id, r in table.iterrows():
        row = [_exercise_name(exercise_id), f"{r['done']:g}", f"{r['partial']:g}"]
        row.append(_num(r["hold_ratio"], ".0%"))
        if plan is not None:
            row[1:1] = [f"{r['prescribed']:g}", _num(r["adherence"], ".0%")]
        rows.append(tuple(row))
    if plan is not None:
        headers[1:1] = [_("Sessions prescribed"), _("Adherence")]
    blocks: list[Any] = [
        Text(text),
        Table(
            tuple(headers),
            tuple(rows),
            _("No exercises logged yet."),
            tuple(range(1, len(headers))),
        ),
    ]
    if review.days.nunique() >= 28:  # a calendar of a few weeks is a nearly empty grid
        blocks.append(
            _chart(lambda ax: charts.plot_calendar(review.log, plan, ax=ax), review.is_sample, 2.1)
        )
    return Section(title, tuple(blocks))


def _trend_section(review: Review) -> Section:
    """Pain before exercise over time, on the first page of the clinician's report."""
    from .. import charts

    title = _("Pain before exercise over time")
    if review.log.empty:
        return Section(title, (Text(_("No exercise sessions logged yet.")),))
    if review.days.nunique() < 2:
        return Section(title, (Text(_("One day logged so far: too soon to draw a trend.")),))
    chart = _chart(
        lambda ax: charts.plot_pain_trend(review.log, review.plan, ax=ax), review.is_sample, 2.5
    )
    return Section(title, (chart,))


def _pain_section(review: Review) -> Section:
    from ..analysis import pain_mcid, shown_change

    change = review.pain_change
    points, percent = pain_mcid()
    rule = _(
        "a fall of at least {points} points and at least {percent}% of the baseline "
        "(both, a conservative choice)"
    ).format(points=f"{points:g}", percent=f"{percent:g}")
    title = _("2. Pain against the minimal important change (MIC)")
    if change.empty:
        empty = _("No pain scores logged yet. MIC: {rule}.").format(rule=rule)
        return Section(title, (Text(empty),))
    base, last = change.attrs["baseline"], change.iloc[-1]
    if len(change) < 2:
        return Section(
            title,
            (
                Text(
                    _(
                        "Baseline pain (first 7 days): {baseline}/10. Only one week logged: too "
                        "soon to compare with the baseline. MIC: {rule}."
                    ).format(baseline=_decimal(base, 1), rule=rule)
                ),
            ),
        )
    reached = change.index[change["mcid"].fillna(False).astype(bool)]
    latest = shown_change(base, last["pain"])
    said = {
        "day": _day(change.index[-1]),
        "latest": latest.latest,
        "change": latest.change,
        "percent": latest.percent,
        "baseline": latest.baseline,
        "verdict": _(_VERDICT_WORDS[str(last["status"])]),
    }
    lines = [
        _(
            "Baseline pain (first 7 days): {baseline}/10. MIC: {rule}; from this baseline, "
            "{needed} points."
        ).format(baseline=_decimal(base, 1), rule=rule, needed=latest.needed),
        (
            _(
                "Latest week (from {day}): {latest}/10, {change} points ({percent}) from the "
                "baseline of {baseline}: {verdict}."
            )
            if latest.percent
            else _(
                "Latest week (from {day}): {latest}/10, {change} points from the "
                "baseline of {baseline}: {verdict}."
            )
        ).format(**said),
        _("First reached in the week from {day}.").format(day=_day(reached[0]))
        if len(reached)
        else _("Not reached in any week so far."),
        _(
            "The MIC was set for a person's rating of their usual pain; here it is applied to "
            "weekly means of the ratings before exercise, so read it as a guide (the check-ins' "
            "average pain, section 5, is the closer match)."
        ),
    ]
    return Section(title, (Text(" ".join(lines)), _pain_table(change, base)))


def _pain_table(change: pd.DataFrame, base: float) -> Table:
    """The table of the latest 12 weeks' mean pain and its change from ``base``."""
    from ..analysis import shown_change

    shown = change.tail(12)
    rows = []
    for week, r in shown.iterrows():
        # the decimals the row's own verdict needs, so "Beyond the MIC" never contradicts it
        row = shown_change(base, r["pain"])
        rows.append(
            (
                _day(week),
                row.latest,
                row.change,
                row.percent or "–",
                # Translators: whether a week's change in pain was beyond the MIC
                _("yes") if r["mcid"] is True or r["mcid"] == 1 else _("no"),
            )
        )
    caption = _("The latest 12 weeks.") if len(change) > 12 else ""
    return Table(
        (
            _("Week from"),
            _("Mean pain before exercise"),
            _("Change from baseline (points)"),
            _("Change (%)"),
            _("Beyond the MIC"),
        ),
        tuple(rows),
        numeric=(1, 2, 3),
        caption=caption,
    )


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


#: What a week's change in pain from baseline is called (``pain_change_by_week``'s status).
_VERDICT_WORDS = {
    "improved": N_("a clinically meaningful improvement"),
    "worse": N_("a meaningful worsening (the kit's rule: a rise as large as a meaningful fall)"),
    "no meaningful change": N_("not a clinically meaningful change"),
}

_FLAG_WORDS = {
    "above-limit": N_("pain went over the limit"),
    "rose-during": N_("pain rose by {rise}+ points within the limit"),
    "higher-next-session": N_("pain at the start {rise}+ points higher than the session before"),
}

#: What an outcome measure's latest change is called (``change_from_baseline``'s status).
_OUTCOME_WORDS = {
    "baseline": N_("baseline only"),
    # Translators: an outcome measure's verdict in a table: it improved
    "improved": N_("improved"),
    # Translators: an outcome measure's verdict in a table: it did not change beyond its threshold
    "unchanged": N_("unchanged"),
    # Translators: an outcome measure's verdict in a table: it got worse
    "worse": N_("worse"),
}


def _flags_section(review: Review) -> Section:
    from .. import safety
    from ..analysis import FLAG_KINDS

    flags = review.flags
    rise = safety.max_rise()
    words = {k: _(w).format(rise=rise) for k, w in _FLAG_WORDS.items()}
    title = _("3. Pain-monitoring flags")
    limits = Text(
        _(
            "The kit's one pain rule (the same as the patient's timer advice): over the limit "
            "means {limit}: stop that exercise for the day and do less next "
            "time. A rise of {rise} points or more within the limit, or a session starting "
            "{rise} points or more higher than the one before, means do less next time. One "
            "flag is one exercise, or one whole session, in one session."
        ).format(limit=safety.limit_words(), rise=rise)
    )
    if flags.empty:
        return Section(title, (limits, Text(_("No pain-monitoring flags."))))
    said = []
    for kind in FLAG_KINDS:
        rows = flags[flags["kind"] == kind]
        if len(rows):
            sessions = rows["session_id"].nunique()
            said.append(
                # Translators: "pain went over the limit: 3 flags in 2 sessions"
                _("{what}: {flags} in {sessions}").format(
                    what=words[kind],
                    flags=ngettext("{n} flag", "{n} flags", len(rows)).format(n=len(rows)),
                    sessions=_sessions(sessions),
                )
            )
    latest = flags.tail(10)
    rows = []
    for r in latest.itertuples():
        known = not _missing(r.reference)
        pain = f"{r.reference:g} → {r.pain:g}" if known else f"{r.pain:g}/10"
        what = (
            _exercise_name(r.exercise_id) if not _missing(r.exercise_id) else _("Whole session")
        )
        rows.append((_day(r.day), what, words.get(str(r.kind), _("flagged")), pain))
    return Section(
        title,
        (
            limits,
            Text("; ".join(said) + ".", _("Flags in the whole log:")),
            Table(
                (_("Day"), _("Exercise"), _("What happened"), _("Pain")),
                tuple(rows),
                numeric=(3,),
                wrap=(2,),
                caption=ngettext(
                    "The {n} most recent flag.", "The {n} most recent flags.", len(rows)
                ).format(n=len(rows))
                if len(rows) > 1
                else _("The only flag."),
            ),
        ),
    )


def _effects_section(review: Review) -> Section:
    from .. import charts
    from ..safety import max_rise

    effects = review.effects
    rise = max_rise()
    title = _("4. Pain straight after each exercise")
    if effects.empty:
        return Section(title, (Text(_("No bouts with pain rated before and after yet.")),))
    rows = _effect_rows(effects)
    blocks: list[Any] = [
        Text(
            _(
                "Each session with the exercise's own pain rated before and after gives one "
                "paired difference (both sides and repeats averaged): the mean change and its 95% "
                "confidence interval. The interval counts each week as one unit, because sessions "
                "on nearby days are not independent; it is a guide, not a precise measurement. "
                '"Higher" or "lower" says the interval excludes 0, not that the change is '
                "large: the next plan changes a dose only for a mean rise of {rise} points or "
                "more, or a pain flag naming the exercise."
            ).format(rise=rise)
        ),
        Table(
            (
                _("Exercise"),
                _("Sessions"),
                _("Weeks"),
                _("Pain before"),
                _("Pain after"),
                _("Mean change"),
                _("95% CI"),
                _("Verdict"),
            ),
            rows,
            numeric=(1, 2, 3, 4, 5, 6),
            wrap=(0, 7),  # eight columns fit the page only if these may wrap
        ),
    ]
    if len(review.days.unique()) > 1:
        watch = cast(str, effects["change"].idxmax())  # the index holds exercise ids
        listed = set(effects.index) | {i.exercise_id for i in getattr(review.plan, "items", ())}
        blocks.append(
            _chart(
                lambda ax: charts.plot_pain_change(
                    review.log, review.plan, effect=review.effects, ax=ax
                ),
                review.is_sample,
                1.3 + 0.3 * len(listed),  # a bar a line
            )
        )
        blocks.append(
            _chart(
                lambda ax: charts.plot_exercise_history(review.log, watch, days=None, ax=ax),
                review.is_sample,
                2.8,
            )
        )
    return Section(title, tuple(blocks))


def _effect_rows(effects: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    """The rows of the table of pain straight after each exercise, one per exercise."""
    words = {
        # Translators: a verdict in a table: pain was lower after the exercise
        "lower": _("lower after"),
        # Translators: a verdict in a table: pain was higher after the exercise
        "higher": _("higher after"),
        "unclear": _("no clear difference"),
        "identical": _("the same every time"),
        "too few": _("too few to judge"),
    }
    return tuple(
        (
            _exercise_name(exercise_id),
            f"{int(r['n'])}",
            f"{int(r['weeks'])}",
            _decimal(r["before"], 1),
            _decimal(r["after"], 1),
            _decimal(r["change"], 2, sign=True),
            # Translators: a 95% confidence interval, "-1.20 to +0.40"
            _("{low} to {high}").format(
                low=_decimal(r["ci_low"], 2, sign=True), high=_decimal(r["ci_high"], 2, sign=True)
            ),
            words.get(str(r["verdict"]), str(r["verdict"])),
        )
        for exercise_id, r in effects.iterrows()
    )


def _outcomes_section(review: Review) -> Section:
    from .. import charts
    from .. import outcomes as measures

    title = _("5. Outcome check-ins")
    outcomes = review.outcomes
    if outcomes is None or outcomes.empty:
        return Section(title, (Text(_("No outcome check-ins in this log yet.")),))
    change = measures.change_from_baseline(outcomes)
    latest = change.groupby("label", sort=False).tail(1)
    status = {key: _(word) for key, word in _OUTCOME_WORDS.items()}
    rows = tuple(
        (
            str(r.label),
            _num(r.baseline_score, "g"),
            _num(r.score, "g") if r.status != "baseline" else "–",
            _num(r.change, "+g") if r.status != "baseline" else "–",
            status.get(str(r.status), str(r.status)),
        )
        for r in latest.itertuples()
    )
    first = change["date"].min()
    blocks: list[Any] = [
        Text(
            _(
                "Baseline on {first}; latest check-in on {last}. "
                "A change counts as improved or worse when it reaches the measure's threshold."
            ).format(first=_day(first), last=_day(change["date"].max()))
        ),
        Table(
            (_("Measure"), _("Baseline"), _("Latest"), _("Change"), _("Verdict")),
            rows,
            numeric=(1, 2, 3),
            wrap=(0,),
        ),
    ]
    if change["date"].nunique() > 1:
        # panels short enough that the figure (about 2.7 inches besides them) fits a page
        panels = int(change.loc[change["item"].isna(), "measure"].nunique())
        fig = charts.plot_outcomes(
            review.log,
            outcomes,
            width=_PRINT_WIDTH,
            panel_height=min(1.1, (9.0 - 2.7) / max(1, panels)),
        )
        blocks.append(chart_image(fig, sample=review.is_sample, dpi=_CHART_DPI))
    return Section(title, tuple(blocks))


def _red_flags_section() -> Section:
    from .. import safety

    flags = safety.rules()["clinician_red_flags"]
    sources = safety.rules()["sources"]
    items = tuple(f"{group.capitalize()}: {text}" for group, text in flags["groups"].items())
    tags = dict.fromkeys(
        tag for group in safety.clinician_red_flags() for tag in (*flags["sources"], *group.sources)
    )
    cite = "; ".join(sources[s] for s in tags if s in sources)
    note = " ".join(str(flags.get("note", "")).split())
    blocks = (
        Items(items),
        *((Text(note),) if note else ()),
        Text(_("Sources: {sources}").format(sources=cite)),
    )
    return Section(flags["title"], blocks, boxed=True)


def _next_plan_rows(review: Review, numbered: bool) -> tuple[tuple[str, ...], ...]:
    proposal = review.proposal
    old = review.plan or proposal.plan
    rows = []
    for change in proposal.changes:
        i = change.exercise_id
        before = _dose(i, old.dose(i)) if any(x.exercise_id == i for x in old.items) else "–"
        after = _dose(i, proposal.plan.dose(i))
        dose = after if after == before else f"{before} → {after}"
        rows.append((_exercise_name(i, numbered=numbered), dose, f"{change.what}: {change.why}."))
    return tuple(rows)


def _next_plan_section(review: Review) -> Section:
    """The proposed plan, what changes and why: the second page of the clinician's report."""
    proposal = review.proposal
    nxt = proposal.plan
    stale = (
        (
            Text(
                _(
                    "{stale}: this plan raises no dose from it; ask how the patient is "
                    "now before giving it."
                ).format(stale=proposal.stale),
                _("Made from stale data:"),
            ),
        )
        if proposal.stale
        else ()
    )
    return Section(
        _("Next plan"),
        (
            *stale,
            Text(
                _(
                    "{how_often}, from {start} to {end}. Proposed by "
                    "the kit's fixed rules (section 6): a starting point, to change to suit the "
                    "patient."
                ).format(how_often=_how_often(nxt), start=_day(nxt.start), end=_day(nxt.end)),
                _("Next plan:"),
            ),
            Table(
                (_("Exercise"), _("Dose"), _("Change and why")),
                _next_plan_rows(review, True),
                wrap=(0, 1, 2),
            ),
        ),
    )


def _plan_rules_section() -> Section:
    """How :func:`backkit.review.propose_next` makes the next plan, in words."""
    from ..safety import max_rise

    rise = max_rise()
    return Section(
        _("6. How the next plan is made"),
        (
            Text(
                _(
                "The kit's rules (backkit.review.propose_next): no dose changes before two weeks "
                "of logging; an exercise flagged for its own pain in the last two weeks (over "
                "the limit, or a rise of {rise}+ points), or after which pain rose by {rise} "
                "points or more on average (its own ratings), steps back (one set fewer and the "
                "low end of its range, never more than before in any part of the dose) and its "
                "easier version is named; one after which pain was higher on average by less "
                "than that keeps its dose, to discuss with the patient; one done in at least "
                "80% of the prescribed sessions with no higher pain after it steps up within its "
                "range, "
                "unless whole sessions were flagged for pain in the last two weeks or the data "
                "are more than 4 weeks old; strength work stays off consecutive days; the rest "
                "stay as they are. Higher pain after an exercise is what was observed, not proof "
                "that the exercise caused it. A starting point: change it to suit the patient."
                ).format(rise=rise)
            ),
            Text(
                _(
                    "The patient saves the plan file (for example next-plan.yaml) and runs "
                    "backkit plan activate next-plan.yaml once; the app and today's session "
                    "then show this plan."
                ),
                _("How the patient starts it:"),
            ),
        ),
    )


def _notes_section(review: Review, title: str) -> Section:
    if review.notes:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", review.notes) if p.strip()]
        return Section(title, tuple(Text(" ".join(p.split())) for p in paragraphs))
    return Section(
        title, (Blank((_("Assessment"), _("Plan and advice"), _("Reviewed by, date"))),)
    )


def _warnings_section(review: Review) -> Section:
    """The patient's warning-sign answers, boxed, before anything else the clinician reads."""
    title = _("Warning-sign answers")
    if review.warnings is None:
        why = (
            _("this is sample data")
            if review.is_sample
            else _("a CSV export carries no screenings or check-ins")
        )
        text = _(
            "Not known from this file ({why}): ask the patient the warning-sign "
            "questions, or review their log file (.sqlite), which keeps the answers."
        ).format(why=why)
        return Section(title, (Text(text),), boxed=True)
    answers, screenings, _unresolved = review.warnings
    if answers.empty:
        said = (
            _(
                "No warning-sign answers: {screenings} recorded, "
                "every question answered no, and no check-in reported new or further-spreading "
                "pain or tingling below the knee, or a worse morning after."
            ).format(screenings=_screenings(screenings))
            if screenings
            else _("No warning-sign screening is recorded in this log: ask the questions.")
        )
        return Section(title, (Text(said),), boxed=True)
    rows = tuple(
        (_day(r.date), r.question, r.answer, f"{r.action}: {r.advice}")
        for r in answers.itertuples(index=False)
    )
    lead = Text(
        _(
            "Most serious first. A later all-no screening does not cancel these: every "
            "answer stays listed here with its date, so review each with the patient."
        ),
    )
    if review.unresolved:
        # the gate is closed for the patient: the plan on page 2 waits for this
        n = len(review.unresolved)
        lead = Text(
            ngettext(
                '{lead} {n} screening with a "yes" has no clearance recorded: the patient\'s '
                "timer stays closed. See them about it before giving the next plan.",
                '{lead} {n} screenings with a "yes" has no clearance recorded: the patient\'s '
                "timer stays closed. See them about it before giving the next plan.",
                n,
            ).format(lead=lead.text, n=n),
            _("Not to be started yet:"),
        )
    table = Table(
        (_("Date"), _("Question"), _("Answer"), _("Action and advice shown")), rows, wrap=(1, 3)
    )
    return Section(title, (lead, table), boxed=True)


def _clinician_sections(review: Review) -> tuple[Section, ...]:
    """The clinician's report: two pages that stand alone, then the detail.

    The first pages hold what a review needs: the warning-sign answers (always
    first), the summary, the pain trend, adherence and the next plan. The
    numbered sections, the terms, the red flags and the space for notes follow,
    from a new page once the log has a trend to draw (before that, the first
    part is not much over a page, and a new page would leave one half empty).
    """
    summary, streaks = _summary(review)
    detail = _adherence_section(review, streaks)
    return (
        _warnings_section(review),
        Section(_("Summary"), tuple(Text(line) for line in summary)),
        _trend_section(review),
        _adherence_glance(review),
        _next_plan_section(review),
        replace(detail, page_break=review.days.nunique() >= 2),
        _pain_section(review),
        _flags_section(review),
        _effects_section(review),
        _outcomes_section(review),
        _plan_rules_section(),
        Section(
            _("Terms used in this report"), (Items(tuple(f"{t}: {d}" for t, d in _terms())),)
        ),
        _red_flags_section(),
        _notes_section(review, _("Clinician's notes")),
    )


def _weekly_table(plan: Plan) -> Table:
    from ..plan import WEEKDAYS

    rows = []
    # each exercise on its own days (strength work: Monday, Wednesday, Friday), else the plan's
    by_day = plan.weekdays or plan.days_per_week == 7 or any(i.weekdays for i in plan.items)
    for item in plan.items:
        i = item.exercise_id
        row = [_exercise_name(i, numbered=False), _dose(i, plan.dose(i))]
        days_of = item.weekdays or plan.weekdays
        if days_of or (by_day and plan.days_per_week == 7):
            row += ["✓" if not days_of or d in days_of else "" for d in WEEKDAYS]
        elif by_day:
            row += [_any_days(plan.days_per_week), *[""] * (len(WEEKDAYS) - 1)]
        else:
            row.append(_any_days(plan.days_per_week))
        rows.append(tuple(row))
    days = _weekday_names() if by_day else (_("How often"),)
    return Table((_("Exercise"), _("How much"), *days), tuple(rows))


def _patient_sections(review: Review) -> tuple[Section, ...]:
    from .. import charts

    nxt = review.proposal
    changes = [
        f"{_exercise_name(c.exercise_id, numbered=False)}: {c.what} ({c.why})." for c in nxt.changes
    ]
    how = Section(
        _("How to start your new plan"),
        (
            Items(
                (
                    _("Save the plan file you were sent (for example next-plan.yaml)."),
                    _("In a terminal, type: backkit plan activate next-plan.yaml"),
                    _(
                        "Then open the backkit app (type: backkit app). It shows the exercises "
                        "of this plan for each day, with a timer."
                    ),
                )
            ),
        ),
    )
    progress: list[Any] = [Text(line) for line in _facts(review, you=True)]
    if len(review.days.unique()) > 1:
        progress.append(
            _chart(
                lambda ax: charts.plot_pain_trend(review.log, review.plan, ax=ax),
                review.is_sample,
                3.1,
            )
        )
    if review.unresolved:
        # a "yes" still in force: what to do comes first, and no plan to start
        return tuple(
            [
                _open_warning_section(review),
                Section(_("How it went"), tuple(progress)),
                _safety_section(),
            ]
        )
    sections = [
        Section(_("How it went"), tuple(progress)),
        Section(
            _("Your plan for the next four weeks"),
            (
                Text(
                    _(
                        "From {start} to {end}. The kit proposes "
                        "it from fixed rules: go through it with your physiotherapist or doctor "
                        "before you start it."
                    ).format(start=_day(nxt.plan.start), end=_day(nxt.plan.end))
                ),
                _weekly_table(nxt.plan),
                Items(tuple(changes), _("What changes and why:")),
            ),
        ),
        how,
        _safety_section(),
    ]
    if review.notes:
        sections.insert(3, _notes_section(review, _("Notes from your physiotherapist")))
    return tuple(sections)


def _open_warning_section(review: Review) -> Section:
    """The patient's unresolved warning-sign answers: what to do now, and why no plan is given."""
    from .. import safety

    worst = max((u.action for u in review.unresolved), key=safety.ACTIONS.index)
    asked = {q.id: q.ask for q in safety.screening_questions()}
    said = tuple(asked.get(q, q) for u in review.unresolved for q in u.yes)
    return Section(
        _("Before you exercise again"),
        (
            Text(safety.screening_advice(worst)),
            Items(tuple(dict.fromkeys(said)), _("You answered yes to:")),
            Text(
                _(
                    "This report gives no new plan until a doctor or physiotherapist has seen "
                    "you about these answers, since you gave them, and said you can exercise. "
                    "When they have, record that in backkit (the form under the advice); your "
                    "next report then gives a plan to go through with them before you start it."
                )
            ),
        ),
        boxed=True,
    )


def _safety_section() -> Section:
    from .. import safety

    r = safety.rules()
    pm = r["pain_monitoring"]
    # The region's own sources name the emergency and urgent services shown.
    tags = ("NHS", "NHSI", "SILBERNAGEL", *r["region"]["sources"].split("; "))
    blocks = (
        Items(tuple(r["emergency"]["signs"]), r["emergency"]["title"] + ":"),
        Items(tuple(r["urgent"]["signs"]), r["urgent"]["title"] + ":"),
        Text(r["region_note"]),
        Items(tuple(r["stop_rules"]["rules"]), _("While you exercise:")),
        Items(safety.pain_rule(), _("How much pain is too much:")),
        Text(f"{' '.join(str(pm['note']).split())} {pm['rule_note']}"),
        Text(
            _("Sources: {sources}").format(
                sources=" ".join(r["sources"][k] for k in dict.fromkeys(tags))
            )
        ),
    )
    return Section(_("When to stop and get help"), blocks, boxed=True)


def document(review: Review, audience: str = "clinician", *, paper: str = "a4") -> Document:
    """Write the review for one audience: the sections a report shows, in words.

    Parameters
    ----------
    review : Review
        The de-identified data and what was worked out from it.
    audience : {"clinician", "patient"}
        The clinician's report speaks of the patient in the third person. Its
        first two printed pages stand alone: the warning-sign answers (first,
        boxed), the summary, the pain trend, weekly adherence and the next
        plan; the detail follows (numbered sections 1 to 6), then the
        clinical terms explained once, the clinician red flags and space for
        the clinician's notes (or the notes). Charts are drawn at the size
        they print, with no text under 8 pt. The patient's
        report speaks to them in plain words: how it went, the next plan as a
        weekly table, how to start it, and when to stop and get help.
    paper : {"a4", "letter"}
        Paper size of the printed report.

    Examples
    --------
    >>> from backkit.report import Review, document
    >>> doc = document(Review.load(None), "patient")
    >>> doc.title, [s.title for s in doc.sections][:2]
    ('Your back exercise review', ['How it went', 'Your plan for the next four weeks'])
    >>> doc = document(Review.load(None), "clinician")
    >>> [s.title for s in doc.sections][:6]  # doctest: +NORMALIZE_WHITESPACE
    ['Warning-sign answers', 'Summary', 'Pain before exercise over time', 'Adherence',
     'Next plan', '1. Adherence by exercise']
    >>> [s.title for s in doc.sections if s.page_break]  # the detail starts a page
    ['1. Adherence by exercise']
    """
    if audience not in AUDIENCES:
        raise ReportError(
            _("audience = {value}: give one of {choices}").format(
                value=repr(audience), choices=", ".join(AUDIENCES)
            )
        )
    if paper not in PAPERS:
        raise ReportError(
            _("paper = {value}: give one of {choices}").format(
                value=repr(paper), choices=", ".join(PAPERS)
            )
        )
    you = audience == "patient"
    if you:
        title = _("Your back exercise review")
        sections = _patient_sections(review)
        header = (Text(review.privacy.name, _("For:")), *_header(review, you=True))
    else:
        title = _("Back exercise review: {name}").format(name=review.privacy.name)
        sections = _clinician_sections(review)
        header = _header(review, you=False)
    return Document(title, tuple(header), sections, audience, paper, review.is_sample)
