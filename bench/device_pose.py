"""Pose on the device against the server's pose, on the real clips fed as Chromium's camera.

Each clip is written as a y4m with its frame index drawn as a 10-bit barcode in a strip
below the picture (so both sides see the same pixels and every browser result can be
matched to its frame). Chromium plays it as the fake camera; in the page, the app's own
`HipDevicePose` (static/device_pose.js, @mediapipe/pose) poses each new camera frame, with
the clip's true time as the frame's time. The Python backend (`MediaPipePoseEstimator`,
mediapipe 0.10.14, BlazePose full) poses every frame of the same padded clip.

Reported per clip: image error (pixels) and world error (cm) over the body joints the
reference sees (visibility >= 0.5), p50/p95; and the engine's answers (rep count, working
side, cues) from each side's landmarks. The browser skips frames while it is busy (it
poses the newest frame): the engine runs on the frames it posed, at their true times, as
the live socket would receive them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.browser import chromium_executable, chromium_with_camera, serve_in_thread
from hipcoach.pose.landmarks import LANDMARK_INDEX, PoseFrame
from hipcoach.pose.source import PoseSample

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real"
CLIPS: dict[str, str] = {
    "side_lying_leg_lift": "side_lying_leg_lift",
    "clamshell_banded": "clamshell",
    "heel_slide": "heel_slide",
}
"""Clip stem -> the exercise it shows."""
BITS = 10
STRIP = 16
BODY_JOINTS = [
    f"{side}_{part}"
    for part in ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")
    for side in ("left", "right")
]
# Kept from the bench's own launch: media may play without a user gesture.
AUTOPLAY = ("--autoplay-policy=no-user-gesture-required",)


@dataclass
class Reference:
    """The Python backend's poses of every frame of a padded clip."""

    size: tuple[int, int]
    fps: float
    poses: list[PoseFrame | None] = field(default_factory=list)


def write_indexed_y4m(clip: Path, out: Path, play_fps: int) -> Reference:
    """Pad each frame with a barcode strip of its index, write a y4m played at `play_fps`,
    and pose every padded frame with the Python backend."""
    import cv2

    from hipcoach.pose.mediapipe_backend import MediaPipePoseEstimator

    cap = cv2.VideoCapture(str(clip))
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    reference: Reference | None = None
    with MediaPipePoseEstimator() as estimator, out.open("wb") as handle:
        index = 0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            h, w = (d - d % 2 for d in bgr.shape[:2])
            if reference is None:
                reference = Reference(size=(w, h + STRIP), fps=fps)
                handle.write(
                    f"YUV4MPEG2 W{w} H{h + STRIP} F{play_fps}:1 Ip A1:1 C420jpeg\n".encode()
                )
            padded = np.vstack([bgr[:h, :w], barcode(index, w)])
            i420 = cv2.cvtColor(padded, cv2.COLOR_BGR2YUV_I420)
            # The reference sees what the camera delivers: the 4:2:0 frame, not the original.
            rgb = np.ascontiguousarray(cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420))
            reference.poses.append(estimator.estimate(rgb, index / fps))
            handle.write(b"FRAME\n")
            handle.write(i420.tobytes())
            index += 1
    cap.release()
    assert reference is not None, f"{clip} gave no frames"
    return reference


def barcode(index: int, width: int) -> np.ndarray:
    """A STRIP-high BGR strip: BITS blocks, white for 1, most significant bit first."""
    strip = np.zeros((STRIP, width, 3), np.uint8)
    block = width // BITS
    for bit in range(BITS):
        if index >> (BITS - 1 - bit) & 1:
            strip[:, bit * block : (bit + 1) * block] = 255
    return strip


