"""The poses of a catalogue exercise, by id: names, joint positions, angles, timing.

Examples
--------
>>> from backkit.poses import pose_names, phase_pose
>>> pose_names("double-knee-to-chest")
('start', 'one-knee', 'end')
>>> phase_pose("bridge", "hold")
'end'
"""

from __future__ import annotations

from ..errors import BackkitError, CatalogueError
from ..exercises import Exercise, get_exercise
from ..i18n import gettext as _
from .kinematics import SIDES, Point, key_frame
from .model import Pose, PoseSet, unknown_name

__all__ = [
    "exercise_poses",
    "phase_pose",
    "pick_pose",
    "pose_angles",
    "pose_names",
    "pose_points",
    "seconds_scale",
]


def exercise_poses(exercise: str | Exercise) -> tuple[Exercise, PoseSet]:
    """The exercise and its pose set.

    Raises
    ------
    UnknownExerciseError
        For an id that is not in the catalogue.
    CatalogueError
        When the exercise has no ``poses:`` in the catalogue.
    """
    ex = get_exercise(exercise)
    if not isinstance(ex.poses, PoseSet):
        raise CatalogueError(
            _(
                "exercise {exercise} has no poses in the catalogue; add a 'poses:' mapping "
                "to its entry to illustrate it"
            ).format(exercise=repr(ex.id))
        )
    return ex, ex.poses


def pick_pose(ex: Exercise, ps: PoseSet, pose: str) -> Pose:
    """The key pose called ``pose``; an unknown name is a BackkitError naming the exercise."""
    if pose not in ps.names():
        raise BackkitError(
            _("exercise {exercise} has no pose: {problem}").format(
                exercise=repr(ex.id), problem=unknown_name(pose, ps.names())
            )
        )
    return ps.get(pose)


def seconds_scale(ex: Exercise, ps: PoseSet) -> float:
    """Factor from the poses' seconds to real seconds: a paced rep lasts ``rep_seconds``."""
    if ex.kind == "paced" and ex.rep_seconds:
        return ex.rep_seconds / (2 * sum(p.seconds for p in ps.poses[1:]))
    return 1.0


def pose_names(exercise_id: str | Exercise) -> tuple[str, ...]:
    """Names of the key poses of an exercise, in order (``'start'`` first, ``'end'`` last).

    Examples
    --------
    >>> from backkit.poses import pose_names
    >>> pose_names("double-knee-to-chest")
    ('start', 'one-knee', 'end')
    """
    return exercise_poses(exercise_id)[1].names()


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
    ex, ps = exercise_poses(exercise_id)
    return dict(key_frame(pick_pose(ex, ps, pose), ps.anchor)["points"])


def pose_angles(exercise_id: str | Exercise, pose: str = "start") -> dict[str, float]:
    """Every joint angle (degrees) of one key pose, arm angles solved where a hand reaches.

    Examples
    --------
    >>> from backkit.poses import pose_angles
    >>> pose_angles("squat", "end")["near_knee"]
    118.0
    """
    ex, ps = exercise_poses(exercise_id)
    angles = dict(key_frame(pick_pose(ex, ps, pose), ps.anchor)["angles"])
    for side in SIDES:  # elbows bent outwards are stored negative; report the flexion
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
