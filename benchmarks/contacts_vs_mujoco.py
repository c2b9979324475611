#!/usr/bin/env python3
"""Contacts against MuJoCo: the same MJCF scenes, start states and options in both engines.

Scenes: a sphere dropped on a plane (bounce apexes), a box resting on a plane (drift over 10 s),
a box sliding to rest (distance), a capsule falling flat onto a plane (two contacts), a ball on
two slides and a hinge dropped on a ridge (the built-in `ridgeball`, both sides), a ball dropped
on a tilted box, two capsules, explicit <contact><pair>s with per-tangent friction and their own
margin/gap on a floor the filters ignore, with and without an <exclude>, and box–box scenes on
free joints (a tumbling box, a stack, two bars edge to edge), MuJoCo's other analytic pairs
(capsule–box, plane–cylinder, sphere–cylinder, plane–ellipsoid, parallel capsules) and torsional
and rolling friction (condim 4, 6), and the elliptic friction cone (Newton, CG). Before them a narrow-phase table compares the two engines'
contact lists pose by pose (--narrow). Our side runs through the C bridge (a shared library built
here from sim/src with c++ -O2, or --lib), MuJoCo through its Python bindings; both 1 thread.
Reported per scene: max
|qpos ours − MuJoCo| over the run, the scene's own figure, and steps per second (each engine's
own multi-step loop: sim_rollout, model load included, and mujoco.rollout, 8 copies of the start state;
CPU time of this process, the median of --repeat runs).

    pip install mujoco
    python3 benchmarks/contacts_vs_mujoco.py [--lib /tmp/libenergysim.so] [--corpus /tmp/mjcf-corpus]
                                             [--only gymnasium] [--narrow 2000]

With --corpus (the directory benchmarks/mjcf_corpus.py fills), gymnasium's planar walkers
(hopper, walker2d, half_cheetah: slide/hinge root joints, capsule–plane contacts) and its ant
(a free joint: quaternion root) also fall for 1 s from their reference pose, zero controls; the
figure is the largest distance between the same body's world position in the two engines after
1 s (both from MuJoCo's forward kinematics of each engine's qpos: issue 17's 1e-4 m target). The
hopper's thigh and leg joints start exactly at their upper limit (0), where whether a limit row
exists flips with 1e-18 round-off, so it is also started 0.01 rad inside.
"""
import argparse
import ctypes
import glob
import os
import subprocess
import tempfile
import time

import numpy as np
import mujoco
from mujoco import rollout

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
P = ctypes.c_void_p
D = ctypes.POINTER(ctypes.c_double)


def build_lib(out):
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "eigen3", "pugixml", "urdfdom"], check=True,
                           capture_output=True, text=True).stdout.split()
    subprocess.run(["c++", "-std=c++17", "-O2", "-DNDEBUG", "-shared", "-fPIC",
                    *sorted(glob.glob(os.path.join(ROOT, "sim/src/*.cpp"))),
                    "-I" + os.path.join(ROOT, "sim/include"), *flags, "-lpthread", "-o", out], check=True)


class Ours:
    def __init__(self, lib):
        self.lib = ctypes.CDLL(lib)
        L = self.lib
        L.sim_loadModelString.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(P), ctypes.c_char_p, ctypes.c_size_t]
        L.sim_rollout.argtypes = [P, ctypes.c_int64, ctypes.c_int64, D, D, P, P, D, D, P, P, ctypes.c_int32, P, ctypes.c_char_p, ctypes.c_size_t]
        L.sim_deleteModel.argtypes = [P]
        L.sim_builtinModelXML.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
        L.sim_makeState.argtypes = [P, ctypes.POINTER(P)]
        L.sim_deleteState.argtypes = [P]
        L.sim_setState.argtypes = [P, P, D, D, D]
        L.sim_forward.argtypes = [P, P]
        L.sim_contacts.argtypes = [P, P, ctypes.c_int64, ctypes.POINTER(ctypes.c_int64),
                                   ctypes.POINTER(ctypes.c_int32), D]

    def builtin(self, name):
        n = ctypes.c_size_t()
        self.lib.sim_builtinModelXML(name.encode(), None, 0, ctypes.byref(n))
        buf = ctypes.create_string_buffer(n.value + 1)
        self.lib.sim_builtinModelXML(name.encode(), buf, n.value + 1, ctypes.byref(n))
        return buf.value.decode()

    def load(self, xml):
        m = P()
        msg = ctypes.create_string_buffer(4096)
        if self.lib.sim_loadModelString(xml.encode(), b"scene", ctypes.byref(m), msg, 4096) != 0:
            raise RuntimeError(msg.value.decode())
        return m

    def contacts(self, m, qpos):
        """The contacts at qpos (zero velocity): geoms [n, 2], dist [n], pos [n, 3], frame [n, 3, 3]."""
        st = P()
        self.lib.sim_makeState(m, ctypes.byref(st))
        q = np.ascontiguousarray(qpos, dtype=float)
        v = np.zeros(64)
        self.lib.sim_setState(m, st, q.ctypes.data_as(D), v.ctypes.data_as(D), None)
        if self.lib.sim_forward(m, st) != 0:
            raise RuntimeError("sim_forward failed")
        n = ctypes.c_int64()
        geoms = np.zeros((64, 2), np.int32)
        con = np.zeros((64, 13))
        self.lib.sim_contacts(m, st, 64, ctypes.byref(n), geoms.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                              con.ctypes.data_as(D))
        self.lib.sim_deleteState(st)
        k = n.value
        return geoms[:k], con[:k, 0], con[:k, 1:4], con[:k, 4:].reshape(k, 3, 3)

    def rollout(self, xml, q0, v0, steps, threads=1, ctrl=None):
        """qpos [B, steps+1, nq] from starts q0 [B, nq], v0 [B, nv], controls ctrl [B, steps, nu]
        (None: zero)."""
        m = self.load(xml)
        msg = ctypes.create_string_buffer(4096)
        B, nq = q0.shape
        q0 = np.ascontiguousarray(q0, dtype=float)
        v0 = np.ascontiguousarray(v0, dtype=float)
        u = None if ctrl is None else np.ascontiguousarray(ctrl, dtype=float)
        qpos = np.zeros((B, steps + 1, nq))
        qvel = np.zeros((B, steps + 1, v0.shape[1]))
        st = self.lib.sim_rollout(m, B, steps, q0.ctypes.data_as(D), v0.ctypes.data_as(D),
                                  None if u is None else u.ctypes.data_as(D), None,
                                  qpos.ctypes.data_as(D), qvel.ctypes.data_as(D), None, None, threads,
                                  None, msg, 4096)
        self.lib.sim_deleteModel(m)
        if st != 0:
            raise RuntimeError(msg.value.decode())
        return qpos, qvel


