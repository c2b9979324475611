#!/usr/bin/env python3
"""The simulator from Python (the `energydynamics` package, ctypes over sim/include/energysim.h):
one-step cost against MuJoCo's `mj_step` from Python and the `ebm simulate` subprocess, and batched
rollout speed against the same rollouts through Swift (`ebm bench sim`: `RobotModel.rollout`).

    pip install ./python mujoco
    python3 benchmarks/python_sim.py --ebm .build/release/ebm [--json out.json]
"""
import argparse
import json
import os
import platform
import subprocess
import tempfile
import time

import numpy as np

import energydynamics as ed


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor()


def per_call(function, min_time=0.5):
    """Seconds per call of function() (best of 3 batches of calls lasting >= min_time/3 each)."""
    function()
    calls, best = 1, float("inf")
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            function()
        elapsed = time.perf_counter() - start
        if elapsed > min_time / 3:
            break
        calls *= 4
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def one_step(ebm, robot):
    """µs per single step from Python: ours (Simulation.step), MuJoCo's mj_step, the ebm subprocess."""
    model = ed.Model.builtin(robot)
    sim = ed.Simulation(model, model.qpos0 + 0.1, np.zeros(model.nv), np.full(model.nu, 0.1))
    rows = {"energydynamics Simulation.step()": per_call(sim.step)}
    q, v = np.array([model.qpos0 + 0.1]), np.zeros((1, model.nv))
    rows["energydynamics Model.step(B=1, in place)"] = per_call(lambda: model.step(q, v, out=(q, v), threads=1))
    try:
        import mujoco
        reference = mujoco.MjModel.from_xml_string(ed.builtin_xml(robot))
        data = mujoco.MjData(reference)
        data.qpos[:] = model.qpos0 + 0.1
        data.ctrl[:] = 0.1
        rows[f"MuJoCo {mujoco.__version__} mj_step"] = per_call(lambda: mujoco.mj_step(reference, data))
    except ImportError:
        pass
    if ebm:
        with tempfile.TemporaryDirectory() as scratch:
            out = os.path.join(scratch, "one.npz")
            command = [ebm, "simulate", robot, "--steps", "1", "--out", out]
            rows["ebm simulate --steps 1 (subprocess)"] = per_call(
                lambda: subprocess.run(command, check=True, capture_output=True), min_time=2)
    return {name: seconds * 1e6 for name, seconds in rows.items()}


def rollouts(ebm, robot, batch, steps, dt, threads_list):
    """Steps/s of batched RK4 rollouts: Model.rollout from Python vs `ebm bench sim` (Swift)."""
    model = ed.Model.builtin(robot).with_options(timestep=dt, integrator="rk4", substeps=1)
    rng = np.random.default_rng(0)
    qpos = model.qpos0 + 0.01 * rng.standard_normal((batch, model.nq))
    qvel = np.zeros((batch, model.nv))
    rows = []
    for threads in threads_list:
        seconds = per_call(lambda: model.rollout(qpos, qvel, steps=steps, sites=False, threads=threads), min_time=1)
        row = {"robot": robot, "batch": batch, "steps": steps, "threads": threads,
               "python_steps_per_second": batch * steps / seconds, "python_seconds": seconds}
        if ebm:
            out = subprocess.run([ebm, "bench", "sim", "--robots", robot, "--integrators", "rk4", "--dt", str(dt),
                                  "--steps", str(steps), "--threads", str(threads), "--min-time", "1", "--json"],
                                 check=True, capture_output=True, text=True).stdout
            swift = json.loads(out)[0]["steps_per_second"]
            row["swift_steps_per_second"] = swift
            row["python_over_swift_time"] = swift / row["python_steps_per_second"]
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ebm", default=".build/release/ebm")
    parser.add_argument("--robot", default="reacher2")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--dt", type=float, default=0.002)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, ed.hardware_threads()])
    parser.add_argument("--json")
    args = parser.parse_args()
    ebm = args.ebm if os.access(args.ebm, os.X_OK) else None
    result = {"cpu": cpu_model(), "cores": os.cpu_count(),
              "one_step_us": one_step(ebm, args.robot),
              "rollouts": rollouts(ebm, args.robot, args.batch, args.steps, args.dt, sorted(set(args.threads)))}
    print(f"CPU: {result['cpu']} ({result['cores']} cores); robot {args.robot}")
    for name, us in result["one_step_us"].items():
        print(f"  one step  {name:45s} {us:12.2f} µs")
    for r in result["rollouts"]:
        swift = f"  Swift {r['swift_steps_per_second']:11.0f} steps/s  Python/Swift time {r['python_over_swift_time']:.3f}" if "swift_steps_per_second" in r else ""
        print(f"  rollout {r['batch']}×{r['steps']} threads {r['threads']}: Python {r['python_steps_per_second']:11.0f} steps/s"
              f" ({r['python_seconds'] * 1e3:.1f} ms){swift}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
