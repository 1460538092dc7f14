"""Display helpers the notebooks use: exercise sections, one exercise's history, sample stamp."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import backkit
from backkit import charts, exercises
from backkit.errors import BackkitError
from backkit.exercises import SECTIONS, section_markdown, show_sections


class TestSectionMarkdown:
    @pytest.mark.parametrize("exercise_id", backkit.exercise_ids())
    @pytest.mark.parametrize("section", SECTIONS)
    def test_every_section_renders_for_every_exercise(self, exercise_id, section):
        text = section_markdown(exercise_id, section)
        if section == "variants" and not backkit.get_exercise(exercise_id).variants:
            assert text == ""  # only an exercise with other versions has this section
        else:
            assert text.strip()
        assert "None" not in text

    def test_sections_take_their_words_from_the_catalogue(self):
        ex = backkit.get_exercise("bridge")
        assert section_markdown(ex, "feel") == f"**What you should feel:** {ex.feel}"
        steps = section_markdown("bridge", "steps").splitlines()
        assert steps[0] == "**Steps**"
        assert steps[1:] == [f"{i}. {s}" for i, s in enumerate(ex.steps, 1)]
        assert ex.regression.description in section_markdown("bridge", "easier")
        assert ex.defaults_note in section_markdown("bridge", "why-dose")

    def test_corrections_are_a_table_row_per_correction_with_sources(self):
        ex = backkit.get_exercise("supine-hamstring-stretch")
        rows = [
            line
            for line in section_markdown(ex, "corrections").splitlines()
            if line.startswith("| ") and "---" not in line
        ]
        assert len(rows) == 1 + len(ex.corrections)  # header + one per correction
        assert "Lie on your stomach." in rows[1] and "(SOURCE, SLH)" in rows[1]

    def test_sources_give_the_full_citation(self):
        text = section_markdown("bridge", "sources")
        assert "**NHSI**: NHS inform" in text

    def test_the_card_is_the_exercise_markdown(self):
        ex = backkit.get_exercise("squat")
        assert show_sections(ex).data == ex._repr_markdown_() == exercises.to_markdown(ex)

    def test_show_sections_keeps_the_order_given(self):
        md = show_sections("squat", "cautions", "feel")
        assert md.data.index("**Cautions**") < md.data.index("**What you should feel:**")

    def test_unknown_section_names_the_value_and_the_choices(self):
        with pytest.raises(
            BackkitError,
            match=r"section='stpes' is not a section\. Did you mean 'steps'\? Use one of title",
        ):
            section_markdown("bridge", "stpes")

    def test_unknown_exercise_says_did_you_mean(self):
        with pytest.raises(KeyError, match="Did you mean 'bridge'"):
            show_sections("bridg", "steps")


def _log(rows):
    log = backkit.SessionLog(":memory:")
    log.record_many(rows)
    return log.frame()


class TestPlotExerciseHistory:
    def test_bars_are_seconds_done_per_day_and_ticks_what_was_planned(self):
        frame = _log(
            [
                # day 1: full dose, 3 x 10 x 5 s = 150 s; pain 4 -> 2
                dict(exercise_id="bridge", started_at="2025-03-03T08:00", pain_before=4,
                     pain_after=2),
                # day 2: one set of three, 50 s of 150; pain 3 -> 5
                dict(exercise_id="bridge", started_at="2025-03-04T08:00", sets_done=1,
                     pain_before=3, pain_after=5),
                # another exercise, not drawn
                dict(exercise_id="squat", started_at="2025-03-04T09:00"),
            ]
        )  # fmt: skip
        ax = charts.plot_exercise_history(frame, "bridge")
        heights = [p.get_height() for p in ax.patches]
        assert heights == [150.0, 50.0]
        planned = ax.collections[0].get_offsets()[:, 1]
        assert list(planned) == [150.0, 150.0]
        pain = ax.pain_axes
        segments = pain.collections[0].get_segments()
        assert [tuple(s[:, 1]) for s in segments] == [(4.0, 2.0), (3.0, 5.0)]
        colours = pain.collections[0].get_colors()
        assert tuple(np.round(colours[0][:3], 3)) == tuple(
            np.round(plt.matplotlib.colors.to_rgb(charts.OKABE_ITO["blue"]), 3)
        )
        assert tuple(np.round(colours[1][:3], 3)) == tuple(
            np.round(plt.matplotlib.colors.to_rgb(charts.OKABE_ITO["vermillion"]), 3)
        )
        assert ax.get_title() == "4. Bridge: the last 28 days"

    def test_days_limits_the_window_to_the_last_days_logged(self):
        rows = [
            dict(exercise_id="knee-to-chest", side=side, started_at=f"2025-03-{d:02d}T08:00")
            for d in (1, 10, 20)
            for side in ("left", "right")
        ]
        frame = _log(rows)
        ax = charts.plot_exercise_history(frame, "knee-to-chest", days=14)
        # both sides add up: 2 reps x 15 s x 2 sides = 60 s a day; 1 March falls out
        assert [p.get_height() for p in ax.patches] == [60.0, 60.0]
        ax_all = charts.plot_exercise_history(frame, "knee-to-chest", days=None)
        assert len(ax_all.patches) == 3
        assert ax_all.get_title() == "2. Single knee to chest: all days"

    def test_sample_data_says_so_in_the_title(self):
        ax = charts.plot_exercise_history(backkit.sample_log(weeks=2), "squat", days=7)
        assert ax.get_title().endswith("(sample data)")
        assert 1 <= len(ax.patches) <= 7

    def test_nothing_for_this_exercise_says_no_data(self):
        frame = _log([dict(exercise_id="squat", started_at="2025-03-04T09:00")])
        ax = charts.plot_exercise_history(frame, "bridge")
        assert len(ax.patches) == 0 and ax.pain_axes is None
        assert any(t.get_text().startswith(charts.NO_DATA) for t in ax.texts)
        empty = charts.plot_exercise_history(backkit.log.empty_frame(), "bridge")
        assert any(t.get_text().startswith(charts.NO_DATA) for t in empty.texts)

    def test_draws_on_the_axes_given(self):
        _, ax1 = plt.subplots()
        assert charts.plot_exercise_history(backkit.sample_log(weeks=1), "bridge", ax=ax1) is ax1

    @pytest.mark.parametrize("days", [0, -3, 2.5, True])
    def test_bad_days_is_one_clear_error(self, days):
        with pytest.raises(ValueError, match=rf"days={days!r} must be a whole number"):
            charts.plot_exercise_history(backkit.sample_log(weeks=1), "bridge", days=days)

    def test_unknown_exercise_lists_the_ids(self):
        with pytest.raises(KeyError, match="Valid ids: supine-hamstring-stretch"):
            charts.plot_exercise_history(backkit.sample_log(weeks=1), "brige")


class TestMarkSample:
    def test_stamps_the_figure_of_an_axes_and_returns_it(self):
        ax = backkit.plot_calendar(backkit.sample_log(weeks=2))
        assert charts.mark_sample(ax) is ax
        assert [t.get_text() for t in ax.figure.texts] == ["SAMPLE DATA"]

    def test_stamps_a_figure_with_other_words(self):
        fig = plt.figure()
        assert charts.mark_sample(fig, "made-up data") is fig
        assert [t.get_text() for t in fig.texts] == ["made-up data"]


def test_history_frame_columns_are_the_log_contract():
    # the chart relies on these columns of the log contract
    needed = {"sets_done", "reps_done", "hold_s_done", "sets_planned", "pain_before", "pain_after"}
    assert needed <= set(backkit.log.COLUMNS)
    assert isinstance(backkit.sample_log(weeks=1), pd.DataFrame)
