#!/usr/bin/env python3
"""RK4 stage by stage against MuJoCo: where a corpus file's RK4 trajectories part from MuJoCo's.

For a file (default: dm_control's quadruped), takes the parity starts of benchmarks/mjcf_load.cpp
(16 seeded starts inside the joint ranges, contacts off, zero controls) and
  1. compares one RK4 step and 500 steps (every 50) of ours (the driver, `--tolerance X`) with
     MuJoCo's at the file's solver tolerance and at 1e-15 in both engines: a difference the
     tolerance does not move is not the solver's;
  2. records MuJoCo's own RK4 stage states (qpos, qvel at each of the four mj_forward calls of
     mj_step, through mjcb_control) and rebuilds each stage's qpos from MuJoCo's previous stage with
     our rule (qpos0 + c·h·q̇ in R^n, quaternions renormalised: sim/src/integrate.cpp, rk4Step) and
     with mj_integratePos(qpos0, c·qvel_prev, h): max |Δqpos| per stage, and which qpos entries
     differ (quaternions of ball and free joints, or not).

    python3 benchmarks/rk4_stages_vs_mujoco.py [--dir /tmp/corpus17] [--driver PATH] [--file REGEX] [--starts N]
"""
import argparse
import json
import os
import subprocess
import sys

import mujoco
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mjcf_corpus  # noqa: E402

RK4_C = [0.5, 0.5, 1.0]
FREE, BALL = int(mujoco.mjtJoint.mjJNT_FREE), int(mujoco.mjtJoint.mjJNT_BALL)


def quat_rate(q, w):
    """½ q ⊗ (0, w)."""
    return 0.5 * np.array([-q[1] * w[0] - q[2] * w[1] - q[3] * w[2], q[0] * w[0] + q[2] * w[2] - q[3] * w[1],
                           q[0] * w[1] - q[1] * w[2] + q[3] * w[0], q[0] * w[2] + q[1] * w[1] - q[2] * w[0]])


def position_rate(m, q, v):
    out = np.zeros(m.nq)
    for j in range(m.njnt):
        qa, da, t = m.jnt_qposadr[j], m.jnt_dofadr[j], int(m.jnt_type[j])
        if t == FREE:
            out[qa:qa + 3] = v[da:da + 3]
            qa, da = qa + 3, da + 3
        if t in (FREE, BALL):
            out[qa:qa + 4] = quat_rate(q[qa:qa + 4], v[da:da + 3])
        else:
            out[qa] = v[da]
    return out


def quaternion_entries(m):
    idx = []
    for j in range(m.njnt):
        qa, t = m.jnt_qposadr[j], int(m.jnt_type[j])
        if t == FREE:
            idx += list(range(qa + 3, qa + 7))
        elif t == BALL:
            idx += list(range(qa, qa + 4))
    return idx


def normalised(m, q):
    q = q.copy()
    for j in range(m.njnt):
        qa, t = m.jnt_qposadr[j], int(m.jnt_type[j])
        if t == FREE:
            qa += 3
        if t in (FREE, BALL):
            q[qa:qa + 4] /= np.linalg.norm(q[qa:qa + 4])
    return q


def ours(driver, path, tolerance):
    out = subprocess.run([driver, "--parity", "--tolerance", repr(tolerance), path], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().split("\n")[0])


def mujoco_rollout(m, d, q0, v0, steps, every):
    mujoco.mj_resetData(m, d)
    d.qpos[:], d.qvel[:] = q0, v0
    snaps = []
    for t in range(1, steps + 1):
        mujoco.mj_step(m, d)
        if t % every == 0:
            snaps.append(d.qpos.copy())
    return np.array(snaps)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="/tmp/corpus17")
    ap.add_argument("--driver", help="a built mjcf_load (default: build it from this checkout)")
    ap.add_argument("--file", default=r"dm_control/suite/quadruped\.xml")
    ap.add_argument("--starts", type=int, default=16)
    a = ap.parse_args()
    files = mjcf_corpus.mujoco_loads(mjcf_corpus.fetch(a.dir, mjcf_corpus.PACKAGES),
                                     os.path.join(a.dir, "mujoco_loads.json"))
    path = next(f for f in files if __import__("re").search(a.file, f))
    driver = a.driver or mjcf_corpus.build_driver(a.dir)
    m = mujoco.MjModel.from_xml_path(path)
    m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
    m.opt.integrator = mujoco.mjtIntegrator.mjINT_RK4
    d = mujoco.MjData(m)
    tol0 = float(m.opt.tolerance)
    print(f"{path.split('/x/')[-1]}: nq {m.nq} nv {m.nv} neq {m.neq}, timestep {m.opt.timestep}")
    runs = {}
    for tol in (tol0, 1e-15):
        r = ours(driver, path, tol)
        runs[tol] = [x for x in r["runs"] if x["integrator"] == 1][:a.starts]
    qidx = quaternion_entries(m)
    rows = []
    for k, run in enumerate(runs[tol0]):
        q0, v0 = np.array(run["q0"]), np.array(run["v0"])
        diffs = []
        for tol in (tol0, 1e-15):
            m.opt.tolerance = tol
            ref = mujoco_rollout(m, d, q0, v0, 500, 50)
            diffs.append(float(np.max(np.abs(ref - np.array(runs[tol][k]["snap"])))))
        m.opt.tolerance = tol0
        # MuJoCo's stage states
        stages = []
        mujoco.set_mjcb_control(lambda mm, dd: stages.append((dd.qpos.copy(), dd.qvel.copy())))
        try:
            mujoco.mj_resetData(m, d)
            d.qpos[:], d.qvel[:] = q0, v0
            mujoco.mj_step(m, d)
        finally:
            mujoco.set_mjcb_control(None)
        ours_rule, integrate = [], []
        for s in (1, 2, 3):
            qp, vp = stages[s - 1]
            c = RK4_C[s - 1]
            x = normalised(m, q0 + c * m.opt.timestep * position_rate(m, qp, vp))
            y = q0.copy()
            mujoco.mj_integratePos(m, y, vp * c, m.opt.timestep)
            target = stages[s][0]
            ours_rule.append(np.abs(x - target))
            integrate.append(np.abs(y - target))
        other = [i for i in range(m.nq) if i not in qidx]
        rows.append((k, diffs, ours_rule, integrate, other))
        print(f"start {k:2d}: 500 steps max |dqpos| {diffs[0]:.2e} (tolerance {tol0:g}), {diffs[1]:.2e} (1e-15 in "
              f"both); stage qpos from MuJoCo's previous stage, our rule: "
              + ", ".join(f"{e.max():.1e}" for e in ours_rule)
              + "; mj_integratePos: " + ", ".join(f"{e.max():.1e}" for e in integrate)
              + f"; non-quaternion entries (our rule) {max(e[other].max() for e in ours_rule):.1e}")


if __name__ == "__main__":
    main()
