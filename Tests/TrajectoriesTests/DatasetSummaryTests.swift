import Foundation
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

    /// `DatasetFolder.info` (ebm dataset info): a folder gives its meta.json line then both splits'
    /// lines, an .npz file its own lines only, the same as the split's summary.
    func testInfoOfAFolderAndOfOneSplit() throws {
        let recipe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("trajectories/reacher2-tiny.json")
        let folder = try makeScratchDirectory().appendingPathComponent("data")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try DatasetGenerator(recipe: Recipe(json: [UInt8](Data(contentsOf: recipe)), file: recipe.path)).write(to: folder, projectVersion: "test", threads: 1)
        var lines: [String] = []
        try DatasetFolder.info(path: folder.path) { lines.append($0) }
        XCTAssertTrue(lines[0].hasPrefix("\(folder.path): reacher2-tiny, robot reacher2, "), lines[0])
        let test = folder.appendingPathComponent("test.npz")
        var one: [String] = []
        try DatasetFolder.info(path: test.path) { one.append($0) }
        XCTAssertEqual(one, try TrajectoryDataset(contentsOf: test).summary(fileName: "test.npz", stateNames: []))
        XCTAssertEqual(lines.count, 1 + 2 * one.count, "meta.json, then train and test")
        XCTAssertThrowsError(try DatasetFolder.info(path: folder.appendingPathComponent("none.npz").path) { _ in })
    }
}
