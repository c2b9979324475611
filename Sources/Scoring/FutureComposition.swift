// FutureComposition: a product of experts over trained future models, whichever objective trained
// them — contrastive-divergence experts through `ExpertComposition` (weights annealed over each
// block), denoising experts through `DenoisingComposition` (annealed over noise levels).

import EnergyModels
import Sampling

/// Why a set of future models makes no composition.
public enum FutureCompositionError: Error, Equatable, CustomStringConvertible {
    /// Some experts are denoising models and some contrastive: one objective per composition.
    case mixedObjectives(denoising: Int, contrastive: Int)
    /// Contrastive experts are sampled by a chain sampler (langevin, mala or hmc) only.
    case chainSamplerNeeded(FutureSamplerKind)
    /// Weight annealing is for contrastive experts; denoising experts anneal their noise levels.
    case weightAnnealingNeedsContrastive

    public var description: String {
        switch self {
        case .mixedObjectives(let d, let c):
            return "\(d) denoising (dsm) and \(c) contrastive-divergence experts; compose models of one objective"
        case .chainSamplerNeeded(let kind): return "\(kind.rawValue): contrastive-divergence experts need langevin, mala or hmc"
        case .weightAnnealingNeedsContrastive: return "denoising experts are annealed over their noise levels; weight annealing is for contrastive-divergence experts"
        }
    }
}

/// Σ wᵢ Eᵢ(future | context) / T over experts of one objective, sampled with the first expert's
/// sampler defaults (`FutureSampler` fills what it leaves nil).
public struct FutureComposition {
    public enum Experts {
        case contrastive(ExpertComposition, sampler: any ChainSampler)
        case denoising(DenoisingComposition)
    }
    public var experts: Experts

    /// `models` in order, each asked for its label (nil: none); `initialWeights` (contrastive only)
    /// move linearly to `weights` over `annealStages` equal parts of each block's `steps` sampler steps.
    public init(models: [FutureModel], labels: [Int?], weights: [Double], initialWeights: [Double]? = nil, annealStages: Int = 1,
                steps: Int, sampler: FutureSamplerKind, stepSize: Double? = nil, temperature: Double? = nil) throws {
        var options = FutureSampler(kind: sampler, steps: steps)
        (options.stepSize, options.temperature) = (stepSize, temperature)
        let denoisers = models.compactMap { if case .denoising(let m) = $0 { return m } else { return nil } }
        let contrastive = models.compactMap { if case .contrastive(let m, _) = $0 { return m } else { return nil } }
        guard denoisers.isEmpty || contrastive.isEmpty else {
            throw FutureCompositionError.mixedObjectives(denoising: denoisers.count, contrastive: contrastive.count)
        }
        if case .contrastive(_, let lang) = models[0] {
            guard options.kind.isChain else { throw FutureCompositionError.chainSamplerNeeded(options.kind) }
            let composition = ExpertComposition(experts: Array(zip(contrastive, labels)), weights: weights, initialWeights: initialWeights,
                                                annealStages: annealStages, steps: steps, temperature: options.temperature(for: models[0]),
                                                initialScale: Double(lang.initialScale))
            experts = .contrastive(composition, sampler: try options.chainSampler(langevin: lang))
        } else {
            guard initialWeights == nil else { throw FutureCompositionError.weightAnnealingNeedsContrastive }
            experts = .denoising(DenoisingComposition(experts: Array(zip(denoisers, labels)), weights: weights, sampler: options.denoisingSampler(for: denoisers[0])))
        }
    }

    /// The shared context length: the longest expert context.
    public var contextLength: Int {
        switch experts {
        case .contrastive(let c, _): return c.contextLength
        case .denoising(let d): return d.contextLength
        }
    }

    /// The temperature the weighted energies are divided by.
    public var temperature: Double {
        switch experts {
        case .contrastive(let c, _): return c.temperature
        case .denoising(let d): return d.sampler.temperature
        }
    }

    /// `chains` futures of `total` states after `context` [k, S] (raw units), chained H-state blocks.
    public func sample(context: [Double], chains: Int, total: Int, seed: UInt64,
                       progress: ((_ done: Int, _ blocks: Int) -> Void)? = nil) throws -> ExpertComposition.Result {
        switch experts {
        case .contrastive(let c, let sampler): return try c.sample(context: context, chains: chains, total: total, sampler: sampler, seed: seed, progress: progress)
        case .denoising(let d): return try d.sample(context: context, chains: chains, total: total, seed: seed, progress: progress)
        }
    }

    /// The one-line report of `ebm compose`: futures, experts and their weights, sampler, temperature,
    /// speed, mean acceptance and each expert's mean energy of the last block.
    public func summaryLine(_ result: ExpertComposition.Result, weights: [Double], sampler: FutureSamplerKind, steps: Int, total: Int, seconds: Double) -> String {
        let K = result.energies.count
        let means = result.expertEnergies.map { $0.reduce(0, +) / Double(K) }
        return "compose: \(K) futures × \(total) states from \(result.expertEnergies.count) models (weights \(weights.map { String(format: "%g", $0) }.joined(separator: ", "))), "
            + String(format: "%@ at T = %.3g, %d steps per block, in %.2f s; acceptance %.2f; mean energy per model (last block) %@",
                     sampler.rawValue, temperature, steps, seconds, result.meanAcceptance, means.map { String(format: "%.4f", $0) }.joined(separator: ", "))
    }

    /// A warning when a Metropolis-adjusted sampler of contrastive experts accepted almost nothing (mean below 5 %).
    public func acceptanceWarning(_ result: ExpertComposition.Result, sampler: FutureSamplerKind) -> String? {
        guard case .contrastive = experts, sampler != .langevin, result.meanAcceptance < 0.05 else { return nil }
        return "\(sampler.rawValue) accepted almost none of its proposals: lower --step-size, or use --sampler langevin"
    }
}

extension FutureComposition {
    /// The models of `runs` (run folders or checkpoints, conditioned ones included: an expert may be
    /// asked for its label), refused with a `ScoringError` naming the first that reads futures of
    /// another horizon H or state size S than the first's.
    public static func experts(runs: [String]) throws -> [FutureModel] {
        let models = try runs.map { try FutureModel.load(from: RunFolder.existingCheckpoint($0)).model }
        guard let first = models.first else { return [] }
        let (H, S) = (first.encoding.horizon, first.encoding.stateSize)
        for (path, m) in zip(runs, models) where m.encoding.horizon != H || m.encoding.stateSize != S {
            throw ScoringError.invalidArgument("--model \(path): reads \(m.encoding.horizon) future states of \(m.encoding.stateSize), --model \(runs[0]) reads \(H) of \(S)")
        }
        return models
    }
}

extension ExpertComposition.Result {
    /// Mean acceptance over the blocks (0 without blocks).
    public var meanAcceptance: Double { acceptance.reduce(0, +) / Double(max(acceptance.count, 1)) }
}
