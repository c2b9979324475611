// DenoisingComposition: futures from a product of denoising experts, Σ wᵢ Eᵢ(future, σᵢ | cᵢ),
// annealed over noise levels as one model is — in the coefficients of the first expert's basis,
// every other expert reading the decoded future through its own basis (and its residual off it).

import EnergyModels
import Foundation
import NeuralCore
import Sampling

/// One denoising expert at one noise level as a term of a product, over the coefficients y of a
/// reference expert's basis (the space the chains move in):
///
///     E(y) = Eᵢ(yᵢ, σᵢ | cᵢ) + ‖rᵢ‖² / (2(σr,ᵢ² + (σᵢ·unitᵢ)²)),   yᵢ = encodeᵢ(decode_ref(y))
///
/// rᵢ is the decoded future's residual off expert i's basis (what its basis cannot express; at
/// level σ its noise adds (σ·unit)² per scaled-future number), σr,ᵢ² its basis's residual variance.
/// The gradient is pulled back through both (affine) maps. For the reference itself the term is
/// its own `NoiseLevelEnergy` (its samples lie in its basis: r = 0).
public struct DenoisingExpertEnergy: BatchEnergy {
    public let expert: DenoisingEnergyModel
    public let reference: DenoisingEnergyModel
    /// Raw context states per chain: the reference's (chains, k_ref, S) and the expert's last k (chains, k, S).
    let referenceStates: [Float], expertStates: [Float]
    /// The expert's normalised contexts (chains, contextWidth), labels included.
    let contexts: [Float]
    /// The expert's own noise level, and T (set per level by `DenoisingComposition`: the contexts above do not depend on them).
    public internal(set) var sigma: Float
    public internal(set) var temperature: Double
    /// Whether the residual off the expert's basis costs energy (see the type's formula).
    public let offBasis: Bool
    let isReference: Bool
    public var dimension: Int { reference.dimension }

    /// `states`: raw context states (chains, k, S) with k ≥ both models' context lengths; `label` the
    /// expert's condition (nil: none). Throws `SamplingError` when the label does not fit the expert.
    public init(expert: DenoisingEnergyModel, reference: DenoisingEnergyModel, isReference: Bool, states: [Float], contextLength k: Int,
                label: Int?, sigma: Float, temperature: Double, offBasis: Bool = true) throws {
        let S = reference.encoding.stateSize
        let enc = expert.encoding
        try ExpertFutureEnergy.checkCondition(enc, label: label)
        guard enc.stateSize == S, expert.basis.horizon == reference.basis.horizon else {
            throw SamplingError.invalidArgument("expert reads \(expert.basis.horizon) future states of \(enc.stateSize), the composition samples \(reference.basis.horizon) of \(S)")
        }
        guard k >= enc.contextLength, k >= reference.encoding.contextLength, states.count % (k * S) == 0 else {
            throw SamplingError.invalidArgument("contexts of \(k) states, the experts read \(enc.contextLength) and \(reference.encoding.contextLength)")
        }
        let chains = states.count / (k * S)
        func last(_ n: Int) -> [Float] {
            var out: [Float] = []
            out.reserveCapacity(chains * n * S)
            for b in 0..<chains { out += states[((b * k + k - n) * S)..<((b + 1) * k * S)] }
            return out
        }
        (referenceStates, expertStates) = (last(reference.encoding.contextLength), last(enc.contextLength))
        contexts = expert.normalizedContexts(enc.conditioned(states: expertStates, goals: label.map { [Int](repeating: $0, count: chains) }))
        (self.expert, self.reference, self.isReference, self.sigma, self.temperature) = (expert, reference, isReference, sigma, temperature)
        self.offBasis = offBasis
    }

    public func energiesAndGradients(_ y: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        let ctx = Array(contexts[0..<(count * expert.encoding.contextWidth)])
        if isReference {
            let (e, g) = expert.energiesAndGradients(normalizedContexts: ctx, coefficients: y.map(Float.init), sigma: [Float](repeating: sigma, count: count))
            return (e.map { Double($0) / temperature }, g.map { Double($0) / temperature })
        }
        let (kr, ke, S) = (reference.encoding.contextLength, expert.encoding.contextLength, reference.encoding.stateSize)
        let refStates = Array(referenceStates[0..<(count * kr * S)]), ownStates = Array(expertStates[0..<(count * ke * S)])
        let future = reference.basis.decode(y.map(Float.init), context: refStates, contextLength: kr)
        let coefficients = expert.basis.encode(context: ownStates, contextLength: ke, future: future)
        let (e, g) = expert.energiesAndGradients(normalizedContexts: ctx, coefficients: coefficients, sigma: [Float](repeating: sigma, count: count))
        var energies = e.map(Double.init)
        var residualGradient: [Double]? = nil
        if offBasis, let v = expert.basis.residualVariance, v > 0 {
            let variance = Double(v) + Double(sigma * expert.basis.unit) * Double(sigma * expert.basis.unit)
            let r = expert.basis.residualVectors(context: ownStates, contextLength: ke, future: future, coefficients: coefficients)
            let F = expert.basis.futureWidth
            for b in 0..<count { for j in 0..<F { energies[b] += r[b * F + j] * r[b * F + j] / (2 * variance) } }
            residualGradient = r.map { $0 / variance }
        }
        let futureGradient = expert.basis.encodePullback(coefficientGradient: g.map(Double.init), scaledFutureGradient: residualGradient)
        let gradients = reference.basis.decodePullback(futureGradient)
        return (energies.map { $0 / temperature }, gradients.map { $0 / temperature })
    }
}

