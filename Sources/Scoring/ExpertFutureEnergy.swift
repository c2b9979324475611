// ExpertFutureEnergy: one trained energy model as a term of a product of experts, over future
// coordinates shared by every expert (models trained on different data normalise differently).

import EnergyModels
import Foundation
import Sampling

/// E_θ(future(z) | context) / temperature over shared future coordinates z (H·S numbers per chain):
/// future(z) = z ⊙ σ + μ (+ the last context state when `reference.futureAsDelta`), with μ, σ
/// the future part of a reference encoding. Summing experts with `WeightedSumEnergy` samples
/// p(future) ∝ Π exp(−wᵢ Eᵢ): each Eᵢ sees raw states, whatever its own normalisation.
public struct ExpertFutureEnergy: BatchEnergy {
    public let model: TrajectoryEnergyModel
    /// The encoding whose future statistics define z (usually the first expert's).
    public let reference: WindowEncoding
    /// Raw contexts (chains, k_ref, S) in the reference's context length; the expert reads the last k of each.
    public let contexts: [Float]
    /// Energies are divided by this (> 0).
    public let temperature: Double
    /// The label a goal-conditioned expert is asked for (its one-hot joins every context); nil
    /// for an unconditioned expert.
    public let label: Int?
    public var dimension: Int { reference.futureWidth }
    /// Chains the contexts cover.
    public var chains: Int { contexts.count / reference.contextWidth }

    /// - Throws: `SamplingError` when horizon or state size differ from the reference, the
    ///   reference context is shorter than the expert's, or the contexts do not fill `chains`.
    public init(model: TrajectoryEnergyModel, reference: WindowEncoding, contexts: [Float], chains: Int, temperature: Double = 1,
                label: Int? = nil) throws {
        let enc = model.encoding
        try Self.checkCondition(enc, label: label)
        guard enc.horizon == reference.horizon, enc.stateSize == reference.stateSize else {
            throw SamplingError.invalidArgument("expert reads \(enc.horizon) future states of \(enc.stateSize), the composition samples \(reference.horizon) of \(reference.stateSize)")
        }
        guard enc.contextLength <= reference.contextLength else {
            throw SamplingError.invalidArgument("expert reads \(enc.contextLength) context states, the composition supplies \(reference.contextLength)")
        }
        guard temperature.isFinite, temperature > 0 else { throw SamplingError.invalidArgument("temperature must be positive, got \(temperature)") }
        let c = reference.contextWidth
        if contexts.count == c {
            self.contexts = Array((0..<chains).map { _ in contexts }.joined())
        } else if contexts.count == chains * c {
            self.contexts = contexts
        } else {
            throw SamplingError.invalidArgument("context has \(contexts.count) values; the composition needs \(reference.contextLength) × \(reference.stateSize) per chain")
        }
        (self.model, self.reference, self.temperature, self.label) = (model, reference, temperature, label)
    }

    /// Throws `SamplingError` unless an expert reading `encoding` can be asked for `label`: no control
    /// features, and a label in range exactly when it is conditioned on one.
    static func checkCondition(_ enc: WindowEncoding, label: Int?) throws {
        guard enc.controlWidth == 0 else { throw SamplingError.invalidArgument("expert is conditioned on controls; a composition samples from states (and labels) alone") }
        if enc.goalCount > 0 {
            guard let label, (0..<enc.goalCount).contains(label) else {
                throw SamplingError.invalidArgument("expert is conditioned on one of \(enc.goalCount) labels: give a label in 0..<\(enc.goalCount)\(label.map { ", not \($0)" } ?? "")")
            }
        } else if let label {
            throw SamplingError.invalidArgument("expert reads no label, but label \(label) was given")
        }
    }

    /// Raw futures (count, H, S) of shared coordinates z (count, H·S).
    public func futures(_ z: [Double]) -> [Float] {
        let (F, C, S) = (reference.futureWidth, reference.contextWidth, reference.stateSize)
        let count = z.count / F
        var out = [Float](repeating: 0, count: count * F)
        for b in 0..<count {
            let last = b * C + C - S
            for j in 0..<F {
                var x = Float(z[b * F + j]) * reference.standardDeviation[C + j] + reference.mean[C + j]
                if reference.futureAsDelta { x += contexts[last + j % S] }
                out[b * F + j] = x
            }
        }
        return out
    }

    /// Shared coordinates z (count, H·S) of raw futures (count, H, S): the inverse of `futures`.
    public func coordinates(futures raw: [Float]) -> [Double] {
        let (F, C, S) = (reference.futureWidth, reference.contextWidth, reference.stateSize)
        return (0..<raw.count).map { i in
            let (b, j) = (i / F, i % F)
            var x = raw[i]
            if reference.futureAsDelta { x -= contexts[b * C + C - S + j % S] }
            return Double((x - reference.mean[C + j]) / reference.standardDeviation[C + j])
        }
    }

    /// The expert's own context (count, contextWidth): the last k states of each reference
    /// context, then the label's one-hot for a conditioned expert.
    func expertContexts(count: Int) -> [Float] {
        let (C, c) = (reference.contextWidth, model.encoding.stateContextWidth)
        let states = (0..<count).flatMap { b in contexts[(b * C + C - c)..<(b * C + C)] }
        return model.encoding.conditioned(states: states, goals: label.map { [Int](repeating: $0, count: count) })
    }

    public func energiesAndGradients(_ z: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        precondition(count <= chains, "ExpertFutureEnergy: \(count) points, contexts for \(chains)")
        let (F, C) = (reference.futureWidth, reference.contextWidth)
        let (e, g) = model.energyAndFutureGradient(context: expertContexts(count: count), future: futures(Array(z[0..<(count * F)])))
        // ∂E/∂z = ∂E/∂future · σ (the context shift does not depend on z)
        var gradients = [Double](repeating: 0, count: count * F)
        for b in 0..<count {
            for j in 0..<F { gradients[b * F + j] = Double(g[b * F + j]) * Double(reference.standardDeviation[C + j]) / temperature }
        }
        return (e.map { Double($0) / temperature }, gradients)
    }
}
