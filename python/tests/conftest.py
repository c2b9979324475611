"""Shared fixtures: the repository root, the `ebm` binary (for same-numbers checks against the CLI)."""

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def ebm():
    """$EBM (required to exist when set: scripts/test.sh sets it), else .build/release/ebm."""
    path = os.environ.get("EBM")
    if path:
        assert os.access(path, os.X_OK), f"EBM={path} is not an executable"
        return path
    path = os.path.join(ROOT, ".build", "release", "ebm")
    if not os.access(path, os.X_OK):
        pytest.skip("no ebm binary: swift build -c release --product ebm (or set EBM)")
    return path


def run(*arguments, cwd=ROOT):
    """Runs a command, failing the test with its stderr when it fails; returns stdout."""
    result = subprocess.run([str(a) for a in arguments], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, arguments))} failed:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def tiny_run(ebm, tmp_path_factory):
    """The tiny path's dataset and trained CD energy model: (data dir, run dir); ~2 s."""
    base = tmp_path_factory.mktemp("tiny")
    data, model = base / "data", base / "run"
    run(ebm, "generate", "reacher2-tiny", "--recipes", os.path.join(ROOT, "trajectories"), "--out", data)
    run(ebm, "train", "--data", data, "--config", os.path.join(ROOT, "trajectories", "reacher2-tiny.train.json"),
        "--out", model, "--quiet")
    return data, model
