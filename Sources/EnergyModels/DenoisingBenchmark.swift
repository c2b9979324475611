// DenoisingBenchmark: the denoising-score-matching training step of the default model
// (trajectories/reacher2-goals4.train.json: MLP 53-256-256-256-1, SiLU) on a synthetic batch, timed
// as `ebm bench nn` times its steps, and one step's loss and gradient written out so that
// benchmarks/pytorch_dsm.py can check a PyTorch implementation of the same objective against it.

import Foundation
import NeuralCore

/// The default model's denoising training step, without data loading, on one thread.
///
/// One step on a batch of B windows — normalised contexts c (B, 16), noisy coefficients
/// y = y₀ + σε (B, 32), levels σ (B), noise ε (B, 32), all drawn once — is what `Trainer` does after
/// reading the batch: the network's rows [c, φ(σ), y/√(1 + σ²)], E and ∇_y E (forward and backward),
/// the loss mean (σ∇_y E − ε)², its gradient in θ through the second-order pass, the gradient clipped
/// to norm 1, one Adam step and the weights' moving average (decay 0.999).
public enum DenoisingBenchmark {
    /// Context states k, horizon H, state size S (reacher2: nq + nv), PCA coefficients D: the default
    /// configuration's shapes (input width k·S + 5 + D = 53).
    public static let contextLength = 4, horizon = 97, stateSize = 4, dimension = 32
    /// The batch sizes (rows) a benchmark batch may have.
    public static let batchSizes = 1...65_536

    /// The default configuration's model (hidden width 256, depth 3, σ in [0.002, 4]) with a synthetic
    /// PCA basis of variances λᵢ = 1/(1 + i) (the step reads only the variances) and an identity
    /// context normalisation; weights from `seed`.
    public static func referenceModel(seed: UInt64 = 1) -> DenoisingEnergyModel {
        var configuration = ModelConfiguration()
        (configuration.contextLength, configuration.horizon, configuration.hiddenWidth, configuration.depth) = (contextLength, horizon, 256, 3)
        var denoising = DenoisingConfiguration()
        (denoising.sigmaMin, denoising.sigmaMax, denoising.basisSize) = (0.002, 4, dimension)
        let F = horizon * stateSize, width = contextLength * stateSize + F
        let basis = FutureBasis(kind: .pca, stateSize: stateSize, horizon: horizon, futureAsDelta: true,
                                coordinateScale: [Float](repeating: 1, count: stateSize), mean: [Float](repeating: 0, count: F),
                                components: [Float](repeating: 0, count: dimension * F),
                                variances: (0..<dimension).map { 1 / Float(1 + $0) }, unit: 1, residualVariance: nil)
        let encoding = WindowEncoding(stateSize: stateSize, contextLength: contextLength, horizon: horizon, futureAsDelta: true,
                                      mean: [Float](repeating: 0, count: width), standardDeviation: [Float](repeating: 1, count: width))
        return DenoisingEnergyModel(configuration: configuration, denoising: denoising, encoding: encoding, basis: basis, seed: seed)
    }

    /// One batch of the step's inputs: normalised contexts (B, C), noisy coefficients (B, D), levels (B), noise (B, D).
    public struct Batch: Codable, Equatable, Sendable {
        public var contexts: [Float], coefficients: [Float], sigma: [Float], noise: [Float]

