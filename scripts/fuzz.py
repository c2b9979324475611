#!/usr/bin/env python3
"""Mutation fuzzer of the release `ebm` (issue 18): hostile inputs must give clear errors, never a
crash (a signal: trap, abort, segfault) or a hang (no exit within the timeout).

Targets, each seeded from committed files and run for SECONDS:
  safetensors  model.safetensors of a tiny run: header shapes/offsets, metadata JSON, bytes  -> ebm predict
  npz          test.npz of the tiny dataset: npy headers, zip bytes, truncation             -> ebm dataset info, ebm score, ebm train
  recipe       trajectories/reacher2-tiny.json: values, types, sizes                       -> ebm generate
  config       trajectories/reacher2-tiny.train.json: values, types, sizes                 -> ebm train
  mjcf         the reacher2 MJCF: attribute values, elements                               -> ebm simulate
Recipes and configurations that are valid but ask for more work than a fuzz run allows are not run
(a long run is not a hang). Every crashing or hanging input is kept under OUT/TARGET/ with the command that ran it, to become a
regression test. Exit status 1 when any was found.

usage: scripts/fuzz.py SECONDS [--ebm PATH] [--out DIR] [--seed N] [--targets a,b] [--timeout S]
"""
import argparse, json, os, random, re, shutil, struct, subprocess, sys, tempfile, time, zipfile

HOSTILE_NUMBERS = [0, -1, 1, 2, 3, -2**31, 2**31, 2**32, 2**53, 2**62, 2**63 - 1, -2**63, 10**9, 10**12, 10**15, 10**18,
                   1e300, -1e300, 1e-300, 0.5, -0.5, 1.5e308, 4294967296]
HOSTILE_VALUES = HOSTILE_NUMBERS + ["x", "", None, True, [], {}, [1, 2], "NaN", "1e400", {"a": 1}]


def run(command, timeout):
    """(outcome, return code, stderr tail): outcome ok | crash | hang."""
    try:
        p = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", None, ""
    err = p.stderr.decode(errors="replace")[-400:]
    # a negative code is a signal; 128+ is a shell-style signal status; Swift traps are SIGILL/SIGTRAP
    if p.returncode < 0 or p.returncode >= 128 or "Fatal error" in err or "Illegal instruction" in err:
        return "crash", p.returncode, err
    return "ok", p.returncode, err


def mutate_json(value, rng, depth=0):
    """A copy of `value` with one random leaf (or container) replaced by a hostile value."""
    if isinstance(value, dict) and value and (depth == 0 or rng.random() < 0.8):
        key = rng.choice(sorted(value))
        copy = dict(value)
        if rng.random() < 0.1:
            del copy[key]
        else:
            copy[key] = mutate_json(value[key], rng, depth + 1)
        return copy
    if isinstance(value, list) and value and rng.random() < 0.8:
        i = rng.randrange(len(value))
        copy = list(value)
        r = rng.random()
        if r < 0.1:
            del copy[i]
        elif r < 0.2:
            copy.extend(copy * rng.choice([1, 3]))
        else:
            copy[i] = mutate_json(value[i], rng, depth + 1)
        return copy
    if isinstance(value, (int, float)) and not isinstance(value, bool) and rng.random() < 0.5:
        return rng.choice([value * rng.choice([-1, 10, 1000, 1e6, 1e12]), value + rng.choice([-1, 1]), 0])
    return rng.choice(HOSTILE_VALUES)


def mutate_bytes(data, rng):
    data = bytearray(data)
    r = rng.random()
    if r < 0.2 and data:
        return bytes(data[:rng.randrange(len(data))])                      # truncation
    for _ in range(rng.choice([1, 2, 4, 16])):
        if not data:
            break
        i = rng.randrange(len(data))
        if rng.random() < 0.5:
            data[i] ^= 1 << rng.randrange(8)
        else:
            data[i] = rng.choice([0, 0xFF, 0x7F, 0x80, ord("9"), ord("-"), ord(",")])
    return bytes(data)


# --- safetensors ---------------------------------------------------------------------------------

def mutate_safetensors(data, rng):
    n = struct.unpack("<Q", data[:8])[0]
    header, rest = json.loads(data[8:8 + n]), data[8 + n:]
    r = rng.random()
    names = [k for k in header if k != "__metadata__"]
    if r < 0.35 and names:
        entry = dict(header[rng.choice(names)])
        field = rng.choice(["shape", "data_offsets", "dtype"])
        if field == "shape":
            shape = list(entry["shape"])
            if shape and rng.random() < 0.7:
                shape[rng.randrange(len(shape))] = rng.choice(HOSTILE_NUMBERS[:16])
            else:
                shape = [rng.choice(HOSTILE_NUMBERS[:16]) for _ in range(rng.randrange(0, 4))]
            entry["shape"] = shape
        elif field == "data_offsets":
            entry["data_offsets"] = [rng.choice(HOSTILE_NUMBERS[:16]), rng.choice(HOSTILE_NUMBERS[:16])]
        else:
            entry["dtype"] = rng.choice(["F64", "I64", "F16", "", 3])
        header[rng.choice(names)] = entry
    elif r < 0.8 and "__metadata__" in header:
        meta = dict(header["__metadata__"])
        key = rng.choice(sorted(meta))
        try:
            meta[key] = json.dumps(mutate_json(json.loads(meta[key]), rng))
        except ValueError:
            meta[key] = str(rng.choice(HOSTILE_NUMBERS))
        header["__metadata__"] = meta
    else:
        return mutate_bytes(data, rng)
    text = json.dumps(header).encode()
    if rng.random() < 0.9:
        return struct.pack("<Q", len(text)) + text + rest
    return struct.pack("<Q", rng.choice([0, len(text) + 1, 2**63, 2**64 - 1])) + text + rest


