#!/usr/bin/env bash
# Kill test (issue 18): kills `ebm generate` and `ebm train` with SIGKILL at random moments and checks
#  - a dataset folder is only ever visible whole: absent, or byte-identical to one complete
#    generation (two recipes alternate over the same --out, so a mix of old and new files is caught);
#  - a run folder never holds a model.safetensors before training finished, and a training killed
#    again and again, then resumed to the end, is byte-identical to an uninterrupted one:
#    model.safetensors, config.json and metrics.jsonl;
#  - no temporary or partial files are left beside them once a command completes.
# Usage: scripts/kill-test.sh [KILLS]   (KILLS per command, default 50; needs a release build of ebm)
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-50}
ebm=${EBM:-$(swift build -c release --show-bin-path)/ebm}
[ -x "$ebm" ] || { echo "kill-test: no ebm binary at $ebm (swift build -c release --product ebm)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "kill-test FAILED: $*" >&2; exit 1; }
# a random delay in [min, max) seconds, both in milliseconds
pause() { sleep "$(awk -v r=$RANDOM -v lo="$1" -v hi="$2" 'BEGIN { printf "%.3f", (lo + r / 32768 * (hi - lo)) / 1000 }')"; }
# runs a command in the background, kills it with SIGKILL after a random delay in [min, max) ms;
# prints "killed", "finished" or "failed"
kill_at_random() {
  local min=$1 max=$2; shift 2
  "$@" >/dev/null 2>&1 & local pid=$!
  pause "$min" "$max"
  if kill -9 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; echo killed; else wait "$pid" && echo finished || echo failed; fi
}
# byte-identical, except the wall-clock fields of metrics lines (wall_s, time: when, not what)
same() {
  cmp -s <(sed -E 's/,"wall_s":[0-9.]+,"time":[0-9.]+//' "$1") <(sed -E 's/,"wall_s":[0-9.]+,"time":[0-9.]+//' "$2")
}
digest() { (cd "$1" && sha256sum meta.json test.npz train.npz 2>/dev/null | sha256sum | cut -c1-16); }

# --- generate ---------------------------------------------------------------------------------
# more episodes than the tiny recipe, so that writing the files takes a visible share of a run
sed 's/"train": 10, "test": 5/"train": 400, "test": 200/' trajectories/reacher2-tiny.json > "$work/a.json"
sed 's/"seed": 20250301/"seed": 7/' "$work/a.json" > "$work/b.json"
for r in a b; do "$ebm" generate "$work/$r.json" --quiet --out "$work/ref-$r" >/dev/null; done
ref_a=$(digest "$work/ref-a"); ref_b=$(digest "$work/ref-b")
[ "$ref_a" != "$ref_b" ] || fail "the two recipes give the same dataset"
start=$(date +%s%N); "$ebm" generate "$work/a.json" --quiet --out "$work/timing" >/dev/null; end=$(date +%s%N)
gen_ms=$(( (end - start) / 1000000 ))
killed=0; finished=0; swapped=0; i=0
while [ "$killed" -lt "$kills" ]; do
  i=$((i + 1))
  r=$([ $((i % 2)) -eq 0 ] && echo a || echo b)
  before=$([ -e "$work/ds" ] && digest "$work/ds" || echo none)
  # half the kills anywhere in a run, half around its end, where the files are written and renamed
  if [ $((i % 4)) -lt 2 ]; then lo=0; hi=$gen_ms; else lo=$((gen_ms * 7 / 10)); hi=$((gen_ms * 14 / 10)); fi
  outcome=$(kill_at_random "$lo" "$hi" "$ebm" generate "$work/$r.json" --quiet --out "$work/ds")
  [ "$outcome" = failed ] && fail "generate failed without a kill (iteration $i)"
  [ "$outcome" = killed ] && killed=$((killed + 1)) || finished=$((finished + 1))
  if [ -e "$work/ds" ]; then
    d=$(digest "$work/ds")
    [ "$d" = "$ref_a" ] || [ "$d" = "$ref_b" ] || fail "dataset folder visible half-written after kill $i: $(ls -la "$work/ds")"
    "$ebm" dataset info "$work/ds" >/dev/null || fail "dataset info refuses the folder after kill $i"
    [ "$outcome" = killed ] && [ "$d" != "$before" ] && swapped=$((swapped + 1))
  fi
done
"$ebm" generate "$work/a.json" --quiet --out "$work/ds" >/dev/null
[ "$(digest "$work/ds")" = "$ref_a" ] || fail "a completed generate differs from the reference"
leftovers=$(ls -A "$work" | grep -c '^\.ds\.partial-' || true)
[ "$leftovers" -eq 0 ] || fail "$leftovers partial folders left after a completed generate"
echo "kill-test generate: $i runs, $killed killed at random moments ($swapped of them after the new dataset replaced the old), $finished finished; the folder was always absent or whole"

# --- train ------------------------------------------------------------------------------------
python3 - "$work/train.json" <<'EOF'
import json, sys
c = json.load(open("trajectories/reacher2-tiny.train.json"))
c["optimization"]["steps"] = 120
c["checkpointEvery"], c["logEvery"] = 10, 7   # checkpoints inside logging intervals
json.dump(c, open(sys.argv[1], "w"))
EOF
"$ebm" train --data "$work/ref-a" --config "$work/train.json" --out "$work/ref-run" --quiet >/dev/null
start=$(date +%s%N); "$ebm" train --data "$work/ref-a" --config "$work/train.json" --out "$work/timing-run" --quiet >/dev/null; end=$(date +%s%N)
train_ms=$(( (end - start) / 1000000 ))
killed=0; i=0
while [ "$killed" -lt "$kills" ]; do
  i=$((i + 1))
  outcome=$(kill_at_random 0 "$train_ms" "$ebm" train --data "$work/ref-a" --config "$work/train.json" --out "$work/run" --quiet)
  [ "$outcome" = failed ] && fail "train failed without a kill (run $i)"
  if [ "$outcome" = finished ]; then
    # finished: compare, then start over so that every kill lands in an unfinished run
    for f in model.safetensors config.json metrics.jsonl; do
      same "$work/ref-run/$f" "$work/run/$f" || fail "resumed run differs from the uninterrupted one in $f (after $killed kills)"
    done
    ls -A "$work/run" "$work/run/checkpoints" | grep -q '\.tmp-' && fail "temporary files left in a finished run"
    rm -rf "$work/run"
    continue
  fi
  killed=$((killed + 1))
  if [ -e "$work/run/model.safetensors" ] && [ ! -e "$work/run/checkpoints/step-00000120.state.safetensors" ]; then
    fail "model.safetensors visible in an unfinished run after kill $killed"
  fi
done
"$ebm" train --data "$work/ref-a" --config "$work/train.json" --out "$work/run" --quiet >/dev/null
for f in model.safetensors config.json metrics.jsonl; do
  same "$work/ref-run/$f" "$work/run/$f" || fail "resumed run differs from the uninterrupted one in $f"
done
echo "kill-test train: $kills kills at random moments over $i runs; every resumed run ended byte-identical (model, config, metrics but their wall-clock fields)"
