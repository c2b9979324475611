// tendon_test.cpp — fixed and spatial tendons, springdamper joints and actuator activation
// dynamics against closed forms, and bad tendon input; through the C bridge (and the state's tendon arrays). Built and run by
// scripts/test.sh (plain C++, no Swift build needed). MuJoCo parity: benchmarks/tendons_vs_mujoco.py.
//
// Closed forms (two slide joints x1, x2 of masses m1, m2 on separate bodies, no gravity):
// - Spring k and damper c on L = x1 − x2 (springlength 0): the tendon mode obeys
//   L'' = −w (k L + c L'), w = 1/m1 + 1/m2 = J M⁻¹ Jᵀ, so L(t) = L0 e^{−αt}(cos βt + α/β sin βt),
//   α = w c / 2, β = √(w k − α²); the momentum m1 x1' + m2 x2' stays 0.
// - A force F along L = x1 + x2 held by the limit L ≤ hi comes to rest where the soft limit's
//   force balances it: hi − L = −F (1 − dmax) w tc² dr² (past the impedance width; as a joint
//   limit with 1/m replaced by tendon_invweight0 = w).
// - Dry friction Ff on L = x1 + x2 under a force F > Ff along it: saturated, qacc_i = (F − Ff)/m_i.
// - Activation dynamics under a constant control c from act = 0, step h: integrator act_n = n h c
//   (clamped to actrange); filterexact act_n = c (1 − e^{−n h/τ}); filter with Euler
//   act_n = c (1 − (1 − h/τ)^n), with RK4 c (1 − r^n), r = Σ_{k≤4} (−h/τ)^k/k!; the force is
//   gain·act (actearly: gain·act_{n+1}); a cylinder's gain is its area π d²/4.
// - springdamper (tc, dr) on a slide of mass m (MuJoCo's AutoSpringDamper with inertia m =
//   1/dof_invweight0): stiffness m/(tc² dr²), damping 2m/tc.
#include <cmath>
#include <cstdio>
#include <string>

#include "energysim.h"

#include "../src/state.hpp"
#include "check.hpp"

static simModel* load(const std::string& xml) {
  char msg[2048];
  simModel* m = nullptr;
  const int32_t st = sim_loadModelString(xml.c_str(), "test", &m, msg, sizeof msg);
  CHECK(st == SIM_OK, "status %d: %s", st, msg);
  return m;
}

// Two sliders on separate bodies (masses m1, m2, no gravity), then `extra` (tendon, actuator ...).
static std::string twoSliders(double m1, double m2, const std::string& extra, const std::string& option = "") {
  char buf[4096];
  std::snprintf(buf, sizeof buf,
                "<mujoco><option timestep=\"0.001\" gravity=\"0 0 0\" %s/><worldbody>"
                "<body><joint name=\"x1\" type=\"slide\" axis=\"1 0 0\"/><inertial pos=\"0 0 0\" mass=\"%g\" "
                "diaginertia=\"0.1 0.1 0.1\"/></body><body pos=\"0 1 0\"><joint name=\"x2\" type=\"slide\" "
                "axis=\"1 0 0\"/><inertial pos=\"0 0 0\" mass=\"%g\" diaginertia=\"0.1 0.1 0.1\"/></body>"
                "</worldbody>\n%s</mujoco>",
                option.c_str(), m1, m2, extra.c_str());
  return buf;
}

// Steps from (q, v) under ctrl for n steps; returns qpos, qvel.
static void run(simModel* m, const double* q0, const double* v0, const double* ctrl, int n, double* q, double* v) {
  simState* s = nullptr;
  sim_makeState(m, &s);
  CHECK(sim_setState(m, s, q0, v0, ctrl) == SIM_OK, "setState");
  for (int k = 0; k < n; ++k) CHECK(sim_step(m, s) == SIM_OK, "step %d", k);
  sim_getState(m, s, q, v, nullptr, nullptr, nullptr);
  sim_deleteState(s);
}

