// HMC: Hamiltonian Monte Carlo with leapfrog integration and dual-averaging step-size
// adaptation (Hoffman & Gelman 2014, NUTS paper §3.2) toward a target acceptance.

import Foundation

/// Hamiltonian Monte Carlo: momentum p ~ N(0, I), `leapfrogSteps` leapfrog steps of size ε on
/// H(x, p) = E(x) + ½‖p‖², accepted with probability min(1, exp(H₀ − H₁)).
///
/// During the first `adaptationSteps` iterations one ε shared by all chains is tuned by dual
/// averaging on the chains' mean acceptance probability toward `targetAcceptance`; afterwards ε
/// is fixed at the averaged iterate ε̄.
public struct HMCSampler: ChainSampler {
    /// Initial ε, in units of x.
    public var stepSize: Double
    /// Leapfrog steps per iteration (≥ 1).
    public var leapfrogSteps: Int
    /// Target mean acceptance probability in (0, 1).
    public var targetAcceptance: Double
    /// Iterations that adapt ε; nil: half of `maxSteps`; 0: no adaptation.
    public var adaptationSteps: Int?

    public init(stepSize: Double = 0.1, leapfrogSteps: Int = 10, targetAcceptance: Double = 0.65, adaptationSteps: Int? = nil) {
        (self.stepSize, self.leapfrogSteps, self.targetAcceptance, self.adaptationSteps) = (stepSize, leapfrogSteps, targetAcceptance, adaptationSteps)
    }

    /// Dual averaging of log ε (γ = 0.05, t₀ = 10, κ = 0.75, μ = log 10ε₀).
    struct DualAveraging {
        let mu: Double, target: Double
        var hBar = 0.0, logStepBar = 0.0, m = 0
        init(initial: Double, target: Double) { (mu, self.target) = (log(10 * initial), target) }
        /// Folds in one iteration's acceptance probability; returns the next ε.
        mutating func update(acceptance: Double) -> Double {
            m += 1
            let mm = Double(m)
            hBar = (1 - 1 / (mm + 10)) * hBar + (target - acceptance) / (mm + 10)
            let logStep = mu - mm.squareRoot() / 0.05 * hBar
            let w = pow(mm, -0.75)
            logStepBar = w * logStep + (1 - w) * logStepBar
            return exp(logStep)
        }
        var averaged: Double { exp(logStepBar) }
    }

    public func sample<E: BatchEnergy>(_ energy: E, initial: [Double], chains: Int, stopping: StoppingRule,
                                       seed: UInt64) throws -> SamplingResult {
        try validate(energy, initial: initial, chains: chains, stopping: stopping)
        try checkPositive(stepSize, "stepSize")
        guard leapfrogSteps >= 1 else { throw SamplingError.invalidArgument("leapfrogSteps must be at least 1, got \(leapfrogSteps)") }
        guard targetAcceptance > 0 && targetAcceptance < 1 else {
            throw SamplingError.invalidArgument("targetAcceptance must lie in (0, 1), got \(targetAcceptance)")
        }
        let warmup = adaptationSteps ?? stopping.maxSteps / 2
        guard warmup >= 0 && warmup <= stopping.maxSteps else {
            throw SamplingError.invalidArgument("adaptationSteps must lie in 0...maxSteps (\(stopping.maxSteps)), got \(warmup)")
        }
        let d = energy.dimension
        var x = initial, random = ChainRandom(seed: seed, chains: chains)
        var (e, g) = energy.energiesAndGradients(x, count: chains)
        guard e.allSatisfy(\.isFinite) else { throw SamplingError.nonFinite("HMC: non-finite energy at the initial points") }
        var adaptation = DualAveraging(initial: stepSize, target: targetAcceptance)
        var eps = stepSize, history: [StepDiagnostics] = [], converged = false
        var p = [Double](repeating: 0, count: x.count)
        for t in 0..<stopping.maxSteps {
            // fresh momenta; H₀ per chain
            var h0 = e
            for b in 0..<chains {
                for j in b * d..<(b + 1) * d { p[j] = random.gaussian(b); h0[b] += 0.5 * p[j] * p[j] }
            }
            // leapfrog: half kick, (drift, kick)×L with the last kick halved
            var q = x, gq = g, eq = e
            for j in 0..<p.count { p[j] -= 0.5 * eps * gq[j] }
            for l in 0..<leapfrogSteps {
                for j in 0..<q.count { q[j] += eps * p[j] }
                (eq, gq) = energy.energiesAndGradients(q, count: chains)
                let kick = l == leapfrogSteps - 1 ? 0.5 * eps : eps
                for j in 0..<p.count { p[j] -= kick * gq[j] }
            }
            // accept or reject chain by chain; a divergent trajectory (non-finite H) is rejected
            var accepted = 0, meanProbability = 0.0
            for b in 0..<chains {
                var h1 = eq[b]
                for j in b * d..<(b + 1) * d { h1 += 0.5 * p[j] * p[j] }
                let logAlpha = h0[b] - h1
                let probability = h1.isFinite ? min(1, exp(logAlpha)) : 0
                meanProbability += probability
                if h1.isFinite && random.uniform(b) < probability {
                    accepted += 1
                    e[b] = eq[b]
                    for j in b * d..<(b + 1) * d { x[j] = q[j]; g[j] = gq[j] }
                }
            }
            meanProbability /= Double(chains)
            history.append(StepDiagnostics(meanEnergy: mean(e), meanGradientNorm: meanNorm(g, chains: chains, dimension: d),
                                           acceptance: Double(accepted) / Double(chains), stepSize: eps))
            if t < warmup {
                eps = adaptation.update(acceptance: meanProbability)
                if t == warmup - 1 { eps = adaptation.averaged }
            } else if stopping.hasConverged(history.map(\.meanEnergy), from: warmup) {
                converged = true
                break
            }
        }
        return SamplingResult(chains: chains, dimension: d, samples: x, energies: e, diagnostics: history,
                              converged: converged, adaptationSteps: warmup)
    }
}
