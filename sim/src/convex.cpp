// convex.cpp — the general convex collider, for the geom pairs MuJoCo hands to its own
// (mjc_Convex): capsule–cylinder, ellipsoid–{sphere, capsule, ellipsoid, cylinder, box},
// cylinder–{cylinder, box} and convex meshes with any of those.
//
// Distance by GJK (Gilbert–Johnson–Keerthi): v, the point of the Minkowski difference A − B
// nearest the origin, is refined on a simplex of at most 4 support points
//   w = s_A(−v) − s_B(v),   stop when |v|² − v·w ≤ tol·|v|
// (|v| bounds the distance from above, v·w/|v| from below). Penetration by EPA (expanding
// polytope): from a tetrahedron of support points around the origin, the face nearest the
// origin is pushed out by the support along its normal n until it moves less than tol; then
// depth = that face's distance d, and the barycentric coordinates of d·n on the face give the
// witness points a on A and b on B. As MuJoCo's nativeccd: spheres and capsules run GJK on their
// core (a point, a segment) while the cores are apart and add the radii; only cores that touch
// send the full shapes to EPA. The contact (MuJoCo's): normal from A to B, position (a + b)/2,
// distance |a − b| apart or −depth in penetration; reported when the distance is below margin.
//
// Everything lives on the stack (the polytope has fixed capacity): no allocation, no state
// between calls, so the result depends only on the two poses (deterministic). Caps bound every
// loop; a degenerate polytope (zero-size geoms, a flat Minkowski difference) gives no contact.
#include "convex.hpp"

#include <algorithm>
#include <cmath>