static void springDamperOnTwoJoints() {
  const double k = 4, c = 0.3, w = 2;  // m1 = m2 = 1
  const std::string tendon =
      "<tendon><fixed stiffness=\"4\" damping=\"0.3\"><joint joint=\"x1\" coef=\"1\"/>"
      "<joint joint=\"x2\" coef=\"-1\"/></fixed></tendon>";
  simModel* m = load(twoSliders(1, 1, tendon, "integrator=\"RK4\""));
  if (!m) return;
  const double q0[2] = {0.1, 0}, v0[2] = {0, 0};
  double q[2], v[2];
  run(m, q0, v0, nullptr, 1000, q, v);  // 1 s
  const double a = w * c / 2, b = std::sqrt(w * k - a * a), t = 1.0;
  const double L = 0.1 * std::exp(-a * t) * (std::cos(b * t) + a / b * std::sin(b * t));
  CHECK(std::abs((q[0] - q[1]) - L) < 1e-9, "tendon spring-damper: L %.12f, closed form %.12f", q[0] - q[1], L);
  CHECK(std::abs(v[0] + v[1]) < 1e-12, "momentum %.3g (must stay 0)", v[0] + v[1]);
  // undamped, RK4: energy ½ qvelᵀ M qvel + ½ k L² stays within O(h) of its start
  const std::string spring =
      "<tendon><fixed stiffness=\"4\"><joint joint=\"x1\" coef=\"1\"/><joint joint=\"x2\" coef=\"-1\"/></fixed></tendon>";
  simModel* e = load(twoSliders(1, 1, spring, "integrator=\"RK4\""));
  simState* s = nullptr;
  sim_makeState(e, &s);
  sim_setState(e, s, q0, v0, nullptr);
  double U0, K0, U, K;
  sim_energy(e, s, &U0, &K0);
  CHECK(std::abs(U0 - 0.5 * k * 0.01) < 1e-15, "tendon spring energy %.17g, expected %.17g", U0, 0.5 * k * 0.01);
  for (int i = 0; i < 2000; ++i) sim_step(e, s);
  sim_energy(e, s, &U, &K);
  CHECK(std::abs(U + K - U0 - K0) < 1e-9, "RK4 energy drift %.3g", U + K - U0 - K0);
  // inverse dynamics takes the tendon spring out: at rest, qfrc = −Jᵀ f = k L J
  const double qacc0[2] = {0, 0};
  double qfrc[2];
  sim_setState(e, s, q0, v0, nullptr);
  CHECK(sim_inverse(e, s, qacc0, qfrc) == SIM_OK, "inverse");
  CHECK(std::abs(qfrc[0] - k * 0.1) < 1e-15 && std::abs(qfrc[1] + k * 0.1) < 1e-15,
        "inverse with a tendon spring: %.17g %.17g, closed form %g %g", qfrc[0], qfrc[1], k * 0.1, -k * 0.1);
  sim_deleteState(s);
  sim_deleteModel(e);
  sim_deleteModel(m);
}

static void limitHolds() {
  const double F = 100, w = 1.0 / 1 + 1.0 / 2, tc = 0.02, dr = 1, dmax = 0.95, hi = 0.5;
  const std::string extra =
      "<tendon><fixed name=\"t\" range=\"-1 0.5\"><joint joint=\"x1\" coef=\"1\"/><joint joint=\"x2\" "
      "coef=\"1\"/></fixed></tendon><actuator><motor tendon=\"t\"/></actuator>";
  for (const char* integrator : {"Euler", "RK4"}) {
    simModel* m = load(twoSliders(1, 2, extra, std::string("integrator=\"") + integrator + "\""));
    if (!m) continue;
    const double q0[2] = {0, 0}, v0[2] = {0, 0};
    double q[2], v[2];
    run(m, q0, v0, &F, 4000, q, v);
    const double expect = hi + F * (1 - dmax) * w * tc * tc * dr * dr;
    CHECK(std::abs(q[0] + q[1] - expect) < 1e-7, "%s: tendon at rest at %.9f, closed form %.9f", integrator,
          q[0] + q[1], expect);
    CHECK(std::abs(v[0]) + std::abs(v[1]) < 1e-7, "%s: not at rest (%.3g %.3g)", integrator, v[0], v[1]);
    sim_deleteModel(m);
  }
}

