import ArgumentParser
import EnergyModels
import Foundation
import Plotting
import Sampling
import Scene
import Scoring
import Simulation
import Trajectories

/// `ebm evaluate forecast|ood|intent`: one command per mode, each reading `Evaluate`'s options;
/// `forecast` is the default, so `ebm evaluate --ood …` and `ebm evaluate --intent …` keep working.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate", abstract: Evaluate.configuration.abstract,
                                                    discussion: Evaluate.configuration.discussion, subcommands: [Forecast.self, OOD.self, Intent.self], defaultSubcommand: Forecast.self)

    struct Forecast: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "forecast", abstract: Evaluate.configuration.abstract,
                                                        discussion: Evaluate.configuration.discussion)
        @OptionGroup var options: Evaluate
        func run() throws { try options.run() }
    }

    struct OOD: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ood", abstract: "Out-of-distribution benchmark (as `ebm evaluate --ood`).")
        @OptionGroup var options: Evaluate
        func validate() throws { guard !options.intent else { throw ValidationError("`ebm evaluate ood` takes no --intent") } }
        func run() throws { try OODEvaluation.run(options) }
    }

    struct Intent: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "intent", abstract: "Intent inference (as `ebm evaluate --intent`).")
        @OptionGroup var options: Evaluate
        func validate() throws { guard !options.ood else { throw ValidationError("`ebm evaluate intent` takes no --ood") } }
        func run() throws { try IntentEvaluation.run(options) }
    }
}

