// ForecastEvaluation+Sections: the sections beyond the first errors — energy score and MMD against
// re-simulated futures, long rollouts against the data, and quality as the sampler gets more steps.

import EnergyModels
import Foundation
import Sampling
import Simulation
import Trajectories

extension ForecastEvaluation {
    // MARK: - Distribution

    /// Energy score and MMD² per context, averaged over the forecast's N contexts: its EBM futures, its
    /// baseline futures and one half of the references against the other, against `referenceSamples`
    /// futures per context re-simulated by `simulator` (the dataset's recipe) from each episode's first
    /// state. Whole futures are divided by `reference`'s per-dimension standard deviation.
    public func distribution(of forecast: ForecastReport, simulator: ReferenceSimulator, referenceSamples M: Int,
                             reference: TrajectoryDataset) throws -> DistributionReport {
        let robot = simulator.model
        guard simulator.steps + 1 == length, robot.nq + robot.nv == S else {
            throw ScoringError.invalidArgument("the recipe makes \(simulator.steps + 1) states of \(robot.nq + robot.nv) numbers, the data holds \(length) of \(S)")
        }
        let N = forecast.contexts
        let deviation = StateScale(states: reference.states, stateSize: S).deviation
        // the goal site, else the robot's first site; none: the site feature is skipped
        let site: Int? = goals?.site ?? (robot.nsite > 0 ? 0 : nil)
        let clock = Date()
        let comparison = ReferenceComparison(simulator: simulator, deviation: deviation, site: site, referenceSamples: M, contextLength: k)
        let r = try comparison.run(futures: forecast.futures, perContext: forecast.samplesPerContext, baseline: forecast.baselineFutures,
                                   starts: (0..<N).flatMap { states($0, 0..<1) }, total: total, seed: seed)
        return DistributionReport(referenceSamples: M, contexts: N, site: goals?.siteName ?? (site.map { robot.names(.site)[$0] } ?? "none"),
                                  seconds: Date().timeIntervalSince(clock), ebm: r.ebm,
                                  baseline: forecast.baselineFutures != nil ? r.baseline : nil, resimulatedHalf: M >= 2 ? r.resimulatedHalf : nil,
                                  referenceGoalsPerContext: r.referenceGoalsPerContext)
    }

    // MARK: - Long horizon

    /// `chains` rollouts of `states` states after each of the first `contexts` contexts (and the
    /// baseline's one), scored against `reference` (the training split, usually): within its ranges
    /// widened by `margin`, Fréchet distance to its states at the same time, and with `physics` the
    /// implied controls replayed; the data's own episodes as the floor.
    public func longHorizon(states N: Int, contexts: Int, chains L: Int, margin: Double, reference: TrajectoryDataset,
                            physics model: RobotModel?) throws -> LongHorizonReport {
        let C = min(contexts, dataset.episodes)
        let scale = StateScale(states: reference.states, stateSize: S)
        let judge = LongHorizonReference(states: reference, mean: scale.mean, deviation: scale.deviation, margin: margin,
                                         evaluated: dataset, contextLength: k)
        let clock = Date()
        let generated = try sampleFutures(contexts: C, chains: L, total: N, sampler: sampler)
        let ebm = try judge.scores(generated.futures, count: C * L, contexts: C, length: N, physics: model)
        let seconds = Date().timeIntervalSince(clock)
        let baseline = try baselineFutures(contexts: C, total: N).map { try judge.scores($0, count: C, contexts: C, length: N, physics: model) }
        // the data's own episodes: within range by construction (train) and the physics floor
        let dataEpisodes = min(dataset.episodes, 64), dataLength = length - k
        let dataPaths = (0..<dataEpisodes).flatMap { states($0, k..<length) }
        let dataWithin = judge.ranges.stayedWithin(dataPaths, count: dataEpisodes, length: dataLength).last ?? .nan
        let dataPhysics = try model.map { try PhysicalConsistency.check(model: $0, start: (0..<dataEpisodes).flatMap { states($0, k - 1..<k) },
                                                                         paths: dataPaths, count: dataEpisodes, length: dataLength) }
        return LongHorizonReport(states: N, contexts: C, samplesPerContext: L, sampler: sampler.kind, steps: sampler.steps(for: self.model),
                                 seconds: seconds, rangeMargin: margin, ranges: judge.ranges, ebm: ebm, baseline: baseline,
                                 dataEpisodes: dataEpisodes, dataLength: dataLength, dataWithinRange: dataWithin, dataPhysics: dataPhysics)
    }

    // MARK: - Quality vs steps

    /// Sampler steps per block of the quality-vs-steps curve when none are given.
    public var defaultStepCounts: [Int] { model.isDenoising ? [0, 20, 50, 100, 200, 400] : [0, 5, 10, 20, 40, 60, 120] }

