#!/usr/bin/env bash
# Fuzzing (issue 18): mutates the committed recipe, training configuration, a trained model's
# safetensors, a dataset's .npz and the reacher2 MJCF, runs the release `ebm` on each, and fails on
# any crash (signal) or hang (timeout). Findings are kept under out/fuzz/TARGET/ with their command.
# Usage: scripts/fuzz.sh SECONDS [fuzz.py options]   (SECONDS per target; CI smoke: 60)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/fuzz.sh SECONDS [--seed N] [--targets safetensors,npz,recipe,config,mjcf]" >&2; exit 2; }
exec nice -n 10 python3 scripts/fuzz.py "$@"
