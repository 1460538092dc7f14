"""Charts: what is drawn (bar heights, line data, labels, texts), edge cases, and PNG renders."""

from __future__ import annotations

import datetime as dt
import inspect

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle, StepPatch

import backkit
from backkit import analysis, charts
from backkit.adherence import daily
from backkit.errors import AnalysisError
from backkit.log import empty_frame
from backkit.plan import Plan
from backkit.sample import PROFILES, sample_checkins, sample_log, sample_plan

TZ = "Europe/London"
PLOTS = [
    charts.plot_calendar,
    charts.plot_adherence,
    charts.plot_pain_trend,
    charts.plot_pain_change,
]


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return sample_log(tz=TZ)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return sample_plan()


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _rgb(colour) -> tuple:
    return tuple(np.round(mcolors.to_rgb(colour), 3))


def _edge_cases() -> dict[str, pd.DataFrame]:
    full = sample_log(tz=TZ)
    first = full["session_id"].iloc[0]
    gap = pd.concat(
        [sample_log(weeks=3, tz=TZ), sample_log(weeks=3, start="2025-09-01", seed=1, tz=TZ)],
        ignore_index=True,
    )
    # a week either side of the October clock change, sessions at 00:30 and 23:30 local
    autumn = sample_log(weeks=2, start="2025-10-20", tz=TZ, adherence=1)
    no_pain = full.assign(
        pain_before=pd.array([None] * len(full), dtype="Int64"),
        pain_after=pd.array([None] * len(full), dtype="Int64"),
    )
    return {
        "empty": empty_frame(tz=TZ),
        "single session": full[full["session_id"] == first].reset_index(drop=True),
        "one exercise": full[full["exercise_id"] == "bridge"].reset_index(drop=True),
        "gap of months": gap,
        "across the clock change": autumn,
        "no pain scores": no_pain,
        "utc": sample_log(weeks=3, tz="UTC"),
    }


EDGE_CASES = _edge_cases()


def _history(frame, **kwargs):
    return charts.plot_exercise_history(frame, "bridge", **kwargs)


# every axes-level chart, called with the log only
AXES_LEVEL = [*PLOTS, _history]

# the title of each axes-level chart without a plan (the history says when it shows sample data)
NO_PLAN_TITLES = {
    "plot_calendar": "Days exercised (no plan: done sessions only)",
    "plot_adherence": "Exercises done per week (no plan: done only)",
    "plot_pain_trend": "Pain before exercise",
    "plot_pain_change": "Pain before and after each exercise",
    "_history": "4. Bridge: the last 28 days (sample data)",
}


class TestAxesContract:
    @pytest.mark.parametrize("plot", AXES_LEVEL, ids=lambda f: f.__name__)
    def test_draws_on_the_given_axes_and_returns_it(self, plot, log):
        fig, ax = plt.subplots()
        assert plot(log, ax=ax) is ax
        assert ax.get_title() == NO_PLAN_TITLES[plot.__name__]
        assert len(fig.axes) >= 1

    @pytest.mark.parametrize("plot", AXES_LEVEL, ids=lambda f: f.__name__)
    def test_returns_the_given_axes_with_nothing_to_draw(self, plot):
        _, ax = plt.subplots()
        assert plot(empty_frame(tz=TZ), ax=ax) is ax

    @pytest.mark.parametrize(
        "plot", [*PLOTS, charts.plot_exercise_history], ids=lambda f: f.__name__
    )
    def test_options_are_keyword_only_and_end_in_ax(self, plot):
        params = list(inspect.signature(plot).parameters.values())
        assert params[0].name == "log_frame"
        assert params[-1].name == "ax" and params[-1].default is None
        options = [p for p in params if p.default is not inspect.Parameter.empty]
        assert all(p.kind is p.KEYWORD_ONLY for p in options if p.name != "plan")

    @pytest.mark.parametrize(
        "plot", [charts.plot_dashboard, charts.plot_outcomes], ids=lambda f: f.__name__
    )
    def test_figure_level_charts_return_a_figure_and_take_no_ax(self, plot, log):
        assert "ax" not in inspect.signature(plot).parameters
        args = (log, sample_checkins()) if plot is charts.plot_outcomes else (log,)
        fig = plot(*args)
        assert isinstance(fig, Figure)
        with pytest.raises(TypeError, match="ax"):
            plot(*args, ax=plt.subplots()[1])

    @pytest.mark.parametrize("plot", PLOTS, ids=lambda f: f.__name__)
    def test_makes_its_own_figure_without_an_axes(self, plot, log):
        ax = plot(log)
        assert ax.figure is not None
        assert ax.get_title() == NO_PLAN_TITLES[plot.__name__]

    def test_public_names(self):
        for name in ("plot_calendar", "plot_adherence", "plot_pain_trend", "plot_pain_change"):
            assert getattr(backkit, name) is getattr(charts, name)
        assert backkit.plot_dashboard is charts.plot_dashboard

    def test_palette_is_okabe_ito(self):
        assert set(charts.OKABE_ITO.values()) == {
            "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
            "#CC79A7",
        }  # fmt: skip