# Runs in the page: pose each new camera frame once, from the clip's first frame through
# one full pass, with the clip's own time; the frame index is read from the barcode.
HARNESS_JS = """async ({model, bits, strip, fps, maxMs}) => {
  const est = await HipDevicePose.create(model);
  const video = document.createElement('video');
  video.muted = true; video.playsInline = true;
  video.srcObject = await navigator.mediaDevices.getUserMedia({video: true, audio: false});
  await video.play();
  let frames = 0;
  video.requestVideoFrameCallback(function onFrame() {
    frames += 1; video.requestVideoFrameCallback(onFrame);
  });
  const grab = document.createElement('canvas');
  const ctx = grab.getContext('2d', {willReadFrequently: true});
  const readIndex = () => {
    const block = Math.floor(grab.width / bits), row = grab.height - strip / 2;
    let index = 0;
    for (let bit = 0; bit < bits; bit++) {
      const px = ctx.getImageData(bit * block + block / 2, row, 1, 1).data;
      index = index * 2 + ((px[0] + px[1] + px[2]) / 3 > 128 ? 1 : 0);
    }
    return index;
  };
  const out = [], times = [];
  let seen = 0, last = -1, started = false, origin = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    while (frames === seen) await new Promise((r) => setTimeout(r, 2));
    seen = frames;
    if (grab.width !== video.videoWidth) {
      grab.width = video.videoWidth; grab.height = video.videoHeight;
    }
    ctx.drawImage(video, 0, 0);
    const index = readIndex();
    if (!started) {
      if (index > 2) continue;
      started = true; origin = performance.now() + 1000;
    }
    if (index < last) break;
    if (index === last) continue;
    last = index;
    const a = performance.now();
    const pose = await est.estimate(grab, origin + index * 1000 / fps);
    times.push(performance.now() - a);
    out.push({index, message: HipDevicePose.toMessage(pose, index / fps)});
  }
  est.close();
  return {out, times, label: est.label, size: [grab.width, grab.height]};
}"""


@dataclass
class BrowserRun:
    label: str
    size: tuple[int, int]
    poses: dict[int, PoseFrame | None]
    ms_per_frame: list[float]


def pose_in_browser(
    browser: Any, base_url: str, reference: Reference, model: str, max_s: float
) -> BrowserRun:
    """Pose one full pass of the fake camera's clip in a page of the app."""
    from hipcoach.web.protocol import parse_landmark_message

    page = browser.new_page()
    try:
        page.goto(f"{base_url}/static/app.css")
        page.add_script_tag(url="/static/device_pose.js")
        result = page.evaluate(
            HARNESS_JS,
            {
                "model": model,
                "bits": BITS,
                "strip": STRIP,
                "fps": reference.fps,
                "maxMs": max_s * 1000,
            },
        )
    finally:
        page.close()
    size = (int(result["size"][0]), int(result["size"][1]))
    assert size == reference.size, f"the camera gave {size}, the clip is {reference.size}"
    poses = {
        int(item["index"]): parse_landmark_message(item["message"], size)[0]
        for item in result["out"]
    }
    return BrowserRun(result["label"], size, poses, [float(t) for t in result["times"]])


@dataclass
class Agreement:
    frames: int
    image_px: np.ndarray
    world_cm: np.ndarray
    worst_joint: str
    worst_joint_p95_px: float


def compare(reference: Reference, run: BrowserRun) -> Agreement:
    """Errors over the body joints the reference sees, on the frames both found a person."""
    w, h = reference.size
    joints = [LANDMARK_INDEX[name] for name in BODY_JOINTS]
    image_err: list[np.ndarray] = []
    world_err: list[np.ndarray] = []
    per_joint: list[np.ndarray] = []
    for index, pose in run.poses.items():
        ref = reference.poses[index] if index < len(reference.poses) else None
        if pose is None or ref is None:
            continue
        seen = ref.visibility[joints] >= 0.5
        d_img = (pose.image[joints, :2] - ref.image[joints, :2]) * np.array([w, h])
        dist = np.linalg.norm(d_img, axis=1)
        per_joint.append(np.where(seen, dist, np.nan))
        image_err.append(dist[seen])
        if pose.world is not None and ref.world is not None:
            d_world = pose.world[joints] - ref.world[joints]
            world_err.append(100 * np.linalg.norm(d_world, axis=1)[seen])
    table = np.array(per_joint)
    joint_p95 = np.nanpercentile(table, 95, axis=0) if len(table) else np.zeros(len(joints))
    worst = int(np.nanargmax(joint_p95)) if len(table) else 0
    return Agreement(
        frames=len(per_joint),
        image_px=np.concatenate(image_err) if image_err else np.zeros(0),
        world_cm=np.concatenate(world_err) if world_err else np.zeros(0),
        worst_joint=BODY_JOINTS[worst],
        worst_joint_p95_px=float(joint_p95[worst]),
    )


