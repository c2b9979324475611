// energysim.h — the one C bridge to the EnergyDynamics rigid-body simulator.
//
// Conventions (after MuJoCo's and GLFW's headers):
// - Opaque handles: `simModel` is an immutable description (shareable across threads once
//   loaded), `simState` the mutable state of one simulation (one thread at a time).
// - Every fallible call returns a status (`SIM_OK` = 0). Loaders and batched calls also fill a
//   caller-provided message buffer with "file:line: what and why" text. Nothing aborts and no
//   C++ exception crosses this header.
// - Vocabulary: qpos (nq), qvel (nv), qacc (nv), ctrl (nu), qfrc (nv, generalised force).
//   Arrays are row-major, float64; every array's shape is written next to it.
// - Only C types cross: double, fixed-width integers, size_t, char pointers, handles and plain
//   structs filled by a `sim_default…` function.
#ifndef ENERGYSIM_H
#define ENERGYSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__clang__)
#define SIM_ASSUME_NONNULL_BEGIN _Pragma("clang assume_nonnull begin")
#define SIM_ASSUME_NONNULL_END _Pragma("clang assume_nonnull end")
#define SIM_NULLABLE _Nullable
#define SIM_NONNULL _Nonnull
#else
#define SIM_ASSUME_NONNULL_BEGIN
#define SIM_ASSUME_NONNULL_END
#define SIM_NULLABLE
#define SIM_NONNULL
#endif

SIM_ASSUME_NONNULL_BEGIN

/// Bridge version; bumped on any incompatible change of this header.
#define SIM_VERSION 2

// MARK: - Status codes

#define SIM_OK 0
#define SIM_ERR_PARSE 1      ///< malformed XML, number or attribute
#define SIM_ERR_MODEL 2      ///< well-formed but invalid model (mass, inertia, references)
#define SIM_ERR_ARGUMENT 3   ///< null pointer, wrong size, out-of-range index or option
#define SIM_ERR_NONFINITE 4  ///< a state, control or result became NaN or infinite
#define SIM_ERR_IO 5         ///< a file could not be read
#define SIM_ERR_NOT_FOUND 6  ///< unknown built-in robot or name
#define SIM_ERR_INTERNAL 7   ///< an unexpected failure (out of memory, a bug): please report
#define SIM_ERR_UNSUPPORTED 8  ///< the model uses a feature this call does not handle (named in the message)

#define SIM_INTEGRATOR_EULER 0  ///< semi-implicit Euler, joint damping implicit (MuJoCo's Euler)
#define SIM_INTEGRATOR_RK4 1    ///< classic 4th-order Runge–Kutta (MuJoCo's RK4)
/// Implicit in velocity (MuJoCo's implicit): (M − h·∂f/∂qvel) qacc = f, f the smooth and
/// constraint forces, ∂f/∂qvel with the Coriolis/centrifugal term; hinge and slide joints only.
#define SIM_INTEGRATOR_IMPLICIT 2
/// Implicit in velocity without the Coriolis/centrifugal derivative (MuJoCo's implicitfast): damping,
/// actuator velocity gains and biases taken implicitly through the symmetric M − h·∂f/∂qvel.
#define SIM_INTEGRATOR_IMPLICITFAST 3

#define SIM_SOLVER_PGS 0     ///< projected Gauss–Seidel on the dual (MuJoCo's PGS)
#define SIM_SOLVER_CG 1      ///< nonlinear conjugate gradient on the primal (MuJoCo's CG)
#define SIM_SOLVER_NEWTON 2  ///< Newton on the primal, exact line search (MuJoCo's default)

#define SIM_JOINT_HINGE 0  ///< 1 qpos (rad), 1 dof
#define SIM_JOINT_SLIDE 1  ///< 1 qpos (m), 1 dof
#define SIM_JOINT_BALL 2   ///< 4 qpos (unit quaternion w x y z), 3 dofs (angular velocity, body frame)
#define SIM_JOINT_FREE 3   ///< 7 qpos (world position, quaternion), 6 dofs (world linear velocity,
                           ///< angular velocity in the body frame), as MuJoCo's free joint

