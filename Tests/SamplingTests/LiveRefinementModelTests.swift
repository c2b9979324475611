// LiveRefinementModelTests: live refinement built from a trained model moves the chains the
// sampler, temperature and initial scale chosen by hand move, step for step.

import EnergyModels
import XCTest
@testable import Sampling

final class LiveRefinementModelTests: XCTestCase {
    func testFromAModelIsTheRefinementBuiltByHand() throws {
        guard case .contrastive(let model, var langevin) = FutureSamplerTests.contrastive() else { return XCTFail("contrastive") }
        langevin.initialScale = 0.8
        let context = (0..<8).map { Double($0) * 0.05 - 0.1 }
        let live = try LiveRefinement(model: model, langevin: langevin, kind: .mala, steps: 3, context: context, chains: 4, seed: 6)
        let options = FutureSampler(kind: .mala, steps: 3)
        let T = options.temperature(for: .contrastive(model, langevin: langevin))
        let byHand = LiveRefinement(energy: try FutureEnergy(model: model, contexts: context.map(Float.init), chains: 4, temperature: T),
                                    sampler: try options.chainSampler(langevin: langevin), chains: 4, steps: 3, temperature: T,
                                    initialScale: Double(langevin.initialScale), seed: 6)
        XCTAssertEqual(live.temperature, T)
        XCTAssertEqual(live.snapshot().futures, byHand.snapshot().futures)
        try live.runSynchronously()
        try byHand.runSynchronously()
        XCTAssertEqual(live.snapshot().futures, byHand.snapshot().futures)
        XCTAssertEqual(live.snapshot().energies, byHand.snapshot().energies)
        XCTAssertEqual(live.snapshot().step, 3)
        // a context of the wrong width is refused, not sampled
        XCTAssertThrowsError(try LiveRefinement(model: model, langevin: langevin, kind: .langevin, steps: 1, context: [0, 1, 2], chains: 2, seed: 1))
    }
}
