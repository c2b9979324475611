#!/usr/bin/env python3
"""Equality constraints (connect, weld, joint) against MuJoCo on the same MJCF.

Scenes: a four-bar loop (two hinged links whose tip is connected to the world), a free body hung
from the world by a connect, a free body welded to the world (relpose from qpos0) and one welded
with an explicit relpose and torquescale, two free bodies welded to each other with site
semantics, and two hinges coupled by a cubic (joint). Each runs 500 steps from 4 seeded starts
(qpos0 moved ~0.05 on the manifold, velocities ~0.3: the constraints start violated) with Euler
and RK4, contacts
disabled in both engines, Newton solver, zero controls. Our side runs through the C bridge
(sim_rollout), MuJoCo through its Python bindings. Reported: max |qpos ours - MuJoCo|.

    pip install mujoco
    python3 benchmarks/equality_vs_mujoco.py [--lib /tmp/libenergysim.so]
"""
import os
import sys

import numpy as np
import mujoco

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contacts_vs_mujoco import bridge, cpu_model, parity_args, theirs  # noqa: E402  (one bridge wrapper)
from floating_vs_mujoco import model, starts  # noqa: E402

SCENES = [
    ("four-bar: two hinged links, tip connected to the world", model(
        '<body pos="0 0 1"><joint axis="0 1 0" damping="0.1"/><geom type="capsule" fromto="0 0 0 0.4 0 0" size="0.03"/>'
        '<body pos="0.4 0 0"><joint axis="0 1 0"/><geom type="capsule" fromto="0 0 0 0 0 -0.4" size="0.03"/>'
        '<body name="tip" pos="0 0 -0.4"/></body></body>'), '<connect body1="tip" body2="world" anchor="0 0 0"/>'),
    ("free body hung by a connect", model(
        '<body name="b" pos="0 0 1"><freejoint/><geom type="box" size="0.1 0.05 0.2"/></body>'),
     '<connect body1="b" anchor="0 0 0.2" solref="0.01 1"/>'),
    ("free body welded to the world (relpose from qpos0)", model(
        '<body name="b" pos="0.2 0 1" euler="0.3 0 0"><freejoint/><geom type="box" size="0.1 0.05 0.2"/></body>'),
     '<weld body1="b" solimp="0.95 0.99 0.01"/>'),
    ("free body welded to the world, relpose and torquescale", model(
        '<body name="b" pos="0 0 1"><freejoint/><geom type="box" size="0.1 0.05 0.2"/></body>'),
     '<weld body1="b" body2="world" anchor="0.1 0 0" relpose="0 0 1 0.9 0.1 0 0.1" torquescale="0.5"/>'),
    ("two free bodies welded by sites", model(
        '<body pos="0 0 1"><freejoint/><geom type="sphere" size="0.1"/><site name="s1" pos="0.1 0 0"/></body>'
        '<body pos="0.3 0 1"><freejoint/><geom type="box" size="0.1 0.1 0.05"/><site name="s2" pos="-0.1 0 0" euler="0 0 0.2"/></body>'),
     '<weld site1="s1" site2="s2"/>'),
    ("two hinges coupled by a cubic (joint)", model(
        '<body pos="0 0 1"><joint name="a" axis="0 1 0"/><geom type="capsule" fromto="0 0 0 0.3 0 0" size="0.03"/></body>'
        '<body pos="0.5 0 1"><joint name="b" axis="1 0 0" ref="0.2"/><geom type="capsule" fromto="0 0 0 0 0.3 0" size="0.03"/></body>'),
     '<joint joint1="a" joint2="b" polycoef="0.1 0.5 0.2 -0.3 0"/>'),
]


def main():
    a = parity_args(__doc__)
    ours = bridge(a.lib)
    print(f"MuJoCo {mujoco.__version__}; CPU: {cpu_model()}")
    print("| scene | nq | nv | max abs dqpos Euler | max abs dqpos RK4 |")
    print("|---|---:|---:|---:|---:|")
    for name, xml, eq in SCENES:
        xml = xml.replace("</mujoco>", f"<equality>{eq}</equality></mujoco>")
        errs = []
        for integ in ("Euler", "RK4"):
            x = xml.replace('timestep="0.002"', f'timestep="0.002" integrator="{integ}"')
            m = mujoco.MjModel.from_xml_string(x)
            q0, v0 = starts(m, a.seeds, 0.05, 0.3)
            qo, _ = ours.rollout(x, q0, v0, a.steps)
            qm = theirs(m, q0, v0, a.steps)
            errs.append(float(np.max(np.abs(qo - qm))))
        print(f"| {name} | {m.nq} | {m.nv} | {errs[0]:.2e} | {errs[1]:.2e} |")


if __name__ == "__main__":
    main()
