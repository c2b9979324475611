import Foundation
import XCTest
import Sampling

/// The live view's initial chains keep their stream: SplitMix64 from (seed, generation), Box–Muller
/// in double precision, checked against a reference written out here.
final class LiveRefinementSeedTests: XCTestCase {
    func testInitialNoiseMatchesTheReferenceStream() {
        var state: UInt64 = 7 ^ (0x5DEE_CE66_D1CE_4E5B &+ 3 &* 0x9E37_79B9_7F4A_7C15)
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var x = state
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((x ^ (x >> 31)) >> 11) * 0x1.0p-53
        }
        let reference = (0..<12).map { _ -> Double in
            let u1 = 1 - next(), u2 = next()
            return 0.5 * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        XCTAssertEqual(LiveRefinement.initial(chains: 3, dimension: 4, scale: 0.5, seed: 7, generation: 3), reference)
        XCTAssertNotEqual(LiveRefinement.initial(chains: 3, dimension: 4, scale: 0.5, seed: 7, generation: 4), reference)
    }
}

/// The live refinement's chains: a synchronous refinement ends after its steps with the futures of
/// the same steps taken one sampler call at a time, and the background thread publishes the same.
final class LiveRefinementTests: XCTestCase {
    func refinement() throws -> LiveRefinement {
        guard case .contrastive(let model, _) = FutureSamplerTests.contrastive() else { throw XCTSkip("fixture changed") }
        let context = (0..<(model.encoding.contextLength * model.encoding.stateSize)).map { Float($0 % 3) * 0.1 }
        let energy = try FutureEnergy(model: model, contexts: context, chains: 4, temperature: 2)
        return LiveRefinement(energy: energy, sampler: LangevinSampler(stepSize: 0.01, noiseScale: 0.05), chains: 4, steps: 5,
                              temperature: 2, initialScale: 1, seed: 9)
    }

    func testSynchronousRefinementTakesItsStepsOneCallAtATime() throws {
        let live = try refinement()
        try live.runSynchronously()
        let s = live.snapshot()
        XCTAssertEqual(s.step, 5)
        XCTAssertEqual(s.version, 6)   // the start and every step
        // independently: the same noise, five one-step sampler calls
        var z = LiveRefinement.initial(chains: 4, dimension: live.energy.dimension, scale: 1, seed: 9, generation: 0)
        var energies: [Double] = []
        for step in 0..<5 {
            let r = try live.sampler.sample(live.energy, initial: z, chains: 4, stopping: StoppingRule(maxSteps: 1), seed: 9 &+ UInt64(step))
            (z, energies) = (r.samples, r.energies)
        }
        XCTAssertEqual(s.futures, live.energy.futures(z).map(Double.init))
        XCTAssertEqual(s.energies, energies.map { $0 * 2 })
    }

    func testBackgroundThreadPublishesTheSameChains() throws {
        let sync = try refinement()
        try sync.runSynchronously()
        let live = try refinement()
        live.start()
        defer { live.stop() }
        let deadline = Date().addingTimeInterval(60)
        while live.snapshot().step < 5 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(live.snapshot().futures, sync.snapshot().futures)
        XCTAssertEqual(live.snapshot().generation, 0)
    }
}
