"""The field's standard beside our denoising energy model: a Diffuser-style DDPM (ε-prediction MLP over
the whole future window as offsets from the last context state, cosine schedule, ancestral
sampling) of the same width and depth, trained on the same windows for the same number of steps
and batch size. Writes futures for benchmarks/futures_hold.py to score.

usage: python3 benchmarks/ddpm_futures.py [--steps 6000] [--out out/ddpm-futures.npz]
       python3 benchmarks/futures_hold.py - out/ddpm-futures.npz      # scores the file
env:   DATA (default trajectories/generated/reacher2-goals4), CONTEXTS (40), FUTURES (32), HORIZON (96)
Needs `pip install torch` (CPU wheels are enough; never run in CI).
"""
import argparse
import math
import os
import time

import numpy as np
import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=6000)
parser.add_argument("--batch", type=int, default=256)
parser.add_argument("--hidden", type=int, default=256)
parser.add_argument("--depth", type=int, default=3)
parser.add_argument("--diffusion-steps", type=int, default=200)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--out", default="out/ddpm-futures.npz")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

data = os.environ.get("DATA", "trajectories/generated/reacher2-goals4")
contexts, futures_per, horizon = int(os.environ.get("CONTEXTS", 40)), int(os.environ.get("FUTURES", 32)), int(os.environ.get("HORIZON", 96))
train, test = np.load(os.path.join(data, "train.npz"))["states"], np.load(os.path.join(data, "test.npz"))["states"]
E, T, S = train.shape
k, H = 4, horizon

# Windows as ours: every start whose context fits, past the end holding the last pose at rest
# (velocities zero), half of each batch from the first 4 starts.
pad = np.repeat(train[:, -1:], H, axis=1)
pad[..., S // 2:] = 0
padded = np.concatenate([train, pad], axis=1)
starts = T - k + 1


def windows(episodes, begin):
    index = begin[:, None] + np.arange(k + H)[None]
    w = padded[episodes[:, None], index]
    return w[:, :k], w[:, k:] - w[:, k - 1:k]


all_e = np.repeat(np.arange(E), starts)
all_s = np.tile(np.arange(starts), E)
_, sample_future = windows(all_e[::50], all_s[::50])
scale = sample_future.reshape(-1, S).std(0) + 1e-6
context_mean = train[:, :k].reshape(-1, S).mean(0)
context_std = train.reshape(-1, S).std(0) + 1e-6


def batch(size):
    half = size // 2
    e = np.concatenate([rng.integers(0, E, half), all_e[rng.integers(0, len(all_e), size - half)]])
    s = np.concatenate([rng.integers(0, 4, half), all_s[rng.integers(0, len(all_s), size - half)]])
    c, f = windows(e, s)
    return (torch.tensor(((c - context_mean) / context_std).reshape(size, -1), dtype=torch.float32),
            torch.tensor((f / scale).reshape(size, -1), dtype=torch.float32))


# the largest |normalised future| of the training windows bounds x̂₀ while sampling
bound = float(np.abs(sample_future / scale).max())

# cosine schedule (Nichol & Dhariwal 2021)
N = args.diffusion_steps
f = lambda t: math.cos((t / N + 0.008) / 1.008 * math.pi / 2) ** 2
alpha_bar = torch.tensor([f(t) / f(0) for t in range(N + 1)], dtype=torch.float32)
betas = torch.clamp(1 - alpha_bar[1:] / alpha_bar[:-1], max=0.999)
alphas = 1 - betas
alpha_bar = torch.cumprod(alphas, 0)


class EpsilonNet(nn.Module):
    def __init__(self, width, hidden, depth, context):
        super().__init__()
        layers, n = [], width + context + 16
        for _ in range(depth):
            layers += [nn.Linear(n, hidden), nn.SiLU()]
            n = hidden
        layers.append(nn.Linear(n, width))
        self.net = nn.Sequential(*layers)

    def forward(self, x, t, c):
        freqs = torch.exp(torch.arange(8) * (-math.log(1000.0) / 8))
        angle = t[:, None].float() * freqs[None]
        return self.net(torch.cat([x, c, torch.sin(angle), torch.cos(angle)], 1))


model = EpsilonNet(H * S, args.hidden, args.depth, k * S)
ema = EpsilonNet(H * S, args.hidden, args.depth, k * S)
ema.load_state_dict(model.state_dict())
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0)
schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: min(1, (i + 1) / 200) * 0.5 * (1 + math.cos(math.pi * i / args.steps)))
parameters = sum(p.numel() for p in model.parameters())
begin = time.time()
for step in range(args.steps):
    c, x0 = batch(args.batch)
    t = torch.randint(0, N, (args.batch,))
    noise = torch.randn_like(x0)
    ab = alpha_bar[t][:, None]
    loss = ((model(ab.sqrt() * x0 + (1 - ab).sqrt() * noise, t, c) - noise) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    with torch.no_grad():
        d = min(0.999, (1 + step) / (10 + step))
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.mul_(d).add_(pm, alpha=1 - d)
    if (step + 1) % 1000 == 0:
        print(f"step {step + 1} loss {loss.item():.4f} ({time.time() - begin:.0f} s)", flush=True)
train_seconds = time.time() - begin

# ancestral sampling from the first 4 states of the first CONTEXTS test episodes
futures, sample_seconds = [], []
with torch.no_grad():
    for episode in range(contexts):
        context = test[episode, :k]
        c = torch.tensor(((context - context_mean) / context_std).reshape(1, -1), dtype=torch.float32).repeat(futures_per, 1)
        start = time.time()
        x = torch.randn(futures_per, H * S)
        for t in reversed(range(N)):
            eps = ema(x, torch.full((futures_per,), t), c)
            # x̂₀ clipped to the data's range (the reference implementation's clip_denoised), then the
            # posterior q(x_{t-1} | x_t, x̂₀): without the clip, early errors grow through 1/√α_t
            x0 = ((x - (1 - alpha_bar[t]).sqrt() * eps) / alpha_bar[t].sqrt()).clamp(-bound, bound)
            previous = alpha_bar[t - 1] if t > 0 else torch.tensor(1.0)
            mean = (betas[t] * previous.sqrt() * x0 + (1 - previous) * alphas[t].sqrt() * x) / (1 - alpha_bar[t])
            variance = betas[t] * (1 - previous) / (1 - alpha_bar[t])
            x = mean + (variance.sqrt() * torch.randn_like(x) if t > 0 else 0)
        sample_seconds.append(time.time() - start)
        futures.append(x.numpy().reshape(futures_per, H, S) * scale + context[-1])
os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
np.savez(args.out, futures=np.stack(futures), parameters=parameters, train_seconds=train_seconds,
         sample_seconds=float(np.median(sample_seconds)))
print(f"DDPM: {parameters} parameters, {args.steps} steps × batch {args.batch} in {train_seconds:.0f} s; "
      f"{futures_per} futures of {H} states in {np.median(sample_seconds) * 1000:.0f} ms ({N} steps); wrote {args.out}")
