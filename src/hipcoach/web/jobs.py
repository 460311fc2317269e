"""Analyse-a-recorded-video jobs: run in the background, report progress, keep the result.

A job holds the uploaded bytes only while it runs. Frame by frame it decodes (in memory),
finds the pose and feeds the engine's offline analysis (`analyze_samples`, the path
`hipcoach analyze` takes); progress is frames done / frames expected. It keeps the report
and, per frame, the pose, rep count and cue, so the page can annotate the person's own copy
of the video as it plays. If the person ticked "keep my videos", the video, its landmark
CSV and an annotated MP4 go to `<data dir>/videos/`; otherwise nothing touches disk.

The pose work runs in the worker process that took the upload, but the job's status,
progress and result live in the database (`ServerState`), so any worker process answers
for it; a job whose process died reads as failed. Progress is written at most every
`PROGRESS_EVERY_S`. The video itself never goes to the database.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from hipcoach.analysis.analyser import SetAnalyser
from hipcoach.analysis.events import CueEvent, Event, SetReport
from hipcoach.errors import HipcoachError
from hipcoach.exercises.schema import Posture
from hipcoach.pose.estimator import PoseEstimator
from hipcoach.pose.selection import select_by_posture
from hipcoach.pose.source import PoseSample
from hipcoach.store.tables import AnalysisJobRow
from hipcoach.web.media import VIDEO_SUFFIX, count_video_frames, iter_video_bytes
from hipcoach.web.protocol import pose_for_drawing
from hipcoach.web.server_state import ServerState

log = logging.getLogger(__name__)

JobStatus = Literal["queued", "running", "done", "failed"]
OnFrame = Callable[[PoseSample, list[Event], SetAnalyser], None]
SamplesAnalyser = Callable[[Iterator[PoseSample], str, str | None, str, OnFrame], SetReport]
PROGRESS_EVERY_S = 0.5
CUE_SHOWN_S = 3.0
"""How long a cue stays on the annotated playback after it fired (seconds of video)."""


def analyse_samples_with_engine(
    samples: Iterator[PoseSample],
    exercise_id: str,
    variation: str | None,
    side: str,
    on_frame: OnFrame,
) -> SetReport:
    """The engine's offline analysis, frame by frame (the same path as `hipcoach analyze`)."""
    from hipcoach.analysis.offline import analyze_samples

    return analyze_samples(
        samples,
        exercise_id,
        variation=variation,
        side=side,
        source="the video",
        on_events=on_frame,
    )


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


def _job_row(job: AnalysisJob) -> AnalysisJobRow:
    return AnalysisJobRow(
        id=job.id,
        worker="",
        exercise=job.exercise,
        variation=job.variation,
        side=job.side,
        keep_video=job.keep_video,
        status=job.status,
        done=job.done,
        total=job.total,
        message=job.message,
        result=None,
        created_at=job.created,
    )


def _job_of(row: AnalysisJobRow) -> AnalysisJob:
    result = row.result or {}
    report = result.get("report")
    return AnalysisJob(
        id=row.id,
        exercise=row.exercise,
        variation=row.variation,
        side=row.side,
        keep_video=row.keep_video,
        status=row.status,  # type: ignore[arg-type]
        done=row.done,
        total=row.total,
        message=row.message,
        report=SetReport.model_validate(report) if report is not None else None,
        frames=result.get("frames", []),
        saved_to=result.get("saved_to"),
        created=row.created_at,
    )


class AnalysisJobs:
    """Runs this process's jobs one at a time on a background thread; their state is
    in the database, where any process reads it (it keeps the last `MAX_JOBS`)."""

    def __init__(
        self,
        create_estimator: Callable[[], PoseEstimator],
        state: ServerState,
        analyse_samples: SamplesAnalyser = analyse_samples_with_engine,
    ) -> None:
        self.create_estimator = create_estimator
        self.analyse_samples = analyse_samples
        self.state = state
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
        """Store the job (blocks on the database) and queue its analysis here."""
        job = AnalysisJob(uuid.uuid4().hex, exercise, variation, side, keep_dir is not None)
        self.state.add_job(_job_row(job))
        self._worker.submit(self._run, job, data, kind, keep_dir)
        return job

    def get(self, job_id: str) -> AnalysisJob | None:
        """The job as stored, from whichever process runs it (blocks on the database)."""
        row = self.state.get_job(job_id)
        return None if row is None else _job_of(row)

    def _save(self, job: AnalysisJob, finished: bool = False) -> None:
        values: dict[str, Any] = {
            "status": job.status,
            "done": job.done,
            "total": job.total,
            "message": job.message[:500],
        }
        if finished and job.status == "done" and job.report is not None:
            values["result"] = {
                "report": job.report.model_dump(mode="json"),
                "frames": job.frames,
                "saved_to": job.saved_to,
            }
        try:
            self.state.update_job(job.id, **values)
        except HipcoachError:
            log.warning("could not store the progress of analysis job %s", job.id)

    def shutdown(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: AnalysisJob, data: bytes, kind: str, keep_dir: Path | None) -> None:
        job.status = "running"
        self._save(job)
        keeper = _Keeper(keep_dir, job, kind) if keep_dir is not None else None
        try:
            job.total = count_video_frames(data, kind)
            job.message = "finding the pose and checking each repetition"
            self._save(job)
            estimator = select_by_posture(self.create_estimator, _posture(job.exercise))
            try:
                job.report = self.analyse_samples(
                    _samples(data, kind, estimator),
                    job.exercise,
                    job.variation,
                    job.side,
                    _FrameRecorder(job, keeper, self._save),
                )
            finally:
                estimator.close()
            if keeper is not None:
                data_path = keeper.finish(data)
                job.saved_to = str(data_path)
            job.status, job.message = "done", ""
        except HipcoachError as exc:
            job.status, job.message = "failed", str(exc)
        except Exception:
            log.exception("analysis job %s failed", job.id)
            job.status, job.message = "failed", "the analysis failed on the server"
        finally:
            if keeper is not None:
                keeper.close()
                if job.status != "done":
                    keeper.discard()
            self._save(job, finished=True)


