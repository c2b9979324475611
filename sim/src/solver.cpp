// solver.cpp — MuJoCo's constraint solvers: Newton (default) and CG on the primal, PGS on the dual.
//
// The primal problem (MuJoCo's Computation chapter, "Solver"): find qacc minimising
//   cost(qacc) = ½ (M qacc − qfrcSmooth)·(qacc − qaccSmooth) + Σ_i s_i(jar_i),  jar = J qacc − aref,
// where each row's s_i is convex and piecewise quadratic:
//   equality: ½ D jar² always;
//   limit / contact (unilateral): ½ D jar² when jar < 0, else 0;
//   dry friction with bound F (Huber): ½ D jar² when |jar| < R F, else F |jar| − ½ R F²;
//   an elliptic contact's rows together: one cone's cost in three zones (below, "elliptic cones").
// Row forces are f_i = −∂s_i/∂jar_i; the gradient is M qacc − qfrcSmooth − Jᵀ f.
// Newton steps along −H⁻¹ grad with H = M + Jᵀ diag(D on quadratic rows) J; CG along
// Polak–Ribière directions preconditioned by M⁻¹; both with an exact line search (the cost along
// a line is a convex piecewise quadratic, so safeguarded 1-D Newton lands on its minimum).
// PGS solves the dual: min ½ fᵀ (J M⁻¹ Jᵀ + R) f + fᵀ (J qaccSmooth − aref) over the force bounds.
// Stopping: scaled cost improvement or gradient below `tolerance`, the scale being
// 1/(meanInertia·max(1, nv)) as MuJoCo's. Rows are summed over their nonzero columns only
// (indexRows), which leaves every sum as the dense one. PGS visits the rows in order (MuJoCo 4.0.1's
// sweep), an elliptic contact as one block: a ray update of the whole force, then its friction with
// the normal fixed, a small QCQP on the friction ellipsoid (MuJoCo's mj_solPGS).
#include <algorithm>
#include <cmath>

#include "state.hpp"

