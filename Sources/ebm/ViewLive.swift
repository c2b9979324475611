import EnergyModels
import Foundation
import NeuralCore
import Sampling
import Scene
import Simulation
import Trajectories

/// K chains of a trained energy model for one context, moved one sampler step at a time on a
/// background thread; each step publishes a snapshot that the frame loop copies under a lock,
/// so drawing never waits for sampling. `restart()` draws fresh starting points.
final class LiveRefinement: @unchecked Sendable {
    /// The chains after `step` sampler steps of refinement number `generation`.
    struct Snapshot {
        /// Raw futures [K, H, S].
        var futures: [Double]
        /// E_θ of each chain [K] (temperature removed).
        var energies: [Double]
        var step: Int
        var generation: Int
        /// Bumped at every publication, so the frame loop rebuilds only on change.
        var version: Int
    }

    let energy: FutureEnergy
    let sampler: any ChainSampler
    let chains: Int, steps: Int, temperature: Double, initialScale: Double, seed: UInt64
    private let condition = NSCondition()
    private var latest: Snapshot
    private var requestedGeneration = 0
    private var stopped = false
    private var thread: Thread?

    init(energy: FutureEnergy, sampler: any ChainSampler, chains: Int, steps: Int, temperature: Double,
         initialScale: Double, seed: UInt64) {
        (self.energy, self.sampler, self.chains, self.steps) = (energy, sampler, chains, steps)
        (self.temperature, self.initialScale, self.seed) = (temperature, initialScale, seed)
        let z = Self.initial(chains: chains, dimension: energy.dimension, scale: initialScale, seed: seed, generation: 0)
        latest = Snapshot(futures: energy.futures(z).map(Double.init), energies: energy.energies(z, count: chains).map { $0 * temperature },
                          step: 0, generation: 0, version: 0)
    }

    /// The latest chains; never blocks for longer than a copy.
    func snapshot() -> Snapshot {
        condition.lock()
        defer { condition.unlock() }
        return latest
    }

    /// Starts the background thread (refinement 0).
    func start() {
        let t = Thread { [self] in loop() }
        t.name = "ebm view: Langevin refinement"
        thread = t
        t.start()
    }

