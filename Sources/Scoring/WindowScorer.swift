// WindowScorer: anything that gives a (context, future) window of raw states a number, higher
// meaning more unusual — the energy model, and the baselines it is judged against.

import EnergyModels
import Foundation
import NeuralCore
import Trajectories

/// Scores windows of k context states and H future states; higher means more unusual.
public protocol WindowScorer {
    /// A short name for tables ("EBM energy", "feedforward error", …).
    var name: String { get }
    /// Context states k, future states H and numbers per state S of the windows it reads.
    var contextLength: Int { get }
    var horizon: Int { get }
    var stateSize: Int { get }
    /// Scores (B) of raw windows: `context` (B, k, S) plus any condition features the model
    /// reads (as `gather` makes them), `future` (B, H, S).
    func scores(context: [Float], future: [Float]) -> [Double]
    /// The raw windows `indices` of `windows` as `scores` reads them.
    func gather(_ windows: TrajectoryWindows, _ indices: [Int], context: inout [Float], future: inout [Float])
}

extension WindowScorer {
    public func gather(_ windows: TrajectoryWindows, _ indices: [Int], context: inout [Float], future: inout [Float]) {
        windows.gather(indices, context: &context, future: &future)
    }
}

/// Scorers over a model's `WindowEncoding` read its condition features (goal, controls) too.
protocol EncodedWindowScorer: WindowScorer { var encoding: WindowEncoding { get } }

extension EncodedWindowScorer {
    public func gather(_ windows: TrajectoryWindows, _ indices: [Int], context: inout [Float], future: inout [Float]) {
        encoding.gather(windows, indices, context: &context, future: &future)
    }
}

/// E_θ(future | context) of a trained energy model, in its raw units.
public struct EnergyScorer: EncodedWindowScorer {
    public let model: TrajectoryEnergyModel
    public var encoding: WindowEncoding { model.encoding }
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
public struct PredictionErrorScorer: EncodedWindowScorer {
    public let model: FeedforwardPredictor
    public var encoding: WindowEncoding { model.encoding }
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