namespace sim {

namespace {

// The index of a mesh vertex farthest along l (nvert > 0): from kHillClimbMin vertices with a
// hull, climbed from the seed of l's direction cell to the best neighbour until none is better
// (on a convex polytope's edge graph a local maximum is the maximum); else the first best of all.
int meshSupport(const Vec3* v, int nvert, const MeshHull* hull, const Vec3& l) {
  if (hull && nvert >= kHillClimbMin && !hull->vert.empty()) {
    const MeshHull& h = *hull;
    const double cut = 0.4 * l.norm();
    const int cell = 9 * ((l[0] > cut) - (l[0] < -cut) + 1) + 3 * ((l[1] > cut) - (l[1] < -cut) + 1) +
                     ((l[2] > cut) - (l[2] < -cut) + 1);
    int best = h.seed[cell];
    double most = l.dot(v[best]);
    for (int moved = 1, guard = 0; moved && guard < nvert; ++guard) {
      moved = 0;
      const int at = best;
      for (int e = h.edgeAdr[at]; e < h.edgeAdr[at + 1]; ++e) {
        const double x = l.dot(v[h.edge[e]]);
        if (x > most) {
          most = x;
          best = h.edge[e];
          moved = 1;
        }
      }
    }
    return best;
  }
  int best = 0;
  double most = l.dot(v[0]);
  for (int i = 1; i < nvert; ++i) {
    const double x = l.dot(v[i]);
    if (x > most) {
      most = x;
      best = i;
    }
  }
  return best;
}

// Support point in the geom frame for a local direction l; `core`: a sphere's centre, a
// capsule's segment (the radius is added by the caller).
Vec3 localSupport(const ConvexShape& s, const Vec3& l, bool core) {
  const double* size = s.size;
  switch (s.type) {
    case SIM_GEOM_SPHERE: {
      if (core) return Vec3::Zero();
      const double n = l.norm();
      return n > kMinVal ? Vec3(l * (size[0] / n)) : Vec3(size[0], 0, 0);
    }
    case SIM_GEOM_CAPSULE: {
      const double h = l[2] >= 0 ? size[1] : -size[1];
      if (core) return Vec3(0, 0, h);
      const double n = l.norm();
      Vec3 p = n > kMinVal ? Vec3(l * (size[0] / n)) : Vec3(size[0], 0, 0);
      p[2] += h;
      return p;
    }
    case SIM_GEOM_ELLIPSOID: {
      // x = S² l / |S l| maximises x·l on the ellipsoid x = S u, |u| = 1
      const Vec3 sl(l[0] * size[0], l[1] * size[1], l[2] * size[2]);
      const double n = sl.norm();
      if (!(n > kMinVal)) return Vec3(size[0], 0, 0);
      return Vec3(sl[0] * size[0] / n, sl[1] * size[1] / n, sl[2] * size[2] / n);
    }
    case SIM_GEOM_CYLINDER: {
      const double n = std::sqrt(l[0] * l[0] + l[1] * l[1]);
      const double scl = n > kMinVal ? size[0] / n : 0;
      return Vec3(scl * l[0], scl * l[1], l[2] >= 0 ? size[1] : -size[1]);
    }
    case SIM_GEOM_BOX:
      return Vec3(l[0] >= 0 ? size[0] : -size[0], l[1] >= 0 ? size[1] : -size[1],
                  l[2] >= 0 ? size[2] : -size[2]);
    default:  // mesh: the hull's support is its best vertex
      return s.nvert > 0 ? s.vert[meshSupport(s.vert, s.nvert, s.hull, l)] : Vec3::Zero();
  }
}

bool hasCore(const ConvexShape& s) { return s.type == SIM_GEOM_SPHERE || s.type == SIM_GEOM_CAPSULE; }

// A point of the Minkowski difference and the support points it came from: w = a − b.
struct Vertex {
  Vec3 w, a, b;
};

struct Pair {
  const ConvexShape& A;
  const ConvexShape& B;
  bool core;  // spheres and capsules as their cores
  Vertex support(const Vec3& d) const {
    Vertex v;
    v.a = A.pos + A.R * localSupport(A, A.R.transpose() * d, core && hasCore(A));
    v.b = B.pos + B.R * localSupport(B, B.R.transpose() * (-d), core && hasCore(B));
    v.w = v.a - v.b;
    return v;
  }
};

// ---- GJK ------------------------------------------------------------------------------------

struct Simplex {
  Vertex v[4];
  double lambda[4];  // barycentric weights of the point nearest the origin
  int n = 0;
};

void keep(Simplex& s, std::initializer_list<int> idx, std::initializer_list<double> w) {
  Vertex tmp[4];
  int k = 0;
  for (int i : idx) tmp[k++] = s.v[i];
  k = 0;
  for (double x : w) s.lambda[k++] = x;
  for (int i = 0; i < k; ++i) s.v[i] = tmp[i];
  s.n = k;
}

// segment v[i], v[j]: its nearest point to the origin, the simplex reduced to what holds it
void nearestSegment(Simplex& s, int i, int j) {
  const Vec3 &a = s.v[i].w, &b = s.v[j].w, ab = b - a;
  const double den = ab.squaredNorm();
  const double t = den > 0 ? -a.dot(ab) / den : 0;
  if (t <= 0) keep(s, {i}, {1.0});
  else if (t >= 1) keep(s, {j}, {1.0});
  else keep(s, {i, j}, {1 - t, t});
}

// triangle v[i], v[j], v[k] (Ericson, Real-Time Collision Detection §5.1.5, at p = 0)
void nearestTriangle(Simplex& s, int i, int j, int k) {
  const Vec3 &a = s.v[i].w, &b = s.v[j].w, &c = s.v[k].w;
  const Vec3 ab = b - a, ac = c - a;
  const double d1 = -ab.dot(a), d2 = -ac.dot(a);
  if (d1 <= 0 && d2 <= 0) return keep(s, {i}, {1.0});
  const double d3 = -ab.dot(b), d4 = -ac.dot(b);
  if (d3 >= 0 && d4 <= d3) return keep(s, {j}, {1.0});
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    const double t = d1 / (d1 - d3);
    return keep(s, {i, j}, {1 - t, t});
  }
  const double d5 = -ab.dot(c), d6 = -ac.dot(c);
  if (d6 >= 0 && d5 <= d6) return keep(s, {k}, {1.0});
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    const double t = d2 / (d2 - d6);
    return keep(s, {i, k}, {1 - t, t});
  }
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
    const double t = (d4 - d3) / ((d4 - d3) + (d5 - d6));
    return keep(s, {j, k}, {1 - t, t});
  }
  const double den = va + vb + vc;
  if (!(den > 0)) return nearestSegment(s, i, j);  // collinear: cannot happen past the tests above
  const double v = vb / den, w = vc / den;
  keep(s, {i, j, k}, {1 - v - w, v, w});
}

// tetrahedron: the nearest of the faces that separate the origin from the opposite vertex;
// none: the origin is inside (returns true)
bool nearestTetrahedron(Simplex& s) {
  static const int face[4][4] = {{0, 1, 2, 3}, {0, 3, 1, 2}, {0, 2, 3, 1}, {1, 3, 2, 0}};
  // a flat tetrahedron (round-off, flat shapes) holds no volume: its nearest point is on a face
  const Vec3 e1 = s.v[1].w - s.v[0].w, e2 = s.v[2].w - s.v[0].w, e3 = s.v[3].w - s.v[0].w;
  const bool flat = !(std::abs(e1.cross(e2).dot(e3)) > 1e-10 * e1.norm() * e2.norm() * e3.norm());
  Simplex best;
  double bestDist = INFINITY;
  for (const auto& f : face) {
    const Vec3 &a = s.v[f[0]].w, n = (s.v[f[1]].w - a).cross(s.v[f[2]].w - a);
    const double sideOrigin = -n.dot(a), sideOther = n.dot(s.v[f[3]].w - a);
    if (!flat && sideOrigin * sideOther >= 0) continue;  // the origin on the tetrahedron's side
    Simplex t = s;
    nearestTriangle(t, f[0], f[1], f[2]);
    Vec3 p = Vec3::Zero();
    for (int q = 0; q < t.n; ++q) p += t.lambda[q] * t.v[q].w;
    if (p.squaredNorm() < bestDist) {
      bestDist = p.squaredNorm();
      best = t;
    }
  }
  if (bestDist == INFINITY) return true;
  if (flat && bestDist <= kConvexTol * kConvexTol) return true;
  s = best;
  return false;
}

