// adhesion_test.cpp — adhesion actuators (MuJoCo's body transmission): the moment, actuator force
// and qfrc_actuator against MuJoCo's at MuJoCo's own states, trajectories under every integrator
// (sim/tests/adhesion_reference.inc, written by benchmarks/adhesion_vs_mujoco.py with the scenes'
// MJCF), closed forms, and bad input. Built and run by scripts/test.sh from the repository root.
//
// The body transmission: moment = −(1/n) Σ_c (normal Jacobian of contact c), over the n contacts of
// the body (rows of active ones; contacts in the gap through their point Jacobians), force =
// gain·clamp(ctrl) (clamped to forcerange), qfrc = momentᵀ force. Closed forms:
// - a box face-down on a ceiling (normal −z): the four corner contacts' normal rows average to
//   −e_z·(−1) = +e_z on the linear z dof and their torques cancel, so moment = e_z and
//   qfrc = gain·ctrl·e_z (any cone: a pyramid's edges n ± μ t average to n);
// - the box stays at the ceiling with ctrl 1 (gain 150 N > its weight 78.5 N) and falls as
//   z(t) ≈ z₀ − ½ g t² with ctrl 0 (no contact once it has left the margin + gap);
// - no contacts: a zero moment and no force on any dof.
// Also MuJoCo's <default><mesh scale> (dm_control's fruitfly, the file with adhesion actuators,
// scales its meshes that way): masses and inertias of scaled cube meshes.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "energysim.h"

#include "../src/state.hpp"
#include "adhesion_reference.inc"
#include "check.hpp"

namespace {

sim::Model compile(const std::string& xml, int integrator) {
  sim::ModelSpec spec = sim::parseMJCF(xml, "adhesion");
  spec.integrator = integrator;
  return sim::compileModel(spec);
}

// Our dense moment row of actuator a (MuJoCo's actuator_moment): gear on a joint's dof, the
// body transmission's row.
void momentRow(const sim::Model& m, const sim::State& s, int a, double* out) {
  std::fill(out, out + m.nv, 0.0);
  if (m.actMomentRow[a] >= 0) {
    std::copy_n(&s.actMoment[(size_t)m.actMomentRow[a] * m.nv], m.nv, out);
  } else if (m.actTendon[a] < 0) {
    out[m.actDof[a]] = m.actGear[a];
  }
}

void setState(const sim::Model& m, sim::State& s, const double* qpos, const double* qvel, const double* ctrl) {
  std::copy_n(qpos, m.nq, s.qpos.begin());
  std::copy_n(qvel, m.nv, s.qvel.begin());
  std::copy_n(ctrl, m.nu, s.ctrl.begin());
}

// The moment, force and qfrc_actuator at each of MuJoCo's recorded states, and our trajectory from
// its start: returns max |Δqpos| over the snapshots.
double compareReference(const AdhesionReference& r, double* worstMoment, double* worstForce) {
  const sim::Model m = compile(r.xml, r.integrator);
  CHECK(m.nq == r.nq && m.nv == r.nv && m.nu == r.nu, "%s: sizes %d %d %d", r.scene, m.nq, m.nv, m.nu);
  if (m.nq != r.nq || m.nv != r.nv || m.nu != r.nu) return INFINITY;
  sim::State at, run;
  sim::makeState(m, at);
  sim::makeState(m, run);
  setState(m, run, r.snap[0].qpos, r.snap[0].qvel, r.ctrl);
  double worstQ = 0;
  std::vector<double> row(m.nv);
  for (int k = 0; k < kAdhSnaps; ++k) {
    const AdhesionSnap& snap = r.snap[k];
    // at MuJoCo's state: what mj_forward computes there
    setState(m, at, snap.qpos, snap.qvel, r.ctrl);
    sim::forward(m, at);
    CHECK(at.ncon == snap.ncon && at.ngap == snap.ngap, "%s (integrator %d) snapshot %d: %d contacts + %d in the gap, MuJoCo %d + %d",
          r.scene, r.integrator, k, at.ncon, at.ngap, snap.ncon, snap.ngap);
    for (int a = 0; a < m.nu; ++a) {
      momentRow(m, at, a, row.data());
      for (int i = 0; i < m.nv; ++i) *worstMoment = std::max(*worstMoment, std::abs(row[i] - snap.moment[a][i]));
      *worstForce = std::max(*worstForce, std::abs(at.actForce[a] - snap.force[a]));
    }
    for (int i = 0; i < m.nv; ++i) *worstForce = std::max(*worstForce, std::abs(at.qfrcApplied[i] - snap.qfrc[i]));
    // our trajectory
    if (k > 0) {
      for (int t = 0; t < kAdhEvery; ++t) CHECK(sim::step(m, run) == SIM_OK, "%s: step failed", r.scene);
      for (int i = 0; i < m.nq; ++i) worstQ = std::max(worstQ, std::abs(run.qpos[i] - snap.qpos[i]));
    }
  }
  return worstQ;
}

const char* kCeiling = R"(<mujoco>
  <option timestep="0.002" cone="%s"/>
  <worldbody>
    <geom type="plane" size="2 2 0.1" pos="0 0 1" quat="0 1 0 0" condim="%d"/>
    <body name="box" pos="0 0 0.9">
      <freejoint/>
      <geom type="box" size="0.1 0.1 0.1" density="1000" condim="%d"/>
    </body>
    <body name="far" pos="3 0 0"><freejoint/><geom type="sphere" size="0.1"/></body>
  </worldbody>
  <actuator>
    <adhesion body="box" ctrlrange="0 1" gain="150"/>
    <adhesion body="far" ctrlrange="0 1" gain="150"/>
  </actuator>
</mujoco>)";

