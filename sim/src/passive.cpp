// passive.cpp — generalised forces that do not come from the rigid-body dynamics:
// joint and tendon damping, springs, fluid drag, and actuators (limits and dry friction are constraints:
// constraint.cpp).
#include <algorithm>
#include <cmath>

#include "state.hpp"

namespace sim {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

void passiveForces(const Model& m, State& s) {
  for (int i = 0; i < m.nv; ++i) {
    // springs only on hinge and slide dofs (compile refuses stiffness on ball and free joints)
    const Link& L = m.links[i];
    const double v = s.qvel[i];
    double f = -m.damping[i] * v;
    if (m.stiffness[i] != 0) f -= m.stiffness[i] * (s.qpos[L.qposAdr] - m.springref[i]);
    s.qfrcPassive[i] = f;
  }
  if (!m.tendons.empty()) tendonPassiveForces(m, s);
  if (!m.fluid.empty()) fluidForces(m, s);
}

// MuJoCo's inertia-box fluid model (mj_inertiaBoxFluidModel): each moving body is a box with
// its mass and principal inertia; in its principal frame, viscous drag −π d³ μ ω and −3π d μ v
// (d the mean side) and quadratic drag −½ ρ (area) |v| v, −ρ (…) |ω| ω / 64, applied at the
// centre of mass through the body's Jacobian (columns as in siteJacobian). Kinematics must be
// current.
void fluidForces(const Model& m, State& s) {
  const double rho = m.spec.fluidDensity, mu = m.spec.fluidViscosity;
  for (const FluidBody& fb : m.fluid) {
    const Pose& L = s.X_world_link[fb.link];
    const Mat3 R = L.R * fb.X_link_inertial.R;
    const Vec3 p = L.p + L.R * fb.X_link_inertial.p;
    // world angular and linear velocity of the centre of mass
    Vec3 w = Vec3::Zero(), v = Vec3::Zero();
    for (int j = fb.link; j >= 0; j = m.links[j].parent) {
      const Link& K = m.links[j];
      const Pose& W = s.X_world_link[j];
      const Vec3 axis = W.R * K.axis;
      if (K.rot) {
        w += axis * s.qvel[j];
        v += axis.cross(p - (W.p + W.R * K.anchor)) * s.qvel[j];
      } else {
        v += axis * s.qvel[j];
      }
    }
    const Vec3 lw = R.transpose() * w, lv = R.transpose() * (v - m.spec.wind);
    const Vec3& b = fb.box;
    Vec3 torque = Vec3::Zero(), force = Vec3::Zero();
    if (mu > 0) {
      const double d = (b[0] + b[1] + b[2]) / 3.0;
      torque = -kPi * d * d * d * mu * lw;
      force = -3.0 * kPi * d * mu * lv;
    }
    if (rho > 0) {
      force[0] -= 0.5 * rho * b[1] * b[2] * std::abs(lv[0]) * lv[0];
      force[1] -= 0.5 * rho * b[0] * b[2] * std::abs(lv[1]) * lv[1];
      force[2] -= 0.5 * rho * b[0] * b[1] * std::abs(lv[2]) * lv[2];
      const double b4[3] = {std::pow(b[0], 4), std::pow(b[1], 4), std::pow(b[2], 4)};
      torque[0] -= rho * b[0] * (b4[1] + b4[2]) * std::abs(lw[0]) * lw[0] / 64.0;
      torque[1] -= rho * b[1] * (b4[0] + b4[2]) * std::abs(lw[1]) * lw[1] / 64.0;
      torque[2] -= rho * b[2] * (b4[0] + b4[1]) * std::abs(lw[2]) * lw[2] / 64.0;
    }
    const Vec3 F = R * force, T = R * torque;
    // qfrc += Jpᵀ F + Jrᵀ T
    for (int j = fb.link; j >= 0; j = m.links[j].parent) {
      const Link& K = m.links[j];
      const Pose& W = s.X_world_link[j];
      const Vec3 axis = W.R * K.axis;
      if (K.rot)
        s.qfrcPassive[j] += axis.cross(p - (W.p + W.R * K.anchor)).dot(F) + axis.dot(T);
      else
        s.qfrcPassive[j] += axis.dot(F);
    }
  }
}

// MuJoCo's body transmission (mj_transmission, mjTRN_BODY), which adhesion actuators use: the
// moment is minus the mean, over the body's contacts, of the contacts' normal Jacobians (the rate
// at which the surfaces separate), so that a positive force pulls the body onto what it touches:
//   moment = −(1/n) (Σ_rows w_i J_i + Σ_gap n_cᵀ (Jp(b2, p_c) − Jp(b1, p_c))),
// n the body's contacts with rows plus those in the gap (margin ≤ dist < margin + gap, no rows),
// w_i = 1 on the normal row of a frictionless or elliptic contact, 1/(2(condim − 1)) on each edge
// of a pyramid (whose edges n ± μ t average to n); no contacts: a zero moment. The sums run in
// MuJoCo's order (rows ascending, then the gap contacts), so the moment is MuJoCo's to the bit.
void bodyTransmissions(const Model& m, State& s) {
  const int nv = m.nv;
  const bool elliptic = m.spec.solver.elliptic;
  for (int a = 0; a < m.nu; ++a) {
    const int b = m.actBody[a];
    if (b < 0) continue;
    double* moment = &s.actMoment[(size_t)m.actMomentRow[a] * nv];
    std::fill(moment, moment + nv, 0.0);
    int count = 0;
    for (int c = 0; c < s.ncon; ++c) {
      const Contact& con = s.contacts[c];
      const CollisionPair& p = m.pairs[con.pair];
      if (con.efcAdr < 0) continue;  // no rows (MuJoCo: no dofs, not counted)
      if (m.spec.geoms[p.g1].body != b && m.spec.geoms[p.g2].body != b) continue;
      ++count;
      const int rows = p.condim == 1 || elliptic ? 1 : 2 * (p.condim - 1);
      const double w = p.condim == 1 || elliptic ? 1.0 : 0.5 / (p.condim - 1);
      for (int r = 0; r < rows; ++r) {
        const double* J = &s.efcJ[(size_t)(con.efcAdr + r) * nv];
        for (int k = 0; k < nv; ++k) moment[k] += J[k] * w;
      }
    }
    double* gap = s.momentGap.data();
    std::fill(gap, gap + nv, 0.0);
    for (int c = 0; c < s.ngap; ++c) {
      const Contact& con = s.gapContacts[c];
      const CollisionPair& p = m.pairs[con.pair];
      if (m.spec.geoms[p.g1].body != b && m.spec.geoms[p.g2].body != b) continue;
      ++count;
      std::fill(s.jacA.begin(), s.jacA.end(), 0.0);
      pointJacobian(m, s, m.geomLink[p.g2], con.pos, 1.0, s.jacA.data());
      pointJacobian(m, s, m.geomLink[p.g1], con.pos, -1.0, s.jacA.data());
      for (int k = 0; k < nv; ++k)
        gap[k] += con.frame(0, 0) * s.jacA[k] + con.frame(0, 1) * s.jacA[nv + k] +
                  con.frame(0, 2) * s.jacA[2 * nv + k];
    }
    if (count == 0) continue;
    const double scale = -1.0 / count;
    for (int k = 0; k < nv; ++k) moment[k] = (moment[k] + gap[k]) * scale;
  }
}

void actuatorForces(const Model& m, State& s) {
  if (m.nBodyActuators > 0) bodyTransmissions(m, s);
  std::fill(s.qfrcApplied.begin(), s.qfrcApplied.end(), 0.0);
  for (int a = 0; a < m.nu; ++a) {
    double u = s.ctrl[a];
    if (m.ctrlLimited[a]) u = std::min(std::max(u, m.ctrlLo[a]), m.ctrlHi[a]);
    // MuJoCo's general actuator: length gear·q (gear·L on a tendon), velocity gear·qdot
    // (gear·L̇), force = (gain0 + gain1·length + gain2·velocity)·u + bias0 + bias1·length +
    // bias2·velocity, clamped, applied as gear·force on the joint (gear·force·J on the tendon's dofs)
    // (a body transmission: length 0, velocity moment·qvel, gear not used)
    const int j = m.actDof[a], t = m.actTendon[a], row = m.actMomentRow[a];
    const double* moment = row >= 0 ? &s.actMoment[(size_t)row * m.nv] : nullptr;
    const double g = moment ? 1.0 : m.actGear[a];
    const double *b = &m.actBias[3 * a], *gain = &m.actGain[3 * a];
    double length = 0, velocity = 0;
    if (moment) {
      for (int k = 0; k < m.nv; ++k) velocity += moment[k] * s.qvel[k];
    } else {
      length = t >= 0 ? s.tenLength[t] : s.qpos[m.actQpos[a]];
      velocity = t >= 0 ? s.tenVelocity[t] : s.qvel[j];
    }
    // activation dynamics (MuJoCo's mj_fwdActuation): act' = ctrl or (ctrl − act)/tau, and the
    // force takes act (its next value with actearly) in place of ctrl
    const int k = m.actAdr[a];
    if (k >= 0) {
      s.actDot[k] = m.actDyn[a] == kDynIntegrator ? u : (u - s.act[k]) / std::max(1e-15, m.actTau[a]);
      u = m.actEarly[a] ? nextActivation(m, a, s.act[k], s.actDot[k], m.spec.timestep / m.spec.substeps)
                        : s.act[k];
    }
    double force = (gain[0] + gain[1] * g * length + gain[2] * g * velocity) * u + b[0] +
                   b[1] * g * length + b[2] * g * velocity;
    // ∂force/∂velocity for the implicit integrators (MuJoCo's mjd_actuator_vel): none when the
    // force is held at its forcerange
    s.actForceVel[a] = gain[2] * u + b[2];
    if (m.forceLimited[a]) {
      if (force <= m.forceLo[a] || force >= m.forceHi[a]) s.actForceVel[a] = 0;
      force = std::min(std::max(force, m.forceLo[a]), m.forceHi[a]);
    }
    s.actForce[a] = force;
    if (moment) {
      for (int k = 0; k < m.nv; ++k) s.qfrcApplied[k] += moment[k] * force;
    } else if (t < 0) {
      s.qfrcApplied[j] += g * force;
    } else {
      const double* J = &s.tenJ[(size_t)t * m.nv];
      for (int i = 0; i < m.nv; ++i) s.qfrcApplied[i] += g * force * J[i];
    }
  }
  for (int i = 0; i < m.nv; ++i)  // MuJoCo's actuatorfrcrange: the total on a joint
    if (m.actfrcLimited[i])
      s.qfrcApplied[i] = std::min(std::max(s.qfrcApplied[i], m.actfrcLo[i]), m.actfrcHi[i]);
}

}  // namespace sim
