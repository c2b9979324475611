# tile_dataset.py SRC DST N: the dataset folder SRC with every split's episodes repeated N times, written by
# np.savez (stored, uncompressed), for the training-memory measurement of benchmarks/README.md (issue 20)
import json, os, shutil, sys
import numpy as np
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst, exist_ok=True)
for split in ("train", "test"):
    z = np.load(os.path.join(src, split + ".npz"))
    arrays = {k: np.concatenate([z[k]] * n) for k in ("states", "controls", "sites", "goal", "episode_seed")}
    np.savez(os.path.join(dst, split + ".npz"), **arrays)
meta = json.load(open(os.path.join(src, "meta.json")))
for split in ("train", "test"):
    if isinstance(meta.get("episodes"), dict) and split in meta["episodes"]:
        meta["episodes"][split] *= n
json.dump(meta, open(os.path.join(dst, "meta.json"), "w"))