def parity_args(doc):
    """The options of the MuJoCo parity scripts (equality, floating, tendons): --lib, --steps, --seeds."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", help="libenergysim.so built from sim/src (default: build one)")
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--seeds", type=int, default=4)
    return ap.parse_args()


def bridge(lib=None):
    """The simulator's bridge over `lib` (a libenergysim.so), or over one built from sim/src."""
    if not lib:
        lib = os.path.join(tempfile.mkdtemp(), "libenergysim.so")
        build_lib(lib)
    return Ours(lib)


def theirs(model, q0, v0, steps, ctrl=None):
    """MuJoCo's qpos [batch, steps + 1, nq] from starts q0, v0 with mj_step under controls ctrl
    [batch, steps, nu] (None: zero); `model` an MJCF string or an MjModel."""
    m = mujoco.MjModel.from_xml_string(model) if isinstance(model, str) else model
    d = mujoco.MjData(m)
    out = np.zeros((q0.shape[0], steps + 1, m.nq))
    for b in range(q0.shape[0]):
        mujoco.mj_resetData(m, d)
        d.qpos[:] = q0[b]
        d.qvel[:] = v0[b]
        out[b, 0] = d.qpos
        for t in range(steps):
            if ctrl is not None:
                d.ctrl[:] = ctrl[b, t]
            mujoco.mj_step(m, d)
            out[b, t + 1] = d.qpos
    return out


def speed(ours, xml, q0, v0, steps=2000, batch=8, repeat=1):
    """Steps per second of each engine (CPU time of this process, both 1 thread), the median of
    `repeat` runs taken in turns."""
    runs = [one_speed(ours, xml, q0, v0, steps, batch) for _ in range(repeat)]
    return float(np.median([r[0] for r in runs])), float(np.median([r[1] for r in runs]))


def one_speed(ours, xml, q0, v0, steps, batch):
    q0 = np.repeat(q0[:1], batch, 0)
    v0 = np.repeat(v0[:1], batch, 0)
    start = time.process_time()
    ours.rollout(xml, q0, v0, steps)
    t_ours = time.process_time() - start
    m = mujoco.MjModel.from_xml_string(xml)
    d = mujoco.MjData(m)
    spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
    init = np.zeros((batch, mujoco.mj_stateSize(m, spec)))
    for b in range(batch):
        mujoco.mj_resetData(m, d)
        d.qpos[:] = q0[b]
        d.qvel[:] = v0[b]
        mujoco.mj_getState(m, d, init[b], spec)
    with rollout.Rollout(nthread=1) as r:
        r.rollout(m, [d], init, np.zeros((batch, 1, m.nu)), nstep=10)
        start = time.process_time()
        r.rollout(m, [d], init, np.zeros((batch, 1, m.nu)), nstep=steps)
        t_mj = time.process_time() - start
    return batch * steps / t_ours, batch * steps / t_mj


def scene(body, floor='<geom name="floor" type="plane" size="5 5 0.1"/>', option="", contact="", asset=""):
    return (f'<mujoco><compiler angle="radian"/><option timestep="0.002" {option}/>{asset}<worldbody>{floor}'
            f'{body}</worldbody>{contact}</mujoco>')


