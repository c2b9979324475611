import XCTest
import Simulation

/// ABA, RNEA and CRBA checked against each other on random states: three algorithms, one answer.
final class DynamicsTests: XCTestCase {
    /// ABA's qacc equals the solution of the CRBA mass-matrix system M qacc = tau − c.
    func testABAMatchesMassMatrixSolve() throws {
        for robot in ["arm7", "chain32", "reacher2", "cartpole", "pointmass2d", "acrobot"] {
            let model = try RobotModel.builtin(robot)
            let state = try RobotState(model: model)
            var rng = TestRandom(seed: 42)
            for _ in 0..<5 {
                let q = model.joints.qpos0.map { $0 + rng.uniform(-1, 1) }
                let v = rng.vector(model.nv, -2, 2)
                let u = rng.vector(model.nu, -1, 1)
                try state.set(qpos: q, qvel: v, ctrl: u)
                try state.forward()
                let qacc = state.qacc
                // tau − c = inverse(0) with the sign flipped: inverse(0) = c − passive
                let bias = try state.inverse(qacc: [Double](repeating: 0, count: model.nv))
                let gear = model.actuators
                var applied = [Double](repeating: 0, count: model.nv)
                for a in 0..<model.nu {
                    let clamped = gear.ctrlRange[a].map { min(max(u[a], $0.0), $0.1) } ?? u[a]
                    applied[gear.joint[a]] += gear.gear[a] * clamped
                }
                let rhs = zip(applied, bias).map { $0 - $1 }
                let expected = choleskySolve(state.massMatrix(), rhs)
                let scale = max(1, expected.map(abs).max()!)
                XCTAssertLessThan(maxAbsDifference(qacc, expected) / scale, 1e-10, robot)
            }
        }
    }

    /// RNEA(q, v, ABA(q, v, τ)) = τ.
    func testInverseOfForwardIsIdentity() throws {
        for robot in ["arm7", "chain32", "reacher2"] {
            let model = try RobotModel.builtin(robot)
            var rng = TestRandom(seed: 7)
            let batch = 16
            let q = (0..<batch).flatMap { _ in model.joints.qpos0.map { $0 + rng.uniform(-0.5, 0.5) } }
            let v = rng.vector(batch * model.nv, -3, 3)
            let tau = rng.vector(batch * model.nv, -5, 5)
            let qacc = try model.forwardDynamics(qpos: q, qvel: v, qfrc: tau, batch: batch)
            let back = try model.inverseDynamics(qpos: q, qvel: v, qacc: qacc, batch: batch)
            XCTAssertLessThan(maxAbsDifference(back, tau), 1e-9, robot)
        }
    }

    /// The mass matrix is symmetric positive definite and v'Mv/2 is the kinetic energy.
    func testMassMatrixIsSymmetricAndGivesKineticEnergy() throws {
        let model = try RobotModel.builtin("arm7")
        let state = try RobotState(model: model)
        var rng = TestRandom(seed: 3)
        let v = rng.vector(model.nv, -1, 1)
        try state.set(qpos: rng.vector(model.nq, -1, 1), qvel: v)
        let M = state.massMatrix()
        let n = model.nv
        var quadratic = 0.0
        for i in 0..<n {
            for j in 0..<n {
                XCTAssertEqual(M[i * n + j], M[j * n + i], accuracy: 1e-14)
                quadratic += v[i] * M[i * n + j] * v[j]
            }
        }
        XCTAssertEqual(state.energy().kinetic, 0.5 * quadratic, accuracy: 1e-12 * quadratic)
    }

    /// Implicit-damping Euler equals an explicit solve of (M + h·D) qacc = tau.
    func testEulerTakesDampingImplicitly() throws {
        var options = try RobotModel.builtin("reacher2").options  // damping 1, armature 1, gear 200
        options.integrator = .euler
        let model = try RobotModel.builtin("reacher2").with(options: options)
        let h = options.timestep
        let state = try RobotState(model: model)
        let q = [0.3, -0.7], v = [1.5, -2.0], u = [0.2, -0.4]
        try state.set(qpos: q, qvel: v, ctrl: u)
        var M = state.massMatrix()
        M[0] += h * 1.0
        M[3] += h * 1.0
        let bias = try state.inverse(qacc: [0, 0])  // c − passive = c + D v
        let tau = zip([200 * u[0], 200 * u[1]], bias).map { $0 - $1 }
        let qacc = choleskySolve(M, tau)
        try state.step()
        let expectedV = zip(v, qacc).map { $0 + h * $1 }
        XCTAssertLessThan(maxAbsDifference(state.qvel, expectedV), 1e-12)
        XCTAssertLessThan(maxAbsDifference(state.qpos, zip(q, expectedV).map { $0 + h * $1 }), 1e-12)
    }
}
