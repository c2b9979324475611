"""Trained energy models in PyTorch: `load_energy_model(run)` rebuilds the network a run's
`model.safetensors` describes (its `architecture` metadata, tensors under the same names) and
wraps it with the window encoding (and, for denoising models, the future basis) stored beside it.

- `EnergyModel` (contrastive divergence, `ebm train --model ebm`):
      E(future | context) = N(x̃),  x̃ = ([c, f − δ·c_last] − mean) / std            (WindowEncoding)
- `DenoisingEnergyModel` (objective "dsm", Sources/EnergyModels/DenoisingEnergyModel.swift):
      E(y, σ | c) = Σᵢ yᵢ² / (2(λᵢ + σ²)) + N([c̃, φ(σ), y/√(1+σ²)]) / σ,
      y = Pᵀ(u − μ)/unit,  u = (f − origin(c)) / scale                                (FutureBasis)
  and E(future | context) is E at σ = sigmaMin.
Both take raw contexts [B, contextWidth] (k states, then the goal one-hot and controls when the model
is conditioned on them) and raw futures [B, H, S], in float32 like the Swift code; `.double()` works
for gradient checks. Requires torch and safetensors (pip install torch safetensors).
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from torch import nn

TRAJECTORY_FORMAT = "energydynamics.energymodels/1"
NETWORK_FORMAT = "energydynamics.neuralcore/1"


class CheckpointError(ValueError):
    """A file that is not a trained model of this project, or one whose parts disagree."""


# MARK: - Layers (NeuralCore's, tensor names and layouts as PyTorch's)


class SiLU(nn.Module):
    def forward(self, x):
        return F.silu(x)


class SpectralNormLinear(nn.Module):
    """y = x (W/σ)ᵀ + b with σ = uᵀ W v from the stored power-iteration vectors (as NeuralCore: u, v fixed)."""

    def __init__(self, inputWidth, outputWidth):
        super().__init__()
        self.weight_orig = nn.Parameter(torch.zeros(outputWidth, inputWidth))
        self.bias = nn.Parameter(torch.zeros(outputWidth))
        self.register_buffer("weight_u", torch.zeros(outputWidth))
        self.register_buffer("weight_v", torch.zeros(inputWidth))

    def forward(self, x):
        w = self.weight_orig
        sigma = (self.weight_u.double() @ (w.double() @ self.weight_v.double())).to(w.dtype)  # accumulated in double
        return F.linear(x, w * (1 / sigma), self.bias)


class TemporalConvolution(nn.Module):
    """1-D convolution over time, stride 1, "same" zero padding (extra zero on the right for even
    kernels); rows are time-major (length, channels)."""

    def __init__(self, length, inputChannels, outputChannels, kernelSize):
        super().__init__()
        self.length, self.inputChannels, self.kernelSize = length, inputChannels, kernelSize
        self.weight = nn.Parameter(torch.zeros(outputChannels, inputChannels, kernelSize))
        self.bias = nn.Parameter(torch.zeros(outputChannels))

    def forward(self, x):
        left = (self.kernelSize - 1) // 2
        h = x.reshape(x.shape[0], self.length, self.inputChannels).transpose(1, 2)
        h = F.conv1d(F.pad(h, (left, self.kernelSize - 1 - left)), self.weight, self.bias)
        return h.transpose(1, 2).reshape(x.shape[0], -1)


class TemporalResidualBlock(nn.Module):
    """y = x + conv₂(SiLU(conv₁(x)))."""

    def __init__(self, length, channels, kernelSize):
        super().__init__()
        self.conv1 = TemporalConvolution(length, channels, channels, kernelSize)
        self.conv2 = TemporalConvolution(length, channels, channels, kernelSize)

    def forward(self, x):
        return x + self.conv2(F.silu(self.conv1(x)))


class ResidualBlock(nn.Module):
    """y = x + fc2(SiLU(fc1(x)))."""

    def __init__(self, width, hiddenWidth):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(width, hiddenWidth), nn.Linear(hiddenWidth, width)

    def forward(self, x):
        return x + self.fc2(F.silu(self.fc1(x)))


class GroupedLinear(nn.Module):
    """M dense layers on disjoint column groups: y_g = x_g W_gᵀ + b_g (an ensemble side by side)."""

    def __init__(self, groups, inputWidth, outputWidth):
        super().__init__()
        self.groups, self.inputWidth = groups, inputWidth
        self.weight = nn.Parameter(torch.zeros(groups, outputWidth, inputWidth))
        self.bias = nn.Parameter(torch.zeros(groups, outputWidth))

    def forward(self, x):
        h = x.reshape(x.shape[0], self.groups, self.inputWidth)
        return (torch.einsum("bgi,goi->bgo", h, self.weight) + self.bias).reshape(x.shape[0], -1)


class GroupMean(nn.Module):
    """The mean of M groups of `width` features."""

    def __init__(self, groups, width):
        super().__init__()
        self.groups, self.width = groups, width

    def forward(self, x):
        return x.reshape(x.shape[0], self.groups, self.width).mean(dim=1)


def make_layer(entry: dict) -> nn.Module:
    """One layer from its architecture entry, e.g. {"linear": {"inputWidth": 80, "outputWidth": 256}}."""
    if len(entry) != 1:
        raise CheckpointError(f"architecture entry {entry} names {len(entry)} layers")
    (kind, a), = entry.items()
    try:
        if kind == "linear":
            return nn.Linear(a["inputWidth"], a["outputWidth"])
        if kind == "silu":
            return SiLU()
        if kind == "leakyReLU":
            return nn.LeakyReLU(a["negativeSlope"])
        if kind == "tanh":
            return nn.Tanh()
        if kind == "layerNorm":
            return nn.LayerNorm(a["width"], eps=a["epsilon"])
        if kind == "residualBlock":
            return ResidualBlock(a["width"], a["hiddenWidth"])
        if kind == "temporalConvolution":
            return TemporalConvolution(a["length"], a["inputChannels"], a["outputChannels"], a["kernelSize"])
        if kind == "spectralNormLinear":
            return SpectralNormLinear(a["inputWidth"], a["outputWidth"])
        if kind == "temporalResidualBlock":
            return TemporalResidualBlock(a["length"], a["channels"], a["kernelSize"])
        if kind == "groupedLinear":
            return GroupedLinear(a["groups"], a["inputWidth"], a["outputWidth"])
        if kind == "groupMean":
            return GroupMean(a["groups"], a["width"])
    except KeyError as missing:
        raise CheckpointError(f"architecture entry {entry} lacks {missing}") from None
    raise CheckpointError(f"unknown layer kind {kind!r} in the architecture")


class Network(nn.Module):
    """NeuralCore's Sequential: `layers.{i}.{tensor}` names, (batch, inputWidth) → (batch, outputWidth)."""

    def __init__(self, architecture: list):
        super().__init__()
        self.layers = nn.ModuleList(make_layer(entry) for entry in architecture)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


