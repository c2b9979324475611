#!/usr/bin/env python3
"""compare.py OLD NEW: every file under OLD against NEW. npz arrays compared exactly (replan_ms, a timing, skipped);
JSON compared exactly after dropping timing keys; stdout/stderr with timings masked; everything else byte for byte."""
import json, os, re, sys, zipfile, io
import numpy as np
old, new = sys.argv[1:3]
TIMING = {"wall_s", "time", "ms_per_replan", "seconds", "sampling_seconds", "train_seconds", "wall_seconds", "steps_per_second", "ms", "elapsed"}
def strip(x):
    if isinstance(x, dict): return {k: strip(v) for k, v in x.items() if k not in TIMING and not k.endswith("_seconds") and not k.endswith("_per_second")}
    if isinstance(x, list): return [strip(v) for v in x]
    return x
MASK = [(re.compile(r"\s*\d+(\.\d+)? ?(ms|s|µs)\b"), " T"), (re.compile(r"^(\| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| )[0-9.]+( \|)", re.M), r"\1T\2"),
        (re.compile(r"^(\d+(?:\s+\S+){7})\s+\d+\.\d$", re.M), r"\1 T"), (re.compile(r"\d+(\.\d+)? (futures|episodes|it|steps)/s"), "R"),
        (re.compile(r"\(\d+(\.\d+)? µs/step/thread\)"), "R"), (re.compile(r"-?\d+(\.\d+)?\s+steps/s"), "R")]
def mask(t):
    for r, s in MASK: t = r.sub(s, t)
    t = t.replace(os.path.abspath(old) + "/", "DIR/").replace(os.path.abspath(new) + "/", "DIR/")
    try: return json.dumps(strip(json.loads(t)), sort_keys=True)
    except ValueError: return t
same = differ = 0; notes = []
for root, _, files in os.walk(old):
    for f in sorted(files):
        a = os.path.join(root, f); rel = os.path.relpath(a, old); b = os.path.join(new, rel)
        if not os.path.exists(b): notes.append(f"MISSING in new: {rel}"); differ += 1; continue
        ok = True; why = ""
        if f.endswith(".npz"):
            za, zb = np.load(a), np.load(b)
            if sorted(za.files) != sorted(zb.files): ok, why = False, f"arrays {za.files} vs {zb.files}"
            else:
                for k in za.files:
                    if k == "replan_ms": continue
                    if za[k].dtype != zb[k].dtype or za[k].shape != zb[k].shape or not np.array_equal(za[k], zb[k], equal_nan=True):
                        ok, why = False, f"array {k}"; break
        elif f.endswith(".json") and f not in ("tiny.json", "goal.json"):
            ja, jb = json.load(open(a)), json.load(open(b))
            ok = strip(ja) == strip(jb); why = "json"
        elif f.endswith(".jsonl"):
            la = [strip(json.loads(l)) for l in open(a)]; lb = [strip(json.loads(l)) for l in open(b)]
            ok = la == lb; why = "jsonl"
        elif f.endswith((".stdout", ".stderr")):
            ok = mask(open(a).read()) == mask(open(b).read()); why = "text"
            if not ok and f.endswith(".stderr") and f.startswith("benchplan"): ok = True   # progress lines: their number depends on the speed
        else:
            ok = open(a, "rb").read() == open(b, "rb").read(); why = "bytes"
        if ok: same += 1
        else: differ += 1; notes.append(f"DIFF ({why}): {rel}")
for root, _, files in os.walk(new):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), new)
        if not os.path.exists(os.path.join(old, rel)): notes.append(f"NEW only: {rel}")
print("\n".join(notes)); print(f"{same} files identical, {differ} differ")
