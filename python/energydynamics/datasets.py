"""Datasets of `ebm generate` (a folder of train.npz, test.npz and meta.json) as NumPy arrays,
validated as the Swift reader validates them. The format is documented in docs/datasets.md.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

FORMAT = "energydynamics-trajectories/1"
SPLITS = ("train", "test")
MAX_META_BYTES = 64 << 20  # meta.json holds the recipe and names: far below this


class DatasetError(ValueError):
    """A dataset folder that is missing a file, or whose arrays or metadata disagree."""


@dataclass
class Split:
    """One split: E episodes of T steps, S = nq + nv state numbers, nu controls, nsite sites.

    states [E, T+1, S] float64 (qpos then qvel), controls [E, T, nu] float64 (as applied, clamped),
    sites [E, T+1, nsite, 3] float64 (world positions, m), goal [E] int64 (-1 = none),
    episode_seed [E] int64."""

    states: np.ndarray
    controls: np.ndarray
    sites: np.ndarray
    goal: np.ndarray
    episode_seed: np.ndarray
    nq: int = 0

    @property
    def episodes(self) -> int:
        return self.states.shape[0]

    @property
    def steps(self) -> int:
        return self.controls.shape[1]

    @property
    def qpos(self) -> np.ndarray:
        """[E, T+1, nq]"""
        return self.states[..., :self.nq]

    @property
    def qvel(self) -> np.ndarray:
        """[E, T+1, nv]"""
        return self.states[..., self.nq:]


@dataclass
class Dataset:
    """A dataset folder: `meta` (meta.json as a dict) and its splits by name ("train", "test")."""

    path: str
    meta: dict
    splits: dict = field(default_factory=dict)

    def __getitem__(self, split: str) -> Split:
        return self.splits[split]

    @property
    def name(self) -> str:
        return self.meta.get("name", os.path.basename(self.path))

    @property
    def dt(self) -> float:
        return float(self.meta["dt"])


def _read_split(path: str, nq: int, meta: dict) -> Split:
    if not os.path.isfile(path):
        raise DatasetError(f"{path}: no such file (a dataset folder holds train.npz, test.npz and meta.json)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise DatasetError(f"{path}: not a readable .npz ({error})") from None
    expected = {"states": np.float64, "controls": np.float64, "sites": np.float64, "goal": np.int64, "episode_seed": np.int64}
    for name, dtype in expected.items():
        if name not in arrays:
            raise DatasetError(f"{path}: array '{name}' is missing")
        if arrays[name].dtype != dtype:
            raise DatasetError(f"{path}: array '{name}' has dtype {arrays[name].dtype}, expected {np.dtype(dtype)}")
    states, controls, sites = arrays["states"], arrays["controls"], arrays["sites"]
    if states.ndim != 3 or controls.ndim != 3 or sites.ndim != 4 or sites.shape[3:] != (3,):
        raise DatasetError(f"{path}: shapes states {states.shape}, controls {controls.shape}, sites {sites.shape} "
                           "are not [E, T+1, S], [E, T, nu], [E, T+1, nsite, 3]")
    E, rows, S = states.shape
    if controls.shape[:2] != (E, rows - 1) or sites.shape[:2] != (E, rows) or arrays["goal"].shape != (E,) \
            or arrays["episode_seed"].shape != (E,):
        raise DatasetError(f"{path}: episode/step counts disagree: states {states.shape}, controls {controls.shape}, "
                           f"sites {sites.shape}, goal {arrays['goal'].shape}, episode_seed {arrays['episode_seed'].shape}")
    for name in ("states", "controls", "sites"):
        if not np.all(np.isfinite(arrays[name])):
            raise DatasetError(f"{path}: array '{name}' holds NaN or infinite values")
    names = meta.get("state_names")
    if names is not None and len(names) != S:
        raise DatasetError(f"{path}: states have {S} numbers, meta.json names {len(names)}")
    if "steps" in meta and meta["steps"] != rows - 1:
        raise DatasetError(f"{path}: episodes of {rows - 1} steps, meta.json says {meta['steps']}")
    return Split(states, controls, sites, arrays["goal"], arrays["episode_seed"], nq=nq)


def load_dataset(folder: str | os.PathLike, splits=SPLITS) -> Dataset:
    """Reads a dataset folder of `ebm generate`: meta.json and the given splits (train.npz, test.npz)."""
    folder = os.fspath(folder)
    meta_path = os.path.join(folder, "meta.json")
    if not os.path.isfile(meta_path):
        raise DatasetError(f"{meta_path}: no such file (a dataset folder holds train.npz, test.npz and meta.json)")
    if os.path.getsize(meta_path) > MAX_META_BYTES:
        raise DatasetError(f"{meta_path}: larger than {MAX_META_BYTES} bytes")
    try:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as error:
        raise DatasetError(f"{meta_path}: not JSON ({error})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DatasetError(f"{meta_path}: format is {meta.get('format') if isinstance(meta, dict) else None!r}, expected {FORMAT!r}")
    names = meta.get("state_names", [])
    nq = sum(1 for n in names if str(n).startswith("qpos.")) or len(names) // 2
    dataset = Dataset(folder, meta)
    for split in splits:
        dataset.splits[split] = _read_split(os.path.join(folder, f"{split}.npz"), nq, meta)
    return dataset
