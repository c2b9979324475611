#!/usr/bin/env python3
"""URDF import against MuJoCo's own URDF import, on the robots shipped in pybullet's data.

Downloads pybullet's wheel (pip download --no-deps --only-binary :all: pybullet), unpacks its
pybullet_data/**/*.urdf (without random_urdfs/, 1,000 generated single-body objects), loads each
file here through the C bridge (sim_loadModelFile, which takes URDF; the same tiny driver as
benchmarks/mjcf_corpus.py) and in MuJoCo (mujoco.MjModel.from_xml_path), and tabulates: which
load where, sizes, and for every file with joints that both load, the largest |qpos ours -
MuJoCo| over 500 steps from 16 seeded starts inside the joint ranges, zero controls, contacts
disabled in both, Euler and RK4, on the trajectories that touch no joint limit.

MuJoCo does not resolve `package://` mesh paths (it reads them as relative file names): its
copy of a file that has them gets the same absolute paths our import resolves (package path,
then the URDF's own directory, as pybullet does), written next to the original as
NAME.mujoco.urdf. Nothing else is changed.

    python3 benchmarks/urdf_models.py [--dir /tmp/urdf-corpus] [--json out.json] [--no-parity]
                                      [--no-limits] [--tolerance 1e-12]

--no-limits switches joint limits off in both engines, so every trajectory is compared (arms
under gravity with zero controls reach a limit within 500 steps); --tolerance sets the
constraint solver's tolerance in both (files with joint dry friction solve it iteratively).
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mjcf_corpus import build_driver  # noqa: E402


def fetch(workdir):
    wheels = os.path.join(workdir, "wheels")
    os.makedirs(wheels, exist_ok=True)
    if not glob.glob(wheels + "/pybullet-*.whl"):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q",
                        "-d", wheels, "pybullet"], check=True)
    wheel = sorted(glob.glob(wheels + "/pybullet-*.whl"))[-1]
    out = os.path.join(workdir, "x")
    if not os.path.isdir(os.path.join(out, "pybullet_data")):
        with zipfile.ZipFile(wheel) as z:
            z.extractall(out, [n for n in z.namelist() if n.startswith("pybullet_data/")])
    files = sorted(glob.glob(out + "/pybullet_data/**/*.urdf", recursive=True))
    return [f for f in files if "/random_urdfs/" not in f and not f.endswith(".mujoco.urdf")]


def mujoco_copy(path):
    """The file MuJoCo reads: package:// paths resolved as our import resolves them."""
    text = open(path, encoding="utf8", errors="replace").read()
    if "package://" not in text:
        return path
    base = os.path.dirname(os.path.abspath(path))
    dirs = [d for d in os.environ.get("ROS_PACKAGE_PATH", "").split(":") if d] + [base]

    def resolve(m):
        name, rest = m.group(1), m.group(2)
        for d in dirs:
            if os.path.isdir(os.path.join(d, name)):
                return os.path.join(d, name) + rest
            if os.path.basename(d.rstrip("/")) == name:
                return d.rstrip("/") + rest
        return m.group(0)

    out = path[:-5] + ".mujoco.urdf"
    with open(out, "w", encoding="utf8") as f:
        f.write(re.sub(r"package://([^/\"']+)([^\"']*)", resolve, text))
    return out


