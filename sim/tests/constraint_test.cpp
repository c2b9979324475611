// constraint_test.cpp — joint limits, dry friction and contacts against closed forms, the three
// solvers against each other, energy, and bad input; through the C bridge. Built and run by
// scripts/test.sh (plain C++, no Swift build needed).
//
// Closed forms (MuJoCo's soft constraints, one slide joint of mass m, no gravity):
// - A constant force F pushing into a limit comes to rest where the constraint force −F balances
//   it: D·K·imp·(margin − pos) = F with D = 1/R, R = (1 − imp)/imp · (1/m) and K =
//   1/(dmax² tc² dr²); past the impedance width imp = dmax, so the penetration beyond the
//   margin is F (1 − dmax) tc² dr² / m.
// - Dry friction F_f with a force F < F_f: the row stays in its quadratic zone and the joint
//   creeps at the steady velocity v = F·R/B (B = 2/(dmax tc), R from imp = dmin at pos 0);
//   with F > F_f the row saturates and qacc = (F − F_f)/m exactly.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "energysim.h"

#include "../src/state.hpp"
#include "check.hpp"
#include "scenes.hpp"

static simModel* load(const std::string& xml, int32_t expect = SIM_OK) {
  char msg[1024];
  simModel* m = nullptr;
  const int32_t st = sim_loadModelString(xml.c_str(), "test", &m, msg, sizeof msg);
  CHECK(st == expect, "status %d, expected %d: %s", st, expect, msg);
  return m;
}

static std::string slider(const std::string& joint, const std::string& option = "") {
  return "<mujoco><option timestep=\"0.002\" gravity=\"0 0 0\" " + option +
         "/><worldbody><body><joint name=\"x\" type=\"slide\" axis=\"1 0 0\" " + joint +
         "/><inertial pos=\"0 0 0\" mass=\"1\" diaginertia=\"0.1 0.1 0.1\"/></body></worldbody>"
         "<actuator><motor joint=\"x\"/></actuator></mujoco>";
}

// Steps `n` times under a constant control; returns the final qpos, qvel, qacc.
static void run(simModel* m, double ctrl, int n, double* q, double* v, double* a, double q0 = 0) {
  simState* s = nullptr;
  sim_makeState(m, &s);
  double v0 = 0;
  sim_setState(m, s, &q0, &v0, &ctrl);
  for (int k = 0; k < n; ++k) CHECK(sim_step(m, s) == SIM_OK, "step %d", k);
  sim_getState(m, s, q, v, a, nullptr, nullptr);
  sim_deleteState(s);
}

// q ⊗ r for quaternions (w, x, y, z).
static void quatMul(const double* q, const double* r, double* out) {
  out[0] = q[0] * r[0] - q[1] * r[1] - q[2] * r[2] - q[3] * r[3];
  out[1] = q[0] * r[1] + q[1] * r[0] + q[2] * r[3] - q[3] * r[2];
  out[2] = q[0] * r[2] - q[1] * r[3] + q[2] * r[0] + q[3] * r[1];
  out[3] = q[0] * r[3] + q[1] * r[2] - q[2] * r[1] + q[3] * r[0];
}

// Rotation matrix (row-major) of a unit quaternion.
static void quatMat(const double* q, double* R) {
  const double w = q[0], x = q[1], y = q[2], z = q[3];
  const double M[9] = {1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                       2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                       2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)};
  for (int k = 0; k < 9; ++k) R[k] = M[k];
}