std::string ceiling(const char* cone, int condim) {
  char buf[2048];
  std::snprintf(buf, sizeof buf, kCeiling, cone, condim, condim);
  return buf;
}

void closedForms() {
  const char* cones[] = {"pyramidal", "elliptic"};
  for (const char* cone : cones)
    for (int condim : {1, 3, 4, 6}) {
      const sim::Model m = compile(ceiling(cone, condim), SIM_INTEGRATOR_EULER);
      sim::State s;
      sim::makeState(m, s);
      s.ctrl[0] = 5;  // clamped to ctrlrange: adhesion is ctrllimited
      s.ctrl[1] = 1;
      sim::forward(m, s);
      CHECK(s.ncon == 4, "%s condim %d: %d contacts", cone, condim, s.ncon);
      std::vector<double> row(m.nv);
      momentRow(m, s, 0, row.data());
      double err = 0;
      for (int i = 0; i < m.nv; ++i) err = std::max(err, std::abs(row[i] - (i == 2 ? 1.0 : 0.0)));
      CHECK(err < 1e-12, "%s condim %d: moment off e_z by %g", cone, condim, err);
      CHECK(std::abs(s.actForce[0] - 150) < 1e-12, "%s condim %d: force %g (ctrl clamped to 1)", cone, condim,
            s.actForce[0]);
      CHECK(std::abs(s.qfrcApplied[2] - 150) < 1e-10, "%s condim %d: qfrc_z %g", cone, condim, s.qfrcApplied[2]);
      // the far sphere touches nothing: zero moment, no force on its dofs
      momentRow(m, s, 1, row.data());
      double far = 0;
      for (int i = 0; i < m.nv; ++i) far = std::max(far, std::abs(row[i]));
      for (int i = 6; i < 12; ++i) far = std::max(far, std::abs(s.qfrcApplied[i]));
      CHECK(far == 0, "%s condim %d: the untouching body's moment or force %g", cone, condim, far);
    }
  // stuck with ctrl 1, falling with ctrl 0 (every integrator that takes a free joint)
  for (int integrator : {SIM_INTEGRATOR_EULER, SIM_INTEGRATOR_RK4, SIM_INTEGRATOR_IMPLICITFAST}) {
    const sim::Model m = compile(ceiling("pyramidal", 3), integrator);
    for (double ctrl : {1.0, 0.0}) {
      sim::State s;
      sim::makeState(m, s);
      s.ctrl[0] = ctrl;
      const int n = 250;  // 0.5 s
      for (int t = 0; t < n; ++t) sim::step(m, s);
      const double z = s.qpos[2], T = n * m.spec.timestep;
      if (ctrl > 0) {
        CHECK(std::abs(z - 0.9) < 1e-3 && s.ncon == 4, "integrator %d: stuck box at z %g (%d contacts)", integrator, z,
              s.ncon);
      } else {
        // free fall from rest after leaving the ceiling: within the first steps' contact push
        const double fall = 0.9 - 0.5 * 9.81 * T * T;
        CHECK(std::abs(z - fall) < 0.01 && s.ncon == 0, "integrator %d: falling box at z %g, free fall %g", integrator,
              z, fall);
      }
    }
  }
}

