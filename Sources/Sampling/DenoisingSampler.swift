// DenoisingSampler: futures from a noise-conditioned energy E(y, σ | context) by annealing σ from
// σmax down to σmin — Langevin, MALA or HMC at each level (the last two Metropolis-corrected with
// the energy itself), or the deterministic probability-flow ODE (DDIM / Heun) — then one
// Tweedie denoising step ŷ = y − σmin² ∂E/∂y.

import EnergyModels
import Foundation

/// The denoising model at one noise level, for C contexts × K chains (context-major), as a
/// `BatchEnergy` over coefficient vectors: E(y, σ | c)/T.
public struct NoiseLevelEnergy: BatchEnergy {
    public let model: DenoisingEnergyModel
    /// Normalised contexts, one per chain (chains, contextWidth).
    public let contexts: [Float]
    public let sigma: Float
    public let temperature: Double
    public var dimension: Int { model.dimension }

    public init(model: DenoisingEnergyModel, contexts: [Float], sigma: Float, temperature: Double = 1) {
        (self.model, self.contexts, self.sigma, self.temperature) = (model, contexts, sigma, temperature)
    }

    public func energiesAndGradients(_ x: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        let (e, g) = model.energiesAndGradients(normalizedContexts: contexts, coefficients: x.map(Float.init),
                                                sigma: [Float](repeating: sigma, count: count))
        return (e.map { Double($0) / temperature }, g.map { Double($0) / temperature })
    }

    public func energies(_ x: [Double], count: Int) -> [Double] {
        model.energies(normalizedContexts: contexts, coefficients: x.map(Float.init), sigma: [Float](repeating: sigma, count: count))
            .map { Double($0) / temperature }
    }
}

/// How the chains move from σmax to σmin.
public enum DenoisingSamplerKind: String, CaseIterable, Sendable, Codable {
    /// Unadjusted Langevin at each level, step η = ε σ² (Song & Ermon 2019).
    case annealedLangevin = "annealed-langevin"
    /// MALA at each level, step η = ε σ², accepted with the energy's Metropolis ratio.
    case annealedMALA = "annealed-mala"
    /// HMC at each level, leapfrog step √η, the energy's Metropolis ratio.
    case annealedHMC = "annealed-hmc"
    /// Euler steps of the probability-flow ODE dy/dσ = σ ∂E/∂y (DDIM, η = 0): deterministic.
    case ddim
    /// Heun's second-order steps of the same ODE (Karras et al. 2022).
    case heun
}

/// Samples future coefficients of a `DenoisingEnergyModel` over a geometric σ schedule.
public struct DenoisingSampler: Sendable {
    public var kind: DenoisingSamplerKind
    /// Noise levels L (the ODE samplers take L − 1 steps).
    public var levels: Int
    /// Steps per level for the annealed samplers.
    public var stepsPerLevel: Int
    /// ε of the per-level step η = ε σ².
    public var stepScale: Double
    /// Leapfrog steps per HMC iteration.
    public var leapfrogSteps: Int
    /// Energies are divided by this (1 samples the model; < 1 sharpens the modes).
    public var temperature: Double
    /// The noise level at and below which `temperature` applies; above it energies are sampled at T = 1
    /// (nil: every level). A temperature at the high levels also reweights the modes — p^(1/T) makes a
    /// mode twice as likely as another four times as likely at T = 0.5 — while at the low levels it only
    /// sharpens each mode.
    public var temperatureBelow: Double?
    /// Ends with ŷ = y − σmin² ∂E/∂y (the posterior mean of the clean future given y).
    public var denoiseLast: Bool

    public init(kind: DenoisingSamplerKind = .annealedLangevin, levels: Int = 20, stepsPerLevel: Int = 5, stepScale: Double = 0.1,
                leapfrogSteps: Int = 5, temperature: Double = 1, temperatureBelow: Double? = nil, denoiseLast: Bool = true) {
        (self.kind, self.levels, self.stepsPerLevel, self.stepScale) = (kind, levels, stepsPerLevel, stepScale)
        (self.leapfrogSteps, self.temperature, self.temperatureBelow, self.denoiseLast) = (leapfrogSteps, temperature, temperatureBelow, denoiseLast)
    }

    /// σmax … σmin, geometric, `levels` values (one level: σmin).
    public func schedule(_ model: DenoisingEnergyModel) -> [Float] {
        let (hi, lo) = (Double(model.denoising.sigmaMax), Double(model.denoising.sigmaMin))
        guard levels > 1 else { return [Float(lo)] }
        return (0..<levels).map { Float(hi * pow(lo / hi, Double($0) / Double(levels - 1))) }
    }

    /// What a run produced.
    public struct Result: Sendable {
        /// Coefficients (chains, D).
        public var coefficients: [Float]
        /// E(y, σmin | c) at the returned coefficients (chains), temperature removed.
        public var energies: [Float]
        /// One entry per step (level-major).
        public var diagnostics: [StepDiagnostics]
    }

