// collision.cpp — which geoms touch: candidate pairs (compiled once), analytic narrow phase.
//
// Pairs follow MuJoCo's filters: geoms of the same (welded) body never collide, nor two geoms
// that cannot move, nor a body and its parent (<flag filterparent>), and contype/conaffinity must
// match (contype1 & conaffinity2 || contype2 & conaffinity1). A pair's contact parameters mix as
// MuJoCo's mj_contactParam: the higher priority wins; at equal priority condim and friction are
// the larger, solref/solimp the solmix-weighted mean (direct solref: the smaller), margin and gap
// summed. Explicit <contact><pair>s bypass every filter and carry their own parameters;
// <contact><exclude> removes a body pair from the filtered ones; the list is in MuJoCo's order
// (by body pair, a body pair's explicit pairs first). The narrow phase is analytic, with
// MuJoCo's conventions (normal from g1 to g2, contact point midway between the surfaces, dist < 0
// in penetration) for the pairs
//   plane–sphere, plane–capsule (2 contacts), plane–ellipsoid (its support point), plane–cylinder
//   (up to 4), plane–box (up to 4), sphere–sphere, sphere–capsule, sphere–cylinder, sphere–box,
//   capsule–capsule (closest points of the segments; parallel segments 2), capsule–box (up to 2),
//   box–box (up to 8), plane–mesh (up to 4: the hull's deepest vertex and the corners of its face
//   that most faces the plane, convex.cpp's planeMeshContacts).
// The pairs MuJoCo hands to its general convex collider — capsule–cylinder, ellipsoid–{sphere,
// capsule, ellipsoid, cylinder, box}, cylinder–{cylinder, box} and meshes (their convex hulls)
// with anything but a plane — go to convex.cpp's GJK/EPA (one contact), and with <flag multiccd>
// (MuJoCo 4's default) pairs without a sphere or ellipsoid get MuJoCo's perturbation contacts
// (up to 4 more; MuJoCo's box/mesh polygon clipping is not reproduced). With many pairs a
// sweep-and-prune broad phase over world
// AABBs skips the pairs whose boxes are apart (the same contacts as testing every pair).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "convex.hpp"
#include "state.hpp"

