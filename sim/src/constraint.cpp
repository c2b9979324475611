// constraint.cpp — the constraint rows of MuJoCo's soft-constraint model.
//
// Each row i has a Jacobian J_i (1 × nv), a distance pos_i (negative: violated) and margin, and
// the parameters that make it soft (MuJoCo's Computation chapter, "Soft constraints"):
//   impedance  imp_i = d(pos_i − margin_i) from solimp (dmin, dmax, width, midpoint, power),
//   regulariser R_i = (1 − imp_i)/imp_i · invweight_i, where invweight_i approximates
//              (J M⁻¹ Jᵀ)_ii by its value at qpos0 (dof_invweight0),
//   reference  aref_i = −B·(J_i qvel) − K·imp_i·(pos_i − margin_i), with
//              K = 1/(dmax² timeconst² dampratio²), B = 2/(dmax timeconst) for solref > 0,
//              or K = −solref[0]/dmax², B = −solref[1]/dmax for solref ≤ 0 (direct form).
// Tendon rows (friction, limits, equality) take the tendon's Jacobian and tendon_invweight0.
// Dry friction rows (frictionloss) have pos = 0 and K = 0; contact rows (collision.cpp finds the
// contacts) are the edges of MuJoCo's pyramidal friction cone or, with cone="elliptic", an
// elliptic cone's normal and frame rows. The solver (solver.cpp) then finds the
// acceleration that balances the Gauss principle against these soft constraints.
#include <algorithm>
#include <cmath>

#include "state.hpp"

