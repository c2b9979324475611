// compile.cpp — ModelSpec → Model: one link per degree of freedom, welded bodies merged into
// the link that carries them, and a check that the mass matrix is positive definite.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "spatial.hpp"
#include "state.hpp"

namespace sim {

namespace {

Pose compose(const Pose& outer, const Pose& inner) {
  return Pose{outer.R * inner.R, outer.p + outer.R * inner.p};
}

Pose localPose(const Vec3& pos, const Quat& quat) {
  return Pose{quat.normalized().toRotationMatrix(), pos};
}

std::string at(const SourceLocation& where, const std::string& fallback) {
  std::ostringstream os;
  os << (where.file.empty() ? fallback : where.file);
  if (where.line > 0) os << ":" << where.line;
  return os.str();
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw SimError{SIM_ERR_MODEL, where + ": " + what};
}

// Equality constraints: the held frames in their bodies, from the reference configuration
// where MuJoCo takes them from it (a connect's second point, a weld without relpose).
void compileEqualities(Model& m) {
  const ModelSpec& sp = m.spec;
  if (sp.equalities.empty()) return;
  State s;
  makeState(m, s);
  kinematics(m, s);
  const int nbody = m.nbody(), nsite = m.nsite(), njnt = (int)sp.joints.size();
  for (const EqualitySpec& es : sp.equalities) {
    const std::string where = at(es.where, sp.source);
    auto check = [&](bool ok, const std::string& what) {
      if (!ok) fail(where, "equality '" + es.name + "': " + what);
    };
    for (double x : es.solref) check(std::isfinite(x), "non-finite solref");
    for (double x : es.solimp) check(std::isfinite(x), "non-finite solimp");
    check(((es.solref[0] > 0) == (es.solref[1] > 0)) && !(es.solref[0] == 0 && es.solref[1] == 0),
          "solref must be 'timeconst dampratio' (both > 0) or '-stiffness -damping' (both <= 0)");
    if (!es.active) continue;  // inactive at load: no rows (eq_active0 = false)
    Equality e;
    e.type = es.type;
    std::copy(es.solref, es.solref + 2, e.solref);
    std::copy(es.solimp, es.solimp + 5, e.solimp);
    if (es.type == EqualitySpec::kTendon) {
      const int nt = m.ntendon();
      check(es.obj1 >= 0 && es.obj1 < nt && es.obj2 >= -1 && es.obj2 < nt, "unknown tendon");
      check(es.obj1 != es.obj2, "both sides are the same tendon");
      for (int k = 0; k < 5; ++k) check(std::isfinite(es.polycoef[k]), "non-finite polycoef");
      e.tendon1 = es.obj1;
      e.tendon2 = es.obj2;
      std::copy(es.polycoef, es.polycoef + 5, e.polycoef);
      m.equalities.push_back(e);
      continue;
    }
    if (es.type == EqualitySpec::kJoint) {
      check(es.obj1 >= 0 && es.obj1 < njnt && es.obj2 >= -1 && es.obj2 < njnt, "unknown joint");
      for (int j : {es.obj1, es.obj2}) {
        if (j < 0) continue;
        check(sp.joints[j].type == SIM_JOINT_HINGE || sp.joints[j].type == SIM_JOINT_SLIDE,
              "joint '" + sp.joints[j].name + "' is not a hinge or slide");
      }
      e.dof1 = m.jntDofAdr[es.obj1];
      e.qpos1 = m.jntQposAdr[es.obj1];
      if (es.obj2 >= 0) {
        e.dof2 = m.jntDofAdr[es.obj2];
        e.qpos2 = m.jntQposAdr[es.obj2];
      }
      for (int k = 0; k < 5; ++k) check(std::isfinite(es.polycoef[k]), "non-finite polycoef");
      std::copy(es.polycoef, es.polycoef + 5, e.polycoef);
      m.equalities.push_back(e);
      continue;
    }
    check(es.anchor.allFinite() && std::isfinite(es.torquescale), "non-finite anchor or torquescale");
    e.torquescale = es.torquescale;
    if (es.sites) {
      check(es.obj1 >= 0 && es.obj1 < nsite && es.obj2 >= 0 && es.obj2 < nsite, "unknown site");
      const SiteSpec &s1 = sp.sites[es.obj1], &s2 = sp.sites[es.obj2];
      e.body1 = s1.body;
      e.body2 = s2.body;
      e.X_body1_frame = localPose(s1.pos, s1.quat);
      e.X_body2_frame = localPose(s2.pos, s2.quat);
    } else {
      check(es.obj1 >= 0 && es.obj1 < nbody && es.obj2 >= 0 && es.obj2 < nbody, "unknown body");
      e.body1 = es.obj1;
      e.body2 = es.obj2;
      const Pose B1 = bodyPose(m, s, e.body1), B2 = bodyPose(m, s, e.body2);
      if (es.type == EqualitySpec::kConnect) {
        // anchor on body1; the same point at qpos0 in body2's frame
        e.X_body1_frame.p = es.anchor;
        e.X_body2_frame.p = B2.R.transpose() * (B1.p + B1.R * es.anchor - B2.p);
      } else {
        // anchor on body2; relpose (body2's anchor and frame seen from body1), or qpos0's
        e.X_body2_frame.p = es.anchor;
        const Quat rq(es.relpose[3], es.relpose[4], es.relpose[5], es.relpose[6]);
        for (double x : es.relpose) check(std::isfinite(x), "non-finite relpose");
        if (rq.coeffs().norm() > 0) {
          e.X_body1_frame.p = Vec3(es.relpose[0], es.relpose[1], es.relpose[2]);
          e.relR = rq.normalized().toRotationMatrix();
        } else {
          e.X_body1_frame.p = B1.R.transpose() * (B2.p + B2.R * es.anchor - B1.p);
          e.relR = B1.R.transpose() * B2.R;
        }
      }
    }
    check(e.body1 != e.body2, "both sides are the same body");
    if (m.bodyLink[e.body1] < 0 && m.bodyLink[e.body2] < 0) continue;  // nothing moves: no effect
    m.equalities.push_back(e);
  }
}

// Tendons of the spec resolved to dofs or sites and checked, with length0, invweight0 = J M⁻¹ Jᵀ
// (from M⁻¹ at qpos0) and the spring lengths: at the joints' springref (MuJoCo's qpos_spring)
// when springlength is −1 −1.
void compileTendons(Model& m, const Eigen::MatrixXd& Minv) {
  const ModelSpec& sp = m.spec;
  m.tendons.clear();
  for (const TendonSpec& ts : sp.tendons) {
    auto check = [&](bool ok, const std::string& what) {
      if (!ok) fail(at(ts.where, sp.source), "tendon" + (ts.name.empty() ? "" : " '" + ts.name + "'") + ": " + what);
    };
    Tendon T;
    T.type = ts.type;
    if (ts.type == TendonSpec::kFixed) {
      check(!ts.joints.empty() && ts.joints.size() == ts.coefs.size(), "a fixed tendon needs joints");
      bool nonzero = false;
      for (size_t k = 0; k < ts.joints.size(); ++k) {
        const int j = ts.joints[k];
        check(j >= 0 && j < (int)sp.joints.size(), "unknown joint");
        check(sp.joints[j].type == SIM_JOINT_HINGE || sp.joints[j].type == SIM_JOINT_SLIDE,
              "joint '" + sp.joints[j].name + "' is not a hinge or slide");
        check(std::isfinite(ts.coefs[k]), "non-finite coefficient");
        nonzero = nonzero || ts.coefs[k] != 0;
        T.dof.push_back(m.jntDofAdr[j]);
        T.qpos.push_back(m.jntQposAdr[j]);
        T.coef.push_back(ts.coefs[k]);
      }
      check(nonzero, "every joint coefficient is zero (the tendon has no length)");
    } else {
      check(ts.sites.size() >= 2, "a spatial tendon needs at least two sites");
      for (int i : ts.sites) check(i >= 0 && i < m.nsite(), "unknown site");
      T.sites = ts.sites;
    }
    for (double x : ts.limitSolref) check(std::isfinite(x), "non-finite solreflimit");
    for (double x : ts.frictionSolref) check(std::isfinite(x), "non-finite solreffriction");
    for (double x : ts.limitSolimp) check(std::isfinite(x), "non-finite solimplimit");
    for (double x : ts.frictionSolimp) check(std::isfinite(x), "non-finite solimpfriction");
    check(std::isfinite(ts.margin) && std::isfinite(ts.range[0]) && std::isfinite(ts.range[1]),
          "non-finite range or margin");
    check(!ts.limited || ts.range[0] < ts.range[1], "range: the lower limit must be below the upper");
    check(std::isfinite(ts.frictionloss) && ts.frictionloss >= 0, "frictionloss must be finite and >= 0");
    check(std::isfinite(ts.stiffness) && ts.stiffness >= 0 && std::isfinite(ts.damping) && ts.damping >= 0,
          "stiffness and damping must be finite and >= 0");
    check(std::isfinite(ts.springlength[0]) && std::isfinite(ts.springlength[1]), "non-finite springlength");
    check(ts.springlength[0] <= ts.springlength[1], "springlength: the lower bound is above the upper");
    T.limited = ts.limited;
    std::copy(ts.range, ts.range + 2, T.range);
    T.margin = ts.margin;
    std::copy(ts.limitSolref, ts.limitSolref + 2, T.limitSolref);
    std::copy(ts.limitSolimp, ts.limitSolimp + 5, T.limitSolimp);
    T.frictionloss = ts.frictionloss;
    std::copy(ts.frictionSolref, ts.frictionSolref + 2, T.frictionSolref);
    std::copy(ts.frictionSolimp, ts.frictionSolimp + 5, T.frictionSolimp);
    T.stiffness = ts.stiffness;
    T.damping = ts.damping;
    m.tendons.push_back(T);
  }
  if (m.tendons.empty()) return;
  // lengths at qpos0 (length0, invweight0 = J M⁻¹ Jᵀ) and at the springs' reference (MuJoCo's
  // qpos_spring: springref on hinges and slides): springlength −1 −1 takes that length
  State s;
  makeState(m, s);
  kinematics(m, s);
  tendonKinematics(m, s);
  const int nv = m.nv;
  for (int t = 0; t < m.ntendon(); ++t) {
    Tendon& T = m.tendons[t];
    T.length0 = s.tenLength[t];
    const Eigen::Map<const Eigen::VectorXd> J(&s.tenJ[(size_t)t * nv], nv);
    T.invweight0 = nv > 0 ? J.dot(Minv * J) : 0.0;
  }
  for (int i = 0; i < nv; ++i)
    if (m.links[i].type == SIM_JOINT_HINGE || m.links[i].type == SIM_JOINT_SLIDE)
      s.qpos[m.links[i].qposAdr] = m.springref[i];
  kinematics(m, s);
  tendonKinematics(m, s);
  for (int t = 0; t < m.ntendon(); ++t) {
    const TendonSpec& ts = sp.tendons[t];
    Tendon& T = m.tendons[t];
    if (ts.springlength[0] == -1 && ts.springlength[1] == -1) {
      T.lengthspring[0] = T.lengthspring[1] = s.tenLength[t];
    } else {
      T.lengthspring[0] = ts.springlength[0];
      T.lengthspring[1] = ts.springlength[1];
    }
  }
}

// What the implicit integrators need of the tree (MuJoCo's body_simple and mj_isFreeBody):
// the dofs of "simple" bodies, whose rows of M hold only the diagonal — a leaf body at the root
// (or on a static child of the world) with its inertial frame its own, joints through its origin,
// hinges and slides along a coordinate axis, no joint after a rotational one; and the standalone
// free bodies — a free joint with nothing moving or massive below it.
void compileImplicit(Model& m) {
  const ModelSpec& sp = m.spec;
  const int nbody = (int)sp.bodies.size();
  std::vector<char> isParent(nbody, 0), hasDof(nbody, 0), simple(nbody, 0);
  for (int b = 1; b < nbody; ++b) isParent[sp.bodies[b].parent] = 1;
  for (const JointSpec& j : sp.joints) hasDof[j.body] = 1;
  for (int b = 1; b < nbody; ++b) {
    const BodySpec& bs = sp.bodies[b];
    const int p = bs.parent;
    simple[b] = !isParent[b] && bs.com.norm() < 1e-14 && bs.iquat.normalized().vec().norm() < 1e-14 &&
                (p == 0 || (sp.bodies[p].parent == 0 && !hasDof[p]));
  }
  std::vector<char> rotation(nbody, 0);
  for (const JointSpec& j : sp.joints) {  // in body order, each body's joints in file order
    const int nonzero = (std::abs(j.axis[0]) > 1e-14) + (std::abs(j.axis[1]) > 1e-14) +
                        (std::abs(j.axis[2]) > 1e-14);
    if (rotation[j.body] || j.pos.norm() >= 1e-14 ||
        ((j.type == SIM_JOINT_HINGE || j.type == SIM_JOINT_SLIDE) && nonzero != 1))
      simple[j.body] = 0;
    if (j.type == SIM_JOINT_HINGE || j.type == SIM_JOINT_BALL) rotation[j.body] = 1;
  }
  m.dofSimple.assign(m.nv, 0);
  for (int i = 0; i < m.nv; ++i) m.dofSimple[i] = simple[sp.joints[m.dofJoint[i]].body];
  // standalone free bodies: no link below the free joint's last, no mass welded below the body
  std::vector<char> hasChildLink(m.nv, 0);
  for (const Link& L : m.links)
    if (L.parent >= 0) hasChildLink[L.parent] = 1;
  m.freeBodyDof.clear();
  for (size_t j = 0; j < sp.joints.size(); ++j) {
    if (sp.joints[j].type != SIM_JOINT_FREE) continue;
    const int dof = m.jntDofAdr[j], body = sp.joints[j].body;
    bool standalone = !hasChildLink[dof + 5];
    for (int b = 1; b < nbody; ++b)
      if (b != body && m.bodyLink[b] == dof + 5 && sp.bodies[b].mass > 0) standalone = false;
    if (standalone) m.freeBodyDof.push_back(dof);
  }
}

}  // namespace

Model compileModel(ModelSpec spec) {
  Model m;
  const int nbody = (int)spec.bodies.size();
  if (nbody == 0) fail(spec.source, "model has no world body");

  // Joints of each body, in order.
  std::vector<std::vector<int>> bodyJoints(nbody);
  for (int j = 0; j < (int)spec.joints.size(); ++j) {
    const JointSpec& js = spec.joints[j];
    if (js.body <= 0 || js.body >= nbody)
      fail(at(js.where, spec.source), "joint '" + js.name + "' is not inside a moving body");
    if (!bodyJoints[js.body].empty() && bodyJoints[js.body].back() != j - 1)
      fail(at(js.where, spec.source), "joints must be listed body by body");
    bodyJoints[js.body].push_back(j);
  }

  // Links and body frames, root to leaves.
  m.bodyLink.assign(nbody, -1);
  m.X_link_body.assign(nbody, Pose{});
  for (int b = 1; b < nbody; ++b) {
    const BodySpec& bs = spec.bodies[b];
    if (bs.parent < 0 || bs.parent >= b)
      fail(at(bs.where, spec.source), "body '" + bs.name + "' has a missing or later parent");
    const Pose inParentLink = compose(m.X_link_body[bs.parent], localPose(bs.pos, bs.quat));
    if (bodyJoints[b].empty()) {  // welded to its parent
      m.bodyLink[b] = m.bodyLink[bs.parent];
      m.X_link_body[b] = inParentLink;
      continue;
    }
    int parentLink = m.bodyLink[bs.parent];
    Pose zero = inParentLink;
    for (int j : bodyJoints[b]) {
      const JointSpec& js = spec.joints[j];
      const double axisNorm = js.axis.norm();
      const bool multi = js.type == SIM_JOINT_BALL || js.type == SIM_JOINT_FREE;
      if (js.type < SIM_JOINT_HINGE || js.type > SIM_JOINT_FREE)
        fail(at(js.where, spec.source), "joint '" + js.name + "' has an unknown type");
      if (!multi && !(axisNorm > 1e-12))
        fail(at(js.where, spec.source), "joint '" + js.name + "' has a zero axis");
      if (js.type == SIM_JOINT_FREE) {
        // MuJoCo: qpos of a free joint is the body's world pose, so it must be the body's only
        // joint, on a body that nothing else moves
        if (bodyJoints[b].size() != 1)
          fail(at(js.where, spec.source), "free joint '" + js.name + "' must be the only joint of its body");
        if (parentLink >= 0)
          fail(at(js.where, spec.source), "free joint '" + js.name +
                                              "' is on a body whose parent moves: free joints need a body fixed to the world");
      }
      m.jntQposAdr.push_back(m.nq);
      m.jntDofAdr.push_back((int)m.links.size());
      const int ndof = js.type == SIM_JOINT_FREE ? 6 : js.type == SIM_JOINT_BALL ? 3 : 1;
      for (int k = 0; k < ndof; ++k) {
        Link link;
        link.parent = parentLink;
        link.type = js.type;
        link.sub = k;
        link.qposAdr = m.nq;
        if (!multi) {
          link.axis = js.axis / axisNorm;
          link.anchor = js.pos;
          link.rot = js.type == SIM_JOINT_HINGE;
        } else {
          // ball: rotations about the body axes through the anchor; free: world translations,
          // then rotations about the body axes through the body origin (as MuJoCo)
          const int axisIndex = js.type == SIM_JOINT_FREE ? k % 3 : k;
          link.axis = Vec3::Unit(axisIndex);
          link.rot = !(js.type == SIM_JOINT_FREE && k < 3);
          link.anchor = js.type == SIM_JOINT_BALL ? js.pos : Vec3::Zero();
          link.continues = link.rot && k != (js.type == SIM_JOINT_FREE ? 3 : 0);
        }
        link.X_parent_zero = (k == 0 && js.type != SIM_JOINT_FREE) ? zero : Pose{};
        // Motion subspace in link coordinates (RBDA Table 4.1, shifted to the anchor).
        if (link.rot) link.S << link.axis, link.anchor.cross(link.axis);
        else link.S << Vec3::Zero(), link.axis;
        if (js.type == SIM_JOINT_HINGE || js.type == SIM_JOINT_BALL) {
          const Mat3 K = skew(link.axis);
          link.R0K = link.X_parent_zero.R * K;
          link.R0K2 = link.X_parent_zero.R * K * K;
          link.p0anchor = link.X_parent_zero.p + link.X_parent_zero.R * link.anchor;
        }
        parentLink = (int)m.links.size();
        m.links.push_back(link);
        m.dofJoint.push_back(j);
      }
      // reference configuration: hinge/slide ref, identity quaternion, the free body's pose
      if (js.type == SIM_JOINT_FREE) {
        const Quat q(zero.R);
        m.qpos0.insert(m.qpos0.end(), {zero.p.x(), zero.p.y(), zero.p.z(), q.w(), q.x(), q.y(), q.z()});
      } else if (js.type == SIM_JOINT_BALL) {
        m.qpos0.insert(m.qpos0.end(), {1.0, 0.0, 0.0, 0.0});
      } else {
        m.qpos0.push_back(js.ref);
      }
      m.nq = (int)m.qpos0.size();
      zero = Pose{};  // later joints of the same body act in the frame the previous ones moved
    }
    m.bodyLink[b] = parentLink;
    m.X_link_body[b] = Pose{};
  }
  m.nv = (int)m.links.size();

  // Mass of every body, moved into its link's frame.
  for (int b = 1; b < nbody; ++b) {
    const BodySpec& bs = spec.bodies[b];
    if (!(bs.mass >= 0) || !std::isfinite(bs.mass))
      fail(at(bs.where, spec.source), "body '" + bs.name + "' has negative or non-finite mass");
    const int l = m.bodyLink[b];
    if (l < 0 || bs.mass == 0) continue;
    const Pose& X = m.X_link_body[b];
    const Vec3 c = X.p + X.R * bs.com;
    const Mat3 Ic = X.R * bs.inertia * X.R.transpose();
    m.links[l].inertia = m.links[l].inertia + rigidInertiaAbout(bs.mass, c, Ic);
  }

  // Bodies the medium acts on: moving, with mass (MuJoCo's inertia-box fluid model).
  if (spec.fluidDensity > 0 || spec.fluidViscosity > 0) {
    for (int b = 1; b < nbody; ++b) {
      const BodySpec& bs = spec.bodies[b];
      if (m.bodyLink[b] < 0 || bs.mass < 1e-15) continue;
      const Mat3 Ri = bs.iquat.normalized().toRotationMatrix();
      const Vec3 I = (Ri.transpose() * bs.inertia * Ri).diagonal();  // principal moments
      FluidBody f;
      f.link = m.bodyLink[b];
      const Pose& X = m.X_link_body[b];
      f.X_link_inertial = Pose{X.R * Ri, X.p + X.R * bs.com};
      for (int k = 0; k < 3; ++k) {
        const double d = I[(k + 1) % 3] + I[(k + 2) % 3] - I[k];
        f.box[k] = std::sqrt(std::max(1e-15, d) / bs.mass * 6.0);
      }
      m.fluid.push_back(f);
    }
  }

  for (Link& link : m.links) {
    const RigidInertia& I = link.inertia;
    link.mass = I.m;
    link.com = I.m > 0 ? Vec3(I.h / I.m) : Vec3::Zero();
    link.Icom = I.Ibar - I.m * (link.com.squaredNorm() * Mat3::Identity() - link.com * link.com.transpose());
  }

  // Sites.
  for (const SiteSpec& ss : spec.sites) {
    if (ss.body < 0 || ss.body >= nbody) fail(at(ss.where, spec.source), "site '" + ss.name + "' has no body");
    m.siteLink.push_back(m.bodyLink[ss.body]);
    m.X_link_site.push_back(compose(m.X_link_body[ss.body], localPose(ss.pos, ss.quat)));
  }

  // Per-dof parameters: a ball's or free joint's value repeats on each of its dofs; limits
  // (hinge, slide, ball) belong to the joint's first dof.
  auto pushDof = [&m](const JointSpec& js) {
    m.damping.push_back(js.damping);
    m.armature.push_back(js.armature);
    m.stiffness.push_back(js.stiffness);
    m.springref.push_back(js.springref);
    const bool first = m.limited.size() == (size_t)m.jntDofAdr[m.dofJoint[m.limited.size()]];
    m.limited.push_back(first && js.limited && js.type != SIM_JOINT_FREE ? 1 : 0);
    m.rangeLo.push_back(js.range[0]);
    m.rangeHi.push_back(js.range[1]);
    m.limitTimeconst.push_back(js.limitTimeconst);
    m.limitDampratio.push_back(js.limitDampratio);
    m.limitSolimp.insert(m.limitSolimp.end(), js.limitSolimp, js.limitSolimp + 5);
    m.limitMargin.push_back(js.margin);
    m.frictionloss.push_back(js.frictionloss);
    m.frictionSolref.insert(m.frictionSolref.end(), js.frictionSolref, js.frictionSolref + 2);
    m.frictionSolimp.insert(m.frictionSolimp.end(), js.frictionSolimp, js.frictionSolimp + 5);
    m.actfrcLimited.push_back(js.actfrcLimited ? 1 : 0);
    m.actfrcLo.push_back(js.actfrcRange[0]);
    m.actfrcHi.push_back(js.actfrcRange[1]);
  };
  for (const JointSpec& js : spec.joints) {
    const std::string where = at(js.where, spec.source);
    auto nonNegative = [&](double x, const char* what) {
      if (!(x >= 0) || !std::isfinite(x))
        fail(where, "joint '" + js.name + "' has " + what + " " + std::to_string(x) + " (must be finite and >= 0)");
    };
    nonNegative(js.damping, "damping");
    nonNegative(js.armature, "armature");
    nonNegative(js.stiffness, "stiffness");
    if (js.limited && !(js.range[0] < js.range[1]))
      fail(where, "joint '" + js.name + "' has range [" + std::to_string(js.range[0]) + ", " +
                      std::to_string(js.range[1]) + "]: the lower limit must be below the upper");
    // solref: both positive (time constant, damping ratio) or both ≤ 0 (−stiffness, −damping)
    auto checkSolref = [&](double a, double b, const char* what) {
      if (!std::isfinite(a) || !std::isfinite(b) || ((a > 0) != (b > 0)) || (a == 0 && b == 0))
        fail(where, "joint '" + js.name + "' has " + what + " '" + std::to_string(a) + " " +
                        std::to_string(b) + "': give 'timeconst dampratio' (both > 0) or "
                        "'-stiffness -damping' (both <= 0, not both 0)");
    };
    auto checkSolimp = [&](const double* v, const char* what) {
      for (int k = 0; k < 5; ++k)
        if (!std::isfinite(v[k]))
          fail(where, "joint '" + js.name + "' has a non-finite " + what);
    };
    checkSolref(js.limitTimeconst, js.limitDampratio, "solreflimit");
    checkSolref(js.frictionSolref[0], js.frictionSolref[1], "solreffriction");
    checkSolimp(js.limitSolimp, "solimplimit");
    checkSolimp(js.frictionSolimp, "solimpfriction");
    nonNegative(js.frictionloss, "frictionloss");
    if (!std::isfinite(js.margin)) fail(where, "joint '" + js.name + "' has a non-finite margin");
    const bool multi = js.type == SIM_JOINT_BALL || js.type == SIM_JOINT_FREE;
    if (multi && (js.stiffness != 0 || js.springdamper[0] > 0))
      fail(where, "joint '" + js.name + "': stiffness on ball and free joints is not supported yet");
    if (js.type == SIM_JOINT_BALL && js.limited && !(js.range[0] == 0 && js.range[1] > 0))
      fail(where, "ball joint '" + js.name + "' has range [" + std::to_string(js.range[0]) + ", " +
                      std::to_string(js.range[1]) + "]: MuJoCo's ball limit is '0 angle' with angle > 0");
    const int ndof = js.type == SIM_JOINT_FREE ? 6 : js.type == SIM_JOINT_BALL ? 3 : 1;
    for (int k = 0; k < ndof; ++k) pushDof(js);
  }

  // Actuators.
  for (const ActuatorSpec& as : spec.actuators) {
    const std::string where = at(as.where, spec.source);
    if (as.body >= 0) {
      if (as.body >= (int)spec.bodies.size() || as.joint >= 0 || as.tendon >= 0)
        fail(where, "actuator '" + as.name + "' has a body transmission to an unknown body, or a second transmission");
    } else if (as.tendon >= 0) {
      if (as.tendon >= (int)spec.tendons.size() || as.joint >= 0)
        fail(where, "actuator '" + as.name + "' drives an unknown tendon");
    } else {
      if (as.joint < 0 || as.joint >= (int)spec.joints.size())
        fail(where, "actuator '" + as.name + "' drives no joint");
      const int jt = spec.joints[as.joint].type;
      if (jt == SIM_JOINT_BALL || jt == SIM_JOINT_FREE)
        fail(where, "actuator '" + as.name + "' drives a ball or free joint: only hinge and slide joints can be driven yet");
    }
    if (!std::isfinite(as.gear) || as.gear == 0)
      fail(where, "actuator '" + as.name + "' has gear " + std::to_string(as.gear) + " (must be finite and non-zero)");
    if (as.ctrlLimited && !(as.ctrlRange[0] <= as.ctrlRange[1]))
      fail(where, "actuator '" + as.name + "' has ctrlrange with lower > upper");
    m.actJoint.push_back(as.joint);
    m.actTendon.push_back(as.tendon);
    m.anyTendonActuator = m.anyTendonActuator || as.tendon >= 0;
    const bool onJoint = as.tendon < 0 && as.body < 0;
    m.actDof.push_back(onJoint ? m.jntDofAdr[as.joint] : -1);
    m.actQpos.push_back(onJoint ? m.jntQposAdr[as.joint] : -1);
    m.actBody.push_back(as.body);
    m.actMomentRow.push_back(as.body >= 0 ? m.nBodyActuators++ : -1);
    m.actGear.push_back(as.gear);
    m.ctrlLimited.push_back(as.ctrlLimited ? 1 : 0);
    m.ctrlLo.push_back(as.ctrlRange[0]);
    m.ctrlHi.push_back(as.ctrlRange[1]);
    if (!std::isfinite(as.gain[0]) || !std::isfinite(as.gain[1]) || !std::isfinite(as.gain[2]) ||
        !std::isfinite(as.bias[0]) || !std::isfinite(as.bias[1]) || !std::isfinite(as.bias[2]))
      fail(where, "actuator '" + as.name + "' has a non-finite gain or bias");
    if (as.forceLimited && !(as.forceRange[0] <= as.forceRange[1]))
      fail(where, "actuator '" + as.name + "' has forcerange with lower > upper");
    for (int k = 0; k < 3; ++k) m.actGain.push_back(as.gain[k]);
    for (int k = 0; k < 3; ++k) m.actBias.push_back(as.bias[k]);
    if (as.dyntype != kDynNone) {
      if (as.dyntype != kDynIntegrator && as.dyntype != kDynFilter && as.dyntype != kDynFilterExact)
        fail(where, "actuator '" + as.name + "' has an unknown dyntype");
      if (!std::isfinite(as.tau) || ((as.dyntype == kDynFilter || as.dyntype == kDynFilterExact) && !(as.tau >= 0)))
        fail(where, "actuator '" + as.name + "': the filter time constant (dynprm[0]) must be finite and >= 0");
      if (as.actLimited && !(as.actRange[0] <= as.actRange[1] && std::isfinite(as.actRange[0]) &&
                             std::isfinite(as.actRange[1])))
        fail(where, "actuator '" + as.name + "' has actrange with lower > upper");
    }
    m.actAdr.push_back(as.dyntype != kDynNone ? m.na++ : -1);
    m.actDyn.push_back(as.dyntype);
    m.actTau.push_back(as.tau);
    m.actLimited.push_back(as.actLimited ? 1 : 0);
    m.actLo.push_back(as.actRange[0]);
    m.actHi.push_back(as.actRange[1]);
    m.actEarly.push_back(as.actEarly ? 1 : 0);
    m.forceLimited.push_back(as.forceLimited ? 1 : 0);
    m.forceLo.push_back(as.forceRange[0]);
    m.forceHi.push_back(as.forceRange[1]);
  }
  m.nu = (int)m.actJoint.size();

  if (!(spec.timestep > 0) || !std::isfinite(spec.timestep))
    fail(spec.source, "timestep must be positive and finite");
  if (!spec.gravity.allFinite()) fail(spec.source, "gravity must be finite");
  {
    const SolverOptions& o = spec.solver;
    if (o.solver != SIM_SOLVER_PGS && o.solver != SIM_SOLVER_CG && o.solver != SIM_SOLVER_NEWTON)
      fail(spec.source, "unknown constraint solver " + std::to_string(o.solver));
    if (o.iterations < 0 || o.lsIterations < 0 || !(o.tolerance >= 0) || !(o.lsTolerance >= 0) ||
        !(o.impratio > 0) || !std::isfinite(o.tolerance) || !std::isfinite(o.lsTolerance) ||
        !std::isfinite(o.impratio))
      fail(spec.source, "solver iterations and tolerances must be >= 0 and impratio > 0");
  }
  m.spec = std::move(spec);
  m.maxConstraintRows = constraintCapacity(m);

  // The mass matrix at qpos0 must be positive definite: every dof must move some mass or
  // carry armature. Its inverse's diagonal weighs the constraint rows (MuJoCo's dof_invweight0).
  Eigen::MatrixXd Minv;
  if (m.nv > 0) {
    State s;
    makeState(m, s);
    kinematics(m, s);  // crba reads the link transforms at qpos0
    Eigen::MatrixXd M(m.nv, m.nv);
    crba(m, s, M.data());  // symmetric, so row/column-major does not matter
    for (int i = 0; i < m.nv; ++i) {
      if (!(M(i, i) > 1e-12)) {
        const JointSpec& js = m.spec.joints[m.dofJoint[i]];
        fail(at(js.where, m.spec.source),
             "joint '" + js.name + "' moves no mass and has no armature, so the mass matrix is singular");
      }
    }
    if (Eigen::LLT<Eigen::MatrixXd>(M).info() != Eigen::Success)
      fail(m.spec.source, "the mass matrix at qpos0 is not positive definite (joints with parallel, coincident axes?)");
    Minv = Eigen::LLT<Eigen::MatrixXd>(M).solve(Eigen::MatrixXd::Identity(m.nv, m.nv));
    m.invweight0.resize(m.nv);
    for (int i = 0; i < m.nv; ++i) m.invweight0[i] = Minv(i, i);
    // a ball's dofs, and a free joint's translations and rotations, share the mean (as MuJoCo)
    for (int i = 0; i < m.nv; ++i) {
      const Link& L = m.links[i];
      if ((L.type == SIM_JOINT_BALL && L.sub == 0) || (L.type == SIM_JOINT_FREE && L.sub % 3 == 0)) {
        const double mean = (Minv(i, i) + Minv(i + 1, i + 1) + Minv(i + 2, i + 2)) / 3;
        for (int k = 0; k < 3; ++k) m.invweight0[i + k] = mean;
      }
    }
    // MuJoCo's "simple" bodies (body_simple == 2) weigh 1/mass instead: a leaf body at the root
    // (or on a static child of the world), its inertial frame its own, moved only by sliders
    // along a coordinate axis through its origin
    const ModelSpec& sp = m.spec;
    const int nbody = (int)sp.bodies.size();
    m.bodySimpleSlider.assign(nbody, 0);
    std::vector<char> isParent(nbody, 0), hasJoint(nbody, 0);
    for (int b = 1; b < nbody; ++b) isParent[sp.bodies[b].parent] = 1;
    for (const JointSpec& j : sp.joints) hasJoint[j.body] = 1;
    for (int b = 1; b < nbody; ++b) {
      const BodySpec& bs = sp.bodies[b];
      const int p = bs.parent;
      bool simple = hasJoint[b] && !isParent[b] && bs.mass > 0 && bs.com.norm() < 1e-14 &&
                    bs.iquat.normalized().vec().norm() < 1e-14 &&
                    (p == 0 || (sp.bodies[p].parent == 0 && !hasJoint[p]));
      for (const JointSpec& j : sp.joints) {
        if (j.body != b) continue;
        const int nonzero = (std::abs(j.axis[0]) > 1e-14) + (std::abs(j.axis[1]) > 1e-14) +
                            (std::abs(j.axis[2]) > 1e-14);
        simple = simple && j.type == SIM_JOINT_SLIDE && j.pos.norm() < 1e-14 && nonzero == 1;
      }
      m.bodySimpleSlider[b] = simple;
    }
    for (int i = 0; i < m.nv; ++i) {
      const int b = sp.joints[m.dofJoint[i]].body;
      if (m.bodySimpleSlider[b]) m.invweight0[i] = 1 / sp.bodies[b].mass;
    }
    m.meanInertia = M.trace() / m.nv;
    // springdamper (MuJoCo's AutoSpringDamper): with the dof's inertia 1/invweight0,
    // stiffness = inertia/(timeconst² dampratio²), damping = 2·inertia/timeconst
    for (int i = 0; i < m.nv; ++i) {
      const JointSpec& js = sp.joints[m.dofJoint[i]];
      if (!(js.springdamper[0] > 0 && js.springdamper[1] > 0)) continue;
      const double tc = js.springdamper[0], dr = js.springdamper[1];
      const double inertia = 1 / std::max(1e-15, m.invweight0[i]);
      m.stiffness[i] = inertia / std::max(1e-15, tc * tc * dr * dr);
      m.damping[i] = 2 * inertia / std::max(1e-15, tc);
    }
  }
  // collision pairs and contact weights; the constraint rows they need
  std::string unsupported;
  compileCollision(m, unsupported);
  if (!unsupported.empty()) {
    const std::string line = m.spec.source + ": contacts not simulated for " + unsupported;
    m.spec.warnings += (m.spec.warnings.empty() ? "" : "; ") + line;
  }
  compileTendons(m, Minv);
  compileEqualities(m);
  m.maxConstraintRows = constraintCapacity(m);
  compileImplicit(m);
  compileTree(m);
  if (const char* why = integratorUnsupported(m, m.spec.integrator)) fail(m.spec.source, why);
  return m;
}

}  // namespace sim
