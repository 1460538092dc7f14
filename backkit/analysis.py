"""Pain and adherence analytics: pure, vectorised functions on the session-log frame.

Every function takes the frame of ``SessionLog.frame()`` (or ``sample_log()``):
one row per exercise bout, timestamps tz-aware. Days and weeks are the
person's *local* calendar days and Monday-to-Sunday weeks, so a session at
23:30 belongs to the day it was done, across daylight-saving changes too.

Pain is the 0-10 numeric rating scale (NRS). It is recorded at one of two
levels, and each level answers its own questions:

- a **whole-session** rating (``session_pain_before`` / ``session_pain_after``,
  given once for a sitting) feeds the day and week pain tables, the trend,
  the baseline and change from baseline, and the session-level pain flags;
- a **per-exercise** rating (the bout's ``pain_before`` / ``pain_after``, given
  for that exercise) feeds those too where there is no session rating, and it
  is the *only* source of anything said about a single exercise
  (:func:`immediate_effect`, the per-exercise flags of :func:`pain_flags`, and
  through them the narrative, the charts and :func:`backkit.review.propose_next`).
  A rating given once for a whole session says nothing about any one exercise.

Frames without the session columns (logs and CSVs from before they existed)
are read as having no session ratings.

Many logs at once: the pain tables, :func:`baseline_pain`, :func:`pain_flags`,
:func:`flare_ups` and :func:`weekly_adherence` take ``by``, the name of a
column that keys each row's log (a patient), in a frame of many logs stacked
together (the caseload's). Each rule is then applied within each log, as it
would be to that log alone, and the result is keyed by that column too; one
implementation serves both (the tests compare them).

Clinical numbers come from data files: the minimal important change (MIC) from
``backkit/data/outcomes.yaml`` and the pain-monitoring limits from
``backkit/data/safety.yaml`` (via :mod:`backkit.safety`, whose one pain rule
:func:`backkit.safety.pain_levels` every flag here applies).

How old the data are is decided once, here (:func:`staleness`): a report, the
caseload and a proposed next plan say so when the newest session is older
than :data:`STALE_AFTER_DAYS` days.

This module computes; :mod:`backkit.narrative` puts the results into
sentences and :mod:`backkit.charts` draws them.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, overload

from . import config, i18n
from .errors import AnalysisError
from .i18n import N_, ngettext
from .i18n import gettext as _

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import pandas as pd

    from .plan import Plan

__all__ = [
    "FLAG_KINDS",
    "MIN_SESSIONS",
    "MIN_WEEKS",
    "REVIEW_AFTER_DAYS",
    "STALE_AFTER_DAYS",
    "VERDICTS",
    "PainChange",
    "ShownChange",
    "baseline_pain",
    "change_in_pain",
    "change_status",
    "daily_pain",
    "flare_ups",
    "immediate_effect",
    "local_day",
    "mcid_threshold",
    "meaningful_change",
    "needs_review",
    "outcome_facts",
    "pain_change_by_week",
    "pain_flags",
    "pain_mcid",
    "pain_trend",
    "sessions_per_week",
    "shown_change",
    "staleness",
    "t_quantile",
    "time_under_tension",
    "weekly_adherence",
    "weekly_pain",
    "work_per_day",
]

FLAG_KINDS = ("above-limit", "rose-during", "higher-next-session")
_FLAG_COLUMNS = ["started_at", "day", "session_id", "exercise_id", "kind", "pain", "reference",
                 "message"]  # fmt: skip
#: What :func:`immediate_effect` says of each exercise (its ``verdict`` column): what
#: was observed, never what caused it.
VERDICTS = ("lower", "higher", "unclear", "identical", "too few")
#: Fewest sessions with a per-exercise rating before anything is said about an
#: exercise. A paired t interval's half-width is ``t(0.975, n - 1) / sqrt(n)``
#: standard deviations of the differences: 2.48 at n = 3, 1.59 at 4, 1.24 at 5,
#: 1.05 at 6, 0.84 at 8. Below 5 the interval is so wide that it says almost
#: nothing; 6 is the first count at which it is about one standard deviation
#: wide on each side.
MIN_SESSIONS = 6
#: Fewest Monday-to-Sunday weeks with rated sessions before an interval is given:
#: the interval treats each week as one unit (sessions on nearby days are not
#: independent), with ``weeks - 1`` degrees of freedom, and t(0.975, 1) = 12.7
#: makes two weeks say nothing; at three weeks t(0.975, 2) = 4.3.
MIN_WEEKS = 3
#: Days of logging after which pain that is not better prompts a review with a
#: GP or physiotherapist (NHS inform: see one when back pain is not better after
#: 2 weeks of self-care; ``safety.yaml`` source NHSI).
REVIEW_AFTER_DAYS = 14
#: Days after which the newest session makes the data stale (older than 4 weeks,
#: the kit's choice): a review, the caseload and a next plan say how old it is,
#: and a next plan from stale data raises no dose (:func:`staleness`).
STALE_AFTER_DAYS = 28
_TOL = 1e-9  # floating-point slack when a change is compared with a threshold
_SESSION_PAIN = {"pain_before": "session_pain_before", "pain_after": "session_pain_after"}
_PAIN_COLUMNS = ["sessions", "bouts", "before_mean", "before_worst", "after_mean", "after_worst"]


# --------------------------------------------------------------------------
# Outcome facts


def outcome_facts() -> dict[str, Any]:
    """Return the outcome measures of ``outcomes.yaml``, their words in the kit's language.

    Examples
    --------
    >>> from backkit import analysis
    >>> sorted(analysis.outcome_facts()["pain_nrs"]["mcid"])
    ['percent', 'points']
    """
    return _outcome_facts(config.locale_name())


@functools.lru_cache(maxsize=len(config.LANGUAGES))
def _outcome_facts(language: str) -> dict[str, Any]:
    import yaml

    text = (resources.files("backkit") / "data" / "outcomes.yaml").read_text(encoding="utf-8")
    return i18n.translate_words(yaml.safe_load(text), "outcomes.yaml", language)


def pain_mcid() -> tuple[float, float]:
    """Minimal important change (MIC) for the pain NRS: ``(points, percent)``.

    Ostelo RWJG et al. 2008 ("Interpreting change scores for pain and
    functional status in low back pain", Spine 33(1):90-94) give 2 points or
    30% of the baseline as the minimal important change (their term; the
    function keeps its older name). backkit asks for *both*
    (:func:`meaningful_change`). The numbers are read from
    ``outcomes.yaml: pain_nrs.mcid`` (``points`` and ``percent``).

    Examples
    --------
    >>> from backkit import analysis
    >>> analysis.pain_mcid()
    (2.0, 30.0)
    """
    mcid = outcome_facts()["pain_nrs"]["mcid"]
    return float(mcid["points"]), float(mcid["percent"])


# --------------------------------------------------------------------------
# Calendar helpers


def local_day(frame: pd.DataFrame) -> pd.Series:
    """Each bout's local calendar day (tz-naive midnight) from ``started_at``.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> analysis.local_day(backkit.sample_log(weeks=1)).iloc[0]
    Timestamp('2025-02-17 00:00:00')
    """
    started = frame["started_at"]
    if getattr(started.dt, "tz", None) is not None:
        # the wall clock, not UTC: a bout at 00:30 local is on that local day
        started = started.dt.tz_localize(None)
    return started.dt.normalize()


def _week_start(day: pd.Series) -> pd.Series:
    import pandas as pd

    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _pain(frame: pd.DataFrame, column: str) -> pd.Series:
    """A pain column as floats (NaN = not rated); a column the frame lacks is all NaN."""
    import pandas as pd

    if column not in frame:
        return pd.Series(float("nan"), index=frame.index, dtype=float, name=column)
    if frame[column].dtype == "float64":  # already floats with NaN gaps (the caseload's)
        return frame[column].copy()
    return frame[column].astype("Float64").astype(float)


def _level_pain(frame: pd.DataFrame, column: str) -> pd.Series:
    """Pain at the session level: the session's rating where given, else the bout's.

    For the day and week tables, the trend and session flags, never for a
    single exercise's effect.
    """
    return _pain(frame, _SESSION_PAIN[column]).fillna(_pain(frame, column))


def _did_something(frame: pd.DataFrame) -> pd.Series:
    """Bouts with something done: not 0 sets or 0 repetitions (unknown counts as done)."""
    import pandas as pd

    nothing = pd.Series(False, index=frame.index)
    for column in ("sets_done", "reps_done"):
        if column in frame:
            nothing |= (frame[column].astype("Float64") == 0).fillna(False).astype(bool)
    return ~nothing


def _keys(by: str | None) -> list[str]:
    """The grouping columns that come first: ``[by]`` for stacked logs, none for one log."""
    return [] if by is None else [by]


def _empty_index(name: str, by: str | None) -> pd.Index:
    """An empty index of days or weeks (under the log key when there is one)."""
    import pandas as pd

    days = pd.DatetimeIndex([], name=name)
    if by is None:
        return days
    return pd.MultiIndex.from_arrays([pd.Index([], dtype=object), days], names=[by, name])


def _pain_by(
    frame: pd.DataFrame,
    key: pd.Series | None,
    name: str,
    by: str | None = None,
    columns: Sequence[str] = _PAIN_COLUMNS,
) -> pd.DataFrame:
    """The pain table of :func:`daily_pain` and :func:`weekly_pain` (only ``columns`` of it)."""
    import pandas as pd

    if frame.empty or key is None:  # an empty frame's key may be None (no started_at column)
        out = pd.DataFrame(columns=list(columns), dtype=float)
        out.index = _empty_index(name, by)
        return out
    work = pd.DataFrame(
        {
            **{k: frame[k].to_numpy() for k in _keys(by)},
            name: key.to_numpy(),
            "session_id": frame["session_id"].to_numpy(),
            "before": _level_pain(frame, "pain_before").to_numpy(),
            "after": _level_pain(frame, "pain_after").to_numpy(),
        }
    )
    how = {
        "sessions": ("session_id", "nunique"),
        "bouts": ("session_id", "size"),
        "before_mean": ("before", "mean"),
        "before_worst": ("before", "max"),
        "after_mean": ("after", "mean"),
        "after_worst": ("after", "max"),
    }
    return work.groupby([*_keys(by), name], sort=True).agg(**{c: how[c] for c in columns})


def daily_pain(frame: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Pain per local day: mean and worst, before and after exercise.

    Parameters
    ----------
    frame : DataFrame
        The session log.
    by : str, optional
        The column keying each row's log, for many logs stacked in ``frame``:
        the index is then ``(by, day)``.

    Returns
    -------
    DataFrame
        Indexed by ``day`` (days with at least one bout only), columns
        ``sessions``, ``bouts``, ``before_mean``, ``before_worst``,
        ``after_mean``, ``after_worst``. Means are over the day's bouts that
        have a score (NaN when none has); a bout's score is its session's
        whole-session rating when there is one, else its own rating.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> analysis.daily_pain(backkit.sample_log(weeks=1)).columns.tolist()
    ['sessions', 'bouts', 'before_mean', 'before_worst', 'after_mean', 'after_worst']
    """
    if frame.empty:
        return _pain_by(frame, frame.get("started_at"), "day", by)
    return _pain_by(frame, local_day(frame), "day", by)


def weekly_pain(frame: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Pain per Monday-to-Sunday week: mean and worst, before and after exercise.

    Same columns as :func:`daily_pain`, indexed by ``week`` (the Monday), or
    by ``(by, week)`` for logs stacked with a key column ``by``.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> analysis.weekly_pain(backkit.sample_log(weeks=3)).index.day_of_week.unique().tolist()
    [0]
    """
    if frame.empty:
        return _pain_by(frame, frame.get("started_at"), "week", by)
    return _pain_by(frame, _week_start(local_day(frame)), "week", by)


def pain_trend(frame: pd.DataFrame, window: int = 7) -> pd.Series:
    """Rolling mean of daily pain before exercise, for every calendar day.

    The mean is over the days with a score in the ``window`` days centred on
    each day (a trailing window would show a flare-up a few days late); it is
    NaN on days with no score in the window, so a long gap breaks the line.
    The last days use the half-window they have.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> trend = analysis.pain_trend(backkit.sample_log(weeks=2))
    >>> len(trend)
    14
    """
    import pandas as pd

    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise AnalysisError(
            _("argument window={window} must be a whole number of days").format(
                window=repr(window)
            ),
            where="pain_trend",
        )
    daily = daily_pain(frame)["before_mean"]
    if daily.empty:
        return pd.Series([], index=pd.DatetimeIndex([], name="day"), dtype=float, name="trend")
    days = pd.date_range(daily.index.min(), daily.index.max(), freq="D", name="day")
    full = daily.reindex(days)
    return full.rolling(window, min_periods=1, center=True).mean().rename("trend")


# --------------------------------------------------------------------------
# Change from baseline


@overload
def baseline_pain(frame: pd.DataFrame, days: int = 7, *, by: None = None) -> float: ...


@overload
def baseline_pain(frame: pd.DataFrame, days: int = 7, *, by: str) -> pd.Series: ...


def baseline_pain(frame: pd.DataFrame, days: int = 7, *, by: str | None = None) -> Any:
    """Baseline pain: mean pain before exercise over the first ``days`` days.

    The first day is the first day with a pain-before score; NaN when the
    log has none. For logs stacked with a key column ``by``: a Series of
    each log's baseline, indexed by the key (logs without scores left out).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> round(analysis.baseline_pain(backkit.sample_log()), 1)
    5.0
    """
    import pandas as pd

    before = _level_pain(frame, "pain_before") if not frame.empty else pd.Series([], dtype=float)
    if by is not None:
        if frame.empty:
            return pd.Series([], index=pd.Index([], name=by), dtype=float, name="baseline")
        scored = before.notna().to_numpy()
        work = pd.DataFrame(
            {
                by: frame[by].to_numpy()[scored],
                "day": local_day(frame).to_numpy()[scored],
                "before": before.to_numpy()[scored],
            }
        )
        first = work.groupby(by, sort=False)["day"].transform("min")
        inside = work[(work["day"] < first + pd.Timedelta(days=days)).to_numpy()]
        # the scores are whole numbers: their sum, so the mean, is exact in any order
        return inside.groupby(by, sort=True)["before"].mean().rename("baseline")
    if before.notna().sum() == 0:
        return math.nan
    day = local_day(frame)[before.notna()]
    first = day.min()
    in_window = day < first + pd.Timedelta(days=days)
    return float(before[before.notna()][in_window].mean())


def meaningful_change(base: float) -> float:
    """Points of change from a baseline of ``base`` that the kit counts as meaningful.

    The larger of the two criteria of :func:`pain_mcid`: at least 2 points
    *and* at least 30% of the baseline. 2 points or 30% is the minimal
    important change of Ostelo 2008, who accept either. Smaller values have
    been reported for the pain NRS (Abbott & Schmitt 2014 report minimal
    important differences from 1.5 to 3.5 points); backkit asks for both
    criteria as a conservative choice, so 30% of a low baseline alone never
    counts, and from a high baseline a larger raw fall is needed (Farrar JT
    et al. 2001, Pain 94(2):149-158), which the 30% gives. A rise of the same
    size is counted as meaningful worsening: that is the kit's choice (the
    papers define improvement).

    Examples
    --------
    >>> from backkit import analysis
    >>> analysis.meaningful_change(5.0), analysis.meaningful_change(8.0)
    (2.0, 2.4)
    """
    points, percent = pain_mcid()
    return round(max(points, base * percent / 100), 10)


def mcid_threshold(base: float) -> float:
    """Pain at or below which a fall from ``base`` is clinically meaningful.

    ``base - meaningful_change(base)`` (:func:`meaningful_change`).

    Examples
    --------
    >>> from backkit import analysis
    >>> analysis.mcid_threshold(8.0), analysis.mcid_threshold(5.0)
    (5.6, 3.0)
    """
    return round(base - meaningful_change(base), 10)


def change_status(base: float, change: float) -> str:
    """What a change in pain from a baseline is: the kit's one verdict on it.

    ``"improved"`` (a fall of at least :func:`meaningful_change`), ``"worse"``
    (a rise as large: the kit's choice), ``"no meaningful change"``, or ``"no
    data"`` (NaN). The caseload, the reports and the narrative all use it.

    Examples
    --------
    >>> from backkit import analysis
    >>> analysis.change_status(5.0, -2.0), analysis.change_status(5.0, -1.98)
    ('improved', 'no meaningful change')
    >>> analysis.change_status(8.0, -2.0), analysis.change_status(3.0, 2.0)
    ('no meaningful change', 'worse')
    """
    if math.isnan(base) or math.isnan(change):
        return "no data"
    need = meaningful_change(base)
    if -change >= need - _TOL:
        return "improved"
    if change >= need - _TOL:
        return "worse"
    return "no meaningful change"


def _decimals(pairs: list[tuple[float, float]], shown: Any, least: int, most: int = 4) -> int:
    """Fewest decimals (from ``least``) at which no shown value crosses its threshold.

    ``pairs`` are (value, threshold); ``shown(value, d)`` is the value as it
    is shown with ``d`` decimals. A value that reaches its threshold must
    still reach it as shown, and one that falls short must still fall short.
    """
    for d in range(least, most + 1):
        if all(
            (v >= t - _TOL) == (shown(v, d) >= round(t, d) - _TOL)
            for v, t in pairs
            if not math.isnan(v)
        ):
            return d
    return most


@dataclass(frozen=True)
class ShownChange:
    """A change in pain from a baseline as text, with as many decimals as it takes.

    Pain is shown with one decimal, unless that would make the shown numbers
    disagree with the verdict (1.979 shown as "2.0" next to "under 2 points"):
    then with as many as it takes (``1.98``), for every number of the sentence
    (baseline, latest, change and points needed) alike, so they add up.
    Percentages likewise (``29.9%`` rather than a "30%" that does not reach 30).
    ``change`` and ``percent`` are signed (``"-1.98"``, ``"-39.6%"``), ``size``
    and ``percent_size`` are not; ``percent`` is None for a baseline of 0.
    """

    baseline: str
    latest: str
    change: str
    size: str
    needed: str
    percent: str | None
    percent_size: str | None


def shown_change(base: float, latest: float) -> ShownChange:
    """How to show the change from ``base`` to ``latest`` so its numbers and verdict agree.

    The verdict (:func:`change_status`, :func:`meaningful_change`) compares the
    numbers as computed; this picks the decimals so that the numbers as shown
    compare the same way with each threshold (2 points, 30%, the points needed
    from this baseline), and so that the shown baseline and latest differ by
    the shown change on the same side of each threshold.

    Examples
    --------
    >>> from backkit import analysis
    >>> analysis.shown_change(5.0, 3.0).size, analysis.shown_change(5.0, 3.021).size
    ('2.0', '1.98')
    >>> s = analysis.shown_change(5.0, 3.021)
    >>> s.baseline, s.latest, s.change, s.percent
    ('5.00', '3.02', '-1.98', '-40%')
    >>> s = analysis.shown_change(6.7, 4.7)  # 2 points, but 29.85% and 2.01 needed
    >>> s.size, s.needed, s.percent_size, analysis.change_status(6.7, -2.0)
    ('2.00', '2.01', '29.9%', 'no meaningful change')
    """
    points, percent = pain_mcid()
    change = latest - base
    size = abs(change)
    need = meaningful_change(base)
    thresholds = [(size, points), (size, need)]

    def gap(value: float, d: int) -> float:  # the change as the shown ends give it
        return abs(round(latest, d) - round(base, d))

    d = max(
        _decimals(thresholds, lambda v, k: round(v, k), 1),
        _decimals(thresholds, gap, 1),
    )
    pct = change / base * 100 if base > 0 else math.nan
    p = _decimals([(abs(pct), percent)], lambda v, k: round(v, k), 0)
    return ShownChange(
        baseline=f"{base:.{d}f}",
        latest=f"{latest:.{d}f}",
        change=f"{change:+.{d}f}".replace("+-", "-"),
        size=f"{size:.{d}f}",
        needed=f"{need:.{d}f}",
        percent=None if math.isnan(pct) else f"{pct:+.{p}f}%",
        percent_size=None if math.isnan(pct) else f"{abs(pct):.{p}f}%",
    )


def staleness(newest: Any, today: Any = None) -> str | None:
    """How old the data are, when too old to act on: None while they are fresh.

    The one rule for stale data: the newest session is more than
    :data:`STALE_AFTER_DAYS` days (4 weeks) before ``today`` (default
    :func:`backkit.config.today`). Then this says how old it is, in words
    for a sentence ("the newest session is 6 weeks old"); the clinician's
    report, the caseload and :func:`backkit.review.propose_next` show it.

    Parameters
    ----------
    newest : date, Timestamp or None
        The day of the newest session (None: nothing logged, which is not stale).
    today : date, optional
        The day the data are looked at.

    Examples
    --------
    >>> import datetime as dt
    >>> from backkit import analysis
    >>> day = dt.date(2025, 3, 31)
    >>> analysis.staleness(dt.date(2025, 3, 3), day) is None  # exactly 4 weeks
    True
    >>> analysis.staleness(dt.date(2025, 3, 2), day)
    'the newest session is 4 weeks and 1 day old'
    >>> analysis.staleness(dt.date(2025, 2, 17), day)
    'the newest session is 6 weeks old'
    >>> analysis.staleness(dt.date(2024, 3, 2), day)
    'the newest session is 13 months old'
    """
    import pandas as pd

    from .config import today as kit_today

    if newest is None or (not isinstance(newest, str) and pd.isna(newest)):
        return None
    when = pd.Timestamp(newest).date()
    day = pd.Timestamp(today).date() if today is not None else kit_today()
    age = (day - when).days
    if age <= STALE_AFTER_DAYS:
        return None
    return _("the newest session is {age} old").format(age=_age_words(age))


def _age_words(days: int) -> str:
    """An age in days as words: weeks (and days) up to 8 weeks, then months, then years."""
    if days < 56:
        weeks, rest = divmod(days, 7)
        text = ngettext("{weeks} week", "{weeks} weeks", weeks).format(weeks=weeks)
        if not rest:
            return text
        # Translators: an age such as "4 weeks and 1 day"; {weeks} is already "4 weeks"
        return ngettext("{weeks} and {days} day", "{weeks} and {days} days", rest).format(
            weeks=text, days=rest
        )
    if days < 730:
        months = round(days / 30.44)
        return ngettext("{months} month", "{months} months", months).format(months=months)
    years = days // 365
    return ngettext("{years} year", "{years} years", years).format(years=years)


def pain_change_by_week(frame: pd.DataFrame, *, baseline_days: int = 7) -> pd.DataFrame:
    """Weekly change in pain (before exercise) from baseline, with the kit's verdict.

    A week whose mean pain has fallen from the baseline by
    :func:`meaningful_change` (2 points and 30% of the baseline: the minimal
    important change, MIC, ``outcomes.yaml: pain_nrs.mcid``) is ``improved``
    (and flagged ``mcid``); one that has risen by as much is ``worse`` (the
    kit's choice: the same size of change). Not to be confused with
    :func:`backkit.outcomes.change_from_baseline`, which compares weekly
    check-in scores.

    A limitation, said wherever the result is shown: the MIC was set for a
    person's rating of their usual pain at two points in time (Ostelo 2008);
    here it is applied to the mean of a week's ratings before exercise,
    against the mean of the first week's. The weekly check-in's "average
    pain over the last week" is the closer match to what the MIC was made for.

    Parameters
    ----------
    frame : DataFrame
        The session log.
    baseline_days : int, default 7
        Days from the first pain score that make the baseline.

    Returns
    -------
    DataFrame
        Indexed by ``week`` (Monday), columns ``pain`` (mean before, 0-10),
        ``change`` (points; negative is a fall), ``change_pct`` (% of
        baseline; NaN when the baseline is 0), ``mcid`` (bool: a meaningful
        fall), ``status`` (``improved``, ``worse`` or ``no meaningful
        change``). The baseline is in ``.attrs["baseline"]``, the rule in
        ``.attrs["mcid"]`` (``points``, ``percent`` and ``needed``: the
        points needed from this baseline).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> change = analysis.pain_change_by_week(backkit.sample_log())
    >>> bool(change["mcid"].iloc[-1]), change["status"].iloc[-1]
    (True, 'improved')
    """
    import numpy as np
    import pandas as pd

    points, percent = pain_mcid()
    base = baseline_pain(frame, baseline_days) if not frame.empty else math.nan
    weekly = weekly_pain(frame)["before_mean"].dropna()
    change = weekly - base
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = change / base * 100 if base > 0 else change * np.nan
    status = [change_status(base, float(c)) for c in change]
    out = pd.DataFrame(
        {
            "pain": weekly,
            "change": change,
            "change_pct": pct,
            "mcid": np.array([s == "improved" for s in status], dtype=bool),
            "status": pd.Series(status, index=weekly.index, dtype=object),
        }
    )
    out.index.name = "week"
    out.attrs["baseline"] = base
    needed = meaningful_change(base) if not math.isnan(base) else math.nan
    out.attrs["mcid"] = {"points": points, "percent": percent, "needed": needed}
    return out


@dataclass(frozen=True)
class PainChange:
    """The latest week's pain against the baseline, and what the kit makes of it.

    ``status`` is ``"no data"`` (no pain scores), ``"first week"`` (nothing to
    compare yet), ``"improved"``, ``"worse"`` or ``"no meaningful change"``.
    ``needed`` is the change in points the kit counts as meaningful from this
    baseline (:func:`meaningful_change`); ``points_met`` and ``percent_met``
    say which of its two criteria the latest change reaches (in either
    direction).
    """

    status: str
    baseline: float | None = None
    latest: float | None = None
    change: float | None = None
    percent: float | None = None
    needed: float | None = None
    points_met: bool = False
    percent_met: bool = False


def change_in_pain(frame: pd.DataFrame, *, baseline_days: int = 7) -> PainChange:
    """The latest week's pain before exercise against the baseline, classified.

    The last row of :func:`pain_change_by_week`, with which criterion of
    :func:`meaningful_change` was met, for sentences and tables (no NaN in
    it: missing values are None).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> latest = analysis.change_in_pain(backkit.sample_log())
    >>> latest.status, latest.points_met, latest.percent_met
    ('improved', True, True)
    """
    if frame.empty:
        return PainChange("no data")
    weeks = pain_change_by_week(frame, baseline_days=baseline_days)
    base = weeks.attrs["baseline"]
    if weeks.empty or math.isnan(base):
        return PainChange("no data")
    if len(weeks) < 2:
        return PainChange("first week", baseline=float(base), latest=float(weeks["pain"].iloc[0]))
    last = weeks.iloc[-1]
    points, percent = pain_mcid()
    size = abs(float(last["change"]))
    pct = None if math.isnan(last["change_pct"]) else float(last["change_pct"])
    return PainChange(
        status=str(last["status"]),
        baseline=float(base),
        latest=float(last["pain"]),
        change=float(last["change"]),
        percent=pct,
        needed=meaningful_change(base),
        points_met=size >= points - 1e-9,
        percent_met=pct is not None and abs(pct) >= percent - 1e-9,
    )


def needs_review(frame: pd.DataFrame) -> bool:
    """Whether pain is not better after :data:`REVIEW_AFTER_DAYS` days of logging.

    True when the log spans at least two weeks, has pain scores, and the
    latest week's pain has not fallen by :func:`meaningful_change` from the
    baseline: NHS inform advises seeing a GP or physiotherapist when back
    pain is not better after 2 weeks of self-care.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> analysis.needs_review(backkit.sample_log(profile="plateau"))
    True
    >>> analysis.needs_review(backkit.sample_log(weeks=1, profile="plateau"))
    False
    """
    if frame.empty:
        return False
    day = local_day(frame)
    if (day.max() - day.min()).days + 1 < REVIEW_AFTER_DAYS:
        return False
    return change_in_pain(frame).status in ("worse", "no meaningful change")


# --------------------------------------------------------------------------
# Immediate effect of each exercise


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t distribution (scipy is not a dependency).

    Exact closed forms for 1 and 2 degrees of freedom; otherwise the
    regularised incomplete beta function (continued fraction) inverted by
    bisection, accurate to about 1e-10.

    Examples
    --------
    >>> from backkit.analysis import t_quantile
    >>> round(t_quantile(0.975, 10), 4)
    2.2281
    """
    from statistics import NormalDist

    if not 0 < p < 1:
        raise AnalysisError(
            _("p={p} must be between 0 and 1").format(p=repr(p)), where="t_quantile"
        )
    if not df > 0:
        raise AnalysisError(_("df={df} must be positive").format(df=repr(df)), where="t_quantile")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1 - p, df)
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    if math.isinf(df) or df > 1e7:
        return NormalDist().inv_cdf(p)
    tail = 1 - p
    lo, hi = 0.0, max(2.0, 2 * NormalDist().inv_cdf(p))
    while _t_upper_tail(hi, df) > tail:
        lo, hi = hi, hi * 2
    for _step in range(200):
        mid = (lo + hi) / 2
        if _t_upper_tail(mid, df) > tail:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2


def _t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0."""
    return 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) (Numerical Recipes' continued fraction)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return h


def _exercise_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """One (before, after) pair per exercise per session, from per-exercise ratings only.

    Whole-session ratings are never used. Bouts with nothing done (0 sets or
    0 repetitions) and bouts without both ratings are left out; the bouts of
    one exercise in one session (both sides, repeats) are averaged into one
    pair, because they are not independent measurements. ``week`` is the
    Monday of the session's first rated bout (local time).
    """
    import pandas as pd

    before, after = _pain(frame, "pain_before"), _pain(frame, "pain_after")
    keep = (before.notna() & after.notna() & _did_something(frame)).to_numpy()
    work = pd.DataFrame(
        {
            "exercise_id": frame["exercise_id"].astype(str).to_numpy()[keep],
            "session_id": frame["session_id"].astype(str).to_numpy()[keep],
            "week": _week_start(local_day(frame)).to_numpy()[keep] if keep.any() else [],
            "before": before.to_numpy()[keep],
            "after": after.to_numpy()[keep],
        }
    )
    pairs = work.groupby(["exercise_id", "session_id"], sort=False).agg(
        week=("week", "min"), before=("before", "mean"), after=("after", "mean")
    )
    pairs = pairs.reset_index()
    pairs["change"] = pairs["after"] - pairs["before"]
    return pairs


def _week_se(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per exercise: the weeks, and the standard error of the mean change with weeks as units.

    The cluster-robust (sandwich) standard error with each week as a cluster,
    with the small-sample factor ``G / (G - 1)`` for ``G`` weeks: sessions in
    the same week may go together (a bad week raises several), which a
    standard error from independent sessions ignores. It is never taken
    smaller than the standard error of independent sessions, ``sd / sqrt(n)``:
    with few weeks the clustered one is itself uncertain and can come out too
    small (the larger of the two, as Angrist & Pischke 2009, Mostly Harmless
    Econometrics, ch. 8, advise).
    """
    import numpy as np

    residual = pairs["change"] - pairs.groupby("exercise_id")["change"].transform("mean")
    per_week = residual.groupby([pairs["exercise_id"], pairs["week"]]).sum()
    by_ex = (per_week**2).groupby(level="exercise_id").agg(["sum", "size"])
    n = pairs.groupby("exercise_id")["change"].agg(["size", "std"])
    weeks = by_ex["size"].reindex(n.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        clustered = np.sqrt(weeks / (weeks - 1) * by_ex["sum"].reindex(n.index)) / n["size"]
        independent = n["std"] / np.sqrt(n["size"])
    out = n.assign(weeks=weeks, se=np.fmax(clustered, independent))
    return out[["weeks", "se"]]


def immediate_effect(frame: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Pain straight after each exercise minus pain before it, per session, with a CI.

    Only per-exercise ratings count (the bout's ``pain_before`` and
    ``pain_after``); a whole-session rating says nothing about one exercise
    and is never used here. Each session gives one paired difference per
    exercise: its bouts of that exercise (both sides, repeats) are averaged,
    and bouts with nothing done (0 sets or 0 repetitions, as when the timer
    was stopped on the first side) are left out. The mean difference over the
    sessions is reported with a ``level`` confidence interval.

    The interval treats each Monday-to-Sunday week as one unit: one person's
    daily sessions are not independent (a bad week raises several), so an
    interval that counted every session as a separate observation would claim
    more precision than the data hold. Its standard error is clustered by
    week (:func:`_week_se`), never smaller than that of independent sessions,
    with the t distribution on ``weeks - 1`` degrees of freedom. It remains a
    guide: weeks can go together too (pain that improves over months), and
    a change here is an average, not one session's change.

    The ``verdict`` column is the one place backkit decides what it can say
    about an exercise, in words of what was observed, not of what caused it:

    - ``"too few"``: fewer than :data:`MIN_SESSIONS` sessions, or sessions in
      fewer than :data:`MIN_WEEKS` weeks (no interval is computed: from so
      few it would mean nothing);
    - ``"identical"``: every session's difference is the same (an interval
      of zero width would claim a certainty the data do not have: none is
      given);
    - ``"lower"`` / ``"higher"``: the whole interval is below / above 0 (pain
      was lower / higher straight after the exercise than before it, on
      average; how large the average is, is a separate question);
    - ``"unclear"``: the interval crosses 0.

    Charts colour by it and the narrative words it.

    Returns
    -------
    DataFrame
        Indexed by ``exercise_id`` (catalogue order, exercises with at least
        one rated session), columns ``n`` (sessions counted), ``weeks``
        (weeks with a counted session), ``before``, ``after`` (means),
        ``change`` (mean after - before), ``sd`` (of the sessions'
        differences), ``ci_low``, ``ci_high`` (NaN when there is no
        interval), ``verdict`` (categorical, one of :data:`VERDICTS`).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> effect = analysis.immediate_effect(backkit.sample_log(seed=2))
    >>> bool(effect.loc["squat", "change"] > 0 > effect.loc["knee-to-chest", "change"])
    True
    >>> effect.loc[["squat", "knee-to-chest", "bridge"], "verdict"].tolist()
    ['higher', 'lower', 'unclear']
    >>> int(effect.loc["squat", "weeks"])
    11
    """
    import numpy as np
    import pandas as pd

    from .exercises import exercise_ids

    columns = ["n", "weeks", "before", "after", "change", "sd", "ci_low", "ci_high"]
    if not 0 < level < 1:
        raise AnalysisError(
            _("argument level={level} must be between 0 and 1").format(level=repr(level)),
            where="immediate_effect",
        )
    pairs = _exercise_pairs(frame) if not frame.empty else None
    if pairs is None or pairs.empty:
        out = pd.DataFrame(columns=columns, dtype=float, index=pd.Index([], name="exercise_id"))
        out["verdict"] = pd.Categorical([], categories=VERDICTS)
        return out
    out = pairs.groupby("exercise_id").agg(
        n=("change", "size"),
        before=("before", "mean"),
        after=("after", "mean"),
        change=("change", "mean"),
        sd=("change", "std"),
        spread=("change", lambda c: float(c.max() - c.min())),
    )
    out = out.join(_week_se(pairs))
    order = [i for i in exercise_ids() if i in out.index]
    order += sorted(set(out.index) - set(order))  # ids from another catalogue last
    out = out.reindex(order)
    n, weeks = out["n"].to_numpy(), out["weeks"].to_numpy()
    enough = (n >= MIN_SESSIONS) & (weeks >= MIN_WEEKS)
    identical = (n >= MIN_SESSIONS) & (out["spread"].to_numpy() < 1e-9)
    enough &= ~identical
    quantiles = np.array([t_quantile(0.5 + level / 2, g - 1) if g > 1 else np.nan for g in weeks])
    half = np.where(enough, quantiles * out["se"].to_numpy(), np.nan)
    out["ci_low"] = out["change"] - half
    out["ci_high"] = out["change"] + half
    out["n"] = out["n"].astype(int)
    out["weeks"] = out["weeks"].astype(int)
    out.index.name = "exercise_id"
    out = out[columns]
    low, high = out["ci_low"].to_numpy(), out["ci_high"].to_numpy()
    verdict = np.where(high < 0, "lower", np.where(low > 0, "higher", "unclear"))
    verdict = np.where(identical, "identical", np.where(enough, verdict, "too few"))
    out["verdict"] = pd.Categorical(verdict, categories=VERDICTS)
    return out


# --------------------------------------------------------------------------
# Dose and consistency


def time_under_tension(frame: pd.DataFrame) -> pd.DataFrame:
    """Time under tension per session: sum of sets x reps x seconds per rep done.

    Returns
    -------
    DataFrame
        One row per session, in time order: ``session_id``, ``started_at``
        (the first bout's), ``day`` (local), ``bouts``, ``seconds``.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> tut = analysis.time_under_tension(backkit.sample_log(weeks=1))
    >>> tut.columns.tolist()
    ['session_id', 'started_at', 'day', 'bouts', 'seconds']
    """
    import pandas as pd

    columns = ["session_id", "started_at", "day", "bouts", "seconds"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    seconds = _seconds(frame, "done")
    work = frame[["session_id", "started_at"]].assign(day=local_day(frame), seconds=seconds)
    grouped = work.groupby("session_id", sort=False)
    out = grouped.agg(
        started_at=("started_at", "min"),
        day=("day", "min"),
        bouts=("seconds", "size"),
    )
    out["seconds"] = grouped["seconds"].sum(min_count=1)
    return (
        out.reset_index().sort_values("started_at", kind="stable").reset_index(drop=True)[columns]
    )


def _seconds(frame: pd.DataFrame, kind: str) -> pd.Series:
    """Seconds of work per bout, ``"done"`` or ``"planned"``: sets x reps x seconds per rep."""
    return (
        frame[f"sets_{kind}"].astype("Float64")
        * frame[f"reps_{kind}"].astype("Float64")
        * frame[f"hold_s_{kind}"].astype("Float64")
    ).astype(float)


def work_per_day(frame: pd.DataFrame, exercise_id: str) -> pd.DataFrame:
    """One exercise per local day: seconds of work done and planned, and mean pain.

    Work is counted as in :func:`time_under_tension` (sets x reps x seconds
    per rep), both sides added.

    Parameters
    ----------
    frame : DataFrame
        The session log (every exercise; ``exercise_id`` is picked out).
    exercise_id : str
        A catalogue id such as ``"bridge"``.

    Returns
    -------
    DataFrame
        Indexed by ``day`` (days the exercise was logged), columns
        ``seconds_done``, ``seconds_planned`` (NaN when no bout of the day has
        the counts), ``pain_before``, ``pain_after`` (means over the day's
        bouts with a score).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> work = analysis.work_per_day(backkit.sample_log(weeks=1), "bridge")
    >>> work.columns.tolist()
    ['seconds_done', 'seconds_planned', 'pain_before', 'pain_after']
    """
    import pandas as pd

    columns = ["seconds_done", "seconds_planned", "pain_before", "pain_after"]
    rows = frame[frame["exercise_id"].astype(str) == exercise_id] if len(frame) else frame
    if rows.empty:
        return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], name="day"), dtype=float)
    per_day = pd.DataFrame(
        {
            "day": local_day(rows).to_numpy(),
            "seconds_done": _seconds(rows, "done").to_numpy(),
            "seconds_planned": _seconds(rows, "planned").to_numpy(),
            "pain_before": _pain(rows, "pain_before").to_numpy(),
            "pain_after": _pain(rows, "pain_after").to_numpy(),
        }
    ).groupby("day")
    work = per_day[["seconds_done", "seconds_planned"]].sum(min_count=1)
    return work.join(per_day[["pain_before", "pain_after"]].mean())[columns]


def sessions_per_week(frame: pd.DataFrame) -> pd.Series:
    """Sittings (distinct session ids) per local Monday-to-Sunday week, empty weeks as 0.

    Not the sessions of :mod:`backkit.adherence`, which counts days per exercise.

    Returns
    -------
    Series
        Named ``sessions``, indexed by ``week`` (the Monday), every week from
        the first logged to the last.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> per_week = analysis.sessions_per_week(backkit.sample_log(weeks=3))
    >>> len(per_week), per_week.index.day_of_week.unique().tolist()
    (3, [0])
    """
    import pandas as pd

    if frame.empty:
        return pd.Series([], index=pd.DatetimeIndex([], name="week"), dtype=int, name="sessions")
    week = _week_start(local_day(frame))
    per_week = frame.groupby(week.to_numpy())["session_id"].nunique()
    weeks = pd.date_range(per_week.index.min(), per_week.index.max(), freq="7D", name="week")
    return per_week.reindex(weeks, fill_value=0).rename("sessions")


# --------------------------------------------------------------------------
# Pain monitoring


def pain_flags(frame: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Exercises and sessions that break the kit's one pain rule (``safety.yaml``).

    The rule is :func:`backkit.safety.pain_levels` (the same one the timer's
    advice after Save uses): it adapts a pain-monitoring model from
    tendinopathy research (Silbernagel 2007) to low back pain, measured from
    the pain before, and its rise rule is the kit's own. Three kinds of flag:

    - ``above-limit`` (stop now, do less next time): pain after an exercise,
      or after a whole session, above ``max_pain`` (5/10) *and* at least
      ``max_rise`` (2) points above the pain before (above ``max_pain``
      alone when the pain before was not rated), so that a person whose pain
      is 6/10 before and after is not flagged;
    - ``rose-during`` (do less next time): pain after ``max_rise`` or more
      points above pain before but within the limit, for an exercise or for
      a whole session;
    - ``higher-next-session`` (do less next time): a session starts with
      pain ``max_rise`` or more points higher than the session before
      started (backkit's own rule; whether pain settles by the next morning
      is asked in the weekly check-in). A session's starting pain is its
      whole-session rating, else the first per-exercise rating before.

    Flags naming an exercise come only from that exercise's own ratings (one
    flag of a kind per exercise per session, both sides together); flags from
    whole-session ratings name no exercise (``exercise_id`` is NA).

    For logs stacked with a key column ``by``, each log is flagged as it
    would be alone (a session follows the one before in the same log) and
    the result has the key as its first column, ordered by key, then time.

    Returns
    -------
    DataFrame
        One row per flag in time order: ``started_at``, ``day``,
        ``session_id``, ``exercise_id`` (NA for session flags), ``kind``,
        ``pain``, ``reference`` (the pain before, NaN when it was not rated,
        or the previous session's pain), ``message``. One row is one flag: one
        exercise in one session, or one whole session (count sessions with
        ``session_id``).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> flags = analysis.pain_flags(backkit.sample_log(profile="flare-up"))
    >>> sorted(set(flags["kind"]))
    ['higher-next-session', 'rose-during']
    >>> print(flags["message"].iloc[0])  # doctest: +NORMALIZE_WHITESPACE
    Pain rose from 3 to 5 during bodyweight squat, within 5/10 (the kit's rule: a rise of 2
    or more points means fewer repetitions or a smaller range next time).
    """
    import pandas as pd

    columns = [*_keys(by), *_FLAG_COLUMNS]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    day = local_day(frame)  # once, for the three kinds
    parts = [
        *_bout_flags(frame, day, by),
        *_session_rating_flags(frame, day, by),
        *_session_flags(frame, day, by),
    ]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat([p.reset_index(drop=True) for p in parts], ignore_index=True)
    out["kind"] = pd.Categorical(out["kind"], categories=FLAG_KINDS)
    out = out.sort_values([*_keys(by), "started_at", "kind"], kind="stable")
    return out.reset_index(drop=True)[columns]


def _score(values: pd.Series) -> pd.Series:
    """Whole-number scores as text for messages (means of two sides keep one decimal)."""
    return values.map(lambda v: f"{v:g}" if float(v).is_integer() else config.number_text(v, 1))


def _sentences(template: str, **columns: Any) -> list[str]:
    """``template`` (translated) filled in for each row: one series or value per placeholder."""
    import pandas as pd

    text = _(template)
    n = max(len(c) for c in columns.values() if isinstance(c, pd.Series))
    cells = {k: (list(c) if isinstance(c, pd.Series) else [c] * n) for k, c in columns.items()}
    return [text.format(**{k: cells[k][i] for k in cells}) for i in range(n)]


def _flag_frame(rows: pd.DataFrame, kind: str, reference: Any, message: pd.Series) -> pd.DataFrame:
    import pandas as pd

    keys = [c for c in rows.columns if c not in _RATED_COLUMNS]  # the log key, if any
    return pd.DataFrame(
        {
            **{k: rows[k] for k in keys},
            "started_at": rows["started_at"],
            "day": rows["day"],
            "session_id": rows["session_id"],
            "exercise_id": rows.get("exercise_id", pd.NA),
            "kind": kind,
            "pain": rows["after"],
            "reference": reference,
            "message": message,
        }
    )


def _rating_flags(
    rows: pd.DataFrame, what: Callable[[pd.DataFrame], pd.Series]
) -> list[pd.DataFrame]:
    """``above-limit`` and ``rose-during`` flags of rated rows (``before``, ``after``).

    ``what(rows)`` names what was rated in words, asked of the flagged rows only.
    """
    import pandas as pd

    from . import safety

    limit, rise = safety.max_pain(), safety.max_rise()
    over, rose = safety.pain_levels(rows["before"].to_numpy(), rows["after"].to_numpy())
    parts = []
    if over.any():
        r = rows[over]
        w = what(r)
        known = r["before"].notna()
        before = r["before"].where(known, 0)
        went = _sentences(
            N_(
                "Pain went from {before} to {after}/10 during {what}: above {limit}/10 and a "
                "rise of {rise} points, over the limit of the kit's pain rule: stop it for the "
                "day, do less next time."
            ),
            before=_score(before),
            after=_score(r["after"]),
            what=w,
            limit=limit,
            rise=_score(r["after"] - before),
        )
        unrated = _sentences(
            N_(
                "Pain was {after}/10 after {what}, above {limit}/10 (the pain before was not "
                "rated): over the limit of the kit's pain rule: stop it for the day, do less "
                "next time."
            ),
            after=_score(r["after"]),
            what=w,
            limit=limit,
        )
        message = pd.Series(went, index=r.index).where(known, pd.Series(unrated, index=r.index))
        parts.append(_flag_frame(r, "above-limit", r["before"], message))
    if rose.any():
        r = rows[rose]
        message = pd.Series(
            _sentences(
                N_(
                    "Pain rose from {before} to {after} during {what}, within {limit}/10 (the "
                    "kit's rule: a rise of {rise} or more points means fewer repetitions or a "
                    "smaller range next time)."
                ),
                before=_score(r["before"]),
                after=_score(r["after"]),
                what=what(r),
                limit=limit,
                rise=rise,
            ),
            index=r.index,
        )
        parts.append(_flag_frame(r, "rose-during", r["before"], message))
    return parts


#: The columns of the rated rows that _rating_flags reads; any other is the log key.
_RATED_COLUMNS = ("started_at", "day", "session_id", "exercise_id", "before", "after")


def _times(work: pd.DataFrame) -> Any:
    """``started_at`` as integers that sort as the times do (a time not known: last)."""
    import numpy as np
    import pandas as pd

    when = pd.DatetimeIndex(work["started_at"])
    return np.where(when.isna(), np.iinfo(np.int64).max, when.asi8)


def _in_time_order(work: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """``work`` in time order (within each log of stacked logs), equal times as they came.

    What ``sort_values([by, "started_at"], kind="stable")`` gives, by numpy's
    stable lexsort: pandas' sort on several columns is several times slower.
    """
    import numpy as np
    import pandas as pd

    keys = [_times(work)]
    if by is not None:
        keys.append(pd.factorize(work[by], sort=True)[0])
    return work.take(np.lexsort(keys))


def _bout_flags(frame: pd.DataFrame, day: pd.Series, by: str | None) -> list[pd.DataFrame]:
    """Per-exercise flags, from per-exercise ratings only (one per exercise and session)."""
    import numpy as np
    import pandas as pd

    from .exercises import exercise_ids, get_exercise

    before, after = _pain(frame, "pain_before"), _pain(frame, "pain_after")
    rated = after.notna().to_numpy()
    if not rated.any():
        return []
    exercise: Any = frame["exercise_id"]
    if isinstance(exercise.dtype, pd.CategoricalDtype):
        exercise = exercise.array
    else:
        exercise = exercise.astype(str).to_numpy()
    work = pd.DataFrame(
        {
            **{k: frame[k].to_numpy()[rated] for k in _keys(by)},
            # the array, not to_numpy(): tz-aware times would become Timestamp objects
            "started_at": frame["started_at"].array[rated],
            "day": day.to_numpy()[rated],
            "session_id": frame["session_id"].to_numpy()[rated],
            # a log's categories as they are (text only for the rows kept): quicker to compare
            "exercise_id": exercise[rated],
            "before": before.to_numpy()[rated],
            "after": after.to_numpy()[rated],
        }
    )
    # both sides (and repeats) of one exercise in one session: one flag, the worst
    worst_first = np.lexsort((_times(work), -work["after"].to_numpy()))  # stable, like pandas'
    work = work.take(worst_first).drop_duplicates([*_keys(by), "session_id", "exercise_id"])
    work = _in_time_order(work, by)
    work["exercise_id"] = work["exercise_id"].astype(str)
    known = set(exercise_ids())

    def what(rows: pd.DataFrame) -> pd.Series:
        ids = rows["exercise_id"]
        names = {i: get_exercise(i).name.lower() for i in ids.unique() if i in known}
        return ids.map(lambda i: names.get(i, i))

    return _rating_flags(work, what)


def _session_rating_flags(
    frame: pd.DataFrame, day: pd.Series, by: str | None
) -> list[pd.DataFrame]:
    """Whole-session flags from whole-session ratings (they name no exercise)."""
    import pandas as pd

    after = _pain(frame, "session_pain_after")
    if after.isna().all():
        return []
    work = frame[[*_keys(by), "session_id", "started_at"]].assign(
        day=day, before=_pain(frame, "session_pain_before"), after=after
    )
    work = _in_time_order(work, by)
    sessions = work.groupby([*_keys(by), "session_id"], sort=False).agg(
        started_at=("started_at", "first"),
        day=("day", "first"),
        before=("before", "first"),
        after=("after", "first"),
    )
    sessions = sessions[sessions["after"].notna()].reset_index()
    return _rating_flags(sessions, lambda rows: pd.Series(_("the session"), index=rows.index))


def _session_flags(frame: pd.DataFrame, day: pd.Series, by: str | None) -> list[pd.DataFrame]:
    """The ``higher-next-session`` flags (an empty list when there are none)."""
    import pandas as pd

    from . import safety

    rise = safety.max_rise()
    # session start pain: the session's rating, else the first bout's with one (by time)
    work = frame[[*_keys(by), "session_id", "started_at"]].assign(
        day=day,
        rated=_pain(frame, "session_pain_before"),
        before=_pain(frame, "pain_before"),
    )
    work = _in_time_order(work, by)
    sessions = work.groupby([*_keys(by), "session_id"], sort=False).agg(
        started_at=("started_at", "first"),
        day=("day", "first"),
        rated=("rated", "first"),  # first non-null
        before=("before", "first"),
    )
    sessions["pain"] = sessions["rated"].fillna(sessions["before"])
    sessions = _in_time_order(sessions.reset_index(), by)
    sessions = sessions[sessions["pain"].notna()]
    # the session before in the same log
    previous = sessions["pain"].shift(1) if by is None else sessions.groupby(by)["pain"].shift(1)
    higher = (sessions["pain"] - previous >= rise).to_numpy()
    if not higher.any():
        return []
    s = sessions[higher]
    prev = previous[higher]
    flags = pd.DataFrame(
        {
            **{k: s[k] for k in _keys(by)},
            "started_at": s["started_at"],
            "day": s["day"],
            "session_id": s["session_id"].to_numpy(),
            "exercise_id": pd.NA,
            "kind": "higher-next-session",
            "pain": s["pain"],
            "reference": prev,
            "message": _sentences(
                N_(
                    "Pain was {pain}/10 at the start of this session, up from {before} the session "
                    "before (the kit's rule: a rise of {rise} or more points means do less next "
                    "time)."
                ),
                pain=_score(s["pain"]),
                before=_score(prev),
                rise=rise,
            ),
        }
    )
    return [flags.reset_index(drop=True)]


def flare_ups(frame: pd.DataFrame, *, window: int = 7, by: str | None = None) -> pd.DataFrame:
    """Days whose pain before exercise jumped above the recent level: flare-ups.

    A day is a flare-up when its mean pain before exercise (the whole-session
    rating where given, else the per-exercise ones) is at least
    ``safety.yaml: pain_monitoring.max_rise`` points
    (:func:`backkit.safety.max_rise`) above the mean of the daily means of the
    previous ``window`` days (the pain-monitoring model's "pain higher the
    next day", Silbernagel 2007, with the kit's rise rule). Single bouts above the limit are
    :func:`pain_flags`, not flare-ups.

    Returns
    -------
    DataFrame
        Indexed by ``day``: ``pain`` (the day's mean before), ``recent`` (mean
        of the previous days; NaN when none), ``worst_after``. For logs
        stacked with a key column ``by``, indexed by ``(by, day)``: each log's
        previous days are its own.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> len(analysis.flare_ups(backkit.sample_log(profile="flare-up"))) > 0
    True
    """
    import pandas as pd

    from . import safety

    # the two columns used of daily_pain (counting sessions is the slow part)
    if frame.empty:
        daily = _pain_by(frame, None, "day", by, ["before_mean", "after_worst"])
    else:
        daily = _pain_by(frame, local_day(frame), "day", by, ["before_mean", "after_worst"])
    if daily.empty:
        return pd.DataFrame(
            columns=["pain", "recent", "worst_after"], index=_empty_index("day", by), dtype=float
        )
    pain = daily["before_mean"]
    if by is None:
        days = pd.date_range(pain.index.min(), pain.index.max(), freq="D", name="day")
        rolled = pain.reindex(days).rolling(window, min_periods=1).mean().shift(1)
    else:
        rolled = _rolled_by(pain, window, by)
    recent = rolled.reindex(pain.index)
    jump = pain - recent >= safety.max_rise()
    out = pd.DataFrame({"pain": pain, "recent": recent, "worst_after": daily["after_worst"]})
    return out[jump]


def _rolled_by(pain: pd.Series, window: int, by: str) -> pd.Series:
    """:func:`flare_ups`'s mean of the previous ``window`` days, within each log of ``pain``.

    ``pain`` is indexed by ``(by, day)``, sorted. Every calendar day of each
    log's span is laid out, as for one log, and the same rolling mean runs on
    each log's days alone (pandas computes a group's window exactly as it
    computes a lone series').
    """
    import numpy as np
    import pandas as pd

    key = pain.index.get_level_values(by)
    day = pain.index.get_level_values("day")
    bounds = (
        pd.DataFrame({"key": key, "day": day}).groupby("key", sort=False)["day"].agg(["min", "max"])
    )
    lengths = ((bounds["max"] - bounds["min"]).dt.days + 1).to_numpy()
    start = np.repeat(bounds["min"].to_numpy(), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    every = pd.MultiIndex.from_arrays(
        [np.repeat(bounds.index.to_numpy(), lengths),
         pd.DatetimeIndex(start + offset.astype("timedelta64[D]"), name="day")],
        names=[by, "day"],
    )  # fmt: skip
    full = pain.reindex(every)
    mean = full.groupby(level=by, sort=False).rolling(window, min_periods=1).mean()
    mean = mean.droplevel(0)  # groupby-rolling repeats the key in front
    return mean.groupby(level=by, sort=False).shift(1)


# --------------------------------------------------------------------------
# Adherence per week


def weekly_adherence(
    frame: pd.DataFrame,
    plan: Plan | Mapping[Any, Plan | None] | None = None,
    *,
    end: Any = None,
    by: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sessions done per week and exercise, and the week's adherence to ``plan``.

    A thin layer over :func:`backkit.adherence.adherence` (which defines the
    measures: a *session* of an exercise is a day it was done, partial days
    count in part, and adherence is credit / prescribed capped at 1 per
    exercise). The week's ``percent`` is the prescription-weighted mean of
    the exercises' adherence, so extra squats do not make up for skipped
    bridges.

    Parameters
    ----------
    frame : DataFrame
        The session log (not empty).
    plan : Plan, optional
        The prescription; without one ``prescribed`` and ``percent`` are NaN.
    end : date, optional
        Last day counted (default: the last day logged).
    by : str, optional
        For many logs stacked in ``frame``, the column keying each row's log:
        ``plan`` and ``end`` may then map a key to that log's (as
        :func:`backkit.adherence.adherence` takes them), and both tables are
        indexed by ``(by, week)``.

    Returns
    -------
    (DataFrame, DataFrame)
        Per exercise: weeks (Monday) x exercise ids, the sessions' credit.
        Per week: ``credit``, ``prescribed``, ``percent``; its
        ``attrs["overall"]`` is the adherence's ``overall`` (by key for
        stacked logs).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> per_ex, weeks = analysis.weekly_adherence(backkit.sample_log(), backkit.sample_plan())
    >>> int(weeks["prescribed"].iloc[1]), per_ex.shape[1]
    (41, 7)
    """
    import numpy as np
    import pandas as pd

    from .adherence import adherence

    table = adherence(frame, plan, "W", end=end, by=by)
    overall = table.attrs["overall"]
    table.attrs.clear()  # pandas deep-copies attrs into every result made from the table
    week = table["period"].dt.start_time
    exercise = table["exercise_id"].astype(str).to_numpy()
    ids = list(dict.fromkeys(exercise))
    credit = table["credit"].astype(float).to_numpy()
    prescribed = table["prescribed"].astype(float).to_numpy()
    capped = np.minimum(credit, prescribed)
    keys = _keys(by)
    work = pd.DataFrame(
        {
            **{k: table[k].to_numpy() for k in keys},
            "week": week.to_numpy(),
            "exercise_id": exercise,
            "credit": credit,
            "capped": capped,
            "prescribed": prescribed,
        }
    )
    per_exercise = work.pivot_table(
        index=[*keys, "week"], columns="exercise_id", values="credit", aggfunc="sum", sort=True
    ).reindex(columns=ids)
    # Summed without gaps (a week with nothing prescribed is put back as NaN after): pandas
    # may sum a column with gaps another way, which would change a log's sums in the last
    # digit when other logs stacked with it have gaps.
    known = work["prescribed"].notna().to_numpy()
    work[["capped", "prescribed"]] = work[["capped", "prescribed"]].fillna(0.0)
    weekly = work.assign(known=known).groupby([*keys, "week"])
    sums = pd.DataFrame({c: weekly[c].sum() for c in ("credit", "capped", "prescribed")})
    sums.loc[(weekly["known"].sum() == 0).to_numpy(), ["capped", "prescribed"]] = np.nan
    sums["credit"] = sums["credit"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(
            sums["prescribed"] > 0, sums["capped"] / sums["prescribed"] * 100, np.nan
        )
    index = sums.index
    if by is None:
        index = pd.DatetimeIndex(index, name="week")
    weeks = pd.DataFrame(
        {"credit": sums["credit"], "prescribed": sums["prescribed"], "percent": percent},
        index=index,
    )
    weeks.attrs["overall"] = overall
    per_exercise.index = weeks.index
    return per_exercise, weeks
