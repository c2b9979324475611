import EnergyModels
import NeuralCore
import Sampling
import XCTest
@testable import Scoring

/// `OODBenchmark.modelDetectors`: which detectors a trained model brings, in report order, and that
/// each scores as the scorer it names.
final class OODDetectorsTests: XCTestCase {
    func testContrastiveModelDetectors() throws {
        let model = tinyEnergyModel(seed: 3, shift: 0)
        var langevin = LangevinConfiguration()
        (langevin.stepSize, langevin.gradientClip) = (0.05, 0.5)
        let future = FutureModel.contrastive(model, langevin: langevin)
        XCTAssertEqual(try OODBenchmark.modelDetectors(future, descentSteps: 0).map(\.key), ["ebm"])
        let detectors = try OODBenchmark.modelDetectors(future, descentSteps: 4)
        XCTAssertEqual(detectors.map(\.key), ["ebm", "ebm_descent"])
        XCTAssertEqual(detectors.map(\.name), ["EBM energy", "EBM energy above descent"])
        XCTAssertFalse(detectors[0].readsGoalLabel, "an unconditioned model reads no label")
        // each scores as the scorer it stands for
        let context = (0..<8).map { Float($0) * 0.1 }, futures = (0..<8).map { Float($0) * -0.05 }   // two windows
        XCTAssertEqual(detectors[0].scorer.scores(context: context, future: futures), future.windowScorer.scores(context: context, future: futures))
        let descent = EnergyDescentScorer(model: model, steps: 4, stepSize: 0.05, gradientClip: 0.5)
        XCTAssertEqual(detectors[1].scorer.scores(context: context, future: futures), descent.scores(context: context, future: futures))

        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (2, 2, 8, 2)
        var enc = model.encoding
        enc.goalCount = 3
        let goalModel = FutureModel.contrastive(TrajectoryEnergyModel(configuration: c, encoding: enc, seed: 5), langevin: langevin)
        let feedforward = FeedforwardPredictor(configuration: c, encoding: model.encoding, seed: 7)
        let withGoals = try OODBenchmark.modelDetectors(goalModel, descentSteps: 2, feedforward: feedforward)
        XCTAssertEqual(withGoals.map(\.key), ["ebm", "ebm_descent", "ebm_best_goal", "feedforward"])
        XCTAssertEqual(withGoals.map(\.readsGoalLabel), [true, true, false, false], "the best goal and an unconditioned baseline read no label")
    }
}
