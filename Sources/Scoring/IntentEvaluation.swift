// IntentEvaluation: `ebm evaluate intent` as one call — which goal a partial trajectory pursues,
// from a goal-conditioned EBM (argmax over goals of −Σ window energies) beside a classifier trained
// directly on the same windows, as more states are observed and under bounded gradient attacks.

import EnergyModels
import Foundation
import Trajectories

/// The intent benchmark of a goal-conditioned energy model on a test split, its classifier baseline
/// trained on a training split.
public enum IntentEvaluation {
    /// What the benchmark measures.
    public struct Settings: Codable, Equatable, Sendable {
        /// Episodes (the test split's first N).
        public var episodes = 200
        /// Last observed state indices n (prefix s_0 … s_n); those a window cannot fill are dropped.
        public var observedSteps = [7, 10, 12, 15, 20, 25, 30, 40, 60, 100]
        /// Adam steps of the classifier baseline.
        public var classifierSteps = 2000
        /// Observed state indices of the attacked prefixes (clamped to a window and the episode).
        public var attackObserved = [20, 30]
        /// Attack radii: L∞, in training-split standard deviations per state coordinate.
        public var epsilons: [Double] = [0, 0.01, 0.02, 0.03, 0.05, 0.1]
        /// Signed-gradient steps per attack.
        public var attackIterations = 10
        public var seed: UInt64 = 1
        public init() {}

        /// Throws `ScoringError.invalidArgument` (naming `ebm evaluate`'s flags) for the first setting out of range.
        public func validate() throws {
            func require(_ ok: Bool, _ message: String) throws { guard ok else { throw ScoringError.invalidArgument(message) } }
            try require(episodes >= 1 && classifierSteps >= 1 && attackIterations >= 1,
                        "--intent-episodes, --classifier-steps and --attack-iterations must be at least 1")
            try require(!observedSteps.isEmpty && observedSteps.allSatisfy { $0 >= 0 }, "--observed-steps must list state indices ≥ 0")
            try require(!attackObserved.isEmpty && attackObserved.allSatisfy { $0 >= 0 }, "--attack-observed must list state indices ≥ 0")
            try require(!epsilons.isEmpty && epsilons.allSatisfy { $0 >= 0 && $0.isFinite }, "--epsilons must list finite radii ≥ 0")
        }
    }

    /// A failure, with the input it concerns.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// The model is not conditioned on goals alone.
        case unconditioned(ScoringError)
        /// The test split's states have `dataset` numbers, the model reads `model`.
        case stateSize(dataset: Int, model: Int)
        /// A test episode's goal label is outside the model's goals.
        case goalLabel(Int64, goals: Int)
        /// The classifier could not be trained on the training split.
        case training(ScoringError)
        /// No observed step fits a window of `window` states in episodes of `length`.
        case noObservedSteps(window: Int, length: Int)

