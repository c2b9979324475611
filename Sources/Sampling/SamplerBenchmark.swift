// SamplerBenchmark: futures per second of K chains × N sampler steps (`ebm bench sample`), on
// trained models or on untrained ones of a configuration's architecture (the cost does not
// depend on the weights).

import EnergyModels
import Foundation
import NeuralCore

/// The timing of `ebm bench sample`.
public enum SamplerBenchmark {
    /// One measurement, its keys spelled as `ebm bench sample --json` writes them.
    public struct Row: Codable, Equatable, Sendable {
        public var model: String, horizon: Int, samples: Int, steps: Int, sampler: String, threads: Int, threading: String
        public var futures_per_second: Double, states_per_second: Double, milliseconds_per_step: Double

        /// The row of `ebm bench sample`'s table.
        public var line: String {
            String(format: "%-28@ H %2d  threads %2d  %10.1f futures/s  %10.1f states/s  %7.3f ms/step",
                   model as NSString, horizon, threads, futures_per_second, states_per_second, milliseconds_per_step)
        }
    }

    /// `rows` as `ebm bench sample --json` prints them: one JSON array, keys sorted.
    public static func json(_ rows: [Row]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }

    /// Untrained contrastive models of `configuration`'s architecture and Langevin settings, one per
    /// horizon H, reading `stateSize` numbers per state with an identity normalisation.
    public static func untrainedModels(configuration: TrainingConfiguration, stateSize: Int, horizons: [Int]) -> [(name: String, model: FutureModel)] {
        horizons.map { H in
            var architecture = configuration.model
            architecture.horizon = H
            let width = (architecture.contextLength + H) * stateSize
            let encoding = WindowEncoding(stateSize: stateSize, contextLength: architecture.contextLength, horizon: H, futureAsDelta: architecture.futureAsDelta,
                                          mean: [Float](repeating: 0, count: width), standardDeviation: [Float](repeating: 1, count: width))
            return ("untrained H=\(H)", .contrastive(TrajectoryEnergyModel(configuration: architecture, encoding: encoding, seed: configuration.seed),
                                                     langevin: configuration.langevin))
        }
    }

    /// The models `ebm bench sample` measures: those of the run folders `runs`, named by path; with
    /// none, `untrainedModels` of the configuration file at `configuration` (a `SamplingError` naming
    /// --config when it does not load).
    public static func models(runs: [String], configuration path: String, stateSize: Int, horizons: [Int]) throws -> [(name: String, model: FutureModel)] {
        guard runs.isEmpty else { return try runs.map { ($0, try FutureModel.load(run: $0).model) } }
        let configuration: TrainingConfiguration
        do { configuration = try TrainingConfiguration.load(from: URL(fileURLWithPath: path)) } catch { throw SamplingError.invalidArgument("--config \(path): \(error)") }
        return untrainedModels(configuration: configuration, stateSize: stateSize, horizons: horizons)
    }

    /// `sampler` drawing `samples` futures of one H-state block of `model` on `threads` threads
    /// (1: single, else the batch split), the context at the data mean (raw units): one warm-up
    /// run, then runs until `minTime` seconds (wall clock) have passed. The model's threading is
    /// automatic afterwards.
    public static func measure(_ model: FutureModel, name: String, sampler: FutureSampler, samples: Int, steps: Int, threads t: Int,
                               minTime: Double) throws -> Row {
        let enc = model.encoding
        let context = (0..<enc.contextWidth).map { Double(enc.mean[$0]) }
        model.network.threading = t == 1 ? .single : .batchSplit(threads: t)
        defer { model.network.threading = .automatic }
        func once() throws -> Double {
            try sampler.sample(model, contexts: context, chainsPerContext: samples, total: enc.horizon, seed: 1).seconds
        }
        _ = try once()   // warm-up: allocations, thread pool
        var (runs, elapsed) = (0, 0.0)
        repeat { elapsed += try once(); runs += 1 } while elapsed < minTime
        let rate = Double(runs * samples) / elapsed
        return Row(model: name, horizon: enc.horizon, samples: samples, steps: steps, sampler: sampler.kind.rawValue, threads: t,
                   threading: t == 1 ? "single" : "batchSplit(\(t))", futures_per_second: rate,
                   states_per_second: rate * Double(enc.horizon), milliseconds_per_step: 1000 * elapsed / Double(runs * steps))
    }
}
