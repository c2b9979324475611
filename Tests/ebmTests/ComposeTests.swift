import Foundation
import XCTest
@testable import Trajectories

/// `ebm compose`: a model composed with itself at weights ½, ½ is the model (bit for bit), shapes and
/// per-model energies are written, and mismatched weights are a usage error.
final class ComposeTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func testComposeWithItselfAtHalfWeightsIsTheModel() throws {
        let (data, ebmRun, _) = try EBMProcess.tinyTrainedRuns(in: scratch)
        let (single, pair) = (scratch.appendingPathComponent("single.npz"), scratch.appendingPathComponent("pair.npz"))
        let common = ["--data", data, "--episode", "1", "--context-start", "6", "--samples", "5", "--steps", "20", "--horizon", "6"]
        try EBMProcess.succeeding(["compose", "--model", ebmRun] + common + ["--out", single.path])
        let r = try EBMProcess.succeeding(["compose", "--model", ebmRun, "--model", ebmRun, "--weight", "0.5", "--weight", "0.5"]
                                          + common + ["--out", pair.path])
        XCTAssertTrue(r.stdout.contains("from 2 models"), r.stdout)
        // progress on standard error (not a terminal here: the closing line): 6 states in blocks of H = 4
        XCTAssertTrue(r.stderr.contains("2/2 blocks (100%)"), r.stderr)
        let (a, b) = (try NumPyArchive(contentsOf: single), try NumPyArchive(contentsOf: pair))
        var dims: [String: Int] = [:]
        let futures = try b.array(named: "futures", shape: [5, 6, 4], dtype: .float64, requireFinite: true, bindings: &dims).doubles
        XCTAssertEqual(try a.array(named: "futures").doubles, futures)
        let perModel = try b.array(named: "model_energies", shape: [2, 5], dtype: .float64, bindings: &dims).doubles
        XCTAssertEqual(Array(perModel[0..<5]), Array(perModel[5..<10]))
        _ = try b.array(named: "sites", shape: [5, 6, "nsite", 3], bindings: &dims)

        let bad = try EBMProcess.run(["compose", "--model", ebmRun, "--model", ebmRun, "--weight", "1"] + common + ["--out", pair.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--weight: 1 weights for 2 models"), bad.stderr)
    }

    /// Annealed weights: the model twice, moving from (1, 0) to (½, ½), is at every stage the model
    /// itself, so it samples what the model alone does over the same stages (to rounding: the
    /// weighted sums round differently); one stage reproduces the unannealed run bit for bit.
    func testAnnealedWeightsFollowTheirStages() throws {
        let (data, ebmRun, _) = try EBMProcess.tinyTrainedRuns(in: scratch)
        let common = ["--data", data, "--episode", "1", "--context-start", "6", "--samples", "5", "--steps", "20", "--horizon", "6"]
        func futures(_ arguments: [String], _ name: String) throws -> [Double] {
            let out = scratch.appendingPathComponent(name)
            try EBMProcess.succeeding(["compose"] + arguments + common + ["--out", out.path])
            return try NumPyArchive(contentsOf: out).array(named: "futures").doubles
        }
        let plain = try futures(["--model", ebmRun], "plain.npz")
        XCTAssertEqual(try futures(["--model", ebmRun, "--initial-weight", "1", "--anneal-stages", "1"], "one-stage.npz"), plain)
        let staged = try futures(["--model", ebmRun, "--initial-weight", "1", "--weight", "1"], "staged.npz")
        let pair = try futures(["--model", ebmRun, "--model", ebmRun, "--initial-weight", "1", "--initial-weight", "0",
                                "--weight", "0.5", "--weight", "0.5"], "pair.npz")
        XCTAssertNotEqual(staged, plain)  // four stages draw their own noise
        for (x, y) in zip(pair, staged) { XCTAssertEqual(x, y, accuracy: 1e-6 * max(1, abs(y))) }

        let bad = try EBMProcess.run(["compose", "--model", ebmRun, "--initial-weight", "1", "--anneal-stages", "21"] + common
                                     + ["--out", scratch.appendingPathComponent("bad.npz").path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--anneal-stages must be between 1 and --steps"), bad.stderr)
    }
}
