"""Scenes other than side-lying: a crowded field (people standing and walking), a still pelvic
tilt (one body on its back, knees bent, feet on the floor, rocking the pelvis), or a
straight-leg raise from the floor (on the back, the other knee bent with its foot flat, one
straight leg lifted from the floor and lowered back).

blender -b -P scene_people.py -- --scene crowd|tilt|slr --out DIR [--res 640x360] [--fps 15]
    [--reps 5] [--amp 12] [--side L|R] [--frames a:b]
Writes DIR/frames/%04d.png and DIR/truth.json (per-frame joints of every person).
"""

import argparse
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bpy  # noqa: E402 (after the sys.path line: Blender's Python)
import mhbuild  # noqa: E402 (after the sys.path line: Blender's Python)
import numpy as np  # noqa: E402 (after the sys.path line: Blender's Python)
from mathutils import Matrix, Vector  # noqa: E402 (after the sys.path line: Blender's Python)
from posekit import Body, apply, axis_angle, rot_about, standing_arms, yaw  # noqa: E402 (after the sys.path line: Blender's Python)

argv = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else []
ap = argparse.ArgumentParser()
ap.add_argument("--scene", default="crowd")
ap.add_argument("--out", default="out")
ap.add_argument("--fps", type=int, default=15)
ap.add_argument("--res", default="640x360")
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--amp", type=float, default=12.0)
ap.add_argument("--dur", type=float, default=9.0)
ap.add_argument("--side", default="L", help="slr: the working leg (L: nearer the camera)")
ap.add_argument("--frames", default="")
ap.add_argument("--list", default="")
a = ap.parse_args(argv)

for o in list(bpy.data.objects):
    bpy.data.objects.remove(o)
sc = bpy.context.scene
fps = a.fps
people = []  # (name, Body, pose_fn(t) -> None)


def box(name, size, loc, rgb, bevel=0.0):
    bpy.ops.mesh.primitive_cube_add(size=1, location=loc)
    ob = bpy.context.active_object
    ob.name = name
    ob.scale = size
    if bevel:
        m = ob.modifiers.new("bev", "BEVEL")
        m.width = bevel
        m.segments = 3
    ob.data.materials.append(mhbuild.col_mat(name, rgb, 0.8))
    return ob


# ------------------------------------------------------------------ crowd
def walker(body, x0, x1, y, t0, t1, cadence=0.9):
    """walk along X from x0 to x1 at depth y between t0 and t1 (s), standing still outside."""
    z0 = -body.rest_minz
    heading = -90.0 if x1 > x0 else 90.0  # facing -Y rotated to face the walking direction

    def pose(t):
        u = min(max((t - t0) / (t1 - t0), 0.0), 1.0)
        moving = t0 <= t <= t1
        ph = 2 * math.pi * cadence * (t - t0) if moving else 0.0
        A = 22.0 if moving else 0.0
        T = {}
        for s, sg in (("L", 1.0), ("R", -1.0)):
            hf = sg * A * math.sin(ph)
            kf = 5 + (
                35 * max(0.0, math.sin(ph + sg * 0 + (0 if s == "L" else math.pi) - 1.2))
                if moving
                else 0
            )
            T[f"upperleg01.{s}"], T[f"lowerleg01.{s}"] = body.leg(s, hf, kf)
        T.update(standing_arms(body, sway=-A * 0.8 * math.sin(ph)))
        body.set_pose(T)
        ank = min(apply(T[f"lowerleg01.{s}"], body.ankle[s])[2] for s in "LR")
        lift = body.ankle["L"][2] - ank
        x = x0 + (x1 - x0) * u
        body.place(Matrix.Translation((x, y, z0 + lift)) @ yaw(heading))

    return pose


def stander(body, x, y, heading, shift=0.0, gesture=0.0, period=3.0):
    """standing still, shifting weight (deg of hip sway) and moving the arms (deg)."""
    z0 = -body.rest_minz

    def pose(t):
        w = math.sin(2 * math.pi * t / period)
        T = {}
        for s in "LR":
            T[f"upperleg01.{s}"], T[f"lowerleg01.{s}"] = body.leg(s, 0.0, 0.0, abd=3.0)
        T.update(standing_arms(body, sway=gesture * w))
        if gesture:
            # right forearm raised as if explaining something
            T["upperarm01.R"], T["lowerarm01.R"] = body.arm(
                "R", (-0.25, -0.35, -1), (-0.1, -1, 0.35 + 0.4 * w)
            )
        body.set_pose(T)
        R = rot_about(axis_angle((0, 1, 0), shift * w), (0, 0, body.rest_minz))
        body.place(Matrix.Translation((x, y, z0)) @ yaw(heading) @ R)

    return pose


