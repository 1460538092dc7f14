"""Adherence: how much of the prescribed home exercise was done, and streaks.

Adherence to home exercise is "the extent to which behaviour matches the
recommendations agreed with the clinician" (the WHO definition of adherence,
applied to exercise). A common measure, taken from logs or diaries, is
*sessions completed / sessions prescribed x 100*; there is no agreed or
validated measure (Holden 2014; Bollen 2014). Studies report its parts separately: how
often (frequency) and how much each time (dose, duration): in one neck and
back study adherence to session duration was 70.9% but to weekly frequency
only 60.7% (BMC Musculoskelet Disord 2009, 10:155). :func:`adherence` follows
that: it reports sessions prescribed, done in full, done in part, the
adherence ratio, and the hold-time ratio as a separate duration measure.

Everything is vectorised pandas: no Python loop runs over log rows.

Definitions (used by every function here)
-----------------------------------------
bout fraction
    ``(sets_done x reps_done) / (sets_planned x reps_planned)``, capped at 1:
    the share of the bout's planned repetitions that were done. When the
    counts are unknown, a ``completed`` bout counts 1 and a ``partial`` bout 0.
session (of one exercise)
    One calendar day (in the log's time zone) on which the exercise was
    done. Its *credit* is the bout fractions of that day added up and capped
    at 1; an exercise done one side at a time needs both sides, so its credit
    is the mean of the left and right credits. A day counts at most once per
    exercise, however many times the exercise was done.
done
    Sessions with the full dose (credit 1).
partial
    Sessions with some, but not all, of the dose (credit below 1).
prescribed
    Sessions the plan asks for in the period (:meth:`backkit.plan.Plan.prescribed`):
    each planned weekday, or ``days_per_week / 7`` per plan day.
adherence
    ``(done + the credit of partial sessions) / prescribed``, capped at 1;
    sessions on days off the plan's weekdays still count (frequency is what
    is prescribed), days outside the plan's dates do not.
hold ratio
    Mean over bouts of ``hold_s_done / hold_s_planned``, capped at 1: the
    duration part of adherence, reported apart.
day meeting the plan
    A day within the plan's dates on which every exercise of the plan has
    credit 1 (on any day, planned or not). A streak counts such days in a
    row; a planned day that does not meet the plan breaks it. Rest days
    neither count nor break a streak: days off the plan's weekdays, and with
    ``days_per_week = k`` the first ``7 - k`` days of each Monday-to-Sunday
    week that do not meet the plan. The last day analysed never breaks a
    streak (it may not be over yet). Without a plan, a streak counts days
    with any exercise logged.

Many logs at once: :func:`adherence` takes ``by``, the name of a column
keying each row's log (a patient) in a frame of many logs stacked together,
with a plan (and days) per log; each log is measured as it would be alone,
by the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import config
from . import exercises as _exercises
from .errors import AnalysisError
from .i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

    from .plan import Plan

__all__ = ["Streaks", "adherence", "credits", "daily", "streaks"]

_TOLERANCE = 1e-9  # credits summed from fractions (1/3 + 1/3 + 1/3) must reach 1


@dataclass(frozen=True)
class Streaks:
    """Days meeting the plan in a row: the run at the end of the span and the longest."""

    current: int
    longest: int
    last_day: dt.date | None  # the last day analysed


def _bouts(log_frame: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """Per bout: local day, exercise, session, fraction done (overall, left, right), hold ratio.

    ``keys`` are columns carried over first (the log key of stacked logs).
    """
    import numpy as np
    import pandas as pd

    df = log_frame
    start = df["started_at"]
    if isinstance(start.dtype, pd.DatetimeTZDtype):
        start = start.dt.tz_localize(None)  # wall-clock time: the person's own calendar day

    def num(name: str) -> np.ndarray:
        if name not in df:  # a frame without hold times (the caseload's): none known
            return np.full(len(df), np.nan)
        if df[name].dtype == float:
            return df[name].to_numpy()
        # pandas-stubs type pd.array(Series, dtype="Float64") as no overload; pandas accepts it
        column = pd.array(df[name], dtype="Float64")  # type: ignore[call-overload]
        return column.to_numpy(dtype=float, na_value=np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (num("sets_done") * num("reps_done")) / (num("sets_planned") * num("reps_planned"))
        hold = num("hold_s_done") / num("hold_s_planned")
    frac[~np.isfinite(frac)] = np.nan
    hold[~np.isfinite(hold)] = np.nan
    status = df["status"]
    if not isinstance(status.dtype, pd.CategoricalDtype):  # categories compare by their codes
        status = status.astype(object)
    completed = (status == "completed").to_numpy(dtype=bool)
    frac = np.where(np.isnan(frac), completed.astype(float), np.clip(frac, 0.0, 1.0))
    side = df["side"].astype(object)
    return pd.DataFrame(
        {
            **{k: df[k].to_numpy() for k in keys},
            "day": start.dt.normalize().to_numpy(),
            "exercise_id": _exercise_ids(df["exercise_id"]),
            "session_id": df["session_id"].astype(object).to_numpy(),
            "frac": frac,
            "left": frac * side.isin(["left", "both"]).to_numpy(),
            "right": frac * side.isin(["right", "both"]).to_numpy(),
            "hold": np.clip(hold, 0.0, 1.0),
        }
    )


def _exercise_ids(column: pd.Series) -> Any:
    """The exercise ids as text: a log's categories kept (their codes group quickly).

    The categories are put in the order of the text, so anything grouped by
    them comes out in the same order as grouped by the text.
    """
    import pandas as pd

    if (
        isinstance(column.dtype, pd.CategoricalDtype)
        and column.cat.categories.map(type).isin([str]).all()
        and not column.isna().any()
    ):
        return column.array.reorder_categories(sorted(column.cat.categories))
    return column.astype(str).to_numpy()  # a missing id is the text "nan", as it always was


def _sessions(bouts: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """Per (day, exercise), within ``keys``: the session's credit (0-1) and its number of bouts."""
    import numpy as np

    # observed: only the exercises logged (the ids may be categories). Hold ratios are
    # summed without gaps (counted apart): pandas may sum a column with gaps another way,
    # which would change a log's sums in the last digit when stacked with other logs.
    work = bouts.assign(held=bouts["hold"].fillna(0.0))
    g = work.groupby([*keys, "day", "exercise_id"], sort=True, observed=True)
    agg = g.agg(
        frac=("frac", "sum"),
        left=("left", "sum"),
        right=("right", "sum"),
        hold=("held", "sum"),
        holds=("hold", "count"),
        bouts=("frac", "size"),
    ).reset_index()
    # as objects: mapping a categorical gives a categorical (pandas 2.2), refusing a fill
    ids = agg["exercise_id"].astype(object)
    per_side = ids.map(_per_side()).fillna(False).to_numpy(dtype=bool)
    credit = np.where(
        per_side,
        (agg["left"].clip(upper=1) + agg["right"].clip(upper=1)) / 2,
        agg["frac"].clip(upper=1),
    )
    agg["credit"] = np.where(credit >= 1 - _TOLERANCE, 1.0, credit)
    agg["full"] = (agg["credit"] >= 1).astype(int)
    return agg.drop(columns=["frac", "left", "right"])


