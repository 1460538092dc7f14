"""The body model and its geometry: segment lengths, joint positions from angles, the floor.

Side view, ``x`` forward (to the right), ``y`` up, the floor at ``y = 0``,
lengths in metres for an adult 1.75 m tall (see :mod:`backkit.poses` for the
body model and the angle conventions). Nothing here knows the catalogue: a
pose goes in, joint positions come out.

Examples
--------
>>> from backkit.poses.kinematics import BODY, along
>>> BODY["thigh"]
0.429
>>> along((0.0, 0.0), 2.0, 0)  # two metres forward
(2.0, 0.0)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Pose

__all__ = [
    "BODY",
    "HALF_WIDTH",
    "LIMB_JOINTS",
    "SIDES",
    "Point",
    "along",
    "blend",
    "direction",
    "key_frame",
    "lowest_points",
    "surface",
    "unit_vector",
    "wrap_angle",
]

_H = 1.75  # body height the model is drawn for, metres

#: Segment lengths (metres) of the body model.
BODY: dict[str, float] = {
    "trunk": round(0.288 * _H, 3),  # hip joint to shoulder joint
    "neck": 0.10,  # shoulder line to the bottom of the head
    "head_radius": 0.105,
    "upper_arm": round(0.186 * _H, 3),
    "forearm": 0.32,  # elbow to the middle of the hand, where it grips
    "thigh": round(0.245 * _H, 3),
    "shank": round(0.246 * _H, 3),  # knee to ankle joint
    "ankle_height": round(0.039 * _H, 3),  # ankle joint above the sole
    "heel": 0.05,  # back of the heel behind the ankle
    "toes": 0.20,  # tip of the toes in front of the ankle
}

#: Half the drawn width of each segment (metres). The trunk's half-width is
#: how far the hip and shoulder joints sit above the floor when lying down.
HALF_WIDTH: dict[str, float] = {
    "trunk": 0.1,
    "neck": 0.04,
    "upper_arm": 0.038,
    "forearm": 0.03,
    "thigh": 0.06,
    "shank": 0.045,
}

#: The joints of one side's leg and arm, each an angle in degrees.
LIMB_JOINTS = ("hip", "knee", "ankle", "shoulder", "elbow")
#: The near limbs (nearer the viewer, drawn in front) and the far ones.
SIDES = ("near", "far")

Point = tuple[float, float]


def unit_vector(deg: float) -> Point:
    """The unit vector at ``deg`` degrees anticlockwise from ``+x``."""
    rad = math.radians(deg)
    return (math.cos(rad), math.sin(rad))


def along(p: Point, length: float, deg: float) -> Point:
    """The point ``length`` metres from ``p`` in the direction ``deg``."""
    ux, uy = unit_vector(deg)
    return (p[0] + length * ux, p[1] + length * uy)


def wrap_angle(deg: float) -> float:
    """The same angle in (-180, 180]."""
    deg = math.fmod(deg, 360.0)
    if deg > 180:
        deg -= 360
    elif deg <= -180:
        deg += 360
    return deg


def direction(a: Point, b: Point) -> float:
    """Direction (degrees) from ``a`` to ``b``."""
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def _solve_arm(
    shoulder: Point, trunk: float, target: Point, out: bool
) -> tuple[float, float, float]:
    """Shoulder and elbow flexion that put the hand on ``target`` (two-link IK).

    Returns ``(shoulder, elbow, shortfall)``; ``shortfall`` > 0 means the hand
    cannot reach the target by that many metres. With ``out`` the elbow
    points outwards and, seen from the side, bends the other way: its angle
    is then returned negative.
    """
    l1, l2 = BODY["upper_arm"], BODY["forearm"]
    d = math.dist(shoulder, target)
    aim = direction(shoulder, target)
    shortfall = max(0.0, d - (l1 + l2), abs(l1 - l2) - d)
    d = min(max(d, abs(l1 - l2) + 1e-9), l1 + l2 - 1e-9)
    inner = math.degrees(math.acos((l1 * l1 + l2 * l2 - d * d) / (2 * l1 * l2)))
    at_shoulder = math.degrees(math.acos((l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)))
    # In the plane the elbow flexes anteriorly (anticlockwise in this frame),
    # so the upper arm sits clockwise of the shoulder-to-hand line.
    if out:
        return wrap_angle(aim + at_shoulder - trunk - 180), -(180 - inner), shortfall
    return wrap_angle(aim - at_shoulder - trunk - 180), 180 - inner, shortfall


@dataclass(frozen=True)
class _Angles:
    """A pose with every joint angle as a number (arms may still reach)."""

    trunk: float
    neck: float
    near: dict[str, float]
    far: dict[str, float]
    reach: dict[str, tuple[str, float, bool] | None]


def _leg(points: dict[str, Point], side: str, trunk: float, a: dict[str, float]) -> None:
    thigh = trunk + 180 + a["hip"]
    knee = along(points["hip"], BODY["thigh"], thigh)
    shank = thigh - a["knee"]
    ankle = along(knee, BODY["shank"], shank)
    foot = shank + 90 + a["ankle"]
    base = along(ankle, BODY["ankle_height"], foot - 90)  # the sole under the ankle
    points[f"{side}_knee"] = knee
    points[f"{side}_ankle"] = ankle
    points[f"{side}_heel"] = along(base, -BODY["heel"], foot)
    points[f"{side}_toes"] = along(base, BODY["toes"], foot)


def _arm(points: dict[str, Point], side: str, trunk: float, a: dict[str, float]) -> None:
    upper = trunk + 180 + a["shoulder"]
    elbow = along(points["shoulder"], BODY["upper_arm"], upper)
    points[f"{side}_elbow"] = elbow
    points[f"{side}_hand"] = along(elbow, BODY["forearm"], upper + a["elbow"])


def _reach_target(points: dict[str, Point], segment: str, fraction: float) -> Point:
    side, part = segment.split("_")
    pa = points["hip"] if part == "thigh" else points[f"{side}_knee"]
    pb = points[f"{side}_knee"] if part == "thigh" else points[f"{side}_ankle"]
    return (pa[0] + fraction * (pb[0] - pa[0]), pa[1] + fraction * (pb[1] - pa[1]))


def _kinematics(angles: _Angles) -> tuple[dict[str, Point], dict[str, float], dict[str, float]]:
    """Joint positions with the hip at the origin, the arm angles and reach shortfalls."""
    points: dict[str, Point] = {"hip": (0.0, 0.0)}
    points["shoulder"] = along(points["hip"], BODY["trunk"], angles.trunk)
    head_dir = angles.trunk - angles.neck
    points["neck"] = along(points["shoulder"], BODY["neck"], head_dir)
    points["head"] = along(points["shoulder"], BODY["neck"] + BODY["head_radius"], head_dir)
    arms: dict[str, float] = {}
    shortfall: dict[str, float] = {}
    for side in SIDES:
        _leg(points, side, angles.trunk, getattr(angles, side))
    for side in SIDES:
        a = dict(getattr(angles, side))
        reach = angles.reach.get(side)
        if reach is not None:
            target = _reach_target(points, reach[0], reach[1])
            a["shoulder"], a["elbow"], shortfall[side] = _solve_arm(
                points["shoulder"], angles.trunk, target, reach[2]
            )
        arms[f"{side}_shoulder"], arms[f"{side}_elbow"] = a["shoulder"], a["elbow"]
        _arm(points, side, angles.trunk, a)
    return points, arms, shortfall


def surface(points: dict[str, Point], contact: str) -> list[tuple[str, float]]:
    """Height above the floor of the body surface that makes ``contact``.

    Examples
    --------
    >>> from backkit.poses.kinematics import surface
    >>> surface({"hip": (0.0, 0.1)}, "pelvis")
    [('pelvis', 0.0)]
    """
    if contact == "pelvis":
        return [("pelvis", points["hip"][1] - HALF_WIDTH["trunk"])]
    if contact == "shoulders":
        return [("shoulders", points["shoulder"][1] - HALF_WIDTH["trunk"])]
    if contact == "head":
        return [("head", points["head"][1] - BODY["head_radius"])]
    side, part = contact.split("_")
    if part == "foot":
        return [(f"{side}_{end}", points[f"{side}_{end}"][1]) for end in ("heel", "toes")]
    if part in ("heel", "toes"):
        return [(contact, points[contact][1])]
    width = {"knee": "shank", "hand": "forearm", "elbow": "upper_arm"}[part]
    return [(contact, points[contact][1] - HALF_WIDTH[width])]


def lowest_points(points: dict[str, Point]) -> list[tuple[str, float]]:
    """The lowest surface height of every drawn part."""
    out = [
        ("pelvis", points["hip"][1] - HALF_WIDTH["trunk"]),
        ("shoulders", points["shoulder"][1] - HALF_WIDTH["trunk"]),
        ("head", points["head"][1] - BODY["head_radius"]),
    ]
    for side in SIDES:
        out += [
            (f"{side}_knee", points[f"{side}_knee"][1] - HALF_WIDTH["thigh"]),
            (f"{side}_ankle", points[f"{side}_ankle"][1] - HALF_WIDTH["shank"]),
            (f"{side}_heel", points[f"{side}_heel"][1]),
            (f"{side}_toes", points[f"{side}_toes"][1]),
            (f"{side}_elbow", points[f"{side}_elbow"][1] - HALF_WIDTH["upper_arm"]),
            (f"{side}_hand", points[f"{side}_hand"][1] - HALF_WIDTH["forearm"]),
        ]
    return out


def _place(points: dict[str, Point], contacts: tuple[str, ...], anchor: str) -> dict[str, Point]:
    """Rest the body on the floor by its lowest contact, ``anchor`` at x = 0."""
    heights = [h for c in contacts for _, h in surface(points, c)]
    dy = -min(heights) if heights else -min(h for _, h in lowest_points(points))
    dx = -points[anchor][0]
    return {k: (x + dx, y + dy) for k, (x, y) in points.items()}


def _resolve(pose: Pose) -> _Angles:
    def side(raw: dict[str, Any]) -> dict[str, float]:
        return {j: float(raw.get(j, 0.0)) for j in LIMB_JOINTS}

    reach = {"near": pose.near.get("reach"), "far": pose.far.get("reach")}
    return _Angles(pose.trunk, pose.neck, side(pose.near), side(pose.far), reach)


def _frame(angles: _Angles, contacts: tuple[str, ...], anchor: str) -> dict[str, Any]:
    """Positions (on the floor) and all angles of one body configuration."""
    points, arms, shortfall = _kinematics(angles)
    joints = {
        "trunk": angles.trunk,
        "neck": angles.neck,
        **{f"{s}_{j}": getattr(angles, s)[j] for s in SIDES for j in ("hip", "knee", "ankle")},
        **arms,
    }
    return {"points": _place(points, contacts, anchor), "angles": joints, "shortfall": shortfall}


@functools.lru_cache(maxsize=256)
def key_frame(pose: Pose, anchor: str) -> dict[str, Any]:
    """The body of one key pose, resting on the floor, ``anchor`` at x = 0 (cached).

    Returns a dict: ``points`` (joint positions), ``angles`` (every joint
    angle, arm angles solved where a hand reaches) and ``shortfall`` (metres
    a reaching hand falls short, per side).
    """
    return _frame(_resolve(pose), pose.contacts, anchor)


def _atoms(contacts: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for c in contacts:
        if c.endswith("_foot"):
            side = c.split("_")[0]
            out |= {f"{side}_heel", f"{side}_toes"}
        else:
            out.add(c)
    return out


def _ease(t: float) -> float:
    """Slow in, slow out: how a controlled movement starts and stops."""
    return 0.5 - 0.5 * math.cos(math.pi * min(max(t, 0.0), 1.0))


def blend(a: Pose, b: Pose, t: float, anchor: str) -> dict[str, Any]:
    """The body a fraction ``t`` of the way from pose ``a`` to pose ``b`` (eased).

    Returns the same dict as :func:`key_frame`.
    """
    ang_a = key_frame(a, anchor)["angles"]
    ang_b = key_frame(b, anchor)["angles"]
    s = _ease(t)

    def mix(key: str) -> float:
        # the short way round, so 350 -> 10 degrees turns 20, not 340
        return ang_a[key] + wrap_angle(ang_b[key] - ang_a[key]) * s

    reach: dict[str, tuple[str, float, bool] | None] = {}
    for side in SIDES:
        ra, rb = getattr(a, side).get("reach"), getattr(b, side).get("reach")
        # Hands that hold the same leg in both poses keep holding it.
        same = ra and rb and ra[0] == rb[0] and ra[2] == rb[2]
        reach[side] = (ra[0], ra[1] + (rb[1] - ra[1]) * s, ra[2]) if same else None
    angles = _Angles(
        mix("trunk"),
        mix("neck"),
        {j: mix(f"near_{j}") for j in LIMB_JOINTS},
        {j: mix(f"far_{j}") for j in LIMB_JOINTS},
        reach,
    )
    common = _atoms(a.contacts) & _atoms(b.contacts)
    contacts = common or _atoms(a.contacts if s < 0.5 else b.contacts)
    return _frame(angles, tuple(sorted(contacts)), anchor)
