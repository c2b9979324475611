#!/usr/bin/env bash
# Builds the simulator and its bridge test with AddressSanitizer + UndefinedBehaviorSanitizer
# (leak checking included) and runs it (~2 min; scripts/test.sh runs it in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build
clang++ -std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  sim/tests/bridge_test.cpp sim/src/*.cpp -Isim/include $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread \
  -o .build/bridge_test_sanitized
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 .build/bridge_test_sanitized
