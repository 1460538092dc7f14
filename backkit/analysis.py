"""Pain and adherence analytics: pure, vectorised functions on the session-log frame.

Every function takes the frame of ``SessionLog.frame()`` (or ``sample_log()``):
one row per exercise bout, timestamps tz-aware. Days and weeks are the
person's *local* calendar days and Monday-to-Sunday weeks, so a session at
23:30 belongs to the day it was done, across daylight-saving changes too.

Pain is the 0-10 numeric rating scale (NRS) recorded before and after each
bout. "Pain before" is the person's pain going into an exercise; it is the
measure the trend, the baseline and the change from baseline use.

Clinical numbers come from data files: the minimal clinically important
change from ``backkit/data/outcomes.yaml`` and the pain-monitoring limits from
``backkit/data/safety.yaml`` (via :mod:`backkit.safety`).

This module computes; :mod:`backkit.narrative` puts the results into
sentences and :mod:`backkit.charts` draws them.
"""

from __future__ import annotations

import functools
import math
from importlib import resources
from typing import TYPE_CHECKING, Any

from .errors import AnalysisError

if TYPE_CHECKING:
    import pandas as pd

    from .plan import Plan

__all__ = [
    "FLAG_KINDS",
    "VERDICTS",
    "baseline_pain",
    "daily_pain",
    "flare_ups",
    "immediate_effect",
    "local_day",
    "mcid_threshold",
    "outcome_facts",
    "pain_change_by_week",
    "pain_flags",
    "pain_mcid",
    "pain_trend",
    "sessions_per_week",
    "t_quantile",
    "time_under_tension",
    "weekly_adherence",
    "weekly_pain",
    "work_per_day",
]

FLAG_KINDS = ("above-limit", "rose-during", "higher-next-session")
_FLAG_COLUMNS = ["started_at", "day", "session_id", "exercise_id", "kind", "pain", "reference",
                 "message"]  # fmt: skip
#: What :func:`immediate_effect` says of each exercise (its ``verdict`` column).
VERDICTS = ("eases", "raises", "unclear")
_PAIN_COLUMNS = ["sessions", "bouts", "before_mean", "before_worst", "after_mean", "after_worst"]


# --------------------------------------------------------------------------
# Outcome facts