class TestPainTrend:
    def test_points_line_baseline_and_mcid_band(self, log):
        ax = charts.plot_pain_trend(log)
        daily = analysis.daily_pain(log)["before_mean"].dropna()
        points = next(c for c in ax.collections if c.get_label() == "daily mean")
        assert len(points.get_offsets()) == len(daily)
        assert np.allclose(points.get_offsets()[:, 1], daily.to_numpy())
        line = next(ln for ln in ax.lines if ln.get_label() == "7-day mean")
        trend = analysis.pain_trend(log).reindex(daily.index)
        ydata = np.asarray(line.get_ydata(), float)
        assert np.allclose(ydata[~np.isnan(ydata)], trend.dropna().to_numpy())
        base = analysis.baseline_pain(log)
        baseline = next(ln for ln in ax.lines if ln.get_label().startswith("baseline"))
        assert baseline.get_ydata()[0] == pytest.approx(base)
        assert baseline.get_label() == f"baseline {base:.1f}"
        band = next(p for p in ax.patches if p.get_label().startswith("meaningful fall"))
        top = band.get_y() + band.get_height()
        assert top == pytest.approx(base - max(2, 0.3 * base))  # 2 points and 30%
        assert band.get_label() == "meaningful fall (≥2 points and ≥30%)"
        assert ax.get_ylabel() == "pain (NRS 0-10)"
        assert ax.get_ylim() == pytest.approx((-0.2, 10.2))
        assert ax.get_legend() is not None

    def test_flare_ups_and_missed_days_are_marked(self):
        log = sample_log(profile="flare-up", tz=TZ)
        ax = charts.plot_pain_trend(log)
        flares = analysis.flare_ups(log)
        marks = next(c for c in ax.collections if c.get_label() == "flare-up")
        assert len(marks.get_offsets()) == len(flares) >= 1
        assert np.allclose(marks.get_offsets()[:, 1], flares["pain"].to_numpy())
        gaps = [p for p in ax.patches if p.get_label() == "3+ days without a session"]
        assert len(gaps) == 1  # one legend entry; the other spans are unlabelled
        spans = [p for p in ax.patches if p.get_facecolor()[:3] == gaps[0].get_facecolor()[:3]]
        widths = [p.get_width() for p in spans]
        assert max(widths) >= 5  # the rest after the flare, in days

    def test_line_breaks_across_a_long_gap(self):
        # seven months from first to last day: drawn by week, one gap of months
        ax = charts.plot_pain_trend(EDGE_CASES["gap of months"])
        line = next(ln for ln in ax.lines if ln.get_label() == "weekly mean")
        assert np.isnan(np.asarray(line.get_ydata(), float)).sum() == 1
        three_weeks = charts.plot_pain_trend(sample_log(weeks=3, tz=TZ))
        line = next(ln for ln in three_weeks.lines if ln.get_label() == "7-day mean")
        assert not np.isnan(np.asarray(line.get_ydata(), float)).any()

    def test_no_scores_says_no_data_yet(self):
        ax = charts.plot_pain_trend(EDGE_CASES["no pain scores"])
        assert _texts(ax) == [charts.NO_DATA]
        assert not ax.lines