static void dryFriction() {
  const double F = 3, Ff = 1;
  const std::string extra =
      "<tendon><fixed name=\"t\" frictionloss=\"1\"><joint joint=\"x1\" coef=\"1\"/><joint joint=\"x2\" "
      "coef=\"1\"/></fixed></tendon><actuator><motor tendon=\"t\"/></actuator>";
  simModel* m = load(twoSliders(1, 2, extra));
  if (!m) return;
  simState* s = nullptr;
  sim_makeState(m, &s);
  const double q0[2] = {0, 0}, v0[2] = {0, 0};
  sim_setState(m, s, q0, v0, &F);
  sim_forward(m, s);
  double a[2];
  sim_getState(m, s, nullptr, nullptr, a, nullptr, nullptr);
  CHECK(std::abs(a[0] - (F - Ff) / 1) < 1e-9 && std::abs(a[1] - (F - Ff) / 2) < 1e-9,
        "tendon dry friction: qacc %.12f %.12f, closed form %.12f %.12f", a[0], a[1], F - Ff, (F - Ff) / 2);
  sim_deleteState(s);
  sim_deleteModel(m);
  // the state's tendon arrays: L = x1 + x2, J = (1, 1), L' = J qvel
  const sim::Model model = sim::compileModel(sim::parseMJCF(twoSliders(1, 2, extra), "test"));
  sim::State st;
  sim::makeState(model, st);
  st.qpos = {0.25, -0.5};
  st.qvel = {1, 3};
  sim::forward(model, st);
  CHECK(std::abs(st.tenLength[0] + 0.25) < 1e-15 && std::abs(st.tenVelocity[0] - 4) < 1e-15 &&
            st.tenJ[0] == 1 && st.tenJ[1] == 1,
        "fixed tendon length %.17g velocity %.17g", st.tenLength[0], st.tenVelocity[0]);
}

// A spatial tendon between a world site and a site on a slider along x at distance d: L = |d|,
// J = sign(d) along the slide; its spring pulls back to the length at qpos0.
static void spatialTendon() {
  const std::string xml =
      "<mujoco><option gravity=\"0 0 0\"/><worldbody><site name=\"a\" pos=\"-1 0 0\"/><body><joint name=\"x\" "
      "type=\"slide\" axis=\"1 0 0\"/><site name=\"b\" pos=\"0 0 0\"/><inertial pos=\"0 0 0\" mass=\"2\" "
      "diaginertia=\"0.1 0.1 0.1\"/></body></worldbody><tendon><spatial stiffness=\"3\"><site site=\"a\"/>"
      "<site site=\"b\"/></spatial></tendon></mujoco>";
  const sim::Model model = sim::compileModel(sim::parseMJCF(xml, "test"));
  sim::State st;
  sim::makeState(model, st);
  st.qpos[0] = 0.2;
  st.qvel[0] = 0.5;
  sim::forward(model, st);
  CHECK(std::abs(st.tenLength[0] - 1.2) < 1e-15 && std::abs(st.tenVelocity[0] - 0.5) < 1e-15,
        "spatial tendon length %.17g velocity %.17g", st.tenLength[0], st.tenVelocity[0]);
  CHECK(std::abs(st.qacc[0] - (-3 * 0.2 / 2)) < 1e-12, "spatial tendon spring: qacc %.12f, closed form %.12f",
        st.qacc[0], -0.3);
}

static void springdamper() {
  const double m = 2, tc = 0.1, dr = 0.5;
  const std::string xml =
      "<mujoco><option gravity=\"0 0 0\"/><worldbody><body><joint type=\"slide\" axis=\"1 0 0\" "
      "springdamper=\"0.1 0.5\"/><inertial pos=\"0 0 0\" mass=\"2\" diaginertia=\"0.1 0.1 0.1\"/>"
      "</body></worldbody></mujoco>";
  simModel* model = load(xml);
  if (!model) return;
  simState* s = nullptr;
  sim_makeState(model, &s);
  const double q = 0.1, v = 1;
  sim_setState(model, s, &q, &v, nullptr);
  double U, a;
  sim_energy(model, s, &U, nullptr);
  const double k = m / (tc * tc * dr * dr), c = 2 * m / tc;
  CHECK(std::abs(U - 0.5 * k * q * q) < 1e-12, "springdamper stiffness: energy %.12f, closed form %.12f", U,
        0.5 * k * q * q);
  sim_forward(model, s);
  sim_getState(model, s, nullptr, nullptr, &a, nullptr, nullptr);
  CHECK(std::abs(a - (-k * q - c * v) / m) < 1e-9, "springdamper: qacc %.12f, closed form %.12f", a,
        (-k * q - c * v) / m);
  sim_deleteState(s);
  sim_deleteModel(model);
}

