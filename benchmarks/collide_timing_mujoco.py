#!/usr/bin/env python3
"""MuJoCo's side of benchmarks/collide_timing.cpp: mj_collision alone on an MJCF file after N steps
from its initial state, the median over R runs of the mean of 20,000 calls (Python call overhead,
about 0.3 µs, included), and the contacts it finds.

    python3 benchmarks/collide_timing_mujoco.py benchmarks/models/convex.xml [--steps 300] [--runs 7]
"""
import argparse
import time

import mujoco
import numpy as np

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("model")
ap.add_argument("--steps", type=int, default=300)
ap.add_argument("--runs", type=int, default=7)
a = ap.parse_args()
m = mujoco.MjModel.from_xml_path(a.model)
d = mujoco.MjData(m)
for _ in range(a.steps):
    mujoco.mj_step(m, d)
mujoco.mj_kinematics(m, d)
calls, us = 20000, []
for _ in range(a.runs):
    t0 = time.perf_counter()
    for _ in range(calls):
        mujoco.mj_collision(m, d)
    us.append((time.perf_counter() - t0) / calls * 1e6)
us.sort()
print(f"{a.model} after {a.steps} steps: {d.ncon} contacts; mj_collision {np.median(us):.2f} us "
      f"(median of {a.runs}; min {us[0]:.2f}, max {us[-1]:.2f})")
