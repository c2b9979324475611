import EnergyModels
import Foundation
import Scoring
import Trajectories

/// `ebm evaluate --intent`: which goal a partial trajectory pursues, from a goal-conditioned EBM
/// (argmax over goals of −Σ window energies) beside a classifier trained directly on the same
/// windows, as more states are observed, and under bounded gradient attacks on the observed states.
enum IntentEvaluation {
    static func run(_ command: Evaluate) throws {
        try command.checkOutput()
        let ebm = try TrajectoryEnergyModel.load(run: command.model, conditioned: true).model
        let energyScorer: EnergyGoalScorer
        do { energyScorer = try EnergyGoalScorer(model: ebm) } catch let e as ScoringError { throw CLIError("--model \(command.model): \(e)") }
        let test = try TrajectoryDataset(folder: command.data, split: command.split)
        let train = try TrajectoryDataset(folder: command.data, split: .train)
        let testFile = "\(command.data)/\(command.split.rawValue).npz"
        guard test.stateSize == ebm.encoding.stateSize else {
            throw CLIError("\(testFile): states have \(test.stateSize) numbers, the model reads \(ebm.encoding.stateSize)")
        }
        let G = ebm.encoding.goalCount
        let N = min(command.intentEpisodes, test.episodes)
        if let bad = test.goal.prefix(N).first(where: { !(0..<Int64(G)).contains($0) }) {
            throw CLIError("\(testFile): goal label \(bad) is outside the model's goals 0..<\(G)")
        }
        try evaluate(command, ebm: ebm, energyScorer: energyScorer, test: test, train: train, N: N)
    }

    private static func evaluate(_ command: Evaluate, ebm: TrajectoryEnergyModel, energyScorer: EnergyGoalScorer,
                                 test: TrajectoryDataset, train: TrajectoryDataset, N: Int) throws {
        let clock = Date()
        let (G, T1) = (ebm.encoding.goalCount, test.steps + 1)
        let L = energyScorer.windowLength
        let classifier: GoalClassifier
        do {
            let windows = try TrajectoryWindows(train, context: ebm.encoding.contextLength, future: ebm.encoding.horizon)
            let m = ebm.configuration
            classifier = try GoalClassifier(windows: windows, goalCount: G, hiddenWidth: m.hiddenWidth, depth: m.depth,
                                            steps: command.classifierSteps, seed: command.seed)
        } catch let e as ScoringError { throw CLIError("\(command.data)/train.npz: \(e)") }
        let trainSeconds = Date().timeIntervalSince(clock)
        let scorers: [any GoalScorer] = [energyScorer, classifier]
        let benchmark = IntentBenchmark(scorers: scorers, test: test, episodes: N, goalCount: G)

        // accuracy vs observed states
        let observed = command.observedSteps.filter { $0 >= L - 1 && $0 < T1 }
        guard !observed.isEmpty else { throw CLIError("--observed-steps: none in \(L - 1)...\(T1 - 1) (a window holds \(L) states; episodes \(T1))") }
        // and under bounded attacks; ε in units of each state coordinate's spread in the training split
        let scale = IntentBenchmark.attackScale(train)
        let attackLengths = command.attackObserved.map { min(max($0, L - 1), T1 - 1) }
        let report = benchmark.report(observed: observed, attackLengths: attackLengths, epsilons: command.epsilons, scale: scale,
                                      iterations: command.attackIterations)
        let seconds = Date().timeIntervalSince(clock)

        let outDir = URL(fileURLWithPath: command.out)
        try AtomicFile.createDirectory(outDir)
        let keys = ["ebm", "classifier"]
        var summary: [String: Any] = [
            "model": command.model, "data": command.data, "split": command.split.rawValue, "episodes": N, "goals": G, "seed": Int(command.seed),
            "window_states": L, "observed_steps": observed, "chance": 1.0 / Double(G),
            "classifier": ["hidden_width": ebm.configuration.hiddenWidth, "depth": ebm.configuration.depth, "steps": command.classifierSteps,
                           "batch": 256, "learning_rate": 1e-3, "train_seconds": trainSeconds] as [String: Any],
            "attack": ["observed_steps": attackLengths, "epsilons": command.epsilons, "iterations": command.attackIterations,
                       "norm": "L-infinity, per state coordinate in units of its training-split standard deviation",
                       "objective": "margin max_{g != label} score_g - score_label, signed gradient steps of 2.5 eps / iterations",
                       "scale": scale.map(Double.init)] as [String: Any],
            "seconds": seconds,
        ]
        for (i, key) in keys.enumerated() {
            summary["\(key)_accuracy"] = report.accuracy[i]
            summary["\(key)_adversarial_accuracy"] = report.adversarialAccuracy.map { $0[i] }   // [attack length][epsilon]
        }
        let jsonURL = outDir.appendingPathComponent("intent.json")
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])), to: jsonURL)
        let written = try report.plots(to: outDir)

        print(String(format: "evaluate --intent: %d episodes, %d goals, windows of %d states; classifier trained in %.1f s; total %.1f s",
                     N, G, L, trainSeconds, seconds))
        print(report.markdown, terminator: "")
        print("wrote \(jsonURL.path), " + written.joined(separator: ", "))
    }
}
