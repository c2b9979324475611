// DenoisingSamplerTests: a denoising model trained on a two-mode future is sampled by every
// annealed and ODE sampler: both modes appear, samples land on them, runs repeat for a seed.

import EnergyModels
import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import Sampling

final class DenoisingSamplerTests: XCTestCase {
    /// One-step episodes from the origin to (1, 1) or (−1, −1), plus noise 0.05 (S = 2).
    static func trainedModel() throws -> DenoisingEnergyModel {
        var g = SeededGenerator(seed: 7)
        let episodes = 400
        var states: [Double] = []
        for e in 0..<episodes {
            let m = e % 2 == 0 ? 1.0 : -1.0
            states += [0.01 * Double(g.nextGaussian()), 0.01 * Double(g.nextGaussian()), m + 0.05 * Double(g.nextGaussian()), m + 0.05 * Double(g.nextGaussian())]
        }
        let data = TrajectoryDataset(episodes: episodes, steps: 1, stateSize: 2, controlSize: 1, siteCount: 1, states: states,
                                     controls: [Double](repeating: 0, count: episodes), sites: [Double](repeating: 0, count: episodes * 6),
                                     goal: [Int64](repeating: -1, count: episodes), episodeSeed: (0..<episodes).map(Int64.init))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dsm-sampler-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try data.write(to: folder.appendingPathComponent("train.npz"))
        var c = TrainingConfiguration()
        c.seed = 2
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (1, 1, 64, 2)
        (c.optimization.objective, c.optimization.steps, c.optimization.batchSize, c.optimization.learningRate, c.optimization.beta1) = (.dsm, 600, 64, 3e-3, 0.9)
        (c.denoising.sigmaMin, c.denoising.sigmaMax, c.denoising.basis, c.denoising.ema) = (0.01, 4, .identity, 0.95)
        c.checkpointEvery = 0
        let trainer = try Trainer(kind: .ebm, configuration: c, dataDirectory: folder, outputDirectory: folder.appendingPathComponent("run"))
        _ = try trainer.run()
        return try DenoisingEnergyModel.load(from: folder.appendingPathComponent("run/model.safetensors")).model
    }

    func testEverySamplerFindsBothModesAndLandsOnThem() throws {
        let model = try Self.trainedModel()
        let context: [Float] = [0, 0]
        for kind in DenoisingSamplerKind.allCases {
            let sampler = DenoisingSampler(kind: kind, levels: kind == .ddim || kind == .heun ? 40 : 15, stepsPerLevel: 4, stepScale: 0.2)
            let result = try sampler.sample(model, contexts: context, chainsPerContext: 64, seed: 3)
            let futures = model.futures(coefficients: result.coefficients, context: [Float](repeating: 0, count: 64 * 2))
            var near = [0, 0]
            for b in 0..<64 {
                for (m, target) in [Float(1), -1].enumerated() {
                    let d = ((futures[2 * b] - target) * (futures[2 * b] - target) + (futures[2 * b + 1] - target) * (futures[2 * b + 1] - target)).squareRoot()
                    if d < 0.3 { near[m] += 1 }
                }
            }
            XCTAssertGreaterThanOrEqual(near[0] + near[1], 58, "\(kind): \(near) of 64 near a mode")
            XCTAssertGreaterThanOrEqual(min(near[0], near[1]), 12, "\(kind): modes \(near)")
            let again = try sampler.sample(model, contexts: context, chainsPerContext: 64, seed: 3)
            XCTAssertEqual(again.coefficients, result.coefficients, "\(kind) repeats for a seed")
            XCTAssertTrue(result.energies.allSatisfy(\.isFinite))
        }
    }

    func testTemperatureAppliesOnlyAtAndBelowItsNoiseLevel() throws {
        let model = try Self.trainedModel()
        let context: [Float] = [0, 0]
        let perChain = model.normalizedContexts([Float](repeating: 0, count: 8 * 2))
        var sampler = DenoisingSampler(kind: .annealedMALA, levels: 15, stepsPerLevel: 3, stepScale: 0.2, temperature: 0.5, temperatureBelow: 0.1)
        // the levels ask for T = 0.5 exactly where σ ≤ 0.1, T = 1 above; the closing Tweedie step reads T = 1
        var asked: [(Float, Double)] = []
        _ = try sampler.anneal(chains: 8, sigmas: sampler.schedule(model), variances: model.basis.variances, seed: 3) { sigma, temperature in
            asked.append((sigma, temperature))
            return NoiseLevelEnergy(model: model, contexts: perChain, sigma: sigma, temperature: temperature)
        }
        XCTAssertEqual(asked.count, 16)
        for (sigma, temperature) in asked.dropLast() { XCTAssertEqual(temperature, sigma <= 0.1 ? 0.5 : 1, "σ \(sigma)") }
        XCTAssertTrue(asked.dropLast().contains { $0.1 == 0.5 } && asked.dropLast().contains { $0.1 == 1 })
        XCTAssertEqual(asked.last!.1, 1)
        // a threshold above σmax is the plain tempered sampler; one below σmin samples at T = 1
        let tempered = try DenoisingSampler(kind: .annealedMALA, levels: 15, stepsPerLevel: 3, stepScale: 0.2, temperature: 0.5)
            .sample(model, contexts: context, chainsPerContext: 16, seed: 3)
        let untempered = try DenoisingSampler(kind: .annealedMALA, levels: 15, stepsPerLevel: 3, stepScale: 0.2)
            .sample(model, contexts: context, chainsPerContext: 16, seed: 3)
        sampler.temperatureBelow = 5
        XCTAssertEqual(try sampler.sample(model, contexts: context, chainsPerContext: 16, seed: 3).coefficients, tempered.coefficients)
        sampler.temperatureBelow = 0.001
        XCTAssertEqual(try sampler.sample(model, contexts: context, chainsPerContext: 16, seed: 3).coefficients, untempered.coefficients)
        sampler.temperatureBelow = 0.1
        XCTAssertNotEqual(try sampler.sample(model, contexts: context, chainsPerContext: 16, seed: 3).coefficients, tempered.coefficients)
        sampler.temperatureBelow = 0
        XCTAssertThrowsError(try sampler.sample(model, contexts: context, chainsPerContext: 2, seed: 1))
    }

    func testBadArgumentsAreErrors() throws {
        let model = try Self.trainedModel()
        XCTAssertThrowsError(try DenoisingSampler(levels: 0).sample(model, contexts: [0, 0], chainsPerContext: 2, seed: 1))
        XCTAssertThrowsError(try DenoisingSampler(stepScale: -1).sample(model, contexts: [0, 0], chainsPerContext: 2, seed: 1))
        XCTAssertThrowsError(try DenoisingSampler().sample(model, contexts: [0, 0, 0], chainsPerContext: 2, seed: 1))
    }
}