void badInput() {
  struct Bad {
    const char* actuator;
    const char* message;
  };
  const Bad cases[] = {
      {R"(<adhesion body="box" ctrlrange="0 1" gain="-1"/>)", "gain must not be negative"},
      {R"(<adhesion body="box" ctrlrange="-1 1"/>)", "must not be negative"},
      {R"(<adhesion body="nobody" ctrlrange="0 1"/>)", "unknown body"},
      {R"(<adhesion body="box" joint="j" ctrlrange="0 1"/>)", "one transmission only"},
      {R"(<adhesion body="box"/>)", "ctrlrange"},  // ctrllimited without a range
      {R"(<adhesion body="box" ctrlrange="0 1" kp="3"/>)", "kp"},
  };
  for (const Bad& b : cases) {
    const std::string xml = std::string(R"(<mujoco><worldbody><body name="box"><joint name="j" type="slide"/>)"
                                        R"(<geom type="box" size="0.1 0.1 0.1"/></body></worldbody><actuator>)") +
                            b.actuator + "</actuator></mujoco>";
    char msg[4096] = "";
    simModel* model = nullptr;
    const int32_t st = sim_loadModelString(xml.c_str(), "bad", &model, msg, sizeof msg);
    CHECK(st != SIM_OK && std::string(msg).find(b.message) != std::string::npos, "%s: status %d, message: %s",
          b.actuator, st, msg);
    sim_deleteModel(model);
  }
  // a default class of <adhesion> and the actuator information of the bridge
  const char* xml = R"(<mujoco><default><default class="sticky"><adhesion ctrlrange="0 2" gain="7"/></default></default>
    <worldbody><body name="box"><joint name="j" type="slide"/><geom type="box" size="0.1 0.1 0.1"/></body></worldbody>
    <actuator><adhesion class="sticky" body="box"/></actuator></mujoco>)";
  const sim::Model m = compile(xml, SIM_INTEGRATOR_EULER);
  CHECK(m.nu == 1 && m.actGain[0] == 7 && m.ctrlLimited[0] && m.ctrlHi[0] == 2 && m.actBody[0] == 1 &&
            m.actBias[0] == 0 && m.actBias[2] == 0,
        "default class: gain %g limited %d hi %g body %d", m.actGain[0], (int)m.ctrlLimited[0], m.ctrlHi[0],
        m.actBody[0]);
}

