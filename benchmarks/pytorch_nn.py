#!/usr/bin/env python3
"""The reference energy network of `ebm bench nn`, in PyTorch on the CPU, side by side.

Network: input 80 -> Linear 256 -> SiLU -> Linear 256 -> SiLU -> Linear 256 -> SiLU -> Linear 1,
float32. For each batch size and thread count (torch.set_num_threads), measures

  evals/s  energy + input gradient: e = net(x); dE/dx = autograd.grad(e.sum(), x)
  train/s  one training step: loss = net(x).mean(); zero_grad; backward; Adam step

timed as `ebm bench nn` times them (the best of five windows after a warm-up), and prints the
ratio ebm / PyTorch when ebm's numbers are given:

  python3 benchmarks/pytorch_nn.py --ebm .build/release/ebm         # runs `ebm bench nn --json`
  python3 benchmarks/pytorch_nn.py --ebm-json results.json           # reads its saved output

Beside each row it also measures torch.mm (MKL in PyTorch's CPU wheels) on the same threads at
1024³ and at the network's shape (batch × 256 × 256, the hidden layers' forward product), next to
ebm's kernels' sgemm rates from the same JSON. With --sgemm it prints only MKL's rows of the
library table of benchmarks/sgemm_libraries.sh (same shapes, one thread, process CPU time,
--runs windows of --window seconds: min / median / max GFLOP/s).

Needs `pip install torch` (CPU wheels are enough; never run in CI).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, nargs="+", default=[128, 1024], help="batch sizes")
    parser.add_argument("--threads", type=int, nargs="+", default=None, help="thread counts (default: 1 and all cores)")
    parser.add_argument("--seconds", type=float, default=0.5, help="seconds per measurement (five windows)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall, or cpu (process CPU time: steadier on a shared machine, 1 thread only)")
    parser.add_argument("--ebm", help="path to the ebm binary; runs `ebm bench nn --json` with the same settings")
    parser.add_argument("--ebm-json", help="file holding the output of `ebm bench nn --json`")
    parser.add_argument("--passive-wait", action="store_true",
                        help="set OMP_WAIT_POLICY=PASSIVE: PyTorch's OpenMP threads sleep instead of spinning "
                             "(needed on a shared, busy machine, where spinning threads collapse its multi-thread speed)")
    parser.add_argument("--json", action="store_true", help="print the PyTorch results as JSON only")
    parser.add_argument("--sgemm", action="store_true",
                        help="only time torch.mm (MKL) at sgemm_libraries.c's shapes, one thread")
    parser.add_argument("--runs", type=int, default=7, help="--sgemm: timed windows per shape")
    parser.add_argument("--window", type=float, default=0.2, help="--sgemm: seconds of CPU time per window")
    return parser.parse_args()


def calls_per_second(body, seconds, clock):
    """Best of five windows of seconds / 5 after a warm-up of seconds / 10."""
    end = clock() + 0.1 * seconds
    while clock() < end:
        body()
    best = 0.0
    for _ in range(5):
        calls, start = 0, clock()
        while True:
            body()
            calls += 1
            elapsed = clock() - start
            if elapsed >= seconds / 5:
                break
        best = max(best, calls / elapsed)
    return best


def sgemm_shapes(batches=(128, 1024), widths=((80, 256), (256, 256), (512, 512))):
    """(name, m, n, k, op) as benchmarks/sgemm_libraries.c lists them: 1024³, then per batch and
    layer width the forward (NT), input-gradient (NN) and weight-gradient (TN) products."""
    shapes = [("square", 1024, 1024, 1024, "NN")]
    for batch in batches:
        for fan_in, fan_out in widths:
            shapes += [("forward", batch, fan_out, fan_in, "NT"), ("input-grad", batch, fan_in, fan_out, "NN"),
                       ("weight-grad", fan_out, fan_in, batch, "TN")]
    return shapes


def sgemm_rates(torch, m, n, k, op, windows, window, clock):
    """GFLOP/s of torch.mm into a preallocated C = op(A) · op(B), one rate per timed window."""
    generator = torch.Generator().manual_seed(1)
    a = torch.rand(k, m, generator=generator).t() if op[0] == "T" else torch.rand(m, k, generator=generator)
    b = torch.rand(n, k, generator=generator).t() if op[1] == "T" else torch.rand(k, n, generator=generator)
    c = torch.empty(m, n)
    torch.mm(a, b, out=c)
    rates = []
    for _ in range(windows):
        calls, start = 0, clock()
        while True:
            torch.mm(a, b, out=c)
            calls += 1
            elapsed = clock() - start
            if elapsed >= window:
                break
        rates.append(2 * m * n * k * calls / elapsed * 1e-9)
    return rates


def print_sgemm_table(torch, arguments):
    """MKL's rows of the sgemm_libraries.sh table (one thread, process CPU time)."""
    torch.set_num_threads(1)
    rows = []
    for name, m, n, k, op in sgemm_shapes():
        rates = sgemm_rates(torch, m, n, k, op, arguments.runs, arguments.window, time.process_time)
        rows.append({"product": name, "m": m, "n": n, "k": k, "op": op, "library": "mkl",
                     "gflops_min": min(rates), "gflops_median": statistics.median(rates), "gflops_max": max(rates)})
    if arguments.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"# torch.mm, PyTorch {torch.__version__} ({'MKL' if torch.backends.mkl.is_available() else 'no MKL'}), 1 thread")
    for r in rows:
        print(f"{r['product']:<11} {r['m']:>5} {r['n']:>5} {r['k']:>5} {r['op']:>2}  {'mkl':<11} {r['gflops_min']:>8.1f} "
              f"{r['gflops_median']:>8.1f} {r['gflops_max']:>8.1f}")