@functools.lru_cache(maxsize=1)
def outcome_facts() -> dict[str, Any]:
    """Return the outcome measures of ``outcomes.yaml`` (read once).

    Examples
    --------
    >>> from backkit import analysis
    >>> sorted(analysis.outcome_facts()["pain_nrs"]["mcid"])
    ['percent', 'points']
    """
    import yaml

    text = (resources.files("backkit") / "data" / "outcomes.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def pain_mcid() -> tuple[float, float]:
    """Minimal clinically important change for pain NRS: ``(points, percent)``.

    A fall of at least ``points`` *or* at least ``percent`` % of the baseline
    score is a clinically meaningful improvement in low back pain (Ostelo RWJG
    et al. 2008, "Interpreting change scores for pain and functional status in
    low back pain", Spine 33(1):90-94). The numbers are read from
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
    return frame[column].astype("Float64").astype(float)


def _pain_by(frame: pd.DataFrame, key: pd.Series, name: str) -> pd.DataFrame:
    import pandas as pd

    if frame.empty:
        out = pd.DataFrame(columns=_PAIN_COLUMNS, dtype=float)
        out.index = pd.DatetimeIndex([], name=name)
        return out
    work = pd.DataFrame(
        {
            name: key.to_numpy(),
            "session_id": frame["session_id"].to_numpy(),
            "before": _pain(frame, "pain_before").to_numpy(),
            "after": _pain(frame, "pain_after").to_numpy(),
        }
    )
    out = work.groupby(name, sort=True).agg(
        sessions=("session_id", "nunique"),
        bouts=("session_id", "size"),
        before_mean=("before", "mean"),
        before_worst=("before", "max"),
        after_mean=("after", "mean"),
        after_worst=("after", "max"),
    )
    return out


def daily_pain(frame: pd.DataFrame) -> pd.DataFrame:
    """Pain per local day: mean and worst, before and after exercise.

    Parameters
    ----------
    frame : DataFrame
        The session log.

    Returns
    -------
    DataFrame
        Indexed by ``day`` (days with at least one bout only), columns
        ``sessions``, ``bouts``, ``before_mean``, ``before_worst``,
        ``after_mean``, ``after_worst``. Means are over the day's bouts that
        have a score (NaN when none has).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> analysis.daily_pain(backkit.sample_log(weeks=1)).columns.tolist()
    ['sessions', 'bouts', 'before_mean', 'before_worst', 'after_mean', 'after_worst']
    """
    if frame.empty:
        return _pain_by(frame, frame.get("started_at"), "day")
    return _pain_by(frame, local_day(frame), "day")


def weekly_pain(frame: pd.DataFrame) -> pd.DataFrame:
    """Pain per Monday-to-Sunday week: mean and worst, before and after exercise.

    Same columns as :func:`daily_pain`, indexed by ``week`` (the Monday).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> analysis.weekly_pain(backkit.sample_log(weeks=3)).index.day_of_week.unique().tolist()
    [0]
    """
    if frame.empty:
        return _pain_by(frame, frame.get("started_at"), "week")
    return _pain_by(frame, _week_start(local_day(frame)), "week")


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
            f"argument window={window!r} must be a whole number of days", where="pain_trend"
        )
    daily = daily_pain(frame)["before_mean"]
    if daily.empty:
        return pd.Series([], index=pd.DatetimeIndex([], name="day"), dtype=float, name="trend")
    days = pd.date_range(daily.index.min(), daily.index.max(), freq="D", name="day")
    full = daily.reindex(days)
    return full.rolling(window, min_periods=1, center=True).mean().rename("trend")


# --------------------------------------------------------------------------
# Change from baseline


def baseline_pain(frame: pd.DataFrame, days: int = 7) -> float:
    """Baseline pain: mean pain before exercise over the first ``days`` days.

    The first day is the first day with a pain-before score; NaN when the
    log has none.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> round(analysis.baseline_pain(backkit.sample_log()), 1)
    4.9
    """
    import pandas as pd

    before = _pain(frame, "pain_before") if not frame.empty else pd.Series([], dtype=float)
    if before.notna().sum() == 0:
        return math.nan
    day = local_day(frame)[before.notna()]
    first = day.min()
    in_window = day < first + pd.Timedelta(days=days)
    return float(before[before.notna()][in_window].mean())


def pain_change_by_week(frame: pd.DataFrame, *, baseline_days: int = 7) -> pd.DataFrame:
    """Weekly change in pain (before exercise) from baseline, with the MCID flag.

    A week whose mean pain has fallen from the baseline by the minimal
    clinically important change (:func:`pain_mcid`, ``outcomes.yaml:
    pain_nrs.mcid``: a number of points or a percentage of the baseline,
    whichever is met) is flagged ``mcid``. Not to be confused with
    :func:`backkit.outcomes.change_from_baseline`, which compares weekly
    check-in scores.

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
        baseline; NaN when the baseline is 0), ``mcid`` (bool). The baseline
        is in ``.attrs["baseline"]``, the MCID in ``.attrs["mcid"]``.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> change = analysis.pain_change_by_week(backkit.sample_log())
    >>> bool(change["mcid"].iloc[-1])
    True
    """
    import numpy as np
    import pandas as pd

    points, percent = pain_mcid()
    base = baseline_pain(frame, baseline_days) if not frame.empty else math.nan
    weekly = weekly_pain(frame)["before_mean"].dropna()
    change = weekly - base
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = change / base * 100 if base > 0 else change * np.nan
    fall = -change
    mcid = (fall >= points - 1e-9) | (fall / base * 100 >= percent - 1e-9 if base > 0 else False)
    out = pd.DataFrame(
        {"pain": weekly, "change": change, "change_pct": pct, "mcid": mcid.astype(bool)}
    )
    out.index.name = "week"
    out.attrs["baseline"] = base
    out.attrs["mcid"] = {"points": points, "percent": percent}
    return out


def mcid_threshold(base: float) -> float:
    """Pain at or below which a fall from ``base`` is clinically meaningful.

    The smaller fall of the two criteria of :func:`pain_mcid` is enough.

    Examples
    --------
    >>> from backkit import analysis
    >>> points, percent = analysis.pain_mcid()
    >>> analysis.mcid_threshold(8.0) == 8.0 - min(points, 8.0 * percent / 100)
    True
    """
    points, percent = pain_mcid()
    # the smaller fall of the two criteria is enough
    return base - min(points, base * percent / 100)


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
        raise AnalysisError(f"p={p!r} must be between 0 and 1", where="t_quantile")
    if not df > 0:
        raise AnalysisError(f"df={df!r} must be positive", where="t_quantile")
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
    for _ in range(200):
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


def immediate_effect(frame: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Immediate effect of each exercise on pain: after minus before, with a CI.

    Each bout with both scores gives one paired difference; the mean is
    reported with a ``level`` confidence interval from the t distribution
    (NaN with fewer than two bouts). Negative means the exercise eases pain.

    The ``verdict`` column is the one place backkit decides what an exercise
    does to pain: ``"eases"`` when the whole interval is below 0,
    ``"raises"`` when it is above 0, ``"unclear"`` otherwise (the interval
    crosses 0, or there is none). Charts colour by it and the narrative
    words it.

    Returns
    -------
    DataFrame
        Indexed by ``exercise_id`` (catalogue order, exercises with at least
        one paired bout), columns ``n``, ``before``, ``after`` (means),
        ``change`` (mean after - before), ``sd``, ``ci_low``, ``ci_high``,
        ``verdict`` (categorical, one of :data:`VERDICTS`).

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> effect = analysis.immediate_effect(backkit.sample_log())
    >>> bool(effect.loc["squat", "change"] > 0 > effect.loc["knee-to-chest", "change"])
    True
    >>> effect.loc[["squat", "knee-to-chest"], "verdict"].tolist()
    ['raises', 'eases']
    """
    import numpy as np
    import pandas as pd

    from .exercises import exercise_ids

    columns = ["n", "before", "after", "change", "sd", "ci_low", "ci_high"]
    if not 0 < level < 1:
        raise AnalysisError(
            f"argument level={level!r} must be between 0 and 1", where="immediate_effect"
        )
    if frame.empty:
        out = pd.DataFrame(columns=columns, dtype=float, index=pd.Index([], name="exercise_id"))
        out["verdict"] = pd.Categorical([], categories=VERDICTS)
        return out
    before, after = _pain(frame, "pain_before"), _pain(frame, "pain_after")
    paired = before.notna() & after.notna()
    work = pd.DataFrame(
        {
            "exercise_id": frame["exercise_id"].astype(str)[paired].to_numpy(),
            "before": before[paired].to_numpy(),
            "after": after[paired].to_numpy(),
        }
    )
    work["change"] = work["after"] - work["before"]
    out = work.groupby("exercise_id").agg(
        n=("change", "size"),
        before=("before", "mean"),
        after=("after", "mean"),
        change=("change", "mean"),
        sd=("change", "std"),
    )
    order = [i for i in exercise_ids() if i in out.index]
    order += sorted(set(out.index) - set(order))  # ids from another catalogue last
    out = out.reindex(order)
    quantiles = np.array(
        [t_quantile(0.5 + level / 2, n - 1) if n > 1 else np.nan for n in out["n"]]
    )
    half = quantiles * out["sd"].to_numpy() / np.sqrt(out["n"].to_numpy())
    out["ci_low"] = out["change"] - half
    out["ci_high"] = out["change"] + half
    out["n"] = out["n"].astype(int)
    out.index.name = "exercise_id"
    out = out[columns]
    # NaN bounds (a single bout) compare False both ways: unclear
    low, high = out["ci_low"], out["ci_high"]
    verdict = np.where(high < 0, "eases", np.where(low > 0, "raises", "unclear"))
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