# MARK: - Window encoding and future basis


def _vector(values, name, count=None):
    array = np.asarray(values, dtype=np.float32)
    if array.ndim != 1 or (count is not None and array.size != count) or not np.all(np.isfinite(array)):
        raise CheckpointError(f"{name}: expected {count if count is not None else 'a list of'} finite numbers")
    return torch.from_numpy(array.copy())


class WindowEncoding(nn.Module):
    """x̃ = ([c, f − δ·c_last] − mean) / std over rows [context (k·S + G + k·nu) | future (H·S)]."""

    def __init__(self, e: dict):
        super().__init__()
        self.stateSize, self.contextLength, self.horizon = int(e["stateSize"]), int(e["contextLength"]), int(e["horizon"])
        self.futureAsDelta = bool(e["futureAsDelta"])
        self.goalCount, self.controlWidth = int(e.get("goalCount", 0)), int(e.get("controlWidth", 0))
        S, k = self.stateSize, self.contextLength
        self.stateContextWidth = k * S
        self.contextWidth = k * S + self.goalCount + self.controlWidth
        self.futureWidth = self.horizon * S
        width = self.contextWidth + self.futureWidth
        self.register_buffer("mean", _vector(e["mean"], "window_encoding.mean", width))
        std = _vector(e["standardDeviation"], "window_encoding.standardDeviation", width)
        if not torch.all(std > 0):
            raise CheckpointError("window_encoding.standardDeviation: must be positive")
        self.register_buffer("std", std)

    def last_state(self, context):
        """The last context state [B, S] of raw contexts [B, contextWidth]."""
        return context[:, self.stateContextWidth - self.stateSize:self.stateContextWidth]

    def normalized_context(self, context):
        C = self.contextWidth
        return (context - self.mean[:C]) / self.std[:C]

    def encode(self, context, future):
        """Normalised rows [B, width] from raw contexts [B, contextWidth] and futures [B, H, S]."""
        f = future
        if self.futureAsDelta:
            f = f - self.last_state(context)[:, None, :]
        C = self.contextWidth
        return torch.cat([self.normalized_context(context),
                          (f.reshape(f.shape[0], -1) - self.mean[C:]) / self.std[C:]], dim=1)


