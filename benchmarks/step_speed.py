#!/usr/bin/env python3
"""Steps/s of this checkout's simulator against a baseline checkout's and MuJoCo's, on files.

Builds benchmarks/step_speed.cpp against sim/src of this checkout and (with --base DIR) of
another one, e.g. main: `git worktree add /tmp/base main` or `git archive main sim | tar -x -C
/tmp/base`; then, per file and integrator (Euler, RK4), --repeat rounds of: baseline, ours,
MuJoCo (`mujoco.rollout`, as benchmarks/mujoco_sim.py: 8 trajectories × 1000 steps, 1 thread),
one right after the other so that all three see the same machine load; prints each engine's
median steps/s and the ratios of the medians. Timestep 0.002 s, process CPU clock, contacts
disabled in both engines (as `ebm bench sim` and benchmarks/mujoco_sim.py). A URDF runs in
MuJoCo as the MJCF our import writes (sim_urdfToMJCF, what `ebm model xml FILE.urdf` prints).

    python3 benchmarks/step_speed.py --base /tmp/base --repeat 5 FILE...
    python3 benchmarks/step_speed.py --stages FILE...   # + µs per pipeline stage (ours)
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(src, out, stages):
    """Objects of src/sim/src (cached in out/obj, rebuilt when a source is newer) and the driver."""
    obj = os.path.join(out, "obj")
    os.makedirs(obj, exist_ok=True)
    cxx = os.environ.get("CXX", "c++")
    flags = ["-std=c++17", "-O2", "-DNDEBUG", "-DEIGEN_NO_DEBUG", "-DEIGEN_DONT_PARALLELIZE",
             *subprocess.check_output(["pkg-config", "--cflags", "eigen3", "pugixml", "urdfdom"], text=True).split(),
             "-I" + os.path.join(src, "sim/include"), "-I" + os.path.join(src, "sim/src")]
    headers = max(os.path.getmtime(h) for h in glob.glob(os.path.join(src, "sim/src/*.hpp")))
    objects = []
    for f in sorted(glob.glob(os.path.join(src, "sim/src/*.cpp"))):
        o = os.path.join(obj, os.path.basename(f)[:-4] + ".o")
        if not os.path.exists(o) or os.path.getmtime(o) < max(os.path.getmtime(f), headers):
            subprocess.run([cxx, *flags, "-c", f, "-o", o], check=True)
        objects.append(o)
    exe = os.path.join(out, "step_speed")
    subprocess.run([cxx, *flags, *(["-DSTAGES"] if stages else []), os.path.join(ROOT, "benchmarks/step_speed.cpp"),
                    *objects, *subprocess.check_output(["pkg-config", "--libs", "pugixml", "urdfdom"], text=True).split(),
                    "-lpthread", "-o", exe], check=True)
    return exe


def ours(exe, path, integrator, min_time):
    out = subprocess.check_output([exe, path, str(integrator), str(min_time), "0"], text=True)
    return float(out.split(":")[1].split()[0]), out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--base", help="a baseline checkout (its sim/src)")
    ap.add_argument("--build", default="/tmp/step-speed", help="build folder")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--stages", action="store_true")
    args = ap.parse_args()
    import mujoco
    from mujoco_sim import mujoco_steps_per_second
    exe = build(ROOT, os.path.join(args.build, "ours"), args.stages)
    base = build(args.base, os.path.join(args.build, "base"), False) if args.base else None
    print(f"MuJoCo {mujoco.__version__}, 1 thread, CPU clock, dt 0.002, median of {args.repeat}")
    print(f"{'file':<34} {'integrator':<6} {'baseline':>9} {'ours':>9} {'MuJoCo':>9} {'ours/base':>9} {'ours/MuJoCo':>11}")
    for path in args.files:
        if path.endswith(".urdf"):
            xml, where = subprocess.check_output([exe, path, "xml"], text=True), os.getcwd()
        else:
            xml, where = open(path).read(), os.path.dirname(os.path.abspath(path))
        for k, integrator in enumerate(["euler", "rk4"]):
            rows = {"base": [], "ours": [], "mujoco": []}
            for _ in range(args.repeat):
                if base:
                    rows["base"].append(ours(base, path, k, args.min_time)[0])
                rate, out = ours(exe, path, k, args.min_time)
                rows["ours"].append(rate)
                cwd = os.getcwd()
                os.chdir(where)  # relative mesh paths
                rows["mujoco"].append(mujoco_steps_per_second(xml, integrator, 0.002, 1, args.min_time, "cpu"))
                os.chdir(cwd)
            med = {key: statistics.median(v) if v else float("nan") for key, v in rows.items()}
            name = "/".join(path.split("/")[-2:])
            print(f"{name:<34} {integrator:<6} {med['base']:9.0f} {med['ours']:9.0f} {med['mujoco']:9.0f} "
                  f"{med['ours'] / med['base']:8.2f}x {med['ours'] / med['mujoco']:10.2f}x", flush=True)
            if args.stages:
                print("\n".join(out.splitlines()[1:]))


if __name__ == "__main__":
    main()
