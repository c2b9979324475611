import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

/// `RunFolder` and the `load(run:)` loaders: a folder resolves to its final model, a missing path,
/// an unfinished run and a conditioned model are refused with their own cases; the chained
/// feedforward rollout equals its predictions appended one after the other.
final class RunFolderTests: XCTestCase {
    func trainedRun(_ kind: ModelKind, goals: Bool = false) throws -> URL {
        let train = goals ? ConditioningTests.twoGoalWalks(episodes: 8, steps: 10, seed: 3) : Fixtures.randomWalk(episodes: 8, steps: 10, stateSize: 2, seed: 1)
        let test = goals ? ConditioningTests.twoGoalWalks(episodes: 2, steps: 10, seed: 4) : Fixtures.randomWalk(episodes: 2, steps: 10, stateSize: 2, seed: 2)
        var configuration = TrainerTests.smallConfiguration()
        configuration.optimization.steps = 2
        configuration.model.conditionOnGoal = goals
        let out = try Fixtures.temporaryDirectory()
        XCTAssertEqual(try Trainer(kind: kind, configuration: configuration, dataDirectory: try Fixtures.folder(train: train, test: test),
                                   outputDirectory: out).run(), .finished)
        return out
    }

    func testFolderAndFileResolveToTheSameModel() throws {
        let run = try trainedRun(.ebm)
        let file = run.appendingPathComponent("model.safetensors")
        XCTAssertEqual(RunFolder.checkpoint(run.path), file)
        XCTAssertEqual(try RunFolder.existingCheckpoint(file.path), file)
        let (a, metaA) = try TrajectoryEnergyModel.load(run: run.path)
        let (b, _) = try TrajectoryEnergyModel.load(from: file)
        XCTAssertEqual(a.encoding, b.encoding)
        XCTAssertEqual(metaA.kind, .ebm)
        XCTAssertEqual(Array(a.network.parameters.storage), Array(b.network.parameters.storage))
    }

    func testMissingAndUnfinishedRunsAreTheirOwnCases() throws {
        let nowhere = "/nonexistent/run-\(UUID().uuidString)"
        XCTAssertThrowsError(try RunFolder.existingCheckpoint(nowhere)) { XCTAssertEqual($0 as? RunFolderError, .missing(path: nowhere)) }
        let empty = try Fixtures.temporaryDirectory()
        XCTAssertThrowsError(try FeedforwardPredictor.load(run: empty.path)) { XCTAssertEqual($0 as? RunFolderError, .unfinished(path: empty.path)) }
        XCTAssertTrue(RunFolderError.unfinished(path: "r").description.hasPrefix("r: the run folder has no model.safetensors yet"))
    }

    func testConditionedModelsAreRefusedUnlessAsked() throws {
        let run = try trainedRun(.feedforward, goals: true)
        XCTAssertThrowsError(try FeedforwardPredictor.load(run: run.path)) {
            XCTAssertEqual($0 as? RunFolderError, .conditioned(checkpoint: run.appendingPathComponent("model.safetensors").path, goal: true))
        }
        XCTAssertEqual(try FeedforwardPredictor.load(run: run.path, conditioned: true).model.encoding.goalCount, 2)
        // a model of the other kind is a TrainingError naming the file
        XCTAssertThrowsError(try TrajectoryEnergyModel.load(run: run.path, conditioned: true)) {
            XCTAssertTrue($0 is TrainingError, "\($0)")
            assertFileError($0, .mismatched, path: run.appendingPathComponent("model.safetensors").path)
        }
    }

    func testRolloutChainsPredictions() throws {
        let model = try FeedforwardPredictor.load(run: try trainedRun(.feedforward).path).model
        let (k, H, S) = (model.encoding.contextLength, model.encoding.horizon, model.encoding.stateSize)
        let context = (0..<(k + 1) * S).map { 0.1 * Double($0) }   // one extra leading state: only the last k are read
        let total = 2 * H + 1
        let path = model.rollout(context: context, total: total)
        XCTAssertEqual(path.count, total * S)
        // independent: predict block by block by hand
        var states = context.suffix(k * S).map(Float.init)
        for _ in 0..<3 { states += model.predict(context: Array(states.suffix(k * S))) }
        XCTAssertEqual(path, states[(k * S)..<((k + total) * S)].map(Double.init))
        XCTAssertEqual(Array(model.rollout(context: context, total: H)), Array(path.prefix(H * S)))
    }
}
