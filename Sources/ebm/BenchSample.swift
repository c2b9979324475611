import ArgumentParser
import EnergyModels
import Foundation
import NeuralCore
import Sampling

/// `ebm bench sample`: futures per second of the future sampler (K chains × N sampler steps for one
/// H-state block) on a one-step and an H = 16 energy model, on 1 thread and on all threads.
///
/// The sampler's own loop (drift, noise, accept/reject) runs on one thread; the cores work inside
/// the energy network's batched forward/backward (NeuralCore `Threading`). `.automatic` keeps
/// batches under 32 rows per core on one thread, so 32 chains would never split: "all threads"
/// here forces `.batchSplit` over every core, and the table shows whether that pays.
struct BenchSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Futures/s of K chains × N sampler steps on a one-step (H = 1) and an H = 16 model, 1 thread and all threads.",
        discussion: """
        Without --model, measures untrained models with --config's architecture (width, depth, k) at \
        H = 1 and H = 16 and --state-size numbers per state: the cost does not depend on the weights. \
        With --model, measures those runs' trained models (each at its own H), contexts at the data mean.
        """)

    @Option(parsing: .upToNextOption, help: "Run folders (or .safetensors) of `ebm train --model ebm` to measure instead of the default pair.")
    var model: [String] = []
    @Option(help: "Training configuration of the default models' architecture and Langevin settings.")
    var config: String = "trajectories/reacher2-goals4-cd.train.json"
    @Option(name: .customLong("state-size"), help: "Numbers per state of the default models (reacher2: 4).") var stateSize: Int = 4
    @Option(parsing: .upToNextOption, help: "Horizons H of the default models.") var horizons: [Int] = [1, 16]
    @Option(help: "Chains K (futures per run).") var samples: Int = 32
    @Option(help: "Sampler steps per run.") var steps: Int = 60
    @Option(help: "langevin, mala or hmc (defaults as `ebm predict`; for a denoising model also the annealed samplers, ddim or heun).")
    var sampler: FutureSamplerKind = .langevin
    @Option(parsing: .upToNextOption, help: "Thread counts to measure (default: 1 and every core).") var threads: [Int] = []
    @Option(name: .customLong("min-time"), help: "Minimum seconds of measurement per row.") var minTime: Double = 1
    @Flag(help: "Print one JSON array instead of a table.") var json = false

    func validate() throws {
        guard samples >= 1, steps >= 1 else { throw ValidationError("--samples and --steps must be at least 1") }
        guard stateSize >= 1 else { throw ValidationError("--state-size must be at least 1") }
        guard !horizons.isEmpty, horizons.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--horizons must list horizons ≥ 1") }
        guard minTime > 0, minTime.isFinite else { throw ValidationError("--min-time must be a positive number of seconds") }
        for t in threads where t < 1 { throw ValidationError("--threads \(t) must be ≥ 1") }
    }

    func run() throws {
        let models = try SamplerBenchmark.models(runs: model, configuration: config, stateSize: stateSize, horizons: horizons)
        let counts = threads.isEmpty ? Array(Set([1, Threading.availableCores])).sorted() : threads
        var rows: [SamplerBenchmark.Row] = []
        if !json { print("bench sample: \(samples) futures × \(steps) \(sampler.rawValue) steps per run, wall clock, \(Threading.availableCores) cores") }
        for (name, futureModel) in models {
            let chosen = try FutureSampler(kind: sampler, chainDefault: .langevin, for: futureModel, steps: steps)
            for t in counts {
                let row = try SamplerBenchmark.measure(futureModel, name: name, sampler: chosen, samples: samples, steps: steps, threads: t, minTime: minTime)
                rows.append(row)
                if !json { print(row.line) }
            }
        }
        if json { print(try SamplerBenchmark.json(rows)) }
    }
}
