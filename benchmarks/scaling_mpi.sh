#!/usr/bin/env bash
# Data-parallel training speed of the default model (reacher2-goals4, DSM, batch 256): steps/s of
# one process (plain, and --micro-batches 2), of 1 and 2 MPI ranks, and the per-step time against
# rows per rank (1 rank, batch B); then the gradient reduction alone (benchmarks/mpi_reduction.c).
#   bash benchmarks/scaling_mpi.sh [STEPS]     (needs trajectories/generated/reacher2-goals4)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200}
ebm=${EBM:-.build/release/ebm}
data=${DATA:-trajectories/generated/reacher2-goals4}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mpi=(mpirun --oversubscribe --allow-run-as-root)
config() {  # config BATCH -> a copy of the default configuration with STEPS steps, no checkpoints
  python3 -c "
import json, sys; c = json.load(open('trajectories/reacher2-goals4.train.json'))
c['optimization']['steps'] = $steps; c['optimization']['batchSize'] = $1; c['checkpointEvery'] = 0; c['logEvery'] = $steps
json.dump(c, open('$scratch/b$1.json', 'w'))"
  echo "$scratch/b$1.json"
}
rate() { sed -n 's/.*(\([0-9.]*\) s, \([0-9.]*\) it\/s).*/\2/p'; }
c=$(config 256)
echo "lscpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "plain, 1 process:         $($ebm train --data $data --config $c --out $scratch/p --quiet | rate) it/s"
echo "--micro-batches 2:        $($ebm train --data $data --config $c --out $scratch/m2 --quiet --micro-batches 2 | rate) it/s"
echo "mpirun -np 1:             $("${mpi[@]}" -np 1 $ebm train --data $data --config $c --out $scratch/r1 --quiet | rate) it/s"
out=$("${mpi[@]}" -np 2 $ebm train --data $data --config $c --out $scratch/r2 --quiet)
echo "mpirun -np 2:             $(echo "$out" | rate) it/s; $(echo "$out" | grep 'rank 0')"
for b in 128 32 8 2; do
  echo "1 rank, $b rows per step: $("${mpi[@]}" -np 1 $ebm train --data $data --config $(config $b) --out $scratch/b$b --quiet | rate) it/s"
done
mpicc -O2 benchmarks/mpi_reduction.c -o $scratch/mpi_reduction
for n in 1 2; do "${mpi[@]}" -np $n $scratch/mpi_reduction 145665 300; done
