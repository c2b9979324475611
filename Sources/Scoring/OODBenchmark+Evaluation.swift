// OODBenchmark+Evaluation: `ebm evaluate ood` as one call — the detectors of a model (and of a
// feedforward baseline, a Gaussian fitted on the training split) on a test split's first episodes
// against the shifts regenerated from the dataset's recipe.

import EnergyModels
import Foundation
import Sampling
import Simulation
import Trajectories

extension OODBenchmark {
    /// What `ebm evaluate ood` measures, prints and writes.
    public struct Evaluation {
        public var report: OODReport
        /// The detectors' names and keys, in the report's order.
        public var detectors: [(name: String, key: String)]
        /// Normal episodes (the test split's first N) and the seed of the shifts.
        public var episodes: Int, seed: UInt64
        /// Seconds from the first detector to the last score.
        public var seconds: Double

        /// The Markdown table of AUROC and FPR@95 per shift and detector.
        public var markdown: String { report.markdown(detectorNames: detectors.map(\.name)) }

        /// ood.json's keys, beside `model`, `baseline_model`, `data` and `split`, which the caller names.
        public var dictionary: [String: Any] {
            let rows = report.rows
            let (wins, ties, clearWins, clearLosses) = report.comparison
            return [
                "episodes": episodes, "seed": Int(seed), "episode_score": "mean window score (the *_max_window fields: largest window score)",
                "detectors": detectors.map { ["key": $0.key, "name": $0.name] }, "shifts": rows,
                "ebm_beats_all_baselines_on": wins, "ebm_ties_best_baseline_on": ties, "shift_count": rows.count,
                "ebm_beats_all_baselines_beyond_noise_on": clearWins, "best_baseline_beats_ebm_beyond_noise_on": clearLosses, "seconds": seconds,
            ]
        }
    }

    /// Why the evaluation could not start; the benchmark's own failures are `OODBenchmarkError`.
    public enum EvaluationFailure: Error, CustomStringConvertible, Equatable {
        /// The dataset's meta.json has no recipe to regenerate the shifts from.
        case noRecipe
        /// The dataset's meta.json names no robot.
        case noRobot
        /// The robot meta.json names did not load.
        case robot(name: String, reason: String)
        /// The Gaussian baseline or a calibrated detector could not be fitted on the training split.
        case training(ScoringError)

        public var description: String {
            switch self {
            case .noRecipe: return "no recipe; the physics and controller shifts regenerate from it"
            case .noRobot: return "no robot named"
            case .robot(_, let reason): return reason
            case .training(let e): return e.description
            }
        }
    }

    /// The benchmark of `model` (with `feedforward`'s prediction error beside it when given) on the
    /// first `episodes` of `test`, the calibrated and Gaussian detectors fitted on `train`, the
    /// shifts regenerated from `meta`'s recipe; averaged pairs count only where they end off every
    /// goal of `goals`.
    public static func evaluate(_ model: FutureModel, test: TrajectoryDataset, train: TrajectoryDataset, meta: JSONValue, goals: GoalSet?,
                                episodes: Int, descentSteps: Int, feedforward: FeedforwardPredictor?, seed: UInt64,
                                progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Evaluation {
        let N = min(episodes, test.episodes)
        guard let recipe = meta["recipe"] else { throw EvaluationFailure.noRecipe }
        guard case .string(let robotName)? = meta["robot"] else { throw EvaluationFailure.noRobot }
        let robot: RobotModel
        do { robot = try RobotModel.load(robotName) } catch { throw EvaluationFailure.robot(name: robotName, reason: "\(error)") }
        let clock = Date()
        let encoding = model.encoding
        var detectors = try modelDetectors(model, descentSteps: descentSteps, feedforward: feedforward)
        do {
            let windows = try TrajectoryWindows(train, context: encoding.contextLength, future: encoding.horizon)
            detectors += try calibratedDetectors(model, training: windows)
            let gaussian = try GaussianWindowModel(windows: windows, encoding: encoding, stride: max(1, windows.count / 50_000))
            detectors.append(Detector(name: "Gaussian NLL", key: "gaussian", scorer: gaussian, readsGoalLabel: encoding.goalCount > 0))
        } catch let e as ScoringError { throw EvaluationFailure.training(e) }
        let endpoints = goals.map { AveragedEndpointRule(robot: $0.robot, site: $0.site, goals: $0.positions) }
        let report = try OODBenchmark(detectors: detectors, normal: test.episodes(Array(0..<N)), recipe: recipe, positionCount: robot.nq, seed: seed,
                                      endpoints: endpoints).run(progress: progress)
        return Evaluation(report: report, detectors: detectors.map { ($0.name, $0.key) }, episodes: N, seed: seed,
                          seconds: Date().timeIntervalSince(clock))
    }
}