def rep_fraction(t, reps, phases):
    """How far into its movement a rep is at `t` s after the first rep starts (0 at rest, 1
    at the top): `phases` = (in, hold, out, rest) seconds, eased in and out."""
    t_in, t_hold, t_out, t_rest = phases
    rep_len = t_in + t_hold + t_out + t_rest
    if t < 0 or t >= reps * rep_len:
        return 0.0
    u = t % rep_len
    if u < t_in:
        return 0.5 - 0.5 * math.cos(math.pi * u / t_in)
    u -= t_in
    if u < t_hold:
        return 1.0
    u -= t_hold
    if u < t_out:
        return 0.5 + 0.5 * math.cos(math.pi * u / t_out)
    return 0.0


def lie_on_back(body, posed, r_supine, hip_centre):
    """Lay a body posed by `posed(t)` on its back on the floor (`r_supine` turns its rest
    frame onto its back; placed so its lowest point at t=0 touches the floor). Returns the
    per-frame pose function and the hip centre in the world."""
    posed(0.0)
    body.place(r_supine)
    placed = Matrix.Translation((0, 0, -body.min_z() + 0.006)) @ r_supine

    def pose(t):
        posed(t)
        body.place(placed)

    return pose, np.array(placed @ Vector(hip_centre))


def add_body(**kw):
    b = Body(**kw)
    b.set_pose({})
    b.place(Matrix.Identity(4))
    b.rest_minz = b.min_z()
    return b


truth_extra = {}
if a.scene == "crowd":
    specs = [
        (
            "walker_far",
            dict(
                gender="male",
                outfit="female_casualsuit02",
                hair="bob02",
                suit_rgb=(0.35, 0.08, 0.06),
            ),
            lambda b: walker(b, -3.2, 3.0, 1.2, 0.3, 8.7, 0.85),
        ),
        (
            "walker_near",
            dict(gender="female", suit_rgb=(0.05, 0.25, 0.1)),
            lambda b: walker(b, 2.8, -2.0, -0.6, 1.5, 8.5, 0.95),
        ),
        (
            "stander_talking",
            dict(
                race="african",
                gender="male",
                outfit="female_casualsuit02",
                hair="",
                suit_rgb=(0.5, 0.45, 0.1),
            ),
            lambda b: stander(b, -1.3, 0.4, -15.0, shift=3.0, gesture=10.0, period=2.6),
        ),
        (
            "stander_profile",
            dict(gender="female", hair="ponytail01", suit_rgb=(0.05, 0.09, 0.2)),
            lambda b: stander(b, 1.4, 0.2, 80.0, shift=2.0, gesture=0.0, period=3.4),
        ),
    ]
    for name, kw, mk in specs:
        b = add_body(**kw)
        people.append((name, b, mk(b)))
    dur = a.dur
    cam_loc, look, lens = (0.0, -4.3, 1.0), (0.0, 0.5, 0.8), 26
    truth_extra = {
        "exercise": None,
        "reps": 0,
        "top_side": None,
        "what": "four people standing and walking, nobody on the floor",
    }
    mat_loc = (0.0, -0.2, 0.003)
