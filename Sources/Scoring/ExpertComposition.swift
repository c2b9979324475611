// ExpertComposition: futures sampled from a product of trained experts, Σ wᵢ Eᵢ, block after block
// past the models' horizon, with the weights optionally annealed from w₀ to w within each block.

import EnergyModels
import Foundation
import NeuralCore
import Sampling

/// The annealed product-of-experts sampler of `ebm compose`.
public struct ExpertComposition {
    /// The experts, each with the label it is asked for (nil: none).
    public var experts: [(model: TrajectoryEnergyModel, label: Int?)]
    /// Final weights w (one per expert) and, when annealing, the starting weights w₀.
    public var weights: [Double], initialWeights: [Double]?
    /// Stages per block of the annealing (1 without `initialWeights`).
    public var annealStages: Int
    /// Sampler steps per block, split over the stages.
    public var steps: Int
    /// Temperature T: chains sample exp(−Σ wᵢ Eᵢ / T).
    public var temperature: Double
    /// Chains start at z ~ N(0, initialScale²) in the first expert's coordinates.
    public var initialScale: Double

    public init(experts: [(model: TrajectoryEnergyModel, label: Int?)], weights: [Double], initialWeights: [Double]? = nil, annealStages: Int = 1,
                steps: Int, temperature: Double, initialScale: Double) {
        (self.experts, self.weights, self.initialWeights, self.annealStages) = (experts, weights, initialWeights, annealStages)
        (self.steps, self.temperature, self.initialScale) = (steps, temperature, initialScale)
    }

    /// The shared context length: the longest expert context.
    public var contextLength: Int { experts.map(\.model.encoding.contextLength).max()! }

    /// The coordinates the chains move in: the first expert's normalisation of states and future,
    /// its context padded (mean 0, deviation 1) to the shared context length; its label features left out.
    public var reference: WindowEncoding {
        let first = experts[0].model.encoding
        let (k, H, S) = (contextLength, first.horizon, first.stateSize)
        func statesAndFuture(_ x: [Float]) -> [Float] { Array(x[0..<first.stateContextWidth]) + Array(x[first.contextWidth...]) }
        return WindowEncoding(stateSize: S, contextLength: k, horizon: H, futureAsDelta: first.futureAsDelta,
                              mean: [Float](repeating: 0, count: (k - first.contextLength) * S) + statesAndFuture(first.mean),
                              standardDeviation: [Float](repeating: 1, count: (k - first.contextLength) * S) + statesAndFuture(first.standardDeviation))
    }

    /// What `sample` returns.
    public struct Result {
        /// Futures (K, total, S), original units.
        public var futures: [Double]
        /// Σ wᵢ Eᵢ of each chain summed over blocks (temperature removed) (K), and each expert's own
        /// energy of the last block (experts, K).
        public var energies: [Double], expertEnergies: [[Double]]
        /// Acceptance per block (1 for unadjusted Langevin).
        public var acceptance: [Double]
    }

    /// K futures of `total` states after `context` (k, S), with `sampler`; deterministic for a seed.
    /// `progress` hears (blocks done, blocks) after every block of H states. Throws `ExpertCompositionError`.
    public func sample(context: [Double], chains K: Int, total: Int, sampler: any ChainSampler, seed: UInt64,
                       progress: ((_ done: Int, _ blocks: Int) -> Void)? = nil) throws -> Result {
        let reference = reference
        let (k, H, S) = (contextLength, reference.horizon, reference.stateSize)
        let T = temperature
        var paths = [[Float]](repeating: context.map(Float.init), count: K)   // K × (k + generated) × S
        var energies = [Double](repeating: 0, count: K)
        var modelEnergies = [[Double]](repeating: [Double](repeating: 0, count: K), count: experts.count)
        var generator = SeededGenerator(seed: seed ^ 0xC0FF_EE00_D15E_A5E5)
        var acceptance: [Double] = []
        for block in 0..<(total + H - 1) / H {
            let contexts = paths.flatMap { $0.suffix(k * S) }
            let expertEnergies: [ExpertFutureEnergy] = try experts.enumerated().map { m, e in
                do {
                    return try ExpertFutureEnergy(model: e.model, reference: reference, contexts: contexts, chains: K, temperature: T, label: e.label)
                } catch { throw ExpertCompositionError.expert(index: m, error) }
            }
            var chains = (0..<(K * reference.futureWidth)).map { _ in initialScale * Double(generator.nextGaussian()) }
            // annealing: stage i of n runs its share of the steps at weights w₀ + (w − w₀)·i/n (the last at w)
            let stages = initialWeights == nil ? 1 : annealStages
            var stageAcceptance = 0.0, finalEnergies: [Double] = []
            for stage in 1...stages {
                let stageWeights = stage == stages ? weights
                    : zip(initialWeights!, weights).map { $0 + ($1 - $0) * Double(stage) / Double(stages) }
                let product: WeightedSumEnergy
                do { product = try WeightedSumEnergy(zip(stageWeights, expertEnergies).map { ($0, $1 as any BatchEnergy) }) } catch {
                    throw ExpertCompositionError.weights(error)
                }
                let stageSteps = steps * stage / stages - steps * (stage - 1) / stages
                let result: SamplingResult
                do {
                    result = try sampler.sample(product, initial: chains, chains: K, stopping: StoppingRule(maxSteps: stageSteps),
                                                seed: seed &+ UInt64(block) &+ (UInt64(stage - 1) << 32))
                } catch { throw ExpertCompositionError.sampling(block: block, error) }
                (chains, finalEnergies) = (result.samples, result.energies)
                stageAcceptance += result.acceptanceRate * Double(stageSteps) / Double(steps)
            }
            acceptance.append(stageAcceptance)
            let futures = expertEnergies[0].futures(chains)
            let keep = min(H, total - block * H)
            for c in 0..<K {
                paths[c] += futures[(c * H * S)..<(c * H * S + keep * S)]
                energies[c] += finalEnergies[c] * T
            }
            for (m, expert) in expertEnergies.enumerated() {
                let own = expert.energies(chains, count: K)
                for c in 0..<K { modelEnergies[m][c] = own[c] * T }
            }
            progress?(block + 1, (total + H - 1) / H)
        }
        return Result(futures: paths.flatMap { $0.dropFirst(k * S).map(Double.init) }, energies: energies, expertEnergies: modelEnergies,
                      acceptance: acceptance)
    }
}

/// Why a composition stopped, with the error underneath.
public enum ExpertCompositionError: Error, CustomStringConvertible {
    /// Expert `index` does not fit the shared coordinates or its label.
    case expert(index: Int, Error)
    /// The weights make no valid sum.
    case weights(Error)
    /// The sampler failed in a block.
    case sampling(block: Int, Error)

    public var description: String {
        switch self {
        case .expert(let index, let e): return "expert \(index): \(e)"
        case .weights(let e): return "\(e)"
        case .sampling(let block, let e): return "sampling block \(block): \(e)"
        }
    }
}
