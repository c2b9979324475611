// rnea_derivatives.cpp — the exact vector–Jacobian product of inverse dynamics.
//
// Given a state (q, q̇), an acceleration q̈ and a cotangent w on the joint forces, one forward and
// one backward sweep give wᵀ∂τ/∂q, wᵀ∂τ/∂q̇ and wᵀ∂τ/∂q̈ = (M + diag(armature)) w of
//   τ = RNEA(q, q̇, q̈) − passive(q, q̇) = M(q) q̈ + c(q, q̇) + armature·q̈ + damping·q̇ + k (q − q_ref),
// the function sim_inverse computes, for hinge and slide joints (nq == nv) without a fluid medium.
// The cost is about that of two RNEA passes, independent of nv — where forward differences took
// 1 + 2nv RNEA passes and were only O(h) accurate.
//
// Derivation (Carpentier & Mansard 2018 derive the full matrices ∂τ/∂q, ∂τ/∂q̇ in the same world
// frame; here only their product with w, in O(n)). Spatial vectors in world coordinates about
// the world origin (as aba.cpp): S_i the joint's motion subspace, I_i the link's rigid inertia.
// RNEA (RBDA Table 5.1) in this frame, λ(i) the parent, a_λ(root) = a₀ = (0, −g):
//   v_i = v_λ + S_i q̇_i,   a_i = a_λ + S_i q̈_i + v_i ×m S_i q̇_i,
//   f_i = I_i a_i + v_i ×* I_i v_i,   F_i = f_i + Σ_children F_c,   τ_i = S_iᵀ F_i (+ passive).
// Since τ_i = S_iᵀ Σ_{k ⪰ i} f_k, the scalar L = wᵀτ regroups per link:
//   L = Σ_k W_kᵀ f_k,   W_k = W_λ + S_k w_k   (the velocity of link k if q̇ were w).
// Moving q_j moves the subtree of j rigidly by the twist S_j δq_j. Every world quantity of the
// subtree changes covariantly (δm = S_j δ ×m m, δf = S_j δ ×* f) except for the parts anchored
// before joint j: v_λ(j), a_λ(j), W_λ(j). The covariant parts leave Wᵀf unchanged, so only those
// anchored parts remain. With u = v_λ(j) and the subtree sums
//   F_j = Σ_{k⪰j} f_k,   P_j = Σ_{k⪰j} I_k W_k,
//   Z̄_j = Σ_{k⪰j} Z_k,   Z_k = v_k ×* (I_k W_k) − W_k ×* (I_k v_k) − I_k (v_k ×m W_k),
// one gets (x ×* the force cross product, RBDA eq. 2.32):
//   ∂L/∂q_j = −S_jᵀ [ W_λ ×* F_j + a_λ ×* P_j + u ×* (Z̄_j − u ×* P_j) ] + w_j k_j
//   ∂L/∂q̇_j =  S_jᵀ [ Z̄_j − 2 u ×* P_j ] + w_j damping_j
//   ∂L/∂q̈_j =  S_jᵀ P_j + w_j armature_j
// The first from δv_k = −S_j δ ×m u, δa_k = −S_j δ ×m a_λ − (S_j δ ×m u) ×m (v_k − u),
// δW_k = −S_j δ ×m W_λ beyond the covariant change; the second from δv_k = S_j δ,
// δa_k = S_j δ ×m (v_k − u) + u ×m S_j δ (k ⪰ j). The C++ test checks all three against
// central differences of inverseDynamics.
#include "state.hpp"

