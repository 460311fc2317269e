"""Analyse-a-recorded-video jobs: run in the background, report progress, keep the result.

A job holds the uploaded bytes only while it runs. It runs the pose estimator over every
frame (progress = frames done / frames expected), then the engine's offline analysis over
the pose series, and keeps the report and the per-frame poses so the page can draw the
skeleton over the person's own copy of the video. If the person ticked "keep my videos",
the video and its landmark CSV go to `<data dir>/videos/`; otherwise nothing touches disk.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from hipcoach.analysis.events import SetReport
from hipcoach.errors import HipcoachError
from hipcoach.pose.estimator import PoseEstimator
from hipcoach.pose.landmarks import PoseFrame, PoseSeries
from hipcoach.web.media import VIDEO_SUFFIX, count_video_frames, iter_video_bytes
from hipcoach.web.protocol import pose_for_drawing

log = logging.getLogger(__name__)

JobStatus = Literal["queued", "running", "done", "failed"]
SeriesAnalyser = Callable[[PoseSeries, str, str | None, str], SetReport]


def analyse_series_with_engine(
    series: PoseSeries, exercise_id: str, variation: str | None, side: str
) -> SetReport:
    """The engine's offline analysis of a pose series (imported lazily)."""
    from hipcoach.analysis.offline import analyze_series

    return analyze_series(series, exercise_id, variation=variation, side=side)


@dataclass
class AnalysisJob:
    id: str
    exercise: str
    variation: str | None
    side: str
    keep_video: bool
    status: JobStatus = "queued"
    done: int = 0
    total: int = 0
    message: str = ""
    report: SetReport | None = None
    frames: list[dict[str, Any]] = field(default_factory=list)
    saved_to: str | None = None
    created: float = field(default_factory=time.time)

    def progress(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "done": self.done,
            "total": max(self.total, self.done),
            "message": self.message,
        }


class AnalysisJobs:
    """Runs jobs one at a time on a background thread and keeps the last `capacity`."""

    def __init__(
        self,
        create_estimator: Callable[[], PoseEstimator],
        analyse_series: SeriesAnalyser = analyse_series_with_engine,
        capacity: int = 8,
    ) -> None:
        self.create_estimator = create_estimator
        self.analyse_series = analyse_series
        self.capacity = capacity
        self._jobs: OrderedDict[str, AnalysisJob] = OrderedDict()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hipcoach-upload")

    def submit(
        self,
        data: bytes,
        kind: str,
        exercise: str,
        variation: str | None,
        side: str,
        keep_dir: Path | None,
    ) -> AnalysisJob:
        job = AnalysisJob(uuid.uuid4().hex, exercise, variation, side, keep_dir is not None)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.capacity:
                self._jobs.popitem(last=False)
        self._worker.submit(self._run, job, data, kind, keep_dir)
        return job

    def get(self, job_id: str) -> AnalysisJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: AnalysisJob, data: bytes, kind: str, keep_dir: Path | None) -> None:
        job.status = "running"
        try:
            series = self._estimate(job, data, kind)
            job.message = "checking each repetition"
            job.report = self.analyse_series(series, job.exercise, job.variation, job.side)
            if keep_dir is not None:
                job.saved_to = str(_keep_video(keep_dir, job, data, kind, series))
            job.status = "done"
            job.message = ""
        except HipcoachError as exc:
            job.status, job.message = "failed", str(exc)
        except Exception:
            log.exception("analysis job %s failed", job.id)
            job.status, job.message = "failed", "the analysis failed on the server"

    def _estimate(self, job: AnalysisJob, data: bytes, kind: str) -> PoseSeries:
        job.total = count_video_frames(data, kind)
        job.message = "finding the pose in each frame"
        poses: list[PoseFrame | None] = []
        times: list[float] = []
        size: tuple[int, int] | None = None
        estimator = self.create_estimator()
        try:
            import cv2

            for frame in iter_video_bytes(data, kind):
                rgb = np.asarray(cv2.cvtColor(frame.bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
                size = (rgb.shape[1], rgb.shape[0])
                pose = estimator.estimate(rgb, frame.t)
                poses.append(pose)
                times.append(frame.t)
                job.frames.append({"t": round(frame.t, 4), "pose": pose_for_drawing(pose)})
                job.done += 1
        finally:
            estimator.close()
        return PoseSeries.from_frames(poses, times, image_size=size, source="upload")


def _keep_video(
    keep_dir: Path, job: AnalysisJob, data: bytes, kind: str, series: PoseSeries
) -> Path:
    """Save the video and its landmarks (only when the person asked to keep videos)."""
    from hipcoach.pose.landmark_csv import write_landmark_csv

    keep_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.now():%Y%m%d-%H%M%S}-{job.exercise}-{job.id[:8]}"
    video_path = keep_dir / f"{stem}{VIDEO_SUFFIX.get(kind, '.video')}"
    video_path.write_bytes(data)
    write_landmark_csv(series, keep_dir / f"{stem}.landmarks.csv")
    return video_path
