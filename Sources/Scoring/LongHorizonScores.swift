// LongHorizonScores: chained futures far past the episode's end — whether they stay in the data's
// state ranges, how their state distribution drifts (Fréchet distance vs time), how far they are
// from the real future while it lasts, and whether the controls they imply replay in the simulator.

import Foundation
import Simulation
import Trajectories

/// What one generator's long rollouts scored.
public struct LongHorizonScores: Codable, Sendable {
    /// Share of rollouts within the data's ranges so far, per step (N).
    public var withinRange: [Double]
    /// Squared Fréchet distance to the data's states at the same time, per step (N).
    public var frechet: [Double]
    /// Mean ‖Δstate‖ to the episode's real future, per step while it lasts (min(N, total)).
    public var error: [Double]
    public var physics: PhysicalConsistency.Result?
    /// The same check on the first 100 states only (rollouts that diverge later still count there).
    public var physics100: PhysicalConsistency.Result?

    /// The value at 1-based `step` of a curve; NaN outside it.
    public func at(_ curve: [Double], _ step: Int) -> Double { step >= 1 && step <= curve.count ? curve[step - 1] : .nan }

    /// The keys of `ebm evaluate`'s metrics.json for a horizon of N states.
    public func dictionary(horizon N: Int) -> [String: Any] {
        var d: [String: Any] = [
            "within_range_100": at(withinRange, 100), "within_range_final": at(withinRange, N),
            "frechet_100": at(frechet, 100), "frechet_final": at(frechet, N),
            "frechet_mean": frechet.filter(\.isFinite).reduce(0, +) / Double(max(frechet.filter(\.isFinite).count, 1)),
            "error_episode_end": error.last ?? .nan,
        ]
        if let p = physics {
            var physicsRow: [String: Any] = ["divergence_final": at(p.divergence, N), "one_step_defect": p.oneStepDefect,
                                             "controls_out_of_range": p.controlsOutOfRange, "replayed": p.replayed, "rollouts": p.rollouts]
            if let q = physics100 {
                (physicsRow["divergence_100"], physicsRow["one_step_defect_100"], physicsRow["replayed_100"]) = (at(q.divergence, 100), q.oneStepDefect, q.replayed)
            }
            d["physics"] = physicsRow
        }
        return d
    }
}

/// What long rollouts are measured against: the data's ranges, its per-time state distribution and
/// the evaluated episodes' real futures.
public struct LongHorizonReference {
    public var ranges: StateRanges
    /// Per-dimension mean and standard deviation (S) that states are standardised with.
    public var mean: [Double], deviation: [Double]
    /// Gaussian fits of the reference states, standardised, at each time index 0…T.
    public var fits: [GaussianFit]
    /// The evaluated episodes (their first k states are the contexts) and k.
    public var evaluated: TrajectoryDataset
    public var contextLength: Int

    /// The reference of `states` (the training split, usually) with its mean and deviation (S) and
    /// ranges widened by `margin`; `evaluated` holds the episodes the rollouts continue.
    public init(states reference: TrajectoryDataset, mean: [Double], deviation: [Double], margin: Double,
                evaluated: TrajectoryDataset, contextLength: Int) {
        let S = reference.stateSize
        (self.mean, self.deviation, self.evaluated, self.contextLength) = (mean, deviation, evaluated, contextLength)
        ranges = StateRanges(states: reference.states, stateSize: S, margin: margin)
        func standardised(_ x: ArraySlice<Double>) -> ArraySlice<Double> {
            ArraySlice(x.enumerated().map { ($0.element - mean[$0.offset]) / deviation[$0.offset] })
        }
        fits = (0...reference.steps).map { t in
            GaussianFit((0..<reference.episodes).map { standardised(reference.state(episode: $0, step: t)) }, dimension: S)
        }
    }

    func standardised(_ x: ArraySlice<Double>) -> ArraySlice<Double> {
        ArraySlice(x.enumerated().map { ($0.element - mean[$0.offset]) / deviation[$0.offset] })
    }

    /// States `range` of evaluated episode `e`, one after the other.
    func states(_ e: Int, _ range: Range<Int>) -> [Double] { range.flatMap { Array(evaluated.state(episode: e, step: $0)) } }

    /// Scores of paths (count, N, S) continuing the first `contexts` episodes, count / contexts each;
    /// with `physics`, the controls they imply are replayed in that model.
    public func scores(_ paths: [Double], count: Int, contexts C: Int, length N: Int, physics model: RobotModel?) throws -> LongHorizonScores {
        let (k, S, T) = (contextLength, evaluated.stateSize, fits.count - 1)
        let perContext = count / C
        let withinRange = ranges.stayedWithin(paths, count: count, length: N)
        let frechet = (0..<N).map { t -> Double in
            let points = (0..<count).map { standardised(paths[($0 * N + t) * S..<($0 * N + t + 1) * S]) }
            guard points.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { return .infinity }
            return GaussianFit(points, dimension: S).frechetSquared(to: fits[min(k + t, T)])
        }
        let known = min(N, evaluated.steps + 1 - k)
        var error = [Double](repeating: 0, count: known)
        for c in 0..<count {
            let truth = states(c / perContext, k..<k + known)
            for t in 0..<known {
                error[t] += SampleMetrics.distance(paths[(c * N + t) * S..<(c * N + t + 1) * S], truth[t * S..<(t + 1) * S][...]) / Double(count)
            }
        }
        var physics: PhysicalConsistency.Result?, physics100: PhysicalConsistency.Result?
        if let model {
            let start = (0..<count).flatMap { states($0 / perContext, k - 1..<k) }
            physics = try PhysicalConsistency.check(model: model, start: start, paths: paths, count: count, length: N)
            let n = min(100, N)
            var head: [Double] = []   // (count, n, S)
            for c in 0..<count { head += paths[c * N * S..<(c * N + n) * S] }
            physics100 = try PhysicalConsistency.check(model: model, start: start, paths: head, count: count, length: n)
        }
        return LongHorizonScores(withinRange: withinRange, frechet: frechet, error: error, physics: physics, physics100: physics100)
    }
}
