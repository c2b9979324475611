import EnergyModels
import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import Scoring

/// `IntentEvaluation.run`: the figures of the benchmark it wraps, the observed steps a window can
/// fill, intent.json's keys, and each failure as a case.
final class IntentEvaluationTests: XCTestCase {
    func model(goals: Int, data: TrajectoryDataset) throws -> TrajectoryEnergyModel {
        var configuration = ModelConfiguration()
        (configuration.contextLength, configuration.horizon, configuration.hiddenWidth, configuration.depth) = (2, 2, 16, 2)
        let windows = try TrajectoryWindows(data, context: 2, future: 2)
        return TrajectoryEnergyModel(configuration: configuration, encoding: WindowEncoding(windows: windows, futureAsDelta: true, goalCount: goals), seed: 5)
    }

    func testRunMatchesTheBenchmarkAndNamesItsInputs() throws {
        let train = IntentInferenceTests.walks(episodes: 8, steps: 10, seed: 1), test = IntentInferenceTests.walks(episodes: 6, steps: 10, seed: 2)
        let ebm = try model(goals: 2, data: train)
        var settings = IntentEvaluation.Settings()
        (settings.episodes, settings.observedSteps, settings.classifierSteps) = (4, [1, 3, 6, 10, 11], 20)
        (settings.attackObserved, settings.epsilons, settings.attackIterations) = ([0, 20], [0, 0.5], 2)
        let result = try IntentEvaluation.run(model: ebm, test: test, train: train, settings: settings)
        XCTAssertEqual(result.observed, [3, 6, 10], "a window holds 4 states (n ≥ 3) and episodes 11 (n ≤ 10)")
        XCTAssertEqual(result.attackLengths, [3, 10], "attacked prefixes clamped to a window and the episode")
        XCTAssertEqual([result.episodes, result.goals, result.windowStates], [4, 2, 4])

        // the same figures as the benchmark called directly (the classifier is seeded)
        let windows = try TrajectoryWindows(train, context: 2, future: 2)
        let classifier = try GoalClassifier(windows: windows, goalCount: 2, hiddenWidth: 16, depth: 2, steps: 20, seed: settings.seed)
        let direct = IntentBenchmark(scorers: [try EnergyGoalScorer(model: ebm), classifier], test: test, episodes: 4, goalCount: 2)
            .report(observed: [3, 6, 10], attackLengths: [3, 10], epsilons: [0, 0.5], scale: IntentBenchmark.attackScale(train), iterations: 2)
        XCTAssertEqual(result.report, direct)
        XCTAssertEqual(try JSONDecoder().decode(IntentEvaluation.Result.self, from: JSONEncoder().encode(result)), result)

        let summary = result.dictionary(settings: settings)
        for key in ["episodes", "goals", "seed", "window_states", "observed_steps", "chance", "classifier", "attack", "seconds",
                    "ebm_accuracy", "classifier_accuracy", "ebm_adversarial_accuracy", "classifier_adversarial_accuracy"] {
            XCTAssertNotNil(summary[key], key)
        }
        XCTAssertEqual(summary["chance"] as? Double, 0.5)
        XCTAssertEqual(summary["ebm_accuracy"] as? [Double], direct.accuracy[0])
        XCTAssertTrue(JSONSerialization.isValidJSONObject(summary))
    }

    func testFailuresAreCases() throws {
        let train = IntentInferenceTests.walks(episodes: 8, steps: 10, seed: 1)
        var settings = IntentEvaluation.Settings()
        settings.classifierSteps = 2
        func failure(_ ebm: TrajectoryEnergyModel, test: TrajectoryDataset, _ s: IntentEvaluation.Settings) -> IntentEvaluation.Failure? {
            do { _ = try IntentEvaluation.run(model: ebm, test: test, train: train, settings: s); return nil } catch { return error as? IntentEvaluation.Failure }
        }
        guard case .unconditioned? = failure(try model(goals: 0, data: train), test: train, settings) else { return XCTFail("an unconditioned model") }
        var observed = settings
        observed.observedSteps = [1, 50]
        XCTAssertEqual(failure(try model(goals: 2, data: train), test: train, observed), .noObservedSteps(window: 4, length: 11))
        XCTAssertEqual(IntentEvaluation.Failure.noObservedSteps(window: 4, length: 11).description, "none in 3...10 (a window holds 4 states; episodes 11)")
        var labels = train
        labels.goal[1] = 7
        XCTAssertEqual(failure(try model(goals: 2, data: train), test: labels, settings), .goalLabel(7, goals: 2))
    }
}
