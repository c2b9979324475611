// no_allocation_test.cpp — stepping never touches the heap: every operator new is counted while
// 1000 steps of each integrator run on arm7, chain32 and reacher2. Built and run by
// scripts/test.sh (outside SwiftPM, so that operator new can be replaced for the whole program).
#include <cstdio>
#include <cstdlib>
#include <new>

#include "../src/state.hpp"

static long allocations = 0;
void* operator new(size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

int main() {
  int failures = 0, checks = 0;
  for (const char* name : {"arm7", "chain32", "reacher2"}) {
    std::string xml;
    sim::builtinModelXML(name, xml);
    sim::Model model = sim::compileModel(sim::parseMJCF(xml, name));
    for (int integrator : {SIM_INTEGRATOR_EULER, SIM_INTEGRATOR_RK4}) {
      model.spec.integrator = integrator;
      sim::State state;
      sim::makeState(model, state);
      for (int i = 0; i < model.nv; ++i) state.qpos[i] += 0.1 * i;
      const long before = allocations;
      for (int k = 0; k < 1000; ++k) sim::step(model, state);
      const long made = allocations - before;
      ++checks;
      if (made != 0) ++failures;
      std::printf("%s %s: %ld heap allocations in 1000 steps\n", name,
                  integrator == SIM_INTEGRATOR_RK4 ? "rk4" : "euler", made);
    }
  }
  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
