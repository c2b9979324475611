// integrate.cpp — forward dynamics of the whole pipeline and the two integrators.
#include <algorithm>

#include "state.hpp"

namespace sim {

// qaccSmooth = M⁻¹ (tau − c) by ABA; M by CRBA; then the constraint solver's qacc. The rows
// (makeConstraints) must be current.
void constrainedAcceleration(const Model& m, State& s) {
  aba(m, s, nullptr);
  std::copy(s.qacc.begin(), s.qacc.end(), s.qaccSmooth.begin());
  crba(m, s, s.M.data());
  // qfrcSmooth = M qaccSmooth (= tau − c, without a second pass)
  Eigen::Map<Eigen::VectorXd>(s.qfrcSmooth.data(), m.nv).noalias() =
      s.M * Eigen::Map<const Eigen::VectorXd>(s.qaccSmooth.data(), m.nv);
  solveConstraints(m, s);
}

namespace {

// tau = actuators + passive; then ABA, and the constraint solver when rows are active.
// `extraArmature` as in aba(): Euler's implicit damping. As MuJoCo's mj_Euler, the constraint
// problem is solved with M, and the damped step then takes (M + h·diag(damping))⁻¹ (tau − c +
// Jᵀ f); s.qaccWarmstart keeps the solver's own qacc.
void dynamics(const Model& m, State& s, const double* extraArmature) {
  kinematics(m, s);
  actuatorForces(m, s);
  passiveForces(m, s);
  for (int i = 0; i < m.nv; ++i) s.tau[i] = s.qfrcApplied[i] + s.qfrcPassive[i];
  if (m.maxConstraintRows == 0) {
    aba(m, s, extraArmature);
    return;
  }
  makeConstraints(m, s);
  if (s.nefc == 0) {
    std::fill(s.qfrcConstraint.begin(), s.qfrcConstraint.end(), 0.0);
    aba(m, s, extraArmature);
    std::copy(s.qacc.begin(), s.qacc.end(), s.qaccWarmstart.begin());
    return;
  }
  constrainedAcceleration(m, s);
  if (extraArmature) {
    for (int i = 0; i < m.nv; ++i) s.tau[i] += s.qfrcConstraint[i];
    aba(m, s, extraArmature);
  }
}

// Semi-implicit Euler as MuJoCo: (M + h·diag(damping)) qacc = tau, qvel += h qacc,
// qpos += h qvel. The implicit damping is exactly extra armature h·damping in ABA.
void eulerStep(const Model& m, State& s, double h) {
  double* extra = s.dqvel.data();  // scratch
  bool anyDamping = false;
  for (int i = 0; i < m.nv; ++i) {
    extra[i] = h * m.damping[i];
    anyDamping |= m.damping[i] > 0;
  }
  dynamics(m, s, anyDamping ? extra : nullptr);
  for (int i = 0; i < m.nv; ++i) {
    s.qvel[i] += h * s.qacc[i];
    s.qpos[i] += h * s.qvel[i];
  }
  s.time += h;
}

// Classic RK4 on (qpos, qvel) with controls held, as MuJoCo's mj_RungeKutta (explicit damping).
void rk4Step(const Model& m, State& s, double h) {
  static const double A[3] = {0.5, 0.5, 1.0};  // stage i uses A[i-1] × stage i-1's slope
  static const double B[4] = {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6};
  const int nv = m.nv;
  for (int i = 0; i < nv; ++i) {
    s.qpos0[i] = s.qpos[i];
    s.qvel0[i] = s.qvel[i];
    s.dqpos[i] = 0;
    s.dqvel[i] = 0;
  }
  const double t0 = s.time;
  for (int stage = 0; stage < 4; ++stage) {
    if (stage > 0) {
      // this stage's state: x0 + h·A·(previous stage's slope), slope qvel is the velocity there
      const double ah = A[stage - 1] * h;
      for (int i = 0; i < nv; ++i) {
        const double slopeQ = s.qvel[i], slopeV = s.qacc[i];
        s.qpos[i] = s.qpos0[i] + ah * slopeQ;
        s.qvel[i] = s.qvel0[i] + ah * slopeV;
      }
      s.time = t0 + ah;
    }
    dynamics(m, s, nullptr);
    for (int i = 0; i < nv; ++i) {
      s.dqpos[i] += B[stage] * s.qvel[i];
      s.dqvel[i] += B[stage] * s.qacc[i];
    }
  }
  for (int i = 0; i < nv; ++i) {
    s.qpos[i] = s.qpos0[i] + h * s.dqpos[i];
    s.qvel[i] = s.qvel0[i] + h * s.dqvel[i];
  }
  s.time = t0 + h;
}

}  // namespace

void forward(const Model& m, State& s) { dynamics(m, s, nullptr); }

int step(const Model& m, State& s) {
  const int nv = m.nv;
  const int substeps = m.spec.substeps;
  const double h = m.spec.timestep / substeps;
  // keep the pre-step state so that a failing step leaves it untouched
  const double savedTime = s.time;
  std::copy(s.qpos.begin(), s.qpos.end(), s.savedQpos.begin());
  std::copy(s.qvel.begin(), s.qvel.end(), s.savedQvel.begin());
  for (int k = 0; k < substeps; ++k) {
    if (m.spec.integrator == SIM_INTEGRATOR_RK4) rk4Step(m, s, h);
    else eulerStep(m, s, h);
  }
  if (!allFinite(s.qpos.data(), nv) || !allFinite(s.qvel.data(), nv) ||
      !allFinite(s.qacc.data(), nv)) {
    std::copy(s.savedQpos.begin(), s.savedQpos.end(), s.qpos.begin());
    std::copy(s.savedQvel.begin(), s.savedQvel.end(), s.qvel.begin());
    s.time = savedTime;
    return SIM_ERR_NONFINITE;
  }
  return SIM_OK;
}

}  // namespace sim