def pain_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Bouts and sessions that break the pain-monitoring rules (``safety.yaml``).

    Three kinds of flag (Silbernagel 2007 pain-monitoring model, extrapolated
    to low back pain; limits from ``safety.yaml: pain_monitoring.max_pain``
    and ``pain_monitoring.max_rise``, read by :func:`backkit.safety.max_pain`
    and :func:`backkit.safety.max_rise`):

    - ``above-limit``: pain after a bout above ``max_pain``;
    - ``rose-during``: pain after a bout ``max_rise`` or more points above
      pain before it;
    - ``higher-next-session``: a session starts with pain ``max_rise`` or
      more points higher than the session before started (the next-day check).

    Returns
    -------
    DataFrame
        One row per flag in time order: ``started_at``, ``day``,
        ``session_id``, ``exercise_id`` (NA for session flags), ``kind``,
        ``pain``, ``reference`` (the limit, the pain before, or the previous
        session's pain), ``message``.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> flags = analysis.pain_flags(backkit.sample_log(profile="flare-up"))
    >>> "above-limit" in set(flags["kind"])
    True
    """
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(columns=_FLAG_COLUMNS)
    parts = [*_bout_flags(frame), *_session_flags(frame)]
    if not parts:
        return pd.DataFrame(columns=_FLAG_COLUMNS)
    out = pd.concat([p.reset_index(drop=True) for p in parts], ignore_index=True)
    out["kind"] = pd.Categorical(out["kind"], categories=FLAG_KINDS)
    out = out.sort_values(["started_at", "kind"], kind="stable").reset_index(drop=True)
    return out[_FLAG_COLUMNS]


def _bout_flags(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The ``above-limit`` and ``rose-during`` flags, one frame per kind found."""
    import pandas as pd

    from . import safety
    from .exercises import exercise_ids, get_exercise

    limit, rise = safety.max_pain(), safety.max_rise()
    before, after = _pain(frame, "pain_before"), _pain(frame, "pain_after")
    day = local_day(frame)
    ex = frame["exercise_id"].astype(str)
    known = set(exercise_ids())
    names = {i: get_exercise(i).name.lower() for i in ex.unique() if i in known}
    ex_name = ex.map(lambda i: names.get(i, i))

    above = after > limit
    rose = (after - before >= rise) & ~above

    def flags(mask: pd.Series, kind: str, reference: Any, message: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "started_at": frame["started_at"][mask],
                "day": day[mask],
                "session_id": frame["session_id"][mask],
                "exercise_id": ex[mask],
                "kind": kind,
                "pain": after[mask],
                "reference": reference,
                "message": message[mask],
            }
        )

    score_after, score_before = (
        after.astype("Int64").astype(str),
        before.astype("Int64").astype(str),
    )
    parts = []
    if above.any():
        message = (
            "Pain " + score_after + "/10 after " + ex_name
            + f" is above the {limit}/10 limit: stop and reduce the load next time."
        )  # fmt: skip
        parts.append(flags(above, "above-limit", float(limit), message))
    if rose.any():
        message = (
            "Pain rose from " + score_before + " to " + score_after + " during " + ex_name
            + ": do fewer repetitions or a smaller range next time."
        )  # fmt: skip
        parts.append(flags(rose, "rose-during", before[rose], message))
    return parts


