"""Exercise illustrations (``backkit.poses``): one section per module of the package.

pose data in the catalogue and ``model.parse_poses`` (TestPoseData, TestValidation),
``kinematics`` (TestGeometry), ``draw`` (TestDrawPose, TestTimerHook), ``figure`` with
``arrow`` (TestPlotExercise), ``animate`` (TestAnimation).
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

import backkit
from backkit import poses
from backkit.errors import BackkitError, CatalogueError, UnknownExerciseError
from backkit.poses.animate import timeline
from backkit.poses.arrow import movement_arrow
from backkit.poses.draw import COLOURS
from backkit.poses.kinematics import blend, lowest_points, surface
from backkit.poses.lookup import seconds_scale

IDS = backkit.exercise_ids()
BUILTIN = Path(backkit.__file__).parent / "data" / "exercises.yaml"
ORANGE = COLOURS["moving"]
SEGMENTS = {
    "trunk",
    "neck",
    "head",
    *(
        f"{s}_{p}"
        for s in ("near", "far")
        for p in ("thigh", "shank", "foot", "upper_arm", "forearm")
    ),
}
# Segment mass fractions of body mass (Winter), for the centre of mass.
MASS = {"head": 0.081, "trunk": 0.497, "upper_arm": 0.028, "forearm": 0.022,
        "thigh": 0.100, "shank": 0.0465, "foot": 0.0145}  # fmt: skip


def every_pose():
    return [(i, p) for i in IDS for p in poses.pose_names(i)]


def points(exercise_id: str, pose: str) -> dict[str, tuple[float, float]]:
    return poses.pose_points(exercise_id, pose)


def start_and_end(exercise_id: str) -> tuple[dict, dict, dict, dict]:
    """The points of the start and end poses, then their joint angles."""
    start, end = points(exercise_id, "start"), points(exercise_id, "end")
    angles = poses.pose_angles(exercise_id, "start"), poses.pose_angles(exercise_id, "end")
    return start, end, *angles


def angle_at(a, b, c) -> float:
    """Angle ABC in degrees."""
    v1 = (a[0] - b[0], a[1] - b[1])
    v2 = (c[0] - b[0], c[1] - b[1])
    cos = (v1[0] * v2[0] + v1[1] * v2[1]) / (math.hypot(*v1) * math.hypot(*v2))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def distance_to_segment(q, a, b) -> float:
    ab = (b[0] - a[0], b[1] - a[1])
    t = ((q[0] - a[0]) * ab[0] + (q[1] - a[1]) * ab[1]) / (ab[0] ** 2 + ab[1] ** 2)
    t = min(max(t, 0.0), 1.0)
    return math.dist(q, (a[0] + t * ab[0], a[1] + t * ab[1]))


def centre_of_mass(p: dict) -> tuple[float, float]:
    parts = [("head", p["head"], p["head"]), ("trunk", p["hip"], p["shoulder"])]
    for s in ("near", "far"):
        parts += [
            ("upper_arm", p["shoulder"], p[f"{s}_elbow"]),
            ("forearm", p[f"{s}_elbow"], p[f"{s}_hand"]),
            ("thigh", p["hip"], p[f"{s}_knee"]),
            ("shank", p[f"{s}_knee"], p[f"{s}_ankle"]),
            ("foot", p[f"{s}_heel"], p[f"{s}_toes"]),
        ]
    total = sum(MASS[n] for n, _, _ in parts)
    x = sum(MASS[n] * (a[0] + b[0]) / 2 for n, a, b in parts) / total
    y = sum(MASS[n] * (a[1] + b[1]) / 2 for n, a, b in parts) / total
    return x, y


def entry(data: dict, exercise_id: str) -> dict:
    return next(e for e in data["exercises"] if e["id"] == exercise_id)


# ---------------------------------------------------------------- pose data (model)


class TestPoseData:
    @pytest.mark.parametrize("exercise_id", IDS)
    def test_every_exercise_has_start_and_end_poses(self, exercise_id):
        names = poses.pose_names(exercise_id)
        assert names[0] == "start" and names[-1] == "end"
        ps = backkit.get_exercise(exercise_id).poses
        assert isinstance(ps, poses.PoseSet)
        assert ps.moving, "every exercise highlights the part that moves"
        assert all(p.label for p in ps.poses), "every pose has a caption"

    @pytest.mark.parametrize(("exercise_id", "pose"), every_pose())
    def test_every_angle_is_within_the_human_range(self, exercise_id, pose):
        angles = poses.pose_angles(exercise_id, pose)
        for joint, value in angles.items():
            kind = joint.split("_")[-1]
            if kind == "trunk":
                continue
            lo, hi = poses.JOINT_RANGES[kind]
            assert lo <= value <= hi, f"{exercise_id} {pose} {joint} = {value}"

    @pytest.mark.parametrize(("exercise_id", "pose"), every_pose())
    def test_body_rests_on_the_floor_by_its_contacts(self, exercise_id, pose):
        p = points(exercise_id, pose)
        ps = backkit.get_exercise(exercise_id).poses
        contacts = ps.get(pose).contacts
        lowest = min(h for _, h in lowest_points(p))
        assert lowest >= -0.03, "nothing goes below the floor"
        for contact in contacts:
            for part, height in surface(p, contact):
                assert abs(height) <= 0.03, f"{contact} ({part}) is {height:.3f} m off the floor"

    @pytest.mark.parametrize("exercise_id", IDS)
    def test_start_pose_matches_the_catalogue_position(self, exercise_id):
        ex = backkit.get_exercise(exercise_id)
        start = ex.poses.get("start")
        contacts = set(start.contacts)
        if ex.position == "supine":
            assert 170 <= start.trunk <= 190
            assert {"pelvis", "shoulders", "head"} <= contacts
        elif ex.position == "sitting":
            assert 80 <= start.trunk <= 100 and "pelvis" in contacts
        else:
            assert ex.position == "standing"
            assert 85 <= start.trunk <= 95 and "pelvis" not in contacts

    def test_feet_flat_where_the_steps_say_so(self):
        # "both knees bent and feet flat on the floor" in every supine start
        for exercise_id in IDS[:4]:
            assert {"near_foot", "far_foot"} <= set(
                backkit.get_exercise(exercise_id).poses.get("start").contacts
            )
        # the squat keeps its heels down; the bridge keeps its feet planted
        for exercise_id in ("squat", "bridge"):
            end = backkit.get_exercise(exercise_id).poses.get("end")
            assert {"near_foot", "far_foot"} <= set(end.contacts)

    def test_the_catalogue_file_documents_the_pose_format(self):
        header = BUILTIN.read_text(encoding="utf-8").split("exercises:")[0]
        for word in ("poses:", "trunk", "contacts", "reach", "near", "far", "anchor", "moving"):
            assert word in header


# ---------------------------------------------------------------- geometry (kinematics)


class TestGeometry:
    def test_knee_to_chest_brings_the_knee_to_the_chest(self):
        start, end = points("knee-to-chest", "start"), points("knee-to-chest", "end")
        before = math.dist(start["near_knee"], start["shoulder"])
        after = math.dist(end["near_knee"], end["shoulder"])
        assert after < before - 0.25
        assert poses.pose_angles("knee-to-chest", "end")["near_hip"] >= 110
        # the other foot stays flat on the floor, the back stays down
        assert abs(end["far_heel"][1]) < 0.03 and abs(end["far_toes"][1]) < 0.03
        assert end["hip"][1] == pytest.approx(start["hip"][1], abs=0.01)

    def test_knee_to_chest_hands_hold_just_below_the_knee(self):
        end = points("knee-to-chest", "end")
        for side in ("near", "far"):
            gap = distance_to_segment(end[f"{side}_hand"], end["near_knee"], end["near_ankle"])
            assert gap < 0.03
            assert math.dist(end[f"{side}_hand"], end["near_knee"]) < 0.12

    def test_double_knee_to_chest_brings_both_knees_up(self):
        start = points("double-knee-to-chest", "start")
        end = points("double-knee-to-chest", "end")
        for side in ("near", "far"):
            assert math.dist(end[f"{side}_knee"], end["shoulder"]) < (
                math.dist(start[f"{side}_knee"], start["shoulder"]) - 0.25
            )
            assert end[f"{side}_toes"][1] > 0.2, "no foot left on the floor"
        # one knee at a time: the middle pose has one foot still down
        middle = points("double-knee-to-chest", "one-knee")
        assert abs(middle["far_heel"][1]) < 0.03 and middle["near_toes"][1] > 0.2

    def test_squat_lowers_the_hips_back_to_thighs_about_parallel(self):
        start, end = points("squat", "start"), points("squat", "end")
        assert end["hip"][1] < start["hip"][1] - 0.3
        assert end["hip"][0] < start["hip"][0] - 0.1, "hips go back"
        thigh = math.degrees(
            math.atan2(end["near_knee"][1] - end["hip"][1], end["near_knee"][0] - end["hip"][0])
        )
        assert abs(thigh) < 10, "thighs about parallel to the floor"
        for p in (start, end):
            assert p["near_heel"][1] == pytest.approx(0, abs=0.01), "heels down"
        assert end["near_heel"] == pytest.approx(start["near_heel"], abs=0.01), "feet stay put"
        assert poses.pose_angles("squat", "end")["trunk"] < 70, "a natural forward lean"
        # arms forward for balance, and the body's centre of mass over the feet
        assert end["near_hand"][0] > end["near_toes"][0]
        for p in (start, end):
            assert p["near_heel"][0] < centre_of_mass(p)[0] < p["near_toes"][0]

    def test_bridge_lifts_the_hips_into_line_with_shoulders_and_knees(self):
        start, end = points("bridge", "start"), points("bridge", "end")
        assert end["hip"][1] > start["hip"][1] + 0.15
        assert angle_at(end["shoulder"], end["hip"], end["near_knee"]) == pytest.approx(180, abs=8)
        assert angle_at(start["shoulder"], start["hip"], start["near_knee"]) < 150
        for p in (start, end):
            assert p["shoulder"][1] == pytest.approx(0.1, abs=0.03), "shoulders stay down"
            assert abs(p["near_heel"][1]) < 0.03 and abs(p["near_toes"][1]) < 0.03
        assert end["shoulder"][0] == pytest.approx(start["shoulder"][0], abs=0.05)

    def test_supine_hamstring_stretch_raises_a_near_straight_leg(self):
        start = points("supine-hamstring-stretch", "start")
        end = points("supine-hamstring-stretch", "end")
        angles = poses.pose_angles("supine-hamstring-stretch", "end")
        assert end["near_ankle"][1] > start["near_ankle"][1] + 0.6
        assert 70 <= angles["near_hip"] <= 90, "raised leg near vertical"
        assert angles["near_knee"] <= 20, "straight or slightly bent"
        assert angles["far_knee"] >= 90 and abs(end["far_heel"][1]) < 0.03, "other foot flat"
        assert end["hip"][1] == pytest.approx(start["hip"][1], abs=0.01), "pelvis down"
        for side in ("near", "far"):  # both hands behind the thigh
            assert distance_to_segment(end[f"{side}_hand"], end["hip"], end["near_knee"]) < 0.03

    def test_long_sitting_stretch_leans_a_little_from_the_hips_hands_at_the_shins(self):
        """Third review E2: with straight knees hip flexion is limited to about 75-90
        degrees (Youdas 2005), so the end pose is a small lean, not a fold to the toes."""
        start, end, a0, a1 = start_and_end("long-sitting-hamstring-stretch")
        assert 95 <= a1["near_hip"] <= 100, "hip about 95-100 degrees, not 130"
        assert a1["near_hip"] > a0["near_hip"], "the lean comes from the hips"
        assert 75 <= a1["trunk"] < a0["trunk"], "a slight forward lean"
        # both hands on the shins, just below the knees, not at the toes
        for side in ("near", "far"):
            hand = end[f"{side}_hand"]
            assert distance_to_segment(hand, end["near_knee"], end["near_ankle"]) < 0.03
            assert end["near_knee"][0] < hand[0] < end["near_ankle"][0]
            assert math.dist(hand, end["near_toes"]) > 0.4
        assert math.dist(end["near_hand"], end["near_toes"]) < math.dist(
            start["near_hand"], start["near_toes"]
        )
        for a in (a0, a1):
            assert 3 <= a["near_knee"] <= 20, "knees soft, not locked"
        for p in (start, end):
            assert abs(p["near_heel"][1]) < 0.03, "legs straight out on the floor"
            assert p["hip"][1] == pytest.approx(start["hip"][1], abs=0.01), "sitting"

    def test_hip_flexor_stretch_extends_the_back_hip_with_the_trunk_upright(self):
        start, end, a0, a1 = start_and_end("standing-hip-flexor-stretch")
        assert a1["near_hip"] < a0["near_hip"] - 8, "stretch at the front of the back hip"
        # 10-20 degrees of back-hip extension is what most people reach with the
        # trunk upright and the pelvis tucked; 30 is more than most can.
        assert -20 <= a1["near_hip"] <= -10
        assert a1["near_knee"] <= 5, "back leg straight"
        assert a1["far_knee"] > a0["far_knee"] + 5, "front knee bends a little"
        assert 85 <= a1["trunk"] <= 95, "trunk upright, not leaning forward"
        assert end["hip"][0] > start["hip"][0] + 0.05, "hips shift forward"
        assert end["far_heel"] == pytest.approx(start["far_heel"], abs=0.02), "front foot stays"
        assert end["near_toes"] == pytest.approx(start["near_toes"], abs=0.01), "back foot stays"
        assert end["near_heel"][0] < end["hip"][0] < end["far_toes"][0], "hips between the feet"

    @pytest.mark.parametrize("exercise_id", IDS)
    def test_frames_between_poses_stay_on_the_floor(self, exercise_id):
        ps = backkit.get_exercise(exercise_id).poses
        for a, b in zip(ps.poses, ps.poses[1:], strict=False):
            for i in range(11):
                frame = blend(a, b, i / 10, ps.anchor)
                lowest = min(h for _, h in lowest_points(frame["points"]))
                assert lowest > -0.04, f"{a.name}->{b.name} at {i / 10} sinks {lowest:.3f}"

    def test_the_segments_keep_their_lengths(self):
        for exercise_id, pose in every_pose():
            p = points(exercise_id, pose)
            for s in ("near", "far"):
                assert math.dist(p["hip"], p[f"{s}_knee"]) == pytest.approx(poses.BODY["thigh"])
                assert math.dist(p[f"{s}_knee"], p[f"{s}_ankle"]) == pytest.approx(
                    poses.BODY["shank"]
                )
            assert math.dist(p["hip"], p["shoulder"]) == pytest.approx(poses.BODY["trunk"])


# ---------------------------------------------------------------- validation (model)


def hook(**over):
    near = {"hip": 50, "knee": 107, "ankle": -33, "shoulder": -6, "elbow": 0, **over}
    return {"trunk": 180, "neck": 2, "near": near,
            "contacts": ["pelvis", "shoulders", "head", "near_foot", "far_foot"]}  # fmt: skip


def parse(end: dict, **kw):
    return poses.parse_poses({"start": hook(), "end": end}, label="'demo'", **kw)


class TestValidation:
    def test_a_good_pose_set_parses(self):
        ps = parse(hook(), position="supine")
        assert ps.names() == ("start", "end")

    def test_knee_beyond_its_range_names_pose_joint_and_value(self):
        with pytest.raises(CatalogueError) as err:
            parse(hook(knee=170))
        msg = str(err.value)
        assert "exercise 'demo'" in msg and "pose 'end'" in msg
        assert "joint 'near_knee'" in msg and "170 degrees" in msg and "0 to 150" in msg

    def test_a_leg_through_the_floor_is_refused(self):
        bad = {"trunk": 180, "near": {"hip": -25}, "contacts": ["pelvis", "shoulders"]}
        with pytest.raises(CatalogueError, match=r"pose 'end': joint 'near_(toes|heel|ankle)'"
                           r": the body goes 0\.\d\d m below the floor"):  # fmt: skip
            parse(bad)

    def test_a_contact_that_does_not_touch_the_floor_is_refused(self):
        bad = hook(hip=90, knee=90)  # the near leg is up, but the pose says its foot is down
        with pytest.raises(CatalogueError) as err:
            parse(bad)
        msg = str(err.value)
        assert "pose 'end'" in msg and "contact 'near_foot'" in msg and "above the floor" in msg

    def test_a_hand_that_cannot_reach_is_refused(self):
        bad = hook()
        bad["near"] = {"hip": 50, "knee": 107, "ankle": -33, "reach": ["near_shank", 1.0]}
        with pytest.raises(CatalogueError, match="near hand cannot reach near_shank at 1; it is"):
            parse(bad)

    def test_a_typo_in_a_joint_name_gets_a_suggestion(self):
        bad = hook()
        bad["near"] = {"hip": 50, "kne": 107}
        with pytest.raises(CatalogueError, match=r"unknown name 'kne'\. Did you mean 'knee'"):
            parse(bad)

    def test_an_unknown_contact_gets_a_suggestion(self):
        bad = hook()
        bad["contacts"] = ["pelvis", "near_fot"]
        with pytest.raises(CatalogueError, match="Did you mean 'near_foot'"):
            parse(bad)

    def test_a_standing_start_for_a_supine_exercise_is_refused(self):
        standing = {"trunk": 90, "near": {}, "contacts": ["near_foot", "far_foot"]}
        with pytest.raises(CatalogueError, match="does not fit the start position 'supine'"):
            poses.parse_poses({"start": standing, "end": standing}, position="supine")

    def test_an_unknown_pose_name_gets_a_suggestion(self):
        with pytest.raises(BackkitError, match=r"^no key pose: unknown name 'ned'\. Did you mean"):
            parse(hook()).get("ned")

    def test_start_and_end_are_required(self):
        with pytest.raises(CatalogueError, match="needs key poses named 'start' first and 'end'"):
            poses.parse_poses({"begin": hook(), "end": hook()})

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("seconds", 0, "'seconds': 0 must be a number of seconds"),
            ("neck", "bent", "joint 'neck': 'bent' must be a number"),
            ("contacts", [], "'contacts' must list what touches the floor"),
            ("trunk", None, "joint 'trunk': None must be an angle"),
        ],
    )
    def test_malformed_fields(self, field, value, message):
        bad = hook()
        bad[field] = value
        with pytest.raises(CatalogueError, match=re.escape(message)):
            parse(bad)

    def test_a_bad_pose_in_a_catalogue_file_names_file_exercise_pose_joint_value(
        self, raw_catalogue, write_catalogue
    ):
        data = raw_catalogue()
        entry(data, "bridge")["poses"]["end"]["near"]["knee"] = 170
        path = write_catalogue(data)
        with pytest.raises(CatalogueError) as err:
            backkit.load_exercises(path)
        msg = str(err.value)
        assert str(path) in msg and "exercise 'bridge'" in msg and "pose 'end'" in msg
        assert "joint 'near_knee'" in msg and "170" in msg
        assert backkit.get_exercise("bridge").poses.get("end").near["knee"] == 92, "built-in intact"

    def test_an_exercise_without_poses_loads_but_cannot_be_drawn(
        self, raw_catalogue, write_catalogue
    ):
        data = raw_catalogue()
        del entry(data, "squat")["poses"]
        path = write_catalogue(data)
        ex = backkit.exercises.catalogue(path).get("squat")
        assert ex.poses is None
        with pytest.raises(CatalogueError, match="exercise 'squat' has no poses in the catalogue"):
            backkit.draw_pose(ex)


# ---------------------------------------------------------------- drawing (draw, figure, arrow)


def segment_patches(ax, prefix="segment:"):
    return {
        p.get_gid()[len(prefix) :]: p for p in ax.patches if (p.get_gid() or "").startswith(prefix)
    }


class TestDrawPose:
    @pytest.mark.parametrize(("exercise_id", "pose"), every_pose())
    def test_every_pose_draws_every_segment(self, exercise_id, pose):
        fig, ax = plt.subplots()
        out = backkit.draw_pose(exercise_id, pose, ax=ax)
        assert out is ax
        drawn = segment_patches(ax)
        assert set(drawn) == SEGMENTS  # 13 parts
        moving = set(backkit.get_exercise(exercise_id).poses.moving)
        for name, patch in drawn.items():
            is_orange = to_hex(patch.get_facecolor()) in (ORANGE, COLOURS["moving_far"])
            assert is_orange == (name in moving), name
        assert any(line.get_gid() == "floor-line" for line in ax.lines)
        fig.canvas.draw()  # renders with Agg without error

    def test_the_drawing_is_where_the_kinematics_put_it(self):
        ax = backkit.draw_pose("squat", "end")
        p = points("squat", "end")
        head = segment_patches(ax)["head"]
        assert head.center == pytest.approx(p["head"])
        thigh = segment_patches(ax)["near_thigh"].get_xy()
        assert (
            min(x for x, _ in thigh) < p["hip"][0] and max(x for x, _ in thigh) > p["near_knee"][0]
        )

    def test_no_highlight_and_no_floor_on_request(self):
        ax = backkit.draw_pose("bridge", "end", highlight=False, floor=False)
        assert not any(to_hex(p.get_facecolor()) == ORANGE for p in ax.patches)
        assert not [line for line in ax.lines if line.get_gid() == "floor-line"]

    def test_a_new_figure_when_no_axes_is_given(self):
        ax = backkit.draw_pose("squat")
        assert ax.figure is not None and len(segment_patches(ax)) == 13

    def test_every_pose_of_an_exercise_shares_one_frame(self):
        a = backkit.draw_pose("squat", "start")
        b = backkit.draw_pose("squat", "end")
        assert a.get_xlim() == b.get_xlim() and a.get_ylim() == b.get_ylim()

    def test_unknown_pose_and_exercise(self):
        with pytest.raises(
            BackkitError,
            match=r"^exercise 'squat' has no pose: unknown name 'middle'\. Valid: start, end$",
        ):
            backkit.draw_pose("squat", "middle")
        with pytest.raises(UnknownExerciseError, match="Did you mean 'squat'"):
            backkit.draw_pose("squatt")


class TestPlotExercise:
    @pytest.mark.parametrize("exercise_id", IDS)
    def test_start_and_end_side_by_side_with_ghost_arrow_and_labels(self, exercise_id):
        ex = backkit.get_exercise(exercise_id)
        fig = backkit.plot_exercise(exercise_id)
        start_ax, end_ax = fig.axes
        assert start_ax.get_title(loc="left") == "Start"
        end_title = end_ax.get_title(loc="left")
        if ex.kind == "hold":
            assert end_title == f"End: hold {ex.hold_seconds} s"
        else:
            assert end_title == f"End: {ex.rep_seconds / 2:g} s down, {ex.rep_seconds / 2:g} s up"
        assert len(segment_patches(start_ax)) == len(segment_patches(end_ax)) == 13
        assert len(segment_patches(end_ax, "ghost:")) == 13 and not segment_patches(
            start_ax, "ghost:"
        )
        texts = {t.get_gid(): t.get_text() for t in fig.texts}
        assert texts["title"] == f"{ex.number}. {ex.name}"
        assert (f"hold {ex.hold_seconds} s" if ex.kind == "hold" else f"{ex.reps} reps") in texts[
            "dose"
        ]
        note = " ".join(texts["note"].split())  # the note may wrap
        assert ("repeat on the other side" in note) == ex.per_side
        assert start_ax.get_xlim() == end_ax.get_xlim()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        assert buf.getvalue()[:4] == b"\x89PNG"

    @pytest.mark.parametrize("exercise_id", IDS)
    def test_the_arrow_points_the_way_the_traced_point_moves(self, exercise_id):
        ps = backkit.get_exercise(exercise_id).poses
        fig = backkit.plot_exercise(exercise_id)
        arrows = [p for p in fig.axes[1].patches if p.get_gid() == "arrow"]
        if movement_arrow(ps, 1.0) is None:  # a small move (the hip-flexor stretch): no arrow
            note = " ".join(t.get_text() for t in fig.texts)
            assert not arrows and "Blue arrow" not in note
            return
        assert len(arrows) == 1
        label = next(t for t in fig.axes[1].texts if t.get_gid() == "arrow-label")
        assert re.fullmatch(r"\d+(\.\d+)? s", label.get_text())
        path, _, seconds = movement_arrow(ps, seconds_scale(backkit.get_exercise(exercise_id), ps))
        assert label.get_text() == f"{seconds:g} s"
        moved = (
            points(exercise_id, "end")[ps.trace][0] - points(exercise_id, "start")[ps.trace][0],
            points(exercise_id, "end")[ps.trace][1] - points(exercise_id, "start")[ps.trace][1],
        )
        drawn = (path[-1][0] - path[0][0], path[-1][1] - path[0][1])
        assert moved[0] * drawn[0] + moved[1] * drawn[1] > 0

    def test_every_figure_draws_the_body_at_the_same_scale(self):
        scales = []
        for exercise_id in IDS:
            fig = backkit.plot_exercise(exercise_id)
            ax = fig.axes[0]
            x0, x1 = ax.get_xlim()
            scales.append(ax.get_position().width * fig.get_figwidth() / (x1 - x0))
        assert max(scales) == pytest.approx(min(scales), rel=0.01)

    def test_without_ghost(self):
        fig = backkit.plot_exercise("bridge", ghost=False)
        assert not segment_patches(fig.axes[1], "ghost:")

    def test_show_exercise_is_the_former_name(self):
        fig = backkit.show_exercise("bridge")
        assert [ax.get_title(loc="left") for ax in fig.axes] == [
            ax.get_title(loc="left") for ax in backkit.plot_exercise("bridge").axes
        ]
        assert backkit.poses.show_exercise is not None


# ---------------------------------------------------------------- animation (animate)


class TestAnimation:
    def test_a_paced_squat_moves_in_rep_seconds(self):
        ex = backkit.get_exercise("squat")
        anim = backkit.animate_exercise("squat")
        pause = 0.8
        assert anim.seconds == pytest.approx(pause + ex.rep_seconds)
        assert anim.frames == round(anim.seconds * anim.fps)
        assert anim._repr_html_() == anim.html
        assert anim.images <= 48

    def test_it_is_one_looping_image_with_nothing_fetched(self):
        import base64
        import io

        from PIL import Image

        anim = backkit.animate_exercise("squat", max_images=6)
        src = re.fullmatch(r'<img class="bk-animation" alt="([^"]*)" src="([^"]*)">', anim.html)
        assert src, anim.html[:200]
        assert src.group(1) == "7. Bodyweight squat: the movement, 4.8 s a loop"
        assert src.group(2).startswith("data:image/gif;base64,")
        assert "<script" not in anim.html and "http" not in anim.html
        gif = Image.open(io.BytesIO(base64.b64decode(src.group(2).split(",", 1)[1])))
        assert gif.n_frames == anim.images and gif.info["loop"] == 0
        shown = 0
        for n in range(gif.n_frames):
            gif.seek(n)
            shown += gif.info["duration"]
        assert shown == pytest.approx(anim.seconds * 1000, abs=gif.n_frames)  # the real pace

    def test_a_hold_is_held_for_the_catalogue_hold(self):
        ex = backkit.get_exercise("bridge")
        ps = ex.poses
        anim = backkit.animate_exercise("bridge")
        moves = 2 * sum(p.seconds for p in ps.poses[1:])
        assert anim.seconds == pytest.approx(0.8 + moves + ex.hold_seconds)
        # the held frames are one image shown for the whole hold
        assert anim.images < anim.frames - ex.hold_seconds * anim.fps + 2

    def test_a_shorter_hold_on_request(self):
        ps = backkit.get_exercise("supine-hamstring-stretch").poses
        anim = backkit.animate_exercise("supine-hamstring-stretch", hold_seconds=2)
        assert anim.seconds == pytest.approx(0.8 + 2 * sum(p.seconds for p in ps.poses[1:]) + 2)

    def test_fewer_images_keep_the_pace(self):
        full = backkit.animate_exercise("knee-to-chest", hold_seconds=1)
        few = backkit.animate_exercise("knee-to-chest", hold_seconds=1, max_images=10)
        assert few.images <= 10 < full.images
        assert few.frames == full.frames
        assert len(few.html) < len(full.html)

    def test_the_timeline_holds_the_end_pose_and_returns_to_the_start(self):
        ex = backkit.get_exercise("double-knee-to-chest")
        ticks = timeline(ex, ex.poses, fps=10, hold_seconds=3, max_images=48)
        held = [t for t in ticks if t.image == ("hold",)]
        # the caption says how long this loop holds, not the catalogue's hold
        assert len(held) == 30 and held[0].caption == "hold 3 s"
        for tick, pose in ((held[0], "end"), (ticks[-1], "start")):
            for key, value in points("double-knee-to-chest", pose).items():
                assert tick.frame["points"][key] == pytest.approx(value, abs=1e-6)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"fps": 0}, "fps=0 must be a whole number from 1 to 30"),
            ({"max_images": 2}, "max_images=2 must be a whole number >= 4"),
            ({"hold_seconds": -1}, "hold_seconds=-1 must be 0 to 600 seconds"),
        ],
    )
    def test_bad_options(self, kwargs, message):
        with pytest.raises(BackkitError, match="^animate_exercise: " + re.escape(message)):
            backkit.animate_exercise("squat", **kwargs)

    def test_no_figure_is_left_open(self):
        before = plt.get_fignums()
        backkit.animate_exercise("squat", max_images=6)
        assert plt.get_fignums() == before


class TestTimerHook:
    def test_pose_png_is_a_png_of_the_asked_size_and_cached(self):
        from PIL import Image

        data = poses.pose_png("bridge", "end", size=200)
        image = Image.open(io.BytesIO(data))
        assert max(image.size) == pytest.approx(200, abs=2)
        assert poses.pose_png("bridge", "end", size=200) is data

    def test_pose_png_does_not_leave_a_pyplot_figure(self):
        before = plt.get_fignums()
        poses.pose_png("squat", "start", size=120)
        assert plt.get_fignums() == before

    def test_phase_pose(self):
        assert poses.phase_pose("squat", "move") == "end"
        assert poses.phase_pose("knee-to-chest", "hold") == "end"
        for kind in ("prepare", "rest", "switch", "set-rest", "done"):
            assert poses.phase_pose("knee-to-chest", kind) == "start"

    def test_pose_png_bad_size(self):
        with pytest.raises(
            BackkitError, match=r"^pose_png: size=8 must be a whole number of pixels"
        ):
            poses.pose_png("squat", size=8)


def test_backend_is_agg():
    assert matplotlib.get_backend().lower() == "agg"