Vec3 simplexPoint(const Simplex& s) {
  Vec3 p = Vec3::Zero();
  for (int q = 0; q < s.n; ++q) p += s.lambda[q] * s.v[q].w;
  return p;
}

// GJK from the centres' difference. Returns the distance (0: the simplex holds the origin,
// within tol) or INFINITY once the lower bound passes `cutoff`; s keeps the final simplex.
double gjk(const Pair& P, double cutoff, Simplex& s, int* status) {
  Vec3 v = P.A.pos - P.B.pos;
  if (v.squaredNorm() < kMinVal) v = Vec3::UnitX();
  s.n = 1;
  s.v[0] = P.support(-v);
  s.lambda[0] = 1;
  v = s.v[0].w;
  for (int it = 0; it < kGjkMaxIter; ++it) {
    const double vv = v.squaredNorm();
    if (vv <= kConvexTol * kConvexTol) return 0;
    const Vertex w = P.support(-v);
    const double vw = v.dot(w.w);
    if (vw > 0 && vw * vw > cutoff * cutoff * vv) return INFINITY;  // distance ≥ v·w/|v| > cutoff
    if (vv - vw <= kConvexTol * std::sqrt(vv)) return std::sqrt(vv);  // converged
    s.v[s.n] = w;
    ++s.n;
    if (s.n == 2) nearestSegment(s, 0, 1);
    else if (s.n == 3) nearestTriangle(s, 0, 1, 2);
    else if (nearestTetrahedron(s)) return 0;
    const Vec3 next = simplexPoint(s);
    if (!(next.squaredNorm() < vv)) return std::sqrt(vv);  // no progress: round-off bound
    v = next;
  }
  *status = kConvexIterCap;
  return v.norm();
}

// ---- EPA ------------------------------------------------------------------------------------

constexpr int kEpaMaxVert = 4 + kEpaMaxIter;
constexpr int kEpaMaxFace = 2 * kEpaMaxVert + 8;

struct Face {
  int v[3];
  Vec3 n;    // outward unit normal
  double d;  // distance of the face's plane from the origin, n·w
};

struct Polytope {
  Vertex vert[kEpaMaxVert];
  Face face[kEpaMaxFace];
  int nvert = 0, nface = 0;
  Vec3 inside;  // a point inside (the initial tetrahedron's centroid): orients new faces

  bool addFace(int i, int j, int k) {
    if (nface == kEpaMaxFace) return false;
    Face& f = face[nface];
    const Vec3& a = vert[i].w;
    Vec3 n = (vert[j].w - a).cross(vert[k].w - a);
    const double len = n.norm();
    if (!(len > kMinVal)) return false;
    n /= len;
    f.v[0] = i;
    f.v[1] = j;
    f.v[2] = k;
    if (n.dot(inside - a) > 0) {  // face the outside
      n = -n;
      std::swap(f.v[1], f.v[2]);
    }
    f.n = n;
    f.d = n.dot(a);
    ++nface;
    return true;
  }
};

// Of the support points along six directions dir(k), k = 0..5, the one farthest by far(w) (the
// first of equals) into pick; false when none is farther than the tolerance.
template <class Dir, class Far>
bool farthestOfSix(const Pair& P, const Dir& dir, const Far& far, Vertex& pick) {
  double most = 0;
  for (int k = 0; k < 6; ++k) {
    const Vertex w = P.support(dir(k));
    const double x = far(w.w);
    if (x > most) {
      most = x;
      pick = w;
    }
  }
  return most > kConvexTol;
}

