"""Pose data: key poses as joint angles, their human ranges, and the catalogue's ``poses:`` reader.

:func:`parse_poses` reads the ``poses:`` mapping of one catalogue entry and
checks it (joint angles within human ranges, the body on or above the floor,
declared floor contacts touching it, reaching hands that reach). It needs to
know only how to name the entry in its errors and the entry's start
position, so the catalogue (:mod:`backkit.exercises`) calls it without this
module knowing about exercises.

Examples
--------
>>> from backkit.poses.model import parse_poses
>>> raw = {"start": {"trunk": 90, "near": {}, "contacts": ["near_foot", "far_foot"]},
...        "end": {"trunk": 90, "near": {}, "far": {"hip": 60, "knee": 90},
...                "contacts": ["near_foot"]}}
>>> parse_poses(raw, label="'demo'").names()  # stand, then lift the far knee
('start', 'end')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import BackkitError, CatalogueError, did_you_mean
from ..i18n import gettext as _
from .kinematics import LIMB_JOINTS, SIDES, key_frame, lowest_points, surface

__all__ = [
    "CONTACTS",
    "JOINT_RANGES",
    "POINTS",
    "Pose",
    "PoseSet",
    "parse_poses",
    "unknown_name",
]

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

#: Contact names a pose may declare, and what must touch the floor for each.
CONTACTS: dict[str, str] = {
    "pelvis": "the buttocks, under the hip joint",
    "shoulders": "the upper back, under the shoulder joint",
    "head": "the back of the head",
    **{
        f"{side}_{part}": text.format(side=side)
        for side in SIDES
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

#: The joint points a pose set may keep still (``anchor``) or trace with its arrow.
POINTS = (
    "hip",
    "shoulder",
    "neck",
    "head",
    *(f"{s}_{p}" for s in SIDES for p in ("knee", "ankle", "heel", "toes", "elbow", "hand")),
)

_FLOOR_TOLERANCE = 0.03  # metres a contact may float or sink
_REACH_SEGMENTS = tuple(f"{s}_{seg}" for s in SIDES for seg in ("thigh", "shank"))
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
_LIMB_SEGMENTS = ("thigh", "shank", "foot", "upper_arm", "forearm")
_SEGMENTS = ("trunk", "neck", "head", *(f"{s}_{p}" for s in SIDES for p in _LIMB_SEGMENTS))
_GROUPS = {
    **{f"{s}_leg": (f"{s}_thigh", f"{s}_shank", f"{s}_foot") for s in SIDES},
    **{f"{s}_arm": (f"{s}_upper_arm", f"{s}_forearm") for s in SIDES},
}


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
        """The pose names, in order: ``'start'`` first, ``'end'`` last."""
        return tuple(p.name for p in self.poses)

    def get(self, name: str) -> Pose:
        """The pose called ``name``.

        Raises
        ------
        BackkitError
            For a name that is not a pose of this set (with a did-you-mean).
        """
        for p in self.poses:
            if p.name == name:
                return p
        raise BackkitError(
            _("no key pose: {problem}").format(problem=unknown_name(name, self.names()))
        )


def unknown_name(value: Any, valid: tuple[str, ...] | list[str]) -> str:
    """Say that ``value`` is none of ``valid``, suggesting the closest.

    Examples
    --------
    >>> from backkit.poses.model import unknown_name
    >>> unknown_name("kne", ("hip", "knee"))
    "unknown name 'kne'. Did you mean 'knee'? Valid: hip, knee"
    """
    # Translators: {hint} is empty or " Did you mean 'x'?"
    return _("unknown name {value}.{hint} Valid: {names}").format(
        value=repr(value), hint=did_you_mean(value, valid), names=", ".join(valid)
    )


class _PoseError:
    """Builds errors that name the file, the exercise and the pose."""

    def __init__(self, where: str, label: str) -> None:
        self.where, self.label = where, label

    def __call__(self, pose: str | None, message: str) -> CatalogueError:
        at = f", pose {pose!r}" if pose else ""
        return CatalogueError(
            f"exercise {self.label}, field 'poses'{at}: {message}", where=self.where
        )


def _finite(value: Any) -> bool:
    """Whether ``value`` is a real, finite number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_range(fail: _PoseError, pose: str, joint: str, value: float, kind: str) -> None:
    lo, hi = JOINT_RANGES[kind]
    if not lo - 1e-6 <= value <= hi + 1e-6:
        raise fail(
            pose,
            f"joint {joint!r}: {value:.4g} degrees is outside the human range of the {kind}, "
            f"{lo:g} to {hi:g} degrees (flexion positive)",
        )


def _parse_reach(fail: _PoseError, pose: str, side: str, raw: dict) -> tuple[str, float, bool]:
    value, elbow_out = raw["reach"], raw.get("elbow_out", False)
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and value[0] in _REACH_SEGMENTS
        and _finite(value[1])
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
    return (value[0], float(value[1]), elbow_out)


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
            out["reach"] = _parse_reach(fail, pose, side, raw)
            continue
        if key not in LIMB_JOINTS:
            raise fail(pose, f"{side!r}: {unknown_name(key, (*LIMB_JOINTS, 'reach', 'elbow_out'))}")
        if not _finite(value):
            raise fail(pose, f"joint '{side}_{key}': {value!r} must be a number of degrees")
        _check_range(fail, pose, f"{side}_{key}", float(value), key)
        out[key] = float(value)
    return out


