// ForecastInputsTests: what a forecast evaluation reads beside the evaluated split — the goals of
// a generated folder (as the direct GoalSet constructor computes them from the same splits) and
// the split its references come from; missing metadata and mismatched sizes are refused by name.

import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Scoring

final class ForecastInputsTests: XCTestCase {
    static let folder = NSTemporaryDirectory() + "forecast-inputs-\(getpid())"

    override class func setUp() {
        let recipe = try! Recipe(json: [UInt8](Data(contentsOf: EvaluationSectionsTests.recipeFile)), file: EvaluationSectionsTests.recipeFile.path)
        try! DatasetGenerator(recipe: recipe).write(to: URL(fileURLWithPath: folder), projectVersion: "test", threads: 1)
    }

    override class func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func testGoalsOfAFolderAreTheMeanFinalSitesOfBothSplits() throws {
        let test = try TrajectoryDataset(folder: Self.folder, split: .test)
        let train = try TrajectoryDataset(folder: Self.folder, split: .train)
        let goals = try XCTUnwrap(try GoalSet.load(folder: Self.folder, split: .test, dataset: test))
        XCTAssertEqual(goals.siteName, "fingertip")
        XCTAssertEqual(goals.robot.nq + goals.robot.nv, test.stateSize)
        let direct = GoalSet(robot: goals.robot, site: goals.site, siteName: goals.siteName, datasets: [test, train], siteCount: test.siteCount)
        XCTAssertEqual(goals.positions, direct.positions)
        XCTAssertEqual(goals.positions.count, 4)
        // evaluating the train split reads it alone
        let own = try XCTUnwrap(try GoalSet.load(folder: Self.folder, split: .train, dataset: train))
        XCTAssertEqual(own.positions, GoalSet(robot: goals.robot, site: goals.site, siteName: goals.siteName, datasets: [train], siteCount: train.siteCount).positions)
    }

    func testNoGoalsNoGoalSetAndNoRobotAnError() throws {
        let test = try TrajectoryDataset(folder: Self.folder, split: .test)
        var unlabelled = test
        unlabelled.goal = [Int64](repeating: -1, count: test.episodes)
        XCTAssertNil(try GoalSet.load(folder: Self.folder, split: .test, dataset: unlabelled))
        let bare = Self.folder + "-bare"
        try FileManager.default.createDirectory(atPath: bare, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bare) }
        XCTAssertThrowsError(try GoalSet.load(folder: bare, split: .test, dataset: test)) {
            XCTAssertEqual("\($0)", "\(bare)/meta.json: no robot named; goal metrics need it")
            XCTAssertEqual($0 as? ScoringError, .file(FileError(.notFound, path: "\(bare)/meta.json", "no robot named; goal metrics need it")))
        }
        // a meta.json without a robot: there, but malformed for goal metrics
        try Data("{}".utf8).write(to: URL(fileURLWithPath: bare + "/meta.json"))
        XCTAssertThrowsError(try GoalSet.load(folder: bare, split: .test, dataset: test)) {
            XCTAssertEqual(FileError.of($0)?.kind, .malformed, "\($0)")
        }
    }

    func testReferencesComeFromTheTrainSplitWhenNeeded() throws {
        let test = try TrajectoryDataset(folder: Self.folder, split: .test)
        let S = test.stateSize
        XCTAssertEqual(try ForecastEvaluation.referenceSplit(folder: Self.folder, split: .test, evaluated: test, stateSize: S, needed: false).episodes, 5)
        let reference = try ForecastEvaluation.referenceSplit(folder: Self.folder, split: .test, evaluated: test, stateSize: S, needed: true)
        XCTAssertEqual(reference.episodes, 10)
        XCTAssertEqual(reference.states, try TrajectoryDataset(folder: Self.folder, split: .train).states)
        XCTAssertThrowsError(try ForecastEvaluation.referenceSplit(folder: Self.folder, split: .test, evaluated: test, stateSize: S + 1, needed: true)) {
            XCTAssertTrue("\($0)".hasSuffix("train.npz: states have \(S) numbers, the model reads \(S + 1)"), "\($0)")
            XCTAssertEqual(FileError.of($0)?.kind, .mismatched, "\($0)")
            XCTAssertEqual(FileError.of($0)?.path, URL(fileURLWithPath: Self.folder).appendingPathComponent("train.npz").path, "\($0)")
        }
    }
}
