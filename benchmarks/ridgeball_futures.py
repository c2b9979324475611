"""Futures that branch because of contact (issue 17, item 3): a model's futures on ridgeball-futures
beside the true distribution of futures of each context, simulated by MuJoCo.

usage: python3 benchmarks/ridgeball_futures.py EBM_BINARY RUN [--baseline FEEDFORWARD_RUN] [predict options...]
env:   DATA (default trajectories/generated/ridgeball-futures), CONTEXTS (40), FUTURES (32),
       TRUTH (256: true futures per context)

The dataset (`ebm generate ridgeball-futures`) drops a ball onto a ridge with random pushes along x;
a model sees states 0-3 (the ball still in the air) and draws FUTURES futures of the next 96 states.
The truth for each context: TRUTH futures simulated by MuJoCo (pip `mujoco`) from the context's
last state, with the recipe's Ornstein-Uhlenbeck pushes continued from the control the episode
applied there (fresh noise afterwards): p(future | context) as the data-generating process has
it. (MuJoCo reproduces the dataset's own episodes from their recorded controls to ~5e-14; the
script checks it on the first context before it scores.)

Scores, per context and then averaged:
- left share: the fraction of futures whose ball ends left of the ridge (x < 0), the model's
  beside the truth's: mean |p_model - p_true|, beside the same for FUTURES fresh true futures
  (the error a perfect sampler makes with this many samples) and for always answering the
  pooled data share;
- valid: the future stays finite and never sinks into the floor or the ridge more than 5 mm deeper
  than the training data's deepest state (MuJoCo's soft contacts let the landing ball sink up to
  ~2 cm; every true future is valid);
- energy score against the context's true futures (lower is better), beside FUTURES fresh true
  futures against the same truth (the floor);
- kinematic defect |q_{t+1} - q_t - dt (v_t + v_{t+1})/2|, beside the truth's.
With --baseline, the feedforward run's one future per context (`ebm predict --baseline`) is scored
the same way (its left share is 0 or 1; its energy score has no spread term).
"""
import json
import os
import sys
import tempfile

import mujoco
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import futures_metrics  # noqa: E402  (the scores shared with futures_hold.py)

ebm, model, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
base_seed, baseline = 1, None
if "--baseline" in extra:
    at = extra.index("--baseline")
    baseline, extra = extra[at + 1], extra[:at] + extra[at + 2:]
if "--seed" in extra:
    at = extra.index("--seed")
    base_seed, extra = int(extra[at + 1]), extra[:at] + extra[at + 2:]
data = os.environ.get("DATA", "trajectories/generated/ridgeball-futures")
contexts, futures_per, truth_per = (int(os.environ.get(k, d)) for k, d in (("CONTEXTS", 40), ("FUTURES", 32), ("TRUTH", 256)))
horizon = 96
test, meta = np.load(os.path.join(data, "test.npz")), json.load(open(os.path.join(data, "meta.json")))
states, controls = test["states"], test["controls"]
recipe = meta["recipe"]
dt, substeps = float(meta["dt"]), int(meta["substeps"])
assert meta["robot"] == "ridgeball" and recipe["policy"]["type"] == "random", "a ridgeball-futures dataset"

here = os.path.dirname(os.path.abspath(__file__))
mj = mujoco.MjModel.from_xml_path(os.path.join(here, "..", "sim", "robots", "ridgeball.xml"))
mj.opt.timestep = dt / substeps
if meta["integrator"] == "rk4":
    mj.opt.integrator = mujoco.mjtIntegrator.mjINT_RK4
low, high = mj.actuator_ctrlrange[0]
centre, half = (low + high) / 2, (high - low) / 2
theta, sigma = float(recipe["policy"]["theta"]), float(recipe["policy"]["sigma"])
# RandomPolicy: u_{t+1} = a u_t + sqrt(1 - a^2) sigma eps, a = exp(-theta dt), dt the recipe's timestep (= meta "dt")
a = np.exp(-theta * dt)
innovation = np.sqrt(1 - a * a) * sigma
ball_radius, ridge_radius = mj.geom_size[mj.geom("ball").id][0], mj.geom_size[mj.geom("ridge").id][0]
ridge_axis_z = mj.geom_pos[mj.geom("ridge").id][2]
body_z = mj.body_pos[mj.body("ball").id][2]
mjd = mujoco.MjData(mj)


def simulate(start, u_values):
    """States after each recorded step from `start` [2 nq] under controls centre + half u_t, each
    held for the recipe's substeps; u_values [T]."""
    mujoco.mj_resetData(mj, mjd)
    mjd.qpos[:], mjd.qvel[:] = start[:3], start[3:]
    out = np.empty((len(u_values), 6))
    for t, u in enumerate(u_values):
        mjd.ctrl[0] = centre + half * u
        for _ in range(substeps):
            mujoco.mj_step(mj, mjd)
        out[t, :3], out[t, 3:] = mjd.qpos, mjd.qvel
    return out


def true_futures(episode, count, rng):
    """`count` futures [count, horizon, 6] of states 4.. from state 3 of `episode`."""
    u3 = (controls[episode, 3, 0] - centre) / half
    futures = np.empty((count, horizon, 6))
    for k in range(count):
        u = np.empty(horizon)
        u[0] = u3
        for t in range(1, horizon):
            u[t] = a * u[t - 1] + innovation * rng.standard_normal()
        futures[k] = simulate(states[episode, 3], u)
    return futures


