import XCTest
import Simulation

final class KinematicsTests: XCTestCase {
    /// Site Jacobians against central finite differences of site positions.
    func testSiteJacobianMatchesFiniteDifferences() throws {
        for (robot, site) in [("arm7", "ee"), ("reacher2", "fingertip"), ("cartpole", nil), ("pointmass2d", nil)] {
            let model = try RobotModel.builtin(robot)
            let siteIndex = site.flatMap { model.index(of: .site, named: $0) } ?? 0
            guard model.nsite > 0 else { continue }
            var rng = TestRandom(seed: 11)
            let q = model.joints.qpos0.map { $0 + rng.uniform(-0.8, 0.8) }
            let (_, jac) = try model.kinematics(qpos: q, batch: 1, jacobianSite: siteIndex)
            let eps = 1e-6
            for j in 0..<model.nv {
                var plus = q, minus = q
                plus[j] += eps
                minus[j] -= eps
                let sp = try model.kinematics(qpos: plus, batch: 1).sites
                let sm = try model.kinematics(qpos: minus, batch: 1).sites
                for r in 0..<3 {
                    let fd = (sp[siteIndex * 3 + r] - sm[siteIndex * 3 + r]) / (2 * eps)
                    XCTAssertEqual(jac[r * model.nv + j], fd, accuracy: 1e-8, "\(robot) row \(r) dof \(j)")
                }
            }
            // single-state and batched Jacobians agree
            let state = try RobotState(model: model)
            try state.set(qpos: q, qvel: [Double](repeating: 0, count: model.nv))
            XCTAssertEqual(try state.siteJacobian(siteIndex).translational, jac)
        }
    }

    /// Rotational Jacobian: a hinge chain about parallel axes gives ones on the axis row.
    func testRotationalJacobianOfPlanarArm() throws {
        let model = try RobotModel.builtin("reacher2")
        let state = try RobotState(model: model)
        try state.set(qpos: [0.4, -1.1], qvel: [0, 0])
        let jr = try state.siteJacobian(model.index(of: .site, named: "fingertip")!).rotational
        XCTAssertEqual(jr, [0, 0, 0, 0, 1, 1])
    }

    /// Closed-form planar two-link forward kinematics of the reacher's fingertip.
    func testReacherFingertipClosedForm() throws {
        let model = try RobotModel.builtin("reacher2")
        let state = try RobotState(model: model)
        let (a, b) = (0.7, -1.2)
        try state.set(qpos: [a, b], qvel: [0, 0])
        let tip = model.index(of: .site, named: "fingertip")!
        let p = Array(state.sitePositions()[3 * tip..<3 * tip + 3])
        XCTAssertEqual(p[0], 0.1 * cos(a) + 0.11 * cos(a + b), accuracy: 1e-12)
        XCTAssertEqual(p[1], 0.1 * sin(a) + 0.11 * sin(a + b), accuracy: 1e-12)
    }
}
