import EnergyModels
import Foundation
import NeuralCore
import Sampling
import XCTest
@testable import Scoring

/// The block-chained product-of-experts sampler: a zero-weight expert changes nothing, the result
/// is a function of the seed, and the chained futures have the asked length.
final class ExpertCompositionTests: XCTestCase {
    func tinyModel(seed: UInt64, shift: Float) -> TrajectoryEnergyModel { tinyEnergyModel(seed: seed, shift: shift) }

    func testZeroWeightExpertIsIgnoredAndTheSeedDecides() throws {
        let (a, b) = (tinyModel(seed: 1, shift: 0), tinyModel(seed: 2, shift: 0.3))
        let sampler = LangevinSampler(stepSize: 0.01, noiseScale: 0.1)
        let context: [Double] = [0.1, 0.2, 0.3, 0.1]
        let alone = ExpertComposition(experts: [(a, nil)], weights: [1], steps: 8, temperature: 1, initialScale: 1)
        let paired = ExpertComposition(experts: [(a, nil), (b, nil)], weights: [1, 0], steps: 8, temperature: 1, initialScale: 1)
        var heard: [[Int]] = []
        let x = try alone.sample(context: context, chains: 3, total: 5, sampler: sampler, seed: 4) { heard.append([$0, $1]) }
        XCTAssertEqual(heard, [[1, 3], [2, 3], [3, 3]], "progress after every block")
        let y = try paired.sample(context: context, chains: 3, total: 5, sampler: sampler, seed: 4)
        XCTAssertEqual(x.futures.count, 3 * 5 * 2, "three blocks of H = 2, the last cut to one state")
        XCTAssertEqual(x.futures, y.futures)
        XCTAssertEqual(x.energies, y.energies)
        XCTAssertEqual(y.expertEnergies.count, 2)
        XCTAssertEqual(x.acceptance.count, 3)
        XCTAssertEqual(try alone.sample(context: context, chains: 3, total: 5, sampler: sampler, seed: 4).futures, x.futures)
        XCTAssertNotEqual(try alone.sample(context: context, chains: 3, total: 5, sampler: sampler, seed: 5).futures, x.futures)
        // the second expert weighted in moves the chains
        var weighted = paired
        weighted.weights = [1, 1]
        XCTAssertNotEqual(try weighted.sample(context: context, chains: 3, total: 5, sampler: sampler, seed: 4).futures, x.futures)
        // annealed from the first expert alone to both: a different path to the same final weights
        weighted.initialWeights = [1, 0]
        weighted.annealStages = 2
        XCTAssertEqual(try weighted.sample(context: context, chains: 3, total: 5, sampler: sampler, seed: 4).futures.count, 30)
    }

    func testAnExpertThatDoesNotFitIsNamed() {
        var c = ModelConfiguration()
        (c.contextLength, c.horizon) = (2, 2)
        let other = TrajectoryEnergyModel(configuration: c, encoding: WindowEncoding(stateSize: 3, contextLength: 2, horizon: 2, futureAsDelta: true,
                                                                                     mean: [Float](repeating: 0, count: 12), standardDeviation: [Float](repeating: 1, count: 12)), seed: 1)
        let composition = ExpertComposition(experts: [(tinyModel(seed: 1, shift: 0), nil), (other, nil)], weights: [1, 1], steps: 2, temperature: 1, initialScale: 1)
        XCTAssertThrowsError(try composition.sample(context: [0, 0, 0, 0], chains: 2, total: 2, sampler: LangevinSampler(stepSize: 0.01), seed: 1)) {
            guard case ExpertCompositionError.expert(let index, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(index, 1)
        }
    }
}