namespace sim {

const char* rneaVJPUnsupported(const Model& m) {
  if (m.nq != m.nv) return "the model has ball or free joints (nq != nv); only hinge and slide joints are supported";
  for (const Link& L : m.links)
    if (L.type != SIM_JOINT_HINGE && L.type != SIM_JOINT_SLIDE)
      return "the model has a ball or free joint; only hinge and slide joints are supported";
  if (!m.fluid.empty()) return "the model has a fluid medium (density or viscosity), whose drag is not differentiated";
  for (const Tendon& t : m.tendons)
    if (t.stiffness != 0 || t.damping != 0)
      return "the model has tendon springs or dampers, whose forces are not differentiated";
  return nullptr;
}

// Sweeps 1 and 2: S, v, a, I, I·v and f root to leaves; subtree sums F and τ leaves to root.
void rneaVJPForward(const Model& m, State& s, const double* qacc, double* qfrc) {
  const int nv = m.nv;
  const Vec6 a0 = gravityAcceleration(m);
  for (int i = 0; i < nv; ++i) {
    const Link& L = m.links[i];
    const Pose& X = s.X_world_link[i];
    const Vec6& S = s.S[i] = motionSubspace(L, X);
    const Vec6 vJ = S * s.qvel[i];
    const bool root = L.parent < 0;
    s.v[i] = root ? vJ : Vec6(s.v[L.parent] + vJ);
    s.a[i] = (root ? a0 : s.a[L.parent]) + S * qacc[i] + crossMotion(s.v[i], vJ);
    // the link's rigid inertia about the world origin
    RigidInertia& I = s.Iworld[i];
    I = rigidInertiaAbout(L.mass, X.p + X.R * L.com, X.R * L.Icom * X.R.transpose());
    s.Iv[i] = inertiaTimes(I, s.v[i]);
    s.f[i] = inertiaTimes(I, s.a[i]) + crossForce(s.v[i], s.Iv[i]);
  }
  for (int j = nv - 1; j >= 0; --j) {
    const Link& L = m.links[j];
    const double spring = m.stiffness[j] * (s.qpos[L.qposAdr] - m.springref[j]);
    qfrc[j] = s.S[j].dot(s.f[j]) + m.armature[j] * qacc[j] + m.damping[j] * s.qvel[j] + spring;
    if (L.parent >= 0) s.f[L.parent] += s.f[j];
  }
}

// Sweeps 3 and 4: W, I·W and Z root to leaves; subtree sums P, Z̄ and the three products
// leaves to root (F from sweep 2).
void rneaVJPBackward(const Model& m, State& s, const double* w, double* dqpos, double* dqvel,
                     double* dqacc) {
  const int nv = m.nv;
  const Vec6 a0 = gravityAcceleration(m);
  for (int i = 0; i < nv; ++i) {
    const Link& L = m.links[i];
    const RigidInertia& I = s.Iworld[i];
    s.c[i] = L.parent < 0 ? Vec6(s.S[i] * w[i]) : Vec6(s.c[L.parent] + s.S[i] * w[i]);
    const Vec6 IW = inertiaTimes(I, s.c[i]);
    s.pA[i] = IW;
    s.U[i] = crossForce(s.v[i], IW) - crossForce(s.c[i], s.Iv[i]) - inertiaTimes(I, crossMotion(s.v[i], s.c[i]));
  }
  for (int j = nv - 1; j >= 0; --j) {
    const Link& L = m.links[j];
    const Vec6& S = s.S[j];
    const Vec6 &F = s.f[j], &P = s.pA[j], &Z = s.U[j];
    dqacc[j] = S.dot(P) + m.armature[j] * w[j];
    if (L.parent < 0) {
      // u = 0, W_λ = 0, a_λ = a₀
      dqpos[j] = -S.dot(crossForce(a0, P)) + w[j] * m.stiffness[j];
      dqvel[j] = S.dot(Z) + w[j] * m.damping[j];
    } else {
      const int p = L.parent;
      const Vec6& u = s.v[p];
      const Vec6 uP = crossForce(u, P);
      dqpos[j] = -S.dot(crossForce(s.c[p], F) + crossForce(s.a[p], P) + crossForce(u, Vec6(Z - uP))) +
                 w[j] * m.stiffness[j];
      dqvel[j] = S.dot(Z - 2.0 * uP) + w[j] * m.damping[j];
      s.pA[p] += P;
      s.U[p] += Z;
    }
  }
}

void rneaVJP(const Model& m, State& s, const double* qacc, const double* w, double* dqpos,
             double* dqvel, double* dqacc, double* qfrc) {
  rneaVJPForward(m, s, qacc, qfrc ? qfrc : s.u.data());
  rneaVJPBackward(m, s, w, dqpos, dqvel, dqacc);
}

}  // namespace sim
