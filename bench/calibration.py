"""Measurements that calibrate the synthetic body (`hipcoach.synthetic`) on real BlazePose
output: segment lengths, the resting gaps of a side-lying body, and landmark noise.

    python -m bench.calibration [--cache DIR] [--json out.json]

Inputs (never copied into the repository): the real clips in `../shared/data/real/` and the
rendered clips with exact truth in `../shared/data/rendered/`. BlazePose (the project's own
backend, tracking mode) runs on each clip once; its landmark CSVs are cached in `--cache`
(default: a temporary folder) so a second run takes seconds.

What is measured, and how:
- segments: per-frame distances between BlazePose WORLD landmarks (metres), median over
  the clip (hip = between the two hip landmarks, trunk = hip midpoint to shoulder midpoint);
- side-lying rest: knee, ankle and hip gaps (world, m) and the angle between the thighs
  over the clip's still spans at rest (`STILL_SPANS`, read off the clips; the clamshell's
  from its README's rep windows);
- noise on real clips: on each still span, each joint's deviation from a straight-line fit
  over the span; image deviations in fractions of the clip's image thigh length, world
  deviations in cm; and their autocorrelation at lags of 1-10 frames;
- noise on rendered clips: BlazePose's pixel position minus the exact truth, less its mean
  over the clip (the landmark's fixed offset from the joint centre), in fractions of the
  true image thigh length; autocorrelation likewise.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hipcoach.pose.landmark_csv import read_landmark_csv, write_landmark_csv
from hipcoach.pose.landmarks import PoseSeries

Array = NDArray[np.float64]
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REAL = SHARED / "real"
RENDERED = SHARED / "rendered"
LAGS = tuple(range(1, 11))
JOINTS = ("hip", "knee", "ankle")


@dataclass(frozen=True)
class StillSpans:
    """Still spans (s) of one real clip, the side lying uppermost (or working), and the
    joints that stay still in them ("all" legs, or only the other leg's)."""

    clip: str
    top: str
    spans: tuple[tuple[float, float], ...]
    still_legs: tuple[str, ...] = ("left", "right")


STILL_SPANS = (
    # clamshell: rests between the README's rep windows (2.4-3.0, 4.6-5.4, 7.0-8.0, 9.2-10.6,
    # 11.8-13.2, 14.4-15.6 s), 0.3 s clear of each
    StillSpans(
        "clamshell_banded",
        "right",
        ((1.2, 2.1), (3.7, 4.3), (5.9, 6.7), (8.5, 8.9), (11.1, 11.5), (13.7, 14.1)),
    ),
    # leg lift: still after lowering; the bottom leg is still for the whole clip
    StillSpans("side_lying_leg_lift", "left", ((4.3, 5.8),)),
    StillSpans("side_lying_leg_lift", "left", ((0.1, 5.8),), ("right",)),
    # heel slide: the held top (2.6-3.4 s) and the still end (5.8-6.6 s)
    StillSpans("heel_slide", "right", ((2.6, 3.4), (5.8, 6.6))),
)


def load_landmarks(video: Path, cache: Path) -> PoseSeries:
    """BlazePose landmarks of a clip, from the cache or by running the backend."""
    csv_path = cache / f"{video.parent.name}_{video.stem}.csv"
    if not csv_path.exists():
        from hipcoach.pose.source import open_recording

        samples = list(open_recording(video).samples())
        series = PoseSeries.from_frames([s.pose for s in samples], [s.t for s in samples])
        write_landmark_csv(series, csv_path)
    return read_landmark_csv(csv_path)


def image_size(video: Path) -> tuple[int, int]:
    from hipcoach.pose.video import probe_video

    info = probe_video(video)
    return info.width, info.height


def _pt(series: PoseSeries, name: str, space: str, size: tuple[int, int] | None = None) -> Array:
    arr = series.point(name, space)
    if space == "image":
        assert size is not None
        return arr[:, :2] * np.array(size, dtype=float)
    return arr


def segment_lengths(series: PoseSeries) -> dict[str, float]:
    """Median world distances (m) of the body's segments over the clip."""

    def dist(a: str, b: str) -> Array:
        return np.linalg.norm(_pt(series, a, "world") - _pt(series, b, "world"), axis=1)

    mid = {
        p: (_pt(series, f"left_{p}", "world") + _pt(series, f"right_{p}", "world")) / 2
        for p in ("hip", "shoulder")
    }
    out = {
        "thigh": float(np.nanmedian([dist(f"{s}_hip", f"{s}_knee") for s in ("left", "right")])),
        "shin": float(np.nanmedian([dist(f"{s}_knee", f"{s}_ankle") for s in ("left", "right")])),
        "hip_width": float(np.nanmedian(dist("left_hip", "right_hip"))),
        "shoulder_width": float(np.nanmedian(dist("left_shoulder", "right_shoulder"))),
        "trunk": float(np.nanmedian(np.linalg.norm(mid["shoulder"] - mid["hip"], axis=1))),
    }
    thigh = out["thigh"]
    out.update({f"{k}/thigh": v / thigh for k, v in list(out.items()) if k != "thigh"})
    return out


def span_mask(t: Array, spans: tuple[tuple[float, float], ...]) -> NDArray[np.bool_]:
    mask = np.zeros(t.shape, dtype=bool)
    for lo, hi in spans:
        mask |= (t >= lo) & (t <= hi)
    return mask


def _angle(a: Array, b: Array) -> Array:
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def resting_gaps(series: PoseSeries, mask: NDArray[np.bool_]) -> dict[str, float]:
    """Side-lying rest: knee/ankle/hip gaps (world m) and the angle between the thighs
    (deg), medians over the masked frames."""

    def w(name: str) -> Array:
        return _pt(series, name, "world")[mask]

    out = {
        f"{p}_gap_m": float(np.nanmedian(np.linalg.norm(w(f"left_{p}") - w(f"right_{p}"), axis=1)))
        for p in ("hip", "knee", "ankle")
    }
    thighs = _angle(w("left_knee") - w("left_hip"), w("right_knee") - w("right_hip"))
    out["thigh_angle_deg"] = float(np.nanmedian(thighs))
    return out


def autocorrelation(residuals: list[Array], lags: tuple[int, ...] = LAGS) -> list[float]:
    """Pooled autocorrelation of zero-mean residual runs (each (time,)) at the given lags."""
    var = sum(float(np.sum(r * r)) for r in residuals)
    out = []
    for lag in lags:
        num = sum(float(np.sum(r[lag:] * r[:-lag])) for r in residuals if len(r) > lag)
        den = sum(float(np.sum(r * r)) for r in residuals if len(r) > lag)
        out.append(num / den if den > 0 and var > 0 else float("nan"))
    return out


def _detrend(y: Array) -> Array:
    x = np.arange(len(y), dtype=float)
    ok = np.isfinite(y)
    if ok.sum() < 3:
        return np.full_like(y, np.nan)
    fit = np.polyfit(x[ok], y[ok], 1)
    return y - np.polyval(fit, x)


@dataclass
class NoiseSample:
    """Residual runs (one per span and axis) of one joint, and its mean visibility."""

    image: list[Array]
    world: list[Array]
    visibility: float


def still_noise(
    series: PoseSeries, still: StillSpans, size: tuple[int, int]
) -> dict[str, NoiseSample]:
    """Per leg joint: residuals about a straight line over each still span; image in
    fractions of the image thigh length, world in cm."""
    thigh_px = float(
        np.nanmedian(
            [
                np.linalg.norm(
                    _pt(series, f"{s}_hip", "image", size)
                    - _pt(series, f"{s}_knee", "image", size),
                    axis=1,
                )
                for s in ("left", "right")
            ]
        )
    )
    out: dict[str, NoiseSample] = {}
    for side in still.still_legs:
        for joint in JOINTS:
            name = f"{side}_{joint}"
            img = _pt(series, name, "image", size) / thigh_px
            wld = _pt(series, name, "world") * 100.0
            sample = NoiseSample([], [], 0.0)
            vis = []
            for lo, hi in still.spans:
                m = (series.t >= lo) & (series.t <= hi)
                for axis in range(2):
                    sample.image.append(_detrend(img[m, axis]))
                for axis in range(3):
                    sample.world.append(_detrend(wld[m, axis]))
                vis.append(series.visibility[m, series_index(name)])
            sample.visibility = float(np.nanmean(np.concatenate(vis)))
            out[name] = sample
    return out


def series_index(name: str) -> int:
    from hipcoach.pose.landmarks import landmark_index

    return landmark_index(name)


def rms(runs: list[Array]) -> float:
    flat = np.concatenate([r[np.isfinite(r)] for r in runs]) if runs else np.array([])
    return float(np.sqrt(np.mean(flat**2))) if flat.size else float("nan")


def _clean(runs: list[Array]) -> list[Array]:
    return [r[np.isfinite(r)] for r in runs if np.isfinite(r).sum() > 3]


@dataclass(frozen=True)
class RenderedError:
    clip: str
    fps: float
    detected: float
    joint: str
    error_px: float
    """Median distance (px) between BlazePose and the true joint."""
    jitter: float
    """RMS of the error about its mean, per axis, fraction of the true image thigh."""
    autocorr: list[float]


def rendered_errors(truth_path: Path, cache: Path) -> list[RenderedError]:
    """BlazePose against the exact truth of one rendered clip, per hip, knee and ankle."""
    truth = json.loads(truth_path.read_text())
    video = truth_path.with_name(truth_path.name.replace(".truth.json", ".mp4"))
    series = load_landmarks(video, cache)
    size = tuple(truth["resolution"])
    frames = truth["frames"][: len(series)]
    n = len(frames)
    top = truth["top_side"]
    thigh_px = float(
        np.median(
            [
                np.hypot(
                    *np.subtract(f["joints"][f"{top}_hip"]["px"], f["joints"][f"{top}_knee"]["px"])
                )
                for f in frames
            ]
        )
    )
    detected = np.isfinite(series.image[:n, 0, 0])
    out = []
    for side in ("left", "right"):
        for joint in JOINTS:
            name = f"{side}_{joint}"
            true_px = np.array([f["joints"][name]["px"] for f in frames])
            seen = _pt(series, name, "image", size)[:n]  # type: ignore[arg-type]
            err = seen - true_px
            ok = detected & np.isfinite(err).all(axis=1)
            if ok.sum() < 10:
                continue
            centred = err[ok] - err[ok].mean(axis=0)
            runs = [centred[:, 0] / thigh_px, centred[:, 1] / thigh_px]
            out.append(
                RenderedError(
                    clip=truth_path.name.replace(".truth.json", ""),
                    fps=float(truth["fps"]),
                    detected=float(detected.mean()),
                    joint=name + (" (top)" if side == top else " (bottom)"),
                    error_px=float(np.median(np.linalg.norm(err[ok], axis=1))),
                    jitter=rms(runs),
                    autocorr=autocorrelation(runs, (1, 2, 3, 5)),
                )
            )
    return out


def measure(cache: Path) -> dict[str, object]:
    """Every figure `docs/synthetic-body.md` quotes, as plain data."""
    result: dict[str, object] = {"segments": {}, "rest": {}, "noise": [], "rendered": []}
    for clip in ("clamshell_banded", "side_lying_leg_lift", "heel_slide", "pose_squats"):
        series = load_landmarks(REAL / f"{clip}.mp4", cache)
        result["segments"][clip] = segment_lengths(series)  # type: ignore[index]
    for still in STILL_SPANS:
        video = REAL / f"{still.clip}.mp4"
        series = load_landmarks(video, cache)
        if still.still_legs == ("left", "right") and still.clip != "heel_slide":
            gaps = resting_gaps(series, span_mask(series.t, still.spans))
            result["rest"][still.clip] = gaps  # type: ignore[index]
        for name, sample in still_noise(series, still, image_size(video)).items():
            image, world = _clean(sample.image), _clean(sample.world)
            result["noise"].append(  # type: ignore[attr-defined]
                {
                    "clip": still.clip,
                    "joint": name + (" (top)" if name.startswith(still.top) else " (other)"),
                    "visibility": sample.visibility,
                    "image_thigh": rms(image),
                    "world_cm": rms(world),
                    "image_autocorr": autocorrelation(image),
                    "world_autocorr": autocorrelation(world),
                    "frames": int(sum(len(r) for r in image) // 2),
                }
            )
    for truth_path in sorted(RENDERED.glob("*.truth.json")):
        for err in rendered_errors(truth_path, cache):
            result["rendered"].append(err.__dict__)  # type: ignore[attr-defined]
    return result


def _print(result: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=180)
    seg = Table(title="segments (BlazePose world, median over the clip)")
    segments: dict[str, dict[str, float]] = result["segments"]  # type: ignore[assignment]
    keys = list(next(iter(segments.values())))
    for col in ("clip", *keys):
        seg.add_column(col)
    for clip, values in segments.items():
        seg.add_row(clip, *(f"{values[k]:.3f}" for k in keys))
    console.print(seg)
    rest = Table(title="side-lying rest (world, median over still spans)")
    rests: dict[str, dict[str, float]] = result["rest"]  # type: ignore[assignment]
    for col in ("clip", "hip_gap_m", "knee_gap_m", "ankle_gap_m", "thigh_angle_deg"):
        rest.add_column(col)
    for clip, values in rests.items():
        rest.add_row(clip, *(f"{v:.3f}" for v in values.values()))
    console.print(rest)
    noise = Table(title="still-span noise (about a line per span); autocorr at lags 1,2,3,5,10")
    for col in (
        "clip",
        "joint",
        "vis",
        "frames",
        "image/thigh",
        "image ac",
        "world cm",
        "world ac",
    ):
        noise.add_column(col)
    for row in result["noise"]:  # type: ignore[attr-defined]
        ac_i = ",".join(f"{row['image_autocorr'][k - 1]:.2f}" for k in (1, 2, 3, 5, 10))
        ac_w = ",".join(f"{row['world_autocorr'][k - 1]:.2f}" for k in (1, 2, 3, 5, 10))
        noise.add_row(
            row["clip"], row["joint"], f"{row['visibility']:.2f}", str(row["frames"]),
            f"{row['image_thigh']:.3f}", ac_i, f"{row['world_cm']:.2f}", ac_w,
        )  # fmt: skip
    console.print(noise)
    rend = Table(title="rendered clips: BlazePose minus exact truth (image)")
    for col in ("clip", "fps", "found", "joint", "median px", "jitter/thigh", "ac 1,2,3,5"):
        rend.add_column(col)
    for row in result["rendered"]:  # type: ignore[attr-defined]
        rend.add_row(
            row["clip"], f"{row['fps']:g}", f"{row['detected']:.2f}", row["joint"],
            f"{row['error_px']:.1f}", f"{row['jitter']:.3f}",
            ",".join(f"{a:.2f}" for a in row["autocorr"]),
        )  # fmt: skip
    console.print(rend)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calibration")
    parser.add_argument("--cache", type=Path, default=None, help="folder for landmark CSVs")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    cache = args.cache or Path(tempfile.mkdtemp(prefix="hipcoach-calibration-"))
    cache.mkdir(parents=True, exist_ok=True)
    result = measure(cache)
    _print(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
