import EnergyModels
import Foundation
import Scoring
import Trajectories

/// `ebm evaluate intent` (or `--intent`): `Scoring.IntentEvaluation` on the command's files.
enum IntentEvaluationCommand {
    static func run(_ command: Evaluate) throws {
        try command.checkOutput()
        let ebm = try TrajectoryEnergyModel.load(run: command.model, conditioned: true).model
        let test = try TrajectoryDataset(folder: command.data, split: command.split)
        let train = try TrajectoryDataset(folder: command.data, split: .train)
        var settings = IntentEvaluation.Settings()
        (settings.episodes, settings.observedSteps, settings.classifierSteps) = (command.intentEpisodes, command.observedSteps, command.classifierSteps)
        (settings.attackObserved, settings.epsilons, settings.attackIterations, settings.seed) = (command.attackObserved, command.epsilons, command.attackIterations, command.seed)
        let result: IntentEvaluation.Result
        do { result = try IntentEvaluation.run(model: ebm, test: test, train: train, settings: settings) } catch let e as IntentEvaluation.Failure {
            switch e {
            case .unconditioned: throw CLIError.failed("--model \(command.model): \(e)")
            case .stateSize, .goalLabel: throw CLIError.failed("\(command.data)/\(command.split.rawValue).npz: \(e)")
            case .training: throw CLIError.failed("\(command.data)/train.npz: \(e)")
            case .noObservedSteps: throw CLIError.failed("--observed-steps: \(e)")
            }
        }
        let outDir = URL(fileURLWithPath: command.out)
        try AtomicFile.createDirectory(outDir)
        var summary = result.dictionary(settings: settings)
        (summary["model"], summary["data"], summary["split"]) = (command.model, command.data, command.split.rawValue)
        let jsonURL = outDir.appendingPathComponent("intent.json")
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])), to: jsonURL)
        let written = try result.report.plots(to: outDir)
        print(String(format: "evaluate --intent: %d episodes, %d goals, windows of %d states; classifier trained in %.1f s; total %.1f s",
                     result.episodes, result.goals, result.windowStates, result.trainSeconds, result.seconds))
        print(result.report.markdown, terminator: "")
        print("wrote \(jsonURL.path), " + written.joined(separator: ", "))
    }
}