def _session_flags(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The ``higher-next-session`` flags (an empty list when there are none)."""
    import pandas as pd

    from . import safety

    rise = safety.max_rise()
    # session start pain: the first bout's score with one (by time)
    work = frame[["session_id", "started_at"]].assign(
        day=local_day(frame), before=_pain(frame, "pain_before")
    )
    work = work.sort_values("started_at", kind="stable")
    sessions = work.groupby("session_id", sort=False).agg(
        started_at=("started_at", "first"),
        day=("day", "first"),
        pain=("before", "first"),  # first non-null
    )
    sessions = sessions.sort_values("started_at", kind="stable")
    sessions = sessions[sessions["pain"].notna()]
    previous = sessions["pain"].shift(1)
    higher = (sessions["pain"] - previous >= rise).to_numpy()
    if not higher.any():
        return []
    s = sessions[higher]
    prev = previous[higher]
    flags = pd.DataFrame(
        {
            "started_at": s["started_at"],
            "day": s["day"],
            "session_id": s.index.to_numpy(),
            "exercise_id": pd.NA,
            "kind": "higher-next-session",
            "pain": s["pain"],
            "reference": prev,
            "message": "Pain was "
            + s["pain"].astype(int).astype(str)
            + "/10 at the start of this session, up from "
            + prev.astype(int).astype(str)
            + " the session before: reduce the load.",
        }
    )
    return [flags.reset_index(drop=True)]


def flare_ups(frame: pd.DataFrame, *, window: int = 7) -> pd.DataFrame:
    """Days whose pain before exercise jumped above the recent level: flare-ups.

    A day is a flare-up when its mean pain before exercise is at least
    ``safety.yaml: pain_monitoring.max_rise`` points
    (:func:`backkit.safety.max_rise`) above the mean of the daily means of the
    previous ``window`` days (the pain-monitoring model's "pain higher the
    next day", Silbernagel 2007). Single bouts above the limit are
    :func:`pain_flags`, not flare-ups.

    Returns
    -------
    DataFrame
        Indexed by ``day``: ``pain`` (the day's mean before), ``recent`` (mean
        of the previous days; NaN when none), ``worst_after``.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> len(analysis.flare_ups(backkit.sample_log(profile="flare-up"))) > 0
    True
    """
    import pandas as pd

    from . import safety

    daily = daily_pain(frame)
    if daily.empty:
        return pd.DataFrame(
            columns=["pain", "recent", "worst_after"],
            index=pd.DatetimeIndex([], name="day"),
            dtype=float,
        )
    pain = daily["before_mean"]
    days = pd.date_range(pain.index.min(), pain.index.max(), freq="D", name="day")
    recent = pain.reindex(days).rolling(window, min_periods=1).mean().shift(1).reindex(pain.index)
    jump = pain - recent >= safety.max_rise()
    out = pd.DataFrame({"pain": pain, "recent": recent, "worst_after": daily["after_worst"]})
    return out[jump]


# --------------------------------------------------------------------------
# Adherence per week


def weekly_adherence(
    frame: pd.DataFrame, plan: Plan | None = None, *, end: Any = None
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

    Returns
    -------
    (DataFrame, DataFrame)
        Per exercise: weeks (Monday) x exercise ids, the sessions' credit.
        Per week: ``credit``, ``prescribed``, ``percent``.

    Examples
    --------
    >>> import backkit
    >>> from backkit import analysis
    >>> per_ex, weeks = analysis.weekly_adherence(backkit.sample_log(), backkit.sample_plan())
    >>> int(weeks["prescribed"].iloc[1]), per_ex.shape[1]
    (49, 7)
    """
    import numpy as np
    import pandas as pd

    from .adherence import adherence

    table = adherence(frame, plan, "W", end=end)
    week = table["period"].dt.start_time
    ids = list(dict.fromkeys(table["exercise_id"].astype(str)))
    credit = table["credit"].astype(float).to_numpy()
    prescribed = table["prescribed"].astype(float).to_numpy()
    capped = np.minimum(credit, prescribed)
    work = pd.DataFrame(
        {
            "week": week.to_numpy(),
            "exercise_id": table["exercise_id"].astype(str).to_numpy(),
            "credit": credit,
            "capped": capped,
            "prescribed": prescribed,
        }
    )
    per_exercise = work.pivot_table(
        index="week", columns="exercise_id", values="credit", aggfunc="sum", sort=True
    ).reindex(columns=ids)
    sums = work.groupby("week")[["credit", "capped", "prescribed"]].sum(min_count=1)
    sums["credit"] = sums["credit"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(
            sums["prescribed"] > 0, sums["capped"] / sums["prescribed"] * 100, np.nan
        )
    weeks = pd.DataFrame(
        {"credit": sums["credit"], "prescribed": sums["prescribed"], "percent": percent},
        index=pd.DatetimeIndex(sums.index, name="week"),
    )
    per_exercise.index = weeks.index
    return per_exercise, weeks
