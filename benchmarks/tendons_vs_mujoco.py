#!/usr/bin/env python3
"""Tendons (fixed and spatial through sites) and springdamper joints against MuJoCo on the same MJCF.

Scenes: a three-link arm under gravity with a fixed tendon carrying a spring with a dead band,
a damper, dry friction and a limit that the arm swings into, a <position> actuator on it and a
second fixed tendon held to it by a tendon equality (cubic); the same arm with a spatial tendon
through four sites (spring, damper, a limit it reaches) driven by a motor; a fixed tendon from a
<default> class on two coupled sliders pulled by a tendon actuator into its limit; actuators
with activation dynamics (integrator with actrange, filter, filterexact from <position timeconst>,
actearly, <cylinder>); and joints with springdamper. Each runs 500 steps from 4 seeded starts (qpos0 moved ~0.3, velocities ~1)
with Euler and RK4 under seeded random controls, contacts disabled, Newton solver with its
tolerance tightened to 1e-12 in both engines (limit rows switch on and off). Our side runs
through the C bridge (sim_rollout), MuJoCo through its Python bindings. Reported: max
|qpos ours - MuJoCo|.

    pip install mujoco
    python3 benchmarks/tendons_vs_mujoco.py [--lib /tmp/libenergysim.so]
"""
import os
import sys

import numpy as np
import mujoco

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contacts_vs_mujoco import bridge, cpu_model, parity_args, theirs  # noqa: E402  (one bridge wrapper)
from floating_vs_mujoco import model, starts  # noqa: E402

ARM = ('<body pos="0 0 1"><joint name="a" axis="0 1 0" damping="0.05"/>'
       '<geom type="capsule" fromto="0 0 0 0.3 0 0" size="0.03"/><site name="s0" pos="0.1 0 0.05"/>'
       '<body pos="0.3 0 0"><joint name="b" axis="0 1 0"/><geom type="capsule" fromto="0 0 0 0.3 0 0" size="0.03"/>'
       '<site name="s1" pos="0.15 0 0.05"/>'
       '<body pos="0.3 0 0"><joint name="c" axis="0 1 0" armature="0.01"/>'
       '<geom type="capsule" fromto="0 0 0 0.3 0 0" size="0.03"/><site name="s2" pos="0.2 0 -0.04"/></body></body></body>'
       '<site name="w" pos="0.2 0 1.3"/>')