def credits(log_frame: pd.DataFrame, day: dt.date | None = None) -> dict[str, float]:
    """Each exercise's *credit* (0-1, the definitions above) on ``day``: the kit's one "done".

    1 is done (the full dose), between 0 and 1 part done, and an exercise
    with bouts that did nothing (every repetition skipped) has 0: it is not
    done, whatever its rows say. ``day`` defaults to :func:`backkit.config.today`.

    Examples
    --------
    >>> import datetime as dt, backkit
    >>> from backkit.adherence import credits
    >>> log = backkit.SessionLog(":memory:")
    >>> when = "2025-03-03T09:00:00+00:00"
    >>> _ = log.record(exercise_id="bridge", started_at=when, sets_planned=1, reps_planned=10,
    ...                sets_done=1, reps_done=10)
    >>> _ = log.record(exercise_id="squat", started_at=when, sets_planned=1, reps_planned=10,
    ...                sets_done=1, reps_done=4)
    >>> _ = log.record(exercise_id="knee-to-chest", side="left", started_at=when,
    ...                reps_planned=3, reps_done=0)
    >>> credits(log.frame(), dt.date(2025, 3, 3))
    {'bridge': 1.0, 'knee-to-chest': 0.0, 'squat': 0.4}
    """
    import pandas as pd

    if log_frame.empty:
        return {}
    bouts = _bouts(log_frame)
    on_day = bouts[bouts["day"] == pd.Timestamp(day or config.today())]
    if on_day.empty:
        return {}
    table = _sessions(on_day)
    pairs = zip(table["exercise_id"], table["credit"], strict=True)
    return {str(ex_id): round(float(credit), 6) for ex_id, credit in pairs}


