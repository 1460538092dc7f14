"""Stick-figure illustrations of the exercises, drawn from pose data.

Each exercise in ``backkit/data/exercises.yaml`` carries a ``poses:`` mapping:
key poses (``start``, any middle poses, ``end``) given as joint angles of a
2-D side-view body model. This module validates them (human joint ranges,
body on or above the floor, declared floor contacts), turns angles into joint
positions (forward kinematics), and draws one pose (:func:`draw_pose`), a
start-and-end figure (:func:`show_exercise`) or an inline HTML/JS animation
(:func:`animate_exercise`).

The body model
--------------
Side view, ``x`` forward (to the right), ``y`` up, the floor at ``y = 0``,
lengths in metres for an adult 1.75 m tall. Segment lengths follow the
classic proportions of body height H (Drillis and Contini, as tabulated in
Winter, *Biomechanics and Motor Control of Human Movement*): thigh 0.245 H,
shank 0.246 H, upper arm 0.186 H, foot 0.152 H, ankle height 0.039 H, hip to
shoulder 0.288 H.

The person faces ``+x`` when standing; lying on the back (supine) is the same
body turned a quarter-turn anticlockwise, head to the left, face up. Limbs are
``near`` (nearer the viewer, drawn dark and in front) and ``far`` (behind,
drawn light).

Angles, in degrees:

- ``trunk``: absolute direction of the hip-to-shoulder line, anticlockwise
  from ``+x``: 90 standing or sitting tall, 180 lying on the back, less than
  90 leaning forward.
- ``neck``: flexion (chin towards chest) positive.
- per limb: ``hip`` flexion (extension negative), ``knee`` flexion,
  ``ankle`` dorsiflexion (plantarflexion negative; 0 = foot at right angles to
  the shin), ``shoulder`` flexion (extension negative), ``elbow`` flexion;
  or ``reach: [segment, fraction]`` to put the hand on a point of a leg
  (the arm angles are then solved and checked like given ones), with
  ``elbow_out: true`` when the arms wrap round the legs with the elbows
  pointing outwards, so that seen from the side the elbow bends the other way.

Examples
--------
>>> from backkit import poses
>>> start, end = poses.pose_points("squat", "start"), poses.pose_points("squat", "end")
>>> end["hip"][1] < start["hip"][1] - 0.3
True
"""

from __future__ import annotations

import difflib
import functools
import math
import textwrap
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .exercises import CatalogueError, Exercise, get_exercise

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BODY",
    "CONTACTS",
    "JOINT_RANGES",
    "ExerciseAnimation",
    "Pose",
    "PoseSet",
    "animate_exercise",
    "draw_pose",
    "parse_poses",
    "phase_pose",
    "pose_angles",
    "pose_names",
    "pose_png",
    "pose_points",
    "show_exercise",
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

# Half the drawn width of each segment (metres). The trunk's half-width is how
# far the hip and shoulder joints sit above the floor when lying down.
_HALF_WIDTH: dict[str, float] = {
    "trunk": 0.1,
    "neck": 0.04,
    "upper_arm": 0.038,
    "forearm": 0.03,
    "thigh": 0.06,
    "shank": 0.045,
}

#: Allowed range of each joint angle in degrees, (low, high), flexion positive:
#: usual adult ranges of motion (AAOS goniometry norms), rounded outwards; the
#: ankle allows the dorsiflexion of a loaded, bent knee (squat, lunge).
JOINT_RANGES: dict[str, tuple[float, float]] = {
    "hip": (-30, 140),
    "knee": (0, 150),
    "ankle": (-50, 35),
    "shoulder": (-60, 180),
    "elbow": (0, 150),
    "neck": (-60, 50),
}
_LIMB_JOINTS = ("hip", "knee", "ankle", "shoulder", "elbow")
_SIDES = ("near", "far")

#: Contact names a pose may declare, and what must touch the floor for each.
CONTACTS: dict[str, str] = {
    "pelvis": "the buttocks, under the hip joint",
    "shoulders": "the upper back, under the shoulder joint",
    "head": "the back of the head",
    **{
        f"{side}_{part}": text.format(side=side)
        for side in _SIDES
        for part, text in (
            ("foot", "the {side} foot flat, heel and toes"),
            ("heel", "the {side} heel"),
            ("toes", "the {side} toes (ball of the foot)"),
            ("knee", "the {side} knee"),
            ("hand", "the {side} hand"),
            ("elbow", "the {side} elbow"),
        )
    },
}

_FLOOR_TOLERANCE = 0.03  # metres a contact may float or sink
_REACH_SEGMENTS = tuple(f"{s}_{seg}" for s in _SIDES for seg in ("thigh", "shank"))
_DEFAULT_MOVE_SECONDS = 2.0
_RESERVED = ("anchor", "moving", "trace")
_POSE_KEYS = ("label", "trunk", "neck", "near", "far", "contacts", "seconds")
_POSITION_TRUNK = {  # plausible trunk angle of the start pose for each position
    "supine": (150, 210),
    "prone": (-30, 30),
    "sitting": (45, 120),
    "standing": (60, 120),
    "half-kneeling": (60, 120),
}

Point = tuple[float, float]


# ---------------------------------------------------------------- data model


@dataclass(frozen=True, eq=False)  # hashed by identity: cached frames key on it
class Pose:
    """One key pose: joint angles in degrees, floor contacts and timing.

    ``near`` and ``far`` map joint names (``hip``, ``knee``, ``ankle``,
    ``shoulder``, ``elbow``) to angles; an arm may instead carry
    ``reach=(segment, fraction, elbow_out)``. ``seconds`` is the time to move
    into this pose from the previous one.
    """

    name: str
    trunk: float
    neck: float
    near: dict[str, Any]
    far: dict[str, Any]
    contacts: tuple[str, ...]
    seconds: float
    label: str = ""


@dataclass(frozen=True, eq=False)
class PoseSet:
    """The key poses of one exercise, in order, and how to draw them.

    ``anchor`` is the point kept still from pose to pose (at x = 0),
    ``moving`` the segments drawn in the highlight colour, ``trace`` the
    point whose path is drawn as the movement arrow.
    """

    poses: tuple[Pose, ...]
    anchor: str = "hip"
    moving: tuple[str, ...] = ()
    trace: str | None = None

    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.poses)

    def get(self, name: str) -> Pose:
        for p in self.poses:
            if p.name == name:
                return p
        raise KeyError(name)


# ---------------------------------------------------------------- kinematics