#define SIM_GEOM_PLANE 0
#define SIM_GEOM_SPHERE 2
#define SIM_GEOM_CAPSULE 3
#define SIM_GEOM_ELLIPSOID 4
#define SIM_GEOM_CYLINDER 5
#define SIM_GEOM_BOX 6
#define SIM_GEOM_MESH 7  ///< a triangle mesh; drawn as its bounding sphere until meshes are drawn

typedef struct simModel_ simModel;
typedef struct simState_ simState;

/// Returns `SIM_VERSION` of the compiled library; compare with the header's to detect skew.
int32_t sim_version(void);

/// A short constant name for a status code, e.g. "SIM_ERR_PARSE".
/// Pointer lifetime: static.
const char* sim_statusName(int32_t status);

// MARK: - Models

/// Loads an MJCF model (the supported subset is listed in README.md), or a URDF file (root
/// element <robot>: see sim_loadURDFFile), from a file; <include>
/// and mesh files are resolved relative to it. Unsupported constructs are all listed, one per
/// line of `message`, each with file:line.
/// Returns: SIM_OK and a new model in `*model`, which the caller frees with sim_deleteModel.
/// Errors: SIM_ERR_IO, SIM_ERR_PARSE, SIM_ERR_MODEL, with "path:line: problem" in `message`
///   (truncated to `messageSize` bytes, always NUL-terminated when messageSize > 0);
///   `*model` is set to NULL.
/// Thread safety: reentrant.
int32_t sim_loadModelFile(const char* path, simModel* SIM_NULLABLE* SIM_NONNULL model,
                          char* SIM_NULLABLE message, size_t messageSize);

/// Loads a URDF robot file as MuJoCo's URDF import does (urdfdom parses it; README.md lists the
/// mapping): links become bodies, revolute/continuous joints hinges, prismatic slides, floating
/// free joints, planar two slides and a hinge, fixed joints weld; the root link is fixed to the
/// world; <collision> geoms are kept and <visual> ones discarded. `package://NAME/...` mesh paths
/// are looked up in `packagePath` (directories separated by ':', may be NULL), then in
/// ROS_PACKAGE_PATH, then in the file's own directory (as pybullet); other relative paths are
/// relative to the file. <mimic> becomes a joint equality, as in MuJoCo 4. sim_loadModelFile and
/// sim_loadModelString also load URDF (a root element <robot>), without a package path.
/// Returns/Errors: as sim_loadModelFile; structural problems (duplicate names, missing parent or
///   child links, two parents, cycles, several roots) are all listed with file:line.
/// Thread safety: reentrant.
int32_t sim_loadURDFFile(const char* path, const char* SIM_NULLABLE packagePath,
                         simModel* SIM_NULLABLE* SIM_NONNULL model, char* SIM_NULLABLE message,
                         size_t messageSize);

/// Writes the MJCF text that a URDF file imports as (what sim_loadURDFFile compiles), e.g. to
/// load it in MuJoCo or edit it. `packagePath` as in sim_loadURDFFile.
/// Returns: SIM_OK; `*length` is the text length without the terminating NUL. When `buffer` is
///   NULL or `bufferSize <= *length`, only `*length` is set (call again with a larger buffer).
/// Errors: as sim_loadURDFFile. Thread safety: reentrant.
int32_t sim_urdfToMJCF(const char* path, const char* SIM_NULLABLE packagePath,
                       char* SIM_NULLABLE buffer, size_t bufferSize, size_t* length,
                       char* SIM_NULLABLE message, size_t messageSize);

/// Loads an MJCF model from XML text; `sourceName` names it in error messages.
/// Returns/Errors: as sim_loadModelFile (without SIM_ERR_IO).
/// Thread safety: reentrant.
int32_t sim_loadModelString(const char* xml, const char* sourceName,
                            simModel* SIM_NULLABLE* SIM_NONNULL model,
                            char* SIM_NULLABLE message, size_t messageSize);

/// Writes the MJCF text of a built-in robot: "pendulum", "cartpole", "acrobot", "pointmass2d",
/// "reacher2", "arm7", "ridgeball" (a ball dropped on a ridge: contacts), or "chainN" (N-link
/// pendulum chain, 1 <= N <= 1024).
/// Returns: SIM_OK; `*length` is the text length without the terminating NUL. When `buffer` is
///   NULL or `bufferSize <= *length`, only `*length` is set (call again with a larger buffer).
/// Errors: SIM_ERR_NOT_FOUND for an unknown name.
/// Thread safety: reentrant.
int32_t sim_builtinModelXML(const char* name, char* SIM_NULLABLE buffer, size_t bufferSize,
                            size_t* length);

