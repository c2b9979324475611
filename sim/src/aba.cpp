// aba.cpp — the articulated-body algorithm, O(n) forward dynamics.
//
// Spatial quantities are expressed in world coordinates (about the world origin) rather than
// link coordinates, as RBDA §7.3 suggests for speed: articulated inertias then pass to the parent
// by plain addition instead of a 6x6 change of frame, at the cost of rotating each link's rigid
// inertia once. RNEA and CRBA stay in link coordinates, so they remain an independent check.
#include "state.hpp"

namespace sim {

// ABA's pass 1 (and biasForce's): motion subspaces, velocities, velocity-product accelerations
// and bias forces, world coordinates.
// c = v_before ×m vJ with v_before the velocity before this dof's joint: the parent's for a
// hinge or slide (= v ×m vJ), the one before the ball for a ball's later rotations (MuJoCo's
// cdof_dot), so that the three 1-dof links act as one spherical joint.
void velocityPass(const Model& m, State& s) {
  Vec6 vBefore = Vec6::Zero();
  for (int i = 0; i < m.nv; ++i) {
    const Link& L = m.links[i];
    const Pose& W = s.X_world_link[i];
    const Vec6& S = s.S[i] = motionSubspace(L, W);
    const Vec6 vJ = S * s.qvel[i];
    if (!L.continues) vBefore = L.parent < 0 ? Vec6::Zero() : s.v[L.parent];
    s.v[i] = L.parent < 0 ? vJ : Vec6(s.v[L.parent] + vJ);
    s.c[i] = crossMotion(vBefore, vJ);
    // the link's rigid inertia about the world origin (kept for crba) and its bias force
    const Vec3 com = W.p + W.R * L.com;
    const RigidInertia& I = s.Iworld[i] = rigidInertiaAbout(L.mass, com, W.R * L.Icom * W.R.transpose());
    s.f[i] = crossForce(s.v[i], inertiaTimes(I, s.v[i]));
  }
}

// ABA (RBDA Table 7.1): qacc = (M + diag(armature))^-1 (tau − c(q, qvel)).
void aba(const Model& m, State& s, const double* extraArmature, bool samePositionVelocity) {
  const int nv = m.nv;
  // pass 1 (velocityPass): motion subspaces, velocities, velocity-product accelerations, bias forces
  if (!samePositionVelocity) velocityPass(m, s);
  for (int i = 0; i < nv; ++i) {
    s.IA[i] = inertiaMatrix(s.Iworld[i]);
    s.pA[i] = s.f[i];
  }
  // pass 2: articulated-body inertias and bias forces, leaves to root
  for (int i = nv - 1; i >= 0; --i) {
    const int parent = m.links[i].parent;
    const Vec6& S = s.S[i];
    s.U[i] = s.IA[i] * S;
    s.D[i] = S.dot(s.U[i]) + m.armature[i] + (extraArmature ? extraArmature[i] : 0.0);
    s.u[i] = s.tau[i] - S.dot(s.pA[i]);
    if (parent >= 0) {
      // I^a = I^A − U Uᵀ/D and p^a = p^A + I^a c + U u/D, folded into the parent's sums
      const double invD = 1.0 / s.D[i];
      const Vec6 Uc = s.U[i] * invD;
      s.pA[parent] += s.pA[i] + s.IA[i] * s.c[i] + Uc * (s.u[i] - s.U[i].dot(s.c[i]));
      s.IA[parent] += s.IA[i];
      s.IA[parent].noalias() -= Uc * s.U[i].transpose();
    }
  }
  // pass 3: accelerations, root to leaves; gravity as a fictitious upward base acceleration
  const Vec6 a0 = gravityAcceleration(m);
  for (int i = 0; i < nv; ++i) {
    const int parent = m.links[i].parent;
    const Vec6 aParent = (parent < 0 ? a0 : s.a[parent]) + s.c[i];
    s.qacc[i] = (s.u[i] - s.U[i].dot(aParent)) / s.D[i];
    s.a[i] = aParent + s.S[i] * s.qacc[i];
  }
}

}  // namespace sim

namespace sim {

// Bias force c(q, q̇) + gravity, RNEA in world coordinates after velocityPass (RBDA Table 5.1 with
// qacc = 0): a_i = a_parent + c_i from a_0 = (0, −g), F_i = I_i a_i + v_i ×* I_i v_i summed leaves
// to root (no change of frame: all about the world origin), qfrcBias_i = S_iᵀ F_i.
void biasForce(const Model& m, State& s, double* qfrcBias) {
  const int nv = m.nv;
  velocityPass(m, s);
  const Vec6 a0 = gravityAcceleration(m);
  for (int i = 0; i < nv; ++i) {
    const int parent = m.links[i].parent;
    s.a[i] = (parent < 0 ? a0 : s.a[parent]) + s.c[i];
    s.pA[i] = s.f[i] + inertiaTimes(s.Iworld[i], s.a[i]);
  }
  for (int i = nv - 1; i >= 0; --i) {
    qfrcBias[i] = s.S[i].dot(s.pA[i]);
    const int parent = m.links[i].parent;
    if (parent >= 0) s.pA[parent] += s.pA[i];
  }
}

}  // namespace sim
