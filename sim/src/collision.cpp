// collision.cpp — which geoms touch: candidate pairs (compiled once), analytic narrow phase.
//
// Pairs follow MuJoCo's filters: geoms of the same (welded) body never collide, nor two geoms
// that cannot move, nor a body and its parent (<flag filterparent>), and contype/conaffinity must
// match (contype1 & conaffinity2 || contype2 & conaffinity1). A pair's contact parameters mix as
// MuJoCo's mj_contactParam: the higher priority wins; at equal priority condim and friction are
// the larger, solref/solimp the solmix-weighted mean (direct solref: the smaller), margin and gap
// summed. Explicit <contact><pair>s bypass every filter and carry their own parameters;
// <contact><exclude> removes a body pair from the filtered ones; the list is in MuJoCo's order
// (by body pair, a body pair's explicit pairs first). The narrow phase is analytic, with MuJoCo's conventions (normal from g1 to g2, contact
// point midway between the surfaces, dist < 0 in penetration) for the pairs
//   plane–sphere, plane–capsule (2 contacts), plane–box (up to 4), sphere–sphere, sphere–capsule,
//   sphere–box, capsule–capsule (closest points of the segments; 1 contact).
// Other pairs (box–box, capsule–box, cylinders, ellipsoids, meshes) are listed in the model's
// warnings and do not collide yet. The number of pairs is quadratic in the geoms that can move;
// a broad phase is left for larger scenes.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "state.hpp"

