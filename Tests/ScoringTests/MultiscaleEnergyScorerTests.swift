// MultiscaleEnergyScorerTests: the largest standardised energy over a denoising model's noise levels —
// its levels, its calibration (zero mean, unit deviation on the calibration windows), the maximum
// against the model's own σmin energy, and the errors.

import EnergyModels
import Foundation
import NeuralCore
import Sampling
import Trajectories
import XCTest
@testable import Scoring

final class MultiscaleEnergyScorerTests: XCTestCase {
    /// Episodes of k + H = 5 random states of S = 2 (one window each for the expert's k = 2, H = 3).
    func windows(episodes: Int, seed: UInt64) throws -> TrajectoryWindows {
        var g = SeededGenerator(seed: seed)
        let states = (0..<(episodes * 5 * 2)).map { _ in 0.3 * g.gaussian() }
        let data = TrajectoryDataset(episodes: episodes, steps: 4, stateSize: 2, controlSize: 0, siteCount: 0, states: states,
                                     controls: [], sites: [], goal: [Int64](repeating: -1, count: episodes),
                                     episodeSeed: [Int64](repeating: 0, count: episodes))
        return try TrajectoryWindows(data, context: 2, future: 3)
    }

    func testDefaultLevelsAreGeometricFromSigmaMinTo0_3() {
        let model = DenoisingCompositionTests.expert(seed: 3)   // σ from 0.01 to 2
        let levels = MultiscaleEnergyScorer.defaultLevels(model)
        XCTAssertEqual(levels.count, 5)
        XCTAssertEqual(levels.first!, 0.01, accuracy: 1e-7)
        XCTAssertEqual(levels.last!, 0.3, accuracy: 1e-6)
        for i in 1..<4 { XCTAssertEqual(Double(levels[i + 1] / levels[i]), Double(levels[i] / levels[i - 1]), accuracy: 1e-5) }
        XCTAssertEqual(MultiscaleEnergyScorer.defaultLevels(model, count: 3, highest: 5).last!, 2, accuracy: 1e-6, "capped at σmax")
    }

    func testCalibratedLevelsAreStandardisedAndTheScoreIsTheirMaximum() throws {
        let model = DenoisingCompositionTests.expert(seed: 3)
        let calibration = try windows(episodes: 40, seed: 7)
        let scorer = try MultiscaleEnergyScorer(model: model, calibration: calibration)
        var context: [Float] = [], future: [Float] = []
        scorer.gather(calibration, Array(0..<40), context: &context, future: &future)
        let z = scorer.standardizedEnergies(context: context, future: future)
        XCTAssertEqual(z.count, 5)
        for level in z {
            let mean = level.reduce(0, +) / 40
            let variance = level.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 39
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-4)
        }
        // other windows: the lowest level is the model's own σmin energy of the coefficients, standardised
        let other = try windows(episodes: 6, seed: 8)
        scorer.gather(other, Array(0..<6), context: &context, future: &future)
        let atSigmaMin = model.energies(context: context, future: future, offBasis: false)
        let zOther = scorer.standardizedEnergies(context: context, future: future)
        for b in 0..<6 {
            XCTAssertEqual(zOther[0][b], (Double(atSigmaMin[b]) - scorer.mean[0]) / scorer.deviation[0], accuracy: 1e-4)
        }
        let scores = scorer.scores(context: context, future: future)
        for b in 0..<6 { XCTAssertEqual(scores[b], zOther.map { $0[b] }.max()!) }
    }

    func testDetectorsAndErrors() throws {
        let model = DenoisingCompositionTests.expert(seed: 3)
        let calibration = try windows(episodes: 10, seed: 7)
        let detectors = try OODBenchmark.calibratedDetectors(.denoising(model), training: calibration)
        XCTAssertEqual(detectors.map(\.key), ["ebm_multiscale"])
        XCTAssertEqual(try OODBenchmark.calibratedDetectors(.contrastive(tinyEnergyModel(seed: 3, shift: 0), langevin: LangevinConfiguration()),
                                                            training: calibration).count, 0)
        // geometry, too few windows, stored calibration that cannot standardise
        XCTAssertThrowsError(try MultiscaleEnergyScorer(model: model, calibration: try TrajectoryWindows(calibration.dataset, context: 1, future: 3)))
        XCTAssertThrowsError(try MultiscaleEnergyScorer(model: model, calibration: try windows(episodes: 1, seed: 7)))
        XCTAssertThrowsError(try MultiscaleEnergyScorer(model: model, calibration: calibration, levels: [0.1, 0]))
        XCTAssertThrowsError(try MultiscaleEnergyScorer(model: model, levels: [0.1], mean: [0], deviation: [0]))
        XCTAssertThrowsError(try MultiscaleEnergyScorer(model: model, levels: [0.1, 0.2], mean: [0], deviation: [1]))
    }
}
