"""Per-frame joint angles and compensation measures, in degrees or thigh lengths.

Primary signals use only the current pose. Compensation measures are relative to the
person's own start-of-set posture (`Reference`), as the brief recommends: absolute 2-D/3-D
landmark angles are too noisy for fixed thresholds, changes from one's own start are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from hipcoach.exercises.schema import SignalName
from hipcoach.features.body import BodyFrame, FloatArray, PosePoints, Side, as_pose, other_side
from hipcoach.features.geometry import asin_deg, clip, normalize, orthogonal_part
from hipcoach.features.vec3 import (
    Joints,
    Vec,
    angle_deg,
    array,
    cross,
    dot,
    elevation_deg,
    length,
    orthogonal,
    rotation_deg,
    sub,
    unit,
    vec,
)

# The knee's distance from the hip-ankle line (thigh lengths) below which the knee's swing
# about that line is undefined and a straight leg's out-of-plane angle is used instead.
KNEE_SWING_MIN_OFFSET = 0.2

# A thigh's length over the distance between BlazePose's hip landmarks, measured on the
# world landmarks of the real side-lying clips (median 1.63 on clamshell_banded.mp4, 1.70
# on side_lying_leg_lift.mp4; the rendered body reads 1.43-1.90 by view).
THIGH_PER_HIP_WIDTH = 1.6
# A leg's length (thigh plus shin) over the same hip width: median 3.2 over the ten legs of
# the five real clips' world landmarks (2.8-4.0 by clip and leg).
LEG_PER_HIP_WIDTH = 3.2
# The knee's distance from the hip-ankle line, the radius a clamshell turns it on, over the
# thigh's length: with the catalogue's right-angled knee and a shin 0.94 of the thigh (the
# same clips: legs 3.2 and thighs 1.6-1.7 hip widths), 0.94 / sqrt(1 + 0.94^2) = 0.68.
KNEE_RADIUS_PER_THIGH = 0.68

# Image-plane hip flexion (`compute_planar_hip_flexion`): an upright trunk (within 30 deg of
# the picture's vertical), a standing thigh within 20 deg of the trunk line, and the shoulder
# width over trunk length from side-on (0.15) to facing the camera (0.5).
UPRIGHT_MIN_COS = math.cos(math.radians(30.0))
RULER_MAX_TILT_DEG = 20.0
SIDE_ON_SHOULDERS = 0.15
FACING_SHOULDERS = 0.5


def _midpoint(a: Vec, b: Vec) -> Vec:
    return ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0, (a[2] + b[2]) / 2.0)


def _neg(v: Vec) -> Vec:
    return (-v[0], -v[1], -v[2])


def compute_hip_flexion(limb: Joints, forward: Vec, trunk_down: Vec) -> float:
    """Signed hip flexion of one leg (degrees): 0 with the thigh in line with the trunk,
    positive with the thigh forward, negative behind (extension). Abduction is ignored.
    `forward` is the body frame's forward axis."""
    return rotation_deg(limb.thigh, unit(trunk_down), forward)


def is_planar(points: FloatArray | PosePoints) -> bool:
    """True for image-plane points (no depth: every z is 0), see `extract_points`."""
    return as_pose(points).planar


