// DenoisingEnergyModel+Objective: the denoising-score-matching loss of a batch and its gradient in
// the network's parameters (through the second-order pass), shared by the trainer and the benchmark.

import NeuralCore

extension DenoisingEnergyModel {
    /// The loss mean (σ∂E/∂y − ε)² and its cotangent on the network's row gradient (n, inputWidth):
    /// σ ∂E/∂yᵢ = σ yᵢ/(λᵢ + σ²) + s ∂N/∂y'ᵢ with s = 1/√(1 + σ²), so ∂loss/∂(∂N/∂y'ᵢ) = 2 r s / (B D).
    /// `gradients` ∂E/∂y (n, D), `noise` ε (n, D), levels σ (n). The n rows may be one share of a
    /// batch of B = `total` rows (default n): then the loss is the share's part of the batch mean.
    public func denoisingLoss(sigma: [Float], gradients: [Float], noise: [Float], batch total: Int? = nil) -> (loss: Double, cotangent: [Float]) {
        let (D, W, batch) = (dimension, inputWidth, sigma.count)
        let mean = total ?? batch
        var cotangent = [Float](repeating: 0, count: batch * W)
        var sum = 0.0
        let norm = 2 / Float(mean * D)
        for b in 0..<batch {
            let scale = Self.inputScale(sigma[b])
            for i in 0..<D {
                let r = sigma[b] * gradients[b * D + i] - noise[b * D + i]
                sum += Double(r * r)
                cotangent[b * W + coefficientColumns[i]] = norm * r * scale
            }
        }
        return (sum / Double(mean * D), cotangent)
    }

    /// Adds ∂/∂θ of the denoising loss of noisy coefficients y (n, D) = y₀ + σε at levels σ (n) with
    /// noise ε (n, D), after normalised contexts (n, C), into `network.gradients`, and returns the loss
    /// (the share's part of the mean over `total` rows, default n). The loss is a function of ∇_y E, so its
    /// gradient goes through `tape`'s second-order pass; `tape` must record `network`.
    public func accumulateDenoisingGradient(_ tape: InputGradientTape, normalizedContexts c: [Float], coefficients y: [Float],
                                            sigma: [Float], noise: [Float], batch total: Int? = nil) -> Double {
        precondition(tape.network === network, "accumulateDenoisingGradient: the tape records another network")
        let input = rows(normalizedContexts: c, coefficients: y, sigma: sigma)
        let (n, g) = tape.record(input, batch: sigma.count)
        let (_, gradients) = assemble(coefficients: y, sigma: sigma, network: n, rowGradient: g)
        let (loss, cotangent) = denoisingLoss(sigma: sigma, gradients: gradients, noise: noise, batch: total)
        tape.backpropagate(gradientCotangent: cotangent)
        return loss
    }
}