    /// The first metrics re-measured on the first N contexts with K futures each for every count of
    /// `stepCounts` (sorted, without repeats) with the curve sampler; the forecast's baseline (no
    /// steps) beside them.
    public func qualityVsSteps(contexts N: Int, samples K: Int, stepCounts: [Int], baselineFutures: [Double]?) throws -> StepsReport {
        var curve = curveSampler
        let counts = Array(Set(stepCounts)).sorted()
        var rows: [StepsReport.Row] = []
        for n in counts {
            curve.steps = n
            let r = try sampleFutures(contexts: N, chains: K, total: total, sampler: curve)
            rows.append(.init(steps: n, scores: try score(r.futures, perContext: K, contexts: N),
                              meanEnergy: r.energies.reduce(0, +) / Double(r.energies.count), seconds: r.seconds))
        }
        let baseline = try baselineFutures.map { try score(Array($0[0..<N * total * S]), perContext: 1, contexts: N) }
        return StepsReport(sampler: curve.kind, contexts: N, samples: K, futureStates: total, rows: rows, baseline: baseline,
                           goalCount: goals?.positions.count)
    }
}

// MARK: - Reports

/// Energy score and MMD² against re-simulated futures.
public struct DistributionReport: Codable {
    public var referenceSamples: Int, contexts: Int
    /// The site of the final-position feature ("none" when the robot has none).
    public var site: String
    public var seconds: Double
    public var ebm: DistributionScores, baseline: DistributionScores?
    /// One half of the references against the other: the floor (M ≥ 2).
    public var resimulatedHalf: DistributionScores?
    public var referenceGoalsPerContext: Double

    /// The section of `ebm evaluate`'s metrics.json.
    public var dictionary: [String: Any] {
        var d: [String: Any] = [
            "reference_samples": referenceSamples, "contexts": contexts, "site": site, "ebm": ebm.dictionary,
            "reference_goals_per_context": referenceGoalsPerContext,
            "definition": "per context: ES = mean_j mean_i |x_i - y_j| - 1/(2K^2) sum_ii' |x_i - x_i'|; MMD^2 biased V-statistic, Gaussian kernel, bandwidth = median pairwise distance of the pooled sets; averaged over contexts. final_site: goal-site position of the last state (m); future: all states, each dimension / data std",
        ]
        if let baseline { d["baseline"] = baseline.dictionary }
        if let resimulatedHalf { d["resimulated_half"] = resimulatedHalf.dictionary }
        return d
    }

    /// The printed heading and table.
    public var heading: String {
        String(format: "energy score / MMD² against %d re-simulated futures per context (%d contexts, %.1f s; site %@ in m, future in data std units; lower is better)",
               referenceSamples, contexts, seconds, site)
    }
    public var table: [[String]] {
        func row(_ name: String, _ s: DistributionScores) -> [String] {
            [name] + [s.energyScoreSite, s.mmdSite, s.energyScoreFuture, s.mmdFuture].map { String(format: "%.4f", $0) }
        }
        return [["", "ES site", "MMD² site", "ES future", "MMD² fut."], row("EBM", ebm)]
            + (baseline.map { [row("feedforward", $0)] } ?? []) + (resimulatedHalf.map { [row("re-simulated", $0)] } ?? [])
    }
}

/// Long rollouts of the EBM and the baseline against the data, and the data's own episodes.
public struct LongHorizonReport: Codable {
    public var states: Int, contexts: Int, samplesPerContext: Int
    public var sampler: FutureSamplerKind, steps: Int, seconds: Double
    public var rangeMargin: Double, ranges: StateRanges
    public var ebm: LongHorizonScores, baseline: LongHorizonScores?
    /// The data's first episodes over their own future states: share within range, and the physics floor.
    public var dataEpisodes: Int, dataLength: Int, dataWithinRange: Double
    public var dataPhysics: PhysicalConsistency.Result?

    /// The section of `ebm evaluate`'s metrics.json.
    public var dictionary: [String: Any] {
        let N = states
        var curves: [String: Any] = ["step": Array(1...N), "ebm_within_range": ebm.withinRange, "ebm_frechet": ebm.frechet, "ebm_error": ebm.error]
        if let p = ebm.physics { curves["ebm_divergence"] = p.divergence }
        if let ff = baseline {
            (curves["baseline_within_range"], curves["baseline_frechet"], curves["baseline_error"]) = (ff.withinRange, ff.frechet, ff.error)
            if let p = ff.physics { curves["baseline_divergence"] = p.divergence }
        }
        if let d = dataPhysics { curves["data_divergence"] = d.divergence }
        var section: [String: Any] = [
            "states": N, "contexts": contexts, "samples_per_context": samplesPerContext, "sampler": sampler.rawValue, "steps": steps, "seconds": seconds,
            "range_margin": rangeMargin, "range_lower": ranges.lower, "range_upper": ranges.upper,
            "frechet_reference": "squared Fréchet distance between Gaussian fits of standardised states (data mean/std per dimension) at each generated step t and of the reference split's states at time index k + t (its final states once k + t passes the episode's end)",
            "ebm": ebm.dictionary(horizon: N), "curves": curves,
        ]
        if let ff = baseline { section["baseline"] = ff.dictionary(horizon: N) }
        var dataRow: [String: Any] = ["episodes": dataEpisodes, "states": dataLength, "within_range": dataWithinRange]
        if let d = dataPhysics { (dataRow["one_step_defect"], dataRow["divergence_final"]) = (d.oneStepDefect, d.divergence.last ?? .nan) }
        section["data"] = dataRow
        return section
    }

