"""The `.npz` files `ebm` writes member by member as it produces them (issue 18), read by NumPy and
Python's zipfile: every CRC-32 checks, the arrays have their documented shapes, a dataset generated in
several batches equals its two shards merged, and predict's duplicated and derived arrays agree."""

import json
import os
import zipfile

import numpy as np

from conftest import ROOT, run


def load(path):
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, f"{path}: a member's CRC-32 does not match"
        assert all(info.compress_type == zipfile.ZIP_STORED for info in z.infolist())
    with np.load(path) as archive:
        return {name: archive[name] for name in archive.files}


def test_generate_in_batches_equals_merged_shards(ebm, tmp_path):
    recipe = json.load(open(os.path.join(ROOT, "trajectories", "reacher2-tiny.json")))
    recipe["episodes"] = {"train": 150, "test": 70}  # several batches of 64 per split
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps(recipe))
    run(ebm, "generate", path, "--quiet", "--out", tmp_path / "whole")
    for i in range(2):
        run(ebm, "generate", path, "--quiet", "--shard", f"{i}/2", "--out", tmp_path / f"shard{i}")
    run(ebm, "dataset", "merge", tmp_path / "shard0", tmp_path / "shard1", "--out", tmp_path / "merged")
    for split, episodes in (("train", 150), ("test", 70)):
        whole = load(tmp_path / "whole" / f"{split}.npz")
        assert list(whole) == ["states", "controls", "sites", "goal", "episode_seed"]
        assert whole["states"].shape == (episodes, 31, 4) and whole["controls"].shape == (episodes, 30, 2)
        assert whole["sites"].shape[:2] == (episodes, 31) and whole["goal"].shape == (episodes,)
        assert len(set(whole["episode_seed"].tolist())) == episodes
        merged = load(tmp_path / "merged" / f"{split}.npz")
        for name in whole:
            assert np.array_equal(whole[name], merged[name]), (split, name)
        assert (tmp_path / "whole" / f"{split}.npz").read_bytes() == (tmp_path / "merged" / f"{split}.npz").read_bytes()


def test_predict_output_loads_with_consistent_arrays(ebm, tiny, tmp_path):
    out = tmp_path / "p.npz"
    run(ebm, "predict", "--model", tiny.cd, "--data", tiny.data, "--samples", "6", "--horizon", "9", "--steps", "3", "--out", out)
    a = load(out)
    assert a["samples"].shape == (6, 9, 4) and np.array_equal(a["samples"], a["futures"])
    assert a["qpos"].shape == (6, 10, 2)
    assert np.array_equal(a["qpos"][:, 1:, :], a["futures"][:, :, :2])
    assert np.array_equal(a["qpos"][:, 0, :], np.broadcast_to(a["context"][-1, :2], (6, 2)))
    assert a["sites"].shape[:2] == (6, 9) and np.isfinite(a["sites"]).all()
    test = np.load(tiny.data / "test.npz")
    assert np.array_equal(a["context"], test["states"][0, :4])
