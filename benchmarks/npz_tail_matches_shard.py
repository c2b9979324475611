"""Checks a large split written by `ebm generate` without loading it: Python's zipfile verifies every
member's CRC-32 (streaming), and the last episodes of each array, read in place through the zip
member, equal those of the last shard generated on its own (`ebm generate RECIPE --shard n-1/n`).
Used for the ZIP64 figure in benchmarks/README.md (issue 18).

Usage: python3 benchmarks/npz_tail_matches_shard.py BIG/train.npz SHARD/train.npz
"""

import sys
import zipfile

import numpy as np

big, shard = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(big)
assert z.testzip() is None, "a member's CRC-32 does not match"
part = np.load(shard)
for name in ["states", "controls", "sites", "goal", "episode_seed"]:
    info = z.getinfo(name + ".npy")
    with z.open(info) as f:
        version = np.lib.format.read_magic(f)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(f)
        first = shape[0] - part[name].shape[0]
        row = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
        f.seek(f.tell() + first * row)
        tail = np.frombuffer(f.read(), dtype=dtype).reshape((shape[0] - first,) + shape[1:])
    assert not fortran and np.array_equal(tail, part[name]), name
    print(f"{name} {shape} at byte {info.header_offset}: the last {shape[0] - first} episodes equal the shard's")
print("zipfile: every member's CRC-32 checks")