    /// The printed heading, table and footnote.
    public var heading: String {
        String(format: "long horizon: %d contexts × %d EBM chains (%@, %d steps per block) and the feedforward model, %d states, in %.1f s; ranges: data ±%.0f%% of each range",
               contexts, samplesPerContext, sampler.rawValue, steps, states, seconds, 100 * rangeMargin)
    }
    public var table: [[String]] {
        let N = states, at100 = min(100, N)
        func f(_ v: Double, _ format: String = "%.4g") -> String { v.isFinite ? String(format: format, v) : (v.isNaN ? "-" : "inf") }
        func row(_ name: String, _ s: LongHorizonScores) -> [String] {
            [name, f(s.at(s.withinRange, at100), "%.3f"), f(s.at(s.withinRange, N), "%.3f"), f(s.at(s.frechet, at100)), f(s.at(s.frechet, N)),
             f(s.physics100.map { s.at($0.divergence, at100) } ?? .nan), f(s.physics.map { s.at($0.divergence, N) } ?? .nan),
             f(s.physics100?.oneStepDefect ?? .nan)]
        }
        return [["", "in range@\(at100)", "in range@\(N)", "Fréchet@\(at100)", "Fréchet@\(N)", "replay@\(at100)", "replay@\(N)", "1-step"], row("EBM", ebm)]
            + (baseline.map { [row("feedforward", $0)] } ?? [])
            + [["data", f(dataWithinRange, "%.3f") + "*", "-", "-", "-",
                f(dataPhysics.map { $0.divergence[min(at100, dataLength) - 1] } ?? .nan) + "*", "-", f(dataPhysics?.oneStepDefect ?? .nan)]]
    }
    public var footnote: String {
        "  (* the data's \(dataEpisodes) episodes over their own \(dataLength) future states; replay and 1-step (over the first \(min(100, states)) states): ‖Δstate‖ of implied controls replayed in the simulator; - : no rollout stayed finite and below 1e6)"
    }
}

/// Errors, goal scores and energies of the sampled futures for each number of sampler steps.
public struct StepsReport: Codable {
    public struct Row: Codable {
        public var steps: Int, scores: ForecastScores, meanEnergy: Double, seconds: Double
    }
    public var sampler: FutureSamplerKind, contexts: Int, samples: Int, futureStates: Int
    public var rows: [Row]
    /// The baseline's scores (no steps), when there is one.
    public var baseline: ForecastScores?
    /// Goals of a goal dataset (nil: no goal scores).
    public var goalCount: Int?

    /// The section of `ebm evaluate`'s metrics.json.
    public var dictionary: [String: Any] {
        let hasGoals = goalCount != nil
        var ebm: [String: Any] = ["ade_best_of_k": rows.map { $0.scores.adeBest }, "ade_mean": rows.map { $0.scores.adeMean },
                                  "fde_best_of_k": rows.map { $0.scores.fdeBest }, "fde_mean": rows.map { $0.scores.fdeMean },
                                  "mean_energy": rows.map(\.meanEnergy), "seconds": rows.map(\.seconds)]
        if hasGoals { (ebm["validity"], ebm["goals_covered"]) = (rows.map { $0.scores.validity }, rows.map { $0.scores.goalsCovered }) }
        var section: [String: Any] = ["sampler": sampler.rawValue, "contexts": contexts, "samples": samples, "steps": rows.map(\.steps), "ebm": ebm]
        if let f = baseline {
            var b: [String: Any] = ["ade_best_of_k": f.adeBest, "ade_mean": f.adeMean, "fde_best_of_k": f.fdeBest, "fde_mean": f.fdeMean]
            if hasGoals { (b["validity"], b["goals_covered"]) = (f.validity, f.goalsCovered) }
            section["baseline"] = b
        }
        return section
    }

    /// The printed heading and table.
    public var heading: String { "quality vs steps: \(sampler.rawValue), \(contexts) contexts × \(samples) futures of \(futureStates) states" }
    public var table: [[String]] {
        let hasGoals = goalCount != nil
        func scores(_ s: ForecastScores) -> [String] {
            [s.adeBest, s.adeMean, s.fdeBest, s.fdeMean].map { String(format: "%.4f", $0) }
                + (hasGoals ? [String(format: "%.2f", s.goalsCovered), String(format: "%.3f", s.validity)] : [])
        }
        return [["steps", "ADE best", "ADE mean", "FDE best", "FDE mean"] + (hasGoals ? ["goals", "valid"] : []) + ["mean E", "seconds"]]
            + rows.map { ["\($0.steps)"] + scores($0.scores) + [String(format: "%.3g", $0.meanEnergy), String(format: "%.1f", $0.seconds)] }
            + (baseline.map { [["feedforward"] + scores($0) + ["-", "-"]] } ?? [])
    }
}