/// Comma-separated names of the fixed built-in robots ("chainN" is generated on request).
/// Pointer lifetime: static.
const char* sim_builtinModelNames(void);

/// Frees a model. Passing NULL is allowed. States made from it must be deleted first.
void sim_deleteModel(simModel* SIM_NULLABLE model);

/// What the loader read and ignored because it has no effect on the simulated dynamics
/// (lights, cameras, materials, <visual>, sensors, contact settings, ...), as one line:
/// "file: ignored (...): <light> ×3 (file:12); ...", or "" when nothing was ignored.
/// Pointer lifetime: the model's.
const char* sim_modelWarnings(const simModel* model);

/// Number of keyframes (<keyframe><key>): named states stored with the model.
int64_t sim_keyframeCount(const simModel* model);

/// Keyframe `index`: qpos [nq], qvel [nv], ctrl [nu] and time (any pointer may be NULL); what
/// the key leaves out is MuJoCo's default (qpos0, zero velocity and controls, time 0).
/// Errors: SIM_ERR_ARGUMENT for an out-of-range index. Thread safety: any thread.
int32_t sim_keyframe(const simModel* model, int64_t index, double* SIM_NULLABLE qpos,
                     double* SIM_NULLABLE qvel, double* SIM_NULLABLE ctrl,
                     double* SIM_NULLABLE time);

/// Sizes of a model.
typedef struct simSizes {
  int64_t nq;      ///< generalised coordinates
  int64_t nv;      ///< degrees of freedom (nq > nv when ball or free joints hold quaternions)
  int64_t nu;      ///< actuators (motors)
  int64_t nbody;   ///< bodies, including the world body 0
  int64_t njoint;  ///< joints (hinge/slide: 1 dof, ball: 3, free: 6; see sim_jointAddresses)
  int64_t nsite;   ///< named sites
  int64_t ngeom;   ///< geoms
  int64_t na;      ///< actuator activation states (actuators with dyntype integrator/filter/filterexact)
  int64_t ntendon; ///< tendons (fixed and spatial)
} simSizes;

/// Fills `sizes`. Thread safety: any thread.
void sim_modelSizes(const simModel* model, simSizes* sizes);

/// Physics options of a model.
typedef struct simOptions {
  double timestep;     ///< seconds per step
  int32_t integrator;  ///< SIM_INTEGRATOR_EULER, _RK4, _IMPLICIT or _IMPLICITFAST
  int32_t substeps;    ///< integration substeps per step (timestep/substeps each); >= 1
  double gravity[3];   ///< m/s^2, world frame
} simOptions;

/// Fills `options` with the model's options.
void sim_modelOptions(const simModel* model, simOptions* options);

/// Makes a copy of `model` with other options (the model itself stays immutable).
/// Errors: SIM_ERR_ARGUMENT for a non-positive or non-finite timestep, substeps < 1, or an
///   unknown integrator (message says which); SIM_ERR_UNSUPPORTED for an implicit integrator on a
///   model it cannot step (a fluid medium; implicit: ball or free joints).
int32_t sim_copyModelWithOptions(const simModel* model, const simOptions* options,
                                 simModel* SIM_NULLABLE* SIM_NONNULL copy,
                                 char* SIM_NULLABLE message, size_t messageSize);

/// Constraint-solver options of a model (MuJoCo's <option solver iterations tolerance
/// ls_iterations ls_tolerance impratio> and the flags that switch constraint kinds).
typedef struct simSolverOptions {
  int32_t solver;       ///< SIM_SOLVER_NEWTON (default), SIM_SOLVER_CG or SIM_SOLVER_PGS
  int32_t iterations;   ///< main iterations (>= 0; default 100)
  double tolerance;     ///< stop when the scaled cost improvement or gradient is below (default 1e-8)
  int32_t lsIterations; ///< line-search iterations (CG, Newton; default 50)
  double lsTolerance;   ///< line-search tolerance relative to `tolerance` (default 0.01)
  double impratio;      ///< friction-to-normal impedance ratio (> 0; default 1)
  int32_t limits;       ///< 1: joint limits are enforced (<flag limit>)
  int32_t frictionloss; ///< 1: joint dry friction is applied (<flag frictionloss>)
  int32_t warmstart;    ///< 1: each solve starts from the previous solution (<flag warmstart>)
  int32_t contacts;     ///< 1: geoms collide (<flag contact>); 0 leaves only joint constraints
} simSolverOptions;