def _whole_session_log(sessions: int) -> pd.DataFrame:
    """The sample's first sessions with pain rated once per session (3 -> 2), none per bout."""
    full = sample_log(weeks=2, tz=TZ)
    ids = list(dict.fromkeys(full["session_id"]))[:sessions]
    log = full[full["session_id"].isin(ids)].reset_index(drop=True)
    log["pain_before"] = pd.array([None] * len(log), dtype="Int64")
    log["pain_after"] = pd.array([None] * len(log), dtype="Int64")
    log["session_pain_before"] = pd.array([3] * len(log), dtype="Int64")
    log["session_pain_after"] = pd.array([2] * len(log), dtype="Int64")
    return log


class TestPainChange:
    def test_bars_are_the_mean_change_per_exercise(self, log):
        ax = charts.plot_pain_change(log)
        effect = analysis.immediate_effect(log)
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert [b.get_width() for b in bars] == pytest.approx(effect["change"].tolist())
        names = [t.get_text() for t in ax.get_yticklabels()]
        assert names == [backkit.get_exercise(i).name for i in effect.index]
        # each bar takes its verdict's colour; the sample has a clear relief and,
        # with weeks as the unit, the squat's small rise is "unclear" (grey)
        colour = {"lower": charts.OKABE_ITO["blue"], "higher": charts.OKABE_ITO["vermillion"],
                  "unclear": "#999999", "identical": "#999999"}  # fmt: skip
        for ex_id, bar in zip(effect.index, bars, strict=True):
            assert _rgb(bar.get_facecolor()) == _rgb(colour[effect.loc[ex_id, "verdict"]]), ex_id
        assert effect.loc["knee-to-chest", "verdict"] == "lower"
        assert effect.loc["squat", "verdict"] == "unclear" and effect.loc["squat", "change"] > 0
        row = effect.loc["squat"]
        label = f"{row['before']:.1f} \u2192 {row['after']:.1f}  ({row['n']:.0f} sessions)"
        assert label in _texts(ax)
        assert "lower after" in ax.get_xlabel() and "95% CI" in ax.get_xlabel()
        assert "eases" not in ax.get_xlabel()
        assert ax.get_title() == "Pain before and after each exercise"
        assert ax.get_legend() is None  # the colours are explained in the label

    def test_error_bars_span_the_interval(self, log):
        ax = charts.plot_pain_change(log)
        effect = analysis.immediate_effect(log)
        (bars,) = [c for c in ax.collections if c.get_segments()]
        ends = np.array([[s[0][0], s[1][0]] for s in bars.get_segments()])
        assert np.allclose(ends, effect[["ci_low", "ci_high"]].to_numpy())

    def test_colours_are_the_verdicts_of_the_analysis(self):
        log = sample_log(seed=2, tz=TZ)  # a sample whose exercises get all three verdicts
        ax = charts.plot_pain_change(log)
        verdict = analysis.immediate_effect(log)["verdict"]
        colours = {"lower": "#0072B2", "higher": "#D55E00", "unclear": "#999999"}
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert [_rgb(b.get_facecolor()) for b in bars] == [_rgb(colours[v]) for v in verdict]
        assert set(verdict) == {"lower", "higher", "unclear"}

    def test_too_few_sessions_draw_no_bar_and_say_so(self):
        frame = EDGE_CASES["single session"]
        ax = charts.plot_pain_change(frame)
        effect = analysis.immediate_effect(frame)
        assert (effect["verdict"] == "too few").all()
        assert [p for p in ax.patches if isinstance(p, Rectangle)] == []
        assert _texts(ax).count(charts.NOT_ENOUGH) == len(effect)
        assert not ax.collections  # no error bars

    def test_whole_session_ratings_draw_no_bar(self):
        ax = charts.plot_pain_change(_whole_session_log(4))
        assert [p for p in ax.patches if isinstance(p, Rectangle)] == []
        assert any(t.startswith(charts.NOT_ENOUGH) for t in _texts(ax))

    def test_identical_changes_are_grey_without_an_interval(self):
        frame = EDGE_CASES["one exercise"].copy()
        frame["pain_before"] = pd.array([3] * len(frame), dtype="Int64")
        frame["pain_after"] = pd.array([2] * len(frame), dtype="Int64")
        ax = charts.plot_pain_change(frame)
        (bar,) = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert _rgb(bar.get_facecolor()) == _rgb("#999999") and bar.get_width() == -1
        assert not ax.collections
        assert any("same every time" in t for t in _texts(ax))

    def test_with_a_plan_exercises_without_scores_say_not_enough_data(self, plan):
        ax = charts.plot_pain_change(EDGE_CASES["one exercise"], plan)
        assert len(ax.get_yticklabels()) == 7
        assert _texts(ax).count(charts.NOT_ENOUGH) == 6
        assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 1


