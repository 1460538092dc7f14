"""The exercise figure: start and end pose side by side, with the movement, dose and captions.

Examples
--------
>>> import backkit
>>> fig = backkit.plot_exercise("bridge")
>>> [t.get_text() for t in fig.texts if t.get_gid() == "title"]
['4. Bridge']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..exercises import Exercise
from ..i18n import N_, ngettext
from ..i18n import gettext as _
from ..plan import seconds_text
from .arrow import movement_arrow
from .draw import (
    COLOURS,
    SCALE,
    draw_arrow,
    draw_body,
    frame_bounds,
    on_mat,
    setup_axes,
    wrap_lines,
)
from .kinematics import SIDES, key_frame
from .lookup import exercise_poses, seconds_scale
from .model import Pose, PoseSet

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_exercise", "show_exercise"]

_TRACE_WORDS = {
    # Translators: a body part whose path a blue arrow draws ("Blue arrow: the path of the hips")
    "hip": N_("the hips"),
    "shoulder": N_("the shoulders"),
    "neck": N_("the neck"),
    "head": N_("the head"),
    **{
        f"{s}_{p}": w
        for s in SIDES
        for p, w in (
            ("knee", N_("the knee")),
            ("ankle", N_("the foot")),
            ("heel", N_("the heel")),
            ("toes", N_("the toes")),
            ("elbow", N_("the elbow")),
            ("hand", N_("the hands")),
        )
    },
}
_SIDE, _GAP = 0.2, 0.35  # inches: left margin, gap between the panels


def _dose_line(ex: Exercise) -> str:
    n = ex.reps
    if ex.kind == "hold":
        times = (
            ngettext("{n} time each side", "{n} times each side", n)
            if ex.per_side
            else ngettext("{n} time", "{n} times", n)
        )
        parts = [_("hold {seconds} s").format(seconds=ex.hold_seconds), times.format(n=n)]
        if ex.rest_seconds:
            parts.append(_("rest {seconds} s between").format(seconds=ex.rest_seconds))
    else:
        reps = (
            ngettext("{n} rep each side", "{n} reps each side", n)
            if ex.per_side
            else ngettext("{n} rep", "{n} reps", n)
        )
        parts = [reps.format(n=n), _("about {seconds} s each").format(seconds=ex.rep_seconds)]
    if ex.sets > 1:
        parts.insert(0, ngettext("{n} set", "{n} sets", ex.sets).format(n=ex.sets))
    return " \u00b7 ".join(parts)


def _end_words(ex: Exercise, ps: PoseSet) -> str:
    if ex.kind == "hold":
        return _("hold {seconds} s").format(seconds=ex.hold_seconds)
    down = sum(p.seconds for p in ps.poses[1:]) * seconds_scale(ex, ps)
    return _("{down} s down, {up} s up").format(
        down=seconds_text(down), up=seconds_text(ex.rep_seconds - down)
    )


@dataclass(frozen=True)
class _Layout:
    """Sizes (inches) of the figure and the wrapped words round the two panels."""

    width: float
    height: float
    panel: tuple[float, float]  # width, height of one pose panel
    below: float  # room under the panels for the captions and the note
    captions: tuple[list[str], list[str]]
    note: list[str]

    def box(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A rectangle given in inches, in figure fractions."""
        return (x / self.width, y / self.height, w / self.width, h / self.height)


def _layout(ex: Exercise, ps: PoseSet) -> _Layout:
    x0, x1, y0, y1 = frame_bounds(ps)
    pw, ph = (x1 - x0) * SCALE, (y1 - y0) * SCALE
    width = 2 * pw + _GAP + 2 * _SIDE
    captions = (wrap_lines(ps.poses[0].label, pw, 10), wrap_lines(ps.poses[-1].label, pw, 10))
    notes = [_("Orange-red: the part that moves")]
    # no trace, or a point that hardly moves: no arrow
    if ps.trace is not None and movement_arrow(ps, 1.0) is not None:
        part = _(_TRACE_WORDS[ps.trace])
        notes.append(_("Blue arrow: the path of {part}").format(part=part))
    if ex.per_side:
        notes.append(_("One side shown: repeat on the other side"))
    note_lines = wrap_lines(". ".join(notes) + ".", width - 2 * _SIDE, 9)
    top = 1.05  # title, dose and panel titles
    below = 0.12 + 0.19 * max(map(len, captions)) + 0.1 + 0.16 * len(note_lines) + 0.1
    return _Layout(width, top + ph + below, (pw, ph), below, captions, note_lines)


