// Trainer+Denoising: one denoising-score-matching step of a noise-conditioned energy, the weights'
// moving average, and the test split's denoising loss.

import Foundation
import NeuralCore
import Trajectories

extension Trainer {
    /// One step: for B data windows with coefficients y₀, levels log σ ~ U(log σmin, log σmax) and
    /// ε ~ N(0, I), loss = mean_b mean_i (σ ∂E/∂yᵢ(y₀ + σε, σ) − εᵢ)². Its gradient in θ goes through
    /// ∇_y E, so it is backpropagated by the network's second-order pass (`InputGradientTape`).
    func denoisingStep() throws -> TrainingMetrics {
        let model = denoisingModel!, tape = tape!
        let (C, D) = (encoding.contextWidth, model.dimension)
        let indices = try batchIndices()
        let batch = indices.count
        // the whole batch's levels, noise and context noise, whichever rows this rank computes
        let (sigma, noise) = drawNoise(batch: batch, dimension: D, generator: &generator)
        let contextNoise = configuration.denoising.contextNoise
        let contextShifts = contextNoise > 0 ? (0..<(batch * C)).map { _ in contextNoise * generator.nextGaussian() } : []
        let sums = try reduceShares(batch: batch, partials: 1) { rows in
            let (context, future) = try dataWindows(indices[rows])
            let (s, e) = (Array(sigma[rows]), Array(noise[(rows.lowerBound * D)..<(rows.upperBound * D)]))
            let y0 = model.basis.encode(context: model.contextStates(context), contextLength: encoding.contextLength, future: future)
            let y = model.noisy(y0, sigma: s, noise: e)
            var contexts = model.normalizedContexts(context)
            if !contextShifts.isEmpty { for j in 0..<contexts.count { contexts[j] += contextShifts[rows.lowerBound * C + j] } }
            return [model.accumulateDenoisingGradient(tape, normalizedContexts: contexts, coefficients: y, sigma: s, noise: e, batch: batch)]
        }
        let metrics = TrainingMetrics(step: step + 1, loss: sums[0])
        guard metrics.loss.isFinite, metrics.loss < Double(configuration.optimization.divergenceThreshold) else { throw divergence(metrics) }
        let result = try optimizerStep(metrics)
        updateAveragedParameters()
        return result
    }

    /// Levels σ (B), log-uniform over [σmin, σmax], and standard normal noise (B, D).
    func drawNoise(batch: Int, dimension: Int, generator: inout SeededGenerator) -> (sigma: [Float], noise: [Float]) {
        let d = configuration.denoising
        let (lo, hi) = (log(Double(d.sigmaMin)), log(Double(d.sigmaMax)))
        let sigma = (0..<batch).map { _ in Float(exp(lo + (hi - lo) * generator.nextUnitDouble())) }
        let noise = (0..<(batch * dimension)).map { _ in generator.nextGaussian() }
        return (sigma, noise)
    }

    /// θ̄ ← d θ̄ + (1 − d) θ with d = min(ema, (1 + t)/(10 + t)) (early steps average less).
    func updateAveragedParameters() {
        DenoisingEnergyModel.average(&averagedParameters, toward: network.parameters,
                                     decay: min(configuration.denoising.ema, Float(1 + step) / Float(10 + step)))
    }

    /// Runs `body` with the averaged weights in the network (denoising runs), then puts the trained ones back.
    func withAveragedParameters<T>(_ body: () throws -> T) rethrows -> T {
        guard denoisingModel != nil, !averagedParameters.isEmpty else { return try body() }
        let theta = network.parameters.baseAddress, count = averagedParameters.count
        let trained = Array(UnsafeBufferPointer(start: theta, count: count))
        averagedParameters.withUnsafeBufferPointer { theta.update(from: $0.baseAddress!, count: count) }
        defer { trained.withUnsafeBufferPointer { theta.update(from: $0.baseAddress!, count: count) } }
        return try body()
    }

    /// Test-split denoising loss of the averaged weights: at most `maxWindows` windows evenly
    /// spaced, levels and noise from a fixed seed (the same numbers every evaluation).
    func denoisingEvaluation(_ test: TrajectorySplit, maxWindows: Int) throws -> TrainingMetrics? {
        let model = denoisingModel!, m = configuration.model
        let testWindows = try SplitWindows(test, context: m.contextLength, future: m.horizon, padEnd: configuration.data.padEpisodeEnds)
        guard testWindows.count > 0 else { return nil }
        let count = min(maxWindows, testWindows.count)
        let indices = (0..<count).map { $0 * testWindows.count / count }
        var context: [Float] = [], future: [Float] = []
        try encoding.gather(testWindows, indices, context: &context, future: &future)
        var fixed = SeededGenerator(seed: configuration.seed ^ 0xD5A1)
        let (sigma, noise) = drawNoise(batch: count, dimension: model.dimension, generator: &fixed)
        let y = model.noisy(model.basis.encode(context: model.contextStates(context), contextLength: encoding.contextLength, future: future),
                            sigma: sigma, noise: noise)
        let loss = withAveragedParameters { () -> Double in
            let (_, g) = model.energiesAndGradients(normalizedContexts: model.normalizedContexts(context), coefficients: y, sigma: sigma)
            return model.denoisingLoss(sigma: sigma, gradients: g, noise: noise).loss
        }
        return TrainingMetrics(step: step, loss: loss)
    }
}
