"""Shared fixtures: the repository root, the `ebm` binary (for same-numbers checks against the CLI)."""

import os
import subprocess
import types

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
def tiny(ebm, tmp_path_factory):
    """The tiny path's dataset and runs trained on it (~1 s): a namespace with data, cd, dsm, dsmt (a temporal
    network over the window), ff folders."""
    base = tmp_path_factory.mktemp("tiny")
    data = base / "data"
    run(ebm, "generate", "reacher2-tiny", "--recipes", os.path.join(ROOT, "trajectories"), "--out", data)
    runs = {}
    for name, config, kind in [("cd", "reacher2-tiny.train.json", "ebm"), ("dsm", "reacher2-tiny-dsm.train.json", "ebm"),
                               ("dsmt", "reacher2-tiny-dsm-temporal.train.json", "ebm"),
                               ("ff", "reacher2-tiny.train.json", "feedforward")]:
        runs[name] = base / name
        run(ebm, "train", "--data", data, "--config", os.path.join(ROOT, "trajectories", config), "--model", kind,
            "--out", runs[name], "--quiet")
    return types.SimpleNamespace(data=data, base=base, **runs)
