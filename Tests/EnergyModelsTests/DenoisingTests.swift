// DenoisingTests: the future basis, the noise-conditioned energy's gradient, denoising-score-
// matching training (loss falls, resume is bit-identical, the averaged weights load back) and the
// configuration's checks.

import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

final class DenoisingTests: XCTestCase {
    /// Episodes of states (q, v) in `n` joints whose positions follow the trapezoid rule
    /// q_{t+1} = q_t + dt (v_t + v_{t+1})/2 exactly, velocities a random walk; one of two drifts.
    static func kinematicEpisodes(episodes: Int, steps: Int, joints n: Int, dt: Double, seed: UInt64) -> TrajectoryDataset {
        var g = SeededGenerator(seed: seed)
        var states: [Double] = []
        for e in 0..<episodes {
            var q = (0..<n).map { _ in 0.1 * Double(g.nextGaussian()) }, v = (0..<n).map { _ in 0.2 * Double(g.nextGaussian()) }
            let drift = e % 2 == 0 ? 1.0 : -1.0
            for _ in 0...steps {
                states += q + v
                let next = v.map { $0 + 0.3 * drift + 0.1 * Double(g.nextGaussian()) }
                q = (0..<n).map { q[$0] + dt * (v[$0] + next[$0]) / 2 }
                v = next
            }
        }
        return Fixtures.dataset(states: states, episodes: episodes, steps: steps, stateSize: 2 * n)
    }

    func testBasisRoundTripsAndEveryCombinationKeepsTheKinematicRelation() throws {
        let (n, dt) = (2, 0.05)
        let data = Self.kinematicEpisodes(episodes: 40, steps: 12, joints: n, dt: dt, seed: 4)
        let windows = try TrajectoryWindows(data, context: 2, future: 6)
        let (S, F) = (2 * n, 6 * 2 * n)
        for kind in FutureBasis.Kind.allCases {
            let basis = try FutureBasis.fit(windows, kind: kind, size: F, futureAsDelta: true)
            XCTAssertEqual(Double(basis.timestep), dt, accuracy: 1e-6, "\(kind)")
            XCTAssertEqual(basis.variances.max()!, 1, accuracy: 1e-5)
            var context: [Float] = [], future: [Float] = []
            windows.gather(Array(0..<8), context: &context, future: &future)
            let y = basis.encode(context: context, contextLength: 2, future: future)
            let back = basis.decode(y, context: context, contextLength: 2)
            for (a, b) in zip(back, future) { XCTAssertEqual(a, b, accuracy: 1e-4) }
            // any combination of the training futures' directions (the data never takes the others: variance 0),
            // after any context: q_{t+1} − q_t = dt (v_t + v_{t+1})/2 from the context's last state on
            guard kind == .pca else { continue }
            var g = SeededGenerator(seed: 9)
            let random = (0..<(8 * basis.dimension)).map { 2 * basis.variances[$0 % basis.dimension].squareRoot() * g.nextGaussian() }
            let decoded = basis.decode(random, context: context, contextLength: 2)
            for b in 0..<8 {
                var previous = Array(context[((b * 2 + 1) * S)..<((b * 2 + 2) * S)])
                for t in 0..<6 {
                    let state = Array(decoded[((b * 6 + t) * S)..<((b * 6 + t + 1) * S)])
                    for d in 0..<n {
                        let step = Double(state[d] - previous[d]), predicted = dt * Double(state[n + d] + previous[n + d]) / 2
                        XCTAssertEqual(step, predicted, accuracy: 2e-5, "window \(b) state \(t)")
                    }
                    previous = state
                }
            }
        }
        // a truncated basis keeps the leading variances, in decreasing order
        let pca = try FutureBasis.fit(windows, kind: .pca, size: 3, futureAsDelta: true)
        XCTAssertEqual(pca.dimension, 3)
        XCTAssertEqual(pca.variances, pca.variances.sorted(by: >))
        // the residual variance is the training futures' mean squared residual off the basis per dropped direction
        let all = Array(0..<windows.count)
        var (context, future) = ([Float](), [Float]())
        windows.gather(all, context: &context, future: &future)
        let residuals = pca.residuals(context: context, contextLength: 2, future: future)
        let mean = residuals.map(Double.init).reduce(0, +) / Double(all.count)
        XCTAssertEqual(Double(try XCTUnwrap(pca.residualVariance)), mean / Double(F - 3), accuracy: 1e-3 * mean / Double(F - 3))
        // a future in the basis has no residual; a full basis keeps none
        let inside = pca.decode(pca.encode(context: context, contextLength: 2, future: future), context: context, contextLength: 2)
        XCTAssertLessThan(pca.residuals(context: context, contextLength: 2, future: inside).max()!, 1e-6 * Float(mean))
        XCTAssertNil(try FutureBasis.fit(windows, kind: .pca, size: F, futureAsDelta: true).residualVariance)
        XCTAssertThrowsError(try FutureBasis.fit(windows, kind: .pca, size: F + 1, futureAsDelta: true)) { error in
            XCTAssertTrue("\(error)".contains("model.basisSize") || "\(error)".contains("basisSize"), "\(error)")
        }
    }

