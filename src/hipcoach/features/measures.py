"""Per-frame joint angles and compensation measures, in degrees or thigh lengths.

Primary signals use only the current pose. Compensation measures are relative to the
person's own start-of-set posture (`Reference`), as the brief recommends: absolute 2-D/3-D
landmark angles are too noisy for fixed thresholds, changes from one's own start are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipcoach.exercises.schema import SignalName
from hipcoach.features.body import (
    BodyFrame,
    FloatArray,
    Limb,
    Side,
    compute_body_frame,
    extract_limb,
    other_side,
)
from hipcoach.features.geometry import (
    compute_angle_between,
    compute_joint_angle,
    compute_rotation_in_plane,
    cross,
    normalize,
    orthogonal_part,
)


def _deg(x: FloatArray | float) -> float:
    return float(x)


def compute_hip_flexion(limb: Limb, frame: BodyFrame, trunk_down: FloatArray) -> float:
    """Signed hip flexion of one leg (degrees): 0 with the thigh in line with the trunk,
    positive with the thigh forward, negative behind (extension). Abduction is ignored."""
    down = normalize(trunk_down)
    return _deg(compute_rotation_in_plane(limb.thigh, down, frame.forward))


def compute_signal(name: SignalName, points: FloatArray, side: Side) -> float:
    """The primary motion signal (degrees) for the working leg `side`."""
    work, rest = extract_limb(points, side), extract_limb(points, other_side(side))
    if name is SignalName.knee_opening:
        return _deg(compute_angle_between(work.thigh, rest.thigh))
    if name is SignalName.leg_abduction:
        return _deg(compute_angle_between(work.leg, rest.leg))
    if name is SignalName.knee_flexion:
        return 180.0 - _deg(compute_joint_angle(work.hip, work.knee, work.ankle))
    frame = compute_body_frame(points)
    mid_hip = (work.hip + rest.hip) / 2.0
    mid_shoulder = (work.shoulder + rest.shoulder) / 2.0
    return compute_hip_flexion(work, frame, mid_hip - mid_shoulder)


def _nanmedian(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.median(finite)) if finite else float("nan")


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
    thigh_lateral_deg: float
    hip_flexion_deg: float  # mean of both legs: the set-up's hip angle


@dataclass(frozen=True)
class PostureSnapshot:
    """Raw per-frame quantities a Reference is averaged from."""

    frame: BodyFrame
    hip_line: FloatArray
    other_thigh: FloatArray
    thigh_length: float
    feet_gap_abs: float
    leg_forward_deg: float
    thigh_lateral_deg: float
    hip_flexion_deg: float


def _leg_forward(limb: Limb, frame: BodyFrame) -> float:
    return _deg(compute_rotation_in_plane(limb.leg, -frame.up, frame.forward))


MIN_KNEE_BEND_DEG = 25.0


def _leg_plane_tilt(limb: Limb, left: FloatArray) -> float:
    """How far the plane of hip, knee and ankle is turned out of the body's sagittal plane
    (degrees, 0-90): the thigh rolling out (sartorius) or in (TFL) about the hip-ankle
    line. NaN when the knee is nearly straight and the plane is not defined."""
    thigh, shank = limb.thigh, limb.ankle - limb.knee
    bend = float(compute_angle_between(thigh, shank))
    if not np.isfinite(bend) or bend < MIN_KNEE_BEND_DEG:
        return float("nan")
    normal = normalize(cross(thigh, limb.ankle - limb.hip))
    return _deg(np.degrees(np.arccos(np.clip(abs(float(np.sum(normal * left))), 0.0, 1.0))))


def snapshot_posture(points: FloatArray, side: Side) -> PostureSnapshot:
    work, rest = extract_limb(points, side), extract_limb(points, other_side(side))
    frame = compute_body_frame(points)
    trunk_down = (work.hip + rest.hip) / 2.0 - (work.shoulder + rest.shoulder) / 2.0
    thigh_length = float((np.linalg.norm(work.thigh) + np.linalg.norm(rest.thigh)) / 2.0)
    flex = (
        compute_hip_flexion(work, frame, trunk_down) + compute_hip_flexion(rest, frame, trunk_down)
    ) / 2.0
    return PostureSnapshot(
        frame=frame,
        hip_line=normalize(orthogonal_part(work.hip - rest.hip, frame.up)),
        other_thigh=normalize(rest.thigh),
        thigh_length=thigh_length,
        feet_gap_abs=float(np.linalg.norm(work.ankle - rest.ankle)),
        leg_forward_deg=_leg_forward(work, frame),
        thigh_lateral_deg=_leg_plane_tilt(work, frame.left),
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
        thigh_lateral_deg=_nanmedian([s.thigh_lateral_deg for s in snapshots]),
        hip_flexion_deg=float(np.nanmedian([s.hip_flexion_deg for s in snapshots])),
    )


@dataclass(frozen=True)
class Compensations:
    """Baseline-relative compensation measures of one frame. NaN when not measurable."""

    pelvis_roll_back_deg: float  # the top/working hip rotating backwards about the trunk axis
    hip_hike_deg: float  # the top/working hip moving towards the shoulders
    feet_gap_change: float  # ankle distance growth, thigh lengths
    other_thigh_deg: float  # how far the bottom/other thigh turned
    leg_forward_deg: float  # working leg swinging forwards (hip flexion), degrees
    trunk_deg: float  # trunk line rotation
    thigh_lateral_deg: float  # leg plane turned out of the sagittal plane, from the start


def compute_compensations(points: FloatArray, ref: Reference) -> Compensations:
    work, rest = extract_limb(points, ref.side), extract_limb(points, other_side(ref.side))
    f = ref.frame
    hip_line = work.hip - rest.hip
    now = compute_body_frame(points)
    return Compensations(
        pelvis_roll_back_deg=_deg(compute_rotation_in_plane(hip_line, ref.hip_line, -f.forward)),
        hip_hike_deg=_deg(compute_rotation_in_plane(hip_line, ref.hip_line, f.up)),
        feet_gap_change=float(np.linalg.norm(work.ankle - rest.ankle)) / ref.thigh_length
        - ref.feet_gap,
        other_thigh_deg=_deg(compute_angle_between(rest.thigh, ref.other_thigh)),
        leg_forward_deg=_leg_forward(work, f) - ref.leg_forward_deg,
        trunk_deg=_deg(compute_angle_between(now.up, f.up)),
        thigh_lateral_deg=_leg_plane_tilt(work, f.left)
        - (ref.thigh_lateral_deg if np.isfinite(ref.thigh_lateral_deg) else 0.0),
    )