/// Fills `options` with the model's constraint-solver options.
void sim_modelSolverOptions(const simModel* model, simSolverOptions* options);

/// Makes a copy of `model` with other constraint-solver options.
/// Errors: SIM_ERR_ARGUMENT for an unknown solver, negative iterations or tolerances, or
///   impratio <= 0 (message says which).
int32_t sim_copyModelWithSolverOptions(const simModel* model, const simSolverOptions* options,
                                       simModel* SIM_NULLABLE* SIM_NONNULL copy,
                                       char* SIM_NULLABLE message, size_t messageSize);

/// Names. `kind`: 0 body, 1 joint, 2 site, 3 actuator, 4 geom, 5 keyframe. Unnamed entries
/// give "".
/// Returns NULL for an out-of-range kind or index. Pointer lifetime: the model's.
const char* SIM_NULLABLE sim_name(const simModel* model, int32_t kind, int64_t index);

/// Index of a named entry of `kind` (as in sim_name), or -1 when there is none.
int64_t sim_nameToIndex(const simModel* model, int32_t kind, const char* name);

/// Per-joint description arrays (any pointer may be NULL to skip it).
/// type [njoint] (SIM_JOINT_*), body [njoint], limited [njoint] (0/1), range [njoint, 2],
/// qpos0 [nq] (reference configuration).
void sim_jointInfo(const simModel* model, int32_t* SIM_NULLABLE type, int64_t* SIM_NULLABLE body,
                   int32_t* SIM_NULLABLE limited, double* SIM_NULLABLE range,
                   double* SIM_NULLABLE qpos0);

/// Where each joint's coordinates start (any pointer may be NULL): qposAddress [njoint] in
/// qpos [nq], dofAddress [njoint] in qvel [nv] (MuJoCo's jnt_qposadr, jnt_dofadr).
/// Thread safety: any thread.
void sim_jointAddresses(const simModel* model, int64_t* SIM_NULLABLE qposAddress,
                        int64_t* SIM_NULLABLE dofAddress);

/// Integrates positions on the joints' manifold, as MuJoCo's mj_integratePos:
/// qpos [nq] ← qpos ⊕ dt·qvel [nv] (hinge/slide add, quaternions rotate by exp(dt·ω/2) in the
/// body frame and are renormalised).
/// Errors: SIM_ERR_ARGUMENT for a NULL pointer; SIM_ERR_NONFINITE when the result is not finite.
/// Thread safety: any thread (touches only the arrays passed).
int32_t sim_integratePos(const simModel* model, double* qpos, const double* qvel, double dt);

/// Per-actuator arrays (any pointer may be NULL): joint [nu] (-1 for an actuator on a tendon or
/// a body: an <adhesion> actuator's body transmission), gear [nu], ctrlLimited [nu] (0/1), ctrlRange [nu, 2].
void sim_actuatorInfo(const simModel* model, int64_t* SIM_NULLABLE joint, double* SIM_NULLABLE gear,
                      int32_t* SIM_NULLABLE ctrlLimited, double* SIM_NULLABLE ctrlRange);

/// Per-body arrays (any pointer may be NULL): parent [nbody] (-1 for the world body),
/// mass [nbody] (kg, the body's own), com [nbody, 3] (centre of mass in the body frame),
/// inertia [nbody, 9] (row-major 3x3 about the centre of mass, body frame).
void sim_bodyInfo(const simModel* model, int64_t* SIM_NULLABLE parent, double* SIM_NULLABLE mass,
                  double* SIM_NULLABLE com, double* SIM_NULLABLE inertia);

/// Geometry of one geom, for viewers and collision-free distance queries.
typedef struct simGeom {
  int32_t type;      ///< SIM_GEOM_*
  int64_t body;      ///< body it is attached to (0 = world)
  double size[3];    ///< MuJoCo's meaning per type (radius, half-length, half-extents)
  double pos[3];     ///< position in the body frame
  double quat[4];    ///< orientation in the body frame (w, x, y, z)
  float rgba[4];     ///< colour
} simGeom;