def pair_scene(exclude):
    """A floor that the filters let touch nothing (contype 0); a ball on x/y/z slides held up by an
    explicit pair (per-tangent friction 0.4/0.9, own solref, margin and gap) and a rod on a planar
    joint held by a frictionless (condim 1) pair; with `exclude` the rod falls through the ball."""
    body = ('<body name="a" pos="0 0 0.1"><joint type="slide" axis="1 0 0"/><joint type="slide" axis="0 1 0"/>'
            '<joint type="slide" axis="0 0 1"/><geom name="ball" size="0.1" mass="1"/></body>'
            '<body name="b" pos="0.05 0 0.35"><joint type="slide" axis="1 0 0"/><joint type="slide" axis="0 0 1"/>'
            '<joint axis="0 1 0"/><geom name="rod" type="capsule" fromto="-0.3 0 0 0.3 0 0" size="0.05" mass="1"/></body>')
    contact = ('<contact><pair geom1="ball" geom2="floor" friction="0.4 0.9" solref="0.01 0.8" margin="0.002" '
               'gap="0.001"/><pair geom1="floor" geom2="rod" condim="1"/>'
               + ('<exclude body1="b" body2="a"/>' if exclude else '') + '</contact>')
    return scene(body, floor='<geom name="floor" type="plane" size="5 5 .1" contype="0" conaffinity="0"/>',
                 contact=contact)


def planar(geom, pos="0 0 0"):
    return (f'<body pos="{pos}"><joint name="x" type="slide" axis="1 0 0"/><joint name="z" type="slide" '
            f'axis="0 0 1"/><joint name="ry" axis="0 1 0"/>{geom}</body>')


def box_scenes():
    """Box–box scenes (free joints, started at MuJoCo's qpos0): a box tumbling onto a static box,
    a small box stacked turned on a larger one on the floor, two bars meeting edge to edge."""
    tumble = scene('<body pos="0.05 0.02 0.6" euler="0.4 0.7 0.2"><freejoint/><geom type="box" size="0.1 0.15 0.05" '
                   'mass="1"/></body>', floor='<geom type="plane" size="5 5 .1"/><geom type="box" size="0.3 0.3 0.1" '
                   'pos="0 0 0.1"/>')
    stack = scene('<body pos="0 0 0.1"><freejoint/><geom type="box" size="0.2 0.2 0.1" mass="2"/></body>'
                  '<body pos="0.03 0.01 0.32" euler="0 0 0.4"><freejoint/><geom type="box" size="0.1 0.1 0.1" mass="1"/></body>')
    edge = scene('<body pos="0 0 0.5" euler="0.785398 0 0.3"><freejoint/><geom type="box" size="0.3 0.05 0.05" mass="1"/>'
                 '</body>', floor='<geom type="plane" size="5 5 .1"/><geom type="box" size="0.3 0.05 0.05" pos="0 0 0.2" '
                 'euler="0.785398 0 1.6"/>')
    out = []
    for name, xml, v in [("box tumbling onto a box (free joint)", tumble, [0.3, 0, 0, 1, 2, 0]),
                         ("box stacked turned on a box on the floor", stack, [0] * 12),
                         ("bar falling edge first onto a crossed bar", edge, [0] * 6)]:
        out.append((name, xml, [mujoco.MjModel.from_xml_string(xml).qpos0], [v], 1500, None))
    return out


def new_pair_scenes():
    """Session 11's pairs, each a free body dropped for 1 s (500 steps) from MuJoCo's qpos0: a capsule
    falling tilted onto a box, a capsule lying along a box face (two contacts), a cylinder standing,
    lying and tilted on the floor (up to 4 contacts), an ellipsoid tumbling onto it, a sphere
    dropped onto a cylinder's cap rim and two parallel capsules (two contacts)."""
    free = lambda pos, euler, geom: (f'<body pos="{pos}" euler="{euler}"><freejoint/><geom {geom} mass="1"/></body>')
    box = '<geom type="plane" size="5 5 .1"/><geom type="box" size="0.3 0.2 0.1" pos="0 0 0.1"/>'
    cap = 'type="capsule" size="0.05 0.2"'
    cyl = 'type="cylinder" size="0.1 0.15"'
    specs = [
        ("capsule falling tilted onto a box", box, free("0.05 0.03 0.45", "0.3 0.5 0.2", cap), [0.2, 0, 0, 0, 1, 0.5]),
        ("capsule lying along a box face", box, free("0 0.02 0.255", "0 1.5707963267948966 0.3", cap), [0] * 6),
        ("cylinder standing on the floor", None, free("0 0 0.16", "0 0 0", cyl), [0.1, 0, 0, 0, 0, 1]),
        ("cylinder lying on the floor", None, free("0 0 0.11", "1.5707963267948966 0 0", cyl), [0.3, 0, 0, 0, 0, 0]),
        ("cylinder dropped tilted", None, free("0 0 0.4", "0.4 0.3 0", cyl), [0.2, 0.1, 0, 1, 0, 0]),
        ("ellipsoid tumbling onto the floor", None, free("0 0 0.4", "0.5 0.2 0.1", 'type="ellipsoid" size="0.1 0.15 0.2"'),
         [0.2, 0, 0, 2, 1, 0]),
        ("sphere dropped on a cylinder's rim", '<geom type="plane" size="5 5 .1"/><geom type="cylinder" size="0.2 0.1" pos="0 0 0.1"/>',
         free("0.19 0.02 0.5", "0 0 0", 'type="sphere" size="0.05"'), [0] * 6),
        ("capsule landing parallel on a capsule", '<geom type="plane" size="5 5 .1"/><geom type="capsule" size="0.05 0.3" '
         'pos="0 0 0.1" euler="0 1.5707963267948966 0"/>', free("0.1 0 0.3", "0 1.5707963267948966 0", cap), [0] * 6),
    ]
    out = []
    for name, floor, body, v in specs:
        xml = scene(body, floor=floor) if floor else scene(body)
        out.append((name, xml, [mujoco.MjModel.from_xml_string(xml).qpos0], [v], 500, None))
    return out


