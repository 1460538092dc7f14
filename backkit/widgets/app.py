"""The no-code app's page: today's plan, a guided timer, the weekly check-in and progress.

:class:`App` is what ``notebooks/app.ipynb`` shows and ``backkit app``
serves with Voila (see :mod:`backkit.app`). It reads the person's active plan
(:meth:`backkit.plan.Plan.active`) and writes to their session log:

- the emergency signs (once on the page, in its header: open until the
  questions are answered and the first session is saved, folded after), the
  kit's pain message and stop rules;
- today's list, each exercise marked when it is already done today
  (:func:`done_today`, :func:`todays_list_html`);
- the red-flag questions before the first session and weekly
  (:class:`~backkit.widgets.screening.SafetyCheck`): a "yes" shows what to do
  now and no timer;
- the timer with the exercise's instructions (start position, steps,
  drawing) beside it, "Undo" right after a save, and a question before a
  change of exercise would discard a running session; a session a reload
  or a closed tab left unsaved is offered again ("Resume", "Save what you
  did"), and every list numbers the exercises as the timer says them
  (:func:`session_numbers`);
- the weekly check-in (:class:`~backkit.widgets.checkin.CheckIn`) and the
  "Fix an entry" tool (:class:`~backkit.widgets.fix.FixEntry`) in tabs: the
  check-in does not ask the warning-sign questions again when they were
  answered today, and a check-in that answers them opens the safety gate
  of the Today tab as the questions there would;
- the progress charts, drawn again after each save (before the first
  session, a sentence says what they will show).

``BACKKIT_APP_QUICK=1`` (``backkit app --quick``) shortens every exercise to
one set of one 2-second repetition with 1-second pauses: for trying the app
out and for the browser test. The get-ready before each exercise keeps the
time it takes to hear its instruction (backkit issue 26: a 1-second one was
cut short by "Hold"). Sessions saved that way are logged at that short dose,
so they count only as the small sessions they were.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import config, safety
from ..errors import BackkitError
from ..exercises import get_exercise
from ..i18n import N_, ngettext
from ..i18n import gettext as _
from ..routine import Routine, exercise_numbers, for_plan, for_plan_item
from . import ui
from .checkin import CheckIn
from .fix import FixEntry, UndoBar
from .personal import PersonalCheck
from .screening import SafetyCheck
from .timer import SessionTimer

if TYPE_CHECKING:
    from ..log import SessionLog
    from ..plan import Plan

__all__ = [
    "NO_CHARTS_YET",
    "QUICK_DOSE",
    "QUICK_ENV",
    "App",
    "done_today",
    "instructions_html",
    "session_numbers",
    "todays_list_html",
]

#: Environment variable: "1" shortens every exercise (a quick try; used by the tests).
QUICK_ENV = "BACKKIT_APP_QUICK"
#: The dose of every exercise in a quick try (its get-ready fits its instruction).
QUICK_DOSE = {
    "sets": 1,
    "reps": 1,
    "hold_seconds": 2,
    "rest_seconds": 1,
    "switch_seconds": 1,
    "set_rest_seconds": 1,
}
_SESSION = "session"  # the chooser's value for "today's whole session"
#: What the progress area says before the first session, instead of empty charts.
NO_CHARTS_YET = N_(
    "No sessions saved yet. After your first one, two charts appear here: your pain "
    "before exercise, day by day (when you rate it), and the exercises you do each week "
    "against your plan."
)
#: The app's tabs, in order.
_TABS = (N_("Today"), N_("Weekly check-in"), N_("Fix an entry"), N_("About you"))


def _quick_from_env() -> bool:
    return os.environ.get(QUICK_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def done_today(log: SessionLog, day: dt.date) -> dict[str, float]:
    """Each exercise with something saved on ``day`` and its credit: 1 done, below 1 part done.

    The kit's one definition (:func:`backkit.adherence.credits`), the one the
    adherence chart counts: a bout whose every repetition was skipped is
    saved but is not "done".

    Examples
    --------
    >>> import datetime as dt, backkit
    >>> from backkit.widgets.app import done_today
    >>> log = backkit.SessionLog(":memory:")
    >>> _ = log.record(exercise_id="bridge", started_at="2025-03-03T09:00:00+00:00")
    >>> done_today(log, dt.date(2025, 3, 3)), done_today(log, dt.date(2025, 3, 4))
    ({'bridge': 1.0}, {})
    """
    from ..adherence import credits

    return credits(log.frame(), day)


def _today_mark(credit: float | None) -> tuple[str, str]:
    """The "today" cell of an exercise and its row's class, from its credit."""
    if credit is None:
        return "<td class='bk-todo'>" + _("to do") + "</td>", "bk-row-todo"
    if credit >= 1:
        return "<td class='bk-done'>" + _("✓ done today") + "</td>", "bk-row-done"
    if credit > 0:
        part = _("part done ({percent})").format(percent=f"{credit:.0%}")
        return f"<td class='bk-part'>{part}</td>", "bk-row-part"
    return "<td class='bk-todo'>" + _("to do (nothing done yet)") + "</td>", "bk-row-todo"