SCENES = [
    ("fixed tendons: spring (dead band), damper, friction, limit, position actuator, tendon equality",
     model(ARM, 'tolerance="1e-12"').replace("</mujoco>",
        '<tendon><fixed name="t" stiffness="3" damping="0.2" springlength="-0.1 0.1" frictionloss="0.02" '
        'range="-0.5 0.4" margin="0.01" solreflimit="0.03 0.8"><joint joint="a" coef="1"/><joint joint="b" coef="-0.5"/>'
        '</fixed><fixed name="u"><joint joint="c" coef="0.7"/></fixed></tendon>'
        '<equality><tendon tendon1="u" tendon2="t" polycoef="0.02 0.5 0.1 0 0" solref="0.05 1"/></equality>'
        '<actuator><position tendon="t" kp="5" kv="0.3" gear="1.5"/></actuator></mujoco>')),
    ("spatial tendon through four sites: spring, damper, limit, motor",
     model(ARM, 'tolerance="1e-12"').replace("</mujoco>",
        '<tendon><spatial name="sp" stiffness="20" damping="0.5" range="0.5 0.75" frictionloss="0.01">'
        '<site site="w"/><site site="s0"/><site site="s1"/><site site="s2"/></spatial></tendon>'
        '<actuator><motor tendon="sp" gear="2" ctrlrange="-1 1"/></actuator></mujoco>')),
    ("tendon default class on two sliders, pulled into its limit",
     model('<body><joint name="x1" type="slide" axis="1 0 0"/><geom type="box" size="0.1 0.1 0.1"/></body>'
           '<body pos="0 0.5 0"><joint name="x2" type="slide" axis="1 0 0"/><geom type="sphere" size="0.1"/></body>',
           'gravity="0 0 0" tolerance="1e-12"').replace("<worldbody>",
        '<default><default class="ten"><tendon range="-0.2 0.3" solimplimit="0.8 0.95 0.01" stiffness="1"/></default>'
        '</default><worldbody>').replace("</mujoco>",
        '<tendon><fixed class="ten" name="t"><joint joint="x1" coef="1"/><joint joint="x2" coef="2"/></fixed></tendon>'
        '<actuator><motor tendon="t" gear="4"/></actuator></mujoco>')),
    ("activation dynamics: integrator (actrange), filter, filterexact (position timeconst), actearly, cylinder",
     model(ARM, 'tolerance="1e-12"').replace("</mujoco>",
        '<actuator><general joint="a" dyntype="integrator" gainprm="2" actlimited="true" actrange="-0.3 0.4"/>'
        '<general joint="b" dyntype="filter" dynprm="0.03" gainprm="1.5" biastype="affine" biasprm="0 -1 -0.1"/>'
        '<position joint="c" kp="3" timeconst="0.02"/><general joint="b" dyntype="filterexact" dynprm="0.1" actearly="true"/>'
        '<general tendon="t" dyntype="integrator" actearly="true" gainprm="0.5"/>'
        '<cylinder joint="a" timeconst="0.05" diameter="0.3" bias="0 -1 -0.1"/></actuator>'
        '<tendon><fixed name="t"><joint joint="a" coef="1"/><joint joint="c" coef="1"/></fixed></tendon></mujoco>')),
    ("springdamper joints (time constant, damping ratio)",
     model(ARM.replace('name="a" axis="0 1 0" damping="0.05"', 'name="a" axis="0 1 0" springdamper="0.2 0.3"')
              .replace('name="b" axis="0 1 0"', 'name="b" axis="0 1 0" springdamper="0.5 1" springref="0.3"'),
           'tolerance="1e-12"')),
]


def main():
    a = parity_args(__doc__)
    ours = bridge(a.lib)
    print(f"MuJoCo {mujoco.__version__}; CPU: {cpu_model()}")
    print("| scene | nq | nu | limit rows active (steps, MuJoCo) | max abs dqpos Euler | max abs dqpos RK4 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, xml in SCENES:
        errs, limited = [], 0
        for integ in ("Euler", "RK4"):
            x = xml.replace('timestep="0.002"', f'timestep="0.002" integrator="{integ}"')
            m = mujoco.MjModel.from_xml_string(x)
            q0, v0 = starts(m, a.seeds, 0.3, 1.0)
            ctrl = np.random.default_rng(1).uniform(-1, 1, (a.seeds, a.steps, m.nu))
            qo, _ = ours.rollout(x, q0, v0, a.steps, ctrl=ctrl)
            qm = theirs(m, q0, v0, a.steps, ctrl=ctrl)
            errs.append(float(np.max(np.abs(qo - qm))))
            if integ == "Euler":  # how often a tendon limit acted in MuJoCo's run
                d = mujoco.MjData(m)
                for b in range(a.seeds):
                    mujoco.mj_resetData(m, d)
                    d.qpos[:], d.qvel[:] = q0[b], v0[b]
                    for t in range(a.steps):
                        d.ctrl[:] = ctrl[b, t]
                        mujoco.mj_step(m, d)
                        limited += int(np.any(d.efc_type[:d.nefc] == mujoco.mjtConstraint.mjCNSTR_LIMIT_TENDON))
        print(f"| {name} | {m.nq} | {m.nu} | {limited} of {a.seeds * a.steps} | {errs[0]:.2e} | {errs[1]:.2e} |")


if __name__ == "__main__":
    main()
