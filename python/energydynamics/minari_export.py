"""Export of a dataset folder to Minari (https://minari.farama.org), built on the `minari` package:
one Minari dataset per split, one Minari episode per episode of the split, in the same order.

observations = states [T+1, nq+nv] (qpos then qvel), actions = controls [T, nu] (as applied),
rewards = 0 (the datasets carry no reward), terminations = False, truncations = True at the last
step (the episode ended at its fixed length). infos carry the episode's goal, seed and site
positions [T+1, nsite, 3]. Needs `pip install minari h5py`.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from .datasets import load_dataset


def export_minari(dataset_dir: str | os.PathLike, name: str | None = None, splits=("train", "test"),
                  author: str | None = None, data_path: str | None = None) -> dict:
    """Writes each split of the dataset at `dataset_dir` as the Minari dataset
    "energydynamics/{name}/{split}-v0" (name defaults to the dataset's). Returns {split: dataset id}.
    `data_path` sets MINARI_DATASETS_PATH (where Minari keeps datasets; default ~/.minari/datasets).
    Refuses to overwrite an existing Minari dataset of the same id (minari raises ValueError)."""
    import gymnasium as gym
    import minari
    from minari.data_collector import EpisodeBuffer

    if data_path is not None:
        os.environ["MINARI_DATASETS_PATH"] = os.fspath(data_path)
    if os.environ.get("MINARI_DATASETS_PATH"):  # minari 0.5 mis-joins relative paths: make it absolute
        os.environ["MINARI_DATASETS_PATH"] = os.path.abspath(os.environ["MINARI_DATASETS_PATH"])
    dataset = load_dataset(dataset_dir, splits)
    meta = dataset.meta
    name = name or dataset.name
    ids = {}
    for split in splits:
        s = dataset[split]
        E, rows, S = s.states.shape
        nu = s.controls.shape[2]
        observation_space = gym.spaces.Box(-np.inf, np.inf, (S,), np.float64)
        action_space = gym.spaces.Box(-np.inf, np.inf, (nu,), np.float64)
        buffers = []
        for e in range(E):
            truncations = np.zeros(rows - 1, dtype=bool)
            truncations[-1] = True
            buffers.append(EpisodeBuffer(
                id=e,
                observations=s.states[e].copy(),
                actions=s.controls[e].copy(),
                rewards=np.zeros(rows - 1),
                terminations=np.zeros(rows - 1, dtype=bool),
                truncations=truncations,
                infos={"goal": np.full(rows, s.goal[e], dtype=np.int64),
                       "episode_seed": np.full(rows, s.episode_seed[e], dtype=np.int64),
                       "sites": s.sites[e].reshape(rows, -1).copy()},
            ))
        dataset_id = f"energydynamics/{name}/{split}-v0"
        description = (f"EnergyDynamics dataset {name} ({split} split): {E} episodes of {rows - 1} steps of the "
                       f"{meta.get('robot')} robot, dt {meta.get('dt')} s, {meta.get('integrator')}; observations are "
                       f"states {meta.get('state_names')}, actions the applied controls {meta.get('control_names')}. "
                       f"Recipe: {meta.get('recipe', {}).get('description', '')}")
        with warnings.catch_warnings():  # Minari's advice about e-mail, eval_env and env_spec: none apply here
            warnings.simplefilter("ignore", UserWarning)
            minari.create_dataset_from_buffers(
                dataset_id=dataset_id, buffer=buffers, observation_space=observation_space, action_space=action_space,
                algorithm_name=str(meta.get("recipe", {}).get("policy", {}).get("type", "unknown")),
                author=author or "EnergyDynamics", description=description, data_format="hdf5")
        ids[split] = dataset_id
    return ids


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(prog="python -m energydynamics.minari_export",
                                     description="Export a dataset folder of `ebm generate` to Minari.")
    parser.add_argument("dataset_dir")
    parser.add_argument("--name", help="dataset name (default: meta.json's)")
    parser.add_argument("--splits", nargs="+", default=["train", "test"])
    parser.add_argument("--data-path", help="MINARI_DATASETS_PATH (default: Minari's, ~/.minari/datasets)")
    args = parser.parse_args(argv)
    for split, dataset_id in export_minari(args.dataset_dir, args.name, args.splits, data_path=args.data_path).items():
        print(f"{split}: {dataset_id}")


if __name__ == "__main__":
    main()
