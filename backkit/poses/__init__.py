"""Stick-figure illustrations of the exercises, drawn from pose data.

Each exercise in ``backkit/data/exercises.yaml`` carries a ``poses:`` mapping:
key poses (``start``, any middle poses, ``end``) given as joint angles of a
2-D side-view body model. The parts, one module each:

- :mod:`~backkit.poses.kinematics`: the body model; joint positions from angles
  (forward kinematics, a two-link solver for reaching hands), resting on the
  floor, the poses in between.
- :mod:`~backkit.poses.model`: :class:`Pose`, :class:`PoseSet`, the joint
  ranges, and :func:`parse_poses`, which reads and checks a catalogue entry's
  poses (the catalogue calls it; it does not know about exercises).
- :mod:`~backkit.poses.lookup`: an exercise's poses by id (:func:`pose_names`,
  :func:`pose_points`, :func:`pose_angles`, :func:`phase_pose`).
- :mod:`~backkit.poses.arrow`: where the movement arrow goes.
- :mod:`~backkit.poses.draw`: :func:`draw_pose` on an Axes, :func:`pose_png`
  for widgets.
- :mod:`~backkit.poses.figure`: :func:`plot_exercise`, the start-and-end figure.
- :mod:`~backkit.poses.animate`: :func:`animate_exercise`, an inline HTML/JS
  animation.

The names below are loaded on first use, so the catalogue can read pose data
without importing the drawing code (which reads the catalogue).

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

from .._lazy import lazy_exports

# public name -> the module of this package that defines it
_EXPORTS = {
    "BODY": "kinematics",
    "CONTACTS": "model",
    "JOINT_RANGES": "model",
    "Pose": "model",
    "PoseSet": "model",
    "parse_poses": "model",
    "pose_names": "lookup",
    "pose_points": "lookup",
    "pose_angles": "lookup",
    "phase_pose": "lookup",
    "draw_pose": "draw",
    "pose_png": "draw",
    "plot_exercise": "figure",
    "show_exercise": "figure",
    "ExerciseAnimation": "animate",
    "animate_exercise": "animate",
}
_SUBMODULES = {"kinematics", "model", "lookup", "arrow", "draw", "figure", "animate"}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, _SUBMODULES)
