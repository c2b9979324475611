// implicit_test.cpp — MuJoCo's implicit and implicitfast integrators and the velocity-dependent
// actuators (velocity, position with kv, intvelocity, damper, affine gain): trajectories against
// MuJoCo's (sim/tests/implicit_reference.inc, written by benchmarks/implicit_vs_mujoco.py from
// benchmarks/models/implicit*.xml), closed forms, and bad input; through the C bridge. Built and
// run by scripts/test.sh from the repository root (plain C++, no Swift build needed).
//
// Closed forms (a slider of mass m, no gravity, step h, from velocity v0):
// - velocity servo kv (force −kv·q̇), implicitfast: (m + h kv) q̈ = −kv q̇, so
//   v_n = v0 (m/(m + h kv))^n; Euler takes it explicitly: v_n = v0 (1 − h kv/m)^n.
// - damper kv at control c (force −kv·c·q̇): the same with kv·c (c clamped to ctrlrange ≥ 0).
// - joint damping alone: implicitfast's M − h·qDeriv is Euler's M + h·diag(damping), so the two
//   trajectories agree to rounding, and implicit (adding −h·∂c/∂q̇) differs on a swinging arm.
// - intvelocity under a constant control c from act 0: act_n = clamp(n h c, actrange).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "energysim.h"

#include "check.hpp"
#include "implicit_reference.inc"

static simModel* load(const std::string& xml, int32_t expect = SIM_OK, std::string* message = nullptr) {
  char msg[4096] = "";
  simModel* m = nullptr;
  const int32_t st = sim_loadModelString(xml.c_str(), "test", &m, msg, sizeof msg);
  CHECK(st == expect, "status %d (expected %d): %s", st, expect, msg);
  if (message) *message = msg;
  return m;
}

static simModel* withIntegrator(const simModel* m, int integrator) {
  simOptions o;
  sim_modelOptions(m, &o);
  o.integrator = integrator;
  simModel* copy = nullptr;
  char msg[1024] = "";
  const int32_t st = sim_copyModelWithOptions(m, &o, &copy, msg, sizeof msg);
  CHECK(st == SIM_OK, "copy with integrator %d: %s", integrator, msg);
  return copy;
}

// Steps n times from (q0, v0) under ctrl; returns qpos and qvel (and act when not null).
static void run(const simModel* m, const double* q0, const double* v0, const double* ctrl, int n,
                double* q, double* v, double* act = nullptr) {
  simState* s = nullptr;
  sim_makeState(m, &s);
  CHECK(sim_setState(m, s, q0, v0, ctrl) == SIM_OK, "setState");
  for (int k = 0; k < n; ++k) CHECK(sim_step(m, s) == SIM_OK, "step %d", k);
  sim_getState(m, s, q, v, nullptr, nullptr, nullptr);
  if (act) sim_getActivation(m, s, act);
  sim_deleteState(s);
}

// MuJoCo's trajectories: every reference start, qpos every kRefEvery steps, ≤ 1e-9.
static void againstMuJoCo() {
  double worst[4] = {0, 0, 0, 0};
  for (const ImplicitReference& r : kImplicitReference) {
    simModel* file = nullptr;
    char msg[4096] = "";
    if (sim_loadModelFile(r.file, &file, msg, sizeof msg) != SIM_OK) {
      CHECK(false, "%s: %s (run from the repository root)", r.file, msg);
      continue;
    }
    simModel* m = withIntegrator(file, r.integrator);
    simSizes z;
    sim_modelSizes(m, &z);
    CHECK(z.nq == r.nq && z.nv == r.nv && z.nu == r.nu, "%s sizes", r.file);
    simState* s = nullptr;
    sim_makeState(m, &s);
    CHECK(sim_setState(m, s, r.q0, r.v0, r.ctrl) == SIM_OK, "setState");
    std::vector<double> q(r.nq);
    double err = 0;
    for (int snap = 0; snap < kRefSnaps; ++snap) {
      for (int k = 0; k < kRefEvery; ++k) CHECK(sim_step(m, s) == SIM_OK, "step");
      sim_getState(m, s, q.data(), nullptr, nullptr, nullptr, nullptr);
      for (int i = 0; i < r.nq; ++i) err = std::max(err, std::abs(q[i] - r.qpos[snap][i]));
    }
    CHECK(err <= 1e-9, "%s integrator %d: max |qpos − MuJoCo| %.3g over %d steps", r.file, r.integrator,
          err, kRefSnaps * kRefEvery);
    worst[r.integrator] = std::max(worst[r.integrator], err);
    sim_deleteState(s);
    sim_deleteModel(m);
    sim_deleteModel(file);
  }
  std::printf("vs MuJoCo %zu starts, 500 steps: max |dqpos| implicit %.2e, implicitfast %.2e\n",
              sizeof kImplicitReference / sizeof kImplicitReference[0], worst[2], worst[3]);
}

