import EnergyModels
import Foundation
import Sampling
import Scoring
import Trajectories

/// `ebm evaluate ood` (or `--ood`): `OODBenchmark.evaluate` on the command's files — test episodes
/// against shifted ones (physics, controller, time reversal, averaging, glitches, noise), each
/// detector's episode score → AUROC and FPR at 95% TPR.
enum OODEvaluationCommand {
    static func run(_ command: Evaluate) throws {
        try command.checkOutput()
        let data = command.data
        let futureModel = try FutureModel.load(from: RunFolder.existingCheckpoint(command.model)).model
        let test = try TrajectoryDataset(folder: data, split: command.split)
        let meta: JSONValue
        do { meta = try DatasetFolder.meta(of: URL(fileURLWithPath: data)) } catch { throw CLIError.file(FileError(wrapping: error, path: "\(data)/meta.json")) }
        let feedforward = try command.baseline.map { try FeedforwardPredictor.load(run: $0, conditioned: true).model }
        let train = try TrajectoryDataset(folder: data, split: .train)
        let goals = try GoalSet.load(folder: data, split: command.split, dataset: test)
        let evaluation: OODBenchmark.Evaluation
        do {
            evaluation = try OODBenchmark.evaluate(futureModel, test: test, train: train, meta: meta, goals: goals,
                                                   episodes: command.episodes, descentSteps: command.descentSteps, feedforward: feedforward, seed: command.seed,
                                                   progress: ProgressBar.reporter(unit: "steps (normal episodes, then each shift)"))
        } catch let e as OODBenchmark.EvaluationFailure {
            switch e {
            case .noRecipe, .noRobot: throw CLIError.failed("\(data)/meta.json: \(e)")
            case .robot(let name, _): throw CLIError.failed("robot \(name) (\(data)/meta.json): \(e)")
            case .training: throw CLIError.failed("\(data)/train.npz: \(e)")
            }
        } catch OODBenchmarkError.regeneration(let e) {
            throw CLIError.failed("\(data)/meta.json recipe: \(e)")
        } catch { throw CLIError.failed("\(error)") }

        var summary = evaluation.dictionary
        (summary["model"], summary["baseline_model"], summary["data"], summary["split"]) = (command.model, command.baseline ?? NSNull(), data, command.split.rawValue)
        let outDir = URL(fileURLWithPath: command.out)
        try AtomicFile.createDirectory(outDir)
        let jsonURL = outDir.appendingPathComponent("ood.json")
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])), to: jsonURL)

        // a Markdown table (printed and written beside the JSON)
        let (N, md, shifts) = (evaluation.episodes, evaluation.markdown, evaluation.report.shifts.count)
        try AtomicFile.write(Array(md.utf8), to: outDir.appendingPathComponent("ood.md"))
        print("evaluate --ood: \(N) normal vs \(N) shifted episodes per shift (averaged: the pairs that end off every goal), episode score = mean window score (\(String(format: "%.1f", evaluation.seconds)) s)")
        print(md, terminator: "")
        let (ebmWins, ebmTies, clearWins, clearLosses) = evaluation.report.comparison
        print("best EBM detector's AUROC above every baseline on \(ebmWins) of \(shifts) shifts, tied with the best on \(ebmTies); "
              + "beyond two standard errors: above on \(clearWins), below on \(clearLosses), within noise on \(shifts - clearWins - clearLosses)")
        print("wrote \(jsonURL.path), \(outDir.appendingPathComponent("ood.md").path)")
    }
}
