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
}