@dataclass
class Answers:
    rep_count: int
    side: str | None
    cues: list[str]


def engine_answers(samples: list[PoseSample], exercise: str) -> Answers:
    from hipcoach.analysis.offline import analyze_samples

    report = analyze_samples(iter(samples), exercise)
    cues = sorted({c for rep in report.reps for c in rep.cues} | set(report.set_cues))
    return Answers(report.rep_count, report.side, cues)


def reference_samples(reference: Reference) -> list[PoseSample]:
    return [PoseSample(i / reference.fps, p) for i, p in enumerate(reference.poses)]


def browser_samples(reference: Reference, run: BrowserRun) -> list[PoseSample]:
    return [PoseSample(i / reference.fps, run.poses[i]) for i in sorted(run.poses)]


@contextmanager
def serve_app(data_dir: Path) -> Iterator[str]:
    """The real app in uvicorn on a free loopback port, in a thread; yields its base URL."""
    from hipcoach.config import Settings
    from hipcoach.web.app import create_app

    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'bench.db'}")
    with serve_in_thread(create_app(settings)) as base:
        yield base


def measure_clip(
    executable: str, stem: str, tmp: Path, models: tuple[str, ...] = ("full",), play_fps: int = 10
) -> tuple[Reference, dict[str, BrowserRun]]:
    """Both sides' poses of one real clip (the browser through one full camera pass for each
    model)."""
    y4m = tmp / f"{stem}.y4m"
    reference = write_indexed_y4m(REAL / f"{stem}.mp4", y4m, play_fps)
    seconds = len(reference.poses) / play_fps
    runs: dict[str, BrowserRun] = {}
    with serve_app(tmp) as base, chromium_with_camera(executable, y4m, AUTOPLAY) as browser:
        for model in models:
            runs[model] = pose_in_browser(browser, base, reference, model, 2 * seconds + 120)
    y4m.unlink()
    return reference, runs


def _pct(values: np.ndarray, q: float) -> str:
    return f"{np.percentile(values, q):.1f}" if len(values) else "-"


def _row(
    stem: str, exercise: str, model: str, reference: Reference, run: BrowserRun, theirs: Answers
) -> dict[str, object]:
    agreement = compare(reference, run)
    ours = engine_answers(browser_samples(reference, run), exercise)
    ms = np.array(run.ms_per_frame)
    return {
        "clip": stem,
        "model": model,
        "posed": f"{len(run.poses)}/{len(reference.poses)}",
        "fps": f"{1000 / ms.mean():.1f}" if len(ms) else "-",
        "ms p50/p95": f"{_pct(ms, 50)}/{_pct(ms, 95)}",
        "img px p50/p95": f"{_pct(agreement.image_px, 50)}/{_pct(agreement.image_px, 95)}",
        "worst joint p95": f"{agreement.worst_joint} {agreement.worst_joint_p95_px:.1f}",
        "world cm p50/p95": f"{_pct(agreement.world_cm, 50)}/{_pct(agreement.world_cm, 95)}",
        "reps b/s": f"{ours.rep_count}/{theirs.rep_count}",
        "side b/s": f"{ours.side}/{theirs.side}",
        "cues browser | server": f"{','.join(ours.cues) or '-'} | {','.join(theirs.cues) or '-'}",
    }


def run_device_bench() -> list[dict[str, object]]:
    """`make bench`: agreement and speed of pose in headless Chromium (lite and full)."""
    import tempfile

    executable = chromium_executable() or "/usr/bin/chromium"
    missing = [p for p in (Path(executable), *(REAL / f"{s}.mp4" for s in CLIPS)) if not p.exists()]
    if missing:
        return [{"clip": f"skipped: {missing[0]} is missing"}]
    load_before = os.getloadavg()[0]
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for stem, exercise in CLIPS.items():
            reference, runs = measure_clip(executable, stem, Path(tmp), ("full", "lite"))
            theirs = engine_answers(reference_samples(reference), exercise)
            for model, run in runs.items():
                rows.append(_row(stem, exercise, model, reference, run, theirs))
    load = f"1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    rows.append({"clip": f"machine: {os.cpu_count()} cores", "model": load})
    return rows
