#!/usr/bin/env python3
"""Ball and free joints against MuJoCo: quaternion coordinates (nq != nv) on the same MJCF.

Scenes: a ball-joint pendulum, one in a cone limit (MuJoCo's ball limit row), a 3-link ball-joint chain with anchors off the body origin and
damping, a free tumbling box with unequal principal moments (torque-free, no gravity), a free body
falling under gravity while spinning, and a free base carrying two hinged legs (an ant-like tree).
Each runs 500 steps from 4 seeded starts (random quaternions and velocities) with Euler and RK4,
contacts disabled in both engines, zero controls. Our side runs through the C bridge (sim_rollout;
a shared library built here from sim/src, or --lib), MuJoCo through its Python bindings.
Reported: max |qpos ours - MuJoCo| over all steps, starts and both integrators.

    pip install mujoco
    python3 benchmarks/floating_vs_mujoco.py [--lib /tmp/libenergysim.so]
"""
import os
import sys

import numpy as np
import mujoco

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contacts_vs_mujoco import bridge, cpu_model, parity_args, theirs  # noqa: E402  (one bridge wrapper)


def model(body, option=""):
    return (f'<mujoco><compiler angle="radian"/><option timestep="0.002" {option}><flag contact="disable"/>'
            f'</option><worldbody>{body}</worldbody></mujoco>')


SCENES = [
    ("ball pendulum", model(
        '<body pos="0 0 1"><joint type="ball"/><geom type="capsule" fromto="0 0 0 0 0 -0.5" size="0.05"/></body>')),
    ("ball pendulum in a 0.3 rad cone limit", model(
        '<body pos="0 0 1"><joint type="ball" range="0 0.3" damping="0.02"/>'
        '<geom type="capsule" fromto="0 0 0 0.2 0 -0.5" size="0.05"/></body>')),
    ("ball chain (3 links, anchors off the origin, damping)", model(
        '<body pos="0 0 2"><joint type="ball" pos="0 0 0.1" damping="0.05"/>'
        '<geom type="capsule" fromto="0 0 0 0.3 0 -0.4" size="0.05"/>'
        '<body pos="0.3 0 -0.4" quat="0.9 0.1 0.3 0"><joint type="ball" damping="0.02" armature="0.01"/>'
        '<geom type="box" size="0.05 0.08 0.2" pos="0 0 -0.2"/>'
        '<body pos="0 0 -0.4"><joint type="hinge" axis="1 1 0"/><geom type="sphere" size="0.07" pos="0.1 0 -0.1"/>'
        '</body></body></body>')),
    ("free tumbling box, no gravity", model(
        '<body pos="0 0 1"><freejoint/><geom type="box" size="0.3 0.2 0.05" pos="0.05 0 0"/>'
        '<geom type="sphere" size="0.05" pos="0 0.2 0.1"/></body>', 'gravity="0 0 0"')),
    ("free body falling and spinning", model(
        '<body pos="0 0 1" euler="0.3 0.2 0.1"><joint type="free" damping="0.01"/>'
        '<geom type="box" size="0.1 0.2 0.3"/></body>')),
    ("free base with two hinged legs", model(
        '<body pos="0 0 0.75"><freejoint/><geom type="sphere" size="0.25"/>'
        '<body pos="0.2 0 0"><joint type="hinge" axis="0 1 0" damping="0.1"/>'
        '<geom type="capsule" fromto="0 0 0 0.4 0 -0.2" size="0.08"/>'
        '<body pos="0.4 0 -0.2"><joint type="ball"/><geom type="capsule" fromto="0 0 0 0 0.3 -0.3" size="0.06"/></body></body>'
        '<body pos="-0.2 0 0"><joint type="slide" axis="1 0 0" damping="1"/>'
        '<geom type="capsule" fromto="0 0 0 -0.4 0 -0.2" size="0.08"/></body></body>')),
]


def starts(m, seeds, qscale=0.5, vscale=1.0):
    """Seeded starts: qpos0 moved along random velocities on the manifold, random qvel."""
    rng = np.random.default_rng(0)
    q0 = np.zeros((seeds, m.nq))
    v0 = np.zeros((seeds, m.nv))
    for b in range(seeds):
        q = m.qpos0.copy()
        mujoco.mj_integratePos(m, q, rng.normal(0, qscale, m.nv), 1.0)
        q0[b] = q
        v0[b] = rng.normal(0, vscale, m.nv)
    return q0, v0


def main():
    a = parity_args(__doc__)
    ours = bridge(a.lib)
    print(f"MuJoCo {mujoco.__version__}; CPU: {cpu_model()}")
    print(f"| scene | nq | nv | max abs dqpos Euler | max abs dqpos RK4 |")
    print("|---|---:|---:|---:|---:|")
    worst = 0.0
    for name, xml in SCENES:
        errs = []
        for integ in ("Euler", "RK4"):
            x = xml.replace('timestep="0.002"', f'timestep="0.002" integrator="{integ}"')
            m = mujoco.MjModel.from_xml_string(x)
            q0, v0 = starts(m, a.seeds)
            qo, _ = ours.rollout(x, q0, v0, a.steps)
            qm = theirs(m, q0, v0, a.steps)
            errs.append(float(np.max(np.abs(qo - qm))))
        worst = max(worst, *errs)
        print(f"| {name} | {m.nq} | {m.nv} | {errs[0]:.2e} | {errs[1]:.2e} |")
    print(f"worst {worst:.2e}")


if __name__ == "__main__":
    main()