// 7. Ball and free joints (quaternions, nq != nv) against closed forms and each other.
static void floatingBases() {
  // (a) a free body falling and spinning about a principal axis, Euler: the discrete closed
  // form p_n = p0 + n h v0 + h² g n(n+1)/2, ω constant, q_n = q0 ⊗ exp(n h ω/2)
  {
    simModel* m = load("<mujoco><option timestep=\"0.002\"/><worldbody><body pos=\"0 0 1\"><freejoint/>"
                       "<inertial pos=\"0 0 0\" mass=\"2\" diaginertia=\"0.1 0.2 0.3\"/></body></worldbody></mujoco>");
    simSizes z;
    sim_modelSizes(m, &z);
    CHECK(z.nq == 7 && z.nv == 6 && z.njoint == 1, "free joint sizes nq %lld nv %lld", (long long)z.nq, (long long)z.nv);
    const double h = 0.002, g = -9.81, w = 3.0;
    double q[7] = {0.1, -0.2, 1, 1, 0, 0, 0}, v[6] = {0.5, -0.25, 2, 0, 0, w};
    simState* s = nullptr;
    sim_makeState(m, &s);
    sim_setState(m, s, q, v, nullptr);
    const int n = 500;
    for (int k = 0; k < n; ++k) sim_step(m, s);
    sim_getState(m, s, q, v, nullptr, nullptr, nullptr);
    const double zExpect = 1 + n * h * 2 + h * h * g * n * (n + 1) / 2;
    CHECK(std::abs(q[0] - (0.1 + n * h * 0.5)) < 1e-12 && std::abs(q[1] - (-0.2 - n * h * 0.25)) < 1e-12 &&
              std::abs(q[2] - zExpect) < 1e-11,
          "free fall position %g %g %g, expected z %g", q[0], q[1], q[2], zExpect);
    CHECK(std::abs(v[5] - w) < 1e-12 && std::abs(v[3]) < 1e-12 && std::abs(v[4]) < 1e-12, "spin %g %g %g", v[3], v[4], v[5]);
    CHECK(std::abs(q[3] - std::cos(n * h * w / 2)) < 1e-12 && std::abs(q[6] - std::sin(n * h * w / 2)) < 1e-12,
          "spin quaternion %g %g", q[3], q[6]);
    // bad input: a NaN quaternion is refused, sim_integratePos guards its pointers
    q[4] = NAN;
    CHECK(sim_setState(m, s, q, v, nullptr) == SIM_ERR_NONFINITE, "NaN quaternion");
    double* none = nullptr;  // through a variable: the header marks qpos non-null for Swift
    CHECK(sim_integratePos(m, none, v, 0.1) == SIM_ERR_ARGUMENT, "integratePos NULL");
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // (b) a torque-free asymmetric body, RK4: angular momentum R I ω (world) and energy conserved
  {
    simModel* m = load("<mujoco><option timestep=\"0.001\" integrator=\"RK4\" gravity=\"0 0 0\"/><worldbody>"
                       "<body><joint type=\"free\"/><inertial pos=\"0 0 0\" mass=\"1\" "
                       "diaginertia=\"0.1 0.2 0.3\"/></body></worldbody></mujoco>");
    const double I[3] = {0.1, 0.2, 0.3};
    double q[7] = {0, 0, 0, 0.9, 0.1, 0.3, 0.2}, v[6] = {0, 0, 0, 1.0, 4.0, 0.5};  // near the unstable axis
    auto momentum = [&](const double* q, const double* v, double* L, double& E) {
      double qn[4], R[9];
      const double n = std::sqrt(q[3] * q[3] + q[4] * q[4] + q[5] * q[5] + q[6] * q[6]);
      for (int k = 0; k < 4; ++k) qn[k] = q[3 + k] / n;
      quatMat(qn, R);
      E = 0;
      for (int r = 0; r < 3; ++r) {
        L[r] = 0;
        for (int c = 0; c < 3; ++c) L[r] += R[3 * r + c] * I[c] * v[3 + c];
        E += 0.5 * I[r] * v[3 + r] * v[3 + r];
      }
    };
    double L0[3], E0, L1[3], E1;
    momentum(q, v, L0, E0);
    simState* s = nullptr;
    sim_makeState(m, &s);
    sim_setState(m, s, q, v, nullptr);
    double worst = 0;
    for (int k = 0; k < 3000; ++k) {
      sim_step(m, s);
      sim_getState(m, s, q, v, nullptr, nullptr, nullptr);
      momentum(q, v, L1, E1);
      for (int r = 0; r < 3; ++r) worst = std::max(worst, std::abs(L1[r] - L0[r]));
      worst = std::max(worst, std::abs(E1 - E0));
    }
    // RK4's own error (near the unstable middle axis) is ~1e-5 here; a wrong velocity product
    // or inertia gives O(1)
    CHECK(worst < 1e-4, "torque-free body: |dL|, |dE| up to %g over 3 s", worst);
    CHECK(std::abs(v[0]) + std::abs(v[1]) + std::abs(v[2]) < 1e-14, "torque-free body drifted");
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // (c) a ball pendulum swinging in a plane is a hinge pendulum: same angle, both integrators
  for (const char* integrator : {"Euler", "RK4"}) {
    const std::string head = std::string("<mujoco><option timestep=\"0.002\" integrator=\"") + integrator +
                             "\"/><worldbody><body pos=\"0 0 1\">";
    const std::string tail = "<geom type=\"capsule\" fromto=\"0 0 0 0.3 0 -0.4\" size=\"0.05\"/></body></worldbody></mujoco>";
    simModel* ball = load(head + "<joint type=\"ball\" pos=\"0 0 0.1\" damping=\"0.2\"/>" + tail);
    simModel* hinge = load(head + "<joint axis=\"0 1 0\" pos=\"0 0 0.1\" damping=\"0.2\"/>" + tail);
    const double th0 = 0.4, w0 = -1.5;
    double qb[4] = {std::cos(th0 / 2), 0, std::sin(th0 / 2), 0}, vb[3] = {0, w0, 0}, qh = th0, vh = w0;
    simState *sb = nullptr, *sh = nullptr;
    sim_makeState(ball, &sb);
    sim_makeState(hinge, &sh);
    sim_setState(ball, sb, qb, vb, nullptr);
    sim_setState(hinge, sh, &qh, &vh, nullptr);
    double worst = 0;
    for (int k = 0; k < 1000; ++k) {
      sim_step(ball, sb);
      sim_step(hinge, sh);
      sim_getState(ball, sb, qb, vb, nullptr, nullptr, nullptr);
      sim_getState(hinge, sh, &qh, &vh, nullptr, nullptr, nullptr);
      const double ref[4] = {std::cos(qh / 2), 0, std::sin(qh / 2), 0};
      for (int r = 0; r < 4; ++r) worst = std::max(worst, std::abs(qb[r] - ref[r]));
      worst = std::max(worst, std::abs(vb[1] - vh) + std::abs(vb[0]) + std::abs(vb[2]));
    }
    CHECK(worst < 1e-10, "ball vs hinge pendulum (%s): %g", integrator, worst);
    sim_deleteState(sb);
    sim_deleteState(sh);
    sim_deleteModel(ball);
    sim_deleteModel(hinge);
  }
  // (d) quaternion integration: sim_integratePos rotates by exp(dt ω/2) in the body frame
  {
    simModel* m = load("<mujoco><worldbody><body><joint type=\"ball\"/><geom size=\"0.1\"/></body></worldbody></mujoco>");
    const double q0[4] = {0.5, 0.5, 0.5, 0.5}, w[3] = {0.3, -0.4, 1.2}, dt = 0.7;
    double q[4] = {q0[0], q0[1], q0[2], q0[3]}, r[4], expect[4];
    CHECK(sim_integratePos(m, q, w, dt) == SIM_OK, "integratePos");
    const double wn = std::sqrt(0.09 + 0.16 + 1.44), a = dt * wn / 2;
    r[0] = std::cos(a);
    for (int k = 0; k < 3; ++k) r[k + 1] = std::sin(a) * w[k] / wn;
    quatMul(q0, r, expect);
    double err = 0;
    for (int k = 0; k < 4; ++k) err = std::max(err, std::abs(q[k] - expect[k]));
    CHECK(err < 1e-15, "integratePos quaternion off by %g", err);
    int64_t qa = -1, da = -1;
    sim_jointAddresses(m, &qa, &da);
    CHECK(qa == 0 && da == 0, "joint addresses %lld %lld", (long long)qa, (long long)da);
    sim_deleteModel(m);
  }
  // (e) bad input: a free joint below a moving body, an actuator on a ball joint, a keyframe of
  // the wrong length
  load("<mujoco><worldbody><body><joint/><geom size=\"0.1\"/><body><freejoint/><geom size=\"0.1\"/>"
       "</body></body></worldbody></mujoco>", SIM_ERR_PARSE);
  load("<mujoco><worldbody><body><joint name=\"b\" type=\"ball\"/><geom size=\"0.1\"/></body></worldbody>"
       "<actuator><motor joint=\"b\"/></actuator></mujoco>", SIM_ERR_MODEL);
  load("<mujoco><worldbody><body><freejoint/><geom size=\"0.1\"/></body></worldbody>"
       "<keyframe><key qpos=\"0 0 0 1 0 0\"/></keyframe></mujoco>", SIM_ERR_MODEL);
}

// 8. Equality constraints (connect, weld, joint) against closed forms, and bad input.
static void equalities() {
  // (a) a free body of mass m welded to the world sags under gravity until the soft weld's
  // force D·K·imp·|pos| = m g: with a flat impedance imp and R = (1 − imp)/imp · (1/m),
  // pos = −g (1 − imp) / (imp² K), K = 1/(imp² tc² dr²)  (tc 0.02, dr 1)
  for (const char* integrator : {"Euler", "RK4"}) {
    simModel* m = load(std::string("<mujoco><option timestep=\"0.002\" integrator=\"") + integrator +
                       "\"/><worldbody><body name=\"b\" pos=\"0 0 1\"><freejoint/><inertial pos=\"0 0 0\" "
                       "mass=\"2\" diaginertia=\"0.1 0.1 0.1\"/></body></worldbody><equality><weld body1=\"b\" "
                       "solimp=\"0.95 0.95 0.001\"/></equality></mujoco>");
    simState* s = nullptr;
    sim_makeState(m, &s);
    for (int k = 0; k < 2500; ++k) sim_step(m, s);
    double q[7];
    sim_getState(m, s, q, nullptr, nullptr, nullptr, nullptr);
    const double imp = 0.95, K = 1 / (imp * imp * 0.02 * 0.02), sag = 9.81 * (1 - imp) / (imp * imp * K);
    CHECK(std::abs(q[2] - (1 - sag)) < 1e-9 && std::abs(q[0]) < 1e-12 && std::abs(q[4]) < 1e-12,
          "weld sag (%s): z %.12f, expected %.12f", integrator, q[2], 1 - sag);
    int64_t nefc = 0;
    sim_constraintInfo(m, s, &nefc, nullptr, nullptr, nullptr);
    CHECK(nefc == 6, "a weld has 6 rows, got %lld", (long long)nefc);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // (b) two hinges coupled q1 = 2 q2 (joint, polycoef "0 2") stay coupled while they swing;
  // uncoupled, their different starts would part them by ~1 rad
  {
    simModel* m = load("<mujoco><option timestep=\"0.002\"/><worldbody><body pos=\"0 0 1\"><joint name=\"a\" "
                       "axis=\"0 1 0\"/><geom type=\"capsule\" fromto=\"0 0 0 0.3 0 0\" size=\"0.03\"/></body>"
                       "<body pos=\"1 0 1\"><joint name=\"b\" axis=\"0 1 0\"/><geom type=\"capsule\" "
                       "fromto=\"0 0 0 0.3 0 0\" size=\"0.03\"/></body></worldbody><equality><joint joint1=\"a\" "
                       "joint2=\"b\" polycoef=\"0 2\" solref=\"0.005 1\"/></equality></mujoco>");
    simState* s = nullptr;
    sim_makeState(m, &s);
    double q[2] = {0.2, 0.1}, v[2] = {0, 3};
    sim_setState(m, s, q, v, nullptr);
    double worst = 0;
    for (int k = 0; k < 1000; ++k) {
      sim_step(m, s);
      sim_getState(m, s, q, nullptr, nullptr, nullptr, nullptr);
      if (k > 100) worst = std::max(worst, std::abs(q[0] - 2 * q[1]));
    }
    CHECK(worst < 2e-3, "joint coupling violated by %g", worst);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // (c) bad input
  const std::string body = "<mujoco><worldbody><body name=\"b\"><freejoint/><geom size=\"0.1\"/><site name=\"s\"/>"
                           "</body></worldbody><equality>";
  load(body + "<connect body1=\"b\"/></equality></mujoco>", SIM_ERR_MODEL);               // no anchor
  load(body + "<connect body1=\"c\" anchor=\"0 0 0\"/></equality></mujoco>", SIM_ERR_MODEL);  // unknown body
  load(body + "<weld site1=\"s\"/></equality></mujoco>", SIM_ERR_MODEL);                  // one site
  load(body + "<weld body1=\"b\" solref=\"0.02 -1\"/></equality></mujoco>", SIM_ERR_MODEL);  // mixed solref
  load(body + "<tendon tendon1=\"t\"/></equality></mujoco>", SIM_ERR_MODEL);              // unknown tendon
  load(body + "<flex flex=\"f\"/></equality></mujoco>", SIM_ERR_PARSE);                    // not supported
  load("<mujoco><worldbody><body><joint name=\"j\" type=\"ball\"/><geom size=\"0.1\"/></body></worldbody>"
       "<equality><joint joint1=\"j\"/></equality></mujoco>", SIM_ERR_MODEL);            // ball joint
}

// A scene with a floor that collides with nothing by the filters (contype 0) and a ball on
// x, y, z slides whose geoms default to friction 0.9 and solimp 0.5: only `contact` (a
// <contact> section) makes it touch anything.
static std::string pairScene(const std::string& contact, const std::string& extraBody = "") {
  return "<mujoco><option timestep=\"0.002\"/><default><geom friction=\"0.9\" solimp=\"0.5 0.5 "
         "0.001\"/><default class=\"soft\"><pair solimp=\"0.95 0.95 0.001\" margin=\"0.004\"/>"
         "</default></default><worldbody><geom name=\"floor\" type=\"plane\" size=\"5 5 .1\" "
         "contype=\"0\" conaffinity=\"0\"/><body name=\"a\"><joint type=\"slide\" axis=\"1 0 0\"/>"
         "<joint type=\"slide\" axis=\"0 1 0\"/><joint type=\"slide\" axis=\"0 0 1\"/>"
         "<geom name=\"ball\" size=\"0.1\" mass=\"2\"/></body>" + extraBody +
         "</worldbody>" + contact + "</mujoco>";
}

// Loads xml expecting failure `expect` with a message that contains `text`.
static void refused(const std::string& xml, int32_t expect, const std::string& text) {
  char msg[1024] = "";
  simModel* m = nullptr;
  const int32_t st = sim_loadModelString(xml.c_str(), "test", &m, msg, sizeof msg);
  CHECK(st == expect && !m && std::string(msg).find(text) != std::string::npos,
        "status %d (expected %d), message '%s' should contain '%s'", st, expect, msg, text.c_str());
  sim_deleteModel(m);
}

// Contacts, forward at (qpos, qvel): ncon and the x, y components of qacc.
static int64_t contactsAt(simModel* m, const double* q, const double* v, double* a = nullptr) {
  simState* s = nullptr;
  sim_makeState(m, &s);
  sim_setState(m, s, q, v, nullptr);
  sim_forward(m, s);
  int64_t ncon = -1;
  sim_constraintInfo(m, s, nullptr, &ncon, nullptr, nullptr);
  if (a) sim_getState(m, s, nullptr, nullptr, a, nullptr, nullptr);
  sim_deleteState(s);
  return ncon;
}

// A state of m started at (q, v) and stepped n times; q and v receive its final position and velocity.
static simState* stepped(simModel* m, double* q, double* v, int n) {
  simState* s = nullptr;
  sim_makeState(m, &s);
  sim_setState(m, s, q, v, nullptr);
  for (int k = 0; k < n; ++k) sim_step(m, s);
  sim_getState(m, s, q, v, nullptr, nullptr, nullptr);
  return s;
}

// Braking of the pair scene's ball (in g) along x (axis 0) or y (1): settled 0.4 s on the
// floor, pushed to 1 m/s, measured over 0.08 s after 0.02 s.
static double braking(simModel* m, int axis) {
  double q[3] = {0, 0, 0.1}, v[3] = {0, 0, 0};
  simState* s = stepped(m, q, v, 200);
  v[axis] = 1;
  sim_setState(m, s, q, v, nullptr);
  for (int k = 0; k < 10; ++k) sim_step(m, s);
  sim_getState(m, s, nullptr, v, nullptr, nullptr, nullptr);
  const double v0 = v[axis];
  for (int k = 0; k < 40; ++k) sim_step(m, s);
  sim_getState(m, s, nullptr, v, nullptr, nullptr, nullptr);
  sim_deleteState(s);
  return (v0 - v[axis]) / 0.08 / 9.81;
}

// <contact><pair|exclude> (MuJoCo's semantics): a pair bypasses contype/conaffinity and uses its
// own parameters (here its class's solimp and margin, its friction), never the geoms'.
static void explicitPairs() {
  // rest: the closed form of test 5 with the pair's mu = 0.5, d = 0.95, below its margin
  // (with the geoms' friction 0.9 / solimp 0.5 it would rest 25× deeper; without the margin
  // 4 mm lower)
  {
    simModel* m = load(pairScene("<contact><pair class=\"soft\" geom1=\"floor\" geom2=\"ball\" "
                                 "friction=\"0.5 0.5\" gap=\"0.01\"/></contact>"));
    double q[3] = {0, 0, 0.3}, v[3] = {0, 0, 0};
    sim_deleteState(stepped(m, q, v, 3000));
    const double mu = 0.5, d = 0.95, tc = 0.02, margin = 0.004;
    const double pen = 9.81 * mu * mu * (1 - d) * (1 + mu * mu) * tc * tc / 2;
    CHECK(std::abs(q[2] - (0.1 + margin - pen)) < 1e-9, "pair rest at %.12f, closed form %.12f", q[2],
          0.1 + margin - pen);
    // the gap widens detection only: 5 mm above the floor (in the gap) no contact acts
    const double above[3] = {0, 0, 0.105}, still[3] = {0, 0, 0};
    CHECK(contactsAt(m, above, still) == 0, "a contact in the gap must not act");
    sim_deleteModel(m);
  }
  // without the pair the filtered floor touches nothing: the ball falls through
  {
    simModel* m = load(pairScene(""));
    const double q[3] = {0, 0, 0.05}, v[3] = {0, 0, 0};
    double a[3];
    CHECK(contactsAt(m, q, v, a) == 0 && std::abs(a[2] + 9.81) < 1e-12, "no pair: free fall, qacc %g", a[2]);
    sim_deleteModel(m);
  }
  // per-tangent friction: the plane–sphere frame has tangents y and −x, so friction "0.2 0.8"
  // brakes a slide along y about as Coulomb's 0.2 g and along x far harder (the pyramid's edges
  // are not Coulomb's cone: MuJoCo 4 gives 0.2049 g and 0.9298 g here, and so do we); with
  // "0.2 0.2" the two directions brake alike (the sphere–plane scene is symmetric)
  {
    double brake[2][2];
    for (int swap = 0; swap < 2; ++swap) {
      simModel* m = load(pairScene(std::string("<contact><pair geom1=\"ball\" geom2=\"floor\" friction=\"") +
                                   (swap ? "0.2 0.2" : "0.2 0.8") + "\"/></contact>"));
      for (int axis = 0; axis < 2; ++axis) brake[swap][axis] = braking(m, axis);
      sim_deleteModel(m);
    }
    CHECK(std::abs(brake[0][1] / 0.2 - 1) < 0.05 && brake[0][0] > 4 * brake[0][1] &&
              std::abs(brake[0][0] - 0.9298) < 1e-3,
          "braking along x %g g, along y %g g (MuJoCo 0.9298, 0.2049)", brake[0][0], brake[0][1]);
    CHECK(std::abs(brake[1][0] - brake[1][1]) < 1e-9 && std::abs(brake[1][1] - brake[0][1]) < 1e-3,
          "isotropic friction: x %g g, y %g g", brake[1][0], brake[1][1]);
  }
  // exclude: a second ball overlapping the first collides with it by the filters, not when the
  // body pair is excluded; an explicit pair between them still collides
  {
    const std::string other = "<body name=\"b\" pos=\"0.15 0 0\"><joint type=\"slide\" axis=\"1 0 0\"/>"
                              "<geom name=\"ball2\" size=\"0.1\" mass=\"1\"/></body>";
    const double q[4] = {0, 0, 0, 0}, v[4] = {0, 0, 0, 0};
    simModel* m = load(pairScene("", other));
    CHECK(contactsAt(m, q, v) == 1, "overlapping balls touch");
    sim_deleteModel(m);
    m = load(pairScene("<contact><exclude body1=\"b\" body2=\"a\"/></contact>", other));
    CHECK(contactsAt(m, q, v) == 0, "excluded body pair touches");
    sim_deleteModel(m);
    m = load(pairScene("<contact><exclude body1=\"a\" body2=\"b\"/><pair geom1=\"ball2\" geom2=\"ball\"/>"
                       "</contact>", other));
    CHECK(contactsAt(m, q, v) == 1, "an explicit pair wins over the exclusion");
    sim_deleteModel(m);
    // an explicit pair that the filters would also find is collided once
    m = load(pairScene("<contact><pair geom1=\"ball2\" geom2=\"ball\"/></contact>", other));
    CHECK(contactsAt(m, q, v) == 1, "explicit and filtered pair counted twice");
    sim_deleteModel(m);
  }
  // hostile references: clear errors with file:line
  refused(pairScene("<contact>\n<pair geom1=\"floor\" geom2=\"bal\"/></contact>"), SIM_ERR_MODEL,
          "test:2: <pair> geom2 'bal' names no geom");
  refused(pairScene("<contact><pair geom1=\"floor\"/></contact>"), SIM_ERR_MODEL, "<pair> needs 'geom2'");
  refused(pairScene("<contact><pair geom1=\"ball\" geom2=\"ball\"/></contact>"), SIM_ERR_MODEL,
          "names geom 'ball' twice");
  refused(pairScene("<contact><exclude body1=\"a\" body2=\"nobody\"/></contact>"), SIM_ERR_MODEL,
          "<exclude> body2 'nobody' names no body");
  refused(pairScene("<contact><pair geom1=\"ball\" geom2=\"floor\" condim=\"2\"/></contact>"),
          SIM_ERR_MODEL, "condim");
  refused(pairScene("<contact><pair geom1=\"ball\" geom2=\"floor\" friction=\"x\"/></contact>"),
          SIM_ERR_PARSE, "friction");
  refused(pairScene("<contact><pair geom1=\"ball\" geom2=\"floor\" class=\"nope\"/></contact>"),
          SIM_ERR_MODEL, "unknown default class 'nope'");
  refused(pairScene("<contact><geom/></contact>"), SIM_ERR_PARSE, "<geom>");
}

// Steps a fresh state of `m` `steps` times, reads its qpos into `q` and runs the forward pass (contacts and
// constraint forces of the settled pose); the caller frees the state.
static simState* settle(simModel* m, int steps, double* q) {
  simState* s = nullptr;
  sim_makeState(m, &s);
  for (int k = 0; k < steps; ++k) sim_step(m, s);
  sim_getState(m, s, q, nullptr, nullptr, nullptr, nullptr);
  sim_forward(m, s);
  return s;
}

// box–box: a free box resting flat on a static box shares its weight among n contacts, each a
// four-edge pyramid as in test 5, so it rests at pen = g mu² (1 − d)(1 + mu²) tc² dr² / (2 n)
// (its weight 1/m at the centre of mass). A 0.1 × 0.15 box on a larger one touches at its 4
// corners; a square on an equal square turned 45° about z touches along the 8 corners of their
// octagon of overlap. A cross of two bars meets edge to edge: one contact.

static void boxBoxContacts() {
  auto scene = [](const std::string& size, const std::string& yaw, const std::string& base) {
    return "<mujoco><option timestep=\"0.002\"/><default><geom friction=\"0.7\" solimp=\"0.95 0.95 "
           "0.001\"/></default><worldbody><geom type=\"box\" size=\"" + base + "\" pos=\"0 0 0.1\"/>"
           "<body pos=\"0 0 0.4\" euler=\"0 0 " + yaw + "\"><freejoint/><geom type=\"box\" size=\"" + size +
           "\" mass=\"1.5\"/></body></worldbody></mujoco>";
  };
  const double mu = 0.7, d = 0.95, tc = 0.02;
  struct Case { const char* size; const char* yaw; const char* base; int n; };
  for (const Case& c : {Case{"0.1 0.15 0.05", "17", "0.5 0.4 0.1", 4},
                        Case{"0.2 0.2 0.05", "45", "0.2 0.2 0.1", 8}}) {
    simModel* m = load(scene(c.size, c.yaw, c.base));
    double q[7];
    simState* s = settle(m, 2000, q);
    int64_t ncon = 0;
    sim_constraintInfo(m, s, nullptr, &ncon, nullptr, nullptr);
    const double pen = 9.81 * mu * mu * (1 - d) * (1 + mu * mu) * tc * tc / (2 * c.n);
    CHECK(ncon == c.n && std::abs(q[2] - (0.2 + 0.05 - pen)) < 1e-9 && std::abs(q[0]) + std::abs(q[1]) < 1e-9,
          "box on box (%d corners): %lld contacts, rests at %.12f, closed form %.12f", c.n, (long long)ncon,
          q[2], 0.25 - pen);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  {
    simModel* m = load("<mujoco><worldbody><geom type=\"box\" size=\"0.3 0.05 0.05\" pos=\"0 0 0.1\" "
                       "euler=\"45 0 0\"/><body pos=\"0 0 0.23\"><joint type=\"slide\" axis=\"0 0 1\"/>"
                       "<geom type=\"box\" size=\"0.05 0.3 0.05\" euler=\"0 45 0\"/></body>"
                       "</worldbody></mujoco>");
    // the lower bar's top edge is at 0.1 + 0.05·√2, the upper bar's bottom edge at 0.23 + q − 0.05·√2
    const double gapAbove = 0.23 - 0.1 - 2 * 0.05 * std::sqrt(2.0);
    double q = -gapAbove - 0.001, v = 0;  // 1 mm into each other
    simState* s = nullptr;
    sim_makeState(m, &s);
    sim_setState(m, s, &q, &v, nullptr);
    sim_forward(m, s);
    int64_t ncon = 0;
    sim_constraintInfo(m, s, nullptr, &ncon, nullptr, nullptr);
    double a = 0;
    sim_getState(m, s, nullptr, nullptr, &a, nullptr, nullptr);
    CHECK(ncon == 1 && a > 0, "crossed bars: %lld contacts (1 edge–edge), pushed up %g", (long long)ncon, a);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
}

// Session 11's pairs at rest, as the box on a box above: a free body resting on n contacts of
// equal depth (symmetric about its centre of mass) sinks pen = g mu² (1 − d)(1 + mu²) tc² / (2 n)
// below its touching height. A cylinder standing on the floor rests on the rim triangle of its
// bottom disc (3), lying on the rims of both discs (2); a capsule lying on a box face and one on
// a parallel capsule on both its end spheres (2); an ellipsoid on its lowest point and a sphere
// on a cylinder's cap (1). Each contact's normal (from the lower geom type to the higher: ±z) and
// equal depths are checked through sim_contacts. A zero-size geom is refused; a pair MuJoCo leaves to its convex
// collider (cylinder–box) is named in the model's warnings and does not collide.
static void newPairContacts() {
  const double mu = 0.7, d = 0.95, tc = 0.02;
  auto scene = [](const std::string& base, const std::string& body) {
    return "<mujoco><option timestep=\"0.002\"/><default><geom friction=\"0.7\" solimp=\"0.95 0.95 "
           "0.001\"/></default><worldbody>" + base + "<body " + body + "</body></worldbody></mujoco>";
  };
  const std::string floor = "<geom type=\"plane\" size=\"5 5 .1\"/>";
  const std::string halfTurnY = "euler=\"0 90 0\"";
  struct Case { const char* name; std::string xml; int n; double top; double sign; };
  const Case cases[] = {
      {"cylinder standing", scene(floor, "pos=\"0 0 0.16\"><freejoint/><geom type=\"cylinder\" size=\"0.1 0.15\" mass=\"1\"/>"), 3, 0.15, 1},
      {"cylinder lying", scene(floor, "pos=\"0 0 0.11\" euler=\"90 0 0\"><freejoint/>"
                                      "<geom type=\"cylinder\" size=\"0.1 0.15\" mass=\"1\"/>"), 2, 0.1, 1},
      {"capsule on a box face", scene("<geom type=\"box\" size=\"0.3 0.2 0.1\" pos=\"0 0 0.1\"/>",
                                      "pos=\"0 0 0.26\" " + halfTurnY + "><freejoint/><geom type=\"capsule\" "
                                      "size=\"0.05 0.2\" mass=\"1\"/>"), 2, 0.25, -1},  // from the capsule down into the box
      {"capsule on a parallel capsule", scene("<geom type=\"capsule\" size=\"0.05 0.3\" pos=\"0 0 0.1\" " + halfTurnY + "/>",
                                              "pos=\"0 0 0.21\" " + halfTurnY + "><freejoint/><geom type=\"capsule\" "
                                              "size=\"0.05 0.2\" mass=\"1\"/>"), 2, 0.2, 1},
      {"ellipsoid upright", scene(floor, "pos=\"0 0 0.21\"><freejoint/><geom type=\"ellipsoid\" size=\"0.1 0.15 0.2\" mass=\"1\"/>"),
       1, 0.2, 1},
      {"sphere on a cylinder's cap", scene("<geom type=\"cylinder\" size=\"0.2 0.1\" pos=\"0 0 0.1\"/>",
                                           "pos=\"0 0 0.26\"><freejoint/><geom type=\"sphere\" size=\"0.05\" mass=\"1\"/>"),
       1, 0.25, -1},  // normal from the sphere (geom 1) down into the cylinder
  };
  for (const Case& c : cases) {
    simModel* m = load(c.xml);
    if (!m) continue;
    double q[7];
    simState* s = settle(m, 2000, q);
    int64_t ncon = 0;
    int32_t geoms[16];
    double con[8 * 13];
    sim_contacts(m, s, 8, &ncon, geoms, con);
    if (c.n == 3) {  // sim_contacts' guards: NULL ncon, negative capacity, a capacity below ncon
      int64_t n1 = -1;
      int32_t g1[2] = {-7, -7}, g2[2] = {-7, -7};
      double one[13 + 1];
      one[13] = 12345;  // must stay untouched: only capacity = 1 contact is written
      double f1[6 + 1];
      f1[6] = 12345;
      CHECK(sim_contactForces(m, s, 8, nullptr, f1) == SIM_ERR_ARGUMENT &&
                sim_contactForces(m, s, 8, &n1, nullptr) == SIM_ERR_ARGUMENT &&
                sim_contactForces(m, s, 0, &n1, nullptr) == SIM_OK && n1 == 3 &&
                sim_contactForces(m, s, -1, &n1, f1) == SIM_ERR_ARGUMENT &&
                sim_contactForces(nullptr, s, 8, &n1, f1) == SIM_ERR_ARGUMENT &&
                sim_contactForces(m, s, 1, &n1, f1) == SIM_OK && n1 == 3 && f1[6] == 12345 && f1[0] > 0,
            "sim_contactForces guards (ncon %lld, first normal force %g)", (long long)n1, f1[0]);
      CHECK(sim_contacts(m, s, 8, nullptr, geoms, con) == SIM_ERR_ARGUMENT &&
                sim_contacts(m, s, -1, &n1, geoms, con) == SIM_ERR_ARGUMENT &&
                sim_contacts(m, s, 1, &n1, g1, one) == SIM_OK && n1 == 3 && one[13] == 12345 && g1[0] == 0 &&
                g1[1] == 1 && sim_contacts(m, s, 0, &n1, g2, nullptr) == SIM_OK && g2[0] == -7,
            "sim_contacts guards (ncon %lld, geoms %d %d)", (long long)n1, g1[0], g1[1]);
    }
    // at rest the normal forces carry the weight (1 kg) in equal shares, with no friction
    double forces[8 * 6], normalSum = 0, tangential = 0, spread = 0;
    sim_contactForces(m, s, 8, &ncon, forces);
    for (int i = 0; i < ncon && i < 8; ++i) {
      normalSum += forces[6 * i];
      spread = std::max(spread, std::abs(forces[6 * i] - forces[0]));
      for (int k = 1; k < 6; ++k) tangential = std::max(tangential, std::abs(forces[6 * i + k]));
    }
    CHECK(std::abs(normalSum - 9.81) < 1e-6 && spread < 1e-6 && tangential < 1e-6,
          "%s: contact forces: normal sum %.9f (weight 9.81), spread %.1e, largest tangential %.1e", c.name, normalSum,
          spread, tangential);
    bool normals = ncon > 0;
    for (int i = 0; i < ncon && i < 8; ++i)
      normals = normals && std::abs(con[13 * i + 4]) + std::abs(con[13 * i + 5]) + std::abs(con[13 * i + 6] - c.sign) < 1e-9 &&
                std::abs(con[13 * i + 0] - con[0]) < 1e-9;
    const double pen = 9.81 * mu * mu * (1 - d) * (1 + mu * mu) * tc * tc / (2 * c.n);
    CHECK(ncon == c.n && normals && std::abs(q[2] - (c.top - pen)) < 1e-9 && std::abs(q[0]) + std::abs(q[1]) < 1e-9,
          "%s: %lld contacts (normals %s), rests at %.12f, closed form %.12f", c.name, (long long)ncon,
          normals ? "ok" : "wrong", q[2], c.top - pen);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  refused(scene(floor, "><freejoint/><geom type=\"cylinder\" size=\"0 0.1\" mass=\"1\"/>"), SIM_ERR_MODEL, "size[0]");
  refused(scene(floor, "><freejoint/><geom type=\"ellipsoid\" size=\"0.1 0 0.1\" mass=\"1\"/>"), SIM_ERR_MODEL, "size[1]");
  {
    // cylinder–box goes to the general convex collider (convex.cpp): no warning, contacts (multiccd)
    simModel* m = load(scene("<geom type=\"box\" size=\"0.3 0.3 0.1\"/>",
                             "pos=\"0 0 0.15\"><freejoint/><geom type=\"cylinder\" size=\"0.1 0.1\" mass=\"1\"/>"));
    const std::string w = m ? sim_modelWarnings(m) : "";
    double q[7] = {0, 0, 0.15, 1, 0, 0, 0}, v[6] = {};
    CHECK(m && w.find("cylinder–box") == std::string::npos && contactsAt(m, q, v) >= 3,
          "cylinder–box must collide (multiccd) and not be named in the warnings: '%s'", w.c_str());
    sim_deleteModel(m);
    std::string tet = scene(floor + "<geom type=\"box\" size=\"0.3 0.3 0.1\"/>",
                            "pos=\"0 0 0.5\"><freejoint/><geom type=\"mesh\" mesh=\"tet\" mass=\"1\"/>");
    tet.replace(tet.find("<worldbody>"), 11,
                "<asset><mesh name=\"tet\" vertex=\"0 0 0 1 0 0 0 1 0 0 0 1\" face=\"0 2 1 0 1 3 0 3 2 1 2 3\"/>"
                "</asset><worldbody>");
    m = load(tet);
    const std::string w2 = m ? sim_modelWarnings(m) : "";
    // plane–mesh collides now (convex.cpp's planeMeshContacts): the tetrahedron's base 1 mm into
    // the floor, away from the box, gives its 3 corners
    double qt[7] = {2, 0, -0.001, 1, 0, 0, 0};
    CHECK(m && w2.find("plane–mesh") == std::string::npos && w2.find("box–mesh") == std::string::npos &&
              contactsAt(m, qt, v) == 3,
          "plane–mesh and box–mesh must collide and not be named in the warnings: '%s'", w2.c_str());
    sim_deleteModel(m);
  }
}

// Torsional and rolling friction (condim 4, 6; pyramidal edges n ± μk jk over the relative
// rotation, as MuJoCo): a ball resting on the floor spun about z keeps its spin under condim 3
// (no edge acts on it) but stops under condim 4 (torsional 0.05: the spin decays within 1 s); a
// ball rolling at 1 m/s keeps rolling under condim 3/4 but slows under condim 6 (rolling 0.02).
static void torsionalRolling() {
  auto ball = [](int condim) {
    return "<mujoco><option timestep=\"0.002\"/><worldbody><geom type=\"plane\" size=\"5 5 .1\"/><body pos=\"0 0 "
           "0.0998\"><freejoint/><geom size=\"0.1\" mass=\"1\" condim=\"" + std::to_string(condim) +
           "\" friction=\"1 0.05 0.02\"/></body></worldbody></mujoco>";
  };
  double spin[7], roll[7];
  for (int condim : {3, 4, 6}) {
    simModel* m = load(ball(condim));
    for (int which = 0; which < 2; ++which) {
      double q[7] = {0, 0, 0.0998, 1, 0, 0, 0};
      double v[6] = {0, 0, 0, 0, 0, 0};
      if (which == 0) v[5] = 10;                 // spin about the normal
      else v[0] = 1, v[4] = 10;                  // rolling along x (ω_y = v / r)
      simState* s = stepped(m, q, v, 500);
      (which == 0 ? spin : roll)[condim] = which == 0 ? v[5] : v[0];
      sim_deleteState(s);
    }
    sim_deleteModel(m);
  }
  CHECK(std::abs(spin[3] - 10) < 1e-9 && std::abs(spin[4]) < 0.5 && std::abs(spin[6]) < 0.5,
        "spin after 1 s: condim 3 %g (10), condim 4 %g, condim 6 %g (stopped)", spin[3], spin[4], spin[6]);
  CHECK(roll[3] > 0.99 && roll[4] > 0.99 && roll[6] < 0.9 && roll[6] > 0,
        "rolling speed after 1 s: condim 3 %g, 4 %g (kept), 6 %g (slowed)", roll[3], roll[4], roll[6]);
}

// Friction 0 is clamped to MuJoCo's 1e-5 (mj_assignFriction): a frictionless box pushed at 2 m/s
// keeps sliding on the floor, x = 2 t − ½ 1e-5 g t² = 1.999951 m after 1 s (MuJoCo 4.0.1:
// 1.9999509), under either cone; unclamped, the zero-width pyramid's regulariser was 0 and the box
// fell through the floor.
static void frictionless() {
  for (const char* cone : {"pyramidal", "elliptic"}) {
    simModel* m = load(std::string("<mujoco><option timestep=\"0.002\" cone=\"") + cone +
                       "\"/><worldbody><geom type=\"plane\" size=\"5 5 .1\" friction=\"0 0 0\"/><body><joint "
                       "type=\"slide\" axis=\"1 0 0\"/><joint type=\"slide\" axis=\"0 0 1\"/><joint axis=\"0 1 0\"/>"
                       "<geom type=\"box\" size=\"0.2 0.1 0.05\" mass=\"2\" friction=\"0 0 0\"/></body></worldbody></mujoco>");
    double q[3] = {0, 0.05, 0}, v[3] = {2, 0, 0};
    sim_deleteState(stepped(m, q, v, 500));
    CHECK(std::abs(q[0] - 1.999951) < 2e-6 && std::abs(q[1] - 0.05) < 1e-3,
          "%s cone, friction 0: x %.7f (1.999951), z %.5f (0.05) after 1 s", cone, q[0], q[1]);
    sim_deleteModel(m);
  }
}

// The elliptic cone (<option cone="elliptic">) is Coulomb's: with per-tangent friction 0.2 (y) and
// 0.8 (x) the pair scene's ball brakes at about 0.2 g and 0.8 g (the pyramid gives 0.93 g along x),
// with the Newton and CG solvers alike, and as MuJoCo 4.0.1 does (0.805498 g, 0.214277 g; with
// impratio 10, 0.775538 g along x); PGS solves the cone as blocks (a ray update, then the friction
// on the ellipsoid) and brakes as Newton does, from the file or after switching the solver through
// the C bridge.
static void ellipticCone() {
  const std::string pair = "<contact><pair geom1=\"ball\" geom2=\"floor\" friction=\"0.2 0.8\"/></contact>";
  auto scene = [&](const std::string& option) {
    std::string xml = pairScene(pair);
    return xml.replace(xml.find("<option "), 8, "<option " + option + " ");
  };
  double brake[5][2];
  const char* options[4] = {"cone=\"elliptic\"", "cone=\"elliptic\" solver=\"CG\"", "cone=\"elliptic\" impratio=\"10\"",
                            "cone=\"elliptic\" solver=\"PGS\""};
  for (int k = 0; k < 4; ++k) {
    simModel* m = load(scene(options[k]));
    for (int axis = 0; axis < 2; ++axis) brake[k][axis] = m ? braking(m, axis) : 0;
    sim_deleteModel(m);
  }
  CHECK(std::abs(brake[0][0] / 0.8 - 1) < 0.08 && std::abs(brake[0][1] / 0.2 - 1) < 0.08 &&
            std::abs(brake[0][0] - 0.805498) < 1e-5 && std::abs(brake[0][1] - 0.214277) < 1e-5,
        "elliptic braking along x %.7f g (MuJoCo 0.805498), along y %.7f g (0.214277)", brake[0][0], brake[0][1]);
  CHECK(std::abs(brake[1][0] - brake[0][0]) < 1e-6 && std::abs(brake[1][1] - brake[0][1]) < 1e-6,
        "elliptic braking, CG %g, %g g vs Newton %g, %g g", brake[1][0], brake[1][1], brake[0][0], brake[0][1]);
  CHECK(std::abs(brake[2][0] - 0.775538) < 1e-5, "impratio 10: braking along x %.7f g (MuJoCo 0.775538)", brake[2][0]);
  CHECK(std::abs(brake[3][0] - brake[0][0]) < 1e-5 && std::abs(brake[3][1] - brake[0][1]) < 1e-5,
        "elliptic braking, PGS %.7f, %.7f g vs Newton %.7f, %.7f g", brake[3][0], brake[3][1], brake[0][0], brake[0][1]);
  simModel* m = load(scene("cone=\"elliptic\""));
  simSolverOptions o;
  sim_modelSolverOptions(m, &o);
  o.solver = SIM_SOLVER_PGS;
  simModel* copy = nullptr;
  char msg[256] = "";
  CHECK(sim_copyModelWithSolverOptions(m, &o, &copy, msg, sizeof msg) == SIM_OK && copy,
        "switching an elliptic model to PGS: '%s'", msg);
  if (copy) {
    brake[4][0] = braking(copy, 0);
    CHECK(std::abs(brake[4][0] - brake[3][0]) < 1e-12, "PGS by switching %.9f g vs from the file %.9f g", brake[4][0], brake[3][0]);
  }
  sim_deleteModel(copy);
  sim_deleteModel(m);
}

// Contact forces of a box sliding along x on the floor (friction 0.4 on both geoms, as MuJoCo mixes
// them by max; slides x and z, so it cannot tip): sim_contactForces decodes
// the pyramid's edges, so each contact's force lies in the cone (|f_k| <= mu f_n), the floor pushes
// the box (the second geom) back against its motion, and the four contacts together brake it by
// at least half of mu g (the t2 edges carry normal force too, so a pyramid brakes by less than mu g).
static void slidingContactForces() {
  simModel* m = load("<mujoco><option timestep=\"0.002\"/><worldbody><geom type=\"plane\" size=\"5 5 .1\" "
                     "friction=\"0.4\"/><body pos=\"0 0 0.05\"><joint type=\"slide\" axis=\"1 0 0\"/><joint "
                     "type=\"slide\" axis=\"0 0 1\"/><geom type=\"box\" size=\"0.2 0.1 "
                     "0.05\" mass=\"2\" friction=\"0.4\"/></body></worldbody></mujoco>");
  if (!m) return;
  double q[2] = {0, -0.0001}, v[2] = {2, 0};
  simState* s = stepped(m, q, v, 50);
  int64_t ncon = 0;
  double con[8 * 13], f[8 * 6], worldX = 0, normal = 0;
  bool inCone = true;
  sim_contacts(m, s, 8, &ncon, nullptr, con);
  sim_contactForces(m, s, 8, &ncon, f);
  for (int i = 0; i < ncon && i < 8; ++i) {
    normal += f[6 * i];
    inCone = inCone && f[6 * i] > 0 && std::abs(f[6 * i + 1]) <= 0.4 * f[6 * i] + 1e-12 &&
             std::abs(f[6 * i + 2]) <= 0.4 * f[6 * i] + 1e-12 && f[6 * i + 3] == 0 && f[6 * i + 5] == 0;
    for (int r = 0; r < 3; ++r) worldX += f[6 * i + r] * con[13 * i + 4 + 3 * r];  // frame row r, x component
  }
  CHECK(ncon == 4 && inCone && v[0] > 1.5 && worldX < -0.5 * 0.4 * normal,
        "sliding box: %lld contacts, in cone %d, speed %g, braking force %g N against the normal force %g N", (long long)ncon,
        (int)inCone, v[0], worldX, normal);
  sim_deleteState(s);
  sim_deleteModel(m);
}

// The sweep-and-prune broad phase changes nothing: the pile stepped with it and with every pair
// tested gives bitwise the same states and contacts, while it skips most pairs.
static void broadPhase() {
  const sim::Model sweep = sim::compileModel(sim::parseMJCF(pileXML(), "pile"));
  sim::Model all = sweep;
  all.sweepAndPrune = false;
  CHECK(sweep.sweepAndPrune && sweep.pairs.size() == 78 && sweep.prunedPair.size() == 66,
        "pile: %zu pairs (12 with the plane), sweep %d", sweep.pairs.size(),
        (int)sweep.sweepAndPrune);
  sim::State a, b;
  sim::makeState(sweep, a);
  sim::makeState(all, b);
  long tested = 0, bodyContacts = 0, mismatch = 0;
  for (int k = 0; k < 1500; ++k) {
    sim::step(sweep, a);
    sim::step(all, b);
    for (char t : a.pairTested) tested += t;
    mismatch += a.qpos != b.qpos || a.qvel != b.qvel || a.ncon != b.ncon;
    for (int c = 0; c < a.ncon && c < b.ncon; ++c) {
      mismatch += a.contacts[c].pair != b.contacts[c].pair || a.contacts[c].dist != b.contacts[c].dist;
      bodyContacts += sweep.spec.geoms[sweep.pairs[a.contacts[c].pair].g1].type != SIM_GEOM_PLANE;
    }
  }
  CHECK(mismatch == 0, "broad phase changed %ld steps", mismatch);
  CHECK(bodyContacts > 1000 && tested < 1500 * 30, "body–body contacts %ld; pairs tested per step %g of 78",
        bodyContacts, tested / 1500.0);
}

int main() {
  // 1. limit: rest penetration F (1 − dmax) tc² dr² / m beyond the margin, both integrators
  for (const char* integrator : {"Euler", "RK4"})
    for (double margin : {0.0, 0.01}) {
      const std::string opt = std::string("integrator=\"") + integrator + "\"";
      simModel* m = load(slider("range=\"-0.1 0.1\" margin=\"" + std::to_string(margin) +
                                    "\" solreflimit=\"0.02 1\"", opt));
      double q, v, a;
      run(m, -100, 3000, &q, &v, &a);
      const double expected = -0.1 + margin - 100 * (1 - 0.95) * 0.02 * 0.02 * 1 / 1.0;
      CHECK(std::abs(q - expected) < 1e-9, "%s margin %g: rest at %.12f, closed form %.12f",
            integrator, margin, q, expected);
      CHECK(std::abs(v) < 1e-9, "at rest: v = %g", v);
      sim_deleteModel(m);
    }
  // 1b. the penetration never exceeds the soft constraint's: a hard hit at 2 m/s
  {
    simModel* m = load(slider("range=\"-0.1 0.1\""));
    simState* s = nullptr;
    sim_makeState(m, &s);
    double q = 0, v = -2, worst = 0;
    sim_setState(m, s, &q, &v, nullptr);
    for (int k = 0; k < 1000; ++k) {
      sim_step(m, s);
      sim_getState(m, s, &q, &v, nullptr, nullptr, nullptr);
      worst = std::max(worst, -0.1 - q);
    }
    // critically damped approach with time constant 0.02 s: at most v·tc/e ≈ 0.0147 m
    CHECK(worst > 0 && worst < 2 * 0.02 / std::exp(1.0) + 1e-3, "penetration %g", worst);
    CHECK(std::abs(v) < 2, "bounces back slower than it came: %g m/s", v);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // 2. dry friction: creep at F·R/B below the bound, qacc = (F − F_f)/m above it
  {
    simModel* m = load(slider("frictionloss=\"2\""));
    double q, v, a;
    run(m, 1.0, 500, &q, &v, &a);
    const double R = (1 - 0.9) / 0.9 * 1.0, B = 2 / (0.95 * 0.02);
    CHECK(std::abs(v - 1.0 * R / B) < 1e-9, "creep %.12g, closed form %.12g", v, R / B);
    CHECK(std::abs(q) < 1.0 * 1.0 * R / B + 1e-9, "held: moved %g in 1 s", q);
    run(m, 5.0, 250, &q, &v, &a);
    CHECK(std::abs(a - 3.0) < 1e-9, "sliding qacc %.12g, closed form 3", a);
    run(m, -5.0, 250, &q, &v, &a);
    CHECK(std::abs(a + 3.0) < 1e-9, "sliding qacc %.12g, closed form -3", a);
    int64_t nefc = -1;
    simState* s = nullptr;
    sim_makeState(m, &s);
    sim_forward(m, s);
    sim_constraintInfo(m, s, &nefc, nullptr, nullptr, nullptr);
    CHECK(nefc == 1, "one friction row, got %lld", (long long)nefc);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // 3. Newton, CG and PGS find the same acceleration (tight tolerance), with limits and friction
  {
    const std::string xml =
        "<mujoco><compiler angle=\"radian\"/><option timestep=\"0.002\"/><worldbody><body pos=\"0 0 1\">"
        "<joint axis=\"0 1 0\" frictionloss=\"0.8\" range=\"-1 1\" margin=\"0.05\"/>"
        "<geom type=\"capsule\" fromto=\"0 0 0 0.3 0 0\" size=\"0.04\"/><body pos=\"0.3 0 0\">"
        "<joint axis=\"0 1 0\" frictionloss=\"0.3\" range=\"-0.5 0.7\" solreflimit=\"-5000 -20\"/>"
        "<geom type=\"capsule\" fromto=\"0 0 0 0.3 0 0\" size=\"0.04\"/><body pos=\"0.3 0 0\">"
        "<joint type=\"slide\" axis=\"1 0 0\" frictionloss=\"2\" range=\"-0.1 0.1\"/>"
        "<geom type=\"sphere\" size=\"0.06\"/></body></body></body></worldbody></mujoco>";
    simModel* base = load(xml);
    double qacc[3][3];
    const double q[3] = {-1.02, 0.72, 0.2}, v[3] = {-0.3, 1.0, 0.5};
    for (int solver = 0; solver < 3; ++solver) {
      simSolverOptions o;
      sim_modelSolverOptions(base, &o);
      CHECK(o.solver == SIM_SOLVER_NEWTON && o.iterations == 100 && o.tolerance == 1e-8,
            "MuJoCo's defaults");
      o.solver = solver;
      o.tolerance = 1e-15;
      o.iterations = 5000;
      simModel* m = nullptr;
      CHECK(sim_copyModelWithSolverOptions(base, &o, &m, nullptr, 0) == SIM_OK, "copy");
      simState* s = nullptr;
      sim_makeState(m, &s);
      sim_setState(m, s, q, v, nullptr);
      sim_forward(m, s);
      int64_t nefc = 0;
      sim_constraintInfo(m, s, &nefc, nullptr, nullptr, nullptr);
      CHECK(nefc == 6, "3 friction + 3 limit rows, got %lld", (long long)nefc);
      sim_getState(m, s, nullptr, nullptr, qacc[solver], nullptr, nullptr);
      sim_deleteState(s);
      sim_deleteModel(m);
    }
    for (int solver = 0; solver < 2; ++solver)
      for (int i = 0; i < 3; ++i)
        CHECK(std::abs(qacc[solver][i] - qacc[SIM_SOLVER_NEWTON][i]) <
                  1e-6 * (1 + std::abs(qacc[SIM_SOLVER_NEWTON][i])),
              "solver %d dof %d: %.12g vs Newton %.12g", solver, i, qacc[solver][i],
              qacc[SIM_SOLVER_NEWTON][i]);
    sim_deleteModel(base);
  }
  // 4. energy: a pendulum without damping swinging into its limit loses energy in the bounce
  // and never gains any; dry friction makes energy decrease monotonically
  for (const char* joint : {"range=\"-0.5 0.5\"", "frictionloss=\"0.05\""}) {
    simModel* m = load(std::string("<mujoco><compiler angle=\"radian\"/><option timestep=\"0.001\" "
                                   "integrator=\"RK4\"/><worldbody>"
                                   "<body><joint axis=\"0 1 0\" ") + joint +
                       "/><geom type=\"sphere\" pos=\"0 0 -0.5\" size=\"0.05\" mass=\"1\"/>"
                       "</body></worldbody></mujoco>");
    simState* s = nullptr;
    sim_makeState(m, &s);
    double q = 0.4, v = 3, pe, ke;
    sim_setState(m, s, &q, &v, nullptr);
    sim_energy(m, s, &pe, &ke);
    const double e0 = pe + ke;
    double prev = e0, rise = 0;
    bool wasInside = true;
    for (int k = 0; k < 2000; ++k) {
      sim_step(m, s);
      sim_energy(m, s, &pe, &ke);
      sim_getState(m, s, &q, &v, nullptr, nullptr, nullptr);
      // energy may only come back while the limit's spring is compressed (it stores energy there)
      const bool inside = q < 0.5 && q > -0.5;
      if (inside && wasInside) rise = std::max(rise, pe + ke - prev);
      wasInside = inside;
      prev = pe + ke;
    }
    CHECK(prev < e0 - 1e-3, "%s: energy %g → %g must drop", joint, e0, prev);
    CHECK(rise < 1e-6, "%s: energy rose by %g away from the limit", joint, rise);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // 5. contacts. A ball resting on a plane (condim 3, friction mu, flat impedance d): each of the
  // four pyramid edges carries D·K·d·(−dist), their normal parts sum to m g, and
  // R = 2 mu² R_n, R_n = (1 − d)/d · (1 + mu²)/m, so the rest penetration is
  // g mu² (1 − d)(1 + mu²) tc² dr² / 2 (independent of m).
  {
    // (both geoms get the parameters: a pair takes the larger friction and the mean solimp)
    simModel* m = load("<mujoco><option timestep=\"0.002\"/><default><geom friction=\"0.7\" "
                       "solimp=\"0.95 0.95 0.001\"/></default><worldbody><geom type=\"plane\" "
                       "size=\"1 1 .1\"/><body><joint type=\"slide\" axis=\"0 0 1\"/><geom "
                       "type=\"sphere\" size=\"0.1\" mass=\"2\"/></body></worldbody></mujoco>");
    double q, v, a;
    run(m, 0, 3000, &q, &v, &a, 0.3);
    const double mu = 0.7, d = 0.95, tc = 0.02;
    const double pen = 9.81 * mu * mu * (1 - d) * (1 + mu * mu) * tc * tc / 2;
    CHECK(std::abs(q - (0.1 - pen)) < 1e-9, "ball rests at %.12f, closed form %.12f", q, 0.1 - pen);
    simState* s = nullptr;
    sim_makeState(m, &s);
    double z = 0.1 - pen, zero = 0;
    sim_setState(m, s, &z, &zero, nullptr);
    sim_forward(m, s);
    int64_t nefc = 0, ncon = 0;
    sim_constraintInfo(m, s, &nefc, &ncon, nullptr, nullptr);
    CHECK(ncon == 1 && nefc == 4, "one contact, four pyramid edges: %lld, %lld", (long long)ncon, (long long)nefc);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // a box resting on a plane does not drift (10 s), and the ridge ball falls to the side it
  // starts on
  {
    simModel* m = load("<mujoco><option timestep=\"0.002\"/><worldbody><geom type=\"plane\" size=\"5 5 .1\"/>"
                       "<body><joint type=\"slide\" axis=\"1 0 0\"/><joint type=\"slide\" axis=\"0 0 1\"/>"
                       "<joint axis=\"0 1 0\"/><geom type=\"box\" size=\"0.2 0.1 0.05\" mass=\"2\"/></body>"
                       "</worldbody></mujoco>");
    simState* s = nullptr;
    sim_makeState(m, &s);
    double q[3] = {0, 0.05 - 0.0002, 0}, v[3] = {0, 0, 0}, worst = 0;
    sim_setState(m, s, q, v, nullptr);
    for (int k = 0; k < 5000; ++k) {
      sim_step(m, s);
      sim_getState(m, s, q, v, nullptr, nullptr, nullptr);
      if (k > 500) worst = std::max(worst, std::abs(v[0]) + std::abs(v[2]));
    }
    CHECK(worst < 1e-6, "box drift %g m/s", worst);
    sim_deleteState(s);
    sim_deleteModel(m);
    m = load(builtinXML("ridgeball"));
    for (double x0 : {0.01, -0.01}) {
      double x[3] = {x0, 0, 0}, zero[3] = {0, 0, 0};
      sim_makeState(m, &s);
      sim_setState(m, s, x, zero, nullptr);
      for (int k = 0; k < 1000; ++k) sim_step(m, s);
      sim_getState(m, s, x, nullptr, nullptr, nullptr, nullptr);
      CHECK(x[0] * x0 > 0 && std::abs(x[0]) > 0.5 && std::abs(x[1] + 0.5) < 1e-3,
            "ridgeball from %g: x %g, z %g (on the floor, its side)", x0, x[0], x[1]);
      sim_deleteState(s);
    }
    sim_deleteModel(m);
    // the pusher's puck slid into the post 5 mm off its axis glances off to that side and stops
    // on the floor (MuJoCo: x 0.0654, |y| 0.0072 after 2 s); the hopper tipped 0.1 rad forward or
    // backward falls that way and lies on the floor (MuJoCo: x 1.218 / -1.060, pitch 1.598 / -1.788)
    m = load(builtinXML("pusher"));
    for (double y0 : {0.005, -0.005}) {
      double q[5] = {1.5, 0, 0, y0, 0}, v[5] = {0, 0, 1, 0, 0};
      sim_makeState(m, &s);
      sim_setState(m, s, q, v, nullptr);
      for (int k = 0; k < 1000; ++k) sim_step(m, s);
      sim_getState(m, s, q, v, nullptr, nullptr, nullptr);
      CHECK(std::abs(q[2] - 0.0654) < 1e-3 && std::abs(q[3] - 0.0072 * (y0 > 0 ? 1 : -1)) < 1e-3 &&
                std::abs(q[4]) < 1e-3 && std::abs(v[2]) + std::abs(v[3]) < 1e-3,
            "pusher's puck from y %g: x %g, y %g, z %g, speed %g", y0, q[2], q[3], q[4], std::abs(v[2]) + std::abs(v[3]));
      sim_deleteState(s);
    }
    sim_deleteModel(m);
    m = load(builtinXML("hopper"));
    for (double pitch : {0.1, -0.1}) {
      double q[6] = {0, 0, pitch, 0, 0, 0}, zero[6] = {0, 0, 0, 0, 0, 0};
      sim_makeState(m, &s);
      sim_setState(m, s, q, zero, nullptr);
      for (int k = 0; k < 1000; ++k) sim_step(m, s);
      sim_getState(m, s, q, nullptr, nullptr, nullptr, nullptr);
      CHECK(q[0] * pitch > 0.05 && std::abs(q[2]) > 1.2 && q[2] * pitch > 0,
            "hopper tipped %g: x %g, pitch %g (fallen that way)", pitch, q[0], q[2]);
      sim_deleteState(s);
    }
    sim_deleteModel(m);
  }
  // 6. bad input is refused with a status
  load(slider("range=\"-1 1\" solreflimit=\"0.02 -1\""), SIM_ERR_MODEL);
  load(slider("frictionloss=\"-1\""), SIM_ERR_MODEL);
  load(slider("", "solver=\"Jacobi\""), SIM_ERR_PARSE);
  load(slider("", "iterations=\"-3\""), SIM_ERR_MODEL);
  load(slider("", "impratio=\"0\""), SIM_ERR_MODEL);
  load("<mujoco><worldbody><body><joint/><geom size=\"0.1\" condim=\"2\"/></body></worldbody></mujoco>",
       SIM_ERR_MODEL);
  {
    simModel* m = load(slider("range=\"-1 1\""));
    simSolverOptions o;
    sim_modelSolverOptions(m, &o);
    o.solver = 7;
    simModel* c = nullptr;
    CHECK(sim_copyModelWithSolverOptions(m, &o, &c, nullptr, 0) == SIM_ERR_ARGUMENT && !c, "bad solver");
    sim_modelSolverOptions(m, &o);
    o.tolerance = NAN;
    CHECK(sim_copyModelWithSolverOptions(m, &o, &c, nullptr, 0) == SIM_ERR_ARGUMENT && !c, "NaN tolerance");
    sim_deleteModel(m);
  }
  floatingBases();
  equalities();
  explicitPairs();
  boxBoxContacts();
  newPairContacts();
  torsionalRolling();
  slidingContactForces();
  frictionless();
  ellipticCone();
  broadPhase();
  std::printf("constraint tests: %d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
