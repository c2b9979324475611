// FutureSamplesArraysTests: the diagnostics arrays hold one entry per sampler step of every block,
// in order, with the mean energy scaled as asked.

import EnergyModels
import Trajectories
import XCTest
@testable import Sampling

final class FutureSamplesArraysTests: XCTestCase {
    func testOneEntryPerStepOfEveryBlock() throws {
        let model = FutureSamplerTests.contrastive()
        let contexts = (0..<8).map { Double($0) * 0.05 }
        let result = try FutureSampler(kind: .mala, steps: 4).sample(model, contexts: contexts, chainsPerContext: 2, total: 5, seed: 1)
        let arrays = result.diagnosticArrays(energyScale: 2)
        XCTAssertEqual(arrays.map(\.0), ["diagnostics_mean_energy", "diagnostics_gradient_norm", "diagnostics_acceptance",
                                            "diagnostics_step_size", "diagnostics_block"])
        let n = result.diagnostics.count
        XCTAssertEqual(n, 2 * 4, "two blocks of four steps")
        XCTAssertTrue(arrays.allSatisfy { $0.1.shape == [n] })
        XCTAssertEqual(try arrays[0].1.array().doubles, result.diagnostics.map { 2 * $0.step.meanEnergy })
        XCTAssertEqual(try arrays[2].1.array().doubles, result.diagnostics.map(\.step.acceptance))
        XCTAssertEqual(try arrays[4].1.array().int64s, [0, 0, 0, 0, 1, 1, 1, 1])
    }

    /// `summaryLine` (ebm predict's report): blocks, steps, speed, energies at the first step (times T)
    /// and at the end, acceptance and the last step size.
    func testSummaryLineReportsBlocksEnergiesAndAcceptance() {
        let step = { (e: Double, a: Double, s: Double) in StepDiagnostics(meanEnergy: e, meanGradientNorm: 0, acceptance: a, stepSize: s) }
        let samples = FutureSamples(futures: [], energies: [1, 3], diagnostics: [(0, step(2, 1, 0.1)), (1, step(1, 0.5, 0.05))], seconds: 0.5, temperature: 0.5)
        XCTAssertEqual(samples.summaryLine(sampler: .mala, chains: 2, total: 10, horizon: 8),
                       "predict: 2 futures × 10 states (mala at T = 0.5, 2 blocks of H = 8, 2 steps) in 0.50 s (4.0 futures/s); "
                       + "mean E 1.000 at step 1, 2.000 at the end (summed over blocks), acceptance 0.75, final step 0.05")
        XCTAssertTrue(samples.summaryLine(sampler: .langevin, chains: 2, total: 8, horizon: 8).contains("(langevin at T = 0.5, 1 block of H = 8, 2 steps)"))
    }
}
