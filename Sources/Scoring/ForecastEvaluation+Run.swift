// ForecastEvaluation+Run: the sections `ebm evaluate` runs after the forecast, in order, each
// printed as it finishes: distribution scores against re-simulated futures, long-horizon
// stability, quality vs sampler steps.

import Foundation
import Trajectories

extension ForecastEvaluation {
    /// The sizes of the sections after the forecast; 0 skips a section.
    public struct Sections: Codable, Equatable, Sendable {
        /// Re-simulated futures per context for energy score and MMD.
        public var referenceSamples = 64
        /// States per long rollout, its contexts and chains per context, and the margin of the data's
        /// state ranges (a fraction of each dimension's range).
        public var longHorizon = 1000, longContexts = 8, longSamples = 8, rangeMargin = 0.1
        /// Contexts of the quality-vs-steps curve, and its sampler steps per block (empty: `defaultStepCounts`).
        public var curveEpisodes = 10, stepCounts: [Int] = []
        public init() {}

        /// Sections run, the forecast included.
        public var count: Int { 1 + [referenceSamples, longHorizon, curveEpisodes].filter { $0 > 0 }.count }
    }

    /// Runs `sections` after `forecast` on the dataset folder `folder` (its meta.json's recipe
    /// re-simulates the references; its train split is the reference of ranges and Fréchet), writing
    /// plots into `dir`. `started` hears each section's name as it starts, `printed` its lines (heading,
    /// table, footnote) as it ends. Returns the metrics.json entries and the plot files written.
    public func run(_ sections: Sections, after forecast: ForecastReport, folder: String, split: Split, plotsTo dir: URL,
                    started: (String) -> Void = { _ in }, printed: ([String]) -> Void = { _ in }) throws -> (metrics: [String: Any], plots: [String]) {
        var metrics: [String: Any] = [:], plots: [String] = []
        let s = sections
        let reference = try Self.referenceSplit(folder: folder, split: split, evaluated: dataset, stateSize: S,
                                                needed: s.referenceSamples > 0 || s.longHorizon > 0)
        if s.referenceSamples > 0 {
            let simulator = try ReferenceSimulator(dataFolder: folder)
            let robot = simulator.model
            guard simulator.steps + 1 == length, robot.nq + robot.nv == S else {
                let file = URL(fileURLWithPath: folder).appendingPathComponent("\(split.rawValue).npz").path
                throw ScoringError.file(FileError(.mismatched, path: "\(folder)/meta.json", "its recipe makes \(simulator.steps + 1) states of \(robot.nq + robot.nv) numbers, \(file) holds \(length) of \(S)"))
            }
            started("distribution against \(s.referenceSamples) re-simulated futures per context")
            let section = try distribution(of: forecast, simulator: simulator, referenceSamples: s.referenceSamples, reference: reference)
            printed([section.heading] + Self.tableLines(section.table))
            metrics["distribution"] = section.dictionary
        }
        if s.longHorizon > 0 {
            // the simulator of the dataset's recipe, when its meta.json names one
            let physics = (try? ReferenceSimulator(dataFolder: folder)).flatMap { $0.model.nq + $0.model.nv == S && $0.model.nq == $0.model.nv ? $0.model : nil }
            started("long horizon: \(s.longContexts) contexts × \(s.longSamples) chains of \(s.longHorizon) states")
            let section = try longHorizon(states: s.longHorizon, contexts: s.longContexts, chains: s.longSamples, margin: s.rangeMargin,
                                          reference: reference, physics: physics)
            printed([section.heading] + Self.tableLines(section.table, first: 12, other: 14) + [section.footnote])
            metrics["long_horizon"] = section.dictionary
            plots += try section.plots(to: dir)
        }
        if s.curveEpisodes > 0 {
            started("quality vs steps")
            let section = try qualityVsSteps(contexts: min(s.curveEpisodes, forecast.contexts), samples: forecast.samplesPerContext,
                                             stepCounts: s.stepCounts.isEmpty ? defaultStepCounts : s.stepCounts, baselineFutures: forecast.baselineFutures)
            printed([section.heading] + Self.tableLines(section.table))
            metrics["quality_vs_steps"] = section.dictionary
            plots += try section.plots(to: dir)
        }
        return (metrics, plots)
    }
}
