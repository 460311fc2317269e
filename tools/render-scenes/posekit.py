"""Helpers to pose extra MakeHuman bodies (standing, walking, kneeling, lying on the back).

Rest frame of every body: standing, facing -Y, its left at +X, up +Z (see mhbuild.py).
"""

import math

import bpy
import mhbuild
import numpy as np
from bpy_extras.object_utils import world_to_camera_view
from mathutils import Matrix, Quaternion, Vector


def rot_about(R3, p):
    R = Matrix(np.asarray(R3).tolist()).to_4x4() if not isinstance(R3, Matrix) else R3.to_4x4()
    p = Vector(p)
    return Matrix.Translation(p) @ R @ Matrix.Translation(-p)


def aim(frm, to):
    return Vector(frm).normalized().rotation_difference(Vector(to).normalized()).to_matrix()


def axis_angle(axis, deg):
    return Quaternion(Vector(axis).normalized(), math.radians(deg)).to_matrix()


def apply(T, p):
    return np.array(T @ Vector(p))


JOINTS = {
    "hip": "upperleg01",
    "knee": "lowerleg01",
    "ankle": "foot",
    "shoulder": "upperarm01",
    "elbow": "lowerarm01",
    "wrist": "wrist",
}


class Body:
    def __init__(self, **kw):
        self.rig, self.objs = mhbuild.build(**kw)
        self.B = self.rig.data.bones
        self.order = []

        def visit(b):
            self.order.append(b.name)
            for c in b.children:
                visit(c)

        for b in self.B:
            if b.parent is None:
                visit(b)
        h = self.rest
        self.hip = {s: h(f"upperleg01.{s}") for s in "LR"}
        self.knee = {s: h(f"lowerleg01.{s}") for s in "LR"}
        self.ankle = {s: h(f"foot.{s}") for s in "LR"}
        self.sho = {s: h(f"upperarm01.{s}") for s in "LR"}
        self.elb = {s: h(f"lowerarm01.{s}") for s in "LR"}
        self.wri = {s: h(f"wrist.{s}") for s in "LR"}
        self.Lth = {s: np.linalg.norm(self.knee[s] - self.hip[s]) for s in "LR"}
        self.Lsh = {s: np.linalg.norm(self.ankle[s] - self.knee[s]) for s in "LR"}
        self.G = Matrix.Identity(4)

    def rest(self, n):
        return np.array(self.B[n].head_local)

    def leg(self, s, hipflex, kneeflex, abd=0.0, hip_T=None):
        """Thigh and shin transforms: sagittal angles (deg, flexion +), abduction (deg,
        outward +)."""
        h = self.hip[s]
        t = math.radians(hipflex)
        d = np.array([0, -math.sin(t), -math.cos(t)])
        side = 1.0 if s == "L" else -1.0
        d = np.array(axis_angle((0, 1, 0), -side * abd) @ Vector(d))
        kt = h + self.Lth[s] * d
        T1 = rot_about(aim(self.knee[s] - h, kt - h), h)
        u = math.radians(hipflex - kneeflex)
        e = np.array([0, -math.sin(u), -math.cos(u)])
        e = np.array(axis_angle((0, 1, 0), -side * abd) @ Vector(e))
        at = kt + self.Lsh[s] * e
        k_now = apply(T1, self.knee[s])
        a_now = apply(T1, self.ankle[s])
        T2 = rot_about(aim(a_now - k_now, at - k_now), k_now) @ T1
        if hip_T is not None:
            T1, T2 = hip_T @ T1, hip_T @ T2
        return T1, T2

    def leg_ik(self, s, hip_T, ankle_target, bend):
        """Thigh/shin so the hip follows hip_T (4x4) and the ankle reaches ankle_target;
        the knee bends towards direction `bend` (rest frame)."""
        H = apply(hip_T, self.hip[s])
        A = np.asarray(ankle_target)
        L1, L2 = self.Lth[s], self.Lsh[s]
        d = A - H
        D = min(np.linalg.norm(d), L1 + L2 - 1e-4)
        u = d / np.linalg.norm(d)
        x = (L1**2 - L2**2 + D**2) / (2 * D)
        y = math.sqrt(max(L1**2 - x**2, 0.0))
        b = np.asarray(bend, float)
        b = b - u * (b @ u)
        b /= np.linalg.norm(b)
        K = H + u * x + b * y
        T1 = Matrix.Translation(Vector(H - self.hip[s])) @ rot_about(
            aim(self.knee[s] - self.hip[s], K - H), self.hip[s]
        )
        a_now = apply(T1, self.ankle[s])
        T2 = rot_about(aim(a_now - K, A - K), K) @ T1
        return T1, T2

    def arm(self, s, d_up, d_fore, T=None):
        p = self.sho[s]
        T1 = rot_about(aim(self.elb[s] - p, d_up), p)
        e = apply(T1, self.elb[s])
        w = apply(T1, self.wri[s])
        T2 = rot_about(aim(w - e, d_fore), e) @ T1
        if T is not None:
            T1, T2 = T @ T1, T @ T2
        return T1, T2

    def set_pose(self, T):
        eff = {}
        for n in self.order:
            bone = self.B[n]
            if n in T:
                eff[n] = T[n]
            elif bone.parent is not None:
                eff[n] = eff[bone.parent.name]
            else:
                eff[n] = Matrix.Identity(4)
        for n in self.order:
            bone = self.B[n]
            pm = eff[n] @ bone.matrix_local
            pb = self.rig.pose.bones[n]
            if bone.parent is None:
                basis = bone.matrix_local.inverted() @ pm
            else:
                ppm = eff[bone.parent.name] @ bone.parent.matrix_local
                rel_rest = bone.parent.matrix_local.inverted() @ bone.matrix_local
                basis = rel_rest.inverted() @ ppm.inverted() @ pm
            pb.matrix_basis = basis
        self.eff = eff
        return eff

    def place(self, G):
        self.G = G
        self.rig.matrix_world = G

    def min_z(self):
        """lowest world z of the skin and clothes as posed now."""
        bpy.context.view_layer.update()
        dg = bpy.context.evaluated_depsgraph_get()
        zs = []
        for n, src in self.objs.items():
            if n in ("high-poly",):
                continue
            ob = src.evaluated_get(dg)
            me = ob.to_mesh()
            mw = ob.matrix_world
            zs.append(min((mw @ v.co).z for v in me.vertices))
            ob.to_mesh_clear()
        return min(zs)

    def joints(self, sc, cam, rx, ry):
        out = {}
        for side, sname in (("L", "left"), ("R", "right")):
            for jn, bn in JOINTS.items():
                out[f"{sname}_{jn}"] = self._pt(f"{bn}.{side}", sc, cam, rx, ry)
        out["head"] = self._pt("head", sc, cam, rx, ry)
        return out

    def _pt(self, n, sc, cam, rx, ry):
        p = self.G @ (self.eff[n] @ self.B[n].head_local)
        uv = world_to_camera_view(sc, cam, p)
        return {
            "xyz": [round(c, 4) for c in p],
            "px": [round(uv.x * rx, 2), round((1 - uv.y) * ry, 2)],
            "depth": round(uv.z, 3),
        }


def standing_arms(body, sway=0.0, T=None):
    """arms hanging a little away from the body; sway (deg) swings them forward/back."""
    out = {}
    for s, sx in (("L", 1.0), ("R", -1.0)):
        sw = math.radians(sway * (1 if s == "L" else -1))
        up = (0.18 * sx, -math.sin(sw), -math.cos(sw))
        fore = (0.12 * sx, -math.sin(sw) - 0.25, -math.cos(sw))
        out[f"upperarm01.{s}"], out[f"lowerarm01.{s}"] = body.arm(s, up, fore, T)
    return out


def yaw(deg):
    return Matrix.Rotation(math.radians(deg), 4, "Z")
