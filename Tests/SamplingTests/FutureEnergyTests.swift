import EnergyModels
import NeuralCore
import XCTest
@testable import Sampling

/// A trained-model adapter: gradients against finite differences, encoding round trip, samplers on it.
final class FutureEnergyTests: XCTestCase {
    /// An untrained model: k = 2, H = 3, S = 4, width 32, depth 2.
    func model() -> TrajectoryEnergyModel {
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (2, 3, 32, 2)
        var g = SeededGenerator(seed: 5)
        let width = 5 * 4
        let encoding = WindowEncoding(stateSize: 4, contextLength: 2, horizon: 3, futureAsDelta: true,
                                      mean: (0..<width).map { _ in g.nextUniform(-1, 1) },
                                      standardDeviation: (0..<width).map { _ in g.nextUniform(0.5, 2) })
        return TrajectoryEnergyModel(configuration: c, encoding: encoding, seed: 3)
    }

    func testGradientMatchesFiniteDifferencesAndContextsArePerChain() throws {
        let m = model()
        var g = SeededGenerator(seed: 9)
        let contexts = (0..<(3 * 8)).map { _ in g.nextUniform(-1, 1) }
        let energy = try FutureEnergy(model: m, contexts: contexts, chains: 3, temperature: 2)
        XCTAssertEqual(energy.dimension, 12)
        let z = (0..<36).map { _ in Double(g.nextUniform(-1, 1)) }
        let (e, grad) = energy.energiesAndGradients(z, count: 3)
        // matches the model's own energy of the decoded futures, divided by the temperature
        let direct = m.energies(context: contexts, future: energy.futures(z))
        for b in 0..<3 { XCTAssertEqual(e[b], Double(direct[b]) / 2, accuracy: 1e-4 * (1 + abs(e[b]))) }
        // central differences in Float32: h = 1e-2, tolerance 2e-3 + 2 %
        let h = 1e-2
        for i in [0, 5, 11, 12, 23, 35] {
            var plus = z, minus = z
            plus[i] += h
            minus[i] -= h
            let b = i / 12
            let fd = (energy.energiesAndGradients(plus, count: 3).energies[b] - energy.energiesAndGradients(minus, count: 3).energies[b]) / (2 * h)
            XCTAssertEqual(grad[i], fd, accuracy: 2e-3 + 0.02 * abs(fd), "coordinate \(i)")
        }
        // round trip raw futures → z → raw futures
        let futures = (0..<36).map { _ in g.nextUniform(-3, 3) }
        let back = energy.futures(energy.normalised(futures: futures))
        for (a, b) in zip(futures, back) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        // one context broadcasts; a wrong size names what the model reads
        XCTAssertEqual(try FutureEnergy(model: m, contexts: Array(contexts[0..<8]), chains: 5).chains, 5)
        XCTAssertThrowsError(try FutureEnergy(model: m, contexts: [1, 2, 3], chains: 2)) { error in
            XCTAssertEqual("\(error)", "context has 3 values; the model reads k × S = 2 × 4 per chain")
        }
    }

    func testSamplersLowerTheModelEnergyFromFarStarts() throws {
        let m = model()
        let energy = try FutureEnergy(model: m, contexts: [Float](repeating: 0.1, count: 8), chains: 16)
        let start = [Double](repeating: 4, count: 16 * 12)
        let e0 = mean(energy.energiesAndGradients(start, count: 16).energies)
        for sampler in [LangevinSampler(stepSize: 0.05, noiseScale: 0.01) as any ChainSampler, MALASampler(stepSize: 0.01),
                        HMCSampler(stepSize: 0.05, leapfrogSteps: 5)] {
            let r = try sampler.sample(energy, initial: start, chains: 16, stopping: StoppingRule(maxSteps: 60), seed: 1)
            XCTAssertTrue(r.samples.allSatisfy(\.isFinite))
            XCTAssertEqual(r.diagnostics.count, 60)
            XCTAssertLessThan(mean(r.energies), e0, "\(sampler)")
        }
    }
}