def _posture(exercise_id: str) -> Posture | None:
    """The exercise's posture, so the pose stage stays with the person doing it."""
    from hipcoach.exercises.catalogue import get_exercise

    return get_exercise(exercise_id).posture


def _samples(data: bytes, kind: str, estimator: PoseEstimator) -> Iterator[PoseSample]:
    """Decoded frames (in memory) with their poses, one at a time."""
    import cv2

    for frame in iter_video_bytes(data, kind):
        rgb = np.asarray(cv2.cvtColor(frame.bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        yield PoseSample(t=frame.t, pose=estimator.estimate(rgb, frame.t), video_frame=frame)


class _FrameRecorder:
    """Per frame: progress, the pose to draw, the rep count and the cue to show then."""

    def __init__(
        self, job: AnalysisJob, keeper: _Keeper | None, save: Callable[[AnalysisJob], None]
    ) -> None:
        self.job = job
        self.keeper = keeper
        self.save = save
        self.saved_at = time.monotonic()
        self.cue = ""
        self.cue_t = -1e9

    def __call__(self, sample: PoseSample, events: list[Event], analyser: SetAnalyser) -> None:
        said = [event.message for event in events if isinstance(event, CueEvent)]
        if said:
            # Every cue of this moment is shown (a rep can raise more than one).
            self.cue, self.cue_t = " ".join(said), sample.t
        cue = self.cue if sample.t - self.cue_t <= CUE_SHOWN_S else ""
        self.job.frames.append(
            {
                "t": round(sample.t, 4),
                "pose": pose_for_drawing(sample.pose),
                "reps": analyser.rep_count,
                "cue": cue,
            }
        )
        self.job.done += 1
        if time.monotonic() - self.saved_at >= PROGRESS_EVERY_S:
            self.save(self.job)
            self.saved_at = time.monotonic()
        if self.keeper is not None:
            self.keeper.add(sample, analyser.rep_count, cue, analyser.state.value)


class _Keeper:
    """Writes what "keep my videos" keeps: the video, its landmarks, an annotated copy."""

    def __init__(self, keep_dir: Path, job: AnalysisJob, kind: str) -> None:
        from hipcoach.pose.landmark_csv import LandmarkCsvWriter

        keep_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now():%Y%m%d-%H%M%S}-{job.exercise}-{job.id[:8]}"
        self.video_path = keep_dir / f"{stem}{VIDEO_SUFFIX.get(kind, '.video')}"
        self.annotated_path = keep_dir / f"{stem}.annotated.mp4"
        self.landmarks = LandmarkCsvWriter(keep_dir / f"{stem}.landmarks.csv")
        self._writer: Any = None
        self._times: list[float] = []

    def add(self, sample: PoseSample, reps: int, cue: str, state: str) -> None:
        from hipcoach.pose.overlay import AnnotatedVideoWriter, draw_skeleton, draw_status

        self.landmarks.write(sample.pose, sample.t)
        if sample.video_frame is None:
            return
        self._times.append(sample.t)
        if self._writer is None:
            self._writer = AnnotatedVideoWriter(self.annotated_path, _fps(self._times))
        frame = sample.video_frame.bgr.copy()
        if sample.pose is not None:
            draw_skeleton(frame, sample.pose)
        draw_status(frame, reps, cue, state)
        self._writer.write(frame)

    def finish(self, data: bytes) -> Path:
        self.video_path.write_bytes(data)
        return self.video_path

    def close(self) -> None:
        self.landmarks.close()
        if self._writer is not None:
            self._writer.close()

    def discard(self) -> None:
        """Remove partial files after a failed analysis."""
        for path in (self.video_path, self.annotated_path, self.landmarks.path):
            path.unlink(missing_ok=True)


def _fps(times: list[float]) -> float:
    return 30.0 if len(times) < 2 else 1.0 / max(times[1] - times[0], 1e-3)
