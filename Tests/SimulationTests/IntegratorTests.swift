import Foundation
import XCTest
@testable import Simulation

/// Integrators against closed forms and invariants.
final class IntegratorTests: XCTestCase {
    /// Small-angle period of the 1 m pendulum vs 2π√(l/g), measured from zero crossings.
    func testPendulumSmallAnglePeriod() throws {
        var options = try RobotModel.builtin("pendulum").options
        options.timestep = 1e-4
        options.integrator = .rk4
        let model = try RobotModel.builtin("pendulum").with(options: options)
        let state = try RobotState(model: model)
        try state.set(qpos: [0.01], qvel: [0])
        var crossings: [Double] = []
        var previous = 0.01
        while crossings.count < 5 {
            try state.step()
            let q = state.qpos[0]
            if previous > 0, q <= 0 {  // interpolate the downward crossing time
                crossings.append(state.time - options.timestep * q / (q - previous))
            }
            previous = q
        }
        let period = (crossings[4] - crossings[0]) / 4
        let expected = 2 * Double.pi * (1.0 / 9.81).squareRoot()
        XCTAssertEqual(period, expected, accuracy: 1e-3 * expected)
    }

    /// Largest change of total energy over `seconds` of passive motion, relative to the
    /// potential energy released between the start and the resting pose (q = 0, hanging). Each
    /// starts 0.8 rad from hanging with later links bent ±0.3 rad: a large, irregular swing.
    func energyDrift(_ robot: String, _ integrator: Integrator, dt: Double, seconds: Double) throws -> Double {
        var options = try RobotModel.builtin(robot).options
        options.timestep = dt
        options.integrator = integrator
        let model = try RobotModel.builtin(robot).with(options: options)
        let state = try RobotState(model: model)
        let rest = [Double](repeating: 0, count: model.nq)
        var q0 = (0..<model.nq).map { $0 % 2 == 0 ? 0.3 : -0.3 }
        q0[0] = 0.8
        let zero = [Double](repeating: 0, count: model.nv)
        try state.set(qpos: rest, qvel: zero)
        let restPotential = state.energy().potential
        try state.set(qpos: q0, qvel: zero)
        let e0 = state.energy()
        let reference = e0.potential + e0.kinetic
        let scale = abs(e0.potential - restPotential)
        var drift = 0.0
        for _ in 0..<Int((seconds / dt).rounded()) {
            try state.step()
            let e = state.energy()
            drift = max(drift, abs(e.potential + e.kinetic - reference))
        }
        return drift / scale
    }

    /// Thresholds from the issue; MuJoCo 4.0's RK4 on the same chain8 and start drifts 5.4e-6.
    func testRK4EnergyDrift() throws {
        let pendulum = try energyDrift("pendulum", .rk4, dt: 1e-3, seconds: 10)
        let chain2 = try energyDrift("chain2", .rk4, dt: 1e-3, seconds: 10)
        let chain8 = try energyDrift("chain8", .rk4, dt: 0.002, seconds: 10)
        print("energy drift over 10 s, RK4: pendulum \(pendulum), chain2 \(chain2), chain8 (dt 0.002) \(chain8)")
        XCTAssertLessThan(pendulum, 1e-8)
        XCTAssertLessThan(chain2, 1e-6)
        XCTAssertLessThan(chain8, 2e-4)
    }

    /// Semi-implicit Euler is symplectic for undamped systems: bounded, not zero, drift.
    func testEulerEnergyDriftIsBoundedAndReported() throws {
        let pendulum = try energyDrift("pendulum", .euler, dt: 1e-3, seconds: 10)
        let chain2 = try energyDrift("chain2", .euler, dt: 1e-3, seconds: 10)
        print("energy drift over 10 s, Euler: pendulum \(pendulum), chain2 \(chain2)")
        XCTAssertLessThan(pendulum, 1e-2)
        XCTAssertGreaterThan(pendulum, 1e-8)  // first-order: visibly worse than RK4
        XCTAssertLessThan(chain2, 0.2)
    }

    /// Substeps: n substeps of h/n equal n steps of h/n.
    func testSubstepsEqualSmallerSteps() throws {
        let base = try RobotModel.builtin("acrobot")
        var a = base.options, b = base.options
        a.timestep = 0.01; a.substeps = 5
        b.timestep = 0.002; b.substeps = 1
        let ma = try base.with(options: a), mb = try base.with(options: b)
        let sa = try RobotState(model: ma), sb = try RobotState(model: mb)
        try sa.set(qpos: [0.5, -0.3], qvel: [0, 1])
        try sb.set(qpos: [0.5, -0.3], qvel: [0, 1])
        try sa.step(20)
        try sb.step(100)
        XCTAssertLessThan(maxAbsDifference(sa.qpos, sb.qpos), 1e-12)
        XCTAssertLessThan(maxAbsDifference(sa.qvel, sb.qvel), 1e-12)
    }

    /// implicitfast from the file and through the options: a stiff velocity servo (h kv/m = 2.5,
    /// where explicit Euler's factor 1 − h kv/m = −1.5 diverges) decays as v0 (m/(m + h kv))^n;
    /// implicit on a ball joint is refused by name.
    func testImplicitFastStiffVelocityServo() throws {
        let xml = """
            <mujoco><option timestep="0.01" gravity="0 0 0" integrator="implicitfast"/><worldbody><body>
            <joint name="x" type="slide" axis="1 0 0"/><inertial pos="0 0 0" mass="2" diaginertia="1 1 1"/>
            </body></worldbody><actuator><velocity joint="x" kv="500"/></actuator></mujoco>
            """
        let model = try RobotModel(xml: xml)
        XCTAssertEqual(model.options.integrator, .implicitfast)
        let state = try RobotState(model: model)
        try state.set(qpos: [0], qvel: [1])
        try state.step(50)
        XCTAssertEqual(state.qvel[0], pow(2.0 / (2 + 0.01 * 500), 50), accuracy: 1e-15)
        var options = model.options
        options.integrator = .euler
        let euler = try RobotState(model: model.with(options: options))
        try euler.set(qpos: [0], qvel: [1])
        try euler.step(50)
        XCTAssertEqual(abs(euler.qvel[0]), pow(1.5, 50), accuracy: 1e-6 * pow(1.5, 50))
        let ball = try RobotModel(xml: "<mujoco><worldbody><body><joint type=\"ball\"/><geom size=\"0.1\"/></body></worldbody></mujoco>")
        options = ball.options
        options.integrator = .implicit
        XCTAssertThrowsError(try ball.with(options: options)) { error in
            guard let error = error as? SimulationError else { return XCTFail("not a SimulationError: \(error)") }
            XCTAssertEqual(error.status, SimulationError.unsupported, "\(error)")
            XCTAssertTrue(error.message.hasPrefix("sim_copyModelWithOptions: "), error.message)
            XCTAssertTrue(error.message.hasSuffix(": integrator 'implicit' differentiates the Coriolis forces of hinge and slide joints "
                                                  + "only (the model has a ball or free joint): use implicitfast, Euler or RK4"), error.message)
        }
        XCTAssertEqual(Integrator(rawValue: "implicitfast"), .implicitfast)
        for integrator in Integrator.allCases { XCTAssertEqual(Integrator(code: integrator.code), integrator) }
        XCTAssertNil(Integrator(code: 99), "an unknown bridge code is no integrator, not Euler")
    }
}
