#!/usr/bin/env bash
# Builds and runs benchmarks/sgemm_libraries.c: the package's AVX-512 kernel, OpenBLAS, and
# whichever of BLIS (libblis-dev), libxsmm (libxsmm-dev) and oneDNN (libdnnl-dev) are installed,
# one thread each, at 1024³ and the network's shapes; then PyTorch's torch.mm (MKL) at the same
# shapes through benchmarks/pytorch_nn.py --sgemm when PyTorch is installed.
#   benchmarks/sgemm_libraries.sh [--runs N] [--window SECONDS] [--json]
# (--json: the C program's JSON object, then MKL's rows as a second JSON document)
# Environment: OUT (scratch folder for the binary, default a temporary one), CC (default cc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
if [ -n "${OUT:-}" ]; then out="$OUT"; else out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT; fi
cc="${CC:-cc}"

flags=(-O2 -march=x86-64 -I"$root/Sources/CNeuralKernels/include")
libs=($(pkg-config --libs openblas) -lm)
multiarch=/usr/include/x86_64-linux-gnu
if [ -f "$multiarch/blis.h" ] || [ -f /usr/include/blis/blis.h ]; then
  flags+=(-DHAVE_BLIS -I"$multiarch" -I/usr/include/blis); libs+=(-lblis)
fi
if [ -f /usr/include/libxsmm.h ]; then flags+=(-DHAVE_XSMM); libs+=($(pkg-config --libs libxsmm)); fi
if [ -f /usr/include/dnnl.h ]; then flags+=(-DHAVE_DNNL); libs+=(-ldnnl); fi

"$cc" "${flags[@]}" "$here/sgemm_libraries.c" "$root/Sources/CNeuralKernels/gemm_avx512.c" -o "$out/sgemm_libraries" "${libs[@]}"

# One thread everywhere: OpenBLAS, BLIS and oneDNN's OpenMP, MKL.
export OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$out/sgemm_libraries" "$@"
if python3 -c "import torch" 2>/dev/null; then
  python3 "$here/pytorch_nn.py" --sgemm "$@"
fi