def mujoco_parity(ref, r, no_limits=False, tolerance=None):
    """Per integrator: (max |dqpos| over the clean trajectories, clean, total)."""
    import mujoco
    import numpy as np
    m = mujoco.MjModel.from_xml_path(ref)
    m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
    if no_limits:
        m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_LIMIT)
    if tolerance is not None:
        m.opt.tolerance = tolerance
    if m.nq != r["nq"] or m.nv != r["nv"]:
        return None
    d = mujoco.MjData(m)
    integrators = [mujoco.mjtIntegrator.mjINT_EULER, mujoco.mjtIntegrator.mjINT_RK4]
    worst, clean, total = [0.0, 0.0], [0, 0], [0, 0]
    for run in r["runs"]:
        k = run["integrator"]
        total[k] += 1
        if (run["hit"] and not no_limits) or run["status"] != 0:
            continue  # touched a joint limit: benchmarks/constraints_vs_mujoco.py compares those
        clean[k] += 1
        m.opt.integrator = integrators[k]
        mujoco.mj_resetData(m, d)
        d.qpos[:] = run["q0"]
        d.qvel[:] = run["v0"]
        for snap in run["snap"]:
            for _ in range(r["every"]):
                mujoco.mj_step(m, d)
            worst[k] = max(worst[k], float(np.max(np.abs(d.qpos - snap), initial=0)))
    return worst, clean, total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="/tmp/urdf-corpus")
    ap.add_argument("--driver", help="a built mjcf_load (default: build it from this checkout)")
    ap.add_argument("--json", help="write per-file results here")
    ap.add_argument("--no-parity", action="store_true", help="only tabulate what loads")
    ap.add_argument("--no-limits", action="store_true",
                    help="switch joint limits off in both engines: every trajectory is compared")
    ap.add_argument("--tolerance", type=float, help="the constraint solver's tolerance in both engines")
    a = ap.parse_args()
    import mujoco
    os.makedirs(a.dir, exist_ok=True)
    files = fetch(a.dir)
    exe = a.driver or build_driver(a.dir)
    rows = []
    for f in files:
        name = f.split("/pybullet_data/")[-1]
        row = {"file": name}
        ref = mujoco_copy(f)
        try:
            mj = mujoco.MjModel.from_xml_path(ref)
            row["mujoco"] = f"nq {mj.nq}"
        except Exception as e:  # noqa: BLE001 (MuJoCo's own refusal, kept as text)
            mj = None
            row["mujoco"] = "refused: " + str(e).strip().split("\n")[0][:90]
        flags = ([] if a.no_parity else ["--parity"]) + (["--no-limits"] if a.no_limits else []) + \
            (["--tolerance", repr(a.tolerance)] if a.tolerance is not None else [])
        out = subprocess.run([exe, *flags, f], capture_output=True, text=True, timeout=600)
        lines = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
        r = lines[0] if lines else {"status": f"CRASH (rc {out.returncode})", "message": out.stderr[-200:]}
        row["ours"] = f"nq {r['nq']}" if r["status"] == "SIM_OK" else \
            "refused: " + r.get("message", "").split("\n")[0].split(": ", 1)[-1][:90]
        if r["status"] == "SIM_OK" and mj is not None and r["nq"] > 0 and "runs" in r:
            p = mujoco_parity(ref, r, a.no_limits, a.tolerance)
            row["parity"] = p if p else "sizes differ"
        rows.append(row)
    both = [x for x in rows if x["ours"].startswith("nq") and x["mujoco"].startswith("nq")]
    robots = [x for x in both if x["ours"] != "nq 0"]
    print(f"{len(rows)} URDF files in pybullet_data (random_urdfs/ left out): MuJoCo loads "
          f"{sum(x['mujoco'].startswith('nq') for x in rows)}, we load {sum(x['ours'].startswith('nq') for x in rows)}, "
          f"both {len(both)} ({len(robots)} with joints)")
    print("\n| file | MuJoCo | ours | Euler max abs dqpos (clean/16) | RK4 max abs dqpos (clean/16) |")
    print("|---|---|---|---:|---:|")
    for x in rows:
        p = x.get("parity")
        cells = ["", ""]
        if isinstance(p, tuple):
            cells = [f"{p[0][k]:.1e} ({p[1][k]}/{p[2][k]})" if p[1][k] else f"– (0/{p[2][k]})" for k in range(2)]
        elif p:
            cells = [p, p]
        print(f"| {x['file']} | {x['mujoco']} | {x['ours']} | {cells[0]} | {cells[1]} |")
    compared = [x for x in rows if isinstance(x.get("parity"), tuple)]
    for k, integrator in enumerate(["Euler", "RK4"]):
        vals = [x["parity"][0][k] for x in compared if x["parity"][1][k]]
        clean = sum(x["parity"][1][k] for x in compared)
        total = sum(x["parity"][2][k] for x in compared)
        within = sum(v <= 1e-9 for v in vals)
        print(f"{integrator}: {len(vals)} files compared ({clean} of {total} trajectories "
              f"{'(limits off)' if a.no_limits else 'touch no limit'}), "
              f"{within} within 1e-9, worst {max(vals, default=0):.2e}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
