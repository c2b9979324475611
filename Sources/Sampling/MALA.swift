// MALA: the Metropolis-adjusted Langevin algorithm — a Langevin proposal corrected by an
// accept/reject step, so the chains target exp(−E) exactly.

import Foundation

/// Metropolis-adjusted Langevin: y = x − η∇E(x) + √(2η)·ξ, accepted with probability
/// min(1, exp(−E(y) + E(x) − (‖x − y + η∇E(y)‖² − ‖y − x + η∇E(x)‖²) / 4η)).
public struct MALASampler: ChainSampler {
    /// η, in units of x² per unit energy.
    public var stepSize: Double

    public init(stepSize: Double) { self.stepSize = stepSize }

    public func sample<E: BatchEnergy>(_ energy: E, initial: [Double], chains: Int, stopping: StoppingRule,
                                       seed: UInt64) throws -> SamplingResult {
        try validate(energy, initial: initial, chains: chains, stopping: stopping)
        try checkPositive(stepSize, "stepSize")
        let (d, eta) = (energy.dimension, stepSize)
        let sigma = (2 * eta).squareRoot()
        var x = initial, random = ChainRandom(seed: seed, chains: chains)
        var (e, g) = energy.energiesAndGradients(x, count: chains)
        guard e.allSatisfy(\.isFinite) else { throw SamplingError.nonFinite("MALA: non-finite energy at the initial points") }
        var y = x, history: [StepDiagnostics] = [], converged = false
        for _ in 0..<stopping.maxSteps {
            // propose for every chain, then one batched energy call
            for b in 0..<chains {
                for j in b * d..<(b + 1) * d { y[j] = x[j] - eta * g[j] + sigma * random.gaussian(b) }
            }
            let (ey, gy) = energy.energiesAndGradients(y, count: chains)
            var accepted = 0
            for b in 0..<chains {
                var forward = 0.0, backward = 0.0
                for j in b * d..<(b + 1) * d {
                    let f = y[j] - x[j] + eta * g[j], r = x[j] - y[j] + eta * gy[j]
                    forward += f * f
                    backward += r * r
                }
                let logAlpha = -ey[b] + e[b] - (backward - forward) / (4 * eta)
                // a non-finite proposal is rejected (logAlpha is NaN or −∞)
                if ey[b].isFinite && log(random.uniform(b)) < logAlpha {
                    accepted += 1
                    e[b] = ey[b]
                    for j in b * d..<(b + 1) * d { x[j] = y[j]; g[j] = gy[j] }
                }
            }
            history.append(StepDiagnostics(meanEnergy: mean(e), meanGradientNorm: meanNorm(g, chains: chains, dimension: d),
                                           acceptance: Double(accepted) / Double(chains), stepSize: eta))
            if stopping.hasConverged(history.map(\.meanEnergy)) { converged = true; break }
        }
        return SamplingResult(chains: chains, dimension: d, samples: x, energies: e, diagnostics: history,
                              converged: converged, adaptationSteps: 0)
    }
}
