// ForecastEvaluation: K sampled futures per test context judged against the data — errors and goal
// coverage (`forecast`), energy score and MMD against re-simulated futures (`distribution`), long
// rollouts (`longHorizon`) and quality as the sampler gets more steps (`qualityVsSteps`). Each
// section returns a typed, Codable report; `ebm evaluate` only chooses inputs and formats them.

import EnergyModels
import Foundation
import Sampling
import Simulation
import Trajectories

/// The model, the data and the sampler every section of a forecast evaluation reads.
public struct ForecastEvaluation {
    public var model: FutureModel
    /// The evaluated split: its first states are the contexts, the rest the true futures.
    public var dataset: TrajectoryDataset
    /// The forecast sampler and the quality-vs-steps curve's.
    public var sampler: FutureSampler, curveSampler: FutureSampler
    /// A feedforward baseline chained like the futures (one per context).
    public var feedforward: FeedforwardPredictor?
    /// The goals of a goal dataset (nil: no goal scores).
    public var goals: GoalSet?
    /// Validity radius around a goal, in metres.
    public var radius: Double
    public var seed: UInt64
    /// Context states k, state size S, states per episode, future states per context (length − k).
    public let k: Int, S: Int, length: Int, total: Int

    /// Throws when the dataset's states are not the model's or its episodes are shorter than k + 1.
    public init(model: FutureModel, dataset: TrajectoryDataset, sampler: FutureSampler, curveSampler: FutureSampler,
                feedforward: FeedforwardPredictor? = nil, goals: GoalSet? = nil, radius: Double = 0.02, seed: UInt64 = 1) throws {
        (k, S, length) = (model.encoding.contextLength, model.encoding.stateSize, dataset.steps + 1)
        total = length - k
        guard dataset.stateSize == S else { throw ScoringError.invalidArgument("states have \(dataset.stateSize) numbers, the model reads \(S)") }
        guard total >= 1 else { throw ScoringError.invalidArgument("episodes hold \(length) states, the model needs \(k) context states and one more") }
        if let f = feedforward, f.encoding.stateSize != S || f.encoding.contextLength > k {
            throw ScoringError.invalidArgument("the baseline reads \(f.encoding.contextLength) states of \(f.encoding.stateSize), the context offers \(k) of \(S)")
        }
        (self.model, self.dataset, self.sampler, self.curveSampler) = (model, dataset, sampler, curveSampler)
        (self.feedforward, self.goals, self.radius, self.seed) = (feedforward, goals, radius, seed)
    }

    /// States `range` of episode `e`, one after the other.
    public func states(_ e: Int, _ range: Range<Int>) -> [Double] { range.flatMap { Array(dataset.state(episode: e, step: $0)) } }

    /// K futures of `total` states after the first k states of each of the first `contexts` episodes.
    public func sampleFutures(contexts N: Int, chains K: Int, total: Int, sampler: FutureSampler) throws -> FutureSamples {
        try sampler.sample(model, contexts: (0..<N).flatMap { states($0, 0..<k) }, chainsPerContext: K, total: total, seed: seed)
    }

    /// The feedforward baseline's prediction of `total` states after each of the first N contexts (N, total, S).
    public func baselineFutures(contexts N: Int, total: Int) -> [Double]? {
        feedforward.map { f in (0..<N).flatMap { f.rollout(context: states($0, 0..<k), total: total) } }
    }

    /// ADE/FDE and goal scores of paths (N · perContext, total, S) against the first N episodes.
    public func score(_ paths: [Double], perContext: Int, contexts N: Int) throws -> ForecastScores {
        try ForecastScores(paths: paths, perContext: perContext, truth: (0..<N).flatMap { states($0, k..<length) },
                           contexts: N, steps: total, stateSize: S, goals: goals, radius: radius)
    }

    // MARK: - Forecast

