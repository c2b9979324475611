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
