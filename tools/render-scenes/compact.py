"""Small fixture truth from a full truth.json: set-level facts, plus per-frame hip-centre
pixels of every person (so a test can tell which person BlazePose followed).

usage: python3 compact.py CLIP_DIR OUT.truth.json "command note"
"""

import json
import sys

d, out, note = sys.argv[1], sys.argv[2], sys.argv[3]
with open(f"{d}/truth.json") as src:
    truth = json.load(src)
frames = truth.pop("frames")
small = dict(truth)


def mid(j):
    a, b = j["left_hip"]["px"], j["right_hip"]["px"]
    return [round((a[0] + b[0]) / 2, 1), round((a[1] + b[1]) / 2, 1)]


hips = {}
for rec in frames:
    people = rec.get("people") or {"exerciser": rec["joints"], **rec.get("others", {})}
    for name, joints in people.items():
        hips.setdefault(name, []).append(mid(joints))
small["hip_mid_px"] = hips
small["note"] = note
with open(out, "w") as dst:
    json.dump(small, dst, separators=(",", ":"))
print(out, len(json.dumps(small)), "bytes")
