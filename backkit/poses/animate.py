"""Exercise animations that play inline in Jupyter: into the end pose, hold, and back.

The frames are drawn with matplotlib and played by matplotlib's JavaScript
player (``HTMLWriter``, the engine behind ``Animation.to_jshtml``): no ffmpeg,
and the browser keeps time, so a busy kernel cannot stall it.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BackkitError
from ..exercises import Exercise
from .draw import COLOURS, draw_body, frame_bounds, on_mat, setup_axes, wrap_lines
from .kinematics import blend, key_frame
from .lookup import exercise_poses, seconds_scale
from .model import PoseSet

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

__all__ = ["ExerciseAnimation", "animate_exercise", "timeline"]

_ANIM_SCALE = 1.7  # inches per metre in the animation (smaller than the figures)
_ANIM_MIN_WIDTH = 2.6  # inches
_LEAD_IN = 0.8  # seconds the start pose shows before the move


@dataclass(frozen=True)
class Tick:
    """One animation frame: the body, the caption, and which image it shows."""

    frame: dict[str, Any]
    caption: str
    image: tuple[Any, ...]  # ticks with equal keys show the same image


def timeline(
    ex: Exercise, ps: PoseSet, *, fps: int, hold_seconds: float, max_images: int
) -> list[Tick]:
    """Start, the moves into the end pose, the hold, the moves back; one tick per frame.

    Moves run at their real pace (the poses' ``seconds``; a paced rep lasts
    the catalogue's ``rep_seconds``); a hold is held for ``hold_seconds``.
    When the moves need more than ``max_images`` distinct images, each image
    is shown for several ticks, so the pace stays right.
    """
    poses = ps.poses
    scale = seconds_scale(ex, ps)
    forward = [
        (poses[i], poses[i + 1], poses[i + 1].seconds * scale) for i in range(len(poses) - 1)
    ]
    back = [(b, a, s) for a, b, s in reversed(forward)]
    move_ticks = sum(max(1, round(s * fps)) for _, _, s in forward + back)
    stride = max(1, math.ceil(move_ticks / max(1, max_images - 3)))

    ticks: list[Tick] = []
    start = key_frame(poses[0], ps.anchor)
    ticks += [Tick(start, poses[0].label or "start", ("start",))] * max(1, round(_LEAD_IN * fps))
    for n, (a, b, seconds) in enumerate(forward + back):
        steps = max(1, round(seconds * fps))
        going_back = n >= len(forward)
        caption = f"back, {seconds:g} s" if going_back else f"{b.label or b.name} ({seconds:g} s)"
        for i in range(1, steps + 1):
            shown = min(steps, math.ceil(i / stride) * stride)  # the image this tick repeats
            ticks.append(Tick(blend(a, b, shown / steps, ps.anchor), caption, ("move", n, shown)))
        if n == len(forward) - 1 and ex.kind == "hold" and hold_seconds > 0:
            held = key_frame(b, ps.anchor)
            caption = f"hold {ex.hold_seconds} s"
            ticks += [Tick(held, caption, ("hold",))] * max(1, round(hold_seconds * fps))
    return ticks


@dataclass(frozen=True)
class ExerciseAnimation:
    """An exercise animation that displays itself in Jupyter (HTML and JavaScript).

    Attributes
    ----------
    html : str
        matplotlib's JavaScript player (``HTMLWriter``, the engine behind
        ``Animation.to_jshtml``) with the frames embedded as PNG.
    frames : int
        Frames played per loop (``fps`` per second).
    images : int
        Distinct images embedded (repeated frames share one).
    seconds : float
        Length of one loop.
    fps : int
        Frames per second.
    """

    exercise_id: str
    html: str
    frames: int
    images: int
    seconds: float
    fps: int

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return (
            f"<ExerciseAnimation {self.exercise_id!r}: {self.seconds:g} s, {self.frames} frames, "
            f"{self.images} images, {len(self.html) / 1024:.0f} KiB>"
        )


def _dedupe_frames(html: str) -> str:
    """Point repeated frames at the first copy instead of embedding the image again."""
    seen: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        index, data = match.group(1), match.group(2)
        if data in seen:
            return f"  frames[{index}] = frames[{seen[data]}];\n"
        seen[data] = index
        return match.group(0)

    return re.sub(r'  frames\[(\d+)\] = "(data:image/[^"]*)"\n', swap, html)


def _autoplay(html: str) -> str:
    """A script that starts matplotlib's player once it exists (it is made in a timeout)."""
    found = re.search(r'id="_anim_img([0-9a-f]+)"', html)
    if not found:
        return ""
    name = f"anim{found.group(1)}"
    return (
        "\n<script>(function () {\n"
        "  var tries = 0;\n"
        "  function start() {\n"
        f"    var a = window[{name!r}];\n"
        "    if (a) { a.play_animation(); } else if (++tries < 50) { setTimeout(start, 100); }\n"
        "  }\n"
        "  setTimeout(start, 100);\n"
        "})();</script>\n"
    )


