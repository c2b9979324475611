import ArgumentParser
import EnergyModels
import Foundation
import Sampling
import Scene
import Scoring
import Simulation
import Trajectories

/// `ebm predict`: K sampled futures of a trained energy model for one context of a dataset.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sample K futures of a trained energy model for one context (Langevin, MALA or HMC).",
        discussion: """
        Context: the k states of --episode from --context-start; H-state blocks are chained when --horizon \
        exceeds H. Writes --out (.npz, float64): context [k, S], truth [H', S] (where the episode has it), \
        samples and futures [K, horizon, S], energies [K], baseline [horizon, S] (--baseline), qpos \
        [K, 1+horizon, nq] and sites [K, horizon, nsite, 3] (for `ebm view`; need the dataset's robot), \
        diagnostics_{mean_energy,gradient_norm,acceptance,step_size,block} [N].
        """)

    @Option(help: "Run folder of `ebm train --model ebm` (or its .safetensors).") var model: String
    @OptionGroup var window: WindowOptions
    @Option(help: "Futures K (chains).") var samples: Int = 32
    @Option(help: "Future states to generate (default: the model's H).") var horizon: Int?
    @Option(help: "Run folder of a feedforward model to predict alongside.") var baseline: String?
    @Option(help: "Output .npz.") var out: String
    @OptionGroup var sampling: SamplerOptions
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        let steps = sampling.steps
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let horizon, horizon < 1 { throw ValidationError("--horizon must be at least 1") }
        // upper bounds (issue 18): --steps 1e12 ran silently for ever
        guard samples <= 100_000, (steps ?? 1) <= 1_000_000, (horizon ?? 1) <= 100_000 else {
            throw ValidationError("--samples must be at most 100000, --steps at most 1000000 and --horizon at most 100000")
        }
    }

    func run() throws {
        let (data, split, episode, contextStart) = (window.dataset.data, window.dataset.split, window.episode, window.contextStart)
        try OutputPath.check(out, inputs: [model, data, baseline])
        try RunFolder.requireSameRobot([model, baseline], data: data)
        let (futureModel, _) = try FutureModel.load(run: model)
        let enc = futureModel.encoding
        let (k, H, S) = (enc.contextLength, enc.horizon, enc.stateSize)
        let total = horizon ?? H
        let file = URL(fileURLWithPath: data).appendingPathComponent("\(split.rawValue).npz")
        let dataset = try TrajectoryDataset(contentsOf: file, stateSize: S)
        let (context, truth) = try dataset.window(episode: episode, contextStart: contextStart, contextLength: k, total: total, file: file.path)

        // sample block after block, each chain continuing from its own last k states
        let K = samples
        let chosen = try sampling.sampler(chainDefault: .langevin, for: futureModel)
        let temperature = chosen.temperature(for: futureModel)
        guard temperature.isFinite && temperature > 0 else { throw CLIError.failed("--temperature \(temperature): must be positive") }
        let result: FutureSamples
        let bar = ProgressBar(total: (total + H - 1) / H, unit: "blocks")
        do {
            result = try chosen.sample(futureModel, contexts: context, chainsPerContext: K, total: total, seed: seed) { done, _ in bar.update(done) }
        } catch { throw CLIError.failed("\(error)") }
        let (sampled, energies) = (result.futures, result.energies)

        // the feedforward prediction, chained the same way
        var baselineStates: [Double]?
        if let baseline {
            let ff = try FeedforwardPredictor.load(run: baseline).model
            do { baselineStates = try ff.rollout(dataset: dataset, episode: episode, contextEnd: contextStart + k, total: total, run: baseline) }
            catch let e as RunFolderError { throw CLIError.failed("--baseline \(e)") }
        }

        // the file: futures, baseline, positions for the viewer (the current state, then each future), diagnostics
        let written = try PredictionFile.arrays(context: context, futures: sampled, energies: energies, truth: truth, chains: K, total: total, stateSize: S,
                                                extra: baselineStates.map { [("baseline", .doubles($0, shape: [total, S]))] } ?? [], nearDataset: file.path)
        if let warning = written.warning { fputs("warning: \(warning)\n", stderr) }
        try NPZWriter.write(written.arrays + result.diagnosticArrays(energyScale: temperature), to: URL(fileURLWithPath: out))

        // summary: speed, energies, acceptance and the error against the real future
        print(result.summaryLine(sampler: chosen.kind, chains: K, total: total, horizon: H))
        if let warning = chosen.stuckWarning(result, model: futureModel) { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        SampleMetrics.truthErrors(futures: sampled, chains: K, total: total, truth: truth, baseline: baselineStates, stateSize: S).map { print($0.line) }
        print("wrote \(out)")
    }
}
