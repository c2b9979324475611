// tendon.cpp — tendon lengths, velocities and Jacobians (MuJoCo's mj_tendon) and the tendons'
// passive forces (compile.cpp compiles them from the spec).
//
// Fixed tendon: L = Σ_k coef_k q_k over hinge/slide joints, J = ∂L/∂q̇ has coef_k at dof_k.
// Spatial tendon through sites p_0 … p_n (world positions): L = Σ_k |p_{k+1} − p_k| and
// J = Σ_k u_kᵀ (Jp(p_{k+1}) − Jp(p_k)), u_k = (p_{k+1} − p_k)/|p_{k+1} − p_k| (x when the two
// sites coincide, as MuJoCo's mju_normalize3). Velocity L̇ = J q̇.
#include <algorithm>
#include <cmath>

#include "state.hpp"

namespace sim {

namespace {
}

void tendonKinematics(const Model& m, State& s) {
  const int nv = m.nv;
  for (int t = 0, nt = m.ntendon(); t < nt; ++t) {
    const Tendon& T = m.tendons[t];
    double* J = &s.tenJ[(size_t)t * nv];
    std::fill(J, J + nv, 0.0);
    double L = 0;
    if (T.type == TendonSpec::kFixed) {
      for (size_t k = 0; k < T.coef.size(); ++k) {
        L += T.coef[k] * s.qpos[T.qpos[k]];
        J[T.dof[k]] += T.coef[k];
      }
    } else {
      for (size_t k = 0; k + 1 < T.sites.size(); ++k) {
        const int a = T.sites[k], b = T.sites[k + 1];
        const Vec3 pa = sitePosition(m, s, a), pb = sitePosition(m, s, b);
        Vec3 u = pb - pa;
        const double len = u.norm();
        L += len;
        u = len < kMinVal ? Vec3::UnitX() : Vec3(u / len);
        if (m.siteLink[a] == m.siteLink[b]) continue;  // rigidly attached: the segment's length is constant
        std::fill(s.jacA.begin(), s.jacA.end(), 0.0);
        pointJacobian(m, s, m.siteLink[b], pb, 1.0, s.jacA.data());
        pointJacobian(m, s, m.siteLink[a], pa, -1.0, s.jacA.data());
        for (int i = 0; i < nv; ++i)
          J[i] += u[0] * s.jacA[i] + u[1] * s.jacA[nv + i] + u[2] * s.jacA[2 * nv + i];
      }
    }
    double v = 0;
    for (int i = 0; i < nv; ++i) v += J[i] * s.qvel[i];
    s.tenLength[t] = L;
    s.tenVelocity[t] = v;
  }
}

// Spring outside the dead band [lengthspring0, lengthspring1] and damper along each tendon:
// f = −stiffness·x − damping·L̇, x = L − upper above it, L − lower below, 0 inside;
// qfrcPassive += Jᵀ f (MuJoCo's tendon-level spring-dampers in mj_passive).
// The spring's stretch beyond its dead band [lengthspring0, lengthspring1] at length L.
static double springStretch(const Tendon& T, double L) {
  return L > T.lengthspring[1] ? L - T.lengthspring[1] : L < T.lengthspring[0] ? L - T.lengthspring[0] : 0.0;
}

void tendonPassiveForces(const Model& m, State& s) {
  const int nv = m.nv;
  for (int t = 0, nt = m.ntendon(); t < nt; ++t) {
    const Tendon& T = m.tendons[t];
    if (T.stiffness == 0 && T.damping == 0) continue;
    const double f = -T.stiffness * springStretch(T, s.tenLength[t]) - T.damping * s.tenVelocity[t];
    if (f == 0) continue;
    const double* J = &s.tenJ[(size_t)t * nv];
    for (int i = 0; i < nv; ++i) s.qfrcPassive[i] += J[i] * f;
  }
}

double tendonSpringEnergy(const Model& m, const State& s) {
  double U = 0;
  for (int t = 0, nt = m.ntendon(); t < nt; ++t) {
    const double x = springStretch(m.tendons[t], s.tenLength[t]);
    U += 0.5 * m.tendons[t].stiffness * x * x;
  }
  return U;
}

}  // namespace sim