CUBE_MESH = ('<mesh name="cube" vertex="-1 -1 -1  1 -1 -1  -1 1 -1  1 1 -1  -1 -1 1  1 -1 1  -1 1 1  1 1 1" '
             'face="0 2 3  0 3 1  4 5 7  4 7 6  0 1 5  0 5 4  2 6 7  2 7 3  0 4 6  0 6 2  1 3 7  1 7 5" scale="0.1 0.1 0.1"/>')


def convex_scenes():
    """The general convex collider's pairs (sim/src/convex.cpp), 1 s each from rest: body positions
    after 1 s against MuJoCo's (issue 17's 1e-4 m)."""
    free = lambda geom, pos, euler="0 0 0": (f'<body pos="{pos}" euler="{euler}"><freejoint/>{geom}</body>')
    q = lambda pos, euler: [[*map(float, pos.split()), *euler_quat(euler)]]
    rows = []
    for name, fixed, geom, pos, euler in [
        ("ellipsoid dropped on a cylinder", '<geom type="cylinder" size="0.1 0.15" pos="0 0 0.15"/>',
         '<geom type="ellipsoid" size="0.08 0.1 0.12" mass="1"/>', "0.02 0.01 0.6", "0.17 0.35 0.09"),
        ("ellipsoid dropped on an ellipsoid", '<geom type="ellipsoid" size="0.2 0.15 0.1" pos="0 0 0.1"/>',
         '<geom type="ellipsoid" size="0.08 0.1 0.12" mass="1"/>', "0.03 0.01 0.5", "0.3 0.1 0"),
        ("capsule dropped across a lying cylinder", '<geom type="cylinder" size="0.08 0.3" pos="0 0 0.08" euler="1.5707963 0 0"/>',
         '<geom type="capsule" size="0.04 0.2" mass="1"/>', "0 0.03 0.3", "0 1.5707963 0.2"),
        ("cylinder dropped flat on a box (multiccd)", '<geom type="box" size="0.3 0.3 0.1" pos="0 0 0.1"/>',
         '<geom type="cylinder" size="0.1 0.1" mass="1"/>', "0.02 0.01 0.4", "0.03 0.02 0"),
        ("ellipsoid dropped on a tetrahedral mesh", '<geom type="mesh" mesh="tet"/>',
         '<geom type="ellipsoid" size="0.06 0.08 0.1" mass="1"/>', "0.06 0.05 0.5", "0.1 0.2 0"),
        # plane–mesh: edge first, then flat on a face (the hull's deepest vertex and its face's corners)
        ("mesh box dropped on the floor (plane–mesh)", "", '<geom type="mesh" mesh="cube" mass="1"/>',
         "0.02 0.01 0.3", "0.3 0.2 0.1"),
        ("tetrahedral mesh dropped on the floor (plane–mesh)", "", '<geom type="mesh" mesh="tet" mass="1"/>',
         "0.02 0.01 0.3", "0.25 -0.15 0.1"),
    ]:
        xml = scene(free(geom, "0 0 0"), floor='<geom type="plane" size="5 5 0.1"/>' + fixed,
                    asset='<asset><mesh name="tet" vertex="0 0 0  0.3 0 0  0 0.3 0  0 0 0.3" face="0 2 1  0 1 3  0 3 2  1 2 3"/>'
                          + CUBE_MESH + '</asset>')
        rows.append((f"convex: {name}", xml, q(pos, [float(x) for x in euler.split()]), [[0.0] * 6], 500, "bodies"))
        # MuJoCo's EPA converged (its defaults, 35 iterations to 1e-6, leave up to 1e-3 m of
        # depth on curved geoms); ours ignores these options and always converges to 1e-10
        if not fixed:  # plane–mesh: no GJK/EPA, the ccd options change nothing
            continue
        tight = xml.replace('timestep="0.002" ', 'timestep="0.002" ccd_iterations="200" ccd_tolerance="1e-10" ')
        rows.append((f"convex: {name}, MuJoCo's ccd converged", tight, rows[-1][2], [[0.0] * 6], 500, "bodies"))
    return rows