        /// Contexts N(0, 1), y₀ᵢ ~ N(0, λᵢ), log σ uniform over [σmin, σmax], ε ~ N(0, 1), y = y₀ + σε.
        /// - Throws: `TrainingError.invalidConfiguration` when `batch` is outside `batchSizes`.
        public init(_ model: DenoisingEnergyModel, batch: Int, seed: UInt64) throws {
            let sizes = DenoisingBenchmark.batchSizes
            guard sizes.contains(batch) else {
                throw TrainingError.invalidConfiguration("batch \(batch): between \(sizes.lowerBound) and \(sizes.upperBound) rows")
            }
            var generator = SeededGenerator(seed: seed)
            let (C, D) = (model.encoding.contextWidth, model.dimension)
            let (lo, hi) = (log(Double(model.denoising.sigmaMin)), log(Double(model.denoising.sigmaMax)))
            contexts = (0..<(batch * C)).map { _ in generator.nextGaussian() }
            let clean = (0..<(batch * D)).map { i in model.basis.variances[i % D].squareRoot() * generator.nextGaussian() }
            sigma = (0..<batch).map { _ in Float(exp(lo + (hi - lo) * generator.nextUnitDouble())) }
            noise = (0..<(batch * D)).map { _ in generator.nextGaussian() }
            coefficients = model.noisy(clean, sigma: sigma, noise: noise)
        }
    }

    /// The step's state: the model on one thread, its tape, Adam (learning rate 1e-3) and the weights' average.
    public final class Step {
        /// The model trained (its network set to one thread).
        public let model: DenoisingEnergyModel
        /// The fixed batch every step trains on.
        public let batch: Batch
        let tape: InputGradientTape
        var optimizer = Adam(learningRate: 1e-3)
        var averaged: [Float]

        public init(model: DenoisingEnergyModel, batch: Batch) throws {
            (self.model, self.batch) = (model, batch)
            model.network.threading = .single
            tape = try InputGradientTape(model.network)
            averaged = model.network.parameters.scalars
        }

        /// The loss and ∂loss/∂θ (in `model.network.gradients`) of the batch at the current weights.
        @discardableResult
        public func gradient() -> Double {
            model.network.zeroGradients()
            return model.accumulateDenoisingGradient(tape, normalizedContexts: batch.contexts, coefficients: batch.coefficients,
                                                     sigma: batch.sigma, noise: batch.noise)
        }

        /// One training step: `gradient()`, clipping to norm 1, Adam, the moving average. Returns the loss.
        @discardableResult
        public func callAsFunction() -> Double {
            let loss = gradient()
            _ = GradientClipping.clipByNorm(model.network.gradients, maxNorm: 1)
            optimizer.step(parameters: model.network.parameters, gradients: model.network.gradients)
            DenoisingEnergyModel.average(&averaged, toward: model.network.parameters, decay: 0.999)
            return loss
        }
    }

    /// One row of `ebm bench dsm --json`.
    public struct Row: Codable, Equatable, Sendable {
        /// Rows per step.
        public var batch: Int
        /// Threads the step ran on (always 1).
        public var threads: Int
        /// Training steps per second (best of five windows).
        public var steps_per_second: Double
        /// Milliseconds per step (1000 / `steps_per_second`).
        public var milliseconds_per_step: Double
        /// The matrix kernel of the network's products (`GEMMKernel`).
        public var gemm: String
        /// OpenBLAS's kernel set.
        public var blas_core: String
        /// The CPU's model name and the features the kernels test for.
        public var cpu_model: String
        public var cpu_features: [String]
    }

    /// `ebm bench dsm`'s table of `rows`: a header naming the model, clock (`clock`: wall or cpu),
    /// kernel and CPU, then one line per batch size.
    public static func tableLines(_ rows: [Row], clock: String) -> [String] {
        ["denoising training step of the default model (53-256-256-256-1, SiLU), 1 thread, \(clock) clock, "
            + "gemm \(rows.first?.gemm ?? GEMMKernel.current.rawValue), CPU \(rows.first?.cpu_model ?? "?")",
         " batch    steps/s   ms/step"]
            + rows.map { String(format: "%6d %10.1f %9.2f", $0.batch, $0.steps_per_second, $0.milliseconds_per_step) }
    }

