"""Progress charts: adherence and pain at a glance, for self-trackers and clinicians.

Axes-level charts (:func:`plot_pain_trend`, :func:`plot_pain_change`,
:func:`plot_adherence`, :func:`plot_calendar`, :func:`plot_exercise_history`)
take the session-log frame (``SessionLog.frame()`` or ``sample_log()``) first,
then keyword-only options ending in ``ax=None``; they draw on ``ax`` (a new
figure when None) and return it. Figure-level charts (:func:`plot_dashboard`,
:func:`plot_outcomes`) lay out several Axes, take no ``ax`` and return the
Figure. Nothing calls ``plt.show()``.

Colours are the Okabe-Ito palette, safe for the common colour-vision
deficiencies. Where there is nothing to draw a chart says "no data yet".
Charts only draw: the numbers come from :mod:`backkit.analysis` and
:mod:`backkit.adherence`, the sentences from :mod:`backkit.narrative`.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import config
from ._docstrings import chart_docs
from .config import day_text, month_text, number_text
from .errors import AnalysisError
from .i18n import N_, ngettext
from .i18n import gettext as _

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .plan import Plan

__all__ = [
    "NOT_ENOUGH",
    "NO_DATA",
    "OKABE_ITO",
    "literal_text",
    "mark_sample",
    "plot_adherence",
    "plot_calendar",
    "plot_dashboard",
    "plot_exercise_history",
    "plot_outcomes",
    "plot_pain_change",
    "plot_pain_trend",
]

#: What a chart says when there is nothing to draw (marked: translated where shown).
NO_DATA = N_("no data yet")
#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
# One colour per catalogue exercise, ordered so neighbours in a stack contrast.
_EXERCISE_COLOURS = ("blue", "orange", "sky", "vermillion", "green", "purple", "yellow")
_RELIEF, _AGGRAVATES, _UNCLEAR = OKABE_ITO["blue"], OKABE_ITO["vermillion"], "#999999"
# colour of each verdict of analysis.immediate_effect
_VERDICT_COLOURS = {
    "lower": _RELIEF, "higher": _AGGRAVATES, "unclear": _UNCLEAR, "identical": _UNCLEAR,
}  # fmt: skip
#: What the pain-change chart says of an exercise without enough per-exercise ratings.
NOT_ENOUGH = N_("not enough data yet")
_MISSED = "#dddddd"  # a planned day with nothing done
_GAP_DAYS = 3  # days without a session that the pain chart shades
_SIZES = {"notebook": (13.0, 10.5), "page": (8.27, 11.69)}  # inches; page = A4 portrait
# Points: the smallest text in any chart. The report prints a chart at its own size (an
# inch of figure is an inch of paper), where under 8 pt is hard to read.
_SMALL = 8
_LABEL_INCHES = 0.3  # width of "100%" at _SMALL, with a little space either side


# --------------------------------------------------------------------------
# Shared helpers


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _width_inches(ax: Axes) -> float:
    """The axes' width in inches: its share of its figure's width."""
    # the kit's axes sit on a Figure; a SubFigure (no get_figwidth) fails here as it always has
    return cast("Figure", ax.figure).get_figwidth() * ax.get_position().width


def _no_data(ax: Axes, text: str | None = None, *, then: str = "") -> None:
    """Say there is nothing to draw yet, and under it (``then``) what will show once there is.

    No frame, ticks or axis labels: an empty frame labelled "NRS" tells a person nothing.
    ``text`` is shown as given (translated by the caller); None says :data:`NO_DATA`.
    """
    import textwrap

    ax.text(
        0.5,
        0.5,
        _(NO_DATA) if text is None else text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=12,
        color="0.35",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_frame_on(False)
    ax.set_ylabel("")
    width = max(30, int(_width_inches(ax) * 11))  # characters that fit at 10 pt
    ax.set_xlabel(textwrap.fill(then, width), fontsize=10, color="0.25")


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    if config.language() == "en":
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        return

    class Localised(mdates.ConciseDateFormatter):
        """Matplotlib's concise dates, with the months named in the kit's language."""

        def format_ticks(self, values: Any) -> list[str]:
            return [_local_months(text) for text in super().format_ticks(values)]

        def get_offset(self) -> str:
            return _local_months(super().get_offset())

    ax.xaxis.set_major_formatter(Localised(locator))


_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                        "Nov", "Dec")  # fmt: skip


def _local_months(text: str) -> str:
    """``text`` (matplotlib's English month abbreviations) with the kit's language's months."""
    import datetime as dt
    import re

    def month(found: re.Match[str]) -> str:
        return month_text(dt.date(2000, _MONTH_ABBREVIATIONS.index(found.group(0)) + 1, 1))

    return re.sub(r"\b(?:" + "|".join(_MONTH_ABBREVIATIONS) + r")\b", month, text)


# Long histories are drawn per week, then per month, then per year, so that no
# chart draws more than about 120 bars or points a series: a bar a day drew
# 8,000 patches for 22 years (issue 25), too slow to draw and too thin to read.
# (period, its name, the longest span in days drawn with it)
_PERIODS = (("D", "day", 120), ("W", "week", 731), ("M", "month", 3653), ("Y", "year", None))


def _period(first: Any, last: Any) -> tuple[str, str]:
    """The period a chart of the days ``first`` to ``last`` draws one value per, and its name.

    Examples
    --------
    >>> import pandas as pd
    >>> [_period(pd.Timestamp("2024-01-01"), pd.Timestamp(end))[1]
    ...  for end in ("2024-03-01", "2025-06-01", "2028-01-01", "2040-01-01")]
    ['day', 'week', 'month', 'year']
    """
    days = (last - first).days + 1
    for freq, name, most in _PERIODS[:-1]:
        if most is not None and days <= most:
            return freq, name
    return _PERIODS[-1][0], _PERIODS[-1][1]


def _per_period(table: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """The mean of each period of ``table`` (indexed by naive days; NaN skipped).

    Returns the means indexed by each period's first day, and each period's
    end (the next period's first day); periods without a row are left out.
    """
    import pandas as pd

    periods = pd.DatetimeIndex(table.index).to_period(freq)
    means = table.groupby(periods).mean()
    index = pd.PeriodIndex(means.index)
    return means.set_axis(index.start_time), (index + 1).start_time


# the words of each period a long history is drawn per (whole labels: translated where shown)
_PERIOD_MEAN = {"week": N_("weekly mean"), "month": N_("monthly mean"), "year": N_("yearly mean")}
_PERIOD_MEANS = {
    "week": N_("weekly means"), "month": N_("monthly means"), "year": N_("yearly means"),
}  # fmt: skip
_SESSIONS_MEAN = {
    "month": N_("Exercise sessions per week (mean over each month)"),
    "year": N_("Exercise sessions per week (mean over each year)"),
}
_ADHERENCE_MEAN = {
    "month": N_("exercise sessions per week\n(mean over each month)"),
    "year": N_("exercise sessions per week\n(mean over each year)"),
}
_DAYS_MEAN = {
    "week": N_("(mean of the days it was done, each week)"),
    "month": N_("(mean of the days it was done, each month)"),
    "year": N_("(mean of the days it was done, each year)"),
}
#: Words of each class of change (the keys are the values of ``status``).
_STATUS_WORDS = {
    "baseline": N_("baseline"),
    "improved": N_("improved"),
    "unchanged": N_("unchanged"),
    "worse": N_("worse"),
}
_PERIOD_DAYS = {"W": 7, "M": 31, "Y": 366}  # the longest of each period


def _names(ids: list[str], *, numbered: bool = False) -> list[str]:
    from .exercises import exercise_ids, get_exercise

    known = set(exercise_ids())
    out = []
    for i in ids:
        if i in known:
            ex = get_exercise(i)
            out.append(f"{ex.number}. {ex.name}" if numbered else ex.name)
        else:
            out.append(i)
    return out


def _colour_of(ids: list[str]) -> dict[str, str]:
    from .exercises import exercise_ids

    catalogue = exercise_ids()
    out = {}
    for n, i in enumerate(ids):
        k = catalogue.index(i) if i in catalogue else n
        out[i] = OKABE_ITO[_EXERCISE_COLOURS[k % len(_EXERCISE_COLOURS)]]
    return out


def _legend_inches(labels: list[str], ncol: int) -> float:
    """About how wide a legend of ``labels`` in ``ncol`` columns is, in inches.

    The entries fill the columns one after another, as matplotlib lays them out;
    a character of the legend's text is taken as 0.6 of its size, a generous
    average, and each column adds its marker and the space between columns.
    """
    rows = -(-len(labels) // ncol)
    columns = [labels[k : k + rows] for k in range(0, len(labels), rows)]
    return sum(max(map(len, c)) * 0.6 * _SMALL / 72 + 0.35 for c in columns)


def _legend_above(ax: Axes, title: str, *, wide: int, narrow: int) -> None:
    """Put the legend in rows between the title and the plot, so it hides no data."""
    handles, labels = ax.get_legend_handles_labels()
    # an axes 8 inches wide or more takes ``wide`` columns (one row for the
    # pain chart), a narrower one (half a dashboard, A4 portrait) ``narrow``,
    # and fewer when long names (a custom catalogue's) would not fit the figure
    ncol = wide if _width_inches(ax) >= 8 else narrow
    width = cast("Figure", ax.figure).get_figwidth()
    while ncol > 1 and _legend_inches(labels, ncol) > width:
        ncol -= 1
    rows = -(-len(handles) // ncol)
    ax.set_title(title, pad=6 + 13 * rows)
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=ncol,
        fontsize=_SMALL,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.2,
        borderaxespad=0.2,
    )


def _is_sample(frame: pd.DataFrame) -> bool:
    if frame.empty or "notes" not in frame:
        return False
    return bool(frame["notes"].str.startswith("sample data").fillna(False).any())


def _plan_ids(plan: Plan) -> list[str]:
    return list(dict.fromkeys(item.exercise_id for item in plan.items))


# --------------------------------------------------------------------------
# Pain over time


_Draw = TypeVar("_Draw", bound=Callable[..., Any])


def literal_text(draw: _Draw) -> _Draw:
    r"""Make a chart function draw every text literally: a "$" in a name is not a formula.

    Names, notes and measure names come from people and files; matplotlib
    would read ``$...$`` in them as mathematics (and fail on an unknown
    symbol). Every chart of the kit is drawn through this, the report's and
    the caseload's too.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from backkit.charts import literal_text
    >>> @literal_text
    ... def titled(name):
    ...     return plt.figure().gca().set_title(name)
    >>> titled(r"Jane $\alph$ Doe").get_parse_math()
    False
    """

    @functools.wraps(draw)
    def drawn(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return cast(_Draw, drawn)


@literal_text
def plot_pain_trend(  # noqa: D103 (docstring assigned after it, from chart_docs)
    log_frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    window: int = 7,
    baseline_days: int = 7,
    ax: Axes | None = None,
) -> Axes:
    import pandas as pd

    from . import analysis

    ax = _axes(ax, (9, 4))
    title = _("Pain before exercise")
    ax.set_title(title)
    ax.set_ylabel(_("pain (NRS 0-10)"))
    daily = analysis.daily_pain(log_frame)["before_mean"].dropna()
    if daily.empty:
        ax.set_ylim(0, 10)
        _no_data(
            ax,
            then=_(
                "Your pain before exercise will show here, day by day, once you rate it at "
                "the start of a session."
            ),
        )
        return ax

    base = analysis.baseline_pain(log_frame, baseline_days)
    points, percent = analysis.pain_mcid()
    ax.axhspan(
        -0.5,
        analysis.mcid_threshold(base),
        color=OKABE_ITO["green"],
        alpha=0.13,
        lw=0,
        label=_("meaningful fall (≥{points} points and ≥{percent}%)").format(
            points=f"{points:g}", percent=f"{percent:g}"
        ),
    )
    ax.axhline(
        base,
        color="black",
        ls="--",
        lw=1.2,
        label=_("baseline {pain}").format(pain=number_text(base, 1)),
    )
    _pain_points(ax, log_frame, daily, window)
    flares = analysis.flare_ups(log_frame, window=window)
    if not flares.empty:
        ax.scatter(
            flares.index,
            flares["pain"].to_numpy(),
            marker="^",
            s=80,
            color=OKABE_ITO["vermillion"],
            edgecolor="black",
            lw=0.6,
            label=_("flare-up"),
            zorder=4,
        )
    pad = pd.Timedelta(days=3 if len(daily) == 1 else 2)
    ax.set_xlim(daily.index.min() - pad, daily.index.max() + pad)
    ax.set_ylim(-0.2, 10.2)
    ax.set_yticks(range(0, 11, 2))
    _date_axis(ax)
    ax.grid(axis="y", color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    # above the plot: inside it would hide a flare-up near the top
    _legend_above(ax, title, wide=6, narrow=3)
    return ax


plot_pain_trend.__doc__ = """\
Pain before exercise over time: daily points, rolling mean, baseline, MCID, flare-ups.

The shaded band is where pain has fallen from baseline by what the kit counts
as a meaningful change: 2 points and 30% of the baseline
(``outcomes.yaml: pain_nrs.mcid``, see :func:`backkit.analysis.meaningful_change`
and :func:`backkit.analysis.mcid_threshold`);
triangles mark flare-ups (:func:`backkit.analysis.flare_ups`); grey stretches
are days without a session. Gaps in the log longer than the window break the
line. Over more than 120 days the points are the mean of each week's daily
means, joined by a line (more than 2 years: each month's; more than 10
years: each year's), and only gaps of a period or more are shaded: a point a
day would hide the trend in its noise.

Parameters
----------
{params.log_frame}
{params.plan_unused}
{params.window}
{params.baseline_days}
{params.ax}

Returns
-------
{returns.ax}

Examples
--------
>>> import backkit
>>> ax = backkit.plot_pain_trend(backkit.sample_log())
>>> ax.get_title()
'Pain before exercise'
""".format(**chart_docs)


def _pain_points(ax: Axes, log_frame: pd.DataFrame, daily: pd.Series, window: int) -> None:
    """The daily means and their rolling mean; on a long history, each period's mean."""
    from . import analysis

    freq, unit = _period(daily.index.min(), daily.index.max())
    _shade_gaps(ax, analysis.local_day(log_frame), 1 if freq == "D" else _PERIOD_DAYS[freq])
    if freq == "D":
        ax.scatter(
            daily.index,
            daily.to_numpy(),
            s=16 if len(daily) > 2 else 40,  # a first score must be seen
            color=OKABE_ITO["sky"],
            alpha=0.8,
            lw=0,
            label=_("daily mean"),
            zorder=2,
        )
        _trend_line(ax, analysis.pain_trend(log_frame, window).reindex(daily.index), window)
        return
    # a long history: the mean of each week's (month's, year's) daily means, joined
    means, ends = _per_period(daily.to_frame(), freq)
    middle = means.index + (ends - means.index) / 2
    _trend_line(
        ax,
        means.iloc[:, 0].set_axis(middle),
        2 * _PERIOD_DAYS[freq],  # broken across a missing period
        label=_(_PERIOD_MEAN[unit]),
        marker="o",
    )


def _shade_gaps(ax: Axes, day: pd.Series, shortest: int = 1) -> None:
    """Shade stretches of ``_GAP_DAYS``+ days without a session: missed days, often a flare-up.

    On a long history only stretches of ``shortest`` days or more (a period
    of its points), which are wide enough to see.
    """
    import numpy as np

    days = max(_GAP_DAYS, shortest)
    active = np.unique(day.to_numpy())
    gap_at = np.flatnonzero(np.diff(active) > np.timedelta64(days, "D"))
    for n, k in enumerate(gap_at):
        ax.axvspan(
            active[k] + np.timedelta64(1, "D"),
            active[k + 1],
            color="0.85",
            alpha=0.6,
            lw=0,
            label=_("{days}+ days without a session").format(days=days) if n == 0 else None,
            zorder=0,
        )


def _trend_line(
    ax: Axes, trend: pd.Series, window: int, *, label: str | None = None, marker: str = ""
) -> None:
    """The rolling mean on days with scores only, broken across gaps longer than the window.

    So a gap neither carries an old value nor hides a spike.
    """
    import numpy as np

    days, values = trend.index.to_numpy(), trend.to_numpy()
    gaps = np.flatnonzero(np.diff(days) > np.timedelta64(window, "D")) + 1
    days = np.insert(days, gaps, days[gaps - 1] + np.timedelta64(1, "D"))
    values = np.insert(values, gaps, np.nan)
    ax.plot(
        days,
        values,
        color=OKABE_ITO["blue"],
        lw=2.2 if not marker else 1.6,
        marker=marker,
        ms=3.5,
        label=label
        or ngettext("{window}-day mean", "{window}-day mean", window).format(window=window),
        zorder=3,
    )


# --------------------------------------------------------------------------
# Pain before and after each exercise


@literal_text
def plot_pain_change(  # noqa: D103 (docstring assigned after it, from chart_docs)
    log_frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    level: float = 0.95,
    effect: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Axes:
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    from . import analysis

    ax = _axes(ax, (7, 4))
    ax.set_title(_("Pain before and after each exercise"))
    ax.set_xlabel(
        # Translators: the axis of the pain-change chart; the arrows point left and right
        _(
            "\u2190 lower after   after \u2212 before (points, mean per session, {level} CI)   "
            "higher after \u2192\ngrey: no clear difference (the interval crosses 0)"
        ).format(level=f"{level * 100:g}%"),
        fontsize=9,
    )
    effect = analysis.immediate_effect(log_frame, level=level) if effect is None else effect
    if plan is not None:
        effect = effect.reindex(
            _plan_ids(plan) + [i for i in effect.index if i not in _plan_ids(plan)]
        )
    if effect.empty or effect["n"].fillna(0).sum() == 0:
        _no_pain_change(ax, log_frame)
        return ax

    y = np.arange(len(effect))
    verdict = effect["verdict"].astype(object).to_numpy()
    # only exercises with enough per-exercise ratings get a bar
    drawn = np.isin(verdict, ["lower", "higher", "unclear", "identical"])
    change = effect["change"].to_numpy(dtype=float)
    low = effect["ci_low"].to_numpy(dtype=float)
    high = effect["ci_high"].to_numpy(dtype=float)
    colours = np.array([_VERDICT_COLOURS.get(v, _UNCLEAR) for v in verdict], dtype=object)
    ax.barh(y[drawn], change[drawn], color=colours[drawn], height=0.62, zorder=2)
    ci = drawn & ~np.isnan(low)
    if ci.any():
        ax.errorbar(
            change[ci],
            y[ci],
            xerr=[change[ci] - low[ci], high[ci] - change[ci]],
            fmt="none",
            ecolor="black",
            elinewidth=1,
            capsize=3,
            zorder=3,
        )
    ax.axvline(0, color="black", lw=0.8, zorder=1)
    _exercise_ticks(ax, y, list(effect.index))
    ax.invert_yaxis()
    values = np.r_[change[drawn], low[ci], high[ci]]
    spread = np.nanmax(np.abs(values)) if values.size else 0.0
    lim = max(1.0, float(spread) * 1.15)
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, symmetric=True))
    _annotate_pain_change(ax, y, effect)
    if not drawn.any():
        ax.set_xticks([])
    ax.grid(axis="x", color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    return ax


def _no_pain_change(ax: Axes, log_frame: pd.DataFrame) -> None:
    """Nothing: writes on ``ax`` why there is no pain change to show yet."""
    if log_frame.empty:
        _no_data(
            ax,
            then=_(
                "How your pain changes from before to straight after each exercise will "
                "show here once you rate your pain before and after single exercises."
            ),
        )
    else:
        _no_data(ax, _("not enough data yet:\nno pain ratings for single exercises"))


def _exercise_ticks(ax: Axes, y: np.ndarray, exercise_ids: list[str]) -> None:
    """Nothing: labels the rows ``y`` of ``ax`` with the exercises' names, wrapped."""
    # a long name (a custom catalogue's) wraps rather than squeezing the bars out
    names = [textwrap.fill(n, 34) for n in _names(exercise_ids)]
    ax.set_yticks(y, names)
    if any("\n" in n for n in names):  # two-line names (a translation's, a custom catalogue's)
        ax.tick_params(axis="y", labelsize=_SMALL)  # kept apart from their neighbours
        for label in ax.get_yticklabels():
            label.set_linespacing(1.0)


def _annotate_pain_change(ax: Axes, y: np.ndarray, effect: pd.DataFrame) -> None:
    """Nothing: writes each exercise's counts and means, or "not enough", beside its row."""
    for yi, (_exercise, row) in zip(y, effect.iterrows(), strict=True):
        ax.annotate(
            _change_label(row),
            xy=(1.0, yi),
            xycoords=("axes fraction", "data"),
            xytext=(5, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=_SMALL,
            color="0.25",
        )
        if row["verdict"] == "too few" or row["n"] != row["n"]:
            ax.text(
                0,
                float(yi),
                _(NOT_ENOUGH),
                ha="center",
                va="center",
                fontsize=_SMALL,
                color="0.35",
            )


def _change_label(row: pd.Series) -> str:
    """The right-margin text of one exercise: sessions counted, and means when drawn."""
    n = 0 if row["n"] != row["n"] else int(row["n"])
    if row["verdict"] not in ("lower", "higher", "unclear", "identical"):
        return ngettext("{n} session rated", "{n} sessions rated", n).format(n=n)
    before, after = number_text(row["before"], 1), number_text(row["after"], 1)
    if row["verdict"] == "identical":
        text = ngettext(
            "{before} \u2192 {after}  (same every time, {n} session)",
            "{before} \u2192 {after}  (same every time, {n} sessions)",
            n,
        )
    else:
        text = ngettext(
            "{before} \u2192 {after}  ({n} session)", "{before} \u2192 {after}  ({n} sessions)", n
        )
    return text.format(before=before, after=after, n=n)


plot_pain_change.__doc__ = """\
Pain before vs after each exercise: the mean change with its confidence interval.

From per-exercise ratings only, one value per exercise per session
(:func:`backkit.analysis.immediate_effect`); whole-session ratings say
nothing about single exercises and are not drawn. An exercise gets a bar
(pain after minus pain before) only with ratings from
:data:`backkit.analysis.MIN_SESSIONS` sessions or more; the others say "not
enough data yet". Bars are coloured by the ``verdict``: blue where pain was
lower after, vermillion where it was higher, grey where the interval crosses
zero or every session's change was identical (no interval then). What was
observed, not what the exercise caused. The right margin gives mean pain
before -> after and the number of sessions.

Parameters
----------
{params.log_frame}
plan : Plan, optional
    When given, the plan's exercises are listed in plan order, with
    "not enough data yet" for those without enough ratings.
{params.level}
effect : DataFrame, optional
    ``analysis.immediate_effect(log_frame, level=level)`` when it is worked
    out already (a report words it too); worked out here when not given.
{params.ax}

Returns
-------
{returns.ax}

Examples
--------
>>> import backkit
>>> ax = backkit.plot_pain_change(backkit.sample_log())
>>> len(ax.patches), ax.get_title()
(7, 'Pain before and after each exercise')
""".format(**chart_docs)


# --------------------------------------------------------------------------
# Adherence


@literal_text
def plot_adherence(  # noqa: D103 (docstring assigned after it, from chart_docs)
    log_frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    weekly: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    ax: Axes | None = None,
) -> Axes:
    import matplotlib.dates as mdates
    import numpy as np
    import pandas as pd

    ax = _axes(ax, (9, 4))
    title = (
        _("Exercises done per week vs plan")
        if plan is not None
        else _("Exercises done per week (no plan: done only)")
    )
    ax.set_title(title)
    ax.set_ylabel(_("exercise sessions per week"))
    then = (
        _(
            "The exercises you do each week will show here, against your plan, once you save "
            "a session."
        )
        if plan is not None
        else _("The exercises you do each week will show here once you save a session.")
    )
    if log_frame.empty:
        _no_data(ax, then=then)
        return ax
    from .analysis import weekly_adherence

    per_ex, totals = weekly if weekly is not None else weekly_adherence(log_frame, plan)
    if per_ex.empty:
        _no_data(ax, then=then)
        return ax
    weeks = pd.DatetimeIndex(per_ex.index)
    order = list(per_ex.columns)  # the plan's order, or the catalogue's
    colours = _colour_of(order)
    ends = weeks + pd.Timedelta(days=7)
    freq, unit = _period(weeks[0], ends[-1] - pd.Timedelta(days=1))
    if freq not in ("D", "W"):
        per_ex, totals, ends = _mean_weeks(per_ex, totals, freq)
        weeks = pd.DatetimeIndex(per_ex.index)
        ax.set_ylabel(_(_ADHERENCE_MEAN[unit]))
    edges = mdates.date2num(np.r_[weeks.to_numpy(), ends[-1:].to_numpy()])
    bottom = np.zeros(len(weeks))
    for ex_id, name in zip(order, _names(order, numbered=True), strict=True):
        values = per_ex[ex_id].fillna(0).to_numpy(dtype=float)
        ax.stairs(
            bottom + values,
            edges,
            baseline=bottom.copy(),
            fill=True,
            color=colours[ex_id],
            lw=0,
            label=name,
        )
        bottom = bottom + values
    top = bottom.max()
    if plan is not None:
        target = totals["prescribed"].fillna(0).to_numpy(dtype=float)
        ax.stairs(target, edges, baseline=None, color="black", lw=2, label=_("prescribed"))
        top = max(top, target.max())
        # label each week (month) with its adherence while "100%" fits in its column
        if _width_inches(ax) / len(weeks) >= _LABEL_INCHES:
            heights = np.maximum(bottom, target)
            for x0, x1, h, pct in zip(
                edges[:-1], edges[1:], heights, totals["percent"].to_numpy(), strict=True
            ):
                if pct == pct:
                    ax.text(
                        (x0 + x1) / 2, h, f"{pct:.0f}%", ha="center", va="bottom", fontsize=_SMALL
                    )
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(0, max(1.0, top) * 1.18)
    _date_axis(ax)
    ax.grid(axis="y", color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    _legend_above(ax, title, wide=4, narrow=3)
    return ax


def _mean_weeks(
    per_ex: pd.DataFrame, totals: pd.DataFrame, freq: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DatetimeIndex]:
    """The mean week of each month (year), by the week's Monday, and each period's end.

    Adherence stays prescription-weighted: the capped credit over the prescribed.
    """
    import numpy as np
    import pandas as pd

    capped = (totals["percent"] * totals["prescribed"] / 100).where(totals["prescribed"] > 0, 0.0)
    work = per_ex.fillna(0.0).assign(_prescribed=totals["prescribed"], _capped=capped)
    means, ends = _per_period(work, freq)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(
            means["_prescribed"] > 0, means["_capped"] / means["_prescribed"] * 100, np.nan
        )
    totals = pd.DataFrame({"prescribed": means["_prescribed"], "percent": percent})
    return means[list(per_ex.columns)], totals, ends


plot_adherence.__doc__ = """\
Exercise sessions done per week, stacked by exercise, against the plan's target line.

A session of an exercise is a day it was done; a partial day counts in
part (definitions in :mod:`backkit.adherence`). With a plan, the black
step line is what the plan prescribes and each week is labelled with its
adherence while the labels fit (:func:`backkit.analysis.weekly_adherence`);
without one, the chart shows what was done only and says so in its title.
Over more than two years each step is the mean week of a month (more than
10 years: of a year), and the axis says so.

Parameters
----------
{params.log_frame}
{params.plan}
weekly : (DataFrame, DataFrame), optional
    ``analysis.weekly_adherence(log_frame, plan)`` when it is worked out
    already (a report words it too); worked out here when not given.
{params.ax}

Returns
-------
{returns.ax}

Examples
--------
>>> import backkit
>>> ax = backkit.plot_adherence(backkit.sample_log())
>>> ax.get_title()
'Exercises done per week (no plan: done only)'
""".format(**chart_docs)


# --------------------------------------------------------------------------
# Calendar


@literal_text
def plot_calendar(  # noqa: D103 (docstring assigned after it, from chart_docs)
    log_frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    end: Any = None,
    weeks: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    import matplotlib.colors as mcolors
    import numpy as np
    import pandas as pd

    from . import analysis

    ax = _axes(ax, (11, 2.6))
    title = (
        _("Share of each day's plan done")
        if plan is not None
        else _("Days exercised (no plan: done sessions only)")
    )
    ax.set_title(title)
    if log_frame.empty and end is None:
        _no_data(
            ax,
            then=_("Each day's share of your plan will show here once you save a session.")
            if plan is not None
            else _("The days you exercise will show here once you save a session."),
        )
        return ax
    from .adherence import daily

    logged = analysis.local_day(log_frame) if not log_frame.empty else None
    # logged is None only for an empty log, which came with an end (else it returned above)
    last = pd.Timestamp(end).normalize() if end is not None or logged is None else logged.max()
    span = 0 if logged is None else (last - logged.min()).days // 7 + 1
    if weeks is None:
        # a year fits a wide axes; half a dashboard shows half a year legibly
        cap = 53 if _width_inches(ax) >= 8 else 26
        weeks = int(min(cap, max(13, span)))
    if span > weeks:
        ax.set_title(
            ngettext("{title}, last {weeks} week", "{title}, last {weeks} weeks", weeks).format(
                title=title, weeks=weeks
            )
        )
    last_week = last - pd.Timedelta(days=last.day_of_week)
    first = last_week - pd.Timedelta(weeks=weeks - 1)
    days = pd.date_range(first, last_week + pd.Timedelta(days=6), freq="D")

    table = daily(log_frame, plan, start=first.date(), end=last.date())
    table = table.set_index("day").reindex(days)
    exercised = table["credit"].fillna(0).to_numpy(dtype=float) > 0
    values = _calendar_shades(table, plan, last, None if logged is None else logged.min())
    grid = np.ma.masked_invalid(values.reshape(weeks, 7).T)
    cmap = mcolors.LinearSegmentedColormap.from_list(
        "backkit_done", ["#cfe3f3", OKABE_ITO["blue"]]
    ).with_extremes(under=_MISSED, bad="white")
    mesh = ax.pcolormesh(
        np.arange(weeks + 1),
        np.arange(8),
        grid,
        cmap=cmap,
        vmin=1e-6,
        vmax=1,
        edgecolors="white",
        linewidth=1.5,
    )
    ax.set_aspect("equal")
    ax.set_ylim(7, 0)
    ax.set_yticks([0.5, 2.5, 4.5, 6.5], [config.weekday_text(d) for d in (0, 2, 4, 6)])
    _month_ticks(ax, days)
    ax.tick_params(length=0, labelsize=_SMALL)
    for side in ax.spines.values():
        side.set_visible(False)
    _calendar_key(ax, mesh, plan)
    if not exercised.any():
        _no_data(ax)
    return ax


def _calendar_shades(
    table: pd.DataFrame, plan: Plan | None, last: pd.Timestamp, first_logged: Any
) -> np.ndarray:
    """Each day's shade, 0-1, from :func:`backkit.adherence.daily`; NaN leaves it white."""
    import numpy as np

    days = table.index
    credit = table["credit"].fillna(0).to_numpy(dtype=float)
    exercised = credit > 0
    if plan is not None:
        due = table["due"].fillna(0).to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(due > 0, credit / due, np.nan)
        # days outside the plan's dates that were exercised anyway
        values = np.where((due == 0) & exercised, np.minimum(1, credit / len(plan.items)), values)
        # rest days (off the weekdays, or the free days of "k days a week")
        rest = (table["state"].fillna(0).to_numpy() == 0) & ~exercised & (days < last)
        values = np.where(rest, np.nan, values)
    else:
        started = days >= first_logged if first_logged is not None else np.zeros(len(days), bool)
        values = np.where(exercised, 1.0, np.where(started, 0.0, np.nan))
    values[days > last] = np.nan
    return values


def _month_ticks(ax: Axes, days: pd.DatetimeIndex) -> None:
    """Label each month at the first week that ends in it.

    And the first column's month, unless the next label is too close to read.
    """
    sundays = days[6::7]
    columns = [k for k, sunday in enumerate(sundays) if sunday.day <= 7]
    if not columns or columns[0] >= 3:
        columns.insert(0, 0)
    labels = [
        month_text(sundays[k]) + (f"\n{sundays[k].year}" if n == 0 or sundays[k].month == 1 else "")
        for n, k in enumerate(columns)
    ]
    ax.set_xticks([k + 0.5 for k in columns], labels)


def _calendar_key(ax: Axes, mesh: Any, plan: Plan | None) -> None:
    """A colour bar of the share done with a plan; a two-entry legend without."""
    if plan is not None:
        # an inset, not colorbar(ax=...), which would reshape a dashboard's grid
        bar = ax.figure.colorbar(
            mesh, cax=ax.inset_axes((1.015, 0.0, 0.012, 1.0)), extend="min", extendfrac=0.08
        )
        bar.set_ticks([1e-6, 0.5, 1], labels=["0%", "50%", "100%"])
        bar.ax.tick_params(labelsize=_SMALL)
        bar.set_label(_("share done"), fontsize=_SMALL)
        return
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=OKABE_ITO["blue"], label=_("exercised")),
            Patch(color=_MISSED, label=_("no session")),
        ],
        loc="upper left",
        bbox_to_anchor=(1.005, 1.0),
        fontsize=_SMALL,
        frameon=False,
        borderaxespad=0,
    )


plot_calendar.__doc__ = """\
A calendar heatmap of days exercised, up to a year at a glance.

One square per day (rows Monday to Sunday, columns weeks). With a plan,
a square's shade is the share of that day's planned exercises done
(grey: planned, nothing done; white: not a planned day); without one,
days with a session are dark and the title says the plan is missing.

Parameters
----------
{params.log_frame}
{params.plan}
    What each day asks for and how much of it was done come from
    :func:`backkit.adherence.daily`.
end : date, optional
    Last day shown (default: the last day logged).
weeks : int, optional
    Weeks shown (default: the weeks the log spans, at least 13, at most
    53, or 26 on an axes narrower than 8 inches such as half a
    dashboard); the title says when earlier weeks are left out.
{params.ax}

Returns
-------
{returns.ax}

Examples
--------
>>> import backkit
>>> ax = backkit.plot_calendar(backkit.sample_log())
>>> ax.get_yticklabels()[0].get_text()
'Mon'
""".format(**chart_docs)


# --------------------------------------------------------------------------
# One exercise's history


@literal_text
def plot_exercise_history(  # noqa: D103 (docstring assigned after it, from chart_docs)
    log_frame: pd.DataFrame,
    exercise_id: str,
    *,
    days: int | None = 28,
    ax: Axes | None = None,
) -> Axes:
    import numpy as np
    import pandas as pd

    from . import analysis
    from .exercises import get_exercise

    ex = get_exercise(exercise_id)
    _check_history_days(days)
    ax = _axes(ax, (9, 3.6))
    table = analysis.work_per_day(log_frame, ex.id)
    span = (
        _("all days")
        if days is None
        else ngettext("the last {days} day", "the last {days} days", days).format(days=days)
    )
    sample = _is_sample(log_frame)

    def titled(what: str) -> str:
        text = _("{number}. {name}: {what}").format(number=ex.number, name=ex.name, what=what)
        return _("{title} (sample data)").format(title=text) if sample else text

    title = titled(span)
    ax.set_title(title)
    ax.pain_axes = None  # type: ignore[attr-defined]  # documented extra attribute of the Axes
    if table.empty:
        _no_data(ax, _("no data yet: do this exercise with the timer and save"))
        return ax

    last = table.index.max()
    if days is not None:
        table = table[table.index > last - pd.Timedelta(days=days)]
    first = table.index.min() if days is None else last - pd.Timedelta(days=days - 1)
    freq, unit = _period(first, last)
    width: Any = 0.8  # days
    ylabel = _("seconds held per day") if ex.kind == "hold" else _("seconds moving per day")
    if freq != "D":
        # a long history: each bar the mean of the days done in its week, month or year
        table, width = _bars_per_period(table, freq)
        title = titled(_("{span}, {means}").format(span=span, means=_(_PERIOD_MEANS[unit])))
        ylabel += "\n" + _(_DAYS_MEAN[unit])  # two lines of an axis label, each whole
    x = table.index
    done, planned = table["seconds_done"], table["seconds_planned"]
    done_label = _("seconds done")
    ax.bar(x, done.fillna(0), width=width, color=OKABE_ITO["sky"], label=done_label)
    # the tick for what was planned as wide as its bar (160 points² on a day's bar)
    tick = 160 if freq == "D" else float(np.clip(_bar_points(ax, width, first, last), 9, 160))
    ax.scatter(x, planned, marker="_", s=tick, lw=2, color="black", label=_("planned"), zorder=3)
    ax.set_ylabel(ylabel)
    top = np.nanmax(np.r_[done.to_numpy(), planned.to_numpy(), 1.0])
    ax.set_ylim(0, top * 1.15)

    # smaller points where they would overlap at a day's size
    pain = _history_pain(ax, table, small=freq != "D" and len(x) > 60)
    ends = (first, last) if freq == "D" else (x.min(), x.max())  # a bar's half-width beyond
    pad = pd.Timedelta(hours=18) if freq == "D" else pd.Timedelta(days=float(np.max(width)))
    ax.set_xlim(ends[0] - pad, ends[1] + pad)
    _date_axis(ax)
    ax.grid(axis="y", color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    ax.set_title(title, pad=22)
    _history_legend(ax, pain, done_label)
    return ax


def _check_history_days(days: int | None) -> None:
    """Nothing: raises AnalysisError unless ``days`` is None or a whole number, 1 or more."""
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise AnalysisError(
            _("days={days} must be a whole number, 1 or more").format(days=repr(days)),
            where="plot_exercise_history",
        )


def _history_pain(ax: Axes, table: pd.DataFrame, *, small: bool) -> Axes:
    """The twin axes of ``ax`` with pain before and after each bar (smaller points if ``small``)."""
    import numpy as np

    x = table.index
    pain = ax.twinx()
    ax.pain_axes = pain  # type: ignore[attr-defined]  # documented extra attribute of the Axes
    before, after = table["pain_before"].to_numpy(), table["pain_after"].to_numpy()
    both = ~np.isnan(before) & ~np.isnan(after)
    colours = np.where(after < before, _RELIEF, np.where(after > before, _AGGRAVATES, _UNCLEAR))
    pain.vlines(x[both], before[both], after[both], colors=colours[both], lw=2, zorder=2)
    pain.scatter(
        x, before, s=16 if small else 34, facecolor="white", edgecolor="black", lw=0.8 if small
        else 1, zorder=3, label=_("pain before"),
    )  # fmt: skip
    pain.scatter(x, after, s=9 if small else 22, color="black", zorder=4, label=_("pain after"))
    pain.set_ylim(-0.3, 10.3)
    pain.set_yticks(range(0, 11, 2))
    pain.set_ylabel(_("pain (NRS 0-10)"))
    return pain


def _history_legend(ax: Axes, pain: Axes, done_label: str) -> None:
    """Nothing: puts one legend for both scales above ``ax``, the bars first."""
    # above the plot, where it hides nothing
    handles = ax.get_legend_handles_labels()[0] + pain.get_legend_handles_labels()[0]
    handles.sort(key=lambda h: h.get_label() != done_label)
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=4,
        fontsize=_SMALL,
        frameon=False,
        borderaxespad=0.2,
    )


def _bars_per_period(table: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Each period's means at its middle, and the widths (days) of its bars."""
    means, ends = _per_period(table, freq)
    width = (ends - means.index).days.to_numpy() * 0.8
    return means.set_axis(means.index + (ends - means.index) / 2), width


def _bar_points(ax: Axes, width: Any, first: Any, last: Any) -> float:
    """A marker's area (points²) for a line as wide as a bar of ``width`` days on ``ax``."""
    import numpy as np

    days = max(1.0, (last - first).days + 1.0)
    points = float(np.median(width)) / days * _width_inches(ax) * 72
    return points**2


plot_exercise_history.__doc__ = """\
One exercise over recent days: time worked per day, and pain before and after it.

Bars are the seconds held (or moved, for a paced exercise) per day, both
sides added, with a black tick at what was planned, so a short day shows.
On the right-hand scale, each day's mean pain before the exercise (open
circle) is joined to the pain after it (dot): blue when pain was lower after,
vermillion when it was higher. Only the exercise's own ratings are drawn, not
whole-session ones. The title says when the data are sample data.

Over more than 120 days each bar, tick and pair of points is the mean of the
days the exercise was done in a week (more than 2 years: a month; more than
10 years: a year), and the title and the axis say so: a bar a day would be
too thin to read.

Parameters
----------
{params.log_frame}
    Every exercise; this one is picked out.
exercise_id : str
    A catalogue id such as ``"bridge"``.
days : int or None, default 28
    Days shown, up to the last day this exercise was logged; None for all.
{params.ax}

Returns
-------
Axes
    The seconds axes; the pain scale is its twin (``ax.pain_axes``).

Examples
--------
>>> import backkit
>>> ax = backkit.charts.plot_exercise_history(backkit.sample_log(), "bridge")
>>> ax.get_title()
'4. Bridge: the last 28 days (sample data)'
""".format(**chart_docs)


@literal_text
def mark_sample(target: Axes | Figure, text: str | None = None) -> Axes | Figure:
    """Stamp a chart as sample data, so it is never mistaken for a person's own log.

    The stamp goes in the figure's top left corner, outside the plotted data.

    Parameters
    ----------
    target : Axes or Figure
        The chart (an Axes is stamped on its figure).
    text : str, optional
        The words of the stamp (default "SAMPLE DATA", in the kit's language).

    Returns
    -------
    Axes or Figure
        ``target``, so the call can end a notebook cell.

    Examples
    --------
    >>> import backkit
    >>> ax = backkit.charts.mark_sample(backkit.plot_pain_trend(backkit.sample_log()))
    >>> [t.get_text() for t in ax.figure.texts]
    ['SAMPLE DATA']
    """
    fig = target.figure if hasattr(target, "transAxes") else target
    text = _("SAMPLE DATA") if text is None else text
    box = {"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": _AGGRAVATES, "lw": 1.2}
    fig.text(
        0.01, 0.97, text, ha="left", va="top", color=_AGGRAVATES, fontsize=10,
        fontweight="bold", bbox=box, zorder=10,
    )  # fmt: skip
    return target


# --------------------------------------------------------------------------
# Dashboard


@literal_text
def plot_dashboard(  # noqa: D103 (docstring assigned after it, from chart_docs)
    log_frame: pd.DataFrame,
    plan: Plan | None = None,
    *,
    size: str = "notebook",
    title: str | None = None,
    subject: str | None = None,
) -> Figure:
    import matplotlib.pyplot as plt

    from . import analysis

    if size not in _SIZES:
        raise AnalysisError(
            _("argument size={size} must be one of {choices}").format(
                size=repr(size), choices=", ".join(_SIZES)
            ),
            where="plot_dashboard",
        )
    fig = plt.figure(figsize=_SIZES[size], layout="constrained")
    if size == "notebook":
        # pain and adherence share the time axis, one above the other, so the
        # eye reads both stories along the same weeks
        grid = fig.add_gridspec(3, 2, height_ratios=[1.25, 1.05, 1.0], width_ratios=[1, 1])
        ax_trend = fig.add_subplot(grid[0, :])
        ax_adherence = fig.add_subplot(grid[1, :], sharex=ax_trend)
        # the calendar's short labels on the left keep the wide charts' left margin narrow
        ax_calendar = fig.add_subplot(grid[2, 0])
        ax_change = fig.add_subplot(grid[2, 1])
    else:
        grid = fig.add_gridspec(4, 1, height_ratios=[1.2, 1.15, 1.0, 0.75])
        ax_trend = fig.add_subplot(grid[0, 0])
        ax_adherence = fig.add_subplot(grid[1, 0], sharex=ax_trend)
        ax_change = fig.add_subplot(grid[2, 0])
        ax_calendar = fig.add_subplot(grid[3, 0])
    plot_pain_trend(log_frame, plan, ax=ax_trend)
    trend_span = ax_trend.get_xlim()
    plot_adherence(log_frame, plan, ax=ax_adherence)
    if not log_frame.empty:  # the shared time axis covers both charts' data
        weeks_span = ax_adherence.get_xlim()
        ax_trend.set_xlim(min(trend_span[0], weeks_span[0]), max(trend_span[1], weeks_span[1]))
    plot_pain_change(log_frame, plan, ax=ax_change)
    plot_calendar(log_frame, plan, ax=ax_calendar)

    default = title is None
    if title is None:
        if log_frame.empty:
            title = _("Back exercise progress")
        else:
            day = analysis.local_day(log_frame)
            first, last = day.min(), day.max()
            title = _("Back exercise progress, {first} \u2013 {last}").format(
                first=day_text(first), last=day_text(last)
            )
        if _is_sample(log_frame):
            title = _("{title} (sample data)").format(title=title)
    import textwrap

    from .narrative import headline

    width = int(fig.get_figwidth() * 12)  # characters that fit at this font size
    key = headline(log_frame, subject=subject)
    if default:  # the kit's own title, longer in some languages, fits the page
        title = textwrap.fill(title, int(fig.get_figwidth() * 11))  # a little larger type
    fig.suptitle(f"{title}\n{textwrap.fill(key, width)}", fontsize=12)
    # Released from pyplot: Jupyter shows the returned figure once (an open
    # pyplot figure would be shown a second time at the end of the cell).
    plt.close(fig)
    return fig


plot_dashboard.__doc__ = """\
All four charts on one figure, with the key sentence of the summary.

A figure-level chart: it lays out :func:`plot_pain_trend`,
:func:`plot_adherence`, :func:`plot_pain_change` and :func:`plot_calendar` on
a figure of its own, so it takes no ``ax``. The headline under the title is
:func:`backkit.narrative.headline`.

Parameters
----------
{params.log_frame}
{params.plan}
size : {{'notebook', 'page'}}
    ``'notebook'``: landscape, 13 x 10.5 inches; ``'page'``: A4 portrait,
    charts stacked, for printing.
title : str, optional
    Figure title; default names the dates covered (and says when the data
    are sample data).
subject : str, optional
    Who the headline is about: None speaks to the person ("since you
    started"), a name or pseudonym speaks about them
    (:func:`backkit.narrative.summary`).

Returns
-------
{returns.figure}

Examples
--------
>>> import backkit
>>> fig = backkit.plot_dashboard(backkit.sample_log())
>>> len(fig.axes) >= 4
True
""".format(**chart_docs)


# --------------------------------------------------------------------------
# Outcome measures (weekly check-ins) with sessions per week beneath

_STATUS_COLOURS = {
    "baseline": OKABE_ITO["black"],
    "improved": OKABE_ITO["green"],
    "unchanged": "#8c8c8c",
    "worse": OKABE_ITO["vermillion"],
}


def _outcome_panel(ax: Axes, rows: pd.DataFrame, items: pd.DataFrame) -> None:
    """One measure: its line, points coloured by class, baseline and the band of no real change."""
    from matplotlib.ticker import MaxNLocator

    r0, last = rows.iloc[0], rows.iloc[-1]
    lo, hi = float(r0["scale_min"]), float(r0["scale_max"])
    base, thr = float(r0["baseline_score"]), float(last["mcid"])
    x = rows["date"].to_numpy()
    y = rows["score"].to_numpy(dtype=float)
    # gids name the parts, for tests and for anyone restyling the chart
    band = (max(lo, base - thr), min(hi, base + thr))
    ax.axhspan(*band, color="0.89", lw=0, zorder=0, gid="mcid-band")
    ax.axhline(base, color="black", ls="--", lw=1.1, zorder=1, gid="baseline")
    for name, item in items.groupby("item", sort=False):
        ax.plot(
            item["date"], item["score"], color=OKABE_ITO["sky"], lw=1.1, zorder=2,
            gid=f"activity:{name}",
        )  # fmt: skip
    ax.plot(x, y, color=OKABE_ITO["blue"], lw=2.4, zorder=3, gid="score")
    size = 46 if len(x) <= 30 else 14  # smaller points when years of check-ins crowd
    for status, colour in _STATUS_COLOURS.items():
        mask = (rows["status"] == status).to_numpy()
        if mask.any():
            ax.scatter(
                x[mask], y[mask], s=size, color=colour, edgecolor="white", lw=0.8, zorder=4,
                marker="D" if status == "baseline" else "o", gid=f"status:{status}",
            )  # fmt: skip
    if not items.empty:
        _label_activities(ax, items, lo, hi)
    rule = _threshold_rule(str(r0["measure"]), _short_number(thr))
    label = str(r0["label"])
    label = f"{label[0].upper()}{label[1:]}"
    title = (
        _("{measure}  (higher is better)")
        if bool(r0["higher_is_better"])
        else _("{measure}  (lower is better)")
    )
    ax.set_title(title.format(measure=label), loc="left", fontsize=10)
    ax.set_ylabel(rule, fontsize=_SMALL, color="0.3")
    if last["status"] != "baseline":
        change = _signed(float(last["change"]))
        status = str(last["status"])
        ax.set_title(
            _("latest {score}: {change}, {status}").format(
                score=_short_number(float(last["score"])),
                change=change,
                status=_(_STATUS_WORDS.get(status, status)),
            ),
            loc="right", fontsize=10, fontweight="bold",
            color=_STATUS_COLOURS[str(last["status"])],
        )  # fmt: skip
    pad = (hi - lo) * 0.04
    ax.set_ylim(lo - pad, hi + pad)
    if hi - lo == 10:  # the 0-10 scales: every other point
        ax.set_yticks(range(int(lo), int(hi) + 1, 2))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.grid(axis="y", color="0.93", lw=0.8)
    ax.set_axisbelow(True)


def _label_activities(ax: Axes, items: pd.DataFrame, lo: float, hi: float) -> None:
    """Nothing: names each activity's line at the right edge of ``ax``, a line of text apart."""
    ends = items.groupby("item", sort=False).tail(1).sort_values("score")
    inches = cast("Figure", ax.figure).get_figheight() * ax.get_position().height
    gap = (hi - lo) * max(0.09, 1.4 * _SMALL / 72 / max(inches, 0.1))
    placed: list[float] = []
    for score in ends["score"].to_numpy(dtype=float):
        placed.append(max(score, placed[-1] + gap) if placed else score)
    # a stack that runs over the top moves down as one, as far as the bottom allows
    down = max(0.0, min(placed[-1] - hi, placed[0] - lo)) if placed else 0.0
    for name, at in zip(ends["item"], placed, strict=True):
        ax.annotate(
            str(name), xy=(1.0, at - down), xycoords=("axes fraction", "data"),
            xytext=(4, 0), textcoords="offset points", ha="left", va="center",
            fontsize=_SMALL, color="#2f6f9f", annotation_clip=False,
        )  # fmt: skip


def _threshold_rule(measure: str, points: str) -> str:
    """The y-axis label naming ``measure``'s threshold of real change, ``points`` in text."""
    if measure in ("pain_average", "pain_worst"):
        from .analysis import pain_mcid

        mcid_points, percent = pain_mcid()
        # Translators: an axis label in two lines; "pts" is points on the 0-10 pain scale
        rule = _("change of {points} pts\nand {percent}% (= {threshold})").format(
            points=f"{mcid_points:g}", percent=f"{percent:g}", threshold=points
        )
    elif measure == "psfs":
        # the PSFS thresholds are the minimal detectable change (Stratford 1995), not an MCID
        rule = _("MDC {points} points").format(points=points)
    else:
        # Translators: an axis label in two lines: the clinician's minimal important change
        rule = _("MCID {points} points\n(clinician's)").format(points=points)
    return rule


def _short_number(x: float) -> str:
    """One decimal at most, without a trailing ``.0``: ``2.5``, ``3`` (``2,5`` in Portuguese)."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    if config.language() == "en":
        return text
    return number_text(x, 1 if "." in text else 0)


def _signed(x: float) -> str:
    """A change with its sign, one decimal at most: ``+1.5``, ``\u22122`` (``+1,5``)."""
    text = f"{x:+.1f}".replace(".0", "")
    if config.language() != "en":
        from babel.numbers import get_decimal_symbol

        text = text.replace(".", get_decimal_symbol(config.locale_name()))
    return text.replace("-", "\u2212")


@literal_text
def plot_outcomes(  # noqa: D103 (docstring assigned after it, from chart_docs)
    log_frame: pd.DataFrame,
    outcomes_frame: pd.DataFrame,
    *,
    measures: list[str] | None = None,
    title: str | None = None,
    width: float = 10.0,
    panel_height: float = 1.75,
) -> Figure:
    import textwrap

    import matplotlib.pyplot as plt

    from .outcomes import change_from_baseline, summary_line

    change = change_from_baseline(outcomes_frame)
    main = change[change["item"].isna().to_numpy()]
    names = list(dict.fromkeys(main["measure"]))
    if measures is not None:
        unknown = [m for m in measures if m not in names]
        if unknown:
            raise AnalysisError(
                _(
                    "measures={measures}: {unknown} not in the check-ins; "
                    "measures recorded: {recorded}"
                ).format(
                    measures=repr(measures),
                    unknown=", ".join(map(repr, unknown)),
                    recorded=", ".join(map(repr, names)) or _("none"),
                ),
                where="plot_outcomes",
            )
        names = list(dict.fromkeys(measures))
    n = max(1, len(names))
    fig = plt.figure(figsize=(width, 1.6 + panel_height * n + 1.1), layout="constrained")
    grid = fig.add_gridspec(n + 1, 1, height_ratios=[1.0] * n + [0.6])
    panels = [fig.add_subplot(grid[0, 0])]
    panels += [fig.add_subplot(grid[k, 0], sharex=panels[0]) for k in range(1, n + 1)]

    if not names:
        panels[0].set_title(_("Outcome measures"), loc="left", fontsize=10)
        _no_data(
            panels[0],
            _("no data yet: record a weekly check-in"),
            then=_(
                "Your check-in answers will show here week by week, compared with your first "
                "check-in (the baseline), once you save a weekly check-in."
            ),
        )
    is_item = change["item"].notna().to_numpy()
    for panel, measure in zip(panels, names, strict=False):
        rows = main[(main["measure"] == measure).to_numpy()]
        items = change[(change["measure"] == measure).to_numpy() & is_item]
        _outcome_panel(panel, rows, items)

    dates = list(change.loc[change["measure"].isin(names), "date"])
    dates += _sessions_panel(panels[-1], log_frame)
    if dates:
        import pandas as pd

        pad = pd.Timedelta(days=3)
        panels[0].set_xlim(min(dates) - pad, max(dates) + pad)
        _date_axis(panels[-1])
    for panel in panels[:-1]:
        panel.tick_params(labelbottom=False)
    if names:
        _outcomes_legend(fig, change, main, names)
    if title is None:
        title = _("Outcome measures")
        if not main.empty:
            first = main["date"].min()
            title = _("Outcome measures since the baseline of {day}").format(day=day_text(first))
        if _is_sample(outcomes_frame) or _is_sample(log_frame):
            title = _("{title} (sample data)").format(title=title)
    summary = textwrap.fill(summary_line(outcomes_frame), int(fig.get_figwidth() * 10.5))
    fig.suptitle(f"{title}\n{summary}", fontsize=11)
    plt.close(fig)
    return fig


plot_outcomes.__doc__ = """\
Outcome measures week by week against their baseline, with sessions per week beneath.

A figure-level chart: one panel per measure (average pain, worst pain, the
PSFS mean with each activity as a thin labelled line, each custom measure),
all sharing the time axis with a bottom panel of exercise sessions per week
(:func:`backkit.analysis.sessions_per_week`), so outcome and adherence are
read together. In each panel the dashed line is the baseline and the grey
band is baseline ± the measure's threshold of real change: for pain the
minimal important change (Ostelo 2008), for the PSFS the minimal detectable
change (MDC: 2 points for the mean, Stratford 1995; it is not an MCID), for
a custom measure the clinician's MCID. A point outside the band is a change
beyond the threshold, green when improved, vermillion when worse; grey
points are unchanged. The latest
change is stated at the panel's top right. Thresholds and classes come from
:func:`backkit.outcomes.change_from_baseline` (``outcomes.yaml``:
``pain_nrs.mcid``, ``psfs.mdc``; custom measures: the clinician's MCID).

Parameters
----------
{params.log_frame}
outcomes_frame : DataFrame
    The check-ins (``backkit.outcomes.outcomes_frame(log)`` or
    ``sample_checkins()``).
measures : list of str, optional
    The measures to show, by name (``"pain_average"``, ``"pain_worst"``,
    ``"psfs"`` or a custom measure's name), in this order; default all.
title : str, optional
    Figure title; default names the baseline date (and says when the data
    are sample data). The one-line summary of change follows it.
width : float, default 10
    Figure width in inches (a printed page takes about 7).
panel_height : float, default 1.75
    Height of each measure's panel in inches; the sessions panel, titles
    and legend add about 3 inches.

Returns
-------
{returns.figure}
    ``fig.axes`` are the measure panels from the top, then the sessions
    panel.

Examples
--------
>>> import backkit
>>> from backkit.charts import plot_outcomes
>>> from backkit.sample import sample_checkins
>>> fig = plot_outcomes(backkit.sample_log(), sample_checkins())
>>> [a.get_title(loc="left").split("  ")[0] for a in fig.axes]
['Average pain', 'Worst pain', 'PSFS (mean)', 'ODI total', 'Exercise sessions per week']
""".format(**chart_docs)


def _sessions_panel(ax: Axes, log_frame: pd.DataFrame) -> list[Any]:
    """Sittings per local week as bars; return the dates the panel covers (none when empty)."""
    import numpy as np
    import pandas as pd

    from . import analysis

    ax.set_title(_("Exercise sessions per week"), loc="left", fontsize=10)
    ax.set_ylabel(_("sessions"))
    ax.grid(axis="y", color="0.93", lw=0.8)
    ax.set_axisbelow(True)
    if log_frame.empty:
        _no_data(
            ax,
            _("no data yet: sessions appear here"),
            then=_("The number of sessions you do each week will show here once you save one."),
        )
        return []
    per_week = analysis.sessions_per_week(log_frame)
    weeks, counts = per_week.index, per_week.to_numpy()
    ends = weeks + pd.Timedelta(days=7)
    freq, unit = _period(weeks[0], ends[-1] - pd.Timedelta(days=1))
    if freq not in ("D", "W"):
        # more than two years: a bar a month (year), its mean week
        means, ends = _per_period(per_week.to_frame(), freq)
        weeks, counts = means.index, means.iloc[:, 0].to_numpy()
        ax.set_title(_(_SESSIONS_MEAN[unit]), loc="left", fontsize=10)
    middle = weeks + (ends - weeks) / 2
    width = (ends - weeks).days.to_numpy() * 6.2 / 7
    ax.bar(middle, counts, width=width, color=OKABE_ITO["sky"], lw=0, zorder=2, gid="sessions")
    if len(weeks) <= 26:  # a count over each bar while they fit
        for x, v in zip(middle, counts, strict=True):
            # a mean of weeks keeps its decimal: 2.6 a week is not "3"
            shown = f"{v:.0f}" if float(v).is_integer() else number_text(float(v), 1)
            ax.text(x, v, shown, ha="center", va="bottom", fontsize=_SMALL, color="0.3")
    ax.set_ylim(0, max(7, int(np.ceil(counts.max()))) * 1.25)
    return [weeks[0], ends[-1]]


def _outcomes_legend(
    fig: Figure, change: pd.DataFrame, main: pd.DataFrame, names: list[str]
) -> None:
    """One legend beneath all panels: baseline, band, the classes shown, one activity."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shown = set(main.loc[main["measure"].isin(names), "status"].astype(str))
    handles = [
        Line2D([], [], color="black", ls="--", lw=1.1, label=_("baseline")),
        Patch(color="0.89", label=_("no change beyond the threshold (baseline ± MCID or MDC)")),
    ]
    handles += [
        Line2D([], [], ls="", marker="o", ms=7, color=_STATUS_COLOURS[s], label=_(_STATUS_WORDS[s]))
        for s in ("improved", "unchanged", "worse")
        if s in shown
    ]
    if (change["item"].notna() & change["measure"].isin(names)).any():
        handles.append(Line2D([], [], color=OKABE_ITO["sky"], lw=1.1, label=_("one activity")))
    # one row on a wide figure; rows of three on a printed page's width
    ncol = len(handles) if fig.get_figwidth() >= 9 else 3
    fig.legend(
        handles=handles, loc="outside lower center", ncol=ncol, fontsize=8.5,
        frameon=False, handlelength=1.8,
    )  # fmt: skip
