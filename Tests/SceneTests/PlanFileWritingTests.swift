import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Scene

/// plan.npz as written reads back through `PlanFile` with every array where the reader expects it.
final class PlanFileWritingTests: XCTestCase {
    func testWrittenPlanReadsBack() throws {
        let model = try RobotModel.load("pointmass2d")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("planfile-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // T = 2 executed steps, K = 2 alternatives of H = 3 full states (S = 4)
        let qpos: [Double] = [0, 0, 0.1, 0, 0.2, 0.05], qvel: [Double] = [0, 0, 1, 0, 1, 0.5]
        let alternatives = (0..<(2 * 3 * 4)).map { 0.01 * Double($0) }
        try PlanFile.write(model: model, qpos: qpos, qvel: qvel, ctrl: [0.5, 0, 0.5, 0.2], alternatives: alternatives,
                           alternativeEnergies: [1, 2], horizon: 3, stateSize: 4, replanMilliseconds: [1.5],
                           goal: SIMD3(0.3, 0.1, 0), obstacles: [(SIMD3(0.15, 0.05, 0), 0.04)], to: folder.appendingPathComponent("plan.npz"))
        let plan = try PlanFile(contentsOf: folder.path, nq: 2, nv: 2, robot: "pointmass2d")
        XCTAssertEqual(plan.steps, 3)
        XCTAssertEqual(plan.executed, qpos)
        XCTAssertEqual(plan.alternativeCount, 2)
        XCTAssertEqual(plan.horizon, 3)
        // the reader keeps positions: the first two of each four-number state
        XCTAssertEqual(plan.alternative(1), [12, 13, 16, 17, 20, 21].map { 0.01 * Double($0) })
        XCTAssertEqual(plan.goals, [SIMD3(0.3, 0.1, 0)])
        XCTAssertEqual(plan.obstacles.count, 1)
        XCTAssertEqual(plan.obstacles[0].radius, 0.04)
        // sites are the forward kinematics of qpos; the point mass's site sits at (x, y)
        let archive = try NumPyArchive(contentsOf: folder.appendingPathComponent("plan.npz"))
        let sites = try archive.array(named: "sites")
        XCTAssertEqual(sites.shape, [3, model.nsite, 3])
        XCTAssertEqual(try sites.doubles[6], 0.2, accuracy: 1e-12)
        XCTAssertEqual(try archive.array(named: "ctrl").shape, [2, 2])
        XCTAssertEqual(try archive.array(named: "replan_ms").doubles, [1.5])
    }
}