// Grow the GJK simplex (1–3 points) to a tetrahedron of support points: a point far along an
// axis, a point far off the segment, a point far off the triangle's plane.
bool tetrahedron(const Pair& P, Simplex& s) {
  Vertex pick;
  if (s.n == 1) {  // along ±x, ±y, ±z: the farthest from the point
    const auto axis = [](int k) {
      Vec3 d = Vec3::Zero();
      d[k / 2] = k % 2 ? -1 : 1;
      return d;
    };
    if (!farthestOfSix(P, axis, [&](const Vec3& w) { return (w - s.v[0].w).norm(); }, pick)) return false;
    s.v[s.n++] = pick;
  }
  if (s.n == 2) {
    const Vec3 e = (s.v[1].w - s.v[0].w).normalized();
    int axis = 0;
    for (int k = 1; k < 3; ++k)
      if (std::abs(e[k]) < std::abs(e[axis])) axis = k;
    const Vec3 d1 = e.cross(Vec3::Unit(axis)).normalized(), d2 = e.cross(d1);
    // six directions 60° apart about the segment: the farthest off its line
    const auto around = [&](int k) { return Vec3(std::cos(k * M_PI / 3) * d1 + std::sin(k * M_PI / 3) * d2); };
    const auto offLine = [&](const Vec3& w) {
      const Vec3 off = w - s.v[0].w;
      return (off - e * e.dot(off)).norm();
    };
    if (!farthestOfSix(P, around, offLine, pick)) return false;
    s.v[s.n++] = pick;
  }
  if (s.n == 3) {
    Vec3 n = (s.v[1].w - s.v[0].w).cross(s.v[2].w - s.v[0].w);
    if (!(n.norm() > kMinVal)) return false;
    n.normalize();
    const Vertex up = P.support(n), down = P.support(-n);
    const double hu = n.dot(up.w - s.v[0].w), hd = -n.dot(down.w - s.v[0].w);
    s.v[s.n++] = hu >= hd ? up : down;
    if (!(std::max(hu, hd) > kConvexTol)) return false;
  }
  const Vec3 &a = s.v[0].w;
  const double vol = (s.v[1].w - a).cross(s.v[2].w - a).dot(s.v[3].w - a);
  return std::abs(vol) > kMinVal;
}

// EPA from a tetrahedron around the origin: the depth and the nearest face (index in pt).
int epa(const Pair& P, Polytope& pt, int* status) {
  int nearest = 0;
  for (int it = 0;; ++it) {
    nearest = 0;
    for (int f = 1; f < pt.nface; ++f)
      if (pt.face[f].d < pt.face[nearest].d) nearest = f;
    if (it == kEpaMaxIter || pt.nvert == kEpaMaxVert) {
      *status = kConvexIterCap;
      return nearest;
    }
    const Face& near = pt.face[nearest];
    const Vertex w = P.support(near.n);
    if (near.n.dot(w.w) - near.d <= kConvexTol) return nearest;  // converged
    // faces the new point sees go; the horizon (their edges not shared between two of them)
    // is joined to the new point
    const int nv = pt.nvert++;
    pt.vert[nv] = w;
    int edge[3 * kEpaMaxFace][2], nedge = 0;
    bool seen[kEpaMaxFace];
    for (int f = 0; f < pt.nface; ++f)
      seen[f] = f == nearest || pt.face[f].n.dot(w.w - pt.vert[pt.face[f].v[0]].w) > kMinVal;
    for (int f = 0; f < pt.nface; ++f) {
      if (!seen[f]) continue;
      for (int e = 0; e < 3; ++e) {
        const int i = pt.face[f].v[e], j = pt.face[f].v[(e + 1) % 3];
        int match = -1;
        for (int q = 0; q < nedge; ++q)
          if (edge[q][0] == j && edge[q][1] == i) match = q;
        if (match >= 0) {  // shared by two visible faces: interior, drop it
          edge[match][0] = edge[nedge - 1][0];
          edge[match][1] = edge[nedge - 1][1];
          --nedge;
        } else {
          edge[nedge][0] = i;
          edge[nedge][1] = j;
          ++nedge;
        }
      }
    }
    int keepCount = 0;
    for (int f = 0; f < pt.nface; ++f)
      if (!seen[f]) pt.face[keepCount++] = pt.face[f];
    pt.nface = keepCount;
    for (int q = 0; q < nedge; ++q)
      if (!pt.addFace(edge[q][0], edge[q][1], nv)) {
        *status = kConvexDegenerate;
        return -1;
      }
  }
}

}  // namespace

Vec3 convexSupport(const ConvexShape& s, const Vec3& d) {
  return s.pos + s.R * localSupport(s, s.R.transpose() * d, false);
}

