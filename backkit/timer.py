"""The guided session timer: a notebook widget that never blocks the kernel.

:class:`SessionTimer` shows one exercise (or a chain of exercises) as a
countdown with progress bars, set/rep/side counters, the next step, start /
pause / skip / stop buttons and a beep at every phase change, then asks how
the back feels and writes what was done to the session log.

All timing lives in :class:`backkit.routine.Engine`; this module only draws
it. :class:`Ticker` drives an engine from the kernel's running asyncio event
loop: a task that sleeps until fixed deadlines (start + k x tick, or the end
of the phase when that comes first) on the monotonic clock, so the countdown
does not drift and other cells keep running while it counts.
"""

from __future__ import annotations

import asyncio
import functools
import io
import math
import traceback
import uuid
import wave
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import ipywidgets as widgets

from . import safety
from .exercises import Exercise, get_exercise
from .routine import (
    Engine,
    Phase,
    Routine,
    Status,
    build_routine,
    format_seconds,
)

__all__ = ["DEFAULT_TICK", "SessionTimer", "Ticker", "beep_wav"]

#: Seconds between display refreshes (10 per second).
DEFAULT_TICK = 0.1

# Colours per phase kind (ColorBrewer, readable on white and for most colour vision).
_COLOURS = {
    "prepare": "#b35806",
    "hold": "#1a9850",
    "move": "#1a9850",
    "rest": "#2166ac",
    "set-rest": "#2166ac",
    "switch": "#762a83",
    "done": "#4d4d4d",
}
# Beep tones (Hz) per phase kind entered: high to work, low to rest, a chord at the end.
_TONES: dict[str, tuple[float, ...]] = {
    "prepare": (660.0,),
    "hold": (880.0,),
    "move": (880.0,),
    "rest": (523.0,),
    "set-rest": (523.0,),
    "switch": (659.0, 523.0),
    "done": (659.0, 784.0, 1047.0),
}


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
    >>> from backkit.timer import Ticker
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
        if not tick > 0:
            raise ValueError(f"Ticker: 'tick' must be a positive number of seconds, got {tick!r}")
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
# Sound


