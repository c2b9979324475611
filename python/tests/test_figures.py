"""benchmarks/figures.py turns `ebm evaluate`'s JSON into PDF, SVG and PNG figures with real text."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, run


def test_figures_from_a_tiny_evaluation(ebm, tiny, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "evaluate"
    run(ebm, "evaluate", "--model", tiny.cd, "--baseline", tiny.ff, "--data", tiny.data, "--episodes", 3,
        "--samples", 4, "--steps", 5, "--out", out, "--long-horizon", 20, "--long-contexts", 2, "--long-samples", 2,
        "--curve-episodes", 2, "--step-counts", 0, 5)
    before = sorted(os.listdir(out))
    result = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "figures.py"), str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    names = ["error_vs_horizon", "stability_vs_time", "frechet_vs_time", "physical_divergence", "quality_vs_steps", "ade_vs_steps"]
    for name in names:
        assert (out / "figures" / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        assert (out / "figures" / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        svg = (out / "figures" / f"{name}.svg").read_text()
        assert "<text" in svg  # text stays text (svg.fonttype none), not outlines or a bitmap font
    assert "future step (steps of 10 ms)" in (out / "figures" / "error_vs_horizon.svg").read_text()
    assert "rad, rad/s" in (out / "figures" / "error_vs_horizon.svg").read_text()
    assert sorted(p for p in os.listdir(out) if p != "figures") == before  # the evaluate plots are untouched
    empty = tmp_path / "empty"
    empty.mkdir()
    failed = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "figures.py"), str(empty)], capture_output=True, text=True)
    assert failed.returncode != 0 and "no metrics.json" in failed.stderr
