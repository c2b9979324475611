// model.hpp — the immutable description of a robot, and the specification it is compiled from.
//
// An MJCF file is parsed (mjcf.cpp) into a ModelSpec: bodies, joints, geoms, sites and
// actuators much as they are written, with each body's mass properties already resolved
// (from <inertial> or from its geoms, as MuJoCo does). compileModel (compile.cpp) turns the spec
// into a Model: one "link" per degree of freedom in topological order, welded bodies merged into
// the link that carries them, spatial inertias and motion subspaces precomputed for ABA/RNEA/CRBA.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <string>
#include <vector>

#include "energysim.h"

namespace sim {

/// MuJoCo's mjMINVAL: the smallest value divided by or regularised with.
constexpr double kMinVal = 1e-15;

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;
using Vec6 = Eigen::Matrix<double, 6, 1>;
using Mat6 = Eigen::Matrix<double, 6, 6>;
using Quat = Eigen::Quaterniond;

/// Where a spec element came from, for "file:line: problem" messages.
struct SourceLocation {
  std::string file;
  int line = 0;
};

// MARK: - Specification (parser output)

struct BodySpec {
  std::string name;
  int parent = -1;           ///< body index; -1 only for the world body 0
  Vec3 pos = Vec3::Zero();   ///< frame origin in the parent body's frame
  Quat quat = Quat::Identity();  ///< frame orientation relative to the parent body
  double mass = 0;           ///< kg
  Vec3 com = Vec3::Zero();   ///< centre of mass, body frame
  Mat3 inertia = Mat3::Zero();  ///< about the centre of mass, body frame (full, symmetric)
  Quat iquat = Quat::Identity();  ///< principal axes of `inertia` in the body frame
  SourceLocation where;
};

struct JointSpec {
  std::string name;
  int type = SIM_JOINT_HINGE;   ///< SIM_JOINT_HINGE, _SLIDE, _BALL or _FREE
  int body = 0;                 ///< body the joint moves (relative to its parent)
  Vec3 pos = Vec3::Zero();      ///< anchor, body frame
  Vec3 axis = Vec3::UnitZ();    ///< unit axis, body frame
  double damping = 0;           ///< N·m·s/rad or N·s/m
  double armature = 0;          ///< rotor inertia added to the mass-matrix diagonal
  double stiffness = 0;         ///< spring towards springref
  double springdamper[2] = {0, 0};  ///< time constant, damping ratio (> 0: MuJoCo derives stiffness and damping)
  double springref = 0;
  double ref = 0;               ///< qpos0: the reference configuration
  bool limited = false;
  double range[2] = {0, 0};     ///< radians or metres
  double limitTimeconst = 0.02; ///< solreflimit[0]: time constant, s (> 0), or −stiffness (≤ 0)
  double limitDampratio = 1.0;  ///< solreflimit[1]: damping ratio (> 0), or −damping (≤ 0)
  double limitSolimp[5] = {0.9, 0.95, 0.001, 0.5, 2};  ///< solimplimit: dmin dmax width mid power
  double margin = 0;            ///< limit becomes active this far (rad or m) before the range ends
  double frictionloss = 0;      ///< dry friction, N·m or N (a friction constraint row)
  double frictionSolref[2] = {0.02, 1.0};                 ///< solreffriction
  double frictionSolimp[5] = {0.9, 0.95, 0.001, 0.5, 2};  ///< solimpfriction
  bool actfrcLimited = false;   ///< clamp the total actuator force on this joint
  double actfrcRange[2] = {0, 0};
  SourceLocation where;
};

/// A geom's contact parameters (MJCF <geom contype conaffinity condim priority friction solmix
/// solref solimp margin gap>), with MuJoCo's defaults.
struct ContactParams {
  int contype = 1, conaffinity = 1;  ///< two geoms collide when contype of one & conaffinity of the other
  int condim = 3;                    ///< 1 frictionless, 3 sliding, 4 + torsional, 6 + rolling friction
  int priority = 0;                  ///< the higher priority geom's parameters win
  double friction[3] = {1, 0.005, 0.0001};  ///< sliding, torsional, rolling
  double solmix = 1;                 ///< weight of this geom's solref/solimp in a pair
  double solref[2] = {0.02, 1};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double margin = 0, gap = 0;        ///< m: contacts active within margin (MuJoCo 4; gap only widens detection)
};

/// A mesh geom's convex hull (convex.cpp's buildMeshHull, at load): what the collider walks.
/// Indices are into GeomSpec::meshVert; a vertex off the hull (inside it, or a duplicate) has
/// no polygons and no edges.
struct MeshHull {
  std::vector<int> vert;                 ///< hull vertices, ascending
  std::vector<int> polyAdr, polyNum;     ///< [npoly] each face polygon's first entry in polyVert, count
  std::vector<int> polyVert;             ///< polygon corners, counter-clockwise about the outward normal
  std::vector<Vec3> polyNormal;          ///< [npoly] outward unit normals (triangles within kPolygonAngle merged)
  std::vector<int> vertPolyAdr, vertPoly;  ///< [nvert + 1] CSR: the polygons at each vertex (corner or interior)
  std::vector<int> edgeAdr, edge;        ///< [nvert + 1] CSR: neighbours on the triangulated hull
  Vec3 centre = Vec3::Zero();            ///< MuJoCo's geom origin for the mesh (its centre of volume)
  int seed[27] = {};                     ///< hill climbing's start per direction cell (each coordinate
                                         ///< < −0.4, in between, > 0.4): the vertex farthest along it
};

struct GeomSpec {
  std::string name;
  int type = SIM_GEOM_SPHERE;
  int body = 0;
  double size[3] = {0, 0, 0};
  Vec3 pos = Vec3::Zero();
  Quat quat = Quat::Identity();
  float rgba[4] = {0.5f, 0.5f, 0.5f, 1.0f};
  ContactParams contact;
  SourceLocation where;
  std::vector<Vec3> meshVert;  // [n] mesh geoms: the mesh's (scaled) vertices in the geom frame
  MeshHull hull;               // mesh geoms: meshVert's convex hull (empty: flat or too few points)
};

struct SiteSpec {
  std::string name;
  int body = 0;
  Vec3 pos = Vec3::Zero();
  Quat quat = Quat::Identity();
  SourceLocation where;
};

/// Actuator activation dynamics (MuJoCo's mjtDyn subset).
enum { kDynNone = 0, kDynIntegrator = 1, kDynFilter = 2, kDynFilterExact = 3 };

/// An actuator on a joint or a tendon, as MuJoCo's <general> with affine gain and bias:
/// force = (gain[0] + gain[1]·length + gain[2]·velocity)·ctrl + bias[0] + bias[1]·length +
/// bias[2]·velocity (length gear·q or gear·L, velocity gear·q̇ or gear·L̇), clamped to forceRange
/// when forceLimited, applied as gear·force along the joint or as gear·force·J_tendon (motor:
/// gain 1, bias 0; damper: gain (0, 0, −kv); intvelocity: a position servo on an integrator).
struct ActuatorSpec {
  std::string name;
  int joint = -1;
  int tendon = -1;          ///< a tendon transmission instead (joint −1): length gear·L, force gear·Jᵀ
  /// a body transmission instead (joint and tendon −1; MuJoCo's mjTRN_BODY, <adhesion body>):
  /// length 0, moment −(mean of the normal Jacobian rows of the body's contacts), gear unused
  int body = -1;