class TestAdherence:
    def test_stacks_are_sessions_per_exercise_and_the_line_is_the_plan(self, log, plan):
        ax = charts.plot_adherence(log, plan)
        per_exercise, weeks = analysis.weekly_adherence(log, plan)
        stacks = [p for p in ax.patches if isinstance(p, StepPatch) and p.get_fill()]
        assert [s.get_label() for s in stacks] == [
            f"{backkit.get_exercise(i).number}. {backkit.get_exercise(i).name}"
            for i in per_exercise.columns
        ]
        top = stacks[-1].get_data().values
        assert np.allclose(top, per_exercise.sum(axis=1).to_numpy())
        first = stacks[0].get_data()
        assert np.allclose(first.values, per_exercise.iloc[:, 0].to_numpy())
        assert np.allclose(first.baseline, 0)
        (target,) = [p for p in ax.patches if p.get_label() == "prescribed"]
        assert np.allclose(target.get_data().values, weeks["prescribed"].to_numpy())
        assert target.get_data().values[0] == 41  # five stretches on 7 days, two strength on 3
        labels = [t for t in _texts(ax) if t.endswith("%")]
        assert labels == [f"{p:.0f}%" for p in weeks["percent"]]
        edges = mdates.num2date(target.get_data().edges)
        assert edges[0].date() == dt.date(2025, 2, 17)
        assert ax.get_title() == "Exercises done per week vs plan"
        assert ax.get_ylabel() == "exercise sessions per week"

    def test_adherence_drifts_down_in_the_improving_sample(self, log, plan):
        ax = charts.plot_adherence(log, plan)
        shares = [float(t[:-1]) for t in _texts(ax) if t.endswith("%")]
        assert np.mean(shares[:3]) > np.mean(shares[-4:]) + 15

    def test_without_a_plan_shows_done_only_and_says_so(self, log):
        ax = charts.plot_adherence(log)
        assert ax.get_title() == "Exercises done per week (no plan: done only)"
        assert not [p for p in ax.patches if p.get_label() == "prescribed"]
        assert not [t for t in _texts(ax) if t.endswith("%")]