class FutureBasis(nn.Module):
    """Coefficients y [B, D] ↔ raw futures [B, H, S] (PCA or identity), as FutureBasis.swift."""

    def __init__(self, b: dict, contextLength: int):
        super().__init__()
        self.kind = b["kind"]
        if self.kind not in ("pca", "identity"):
            raise CheckpointError(f"future_basis.kind {self.kind!r} is not pca or identity")
        self.stateSize, self.horizon, self.contextLength = int(b["stateSize"]), int(b["horizon"]), contextLength
        self.futureAsDelta = bool(b["futureAsDelta"])
        self.timestep = float(np.float32(b.get("timestep", 0)))  # a Float in Swift, used as Double(Float)
        F_ = self.stateSize * self.horizon
        self.register_buffer("scale", _vector(b["coordinateScale"], "future_basis.coordinateScale", self.stateSize))
        self.register_buffer("mu", _vector(b["mean"], "future_basis.mean", F_))
        self.register_buffer("variances", _vector(b["variances"], "future_basis.variances"))
        self.dimension = self.variances.numel()
        components = _vector(b["components"], "future_basis.components",
                             self.dimension * F_ if self.kind == "pca" else 0)
        self.register_buffer("components", components.reshape(self.dimension, F_) if self.kind == "pca" else components)
        self.unit = float(np.float32(b["unit"]))
        # probabilistic PCA's variance off the basis (None for identity bases and older checkpoints)
        rv = b.get("residualVariance")
        self.residual_variance = float(np.float32(rv)) if rv is not None else None
        fade = b.get("originFade")
        self.origin_fade = int(fade) if fade is not None else None

    def origin(self, context_states):
        """What each future number is measured from [B, 1, S] (or [B, H, S] with originFade): 0, the last
        context state, or for (q, v) states with timestep > 0, q_t + dt/2 v_t for positions and 0 for
        velocities; with originFade N, times w_h = max(0, 1 − h/N) at future state h."""
        S = self.stateSize
        last = context_states[:, (self.contextLength - 1) * S:self.contextLength * S]
        if not self.futureAsDelta:
            return torch.zeros_like(last)[:, None, :]
        if self.timestep <= 0:
            base = last.double()
        else:
            n = S // 2
            base = torch.cat([last[:, :n].double() + self.timestep / 2 * last[:, n:].double(), torch.zeros_like(last[:, n:]).double()], dim=1)
        if self.origin_fade is None:
            # computed in double then rounded, as the Swift code does
            return base.to(last.dtype)[:, None, :]
        h = torch.arange(self.horizon, dtype=torch.float64)
        w = torch.clamp(1 - h / self.origin_fade, min=0)
        return (base[:, None, :] * w[None, :, None]).to(last.dtype)

    def encode(self, context_states, future):
        """y [B, D] from raw context states [B, k·S] and futures [B, H, S]."""
        u = ((future - self.origin(context_states)) / self.scale).reshape(future.shape[0], -1) - self.mu
        if self.kind == "pca":
            return (u @ self.components.T) / self.unit
        return u / self.unit

    def residuals(self, context_states, future):
        """‖r‖² [B] of each future's part off the basis, in scaled-future units (0 for identity)."""
        if self.kind != "pca":
            return torch.zeros(future.shape[0], dtype=future.dtype, device=future.device)
        u = ((future.double() - self.origin(context_states).double()) / self.scale.double()).reshape(future.shape[0], -1) - self.mu.double()
        y = self.encode(context_states, future).double()
        r = u - (y @ self.components.double()) * self.unit
        return (r * r).sum(dim=1).to(future.dtype)

    def decode(self, y, context_states):
        """Raw futures [B, H, S] from coefficients y [B, D] (in double, as the Swift code)."""
        y64 = y.double()
        u = self.mu.double() + ((y64 @ self.components.double()) if self.kind == "pca" else y64) * self.unit
        u = u.reshape(-1, self.horizon, self.stateSize) * self.scale.double()
        return (u + self.origin(context_states).double()).to(y.dtype)


# MARK: - The two energy models


class EnergyModel(nn.Module):
    """E(future | context) of a contrastive-divergence run: forward(context, future) -> energies [B]."""

    kind = "cd"

    def __init__(self, architecture, encoding: dict, metadata: dict):
        super().__init__()
        self.metadata = metadata
        self.encoding = WindowEncoding(encoding)
        self.network = Network(architecture)

    def forward(self, context, future):
        return self.network(self.encoding.encode(context, future))[:, 0]