def mkl_sgemm(torch, batch, threads, seconds, clock):
    """torch.mm GFLOP/s on `threads` threads at 1024³ and at the network's shape (batch × 256 × 256, NT):
    the best of five windows, as `ebm bench nn` times its kernels."""
    torch.set_num_threads(threads)
    square = max(sgemm_rates(torch, 1024, 1024, 1024, "NN", 5, seconds / 5, clock))
    network = max(sgemm_rates(torch, batch, 256, 256, "NT", 5, seconds / 5, clock))
    return square, network


def measure(torch, batch, threads, seconds, clock):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(80, 256), torch.nn.SiLU(),
        torch.nn.Linear(256, 256), torch.nn.SiLU(),
        torch.nn.Linear(256, 256), torch.nn.SiLU(),
        torch.nn.Linear(256, 1))
    x = torch.randn(batch, 80)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4)

    def evaluate():
        inputs = x.detach().requires_grad_(True)
        energies = net(inputs)
        (gradient,) = torch.autograd.grad(energies.sum(), inputs)
        return energies, gradient

    def train():
        loss = net(x).mean()
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()

    multiply_adds_per_row = sum(m.in_features * m.out_features for m in net if isinstance(m, torch.nn.Linear))
    evals = calls_per_second(evaluate, seconds, clock)
    train_steps = calls_per_second(train, seconds, clock)
    return {"batch": batch, "threads": threads, "evals_per_second": evals, "train_steps_per_second": train_steps,
            "gflops": evals * 4 * multiply_adds_per_row * batch * 1e-9}


def main():
    arguments = parse_arguments()
    if arguments.passive_wait:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"  # read when torch starts OpenMP, so before the import
    try:
        import torch
    except ImportError:
        sys.exit("pytorch_nn.py: PyTorch is not installed (pip install torch)")
    if arguments.sgemm:
        print_sgemm_table(torch, arguments)
        return
    threads = arguments.threads or sorted({1, os.cpu_count() or 1})
    clock = time.perf_counter if arguments.clock == "wall" else time.process_time

    ebm = {}
    if arguments.ebm or arguments.ebm_json:
        if arguments.ebm:
            command = [arguments.ebm, "bench", "nn", "--json", "--seconds", str(arguments.seconds), "--clock", arguments.clock]
            command += [f"--batch={b}" for b in arguments.batch] + [f"--threads={t}" for t in threads]
            text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        else:
            text = open(arguments.ebm_json).read()
        ebm = {(row["batch"], row["threads"]): row for row in json.loads(text)}

    results = [measure(torch, batch, count, arguments.seconds, clock) for count in threads for batch in arguments.batch]
    for row in results:
        row["mkl_sgemm_gflops"], row["mkl_sgemm_network_gflops"] = mkl_sgemm(torch, row["batch"], row["threads"],
                                                                             arguments.seconds, clock)
    if arguments.json:
        print(json.dumps(results, indent=2))
        return

    print(f"reference energy network 80-256-256-256-1 (SiLU), float32; PyTorch {torch.__version__}, "
          f"{arguments.clock} clock, load average {os.getloadavg()[0]:.2f}")
    print(f"{'batch':>6} {'threads':>7} | {'torch eval/s':>12} {'ebm eval/s':>11} {'ratio':>6} | "
          f"{'torch train/s':>13} {'ebm train/s':>11} {'ratio':>6} | {'torch GF/s':>10} {'ebm GF/s':>8} {'sgemm':>6}")
    for row in results:
        mine = ebm.get((row["batch"], row["threads"]))
        def cell(key, width):
            return f"{mine[key]:>{width}.1f}" if mine else f"{'-':>{width}}"
        def ratio(key):
            return f"{mine[key] / row[key]:>5.2f}x" if mine else f"{'-':>6}"
        print(f"{row['batch']:>6} {row['threads']:>7} | {row['evals_per_second']:>12.1f} {cell('evals_per_second', 11)} "
              f"{ratio('evals_per_second')} | {row['train_steps_per_second']:>13.1f} {cell('train_steps_per_second', 11)} "
              f"{ratio('train_steps_per_second')} | {row['gflops']:>10.1f} {cell('gflops', 8)} {cell('sgemm_gflops', 6)}")
    print("eval: energy + input gradient on the whole batch; ratio: ebm / PyTorch (above 1: ebm faster).")
    print("\nsgemm GFLOP/s on the same threads (best of five windows): PyTorch's torch.mm (MKL) beside ebm's kernels")
    for row in results:
        mine = ebm.get((row["batch"], row["threads"])) or {}
        def kernels(key):
            rates = mine.get(key) or {}
            return ", ".join(f"{name} {rate:.1f}" for name, rate in sorted(rates.items())) or "-"
        print(f"  batch {row['batch']}, {row['threads']} thread(s): 1024³ MKL {row['mkl_sgemm_gflops']:.1f} | ebm "
              f"{kernels('sgemm_1024_gflops')};  {row['batch']}×256×256 NT MKL {row['mkl_sgemm_network_gflops']:.1f} | ebm "
              f"{kernels('sgemm_network_gflops')}")
    if ebm:
        machine = next(iter(ebm.values()))
        print(f"CPU (ebm): {machine.get('cpu_model', '?')} ({machine.get('cpu_vendor', '?')}; "
              f"{' '.join(machine.get('cpu_features', []))}; caches {machine.get('cpu_cache_bytes', {})})")


if __name__ == "__main__":
    main()
