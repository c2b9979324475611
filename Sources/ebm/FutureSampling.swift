import EnergyModels
import Foundation
import Sampling
import Simulation
import Scene
import Trajectories

/// The sampling shared by `ebm predict` and `ebm evaluate`: the chosen chain sampler with the
/// run's defaults, and K futures of one context chained block after block past the model's H.
enum FutureSampling {
    enum Kind: String, CaseIterable { case langevin, mala, hmc }

    /// Warns on standard error when a Metropolis-adjusted sampler accepted almost nothing: its
    /// chains then stay at their initial noise, and the futures mean nothing.
    static func warnIfStuck(_ kind: Kind, acceptance: Double) {
        guard kind != .langevin, acceptance < 0.05 else { return }
        FileHandle.standardError.write(Data(String(format: "warning: %@ accepted %.1f %% of its proposals, so the chains barely left their "
            + "initial noise: lower --step-size, or use --sampler langevin (the training chains' schedule)\n", kind.rawValue, 100 * acceptance).utf8))
    }

    /// The sampler, defaults taken from the training configuration's Langevin settings.
    static func sampler(_ kind: Kind, langevin lang: LangevinConfiguration, stepSize: Double? = nil, noise: Double? = nil,
                        gradientClip: Double? = nil, finalStepSize: Double? = nil, finalNoise: Double? = nil, leapfrog: Int = 10,
                        targetAcceptance: Double = 0.65) -> any ChainSampler {
        switch kind {
        case .langevin:
            let clip = gradientClip ?? Double(lang.gradientClip)
            // by default the chains' schedule at test time is the training chains' (annealing included)
            return LangevinSampler(stepSize: stepSize ?? Double(lang.stepSize), noiseScale: noise ?? Double(lang.noise),
                                   gradientClip: clip > 0 ? clip : nil, finalStepSize: finalStepSize ?? lang.finalStepSize.map(Double.init),
                                   finalNoiseScale: finalNoise ?? lang.finalNoise.map(Double.init))
        case .mala: return MALASampler(stepSize: stepSize ?? 0.001)
        case .hmc: return HMCSampler(stepSize: stepSize ?? 0.01, leapfrogSteps: leapfrog, targetAcceptance: targetAcceptance)
        }
    }

    /// ULA with step η and noise σ samples exp(−E/T) at T = σ²/(2η): the model was trained
    /// against that distribution, and at T = 1 its energy is too flat to confine the chains.
    static func defaultTemperature(_ kind: Kind, langevin lang: LangevinConfiguration) -> Double {
        kind == .langevin ? 1 : Double(lang.noise * lang.noise / (2 * lang.stepSize))
    }

    struct Result {
        /// The generated states [K, total, S] (original units).
        var futures: [Double]
        /// E_θ of each chain, summed over the chained blocks (temperature removed).
        var energies: [Double]
        var diagnostics: [(block: Int, step: StepDiagnostics)]
        var seconds: Double
    }

