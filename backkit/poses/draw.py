"""Drawing bodies with matplotlib: one pose on an Axes, the movement arrow, PNGs for widgets.

The near limbs are dark, the far limbs light grey and behind, the moving part
Okabe-Ito vermillion, the movement arrow blue. Every pose of an exercise is
drawn in one frame (:func:`frame_bounds`) at one scale, so poses line up.
matplotlib is imported inside the functions that draw: importing this module
stays light.
"""

from __future__ import annotations

import functools
import textwrap
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ..errors import BackkitError
from ..exercises import Exercise
from ..i18n import gettext as _
from .arrow import movement_arrow
from .kinematics import BODY, HALF_WIDTH, Point, along, blend, direction, key_frame, unit_vector
from .lookup import exercise_poses, pick_pose, seconds_scale
from .model import PoseSet

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import Patch

__all__ = [
    "COLOURS",
    "SCALE",
    "draw_arrow",
    "draw_body",
    "draw_pose",
    "frame_bounds",
    "on_mat",
    "pose_png",
    "setup_axes",
    "wrap_lines",
]

# Okabe-Ito vermillion marks the moving part: it stays distinct from the greys
# of the body and from the blue arrow for every common colour-vision
# deficiency, and in greyscale it falls between the dark near limbs and the
# light far limbs.
#: The colours of the drawings, by role.
COLOURS = {
    "near": "#333333",
    "far": "#b3b3b3",
    "moving": "#d55e00",
    "moving_far": "#f0b48c",
    "ghost": "#e4e4e4",
    "arrow": "#0072b2",
    "floor": "#555555",
    "ground": "#efefef",
    "mat": "#c5d9e8",
    "text": "#1f1f1f",
    "note": "#555555",
}
#: Inches of figure per metre of body: every figure draws the body the same size.
SCALE = 2.0
_MIN_WIDTH = 1.2  # metres: the narrowest frame (2.4 inches at SCALE)
_MARGIN = 0.1  # metres of air round the body

# The foot's outline in (along the sole, up from the sole) metres, from the
# point of the sole under the ankle: heel, sole, toes, instep, ankle.
_FOOT = (
    (-0.05, 0.0),
    (0.20, 0.0),
    (0.195, 0.025),
    (0.07, 0.055),
    (0.02, 0.085),
    (-0.04, 0.08),
    (-0.062, 0.03),
)


def _capsule(p: Point, q: Point, r: float, n: int = 10) -> list[Point]:
    """Outline of a rod of radius ``r`` from ``p`` to ``q`` with round ends."""
    d = direction(p, q)
    out = []
    for centre, start in ((q, d - 90), (p, d + 90)):
        for i in range(n + 1):
            ux, uy = unit_vector(start + 180 * i / n)
            out.append((centre[0] + r * ux, centre[1] + r * uy))
    return out


def _foot(points: dict[str, Point], side: str) -> list[Point]:
    heel, toes = points[f"{side}_heel"], points[f"{side}_toes"]
    u = direction(heel, toes)
    base = along(heel, BODY["heel"], u)
    return [along(along(base, a, u), b, u + 90) for a, b in _FOOT]


def _segments(points: dict[str, Point]) -> list[tuple[str, str, Any]]:
    """(name, near/far, outline or head centre) of every drawn part, back to front."""

    def leg(side: str) -> list[tuple[str, str, Any]]:
        knee, ankle = points[f"{side}_knee"], points[f"{side}_ankle"]
        return [
            (f"{side}_foot", side, _foot(points, side)),
            (f"{side}_shank", side, _capsule(knee, ankle, HALF_WIDTH["shank"])),
            (f"{side}_thigh", side, _capsule(points["hip"], knee, HALF_WIDTH["thigh"])),
        ]

    def arm(side: str) -> list[tuple[str, str, Any]]:
        elbow, hand = points[f"{side}_elbow"], points[f"{side}_hand"]
        tip = along(hand, 0.05, direction(elbow, hand))  # the fingers beyond the grip
        return [
            (
                f"{side}_upper_arm",
                side,
                _capsule(points["shoulder"], elbow, HALF_WIDTH["upper_arm"]),
            ),
            (f"{side}_forearm", side, _capsule(elbow, tip, HALF_WIDTH["forearm"])),
        ]

    return [
        *arm("far"),
        *leg("far"),
        ("neck", "near", _capsule(points["shoulder"], points["neck"], HALF_WIDTH["neck"])),
        ("head", "near", points["head"]),
        ("trunk", "near", _capsule(points["hip"], points["shoulder"], HALF_WIDTH["trunk"])),
        *leg("near"),
        *arm("near"),
    ]


