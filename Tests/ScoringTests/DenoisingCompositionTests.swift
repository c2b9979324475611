// DenoisingCompositionTests: a product of denoising experts — one expert alone samples exactly what
// the single-model sampler does; another expert's term (through its own basis and residual) has
// the gradient its finite differences give; labels and weights are checked.

import Foundation
import NeuralCore
import Sampling
import XCTest
@testable import EnergyModels
@testable import Scoring

final class DenoisingCompositionTests: XCTestCase {
    /// A random untrained denoising expert: k context states, H = 3, S = 2, a PCA basis of D = 3
    /// random orthonormal rows of the 6 future numbers (residual variance 0.05), optional labels.
    static func expert(seed: UInt64, contextLength k: Int = 2, labels: Int = 0) -> DenoisingEnergyModel {
        var g = SeededGenerator(seed: seed)
        let (S, H, D) = (2, 3, 3)
        let F = H * S
        // Gram–Schmidt on random rows
        var rows: [[Double]] = []
        while rows.count < D {
            var v = (0..<F).map { _ in g.gaussian() }
            for r in rows { let d = zip(v, r).map(*).reduce(0, +); v = zip(v, r).map { $0 - d * $1 } }
            let n = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            if n > 1e-3 { rows.append(v.map { $0 / n }) }
        }
        let basis = FutureBasis(kind: .pca, stateSize: S, horizon: H, futureAsDelta: true,
                                coordinateScale: (0..<S).map { _ in Float(0.5 + 0.5 * g.nextUnitDouble()) },
                                mean: (0..<F).map { _ in Float(0.1 * g.gaussian()) }, components: rows.flatMap { $0.map(Float.init) },
                                variances: [1, 0.5, 0.25], unit: Float(0.8 + 0.4 * g.nextUnitDouble()), residualVariance: 0.05)
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (k, H, 16, 2)
        let width = k * S + labels + F
        let enc = WindowEncoding(stateSize: S, contextLength: k, horizon: H, futureAsDelta: true, goalCount: labels,
                                 mean: (0..<width).map { _ in Float(0.1 * g.gaussian()) }, standardDeviation: (0..<width).map { _ in Float(0.5 + g.nextUnitDouble()) })
        var d = DenoisingConfiguration()
        (d.sigmaMin, d.sigmaMax) = (0.01, 2)
        return DenoisingEnergyModel(configuration: c, denoising: d, encoding: enc, basis: basis, seed: seed &+ 1)
    }

    func testOneExpertSamplesWhatTheSingleModelSamplerDoes() throws {
        let model = Self.expert(seed: 3)
        let context: [Double] = [0.1, -0.2, 0.3, 0.05]
        let sampler = DenoisingSampler(kind: .annealedMALA, levels: 6, stepsPerLevel: 3, stepScale: 0.3, temperature: 0.7)
        let composed = try DenoisingComposition(experts: [(model, nil)], weights: [1], sampler: sampler).sample(context: context, chains: 5, total: 3, seed: 11)
        let single = try sampler.sample(model, contexts: context.map(Float.init), chainsPerContext: 5, seed: 11)
        let futures = model.futures(coefficients: single.coefficients, context: (0..<5).flatMap { _ in context.map(Float.init) })
        XCTAssertEqual(composed.futures, futures.map(Double.init), "bit for bit")
        let again = try DenoisingComposition(experts: [(model, nil)], weights: [1], sampler: sampler).sample(context: context, chains: 5, total: 3, seed: 11)
        XCTAssertEqual(again.futures, composed.futures)
        // chained past the horizon: 7 states in three blocks, the first block as before
        var heard: [[Int]] = []
        let chained = try DenoisingComposition(experts: [(model, nil)], weights: [1], sampler: sampler).sample(context: context, chains: 5, total: 7, seed: 11) {
            heard.append([$0, $1])
        }
        XCTAssertEqual(heard, [[1, 3], [2, 3], [3, 3]], "progress after every block")
        for c in 0..<5 { XCTAssertEqual(Array(chained.futures[(c * 14)..<(c * 14 + 6)]), Array(composed.futures[(c * 6)..<(c * 6 + 6)])) }
        XCTAssertEqual(chained.acceptance.count, 3)
    }