    /// K futures of `total` states after each context (`context`: C contexts of k × S numbers, original
    /// units, one after the other; K chains each, context-major), sampling H-state blocks in the model's
    /// feature space, each chain continuing from its own last k states. Futures [C·K, total, S].
    static func sample(model energyModel: TrajectoryEnergyModel, context: [Double], chains perContext: Int, total: Int,
                       steps: Int, sampler chosen: any ChainSampler, temperature: Double, initialScale scale: Double,
                       tolerance: Double?, seed: UInt64) throws -> Result {
        let enc = energyModel.encoding
        let (k, H, S) = (enc.contextLength, enc.horizon, enc.stateSize)
        let K = context.count / (k * S) * perContext
        var trajectories = (0..<K).map { c in context[(c / perContext) * k * S..<(c / perContext + 1) * k * S].map(Float.init) }   // K × (k + generated) × S
        var energies = [Double](repeating: 0, count: K)
        var diagnostics: [(block: Int, step: StepDiagnostics)] = []
        var generator = ChainSeed(seed)
        let clock = Date()
        for block in 0..<(total + H - 1) / H {
            let contexts = trajectories.flatMap { $0.suffix(k * S) }
            let energy: FutureEnergy
            do { energy = try FutureEnergy(model: energyModel, contexts: contexts, chains: K, temperature: temperature) } catch { throw CLIError("\(error)") }
            let initial = (0..<(K * enc.futureWidth)).map { _ in scale * generator.gaussian() }
            // steps = 0: no refinement, the initial noise itself (the start of the quality-vs-steps curve)
            var (points, pointEnergies) = (initial, [Double]())
            if steps > 0 {
                let result: SamplingResult
                do {
                    result = try chosen.sample(energy, initial: initial, chains: K,
                                               stopping: StoppingRule(maxSteps: steps, energyTolerance: tolerance), seed: seed &+ UInt64(block))
                } catch { throw CLIError("sampling block \(block): \(error)") }
                (points, pointEnergies) = (result.samples, result.energies)
                diagnostics += result.diagnostics.map { (block, $0) }
            } else {
                pointEnergies = energy.energies(initial, count: K)
            }
            let futures = energy.futures(points)
            let keep = min(H, total - block * H)
            for c in 0..<K {
                trajectories[c] += futures[(c * H * S)..<(c * H * S + keep * S)]
                energies[c] += pointEnergies[c] * temperature
            }
        }
        let seconds = Date().timeIntervalSince(clock)
        let sampled = trajectories.flatMap { $0.dropFirst(k * S).map(Double.init) }   // (K, total, S)
        return Result(futures: sampled, energies: energies, diagnostics: diagnostics, seconds: seconds)
    }

    /// K futures of `total` states after one context (k × S numbers, original units) from a denoising
    /// energy model: whole H-state windows, each block conditioned on the chain's own last k states
    /// (overlapping windows), so any length chains. Futures [K, total, S].
    static func sample(denoiser model: DenoisingEnergyModel, context: [Double], chains K: Int, total: Int,
                       sampler: DenoisingSampler, seed: UInt64) throws -> Result {
        let enc = model.encoding
        let (k, H, S) = (enc.contextLength, enc.horizon, enc.stateSize)
        var trajectories = [[Float]](repeating: context.map(Float.init), count: K)
        var energies = [Double](repeating: 0, count: K)
        var diagnostics: [(block: Int, step: StepDiagnostics)] = []
        let clock = Date()
        for block in 0..<(total + H - 1) / H {
            let contexts = trajectories.flatMap { $0.suffix(k * S) }
            let result: DenoisingSampler.Result
            do { result = try sampler.sample(model, contexts: contexts, chainsPerContext: 1, seed: seed &+ UInt64(block)) }
            catch { throw CLIError("sampling block \(block): \(error)") }
            let futures = model.futures(coefficients: result.coefficients, context: contexts)
            let keep = min(H, total - block * H)
            for c in 0..<K {
                trajectories[c] += futures[(c * H * S)..<(c * H * S + keep * S)]
                energies[c] += Double(result.energies[c])
            }
            diagnostics += result.diagnostics.map { (block, $0) }
        }
        let seconds = Date().timeIntervalSince(clock)
        return Result(futures: trajectories.flatMap { $0.dropFirst(k * S).map(Double.init) }, energies: energies,
                      diagnostics: diagnostics, seconds: seconds)
    }

    /// The denoising sampler `ebm predict`/`evaluate` build from their options: `steps` network
    /// evaluations per block spread over `levels` noise levels (the ODE samplers take `steps` steps).
    static func denoisingSampler(_ kind: DenoisingSamplerKind, steps: Int, levels: Int?, stepScale: Double?, temperature: Double?,
                                 leapfrog: Int) -> DenoisingSampler {
        let ode = kind == .ddim || kind == .heun
        let L = ode ? steps + 1 : (levels ?? min(20, steps))
        return DenoisingSampler(kind: kind, levels: L, stepsPerLevel: max(1, steps / max(L, 1)), stepScale: stepScale ?? 0.1,
                                leapfrogSteps: leapfrog, temperature: temperature ?? 1)
    }

