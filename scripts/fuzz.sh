#!/usr/bin/env bash
# Fuzzing (issue 18), SECONDS per target; fails on any crash or hang.
#  1. scripts/fuzz.py: mutates the committed recipe, training configuration, a trained model's
#     safetensors, a dataset's .npz and the reacher2 MJCF, runs the release `ebm` on each (crash =
#     signal, hang = timeout); findings are kept under out/fuzz/TARGET/ (or --out).
#  2. libFuzzer with AddressSanitizer: the safetensors reader (scripts/fuzz/safetensors.swift), the
#     .npy reader (scripts/fuzz/npy.swift), the in-place .npz reader of training (scripts/fuzz/npz.swift),
#     the training configuration (scripts/fuzz/config.swift) and the recipe JSON parser with its physics
#     object (scripts/fuzz/recipe.swift), built with swiftc -sanitize=fuzzer,address from the
#     library sources; the MJCF loader through the C bridge (sim/tests/fuzz_mjcf.cpp, clang
#     -fsanitize=fuzzer,address,undefined; URDF too, sim_loadModelString takes a <robot> root). Seeds: a
#     tiny generated dataset and run, sim/robots/*.xml, benchmarks/models/two_link_arm.urdf, the
#     committed recipes and training configurations;
#     corpora grow in .build/fuzz-corpus/, crash inputs land in .build/fuzz-crash-TARGET-*.
# Usage: scripts/fuzz.sh SECONDS [fuzz.py options]   (EBM=path/to/ebm to skip the lookup)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/fuzz.sh SECONDS [--seed N] [--targets safetensors,npz,recipe,config,mjcf]" >&2; exit 2; }
seconds=$1; shift
ebm=${EBM:-$(swift build -c release --show-bin-path)/ebm}
status=0
nice -n 10 python3 scripts/fuzz.py "$seconds" --ebm "$ebm" "$@" || status=$?

# seeds: the members of a tiny dataset's test.npz, a tiny run's model and checkpoints, the robots
corpus=.build/fuzz-corpus
mkdir -p "$corpus/safetensors" "$corpus/npy" "$corpus/npz" "$corpus/config" "$corpus/recipe" "$corpus/mjcf"
if [ ! -e "$corpus/seeded" ] || [ -z "$(ls -A "$corpus/npz")" ]; then
  seed=$(mktemp -d)
  "$ebm" generate trajectories/reacher2-tiny.json --quiet --out "$seed/ds" >/dev/null
  python3 - "$seed" <<'PY'
import json, sys
c = json.load(open("trajectories/reacher2-tiny.train.json"))
c["optimization"]["steps"], c["checkpointEvery"], c["logEvery"] = 4, 2, 2
json.dump(c, open(sys.argv[1] + "/train.json", "w"))
PY
  "$ebm" train --data "$seed/ds" --config "$seed/train.json" --out "$seed/run" --quiet >/dev/null
  cp "$seed/run/model.safetensors" "$seed"/run/checkpoints/*.safetensors "$corpus/safetensors/"
  cp "$seed/ds/test.npz" "$corpus/npz/"
  (cd "$corpus/npy" && python3 -c "import zipfile, sys; z = zipfile.ZipFile(sys.argv[1]); [open(n, 'wb').write(z.read(n)) for n in z.namelist()]" "$seed/ds/test.npz")
  rm -rf "$seed"
  touch "$corpus/seeded"
fi
cp -n sim/robots/*.xml benchmarks/models/two_link_arm.urdf "$corpus/mjcf/"  # a <robot> root takes the URDF import
cp -n trajectories/*.train.json "$corpus/config/"
for f in trajectories/*.json; do case $f in *.train.json) ;; *) cp -n "$f" "$corpus/recipe/" ;; esac; done

# builds .build/fuzz_NAME from the given sources unless it is newer than all of them
build() {
  local name=$1; shift
  local binary=.build/fuzz_$name
  if [ -x "$binary" ] && [ -z "$(find "$@" -newer "$binary" -print -quit)" ]; then return; fi
  local built=0
  case $name in
    mjcf) clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
            "$@" -Isim/include $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o "$binary" > ".build/fuzz_$name.build.log" 2>&1 || built=$? ;;
    *) swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_$name" "$@" -o "$binary" > ".build/fuzz_$name.build.log" 2>&1 || built=$? ;;
  esac
  if [ "$built" -ne 0 ]; then grep -v "Cannot export local symbol" ".build/fuzz_$name.build.log" | tail -30; echo "fuzz: cannot build $name" >&2; exit 1; fi
}
build safetensors scripts/fuzz/safetensors.swift Sources/NeuralCore/{Safetensors,Tensor,CheckpointError}.swift
build npy scripts/fuzz/npy.swift Sources/Trajectories/{NumPyArray,NumPyArray+NPY,NPYHeader,NumPyDType,NumPyError,NumPyArray+Validation,AtomicFile,FileError}.swift
build npz scripts/fuzz/npz.swift Sources/Trajectories/{NumPyArchiveIndex,NumPyArray,NumPyArray+NPY,NPYHeader,NumPyDType,NumPyError,NumPyArray+Validation,AtomicFile,FileError}.swift
build config scripts/fuzz/config.swift Sources/EnergyModels/{TrainingConfiguration,TrainingError,FutureBasisKind}.swift Sources/Trajectories/FileError.swift
build recipe scripts/fuzz/recipe.swift Sources/Trajectories/{JSONValue,RecipeObject,PhysicsModification,DatasetError,FileError}.swift
build mjcf sim/tests/fuzz_mjcf.cpp sim/src/*.cpp
for name in safetensors npy npz config recipe mjcf; do
  if nice -n 10 ".build/fuzz_$name" "$corpus/$name" -dict=scripts/fuzz/json.dict -max_total_time="${seconds%.*}" -max_len=262144 \
       -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=".build/fuzz-crash-$name-" > ".build/fuzz_$name.log" 2>&1; then
    echo "fuzz $name (libFuzzer, ASan): $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' ".build/fuzz_$name.log"), no crash"
  else
    tail -40 ".build/fuzz_$name.log"
    echo "fuzz $name (libFuzzer, ASan): FAILED, crash input under .build/fuzz-crash-$name-*"
    status=1
  fi
done
exit $status
