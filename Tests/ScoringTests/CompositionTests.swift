import EnergyModels
import Foundation
import NeuralCore
import Sampling
import XCTest
@testable import Scoring

/// Products of experts: summed energies sample the product density; trained-model experts give
/// the right gradients in shared coordinates.
final class CompositionTests: XCTestCase {
    func testSumOfTwoGaussianEnergiesSamplesTheirProduct() throws {
        // N(μa, Σa)·N(μb, Σb) ∝ N(μ, Σ): Σ⁻¹ = Σa⁻¹ + Σb⁻¹, μ = Σ (Σa⁻¹ μa + Σb⁻¹ μb); diagonal here
        let a = try GaussianEnergy(mean: [1, -1], covariance: [1, 0, 0, 4])
        let b = try GaussianEnergy(mean: [3, 2], covariance: [1, 0, 0, 0.5])
        let product = try WeightedSumEnergy([(1, a), (1, b)])
        let variance = [1 / (1 + 1.0), 1 / (0.25 + 2.0)]
        let mean = [variance[0] * (1 + 3), variance[1] * (-1 / 4.0 + 2 * 2)]
        let chains = 4000
        let result = try MALASampler(stepSize: 0.2).sample(product, initial: [Double](repeating: 0, count: 2 * chains), chains: chains,
                                                             stopping: StoppingRule(maxSteps: 300), seed: 3)
        for j in 0..<2 {
            let x = stride(from: j, to: result.samples.count, by: 2).map { result.samples[$0] }
            let m = x.reduce(0, +) / Double(chains)
            let v = x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(chains - 1)
            // standard error of the mean √(v/n) ≈ 0.011; of the variance ≈ v·√(2/n) ≈ 2.2%
            XCTAssertEqual(m, mean[j], accuracy: 0.05)
            XCTAssertEqual(v / variance[j], 1, accuracy: 0.1)
        }
    }

    /// A random tiny energy model: k = 2, H = 2, S = 2.
    func tinyModel(seed: UInt64, shift: Float) -> TrajectoryEnergyModel { tinyEnergyModel(seed: seed, shift: shift) }

    func testExpertInItsOwnCoordinatesIsTheFutureEnergy() throws {
        let model = tinyModel(seed: 1, shift: 0)
        let context: [Float] = [0.1, -0.2, 0.3, 0.05, 0.2, 0.4, -0.1, 0.0]   // 2 chains × k 2 × S 2
        let expert = try ExpertFutureEnergy(model: model, reference: model.encoding, contexts: context, chains: 2)
        let plain = try FutureEnergy(model: model, contexts: context, chains: 2)
        let z = (0..<8).map { 0.3 * Double($0) - 1 }
        let (e1, g1) = expert.energiesAndGradients(z, count: 2), (e2, g2) = plain.energiesAndGradients(z, count: 2)
        for i in 0..<2 { XCTAssertEqual(e1[i], e2[i], accuracy: 1e-5) }
        for i in 0..<8 { XCTAssertEqual(g1[i], g2[i], accuracy: 1e-4 * max(1, abs(g2[i]))) }
        let raw = expert.futures(z)
        for (u, v) in zip(expert.coordinates(futures: raw), z) { XCTAssertEqual(u, v, accuracy: 1e-5) }
    }

    func testExpertGradientInForeignCoordinatesMatchesFiniteDifferences() throws {
        let model = tinyModel(seed: 2, shift: 0), other = tinyModel(seed: 3, shift: 0.4)
        let context: [Float] = [0.1, -0.2, 0.3, 0.05]
        let expert = try ExpertFutureEnergy(model: model, reference: other.encoding, contexts: context, chains: 1)
        let z = [0.2, -0.5, 0.7, 0.1]
        let g = expert.energiesAndGradients(z, count: 1).gradients
        let h = 1e-2
        for j in 0..<4 {
            var (p, m) = (z, z)
            p[j] += h; m[j] -= h
            let fd = (expert.energies(p, count: 1)[0] - expert.energies(m, count: 1)[0]) / (2 * h)
            XCTAssertEqual(g[j], fd, accuracy: 2e-3 + 1e-2 * abs(fd), "coordinate \(j)")
        }
        XCTAssertGreaterThan(g.map(abs).max()!, 1e-3)
    }
}

extension CompositionTests {
    /// A label-conditioned expert scores futures with its label's one-hot in the context (the
    /// model's own energy of the conditioned window); a missing, out-of-range or unexpected label
    /// is refused.
    func testLabelledExpertReadsItsLabel() throws {
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth, c.conditionOnGoal) = (2, 2, 8, 2, true)
        let enc = WindowEncoding(stateSize: 2, contextLength: 2, horizon: 2, futureAsDelta: true, goalCount: 3,
                                 mean: (0..<11).map { Float($0) * 0.1 }, standardDeviation: (0..<11).map { 0.5 + Float($0) * 0.2 })
        let model = TrajectoryEnergyModel(configuration: c, encoding: enc, seed: 4)
        let plain = tinyModel(seed: 1, shift: 0)
        let states: [Float] = [0.1, -0.2, 0.3, 0.05]
        let z = [0.2, -0.5, 0.7, 0.1]
        var energies: [Double] = []
        for label in 0..<3 {
            let expert = try ExpertFutureEnergy(model: model, reference: plain.encoding, contexts: states, chains: 1, label: label)
            let e = expert.energies(z, count: 1)[0]
            let own = model.energies(context: enc.conditioned(states: states, goals: [label]), future: expert.futures(z))[0]
            XCTAssertEqual(e, Double(own), accuracy: 1e-6)
            energies.append(e)
        }
        XCTAssertGreaterThan(Set(energies).count, 1, "the label must change the energy")
        for label in [nil, 3, -1] as [Int?] {
            XCTAssertThrowsError(try ExpertFutureEnergy(model: model, reference: plain.encoding, contexts: states, chains: 1, label: label))
        }
        XCTAssertThrowsError(try ExpertFutureEnergy(model: plain, reference: plain.encoding, contexts: states, chains: 1, label: 0))
    }
}
