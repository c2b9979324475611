import Foundation
import XCTest
@testable import Trajectories

/// `ebm score` on the tiny recipe: the fixed keys and shapes, episode energy = mean of its windows,
/// online flags consistent with the threshold, and errors that name the flag.
final class ScoreTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func testScoreWritesWindowAndEpisodeEnergiesAndOnlineFlags() throws {
        let (data, ebmRun, _) = try EBMProcess.tinyTrainedRuns(in: scratch)
        let out = scratch.appendingPathComponent("score.npz")
        let r = try EBMProcess.succeeding(["score", "--model", ebmRun, "--data", data, "--out", out.path,
                                           "--online", "--calibration", data, "--fpr", "0.2"])
        // 5 test episodes of 31 states, windows of k 4 + H 4 = 8 states: 24 per episode
        XCTAssertTrue(r.stdout.contains("score: 5 episodes × 24 windows of 8 states"), r.stdout)
        // progress on standard error (not a terminal here: the closing lines)
        XCTAssertTrue(r.stderr.contains("120/120 windows (100%)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("120/120 calibration windows (100%)"), r.stderr)
        let archive = try NumPyArchive(contentsOf: out)
        var dims: [String: Int] = [:]
        let window = try archive.array(named: "window_energy", shape: ["E", "W"], dtype: .float64, requireFinite: true, bindings: &dims).doubles
        let episode = try archive.array(named: "episode_energy", shape: ["E"], dtype: .float64, bindings: &dims).doubles
        let flags = try archive.array(named: "first_flag", shape: ["E"], dtype: .int64, bindings: &dims).int64s
        XCTAssertEqual(dims["E"], 5)
        XCTAssertEqual(dims["W"], 24)
        for e in 0..<5 {
            XCTAssertEqual(episode[e], window[(e * 24)..<((e + 1) * 24)].reduce(0, +) / 24, accuracy: 1e-9)
        }
        // calibrated on the same episodes at α = 0.2: exactly ⌊0.2·5⌋ = 1 episode exceeds the threshold
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.appendingPathComponent("score.json"))) as! [String: Any]
        let online = try XCTUnwrap(summary["online"] as? [String: Any])
        let threshold = try XCTUnwrap(online["threshold"] as? Double)
        XCTAssertEqual(flags.filter { $0 >= 0 }.count, 1)
        for e in 0..<5 {
            let row = Array(window[(e * 24)..<((e + 1) * 24)])
            let expected = row.firstIndex { $0 > threshold }.map { Int64($0 + 7) } ?? -1
            XCTAssertEqual(flags[e], expected, "episode \(e)")
        }

        let bad = try EBMProcess.run(["score", "--model", ebmRun, "--data", data, "--out", out.path, "--online"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--online needs --calibration"), bad.stderr)
        let missing = try EBMProcess.run(["score", "--model", ebmRun, "--data", scratch.path, "--out", out.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("test.npz: no such file"), missing.stderr)
        // a run folder that does not exist, and one whose training has not finished
        let nowhere = scratch.appendingPathComponent("no-run").path
        let absent = try EBMProcess.run(["score", "--model", nowhere, "--data", data, "--out", out.path])
        XCTAssertNotEqual(absent.status, 0)
        XCTAssertTrue(absent.stderr.contains("\(nowhere): no such run folder or checkpoint"), absent.stderr)
        let unfinished = scratch.appendingPathComponent("unfinished")
        try FileManager.default.createDirectory(at: unfinished, withIntermediateDirectories: true)
        let early = try EBMProcess.run(["score", "--model", unfinished.path, "--data", data, "--out", out.path])
        XCTAssertNotEqual(early.status, 0)
        XCTAssertTrue(early.stderr.contains("has no model.safetensors yet"), early.stderr)
    }
}
