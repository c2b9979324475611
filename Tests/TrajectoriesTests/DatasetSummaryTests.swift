import XCTest
@testable import Trajectories

/// `ebm dataset info`'s figures: per-dimension ranges over every state and episodes per goal.
final class DatasetSummaryTests: XCTestCase {
    func testRangesAndGoalCounts() {
        // 3 episodes × 2 states × S = 2
        let states: [Double] = [0, 5, 1, -5, /**/ 2, 0, -3, 1, /**/ 0.5, 0.5, 0.25, 9]
        let d = TrajectoryDataset(episodes: 3, steps: 1, stateSize: 2, controlSize: 1, siteCount: 0, states: states,
                                  controls: [0, 0, 0], sites: [], goal: [2, -1, 2], episodeSeed: [0, 1, 2])
        let r = d.stateRanges
        XCTAssertEqual(r.lower, [-3, -5])
        XCTAssertEqual(r.upper, [2, 9])
        XCTAssertEqual(d.goalCounts.map(\.goal), [-1, 2])
        XCTAssertEqual(d.goalCounts.map(\.episodes), [1, 2])
        let empty = TrajectoryDataset(episodes: 0, steps: 1, stateSize: 2, controlSize: 1, siteCount: 0, states: [], controls: [], sites: [],
                                      goal: [], episodeSeed: [])
        XCTAssertEqual(empty.stateRanges.lower, [.infinity, .infinity])
        XCTAssertTrue(empty.goalCounts.isEmpty)
    }
}
