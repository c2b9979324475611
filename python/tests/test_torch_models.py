"""Trained runs rebuilt in PyTorch reproduce the Swift energies: `ebm score` for contrastive-divergence
models, `ebm predict`'s sample energies for denoising (DSM) models; gradients against finite differences."""

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from energydynamics.torch_models import (CheckpointError, DenoisingEnergyModel, EnergyModel, load_energy_model,
                                         score_windows)
from conftest import ROOT, run


def test_cd_energies_equal_ebm_score(ebm, tiny):
    out = tiny.base / "score.npz"
    run(ebm, "score", "--model", tiny.cd, "--data", tiny.data, "--out", out)
    expected = np.load(out)["window_energy"]
    model = load_energy_model(tiny.cd)
    assert isinstance(model, EnergyModel) and model.metadata["step"] == 40
    test = np.load(tiny.data / "test.npz")
    context, future = score_windows(test["states"], model.encoding, test["goal"], test["controls"])
    with torch.no_grad():
        energies = model(context, future).numpy().reshape(expected.shape)
    assert expected.shape == (5, 24)
    assert np.abs(energies - expected).max() < 1e-5
    assert np.ptp(expected) > 1e-3  # the energies differ between windows: the check has teeth


def train_and_score(ebm, tiny, tmp_path, config_name, section, changes):
    """Trains 20 steps of trajectories/CONFIG with config[section] updated, scores the tiny test split with
    `ebm score` and the PyTorch copy: (expected [E, W], energies [E, W], model, context, future)."""
    config = json.loads((Path(ROOT) / "trajectories" / config_name).read_text())
    config[section].update(changes)
    config["optimization"]["steps"] = 20
    (tmp_path / "config.json").write_text(json.dumps(config))
    run(ebm, "train", "--data", tiny.data, "--config", tmp_path / "config.json", "--model", "ebm", "--out", tmp_path / "run", "--quiet")
    run(ebm, "score", "--model", tmp_path / "run", "--data", tiny.data, "--out", tmp_path / "score.npz")
    expected = np.load(tmp_path / "score.npz")["window_energy"]
    model = load_energy_model(tmp_path / "run")
    test = np.load(tiny.data / "test.npz")
    context, future = score_windows(test["states"], model.encoding, test["goal"], test["controls"])
    with torch.no_grad():
        energies = model(context, future).numpy().reshape(expected.shape)
    return expected, energies, model, context, future


@pytest.mark.parametrize("variant", [
    {"spectralNorm": True},
    {"ensemble": 3},
    {"architecture": "temporal-convolution", "channels": 8, "kernelSize": 3},
    {"architecture": "temporal-residual", "channels": 8, "kernelSize": 4},
    {"conditionOnGoal": True, "conditionOnControls": True, "futureAsDelta": False},
], ids=["spectral-norm", "ensemble", "temporal-convolution", "temporal-residual", "goal-and-controls"])
def test_every_architecture_equals_ebm_score(ebm, tiny, tmp_path, variant):
    expected, energies, _, _, _ = train_and_score(ebm, tiny, tmp_path, "reacher2-tiny.train.json", "model", variant)
    assert np.abs(energies - expected).max() < 1e-5 * max(1, np.abs(expected).max())
    assert np.ptp(expected) > 1e-4


@pytest.mark.parametrize("which", ["dsm", "dsmt"])
def test_dsm_energies_equal_swift(ebm, tiny, which):
    out = tiny.base / f"{which}-predict.npz"
    run(ebm, "predict", "--model", getattr(tiny, which), "--data", tiny.data, "--episode", 1, "--context-start", 2,
        "--samples", 16, "--horizon", 8, "--sampler", "annealed-mala", "--steps", 30, "--out", out)
    predicted = np.load(out)
    model = load_energy_model(getattr(tiny, which))
    assert isinstance(model, DenoisingEnergyModel)
    assert (model.basis.kind, model.basis.dimension) == (("pca", 8) if which == "dsm" else ("identity", 32))
    K = predicted["futures"].shape[0]
    context = torch.tensor(np.repeat(predicted["context"].reshape(1, -1), K, 0), dtype=torch.float32)
    future = torch.tensor(predicted["futures"], dtype=torch.float32)
    with torch.no_grad():
        energies = model(context, future).numpy()
    expected = predicted["energies"]
    # the futures were decoded from the sampled coefficients and rounded to float32: relative 1e-5
    assert np.abs(energies - expected).max() <= 1e-5 * np.abs(expected).max()
    assert np.ptp(expected) > 1
    # the basis decodes what it encodes
    with torch.no_grad():
        states = context[:, :model.encoding.stateContextWidth]
        assert (model.basis.decode(model.basis.encode(states, future), states) - future).abs().max() < 1e-4


