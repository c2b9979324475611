// OODBenchmark+Request: `ebm evaluate ood` from files — a run folder, an optional feedforward
// baseline, a dataset folder whose meta.json holds the recipe — to OUT/ood.json and OUT/ood.md.

import EnergyModels
import Foundation
import Sampling
import Trajectories

extension OODBenchmark {
    /// What to evaluate (paths as given) and how much of it.
    public struct Request: Equatable, Sendable {
        /// Run folder (or checkpoint) of the model, and of a feedforward baseline (nil: none).
        public var model: String, baseline: String?
        /// Dataset folder (its meta.json's recipe regenerates the shifts) and the split whose first
        /// `episodes` are the normal ones; the calibrated detectors fit on its train split.
        public var data: String, split: Split = .test
        public var episodes = 20
        /// Steps of the 'EBM energy above descent' detector (0: leave it out).
        public var descentSteps = 20
        public var seed: UInt64 = 1

        public init(model: String, baseline: String? = nil, data: String, split: Split = .test) {
            (self.model, self.baseline, self.data, self.split) = (model, baseline, data, split)
        }
    }

    /// Runs `request`: loads the model, the baseline and both splits, evaluates every detector on
    /// every shift, writes `out`/ood.json and `out`/ood.md. Lines (summary, table, verdict, the files
    /// written) go to `printed`; `progress` hears (steps done, steps). A failure names the input it
    /// concerns: `ScoringError.file` for the dataset's files, `.invalidArgument` for the rest.
    @discardableResult
    public static func run(_ request: Request, out: URL, progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
                           printed: (String) -> Void = { _ in }) throws -> Evaluation {
        let (r, data) = (request, request.data)
        let futureModel = try FutureModel.load(from: RunFolder.existingCheckpoint(r.model)).model
        let test = try TrajectoryDataset(folder: data, split: r.split)
        let meta: JSONValue
        do { meta = try DatasetFolder.meta(of: URL(fileURLWithPath: data)) } catch { throw ScoringError.file(FileError(wrapping: error, path: "\(data)/meta.json")) }
        let feedforward = try r.baseline.map { try FeedforwardPredictor.load(run: $0, conditioned: true).model }
        let train = try TrajectoryDataset(folder: data, split: .train)
        let goals = try GoalSet.load(folder: data, split: r.split, dataset: test)
        let evaluation: Evaluation
        do {
            evaluation = try evaluate(futureModel, test: test, train: train, meta: meta, goals: goals, episodes: r.episodes,
                                      descentSteps: r.descentSteps, feedforward: feedforward, seed: r.seed, progress: progress)
        } catch let e as EvaluationFailure {
            switch e {
            case .noRecipe, .noRobot: throw ScoringError.file(FileError(.mismatched, path: "\(data)/meta.json", e.description))
            case .robot(let name, _): throw ScoringError.invalidArgument("robot \(name) (\(data)/meta.json): \(e)")
            case .training(let cause): throw ScoringError.file(FileError(wrapping: cause, path: "\(data)/train.npz", default: .mismatched))
            }
        } catch OODBenchmarkError.regeneration(let e) {
            throw ScoringError.invalidArgument("\(data)/meta.json recipe: \(e)")
        }

        var summary = evaluation.dictionary
        (summary["model"], summary["baseline_model"], summary["data"], summary["split"]) = (r.model, r.baseline ?? NSNull(), data, r.split.rawValue)
        try AtomicFile.createDirectory(out)
        let (jsonURL, mdURL) = (out.appendingPathComponent("ood.json"), out.appendingPathComponent("ood.md"))
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])), to: jsonURL)
        // a Markdown table (printed and written beside the JSON)
        let (N, md, shifts) = (evaluation.episodes, evaluation.markdown, evaluation.report.shifts.count)
        try AtomicFile.write(Array(md.utf8), to: mdURL)
        printed("evaluate --ood: \(N) normal vs \(N) shifted episodes per shift (averaged: the pairs that end off every goal), episode score = mean window score (\(String(format: "%.1f", evaluation.seconds)) s)")
        md.split(separator: "\n", omittingEmptySubsequences: false).dropLast().forEach { printed(String($0)) }
        let (ebmWins, ebmTies, clearWins, clearLosses) = evaluation.report.comparison
        printed("best EBM detector's AUROC above every baseline on \(ebmWins) of \(shifts) shifts, tied with the best on \(ebmTies); "
                + "beyond two standard errors: above on \(clearWins), below on \(clearLosses), within noise on \(shifts - clearWins - clearLosses)")
        printed("wrote \(jsonURL.path), \(mdURL.path)")
        return evaluation
    }
}
