// collide_timing.cpp — the collision stage alone (sim::collide: poses, pairs, narrow phase) on an
// MJCF file after N steps from its initial state: the median over R runs of the mean time of
// 20,000 calls, and the contacts it finds. Built against sim/src like the tests:
//   c++ -std=c++17 -O2 -DNDEBUG benchmarks/collide_timing.cpp sim/src/*.cpp -Isim/include \
//     $(pkg-config --cflags --libs eigen3 pugixml urdfdom) -lpthread -o /tmp/collide_timing
//   /tmp/collide_timing benchmarks/models/convex.xml [steps 300] [runs 7]
// MuJoCo's side (mj_collision, same file and steps) is in benchmarks/README.md's convex section.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "../sim/src/state.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s model.xml [steps] [runs]\n", argv[0]);
    return 2;
  }
  const int steps = argc > 2 ? std::atoi(argv[2]) : 300, runs = argc > 3 ? std::atoi(argv[3]) : 7;
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  sim::ModelSpec spec = sim::parseMJCF(text.str(), argv[1], argv[1]);
  sim::Model model = sim::compileModel(spec);
  sim::State state;
  sim::makeState(model, state);
  for (int t = 0; t < steps; ++t) sim::step(model, state);
  sim::kinematics(model, state);
  const int calls = 20000;
  std::vector<double> us;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < calls; ++k) sim::collide(model, state);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / calls);
  }
  std::sort(us.begin(), us.end());
  std::printf("%s after %d steps: %zu pairs, %d contacts; collide %.2f us (median of %d; min %.2f, max %.2f)\n", argv[1],
              steps, model.pairs.size(), state.ncon, us[us.size() / 2], runs, us.front(), us.back());
  return 0;
}