namespace sim {

namespace {

constexpr double kMinVal = 1e-15;

// Most contacts of a pair (types ordered); 0: no collision function.
int pairCapacity(int t1, int t2) {
  if (t1 == SIM_GEOM_PLANE) {
    if (t2 == SIM_GEOM_SPHERE) return 1;
    if (t2 == SIM_GEOM_CAPSULE) return 2;
    if (t2 == SIM_GEOM_BOX) return 4;
    return 0;
  }
  if (t1 == SIM_GEOM_SPHERE && (t2 == SIM_GEOM_SPHERE || t2 == SIM_GEOM_CAPSULE || t2 == SIM_GEOM_BOX))
    return 1;
  if (t1 == SIM_GEOM_CAPSULE && t2 == SIM_GEOM_CAPSULE) return 1;
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

// plane (its z axis the normal) – sphere
int planeSphere(const Pose& P, const Vec3& c, double r, double margin, Touch* out) {
  const Vec3 n = P.R.col(2);
  const double cdist = (c - P.p).dot(n);
  if (cdist > margin + r) return 0;
  Touch& t = out[0];
  t.dist = cdist - r;
  t.normal = n;
  t.pos = c - n * (t.dist / 2 + r);
  t.tangent.setZero();
  return 1;
}

int planeCapsule(const Pose& P, const Pose& C, const double* size, double margin, Touch* out) {
  const Vec3 axis = C.R.col(2), seg = size[1] * axis;
  int n = planeSphere(P, C.p + seg, size[0], margin, out);
  n += planeSphere(P, C.p - seg, size[0], margin, out + n);
  for (int k = 0; k < n; ++k) out[k].tangent = axis;  // frames aligned with the capsule
  return n;
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
    Touch& t = out[cnt++];
    t.dist = dist + ldist;
    t.normal = n;
    t.pos = B.p + corner - n * (t.dist / 2);
    t.tangent.setZero();
  }
  return cnt;
}

// sphere – capsule: the sphere against the nearest point of the capsule's segment
int sphereCapsule(const Pose& S, double r, const Pose& C, const double* size, double margin,
                  Touch* out) {
  const Vec3 axis = C.R.col(2);
  const double x = std::min(size[1], std::max(-size[1], axis.dot(S.p - C.p)));
  return sphereSphere(S.p, r, S.R, C.p + axis * x, size[0], C.R, margin, out);
}

// sphere – box: nearest point of the box to the centre; a centre inside the box leaves through
// the face it is closest to. Normal from the sphere to the box.
int sphereBox(const Pose& S, double r, const Pose& B, const double* size, double margin, Touch* out) {
  const Vec3 local = B.R.transpose() * (S.p - B.p);
  Vec3 nearest;
  bool inside = true;
  for (int k = 0; k < 3; ++k) {
    nearest[k] = std::min(size[k], std::max(-size[k], local[k]));
    inside = inside && nearest[k] == local[k];
  }
  Touch& t = out[0];
  if (!inside) {
    const Vec3 away = local - nearest;  // from the box surface to the centre
    const double d = away.norm();
    if (d - r > margin) return 0;
    t.dist = d - r;
    t.normal = -(B.R * (away / d));
    const Vec3 surface = B.p + B.R * nearest;
    t.pos = surface - t.normal * (t.dist / 2);
  } else {
    int face = 0;
    double depth = INFINITY;
    for (int k = 0; k < 3; ++k) {
      const double dk = size[k] - std::abs(local[k]);
      if (dk < depth) {
        depth = dk;
        face = k;
      }
    }
    Vec3 outward = Vec3::Zero();
    outward[face] = local[face] >= 0 ? 1 : -1;
    t.dist = -depth - r;
    t.normal = -(B.R * outward);
    Vec3 surface = local;
    surface[face] = outward[face] * size[face];
    t.pos = B.p + B.R * surface - t.normal * (t.dist / 2);
  }
  t.tangent.setZero();
  return 1;
}

// capsule – capsule: the closest points of the two segments, then sphere – sphere
int capsuleCapsule(const Pose& A, const double* sa, const Pose& B, const double* sb, double margin,
                   Touch* out) {
  const Vec3 u = A.R.col(2), v = B.R.col(2), w = A.p - B.p;
  const double b = u.dot(v), d = u.dot(w), e = v.dot(w), den = 1 - b * b;
  double s = den > 1e-12 ? (b * e - d) / den : 0.0;
  s = std::min(sa[1], std::max(-sa[1], s));
  double t = std::min(sb[1], std::max(-sb[1], b * s + e));
  s = std::min(sa[1], std::max(-sa[1], b * t - d));
  return sphereSphere(A.p + u * s, sa[0], A.R, B.p + v * t, sb[0], B.R, margin, out);
}

int narrowPhase(int t1, const Pose& P1, const double* s1, int t2, const Pose& P2, const double* s2,
                double margin, Touch* out) {
  if (t1 == SIM_GEOM_PLANE) {
    if (t2 == SIM_GEOM_SPHERE) return planeSphere(P1, P2.p, s2[0], margin, out);
    if (t2 == SIM_GEOM_CAPSULE) return planeCapsule(P1, P2, s2, margin, out);
    if (t2 == SIM_GEOM_BOX) return planeBox(P1, P2, s2, margin, out);
  } else if (t1 == SIM_GEOM_SPHERE) {
    if (t2 == SIM_GEOM_SPHERE) return sphereSphere(P1.p, s1[0], P1.R, P2.p, s2[0], P2.R, margin, out);
    if (t2 == SIM_GEOM_CAPSULE) return sphereCapsule(P1, s1[0], P2, s2, margin, out);
    if (t2 == SIM_GEOM_BOX) return sphereBox(P1, s1[0], P2, s2, margin, out);
  } else if (t1 == SIM_GEOM_CAPSULE && t2 == SIM_GEOM_CAPSULE) {
    return capsuleCapsule(P1, s1, P2, s2, margin, out);
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

// The pair's contact parameters, mixed as MuJoCo's mj_contactParam.
void mixParams(const ContactParams& a, const ContactParams& b, CollisionPair& p) {
  const ContactParams* win = a.priority > b.priority ? &a : a.priority < b.priority ? &b : nullptr;
  if (win) {
    p.condim = win->condim;
    p.friction[0] = p.friction[1] = win->friction[0];
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
    p.friction[0] = p.friction[1] = std::max(a.friction[0], b.friction[0]);
  }
  p.margin = a.margin + b.margin;
  p.gap = a.gap + b.gap;
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
    const Mat3 R = gs.quat.normalized().toRotationMatrix();
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
    p.maxContacts = pairCapacity(t1, t2);
    if (p.maxContacts == 0) {
      ++missing[std::string(typeName(t1)) + "–" + typeName(t2)];
      return;
    }
    if (p.condim > 3) {
      ++missing["condim " + std::to_string(p.condim) + " (torsional/rolling friction; used as 3)"];
      p.condim = 3;
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
      std::copy(x.friction, x.friction + 2, p.friction);
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
  s.ncon = 0;
  Touch touch[4];
  for (int p = 0; p < (int)m.pairs.size(); ++p) {
    const CollisionPair& pair = m.pairs[p];
    const GeomSpec &a = m.spec.geoms[pair.g1], &b = m.spec.geoms[pair.g2];
    const int n = narrowPhase(a.type, s.geomPose[pair.g1], a.size, b.type, s.geomPose[pair.g2],
                              b.size, pair.margin + pair.gap, touch);
    for (int k = 0; k < n; ++k) {
      // MuJoCo 4: found within margin + gap, active within margin (in the gap: excluded)
      if (touch[k].dist >= pair.margin) continue;
      Contact& c = s.contacts[s.ncon++];
      c.pair = p;
      c.dist = touch[k].dist;
      c.pos = touch[k].pos;
      c.frame = contactFrame(touch[k].normal, touch[k].tangent);
    }
  }
}

}  // namespace sim