def test_dsm_judged_energies_equal_ebm_score(ebm, tiny):
    """`ebm score` on a denoising run: the energy of each window's basis coefficients plus the
    residual off the basis, ‖r‖²/(2σr²)."""
    out = tiny.base / "dsm-score.npz"
    run(ebm, "score", "--model", tiny.dsm, "--data", tiny.data, "--out", out)
    expected = np.load(out)["window_energy"]
    model = load_energy_model(tiny.dsm)
    assert model.basis.residual_variance and model.basis.residual_variance > 0
    test = np.load(tiny.data / "test.npz")
    context, future = score_windows(test["states"], model.encoding, test["goal"], test["controls"])
    with torch.no_grad():
        energies = model(context, future).numpy().reshape(expected.shape)
        states = context[:, :model.encoding.stateContextWidth]
        residual = (model.basis.residuals(states, future) / (2 * model.basis.residual_variance)).numpy()
    assert np.abs(energies - expected).max() <= 1e-4 * max(1, np.abs(expected).max())
    assert residual.max() > 1e-3 * np.abs(expected).max()  # the residual term counts: the check has teeth


@pytest.mark.parametrize("which", ["cd", "dsm", "dsmt"])
def test_input_gradients_match_finite_differences(tiny, which):
    model = load_energy_model(getattr(tiny, which)).double()
    test = np.load(tiny.data / "test.npz")
    context, future = score_windows(test["states"], model.encoding)
    context, future = context[:6].double(), future[:6].double().requires_grad_(True)
    energies = model(context, future)
    (gradient,) = torch.autograd.grad(energies.sum(), future)
    h = 1e-6
    for index in [(0, 0, 0), (2, 3, 1), (5, 1, 3)]:
        step = torch.zeros_like(future)
        step[index] = h
        with torch.no_grad():
            fd = (model(context, future + step) - model(context, future - step))[index[0]] / (2 * h)
        assert abs(fd.item() - gradient[index].item()) <= 1e-6 * max(1, abs(fd.item()))


def test_bad_checkpoints_are_refused(tiny, tmp_path):
    with pytest.raises(CheckpointError, match="feedforward"):
        load_energy_model(tiny.ff)
    with pytest.raises(FileNotFoundError):
        load_energy_model(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}")
    with pytest.raises(CheckpointError, match="safetensors"):
        load_energy_model(tmp_path)
    (tmp_path / "model.safetensors").write_bytes((2).to_bytes(8, "little") + b"{}")
    with pytest.raises(CheckpointError, match="not a trained model"):
        load_energy_model(tmp_path)


def test_faded_origin_equals_ebm_score(ebm, tiny, tmp_path):
    """A basis whose deltas fade to absolute futures (denoising.originFade): the same judged energies as
    `ebm score`, and the basis decodes what it encodes."""
    expected, energies, model, context, future = train_and_score(ebm, tiny, tmp_path, "reacher2-tiny-dsm.train.json", "denoising",
                                                                 {"originFade": 3})
    assert model.basis.origin_fade == 3
    with torch.no_grad():
        states = context[:, :model.encoding.stateContextWidth]
        origin = model.basis.origin(states)
        assert (model.basis.decode(model.basis.encode(states, future), states)
                - model.basis.decode(model.basis.encode(states, future), states * 0)).abs()[:, 3:].max() == 0
    assert np.abs(energies - expected).max() <= 1e-4 * max(1, np.abs(expected).max())
    assert origin.shape[1] == model.basis.horizon and origin[:, 3:].abs().max() == 0 and origin[:, 0].abs().max() > 0