static std::string slider(const std::string& option, const std::string& joint, const std::string& actuator) {
  return "<mujoco><option timestep=\"0.01\" gravity=\"0 0 0\" " + option +
         "/><worldbody><body><joint name=\"x\" type=\"slide\" axis=\"1 0 0\" " + joint +
         "/><inertial pos=\"0 0 0\" mass=\"2\" diaginertia=\"1 1 1\"/></body></worldbody><actuator>" +
         actuator + "</actuator></mujoco>";
}

static void closedForms() {
  const double m = 2, h = 0.01, kv = 30, v0 = 1.5, q0 = 0;
  const int n = 200;
  double q, v;
  // velocity servo: implicit vs explicit decay
  {
    simModel* fast = load(slider("integrator=\"implicitfast\"", "", "<velocity joint=\"x\" kv=\"30\"/>"));
    const double zero = 0;
    run(fast, &q0, &v0, &zero, n, &q, &v);
    const double expect = v0 * std::pow(m / (m + h * kv), n);
    CHECK(std::abs(v - expect) <= 1e-14, "implicitfast velocity servo: v %.17g, closed form %.17g", v, expect);
    simModel* euler = withIntegrator(fast, SIM_INTEGRATOR_EULER);
    run(euler, &q0, &v0, &zero, n, &q, &v);
    const double explicitV = v0 * std::pow(1 - h * kv / m, n);
    CHECK(std::abs(v - explicitV) <= 1e-14, "Euler velocity servo: v %.17g, closed form %.17g", v, explicitV);
    // implicit (no Coriolis term on one slider) is the same as implicitfast
    simModel* full = withIntegrator(fast, SIM_INTEGRATOR_IMPLICIT);
    run(full, &q0, &v0, &zero, n, &q, &v);
    CHECK(std::abs(v - expect) <= 1e-14, "implicit velocity servo: v %.17g, closed form %.17g", v, expect);
    for (simModel* x : {fast, euler, full}) sim_deleteModel(x);
  }
  // damper at control c (and clamped to its ctrlrange)
  for (double c : {0.5, 3.0}) {
    simModel* d = load(slider("integrator=\"implicitfast\"", "", "<damper joint=\"x\" kv=\"30\" ctrlrange=\"0 2\"/>"));
    run(d, &q0, &v0, &c, n, &q, &v);
    const double k = kv * std::min(c, 2.0), expect = v0 * std::pow(m / (m + h * k), n);
    CHECK(std::abs(v - expect) <= 1e-14, "damper c %g: v %.17g, closed form %.17g", c, v, expect);
    sim_deleteModel(d);
  }
  // a saturated actuator (forcerange) is taken explicitly: constant force −0.5 while |kv q̇| > 0.5
  {
    simModel* sat = load(slider("integrator=\"implicitfast\"", "",
                                "<velocity joint=\"x\" kv=\"30\" forcelimited=\"true\" forcerange=\"-0.5 0.5\"/>"));
    const double zero = 0;
    run(sat, &q0, &v0, &zero, 10, &q, &v);
    CHECK(std::abs(v - (v0 - 10 * h * 0.5 / m)) <= 1e-14, "saturated servo: v %.17g", v);
    sim_deleteModel(sat);
  }
  // joint damping only: implicitfast = Euler (to rounding); implicit differs on a swinging arm
  {
    const std::string arm =
        "<mujoco><option timestep=\"0.005\" integrator=\"implicitfast\"/><worldbody><body pos=\"0 0 1\">"
        "<joint axis=\"0 1 0\" damping=\"0.5\"/><geom type=\"capsule\" fromto=\"0 0 0 0.3 0 0\" size=\"0.03\"/>"
        "<body pos=\"0.3 0 0\"><joint axis=\"0 1 0\" damping=\"0.2\"/><geom type=\"capsule\" "
        "fromto=\"0 0 0 0.3 0 0\" size=\"0.03\"/><body pos=\"0.3 0 0\"><joint axis=\"1 0 0\" damping=\"0.1\"/>"
        "<geom type=\"box\" size=\"0.05 0.1 0.02\" pos=\"0.05 0 0\"/></body></body></body></worldbody></mujoco>";
    simModel* fast = load(arm);
    simModel* euler = withIntegrator(fast, SIM_INTEGRATOR_EULER);
    simModel* full = withIntegrator(fast, SIM_INTEGRATOR_IMPLICIT);
    const double qa[3] = {0.3, -0.5, 0.2}, va[3] = {1, -2, 3};
    double q1[3], v1[3], q2[3], v2[3], q3[3], v3[3];
    run(fast, qa, va, nullptr, 400, q1, v1);
    run(euler, qa, va, nullptr, 400, q2, v2);
    run(full, qa, va, nullptr, 400, q3, v3);
    double dEuler = 0, dFull = 0;
    for (int i = 0; i < 3; ++i) {
      dEuler = std::max(dEuler, std::abs(q1[i] - q2[i]));
      dFull = std::max(dFull, std::abs(q1[i] - q3[i]));
    }
    CHECK(dEuler <= 1e-12, "damping only: implicitfast vs Euler max |dqpos| %.3g", dEuler);
    CHECK(dFull > 1e-6, "implicit (Coriolis derivative) should differ from implicitfast: %.3g", dFull);
    for (simModel* x : {fast, euler, full}) sim_deleteModel(x);
  }
  // intvelocity: the activation integrates the control up to its actrange; inheritrange gives
  // actrange from the joint's range
  {
    simModel* iv = load(slider("integrator=\"implicitfast\"", "range=\"-1 3\"",
                               "<intvelocity joint=\"x\" kp=\"10\" actrange=\"-0.5 0.5\"/>"
                               "<intvelocity joint=\"x\" kp=\"10\" inheritrange=\"0.5\"/>"));
    simSizes z;
    sim_modelSizes(iv, &z);
    CHECK(z.na == 2, "intvelocity has an activation each: na %lld", (long long)z.na);
    const double zero = 0, ctrl[2] = {2, 4};
    double act[2];
    run(iv, &q0, &zero, ctrl, 10, &q, &v, act);
    CHECK(std::abs(act[0] - 10 * h * 2) <= 1e-15, "intvelocity act %.17g (expected %.17g)", act[0], 10 * h * 2);
    run(iv, &q0, &zero, ctrl, 100, &q, &v, act);
    CHECK(act[0] == 0.5, "intvelocity act clamped to actrange: %.17g", act[0]);
    CHECK(act[1] == 2, "intvelocity inheritrange 0.5 of [-1, 3]: act clamped to 2, got %.17g", act[1]);
    sim_deleteModel(iv);
  }
}