def _nose(centre: Point, shoulder: Point) -> list[Point]:
    r = BODY["head_radius"]
    face = direction(shoulder, centre) - 90
    return [along(centre, r * 0.8, face + 40), along(centre, r * 1.4, face + 5),
            along(centre, r * 0.8, face - 25)]  # fmt: skip


def draw_body(
    ax: Axes,
    points: dict[str, Point],
    *,
    moving: tuple[str, ...] = (),
    ghost: bool = False,
    zorder: float = 3,
) -> list:
    """Draw one body; return its patches, tagged ``gid='segment:<name>'`` (or ``ghost:``)."""
    from matplotlib.patches import Circle, Polygon

    drawn = []
    for i, (name, depth, geom) in enumerate(_segments(points)):
        if ghost:
            colour = COLOURS["ghost"]
        elif name in moving:
            colour = COLOURS["moving" if depth == "near" else "moving_far"]
        else:
            colour = COLOURS[depth]
        z = zorder + i * 0.01
        tag = f"{'ghost' if ghost else 'segment'}:{name}"
        # A thin white edge keeps overlapping parts (arm over trunk) apart.
        style = {"facecolor": colour, "edgecolor": "white", "lw": 0.9, "zorder": z, "gid": tag}
        if name == "head":
            nose = Polygon(
                _nose(geom, points["shoulder"]),
                closed=True,
                facecolor=colour,
                edgecolor="none",
                zorder=z - 0.005,
                gid=f"{tag.split(':')[0]}-detail:nose",
            )
            ax.add_patch(nose)
            patch: Patch = Circle(geom, BODY["head_radius"], **style)
        else:
            if name.endswith("_foot"):
                style.update(edgecolor=colour, lw=1.2, joinstyle="round")
            patch = Polygon(geom, closed=True, **style)
        ax.add_patch(patch)
        drawn.append(patch)
    return drawn


