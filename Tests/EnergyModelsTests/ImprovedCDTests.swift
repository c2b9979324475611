import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

/// The pieces that make CD more than "push data down, samples up": the second-order terms
/// through the last Langevin step, annealed chains and episode-start over-sampling.
final class ImprovedCDTests: XCTestCase {
    /// The pair rows x ± εw with output gradients ±c/(2ε) give, through an ordinary backward pass,
    /// c·∂/∂θ[∇ₓE_θ(x)·w]; checked against central differences in θ of the input gradient itself.
    func testDirectionalPairsGiveTheMixedSecondDerivative() {
        let width = 6
        let network = Sequential([Linear(inputWidth: width, outputWidth: 8), SiLU(width: 8), Linear(inputWidth: 8, outputWidth: 8),
                                  SiLU(width: 8), Linear(inputWidth: 8, outputWidth: 1)], seed: 4)
        var g = SeededGenerator(seed: 9)
        let batch = 2
        let x = (0..<(batch * width)).map { _ in g.nextUniform(-1, 1) }
        let w = (0..<(batch * width)).map { _ in g.nextUniform(-1, 1) }
        let c: [Float] = [0.7, -1.3]
        var rows: [Float] = [], outputGradient: [Float] = []
        Trainer.directionalPairs(x, directions: w, scales: c, width: width, rows: &rows, gradient: &outputGradient)
        XCTAssertEqual(outputGradient.count, 2 * batch)
        _ = network.forward(Tensor(shape: [outputGradient.count, width], scalars: rows), training: true)
        network.zeroGradients()
        outputGradient.withUnsafeBufferPointer { network.backward(outputGradient: $0.baseAddress!, inputGradient: nil, accumulateParameterGradients: true) }
        let analytic = network.gradients.scalars

        // f(θ) = Σ_b c_b ∇ₓE_θ(x_b)·w_b, differentiated numerically in every parameter
        func f() -> Double {
            let (_, gradient) = network.energyAndInputGradient(Tensor(shape: [batch, width], scalars: x))
            return (0..<batch).reduce(0.0) { sum, b in
                sum + Double(c[b]) * (0..<width).reduce(0.0) { $0 + Double(gradient.scalars[b * width + $1] * w[b * width + $1]) }
            }
        }
        let parameters = network.parameters.storage
        var worst = 0.0, scale = 0.0
        for i in 0..<parameters.count {
            let saved = parameters[i], h: Float = 1e-2
            parameters[i] = saved + h; let plus = f()
            parameters[i] = saved - h; let minus = f()
            parameters[i] = saved
            let numeric = (plus - minus) / (2 * Double(h))
            worst = max(worst, abs(numeric - Double(analytic[i])))
            scale = max(scale, abs(numeric))
        }
        // Float32 central differences of a second derivative: errors ~1e-3 of the largest entry
        XCTAssertGreaterThan(scale, 0.05)
        XCTAssertLessThan(worst, 2e-2 * scale, "max |error| \(worst) against max |derivative| \(scale)")
        print("directional pairs vs ∂θ(∇ₓE·w) by central differences: max |error| \(worst), max |value| \(scale)")
    }

    /// Geometric step and linear noise from the first to the last step; constant without finals.
    func testAnnealedScheduleEndpoints() {
        var c = LangevinConfiguration()
        (c.stepSize, c.noise) = (10, 0.1)
        XCTAssertEqual(c.schedule(step: 0, of: 5).stepSize, 10)
        XCTAssertEqual(c.schedule(step: 4, of: 5).noise, 0.1)
        (c.finalStepSize, c.finalNoise) = (0.1, 0)
        XCTAssertEqual(c.schedule(step: 0, of: 5).stepSize, 10, accuracy: 1e-5)
        XCTAssertEqual(c.schedule(step: 2, of: 5).stepSize, 1, accuracy: 1e-4)     // geometric midpoint
        XCTAssertEqual(c.schedule(step: 4, of: 5).stepSize, 0.1, accuracy: 1e-6)
        XCTAssertEqual(c.schedule(step: 2, of: 5).noise, 0.05, accuracy: 1e-7)
        XCTAssertEqual(c.schedule(step: 4, of: 5).noise, 0)
    }

