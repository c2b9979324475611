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

    /// The vector–Jacobian product of inverse dynamics against central differences of
    /// inverseDynamics, (M + armature) w against CRBA, and the cost gradient against the product
    /// with the cost's own cotangent; a free joint is refused.
    func testInverseDynamicsVJPMatchesDifferences() throws {
        for robot in ["arm7", "reacher2", "acrobot"] {
            let model = try RobotModel.builtin(robot)
            let n = model.nv
            var rng = TestRandom(seed: 11)
            let q = model.joints.qpos0.map { $0 + rng.uniform(-1, 1) }
            let v = rng.vector(n, -2, 2), a = rng.vector(n, -5, 5), w = rng.vector(n, -1, 1)
            let d = try model.inverseDynamicsVJP(qpos: q, qvel: v, qacc: a, cotangent: w, batch: 1, threads: 1)
            XCTAssertLessThan(maxAbsDifference(d.qfrc, try model.inverseDynamics(qpos: q, qvel: v, qacc: a, batch: 1)), 1e-12, robot)
            let h = 1e-5
            for (which, got) in [d.qpos, d.qvel, d.qacc].enumerated() {
                var fd = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    var x = [q, v, a], y = [q, v, a]
                    x[which][i] += h
                    y[which][i] -= h
                    let tp = try model.inverseDynamics(qpos: x[0], qvel: x[1], qacc: x[2], batch: 1)
                    let tm = try model.inverseDynamics(qpos: y[0], qvel: y[1], qacc: y[2], batch: 1)
                    fd[i] = (0..<n).reduce(0) { $0 + w[$1] * (tp[$1] - tm[$1]) } / (2 * h)
                }
                let scale = max(1e-3, fd.map(abs).max()!)
                XCTAssertLessThan(maxAbsDifference(got, fd) / scale, 1e-7, "\(robot) \(["qpos", "qvel", "qacc"][which])")
            }
            let state = try RobotState(model: model)
            try state.set(qpos: q, qvel: v)
            let M = state.massMatrix()
            let Mw = (0..<n).map { i in (0..<n).reduce(0) { $0 + M[i * n + $1] * w[$1] } }
            XCTAssertLessThan(maxAbsDifference(d.qacc, Mw), 1e-10, robot)
            // ℓ = ½ Σ τ²: the cotangent is τ itself
            let (costs, g) = try model.inverseDynamicsCostGradient(qpos: q, qvel: v, qacc: a, batch: 1, threads: 1) { _, tau, grad in
                var l = 0.0
                for j in 0..<n { l += 0.5 * tau[j] * tau[j]; grad[j] = tau[j] }
                return l
            }
            let byVJP = try model.inverseDynamicsVJP(qpos: q, qvel: v, qacc: a, cotangent: d.qfrc, batch: 1, threads: 1)
            XCTAssertEqual(costs[0], 0.5 * d.qfrc.reduce(0) { $0 + $1 * $1 }, accuracy: 1e-9)
            XCTAssertEqual(g.qpos, byVJP.qpos, robot)
            XCTAssertEqual(g.qvel, byVJP.qvel, robot)
            XCTAssertEqual(g.qacc, byVJP.qacc, robot)
        }
        let free = try RobotModel(xml: "<mujoco><worldbody><body><freejoint/><geom type=\"sphere\" size=\"0.1\"/></body></worldbody></mujoco>")
        XCTAssertThrowsError(try free.inverseDynamicsVJP(qpos: [0, 0, 1, 1, 0, 0, 0], qvel: nil, qacc: [Double](repeating: 0, count: 6),
                                                         cotangent: [Double](repeating: 0, count: 6), batch: 1)) { error in
            XCTAssertEqual((error as? SimulationError)?.status, SimulationError.unsupported)
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