    func testAnotherExpertsTermHasItsFiniteDifferenceGradient() throws {
        let reference = Self.expert(seed: 3), other = Self.expert(seed: 9, contextLength: 3, labels: 2)
        var g = SeededGenerator(seed: 5)
        let (chains, k, S) = (3, 3, 2)
        let states = (0..<(chains * k * S)).map { _ in Float(0.3 * g.gaussian()) }
        let term = try DenoisingExpertEnergy(expert: other, reference: reference, isReference: false, states: states, contextLength: k,
                                             label: 1, sigma: 0.3, temperature: 0.5)
        let y = (0..<(chains * reference.dimension)).map { _ in g.gaussian() }
        let (e, grad) = term.energiesAndGradients(y, count: chains)
        XCTAssertTrue(e.allSatisfy(\.isFinite))
        let h = 1e-2
        for j in 0..<y.count {
            var (up, down) = (y, y)
            up[j] += h; down[j] -= h
            let fd = (term.energies(up, count: chains)[j / reference.dimension] - term.energies(down, count: chains)[j / reference.dimension]) / (2 * h)
            XCTAssertEqual(grad[j], fd, accuracy: 2e-3 * max(1, abs(fd)), "∂E/∂y[\(j)]")
        }
        // the residual term counts: the same expert with no residual variance has a lower energy
        var plain = other.basis
        plain.residualVariance = nil
        let off = try DenoisingExpertEnergy(expert: DenoisingEnergyModel(configuration: other.configuration, denoising: other.denoising, encoding: other.encoding,
                                                                         basis: plain, seed: 10),
                                            reference: reference, isReference: false, states: states, contextLength: k, label: 1, sigma: 0.3, temperature: 0.5)
        let on = try DenoisingExpertEnergy(expert: DenoisingEnergyModel(configuration: other.configuration, denoising: other.denoising, encoding: other.encoding,
                                                                        basis: other.basis, seed: 10),
                                           reference: reference, isReference: false, states: states, contextLength: k, label: 1, sigma: 0.3, temperature: 0.5)
        for (a, b) in zip(on.energies(y, count: chains), off.energies(y, count: chains)) { XCTAssertGreaterThan(a, b) }
    }

    func testTwoExpertsSampleFiniteFuturesAndCheckLabels() throws {
        let a = Self.expert(seed: 3), b = Self.expert(seed: 9, contextLength: 3, labels: 2)
        let sampler = DenoisingSampler(kind: .annealedLangevin, levels: 5, stepsPerLevel: 2, stepScale: 0.2)
        let context = (0..<6).map { Double($0) * 0.05 }
        let result = try DenoisingComposition(experts: [(a, nil), (b, 0)], weights: [1, 0.5], sampler: sampler).sample(context: context, chains: 4, total: 5, seed: 2)
        XCTAssertEqual(result.futures.count, 4 * 5 * 2)
        XCTAssertTrue(result.futures.allSatisfy(\.isFinite))
        XCTAssertEqual(result.expertEnergies.count, 2)
        // one block: the weighted sum of the experts' judged energies
        let one = try DenoisingComposition(experts: [(a, nil), (b, 0)], weights: [1, 0.5], sampler: sampler).sample(context: context, chains: 4, total: 3, seed: 2)
        for c in 0..<4 {
            XCTAssertEqual(one.energies[c], one.expertEnergies[0][c] + 0.5 * one.expertEnergies[1][c], accuracy: 1e-9 * max(1, abs(one.energies[c])))
        }
        for (labels, expected) in [([nil, nil] as [Int?], "labels"), ([nil, 2], "0..<2"), ([1, 0], "reads no label")] {
            XCTAssertThrowsError(try DenoisingComposition(experts: [(a, labels[0]), (b, labels[1])], weights: [1, 1], sampler: sampler)
                .sample(context: context, chains: 2, total: 3, seed: 1)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
                guard case ExpertCompositionError.expert(let index, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(index, labels[0] == nil ? 1 : 0)
            }
        }
        XCTAssertThrowsError(try DenoisingComposition(experts: [(a, nil), (b, 0)], weights: [1], sampler: sampler).sample(context: context, chains: 2, total: 3, seed: 1))
        XCTAssertThrowsError(try DenoisingComposition(experts: [(a, nil), (b, 0)], weights: [1, .nan], sampler: sampler).sample(context: context, chains: 2, total: 3, seed: 1))
    }
}
