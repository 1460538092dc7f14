"""The timer's face: the widgets of a guided session and how a :class:`Status` is drawn.

:class:`TimerView` lays out the title, the pain question, the phase and its
countdown with the key pose, progress bars, set/rep/side counters, the next
step, the buttons and the after-session form. :meth:`TimerView.draw` shows a
:class:`~backkit.routine.Status`; :meth:`TimerView.play` plays a sound it is
given; :meth:`TimerView.on` passes a press of a button to whoever listens.
The view keeps no time, saves nothing, gives no advice of its own and makes
no sound: :class:`backkit.widgets.timer.SessionTimer` does those, so another
view with the same methods (an anywidget, say) can take this one's place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..exercises import get_exercise
from ..routine import Phase, Routine, Status, format_seconds
from . import _ui

if TYPE_CHECKING:
    from ..safety import PainAdvice

__all__ = ["ACTIONS", "PHASE_COLOURS", "TimerView", "counters_html", "next_text", "phase_text"]

#: What a person can press: the names :meth:`TimerView.on` takes.
ACTIONS = ("start", "pause", "skip", "stop", "save")
#: Colours per phase kind (ColorBrewer, readable on white and for most colour vision).
PHASE_COLOURS = {
    "prepare": "#b35806",
    "hold": "#1a9850",
    "move": "#1a9850",
    "rest": "#2166ac",
    "set-rest": "#2166ac",
    "switch": "#762a83",
    "done": "#4d4d4d",
}
_SOUND = {False: "♪ Sound on", True: "♪ Sound off"}


# --------------------------------------------------------------------------
# Words shown for a status (pure, so they are tested without widgets)


def phase_text(s: Status) -> str:
    """The line naming what to do now.

    Examples
    --------
    >>> from backkit.routine import Engine, build_routine
    >>> from backkit.widgets.timer_view import phase_text
    >>> phase_text(Engine(build_routine("bridge", sets=1)).status())
    'Ready: Get ready'
    """
    p = s.phase
    if s.state == "ready":
        return f"Ready: {p.label}"
    if s.state == "finished":
        return "Done - well done!" if s.completed else f"Stopped during: {p.label}"
    return p.label + (" (paused)" if s.state == "paused" else "")


def next_text(s: Status) -> str:
    """The line saying what comes next."""
    nxt = s.next_phase
    if s.state == "finished":
        return "Next: tell us how your back feels, then save"
    if nxt is None:
        return ""
    if nxt.kind == "done":
        return "Next: done"
    return f"Next: {nxt.label} ({format_seconds(nxt.seconds)})"


def counters_html(routine: Routine, p: Phase) -> str:
    """Set, rep and side of phase ``p`` as three labelled counters (HTML)."""
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
    side = "both" if p.side == "both" else f"{p.side} leg"
    cells = [("Set", f"{p.set} of {p.sets}"), ("Rep", f"{done} of {p.reps}"), ("Side", side)]
    inner = "".join(
        f'<div class="bk-counter"><div class="bk-counter-name">{k}</div>'
        f'<div class="bk-counter-value">{v}</div></div>'
        for k, v in cells
    )
    return f'<div class="bk-counter-row">{inner}</div>'


def _dose_line(routine: Routine) -> str:
    text = routine.describe()
    # One exercise: its name is the title already.
    if len(routine.exercise_ids) == 1:
        return text.removeprefix(f"{routine.title}: ")
    return text


# --------------------------------------------------------------------------
# The view


class TimerView(widgets.VBox):
    """The widgets of a guided session, drawn from a :class:`~backkit.routine.Status`.

    Parameters
    ----------
    routine : Routine
        What the session is (for the title, the dose and the counters).
    muted : bool, default False
        Start with the Sound toggle off.

    Attributes
    ----------
    phase_text, countdown_text : str
        The phase line and the countdown as last drawn (what a person reads).

    Examples
    --------
    >>> from backkit.routine import Engine, build_routine
    >>> from backkit.widgets.timer_view import TimerView
    >>> r = build_routine("bridge", sets=1, reps=1, hold_seconds=5)
    >>> view = TimerView(r)
    >>> view.draw(Engine(r).status())
    >>> view.phase_text, view.countdown_text, view.start_button.disabled
    ('Ready: Get ready', '0:10', False)
    """

    def __init__(self, routine: Routine, *, muted: bool = False):
        self.routine = routine
        self.phase_text = ""
        self.countdown_text = ""
        self._pose_key: tuple[str, str] | None = None
        self.output = widgets.Output()
        self.output.add_class("bk-errors")
        super().__init__(
            [
                _ui.style(),
                *self._build_header(),
                *self._build_face(),
                self._build_controls(muted),
                self._build_after(),
                self.message,
                self.audio_box,
                self.output,
            ],
            layout=widgets.Layout(max_width="560px"),
        )
        self.add_class("bk-root")
        self.add_class("bk-timer")

    # -- layout ---------------------------------------------------------------

    def _build_header(self) -> list[widgets.Widget]:
        r = self.routine
        self.title = _ui.html(
            "bk-title",
            f'<div class="bk-timer-title">{_ui.escape(r.title)}</div>'
            f'<div class="bk-timer-dose">{_ui.escape(_dose_line(r))}</div>',
        )
        self.pain_before = _ui.pain_slider("bk-pain-before")
        self.before_box = widgets.VBox(
            [
                _ui.pain_question(
                    "bk-pain-before-question",
                    "<b>Before you start:</b> how much does your back hurt right now?",
                ),
                self.pain_before,
            ],
            layout=widgets.Layout(margin="4px 0 8px 0"),
        )
        self.before_box.add_class("bk-before")
        return [self.title, self.before_box]

    def _build_face(self) -> list[widgets.Widget]:
        self.phase_label = _ui.html("bk-phase")
        self.countdown = _ui.html("bk-countdown")
        # The current phase's key pose beside the countdown (hidden when the
        # exercise has no poses in the catalogue).
        self.pose_image = widgets.Image(
            format="png", layout=widgets.Layout(width="170px", height="auto")
        )
        self.pose_image.add_class("bk-pose")
        self.phase_bar = widgets.FloatProgress(
            value=0.0, min=0.0, max=1.0, layout=widgets.Layout(width="100%", height="18px")
        )
        self.phase_bar.add_class("bk-phase-bar")
        self.counters = _ui.html("bk-counters", width="100%")
        self.next_label = _ui.html("bk-next")
        self.session_bar = widgets.FloatProgress(
            value=0.0, min=0.0, max=1.0, layout=widgets.Layout(width="100%", height="10px")
        )
        self.session_bar.style.bar_color = "#878787"
        self.session_bar.add_class("bk-session-bar")
        self.session_text = _ui.html("bk-session")
        face = widgets.HBox(
            [self.countdown, self.pose_image],
            layout=widgets.Layout(align_items="center", justify_content="space-around"),
        )
        return [
            self.phase_label,
            face,
            self.phase_bar,
            self.counters,
            self.next_label,
            self.session_bar,
            self.session_text,
        ]

    def _build_controls(self, muted: bool) -> widgets.HBox:
        self.start_button = _ui.button("▶ Start", "bk-start", "Start the session", "success")
        self.pause_button = _ui.button("❚❚ Pause", "bk-pause", "Pause or resume the countdown")
        self.skip_button = _ui.button("» Skip", "bk-skip", "Skip to the next step")
        self.stop_button = _ui.button("■ Stop", "bk-stop", "Stop early (what you did is kept)")
        self.mute_toggle = widgets.ToggleButton(
            value=muted,
            description=_SOUND[muted],
            tooltip="Turn the beeps on or off",
            layout=widgets.Layout(width="auto", height="40px", min_width="96px"),
        )
        self.mute_toggle.add_class("bk-mute")
        self.mute_toggle.observe(self._on_mute, names="value")
        buttons = [
            self.start_button,
            self.pause_button,
            self.skip_button,
            self.stop_button,
            self.mute_toggle,
        ]
        row = widgets.Layout(flex_flow="row wrap", margin="8px 0 0 0")
        return widgets.HBox(buttons, layout=row)

    def _build_after(self) -> widgets.VBox:
        self.pain_after = _ui.pain_slider("bk-pain-after")
        self.notes = widgets.Textarea(
            placeholder="Notes (optional): how it went, what you felt",
            layout=widgets.Layout(width="100%", height="60px"),
        )
        self.notes.add_class("bk-notes")
        self.save_button = _ui.button("Save to log", "bk-save", "Save this session", "primary")
        self.message = _ui.html("bk-message")
        self.audio_box = widgets.Box(layout=widgets.Layout(height="0px", overflow="hidden"))
        self.audio_box.add_class("bk-audio")
        self.after_box = widgets.VBox(
            [
                _ui.pain_question(
                    "bk-pain-after-question", "<b>How much does your back hurt now?</b>"
                ),
                self.pain_after,
                self.notes,
                self.save_button,
            ],
            layout=widgets.Layout(margin="10px 0 0 0", display="none"),
        )
        self.after_box.add_class("bk-after")
        return self.after_box

    # -- what a person does -----------------------------------------------------

    @property
    def muted(self) -> bool:
        """True when the person turned the sound off."""
        return bool(self.mute_toggle.value)

    def on(self, action: str, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` when the person presses ``action`` (one of :data:`ACTIONS`).

        An error in the callback is shown in the view, not lost.
        """
        buttons = {
            "start": self.start_button,
            "pause": self.pause_button,
            "skip": self.skip_button,
            "stop": self.stop_button,
            "save": self.save_button,
        }
        guarded = _ui.guard(self.output)(lambda _button: callback())
        buttons[action].on_click(guarded)

    def _on_mute(self, change: dict[str, Any]) -> None:
        self.mute_toggle.description = _SOUND[bool(change["new"])]

    # -- drawing --------------------------------------------------------------------

    def draw(self, s: Status) -> None:
        """Show status ``s``: phase, countdown, pose, bars, counters, next step, buttons."""
        set_ = _ui.set_if_changed
        p = s.phase
        colour = PHASE_COLOURS.get(p.kind, "#333")
        self.phase_text = phase_text(s)
        self.countdown_text = format_seconds(0.0 if s.state == "finished" else s.remaining)
        set_(
            self.phase_label,
            "value",
            f'<div class="bk-phase-text" style="color:{colour}">{_ui.escape(self.phase_text)}'
            "</div>",
        )
        set_(
            self.countdown,
            "value",
            f'<div class="bk-countdown-text" style="color:{colour}" aria-live="off">'
            f"{self.countdown_text}</div>",
        )
        self._show_pose(p)
        set_(self.phase_bar, "value", round(s.phase_progress, 4))
        set_(self.phase_bar.style, "bar_color", colour)
        set_(self.counters, "value", counters_html(self.routine, p))
        nxt = _ui.escape(next_text(s))
        set_(self.next_label, "value", f'<div class="bk-next-text">{nxt}</div>')
        set_(self.session_bar, "value", round(s.session_progress, 4))
        set_(
            self.session_text,
            "value",
            f'<div class="bk-session-text">Session {format_seconds(s.session_elapsed)}'
            f" of {format_seconds(self.routine.total_seconds)}"
            f" - {format_seconds(s.session_remaining)} left</div>",
        )
        self._draw_controls(s.state)

    def _draw_controls(self, state: str) -> None:
        set_ = _ui.set_if_changed
        running = state in ("running", "paused")
        set_(self.start_button, "disabled", state != "ready")
        set_(self.pause_button, "disabled", not running)
        set_(self.pause_button, "description", "▶ Resume" if state == "paused" else "❚❚ Pause")
        set_(self.skip_button, "disabled", not running)
        set_(self.stop_button, "disabled", not running)
        # Pain before is asked before starting: the answer given stays fixed after.
        set_(self.pain_before, "disabled", state != "ready")
        set_(self.before_box.layout, "display", "" if state == "ready" else "none")
        set_(self.after_box.layout, "display", "" if state == "finished" else "none")

    def _show_pose(self, p: Phase) -> None:
        from .. import poses

        ex = get_exercise(p.exercise_id) if p.exercise_id else None
        if ex is None or not isinstance(ex.poses, poses.PoseSet):
            _ui.set_if_changed(self.pose_image.layout, "display", "none")
            return
        key = (ex.id, poses.phase_pose(ex, p.kind))
        if key != self._pose_key:  # PNGs are cached, but each send costs a message
            self._pose_key = key
            _ui.set_if_changed(self.pose_image.layout, "display", "")
            self.pose_image.value = poses.pose_png(ex, key[1], size=340)

    def play(self, wav: bytes) -> None:
        """Play a sound (WAV bytes) once."""
        audio = widgets.Audio(value=wav, format="wav", autoplay=True, loop=False, controls=False)
        audio.add_class("bk-beep")
        old = self.audio_box.children
        # A new Audio widget per beep: an autoplaying element plays once, when shown.
        self.audio_box.children = (audio,)
        for w in old:
            w.close()

    def show_saved(self, text: str, advice: PainAdvice | None = None) -> None:
        """Say the session was saved (``text``), with the kit's pain advice when there is some."""
        self.save_button.disabled = True
        self.save_button.description = "✓ Saved"
        html = _ui.box(_ui.escape(text), "ok")
        if advice is not None:
            html += _ui.box(
                f"<b>{_ui.escape(advice.level.title())}:</b> {_ui.escape(advice.message)}",
                advice.level,
            )
        self.message.value = html

    def show_refused(self, reason: str) -> None:
        """Say the session was not saved and why; Save stays enabled."""
        self.message.value = _ui.box(f"Not saved: {_ui.escape(reason)}", "stop")

    def show_error(self, err: BaseException) -> None:
        """Show an unexpected error's traceback."""
        _ui.show_error(self.output, err)