def euler_quat(e):
    """MuJoCo's default (xyz, intrinsic) Euler angles in radians -> quaternion (w, x, y, z)."""
    qs = [np.array([np.cos(a / 2), *(np.sin(a / 2) * np.eye(3)[k])]) for k, a in enumerate(e)]
    return quat_mul(quat_mul(qs[0], qs[1]), qs[2])


def condim_scenes():
    """Torsional and rolling friction (condim 4, 6; pyramidal cone), 2 s from MuJoCo's qpos0: a ball
    spun on the floor, a ball rolling and spinning, a box and a capsule spun flat, and an explicit
    <pair> with its five friction coefficients."""
    ball = lambda cd, fr: scene(f'<body pos="0 0 0.1"><freejoint/><geom size="0.1" mass="1" condim="{cd}" friction="{fr}"/></body>')
    specs = [
        ("ball spun on the floor, condim 4 (torsional 0.05)", ball(4, "1 0.05 0.001"), [0, 0, 0, 0, 0, 10]),
        ("ball rolling and spinning, condim 6 (rolling 0.01)", ball(6, "0.8 0.03 0.01"), [0.5, 0.3, 0, -3, 5, 8]),
        ("box spun on the floor, condim 6", scene('<body pos="0 0 0.05" euler="0 0 0.3"><freejoint/><geom type="box" '
         'size="0.2 0.1 0.05" mass="2" condim="6" friction="0.7 0.02 0.005"/></body>'), [0.5, 0, 0, 0, 0, 6]),
        ("capsule spun flat, condim 4", scene('<body pos="0 0 0.05" euler="0 1.5707963267948966 0"><freejoint/><geom '
         'type="capsule" size="0.05 0.2" mass="1" condim="4" friction="0.9 0.05 0.001"/></body>'), [0, 0, 0, 0, 0, 5]),
        ("explicit pair condim 6, friction 0.9 0.5 0.03 0.01 0.02", scene('<body pos="0 0 0.1"><freejoint/><geom name="ball" '
         'size="0.1" mass="1"/></body>', contact='<contact><pair geom1="floor" geom2="ball" condim="6" '
         'friction="0.9 0.5 0.03 0.01 0.02"/></contact>'), [0.3, 0.2, 0, 4, -6, 7]),
    ]
    return [(name, xml, [mujoco.MjModel.from_xml_string(xml).qpos0], [v], 1000, None) for name, xml, v in specs]


def elliptic_scenes():
    """The elliptic friction cone (<option cone="elliptic">): the box sliding to rest (Newton, CG, impratio
    10), a box tumbling onto the floor (condim 3), the ball rolling and spinning (condim 6) and the
    explicit condim-6 pair, from the scenes above."""
    box = planar('<geom type="box" size="0.2 0.1 0.05" mass="2"/>')
    tumble = '<body pos="0 0 0.3" euler="0.3 0.2 0.1"><freejoint/><geom type="box" size="0.1 0.08 0.05" mass="1"/></body>'
    ball6 = '<body pos="0 0 0.1"><freejoint/><geom size="0.1" mass="1" condim="6" friction="0.8 0.03 0.01"/></body>'
    out = [(f"box sliding to rest, elliptic{label}", scene(box, option=f'cone="elliptic" {opt}'), [[0, 0.05, 0]], [[2, 0, 0]],
            1500, "slide") for label, opt in [("", ""), (", CG", 'solver="CG"'), (", impratio 10", 'impratio="10"'),
                                              (", PGS", 'solver="PGS"')]]
    for name, body, v, contact in [
            ("box tumbling onto the floor, elliptic (condim 3)", tumble, [1, 0.5, 0, 1, 2, 3], ""),
            ("ball rolling and spinning, elliptic condim 6", ball6, [0.5, 0.3, 0, -3, 5, 8], ""),
            ("explicit pair condim 6, elliptic", '<body pos="0 0 0.1"><freejoint/><geom name="ball" size="0.1" mass="1"/></body>',
             [0.3, 0.2, 0, 4, -6, 7], '<contact><pair geom1="floor" geom2="ball" condim="6" friction="0.9 0.5 0.03 0.01 0.02"/></contact>')]:
        for solver in ["", ' solver="PGS"']:
            xml = scene(body, option='cone="elliptic"' + solver, contact=contact)
            out.append((name + (", PGS" if solver else ""), xml, [mujoco.MjModel.from_xml_string(xml).qpos0], [v], 1000, None))
    return out


