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
        let indices = batchIndices()
        let batch = indices.count
        // the whole batch's levels, noise and context noise, whichever rows this rank computes
        let (sigma, noise) = drawNoise(batch: batch, dimension: D, generator: &generator)
        let contextNoise = configuration.denoising.contextNoise
        let contextShifts = contextNoise > 0 ? (0..<(batch * C)).map { _ in contextNoise * generator.nextGaussian() } : []
        let sums = try reduceShares(batch: batch, partials: 1) { rows in
            let (context, future) = dataWindows(indices[rows])
            let (s, e) = (Array(sigma[rows]), Array(noise[(rows.lowerBound * D)..<(rows.upperBound * D)]))
            let y0 = model.basis.encode(context: model.contextStates(context), contextLength: encoding.contextLength, future: future)
            let y = model.noisy(y0, sigma: s, noise: e)
            var contexts = model.normalizedContexts(context)
            if !contextShifts.isEmpty { for j in 0..<contexts.count { contexts[j] += contextShifts[rows.lowerBound * C + j] } }
            let input = model.rows(normalizedContexts: contexts, coefficients: y, sigma: s)
            let (n, g) = tape.record(input, batch: rows.count)
            let (_, gradients) = model.assemble(coefficients: y, sigma: s, network: n, rowGradient: g)
            let (loss, cotangent) = denoisingLoss(model, sigma: s, gradients: gradients, noise: e, batch: batch)
            tape.backpropagate(gradientCotangent: cotangent)
            return [loss]
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

    /// The loss mean (σ∂E/∂y − ε)² and its cotangent on the network's row gradient (n, inputWidth):
    /// σ ∂E/∂yᵢ = σ yᵢ/(λᵢ + σ²) + s ∂N/∂y'ᵢ with s = 1/√(1 + σ²), so ∂loss/∂(∂N/∂y'ᵢ) = 2 r s / (B D).
    /// The n rows may be one share of a batch of B = `batch` rows (default n): then the loss is
    /// the share's part of the batch mean.
    func denoisingLoss(_ model: DenoisingEnergyModel, sigma: [Float], gradients: [Float], noise: [Float],
                       batch total: Int? = nil) -> (loss: Double, cotangent: [Float]) {
        let (D, W, columns, batch) = (model.dimension, model.inputWidth, model.coefficientColumns, sigma.count)
        let mean = total ?? batch
        var cotangent = [Float](repeating: 0, count: batch * W)
        var sum = 0.0
        let norm = 2 / Float(mean * D)
        for b in 0..<batch {
            let scale = DenoisingEnergyModel.inputScale(sigma[b])
            for i in 0..<D {
                let r = sigma[b] * gradients[b * D + i] - noise[b * D + i]
                sum += Double(r * r)
                cotangent[b * W + columns[i]] = norm * r * scale
            }
        }
        return (sum / Double(mean * D), cotangent)
    }

    /// θ̄ ← d θ̄ + (1 − d) θ with d = min(ema, (1 + t)/(10 + t)) (early steps average less).
    func updateAveragedParameters() {
        let d = min(configuration.denoising.ema, Float(1 + step) / Float(10 + step))
        let theta = network.parameters.baseAddress
        for i in 0..<averagedParameters.count { averagedParameters[i] = d * averagedParameters[i] + (1 - d) * theta[i] }
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
    func denoisingEvaluation(_ test: TrajectoryDataset, maxWindows: Int) throws -> TrainingMetrics? {
        let model = denoisingModel!, m = configuration.model
        let testWindows = try TrajectoryWindows(test, context: m.contextLength, future: m.horizon, padEnd: configuration.data.padEpisodeEnds)
        guard testWindows.count > 0 else { return nil }
        let count = min(maxWindows, testWindows.count)
        let indices = (0..<count).map { $0 * testWindows.count / count }
        var context: [Float] = [], future: [Float] = []
        encoding.gather(testWindows, indices, context: &context, future: &future)
        var fixed = SeededGenerator(seed: configuration.seed ^ 0xD5A1)
        let (sigma, noise) = drawNoise(batch: count, dimension: model.dimension, generator: &fixed)
        let y = model.noisy(model.basis.encode(context: model.contextStates(context), contextLength: encoding.contextLength, future: future),
                            sigma: sigma, noise: noise)
        let loss = withAveragedParameters { () -> Double in
            let (_, g) = model.energiesAndGradients(normalizedContexts: model.normalizedContexts(context), coefficients: y, sigma: sigma)
            return denoisingLoss(model, sigma: sigma, gradients: g, noise: noise).loss
        }
        return TrainingMetrics(step: step, loss: loss)
    }
}
