// WindowScorer: anything that gives a (context, future) window of raw states a number, higher
// meaning more unusual — the energy model, and the baselines it is judged against.

import EnergyModels
import Foundation
import NeuralCore

/// Scores windows of k context states and H future states; higher means more unusual.
public protocol WindowScorer {
    /// A short name for tables ("EBM energy", "feedforward error", …).
    var name: String { get }
    /// Context states k, future states H and numbers per state S of the windows it reads.
    var contextLength: Int { get }
    var horizon: Int { get }
    var stateSize: Int { get }
    /// Scores (B) of raw windows: `context` (B, k, S), `future` (B, H, S).
    func scores(context: [Float], future: [Float]) -> [Double]
}

/// E_θ(future | context) of a trained energy model, in its raw units.
public struct EnergyScorer: WindowScorer {
    public let model: TrajectoryEnergyModel
    public var name: String { "EBM energy" }
    public var contextLength: Int { model.encoding.contextLength }
    public var horizon: Int { model.encoding.horizon }
    public var stateSize: Int { model.encoding.stateSize }

    public init(model: TrajectoryEnergyModel) { self.model = model }

    public func scores(context: [Float], future: [Float]) -> [Double] {
        model.energies(context: context, future: future).map(Double.init)
    }
}

/// The feedforward baseline's prediction error: mean over the H·S future features of the squared
/// difference between predicted and observed future, each feature divided by its training
/// standard deviation (so joint angles and velocities weigh alike).
public struct PredictionErrorScorer: WindowScorer {
    public let model: FeedforwardPredictor
    public var name: String { "feedforward error" }
    public var contextLength: Int { model.encoding.contextLength }
    public var horizon: Int { model.encoding.horizon }
    public var stateSize: Int { model.encoding.stateSize }

    public init(model: FeedforwardPredictor) { self.model = model }

    public func scores(context: [Float], future: [Float]) -> [Double] {
        let enc = model.encoding
        let (F, C) = (enc.futureWidth, enc.contextWidth)
        let predicted = model.predict(context: context)
        return (0..<(future.count / F)).map { b in
            var sum = 0.0
            for j in 0..<F {
                let d = Double(predicted[b * F + j] - future[b * F + j]) / Double(enc.standardDeviation[C + j])
                sum += d * d
            }
            return sum / Double(F)
        }
    }
}