def session_numbers(plan: Plan, day: dt.date) -> dict[str, int]:
    """Each exercise's number on ``day``: its place in the day's session, as the timer says it.

    On a day with exercises due these are the numbers of
    :func:`backkit.routine.exercise_numbers` ("Exercise 2 of 5"), not the
    catalogue's; on other days, the place in the plan.

    Examples
    --------
    >>> import datetime as dt, backkit
    >>> from backkit.widgets.app import session_numbers
    >>> plan = backkit.Plan.default(start=dt.date(2026, 12, 7))
    >>> session_numbers(plan, dt.date(2026, 12, 8))["long-sitting-hamstring-stretch"]  # a Tuesday
    4
    """
    routine = for_plan(plan, day)
    if routine is not None:
        return exercise_numbers(routine)
    return {item.exercise_id: n for n, item in enumerate(plan.items, start=1)}


def todays_list_html(plan: Plan, log: SessionLog, day: dt.date, *, quick: bool = False) -> str:
    """Today's exercises as a table (HTML), each marked "done today" once something is saved.

    Numbered as the timer numbers them (:func:`session_numbers`).
    """
    due = plan.due_on(day)
    done = done_today(log, day)
    numbers = session_numbers(plan, day)
    rows = []
    for item in due or plan.items:
        sets, reps, hold = plan.dose(item.exercise_id)
        ex = get_exercise(item.exercise_id)
        if ex.per_side:
            dose = _("{sets} &times; {reps} per side").format(sets=sets, reps=reps)
        else:
            dose = f"{sets} &times; {reps}"
        if ex.kind == "paced":
            # Translators: "s" is seconds: the time of one repetition
            time = _("{seconds} s a rep").format(seconds=f"{hold:g}")
        else:
            # Translators: "s" is seconds: how long each repetition is held
            time = _("{seconds} s hold").format(seconds=f"{hold:g}")
        mark, row_class = _today_mark(done.get(ex.id))
        rows.append(
            f"<tr class='{row_class}'>"
            f"<td>{numbers[ex.id]}. {ui.escape(ex.name)}</td>"
            f"<td>{dose}</td><td>{time}</td>{mark}</tr>"
        )
    name = ui.escape(plan.name)
    if due:
        left = sum(done.get(i.exercise_id, 0) < 1 for i in due)
        intro = _(
            "Today's exercises ({n}, {left} still to do), from your plan <b>{plan}</b>:"
        ).format(n=len(due), left=left, plan=name)
    else:
        intro = _(
            "Today is not an exercise day in your plan <b>{plan}</b>; "
            "you can still do any of its exercises:"
        ).format(plan=name)
    quick_note = (
        "<p class='bk-app-quick'>"
        + _("<b>Quick try:</b> every exercise is shortened to one 2-second repetition.")
        + "</p>"
        if quick
        else ""
    )
    # Translators: the headings of today's table of exercises
    head = (_("exercise"), _("sets &times; reps"), _("time"), _("today"))
    heads = "".join(f"<th>{h}</th>" for h in head)
    return (
        f"<p>{intro}</p><table class='bk-today'><tr>{heads}</tr>{''.join(rows)}</table>{quick_note}"
    )


