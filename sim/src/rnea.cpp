// rnea.cpp — recursive Newton–Euler inverse dynamics.
#include "state.hpp"

namespace sim {

// RNEA (RBDA Table 5.1): qfrc = M(q) qacc + c(q, qvel) + diag(armature) qacc.
void rnea(const Model& m, State& s, const double* qacc, double* qfrc, bool withVelocity) {
  const int nv = m.nv;
  const Vec6 a0 = gravityAcceleration(m);
  // pass 1: velocities, accelerations and body forces, root to leaves; the velocity product
  // v_before ×m vJ uses the velocity before the joint (see aba.cpp: ball joints)
  Vec6 vBefore = Vec6::Zero();
  for (int i = 0; i < nv; ++i) {
    const Link& L = m.links[i];
    const Transform& X = s.X_parent_link[i];
    const double qd = withVelocity ? s.qvel[i] : 0.0;
    const double qdd = qacc ? qacc[i] : 0.0;
    const Vec6 vJ = L.S * qd;
    if (L.parent < 0) {
      vBefore.setZero();
      s.v[i] = vJ;
      s.a[i] = X.applyMotion(a0) + L.S * qdd;
    } else {
      if (!L.continues) vBefore = X.applyMotion(s.v[L.parent]);  // a continuing link's X is 1
      s.v[i] = X.applyMotion(s.v[L.parent]) + vJ;
      s.a[i] = X.applyMotion(s.a[L.parent]) + L.S * qdd + crossMotion(vBefore, vJ);
    }
    s.f[i] = inertiaTimes(L.inertia, s.a[i]) + crossForce(s.v[i], inertiaTimes(L.inertia, s.v[i]));
  }
  // pass 2: joint forces, leaves to root
  for (int i = nv - 1; i >= 0; --i) {
    const Link& L = m.links[i];
    qfrc[i] = L.S.dot(s.f[i]) + m.armature[i] * (qacc ? qacc[i] : 0.0);
    if (L.parent >= 0) s.f[L.parent] += s.X_parent_link[i].applyTransposeForce(s.f[i]);
  }
}

}  // namespace sim
