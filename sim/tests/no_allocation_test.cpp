// no_allocation_test.cpp — stepping never touches the heap: every operator new is counted while
// 1000 steps of each integrator run on arm7, chain32 and reacher2, and on a model whose joint
// limits and dry friction are active, with each constraint solver, and on contact scenes. Built and run by
// scripts/test.sh (outside SwiftPM, so that operator new can be replaced for the whole program).
#include <cstdio>
#include <cstdlib>
#include <string>
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
  // joint limits and dry friction, active in every step, with each constraint solver
  const char* constrained =
      "<mujoco><compiler angle=\"radian\"/><worldbody><body><joint axis=\"0 1 0\" "
      "frictionloss=\"0.5\" range=\"-0.3 0.3\" margin=\"0.01\"/><geom type=\"capsule\" "
      "fromto=\"0 0 0 0.3 0 0\" size=\"0.04\"/><body pos=\"0.3 0 0\"><joint axis=\"0 1 0\" "
      "frictionloss=\"0.2\" range=\"-0.2 0.2\"/><geom type=\"capsule\" fromto=\"0 0 0 0.3 0 0\" "
      "size=\"0.04\"/></body></body></worldbody></mujoco>";
  for (int solver : {SIM_SOLVER_PGS, SIM_SOLVER_CG, SIM_SOLVER_NEWTON})
    for (int integrator : {SIM_INTEGRATOR_EULER, SIM_INTEGRATOR_RK4}) {
      sim::ModelSpec spec = sim::parseMJCF(constrained, "limits");
      spec.solver.solver = solver;
      spec.integrator = integrator;
      sim::Model model = sim::compileModel(spec);
      sim::State state;
      sim::makeState(model, state);
      state.qvel[0] = 3;  // swings into the limits, friction rows always on
      long rows = 0;
      const long before = allocations;
      for (int k = 0; k < 1000; ++k) {
        sim::step(model, state);
        rows += state.nefc;
      }
      const long made = allocations - before;
      ++checks;
      if (made != 0 || rows <= 2000) ++failures;  // the limits must have been active too
      std::printf("limits+frictionloss solver %d %s: %ld heap allocations in 1000 steps (%ld rows)\n",
                  solver, integrator == SIM_INTEGRATOR_RK4 ? "rk4" : "euler", made, rows);
    }
  // contacts: the ridge ball falling and rolling, a box landing on its corners
  for (const char* scene : {"ridgeball", "box"}) {
    std::string xml;
    if (std::string(scene) == "ridgeball") sim::builtinModelXML("ridgeball", xml);
    else
      xml = "<mujoco><worldbody><geom type=\"plane\" size=\"5 5 .1\"/><body pos=\"0 0 0.5\">"
            "<joint type=\"slide\" axis=\"1 0 0\"/><joint type=\"slide\" axis=\"0 0 1\"/>"
            "<joint axis=\"0 1 0\"/><geom type=\"box\" size=\"0.2 0.1 0.05\"/></body></worldbody></mujoco>";
    for (int integrator : {SIM_INTEGRATOR_EULER, SIM_INTEGRATOR_RK4}) {
      sim::ModelSpec spec = sim::parseMJCF(xml, scene);
      spec.integrator = integrator;
      sim::Model model = sim::compileModel(spec);
      sim::State state;
      sim::makeState(model, state);
      state.qpos[0] = 0.02;
      state.qvel[2] = 1;
      long contacts = 0;
      const long before = allocations;
      for (int k = 0; k < 1000; ++k) {
        sim::step(model, state);
        contacts += state.ncon;
      }
      const long made = allocations - before;
      ++checks;
      if (made != 0 || contacts < 100) ++failures;
      std::printf("contacts %s %s: %ld heap allocations in 1000 steps (%ld contacts)\n", scene,
                  integrator == SIM_INTEGRATOR_RK4 ? "rk4" : "euler", made, contacts);
    }
  }
  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
