// aba.cpp — the articulated-body algorithm, O(n) forward dynamics.
#include "state.hpp"

namespace sim {

// ABA (RBDA Table 7.1): qacc = (M + diag(armature))^-1 (tau − c(q, qvel)).
void aba(const Model& m, State& s, const double* extraArmature) {
  const int nv = m.nv;
  // pass 1: velocities, velocity-product accelerations and bias forces, root to leaves
  for (int i = 0; i < nv; ++i) {
    const Link& L = m.links[i];
    const Transform& X = s.X_parent_link[i];
    const Vec6 vJ = L.S * s.qvel[i];
    s.v[i] = L.parent < 0 ? vJ : Vec6(X.applyMotion(s.v[L.parent]) + vJ);
    s.c[i] = crossMotion(s.v[i], vJ);
    s.IA[i] = inertiaMatrix(L.inertia);
    s.pA[i] = crossForce(s.v[i], inertiaTimes(L.inertia, s.v[i]));
  }
  // pass 2: articulated-body inertias and bias forces, leaves to root
  for (int i = nv - 1; i >= 0; --i) {
    const Link& L = m.links[i];
    s.U[i] = s.IA[i] * L.S;
    s.D[i] = L.S.dot(s.U[i]) + m.armature[i] + (extraArmature ? extraArmature[i] : 0.0);
    s.u[i] = s.tau[i] - L.S.dot(s.pA[i]);
    if (L.parent >= 0) {
      const double invD = 1.0 / s.D[i];
      const Mat6 Ia = s.IA[i] - invD * s.U[i] * s.U[i].transpose();
      const Vec6 pa = s.pA[i] + Ia * s.c[i] + (s.u[i] * invD) * s.U[i];
      const Transform& X = s.X_parent_link[i];
      s.IA[L.parent] += X.transformInertiaToParent(Ia);
      s.pA[L.parent] += X.applyTransposeForce(pa);
    }
  }
  // pass 3: accelerations, root to leaves; gravity as a fictitious upward base acceleration
  Vec6 a0;
  a0 << Vec3::Zero(), -m.spec.gravity;
  for (int i = 0; i < nv; ++i) {
    const Link& L = m.links[i];
    const Transform& X = s.X_parent_link[i];
    const Vec6 aParent = X.applyMotion(L.parent < 0 ? a0 : s.a[L.parent]) + s.c[i];
    s.qacc[i] = (s.u[i] - s.U[i].dot(aParent)) / s.D[i];
    s.a[i] = aParent + L.S * s.qacc[i];
  }
}

}  // namespace sim