class DenoisingEnergyModel(nn.Module):
    """E(y, σ | c) of a denoising-score-matching run. forward(context, future, sigma=None) gives
    E(future | context) at σ = sigmaMin (or the given σ, a number or [B]); `energy(c̃, y, σ)` works on
    normalised contexts and coefficients, as the Swift sampler does."""

    kind = "dsm"
    noise_features = 5

    def __init__(self, architecture, encoding: dict, basis: dict, denoising: dict, metadata: dict):
        super().__init__()
        self.metadata = metadata
        self.encoding = WindowEncoding(encoding)
        self.basis = FutureBasis(basis, self.encoding.contextLength)
        self.network = Network(architecture)
        self.sigma_min = float(np.float32(denoising.get("sigmaMin", 0.002)))
        self.sigma_max = float(np.float32(denoising.get("sigmaMax", 4)))
        # a temporal network reads the window over time (Swift's DenoisingEnergyModel.isTemporal)
        self.temporal = isinstance(self.network.layers[0], TemporalConvolution)

    def phi(self, sigma):
        """φ(σ) [B, 5]: t = log σ mapped to [−1, 1] over [σmin, σmax]; t, sin πt, cos πt, sin 2πt, cos 2πt."""
        lo, hi = math.log(self.sigma_min), math.log(self.sigma_max)
        t = 2 * (torch.log(sigma) - lo) / (hi - lo) - 1
        return torch.stack([t, torch.sin(math.pi * t), torch.cos(math.pi * t),
                            torch.sin(2 * math.pi * t), torch.cos(2 * math.pi * t)], dim=1)

    def rows(self, normalized_context, y, sigma):
        """The network's rows: [c̃, φ(σ), y s(σ)] for an MLP; for a temporal network over the identity basis,
        k + H steps of S + 6 channels — [c̃_t, φ(σ), 1] at the context steps, [y_t s(σ), φ(σ), 0] after."""
        scale = 1 / torch.sqrt(1 + sigma * sigma)
        phi = self.phi(sigma)
        if not self.temporal:
            return torch.cat([normalized_context, phi, y * scale[:, None]], dim=1)
        B, k, S = y.shape[0], self.encoding.contextLength, self.encoding.stateSize
        states = torch.cat([normalized_context.reshape(B, k, S), (y * scale[:, None]).reshape(B, -1, S)], dim=1)
        steps = states.shape[1]
        flag = torch.cat([torch.ones(B, k, 1, dtype=y.dtype), torch.zeros(B, steps - k, 1, dtype=y.dtype)], dim=1)
        return torch.cat([states, phi[:, None, :].expand(B, steps, phi.shape[1]), flag], dim=2).reshape(B, -1)

    def energy(self, normalized_context, y, sigma):
        """E(y, σ | c̃) [B] for normalised contexts [B, C], coefficients [B, D], levels σ [B]."""
        rows = self.rows(normalized_context, y, sigma)
        prior = (0.5 * y * y * (1 / (self.basis.variances + (sigma * sigma)[:, None]))).sum(dim=1)
        return prior + self.network(rows)[:, 0] / sigma

    def forward(self, context, future, sigma=None):
        """At σ = sigmaMin (the default) the judged energy of the whole window, as `ebm score`: the
        coefficients' energy plus ‖r‖²/(2σr²) for the part off the basis when the basis keeps σr²."""
        B = context.shape[0]
        judged = sigma is None
        if sigma is None:
            sigma = self.sigma_min
        sigma = torch.as_tensor(sigma, dtype=context.dtype, device=context.device).expand(B)
        states = context[:, :self.encoding.stateContextWidth]
        y = self.basis.encode(states, future)
        e = self.energy(self.encoding.normalized_context(context), y, sigma)
        if judged and self.basis.residual_variance:
            e = e + self.basis.residuals(states, future) / (2 * self.basis.residual_variance)
        return e


# MARK: - Loading


def checkpoint_path(run: str | os.PathLike) -> str:
    """A run folder's model.safetensors, or the .safetensors file given."""
    path = os.fspath(run)
    if os.path.isdir(path):
        path = os.path.join(path, "model.safetensors")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file (a run folder of `ebm train` holds model.safetensors)")
    return path


def _json(metadata, key, path):
    if key not in metadata:
        raise CheckpointError(f"{path}: metadata {key} is missing")
    try:
        return json.loads(metadata[key])
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{path}: metadata {key} is not JSON ({error})") from None


