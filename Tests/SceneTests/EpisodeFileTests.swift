import Foundation
import Trajectories
import XCTest
@testable import Scene

final class EpisodeFileTests: XCTestCase {
    let directory = NSTemporaryDirectory() + "scene-episodes-\(getpid())"

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testStatesKeepPositions() throws {
        // cartpole: nq = nv = 2; states [E=2, T+1=3, 4] with value 100 e + 10 t + column
        var states: [Double] = []
        for e in 0..<2 { for t in 0..<3 { for c in 0..<4 { states.append(Double(100 * e + 10 * t + c)) } } }
        let path = directory + "/train.npz"
        try NumPyArchive([("states", NumPyArray(doubles: states, shape: [2, 3, 4]))]).write(to: URL(fileURLWithPath: path))
        try #"{"recipe": {"robot": "cartpole"}}"#.write(toFile: directory + "/meta.json", atomically: true, encoding: .utf8)
        let file = try EpisodeFile(contentsOf: directory, nq: 2, nv: 2)
        XCTAssertEqual(file.path, path)
        XCTAssertEqual(file.count, 2)
        XCTAssertEqual(file.length, 3)
        XCTAssertEqual(file.state(episode: 1, step: 2), [120, 121])
        XCTAssertEqual(file.episode(0), [0, 1, 10, 11, 20, 21])
        XCTAssertEqual(DatasetFolder.robotName(near: path), "cartpole")
    }

    func testBadFilesNameTheProblem() throws {
        XCTAssertThrowsError(try EpisodeFile(contentsOf: directory + "/missing.npz", nq: 1, nv: 1)) {
            XCTAssertTrue("\($0)".contains("missing.npz: no such file"), "\($0)")
            XCTAssertEqual(FileError.of($0), FileError(.notFound, path: directory + "/missing.npz", "no such file or directory"))
        }
        let corrupt = directory + "/corrupt.npz"
        try "not a zip".write(toFile: corrupt, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EpisodeFile(contentsOf: corrupt, nq: 1, nv: 1)) {
            XCTAssertTrue("\($0)".contains("corrupt.npz"), "\($0)")
            XCTAssertEqual(FileError.of($0)?.kind, .malformed, "\($0)")
            XCTAssertEqual(FileError.of($0)?.path, corrupt, "\($0)")
        }
        let wrong = directory + "/wrong.npz"
        try NumPyArchive([("qpos", NumPyArray(doubles: [0, 0, 0], shape: [1, 1, 3]))]).write(to: URL(fileURLWithPath: wrong))
        XCTAssertThrowsError(try EpisodeFile(contentsOf: wrong, nq: 2, nv: 2))
        let other = directory + "/other.npz"
        try NumPyArchive([("ctrl", NumPyArray(doubles: [0], shape: [1]))]).write(to: URL(fileURLWithPath: other))
        XCTAssertThrowsError(try EpisodeFile(contentsOf: other, nq: 2, nv: 2)) {
            XCTAssertTrue("\($0)".contains("neither 'qpos'"), "\($0)")
            XCTAssertEqual(FileError.of($0)?.kind, .malformed, "\($0)")
            XCTAssertEqual(FileError.of($0)?.path, other, "\($0)")
        }
        // a folder without a split: the dataset file it lacks is not found
        let empty = directory + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try EpisodeFile(contentsOf: empty, nq: 1, nv: 1)) {
            XCTAssertEqual(FileError.of($0)?.kind, .notFound, "\($0)")
            XCTAssertEqual(FileError.of($0)?.path, empty, "\($0)")
        }
    }

    /// Arrays given in memory that do not fit are `.invalidArgument` (no file involved), with the
    /// text they always had.
    func testArraysInMemoryAreInvalidArguments() {
        XCTAssertThrowsError(try EpisodeFile(qpos: [0], count: 1, length: 1, nq: 2)) {
            XCTAssertEqual($0 as? SceneError, .invalidArgument("<memory>: qpos has 1 values, not [1, 1, 2]"))
            XCTAssertNil(FileError.of($0))
        }
        XCTAssertThrowsError(try PredictionFile(context: [0, 0], futures: [0], count: 1, horizon: 1, nq: 1, nv: 1)) {
            XCTAssertEqual($0 as? SceneError, .invalidArgument("<memory>: context has 2 values and futures 1; need [k, 2] and [1, 1, 2]"))
        }
        XCTAssertThrowsError(try PlanFile(executed: [0, 0, 0], nq: 2, nv: 2, path: "live")) {
            XCTAssertEqual($0 as? SceneError, .invalidArgument("live: executed states hold 3 numbers, not a positive multiple of nq = 2"))
        }
    }
}
