// spatial.hpp — spatial (6-D) vector algebra after Featherstone, "Rigid Body Dynamics
// Algorithms" (RBDA), ch. 2. Motion vectors are (angular ω; linear v at the frame origin),
// force vectors (moment n about the origin; force f).
#pragma once

#include "model.hpp"

namespace sim {

inline Mat3 skew(const Vec3& v) {
  Mat3 S;
  S << 0, -v.z(), v.y(), v.z(), 0, -v.x(), -v.y(), v.x(), 0;
  return S;
}

/// Plücker transform from frame A to frame B (RBDA eq. 2.24): E rotates A coordinates into B
/// coordinates, r is B's origin in A coordinates.
struct Transform {
  Mat3 E = Mat3::Identity();
  Vec3 r = Vec3::Zero();

  /// B's pose in A (rotation R = E^T, origin r) as a transform from A to B.
  static Transform fromPose(const Mat3& R, const Vec3& p) { return Transform{R.transpose(), p}; }

  /// X m: motion vector from A to B coordinates.
  Vec6 applyMotion(const Vec6& m) const {
    Vec6 out;
    const Vec3 w = m.head<3>();
    out.head<3>() = E * w;
    out.tail<3>() = E * (m.tail<3>() - r.cross(w));
    return out;
  }
  /// X^T f: force vector from B back to A coordinates (RBDA eq. 2.25, X* inverse).
  Vec6 applyTransposeForce(const Vec6& f) const {
    Vec6 out;
    const Vec3 fA = E.transpose() * f.tail<3>();
    out.head<3>() = E.transpose() * f.head<3>() + r.cross(fA);
    out.tail<3>() = fA;
    return out;
  }
  /// X^T I X: a (possibly articulated) spatial inertia from B back to A coordinates,
  /// done blockwise: I = [[A, B], [B^T, C]] rotated, then shifted by r (RBDA §2.13).
  Mat6 transformInertiaToParent(const Mat6& I) const {
    const Mat3 Et = E.transpose();
    const Mat3 A = Et * I.topLeftCorner<3, 3>() * E;
    const Mat3 B = Et * I.topRightCorner<3, 3>() * E;
    const Mat3 C = Et * I.bottomRightCorner<3, 3>() * E;
    const Mat3 rx = skew(r);
    const Mat3 Brx = B * rx;
    const Mat3 Bs = B + rx * C;
    Mat6 out;
    out.topLeftCorner<3, 3>() = A - Brx - Brx.transpose() - rx * C * rx;
    out.topRightCorner<3, 3>() = Bs;
    out.bottomLeftCorner<3, 3>() = Bs.transpose();
    out.bottomRightCorner<3, 3>() = C;
    return out;
  }
  /// Composition: (this ∘ inner) maps C → B when inner maps C → A and this maps A → B.
  Transform operator*(const Transform& inner) const {
    return Transform{E * inner.E, inner.r + inner.E.transpose() * r};
  }
};

/// m1 ×m m2 (RBDA eq. 2.31).
inline Vec6 crossMotion(const Vec6& m1, const Vec6& m2) {
  Vec6 out;
  const Vec3 w = m1.head<3>(), v = m1.tail<3>();
  out.head<3>() = w.cross(m2.head<3>());
  out.tail<3>() = w.cross(m2.tail<3>()) + v.cross(m2.head<3>());
  return out;
}

/// m ×* f (RBDA eq. 2.32).
inline Vec6 crossForce(const Vec6& m, const Vec6& f) {
  Vec6 out;
  const Vec3 w = m.head<3>(), v = m.tail<3>();
  out.head<3>() = w.cross(f.head<3>()) + v.cross(f.tail<3>());
  out.tail<3>() = w.cross(f.tail<3>());
  return out;
}

/// Rigid spatial inertia times a motion: (Ibar ω + h × v, m v − h × ω) (RBDA eq. 2.63).
inline Vec6 inertiaTimes(const RigidInertia& I, const Vec6& m) {
  Vec6 out;
  const Vec3 w = m.head<3>(), v = m.tail<3>();
  out.head<3>() = I.Ibar * w + I.h.cross(v);
  out.tail<3>() = I.m * v - I.h.cross(w);
  return out;
}

/// The 6x6 matrix of a rigid inertia: [[Ibar, h×], [(h×)^T, m 1]].
inline Mat6 inertiaMatrix(const RigidInertia& I) {
  Mat6 out;
  const Mat3 hx = skew(I.h);
  out.topLeftCorner<3, 3>() = I.Ibar;
  out.topRightCorner<3, 3>() = hx;
  out.bottomLeftCorner<3, 3>() = hx.transpose();
  out.bottomRightCorner<3, 3>() = I.m * Mat3::Identity();
  return out;
}

/// Rigid inertia of mass m with centre c and rotational inertia Ic about c, all expressed in
/// one frame, as an inertia about that frame's origin (parallel-axis theorem).
inline RigidInertia rigidInertiaAbout(double m, const Vec3& c, const Mat3& Ic) {
  RigidInertia I;
  I.m = m;
  I.h = m * c;
  I.Ibar = Ic + m * (c.squaredNorm() * Mat3::Identity() - c * c.transpose());
  return I;
}

/// Sum of rigid inertias expressed in the same frame.
inline RigidInertia operator+(const RigidInertia& a, const RigidInertia& b) {
  return RigidInertia{a.m + b.m, a.h + b.h, a.Ibar + b.Ibar};
}

/// Rotation about a unit axis by an angle (Rodrigues).
inline Mat3 axisRotation(const Vec3& axis, double angle) {
  return Eigen::AngleAxisd(angle, axis).toRotationMatrix();
}

}  // namespace sim