def instructions_html(exercise_id: str, *, folded: bool = False, number: int | None = None) -> str:
    """How to do one exercise: its start position, steps and a drawing (HTML, escaped).

    ``folded`` shows only its name until clicked (the exercises of a whole session);
    ``number`` is its number in today's session (:func:`session_numbers`), by
    default the catalogue's.
    """
    from .timer_view import pose_svg

    ex = get_exercise(exercise_id)
    steps = "".join(f"<li>{ui.escape(s)}</li>" for s in ex.steps)
    drawing = ""
    if ex.poses is not None:
        try:
            drawing = f"<div class='bk-pose bk-face'>{pose_svg(ex.id, ex.poses.names()[-1])}</div>"
        except BackkitError:  # an exercise without drawable poses: the words are enough
            drawing = ""
    name = f"{ex.number if number is None else number}. {ui.escape(ex.name)}"
    body = (
        f"{drawing}<p>"
        + _("<b>Start position:</b> {position}").format(position=ui.escape(ex.start_position))
        + "</p>"
        f"<ol class='bk-steps'>{steps}</ol>"
    )
    if folded:
        return f"<details class='bk-instructions'><summary><b>{name}</b></summary>{body}</details>"
    return f"<div class='bk-instructions'><h4>{name}</h4>{body}</div>"