# --- npz -----------------------------------------------------------------------------------------

def mutate_npz(data, rng, scratch):
    if rng.random() < 0.3:
        return mutate_bytes(data, rng)
    src = os.path.join(scratch, "src.npz")
    with open(src, "wb") as f:
        f.write(data)
    out = os.path.join(scratch, "mut.npz")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        names = zin.namelist()
        victim = rng.choice(names)
        for name in names:
            member = zin.read(name)
            if name == victim:
                m = re.search(rb"\{.*\}", member[:512])
                if m and rng.random() < 0.7:
                    head = m.group(0).decode()
                    r = rng.random()
                    if r < 0.5:
                        dims = ", ".join(str(rng.choice(HOSTILE_NUMBERS[:16])) for _ in range(rng.randrange(0, 5)))
                        head = re.sub(r"'shape': \([^)]*\)", "'shape': (%s%s)" % (dims, "," if dims.count(",") == 0 and dims else ""), head)
                    elif r < 0.8:
                        head = re.sub(r"'descr': '[^']*'", "'descr': '%s'" % rng.choice(["<f4", ">f8", "|O", "<i8", "<c16", "<U3", "x"]), head)
                    else:
                        head = head.replace("False", "True")
                    member = member[:m.start()] + head.encode().ljust(len(m.group(0))) + member[m.end():]
                else:
                    member = mutate_bytes(member, rng)
            if rng.random() < 0.05:
                continue   # drop a member
            zout.writestr(name, member)
    with open(out, "rb") as f:
        return f.read()


# --- MJCF ----------------------------------------------------------------------------------------

def mutate_mjcf(text, rng):
    r = rng.random()
    attrs = list(re.finditer(r'(\w+)="([^"]*)"', text))
    if r < 0.7 and attrs:
        m = rng.choice(attrs)
        value = rng.choice(["-1", "0", "1e300", "-1e300", "nan", "inf", "1e-300", "x", "", "1 2 3 4 5 6 7 8 9",
                            "100000000", "0 0 0", "-0", "1e400"])
        return text[:m.start(2)] + value + text[m.end(2):]
    if r < 0.85:
        elements = list(re.finditer(r"<(body|joint|geom|site|motor|actuator|worldbody)[^>]*/?>", text))
        if elements:
            m = rng.choice(elements)
            return text[:m.start()] + text[m.end():] if rng.random() < 0.5 else text[:m.end()] + m.group(0) * 50 + text[m.end():]
    return mutate_bytes(text.encode(), rng).decode(errors="replace")


