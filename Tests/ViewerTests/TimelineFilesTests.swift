import Foundation
import Scene
import Simulation
import Trajectories
import XCTest
@testable import Viewer

/// `Timeline.plan(contentsOf:model:)` / `prediction(contentsOf:model:)` (`ebm view --plan/--predict`):
/// the files read for the robot give the timelines of the files read by hand; a file for another
/// robot is refused. No GL needed.
final class TimelineFilesTests: XCTestCase {
    func testPlanAndPredictionFilesByPath() throws {
        let m = try RobotModel.load("pointmass2d")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("timeline-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let planURL = dir.appendingPathComponent("plan.npz")
        try PlanFile.write(model: m, qpos: [0, 0, 0.01, 0.02, 0.02, 0.04], qvel: [Double](repeating: 0, count: 6), ctrl: [Double](repeating: 0, count: 2 * m.nu),
                           alternatives: [], alternativeEnergies: [], horizon: 0, stateSize: 4, replanMilliseconds: [1],
                           goal: SIMD3(0.1, 0.1, 0), obstacles: [(SIMD3(0.05, 0.05, 0), 0.02)], to: planURL)
        let plan = try Timeline.plan(contentsOf: dir.path, model: m)
        let byHand = try Timeline.plan(PlanFile(contentsOf: dir.path, nq: m.nq, nv: m.nv, robot: m.source), path: dir.path, model: m)
        XCTAssertEqual(plan.title, byHand.title)
        XCTAssertEqual([plan.length, plan.episodes], [3, 1])
        XCTAssertTrue(plan.title.contains("3 states") && plan.title.contains("1 obstacles"), plan.title)

        let (K, H, S) = (2, 3, 4)
        let context: [Double] = [0, 0, 0, 0], futures = (0..<(K * H * S)).map { 0.01 * Double($0) }
        let predictionURL = dir.appendingPathComponent("pred.npz")
        try NPZWriter.write(PredictionFile.futureArrays(context: context, futures: futures, energies: [1, 2], truth: [], chains: K, total: H, stateSize: S)
                            + PredictionFile.positionArrays(futures: futures, context: context, chains: K, total: H, stateSize: S, robot: m), to: predictionURL)
        let prediction = try Timeline.prediction(contentsOf: predictionURL.path, model: m)
        XCTAssertEqual(prediction.length, H)
        XCTAssertTrue(prediction.title.hasPrefix("\(m.source), pred.npz: 2 futures x 3 states"), prediction.title)
        XCTAssertThrowsError(try Timeline.prediction(contentsOf: predictionURL.path, model: RobotModel.load("arm7")))
    }
}
