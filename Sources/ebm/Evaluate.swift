import ArgumentParser
import EnergyModels
import Foundation
import Sampling
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
        func run() throws { try options.runOOD() }
    }

    struct Intent: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "intent", abstract: "Intent inference (as `ebm evaluate --intent`).")
        @OptionGroup var options: Evaluate
        func validate() throws { guard !options.ood else { throw ValidationError("`ebm evaluate intent` takes no --ood") } }
        func run() throws { try options.runIntent() }
    }
}

/// The options and the forecast evaluation of `ebm evaluate`: errors and mode coverage of K sampled
/// futures per test context, EBM beside a feedforward baseline; energy score and MMD against
/// re-simulated futures; long-horizon stability and physical consistency; quality vs sampler steps.
struct Evaluate: ParsableArguments {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate sampled futures: ADE/FDE, mode coverage, energy score/MMD, long-horizon stability, quality vs steps.",
        discussion: """
        Samples K futures for each of the split's first --episodes contexts (chained H-state blocks, as \
        `ebm predict`) and writes OUT/metrics.json with SVG/PNG plots. Sections: forecast errors and goal \
        coverage; energy score / MMD² against re-simulated futures (--reference-samples); long-horizon \
        stability, Fréchet distance and physical consistency (--long-horizon); quality vs sampler steps \
        (--curve-episodes). Definitions: Sources/Scoring/README.md.
        """)

    @Option(help: "Run folder of `ebm train --model ebm` (or its .safetensors).") var model: String
    @Option(help: "Run folder of a feedforward model to evaluate alongside.") var baseline: String?
    @OptionGroup var input: DataOptions
    var data: String { input.data }
    var split: Split { input.split }
    @Option(help: "Episodes to evaluate (the split's first N).") var episodes: Int = 20
    @Option(help: "Futures K per context.") var samples: Int = 32
    @OptionGroup var sampling: SamplerOptions
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

    /// The forecast evaluation these options ask for (`ForecastEvaluation.Request`).
    var request: ForecastEvaluation.Request {
        var r = ForecastEvaluation.Request(model: model, baseline: baseline, data: data, split: split)
        (r.contexts, r.samples, r.radius, r.seed, r.curveSampler) = (episodes, samples, radius, seed, curveSampler)
        (r.sections.referenceSamples, r.sections.longHorizon, r.sections.longContexts, r.sections.longSamples) = (referenceSamples, longHorizon, longContexts, longSamples)
        (r.sections.rangeMargin, r.sections.curveEpisodes, r.sections.stepCounts) = (rangeMargin, curveEpisodes, stepCounts)
        return r
    }

    func validate() throws {
        do { try request.validate() } catch let e as ForecastEvaluation.RequestError { throw ValidationError(e.description) }
        let steps = sampling.steps
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        guard descentSteps >= 0 else { throw ValidationError("--descent-steps must be ≥ 0") }
        guard !(ood && intent) else { throw ValidationError("give --ood or --intent, not both") }
        do { try intentRequest.settings.validate() } catch let e as ScoringError { throw ValidationError(e.description) }
        guard samples <= 100_000, (steps ?? 0) <= 1_000_000 else { throw ValidationError("--samples must be at most 100000 and --steps at most 1000000") }
    }

    /// Refuses an --out folder that is, holds or lies in an input, and models of another robot than
    /// the data's (every evaluation section runs it).
    func checkOutput() throws {
        try OutputPath.check(out, kind: .folder, inputs: [model, baseline, data])
        try RunFolder.requireSameRobot([model, baseline], data: data)
    }

    func run() throws {
        if ood { return try runOOD() }
        if intent { return try runIntent() }
        try checkOutput()
        let request = self.request
        // one progress line per section on standard error (long evaluations are otherwise silent in a log)
        try ForecastEvaluation.run(request, sampler: { try sampling.sampler(chainDefault: .mala, for: $0) }, out: URL(fileURLWithPath: out),
                                   progress: SectionProgress(command: "evaluate", sections: request.sections.count)) { print($0) }
    }

    /// `ebm evaluate ood` (or `--ood`): `OODBenchmark.run` on these options.
    func runOOD() throws {
        try checkOutput()
        var r = OODBenchmark.Request(model: model, baseline: baseline, data: data, split: split)
        (r.episodes, r.descentSteps, r.seed) = (episodes, descentSteps, seed)
        try OODBenchmark.run(r, out: URL(fileURLWithPath: out), progress: ProgressBar.reporter(unit: "steps (normal episodes, then each shift)")) { print($0) }
    }

    /// The intent evaluation these options ask for (`IntentEvaluation.Request`).
    var intentRequest: IntentEvaluation.Request {
        var r = IntentEvaluation.Request(model: model, data: data, split: split)
        (r.settings.episodes, r.settings.observedSteps, r.settings.classifierSteps) = (intentEpisodes, observedSteps, classifierSteps)
        (r.settings.attackObserved, r.settings.epsilons, r.settings.attackIterations, r.settings.seed) = (attackObserved, epsilons, attackIterations, seed)
        return r
    }

    /// `ebm evaluate intent` (or `--intent`): `IntentEvaluation.run` on these options.
    func runIntent() throws {
        try checkOutput()
        try IntentEvaluation.run(intentRequest, out: URL(fileURLWithPath: out)) { print($0) }
    }
}
