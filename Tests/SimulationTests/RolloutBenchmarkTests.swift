import XCTest
@testable import Simulation

/// The rollout benchmark counts 8 × threads trajectories × steps against the clock it is given.
final class RolloutBenchmarkTests: XCTestCase {
    func testStepsAreCountedAgainstTheGivenClock() throws {
        let m = try RobotModel.load("pendulum")
        var now = 0.0
        // each clock read advances 0.25 s: the loop reads once before and once per rollout, so it
        // stops after 2 rollouts (0.5 s ≥ minTime 0.4 s)
        let rate = try m.rolloutStepsPerSecond(threads: 2, steps: 10, minTime: 0.4, clock: { now += 0.25; return now })
        XCTAssertEqual(rate, Double(2 * 16 * 10) / 0.5, accuracy: 1e-9)
        // a real clock gives a positive, finite rate
        let real = try m.rolloutStepsPerSecond(threads: 1, steps: 5, minTime: 0.001, clock: { Date().timeIntervalSince1970 })
        XCTAssertTrue(real > 0 && real.isFinite)
    }
}

/// The suite of `ebm bench sim`: one row per robot × integrator × thread count, in that order, each
/// heard as it is measured, with the model's timestep set to `dt`.
final class SimulatorBenchmarkTests: XCTestCase {
    func testOneRowPerRobotIntegratorAndThreadCount() throws {
        var heard: [SimulatorBenchmark.Row] = []
        var now = 0.0
        let rows = try SimulatorBenchmark.run(robots: ["pendulum", "reacher2"], integrators: [.euler, .rk4], dt: 0.005, threads: [1, 2], steps: 4,
                                              minTime: 0.1, clock: { now += 0.25; return now }, measured: { heard.append($0) })
        XCTAssertEqual(rows, heard)
        XCTAssertEqual(rows.map(\.robot), ["pendulum", "pendulum", "pendulum", "pendulum", "reacher2", "reacher2", "reacher2", "reacher2"])
        XCTAssertEqual(rows.map(\.integrator), ["euler", "euler", "rk4", "rk4", "euler", "euler", "rk4", "rk4"])
        XCTAssertEqual(rows.map(\.threads), [1, 2, 1, 2, 1, 2, 1, 2])
        XCTAssertTrue(rows.allSatisfy { $0.dt == 0.005 })
        // one rollout per row on this clock (0.25 s ≥ 0.1 s): 8 × threads trajectories × 4 steps
        XCTAssertEqual(rows.map(\.steps_per_second), rows.map { Double(8 * $0.threads * 4) / 0.25 })
        let json = String(decoding: try JSONEncoder().encode(rows[0]), as: UTF8.self)
        for key in ["robot", "integrator", "dt", "threads", "steps_per_second"] { XCTAssertTrue(json.contains("\"\(key)\""), json) }
        XCTAssertThrowsError(try SimulatorBenchmark.run(robots: ["no-such-robot"], integrators: [.euler], dt: 0.01, threads: [1], steps: 1,
                                                        minTime: 0.1, clock: { 0 }))
    }

    /// What is measured: the integrator and timestep asked for, one substep; contacts off only when asked
    /// (`ebm bench sim --no-contacts`, which benchmarks/mujoco_sim.py passes as MuJoCo's side disables them).
    func testMeasuredModelTakesTheSettingsAndContactsSwitch() throws {
        let ridgeball = try RobotModel.load("ridgeball")
        XCTAssertTrue(ridgeball.solverOptions.contacts)
        let on = try SimulatorBenchmark.configured(ridgeball, integrator: .rk4, dt: 0.001, contacts: true)
        let off = try SimulatorBenchmark.configured(ridgeball, integrator: .euler, dt: 0.004, contacts: false)
        XCTAssertEqual([on.solverOptions.contacts, off.solverOptions.contacts], [true, false])
        XCTAssertEqual([on.options.integrator, off.options.integrator], [.rk4, .euler])
        XCTAssertEqual([on.options.timestep, off.options.timestep], [0.001, 0.004])
        XCTAssertEqual([on.options.substeps, off.options.substeps], [1, 1])
        XCTAssertEqual(off.solverOptions.limits, ridgeball.solverOptions.limits, "joint constraints stay")
    }
}
