"""The scores shared by the futures benchmarks (futures_hold.py, ridgeball_futures.py): one
definition each of the energy score, the MMD, the kinematic defect and of drawing futures with
`ebm predict`."""
import subprocess
import time

import numpy as np


def predict(ebm, model, data, episode, start, horizon, samples, out, seed, extra=()):
    """Futures [samples, horizon, S] from states start..start+3 of test episode `episode`, as
    `ebm predict` writes them (the whole .npz), and the wall time of the call."""
    begin = time.perf_counter()
    subprocess.run([ebm, "predict", "--model", model, "--data", data, "--episode", str(episode), "--context-start", str(start),
                    "--samples", str(samples), "--horizon", str(horizon), "--out", out, "--seed", str(seed)]
                   + list(extra), check=True, capture_output=True)
    return np.load(out), time.perf_counter() - begin


def defect(x, dt):
    """Mean |q_{t+1} - q_t - dt (v_t + v_{t+1}) / 2| over states [..., T, 2 nq] (qpos then qvel)."""
    nq = x.shape[-1] // 2
    q, v = x[..., :nq], x[..., nq:]
    return np.abs(q[..., 1:, :] - q[..., :-1, :] - dt * (v[..., :-1, :] + v[..., 1:, :]) / 2).mean()


def energy_score(a, b):
    """mean ||a - b|| - 0.5 mean ||a - a'|| over flattened futures (a: samples, b: reference)."""
    d_ab = np.linalg.norm(a[:, None] - b[None], axis=-1).mean()
    d_aa = np.linalg.norm(a[:, None] - a[None], axis=-1)
    return d_ab - 0.5 * d_aa.sum() / (len(a) * (len(a) - 1))


def mmd(a, b, bandwidth):
    """Squared MMD with an RBF kernel of the given bandwidth (biased V-statistic)."""
    k = lambda x, y: np.exp(-np.sum((x[:, None] - y[None]) ** 2, -1) / (2 * bandwidth ** 2))
    return k(a, a).mean() + k(b, b).mean() - 2 * k(a, b).mean()