  double gear = 1;
  bool ctrlLimited = false;
  double ctrlRange[2] = {0, 0};
  double gain[3] = {1, 0, 0};  ///< MuJoCo's gainprm[0..2] (gaintype fixed: only gain[0])
  double bias[3] = {0, 0, 0};
  bool forceLimited = false;
  double forceRange[2] = {0, 0};
  /// Activation dynamics (MuJoCo's dyntype): with one, the force takes gain·act instead of
  /// gain·ctrl, act a state variable with act' = ctrl (integrator) or (ctrl − act)/tau (filter;
  /// filterexact integrates it exactly), clamped to actRange when actLimited; actEarly uses the
  /// next step's act.
  int dyntype = kDynNone;
  double tau = 1;                ///< dynprm[0], filter time constant (s)
  bool actLimited = false;
  double actRange[2] = {0, 0};
  bool actEarly = false;
  SourceLocation where;
};

/// An equality constraint (<equality><connect|weld|joint>), MuJoCo's semantics: connect holds
/// a point of body1 (`anchor`, body1 frame) on body2; weld holds body2's `anchor` point at
/// body1's `relpose` and their orientations; joint holds q1 − ref1 = poly(q2 − ref2), tendon the
/// same of tendon lengths L − L(qpos0). With
/// site1/site2 (connect, weld) the sites' positions (and frames) are held together instead.
struct EqualitySpec {
  enum Type { kConnect = 0, kWeld = 1, kJoint = 2, kTendon = 3 };
  std::string name;
  int type = kConnect;
  int obj1 = -1, obj2 = -1;  ///< bodies (obj2 0 = world), sites, or joints/tendons (obj2 −1 = none)
  bool sites = false;        ///< obj1, obj2 are sites
  Vec3 anchor = Vec3::Zero();
  double relpose[7] = {0, 1, 0, 0, 0, 0, 0};  ///< pos, quat (w x y z); quat 0: from qpos0
  double torquescale = 1;
  double polycoef[5] = {0, 1, 0, 0, 0};
  double solref[2] = {0.02, 1};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  bool active = true;
  SourceLocation where;
};

/// An explicit contact pair (<contact><pair>), MuJoCo's semantics: the two geoms are tested
/// whatever their contype/conaffinity, bodies or parents, with the pair's own parameters (its
/// attributes, else its <default><pair> class; nothing is mixed from the geoms). friction is
/// MuJoCo's five: sliding along the two tangents, torsional, rolling ×2. solreffriction acts on
/// elliptic cones only (kept for them).
struct PairSpec {
  std::string name;
  int geom1 = -1, geom2 = -1;
  int condim = 3;
  double friction[5] = {1, 1, 0.005, 0.0001, 0.0001};
  double solref[2] = {0.02, 1};
  double solreffriction[2] = {0, 0};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double margin = 0, gap = 0;
  SourceLocation where;
};

/// A body pair whose geoms never collide by the contype/conaffinity mechanism
/// (<contact><exclude>); explicit pairs between them still do.
struct ExcludeSpec {
  std::string name;
  int body1 = -1, body2 = -1;
  SourceLocation where;
};

/// A tendon (<tendon><fixed|spatial>), MuJoCo's semantics. Fixed: length L = Σ coef_k q_k over
/// hinge/slide joints. Spatial (sites only): L = Σ |p_{k+1} − p_k| along the sites' world
/// positions. Either way J = ∂L/∂q, a spring −stiffness·(L − springlength) outside the dead band
/// springlength[0..1] (−1 −1: the length at the joints' springref) and damping −damping·J q̇
/// (passive forces through Jᵀ), a limit (range, margin, solreflimit, solimplimit) and dry
/// friction (frictionloss, solreffriction, solimpfriction) as soft constraint rows.
struct TendonSpec {
  enum Type { kFixed = 0, kSpatial = 1 };
  std::string name;
  int type = kFixed;
  std::vector<int> joints;      ///< fixed: joint indices
  std::vector<double> coefs;    ///< fixed: their coefficients
  std::vector<int> sites;       ///< spatial: site indices, in path order
  bool limited = false;
  double range[2] = {0, 0};
  double margin = 0;
  double limitSolref[2] = {0.02, 1.0};
  double limitSolimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double frictionloss = 0;
  double frictionSolref[2] = {0.02, 1.0};
  double frictionSolimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double stiffness = 0, damping = 0;
  double springlength[2] = {-1, -1};
  SourceLocation where;
};

/// A named state (<keyframe><key>): qpos [nq], qvel [nv], ctrl [nu] and time, with MuJoCo's
/// defaults (qpos0, zero velocity and controls) for what the key leaves out.
struct KeyframeSpec {
  std::string name;
  double time = 0;
  std::vector<double> qpos, qvel, ctrl;
  SourceLocation where;
};

/// MuJoCo's constraint-solver options (<option>) and the flags that switch constraint kinds.
struct SolverOptions {
  int solver = SIM_SOLVER_NEWTON;  ///< SIM_SOLVER_PGS, _CG or _NEWTON
  int iterations = 100;            ///< main solver iterations
  double tolerance = 1e-8;         ///< stop when scaled cost improvement or gradient is below
  int lsIterations = 50;           ///< line-search iterations (CG, Newton)
  double lsTolerance = 0.01;       ///< line-search tolerance, relative to `tolerance`
  double impratio = 1;             ///< friction-to-normal impedance ratio (contacts)
  bool elliptic = false;           ///< <option cone="elliptic">: MuJoCo's elliptic friction cone (Newton, CG)
  bool limits = true;              ///< <flag limit>
  bool frictionloss = true;        ///< <flag frictionloss>
  bool warmstart = true;           ///< <flag warmstart>
  bool refsafe = true;             ///< <flag refsafe>: time constants at least two steps
  bool contact = true;             ///< <flag contact>: collisions make contact constraints
  bool equality = true;            ///< <flag equality>: equality constraints are enforced
  bool filterparent = true;        ///< <flag filterparent>: a body does not touch its parent
  bool multiccd = true;            ///< <flag multiccd>: convex pairs (no sphere, ellipsoid) up to 5 contacts
};

struct ModelSpec {
  std::string name;
  std::string source;  ///< file name used in messages
  double timestep = 0.002;
  int integrator = SIM_INTEGRATOR_EULER;
  int substeps = 1;
  Vec3 gravity = Vec3(0, 0, -9.81);
  double fluidDensity = 0, fluidViscosity = 0;  ///< medium: kg/m³, Pa·s (MuJoCo's inertia-box model)
  Vec3 wind = Vec3::Zero();                     ///< m/s, world frame
  std::vector<BodySpec> bodies;  ///< bodies[0] is the world; parents precede children
  std::vector<JointSpec> joints;  ///< in MJCF order: grouped by body, bodies in order
  std::vector<GeomSpec> geoms;
  std::vector<SiteSpec> sites;
  std::vector<ActuatorSpec> actuators;
  std::vector<KeyframeSpec> keyframes;
  std::vector<EqualitySpec> equalities;
  std::vector<TendonSpec> tendons;    ///< <tendon>, in file order
  std::vector<PairSpec> pairs;        ///< <contact><pair>, in file order
  std::vector<ExcludeSpec> excludes;  ///< <contact><exclude>
  SolverOptions solver;  ///< <option solver iterations tolerance ...> and constraint flags
  std::string warnings;  ///< what the loader read and ignored, one line ("" when nothing)
};

// MARK: - Compiled model

/// A rigid transform: a frame's orientation R and origin p, expressed in another frame.
struct Pose {
  Mat3 R = Mat3::Identity();
  Vec3 p = Vec3::Zero();
};

/// Spatial inertia of a rigid body about a frame's origin, in that frame:
/// mass m, first moment h = m c, rotational inertia Ibar about the origin.
struct RigidInertia {
  double m = 0;
  Vec3 h = Vec3::Zero();
  Mat3 Ibar = Mat3::Zero();
};

/// One degree of freedom: a joint and the rigid mass it carries. A ball joint is three links
/// (rotations about the body frame's x, y, z through the anchor), a free joint six (translations
/// along the world axes, then a ball at the body origin): the links of one joint share one pose,
/// computed from the quaternion at the joint's first (rotational) link, and only the last
/// carries the mass, so ABA/RNEA/CRBA run unchanged over 1-dof links.
struct Link {
  int parent = -1;            ///< parent link, -1 = world; always < this link's index
  int type = SIM_JOINT_HINGE; ///< the type of the joint this dof belongs to (SIM_JOINT_*)
  int sub = 0;                ///< dof within its joint: 0 (hinge, slide), 0..2 (ball), 0..5 (free)
  bool rot = true;            ///< rotation about `axis` through `anchor` (else translation along it)
  bool continues = false;     ///< rotation after the first of a ball: same pose as the previous link,
                              ///< and its velocity product uses the velocity before the ball (as
                              ///< MuJoCo's cdof_dot for ball and free joints)
  int qposAdr = 0;            ///< hinge/slide: its qpos; ball/free: the joint's first qpos
  Pose X_parent_zero;         ///< pre-joint frame in the parent link's frame
  Vec3 axis = Vec3::UnitZ();  ///< joint axis, link frame
  Vec3 anchor = Vec3::Zero(); ///< joint anchor, link frame
  Vec6 S = Vec6::Zero();      ///< motion subspace (angular; linear at the link origin)
  // Rodrigues terms of the link's pose in its parent, R(q) = R0 + sin q·R0K + (1 − cos q)·R0K²
  // and p(q) = p0 + R0·anchor − R(q)·anchor (hinge), with K the axis' cross-product matrix.
  Mat3 R0K = Mat3::Zero(), R0K2 = Mat3::Zero();
  Vec3 p0anchor = Vec3::Zero();
  RigidInertia inertia;       ///< everything welded to this link, link frame
  double mass = 0;            ///< the same as mass, centre of mass and inertia about it
  Vec3 com = Vec3::Zero();
  Mat3 Icom = Mat3::Zero();
};

/// A moving body that the medium acts on (MuJoCo's inertia-box fluid model): its principal
/// frame in its link's frame and the sides of the box with its mass and inertia.
struct FluidBody {
  int link = -1;
  Pose X_link_inertial;
  Vec3 box = Vec3::Zero();
};

/// A pair of geoms that may touch (collision.cpp), ordered so that type(g1) <= type(g2) as
/// MuJoCo's collision table, with the pair's contact parameters: mixed from the geoms (priority,
/// solmix, max friction and condim, summed margin and gap) or an explicit <pair>'s own.
struct CollisionPair {
  int g1 = -1, g2 = -1;
  int explicitPair = -1;     ///< index into spec.pairs, −1: found by the contype/conaffinity filters
  int maxContacts = 1;       ///< most contacts this pair's collision function returns
  int condim = 3;            ///< 1, 3, 4 or 6
  double friction[5] = {1, 1, 0.005, 0.0001, 0.0001};  ///< MuJoCo's five: sliding ×2 (the frame's two tangents), torsional, rolling ×2
  double solref[2] = {0.02, 1};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double margin = 0, gap = 0;
};

/// A compiled tendon (tendon.cpp computes its length and Jacobian): the spec's parameters with
/// the path resolved to dofs and qpos addresses (fixed) or sites (spatial).
struct Tendon {
  int type = TendonSpec::kFixed;
  std::vector<int> dof, qpos;       ///< fixed: per joint
  std::vector<double> coef;         ///< fixed: per joint
  std::vector<int> sites;           ///< spatial: path
  bool limited = false;
  double range[2] = {0, 0}, margin = 0;
  double limitSolref[2] = {0.02, 1.0}, limitSolimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double frictionloss = 0;
  double frictionSolref[2] = {0.02, 1.0}, frictionSolimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double stiffness = 0, damping = 0;
  double lengthspring[2] = {0, 0};  ///< dead band of the spring (MuJoCo's tendon_lengthspring)
  double length0 = 0;               ///< length at qpos0 (tendon equality reference)
  double invweight0 = 1;            ///< J M⁻¹ Jᵀ at qpos0 (MuJoCo's tendon_invweight0)
};

/// A compiled equality constraint (constraint.cpp): the two sides as links and frames in them.
struct Equality {
  int type = EqualitySpec::kConnect;
  int body1 = 0, body2 = 0;     ///< connect/weld: bodies (site semantic: the sites' bodies)
  Pose X_body1_frame, X_body2_frame;  ///< connect/weld: the held points (and frames) in the bodies
  Mat3 relR = Mat3::Identity(); ///< weld (body semantic): body1's frame times relR should be body2's
  double torquescale = 1;
  int dof1 = -1, dof2 = -1, qpos1 = -1, qpos2 = -1;  ///< joint: dofs, qpos addresses (2: −1 = none)
  int tendon1 = -1, tendon2 = -1;  ///< tendon: the two tendons (2: −1 = none)
  double polycoef[5] = {0, 1, 0, 0, 0};
  double solref[2] = {0.02, 1};
  double solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
};

struct Model {
  ModelSpec spec;             ///< names, geoms, sites and options as loaded
  int nq = 0, nv = 0, nu = 0;
  std::vector<int> jntQposAdr, jntDofAdr;  ///< [njoint] first qpos and dof of each joint
  std::vector<int> dofJoint;  ///< [nv] joint of each dof
  std::vector<Link> links;    ///< [nv], topological order, index = dof = joint
  std::vector<int> bodyLink;  ///< [nbody] link carrying the body, -1 = world
  std::vector<Pose> X_link_body;  ///< [nbody] body frame in its link's frame
  std::vector<int> siteLink;      ///< [nsite]
  std::vector<Pose> X_link_site;  ///< [nsite]
  // per dof
  std::vector<double> damping, armature, stiffness, springref;  ///< [nv]
  std::vector<double> qpos0;  ///< [nq] reference configuration (ball/free: body quaternion, pose)
  std::vector<char> limited;
  std::vector<double> rangeLo, rangeHi;
  std::vector<double> limitTimeconst, limitDampratio;  ///< MuJoCo's solreflimit
  std::vector<double> limitSolimp;   ///< [nv, 5] solimplimit
  std::vector<double> limitMargin;   ///< [nv]
  std::vector<double> frictionloss;  ///< [nv] dry friction (0: none)
  std::vector<double> frictionSolref, frictionSolimp;  ///< [nv, 2], [nv, 5]
  std::vector<double> invweight0;    ///< [nv] (M⁻¹)_ii at qpos0: MuJoCo's dof_invweight0
  double meanInertia = 1;            ///< mean of diag M at qpos0: scales solver tolerances
  int maxConstraintRows = 0;         ///< capacity of the constraint rows (state scratch)
  // collision (collision.cpp)
  std::vector<int> geomLink;         ///< [ngeom] link carrying the geom, -1 = world
  std::vector<Pose> X_link_geom;     ///< [ngeom] geom frame in its link's (or the world) frame
  std::vector<CollisionPair> pairs;  ///< candidate pairs after contype/conaffinity/parent filters
  std::vector<double> bodyInvweight0;  ///< [nbody] translational (J M⁻¹ Jᵀ at the com)/3 at qpos0
  std::vector<double> bodyInvweight0Rot;  ///< [nbody] rotational (Jr M⁻¹ Jrᵀ)/3 at qpos0
  std::vector<Equality> equalities;  ///< active at load (MuJoCo's eq_active0)
  std::vector<Tendon> tendons;       ///< [ntendon]
  std::vector<char> bodySimpleSlider;  ///< [nbody] MuJoCo's body_simple == 2: weights are 1/mass
  int maxContacts = 0;               ///< capacity of the contact list
  // broad phase (collision.cpp): sweep-and-prune over world AABBs, on when the filtered pairs
  // are many; explicit pairs and pairs with a plane are always tested
  bool sweepAndPrune = false;
  std::vector<int> sweepGeoms;       ///< geoms in pruned pairs (no planes), the sweep's initial order
  std::vector<double> geomInflate;   ///< [ngeom] margin + gap added to each side of its AABB
  std::vector<double> geomRbound;    ///< [ngeom] radius about the geom's origin that holds it (0: plane)
  std::vector<long long> prunedKeys; ///< sorted (g1 << 32 | g2), g1 < g2, of the pruned pairs
  std::vector<int> prunedPair;       ///< [prunedKeys] index into pairs
  std::vector<FluidBody> fluid;      ///< bodies the medium acts on (empty: no medium)
  std::vector<char> actfrcLimited;   ///< [nv] total actuator force clamped (actuatorfrcrange)
  std::vector<double> actfrcLo, actfrcHi;  ///< [nv]
  // per actuator
  std::vector<int> actJoint;         ///< [nu] joint index (hinge or slide), −1: a tendon or a body
  std::vector<int> actDof, actQpos;  ///< [nu] its dof and qpos address (−1: a tendon or a body)
  std::vector<int> actTendon;        ///< [nu] tendon index, −1: a joint
  bool anyTendonActuator = false;    ///< some actTendon[a] >= 0 (set by compileModel)
  std::vector<int> actBody;          ///< [nu] body of a body transmission (adhesion), −1: none
  std::vector<int> actMomentRow;     ///< [nu] its row of State::actMoment, −1: none
  int nBodyActuators = 0;            ///< actuators with a body transmission (rows of actMoment)
  std::vector<double> actGear, ctrlLo, ctrlHi;
  std::vector<char> ctrlLimited;
  std::vector<double> actGain;       ///< [nu, 3] affine gain (force per unit of ctrl): constant, per length, per velocity
  std::vector<double> actBias;       ///< [nu, 3] affine bias: constant, per length, per velocity
  std::vector<char> forceLimited;    ///< [nu]
  std::vector<double> forceLo, forceHi;  ///< [nu]
  int na = 0;                        ///< activation states (one per actuator with dynamics)
  std::vector<int> actAdr;           ///< [nu] index into act, −1: no dynamics
  std::vector<int> actDyn;           ///< [nu] kDyn*
  std::vector<double> actTau;        ///< [nu] filter time constant
  std::vector<char> actLimited, actEarly;  ///< [nu]
  std::vector<double> actLo, actHi;  ///< [nu] actrange
  // implicit integrators (integrate.cpp)
  /// M's rows on the dof tree (MuJoCo's sparse M): row k holds M(k, j) for k's ancestors j, root
  /// first, then M(k, k); the row of an ancestor j of k is a prefix of k's, and column j sits at
  /// position treeLen[j] − 1 of every row that holds it (compileTree).
  std::vector<int> treeAdr, treeLen;  ///< [nv] start and length (depth, the dof included) of each row
  std::vector<int> treeCol;           ///< [treeSize] column of each entry
  int treeSize = 0;
  std::vector<char> dofSimple;       ///< [nv] MuJoCo's dof_simplenum > 0: M's row holds only the diagonal
  std::vector<int> freeBodyDof;      ///< first dof of each standalone free body (one free joint, nothing
                                     ///< moving or massive below it): implicitfast solves its 6×6 block apart