    /// Steps per second of the default model at each batch size, one thread, over `seconds` of `clock`.
    /// - Throws: `TrainingError.invalidConfiguration` for a batch size outside `batchSizes` or
    ///   `seconds` not positive (before anything is measured).
    public static func measure(batches: [Int], seconds: Double, clock: () -> Double) throws -> [Row] {
        if let bad = batches.first(where: { !batchSizes.contains($0) }) {
            throw TrainingError.invalidConfiguration("batch \(bad): between \(batchSizes.lowerBound) and \(batchSizes.upperBound) rows")
        }
        guard seconds > 0, seconds.isFinite else { throw TrainingError.invalidConfiguration("seconds \(seconds): must be positive") }
        BLASThreads.set(1)
        let machine = MachineInfo.current
        return try batches.map { batch in
            let model = referenceModel()
            let step = try Step(model: model, batch: Batch(model, batch: batch, seed: 7))
            let rate = NetworkBenchmark.callsPerSecond(seconds: seconds, clock: clock) { step() }
            return Row(batch: batch, threads: 1, steps_per_second: rate, milliseconds_per_step: 1000 / rate,
                       gemm: GEMMKernel.current.rawValue, blas_core: BLASCore.name, cpu_model: machine.model, cpu_features: machine.features)
        }
    }

    /// A named tensor, laid out as PyTorch's `nn.Sequential` of the same layers names and shapes it.
    public struct NamedTensor: Codable, Equatable, Sendable {
        public var name: String, shape: [Int], values: [Float]
    }

    /// One gradient evaluation written out for an independent implementation to reproduce: the weights,
    /// the batch, the model's constants, the loss and ∂loss/∂θ (before clipping).
    public struct Reference: Codable, Equatable, Sendable {
        /// Numbers per normalised context, coefficients per future (D) and noise-level features of the input.
        public var contextWidth: Int, dimension: Int, noiseFeatures: Int
        /// The range log σ is drawn uniformly over.
        public var sigmaMin: Float, sigmaMax: Float
        /// λᵢ of the prior term Σᵢ yᵢ²/(2(λᵢ + σ²)).
        public var variances: [Float]
        /// The batch the loss and gradient are of.
        public var batch: Batch
        /// The initial weights, named and shaped as PyTorch's `nn.Sequential`.
        public var parameters: [NamedTensor]
        /// The loss mean (σ∇_y E − ε)² of the batch.
        public var loss: Double
        /// ∂loss/∂θ before clipping, named as `parameters`.
        public var gradients: [NamedTensor]
        /// The matrix kernel that computed them.
        public var gemm: String
    }

    /// The loss and gradient of one batch of `batch` rows at the initial weights (`referenceModel()`).
    /// - Throws: `TrainingError.invalidConfiguration` when `batch` is outside `batchSizes`.
    public static func reference(batch: Int) throws -> Reference {
        BLASThreads.set(1)
        let model = referenceModel()
        let step = try Step(model: model, batch: Batch(model, batch: batch, seed: 7))
        let loss = step.gradient()
        func tensors(_ buffer: ParameterBuffer) -> [NamedTensor] {
            buffer.layout.views.map { view in
                NamedTensor(name: view.name.hasPrefix("layers.") ? String(view.name.dropFirst(7)) : view.name, shape: view.shape,
                            values: Array(buffer.storage[view.range]))
            }
        }
        let d = model.denoising
        return Reference(contextWidth: model.encoding.contextWidth, dimension: model.dimension, noiseFeatures: DenoisingEnergyModel.noiseFeatures,
                         sigmaMin: d.sigmaMin, sigmaMax: d.sigmaMax, variances: model.basis.variances, batch: step.batch,
                         parameters: tensors(model.network.parameters), loss: loss, gradients: tensors(model.network.gradients),
                         gemm: GEMMKernel.current.rawValue)
    }
}

extension DenoisingEnergyModel {
    /// θ̄ ← d θ̄ + (1 − d) θ: one step of the weights' exponential moving average.
    static func average(_ averaged: inout [Float], toward theta: ParameterBuffer, decay d: Float) {
        let p = theta.baseAddress
        for i in 0..<averaged.count { averaged[i] = d * averaged[i] + (1 - d) * p[i] }
    }
}