    /// K futures for each of the first N contexts, sampled together, scored beside the baseline; with
    /// goals, how often the data's own final states are valid (a check of the goals).
    public func forecast(contexts N: Int, samples K: Int) throws -> ForecastReport {
        let result = try sampleFutures(contexts: N, chains: K, total: total, sampler: sampler)
        let baseline = baselineFutures(contexts: N, total: total)
        var report = ForecastReport(contexts: N, samplesPerContext: K, futureStates: total, sampler: sampler.kind, steps: sampler.steps(for: model),
                                    seconds: result.seconds, ebm: try score(result.futures, perContext: K, contexts: N),
                                    baseline: try baseline.map { try score($0, perContext: 1, contexts: N) }, hasGoals: goals != nil)
        if let goals {
            let finals = (0..<N).flatMap { states($0, length - 1..<length).prefix(goals.robot.nq) }
            report.truthValidity = try goals.validity(qpos: Array(finals), count: N, radius: radius)
        }
        (report.futures, report.baselineFutures) = (result.futures, baseline)
        return report
    }
}

/// Errors and goal scores of the sampled futures and of the baseline.
public struct ForecastReport: Codable {
    public var contexts: Int, samplesPerContext: Int, futureStates: Int
    public var sampler: FutureSamplerKind
    /// Sampler steps per block, and the wall time of the sampling.
    public var steps: Int, seconds: Double
    public var ebm: ForecastScores, baseline: ForecastScores?
    public var hasGoals: Bool
    /// Share of the data's own final states within the radius of a goal (goal datasets).
    public var truthValidity: Double?
    /// The sampled futures (N · K, total, S) and the baseline's (N, total, S); not encoded.
    public var futures: [Double] = [], baselineFutures: [Double]?

    enum CodingKeys: String, CodingKey {
        case contexts, samplesPerContext, futureStates, sampler, steps, seconds, ebm, baseline, hasGoals, truthValidity
    }

    init(contexts: Int, samplesPerContext: Int, futureStates: Int, sampler: FutureSamplerKind, steps: Int, seconds: Double,
         ebm: ForecastScores, baseline: ForecastScores?, hasGoals: Bool) {
        (self.contexts, self.samplesPerContext, self.futureStates, self.sampler, self.steps) = (contexts, samplesPerContext, futureStates, sampler, steps)
        (self.seconds, self.ebm, self.baseline, self.hasGoals) = (seconds, ebm, baseline, hasGoals)
    }

    /// The keys of `ebm evaluate`'s metrics.json for one generator's scores.
    public func summary(_ s: ForecastScores, samplesPerContext k: Int) -> [String: Any] {
        var d: [String: Any] = ["samples_per_context": k, "ade_best_of_k": s.adeBest, "ade_mean": s.adeMean,
                                "fde_best_of_k": s.fdeBest, "fde_mean": s.fdeMean]
        if hasGoals { (d["goals_covered"], d["validity"], d["mean_collapse"]) = (s.goalsCovered, s.validity, 1 - s.validity) }
        return d
    }

    /// The error-vs-horizon curves of metrics.json.
    public var curves: [String: Any] {
        var c: [String: Any] = ["step": Array(1...futureStates), "ebm_mean": ebm.perStepMean, "ebm_best_of_k": ebm.perStepBest]
        if let b = baseline { c["baseline"] = b.perStepMean }
        return c
    }

    /// The printed table: a header, then EBM and the baseline.
    public var table: [[String]] {
        let header = ["", "ADE best", "ADE mean", "FDE best", "FDE mean"] + (hasGoals ? ["goals", "valid", "collapse"] : [])
        func row(_ name: String, _ s: ForecastScores) -> [String] {
            var r = [name] + [s.adeBest, s.adeMean, s.fdeBest, s.fdeMean].map { String(format: "%.4f", $0) }
            if hasGoals { r += [String(format: "%.2f", s.goalsCovered), String(format: "%.3f", s.validity), String(format: "%.3f", 1 - s.validity)] }
            return r
        }
        return [header, row("EBM", ebm)] + (baseline.map { [row("feedforward", $0)] } ?? [])
    }
}
