// convex_test.cpp — the general convex collider (convex.cpp) against closed forms, an independent
// oracle, MuJoCo 4's contacts (convex_cases.hpp, written by benchmarks/convex_cases_from_mujoco.py)
// and degenerate input; and the model-level wiring (pairs no longer "not computed", multiccd).
// Plane–mesh (planeMeshContacts): a mesh cube resting flat (closed form: its 4 bottom corners at
// the penetration depth), the hull of a cube and of duplicated points, MuJoCo 4's contacts at
// seeded poses (plane_mesh_cases.hpp: count, and in MuJoCo's order dist, pos and normal) and a
// mesh on a floor in a model.
//
// Oracle: for convex A, B the signed distance (negative: depth) is −min over unit m of
// h(m) = h_A(m) + h_B(−m), the support function of A − B. Every m bounds it; our contact must
// meet the bound at its own normal (h(normal) = −dist: the normal certifies the distance), and
// no direction of an independent 4,000-point search refined locally may do better.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>
#include <algorithm>

#include "../src/convex.hpp"
#include "../src/state.hpp"
#include "check.hpp"
#include "convex_cases.hpp"
#include "plane_mesh_cases.hpp"

using sim::ConvexContact;
using sim::ConvexShape;
using sim::Mat3;
using sim::Vec3;

static ConvexShape shape(int type, const double* size, const Vec3& pos, const Mat3& R) {
  ConvexShape s;
  s.type = type;
  s.size = size;
  s.pos = pos;
  s.R = R;
  return s;
}

static Mat3 turn(double a, double b, double c) {
  return (Eigen::AngleAxisd(a, Vec3::UnitZ()) * Eigen::AngleAxisd(b, Vec3::UnitY()) *
          Eigen::AngleAxisd(c, Vec3::UnitX()))
      .toRotationMatrix();
}

// −min_m h_A(m) + h_B(−m): the oracle's signed distance
static double oracleDistance(const ConvexShape& A, const ConvexShape& B) {
  auto h = [&](const Vec3& m) { return m.dot(sim::convexSupport(A, m)) - m.dot(sim::convexSupport(B, -m)); };
  const int n = 4000;
  Vec3 best = Vec3::UnitX();
  double low = INFINITY;
  for (int i = 0; i < n; ++i) {  // Fibonacci sphere
    const double z = 1 - 2 * (i + 0.5) / n, r = std::sqrt(1 - z * z), phi = i * 2.399963229728653;
    const Vec3 m(r * std::cos(phi), r * std::sin(phi), z);
    const double x = h(m);
    if (x < low) {
      low = x;
      best = m;
    }
  }
  for (double step = 0.05; step > 1e-9; step *= 0.7) {  // local refinement
    bool moved = true;
    while (moved) {
      moved = false;
      const Vec3 u = best.unitOrthogonal(), v = best.cross(u);
      for (const Vec3& d : {u, Vec3(-u), v, Vec3(-v)}) {
        const Vec3 m = (best + step * d).normalized();
        const double x = h(m);
        if (x < low) {
          low = x;
          best = m;
          moved = true;
        }
      }
    }
  }
  return -low;
}

// Parses and compiles `xml` (its parse error printed under `name`), then runs kinematics and
// collision at the reference pose.
static void collideAtQpos0(const std::string& xml, const char* name, sim::Model& model, sim::State& state) {
  sim::ModelSpec spec;
  try {
    spec = sim::parseMJCF(xml, name);
  } catch (const sim::SimError& e) {
    std::printf("%s: %s\n", name, e.message.c_str());
    throw;
  }
  model = sim::compileModel(spec);
  sim::makeState(model, state);
  sim::kinematics(model, state);
  sim::collide(model, state);
}

