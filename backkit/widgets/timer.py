"""The guided session timer: a notebook widget that never blocks the kernel.

:class:`SessionTimer` runs one exercise (or a chain of exercises) as a
countdown with a beep at every phase change, then asks how the back feels and
writes what was done to the session log. It wires three parts together:

- :class:`backkit.routine.Engine` keeps the time (pure, tested with a fake clock);
- :class:`Ticker` drives the engine from the kernel's running asyncio event
  loop: a task that sleeps until fixed deadlines (start + k x tick, or the end
  of the phase when that comes first) on the monotonic clock, so the countdown
  does not drift and other cells keep running while it counts;
- :class:`backkit.widgets.timer_view.TimerView` draws each status and
  reports the person's presses.

Saving goes through :meth:`backkit.SessionLog.record_many`; the advice after a
session comes from :func:`backkit.safety.check_pain`; the beeps from
:mod:`backkit.widgets.sound`.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import config, safety
from ..errors import BackkitError, RoutineError
from ..exercises import Exercise
from ..routine import Engine, Phase, Routine, Status, build_routine, for_plan
from . import _ui, sound
from .timer_view import TimerView

if TYPE_CHECKING:
    import pandas as pd

    from ..log import SessionLog
    from ..plan import Plan

__all__ = ["DEFAULT_TICK", "VIEW_PARTS", "SessionTimer", "Ticker"]

#: Seconds between display refreshes (10 per second).
DEFAULT_TICK = 0.1
#: The view's controls a timer answers for too: ``timer.notes`` is ``timer.view.notes``.
VIEW_PARTS = frozenset(
    {
        "title", "pain_before", "pain_after", "notes", "message", "output",
        "start_button", "pause_button", "skip_button", "stop_button", "save_button",
        "mute_toggle",
    }
)  # fmt: skip


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
            raise RoutineError(f"'tick' must be a positive number of seconds, got {tick!r}",
                               where="Ticker")  # fmt: skip
        self.engine = engine
        self.on_tick = on_tick
        self.tick = tick
        self.on_error = on_error
        self.task: asyncio.Task | None = None
        self.ticks = 0

    @property
    def running(self) -> bool:
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
    clock : callable, default ``time.monotonic``
        Monotonic seconds; tests pass a fake clock and call :meth:`refresh`.
    wallclock : callable, optional
        The tz-aware time at start (for the log); tests pass a fixed one.
    tick : float, default 0.1
        Seconds between display refreshes.
    muted : bool, default False
        Start with the beeps off (the Sound button toggles them).
    plan_id, session_id : str, optional
        Stored with every row; the session id is made by
        :func:`backkit.log.new_session_id` at start when not given.
    **overrides
        Prescription overrides passed to :func:`~backkit.routine.build_routine`
        (``sets``, ``reps``, ``hold_seconds``, ``rest_seconds``, ``prepare_seconds``...).

    Attributes
    ----------
    view : TimerView
        What the person sees and presses (its buttons, sliders and notes);
        the parts in :data:`VIEW_PARTS` are reachable on the timer too.
    engine : Engine
        The clock-driven state of the session.
    records : DataFrame
        The rows this timer saved.

    Notes
    -----
    The countdown is a task on the kernel's running asyncio loop, so the
    kernel stays free: other cells run while it counts, and several timers
    can run at once. In a script without a running loop, ``await timer.run()``.

    Examples
    --------
    >>> import backkit
    >>> timer = backkit.SessionTimer("knee-to-chest", hold_seconds=20)
    >>> timer.phase_text, timer.countdown_text
    ('Ready: Get ready - left leg', '0:10')
    >>> timer.routine.total_seconds
    120.0
    """

    def __init__(
        self,
        exercise_or_id: str | Exercise | Routine,
        log: SessionLog | str | Path | None = None,
        *,
        clock: Callable[[], float] | None = None,
        wallclock: Callable[[], datetime] | None = None,
        tick: float = DEFAULT_TICK,
        muted: bool = False,
        plan_id: str | None = None,
        session_id: str | None = None,
        **overrides: Any,
    ):
        if isinstance(exercise_or_id, Routine):
            if overrides:
                raise RoutineError(
                    f"overrides {sorted(overrides)} apply to one exercise, "
                    "not to a ready-made Routine",
                    where="SessionTimer",
                )
            routine = exercise_or_id
        else:
            routine = build_routine(exercise_or_id, **overrides)
        self.routine = routine
        self._log = _ui.check_log(log)
        self.plan_id = plan_id
        self.session_id = session_id
        self.beeps = 0
        self.saved_rows: list[dict[str, Any]] = []
        self._on_saved: list[Callable[[list[dict[str, Any]]], Any]] = []
        engine_kw: dict[str, Any] = {}
        if clock is not None:
            engine_kw["clock"] = clock
        if wallclock is not None:
            engine_kw["wallclock"] = wallclock
        self.engine = Engine(routine, **engine_kw)
        self.view = TimerView(routine, muted=muted)
        self.ticker = Ticker(self.engine, self._on_tick, tick=tick, on_error=self.view.show_error)
        for action in ("start", "pause", "skip", "stop", "save"):
            self.view.on(action, getattr(self, action))
        super().__init__([self.view])
        self.refresh()

    # -- public ------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Code written for the one-class timer (``timer.save_button.click()``,
        # ``timer.notes.value = ...``) keeps working: those are the view's.
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
        """The phase line as the person reads it now."""
        return self.view.phase_text

    @property
    def countdown_text(self) -> str:
        """The countdown as the person reads it now (``m:ss``)."""
        return self.view.countdown_text

    @property
    def session_log(self) -> SessionLog:
        """The log Save writes to (opened on first use)."""
        self._log = _ui.open_log(self._log)
        return self._log

    @property
    def records(self) -> pd.DataFrame:
        """Rows saved by this timer, as a DataFrame with the session log's columns."""
        from ..log import conform, empty_frame

        if not self.saved_rows:
            return empty_frame()
        return conform({k: [row[k] for row in self.saved_rows] for k in self.saved_rows[0]})

    def start(self) -> None:
        """Start the session (what the Start button does)."""
        entered = self.engine.start()
        if not entered:
            return
        if self.session_id is None:
            from ..log import new_session_id

            self.session_id = new_session_id(self.engine.started_at)
        self._cue(entered)
        self.ticker.start()
        self.view.draw(self.engine.status())

    def pause(self) -> None:
        """Pause, or resume when paused (what the Pause button does)."""
        if self.engine.state == "paused":
            self.engine.resume()
            self.ticker.start()
        elif self.engine.pause():
            self.ticker.cancel()
        self.refresh()

    def skip(self) -> None:
        """Skip to the next step (what the Skip button does)."""
        entered = self.engine.skip()
        if entered:
            self._cue(entered)
        self.view.draw(self.engine.status())

    def stop(self) -> None:
        """End the session early; what was done is kept (what the Stop button does)."""
        if self.engine.stop():
            self.ticker.cancel()
        self.view.draw(self.engine.status())

    def save(self) -> list[dict[str, Any]]:
        """Write what was done to the log with the answers given (what Save does).

        Returns the stored rows; when the log refuses them, nothing is stored,
        the reason is shown and Save stays enabled (an empty list is returned).
        """
        view = self.view
        rows = self.engine.log_rows(
            pain_before=view.pain_before.value,
            pain_after=view.pain_after.value,
            notes=view.notes.value,
            session_id=self.session_id,
            plan_id=self.plan_id,
        )
        try:
            stored = self.session_log.record_many(rows)
        except BackkitError as err:  # refused rows, or a file that is not a log
            view.show_refused(str(err))
            return []
        self.saved_rows.extend(stored)
        status = "partial" if any(r["status"] == "partial" for r in stored) else "completed"
        text = f"Saved {len(stored)} row{'s' if len(stored) != 1 else ''} to the log ({status})."
        view.show_saved(text, safety.check_pain(view.pain_before.value, view.pain_after.value))
        for callback in self._on_saved:
            callback(stored)
        return stored

    def on_saved(self, callback: Callable[[list[dict[str, Any]]], Any]) -> None:
        """Call ``callback(rows)`` after each successful Save (the app redraws its charts)."""
        self._on_saved.append(callback)

    async def run(self) -> Status:
        """Start if needed and tick until the session ends; for scripts without a loop."""
        if self.engine.state == "ready":
            self.start()
        while self.engine.state != "finished":
            if self.engine.state == "running":
                self.ticker.cancel()
                await self.ticker.run()
            else:
                await asyncio.sleep(self.ticker.tick)
        return self.refresh()

    def refresh(self) -> Status:
        """Bring the engine up to the clock and redraw; returns the status shown."""
        entered = self.engine.update()
        if entered:
            self._cue(entered)
        status = self.engine.status()
        self.view.draw(status)
        return status

    def close(self) -> None:
        """Stop ticking and close the widget and its view."""
        ticker = getattr(self, "ticker", None)
        if ticker is not None:
            ticker.cancel()
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
        >>> import backkit
        >>> plan = backkit.Plan.default()
        >>> timer = backkit.SessionTimer.for_plan(plan, plan.start)
        >>> timer.routine.exercise_ids[:2]
        ('supine-hamstring-stretch', 'knee-to-chest')
        """
        day = day or config.today()
        routine = for_plan(plan, day, rest_seconds=rest_seconds)
        if routine is None:
            raise RoutineError(
                f"plan {plan.name!r} prescribes nothing on {day.isoformat()}",
                where="SessionTimer.for_plan",
            )
        kwargs.setdefault("plan_id", plan.id)
        return cls(routine, log, **kwargs)

    # -- ticking ---------------------------------------------------------------

    def _on_tick(self, entered: list[Phase], now: float) -> None:
        if entered:
            self._cue(entered)
        self.view.draw(self.engine.status(now))

    def _cue(self, entered: list[Phase]) -> None:
        if self.view.muted:
            return
        self.view.play(sound.cue(entered[-1].kind))
        self.beeps += 1
