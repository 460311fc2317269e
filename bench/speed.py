"""Speed and memory of the form-check engine on the real clips.

- pose only: decode + BlazePose per frame;
- pipeline: decode + BlazePose + the incremental analyser, interleaved with pose-only runs;
  what it adds is the time measured inside the analyser (see measure_pipeline_overhead);
- analysis alone: landmark files replayed through the analyser (with and without parsing);
- peak memory: `hipcoach analyze` on a 10-minute video, in a child process.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
CLIPS = {"side_lying_leg_lift": "side_lying_leg_lift", "heel_slide": "heel_slide"}
ANALYSIS_CLIPS = {**CLIPS, "clamshell_banded": "clamshell"}
"""Analysis alone also replays the clamshell: its image-plane and pelvis-frame counters make
it the costliest exercise per frame."""


def _pose_pass(clip: Path, exercise: str | None) -> tuple[float, int, float]:
    """(wall time of the pass, frames, of which seconds spent in the analyser)."""
    import cv2

    from hipcoach.analysis.analyser import SetAnalyser
    from hipcoach.exercises.catalogue import get_exercise
    from hipcoach.pose.mediapipe_backend import MediaPipePoseEstimator
    from hipcoach.pose.video import iter_video_frames

    analyser = SetAnalyser(get_exercise(exercise)) if exercise else None
    estimator = MediaPipePoseEstimator()
    n = 0
    analysis_s = 0.0
    start = time.perf_counter()
    for vf in iter_video_frames(clip):
        pose = estimator.estimate(cv2.cvtColor(vf.bgr, cv2.COLOR_BGR2RGB), vf.t)
        if analyser is not None:
            before = time.perf_counter()
            analyser.update(pose, vf.t)
            analysis_s += time.perf_counter() - before
        n += 1
    elapsed = time.perf_counter() - start
    estimator.close()
    return elapsed, n, analysis_s


def measure_pipeline_overhead(rounds: int = 3) -> list[dict[str, object]]:
    """What the analyser adds to pose estimation, two ways. Passes with and without it
    differ by the machine's drift more than by the analyser (four pose-only passes of the
    173-frame side-lying clip took 15.0 to 18.6 ms a frame in one run), so the result is
    judged on the time spent inside the analyser during the pipeline passes over the
    pose-only time; the end-to-end difference of the best passes is shown beside it. The
    analyser costs about three times as much between BlazePose frames as replayed alone
    (0.5 against 0.15 ms a frame on that clip): each BlazePose frame evicts its caches."""
    rows: list[dict[str, object]] = []
    for stem, exercise in CLIPS.items():
        clip = REAL / f"{stem}.mp4"
        pose_times, full_times, analysis_times = [], [], []
        n = 0
        for _ in range(rounds):
            t, n, _ = _pose_pass(clip, None)
            pose_times.append(t)
            t, n, analysed = _pose_pass(clip, exercise)
            full_times.append(t)
            analysis_times.append(analysed)
        pose_ms = min(pose_times) / n * 1000
        full_ms = min(full_times) / n * 1000
        analysis_ms = float(np.median(analysis_times)) / n * 1000
        rows.append(
            {
                "measure": (
                    f"{stem}: pose only / pipeline / analyser inside it (ms/frame); "
                    "end-to-end difference"
                ),
                "value": (
                    f"{pose_ms:.2f} / {full_ms:.2f} / {analysis_ms:.3f}; "
                    f"{(full_ms / pose_ms - 1) * 100:+.1f} %"
                ),
                "target": "pipeline adds <= 5 %",
                "result": f"+{analysis_ms / pose_ms * 100:.1f} %",
            }
        )
    return rows


def _landmark_csv(tmp: Path, stem: str) -> Path:
    from hipcoach.pose.landmark_csv import LandmarkCsvWriter
    from hipcoach.pose.source import open_recording

    out = tmp / f"{stem}.csv"
    with LandmarkCsvWriter(out) as writer:
        for sample in open_recording(REAL / f"{stem}.mp4").samples():
            writer.write(sample.pose, sample.t)
    return out


def measure_analysis_alone(tmp: Path, repeats: int = 20) -> list[dict[str, object]]:
    """Analysis throughput on one core: wall clock and this process's CPU time. The
    analyser is single-threaded, so on a machine shared with other work the CPU-time rate
    is its speed and the wall-clock rate is what this run happened to get; the floor is
    judged on CPU time, and the row shows both."""
    from hipcoach.analysis.offline import analyze_recording, analyze_series
    from hipcoach.pose.landmark_csv import read_landmark_csv

    rows: list[dict[str, object]] = []
    for stem, exercise in ANALYSIS_CLIPS.items():
        csv = _landmark_csv(tmp, stem)
        series = read_landmark_csv(csv)
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(repeats):
            analyze_series(series, exercise)
        series_fps = repeats * len(series) / (time.perf_counter() - start)
        series_cpu_fps = repeats * len(series) / (time.process_time() - start_cpu)
        start = time.perf_counter()
        for _ in range(max(repeats // 4, 1)):
            analyze_recording(csv, exercise)
        file_fps = max(repeats // 4, 1) * len(series) / (time.perf_counter() - start)
        rows.append(
            {
                "measure": (
                    f"{stem}: analysis alone, in memory (CPU time / wall clock) / "
                    f"from CSV (wall clock), frames/s"
                ),
                "value": f"{series_cpu_fps:,.0f} / {series_fps:,.0f} / {file_fps:,.0f}",
                "target": ">= 5,000 frames/s in memory, on one core's CPU time (issue 8)",
                "result": "met" if series_cpu_fps >= 5000 else "MISSED",
            }
        )
    return rows


def make_long_video(path: Path, minutes: float = 10.0, fps: float = 15.0) -> int:
    """A 10-minute video made by looping a real clip (forwards then backwards)."""
    import cv2

    cap = cv2.VideoCapture(str(REAL / "side_lying_leg_lift.mp4"))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    loop = frames + frames[::-1]
    total = int(minutes * 60 * fps)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, loop[0].shape[1::-1])
    for i in range(total):
        writer.write(loop[i % len(loop)])
    writer.release()
    return total


def measure_peak_memory(tmp: Path) -> list[dict[str, object]]:
    video = tmp / "ten_minutes.mp4"
    frames = make_long_video(video)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hipcoach.cli.main",
            "analyze",
            str(video),
            "-e",
            "side_lying_leg_lift",
            "--json",
            str(tmp / "long.json"),
        ],
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return [
        {
            "measure": f"10-minute video ({frames} frames, 640x352): peak memory (MB)",
            "value": f"{peak_mb:.0f}",
            "target": "<= 600 MB",
            "result": "met" if peak_mb <= 600 else "MISSED",
        },
        {
            "measure": "10-minute video: wall time, whole CLI (s) / ms per frame",
            "value": f"{elapsed:.0f} / {elapsed / frames * 1000:.1f}",
            "target": "-",
            "result": "-",
        },
    ]


def run_speed() -> list[dict[str, object]]:
    if not REAL.exists():
        return [
            {"measure": "speed", "value": "skipped", "target": "-", "result": f"{REAL} missing"}
        ]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rows = measure_pipeline_overhead()
        rows += measure_analysis_alone(tmp)
        rows += measure_peak_memory(tmp)
    np.random.seed(0)
    return rows