def _unit(deg: float) -> Point:
    rad = math.radians(deg)
    return (math.cos(rad), math.sin(rad))


def _add(p: Point, length: float, deg: float) -> Point:
    ux, uy = _unit(deg)
    return (p[0] + length * ux, p[1] + length * uy)


def _wrap(deg: float) -> float:
    """The same angle in (-180, 180]."""
    deg = math.fmod(deg, 360.0)
    if deg > 180:
        deg -= 360
    elif deg <= -180:
        deg += 360
    return deg


def _direction(a: Point, b: Point) -> float:
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
    aim = _direction(shoulder, target)
    shortfall = max(0.0, d - (l1 + l2), abs(l1 - l2) - d)
    d = min(max(d, abs(l1 - l2) + 1e-9), l1 + l2 - 1e-9)
    inner = math.degrees(math.acos((l1 * l1 + l2 * l2 - d * d) / (2 * l1 * l2)))
    at_shoulder = math.degrees(math.acos((l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)))
    # In the plane the elbow flexes anteriorly (anticlockwise in this frame),
    # so the upper arm sits clockwise of the shoulder-to-hand line.
    if out:
        return _wrap(aim + at_shoulder - trunk - 180), -(180 - inner), shortfall
    return _wrap(aim - at_shoulder - trunk - 180), 180 - inner, shortfall


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
    knee = _add(points["hip"], BODY["thigh"], thigh)
    shank = thigh - a["knee"]
    ankle = _add(knee, BODY["shank"], shank)
    foot = shank + 90 + a["ankle"]
    base = _add(ankle, BODY["ankle_height"], foot - 90)  # the sole under the ankle
    points[f"{side}_knee"] = knee
    points[f"{side}_ankle"] = ankle
    points[f"{side}_heel"] = _add(base, -BODY["heel"], foot)
    points[f"{side}_toes"] = _add(base, BODY["toes"], foot)


def _arm(points: dict[str, Point], side: str, trunk: float, a: dict[str, float]) -> None:
    upper = trunk + 180 + a["shoulder"]
    elbow = _add(points["shoulder"], BODY["upper_arm"], upper)
    points[f"{side}_elbow"] = elbow
    points[f"{side}_hand"] = _add(elbow, BODY["forearm"], upper + a["elbow"])


def _reach_target(points: dict[str, Point], segment: str, fraction: float) -> Point:
    side, part = segment.split("_")
    pa = points["hip"] if part == "thigh" else points[f"{side}_knee"]
    pb = points[f"{side}_knee"] if part == "thigh" else points[f"{side}_ankle"]
    return (pa[0] + fraction * (pb[0] - pa[0]), pa[1] + fraction * (pb[1] - pa[1]))


def _kinematics(angles: _Angles) -> tuple[dict[str, Point], dict[str, float], dict[str, float]]:
    """Joint positions with the hip at the origin, the arm angles and reach shortfalls."""
    points: dict[str, Point] = {"hip": (0.0, 0.0)}
    points["shoulder"] = _add(points["hip"], BODY["trunk"], angles.trunk)
    head_dir = angles.trunk - angles.neck
    points["neck"] = _add(points["shoulder"], BODY["neck"], head_dir)
    points["head"] = _add(points["shoulder"], BODY["neck"] + BODY["head_radius"], head_dir)
    arms: dict[str, float] = {}
    shortfall: dict[str, float] = {}
    for side in _SIDES:
        _leg(points, side, angles.trunk, getattr(angles, side))
    for side in _SIDES:
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


def _surface(points: dict[str, Point], contact: str) -> list[tuple[str, float]]:
    """Height above the floor of the body surface that makes ``contact``."""
    if contact == "pelvis":
        return [("pelvis", points["hip"][1] - _HALF_WIDTH["trunk"])]
    if contact == "shoulders":
        return [("shoulders", points["shoulder"][1] - _HALF_WIDTH["trunk"])]
    if contact == "head":
        return [("head", points["head"][1] - BODY["head_radius"])]
    side, part = contact.split("_")
    if part == "foot":
        return [(f"{side}_{end}", points[f"{side}_{end}"][1]) for end in ("heel", "toes")]
    if part in ("heel", "toes"):
        return [(contact, points[contact][1])]
    width = {"knee": "shank", "hand": "forearm", "elbow": "upper_arm"}[part]
    return [(contact, points[contact][1] - _HALF_WIDTH[width])]


def _lowest_points(points: dict[str, Point]) -> list[tuple[str, float]]:
    """The lowest surface height of every drawn part."""
    out = [
        ("pelvis", points["hip"][1] - _HALF_WIDTH["trunk"]),
        ("shoulders", points["shoulder"][1] - _HALF_WIDTH["trunk"]),
        ("head", points["head"][1] - BODY["head_radius"]),
    ]
    for side in _SIDES:
        out += [
            (f"{side}_knee", points[f"{side}_knee"][1] - _HALF_WIDTH["thigh"]),
            (f"{side}_ankle", points[f"{side}_ankle"][1] - _HALF_WIDTH["shank"]),
            (f"{side}_heel", points[f"{side}_heel"][1]),
            (f"{side}_toes", points[f"{side}_toes"][1]),
            (f"{side}_elbow", points[f"{side}_elbow"][1] - _HALF_WIDTH["upper_arm"]),
            (f"{side}_hand", points[f"{side}_hand"][1] - _HALF_WIDTH["forearm"]),
        ]
    return out


def _place(points: dict[str, Point], contacts: tuple[str, ...], anchor: str) -> dict[str, Point]:
    """Rest the body on the floor by its lowest contact, ``anchor`` at x = 0."""
    heights = [h for c in contacts for _, h in _surface(points, c)]
    dy = -min(heights) if heights else -min(h for _, h in _lowest_points(points))
    dx = -points[anchor][0]
    return {k: (x + dx, y + dy) for k, (x, y) in points.items()}


def _resolve(pose: Pose) -> _Angles:
    def side(raw: dict[str, Any]) -> dict[str, float]:
        return {j: float(raw.get(j, 0.0)) for j in _LIMB_JOINTS}

    reach = {"near": pose.near.get("reach"), "far": pose.far.get("reach")}
    return _Angles(pose.trunk, pose.neck, side(pose.near), side(pose.far), reach)


