import EnergyModels
import Foundation
import NeuralCore
import Sampling
import Trajectories
import XCTest
@testable import Scoring

/// `OODBenchmark.evaluate`: a model's detectors, the calibrated ones and the Gaussian baseline on the
/// tiny reacher2 recipe's shifts; ood.json's keys; a meta.json without recipe or robot as a case.
final class OODEvaluationTests: XCTestCase {
    func testEvaluateRunsEveryDetectorOnEveryShift() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("trajectories/reacher2-tiny.json")
        let bytes = try [UInt8](Data(contentsOf: file))
        let generator = try DatasetGenerator(recipe: Recipe(json: bytes, file: file.path))
        let (train, test) = (try generator.generate(.train, range: 0..<6, threads: 1), try generator.generate(.test, range: 0..<5, threads: 1))
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (2, 3, 8, 2)
        let encoding = WindowEncoding(windows: try TrajectoryWindows(train, context: 2, future: 3), futureAsDelta: true)
        let model = FutureModel.contrastive(TrajectoryEnergyModel(configuration: c, encoding: encoding, seed: 5), langevin: LangevinConfiguration())
        let meta = JSONValue.object([("robot", .string("reacher2")), ("recipe", try JSONValue.parse(bytes))])

        let evaluation = try OODBenchmark.evaluate(model, test: test, train: train, meta: meta, goals: nil, episodes: 3, descentSteps: 2,
                                                   feedforward: nil, seed: 3)
        XCTAssertEqual(evaluation.episodes, 3)
        XCTAssertEqual(evaluation.report.shifts.map(\.shift), DistributionShift.allCases)
        XCTAssertEqual(evaluation.detectors.last?.key, "gaussian")
        XCTAssertEqual(evaluation.detectors.map(\.key), evaluation.report.detectorKeys)
        XCTAssertTrue(evaluation.detectors.contains { $0.key == "ebm" }, "\(evaluation.detectors.map(\.key))")
        // seeded: the same figures on a second run
        let again = try OODBenchmark.evaluate(model, test: test, train: train, meta: meta, goals: nil, episodes: 3, descentSteps: 2, feedforward: nil, seed: 3)
        XCTAssertEqual(again.markdown, evaluation.markdown, "seeded: the same table twice")
        let summary = evaluation.dictionary
        XCTAssertEqual(summary["shift_count"] as? Int, DistributionShift.allCases.count)
        XCTAssertEqual(summary["episodes"] as? Int, 3)
        XCTAssertEqual((summary["detectors"] as? [[String: String]])?.map { $0["key"]! }, evaluation.detectors.map(\.key))
        XCTAssertTrue(JSONSerialization.isValidJSONObject(summary))

        func failure(_ meta: JSONValue) -> OODBenchmark.EvaluationFailure? {
            do { _ = try OODBenchmark.evaluate(model, test: test, train: train, meta: meta, goals: nil, episodes: 3, descentSteps: 0, feedforward: nil, seed: 3); return nil }
            catch { return error as? OODBenchmark.EvaluationFailure }
        }
        XCTAssertEqual(failure(.object([("robot", .string("reacher2"))])), .noRecipe)
        XCTAssertEqual(failure(.object([("recipe", try JSONValue.parse(bytes))])), .noRobot)
        guard case .robot(name: "no-such-robot", _)? = failure(.object([("robot", .string("no-such-robot")), ("recipe", try JSONValue.parse(bytes))])) else {
            return XCTFail("an unknown robot")
        }
    }
}
