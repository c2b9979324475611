"""Quick goal coverage of `ebm predict` futures on reacher2-goals4 test episodes (the protocol that
chose trajectories/reacher2-goals4.train.json; see benchmarks/README.md, "Training").

usage: python3 benchmarks/goal_coverage.py EBM_BINARY RUN_DIR [predict options...]
e.g.   python3 benchmarks/goal_coverage.py .build/release/ebm runs/reacher2-goals4-ebm --sampler langevin --steps 60

For each of the first 20 test episodes: 32 futures of 97 states from states 0-3; a future is valid
when its final fingertip (planar FK of reacher2: links 0.1 m and 0.11 m) lies within 2 cm of a goal,
the goals being the mean final fingertip of the test episodes with that goal index.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

ebm, model, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
data = os.environ.get("DATA", "trajectories/generated/reacher2-goals4")
test = np.load(os.path.join(data, "test.npz"))
states, goal = test["states"], test["goal"]


def fingertip(q):
    a, b = q[..., 0], q[..., 0] + q[..., 1]
    return np.stack([0.1 * np.cos(a) + 0.11 * np.cos(b), 0.1 * np.sin(a) + 0.11 * np.sin(b)], -1)


goals = np.stack([fingertip(states[goal == g, -1, :2]).mean(0) for g in range(goal.max() + 1)])
covered, valid, best = [], [], []
with tempfile.TemporaryDirectory() as folder:
    out = os.path.join(folder, "futures.npz")
    for episode in range(20):
        subprocess.run([ebm, "predict", "--model", model, "--data", data, "--episode", str(episode),
                        "--context-start", "0", "--samples", "32", "--horizon", str(states.shape[1] - 4), "--out", out] + extra,
                       check=True, capture_output=True)
        futures = np.load(out)["futures"]
        distance = np.linalg.norm(fingertip(futures[:, -1, :2])[:, None] - goals[None], axis=-1)
        ok = distance.min(1) < 0.02
        valid.append(ok.mean())
        covered.append(len(set(distance.argmin(1)[ok])))
        best.append(np.linalg.norm(futures - states[episode, 4:], axis=-1).mean(1).min())
print(f"goals {np.mean(covered):.2f}  valid {np.mean(valid):.3f}  bestADE {np.mean(best):.3f}  {' '.join(extra)}")
