"""The guided session timer: the browser keeps the time, Python keeps the record.

:class:`SessionTimer` runs one exercise (or a chain of exercises) as a
countdown with spoken cues, then asks how the back feels and writes what was
done to the session log. It wires three parts together:

- :class:`backkit.widgets.timer_view.TimerView` with its face, an anywidget
  that counts down in the browser against deadlines on the page's clock (a
  busy kernel does not freeze it), speaks the cues, keeps the screen awake and
  appends each press and each phase change to the synced ``events`` list;
- :class:`backkit.routine.Engine`, rebuilt from ``events`` whenever the list
  changes (each event carries the time it happened), so the record has the
  right times even when the kernel was busy while they happened;
- saving through :meth:`backkit.SessionLog.record_many`, with the advice after
  a session from :func:`backkit.safety.check_pain`;
- :mod:`backkit.journal`, Python's copy of the session until it is saved or
  discarded, written as the events arrive; the next timer of the same log,
  plan and routine hands it to the page, which offers to resume it or save it.

:class:`Ticker` drives an engine from an asyncio loop in the kernel: the way
the timer kept time before it moved to the browser, kept for scripts
(:meth:`SessionTimer.run`) and for the benchmark that compares the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import conditions, config, gate, journal, safety
from ..errors import BackkitError, RoutineError, SafetyGateError
from ..exercises import Exercise, get_exercise
from ..i18n import gettext as _
from ..i18n import ngettext
from ..routine import Engine, Phase, Routine, Status, build_routine, done_summary, for_plan
from . import ui
from .screening import SafetyCheck
from .timer_view import TimerView, journal_key

if TYPE_CHECKING:
    import pandas as pd

    from ..log import SessionLog
    from ..plan import Plan

__all__ = ["DEFAULT_TICK", "VIEW_PARTS", "SessionTimer", "Ticker", "replay_events"]

#: Seconds between refreshes when Python drives the engine itself (scripts).
DEFAULT_TICK = 0.1
#: The view's controls a timer answers for too: ``timer.notes`` is ``timer.view.notes``.
VIEW_PARTS = frozenset(
    {
        "title", "pain_before", "pain_after", "notes", "message", "output", "face",
        "start_button", "pause_button", "skip_button", "back_button", "stop_button", "save_button",
        "skip_rating_button", "rate_each", "exercise_pain",
    }
)  # fmt: skip
_COMMANDS = ("start", "pause", "resume", "skip", "back", "stop")


def replay_events(
    routine: Routine,
    events: list[dict[str, Any]],
    *,
    clock: Callable[[], float] = time.time,
    wallclock: Callable[[], datetime] | None = None,
) -> Engine:
    """An engine that has lived through ``events`` (the face's append-only list).

    Commands (start, pause, resume, skip, back, stop) are applied at the times they
    carry; phase and end events only bring the engine up to their time (it
    computes the same phases from the deadlines). The start's wall-clock time
    is the event's ``wall`` (ISO text) when given, else ``wallclock()`` when
    given, else its ``at`` (the browser's clock, seconds since the epoch) read
    on the kit's clock (:func:`backkit.config.at`). Malformed events are ignored.

    Examples
    --------
    >>> from backkit.routine import build_routine
    >>> from backkit.widgets.timer import replay_events
    >>> r = build_routine("bridge", sets=1, reps=1, hold_seconds=5, prepare_seconds=2)
    >>> e = replay_events(r, [{"action": "start", "at": 1.7e9},
    ...                       {"action": "end", "at": 1.7e9 + 7, "index": 2}], clock=lambda: 0.0)
    >>> from backkit import config
    >>> e.state, e.results()[0].status, e.started_at == config.at(1.7e9)
    ('finished', 'completed', True)
    """
    good = [
        ev for ev in events
        if isinstance(ev, dict) and isinstance(ev.get("at"), (int, float))
        and not isinstance(ev.get("at"), bool)
    ]  # fmt: skip
    start = next((ev for ev in good if ev.get("action") == "start"), None)

    def wall() -> datetime:
        if start is not None and isinstance(start.get("wall"), str):
            return datetime.fromisoformat(start["wall"])
        if wallclock is not None:
            return wallclock()
        return config.at(start["at"] if start else clock())

    engine = Engine(routine, clock=clock, wallclock=wall)
    for ev in good:
        action, at = ev.get("action"), float(ev["at"])
        if action in _COMMANDS:
            getattr(engine, action)(at)
        elif action in ("phase", "end"):
            engine.update(at)
    return engine


# --------------------------------------------------------------------------
# Ticking


class Ticker:
    """Drive an :class:`~backkit.routine.Engine` from an asyncio event loop.

    The task wakes at fixed deadlines ``anchor + k * tick`` (or at the end of
    the current phase when that is sooner), asks the engine to catch up and
    calls ``on_tick(entered_phases, now)``. Missed deadlines (a busy kernel)
    are skipped, not replayed, and never shift the engine's schedule.

    Parameters
    ----------
    engine : Engine
    on_tick : callable
        Called after every update with the list of phases entered and the clock time.
    tick : float
        Seconds between refreshes.
    on_error : callable, optional
        Called with the exception when ``on_tick`` raises; the ticker keeps going.

    Examples
    --------
    >>> import asyncio
    >>> from backkit.routine import Engine, build_routine
    >>> from backkit.widgets.timer import Ticker
    >>> r = build_routine("bridge", sets=1, reps=1, hold_seconds=0.2, prepare_seconds=0)
    >>> e = Engine(r)
    >>> _ = e.start()
    >>> asyncio.run(Ticker(e, lambda entered, now: None, tick=0.05).run())
    >>> e.state, e.status().completed
    ('finished', True)
    """

    def __init__(
        self,
        engine: Engine,
        on_tick: Callable[[list[Phase], float], Any],
        *,
        tick: float = DEFAULT_TICK,
        on_error: Callable[[BaseException], Any] | None = None,
    ):
        if isinstance(tick, bool) or not isinstance(tick, (int, float)) or not tick > 0:
            raise RoutineError(
                _("'tick' must be a positive number of seconds, got {value}").format(
                    value=repr(tick)
                ),
                where="Ticker",
            )
        self.engine = engine
        self.on_tick = on_tick
        self.tick = tick
        self.on_error = on_error
        self.task: asyncio.Task | None = None
        self.ticks = 0

    @property
    def running(self) -> bool:
        """True while the ticking task is alive (started and not yet done)."""
        return self.task is not None and not self.task.done()

    def start(self) -> asyncio.Task | None:
        """Run on the current thread's running event loop; None when there is none.

        In a Jupyter kernel the loop is always running (in a cell and in a
        button callback). In a plain script, await :meth:`run` instead.
        """
        if self.running:
            return self.task
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        # Keep the reference: the loop holds tasks only weakly.
        self.task = loop.create_task(self.run())
        return self.task

    def cancel(self) -> None:
        """Stop ticking (the engine itself is not touched)."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = None

    async def run(self) -> None:
        """Tick until the engine stops running (finished or paused)."""
        engine, clock, tick = self.engine, self.engine.clock, self.tick
        anchor = clock()
        k = 1
        while engine.state == "running":
            deadline = anchor + k * tick
            change = engine.next_change_at()
            wake = deadline if change is None else min(deadline, change)
            await asyncio.sleep(max(wake - clock(), 0.0))
            now = clock()
            if now >= deadline:
                # Skip deadlines missed while the loop was busy rather than replaying them.
                k = max(k + 1, math.floor((now - anchor) / tick) + 1)
            entered = engine.update(now)
            self.ticks += 1
            try:
                self.on_tick(entered, now)
            except Exception as err:
                if self.on_error is None:
                    raise
                self.on_error(err)


# --------------------------------------------------------------------------
# The widget


class SessionTimer(widgets.VBox):
    """A guided countdown for one exercise (or a chain of them) that logs what was done.

    Parameters
    ----------
    exercise_or_id : str, Exercise or Routine
        A catalogue id such as ``"bridge"``, an exercise, or a ready-made
        :class:`~backkit.routine.Routine` (for example from :meth:`Routine.chain`).
    log : SessionLog, path or None
        Where Save writes (:meth:`SessionLog.record_many`): a log, the path of
        a log file, or None for the person's own log
        (:func:`backkit.config.default_log_path`). A path or None is opened at
        the first Save, so showing a timer writes nothing.
    clock : callable, default ``time.time``
        Seconds since the epoch, the clock the browser's events are stamped
        with; tests pass a fake clock and call :meth:`refresh`.
    wallclock : callable, optional
        The tz-aware time at start (for the log); tests pass a fixed one.
    tick : float, default 0.1
        Seconds between refreshes in :meth:`run` (scripts without a browser).
    sound : {"voice", "beeps", "off"}, optional
        The face's first sound setting; the browser's remembered choice wins.
    muted : bool, default False
        Start with the sound off (the same as ``sound="off"``).
    signs : bool, default True
        Show the emergency signs (above the questions, then above the face);
        a page that shows them already (the app's header) passes False.
    plan_id, session_id : str, optional
        Stored with every row; the session id is made by
        :func:`backkit.log.new_session_id` at start when not given.
    **overrides
        Prescription overrides passed to :func:`~backkit.routine.build_routine`
        (``sets``, ``reps``, ``hold_seconds``, ``rest_seconds``, ``prepare_seconds``...).

    Attributes
    ----------
    view : TimerView
        What the person sees and presses; the parts in :data:`VIEW_PARTS`
        are reachable on the timer too.
    engine : Engine
        The session as replayed from the face's events.
    records : DataFrame
        The rows this timer saved.

    gate : backkit.gate.Gate
        The safety gate as last read (:mod:`backkit.gate`).
    safety_check : SafetyCheck or None
        The warning-sign questions (or the advice after a "yes"), shown in
        place of the countdown while the gate was closed when the timer was built.

    Notes
    -----
    **The safety gate.** A session starts only after the warning-sign
    questions were answered within the last 7 days, and with no "yes" left
    unresolved (:func:`backkit.gate.screening_gate`). While the gate is
    closed the timer shows the questions (a :class:`SafetyCheck`) instead of
    its countdown, and :meth:`start` raises
    :class:`~backkit.errors.SafetyGateError`; once they are answered with no
    "yes", the countdown appears in their place.

    The countdown runs in the browser, so other cells can run (even for long)
    while it counts; presses and phase changes reach Python as events with
    the time they happened. Ratings start as "not rated": Save asks for them,
    or stores them as missing when the person presses "Save without rating".

    Examples
    --------
    >>> import backkit
    >>> log = backkit.SessionLog(":memory:")
    >>> timer = backkit.SessionTimer("knee-to-chest", log, hold_seconds=20)
    >>> timer.gate.open, timer.gate.reason
    (False, 'The warning-sign questions have not been answered yet.')
    >>> timer.start()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backkit.errors.SafetyGateError: SessionTimer: The warning-sign questions have not been ...
    >>> answers = {q.id: False for q in backkit.safety.screening_questions()}
    >>> _ = backkit.outcomes.record_screening(log, answers, action="none")
    >>> timer.phase_text, timer.countdown_text
    ('Press Start when you are ready', '0:14')
    >>> timer.start()
    >>> timer.state, timer.routine.total_seconds
    ('running', 124.0)
    """

    def __init__(
        self,
        exercise_or_id: str | Exercise | Routine,
        log: SessionLog | str | Path | None = None,
        *,
        clock: Callable[[], float] | None = None,
        wallclock: Callable[[], datetime] | None = None,
        tick: float = DEFAULT_TICK,
        sound: str | None = None,
        muted: bool = False,
        plan_id: str | None = None,
        session_id: str | None = None,
        signs: bool = True,
        **overrides: Any,
    ):
        if isinstance(exercise_or_id, Routine):
            if overrides:
                raise RoutineError(
                    _(
                        "overrides {names} apply to one exercise, not to a ready-made Routine"
                    ).format(names=sorted(overrides)),
                    where="SessionTimer",
                )
            routine = exercise_or_id
        else:
            routine = build_routine(exercise_or_id, **overrides)
        if isinstance(tick, bool) or not isinstance(tick, (int, float)) or not tick > 0:
            raise RoutineError(
                _("'tick' must be a positive number of seconds, got {value}").format(
                    value=repr(tick)
                ),
                where="SessionTimer",
            )
        self.routine = routine
        self._log = ui.check_log(log)
        self.plan_id = plan_id
        self.session_id = session_id
        self.tick = tick
        self.saved_rows: list[dict[str, Any]] = []
        self._on_saved: list[Callable[[list[dict[str, Any]]], Any]] = []
        self._clock = clock or time.time
        self._wallclock = wallclock
        self._restored = False  # saved from a copy a closed page left (its "save" event)
        # Events may arrive on a comm subshell's thread while a cell runs.
        self._lock = threading.RLock()
        self.view = TimerView(
            routine,
            sound=sound or ("off" if muted else "voice"),
            first_session=self._first(),
            conditions=self._conditions(),
            signs=signs,
        )
        self.engine = Engine(routine, clock=self._clock)
        for action in ("start", "pause", "skip", "back", "stop"):
            self.view.on(action, getattr(self, action))
        self.view.on("save", self.save)
        self.view.skip_rating_button.on_click(
            ui.guard(self.view.output)(lambda _b: self.save(skip_ratings=True))
        )
        self.view.face.observe(self._on_events, names="events")
        self._journal_key = journal_key(self._log_path(), plan_id, routine)
        # Python's copy of a session left unsaved goes to the page, which offers it
        # beside the browser's own copies (the browser's storage may be gone)
        self.view.face.journal = {"key": self._journal_key, **self._left_behind()}
        self.view.face.observe(self._on_settled, names="settled")
        self.view.face.observe(self._on_journal, names="journal")
        self.gate = gate.check(self._log)
        self.safety_check: SafetyCheck | None = None
        if self.gate.open:
            super().__init__([self.view])
        else:
            # the questions in place of the countdown: nothing to press until they are answered
            self.safety_check = SafetyCheck(self._log, then=self._ungated, signs=signs)
            super().__init__([self.safety_check])
        self.refresh()

    # -- public ------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # ``timer.save_button.click()``, ``timer.notes.value = ...``: the view's.
        view = self.__dict__.get("view")
        if name in VIEW_PARTS and view is not None:
            return getattr(view, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def state(self) -> str:
        """'ready', 'running', 'paused' or 'finished'."""
        return self.engine.state

    @property
    def phase_text(self) -> str:
        """The phase line as the person reads it (as last refreshed)."""
        return self.view.phase_text

    @property
    def countdown_text(self) -> str:
        """The countdown as the person reads it (``m:ss``, as last refreshed)."""
        return self.view.countdown_text

    @property
    def events(self) -> list[dict[str, Any]]:
        """What happened in the session, as the face reported it (append-only)."""
        return list(self.view.face.events)

    @property
    def session_log(self) -> SessionLog:
        """The log Save writes to (opened on first use)."""
        self._log = ui.open_log(self._log)
        return self._log

    @property
    def records(self) -> pd.DataFrame:
        """Rows saved by this timer, as a DataFrame with the session log's columns."""
        from ..log import conform, empty_frame

        if not self.saved_rows:
            return empty_frame()
        return conform({k: [row[k] for row in self.saved_rows] for k in self.saved_rows[0]})

    def start(self) -> None:
        """Start the session (what the Start button does).

        Raises
        ------
        SafetyGateError
            When the safety gate is closed (:mod:`backkit.gate`); nothing starts.
        """
        if self.engine.state == "ready":
            self._require_gate()
            wall = (self._wallclock or _utcnow)()
            self.view.face.append("start", self._clock(), wall=wall.isoformat(), index=0)

    def pause(self) -> None:
        """Pause, or resume when paused (what the Pause button does)."""
        self.refresh()
        if self.engine.state == "paused":
            self.view.face.append("resume", self._clock())
        elif self.engine.state == "running":
            self.view.face.append("pause", self._clock())

    def skip(self) -> None:
        """Skip to the next step (what the Skip button does)."""
        if self.refresh().state in ("running", "paused"):
            self.view.face.append("skip", self._clock())

    def back(self) -> None:
        """Go back to the start of the previous step (what the Back button and ← do)."""
        if self.refresh().state in ("running", "paused"):
            self.view.face.append("back", self._clock())

    def stop(self) -> None:
        """End the session early; what was done is kept (what the Stop button does)."""
        if self.refresh().state in ("running", "paused"):
            self.view.face.append("stop", self._clock())

    def save(self, *, skip_ratings: bool = False) -> list[dict[str, Any]]:
        """Write what was done to the log with the answers given (what Save does).

        Ratings not given are asked for first; with ``skip_ratings`` (the
        "Save without rating" button) they are stored as missing, never as 0.
        Returns the stored rows; when the log refuses them, nothing is stored,
        the reason is shown and Save stays enabled (an empty list is returned).
        """
        with self._lock:
            view = self.view
            missing = self._missing_ratings()
            if missing and not skip_ratings:
                view.ask_ratings(missing)
                return []
            try:
                stored = self._record()
            except BackkitError as err:  # refused rows, or a file that is not a log
                view.show_refused(str(err))
                return []
            self.saved_rows.extend(stored)
            self.view.face.settled = True  # the page's copy of the session can go
        summary = done_summary(self.engine.results(), stopped=self.engine.stopped_early)
        # Translators: {summary} says what the session did
        text = _("Saved to your log. {summary}").format(summary=summary)
        if self._restored:
            n, m = _exercises_done(stored, self.routine)
            text = ngettext(
                "Saved to your log: what you did before the page closed. {done} of {total} "
                "exercise had something done; pain was not rated. {summary}",
                "Saved to your log: what you did before the page closed. {done} of {total} "
                "exercises had something done; pain was not rated. {summary}",
                m,
            ).format(done=n, total=m, summary=summary)
        view.show_saved(text, safety.check_pain(view.pain_before.value, view.pain_after.value))
        for callback in self._on_saved:
            callback(stored)
        return stored

    def reopen(self) -> None:
        """The saved rows were undone: forget them and let Save store the session again."""
        with self._lock:
            self.saved_rows.clear()
            self.view.face.settled = False  # unsaved again: the page keeps its copy again
        self.view.reopen_save()

    def discard(self) -> None:
        """The person threw the session away (the app asks first): the page drops its copy."""
        self.view.face.settled = True

    def on_saved(self, callback: Callable[[list[dict[str, Any]]], Any]) -> None:
        """Call ``callback(rows)`` after each successful Save (the app redraws its charts)."""
        self._on_saved.append(callback)

    async def run(self) -> Status:
        """Start if needed and refresh until the session ends; for scripts without a browser."""
        if self.engine.state == "ready":
            self.start()
        status = self.refresh()
        while status.state != "finished":
            change = self.engine.next_change_at()
            wait = self.tick if change is None else min(self.tick, change - self._clock())
            await asyncio.sleep(max(wait, 0.0))
            status = self.refresh()
        return status

    def refresh(self) -> Status:
        """Bring the engine up to the clock and note what the person sees; returns it."""
        with self._lock:
            status = self.engine.status()
            self.view.draw(status)
        return status

    def close(self) -> None:
        """Close the widget and its view."""
        view = getattr(self, "view", None)
        if view is not None:
            view.close()
        super().close()

    @classmethod
    def for_plan(
        cls,
        plan: Plan,
        day: date | None = None,
        log: SessionLog | str | Path | None = None,
        *,
        rest_seconds: float = 30.0,
        **kwargs: Any,
    ) -> SessionTimer:
        """A timer that runs the exercises a plan prescribes for ``day`` one after another.

        The routine comes from :func:`backkit.routine.for_plan` (the app uses
        the same): each exercise at the plan's dose (values the plan leaves
        out come from the catalogue), with at least ``rest_seconds`` between
        exercises. ``day`` defaults to :func:`backkit.config.today`. Rows are
        stored with the plan's id.

        Raises
        ------
        RoutineError
            When the plan prescribes nothing on ``day``.

        Examples
        --------
        Strength work is due on Mondays, Wednesdays and Fridays, stretches daily:

        >>> import backkit, datetime as dt
        >>> plan = backkit.Plan.default(start=dt.date(2026, 12, 7))
        >>> backkit.SessionTimer.for_plan(plan, dt.date(2026, 12, 7)).routine.title  # a Monday
        'Session of 7 exercises'
        >>> timer = backkit.SessionTimer.for_plan(plan, dt.date(2026, 12, 8))  # a Tuesday
        >>> timer.routine.exercise_ids[:2], timer.routine.title
        (('supine-hamstring-stretch', 'knee-to-chest'), 'Session of 5 exercises')
        """
        day = day or config.today()
        routine = for_plan(plan, day, rest_seconds=rest_seconds)
        if routine is None:
            raise RoutineError(
                _("plan {plan} prescribes nothing on {day}").format(
                    plan=repr(plan.name), day=day.isoformat()
                ),
                where="SessionTimer.for_plan",
            )
        kwargs.setdefault("plan_id", plan.id)
        return cls(routine, log, **kwargs)

    # -- the safety gate ---------------------------------------------------------

    def _require_gate(self) -> None:
        """Read the gate again; raise when closed, show the countdown when it has opened."""
        self.gate = gate.check(self._log)
        if not self.gate.open:
            raise SafetyGateError(self.gate.reason, where="SessionTimer")
        if self.safety_check is not None:
            # answered elsewhere (another cell, the API): the countdown takes the questions' place
            self.safety_check.refresh()

    def _ungated(self) -> widgets.Widget:
        """The countdown, once the questions in its place open the gate."""
        from ..log import SessionLog

        check = self.safety_check
        if check is not None and not isinstance(self._log, SessionLog):
            self._log = check.session_log  # the log the answers went to: one connection
        if check is not None:
            check.hide_signs()  # the view shows them above the face: once per timer
        self.gate = gate.check(self._log)
        self.view.personalise(self._conditions())  # answered with the questions, maybe
        return self.view

    # -- events and records ----------------------------------------------------

    def _on_events(self, change: dict[str, Any]) -> None:
        if not change["old"] and change["new"] and not self.gate.open:
            # a start that did not come through start(): a page that showed no countdown
            try:
                self._require_gate()
            except SafetyGateError as err:
                self.view.face.events = []
                self.view.show_error(err)
                return
        try:
            with self._lock:
                self.engine = replay_events(
                    self.routine, list(change["new"]), clock=self._clock, wallclock=self._wallclock
                )
                if self.session_id is None and self.engine.started_at is not None:
                    from ..log import new_session_id

                    self.session_id = new_session_id(self.engine.started_at)
            self.refresh()
            self._keep_journal(list(change["new"]))
            fresh = change["new"][len(change["old"] or []) :]
            asked = any(isinstance(ev, dict) and ev.get("action") == "save" for ev in fresh)
            if asked and not self.saved_rows and self.engine.finished:
                # "Save what you did" for a session a closed page left: through Save
                # itself, with the page's own times; the ratings were never asked
                self._restored = True
                self.save(skip_ratings=True)
        except Exception as err:  # an observer's error would vanish: show it
            self.view.show_error(err)

    # -- Python's copy of the unsaved session (backkit.journal) -------------------

    def _left_behind(self) -> dict[str, Any]:
        """What a closed page left, for the page to offer (read only).

        ``{"copy": ...}``: this key's journal; else ``{"other": ...}``: the
        app's last session of another routine of this log and plan.
        """
        key = self._journal_key
        if not key:
            return {}
        try:
            copy = journal.read(key)
        except BackkitError as err:  # edited by hand: not offered, and said why
            why = _("A copy of an unsaved session was not offered: {reason}").format(reason=err)
            self.view.output.append_stderr(why + "\n")
            return {}
        if copy is not None:
            return {"copy": copy}
        other = journal.newest(key[: key.rfind("/") + 1], besides=key, chosen=True)
        if other is None:
            return {}
        said = {k: other[k] for k in ("key", "alive", "title", "choice")}
        return {"other": {**said, "start": other["events"][0]["at"]}}

    def _keep_journal(self, events: list[dict[str, Any]]) -> None:
        face = self.view.face
        if not self._journal_key or not events or face.settled:
            return
        try:
            with self._lock:  # one writer at a time: events may arrive on two threads
                journal.write(
                    self._journal_key, events, title=self.routine.title,
                    choice=face.journal.get("choice"),
                )  # fmt: skip
        except (BackkitError, OSError):
            pass  # a full disk must not stop the session; the page keeps its own copy

    def _drop_journal(self) -> None:
        with contextlib.suppress(OSError):  # left for the next save or discard of this key
            journal.remove(self._journal_key)

    def _on_settled(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self._drop_journal()  # saved or thrown away
        else:
            self._keep_journal(self.events)  # undone: unsaved again

    def _on_journal(self, change: dict[str, Any]) -> None:
        # the page's "Discard it" for a session it offered: {"dropped": its start time}
        dropped = change["new"].get("dropped")
        if dropped is None or dropped == change["old"].get("dropped") or self.events:
            return
        try:
            copy = journal.read(self._journal_key)
        except BackkitError:
            return  # not offered, so not discarded
        if copy is not None and copy["events"][0]["at"] == dropped:
            self._drop_journal()

    def _log_path(self) -> str | Path | None:
        """The file the log lives in (where the page's copy of a session belongs)."""
        from ..log import SessionLog

        if isinstance(self._log, SessionLog):
            return self._log.path
        if self._log is not None:
            return self._log
        # config.default_log_path() would make the folder: showing a timer writes nothing
        if os.environ.get("BACKKIT_LOG"):
            return Path(os.environ["BACKKIT_LOG"]).expanduser()
        return config.data_home(create=False) / config.LOG_FILENAME

    def _first(self) -> bool:
        """Whether the log has no session yet (then the emergency signs show unfolded)."""
        from ..log import peek

        try:
            return peek(self._log, lambda log: len(log) == 0, default=True)
        except (BackkitError, OSError):
            return True

    def _conditions(self) -> frozenset[str]:
        """The person's personal-check tags (:mod:`backkit.conditions`), none if never answered."""
        from ..log import peek

        def read(log: SessionLog) -> frozenset[str]:
            answers = conditions.current(log)
            return answers.tags if answers is not None else frozenset()

        try:
            return peek(self._log, read, default=frozenset())
        except (BackkitError, OSError):
            return frozenset()

    def _missing_ratings(self) -> list[str]:
        view = self.view
        missing = []
        if view.pain_before.value is None:
            # Translators: a rating not given yet (listed after "Not rated yet:")
            missing.append(_("pain before the session"))
        if view.pain_after.value is None:
            # Translators: a rating not given yet (listed after "Not rated yet:")
            missing.append(_("pain now"))
        if view.rate_each.value:
            started = {r.plan.exercise_id for r in self.engine.results() if r.started}
            missing += [
                # Translators: a rating not given yet (listed after "Not rated yet:")
                _("pain during {exercise}").format(exercise=get_exercise(ex_id).name)
                for ex_id, w in view.exercise_pain.items()
                if w.value is None and ex_id in started
            ]
        return missing

    def _record(self) -> list[dict[str, Any]]:
        view = self.view
        log = self.session_log
        before, after = view.pain_before.value, view.pain_after.value
        each = {k: w.value for k, w in view.exercise_pain.items()} if view.rate_each.value else None
        common = {
            "notes": view.notes.value,
            "session_id": self.session_id,
            "plan_id": self.plan_id,
            "exercise_pain": each,
        }
        exercises = {r.plan.exercise_id for r in self.engine.results()}
        if len(exercises) == 1:
            # one exercise (both sides): rating it before and after rates that exercise
            rows = self.engine.log_rows(pain_before=before, pain_after=after, **common)
            return log.record_many(rows)
        # a whole session's rating belongs to the session, not copied onto each bout
        rows = self.engine.log_rows(**common)
        return log.record_many(rows, session={"pain_before": before, "pain_after": after})


def _exercises_done(rows: list[dict[str, Any]], routine: Routine) -> tuple[int, int]:
    """Exercises of ``rows`` with something done (the kit's credit above 0), and how many."""
    from ..adherence import credits
    from ..log import conform

    total = len(routine.exercise_ids)
    if not rows:
        return 0, total
    frame = conform({k: [row[k] for row in rows] for k in rows[0]})
    start = rows[0]["started_at"]
    day = start.astimezone(config.kit_timezone()).date() if start is not None else None
    done = credits(frame, day)
    return sum(1 for v in done.values() if v > 0), total


def _utcnow() -> datetime:
    return config.now()