/// Futures sampled from Σ wᵢ Eᵢ of denoising experts, block after block past the horizon: the
/// annealed sampler of one model (`DenoisingSampler.anneal`) over the first expert's noise levels,
/// each other expert at the level that blurs a future as much in its own units (`levelScale`).
public struct DenoisingComposition {
    /// The experts, each with the label it is asked for (nil: none); the first is the reference.
    public var experts: [(model: DenoisingEnergyModel, label: Int?)]
    /// One weight per expert.
    public var weights: [Double]
    /// Levels, steps, step scale and temperature (those of the first expert's `FutureSampler` by default).
    public var sampler: DenoisingSampler
    /// Whether the other experts' residuals off their bases cost energy (`DenoisingExpertEnergy.offBasis`).
    public var offBasis: Bool

    public init(experts: [(model: DenoisingEnergyModel, label: Int?)], weights: [Double], sampler: DenoisingSampler, offBasis: Bool = true) {
        (self.experts, self.weights, self.sampler, self.offBasis) = (experts, weights, sampler, offBasis)
    }

    /// The shared context length: the longest expert context.
    public var contextLength: Int { experts.map(\.model.encoding.contextLength).max()! }

    /// σᵢ / σ_ref for expert i: the ratio of the reference's coefficient unit to the expert's, in raw
    /// units (unit × per-coordinate scale, the scales' ratio averaged geometrically over coordinates).
    public func levelScale(_ i: Int) -> Float {
        let (ref, own) = (experts[0].model.basis, experts[i].model.basis)
        let logRatio = zip(ref.coordinateScale, own.coordinateScale).map { log(Double($0) / Double($1)) }.reduce(0, +) / Double(ref.stateSize)
        return Float(Double(ref.unit) / Double(own.unit) * exp(logRatio))
    }

    /// K futures of `total` states after `context` (k, S) with k = `contextLength`; deterministic for a seed.
    /// `progress` hears (blocks done, blocks) after every block of H states. Throws `ExpertCompositionError`.
    public func sample(context: [Double], chains K: Int, total: Int, seed: UInt64,
                       progress: ((_ done: Int, _ blocks: Int) -> Void)? = nil) throws -> ExpertComposition.Result {
        guard !experts.isEmpty, weights.count == experts.count else {
            throw ExpertCompositionError.weights(SamplingError.invalidArgument("\(weights.count) weights for \(experts.count) experts"))
        }
        guard weights.allSatisfy(\.isFinite) else { throw ExpertCompositionError.weights(SamplingError.invalidArgument("weights must be finite")) }
        let reference = experts[0].model
        let (k, H, S) = (contextLength, reference.basis.horizon, reference.encoding.stateSize)
        precondition(context.count == k * S && K >= 1 && total >= 1, "DenoisingComposition.sample: sizes")
        let sigmas = sampler.schedule(reference)
        let scales = experts.indices.map(levelScale)
        var paths = [[Float]](repeating: context.map(Float.init), count: K)
        var energies = [Double](repeating: 0, count: K)
        var modelEnergies = [[Double]](repeating: [Double](repeating: 0, count: K), count: experts.count)
        var acceptance: [Double] = []
        for block in 0..<(total + H - 1) / H {
            let states = paths.flatMap { $0.suffix(k * S) }
            // each expert's contexts once per block (its checks before any sampling); the levels only set σ and T
            let terms: [DenoisingExpertEnergy] = try experts.enumerated().map { i, e in
                do {
                    return try DenoisingExpertEnergy(expert: e.model, reference: reference, isReference: i == 0, states: states, contextLength: k,
                                                     label: e.label, sigma: sigmas[0], temperature: 1, offBasis: offBasis)
                } catch { throw ExpertCompositionError.expert(index: i, error) }
            }
            func level(_ sigma: Float, _ temperature: Double) throws -> WeightedSumEnergy {
                try WeightedSumEnergy(terms.enumerated().map { i, term in
                    var term = term
                    let own = term.expert.denoising
                    term.sigma = i == 0 ? sigma : min(max(sigma * scales[i], own.sigmaMin), own.sigmaMax)
                    term.temperature = temperature
                    return (weights[i], term as any BatchEnergy)
                })
            }
            let y: [Double], diagnostics: [StepDiagnostics]
            do {
                (y, diagnostics) = try sampler.anneal(chains: K, sigmas: sigmas, variances: reference.basis.variances, seed: seed &+ UInt64(block)) {
                    try level($0, $1)
                }
            } catch { throw ExpertCompositionError.sampling(block: block, error) }
            acceptance.append(diagnostics.map(\.acceptance).reduce(0, +) / Double(max(diagnostics.count, 1)))
            let kr = reference.encoding.contextLength
            let refStates = paths.flatMap { $0.suffix(kr * S) }
            let futures = reference.basis.decode(y.map(Float.init), context: refStates, contextLength: kr)
            // each expert's judged energy of the block (its energy at σmin plus its residual term)
            for (i, e) in experts.enumerated() {
                let ke = e.model.encoding.contextLength
                let own = paths.flatMap { $0.suffix(ke * S) }
                let contexts = e.model.encoding.conditioned(states: own, goals: e.label.map { [Int](repeating: $0, count: K) })
                let judged = e.model.energies(context: contexts, future: futures)
                for c in 0..<K { modelEnergies[i][c] = Double(judged[c]); energies[c] += weights[i] * Double(judged[c]) }
            }
            let keep = min(H, total - block * H)
            for c in 0..<K { paths[c] += futures[(c * H * S)..<(c * H * S + keep * S)] }
            progress?(block + 1, (total + H - 1) / H)
        }
        return ExpertComposition.Result(futures: paths.flatMap { $0.dropFirst(k * S).map(Double.init) }, energies: energies,
                                        expertEnergies: modelEnergies, acceptance: acceptance)
    }
}