namespace sim {

namespace {

// Force, Hessian weight (D when the row is quadratic, else 0) and cost of one row at jar.
inline double rowCost(const State& s, int i, double jar, double* force, double* weight) {
  const double D = s.efcD[i], R = s.efcR[i];
  if (s.efcType[i] == kRowFriction) {
    const double F = s.efcFloss[i];
    if (jar <= -R * F) {
      *force = F;
      *weight = 0;
      return -0.5 * R * F * F - F * jar;
    }
    if (jar >= R * F) {
      *force = -F;
      *weight = 0;
      return -0.5 * R * F * F + F * jar;
    }
  } else if (s.efcType[i] != kRowEquality && jar >= 0) {  // equality rows are always quadratic
    *force = 0;
    *weight = 0;
    return 0;
  }
  *force = -D * jar;
  *weight = D;
  return 0.5 * D * jar * jar;
}

const double* row(const Model& m, const State& s, int i) { return &s.efcJ[(size_t)i * m.nv]; }
const int* cols(const Model& m, const State& s, int i) { return &s.efcCols[(size_t)i * m.nv]; }

// Each row's nonzero columns (ascending): contact rows touch only the dofs above the two bodies,
// limit and friction rows one dof. The sums below skip exact zeros, which leaves them unchanged.
void indexRows(const Model& m, State& s) {
  for (int i = 0; i < s.nefc; ++i) {
    const double* J = row(m, s, i);
    int* c = &s.efcCols[(size_t)i * m.nv];
    int n = 0;
    for (int k = 0; k < m.nv; ++k)
      if (J[k] != 0) c[n++] = k;
    s.efcNnz[i] = n;
  }
  // Newton's Hessian keeps M's tree sparsity (its LᵀDL needs no fill-in) when each row's columns
  // lie on one branch of the dof tree: every column an ancestor of the next (one-dof rows: limits,
  // dry friction, a joint equality on one dof); one row off the tree (a joint equality between
  // two branches: a gripper's mimic) is added by Sherman–Morrison
  s.treeHessian = true;
  s.offTreeRow = -1;
  for (int i = 0; i < s.nefc && s.treeHessian; ++i) {
    if (s.efcType[i] == kRowElliptic) s.treeHessian = false;
    const int* c = cols(m, s, i);
    bool chain = true;
    for (int n = 1, nn = s.efcNnz[i]; n < nn && chain; ++n) {
      int j = c[n];
      while (j > c[n - 1]) j = m.links[j].parent;
      chain = j == c[n - 1];
    }
    if (!chain) {
      if (s.offTreeRow >= 0) s.treeHessian = false;
      s.offTreeRow = i;
    }
  }
}

// J_i · x over row i's nonzero columns.
inline double rowDot(const Model& m, const State& s, int i, const double* x, double init) {
  const double* J = row(m, s, i);
  const int* c = cols(m, s, i);
  for (int n = 0, nn = s.efcNnz[i]; n < nn; ++n) init += J[c[n]] * x[c[n]];
  return init;
}

// out += scale · J_iᵀ over row i's nonzero columns.
inline void addRowTransposed(const Model& m, const State& s, int i, double scale, double* out) {
  const double* J = row(m, s, i);
  const int* c = cols(m, s, i);
  for (int n = 0, nn = s.efcNnz[i]; n < nn; ++n) out[c[n]] += J[c[n]] * scale;
}

// MARK: elliptic cones (MuJoCo's mj_constraintUpdate, PrimalPrepare/PrimalEval)
//
// An elliptic contact's rows i … i+dim−1 are one cone. In the circular coordinates
// U = (μ jar_0, μ_1 jar_1, …, μ_{dim−1} jar_{dim−1}) (μ the regularised cone's, μ_j the
// pair's friction) with N = U_0, T = |U_1…|, the cost is
//   top zone    N ≥ μT (inside the cone):          0;
//   bottom zone μN + T ≤ 0 (inside the dual cone): Σ_j ½ D_j jar_j²;
//   middle zone otherwise:                          ½ Dm (N − μT)²,  Dm = D_0 / (μ² (1 + μ²)).
enum { kConeTop, kConeBottom, kConeMiddle };

struct Cone {
  int dim;
  double mu, Dm;
  const double* friction;  // the pair's μ_1 … μ_{dim−1}
};

Cone cone(const Model& m, const State& s, int i) {
  const Contact& con = s.contacts[s.efcId[i]];
  const CollisionPair& p = m.pairs[con.pair];
  return Cone{p.condim, con.mu, s.efcD[i] / (con.mu * con.mu * (1 + con.mu * con.mu)), p.friction};
}

// Zone of the cone at N, T (MuJoCo's tests, T = 0 included).
int coneZone(double N, double T, double mu) {
  if (N >= mu * T || (T <= 0 && N >= 0)) return kConeTop;
  if (mu * N + T <= 0 || (T <= 0 && N < 0)) return kConeBottom;
  return kConeMiddle;
}

// N, T and U_1… of the cone at rows jar (U has room for 6).
int coneState(const Cone& c, const double* jar, double* U, double* N, double* T) {
  *N = c.mu * jar[0];
  double TT = 0;
  for (int j = 1; j < c.dim; ++j) {
    U[j] = c.friction[j - 1] * jar[j];
    TT += U[j] * U[j];
  }
  *T = std::sqrt(TT);
  return coneZone(*N, *T, c.mu);
}

// Cost of the cone at rows i… (jar from s.efcJar) and its forces f = −∂cost/∂jar.
double coneCost(const Cone& c, State& s, int i) {
  double U[6], N, T;
  const int zone = coneState(c, &s.efcJar[i], U, &N, &T);
  double* f = &s.efcForce[i];
  if (zone == kConeTop) {
    std::fill(f, f + c.dim, 0.0);
    return 0;
  }
  if (zone == kConeBottom) {
    double cost = 0;
    for (int j = 0; j < c.dim; ++j) {
      const double jar = s.efcJar[i + j];
      f[j] = -s.efcD[i + j] * jar;
      cost += 0.5 * s.efcD[i + j] * jar * jar;
    }
    return cost;
  }
  const double r = N - c.mu * T;
  f[0] = -c.Dm * r * c.mu;
  for (int j = 1; j < c.dim; ++j) f[j] = -f[0] / T * U[j] * c.friction[j - 1];
  return 0.5 * c.Dm * r * r;
}

// Middle zone's Hessian of the cost in jar (dim × dim, row-major into h):
// Dm · diag(μ, μ_j) [(1, −μU/T); (−μU/T, μN/T³ UUᵀ + (μ² − μN/T) I)] diag(μ, μ_j).
void coneHessian(const Cone& c, const double* U, double N, double T, double* h) {
  const int d = c.dim;
  h[0] = 1;
  for (int j = 1; j < d; ++j) h[j] = h[j * d] = -c.mu / T * U[j];
  for (int a = 1; a < d; ++a)
    for (int b = 1; b < d; ++b)
      h[a * d + b] = c.mu * N / (T * T * T) * U[a] * U[b] + (a == b ? c.mu * c.mu - c.mu * N / T : 0.0);
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < d; ++b)
      h[a * d + b] *= c.Dm * (a == 0 ? c.mu : c.friction[a - 1]) * (b == 0 ? c.mu : c.friction[b - 1]);
}

// First and second derivatives of the cone's cost along jar + α·jd at α (jd from s.efcJd).
void coneDerivatives(const Cone& c, const State& s, int i, double alpha, double* d1, double* d2) {
  double jar[6], U[6], V[6], N, T;
  for (int j = 0; j < c.dim; ++j) jar[j] = s.efcJar[i + j] + alpha * s.efcJd[i + j];
  const int zone = coneState(c, jar, U, &N, &T);
  if (zone == kConeTop) return;
  if (zone == kConeBottom) {
    for (int j = 0; j < c.dim; ++j) {
      const double D = s.efcD[i + j], jd = s.efcJd[i + j];
      *d1 += D * jar[j] * jd;
      *d2 += D * jd * jd;
    }
    return;
  }
  // N' = V_0, T' = U·V/T, T'' = (|V|² − T'²)/T
  const double V0 = c.mu * s.efcJd[i];
  double UV = 0, VV = 0;
  for (int j = 1; j < c.dim; ++j) {
    V[j] = c.friction[j - 1] * s.efcJd[i + j];
    UV += U[j] * V[j];
    VV += V[j] * V[j];
  }
  const double T1 = UV / T, T2 = (VV - T1 * T1) / T, r = N - c.mu * T, r1 = V0 - c.mu * T1;
  *d1 += c.Dm * r * r1;
  *d2 += c.Dm * (r1 * r1 - r * c.mu * T2);
}

// jar = J a − aref, forces, and the total cost at qacc = a with Ma = M a.
double evaluate(const Model& m, State& s, const double* a, const Eigen::VectorXd& Ma) {
  const int nv = m.nv;
  double cost = 0;
  for (int k = 0; k < nv; ++k) cost += 0.5 * (Ma[k] - s.qfrcSmooth[k]) * (a[k] - s.qaccSmooth[k]);
  for (int i = 0; i < s.nefc; ++i) s.efcJar[i] = rowDot(m, s, i, a, -s.efcAref[i]);
  for (int i = 0; i < s.nefc; ++i) {
    if (s.efcType[i] == kRowElliptic) {
      const Cone c = cone(m, s, i);
      cost += coneCost(c, s, i);
      i += c.dim - 1;
      continue;
    }
    double w;
    cost += rowCost(s, i, s.efcJar[i], &s.efcForce[i], &w);
  }
  return cost;
}

// grad = M a − qfrcSmooth − Jᵀ f (forces from the last evaluate).
void gradient(const Model& m, State& s) {
  const int nv = m.nv;
  for (int k = 0; k < nv; ++k) s.grad[k] = s.Ma[k] - s.qfrcSmooth[k];
  for (int i = 0; i < s.nefc; ++i) {
    const double f = s.efcForce[i];
    if (f != 0) addRowTransposed(m, s, i, -f, s.grad.data());
  }
}

// Exact minimisation of cost(a + α·dir) over α ≥ 0. The derivative is piecewise linear and
// increasing; Newton on it is exact within a piece, and a bracket [lo, hi] with bisection as a
// fallback keeps it convergent. Returns α (0 when dir is not a descent direction); leaves
// s.Mdir = M·dir and s.efcJd = J·dir.
double lineSearch(const Model& m, State& s) {
  const int nv = m.nv;
  const SolverOptions& o = m.spec.solver;
  // Gauss part: g1 = (M a − qfrcSmooth)·dir, g2 = dirᵀ M dir
  multiplyTree(m, s.Mtree.data(), s.dir.data(), s.Mdir.data());
  double g1 = 0, g2 = 0, dnorm = 0;
  for (int k = 0; k < nv; ++k) {
    g1 += (s.Ma[k] - s.qfrcSmooth[k]) * s.dir[k];
    g2 += s.dir[k] * s.Mdir[k];
    dnorm += s.dir[k] * s.dir[k];
  }
  for (int i = 0; i < s.nefc; ++i) s.efcJd[i] = rowDot(m, s, i, s.dir.data(), 0.0);
  auto derivatives = [&](double alpha, double* d2) {
    double d1 = g1 + alpha * g2;
    *d2 = g2;
    for (int i = 0; i < s.nefc; ++i) {
      if (s.efcType[i] == kRowElliptic) {
        const Cone c = cone(m, s, i);
        coneDerivatives(c, s, i, alpha, &d1, d2);
        i += c.dim - 1;
        continue;
      }
      const double jd = s.efcJd[i];
      if (jd == 0) continue;
      double f, w;
      rowCost(s, i, s.efcJar[i] + alpha * jd, &f, &w);
      d1 -= f * jd;
      *d2 += w * jd * jd;
    }
    return d1;
  };
  const double scale = 1 / (m.meanInertia * std::max(1, nv));
  const double gtol = std::max(1e-300, o.tolerance * o.lsTolerance * std::sqrt(dnorm) / scale);
  double lo = 0, hi = INFINITY, alpha = 0, d2;
  double d1 = derivatives(0, &d2);
  if (d1 >= 0) return 0;  // not a descent direction (converged to rounding)
  for (int it = 0; it < std::max(1, o.lsIterations); ++it) {
    if (std::abs(d1) < gtol) break;
    if (d1 < 0) lo = alpha;
    else hi = alpha;
    double next = d2 > 0 ? alpha - d1 / d2 : (std::isfinite(hi) ? 0.5 * (lo + hi) : 2 * alpha + 1);
    if (!(next > lo && next < hi)) next = std::isfinite(hi) ? 0.5 * (lo + hi) : 2 * alpha + 1;
    if (next == alpha) break;
    alpha = next;
    d1 = derivatives(alpha, &d2);
  }
  return alpha;
}

// s.H += w J_iᵀ J_i on the lower triangle, over row i's nonzero columns.
void addRowHessian(const Model& m, State& s, int i, double w) {
  const double* J = row(m, s, i);
  const int* c = cols(m, s, i);
  if (s.treeHessian) {  // the tree layout: column c[k] sits at treeLen[c[k]] − 1 of row r's entries
    for (int n = 0, nn = s.efcNnz[i]; n < nn; ++n) {
      const int r = c[n];
      const double wr = w * J[r];
      double* rowR = &s.Htree[m.treeAdr[r]];
      for (int k = 0; k <= n; ++k) rowR[m.treeLen[c[k]] - 1] += wr * J[c[k]];
    }
    return;
  }
  for (int n = 0, nn = s.efcNnz[i]; n < nn; ++n) {
    const int r = c[n];
    const double wr = w * J[r];
    for (int k = 0; k <= n; ++k) s.H(r, c[k]) += wr * J[c[k]];
  }
}

// Adds the cone's Hessian Jᵀ h J (middle zone) to s.H's lower triangle and returns true, or returns
// false in the bottom zone (its rows are quadratic one by one); the top zone adds nothing (true).
bool addConeHessian(const Model& m, State& s, const Cone& c, int i) {
  const int nv = m.nv;
  double U[6], N, T, h[36];
  const int zone = coneState(c, &s.efcJar[i], U, &N, &T);
  if (zone == kConeBottom) return false;
  if (zone == kConeTop) return true;
  coneHessian(c, U, N, T, h);
  // P = h J (s.jacB as scratch, dim × nv), then H += Jᵀ P
  for (int a = 0; a < c.dim; ++a)
    for (int k = 0; k < nv; ++k) {
      double v = 0;
      for (int b = 0; b < c.dim; ++b) v += h[a * c.dim + b] * row(m, s, i + b)[k];
      s.jacB[(size_t)a * nv + k] = v;
    }
  for (int a = 0; a < c.dim; ++a) {
    const double* J = row(m, s, i + a);
    const double* P = &s.jacB[(size_t)a * nv];
    for (int r = 0; r < nv; ++r) {
      if (J[r] == 0) continue;
      for (int k = 0; k <= r; ++k) s.H(r, k) += J[r] * P[k];
    }
  }
  return true;
}

// Newton (hessian = true) or CG on the primal, from s.qacc; `cost` is its cost when s.Ma and
// the rows were last evaluated there (NAN: evaluate first).
void solvePrimal(const Model& m, State& s, bool newton, double cost) {
  const int nv = m.nv;
  const SolverOptions& o = m.spec.solver;
  const double scale = 1 / (m.meanInertia * std::max(1, nv));
  double* a = s.qacc.data();
  Eigen::Map<Eigen::VectorXd> qacc(a, nv);
  if (std::isnan(cost)) {
    multiplyTree(m, s.Mtree.data(), a, s.Ma.data());
    cost = evaluate(m, s, a, s.Ma);
  }
  gradient(m, s);
  if (!newton) s.llt.compute(s.M);  // CG preconditioner M⁻¹
  int iter = 0;
  for (; iter < o.iterations; ++iter) {
    if (scale * s.grad.norm() < o.tolerance) break;
    if (newton) {
      // H = M + Σ_quadratic rows D_i J_iᵀ J_i (+ the cones' Hessians), its lower triangle (all
      // that LLT reads), over each row's nonzero columns
      if (s.treeHessian) std::copy(s.Mtree.begin(), s.Mtree.end(), s.Htree.begin());
      else s.H = s.M;
      double offTreeWeight = 0;
      for (int i = 0; i < s.nefc; ++i) {
        if (s.efcType[i] == kRowElliptic) {
          const Cone c = cone(m, s, i);
          if (!addConeHessian(m, s, c, i))  // bottom zone: each row quadratic
            for (int j = 0; j < c.dim; ++j) addRowHessian(m, s, i + j, s.efcD[i + j]);
          i += c.dim - 1;
          continue;
        }
        double f, w;
        rowCost(s, i, s.efcJar[i], &f, &w);
        if (w != 0 && s.treeHessian && i == s.offTreeRow) offTreeWeight = w;
        else if (w != 0) addRowHessian(m, s, i, w);
      }
      s.dir = -s.grad;
      if (s.treeHessian) {  // the tree's LᵀDL (as MuJoCo's sparse Newton), else dense Cholesky
        factorTree(m, s.Htree.data());
        solveTree(m, s.Htree.data(), s.dir.data());
        if (offTreeWeight != 0) {
          // (A + w j jᵀ)⁻¹ g = x − z (j·x)/(1/w + j·z) with x = A⁻¹ g, z = A⁻¹ j (s.Mgrad: CG's scratch)
          const int r = s.offTreeRow;
          s.Mgrad.setZero();
          addRowTransposed(m, s, r, 1.0, s.Mgrad.data());
          solveTree(m, s.Htree.data(), s.Mgrad.data());
          // the denominator is >= 1/w > 0: A (M plus the on-tree rows) is positive definite
          const double smScale = rowDot(m, s, r, s.dir.data(), 0.0) / (1 / offTreeWeight + rowDot(m, s, r, s.Mgrad.data(), 0.0));
          s.dir -= smScale * s.Mgrad;
        }
      } else {
        s.llt.compute(s.H);
        s.llt.solveInPlace(s.dir);
      }
    } else {
      // Polak–Ribière with M⁻¹ as preconditioner, restarted when β < 0
      s.Mgrad = s.grad;
      s.llt.solveInPlace(s.Mgrad);
      double beta = 0;
      if (iter > 0) {
        const double den = s.gradPrev.dot(s.MgradPrev);
        if (den > 0) beta = std::max(0.0, s.grad.dot(s.Mgrad - s.MgradPrev) / den);
      }
      s.dir = -s.Mgrad + beta * s.dir;
      if (s.grad.dot(s.dir) >= 0) s.dir = -s.Mgrad;  // not a descent direction: restart
      s.gradPrev = s.grad;
      s.MgradPrev = s.Mgrad;
    }
    const double alpha = lineSearch(m, s);
    if (!(alpha > 0)) break;
    qacc += alpha * s.dir;
    s.Ma += alpha * s.Mdir;
    const double old = cost;
    cost = evaluate(m, s, a, s.Ma);
    gradient(m, s);
    if (scale * (old - cost) < o.tolerance) {
      ++iter;
      break;
    }
  }
  s.solverIterations = iter;
}

// min ½ xᵀ A x + xᵀ b subject to Σ_j (x_j / μ_j)² ≤ r², n ≤ 5 unknowns (MuJoCo's mju_QCQP). In
// y = x / μ the bound is |y| ≤ r: with A' = diag(μ) A diag(μ) and b' = μ ∘ b, y(λ) = −(A' + λI)⁻¹ b'
// and Newton on φ(λ) = |y(λ)|² − r², φ' = −2 yᵀ (A' + λI)⁻¹ y, from λ = 0 (φ is convex and
// decreasing, so the iterates rise to the root; at most 20, as MuJoCo's). Writes x = μ ∘ y and
// returns whether the bound is active (λ > 0); x = 0 when A' + λI is (nearly) singular: MuJoCo's
// tests, det < 1e-10 for n ≤ 3 (mju_QCQP2/3), a Cholesky pivot < 1e-10 for more (mju_QCQP).
bool qcqp(const double* A, const double* b, const double* mu, double r, int n, double* x) {
  double As[25], bs[5], L[25], y[5], z[5];
  for (int i = 0; i < n; ++i) {
    bs[i] = b[i] * mu[i];
    for (int j = 0; j < n; ++j) As[i * n + j] = A[i * n + j] * mu[i] * mu[j];
  }
  // solves (A' + λI) out = in with the Cholesky factor L (row-major, lower)
  auto solve = [&](const double* in, double* out) {
    for (int i = 0; i < n; ++i) {
      double v = in[i];
      for (int k = 0; k < i; ++k) v -= L[i * n + k] * out[k];
      out[i] = v / L[i * n + i];
    }
    for (int i = n - 1; i >= 0; --i) {
      double v = out[i];
      for (int k = i + 1; k < n; ++k) v -= L[k * n + i] * out[k];
      out[i] = v / L[i * n + i];
    }
  };
  double lambda = 0;
  for (int iter = 0; iter < 20; ++iter) {
    double det = 1;
    bool singular = false;
    for (int i = 0; i < n && !singular; ++i) {  // L Lᵀ = A' + λI; det = Π of the squared pivots
      for (int j = 0; j <= i; ++j) {
        double v = As[i * n + j] + (i == j ? lambda : 0);
        for (int k = 0; k < j; ++k) v -= L[i * n + k] * L[j * n + k];
        if (i == j) {
          det *= v;
          if (v <= 0 || (n > 3 && v < 1e-10)) {
            singular = true;
            break;
          }
          L[i * n + i] = std::sqrt(v);
        } else {
          L[i * n + j] = v / L[j * n + j];
        }
      }
    }
    if (singular || (n <= 3 && det < 1e-10)) {
      std::fill(x, x + n, 0.0);
      return false;
    }
    for (int i = 0; i < n; ++i) z[i] = -bs[i];
    solve(z, y);
    double val = -r * r;
    for (int i = 0; i < n; ++i) val += y[i] * y[i];
    if (val < 1e-10) break;  // converged, or inside the bound at λ = 0
    solve(y, z);
    double deriv = 0;
    for (int i = 0; i < n; ++i) deriv -= 2 * y[i] * z[i];
    const double delta = -val / deriv;
    if (delta < 1e-10) break;
    lambda += delta;
  }
  for (int i = 0; i < n; ++i) x[i] = y[i] * mu[i];
  return lambda != 0;
}

// Scales the friction forces t (dim − 1 of them) onto the ellipsoid Σ (t_j / μ_j)² = normal²; with
// `feasible`, only when outside it (MuJoCo's projectEllipsoid).
void projectEllipsoid(double* t, double normal, const double* mu, int dim, bool feasible) {
  double sum = 0;
  for (int j = 0; j < dim - 1; ++j) sum += t[j] * t[j] / (mu[j] * mu[j]);
  if (!feasible || sum > normal * normal) {
    const double scale = std::sqrt(normal * normal / std::max(kMinVal, sum));
    for (int j = 0; j < dim - 1; ++j) t[j] *= scale;
  }
}

// One elliptic contact's PGS update (MuJoCo's mj_solPGS): forces f[0..dim) (normal first) against
// residuals res = b + AR f and the block A = AR(this, this). A normal force near 0 gets a 1-D
// normal update and no friction; otherwise the ray update minimises along f itself (keeping the
// normal ≥ 0). Then the friction, the normal held, minimises ½ tᵀ A_tt t + tᵀ b_t inside the
// ellipsoid, b_t the residual's friction part moved to the new normal and away from the old friction.
void ellipticUpdate(const double* A, const double* res, const double* mu, int dim, double* f) {
  double old[6];
  std::copy(f, f + dim, old);
  if (f[0] < kMinVal) {
    f[0] = std::max(0.0, f[0] - res[0] / A[0]);
    std::fill(f + 1, f + dim, 0.0);
  } else {
    double denom = 0, num = 0;
    for (int j = 0; j < dim; ++j) {
      double Av = 0;
      for (int k = 0; k < dim; ++k) Av += A[j * dim + k] * old[k];
      denom += old[j] * Av;
      num += old[j] * res[j];
    }
    if (denom >= kMinVal) {
      double x = -num / denom;
      if (f[0] + x * old[0] < 0) x = -old[0] / f[0];
      for (int j = 0; j < dim; ++j) f[j] += x * old[j];
    }
  }
  const int n = dim - 1;
  double At[25], bt[5], t[5];
  for (int j = 0; j < n; ++j) {
    bt[j] = res[j + 1] + A[(j + 1) * dim] * (f[0] - old[0]);
    for (int k = 0; k < n; ++k) {
      At[j * n + k] = A[(j + 1) * dim + k + 1];
      bt[j] -= At[j * n + k] * old[k + 1];
    }
  }
  if (f[0] < kMinVal) {
    std::fill(f + 1, f + dim, 0.0);
    return;
  }
  if (qcqp(At, bt, mu, f[0], n, t)) projectEllipsoid(t, f[0], mu, dim, false);
  std::copy(t, t + n, f + 1);
}

// Projected Gauss–Seidel on the dual, from forces f (warm start); qacc = qaccSmooth + M⁻¹ Jᵀ f.
void solveDual(const Model& m, State& s) {
  const int nv = m.nv, ne = s.nefc;
  const SolverOptions& o = m.spec.solver;
  const double scale = 1 / (m.meanInertia * std::max(1, nv));
  // M⁻¹ Jᵀ and AR = J M⁻¹ Jᵀ + diag(R) on the active block
  s.llt.compute(s.M);
  for (int i = 0; i < ne; ++i) {
    const double* J = row(m, s, i);
    for (int k = 0; k < nv; ++k) s.MinvJt(k, i) = J[k];
  }
  auto block = s.MinvJt.leftCols(ne);
  s.llt.solveInPlace(block);
  for (int i = 0; i < ne; ++i) {
    const double* J = row(m, s, i);
    for (int j = 0; j < ne; ++j) {
      double v = 0;
      for (int k = 0; k < nv; ++k) v += J[k] * s.MinvJt(k, j);
      s.AR(i, j) = v;
    }
    s.AR(i, i) += s.efcR[i];
  }
  // b = J qaccSmooth − aref (kept in efcJd)
  for (int i = 0; i < ne; ++i) {
    const double* J = row(m, s, i);
    double b = -s.efcAref[i];
    for (int k = 0; k < nv; ++k) b += J[k] * s.qaccSmooth[k];
    s.efcJd[i] = b;
  }
  // warm start: forces at qaccWarmstart, unless zero forces are better (dual cost > 0)
  double* f = s.efcForce.data();
  if (o.warmstart) {
    double dualCost = 0;
    for (int i = 0; i < ne; ++i) {
      double v = s.efcJd[i];
      for (int j = 0; j < ne; ++j) v += 0.5 * s.AR(i, j) * f[j];
      dualCost += f[i] * v;
    }
    if (dualCost > 0) std::fill(f, f + ne, 0.0);
  } else {
    std::fill(f, f + ne, 0.0);
  }
  int iter = 0;
  for (; iter < o.iterations; ++iter) {
    double improvement = 0;
    for (int i = 0; i < ne; ++i) {
      if (s.efcType[i] == kRowElliptic) {
        const Cone c = cone(m, s, i);
        double res[6], A[36], old[6];
        for (int j = 0; j < c.dim; ++j) {
          res[j] = s.efcJd[i + j];
          for (int k = 0; k < ne; ++k) res[j] += s.AR(i + j, k) * f[k];
          for (int k = 0; k < c.dim; ++k) A[j * c.dim + k] = s.AR(i + j, i + k);
          old[j] = f[i + j];
        }
        ellipticUpdate(A, res, c.friction, c.dim, f + i);
        // cost change ½ δᵀ A δ + resᵀ δ; a rise (round-off in the QCQP) restores the old forces
        double change = 0;
        for (int j = 0; j < c.dim; ++j) {
          const double dj = f[i + j] - old[j];
          double Ad = 0;
          for (int k = 0; k < c.dim; ++k) Ad += A[j * c.dim + k] * (f[i + k] - old[k]);
          change += 0.5 * dj * Ad + res[j] * dj;
        }
        if (change > 1e-10) {
          std::copy(old, old + c.dim, f + i);
          change = 0;
        }
        improvement -= change;
        i += c.dim - 1;
        continue;
      }
      double res = s.efcJd[i];
      for (int j = 0; j < ne; ++j) res += s.AR(i, j) * f[j];
      const double old = f[i];
      double x = old - res / s.AR(i, i);
      if (s.efcType[i] == kRowFriction) x = std::min(s.efcFloss[i], std::max(-s.efcFloss[i], x));
      else if (s.efcType[i] != kRowEquality) x = std::max(0.0, x);
      const double delta = x - old;
      // cost change of a 1-D quadratic: ½ AR_ii δ² + res δ
      improvement -= 0.5 * s.AR(i, i) * delta * delta + res * delta;
      f[i] = x;
    }
    if (scale * improvement < o.tolerance) {
      ++iter;
      break;
    }
  }
  s.solverIterations = iter;
  for (int k = 0; k < nv; ++k) {
    double v = s.qaccSmooth[k];
    for (int i = 0; i < ne; ++i) v += s.MinvJt(k, i) * f[i];
    s.qacc[k] = v;
  }
}

}  // namespace