def _parse_seconds(fail: _PoseError, name: str, raw: dict, first: bool) -> float:
    seconds = raw.get("seconds")
    if first and seconds is not None:
        raise fail(name, "'seconds' (the time to move into a pose) does not apply to the first")
    if seconds is None:
        seconds = 0.0 if first else _DEFAULT_MOVE_SECONDS
    if not _finite(seconds) or (not first and not 0.2 <= seconds <= 30):
        raise fail(name, f"'seconds': {seconds!r} must be a number of seconds from 0.2 to 30")
    return float(seconds)


def _parse_pose(fail: _PoseError, name: str, raw: Any, first: bool) -> Pose:
    if not isinstance(raw, dict):
        raise fail(name, f"must be a mapping of trunk, neck, near, far, contacts; got {raw!r}")
    for key in raw:
        if key not in _POSE_KEYS:
            raise fail(name, unknown_name(key, _POSE_KEYS))
    if "trunk" not in raw:
        raise fail(name, "missing 'trunk' (the hip-to-shoulder angle: 90 upright, 180 supine)")
    trunk = raw["trunk"]
    if not _finite(trunk) or not -360 <= trunk <= 360:
        raise fail(name, f"joint 'trunk': {trunk!r} must be an angle in degrees, -360 to 360")
    neck = raw.get("neck", 0)
    if not _finite(neck):
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
            raise fail(name, f"contact: {unknown_name(c, list(CONTACTS))}")
    seconds = _parse_seconds(fail, name, raw, first)
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
        seconds=seconds,
        label=label.strip(),
    )


def _check_pose(fail: _PoseError, pose: Pose, anchor: str) -> None:
    """Reach, arm ranges, contacts and the floor of one parsed pose."""
    frame = key_frame(pose, anchor)
    for side, short in frame["shortfall"].items():
        if short > _FLOOR_TOLERANCE:
            segment, fraction, _ = getattr(pose, side)["reach"]
            raise fail(
                pose.name,
                f"joint '{side}_reach': the {side} hand cannot reach {segment} at {fraction:g}; "
                f"it is {short:.2f} m short",
            )
    for side in SIDES:
        _check_range(
            fail, pose.name, f"{side}_shoulder", frame["angles"][f"{side}_shoulder"], "shoulder"
        )
        # A negative elbow angle is an elbow bent outwards (see kinematics._solve_arm).
        _check_range(
            fail, pose.name, f"{side}_elbow", abs(frame["angles"][f"{side}_elbow"]), "elbow"
        )
    points = frame["points"]
    for contact in pose.contacts:
        for part, height in surface(points, contact):
            if abs(height) > _FLOOR_TOLERANCE:
                where = "above" if height > 0 else "below"
                raise fail(
                    pose.name,
                    f"joint {part!r}: contact {contact!r} ({CONTACTS[contact]}) is "
                    f"{abs(height):.2f} m {where} the floor; a contact must touch it "
                    f"(within {_FLOOR_TOLERANCE:g} m)",
                )
    part, low = min(lowest_points(points), key=lambda item: item[1])
    if low < -_FLOOR_TOLERANCE:
        raise fail(
            pose.name,
            f"joint {part!r}: the body goes {-low:.2f} m below the floor (y = {low:.2f}); "
            f"check the angles or the contacts",
        )


def _parse_drawing(fail: _PoseError, raw: dict) -> tuple[str, str | None, tuple[str, ...]]:
    """The set's ``anchor``, ``trace`` and ``moving`` (limb names expanded to segments)."""
    anchor = raw.get("anchor", "hip")
    if anchor not in POINTS:
        raise fail(None, f"'anchor': {unknown_name(anchor, POINTS)}")
    trace = raw.get("trace")
    if trace is not None and trace not in POINTS:
        raise fail(None, f"'trace': {unknown_name(trace, POINTS)}")
    moving_raw = raw.get("moving", [])
    if not isinstance(moving_raw, list):
        raise fail(None, f"'moving' must list segments or limbs, got {moving_raw!r}")
    moving: list[str] = []
    for m in moving_raw:
        if m not in _SEGMENTS and m not in _GROUPS:
            raise fail(None, f"'moving': {unknown_name(m, (*_SEGMENTS, *_GROUPS))}")
        moving.extend(_GROUPS.get(m, (m,)))
    return anchor, trace, tuple(moving)


def parse_poses(
    raw: Any, *, where: str = "poses", label: str = "?", position: str | None = None
) -> PoseSet | None:
    """Validate the ``poses:`` mapping of a catalogue entry.

    The catalogue loader calls this for every exercise.

    Parameters
    ----------
    raw : mapping or None
        The entry's ``poses:`` value as read from YAML.
    where : str
        The file, named first in error messages.
    label : str
        The exercise as error messages name it (``"'bridge'"``, ``"#3"``).
    position : str, optional
        The exercise's start position (``"supine"``, ...), checked against the
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
    anchor, trace, moving = _parse_drawing(fail, raw)
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
    return PoseSet(poses=poses, anchor=anchor, moving=moving, trace=trace)
