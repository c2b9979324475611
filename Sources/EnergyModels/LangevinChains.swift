// LangevinChains: the negative-sample sampler of contrastive divergence, on the future part of
// normalised window rows.

import NeuralCore

/// Unadjusted Langevin dynamics on the future features z of normalised rows, context fixed
/// (or on the whole row when `moveContext`):
/// z ← z − η_t · clamp(∂E/∂z, ±gradientClip) + σ_t · N(0, 1)   (K steps; η_t, σ_t from
/// `LangevinConfiguration.schedule`).
public enum LangevinChains {
    /// What the improved-CD terms need from the chain's last step x_K = x_{K−1} − η·clamp(g) + σ·ξ.
    public struct LastStep {
        /// The rows before the last step, x_{K−1} (B, width).
        public var rows: [Float]
        /// 1 where the last step's gradient was inside the clamp (∂x_K/∂g = −η there), else 0 (B, width; a fixed context 0).
        public var unclamped: [Float]
        /// η of the last step.
        public var stepSize: Float
    }

    /// Runs the chains on `rows` (B, width) in place; returns the mean over steps and chains of
    /// ‖∂E/∂z‖ before clamping and, when `captureLastStep`, the state before the last step.
    /// `skippedRows`: `rows` are one share of a larger batch, with `before` rows ahead of it and
    /// `after` behind; each step draws (and drops) their noise too, so every share sees the
    /// numbers the whole batch would, and the generator ends where the whole batch leaves it.
    @discardableResult
    public static func run(_ model: TrajectoryEnergyModel, rows: inout [Float], configuration: LangevinConfiguration,
                           steps: Int? = nil, moveContext: Bool = false, generator: inout SeededGenerator,
                           captureLastStep: Bool = false,
                           skippedRows: (before: Int, after: Int) = (0, 0)) -> (gradientNorm: Float, lastStep: LastStep?) {
        let (C, W) = (moveContext ? 0 : model.encoding.contextWidth, model.encoding.width)
        let batch = rows.count / W
        let steps = steps ?? configuration.steps
        guard batch > 0, steps > 0 else { return (0, nil) }
        var energies = [Float](repeating: 0, count: batch)
        var gradient = [Float](repeating: 0, count: rows.count)
        var normSum: Double = 0
        var lastStep: LastStep?
        let clip = configuration.gradientClip
        for t in 0..<steps {
            let (eta, sigma) = configuration.schedule(step: t, of: steps)
            rows.withUnsafeBufferPointer { x in
                energies.withUnsafeMutableBufferPointer { e in
                    gradient.withUnsafeMutableBufferPointer { g in
                        model.network.energyAndInputGradient(input: x.baseAddress!, batch: batch,
                                                             energies: e.baseAddress!, inputGradient: g.baseAddress!)
                    }
                }
            }
            if t == steps - 1 && captureLastStep {
                var unclamped = [Float](repeating: 0, count: rows.count)
                for b in 0..<batch { for j in (b * W + C)..<((b + 1) * W) where clip <= 0 || abs(gradient[j]) < clip { unclamped[j] = 1 } }
                lastStep = LastStep(rows: rows, unclamped: unclamped, stepSize: eta)
            }
            for _ in 0..<(skippedRows.before * (W - C)) { _ = generator.nextGaussian() }
            for b in 0..<batch {
                var squared: Float = 0
                for j in (b * W + C)..<((b + 1) * W) {
                    let g = gradient[j]
                    squared += g * g
                    let clamped = clip > 0 ? min(max(g, -clip), clip) : g
                    rows[j] += -eta * clamped + sigma * generator.nextGaussian()
                }
                normSum += Double(squared.squareRoot())
            }
            for _ in 0..<(skippedRows.after * (W - C)) { _ = generator.nextGaussian() }
        }
        return (Float(normSum / Double(steps * batch)), lastStep)
    }
}
