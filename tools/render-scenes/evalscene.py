"""BlazePose (the project's backend) on a rendered scene clip, against every person's truth.

usage: .venv/bin/python evalscene.py CLIP_DIR EXERCISE [EXERCISE ...]
CLIP_DIR holds truth.json and CLIP_DIR.mp4 sits beside it. Prints the detection rate, which
person each detected frame's joints lie on (median px error to each), the joint error against
the followed person and the analyser's report per exercise.
"""

import json
import sys
from pathlib import Path

import numpy as np

from hipcoach.analysis.offline import analyze_series
from hipcoach.pose.landmark_csv import LandmarkCsvWriter, read_landmark_csv
from hipcoach.pose.landmarks import LANDMARK_INDEX
from hipcoach.pose.source import open_recording

JOINTS = [
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_shoulder",
    "right_shoulder",
]


def people_px(truth, frame):
    rec = truth["frames"][frame]
    if "people" in rec:
        return {k: v for k, v in rec["people"].items()}
    out = {"exerciser": rec["joints"]}
    for k, v in rec.get("others", {}).items():
        out[k] = v
    return out


def err(px_est, joints):
    """median px error over the 8 joints, as labelled and with left/right swapped (min)."""
    best = np.inf
    for swap in (False, True):
        e = []
        for j in JOINTS:
            jj = (
                j.replace("left", "X").replace("right", "left").replace("X", "right") if swap else j
            )
            e.append(np.hypot(*(px_est[j] - np.array(joints[jj]["px"]))))
        best = min(best, float(np.median(e)))
    return best


def main():
    d = Path(sys.argv[1])
    truth = json.loads((d / "truth.json").read_text())
    clip = d.with_suffix(".mp4")
    csv = d.with_suffix(".csv")
    if not csv.exists():
        with LandmarkCsvWriter(csv) as w:
            for s in open_recording(clip).samples():
                w.write(s.pose, s.t)
    series = read_landmark_csv(csv)
    W, H = truth["resolution"]
    img = series.image
    n = img.shape[0]
    found = np.isfinite(img[:, :, 0]).any(axis=1)
    print(
        f"{d.name}: frames {n} (truth {truth['n_frames']}), "
        f"detected {found.sum()} ({100 * found.mean():.0f}%)"
    )
    follow = []
    errs = {}
    for f in range(min(n, truth["n_frames"])):
        if not found[f]:
            follow.append(None)
            continue
        est = {j: img[f, LANDMARK_INDEX[j], :2] * (W, H) for j in JOINTS}
        e = {k: err(est, v) for k, v in people_px(truth, f).items()}
        who = min(e, key=e.get)
        follow.append((who, e[who]))
        for k, v in e.items():
            errs.setdefault(k, []).append(v)
    names = sorted(errs)
    for k in names:
        print(f"  median px error to {k}: {np.median(errs[k]):.1f} (min {np.min(errs[k]):.1f})")
    runs = []
    for f, x in enumerate(follow):
        who = x[0] if x else "none"
        if runs and runs[-1][0] == who:
            runs[-1][2] = f
        else:
            runs.append([who, f, f])
    print("  followed (person, first..last frame):", ", ".join(f"{w} {a}..{b}" for w, a, b in runs))
    fe = [x[1] for x in follow if x]
    if fe:
        print(
            f"  px error to the followed person: median {np.median(fe):.1f}, "
            f"p90 {np.percentile(fe, 90):.1f}"
        )
    for ex in sys.argv[2:]:
        try:
            r = analyze_series(series, ex)
        except Exception as exc:
            print(f"  {ex}: {type(exc).__name__}: {exc}")
            continue
        print(f"  {ex}: reps {r.rep_count} side {r.side} view_ok {r.view.ok} set_cues {r.set_cues}")
        for rep in r.reps:
            print(f"     rep peak {rep.peak_s:.2f}s range {rep.range_deg:.1f} cues {rep.cues}")
        for note in r.notes:
            print("     note:", note)
        if r.view.not_judged:
            print("     not judged:", r.view.not_judged)


main()