int convexCollide(const ConvexShape& A, const ConvexShape& B, double margin, ConvexContact* out,
                  int* status) {
  *status = kConvexOk;
  // cores apart: their distance less the radii
  const double ra = A.type == SIM_GEOM_SPHERE || A.type == SIM_GEOM_CAPSULE ? A.size[0] : 0;
  const double rb = B.type == SIM_GEOM_SPHERE || B.type == SIM_GEOM_CAPSULE ? B.size[0] : 0;
  Simplex s;
  if (ra > 0 || rb > 0) {
    const Pair core{A, B, true};
    const double dist = gjk(core, margin + ra + rb, s, status);
    if (dist == INFINITY) return 0;
    if (dist > kConvexTol) {
      Vec3 a = Vec3::Zero(), b = Vec3::Zero();
      for (int q = 0; q < s.n; ++q) {
        a += s.lambda[q] * s.v[q].a;
        b += s.lambda[q] * s.v[q].b;
      }
      const Vec3 n = (b - a) / dist;
      out->dist = dist - ra - rb;
      if (!(out->dist < margin)) return 0;
      out->normal = n;
      out->pos = (a + n * ra + b - n * rb) / 2;
      return out->pos.allFinite() && out->normal.allFinite();
    }
    *status = kConvexOk;
  }
  const Pair full{A, B, false};
  const double dist = gjk(full, margin, s, status);
  if (dist == INFINITY) return 0;
  if (dist > kConvexTol) {
    if (!(dist < margin)) return 0;
    Vec3 a = Vec3::Zero(), b = Vec3::Zero();
    for (int q = 0; q < s.n; ++q) {
      a += s.lambda[q] * s.v[q].a;
      b += s.lambda[q] * s.v[q].b;
    }
    out->dist = dist;
    out->normal = (b - a) / dist;
    out->pos = (a + b) / 2;
    return out->pos.allFinite() && out->normal.allFinite();
  }
  // penetration (or touching): EPA
  if (!tetrahedron(full, s)) {
    *status = kConvexDegenerate;
    return 0;
  }
  Polytope pt;
  pt.nvert = 4;
  pt.inside = Vec3::Zero();
  for (int q = 0; q < 4; ++q) {
    pt.vert[q] = s.v[q];
    pt.inside += s.v[q].w / 4;
  }
  if (!pt.addFace(0, 1, 2) || !pt.addFace(0, 3, 1) || !pt.addFace(0, 2, 3) || !pt.addFace(1, 3, 2)) {
    *status = kConvexDegenerate;
    return 0;
  }
  const int f = epa(full, pt, status);
  if (f < 0) return 0;
  const Face& face = pt.face[f];
  // barycentric coordinates of the origin's projection d·n on the face
  const Vertex &v0 = pt.vert[face.v[0]], &v1 = pt.vert[face.v[1]], &v2 = pt.vert[face.v[2]];
  const Vec3 e1 = v1.w - v0.w, e2 = v2.w - v0.w, p = face.n * face.d - v0.w;
  const double d11 = e1.dot(e1), d12 = e1.dot(e2), d22 = e2.dot(e2), p1 = p.dot(e1), p2 = p.dot(e2);
  const double den = d11 * d22 - d12 * d12;
  if (!(den > 0)) {
    *status = kConvexDegenerate;
    return 0;
  }
  const double l1 = (d22 * p1 - d12 * p2) / den, l2 = (d11 * p2 - d12 * p1) / den, l0 = 1 - l1 - l2;
  const Vec3 a = l0 * v0.a + l1 * v1.a + l2 * v2.a, b = l0 * v0.b + l1 * v1.b + l2 * v2.b;
  out->dist = -face.d;
  if (!(out->dist < margin)) return 0;
  out->normal = face.n;
  out->pos = (a + b) / 2;
  return out->pos.allFinite() && out->normal.allFinite() && std::isfinite(out->dist);
}

// ---- Mesh hull (load time) ------------------------------------------------------------------
//
// Quickhull: a tetrahedron of far-apart points, then repeatedly the farthest point outside a
// face; the faces it sees (signed distance > eps) go and the horizon (their edges whose twin face
// stays) is joined to it. Triangles keep their corners counter-clockwise about the outward normal, so
// a directed edge (a, b) has exactly one face and its twin (b, a) the neighbour across it.