# Narrow phase, pair by pair: geom 1 fixed in the world (a plane, or a geom turned at random),
# geom 2 on a free body put at seeded random poses around it (a third of the turns random, the
# others a right-angle turn relative to geom 1 (parallel faces, edges and axes: the special
# cases) tilted by at most 1e-3 rad or not at all); both engines' contact lists at each pose, in order: geoms, count, dist, pos
# and frame. MuJoCo's collision functions for these pairs are analytic; a difference in count
# means a different branch taken.
NARROW_PAIRS = [
    ("plane–cylinder", '<geom type="plane" size="5 5 .1"/>', 'type="cylinder" size="0.1 0.15"', 0.25),
    ("plane–ellipsoid", '<geom type="plane" size="5 5 .1"/>', 'type="ellipsoid" size="0.1 0.15 0.2"', 0.25),
    ("sphere–cylinder", '<geom type="sphere" size="0.1"/>', 'type="cylinder" size="0.12 0.15"', 0.3),
    ("capsule–box", '<geom type="box" size="0.2 0.15 0.1"/>', 'type="capsule" size="0.05 0.2"', 0.45),
    ("capsule–capsule", '<geom type="capsule" size="0.05 0.2"/>', 'type="capsule" size="0.06 0.15"', 0.35),
    ("sphere–box", '<geom type="box" size="0.2 0.15 0.1"/>', 'type="sphere" size="0.08"', 0.3),
]
# The pairs of the general convex collider (MuJoCo's mjc_Convex: its GJK/EPA, ours in
# sim/src/convex.cpp): both converge to a tolerance, so agreement is to ~1e-6, not to the bit.
CONVEX_PAIRS = [
    ("capsule–cylinder", '<geom type="cylinder" size="0.1 0.15"/>', 'type="capsule" size="0.05 0.2"', 0.4),
    ("sphere–ellipsoid", '<geom type="ellipsoid" size="0.1 0.15 0.2"/>', 'type="sphere" size="0.08"', 0.35),
    ("capsule–ellipsoid", '<geom type="ellipsoid" size="0.1 0.15 0.2"/>', 'type="capsule" size="0.05 0.2"', 0.45),
    ("ellipsoid–ellipsoid", '<geom type="ellipsoid" size="0.1 0.15 0.2"/>', 'type="ellipsoid" size="0.12 0.08 0.1"', 0.35),
    ("ellipsoid–cylinder", '<geom type="cylinder" size="0.1 0.15"/>', 'type="ellipsoid" size="0.1 0.15 0.2"', 0.4),
    ("ellipsoid–box", '<geom type="box" size="0.2 0.15 0.1"/>', 'type="ellipsoid" size="0.1 0.15 0.2"', 0.45),
    ("cylinder–cylinder", '<geom type="cylinder" size="0.1 0.15"/>', 'type="cylinder" size="0.12 0.1"', 0.4),
    ("cylinder–box", '<geom type="box" size="0.2 0.15 0.1"/>', 'type="cylinder" size="0.1 0.15"', 0.45),
    ("box–mesh (tetrahedron)", '<geom type="box" size="0.2 0.15 0.1"/>', 'type="mesh" mesh="tet"', 0.4),
    ("mesh–mesh (tetrahedron, octahedron)", '<geom type="mesh" mesh="oct"/>', 'type="mesh" mesh="tet"', 0.4),
    ("sphere–mesh (octahedron)", '<geom type="sphere" size="0.1"/>', 'type="mesh" mesh="oct"', 0.4),
]
MESH_ASSETS = ('<asset><mesh name="tet" vertex="0 0 0  0.2 0 0  0 0.2 0  0 0 0.2" face="0 2 1  0 1 3  0 3 2  1 2 3"/>'
               '<mesh name="oct" vertex="0.15 0 0  -0.15 0 0  0 0.15 0  0 -0.15 0  0 0 0.15  0 0 -0.15" '
               'face="0 2 4  2 1 4  1 3 4  3 0 4  2 0 5  1 2 5  3 1 5  0 3 5"/></asset>')


def random_quat(rng, kind):
    if kind == 0:
        q = rng.normal(size=4)
        return q / np.linalg.norm(q)
    # a right-angle turn about x, y or z (0–3 quarter turns), then maybe a tiny tilt
    ax = np.zeros(3)
    ax[rng.integers(3)] = 1
    ang = rng.integers(4) * np.pi / 2
    q = np.array([np.cos(ang / 2), *(np.sin(ang / 2) * ax)])
    if kind == 2:
        t = rng.normal(size=3)
        t *= 1e-3 * rng.random() / np.linalg.norm(t)
        dq = np.array([1, *(t / 2)])
        dq /= np.linalg.norm(dq)
        q = quat_mul(q, dq)
    return q / np.linalg.norm(q)


def quat_mul(a, b):
    return np.array([a[0] * b[0] - a[1:] @ b[1:], *(a[0] * b[1:] + b[0] * a[1:] + np.cross(a[1:], b[1:]))])


