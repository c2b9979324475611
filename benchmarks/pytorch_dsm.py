#!/usr/bin/env python3
"""Denoising-score-matching training steps in PyTorch on the CPU, side by side with `ebm bench dsm`.

The objective of Sources/EnergyModels (DenoisingEnergyModel, Trainer+Denoising.swift), the default
configuration trajectories/reacher2-goals4.train.json: for normalised contexts c (B, 16), noisy PCA
coefficients y = y0 + sigma*eps (B, 32), levels sigma (B) and noise eps (B, 32),

  rows   = [c, phi(sigma), y / sqrt(1 + sigma^2)]            (B, 53); phi: t = log sigma mapped to
           [-1, 1] over [sigma_min, sigma_max] = [0.002, 4], then t, sin pi t, cos pi t, sin 2pi t, cos 2pi t
  E      = sum_i y_i^2 / (2 (lambda_i + sigma^2)) + N(rows) / sigma,  N: 53-256-256-256-1, SiLU
  loss   = mean_{b,i} (sigma dE/dy_i - eps_i)^2                   dE/dy by autograd.grad(create_graph=True)

and one training step: loss.backward(), clip_grad_norm_(1), Adam (lr 1e-3), the weights' moving
average (decay 0.999). Data loading and noise drawing are outside the step on both sides.

  python3 benchmarks/pytorch_dsm.py --ebm .build/release/ebm             # check, then time side by side
  python3 benchmarks/pytorch_dsm.py --ebm .build/release/ebm --check-only

First the check: `ebm bench dsm --reference N` prints a batch, its initial weights, the loss and
dloss/dtheta; PyTorch recomputes both from the same weights and batch in float32 and float64, and the
script prints the relative differences (it exits non-zero above --tolerance). Then, for each batch
size and --repeats times, `ebm bench dsm --batch B --json` and the PyTorch step on the same batch,
each the best of five windows after a warm-up (as `ebm bench nn` times), one thread
(torch.set_num_threads(1)); the ratio ebm / PyTorch of each pair and their median.

Needs `pip install torch` (CPU wheels are enough; never run in CI).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_nn import calls_per_second  # noqa: E402  (the same best-of-five-windows timing)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ebm", default=".build/release/ebm", help="path to the ebm binary")
    parser.add_argument("--batch", type=int, nargs="+", default=[128, 256, 1024], help="batch sizes")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds per measurement (five windows)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="cpu",
                        help="cpu (process CPU time, default: steadier on a shared machine) or wall")
    parser.add_argument("--repeats", type=int, default=3, help="side-by-side pairs per batch size")
    parser.add_argument("--check-batch", type=int, default=64, help="rows of the equivalence check")
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help="largest relative difference (loss; gradient norm of the difference) of the check")
    parser.add_argument("--check-only", action="store_true", help="only the equivalence check")
    parser.add_argument("--adam", choices=["fused", "foreach", "loop"], default="foreach",
                        help="PyTorch's Adam implementation (foreach, the default: the fastest or tied here at batch 128 and 1024)")
    parser.add_argument("--gemm", help="ebm's matrix kernel (avx512, onednn, openblas; default: its own choice)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser.parse_args()


def reference(ebm, rows, gemm=None):
    command = [ebm, "bench", "dsm", "--reference", str(rows)] + (["--gemm", gemm] if gemm else [])
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


class DenoisingStep:
    """The objective and training step above on one batch, in `dtype`."""

    def __init__(self, torch, ref, dtype, adam="fused"):
        self.torch = torch
        nn = torch.nn
        shapes = [p["shape"] for p in ref["parameters"] if p["name"].endswith(".weight")]
        layers = []
        for index, (out_features, in_features) in enumerate(shapes):
            layers.append(nn.Linear(in_features, out_features))
            if index + 1 < len(shapes):
                layers.append(nn.SiLU())
        self.net = nn.Sequential(*layers).to(dtype)
        named = dict(self.net.named_parameters())
        with torch.no_grad():
            for p in ref["parameters"]:
                named[p["name"]].copy_(torch.tensor(p["values"], dtype=dtype).reshape(p["shape"]))
        batch = ref["batch"]
        self.B = len(batch["sigma"])
        self.C, self.D = ref["contextWidth"], ref["dimension"]
        self.contexts = torch.tensor(batch["contexts"], dtype=dtype).reshape(self.B, self.C)
        self.y = torch.tensor(batch["coefficients"], dtype=dtype).reshape(self.B, self.D)
        self.sigma = torch.tensor(batch["sigma"], dtype=dtype)
        self.noise = torch.tensor(batch["noise"], dtype=dtype).reshape(self.B, self.D)
        self.variances = torch.tensor(ref["variances"], dtype=dtype)
        self.log_min, self.log_max = math.log(ref["sigmaMin"]), math.log(ref["sigmaMax"])
        options = {"fused": {"fused": True}, "foreach": {"foreach": True}, "loop": {"foreach": False}}[adam]
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=1e-3, **options)
        self.averaged = [p.detach().clone() for p in self.net.parameters()]

    def loss(self):
        torch = self.torch
        sigma = self.sigma
        t = 2 * (torch.log(sigma) - self.log_min) / (self.log_max - self.log_min) - 1
        phi = torch.stack([t, torch.sin(math.pi * t), torch.cos(math.pi * t),
                           torch.sin(2 * math.pi * t), torch.cos(2 * math.pi * t)], dim=1)
        y = self.y.detach().requires_grad_(True)
        scale = torch.rsqrt(1 + sigma * sigma)
        rows = torch.cat([self.contexts, phi, y * scale[:, None]], dim=1)
        prior = 0.5 * (y * y / (self.variances[None, :] + (sigma * sigma)[:, None])).sum(dim=1)
        energy = prior + self.net(rows)[:, 0] / sigma
        (gradient,) = torch.autograd.grad(energy.sum(), y, create_graph=True)
        return ((sigma[:, None] * gradient - self.noise) ** 2).mean()

    def gradient(self):
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss()
        loss.backward()
        return loss

    def step(self):
        self.gradient()
        self.torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
        self.optimizer.step()
        with self.torch.no_grad():
            self.torch._foreach_lerp_(self.averaged, list(self.net.parameters()), 1 - 0.999)


def check(torch, ref, tolerance):
    """Relative differences of ebm's loss and gradient from PyTorch's (float32) and from float64."""
    ours_loss = ref["loss"]
    ours = torch.cat([torch.tensor(g["values"], dtype=torch.float64) for g in ref["gradients"]])
    results = {}
    for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        step = DenoisingStep(torch, ref, dtype, adam="loop")
        loss = step.gradient()
        # the output layer's bias does not reach dE/dy: autograd leaves its gradient None (zero)
        theirs = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1).to(torch.float64)
                            for p in step.net.parameters()])
        results[name] = {
            "loss": loss.item(),
            "loss_relative_difference": abs(ours_loss - loss.item()) / abs(loss.item()),
            "gradient_relative_difference": ((ours - theirs).norm() / theirs.norm()).item(),
            "gradient_max_abs_difference_over_max_abs": ((ours - theirs).abs().max() / theirs.abs().max()).item(),
        }
        if name == "float32":
            float32 = theirs
        else:
            results["float64"]["pytorch_float32_gradient_relative_difference"] = ((float32 - theirs).norm() / theirs.norm()).item()
    worst = max(results["float64"]["loss_relative_difference"], results["float64"]["gradient_relative_difference"],
                results["float32"]["loss_relative_difference"], results["float32"]["gradient_relative_difference"])
    return results, worst <= tolerance


def main():
    arguments = parse_arguments()
    try:
        import torch
    except ImportError:
        sys.exit("pytorch_dsm.py: PyTorch is not installed (pip install torch)")
    torch.set_num_threads(1)
    clock = time.perf_counter if arguments.clock == "wall" else time.process_time

    ref = reference(arguments.ebm, arguments.check_batch, arguments.gemm)
    results, passed = check(torch, ref, arguments.tolerance)
    output = {"check": {"batch": arguments.check_batch, "gemm": ref["gemm"], **results, "passed": passed}}
    if not arguments.json:
        print(f"equivalence, batch {arguments.check_batch}, ebm gemm {ref['gemm']}: ebm loss {ref['loss']:.9g}")
        for name in ("float32", "float64"):
            r = results[name]
            print(f"  vs PyTorch {name}: loss {r['loss']:.9g} (rel. diff {r['loss_relative_difference']:.2e}); gradient "
                  f"|Δ|/|g| {r['gradient_relative_difference']:.2e}, max|Δ|/max|g| {r['gradient_max_abs_difference_over_max_abs']:.2e}")
        print(f"  PyTorch float32 vs float64: gradient |Δ|/|g| {results['float64']['pytorch_float32_gradient_relative_difference']:.2e}")
        print(f"  {'passed' if passed else 'FAILED'} (tolerance {arguments.tolerance:g})")
    if not passed:
        print(json.dumps(output, indent=2)) if arguments.json else None
        sys.exit(1)
    if arguments.check_only:
        if arguments.json:
            print(json.dumps(output, indent=2))
        return

    rows = []
    for batch in arguments.batch:
        step = DenoisingStep(torch, reference(arguments.ebm, batch, arguments.gemm), torch.float32, adam=arguments.adam)
        for _ in range(arguments.repeats):
            command = [arguments.ebm, "bench", "dsm", "--json", "--batch", str(batch), "--seconds", str(arguments.seconds),
                       "--clock", arguments.clock] + (["--gemm", arguments.gemm] if arguments.gemm else [])
            ours = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)[0]
            theirs = calls_per_second(step.step, arguments.seconds, clock)
            rows.append({"batch": batch, "ebm_steps_per_second": ours["steps_per_second"], "torch_steps_per_second": theirs,
                         "ratio": ours["steps_per_second"] / theirs, "gemm": ours["gemm"], "cpu_model": ours["cpu_model"]})
    output["timings"] = rows
    if arguments.json:
        print(json.dumps(output, indent=2))
        return
    print(f"\nDSM training step, default model 53-256-256-256-1 (SiLU), 1 thread, {arguments.clock} clock; "
          f"PyTorch {torch.__version__} (Adam {arguments.adam}), ebm gemm {rows[0]['gemm']}; CPU {rows[0]['cpu_model']}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'batch':>6} | {'ebm steps/s':>11} {'torch steps/s':>13} {'ratio':>6}")
    for row in rows:
        print(f"{row['batch']:>6} | {row['ebm_steps_per_second']:>11.1f} {row['torch_steps_per_second']:>13.1f} {row['ratio']:>5.2f}x")
    for batch in arguments.batch:
        ratios = [r["ratio"] for r in rows if r["batch"] == batch]
        print(f"batch {batch}: median ratio ebm / PyTorch {statistics.median(ratios):.2f}x over {len(ratios)} pairs "
              f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x)")


if __name__ == "__main__":
    main()