    /// Abandons the running refinement and starts another from fresh noise.
    func restart() {
        condition.lock()
        requestedGeneration += 1
        condition.broadcast()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs refinement `generation` to the end on the calling thread (headless screenshots).
    func runSynchronously(generation: Int = 0) throws {
        try refine(generation: generation)
    }

    // MARK: - Worker

    private func loop() {
        var generation = 0
        while true {
            do { try refine(generation: generation) } catch {
                FileHandle.standardError.write(Data("ebm view: refinement stopped: \(error)\n".utf8))
            }
            condition.lock()
            while requestedGeneration == generation && !stopped { condition.wait() }
            generation = requestedGeneration
            let stop = stopped
            condition.unlock()
            if stop { return }
        }
    }

    /// One step per sampler call, publishing after each; stops early when a restart is requested.
    /// Each call recomputes the starting energy (one extra evaluation per step): the price of
    /// seeing every step with the library's samplers unchanged.
    private func refine(generation: Int) throws {
        var z = Self.initial(chains: chains, dimension: energy.dimension, scale: initialScale, seed: seed, generation: generation)
        publish(z: z, energies: energy.energies(z, count: chains), step: 0, generation: generation)
        for step in 0..<steps {
            condition.lock()
            let abandon = stopped || requestedGeneration != generation
            condition.unlock()
            if abandon { return }
            let result = try sampler.sample(energy, initial: z, chains: chains, stopping: StoppingRule(maxSteps: 1),
                                            seed: seed &+ UInt64(generation) &* 1_000_003 &+ UInt64(step))
            z = result.samples
            publish(z: z, energies: result.energies, step: step + 1, generation: generation)
        }
    }

    private func publish(z: [Double], energies: [Double], step: Int, generation: Int) {
        let futures = energy.futures(z).map(Double.init)
        condition.lock()
        latest = Snapshot(futures: futures, energies: energies.map { $0 * temperature }, step: step,
                          generation: generation, version: latest.version + 1)
        condition.unlock()
    }

    /// z ~ N(0, scale²) per chain, from (seed, generation).
    static func initial(chains: Int, dimension: Int, scale: Double, seed: UInt64, generation: Int) -> [Double] {
        var generator = SeededGenerator(seed: seed ^ (0x5DEE_CE66_D1CE_4E5B &+ UInt64(generation) &* 0x9E37_79B9_7F4A_7C15))
        return (0..<(chains * dimension)).map { _ in scale * generator.gaussian() }
    }
}

extension View {
    /// `--model RUN --data DIR`: the context of --episode from --context-start, K chains refined live.
    func liveTimeline(run: String, robot: RobotModel) throws -> Timeline {
        let (energyModel, meta): (TrajectoryEnergyModel, CheckpointMetadata)
        if try Predict.loadFutureModel(run).metadata.isDenoising {
            throw CLIError("--model \(run): a denoising model is sampled over its noise levels, not refined live step by step: "
                           + "run `ebm predict --model \(run) … --out F.npz`, then `ebm view --futures F.npz`")
        }
        do { (energyModel, meta) = try TrajectoryEnergyModel.load(from: Predict.existingCheckpoint(run)) } catch {
            throw CLIError("--model \(run): \(error)")
        }
        try Predict.requireUnconditioned(energyModel.encoding, run)
        let enc = energyModel.encoding
        let (k, H, S) = (enc.contextLength, enc.horizon, enc.stateSize)
        guard S == robot.nq + robot.nv else {
            throw CLIError("--model \(run): reads states of \(S) numbers, but \(robot.source) has nq + nv = \(robot.nq + robot.nv): a model of another robot?")
        }
        let file = URL(fileURLWithPath: data!).appendingPathComponent("\(split).npz")
        let dataset: TrajectoryDataset
        do { dataset = try TrajectoryDataset(contentsOf: file) } catch { throw CLIError("\(file.path): \(error)") }
        guard dataset.stateSize == S else { throw CLIError("\(file.path): states have \(dataset.stateSize) numbers, the model reads \(S)") }
        guard episode < dataset.episodes else { throw CLIError("--episode \(episode): \(file.path) holds \(dataset.episodes) episodes") }
        let length = dataset.steps + 1
        guard contextStart >= 0, contextStart + k <= length else {
            throw CLIError("--context-start \(contextStart): the model needs \(k) context states and episodes hold \(length)")
        }
        func states(_ range: Range<Int>) -> [Double] { range.flatMap { Array(dataset.state(episode: episode, step: $0)) } }
        let context = states(contextStart..<contextStart + k)
        let truth = states(contextStart + k..<min(contextStart + k + H, length))
        var feedforward: [Double]?
        if let baseline {
            let ff: FeedforwardPredictor
            do { (ff, _) = try FeedforwardPredictor.load(from: Predict.existingCheckpoint(baseline)) } catch { throw CLIError("--baseline \(baseline): \(error)") }
            guard ff.encoding.stateSize == S, ff.encoding.contextLength <= contextStart + k else {
                throw CLIError("--baseline \(baseline): reads \(ff.encoding.contextLength) states of \(ff.encoding.stateSize), this context offers \(contextStart + k) of \(S)")
            }
            feedforward = FutureSampling.feedforward(ff, context: states(contextStart + k - ff.encoding.contextLength..<contextStart + k), total: H)
        }

        let lang = meta.configuration.langevin
        let options = FutureSampler(kind: FutureSamplerKind(rawValue: sampler)!, steps: steps)
        let temperature = options.temperature(for: .contrastive(energyModel, langevin: lang))
        let energy: FutureEnergy
        do { energy = try FutureEnergy(model: energyModel, contexts: context.map(Float.init), chains: samples, temperature: temperature) } catch {
            throw CLIError("--model \(run): \(error)")
        }
        let live = LiveRefinement(energy: energy, sampler: try options.chainSampler(langevin: lang), chains: samples, steps: steps,
                                  temperature: temperature, initialScale: Double(lang.initialScale), seed: seed)
        let headless = screenshot != nil || svg != nil || video != nil || benchFrames != nil
        if headless {
            let clock = Date()
            try live.runSynchronously()
            print(String(format: "refined %d chains for %d %@ steps in %.2f s", samples, steps, sampler, Date().timeIntervalSince(clock)))
        } else {
            live.start()
        }
        let first = live.snapshot()
        let prediction = try PredictionFile(context: context, futures: first.futures, count: samples, horizon: H, nq: robot.nq, nv: robot.nv,
                                            energies: first.energies, truth: truth.isEmpty ? nil : truth, feedforward: feedforward,
                                            path: "\(run) on \(file.path)")
        let scenes = try PredictionScene(model: robot, prediction: prediction)
        var shown = first
        let title = "\(robot.source), live \(sampler): \(samples) chains x \(H) states, episode \(episode), context from \(contextStart)"
        return Timeline(
            title: title, episodes: 1, length: H,
            scene: { try scenes.scene(step: $1, camera: $2, hidden: $3) },
            status: {
                let mean = shown.energies.reduce(0, +) / Double(max(shown.energies.count, 1))
                return [String(format: "refinement %d: step %d/%d, mean E %.4g", shown.generation + 1, shown.step, self.steps, mean)]
            },
            extraHelp: Self.predictionHelp + ["l  re-sample: fresh noise, refined live step by step"],
            onKey: { key, _ in
                guard key == 76 /* GLFW_KEY_L */ else { return false }
                live.restart()
                return true
            },
            beforeFrame: {
                // the latest published chains; rebuilding trails only when they changed
                let now = live.snapshot()
                guard now.version != shown.version else { return }
                try scenes.setFutures(now.futures, energies: now.energies)
                shown = now
            },
            rate: 1 / robot.options.timestep)
    }
}
