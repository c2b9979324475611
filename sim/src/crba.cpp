// crba.cpp — composite-rigid-body algorithm for the joint-space mass matrix.
//
// In world coordinates about the world origin (as ABA, aba.cpp): each link's rigid inertia is
// rotated once, composite inertias then pass to the parent by plain addition of rigid inertias
// (10 numbers, no 6×6 change of frame) and a force I^c_i S_i needs no transform on its way to
// the root. RNEA stays in link coordinates and remains the independent check of both.
#include "state.hpp"

namespace sim {

// CRBA (RBDA Table 6.2, world coordinates): I^c_i = Σ_{k in subtree(i)} I_k,
// M_ij = S_jᵀ I^c_i S_i for each ancestor j of i. Fills s.S, s.Iworld (unless afterAba) and
// s.Icomposite.
void crba(const Model& m, State& s, double* M, bool afterAba) {
  const int nv = m.nv;
  std::fill(M, M + (size_t)nv * nv, 0.0);
  for (int i = 0; i < nv && !afterAba; ++i) {
    const Link& L = m.links[i];
    const Pose& W = s.X_world_link[i];
    s.S[i] = motionSubspace(L, W);
    s.Iworld[i] = rigidInertiaAbout(L.mass, W.p + W.R * L.com, W.R * L.Icom * W.R.transpose());
  }
  // composite inertias, leaves to root
  std::copy(s.Iworld.begin(), s.Iworld.end(), s.Icomposite.begin());
  for (int i = nv - 1; i >= 0; --i) {
    const int p = m.links[i].parent;
    if (p >= 0) s.Icomposite[p] = s.Icomposite[p] + s.Icomposite[i];
  }
  for (int i = 0; i < nv; ++i) {
    const Vec6 F = inertiaTimes(s.Icomposite[i], s.S[i]);
    M[(size_t)i * nv + i] = s.S[i].dot(F) + m.armature[i];
    for (int j = m.links[i].parent; j >= 0; j = m.links[j].parent) {
      const double Mij = s.S[j].dot(F);
      M[(size_t)i * nv + j] = Mij;
      M[(size_t)j * nv + i] = Mij;
    }
  }
}

}  // namespace sim
