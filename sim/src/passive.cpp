// passive.cpp — generalised forces that do not come from the rigid-body dynamics:
// joint damping, springs, limit spring-dampers, and actuators.
#include <algorithm>

#include "state.hpp"

namespace sim {

void passiveForces(const Model& m, State& s) {
  const double h = m.spec.timestep / m.spec.substeps;
  for (int i = 0; i < m.nv; ++i) {
    const double q = s.qpos[i], v = s.qvel[i];
    double f = -m.damping[i] * v - m.stiffness[i] * (q - m.springref[i]);
    // Limits as a unilateral spring-damper scaled by the joint's inertia, with MuJoCo's solref
    // meaning: time constant tc (at least two steps, as MuJoCo enforces, to stay stable) and
    // damping ratio dr give stiffness 1/(tc·dr)² and damping 2/tc per unit of inertia.
    if (m.limited[i]) {
      const double tc = std::max(m.limitTimeconst[i], 2 * h), dr = m.limitDampratio[i];
      const double k = m.limitInertia[i] / (tc * tc * dr * dr);
      const double b = m.limitInertia[i] * 2 / tc;
      if (q < m.rangeLo[i]) f += std::max(0.0, k * (m.rangeLo[i] - q) - b * v);
      else if (q > m.rangeHi[i]) f -= std::max(0.0, k * (q - m.rangeHi[i]) + b * v);
    }
    s.qfrcPassive[i] = f;
  }
}

void actuatorForces(const Model& m, State& s) {
  std::fill(s.qfrcApplied.begin(), s.qfrcApplied.end(), 0.0);
  for (int a = 0; a < m.nu; ++a) {
    double u = s.ctrl[a];
    if (m.ctrlLimited[a]) u = std::min(std::max(u, m.ctrlLo[a]), m.ctrlHi[a]);
    // MuJoCo's general actuator on a joint: length gear·q, velocity gear·qdot,
    // force = gain·u + bias0 + bias1·length + bias2·velocity, clamped, applied as gear·force
    const int j = m.actJoint[a];
    const double g = m.actGear[a];
    const double* b = &m.actBias[3 * a];
    double force = m.actGain[a] * u + b[0] + b[1] * g * s.qpos[j] + b[2] * g * s.qvel[j];
    if (m.forceLimited[a]) force = std::min(std::max(force, m.forceLo[a]), m.forceHi[a]);
    s.qfrcApplied[j] += g * force;
  }
  for (int i = 0; i < m.nv; ++i)  // MuJoCo's actuatorfrcrange: the total on a joint
    if (m.actfrcLimited[i])
      s.qfrcApplied[i] = std::min(std::max(s.qfrcApplied[i], m.actfrcLo[i]), m.actfrcHi[i]);
}

}  // namespace sim
