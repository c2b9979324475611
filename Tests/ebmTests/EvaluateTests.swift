import Foundation
import XCTest

/// `ebm evaluate` on the tiny recipe: generate, train a few steps (EBM and feedforward), evaluate.
final class EvaluateTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func testEvaluateWritesMetricsAndPlot() throws {
        let (data, ebmRun, ffRun) = try EBMProcess.tinyTrainedRuns(in: scratch)

        let out = scratch.appendingPathComponent("eval")
        let r = try EBMProcess.succeeding(["evaluate", "--model", ebmRun, "--baseline", ffRun, "--data", data, "--episodes", "2", "--samples", "4",
                         "--steps", "8", "--sampler", "mala", "--out", out.path])
        XCTAssertTrue(r.stdout.contains("evaluate: 2 episodes × 4 futures of 27 states"), r.stdout)
        XCTAssertTrue(r.stdout.contains("EBM") && r.stdout.contains("feedforward"), r.stdout)

        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as! [String: Any]
        XCTAssertEqual(metrics["episodes"] as? Int, 2)
        XCTAssertEqual(metrics["samples"] as? Int, 4)
        XCTAssertEqual(metrics["future_states"] as? Int, 27)
        for name in ["ebm", "baseline"] {
            let m = try XCTUnwrap(metrics[name] as? [String: Any], name)
            for key in ["ade_best_of_k", "ade_mean", "fde_best_of_k", "fde_mean", "goals_covered", "validity", "mean_collapse"] {
                let v = try XCTUnwrap(m[key] as? Double, "\(name).\(key)")
                XCTAssertTrue(v.isFinite && v >= 0, "\(name).\(key) = \(v)")
            }
            let (ade, fde) = (m["ade_best_of_k"] as! Double, m["fde_best_of_k"] as! Double)
            XCTAssertLessThanOrEqual(ade, m["ade_mean"] as! Double + 1e-12)
            XCTAssertLessThanOrEqual(fde, m["fde_mean"] as! Double + 1e-12)
            let validity = m["validity"] as! Double, collapse = m["mean_collapse"] as! Double
            XCTAssertTrue((0...1).contains(validity), "\(name) validity \(validity)")
            XCTAssertEqual(validity + collapse, 1, accuracy: 1e-9)
            XCTAssertTrue((0...4).contains(m["goals_covered"] as! Double), "\(name) goals covered")
        }
        let goals = try XCTUnwrap(metrics["goals"] as? [String: Any])
        XCTAssertEqual(goals["site"] as? String, "fingertip")
        XCTAssertLessThanOrEqual(goals["count"] as! Int, 4)
        let curves = try XCTUnwrap(metrics["error_vs_horizon"] as? [String: Any])
        for key in ["step", "ebm_mean", "ebm_best_of_k", "baseline"] { XCTAssertEqual((curves[key] as? [Any])?.count, 27, key) }

        let svg = try String(contentsOf: out.appendingPathComponent("error_vs_horizon.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains("<polyline") || svg.contains("<path"))
    }
}