@functools.lru_cache(maxsize=16)
def beep_wav(
    tones: tuple[float, ...] = (880.0,), seconds: float = 0.14, volume: float = 0.4
) -> bytes:
    """Return a short beep (one tone after another) as WAV bytes, made here, not downloaded.

    Examples
    --------
    >>> from backkit.timer import beep_wav
    >>> data = beep_wav((880.0,))
    >>> data[:4], data[8:12]
    (b'RIFF', b'WAVE')
    """
    import numpy as np

    rate = 22050
    n = int(rate * seconds)
    t = np.arange(n) / rate
    # A raised-cosine fade in and out keeps the beep from clicking.
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
    gap = np.zeros(int(rate * 0.04))
    parts = []
    for f in tones:
        parts += [np.sin(2 * np.pi * f * t) * fade * volume, gap]
    samples = (np.concatenate(parts) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


# --------------------------------------------------------------------------
# The widget


def _html(cls: str, value: str = "", **layout: Any) -> widgets.HTML:
    w = widgets.HTML(value, layout=widgets.Layout(**layout))
    w.add_class(cls)
    return w


def _button(label: str, cls: str, tooltip: str, style: str = "", width: str = "auto"):
    b = widgets.Button(
        description=label,
        tooltip=tooltip,
        button_style=style,
        layout=widgets.Layout(width=width, height="40px", min_width="96px"),
    )
    b.add_class(cls)
    return b


def _counters_html(routine: Routine, p: Phase) -> str:
    if p.kind == "done" and p.index > 0:
        # The end: show the last set and side as finished.
        p = routine.phases[p.index - 1]
        done = p.reps
    elif p.rep is not None:
        done = p.rep
    else:
        # Between reps: how many of this side's reps in this set are behind.
        done = sum(
            1 for q in routine.phases[: p.index] if q.is_rep and q.bout == p.bout and q.set == p.set
        )
    rep = f"{done} of {p.reps}"
    side = {"both": "both"}.get(p.side, f"{p.side} leg")
    cells = [("Set", f"{p.set} of {p.sets}"), ("Rep", rep), ("Side", side)]
    inner = "".join(
        f'<div style="flex:1;text-align:center"><div style="font-size:12px;color:#666;'
        f'text-transform:uppercase;letter-spacing:.05em">{k}</div>'
        f'<div style="font-size:18px;font-weight:600">{v}</div></div>'
        for k, v in cells
    )
    return f'<div style="display:flex;gap:8px">{inner}</div>'


class SessionTimer(widgets.VBox):
    """A guided countdown for one exercise (or a chain of them) that logs what was done.

    Parameters
    ----------
    exercise_or_id : str, Exercise or Routine
        A catalogue id such as ``"bridge"``, an exercise, or a ready-made
        :class:`~backkit.routine.Routine` (for example from :meth:`Routine.chain`).
    log : SessionLog, optional
        Where Save writes: ``log.record_many(rows)`` (or ``log.record(**row)``
        per row). Without a log the rows go to :attr:`records`, an in-memory
        DataFrame with the log's columns. Kept as :attr:`session_log` (``log``
        is taken by the widget's own logger).
    clock : callable, default ``time.monotonic``
        Monotonic seconds; tests pass a fake clock and call :meth:`refresh`.
    tick : float, default 0.1
        Seconds between display refreshes.
    muted : bool, default False
        Start with the beeps off (the Sound button toggles them).
    plan_id, session_id : str, optional
        Stored with every row; a session id is made up when not given.
    **overrides
        Prescription overrides passed to :func:`~backkit.routine.build_routine`
        (``sets``, ``reps``, ``hold_seconds``, ``rest_seconds``, ``prepare_seconds``...).

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
        log: Any = None,
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
                raise TypeError(
                    f"SessionTimer: overrides {sorted(overrides)} apply to one exercise, "
                    "not to a ready-made Routine"
                )
            routine = exercise_or_id
        else:
            routine = build_routine(exercise_or_id, **overrides)
        self.routine = routine
        self.session_log = log
        self.plan_id = plan_id
        self.session_id = session_id
        self.beeps = 0
        self.saved_rows: list[dict[str, Any]] = []
        self._memory_log: Any = None
        engine_kw: dict[str, Any] = {}
        if clock is not None:
            engine_kw["clock"] = clock
        if wallclock is not None:
            engine_kw["wallclock"] = wallclock
        self.engine = Engine(routine, **engine_kw)
        self.ticker = Ticker(self.engine, self._on_tick, tick=tick, on_error=self._show_error)
        self._build(muted)
        self.refresh()

    # -- layout ---------------------------------------------------------------

    def _build(self, muted: bool) -> None:
        r = self.routine
        self.title = _html(
            "bk-title",
            f'<div style="font-size:20px;font-weight:700;line-height:1.3">{r.title}</div>'
            f'<div style="font-size:13px;color:#555">{_escape(_dose_line(r))}</div>',
        )
        self.pain_before = widgets.IntSlider(
            value=0, min=0, max=10, step=1, continuous_update=False,
            description="Pain now", style={"description_width": "80px"},
            layout=widgets.Layout(width="360px"),
        )  # fmt: skip
        self.pain_before.add_class("bk-pain-before")
        self.before_box = widgets.VBox(
            [
                _html(
                    "bk-pain-before-question",
                    "<b>Before you start:</b> how much does your back hurt right now?<br>"
                    '<span style="color:#666;font-size:13px">0 = no pain, '
                    "10 = worst pain imaginable</span>",
                ),
                self.pain_before,
            ],
            layout=widgets.Layout(margin="4px 0 8px 0"),
        )
        self.before_box.add_class("bk-before")

        self.phase_label = _html("bk-phase", "")
        self.countdown = _html("bk-countdown", "")
        # The current phase's key pose beside the countdown (hidden when the
        # exercise has no poses in the catalogue).
        self.pose_image = widgets.Image(
            format="png", layout=widgets.Layout(width="170px", height="auto")
        )
        self.pose_image.add_class("bk-pose")
        self._pose_key: tuple[str, str] | None = None
        self.phase_bar = widgets.FloatProgress(
            value=0.0, min=0.0, max=1.0, layout=widgets.Layout(width="100%", height="18px")
        )
        self.phase_bar.add_class("bk-phase-bar")
        self.counters = _html("bk-counters", "", width="100%")
        self.next_label = _html("bk-next", "")
        self.session_bar = widgets.FloatProgress(
            value=0.0, min=0.0, max=1.0, layout=widgets.Layout(width="100%", height="10px")
        )
        self.session_bar.style.bar_color = "#878787"
        self.session_bar.add_class("bk-session-bar")
        self.session_text = _html("bk-session", "")

        self.start_button = _button("▶ Start", "bk-start", "Start the session", "success")
        self.pause_button = _button("❚❚ Pause", "bk-pause", "Pause or resume the countdown")
        self.skip_button = _button("» Skip", "bk-skip", "Skip to the next step")
        self.stop_button = _button("■ Stop", "bk-stop", "Stop early (what you did is kept)")
        self.mute_toggle = widgets.ToggleButton(
            value=muted,
            description="♪ Sound off" if muted else "♪ Sound on",
            tooltip="Turn the beeps on or off",
            layout=widgets.Layout(width="auto", height="40px", min_width="96px"),
        )
        self.mute_toggle.add_class("bk-mute")
        self.start_button.on_click(self._guard(self._on_start))
        self.pause_button.on_click(self._guard(self._on_pause))
        self.skip_button.on_click(self._guard(self._on_skip))
        self.stop_button.on_click(self._guard(self._on_stop))
        self.mute_toggle.observe(self._guard(self._on_mute), names="value")
        buttons = widgets.HBox(
            [
                self.start_button,
                self.pause_button,
                self.skip_button,
                self.stop_button,
                self.mute_toggle,
            ],
            layout=widgets.Layout(flex_flow="row wrap", margin="8px 0 0 0"),
        )

        self.pain_after = widgets.IntSlider(
            value=0, min=0, max=10, step=1, continuous_update=False,
            description="Pain now", style={"description_width": "80px"},
            layout=widgets.Layout(width="360px"),
        )  # fmt: skip
        self.pain_after.add_class("bk-pain-after")
        self.notes = widgets.Textarea(
            placeholder="Notes (optional): how it went, what you felt",
            layout=widgets.Layout(width="100%", height="60px"),
        )
        self.notes.add_class("bk-notes")
        self.save_button = _button("Save to log", "bk-save", "Save this session", "primary")
        self.save_button.on_click(self._guard(self._on_save))
        self.message = _html("bk-message", "")
        self.after_box = widgets.VBox(
            [
                _html(
                    "bk-pain-after-question",
                    "<b>How much does your back hurt now?</b><br>"
                    '<span style="color:#666;font-size:13px">0 = no pain, '
                    "10 = worst pain imaginable</span>",
                ),
                self.pain_after,
                self.notes,
                self.save_button,
            ],
            layout=widgets.Layout(margin="10px 0 0 0", display="none"),
        )
        self.after_box.add_class("bk-after")
        self.audio_box = widgets.Box(layout=widgets.Layout(height="0px", overflow="hidden"))
        self.audio_box.add_class("bk-audio")
        self.output = widgets.Output()
        self.output.add_class("bk-errors")

        # Cosmetics that Layout cannot express; harmless if a front end drops them.
        style = _html(
            "bk-style",
            "<style>.bk-timer{border-radius:8px}.bk-timer .widget-button{margin-right:6px}"
            ".bk-timer .bk-countdown{margin:0}</style>",
            height="0px",
        )
        super().__init__(
            [
                style,
                self.title,
                self.before_box,
                self.phase_label,
                widgets.HBox(
                    [self.countdown, self.pose_image],
                    layout=widgets.Layout(align_items="center", justify_content="space-around"),
                ),
                self.phase_bar,
                self.counters,
                self.next_label,
                self.session_bar,
                self.session_text,
                buttons,
                self.after_box,
                self.message,
                self.audio_box,
                self.output,
            ],
            layout=widgets.Layout(
                border="1px solid #d0d0d0",
                padding="12px 16px",
                max_width="560px",
            ),
        )
        self.add_class("bk-timer")

    # -- public ------------------------------------------------------------------

    @property
    def state(self) -> str:
        """'ready', 'running', 'paused' or 'finished'."""
        return self.engine.state

    @property
    def records(self):
        """Rows saved by this timer, as a DataFrame with the session log's columns.

        Without a log, Save writes to an in-memory log (same checks, same
        dtypes) and this is where the rows are; with a log it is what was stored.
        """
        from .log import conform, empty_frame

        if not self.saved_rows:
            return empty_frame()
        return conform({k: [row[k] for row in self.saved_rows] for k in self.saved_rows[0]})

    def start(self) -> None:
        """Start the session (what the Start button does)."""
        self.start_button.click()

    async def run(self) -> Status:
        """Start if needed and tick until the session ends; for scripts without a loop."""
        if self.engine.state == "ready":
            self._on_start(None)
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
        return self._render(self.engine.status())

    def close(self) -> None:
        """Stop ticking and close the widget and its children."""
        ticker = getattr(self, "ticker", None)
        if ticker is not None:
            ticker.cancel()
        super().close()

    @classmethod
    def for_plan(
        cls,
        plan: Any,
        day: date | None = None,
        log: Any = None,
        *,
        rest_seconds: float = 30.0,
        **kwargs: Any,
    ) -> SessionTimer:
        """A timer that runs the exercises a plan prescribes for ``day`` one after another.

        Each exercise uses the plan's dose (``PlanItem`` values left as None
        fall back to the catalogue), with at least ``rest_seconds`` between
        exercises. Rows are stored with the plan's id.

        Examples
        --------
        >>> import backkit
        >>> plan = backkit.Plan.default()
        >>> timer = backkit.SessionTimer.for_plan(plan, plan.start)
        >>> timer.routine.exercise_ids[:2]
        ('supine-hamstring-stretch', 'knee-to-chest')
        """
        day = day or date.today()
        items: Sequence[Any] = plan.due_on(day)
        if not items:
            raise ValueError(
                f"SessionTimer.for_plan: plan {getattr(plan, 'name', plan)!r} prescribes "
                f"nothing on {day.isoformat()}"
            )
        routines = [
            build_routine(
                item.exercise_id, sets=item.sets, reps=item.reps, hold_seconds=item.hold_seconds
            )
            for item in items
        ]
        routine = Routine.chain(routines, rest_seconds=rest_seconds)
        kwargs.setdefault("plan_id", getattr(plan, "id", None))
        return cls(routine, log, **kwargs)

    # -- callbacks ---------------------------------------------------------------

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        # Errors in widget callbacks vanish unless shown somewhere: show them here.
        @functools.wraps(fn)
        def wrapper(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as err:
                self._show_error(err)
                return None

        return wrapper

    def _show_error(self, err: BaseException) -> None:
        text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        self.output.append_stderr(text)

    def _on_start(self, _button: Any) -> None:
        entered = self.engine.start()
        if not entered:
            return
        # Pain before is asked before starting: freeze the answer given.
        self.pain_before.disabled = True
        if self.session_id is None:
            from .config import kit_timezone

            wall = self.engine.started_at.astimezone(kit_timezone())
            self.session_id = f"{wall:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        self._cue(entered)
        self.ticker.start()
        self._render(self.engine.status())

    def _on_pause(self, _button: Any) -> None:
        if self.engine.state == "paused":
            self.engine.resume()
            self.ticker.start()
        elif self.engine.pause():
            self.ticker.cancel()
        self.refresh()

    def _on_skip(self, _button: Any) -> None:
        entered = self.engine.skip()
        if entered:
            self._cue(entered)
        self._render(self.engine.status())

    def _on_stop(self, _button: Any) -> None:
        if self.engine.stop():
            self.ticker.cancel()
        self._render(self.engine.status())

    def _on_mute(self, change: dict[str, Any]) -> None:
        self.mute_toggle.description = "♪ Sound off" if change["new"] else "♪ Sound on"

    def _on_tick(self, entered: list[Phase], now: float) -> None:
        if entered:
            self._cue(entered)
        self._render(self.engine.status(now))

    def _on_save(self, _button: Any) -> None:
        rows = self.engine.log_rows(
            pain_before=self.pain_before.value,
            pain_after=self.pain_after.value,
            notes=self.notes.value,
            session_id=self.session_id,
            plan_id=self.plan_id,
        )
        try:
            stored = self._store(rows)
        except ValueError as err:
            self.message.value = _box(f"Not saved: {_escape(str(err))}", "#b2182b")
            return
        self.saved_rows.extend(stored)
        self.save_button.disabled = True
        self.save_button.description = "✓ Saved"
        status = "partial" if any(r["status"] == "partial" for r in rows) else "completed"
        where = "the log" if self.session_log is not None else "timer.records (no log given)"
        text = f"Saved {len(rows)} row{'s' if len(rows) != 1 else ''} to {where} ({status})."
        advice = safety.check_pain(self.pain_before.value, self.pain_after.value)
        html = _box(text, "#1a9850")
        if advice is not None:
            colour = "#b2182b" if advice.level == "stop" else "#b35806"
            html += _box(f"<b>{advice.level.title()}:</b> {_escape(advice.message)}", colour)
        self.message.value = html

    def _store(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        log = self.session_log
        if log is None:
            from .log import SessionLog

            # The same checks as a real log, kept in memory: nothing is written to disk.
            log = self._memory_log = self._memory_log or SessionLog(":memory:")
        if hasattr(log, "record_many"):
            stored = log.record_many(rows)
        else:
            stored = [log.record(**row) for row in rows]
        return list(stored) if stored is not None else rows

    # -- drawing --------------------------------------------------------------------

    def _cue(self, entered: list[Phase]) -> None:
        if self.mute_toggle.value:
            return
        tones = _TONES.get(entered[-1].kind, (880.0,))
        audio = widgets.Audio(
            value=beep_wav(tones), format="wav", autoplay=True, loop=False, controls=False
        )
        audio.add_class("bk-beep")
        old = self.audio_box.children
        # A new Audio widget per beep: an autoplaying element plays once, when shown.
        self.audio_box.children = (audio,)
        for w in old:
            w.close()
        self.beeps += 1

    def _render(self, s: Status) -> Status:
        p = s.phase
        colour = _COLOURS.get(p.kind, "#333")
        if s.state == "ready":
            label = f"Ready: {p.label}"
        elif s.state == "finished":
            label = "Done - well done!" if s.completed else f"Stopped during: {p.label}"
        else:
            label = p.label + (" (paused)" if s.state == "paused" else "")
        self.phase_text = label
        self._set(
            self.phase_label,
            "value",
            f'<div style="font-size:22px;font-weight:600;color:{colour}">{_escape(label)}</div>',
        )
        remaining = 0.0 if s.state == "finished" else s.remaining
        self.countdown_text = format_seconds(remaining)
        self._set(
            self.countdown,
            "value",
            f'<div style="font-size:84px;font-weight:700;line-height:1.05;'
            f"font-variant-numeric:tabular-nums;font-family:system-ui,sans-serif;"
            f'color:{colour};text-align:center" aria-live="off">{self.countdown_text}</div>',
        )
        self._show_pose(p)
        self._set(self.phase_bar, "value", round(s.phase_progress, 4))
        self._set(self.phase_bar.style, "bar_color", colour)
        self._set(self.counters, "value", _counters_html(self.routine, p))
        nxt = s.next_phase
        if s.state == "finished" or nxt is None:
            nxt_text = (
                "Next: tell us how your back feels, then save" if s.state == "finished" else ""
            )
        elif nxt.kind == "done":
            nxt_text = "Next: done"
        else:
            nxt_text = f"Next: {nxt.label} ({format_seconds(nxt.seconds)})"
        self._set(
            self.next_label,
            "value",
            f'<div style="font-size:15px;color:#333">{_escape(nxt_text)}</div>',
        )
        self._set(self.session_bar, "value", round(s.session_progress, 4))
        self._set(
            self.session_text,
            "value",
            f'<div style="font-size:13px;color:#555">Session {format_seconds(s.session_elapsed)}'
            f" of {format_seconds(self.routine.total_seconds)}"
            f" - {format_seconds(s.session_remaining)} left</div>",
        )
        running = s.state in ("running", "paused")
        self._set(self.start_button, "disabled", s.state != "ready")
        self._set(self.pause_button, "disabled", not running)
        self._set(
            self.pause_button, "description", "▶ Resume" if s.state == "paused" else "❚❚ Pause"
        )
        self._set(self.skip_button, "disabled", not running)
        self._set(self.stop_button, "disabled", not running)
        self._set(self.before_box.layout, "display", "" if s.state == "ready" else "none")
        self._set(self.after_box.layout, "display", "" if s.state == "finished" else "none")
        return s

    def _show_pose(self, p: Phase) -> None:
        from . import poses

        ex = get_exercise(p.exercise_id) if p.exercise_id else None
        if ex is None or not isinstance(ex.poses, poses.PoseSet):
            self._set(self.pose_image.layout, "display", "none")
            return
        key = (ex.id, poses.phase_pose(ex, p.kind))
        if key != self._pose_key:  # PNGs are cached, but each send costs a message
            self._pose_key = key
            self._set(self.pose_image.layout, "display", "")
            self.pose_image.value = poses.pose_png(ex, key[1], size=340)

    @staticmethod
    def _set(obj: Any, name: str, value: Any) -> None:
        # Assign only on change: every assignment is a message to the browser.
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _dose_line(routine: Routine) -> str:
    text = routine.describe()
    prefix = f"{routine.title}: "
    # One exercise: its name is the title already.
    return text.removeprefix(prefix) if len(routine.exercise_ids) == 1 else text


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def _box(html: str, colour: str) -> str:
    return (
        f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:6px 0;'
        f'color:#222;background:#f7f7f7">{html}</div>'
    )