int main() {
  int status = 0;
  ConvexContact c;
  // closed forms
  {
    // an ellipsoid with equal axes is a sphere: sphere–sphere's distance, normal and midpoint
    const double e[3] = {0.1, 0.1, 0.1}, s[3] = {0.05, 0, 0};
    for (double gap : {-0.03, 0.0, 0.01}) {
      const Vec3 dir = Vec3(1, 2, -0.5).normalized(), at = dir * (0.15 + gap);
      const int n = sim::convexCollide(shape(SIM_GEOM_SPHERE, s, Vec3::Zero(), turn(0.3, 0.2, 0.1)),
                                       shape(SIM_GEOM_ELLIPSOID, e, at, turn(1, 2, 3)), 0.02, &c, &status);
      CHECK(n == 1 && std::abs(c.dist - gap) < 1e-9 && (c.normal - dir).norm() < 1e-6 &&
                (c.pos - dir * (0.05 + gap / 2)).norm() < 1e-6,
            "sphere–ellipsoid(sphere) gap %g: n %d dist %.12g", gap, n, c.dist);
    }
    // coaxial cylinders stacked: depth along the axis; an ellipsoid on a box face; a capsule
    // standing on a cylinder's cap
    const double cyl[3] = {0.1, 0.15, 0}, box[3] = {0.3, 0.2, 0.1}, ell[3] = {0.1, 0.15, 0.2},
                 cap[3] = {0.05, 0.2, 0};
    const Mat3 I = Mat3::Identity();
    struct Known {
      const char* what;
      ConvexShape a, b;
      double dist;
      Vec3 normal;
    } known[] = {
        {"cylinder on cylinder", shape(SIM_GEOM_CYLINDER, cyl, Vec3::Zero(), I),
         shape(SIM_GEOM_CYLINDER, cyl, Vec3(0.02, 0.01, 0.29), I), -0.01, Vec3::UnitZ()},
        {"ellipsoid on box", shape(SIM_GEOM_ELLIPSOID, ell, Vec3(0.05, 0.02, 0.29), I),
         shape(SIM_GEOM_BOX, box, Vec3::Zero(), I), -0.01, -Vec3::UnitZ()},
        {"capsule on cylinder", shape(SIM_GEOM_CAPSULE, cap, Vec3(0.03, 0, 0.4 - 0.004), I),
         shape(SIM_GEOM_CYLINDER, cyl, Vec3::Zero(), I), -0.004, -Vec3::UnitZ()},
        {"cylinder beside box (apart)", shape(SIM_GEOM_CYLINDER, cyl, Vec3(0.415, 0, 0), I),
         shape(SIM_GEOM_BOX, box, Vec3::Zero(), I), 0.015, -Vec3::UnitX()},
    };
    for (const Known& k : known) {
      const int n = sim::convexCollide(k.a, k.b, 0.02, &c, &status);
      CHECK(n == 1 && std::abs(c.dist - k.dist) < 1e-9 && (c.normal - k.normal).norm() < 1e-6,
            "%s: n %d dist %.12g normal %g %g %g", k.what, n, c.dist, c.normal[0], c.normal[1], c.normal[2]);
    }
  }
  // the oracle at turned poses, apart and in penetration
  {
    const double ell[3] = {0.1, 0.15, 0.2}, ell2[3] = {0.12, 0.08, 0.1}, cyl[3] = {0.1, 0.15, 0},
                 box[3] = {0.2, 0.15, 0.1}, cap[3] = {0.05, 0.2, 0};
    const int types[][2] = {{SIM_GEOM_ELLIPSOID, SIM_GEOM_ELLIPSOID}, {SIM_GEOM_ELLIPSOID, SIM_GEOM_CYLINDER},
                            {SIM_GEOM_CYLINDER, SIM_GEOM_BOX}, {SIM_GEOM_CAPSULE, SIM_GEOM_CYLINDER},
                            {SIM_GEOM_ELLIPSOID, SIM_GEOM_BOX}};
    auto sizeOf = [&](int t, int which) -> const double* {
      return t == SIM_GEOM_ELLIPSOID ? (which ? ell2 : ell) : t == SIM_GEOM_CYLINDER ? cyl : t == SIM_GEOM_BOX ? box : cap;
    };
    int cases = 0;
    double worst = 0;
    for (const auto& t : types)
      for (int k = 0; k < 12; ++k) {
        const Vec3 at = Vec3(std::sin(1.3 * k + t[0]), std::cos(0.7 * k + t[1]), std::sin(2.1 * k)).normalized() *
                        (0.12 + 0.02 * (k % 7));
        const ConvexShape a = shape(t[0], sizeOf(t[0], 0), Vec3::Zero(), turn(0.4 * k, 0.3 + 0.2 * k, 1.1 * k));
        const ConvexShape b = shape(t[1], sizeOf(t[1], 1), at, turn(0.9 * k + 1, 0.5 * k, 0.2 + 0.3 * k));
        const double truth = oracleDistance(a, b);
        const int n = sim::convexCollide(a, b, 0.05, &c, &status);
        if (truth >= 0.05) {
          CHECK(n == 0, "oracle: types %d %d pose %d: contact at %g beyond the margin", t[0], t[1], k, truth);
          continue;
        }
        ++cases;
        // h at our normal equals our distance (an upper bound on min h met: the normal supports
        // A − B there), and no oracle direction does better than ours
        auto h = [&](const Vec3& m) { return m.dot(sim::convexSupport(a, m)) - m.dot(sim::convexSupport(b, -m)); };
        CHECK(n == 1 && std::abs(h(c.normal) + c.dist) < 1e-9 && truth <= c.dist + 1e-9 && c.dist - truth < 2e-3,
              "oracle: types %d %d pose %d: dist %.10g, h(normal) %.10g, oracle %.10g", t[0], t[1], k,
              n ? c.dist : NAN, n ? -h(c.normal) : NAN, truth);
        if (n) worst = std::max(worst, std::abs(c.dist - truth));
      }
    std::printf("oracle: %d touching poses, max (ours − oracle) %.1e m (the oracle's grid search is the coarser)\n", cases, worst);
  }
  // MuJoCo 4.0.1's contacts (converged ccd settings; multiccd off: the first contact)
  {
    using namespace convex_cases;
    double err[3] = {0, 0, 0};
    int count = 0;
    for (const Case& k : kCases) {
      ConvexShape g[2];
      for (int i = 0; i < 2; ++i) {
        const Geom& x = k.g[i];
        g[i] = shape(x.type, x.size, Vec3(x.pos[0], x.pos[1], x.pos[2]),
                     Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>>(x.mat));
        if (x.mesh >= 0) {
          static Vec3 verts[2][16];
          const double* v = x.mesh == 0 ? kMesh0 : kMesh1;
          const int nv = x.mesh == 0 ? kMesh0Count : kMesh1Count;
          for (int q = 0; q < nv; ++q) verts[i][q] = Vec3(v[3 * q], v[3 * q + 1], v[3 * q + 2]);
          g[i].vert = verts[i];
          g[i].nvert = nv;
        }
      }
      // MuJoCo compares within margin + gap; a contact at the margin's edge may fall either side
      const int n = sim::convexCollide(g[0], g[1], k.margin, &c, &status);
      const Vec3 pos(k.pos[0], k.pos[1], k.pos[2]), normal(k.normal[0], k.normal[1], k.normal[2]);
      const double e[3] = {n ? std::abs(c.dist - k.dist) : INFINITY, n ? (c.pos - pos).norm() : INFINITY,
                           n ? (c.normal - normal).norm() : INFINITY};
      CHECK(n == 1 && e[0] < 1e-7 && e[1] < 2e-5 && e[2] < 5e-4,
            "MuJoCo %s margin %g: n %d |Δdist| %.1e |Δpos| %.1e |Δnormal| %.1e", k.pair, k.margin, n, e[0], e[1], e[2]);
      for (int q = 0; q < 3 && n; ++q) err[q] = std::max(err[q], e[q]);
      ++count;
    }
    std::printf("MuJoCo: %d contacts, max |Δdist| %.1e m, |Δpos| %.1e m, |Δnormal| %.1e\n", count, err[0], err[1],
                err[2]);
  }
  // degenerate input: zero sizes, coincident centres, deep penetration, huge and tiny geoms:
  // bounded, finite, a clear status
  {
    const double zero[3] = {0, 0, 0}, ell[3] = {0.1, 0.15, 0.2}, flat[3] = {0.2, 0.2, 0}, cyl0[3] = {0, 0.1, 0},
                 huge[3] = {1e6, 2e6, 3e6}, tiny[3] = {1e-9, 2e-9, 1e-9}, box[3] = {0.2, 0.15, 0.1};
    const Mat3 I = Mat3::Identity(), T = turn(0.3, 0.2, 0.1);
    struct Bad {
      const char* what;
      ConvexShape a, b;
    } bad[] = {
        {"zero ellipsoid in a box", shape(SIM_GEOM_ELLIPSOID, zero, Vec3(0.01, 0, 0), I), shape(SIM_GEOM_BOX, box, Vec3::Zero(), T)},
        {"zero ellipsoids coincident", shape(SIM_GEOM_ELLIPSOID, zero, Vec3::Zero(), I), shape(SIM_GEOM_ELLIPSOID, zero, Vec3::Zero(), I)},
        {"flat boxes coplanar", shape(SIM_GEOM_BOX, flat, Vec3::Zero(), I), shape(SIM_GEOM_BOX, flat, Vec3(0.1, 0, 0), I)},
        {"zero-radius cylinder", shape(SIM_GEOM_CYLINDER, cyl0, Vec3::Zero(), I), shape(SIM_GEOM_ELLIPSOID, ell, Vec3(0, 0, 0.05), T)},
        {"ellipsoids coincident", shape(SIM_GEOM_ELLIPSOID, ell, Vec3::Zero(), I), shape(SIM_GEOM_ELLIPSOID, ell, Vec3::Zero(), I)},
        {"ellipsoid deep in a huge box", shape(SIM_GEOM_ELLIPSOID, ell, Vec3(1, 2, 3), T), shape(SIM_GEOM_BOX, huge, Vec3::Zero(), I)},
        {"tiny ellipsoid on a box", shape(SIM_GEOM_ELLIPSOID, tiny, Vec3(0, 0, 0.1), T), shape(SIM_GEOM_BOX, box, Vec3::Zero(), I)},
        {"capsule core on a cylinder axis", shape(SIM_GEOM_CAPSULE, ell, Vec3::Zero(), I), shape(SIM_GEOM_CYLINDER, box, Vec3::Zero(), I)},
    };
    for (const Bad& k : bad) {
      c = ConvexContact{NAN, Vec3::Constant(NAN), Vec3::Constant(NAN)};
      const int n = sim::convexCollide(k.a, k.b, 0.01, &c, &status);
      const bool finite = n == 0 || (std::isfinite(c.dist) && c.pos.allFinite() && c.normal.allFinite() &&
                                     std::abs(c.normal.norm() - 1) < 1e-9);
      CHECK(finite && status >= sim::kConvexOk && status <= sim::kConvexDegenerate, "%s: n %d status %d dist %g",
            k.what, n, status, c.dist);
      std::printf("degenerate: %s: %d contact(s), status %d, dist %g\n", k.what, n, status, n ? c.dist : 0.0);
    }
    // a point on a box's face, concentric deep: depth = the nearest face's distance
    const int n = sim::convexCollide(shape(SIM_GEOM_ELLIPSOID, zero, Vec3(0.01, 0, 0), I),
                                     shape(SIM_GEOM_BOX, box, Vec3::Zero(), I), 0, &c, &status);
    CHECK(n == 0 || std::abs(c.dist + 0.1) < 1e-9, "point in box: dist %g (want −0.1 or no contact)", c.dist);
  }
  // determinism: the same poses twice give the same bits
  {
    const double ell[3] = {0.1, 0.15, 0.2}, cyl[3] = {0.1, 0.15, 0};
    ConvexContact c1, c2;
    const ConvexShape a = shape(SIM_GEOM_ELLIPSOID, ell, Vec3::Zero(), turn(0.3, 0.2, 0.1));
    const ConvexShape b = shape(SIM_GEOM_CYLINDER, cyl, Vec3(0.05, 0.1, 0.2), turn(1, 0.5, 0.2));
    sim::convexCollide(a, b, 0, &c1, &status);
    sim::convexCollide(a, b, 0, &c2, &status);
    CHECK(c1.dist == c2.dist && c1.pos == c2.pos && c1.normal == c2.normal, "not deterministic");
  }
  // the model: these pairs collide (no "contacts not computed" warning); multiccd gives a
  // cylinder lying flat on a box several contacts, <flag multiccd="disable"> one
  for (const char* flag : {"", "<option><flag multiccd=\"disable\"/></option>"}) {
    const std::string xml = std::string("<mujoco>") + flag +
                            "<worldbody><geom type=\"box\" size=\"0.3 0.3 0.1\"/>"
                            "<body pos=\"0 0 0.249\"><freejoint/><geom type=\"cylinder\" size=\"0.1 0.15\"/></body>"
                            "<body pos=\"1 0 0.3\"><freejoint/><geom type=\"ellipsoid\" size=\"0.1 0.15 0.2\"/></body>"
                            "</worldbody></mujoco>";
    sim::Model model;
    sim::State state;
    collideAtQpos0(xml, "convex", model, state);
    const bool multi = std::string(flag).empty();
    CHECK(model.pairs.size() == 3 && (multi ? state.ncon >= 3 : state.ncon == 1),
          "cylinder flat on a box (%s): %zu pairs, %d contacts", multi ? "multiccd" : "one contact", model.pairs.size(),
          state.ncon);
    for (int k = 0; k < state.ncon; ++k)
      CHECK(std::abs(state.contacts[k].dist + 0.001) < 1e-9 && std::abs(state.contacts[k].frame(0, 2) + 1) < 1e-5,
            "contact %d: dist %g", k, state.contacts[k].dist);
  }
  // plane–mesh: the hull of a cube (with a duplicate and an interior point: dropped) has 8
  // vertices, 6 square polygons, 3 polygons at each corner and 18 triangle edges (each corner 3 to
  // 6 neighbours)
  {
    std::vector<Vec3> cube;
    for (int i = 0; i < 8; ++i) cube.push_back(Vec3(i & 1 ? 0.1 : -0.1, i & 2 ? 0.1 : -0.1, i & 4 ? 0.1 : -0.1));
    cube.push_back(cube[3]);
    cube.push_back(Vec3(0.01, 0.02, -0.03));
    sim::MeshHull h;
    const bool ok = sim::buildMeshHull(cube, h);
    bool squares = h.polyNum.size() == 6;
    for (size_t q = 0; q < h.polyNum.size() && squares; ++q) squares = h.polyNum[q] == 4;
    bool corners = true;
    for (int i = 0; i < 8; ++i) corners = corners && h.vertPolyAdr[i + 1] - h.vertPolyAdr[i] == 3;
    CHECK(ok && h.vert.size() == 8 && squares && corners && h.edge.size() == 36 && h.edgeAdr[9] == h.edgeAdr[8] &&
              h.edgeAdr[10] == h.edgeAdr[9],
          "cube hull: ok %d, %zu vertices, %zu polygons, %zu edge entries", ok, h.vert.size(), h.polyNum.size(),
          h.edge.size());
    // counter-clockwise about the outward normal: each polygon's corner cross products point out
    bool ccw = true;
    for (size_t q = 0; q < h.polyNum.size(); ++q) {
      const int* v = &h.polyVert[h.polyAdr[q]];
      for (int k = 0; k < h.polyNum[q]; ++k) {
        const Vec3 &a = cube[v[k]], &b = cube[v[(k + 1) % h.polyNum[q]]], &c = cube[v[(k + 2) % h.polyNum[q]]];
        ccw = ccw && (b - a).cross(c - b).dot(h.polyNormal[q]) > 0;
      }
    }
    CHECK(ccw, "cube hull polygons not counter-clockwise about their normals");
    // flat (coplanar points) and too few points: no hull
    std::vector<Vec3> flat = {Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(1, 1, 0)}, three(cube.begin(), cube.begin() + 3);
    CHECK(!sim::buildMeshHull(flat, h) && h.vert.empty() && !sim::buildMeshHull(three, h), "flat / 3 points gave a hull");
    // closed form: the cube resting flat on a floor, 1 mm deep, turned about z: its 4 bottom
    // corners, dist = −1 mm, midway between the surfaces, normal up
    sim::buildMeshHull(cube, h);
    for (double yaw : {0.0, 0.4, 2.0}) {
      ConvexContact cc[4];
      const Mat3 R = turn(yaw, 0, 0);
      const Vec3 pos(0.3, -0.2, 0.099);
      const int n = sim::planeMeshContacts(Vec3::Zero(), Vec3::UnitZ(), cube.data(), (int)cube.size(), h, pos, R, 0, cc);
      bool right = n == 4;
      for (int k = 0; k < n && right; ++k) {
        bool atCorner = false;
        for (int i = 0; i < 4; ++i) atCorner = atCorner || (pos + R * cube[i] - cc[k].pos + Vec3(0, 0, 0.0005)).norm() < 1e-12;
        right = atCorner && std::abs(cc[k].dist + 0.001) < 1e-12 && cc[k].normal == Vec3::UnitZ();
      }
      CHECK(right, "cube flat on the floor (yaw %g): %d contacts", yaw, n);
      // lifted 2 mm clear: none; within a 5 mm margin: 4 at dist +2 mm
      const int apart = sim::planeMeshContacts(Vec3::Zero(), Vec3::UnitZ(), cube.data(), 10, h, pos + Vec3(0, 0, 0.003), R, 0, cc);
      const int near = sim::planeMeshContacts(Vec3::Zero(), Vec3::UnitZ(), cube.data(), 10, h, pos + Vec3(0, 0, 0.003), R, 0.005, cc);
      CHECK(apart == 0 && near == 4 && std::abs(cc[3].dist - 0.002) < 1e-12, "cube 2 mm above: %d, margin: %d (%g)", apart,
            near, cc[3].dist);
    }
  }
  // a CAD cube: turned, its vertices rounded to float (as an STL stores them), so its faces are
  // flat only to ~1e-8 m: still 6 squares (MuJoCo merges normals within 0.01 rad), and resting
  // flat it gets 4 contacts, not 3
  {
    const Mat3 R0 = turn(0.3, 0.5, 0.7);
    std::vector<Vec3> cad;
    for (int i = 0; i < 8; ++i) {
      const Vec3 x = R0 * Vec3(i & 1 ? 0.1 : -0.1, i & 2 ? 0.1 : -0.1, i & 4 ? 0.1 : -0.1);
      cad.push_back(Vec3(float(x[0]), float(x[1]), float(x[2])));
    }
    // the rounding bends a face by more than the old merge's 1e-10 × size offset test allowed
    const Vec3 nb = (cad[1] - cad[0]).cross(cad[2] - cad[0]).normalized();
    const double bend = std::abs(nb.dot(cad[3] - cad[0]));
    sim::MeshHull h;
    const bool ok = sim::buildMeshHull(cad, h);
    bool squares = ok && h.polyNum.size() == 6;
    for (size_t q = 0; q < h.polyNum.size() && squares; ++q) squares = h.polyNum[q] == 4;
    CHECK(bend > 1e-10 && squares, "float32 cube hull: bend %g, %zu polygons", bend, h.polyNum.size());
    for (double yaw : {0.0, 0.4}) {
      ConvexContact cc[4];
      const Mat3 R = turn(yaw, 0, 0) * R0.transpose();
      const Vec3 pos(0.3, -0.2, 0.099);
      const int n = sim::planeMeshContacts(Vec3::Zero(), Vec3::UnitZ(), cad.data(), (int)cad.size(), h, pos, R, 0, cc);
      bool right = n == 4;
      for (int k = 0; k < n && right; ++k) {
        bool atCorner = false;
        for (int i = 0; i < 4; ++i)
          atCorner = atCorner || (pos + turn(yaw, 0, 0) * Vec3(i & 1 ? 0.1 : -0.1, i & 2 ? 0.1 : -0.1, -0.1) - cc[k].pos +
                                  Vec3(0, 0, 0.0005)).norm() < 1e-7;
        right = atCorner && std::abs(cc[k].dist + 0.001) < 1e-7;
      }
      CHECK(right, "float32 cube flat on the floor (yaw %g): %d contacts", yaw, n);
    }
  }
  // a 12-gon prism whose caps are fans about a centre vertex 1e-9 m proud of the cap (a CAD
  // export): each cap is one 12-corner polygon, its corners the boundary (the centre is not one),
  // counter-clockwise; resting on a cap 1 mm deep it gets MuJoCo 4.0.1's 4 contacts
  // (python3: the same vertices in <mesh vertex>, body at z = 0.049: dist −0.001 at these x, y)
  {
    std::vector<Vec3> prism;
    for (int s = -1; s <= 1; s += 2)
      for (int k = 0; k < 12; ++k)
        prism.push_back(Vec3(0.1 * std::cos(2 * M_PI * k / 12), 0.1 * std::sin(2 * M_PI * k / 12), 0.05 * s));
    prism.push_back(Vec3(0, 0, -0.05 - 1e-9));
    prism.push_back(Vec3(0, 0, 0.05 + 1e-9));
    sim::MeshHull h;
    const bool ok = sim::buildMeshHull(prism, h);
    int caps = 0;
    bool ccw = true, centre = false;
    for (size_t q = 0; q < h.polyNum.size(); ++q) {
      const int* v = &h.polyVert[h.polyAdr[q]];
      caps += h.polyNum[q] == 12;
      for (int k = 0; k < h.polyNum[q]; ++k) {
        centre = centre || v[k] >= 24;
        const Vec3 &a = prism[v[k]], &b = prism[v[(k + 1) % h.polyNum[q]]], &c = prism[v[(k + 2) % h.polyNum[q]]];
        ccw = ccw && (b - a).cross(c - b).dot(h.polyNormal[q]) > 0;
      }
    }
    CHECK(ok && h.polyNum.size() == 14 && caps == 2 && ccw && !centre,
          "fan-capped prism hull: %zu polygons, %d 12-gons, ccw %d, centre a corner %d", h.polyNum.size(), caps, ccw, centre);
    // resting flat 1 mm deep, the deepest vertex the cap's centre (interior to its polygon): the
    // cap's 4 corners that polygonQuad keeps, each a ring vertex at dist −1 mm
    ConvexContact cc[4];
    int n = sim::planeMeshContacts(Vec3::Zero(), Vec3::UnitZ(), prism.data(), (int)prism.size(), h, Vec3(0, 0, 0.049),
                                   Mat3::Identity(), 0, cc);
    int onRing = 0;
    for (int k = 0; k < n; ++k)
      onRing += std::abs(Vec3(cc[k].pos[0], cc[k].pos[1], 0).norm() - 0.1) < 1e-12 && std::abs(cc[k].dist + 0.001) < 1e-12;
    CHECK(n == 4 && onRing == 4, "fan-capped prism flat on its cap: %d contacts, %d at ring corners", n, onRing);
    // tilted 0.3° and 0.2°: MuJoCo 4.0.1's mesh (its float vertices, in its inertial frame), pose
    // and 4 contacts (dist, pos), from python3 with the vertices above in <mesh vertex>, body
    // pos="0.2 0.1 0.048" euler="0.3 0.2 0"
    const float mv[26][3] = {{-0.0500000007f, -0.100000001f, 1.1293773e-18f}, {-0.0500000007f, -0.0866025388f, -0.0500000007f},
        {-0.0500000007f, -0.0500000007f, -0.0866025388f}, {-0.0500000007f, -6.12323385e-18f, -0.100000001f},
        {-0.0500000007f, 0.0500000007f, -0.0866025388f}, {-0.0500000007f, 0.0866025388f, -0.0500000007f},
        {-0.0500000007f, 0.100000001f, -1.11170907e-17f}, {-0.0500000007f, 0.0866025388f, 0.0500000007f},
        {-0.0500000007f, 0.0500000007f, 0.0866025388f}, {-0.0500000007f, 1.83697028e-17f, 0.100000001f},
        {-0.0500000007f, -0.0500000007f, 0.0866025388f}, {-0.0500000007f, -0.0866025388f, 0.0500000007f},
        {0.0500000007f, -0.100000001f, 1.1293773e-18f}, {0.0500000007f, -0.0866025388f, -0.0500000007f},
        {0.0500000007f, -0.0500000007f, -0.0866025388f}, {0.0500000007f, -6.12323385e-18f, -0.100000001f},
        {0.0500000007f, 0.0500000007f, -0.0866025388f}, {0.0500000007f, 0.0866025388f, -0.0500000007f},
        {0.0500000007f, 0.100000001f, -1.11170907e-17f}, {0.0500000007f, 0.0866025388f, 0.0500000007f},
        {0.0500000007f, 0.0500000007f, 0.0866025388f}, {0.0500000007f, 1.83697028e-17f, 0.100000001f},
        {0.0500000007f, -0.0500000007f, 0.0866025388f}, {0.0500000007f, -0.0866025388f, 0.0500000007f},
        {-0.0500000007f, -0.0f, 1.1293773e-18f}, {0.0500000007f, 0.0f, 1.1293773e-18f}};
    std::vector<Vec3> mjv;
    for (const auto& x : mv) mjv.push_back(Vec3(x[0], x[1], x[2]));
    Mat3 mjR;
    mjR << 0.0034906514152237833, -0.99999390765779306, 5.5511151231257827e-17, -0.005235931932136062, -1.8276924558247032e-05,
        -0.99998629224742941, 0.99998019998873211, 0.0034906035662378154, -0.0052359638314195267;
    const double mjc[4][4] = {{-0.0026269886863845016, 0.24982516355458126, 0.013661358748842167, -0.0013134943431922508},
                              {-0.0022779283245593085, 0.14982577129869493, 0.013659531056359114, -0.0011389641622796542},
                              {-0.00143491741814325, 0.11322345621485916, 0.15025952912985857, -0.00071745870907162501},
                              {-0.001720093164400513, 0.24982516355458126, 0.18686406214465665, -0.00086004658220025648}};
    sim::MeshHull mh;
    sim::buildMeshHull(mjv, mh);
    n = sim::planeMeshContacts(Vec3::Zero(), Vec3::UnitZ(), mjv.data(), (int)mjv.size(), mh, Vec3(0.2, 0.1, 0.048), mjR, 0, cc);
    int matched = 0;
    for (int k = 0; k < n; ++k)
      for (const auto& m : mjc)
        matched += std::abs(cc[k].dist - m[0]) < 1e-12 && (cc[k].pos - Vec3(m[1], m[2], m[3])).norm() < 1e-12;
    CHECK(n == 4 && matched == 4, "fan-capped prism tilted on its cap: %d contacts, %d at MuJoCo's", n, matched);
  }
  // hill climbing on the hull (meshes of kHillClimbMin vertices and more) finds the vertices
  // that testing every vertex finds: 300 points on an ellipsoid and 300 inside it, 2,000 support
  // directions, and against a box and an ellipsoid at 200 random poses the same contacts
  {
    unsigned seed = 7;
    auto uni = [&seed]() {
      seed = seed * 1664525u + 1013904223u;
      return (seed >> 8) / double(1 << 24) * 2 - 1;
    };
    std::vector<Vec3> blob;
    for (int i = 0; i < 600; ++i) {
      Vec3 x(uni(), uni(), uni());
      x = x.normalized() * (i < 300 ? 1.0 : 0.9 * std::abs(uni()));
      blob.push_back(x.cwiseProduct(Vec3(0.12, 0.09, 0.06)));
    }
    sim::MeshHull h;
    sim::buildMeshHull(blob, h);
    ConvexShape climb = shape(SIM_GEOM_MESH, nullptr, Vec3(0.01, 0.02, 0.03), turn(0.4, 0.3, 0.2)), brute = climb;
    climb.vert = brute.vert = blob.data();
    climb.nvert = brute.nvert = (int)blob.size();
    climb.hull = &h;
    int same = 0;
    for (int k = 0; k < 2000; ++k) {
      const Vec3 d(uni(), uni(), uni());
      same += sim::convexSupport(climb, d) == sim::convexSupport(brute, d);
    }
    CHECK(h.vert.size() >= 250 && h.vert.size() <= 300 && same == 2000, "hill climbing: %zu hull vertices, %d of 2000 supports equal",
          h.vert.size(), same);
    const double box[3] = {0.1, 0.08, 0.05}, ell[3] = {0.06, 0.08, 0.1};
    int touching = 0, equal = 0;
    double dev = 0;
    for (int k = 0; k < 200; ++k) {
      const ConvexShape other = shape(k % 2 ? SIM_GEOM_BOX : SIM_GEOM_ELLIPSOID, k % 2 ? box : ell,
                                      Vec3(0.2 * uni(), 0.2 * uni(), 0.2 * uni()), turn(3 * uni(), 3 * uni(), 3 * uni()));
      ConvexContact c1, c2;
      int s1, s2;
      const int n1 = sim::convexCollide(other, climb, 0.01, &c1, &s1), n2 = sim::convexCollide(other, brute, 0.01, &c2, &s2);
      touching += n2;
      // at EPA's end the normal is a face's of the Minkowski difference: vertices tie to round-off
      // there, and either may be the support
      const double e = n1 && n2 ? std::max({std::abs(c1.dist - c2.dist), (c1.pos - c2.pos).norm(), (c1.normal - c2.normal).norm()}) : 0;
      dev = std::max(dev, e);
      equal += n1 == n2 && e < 1e-9;
    }
    CHECK(equal == 200 && touching > 50, "hill climbing: %d of 200 poses agree to 1e-9 (%d touching, max %.1e)", equal,
          touching, dev);
    std::printf("hill climbing: %zu hull vertices of %zu, 2000 supports as brute force, %d contacts within %.1e\n",
                h.vert.size(), blob.size(), touching, dev);
  }
  // plane–mesh against MuJoCo 4 (plane_mesh_cases.hpp)
  {
    using namespace plane_mesh_cases;
    double err[3] = {0, 0, 0};
    int count = 0, contacts = 0;
    for (const PlaneCase& k : kPlaneCases) {
      const double* v = nullptr;
      int nv = 0;
      switch (k.meshId) {
        case 100: v = kMesh100, nv = kMesh100Count; break;
        case 101: v = kMesh101, nv = kMesh101Count; break;
        case 102: v = kMesh102, nv = kMesh102Count; break;
        case 103: v = kMesh103, nv = kMesh103Count; break;
        case 104: v = kMesh104, nv = kMesh104Count; break;
        case 105: v = kMesh105, nv = kMesh105Count; break;
        case 106: v = kMesh106, nv = kMesh106Count; break;
        case 107: v = kMesh107, nv = kMesh107Count; break;
      }
      std::vector<Vec3> verts;
      for (int q = 0; q < nv; ++q) verts.push_back(Vec3(v[3 * q], v[3 * q + 1], v[3 * q + 2]));
      sim::MeshHull h;
      sim::buildMeshHull(verts, h);  // MuJoCo's mesh frame: its origin is the centre of volume
      ConvexContact cc[4];
      const Mat3 R = Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>>(k.mat);
      const int n = sim::planeMeshContacts(Vec3(k.ppos[0], k.ppos[1], k.ppos[2]), Vec3(k.pnormal[0], k.pnormal[1], k.pnormal[2]),
                                           verts.data(), nv, h, Vec3(k.pos[0], k.pos[1], k.pos[2]), R, k.margin, cc);
      double e[3] = {0, 0, 0};
      for (int q = 0; q < std::min(n, k.ncon); ++q) {
        e[0] = std::max(e[0], std::abs(cc[q].dist - k.dist[q]));
        e[1] = std::max(e[1], (cc[q].pos - Vec3(k.cpos[q][0], k.cpos[q][1], k.cpos[q][2])).norm());
        e[2] = std::max(e[2], (cc[q].normal - Vec3(k.normal[q][0], k.normal[q][1], k.normal[q][2])).norm());
      }
      CHECK(n == k.ncon && e[0] < 1e-12 && e[1] < 1e-12 && e[2] < 1e-12,
            "MuJoCo plane–%s margin %g: %d contacts (MuJoCo %d) |Δdist| %.1e |Δpos| %.1e |Δnormal| %.1e", k.mesh, k.margin, n,
            k.ncon, e[0], e[1], e[2]);
      for (int q = 0; q < 3; ++q) err[q] = std::max(err[q], e[q]);
      ++count;
      contacts += k.ncon;
    }
    std::printf("MuJoCo plane–mesh: %d poses, %d contacts, max |Δdist| %.1e m, |Δpos| %.1e m, |Δnormal| %.1e\n", count,
                contacts, err[0], err[1], err[2]);
  }
  // the model: a mesh box on the floor collides (it did not: "plane–mesh" was not computed)
  {
    const std::string xml =
        "<mujoco><asset><mesh name=\"c\" vertex=\"-1 -1 -1 1 -1 -1 -1 1 -1 1 1 -1 -1 -1 1 1 -1 1 -1 1 1 1 1 1\" "
        "face=\"0 2 3 0 3 1 4 5 7 4 7 6 0 1 5 0 5 4 2 6 7 2 7 3 0 4 6 0 6 2 1 3 7 1 7 5\" scale=\"0.1 0.1 0.1\"/></asset><worldbody><geom type=\"plane\" size=\"1 1 0.1\"/>"
        "<body pos=\"0 0 0.099\"><freejoint/><geom type=\"mesh\" mesh=\"c\"/></body></worldbody></mujoco>";
    sim::Model model;
    sim::State state;
    collideAtQpos0(xml, "plane-mesh", model, state);
    CHECK(model.pairs.size() == 1 && state.ncon == 4, "mesh box on the floor: %zu pairs, %d contacts", model.pairs.size(),
          state.ncon);
    for (int k = 0; k < state.ncon; ++k)
      CHECK(std::abs(state.contacts[k].dist + 0.001) < 1e-7 && std::abs(state.contacts[k].frame(0, 2) - 1) < 1e-12,
            "mesh box contact %d: dist %g", k, state.contacts[k].dist);
  }
  // bounding-sphere culling (narrowPhase: spheres rbound₁ + rbound₂ + margin + gap apart; a plane
  // and a geom rbound + margin + gap above it) keeps every contact within margin: a sphere pair
  // and a corner-down mesh cube on the floor (its corner at exactly rbound below its centre),
  // margin 0.01, gap 0.005, at distances 0.009 (active contact) and 0.0151 (beyond margin + gap: none)
  for (double gapDist : {0.009, 0.0151}) {
    const double rc = 0.1 * std::sqrt(3.0);
    char xml[2048];
    std::snprintf(xml, sizeof xml,
                  "<mujoco><asset><mesh name=\"c\" vertex=\"-1 -1 -1 1 -1 -1 -1 1 -1 1 1 -1 -1 -1 1 1 -1 1 -1 1 1 1 1 1\" "
                  "face=\"0 2 3 0 3 1 4 5 7 4 7 6 0 1 5 0 5 4 2 6 7 2 7 3 0 4 6 0 6 2 1 3 7 1 7 5\" scale=\"0.1 0.1 0.1\"/></asset><default><geom margin=\"0.005\" gap=\"0.0025\"/></default><worldbody>"
                  "<geom type=\"plane\" size=\"1 1 0.1\"/><geom type=\"sphere\" size=\"0.05\" pos=\"3 0 0.5\"/>"
                  "<body pos=\"%.17g 0 0.5\"><freejoint/><geom type=\"sphere\" size=\"0.07\"/></body>"
                  "<body pos=\"0 0 %.17g\" axisangle=\"%.17g %.17g 0 %.17g\"><freejoint/><geom type=\"mesh\" mesh=\"c\"/></body>"
                  "</worldbody></mujoco>",
                  3 + 0.12 + gapDist, rc + gapDist, 1 / std::sqrt(2.0), -1 / std::sqrt(2.0), std::acos(1 / std::sqrt(3.0)) * 180 / M_PI);
    sim::Model model;
    sim::State state;
    collideAtQpos0(xml, "culling", model, state);
    int spheres = 0, cube = 0;
    for (int k = 0; k < state.ncon; ++k) {
      const bool sph = std::abs(state.contacts[k].pos[0] - 3) < 0.5;
      spheres += sph;
      cube += !sph && std::abs(state.contacts[k].dist - gapDist) < 1e-9;
    }
    const bool near = gapDist < 0.01;
    CHECK(near ? (spheres == 1 && cube == 1 && state.ncon == 2) : state.ncon == 0,
          "culling at %g: %d contacts (sphere pair %d, cube corner %d)", gapDist, state.ncon, spheres, cube);
  }
  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