def load_energy_model(run: str | os.PathLike, device="cpu") -> nn.Module:
    """The energy model of a run folder (or its .safetensors) as a torch.nn.Module in eval mode:
    an `EnergyModel` (contrastive divergence) or a `DenoisingEnergyModel` (objective dsm).
    Raises CheckpointError for feedforward baselines or inconsistent files."""
    path = checkpoint_path(run)
    try:
        with safe_open(path, framework="pt") as file:
            metadata = file.metadata() or {}
            tensors = {name: file.get_tensor(name) for name in file.keys()}
    except Exception as error:  # safetensors raises its own SafetensorError for malformed files
        raise CheckpointError(f"{path}: not a readable safetensors file ({error})") from None
    if metadata.get("format") != NETWORK_FORMAT or metadata.get("trajectory_format") != TRAJECTORY_FORMAT:
        raise CheckpointError(f"{path}: not a trained model of EnergyDynamics (format {metadata.get('format')!r}, "
                              f"trajectory_format {metadata.get('trajectory_format')!r})")
    if metadata.get("model_kind") != "ebm":
        raise CheckpointError(f"{path}: holds a {metadata.get('model_kind')!r} model, not an energy model")
    configuration = _json(metadata, "configuration", path)
    architecture = _json(metadata, "architecture", path)
    encoding = _json(metadata, "window_encoding", path)
    objective = configuration.get("optimization", {}).get("objective", "cd")
    info = {"path": path, "step": int(metadata.get("step", -1)), "configuration": configuration, "objective": objective}
    try:
        if objective == "dsm":
            model = DenoisingEnergyModel(architecture, encoding, _json(metadata, "future_basis", path),
                                         configuration.get("denoising", {}), info)
            expected = model.encoding.contextWidth + DenoisingEnergyModel.noise_features + model.basis.dimension
            if model.temporal:  # k + H steps of the state, φ(σ) and the context flag
                expected = (model.encoding.contextLength + model.basis.horizon) * (model.encoding.stateSize + DenoisingEnergyModel.noise_features + 1)
        else:
            model = EnergyModel(architecture, encoding, info)
            expected = model.encoding.contextWidth + model.encoding.futureWidth
    except (KeyError, TypeError) as error:
        raise CheckpointError(f"{path}: metadata lacks {error}") from None
    first = next(iter(architecture[0].values()), {}) if architecture else {}
    width = first.get("inputWidth", first.get("width", first.get("length", 0) * first.get("inputChannels", 0)))
    if first.get("groups"):
        width = first["groups"] * first["inputWidth"]
    if width != expected:
        raise CheckpointError(f"{path}: the network reads {width} features, the encoding makes {expected}")
    state = {f"network.{name}": tensor for name, tensor in tensors.items()}
    state.update({f"{k}": v for k, v in model.state_dict().items() if not k.startswith("network.")})
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise CheckpointError(f"{path}: tensors do not match the architecture: {error}") from None
    return model.to(device).eval()


# MARK: - Windows of a dataset, as `ebm score` reads them


def score_windows(states, encoding: WindowEncoding, goals=None, controls=None):
    """Every window (stride 1, no padding) of each episode: contexts [E·W, contextWidth] and futures
    [E·W, H, S] in float32, window w of episode e at row e·W + w (`ebm score`'s window_energy order).
    `states` [E, T+1, S]; `goals` [E] and `controls` [E, T, nu] feed conditioned models."""
    states = np.asarray(states)
    E, rows, S = states.shape
    k, H = encoding.contextLength, encoding.horizon
    W = rows - k - H + 1
    if W < 1:
        raise ValueError(f"episodes of {rows} states are shorter than a {k}+{H}-state window")
    index = np.arange(W)[:, None] + np.arange(k + H)[None, :]
    windows = states[:, index].astype(np.float32)  # [E, W, k+H, S]
    context = [windows[:, :, :k].reshape(E, W, k * S)]
    if encoding.goalCount:
        onehot = np.zeros((E, W, encoding.goalCount), np.float32)
        for e, g in enumerate(np.asarray(goals)):
            if 0 <= g < encoding.goalCount:
                onehot[e, :, g] = 1
        context.append(onehot)
    if encoding.controlWidth:
        controls = np.asarray(controls)
        steps = index[:, :k]  # controls u_start ... u_{start+k-1}, zero past the episode's end (as Swift)
        u = controls[:, np.minimum(steps, controls.shape[1] - 1)].astype(np.float32)  # [E, W, k, nu]
        u[:, steps >= controls.shape[1]] = 0
        context.append(u.reshape(E, W, -1))
    context = np.concatenate(context, axis=2).reshape(E * W, -1)
    return torch.from_numpy(context), torch.from_numpy(windows[:, :, k:].reshape(E * W, H, S).copy())
