"""BlazePose (full) through MediaPipe's bundled model: fully offline.

`mediapipe==0.10.14` ships `pose_landmark_full.tflite` inside the wheel; model_complexity=1
selects it, so nothing is downloaded. (Complexity 2, "heavy", would be fetched at run time and
is therefore not offered.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipcoach.pose.landmarks import N_LANDMARKS, PoseFrame


class MediaPipePoseEstimator:
    """Tracks one person across frames of one stream (video mode)."""

    def __init__(
        self,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        static_images: bool = False,
    ) -> None:
        import mediapipe as mp

        self._pose: Any = mp.solutions.pose.Pose(
            static_image_mode=static_images,
            model_complexity=1,
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )

    def estimate(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame | None:
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        image = np.empty((N_LANDMARKS, 3))
        vis = np.empty(N_LANDMARKS)
        for i, lm in enumerate(result.pose_landmarks.landmark):
            image[i] = (lm.x, lm.y, lm.z)
            vis[i] = lm.visibility
        world = None
        if result.pose_world_landmarks is not None:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark])
        h, w = rgb.shape[:2]
        return PoseFrame(t=t, image=image, visibility=vis, world=world, image_size=(w, h))

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
