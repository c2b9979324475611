"""Averaged-pair detection by a denoising model's energy at each noise level (issue 21's OOD section).

Usage: python3 benchmarks/ood_noise_levels.py RUN DATA SITE ROBOT
Builds the `averaged` shift as `ebm evaluate ood` does (each test episode with the first later one of
another goal whose averaged final pose puts site SITE >= 3 cm from every goal), then prints the AUROC of
normal vs averaged windows for E(window) with the residual off the basis (level "judged", what `ebm score`
uses), E(y, sigma | c) at several sigma, and z-scored sums/maxima over the levels (calibrated on 1,000
training episodes). Needs the Python package (pip install ./python) and torch.
"""
import sys

import numpy as np
import torch

import energydynamics as ed
from energydynamics.torch_models import score_windows

run, data, site, robot_name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
model = ed.load_energy_model(run)
robot = ed.Model.builtin(robot_name)
test = np.load(f"{data}/test.npz")
E = min(200, len(test["goal"]))
states, goal = test["states"][:E], test["goal"][:E]
goals = np.array([test["sites"][:E][goal == g, -1, site].mean(0) for g in range(goal.max() + 1)])

pairs = []
for e in range(E):
    candidates = [(e + k) % E for k in range(1, E) if goal[(e + k) % E] != goal[e]]
    q = 0.5 * (states[e, -1, :robot.nq][None] + states[candidates, -1, :robot.nq])
    x = np.asarray(robot.kinematics(q))[:, site]   # site positions [n, nsite, 3]
    far = [i for i in range(len(candidates)) if np.linalg.norm(goals - x[i], axis=1).min() >= 0.03]
    if far:
        pairs.append((e, candidates[far[0]]))
averaged = np.array([0.5 * (states[a] + states[b]) for a, b in pairs])


def windows(s):
    return score_windows(s, model.encoding, np.full(len(s), -1), np.zeros((len(s), s.shape[1] - 1, 1)))


def auroc(negatives, positives):
    n, p = np.asarray(negatives)[None, :], np.asarray(positives)[:, None]
    return (p > n).mean() + 0.5 * (p == n).mean()


def episode_energy(c, f, count, sigma):
    with torch.no_grad():
        return model(c, f, sigma=sigma).numpy().reshape(count, -1).mean(1)


normal, shifted = windows(states), windows(averaged)
print(f"{run}: {len(pairs)} averaged pairs of {E} test episodes")
print("judged (with residual)  AUROC %.3f" % auroc(episode_energy(*normal, E, None), episode_energy(*shifted, len(averaged), None)))
levels = [model.sigma_min, 0.01, 0.03, 0.1, 0.3, 1.0]
train = np.load(f"{data}/train.npz")["states"][:1000]
calibration = windows(train)
z_normal, z_shifted = [], []
for sigma in levels:
    en, ea = episode_energy(*normal, E, sigma), episode_energy(*shifted, len(averaged), sigma)
    et = episode_energy(*calibration, len(train), sigma)
    print("sigma %-8.3g AUROC %.3f" % (sigma, auroc(en, ea)))
    if sigma < 1:
        z_normal.append((en - et.mean()) / et.std())
        z_shifted.append((ea - et.mean()) / et.std())
zn, za = np.array(z_normal), np.array(z_shifted)
print("z-scored sum over sigma <= 0.3 AUROC %.3f, maximum %.3f" % (auroc(zn.sum(0), za.sum(0)), auroc(zn.max(0), za.max(0))))
