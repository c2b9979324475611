// FutureEnergy: a trained TrajectoryEnergyModel with fixed contexts, seen as an energy over the
// normalised future features z — the space the model was trained to be sampled in.

import EnergyModels
import Foundation

/// E(z) = E_θ(future(z) | context) / temperature over the normalised future part z of a window
/// row (H·S numbers per chain); each chain has its own raw context (k·S numbers).
///
/// Sampling z rather than raw states keeps every coordinate on unit scale (the encoding's
/// standardisation), which is where contrastive divergence ran its Langevin chains; `futures`
/// turns samples back into raw states.
public struct FutureEnergy: BatchEnergy {
    public let model: TrajectoryEnergyModel
    /// Raw contexts (chains, k, S), oldest state first.
    public let contexts: [Float]
    /// Energies are divided by this (> 0, unitless); 1 samples exp(−E_θ).
    public let temperature: Double
    public var dimension: Int { model.encoding.futureWidth }
    /// Chains the contexts cover.
    public var chains: Int { contexts.count / model.encoding.contextWidth }

    /// One context (k·S) shared by `chains` chains, or one per chain (chains·k·S).
    public init(model: TrajectoryEnergyModel, contexts: [Float], chains: Int, temperature: Double = 1) throws {
        let c = model.encoding.contextWidth
        guard temperature.isFinite && temperature > 0 else { throw SamplingError.invalidArgument("temperature must be positive, got \(temperature)") }
        guard chains >= 1 else { throw SamplingError.invalidArgument("chains must be at least 1, got \(chains)") }
        if contexts.count == c {
            self.contexts = Array((0..<chains).map { _ in contexts }.joined())
        } else if contexts.count == chains * c {
            self.contexts = contexts
        } else {
            throw SamplingError.invalidArgument("context has \(contexts.count) values; the model reads k × S = \(model.encoding.contextLength) × \(model.encoding.stateSize) per chain")
        }
        (self.model, self.temperature) = (model, temperature)
    }

    /// Normalised rows (count, width) for points z (count, H·S).
    func rows(_ z: [Double], count: Int) -> [Float] {
        let enc = model.encoding
        let (C, F, W) = (enc.contextWidth, enc.futureWidth, enc.width)
        let futureZero = [Float](repeating: 0, count: count * F)
        var rows = enc.encode(context: Array(contexts[0..<count * C]), future: futureZero)
        for b in 0..<count {
            for j in 0..<F { rows[b * W + C + j] = Float(z[b * F + j]) }
        }
        return rows
    }

    public func energiesAndGradients(_ z: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        precondition(count <= chains, "FutureEnergy: \(count) points, contexts for \(chains)")
        let enc = model.encoding
        let (C, F, W) = (enc.contextWidth, enc.futureWidth, enc.width)
        let (e, g) = model.energyAndRowGradient(rows: rows(z, count: count))
        var gradients = [Double](repeating: 0, count: count * F)
        for b in 0..<count {
            for j in 0..<F { gradients[b * F + j] = Double(g[b * W + C + j]) / temperature }
        }
        return (e.map { Double($0) / temperature }, gradients)
    }

    /// Normalised future features (count, H·S) of raw futures (count, H, S).
    public func normalised(futures: [Float]) -> [Double] {
        let enc = model.encoding
        let count = futures.count / enc.futureWidth
        let rows = enc.encode(context: Array(contexts[0..<count * enc.contextWidth]), future: futures)
        var z = [Double](repeating: 0, count: futures.count)
        for b in 0..<count {
            for j in 0..<enc.futureWidth { z[b * enc.futureWidth + j] = Double(rows[b * enc.width + enc.contextWidth + j]) }
        }
        return z
    }

    /// Raw futures (count, H, S) of points z (count, H·S).
    public func futures(_ z: [Double]) -> [Float] {
        let count = z.count / dimension
        return model.encoding.decodeFuture(rows: rows(z, count: count), context: Array(contexts[0..<count * model.encoding.contextWidth]))
    }
}
