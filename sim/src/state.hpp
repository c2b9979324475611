// state.hpp — the mutable state of one simulation and the algorithms over (Model, State).
// All scratch is sized in makeState; the algorithms below never allocate.
#pragma once

#include <vector>

#include "spatial.hpp"

namespace sim {

/// One contact between two geoms (collision.cpp): distance (negative: penetration), the
/// midpoint between the surfaces, and the contact frame (rows: normal from g1 to g2, tangents).
struct Contact {
  int pair = -1;
  double dist = 0;
  Vec3 pos = Vec3::Zero();
  Mat3 frame = Mat3::Identity();
  double mu = 0;  ///< elliptic cone: friction of the regularised cone, μ1·√(R1/R0) (MuJoCo's contact.mu)
  int efcAdr = -1;  ///< its first constraint row, −1: none (it touches nothing that moves)
};

/// Kinds of constraint rows (the values are not the storage order: equality rows come first, then
/// dry friction, limits and contacts, as MuJoCo stores them).
/// An elliptic contact's condim rows (normal, then tangents) are kRowElliptic, solved as one cone.
enum { kRowFriction = 0, kRowLimit = 1, kRowContact = 2, kRowEquality = 3, kRowElliptic = 4 };

/// Rows of one contact: its normal (condim 1), an elliptic cone's condim rows, or the pyramid's
/// 2 (condim − 1) edges.
inline int contactRowCount(int condim, bool elliptic) {
  return condim == 1 ? 1 : elliptic ? condim : 2 * (condim - 1);
}

struct State {
  // MARK: state proper
  std::vector<double> qpos, qvel, qacc, ctrl;  // [nq], [nv], [nv], [nu]
  std::vector<double> act, actDot;             // [na] actuator activations and their rates
  double time = 0;

  // MARK: kinematics (valid after kinematics())
  std::vector<Transform> X_parent_link;  // [nv] parent link → link
  std::vector<Pose> X_world_link;        // [nv] link pose in world

  // MARK: tendons (valid after tendonKinematics())
  std::vector<double> tenLength, tenVelocity;  // [ntendon]
  std::vector<double> tenJ;                    // [ntendon, nv] row-major ∂L/∂q̇

  // MARK: dynamics scratch
  std::vector<Vec6> v, c, a, pA, U, f;   // [nv] spatial (ABA: world, RNEA: link coordinates)
  std::vector<Vec6> S;                   // [nv] motion subspaces in world coordinates (ABA)
  std::vector<Mat6> IA;                  // [nv] articulated inertias (ABA)
  std::vector<RigidInertia> Iworld;      // [nv] rigid inertias about the world origin (ABA, CRBA, rneaVJP)
  std::vector<RigidInertia> Icomposite;  // [nv] CRBA's composite inertias
  std::vector<Vec6> Iv;                  // [nv] their momenta I·v (rneaVJP)
  std::vector<double> D, u;              // [nv]
  std::vector<double> qfrcApplied;       // [nv] actuator forces (from clamped ctrl)
  std::vector<double> qfrcPassive;       // [nv] damping, stiffness, joint limits
  std::vector<double> tau;               // [nv] total generalised force

