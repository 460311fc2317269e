"""Draw the skeleton, rep count and current cue onto video frames; write annotated video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipcoach.errors import InputFileError
from hipcoach.pose.landmarks import LANDMARK_INDEX, PoseFrame

_LIMB_BONES = (
    ("shoulder", "elbow"),
    ("elbow", "wrist"),
    ("shoulder", "hip"),
    ("hip", "knee"),
    ("knee", "ankle"),
    ("ankle", "heel"),
    ("heel", "foot_index"),
    ("ankle", "foot_index"),
)
BONES: tuple[tuple[str, str], ...] = (
    *((f"{side}_{a}", f"{side}_{b}") for side in ("left", "right") for a, b in _LIMB_BONES),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
)

LEFT_COLOUR = (255, 170, 60)  # BGR: left side blue-ish
RIGHT_COLOUR = (60, 170, 255)  # right side orange
MIN_VISIBILITY = 0.3


def draw_skeleton(bgr: NDArray[np.uint8], pose: PoseFrame) -> None:
    """Draw bones and joints in place; landmarks under MIN_VISIBILITY are left out."""
    import cv2

    h, w = bgr.shape[:2]
    pixels = pose.image[:, :2] * np.array([w, h])
    for a, b in BONES:
        ia, ib = LANDMARK_INDEX[a], LANDMARK_INDEX[b]
        if min(pose.visibility[ia], pose.visibility[ib]) < MIN_VISIBILITY:
            continue
        if not (np.isfinite(pixels[ia]).all() and np.isfinite(pixels[ib]).all()):
            continue
        colour = LEFT_COLOUR if a.startswith("left") and b.startswith("left") else RIGHT_COLOUR
        pa = (int(pixels[ia][0]), int(pixels[ia][1]))
        pb = (int(pixels[ib][0]), int(pixels[ib][1]))
        cv2.line(bgr, pa, pb, colour, 3, cv2.LINE_AA)
    for i, (x, y) in enumerate(pixels):
        if pose.visibility[i] >= MIN_VISIBILITY and np.isfinite(x) and np.isfinite(y):
            cv2.circle(bgr, (int(x), int(y)), 4, (255, 255, 255), -1, cv2.LINE_AA)


def draw_status(bgr: NDArray[np.uint8], reps: int, cue: str, state: str) -> None:
    """Rep count top-left, state beneath it, the latest cue along the bottom."""
    import cv2

    h, w = bgr.shape[:2]
    scale = max(w, h) / 900.0
    cv2.rectangle(bgr, (0, 0), (int(260 * scale), int(90 * scale)), (0, 0, 0), -1)
    cv2.putText(
        bgr,
        f"Reps {reps}",
        (int(10 * scale), int(45 * scale)),
        cv2.FONT_HERSHEY_SIMPLEX,
        1.3 * scale,
        (255, 255, 255),
        2,
        cv2.LINE_AA,
    )
    cv2.putText(
        bgr,
        state,
        (int(10 * scale), int(78 * scale)),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.7 * scale,
        (200, 200, 200),
        1,
        cv2.LINE_AA,
    )
    if cue:
        y = h - int(20 * scale)
        cv2.rectangle(bgr, (0, y - int(35 * scale)), (w, h), (0, 0, 0), -1)
        cv2.putText(
            bgr,
            cue,
            (int(10 * scale), y),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.7 * scale,
            (80, 220, 255),
            2,
            cv2.LINE_AA,
        )


class AnnotatedVideoWriter:
    """MP4 writer (OpenCV's mp4v codec) created lazily from the first frame's size."""

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = Path(path)
        self.fps = fps if fps and fps > 0 else 30.0
        self._writer: Any = None
        if not self.path.parent.exists():
            raise InputFileError(f"{self.path}: the folder {self.path.parent} does not exist")

    def write(self, bgr: NDArray[np.uint8]) -> None:
        import cv2

        if self._writer is None:
            h, w = bgr.shape[:2]
            fourcc = cv2.VideoWriter.fourcc(*"mp4v")
            self._writer = cv2.VideoWriter(str(self.path), fourcc, self.fps, (w, h))
            if not self._writer.isOpened():
                raise InputFileError(f"{self.path}: cannot write a video here")
        self._writer.write(bgr)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
