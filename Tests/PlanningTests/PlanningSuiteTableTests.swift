// PlanningSuiteTableTests: `ebm bench plan`'s table row and --verbose line carry the tally's
// figures, with the optional parts only when there is something to say.

import Foundation
import XCTest
@testable import Planning

final class PlanningSuiteTableTests: XCTestCase {
    func testMarkdownRowOfATally() {
        var row = PlanningSuite.Row(robot: "pointmass2d", planner: "mala", goals: 4)
        (row.successes, row.steps, row.collisions, row.collidingEpisodes, row.ms) = (3, [10, 20, 30], 5, 1, [1.5, 0.5, 2.5, 9])
        (row.obstacleCases, row.multiRoute) = (2, 1)
        XCTAssertEqual(row.markdown, "| pointmass2d | mala | 75% (3/4) | 20.0 | 5 / 1 | 2.50 | 1/2 |")
        XCTAssertEqual(row.markdown.split(separator: "|").count, PlanningSuite.markdownHeader[0].split(separator: "|").count)
        (row.errors, row.infeasible, row.acceptance) = (1, 2, [0.5, 0.7])
        XCTAssertEqual(row.markdown, "| pointmass2d | mala | 75% (3/4) | 20.0 | 5 / 1 | 2.50 | 1/2 | (1 errors) (2 no feasible plan) (acceptance 0.60)")
    }

    func testVerboseLineOfAnEpisode() {
        let c = PlanningSuite.Case(goal: SIMD3(0.1, 0.2, 0.01), obstacles: [.sphere(center: SIMD3(0.05, 0.1, 0), radius: 0.04)])
        let o = MPCOutcome(planner: "langevin", success: true, failure: nil, steps: 12, finalDistance: 0.0123, collisions: 0,
                           qpos: [], qvel: [], ctrl: [], replanSeconds: [0.002], alternatives: [], alternativeEnergies: [], routes: 2)
        XCTAssertEqual(c.line(robot: "pointmass2d", planner: "langevin", index: 3, outcome: o),
                       "  pointmass2d langevin goal 3 (0.100, 0.200, 0.010) obstacle (0.050, 0.100, 0.000) r 0.040: reached 12 steps, final 0.0123 m, 0 collisions, 2 routes, 2.00 ms")
        let bare = PlanningSuite.Case(goal: .zero, obstacles: [])
        XCTAssertFalse(bare.line(robot: "r", planner: "p", index: 0, outcome: o).contains("obstacle"))
    }

    /// The skipped row, the planner's name with a learned term, and the --json record.
    func testSkippedRowNamesAndRecord() throws {
        XCTAssertEqual(PlanningSuite.skippedRow(robot: "arm7", kind: .mppiFF), "| arm7 | mppi-ff | skipped: no --dynamics-arm7 | | | | |")
        XCTAssertEqual(PlanningSuite.skippedRow(robot: "arm7", kind: .mppiFF).split(separator: "|", omittingEmptySubsequences: false).count,
                       PlanningSuite.markdownHeader[0].split(separator: "|", omittingEmptySubsequences: false).count)
        XCTAssertEqual(PlanningSuite.plannerName(.mala, learned: true), "mala+ebm")
        XCTAssertEqual(PlanningSuite.plannerName(.mala, learned: false), "mala")
        XCTAssertEqual(PlanningSuite.plannerName(.mppiSim, learned: true), "mppi-sim")
        let row = PlanningSuite.Row(robot: "pointmass2d", planner: "mala", goals: 4)
        let record = PlanningSuite.record(rows: [row, row], threads: 2, seed: 7)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(record.serialized().utf8)) as? [String: Any])
        XCTAssertEqual(object["threads"] as? Int, 2)
        XCTAssertEqual(object["seed"] as? Int, 7)
        XCTAssertEqual((object["rows"] as? [[String: Any]])?.map { $0["planner"] as? String }, ["mala", "mala"])
    }
}