  double timestep() const { return spec.timestep; }
  int nbody() const { return (int)spec.bodies.size(); }
  int nsite() const { return (int)spec.sites.size(); }
  int ngeom() const { return (int)spec.geoms.size(); }
  int ntendon() const { return (int)tendons.size(); }
};

/// Thrown inside the simulator for a user-facing problem; never crosses the bridge.
struct SimError {
  int status;
  std::string message;
};

/// Parses MJCF text into a spec (mjcf.cpp). Throws SimError(SIM_ERR_PARSE or SIM_ERR_MODEL)
/// with "source:line: problem".
/// `path` is the file the text was read from ("" for a string): <include> and mesh files are
/// resolved relative to it (else to the working directory).
ModelSpec parseMJCF(const std::string& xml, const std::string& source,
                    const std::string& path = "");

/// Where a URDF import looks for `package://NAME/…` files (urdf.cpp): these directories first
/// (each holds packages as subdirectories, or is the package itself), then ROS_PACKAGE_PATH,
/// then the URDF's own directory (pybullet's rule).
struct URDFOptions {
  std::vector<std::string> packagePaths;
  std::string fileDirectory;  ///< the URDF's directory, searched last ("" for text without a file)
};

/// A URDF converted to MJCF text in MuJoCo's conventions (what mj_loadXML builds from it).
struct URDFImport {
  std::string mjcf;
  std::vector<int> lineMap;  ///< for each MJCF line (1-based index − 1), the URDF line it came from
  std::string warnings;      ///< what the URDF holds that the import ignores ("" when nothing)
};

/// True when `text` is XML whose root element is <robot> (as MuJoCo tells URDF from MJCF).
bool looksLikeURDF(const std::string& text);

/// Reads a URDF with urdfdom and writes the MJCF that MuJoCo's URDF import corresponds to.
/// Throws SimError (SIM_ERR_PARSE, SIM_ERR_MODEL, SIM_ERR_IO for an unresolvable package://)
/// with every structural problem as "source:line: problem".
URDFImport convertURDF(const std::string& text, const std::string& source, const URDFOptions& options);

/// convertURDF, then parseMJCF on the result; messages point at URDF lines.
ModelSpec parseURDF(const std::string& text, const std::string& source, const std::string& path,
                    const URDFOptions& options);

/// A triangle mesh (mesh.cpp): vertices and faces indexing them, counter-clockwise outward.
struct Mesh {
  std::vector<Vec3> vertices;
  std::vector<std::array<int, 3>> faces;
};

/// Mass properties of a solid mesh per unit density: volume, centre of volume and inertia
/// about it (mesh frame).
struct MeshMass {
  double volume = 0;
  Vec3 com = Vec3::Zero();
  Mat3 inertia = Mat3::Zero();
};

/// Reads a binary STL, OBJ or MuJoCo .msh file; returns "" or what is wrong with it.
std::string readMesh(const std::string& path, Mesh& mesh);

/// MuJoCo's mesh inertia modes (<mesh inertia=...>); convex needs a hull and is refused.
enum { kMeshInertiaLegacy = 0, kMeshInertiaExact = 1, kMeshInertiaConvex = 2, kMeshInertiaShell = 3 };

/// Volume (for a shell: area), centre and inertia of a mesh scaled per axis by `scale`, as
/// MuJoCo computes them: legacy (its default) counts every face's pyramid as positive, exact
/// keeps the sign, shell puts the mass on the surface.
MeshMass meshMass(const Mesh& mesh, const Vec3& scale, int mode);

/// Why the model's integrator cannot run on `m` (SIM_INTEGRATOR_IMPLICIT: ball or free joints,
/// a fluid medium; implicit and implicitfast: a fluid medium), or null (integrate.cpp).
const char* integratorUnsupported(const Model& m, int integrator);

/// The message for an integrator code outside 0–3 (the bridge adds the code).
constexpr const char* kUnknownIntegrator = "unknown integrator (0 = Euler, 1 = RK4, 2 = implicit, 3 = implicitfast)";

/// Compiles a spec into a Model (compile.cpp). Throws SimError(SIM_ERR_MODEL).
Model compileModel(ModelSpec spec);

/// MJCF text of a built-in robot (robots.cpp); false for an unknown name.
bool builtinModelXML(const std::string& name, std::string& xml);
const char* builtinModelNames();

}  // namespace sim