def compute_knee_turn(
    work: Joints,
    outward_hint: Vec,
    forward: Vec,
    planar: bool,
    axis: Vec | None = None,
    min_thigh_length: float = 0.0,
) -> float:
    """The clamshell's opening: the signed angle (degrees) of the working knee about the
    working hip-ankle line, from the body's `forward` direction towards `outward_hint`
    (the working hip's side: the top hip minus the bottom one).

    With the feet together the femur turns about that line, so this grows monotonically
    with the hip's outward rotation, whatever the knees' resting gap (stacked knees rest at
    a small negative angle: the top thigh slopes onto the bottom one). The angle between
    the two thighs does not: it first shrinks through parallel, then opens. Image-plane
    points have no forward depth, so there the knee's rise along the hip line (which stands
    plumb from the bottom hip to the top one, towards `outward_hint`) is read as
    asin(rise / thigh length): the knee climbs towards the ceiling as the femur turns, in
    every view that shows the hips stacked. A thigh pointing at the camera looks short, so
    the length is at least `min_thigh_length` (see `thigh_floor`). Two earlier readings
    failed from some views: the knee's lean off the hip-ankle line has no direction when
    that line looks parallel to the hip line (knees tucked, seen from beyond the feet), and
    over the foreshortened thigh length a small lean read nearly 90 degrees.
    `axis` is the line to turn about (default: this pose's own hip-ankle line).
    NaN when the hip, knee and ankle do not define the angle.
    """
    own_axis = unit(work.leg)
    axis = own_axis if axis is None else axis
    outward = unit(orthogonal(outward_hint, axis))
    thigh = work.thigh
    offset = orthogonal(thigh, axis)
    thigh_length = length(thigh)
    if not thigh_length:
        return float("nan")
    bend = length(orthogonal(thigh, own_axis))
    if not planar and bend < KNEE_SWING_MIN_OFFSET * thigh_length:
        # A (nearly) straight leg has no turn about its own line: read the thigh's rise
        # towards the working side instead (a straight leg lifted under the clamshell).
        # Not in the image plane, where a bent knee pointing at the camera looks straight.
        return elevation_deg(thigh, outward_hint)
    if planar:
        ruler = KNEE_RADIUS_PER_THIGH * max(thigh_length, min_thigh_length)
        return _rise_deg(thigh, outward_hint, ruler)
    ahead = unit(orthogonal(orthogonal(forward, axis), outward))
    return rotation_deg(offset, ahead, outward)


def _rise_deg(thigh: Vec, up: Vec, thigh_length: float) -> float:
    return asin_deg(dot(thigh, unit(up)) / thigh_length)


def thigh_floor(work: Joints, rest: Joints) -> float:
    """The thigh's length judged from the hips (`THIGH_PER_HIP_WIDTH`). Lying on the side,
    the hip line stands plumb: its full length shows from any level camera, a ruler for a
    thigh that points towards the camera."""
    return THIGH_PER_HIP_WIDTH * length(sub(work.hip, rest.hip))


def compute_knee_rise(work: Joints, rest: Joints) -> float:
    """The top knee's rise along the hip line (bottom hip to top hip), as the clamshell's
    image-plane reading takes it (see `compute_knee_turn`), from any points."""
    thigh = work.thigh
    ruler = KNEE_RADIUS_PER_THIGH * max(length(thigh), thigh_floor(work, rest))
    return _rise_deg(thigh, sub(work.hip, rest.hip), ruler or float("nan"))


def compute_leg_elevation(work: Joints, outward_hint: Vec, min_leg_length: float = 0.0) -> float:
    """The side-lying lift: the signed angle (degrees) of the working hip-ankle line out of
    the plane through the body's long axis, towards `outward_hint` (the working hip's side):
    0 with the leg in that plane, about -5 resting on the bottom leg, rising with the lift.
    The angle between the two legs is not monotonic in the lift when the bottom knee is
    bent.

    In the picture alone, `min_leg_length` is the leg's length judged from the hips
    (`LEG_PER_HIP_WIDTH`, as `thigh_floor` for the thigh): seen from the feet end the leg
    points at the camera and looks short, so its own length would blow up the ankle's rise.
    """
    if min_leg_length:
        leg = work.leg
        return _rise_deg(leg, outward_hint, max(length(leg), min_leg_length))
    return elevation_deg(work.leg, outward_hint)