elif a.scene == "slr":  # on the back, one straight leg raised from the floor and lowered
    b = add_body(gender="female", suit_rgb=(0.05, 0.09, 0.2))
    # supine as for the tilt: head -> +X, face -> +Z, the body's left towards the camera (-Y)
    Rsup = Matrix(((0, 0, 1, 0), (-1, 0, 0, 0), (0, -1, 0, 0), (0, 0, 0, 1)))
    hipc = (b.hip["L"] + b.hip["R"]) / 2
    work = a.side
    other = "R" if work == "L" else "L"
    bent = b.leg(other, 50.0, 100.0)
    ankle_bent = apply(bent[1], b.ankle[other])
    tlead, t_in, t_hold, t_out, t_rest, tail = 1.2, 1.5, 0.4, 1.8, 1.0, 1.0
    rep_len = t_in + t_hold + t_out + t_rest
    dur = tlead + a.reps * rep_len + tail

    def frac(t):
        return rep_fraction(t - tlead, a.reps, (t_in, t_hold, t_out, t_rest))

    def slr_pose(t):
        lift = a.amp * frac(t)
        T = {}
        T[f"upperleg01.{work}"], T[f"lowerleg01.{work}"] = b.leg(work, lift, 0.0)
        T[f"upperleg01.{other}"], T[f"lowerleg01.{other}"] = bent
        T[f"foot.{other}"] = Matrix.Translation(Vector(ankle_bent - b.ankle[other])) @ rot_about(
            axis_angle((1, 0, 0), 80), b.ankle[other]
        )
        for s_, sx in (("L", 1.0), ("R", -1.0)):  # arms along the floor beside the body
            T[f"upperarm01.{s_}"], T[f"lowerarm01.{s_}"] = b.arm(
                s_, (0.3 * sx, 0.08, -1), (0.25 * sx, 0.08, -1)
            )
        b.set_pose(T)
        b.tilt_deg = lift  # the frame-reuse key below: identical lifts, identical pictures

    pose, hipw = lie_on_back(b, slr_pose, Rsup, hipc)
    people.append(("lying", b, pose))
    cam_loc = (hipw[0] - 0.1, hipw[1] - 2.8, 0.5)
    look = (hipw[0] - 0.1, hipw[1], 0.3)
    lens = 30
    mat_loc = (hipw[0] + 0.2, hipw[1], 0.003)
    side_name = "left" if work == "L" else "right"
    truth_extra = {
        "exercise": "leg_lower",
        "reps": a.reps,
        "top_side": side_name,
        "working_side": side_name,
        "camera_side": "left",
        "amplitude_deg": a.amp,
        "rep_windows_s": [
            [tlead + r * rep_len, tlead + r * rep_len + t_in + t_hold + t_out]
            for r in range(a.reps)
        ],
        "what": (
            "lying on the back, the other knee bent with its foot flat, a straight-leg raise "
            f"from the floor to {a.amp:g} deg hip flexion and back"
        ),
    }
else:  # tilt: on the back, knees bent, feet on the floor, posterior pelvic tilt
    b = add_body(gender="female", suit_rgb=(0.05, 0.09, 0.2))
    # supine: head (+Z rest) -> +X, face (-Y rest) -> +Z, the body's left towards the camera (-Y)
    Rsup = Matrix(((0, 0, 1, 0), (-1, 0, 0, 0), (0, -1, 0, 0), (0, 0, 0, 1)))
    hipc = (b.hip["L"] + b.hip["R"]) / 2
    pivot = hipc + np.array([0, 0.10, 0])  # on the back surface behind the hip joints
    base = {}
    for s in "LR":
        base[s] = b.leg(s, 50.0, 100.0)
    ankle0 = {s: apply(base[s][1], b.ankle[s]) for s in "LR"}
    tlead, t_in, t_hold, t_out, t_rest, tail = 1.0, 0.7, 0.5, 0.7, 0.6, 0.6
    rep_len = t_in + t_hold + t_out + t_rest
    dur = tlead + a.reps * rep_len + tail

    def frac(t):
        return rep_fraction(t - tlead, a.reps, (t_in, t_hold, t_out, t_rest))

    def arms_T():
        T = {}
        for s, sx in (("L", 1.0), ("R", -1.0)):
            T[f"upperarm01.{s}"], T[f"lowerarm01.{s}"] = b.arm(
                s, (0.45 * sx, 0.3, -1), (0.4 * sx, 0.3, -1)
            )
        return T

    def tilt_pose(t, zoff=None):
        th = a.amp * frac(t)
        Rt = rot_about(axis_angle((1, 0, 0), -th), pivot)  # posterior: lumbar to the floor
        T = {"root": Rt, "spine03": Matrix.Identity(4)}
        for s in "LR":
            T[f"upperleg01.{s}"], T[f"lowerleg01.{s}"] = b.leg_ik(s, Rt, ankle0[s], (0, -1, 0.2))
            T[f"foot.{s}"] = Matrix.Translation(Vector(ankle0[s] - b.ankle[s])) @ rot_about(
                axis_angle((1, 0, 0), 80), b.ankle[s]
            )
        T.update(arms_T())
        b.set_pose(T)
        b.tilt_deg = th

    pose, hipw = lie_on_back(b, tilt_pose, Rsup, hipc)
    people.append(("lying", b, pose))
    cam_loc = (hipw[0] + 0.15, hipw[1] - 2.5, 0.45)
    look = (hipw[0] + 0.15, hipw[1], 0.18)
    lens = 32
    mat_loc = (hipw[0] + 0.2, hipw[1], 0.003)
    truth_extra = {
        "exercise": "pelvic_tilt",
        "reps": 0,
        "tilts": a.reps,
        "tilt_amp_deg": a.amp,
        "top_side": None,
        "camera_side": "left",
        "tilt_windows_s": [
            [tlead + r * rep_len, tlead + r * rep_len + t_in + t_hold + t_out]
            for r in range(a.reps)
        ],
        "what": "lying on the back, knees bent 100 deg, feet on the floor, posterior pelvic tilt",
    }

