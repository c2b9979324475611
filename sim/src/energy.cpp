// energy.cpp — mechanical energy, the invariant that checks the integrators.
#include "state.hpp"

namespace sim {

// Potential: −Σ m_i g·c_i (world centre of mass) + ½ Σ k_j (q_j − springref_j)² + the tendon
// springs' ½ k x².
// Kinetic: ½ Σ v_i·(I_i v_i) over links + ½ Σ armature_j qvel_j² (= ½ qvelᵀ M qvel).
void mechanicalEnergy(const Model& m, State& s, double* potential, double* kinetic) {
  kinematics(m, s);
  double U = 0, K = 0;
  for (int i = 0; i < m.nv; ++i) {
    const Link& L = m.links[i];
    const Transform& X = s.X_parent_link[i];
    const Vec6 vJ = L.S * s.qvel[i];
    s.v[i] = L.parent < 0 ? vJ : Vec6(X.applyMotion(s.v[L.parent]) + vJ);
    K += 0.5 * s.v[i].dot(inertiaTimes(L.inertia, s.v[i])) + 0.5 * m.armature[i] * s.qvel[i] * s.qvel[i];
    if (L.inertia.m > 0) {
      const Pose& W = s.X_world_link[i];
      const Vec3 c = W.p + W.R * (L.inertia.h / L.inertia.m);
      U -= L.inertia.m * m.spec.gravity.dot(c);
    }
    const double dq = s.qpos[L.qposAdr] - m.springref[i];  // hinge/slide only (see passive.cpp)
    U += 0.5 * m.stiffness[i] * dq * dq;
  }
  if (!m.tendons.empty()) {
    tendonKinematics(m, s);
    U += tendonSpringEnergy(m, s);
  }
  if (potential) *potential = U;
  if (kinetic) *kinetic = K;
}

}  // namespace sim