        public var description: String {
            switch self {
            case .unconditioned(let e), .training(let e): return e.description
            case .stateSize(let d, let m): return "states have \(d) numbers, the model reads \(m)"
            case .goalLabel(let g, let G): return "goal label \(g) is outside the model's goals 0..<\(G)"
            case .noObservedSteps(let L, let T1): return "none in \(L - 1)...\(T1 - 1) (a window holds \(L) states; episodes \(T1))"
            }
        }
    }

    /// The benchmark's figures and what produced them.
    public struct Result: Codable, Equatable, Sendable {
        public var report: IntentReport
        /// Episodes, goals and states per window.
        public var episodes: Int, goals: Int, windowStates: Int
        /// The observed steps measured and the attacked prefixes' lengths.
        public var observed: [Int], attackLengths: [Int]
        /// The attack unit per state coordinate.
        public var scale: [Double]
        public var classifierHiddenWidth: Int, classifierDepth: Int
        public var trainSeconds: Double, seconds: Double

        /// `intent.json`'s keys (beside `model`, `data` and `split`, which the caller names).
        public func dictionary(settings: Settings) -> [String: Any] {
            var summary: [String: Any] = [
                "episodes": episodes, "goals": goals, "seed": Int(settings.seed),
                "window_states": windowStates, "observed_steps": observed, "chance": 1.0 / Double(goals),
                "classifier": ["hidden_width": classifierHiddenWidth, "depth": classifierDepth, "steps": settings.classifierSteps,
                               "batch": 256, "learning_rate": 1e-3, "train_seconds": trainSeconds] as [String: Any],
                "attack": ["observed_steps": attackLengths, "epsilons": settings.epsilons, "iterations": settings.attackIterations,
                           "norm": "L-infinity, per state coordinate in units of its training-split standard deviation",
                           "objective": "margin max_{g != label} score_g - score_label, signed gradient steps of 2.5 eps / iterations",
                           "scale": scale] as [String: Any],
                "seconds": seconds,
            ]
            for (i, key) in ["ebm", "classifier"].enumerated() {
                summary["\(key)_accuracy"] = report.accuracy[i]
                summary["\(key)_adversarial_accuracy"] = report.adversarialAccuracy.map { $0[i] }   // [attack length][epsilon]
            }
            return summary
        }
    }

    /// Runs the benchmark: the classifier (the EBM's width and depth) trained on every window of
    /// `train`, then both scorers on `test`'s first episodes.
    public static func run(model ebm: TrajectoryEnergyModel, test: TrajectoryDataset, train: TrajectoryDataset,
                           settings: Settings) throws -> Result {
        try settings.validate()
        let energyScorer: EnergyGoalScorer
        do { energyScorer = try EnergyGoalScorer(model: ebm) } catch let e as ScoringError { throw Failure.unconditioned(e) }
        guard test.stateSize == ebm.encoding.stateSize else { throw Failure.stateSize(dataset: test.stateSize, model: ebm.encoding.stateSize) }
        let (G, N, T1) = (ebm.encoding.goalCount, min(settings.episodes, test.episodes), test.steps + 1)
        if let bad = test.goal.prefix(N).first(where: { !(0..<Int64(G)).contains($0) }) { throw Failure.goalLabel(bad, goals: G) }
        let clock = Date()
        let L = energyScorer.windowLength
        let m = ebm.configuration
        let classifier: GoalClassifier
        do {
            let windows = try TrajectoryWindows(train, context: ebm.encoding.contextLength, future: ebm.encoding.horizon)
            classifier = try GoalClassifier(windows: windows, goalCount: G, hiddenWidth: m.hiddenWidth, depth: m.depth,
                                            steps: settings.classifierSteps, seed: settings.seed)
        } catch let e as ScoringError { throw Failure.training(e) }
        let trainSeconds = Date().timeIntervalSince(clock)
        let benchmark = IntentBenchmark(scorers: [energyScorer, classifier], test: test, episodes: N, goalCount: G)

        // accuracy vs observed states, and under bounded attacks (ε in units of each state
        // coordinate's spread in the training split)
        let observed = settings.observedSteps.filter { $0 >= L - 1 && $0 < T1 }
        guard !observed.isEmpty else { throw Failure.noObservedSteps(window: L, length: T1) }
        let scale = IntentBenchmark.attackScale(train)
        let attackLengths = settings.attackObserved.map { min(max($0, L - 1), T1 - 1) }
        let report = benchmark.report(observed: observed, attackLengths: attackLengths, epsilons: settings.epsilons, scale: scale,
                                      iterations: settings.attackIterations)
        return Result(report: report, episodes: N, goals: G, windowStates: L, observed: observed, attackLengths: attackLengths,
                      scale: scale.map(Double.init), classifierHiddenWidth: m.hiddenWidth, classifierDepth: m.depth,
                      trainSeconds: trainSeconds, seconds: Date().timeIntervalSince(clock))
    }
}
