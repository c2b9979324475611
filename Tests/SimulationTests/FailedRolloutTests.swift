import XCTest
@testable import Simulation

/// A batch in which one trajectory blows up: the others come back bit-identical to their own
/// rollouts, the failed one is NaN and listed; a lone failing trajectory is an error.
final class FailedRolloutTests: XCTestCase {
    func testFailedTrajectoryIsMarkedAndTheOthersKept() throws {
        let m = try RobotModel.load("acrobot")
        let (nq, nv) = (m.nq, m.nv)
        let qpos = [0.1, 0.2, -0.3, 0.4]
        var qvel = [Double](repeating: 0, count: 2 * nv)
        qvel[nv] = 1e200   // v² overflows: trajectory 1 goes non-finite
        XCTAssertThrowsError(try m.rollout(qpos: qpos, qvel: qvel, batch: 2, steps: 20))
        let (r, failed) = try m.rolloutKeepingFinite(qpos: qpos, qvel: qvel, batch: 2, steps: 20)
        XCTAssertEqual(failed, [1])
        let good = try m.rollout(qpos: Array(qpos[0..<nq]), qvel: Array(qvel[0..<nv]), batch: 1, steps: 20, sites: true, recordControls: true)
        XCTAssertEqual(Array(r.qpos[0..<(21 * nq)]), good.qpos)
        XCTAssertEqual(Array(r.sites[0..<(21 * m.nsite * 3)]), good.sites)
        XCTAssertEqual(r.qpos.count, 2 * 21 * nq)
        XCTAssertEqual(r.ctrl.count, 2 * 20 * m.nu)
        XCTAssertTrue(r.qvel[(21 * nv)...].allSatisfy(\.isNaN))
        // a healthy batch is the plain rollout; a lone failing trajectory throws
        let healthy = try m.rolloutKeepingFinite(qpos: qpos, qvel: [Double](repeating: 0, count: 2 * nv), batch: 2, steps: 5)
        XCTAssertEqual(healthy.failed, [])
        XCTAssertEqual(healthy.rollout.qpos, try m.rollout(qpos: qpos, qvel: [Double](repeating: 0, count: 2 * nv), batch: 2, steps: 5).qpos)
        XCTAssertThrowsError(try m.rolloutKeepingFinite(qpos: Array(qpos[nq...]), qvel: Array(qvel[nv...]), batch: 1, steps: 20))
    }
}
