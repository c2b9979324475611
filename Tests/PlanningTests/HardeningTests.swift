import Planning
import XCTest

/// Issue 18: a run starting inside an obstacle is no success; sizes and step sizes are bounded.
final class PlanningHardeningTests: XCTestCase {
    func testAStartInsideAnObstacleFailsUpFront() throws {
        var setup = try PlanningSetup.defaults(robot: "pointmass2d")
        setup.threads = 1
        var mpc = try setup.controller(kind: .mppiSim, goal: SIMD3(0.1, 0.05, 0), obstacles: [.sphere(center: SIMD3(0, 0, 0), radius: 0.1)],
                                       learned: nil, seed: 1)
        let outcome = try mpc.run(qpos: [0, 0], qvel: [0, 0])
        XCTAssertFalse(outcome.success)
        XCTAssertTrue(outcome.failure?.description.contains("inside an obstacle") ?? false, "\(String(describing: outcome.failure))")
        XCTAssertEqual(outcome.steps, 0)
    }

    func testSizesAndStepSizesAreBounded() throws {
        let base = try PlanningSetup.defaults(robot: "pointmass2d")
        XCTAssertNoThrow(try base.validate())
        var setup = base
        setup.chains = 1_000_000_000
        XCTAssertThrowsError(try setup.validate()) { XCTAssertTrue("\($0)".contains("chains 1000000000 must lie in 1...100000"), "\($0)") }
        setup = base
        setup.langevinNoise = -1
        XCTAssertThrowsError(try setup.validate()) { XCTAssertTrue("\($0)".contains("noise -1.0 must be a finite number >= 0"), "\($0)") }
        setup = base
        setup.margin = .nan
        XCTAssertThrowsError(try setup.validate())
    }
}