/// Fills `geom` for geom `index`. Errors: SIM_ERR_ARGUMENT for an out-of-range index.
int32_t sim_geomInfo(const simModel* model, int64_t index, simGeom* geom);

// MARK: - States

/// Makes a state at the model's reference configuration (qpos0, zero velocity and controls).
/// All scratch memory of later steps is allocated here; stepping never allocates.
/// Errors: SIM_ERR_INTERNAL when out of memory. Pointer lifetime: `model` must outlive it.
int32_t sim_makeState(const simModel* model, simState* SIM_NULLABLE* SIM_NONNULL state);

/// Frees a state. Passing NULL is allowed.
void sim_deleteState(simState* SIM_NULLABLE state);

/// Sets position [nq], velocity [nv] and (when not NULL) control [nu]; time is kept.
/// Errors: SIM_ERR_NONFINITE (state untouched) when any value is NaN or infinite.
int32_t sim_setState(const simModel* model, simState* state, const double* qpos,
                     const double* qvel, const double* SIM_NULLABLE ctrl);

/// Actuator activations act [na] (see simSizes.na): a new state starts with zeros, sim_setState
/// leaves them, sim_step integrates them (MuJoCo's act: act' = ctrl for dyntype integrator,
/// (ctrl - act)/tau for filter and filterexact, clamped to actrange). Batched rollouts
/// (sim_rollout, sim_stepBatch, the batched forward/inverse calls) start every element from zero
/// activations. Errors: SIM_ERR_ARGUMENT, SIM_ERR_NONFINITE (set).
int32_t sim_getActivation(const simModel* model, const simState* state, double* act);
int32_t sim_setActivation(const simModel* model, simState* state, const double* act);

/// Tendon lengths [ntendon] and velocities [ntendon] (either may be NULL) of the last
/// sim_forward or sim_step (its last stage). Errors: SIM_ERR_ARGUMENT.
int32_t sim_tendonState(const simModel* model, const simState* state, double* SIM_NULLABLE length,
                        double* SIM_NULLABLE velocity);

/// Sets the time in seconds.
void sim_setTime(simState* state, double time);

/// Reads position [nq], velocity [nv], acceleration [nv] (from the last forward or step),
/// control [nu] and time; any pointer may be NULL.
void sim_getState(const simModel* model, const simState* state, double* SIM_NULLABLE qpos,
                  double* SIM_NULLABLE qvel, double* SIM_NULLABLE qacc,
                  double* SIM_NULLABLE ctrl, double* SIM_NULLABLE time);

// MARK: - Pipeline (single state)

/// Forward kinematics and forward dynamics (ABA, then the constraint solver for joint limits
/// and dry friction) at the current state and controls; fills qacc, body and site poses.
/// Errors: SIM_ERR_NONFINITE.
int32_t sim_forward(const simModel* model, simState* state);

/// Advances one timestep with the model's integrator (and substeps), clamping controls to
/// their ranges. Errors: SIM_ERR_NONFINITE, leaving the state as it was before the step.
int32_t sim_step(const simModel* model, simState* state);

/// The constraints of the last sim_forward or sim_step (its last stage): number of active
/// constraint rows (dry friction, limits within their margin, contact pyramid edges), the
/// number of contacts (may be NULL), iterations the solver took,
/// and the generalised constraint force qfrcConstraint [nv] = Jᵀ f (any pointer may be NULL).
void sim_constraintInfo(const simModel* model, const simState* state, int64_t* SIM_NULLABLE nefc,
                        int64_t* SIM_NULLABLE ncon, int64_t* SIM_NULLABLE iterations,
                        double* SIM_NULLABLE qfrcConstraint);