bool buildMeshHull(const std::vector<Vec3>& p, MeshHull& h) {
  h = MeshHull();
  const int n = (int)p.size();
  if (n < 4) return false;
  // start from an extreme point (least x): it is on the hull
  int s0 = 0;
  for (int i = 1; i < n; ++i)
    if (p[i][0] < p[s0][0]) s0 = i;
  double scale = 0;
  int i1 = s0;
  for (int i = 0; i < n; ++i)
    if ((p[i] - p[s0]).norm() > scale) scale = (p[i] - p[s0]).norm(), i1 = i;
  const double eps = 1e-10 * scale;
  if (!(scale > kMinVal)) return false;
  const Vec3 e = (p[i1] - p[s0]) / scale;
  int i2 = -1, i3 = -1;
  double far = eps;
  for (int i = 0; i < n; ++i) {
    const Vec3 d = p[i] - p[s0];
    const double x = (d - e * e.dot(d)).norm();
    if (x > far) far = x, i2 = i;
  }
  if (i2 < 0) return false;
  const Vec3 pn = (p[i1] - p[s0]).cross(p[i2] - p[s0]).normalized();
  far = eps;
  for (int i = 0; i < n; ++i) {
    const double x = std::abs(pn.dot(p[i] - p[s0]));
    if (x > far) far = x, i3 = i;
  }
  if (i3 < 0) return false;
  struct Tri {
    int v[3];
    Vec3 n;
    double d;
    bool alive;
  };
  std::vector<Tri> tri;
  std::vector<std::vector<std::pair<int, int>>> out(n);  // out[a]: (b, triangle) per directed edge
  auto edgeFace = [&](int a, int b) {
    for (const auto& [c, t] : out[a])
      if (c == b) return t;
    return -1;
  };
  auto removeEdge = [&](int a, int b) {
    auto& l = out[a];
    for (size_t k = 0; k < l.size(); ++k)
      if (l[k].first == b) {
        l[k] = l.back();
        l.pop_back();
        return;
      }
  };
  auto add = [&](int a, int b, int c) {
    Tri t{{a, b, c}, (p[b] - p[a]).cross(p[c] - p[a]), 0, true};
    const double len = t.n.norm();
    t.n = len > 0 ? Vec3(t.n / len) : Vec3::Zero();
    t.d = t.n.dot(p[a]);
    for (int k = 0; k < 3; ++k) out[t.v[k]].push_back({t.v[(k + 1) % 3], (int)tri.size()});
    tri.push_back(t);
  };
  // the tetrahedron, faces turned outward
  const bool flip = pn.dot(p[i3] - p[s0]) > 0;  // i3 above (i0, i1, i2): that face looks down
  if (flip) {
    add(s0, i2, i1), add(s0, i1, i3), add(i1, i2, i3), add(i2, s0, i3);
  } else {
    add(s0, i1, i2), add(s0, i3, i1), add(i1, i3, i2), add(i2, i3, s0);
  }
  // Quickhull's conflict lists: each point outside the hull waits on one face it is outside of;
  // a face's farthest waiting point is added next, and the points of the faces it removes wait
  // on the new faces they are outside of (or are inside: dropped)
  std::vector<std::vector<int>> conflict(4);
  for (int i = 0; i < n; ++i) {
    if (i == s0 || i == i1 || i == i2 || i == i3) continue;
    for (int t = 0; t < 4; ++t)
      if (tri[t].n.dot(p[i]) - tri[t].d > eps) {
        conflict[t].push_back(i);
        break;
      }
  }
  std::vector<int> visible, stack, orphans;
  std::vector<int> seen;  // seen[t] == round: t visited this round (no clearing per round)
  int round = 0;
  std::vector<std::pair<int, int>> horizon;
  for (size_t f = 0; f < tri.size(); ++f) {
    if (!tri[f].alive || conflict[f].empty()) continue;
    int i = conflict[f][0];
    double farthest = -INFINITY;
    for (int q : conflict[f])
      if (tri[f].n.dot(p[q]) - tri[f].d > farthest) farthest = tri[f].n.dot(p[q]) - tri[f].d, i = q;
    // the visible region is connected: flood it across edges from f
    ++round;
    seen.resize(tri.size(), 0);
    visible.clear();
    stack.assign(1, (int)f);
    seen[f] = round;
    while (!stack.empty()) {
      const int t = stack.back();
      stack.pop_back();
      visible.push_back(t);
      for (int k = 0; k < 3; ++k) {
        const int u = edgeFace(tri[t].v[(k + 1) % 3], tri[t].v[k]);
        if (u >= 0 && seen[u] != round && tri[u].n.dot(p[i]) - tri[u].d > eps) {
          seen[u] = round;
          stack.push_back(u);
        }
      }
    }
    horizon.clear();
    for (int t : visible)
      for (int k = 0; k < 3; ++k) {
        const int a = tri[t].v[k], b = tri[t].v[(k + 1) % 3], u = edgeFace(b, a);
        if (u < 0 || seen[u] != round) horizon.push_back({a, b});
      }
    orphans.clear();
    for (int t : visible) {
      tri[t].alive = false;
      for (int k = 0; k < 3; ++k) removeEdge(tri[t].v[k], tri[t].v[(k + 1) % 3]);
      for (int q : conflict[t])
        if (q != i) orphans.push_back(q);
      std::vector<int>().swap(conflict[t]);
    }
    const size_t first = tri.size();
    for (const auto& [a, b] : horizon) add(a, b, i);
    conflict.resize(tri.size());
    for (int q : orphans)
      for (size_t t = first; t < tri.size(); ++t)
        if (tri[t].n.dot(p[q]) - tri[t].d > eps) {
          conflict[t].push_back(q);
          break;
        }
  }
  // vertices, edges
  std::vector<char> onHull(n, 0);
  std::vector<std::vector<int>> nbr(n);
  std::vector<int> alive;
  for (int t = 0; t < (int)tri.size(); ++t) {
    if (!tri[t].alive) continue;
    alive.push_back(t);
    for (int k = 0; k < 3; ++k) {
      const int a = tri[t].v[k], b = tri[t].v[(k + 1) % 3];
      onHull[a] = 1;
      nbr[a].push_back(b);  // each undirected edge once per direction (twin triangles)
    }
  }
  h.edgeAdr.assign(n + 1, 0);
  for (int i = 0; i < n; ++i) {
    if (onHull[i]) h.vert.push_back(i);
    std::sort(nbr[i].begin(), nbr[i].end());
    h.edgeAdr[i + 1] = h.edgeAdr[i] + (int)nbr[i].size();
    h.edge.insert(h.edge.end(), nbr[i].begin(), nbr[i].end());
  }
  // polygons: triangles joined across edges while their normal is within kPolygonAngle of the
  // first one's (MuJoCo's MakePolygons bins normals by 0.01 rad: float32 faces are flat only to
  // ~1e-7); the corners are the group's boundary, walked along its directed edges whose twin
  // triangle is outside the group: counter-clockwise about the outward normal, interior
  // vertices (a fan's centre) left out
  const double cosTol = std::cos(kPolygonAngle);
  std::vector<int> group(tri.size(), -1), members, nextCorner(n, -1), corners;
  std::vector<std::vector<int>> vertPolys(n);
  for (int t0 : alive) {
    if (group[t0] >= 0) continue;
    const int g = (int)h.polyAdr.size();
    Vec3 normal = Vec3::Zero();
    members.clear();
    stack.assign(1, t0);
    group[t0] = g;
    while (!stack.empty()) {
      const int t = stack.back();
      stack.pop_back();
      members.push_back(t);
      normal += tri[t].n;
      for (int k = 0; k < 3; ++k) {
        const int u = edgeFace(tri[t].v[(k + 1) % 3], tri[t].v[k]);
        if (u >= 0 && group[u] < 0 && tri[u].n.dot(tri[t0].n) > cosTol) {
          group[u] = g;
          stack.push_back(u);
        }
      }
    }
    normal.normalize();
    // boundary edges a → b; start at the least boundary vertex (deterministic)
    int first = -1, nboundary = 0;
    for (int t : members)
      for (int k = 0; k < 3; ++k) {
        const int a = tri[t].v[k], b = tri[t].v[(k + 1) % 3], u = edgeFace(b, a);
        if (u >= 0 && group[u] == g) continue;
        nextCorner[a] = b;
        ++nboundary;
        if (first < 0 || a < first) first = a;
      }
    corners.clear();
    for (int v = first; v >= 0 && (int)corners.size() < nboundary;) {
      corners.push_back(v);
      v = nextCorner[v];
      if (v == first) break;
    }
    h.polyAdr.push_back((int)h.polyVert.size());
    h.polyNum.push_back((int)corners.size());
    h.polyNormal.push_back(normal);
    for (int v : corners) h.polyVert.push_back(v);
    // the polygon is at each of its vertices, corners and interior ones (the contacts of an
    // interior deepest vertex are its polygon's)
    for (int t : members)
      for (int k = 0; k < 3; ++k) {
        const int v = tri[t].v[k];
        if (vertPolys[v].empty() || vertPolys[v].back() != g) vertPolys[v].push_back(g);
        nextCorner[v] = -1;
      }
  }
  // the climb's seeds (MuJoCo's mesh_extrema): per cell of the 3×3×3 direction grid, the hull
  // vertex farthest along the cell's direction (−1, 0, 1 per coordinate; the centre cell: any)
  for (int c = 0; c < 27; ++c) {
    const Vec3 d(double(c / 9 - 1), double((c / 3) % 3 - 1), double(c % 3 - 1));
    int best = h.vert[0];
    for (int v : h.vert)
      if (d.dot(p[v]) > d.dot(p[best])) best = v;
    h.seed[c] = best;
  }
  h.vertPolyAdr.assign(n + 1, 0);
  for (int i = 0; i < n; ++i) {
    h.vertPolyAdr[i + 1] = h.vertPolyAdr[i] + (int)vertPolys[i].size();
    h.vertPoly.insert(h.vertPoly.end(), vertPolys[i].begin(), vertPolys[i].end());
  }
  return true;
}