void solveConstraints(const Model& m, State& s) {
  const int nv = m.nv;
  const SolverOptions& o = m.spec.solver;
  indexRows(m, s);
  // start from the better of the last solution and the unconstrained acceleration; the primal
  // solvers go on from the evaluation at the warm start when it wins
  std::copy(s.qaccSmooth.begin(), s.qaccSmooth.end(), s.qacc.begin());
  double cost = NAN;
  if (o.warmstart && o.solver != SIM_SOLVER_PGS) {
    multiplyTree(m, s.Mtree.data(), s.qaccSmooth.data(), s.Ma.data());
    const double costSmooth = evaluate(m, s, s.qaccSmooth.data(), s.Ma);
    multiplyTree(m, s.Mtree.data(), s.qaccWarmstart.data(), s.Ma.data());
    const double costWarm = evaluate(m, s, s.qaccWarmstart.data(), s.Ma);
    if (costWarm < costSmooth) {
      std::copy(s.qaccWarmstart.begin(), s.qaccWarmstart.end(), s.qacc.begin());
      cost = costWarm;
    }
  } else if (o.warmstart) {
    multiplyTree(m, s.Mtree.data(), s.qaccWarmstart.data(), s.Ma.data());
    evaluate(m, s, s.qaccWarmstart.data(), s.Ma);  // forces at the warm start
  }
  if (o.solver == SIM_SOLVER_PGS) solveDual(m, s);
  else solvePrimal(m, s, o.solver == SIM_SOLVER_NEWTON, cost);
  // constraint force in joint space: Jᵀ f (primal forces are those of the final evaluate)
  std::fill(s.qfrcConstraint.begin(), s.qfrcConstraint.end(), 0.0);
  for (int i = 0; i < s.nefc; ++i) addRowTransposed(m, s, i, s.efcForce[i], s.qfrcConstraint.data());
  std::copy(s.qacc.begin(), s.qacc.end(), s.qaccWarmstart.begin());
}

}  // namespace sim
