// FutureSampler: K futures of any length after given contexts, from either kind of trained future
// model — a contrastive-divergence energy, sampled by Markov chains in its feature space block after
// block, or a denoising energy, sampled over its noise levels a whole window at a time. Each block
// is conditioned on the chain's own last k states, so futures chain past the model's horizon H.

import EnergyModels
import Foundation
import NeuralCore

/// A trained model of futures given a context: what `FutureSampler` draws from.
public enum FutureModel {
    /// Trained by contrastive divergence; its training chains' Langevin settings are the sampler defaults.
    case contrastive(TrajectoryEnergyModel, langevin: LangevinConfiguration)
    /// Trained by denoising score matching: E(y, σ | c) over future-basis coefficients y.
    case denoising(DenoisingEnergyModel)

    /// The model of a checkpoint file (`model.safetensors` of a run), whichever objective trained it.
    public static func load(from url: URL) throws -> (model: FutureModel, metadata: CheckpointMetadata) {
        if try CheckpointMetadata.read(url).isDenoising {
            let (model, metadata) = try DenoisingEnergyModel.load(from: url)
            return (.denoising(model), metadata)
        }
        let (model, metadata) = try TrajectoryEnergyModel.load(from: url)
        return (.contrastive(model, langevin: metadata.configuration.langevin), metadata)
    }

    public var encoding: WindowEncoding {
        switch self {
        case .contrastive(let model, _): return model.encoding
        case .denoising(let model): return model.encoding
        }
    }

    /// The energy network (its `threading` sets how sampling uses the cores).
    public var network: Sequential {
        switch self {
        case .contrastive(let model, _): return model.network
        case .denoising(let model): return model.network
        }
    }

    /// E(future | context) of raw windows: contexts (B, contextWidth), futures (B, H, S); a denoising
    /// model's energy at its smallest noise level.
    public func energies(context: [Float], future: [Float]) -> [Float] {
        switch self {
        case .contrastive(let model, _): return model.energies(context: context, future: future)
        case .denoising(let model): return model.energies(context: context, future: future)
        }
    }
}

/// The samplers `FutureSampler` runs. The chain samplers (langevin, mala, hmc) sample a
/// contrastive-divergence model; for a denoising model they mean their annealed forms.
public enum FutureSamplerKind: String, CaseIterable, Codable, Sendable {
    case langevin, mala, hmc
    case annealedLangevin = "annealed-langevin", annealedMALA = "annealed-mala", annealedHMC = "annealed-hmc", ddim, heun

    /// The sampler of a denoising model.
    public var denoising: DenoisingSamplerKind {
        switch self {
        case .langevin, .annealedLangevin: return .annealedLangevin
        case .mala, .annealedMALA: return .annealedMALA
        case .hmc, .annealedHMC: return .annealedHMC
        case .ddim: return .ddim
        case .heun: return .heun
        }
    }

    /// Whether it samples a contrastive-divergence model (the annealed and ODE samplers need noise levels).
    public var isChain: Bool { self == .langevin || self == .mala || self == .hmc }
}

/// Futures and what the sampler saw while drawing them.
public struct FutureSamples: Sendable {
    /// The generated states (contexts · chains per context, total, S), raw units, context-major.
    public var futures: [Double]
    /// E of each chain's future, summed over the chained blocks (temperature removed).
    public var energies: [Double]
    /// Per-step diagnostics with the block they belong to.
    public var diagnostics: [(block: Int, step: StepDiagnostics)]
    /// Wall time of the sampling.
    public var seconds: Double
    /// The temperature energies were divided by.
    public var temperature: Double

    /// Mean acceptance over every step (1 for unadjusted samplers).
    public var meanAcceptance: Double {
        diagnostics.map(\.step.acceptance).reduce(0, +) / Double(max(diagnostics.count, 1))
    }

    /// The one-line report of `ebm predict`: K futures of `total` states by `sampler` at this
    /// temperature in blocks of H states, speed, mean energy at the first step and at the end,
    /// acceptance and the final step size.
    public func summaryLine(sampler: FutureSamplerKind, chains K: Int, total: Int, horizon H: Int) -> String {
        let blocks = (total + H - 1) / H
        return "predict: \(K) futures × \(total) states (\(sampler.rawValue) at T = \(String(format: "%.3g", temperature)), \(blocks) block\(blocks > 1 ? "s" : "") of H = \(H), \(diagnostics.count) steps) "
            + String(format: "in %.2f s (%.1f futures/s); mean E %.3f at step 1, %.3f at the end (summed over blocks), acceptance %.2f, final step %.3g",
                     seconds, Double(K) / seconds, diagnostics.first.map { $0.step.meanEnergy * temperature } ?? 0,
                     energies.reduce(0, +) / Double(K), meanAcceptance, diagnostics.last?.step.stepSize ?? 0)
    }
}

