// state.hpp — the mutable state of one simulation and the algorithms over (Model, State).
// All scratch is sized in makeState; the algorithms below never allocate.
#pragma once

#include <vector>

#include "spatial.hpp"

namespace sim {

struct State {
  // MARK: state proper
  std::vector<double> qpos, qvel, qacc, ctrl;  // [nq], [nv], [nv], [nu]
  double time = 0;

  // MARK: kinematics (valid after kinematics())
  std::vector<Transform> X_parent_link;  // [nv] parent link → link
  std::vector<Pose> X_world_link;        // [nv] link pose in world

  // MARK: dynamics scratch
  std::vector<Vec6> v, c, a, pA, U, f;   // [nv] spatial (ABA: world, RNEA: link coordinates)
  std::vector<Vec6> S;                   // [nv] motion subspaces in world coordinates (ABA)
  std::vector<Mat6> IA;                  // [nv] articulated (ABA) / composite (CRBA) inertias
  std::vector<double> D, u;              // [nv]
  std::vector<double> qfrcApplied;       // [nv] actuator forces (from clamped ctrl)
  std::vector<double> qfrcPassive;       // [nv] damping, stiffness, joint limits
  std::vector<double> tau;               // [nv] total generalised force

  // MARK: integrator scratch
  std::vector<double> qpos0, qvel0, dqpos, dqvel;  // [nv]
  std::vector<double> savedQpos, savedQvel;        // [nv] state before the current step
};

/// Sizes every buffer of a state for `m` and sets it to the reference configuration.
void makeState(const Model& m, State& s);

// MARK: - Algorithms (one file each)

/// Forward kinematics: link transforms and world poses from qpos (kinematics.cpp).
void kinematics(const Model& m, State& s);
/// World pose of body `b` (kinematics must be current).
Pose bodyPose(const Model& m, const State& s, int b);
/// World position of site `i` (kinematics must be current).
Vec3 sitePosition(const Model& m, const State& s, int i);
/// Translational (jacp [3, nv]) and rotational (jacr [3, nv]) Jacobians of site `i`, world
/// coordinates, row-major (either may be null; kinematics must be current).
void siteJacobian(const Model& m, const State& s, int i, double* jacp, double* jacr);

/// Passive generalised forces: damping, stiffness and limit spring-dampers (passive.cpp).
void passiveForces(const Model& m, State& s);
/// Fluid drag on moving bodies (MuJoCo's inertia-box model), added to s.qfrcPassive.
void fluidForces(const Model& m, State& s);
/// Actuator generalised forces from ctrl, clamped to ctrlrange (passive.cpp).
void actuatorForces(const Model& m, State& s);

/// ABA (RBDA §7.3, Table 7.1): qacc = (M + diag(armature + extraArmature))^-1 (tau − c).
/// Uses s.tau; kinematics must be current. `extraArmature` (per dof, may be null) lets the
/// Euler integrator take damping implicitly: (M + h·diag(damping)).
void aba(const Model& m, State& s, const double* extraArmature);

/// RNEA (RBDA §5.3, Table 5.1): qfrc = M(q) qacc + c(q, qvel) (+ armature · qacc).
/// Gravity is included through a fictitious base acceleration. Kinematics must be current.
void rnea(const Model& m, State& s, const double* qacc, double* qfrc, bool withVelocity);

/// CRBA (RBDA §6.2, Table 6.2): joint-space mass matrix M [nv, nv] row-major, armature added.
void crba(const Model& m, State& s, double* M);

/// Gravitational + spring potential and kinetic energy (energy.cpp).
void mechanicalEnergy(const Model& m, State& s, double* potential, double* kinetic);

/// Full forward dynamics at the current state: kinematics, forces, ABA (forward.cpp).
void forward(const Model& m, State& s);

/// One step (with substeps) of the model's integrator; returns SIM_OK or SIM_ERR_NONFINITE
/// (then the state is restored to its value before the step) (integrate.cpp).
int step(const Model& m, State& s);

bool allFinite(const double* x, size_t n);

}  // namespace sim