class App(widgets.VBox):
    """Today's plan, the safety questions, a guided timer, the check-in and progress charts.

    Parameters
    ----------
    log : SessionLog, path or None
        Where sessions are saved (default: the person's log).
    plan : Plan, optional
        The plan to follow (default: :meth:`Plan.active`, the plan the person
        activated, else the default plan).
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
    >>> app.timer is None, app.safety_check.due  # the red-flag questions come first
    (True, True)
    >>> app.stats.value  # no empty charts: what they will show
    'No sessions saved yet. After your first one, two charts appear here: your pain ...'
    >>> app.charts.value
    ''
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

        self.session_log = ui.open_log(log)
        self.plan = plan if plan is not None else Plan.active()
        self.day = day or config.today()
        self.quick = _quick_from_env() if quick is None else quick
        self.timer: SessionTimer | None = None
        self.saves = 0
        self._pending: tuple[str, str] | None = None  # (old, new) choice while asking
        self._followed = False  # shown the choice of a session a closed page left

        self.errors = widgets.Output()
        self.errors.add_class("bk-app-errors")
        self._guard = ui.guard(self.errors)
        self.header = ui.html("bk-app-header")
        self.today_list = ui.html("bk-app-today", self._today_html())
        self.choice = widgets.Dropdown(
            options=self._options(),
            # Translators: the label of the list of what to do (the whole session, one exercise)
            description=_("Do now"),
            style={"description_width": "initial"},  # "Fazer agora" is longer
            layout=widgets.Layout(width="100%", max_width="560px"),
        )
        self.choice.add_class("bk-app-choice")
        self.confirm = self._build_confirm()
        self.timer_box = widgets.VBox()
        self.timer_box.add_class("bk-app-timer")
        self.instructions = ui.html("bk-app-instructions", max_width="380px")
        self.undo = UndoBar(self.session_log, on_undone=self._guard(self._after_undo))
        # before the safety check: when its gate is open already, it makes the timer at once
        self.checkin = CheckIn(self.session_log, today=self.day, signs=False)
        self.checkin.on_saved(self._guard(self._after_checkin))
        self.safety_check = SafetyCheck(self.session_log, then=self._make_timer, signs=False)
        self.header.value = self._header_html()
        self.stats = ui.html("bk-app-stats")
        self.charts = ui.html("bk-app-charts")
        self.tabs = self._build_tabs()
        super().__init__(
            [ui.style(), self.header, self.tabs, self.errors],
            layout=widgets.Layout(max_width="1100px", padding="0 8px"),
        )
        self.add_class("bk-app")
        self.choice.observe(self._guard(self._on_choice), names="value")
        self.tabs.observe(self._guard(self._on_tab), names="selected_index")
        self.refresh_charts()

    # -- layout ------------------------------------------------------------------

    def _build_tabs(self) -> widgets.Tab:
        progress = widgets.VBox(
            [
                ui.html(
                    "bk-app-progress",
                    "<h3 class='bk-app-progress-title'>" + _("Your progress") + "</h3>",
                ),
                self.stats,
                self.charts,
            ],
        )
        self.session_area = widgets.HBox(
            [self.timer_box, self.instructions],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        today = widgets.VBox(
            [
                self.today_list,
                self.choice,
                self.confirm,
                self.safety_check,
                self.session_area,
                self.undo,
                progress,
            ]
        )
        self.fix = FixEntry(self.session_log)
        self.about = PersonalCheck(self.session_log)
        tabs = widgets.Tab(children=[today, self.checkin, self.fix, self.about])
        for k, title in enumerate(_TABS):
            tabs.set_title(k, _(title))
        tabs.add_class("bk-app-tabs")
        return tabs

    def _build_confirm(self) -> widgets.VBox:
        self.confirm_text = ui.html("bk-app-confirm-text")
        self.discard_button = ui.button(
            _("Change and discard it"),
            "bk-app-discard",
            _("Stop the running session without saving it"),
            "danger",
        )
        self.keep_button = ui.button(
            _("Keep going"), "bk-app-keep", _("Go back to the running session"), "primary"
        )
        self.discard_button.on_click(self._guard(lambda _b: self._resolve(True)))
        self.keep_button.on_click(self._guard(lambda _b: self._resolve(False)))
        box = widgets.VBox(
            [self.confirm_text, widgets.HBox([self.keep_button, self.discard_button])],
            layout=widgets.Layout(display="none"),
        )
        box.add_class("bk-app-confirm")
        return box

    # -- content -----------------------------------------------------------------

    def _due(self) -> tuple[Any, ...]:
        return self.plan.due_on(self.day)

    def _header_html(self) -> str:
        rules = safety.rules()["stop_rules"]["rules"]
        stops = "".join(f"<li>{ui.escape(r)}</li>" for r in rules)
        # the stop rules point to the pain limit: it is shown with them (safety.pain_rule)
        limit = "".join(f"<li>{ui.escape(step)}</li>" for step in safety.pain_rule())
        # the page's one emergency list: open until the questions are answered (a
        # timer is made) and the first session is saved (as the timer's own list), then folded
        first = self.timer is None or len(self.session_log) == 0
        when_to_stop = _("Pain while exercising: when to stop")
        too_much = _("How much pain is too much:")
        return (
            f"<h2>backkit: {config.day_text(self.day, weekday=True, full=True)}</h2>"
            f"<div class='bk-safety'>{ui.emergency_html(open_=first)}</div>"
            f"<details class='bk-stop-rules'><summary><b>{when_to_stop}"
            f"</b></summary><ul>{stops}</ul><p><b>{too_much}</b></p>"
            f"<ul>{limit}</ul></details>"
        )

    def _today_html(self) -> str:
        return todays_list_html(self.plan, self.session_log, self.day, quick=self.quick)

    def _options(self) -> list[tuple[str, str]]:
        options = []
        session = self._routine(_SESSION)
        if session is not None:
            n, minutes = len(self._due()), session.total_seconds / 60
            label = ngettext(
                "Today's whole session ({n} exercise, about {minutes} min)",
                "Today's whole session ({n} exercises, about {minutes} min)",
                n,
            ).format(n=n, minutes=f"{minutes:.0f}")
            options.append((label, _SESSION))
        done = done_today(self.session_log, self.day)
        numbers = session_numbers(self.plan, self.day)
        for item in self._due() or self.plan.items:
            ex = get_exercise(item.exercise_id)
            sets, reps, _hold = self.plan.dose(item.exercise_id)
            dose = _("quick try") if self.quick else f"{sets} x {reps}"
            credit = done.get(ex.id, 0.0)
            if credit >= 1:
                label = _("{number}. {name} ({dose}, done today)")
            elif credit > 0:
                label = _("{number}. {name} ({dose}, part done today)")
            else:
                label = "{number}. {name} ({dose})"
            label = label.format(number=numbers[ex.id], name=ex.name, dose=dose)
            options.append((label, item.exercise_id))
        return options

    def _routine(self, choice: str) -> Routine | None:
        overrides = QUICK_DOSE if self.quick else None
        if choice == _SESSION:
            rest = 2 if self.quick else 30
            return for_plan(self.plan, self.day, rest_seconds=rest, overrides=overrides)
        item = next(i for i in self.plan.items if i.exercise_id == choice)
        return for_plan_item(item, overrides)

    def _make_timer(self) -> widgets.Widget:
        """Called once the red-flag questions are answered with no "yes"."""
        self._show_timer(self.choice.value)
        self.header.value = self._header_html()
        self.checkin.refresh_screening()  # answered here: the check-in need not ask again
        return widgets.VBox()  # the timer lives in the session area, beside its instructions

    def _show_timer(self, choice: str) -> None:
        if self.timer is not None:
            self.timer.close()
        routine = self._routine(choice)
        assert routine is not None  # the whole session is offered only on a day with exercises due
        self.timer = SessionTimer(routine, self.session_log, plan_id=self.plan.id, signs=False)
        self.timer.on_saved(self._guard(self._on_saved))
        face = self.timer.view.face
        face.journal = {**face.journal, "choice": choice}  # kept with the page's copy
        face.observe(self._guard(self._on_left_behind), names="elsewhere")
        self.timer_box.children = [self.timer]
        ids = self.timer.routine.exercise_ids
        several = len(set(ids)) > 1
        numbers = session_numbers(self.plan, self.day)
        how = "".join(
            instructions_html(i, folded=several, number=numbers.get(i)) for i in dict.fromkeys(ids)
        )
        intro = _("<b>How to do each exercise</b> (click a name)") if several else ""
        self.instructions.value = intro + how
        self.undo.layout.display = "none"

    def refresh_charts(self) -> None:
        """Draw the progress charts and the summary line again from the log."""
        from matplotlib.figure import Figure

        from .. import analysis, charts
        from ..report import chart_html

        frame = self.session_log.frame()
        if frame.empty:
            # words, not empty frames: what the charts will show, and when
            self.charts.value = ""
            self.stats.value = _(NO_CHARTS_YET)
            return
        days = analysis.local_day(frame)
        sessions, n_days, bouts = frame["session_id"].nunique(), days.nunique(), len(frame)
        last = days.max()
        stats = _("{sessions} on {days} logged ({bouts}); the last on {day}.").format(
            sessions=ngettext("{n} session", "{n} sessions", sessions).format(n=sessions),
            days=ngettext("{n} day", "{n} days", n_days).format(n=n_days),
            bouts=ngettext("{n} exercise bout", "{n} exercise bouts", bouts).format(n=bouts),
            day=config.day_text(last),
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

    def _on_tab(self, change: dict[str, Any]) -> None:
        if self.tabs.children[change["new"] or 0] is self.checkin:
            # answered in the Today tab since the check-in was built: not asked again
            self.checkin.refresh_screening()

    def _after_checkin(self) -> None:
        """A check-in was saved: list it in "Fix an entry"; its answers may open the gate."""
        self.fix.refresh()
        self.safety_check.refresh()

    def _running(self) -> bool:
        return self.timer is not None and self.timer.state in ("running", "paused")

    def _on_choice(self, change: dict[str, Any]) -> None:
        if self._pending is not None and change["new"] == self._pending[0]:
            return  # the choice put back while asking
        if self._running():
            # ask first: a change would throw the running session away
            self._pending = (change["old"], change["new"])
            self.choice.value = change["old"]
            label = dict((v, k) for k, v in self.choice.options)[change["new"]]
            self.confirm_text.value = ui.box(
                _(
                    "A session is running. Change to <b>{choice}</b> and discard it "
                    "(nothing of it is saved)?"
                ).format(choice=ui.escape(label)),
                "reduce",
            )
            self.confirm.layout.display = ""
            return
        self._pending = None
        if self.timer is not None:
            self._show_timer(change["new"])

    def _on_left_behind(self, change: dict[str, Any]) -> None:
        """The page holds an unsaved session of another choice: show that one (it offers it)."""
        choice = (change["new"] or {}).get("choice")
        known = {value for _label, value in self.choice.options}
        if self._followed or choice not in known or choice == self.choice.value or self._running():
            return
        # once, for the page as it opens: a person who then picks another choice keeps it
        self._followed = True
        self.choice.value = choice  # _on_choice shows its timer

    def _resolve(self, discard: bool) -> None:
        pending, self._pending = self._pending, None
        self.confirm.layout.display = "none"
        if not discard or pending is None:
            return
        _old, new = pending
        if self.timer is not None:
            self.timer.discard()  # thrown away on purpose: not offered again after a reload
        self._pending = (new, new)  # the observer skips the change made here
        self.choice.value = new
        self._pending = None
        self._show_timer(new)

    def _on_saved(self, rows: list[dict[str, Any]]) -> None:
        self.saves += 1
        self.undo.offer(rows)
        self._after_change()

    def _after_undo(self) -> None:
        if self.timer is not None:
            self.timer.reopen()  # the corrected session can be saved again
        self._after_change()

    def _after_change(self) -> None:
        self.header.value = self._header_html()  # the emergency list folds after the first session
        self.today_list.value = self._today_html()
        self.fix.refresh()
        self.refresh_charts()
