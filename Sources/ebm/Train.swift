import ArgumentParser
import EnergyModels
import Foundation
import Trajectories
/// `ebm train`: fit an energy model (contrastive divergence) or the feedforward baseline to a dataset.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an energy model (--kind ebm) or the feedforward baseline (--kind feedforward) on a generated dataset.",
        discussion: """
        Reads DIR/train.npz (and DIR/test.npz for the final evaluation). The configuration is \
        --config FILE.json, else trajectories/NAME.train.json where NAME is the dataset's recipe \
        (DIR/meta.json), else the built-in defaults. Writes --out: config.json, metrics.jsonl, \
        checkpoints/ and model.safetensors. Re-running with the same --out resumes from the latest \
        checkpoint, bit-identically to an uninterrupted run. Ctrl-C writes a checkpoint and exits.

        Data-parallel: `mpirun -np N ebm train …` (or srun) splits every batch over the N ranks and \
        sums their gradients in rank order; rank 0 alone writes --out. --micro-batches M splits \
        each rank's share into M micro-batches computed one after another: one process with \
        --micro-batches N gives the same weights bit for bit as N ranks. A run resumes with any N and M.
        """)

    @Option(help: "Dataset folder holding train.npz (and test.npz).") var data: String
    @Option(help: "What to train: ebm (an energy model) or feedforward (the baseline).") var kind: ModelKind?
    @Option(help: "The older spelling of --kind: ebm or feedforward.") var model: ModelKind?
    @Option(help: "Training configuration (.json).") var config: String?
    @Option(help: "The energy model's objective, overriding optimization.objective: cd (contrastive divergence) or dsm (denoising score matching).") var objective: TrainingObjective?
    @Option(help: "Run folder (created; resumed when it holds checkpoints).") var out: String
    @Option(help: "Folder searched for NAME.train.json.") var recipes: String = "trajectories"
    @Option(help: "Split each batch (each rank's share under MPI) into this many micro-batches, their gradients summed in order.")
    var microBatches: Int = 1
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--data \(data): no such folder (generate one with `ebm generate RECIPE`)")
        }
        if let config, !FileManager.default.fileExists(atPath: config) {
            throw ValidationError("--config \(config): no such file")
        }
        if let kind, let model, kind != model { throw ValidationError("--kind \(kind.rawValue) and --model \(model.rawValue) differ: give one") }
        guard (1...4096).contains(microBatches) else { throw ValidationError("--micro-batches \(microBatches): give 1 to 4096") }
    }

    /// --kind, else --model (the older spelling), else ebm.
    var modelKind: ModelKind { kind ?? model ?? .ebm }

    /// The configuration file to use (nil: built-in defaults).
    func configurationURL() -> URL? {
        config.map { URL(fileURLWithPath: $0) } ?? TrainingConfiguration.recipeFile(dataFolder: data, recipes: recipes)
    }

    func run() throws {
        let world = try MPICollective.launched()
        do { try train(world: world) } catch {
            guard let world, world.size > 1 else { throw error }
            // the other ranks may be waiting for this one in a collective: end the whole job
            fputs("Error (rank \(world.rank) of \(world.size)): \(error)\n", stderr)
            world.abort(code: 1)
        }
    }

    func train(world: MPICollective?) throws {
        let parallelism = DataParallelism(microBatches: microBatches, collective: world.flatMap { $0.size > 1 ? $0 : nil })
        // ranks other than 0 compute only: no output of theirs
        let quiet = self.quiet || !parallelism.isWriter
        try OutputPath.check(out, kind: .folder, inputs: [data])
        if parallelism.isWriter, let problem = DatasetFolder.incompleteness(of: URL(fileURLWithPath: data)) { fputs("warning: \(problem)\n", stderr) }
        let configurationURL = configurationURL()
        let configuration = try TrainingConfiguration.load(from: configurationURL, objective: objective)
        let trainer = try Trainer(kind: modelKind, configuration: configuration, dataDirectory: URL(fileURLWithPath: data),
                                  outputDirectory: URL(fileURLWithPath: out), parallelism: parallelism)
        if parallelism.isWriter { print(trainer.startLine(data: data, configurationFile: configurationURL, out: out)) }

        InterruptRequest.watch()
        defer { InterruptRequest.stopWatching() }
        let progress = TrainingProgress(trainer: trainer, quiet: quiet)
        let outcome = try trainer.run(shouldStop: { InterruptRequest.isRequested }, onStep: progress.step, onLog: progress.logged)
        progress.finish()
        guard parallelism.isWriter else { return }
        if case .interrupted(let step) = outcome {
            print("interrupted at step \(step); checkpoint written to \(out)/checkpoints (re-run the same command to resume)")
            return
        }
        let seconds = progress.bar.elapsed
        if let m = try trainer.evaluate() {
            try trainer.recordEvaluation(m)
            print(trainer.evaluationLine(m))
        }
        trainer.finishLines(out: out, seconds: seconds).forEach { print($0) }
    }
}
