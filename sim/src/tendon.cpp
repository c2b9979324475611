// tendon.cpp — tendon lengths, velocities and Jacobians (MuJoCo's mj_tendon), the tendons'
// passive forces, and their compilation from the spec.
//
// Fixed tendon: L = Σ_k coef_k q_k over hinge/slide joints, J = ∂L/∂q̇ has coef_k at dof_k.
// Spatial tendon through sites p_0 … p_n (world positions): L = Σ_k |p_{k+1} − p_k| and
// J = Σ_k u_kᵀ (Jp(p_{k+1}) − Jp(p_k)), u_k = (p_{k+1} − p_k)/|p_{k+1} − p_k| (x when the two
// sites coincide, as MuJoCo's mju_normalize3). Velocity L̇ = J q̇.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "state.hpp"

namespace sim {

namespace {
constexpr double kMinVal = 1e-15;  // MuJoCo's mjMINVAL
}

void tendonKinematics(const Model& m, State& s) {
  const int nv = m.nv;
  for (int t = 0, nt = m.ntendon(); t < nt; ++t) {
    const Tendon& T = m.tendons[t];
    double* J = &s.tenJ[(size_t)t * nv];
    std::fill(J, J + nv, 0.0);
    double L = 0;
    if (T.type == TendonSpec::kFixed) {
      for (size_t k = 0; k < T.coef.size(); ++k) {
        L += T.coef[k] * s.qpos[T.qpos[k]];
        J[T.dof[k]] += T.coef[k];
      }
    } else {
      for (size_t k = 0; k + 1 < T.sites.size(); ++k) {
        const int a = T.sites[k], b = T.sites[k + 1];
        const Vec3 pa = sitePosition(m, s, a), pb = sitePosition(m, s, b);
        Vec3 u = pb - pa;
        const double len = u.norm();
        L += len;
        u = len < kMinVal ? Vec3::UnitX() : Vec3(u / len);
        if (m.siteLink[a] == m.siteLink[b]) continue;  // rigidly attached: the segment's length is constant
        std::fill(s.jacA.begin(), s.jacA.end(), 0.0);
        pointJacobian(m, s, m.siteLink[b], pb, 1.0, s.jacA.data());
        pointJacobian(m, s, m.siteLink[a], pa, -1.0, s.jacA.data());
        for (int i = 0; i < nv; ++i)
          J[i] += u[0] * s.jacA[i] + u[1] * s.jacA[nv + i] + u[2] * s.jacA[2 * nv + i];
      }
    }
    double v = 0;
    for (int i = 0; i < nv; ++i) v += J[i] * s.qvel[i];
    s.tenLength[t] = L;
    s.tenVelocity[t] = v;
  }
}

// Spring outside the dead band [lengthspring0, lengthspring1] and damper along each tendon:
// f = −stiffness·x − damping·L̇, x = L − upper above it, L − lower below, 0 inside;
// qfrcPassive += Jᵀ f (MuJoCo's tendon-level spring-dampers in mj_passive).
void tendonPassiveForces(const Model& m, State& s) {
  const int nv = m.nv;
  for (int t = 0, nt = m.ntendon(); t < nt; ++t) {
    const Tendon& T = m.tendons[t];
    if (T.stiffness == 0 && T.damping == 0) continue;
    const double L = s.tenLength[t];
    const double x = L > T.lengthspring[1] ? L - T.lengthspring[1]
                     : L < T.lengthspring[0] ? L - T.lengthspring[0] : 0.0;
    const double f = -T.stiffness * x - T.damping * s.tenVelocity[t];
    if (f == 0) continue;
    const double* J = &s.tenJ[(size_t)t * nv];
    for (int i = 0; i < nv; ++i) s.qfrcPassive[i] += J[i] * f;
  }
}

double tendonSpringEnergy(const Model& m, const State& s) {
  double U = 0;
  for (int t = 0, nt = m.ntendon(); t < nt; ++t) {
    const Tendon& T = m.tendons[t];
    const double L = s.tenLength[t];
    const double x = L > T.lengthspring[1] ? L - T.lengthspring[1]
                     : L < T.lengthspring[0] ? L - T.lengthspring[0] : 0.0;
    U += 0.5 * T.stiffness * x * x;
  }
  return U;
}

void compileTendons(Model& m, const Eigen::MatrixXd& Minv) {
  const ModelSpec& sp = m.spec;
  m.tendons.clear();
  for (const TendonSpec& ts : sp.tendons) {
    std::ostringstream where;
    where << (ts.where.file.empty() ? sp.source : ts.where.file);
    if (ts.where.line > 0) where << ":" << ts.where.line;
    auto check = [&](bool ok, const std::string& what) {
      if (!ok)
        throw SimError{SIM_ERR_MODEL, where.str() + ": tendon" +
                                          (ts.name.empty() ? "" : " '" + ts.name + "'") + ": " + what};
    };
    Tendon T;
    T.type = ts.type;
    if (ts.type == TendonSpec::kFixed) {
      check(!ts.joints.empty() && ts.joints.size() == ts.coefs.size(), "a fixed tendon needs joints");
      bool nonzero = false;
      for (size_t k = 0; k < ts.joints.size(); ++k) {
        const int j = ts.joints[k];
        check(j >= 0 && j < (int)sp.joints.size(), "unknown joint");
        check(sp.joints[j].type == SIM_JOINT_HINGE || sp.joints[j].type == SIM_JOINT_SLIDE,
              "joint '" + sp.joints[j].name + "' is not a hinge or slide");
        check(std::isfinite(ts.coefs[k]), "non-finite coefficient");
        nonzero = nonzero || ts.coefs[k] != 0;
        T.dof.push_back(m.jntDofAdr[j]);
        T.qpos.push_back(m.jntQposAdr[j]);
        T.coef.push_back(ts.coefs[k]);
      }
      check(nonzero, "every joint coefficient is zero (the tendon has no length)");
    } else {
      check(ts.sites.size() >= 2, "a spatial tendon needs at least two sites");
      for (int i : ts.sites) check(i >= 0 && i < m.nsite(), "unknown site");
      T.sites = ts.sites;
    }
    for (double x : ts.limitSolref) check(std::isfinite(x), "non-finite solreflimit");
    for (double x : ts.frictionSolref) check(std::isfinite(x), "non-finite solreffriction");
    for (double x : ts.limitSolimp) check(std::isfinite(x), "non-finite solimplimit");
    for (double x : ts.frictionSolimp) check(std::isfinite(x), "non-finite solimpfriction");
    check(std::isfinite(ts.margin) && std::isfinite(ts.range[0]) && std::isfinite(ts.range[1]),
          "non-finite range or margin");
    check(!ts.limited || ts.range[0] < ts.range[1], "range: the lower limit must be below the upper");
    check(std::isfinite(ts.frictionloss) && ts.frictionloss >= 0, "frictionloss must be finite and >= 0");
    check(std::isfinite(ts.stiffness) && ts.stiffness >= 0 && std::isfinite(ts.damping) && ts.damping >= 0,
          "stiffness and damping must be finite and >= 0");
    check(std::isfinite(ts.springlength[0]) && std::isfinite(ts.springlength[1]), "non-finite springlength");
    check(ts.springlength[0] <= ts.springlength[1], "springlength: the lower bound is above the upper");
    T.limited = ts.limited;
    std::copy(ts.range, ts.range + 2, T.range);
    T.margin = ts.margin;
    std::copy(ts.limitSolref, ts.limitSolref + 2, T.limitSolref);
    std::copy(ts.limitSolimp, ts.limitSolimp + 5, T.limitSolimp);
    T.frictionloss = ts.frictionloss;
    std::copy(ts.frictionSolref, ts.frictionSolref + 2, T.frictionSolref);
    std::copy(ts.frictionSolimp, ts.frictionSolimp + 5, T.frictionSolimp);
    T.stiffness = ts.stiffness;
    T.damping = ts.damping;
    m.tendons.push_back(T);
  }
  if (m.tendons.empty()) return;
  // lengths at qpos0 (length0, invweight0 = J M⁻¹ Jᵀ) and at the springs' reference (MuJoCo's
  // qpos_spring: springref on hinges and slides): springlength −1 −1 takes that length
  State s;
  makeState(m, s);
  kinematics(m, s);
  tendonKinematics(m, s);
  const int nv = m.nv;
  for (int t = 0; t < m.ntendon(); ++t) {
    Tendon& T = m.tendons[t];
    T.length0 = s.tenLength[t];
    const Eigen::Map<const Eigen::VectorXd> J(&s.tenJ[(size_t)t * nv], nv);
    T.invweight0 = nv > 0 ? J.dot(Minv * J) : 0.0;
  }
  for (int i = 0; i < nv; ++i)
    if (m.links[i].type == SIM_JOINT_HINGE || m.links[i].type == SIM_JOINT_SLIDE)
      s.qpos[m.links[i].qposAdr] = m.springref[i];
  kinematics(m, s);
  tendonKinematics(m, s);
  for (int t = 0; t < m.ntendon(); ++t) {
    const TendonSpec& ts = sp.tendons[t];
    Tendon& T = m.tendons[t];
    if (ts.springlength[0] == -1 && ts.springlength[1] == -1) {
      T.lengthspring[0] = T.lengthspring[1] = s.tenLength[t];
    } else {
      T.lengthspring[0] = ts.springlength[0];
      T.lengthspring[1] = ts.springlength[1];
    }
  }
}

}  // namespace sim
