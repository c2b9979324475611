// Langevin: unadjusted Langevin dynamics (ULA), the sampler contrastive divergence trains with.

import Foundation

/// Unadjusted Langevin dynamics: x ← x − η_t · clamp(∂E/∂x, ±c) + σ_t · N(0, I).
///
/// With σ = √(2η) and no clipping this discretises the Langevin diffusion whose stationary law is
/// exp(−E) (biased by O(η)); the seed's sampler decouples σ from η and clips each element of
/// the gradient. The annealed schedule moves η geometrically from `stepSize` to
/// `finalStepSize` over the run, σ scaling with √η.
public struct LangevinSampler: ChainSampler {
    /// η, in units of x² per unit energy.
    public var stepSize: Double
    /// σ at the first step, in units of x; nil: √(2η) (the exact-diffusion choice).
    public var noiseScale: Double?
    /// Per-element clamp c on ∂E/∂x; nil: none.
    public var gradientClip: Double?
    /// η at the last step for an annealed run; nil: constant η.
    public var finalStepSize: Double?
    /// σ at the last step, reached linearly from `noiseScale` (the schedule of the training chains,
    /// `LangevinConfiguration.finalNoise`); nil: σ follows √η.
    public var finalNoiseScale: Double?

    public init(stepSize: Double, noiseScale: Double? = nil, gradientClip: Double? = nil, finalStepSize: Double? = nil,
                finalNoiseScale: Double? = nil) {
        (self.stepSize, self.noiseScale, self.gradientClip, self.finalStepSize) = (stepSize, noiseScale, gradientClip, finalStepSize)
        self.finalNoiseScale = finalNoiseScale
    }

    /// σ at step `t` of `n`.
    func noise(at t: Int, of n: Int, stepSize eta: Double) -> Double {
        if let s = noiseScale, let f = finalNoiseScale { return n > 1 ? s + (f - s) * Double(t) / Double(n - 1) : f }
        return noiseScale.map { $0 * (eta / stepSize).squareRoot() } ?? (2 * eta).squareRoot()
    }

    /// η at step `t` of `n`.
    func stepSize(at t: Int, of n: Int) -> Double {
        guard let f = finalStepSize, n > 1 else { return stepSize }
        return stepSize * pow(f / stepSize, Double(t) / Double(n - 1))
    }

    public func sample<E: BatchEnergy>(_ energy: E, initial: [Double], chains: Int, stopping: StoppingRule,
                                       seed: UInt64) throws -> SamplingResult {
        try validate(energy, initial: initial, chains: chains, stopping: stopping)
        try checkPositive(stepSize, "stepSize")
        if let s = noiseScale { guard s.isFinite && s >= 0 else { throw SamplingError.invalidArgument("noiseScale must be finite and ≥ 0, got \(s)") } }
        if let c = gradientClip { try checkPositive(c, "gradientClip") }
        if let f = finalStepSize { try checkPositive(f, "finalStepSize") }
        if let f = finalNoiseScale { guard f.isFinite && f >= 0 else { throw SamplingError.invalidArgument("finalNoiseScale must be finite and ≥ 0, got \(f)") } }
        let d = energy.dimension
        var x = initial, random = ChainRandom(seed: seed, chains: chains)
        var (e, g) = energy.energiesAndGradients(x, count: chains)
        var history: [StepDiagnostics] = [], converged = false
        for t in 0..<stopping.maxSteps {
            let eta = stepSize(at: t, of: stopping.maxSteps)
            let sigma = noise(at: t, of: stopping.maxSteps, stepSize: eta)
            let norm = meanNorm(g, chains: chains, dimension: d)
            // the move: drift down the (clamped) gradient plus fresh noise, chain by chain
            for b in 0..<chains {
                for j in b * d..<(b + 1) * d {
                    let gc = gradientClip.map { min(max(g[j], -$0), $0) } ?? g[j]
                    x[j] += -eta * gc + sigma * random.gaussian(b)
                }
            }
            (e, g) = energy.energiesAndGradients(x, count: chains)
            guard e.allSatisfy(\.isFinite) else {
                throw SamplingError.nonFinite("Langevin: non-finite energy at step \(t + 1) (step size \(eta) too large?)")
            }
            history.append(StepDiagnostics(meanEnergy: mean(e), meanGradientNorm: norm, acceptance: 1, stepSize: eta))
            if stopping.hasConverged(history.map(\.meanEnergy)) { converged = true; break }
        }
        return SamplingResult(chains: chains, dimension: d, samples: x, energies: e, diagnostics: history,
                              converged: converged, adaptationSteps: 0)
    }
}
