// integrate.cpp — forward dynamics of the whole pipeline and the integrators: semi-implicit
// Euler, RK4, and MuJoCo's implicit and implicitfast.
#include <algorithm>
#include <cmath>

#include "state.hpp"

namespace sim {

// qfrcSmooth = tau − c by RNEA in world coordinates (biasForce), M by CRBA on its subspaces and
// inertias, qaccSmooth = M⁻¹ qfrcSmooth by M's LᵀDL on the dof tree (s.LD, as MuJoCo's
// mj_factorM / mj_solveM), then the constraint solver's qacc. The rows (makeConstraints) must
// be current.
void constrainedAcceleration(const Model& m, State& s) {
  const int nv = m.nv;
  biasForce(m, s, s.qfrcSmooth.data());
  for (int i = 0; i < nv; ++i) s.qfrcSmooth[i] = s.tau[i] - s.qfrcSmooth[i];
  crba(m, s, s.M.data(), true);
  gatherTree(m, s.M, s.Mtree.data());
  std::copy(s.Mtree.begin(), s.Mtree.end(), s.LD.begin());
  factorTree(m, s.LD.data());
  std::copy(s.qfrcSmooth.begin(), s.qfrcSmooth.end(), s.qaccSmooth.begin());
  solveTree(m, s.LD.data(), s.qaccSmooth.data());
  solveConstraints(m, s);
}

// LᵀDL factorisation of H [nv, nv] over the dof tree (RBDA Table 6.3, MuJoCo's mj_factorI): only
// the entries H(i, j) with j = i or j an ancestor of i are read; afterwards they hold L (unit
// diagonal implied) below the diagonal and D on it, H = Lᵀ D L.
void factorTreeLDL(const Model& m, Eigen::MatrixXd& H) {
  for (int k = m.nv - 1; k >= 0; --k) {
    for (int i = m.links[k].parent; i >= 0; i = m.links[i].parent) {
      const double a = H(k, i) / H(k, k);
      for (int j = i; j >= 0; j = m.links[j].parent) H(i, j) -= a * H(k, j);
      H(k, i) = a;
    }
  }
}

// x ← H⁻¹ x with H = Lᵀ D L from factorTreeLDL: Lᵀ y = x leaves to root, y ← D⁻¹ y, L x = y root
// to leaves.
void solveTreeLDL(const Model& m, const Eigen::MatrixXd& H, double* x) {
  for (int k = m.nv - 1; k >= 0; --k)
    for (int i = m.links[k].parent; i >= 0; i = m.links[i].parent) x[i] -= H(k, i) * x[k];
  for (int k = 0; k < m.nv; ++k) x[k] /= H(k, k);
  for (int k = 0; k < m.nv; ++k)
    for (int i = m.links[k].parent; i >= 0; i = m.links[i].parent) x[k] -= H(k, i) * x[i];
}

void compileTree(Model& m) {
  m.treeAdr.assign(m.nv, 0);
  m.treeLen.assign(m.nv, 0);
  m.treeCol.clear();
  for (int k = 0; k < m.nv; ++k) {
    const int parent = m.links[k].parent;
    m.treeAdr[k] = (int)m.treeCol.size();
    m.treeLen[k] = parent < 0 ? 1 : m.treeLen[parent] + 1;
    if (parent >= 0)  // the parent's row (its ancestors, then the parent itself), then k
      for (int t = 0; t < m.treeLen[parent]; ++t) m.treeCol.push_back(m.treeCol[m.treeAdr[parent] + t]);
    m.treeCol.push_back(k);
  }
  m.treeSize = (int)m.treeCol.size();
}

void gatherTree(const Model& m, const Eigen::MatrixXd& M, double* out) {
  for (int k = 0; k < m.nv; ++k)
    for (int t = 0, n = m.treeLen[k], adr = m.treeAdr[k]; t < n; ++t) out[adr + t] = M(k, m.treeCol[adr + t]);
}

// for k from the leaves: a = H(k, i)/H(k, k) for each ancestor i (nearest first), H(i, j) −= a·H(k, j)
// over i's row (the prefix of k's up to i), then H(k, i) = a
void factorTree(const Model& m, double* LD) {
  for (int k = m.nv - 1; k >= 0; --k) {
    double* rowK = LD + m.treeAdr[k];
    const int n = m.treeLen[k];
    const double invDiag = 1 / rowK[n - 1];  // one division per row (a division is ~5 multiplies)
    for (int t = n - 2; t >= 0; --t) {
      const double a = rowK[t] * invDiag;
      double* rowI = LD + m.treeAdr[m.treeCol[m.treeAdr[k] + t]];
      for (int j = 0; j <= t; ++j) rowI[j] -= a * rowK[j];
      rowK[t] = a;
    }
  }
}

// Lᵀ y = x leaves to root, y ← D⁻¹ y, L x = y root to leaves
void solveTree(const Model& m, const double* LD, double* x) {
  const int* col = m.treeCol.data();
  for (int k = m.nv - 1; k >= 0; --k) {
    const double* rowK = LD + m.treeAdr[k];
    const int adr = m.treeAdr[k], n = m.treeLen[k];
    const double xk = x[k];
    for (int t = 0; t < n - 1; ++t) x[col[adr + t]] -= rowK[t] * xk;
  }
  for (int k = 0; k < m.nv; ++k) x[k] /= LD[m.treeAdr[k] + m.treeLen[k] - 1];
  for (int k = 0; k < m.nv; ++k) {
    const double* rowK = LD + m.treeAdr[k];
    const int adr = m.treeAdr[k], n = m.treeLen[k];
    double v = x[k];
    for (int t = 0; t < n - 1; ++t) v -= rowK[t] * x[col[adr + t]];
    x[k] = v;
  }
}

// y_k = M(k, k) x_k + Σ_ancestors M(k, j) x_j, then the upper triangle: y_j += M(k, j) x_k
void multiplyTree(const Model& m, const double* M, const double* x, double* y) {
  const int* col = m.treeCol.data();
  for (int k = 0; k < m.nv; ++k) {
    const double* rowK = M + m.treeAdr[k];
    const int adr = m.treeAdr[k], n = m.treeLen[k];
    double v = rowK[n - 1] * x[k];
    for (int t = 0; t < n - 1; ++t) v += rowK[t] * x[col[adr + t]];
    y[k] = v;
  }
  for (int k = 0; k < m.nv; ++k) {
    const double* rowK = M + m.treeAdr[k];
    const int adr = m.treeAdr[k], n = m.treeLen[k];
    const double xk = x[k];
    for (int t = 0; t < n - 1; ++t) y[col[adr + t]] += rowK[t] * xk;
  }
}

namespace {

// MuJoCo's mju_quatIntegrate: q ← normalise(q) ⊗ (cos(θ/2), sin(θ/2)·ω/|ω|), θ = h|ω|, with
// its conventions (a zero ω is no rotation; a quaternion within 1e-15 of unit length is kept).
void quatIntegrate(double* q, const double* w, double h) {
  const double wn = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
  double rot[4] = {1, 0, 0, 0};
  if (wn >= 1e-15) {
    const double angle = h * wn, sn = std::sin(angle / 2);
    rot[0] = std::cos(angle / 2);
    for (int k = 0; k < 3; ++k) rot[k + 1] = sn * w[k] / wn;
  }
  const double qn = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  if (qn < 1e-15) {
    q[0] = 1;
    q[1] = q[2] = q[3] = 0;
  } else if (std::abs(qn - 1) > 1e-15) {
    for (int k = 0; k < 4; ++k) q[k] /= qn;
  }
  const double a0 = q[0], a1 = q[1], a2 = q[2], a3 = q[3];
  q[0] = a0 * rot[0] - a1 * rot[1] - a2 * rot[2] - a3 * rot[3];
  q[1] = a0 * rot[1] + a1 * rot[0] + a2 * rot[3] - a3 * rot[2];
  q[2] = a0 * rot[2] - a1 * rot[3] + a2 * rot[0] + a3 * rot[1];
  q[3] = a0 * rot[3] + a1 * rot[2] - a2 * rot[1] + a3 * rot[0];
}

// Positions first as MuJoCo's mj_fwdPosition (kinematics, tendons, collision and the constraint
// rows, which depend on qpos and qvel only), then tau = actuators + passive (a body
// transmission's moment comes from the contact rows, as MuJoCo computes transmissions after
// collision); then ABA, and the constraint solver when rows are active.
// `extraArmature` as in aba(): Euler's implicit damping. As MuJoCo's mj_Euler, the constraint
// problem is solved with M, and the damped step then takes (M + h·diag(damping))⁻¹ (tau − c +
// Jᵀ f); s.qaccWarmstart keeps the solver's own qacc.
void dynamics(const Model& m, State& s, const double* extraArmature) {
  kinematics(m, s);
  tendonKinematics(m, s);
  if (m.maxConstraintRows > 0) makeConstraints(m, s);
  actuatorForces(m, s);
  passiveForces(m, s);
  for (int i = 0; i < m.nv; ++i) s.tau[i] = s.qfrcApplied[i] + s.qfrcPassive[i];
  if (m.maxConstraintRows == 0) {
    aba(m, s, extraArmature);
    return;
  }
  if (s.nefc == 0) {
    std::fill(s.qfrcConstraint.begin(), s.qfrcConstraint.end(), 0.0);
    aba(m, s, extraArmature);
    std::copy(s.qacc.begin(), s.qacc.end(), s.qaccWarmstart.begin());
    return;
  }
  constrainedAcceleration(m, s);
  if (extraArmature) {
    // qacc = (M + diag(extraArmature))⁻¹ (qfrcSmooth + Jᵀ f) by the tree LᵀDL
    std::copy(s.Mtree.begin(), s.Mtree.end(), s.LD.begin());
    for (int i = 0; i < m.nv; ++i) {
      s.LD[m.treeAdr[i] + m.treeLen[i] - 1] += extraArmature[i];
      s.qacc[i] = s.qfrcSmooth[i] + s.qfrcConstraint[i];
    }
    factorTree(m, s.LD.data());
    solveTree(m, s.LD.data(), s.qacc.data());
  }
}

// act ← nextActivation(act, rate, h) for every actuator with dynamics (MuJoCo's mj_advance).
void advanceActivations(const Model& m, double* act, const double* rate, double h) {
  for (int a = 0; a < m.nu; ++a) {
    const int k = m.actAdr[a];
    if (k >= 0) act[k] = nextActivation(m, a, act[k], rate[k], h);
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
  advanceActivations(m, s.act.data(), s.actDot.data(), h);
  for (int i = 0; i < m.nv; ++i) s.qvel[i] += h * s.qacc[i];
  integratePos(m, s.qpos.data(), s.qvel.data(), h);
  s.time += h;
}

// ∂c/∂qvel [6, 6] of a standalone free body (qvel: world linear velocity of the body origin,
// body-frame angular velocity ω_b): with s the centre of mass from the origin, ω = R ω_b and
// I_w = R I Rᵀ about the centre of mass, the bias forces at zero acceleration are
//   c_lin = m ω × (ω × s),   c_rot = Rᵀ (s × c_lin + ω × I_w ω);
// c does not depend on the linear velocity, and with K = ∂(ω × (ω × s))/∂ω = (ω·s) I + ω sᵀ − 2 s ωᵀ
//   ∂c_lin/∂ω_b = m K R,   ∂c_rot/∂ω_b = Rᵀ (m [s]× K + [ω]× I_w − [I_w ω]×) R.
Eigen::Matrix<double, 6, 6> freeBodyBiasDerivative(const Model& m, const State& s, int dof) {
  const Link& L = m.links[dof + 5];  // the body's mass sits on the free joint's last link
  const Pose& X = s.X_world_link[dof + 5];
  const Mat3& R = X.R;
  const Vec3 sc = R * L.com;
  const Mat3 Iw = R * L.Icom * R.transpose();
  const Vec3 w = R * Vec3(s.qvel[dof + 3], s.qvel[dof + 4], s.qvel[dof + 5]);
  const Mat3 K = w.dot(sc) * Mat3::Identity() + w * sc.transpose() - 2 * sc * w.transpose();
  Eigen::Matrix<double, 6, 6> B = Eigen::Matrix<double, 6, 6>::Zero();
  B.block<3, 3>(0, 3) = L.mass * K * R;
  B.block<3, 3>(3, 3) = R.transpose() * (L.mass * skew(sc) * K + skew(w) * Iw - skew(Iw * w)) * R;
  return B;
}

// MuJoCo's implicit and implicitfast (mj_implicit): the forward pass and the constraint solver as
// for Euler (the solver with M), then qacc = (M − h·qDeriv)⁻¹ (qfrc_smooth + qfrc_constraint) and
// Euler's update. implicitfast: qDeriv without the Coriolis term, its lower triangle on the dof
// tree taken as symmetric (MuJoCo's qH; a dof of a "simple" body keeps only its diagonal) and
// factored LᵀDL; a standalone free body is then solved apart with its 6×6 block of
// M − h·(qDeriv − ∂c/∂qvel) (MuJoCo's mjd_freeMhat). implicit: the full qDeriv on the tree's
// symmetric sparsity, LU-factored. s.qacc keeps the forward acceleration, as MuJoCo's d->qacc.
void implicitStep(const Model& m, State& s, double h) {
  const int nv = m.nv;
  const bool fast = m.spec.integrator == SIM_INTEGRATOR_IMPLICITFAST;
  dynamics(m, s, nullptr);
  double* qfrc = s.qfrcImplicit.data();
  if (m.maxConstraintRows > 0 && s.nefc > 0) {
    // constrainedAcceleration left M and qfrcSmooth
    for (int i = 0; i < nv; ++i) qfrc[i] = s.qfrcSmooth[i] + s.qfrcConstraint[i];
  } else {
    crba(m, s, s.M.data(), true);
    Eigen::Map<Eigen::VectorXd>(qfrc, nv).noalias() =
        s.M * Eigen::Map<const Eigen::VectorXd>(s.qacc.data(), nv);
  }
  smoothVelocityDerivative(m, s, !fast);
  double* qacc = s.qaccImplicit.data();
  std::copy(qfrc, qfrc + nv, qacc);
  if (fast) {
    for (int i = 0; i < nv; ++i) {
      s.qH(i, i) = s.M(i, i) - h * s.qDeriv(i, i);
      // a simple dof keeps its diagonal only (written as 0: an implicit step may have left values)
      for (int j = m.links[i].parent; j >= 0; j = m.links[j].parent)
        s.qH(i, j) = m.dofSimple[i] ? 0 : s.M(i, j) - h * s.qDeriv(i, j);
    }
    factorTreeLDL(m, s.qH);
    solveTreeLDL(m, s.qH, qacc);
    for (int dof : m.freeBodyDof) {
      Eigen::Matrix<double, 6, 6> A = s.M.block<6, 6>(dof, dof) - h * s.qDeriv.block<6, 6>(dof, dof) +
                                      h * freeBodyBiasDerivative(m, s, dof);
      Eigen::Map<Eigen::Matrix<double, 6, 1>>(qacc + dof) =
          A.partialPivLu().solve(Eigen::Map<const Eigen::Matrix<double, 6, 1>>(qfrc + dof));
    }
  } else {
    // the tree's symmetric sparsity: i and j on one branch (one an ancestor of the other)
    s.qH.setZero();
    for (int i = 0; i < nv; ++i) {
      s.qH(i, i) = s.M(i, i) - h * s.qDeriv(i, i);
      for (int j = m.links[i].parent; j >= 0; j = m.links[j].parent) {
        s.qH(i, j) = s.M(i, j) - h * s.qDeriv(i, j);
        s.qH(j, i) = s.M(j, i) - h * s.qDeriv(j, i);
      }
    }
    s.qLU.compute(s.qH);
    Eigen::Map<Eigen::VectorXd>(qacc, nv) = s.qLU.solve(Eigen::Map<const Eigen::VectorXd>(qfrc, nv));
  }
  advanceActivations(m, s.act.data(), s.actDot.data(), h);
  for (int i = 0; i < nv; ++i) s.qvel[i] += h * qacc[i];
  integratePos(m, s.qpos.data(), s.qvel.data(), h);
  s.time += h;
}

// out += scale · dqpos/dt at (qpos, qvel): qvel for hinge, slide and a free joint's position,
// ½ q ⊗ (0, ω) for a quaternion q with body-frame angular velocity ω.
void addPositionRate(const Model& m, const double* qpos, const double* qvel, double scale, double* out) {
  for (int j = 0, nj = (int)m.jntQposAdr.size(); j < nj; ++j) {
    const int qa = m.jntQposAdr[j], da = m.jntDofAdr[j];
    const int type = m.links[da].type;
    int quat = qa, w = da;
    if (type == SIM_JOINT_FREE) {
      for (int k = 0; k < 3; ++k) out[qa + k] += scale * qvel[da + k];
      quat += 3;
      w += 3;
    } else if (type != SIM_JOINT_BALL) {
      out[qa] += scale * qvel[da];
      continue;
    }
    const double* q = qpos + quat;
    const double* v = qvel + w;
    const double c = 0.5 * scale;
    out[quat] += c * (-q[1] * v[0] - q[2] * v[1] - q[3] * v[2]);
    out[quat + 1] += c * (q[0] * v[0] + q[2] * v[2] - q[3] * v[1]);
    out[quat + 2] += c * (q[0] * v[1] - q[1] * v[2] + q[3] * v[0]);
    out[quat + 3] += c * (q[0] * v[2] + q[1] * v[1] - q[2] * v[0]);
  }
}

// Renormalises every quaternion of qpos as MuJoCo's mju_normalize4.
void normalizeQuaternions(const Model& m, double* qpos) {
  for (int j = 0, nj = (int)m.jntQposAdr.size(); j < nj; ++j) {
    const int type = m.links[m.jntDofAdr[j]].type;
    if (type != SIM_JOINT_BALL && type != SIM_JOINT_FREE) continue;
    double* q = qpos + m.jntQposAdr[j] + (type == SIM_JOINT_FREE ? 3 : 0);
    const double n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    if (n < 1e-15) {
      q[0] = 1;
      q[1] = q[2] = q[3] = 0;
    } else if (std::abs(n - 1) > 1e-15) {
      for (int k = 0; k < 4; ++k) q[k] /= n;
    }
  }
}

// Classic RK4 on (qpos, qvel) with controls held, as MuJoCo's mj_step with RK4 (explicit
// damping). Quaternions are stepped as MuJoCo 4 does (checked against it): along their time
// derivative ½ q ⊗ (0, ω) in R⁴ and renormalised at each stage and at the end.
// The constraint solver of every stage starts from the same warm start, the one the step began
// with, as MuJoCo's (it saves qacc_warmstart only in mj_advance, at the end of the step: the last
// stage's qacc), so that the solver's iterates, and what its tolerance leaves, are MuJoCo's.
void rk4Step(const Model& m, State& s, double h) {
  static const double A[3] = {0.5, 0.5, 1.0};  // stage i uses A[i-1] × stage i-1's slope
  static const double B[4] = {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6};
  const int nq = m.nq, nv = m.nv;
  std::copy(s.qpos.begin(), s.qpos.end(), s.qpos0.begin());
  std::fill(s.dqpos.begin(), s.dqpos.end(), 0.0);
  for (int i = 0; i < nv; ++i) {
    s.qvel0[i] = s.qvel[i];
    s.dqvel[i] = 0;
  }
  std::copy(s.act.begin(), s.act.end(), s.act0.begin());
  std::fill(s.dact.begin(), s.dact.end(), 0.0);
  const double t0 = s.time;
  std::copy(s.qaccWarmstart.begin(), s.qaccWarmstart.end(), s.qaccWarmstartStep.begin());
  for (int stage = 0; stage < 4; ++stage) {
    if (stage > 0) {
      std::copy(s.qaccWarmstartStep.begin(), s.qaccWarmstartStep.end(), s.qaccWarmstart.begin());
      // this stage's state: x0 + h·A·(previous stage's slope)
      const double ah = A[stage - 1] * h;
      std::copy(s.qpos0.begin(), s.qpos0.end(), s.qposStage.begin());
      addPositionRate(m, s.qpos.data(), s.qvel.data(), ah, s.qposStage.data());
      normalizeQuaternions(m, s.qposStage.data());
      std::copy(s.qposStage.begin(), s.qposStage.end(), s.qpos.begin());
      for (int i = 0; i < nv; ++i) s.qvel[i] = s.qvel0[i] + ah * s.qacc[i];
      for (int k = 0; k < m.na; ++k) s.act[k] = s.act0[k] + ah * s.actDot[k];
      s.time = t0 + ah;
    }
    dynamics(m, s, nullptr);
    addPositionRate(m, s.qpos.data(), s.qvel.data(), B[stage], s.dqpos.data());
    for (int i = 0; i < nv; ++i) s.dqvel[i] += B[stage] * s.qacc[i];
    for (int k = 0; k < m.na; ++k) s.dact[k] += B[stage] * s.actDot[k];
  }
  for (int i = 0; i < nq; ++i) s.qpos[i] = s.qpos0[i] + h * s.dqpos[i];
  normalizeQuaternions(m, s.qpos.data());
  for (int i = 0; i < nv; ++i) s.qvel[i] = s.qvel0[i] + h * s.dqvel[i];
  // activations as MuJoCo's final mj_advance: from the start along the weighted rate
  std::copy(s.act0.begin(), s.act0.end(), s.act.begin());
  advanceActivations(m, s.act.data(), s.dact.data(), h);
  s.time = t0 + h;
}

}  // namespace

void integratePos(const Model& m, double* qpos, const double* qvel, double h) {
  for (int j = 0, nj = (int)m.jntQposAdr.size(); j < nj; ++j) {
    double* q = qpos + m.jntQposAdr[j];
    const double* v = qvel + m.jntDofAdr[j];
    switch (m.links[m.jntDofAdr[j]].type) {
      case SIM_JOINT_FREE:
        for (int k = 0; k < 3; ++k) q[k] += h * v[k];
        quatIntegrate(q + 3, v + 3, h);
        break;
      case SIM_JOINT_BALL: quatIntegrate(q, v, h); break;
      default: q[0] += h * v[0];
    }
  }
}

double nextActivation(const Model& m, int a, double act, double rate, double h) {
  if (m.actDyn[a] == kDynFilterExact) {
    const double tau = std::max(1e-15, m.actTau[a]);
    act += rate * tau * (1 - std::exp(-h / tau));
  } else {
    act += rate * h;
  }
  if (m.actLimited[a]) act = std::min(std::max(act, m.actLo[a]), m.actHi[a]);
  return act;
}

void forward(const Model& m, State& s) { dynamics(m, s, nullptr); }

const char* integratorUnsupported(const Model& m, int integrator) {
  if (integrator < SIM_INTEGRATOR_EULER || integrator > SIM_INTEGRATOR_IMPLICITFAST)
    return kUnknownIntegrator;
  if (integrator == SIM_INTEGRATOR_EULER || integrator == SIM_INTEGRATOR_RK4) return nullptr;
  if (!m.fluid.empty())
    return "the implicit integrators do not differentiate the fluid drag (density, viscosity) yet: "
           "use Euler or RK4";
  if (integrator == SIM_INTEGRATOR_IMPLICIT)
    for (const Link& L : m.links)
      if (L.type != SIM_JOINT_HINGE && L.type != SIM_JOINT_SLIDE)
        return "integrator 'implicit' differentiates the Coriolis forces of hinge and slide joints "
               "only (the model has a ball or free joint): use implicitfast, Euler or RK4";
  return nullptr;
}

int step(const Model& m, State& s) {
  const int nq = m.nq, nv = m.nv;
  const int substeps = m.spec.substeps;
  const double h = m.spec.timestep / substeps;
  // keep the pre-step state so that a failing step leaves it untouched
  const double savedTime = s.time;
  std::copy(s.qpos.begin(), s.qpos.end(), s.savedQpos.begin());
  std::copy(s.qvel.begin(), s.qvel.end(), s.savedQvel.begin());
  std::copy(s.act.begin(), s.act.end(), s.savedAct.begin());
  for (int k = 0; k < substeps; ++k) {
    switch (m.spec.integrator) {
      case SIM_INTEGRATOR_RK4: rk4Step(m, s, h); break;
      case SIM_INTEGRATOR_IMPLICIT:
      case SIM_INTEGRATOR_IMPLICITFAST: implicitStep(m, s, h); break;
      default: eulerStep(m, s, h);
    }
  }
  if (!allFinite(s.qpos.data(), nq) || !allFinite(s.qvel.data(), nv) ||
      !allFinite(s.qacc.data(), nv) || !allFinite(s.act.data(), m.na)) {
    std::copy(s.savedQpos.begin(), s.savedQpos.end(), s.qpos.begin());
    std::copy(s.savedQvel.begin(), s.savedQvel.end(), s.qvel.begin());
    std::copy(s.savedAct.begin(), s.savedAct.end(), s.act.begin());
    s.time = savedTime;
    return SIM_ERR_NONFINITE;
  }
  return SIM_OK;
}

}  // namespace sim
