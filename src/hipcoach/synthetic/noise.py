"""What turns exact synthetic landmarks into MediaPipe-like output: visibility from
occlusion and framing, smooth noise and drift, dropouts, frames without a person, and
hidden legs for an incomplete view. All randomness comes from the caller's generator."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.signal import lfilter

from hipcoach.pose.landmarks import LANDMARK_NAMES, N_LANDMARKS, landmark_index, landmark_indices
from hipcoach.synthetic.body import Array
from hipcoach.synthetic.camera import Camera
from hipcoach.synthetic.scenario import NoiseModel

LEG_JOINTS = tuple(
    f"{s}_{p}" for s in ("left", "right") for p in ("knee", "ankle", "heel", "foot_index")
)
"""The joints an incomplete view hides: without them no exercise can be measured."""
DROPOUT_CANDIDATES = (
    *(f"{s}_{p}" for s in ("left", "right") for p in ("elbow", "wrist", "pinky", "index", "thumb")),
    *LEG_JOINTS,
)

# (from, to, radius as a fraction of height, group). A landmark is never hidden by a
# segment it ends. Arms are too thin to hide anything MediaPipe cannot infer, so only the
# torso and the legs cover other landmarks (the far limb behind the body or the near leg).
_SEGMENTS: tuple[tuple[str, str, float, str], ...] = (
    ("left_hip", "left_shoulder", 0.06, "torso"),
    ("right_hip", "right_shoulder", 0.06, "torso"),
    ("left_hip", "right_hip", 0.05, "torso"),
    ("left_shoulder", "right_shoulder", 0.04, "torso"),
    *(
        seg
        for s in ("left", "right")
        for seg in (
            (f"{s}_hip", f"{s}_knee", 0.045, f"{s}_leg"),
            (f"{s}_knee", f"{s}_ankle", 0.03, f"{s}_leg"),
            (f"{s}_heel", f"{s}_foot_index", 0.02, f"{s}_leg"),
        )
    ),
)
_FACE = tuple(n for n in LANDMARK_NAMES[:11])


def _group(name: str) -> str:
    if name in _FACE:
        return "head"
    side, _, part = name.partition("_")
    if part in ("shoulder", "hip"):
        return "torso"
    if part in ("knee", "ankle", "heel", "foot_index"):
        return f"{side}_leg"
    return f"{side}_arm"


def occlusion_mask(camera: Camera, scene: Array, height: float) -> Array:
    """(time, landmark) True where a body part nearer the camera covers the landmark, or a
    face point sits on the far side of the head."""
    cam = camera.to_camera(scene)
    px = camera.project(scene) * np.array(camera.size)
    hidden = np.zeros(scene.shape[:2], dtype=bool)
    groups = [_group(n) for n in LANDMARK_NAMES]
    for a_name, b_name, radius, group in _SEGMENTS:
        a, b = landmark_index(a_name), landmark_index(b_name)
        ab = px[:, b] - px[:, a]
        length2 = np.maximum(np.sum(ab**2, axis=1), 1e-9)[:, None]
        tau = np.clip(np.sum((px - px[:, a, None]) * ab[:, None], axis=2) / length2, 0, 1)
        closest = px[:, a, None] + tau[..., None] * ab[:, None]
        dist = np.linalg.norm(px - closest, axis=2)
        depth = cam[:, a, 2, None] + tau * (cam[:, b, 2] - cam[:, a, 2])[:, None]
        r_px = radius * height * camera.focal_px / np.maximum(depth, 1e-3)
        covers = (dist < r_px) & (depth - radius * height < cam[..., 2] - 0.02)
        own = np.array(
            [
                n in (a_name, b_name) or g == group != "torso"
                for n, g in zip(LANDMARK_NAMES, groups, strict=True)
            ]
        )
        hidden |= covers & ~own[None, :]
    ears = landmark_indices(["left_ear", "right_ear"])
    centre = cam[:, ears].mean(axis=1)
    face = landmark_indices(_FACE)
    normal = cam[:, face] - centre[:, None]
    normal /= np.linalg.norm(normal, axis=2, keepdims=True)
    ray = cam[:, face] / np.linalg.norm(cam[:, face], axis=2, keepdims=True)
    hidden[:, face] |= np.sum(normal * ray, axis=2) > 0.3
    return hidden


def smooth_noise(
    rng: np.random.Generator, shape: tuple[int, ...], tau_s: float, dt: float
) -> Array:
    """Unit-variance noise along axis 0, low-passed with time constant `tau_s` (AR(1))."""
    a = float(np.exp(-dt / max(tau_s, 1e-6)))
    burn = int(min(5 * tau_s / dt, 2000)) + 1
    white = rng.standard_normal((shape[0] + burn, *shape[1:]))
    out = lfilter([np.sqrt(1 - a * a)], [1.0, -a], white, axis=0)
    return np.asarray(out[burn:], dtype=float)


_TORSO = landmark_indices([f"{s}_{p}" for s in ("left", "right") for p in ("shoulder", "hip")])
_HANDS = landmark_indices(
    [f"{s}_{p}" for s in ("left", "right") for p in ("wrist", "pinky", "index", "thumb")]
)


def visibility(
    image: Array, hidden: Array, noise: NoiseModel, rng: np.random.Generator, dt: float
) -> Array:
    """MediaPipe-like visibility, shaped on the real clips in `shared/data/real` (BlazePose
    full): shoulders and hips stay near 1 even behind the body; a covered limb joint reads
    about 0.4-0.85 and a covered hand lower still; anything off the image is low."""
    n = image.shape[0]
    seen = rng.uniform(0.93, 0.995, N_LANDMARKS)
    covered = rng.uniform(0.45, 0.85, N_LANDMARKS)
    covered[_HANDS] = rng.uniform(0.1, 0.45, len(_HANDS))
    wobble = smooth_noise(rng, (n, N_LANDMARKS), 0.5, dt) * (noise.image_sigma > 0)
    covered_now = np.clip(covered + 0.08 * wobble, 0.35, 0.9)
    covered_now[:, _HANDS] = np.clip(covered[_HANDS] + 0.08 * wobble[:, _HANDS], 0.05, 0.5)
    vis = np.where(hidden, covered_now, np.clip(seen + 0.01 * wobble, 0.9, 0.999))
    vis[:, _TORSO] = np.clip(seen[_TORSO] + 0.01 * wobble[:, _TORSO], 0.9, 0.999)
    xy = image[..., :2]
    outside = np.max(np.concatenate([-xy, xy - 1.0], axis=-1), axis=-1)
    return np.where(outside > 0, np.clip(0.3 - 2.0 * outside, 0.02, 0.3), vis)


def add_noise(
    image: Array,
    world: Array,
    hidden: Array,
    noise: NoiseModel,
    rng: np.random.Generator,
    dt: float,
    thigh_image: Array,
) -> tuple[Array, Array]:
    """Jitter plus slow drift, larger for covered landmarks and along depth, smaller for
    hips and shoulders. `thigh_image` (time, 2) is the thigh's length in normalised image
    units along x and y (image sigmas are fractions of it). BlazePose noise is low-passed
    (`smooth_s`, `drift_s`); white noise has the same total size, independent per frame."""
    shape = image.shape
    scale = np.where(hidden, noise.occluded_factor, 1.0)
    scale[:, _TORSO] *= noise.torso_factor
    fast, slow = _parts(rng, shape, noise, dt)
    unit = np.concatenate([thigh_image, noise.depth_factor * thigh_image[:, :1]], axis=1)
    img = image + scale[..., None] * unit[:, None, :] * (
        noise.image_sigma * fast + noise.image_drift * slow
    )
    fast, slow = _parts(rng, shape, noise, dt)
    world_sigma = np.array([noise.world_sigma_xy, noise.world_sigma_xy, noise.world_sigma_z])
    wld = world + scale[..., None] * world_sigma * (0.8 * fast + 0.6 * slow)
    return img, wld


def _parts(
    rng: np.random.Generator, shape: tuple[int, ...], noise: NoiseModel, dt: float
) -> tuple[Array, Array]:
    """Unit-variance fast and slow noise; for white noise both are independent per frame."""
    if noise.kind == "white":
        return rng.standard_normal(shape), rng.standard_normal(shape)
    return smooth_noise(rng, shape, noise.smooth_s, dt), smooth_noise(rng, shape, noise.drift_s, dt)


def _runs(
    rng: np.random.Generator,
    n_frames: int,
    duration_s: float,
    per_min: float,
    frames: tuple[int, int],
) -> list[slice]:
    count = rng.poisson(per_min * duration_s / 60.0) if per_min > 0 else 0
    runs = []
    for _ in range(count):
        length = int(rng.integers(frames[0], frames[1] + 1))
        start = int(rng.integers(0, max(1, n_frames - length)))
        runs.append(slice(start, start + length))
    return runs


def add_dropouts(
    image: Array,
    world: Array,
    vis: Array,
    noise: NoiseModel,
    rng: np.random.Generator,
    duration_s: float,
) -> None:
    """In place: short runs where a few hand or leg landmarks jump and lose visibility."""
    candidates = landmark_indices(DROPOUT_CANDIDATES)
    for run in _runs(rng, image.shape[0], duration_s, noise.dropouts_per_min, noise.dropout_frames):
        chosen = rng.choice(candidates, size=int(rng.integers(2, 6)), replace=False)
        direction = rng.standard_normal((len(chosen), 3))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        image[run, chosen] += direction * rng.uniform(0.03, 0.1, (len(chosen), 1))
        world[run, chosen] += direction * rng.uniform(0.1, 0.3, (len(chosen), 1))
        vis[run, chosen] = rng.uniform(0.05, 0.28, (run.stop - run.start, len(chosen)))


def add_gaps(
    image: Array,
    world: Array,
    vis: Array,
    noise: NoiseModel,
    rng: np.random.Generator,
    duration_s: float,
) -> None:
    """In place: short runs of frames with no person at all (NaN, visibility 0)."""
    for run in _runs(rng, image.shape[0], duration_s, noise.gaps_per_min, noise.gap_frames):
        image[run] = np.nan
        world[run] = np.nan
        vis[run] = 0.0


def hide_legs(image: Array, vis: Array, window: NDArray[np.bool_], rng: np.random.Generator) -> str:
    """In place, during `window` (bool per frame): the legs leave the picture, either
    because the person is too close to the camera (the picture is cropped around the
    shoulders, so the legs fall outside it) or because something covers them. Returns
    the way it was done: "cropped" or "covered"."""
    legs = np.array(landmark_indices(LEG_JOINTS))
    shoulders = landmark_indices(["left_shoulder", "right_shoulder"])
    centre = image[:, shoulders, :2].mean(axis=1)
    offset = image[:, legs, :2] - centre[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(
            offset > 0, (1.05 - centre[:, None]) / offset, (-0.05 - centre[:, None]) / offset
        )
    need = np.where(np.abs(offset) > 1e-4, need, np.inf).min(axis=2)
    zoom = float(np.nanmax(need[window])) * 1.1 if window.any() else 1.0
    if rng.random() < 0.5 and zoom < 6.0:
        c = centre[window][:, None]
        image[window, :, :2] = c + zoom * (image[window, :, :2] - c)
        image[window, :, 2] *= zoom
        xy = image[window, :, :2]
        outside = np.max(np.concatenate([-xy, xy - 1.0], axis=-1), axis=-1)
        vis[window] = np.where(outside > 0, np.clip(0.3 - 2.0 * outside, 0.02, 0.18), vis[window])
        return "cropped"
    rows = np.flatnonzero(window)
    vis[np.ix_(rows, legs)] = rng.uniform(0.02, 0.18, (len(rows), len(legs)))
    image[np.ix_(rows, legs)] += 0.02 * rng.standard_normal((len(rows), len(legs), 3))
    return "covered"
