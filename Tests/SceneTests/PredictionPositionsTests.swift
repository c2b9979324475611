import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Scene

/// The position arrays written beside sampled futures: qpos starts at the context's last state, sites
/// are the forward kinematics of each future (the point mass's site sits at its (x, y)), a
/// non-finite future state gives a NaN site row and the others stay.
final class PredictionPositionsTests: XCTestCase {
    func testPositionsOfFuturesOnThePointMass() throws {
        let robot = try RobotModel.load("pointmass2d")
        let S = robot.nq + robot.nv   // 4
        let context: [Double] = [9, 9, 0, 0, 0.1, -0.2, 0, 0]   // k = 2: the last state's qpos is (0.1, -0.2)
        // K = 2 chains × 2 states; chain 1's second state is NaN
        let futures: [Double] = [0.2, 0.1, 1, 1, 0.3, 0.0, 1, 1,
                                 -0.1, 0.05, 0, 0, .nan, 0.4, 0, 0]
        let arrays = try PredictionFile.positionArrays(futures: futures, context: context, chains: 2, total: 2, stateSize: S, robot: robot)
        XCTAssertEqual(arrays.map(\.0), ["qpos", "sites"])
        XCTAssertEqual(arrays[0].1.shape, [2, 3, 2])
        let qpos = try arrays[0].1.array().doubles
        XCTAssertEqual(Array(qpos[0..<6]), [0.1, -0.2, 0.2, 0.1, 0.3, 0.0])
        XCTAssertEqual(Array(qpos[6..<8]), [0.1, -0.2])
        XCTAssertEqual(arrays[1].1.shape, [2, 2, robot.nsite, 3])
        let sites = try arrays[1].1.array().doubles, width = robot.nsite * 3
        XCTAssertEqual(sites[0], 0.2, accuracy: 1e-12)
        XCTAssertEqual(sites[1], 0.1, accuracy: 1e-12)
        XCTAssertEqual(sites[2 * width], -0.1, accuracy: 1e-12)
        XCTAssertTrue(sites[(3 * width)..<(4 * width)].allSatisfy(\.isNaN))
        XCTAssertTrue(sites[0..<(3 * width)].allSatisfy(\.isFinite))
        // sizes that do not match are an error, not a crash
        XCTAssertThrowsError(try PredictionFile.positionArrays(futures: Array(futures.dropLast()), context: context, chains: 2, total: 2, stateSize: S, robot: robot))
    }
}
