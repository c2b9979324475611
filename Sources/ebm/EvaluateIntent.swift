import EnergyModels
import Foundation
import Plotting
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
        let test = try ScoringInputs.dataset(command.data, split: command.split)
        let train = try ScoringInputs.dataset(command.data, split: .train)
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
        let curves = benchmark.accuracy(observed: observed)

        // bounded attacks at one observed length; ε in units of each state coordinate's spread in the training split
        let scale = IntentBenchmark.attackScale(train)
        let attackLengths = command.attackObserved.map { min(max($0, L - 1), T1 - 1) }
        // attacked[length][scorer][epsilon]
        let attacked = benchmark.adversarialAccuracy(lengths: attackLengths, epsilons: command.epsilons, scale: scale, iterations: command.attackIterations)
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
            summary["\(key)_accuracy"] = curves[i]
            summary["\(key)_adversarial_accuracy"] = attacked.map { $0[i] }   // [attack length][epsilon]
        }
        let jsonURL = outDir.appendingPathComponent("intent.json")
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])), to: jsonURL)
        let names = scorers.map(\.name)
        var written = try LinePlot(title: "Intent inference: accuracy vs observed states (\(N) episodes, \(G) goals)", xLabel: "observed state index n",
                                   yLabel: "accuracy", series: zip(names, curves).enumerated().map { i, p in
                                       LinePlot.Series(name: p.0, color: LinePlot.palette[i], x: observed.map(Double.init), y: p.1) }
                                   + [LinePlot.Series(name: "chance", color: 0x888888, x: [Double(observed.first!), Double(observed.last!)], y: [1 / Double(G), 1 / Double(G)])],
                                   yRange: 0...1).write(to: outDir, name: "intent_accuracy")
        var attackSeries: [LinePlot.Series] = []
        for (j, n) in attackLengths.enumerated() {
            for (i, name) in names.enumerated() {
                attackSeries.append(LinePlot.Series(name: "\(name), n = \(n)", color: LinePlot.palette[(i + 2 * j) % LinePlot.palette.count],
                                                    x: command.epsilons, y: attacked[j][i]))
            }
        }
        written += try LinePlot(title: "Intent under bounded attacks", xLabel: "epsilon (training std units)", yLabel: "accuracy",
                                series: attackSeries, yRange: 0...1).write(to: outDir, name: "intent_adversarial")

        print(String(format: "evaluate --intent: %d episodes, %d goals, windows of %d states; classifier trained in %.1f s; total %.1f s",
                     N, G, L, trainSeconds, seconds))
        print("| observed n | " + names.joined(separator: " | ") + " |\n|---:|" + names.map { _ in "---:" }.joined(separator: "|") + "|")
        for (j, step) in observed.enumerated() { print("| \(step) | " + curves.map { String(format: "%.3f", $0[j]) }.joined(separator: " | ") + " |") }
        for (a, n) in attackLengths.enumerated() {
            print("| ε (n = \(n)) | " + names.joined(separator: " | ") + " |\n|---:|" + names.map { _ in "---:" }.joined(separator: "|") + "|")
            for (j, epsilon) in command.epsilons.enumerated() {
                print("| \(epsilon) | " + attacked[a].map { String(format: "%.3f", $0[j]) }.joined(separator: " | ") + " |")
            }
        }
        print("wrote \(jsonURL.path), " + written.joined(separator: ", "))
    }
}
