#!/usr/bin/env bash
# Builds the simulator, its bridge test, its URDF-import test and its implicit-integrator test with AddressSanitizer +
# UndefinedBehaviorSanitizer (leak checking included) and runs them (~3 min; scripts/test.sh runs
# it in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build/sanitized
flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
cflags=$(pkg-config --cflags eigen3 pugixml urdfdom)
libs=$(pkg-config --libs eigen3 pugixml urdfdom)
(cd .build/sanitized && rm -f ./*.o && clang++ "${flags[@]}" -c ../../sim/src/*.cpp -I../../sim/include $cflags)
for t in bridge_test urdf_test implicit_test; do
  clang++ "${flags[@]}" sim/tests/$t.cpp .build/sanitized/*.o -Isim/include $cflags $libs -lpthread \
    -o .build/${t}_sanitized
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 .build/${t}_sanitized
done
