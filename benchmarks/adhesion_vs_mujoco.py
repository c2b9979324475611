#!/usr/bin/env python3
"""Reference numbers of MuJoCo's adhesion actuators (body transmission) for sim/tests/adhesion_test.cpp.

Each scene (its MJCF is written into the output too) is stepped in MuJoCo from a few starts under
constant controls, with each integrator we support for it, STEPS steps; at the start and every
EVERY steps the state is recorded with what mj_forward computes there: actuator_moment (dense),
actuator_force, qfrc_actuator and the number of contacts (active, in the gap). The C++ test
replays the same starts and compares moment and forces (<= 1e-12) and qpos (<= 1e-9).

    python3 benchmarks/adhesion_vs_mujoco.py [--out sim/tests/adhesion_reference.inc] [--report]

--report prints, per scene and integrator, what the box or ball does (stuck, fell, dragged).
"""
import argparse
import math
import os

import mujoco
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS, EVERY, MAXQ, MAXU = 300, 50, 8, 3
# Newton tolerance in both engines (MuJoCo's default 1e-8 leaves contact trajectories apart by
# up to 3.5e-7 here, with adhesion off as much as on: the solver stopping at different iterates)
TOL = float(os.environ.get("ADHESION_TOLERANCE", "1e-12"))

# A free box hanging under a ceiling plane (its normal down) with margin and gap: adhesion on
# the box pulls it onto the ceiling through the box's four corner contacts (or, in the gap, the
# excluded contacts' normal Jacobians); gravity pulls it away.
CEILING = """<mujoco model="adhesion ceiling">
  <option timestep="0.002" cone="{cone}" tolerance="{tol}"/>
  <worldbody>
    <geom name="ceiling" type="plane" size="2 2 0.1" pos="0 0 1" quat="0 1 0 0" margin="0.01" gap="0.01"
          condim="{condim}" friction="0.8 0.02 0.001"/>
    <body name="box" pos="0 0 0.9">
      <freejoint/>
      <geom type="box" size="0.1 0.1 0.1" density="1000" condim="{condim}"/>
    </body>
  </worldbody>
  <actuator>
    <adhesion name="stick" body="box" ctrlrange="0 1" gain="150"/>
  </actuator>
</mujoco>
"""

# A gripper-like pair without free joints (so that every integrator runs): a finger on a slide
# whose pad touches a ball (slides x and z, hinge y) resting on the floor (that contact at distance
# 0 with margin 0: in MuJoCo's gap, excluded). Adhesion on the pad drags the ball along when the
# finger's motor pulls back (ctrl > 0), and the ball stays without it; a second adhesion actuator on the ball
# averages its floor and pad contacts (the ball is geom2 of one, geom1 of the other); a third on
# the pad is force-limited.
GRIPPER = """<mujoco model="adhesion gripper">
  <option timestep="0.002" cone="{cone}" tolerance="{tol}"/>
  <worldbody>
    <geom name="floor" type="plane" size="2 2 0.1" condim="{condim}"/>
    <body name="ball" pos="0 0 0.05">
      <joint name="bx" type="slide" axis="1 0 0" damping="0.01"/>
      <joint name="bz" type="slide" axis="0 0 1"/>
      <joint name="by" type="hinge" axis="0 1 0"/>
      <geom name="ball" type="sphere" size="0.05" density="1000" condim="{condim}"/>
    </body>
    <body name="finger" pos="0.07 0 0.06">
      <joint name="fx" type="slide" axis="1 0 0" damping="0.5"/>
      <geom name="pad" type="box" size="0.02 0.04 0.04" density="500" condim="{condim}" friction="1.2"
            margin="0.002" gap="0.003"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="pull" joint="fx" gear="5" ctrlrange="-1 1"/>
    <adhesion name="pad" body="finger" ctrlrange="0 1" gain="20"/>
    <adhesion name="ball" body="ball" ctrlrange="0 2" gain="4" forcerange="0 5"/>
  </actuator>
</mujoco>
"""

SCENES = [
    ("ceiling, pyramid condim 3", CEILING.format(cone="pyramidal", condim=3, tol=TOL), ["euler", "rk4", "implicitfast"]),
    ("ceiling, elliptic condim 4", CEILING.format(cone="elliptic", condim=4, tol=TOL), ["euler", "rk4", "implicitfast"]),
    ("ceiling, frictionless condim 1", CEILING.format(cone="pyramidal", condim=1, tol=TOL), ["euler", "rk4", "implicitfast"]),
    ("ceiling, pyramid condim 6", CEILING.format(cone="pyramidal", condim=6, tol=TOL), ["euler", "rk4"]),
    ("gripper, pyramid condim 3", GRIPPER.format(cone="pyramidal", condim=3, tol=TOL),
     ["euler", "rk4", "implicit", "implicitfast"]),
    ("gripper, elliptic condim 3", GRIPPER.format(cone="elliptic", condim=3, tol=TOL),
     ["euler", "rk4", "implicit", "implicitfast"]),
]
CODES = {"euler": 0, "rk4": 1, "implicit": 2, "implicitfast": 3}


