"""Contact forces against MuJoCo's mj_contactForce (issue 17: what the viewer's force arrows show).

usage: python3 benchmarks/contact_forces_vs_mujoco.py [--lib libenergysim.so] [--corpus DIR] [--every K]

For each scene of benchmarks/contacts_vs_mujoco.py (and gymnasium's hopper, walker2d, half_cheetah
and ant with --corpus): MuJoCo 4 steps it; every K-th state is set in both engines, both run
forward dynamics (mj_forward, sim_forward), and each contact's 6-vector force in its frame
(normal, two tangents, torsional and two rolling torques) is compared in order: through
`sim_contactForces` here, `mj_contactForce` there. A row reports the states compared, the states
whose contact lists differ (count or geoms; not compared further), the largest force and the
largest difference. The solver stops at its tolerance in both engines, so forces agree to about
tolerance times the force scale, not to round-off.
"""
import argparse
import ctypes
import glob
import os
import sys

import mujoco
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import contacts_vs_mujoco as cvm  # noqa: E402  (its scenes and its bridge to our library)

P, D = cvm.P, cvm.D


def our_forces(ours, m, qpos, qvel):
    """geoms [n, 2] and forces [n, 6] after sim_forward at (qpos, qvel), zero controls."""
    L = ours.lib
    st = P()
    L.sim_makeState(m, ctypes.byref(st))
    q, v = np.ascontiguousarray(qpos, float), np.ascontiguousarray(qvel, float)
    L.sim_setState(m, st, q.ctypes.data_as(D), v.ctypes.data_as(D), None)
    if L.sim_forward(m, st) != 0:
        raise RuntimeError("sim_forward failed")
    n, cap = ctypes.c_int64(), 256
    geoms, forces = np.zeros((cap, 2), np.int32), np.zeros((cap, 6))
    status = (L.sim_contacts(m, st, cap, ctypes.byref(n), geoms.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), None),
              L.sim_contactForces(m, st, cap, ctypes.byref(n), forces.ctypes.data_as(D)))
    L.sim_deleteState(st)
    if status != (0, 0):
        raise RuntimeError(f"sim_contacts / sim_contactForces failed: {status}")
    k = min(n.value, cap)
    return geoms[:k], forces[:k]


def compare(ours, xml, q0, v0, steps, every):
    """(states compared, states whose contact lists differ, max |force|, max |Δforce|) over MuJoCo's trajectory."""
    mm = mujoco.MjModel.from_xml_string(xml)
    md = mujoco.MjData(mm)
    om = ours.load(xml)
    compared, differ, scale, worst = 0, 0, 0.0, 0.0
    f = np.zeros(6)
    for q, v in zip(q0, v0):
        mujoco.mj_resetData(mm, md)
        md.qpos[:], md.qvel[:] = q, v
        for t in range(steps + 1):
            if t % every == 0:
                mujoco.mj_forward(mm, md)
                # MuJoCo also lists the contacts it found in the gap (exclude = 1, e.g. dist = margin exactly),
                # which have no constraint rows; sim_contacts lists the active ones only
                active = [i for i in range(md.ncon) if md.contact[i].exclude == 0]
                theirs = np.zeros((len(active), 6))
                for row, i in enumerate(active):
                    mujoco.mj_contactForce(mm, md, i, f)
                    theirs[row] = f
                geoms, forces = our_forces(ours, om, md.qpos, md.qvel)
                their_geoms = np.array([[md.contact[i].geom1, md.contact[i].geom2] for i in active], np.int32).reshape(-1, 2)
                compared += 1
                if geoms.shape != their_geoms.shape or np.any(geoms != their_geoms):
                    differ += 1
                elif len(forces):
                    scale = max(scale, float(np.abs(theirs).max()))
                    worst = max(worst, float(np.abs(forces - theirs).max()))
            mujoco.mj_step(mm, md)
    ours.lib.sim_deleteModel(om)
    return compared, differ, scale, worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", help="libenergysim.so built from sim/src (default: build one)")
    ap.add_argument("--corpus", help="the mjcf_corpus.py directory: add gymnasium's walkers and ant")
    ap.add_argument("--every", type=int, default=10, metavar="K", help="compare every K-th state (default 10)")
    a = ap.parse_args()
    ours = cvm.bridge(a.lib)
    ours.lib.sim_contactForces.argtypes = [P, P, ctypes.c_int64, ctypes.POINTER(ctypes.c_int64), D]
    box = cvm.planar('<geom type="box" size="0.2 0.1 0.05" mass="2"/>')
    scenes = [
        ("box resting on plane (1 s)", cvm.scene(box), [[0, 0.05 - 0.0002, 0]], [[0, 0, 0]], 500),
        ("box sliding to rest (v0 = 2 m/s)", cvm.scene(box), [[0, 0.05, 0]], [[2, 0, 0]], 1500),
        ("ridgeball, both sides", ours.builtin("ridgeball"), [[0.02, 0, 0], [-0.03, 0, 0]], [[0, 0, 0], [0, 0, 0]], 1500),
    ]
    scenes += [(name, xml, q0, v0, steps) for name, xml, q0, v0, steps, _ in
               cvm.box_scenes() + cvm.new_pair_scenes() + cvm.condim_scenes() + cvm.elliptic_scenes()]
    for name in ["hopper", "walker2d", "half_cheetah", "ant"] if a.corpus else []:
        files = glob.glob(os.path.join(a.corpus, f"x/gymnasium-*/gymnasium/envs/mujoco/assets/{name}.xml"))
        if files:
            xml = open(files[0]).read()
            m = mujoco.MjModel.from_xml_string(xml)
            scenes.append((f"gymnasium {name}, 1 s from qpos0", xml, [m.qpos0], [np.zeros(m.nv)], int(round(1 / m.opt.timestep))))
    print(f"MuJoCo {mujoco.__version__}; CPU: {cvm.cpu_model()}; every {a.every}th state")
    print("| scene | states compared | contact lists differ | max abs force (N, N·m) | max abs Δforce | relative |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, xml, q0, v0, steps in scenes:
        n, differ, scale, worst = compare(ours, xml, np.array(q0, float), np.array(v0, float), steps, a.every)
        print(f"| {name} | {n} | {differ} | {scale:.3g} | {worst:.1e} | {worst / scale if scale else 0:.1e} |", flush=True)


if __name__ == "__main__":
    main()