@functools.cache
def _writer_class() -> type:
    """matplotlib's HTMLWriter, storing small palette PNGs and reusing an image for repeats."""
    from matplotlib.animation import HTMLWriter

    class Writer(HTMLWriter):
        def grab_frame(self, **savefig_kwargs: Any) -> None:
            saved = getattr(self, "_saved_frames", None)
            if saved is None:  # a matplotlib without this internal: plain frames
                return super().grab_frame(**savefig_kwargs)
            import base64
            import io

            from PIL import Image

            raw = io.BytesIO()
            self.fig.savefig(raw, format="png", dpi=self.dpi, facecolor="white")
            # The pictures have a dozen flat colours: a 64-colour palette is
            # lossless to the eye and a third of the size.
            small = io.BytesIO()
            Image.open(raw).convert("RGB").quantize(64).save(small, format="PNG", optimize=True)
            saved.append(base64.encodebytes(small.getvalue()).decode("ascii"))
            return None

        def repeat(self) -> None:
            saved = getattr(self, "_saved_frames", None)
            if saved:  # the image is already encoded: reuse it, do not draw again
                saved.append(saved[-1])
            else:
                self.grab_frame()

    return Writer


def _check_options(fps: Any, max_images: Any, hold_seconds: Any, default_hold: float) -> float:
    """Refuse bad options; return the seconds to hold the end pose."""
    if not isinstance(fps, int) or not 1 <= fps <= 30:
        raise BackkitError(
            f"fps={fps!r} must be a whole number from 1 to 30", where="animate_exercise"
        )
    if not isinstance(max_images, int) or max_images < 4:
        raise BackkitError(
            f"max_images={max_images!r} must be a whole number >= 4", where="animate_exercise"
        )
    hold = float(default_hold if hold_seconds is None else hold_seconds)
    if not 0 <= hold <= 600:
        raise BackkitError(
            f"hold_seconds={hold_seconds!r} must be 0 to 600 seconds", where="animate_exercise"
        )
    return hold


@dataclass
class _Stage:
    """The animation's figure: one Axes for the body and a caption under it."""

    fig: Figure
    ax: Axes
    caption: Text
    bounds: tuple[float, float, float, float]
    wrapped: dict[str, str]  # caption -> caption wrapped to the figure's width


def _stage(ex: Exercise, ps: PoseSet, ticks: list[Tick], dpi: int) -> _Stage:
    import matplotlib.pyplot as plt

    x0, x1, y0, y1 = frame_bounds(ps)
    extra = max(0.0, _ANIM_MIN_WIDTH / _ANIM_SCALE - (x1 - x0)) / 2  # room for the title
    bounds = (x0 - extra, x1 + extra, y0, y1)
    pw, ph = (x1 - x0 + 2 * extra) * _ANIM_SCALE, (y1 - y0) * _ANIM_SCALE
    wrapped = {t.caption: "\n".join(wrap_lines(t.caption, pw - 0.1, 8.5)) for t in ticks}
    top, bottom = 0.3, 0.12 + 0.15 * max(c.count("\n") + 1 for c in wrapped.values())
    height = ph + top + bottom
    fig = plt.figure(figsize=(pw, height), dpi=dpi)
    ax = fig.add_axes((0, bottom / height, 1, ph / height))
    fig.text(
        0.03,
        1 - 0.08 / height,
        f"{ex.number}. {ex.name}",
        va="top",
        fontsize=9,
        fontweight="bold",
        color=COLOURS["text"],
    )
    caption = fig.text(
        0.03,
        (bottom - 0.06) / height,
        "",
        va="top",
        fontsize=8.5,
        color=COLOURS["text"],
        linespacing=1.2,
    )
    return _Stage(fig, ax, caption, bounds, wrapped)


def _record(stage: _Stage, ex: Exercise, ps: PoseSet, ticks: list[Tick], *, fps: int, dpi: int):
    """Draw every distinct image once; return the player's HTML and the images drawn."""
    import tempfile
    from pathlib import Path

    writer = _writer_class()(fps=fps, embed_frames=True, default_mode="loop")
    images = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "animation.html"
        with writer.saving(stage.fig, str(out), dpi):
            previous = None
            for tick in ticks:
                if tick.image == previous:
                    writer.repeat()
                    continue
                previous = tick.image
                stage.ax.clear()
                setup_axes(stage.ax, stage.bounds, mat=on_mat(ex), floor=True)
                draw_body(stage.ax, tick.frame["points"], moving=ps.moving)
                stage.caption.set_text(stage.wrapped[tick.caption])
                writer.grab_frame()
                images += 1
        return _dedupe_frames(out.read_text(encoding="utf-8")), images


def animate_exercise(
    exercise_id: str | Exercise,
    *,
    hold_seconds: float | None = None,
    fps: int = 10,
    max_images: int = 48,
    dpi: int = 72,
    autoplay: bool = True,
) -> ExerciseAnimation:
    """Animate an exercise: into the end pose, hold, and back, at the real pace.

    Joint angles are interpolated between the key poses with a slow-in,
    slow-out easing; moves take the time the poses give (a paced repetition
    takes the catalogue's ``rep_seconds``); the end pose of a hold exercise
    is held for the catalogue's hold time. The result displays inline in
    JupyterLab as matplotlib's JavaScript player (no ffmpeg needed) and loops.

    Parameters
    ----------
    exercise_id : str or Exercise
        A catalogue id such as ``"bridge"``.
    hold_seconds : float, optional
        Seconds to hold the end pose; default the catalogue's hold.
    fps : int
        Frames per second of the player.
    max_images : int
        Most distinct images to embed; longer moves show each image for
        several frames, so the notebook stays small and the pace stays real.
    dpi : int
        Resolution of the images.
    autoplay : bool
        Start playing (and looping) as soon as it is shown; the player's
        buttons pause, step and change the speed.

    Returns
    -------
    ExerciseAnimation
        Displays itself as a cell's value (HTML and JavaScript); ``.html`` is
        the player, ``.seconds`` one loop.

    Raises
    ------
    BackkitError
        For an option out of range (the message names it and its value).

    Examples
    --------
    >>> import backkit
    >>> anim = backkit.animate_exercise("squat")
    >>> anim.seconds, anim.images <= 48
    (4.8, True)
    """
    import matplotlib.pyplot as plt

    ex, ps = exercise_poses(exercise_id)
    hold = _check_options(fps, max_images, hold_seconds, ex.hold_seconds)
    ticks = timeline(ex, ps, fps=fps, hold_seconds=hold, max_images=max_images)
    stage = _stage(ex, ps, ticks, dpi)
    try:
        html, images = _record(stage, ex, ps, ticks, fps=fps, dpi=dpi)
    finally:
        plt.close(stage.fig)
    if autoplay:
        html += _autoplay(html)
    return ExerciseAnimation(ex.id, html, len(ticks), images, len(ticks) / fps, fps)
