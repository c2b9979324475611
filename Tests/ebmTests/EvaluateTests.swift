import Foundation
import XCTest

/// `ebm evaluate` on the tiny recipe: generate, train a few steps (EBM and feedforward), evaluate.
final class EvaluateTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    /// The sampler settings of `ebm predict` reach the evaluation: a larger Langevin step gives
    /// other futures, the same settings the same ones.
    func testEvaluateTakesPredictsSamplerSettings() throws {
        let (data, ebmRun, _) = try EBMProcess.tinyTrainedRuns(in: scratch)
        func ade(_ name: String, _ settings: [String]) throws -> Double {
            let out = scratch.appendingPathComponent(name)
            try EBMProcess.succeeding(["evaluate", "--model", ebmRun, "--data", data, "--episodes", "2", "--samples", "4", "--steps", "6",
                                       "--sampler", "langevin", "--reference-samples", "0", "--long-horizon", "0", "--curve-episodes", "0",
                                       "--out", out.path] + settings)
            let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as! [String: Any]
            return try XCTUnwrap((metrics["ebm"] as? [String: Any])?["ade_mean"] as? Double)
        }
        let small = try ade("small", ["--step-size", "0.001", "--noise", "0.001"])
        XCTAssertEqual(try ade("again", ["--step-size", "0.001", "--noise", "0.001"]), small)
        XCTAssertNotEqual(try ade("large", ["--step-size", "5", "--noise", "0.5"]), small)
    }

    func testEvaluateWritesMetricsAndPlot() throws {
        let (data, ebmRun, ffRun) = try EBMProcess.tinyTrainedRuns(in: scratch)

        let out = scratch.appendingPathComponent("eval")
        let r = try EBMProcess.succeeding(["evaluate", "--model", ebmRun, "--baseline", ffRun, "--data", data, "--episodes", "2", "--samples", "4",
                         "--steps", "8", "--sampler", "mala", "--reference-samples", "6", "--long-horizon", "120", "--long-contexts", "2",
                         "--long-samples", "3", "--curve-episodes", "2", "--step-counts", "0", "4", "12", "--out", out.path])
        XCTAssertTrue(r.stdout.contains("evaluate: 2 episodes × 4 futures of 27 states"), r.stdout)
        // one progress line per section on standard error, then the total (a log is never silent for a whole evaluation)
        for line in ["evaluate: section 1/4, forecast: 2 contexts × 4 futures", "evaluate: section 2/4, distribution",
                     "evaluate: section 3/4, long horizon", "evaluate: section 4/4, quality vs steps", "evaluate: 4/4 sections done in"] {
            XCTAssertTrue(r.stderr.contains(line), "\(line) in\n\(r.stderr)")
        }
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

        // energy score / MMD against re-simulated futures: finite, ≥ 0; the table names every row
        let distribution = try XCTUnwrap(metrics["distribution"] as? [String: Any])
        XCTAssertEqual(distribution["reference_samples"] as? Int, 6)
        XCTAssertEqual(distribution["site"] as? String, "fingertip")
        for name in ["ebm", "baseline", "resimulated_half"] {
            let m = try XCTUnwrap(distribution[name] as? [String: Any], name)
            for key in ["energy_score_final_site", "mmd2_final_site", "energy_score_future", "mmd2_future"] {
                let v = try XCTUnwrap(m[key] as? Double, "\(name).\(key)")
                XCTAssertTrue(v.isFinite && v >= 0, "\(name).\(key) = \(v)")
            }
        }
        let goalsDrawn = try XCTUnwrap(distribution["reference_goals_per_context"] as? Double)
        XCTAssertTrue((1...4).contains(goalsDrawn), "re-simulation draws goals: \(goalsDrawn)")
        XCTAssertTrue(r.stdout.contains("re-simulated"), r.stdout)

        // long horizon: curves of the requested length, shares in [0, 1] and non-increasing, physics replayed
        let long = try XCTUnwrap(metrics["long_horizon"] as? [String: Any])
        XCTAssertEqual(long["states"] as? Int, 120)
        let longCurves = try XCTUnwrap(long["curves"] as? [String: Any])
        for key in ["ebm_within_range", "ebm_frechet", "ebm_divergence", "baseline_within_range", "baseline_frechet", "baseline_divergence"] {
            XCTAssertEqual((longCurves[key] as? [Any])?.count, 120, key)
        }
        let within = try XCTUnwrap(longCurves["ebm_within_range"] as? [Double])
        XCTAssertTrue(within.allSatisfy { (0...1).contains($0) })
        XCTAssertEqual(within, within.sorted(by: >), "the share that stayed can only fall")
        XCTAssertEqual((longCurves["ebm_error"] as? [Any])?.count, 27, "errors while the episode lasts")
        for name in ["ebm", "baseline"] {
            let m = try XCTUnwrap(long[name] as? [String: Any], name)
            XCTAssertEqual(m["within_range_final"] as? Double, name == "ebm" ? within.last : (longCurves["baseline_within_range"] as? [Double])?.last)
            let physics = try XCTUnwrap(m["physics"] as? [String: Any], name)
            XCTAssertEqual(physics["rollouts"] as? Int, name == "ebm" ? 6 : 2)
        }
        // the data's own episodes stay within the ranges and replay closely (measured 0.0079: the
        // finite-difference acceleration under RK4 on the tiny recipe's 15-step moves)
        let dataRow = try XCTUnwrap(long["data"] as? [String: Any])
        XCTAssertEqual(dataRow["within_range"] as? Double, 1)
        XCTAssertLessThan(try XCTUnwrap(dataRow["one_step_defect"] as? Double), 0.03)

        // quality vs steps: one entry per step count, with the feedforward constant beside it
        let quality = try XCTUnwrap(metrics["quality_vs_steps"] as? [String: Any])
        XCTAssertEqual(quality["steps"] as? [Int], [0, 4, 12])
        let q = try XCTUnwrap(quality["ebm"] as? [String: Any])
        for key in ["validity", "goals_covered", "ade_best_of_k", "ade_mean"] { XCTAssertEqual((q[key] as? [Double])?.count, 3, key) }
        XCTAssertNotNil((quality["baseline"] as? [String: Any])?["validity"] as? Double)

        // every figure as SVG and PNG
        let plots = try XCTUnwrap(metrics["plots"] as? [String])
        for name in ["error_vs_horizon", "stability_vs_time", "frechet_vs_time", "physical_divergence", "quality_vs_steps", "ade_vs_steps"] {
            for ext in ["svg", "png"] {
                XCTAssertTrue(plots.contains("\(name).\(ext)"), "\(name).\(ext) listed")
                XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(name).\(ext)").path), "\(name).\(ext) written")
            }
        }
        let png = try Data(contentsOf: out.appendingPathComponent("stability_vs_time.png"))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }
}