/// The contacts of the last sim_forward or sim_step, as MuJoCo's mjData.contact: for contact i
/// (i < min(*ncon, capacity)), geoms[2i], geoms[2i + 1] are its geoms (normal from the first to
/// the second) and contacts[13i ..] holds dist (negative in penetration), pos [3] (midway between
/// the surfaces) and frame [3, 3] (rows: normal, first and second tangent), all in world
/// coordinates. `*ncon` receives the number of contacts (more than capacity: the rest are left
/// out). Either array may be NULL (then capacity is ignored for it). Contacts within a geom's gap
/// (kept only in a model with <adhesion> actuators, whose moment reads them) are not counted here
/// nor in sim_constraintInfo's ncon; MuJoCo lists them in mjData.contact with exclude = 1.
/// Errors: SIM_ERR_ARGUMENT for a NULL model, state or ncon, or a negative capacity.
/// Thread safety: the state's thread. Pointer lifetime: the arrays are read during the call only.
int32_t sim_contacts(const simModel* model, const simState* state, int64_t capacity, int64_t* ncon,
                     int32_t* SIM_NULLABLE geoms, double* SIM_NULLABLE contacts);

/// The force of each contact of the last sim_forward or sim_step, as MuJoCo's mj_contactForce:
/// forces[6i ..] = the force (normal, first tangent, second tangent) and torque (about the normal,
/// the first and the second tangent) that the first geom exerts on the second, in the contact's
/// frame (as sim_contacts gives it). The pyramid's edge forces f_k± are decoded as MuJoCo does:
/// normal Σ f, component k μ_k (f_k+ − f_k−); an elliptic cone's rows are the components
/// themselves. Components beyond the contact's condim are 0, as is
/// every component of a contact that touches nothing that moves. `*ncon` receives the number of
/// contacts (more than capacity: the rest are left out).
/// Errors: SIM_ERR_ARGUMENT for a NULL model, state or ncon, NULL forces with a positive capacity,
/// or a negative capacity. Thread safety: the state's thread. Pointer lifetime: forces is written
/// during the call only.
int32_t sim_contactForces(const simModel* model, const simState* state, int64_t capacity, int64_t* ncon,
                          double* forces);

/// Inverse dynamics (RNEA): the generalised force qfrc [nv], beyond the passive forces
/// (damping, stiffness; constraint forces of limits and dry friction are not included), that
/// gives acceleration qacc [nv] at the current qpos, qvel:
/// qfrc = (M(q) + diag(armature)) qacc + c(q, qvel) - qfrc_passive(q, qvel).
/// Errors: SIM_ERR_NONFINITE.
int32_t sim_inverse(const simModel* model, simState* state, const double* qacc, double* qfrc);

/// Joint-space mass matrix M [nv, nv] at the current qpos (CRBA), armature included.
int32_t sim_massMatrix(const simModel* model, simState* state, double* mass);

/// Mechanical energy at the current state: gravitational + spring potential and kinetic
/// (armature included), in joules. Either pointer may be NULL.
int32_t sim_energy(const simModel* model, simState* state, double* SIM_NULLABLE potential,
                   double* SIM_NULLABLE kinetic);

/// World positions of all sites, sites [nsite, 3], at the current qpos.
int32_t sim_sitePositions(const simModel* model, simState* state, double* sites);

/// World poses of all bodies at the current qpos: position [nbody, 3] and rotation matrix
/// [nbody, 9] (row-major; columns are the body axes in world coordinates).
int32_t sim_bodyPoses(const simModel* model, simState* state, double* position, double* rotation);

/// Jacobians of site `site` at the current qpos: translational jacp [3, nv] and rotational
/// jacr [3, nv] (either may be NULL), in world coordinates.
/// Errors: SIM_ERR_ARGUMENT for an out-of-range site.
int32_t sim_siteJacobian(const simModel* model, simState* state, int64_t site,
                         double* SIM_NULLABLE jacp, double* SIM_NULLABLE jacr);

// MARK: - Batched calls (one bridge call per batch; spread over threads; deterministic)

/// Where a batched call failed. Batch elements are independent: the others still finish.
typedef struct simBatchReport {
  int64_t failed;       ///< number of batch elements that stopped on an error
  int64_t firstBatch;   ///< smallest failing batch index, or -1
  int64_t firstStep;    ///< step at which it failed, or -1
  int32_t firstStatus;  ///< its status
} simBatchReport;