def _per_side() -> dict[str, bool]:
    return {ex_id: _exercises.get_exercise(ex_id).per_side for ex_id in _exercises.exercise_ids()}


def _span(
    log_frame: pd.DataFrame, plan: Plan | None, start: Any, end: Any
) -> tuple[dt.date, dt.date]:
    """The days analysed: the plan's dates (or the log's), clipped to the last logged day."""
    import pandas as pd

    days = log_frame["started_at"]
    if isinstance(days.dtype, pd.DatetimeTZDtype):
        days = days.dt.tz_localize(None)
    first_log = days.min().date() if len(days) else None
    last_log = days.max().date() if len(days) else None
    return _span_of(first_log, last_log, plan, start, end)


def _span_of(
    first_log: dt.date | None, last_log: dt.date | None, plan: Plan | None, start: Any, end: Any
) -> tuple[dt.date, dt.date]:
    """:func:`_span` for a log whose first and last logged days are known."""
    import pandas as pd

    if start is not None:
        first = pd.Timestamp(start).date()
    elif plan is not None:
        first = plan.start
    else:
        first = first_log or config.today()
    if end is not None:
        last = pd.Timestamp(end).date()
    else:
        last = last_log or first
        if plan is not None and plan.end is not None:
            last = min(last, plan.end)
        last = max(last, first)
    if last < first:
        raise AnalysisError(
            _("end = {end} is before start = {start}").format(end=last, start=first),
            where="adherence",
        )
    return first, last


