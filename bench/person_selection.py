"""Person selection by posture (issue 8): per clip, plain BlazePose against the selecting
estimator for a side-lying exercise, fed the same frames in turn (same machine load).

Prints ms per frame for each, the frames where the masked pass ran and where its pose was
used, and how many frames' landmarks are identical. Run: `python -m bench.person_selection`
(the real and rendered clips beside the repository and the repository's own rendered clips).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
FOLDERS = (SHARED / "real", SHARED / "rendered", REPO / "tests" / "fixtures" / "rendered")


def compare(clip: Path) -> str:
    import cv2

    from hipcoach.exercises.schema import Posture
    from hipcoach.pose.mediapipe_backend import MediaPipePoseEstimator
    from hipcoach.pose.selection import PostureSelectingEstimator
    from hipcoach.pose.video import iter_video_frames

    plain = MediaPipePoseEstimator()
    chosen = PostureSelectingEstimator(MediaPipePoseEstimator, Posture.side_lying)
    plain_s = chosen_s = 0.0
    frames = same = 0
    try:
        for vf in iter_video_frames(clip):
            rgb = np.asarray(cv2.cvtColor(vf.bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
            start = time.perf_counter()
            a = plain.estimate(rgb, vf.t)
            mid = time.perf_counter()
            b = chosen.estimate(rgb, vf.t)
            plain_s += mid - start
            chosen_s += time.perf_counter() - mid
            frames += 1
            same += (a is None and b is None) or (
                a is not None and b is not None and np.array_equal(a.image, b.image)
            )
    finally:
        plain.close()
        chosen.close()
    return (
        f"{clip.stem:28s} {frames:6d} {1e3 * plain_s / frames:8.1f} {1e3 * chosen_s / frames:9.1f}"
        f" {chosen.masked_frames:6d} {chosen.selected_frames:8d} {same:9d}"
    )


def main(argv: list[str]) -> None:
    clips = [Path(a) for a in argv] or [c for f in FOLDERS for c in sorted(f.glob("*.mp4"))]
    header = f"{'clip':28s} {'frames':>6s} {'plain_ms':>8s} {'select_ms':>9s}"
    print(header + " masked selected identical")
    for clip in clips:
        print(compare(clip), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