namespace sim {

namespace {

constexpr int kMaxPairContacts = 8;  // box–box: a face clipped by a face has at most 8 corners

// MuJoCo's general convex collider (mjc_Convex) handles the pair (types ordered): one contact.
bool convexPair(int t1, int t2) {
  if (t1 == SIM_GEOM_PLANE) return false;
  if (t2 == SIM_GEOM_MESH || t2 == SIM_GEOM_ELLIPSOID) return true;
  if (t2 == SIM_GEOM_CYLINDER) return t1 == SIM_GEOM_CAPSULE || t1 >= SIM_GEOM_ELLIPSOID;
  return t2 == SIM_GEOM_BOX && (t1 == SIM_GEOM_ELLIPSOID || t1 == SIM_GEOM_CYLINDER);
}

// MuJoCo's multiccd (below) applies: neither geom a sphere or an ellipsoid.
bool multiContact(int t1, int t2) {
  return t1 != SIM_GEOM_SPHERE && t1 != SIM_GEOM_ELLIPSOID && t2 != SIM_GEOM_SPHERE && t2 != SIM_GEOM_ELLIPSOID;
}

// Most contacts of a pair (types ordered); 0: no collision function.
int pairCapacity(int t1, int t2, bool multiccd) {
  if (t1 == SIM_GEOM_PLANE) {
    if (t2 == SIM_GEOM_SPHERE || t2 == SIM_GEOM_ELLIPSOID) return 1;
    if (t2 == SIM_GEOM_CAPSULE) return 2;
    if (t2 == SIM_GEOM_CYLINDER || t2 == SIM_GEOM_BOX || t2 == SIM_GEOM_MESH) return 4;
    return 0;
  }
  if (convexPair(t1, t2)) return multiccd && multiContact(t1, t2) ? 5 : 1;
  if (t1 == SIM_GEOM_SPHERE && (t2 == SIM_GEOM_SPHERE || t2 == SIM_GEOM_CAPSULE ||
                                t2 == SIM_GEOM_CYLINDER || t2 == SIM_GEOM_BOX))
    return 1;
  if (t1 == SIM_GEOM_CAPSULE && (t2 == SIM_GEOM_CAPSULE || t2 == SIM_GEOM_BOX)) return 2;
  if (t1 == SIM_GEOM_BOX && t2 == SIM_GEOM_BOX) return kMaxPairContacts;
  return 0;
}

const char* typeName(int t) {
  switch (t) {
    case SIM_GEOM_PLANE: return "plane";
    case SIM_GEOM_SPHERE: return "sphere";
    case SIM_GEOM_CAPSULE: return "capsule";
    case SIM_GEOM_ELLIPSOID: return "ellipsoid";
    case SIM_GEOM_CYLINDER: return "cylinder";
    case SIM_GEOM_BOX: return "box";
    default: return "mesh";
  }
}

// R v, Rᵀ v and a·b summed in MuJoCo's order (mju_mulMatVec3, mju_mulMatTVec3, mju_dot3): in
// degenerate poses (a capsule parallel to a box face) the narrow phase's branches hang on the
// sign of round-off, and then fall as MuJoCo's do.
Vec3 mulMatVec(const Mat3& R, const Vec3& v) {
  return Vec3(R(0, 0) * v[0] + R(0, 1) * v[1] + R(0, 2) * v[2], R(1, 0) * v[0] + R(1, 1) * v[1] + R(1, 2) * v[2],
              R(2, 0) * v[0] + R(2, 1) * v[1] + R(2, 2) * v[2]);
}
Vec3 mulMatTVec(const Mat3& R, const Vec3& v) {
  return Vec3(R(0, 0) * v[0] + R(1, 0) * v[1] + R(2, 0) * v[2], R(0, 1) * v[0] + R(1, 1) * v[1] + R(2, 1) * v[2],
              R(0, 2) * v[0] + R(1, 2) * v[1] + R(2, 2) * v[2]);
}
double dot3(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// A narrow-phase result before its frame is completed: normal and (optional) first tangent.
struct Touch {
  double dist;
  Vec3 pos, normal, tangent;
};

// sphere (centre c1, radius r1) – sphere (c2, r2): normal from 1 to 2 (MuJoCo's mjraw_SphereSphere)
int sphereSphere(const Vec3& c1, double r1, const Mat3& R1, const Vec3& c2, double r2,
                 const Mat3& R2, double margin, Touch* out) {
  const Vec3 dif = c2 - c1;
  const double d2 = dif.squaredNorm(), reach = margin + r1 + r2;
  if (d2 > reach * reach) return 0;
  const double len = std::sqrt(d2);
  Touch& t = out[0];
  t.dist = len - r1 - r2;
  if (len < kMinVal) {
    t.normal = R1.col(2).cross(R2.col(2));
    const double n = t.normal.norm();
    t.normal = n > kMinVal ? Vec3(t.normal / n) : Vec3::UnitX();
  } else {
    t.normal = dif / len;
  }
  t.pos = c1 + t.normal * (r1 + t.dist / 2);
  t.tangent.setZero();
  return 1;
}

// half-space (boundary through p, outward normal n) – sphere: normal n, from the half-space
int halfSpaceSphere(const Vec3& p, const Vec3& n, const Vec3& c, double r, double margin, Touch* out) {
  const double cdist = (c - p).dot(n);
  if (cdist > margin + r) return 0;
  Touch& t = out[0];
  t.dist = cdist - r;
  t.normal = n;
  t.pos = c - n * (t.dist / 2 + r);
  t.tangent.setZero();
  return 1;
}

// plane (its z axis the normal) – sphere
int planeSphere(const Pose& P, const Vec3& c, double r, double margin, Touch* out) {
  return halfSpaceSphere(P.p, P.R.col(2), c, r, margin, out);
}

int planeCapsule(const Pose& P, const Pose& C, const double* size, double margin, Touch* out) {
  const Vec3 axis = C.R.col(2), seg = size[1] * axis;
  int n = planeSphere(P, C.p + seg, size[0], margin, out);
  n += planeSphere(P, C.p - seg, size[0], margin, out + n);
  for (int k = 0; k < n; ++k) out[k].tangent = axis;  // frames aligned with the capsule
  return n;
}

// A contact with a plane of normal n at `dist` along it from the point `at` on the other geom:
// placed halfway between the surfaces, the tangent left to the contact frame.
void planeTouch(Touch& t, const Vec3& n, double dist, const Vec3& at) {
  t.dist = dist;
  t.pos = at - n * (dist / 2);
  t.normal = n;
  t.tangent.setZero();
}

// the box's corners below the plane (within margin), at most 4, in MuJoCo's corner order
int planeBox(const Pose& P, const Pose& B, const double* size, double margin, Touch* out) {
  const Vec3 n = P.R.col(2);
  const double dist = (B.p - P.p).dot(n);
  int cnt = 0;
  for (int i = 0; i < 8 && cnt < 4; ++i) {
    const Vec3 local((i & 1) ? size[0] : -size[0], (i & 2) ? size[1] : -size[1],
                     (i & 4) ? size[2] : -size[2]);
    const Vec3 corner = B.R * local;
    const double ldist = n.dot(corner);
    if (dist + ldist > margin || ldist > 0) continue;
    planeTouch(out[cnt++], n, dist + ldist, B.p + corner);
  }
  return cnt;
}

// plane – cylinder (MuJoCo's mjc_PlaneCylinder): the rim point deepest below the plane on the
// end disc nearer to it, the same rim point on the other disc, and two more points of the nearer
// disc making with the first an equilateral triangle inscribed in the rim (when they are within
// the margin). A disc parallel to the plane takes its rim point along the cylinder's x axis.
int planeCylinder(const Pose& P, const Pose& C, const double* size, double margin, Touch* out) {
  const Vec3 n = P.R.col(2);
  Vec3 axis = C.R.col(2);
  double prjaxis = dot3(n, axis);
  if (prjaxis > 0) axis = -axis, prjaxis = -prjaxis;  // the axis points towards the plane
  const double dist0 = dot3(C.p - P.p, n);
  // rim direction: −n with its axis component removed, scaled to the radius
  Vec3 rim = axis * prjaxis - n;
  const double len2 = dot3(rim, rim);
  rim = len2 >= kMinVal * kMinVal ? Vec3(rim * (size[0] / std::sqrt(len2))) : Vec3(C.R.col(0) * size[0]);
  const double prjrim = dot3(rim, n);
  axis *= size[1];
  prjaxis *= size[1];
  int cnt = 0;
  const double deepest = dist0 + prjaxis + prjrim;
  if (deepest > margin) return 0;  // the deepest point is beyond the margin
  planeTouch(out[cnt++], n, deepest, C.p + rim + axis);
  if (dist0 - prjaxis + prjrim <= margin) planeTouch(out[cnt++], n, dist0 - prjaxis + prjrim, C.p + rim - axis);
  // the triangle's other two corners on the nearer disc: at −rim/2 ± (√3/2) r sideways
  const double prjside = -prjrim / 2;
  if (dist0 + prjaxis + prjside <= margin) {
    Vec3 side = rim.cross(axis);
    side *= 1 / std::sqrt(dot3(side, side));
    side *= size[0] * std::sqrt(3.0) / 2;
    planeTouch(out[cnt++], n, dist0 + prjaxis + prjside, C.p + side + axis - rim / 2);
    planeTouch(out[cnt++], n, dist0 + prjaxis + prjside, C.p - side + axis - rim / 2);
  }
  return cnt;
}

// plane – ellipsoid (MuJoCo's convex plane test): one contact at the ellipsoid's support point
// along −normal, x = R S² d / |S d| with d = Rᵀ(−n) and S = diag(size).
int planeEllipsoid(const Pose& P, const Pose& E, const double* size, double margin, Touch* out) {
  const Vec3 n = P.R.col(2), S(size[0], size[1], size[2]);
  const Vec3 unit = (E.R.transpose() * -n).cwiseProduct(S).normalized();
  const Vec3 support = E.p + E.R * unit.cwiseProduct(S);
  const double dist = n.dot(support - P.p);
  if (dist > margin) return 0;
  planeTouch(out[0], n, dist, support);
  return 1;
}

// plane – mesh (MuJoCo 4's mjc_PlaneConvex for meshes): convex.cpp's planeMeshContacts, up to 4
int planeMesh(const Pose& P, const GeomSpec& g, const Pose& M, double margin, Touch* out) {
  ConvexContact c[4];
  const int n = planeMeshContacts(P.p, P.R.col(2), g.meshVert.data(), (int)g.meshVert.size(), g.hull, M.p,
                                  M.R, margin, c);
  for (int k = 0; k < n; ++k) out[k] = Touch{c[k].dist, c[k].pos, c[k].normal, Vec3::Zero()};
  return n;
}

// sphere – capsule: the sphere against the nearest point of the capsule's segment
int sphereCapsule(const Pose& S, double r, const Pose& C, const double* size, double margin,
                  Touch* out) {
  const Vec3 axis = C.R.col(2);
  const double x = std::min(size[1], std::max(-size[1], axis.dot(S.p - C.p)));
  return sphereSphere(S.p, r, S.R, C.p + axis * x, size[0], C.R, margin, out);
}

// sphere – cylinder (MuJoCo's mjc_SphereCylinder): a centre beside the side wall meets the axis
// point level with it (sphere – sphere), one over a cap meets the cap's plane, any other the
// nearest rim point (sphere – point); a centre inside leaves through the nearer of wall and cap.
// Normal from the sphere to the cylinder.
int sphereCylinder(const Pose& S, double r, const Pose& C, const double* size, double margin, Touch* out) {
  const Vec3 axis = C.R.col(2), rel = S.p - C.p;
  const double x = axis.dot(rel);
  const Vec3 radial = rel - axis * x;
  const double radial2 = radial.squaredNorm();
  bool side = std::abs(x) < size[1], cap = radial2 < size[0] * size[0];
  if (side && cap) {  // centre inside: the shallower way out
    if (size[1] - std::abs(x) < size[0] - std::sqrt(radial2)) side = false;
    else cap = false;
  }
  if (side) return sphereSphere(S.p, r, S.R, C.p + axis * x, size[0], C.R, margin, out);
  if (cap) {
    const Vec3 n = x > 0 ? axis : Vec3(-axis);
    const int cnt = halfSpaceSphere(C.p + n * size[1], n, S.p, r, margin, out);
    if (cnt) out[0].normal = -out[0].normal;  // from the sphere to the cylinder
    return cnt;
  }
  const Vec3 rim = C.p + axis * (x > 0 ? size[1] : -size[1]) + radial * (size[0] / std::sqrt(radial2));
  return sphereSphere(S.p, r, S.R, rim, 0.0, C.R, margin, out);
}

// sphere – box (MuJoCo's mjc_SphereBox), in the box's frame: the box point nearest the centre; a
// centre inside (within 1e-15) leaves through the nearest face (on a tie the first of −x, +x,
// −y, …). The contact point is midway between the box point and the sphere's deepest point.
// Normal from the sphere to the box.
int sphereBox(const Pose& S, double r, const Pose& B, const double* size, double margin, Touch* out) {
  const Vec3 center = mulMatTVec(B.R, S.p - B.p);
  Vec3 clamped;
  for (int k = 0; k < 3; ++k) clamped[k] = std::min(size[k], std::max(-size[k], center[k]));
  Vec3 dir = clamped - center;  // from the centre to the box
  const double d = std::sqrt(dot3(dir, dir));
  if (d - r > margin) return 0;
  Touch& t = out[0];
  Vec3 local;
  if (d <= kMinVal) {
    double closest = 2 * (size[0] + size[1] + size[2]);
    int face = 0;
    for (int i = 0; i < 6; ++i) {
      const double gap = std::abs((i % 2 ? 1 : -1) * size[i / 2] - center[i / 2]);
      if (closest > gap) closest = gap, face = i;
    }
    Vec3 nearest = Vec3::Zero();
    nearest[face / 2] = face % 2 ? -1 : 1;  // inwards through that face
    local = center + nearest * ((r - closest) / 2);
    t.normal = mulMatVec(B.R, nearest);
    t.dist = -closest - r;
  } else {
    dir *= 1 / d;
    const Vec3 deepest = center + dir * r;
    local = clamped * 0.5 + deepest * 0.5;
    t.normal = mulMatVec(B.R, dir);
    t.dist = d - r;
  }
  t.pos = mulMatVec(B.R, local) + B.p;
  t.tangent.setZero();
  return 1;
}

// capsule – capsule (MuJoCo 4's mjc_CapsuleCapsule): the segments' points A.p + x1 a1, B.p + x2 a2
// (a the half-axes, x in [−1, 1]) that minimise |A.p + x1 a1 − B.p − x2 a2|², i.e.
//   [a1·a1  −a1·a2] [x1]   [−a1·(A.p − B.p)]
//   [−a1·a2  a2·a2] [x2] = [ a2·(A.p − B.p)],
// x1 clamped first, then x2 (x1 refitted), then sphere – sphere. Segments parallel within 1e-4
// rad (det < 1e-8 (a1·a1)(a2·a2), measured on MuJoCo 4.0.1) touch along the overlap of their
// projections: one contact at each end of it, lower x1 first (an end of segment 2 inside
// segment 1's span: that end and its projection; otherwise segment 1's end and its nearest
// point on segment 2, the same point twice when the spans do not overlap, as MuJoCo).
int capsuleCapsule(const Pose& A, const double* sa, const Pose& B, const double* sb, double margin,
                   Touch* out) {
  const Vec3 a1 = A.R.col(2) * sa[1], a2 = B.R.col(2) * sb[1], dif = A.p - B.p;
  const double ma = a1.dot(a1), mb = -a1.dot(a2), mc = a2.dot(a2), u = -a1.dot(dif), v = a2.dot(dif);
  const double det = ma * mc - mb * mb;
  auto clip = [](double x) { return std::min(1.0, std::max(-1.0, x)); };
  auto touch = [&](double x1, double x2, Touch* t) {
    return sphereSphere(A.p + a1 * x1, sa[0], A.R, B.p + a2 * x2, sb[0], B.R, margin, t);
  };
  if (det >= 1e-8 * ma * mc) {
    double x1 = (mc * u - mb * v) / det, x2 = (ma * v - mb * u) / det;
    if (x1 > 1) x1 = 1, x2 = (v - mb) / mc;
    else if (x1 < -1) x1 = -1, x2 = (v + mb) / mc;
    if (x2 > 1) x2 = 1, x1 = clip((u - mb) / ma);
    else if (x2 < -1) x2 = -1, x1 = clip((u + mb) / ma);
    return touch(x1, x2, out);
  }
  // segment 2's ends (x2 = +1, −1) projected on segment 1, in x1
  double t[2] = {(u - mb) / ma, (u + mb) / ma}, e[2] = {1, -1};
  if (t[1] < t[0]) std::swap(t[0], t[1]), std::swap(e[0], e[1]);
  int n = 0;
  for (int k = 0; k < 2; ++k) {
    if (t[k] >= -1 && t[k] <= 1) n += touch(t[k], e[k], out + n);
    else n += touch(clip(t[k]), clip((v - mb * clip(t[k])) / mc), out + n);
  }
  return n;
}

// capsule – box (MuJoCo's mjc_CapsuleBox), in the box's frame. The segment point nearest the box
// is the best of (a) a segment end whose clamp onto the box moves at most one coordinate (a face
// is nearest) and (b) the closest points of the segment and each of the 12 edges; a sphere of the
// capsule's radius there meets the box (sphere – box). A second sphere goes where the segment,
// walked from the first point, last lies over the box: along the nearest edge or across a face
// (nearest point at a corner: the edge when the capsule runs within 45° of it), up to the far end
// of the edge or face the first point touches (nearest point on an edge, the capsule crossing
// it), or up to the face's side planes (an end over a face). A capsule pointing straight at or
// away from the nearest corner, or across the nearest edge in a T, gets one contact. Normal from
// the capsule to the box.
int capsuleBox(const Pose& A, const double* sa, const Pose& B, const double* sb, double margin, Touch* out) {
  const Vec3 pos = mulMatTVec(B.R, A.p - B.p), axis = mulMatTVec(B.R, A.R.col(2));
  const Vec3 half = axis * sa[1];
  int axisdir = 0;  // octant of the half-axis: bit k set when half[k] > 0
  for (int k = 0; k < 3; ++k) axisdir |= half[k] > 0 ? 1 << k : 0;
  double best = margin + 2 * (sa[0] + sa[1] + sb[0] + sb[1] + sb[2]);
  double segpos = 0, boxpos = 0;  // the nearest point's parameters on the segment and the edge
  // kind: −3 / −1 segment end −1 / +1 nearest a face; 0–8 an edge, 3·(edge end: 0 low, 1 inside,
  // 2 high) + (segment end: the same); −4 nothing
  int kind = -4, face = -1, corner = 0, edge = 0;
  for (int i = -1; i <= 1; i += 2) {
    const Vec3 end = pos + half * i;
    Vec3 clamped = end;
    int moved = 0, last = -1;
    for (int k = 0; k < 3; ++k)
      if (std::abs(end[k]) > sb[k]) clamped[k] = end[k] < 0 ? -sb[k] : sb[k], ++moved, last = k;
    if (moved > 1) continue;
    const Vec3 gap = clamped - end;
    const double d2 = dot3(gap, gap);
    if (d2 < best) best = d2, segpos = i, kind = i - 2, face = last;
  }
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 8; ++i) {
      if (i & (1 << j)) continue;
      // edge along axis j through the box point mid (coordinate j zero): mid + x1 sb[j] e_j
      Vec3 mid((i & 1) ? sb[0] : -sb[0], (i & 2) ? sb[1] : -sb[1], (i & 4) ? sb[2] : -sb[2]);
      mid[j] = 0;
      const Vec3 dif = mid - pos;
      const double ma = sb[j] * sb[j], mb = -sb[j] * half[j], mc = sa[1] * sa[1];
      const double u = -sb[j] * dif[j], v = dot3(half, dif), det = ma * mc - mb * mb;
      if (std::abs(det) < kMinVal) continue;
      double x1 = (mc * u - mb * v) / det, x2 = (ma * v - mb * u) / det;
      int e1 = 1, e2 = 1;  // 0 low end, 1 inside, 2 high end
      if (x1 > 1) x1 = 1, e1 = 2, x2 = (v - mb) / mc;
      else if (x1 < -1) x1 = -1, e1 = 0, x2 = (v + mb) / mc;
      if (x2 > 1 || x2 < -1) {
        x2 = x2 > 1 ? 1 : -1;
        e2 = x2 > 0 ? 2 : 0;
        x1 = (u + (x2 > 0 ? -mb : mb)) / ma;
        if (x1 > 1) x1 = 1, e1 = 2;
        else if (x1 < -1) x1 = -1, e1 = 0;
      }
      Vec3 gap = dif - half * x2;
      gap[j] += sb[j] * x1;
      const double d2 = dot3(gap, gap);
      if (d2 < best - kMinVal) {  // the −1e-15 keeps a face's answer when an edge only ties it
        best = d2, segpos = x2, boxpos = x1, kind = 3 * e1 + e2;
        corner = i + (1 << j) * (e1 == 2), edge = j;
      }
    }
  if (kind == -4) return 0;
  double second = -4;  // the second point's offset from the first along the segment, in half-axes
  if (kind >= 0 && kind / 3 != 1) {
    // nearest a box corner: which of its three edges the capsule runs along (c a power of 2)
    int c = axisdir ^ corner;
    if (c != 0 && c != 7) {
      double mul = 1, toEnd = 1 - segpos, toOther = 1 + segpos;
      if (c == 3 || c == 5 || c == 6) mul = -1, c = 7 - c, toEnd = 1 + segpos, toOther = 1 - segpos;
      const int ax = c == 1 ? 0 : c == 2 ? 1 : 2, ax1 = (ax + 1) % 3, ax2 = (ax + 2) % 3;
      if (axis[ax] * axis[ax] > 0.5) {  // along the edge, at most to its other end
        second = std::min(toEnd, 2 * sb[ax] / std::abs(half[ax])) * mul;
      } else {  // across the face, at most to its far sides
        second = std::min({toOther, 2 * sb[ax1] / std::abs(half[ax1]), 2 * sb[ax2] / std::abs(half[ax2])}) * -mul;
      }
    }
  } else if (kind >= 0) {
    // nearest inside an edge: the capsule crosses it (X) or meets it square (T: one contact)
    int c = (axisdir ^ corner) & (7 - (1 << edge));
    if (c == 1 || c == 2 || c == 4) {
      const int ax = edge;
      int ax1 = (edge + 1) % 3, ax2 = (edge + 2) % 3;
      if (std::abs(axis[ax1]) > std::abs(axis[ax2])) ax1 = ax2;  // ax2: the face it lies flatter on
      ax2 = 3 - ax - ax1;
      const bool up = c & (1 << ax2);
      const double mul = up ? 1 : -1;
      second = up ? 1 - segpos : 1 + segpos;
      second = std::min(second, 2 * sb[ax2] / std::abs(half[ax2]));
      const double alongEdge = ((axisdir & (1 << ax)) != 0) == up ? 1 - boxpos : 1 + boxpos;
      second = std::min(second, sb[ax] * alongEdge / std::abs(half[ax])) * mul;
    }
  } else if (face != -1) {
    // an end nearest a face (not inside the box): walk towards the other end while over the face
    const double mul = kind == -3 ? 1 : -1;
    const Vec3 end = pos - half * mul;
    second = 2;
    for (int k = 0; k < 3; ++k) {
      if (k == face) continue;
      for (double bound : {sb[k], -sb[k]}) {
        const double t = (bound - end[k]) / half[k] * mul;
        if (t > 0 && t < second) second = t;
      }
    }
    second *= mul;
  }
  const Pose sphere{A.R, mulMatVec(B.R, pos + half * segpos) + B.p};
  int n = sphereBox(sphere, sa[0], B, sb, margin, out);
  if (second > -3) {
    const Pose other{A.R, mulMatVec(B.R, pos + half * (second + segpos)) + B.p};
    n += sphereBox(other, sa[0], B, sb, margin, out + n);
  }
  return n;
}

// Clips the polygon in[0..n) (x, y in the reference face's plane, z the depth attribute) to the
// half-plane sign·v[coord] ≤ limit (one Sutherland–Hodgman pass); returns the new vertex count.
// A polygon wholly inside is returned as is.
int clipPolygon(const Vec3* in, int n, Vec3* out, int coord, double sign, double limit) {
  double d[8];
  bool inside = true;
  for (int k = 0; k < n; ++k) {
    d[k] = sign * in[k][coord] - limit;
    inside = inside && d[k] <= 0;
  }
  if (inside) {
    std::copy(in, in + n, out);
    return n;
  }
  int m = 0;
  for (int k = 0; k < n && m < 8; ++k) {
    const int k1 = k + 1 == n ? 0 : k + 1;
    if (d[k] <= 0) out[m++] = in[k];
    if (((d[k] < 0 && d[k1] > 0) || (d[k] > 0 && d[k1] < 0)) && m < 8)
      out[m++] = in[k] + d[k] / (d[k] - d[k1]) * (in[k1] - in[k]);
  }
  return m;
}

// box – box (MuJoCo 4's approach): a separating-axis test over the 3 + 3 face normals and the 9
// edge crossings (nearly parallel edges skipped; an edge axis must beat the faces by a relative
// 1e-6, and yields to a face within ~8° of it unless 5 % deeper). A face axis gives the incident
// box's face most opposed to it, clipped by the reference face's four side planes: each clipped
// corner within the margin is a contact at its depth, midway between the face plane and the
// corner. An edge axis gives one contact midway between the closest points of the two supporting
// edges (an ambiguous support corner tries both). Normal from box 1 to box 2.
int boxBox(const Pose& A, const double* s1, const Pose& B, const double* s2, double margin, Touch* out) {
  const Mat3 rot = A.R.transpose() * B.R;  // box 2's axes in box 1's frame (columns)
  const Mat3 rabs = rot.cwiseAbs();
  const Vec3 p21 = A.R.transpose() * (B.p - A.p), p12 = B.R.transpose() * (A.p - B.p);
  const double tol = margin + 1e-13 * (s1[0] + s1[1] + s1[2] + s2[0] + s2[1] + s2[2]);
  // separating axes: best (largest) separation; code 0–2 box 1's faces, 3–5 box 2's, 6 + 3i + j edges
  double best = -INFINITY;
  int code = -1;
  for (int i = 0; i < 3; ++i) {
    const double sep = std::abs(p21[i]) - s1[i] - rabs.row(i).dot(Vec3(s2[0], s2[1], s2[2]));
    if (sep > tol) return 0;
    if (sep > best) best = sep, code = i;
  }
  for (int j = 0; j < 3; ++j) {
    const double sep = std::abs(p12[j]) - s2[j] - rabs.col(j).dot(Vec3(s1[0], s1[1], s1[2]));
    if (sep > tol) return 0;
    if (sep > best) best = sep, code = 3 + j;
  }
  const double bestFace = best;
  const int codeFace = code;
  // the edge axis e_i × rot_j in box 1's frame: component i zero
  auto edgeAxis = [&](int i, int j) {
    Vec3 ax = Vec3::Zero();
    ax[(i + 1) % 3] = -rot((i + 2) % 3, j);
    ax[(i + 2) % 3] = rot((i + 1) % 3, j);
    return ax;
  };
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      Vec3 ax = edgeAxis(i, j);
      const double n2 = ax.squaredNorm();
      if (n2 < 1e-16) continue;  // parallel edges: the face axes cover them
      ax /= std::sqrt(n2);
      const Vec3 ax2 = rot.transpose() * ax;
      double r1 = 0, r2 = 0;
      for (int k = 0; k < 3; ++k) {
        if (k != i) r1 += s1[k] * std::abs(ax[k]);
        if (k != j) r2 += s2[k] * std::abs(ax2[k]);
      }
      const double sep = std::abs(ax.dot(p21)) - r1 - r2;
      if (sep > tol) return 0;
      if (sep - 1e-6 * std::abs(sep) > best && sep > bestFace) best = sep, code = 6 + 3 * i + j;
    }
  if (code >= 6) {
    const Vec3 ax = edgeAxis((code - 6) / 3, (code - 6) % 3).normalized();
    const double faceDot = codeFace < 3 ? std::abs(ax[codeFace]) : std::abs(ax.dot(rot.col(codeFace - 3)));
    if (faceDot > 0.99 && best < bestFace + 0.05 * std::abs(bestFace) + kMinVal) code = codeFace;
  }
  if (code >= 6) {
    // edge–edge: box 1's edge along e_i, box 2's along rot_j, at the corners supporting the axis
    const int i = (code - 6) / 3, j = (code - 6) % 3;
    Vec3 ax = edgeAxis(i, j).normalized();
    if (ax.dot(p21) < 0) ax = -ax;
    const Vec3 ax2 = rot.transpose() * ax, d2 = rot.col(j);
    const double b = d2[i], den = 1 - b * b;
    int amb1 = -1, amb2 = -1;  // a support component too small to choose a side: try both
    for (int k : {(i + 1) % 3, (i + 2) % 3})
      if (amb1 < 0 && std::abs(ax[k]) < 1e-9) amb1 = k;
    for (int k : {(j + 1) % 3, (j + 2) % 3})
      if (amb2 < 0 && std::abs(ax2[k]) < 1e-9) amb2 = k;
    Vec3 w1, w2;
    double bestGap = INFINITY;
    for (int v1 = 0; v1 < (amb1 >= 0 ? 2 : 1); ++v1)
      for (int v2 = 0; v2 < (amb2 >= 0 ? 2 : 1); ++v2) {
        Vec3 c1 = Vec3::Zero(), cc = Vec3::Zero();
        for (int k = 0; k < 3; ++k) {
          if (k != i) c1[k] = ax[k] >= 0 ? s1[k] : -s1[k];
          if (k != j) cc[k] = ax2[k] >= 0 ? -s2[k] : s2[k];
        }
        if (v1) c1[amb1] = -c1[amb1];
        if (v2) cc[amb2] = -cc[amb2];
        const Vec3 c2 = rot * cc + p21, e = c2 - c1;
        const double d2e = d2.dot(e);
        double s = den < kMinVal ? 0 : (e[i] - b * d2e) / den;
        s = std::min(s1[i], std::max(-s1[i], s));
        const double t = std::min(s2[j], std::max(-s2[j], b * s - d2e));
        s = std::min(s1[i], std::max(-s1[i], e[i] + b * t));
        Vec3 q1 = c1;
        q1[i] += s;
        const Vec3 q2 = c2 + t * d2;
        if ((q2 - q1).squaredNorm() < bestGap) bestGap = (q2 - q1).squaredNorm(), w1 = q1, w2 = q2;
      }
    const double dist = (w2 - w1).dot(ax);
    if (dist > tol) return 0;
    out[0].dist = dist;
    out[0].pos = A.p + A.R * (0.5 * (w1 + w2));
    out[0].normal = A.R * ax;
    out[0].tangent.setZero();
    return 1;
  }
  // face: reference box (owner of the face) and incident box, in the reference frame
  const bool ref1 = code < 3;
  const int a = ref1 ? code : code - 3;
  const double* sref = ref1 ? s1 : s2;
  const double* sinc = ref1 ? s2 : s1;
  const Pose& R = ref1 ? A : B;
  const Vec3& pinc = ref1 ? p21 : p12;
  const Mat3 rinc = ref1 ? rot : Mat3(rot.transpose());  // incident axes (columns), reference frame
  const double sgn = pinc[a] >= 0 ? 1 : -1;
  int f = 0;  // incident face: its normal most (anti)parallel to the reference normal
  for (int k = 1; k < 3; ++k)
    if (std::abs(rinc(a, k)) > std::abs(rinc(a, f))) f = k;
  const double tinc = sgn * rinc(a, f) > 0 ? -1 : 1;
  // incident face corners as (x, y) in the reference face plane, z its height above it
  const int ax = (a + 1) % 3, ay = (a + 2) % 3, fu = (f + 1) % 3, fv = (f + 2) % 3;
  Vec3 centre, du, dv;
  const int axes[3] = {ax, ay, a};
  for (int r = 0; r < 3; ++r) {
    const int c = axes[r];
    centre[r] = pinc[c] + tinc * sinc[f] * rinc(c, f);
    du[r] = sinc[fu] * rinc(c, fu);
    dv[r] = sinc[fv] * rinc(c, fv);
  }
  centre[2] = sgn * centre[2] - sref[a];
  du[2] *= sgn;
  dv[2] *= sgn;
  Vec3 poly[2][8];
  const double corner[4][2] = {{1, 1}, {-1, 1}, {-1, -1}, {1, -1}};
  for (int k = 0; k < 4; ++k) poly[0][k] = centre + corner[k][0] * du + corner[k][1] * dv;
  int n = 4, cur = 0;
  const double planes[4][3] = {{0, 1, sref[ax]}, {0, -1, sref[ax]}, {1, 1, sref[ay]}, {1, -1, sref[ay]}};
  for (const auto& pl : planes) {
    n = clipPolygon(poly[cur], n, poly[1 - cur], (int)pl[0], pl[1], pl[2]);
    cur = 1 - cur;
  }
  const double dupe = 1e-14 * (sref[ax] * sref[ax] + sref[ay] * sref[ay]);
  const Vec3 normal = (ref1 ? sgn : -sgn) * R.R.col(a);
  int cnt = 0;
  for (int k = 0; k < n; ++k) {
    const Vec3& v = poly[cur][k];
    if (v[2] > margin) continue;
    bool seen = false;
    for (int q = 0; q < cnt && !seen; ++q) {
      const Vec3 local = R.R.transpose() * (out[q].pos - R.p);
      seen = std::pow(local[ax] - v[0], 2) + std::pow(local[ay] - v[1], 2) < dupe;
    }
    if (seen || cnt == kMaxPairContacts) continue;
    Vec3 local;
    local[ax] = v[0];
    local[ay] = v[1];
    local[a] = sgn * (sref[a] + 0.5 * v[2]);
    Touch& t = out[cnt++];
    t.dist = v[2];
    t.pos = R.p + R.R * local;
    t.normal = normal;
    t.tangent.setZero();
  }
  return cnt;
}

Mat3 contactFrame(const Vec3& normal, const Vec3& tangentIn);

// MuJoCo's multiccd: a convex pair's face or edge contact is one point from the collider; the
// geoms turned by ±1e-3 rad about the two tangents at that point (g1 one way, g2 the other)
// find up to 4 more, kept where farther than 1e-3 × the smaller bounding radius from the others,
// at the first one's depth. Not for spheres and ellipsoids (one point is the whole contact).
constexpr double kMultiAngle = 1e-3, kMultiRelTol = 1e-3;

// MuJoCo's geom_rbound: the radius of the sphere about the geom's origin that holds it
double boundingRadius(const GeomSpec& g) {
  const double* s = g.size;
  switch (g.type) {
    case SIM_GEOM_SPHERE: return s[0];
    case SIM_GEOM_CAPSULE: return s[0] + s[1];
    case SIM_GEOM_ELLIPSOID: return std::max({s[0], s[1], s[2]});
    case SIM_GEOM_CYLINDER: return std::sqrt(s[0] * s[0] + s[1] * s[1]);
    case SIM_GEOM_BOX: return std::sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
    default: {
      double r = 0;
      for (const Vec3& v : g.meshVert) r = std::max(r, v.norm());
      return r;
    }
  }
}

int convexTouch(const GeomSpec& g1, const Pose& P1, const GeomSpec& g2, const Pose& P2, double margin,
                bool multiccd, double rbound1, double rbound2, Touch* out) {
  ConvexShape a{g1.type, P1.p, P1.R, g1.size, g1.meshVert.data(), (int)g1.meshVert.size(), &g1.hull};
  ConvexShape b{g2.type, P2.p, P2.R, g2.size, g2.meshVert.data(), (int)g2.meshVert.size(), &g2.hull};
  ConvexContact c;
  int status;
  if (!convexCollide(a, b, margin, &c, &status)) return 0;
  out[0] = Touch{c.dist, c.pos, c.normal, Vec3::Zero()};
  if (!multiccd || !multiContact(g1.type, g2.type)) return 1;
  const Mat3 F = contactFrame(c.normal, Vec3::Zero());
  const double tol = kMultiRelTol * std::min(rbound1, rbound2);
  int n = 1;
  for (int axis = 1; axis < 3; ++axis)
    for (double angle : {-kMultiAngle, kMultiAngle}) {
      // g1 turned by Q about the first contact point, g2 by Qᵀ
      const Mat3 Q = Eigen::AngleAxisd(angle, Vec3(F.row(axis))).toRotationMatrix();
      const Vec3& o = out[0].pos;
      a.R = Q * P1.R;
      a.pos = o + Q * (P1.p - o);
      b.R = Q.transpose() * P2.R;
      b.pos = o + Q.transpose() * (P2.p - o);
      ConvexContact extra;
      if (!convexCollide(a, b, margin, &extra, &status)) continue;
      bool distinct = true;
      for (int k = 0; k < n; ++k) distinct = distinct && (out[k].pos - extra.pos).norm() > tol;
      if (distinct) out[n++] = Touch{c.dist, extra.pos, extra.normal, Vec3::Zero()};
    }
  return n;
}

int narrowPhase(const GeomSpec& g1, const Pose& P1, const GeomSpec& g2, const Pose& P2, double margin,
                bool multiccd, double rbound1, double rbound2, Touch* out) {
  const int t1 = g1.type, t2 = g2.type;
  const double *s1 = g1.size, *s2 = g2.size;
  // bounding spheres apart by more than the margin: no contact (MuJoCo's mj_collideGeoms test)
  if (rbound1 > 0 && rbound2 > 0) {
    const double reach = rbound1 + rbound2 + margin;
    if ((P1.p - P2.p).squaredNorm() > reach * reach) return 0;
  }
  // a plane (rbound 0): the other geom's bounding sphere above it by more than the margin
  // (MuJoCo's mj_filterSphere, planeGeomDist)
  if (t1 == SIM_GEOM_PLANE && rbound2 > 0 && P1.R.col(2).dot(P2.p - P1.p) > margin + rbound2) return 0;
  if (t2 == SIM_GEOM_PLANE && rbound1 > 0 && P2.R.col(2).dot(P1.p - P2.p) > margin + rbound1) return 0;
  if (convexPair(t1, t2)) return convexTouch(g1, P1, g2, P2, margin, multiccd, rbound1, rbound2, out);
  if (t1 == SIM_GEOM_PLANE) {
    if (t2 == SIM_GEOM_SPHERE) return planeSphere(P1, P2.p, s2[0], margin, out);
    if (t2 == SIM_GEOM_CAPSULE) return planeCapsule(P1, P2, s2, margin, out);
    if (t2 == SIM_GEOM_BOX) return planeBox(P1, P2, s2, margin, out);
    if (t2 == SIM_GEOM_CYLINDER) return planeCylinder(P1, P2, s2, margin, out);
    if (t2 == SIM_GEOM_ELLIPSOID) return planeEllipsoid(P1, P2, s2, margin, out);
    if (t2 == SIM_GEOM_MESH) return planeMesh(P1, g2, P2, margin, out);
  } else if (t1 == SIM_GEOM_SPHERE) {
    if (t2 == SIM_GEOM_SPHERE) return sphereSphere(P1.p, s1[0], P1.R, P2.p, s2[0], P2.R, margin, out);
    if (t2 == SIM_GEOM_CAPSULE) return sphereCapsule(P1, s1[0], P2, s2, margin, out);
    if (t2 == SIM_GEOM_BOX) return sphereBox(P1, s1[0], P2, s2, margin, out);
    if (t2 == SIM_GEOM_CYLINDER) return sphereCylinder(P1, s1[0], P2, s2, margin, out);
  } else if (t1 == SIM_GEOM_CAPSULE && t2 == SIM_GEOM_CAPSULE) {
    return capsuleCapsule(P1, s1, P2, s2, margin, out);
  } else if (t1 == SIM_GEOM_CAPSULE && t2 == SIM_GEOM_BOX) {
    return capsuleBox(P1, s1, P2, s2, margin, out);
  } else if (t1 == SIM_GEOM_BOX && t2 == SIM_GEOM_BOX) {
    return boxBox(P1, s1, P2, s2, margin, out);
  }
  return 0;
}

// MuJoCo's mju_makeFrame: rows normal, tangent (given, or y unless the normal is close to it,
// then z; made orthogonal), and their cross product.
Mat3 contactFrame(const Vec3& normal, const Vec3& tangentIn) {
  const Vec3 n = normal.normalized();
  Vec3 t = tangentIn;
  if (t.squaredNorm() < 0.25) t = (n[1] < 0.5 && n[1] > -0.5) ? Vec3::UnitY() : Vec3::UnitZ();
  t = (t - n * n.dot(t)).normalized();
  Mat3 F;
  F.row(0) = n;
  F.row(1) = t;
  F.row(2) = n.cross(t);
  return F;
}

// A contact's five friction coefficients, at least MuJoCo's mjMINMU = 1e-5 each (mj_assignFriction):
// a frictionless geom still gives its pyramid edges and cone a finite regulariser.
void assignFriction(const double five[5], CollisionPair& p) {
  for (int k = 0; k < 5; ++k) p.friction[k] = std::max(1e-5, five[k]);
}

// The pair's contact parameters, mixed as MuJoCo's mj_contactParam.
void mixParams(const ContactParams& a, const ContactParams& b, CollisionPair& p) {
  const ContactParams* win = a.priority > b.priority ? &a : a.priority < b.priority ? &b : nullptr;
  double f[3];  // sliding, torsional, rolling
  if (win) {
    p.condim = win->condim;
    std::copy(win->friction, win->friction + 3, f);
    std::copy(win->solref, win->solref + 2, p.solref);
    std::copy(win->solimp, win->solimp + 5, p.solimp);
  } else {
    p.condim = std::max(a.condim, b.condim);
    double mix;
    if (a.solmix >= kMinVal && b.solmix >= kMinVal) mix = a.solmix / (a.solmix + b.solmix);
    else if (a.solmix < kMinVal && b.solmix < kMinVal) mix = 0.5;
    else mix = a.solmix < kMinVal ? 0.0 : 1.0;
    for (int k = 0; k < 2; ++k)
      p.solref[k] = (a.solref[0] > 0 && b.solref[0] > 0) ? mix * a.solref[k] + (1 - mix) * b.solref[k]
                                                          : std::min(a.solref[k], b.solref[k]);
    for (int k = 0; k < 5; ++k) p.solimp[k] = mix * a.solimp[k] + (1 - mix) * b.solimp[k];
    for (int k = 0; k < 3; ++k) f[k] = std::max(a.friction[k], b.friction[k]);
  }
  const double five[5] = {f[0], f[0], f[1], f[2], f[2]};  // per tangent, as an explicit <pair> gives them
  assignFriction(five, p);
  p.margin = a.margin + b.margin;
  p.gap = a.gap + b.gap;
}

// Filtered pairs from which the broad phase is worth its cost (measured: see benchmarks/README.md).
constexpr int kSweepMinPairs = 32;

// The broad phase's tables: which pairs it may prune (filtered, no plane) and their lookup keys.
void compileBroadPhase(Model& m) {
  const ModelSpec& spec = m.spec;
  m.geomInflate.assign(m.ngeom(), 0.0);
  m.geomRbound.assign(m.ngeom(), 0.0);
  for (int g = 0; g < m.ngeom(); ++g)
    if (spec.geoms[g].type != SIM_GEOM_PLANE) m.geomRbound[g] = boundingRadius(spec.geoms[g]);
  for (int g = 0; g < m.ngeom(); ++g) m.geomInflate[g] = spec.geoms[g].contact.margin + spec.geoms[g].contact.gap;
  m.sweepGeoms.clear();
  m.prunedKeys.clear();
  m.prunedPair.clear();
  std::vector<std::pair<long long, int>> keyed;
  std::vector<char> inSweep(m.ngeom(), 0);
  for (int p = 0; p < (int)m.pairs.size(); ++p) {
    const CollisionPair& c = m.pairs[p];
    if (c.explicitPair >= 0 || spec.geoms[c.g1].type == SIM_GEOM_PLANE) continue;
    const auto [a, b] = std::minmax(c.g1, c.g2);
    keyed.push_back({((long long)a << 32) | b, p});
    inSweep[a] = inSweep[b] = 1;
  }
  m.sweepAndPrune = (int)keyed.size() >= kSweepMinPairs;
  if (!m.sweepAndPrune) return;
  std::sort(keyed.begin(), keyed.end());
  for (const auto& [key, p] : keyed) {
    m.prunedKeys.push_back(key);
    m.prunedPair.push_back(p);
  }
  for (int g = 0; g < m.ngeom(); ++g)
    if (inSweep[g]) m.sweepGeoms.push_back(g);
}

// World AABB of geom g (its pose current), grown by its margin + gap: the half extents of a box
// are |R| size, of a capsule |axis| half-length + radius.
void geomAABB(const Model& m, State& s, int g) {
  const GeomSpec& gs = m.spec.geoms[g];
  const Pose& P = s.geomPose[g];
  Vec3 half;
  if (gs.type == SIM_GEOM_SPHERE) half.setConstant(gs.size[0]);
  else if (gs.type == SIM_GEOM_CAPSULE) half = P.R.col(2).cwiseAbs() * gs.size[1] + Vec3::Constant(gs.size[0]);
  else if (gs.type == SIM_GEOM_CYLINDER)
    half = P.R.cwiseAbs() * Vec3(gs.size[0], gs.size[0], gs.size[1]);
  else half = P.R.cwiseAbs() * Vec3(gs.size[0], gs.size[1], gs.size[2]);
  half.array() += m.geomInflate[g];
  double* box = &s.geomAABB[6 * (size_t)g];
  for (int k = 0; k < 3; ++k) {
    box[k] = P.p[k] - half[k];
    box[3 + k] = P.p[k] + half[k];
  }
}

// Sweep and prune: geoms sorted by AABB min x (insertion sort: the order of the last step is
// nearly right), each against those after it that start before it ends; a pair whose boxes
// overlap on y and z too is tested. Pairs with boxes apart cannot touch within their margin,
// so the contacts are those of testing every pair.
void broadPhase(const Model& m, State& s) {
  for (int g : m.sweepGeoms) geomAABB(m, s, g);
  const int n = (int)s.sweepOrder.size();
  const double* box = s.geomAABB.data();
  for (int i = 1; i < n; ++i) {
    const int g = s.sweepOrder[i];
    int j = i - 1;
    for (; j >= 0 && box[6 * s.sweepOrder[j]] > box[6 * g]; --j) s.sweepOrder[j + 1] = s.sweepOrder[j];
    s.sweepOrder[j + 1] = g;
  }
  for (int p : m.prunedPair) s.pairTested[p] = 0;  // the others stay 1 (makeState)
  for (int i = 0; i < n; ++i) {
    const int a = s.sweepOrder[i];
    const double* A = box + 6 * a;
    for (int j = i + 1; j < n; ++j) {
      const int b = s.sweepOrder[j];
      const double* B = box + 6 * b;
      if (B[0] > A[3]) break;
      if (B[1] > A[4] || A[1] > B[4] || B[2] > A[5] || A[2] > B[5]) continue;
      const long long key = ((long long)std::min(a, b) << 32) | std::max(a, b);
      const auto it = std::lower_bound(m.prunedKeys.begin(), m.prunedKeys.end(), key);
      if (it != m.prunedKeys.end() && *it == key) s.pairTested[m.prunedPair[it - m.prunedKeys.begin()]] = 1;
    }
  }
}

}  // namespace