    /// `qpos [K, 1 + total, nq]` (the current state, then each future; for `ebm view --futures`) and
    /// `sites [K, total, nsite, 3]` (forward kinematics of every future state in one batch call; NaN
    /// for a non-finite state), when the dataset's meta.json names a robot whose nq fits the states.
    static func positionArrays(futures sampled: [Double], context: [Double], chains K: Int, total: Int, stateSize S: Int,
                               nearDataset file: String) throws -> [(String, NumPyArray)] {
        guard let robotName = EpisodeFile.robotName(near: file) else { return [] }   // hand-made data: no robot, no positions
        guard let robot = try? RobotModel.load(robotName), robot.nq <= S else {
            // said, not silent (issue 18): the output lacks what `ebm view --futures` needs
            fputs("warning: meta.json beside \(file) names robot '\(robotName)', which does not load or has more joints than the \(S) state numbers; "
                  + "writing no qpos or sites\n", stderr)
            return []
        }
        let (nq, k) = (robot.nq, context.count / S)
        var qpos: [Double] = []
        for c in 0..<K {
            qpos += context[(k - 1) * S..<(k - 1) * S + nq]
            for t in 0..<total { qpos += sampled[(c * total + t) * S..<(c * total + t) * S + nq] }
        }
        var arrays = [("qpos", try NumPyArray(doubles: qpos, shape: [K, total + 1, nq]))]
        if robot.nsite > 0 {
            let rows = K * total
            let finite = (0..<rows).map { r in sampled[r * S..<r * S + nq].allSatisfy(\.isFinite) }
            let futureQpos = (0..<rows).flatMap { r in finite[r] ? Array(sampled[r * S..<r * S + nq]) : [Double](repeating: 0, count: nq) }
            var sites: [Double]
            do { sites = try robot.kinematics(qpos: futureQpos, batch: rows).sites } catch { throw CLIError("forward kinematics of the futures: \(error)") }
            let width = robot.nsite * 3
            for r in 0..<rows where !finite[r] { for j in 0..<width { sites[r * width + j] = .nan } }
            arrays.append(("sites", try NumPyArray(doubles: sites, shape: [K, total, robot.nsite, 3])))
        }
        return arrays
    }

    /// The feedforward prediction of `total` states after `context` (its last fk states are read), chained.
    static func feedforward(_ ff: FeedforwardPredictor, context: [Double], total: Int) -> [Double] {
        let (fk, S) = (ff.encoding.contextLength, ff.encoding.stateSize)
        var path = Array(context.suffix(fk * S)).map(Float.init)
        while path.count < (fk + total) * S { path += ff.predict(context: Array(path.suffix(fk * S))) }
        return path[(fk * S)..<((fk + total) * S)].map(Double.init)
    }
}

/// One episode's context and, where the episode has it, its true future: what `ebm predict` and
/// `ebm compose` sample from. Errors name `file`.
struct EpisodeContext {
    /// k states (raw units) from `contextStart`.
    let context: [Double]
    /// Up to `total` states after the context (fewer near the episode's end).
    let truth: [Double]

    init(_ dataset: TrajectoryDataset, file: String, episode: Int, contextStart: Int, contextLength k: Int, total: Int) throws {
        guard (0..<dataset.episodes).contains(episode) else { throw CLIError("--episode \(episode): \(file) holds \(dataset.episodes) episodes") }
        let length = dataset.steps + 1
        guard contextStart >= 0, contextStart + k <= length else {
            throw CLIError("--context-start \(contextStart): \(k) context states are needed and episodes hold \(length)")
        }
        func states(_ range: Range<Int>) -> [Double] { range.flatMap { Array(dataset.state(episode: episode, step: $0)) } }
        context = states(contextStart..<contextStart + k)
        truth = states(contextStart + k..<min(contextStart + k + total, length))
    }
}

/// The seeded stream that draws the chains' starting points.
private struct ChainSeed {
    var state: UInt64
    init(_ seed: UInt64) { state = seed ^ 0x5DEE_CE66_D1CE_4E5B }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func gaussian() -> Double {
        let u1 = 1 - Double(next() >> 11) * 0x1.0p-53, u2 = Double(next() >> 11) * 0x1.0p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
