// kinematics.cpp — forward kinematics, body/site poses and site Jacobians.
#include <cmath>

#include "state.hpp"

namespace sim {

void makeState(const Model& m, State& s) {
  const size_t nv = m.nv, nu = m.nu;
  s.qpos = m.qpos0;
  s.qvel.assign(nv, 0.0);
  s.qacc.assign(nv, 0.0);
  s.ctrl.assign(nu, 0.0);
  s.time = 0;
  s.X_parent_link.assign(nv, Transform{});
  s.X_world_link.assign(nv, Pose{});
  for (auto* vec : {&s.v, &s.c, &s.a, &s.pA, &s.U, &s.f, &s.S}) vec->assign(nv, Vec6::Zero());
  s.IA.assign(nv, Mat6::Zero());
  s.Iworld.assign(nv, RigidInertia{});
  s.Icomposite.assign(nv, RigidInertia{});
  s.Iv.assign(nv, Vec6::Zero());
  for (auto* vec : {&s.D, &s.u, &s.qfrcApplied, &s.qfrcPassive, &s.tau, &s.qvel0, &s.dqvel,
                    &s.savedQvel})
    vec->assign(nv, 0.0);
  for (auto* vec : {&s.qpos0, &s.savedQpos, &s.dqpos, &s.qposStage}) vec->assign(m.nq, 0.0);
  s.contacts.assign(m.maxContacts, Contact{});
  s.ncon = 0;
  s.gapContacts.assign(m.nBodyActuators > 0 ? m.maxContacts : 0, Contact{});
  s.ngap = 0;
  s.actMoment.assign((size_t)m.nBodyActuators * nv, 0.0);
  s.momentGap.assign(m.nBodyActuators > 0 ? nv : 0, 0.0);
  s.geomPose.assign(m.ngeom(), Pose{});
  s.geomAABB.assign(6 * (size_t)m.ngeom(), 0.0);
  s.sweepOrder = m.sweepGeoms;
  s.pairTested.assign(m.pairs.size(), 1);
  for (auto* vec : {&s.act, &s.actDot, &s.act0, &s.dact, &s.savedAct}) vec->assign(m.na, 0.0);
  s.tenLength.assign(m.ntendon(), 0.0);
  s.tenVelocity.assign(m.ntendon(), 0.0);
  s.tenJ.assign((size_t)m.ntendon() * nv, 0.0);
  s.jacA.assign(3 * nv, 0.0);
  s.jacB.assign(6 * nv, 0.0);
  s.jacR.assign(3 * nv, 0.0);
  // constraint scratch
  const size_t ne = m.maxConstraintRows;
  s.nefc = s.nfriction = 0;
  s.efcJ.assign(ne * nv, 0.0);
  for (auto* vec : {&s.efcPos, &s.efcMargin, &s.efcAref, &s.efcR, &s.efcD, &s.efcFloss,
                    &s.efcForce, &s.efcJar, &s.efcJd})
    vec->assign(ne, 0.0);
  s.efcType.assign(ne, 0);
  s.efcId.assign(ne, 0);
  s.efcNnz.assign(ne, 0);
  s.efcCols.assign(ne * nv, 0);
  for (auto* vec : {&s.qaccSmooth, &s.qfrcSmooth, &s.qaccWarmstart, &s.qaccWarmstartStep, &s.qfrcConstraint})
    vec->assign(nv, 0.0);
  s.actForceVel.assign(nu, 0.0);
  s.actForce.assign(nu, 0.0);
  s.qfrcImplicit.assign(nv, 0.0);
  s.qaccImplicit.assign(nv, 0.0);
  s.qDeriv.setZero(nv, nv);
  s.qH.setZero(nv, nv);
  s.qLU = Eigen::PartialPivLU<Eigen::MatrixXd>((Eigen::Index)nv);
  s.solverIterations = 0;
  s.M.setZero(nv, nv);
  s.H.setZero(nv, nv);
  for (auto* vec : {&s.Mtree, &s.LD, &s.Htree}) vec->assign(m.treeSize, 0.0);
  s.llt = Eigen::LLT<Eigen::MatrixXd>((Eigen::Index)nv);
  for (auto* vec : {&s.Ma, &s.grad, &s.Mgrad, &s.dir, &s.gradPrev, &s.MgradPrev, &s.Mdir})
    vec->setZero(nv);
  const bool dual = m.spec.solver.solver == SIM_SOLVER_PGS;
  s.MinvJt.setZero(dual ? nv : 0, dual ? ne : 0);
  s.AR.setZero(dual ? ne : 0, dual ? ne : 0);
}

// The quaternion of qpos (w, x, y, z) as MuJoCo's mju_normalize4 leaves it: one within 1e-15 of
// unit length is used as is, a zero one becomes the identity.
Quat qposQuat(const double* q) {
  const double n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  if (!(n >= 1e-15)) return Quat::Identity();
  if (std::abs(n - 1) <= 1e-15) return Quat(q[0], q[1], q[2], q[3]);
  const double inv = 1 / n;
  return Quat(q[0] * inv, q[1] * inv, q[2] * inv, q[3] * inv);
}

// R(q) as MuJoCo 4.0.1's mju_quat2Mat, to the last bit (its diagonal is summed as below,
// measured against mujoco.mju_quat2Mat on 3,000 random quaternions), so that poses and the contact
// branches that hang on them (an upright cylinder on a plane) match MuJoCo's.
Mat3 quatMatrix(const Quat& q) {
  const double w = q.w(), x = q.x(), y = q.y(), z = q.z();
  if (w == 1 && x == 0 && y == 0 && z == 0) return Mat3::Identity();
  const double ww = w * w, wx = w * x, wy = w * y, wz = w * z, xx = x * x, xy = x * y, xz = x * z,
               yy = y * y, yz = y * z, zz = z * z;
  Mat3 R;
  R << (ww - yy) + (xx - zz), 2 * (xy - wz), 2 * (xz + wy),
       2 * (xy + wz), (ww + yy) - (xx + zz), 2 * (yz - wx),
       2 * (xz - wy), 2 * (yz + wx), (ww - yy) + (zz - xx);
  return R;
}

// Link pose in its parent: pre-joint frame, then the joint's motion about its anchor/axis.
// As MuJoCo, a hinge/slide coordinate is measured from the reference configuration qpos0; a
// ball's quaternion rotates the pre-joint frame about the anchor; a free joint's qpos is the
// body's world position and orientation. The later links of a ball or free joint share the pose.
void kinematics(const Model& m, State& s) {
  for (int i = 0; i < m.nv; ++i) {
    const Link& L = m.links[i];
    Pose local;
    if (L.type == SIM_JOINT_HINGE) {
      const double q = s.qpos[L.qposAdr] - m.qpos0[L.qposAdr];
      double sq, cq;
#ifdef __GLIBC__
      sincos(q, &sq, &cq);  // one call for both
#else
      sq = std::sin(q);
      cq = std::cos(q);
#endif
      const double vq = 1.0 - cq;
      local.R = L.X_parent_zero.R + sq * L.R0K + vq * L.R0K2;
      local.p = L.p0anchor - local.R * L.anchor;
    } else if (L.type == SIM_JOINT_SLIDE) {
      const double q = s.qpos[L.qposAdr] - m.qpos0[L.qposAdr];
      local.R = L.X_parent_zero.R;
      local.p = L.X_parent_zero.p + L.X_parent_zero.R * (L.axis * q);
    } else if (L.type == SIM_JOINT_BALL && L.sub == 0) {
      // R = R0·R(quat), p = p0 + R0·anchor − R·anchor (rotation about the anchor)
      local.R = L.X_parent_zero.R * quatMatrix(qposQuat(&s.qpos[L.qposAdr]));
      local.p = L.p0anchor - local.R * L.anchor;
    } else if (L.type == SIM_JOINT_FREE && L.sub == 0) {
      local.p = Vec3(s.qpos[L.qposAdr], s.qpos[L.qposAdr + 1], s.qpos[L.qposAdr + 2]);
    } else if (L.type == SIM_JOINT_FREE && L.sub == 3) {
      local.R = quatMatrix(qposQuat(&s.qpos[L.qposAdr + 3]));
    }  // other links of a ball or free joint: identity in the previous one
    s.X_parent_link[i] = Transform::fromPose(local.R, local.p);
    if (L.parent < 0) {
      s.X_world_link[i] = local;
    } else {
      const Pose& P = s.X_world_link[L.parent];
      s.X_world_link[i] = Pose{P.R * local.R, P.p + P.R * local.p};
    }
  }
}

Pose bodyPose(const Model& m, const State& s, int b) {
  const int l = m.bodyLink[b];
  const Pose& X = m.X_link_body[b];
  if (l < 0) return X;
  const Pose& W = s.X_world_link[l];
  return Pose{W.R * X.R, W.p + W.R * X.p};
}

Vec3 sitePosition(const Model& m, const State& s, int i) {
  const int l = m.siteLink[i];
  const Vec3& p = m.X_link_site[i].p;
  if (l < 0) return p;
  const Pose& W = s.X_world_link[l];
  return W.p + W.R * p;
}

// Column j of the site Jacobian is the world velocity of the site point due to dof j, for every
// dof j on the path from the site's link to the root: rotation ω = a, v = a × (p − anchor);
// translation v = a.
void siteJacobian(const Model& m, const State& s, int i, double* jacp, double* jacr) {
  const int nv = m.nv;
  if (jacp) std::fill(jacp, jacp + 3 * nv, 0.0);
  if (jacr) std::fill(jacr, jacr + 3 * nv, 0.0);
  const Vec3 p = sitePosition(m, s, i);
  for (int j = m.siteLink[i]; j >= 0; j = m.links[j].parent) {
    const Link& L = m.links[j];
    const Pose& W = s.X_world_link[j];
    const Vec3 axis = W.R * L.axis;
    Vec3 lin, ang;
    if (L.rot) {
      ang = axis;
      lin = axis.cross(p - (W.p + W.R * L.anchor));
    } else {
      ang.setZero();
      lin = axis;
    }
    for (int r = 0; r < 3; ++r) {
      if (jacp) jacp[r * nv + j] = lin[r];
      if (jacr) jacr[r * nv + j] = ang[r];
    }
  }
}

void pointJacobian(const Model& m, const State& s, int link, const Vec3& point, double sign,
                   double* jacp) {
  const int nv = m.nv;
  for (int j = link; j >= 0; j = m.links[j].parent) {
    const Link& L = m.links[j];
    const Pose& W = s.X_world_link[j];
    const Vec3 axis = W.R * L.axis;
    const Vec3 lin = L.rot ? Vec3(axis.cross(point - (W.p + W.R * L.anchor))) : axis;
    for (int r = 0; r < 3; ++r) jacp[r * nv + j] += sign * lin[r];
  }
}

void velocityBias(const Model& m, State& s) {
  Vec6 vBefore = Vec6::Zero();
  for (int i = 0; i < m.nv; ++i) {
    const Link& L = m.links[i];
    const Vec6 S = motionSubspace(L, s.X_world_link[i]);
    const Vec6 vJ = S * s.qvel[i];
    if (!L.continues) vBefore = L.parent < 0 ? Vec6::Zero() : s.v[L.parent];
    s.v[i] = L.parent < 0 ? vJ : Vec6(s.v[L.parent] + vJ);
    const Vec6 c = crossMotion(vBefore, vJ);
    s.a[i] = L.parent < 0 ? c : Vec6(s.a[L.parent] + c);
  }
}

Vec3 pointBiasAcceleration(const State& s, int link, const Vec3& p) {
  if (link < 0) return Vec3::Zero();
  const Vec3 w = s.v[link].head<3>(), vo = s.v[link].tail<3>();
  const Vec3 alpha = s.a[link].head<3>(), ao = s.a[link].tail<3>();
  return ao + alpha.cross(p) + w.cross(vo + w.cross(p));
}

void rotationJacobian(const Model& m, const State& s, int link, double sign, double* jacr) {
  const int nv = m.nv;
  for (int j = link; j >= 0; j = m.links[j].parent) {
    const Link& L = m.links[j];
    if (!L.rot) continue;
    const Vec3 axis = s.X_world_link[j].R * L.axis;
    for (int r = 0; r < 3; ++r) jacr[r * nv + j] += sign * axis[r];
  }
}

bool allFinite(const double* x, size_t n) {
  double acc = 0;
  for (size_t i = 0; i < n; ++i) acc += x[i] * 0.0;  // NaN or ±inf turn the sum into NaN
  return acc == 0.0;
}

}  // namespace sim