/// Samples futures of a `FutureModel`. Options left nil take the model's defaults: for a
/// contrastive-divergence model its training chains' Langevin settings, for a denoising model the
/// sampler settings of its configuration (`denoising.samplerSteps`, `samplerStepScale`,
/// `samplerTemperature`) over 20 geometric noise levels.
public struct FutureSampler {
    public var kind: FutureSamplerKind
    /// Sampler steps per H-state block (nil: 60 for chains, `denoising.samplerSteps` for a denoising model; 0: the initial noise itself).
    public var steps: Int?
    /// Langevin η, MALA η, HMC initial ε (chains, normalised units); ε of η = ε σ² (denoising; nil: `denoising.samplerStepScale`).
    public var stepSize: Double?
    /// Langevin noise σ, per-element gradient clamp (0: none), annealed final step and noise (chains).
    public var noise: Double?, gradientClip: Double?, finalStepSize: Double?, finalNoise: Double?
    /// HMC leapfrog steps and dual-averaging target.
    public var leapfrog = 10, targetAcceptance = 0.65
    /// Energies are divided by this (nil: 1 for langevin; for mala and hmc the temperature the training
    /// Langevin chains sampled at; `denoising.samplerTemperature` for a denoising model).
    public var temperature: Double?
    /// Stop a chain block early when the mean energy changes by less than this (chains).
    public var tolerance: Double?
    /// Chains start at z ~ N(0, s²) (chains; nil: the training configuration's).
    public var initialScale: Double?
    /// Noise levels of the annealed samplers (nil: min(20, steps)); steps are spread over them.
    public var levels: Int?
    /// The noise level at and below which a denoising model's temperature applies (nil:
    /// `denoising.samplerTemperatureBelow`, and when that is absent every level).
    public var temperatureBelow: Double?

    public init(kind: FutureSamplerKind, steps: Int? = nil) { (self.kind, self.steps) = (kind, steps) }

    /// Steps per block for `model`.
    public func steps(for model: FutureModel) -> Int {
        if let steps { return steps }
        if case .denoising(let m) = model { return m.denoising.samplerSteps }
        return 60
    }

    /// The temperature energies are divided by for `model`.
    public func temperature(for model: FutureModel) -> Double {
        if let temperature { return temperature }
        if case .denoising(let m) = model { return Double(m.denoising.samplerTemperature) }
        guard case .contrastive(_, let lang) = model, kind == .mala || kind == .hmc else { return 1 }
        // ULA with step η and noise σ samples exp(−E/T) at T = σ²/(2η): the model was trained against
        // that distribution, and at T = 1 its energy is too flat to confine the chains.
        return Double(lang.noise * lang.noise / (2 * lang.stepSize))
    }

    /// The chain sampler of a contrastive-divergence model with its training chains' defaults.
    public func chainSampler(langevin lang: LangevinConfiguration) throws -> any ChainSampler {
        switch kind {
        case .langevin:
            let clip = gradientClip ?? Double(lang.gradientClip)
            // by default the chains' schedule at test time is the training chains' (annealing included)
            return LangevinSampler(stepSize: stepSize ?? Double(lang.stepSize), noiseScale: noise ?? Double(lang.noise),
                                   gradientClip: clip > 0 ? clip : nil, finalStepSize: finalStepSize ?? lang.finalStepSize.map(Double.init),
                                   finalNoiseScale: finalNoise ?? lang.finalNoise.map(Double.init))
        case .mala: return MALASampler(stepSize: stepSize ?? 0.001)
        case .hmc: return HMCSampler(stepSize: stepSize ?? 0.01, leapfrogSteps: leapfrog, targetAcceptance: targetAcceptance)
        default:
            throw SamplingError.invalidArgument("sampler \(kind.rawValue) needs a denoising model (objective dsm); this one was trained by contrastive divergence")
        }
    }

    /// The sampler of a denoising model: `steps` network evaluations per block spread over the levels
    /// (the ODE samplers take `steps` steps).
    public func denoisingSampler(for model: DenoisingEnergyModel) -> DenoisingSampler {
        let kind = self.kind.denoising, steps = self.steps(for: .denoising(model))
        let ode = kind == .ddim || kind == .heun
        let L = ode ? steps + 1 : (levels ?? min(20, steps))
        return DenoisingSampler(kind: kind, levels: L, stepsPerLevel: max(1, steps / max(L, 1)),
                                stepScale: stepSize ?? Double(model.denoising.samplerStepScale), leapfrogSteps: leapfrog,
                                temperature: temperature(for: .denoising(model)),
                                temperatureBelow: temperatureBelow ?? model.denoising.samplerTemperatureBelow.map(Double.init))
    }

    /// A warning when a Metropolis-adjusted chain sampler accepted almost nothing: its chains then
    /// stay at their initial noise, and the futures mean nothing.
    public func stuckWarning(_ samples: FutureSamples, model: FutureModel) -> String? {
        guard case .contrastive = model, kind == .mala || kind == .hmc, samples.meanAcceptance < 0.05 else { return nil }
        return String(format: "%@ accepted %.1f %% of its proposals, so the chains barely left their initial noise: lower --step-size, "
                      + "or use --sampler langevin (the training chains' schedule)", kind.rawValue, 100 * samples.meanAcceptance)
    }

