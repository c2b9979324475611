// LangevinChains: the negative-sample sampler of contrastive divergence, on the future part of
// normalised window rows.

import NeuralCore

/// Unadjusted Langevin dynamics on the future features z of normalised rows, context fixed:
/// z ← z − stepSize · clamp(∂E/∂z, ±gradientClip) + noise · N(0, 1)   (K steps).
public enum LangevinChains {
    /// Runs `configuration.steps` steps on `rows` (B, width) in place; returns the mean over
    /// steps and chains of ‖∂E/∂z‖ before clamping.
    @discardableResult
    public static func run(_ model: TrajectoryEnergyModel, rows: inout [Float], configuration: LangevinConfiguration,
                           steps: Int? = nil, generator: inout SeededGenerator) -> Float {
        let (C, W) = (model.encoding.contextWidth, model.encoding.width)
        let batch = rows.count / W
        let steps = steps ?? configuration.steps
        guard batch > 0, steps > 0 else { return 0 }
        var energies = [Float](repeating: 0, count: batch)
        var gradient = [Float](repeating: 0, count: rows.count)
        var normSum: Double = 0
        let clip = configuration.gradientClip
        for _ in 0..<steps {
            rows.withUnsafeBufferPointer { x in
                energies.withUnsafeMutableBufferPointer { e in
                    gradient.withUnsafeMutableBufferPointer { g in
                        model.network.energyAndInputGradient(input: x.baseAddress!, batch: batch,
                                                             energies: e.baseAddress!, inputGradient: g.baseAddress!)
                    }
                }
            }
            for b in 0..<batch {
                var squared: Float = 0
                for j in (b * W + C)..<((b + 1) * W) {
                    let g = gradient[j]
                    squared += g * g
                    let clamped = clip > 0 ? min(max(g, -clip), clip) : g
                    rows[j] += -configuration.stepSize * clamped + configuration.noise * generator.nextGaussian()
                }
                normSum += Double(squared.squareRoot())
            }
        }
        return Float(normSum / Double(steps * batch))
    }
}
