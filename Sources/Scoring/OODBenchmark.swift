// OODBenchmark: in-distribution test episodes against shifted ones (physics, controller, time
// reversal, averaging, glitches, noise) — each detector's episode scores → AUROC and FPR at 95% TPR.

import Foundation
import Trajectories

/// The out-of-distribution benchmark of `ebm evaluate ood`: every `DistributionShift` of the first
/// test episodes, scored by every detector against the unshifted episodes.
public struct OODBenchmark {
    /// A named window scorer. `readsGoalLabel`: it feeds each episode's goal label to its model, so
    /// it has nothing to read on shifted episodes without one (averaged episodes belong to two goals).
    public struct Detector {
        public var name: String, key: String
        public var scorer: any WindowScorer
        public var readsGoalLabel: Bool
        public init(name: String, key: String, scorer: any WindowScorer, readsGoalLabel: Bool = false) {
            (self.name, self.key, self.scorer, self.readsGoalLabel) = (name, key, scorer, readsGoalLabel)
        }
    }

    /// Detectors, in report order; keys starting with "ebm" are the energy model's, the rest baselines.
    public var detectors: [Detector]
    /// The in-distribution episodes (the negatives).
    public var normal: TrajectoryDataset
    /// The dataset's recipe (meta.json's copy): physics and controller shifts regenerate from it.
    public var recipe: JSONValue
    /// Positions per state (nq): the transforms that negate velocities need it.
    public var positionCount: Int
    /// Seed of the random transforms (glitches, noise).
    public var seed: UInt64
    /// Which averaged pairs the `averaged` shift keeps (nil: every pair, as `averaged-any`).
    public var endpoints: AveragedEndpointRule?

    public init(detectors: [Detector], normal: TrajectoryDataset, recipe: JSONValue, positionCount: Int, seed: UInt64,
                endpoints: AveragedEndpointRule? = nil) {
        (self.detectors, self.normal, self.recipe, self.positionCount, self.seed) = (detectors, normal, recipe, positionCount, seed)
        self.endpoints = endpoints
    }

    /// Scores every shift; throws `OODBenchmarkError`. `progress` hears (steps done, steps) after the
    /// normal episodes are scored and after each shift (1 + the number of shifts steps).
    public func run(progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> OODReport {
        func episodeScores(_ data: TrajectoryDataset, _ d: Detector) throws -> EpisodeScores {
            do { return try EpisodeScores(scoring: data, with: d.scorer) } catch let e as ScoringError { throw OODBenchmarkError.scoring(detector: d.name, e) }
        }
        let normalScores = try detectors.map { try episodeScores(normal, $0) }
        let steps = 1 + DistributionShift.allCases.count
        progress?(1, steps)
        var shifts: [OODReport.Shift] = []
        for shift in DistributionShift.allCases {
            let shifted: TrajectoryDataset
            var modelHash: String?
            if shift.regenerates {
                do { (shifted, modelHash) = try shift.regenerate(from: recipe, episodes: normal.episodes) } catch let e as ScoringError { throw OODBenchmarkError.regeneration(e) }
            } else {
                do { shifted = try shift.transform(normal, positionCount: positionCount, seed: seed, endpoints: endpoints) } catch let e as ScoringError { throw OODBenchmarkError.transform(e) }
            }
            var row = OODReport.Shift(shift: shift, episodes: shifted.episodes, modelHash: modelHash, results: [])
            let unlabelled = shifted.goal.contains { $0 < 0 }
            for (d, normalScore) in zip(detectors, normalScores) {
                if unlabelled && d.readsGoalLabel { row.results.append(nil); continue }
                let s = try episodeScores(shifted, d)
                row.results.append(OODReport.Result(mean: try DetectionMetrics(negatives: normalScore.episode, positives: s.episode),
                                                    maximum: try DetectionMetrics(negatives: normalScore.episodeMaximum, positives: s.episodeMaximum),
                                                    meanScoreShifted: s.episode.reduce(0, +) / Double(s.episodes),
                                                    meanScoreNormal: normalScore.episode.reduce(0, +) / Double(normalScore.episodes)))
            }
            shifts.append(row)
            progress?(1 + shifts.count, steps)
        }
        return OODReport(detectorKeys: detectors.map(\.key), shifts: shifts)
    }
}

/// What `OODBenchmark.run` measured: per shift, per detector.
public struct OODReport {
    /// One detector on one shift.
    public struct Result {
        /// On the episodes' mean window scores, and on their largest window scores.
        public var mean: DetectionMetrics, maximum: DetectionMetrics
        public var meanScoreShifted: Double, meanScoreNormal: Double
    }

    /// One shift: its results in detector order (nil: the detector reads goal labels the shifted episodes lack).
    public struct Shift {
        public var shift: DistributionShift
        public var episodes: Int
        /// SHA-256 of the shifted robot model, for regenerated shifts.
        public var modelHash: String?
        public var results: [Result?]
    }

    public var detectorKeys: [String]
    public var shifts: [Shift]

    /// How often the best energy-model detector (key "ebm…") beats the best baseline: its AUROC above
    /// (`wins`, also counted without any baseline) or equal (`ties`), and beyond two standard errors
    /// of the difference (Hanley–McNeil) above (`clearWins`) or below (`clearLosses`).
    public var comparison: (wins: Int, ties: Int, clearWins: Int, clearLosses: Int) {
        var (wins, ties, clearWins, clearLosses) = (0, 0, 0, 0)
        for s in shifts {
            var metrics: [String: DetectionMetrics] = [:]
            for (key, r) in zip(detectorKeys, s.results) { if let r { metrics[key] = r.mean } }
            let best = { (ebm: Bool) in metrics.filter { $0.key.hasPrefix("ebm") == ebm }.values.max { $0.auroc < $1.auroc } }
            guard let ebm = best(true) else { continue }
            let baseline = best(false)
            if ebm.auroc > baseline?.auroc ?? -1 { wins += 1 } else if ebm.auroc == baseline?.auroc { ties += 1 }
            guard let baseline else { continue }
            if ebm.isClearlyBetter(than: baseline) { clearWins += 1 } else if baseline.isClearlyBetter(than: ebm) { clearLosses += 1 }
        }
        return (wins, ties, clearWins, clearLosses)
    }
}

/// Why the benchmark stopped, with the scoring error underneath.
public enum OODBenchmarkError: Error, CustomStringConvertible {
    /// A detector could not score episodes.
    case scoring(detector: String, ScoringError)
    /// A physics or controller shift could not be regenerated from the recipe.
    case regeneration(ScoringError)
    /// A data transform failed.
    case transform(ScoringError)

    public var description: String {
        switch self {
        case .scoring(let name, let e): return "\(name): \(e)"
        case .regeneration(let e), .transform(let e): return "\(e)"
        }
    }
}