// Bad input: each is refused with a file:line message naming the problem (line 2: the extra).
static void badInput() {
  struct Case {
    const char* extra;
    const char* expect;
  } cases[] = {
      {"<tendon><fixed><joint joint=\"nope\" coef=\"1\"/></fixed></tendon>", "test:2: <fixed> tendon: unknown joint 'nope'"},
      {"<tendon><fixed name=\"z\"><joint joint=\"x1\" coef=\"0\"/></fixed></tendon>", "test:2: tendon 'z': every joint coefficient is zero"},
      {"<tendon><fixed name=\"e\"/></tendon>", "test:2: <fixed> tendon 'e' has no joints"},
      {"<tendon><fixed><joint joint=\"x1\" coef=\"1\"/><joint joint=\"x1\" coef=\"2\"/></fixed></tendon>", "appears twice"},
      {"<tendon><fixed><joint joint=\"x1\"/></fixed></tendon>", "needs 'joint' and 'coef'"},
      {"<tendon><spatial><geom geom=\"g\"/><pulley divisor=\"2\"/></spatial></tendon>", "test:2: <geom> in a spatial tendon is not supported"},
      {"<tendon><spatial><site site=\"nope\"/></spatial></tendon>", "unknown site 'nope'"},
      {"<tendon><fixed range=\"1 0\" limited=\"true\"><joint joint=\"x1\" coef=\"1\"/></fixed></tendon>", "the lower limit must be below the upper"},
      {"<tendon><fixed name=\"a\"><joint joint=\"x1\" coef=\"1\"/></fixed><fixed name=\"a\"><joint joint=\"x2\" coef=\"1\"/></fixed></tendon>", "duplicate tendon name 'a'"},
      {"<actuator><motor tendon=\"nope\"/></actuator>", "drives an unknown tendon 'nope'"},
      {"<tendon><fixed name=\"a\"><joint joint=\"x1\" coef=\"1\"/></fixed></tendon><equality><tendon tendon1=\"a\" tendon2=\"a\"/></equality>", "both sides are the same tendon"},
      {"<equality><tendon tendon1=\"nope\"/></equality>", "names no tendon"},
      {"<tendon><fixed stiffness=\"1 2\"><joint joint=\"x1\" coef=\"1\"/></fixed></tendon>", "nonlinear (polynomial) tendon springs"},
      {"<tendon><fixed frictionloss=\"-1\"><joint joint=\"x1\" coef=\"1\"/></fixed></tendon>", "frictionloss must be finite and >= 0"},
  };
  auto refused = [](const std::string& xml) {
    simModel* m = nullptr;
    char buf[2048] = "";
    const int32_t st = sim_loadModelString(xml.c_str(), "test", &m, buf, sizeof buf);
    CHECK(st == SIM_ERR_PARSE || st == SIM_ERR_MODEL, "status %d for %s", st, xml.c_str());
    if (m) sim_deleteModel(m);
    return std::string(buf);
  };
  for (const Case& c : cases) {
    const std::string msg = refused(twoSliders(1, 1, c.extra));
    CHECK(msg.find(c.expect) != std::string::npos, "message for %s: %s", c.extra, msg.c_str());
  }
  const std::string msg = refused(
      "<mujoco><worldbody><body><joint type=\"slide\" springdamper=\"-1 1\"/><geom size=\"0.1\"/></body>"
      "</worldbody></mujoco>");
  CHECK(msg.find("test:1: attribute 'springdamper'") != std::string::npos, "springdamper message: %s", msg.c_str());
}

// One slider (mass 2, no gravity) driven by `actuator`; act after n steps under ctrl c, and the
// qacc of the first forward (actearly check).
static void activation(const std::string& actuator, const char* integrator, double c, int n, double* act,
                       double* qacc0) {
  const std::string xml =
      std::string("<mujoco><option timestep=\"0.01\" gravity=\"0 0 0\" integrator=\"") + integrator +
      "\"/><worldbody><body><joint name=\"x\" type=\"slide\" axis=\"1 0 0\"/><inertial pos=\"0 0 0\" "
      "mass=\"2\" diaginertia=\"0.1 0.1 0.1\"/></body></worldbody><actuator>" + actuator + "</actuator></mujoco>";
  simModel* m = load(xml);
  if (!m) return;
  simSizes z;
  sim_modelSizes(m, &z);
  CHECK(z.na == 1, "na %lld", (long long)z.na);
  simState* s = nullptr;
  sim_makeState(m, &s);
  const double q = 0, v = 0;
  sim_setState(m, s, &q, &v, &c);
  sim_forward(m, s);
  sim_getState(m, s, nullptr, nullptr, qacc0, nullptr, nullptr);
  for (int k = 0; k < n; ++k) sim_step(m, s);
  CHECK(sim_getActivation(m, s, act) == SIM_OK, "getActivation");
  sim_deleteState(s);
  sim_deleteModel(m);
}