class TestCalendar:
    def test_shade_is_the_share_of_the_days_plan_done(self, log, plan):
        ax = charts.plot_calendar(log, plan)
        (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
        grid = mesh.get_array()
        assert grid.shape == (7, 13)  # days x weeks (12 logged, at least 13 shown)
        table = daily(log, plan).set_index("day")
        # week 2 (column 1, the log's first), Monday 17 Feb 2025 ... Sunday 23 Feb
        expected = (table["credit"] / table["due"]).loc["2025-02-17":"2025-02-23"].to_numpy()
        assert np.allclose(grid[:, 1].filled(np.nan), expected)
        assert grid[:, 0].mask.all()  # the week before the plan starts
        assert [t.get_text() for t in ax.get_yticklabels()] == ["Mon", "Wed", "Fri", "Sun"]
        assert "Mar\n2025" in [t.get_text() for t in ax.get_xticklabels()]
        assert ax.get_title() == "Share of each day's plan done"

    def test_without_a_plan_days_exercised_only(self, log):
        ax = charts.plot_calendar(log)
        (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
        values = mesh.get_array().compressed()
        assert set(np.unique(values)) == {0.0, 1.0}
        days = analysis.local_day(log).nunique()
        assert (values == 1).sum() == days
        assert ax.get_title() == "Days exercised (no plan: done sessions only)"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["exercised", "no session"]

    def test_a_year_at_a_glance_and_the_title_says_what_is_left_out(self):
        long = sample_log(weeks=60, tz=TZ, profile="plateau")
        ax = charts.plot_calendar(long, ax=plt.figure(figsize=(12, 3)).gca())
        (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
        assert mesh.get_array().shape == (7, 53)
        assert ax.get_title() == "Days exercised (no plan: done sessions only), last 53 weeks"

    def test_a_week_of_three_days_has_rest_days_not_misses(self, log):
        plan = Plan("Three a week", items=["bridge"], days_per_week=3, start="2025-02-17")
        week = log[analysis.local_day(log) < pd.Timestamp("2025-02-24")]
        ax = charts.plot_calendar(week, plan)
        (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
        column = mesh.get_array()[:, -1]
        # Mon (2 of 3 sets), Wed and Fri done: 2.67 of the week's 3 days, so one day more
        # (Sunday, the last) is a miss; the days between are off, blank not grey
        shown = [None if masked else round(float(v), 2) for v, masked in
                 zip(column.data, column.mask, strict=True)]  # fmt: skip
        assert shown == [0.67, None, 1.0, None, 1.0, None, 0.0]


class TestDashboard:
    def test_four_charts_a_title_and_the_headline(self, log, plan):
        fig = charts.plot_dashboard(log, plan)
        assert isinstance(fig, Figure)
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
        assert titles == [
            "Pain before exercise",
            "Exercises done per week vs plan",
            "Share of each day's plan done",
            "Pain before and after each exercise",
        ]
        title = fig.get_suptitle()
        assert title.startswith("Back exercise progress, 17 Feb 2025 \u2013 7 May 2025 (sample")
        assert "Your pain before exercise has fallen" in title
        assert "a real improvement" in title and "clinically meaningful" not in title
        assert tuple(fig.get_size_inches()) == (13.0, 10.5)

    def test_shown_once_in_a_notebook_not_left_open_in_pyplot(self, log):
        fig = charts.plot_dashboard(log)
        assert plt.get_fignums() == []
        fig.canvas.draw()  # still draws and saves after release

    def test_pain_and_adherence_share_the_time_axis(self, log, plan):
        fig = charts.plot_dashboard(log, plan)
        trend, adherence = fig.axes[0], fig.axes[1]
        assert trend.get_xlim() == adherence.get_xlim()

    def test_page_size_is_a4_portrait(self, log):
        fig = charts.plot_dashboard(log, size="page")
        assert tuple(fig.get_size_inches()) == pytest.approx((8.27, 11.69))

    def test_bad_size_names_the_argument(self, log):
        with pytest.raises(
            AnalysisError, match=r"^plot_dashboard: argument size='poster' must be one of notebook"
        ):
            charts.plot_dashboard(log, size="poster")


class TestEdgeCases:
    @pytest.mark.parametrize("name", EDGE_CASES)
    @pytest.mark.parametrize("with_plan", [False, True], ids=["no plan", "plan"])
    def test_every_chart_draws(self, name, with_plan, plan, tmp_path):
        frame = EDGE_CASES[name]
        fig = charts.plot_dashboard(frame, plan if with_plan else None)
        fig.savefig(tmp_path / "dashboard.png", dpi=50)
        assert (tmp_path / "dashboard.png").stat().st_size > 10_000

    def test_empty_log_says_no_data_yet_everywhere(self, plan):
        fig = charts.plot_dashboard(EDGE_CASES["empty"], plan)
        for ax in fig.axes[:4]:
            assert charts.NO_DATA in _texts(ax), ax.get_title()
        assert "No sessions logged yet" in fig.get_suptitle()

    def test_single_session_draws_one_point_and_one_week(self, plan):
        frame = EDGE_CASES["single session"]
        trend = charts.plot_pain_trend(frame)
        (points,) = [c for c in trend.collections if c.get_label() == "daily mean"]
        assert len(points.get_offsets()) == 1
        adherence = charts.plot_adherence(frame, plan)
        stacks = [p for p in adherence.patches if isinstance(p, StepPatch) and p.get_fill()]
        assert all(len(s.get_data().values) == 1 for s in stacks)

    def test_one_exercise_only(self):
        frame = EDGE_CASES["one exercise"]
        ax = charts.plot_adherence(frame)
        stacks = [p for p in ax.patches if isinstance(p, StepPatch) and p.get_fill()]
        assert [s.get_label() for s in stacks] == ["4. Bridge"]
        assert len([p for p in charts.plot_pain_change(frame).patches]) == 1

    def test_gap_of_months_counts_the_empty_weeks(self, plan):
        frame = EDGE_CASES["gap of months"]
        ax = charts.plot_adherence(frame, plan)
        stacks = [p for p in ax.patches if isinstance(p, StepPatch) and p.get_fill()]
        top = stacks[-1].get_data().values
        assert len(top) > 26 and (top == 0).sum() > 20

    def test_days_across_the_clock_change_are_local_days(self):
        frame = EDGE_CASES["across the clock change"]
        ax = charts.plot_calendar(frame)
        (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
        assert (mesh.get_array().compressed() == 1).sum() == 14  # every day of two weeks
        offsets = set(frame["started_at"].map(lambda t: t.utcoffset()))
        assert offsets == {dt.timedelta(hours=1), dt.timedelta(0)}

    @pytest.mark.parametrize("plot", PLOTS, ids=lambda f: f.__name__)
    def test_empty_log_says_no_data_yet(self, plot):
        ax = plot(EDGE_CASES["empty"])
        assert _texts(ax) == [charts.NO_DATA]
        # the same title as with data: the empty chart still says what it would show
        assert ax.get_title() == NO_PLAN_TITLES[plot.__name__]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.slow  # over 2.5 s: make check leaves it to make test
def test_render_every_chart_for_every_profile(profile, plan, tmp_path):
    frame = sample_log(profile=profile, tz=TZ)
    for with_plan in (None, plan):
        for plot in PLOTS:
            ax = plot(frame, with_plan)
            path = tmp_path / f"{profile}-{plot.__name__}-{with_plan is not None}.png"
            ax.figure.savefig(path, dpi=60)
            assert path.stat().st_size > 5_000
            assert charts.NO_DATA not in _texts(ax)
        for size in ("notebook", "page"):
            fig = charts.plot_dashboard(frame, with_plan, size=size)
            path = tmp_path / f"{profile}-dashboard-{size}-{with_plan is not None}.png"
            fig.savefig(path, dpi=60)
            assert path.stat().st_size > 30_000
        plt.close("all")
    assert len(list(tmp_path.glob("*.png"))) == 12


def test_no_scatter_is_left_empty(log):
    ax = charts.plot_pain_trend(log)
    for c in ax.collections:
        if isinstance(c, PathCollection):
            assert len(c.get_offsets()) > 0


class TestOutcomesThresholdLabels:
    def test_the_psfs_threshold_is_the_mdc_not_an_mcid(self):
        fig = charts.plot_outcomes(sample_log(tz=TZ), sample_checkins())
        labels = {a.get_title(loc="left").split("  ")[0]: a.get_ylabel() for a in fig.axes}
        assert labels["PSFS (mean)"] == "MDC 2 points"
        assert "MCID" not in labels["PSFS (mean)"]
        assert labels["Average pain"].startswith("change of 2 pts\nand 30%")
        assert labels["ODI total"] == "MCID 10 points\n(clinician's)"

    def test_dashboard_headline_in_the_third_person(self):
        fig = charts.plot_dashboard(sample_log(tz=TZ), subject="Patient A")
        assert "since Patient A started" in fig.get_suptitle()
        assert "you" not in fig.get_suptitle().lower().split()


class TestOutcomesSessionsPanel:
    def test_bars_are_the_sessions_per_week_of_the_analysis(self):
        log = sample_log(profile="plateau", tz=TZ)
        fig = charts.plot_outcomes(log, sample_checkins(profile="plateau"))
        bars = [p for p in fig.axes[-1].patches if p.get_gid() == "sessions"]
        expected = analysis.sessions_per_week(log)
        assert [b.get_height() for b in bars] == expected.tolist()
        assert [t.get_text() for t in fig.axes[-1].texts] == [str(v) for v in expected]

    def test_unknown_measure_is_an_analysis_error(self):
        with pytest.raises(AnalysisError, match=r"^plot_outcomes: measures=.*'RMDQ' not in"):
            charts.plot_outcomes(sample_log(), sample_checkins(), measures=["RMDQ"])


class TestPrintableText:
    """The report prints charts at their own size: no text in them is under 8 pt."""

    @staticmethod
    def sizes(fig) -> list[tuple[float, str]]:
        from matplotlib.text import Text

        return sorted((t.get_fontsize(), t.get_text()) for t in fig.findobj(Text)
                      if t.get_visible() and t.get_text().strip())  # fmt: skip

    @pytest.mark.parametrize("plot", AXES_LEVEL, ids=lambda f: f.__name__)
    def test_axes_level_charts(self, plot, log, plan):
        ax = plot(log) if plot is _history else plot(log, plan)
        charts.mark_sample(ax)
        assert self.sizes(ax.figure)[0][0] >= 8, self.sizes(ax.figure)[:3]

    def test_outcomes_and_the_calendar_without_a_plan(self, log):
        assert self.sizes(charts.plot_outcomes(log, sample_checkins()))[0][0] >= 8
        assert self.sizes(charts.plot_calendar(log).figure)[0][0] >= 8


class TestOutcomesOnAPage:
    def test_width_and_panel_height_set_the_figure_size(self, log):
        fig = charts.plot_outcomes(log, sample_checkins(), width=6.9, panel_height=1.1)
        n = len(fig.axes) - 1  # the measures; the sessions panel is the last
        assert tuple(fig.get_size_inches()) == pytest.approx((6.9, 1.6 + 1.1 * n + 1.1))
        legend = fig.legends[0]
        assert legend._ncols == 3  # rows of three fit a page's width; one row on a wide figure
        assert charts.plot_outcomes(log, sample_checkins()).legends[0]._ncols == len(
            legend.legend_handles
        )

    def test_activity_labels_are_a_line_of_text_apart(self, log):
        fig = charts.plot_outcomes(log, sample_checkins(), width=6.9, panel_height=1.1)
        fig.canvas.draw()
        (psfs,) = [a for a in fig.axes if a.get_title(loc="left").startswith("PSFS")]
        labels = psfs.texts  # one per activity, at the right edge
        assert len(labels) == 4
        ys = sorted(t.get_window_extent().y0 for t in labels)
        line = 8 / 72 * fig.dpi  # 8 pt in pixels
        assert min(np.diff(ys)) >= line


@pytest.mark.parametrize("plot", [charts.plot_adherence, charts.plot_pain_change])
def test_long_exercise_names_still_fit_a_printed_page(plot, log, plan, monkeypatch):
    import dataclasses
    import warnings

    from backkit import exercises

    real = exercises.get_exercise
    long = " with a long custom name from a clinic's own catalogue"
    monkeypatch.setattr(exercises, "get_exercise",
                        lambda i, **k: dataclasses.replace(real(i, **k), name=real(i).name + long))
    _, ax = plt.subplots(figsize=(6.9, 3), layout="constrained")
    plot(log, plan, ax=ax)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied ... collapsed to zero"
        ax.figure.canvas.draw()
    assert ax.get_position().width > 0.4  # the plot keeps most of the width


class TestAdherenceLabels:
    def test_each_week_is_labelled_while_the_labels_fit(self, log, plan):
        weeks = analysis.weekly_adherence(log, plan)[1]
        for width, labelled in ((9, True), (6.9, True), (3, False)):
            _, ax = plt.subplots(figsize=(width, 3))
            charts.plot_adherence(log, plan, ax=ax)
            shown = [t for t in _texts(ax) if t.endswith("%")]
            assert shown == ([f"{p:.0f}%" for p in weeks["percent"]] if labelled else []), width


class TestDocstrings:
    @pytest.mark.parametrize("name", [n for n in charts.__all__ if n.startswith("plot_")])
    def test_shared_text_is_filled_in(self, name):
        doc = getattr(charts, name).__doc__ or ""
        assert "{params." not in doc and "{returns." not in doc
        assert "Parameters\n----------\nlog_frame : DataFrame" in doc

    def test_the_ax_parameter_is_described_in_the_same_words(self):
        from backkit._docstrings import chart_docs

        text = chart_docs["params"].ax
        for plot in [*AXES_LEVEL[:-1], charts.plot_exercise_history]:
            assert text in plot.__doc__


@pytest.fixture(scope="module")
def five_years() -> pd.DataFrame:
    return sample_log(weeks=261, seed=0, tz=TZ, adherence=1)


class TestLongHistories:
    """Over 120 days a chart draws a value a week, over 2 years a month, over 10 a year."""

    def test_exercise_history_of_years_is_a_bar_a_month_of_the_days_means(self, five_years):
        ax = charts.plot_exercise_history(five_years, "bridge", days=None)
        table = analysis.work_per_day(five_years, "bridge")
        months = table["seconds_done"].groupby(table.index.to_period("M")).mean()
        assert [p.get_height() for p in ax.patches] == pytest.approx(months.to_list())
        assert len(ax.patches) == len(months) < 70  # a bar a day would be 1,827
        assert ax.get_title() == "4. Bridge: all days, monthly means (sample data)"
        assert "mean of the days it was done, each month" in ax.get_ylabel()

    def test_exercise_history_of_half_a_year_is_a_bar_a_week(self):
        half = sample_log(weeks=26, tz=TZ, adherence=1)
        ax = charts.plot_exercise_history(half, "bridge", days=None)
        table = analysis.work_per_day(half, "bridge")
        weeks = table["seconds_done"].groupby(table.index.to_period("W")).mean()
        assert [p.get_height() for p in ax.patches] == pytest.approx(weeks.to_list())
        assert ax.get_title().endswith("weekly means (sample data)")
        # the last 28 days stay a bar a day (the bridge is done three days a week)
        last = table[table.index > table.index.max() - pd.Timedelta(days=28)]
        assert len(charts.plot_exercise_history(half, "bridge").patches) == len(last) >= 11

    def test_pain_trend_of_years_is_the_monthly_mean_of_the_daily_means(self, five_years):
        ax = charts.plot_pain_trend(five_years)
        (line,) = [ln for ln in ax.lines if ln.get_label() == "monthly mean"]
        daily = analysis.daily_pain(five_years)["before_mean"].dropna()
        months = daily.groupby(daily.index.to_period("M")).mean()
        assert np.asarray(line.get_ydata(), float) == pytest.approx(months.to_numpy())
        assert not [c for c in ax.collections if c.get_label() == "daily mean"]

    def test_adherence_of_years_is_the_mean_week_of_each_month(self, five_years, plan):
        ax = charts.plot_adherence(five_years, plan)
        (target,) = [p for p in ax.patches if p.get_label() == "prescribed"]
        totals = analysis.weekly_adherence(five_years, plan)[1]
        months = totals["prescribed"].groupby(totals.index.to_period("M")).mean()
        assert target.get_data().values == pytest.approx(months.to_numpy())
        assert "mean over each month" in ax.get_ylabel()

    def test_the_sessions_panel_of_years_is_a_bar_a_month(self, five_years):
        fig = charts.plot_outcomes(five_years, sample_checkins(weeks=261))
        bars = [p for p in fig.axes[-1].patches if p.get_gid() == "sessions"]
        per_week = analysis.sessions_per_week(five_years)
        months = per_week.groupby(per_week.index.to_period("M")).mean()
        assert [b.get_height() for b in bars] == pytest.approx(months.to_list())
        assert "mean over each month" in fig.axes[-1].get_title(loc="left")

    def test_the_dashboard_of_years_draws_no_more_than_a_few_hundred_patches(self, five_years):
        fig = charts.plot_dashboard(five_years, sample_plan())
        assert sum(len(ax.patches) for ax in fig.axes) < 200


class TestWorkedOutTables:
    """A report works each table out once and hands it to the chart: the same drawing."""

    def test_pain_change_draws_the_effect_it_is_given(self, log, plan):
        effect = analysis.immediate_effect(log)
        given = charts.plot_pain_change(log, plan, effect=effect)
        own = charts.plot_pain_change(log, plan)
        assert [p.get_width() for p in given.patches] == [p.get_width() for p in own.patches]
        halved = effect.assign(
            change=effect["change"] / 2, ci_low=effect["ci_low"] / 2, ci_high=effect["ci_high"] / 2
        )
        drawn = charts.plot_pain_change(log, plan, effect=halved)
        assert [p.get_width() for p in drawn.patches] == pytest.approx(
            [p.get_width() / 2 for p in own.patches]
        )

    def test_adherence_draws_the_weeks_it_is_given(self, log, plan):
        weekly = analysis.weekly_adherence(log, plan)
        given = charts.plot_adherence(log, plan, weekly=weekly)
        own = charts.plot_adherence(log, plan)
        assert _texts(given) == _texts(own)
        first_weeks = (weekly[0].iloc[:3], weekly[1].iloc[:3])
        drawn = charts.plot_adherence(log, plan, weekly=first_weeks)
        assert len([t for t in _texts(drawn) if t.endswith("%")]) == 3
