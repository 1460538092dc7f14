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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import config, outcomes
from ..errors import ValidationError
from . import _ui

if TYPE_CHECKING:
    import pandas as pd

    from ..log import SessionLog

__all__ = ["CheckIn"]

_ROWS = 5  # activity rows offered at the first PSFS (3 required)
_LABEL = "150px"  # width of the labels left of the sliders


def _slider(cls: str, value: int = 0, description: str = "", width: str = "400px"):
    return _ui.pain_slider(cls, value, description=description, label_width=_LABEL, width=width)


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
        The date the form starts with (default: :func:`backkit.config.today`).

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
    >>> w = backkit.CheckIn(backkit.SessionLog(":memory:"), today=datetime.date(2025, 3, 3))
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
        self.session_log = _ui.open_log(log)
        self.today = today or config.today()
        self.saved: pd.DataFrame | None = None
        self.summary = ""
        self._load()
        self.message = _ui.html("bk-checkin-message")
        self.output = widgets.Output()
        self.output.add_class("bk-checkin-errors")
        self._guard = _ui.guard(self.output, self.message)
        super().__init__(
            [
                _ui.style(),
                *self._build_title(),
                self._build_pain(),
                self._build_psfs(),
                self._build_custom(),
                *self._build_save(),
                self.message,
                self.output,
            ],
            layout=widgets.Layout(max_width="640px"),
        )
        self.add_class("bk-root")
        self.add_class("bk-checkin")

    # -- state ------------------------------------------------------------------

    def _load(self) -> None:
        import pandas as pd

        frame = outcomes.outcomes_frame(self.session_log)
        self.history = frame
        self.first = frame.empty
        self.activities = outcomes.psfs_activities(frame)
        self.customs = outcomes.custom_measures(frame)
        last: dict[tuple[str, str | None], float] = {}
        for measure, item, score in zip(
            frame["measure"], frame["item"], frame["score"], strict=True
        ):
            # the frame is oldest first: the latest score of each wins
            key = (str(measure), None if item is None or pd.isna(item) else str(item))
            last[key] = float(score)
        self.last = last

    # -- layout -----------------------------------------------------------------

    def _build_title(self) -> list[widgets.Widget]:
        if self.first:
            subtitle = (
                "Your first check-in is the <b>baseline</b> that later ones are compared with."
            )
        else:
            start = self.history["date"].min()
            subtitle = f"Follow-up: compared with your baseline of {start:%-d %b %Y}."
        self.title = _ui.html(
            "bk-checkin-title",
            f'<div class="bk-checkin-heading">Weekly check-in</div>{_ui.hint(subtitle)}',
        )
        self.date = widgets.DatePicker(
            value=self.today, description="Date", style={"description_width": _LABEL}
        )
        self.date.add_class("bk-checkin-date")
        return [self.title, self.date]

    def _build_pain(self) -> widgets.VBox:
        rows = []
        for attr, label, cls, measure in (
            ("pain_average", "Average pain", "bk-checkin-pain-average", outcomes.PAIN_AVERAGE),
            ("pain_worst", "Worst pain", "bk-checkin-pain-worst", outcomes.PAIN_WORST),
        ):
            last = self.last.get((measure, None))
            slider = _slider(cls, int(last or 0), label)
            setattr(self, attr, slider)
            rows.append(
                widgets.HBox(
                    [slider, _ui.html("bk-checkin-last", _last(last))],
                    layout=widgets.Layout(align_items="center"),
                )
            )
        question = _ui.pain_question(
            "bk-checkin-pain-question", "<b>Your back pain over the last 7 days</b>"
        )
        pain = widgets.VBox([question, *rows])
        pain.add_class("bk-checkin-pain")
        return pain

    def _build_psfs(self) -> widgets.VBox:
        low, high = outcomes.thresholds()[outcomes.PSFS]["scale"]
        from ..analysis import outcome_facts as facts

        attribution = _ui.escape(" ".join(facts()["psfs"]["attribution"].split()))
        scale = f"{low:g} = unable, {high:g} = able to do it as well as before your back problem"
        self.activity_names: list[widgets.Text] = []
        self.activity_scores: list[widgets.IntSlider] = []
        if self.activities:
            intro = (
                "<b>Activities you find hard</b>: how able are you to do each one today?"
                f"<br>{_ui.hint(scale)}"
            )
            rows = [self._known_activity(name) for name in self.activities]
        else:
            intro = (
                "<b>Activities you find hard</b>: name 3 to 5 important activities that you "
                "are unable to do, or find hard, because of your back; then rate how able you "
                "are to do each one today."
                f"<br>{_ui.hint(scale + '. Later check-ins ask about the same activities.')}"
            )
            rows = [self._new_activity(k) for k in range(_ROWS)]
        psfs = widgets.VBox(
            [
                _ui.html("bk-checkin-psfs-question", intro),
                *rows,
                _ui.html("bk-checkin-attribution", f'<span class="bk-small">{attribution}</span>'),
            ],
            layout=widgets.Layout(margin="10px 0 0 0"),
        )
        psfs.add_class("bk-checkin-psfs")
        return psfs

    def _known_activity(self, name: str) -> widgets.HBox:
        last = self.last.get((outcomes.PSFS, name))
        label = _ui.html("bk-checkin-activity-name", _ui.escape(name), width=_LABEL)
        score = _slider("bk-checkin-psfs-score", int(last or 0), width="260px")
        self.activity_scores.append(score)
        return widgets.HBox(
            [label, score, _ui.html("bk-checkin-last", _last(last))],
            layout=widgets.Layout(align_items="center"),
        )

    def _new_activity(self, k: int) -> widgets.HBox:
        name = widgets.Text(
            placeholder=f"activity {k + 1}" + (" (optional)" if k >= 3 else ""),
            layout=widgets.Layout(width="220px"),
        )
        name.add_class("bk-checkin-activity")
        score = _slider("bk-checkin-psfs-score", width="260px")
        self.activity_names.append(name)
        self.activity_scores.append(score)
        return widgets.HBox([name, score], layout=widgets.Layout(align_items="center"))

    def _build_custom(self) -> widgets.VBox:
        self.custom_toggle = widgets.Checkbox(
            value=False,
            description="Add a clinician-scored measure (e.g. the ODI or RMDQ total score)",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.custom_toggle.add_class("bk-checkin-custom-toggle")
        wide = {"description_width": _LABEL}
        self.custom_name = widgets.Combobox(
            options=sorted(self.customs), placeholder="e.g. ODI total", description="Measure",
            ensure_option=False, style=wide,
        )  # fmt: skip
        self.custom_score = widgets.FloatText(value=0.0, description="Total score", style=wide)
        self.custom_min = widgets.FloatText(value=0.0, description="Scale from", style=wide)
        self.custom_max = widgets.FloatText(value=100.0, description="to", style=wide)
        self.custom_direction = widgets.Dropdown(
            options=[("lower is better", False), ("higher is better", True)],
            value=False, description="Better when", style=wide,
        )  # fmt: skip
        self.custom_mcid = widgets.FloatText(value=10.0, description="MCID (points)", style=wide)
        fields = {
            "name": self.custom_name,
            "score": self.custom_score,
            "min": self.custom_min,
            "max": self.custom_max,
            "direction": self.custom_direction,
            "mcid": self.custom_mcid,
        }
        for suffix, w in fields.items():
            w.add_class(f"bk-checkin-custom-{suffix}")
        hint = _ui.hint(
            "Enter the total only: backkit does not include licensed questionnaires' items. "
            "The MCID is yours to set; for reference, Ostelo et al. 2008 give 10 points for "
            "the ODI (0-100) and 5 for the RMDQ (0-24)."
        )
        self.custom_box = widgets.VBox(
            [*fields.values(), _ui.html("bk-checkin-custom-hint", hint)],
            layout=widgets.Layout(display="none", margin="0 0 0 20px"),
        )
        self.custom_box.add_class("bk-checkin-custom")
        self.custom_toggle.observe(self._guard(self._on_toggle), names="value")
        self.custom_name.observe(self._guard(self._on_custom_name), names="value")
        return widgets.VBox(
            [self.custom_toggle, self.custom_box], layout=widgets.Layout(margin="10px 0 0 0")
        )

    def _build_save(self) -> list[widgets.Widget]:
        self.notes = widgets.Textarea(
            placeholder="Notes (optional): anything that affected this week",
            layout=widgets.Layout(width="100%", height="54px"),
        )
        self.notes.add_class("bk-checkin-notes")
        self.save_button = _ui.button(
            "Save check-in", "bk-checkin-save", "Check and store this check-in", "primary",
            min_width="160px", height="38px", align_self="flex-start",
        )  # fmt: skip
        self.save_button.on_click(self._guard(self._on_save))
        return [self.notes, self.save_button]

    # -- behaviour ------------------------------------------------------------------

    def _on_toggle(self, change: dict[str, Any]) -> None:
        self.custom_box.layout.display = "flex" if change["new"] else "none"

    def _on_custom_name(self, change: dict[str, Any]) -> None:
        known = {outcomes.measure_key(n): d for n, d in self.customs.items()}
        definition = known.get(outcomes.measure_key(change["new"] or ""))
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
            self.saved = outcomes.record_checkin(self.session_log, **self.checkin_values())
        except ValidationError as err:
            problems = "".join(
                f"<li><b>{_ui.escape(p.field)}</b> = {_ui.escape(repr(p.value))}: "
                f"{_ui.escape(p.message)}</li>"
                for p in err.problems
            )
            self.message.value = _ui.box(
                f"<b>Not saved</b> (nothing was written):<ul>{problems}</ul>", "stop"
            )
            return
        self._load()
        self.summary = outcomes.summary_line(self.history)
        day = self.saved["date"].iloc[0]
        self.message.value = _ui.box(
            f"<b>Saved</b> the check-in of {day:%-d %b %Y}.<br>{_ui.escape(self.summary)}", "ok"
        )
        self.save_button.disabled = True
        self.save_button.description = "✓ Saved"