static void activationDynamics() {
  const double h = 0.01, c = 0.7, tau = 0.05;
  const int n = 30;
  double act = 0, a0 = 0;
  activation("<general joint=\"x\" dyntype=\"integrator\" gainprm=\"3\"/>", "Euler", c, n, &act, &a0);
  CHECK(std::abs(act - n * h * c) < 1e-14 && a0 == 0, "integrator: act %.17g, closed form %.17g (qacc0 %g)", act,
        n * h * c, a0);
  activation("<general joint=\"x\" dyntype=\"integrator\" gainprm=\"3\" actearly=\"true\"/>", "RK4", c, n, &act, &a0);
  CHECK(std::abs(act - n * h * c) < 1e-14 && std::abs(a0 - 3 * h * c / 2) < 1e-15,
        "integrator (RK4, actearly): act %.17g, closed form %.17g; qacc0 %.17g, closed form %.17g", act, n * h * c, a0,
        3 * h * c / 2);
  activation("<general joint=\"x\" dyntype=\"integrator\" actlimited=\"true\" actrange=\"-1 0.1\"/>", "Euler", c,
             n, &act, &a0);
  CHECK(act == 0.1, "integrator clamped to actrange: act %.17g", act);
  activation("<position joint=\"x\" kp=\"10\" timeconst=\"0.05\"/>", "Euler", c, n, &act, &a0);
  const double exact = c * (1 - std::exp(-n * h / tau));
  CHECK(std::abs(act - exact) < 1e-14, "filterexact (position timeconst): act %.17g, closed form %.17g", act, exact);
  activation("<general joint=\"x\" dyntype=\"filter\" dynprm=\"0.05\"/>", "Euler", c, n, &act, &a0);
  const double euler = c * (1 - std::pow(1 - h / tau, n));
  CHECK(std::abs(act - euler) < 1e-14, "filter (Euler): act %.17g, closed form %.17g", act, euler);
  activation("<general joint=\"x\" dyntype=\"filter\" dynprm=\"0.05\"/>", "RK4", c, n, &act, &a0);
  {  // a cylinder: force = (π/4) d² act (+ bias 0), act set through the bridge
    simModel* m = load(
        "<mujoco><option gravity=\"0 0 0\"/><worldbody><body><joint name=\"x\" type=\"slide\" axis=\"1 0 0\"/>"
        "<inertial pos=\"0 0 0\" mass=\"2\" diaginertia=\"0.1 0.1 0.1\"/></body></worldbody><actuator><cylinder "
        "joint=\"x\" diameter=\"0.2\" timeconst=\"0.1\"/></actuator></mujoco>");
    if (m) {
      simState* s = nullptr;
      sim_makeState(m, &s);
      const double q = 0, v = 0, u = 5, a1 = 3;
      sim_setState(m, s, &q, &v, &u);
      CHECK(sim_setActivation(m, s, &a1) == SIM_OK, "setActivation");
      sim_forward(m, s);
      double qacc;
      sim_getState(m, s, nullptr, nullptr, &qacc, nullptr, nullptr);
      const double area = 3.14159265358979323846 / 4 * 0.2 * 0.2;
      CHECK(std::abs(qacc - area * a1 / 2) < 1e-15, "cylinder: qacc %.17g, closed form %.17g", qacc, area * a1 / 2);
      sim_deleteState(s);
      sim_deleteModel(m);
    }
  }
  const double zz = -h / tau, r = 1 + zz + zz * zz / 2 + zz * zz * zz / 6 + zz * zz * zz * zz / 24;
  CHECK(std::abs(act - c * (1 - std::pow(r, n))) < 1e-14, "filter (RK4): act %.17g, closed form %.17g", act,
        c * (1 - std::pow(r, n)));
}

int main() {
  springDamperOnTwoJoints();
  limitHolds();
  dryFriction();
  spatialTendon();
  springdamper();
  activationDynamics();
  badInput();
  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
