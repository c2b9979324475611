// PlanOptimizer: the ways to move plans to low energy — annealed Langevin and MALA (gradient
// samplers, K chains = K alternatives) and gradient-free MPPI and CEM — behind one protocol,
// so that each is one flag away.

import Foundation
import NeuralCore
import Sampling

/// What an optimiser returns: `chains` points (chains, D) and their energies, not ranked.
public struct PlanOptimization: Sendable {
    public var points: [Double], energies: [Double]
    /// Share of proposals accepted over the run (Metropolis-adjusted samplers; nil for the others).
    public var acceptance: Double?

    public init(points: [Double], energies: [Double], acceptance: Double? = nil) {
        (self.points, self.energies, self.acceptance) = (points, energies, acceptance)
    }
}

/// Moves plans (in the coordinates of a `ScaledPlanEnergy`) to low energy.
public protocol PlanOptimizer {
    /// A short name for reports, e.g. `langevin`.
    var name: String { get }
    /// Optimises from `initial` (chains, D). Deterministic for a given `seed`.
    func optimize(_ energy: ScaledPlanEnergy, initial: [Double], chains: Int, seed: UInt64) throws -> PlanOptimization
}

/// Annealed Langevin dynamics: K independent chains, step η annealed geometrically to η_final
/// with noise σ·√(η/η₀), each chain settling in its own basin (a route of its own).
public struct LangevinPlanOptimizer: PlanOptimizer {
    public let name = "langevin"
    public var steps: Int
    /// η at the first and last step, in scaled units² per unit energy.
    public var stepSize: Double, finalStepSize: Double
    /// σ at the first step, in scaled units.
    public var noise: Double
    /// Per-element gradient clamp (scaled units per unit energy); nil: none.
    public var gradientClip: Double?

    public init(steps: Int, stepSize: Double, finalStepSize: Double, noise: Double, gradientClip: Double? = nil) {
        (self.steps, self.stepSize, self.finalStepSize, self.noise, self.gradientClip) = (steps, stepSize, finalStepSize, noise, gradientClip)
    }

    public func optimize(_ energy: ScaledPlanEnergy, initial: [Double], chains: Int, seed: UInt64) throws -> PlanOptimization {
        let sampler = LangevinSampler(stepSize: stepSize, noiseScale: noise, gradientClip: gradientClip, finalStepSize: finalStepSize)
        do {
            let r = try sampler.sample(energy, initial: initial, chains: chains, stopping: StoppingRule(maxSteps: steps), seed: seed)
            return PlanOptimization(points: r.samples, energies: r.energies)
        } catch { throw PlanningError.invalidArgument("langevin planner: \(error)") }
    }
}

/// E / T: the objective at a temperature, for MALA's accept/reject; its gradient optionally
/// clamped per element to ±c. MALA reads the gradient only as the drift of its proposal, in both
/// the forward and the reverse proposal density, so a clamped drift leaves the chain exact for
/// exp(−E/T): it only bounds the move where the gradient is steep (far from the goal, at an
/// obstacle), where an unclamped drift overshoots and every proposal is rejected.
struct TemperedEnergy<E: BatchEnergy>: BatchEnergy {
    let base: E, temperature: Double
    var gradientClip: Double? = nil
    var dimension: Int { base.dimension }
    func energiesAndGradients(_ x: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        let (e, g) = base.energiesAndGradients(x, count: count)
        let c = gradientClip ?? .infinity
        return (e.map { $0 / temperature }, g.map { Swift.min(Swift.max($0 / temperature, -c), c) })
    }
}

/// Metropolis-adjusted Langevin over exp(−E/T): every move is accepted or rejected, so a chain
/// never climbs into an obstacle by a lucky noise draw; T small makes it nearly a descent.
public struct MALAPlanOptimizer: PlanOptimizer {
    public let name = "mala"
    public var steps: Int
    /// η, in scaled units² per unit of E/T.
    public var stepSize: Double
    /// T (energy units).
    public var temperature: Double
    /// Per-element clamp on the drift ∂(E/T)/∂y (scaled units per unit of E/T); nil: none.
    public var gradientClip: Double?

