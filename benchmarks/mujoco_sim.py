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


def mujoco_steps_per_second(xml, integrator, dt, threads, min_time, clock, steps=1000):
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
        now = time.process_time if clock == "cpu" else time.perf_counter
        total, start = 0, now()
        while True:
            runner.rollout(model, datas, initial, control, nstep=steps)
            total += batch * steps
            elapsed = now() - start
            if elapsed >= min_time:
                return total / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ebm", default=".build/release/ebm")
    parser.add_argument("--robots", nargs="+", default=ROBOTS)
    parser.add_argument("--dt", type=float, default=0.002)
    parser.add_argument("--min-time", type=float, default=0.5)
    parser.add_argument("--threads", nargs="+", type=int, default=sorted({1, os.cpu_count()}))
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu: process CPU time, steadier on a busy machine (1 thread only)")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()

    rows = []
    print(f"MuJoCo {mujoco.__version__}, {os.cpu_count()} cores, dt {args.dt}, {args.clock} clock")
    print(f"{'robot':<12} {'integrator':<10} {'threads':>7} {'ours steps/s':>14} {'MuJoCo steps/s':>15} {'ratio':>7}")
    # one row at a time, each engine right after the other, so both see the same machine load
    for robot in args.robots:
        xml = subprocess.check_output([args.ebm, "model", "xml", robot], text=True)
        for integrator in INTEGRATORS:
            for threads in args.threads:
                [row] = json.loads(subprocess.check_output(
                    [args.ebm, "bench", "sim", "--json", "--dt", str(args.dt), "--min-time", str(args.min_time),
                     "--robots", robot, "--integrators", integrator, "--threads", str(threads),
                     "--clock", args.clock, "--no-contacts"]))
                theirs = mujoco_steps_per_second(xml, integrator, args.dt, threads, args.min_time, args.clock)
                ratio = row["steps_per_second"] / theirs
                rows.append({**row, "mujoco_steps_per_second": theirs, "ratio": ratio})
                print(f"{robot:<12} {integrator:<10} {threads:>7} "
                      f"{row['steps_per_second']:>14,.0f} {theirs:>15,.0f} {ratio:>6.2f}x", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
