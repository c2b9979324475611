import Foundation
import XCTest
@testable import Trajectories

/// Issue 18 at the command line: outputs that are (or sit inside) inputs are refused with the input
/// intact, models of another robot are refused, damaged datasets give errors, not crashes.
final class HardeningTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func assertRefused(_ arguments: [String], _ fragments: [String], keeping files: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let r = try EBMProcess.run(arguments)
        XCTAssertNotEqual(r.status, 0, "ebm \(arguments.joined(separator: " ")) succeeded", file: file, line: line)
        XCTAssertLessThan(r.status, 128, "crashed: \(r.stderr)", file: file, line: line)
        for fragment in fragments { XCTAssertTrue(r.stderr.contains(fragment), "\(r.stderr) lacks \(fragment)", file: file, line: line) }
        for (path, bytes) in zip(files, before) { XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), bytes, "\(path) changed", file: file, line: line) }
    }

    func testOutputsNeverReplaceInputsAndRobotsMustMatch() throws {
        let (data, ebmRun, ffRun) = try EBMProcess.tinyTrainedRuns(in: scratch)
        let model = ebmRun + "/model.safetensors"
        // before issue 18 each of these exited 0 and destroyed the input
        try assertRefused(["predict", "--model", model, "--data", data, "--out", model, "--steps", "2"], ["--out refused", "it is the input"], keeping: [model])
        try assertRefused(["score", "--model", ebmRun, "--data", data, "--out", data + "/meta.npz"], ["inside the input folder"], keeping: [data + "/meta.json"])
        try assertRefused(["predict", "--model", ebmRun, "--data", data, "--out", data + "/test.npz", "--steps", "2"], ["inside the input folder"],
                          keeping: [data + "/test.npz"])
        try assertRefused(["view", "--data", data + "/test.npz", "--screenshot", data + "/train.npz"], ["--screenshot refused"], keeping: [data + "/train.npz"])
        try assertRefused(["evaluate", "--model", ebmRun, "--data", data, "--out", ebmRun, "--episodes", "1"], ["--out refused"], keeping: [model])
        try assertRefused(["train", "--data", data, "--out", data], ["--out refused"], keeping: [data + "/train.npz"])
        // generate never replaces a folder of other files
        let mine = scratch.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: mine.appendingPathComponent("notes.txt"))
        try assertRefused(["generate", "reacher2-tiny", "--recipes", EBMProcess.recipes, "--out", mine.path], ["notes.txt", "not part of a dataset"],
                          keeping: [mine.path + "/notes.txt"])

        // the same data relabelled as another robot of the same state width (pointmass2d: S = 4), its name and
        // MJCF hash (the same MJCF text under another name would pass)
        let other = scratch.appendingPathComponent("other").path
        try FileManager.default.copyItem(atPath: data, toPath: other)
        let meta = try String(contentsOfFile: other + "/meta.json", encoding: .utf8)
        try meta.replacingOccurrences(of: #""reacher2""#, with: #""pointmass2d""#)
            .replacingOccurrences(of: #""model_sha256"\s*:\s*"[0-9a-f]+""#, with: #""model_sha256": "0123""#, options: .regularExpression)
            .write(toFile: other + "/meta.json", atomically: true, encoding: .utf8)
        XCTAssertTrue(try String(contentsOfFile: other + "/meta.json", encoding: .utf8).contains("pointmass2d"))
        let out = scratch.appendingPathComponent("p.npz").path
        try assertRefused(["predict", "--model", ebmRun, "--data", other, "--out", out, "--steps", "2"], ["trained on reacher2 data"], keeping: [])
        try assertRefused(["score", "--model", ebmRun, "--data", other, "--out", out], ["trained on reacher2 data"], keeping: [])
        try assertRefused(["evaluate", "--model", ebmRun, "--baseline", ffRun, "--data", other, "--out", scratch.path + "/e", "--episodes", "1"],
                          ["trained on reacher2 data"], keeping: [])
        try assertRefused(["plan", "--robot", "pointmass2d", "--model", ebmRun, "--goal", "0.1,0.1", "--out", scratch.path + "/plan"],
                          ["trained on reacher2 data"], keeping: [])

        // a split of 0 episodes: an error, not a crash
        let empty = scratch.appendingPathComponent("empty").path
        try FileManager.default.copyItem(atPath: data, toPath: empty)
        try TrajectoryDataset.empty(steps: 30, stateSize: 4, controlSize: 2, siteCount: 2).write(to: URL(fileURLWithPath: empty + "/test.npz"))
        try assertRefused(["score", "--model", ebmRun, "--data", empty, "--out", out], ["no episodes"], keeping: [])
    }

    /// Before issue 18 one non-finite trajectory made `ebm simulate` write nothing: the others were lost.
    func testSimulateWritesTheFiniteTrajectoriesAndMarksTheFailedOne() throws {
        let initial = scratch.appendingPathComponent("init.npz"), out = scratch.appendingPathComponent("out.npz")
        try NumPyArchive([("qpos", NumPyArray(doubles: [0.1, 0.2, 0.3], shape: [3, 1])),
                          ("qvel", NumPyArray(doubles: [0, 1e308, 0], shape: [3, 1]))]).write(to: initial)
        let r = try EBMProcess.run(["simulate", "pendulum", "--steps", "20", "--initial", initial.path, "--out", out.path])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("trajectories 1 of 3 went non-finite"), r.stderr)
        let archive = try NumPyArchive(contentsOf: out)
        var dims: [String: Int] = [:]
        XCTAssertEqual(try archive.array(named: "failed", shape: [3], dtype: .int64, bindings: &dims).int64s, [0, 1, 0])
        let qpos = try archive.array(named: "qpos", shape: [3, 21, 1], dtype: .float64, bindings: &dims).doubles
        XCTAssertEqual(qpos[0], 0.1)
        XCTAssertEqual(qpos[42], 0.3)
        XCTAssertTrue(qpos[21].isNaN)
    }
}