  // MARK: constraints (constraint.cpp builds the rows, solver.cpp solves them)
  // Rows in MuJoCo's order: equality, dry friction, limits, contacts. Capacity m.maxConstraintRows.
  int nefc = 0;                          // rows in use
  int nfriction = 0;                     // friction rows (after the equality rows)
  std::vector<double> efcJ;              // [nefcMax, nv] row-major constraint Jacobian
  std::vector<double> efcPos, efcMargin; // [nefcMax] distance (negative: violated), margin
  std::vector<double> efcAref;           // [nefcMax] reference acceleration −B·vel − K·imp·(pos − margin)
  std::vector<double> efcR, efcD;        // [nefcMax] regulariser R = (1−imp)/imp·invweight, D = 1/R
  std::vector<double> efcFloss;          // [nefcMax] friction bound (friction rows)
  std::vector<double> efcForce;          // [nefcMax] solved constraint force
  std::vector<double> efcJar, efcJd;     // [nefcMax] J·qacc − aref; J·(search direction)
  std::vector<int> efcType, efcId;       // [nefcMax] kRow* kind; its dof, tendon (limit and friction rows of
                                         // tendons), contact or equality index
  std::vector<int> efcNnz, efcCols;      // [nefcMax], [nefcMax, nv] solver: each row's nonzero columns, ascending
  std::vector<Contact> contacts;         // [maxContacts] the first ncon are in use
  int ncon = 0;
  std::vector<Contact> gapContacts;      // [maxContacts] contacts in the gap (margin ≤ dist < margin + gap):
  int ngap = 0;                          //   no rows; kept only for body transmissions (MuJoCo's exclude 1)
  std::vector<double> actMoment;         // [nBodyActuators, nv] body transmissions' moment rows
  std::vector<double> momentGap;         // [nv] scratch: their gap contacts' normal Jacobians
  std::vector<Pose> geomPose;            // [ngeom] world poses (valid after collide())
  std::vector<double> geomAABB;          // [ngeom, 6] broad phase: world box min xyz, max xyz
  std::vector<int> sweepOrder;           // [sweepGeoms] geoms by AABB min x (kept between steps)
  std::vector<char> pairTested;          // [pairs] broad phase: the narrow phase runs on this pair
  std::vector<double> jacA;              // [3, nv] point Jacobian difference of a contact's two sides
  std::vector<double> jacB;              // [6, nv] jacA and the rotational difference in the contact frame
  std::vector<double> jacR;              // [3, nv] rotational Jacobian (weld rows; contact condim 4, 6)
  std::vector<double> qaccSmooth;        // [nv] unconstrained acceleration M⁻¹(tau − c)
  std::vector<double> qfrcSmooth;        // [nv] tau − c (the generalised force behind it)
  std::vector<double> qaccWarmstart;     // [nv] last solution: starts the next solve
  std::vector<double> qaccWarmstartStep; // [nv] RK4: the warm start of the step's first stage, kept for all four
  std::vector<double> qfrcConstraint;    // [nv] Jᵀ·force
  int solverIterations = 0;              // iterations of the last solve
  Eigen::MatrixXd M, H;                  // [nv, nv] mass matrix, solver Hessian / dual matrix
  bool treeHessian = false;              // solver: the rows keep M's tree sparsity (indexRows) but for
  int offTreeRow = -1;                   // this one (−1: none), added to the tree's LᵀDL by Sherman–Morrison
  std::vector<double> Mtree, LD, Htree;  // [treeSize] M, its LᵀDL (or that of M + h·diag(damping), Euler), Newton's Hessian
  Eigen::LLT<Eigen::MatrixXd> llt;       // factor of H (Newton) or M (CG, PGS)
  Eigen::VectorXd Ma, grad, Mgrad, dir, gradPrev, MgradPrev, Mdir;  // [nv] solver vectors
  Eigen::MatrixXd MinvJt, AR;            // PGS only: [nv, nefcMax] M⁻¹Jᵀ, [nefcMax, nefcMax] J M⁻¹ Jᵀ + R

