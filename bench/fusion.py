"""Image and world coordinates fused per set, against world alone, on rendered clamshells.

Image x, y are mapped to metres by a least-squares scale fitted on the clip's resting
frames (both hip-centred), and each source is weighted by its own resting spread in that
clip; the clamshell signal is computed on world and on fused points and compared with the
render's exact hip rotation (see docs/engine.md for why world alone stays the default).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

RENDERED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "rendered"
CLIPS = ("clam_good_front", "clam_comp_front", "clam_good_feet40")
JOINTS = [f"{s}_{j}" for s in ("left", "right") for j in ("hip", "knee", "ankle", "shoulder")]


def _landmarks(clip: Path, out: Path) -> Path:
    from hipcoach.pose.landmark_csv import LandmarkCsvWriter
    from hipcoach.pose.source import open_recording

    with LandmarkCsvWriter(out) as writer:
        for sample in open_recording(clip).samples():
            writer.write(sample.pose, sample.t)
    return out


def _hip_centred(points: np.ndarray, index: dict[str, int]) -> np.ndarray:
    centre = (points[:, index["left_hip"]] + points[:, index["right_hip"]]) / 2.0
    return points - centre[:, None]


def measure_clip(stem: str, tmp: Path) -> dict[str, object]:
    from hipcoach.exercises.schema import SignalName
    from hipcoach.features.measures import compute_signal
    from hipcoach.pose.landmark_csv import read_landmark_csv
    from hipcoach.pose.landmarks import LANDMARK_INDEX

    truth = json.loads((RENDERED / f"{stem}.truth.json").read_text())
    series = read_landmark_csv(_landmarks(RENDERED / f"{stem}.mp4", tmp / f"{stem}.csv"))
    assert series.world is not None
    width, height = truth["resolution"]
    image = _hip_centred(series.image[:, :, :2] * np.array([width, height]), LANDMARK_INDEX)
    world = series.world
    world_xy = _hip_centred(world[:, :, :2], LANDMARK_INDEX)
    frames = truth["frames"]
    rest = np.array([f["open_frac"] == 0 for f in frames])
    top = np.array([f["open_frac"] > 0.95 for f in frames])
    idx = [LANDMARK_INDEX[n] for n in JOINTS]
    ci, cw = image[rest][:, idx], world_xy[rest][:, idx]
    scale = float((ci * cw).sum() / (ci**2).sum())
    still = np.flatnonzero(rest)[:12]
    var_image = float(
        ((scale * image[still][:, idx] - scale * image[still][:, idx].mean(0)) ** 2).mean()
    )
    var_world = float(((world_xy[still][:, idx] - world_xy[still][:, idx].mean(0)) ** 2).mean())
    weight = (1 / var_image) / (1 / var_image + 1 / var_world)
    fused = world.copy()
    fused[:, :, :2] = world[:, :, :2] - world_xy + weight * scale * image + (1 - weight) * world_xy
    true_turn = np.array([f["hip_rot_deg"] for f in frames])
    row: dict[str, object] = {"clip": stem, "image weight": f"{weight:.2f}"}
    for label, points in (("world", world), ("fused", fused)):
        signal = np.array(
            [compute_signal(SignalName.knee_opening, p, truth["top_side"]) for p in points]
        )
        row[f"{label}: rest sd / opening (deg)"] = (
            f"{signal[rest].std():.2f} / {signal[top].mean() - signal[rest].mean():.1f}"
        )
    row["true opening (deg)"] = f"{true_turn[top].mean() - true_turn[rest].mean():.1f}"
    return row


def run_fusion() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        return [
            measure_clip(stem, Path(tmp)) for stem in CLIPS if (RENDERED / f"{stem}.mp4").exists()
        ]
