// crba.cpp — composite-rigid-body algorithm for the joint-space mass matrix.
#include "state.hpp"

namespace sim {

// CRBA (RBDA Table 6.2): M_ij = S_i^T I^c_i X_i←j S_j along each path to the root.
void crba(const Model& m, State& s, double* M) {
  const int nv = m.nv;
  std::fill(M, M + (size_t)nv * nv, 0.0);
  for (int i = 0; i < nv; ++i) s.IA[i] = inertiaMatrix(m.links[i].inertia);
  // composite inertias, leaves to root
  for (int i = nv - 1; i >= 0; --i) {
    const int p = m.links[i].parent;
    if (p >= 0) s.IA[p] += s.X_parent_link[i].transformInertiaToParent(s.IA[i]);
  }
  for (int i = 0; i < nv; ++i) {
    Vec6 F = s.IA[i] * m.links[i].S;
    M[(size_t)i * nv + i] = m.links[i].S.dot(F) + m.armature[i];
    for (int j = i; m.links[j].parent >= 0;) {
      F = s.X_parent_link[j].applyTransposeForce(F);
      j = m.links[j].parent;
      const double Mij = m.links[j].S.dot(F);
      M[(size_t)i * nv + j] = Mij;
      M[(size_t)j * nv + i] = Mij;
    }
  }
}

}  // namespace sim
