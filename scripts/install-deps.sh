#!/usr/bin/env bash
# Installs what EnergyDynamics needs on a Debian machine, only when it is missing:
# system libraries through apt, and the Python packages the cross-checks use through pip.
set -euo pipefail

# libopenmpi-dev + openmpi-bin: optional at build time (pkg-config ompi-c); `mpirun -np N ebm train`
# libdnnl-dev: optional, loaded at run time (oneDNN's sgemm: EBM_GEMM=onednn, ebm bench nn --gemm onednn);
# libblis-dev, libxsmm-dev: only for the side-by-side benchmarks/sgemm_libraries.sh
packages=(pkg-config libeigen3-dev libpugixml-dev liburdfdom-dev libopenblas-dev libglfw3-dev libgl-dev libgl1-mesa-dri libpng-dev libfreetype-dev fonts-dejavu-core xvfb xauth libopenmpi-dev openmpi-bin libdnnl-dev libblis-dev libxsmm-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# numpy loads our .npy/.npz; mujoco is the reference simulator for the parity tests and benchmarks;
# the Python package (python/) and its tests use pytest, torch + safetensors (models in PyTorch),
# minari + h5py (dataset export), tensorboard (event files) and matplotlib (benchmarks/figures.py).
if command -v python3 >/dev/null; then
  for module in numpy mujoco setuptools pytest safetensors torch minari h5py tensorboard matplotlib; do
    python3 -c "import $module" 2>/dev/null || python3 -m pip install -q "$module" 2>&1 | grep -v "WARNING: Running pip as" || true
  done
fi

if ! command -v swift >/dev/null; then
  for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [ -x "$candidate/swift" ] && echo "swift is at $candidate: add it to PATH" && exit 1
  done
  echo "swift is not installed: see https://www.swift.org/install/linux/" >&2
  exit 1
fi
