// LiveRefinement: chains of a future energy moved one sampler step at a time on a background thread,
// each step published as a snapshot — what a live view draws while sampling runs (`ebm view --model`).

import Foundation
import NeuralCore

/// K chains of a trained energy model for one context, moved one sampler step at a time on a
/// background thread; each step publishes a snapshot that the frame loop copies under a lock,
/// so drawing never waits for sampling. `restart()` draws fresh starting points.
public final class LiveRefinement: @unchecked Sendable {
    /// The chains after `step` sampler steps of refinement number `generation`.
    public struct Snapshot: Sendable {
        /// Raw futures [K, H, S].
        public var futures: [Double]
        /// E_θ of each chain [K] (temperature removed).
        public var energies: [Double]
        public var step: Int
        public var generation: Int
        /// Bumped at every publication, so the frame loop rebuilds only on change.
        public var version: Int
    }

    public let energy: FutureEnergy
    public let sampler: any ChainSampler
    /// Chains K, sampler steps of one refinement, the temperature energies are divided by, the
    /// initial noise scale (normalised units) and the seed of every refinement's noise.
    public let chains: Int, steps: Int, temperature: Double, initialScale: Double, seed: UInt64
    /// Called on the worker thread when a refinement fails (default: a line on standard error).
    public var onError: (Error) -> Void = { FileHandle.standardError.write(Data("refinement stopped: \($0)\n".utf8)) }
    /// The background thread's name.
    public var threadName = "Langevin refinement"
    private let condition = NSCondition()
    private var latest: Snapshot
    private var requestedGeneration = 0
    private var stopped = false
    private var thread: Thread?

    public init(energy: FutureEnergy, sampler: any ChainSampler, chains: Int, steps: Int, temperature: Double,
         initialScale: Double, seed: UInt64) {
        (self.energy, self.sampler, self.chains, self.steps) = (energy, sampler, chains, steps)
        (self.temperature, self.initialScale, self.seed) = (temperature, initialScale, seed)
        let z = Self.initial(chains: chains, dimension: energy.dimension, scale: initialScale, seed: seed, generation: 0)
        latest = Snapshot(futures: energy.futures(z).map(Double.init), energies: energy.energies(z, count: chains).map { $0 * temperature },
                          step: 0, generation: 0, version: 0)
    }

    /// The latest chains; never blocks for longer than a copy.
    public func snapshot() -> Snapshot {
        condition.lock()
        defer { condition.unlock() }
        return latest
    }

    /// Starts the background thread (refinement 0).
    public func start() {
        let t = Thread { [self] in loop() }
        t.name = threadName
        thread = t
        t.start()
    }

    /// Abandons the running refinement and starts another from fresh noise.
    public func restart() {
        condition.lock()
        requestedGeneration += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Ends the background thread after its current step.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs refinement `generation` to the end on the calling thread (headless screenshots).
    public func runSynchronously(generation: Int = 0) throws {
        try refine(generation: generation)
    }

    // MARK: - Worker

    private func loop() {
        var generation = 0
        while true {
            do { try refine(generation: generation) } catch { onError(error) }
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
    public static func initial(chains: Int, dimension: Int, scale: Double, seed: UInt64, generation: Int) -> [Double] {
        var generator = SeededGenerator(seed: seed ^ (0x5DEE_CE66_D1CE_4E5B &+ UInt64(generation) &* 0x9E37_79B9_7F4A_7C15))
        return (0..<(chains * dimension)).map { _ in scale * generator.gaussian() }
    }
}
