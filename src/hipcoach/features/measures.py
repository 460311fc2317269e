"""Per-frame joint angles and compensation measures, in degrees or thigh lengths.

Primary signals use only the current pose. Compensation measures are relative to the
person's own start-of-set posture (`Reference`), as the brief recommends: absolute 2-D/3-D
landmark angles are too noisy for fixed thresholds, changes from one's own start are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hipcoach.exercises.schema import SignalName
from hipcoach.features.body import (
    BodyFrame,
    FloatArray,
    Limb,
    PosePoints,
    Side,
    as_pose,
    other_side,
)
from hipcoach.features.geometry import (
    asin_deg,
    clip,
    compute_angle_between,
    compute_joint_angle,
    compute_rotation_in_plane,
    cross,
    dot,
    normalize,
    orthogonal_part,
    vector_length,
)

# The knee's distance from the hip-ankle line (thigh lengths) below which the knee's swing
# about that line is undefined and a straight leg's out-of-plane angle is used instead.
KNEE_SWING_MIN_OFFSET = 0.2


def _deg(x: FloatArray | float) -> float:
    return float(x)


def compute_hip_flexion(limb: Limb, frame: BodyFrame, trunk_down: FloatArray) -> float:
    """Signed hip flexion of one leg (degrees): 0 with the thigh in line with the trunk,
    positive with the thigh forward, negative behind (extension). Abduction is ignored."""
    down = normalize(trunk_down)
    return _deg(compute_rotation_in_plane(limb.thigh, down, frame.forward))


def is_planar(points: FloatArray | PosePoints) -> bool:
    """True for image-plane points (no depth: every z is 0), see `extract_points`."""
    return as_pose(points).planar


def compute_knee_turn(
    work: Limb,
    outward_hint: FloatArray,
    forward: FloatArray,
    planar: bool,
    axis: FloatArray | None = None,
) -> float:
    """The clamshell's opening: the signed angle (degrees) of the working knee about the
    working hip-ankle line, from the body's `forward` direction towards `outward_hint`
    (the working hip's side: the top hip minus the bottom one).

    With the feet together the femur turns about that line, so this grows monotonically
    with the hip's outward rotation, whatever the knees' resting gap (stacked knees rest at
    a small negative angle: the top thigh slopes onto the bottom one). The angle between
    the two thighs does not: it first shrinks through parallel, then opens. Image-plane
    points have no forward depth, so there the knee's lean off the line towards the working
    side is read as asin(offset / thigh length), monotonic while the thigh faces the camera.
    `axis` is the line to turn about (default: this pose's own hip-ankle line).
    NaN when the hip, knee and ankle do not define the angle.
    """
    own_axis = normalize(work.ankle - work.hip)
    axis = own_axis if axis is None else axis
    outward = normalize(orthogonal_part(outward_hint, axis))
    offset = orthogonal_part(work.thigh, axis)
    length = vector_length(work.thigh)
    if not length:
        return float("nan")
    bend = vector_length(orthogonal_part(work.thigh, own_axis))
    if not planar and bend < KNEE_SWING_MIN_OFFSET * length:
        # A (nearly) straight leg has no turn about its own line: read the thigh's rise
        # towards the working side instead (a straight leg lifted under the clamshell).
        # Not in the image plane, where a bent knee pointing at the camera looks straight.
        sine = float(normalize(work.thigh) @ normalize(outward_hint))
        return asin_deg(sine)
    if planar:
        sine = float(offset @ outward) / length
        return asin_deg(sine)
    ahead = normalize(orthogonal_part(orthogonal_part(forward, axis), outward))
    return _deg(compute_rotation_in_plane(offset, ahead, outward))


def compute_leg_elevation(work: Limb, outward_hint: FloatArray) -> float:
    """The side-lying lift: the signed angle (degrees) of the working hip-ankle line out of
    the plane through the body's long axis, towards `outward_hint` (the working hip's side):
    0 with the leg in that plane, about -5 resting on the bottom leg, rising with the lift.
    The angle between the two legs is not monotonic in the lift when the bottom knee is
    bent."""
    sine = float(normalize(work.leg) @ normalize(outward_hint))
    return asin_deg(sine)


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
    work, rest = pose.limb(side), pose.limb(other_side(side))
    if name in (SignalName.knee_opening, SignalName.leg_abduction):
        axis = None
        if reference is not None:
            outward, forward = reference.hip_line, reference.frame.forward
            axis = turning_axis(work, reference.leg_vector)
        else:
            outward, forward = work.hip - rest.hip, pose.frame.forward
        if name is SignalName.leg_abduction:
            return compute_leg_elevation(work, outward)
        return compute_knee_turn(work, outward, forward, pose.planar, axis)
    if name is SignalName.knee_flexion:
        return 180.0 - _deg(compute_joint_angle(work.hip, work.knee, work.ankle))
    mid_hip = (work.hip + rest.hip) / 2.0
    mid_shoulder = (work.shoulder + rest.shoulder) / 2.0
    if pose.planar:
        # Seen from the side the two hips overlap, so the image gives no left-right axis to
        # sign the angle with: the angle between thigh and trunk line (flexion is >= 0 in
        # every exercise that counts on it).
        return _deg(compute_angle_between(work.thigh, mid_hip - mid_shoulder))
    return compute_hip_flexion(work, pose.frame, mid_hip - mid_shoulder)


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


@dataclass(frozen=True)
class PostureSnapshot:
    """Raw per-frame quantities a Reference is averaged from."""

    frame: BodyFrame
    hip_line: FloatArray
    other_thigh: FloatArray
    thigh_length: float
    feet_gap_abs: float
    leg_forward_deg: float
    knee_swing_deg: float
    leg_out_deg: float
    hip_flexion_deg: float
    leg_vector: FloatArray | None = None


def _leg_forward(limb: Limb, frame: BodyFrame) -> float:
    return _deg(compute_rotation_in_plane(limb.leg, -frame.up, frame.forward))


def compute_knee_swing(
    limb: Limb, left: FloatArray, min_offset: float = KNEE_SWING_MIN_OFFSET
) -> float:
    """Signed angle (degrees) by which the knee has swung about the hip-ankle line out of
    the body's sagittal plane: positive towards the body's left. NaN when the knee is
    nearly straight (the knee closer to the hip-ankle line than `min_offset` thigh
    lengths), since the angle is then undefined."""
    axis, offset, bend = _knee_off_line(limb)
    if not bend >= min_offset:
        return float("nan")
    across = normalize(cross(axis, left))
    return _deg(compute_rotation_in_plane(offset, across, left))


def _knee_off_line(limb: Limb) -> tuple[FloatArray, FloatArray, float]:
    """The hip-ankle axis (unit), the knee's offset from that line, and the offset's
    length in thigh lengths (0 for a straight leg; NaN when the thigh has no length)."""
    axis = normalize(limb.ankle - limb.hip)
    offset = orthogonal_part(limb.knee - limb.hip, axis)
    length = vector_length(limb.thigh)
    bend = vector_length(offset) / length if length else float("nan")
    return axis, offset, bend


def snapshot_posture(points: FloatArray | PosePoints, side: Side) -> PostureSnapshot:
    pose = as_pose(points)
    work, rest = pose.limb(side), pose.limb(other_side(side))
    frame = pose.frame
    trunk_down = (work.hip + rest.hip) / 2.0 - (work.shoulder + rest.shoulder) / 2.0
    thigh_length = float((vector_length(work.thigh) + vector_length(rest.thigh)) / 2.0)
    flex = (
        compute_hip_flexion(work, frame, trunk_down) + compute_hip_flexion(rest, frame, trunk_down)
    ) / 2.0
    return PostureSnapshot(
        frame=frame,
        hip_line=normalize(orthogonal_part(work.hip - rest.hip, frame.up)),
        other_thigh=normalize(rest.thigh),
        thigh_length=thigh_length,
        feet_gap_abs=vector_length(work.ankle - rest.ankle),
        leg_forward_deg=_leg_forward(work, frame),
        # Only a clearly bent knee defines a start plane to compare with.
        knee_swing_deg=compute_knee_swing(work, frame.left, min_offset=0.4),
        leg_out_deg=compute_leg_out_of_plane(work, frame.left),
        leg_vector=work.ankle - work.hip,
        hip_flexion_deg=flex,
    )


def build_reference(snapshots: list[PostureSnapshot], side: Side) -> Reference:
    """Average the still start-of-set frames into one Reference (NaN-tolerant)."""
    if not snapshots:
        raise ValueError("expected at least one posture snapshot to build a reference")
    from hipcoach.features.body import average_body_frame

    frame = average_body_frame([s.frame for s in snapshots])
    thigh = float(np.nanmedian([s.thigh_length for s in snapshots]))
    return Reference(
        frame=frame,
        side=side,
        thigh_length=thigh,
        hip_line=normalize(
            orthogonal_part(np.nanmean([s.hip_line for s in snapshots], 0), frame.up)
        ),
        other_thigh=normalize(np.nanmean([s.other_thigh for s in snapshots], axis=0)),
        feet_gap=float(np.nanmedian([s.feet_gap_abs for s in snapshots])) / thigh,
        leg_forward_deg=float(np.nanmedian([s.leg_forward_deg for s in snapshots])),
        knee_swing_deg=_nanmedian([s.knee_swing_deg for s in snapshots]),
        leg_out_deg=_nanmedian([s.leg_out_deg for s in snapshots]),
        leg_vector=_mean_vector([s.leg_vector for s in snapshots]),
        hip_flexion_deg=float(np.nanmedian([s.hip_flexion_deg for s in snapshots])),
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


def turning_axis(work: Limb, rest_leg: FloatArray | None) -> FloatArray:
    """The line the clamshell's knee turns about: this pose's hip-ankle line while the
    ankle stays where it rested, blending into the resting line as the feet part."""
    axis = normalize(work.ankle - work.hip)
    if rest_leg is None:
        return axis
    length = vector_length(work.thigh)
    shift = vector_length(work.ankle - work.hip - rest_leg) / length if length else 0.0
    low, high = FEET_PARTING
    weight = clip((shift - low) / (high - low), 0.0, 1.0)
    if weight == 0.0:
        return axis
    return normalize((1.0 - weight) * axis + weight * normalize(rest_leg))


def compute_leg_out_of_plane(limb: Limb, left: FloatArray) -> float:
    """Signed angle (degrees) of the whole leg (hip to ankle) out of the sagittal plane."""
    unit = normalize(limb.leg)
    return asin_deg(dot(unit, left))


def _thigh_turn(work: Limb, ref: Reference) -> float:
    """The thigh rolling out or in since the start: the knee's swing about the hip-ankle
    line when the knee is bent, the whole leg's swing out of the sagittal plane when it
    is straight (where the first is undefined)."""
    left = ref.frame.left
    swing = compute_knee_swing(work, left)
    if np.isfinite(swing):
        return swing - (ref.knee_swing_deg if np.isfinite(ref.knee_swing_deg) else 0.0)
    return compute_leg_out_of_plane(work, left) - ref.leg_out_deg


def thigh_turn_weight(work: Limb) -> float:
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
    work, rest = pose.limb(ref.side), pose.limb(other_side(ref.side))
    f = ref.frame
    hip_line = work.hip - rest.hip
    now = pose.frame
    return Compensations(
        pelvis_roll_back_deg=_deg(compute_rotation_in_plane(hip_line, ref.hip_line, -f.forward)),
        hip_hike_deg=_deg(compute_rotation_in_plane(hip_line, ref.hip_line, f.up)),
        feet_gap_change=vector_length(work.ankle - rest.ankle) / ref.thigh_length - ref.feet_gap,
        other_thigh_deg=_deg(compute_angle_between(rest.thigh, ref.other_thigh)),
        leg_forward_deg=_leg_forward(work, f) - ref.leg_forward_deg,
        trunk_deg=_deg(
            compute_angle_between(now.up, f.up if ref.trunk_up is None else ref.trunk_up)
        ),
        thigh_lateral_deg=_thigh_turn(work, ref),
    )


def compute_knee_bend(limb: Limb) -> float:
    """How far the knee sits off the hip-ankle line, in thigh lengths (0 for a straight
    leg, about 0.7 with the knee bent to a right angle)."""
    return _knee_off_line(limb)[2]