def gap(futures):
    """Per state: the ball's distance to the floor or the ridge, whichever is nearer (negative: sunk in)."""
    x, z = futures[..., 0], body_z + futures[..., 1]
    return np.minimum(z - ball_radius, np.hypot(x, z - ridge_axis_z) - (ball_radius + ridge_radius))


# MuJoCo's soft contacts let the landing ball sink up to ~2 cm: a future is valid when it sinks at most 5 mm deeper
# than the deepest state of the training data.
deepest = float(gap(np.load(os.path.join(data, "train.npz"))["states"]).min())


def valid(futures, tolerance=0.005):
    """Per future: finite, and never sunk more than tolerance below the training data's deepest state."""
    return np.all(np.isfinite(futures), axis=(1, 2)) & (np.nan_to_num(gap(futures), nan=-1).min(1) > deepest - tolerance)


replayed = simulate(states[0, 0], (controls[0, :, 0] - centre) / half)
replay_error = float(np.abs(replayed - states[0, 1:]).max())
assert replay_error < 1e-9, f"MuJoCo does not reproduce the dataset's episode 0 ({replay_error:.1e})"

data_left = float((test["states"][:, -1, 0] < 0).mean())
rows = []
with tempfile.TemporaryDirectory() as folder:
    out = os.path.join(folder, "futures.npz")
    for episode in range(contexts):
        arrays, wall = futures_metrics.predict(ebm, model, data, episode, 0, horizon, futures_per, out,
                                               base_seed * 100003 + episode, extra + (["--baseline", baseline] if baseline else []))
        sampled = arrays["futures"][:, :horizon]
        rng = np.random.default_rng(episode)
        truth, fresh = true_futures(episode, truth_per, rng), true_futures(episode, futures_per, rng)
        flat = lambda f: f.reshape(len(f), -1)
        rows.append({
            "p_model": float((sampled[:, -1, 0] < 0).mean()), "p_true": float((truth[:, -1, 0] < 0).mean()),
            "p_fresh": float((fresh[:, -1, 0] < 0).mean()),
            "valid": float(valid(sampled).mean()), "valid_true": float(valid(truth).mean()),
            "es": float(futures_metrics.energy_score(flat(sampled), flat(truth))),
            "es_floor": float(futures_metrics.energy_score(flat(fresh), flat(truth))),
            "defect": float(futures_metrics.defect(sampled, dt)), "defect_true": float(futures_metrics.defect(truth, dt)),
            "seconds": wall,
        })
        if baseline:
            one = arrays["baseline"][None, :horizon]
            rows[-1].update({"ff_p": float(one[0, -1, 0] < 0), "ff_valid": float(valid(one)[0]),
                             "ff_es": float(np.linalg.norm(flat(one) - flat(truth), axis=-1).mean())})
        print(f"context {episode + 1}/{contexts}: left {rows[-1]['p_model']:.2f} (true {rows[-1]['p_true']:.2f})  "
              f"valid {rows[-1]['valid']:.2f}  ES {rows[-1]['es']:.3f} (floor {rows[-1]['es_floor']:.3f})", file=sys.stderr, flush=True)

mean = lambda key: float(np.mean([r[key] for r in rows]))
result = {
    "model": model, "options": " ".join(extra), "seed": base_seed, "contexts": contexts, "futures": futures_per, "truth": truth_per,
    "left_share_error": float(np.mean([abs(r["p_model"] - r["p_true"]) for r in rows])),
    "left_share_error_floor": float(np.mean([abs(r["p_fresh"] - r["p_true"]) for r in rows])),
    "left_share_error_constant": float(np.mean([abs(data_left - r["p_true"]) for r in rows])),
    "left_share": mean("p_model"), "left_share_true": mean("p_true"),
    "valid": mean("valid"), "valid_true": mean("valid_true"),
    "energy_score": mean("es"), "energy_score_floor": mean("es_floor"),
    "kinematic_defect": mean("defect"), "kinematic_defect_true": mean("defect_true"),
    "seconds_per_predict": float(np.median([r["seconds"] for r in rows])), "replay_error": replay_error,
}
if baseline:
    result.update({"baseline": baseline, "baseline_left_share_error": float(np.mean([abs(r["ff_p"] - r["p_true"]) for r in rows])),
                   "baseline_valid": mean("ff_valid"), "baseline_energy_score": mean("ff_es")})
print(json.dumps(result))
print(f"left-share error {result['left_share_error']:.3f} (floor {result['left_share_error_floor']:.3f}, constant "
      f"{result['left_share_error_constant']:.3f})  left {result['left_share']:.2f} (true {result['left_share_true']:.2f})  "
      f"valid {result['valid']:.3f} (true {result['valid_true']:.3f})  ES {result['energy_score']:.3f} (floor "
      f"{result['energy_score_floor']:.3f})  defect {result['kinematic_defect']:.2e} (true {result['kinematic_defect_true']:.2e})  "
      f"predict {result['seconds_per_predict']:.2f} s  seed {base_seed}  {' '.join(extra)}")
if baseline:
    print(f"feedforward: left-share error {result['baseline_left_share_error']:.3f}  valid {result['baseline_valid']:.3f}  "
          f"ES {result['baseline_energy_score']:.3f}")