  // MARK: integrator scratch
  std::vector<double> qpos0, savedQpos;             // [nq] RK4's start, the state before the step
  std::vector<double> dqpos, qposStage;             // [nq] RK4's position rates and stage position
  std::vector<double> qvel0, dqvel, savedQvel;      // [nv]
  std::vector<double> act0, dact, savedAct;         // [na] RK4's start and rate, the act before the step
  std::vector<double> actForce;                     // [nu] actuator forces (MuJoCo's actuator_force)
  std::vector<double> actForceVel;                  // [nu] ∂force/∂(actuator velocity), 0 when at forcerange
  std::vector<double> qfrcImplicit, qaccImplicit;   // [nv] implicit: qfrc_smooth + qfrc_constraint, its solve
  Eigen::MatrixXd qDeriv;                           // [nv, nv] ∂(actuator + passive − [bias] force)/∂qvel
  Eigen::MatrixXd qH;                               // [nv, nv] M − h·qDeriv: tree LᵀDL (implicitfast), LU (implicit)
  Eigen::PartialPivLU<Eigen::MatrixXd> qLU;         // implicit's factor of qH
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

/// Adds sign × the translational Jacobian of a world point moving with `link` to jacp [3, nv]
/// (row-major; kinematics must be current; link −1 adds nothing).
void pointJacobian(const Model& m, const State& s, int link, const Vec3& point, double sign,
                   double* jacp);

/// Spatial velocities s.v and velocity-product ("bias") accelerations s.a of every link at zero
/// qacc and gravity, world coordinates at the world origin: a = Σ_path v_before ×m S q̇ (the
/// J̇ q̇ of a link; kinematics must be current; s.v and s.a are ABA's scratch, overwritten there).
void velocityBias(const Model& m, State& s);
/// J̇ q̇ of a world point p moving with `link` (velocityBias must be current; link −1: zero):
/// a_o + α × p + ω × (v_o + ω × p).
Vec3 pointBiasAcceleration(const State& s, int link, const Vec3& p);

/// Adds sign × the rotational Jacobian of `link` (world angular velocity per dof) to
/// jacr [3, nv] (row-major; kinematics must be current; link −1 adds nothing).
void rotationJacobian(const Model& m, const State& s, int link, double sign, double* jacr);

/// Tendon lengths, velocities and Jacobians (tendon.cpp); kinematics must be current.
void tendonKinematics(const Model& m, State& s);
/// Adds the tendons' springs and dampers, Jᵀ f, to s.qfrcPassive (tendonKinematics current).
void tendonPassiveForces(const Model& m, State& s);
/// ½ Σ stiffness·x² of the tendon springs outside their dead bands (tendonKinematics current).
double tendonSpringEnergy(const Model& m, const State& s);

/// Passive generalised forces: joint and tendon damping and stiffness (tendonKinematics must be
/// current when the model has tendons), then fluid drag (passive.cpp).
void passiveForces(const Model& m, State& s);
/// Fluid drag on moving bodies (MuJoCo's inertia-box model), added to s.qfrcPassive.
void fluidForces(const Model& m, State& s);
/// Actuator generalised forces from ctrl, clamped to ctrlrange, or from the activations, whose
/// rates s.actDot it sets (passive.cpp). Body transmissions need the constraint rows (makeConstraints).
void actuatorForces(const Model& m, State& s);
/// Moment rows of the body transmissions (adhesion) into s.actMoment from the current contacts and
/// their constraint rows (MuJoCo's mj_transmission, mjTRN_BODY; passive.cpp).
void bodyTransmissions(const Model& m, State& s);

/// The fictitious base acceleration that puts gravity into ABA and RNEA: a₀ = (0, −g), spatial.
inline Vec6 gravityAcceleration(const Model& m) {
  Vec6 a0;
  a0 << Vec3::Zero(), -m.spec.gravity;
  return a0;
}

/// Motion subspace of link i's dof in world coordinates about the origin, its joint frame at pose X:
/// S = (a, (p + R·anchor) × a) for a hinge with world axis a = R·axis, S = (0, a) for a slide.
inline Vec6 motionSubspace(const Link& L, const Pose& X) {
  const Vec3 axis = X.R * L.axis;
  Vec6 S;
  if (L.rot) S << axis, (X.p + X.R * L.anchor).cross(axis);
  else S << Vec3::Zero(), axis;
  return S;
}

/// ABA (RBDA §7.3, Table 7.1): qacc = (M + diag(armature + extraArmature))^-1 (tau − c).
/// Uses s.tau; kinematics must be current. `extraArmature` (per dof, may be null) lets the
/// Euler integrator take damping implicitly: (M + h·diag(damping)). Leaves the links' world
/// subspaces s.S, rigid inertias s.Iworld and bias forces s.f; `samePositionVelocity` reuses
/// them (qpos and qvel unchanged since the last call: only tau or extraArmature differ).
void aba(const Model& m, State& s, const double* extraArmature, bool samePositionVelocity = false);

/// RNEA (RBDA §5.3, Table 5.1): qfrc = M(q) qacc + c(q, qvel) (+ armature · qacc).
/// Gravity is included through a fictitious base acceleration. Kinematics must be current.
void rnea(const Model& m, State& s, const double* qacc, double* qfrc, bool withVelocity);

/// Vector–Jacobian product of inverse dynamics (rnea_derivatives.cpp): with τ(q, q̇, q̈) as
/// inverseDynamics and a cotangent w [nv], writes wᵀ∂τ/∂q, wᵀ∂τ/∂q̇, wᵀ∂τ/∂q̈ [nv] each and,
/// when qfrc is not null, τ itself. Hinge and slide joints, no fluid (see rneaVJPUnsupported);
/// kinematics and s.qvel must be current. Uses s.S, s.v, s.a, s.c, s.f, s.pA, s.U, s.Iworld,
/// s.Iv as scratch. The two halves: rneaVJPForward computes τ (into qfrc) and keeps what
/// rneaVJPBackward needs, so that w may depend on τ (inverseCostGradient).
void rneaVJP(const Model& m, State& s, const double* qacc, const double* w, double* dqpos,
             double* dqvel, double* dqacc, double* qfrc);
void rneaVJPForward(const Model& m, State& s, const double* qacc, double* qfrc);
void rneaVJPBackward(const Model& m, State& s, const double* w, double* dqpos, double* dqvel,
                     double* dqacc);
/// Why rneaVJP cannot differentiate `m` (ball or free joints, a fluid medium, tendon springs or
/// dampers), or null.
const char* rneaVJPUnsupported(const Model& m);

/// CRBA (RBDA §6.2, Table 6.2): joint-space mass matrix M [nv, nv] row-major, armature added.
/// `afterAba`: s.S and s.Iworld are aba()'s of the current positions (not recomputed).
void crba(const Model& m, State& s, double* M, bool afterAba = false);

/// Gravitational + spring potential and kinetic energy (energy.cpp).
void mechanicalEnergy(const Model& m, State& s, double* potential, double* kinetic);

/// Contacts of the current configuration (collision.cpp): geom world poses, then each candidate
/// pair's analytic narrow phase; contacts closer than the margin are kept (MuJoCo 4). Kinematics must be
/// current. Fills s.ncon, s.contacts, s.geomPose.
void collide(const Model& m, State& s);

/// Geom frames, candidate pairs and body weights of a compiled model (collision.cpp); also
/// returns, in `unsupported`, what the narrow phase cannot collide (for the model's warnings).
void compileCollision(Model& m, std::string& unsupported);

/// Most constraint rows a state of `m` can hold (sizes the scratch; constraint.cpp).
int constraintCapacity(const Model& m);

/// Constraint rows of the current state (constraint.cpp): joint limits (active within their
/// margin) and dry friction, with MuJoCo's impedance (solimp), regulariser R and reference
/// acceleration (solref). Kinematics and qvel must be current; fills s.nefc and the efc arrays.
void makeConstraints(const Model& m, State& s);

/// Solves the constraint problem of MuJoCo (solver.cpp): qacc minimises
///   ½ (qacc − qaccSmooth)ᵀ M (qacc − qaccSmooth) + Σ_rows s_row(J qacc − aref)
/// by the model's solver (Newton with exact line search, CG or PGS), from a warm start.
/// Needs s.M, s.qaccSmooth, s.qfrcSmooth and the rows; writes s.qacc, s.efcForce,
/// s.qfrcConstraint, s.qaccWarmstart.
void solveConstraints(const Model& m, State& s);

/// ABA's first pass: s.S, s.v, s.c, s.Iworld and s.f of the current positions and velocities
/// (kinematics must be current; aba.cpp).
void velocityPass(const Model& m, State& s);
/// qfrcBias [nv] = c(q, q̇) + gravity, RNEA in world coordinates after velocityPass (which it
/// runs; leaves s.S and s.Iworld for crba(afterAba = true); uses s.a, s.pA; aba.cpp).
void biasForce(const Model& m, State& s, double* qfrcBias);

/// Model::treeAdr, treeLen, treeCol from the links' parents (integrate.cpp).
void compileTree(Model& m);
/// out [treeSize] ← the tree entries of M [nv, nv] (diagonal and lower triangle), row by row.
void gatherTree(const Model& m, const Eigen::MatrixXd& M, double* out);
/// LᵀDL of a matrix in the tree layout [treeSize], in place (MuJoCo's mj_factorI): afterwards each
/// row holds L(k, j) for the ancestors j and D(k) last. Same operations as factorTreeLDL.
void factorTree(const Model& m, double* LD);
/// x ← H⁻¹ x with H factored by factorTree.
void solveTree(const Model& m, const double* LD, double* x);
/// y = M x for M in the tree layout (symmetric).
void multiplyTree(const Model& m, const double* M, const double* x, double* y);

/// LᵀDL of H [nv, nv] over the dof tree, in place (RBDA Table 6.3, MuJoCo's mj_factorI): reads
/// the diagonal and H(i, j) for j an ancestor of i; leaves L below the diagonal, D on it.
void factorTreeLDL(const Model& m, Eigen::MatrixXd& H);
/// x ← H⁻¹ x with H factored by factorTreeLDL.
void solveTreeLDL(const Model& m, const Eigen::MatrixXd& H, double* x);

/// qfrcSmooth = tau − c, the mass matrix M and its tree LᵀDL (s.LD), qaccSmooth = M⁻¹ qfrcSmooth,
/// then solveConstraints (integrate.cpp).
/// Kinematics and the rows must be current.
void constrainedAcceleration(const Model& m, State& s);

/// d(qfrc_actuator + qfrc_passive)/dqvel into s.qDeriv [nv, nv] (MuJoCo's mjd_smooth_vel): actuator
/// velocity gains and biases (s.actForceVel), joint and tendon damping; with `withBias` also
/// −∂c/∂qvel, the Coriolis/centrifugal derivative (hinge and slide joints; uses rneaVJP's
/// scratch). Kinematics, tendons and actuatorForces must be current (derivative.cpp).
void smoothVelocityDerivative(const Model& m, State& s, bool withBias);

/// Full forward dynamics at the current state: kinematics, forces, ABA (forward.cpp).
void forward(const Model& m, State& s);

/// MuJoCo's mj_nextActivation: actuator a's activation after h from `act` at rate `rate`
/// (filterexact: exactly, act + rate·tau·(1 − e^{−h/tau}); else act + h·rate), clamped to its
/// actrange when limited (integrate.cpp).
double nextActivation(const Model& m, int a, double act, double rate, double h);

/// One step (with substeps) of the model's integrator; returns SIM_OK or SIM_ERR_NONFINITE
/// (then the state is restored to its value before the step) (integrate.cpp).
int step(const Model& m, State& s);

/// MuJoCo's mj_integratePos: qpos [nq] ← qpos ⊕ h·qvel [nv] on each joint's manifold
/// (quaternions: q ← normalise(q) ⊗ exp(h·ω/2), ω in the body frame) (integrate.cpp).
void integratePos(const Model& m, double* qpos, const double* qvel, double h);

/// Unit quaternion (w, x, y, z) of qpos[adr..adr+3], renormalised as MuJoCo's kinematics does
/// (identity for a zero quaternion).
Quat qposQuat(const double* q);
/// R(q) computed as MuJoCo's mju_quat2Mat (kinematics.cpp).
Mat3 quatMatrix(const Quat& q);

bool allFinite(const double* x, size_t n);

}  // namespace sim
