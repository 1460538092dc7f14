"""The no-code app's page: today's plan, a guided timer and the progress charts.

:class:`App` is what ``notebooks/app.ipynb`` shows and ``backkit app``
serves with Voila (see :mod:`backkit.app`). It reads the person's active plan
(:meth:`backkit.plan.Plan.active`) and writes to their session log; after a
session is saved, the progress charts are drawn again from the log.

``BACKKIT_APP_QUICK=1`` (``backkit app --quick``) shortens every exercise to
one set of one 2-second repetition with 1-second pauses: for trying the app
out and for the browser test. Sessions saved that way are logged at that
short dose, so they count only as the small sessions they were.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import config, safety
from ..exercises import get_exercise
from ..routine import Routine, for_plan, for_plan_item
from . import _ui
from .timer import SessionTimer

if TYPE_CHECKING:
    from ..log import SessionLog
    from ..plan import Plan

__all__ = ["QUICK_DOSE", "QUICK_ENV", "App"]

#: Environment variable: "1" shortens every exercise (a quick try; used by the tests).
QUICK_ENV = "BACKKIT_APP_QUICK"
#: The dose of every exercise in a quick try.
QUICK_DOSE = {
    "sets": 1,
    "reps": 1,
    "hold_seconds": 2,
    "prepare_seconds": 1,
    "rest_seconds": 1,
    "switch_seconds": 1,
    "set_rest_seconds": 1,
}
_SESSION = "session"  # the chooser's value for "today's whole session"


def _quick_from_env() -> bool:
    return os.environ.get(QUICK_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class App(widgets.VBox):
    """Today's plan, a guided timer and progress charts; charts redraw after each save.

    Parameters
    ----------
    log : SessionLog, path or None
        Where sessions are saved (default: the person's log).
    plan : Plan, optional
        The plan to follow (default: :meth:`Plan.active`, the plan the person
        activated, else all seven exercises daily).
    day : date, optional
        The day to show (default: :func:`backkit.config.today`).
    quick : bool, optional
        Shorten every exercise (see the module notes); default from
        ``$BACKKIT_APP_QUICK``.

    Examples
    --------
    >>> import backkit
    >>> from backkit.app import App
    >>> app = App(backkit.SessionLog(":memory:"), backkit.Plan.default("2025-03-03"),
    ...           day=backkit.Plan.default().start, quick=True)
    >>> app.choice.options[0][0].startswith("Today's whole session")
    True
    >>> app.stats.value
    'No sessions logged yet: your charts appear after the first one.'
    """

    def __init__(
        self,
        log: SessionLog | None = None,
        plan: Plan | None = None,
        *,
        day: dt.date | None = None,
        quick: bool | None = None,
    ):
        from ..plan import Plan

        self.session_log = _ui.open_log(log)
        self.plan = plan if plan is not None else Plan.active()
        self.day = day or config.today()
        self.quick = _quick_from_env() if quick is None else quick
        self.timer: SessionTimer | None = None
        self.saves = 0

        self.errors = widgets.Output()
        self.errors.add_class("bk-app-errors")
        self._guard = _ui.guard(self.errors)
        self.header = _ui.html("bk-app-header", self._header_html())
        self.choice = widgets.Dropdown(
            options=self._options(),
            description="Do now",
            style={"description_width": "70px"},
            layout=widgets.Layout(width="100%", max_width="560px"),
        )
        self.choice.add_class("bk-app-choice")
        self.timer_box = widgets.VBox()
        self.timer_box.add_class("bk-app-timer")
        self.stats = _ui.html("bk-app-stats")
        self.charts = _ui.html("bk-app-charts")
        progress = widgets.VBox(
            [_ui.html("bk-app-progress", "<h3 class='bk-app-progress-title'>Your progress</h3>"),
             self.stats, self.charts],
        )  # fmt: skip
        super().__init__(
            [_ui.style(), self.header, self.choice, self.timer_box, progress, self.errors],
            layout=widgets.Layout(max_width="1000px", padding="0 8px"),
        )
        self.add_class("bk-app")
        self.choice.observe(self._guard(self._on_choice), names="value")
        self._show_timer(self.choice.value)
        self.refresh_charts()

    # -- content -----------------------------------------------------------------

    def _due(self) -> tuple[Any, ...]:
        return self.plan.due_on(self.day)

    def _header_html(self) -> str:
        due = self._due()
        plan = self.plan
        rows = []
        for item in due or plan.items:
            sets, reps, hold = plan.dose(item.exercise_id)
            ex = get_exercise(item.exercise_id)
            side = " per side" if ex.sides == "per-side" else ""
            unit = "s a rep" if ex.kind == "paced" else "s hold"
            rows.append(
                f"<tr><td>{ex.number}. {_ui.escape(ex.name)}</td>"
                f"<td>{sets} &times; {reps}{side}</td><td>{hold:g} {unit}</td></tr>"
            )
        name = _ui.escape(plan.name)
        if due:
            intro = f"Today's exercises ({len(due)}), from your plan <b>{name}</b>:"
        else:
            intro = (
                f"Today is not an exercise day in your plan <b>{name}</b>; "
                "you can still do any of its exercises:"
            )
        stops = "".join(f"<li>{_ui.escape(r)}</li>" for r in safety.rules()["stop_rules"]["rules"])
        quick = (
            "<p class='bk-app-quick'><b>Quick try:</b> every exercise is shortened to one "
            "2-second repetition.</p>"
            if self.quick
            else ""
        )
        return (
            f"<h2>backkit: {self.day:%A %-d %B %Y}</h2><p>{intro}</p>"
            "<table><tr><th>exercise</th><th>sets &times; reps</th>"
            f"<th>time</th></tr>{''.join(rows)}</table>{quick}"
            f"<details><summary><b>Safety: when to stop</b></summary><ul>{stops}</ul></details>"
        )

    def _options(self) -> list[tuple[str, str]]:
        options = []
        session = self._routine(_SESSION)
        if session is not None:
            n, minutes = len(self._due()), session.total_seconds / 60
            label = f"Today's whole session ({n} exercises, about {minutes:.0f} min)"
            options.append((label, _SESSION))
        for item in self._due() or self.plan.items:
            ex = get_exercise(item.exercise_id)
            sets, reps, _ = self.plan.dose(item.exercise_id)
            dose = "quick try" if self.quick else f"{sets} x {reps}"
            options.append((f"{ex.number}. {ex.name} ({dose})", item.exercise_id))
        return options

    def _routine(self, choice: str) -> Routine | None:
        overrides = QUICK_DOSE if self.quick else None
        if choice == _SESSION:
            rest = 2 if self.quick else 30
            return for_plan(self.plan, self.day, rest_seconds=rest, overrides=overrides)
        item = next(i for i in self.plan.items if i.exercise_id == choice)
        return for_plan_item(item, overrides)

    def _show_timer(self, choice: str) -> None:
        if self.timer is not None:
            self.timer.close()
        self.timer = SessionTimer(self._routine(choice), self.session_log, plan_id=self.plan.id)
        self.timer.on_saved(self._guard(self._on_saved))
        self.timer_box.children = [self.timer]

    def refresh_charts(self) -> None:
        """Draw the progress charts and the summary line again from the log."""
        from matplotlib.figure import Figure

        from .. import analysis, charts
        from ..report import chart_html

        frame = self.session_log.frame()
        if frame.empty:
            stats = "No sessions logged yet: your charts appear after the first one."
        else:
            days = analysis.local_day(frame)
            sessions, n_days, bouts = frame["session_id"].nunique(), days.nunique(), len(frame)
            stats = (
                f"{_count(sessions, 'session')} on {_count(n_days, 'day')} logged "
                f"({_count(bouts, 'exercise bout')}); the last on {days.max():%-d %b %Y}."
            )
        figures = []
        for draw in (charts.plot_pain_trend, charts.plot_adherence):
            fig = Figure(figsize=(9, 3.6), layout="constrained")
            draw(frame, self.plan, ax=fig.add_subplot())
            figures.append(chart_html(fig, dpi=80))
        # Charts first, then the line about them: the page never shows new words on old charts.
        self.charts.value = "".join(f"<div>{img}</div>" for img in figures)
        self.stats.value = stats

    # -- events ------------------------------------------------------------------

    def _on_choice(self, change: dict[str, Any]) -> None:
        self._show_timer(change["new"])

    def _on_saved(self, rows: list[dict[str, Any]]) -> None:
        self.saves += 1
        self.refresh_charts()
