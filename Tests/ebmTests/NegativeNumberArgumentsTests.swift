import Foundation
import Planning
import XCTest
@testable import ebm

/// Comma-separated coordinates may start with a minus sign: `--goal -0.10,0.14` is a value, not a flag.
final class NegativeNumberArgumentsTests: XCTestCase {
    func testPlanTakesNegativeGoalObstacleAndStart() throws {
        let plan = try Plan.parse(["--robot", "pointmass2d", "--goal", "-0.10,0.14", "--obstacle", "-0.05,0.1,0,0.02",
                                   "--obstacle", "-0.2,-0.1,0,0.03", "--start", "-0.5,0.2", "--acceleration-scale", "1", "--out", "x"])
        XCTAssertEqual(plan.goal.text, "-0.10,0.14")
        XCTAssertEqual(plan.obstacle.map(\.text), ["-0.05,0.1,0,0.02", "-0.2,-0.1,0,0.03"])
        XCTAssertEqual(plan.start?.text, "-0.5,0.2")
        // the old spelling keeps working
        XCTAssertEqual(try Plan.parse(["--robot", "pointmass2d", "--goal=-0.10,0.14", "--out", "x"]).goal.text, "-0.10,0.14")
    }

    func testPlanWithNegativeCoordinatesRunsEndToEnd() throws {
        let scratch = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let r = try EBMProcess.succeeding(["plan", "--robot", "pointmass2d", "--goal", "-0.10,0.14", "--obstacle", "-0.05,0.07,0,0.02",
                                           "--max-steps", "20", "--out", scratch.path])
        XCTAssertTrue(r.stdout.contains("langevin: "), r.stdout)
        XCTAssertTrue(r.stderr.contains("20/20 steps (100%)"), "progress on standard error: \(r.stderr)")
        let summary = try String(contentsOf: scratch.appendingPathComponent("summary.json"), encoding: .utf8)
        XCTAssertTrue(summary.contains("\"success\": "), summary)
    }
}