def compute_signal(
    name: SignalName,
    points: FloatArray | PosePoints,
    side: Side,
    reference: Reference | None = None,
) -> float:
    """The primary motion signal (degrees) for the working leg `side`.

    With a `reference` (the start-of-set posture) the clamshell's and the side-lying lift's
    signals are read in the body's frame as it rested (the clamshell's about the resting
    hip-ankle line once the feet part, see `turning_axis`): a knee opened by rolling the
    pelvis back or with the feet apart still shows as an opening (a rep, with its fault);
    without one, in the pelvis's own frame of this pose (the hip's rotation alone).
    Measured once per pose, side and reference when `points` is a PosePoints."""
    pose = as_pose(points)
    key = ("signal", name, side, id(reference))
    hit: tuple[Any, float] | None = pose.memo.get(key)
    if hit is None or hit[0] is not reference:
        hit = (reference, _measure_signal(name, pose, side, reference))
        pose.memo[key] = hit
    return hit[1]


def _measure_signal(
    name: SignalName, pose: PosePoints, side: Side, reference: Reference | None
) -> float:
    work, rest = pose.joints(side), pose.joints(other_side(side))
    if name in (SignalName.knee_opening, SignalName.leg_abduction):
        if reference is not None:
            outward, forward = vec(reference.hip_line), vec(reference.frame.forward)
        else:
            outward, forward = sub(work.hip, rest.hip), pose.axes[2]
        if name is SignalName.leg_abduction:
            hip_width = length(sub(work.hip, rest.hip)) if pose.planar else 0.0
            return compute_leg_elevation(work, outward, LEG_PER_HIP_WIDTH * hip_width)
        axis = None if reference is None else turning_axis(work, reference.leg_vector)
        floor = thigh_floor(work, rest) if pose.planar else 0.0
        return compute_knee_turn(work, outward, forward, pose.planar, axis, floor)
    if name is SignalName.knee_flexion:
        return 180.0 - angle_deg(sub(work.hip, work.knee), sub(work.ankle, work.knee))
    trunk_down = sub(_midpoint(work.hip, rest.hip), _midpoint(work.shoulder, rest.shoulder))
    if pose.planar:
        return compute_planar_hip_flexion(work, rest, trunk_down)
    return compute_hip_flexion(work, pose.axes[2], trunk_down)


def compute_planar_hip_flexion(work: Joints, rest: Joints, trunk_down: Vec) -> float:
    """Hip flexion (degrees, >= 0) from image-plane points.

    Seen from the side the two hips overlap, so the image gives no left-right axis to sign
    the angle with: the angle between thigh and trunk line (flexion is >= 0 in every
    exercise that counts on it). Standing, that angle misses a thigh lifted towards the
    camera, which only shortens in the picture. The standing leg's thigh hangs plumb, so it
    shows its full length from any level camera: the working thigh's missing length is its
    depth. The depth counts in full with the person facing the camera and fades out as the
    shoulders turn side-on, where it would only add the length noise."""
    thigh = work.thigh
    in_plane = angle_deg(thigh, trunk_down)
    down = unit(trunk_down)
    ruler = rest.thigh
    if not (down[1] >= UPRIGHT_MIN_COS and angle_deg(ruler, trunk_down) <= RULER_MAX_TILT_DEG):
        return in_plane
    trunk = length(trunk_down)
    facing = clip(
        (length(sub(work.shoulder, rest.shoulder)) / trunk - SIDE_ON_SHOULDERS)
        / (FACING_SHOULDERS - SIDE_ON_SHOULDERS),
        0.0,
        1.0,
    )
    along = dot(thigh, down)
    across = length(orthogonal(thigh, down))
    hidden = length(ruler) ** 2 - along * along - across * across
    depth = facing * math.sqrt(hidden) if hidden > 0.0 else 0.0
    return math.degrees(math.atan2(math.hypot(across, depth), along))