/// The options and the forecast evaluation of `ebm evaluate`: errors and mode coverage of K sampled
/// futures per test context, EBM beside a feedforward baseline; energy score and MMD against
/// re-simulated futures; long-horizon stability and physical consistency; quality vs sampler steps.
struct Evaluate: ParsableArguments {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate sampled futures: ADE/FDE, mode coverage, energy score/MMD, long-horizon stability, quality vs steps.",
        discussion: """
        For the first --episodes episodes of the split, takes the model's k first states as the context \
        and samples K futures to the end of the episode (chained H-state blocks, as `ebm predict`). \
        Errors are ‖Δstate‖ in original units. For goal datasets (goal ≥ 0) each future's final site \
        position (forward kinematics of its last qpos) is assigned to the nearest goal; goal positions are \
        the mean final site position of the dataset's episodes with that goal index. A sample is valid \
        within --radius of a goal; a goal is covered by a context when a valid sample lands on it; \
        mean_collapse is the share of samples farther than --radius from every goal.

        Distribution scores (--reference-samples M > 0): for each context, M futures re-simulated from \
        the episode's first state by the dataset's own recipe and policy (meta.json) with fresh goal and \
        noise draws. Energy score ES = (1/M)Σ_j (1/K)Σ_i ‖x_i − y_j‖ − (1/2K²)Σ_i,i' ‖x_i − x_i'‖ and \
        MMD² (Gaussian kernel, bandwidth = median pairwise distance of the pooled sets, biased \
        V-statistic), averaged over contexts, on two features: the final goal-site position (metres) and \
        the whole future (all states, each dimension divided by the training split's standard deviation). \
        The row "re-simulated" scores one half of the references against the other: the floor.

        Long horizon (--long-horizon N > 0): --long-contexts contexts × --long-samples chains rolled out to \
        N states. within_range: share of rollouts whose states so far all lie inside the training split's \
        per-dimension [min, max] widened by --range-margin × (max − min) on each side. Fréchet: squared \
        Fréchet distance (as FID) between Gaussian fits of the generated states at each step and of the \
        training split's states at the same time index; past the episode's last state the reference is the \
        training split's final states (the settled distribution); states divided by the training split's \
        per-dimension standard deviation. Physical consistency: controls implied by consecutive states \
        through inverse dynamics (RNEA), replayed open loop in the simulator from the same start \
        (divergence ‖Δstate‖ vs time) and one step from every generated state (one-step defect).

        Quality vs steps (--curve-episodes > 0): the first metrics re-measured on that many contexts for \
        each of --step-counts sampler steps per block with --curve-sampler (0 steps: the initial noise).

        Writes OUT/metrics.json and, each as .svg and .png: error_vs_horizon, stability_vs_time, \
        frechet_vs_time, physical_divergence, quality_vs_steps, ade_vs_steps.
        """)

    @Option(help: "Run folder of `ebm train --model ebm` (or its .safetensors).") var model: String
    @Option(help: "Run folder of a feedforward model to evaluate alongside.") var baseline: String?
    @Option(help: "Dataset folder.") var data: String
    @Option(help: "Split to evaluate: test or train.") var split: String = "test"
    @Option(help: "Episodes to evaluate (the split's first N).") var episodes: Int = 20
    @Option(help: "Futures K per context.") var samples: Int = 32
    @Option(help: "Sampler steps per H-state block (default: 60; for a denoising model its denoising.samplerSteps).") var steps: Int?
    @Option(help: "langevin, mala or hmc (defaults as `ebm predict`); for a denoising model also the annealed samplers, ddim or heun (default: mala, annealed-mala for a denoising model).")
    var sampler: FutureSamplerKind?
    @Option(help: "Validity radius around a goal, in metres.") var radius: Double = 0.02
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Out-of-distribution benchmark: energies of test data vs shifted trajectories (AUROC, FPR at 95% TPR).")
    var ood = false
    @Option(name: .customLong("descent-steps"), help: "--ood: steps of the 'EBM energy above descent' detector (0: leave it out).")
    var descentSteps: Int = 20
    @Flag(help: "Intent inference: goal accuracy of a goal-conditioned EBM vs a directly trained classifier, by observed states and under attacks.")
    var intent = false
    @Option(name: .customLong("intent-episodes"), help: "Episodes for --intent (the split's first N).") var intentEpisodes: Int = 200
    @Option(name: .customLong("observed-steps"), parsing: .upToNextOption, help: "--intent: last observed state indices n (prefix s_0 … s_n).")
    var observedSteps: [Int] = [7, 10, 12, 15, 20, 25, 30, 40, 60, 100]
    @Option(name: .customLong("classifier-steps"), help: "--intent: Adam steps of the classifier baseline.") var classifierSteps: Int = 2000
    @Option(name: .customLong("attack-observed"), parsing: .upToNextOption, help: "--intent: observed state indices n of the attacked prefixes.")
    var attackObserved: [Int] = [20, 30]
    @Option(name: .customLong("epsilons"), parsing: .upToNextOption, help: "--intent: attack radii, L∞ in training-std units per state coordinate.")
    var epsilons: [Double] = [0, 0.01, 0.02, 0.03, 0.05, 0.1]
    @Option(name: .customLong("attack-iterations"), help: "--intent: signed-gradient steps per attack.") var attackIterations: Int = 10
    @Option(name: .customLong("reference-samples"), help: "Re-simulated futures per context for energy score and MMD (0: skip).")
    var referenceSamples: Int = 64
    @Option(name: .customLong("long-horizon"), help: "States per long rollout (0: skip the long-horizon section).")
    var longHorizon: Int = 1000
    @Option(name: .customLong("long-contexts"), help: "Contexts (the split's first episodes) for long rollouts.")
    var longContexts: Int = 8
    @Option(name: .customLong("long-samples"), help: "EBM chains per context for long rollouts.")
    var longSamples: Int = 8
    @Option(name: .customLong("range-margin"), help: "Margin of the data's state ranges, as a fraction of each dimension's range.")
    var rangeMargin: Double = 0.1
    @Option(name: .customLong("curve-episodes"), help: "Contexts for the quality-vs-steps curve (0: skip).")
    var curveEpisodes: Int = 10
    @Option(name: .customLong("step-counts"), parsing: .upToNextOption,
            help: "Sampler steps per block for the quality-vs-steps curve (default: 0 5 10 20 40 60 120, or 0 20 50 100 200 400 for a denoising model).")
    var stepCounts: [Int] = []
    @Option(name: .customLong("curve-sampler"), help: "Sampler of the quality-vs-steps curve (default: langevin, annealed-mala for a denoising model).")
    var curveSampler: FutureSamplerKind?

    func validate() throws {
        guard episodes >= 1 else { throw ValidationError("--episodes must be at least 1") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        guard ["test", "train"].contains(split) else { throw ValidationError("--split must be test or train") }
        guard referenceSamples >= 0 else { throw ValidationError("--reference-samples must be ≥ 0") }
        guard longHorizon >= 0 else { throw ValidationError("--long-horizon must be ≥ 0") }
        guard longContexts >= 1, longSamples >= 1 else { throw ValidationError("--long-contexts and --long-samples must be at least 1") }
        guard rangeMargin >= 0, rangeMargin.isFinite else { throw ValidationError("--range-margin must be a finite number ≥ 0") }
        guard descentSteps >= 0 else { throw ValidationError("--descent-steps must be ≥ 0") }
        guard !(ood && intent) else { throw ValidationError("give --ood or --intent, not both") }
        guard intentEpisodes >= 1, classifierSteps >= 1, attackIterations >= 1 else {
            throw ValidationError("--intent-episodes, --classifier-steps and --attack-iterations must be at least 1")
        }
        guard !observedSteps.isEmpty, observedSteps.allSatisfy({ $0 >= 0 }) else { throw ValidationError("--observed-steps must list state indices ≥ 0") }
        guard !attackObserved.isEmpty, attackObserved.allSatisfy({ $0 >= 0 }) else { throw ValidationError("--attack-observed must list state indices ≥ 0") }
        guard !epsilons.isEmpty, epsilons.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw ValidationError("--epsilons must list finite radii ≥ 0") }
        guard curveEpisodes >= 0 else { throw ValidationError("--curve-episodes must be ≥ 0") }
        guard radius.isFinite, radius > 0 else { throw ValidationError("--radius \(radius) must be a finite number > 0") }
        guard samples <= 100_000, (steps ?? 0) <= 1_000_000 else { throw ValidationError("--samples must be at most 100000 and --steps at most 1000000") }
        guard stepCounts.allSatisfy({ $0 >= 0 }) else { throw ValidationError("--step-counts must list step counts ≥ 0") }
    }

    /// What every section reads: the models, the split, its goals and the sampler defaults.
    struct Setup {
        var model: FutureModel
        /// The forecast sampler and the quality-vs-steps curve's, options resolved for the model.
        var sampler: FutureSampler, curveSampler: FutureSampler
        var feedforward: FeedforwardPredictor?
        var dataset: TrajectoryDataset
        var file: URL
        var goals: GoalSet?
        /// Context states k, state size S, states per episode, future states per context.
        var k: Int, S: Int, length: Int, total: Int
        /// States `range` of episode `e`, one after the other.
        func states(_ e: Int, _ range: Range<Int>) -> [Double] { range.flatMap { Array(dataset.state(episode: e, step: $0)) } }
    }

    /// K futures of `total` states after the first states of the first `contexts` episodes.
    func sampleFutures(_ setup: Setup, contexts N: Int, chains K: Int, total: Int, sampler: FutureSampler) throws -> FutureSamples {
        do {
            return try sampler.sample(setup.model, contexts: (0..<N).flatMap { setup.states($0, 0..<setup.k) }, chainsPerContext: K,
                                      total: total, seed: seed)
        } catch { throw CLIError("\(error)") }
    }

    /// ADE/FDE and goal scores of paths (N·perContext, total, S) against the first N episodes.
    func score(_ paths: [Double], perContext: Int, contexts N: Int, _ setup: Setup) throws -> ForecastScores {
        try ForecastScores(paths: paths, perContext: perContext, truth: (0..<N).flatMap { setup.states($0, setup.k..<setup.length) },
                           contexts: N, steps: setup.total, stateSize: setup.S, goals: setup.goals, radius: radius)
    }

    /// Refuses an --out folder that is, holds or lies in an input, and models of another robot than
    /// the data's (every evaluation section runs it).
    func checkOutput() throws {
        try OutputPath.check(out, kind: .folder, inputs: [model, baseline, data])
        try InputChecks.requireSameRobot([model, baseline], data: data)
    }

    func run() throws {
        try checkOutput()
        if ood { return try OODEvaluation.run(self) }
        if intent { return try IntentEvaluation.run(self) }
        let futureModel = try Predict.loadFutureModel(model).model
        let enc = futureModel.encoding
        let (k, S) = (enc.contextLength, enc.stateSize)
        let file = URL(fileURLWithPath: data).appendingPathComponent("\(split).npz")
        let dataset: TrajectoryDataset
        do { dataset = try TrajectoryDataset(contentsOf: file) } catch { throw CLIError("\(file.path): \(error)") }
        guard dataset.stateSize == S else { throw CLIError("\(file.path): states have \(dataset.stateSize) numbers, the model reads \(S)") }
        let length = dataset.steps + 1, total = length - k, N = min(episodes, dataset.episodes), K = samples
        guard total >= 1 else { throw CLIError("\(file.path): episodes hold \(length) states, the model needs \(k) context states and one more") }

        var ff: FeedforwardPredictor?
        if let baseline {
            let loaded = try Predict.loadFeedforward(baseline)
            guard loaded.0.encoding.stateSize == S, loaded.0.encoding.contextLength <= k else {
                throw CLIError("--baseline \(baseline): reads \(loaded.0.encoding.contextLength) states of \(loaded.0.encoding.stateSize), the context offers \(k) of \(S)")
            }
            ff = loaded.0
        }
        // goals: positions from the dataset's final sites, robot from meta.json
        let chosen = try Predict.futureSampler(sampler, chainDefault: .mala, model: futureModel, steps: steps)
        let curve = try Predict.futureSampler(curveSampler, chainDefault: .langevin, model: futureModel, steps: nil)
        let setup = Setup(model: futureModel, sampler: chosen, curveSampler: curve, feedforward: ff, dataset: dataset, file: file,
                          goals: try goalSetup(dataset: dataset, file: file), k: k, S: S, length: length, total: total)
        let goals = setup.goals

        // all N × K chains sampled together
        let result = try sampleFutures(setup, contexts: N, chains: K, total: total, sampler: chosen)
        let futures = result.futures   // (N·K, total, S)
        let baselineFutures = ff.map { f in (0..<N).flatMap { FutureSampling.feedforward(f, context: setup.states($0, 0..<k), total: total) } }   // (N, total, S)

        let ebm = try score(futures, perContext: K, contexts: N, setup)
        let ffScores = try baselineFutures.map { try score($0, perContext: 1, contexts: N, setup) }

        // truth validity: how often the data's own final site lies within the radius (sanity check of the goals)
        var truthValidity: Double?
        if let goals {
            let finals = (0..<N).flatMap { setup.states($0, length - 1..<length).prefix(goals.robot.nq) }
            truthValidity = try goals.validity(qpos: Array(finals), count: N, radius: radius)
        }

        func summary(_ s: ForecastScores, k: Int) -> [String: Any] {
            var d: [String: Any] = ["samples_per_context": k, "ade_best_of_k": s.adeBest, "ade_mean": s.adeMean,
                                    "fde_best_of_k": s.fdeBest, "fde_mean": s.fdeMean]
            if goals != nil {
                d["goals_covered"] = s.goalsCovered
                d["validity"] = s.validity
                d["mean_collapse"] = 1 - s.validity
            }
            return d
        }
        var metrics: [String: Any] = [
            "model": model, "data": data, "split": split, "episodes": N, "samples": K, "sampler": chosen.kind.rawValue, "steps": chosen.steps(for: futureModel),
            "seed": Int(seed), "context_states": k, "future_states": total, "sampling_seconds": result.seconds,
            "ebm": summary(ebm, k: K),
        ]
        var curves: [String: Any] = ["step": Array(1...total), "ebm_mean": ebm.perStepMean, "ebm_best_of_k": ebm.perStepBest]
        if let baseline, let f = ffScores {
            metrics["baseline_model"] = baseline
            metrics["baseline"] = summary(f, k: 1)
            curves["baseline"] = f.perStepMean
        }
        metrics["error_vs_horizon"] = curves
        if let goals {
            metrics["goals"] = ["count": goals.positions.count, "positions": goals.positions, "site": goals.siteName,
                                "radius": radius, "truth_validity": truthValidity ?? 0] as [String: Any]
        }

        let outDir = URL(fileURLWithPath: out)
        try AtomicFile.createDirectory(outDir)
        var plotFiles: [String] = []
        var errorPlot = LinePlot(title: "error vs horizon (mean |state error|)", xLabel: "future step", yLabel: "error")
        errorPlot.series = [.init(name: "EBM mean of K", color: LinePlot.palette[0], x: (1...total).map(Double.init), y: ebm.perStepMean),
                            .init(name: "EBM best of K", color: LinePlot.palette[1], x: (1...total).map(Double.init), y: ebm.perStepBest)]
        if let f = ffScores { errorPlot.series.append(.init(name: "feedforward", color: LinePlot.palette[2], x: (1...total).map(Double.init), y: f.perStepMean)) }
        plotFiles += try errorPlot.write(to: outDir, name: "error_vs_horizon")

        // table
        print("evaluate: \(N) episodes × \(K) futures of \(total) states (\(chosen.kind.rawValue), \(chosen.steps(for: futureModel)) steps per block) in "
              + String(format: "%.1f s", result.seconds))
        let header = ["", "ADE best", "ADE mean", "FDE best", "FDE mean"] + (goals != nil ? ["goals", "valid", "collapse"] : [])
        func row(_ name: String, _ s: ForecastScores) -> [String] {
            var r = [name] + [s.adeBest, s.adeMean, s.fdeBest, s.fdeMean].map { String(format: "%.4f", $0) }
            if goals != nil { r += [String(format: "%.2f", s.goalsCovered), String(format: "%.3f", s.validity), String(format: "%.3f", 1 - s.validity)] }
            return r
        }
        var rows = [header, row("EBM", ebm)]
        if let f = ffScores { rows.append(row("feedforward", f)) }
        Self.printTable(rows)
        if let goals, let truthValidity {
            print(String(format: "goals: %d (site %@, radius %.3g m); the data's own final states are valid in %.3f", goals.positions.count, goals.siteName, radius, truthValidity))
        }

        // the further sections, each adding its metrics, plots and table
        if referenceSamples > 0 {
            metrics["distribution"] = try distributionSection(setup, contexts: N, futures: futures, perContext: K, baseline: baselineFutures)
        }
        if longHorizon > 0 {
            let (section, files) = try longHorizonSection(setup, outDir: outDir)
            metrics["long_horizon"] = section
            plotFiles += files
        }
        if curveEpisodes > 0 {
            let (section, files) = try qualityVsStepsSection(setup, contexts: min(curveEpisodes, N), baseline: baselineFutures, outDir: outDir)
            metrics["quality_vs_steps"] = section
            plotFiles += files
        }
        metrics["plots"] = plotFiles.map { URL(fileURLWithPath: $0).lastPathComponent }

        let metricsURL = outDir.appendingPathComponent("metrics.json")
        let json = try JSONSerialization.data(withJSONObject: Self.jsonSafe(metrics), options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write([UInt8](json), to: metricsURL, durable: false)
        print("wrote \(metricsURL.path), \(outDir.appendingPathComponent("error_vs_horizon.svg").path) and \(plotFiles.count - 1) more plots")
    }

    /// Rows printed as a table: the first column left-aligned in `first` characters, the others right-aligned in `other`.
    static func printTable(_ rows: [[String]], first: Int = 12, other: Int = 10) {
        for r in rows {
            print(r.enumerated().map { $0.offset == 0 ? $0.element.padding(toLength: first, withPad: " ", startingAt: 0)
                                                       : String(repeating: " ", count: max(1, other - $0.element.count)) + $0.element }.joined())
        }
    }

    /// `value` with every non-finite number replaced by null (JSON has no NaN or infinity).
    static func jsonSafe(_ value: Any) -> Any {
        switch value {
        case let d as Double: return d.isFinite ? d : NSNull()
        case let a as [Double]: return a.map { $0.isFinite ? $0 as Any : NSNull() }
        case let a as [Any]: return a.map(jsonSafe)
        case let o as [String: Any]: return o.mapValues(jsonSafe)
        default: return value
        }
    }

    /// Goal positions (mean final site of the episodes with each goal index, over the train split when present
    /// and the evaluated split), the robot and the goal site; nil when the dataset has no goals.
    func goalSetup(dataset: TrajectoryDataset, file: URL) throws -> GoalSet? {
        guard dataset.goal.contains(where: { $0 >= 0 }), dataset.siteCount > 0 else { return nil }
        guard let robotName = EpisodeFile.robotName(near: file.path) else { throw CLIError("\(data)/meta.json: no robot named; goal metrics need it") }
        let robot: RobotModel
        do { robot = try RobotModel.load(robotName) } catch { throw CLIError("robot \(robotName): \(error)") }
        guard robot.nq + robot.nv == dataset.stateSize else {
            throw CLIError("\(file.path): states have \(dataset.stateSize) numbers; meta.json's robot \(robotName) has nq + nv = \(robot.nq + robot.nv)")
        }
        // the goal site: meta.json's goals.kind "site:NAME" among site_names, else the first
        var site = 0, siteName = "0"
        if let meta = try? DatasetFolder.meta(of: URL(fileURLWithPath: data)) {
            var names: [String] = []
            if case .array(let items)? = meta["site_names"] { names = items.compactMap { if case .string(let n) = $0 { return n }; return nil } }
            siteName = names.first ?? siteName
            if case .string(let kind)? = meta["goals"]?["kind"], kind.hasPrefix("site:"),
               let i = names.firstIndex(of: String(kind.dropFirst(5))) { (site, siteName) = (i, names[i]) }
        }
        guard site < dataset.siteCount, site < robot.nsite else { throw CLIError("goal site \(site): the dataset holds \(dataset.siteCount) sites, the robot \(robot.nsite)") }
        var sources = [dataset]
        let train = URL(fileURLWithPath: data).appendingPathComponent("train.npz")
        if split != "train", FileManager.default.fileExists(atPath: train.path), let t = try? TrajectoryDataset(contentsOf: train) { sources.append(t) }
        return GoalSet(robot: robot, site: site, siteName: siteName, datasets: sources, siteCount: dataset.siteCount)
    }
}