/// Linear feedback evaluated inside the step loop, per actuator a driving joint j:
/// ctrl_a = clamp(offset[b,t,a] + (kp_a (qposTarget[b,t,j] - qpos_j)
///                + kd_a (qvelTarget[b,t,j] - qvel_j) + s_a g_j(qpos) * gravityCompensation) / gear_a)
/// where g(qpos) is the gravity force from RNEA at zero velocity and acceleration and s_a is
/// gravityScale[a] (1 when NULL): a controller that believes the links lighter or heavier.
/// An actuator on a tendon (sim_actuatorInfo's joint -1) gets the same law along the tendon:
/// length error J·(qposTarget - qpos) over hinge/slide dofs (exact for fixed tendons), velocity
/// error J·(qvelTarget - qvel), gravity term (J·g)/(J·J), J the tendon's Jacobian. An actuator on
/// a body (adhesion) takes ctrl = clamp(offset[b,t,a]) (0 without an offset).
typedef struct simFeedback {
  const double* SIM_NULLABLE kp;          ///< [nu], force per unit of joint error
  const double* SIM_NULLABLE kd;          ///< [nu], force per unit of joint velocity error
  const double* SIM_NULLABLE qposTarget;  ///< [B, T, nq] or [B, nq] (see targetPerStep)
  const double* SIM_NULLABLE qvelTarget;  ///< same layout with nv; NULL means zero
  const double* SIM_NULLABLE ctrlOffset;  ///< [B, T, nu] added in control units; NULL = 0
  int32_t targetPerStep;                  ///< 1: targets are [B, T, ·]; 0: [B, ·]
  int32_t gravityCompensation;            ///< 0 or 1
  const double* SIM_NULLABLE gravityScale; ///< [nu] multiplies the gravity term; NULL = 1
} simFeedback;

/// A zeroed feedback (no gains, no targets).
simFeedback sim_defaultFeedback(void);

/// Rolls out B independent trajectories of T steps from initial qpos0 [B, nq], qvel0 [B, nv]
/// under open-loop controls ctrl [B, T, nu] (NULL = zeros), or, when `feedback` is not NULL,
/// under that feedback law (then `ctrl` must be NULL and the applied, clamped controls are
/// written to ctrlOut [B, T, nu] when not NULL). Outputs: qpos [B, T+1, nq], qvel [B, T+1, nv],
/// sites [B, T+1, nsite, 3] (NULL to skip). `threads` <= 0 uses every core.
/// Results are bit-identical for any thread count.
/// Errors: SIM_ERR_ARGUMENT (B or T negative, bad pointers), SIM_ERR_NONFINITE: a failing
///   element's remaining rows are NaN, the report names the first; others complete.
int32_t sim_rollout(const simModel* model, int64_t B, int64_t T, const double* qpos0,
                    const double* qvel0, const double* SIM_NULLABLE ctrl,
                    const simFeedback* SIM_NULLABLE feedback, double* qpos, double* qvel,
                    double* SIM_NULLABLE sites, double* SIM_NULLABLE ctrlOut, int32_t threads,
                    simBatchReport* SIM_NULLABLE report, char* SIM_NULLABLE message,
                    size_t messageSize);

/// Advances B states in place by `steps` steps under constant ctrl [B, nu] (NULL = zeros):
/// qpos [B, nq], qvel [B, nv]; for policies evaluated outside the simulator between calls.
/// Errors: as sim_rollout; a failing element keeps its state from before the failing step.
int32_t sim_stepBatch(const simModel* model, int64_t B, int64_t steps, double* qpos, double* qvel,
                      const double* SIM_NULLABLE ctrl, int32_t threads,
                      simBatchReport* SIM_NULLABLE report, char* SIM_NULLABLE message,
                      size_t messageSize);

/// Batched dynamics terms at B states qpos [B, nq], qvel [B, nv] (NULL = zero velocity):
/// - forward: given qfrc [B, nv] (applied generalised force, NULL = 0), writes qacc [B, nv];
/// - inverse: given qacc [B, nv], writes qfrc [B, nv] as in sim_inverse.
int32_t sim_forwardBatch(const simModel* model, int64_t B, const double* qpos,
                         const double* SIM_NULLABLE qvel, const double* SIM_NULLABLE qfrc,
                         double* qacc, int32_t threads, char* SIM_NULLABLE message,
                         size_t messageSize);
int32_t sim_inverseBatch(const simModel* model, int64_t B, const double* qpos,
                         const double* SIM_NULLABLE qvel, const double* qacc, double* qfrc,
                         int32_t threads, char* SIM_NULLABLE message, size_t messageSize);

