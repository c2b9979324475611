import ArgumentParser
import EnergyModels
import Foundation
import Sampling
import Scene
import Scoring
import Trajectories

/// `ebm compose`: futures sampled from a product of experts, Σ wᵢ E_i(future | context).
struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sample futures from the sum of several energy models' energies (a product of experts).",
        discussion: """
        Experts: all contrastive-divergence or all denoising models, sharing H and S; each reads its own \
        last k states of the same raw context and scores the raw futures (models of different data compose). \
        Energies are weighted by --weight (default 1) and divided by --temperature; --initial-weight anneals \
        the weights to --weight over --anneal-stages parts of each block. Denoising experts anneal over the \
        first model's noise levels. Writes --out (.npz): as `ebm predict` (context, futures, samples, energies \
        = the weighted sum, truth, qpos, sites) plus model_energies [M, K] (last block) and weights [M].
        """)

    @Option(help: "Run folder (or .safetensors) of an energy model; repeat for each expert.") var model: [String]
    @Option(parsing: .unconditionalSingleValue, help: "Weight of each model's energy, in --model order (default 1 each).") var weight: [Double] = []
    @Option(name: .customLong("initial-weight"), parsing: .unconditionalSingleValue, help: "Weight of each model at the start of each block, in --model order (default: no annealing).")
    var initialWeight: [Double] = []
    @Option(name: .customLong("anneal-stages"), help: "Equal parts of each block's steps over which the weights move from --initial-weight to --weight.")
    var annealStages: Int = 4
    @Option(parsing: .unconditionalSingleValue, help: "Label asked of each model, in --model order: an index for a model trained with model.conditionOnGoal (its goal, or its speed class for a label-move_steps recipe), -1 for an unconditioned one (default: all -1).")
    var label: [Int] = []
    @OptionGroup var window: WindowOptions
    @Option(help: "Futures K (chains).") var samples: Int = 32
    @Option(help: "Sampler steps per H-state block.") var steps: Int = 200
    @Option(help: "langevin, mala or hmc (defaults of the first model's training run, as `ebm predict`); for denoising experts also the annealed samplers, ddim and heun.") var sampler: FutureSamplerKind = .mala
    @Option(help: "Future states to generate (default: H).") var horizon: Int?
    @Option(help: "Energies are divided by this (default: as `ebm predict` for the sampler).") var temperature: Double?
    @Option(name: .customLong("step-size"), help: "Sampler step size in normalised units (default as `ebm predict`).") var stepSize: Double?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Output .npz.") var out: String

    /// The numbers of the run as the library checks them (`FutureComposition.Settings`).
    var settings: FutureComposition.Settings {
        var s = FutureComposition.Settings(models: model.count)
        (s.weights, s.initialWeights, s.labels, s.annealStages) = (weight, initialWeight, label, annealStages)
        (s.steps, s.samples, s.horizon, s.temperature) = (steps, samples, horizon, temperature)
        return s
    }

    func validate() throws {
        do { try settings.validate() } catch let e as CompositionSettingsError { throw ValidationError(e.description) }
    }

    func run() throws {
        let (data, split, episode, contextStart) = (window.dataset.data, window.dataset.split, window.episode, window.contextStart)
        try OutputPath.check(out, inputs: model + [data])
        try RunFolder.requireSameRobot(model, data: data)
        let experts = try FutureComposition.experts(runs: model)
        let weights = settings.resolvedWeights
        let (H, S) = (experts[0].encoding.horizon, experts[0].encoding.stateSize)
        let composition: FutureComposition
        do {
            composition = try FutureComposition(models: experts, labels: settings.resolvedLabels, weights: weights,
                                                initialWeights: initialWeight.isEmpty ? nil : initialWeight, annealStages: annealStages,
                                                steps: steps, sampler: sampler, stepSize: stepSize, temperature: temperature)
        } catch FutureCompositionError.chainSamplerNeeded {
            throw ValidationError("--sampler must be langevin, mala or hmc for contrastive-divergence experts")
        } catch FutureCompositionError.weightAnnealingNeedsContrastive {
            throw ValidationError("--initial-weight: \(FutureCompositionError.weightAnnealingNeedsContrastive)")
        } catch let e as FutureCompositionError { throw CLIError.failed("--model: \(e)") }
        let dataset = try TrajectoryDataset(folder: data, split: split)
        guard dataset.stateSize == S else { throw CLIError.file(FileError(.mismatched, path: "\(data)/\(split.rawValue).npz", "states have \(dataset.stateSize) numbers, the models read \(S)")) }
        let (total, K, k) = (horizon ?? H, samples, composition.contextLength)
        let (context, truth) = try dataset.window(episode: episode, contextStart: contextStart, contextLength: k, total: total, file: "\(data)/\(split.rawValue).npz")
        let clock = Date()
        let result: ExpertComposition.Result
        do { result = try composition.sample(context: context, chains: K, total: total, seed: seed, progress: ProgressBar.reporter(unit: "blocks")) } catch ExpertCompositionError.expert(let m, let e) {
            throw CLIError.failed("--model \(model[m]): \(e)")
        } catch let e as ExpertCompositionError { throw CLIError.failed("\(e)") }
        let seconds = Date().timeIntervalSince(clock)
        let (sampled, energies, modelEnergies) = (result.futures, result.energies, result.expertEnergies)   // sampled (K, total, S)

        let file = URL(fileURLWithPath: data).appendingPathComponent("\(split.rawValue).npz")
        let written = try PredictionFile.arrays(context: context, futures: sampled, energies: energies, truth: truth, chains: K, total: total, stateSize: S,
                                                extra: [("model_energies", .doubles(modelEnergies.flatMap { $0 }, shape: [experts.count, K])),
                                                        ("weights", .doubles(weights, shape: [weights.count]))], nearDataset: file.path)
        if let warning = written.warning { fputs("warning: \(warning)\n", stderr) }
        try NPZWriter.write(written.arrays, to: URL(fileURLWithPath: out))
        print(composition.summaryLine(result, weights: weights, sampler: sampler, steps: steps, total: total, seconds: seconds))
        if let warning = composition.acceptanceWarning(result, sampler: sampler) { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        print("wrote \(out)")
    }
}