def draw_arrow(ax: Axes, ex: Exercise, ps: PoseSet) -> None:
    """Draw the blue movement arrow and its seconds label (nothing when nothing is traced)."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    arrow = movement_arrow(ps, seconds_scale(ex, ps))
    if arrow is None:
        return
    path, label, seconds = arrow
    ax.add_patch(
        FancyArrowPatch(
            path=Path(path),
            arrowstyle="-|>,head_length=0.6,head_width=0.32",
            mutation_scale=15,
            color=COLOURS["arrow"],
            lw=2.0,
            zorder=8,
            gid="arrow",
        )
    )
    ax.text(
        *label,
        f"{seconds:g} s",
        ha="center",
        va="center",
        fontsize=9.5,
        fontweight="bold",
        color=COLOURS["arrow"],
        zorder=9,
        gid="arrow-label",
    )


@functools.lru_cache(maxsize=32)
def frame_bounds(ps: PoseSet) -> tuple[float, float, float, float]:
    """x0, x1, y0, y1 (metres) that hold every pose, the moves between them and the arrow."""
    frames = [key_frame(p, ps.anchor) for p in ps.poses]
    for a, b in pairwise(ps.poses):
        frames += [blend(a, b, t, ps.anchor) for t in (0.25, 0.5, 0.75)]
    xs: list[float] = []
    ys: list[float] = [0.0]
    r = BODY["head_radius"] * 1.35
    for fr in frames:
        for name, _depth, geom in _segments(fr["points"]):
            if name == "head":
                xs += [geom[0] - r, geom[0] + r]
                ys += [geom[1] + r]
            else:
                xs += [x for x, _ in geom]
                ys += [y for _, y in geom]
    arrow = movement_arrow(ps, 1.0)
    if arrow is not None:
        path, label, _ = arrow
        xs += [x for x, _ in path] + [label[0] - 0.08, label[0] + 0.08]
        ys += [y for _, y in path] + [label[1] + 0.05]
    x0, x1 = min(xs) - _MARGIN, max(xs) + _MARGIN
    # A standing pose is narrow; widen its frame evenly so the panel title
    # ("End: 2 s down, 2 s up") fits above it.
    pad = max(0.0, _MIN_WIDTH - (x1 - x0)) / 2
    return x0 - pad, x1 + pad, -0.08, max(ys) + _MARGIN


def on_mat(ex: Exercise) -> bool:
    """Whether the exercise is done on a mat (the drawing then shows one)."""
    return any("mat" in item for item in ex.equipment)


def setup_axes(
    ax: Axes, bounds: tuple[float, float, float, float], *, mat: bool, floor: bool
) -> None:
    """Frame ``ax`` on ``bounds`` (equal scale, no axes) and draw the floor and the mat."""
    from matplotlib.patches import FancyBboxPatch, Rectangle

    x0, x1, y0, y1 = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if not floor:
        return
    # The mat lies on the floor and the body on the mat: its top is y = 0.
    ground = -0.02 if mat else 0.0
    ax.add_patch(
        Rectangle(
            (x0, y0),
            x1 - x0,
            ground - y0,
            facecolor=COLOURS["ground"],
            edgecolor="none",
            zorder=0.5,
            gid="floor",
        )
    )
    ax.plot(
        [x0, x1],
        [ground, ground],
        color=COLOURS["floor"],
        lw=1.5,
        zorder=0.6,
        gid="floor-line",
        solid_capstyle="butt",
    )
    if mat:
        w = x1 - x0
        ax.add_patch(
            FancyBboxPatch(
                (x0 + 0.06 * w, ground),
                0.88 * w,
                -ground,
                boxstyle="round,pad=0,rounding_size=0.01",
                facecolor=COLOURS["mat"],
                edgecolor="none",
                zorder=0.7,
                gid="mat",
            )
        )


def wrap_lines(text: str, width_in: float, fontsize: float) -> list[str]:
    """``text`` in lines that fit ``width_in`` inches at ``fontsize`` points."""
    chars = max(12, int(width_in * 72 / (fontsize * 0.56)))
    return textwrap.wrap(text, chars) or [""]


def draw_pose(
    exercise_id: str | Exercise,
    pose: str = "start",
    *,
    ax: Axes | None = None,
    highlight: bool = True,
    floor: bool = True,
) -> Axes:
    """Draw one key pose of an exercise: a side-view figure on the floor.

    The near limbs are dark, the far limbs light grey and behind, the moving
    part (the catalogue's ``moving`` list) Okabe-Ito vermillion. Every pose of an
    exercise is drawn in the same frame, at the same scale.

    Parameters
    ----------
    exercise_id : str or Exercise
        A catalogue id such as ``"bridge"``.
    pose : str
        A key pose (see :func:`~backkit.poses.pose_names`); every exercise has
        ``"start"`` and ``"end"``.
    ax : matplotlib Axes, optional
        Axes to draw on; a new pyplot figure is made when omitted.
    highlight : bool
        Colour the moving part.
    floor : bool
        Draw the floor (and the mat, for exercises done on a mat).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. The body's patches carry ``gid='segment:<name>'``:
        13 parts (trunk, neck, head, and thigh, shank, foot, upper arm,
        forearm per side).

    Raises
    ------
    UnknownExerciseError
        For an id that is not in the catalogue.
    BackkitError
        For a pose the exercise does not have.

    Examples
    --------
    >>> import backkit
    >>> ax = backkit.draw_pose("bridge", "end")
    >>> sum((p.get_gid() or "").startswith("segment:") for p in ax.patches)
    13
    """
    ex, ps = exercise_poses(exercise_id)
    p = pick_pose(ex, ps, pose)
    bounds = frame_bounds(ps)
    if ax is None:
        import matplotlib.pyplot as plt

        x0, x1, y0, y1 = bounds
        fig = plt.figure(figsize=((x1 - x0) * SCALE, (y1 - y0) * SCALE))
        ax = fig.add_axes((0, 0, 1, 1))
    setup_axes(ax, bounds, mat=on_mat(ex), floor=floor)
    draw_body(ax, key_frame(p, ps.anchor)["points"], moving=ps.moving if highlight else ())
    return ax


@functools.lru_cache(maxsize=64)
def _pose_png(ex: Exercise, pose: str, size: int) -> bytes:
    import io

    # A figure of its own, off pyplot, so nothing shows up in the notebook.
    from matplotlib.figure import Figure

    x0, x1, y0, y1 = frame_bounds(exercise_poses(ex)[1])
    w, h = x1 - x0, y1 - y0
    dpi = size / max(w, h)
    fig = Figure(figsize=(w, h), dpi=dpi)
    draw_pose(ex, pose, ax=fig.add_axes((0, 0, 1, 1)))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def pose_png(exercise_id: str | Exercise, pose: str = "start", *, size: int = 240) -> bytes:
    r"""One key pose as PNG bytes, ``size`` pixels on its longer side (cached).

    For widgets such as the session timer: show the phase's pose with
    ``ipywidgets.Image(value=pose_png(ex_id, phase_pose(ex_id, kind)))``.

    Raises
    ------
    BackkitError
        For a size outside 32-2000 pixels or a pose the exercise does not have.

    Examples
    --------
    >>> from backkit.poses import pose_png
    >>> pose_png("bridge", "end", size=160)[:4]
    b'\x89PNG'
    """
    ex, ps = exercise_poses(exercise_id)
    pick_pose(ex, ps, pose)
    if not isinstance(size, int) or not 32 <= size <= 2000:
        raise BackkitError(
            _("size={value} must be a whole number of pixels, 32 to 2000").format(value=repr(size)),
            where="pose_png",
        )
    return _pose_png(ex, pose, size)