    /// Samples one coefficient vector per chain: `contexts` are raw (N, contextWidth), each repeated
    /// for `chainsPerContext` chains (context-major). Deterministic for a given `seed`.
    public func sample(_ model: DenoisingEnergyModel, contexts: [Float], chainsPerContext K: Int, seed: UInt64) throws -> Result {
        let C = model.encoding.contextWidth
        guard K >= 1 else { throw SamplingError.invalidArgument("DenoisingSampler: chains per context must be >= 1") }
        guard !contexts.isEmpty, contexts.count % C == 0 else { throw SamplingError.invalidArgument("DenoisingSampler: contexts hold \(contexts.count) numbers, not a multiple of \(C)") }
        let normalized = model.normalizedContexts(contexts)
        let chains = contexts.count / C * K
        var perChain = [Float](); perChain.reserveCapacity(chains * C)
        for n in 0..<(contexts.count / C) { for _ in 0..<K { perChain += normalized[(n * C)..<((n + 1) * C)] } }
        let (y, diagnostics) = try anneal(chains: chains, sigmas: schedule(model), variances: model.basis.variances, seed: seed) { sigma, temperature in
            NoiseLevelEnergy(model: model, contexts: perChain, sigma: sigma, temperature: temperature)
        }
        let last = schedule(model).last!
        let coefficients = y.map(Float.init)
        let energies = model.energies(normalizedContexts: perChain, coefficients: coefficients, sigma: [Float](repeating: last, count: chains))
        return Result(coefficients: coefficients, energies: energies, diagnostics: diagnostics)
    }

    /// The annealing loop itself, for any energy given per noise level: `levelEnergy(σ, T)` is E(y, σ)/T
    /// over D-vectors for `chains` chains (a single model's `NoiseLevelEnergy`, or a weighted sum of
    /// experts). Chains start from N(0, variances + σmax²) and end with the Tweedie step at σmin
    /// when `denoiseLast`. Deterministic for a given `seed`.
    public func anneal(chains: Int, sigmas: [Float], variances: [Float], seed: UInt64,
                       levelEnergy: (_ sigma: Float, _ temperature: Double) throws -> any BatchEnergy) throws -> (y: [Double], diagnostics: [StepDiagnostics]) {
        guard levels >= 1, stepsPerLevel >= 1, chains >= 1, stepScale > 0, stepScale.isFinite, temperature > 0, leapfrogSteps >= 1,
              temperatureBelow.map({ $0 > 0 }) ?? true else {
            throw SamplingError.invalidArgument("DenoisingSampler: levels, stepsPerLevel, chains and leapfrogSteps must be >= 1, stepScale, temperature and temperatureBelow > 0")
        }
        guard let last = sigmas.last else { throw SamplingError.invalidArgument("DenoisingSampler: no noise levels") }
        let D = variances.count
        var random = ChainRandom(seed: seed, chains: chains)
        // start from the Gaussian the energy's skip term describes at σmax
        var y = [Double](repeating: 0, count: chains * D)
        for b in 0..<chains { for i in 0..<D { y[b * D + i] = Double((variances[i] + sigmas[0] * sigmas[0]).squareRoot()) * random.gaussian(b) } }
        var diagnostics: [StepDiagnostics] = []
        func energy(_ sigma: Float) throws -> any BatchEnergy {
            try levelEnergy(sigma, Double(sigma) <= (temperatureBelow ?? .infinity) ? temperature : 1)
        }

        switch kind {
        case .ddim, .heun:
            for (level, sigma) in sigmas.enumerated() where level + 1 < sigmas.count {
                let next = Double(sigmas[level + 1]), s = Double(sigma)
                let (e, g) = try energy(sigma).energiesAndGradients(y, count: chains)
                // dy/dσ = σ ∂E/∂y (at T = 1; a temperature scales the score)
                let d = g.map { $0 * s }
                var proposal = zip(y, d).map { $0 + (next - s) * $1 }
                if kind == .heun {
                    let (_, g2) = try energy(Float(next)).energiesAndGradients(proposal, count: chains)
                    for j in 0..<proposal.count { proposal[j] = y[j] + (next - s) * 0.5 * (d[j] + g2[j] * next) }
                }
                y = proposal
                diagnostics.append(StepDiagnostics(meanEnergy: e.reduce(0, +) / Double(chains), meanGradientNorm: meanNorm(g, chains: chains, dimension: D),
                                                   acceptance: 1, stepSize: s - next))
            }
        case .annealedLangevin:
            for sigma in sigmas {
                let eta = stepScale * Double(sigma * sigma), noise = (2 * eta).squareRoot()
                let level = try energy(sigma)
                for _ in 0..<stepsPerLevel {
                    let (e, g) = level.energiesAndGradients(y, count: chains)
                    for b in 0..<chains { for j in (b * D)..<((b + 1) * D) { y[j] += -eta * g[j] + noise * random.gaussian(b) } }
                    diagnostics.append(StepDiagnostics(meanEnergy: e.reduce(0, +) / Double(chains), meanGradientNorm: meanNorm(g, chains: chains, dimension: D),
                                                       acceptance: 1, stepSize: eta))
                }
            }
        case .annealedMALA, .annealedHMC:
            for (index, sigma) in sigmas.enumerated() {
                let eta = stepScale * Double(sigma * sigma)
                let inner: any ChainSampler = kind == .annealedMALA
                    ? MALASampler(stepSize: eta)
                    : HMCSampler(stepSize: eta.squareRoot(), leapfrogSteps: leapfrogSteps, adaptationSteps: 0)
                let result = try inner.sample(try energy(sigma), initial: y, chains: chains, stopping: StoppingRule(maxSteps: stepsPerLevel),
                                              seed: seed &+ UInt64(index + 1) &* 0x9E37_79B9)
                y = result.samples
                diagnostics += result.diagnostics
            }
        }
        if denoiseLast {
            // Tweedie: E[y₀ | y] = y + σ² ∇ log p_σ(y) = y − σ² ∂E/∂y (at T = 1)
            let (_, g) = try levelEnergy(last, 1).energiesAndGradients(y, count: chains)
            for j in 0..<y.count { y[j] -= Double(last * last) * g[j] }
        }
        return (y, diagnostics)
    }
}
