import Trajectories
import XCTest
@testable import Scoring

/// The goal site a meta.json names, and the average displacement of a path, against hand values.
final class GoalSiteAndDisplacementTests: XCTestCase {
    func testGoalSiteFromMeta() throws {
        func meta(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }
        XCTAssertTrue(GoalSet.goalSite(meta: nil) == (0, "0"))
        XCTAssertTrue(GoalSet.goalSite(meta: try meta(#"{"site_names": ["elbow", "fingertip"], "goals": {"kind": "site:fingertip"}}"#)) == (1, "fingertip"))
        // an unknown site or another kind of goal: the first site
        XCTAssertTrue(GoalSet.goalSite(meta: try meta(#"{"site_names": ["elbow", "fingertip"], "goals": {"kind": "site:toe"}}"#)) == (0, "elbow"))
        XCTAssertTrue(GoalSet.goalSite(meta: try meta(#"{"site_names": ["a"], "goals": {"kind": "joint"}}"#)) == (0, "a"))
        XCTAssertTrue(GoalSet.goalSite(meta: try meta(#"{"robot": "reacher2"}"#)) == (0, "0"))
    }

    func testAverageDisplacement() {
        // two states of S = 2: distances 5 (3-4-5) and 0 → 2.5; a slice not starting at 0 is read from its start
        let truth: [Double] = [0, 0, 1, 1]
        let path: [Double] = [9, 9, 3, 4, 1, 1]
        XCTAssertEqual(SampleMetrics.averageDisplacement(path[2...], truth: truth, steps: 2, stateSize: 2), 2.5)
        XCTAssertEqual(SampleMetrics.averageDisplacement(path[2...], truth: truth, steps: 1, stateSize: 2), 5)
    }
}
