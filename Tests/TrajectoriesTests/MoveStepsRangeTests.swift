import Foundation
import XCTest
@testable import Trajectories

/// goal-pd `move_steps_range`: each episode draws its own move duration, so arrival times spread
/// over the range; bad ranges name the field.
final class MoveStepsRangeTests: XCTestCase {
    func tiny(_ policyExtra: String) throws -> Recipe {
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("trajectories/reacher2-tiny.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"move_steps\": 15,", with: policyExtra)
            .replacingOccurrences(of: "\"steps\": 30,", with: "\"steps\": 80,")
        return try recipe(text, file: "range.json")
    }

    func testDurationsSpreadOverTheRange() throws {
        let data = try DatasetGenerator(recipe: tiny("\"move_steps_range\": [10, 60],")).generate(.train)
        // joint speed peaks mid-move, near delay + duration/2 (8 + 5 … 8 + 30) plus the PD lag
        let peaks = (0..<data.episodes).map { e in
            (0...data.steps).max { abs(Array(data.state(episode: e, step: $0))[2]) < abs(Array(data.state(episode: e, step: $1))[2]) }!
        }
        XCTAssertGreaterThan(peaks.max()! - peaks.min()!, 8, "\(peaks)")
        for p in peaks { XCTAssertTrue((10...60).contains(p), "\(peaks)") }
        XCTAssertThrowsError(try DatasetGenerator(recipe: tiny("\"move_steps_range\": [30, 10],"))) { error in
            XCTAssertTrue("\(error)".contains("policy.move_steps_range"), "\(error)")
        }
    }
}

extension MoveStepsRangeTests {
    /// `move_steps_choices` with `label: "move_steps"`: labels are speed classes, faster classes
    /// peak earlier, and an `exclude`d (goal, choice) pair never occurs.
    func testSpeedClassLabelsAndExcludedCombinations() throws {
        let data = try DatasetGenerator(recipe: tiny("\"move_steps_choices\": [12, 50], \"label\": \"move_steps\", \"exclude\": [[0, 0]],")).generate(.train)
        XCTAssertEqual(Set(data.goal), [0, 1])
        func peak(_ e: Int) -> Int {
            (0...data.steps).max { abs(Array(data.state(episode: e, step: $0))[2]) < abs(Array(data.state(episode: e, step: $1))[2]) }!
        }
        let fast = (0..<data.episodes).filter { data.goal[$0] == 0 }.map(peak), slow = (0..<data.episodes).filter { data.goal[$0] == 1 }.map(peak)
        XCTAssertLessThan(fast.max()!, slow.min()!, "fast \(fast), slow \(slow)")
        // goal 0, at (0.15, 0), never moves fast: no fast episode ends there
        for e in (0..<data.episodes) where data.goal[e] == 0 {
            let end = ((e * (data.steps + 1)) + data.steps) * 3
            XCTAssertGreaterThan(hypot(data.sites[end] - 0.15, data.sites[end + 1]), 0.05, "episode \(e)")
        }
        XCTAssertThrowsError(try DatasetGenerator(recipe: tiny("\"move_steps_choices\": [12, 50], \"label\": \"speed\","))) { error in
            XCTAssertTrue("\(error)".contains("policy.label"), "\(error)")
        }
    }
}

extension MoveStepsRangeTests {
    /// A goal circle of 2³² goals (found by scripts/fuzz.sh) is refused with the field's name, not a 34 GB allocation.
    func testHugeGoalCircleIsRefused() throws {
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("trajectories/reacher2-tiny.json"), encoding: .utf8)
        XCTAssertTrue(text.contains("\"count\": 4,"))
        text = text.replacingOccurrences(of: "\"count\": 4,", with: "\"count\": 4294967296,")
        XCTAssertThrowsError(try DatasetGenerator(recipe: recipe(text, file: "huge.json"))) { error in
            XCTAssertTrue("\(error)".contains("count"), "\(error)")
        }
    }
}
