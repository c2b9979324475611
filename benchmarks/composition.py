#!/usr/bin/env python3
"""Composition (product of experts) of a speed expert and a path expert, measured (issue 9).

A is trained on `reacher2-compose-speeds` (labels: speed class), B on `reacher2-compose-paths`
(labels: goal); the same motions, with the (goal, speed) combinations of the recipes' `exclude`
in neither. For each requested (speed class s, goal g) this samples futures from the rest
context of a test episode with A(· | s) alone, B(· | g) alone and A(· | s) + B(· | g)
(`ebm compose --label`), and measures:

- endpoint error: the sampled fingertip at the last state vs goal g (the mean final fingertip of
  B's test episodes with label g), in m;
- speed error: |t90 - t90(s)| / t90(s), where t90 is the step at which the fingertip has covered
  90 % of its displacement, and t90(s) the median over A's test episodes of class s.

Usage:
  python3 benchmarks/composition.py --ebm .build/release/ebm --a runs/compose-speeds --b runs/compose-paths \\
      --data-a trajectories/generated/reacher2-compose-speeds --data-b trajectories/generated/reacher2-compose-paths
"""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np


def t90(tips):
    """Steps until the fingertip path [T, 3] has covered 90 % of its start-to-end displacement."""
    d = np.linalg.norm(tips - tips[0], axis=-1)
    total = np.linalg.norm(tips[-1] - tips[0])
    return int(np.argmax(d >= 0.9 * total)) if total > 1e-6 else len(tips)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ebm", required=True)
    p.add_argument("--a", required=True, help="run folder of the speed-conditioned model")
    p.add_argument("--b", required=True, help="run folder of the goal-conditioned model")
    p.add_argument("--data-a", required=True)
    p.add_argument("--data-b", required=True)
    p.add_argument("--horizon", type=int, default=80)
    p.add_argument("--samples", type=int, default=16)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--contexts", type=int, default=2, help="test episodes whose rest context is used")
    p.add_argument("--weights", default="1,1", help="weights of A and B in A + B")
    p.add_argument("--u", help="run folder of an unconditioned model of the same motions: A + B - U samples p(x | s) p(x | g) / p(x), "
                   "which is p(x | s, g) when speed and goal are independent given the motion (the product alone counts p(x) twice)")
    p.add_argument("--u-weight", type=float, default=-1, help="weight of U in A + B + U (default -1)")
    p.add_argument("--initial-weights", help="A + B: weights at the start of each block, annealed to --weights (ebm compose --initial-weight)")
    p.add_argument("--anneal-stages", type=int, default=4, help="with --initial-weights: parts of each block's steps")
    p.add_argument("--combined-only", action="store_true", help="sample A + B only (A and B alone do not depend on the A + B options)")
    p.add_argument("--sampler", default="mala")
    p.add_argument("--json", help="write the summary here")
    args = p.parse_args()

    recipe = json.load(open(os.path.join(args.data_a, "meta.json")))["recipe"]["policy"]
    choices, held_out = recipe["move_steps_choices"], {tuple(x) for x in recipe.get("exclude", [])}
    a_test, b_test = np.load(os.path.join(args.data_a, "test.npz")), np.load(os.path.join(args.data_b, "test.npz"))
    goals = {g: b_test["sites"][b_test["goal"] == g, -1, 0].mean(axis=0) for g in np.unique(b_test["goal"])}
    true_t90 = {s: float(np.median([t90(a_test["sites"][e, :, 0]) for e in np.flatnonzero(a_test["goal"] == s)]))
                for s in range(len(choices))}
    wa, wb = (float(w) for w in args.weights.split(","))
    initial = [float(w) for w in args.initial_weights.split(",")] if args.initial_weights else None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for s in range(len(choices)):
            for g in sorted(goals):
                runs = [("A", [args.a], [s], [1]), ("B", [args.b], [g], [1]), ("A + B", [args.a, args.b], [s, g], [wa, wb])]
                if args.u:
                    runs[2] = ("A + B", [args.a, args.b, args.u], [s, g, -1], [wa, wb, args.u_weight])
                for name, models, labels, weights in runs[2:] if args.combined_only else runs:
                    endpoint, speed = [], []
                    for episode in range(args.contexts):
                        out = os.path.join(tmp, "c.npz")
                        cmd = [args.ebm, "compose", "--data", args.data_b, "--episode", str(episode), "--context-start", "0",
                               "--samples", str(args.samples), "--steps", str(args.steps), "--horizon", str(args.horizon),
                               "--seed", str(1 + episode + 100 * s + 10 * g), "--sampler", args.sampler, "--out", out]
                        for m, l, w in zip(models, labels, weights):
                            cmd += ["--model", m, "--label", str(l), "--weight", str(w)]
                        if initial and name == "A + B":
                            cmd += sum([["--initial-weight", str(w)] for w in initial], []) + ["--anneal-stages", str(args.anneal_stages)]
                        r = subprocess.run(cmd, capture_output=True, text=True)
                        if r.returncode != 0:
                            sys.exit(f"ebm compose failed ({' '.join(cmd)}):\n{r.stderr}")
                        c = np.load(out)
                        k = c["context"].shape[0]
                        # fingertip paths from the last context state on: [K, 1 + horizon, 3]
                        start = b_test["sites"][episode, k - 1, 0]
                        tips = np.concatenate([np.broadcast_to(start, (c["sites"].shape[0], 1, 3)), c["sites"][:, :, 0]], axis=1)
                        endpoint += list(np.linalg.norm(tips[:, -1] - goals[g], axis=1))
                        # the motion starts after the recipe's reaction delay: count from the context's end
                        speed += [abs(t90(t) + k - 1 - true_t90[s]) / true_t90[s] for t in tips]
                    rows.append({"speed_class": s, "move_steps": choices[s], "goal": int(g), "held_out": (int(g), s) in held_out,
                                 "model": name, "endpoint_error_m": float(np.mean(endpoint)), "speed_error_relative": float(np.mean(speed))})
    print(f"{args.contexts} rest contexts x {args.samples} samples x {args.horizon} states, {args.steps} {args.sampler} steps per block, "
          f"A + B weights {wa:g}, {wb:g}" + (f", U {args.u_weight:g}" if args.u else "") + (f" annealed from {args.initial_weights} in {args.anneal_stages} stages" if initial else "") + "; "
          f"t90 of the data by speed class: {[true_t90[s] for s in range(len(choices))]}")
    print("| combinations | model | endpoint error (m) | speed error (relative) |\n|---|---|---:|---:|")
    summary = {}
    for subset, keep in [("held out (in neither dataset)", True), ("seen", False)]:
        for name in ["A", "B", "A + B"]:
            sel = [r for r in rows if r["held_out"] == keep and r["model"] == name]
            if not sel:
                continue
            e, v = np.mean([r["endpoint_error_m"] for r in sel]), np.mean([r["speed_error_relative"] for r in sel])
            summary[f"{subset}: {name}"] = {"endpoint_error_m": float(e), "speed_error_relative": float(v), "combinations": len(sel)}
            print(f"| {subset} ({len(sel)}) | {name} | {e:.4f} | {v:.3f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
