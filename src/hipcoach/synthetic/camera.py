"""Placing the body in a room and looking at it with a pinhole camera.

Scene frame: metres, floor at z = 0, z up. Camera frame (OpenCV): x right, y down, z along
the optical axis. Outputs follow MediaPipe: image x, y normalised to [0, 1] of the width
and height; image z is depth relative to the hip midpoint in the same scale as x; world
landmarks are metres with the origin at the hip midpoint and camera-aligned axes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipcoach.synthetic.body import Array
from hipcoach.synthetic.specs import Posture

UP = np.array([0.0, 0.0, 1.0])
ELEVATION_DEG: dict[tuple[Posture, str], float] = {
    ("side_lying", "front"): 8.0,
    ("side_lying", "foot_end"): 12.0,
    ("side_lying", "foot_end_oblique"): 8.0,
    ("supine", "side"): 12.0,
    ("supine", "oblique"): 15.0,
    ("seated", "side"): 3.0,
    ("seated", "oblique"): 3.0,
    ("standing", "front"): 0.0,
    ("standing", "side"): 0.0,
}
OBLIQUE_DEG = 30.0
SWUNG_DEG = 40.0
"""`foot_end_oblique`: the feet-end camera swung this far towards the body's front; raised
~0.5 m at ~2.7 m like the rendered `*_feet40` clips (`ELEVATION_DEG`)."""


@dataclass(frozen=True)
class Camera:
    """A pinhole camera: `rotation` rows are the camera's right, down and forward axes in
    the scene; `focal_px` applies to both axes (square pixels)."""

    position: Array
    rotation: Array
    focal_px: float
    size: tuple[int, int]

    def to_camera(self, points: Array) -> Array:
        """Scene points (..., 3) in camera coordinates (metres)."""
        return (points - self.position) @ self.rotation.T

    def project(self, points: Array) -> Array:
        """Scene points (..., 3) -> normalised image (x, y) (..., 2). Points behind the
        camera come out as NaN."""
        cam = self.to_camera(points)
        width, height = self.size
        depth = np.where(cam[..., 2] > 1e-6, cam[..., 2], np.nan)
        u = width / 2 + self.focal_px * cam[..., 0] / depth
        v = height / 2 + self.focal_px * cam[..., 1] / depth
        return np.stack([u / width, v / height], axis=-1)


def look_at(position: Array, target: Array, focal_px: float, size: tuple[int, int]) -> Camera:
    """A level camera at `position` aimed at `target` (never straight up or down)."""
    forward = target - position
    forward = forward / np.linalg.norm(forward)
    right = np.cross(forward, UP)
    right = right / np.linalg.norm(right)
    down = np.cross(forward, right)
    return Camera(np.asarray(position, float), np.stack([right, down, forward]), focal_px, size)


def focal_from_fov(size: tuple[int, int], fov_deg: float) -> float:
    """Focal length in pixels for a field of view across the image's longer side."""
    return max(size) / 2 / np.tan(np.radians(fov_deg) / 2)


def body_to_scene(posture: Posture, side: str) -> tuple[Array, float]:
    """Rotation (3, 3) whose columns are the body's forward, left and head axes in the
    scene, and the resting height (m, as a fraction of standing height) of the hip midpoint.
    Lying on the side, the working side is up; lying on the back, the belly is up."""
    lateral_up = 1.0 if side == "left" else -1.0
    if posture == "side_lying":
        forward, left, hip_height = np.array([0.0, -1.0, 0.0]), lateral_up * UP, 0.115
    elif posture == "supine":
        forward, left, hip_height = UP.copy(), np.array([0.0, 1.0, 0.0]), 0.06
    elif posture == "seated":
        forward, left, hip_height = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), 0.3
    else:
        forward, left, hip_height = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), 0.53
    head = np.cross(forward, left)
    return np.stack([forward, left, head], axis=1), hip_height


def _horizontal(v: Array) -> Array:
    h = v - UP * (v @ UP)
    n = np.linalg.norm(h)
    return h / n if n > 1e-9 else h


def view_direction(
    posture: Posture,
    view: str,
    body_rot: Array,
    side: str,
    on_working_side: bool,
    azimuth_jitter_deg: float,
    elevation_deg: float,
) -> Array:
    """Unit vector from the body towards the camera. Built from the body's own axes, so a
    mirrored body gets the mirrored camera."""
    belly, left, head = body_rot[:, 0], body_rot[:, 1], body_rot[:, 2]
    working = left if side == "left" else -left
    lying = posture in ("side_lying", "supine")
    if view == "front":
        d = belly
    elif view == "foot_end":
        d = -head
    elif view == "foot_end_oblique":
        a = np.radians(SWUNG_DEG)
        d = np.cos(a) * -head + np.sin(a) * belly
    else:
        d = working if on_working_side else -working
        if view == "oblique":
            toward = -head if lying else belly
            a = np.radians(OBLIQUE_DEG)
            d = np.cos(a) * _horizontal(d) + np.sin(a) * _horizontal(toward)
    d = _horizontal(d)
    companion = _horizontal(np.cross(UP, d))
    reference = (head if lying else belly) + 0.5 * working + 0.25 * belly
    if companion @ reference < 0:
        companion = -companion
    az, el = np.radians(azimuth_jitter_deg), np.radians(elevation_deg)
    d = np.cos(az) * d + np.sin(az) * companion
    return np.cos(el) * d + np.sin(el) * UP


def fit_camera(
    scene: Array,
    direction: Array,
    focal_px: float,
    size: tuple[int, int],
    margin: float,
) -> Camera:
    """Aim at the middle of everything the body does and back off until every landmark of
    every frame in `scene` (time, landmark, 3) lies at least `margin` inside the image."""
    flat = scene.reshape(-1, 3)
    target = (flat.min(axis=0) + flat.max(axis=0)) / 2
    sample = scene[:: max(1, scene.shape[0] // 200)].reshape(-1, 3)

    def fits(distance: float) -> bool:
        cam = look_at(target + distance * direction, target, focal_px, size)
        if np.any(cam.to_camera(sample)[:, 2] < 0.3):
            return False
        xy = cam.project(sample)
        return bool(np.all((xy >= margin) & (xy <= 1 - margin)))

    near, far = 0.3, 20.0
    for _ in range(40):
        mid = (near + far) / 2
        near, far = (near, mid) if fits(mid) else (mid, far)
    return look_at(target + far * direction, target, focal_px, size)


def observe(camera: Camera, scene: Array, hip_mid: Array) -> tuple[Array, Array]:
    """MediaPipe-style image (time, landmark, 3) and world (time, landmark, 3) landmarks of
    scene points (time, landmark, 3) whose hip midpoint is `hip_mid` (time, 3)."""
    width = camera.size[0]
    cam = camera.to_camera(scene)
    hip_depth = camera.to_camera(hip_mid)[:, 2][:, None]
    xy = camera.project(scene)
    z = (cam[..., 2] - hip_depth) * camera.focal_px / (hip_depth * width)
    image = np.concatenate([xy, z[..., None]], axis=-1)
    world = (scene - hip_mid[:, None, :]) @ camera.rotation.T
    return image, world
