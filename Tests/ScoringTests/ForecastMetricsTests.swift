// ForecastMetricsTests: metrics.json's forecast keys follow the report (baseline and goals only
// when there are any), non-finite numbers become null, and table columns line up.

import Foundation
import Sampling
import Simulation
import XCTest
@testable import Scoring

final class ForecastMetricsTests: XCTestCase {
    func report(baseline: Bool) -> ForecastReport {
        var ebm = ForecastScores(steps: 2)
        (ebm.adeBest, ebm.adeMean, ebm.fdeBest, ebm.fdeMean, ebm.perStepMean) = (0.1, 0.2, 0.3, 0.4, [0.15, 0.25])
        return ForecastReport(contexts: 3, samplesPerContext: 4, futureStates: 2, sampler: .mala, steps: 7, seconds: 1.5,
                              ebm: ebm, baseline: baseline ? ForecastScores(steps: 2) : nil, hasGoals: false)
    }

    func testForecastKeysFollowTheReport() throws {
        let m = report(baseline: false).metrics(model: "run", data: "d", split: .train, seed: 9, contextStates: 5, baselineModel: "ff",
                                                goals: nil, radius: 0.02)
        XCTAssertEqual(Set(m.keys), ["model", "data", "split", "episodes", "samples", "sampler", "steps", "seed", "context_states",
                                     "future_states", "sampling_seconds", "ebm", "error_vs_horizon"], "no baseline scores: no baseline keys")
        XCTAssertEqual(m["split"] as? String, "train")
        XCTAssertEqual(m["episodes"] as? Int, 3)
        XCTAssertEqual(m["samples"] as? Int, 4)
        XCTAssertEqual(m["sampler"] as? String, "mala")
        XCTAssertEqual((m["ebm"] as? [String: Any])?["ade_mean"] as? Double, 0.2)
        let b = report(baseline: true).metrics(model: "run", data: "d", split: .test, seed: 9, contextStates: 5, baselineModel: "ff",
                                               goals: GoalSet(robot: try RobotModel.load("pointmass2d"), site: 0, siteName: "center", positions: [[0.1, 0, 0]]),
                                               radius: 0.02)
        XCTAssertEqual(b["baseline_model"] as? String, "ff")
        XCTAssertEqual((b["baseline"] as? [String: Any])?["samples_per_context"] as? Int, 1)
        let goals = try XCTUnwrap(b["goals"] as? [String: Any])
        XCTAssertEqual(goals["count"] as? Int, 1)
        XCTAssertEqual(goals["site"] as? String, "center")
        XCTAssertEqual(goals["truth_validity"] as? Double, 0)
    }

    func testNonFiniteNumbersBecomeNullAndTablesAlign() throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "forecast-metrics-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try ForecastEvaluation.write(metrics: ["a": Double.nan, "b": [1.0, .infinity], "c": ["d": -Double.infinity, "e": "x"], "f": 2], to: url)
        let back = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        XCTAssertTrue(back["a"] is NSNull)
        XCTAssertEqual((back["b"] as? [Any])?.first as? Double, 1)
        XCTAssertTrue((back["b"] as? [Any])?.last is NSNull)
        XCTAssertTrue((back["c"] as? [String: Any])?["d"] is NSNull)
        XCTAssertEqual((back["c"] as? [String: Any])?["e"] as? String, "x")
        XCTAssertEqual(back["f"] as? Int, 2)
        XCTAssertEqual(ForecastEvaluation.tableLines([["", "ADE"], ["EBM", "0.1234"], ["feedforward-long", "12345678901"]], first: 5, other: 8),
                       ["          ADE", "EBM    0.1234", "feedf 12345678901"])
    }
}