// MuJoCo's mesh defaults (the fruitfly's meshes are scaled by <default><mesh scale>): a cube mesh
// of side 2 with density 1000 scaled by main's 0.5 (mass 1000, inertia m·s²/6 = 166.67), by a
// nested class's (1, 1, 2) (16000; 26666.67, 26666.67, 10666.67 about its principal axes) and
// by its own scale 1 (8000; 5333.33): MuJoCo 4.0.1's numbers for this file.
void meshDefaults() {
  const std::string v = "-1 -1 -1  1 -1 -1  1 1 -1  -1 1 -1  -1 -1 1  1 -1 1  1 1 1  -1 1 1";
  const std::string f = "0 2 1 0 3 2 4 5 6 4 6 7 0 1 5 0 5 4 1 2 6 1 6 5 2 3 7 2 7 6 3 0 4 3 4 7";
  const std::string mesh = "vertex=\"" + v + "\" face=\"" + f + "\"";
  const std::string xml =
      "<mujoco><default><mesh scale=\"0.5 0.5 0.5\"/><default class=\"big\"><mesh scale=\"1 1 2\"/></default></default>"
      "<asset><mesh name=\"a\" " + mesh + "/><mesh name=\"b\" class=\"big\" " + mesh +
      "/><mesh name=\"c\" class=\"big\" scale=\"1 1 1\" " + mesh + "/></asset><worldbody>"
      "<body name=\"A\"><freejoint/><geom type=\"mesh\" mesh=\"a\" density=\"1000\"/></body>"
      "<body name=\"B\" pos=\"3 0 0\"><freejoint/><geom type=\"mesh\" mesh=\"b\" density=\"1000\"/></body>"
      "<body name=\"C\" pos=\"6 0 0\"><freejoint/><geom type=\"mesh\" mesh=\"c\" density=\"1000\"/></body>"
      "</worldbody></mujoco>";
  char msg[4096] = "";
  simModel* model = nullptr;
  const int32_t st = sim_loadModelString(xml.c_str(), "meshes", &model, msg, sizeof msg);
  CHECK(st == SIM_OK, "mesh defaults: %s", msg);
  if (st != SIM_OK) return;
  int64_t parent[4];
  double mass[4], com[12], inertia[36];
  sim_bodyInfo(model, parent, mass, com, inertia);
  const double expectMass[3] = {1000, 16000, 8000};
  const double expectI[3][3] = {{1000.0 / 6, 1000.0 / 6, 1000.0 / 6},
                                {16000.0 * 20 / 12, 16000.0 * 20 / 12, 16000.0 * 8 / 12},
                                {8000.0 / 1.5, 8000.0 / 1.5, 8000.0 / 1.5}};
  for (int b = 1; b < 4; ++b) {
    CHECK(std::abs(mass[b] - expectMass[b - 1]) < 1e-9 * expectMass[b - 1], "mesh body %d: mass %.17g, MuJoCo %g", b,
          mass[b], expectMass[b - 1]);
    for (int k = 0; k < 3; ++k)
      CHECK(std::abs(inertia[9 * b + 4 * k] - expectI[b - 1][k]) < 1e-9 * expectI[b - 1][k],
            "mesh body %d: inertia %d %.17g, MuJoCo %.17g", b, k, inertia[9 * b + 4 * k], expectI[b - 1][k]);
  }
  sim_deleteModel(model);
}

}  // namespace

int main() {
  double worstMoment = 0, worstForce = 0, worstQ = 0;
  const int n = sizeof kAdhesionReference / sizeof kAdhesionReference[0];
  const char* integrators[] = {"euler", "rk4", "implicit", "implicitfast"};
  std::string last;
  double sceneQ = 0;
  for (int i = 0; i < n; ++i) {
    const AdhesionReference& r = kAdhesionReference[i];
    const double q = compareReference(r, &worstMoment, &worstForce);
    CHECK(q <= 1e-9, "%s, %s, start %d: max |dqpos| %g vs MuJoCo", r.scene, integrators[r.integrator], i % 4, q);
    worstQ = std::max(worstQ, q);
    sceneQ = std::max(sceneQ, q);
    const std::string key = std::string(r.scene) + ", " + integrators[r.integrator];
    if (i % 4 == 3) {
      std::printf("  %-48s max |dqpos| %.2g\n", key.c_str(), sceneQ);
      sceneQ = 0;
    }
  }
  CHECK(worstMoment <= 1e-12, "moment vs MuJoCo %g", worstMoment);
  CHECK(worstForce <= 1e-10, "actuator force / qfrc_actuator vs MuJoCo %g", worstForce);
  std::printf("MuJoCo references: %d runs, max |dmoment| %.2g, max |dforce| %.2g, max |dqpos| %.2g\n", n, worstMoment,
              worstForce, worstQ);
  closedForms();
  badInput();
  meshDefaults();
  std::printf("adhesion_test: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