def number(obj, path, default):
    """obj[path…] when it is a plain non-negative number, `default` when missing, None otherwise."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        if obj.get(key) is None:   # missing or null: the program uses its default
            return default
        obj = obj[key]
    if isinstance(obj, bool) or not isinstance(obj, (int, float)) or not obj >= 0:
        return None
    return obj


def long_but_valid(target, obj):
    """Whether a mutated recipe or configuration asks for more work than a fuzz run allows, with
    sizes the program must accept (a long run is not a hang; the size limits have their own tests)."""
    if target == "recipe":
        sizes = [number(obj, ["steps"], None), number(obj, ["substeps"], 1),
                 number(obj, ["episodes", "train"], 0), number(obj, ["episodes", "test"], 0)]
        if None in sizes:
            return False
        steps, substeps, train, test = sizes
        return steps * substeps * (train + test) > 1e6
    if target == "config":
        sizes = [number(obj, ["optimization", "steps"], 5000), number(obj, ["optimization", "batchSize"], 128),
                 number(obj, ["langevin", "steps"], 20), number(obj, ["model", "hiddenWidth"], 256), number(obj, ["model", "depth"], 3),
                 number(obj, ["model", "ensemble"], 1), number(obj, ["model", "horizon"], 1), number(obj, ["model", "contextLength"], 4)]
        if None in sizes:
            return False
        steps, batch, chain, hidden, depth, ensemble, horizon, context = sizes
        return steps * batch * (chain + 1) * ensemble * (hidden * hidden * depth + hidden * (horizon + context) * 4) > 1e9
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("seconds", type=float, help="seconds per target")
    parser.add_argument("--ebm", default=None)
    parser.add_argument("--out", default="out/fuzz")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--targets", default="safetensors,npz,recipe,config,mjcf")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ebm = args.ebm or os.path.join(subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root,
                                                           text=True).strip(), "ebm")
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="ebm-fuzz-")
    try:
        # seeds from the committed tiny recipe and training configuration
        data, run_dir = os.path.join(work, "data"), os.path.join(work, "run")
        subprocess.run([ebm, "generate", os.path.join(root, "trajectories/reacher2-tiny.json"), "--quiet", "--out", data],
                       check=True, stdout=subprocess.DEVNULL)
        config = json.load(open(os.path.join(root, "trajectories/reacher2-tiny.train.json")))
        config["optimization"]["steps"] = 4
        config["checkpointEvery"], config["logEvery"] = 2, 2
        config_path = os.path.join(work, "tiny.train.json")
        json.dump(config, open(config_path, "w"))
        subprocess.run([ebm, "train", "--data", data, "--config", config_path, "--out", run_dir, "--quiet"], check=True, stdout=subprocess.DEVNULL)
        model_bytes = open(os.path.join(run_dir, "model.safetensors"), "rb").read()
        npz_bytes = open(os.path.join(data, "test.npz"), "rb").read()
        recipe = json.load(open(os.path.join(root, "trajectories/reacher2-tiny.json")))
        mjcf = os.path.join(work, "reacher2.xml")
        subprocess.run([ebm, "model", "xml", "reacher2", "--out", mjcf], check=True)
        mjcf_text = open(mjcf).read()

        found = 0
        summary = []
        for target in args.targets.split(","):
            case_dir = os.path.join(work, "case-" + target)
            os.makedirs(case_dir, exist_ok=True)
            executions = crashes = hangs = clear = skipped = 0
            deadline = time.time() + args.seconds
            while time.time() < deadline:
                shutil.rmtree(os.path.join(case_dir, "out"), ignore_errors=True)
                os.makedirs(os.path.join(case_dir, "out"))
                commands = []
                if target == "safetensors":
                    path = os.path.join(case_dir, "model.safetensors")
                    open(path, "wb").write(mutate_safetensors(model_bytes, rng))
                    commands = [[ebm, "predict", "--model", path, "--data", data, "--out", os.path.join(case_dir, "out/p.npz"),
                                 "--steps", "2", "--samples", "2"]]
                elif target == "npz":
                    folder = os.path.join(case_dir, "data")
                    shutil.rmtree(folder, ignore_errors=True)
                    shutil.copytree(data, folder)
                    path = os.path.join(folder, "test.npz")
                    open(path, "wb").write(mutate_npz(npz_bytes, rng, case_dir))
                    commands = [[ebm, "dataset", "info", folder],
                                [ebm, "score", "--model", run_dir, "--data", folder, "--out", os.path.join(case_dir, "out/s.npz")],
                                # training reads the split in place (issue 20), a reader of its own
                                [ebm, "train", "--data", folder, "--config", config_path, "--out", os.path.join(case_dir, "out/run"), "--quiet"]]
                elif target == "recipe":
                    path = os.path.join(case_dir, "recipe.json")
                    mutated = mutate_json(recipe, rng)
                    if long_but_valid(target, mutated):
                        skipped += 1
                        continue
                    json.dump(mutated, open(path, "w"))
                    commands = [[ebm, "generate", path, "--quiet", "--out", os.path.join(case_dir, "out/ds")]]
                elif target == "config":
                    path = os.path.join(case_dir, "train.json")
                    mutated = mutate_json(config, rng)
                    if long_but_valid(target, mutated):
                        skipped += 1
                        continue
                    json.dump(mutated, open(path, "w"))
                    commands = [[ebm, "train", "--data", data, "--config", path, "--out", os.path.join(case_dir, "out/run"), "--quiet"]]
                elif target == "mjcf":
                    path = os.path.join(case_dir, "robot.xml")
                    open(path, "w").write(mutate_mjcf(mjcf_text, rng))
                    commands = [[ebm, "simulate", path, "--steps", "20", "--out", os.path.join(case_dir, "out/s.npz")]]
                else:
                    sys.exit(f"unknown target {target}")
                for command in commands:
                    outcome, code, err = run(command, args.timeout)
                    executions += 1
                    if outcome == "ok":
                        clear += code != 0
                        continue
                    crashes += outcome == "crash"
                    hangs += outcome == "hang"
                    found += 1
                    keep = os.path.join(root, args.out, target, f"{outcome}-{found:03d}")
                    os.makedirs(keep, exist_ok=True)
                    shutil.copy(path, keep)
                    with open(os.path.join(keep, "command.txt"), "w") as f:
                        f.write(" ".join(command) + f"\n# {outcome}, status {code}\n{err}\n")
                    print(f"fuzz {target}: {outcome} (status {code}) kept in {keep}: {err.strip()[-200:]}", flush=True)
            line = (f"fuzz {target}: {executions} runs in {args.seconds:g} s, {clear} clear errors, {crashes} crashes, {hangs} hangs"
                    + (f" ({skipped} valid but long inputs not run)" if skipped else ""))
            print(line, flush=True)
            summary.append(line)
        print(f"fuzz: seed {args.seed}; {'no crash or hang' if found == 0 else f'{found} findings under {args.out}'}")
        sys.exit(1 if found else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
