// Chains: what every sampler shares — the stopping rule, per-chain random streams, per-step
// diagnostics, the result, and argument checks.

import Foundation
import NeuralCore

/// When a run stops: after `maxSteps`, or earlier once the mean energy has settled.
public struct StoppingRule: Sendable, Equatable {
    /// Most steps to take (≥ 1).
    public var maxSteps: Int
    /// Stop when the mean energy over the last `window` steps differs from the window before by
    /// less than `energyTolerance · (1 + |mean|)` (relative, unitless); nil: run all steps.
    public var energyTolerance: Double?
    /// Steps per averaging window (≥ 1).
    public var window: Int

    public init(maxSteps: Int, energyTolerance: Double? = nil, window: Int = 10) {
        (self.maxSteps, self.energyTolerance, self.window) = (maxSteps, energyTolerance, window)
    }

    func validate() throws {
        guard maxSteps >= 1 else { throw SamplingError.invalidArgument("maxSteps must be at least 1, got \(maxSteps)") }
        guard window >= 1 else { throw SamplingError.invalidArgument("window must be at least 1, got \(window)") }
        if let t = energyTolerance, !(t.isFinite && t > 0) {
            throw SamplingError.invalidArgument("energyTolerance must be finite and positive, got \(t)")
        }
    }

    /// Whether the mean energies so far (`meanEnergies`, one per step, from step `from`) have settled.
    func hasConverged(_ meanEnergies: [Double], from: Int = 0) -> Bool {
        guard let tol = energyTolerance, meanEnergies.count - from >= 2 * window else { return false }
        let n = meanEnergies.count
        let last = meanEnergies[(n - window)..<n].reduce(0, +) / Double(window)
        let before = meanEnergies[(n - 2 * window)..<(n - window)].reduce(0, +) / Double(window)
        return abs(last - before) < tol * (1 + abs(last))
    }
}

/// What one step of a run looked like, averaged over chains.
public struct StepDiagnostics: Sendable, Equatable {
    /// Mean E over chains after the step.
    public var meanEnergy: Double
    /// Mean ‖∂E/∂x‖ over chains (before any clipping).
    public var meanGradientNorm: Double
    /// Share of chains whose proposal was accepted (1 for unadjusted Langevin).
    public var acceptance: Double
    /// The step size used (ε of the integrator, η of Langevin).
    public var stepSize: Double
}

/// The chains' final states and the history of a run.
public struct SamplingResult: Sendable {
    public let chains: Int, dimension: Int
    /// Final points (chains, dimension).
    public var samples: [Double]
    /// E at the final points (chains).
    public var energies: [Double]
    /// One entry per step taken.
    public var diagnostics: [StepDiagnostics]
    /// Whether the energy-convergence rule stopped the run before `maxSteps`.
    public var converged: Bool
    /// Steps before this index adapted the step size (HMC warm-up); 0 otherwise.
    public var adaptationSteps: Int
    /// Mean acceptance over the steps after adaptation.
    public var acceptanceRate: Double {
        let tail = diagnostics.dropFirst(adaptationSteps)
        return tail.isEmpty ? 0 : tail.map(\.acceptance).reduce(0, +) / Double(tail.count)
    }
    /// The step size of the last step.
    public var finalStepSize: Double { diagnostics.last?.stepSize ?? 0 }
    /// Point `chain` (dimension).
    public func sample(_ chain: Int) -> ArraySlice<Double> { samples[chain * dimension..<(chain + 1) * dimension] }
}

/// A Markov-chain sampler of p(x) ∝ exp(−E(x)) running many chains at once.
public protocol ChainSampler {
    /// Runs `chains` chains from `initial` (chains, dimension); deterministic for a given `seed`.
    func sample<E: BatchEnergy>(_ energy: E, initial: [Double], chains: Int, stopping: StoppingRule,
                                seed: UInt64) throws -> SamplingResult
}

/// One independent random stream per chain, so results do not depend on how chains are scheduled.
struct ChainRandom {
    var generators: [SeededGenerator]
    init(seed: UInt64, chains: Int) {
        generators = (0..<chains).map { c in
            // SplitMix64 of (seed, chain): decorrelated starting states.
            var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(c + 1)
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return SeededGenerator(seed: z ^ (z >> 31))
        }
    }
    /// N(0, 1) in Double (Box–Muller).
    mutating func gaussian(_ chain: Int) -> Double { generators[chain].gaussian() }
    mutating func uniform(_ chain: Int) -> Double { generators[chain].nextUnitDouble() }
}

/// Checks shared by every sampler.
func validate<E: BatchEnergy>(_ energy: E, initial: [Double], chains: Int, stopping: StoppingRule) throws {
    guard chains >= 1 else { throw SamplingError.invalidArgument("chains must be at least 1, got \(chains)") }
    guard energy.dimension >= 1 else { throw SamplingError.invalidArgument("the energy has dimension \(energy.dimension)") }
    guard initial.count == chains * energy.dimension else {
        throw SamplingError.invalidArgument("initial has \(initial.count) values, expected chains × dimension = \(chains) × \(energy.dimension)")
    }
    guard initial.allSatisfy(\.isFinite) else { throw SamplingError.invalidArgument("initial holds a non-finite value") }
    try stopping.validate()
}

func checkPositive(_ value: Double, _ name: String) throws {
    guard value.isFinite && value > 0 else { throw SamplingError.invalidArgument("\(name) must be finite and positive, got \(value)") }
}

/// ‖g_b‖ averaged over the chains of `g` (chains, d).
func meanNorm(_ g: [Double], chains: Int, dimension d: Int) -> Double {
    var s = 0.0
    for b in 0..<chains {
        var q = 0.0
        for j in 0..<d { q += g[b * d + j] * g[b * d + j] }
        s += q.squareRoot()
    }
    return s / Double(chains)
}

func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }
