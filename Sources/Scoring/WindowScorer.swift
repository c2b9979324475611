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

/// Scorers backed by a trained energy model read its window shape and encoding.
protocol EnergyModelScorer: EncodedWindowScorer { var model: TrajectoryEnergyModel { get } }

extension EnergyModelScorer {
    public var encoding: WindowEncoding { model.encoding }
    public var contextLength: Int { model.encoding.contextLength }
    public var horizon: Int { model.encoding.horizon }
    public var stateSize: Int { model.encoding.stateSize }
}

/// E_θ(future | context) of a trained energy model, in its raw units.
public struct EnergyScorer: EnergyModelScorer {
    public let model: TrajectoryEnergyModel
    public var name: String { "EBM energy" }

    public init(model: TrajectoryEnergyModel) { self.model = model }

    public func scores(context: [Float], future: [Float]) -> [Double] {
        model.energies(context: context, future: future).map(Double.init)
    }
}

/// E(future | context) of a denoising-score-matching model at its smallest noise level, in its raw
/// units: of the whole window (`offBasis`: its coefficients plus the residual off the basis), or of
/// its basis coefficients alone.
public struct DenoisingEnergyScorer: EncodedWindowScorer {
    public let model: DenoisingEnergyModel
    public let offBasis: Bool
    public var name: String { offBasis ? "EBM energy" : "EBM energy, basis part" }
    public var encoding: WindowEncoding { model.encoding }
    public var contextLength: Int { model.encoding.contextLength }
    public var horizon: Int { model.encoding.horizon }
    public var stateSize: Int { model.encoding.stateSize }

    public init(model: DenoisingEnergyModel, offBasis: Bool = true) { (self.model, self.offBasis) = (model, offBasis) }

    public func scores(context: [Float], future: [Float]) -> [Double] {
        model.energies(context: context, future: future, offBasis: offBasis).map(Double.init)
    }
}

/// E(observed future | context) − E(descended future | context): how much energy `steps` steps of
/// clipped gradient descent on the future (the Langevin sampler's moves without noise, normalised
/// units) still find below the observed future. Raw E is not comparable across contexts — each
/// context has its own normaliser Z(c) — but an in-distribution future sits near a minimum of its
/// own context's energy, so the energy a short descent can still gain is small; off the data
/// manifold it is large.
public struct EnergyDescentScorer: EnergyModelScorer {
    public let model: TrajectoryEnergyModel
    public let steps: Int, stepSize: Float, gradientClip: Float
    public var name: String { "EBM energy above descent" }

    public init(model: TrajectoryEnergyModel, steps: Int, stepSize: Float, gradientClip: Float) {
        (self.model, self.steps, self.stepSize, self.gradientClip) = (model, steps, stepSize, gradientClip)
    }

    public func scores(context: [Float], future: [Float]) -> [Double] {
        let enc = model.encoding, (C, W) = (enc.contextWidth, enc.width)
        var rows = enc.encode(context: context, future: future)
        let start = model.energies(rows: rows)
        var lowest = start
        for _ in 0..<steps {
            let (e, g) = model.energyAndRowGradient(rows: rows)
            for b in lowest.indices { lowest[b] = min(lowest[b], e[b]) }
            for b in 0..<(rows.count / W) {
                for j in (b * W + C)..<((b + 1) * W) {
                    rows[j] -= stepSize * (gradientClip > 0 ? min(max(g[j], -gradientClip), gradientClip) : g[j])
                }
            }
        }
        let last = model.energies(rows: rows)
        return start.indices.map { Double(start[$0] - min(lowest[$0], last[$0])) }
    }
}

/// min_g E(future | context, goal g) of a goal-conditioned energy model: the energy of the window
/// under the goal that explains it best, so no label is needed (the episode's own label is
/// ignored). A window heading for none of the goals the model knows scores high under all.
public struct GoalFreeEnergyScorer: EnergyModelScorer {
    public let model: TrajectoryEnergyModel
    public var name: String { "EBM energy, best goal" }

    /// - Throws: `ScoringError` unless the model reads a goal label.
    public init(model: TrajectoryEnergyModel) throws {
        guard model.encoding.goalCount > 1 else {
            throw ScoringError.invalidArgument("the best-goal energy needs a model trained with model.conditionOnGoal")
        }
        self.model = model
    }

    public func scores(context: [Float], future: [Float]) -> [Double] {
        let enc = model.encoding, (C, K, G) = (enc.contextWidth, enc.stateContextWidth, enc.goalCount)
        let batch = context.count / C
        var best = [Double](repeating: .infinity, count: batch)
        var relabelled = context
        for g in 0..<G {
            for b in 0..<batch { for j in 0..<G { relabelled[b * C + K + j] = j == g ? 1 : 0 } }
            let energies = model.energies(context: relabelled, future: future)
            for b in 0..<batch { best[b] = min(best[b], Double(energies[b])) }
        }
        return best
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