void compileCollision(Model& m, std::string& unsupported) {
  const ModelSpec& spec = m.spec;
  const int ng = m.ngeom(), nb = m.nbody();
  m.geomLink.assign(ng, -1);
  m.X_link_geom.assign(ng, Pose{});
  for (int g = 0; g < ng; ++g) {
    const GeomSpec& gs = spec.geoms[g];
    const Pose& B = m.X_link_body[gs.body];
    const double wxyz[4] = {gs.quat.w(), gs.quat.x(), gs.quat.y(), gs.quat.z()};
    const Mat3 R = quatMatrix(qposQuat(wxyz));  // MuJoCo's geom_xmat, to the last bit
    m.geomLink[g] = m.bodyLink[gs.body];
    m.X_link_geom[g] = Pose{B.R * R, B.p + B.R * gs.pos};
  }
  // weld bodies (MuJoCo's body_weldid): the nearest body at or above with a joint, 0 = world
  std::vector<int> weld(nb, 0);
  std::vector<char> hasJoint(nb, 0);
  for (const JointSpec& j : spec.joints) hasJoint[j.body] = 1;
  for (int b = 1; b < nb; ++b) weld[b] = hasJoint[b] ? b : weld[spec.bodies[b].parent];
  auto weldParent = [&](int b) { return weld[b] == 0 ? 0 : weld[spec.bodies[weld[b]].parent]; };
  // candidate pairs: explicit <pair>s, then those the filters let through, merged in MuJoCo's
  // order (by body pair, bodies' ids ascending; a body pair's explicit pairs first)
  m.pairs.clear();
  m.maxContacts = 0;
  std::map<std::string, int> missing;
  std::set<std::pair<int, int>> excluded, explicitGeoms;
  for (const ExcludeSpec& x : spec.excludes) excluded.insert(std::minmax(x.body1, x.body2));
  for (const PairSpec& x : spec.pairs) explicitGeoms.insert(std::minmax(x.geom1, x.geom2));
  struct Candidate {
    long long signature;
    int kind;  // 0 explicit, 1 filtered
    CollisionPair pair;
  };
  std::vector<Candidate> candidates;
  auto add = [&](int g1, int g2, int kind, CollisionPair p) {
    const GeomSpec &a = spec.geoms[g1], &b = spec.geoms[g2];
    p.g1 = a.type <= b.type ? g1 : g2;
    p.g2 = a.type <= b.type ? g2 : g1;
    const int t1 = spec.geoms[p.g1].type, t2 = spec.geoms[p.g2].type;
    p.maxContacts = pairCapacity(t1, t2, spec.solver.multiccd);
    if (p.maxContacts == 0) {
      ++missing[std::string(typeName(t1)) + "–" + typeName(t2)];
      return;
    }
    const auto [b1, b2] = std::minmax(a.body, b.body);
    candidates.push_back(Candidate{((long long)b1 << 32) + b2, kind, p});
  };
  if (spec.solver.contact) {
    for (int i = 0; i < (int)spec.pairs.size(); ++i) {
      const PairSpec& x = spec.pairs[i];
      CollisionPair p;
      p.explicitPair = i;
      p.condim = x.condim;
      assignFriction(x.friction, p);
      std::copy(x.solref, x.solref + 2, p.solref);
      std::copy(x.solimp, x.solimp + 5, p.solimp);
      p.margin = x.margin;
      p.gap = x.gap;
      add(x.geom1, x.geom2, 0, p);
    }
    for (int g1 = 0; g1 < ng; ++g1)
      for (int g2 = g1 + 1; g2 < ng; ++g2) {
        const GeomSpec &a = spec.geoms[g1], &b = spec.geoms[g2];
        const int w1 = weld[a.body], w2 = weld[b.body];
        if (w1 == w2) continue;                 // same rigid body (or both static)
        if (spec.solver.filterparent && w1 != 0 && w2 != 0 &&
            (w1 == weldParent(b.body) || w2 == weldParent(a.body)))
          continue;
        if (!((a.contact.contype & b.contact.conaffinity) || (b.contact.contype & a.contact.conaffinity)))
          continue;
        if (excluded.count(std::minmax(a.body, b.body)) || explicitGeoms.count({g1, g2})) continue;
        CollisionPair p;
        mixParams(a.contact, b.contact, p);
        add(g1, g2, 1, p);
      }
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
    return x.signature != y.signature ? x.signature < y.signature : x.kind < y.kind;
  });
  for (const Candidate& c : candidates) {
    m.maxContacts += c.pair.maxContacts;
    m.pairs.push_back(c.pair);
  }
  compileBroadPhase(m);
  std::ostringstream os;
  for (const auto& [what, count] : missing) os << (os.tellp() > 0 ? "; " : "") << what << " ×" << count;
  unsupported = os.str();
  // translational inverse weight of each body at its centre of mass, qpos0 (body_invweight0)
  m.bodyInvweight0.assign(nb, 0.0);
  m.bodyInvweight0Rot.assign(nb, 0.0);
  if (m.nv > 0) {
    State s;
    makeState(m, s);
    kinematics(m, s);
    Eigen::MatrixXd M(m.nv, m.nv);
    crba(m, s, M.data());
    const Eigen::LLT<Eigen::MatrixXd> llt(M);
    std::vector<double> jac(3 * m.nv);
    std::vector<double> jacr(3 * m.nv);
    for (int b = 1; b < nb; ++b) {
      if (m.bodyLink[b] < 0) continue;
      // rotational weight (weld rows); a body that cannot turn takes the translational one
      std::fill(jacr.begin(), jacr.end(), 0.0);
      rotationJacobian(m, s, m.bodyLink[b], 1.0, jacr.data());
      const Eigen::Map<const Eigen::Matrix<double, 3, Eigen::Dynamic, Eigen::RowMajor>> Jr(jacr.data(), 3, m.nv);
      m.bodyInvweight0Rot[b] = (Jr * llt.solve(Eigen::MatrixXd(Jr.transpose()))).trace() / 3;
      if (m.bodySimpleSlider[b]) {
        m.bodyInvweight0[b] = 1 / spec.bodies[b].mass;
        continue;
      }
      const Pose W = bodyPose(m, s, b);
      // at the centre of mass; MuJoCo puts a massless body's inertial frame at its own `pos`
      // read in the body frame (body_ipos = body_pos), so its weight is taken there
      const BodySpec& bs = spec.bodies[b];
      const Vec3 at = bs.mass > 0 ? bs.com : bs.pos;
      pointJacobian(m, s, m.bodyLink[b], W.p + W.R * at, 1.0, jac.data());
      const Eigen::Map<const Eigen::Matrix<double, 3, Eigen::Dynamic, Eigen::RowMajor>> J(jac.data(), 3, m.nv);
      const Eigen::MatrixXd A = J * llt.solve(Eigen::MatrixXd(J.transpose()));
      m.bodyInvweight0[b] = A.trace() / 3;
      std::fill(jac.begin(), jac.end(), 0.0);
    }
    for (int b = 1; b < nb; ++b)
      if (!(m.bodyInvweight0Rot[b] > 1e-15)) m.bodyInvweight0Rot[b] = m.bodyInvweight0[b];
  }
}

