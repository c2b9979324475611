#!/usr/bin/env python3
"""Joint limits and dry friction against MuJoCo: trajectories of real robot files that touch
their joint limits.

The same corpus as benchmarks/mjcf_corpus.py (standalone MJCF files shipped in gymnasium,
dm_control, metaworld, robosuite and gymnasium-robotics that MuJoCo loads), loaded through our
C bridge by the small driver benchmarks/mjcf_load.cpp. Every file that loads is rolled out from
16 seeded starts inside its joint ranges (±25 % of the range about its middle, velocities
0.3·cos), Euler and RK4 (and the file's own integrator when implicit or implicitfast), 500 steps of its own timestep, zero controls, here and in MuJoCo with
contacts disabled (the file's own solver options otherwise). Trajectories that leave a joint
range (a limit constraint acted) are compared: max |qpos ours − MuJoCo| over the snapshots
(every 50 steps). `--tolerance X` sets the solver tolerance in both engines.

    pip install mujoco
    python3 benchmarks/constraints_vs_mujoco.py [--dir /tmp/mjcf-corpus] [--tolerance 1e-12] [--only REGEX]
"""
import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mjcf_corpus  # noqa: E402  (same corpus, same driver)


NAMES = ["Euler", "RK4", "implicit", "implicitfast"]  # indexed by SIM_INTEGRATOR_*


def compare(loaded, tolerance):
    import mujoco
    integrators = [getattr(mujoco.mjtIntegrator, "mjINT_" + n.upper()) for n in NAMES]
    rows = []  # (file, integrator, max |dqpos|, ours finite, mujoco finite)
    for r in loaded:
        if "runs" not in r:
            continue
        m = mujoco.MjModel.from_xml_path(r["file"])
        m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
        if tolerance is not None:
            m.opt.tolerance = tolerance
        if m.nq != r["nq"] or m.nv != r["nv"]:
            continue
        d = mujoco.MjData(m)
        for run in r["runs"]:
            if not run["hit"]:
                continue
            k = run["integrator"]
            m.opt.integrator = integrators[k]
            mujoco.mj_resetData(m, d)
            d.qpos[:] = run["q0"]
            d.qvel[:] = run["v0"]
            # MuJoCo resets a diverging state (|qpos|, |qvel| or |qacc| beyond 1e10, or NaN) with
            # a warning: that counts as diverged, as our SIM_ERR_NONFINITE does
            warnings = [int(w) for w in (mujoco.mjtWarning.mjWARN_BADQPOS, mujoco.mjtWarning.mjWARN_BADQVEL,
                                         mujoco.mjtWarning.mjWARN_BADQACC)]
            resets = lambda: sum(d.warning[w].number for w in warnings)  # noqa: E731
            worst = 0.0
            for t in range(r["steps"] // r["every"]):
                for _ in range(r["every"]):
                    mujoco.mj_step(m, d)
                if resets() > 0 or t >= len(run["snap"]):
                    break
                worst = max(worst, float(np.max(np.abs(d.qpos - np.array(run["snap"][t])), initial=0)))
            theirs_ok = resets() == 0
            ours_ok = run["status"] == 0 and len(run["snap"]) == r["steps"] // r["every"]
            rows.append((r["file"], k, worst if ours_ok and theirs_ok else np.inf, ours_ok, theirs_ok,
                         r["steps"] * m.opt.timestep, float(np.max(np.abs(d.qvel), initial=0))))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="/tmp/mjcf-corpus")
    ap.add_argument("--driver", help="a built mjcf_load (default: build it from this checkout)")
    ap.add_argument("--tolerance", type=float, help="solver tolerance in both engines (default: the file's)")
    ap.add_argument("--json", help="write per-trajectory results here")
    ap.add_argument("--only", help="keep only the corpus files whose path matches this regular expression")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    files = mjcf_corpus.fetch(a.dir, mjcf_corpus.PACKAGES)
    corpus = mjcf_corpus.mujoco_loads(files, os.path.join(a.dir, "mujoco_loads.json"))
    if a.only:
        corpus = [f for f in corpus if re.search(a.only, f)]
    exe = a.driver or mjcf_corpus.build_driver(a.dir)
    flags = ["--parity"] + (["--tolerance", repr(a.tolerance)] if a.tolerance is not None else [])
    results = []
    for k in range(0, len(corpus), 25):
        out = subprocess.run([exe, *flags, *corpus[k:k + 25]], capture_output=True, text=True, timeout=1800)
        results += [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
    loaded = [r for r in results if r["status"] == "SIM_OK"]
    rows = compare(loaded, a.tolerance)
    total = sum(len(r.get("runs", [])) for r in loaded)
    print(f"{len(loaded)} files load; {total} trajectories (16 starts x Euler/RK4/the file's implicit one, 500 steps), "
          f"{len(rows)} touch a joint limit, in {len({x[0] for x in rows})} files; "
          f"solver tolerance {a.tolerance if a.tolerance is not None else 'as in each file'}")
    for k, name in enumerate(NAMES):
        everything = [x for x in rows if x[1] == k]
        sel = [x for x in everything if x[3] and x[4]]
        if not len(sel):
            continue
        errs = np.array([x[2] for x in sel])
        print(f"  {name}: {len(everything)} limit-touching trajectories; in the {len(sel)} where "
              f"neither engine diverges, max |dqpos| vs MuJoCo: median {np.median(errs):.2e}, "
              f"90th pct {np.percentile(errs, 90):.2e}, max {errs.max():.2e}")
        for tol in (1e-9, 1e-6, 1e-3):
            print(f"    within {tol:g}: {int(np.sum(errs <= tol))} of {len(sel)}")
        both = sum(1 for x in everything if not x[3] and not x[4])
        nan_ours = sum(1 for x in everything if not x[3] and x[4])
        nan_theirs = sum(1 for x in everything if x[3] and not x[4])
        print(f"    both diverge (MuJoCo resets with a bad qpos/qvel/qacc warning): {both}; only ours: "
              f"{nan_ours}; only MuJoCo's: {nan_theirs}")
        if nan_ours:
            speeds = [x[6] for x in everything if not x[3] and x[4]]
            print(f"    where only ours diverges, MuJoCo's final max |qvel|: median {np.median(speeds):.2e}, "
                  f"min {np.min(speeds):.2e}; files: "
                  + ", ".join(sorted({x[0].split('/')[-1] for x in everything if not x[3] and x[4]})))
        print("    worst files:")
        worst = {}
        for x in sel:
            worst[x[0]] = max(worst.get(x[0], 0), x[2])
        if not worst:
            continue
        for f, e in sorted(worst.items(), key=lambda t: -t[1])[:6]:
            print(f"      {e:9.2e}  {f.split('/x/')[-1]}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump([dict(file=x[0], integrator=x[1], max_dqpos=x[2], seconds=x[5]) for x in rows], fh, indent=0)


if __name__ == "__main__":
    main()
