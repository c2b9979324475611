// ForecastEvaluation+Request: the whole forecast evaluation of `ebm evaluate` from files — a run
// folder, an optional feedforward baseline, a dataset split — to OUT/metrics.json and its plots.

import EnergyModels
import Foundation
import Sampling
import Trajectories

extension ForecastEvaluation {
    /// What to evaluate and how much of it: the inputs (paths as given), the forecast's size, the
    /// sections after it.
    public struct Request: Equatable, Sendable {
        /// Run folder (or checkpoint) of the energy model, and of a feedforward baseline (nil: none).
        public var model: String, baseline: String?
        /// Dataset folder and the split whose first `contexts` episodes are evaluated.
        public var data: String, split: Split = .test
        /// Contexts (the split's first episodes) and futures K per context.
        public var contexts = 20, samples = 32
        /// Validity radius around a goal, in metres.
        public var radius = 0.02
        public var seed: UInt64 = 1
        /// Sampler of the quality-vs-steps curve (nil: langevin, annealed-mala for a denoising model).
        public var curveSampler: FutureSamplerKind?
        public var sections = Sections()

        public init(model: String, baseline: String? = nil, data: String, split: Split = .test) {
            (self.model, self.baseline, self.data, self.split) = (model, baseline, data, split)
        }

        /// Throws the first size out of range (`RequestError`, naming `ebm evaluate`'s flag).
        public func validate() throws {
            func require(_ ok: Bool, _ setting: String, _ requirement: String) throws {
                guard ok else { throw RequestError.outOfRange(setting: setting, requirement: requirement) }
            }
            let s = sections
            try require(contexts >= 1, "--episodes", "must be at least 1")
            try require(samples >= 1, "--samples", "must be at least 1")
            try require(s.referenceSamples >= 0, "--reference-samples", "must be ≥ 0")
            try require(s.longHorizon >= 0, "--long-horizon", "must be ≥ 0")
            try require(s.longContexts >= 1 && s.longSamples >= 1, "--long-contexts and --long-samples", "must be at least 1")
            try require(s.rangeMargin >= 0 && s.rangeMargin.isFinite, "--range-margin", "must be a finite number ≥ 0")
            try require(s.curveEpisodes >= 0, "--curve-episodes", "must be ≥ 0")
            try require(radius.isFinite && radius > 0, "--radius \(radius)", "must be a finite number > 0")
            try require(s.stepCounts.allSatisfy { $0 >= 0 }, "--step-counts", "must list step counts ≥ 0")
        }
    }

    /// A request whose sizes are out of range: the setting (as `ebm evaluate`'s flag) and what it must be.
    public enum RequestError: Error, Equatable, Sendable, CustomStringConvertible {
        case outOfRange(setting: String, requirement: String)

        public var description: String {
            switch self { case .outOfRange(let setting, let requirement): return "\(setting) \(requirement)" }
        }
    }

    /// Runs `request`: loads the model, the baseline (refused unless it reads at most the model's k
    /// states of its size) and the split; samples with `sampler(model)`; runs the forecast, then the
    /// sections; writes the plots and `out`/metrics.json. Lines (summary, tables, the files written)
    /// go to `printed`; `progress` hears each section start and the end. Returns metrics.json's entries.
    @discardableResult
    public static func run(_ request: Request, sampler: (FutureModel) throws -> FutureSampler, out: URL, progress: SectionProgress? = nil,
                           printed: (String) -> Void = { _ in }) throws -> [String: Any] {
        let r = request
        let futureModel = try FutureModel.load(run: r.model).model
        let (k, S) = (futureModel.encoding.contextLength, futureModel.encoding.stateSize)
        let file = URL(fileURLWithPath: r.data).appendingPathComponent("\(r.split.rawValue).npz")
        let dataset = try TrajectoryDataset(contentsOf: file, stateSize: S)
        let length = dataset.steps + 1, total = length - k, N = min(r.contexts, dataset.episodes), K = r.samples
        guard total >= 1 else { throw ScoringError.file(FileError(.mismatched, path: file.path, "episodes hold \(length) states, the model needs \(k) context states and one more")) }
        let feedforward = try r.baseline.map { path -> FeedforwardPredictor in
            let f = try FeedforwardPredictor.load(run: path).model
            do { try f.requireContext(k, stateSize: S, run: path) } catch let e as RunFolderError { throw ScoringError.invalidArgument("--baseline \(e)") }
            return f
        }
        let evaluation = try ForecastEvaluation(model: futureModel, dataset: dataset, sampler: try sampler(futureModel),
                                                curveSampler: try FutureSampler(kind: r.curveSampler, chainDefault: .langevin, for: futureModel),
                                                feedforward: feedforward, goals: try GoalSet.load(folder: r.data, split: r.split, dataset: dataset),
                                                radius: r.radius, seed: r.seed)
        progress?.start("forecast: \(N) contexts × \(K) futures")
        let report = try evaluation.forecast(contexts: N, samples: K)
        var metrics = report.metrics(model: r.model, data: r.data, split: r.split, seed: r.seed, contextStates: k, baselineModel: r.baseline,
                                     goals: evaluation.goals, radius: r.radius)
        try AtomicFile.createDirectory(out)
        var plotFiles = try report.plots(to: out)
        printed("evaluate: \(N) episodes × \(K) futures of \(total) states (\(report.sampler.rawValue), \(report.steps) steps per block) in "
                + String(format: "%.1f s", report.seconds))
        tableLines(report.table).forEach(printed)
        if let goals = evaluation.goals, let truthValidity = report.truthValidity {
            printed(String(format: "goals: %d (site %@, radius %.3g m); the data's own final states are valid in %.3f", goals.positions.count, goals.siteName, r.radius, truthValidity))
        }
        // the further sections, each adding its metrics, plots and table
        let further = try evaluation.run(r.sections, after: report, folder: r.data, split: r.split, plotsTo: out,
                                         started: { progress?.start($0) }, printed: { $0.forEach(printed) })
        metrics.merge(further.metrics) { _, new in new }
        plotFiles += further.plots
        progress?.finish()
        metrics["plots"] = plotFiles.map { URL(fileURLWithPath: $0).lastPathComponent }
        let metricsURL = out.appendingPathComponent("metrics.json")
        try write(metrics: metrics, to: metricsURL)
        printed("wrote \(metricsURL.path), \(out.appendingPathComponent("error_vs_horizon.svg").path) and \(plotFiles.count - 1) more plots")
        return metrics
    }
}
