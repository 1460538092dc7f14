"""The weekly check-in widget: pain, the PSFS and an optional clinician's measure.

:class:`CheckIn` is a thin view over :mod:`backkit.outcomes`: it reads the
check-ins stored so far (to re-use the PSFS activities and show last time's
ratings), calls :func:`backkit.outcomes.record_checkin` on Save, and shows
either the one-line summary of change since baseline or the reasons the
check-in was refused. Nothing in it waits or sleeps, so it never blocks the
kernel; it works in JupyterLab and Voila, and headless by setting its
widgets' values and calling ``save_button.click()``.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from . import outcomes as _outcomes
from .log import LogValidationError, SessionLog, kit_timezone

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CheckIn"]

_ROWS = 5  # activity rows offered at the first PSFS (3 required)
_GREEN, _RED, _GREY = "#1a7f37", "#b2182b", "#555"


def _html(cls: str, value: str = "", **layout: Any) -> widgets.HTML:
    w = widgets.HTML(value, layout=widgets.Layout(**layout))
    w.add_class(cls)
    return w


def _slider(description: str, cls: str, value: int = 0) -> widgets.IntSlider:
    w = widgets.IntSlider(
        value=value, min=0, max=10, step=1, description=description,
        continuous_update=False, style={"description_width": "150px"},
        layout=widgets.Layout(width="400px"),
    )  # fmt: skip
    w.add_class(cls)
    return w


def _box(text: str, colour: str) -> str:
    return (
        f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:6px 0;'
        f'color:{colour};line-height:1.4">{text}</div>'
    )


def _last(value: Any) -> str:
    if value is None:
        return ""
    return f"last time: {float(value):.1f}".replace(".0", "")


class CheckIn(widgets.VBox):
    """A weekly check-in: average and worst pain, the PSFS, an optional custom measure.

    The first check-in is the baseline: it asks the person to name 3 to 5
    activities their back makes hard (the Patient-Specific Functional Scale).
    Later check-ins show the same activities with last time's rating beside
    each. A clinician may add a custom measure, e.g. the total score of a
    licensed questionnaire (ODI, RMDQ) with its scale, direction and MCID;
    its items are never part of backkit. Save validates and stores the
    check-in (nothing is stored when anything is wrong, and the reasons are
    shown), then shows the one-line summary of change since baseline.

    Parameters
    ----------
    log : SessionLog, path or None
        The store (the session log's file). None opens the default log
        (:func:`backkit.config.default_log_path`), so check-ins persist.
    today : date, optional
        The date the form starts with (default: today in the kit's time zone).

    Attributes
    ----------
    session_log : SessionLog
        Where check-ins are stored.
    saved : DataFrame or None
        The rows stored by the last successful Save.
    summary : str
        The summary line shown after saving.

    Examples
    --------
    >>> import datetime, backkit
    >>> from backkit.checkin import CheckIn
    >>> w = CheckIn(backkit.SessionLog(":memory:"), today=datetime.date(2025, 3, 3))
    >>> w.pain_average.value, w.pain_worst.value = 6, 8
    >>> for box, slider, name, score in zip(
    ...     w.activity_names, w.activity_scores, ["sitting", "socks", "shopping"], [4, 3, 5]
    ... ):
    ...     box.value, slider.value = name, score
    >>> w.save_button.click()
    >>> print(w.summary)  # doctest: +NORMALIZE_WHITESPACE
    Baseline on 3 Mar 2025: average pain 6/10, worst pain 8/10, PSFS (mean) 4/10.
    Check in again next week to see the change.
    """

    def __init__(self, log: SessionLog | str | Path | None = None, *, today: dt.date | None = None):
        self.session_log = log if isinstance(log, SessionLog) else SessionLog(log)
        self.today = today or dt.datetime.now(kit_timezone()).date()
        self.saved: pd.DataFrame | None = None
        self.summary = ""
        self._load()
        self._build()

    # -- state ------------------------------------------------------------------

    def _load(self) -> None:
        import pandas as pd

        frame = _outcomes.outcomes_frame(self.session_log)
        self.history = frame
        self.first = frame.empty
        self.activities = _outcomes.psfs_activities(frame)
        self.customs = _outcomes.custom_measures(frame)
        last: dict[tuple[str, str | None], float] = {}
        for measure, item, score in zip(
            frame["measure"], frame["item"], frame["score"], strict=True
        ):
            # the frame is oldest first: the latest score of each wins
            last[(str(measure), None if item is None or pd.isna(item) else str(item))] = float(
                score
            )
        self.last = last

    # -- layout -----------------------------------------------------------------

    def _build(self) -> None:
        rules = _outcomes.thresholds()
        if self.first:
            subtitle = (
                "Your first check-in is the <b>baseline</b> that later ones are compared with."
            )
        else:
            start = self.history["date"].min()
            subtitle = f"Follow-up: compared with your baseline of {start:%-d %b %Y}."
        self.title = _html(
            "bk-checkin-title",
            '<div style="font-size:18px;font-weight:700">Weekly check-in</div>'
            f'<div style="color:{_GREY};font-size:13px">{subtitle}</div>',
        )
        self.date = widgets.DatePicker(
            value=self.today, description="Date", style={"description_width": "150px"}
        )
        self.date.add_class("bk-checkin-date")

        # -- pain -----------------------------------------------------------------
        self.pain_average = _slider(
            "Average pain",
            "bk-checkin-pain-average",
            int(self.last.get((_outcomes.PAIN_AVERAGE, None), 0)),
        )
        self.pain_worst = _slider(
            "Worst pain",
            "bk-checkin-pain-worst",
            int(self.last.get((_outcomes.PAIN_WORST, None), 0)),
        )
        pain_rows = [
            widgets.HBox(
                [
                    slider,
                    _html("bk-checkin-last", _last(self.last.get((measure, None)))),
                ],
                layout=widgets.Layout(align_items="center"),
            )
            for slider, measure in (
                (self.pain_average, _outcomes.PAIN_AVERAGE),
                (self.pain_worst, _outcomes.PAIN_WORST),
            )
        ]
        pain = widgets.VBox(
            [
                _html(
                    "bk-checkin-pain-question",
                    "<b>Your back pain over the last 7 days</b><br>"
                    f'<span style="color:{_GREY};font-size:13px">0 = no pain, '
                    "10 = worst pain imaginable</span>",
                ),
                *pain_rows,
            ]
        )
        pain.add_class("bk-checkin-pain")

        # -- PSFS -----------------------------------------------------------------
        low, high = rules[_outcomes.PSFS]["scale"]
        from .analysis import outcomes as facts

        attribution = html.escape(" ".join(facts()["psfs"]["attribution"].split()))
        self.activity_names: list[widgets.Text] = []
        self.activity_scores: list[widgets.IntSlider] = []
        rows: list[widgets.Widget] = []
        if self.activities:
            intro = (
                "<b>Activities you find hard</b>: how able are you to do each one today?"
                f'<br><span style="color:{_GREY};font-size:13px">{low:g} = unable, '
                f"{high:g} = able to do it as well as before your back problem</span>"
            )
            for name in self.activities:
                label = _html("bk-checkin-activity-name", html.escape(name), width="150px")
                score = _slider("", "bk-checkin-psfs-score", int(self.last.get(("psfs", name), 0)))
                score.layout.width = "260px"
                self.activity_scores.append(score)
                rows.append(
                    widgets.HBox(
                        [
                            label,
                            score,
                            _html("bk-checkin-last", _last(self.last.get(("psfs", name)))),
                        ],
                        layout=widgets.Layout(align_items="center"),
                    )
                )
        else:
            intro = (
                "<b>Activities you find hard</b>: name 3 to 5 important activities that you "
                "are unable to do, or find hard, because of your back; then rate how able you "
                "are to do each one today."
                f'<br><span style="color:{_GREY};font-size:13px">{low:g} = unable, '
                f"{high:g} = able to do it as well as before your back problem. Later "
                "check-ins ask about the same activities.</span>"
            )
            for k in range(_ROWS):
                name = widgets.Text(
                    placeholder=f"activity {k + 1}" + (" (optional)" if k >= 3 else ""),
                    layout=widgets.Layout(width="220px"),
                )
                name.add_class("bk-checkin-activity")
                score = _slider("", "bk-checkin-psfs-score")
                score.layout.width = "260px"
                self.activity_names.append(name)
                self.activity_scores.append(score)
                rows.append(
                    widgets.HBox([name, score], layout=widgets.Layout(align_items="center"))
                )
        psfs = widgets.VBox(
            [
                _html("bk-checkin-psfs-question", intro),
                *rows,
                _html(
                    "bk-checkin-attribution",
                    f'<span style="color:#777;font-size:11px">{attribution}</span>',
                ),
            ],
            layout=widgets.Layout(margin="10px 0 0 0"),
        )
        psfs.add_class("bk-checkin-psfs")

        # -- custom measure -----------------------------------------------------------
        self.custom_toggle = widgets.Checkbox(
            value=False,
            description="Add a clinician-scored measure (e.g. the ODI or RMDQ total score)",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.custom_toggle.add_class("bk-checkin-custom-toggle")
        wide = {"description_width": "150px"}
        self.custom_name = widgets.Combobox(
            options=sorted(self.customs),
            placeholder="e.g. ODI total",
            description="Measure",
            ensure_option=False,
            style=wide,
        )
        self.custom_name.add_class("bk-checkin-custom-name")
        self.custom_score = widgets.FloatText(value=0.0, description="Total score", style=wide)
        self.custom_score.add_class("bk-checkin-custom-score")
        self.custom_min = widgets.FloatText(value=0.0, description="Scale from", style=wide)
        self.custom_min.add_class("bk-checkin-custom-min")
        self.custom_max = widgets.FloatText(value=100.0, description="to", style=wide)
        self.custom_max.add_class("bk-checkin-custom-max")
        self.custom_direction = widgets.Dropdown(
            options=[("lower is better", False), ("higher is better", True)],
            value=False,
            description="Better when",
            style=wide,
        )
        self.custom_direction.add_class("bk-checkin-custom-direction")
        self.custom_mcid = widgets.FloatText(value=10.0, description="MCID (points)", style=wide)
        self.custom_mcid.add_class("bk-checkin-custom-mcid")
        self.custom_box = widgets.VBox(
            [
                self.custom_name,
                self.custom_score,
                self.custom_min,
                self.custom_max,
                self.custom_direction,
                self.custom_mcid,
                _html(
                    "bk-checkin-custom-hint",
                    f'<span style="color:{_GREY};font-size:12px">Enter the total only: backkit '
                    "does not include licensed questionnaires' items. The MCID is yours to "
                    "set; for reference, Ostelo et al. 2008 give 10 points for the ODI (0-100) "
                    "and 5 for the RMDQ (0-24).</span>",
                ),
            ],
            layout=widgets.Layout(display="none", margin="0 0 0 20px"),
        )
        self.custom_box.add_class("bk-checkin-custom")
        self.custom_toggle.observe(self._guard(self._on_toggle), names="value")
        self.custom_name.observe(self._guard(self._on_custom_name), names="value")

        self.notes = widgets.Textarea(
            placeholder="Notes (optional): anything that affected this week",
            layout=widgets.Layout(width="100%", height="54px"),
        )
        self.notes.add_class("bk-checkin-notes")
        self.save_button = widgets.Button(
            description="Save check-in",
            button_style="primary",
            tooltip="Check and store this check-in",
            layout=widgets.Layout(
                width="auto", min_width="160px", height="38px", align_self="flex-start"
            ),
        )
        self.save_button.add_class("bk-checkin-save")
        self.save_button.on_click(self._guard(self._on_save))
        self.message = _html("bk-checkin-message")
        self.output = widgets.Output()
        self.output.add_class("bk-checkin-errors")

        super().__init__(
            [
                self.title,
                self.date,
                pain,
                psfs,
                widgets.VBox(
                    [self.custom_toggle, self.custom_box],
                    layout=widgets.Layout(margin="10px 0 0 0"),
                ),
                self.notes,
                self.save_button,
                self.message,
                self.output,
            ],
            layout=widgets.Layout(
                border="1px solid #d0d0d0", padding="12px 16px", max_width="640px"
            ),
        )
        self.add_class("bk-checkin")

    # -- behaviour ------------------------------------------------------------------

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        # Errors in widget callbacks vanish unless shown somewhere: show them here.
        @functools.wraps(fn)
        def wrapper(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as err:
                text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
                self.output.append_stderr(text)
                self.message.value = _box(f"Something went wrong: {html.escape(str(err))}", _RED)
                return None

        return wrapper

    def _on_toggle(self, change: dict[str, Any]) -> None:
        self.custom_box.layout.display = "flex" if change["new"] else "none"

    def _on_custom_name(self, change: dict[str, Any]) -> None:
        known = {_outcomes.measure_key(n): d for n, d in self.customs.items()}
        definition = known.get(_outcomes.measure_key(change["new"] or ""))
        fields = (self.custom_min, self.custom_max, self.custom_direction, self.custom_mcid)
        if definition is not None:
            # a measure keeps its scale, direction and MCID: show them, fixed
            self.custom_min.value = definition["min"]
            self.custom_max.value = definition["max"]
            self.custom_direction.value = definition["higher_is_better"]
            self.custom_mcid.value = definition["mcid"]
        for w in fields:
            w.disabled = definition is not None

    def checkin_values(self) -> dict[str, Any]:
        """The arguments Save passes to :func:`backkit.outcomes.record_checkin`."""
        values: dict[str, Any] = {
            "date": self.date.value,
            "pain_average": self.pain_average.value,
            "pain_worst": self.pain_worst.value,
            "notes": self.notes.value or None,
            "baseline": self.first,
        }
        if self.activities:
            values["psfs"] = {
                name: slider.value
                for name, slider in zip(self.activities, self.activity_scores, strict=True)
            }
        else:
            named = {
                box.value: slider.value
                for box, slider in zip(self.activity_names, self.activity_scores, strict=True)
                if box.value.strip()
            }
            values["psfs"] = named or None  # no names at all: no PSFS this time
        if self.custom_toggle.value:
            values["custom"] = {
                "name": self.custom_name.value,
                "score": self.custom_score.value,
                "min": self.custom_min.value,
                "max": self.custom_max.value,
                "higher_is_better": self.custom_direction.value,
                "mcid": self.custom_mcid.value,
            }
        return values

    def _on_save(self, _button: Any) -> None:
        try:
            self.saved = _outcomes.record_checkin(self.session_log, **self.checkin_values())
        except LogValidationError as err:
            problems = "".join(
                f"<li><b>{html.escape(p.field)}</b> = {html.escape(repr(p.value))}: "
                f"{html.escape(p.message)}</li>"
                for p in err.problems
            )
            self.message.value = _box(
                f"<b>Not saved</b> (nothing was written):<ul style='margin:4px 0'>{problems}</ul>",
                _RED,
            )
            return
        self._load()
        self.summary = _outcomes.summary_line(self.history)
        day = self.saved["date"].iloc[0]
        self.message.value = _box(
            f"<b>Saved</b> the check-in of {day:%-d %b %Y}.<br>{html.escape(self.summary)}", _GREEN
        )
        self.save_button.disabled = True
        self.save_button.description = "✓ Saved"
