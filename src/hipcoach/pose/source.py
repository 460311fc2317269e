"""One way in for recorded input: a video (run through a pose estimator) or a landmark CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from hipcoach.errors import InputFileError
from hipcoach.exercises.schema import Posture
from hipcoach.pose.estimator import PoseEstimator
from hipcoach.pose.landmark_csv import is_landmark_file, iter_landmark_csv
from hipcoach.pose.landmarks import PoseFrame
from hipcoach.pose.video import VideoFrame, iter_video_frames, probe_video

EstimatorFactory = Callable[[], PoseEstimator]


@dataclass(frozen=True)
class PoseSample:
    """A capture time, the pose found then (None: nobody in view), and the frame if any."""

    t: float
    pose: PoseFrame | None
    video_frame: VideoFrame | None = None


def default_estimator(posture: Posture | None = None) -> PoseEstimator:
    """BlazePose for one stream; given the exercise's posture, it stays with a person in that
    posture when someone upright is also in view (see `hipcoach.pose.selection`)."""
    from hipcoach.pose.mediapipe_backend import MediaPipePoseEstimator
    from hipcoach.pose.selection import select_by_posture

    return select_by_posture(MediaPipePoseEstimator, posture)


def estimator_for(posture: Posture | None) -> EstimatorFactory:
    """The default estimator factory for an exercise done in `posture` (None: any)."""
    return partial(default_estimator, posture)


@dataclass
class PoseRecording:
    """A recorded input, ready to be streamed. `frame_count` is an estimate for progress bars."""

    path: Path
    is_video: bool
    frame_count: int
    image_size: tuple[int, int] | None = None
    fps: float | None = None

    def samples(
        self, estimator_factory: EstimatorFactory = default_estimator, keep_frames: bool = False
    ) -> Iterator[PoseSample]:
        """Stream samples; with keep_frames each sample carries its decoded frame too."""
        if not self.is_video:
            for frame in iter_landmark_csv(self.path):
                yield PoseSample(t=frame.t, pose=frame)
            return
        import cv2

        estimator = estimator_factory()
        try:
            for vf in iter_video_frames(self.path):
                rgb = np.asarray(cv2.cvtColor(vf.bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
                pose = estimator.estimate(rgb, vf.t)
                yield PoseSample(t=vf.t, pose=pose, video_frame=vf if keep_frames else None)
        finally:
            estimator.close()


def open_recording(path: str | Path) -> PoseRecording:
    """Check a path is a readable video or landmark CSV; InputFileError otherwise."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, expected a video or a landmark CSV")
    if is_landmark_file(path):
        with path.open("rb") as handle:
            rows = sum(1 for _ in handle) - 1
        return PoseRecording(path=path, is_video=False, frame_count=max(rows, 0))
    info = probe_video(path)
    return PoseRecording(
        path=path,
        is_video=True,
        frame_count=info.frame_count,
        image_size=(info.width, info.height),
        fps=info.fps,
    )
