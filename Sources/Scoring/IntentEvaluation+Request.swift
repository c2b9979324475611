// IntentEvaluation+Request: `ebm evaluate intent` from files — a goal-conditioned run folder and a
// dataset folder — to OUT/intent.json and its plots.

import EnergyModels
import Foundation
import Trajectories

extension IntentEvaluation {
    /// What to evaluate (paths as given) and what the benchmark measures.
    public struct Request: Equatable, Sendable {
        /// Run folder (or checkpoint) of the goal-conditioned energy model.
        public var model: String
        /// Dataset folder and the split evaluated; the classifier trains on its train split.
        public var data: String, split: Split = .test
        public var settings = Settings()

        public init(model: String, data: String, split: Split = .test) {
            (self.model, self.data, self.split) = (model, data, split)
        }
    }

    /// Runs `request`: loads the model and both splits, runs the benchmark (`run(model:test:train:settings:)`),
    /// writes `out`/intent.json and the plots. Lines (summary, tables, the files written) go to
    /// `printed`. A `Failure` is rethrown naming the input it concerns: `ScoringError.file` for a
    /// split, `.invalidArgument` for the model or the observed steps.
    @discardableResult
    public static func run(_ request: Request, out: URL, printed: (String) -> Void = { _ in }) throws -> Result {
        let r = request
        let ebm = try TrajectoryEnergyModel.load(run: r.model, conditioned: true).model
        let test = try TrajectoryDataset(folder: r.data, split: r.split)
        let train = try TrajectoryDataset(folder: r.data, split: .train)
        let result: Result
        do { result = try run(model: ebm, test: test, train: train, settings: r.settings) } catch let e as Failure {
            switch e {
            case .unconditioned: throw ScoringError.invalidArgument("--model \(r.model): \(e)")
            case .stateSize, .goalLabel: throw ScoringError.file(FileError(.mismatched, path: "\(r.data)/\(r.split.rawValue).npz", e.description))
            case .training(let cause): throw ScoringError.file(FileError(wrapping: cause, path: "\(r.data)/train.npz", default: .mismatched))
            case .noObservedSteps: throw ScoringError.invalidArgument("--observed-steps: \(e)")
            }
        }
        try AtomicFile.createDirectory(out)
        var summary = result.dictionary(settings: r.settings)
        (summary["model"], summary["data"], summary["split"]) = (r.model, r.data, r.split.rawValue)
        let jsonURL = out.appendingPathComponent("intent.json")
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])), to: jsonURL)
        let written = try result.report.plots(to: out)
        printed(String(format: "evaluate --intent: %d episodes, %d goals, windows of %d states; classifier trained in %.1f s; total %.1f s",
                       result.episodes, result.goals, result.windowStates, result.trainSeconds, result.seconds))
        result.report.markdown.split(separator: "\n", omittingEmptySubsequences: false).dropLast().forEach { printed(String($0)) }
        printed("wrote \(jsonURL.path), " + written.joined(separator: ", "))
        return result
    }
}
