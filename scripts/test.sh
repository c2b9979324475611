#!/usr/bin/env bash
# The test command: installs what is missing, checks generated sources, runs every test target.
# Tests run on a release build (-enable-testing keeps @testable imports working): the simulator's
# Eigen code is ~50x slower unoptimised.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/embed-robots.sh --check
# C++-level check outside SwiftPM: stepping never allocates
mkdir -p .build
c++ -std=c++17 -O2 -DNDEBUG sim/tests/no_allocation_test.cpp sim/src/*.cpp -Isim/include \
  $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o .build/no_allocation_test
# C++-level check of the constraint solver: limits and dry friction against closed forms
c++ -std=c++17 -O2 -DNDEBUG sim/tests/constraint_test.cpp sim/src/*.cpp -Isim/include \
  $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o .build/constraint_test
# C++-level check of URDF import: a small arm, hostile files (cycles, missing parents, duplicate names, missing files), fuzzing
c++ -std=c++17 -O2 -DNDEBUG sim/tests/urdf_test.cpp sim/src/*.cpp -Isim/include \
  $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o .build/urdf_test
# C++-level check of tendons and springdamper joints: closed forms, bad input
c++ -std=c++17 -O2 -DNDEBUG sim/tests/tendon_test.cpp sim/src/*.cpp -Isim/include \
  $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o .build/tendon_test
# C++-level check of the implicit integrators and velocity actuators against MuJoCo's trajectories
c++ -std=c++17 -O2 -DNDEBUG sim/tests/implicit_test.cpp sim/src/*.cpp -Isim/include \
  $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o .build/implicit_test
# C++-level check of the convex collider (GJK/EPA): closed forms, an oracle, MuJoCo's contacts, degenerate geoms
c++ -std=c++17 -O2 -DNDEBUG sim/tests/convex_test.cpp sim/src/*.cpp -Isim/include \
  $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o .build/convex_test
# C++-level check of the inverse-dynamics vector–Jacobian product against central differences
c++ -std=c++17 -O2 -DNDEBUG sim/tests/rnea_derivatives_test.cpp sim/src/*.cpp -Isim/include \
  $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o .build/rnea_derivatives_test
# C++-level check of adhesion actuators (body transmission) against MuJoCo's moments, forces, trajectories
c++ -std=c++17 -O2 -DNDEBUG sim/tests/adhesion_test.cpp sim/src/*.cpp -Isim/include \
  $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o .build/adhesion_test
.build/urdf_test
.build/convex_test
.build/rnea_derivatives_test
.build/constraint_test
.build/tendon_test
.build/implicit_test
.build/adhesion_test
.build/no_allocation_test
swift build -c release -Xswiftc -enable-testing --build-tests
# the viewer's screenshot tests need a display: use a virtual one (Xvfb) when there is none
xvfb=""; [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null && xvfb="xvfb-run -a"
$xvfb swift test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing 2>&1 | tee .build/test.log
# the examples, the first users of the public API: each runs and prints the JSON it promises
bin=$(swift build -c release --show-bin-path)
"$bin/example-plan" | tee .build/example-plan.json
grep -q '"success": true' .build/example-plan.json && grep -q '"final_distance": ' .build/example-plan.json
"$bin/example-rollout" > .build/example-rollout.json
grep -q '"final_sites"' .build/example-rollout.json
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$bin/ebm" generate reacher2-tiny --recipes trajectories --out "$scratch/data" >/dev/null
"$bin/ebm" train --data "$scratch/data" --config trajectories/reacher2-tiny.train.json --out "$scratch/run" --quiet >/dev/null
"$bin/example-futures" "$scratch/run" "$scratch/data" > .build/example-futures.json
grep -q '"futures"' .build/example-futures.json
echo "examples: example-plan, example-rollout and example-futures ran"
# the Python package: compiles sim/src into python/energydynamics (clang++, ~1.5 min on 2 cores), then its
# tests check it against this build's ebm (same numbers), MuJoCo, PyTorch, Minari and TensorBoard
python3 -m pip install -q --no-build-isolation ./python
EBM="$bin/ebm" python3 -m pytest -q -p no:cacheprovider python/tests 2>&1 | tee .build/pytest.log
# hardening (issue 18): kill test, fuzzing smoke (crashes and hangs fail), the bridge under ASan + UBSan
EBM="$bin/ebm" bash scripts/kill-test.sh 10
EBM="$bin/ebm" bash scripts/fuzz.sh 15 --out .build/fuzz
bash scripts/sanitize.sh
# one plain closing line for CI: the XCTest totals
grep -E "^\s*Executed [0-9]+ tests?, with [0-9]+ failures?" .build/test.log | tail -1 |
  sed -E 's/.*Executed ([0-9]+) tests?, with ([0-9]+) failures?.*/echo "XCTest: $((\1 - \2)) passed, \2 failed"/' | bash
echo "pytest: $(tail -1 .build/pytest.log)"