/// Vector–Jacobian product of inverse dynamics (exact, one forward + one backward sweep): with
/// qfrc(qpos, qvel, qacc) as sim_inverse and a cotangent w [nv] on it, writes
/// dqpos = wᵀ ∂qfrc/∂qpos, dqvel = wᵀ ∂qfrc/∂qvel, dqacc = wᵀ ∂qfrc/∂qacc = (M + diag(armature)) w,
/// each [nv]; qfrc [nv] (may be NULL) receives qfrc itself. Includes gravity, armature, joint
/// damping and springs. At the state's qpos, qvel.
/// Errors: SIM_ERR_UNSUPPORTED for ball or free joints or a fluid medium (hinge and slide only);
/// SIM_ERR_ARGUMENT for a NULL pointer; SIM_ERR_NONFINITE when an input or result is not finite.
int32_t sim_inverseVJP(const simModel* model, simState* state, const double* qacc, const double* w,
                       double* dqpos, double* dqvel, double* dqacc, double* SIM_NULLABLE qfrc);

/// sim_inverseVJP at B states: qpos [B, nq], qvel [B, nv] (NULL = zero velocity), qacc, w [B, nv]
/// in; dqpos, dqvel, dqacc [B, nv] out, and qfrc [B, nv] (NULL to skip). Spread over `threads`
/// (0 = every core; bit-identical for any count). Errors: as sim_inverseVJP, with a message.
int32_t sim_inverseVJPBatch(const simModel* model, int64_t B, const double* qpos,
                            const double* SIM_NULLABLE qvel, const double* qacc, const double* w,
                            double* dqpos, double* dqvel, double* dqacc, double* SIM_NULLABLE qfrc,
                            int32_t threads, char* SIM_NULLABLE message, size_t messageSize);

/// A cost ℓ on one row's generalised forces, for sim_inverseCostGradientBatch: returns ℓ(qfrc)
/// and writes ∂ℓ/∂qfrc [nv] into `gradient` (zeroed before the call). `row` is the batch index.
/// Called from the batch's worker threads, so it must be safe to call concurrently.
typedef double (*simForceCost)(void* SIM_NULLABLE context, int64_t row, const double* qfrc,
                               double* gradient);

/// The gradient of a cost on inverse dynamics, Σ_b ℓ(qfrc_b) with qfrc_b as sim_inverseBatch at
/// qpos, qvel, qacc [B, ·]: writes costs [B] = ℓ(qfrc_b) and dqpos, dqvel, dqacc [B, nv] =
/// (∂ℓ/∂qfrc)ᵀ ∂qfrc/∂(qpos, qvel, qacc) — sim_inverseVJPBatch with the cotangent that `cost`
/// returns from each row's forces, in one pass (one kinematics and forward sweep per row); qfrc
/// [B, nv] (NULL to skip) receives the forces. Errors: as sim_inverseVJPBatch; SIM_ERR_ARGUMENT
/// for a NULL cost or output; SIM_ERR_NONFINITE also when a cost or its gradient is not finite.
int32_t sim_inverseCostGradientBatch(const simModel* model, int64_t B, const double* qpos,
                                     const double* SIM_NULLABLE qvel, const double* qacc,
                                     simForceCost cost, void* SIM_NULLABLE context, double* costs,
                                     double* dqpos, double* dqvel, double* dqacc,
                                     double* SIM_NULLABLE qfrc, int32_t threads,
                                     char* SIM_NULLABLE message, size_t messageSize);

/// Batched kinematics at B configurations qpos [B, nq]: site positions sites [B, nsite, 3]
/// (NULL to skip) and, for site `jacobianSite` >= 0, its translational Jacobian
/// jacp [B, 3, nv] (NULL to skip).
int32_t sim_kinematicsBatch(const simModel* model, int64_t B, const double* qpos,
                            double* SIM_NULLABLE sites, int64_t jacobianSite,
                            double* SIM_NULLABLE jacp, int32_t threads,
                            char* SIM_NULLABLE message, size_t messageSize);

/// Number of worker threads "every core" means here.
int32_t sim_hardwareThreads(void);

SIM_ASSUME_NONNULL_END

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ENERGYSIM_H
