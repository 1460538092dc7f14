"""Where the movement arrow goes: the path of the traced point, set beside the body.

Pure geometry (no drawing): :func:`movement_arrow` follows the pose set's
``trace`` point through the key poses and shifts that path sideways until it
clears the end pose, so the arrow never hides the body.

Examples
--------
>>> import backkit
>>> from backkit.poses.arrow import movement_arrow
>>> path, label, seconds = movement_arrow(backkit.get_exercise("bridge").poses, 1.0)
>>> path[-1][1] > path[0][1], seconds  # the hips go up, in two seconds
(True, 2.0)
"""

from __future__ import annotations

import functools
import math
from itertools import pairwise

from .kinematics import (
    BODY,
    HALF_WIDTH,
    SIDES,
    Point,
    along,
    blend,
    direction,
    key_frame,
    unit_vector,
)
from .model import PoseSet

__all__ = ["movement_arrow"]


def _trace_path(ps: PoseSet, steps: int = 16) -> tuple[list[Point], float]:
    """Path of the traced point through the key poses, and the seconds it moves for."""
    trace = ps.trace
    assert trace is not None
    path = [key_frame(ps.poses[0], ps.anchor)["points"][trace]]
    seconds = 0.0
    for a, b in pairwise(ps.poses):
        leg = [blend(a, b, i / steps, ps.anchor)["points"][trace] for i in range(1, steps + 1)]
        if math.dist(path[-1], leg[-1]) > 0.03:
            seconds += b.seconds
            for q in leg:  # skip repeats: they have no direction to draw along
                if math.dist(q, path[-1]) > 1e-3:
                    path.append(q)
    return path, seconds


def _rods(points: dict[str, Point]) -> list[tuple[Point, Point, float]]:
    """The body as rods (end, end, radius), for distances."""
    rods = [
        (points["hip"], points["shoulder"], HALF_WIDTH["trunk"]),
        (points["shoulder"], points["head"], BODY["head_radius"] * 0.6),
        (points["head"], points["head"], BODY["head_radius"]),
    ]
    for s in SIDES:
        rods += [
            (points["hip"], points[f"{s}_knee"], HALF_WIDTH["thigh"]),
            (points[f"{s}_knee"], points[f"{s}_ankle"], HALF_WIDTH["shank"]),
            (points[f"{s}_heel"], points[f"{s}_toes"], 0.03),
            (points["shoulder"], points[f"{s}_elbow"], HALF_WIDTH["upper_arm"]),
            (points[f"{s}_elbow"], points[f"{s}_hand"], HALF_WIDTH["forearm"]),
        ]
    return rods


def _distance_to_rod(q: Point, a: Point, b: Point) -> float:
    ab = (b[0] - a[0], b[1] - a[1])
    length2 = ab[0] ** 2 + ab[1] ** 2
    t = 0.0 if length2 == 0 else ((q[0] - a[0]) * ab[0] + (q[1] - a[1]) * ab[1]) / length2
    t = min(max(t, 0.0), 1.0)
    return math.dist(q, (a[0] + t * ab[0], a[1] + t * ab[1]))


def _clearance(path: list[Point], bodies: list[dict[str, Point]]) -> float:
    """Smallest gap (metres) between the path and the bodies or the floor."""
    rods = [rod for pts in bodies for rod in _rods(pts)]
    floor = min(y for _, y in path) - 0.03
    return min(floor, *(_distance_to_rod(q, a, b) - r for q in path for a, b, r in rods))


def _resample(path: list[Point], step: float = 0.025) -> list[Point]:
    """Points every ``step`` metres along ``path`` (eased moves bunch up at the poses)."""
    out = [path[0]]
    carry = 0.0
    for a, b in pairwise(path):
        seg = math.dist(a, b)
        while carry + seg >= step:
            t = (step - carry) / seg
            a = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
            seg = math.dist(a, b)
            out.append(a)
            carry = 0.0
        carry += seg
    if math.dist(out[-1], path[-1]) > 1e-6:
        out.append(path[-1])
    return out


def _offset(path: list[Point], dist: float, sign: int) -> list[Point] | None:
    """``path`` moved sideways by ``dist``; None where that folds it (inside a tight turn)."""
    out = []
    for i, q in enumerate(path):
        a, b = path[max(i - 2, 0)], path[min(i + 2, len(path) - 1)]
        nx, ny = unit_vector(direction(a, b) + 90 * sign)
        out.append((q[0] + dist * nx, q[1] + dist * ny))
    for (p0, p1), (q0, q1) in zip(pairwise(path), pairwise(out), strict=True):
        if (p1[0] - p0[0]) * (q1[0] - q0[0]) + (p1[1] - p0[1]) * (q1[1] - q0[1]) <= 0:
            return None
    return out


@functools.lru_cache(maxsize=32)
def movement_arrow(ps: PoseSet, seconds_scale: float) -> tuple[list[Point], Point, float] | None:
    """The arrow's path beside the moving point, where its label goes, and its seconds.

    ``seconds_scale`` turns the poses' seconds into real ones (see
    :func:`backkit.poses.lookup.seconds_scale`). None when the pose set traces
    no point, or the point hardly moves.
    """
    if ps.trace is None:
        return None
    path, seconds = _trace_path(ps)
    if math.dist(path[0], path[-1]) < 0.08:
        return None
    path = _resample(path)
    # The end pose must stay clear; the faint start pose may be crossed.
    bodies = [key_frame(ps.poses[-1], ps.anchor)["points"]]
    chord = direction(path[0], path[-1])
    length = math.dist(path[0], path[-1])
    tries: list[tuple[list[Point] | None, int]] = [
        (_offset(path, 0.13, 1), 1),
        (_offset(path, 0.13, -1), -1),
        (_offset(path, 0.19, 1), 1),
        (_offset(path, 0.19, -1), -1),
    ]
    travelled = sum(math.dist(a, b) for a, b in pairwise(path))
    if length < 0.3 and travelled < 1.15 * length:
        # A short, straight push (hips forward, hips up): a straight arrow just
        # ahead of the moving part, long enough to read, is clearest.
        start = along(path[-1], HALF_WIDTH["trunk"] + 0.06, chord)
        straight = [along(start, max(length, 0.22) * i / 8, chord) for i in range(9)]
        tries.insert(2, (straight, 1))
    candidates = [(_clearance(c, bodies), c, sign) for c, sign in tries if c is not None]
    roomy = [c for c in candidates if c[0] >= 0.015]
    if not candidates:  # every offset folds: draw on the path itself
        candidates = [(0.0, path, 1)]
    _, shifted, sign = roomy[0] if roomy else max(candidates, key=lambda c: c[0])
    mid = len(shifted) // 2
    a, b = shifted[max(mid - 2, 0)], shifted[min(mid + 2, len(shifted) - 1)]
    label = along(shifted[mid], 0.1, direction(a, b) + 90 * sign)
    return shifted, label, seconds * seconds_scale