// ---- Plane–mesh -----------------------------------------------------------------------------

namespace {

// area of the quadrilateral a, b, c, d (half the norm of its diagonals' cross product, as
// MuJoCo's area4 sums it)
double area4(const Vec3& a, const Vec3& b, const Vec3& c, const Vec3& d) {
  return 0.5 * ((d - a).cross(b - d) + (c - b).cross(a - c)).norm();
}

// MuJoCo's polygonQuad: the largest-area quadrilateral of a convex polygon's corners
// x(i) = v[corner[(start + i) % n]], i in [0, n), by rotating calipers; writes the i of its
// corners into q. Any n, no copy.
void polygonQuad(const Vec3* v, const int* corner, int start, int n, int q[4]) {
  auto x = [&](int i) -> const Vec3& { return v[corner[(start + i) % n]]; };
  int a = 0, b = 1, c = 2, d = 3;
  auto next = [n](int i) { return i == n - 1 ? 0 : i + 1; };
  q[0] = a, q[1] = b, q[2] = c, q[3] = d;
  double m = area4(x(a), x(b), x(c), x(d));
  for (; a < n; ++a) {
    for (;;) {
      double mn = area4(x(a), x(b), x(c), x(next(d)));
      if (mn <= m) break;
      m = mn;
      d = next(d);
      q[0] = a, q[1] = b, q[2] = c, q[3] = d;
      while ((mn = area4(x(a), x(b), x(next(c)), x(d))) > m) {
        m = mn;
        c = next(c);
        q[0] = a, q[1] = b, q[2] = c, q[3] = d;
      }
      while ((mn = area4(x(a), x(next(b)), x(c), x(d))) > m) {
        m = mn;
        b = next(b);
        q[0] = a, q[1] = b, q[2] = c, q[3] = d;
      }
    }
    if (b == a) {
      b = next(b);
      if (c == b) {
        c = next(c);
        if (d == c) d = next(d);
      }
    }
  }
}

}  // namespace

