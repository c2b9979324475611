// convex.hpp — the general convex collider (convex.cpp): GJK distance and EPA penetration depth
// over support functions, for the geom pairs with no analytic collision function.
#pragma once

#include "model.hpp"

namespace sim {

/// A convex geom as the collider sees it: type (SIM_GEOM_*), world pose, MuJoCo's size, and for
/// a mesh its vertices in the geom frame (their convex hull is the shape).
struct ConvexShape {
  int type = SIM_GEOM_SPHERE;
  Vec3 pos = Vec3::Zero();
  Mat3 R = Mat3::Identity();
  const double* size = nullptr;
  const Vec3* vert = nullptr;  // [nvert] mesh only
  int nvert = 0;
  const MeshHull* hull = nullptr;  // mesh only, optional: from kHillClimbMin vertices its support
                                   // climbs the hull's edges instead of testing every vertex
};

/// Meshes with at least this many vertices find their support by hill climbing on the hull
/// (MuJoCo's mjMESH_HILLCLIMB_MIN is 10; measured here: benchmarks/README.md, convex section).
constexpr int kHillClimbMin = 10;

/// Hull triangles whose normals are within this angle (rad) of a face's first triangle join its
/// polygon (MuJoCo's MakePolygons: kAngleTol = 0.01).
constexpr double kPolygonAngle = 0.01;

/// Why the collider stopped: converged, or a cap or degenerate geometry ended it (then no
/// contact is reported rather than a guess).
enum { kConvexOk = 0, kConvexIterCap = 1, kConvexDegenerate = 2 };

/// Iteration caps (GJK, EPA) and the convergence tolerance (m): MuJoCo's ccd_tolerance is 1e-6
/// with 35 iterations; ours converges 100× tighter so that the two agree to MuJoCo's tolerance.
constexpr int kGjkMaxIter = 64;
constexpr int kEpaMaxIter = 128;
constexpr double kConvexTol = 1e-10;

/// One contact between convex shapes a and b when their distance is below `margin` (penetration:
/// negative): MuJoCo's convention, normal from a to b, position midway between the witness points.
struct ConvexContact {
  double dist;
  Vec3 pos, normal;
};

/// The convex hull of a mesh's vertices (incremental, at load; allocates): its vertices, the
/// triangulated hull's edges, and its faces with triangles within kPolygonAngle merged into
/// polygons, their boundary corners counter-clockwise (as MuJoCo's mesh_polyvert). false, h empty: fewer than 4 points, or all on a plane or a line.
bool buildMeshHull(const std::vector<Vec3>& p, MeshHull& h);

/// MuJoCo 4's plane–mesh contacts (plane: origin p, unit normal n; mesh: vertices v in a frame
/// at pos, R, its hull h, possibly empty): the hull's deepest vertex below the plane, then the
/// face polygon at that vertex that most faces the plane, from that vertex on in its order
/// (pruned to its largest-area quadrilateral when it has more corners), each kept when within
/// margin and below the mesh's centre. At most 4 contacts; returns their count. No allocation.
int planeMeshContacts(const Vec3& p, const Vec3& n, const Vec3* v, int nvert, const MeshHull& h,
                      const Vec3& pos, const Mat3& R, double margin, ConvexContact out[4]);

/// Support point of s in world direction d (need not be unit): argmax over the shape of x·d.
Vec3 convexSupport(const ConvexShape& s, const Vec3& d);

/// 1 and *out when a and b are closer than margin, else 0; *status says how it ended.
/// Deterministic, allocation-free (fixed-size polytope on the stack), bounded by the caps.
int convexCollide(const ConvexShape& a, const ConvexShape& b, double margin, ConvexContact* out,
                  int* status);

}  // namespace sim