def _nanmedian(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.median(finite)) if len(finite) >= max(1, len(values) // 2) else float("nan")


@dataclass(frozen=True)
class Reference:
    """The start-of-set posture that compensation measures are compared with."""

    frame: BodyFrame
    side: Side
    thigh_length: float
    hip_line: FloatArray  # unit, working (or top) hip minus the other, perpendicular to up
    other_thigh: FloatArray  # unit direction of the non-working (bottom) thigh
    feet_gap: float  # ankle distance, thigh lengths
    leg_forward_deg: float
    knee_swing_deg: float
    leg_out_deg: float
    hip_flexion_deg: float  # mean of both legs: the set-up's hip angle
    trunk_up: FloatArray | None = None  # trunk direction to compare with (frame.up if None)
    leg_vector: FloatArray | None = None  # the working hip-to-ankle vector at rest
    end_on: bool = False  # seen end-on in the picture alone (see looks_end_on_side_lying)


@dataclass(frozen=True)
class PostureSnapshot:
    """Raw per-frame quantities a Reference is averaged from."""

    frame: BodyFrame
    end_on: bool
    hip_line: FloatArray
    other_thigh: FloatArray
    thigh_length: float
    feet_gap_abs: float
    leg_forward_deg: float
    knee_swing_deg: float
    leg_out_deg: float
    hip_flexion_deg: float
    leg_vector: FloatArray | None = None


END_ON_VERTICAL = 0.8
"""|cos| of the hip line and of the shoulder line to the image vertical, at least."""
END_ON_SPAN = 1.2
"""Hip line and shoulder line each this many times the trunk's length in the picture."""


def looks_end_on_side_lying(pose: PosePoints) -> bool:
    """In the picture alone: a person lying on the side, seen from the feet or head end.

    The trunk points at the camera, so it looks short and its direction says nothing;
    the hip line and the shoulder line, square to the line of sight, look plumb and full
    length, one above the other. Standing people show them level (front) or short
    (side-on). Measured in square pixels: the hip line spans 1.5-2.5 trunk lengths on the
    generator's feet-end views, 0.3-0.6 from every other lying view (renders, real clips)
    and 0.1-0.5 standing.
    """
    l_hip, r_hip, l_sh, r_sh = pose.core
    hx, hy = l_hip[0] - r_hip[0], l_hip[1] - r_hip[1]
    sx, sy = l_sh[0] - r_sh[0], l_sh[1] - r_sh[1]
    tx = (l_sh[0] + r_sh[0] - l_hip[0] - r_hip[0]) / 2.0
    ty = (l_sh[1] + r_sh[1] - l_hip[1] - r_hip[1]) / 2.0
    hip, shoulders, trunk = math.hypot(hx, hy), math.hypot(sx, sy), math.hypot(tx, ty)
    if not (hip > END_ON_SPAN * trunk and shoulders > END_ON_SPAN * trunk):
        return False  # (False for NaN too)
    plumb = abs(hy) > END_ON_VERTICAL * hip and abs(sy) > END_ON_VERTICAL * shoulders
    return plumb and hy * sy > 0.0


def _leg_forward(limb: Joints, up: Vec, forward: Vec) -> float:
    return rotation_deg(limb.leg, _neg(up), forward)


def compute_knee_swing(limb: Joints, left: Vec, min_offset: float = KNEE_SWING_MIN_OFFSET) -> float:
    """Signed angle (degrees) by which the knee has swung about the hip-ankle line out of
    the body's sagittal plane: positive towards the body's left. NaN when the knee is
    nearly straight (the knee closer to the hip-ankle line than `min_offset` thigh
    lengths), since the angle is then undefined."""
    axis, offset, bend = _knee_off_line(limb)
    if not bend >= min_offset:
        return float("nan")
    across = unit(cross(axis, left))
    return rotation_deg(offset, across, left)


def _knee_off_line(limb: Joints) -> tuple[Vec, Vec, float]:
    """The hip-ankle axis (unit), the knee's offset from that line, and the offset's
    length in thigh lengths (0 for a straight leg; NaN when the thigh has no length)."""
    axis = unit(limb.leg)
    thigh = limb.thigh
    offset = orthogonal(thigh, axis)
    thigh_length = length(thigh)
    bend = length(offset) / thigh_length if thigh_length else float("nan")
    return axis, offset, bend


def snapshot_posture(points: FloatArray | PosePoints, side: Side) -> PostureSnapshot:
    pose = as_pose(points)
    work, rest = pose.joints(side), pose.joints(other_side(side))
    up, left, forward = pose.axes
    trunk_down = sub(_midpoint(work.hip, rest.hip), _midpoint(work.shoulder, rest.shoulder))
    thigh_length = (length(work.thigh) + length(rest.thigh)) / 2.0
    flex = (
        compute_hip_flexion(work, forward, trunk_down)
        + compute_hip_flexion(rest, forward, trunk_down)
    ) / 2.0
    # Seen end-on in the picture alone the trunk looks short and points anywhere: the hip
    # line is taken as it is, not square to the trunk.
    end_on = pose.planar and looks_end_on_side_lying(pose)
    hip_line = sub(work.hip, rest.hip)
    return PostureSnapshot(
        frame=pose.frame,
        end_on=end_on,
        hip_line=array(unit(hip_line if end_on else orthogonal(hip_line, up))),
        other_thigh=array(unit(rest.thigh)),
        thigh_length=thigh_length,
        feet_gap_abs=length(sub(work.ankle, rest.ankle)),
        leg_forward_deg=_leg_forward(work, up, forward),
        # Only a clearly bent knee defines a start plane to compare with.
        knee_swing_deg=compute_knee_swing(work, left, min_offset=0.4),
        leg_out_deg=compute_leg_out_of_plane(work, left),
        leg_vector=array(work.leg),
        hip_flexion_deg=flex,
    )


def build_reference(snapshots: list[PostureSnapshot], side: Side) -> Reference:
    """Average the still start-of-set frames into one Reference (NaN-tolerant)."""
    if not snapshots:
        raise ValueError("expected at least one posture snapshot to build a reference")
    from hipcoach.features.body import average_body_frame

    frame = average_body_frame([s.frame for s in snapshots])
    thigh = float(np.nanmedian([s.thigh_length for s in snapshots]))
    hip_line = np.nanmean([s.hip_line for s in snapshots], 0)
    end_on = sum(s.end_on for s in snapshots) > len(snapshots) / 2
    return Reference(
        frame=frame,
        side=side,
        thigh_length=thigh,
        hip_line=normalize(hip_line if end_on else orthogonal_part(hip_line, frame.up)),
        other_thigh=normalize(np.nanmean([s.other_thigh for s in snapshots], axis=0)),
        feet_gap=float(np.nanmedian([s.feet_gap_abs for s in snapshots])) / thigh,
        leg_forward_deg=float(np.nanmedian([s.leg_forward_deg for s in snapshots])),
        knee_swing_deg=_nanmedian([s.knee_swing_deg for s in snapshots]),
        leg_out_deg=_nanmedian([s.leg_out_deg for s in snapshots]),
        leg_vector=_mean_vector([s.leg_vector for s in snapshots]),
        hip_flexion_deg=float(np.nanmedian([s.hip_flexion_deg for s in snapshots])),
        end_on=end_on,
    )


def _mean_vector(vectors: list[FloatArray | None]) -> FloatArray | None:
    """The mean of the known vectors (None when there are none)."""
    known = [v for v in vectors if v is not None]
    return np.nanmean(known, axis=0) if known else None


# The ankle's shift from where it rested (thigh lengths) over which the clamshell's turn is
# read about the resting hip-ankle line rather than the current one: with the feet together
# the femur turns about the current line; once the feet part, that line moves with the knee
# and would hide the opening.
FEET_PARTING = (0.1, 0.3)


def turning_axis(work: Joints, rest_leg: FloatArray | None) -> Vec:
    """The line the clamshell's knee turns about: this pose's hip-ankle line while the
    ankle stays where it rested, blending into the resting line as the feet part."""
    leg = work.leg
    axis = unit(leg)
    if rest_leg is None:
        return axis
    rest = vec(rest_leg)
    thigh_length = length(work.thigh)
    shift = length(sub(leg, rest)) / thigh_length if thigh_length else 0.0
    low, high = FEET_PARTING
    weight = clip((shift - low) / (high - low), 0.0, 1.0)
    if weight == 0.0:
        return axis
    rest = unit(rest)
    return unit(
        (
            (1.0 - weight) * axis[0] + weight * rest[0],
            (1.0 - weight) * axis[1] + weight * rest[1],
            (1.0 - weight) * axis[2] + weight * rest[2],
        )
    )


def compute_leg_out_of_plane(limb: Joints, left: Vec) -> float:
    """Signed angle (degrees) of the whole leg (hip to ankle) out of the sagittal plane."""
    return asin_deg(dot(unit(limb.leg), left))


def _thigh_turn(work: Joints, ref: Reference) -> float:
    """The thigh rolling out or in since the start: the knee's swing about the hip-ankle
    line when the knee is bent, the whole leg's swing out of the sagittal plane when it
    is straight (where the first is undefined)."""
    left = vec(ref.frame.left)
    swing = compute_knee_swing(work, left)
    if np.isfinite(swing):
        return swing - (ref.knee_swing_deg if np.isfinite(ref.knee_swing_deg) else 0.0)
    return compute_leg_out_of_plane(work, left) - ref.leg_out_deg


def thigh_turn_weight(work: Joints) -> float:
    """How much to trust one frame's thigh turn (inverse of its noise variance, relative).

    Read about the hip-ankle line, the knee's sideways jitter is divided by the knee's
    distance from that line, so a barely bent knee gives a wild angle: weight by that
    distance squared (in thigh lengths). A straight leg's reading uses the whole leg as its
    lever and gets full weight."""
    bend = _knee_off_line(work)[2]
    return bend**2 if bend >= KNEE_SWING_MIN_OFFSET else 1.0


@dataclass(frozen=True)
class Compensations:
    """Baseline-relative compensation measures of one frame. NaN when not measurable."""

    pelvis_roll_back_deg: float  # the top/working hip rotating backwards about the trunk axis
    hip_hike_deg: float  # the top/working hip moving towards the shoulders
    feet_gap_change: float  # ankle distance growth, thigh lengths
    other_thigh_deg: float  # how far the bottom/other thigh turned
    leg_forward_deg: float  # working leg swinging forwards (hip flexion), degrees
    trunk_deg: float  # trunk line rotation
    thigh_lateral_deg: float  # knee swung about the hip-ankle line since the start (signed)


def compute_compensations(points: FloatArray | PosePoints, ref: Reference) -> Compensations:
    pose = as_pose(points)
    work, rest = pose.joints(ref.side), pose.joints(other_side(ref.side))
    up, forward = vec(ref.frame.up), vec(ref.frame.forward)
    hip_line, ref_hip_line = sub(work.hip, rest.hip), vec(ref.hip_line)
    trunk_up = up if ref.trunk_up is None else vec(ref.trunk_up)
    return Compensations(
        pelvis_roll_back_deg=rotation_deg(hip_line, ref_hip_line, _neg(forward)),
        hip_hike_deg=rotation_deg(hip_line, ref_hip_line, up),
        feet_gap_change=length(sub(work.ankle, rest.ankle)) / ref.thigh_length - ref.feet_gap,
        other_thigh_deg=angle_deg(rest.thigh, vec(ref.other_thigh)),
        leg_forward_deg=_leg_forward(work, up, forward) - ref.leg_forward_deg,
        trunk_deg=angle_deg(pose.axes[0], trunk_up),
        thigh_lateral_deg=_thigh_turn(work, ref),
    )


def compute_knee_bend(limb: Joints) -> float:
    """How far the knee sits off the hip-ankle line, in thigh lengths (0 for a straight
    leg, about 0.7 with the knee bent to a right angle)."""
    return _knee_off_line(limb)[2]