def narrow_phase(ours, poses, seed=11, worst=None, pairs=NARROW_PAIRS):
    """Rows: pair, margin, poses, poses touching, count mismatches (of them at exact right-angle
    turns, where a tie between equally near features falls on round-off), max |Δ| of dist, pos, frame.
    `worst` (a list) receives (pair, margin, qpos, ours, MuJoCo's) where the lists differ by > 1e-9."""
    rows = []
    rng = np.random.default_rng(seed)
    for name, fixed, moving, reach in pairs:
        for margin in (0.0, 0.02):
            plane = "plane" in fixed
            turn, qf = '', np.array([1.0, 0, 0, 0])
            if not plane:  # turn the fixed geom too (the moving geom's turns are relative to it)
                qf = random_quat(rng, 0)
                turn = ' quat="' + ' '.join(repr(float(x)) for x in qf) + '"'
            mg = f' margin="{margin}"' if margin else ''
            xml = scene(f'<body><freejoint/><geom {moving} mass="1"{mg}/></body>',
                        floor=fixed.replace("/>", turn + mg + "/>", 1), asset=MESH_ASSETS if "mesh" in name else "")
            mm = mujoco.MjModel.from_xml_string(xml)
            dm = mujoco.MjData(mm)
            m = ours.load(xml)
            touching = mismatch = aligned = 0
            err = np.zeros(3)
            for k in range(poses):
                pos = rng.uniform(-reach, reach, 3)
                if plane:
                    pos[:2] *= 0.2
                    pos[2] = rng.uniform(-0.1, reach)
                qpos = np.array([*pos, *quat_mul(qf, random_quat(rng, k % 3))])
                g, dist, p, frame = ours.contacts(m, qpos)
                dm.qpos[:] = qpos
                mujoco.mj_forward(mm, dm)
                n = dm.ncon
                touching += n > 0
                same = n == len(dist) and (n == 0 or np.array_equal(g, dm.contact.geom[:n]))
                mismatch += not same
                aligned += not same and k % 3 == 1
                e = [np.max(np.abs(dist - dm.contact.dist[:n])), np.max(np.abs(p - dm.contact.pos[:n])),
                     np.max(np.abs(frame.reshape(n, 9) - dm.contact.frame[:n]))] if same and n else [0, 0, 0]
                err = np.maximum(err, e)
                if worst is not None and (not same or max(e) > 1e-12):
                    worst.append((name, margin, qpos, (dist, p, frame.reshape(-1, 9)),
                                  (dm.contact.dist[:n].copy(), dm.contact.pos[:n].copy(), dm.contact.frame[:n].copy())))
            ours.lib.sim_deleteModel(m)
            rows.append((name, margin, poses, touching, f"{mismatch} ({aligned})", *err))
    return rows