static void badInput() {
  std::string msg;
  // implicit needs hinge and slide joints; neither implicit integrator takes a fluid medium yet
  sim_deleteModel(load("<mujoco><option integrator=\"implicit\"/><worldbody><body><freejoint/>"
                       "<geom size=\"0.1\"/></body></worldbody></mujoco>",
                       SIM_ERR_MODEL, &msg));
  CHECK(msg.find("implicit") != std::string::npos && msg.find("free") != std::string::npos, "%s", msg.c_str());
  sim_deleteModel(load("<mujoco><option integrator=\"implicitfast\" density=\"1.2\"/><worldbody><body>"
                       "<joint/><geom size=\"0.1\"/></body></worldbody></mujoco>",
                       SIM_ERR_MODEL, &msg));
  CHECK(msg.find("fluid") != std::string::npos, "%s", msg.c_str());
  sim_deleteModel(load("<mujoco><option integrator=\"implicit2\"/></mujoco>", SIM_ERR_PARSE, &msg));
  // an unknown integrator code, and implicit on a floating model, through the bridge
  simModel* free = load("<mujoco><worldbody><body><freejoint/><geom size=\"0.1\"/></body></worldbody></mujoco>");
  simOptions o;
  sim_modelOptions(free, &o);
  simModel* copy = nullptr;
  char buf[1024];
  o.integrator = 4;
  CHECK(sim_copyModelWithOptions(free, &o, &copy, buf, sizeof buf) == SIM_ERR_ARGUMENT && !copy, "integrator 4");
  o.integrator = SIM_INTEGRATOR_IMPLICIT;
  CHECK(sim_copyModelWithOptions(free, &o, &copy, buf, sizeof buf) == SIM_ERR_UNSUPPORTED && !copy, "%s", buf);
  o.integrator = SIM_INTEGRATOR_IMPLICITFAST;
  CHECK(sim_copyModelWithOptions(free, &o, &copy, buf, sizeof buf) == SIM_OK && copy, "%s", buf);
  sim_deleteModel(copy);
  sim_deleteModel(free);
  // damper: kv and ctrlrange must not be negative
  sim_deleteModel(load(slider("", "", "<damper joint=\"x\" kv=\"-1\" ctrlrange=\"0 1\"/>"), SIM_ERR_MODEL, &msg));
  CHECK(msg.find("kv") != std::string::npos, "%s", msg.c_str());
  sim_deleteModel(load(slider("", "", "<damper joint=\"x\" kv=\"1\" ctrlrange=\"-1 1\"/>"), SIM_ERR_MODEL, &msg));
  CHECK(msg.find("negative") != std::string::npos, "%s", msg.c_str());
  sim_deleteModel(load(slider("", "", "<intvelocity joint=\"x\" kp=\"1\" inheritrange=\"1\"/>"), SIM_ERR_MODEL, &msg));
  CHECK(msg.find("range") != std::string::npos, "%s", msg.c_str());
  // as MuJoCo: the range inheritrange sets cannot be given beside it
  for (const char* act : {"<intvelocity joint=\"x\" kp=\"1\" actrange=\"-1 1\" inheritrange=\"1\"/>",
                          "<position joint=\"x\" kp=\"1\" ctrlrange=\"-1 1\" inheritrange=\"1\"/>"}) {
    sim_deleteModel(load(slider("", "range=\"-1 1\"", act), SIM_ERR_MODEL, &msg));
    CHECK(msg.find("cannot both be given") != std::string::npos, "%s: %s", act, msg.c_str());
  }
  // a model without joints steps (nothing to solve)
  simModel* still = load("<mujoco><option integrator=\"implicitfast\"/><worldbody><geom size=\"0.1\"/>"
                         "</worldbody></mujoco>");
  simState* s = nullptr;
  CHECK(sim_makeState(still, &s) == SIM_OK && sim_step(still, s) == SIM_OK, "no joints: step");
  sim_deleteState(s);
  sim_deleteModel(still);
  // still refused, by name
  sim_deleteModel(load(slider("", "", "<muscle joint=\"x\"/>"), SIM_ERR_PARSE, &msg));
  CHECK(msg.find("muscle") != std::string::npos, "%s", msg.c_str());
}

int main() {
  againstMuJoCo();
  closedForms();
  badInput();
  std::printf("implicit_test: %d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