    /// A faded origin (originFade N): the first future state is measured from the context's last state, from state
    /// N on the future is absolute; the basis still round-trips, and a shifted context moves the decoded future
    /// by exactly w_h times the shift.
    func testFadedOriginMovesEarlyStatesWithTheContextAndLeavesLateOnesAbsolute() throws {
        let (n, dt) = (2, 0.05)
        let data = Self.kinematicEpisodes(episodes: 40, steps: 12, joints: n, dt: dt, seed: 4)
        let windows = try TrajectoryWindows(data, context: 2, future: 6)
        let (S, F, N) = (2 * n, 6 * 2 * n, 4)
        let basis = try FutureBasis.fit(windows, kind: .pca, size: F, futureAsDelta: true, originFade: N)
        XCTAssertEqual(basis.originFade, N)
        XCTAssertNil(try FutureBasis.fit(windows, kind: .pca, size: F, futureAsDelta: false, originFade: N).originFade, "absolute futures have no origin")
        var context: [Float] = [], future: [Float] = []
        windows.gather(Array(0..<8), context: &context, future: &future)
        let y = basis.encode(context: context, contextLength: 2, future: future)
        for (a, b) in zip(basis.decode(y, context: context, contextLength: 2), future) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        // shift every context state by δ: positions of state h move by w_h (δ + dt/2 · 0) = max(0, 1 − h/N) δ, velocities not at all
        let delta: Float = 0.3
        let shifted = context.enumerated().map { $0.offset % S < n ? $0.element + delta : $0.element }
        let moved = basis.decode(y, context: shifted, contextLength: 2), still = basis.decode(y, context: context, contextLength: 2)
        for b in 0..<8 {
            for h in 0..<6 {
                for d in 0..<S {
                    let j = (b * 6 + h) * S + d
                    let w = d < n ? max(0, 1 - Float(h) / Float(N)) : 0
                    XCTAssertEqual(moved[j] - still[j], w * delta, accuracy: 1e-5, "window \(b) state \(h) coordinate \(d)")
                }
            }
        }
        // the checkpoint's JSON keeps it; a basis without it writes no key (older checkpoints' bytes)
        XCTAssertEqual(try JSONDecoder().decode(FutureBasis.self, from: try JSONEncoder().encode(basis)), basis)
        let plain = try FutureBasis.fit(windows, kind: .pca, size: F, futureAsDelta: true)
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("originFade"))
    }

    /// Windows for a basis: evenly spaced, unless that spacing is a multiple of the windows per episode (then
    /// every window would start at the same step): the 1× reacher2-goals4 choice is unchanged, the 10× one
    /// (2,000 → 20,000 episodes of 98 windows) now starts at every step.
    func testBasisWindowsDoNotAliasWithTheEpisodeLength() {
        let once = FutureBasis.basisWindowIndices(windowCount: 2_000 * 98, count: 20_000, perEpisode: 98)
        XCTAssertEqual(once, (0..<20_000).map { $0 * 196_000 / 20_000 })
        let aliased = (0..<20_000).map { $0 * 1_960_000 / 20_000 }
        XCTAssertEqual(Set(aliased.map { $0 % 98 }), [0], "the evenly spaced windows of the 10× dataset all start at step 0")
        let tenfold = FutureBasis.basisWindowIndices(windowCount: 20_000 * 98, count: 20_000, perEpisode: 98)
        XCTAssertEqual(Set(tenfold.map { $0 % 98 }).count, 98)
        XCTAssertEqual(Set(tenfold.map { $0 / 98 }).count, 20_000, "still one window per episode")
        XCTAssertEqual(FutureBasis.basisWindowIndices(windowCount: 10, count: 10, perEpisode: 5), Array(0..<10))
        // arm7-goals4's 8,000 episodes: 5 different start steps, kept (its committed model was fitted so)
        XCTAssertEqual(FutureBasis.basisWindowIndices(windowCount: 8_000 * 98, count: 20_000, perEpisode: 98),
                       (0..<20_000).map { $0 * 784_000 / 20_000 })
    }

    static func configuration() -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.seed = 5
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (2, 3, 32, 2)
        (c.optimization.steps, c.optimization.batchSize, c.optimization.learningRate) = (300, 32, 3e-3)
        (c.optimization.objective, c.optimization.beta1, c.optimization.learningRateSchedule, c.optimization.warmupSteps) = (.dsm, 0.9, .cosine, 5)
        (c.denoising.sigmaMin, c.denoising.sigmaMax, c.denoising.basisSize, c.denoising.ema) = (0.01, 3, 6, 0.9)
        (c.checkpointEvery, c.logEvery) = (50, 10)
        return c
    }

    /// A temporal network over the identity basis (the window itself), small.
    static func temporalConfiguration(_ architecture: Architecture) -> TrainingConfiguration {
        var c = configuration()
        (c.model.architecture, c.model.channels, c.model.kernelSize, c.model.depth) = (architecture, 6, 3, 1)
        c.denoising.basis = .identity
        return c
    }

    func testEnergyGradientMatchesFiniteDifferences() throws {
        for configuration in [Self.configuration(), Self.temporalConfiguration(.temporalConvolution), Self.temporalConfiguration(.temporalResidual)] {
            try checkEnergyGradient(configuration)
        }
    }

    func checkEnergyGradient(_ configuration: TrainingConfiguration) throws {
        let data = Self.kinematicEpisodes(episodes: 20, steps: 8, joints: 1, dt: 0.05, seed: 1)
        let folder = try Fixtures.folder(train: data)
        let trainer = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: folder, outputDirectory: try Fixtures.temporaryDirectory())
        let model = try XCTUnwrap(trainer.denoisingModel)
        XCTAssertEqual(model.isTemporal, configuration.model.architecture != .mlp)
        var g = SeededGenerator(seed: 2)
        let batch = 3, (C, D) = (model.encoding.contextWidth, model.dimension)
        let contexts = (0..<(batch * C)).map { _ in g.nextGaussian() }, y = (0..<(batch * D)).map { _ in g.nextGaussian() }
        // moderate levels: at σ → 0 the energy grows as 1/σ and Float differences lose their digits
        let sigma: [Float] = [0.15, 0.5, 2.5]
        let (_, gradient) = model.energiesAndGradients(normalizedContexts: contexts, coefficients: y, sigma: sigma)
        for b in 0..<batch {
            for i in 0..<D {
                let h: Float = 5e-3
                var plus = y, minus = y
                plus[b * D + i] += h; minus[b * D + i] -= h
                let ep = model.energies(normalizedContexts: contexts, coefficients: plus, sigma: sigma)[b]
                let em = model.energies(normalizedContexts: contexts, coefficients: minus, sigma: sigma)[b]
                let numeric = (ep - em) / (2 * h)
                XCTAssertEqual(gradient[b * D + i], numeric, accuracy: 2e-3 * max(1, abs(numeric)), "\(configuration.model.architecture) row \(b) coefficient \(i)")
            }
        }
    }

    /// The benchmark's step (the default model's shapes) computes the trainer's objective: its loss is
    /// mean (σ∂E/∂y − ε)² of `energiesAndGradients` (first order, no tape), and its gradient in θ
    /// matches central differences of that loss along random directions.
    func testDenoisingObjectiveGradientMatchesDirectionalDifferences() throws {
        let model = DenoisingBenchmark.referenceModel(seed: 4)
        let batch = try DenoisingBenchmark.Batch(model, batch: 6, seed: 5)
        XCTAssertEqual(model.inputWidth, 53)
        let step = try DenoisingBenchmark.Step(model: model, batch: batch)
        let loss = step.gradient()
        let theta = model.network.parameters.baseAddress, count = model.network.parameterLayout.count
        let analytic = Array(UnsafeBufferPointer(start: model.network.gradients.baseAddress, count: count))
        let original = Array(UnsafeBufferPointer(start: theta, count: count))
        func firstOrderLoss() -> Double {
            let (_, g) = model.energiesAndGradients(normalizedContexts: batch.contexts, coefficients: batch.coefficients, sigma: batch.sigma)
            var sum = 0.0
            for j in g.indices { let r = Double(batch.sigma[j / model.dimension] * g[j] - batch.noise[j]); sum += r * r }
            return sum / Double(g.count)
        }
        XCTAssertEqual(loss, firstOrderLoss(), accuracy: 1e-5 * loss)
        var generator = SeededGenerator(seed: 6)
        for trial in 0..<3 {
            let direction = (0..<count).map { _ in generator.nextGaussian() }
            let norm = Float(direction.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot())
            let h: Float = 1e-2
            func shifted(_ sign: Float) -> Double {
                for i in 0..<count { theta[i] = original[i] + sign * h * direction[i] / norm }
                return firstOrderLoss()
            }
            let numeric = (shifted(1) - shifted(-1)) / Double(2 * h)
            original.withUnsafeBufferPointer { theta.update(from: $0.baseAddress!, count: count) }
            let predicted = (0..<count).reduce(0.0) { $0 + Double(analytic[$1] * direction[$1] / norm) }
            XCTAssertEqual(predicted, numeric, accuracy: 2e-2 * max(abs(numeric), 1e-3), "direction \(trial)")
        }
    }

    /// A temporal network's rows: k context steps [c̃_t, φ(σ), 1], then H future steps [y_t s(σ), φ(σ), 0].
    func testTemporalRowsLayTheWindowOutOverTime() throws {
        let data = Self.kinematicEpisodes(episodes: 20, steps: 8, joints: 1, dt: 0.05, seed: 1)
        let trainer = try Trainer(kind: .ebm, configuration: Self.temporalConfiguration(.temporalResidual), dataDirectory: try Fixtures.folder(train: data),
                                  outputDirectory: try Fixtures.temporaryDirectory())
        let model = try XCTUnwrap(trainer.denoisingModel)
        let (k, H, S, channels) = (2, 3, 2, 2 + DenoisingEnergyModel.noiseFeatures + 1)
        XCTAssertEqual(model.inputWidth, (k + H) * channels)
        XCTAssertEqual(model.dimension, H * S)
        let c: [Float] = [1, 2, 3, 4], y: [Float] = [5, 6, 7, 8, 9, 10], sigma: Float = 0.7
        let rows = model.rows(normalizedContexts: c, coefficients: y, sigma: [sigma])
        let phi = model.noiseFeatures(sigma), s = DenoisingEnergyModel.inputScale(sigma)
        for t in 0..<(k + H) {
            let step = Array(rows[(t * channels)..<((t + 1) * channels)])
            let state = t < k ? Array(c[(t * S)..<((t + 1) * S)]) : y[((t - k) * S)..<((t - k + 1) * S)].map { $0 * s }
            XCTAssertEqual(step, state + phi + [t < k ? 1 : 0], "step \(t)")
        }
    }

    /// A temporal residual network learns what the Gaussian skip term cannot (the bimodal test of
    /// `testTrainingLowersTheLossAndResumesBitIdentically`, over time).
    func testTemporalNetworkTrainsByDenoising() throws {
        let modes = [[1.0, 1.0], [-1.0, -1.0]]
        let folder = try Fixtures.folder(train: Fixtures.bimodal(modes: modes, episodes: 200, spread: 0.05, seed: 1),
                                         test: Fixtures.bimodal(modes: modes, episodes: 50, spread: 0.05, seed: 2))
        var configuration = Self.temporalConfiguration(.temporalResidual)
        (configuration.model.contextLength, configuration.model.horizon, configuration.model.channels) = (1, 1, 32)
        (configuration.denoising.ema, configuration.optimization.steps) = (0.95, 400)
        let a = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: folder, outputDirectory: try Fixtures.temporaryDirectory())
        let before = try XCTUnwrap(try a.evaluate()).loss
        XCTAssertEqual(try a.run(), .finished)
        let after = try XCTUnwrap(try a.evaluate()).loss
        XCTAssertLessThan(after, 0.85 * before, "test denoising loss \(before) → \(after)")
    }

    /// The energy judges and scores read charges a window's residual off the basis as probabilistic
    /// PCA does: E(window) = E(its basis part) + ‖r‖² / (2σr²).
    func testJudgedEnergyChargesTheResidualOffTheBasis() throws {
        let data = Self.kinematicEpisodes(episodes: 20, steps: 8, joints: 1, dt: 0.05, seed: 1)
        var c = Self.configuration()
        c.denoising.basisSize = 3
        let trainer = try Trainer(kind: .ebm, configuration: c, dataDirectory: try Fixtures.folder(train: data), outputDirectory: try Fixtures.temporaryDirectory())
        let model = try XCTUnwrap(trainer.denoisingModel)
        let variance = try XCTUnwrap(model.basis.residualVariance)
        let windows = try TrajectoryWindows(data, context: 2, future: 3)
        var (context, future) = ([Float](), [Float]())
        windows.gather([0, 5, 9], context: &context, future: &future)
        let basis = model.basis
        let y = basis.encode(context: context, contextLength: 2, future: future)
        let r = basis.residuals(context: context, contextLength: 2, future: future)
        let e = model.energies(context: context, future: future)
        let e0 = model.energies(normalizedContexts: model.normalizedContexts(context), coefficients: y, sigma: [Float](repeating: c.denoising.sigmaMin, count: 3))
        for b in 0..<3 { XCTAssertEqual(e[b], e0[b] + r[b] / (2 * variance), accuracy: 1e-3 * max(1, abs(e[b]))) }
        XCTAssertGreaterThan(r.max()!, 0)
    }

    /// The loss falls; interrupting and resuming gives the same bits; the model file holds the
    /// averaged weights and loads back as a denoising model (and is refused as a CD model).
    func testTrainingLowersTheLossAndResumesBitIdentically() throws {
        // two modes: far from the Gaussian the skip term describes, so the network has something to learn
        let modes = [[1.0, 1.0], [-1.0, -1.0]]
        let folder = try Fixtures.folder(train: Fixtures.bimodal(modes: modes, episodes: 200, spread: 0.05, seed: 1),
                                         test: Fixtures.bimodal(modes: modes, episodes: 50, spread: 0.05, seed: 2))
        var configuration = Self.configuration()
        (configuration.model.contextLength, configuration.model.horizon, configuration.denoising.basisSize) = (1, 1, 2)
        (configuration.model.hiddenWidth, configuration.denoising.ema, configuration.optimization.steps) = (64, 0.95, 400)
        configuration.denoising.basis = .identity
        let straight = try Fixtures.temporaryDirectory(), resumed = try Fixtures.temporaryDirectory()
        let a = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: folder, outputDirectory: straight)
        let before = try XCTUnwrap(try a.evaluate()).loss
        XCTAssertEqual(try a.run(), .finished)
        let after = try XCTUnwrap(try a.evaluate()).loss
        // (the identity basis keeps both coordinates, whose modes the network learns to tie together; in the
        // principal basis only one direction is bimodal and most of its loss, at σ below the spread, is irreducible)
        XCTAssertLessThan(after, 0.85 * before, "test denoising loss \(before) → \(after)")
        var calls = 0
        let b1 = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: folder, outputDirectory: resumed)
        XCTAssertEqual(try b1.run(shouldStop: { calls += 1; return calls > 277 }), .interrupted(step: 277))
        let b2 = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: folder, outputDirectory: resumed)
        XCTAssertEqual(try b2.run(), .finished)
        XCTAssertEqual(a.network.parameters.scalars, b2.network.parameters.scalars)
        XCTAssertEqual(a.averagedParameters, b2.averagedParameters)
        let fileA = try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(fileA.count, try Data(contentsOf: resumed.appendingPathComponent("model.safetensors")).count)

        let url = straight.appendingPathComponent("model.safetensors")
        let (loaded, meta) = try DenoisingEnergyModel.load(from: url)
        XCTAssertEqual(meta.basis, a.denoisingModel!.basis)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: loaded.network.parameters.baseAddress, count: a.averagedParameters.count)), a.averagedParameters)
        XCTAssertNotEqual(a.averagedParameters, a.network.parameters.scalars)
        XCTAssertThrowsError(try TrajectoryEnergyModel.load(from: url)) { XCTAssertTrue("\($0)".contains("denoising"), "\($0)") }
    }

    func testBadDenoisingConfigurationsNameTheKey() throws {
        func message(_ json: String) -> String {
            do { _ = try TrainingConfiguration.decode(Data(json.utf8), file: "x.json"); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(#"{"optimization": {"objective": "dsm"}, "denoising": {"sigmaMin": 2, "sigmaMax": 1}}"#).contains("denoising.sigmaMax"))
        XCTAssertTrue(message(#"{"optimization": {"objective": "dsm"}, "denoising": {"sigmaMin": 0}}"#).contains("denoising.sigmaMin"))
        XCTAssertTrue(message(#"{"optimization": {"objective": "dsm"}, "denoising": {"basisSize": 0}}"#).contains("denoising.basisSize"))
        XCTAssertTrue(message(#"{"optimization": {"objective": "sm"}}"#).contains("optimization.objective"))
        XCTAssertTrue(message(#"{"denoising": {"basis": "dct"}}"#).contains("denoising.basis"))
        XCTAssertTrue(message(#"{"denoising": {"sigma": 1}}"#).contains("denoising.sigma"))
        XCTAssertTrue(message(#"{"optimization": {"objective": "dsm"}, "denoising": {"samplerTemperatureBelow": 0}}"#).contains("denoising.samplerTemperatureBelow"))
        XCTAssertTrue(message(#"{"optimization": {"objective": "dsm"}, "denoising": {"originFade": 0}}"#).contains("denoising.originFade"))
        XCTAssertTrue(message(#"{"optimization": {"objective": "dsm"}, "model": {"futureAsDelta": false}, "denoising": {"originFade": 40}}"#).contains("denoising.originFade"))
        // the key reads back, and a configuration without it encodes without it (older checkpoints' bytes)
        let below = try TrainingConfiguration.decode(Data(#"{"optimization": {"objective": "dsm"}, "denoising": {"samplerTemperatureBelow": 0.03}}"#.utf8), file: "x.json")
        XCTAssertEqual(below.denoising.samplerTemperatureBelow, 0.03)
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(TrainingConfiguration()), as: UTF8.self).contains("samplerTemperatureBelow"))
        XCTAssertTrue(message(#"{"optimization": {"objective": "dsm"}, "model": {"spectralNorm": true}}"#).contains("dsm"))
        XCTAssertTrue(message(#"{"optimization": {"objective": "dsm"}, "model": {"architecture": "temporal-residual"}}"#).contains("denoising.basis"))
        XCTAssertEqual(message(#"{"optimization": {"objective": "dsm"}, "model": {"architecture": "temporal-residual"}, "denoising": {"basis": "identity"}}"#), "")
        XCTAssertEqual(message(#"{"optimization": {"objective": "dsm", "learningRateSchedule": "cosine"}, "data": {"padEpisodeEnds": true}}"#), "")
        // a basis larger than the window, at training time, names the key
        var c = Self.configuration()
        c.denoising.basisSize = 100
        let folder = try Fixtures.folder(train: Self.kinematicEpisodes(episodes: 24, steps: 8, joints: 1, dt: 0.05, seed: 1))
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: c, dataDirectory: folder, outputDirectory: try Fixtures.temporaryDirectory())) {
            XCTAssertTrue("\($0)".contains("basisSize"), "\($0)")
        }
    }

    func testPaddedWindowsHoldTheLastPose() throws {
        let data = Self.kinematicEpisodes(episodes: 2, steps: 5, joints: 1, dt: 0.05, seed: 1)
        let plain = try TrajectoryWindows(data, context: 2, future: 3), padded = try TrajectoryWindows(data, context: 2, future: 3, padEnd: true)
        XCTAssertEqual(plain.perEpisode, 2)
        XCTAssertEqual(padded.perEpisode, 5)
        var context: [Float] = [], future: [Float] = []
        padded.gather([4], context: &context, future: &future)
        let last = data.state(episode: 0, step: 5).map(Float.init)
        XCTAssertEqual(Array(context[2...]), last)
        // (q, v) states: the robot comes to rest where its last step takes it, q_end + dt v_end / 2
        let held = [last[0] + 0.05 / 2 * last[1], 0]
        for (a, b) in zip(future, held + held + held) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // states that are not (q, v) pairs repeat as they are
        let other = Fixtures.randomWalk(episodes: 2, steps: 5, stateSize: 3, seed: 1)
        try TrajectoryWindows(other, context: 2, future: 3, padEnd: true).gather([4], context: &context, future: &future)
        let end = other.state(episode: 0, step: 5).map(Float.init)
        XCTAssertEqual(future, end + end + end)
        XCTAssertNil(other.positionVelocityTimestep())
        XCTAssertEqual(try XCTUnwrap(data.positionVelocityTimestep()), 0.05, accuracy: 1e-9)
    }

    /// The benchmark refuses a batch outside 1...65536 rows and a non-positive time with an error,
    /// before building anything (batch 0 used to reach a precondition).
    func testBenchmarkRefusesBadSizes() throws {
        let model = DenoisingBenchmark.referenceModel()
        for batch in [0, -1, 65_537] {
            XCTAssertThrowsError(try DenoisingBenchmark.Batch(model, batch: batch, seed: 1)) {
                XCTAssertEqual($0 as? TrainingError, .invalidConfiguration("batch \(batch): between 1 and 65536 rows"))
            }
            XCTAssertThrowsError(try DenoisingBenchmark.reference(batch: batch))
            XCTAssertThrowsError(try DenoisingBenchmark.measure(batches: [4, batch], seconds: 0.01, clock: { 0 }))
        }
        XCTAssertThrowsError(try DenoisingBenchmark.measure(batches: [4], seconds: 0, clock: { 0 })) {
            XCTAssertEqual($0 as? TrainingError, .invalidConfiguration("seconds 0.0: must be positive"))
        }
    }

    /// `ebm bench dsm`'s table: the header names clock, kernel and CPU, one line per batch.
    func testBenchmarkTableLines() {
        let row = DenoisingBenchmark.Row(batch: 128, threads: 1, steps_per_second: 1234.56, milliseconds_per_step: 1000 / 1234.56,
                                         gemm: "avx512", blas_core: "Zen", cpu_model: "AMD EPYC", cpu_features: [])
        XCTAssertEqual(DenoisingBenchmark.tableLines([row], clock: "cpu"), [
            "denoising training step of the default model (53-256-256-256-1, SiLU), 1 thread, cpu clock, gemm avx512, CPU AMD EPYC",
            " batch    steps/s   ms/step",
            "   128     1234.6      0.81",
        ])
    }
}
