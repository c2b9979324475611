// no_allocation_test.cpp — stepping never touches the heap: every operator new is counted while
// 1000 steps of each integrator (Euler, RK4, implicit where the model has only hinges and slides,
// implicitfast) run on arm7, chain32 and reacher2, and on a model whose joint
// limits and dry friction are active, with each constraint solver, and on contact scenes (one
// of them a free body with a ball-jointed leg, one a pile that the broad phase prunes, one with
// capsule–box, plane–cylinder, plane–ellipsoid and sphere–cylinder contacts, the last with condim 6,
// also with elliptic cones, one with the general convex collider's pairs: cylinder–box,
// ellipsoid–cylinder, capsule–cylinder, ellipsoid–mesh, one with plane–mesh), and two scenes with adhesion
// actuators. Built and run by
// scripts/test.sh (outside SwiftPM, so that operator new can be replaced for the whole program).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <new>

#include "../src/state.hpp"
#include "scenes.hpp"

static long allocations = 0;
void* operator new(size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

// Heap allocations during 1000 steps; `active` (rows or contacts) sums `count(state)` after each step.
template <typename Count>
static long allocationsIn1000Steps(const sim::Model& model, sim::State& state, long& active, Count count) {
  const long before = allocations;
  for (int k = 0; k < 1000; ++k) {
    sim::step(model, state);
    active += count(state);
  }
  return allocations - before;
}

static const char* integratorName(int integrator) {
  static const char* names[] = {"euler", "rk4", "implicit", "implicitfast"};
  return names[integrator];
}

// Every integrator, implicit only where the model allows it (hinge and slide joints).
static const int kIntegrators[] = {SIM_INTEGRATOR_EULER, SIM_INTEGRATOR_RK4, SIM_INTEGRATOR_IMPLICIT,
                                   SIM_INTEGRATOR_IMPLICITFAST};

int main() {
  int failures = 0, checks = 0;
  for (const char* name : {"arm7", "chain32", "reacher2"}) {
    std::string xml;
    sim::builtinModelXML(name, xml);
    sim::Model model = sim::compileModel(sim::parseMJCF(xml, name));
    for (int integrator : kIntegrators) {
      if (sim::integratorUnsupported(model, integrator)) continue;
      model.spec.integrator = integrator;
      sim::State state;
      sim::makeState(model, state);
      for (int i = 0; i < model.nv; ++i) state.qpos[i] += 0.1 * i;
      long unused = 0;
      const long made = allocationsIn1000Steps(model, state, unused, [](const sim::State&) { return 0L; });
      ++checks;
      if (made != 0) ++failures;
      std::printf("%s %s: %ld heap allocations in 1000 steps\n", name, integratorName(integrator), made);
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
    for (int integrator : kIntegrators) {
      sim::ModelSpec spec = sim::parseMJCF(constrained, "limits");
      spec.solver.solver = solver;
      spec.integrator = integrator;
      sim::Model model = sim::compileModel(spec);
      sim::State state;
      sim::makeState(model, state);
      state.qvel[0] = 3;  // swings into the limits, friction rows always on
      long rows = 0;
      const long made = allocationsIn1000Steps(model, state, rows, [](const sim::State& s) { return long(s.nefc); });
      ++checks;
      if (made != 0 || rows <= 2000) ++failures;  // the limits must have been active too
      std::printf("limits+frictionloss solver %d %s: %ld heap allocations in 1000 steps (%ld rows)\n",
                  solver, integratorName(integrator), made, rows);
    }
  // tendons: a fixed tendon with spring, damper, limit and dry friction under an actuator, a
  // tendon equality, a spatial tendon through sites with a limit, and actuators with activation
  // dynamics (filter with actearly, integrator with actrange on the spatial tendon)
  const char* tendons =
      "<mujoco><compiler angle=\"radian\"/><worldbody><body><joint name=\"a\" axis=\"0 1 0\"/>"
      "<geom type=\"capsule\" fromto=\"0 0 0 0.3 0 0\" size=\"0.04\"/><site name=\"s0\" pos=\"0.1 0 0\"/>"
      "<body pos=\"0.3 0 0\"><joint name=\"b\" axis=\"0 1 0\"/><geom type=\"capsule\" fromto=\"0 0 0 0.3 0 0\" "
      "size=\"0.04\"/><site name=\"s1\" pos=\"0.2 0 0.05\"/><body pos=\"0.3 0 0\"><joint name=\"c\" axis=\"0 1 0\"/>"
      "<geom type=\"capsule\" fromto=\"0 0 0 0.3 0 0\" size=\"0.04\"/></body></body></body></worldbody>"
      "<tendon><fixed name=\"t\" stiffness=\"2\" damping=\"0.1\" frictionloss=\"0.05\" range=\"-0.2 0.2\">"
      "<joint joint=\"a\" coef=\"1\"/><joint joint=\"b\" coef=\"-0.5\"/></fixed><fixed name=\"u\"><joint "
      "joint=\"c\" coef=\"1\"/></fixed><spatial name=\"sp\" range=\"0.1 0.3\"><site site=\"s0\"/><site site=\"s1\"/>"
      "</spatial></tendon><equality><tendon tendon1=\"u\" tendon2=\"t\" polycoef=\"0 0.5\"/></equality>"
      "<actuator><motor tendon=\"t\" gear=\"2\"/><general joint=\"c\" dyntype=\"filter\" dynprm=\"0.05\" "
      "actearly=\"true\"/><general tendon=\"sp\" dyntype=\"integrator\" actlimited=\"true\" actrange=\"-1 1\"/>"
      "</actuator></mujoco>";
  for (int integrator : kIntegrators) {
    sim::ModelSpec spec = sim::parseMJCF(tendons, "tendons");
    spec.integrator = integrator;
    sim::Model model = sim::compileModel(spec);
    sim::State state;
    sim::makeState(model, state);
    state.qvel[0] = 3;
    state.ctrl[0] = 0.5;
    state.ctrl[1] = state.ctrl[2] = -0.3;
    long rows = 0;
    const long made = allocationsIn1000Steps(model, state, rows, [](const sim::State& s) { return long(s.nefc); });
    ++checks;
    if (made != 0 || rows <= 2000) ++failures;  // friction and equality rows in every step, limits too
    std::printf("tendons %s: %ld heap allocations in 1000 steps (%ld rows)\n", integratorName(integrator), made, rows);
  }
  // velocity-dependent actuators (velocity, position with kv, intvelocity, damper, affine gain, a
  // saturated one, a tendon servo), a tendon across branches, a joint limit; standalone and
  // articulated free bodies, a simple slider body (run from the repository root)
  for (const char* file : {"benchmarks/models/implicit.xml", "benchmarks/models/implicit_free.xml"}) {
    FILE* f = std::fopen(file, "rb");
    if (!f) {
      ++checks, ++failures;
      std::printf("%s: not found (run from the repository root)\n", file);
      continue;
    }
    std::string xml;
    for (int c; (c = std::fgetc(f)) != EOF;) xml += (char)c;
    std::fclose(f);
    for (int integrator : kIntegrators) {
      sim::ModelSpec spec = sim::parseMJCF(xml, file);
      spec.integrator = SIM_INTEGRATOR_EULER;
      if (sim::integratorUnsupported(sim::compileModel(spec), integrator)) continue;
      spec.integrator = integrator;
      sim::Model model = sim::compileModel(spec);
      sim::State state;
      sim::makeState(model, state);
      for (int i = 0; i < model.nv; ++i) state.qvel[i] = 1.5 * std::cos(1.0 + i);
      for (int a = 0; a < model.nu; ++a) state.ctrl[a] = 0.5 + 0.1 * a;
      long unused = 0;
      const long made = allocationsIn1000Steps(model, state, unused, [](const sim::State&) { return 0L; });
      ++checks;
      if (made != 0) ++failures;
      std::printf("%s %s: %ld heap allocations in 1000 steps\n", file, integratorName(integrator), made);
    }
  }
  // contacts: the ridge ball falling and rolling, a box landing on its corners
  // and a free body with a ball-jointed leg (quaternions, nq != nv) tumbling onto the plane,
  // held by a connect and a weld (equality rows), a pile of 12 bodies (sweep-and-prune), and the
  // new pairs again with elliptic cones (Newton, CG, then PGS)
  for (const char* scene : {"ridgeball", "box", "free", "equality", "pile", "newpairs", "convex", "planemesh", "elliptic", "elliptic-cg", "elliptic-pgs"}) {
    std::string xml;
    if (std::string(scene) == "ridgeball") sim::builtinModelXML("ridgeball", xml);
    else if (std::string(scene).rfind("newpairs", 0) == 0 || std::string(scene).rfind("elliptic", 0) == 0)  // capsule–box, plane–cylinder, plane–ellipsoid, sphere–cylinder (condim 6)
      xml = "<mujoco><worldbody><geom type=\"plane\" size=\"5 5 .1\"/><geom type=\"box\" size=\"0.3 0.2 0.1\" "
            "pos=\"0 0 0.1\"/><geom type=\"cylinder\" size=\"0.1 0.1\" pos=\"1 0 0.1\"/><body pos=\"0 0 0.4\" "
            "euler=\"10 80 0\"><freejoint/><geom type=\"capsule\" size=\"0.05 0.2\"/></body><body pos=\"-0.6 0 0.3\" "
            "euler=\"20 10 0\"><freejoint/><geom type=\"cylinder\" size=\"0.1 0.15\"/></body><body pos=\"0.6 0 0.3\" "
            "euler=\"30 0 20\"><freejoint/><geom type=\"ellipsoid\" size=\"0.1 0.15 0.2\"/></body><body "
            "pos=\"1.05 0 0.4\"><freejoint/><geom type=\"sphere\" size=\"0.05\" condim=\"6\"/></body></worldbody></mujoco>";
    else if (std::string(scene) == "pile") xml = pileXML();
    else if (std::string(scene) == "convex") xml = convexXML();  // GJK/EPA pairs, multiccd
    else if (std::string(scene) == "planemesh")  // plane–mesh: a mesh box, a tetrahedron and a prism dropped on the floor
      xml = "<mujoco><asset><mesh name=\"cube\" vertex=\"-1 -1 -1 1 -1 -1 -1 1 -1 1 1 -1 -1 -1 1 1 -1 1 -1 1 1 1 1 1\" "
            "face=\"0 2 3 0 3 1 4 5 7 4 7 6 0 1 5 0 5 4 2 6 7 2 7 3 0 4 6 0 6 2 1 3 7 1 7 5\" scale=\"0.1 0.1 0.1\"/>"
            "<mesh name=\"tet\" vertex=\"0 0 0 0.3 0 0 0 0.3 0 0 0 0.3\" face=\"0 2 1 0 1 3 0 3 2 1 2 3\"/>"
            // a 12-gon prism with fan caps (26 vertices: the deepest vertex by hill climbing)
            "<mesh name=\"prism\" vertex=\"0.1 0 -0.05 0.086603 0.05 -0.05 0.05 0.086603 -0.05 0 0.1 -0.05 -0.05 0.086603 -0.05 -0.086603 0.05 -0.05 -0.1 0 -0.05 -0.086603 -0.05 -0.05 -0.05 -0.086603 -0.05 -0 -0.1 -0.05 0.05 -0.086603 -0.05 0.086603 -0.05 -0.05 0.1 0 0.05 0.086603 0.05 0.05 0.05 0.086603 0.05 0 0.1 0.05 -0.05 0.086603 0.05 -0.086603 0.05 0.05 -0.1 0 0.05 -0.086603 -0.05 0.05 -0.05 -0.086603 0.05 -0 -0.1 0.05 0.05 -0.086603 0.05 0.086603 -0.05 0.05 0 0 -0.05 0 0 0.05\" "
            "face=\"0 1 13 0 13 12 24 1 0 25 12 13 1 2 14 1 14 13 24 2 1 25 13 14 2 3 15 2 15 14 24 3 2 25 14 15 3 4 16 3 16 15 24 4 3 25 15 16 4 5 17 4 17 16 24 5 4 25 16 17 5 6 18 5 18 17 24 6 5 25 17 18 6 7 19 6 19 18 24 7 6 25 18 19 7 8 20 7 20 19 24 8 7 25 19 20 8 9 21 8 21 20 24 9 8 25 20 21 9 10 22 9 22 21 24 10 9 25 21 22 10 11 23 10 23 22 24 11 10 25 22 23 11 0 12 11 12 23 24 0 11 25 23 12\"/></asset>"
            "<worldbody><geom type=\"plane\" size=\"5 5 .1\"/><body pos=\"0 0 0.2\" euler=\"17 11 6\"><freejoint/>"
            "<geom type=\"mesh\" mesh=\"cube\"/></body><body pos=\"1 0 0.2\" euler=\"14 -9 6\"><freejoint/>"
            "<geom type=\"mesh\" mesh=\"tet\"/></body><body pos=\"-1 0 0.2\" euler=\"8 -13 5\"><freejoint/>"
            "<geom type=\"mesh\" mesh=\"prism\"/></body></worldbody></mujoco>";
    else if (std::string(scene) == "box")
      xml = "<mujoco><worldbody><geom type=\"plane\" size=\"5 5 .1\"/><body pos=\"0 0 0.5\">"
            "<joint type=\"slide\" axis=\"1 0 0\"/><joint type=\"slide\" axis=\"0 0 1\"/>"
            "<joint axis=\"0 1 0\"/><geom type=\"box\" size=\"0.2 0.1 0.05\"/></body></worldbody></mujoco>";
    else
      xml = "<mujoco><worldbody><geom type=\"plane\" size=\"5 5 .1\"/><body name=\"top\" pos=\"0 0 0.3\">"
            "<freejoint/><geom type=\"box\" size=\"0.2 0.1 0.05\"/><body name=\"leg\" pos=\"0.2 0 0\">"
            "<joint type=\"ball\" damping=\"0.1\"/><geom type=\"capsule\" fromto=\"0 0 0 0.2 0 -0.2\" "
            "size=\"0.04\"/></body></body></worldbody></mujoco>";
    if (std::string(scene) == "equality")
      xml.replace(xml.find("</mujoco>"), 9,
                  "<equality><connect body1=\"leg\" anchor=\"0.2 0 -0.2\"/><weld body1=\"top\" body2=\"leg\" "
                  "solref=\"0.05 1\"/></equality></mujoco>");
    for (int integrator : kIntegrators) {
      sim::ModelSpec spec = sim::parseMJCF(xml, scene);
      spec.integrator = SIM_INTEGRATOR_EULER;
      if (sim::integratorUnsupported(sim::compileModel(spec), integrator)) continue;
      spec.integrator = integrator;
      spec.solver.elliptic = std::string(scene).rfind("elliptic", 0) == 0;
      if (std::string(scene) == "elliptic-cg") spec.solver.solver = SIM_SOLVER_CG;
      if (std::string(scene) == "elliptic-pgs") spec.solver.solver = SIM_SOLVER_PGS;
      sim::Model model = sim::compileModel(spec);
      sim::State state;
      sim::makeState(model, state);
      state.qpos[0] = 0.02;
      state.qvel[2] = 1;
      long contacts = 0;
      const long made = allocationsIn1000Steps(model, state, contacts, [](const sim::State& s) { return long(s.ncon); });
      ++checks;
      if (made != 0 || contacts < 100) ++failures;
      std::printf("contacts %s %s: %ld heap allocations in 1000 steps (%ld contacts)\n", scene, integratorName(integrator),
                  made, contacts);
    }
  }
  // adhesion actuators (body transmissions): a box held under a ceiling with margin and gap (its
  // contacts in and out of the gap), and a pad dragging a ball on slides and a hinge (every integrator)
  for (const char* scene : {"adhesion-ceiling", "adhesion-gripper"}) {
    const bool ceiling = std::string(scene) == "adhesion-ceiling";
    const std::string xml =
        ceiling ? "<mujoco><worldbody><geom type=\"plane\" size=\"2 2 .1\" pos=\"0 0 1\" quat=\"0 1 0 0\" "
                  "margin=\"0.01\" gap=\"0.01\"/><body name=\"box\" pos=\"0 0 0.885\"><freejoint/><geom "
                  "type=\"box\" size=\"0.1 0.1 0.1\"/></body></worldbody><actuator><adhesion body=\"box\" "
                  "ctrlrange=\"0 1\" gain=\"150\"/></actuator></mujoco>"
                : "<mujoco><worldbody><geom type=\"plane\" size=\"2 2 .1\"/><body name=\"ball\" pos=\"0 0 0.05\">"
                  "<joint type=\"slide\" axis=\"1 0 0\"/><joint type=\"slide\" axis=\"0 0 1\"/><joint axis=\"0 1 0\"/>"
                  "<geom type=\"sphere\" size=\"0.05\"/></body><body name=\"finger\" pos=\"0.07 0 0.06\"><joint "
                  "name=\"fx\" type=\"slide\" axis=\"1 0 0\" damping=\"0.5\"/><geom type=\"box\" size=\"0.02 0.04 0.04\" "
                  "margin=\"0.002\" gap=\"0.003\"/></body></worldbody><actuator><motor joint=\"fx\" gear=\"5\" "
                  "ctrlrange=\"-1 1\"/><adhesion body=\"finger\" ctrlrange=\"0 1\" gain=\"20\"/><adhesion "
                  "body=\"ball\" ctrlrange=\"0 2\" gain=\"4\" forcerange=\"0 5\"/></actuator></mujoco>";
    for (int integrator : kIntegrators) {
      sim::ModelSpec spec = sim::parseMJCF(xml, scene);
      spec.integrator = integrator;
      if (ceiling && integrator == SIM_INTEGRATOR_IMPLICIT) continue;  // a free joint
      sim::Model model = sim::compileModel(spec);
      sim::State state;
      sim::makeState(model, state);
      for (int a = 0; a < model.nu; ++a) state.ctrl[a] = 1;
      long contacts = 0;
      const long made = allocationsIn1000Steps(model, state, contacts,
                                               [](const sim::State& s) { return long(s.ncon + s.ngap); });
      ++checks;
      if (made != 0 || contacts < 100 || model.nBodyActuators == 0) ++failures;
      std::printf("contacts %s %s: %ld heap allocations in 1000 steps (%ld contacts)\n", scene,
                  integratorName(integrator), made, contacts);
    }
  }
  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