def _frame(angles: _Angles, contacts: tuple[str, ...], anchor: str) -> dict[str, Any]:
    """Positions (on the floor) and all angles of one body configuration."""
    points, arms, shortfall = _kinematics(angles)
    joints = {
        "trunk": angles.trunk,
        "neck": angles.neck,
        **{f"{s}_{j}": getattr(angles, s)[j] for s in _SIDES for j in ("hip", "knee", "ankle")},
        **arms,
    }
    return {"points": _place(points, contacts, anchor), "angles": joints, "shortfall": shortfall}


@functools.lru_cache(maxsize=256)
def _key_frame(pose: Pose, anchor: str) -> dict[str, Any]:
    return _frame(_resolve(pose), pose.contacts, anchor)


# ---------------------------------------------------------------- validation


class _PoseError:
    """Builds errors that name the file, the exercise and the pose."""

    def __init__(self, where: str, label: str) -> None:
        self.where, self.label = where, label

    def __call__(self, pose: str | None, message: str) -> CatalogueError:
        at = f", pose {pose!r}" if pose else ""
        return CatalogueError(f"{self.where}: exercise {self.label}, field 'poses'{at}: {message}")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _unknown(value: Any, valid: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(str(value), list(valid), n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"unknown name {value!r}.{hint} Valid: {', '.join(valid)}"


def _check_range(fail: _PoseError, pose: str, joint: str, value: float, kind: str) -> None:
    lo, hi = JOINT_RANGES[kind]
    if not lo - 1e-6 <= value <= hi + 1e-6:
        raise fail(
            pose,
            f"joint {joint!r}: {value:.4g} degrees is outside the human range of the {kind}, "
            f"{lo:g} to {hi:g} degrees (flexion positive)",
        )


def _parse_limb(fail: _PoseError, pose: str, side: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise fail(pose, f"{side!r} must map joint names to angles in degrees, got {raw!r}")
    elbow_out = raw.get("elbow_out", False)
    if not isinstance(elbow_out, bool) or (elbow_out and "reach" not in raw):
        raise fail(
            pose, f"joint '{side}_elbow_out': {elbow_out!r} must be true or false, with reach"
        )
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "elbow_out":
            continue
        if key == "reach":
            ok = (
                isinstance(value, list)
                and len(value) == 2
                and value[0] in _REACH_SEGMENTS
                and _number(value[1])
                and 0 <= value[1] <= 1
            )
            if not ok:
                raise fail(
                    pose,
                    f"joint '{side}_reach': {value!r} must be [segment, fraction 0-1] with "
                    f"segment one of {', '.join(_REACH_SEGMENTS)}",
                )
            if "shoulder" in raw or "elbow" in raw:
                raise fail(pose, f"{side!r} gives both reach and shoulder/elbow angles; give one")
            out["reach"] = (value[0], float(value[1]), elbow_out)
            continue
        if key not in _LIMB_JOINTS:
            raise fail(pose, f"{side!r}: {_unknown(key, (*_LIMB_JOINTS, 'reach', 'elbow_out'))}")
        if not _number(value):
            raise fail(pose, f"joint '{side}_{key}': {value!r} must be a number of degrees")
        _check_range(fail, pose, f"{side}_{key}", float(value), key)
        out[key] = float(value)
    return out


def _parse_pose(fail: _PoseError, name: str, raw: Any, first: bool) -> Pose:
    if not isinstance(raw, dict):
        raise fail(name, f"must be a mapping of trunk, neck, near, far, contacts; got {raw!r}")
    for key in raw:
        if key not in _POSE_KEYS:
            raise fail(name, _unknown(key, _POSE_KEYS))
    if "trunk" not in raw:
        raise fail(name, "missing 'trunk' (the hip-to-shoulder angle: 90 upright, 180 supine)")
    trunk = raw["trunk"]
    if not _number(trunk) or not -360 <= trunk <= 360:
        raise fail(name, f"joint 'trunk': {trunk!r} must be an angle in degrees, -360 to 360")
    neck = raw.get("neck", 0)
    if not _number(neck):
        raise fail(name, f"joint 'neck': {neck!r} must be a number of degrees")
    _check_range(fail, name, "neck", float(neck), "neck")
    if "near" not in raw:
        raise fail(name, "missing 'near' (the angles of the near limbs)")
    near = _parse_limb(fail, name, "near", raw["near"])
    # The far limbs copy the near ones unless the pose says otherwise.
    far = _parse_limb(fail, name, "far", raw["far"]) if "far" in raw else dict(near)
    contacts = raw.get("contacts")
    if not isinstance(contacts, list) or not contacts:
        raise fail(
            name,
            f"'contacts' must list what touches the floor, e.g. [pelvis, near_foot]; "
            f"got {contacts!r}",
        )
    for c in contacts:
        if c not in CONTACTS:
            raise fail(name, f"contact: {_unknown(c, list(CONTACTS))}")
    seconds = raw.get("seconds")
    if first and seconds is not None:
        raise fail(name, "'seconds' (the time to move into a pose) does not apply to the first")
    if seconds is None:
        seconds = 0.0 if first else _DEFAULT_MOVE_SECONDS
    if not _number(seconds) or (not first and not 0.2 <= seconds <= 30):
        raise fail(name, f"'seconds': {seconds!r} must be a number of seconds from 0.2 to 30")
    label = raw.get("label", "")
    if not isinstance(label, str):
        raise fail(name, f"'label': {label!r} must be text")
    return Pose(
        name=name,
        trunk=float(trunk),
        neck=float(neck),
        near=near,
        far=far,
        contacts=tuple(contacts),
        seconds=float(seconds),
        label=label.strip(),
    )


_LIMB_SEGMENTS = ("thigh", "shank", "foot", "upper_arm", "forearm")
_SEGMENTS = ("trunk", "neck", "head", *(f"{s}_{p}" for s in _SIDES for p in _LIMB_SEGMENTS))
_GROUPS = {
    **{f"{s}_leg": (f"{s}_thigh", f"{s}_shank", f"{s}_foot") for s in _SIDES},
    **{f"{s}_arm": (f"{s}_upper_arm", f"{s}_forearm") for s in _SIDES},
}
_POINTS = (
    "hip",
    "shoulder",
    "neck",
    "head",
    *(f"{s}_{p}" for s in _SIDES for p in ("knee", "ankle", "heel", "toes", "elbow", "hand")),
)


def _check_pose(fail: _PoseError, pose: Pose, anchor: str) -> None:
    """Reach, arm ranges, contacts and the floor of one parsed pose."""
    frame = _key_frame(pose, anchor)
    for side, short in frame["shortfall"].items():
        if short > _FLOOR_TOLERANCE:
            segment, fraction, _ = getattr(pose, side)["reach"]
            raise fail(
                pose.name,
                f"joint '{side}_reach': the {side} hand cannot reach {segment} at {fraction:g}; "
                f"it is {short:.2f} m short",
            )
    for side in _SIDES:
        _check_range(
            fail, pose.name, f"{side}_shoulder", frame["angles"][f"{side}_shoulder"], "shoulder"
        )
        # A negative elbow angle is an elbow bent outwards (see _solve_arm).
        _check_range(
            fail, pose.name, f"{side}_elbow", abs(frame["angles"][f"{side}_elbow"]), "elbow"
        )
    points = frame["points"]
    for contact in pose.contacts:
        for part, height in _surface(points, contact):
            if abs(height) > _FLOOR_TOLERANCE:
                where = "above" if height > 0 else "below"
                raise fail(
                    pose.name,
                    f"joint {part!r}: contact {contact!r} ({CONTACTS[contact]}) is "
                    f"{abs(height):.2f} m {where} the floor; a contact must touch it "
                    f"(within {_FLOOR_TOLERANCE:g} m)",
                )
    part, low = min(_lowest_points(points), key=lambda item: item[1])
    if low < -_FLOOR_TOLERANCE:
        raise fail(
            pose.name,
            f"joint {part!r}: the body goes {-low:.2f} m below the floor (y = {low:.2f}); "
            f"check the angles or the contacts",
        )


def parse_poses(
    raw: Any, *, where: str = "poses", label: str = "?", position: str | None = None
) -> PoseSet | None:
    """Validate the ``poses:`` mapping of a catalogue entry.

    The catalogue loader calls this for every exercise; ``where`` and
    ``label`` name the file and the exercise in error messages, and
    ``position`` (the exercise's start position) is checked against the
    start pose's trunk angle.

    Returns
    -------
    PoseSet or None
        None when the entry has no poses (it then has no illustration).

    Raises
    ------
    CatalogueError
        Naming the exercise, the pose, the joint and the value: an angle
        outside its human range, a body part below the floor, a declared
        contact that does not touch the floor, a hand that cannot reach.

    Examples
    --------
    >>> from backkit.poses import parse_poses
    >>> raw = {"start": {"trunk": 90, "near": {}, "contacts": ["near_foot"]},
    ...        "end": {"trunk": 90, "near": {"knee": 170}, "contacts": ["near_foot"]}}
    >>> parse_poses(raw, label="'demo'")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backkit.errors.CatalogueError: poses: ... pose 'end': joint 'near_knee': 170 degrees ...
    """
    if raw is None:
        return None
    fail = _PoseError(where, label)
    if not isinstance(raw, dict):
        raise fail(None, f"must be a mapping of pose names to poses, got {raw!r}")
    names = [str(k) for k in raw if k not in _RESERVED]
    if len(names) < 2 or names[0] != "start" or names[-1] != "end":
        raise fail(
            None, f"needs key poses named 'start' first and 'end' last; got {', '.join(names)}"
        )
    poses = tuple(_parse_pose(fail, n, raw[n], i == 0) for i, n in enumerate(names))

    anchor = raw.get("anchor", "hip")
    if anchor not in _POINTS:
        raise fail(None, f"'anchor': {_unknown(anchor, _POINTS)}")
    trace = raw.get("trace")
    if trace is not None and trace not in _POINTS:
        raise fail(None, f"'trace': {_unknown(trace, _POINTS)}")
    moving_raw = raw.get("moving", [])
    if not isinstance(moving_raw, list):
        raise fail(None, f"'moving' must list segments or limbs, got {moving_raw!r}")
    moving: list[str] = []
    for m in moving_raw:
        if m not in _SEGMENTS and m not in _GROUPS:
            raise fail(None, f"'moving': {_unknown(m, (*_SEGMENTS, *_GROUPS))}")
        moving.extend(_GROUPS.get(m, (m,)))

    first = poses[0]
    if position in _POSITION_TRUNK:
        lo, hi = _POSITION_TRUNK[position]
        if not lo <= first.trunk <= hi:
            raise fail(
                first.name,
                f"joint 'trunk': {first.trunk:g} degrees does not fit the start position "
                f"{position!r} (expected {lo} to {hi}; 180 = on the back, 0 = on the "
                f"stomach, 90 = upright)",
            )
    for pose in poses:
        _check_pose(fail, pose, anchor)
    return PoseSet(poses=poses, anchor=anchor, moving=tuple(moving), trace=trace)


# ---------------------------------------------------------------- lookups


def _pose_set(exercise: str | Exercise) -> tuple[Exercise, PoseSet]:
    ex = get_exercise(exercise)
    if not isinstance(ex.poses, PoseSet):
        raise ValueError(
            f"exercise {ex.id!r} has no poses in the catalogue; add a 'poses:' mapping "
            f"to its entry to illustrate it"
        )
    return ex, ex.poses


def _pick(ex: Exercise, ps: PoseSet, pose: str) -> Pose:
    try:
        return ps.get(pose)
    except KeyError:
        raise ValueError(f"exercise {ex.id!r} has no pose: {_unknown(pose, ps.names())}") from None


def pose_names(exercise_id: str | Exercise) -> tuple[str, ...]:
    """Names of the key poses of an exercise, in order (``'start'`` first, ``'end'`` last).

    Examples
    --------
    >>> from backkit.poses import pose_names
    >>> pose_names("double-knee-to-chest")
    ('start', 'one-knee', 'end')
    """
    return _pose_set(exercise_id)[1].names()


def pose_points(exercise_id: str | Exercise, pose: str = "start") -> dict[str, Point]:
    """Joint positions (metres) of one key pose, resting on the floor.

    Keys: ``hip``, ``shoulder``, ``neck``, ``head`` (centre of the head), and
    ``near_`` / ``far_`` + ``knee``, ``ankle``, ``heel``, ``toes``, ``elbow``,
    ``hand``. ``x`` is forward, ``y`` up, the floor is ``y = 0`` and the
    exercise's anchor point is at ``x = 0``.

    Examples
    --------
    >>> from backkit.poses import pose_points
    >>> start, end = pose_points("bridge", "start"), pose_points("bridge", "end")
    >>> end["hip"][1] > start["hip"][1] + 0.15
    True
    """
    ex, ps = _pose_set(exercise_id)
    return dict(_key_frame(_pick(ex, ps, pose), ps.anchor)["points"])


def pose_angles(exercise_id: str | Exercise, pose: str = "start") -> dict[str, float]:
    """Every joint angle (degrees) of one key pose, arm angles solved where a hand reaches.

    Examples
    --------
    >>> from backkit.poses import pose_angles
    >>> pose_angles("squat", "end")["near_knee"]
    118.0
    """
    ex, ps = _pose_set(exercise_id)
    angles = dict(_key_frame(_pick(ex, ps, pose), ps.anchor)["angles"])
    for side in _SIDES:  # elbows bent outwards are stored negative; report the flexion
        angles[f"{side}_elbow"] = abs(angles[f"{side}_elbow"])
    return angles


def phase_pose(exercise_id: str | Exercise, kind: str) -> str:
    """The key pose to show during a timer phase of kind ``kind``.

    The held or paced phase (``'hold'``, ``'move'``) shows the end pose;
    getting ready, rests and side changes show the start pose.

    Examples
    --------
    >>> from backkit.poses import phase_pose
    >>> phase_pose("bridge", "hold"), phase_pose("bridge", "rest")
    ('end', 'start')
    """
    names = pose_names(exercise_id)
    return names[-1] if kind in ("hold", "move") else names[0]


# ---------------------------------------------------------------- in between


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


def _blend(a: Pose, b: Pose, t: float, anchor: str) -> dict[str, Any]:
    """The body a fraction ``t`` of the way from pose ``a`` to pose ``b``."""
    ang_a = _key_frame(a, anchor)["angles"]
    ang_b = _key_frame(b, anchor)["angles"]
    s = _ease(t)

    def mix(key: str) -> float:
        # the short way round, so 350 -> 10 degrees turns 20, not 340
        return ang_a[key] + _wrap(ang_b[key] - ang_a[key]) * s

    reach: dict[str, tuple[str, float, bool] | None] = {}
    for side in _SIDES:
        ra, rb = getattr(a, side).get("reach"), getattr(b, side).get("reach")
        # Hands that hold the same leg in both poses keep holding it.
        same = ra and rb and ra[0] == rb[0] and ra[2] == rb[2]
        reach[side] = (ra[0], ra[1] + (rb[1] - ra[1]) * s, ra[2]) if same else None
    angles = _Angles(
        mix("trunk"),
        mix("neck"),
        {j: mix(f"near_{j}") for j in _LIMB_JOINTS},
        {j: mix(f"far_{j}") for j in _LIMB_JOINTS},
        reach,
    )
    common = _atoms(a.contacts) & _atoms(b.contacts)
    contacts = common or _atoms(a.contacts if s < 0.5 else b.contacts)
    return _frame(angles, tuple(sorted(contacts)), anchor)


# ---------------------------------------------------------------- drawing

# Okabe-Ito vermillion marks the moving part: it stays distinct from the greys
# of the body and from the blue arrow for every common colour-vision
# deficiency, and in greyscale it falls between the dark near limbs and the
# light far limbs.
_COLOURS = {
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
_SCALE = 2.0  # inches of figure per metre of body: every figure draws the body the same size
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
    d = _direction(p, q)
    out = []
    for centre, start in ((q, d - 90), (p, d + 90)):
        for i in range(n + 1):
            ux, uy = _unit(start + 180 * i / n)
            out.append((centre[0] + r * ux, centre[1] + r * uy))
    return out


def _foot(points: dict[str, Point], side: str) -> list[Point]:
    heel, toes = points[f"{side}_heel"], points[f"{side}_toes"]
    u = _direction(heel, toes)
    base = _add(heel, BODY["heel"], u)
    return [_add(_add(base, a, u), b, u + 90) for a, b in _FOOT]


def _segments(points: dict[str, Point]) -> list[tuple[str, str, Any]]:
    """(name, near/far, outline or head centre) of every drawn part, back to front."""

    def leg(side: str) -> list[tuple[str, str, Any]]:
        knee, ankle = points[f"{side}_knee"], points[f"{side}_ankle"]
        return [
            (f"{side}_foot", side, _foot(points, side)),
            (f"{side}_shank", side, _capsule(knee, ankle, _HALF_WIDTH["shank"])),
            (f"{side}_thigh", side, _capsule(points["hip"], knee, _HALF_WIDTH["thigh"])),
        ]

    def arm(side: str) -> list[tuple[str, str, Any]]:
        elbow, hand = points[f"{side}_elbow"], points[f"{side}_hand"]
        tip = _add(hand, 0.05, _direction(elbow, hand))  # the fingers beyond the grip
        return [
            (
                f"{side}_upper_arm",
                side,
                _capsule(points["shoulder"], elbow, _HALF_WIDTH["upper_arm"]),
            ),
            (f"{side}_forearm", side, _capsule(elbow, tip, _HALF_WIDTH["forearm"])),
        ]

    return [
        *arm("far"),
        *leg("far"),
        ("neck", "near", _capsule(points["shoulder"], points["neck"], _HALF_WIDTH["neck"])),
        ("head", "near", points["head"]),
        ("trunk", "near", _capsule(points["hip"], points["shoulder"], _HALF_WIDTH["trunk"])),
        *leg("near"),
        *arm("near"),
    ]


def _draw_body(
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
            colour = _COLOURS["ghost"]
        elif name in moving:
            colour = _COLOURS["moving" if depth == "near" else "moving_far"]
        else:
            colour = _COLOURS[depth]
        z = zorder + i * 0.01
        tag = f"{'ghost' if ghost else 'segment'}:{name}"
        # A thin white edge keeps overlapping parts (arm over trunk) apart.
        style = {"facecolor": colour, "edgecolor": "white", "lw": 0.9, "zorder": z, "gid": tag}
        if name == "head":
            r = BODY["head_radius"]
            face = _direction(points["shoulder"], points["head"]) - 90
            nose = [
                _add(geom, r * 0.8, face + 40),
                _add(geom, r * 1.4, face + 5),
                _add(geom, r * 0.8, face - 25),
            ]
            ax.add_patch(
                Polygon(
                    nose,
                    closed=True,
                    facecolor=colour,
                    edgecolor="none",
                    zorder=z - 0.005,
                    gid=f"{tag.split(':')[0]}-detail:nose",
                )
            )
            patch = Circle(geom, r, **style)
        elif name.endswith("_foot"):
            style.update(edgecolor=colour, lw=1.2, joinstyle="round")
            patch = Polygon(geom, closed=True, **style)
        else:
            patch = Polygon(geom, closed=True, **style)
        ax.add_patch(patch)
        drawn.append(patch)
    return drawn


# ---------------------------------------------------------------- the arrow


def _trace_path(ps: PoseSet, steps: int = 16) -> tuple[list[Point], float]:
    """Path of the traced point through the key poses, and the seconds it moves for."""
    assert ps.trace is not None
    path = [_key_frame(ps.poses[0], ps.anchor)["points"][ps.trace]]
    seconds = 0.0
    for a, b in pairwise(ps.poses):
        leg = [_blend(a, b, i / steps, ps.anchor)["points"][ps.trace] for i in range(1, steps + 1)]
        if math.dist(path[-1], leg[-1]) > 0.03:
            seconds += b.seconds
            for q in leg:  # skip repeats: they have no direction to draw along
                if math.dist(q, path[-1]) > 1e-3:
                    path.append(q)
    return path, seconds


def _rods(points: dict[str, Point]) -> list[tuple[Point, Point, float]]:
    """The body as rods (end, end, radius), for distances."""
    rods = [
        (points["hip"], points["shoulder"], _HALF_WIDTH["trunk"]),
        (points["shoulder"], points["head"], BODY["head_radius"] * 0.6),
        (points["head"], points["head"], BODY["head_radius"]),
    ]
    for s in _SIDES:
        rods += [
            (points["hip"], points[f"{s}_knee"], _HALF_WIDTH["thigh"]),
            (points[f"{s}_knee"], points[f"{s}_ankle"], _HALF_WIDTH["shank"]),
            (points[f"{s}_heel"], points[f"{s}_toes"], 0.03),
            (points["shoulder"], points[f"{s}_elbow"], _HALF_WIDTH["upper_arm"]),
            (points[f"{s}_elbow"], points[f"{s}_hand"], _HALF_WIDTH["forearm"]),
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
        nx, ny = _unit(_direction(a, b) + 90 * sign)
        out.append((q[0] + dist * nx, q[1] + dist * ny))
    for (p0, p1), (q0, q1) in zip(pairwise(path), pairwise(out), strict=True):
        if (p1[0] - p0[0]) * (q1[0] - q0[0]) + (p1[1] - p0[1]) * (q1[1] - q0[1]) <= 0:
            return None
    return out


@functools.lru_cache(maxsize=32)
def _arrow(ps: PoseSet, seconds_scale: float) -> tuple[list[Point], Point, float] | None:
    """The arrow's path beside the moving point, where its label goes, and its seconds."""
    if ps.trace is None:
        return None
    path, seconds = _trace_path(ps)
    if math.dist(path[0], path[-1]) < 0.08:
        return None
    path = _resample(path)
    # The end pose must stay clear; the faint start pose may be crossed.
    bodies = [_key_frame(ps.poses[-1], ps.anchor)["points"]]
    chord = _direction(path[0], path[-1])
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
        start = _add(path[-1], _HALF_WIDTH["trunk"] + 0.06, chord)
        straight = [_add(start, max(length, 0.22) * i / 8, chord) for i in range(9)]
        tries.insert(2, (straight, 1))
    candidates = [(_clearance(c, bodies), c, sign) for c, sign in tries if c is not None]
    roomy = [c for c in candidates if c[0] >= 0.015]
    if not candidates:  # every offset folds: draw on the path itself
        candidates = [(0.0, path, 1)]
    _, shifted, sign = roomy[0] if roomy else max(candidates, key=lambda c: c[0])
    mid = len(shifted) // 2
    a, b = shifted[max(mid - 2, 0)], shifted[min(mid + 2, len(shifted) - 1)]
    label = _add(shifted[mid], 0.1, _direction(a, b) + 90 * sign)
    return shifted, label, seconds * seconds_scale


def _seconds_scale(ex: Exercise, ps: PoseSet) -> float:
    """Factor from the poses' seconds to real seconds: a paced rep lasts rep_seconds."""
    if ex.kind == "paced" and ex.rep_seconds:
        return ex.rep_seconds / (2 * sum(p.seconds for p in ps.poses[1:]))
    return 1.0


def _draw_arrow(ax: Axes, ex: Exercise, ps: PoseSet) -> None:
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    arrow = _arrow(ps, _seconds_scale(ex, ps))
    if arrow is None:
        return
    path, label, seconds = arrow
    ax.add_patch(
        FancyArrowPatch(
            path=Path(path),
            arrowstyle="-|>,head_length=0.6,head_width=0.32",
            mutation_scale=15,
            color=_COLOURS["arrow"],
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
        color=_COLOURS["arrow"],
        zorder=9,
        gid="arrow-label",
    )


# ---------------------------------------------------------------- frames and axes


@functools.lru_cache(maxsize=32)
def _bounds(ps: PoseSet) -> tuple[float, float, float, float]:
    """x0, x1, y0, y1 (metres) that hold every pose, the moves between them and the arrow."""
    frames = [_key_frame(p, ps.anchor) for p in ps.poses]
    for a, b in pairwise(ps.poses):
        frames += [_blend(a, b, t, ps.anchor) for t in (0.25, 0.5, 0.75)]
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
    arrow = _arrow(ps, 1.0)
    if arrow is not None:
        path, label, _ = arrow
        xs += [x for x, _ in path] + [label[0] - 0.08, label[0] + 0.08]
        ys += [y for _, y in path] + [label[1] + 0.05]
    return min(xs) - _MARGIN, max(xs) + _MARGIN, -0.08, max(ys) + _MARGIN


def _on_mat(ex: Exercise) -> bool:
    return any("mat" in item for item in ex.equipment)


def _setup_axes(
    ax: Axes, bounds: tuple[float, float, float, float], *, mat: bool, floor: bool
) -> None:
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
            facecolor=_COLOURS["ground"],
            edgecolor="none",
            zorder=0.5,
            gid="floor",
        )
    )
    ax.plot(
        [x0, x1],
        [ground, ground],
        color=_COLOURS["floor"],
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
                facecolor=_COLOURS["mat"],
                edgecolor="none",
                zorder=0.7,
                gid="mat",
            )
        )


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
        A key pose (see :func:`pose_names`); every exercise has ``"start"``
        and ``"end"``.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when omitted.
    highlight : bool
        Colour the moving part.
    floor : bool
        Draw the floor (and the mat, for exercises done on a mat).

    Returns
    -------
    matplotlib.axes.Axes
        The body's patches carry ``gid='segment:<name>'``: 13 parts (trunk,
        neck, head, and thigh, shank, foot, upper arm, forearm per side).

    Examples
    --------
    >>> import backkit
    >>> ax = backkit.draw_pose("bridge", "end")
    >>> sum((p.get_gid() or "").startswith("segment:") for p in ax.patches)
    13
    """
    ex, ps = _pose_set(exercise_id)
    p = _pick(ex, ps, pose)
    bounds = _bounds(ps)
    if ax is None:
        import matplotlib.pyplot as plt

        x0, x1, y0, y1 = bounds
        fig = plt.figure(figsize=((x1 - x0) * _SCALE, (y1 - y0) * _SCALE))
        ax = fig.add_axes((0, 0, 1, 1))
    _setup_axes(ax, bounds, mat=_on_mat(ex), floor=floor)
    _draw_body(ax, _key_frame(p, ps.anchor)["points"], moving=ps.moving if highlight else ())
    return ax


# ---------------------------------------------------------------- the figure

_TRACE_WORDS = {
    "hip": "the hips",
    "shoulder": "the shoulders",
    "neck": "the neck",
    "head": "the head",
    **{
        f"{s}_{p}": f"the {w}"
        for s in _SIDES
        for p, w in (
            ("knee", "knee"),
            ("ankle", "foot"),
            ("heel", "heel"),
            ("toes", "toes"),
            ("elbow", "elbow"),
            ("hand", "hands"),
        )
    },
}


def _dose_line(ex: Exercise) -> str:
    side = " each side" if ex.per_side else ""
    if ex.kind == "hold":
        parts = [f"hold {ex.hold_seconds} s", f"{ex.reps} times{side}"]
        if ex.rest_seconds:
            parts.append(f"rest {ex.rest_seconds} s between")
    else:
        parts = [f"{ex.reps} reps{side}", f"about {ex.rep_seconds} s each"]
    if ex.sets > 1:
        parts.insert(0, f"{ex.sets} sets")
    return " \u00b7 ".join(parts)


def _end_words(ex: Exercise, ps: PoseSet) -> str:
    if ex.kind == "hold":
        return f"hold {ex.hold_seconds} s"
    down = sum(p.seconds for p in ps.poses[1:]) * _seconds_scale(ex, ps)
    return f"{down:g} s down, {ex.rep_seconds - down:g} s up"


def _wrap_lines(text: str, width_in: float, fontsize: float) -> list[str]:
    chars = max(12, int(width_in * 72 / (fontsize * 0.56)))
    return textwrap.wrap(text, chars) or [""]


def show_exercise(exercise_id: str | Exercise, *, ghost: bool = True) -> Figure:
    """Draw an exercise: the start and end pose side by side, with the movement.

    The moving part is Okabe-Ito vermillion (orange-red); a blue arrow follows the path of
    the moving point (through any middle poses) and is labelled with the
    time the movement takes; the end panel shows the start pose faintly
    behind. The title, the dose ("hold 30 s"), and the captions come from the
    catalogue. Every figure draws the body at the same scale.

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
        The figure is not registered with pyplot, so Jupyter shows it once
        and it needs no closing; save it with ``fig.savefig(...)``.

    Examples
    --------
    >>> import backkit
    >>> fig = backkit.show_exercise("squat")
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['Start', 'End: 2 s down, 2 s up']
    """
    # Not a pyplot figure: returned as a cell's value, Jupyter shows it once
    # (a pyplot figure would be shown a second time when the cell ends).
    from matplotlib.figure import Figure

    ex, ps = _pose_set(exercise_id)
    bounds = _bounds(ps)
    x0, x1, y0, y1 = bounds
    pw, ph = (x1 - x0) * _SCALE, (y1 - y0) * _SCALE
    side, gap = 0.2, 0.35
    width = 2 * pw + gap + 2 * side
    first, last = ps.poses[0], ps.poses[-1]
    captions = [_wrap_lines(p.label, pw, 10) for p in (first, last)]
    note = "Orange-red: the part that moves"
    if ps.trace:
        note += f". Blue arrow: the path of {_TRACE_WORDS[ps.trace]}"
    if ex.per_side:
        note += ". One side shown: repeat on the other side"
    note_lines = _wrap_lines(note + ".", width - 2 * side, 9)
    top = 1.05  # title, dose and panel titles
    below = 0.12 + 0.19 * max(map(len, captions)) + 0.1 + 0.16 * len(note_lines) + 0.1
    height = top + ph + below
    fig = Figure(figsize=(width, height))

    def inches(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x / width, y / height, w / width, h / height)

    fig.text(
        side / width,
        1 - 0.12 / height,
        f"{ex.number}. {ex.name}",
        fontsize=14,
        fontweight="bold",
        color=_COLOURS["text"],
        va="top",
        gid="title",
    )
    fig.text(
        side / width,
        1 - 0.45 / height,
        _dose_line(ex),
        fontsize=10.5,
        color=_COLOURS["note"],
        va="top",
        gid="dose",
    )
    panels = (
        (first, "Start", captions[0], side),
        (last, f"End: {_end_words(ex, ps)}", captions[1], side + pw + gap),
    )
    for pose, title, caption, left in panels:
        ax = fig.add_axes(inches(left, below, pw, ph))
        _setup_axes(ax, bounds, mat=_on_mat(ex), floor=True)
        if pose is last and ghost:
            _draw_body(ax, _key_frame(first, ps.anchor)["points"], ghost=True, zorder=1)
        _draw_body(ax, _key_frame(pose, ps.anchor)["points"], moving=ps.moving)
        if pose is last:
            _draw_arrow(ax, ex, ps)
        ax.set_title(
            title, loc="left", fontsize=11.5, fontweight="bold", color=_COLOURS["text"], pad=6
        )
        fig.text(
            left / width,
            (below - 0.1) / height,
            "\n".join(caption),
            fontsize=10,
            color=_COLOURS["text"],
            va="top",
            linespacing=1.25,
            gid="pose-label",
        )
    fig.text(
        side / width,
        (0.1 + 0.16 * len(note_lines)) / height,
        "\n".join(note_lines),
        fontsize=9,
        color=_COLOURS["note"],
        va="top",
        linespacing=1.25,
        gid="note",
    )
    return fig


# ---------------------------------------------------------------- animation


@dataclass(frozen=True)
class _Tick:
    """One animation frame: the body, the caption, and which image it shows."""

    frame: dict[str, Any]
    caption: str
    image: tuple[Any, ...]  # ticks with equal keys show the same image


def _timeline(
    ex: Exercise, ps: PoseSet, *, fps: int, hold_seconds: float, max_images: int
) -> list[_Tick]:
    """Start, the moves into the end pose, the hold, the moves back; one tick per frame.

    Moves run at their real pace (the poses' ``seconds``; a paced rep lasts
    the catalogue's ``rep_seconds``); a hold is held for ``hold_seconds``.
    When the moves need more than ``max_images`` distinct images, each image
    is shown for several ticks, so the pace stays right.
    """
    poses = ps.poses
    scale = _seconds_scale(ex, ps)
    forward = [
        (poses[i], poses[i + 1], poses[i + 1].seconds * scale) for i in range(len(poses) - 1)
    ]
    back = [(b, a, s) for a, b, s in reversed(forward)]
    move_ticks = sum(max(1, round(s * fps)) for _, _, s in forward + back)
    stride = max(1, math.ceil(move_ticks / max(1, max_images - 3)))

    ticks: list[_Tick] = []
    start = _key_frame(poses[0], ps.anchor)
    ticks += [_Tick(start, poses[0].label or "start", ("start",))] * max(1, round(0.8 * fps))
    for n, (a, b, seconds) in enumerate(forward + back):
        steps = max(1, round(seconds * fps))
        going_back = n >= len(forward)
        caption = f"back, {seconds:g} s" if going_back else f"{b.label or b.name} ({seconds:g} s)"
        for i in range(1, steps + 1):
            shown = min(steps, math.ceil(i / stride) * stride)  # the image this tick repeats
            ticks.append(_Tick(_blend(a, b, shown / steps, ps.anchor), caption, ("move", n, shown)))
        if n == len(forward) - 1 and ex.kind == "hold" and hold_seconds > 0:
            held = _key_frame(b, ps.anchor)
            caption = f"hold {ex.hold_seconds} s"
            ticks += [_Tick(held, caption, ("hold",))] * max(1, round(hold_seconds * fps))
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


_ANIM_SCALE = 1.7  # inches per metre in the animation (smaller than the figures)
_ANIM_MIN_WIDTH = 2.6  # inches


def _dedupe_frames(html: str) -> str:
    """Point repeated frames at the first copy instead of embedding the image again."""
    import re

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
    import re

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
        Displays itself; ``.html`` is the player, ``.seconds`` one loop.

    Examples
    --------
    >>> import backkit
    >>> anim = backkit.animate_exercise("squat")
    >>> anim.seconds, anim.images <= 48
    (4.8, True)
    """
    import tempfile
    from pathlib import Path

    import matplotlib.pyplot as plt
    from matplotlib.animation import HTMLWriter

    ex, ps = _pose_set(exercise_id)
    if not isinstance(fps, int) or not 1 <= fps <= 30:
        raise ValueError(f"animate_exercise: fps={fps!r} must be a whole number from 1 to 30")
    if not isinstance(max_images, int) or max_images < 4:
        raise ValueError(f"animate_exercise: max_images={max_images!r} must be a whole number >= 4")
    hold = float(ex.hold_seconds if hold_seconds is None else hold_seconds)
    if not 0 <= hold <= 600:
        raise ValueError(
            f"animate_exercise: hold_seconds={hold_seconds!r} must be 0 to 600 seconds"
        )
    ticks = _timeline(ex, ps, fps=fps, hold_seconds=hold, max_images=max_images)

    x0, x1, y0, y1 = _bounds(ps)
    extra = max(0.0, _ANIM_MIN_WIDTH / _ANIM_SCALE - (x1 - x0)) / 2  # room for the title
    bounds = (x0 - extra, x1 + extra, y0, y1)
    pw, ph = (x1 - x0 + 2 * extra) * _ANIM_SCALE, (y1 - y0) * _ANIM_SCALE
    wrapped = {t.caption: "\n".join(_wrap_lines(t.caption, pw - 0.1, 8.5)) for t in ticks}
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
        color=_COLOURS["text"],
    )
    caption = fig.text(
        0.03,
        (bottom - 0.06) / height,
        "",
        va="top",
        fontsize=8.5,
        color=_COLOURS["text"],
        linespacing=1.2,
    )

    class _Writer(HTMLWriter):
        """HTMLWriter that stores small palette PNGs and reuses an image for repeats."""

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

    writer = _Writer(fps=fps, embed_frames=True, default_mode="loop")
    images = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "animation.html"
            with writer.saving(fig, str(out), dpi):
                previous = None
                for tick in ticks:
                    if tick.image == previous:
                        writer.repeat()
                        continue
                    previous = tick.image
                    ax.clear()
                    _setup_axes(ax, bounds, mat=_on_mat(ex), floor=True)
                    _draw_body(ax, tick.frame["points"], moving=ps.moving)
                    caption.set_text(wrapped[tick.caption])
                    writer.grab_frame()
                    images += 1
            html = _dedupe_frames(out.read_text(encoding="utf-8"))
    finally:
        plt.close(fig)
    if autoplay:
        html += _autoplay(html)
    return ExerciseAnimation(ex.id, html, len(ticks), images, len(ticks) / fps, fps)


# ---------------------------------------------------------------- for the timer


@functools.lru_cache(maxsize=64)
def _pose_png(ex: Exercise, pose: str, size: int) -> bytes:
    import io

    # A figure of its own, off pyplot, so nothing shows up in the notebook.
    from matplotlib.figure import Figure

    x0, x1, y0, y1 = _bounds(_pose_set(ex)[1])
    w, h = x1 - x0, y1 - y0
    dpi = size / max(w, h)
    fig = Figure(figsize=(w, h), dpi=dpi)
    draw_pose(ex, pose, ax=fig.add_axes((0, 0, 1, 1)))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def pose_png(exercise_id: str | Exercise, pose: str = "start", *, size: int = 240) -> bytes:
    """One key pose as PNG bytes, ``size`` pixels on its longer side (cached).

    For widgets such as the session timer: show the phase's pose with
    ``ipywidgets.Image(value=pose_png(ex_id, phase_pose(ex_id, kind)))``.

    Examples
    --------
    >>> from backkit.poses import pose_png
    >>> pose_png("bridge", "end", size=160)[:4]
    b'\\x89PNG'
    """
    ex, ps = _pose_set(exercise_id)
    _pick(ex, ps, pose)
    if not isinstance(size, int) or not 32 <= size <= 2000:
        raise ValueError(f"pose_png: size={size!r} must be a whole number of pixels, 32 to 2000")
    return _pose_png(ex, pose, size)