nframes = round(dur * fps)
box("floor", (14, 14, 0.02), (0, 0, -0.01), (0.42, 0.3, 0.2))
box("mat", (1.9, 0.65, 0.006), mat_loc, (0.25, 0.12, 0.35), 0.002)
box("wallY", (14, 0.05, 4), (0, 3.0, 2), (0.75, 0.74, 0.7))
box("wallX", (0.05, 14, 4), (4.5, 0, 2), (0.7, 0.72, 0.74))
w = bpy.data.worlds.new("w")
sc.world = w
w.use_nodes = True
env = w.node_tree.nodes.new("ShaderNodeTexEnvironment")
env.image = bpy.data.images.load(os.path.join(HERE, "mh", "lebombo_1k.hdr"))
w.node_tree.links.new(env.outputs[0], w.node_tree.nodes["Background"].inputs[0])

cd = bpy.data.cameras.new("cam")
cam = bpy.data.objects.new("cam", cd)
sc.collection.objects.link(cam)
sc.camera = cam
cd.sensor_width = 36
cd.lens = lens
cam.location = cam_loc
cam.rotation_euler = (Vector(look) - cam.location).to_track_quat("-Z", "Y").to_euler()
bpy.context.view_layer.update()

rx, ry = (int(x) for x in a.res.split("x"))
sc.render.resolution_x, sc.render.resolution_y = rx, ry
sc.render.resolution_percentage = 100
sc.render.fps = fps
sc.render.engine = "BLENDER_WORKBENCH"
sh = sc.display.shading
sh.light = "STUDIO"
sh.color_type = "TEXTURE"
sh.show_shadows = True
sh.shadow_intensity = 0.35
sh.show_cavity = True
sh.cavity_type = "WORLD"
sh.show_specular_highlight = True
sc.display.render_aa = "8"
for m in bpy.data.materials:
    if (
        m.node_tree
        and "Image Texture" not in m.node_tree.nodes
        and "Principled BSDF" in m.node_tree.nodes
    ):
        m.diffuse_color = tuple(
            m.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value
        )
sc.view_settings.view_transform = "Filmic"
sc.view_settings.look = "Medium High Contrast"
sc.render.image_settings.file_format = "PNG"

os.makedirs(f"{a.out}/frames", exist_ok=True)
truth = {
    "scene": a.scene,
    "fps": fps,
    "n_frames": nframes,
    "resolution": [rx, ry],
    "people": [p[0] for p in people],
    **truth_extra,
    "frames": [],
}
f0, f1 = 0, nframes
if a.frames:
    f0, f1 = (int(x) for x in a.frames.split(":"))
only = [int(x) for x in a.list.split(",")] if a.list else None
rendered = {}
t_start = time.time()
for f in range(nframes):
    t = f / fps
    rec = {"frame": f, "t": round(t, 4), "people": {}}
    for _name, _body, pose in people:
        pose(t)
    bpy.context.view_layer.update()
    for name, body, _pose in people:
        rec["people"][name] = body.joints(sc, cam, rx, ry)
        if hasattr(body, "tilt_deg"):
            rec["tilt_deg"] = round(body.tilt_deg, 3)
    truth["frames"].append(rec)
    key = rec.get("tilt_deg") if a.scene in ("tilt", "slr") else None
    if key is not None and key in rendered and only is None and f0 <= f < f1:
        import shutil  # identical pose: reuse the picture already rendered

        shutil.copyfile(rendered[key], f"{a.out}/frames/{f:04d}.png")
        print(f"FRAME {f} reused", flush=True)
        continue
    if key is not None:
        rendered[key] = f"{a.out}/frames/{f:04d}.png"
    if (only is None and f0 <= f < f1) or (only is not None and f in only):
        sc.render.filepath = f"{a.out}/frames/{f:04d}.png"
        t1 = time.time()
        bpy.ops.render.render(write_still=True)
        print(f"FRAME {f} {time.time() - t1:.2f}s", flush=True)
with open(f"{a.out}/truth.json", "w") as dst:
    json.dump(truth, dst, indent=1)
print("DONE", nframes, "frames; loop", round(time.time() - t_start, 1), "s")
