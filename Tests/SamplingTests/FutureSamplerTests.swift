// FutureSamplerTests: futures of both model kinds chained past the horizon — each block conditioned
// on the chain's own last states, context-major chains, seeds that repeat, defaults per model kind,
// and the samplers a model kind refuses.

import EnergyModels
import NeuralCore
import XCTest
@testable import Sampling

final class FutureSamplerTests: XCTestCase {
    /// An untrained contrastive-divergence model: k = 2, H = 3, S = 4 (as FutureEnergyTests).
    /// A random contrastive-divergence model (k = 2, H = 3, S = 4) with its training Langevin settings.
    static func contrastive() -> FutureModel {
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (2, 3, 32, 2)
        let encoding = WindowEncoding(stateSize: 4, contextLength: 2, horizon: 3, futureAsDelta: true,
                                      mean: [Float](repeating: 0, count: 20), standardDeviation: [Float](repeating: 1, count: 20))
        var langevin = LangevinConfiguration()
        (langevin.stepSize, langevin.noise) = (0.5, 0.1)
        return .contrastive(TrajectoryEnergyModel(configuration: c, encoding: encoding, seed: 3), langevin: langevin)
    }

    func testChainedBlocksContinueEachChainAndRepeatForASeed() throws {
        for (name, model) in [("contrastive", Self.contrastive()), ("denoising", .denoising(try DenoisingSamplerTests.trainedModel()))] {
            let enc = model.encoding
            let (k, H, S) = (enc.contextLength, enc.horizon, enc.stateSize)
            // two contexts, 3 chains each, 2 H + 1 states: three blocks, the last one cut
            let contexts = (0..<(2 * k * S)).map { Double($0 % 5) * 0.1 - 0.2 }
            let sampler = FutureSampler(kind: .langevin, steps: 8)
            let total = 2 * H + 1
            let result = try sampler.sample(model, contexts: contexts, chainsPerContext: 3, total: total, seed: 4)
            XCTAssertEqual(result.futures.count, 6 * total * S, name)
            XCTAssertEqual(result.energies.count, 6, name)
            XCTAssertTrue(result.futures.allSatisfy(\.isFinite) && result.energies.allSatisfy(\.isFinite), name)
            XCTAssertEqual(Set(result.diagnostics.map(\.block)), [0, 1, 2], name)
            // the first block does not depend on how many follow
            let first = try sampler.sample(model, contexts: contexts, chainsPerContext: 3, total: H, seed: 4)
            for c in 0..<6 {
                XCTAssertEqual(Array(result.futures[(c * total * S)..<(c * total * S + H * S)]), Array(first.futures[(c * H * S)..<((c + 1) * H * S)]), "\(name) chain \(c)")
            }
            // chains are context-major: the first three read context 0, and they differ from each other
            // (bit for bit with the AVX-512 kernel, whose rows do not depend on the batch's size; OpenBLAS and
            // oneDNN block a small batch by its row count, which moves the last bits: seen on an AVX2-only Zen 3)
            let second = try sampler.sample(model, contexts: Array(contexts[0..<(k * S)]), chainsPerContext: 3, total: H, seed: 4)
            let firstThree = Array(first.futures[0..<(3 * H * S)])
            XCTAssertEqual(second.futures.count, firstThree.count, name)
            if GEMMKernel.current == .avx512 {
                XCTAssertEqual(Array(second.futures), firstThree, name)
            } else {
                for (a, b) in zip(second.futures, firstThree) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), name) }
            }
            XCTAssertNotEqual(Array(first.futures[0..<(H * S)]), Array(first.futures[(H * S)..<(2 * H * S)]), name)
            // a seed repeats, another one does not
            XCTAssertEqual(try sampler.sample(model, contexts: contexts, chainsPerContext: 3, total: total, seed: 4).futures, result.futures, name)
            XCTAssertNotEqual(try sampler.sample(model, contexts: contexts, chainsPerContext: 3, total: total, seed: 5).futures, result.futures, name)
        }
    }

    func testDefaultsFollowTheModelKind() throws {
        let cd = Self.contrastive(), dsm = FutureModel.denoising(try DenoisingSamplerTests.trainedModel())
        XCTAssertEqual(FutureSampler(kind: .mala).steps(for: cd), 60)
        XCTAssertEqual(FutureSampler(kind: .mala).steps(for: dsm), 200)
        // MALA on a CD model samples at the training chains' temperature σ²/(2η) = 0.01 / 1
        XCTAssertEqual(FutureSampler(kind: .mala).temperature(for: cd), 0.01, accuracy: 1e-7)
        XCTAssertEqual(FutureSampler(kind: .langevin).temperature(for: cd), 1)
        XCTAssertEqual(FutureSampler(kind: .mala).temperature(for: dsm), 1)
        // chain samplers mean their annealed forms for a denoising model
        guard case .denoising(let model) = dsm else { return XCTFail() }
        XCTAssertEqual(FutureSampler(kind: .mala).denoisingSampler(for: model).kind, .annealedMALA)
        let ode = FutureSampler(kind: .ddim, steps: 30).denoisingSampler(for: model)
        XCTAssertEqual(ode.levels, 31)
        let annealed = FutureSampler(kind: .annealedLangevin, steps: 200).denoisingSampler(for: model)
        XCTAssertEqual([annealed.levels, annealed.stepsPerLevel], [20, 10])
        XCTAssertEqual(annealed.stepScale, 0.5)
        // the configuration's sampler settings are the defaults
        var configured = model.denoising
        (configured.samplerSteps, configured.samplerTemperature, configured.samplerStepScale) = (120, 0.5, 0.25)
        let tuned = FutureModel.denoising(DenoisingEnergyModel(configuration: model.configuration, denoising: configured, encoding: model.encoding,
                                                               basis: model.basis, seed: 1))
        XCTAssertEqual(FutureSampler(kind: .mala).steps(for: tuned), 120)
        XCTAssertEqual(FutureSampler(kind: .mala).temperature(for: tuned), 0.5)
        var hotter = FutureSampler(kind: .mala)
        hotter.temperature = 2
        XCTAssertEqual(hotter.temperature(for: tuned), 2)
    }

    func testRefusedCombinationsAreErrors() throws {
        let cd = Self.contrastive()
        let context = [Double](repeating: 0, count: 8)
        XCTAssertThrowsError(try FutureSampler(kind: .ddim).sample(cd, contexts: context, chainsPerContext: 2, total: 3, seed: 1))
        XCTAssertThrowsError(try FutureSampler(kind: .langevin).sample(cd, contexts: [0, 0, 0], chainsPerContext: 2, total: 3, seed: 1))
        XCTAssertThrowsError(try FutureSampler(kind: .langevin).sample(cd, contexts: context, chainsPerContext: 0, total: 3, seed: 1))
        var hot = FutureSampler(kind: .langevin)
        hot.temperature = 0
        XCTAssertThrowsError(try hot.sample(cd, contexts: context, chainsPerContext: 2, total: 3, seed: 1))
    }

    func testNoStepsDrawsTheStartingNoise() throws {
        let dsm = try DenoisingSamplerTests.trainedModel()
        let result = try FutureSampler(kind: .annealedMALA, steps: 0).sample(.denoising(dsm), contexts: [0, 0], chainsPerContext: 400, total: 1, seed: 2)
        XCTAssertTrue(result.diagnostics.isEmpty)
        // futures = coefficients (identity basis, unit scale) ~ N(0, λ + σmax²): σmax = 4 dominates
        let spread = (result.futures.map { $0 * $0 }.reduce(0, +) / Double(result.futures.count)).squareRoot()
        XCTAssertGreaterThan(spread, 2.5)
        XCTAssertTrue(result.energies.allSatisfy(\.isFinite))
    }
}
