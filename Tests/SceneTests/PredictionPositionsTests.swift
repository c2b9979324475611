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

    /// The arrays of `ebm predict` and `compose` beside the positions: names, shapes and values, truth only when given.
    func testFutureArrays() throws {
        let context: [Double] = [1, 2, 3, 4], futures = (0..<12).map(Double.init), truth: [Double] = [5, 6]
        let arrays = PredictionFile.futureArrays(context: context, futures: futures, energies: [0.5, 1.5], truth: truth, chains: 2, total: 3, stateSize: 2)
        XCTAssertEqual(arrays.map(\.0), ["context", "samples", "futures", "energies", "truth"])
        XCTAssertEqual(arrays.map(\.1.shape), [[2, 2], [2, 3, 2], [2, 3, 2], [2], [1, 2]])
        XCTAssertEqual(try arrays[2].1.array().doubles, futures)
        XCTAssertEqual(try arrays[4].1.array().doubles, truth)
        XCTAssertEqual(PredictionFile.futureArrays(context: context, futures: futures, energies: [0, 0], truth: [], chains: 2, total: 3, stateSize: 2).count, 4)
    }

    /// Positions for the robot a dataset's meta.json names: none without one, a warning when it
    /// does not load or does not fit, the robot's own arrays when it does.
    func testPositionsForTheDatasetsRobot() throws {
        let folder = NSTemporaryDirectory() + "prediction-positions-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let context: [Double] = [0, 0, 0, 0], futures: [Double] = [0.2, 0.1, 0, 0]
        let file = folder + "/test.npz"
        let none = try PredictionFile.positionArrays(futures: futures, context: context, chains: 1, total: 1, stateSize: 4, nearDataset: file)
        XCTAssertTrue(none.arrays.isEmpty)
        XCTAssertNil(none.warning)
        try #"{"robot": "no-such-robot"}"#.write(toFile: folder + "/meta.json", atomically: true, encoding: .utf8)
        let bad = try PredictionFile.positionArrays(futures: futures, context: context, chains: 1, total: 1, stateSize: 4, nearDataset: file)
        XCTAssertTrue(bad.arrays.isEmpty)
        XCTAssertEqual(bad.warning, "meta.json beside \(file) names robot 'no-such-robot', which does not load or has more joints than the 4 state numbers; writing no qpos or sites")
        try #"{"robot": "pointmass2d"}"#.write(toFile: folder + "/meta.json", atomically: true, encoding: .utf8)
        let good = try PredictionFile.positionArrays(futures: futures, context: context, chains: 1, total: 1, stateSize: 4, nearDataset: file)
        XCTAssertNil(good.warning)
        let direct = try PredictionFile.positionArrays(futures: futures, context: context, chains: 1, total: 1, stateSize: 4, robot: RobotModel.load("pointmass2d"))
        XCTAssertEqual(good.arrays.map(\.0), direct.map(\.0))
        XCTAssertEqual(try good.arrays[1].1.array().doubles, try direct[1].1.array().doubles)
    }

    /// The whole file's arrays: the futures, then the extra arrays, then the dataset robot's positions, with its warning.
    func testAllArraysInTheirOrder() throws {
        let folder = NSTemporaryDirectory() + "prediction-arrays-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/test.npz", context: [Double] = [0, 0, 0, 0], futures: [Double] = [0.2, 0.1, 0, 0]
        let extra: [(String, ArraySource)] = [("baseline", .doubles([1, 2, 3, 4], shape: [1, 4]))]
        let bare = try PredictionFile.arrays(context: context, futures: futures, energies: [0.5], truth: [], chains: 1, total: 1, stateSize: 4,
                                             extra: extra, nearDataset: file)
        XCTAssertEqual(bare.arrays.map(\.0), ["context", "samples", "futures", "energies", "baseline"])
        XCTAssertNil(bare.warning)
        try #"{"robot": "no-such-robot"}"#.write(toFile: folder + "/meta.json", atomically: true, encoding: .utf8)
        XCTAssertNotNil(try PredictionFile.arrays(context: context, futures: futures, energies: [0.5], truth: [], chains: 1, total: 1, stateSize: 4,
                                                  nearDataset: file).warning)
        try #"{"robot": "pointmass2d"}"#.write(toFile: folder + "/meta.json", atomically: true, encoding: .utf8)
        let full = try PredictionFile.arrays(context: context, futures: futures, energies: [0.5], truth: [1, 1, 1, 1], chains: 1, total: 1, stateSize: 4,
                                             extra: extra, nearDataset: file)
        XCTAssertEqual(full.arrays.map(\.0), ["context", "samples", "futures", "energies", "truth", "baseline", "qpos", "sites"])
        XCTAssertEqual(try full.arrays[5].1.array().doubles, [1, 2, 3, 4])
    }
}