    /// `chainsPerContext` futures of `total` states after each context (`contexts`: C contexts of k × S
    /// raw numbers, one after the other). Futures (C · chainsPerContext, total, S), context-major.
    /// Deterministic for a given `seed`. `progress` hears (blocks done, blocks) after every block of H states.
    public func sample(_ model: FutureModel, contexts: [Double], chainsPerContext: Int, total: Int, seed: UInt64,
                       progress: ((_ done: Int, _ blocks: Int) -> Void)? = nil) throws -> FutureSamples {
        let enc = model.encoding
        let (k, H, S) = (enc.contextLength, enc.horizon, enc.stateSize)
        guard chainsPerContext >= 1, total >= 1 else { throw SamplingError.invalidArgument("chains per context and total states must be at least 1") }
        guard !contexts.isEmpty, contexts.count % (k * S) == 0 else {
            throw SamplingError.invalidArgument("contexts hold \(contexts.count) numbers, not a multiple of k × S = \(k) × \(S)")
        }
        let steps = self.steps(for: model), temperature = self.temperature(for: model)
        guard steps >= 0 else { throw SamplingError.invalidArgument("steps must be ≥ 0, got \(steps)") }
        guard temperature.isFinite && temperature > 0 else { throw SamplingError.invalidArgument("temperature must be positive, got \(temperature)") }
        let K = contexts.count / (k * S) * chainsPerContext
        // K × (k + generated) × S, each chain starting from its own copy of its context
        var trajectories = (0..<K).map { c in
            contexts[(c / chainsPerContext) * k * S..<(c / chainsPerContext + 1) * k * S].map(Float.init)
        }
        var energies = [Double](repeating: 0, count: K)
        var diagnostics: [(block: Int, step: StepDiagnostics)] = []
        var generator = SeededGenerator(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
        let clock = Date()
        for block in 0..<(total + H - 1) / H {
            let blockContexts = trajectories.flatMap { $0.suffix(k * S) }
            let blockSeed = seed &+ UInt64(block)
            let futures: [Float]
            switch model {
            case .contrastive(let energyModel, let lang):
                let energy = try FutureEnergy(model: energyModel, contexts: blockContexts, chains: K, temperature: temperature)
                let scale = initialScale ?? Double(lang.initialScale)
                let initial = (0..<(K * enc.futureWidth)).map { _ in scale * generator.gaussian() }
                // steps = 0: no refinement, the initial noise itself (the start of the quality-vs-steps curve)
                var (points, pointEnergies) = (initial, [Double]())
                if steps > 0 {
                    let result: SamplingResult
                    do {
                        result = try chainSampler(langevin: lang).sample(energy, initial: initial, chains: K,
                                                                         stopping: StoppingRule(maxSteps: steps, energyTolerance: tolerance), seed: blockSeed)
                    } catch { throw SamplingError.failed("sampling block \(block): \(error)") }
                    (points, pointEnergies) = (result.samples, result.energies)
                    diagnostics += result.diagnostics.map { (block, $0) }
                } else {
                    pointEnergies = energy.energies(initial, count: K)
                }
                futures = energy.futures(points)
                for c in 0..<K { energies[c] += pointEnergies[c] * temperature }
            case .denoising(let denoiser):
                let coefficients: [Float], blockEnergies: [Float]
                if steps > 0 {
                    let result: DenoisingSampler.Result
                    do { result = try denoisingSampler(for: denoiser).sample(denoiser, contexts: blockContexts, chainsPerContext: 1, seed: blockSeed) }
                    catch { throw SamplingError.failed("sampling block \(block): \(error)") }
                    (coefficients, blockEnergies) = (result.coefficients, result.energies)
                    diagnostics += result.diagnostics.map { (block, $0) }
                } else {
                    // no refinement: a draw of the Gaussian the energy's skip term describes at σmax
                    let sigma = denoiser.denoising.sigmaMax
                    coefficients = (0..<(K * denoiser.dimension)).map { j in
                        (denoiser.basis.variances[j % denoiser.dimension] + sigma * sigma).squareRoot() * Float(generator.gaussian())
                    }
                    blockEnergies = denoiser.energies(normalizedContexts: denoiser.normalizedContexts(blockContexts), coefficients: coefficients,
                                                      sigma: [Float](repeating: denoiser.denoising.sigmaMin, count: K))
                }
                futures = denoiser.futures(coefficients: coefficients, context: blockContexts)
                for c in 0..<K { energies[c] += Double(blockEnergies[c]) }
            }
            let keep = min(H, total - block * H)
            for c in 0..<K { trajectories[c] += futures[(c * H * S)..<(c * H * S + keep * S)] }
            progress?(block + 1, (total + H - 1) / H)
        }
        let seconds = Date().timeIntervalSince(clock)
        return FutureSamples(futures: trajectories.flatMap { $0.dropFirst(k * S).map(Double.init) }, energies: energies,
                             diagnostics: diagnostics, seconds: seconds, temperature: temperature)
    }
}