namespace sim {

namespace {

constexpr double kPiConst = 3.14159265358979323846;
constexpr double kMinImp = 0.0001, kMaxImp = 0.9999;  // mjMINIMP, mjMAXIMP

double power(double a, double b) { return b == 1 ? a : b == 2 ? a * a : std::pow(a, b); }

// Impedance d(x) of solimp at violation x = pos − margin: dmin at x = 0 rising to dmax at
// |x| = width along two power-law halves that meet at `midpoint` (MuJoCo's getimpedance).
double impedance(const double solimpIn[5], double pos, double margin) {
  double sol[5];
  std::copy(solimpIn, solimpIn + 5, sol);
  sol[0] = std::min(kMaxImp, std::max(kMinImp, sol[0]));
  sol[1] = std::min(kMaxImp, std::max(kMinImp, sol[1]));
  sol[2] = std::max(0.0, sol[2]);
  sol[3] = std::min(kMaxImp, std::max(kMinImp, sol[3]));
  sol[4] = std::max(1.0, sol[4]);
  if (sol[0] == sol[1] || sol[2] <= kMinVal) return 0.5 * (sol[0] + sol[1]);
  const double x = std::abs((pos - margin) / sol[2]);
  if (x >= 1 || x <= 0) return x >= 1 ? sol[1] : sol[0];
  double y;
  if (sol[4] == 1) {
    y = x;
  } else if (x <= sol[3]) {
    y = power(x, sol[4]) / power(sol[3], sol[4] - 1);
  } else {
    y = 1 - power(1 - x, sol[4]) / power(1 - sol[3], sol[4] - 1);
  }
  return sol[0] + y * (sol[1] - sol[0]);
}

// B and the position term K·imp·(pos − margin) of a row's reference acceleration.
struct Reference {
  double B, Kterm;
};

// Row i's aref = −B·(J_i qvel) − Kterm.
void setReference(const Model& m, State& s, int i, const Reference& ref) {
  const double* J = &s.efcJ[(size_t)i * m.nv];
  double vel = 0;
  for (int k = 0; k < m.nv; ++k) vel += J[k] * s.qvel[k];
  s.efcAref[i] = -ref.B * vel - ref.Kterm;
}

// Row i (its Jacobian in efcJ) as row `from` in kind, object, distance and reference (a pyramid's
// later edges, whose R and D the caller sets): only J_i qvel differs.
void sameRow(const Model& m, State& s, int i, int from, const Reference& ref) {
  s.efcType[i] = s.efcType[from];
  s.efcId[i] = s.efcId[from];
  s.efcPos[i] = s.efcPos[from];
  s.efcMargin[i] = s.efcMargin[from];
  s.efcFloss[i] = s.efcFloss[from];
  setReference(m, s, i, ref);
}

// Fills row i (its Jacobian already in efcJ) with MuJoCo's soft-constraint parameters:
// impedance at (pos − margin), R = (1 − imp)/imp · diagApprox, and aref from solref (K = 0 for
// friction rows).
// `impPos`, when given, replaces pos − margin in the impedance: a connect's or weld's rows share
// the impedance of their error's norm, an elliptic contact's rows that of its normal (MuJoCo's
// getposdim).
// Returns the row's Reference, for the rows that share it (sameRow).
Reference finishRow(const Model& m, State& s, int i, int type, int id, double pos, double margin,
                    double floss, const double solrefIn[2], const double solimp[5], double diagApprox,
                    double impPos = NAN) {
  // solref: at least two steps of time constant (MuJoCo's refsafe), standard or direct form
  double solref[2] = {solrefIn[0], solrefIn[1]};
  const double h = m.spec.timestep / m.spec.substeps;
  if (m.spec.solver.refsafe && solref[0] > 0) solref[0] = std::max(solref[0], 2 * h);
  const double dmax = std::min(kMaxImp, std::max(kMinImp, solimp[1]));
  const double imp = impedance(solimp, std::isnan(impPos) ? pos - margin : impPos, 0);
  double K, B;
  if (type == kRowFriction) K = 0;
  else if (solref[0] > 0) K = 1 / std::max(kMinVal, dmax * dmax * solref[0] * solref[0] * solref[1] * solref[1]);
  else K = -solref[0] / std::max(kMinVal, dmax * dmax);
  if (solref[1] > 0) B = 2 / std::max(kMinVal, dmax * solref[0]);
  else B = -solref[1] / std::max(kMinVal, dmax);
  const double R = std::max(kMinVal, (1 - imp) * diagApprox / imp);
  s.efcType[i] = type;
  s.efcId[i] = id;
  s.efcPos[i] = pos;
  s.efcMargin[i] = margin;
  s.efcFloss[i] = floss;
  s.efcR[i] = R;
  s.efcD[i] = 1 / R;
  const Reference ref{B, K * imp * (pos - margin)};
  setReference(m, s, i, ref);
  return ref;
}

// Appends one row with a unit Jacobian on `dof` (sign ±1), weighted by dof_invweight0.
void addDofRow(const Model& m, State& s, int type, int dof, double sign, double pos, double margin,
               double floss, const double solref[2], const double solimp[5]) {
  const int nv = m.nv, i = s.nefc++;
  double* J = &s.efcJ[(size_t)i * nv];
  std::fill(J, J + nv, 0.0);
  J[dof] = sign;
  finishRow(m, s, i, type, dof, pos, margin, floss, solref, solimp, m.invweight0[dof]);
}

// Appends the condim rows of contact c's elliptic cone (MuJoCo's mjCNSTR_CONTACT_ELLIPTIC): the
// normal and the frame's tangential (and rotational) rows of s.jacB as they are, all with the
// normal's impedance; the tangents have pos = margin = 0 (so K plays no part) and the pair's
// solreffriction when it has one. diagApprox is w_t for the first three rows, w_r after; then
// R_1 = R_0/impratio, R_j = R_1 μ1²/μj² (j ≥ 2), and the cone's μ = μ1·√(R_1/R_0) (mj_makeImpedance).
void addEllipticRows(const Model& m, State& s, int c, double tran, double rot) {
  const int nv = m.nv;
  Contact& con = s.contacts[c];
  const CollisionPair& p = m.pairs[con.pair];
  const double* ref = p.solref;
  if (p.explicitPair >= 0) {
    const double* rf = m.spec.pairs[p.explicitPair].solreffriction;
    if ((rf[0] != 0 || rf[1] != 0) && (rf[0] > 0) == (rf[1] > 0)) ref = rf;  // MuJoCo: mixed signs → solref
  }
  const int first = s.nefc;
  for (int j = 0; j < p.condim; ++j) {
    const int i = s.nefc++;
    std::copy(&s.jacB[(size_t)j * nv], &s.jacB[(size_t)(j + 1) * nv], &s.efcJ[(size_t)i * nv]);
    finishRow(m, s, i, kRowElliptic, c, j == 0 ? con.dist : 0, j == 0 ? p.margin : 0, 0,
              j == 0 ? p.solref : ref, p.solimp, j < 3 ? tran : rot, con.dist - p.margin);
  }
  double* R = &s.efcR[first];
  R[1] = R[0] / std::max(kMinVal, m.spec.solver.impratio);
  for (int j = 1; j < p.condim - 1; ++j)
    R[j + 1] = R[1] * p.friction[0] * p.friction[0] / (p.friction[j] * p.friction[j]);
  for (int j = 0; j < p.condim; ++j) s.efcD[first + j] = 1 / R[j];
  con.mu = p.friction[0] * std::sqrt(R[1] / R[0]);
}

// Appends one row with sign × tendon t's Jacobian, weighted by tendon_invweight0.
void addTendonRow(const Model& m, State& s, int type, int t, double sign, double pos, double margin,
                  double floss, const double solref[2], const double solimp[5]) {
  const int nv = m.nv, i = s.nefc++;
  double* J = &s.efcJ[(size_t)i * nv];
  const double* Jt = &s.tenJ[(size_t)t * nv];
  for (int k = 0; k < nv; ++k) J[k] = sign * Jt[k];
  finishRow(m, s, i, type, t, pos, margin, floss, solref, solimp, m.tendons[t].invweight0);
}

// Appends the rows of contact c: the normal (condim 1) or the friction pyramid's edges n ± μk jk
// (MuJoCo's mj_instantiateContact), k = 1 … condim − 1, of the relative velocity J(g2) − J(g1) in
// the contact frame: j1, j2 the translational tangents (condim 3), j3 the relative rotation about
// the normal (condim 4: torsional friction), j4, j5 about the tangents (condim 6: rolling). As
// MuJoCo (mj_diagApprox, mj_makeImpedance), edge k's diagApprox is w_t + μk²·(k ≤ 2 ? w_t : w_r)
// (w_t, w_r the bodies' translational and rotational weights) and every edge then gets the
// regulariser R_py = 2 μ_r² R_n with R_n the first edge's and μ_r = μ1/√impratio (an explicit
// <pair> may give each direction its own μ).
void addContactRows(const Model& m, State& s, int c) {
  const int nv = m.nv;
  Contact& con = s.contacts[c];
  con.efcAdr = -1;
  const CollisionPair& p = m.pairs[con.pair];
  const GeomSpec &g1 = m.spec.geoms[p.g1], &g2 = m.spec.geoms[p.g2];
  std::fill(s.jacA.begin(), s.jacA.end(), 0.0);
  pointJacobian(m, s, m.geomLink[p.g2], con.pos, 1.0, s.jacA.data());
  pointJacobian(m, s, m.geomLink[p.g1], con.pos, -1.0, s.jacA.data());
  // rotate into the contact frame: jacB rows row0 … row0 + rows − 1 = frame rows 0 … rows − 1 times jac;
  // returns whether any entry is nonzero
  auto toFrame = [&](const double* jac, int rows, int row0) {
    bool nonzero = false;
    for (int r = 0; r < rows; ++r)
      for (int k = 0; k < nv; ++k) {
        double v = 0;
        for (int q = 0; q < 3; ++q) v += con.frame(r, q) * jac[q * nv + k];
        s.jacB[(row0 + r) * nv + k] = v;
        nonzero = nonzero || v != 0;
      }
    return nonzero;
  };
  // jacB rows = normal, tangent 1, tangent 2
  if (!toFrame(s.jacA.data(), 3, 0)) return;  // touches nothing that moves
  con.efcAdr = s.nefc;
  if (p.condim > 3) {  // relative rotation, in the frame: about the normal, then the tangents
    std::fill(s.jacR.begin(), s.jacR.end(), 0.0);
    rotationJacobian(m, s, m.geomLink[p.g2], 1.0, s.jacR.data());
    rotationJacobian(m, s, m.geomLink[p.g1], -1.0, s.jacR.data());
    toFrame(s.jacR.data(), p.condim - 3, 3);
  }
  const double tran = m.bodyInvweight0[g1.body] + m.bodyInvweight0[g2.body];
  const double rot = m.bodyInvweight0Rot[g1.body] + m.bodyInvweight0Rot[g2.body];
  const double margin = p.margin;  // MuJoCo 4's includemargin (the gap only widens detection)
  const double* Jn = &s.jacB[0];
  if (p.condim == 1) {
    const int i = s.nefc++;
    std::copy(Jn, Jn + nv, &s.efcJ[(size_t)i * nv]);
    finishRow(m, s, i, kRowContact, c, con.dist, margin, 0, p.solref, p.solimp, tran);
    return;
  }
  if (m.spec.solver.elliptic) {
    addEllipticRows(m, s, c, tran, rot);
    return;
  }
  // the edges share the impedance and reference of the first (R is the pyramid's, below)
  const int first = s.nefc;
  Reference ref{};
  for (int t = 1; t < p.condim; ++t)
    for (double sign : {1.0, -1.0}) {
      const int i = s.nefc++;
      const double mu = p.friction[t - 1];
      double* J = &s.efcJ[(size_t)i * nv];
      const double* Jt = &s.jacB[t * nv];
      for (int k = 0; k < nv; ++k) J[k] = Jn[k] + sign * mu * Jt[k];
      if (i == first) ref = finishRow(m, s, i, kRowContact, c, con.dist, margin, 0, p.solref, p.solimp, tran + mu * mu * tran);
      else sameRow(m, s, i, first, ref);
    }
  const double Rn = s.efcR[first], Rt = Rn / std::max(kMinVal, m.spec.solver.impratio);
  const double muR = p.friction[0] * std::sqrt(Rt / Rn);
  for (int i = first; i < s.nefc; ++i) {
    s.efcR[i] = 2 * muR * muR * Rn;
    s.efcD[i] = 1 / s.efcR[i];
  }
}

// MuJoCo's mju_quat2Vel(·, q, 1) split into angle and unit axis: the rotation of the
// (normalised) quaternion q as θ·axis with θ in [−π, π]; returns |θ| and a unit axis (x when θ = 0).
double ballAngleAxis(const double* qpos, Vec3& axis) {
  const Quat q = qposQuat(qpos);
  Vec3 v(q.x(), q.y(), q.z());
  const double sinHalf = v.norm();
  double angle = 2 * std::atan2(sinHalf, q.w());
  if (angle > kPiConst) angle -= 2 * kPiConst;
  if (sinHalf < kMinVal || std::abs(angle) < kMinVal) {
    axis = Vec3::UnitX();
    return 0;
  }
  axis = v / sinHalf * (angle < 0 ? -1.0 : 1.0);
  return std::abs(angle);
}

// World pose of a frame fixed in body b (kinematics must be current).
Pose framePose(const Model& m, const State& s, int b, const Pose& X_body_frame) {
  const Pose B = bodyPose(m, s, b);
  return Pose{B.R * X_body_frame.R, B.p + B.R * X_body_frame.p};
}

// Appends the rows of equality constraint e (MuJoCo's mj_instantiateEquality):
// connect: 3 rows, error p1 − p2 of the held points, J = Jp(body1, p1) − Jp(body2, p2);
// weld: those and 3 rows of orientation error torquescale·vec(q2⁻¹ q1 q_rel) with the rotational
//   Jacobian ½·torquescale·[(0, R2ᵀ(Jr1 − Jr2)) ⊗ q_err]_vec (MuJoCo's quaternion form, from
//   rotation matrices so that the error quaternion has w ≥ 0);
// joint: 1 row, (q1 − ref1) − poly(q2 − ref2), J = e1 − poly'·e2.
void addEqualityRows(const Model& m, State& s, int e) {
  const int nv = m.nv;
  const Equality& eq = m.equalities[e];
  if (eq.type == EqualitySpec::kTendon) {
    // (L1 − L1(qpos0)) − poly(L2 − L2(qpos0)), J = J1 − poly'·J2 (as the joint form)
    const int i = s.nefc++, t1 = eq.tendon1, t2 = eq.tendon2;
    double* J = &s.efcJ[(size_t)i * nv];
    const double* J1 = &s.tenJ[(size_t)t1 * nv];
    std::copy(J1, J1 + nv, J);
    const double* c = eq.polycoef;
    double pos = s.tenLength[t1] - m.tendons[t1].length0 - c[0];
    double diag = m.tendons[t1].invweight0;
    if (t2 >= 0) {
      const double x = s.tenLength[t2] - m.tendons[t2].length0;
      pos -= c[1] * x + c[2] * x * x + c[3] * x * x * x + c[4] * x * x * x * x;
      const double deriv = c[1] + 2 * c[2] * x + 3 * c[3] * x * x + 4 * c[4] * x * x * x;
      const double* J2 = &s.tenJ[(size_t)t2 * nv];
      for (int k = 0; k < nv; ++k) J[k] -= deriv * J2[k];
      diag += m.tendons[t2].invweight0;
    }
    finishRow(m, s, i, kRowEquality, e, pos, 0, 0, eq.solref, eq.solimp, diag);
    return;
  }
  if (eq.type == EqualitySpec::kJoint) {
    const int i = s.nefc++;
    double* J = &s.efcJ[(size_t)i * nv];
    std::fill(J, J + nv, 0.0);
    J[eq.dof1] = 1;
    double pos = s.qpos[eq.qpos1] - m.qpos0[eq.qpos1] - eq.polycoef[0];
    double diag = m.invweight0[eq.dof1];
    if (eq.dof2 >= 0) {
      const double* c = eq.polycoef;
      const double x = s.qpos[eq.qpos2] - m.qpos0[eq.qpos2];
      pos = s.qpos[eq.qpos1] - m.qpos0[eq.qpos1] - c[0] - (c[1] * x + c[2] * x * x + c[3] * x * x * x + c[4] * x * x * x * x);
      J[eq.dof2] -= c[1] + 2 * c[2] * x + 3 * c[3] * x * x + 4 * c[4] * x * x * x;
      diag += m.invweight0[eq.dof2];
    }
    finishRow(m, s, i, kRowEquality, e, pos, 0, 0, eq.solref, eq.solimp, diag);
    return;
  }
  const Pose F1 = framePose(m, s, eq.body1, eq.X_body1_frame);
  const Pose F2 = framePose(m, s, eq.body2, eq.X_body2_frame);
  const Vec3 err = F1.p - F2.p;
  std::fill(s.jacA.begin(), s.jacA.end(), 0.0);
  pointJacobian(m, s, m.bodyLink[eq.body1], F1.p, 1.0, s.jacA.data());
  pointJacobian(m, s, m.bodyLink[eq.body2], F2.p, -1.0, s.jacA.data());
  double pos[6] = {err[0], err[1], err[2], 0, 0, 0};
  // J̇ q̇ of each row: MuJoCo 4 takes it out of the reference acceleration of connect and weld
  // rows (checked against it by finite differences of J q̇ along the motion)
  const int l1 = m.bodyLink[eq.body1], l2 = m.bodyLink[eq.body2];
  const Vec3 biasT = pointBiasAcceleration(s, l1, F1.p) - pointBiasAcceleration(s, l2, F2.p);
  double jdot[6] = {biasT[0], biasT[1], biasT[2], 0, 0, 0};
  const int rows = eq.type == EqualitySpec::kWeld ? 6 : 3;
  if (rows == 6) {
    // q_err = q2⁻¹ q1 q_rel as a rotation: R2ᵀ R1 relR, taken with w ≥ 0
    Quat qe(Mat3(F2.R.transpose() * F1.R * eq.relR));
    if (qe.w() < 0) qe.coeffs() = -qe.coeffs();
    const double w = qe.w();
    const Vec3 u = qe.vec();
    for (int k = 0; k < 3; ++k) pos[3 + k] = eq.torquescale * u[k];
    std::fill(s.jacR.begin(), s.jacR.end(), 0.0);
    rotationJacobian(m, s, m.bodyLink[eq.body1], 1.0, s.jacR.data());
    rotationJacobian(m, s, m.bodyLink[eq.body2], -1.0, s.jacR.data());
    for (int c = 0; c < nv; ++c) {
      const Vec3 a(s.jacR[c], s.jacR[nv + c], s.jacR[2 * nv + c]);
      const Vec3 v = F2.R.transpose() * a;
      const Vec3 col = 0.5 * eq.torquescale * (w * v + v.cross(u));
      for (int k = 0; k < 3; ++k) s.jacR[k * nv + c] = col[k];
    }
    // rotational J̇ q̇: with r = R2ᵀ(ω1 − ω2) and q̇_err = ½ (0, r) ⊗ q_err,
    // d/dt ½ ts [(0, r) ⊗ q_err]_vec = ½ ts (w ṙ + ṙ × u − ½ |r|² u), ṙ = R2ᵀ(α1 − α2 − ω2 × (ω1 − ω2))
    const Vec3 w1 = l1 < 0 ? Vec3::Zero() : Vec3(s.v[l1].head<3>());
    const Vec3 w2 = l2 < 0 ? Vec3::Zero() : Vec3(s.v[l2].head<3>());
    const Vec3 a1 = l1 < 0 ? Vec3::Zero() : Vec3(s.a[l1].head<3>());
    const Vec3 a2 = l2 < 0 ? Vec3::Zero() : Vec3(s.a[l2].head<3>());
    const Vec3 r = F2.R.transpose() * (w1 - w2);
    const Vec3 rdot = F2.R.transpose() * (a1 - a2 - w2.cross(w1 - w2));
    const Vec3 jr = 0.5 * eq.torquescale * (w * rdot + rdot.cross(u) - 0.5 * r.squaredNorm() * u);
    for (int k = 0; k < 3; ++k) jdot[3 + k] = jr[k];
  }
  double norm = 0;
  for (int k = 0; k < rows; ++k) norm += pos[k] * pos[k];
  norm = std::sqrt(norm);
  const double tran = m.bodyInvweight0[eq.body1] + m.bodyInvweight0[eq.body2];
  const double rot = m.bodyInvweight0Rot[eq.body1] + m.bodyInvweight0Rot[eq.body2];
  for (int k = 0; k < rows; ++k) {
    const int i = s.nefc++;
    const double* src = k < 3 ? &s.jacA[(size_t)k * nv] : &s.jacR[(size_t)(k - 3) * nv];
    std::copy(src, src + nv, &s.efcJ[(size_t)i * nv]);
    finishRow(m, s, i, kRowEquality, e, pos[k], 0, 0, eq.solref, eq.solimp, k < 3 ? tran : rot, norm);
    s.efcAref[i] -= jdot[k];
  }
}

}  // namespace

int constraintCapacity(const Model& m) {
  // the equality rows, two limit sides and one friction row per dof and per tendon at most, and
  // per contact its rows (contactRowCount: normal, elliptic cone or pyramid edges)
  int rows = 0;
  if (m.spec.solver.equality)
    for (const Equality& e : m.equalities)
      rows += e.type == EqualitySpec::kWeld ? 6 : e.type == EqualitySpec::kConnect ? 3 : 1;
  for (int i = 0; i < m.nv; ++i) {
    if (m.limited[i] && m.spec.solver.limits) rows += 2;
    if (m.frictionloss[i] > 0 && m.spec.solver.frictionloss) rows += 1;
  }
  for (const Tendon& t : m.tendons) {
    if (t.limited && m.spec.solver.limits) rows += 2;
    if (t.frictionloss > 0 && m.spec.solver.frictionloss) rows += 1;
  }
  const bool elliptic = m.spec.solver.elliptic;
  for (const CollisionPair& p : m.pairs)
    rows += p.maxContacts * contactRowCount(p.condim, elliptic);
  return rows;
}

void makeConstraints(const Model& m, State& s) {
  s.nefc = 0;
  const SolverOptions& o = m.spec.solver;
  // equality constraints first, as MuJoCo orders its rows
  if (o.equality && !m.equalities.empty()) {
    // J̇ q̇ for the connect and weld rows only (joint and tendon rows have none)
    for (const Equality& e : m.equalities)
      if (e.type == EqualitySpec::kConnect || e.type == EqualitySpec::kWeld) {
        velocityBias(m, s);
        break;
      }
    for (int e = 0; e < (int)m.equalities.size(); ++e) addEqualityRows(m, s, e);
  }
  // dry friction: one row per dof with frictionloss, force bounded by it
  const int firstFriction = s.nefc;
  if (o.frictionloss)
    for (int i = 0; i < m.nv; ++i)
      if (m.frictionloss[i] > 0)
        addDofRow(m, s, kRowFriction, i, 1.0, 0, 0, m.frictionloss[i], &m.frictionSolref[2 * i],
                  &m.frictionSolimp[5 * i]);
  if (o.frictionloss)
    for (int t = 0; t < m.ntendon(); ++t) {
      const Tendon& T = m.tendons[t];
      if (T.frictionloss > 0)
        addTendonRow(m, s, kRowFriction, t, 1.0, 0, 0, T.frictionloss, T.frictionSolref, T.frictionSolimp);
    }
  s.nfriction = s.nefc - firstFriction;
  // joint limits: a row per side whose distance is below the margin; J = +1 below, −1 above.
  // A ball's limit is a cone: distance range[1] − θ with θ the quaternion's rotation angle and
  // J = −(unit rotation axis) on its three dofs (MuJoCo's mj_instantiateLimit).
  if (o.limits)
    for (int i = 0; i < m.nv; ++i) {
      if (!m.limited[i]) continue;
      const Link& L = m.links[i];
      const double margin = m.limitMargin[i];
      const double solref[2] = {m.limitTimeconst[i], m.limitDampratio[i]};
      if (L.type == SIM_JOINT_BALL) {
        Vec3 axis;
        const double angle = ballAngleAxis(&s.qpos[L.qposAdr], axis);
        const double dist = std::max(m.rangeLo[i], m.rangeHi[i]) - angle;
        if (dist < margin) {
          const int r = s.nefc++;
          double* J = &s.efcJ[(size_t)r * m.nv];
          std::fill(J, J + m.nv, 0.0);
          for (int k = 0; k < 3; ++k) J[i + k] = -axis[k];
          finishRow(m, s, r, kRowLimit, i, dist, margin, 0, solref, &m.limitSolimp[5 * i], m.invweight0[i]);
        }
        continue;
      }
      const double q = s.qpos[L.qposAdr];
      const double lower = q - m.rangeLo[i], upper = m.rangeHi[i] - q;
      if (lower < margin) addDofRow(m, s, kRowLimit, i, 1.0, lower, margin, 0, solref, &m.limitSolimp[5 * i]);
      if (upper < margin) addDofRow(m, s, kRowLimit, i, -1.0, upper, margin, 0, solref, &m.limitSolimp[5 * i]);
    }
  // tendon limits after the joints': distance L − lo (J) and hi − L (−J)
  if (o.limits)
    for (int t = 0; t < m.ntendon(); ++t) {
      const Tendon& T = m.tendons[t];
      if (!T.limited) continue;
      const double L = s.tenLength[t];
      const double lower = L - T.range[0], upper = T.range[1] - L;
      if (lower < T.margin)
        addTendonRow(m, s, kRowLimit, t, 1.0, lower, T.margin, 0, T.limitSolref, T.limitSolimp);
      if (upper < T.margin)
        addTendonRow(m, s, kRowLimit, t, -1.0, upper, T.margin, 0, T.limitSolref, T.limitSolimp);
    }
  // contacts: collision detection, then their rows
  if (!m.pairs.empty()) {
    collide(m, s);
    for (int c = 0; c < s.ncon; ++c) addContactRows(m, s, c);
  }
}

}  // namespace sim