void collide(const Model& m, State& s) {
  const int ng = m.ngeom();
  for (int g = 0; g < ng; ++g) {
    const int l = m.geomLink[g];
    const Pose& X = m.X_link_geom[g];
    if (l < 0) {
      s.geomPose[g] = X;
    } else {
      const Pose& W = s.X_world_link[l];
      s.geomPose[g] = Pose{W.R * X.R, W.p + W.R * X.p};
    }
  }
  s.ncon = s.ngap = 0;
  const bool keepGap = m.nBodyActuators > 0;
  if (m.sweepAndPrune) broadPhase(m, s);
  Touch touch[kMaxPairContacts];
  for (int p = 0; p < (int)m.pairs.size(); ++p) {
    if (m.sweepAndPrune && !s.pairTested[p]) continue;
    const CollisionPair& pair = m.pairs[p];
    const GeomSpec &a = m.spec.geoms[pair.g1], &b = m.spec.geoms[pair.g2];
    const int n = narrowPhase(a, s.geomPose[pair.g1], b, s.geomPose[pair.g2], pair.margin + pair.gap,
                              m.spec.solver.multiccd, m.geomRbound[pair.g1], m.geomRbound[pair.g2], touch);
    for (int k = 0; k < n; ++k) {
      // MuJoCo 4: found within margin + gap, active within margin (in the gap: excluded, and
      // kept apart only for the body transmissions, which count them)
      const bool inGap = touch[k].dist >= pair.margin;
      if (inGap && !keepGap) continue;
      Contact& c = inGap ? s.gapContacts[s.ngap++] : s.contacts[s.ncon++];
      c.pair = p;
      c.dist = touch[k].dist;
      c.pos = touch[k].pos;
      c.frame = contactFrame(touch[k].normal, touch[k].tangent);
    }
  }
}

}  // namespace sim