def starts(m):
    """(qpos, qvel, ctrl) per start: for the ceiling, stuck / let go / pulled back from the gap / tilted;
    for the gripper, dragging with and without adhesion."""
    out = []
    if m.nq == 7:
        q0 = m.qpos0.copy()
        for k, (dz, ctrl, tilt) in enumerate([(0, 1.0, 0), (0, 0.0, 0), (-0.015, 1.0, 0), (-0.004, 0.7, 0.03)]):
            q = q0.copy()
            q[2] += dz
            if tilt:
                q[3:7] = [math.cos(tilt / 2), math.sin(tilt / 2), 0, 0]
                q[2] -= 0.1 * math.sin(tilt)  # one edge up at the ceiling, not through it
            v = np.array([0.02 * math.sin(1.0 + i + 3.0 * k) for i in range(m.nv)])
            out.append((q, v, np.array([ctrl])))
    else:
        for k, ctrl in enumerate([(1.0, 1.0, 0.0), (1.0, 0.0, 0.0), (0.6, 1.0, 2.0), (-0.3, 0.5, 1.0)]):
            q = m.qpos0.copy()
            v = np.array([0.05 * math.sin(0.5 + i + 2.0 * k) for i in range(m.nv)])
            out.append((q, v, np.array(ctrl)))
    return out


def moment(m, d):
    mom = np.zeros((m.nu, m.nv))
    mujoco.mju_sparse2dense(mom, d.actuator_moment, d.moment_rownnz, d.moment_rowadr, d.moment_colind)
    return mom


def record(m, d, scratch):
    """The state and what mj_forward computes at it (on a scratch MjData: the run's warm start stays)."""
    scratch.qpos[:], scratch.qvel[:], scratch.ctrl[:] = d.qpos, d.qvel, d.ctrl
    scratch.act[:] = d.act
    mujoco.mj_forward(m, scratch)
    ngap = sum(1 for c in scratch.contact[:scratch.ncon] if c.exclude == 1)
    return dict(qpos=d.qpos.copy(), qvel=d.qvel.copy(), moment=moment(m, scratch),
                force=scratch.actuator_force.copy(), qfrc=scratch.qfrc_actuator.copy(),
                ncon=int(scratch.ncon) - ngap, ngap=ngap)


def rollout(xml, integrator):
    m = mujoco.MjModel.from_xml_string(xml)
    m.opt.integrator = getattr(mujoco.mjtIntegrator, "mjINT_" + integrator.upper())
    d, scratch = mujoco.MjData(m), mujoco.MjData(m)
    runs = []
    for q, v, u in starts(m):
        mujoco.mj_resetData(m, d)
        d.qpos[:], d.qvel[:], d.ctrl[:] = q, v, u
        snaps = [record(m, d, scratch)]
        for t in range(1, STEPS + 1):
            mujoco.mj_step(m, d)
            if t % EVERY == 0:
                snaps.append(record(m, d, scratch))
        runs.append((q, v, u, snaps))
    return m, runs


def carray(x, n):
    x = list(np.ravel(x)) + [0.0] * (n - len(np.ravel(x)))
    return "{" + ", ".join(repr(float(v)) for v in x) + "}"


def snap_c(s, m):
    mom = np.zeros((MAXU, MAXQ))
    mom[:m.nu, :m.nv] = s["moment"]
    return (f"{{{carray(s['qpos'], MAXQ)}, {carray(s['qvel'], MAXQ)}, {{{', '.join(carray(r, MAXQ) for r in mom)}}}, "
            f"{carray(s['force'], MAXU)}, {carray(s['qfrc'], MAXQ)}, {s['ncon']}, {s['ngap']}}}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "sim/tests/adhesion_reference.inc"))
    ap.add_argument("--report", action="store_true")
    a = ap.parse_args()
    nsnap = STEPS // EVERY + 1
    lines = [f"// Generated by benchmarks/adhesion_vs_mujoco.py with MuJoCo {mujoco.__version__}: do not edit.",
             f"// 4 starts per scene and integrator, constant controls; the state and mj_forward's actuator",
             f"// moment, force and qfrc_actuator at the start and every {EVERY} of {STEPS} steps.",
             f"constexpr int kAdhMaxQ = {MAXQ}, kAdhMaxU = {MAXU}, kAdhSnaps = {nsnap}, kAdhEvery = {EVERY};",
             "struct AdhesionSnap {",
             "  double qpos[kAdhMaxQ], qvel[kAdhMaxQ], moment[kAdhMaxU][kAdhMaxQ], force[kAdhMaxU], qfrc[kAdhMaxQ];",
             "  int ncon, ngap;  // MuJoCo's active contacts and those in the gap (exclude 1)",
             "};",
             "struct AdhesionReference {",
             "  const char *scene, *xml;",
             "  int integrator, nq, nv, nu;",
             "  double ctrl[kAdhMaxU];",
             "  AdhesionSnap snap[kAdhSnaps];",
             "};"]
    xmls = {}
    for k, (name, xml, _) in enumerate(SCENES):
        xmls[name] = f"kAdhesionXML{k}"
        lines.append(f'static const char* const kAdhesionXML{k} = R"XML({xml})XML";')
    lines.append("static const AdhesionReference kAdhesionReference[] = {")
    for name, xml, integrators in SCENES:
        for integrator in integrators:
            m, runs = rollout(xml, integrator)
            for q, v, u, snaps in runs:
                lines.append(f'  {{"{name}", {xmls[name]}, {CODES[integrator]}, {m.nq}, {m.nv}, {m.nu}, '
                             f'{carray(u, MAXU)}, {{{", ".join(snap_c(s, m) for s in snaps)}}}}},')
                if a.report:
                    first, last = snaps[0], snaps[-1]
                    print(f"{name:32s} {integrator:12s} ctrl {u} contacts {first['ncon']}+{first['ngap']} gap -> "
                          f"{last['ncon']}+{last['ngap']}; qpos[0..2] {np.round(first['qpos'][:3], 4)} -> "
                          f"{np.round(last['qpos'][:3], 4)}")
        print(f"{name}: {len(integrators)} integrators x {len(runs)} starts, nq {m.nq} nv {m.nv} nu {m.nu}")
    lines.append("};")
    with open(a.out + ".tmp", "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.replace(a.out + ".tmp", a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