def adherence(
    log_frame: pd.DataFrame,
    plan: Plan | Mapping[Any, Plan | None] | None = None,
    freq: str = "W",
    *,
    start: dt.date | str | Mapping[Any, dt.date | str | None] | None = None,
    end: dt.date | str | Mapping[Any, dt.date | str | None] | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Return adherence per period and exercise: prescribed, done, partial, ratio.

    The measures are defined in this module's docstring: a common measure
    (sessions completed / prescribed, with frequency and duration reported
    apart), not a validated one.

    Parameters
    ----------
    log_frame : DataFrame
        A session log (:meth:`backkit.SessionLog.frame` or ``sample_log()``).
    plan : Plan, optional
        The prescription. Without one, the table reports raw frequency
        (sessions, days, done and partial) and leaves ``prescribed`` and
        ``adherence`` empty (NA).
    freq : str
        Period length: ``"D"``, ``"W"`` (Monday to Sunday) or ``"M"``.
    start, end : date or 'YYYY-MM-DD', optional
        The days to analyse, both included. Defaults: from the plan's start
        (without a plan, the first logged day) to the last logged day (or
        the plan's end if earlier). The result depends only on its inputs, so
        days missed since the last session count only when you ask: pass
        ``end=backkit.config.today()``.
    by : str, optional
        For many logs stacked in ``log_frame``: the column keying each row's
        log. ``plan``, ``start`` and ``end`` may then be mappings from a key
        to that log's value (a plan mapping names the logs measured: others
        are left out); each log is measured as it would be alone, and the
        table has the key as its first column, logs in key order. ``attrs``
        holds ``start``, ``end`` and ``overall`` by key, and no streaks
        (:func:`streaks` measures one log).

    Returns
    -------
    DataFrame
        One row per period and exercise (the plan's exercises, in plan order;
        without a plan, every exercise in the log), every period of the span
        included:

        ``period`` (pandas Period), ``exercise_id`` (categorical),
        ``prescribed`` (Float64: sessions), ``sessions`` (Int64: distinct
        session ids), ``days`` (Int64: days with any bout), ``done`` (Int64:
        days with the full dose), ``partial`` (Int64: days with part of it),
        ``credit`` (Float64: done plus the fractions of partial days),
        ``adherence`` (Float64, 0-1: credit / prescribed, capped at 1),
        ``hold_ratio`` (Float64, 0-1: mean hold done / planned).

        ``attrs`` holds ``current_streak`` and ``longest_streak`` (days
        meeting the plan in a row, see :func:`streaks`), ``start``, ``end``
        and ``overall`` (total credit / total prescribed, capped at 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from backkit.log import conform, COLUMNS
    >>> from backkit.plan import Plan
    >>> rows = [dict.fromkeys(COLUMNS) | dict(session_id=f"s{i}", exercise_id="bridge",
    ...         side="both", started_at=f"2024-05-{d:02d}T08:00", sets_planned=3, reps_planned=10,
    ...         sets_done=s, reps_done=10, status="completed" if s == 3 else "partial",
    ...         source="manual") for i, (d, s) in enumerate([(6, 3), (8, 3), (10, 1)])]
    >>> log = conform(pd.DataFrame(rows), tz="UTC")
    >>> plan = Plan("Bridges MWF", items=["bridge"], weekdays=["mon", "wed", "fri"],
    ...             start="2024-05-06")
    >>> t = adherence(log, plan)
    >>> t[["prescribed", "done", "partial", "credit", "adherence"]].round(3)
       prescribed  done  partial  credit  adherence
    0         3.0     2        1   2.333      0.778
    >>> t.attrs["current_streak"], t.attrs["longest_streak"]
    (2, 2)
    """
    import pandas as pd

    if by is not None:
        return _adherence_by(log_frame, plan, freq, start, end, by)
    if isinstance(plan, Mapping) or isinstance(start, Mapping) or isinstance(end, Mapping):
        raise AnalysisError(_("a plan or days per log need by= (the log key)"), where="adherence")
    first, last = _span(log_frame, plan, start, end)
    bouts = _bouts(log_frame)
    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    bouts = bouts[(bouts["day"] >= lo) & (bouts["day"] <= hi)]
    if plan is not None:
        wanted = [item.exercise_id for item in plan.items]
        bouts = bouts[bouts["exercise_id"].isin(wanted)]
    _add_period(bouts, freq)
    grid = _grid(plan, first, last, freq, logged=set(bouts["exercise_id"].unique()))
    out, sessions = _periods(bouts, grid, freq, ())
    if plan is not None:
        total = float(out["prescribed"].sum())
        overall = min(1.0, float(out["credit"].sum()) / total) if total > 0 else None
    else:
        overall = None
    s = _streaks(sessions, plan, first, last)
    out.attrs.update(
        current_streak=s.current,
        longest_streak=s.longest,
        start=first,
        end=last,
        overall=overall,
        freq=freq,
    )
    return out


def _add_period(bouts: pd.DataFrame, freq: str) -> None:
    import pandas as pd

    try:
        bouts["period"] = pd.PeriodIndex(bouts["day"], freq=freq)
    except (ValueError, TypeError):
        raise AnalysisError(
            _("freq = {freq} is not a period; use 'D', 'W' or 'M'").format(freq=repr(freq)),
            where="adherence",
        ) from None


def _periods(
    bouts: pd.DataFrame, grid: pd.DataFrame, freq: str, keys: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table of :func:`adherence` (without attrs) from its bouts and grid, and the sessions.

    ``keys`` (the log key of stacked logs, or none) come first in both.
    """
    import numpy as np
    import pandas as pd

    sessions = _sessions(bouts, keys)
    sessions["period"] = pd.PeriodIndex(sessions["day"], freq=freq)

    by = [*keys, "period", "exercise_id"]
    per = sessions.groupby(by, observed=True).agg(
        days=("credit", "size"),
        done=("full", "sum"),
        credit=("credit", "sum"),
        hold=("hold", "sum"),
        holds=("holds", "sum"),
    )
    per["partial"] = per["days"] - per["done"]
    per["sessions"] = bouts.drop_duplicates([*by, "session_id"]).groupby(by, observed=True).size()

    ids = _exercises.exercise_ids()
    table = grid.merge(per.reset_index(), on=by, how="left")
    extra = sorted(set(table["exercise_id"]) - set(ids))
    out = pd.DataFrame(
        {
            **{k: table[k] for k in keys},
            "period": table["period"],
            "exercise_id": pd.Categorical(table["exercise_id"], categories=ids + extra),
            "prescribed": pd.array(table["prescribed"], dtype="Float64"),
            "sessions": pd.array(table["sessions"].fillna(0), dtype="Int64"),
            "days": pd.array(table["days"].fillna(0), dtype="Int64"),
            "done": pd.array(table["done"].fillna(0), dtype="Int64"),
            "partial": pd.array(table["partial"].fillna(0), dtype="Int64"),
            "credit": pd.array(table["credit"].fillna(0.0), dtype="Float64"),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out["credit"] / out["prescribed"].where(out["prescribed"] > 0)
    out["adherence"] = ratio.clip(upper=1.0)
    hold = (table["hold"] / table["holds"].where(table["holds"] > 0)).to_numpy(dtype=float)
    out["hold_ratio"] = pd.array(hold, dtype="Float64")
    return out, sessions


def _adherence_by(
    log_frame: pd.DataFrame, plan: Any, freq: str, start: Any, end: Any, by: str
) -> pd.DataFrame:
    """:func:`adherence` of every log stacked in ``log_frame``, keyed by the column ``by``."""
    import pandas as pd

    def each(value: Any, key: Hashable) -> Any:
        return value.get(key) if isinstance(value, Mapping) else value

    bouts = _bouts(log_frame, [by])
    plans = dict(plan) if isinstance(plan, Mapping) else dict.fromkeys(pd.unique(bouts[by]), plan)
    order = sorted(plans)
    logged = bouts.groupby(by, sort=False)["day"].agg(["min", "max"])
    firsts, lasts = logged["min"].to_dict(), logged["max"].to_dict()
    spans = {}
    for key in order:
        first_log, last_log = firsts.get(key), lasts.get(key)
        spans[key] = _span_of(
            first_log.date() if first_log is not None else None,
            last_log.date() if last_log is not None else None,
            plans[key], each(start, key), each(end, key),
        )  # fmt: skip
    bouts = _inside(bouts, by, order, plans, spans)
    _add_period(bouts, freq)
    out, _ = _periods(bouts, _grids(bouts, by, order, plans, spans, freq), freq, [by])
    out.attrs.update(
        start={k: spans[k][0] for k in order},
        end={k: spans[k][1] for k in order},
        overall=_overall_by(out, by, plans),
        freq=freq,
    )
    return out


def _inside(
    bouts: pd.DataFrame,
    by: str,
    order: list[Any],
    plans: dict[Any, Plan | None],
    spans: dict[Any, tuple[dt.date, dt.date]],
) -> pd.DataFrame:
    """The bouts inside their own log's span, of an exercise of their own log's plan."""
    import numpy as np
    import pandas as pd

    # a last row for the logs left out: no day is inside NaT, no exercise allowed
    row = pd.Index(order).get_indexer(bouts[by])
    row[row < 0] = len(order)
    lo = np.array([*(spans[k][0] for k in order), None], dtype="datetime64[ns]")
    hi = np.array([*(spans[k][1] for k in order), None], dtype="datetime64[ns]")
    ex_code, ex_ids = pd.factorize(bouts["exercise_id"])
    column = {ex_id: i for i, ex_id in enumerate(ex_ids)}
    allowed = np.zeros((len(order) + 1, len(ex_ids)), dtype=bool)
    for i, key in enumerate(order):
        plan = plans[key]
        wanted = list(column) if plan is None else [item.exercise_id for item in plan.items]
        allowed[i, [column[x] for x in wanted if x in column]] = True
    day = bouts["day"].to_numpy()
    return bouts[(day >= lo[row]) & (day <= hi[row]) & allowed[row, ex_code]]


def _grids(
    bouts: pd.DataFrame,
    by: str,
    order: list[Any],
    plans: dict[Any, Plan | None],
    spans: dict[Any, tuple[dt.date, dt.date]],
    freq: str,
) -> pd.DataFrame:
    """:func:`_grid` of every log, keyed by ``by`` (logs with the same plan and span share one)."""
    import pandas as pd

    logged: dict[Any, set[str]] = {}
    if any(plans[k] is None for k in order):
        ids = bouts.groupby(by, observed=True)["exercise_id"].unique()
        logged = {k: set(v) for k, v in ids.items()}
    cache: dict[Any, pd.DataFrame] = {}
    grids = []
    for key in order:
        plan, (first, last) = plans[key], spans[key]
        if plan is None:
            grids.append(_grid(None, first, last, freq, logged=logged.get(key, set())))
            continue
        if (plan, first, last) not in cache:
            cache[plan, first, last] = _grid(plan, first, last, freq, logged=set())
        grids.append(cache[plan, first, last])
    columns = [by, "period", "exercise_id", "prescribed"]
    if not grids:
        return pd.DataFrame({name: [] for name in columns})
    grid = pd.concat(grids, keys=order, names=[by, None]).reset_index(level=0)
    return grid.reset_index(drop=True)[columns]


def _overall_by(out: pd.DataFrame, by: str, plans: dict[Any, Plan | None]) -> dict[Any, Any]:
    """Each log's ``overall``: its rows summed as :func:`adherence` sums one log's (same order)."""
    import itertools

    import numpy as np

    overall: dict[Any, Any] = dict.fromkeys(plans)
    key_of = out[by].to_numpy()
    edges = np.flatnonzero(np.r_[True, key_of[1:] != key_of[:-1], True]) if len(out) else ()
    prescribed, credits = out["prescribed"].array, out["credit"].array  # what Series.sum sums
    for a, b in itertools.pairwise(edges):
        key = key_of[a]
        if plans[key] is None:
            continue
        total = float(prescribed[a:b].sum())
        credit = float(credits[a:b].sum())
        overall[key] = min(1.0, credit / total) if total > 0 else None
    return overall


def _grid(
    plan: Plan | None, first: dt.date, last: dt.date, freq: str, *, logged: set[str]
) -> pd.DataFrame:
    """Every (period, exercise) of the span with what was prescribed (NaN without a plan)."""
    import numpy as np
    import pandas as pd

    if plan is not None:
        grid = plan.prescribed(first, last, freq=freq)[["period", "exercise_id", "prescribed"]]
        grid["exercise_id"] = grid["exercise_id"].astype(str)
        return grid
    ids = _exercises.exercise_ids()
    periods = pd.period_range(pd.Period(first, freq), pd.Period(last, freq))
    present = [i for i in ids if i in logged] + sorted(logged - set(ids))
    return pd.DataFrame(
        {
            "period": np.repeat(periods, len(present)),
            # object even when empty: a float column cannot be merged on
            "exercise_id": pd.Series(present * len(periods), dtype=object),
            "prescribed": np.nan,
        }
    )


def daily(
    log_frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Return one row per day of the span: what was due, done, and whether the day met the plan.

    Columns: ``day`` (datetime64, midnight), ``due`` (exercises the plan
    asks for that day; without a plan 0), ``done`` (exercises done in full),
    ``credit`` (sum of the day's session credits), ``met`` (the day meets the
    plan; without a plan: any exercise done), ``state`` (1 counts towards a
    streak, 0 rest day, -1 breaks it). Definitions as in the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> from backkit.log import conform, COLUMNS
    >>> rows = [dict.fromkeys(COLUMNS) | dict(session_id="a", exercise_id="squat",
    ...         side="both", started_at="2024-05-06T08:00", sets_planned=3, reps_planned=10,
    ...         sets_done=3, reps_done=10, status="completed", source="manual")]
    >>> day = daily(conform(pd.DataFrame(rows), tz="UTC")).iloc[0]
    >>> int(day["done"]), bool(day["met"]), int(day["state"])
    (1, True, 1)
    """
    first, last = _span(log_frame, plan, start, end)
    bouts = _bouts(log_frame)
    if plan is not None:
        bouts = bouts[bouts["exercise_id"].isin([item.exercise_id for item in plan.items])]
    return _daily(_sessions(bouts), plan, first, last)


def _daily(
    sessions: pd.DataFrame, plan: Plan | None, first: dt.date, last: dt.date
) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    days = pd.date_range(first, last, freq="D")
    per_day = sessions.groupby("day").agg(done=("full", "sum"), credit=("credit", "sum"))
    table = pd.DataFrame({"day": days}).merge(per_day, left_on="day", right_index=True, how="left")
    table["done"] = table["done"].fillna(0).astype(int)
    table["credit"] = table["credit"].fillna(0.0)
    if plan is None:
        table["due"] = 0
        table["met"] = table["credit"] > 0
        state = np.where(table["met"], 1, -1)
    else:
        # the plan says what is due each day (an item may have days of its own)
        n_due = np.array([len(plan.due_on(day.date())) for day in days], dtype=int)
        due = n_due > 0
        in_plan = (days >= pd.Timestamp(plan.start)) & (
            days <= pd.Timestamp(plan.end) if plan.end is not None else True
        )
        done = table["done"].to_numpy()
        table["due"] = n_due
        # a due day is met when all that was due was done; a rest day on which
        # the whole plan was done anyway counts as met too
        table["met"] = np.where(due, done >= n_due, done >= len(plan.items)) & np.asarray(
            in_plan, dtype=bool
        )
        state = np.where(table["met"], 1, np.where(due, -1, 0))
        # without weekdays, the plan's check has set days_per_week (1-7)
        if plan.weekdays is None and plan.days_per_week is not None and plan.days_per_week < 7:
            # With k days a week, the first 7 - k unmet days of each week are rest days.
            unmet = pd.Series((state == -1).astype(int))
            week = pd.Series(days.to_period("W").astype(str))
            nth = unmet.groupby(week).cumsum().to_numpy()
            state = np.where((state == -1) & (nth <= 7 - plan.days_per_week), 0, state)
    state = np.asarray(state)
    if len(state) and state[-1] == -1:
        state[-1] = 0  # the last day may not be over yet
    table["state"] = state
    return table.reset_index(drop=True)


def _streaks(sessions: pd.DataFrame, plan: Plan | None, first: dt.date, last: dt.date) -> Streaks:
    import numpy as np
    import pandas as pd

    state = _daily(sessions, plan, first, last)["state"].to_numpy()
    state = state[state != 0]
    if not len(state):
        return Streaks(0, 0, last)
    group = np.cumsum(state == -1)
    runs = pd.Series((state == 1).astype(int)).groupby(group).cumsum().to_numpy()
    longest = int(runs.max())
    current = int(runs[-1]) if state[-1] == 1 else 0
    return Streaks(current, longest, last)


def streaks(
    log_frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> Streaks:
    """Return the current and longest streak of days meeting the plan.

    Without a plan, a streak counts days with any exercise. ``current`` is the
    run reaching the last day analysed (default the last logged day; pass
    ``end=backkit.config.today()`` for today), which still counts if that day
    has no session yet.

    Examples
    --------
    >>> import pandas as pd
    >>> from backkit.log import conform, COLUMNS
    >>> rows = [dict.fromkeys(COLUMNS) | dict(session_id=str(d), exercise_id="squat",
    ...         side="both", started_at=f"2024-05-{d:02d}T08:00", sets_planned=3,
    ...         reps_planned=10, sets_done=3, reps_done=10, status="completed",
    ...         source="manual") for d in (1, 2, 3, 5, 6)]
    >>> streaks(conform(pd.DataFrame(rows), tz="UTC"))
    Streaks(current=2, longest=3, last_day=datetime.date(2024, 5, 6))
    """
    first, last = _span(log_frame, plan, start, end)
    bouts = _bouts(log_frame)
    if plan is not None:
        bouts = bouts[bouts["exercise_id"].isin([item.exercise_id for item in plan.items])]
    return _streaks(_sessions(bouts), plan, first, last)