    public init(steps: Int, stepSize: Double, temperature: Double, gradientClip: Double? = nil) {
        (self.steps, self.stepSize, self.temperature, self.gradientClip) = (steps, stepSize, temperature, gradientClip)
    }

    public func optimize(_ energy: ScaledPlanEnergy, initial: [Double], chains: Int, seed: UInt64) throws -> PlanOptimization {
        guard temperature.isFinite, temperature > 0 else { throw PlanningError.invalidArgument("mala planner: temperature must be positive, got \(temperature)") }
        do {
            let r = try MALASampler(stepSize: stepSize).sample(TemperedEnergy(base: energy, temperature: temperature, gradientClip: gradientClip), initial: initial,
                                                               chains: chains, stopping: StoppingRule(maxSteps: steps), seed: seed)
            return PlanOptimization(points: r.samples, energies: r.energies.map { $0 * temperature }, acceptance: r.acceptanceRate)
        } catch { throw PlanningError.invalidArgument("mala planner: \(error)") }
    }
}

/// A seeded Gaussian stream for the gradient-free optimisers.
struct GaussianStream {
    var generator: SeededGenerator
    init(seed: UInt64) { generator = SeededGenerator(seed: seed ^ 0xC2B2_AE3D_27D4_EB4F) }
    mutating func next() -> Double {
        let u1 = 1.0 - generator.nextUnitDouble(), u2 = generator.nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Model-predictive path integral over plans: one mean plan (the lowest-energy initial chain),
/// `samples` Gaussian perturbations per iteration, mean ← Σ wᵢ xᵢ with
/// wᵢ ∝ exp(−(Eᵢ − E_min)/(λ·(Ē − E_min))): λ is relative to the population's spread, so one
/// setting works for objectives of any scale. Alternatives: the mean, then the best samples of
/// the last iteration — near copies of one route, as with any unimodal update.
public struct MPPIPlanOptimizer: PlanOptimizer {
    public let name: String
    public var iterations: Int, samples: Int
    /// Perturbation standard deviation, in scaled units.
    public var noise: Double
    /// λ, relative to the population's mean energy above its best.
    public var temperature: Double

    public init(iterations: Int, samples: Int, noise: Double, temperature: Double = 0.1, name: String = "mppi") {
        (self.iterations, self.samples, self.noise, self.temperature, self.name) = (iterations, samples, noise, temperature, name)
    }

    public func optimize(_ energy: ScaledPlanEnergy, initial: [Double], chains: Int, seed: UInt64) throws -> PlanOptimization {
        let r = try minimize(energy, initial: initial, chains: chains, seed: seed)
        return PlanOptimization(points: r.points, energies: r.energies)
    }

    /// The same over any energy (only its `energies` are read): e.g. simulator rollouts of controls.
    public func minimize<E: BatchEnergy>(_ energy: E, initial: [Double], chains: Int, seed: UInt64) throws -> (points: [Double], energies: [Double]) {
        try runPopulation(energy, initial: initial, chains: chains, seed: seed, iterations: iterations, samples: samples) { population, energies, mean, _ in
            let D = mean.count
            let best = energies.min()!, spread = Swift.max(energies.reduce(0, +) / Double(energies.count) - best, 1e-12)
            let w = energies.map { exp(-($0 - best) / (temperature * spread)) }
            let z = w.reduce(0, +)
            var next = [Double](repeating: 0, count: D)
            for (i, wi) in w.enumerated() { for j in 0..<D { next[j] += wi / z * population[i * D + j] } }
            mean = next
        } spread: { _ in noise }
    }
}

/// Cross-entropy method over plans: sample N(μ, diag σ²), refit μ, σ to the `elites` best,
/// σ floored at `minimumNoise`. Alternatives: μ, then the best elites.
public struct CEMPlanOptimizer: PlanOptimizer {
    public let name: String
    public var iterations: Int, samples: Int, elites: Int
    /// Initial and smallest σ, in scaled units.
    public var noise: Double, minimumNoise: Double

    public init(iterations: Int, samples: Int, elites: Int, noise: Double, minimumNoise: Double = 0.01, name: String = "cem") {
        (self.iterations, self.samples, self.elites, self.noise, self.minimumNoise, self.name) = (iterations, samples, elites, noise, minimumNoise, name)
    }

    public func optimize(_ energy: ScaledPlanEnergy, initial: [Double], chains: Int, seed: UInt64) throws -> PlanOptimization {
        let r = try minimize(energy, initial: initial, chains: chains, seed: seed)
        return PlanOptimization(points: r.points, energies: r.energies)
    }

    /// The same over any energy (only its `energies` are read): e.g. simulator rollouts of controls.
    public func minimize<E: BatchEnergy>(_ energy: E, initial: [Double], chains: Int, seed: UInt64) throws -> (points: [Double], energies: [Double]) {
        guard elites >= 1, elites <= samples else { throw PlanningError.invalidArgument("cem planner: elites \(elites) must lie in 1...samples (\(samples))") }
        let D = energy.dimension
        var sigma = [Double](repeating: noise, count: D)
        return try runPopulation(energy, initial: initial, chains: chains, seed: seed, iterations: iterations, samples: samples) { population, energies, mean, _ in
            let order = energies.indices.sorted { energies[$0] < energies[$1] }.prefix(elites)
            var m = [Double](repeating: 0, count: D), v = m
            for i in order { for j in 0..<D { m[j] += population[i * D + j] / Double(elites) } }
            for i in order { for j in 0..<D { let d = population[i * D + j] - m[j]; v[j] += d * d / Double(elites) } }
            mean = m
            sigma = v.map { Swift.max($0.squareRoot(), minimumNoise) }
        } spread: { j in sigma[j] }
    }
}

/// The loop MPPI and CEM share: start from the best initial chain, sample around the mean
/// (sample 0 is the mean itself), evaluate the population in one energy call, update.
func runPopulation<E: BatchEnergy>(_ energy: E, initial: [Double], chains: Int, seed: UInt64, iterations: Int, samples: Int,
                   update: (_ population: [Double], _ energies: [Double], _ mean: inout [Double], _ iteration: Int) -> Void,
                   spread: (Int) -> Double) throws -> (points: [Double], energies: [Double]) {
    guard iterations >= 1, samples >= 2 else { throw PlanningError.invalidArgument("population planner: needs iterations >= 1 and samples >= 2, got \(iterations), \(samples)") }
    let D = energy.dimension
    guard initial.count == chains * D, chains >= 1 else { throw PlanningError.invalidArgument("population planner: initial has \(initial.count) numbers, not \(chains) × \(D)") }
    let start = energy.energies(initial, count: chains)
    let first = start.indices.min { start[$0] < start[$1] }!
    var mean = Array(initial[first * D..<(first + 1) * D])
    var random = GaussianStream(seed: seed)
    var population = [Double](repeating: 0, count: samples * D), energies: [Double] = []
    for it in 0..<iterations {
        for i in 0..<samples { for j in 0..<D { population[i * D + j] = mean[j] + (i == 0 ? 0 : spread(j) * random.next()) } }
        energies = energy.energies(population, count: samples)
        guard energies.contains(where: \.isFinite) else { throw PlanningError.nonFinite("population planner: every sample has a non-finite energy at iteration \(it + 1)") }
        let finite = energies.map { $0.isFinite ? $0 : Double.greatestFiniteMagnitude }
        update(population, finite, &mean, it)
    }
    // the alternatives: the final mean, then the best of the last population
    let order = energies.indices.sorted { energies[$0] < energies[$1] }
    var points = mean
    for i in order.prefix(chains - 1) { points += population[i * D..<(i + 1) * D] }
    while points.count < chains * D { points += mean }
    return (points, energy.energies(points, count: chains))
}
