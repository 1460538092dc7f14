"""Exercise animations that play inline in Jupyter: into the end pose, hold, and back.

The frames are drawn with matplotlib and saved as one looping animated GIF
(Pillow, which matplotlib already needs), embedded in the page as a
``data:`` image: the browser plays it and keeps its time, so a busy kernel
cannot stall it, and nothing is loaded from anywhere else (matplotlib's
JavaScript player asked a CDN for its button icons).
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BackkitError
from ..exercises import Exercise
from ..i18n import gettext as _
from ..plan import seconds_text
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
    first = poses[0].label or _("Start")  # every pose of the catalogue has a label
    ticks += [Tick(start, first, ("start",))] * max(1, round(_LEAD_IN * fps))
    for n, (a, b, seconds) in enumerate(forward + back):
        steps = max(1, round(seconds * fps))
        going_back = n >= len(forward)
        caption = (
            _("back, {seconds} s").format(seconds=seconds_text(seconds))
            if going_back
            else _("{pose} ({seconds} s)").format(
                pose=b.label or b.name, seconds=seconds_text(seconds)
            )
        )
        for i in range(1, steps + 1):
            shown = min(steps, math.ceil(i / stride) * stride)  # the image this tick repeats
            ticks.append(Tick(blend(a, b, shown / steps, ps.anchor), caption, ("move", n, shown)))
        if n == len(forward) - 1 and ex.kind == "hold" and hold_seconds > 0:
            held = key_frame(b, ps.anchor)
            caption = _("hold {seconds} s").format(seconds=seconds_text(hold_seconds))
            ticks += [Tick(held, caption, ("hold",))] * max(1, round(hold_seconds * fps))
    return ticks


@dataclass(frozen=True)
class ExerciseAnimation:
    """An exercise animation that displays itself in Jupyter (an animated image).

    Attributes
    ----------
    html : str
        An ``<img>`` of the looping animated GIF, embedded as a ``data:`` URI,
        with the exercise and the loop's length as its alternative text.
    frames : int
        Frames played per loop (``fps`` per second).
    images : int
        Distinct images in the GIF (a repeated frame is one image shown longer).
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


def _check_options(fps: Any, max_images: Any, hold_seconds: Any, default_hold: float) -> float:
    """Refuse bad options; return the seconds to hold the end pose."""
    if not isinstance(fps, int) or not 1 <= fps <= 30:
        raise BackkitError(
            _("fps={value} must be a whole number from 1 to 30").format(value=repr(fps)),
            where="animate_exercise",
        )
    if not isinstance(max_images, int) or max_images < 4:
        raise BackkitError(
            _("max_images={value} must be a whole number >= 4").format(value=repr(max_images)),
            where="animate_exercise",
        )
    hold = float(default_hold if hold_seconds is None else hold_seconds)
    if not 0 <= hold <= 600:
        raise BackkitError(
            _("hold_seconds={value} must be 0 to 600 seconds").format(value=repr(hold_seconds)),
            where="animate_exercise",
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
    wrapped = {t.caption: "\n".join(wrap_lines(t.caption, pw - 0.1, 10.5)) for t in ticks}
    top, bottom = 0.36, 0.14 + 0.19 * max(c.count("\n") + 1 for c in wrapped.values())
    height = ph + top + bottom
    fig = plt.figure(figsize=(pw, height), dpi=dpi)
    ax = fig.add_axes((0, bottom / height, 1, ph / height))
    fig.text(
        0.03,
        1 - 0.08 / height,
        f"{ex.number}. {ex.name}",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=COLOURS["text"],
    )
    caption = fig.text(
        0.03,
        (bottom - 0.06) / height,
        "",
        va="top",
        fontsize=10.5,
        color=COLOURS["text"],
        linespacing=1.2,
    )
    return _Stage(fig, ax, caption, bounds, wrapped)


def _record(stage: _Stage, ex: Exercise, ps: PoseSet, ticks: list[Tick], *, fps: int, dpi: int):
    """Draw every distinct image once; return the looping GIF's bytes and the images drawn."""
    import io

    from PIL import Image

    images: list[Image.Image] = []
    durations: list[int] = []  # milliseconds each image shows
    previous = None
    for tick in ticks:
        if tick.image == previous:
            durations[-1] += 1000 // fps
            continue
        previous = tick.image
        stage.ax.clear()
        setup_axes(stage.ax, stage.bounds, mat=on_mat(ex), floor=True)
        draw_body(stage.ax, tick.frame["points"], moving=ps.moving)
        stage.caption.set_text(stage.wrapped[tick.caption])
        raw = io.BytesIO()
        stage.fig.savefig(raw, format="png", dpi=dpi, facecolor="white")
        # a dozen flat colours: a 64-colour palette is lossless to the eye
        images.append(Image.open(raw).convert("RGB").quantize(64))
        durations.append(1000 // fps)
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=durations,
        loop=0, optimize=True, disposal=1,
    )  # fmt: skip
    return out.getvalue(), len(images)


def animate_exercise(
    exercise_id: str | Exercise,
    *,
    hold_seconds: float | None = None,
    fps: int = 10,
    max_images: int = 48,
    dpi: int = 96,
) -> ExerciseAnimation:
    """Animate an exercise: into the end pose, hold, and back, at the real pace.

    Joint angles are interpolated between the key poses with a slow-in,
    slow-out easing; moves take the time the poses give (a paced repetition
    takes the catalogue's ``rep_seconds``); the end pose of a hold exercise
    is held for the catalogue's hold time (the caption says how long the loop
    holds). The result displays inline in JupyterLab, Notebook 7 and Voila as
    a looping animated image: no ffmpeg, no JavaScript, nothing fetched.

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

    Returns
    -------
    ExerciseAnimation
        Displays itself as a cell's value; ``.html`` is the image,
        ``.seconds`` one loop.

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
        gif, images = _record(stage, ex, ps, ticks, fps=fps, dpi=dpi)
    finally:
        plt.close(stage.fig)
    seconds = len(ticks) / fps
    said = _("{number}. {name}: the movement, {seconds} s a loop").format(
        number=ex.number, name=ex.name, seconds=seconds_text(seconds)
    )
    alt = html.escape(said, quote=True)
    data = base64.b64encode(gif).decode("ascii")
    tag = f'<img class="bk-animation" alt="{alt}" src="data:image/gif;base64,{data}">'
    return ExerciseAnimation(ex.id, tag, len(ticks), images, seconds, fps)
