// derivative.cpp — the velocity derivative of the smooth forces, for the implicit integrators.
//
// qDeriv = ∂(qfrc_actuator + qfrc_passive − [qfrc_bias])/∂qvel, MuJoCo's mjd_smooth_vel:
//   actuators: force = gain(l, v)·u + bias(l, v) with v = moment·qvel (moment = gear on a joint,
//     gear·J on a tendon, the contacts' mean normal row on a body: the moment is held fixed, as
//     MuJoCo's mjd_actuator_vel holds it; adhesion's fixed gain adds nothing) gives ∂qfrc/∂qvel = momentᵀ (gain₂·u + bias₂) moment, u the control or
//     activation (its next value with actearly); an actuator held at its forcerange adds nothing
//     (actuatorForces leaves gain₂·u + bias₂, or 0, in s.actForceVel);
//   passive: −damping on the dof diagonal, −damping·Jᵀ J per tendon;
//   bias (implicit only): −∂c/∂qvel, one rneaVJP backward sweep per row.
// Entries outside the dof tree's sparsity (two dofs on different branches, coupled by a tendon)
// are dropped as MuJoCo's sparse qDeriv drops them; the integrators read only the tree's entries.
#include <algorithm>

#include "state.hpp"

namespace sim {

namespace {

// qDeriv += scale · aᵀ a for a row a [nv] (a tendon's Jacobian).
void addOuter(State& s, const double* a, double scale, int nv) {
  for (int i = 0; i < nv; ++i) {
    if (a[i] == 0) continue;
    for (int j = 0; j < nv; ++j)
      if (a[j] != 0) s.qDeriv(i, j) += scale * a[i] * a[j];
  }
}

}  // namespace

void smoothVelocityDerivative(const Model& m, State& s, bool withBias) {
  const int nv = m.nv;
  s.qDeriv.setZero();
  // actuators (MuJoCo's mjd_actuator_vel): force(v) with v = gear·q̇ or gear·L̇ = gear·J q̇
  for (int a = 0; a < m.nu; ++a) {
    const double g = m.actGear[a], dforce = s.actForceVel[a];
    if (dforce == 0) continue;
    if (m.actMomentRow[a] >= 0) addOuter(s, &s.actMoment[(size_t)m.actMomentRow[a] * nv], dforce, nv);
    else if (m.actTendon[a] < 0) s.qDeriv(m.actDof[a], m.actDof[a]) += g * g * dforce;
    else addOuter(s, &s.tenJ[(size_t)m.actTendon[a] * nv], g * g * dforce, nv);
  }
  // passive damping (MuJoCo's mjd_passive_vel; springs do not depend on qvel)
  for (int i = 0; i < nv; ++i) s.qDeriv(i, i) -= m.damping[i];
  for (int t = 0; t < m.ntendon(); ++t)
    if (m.tendons[t].damping != 0) addOuter(s, &s.tenJ[(size_t)t * nv], -m.tendons[t].damping, nv);
  if (!withBias) return;
  // −∂c/∂qvel, row i from the cotangent e_i: rneaVJP's ∂τ/∂qvel is ∂c/∂qvel + diag(damping)
  // (scratch: w in qaccImplicit, the unused products in dqpos and D, the row in dqvel)
  rneaVJPForward(m, s, s.qacc.data(), s.u.data());
  double* w = s.qaccImplicit.data();
  std::fill(w, w + nv, 0.0);
  for (int i = 0; i < nv; ++i) {
    w[i] = 1;
    rneaVJPBackward(m, s, w, s.dqpos.data(), s.dqvel.data(), s.D.data());
    w[i] = 0;
    for (int j = 0; j < nv; ++j) s.qDeriv(i, j) -= s.dqvel[j] - (i == j ? m.damping[j] : 0.0);
  }
}

}  // namespace sim