    func testNewKeysDecodeAndAreChecked() throws {
        let text = #"{"langevin": {"finalStepSize": 1, "finalNoise": 0.01}, "data": {"episodeStartFraction": 0.25, "episodeStartSpan": 5},"#
            + #""improved": {"klWeight": 1, "entropyWeight": 0.3}}"#
        let c = try TrainingConfiguration.decode(Data(text.utf8), file: "x.json")
        XCTAssertEqual(c.langevin.finalStepSize, 1)
        XCTAssertEqual(c.data.episodeStartSpan, 5)
        XCTAssertEqual(c.improved.entropyWeight, 0.3)
        XCTAssertEqual(try TrainingConfiguration.decode(Data(c.encodedJSON().utf8), file: "round trip"), c)
        XCTAssertThrowsError(try TrainingConfiguration.decode(Data(#"{"improved": {"kl": 1}}"#.utf8), file: "bad.json")) {
            XCTAssertTrue("\($0)".contains("improved.kl") && "\($0)".contains("bad.json"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingConfiguration.decode(Data(#"{"data": {"episodeStartFraction": 2}}"#.utf8), file: "bad.json"))
    }

    /// KL, entropy and gradient-penalty terms with a quarter of every batch episode starts: training
    /// is reproducible, every term changes the weights (none is silently skipped) and energies stay finite.
    func testImprovedTermsChangeTrainingAndStayDeterministic() throws {
        let data = try Fixtures.folder(train: Fixtures.bimodal(modes: [[-1], [1]], episodes: 500, spread: 0.1, seed: 1))
        var plain = ContrastiveDivergenceTests.toyConfiguration()
        plain.optimization.steps = 100
        (plain.langevin.finalStepSize, plain.langevin.finalNoise) = (1, 0.01)
        plain.data.episodeStartFraction = 0.25
        func train(_ configuration: TrainingConfiguration) throws -> [Float] {
            let trainer = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory())
            var log: [TrainingMetrics] = []
            XCTAssertEqual(try trainer.run(onLog: { log.append($0) }), .finished)
            XCTAssertTrue(log.allSatisfy { $0.loss.isFinite && $0.energyData.isFinite && $0.energySamples.isFinite })
            return trainer.network.parameters.scalars
        }
        let reference = try train(plain)
        var all = plain
        (all.improved.klWeight, all.improved.entropyWeight, all.improved.gradientPenalty) = (1, 0.1, 0.01)
        let improved = try train(all)
        XCTAssertEqual(try train(all), improved)
        for term in 0..<3 {
            var one = plain
            switch term {
            case 0: one.improved.klWeight = 1
            case 1: one.improved.entropyWeight = 0.1
            default: one.improved.gradientPenalty = 0.01
            }
            XCTAssertNotEqual(try train(one), reference, "term \(term) left training unchanged")
        }
    }

    /// Both temporal-convolution energies train, checkpoint and reload to the same energies.
    func testTemporalConvolutionModelTrainsAndReloads() throws {
        let data = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 40, steps: 30, stateSize: 3, seed: 2))
        for architecture in [Architecture.temporalConvolution, .temporalResidual] {
            var configuration = ContrastiveDivergenceTests.toyConfiguration()
            (configuration.model.contextLength, configuration.model.horizon, configuration.model.depth) = (2, 6, 2)
            (configuration.model.architecture, configuration.model.channels, configuration.model.kernelSize) = (architecture, 8, 3)
            (configuration.optimization.steps, configuration.optimization.batchSize) = (40, 16)
            let out = try Fixtures.temporaryDirectory()
            let trainer = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: data, outputDirectory: out)
            XCTAssertEqual(try trainer.run(), .finished)
            XCTAssertTrue(trainer.network.layers.contains { architecture == .temporalResidual ? $0 is TemporalResidualBlock : $0 is TemporalConvolution })
            let (loaded, meta) = try TrajectoryEnergyModel.load(from: out.appendingPathComponent("model.safetensors"))
            XCTAssertEqual(meta.configuration.model.architecture, architecture)
            var g = SeededGenerator(seed: 1)
            let rows = (0..<(4 * loaded.encoding.width)).map { _ in g.nextGaussian() }
            XCTAssertEqual(loaded.energies(rows: rows), trainer.energyModel!.energies(rows: rows))
        }
    }
}

extension ImprovedCDTests {
    /// An ensemble energy (model.ensemble 3) and an ensemble feedforward baseline train,
    /// checkpoint and reload to the same outputs; ensembles with spectral norm are refused.
    func testEnsembleTrainsAndReloads() throws {
        let data = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 40, steps: 30, stateSize: 3, seed: 2))
        var configuration = ContrastiveDivergenceTests.toyConfiguration()
        (configuration.model.ensemble, configuration.model.hiddenWidth, configuration.model.depth) = (3, 16, 2)
        (configuration.optimization.steps, configuration.optimization.batchSize) = (40, 16)
        for kind in [ModelKind.ebm, .feedforward] {
            let out = try Fixtures.temporaryDirectory()
            let trainer = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: out)
            XCTAssertEqual(try trainer.run(), .finished)
            XCTAssertEqual(trainer.network.layers.filter { $0 is GroupedLinear }.count, 2)
            XCTAssertTrue(trainer.network.layers.last is GroupMean)
            var g = SeededGenerator(seed: 1)
            if kind == .ebm {
                let (loaded, meta) = try TrajectoryEnergyModel.load(from: out.appendingPathComponent("model.safetensors"))
                XCTAssertEqual(meta.configuration.model.ensemble, 3)
                let rows = (0..<(4 * loaded.encoding.width)).map { _ in g.nextGaussian() }
                XCTAssertEqual(loaded.energies(rows: rows), trainer.energyModel!.energies(rows: rows))
            } else {
                let (loaded, _) = try FeedforwardPredictor.load(from: out.appendingPathComponent("model.safetensors"))
                let context = (0..<(4 * loaded.encoding.contextWidth)).map { _ in g.nextGaussian() }
                XCTAssertEqual(loaded.predict(context: context), trainer.predictor!.predict(context: context))
            }
        }
        configuration.model.spectralNorm = true
        XCTAssertThrowsError(try configuration.validate())
    }
}
