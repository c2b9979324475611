#!/usr/bin/env python3
"""Side-by-side simulator speed: EnergyDynamics (`ebm bench sim`) vs MuJoCo on the same MJCF.

Both engines load the same files (`ebm model xml NAME`), run the same integrator at the same
timestep, open-loop, contacts disabled in both (the built-in robots have none), in one run on
one machine. MuJoCo is timed through `mujoco.rollout` (its C++ multi-step loop, no Python per
step), on 1 thread and on all threads, like ours.

    pip install mujoco
    swift build -c release --product ebm
    python3 benchmarks/mujoco_sim.py [--ebm .build/release/ebm] [--json out.json]
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np
import mujoco
from mujoco import rollout

ROBOTS = ["pendulum", "cartpole", "acrobot", "pointmass2d", "reacher2", "arm7",
          "chain8", "chain32", "chain128"]
INTEGRATORS = {"euler": mujoco.mjtIntegrator.mjINT_EULER, "rk4": mujoco.mjtIntegrator.mjINT_RK4}


def mujoco_steps_per_second(xml, integrator, dt, threads, min_time, steps=1000):
    model = mujoco.MjModel.from_xml_string(xml)
    model.opt.timestep = dt
    model.opt.integrator = INTEGRATORS[integrator]
    model.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
    batch = 8 * threads
    datas = [mujoco.MjData(model) for _ in range(threads)]
    spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
    size = mujoco.mj_stateSize(model, spec)
    initial = np.zeros((batch, size))
    for b in range(batch):
        d = datas[0]
        mujoco.mj_resetData(model, d)
        d.qpos[:] = model.qpos0 + 0.1 * np.sin(np.arange(model.nq) + b)
        d.qvel[:] = 0.1 * np.cos(7 * np.arange(model.nv) + b)
        mujoco.mj_getState(model, d, initial[b], spec)
    control = np.zeros((batch, 1, model.nu))  # tiled over the steps
    with rollout.Rollout(nthread=threads) as runner:
        runner.rollout(model, datas, initial, control, nstep=50)  # warm-up
        total, start = 0, time.perf_counter()
        while True:
            runner.rollout(model, datas, initial, control, nstep=steps)
            total += batch * steps
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                return total / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ebm", default=".build/release/ebm")
    parser.add_argument("--robots", nargs="+", default=ROBOTS)
    parser.add_argument("--dt", type=float, default=0.002)
    parser.add_argument("--min-time", type=float, default=0.5)
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()

    ours = json.loads(subprocess.check_output(
        [args.ebm, "bench", "sim", "--json", "--dt", str(args.dt), "--min-time", str(args.min_time),
         "--robots", *args.robots]))
    rows = []
    print(f"MuJoCo {mujoco.__version__}, {os.cpu_count()} cores, dt {args.dt}")
    print(f"{'robot':<12} {'integrator':<10} {'threads':>7} {'ours steps/s':>14} {'MuJoCo steps/s':>15} {'ratio':>7}")
    for row in ours:
        xml = subprocess.check_output([args.ebm, "model", "xml", row["robot"]], text=True)
        theirs = mujoco_steps_per_second(xml, row["integrator"], args.dt, row["threads"], args.min_time)
        ratio = row["steps_per_second"] / theirs
        rows.append({**row, "mujoco_steps_per_second": theirs, "ratio": ratio})
        print(f"{row['robot']:<12} {row['integrator']:<10} {row['threads']:>7} "
              f"{row['steps_per_second']:>14,.0f} {theirs:>15,.0f} {ratio:>6.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