def _panel(fig: Figure, lay: _Layout, ex: Exercise, ps: PoseSet, pose: Pose, *, ghost: bool):
    """Draw one pose panel (the end panel with the ghost and the arrow) and its caption."""
    first, last = ps.poses[0], ps.poses[-1]
    left = _SIDE if pose is first else _SIDE + lay.panel[0] + _GAP
    # Translators: the titles of the two pictures of an exercise ("End: hold 30 s")
    title = _("Start") if pose is first else _("End: {how}").format(how=_end_words(ex, ps))
    ax = fig.add_axes(lay.box(left, lay.below, *lay.panel))
    setup_axes(ax, frame_bounds(ps), mat=on_mat(ex), floor=True)
    if pose is last and ghost:
        draw_body(ax, key_frame(first, ps.anchor)["points"], ghost=True, zorder=1)
    draw_body(ax, key_frame(pose, ps.anchor)["points"], moving=ps.moving)
    if pose is last:
        draw_arrow(ax, ex, ps)
    ax.set_title(title, loc="left", fontsize=11.5, fontweight="bold", color=COLOURS["text"], pad=6)
    fig.text(
        left / lay.width,
        (lay.below - 0.1) / lay.height,
        "\n".join(lay.captions[0 if pose is first else 1]),
        fontsize=10,
        color=COLOURS["text"],
        va="top",
        linespacing=1.25,
        gid="pose-label",
    )


def plot_exercise(exercise_id: str | Exercise, *, ghost: bool = True) -> Figure:
    """Draw an exercise: the start and end pose side by side, with the movement.

    The moving part is Okabe-Ito vermillion (orange-red); a blue arrow follows
    the path of the moving point (through any middle poses) and is labelled
    with the time the movement takes; the end panel shows the start pose
    faintly behind. The title, the dose ("hold 30 s"), and the captions come
    from the catalogue. Every figure draws the body at the same scale.

    Parameters
    ----------
    exercise_id : str or Exercise
        A catalogue id such as ``"squat"``.
    ghost : bool
        Draw the start pose faintly behind the end pose.

    Returns
    -------
    matplotlib.figure.Figure
        Two Axes: ``fig.axes[0]`` the start pose, ``fig.axes[1]`` the end pose.
        As a cell's value Jupyter shows it once; it is not registered with
        pyplot, so it needs no closing. Save it with ``fig.savefig(...)``.

    Raises
    ------
    UnknownExerciseError
        For an id that is not in the catalogue.

    Examples
    --------
    >>> import backkit
    >>> fig = backkit.plot_exercise("squat")
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['Start', 'End: 2 s down, 2 s up']
    """
    # Not a pyplot figure: returned as a cell's value, Jupyter shows it once
    # (a pyplot figure would be shown a second time when the cell ends).
    from matplotlib.figure import Figure

    ex, ps = exercise_poses(exercise_id)
    lay = _layout(ex, ps)
    fig = Figure(figsize=(lay.width, lay.height))
    fig.text(
        _SIDE / lay.width,
        1 - 0.12 / lay.height,
        f"{ex.number}. {ex.name}",
        fontsize=14,
        fontweight="bold",
        color=COLOURS["text"],
        va="top",
        gid="title",
    )
    fig.text(
        _SIDE / lay.width,
        1 - 0.45 / lay.height,
        _dose_line(ex),
        fontsize=10.5,
        color=COLOURS["note"],
        va="top",
        gid="dose",
    )
    for pose in (ps.poses[0], ps.poses[-1]):
        _panel(fig, lay, ex, ps, pose, ghost=ghost)
    fig.text(
        _SIDE / lay.width,
        (0.1 + 0.16 * len(lay.note)) / lay.height,
        "\n".join(lay.note),
        fontsize=9,
        color=COLOURS["note"],
        va="top",
        linespacing=1.25,
        gid="note",
    )
    return fig


def show_exercise(exercise_id: str | Exercise, *, ghost: bool = True) -> Figure:
    """The former name of :func:`plot_exercise`, kept so existing notebooks run.

    It returns a matplotlib Figure, as every ``plot_*`` function does; the
    ``show_*`` functions return Markdown.

    Examples
    --------
    >>> import backkit
    >>> len(backkit.show_exercise("squat").axes)
    2
    """
    return plot_exercise(exercise_id, ghost=ghost)
