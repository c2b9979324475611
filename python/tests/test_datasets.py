"""Dataset folders read as NumPy (validated), and exported to Minari with equal episodes."""

import json
import os
import shutil

import numpy as np
import pytest

from energydynamics.datasets import DatasetError, load_dataset


def test_load_dataset_equals_the_npz_arrays(tiny):
    dataset = load_dataset(tiny.data)
    assert dataset.meta["format"] == "energydynamics-trajectories/1" and dataset.name == "reacher2-tiny"
    for split in ("train", "test"):
        raw = np.load(tiny.data / f"{split}.npz")
        s = dataset[split]
        for name in ("states", "controls", "sites", "goal", "episode_seed"):
            assert np.array_equal(getattr(s, name), raw[name])
        assert s.qpos.shape[-1] == 2 and s.qvel.shape[-1] == 2 and s.steps == 30
    assert dataset["train"].episodes == 10 and dataset["test"].episodes == 5


def test_bad_folders_are_refused(tiny, tmp_path):
    with pytest.raises(DatasetError, match="meta.json"):
        load_dataset(tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(tiny.data, broken)
    (broken / "test.npz").write_bytes((broken / "test.npz").read_bytes()[:200])
    with pytest.raises(DatasetError, match="test.npz"):
        load_dataset(broken)
    raw = dict(np.load(tiny.data / "test.npz"))
    raw["states"][1, 3, 0] = np.nan
    np.savez(broken / "test.npz", **raw)
    with pytest.raises(DatasetError, match="NaN"):
        load_dataset(broken)
    raw["states"] = raw["states"][:, :-1]
    np.savez(broken / "test.npz", **raw)
    with pytest.raises(DatasetError, match="disagree"):
        load_dataset(broken)
    meta = json.loads((tiny.data / "meta.json").read_text())
    meta["format"] = "something-else/9"
    (broken / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(DatasetError, match="format"):
        load_dataset(broken)


def test_minari_export_opens_with_minari_and_equals_the_arrays(tiny, tmp_path, monkeypatch):
    minari = pytest.importorskip("minari")
    pytest.importorskip("h5py")
    from energydynamics.minari_export import export_minari
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    ids = export_minari(tiny.data)
    assert ids == {"train": "energydynamics/reacher2-tiny/train-v0", "test": "energydynamics/reacher2-tiny/test-v0"}
    for split, dataset_id in ids.items():
        raw = np.load(tiny.data / f"{split}.npz")
        exported = minari.load_dataset(dataset_id)
        assert exported.total_episodes == raw["states"].shape[0]
        for e, episode in enumerate(exported.iterate_episodes()):
            assert episode.id == e
            assert np.array_equal(episode.observations, raw["states"][e])
            assert np.array_equal(episode.actions, raw["controls"][e])
            assert episode.truncations[-1] and not episode.terminations.any()
            assert np.array_equal(episode.infos["sites"].reshape(raw["sites"][e].shape), raw["sites"][e])
            assert (episode.infos["goal"] == raw["goal"][e]).all()
    with pytest.raises(ValueError):  # an existing dataset is never overwritten
        export_minari(tiny.data)