def apexes(z):
    """Heights of the local maxima of z (after the drop)."""
    return [z[i] for i in range(1, len(z) - 1) if z[i] > z[i - 1] and z[i] >= z[i + 1] and i > 5]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", help="libenergysim.so built from sim/src (default: build one)")
    ap.add_argument("--corpus", help="the mjcf_corpus.py directory: add gymnasium's walkers and ant")
    ap.add_argument("--only", help="run only the scenes whose name contains this text")
    ap.add_argument("--narrow", type=int, default=2000, metavar="N",
                    help="seeded random poses per pair and margin in the narrow-phase table (0: skip it)")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="speed: the median of N runs of each engine, taken in turns (a shared machine is noisy)")
    a = ap.parse_args()
    ours = bridge(a.lib)
    if a.narrow:
        print(f"MuJoCo {mujoco.__version__}; narrow phase at seeded random poses (contacts compared in order)")
        print("| pair | margin | poses | poses touching | count or geom mismatches (at exact right angles) | max abs ddist | max abs dpos | max abs dframe |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in narrow_phase(ours, a.narrow):
            print("| {} | {} | {} | {} | {} | {:.1e} | {:.1e} | {:.1e} |".format(*r))
    ball = planar('<geom type="sphere" size="0.1" mass="1"/>')
    box = planar('<geom type="box" size="0.2 0.1 0.05" mass="2"/>')
    scenes = [
        ("sphere bounce on plane (solref 0.005 0.1, 3 s)",
         scene('<body><joint name="z" type="slide" axis="0 0 1"/><geom type="sphere" size="0.1" mass="1" '
               'solref="0.005 0.1"/></body>'), [[1.0]], [[0.0]], 1500, "bounce"),
        ("box resting on plane (10 s)", scene(box), [[0, 0.05 - 0.0002, 0]], [[0, 0, 0]], 5000, "rest"),
        ("box sliding to rest (v0 = 2 m/s)", scene(box), [[0, 0.05, 0]], [[2, 0, 0]], 1500, "slide"),
        ("capsule falling flat on plane", scene(planar('<geom type="capsule" fromto="-0.2 0 0 0.2 0 0" size="0.05" mass="1"/>')),
         [[0, 0.3, 0.2]], [[0.5, 0, 1]], 1500, None),
        ("ridgeball, right of the ridge", ours.builtin("ridgeball"), [[0.02, 0, 0]], [[0, 0, 0]], 1500, "side"),
        ("ridgeball, left of the ridge", ours.builtin("ridgeball"), [[-0.03, 0, 0]], [[0, 0, 0]], 1500, "side"),
        ("hopper (built-in), 1 s from q = 0 pitched 0.1 rad, zero controls", ours.builtin("hopper"), [[0, 0, 0.1, 0, 0, 0]], [np.zeros(6)], 500,
         "bodies"),
        ("pusher (built-in), the puck slid into the post at 1 m/s, 5 mm off its axis", ours.builtin("pusher"),
         [[1.5, 0, 0, 0.005, 0]], [[0, 0, 1, 0, 0]], 500, "bodies"),
        ("ball dropped on a tilted box", scene(planar('<geom type="sphere" size="0.1" mass="1"/>', "0 0 0.8"),
         floor='<geom type="plane" size="5 5 0.1"/><geom type="box" size="0.3 0.3 0.1" pos="0 0 0.2" euler="0 0.3 0"/>'),
         [[0.05, 0, 0]], [[0, 0, 0]], 1500, None),
        ("capsule on capsule", scene(planar('<geom type="capsule" fromto="0 -0.2 0 0 0.2 0" size="0.05" mass="1"/>', "0 0 0.5"),
         floor='<geom type="plane" size="5 5 0.1"/><geom type="capsule" fromto="-0.3 0 0.1 0.3 0 0.1" size="0.05"/>'),
         [[0.0, 0, 0.4]], [[0, 0, 0]], 1500, None),
        ("explicit pairs only (floor contype 0), rod excluded from the ball", pair_scene(True),
         [[0, 0, 0, 0, 0, 0.1]], [[0.3, 0.2, 0, 0, 0, 0]], 1500, None),
        ("explicit pairs only, rod lands on the ball", pair_scene(False),
         [[0, 0, 0, 0, 0, 0.1]], [[0.3, 0.2, 0, 0, 0, 0]], 1500, None),
        *box_scenes(),
        *new_pair_scenes(),
        *convex_scenes(),
        *condim_scenes(),
        *elliptic_scenes(),
    ]
    if a.corpus:
        for name in ["hopper", "walker2d", "half_cheetah", "ant"]:
            files = glob.glob(os.path.join(a.corpus, f"x/gymnasium-*/gymnasium/envs/mujoco/assets/{name}.xml"))
            if not files:
                continue
            xml = open(files[0]).read()
            m = mujoco.MjModel.from_xml_string(xml)
            steps = int(round(1.0 / m.opt.timestep))
            scenes.append((f"gymnasium {name}, 1 s from qpos0", xml, [m.qpos0], [np.zeros(m.nv)], steps, "bodies"))
            if name == "hopper":
                q = m.qpos0.copy()
                q[3:5] -= 0.01
                scenes.append(("gymnasium hopper, thigh/leg 0.01 rad inside their limit", xml, [q],
                               [np.zeros(m.nv)], steps, "bodies"))
    print(f"MuJoCo {mujoco.__version__}; CPU: {cpu_model()}")
    print("| scene | steps | max abs dqpos vs MuJoCo | figure (ours / MuJoCo) | steps/s ours | steps/s MuJoCo |")
    print("|---|---:|---:|---|---:|---:|")
    for name, xml, q0, v0, steps, kind in scenes:
        if a.only and a.only not in name:
            continue
        q0 = np.array(q0, float)
        v0 = np.array(v0, float)
        qo, vo = ours.rollout(xml, q0, v0, steps)
        qm = theirs(xml, q0, v0, steps)
        err = float(np.max(np.abs(qo - qm)))
        fig = ""
        if kind == "bounce":
            ao, am = apexes(qo[0, :, 0]), apexes(qm[0, :, 0])
            fig = "apexes " + ", ".join(f"{x:.4f}" for x in ao[:3]) + " / " + ", ".join(f"{x:.4f}" for x in am[:3])
        elif kind == "rest":
            fig = f"max abs vx over 10 s {np.max(np.abs(vo[0, 500:, 0])):.1e} m/s"
        elif kind == "slide":
            m = mujoco.MjModel.from_xml_string(xml)
            fig = f"distance {qo[0, -1, 0]:.6f} / {qm[0, -1, 0]:.6f} m"
        elif kind == "bodies":
            fig = f"max body distance after 1 s {body_distance(xml, qo[0, -1], qm[0, -1]):.1e} m"
        elif kind == "side":
            fig = f"x after {steps * 0.002:.0f} s {qo[0, -1, 0]:+.4f} / {qm[0, -1, 0]:+.4f} m"
        so, sm = speed(ours, xml, q0, v0, repeat=a.repeat)
        print(f"| {name} | {steps} | {err:.2e} | {fig} | {so:,.0f} | {sm:,.0f} |")


def body_distance(xml, q_ours, q_mujoco):
    """Largest distance between a body's world position at q_ours and at q_mujoco (MuJoCo's FK)."""
    m = mujoco.MjModel.from_xml_string(xml)
    d = mujoco.MjData(m)
    pos = []
    for q in (q_ours, q_mujoco):
        d.qpos[:] = q
        mujoco.mj_kinematics(m, d)
        pos.append(d.xpos.copy())
    return float(np.max(np.linalg.norm(pos[0] - pos[1], axis=1)))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