int planeMeshContacts(const Vec3& p, const Vec3& n, const Vec3* v, int nvert, const MeshHull& h,
                      const Vec3& pos, const Mat3& R, double margin, ConvexContact out[4]) {
  if (nvert <= 0) return 0;
  // the deepest vertex: the support along −n, by hill climbing from kHillClimbMin vertices;
  // below, the first of the hull's (of all, without a hull) farthest along −n
  const Vec3 l = R.transpose() * (-n);
  int best;
  if (nvert >= kHillClimbMin && !h.vert.empty()) {
    best = meshSupport(v, nvert, &h, l);
  } else {
    const int nh = h.vert.empty() ? nvert : (int)h.vert.size();
    best = h.vert.empty() ? 0 : h.vert[0];
    double most = l.dot(v[best]);
    for (int k = 1; k < nh; ++k) {
      const int i = h.vert.empty() ? k : h.vert[k];
      const double x = l.dot(v[i]);
      if (x > most) most = x, best = i;
    }
  }
  auto touch = [&](int i, ConvexContact& c) {
    const Vec3 at = pos + R * v[i];
    c.dist = n.dot(at - p);
    c.pos = at - n * (c.dist / 2);
    c.normal = n;
  };
  touch(best, out[0]);
  if (!(out[0].dist <= margin)) return 0;
  if (h.vertPolyAdr.empty()) return 1;
  // the polygon at it that most faces the plane (its normal nearest −n)
  int poly = -1;
  double align = -INFINITY;
  for (int k = h.vertPolyAdr[best]; k < h.vertPolyAdr[best + 1]; ++k) {
    const double x = l.dot(h.polyNormal[h.vertPoly[k]]);
    if (x > align) align = x, poly = h.vertPoly[k];
  }
  if (poly < 0) return 1;
  // its corners from the deepest on (all of them: a face of any size is pruned)
  const int adr = h.polyAdr[poly], num = h.polyNum[poly];
  const int* corner = h.polyVert.data() + adr;
  int start = 0;
  for (int k = 0; k < num; ++k)
    if (corner[k] == best) start = k;
  int pick[4], npick = std::min(num, 4);
  if (num > 4) {
    int q[4];
    polygonQuad(v, corner, start, num, q);
    for (int k = 0; k < 4; ++k) pick[k] = corner[(start + q[k]) % num];
  } else {
    for (int k = 0; k < num; ++k) pick[k] = corner[(start + k) % num];
  }
  // each corner within margin and below the mesh's centre (MuJoCo's plane–box test)
  int cnt = 0;
  for (int k = 0; k < npick; ++k) {
    const double ldist = -l.dot(v[pick[k]] - h.centre);
    ConvexContact c;
    touch(pick[k], c);
    if (c.dist > margin || ldist > 0) continue;
    out[cnt++] = c;
  }
  return cnt;
}

}  // namespace sim
