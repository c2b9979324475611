import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

/// Datasets and folders for the energy-model tests.
enum Fixtures {
    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("em-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Episodes of one step: state 0 is the origin, state 1 is one of `modes` (chosen at random)
    /// plus Gaussian noise of `spread`. Shape states [E, 2, S].
    static func bimodal(modes: [[Double]], episodes: Int, spread: Double, seed: UInt64) -> TrajectoryDataset {
        let S = modes[0].count
        var g = SeededGenerator(seed: seed)
        var states: [Double] = []
        for _ in 0..<episodes {
            let mode = modes[Int(g.next() % UInt64(modes.count))]
            states += [Double](repeating: 0, count: S)
            states += mode.map { $0 + spread * Double(g.nextGaussian()) }
        }
        return dataset(states: states, episodes: episodes, steps: 1, stateSize: S)
    }

    /// Random-walk episodes of `steps` steps in S dimensions.
    static func randomWalk(episodes: Int, steps: Int, stateSize S: Int, seed: UInt64) -> TrajectoryDataset {
        var g = SeededGenerator(seed: seed)
        var states: [Double] = []
        for _ in 0..<episodes {
            var x = (0..<S).map { _ in Double(g.nextGaussian()) }
            for _ in 0...steps {
                states += x
                x = x.enumerated().map { $0.element + 0.1 * Double($0.offset + 1) + 0.05 * Double(g.nextGaussian()) }
            }
        }
        return dataset(states: states, episodes: episodes, steps: steps, stateSize: S)
    }

    static func dataset(states: [Double], episodes: Int, steps: Int, stateSize: Int) -> TrajectoryDataset {
        TrajectoryDataset(episodes: episodes, steps: steps, stateSize: stateSize, controlSize: 1, siteCount: 1, states: states,
                          controls: [Double](repeating: 0, count: episodes * steps),
                          sites: [Double](repeating: 0, count: episodes * (steps + 1) * 3),
                          goal: [Int64](repeating: -1, count: episodes), episodeSeed: (0..<episodes).map(Int64.init))
    }

    /// Writes `train` (and `test` when given) as a dataset folder.
    static func folder(train: TrajectoryDataset, test: TrajectoryDataset? = nil) throws -> URL {
        let directory = try temporaryDirectory()
        try train.write(to: directory.appendingPathComponent("train.npz"))
        if let test { try test.write(to: directory.appendingPathComponent("test.npz")) }
        return directory
    }
}

/// |a − b| ≤ absolute + relative·|b|: the one tolerance rule of these tests.
func close(_ a: Float, _ b: Float, absolute: Float, relative: Float) -> Bool {
    abs(a - b) <= absolute + relative * abs(b)
}

/// Asserts that `error` is or wraps (`FileError.of`) a `FileError` of `kind` about `path`, whose
/// description is "path: detail".
func assertFileError(_ error: Error, _ kind: FileError.Kind, path: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let fileError = FileError.of(error) else {
        return XCTFail("expected a FileError, got \(type(of: error)): \(error)", file: file, line: line)
    }
    XCTAssertEqual(fileError.kind, kind, "\(error)", file: file, line: line)
    XCTAssertEqual(fileError.path, path, "\(error)", file: file, line: line)
    XCTAssertEqual("\(error)", "\(path): \(fileError.detail)", file: file, line: line)
}
