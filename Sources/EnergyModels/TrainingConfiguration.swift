// TrainingConfiguration: everything `ebm train` reads from FILE.json, with defaults, checks and
// errors that name the file and the key.

import Foundation
#if canImport(Trajectories)  // scripts/fuzz.sh compiles this file with FileError.swift in one module
import Trajectories
#endif

/// Which network `ebm train` fits.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    /// E_θ(future | context) trained by contrastive divergence.
    case ebm
    /// context → future under mean squared error, same width and depth.
    case feedforward
}

/// The energy network's shape.
public enum Architecture: String, Codable, Sendable, CaseIterable {
    /// Linear + SiLU layers on the flattened window.
    case mlp
    /// Temporal convolutions over the window's k + H states (time-major rows are (time, state)
    /// sequences), then one linear read-out: the parameter count does not grow with H.
    case temporalConvolution = "temporal-convolution"
    /// A temporal convolutional network: a convolution lifting the S state numbers to `channels`,
    /// then `depth` residual blocks x + conv(SiLU(conv(x))), then SiLU and the linear read-out.
    case temporalResidual = "temporal-residual"
}

/// The window and network: shared by the energy model and the feedforward baseline.
public struct ModelConfiguration: Codable, Equatable, Sendable {
    /// States of context k (the last k states, current one included).
    public var contextLength = 4
    /// States of future H predicted after the context.
    public var horizon = 1
    /// Width of every hidden layer.
    public var hiddenWidth = 256
    /// Number of hidden layers (each Linear + SiLU).
    public var depth = 3
    /// Futures as s_{t+h} − s_t (the last context state) instead of absolute states.
    public var futureAsDelta = true
    /// Spectral normalisation on every linear layer of the energy network.
    public var spectralNorm = false
    /// The energy network's shape (the feedforward baseline is always an MLP).
    public var architecture = Architecture.mlp
    /// Channels of every temporal-convolution layer (`depth` layers).
    public var channels = 64
    /// Taps of every temporal-convolution kernel, in states.
    public var kernelSize = 5
    /// Adds the episode's goal label (one-hot over the dataset's goals) to the context:
    /// E(future | context, goal), for intent inference and goal-directed sampling (MLP only).
    public var conditionOnGoal = false
    /// Adds the controls applied at the k context states to the context: with the last one, the
    /// next state is a function of the physics alone (transition models; MLP only).
    public var conditionOnControls = false
    /// Members M of an ensemble (MLP only): M networks of this width and depth with their own
    /// initial weights, side by side, whose outputs are averaged — the energy is the mean of the
    /// members' energies (the feedforward baseline: the mean prediction). Trained together on
    /// the same negatives: the contrastive loss is linear in E, so each member gets its own CD
    /// gradient (scaled by 1/M). 1: a single network.
    public var ensemble = 1

    public init() {}
}

extension ModelConfiguration {
    /// Upper bounds of the sizes a configuration (or a checkpoint's metadata) may ask for: above
    /// them a network or a window would need more memory than a workstation has.
    public enum Limits {
        public static let window = 4096, hiddenWidth = 16384, depth = 128, channels = 4096, kernelSize = 255
    }

    /// A lower bound of the parameters of an MLP network of this configuration (hidden layers
    /// alone: biases of the first, weights of the rest), nil for other architectures.
    public var minimumParameterCount: Int? {
        guard architecture == .mlp else { return nil }
        return ensemble * hiddenWidth * (1 + (depth - 1) * hiddenWidth)
    }
}

/// Langevin dynamics for the negative samples, in normalised future coordinates z:
/// z ← z − stepSize · clamp(∂E/∂z, ±gradientClip) + noise · N(0, 1).
public struct LangevinConfiguration: Codable, Equatable, Sendable {
    /// Steps K per training iteration.
    public var steps = 20
    /// Multiplies the clamped gradient (normalised units per unit of gradient).
    public var stepSize: Float = 10
    /// Per-element clamp of ∂E/∂z before the step (0 = no clamp).
    public var gradientClip: Float = 0.01
    /// Standard deviation of the Gaussian noise added at each step, normalised units.
    public var noise: Float = 0.1
    /// Standard deviation of fresh chains' initial z (normalised units).
    public var initialScale: Float = 1
    /// Step size at the last step: the step moves geometrically from `stepSize` to this over the
    /// chain (nil: constant). Annealing lets extra test-time steps refine instead of wander.
    public var finalStepSize: Float?
    /// Noise at the last step: the noise moves linearly from `noise` to this (nil: constant).
    public var finalNoise: Float?
    /// Training chains move the whole window, context included (fresh chains start it from noise
    /// too): the model then learns the joint density of windows, whose energies compare across
    /// contexts — what out-of-distribution scores need — instead of a conditional whose per-context
    /// normaliser is free. Sampling futures still fixes the context.
    public var moveContext = false

    /// Step size and noise at step `t` of an `n`-step chain.
    public func schedule(step t: Int, of n: Int) -> (stepSize: Float, noise: Float) {
        guard n > 1 else { return (finalStepSize ?? stepSize, finalNoise ?? noise) }
        let fraction = Float(t) / Float(n - 1)
        let eta = finalStepSize.map { stepSize * pow($0 / stepSize, fraction) } ?? stepSize
        let sigma = finalNoise.map { noise + ($0 - noise) * fraction } ?? noise
        return (eta, sigma)
    }

    public init() {}
}

/// The replay buffer of past negative samples (each kept with its own context).
public struct ReplayConfiguration: Codable, Equatable, Sendable {
    /// Fraction of chains started from the buffer once it holds samples; the rest from noise.
    public var fraction: Float = 0.95
    /// Samples kept (oldest replaced first).
    public var capacity = 10_000

    public init() {}
}

/// Which windows make up a batch.
public struct DataConfiguration: Codable, Equatable, Sendable {
    /// Share of each batch drawn from the first `episodeStartSpan` windows of random episodes:
    /// episode starts are rare in the data but are the most ambiguous contexts (0 = plain shuffling).
    public var episodeStartFraction: Float = 0
    /// Window starts 0..<span count as episode starts.
    public var episodeStartSpan = 1
    /// Windows may run past an episode's last state, which then repeats (for recipes whose policy
    /// holds its final pose): every state of an episode, settled ones included, can be a context.
    public var padEpisodeEnds = false

    public init() {}
}

/// Improved contrastive divergence (Du et al. 2021): terms that reach the parameters through the
/// sampler's last Langevin step, so the model is also trained to make that step land on low energy
/// (KL) and spread out (nearest-neighbour entropy). Both weights 0 = plain CD.
public struct ImprovedCDConfiguration: Codable, Equatable, Sendable {
    /// Weight of E_θ̄(x_K(θ)), the energy (frozen parameters) after the last step.
    public var klWeight: Float = 0
    /// Weight of −log ‖z_K − nearest other z_K‖ over the batch's samples.
    public var entropyWeight: Float = 0
    /// Weight of ‖∂E/∂x(data)‖² (usually harmful: it flattens the energy around the data).
    public var gradientPenalty: Float = 0

    public init() {}
}

/// What the energy model is fitted by.
public enum TrainingObjective: String, Codable, Sendable, CaseIterable {
    /// Contrastive divergence against Langevin negatives (`langevin`, `replay`, `improved`).
    case cd
    /// Denoising score matching of a noise-conditioned energy E(y, σ | context) (`denoising`):
    /// σ∇_y E(y + σε, σ) regresses ε, no sampler in the loop.
    case dsm
}

/// How the learning rate moves over a run.
public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
    case constant
    /// Linear warm-up over `warmupSteps`, then a half cosine down to zero at the last step.
    case cosine
}

/// Adam and the training loop.
public struct OptimizationConfiguration: Codable, Equatable, Sendable {
    /// The energy model's objective (the feedforward baseline always regresses).
    public var objective = TrainingObjective.cd
    public var learningRateSchedule = LearningRateSchedule.constant
    /// Steps of linear warm-up (cosine schedule).
    public var warmupSteps = 0
    public var steps = 5_000
    public var batchSize = 128
    public var learningRate: Float = 2e-4
    public var beta1: Float = 0
    public var beta2: Float = 0.999
    /// Global gradient-norm clip (0 = none).
    public var gradientClip: Float = 1
    /// α of the energy regulariser α·(E(data)² + E(samples)²) (energy model only).
    public var energyRegularization: Float = 1
    /// |E| above this, or any non-finite loss, stops training as diverged.
    public var divergenceThreshold: Float = 1e4
    /// Weight of the cross-entropy over goal labels of softmax_g(−E(data window | goal g))
    /// (goal-conditioned models only). CD compares data and samples under the same goal, so a
    /// per-goal offset of E leaves its loss unchanged and argmin over goals means nothing; this
    /// term ties the goals' energies together (as JEM's classification term does).
    public var goalCrossEntropy: Float = 0

    public init() {}

    /// The learning rate at (0-based) step `t`.
    public func learningRate(step t: Int) -> Float {
        switch learningRateSchedule {
        case .constant: return learningRate
        case .cosine:
            if t < warmupSteps { return learningRate * Float(t + 1) / Float(warmupSteps) }
            let span = max(steps - warmupSteps, 1), fraction = Float(t - warmupSteps) / Float(span)
            return learningRate * 0.5 * (1 + cos(Float.pi * fraction))
        }
    }
}

/// Denoising score matching (`optimization.objective` "dsm"): the noise levels, the future basis the
/// model samples in, and the averaged weights used for sampling.
public struct DenoisingConfiguration: Codable, Equatable, Sendable {
    /// Smallest and largest noise level σ, in coefficient units (the first coefficient has unit
    /// variance); training draws log σ uniformly between them.
    public var sigmaMin: Float = 0.002
    public var sigmaMax: Float = 4
    /// The future basis: "pca" (the leading `basisSize` principal components of the training
    /// futures) or "identity" (every future number).
    public var basis = FutureBasisKind.pca
    /// Coefficients D of the "pca" basis (≤ H·S).
    public var basisSize = 32
    /// Decay of the exponential moving average of the weights that checkpoints keep (0: none).
    public var ema: Float = 0.999
    /// Training windows the basis is fitted to (evenly spaced).
    public var basisWindows = 20_000
    /// Standard deviation of Gaussian noise added to the normalised context features of training
    /// rows (0: none): contexts that carry no information about the future (all at rest) cannot be
    /// memorised to pick a mode.
    public var contextNoise: Float = 0
    /// The sampler defaults of the trained model (what `FutureSampler` uses unless told otherwise):
    /// annealed steps per window spread over 20 noise levels, ε of the per-level step η = ε σ², and the
    /// temperature energies are divided by (below 1 concentrates the samples on the modes).
    public var samplerSteps = 200
    public var samplerStepScale: Float = 0.5
    public var samplerTemperature: Float = 1
    /// The noise level at and below which `samplerTemperature` applies; above it the levels are sampled at
    /// T = 1, so the modes' weights — settled at the high levels — stay the model's (nil: every level).
    public var samplerTemperatureBelow: Float?
    /// With `model.futureAsDelta`: the future state from which positions are absolute, the origin's weight
    /// falling linearly from 1 at the first future state (`FutureBasis.originFade`; nil: deltas throughout).
    public var originFade: Int?

    public init() {}
}

/// A training run's configuration (`trajectories/NAME.train.json` or `--config FILE.json`).
///
/// Every key is optional; unknown keys are errors (a typo must not silently train the default).
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// Seeds initialisation, batch order, chain initialisation and Langevin noise.
    public var seed: UInt64 = 0
    public var model = ModelConfiguration()
    public var langevin = LangevinConfiguration()
    public var replay = ReplayConfiguration()
    public var optimization = OptimizationConfiguration()
    public var data = DataConfiguration()
    public var improved = ImprovedCDConfiguration()
    /// Denoising score matching (objective "dsm").
    public var denoising = DenoisingConfiguration()
    /// Steps between checkpoints (0 = only at the end).
    public var checkpointEvery = 500
    /// Steps between metric lines.
    public var logEvery = 50

    public init() {}
}

// MARK: - Loading and checking

extension TrainingConfiguration {
    /// The configuration of `url` (nil: the built-in defaults) with `objective`, when given, in place
    /// of `optimization.objective` and checked again (`ebm train --config … --objective …`).
    public static func load(from url: URL?, objective: TrainingObjective?) throws -> TrainingConfiguration {
        var loaded = try url.map { try load(from: $0) } ?? TrainingConfiguration()
        if let objective { loaded.optimization.objective = objective; try loaded.validate(file: url?.path) }
        return loaded
    }

    /// Reads and checks `url`; errors name the file and the offending key.
    public static func load(from url: URL) throws -> TrainingConfiguration {
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            throw TrainingError.file(FileError(FileError.Kind(readError: error), path: url.path, "cannot read the configuration: \((error as NSError).localizedDescription)"))
        }
        return try decode(bytes, file: url.path)
    }

    /// Decodes and checks JSON `bytes`; `file` names the source in errors.
    public static func decode(_ bytes: Data, file: String) throws -> TrainingConfiguration {
        let configuration: TrainingConfiguration
        do {
            configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: bytes)
        } catch let error as DecodingError {
            let json = try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])
            if let seed = (json as? [String: Any])?["seed"] as? NSNumber, !(seed.doubleValue >= 0 && seed.doubleValue < 1.8e19) {
                throw TrainingError.file(FileError(.malformed, path: file, "seed: must be an integer in 0...\(UInt64.max), found \(seed)"))
            }
            throw TrainingError.file(FileError(.malformed, path: file, describe(error, validJSON: json != nil)))
        } catch let error as TrainingError {
            throw TrainingError.file(FileError(.malformed, path: file, error.message))
        }
        try configuration.validate(file: file)
        return configuration
    }

    /// Throws when a value is out of range.
    public func validate(file: String? = nil) throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw TrainingError.invalid(message, file: file) } }
        typealias Limits = ModelConfiguration.Limits
        try check((1...Limits.window).contains(model.contextLength), "model.contextLength \(model.contextLength) must be in 1...\(Limits.window)")
        try check((1...Limits.window).contains(model.horizon), "model.horizon \(model.horizon) must be in 1...\(Limits.window)")
        try check((1...Limits.depth).contains(model.depth), "model.depth \(model.depth) must be in 1...\(Limits.depth)")
        try check((1...64).contains(model.ensemble), "model.ensemble \(model.ensemble) must be between 1 and 64")
        let hiddenBytes = Double(model.ensemble) * Double(model.depth) * Double(model.hiddenWidth) * Double(model.hiddenWidth) * 4
        try check((1...Limits.hiddenWidth).contains(model.hiddenWidth),
                  "model.hiddenWidth \(model.hiddenWidth) must be in 1...\(Limits.hiddenWidth)"
                  + (model.hiddenWidth > Limits.hiddenWidth ? String(format: " (its weights alone would need %.3g GB)", hiddenBytes / 1e9) : ""))
        try check((1...Limits.channels).contains(model.channels) && (1...Limits.kernelSize).contains(model.kernelSize),
                  "model.channels \(model.channels) must be in 1...\(Limits.channels) and model.kernelSize \(model.kernelSize) in 1...\(Limits.kernelSize)")
        try check(hiddenBytes <= 16e9, String(format: "model.ensemble × depth × hiddenWidth² needs %.3g GB of weights, above the 16 GB limit", hiddenBytes / 1e9))
        try check(model.ensemble == 1 || (model.architecture == .mlp && !model.spectralNorm),
                  "model.ensemble > 1 needs model.architecture \"mlp\" without spectralNorm")
        try check(model.architecture == .mlp || !(model.conditionOnGoal || model.conditionOnControls),
                  "model.conditionOnGoal and conditionOnControls need model.architecture \"mlp\"")
        try check((0...100_000).contains(langevin.steps), "langevin.steps \(langevin.steps) must be in 0...100000")
        try check(langevin.stepSize >= 0 && langevin.noise >= 0 && langevin.gradientClip >= 0 && langevin.initialScale > 0,
                  "langevin.stepSize, noise and gradientClip must be >= 0 and initialScale > 0")
        try check((langevin.finalStepSize ?? 1) > 0 && (langevin.finalStepSize ?? 1).isFinite, "langevin.finalStepSize must be > 0")
        try check(!langevin.moveContext || !(model.conditionOnGoal || model.conditionOnControls),
                  "langevin.moveContext cannot be combined with model.conditionOnGoal or conditionOnControls (the chains would move the condition)")
        try check((langevin.finalNoise ?? 0) >= 0 && (langevin.finalNoise ?? 0).isFinite, "langevin.finalNoise must be >= 0")
        try check((0...1).contains(data.episodeStartFraction), "data.episodeStartFraction \(data.episodeStartFraction) must be in [0, 1]")
        try check(data.episodeStartSpan >= 1, "data.episodeStartSpan \(data.episodeStartSpan) must be >= 1")
        try check(improved.klWeight >= 0 && improved.entropyWeight >= 0 && improved.gradientPenalty >= 0,
                  "improved.klWeight, entropyWeight and gradientPenalty must be >= 0")
        try check((0...1).contains(replay.fraction), "replay.fraction \(replay.fraction) must be in [0, 1]")
        try check(replay.capacity >= 1, "replay.capacity \(replay.capacity) must be >= 1")
        try check((1...1_000_000_000).contains(optimization.steps), "optimization.steps \(optimization.steps) must be in 1...1000000000")
        try check((1...1 << 20).contains(optimization.batchSize), "optimization.batchSize \(optimization.batchSize) must be in 1...\(1 << 20)")
        try check(replay.capacity <= 1 << 24, "replay.capacity \(replay.capacity) must be <= \(1 << 24)")
        try check(optimization.learningRate > 0, "optimization.learningRate \(optimization.learningRate) must be > 0")
        try check((0..<1).contains(optimization.beta1) && (0..<1).contains(optimization.beta2),
                  "optimization.beta1 and beta2 must be in [0, 1)")
        try check(optimization.gradientClip >= 0, "optimization.gradientClip must be >= 0")
        try check(optimization.energyRegularization >= 0, "optimization.energyRegularization must be >= 0")
        try check(optimization.divergenceThreshold > 0, "optimization.divergenceThreshold must be > 0")
        try check(optimization.goalCrossEntropy >= 0, "optimization.goalCrossEntropy must be >= 0")
        try check(optimization.goalCrossEntropy == 0 || model.conditionOnGoal, "optimization.goalCrossEntropy needs model.conditionOnGoal")
        try check(optimization.warmupSteps >= 0, "optimization.warmupSteps must be >= 0")
        if optimization.objective == .dsm {
            let n = denoising
            try check(n.sigmaMin > 0 && n.sigmaMin.isFinite, "denoising.sigmaMin \(n.sigmaMin) must be > 0")
            try check(n.sigmaMax > n.sigmaMin && n.sigmaMax.isFinite, "denoising.sigmaMax \(n.sigmaMax) must be above denoising.sigmaMin \(n.sigmaMin)")
            try check(n.basis != .pca || n.basisSize >= 1, "denoising.basisSize \(n.basisSize) must be >= 1")
            try check((0..<1).contains(n.ema), "denoising.ema \(n.ema) must be in [0, 1)")
            try check(n.basisWindows >= 1, "denoising.basisWindows must be >= 1")
            try check(n.contextNoise >= 0 && n.contextNoise.isFinite, "denoising.contextNoise must be >= 0")
            try check(n.samplerSteps >= 1, "denoising.samplerSteps \(n.samplerSteps) must be >= 1")
            try check(n.samplerStepScale > 0 && n.samplerStepScale.isFinite, "denoising.samplerStepScale \(n.samplerStepScale) must be > 0")
            try check(n.samplerTemperature > 0 && n.samplerTemperature.isFinite, "denoising.samplerTemperature \(n.samplerTemperature) must be > 0")
            try check(n.samplerTemperatureBelow.map { $0 > 0 && $0.isFinite } ?? true, "denoising.samplerTemperatureBelow \(n.samplerTemperatureBelow ?? 0) must be > 0")
            try check(n.originFade.map { $0 >= 1 } ?? true, "denoising.originFade \(n.originFade ?? 0) must be >= 1")
            try check(n.originFade == nil || model.futureAsDelta, "denoising.originFade needs model.futureAsDelta true (it fades the deltas' origin)")
            try check(!model.spectralNorm && model.ensemble == 1,
                      "optimization.objective \"dsm\" needs a model without spectralNorm or ensemble (the second-order pass covers Linear, SiLU and temporal convolutions)")
            try check(model.architecture == .mlp || n.basis == .identity,
                      "model.architecture \"\(model.architecture.rawValue)\" under optimization.objective \"dsm\" reads the window over time: it needs denoising.basis \"identity\"")
        }
        try check(checkpointEvery >= 0, "checkpointEvery \(checkpointEvery) must be >= 0")
        try check(logEvery >= 1, "logEvery \(logEvery) must be >= 1")
    }

    /// The configuration as pretty, key-sorted JSON.
    public func encodedJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    private static func describe(_ error: DecodingError, validJSON: Bool) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case let .typeMismatch(type, context): return "\(path(context)): expected \(type): \(context.debugDescription)"
        case let .valueNotFound(type, context): return "\(path(context)): missing \(type)"
        case let .keyNotFound(key, context): return "\(path(context)): missing key '\(key.stringValue)'"
        case let .dataCorrupted(context) where validJSON:
            // well-formed JSON whose number does not fit (e.g. "seed": -1 for an unsigned seed)
            return "\(path(context)): a number does not fit its type (the seed and counts are integers >= 0)"
        case let .dataCorrupted(context):
            let underlying = (context.underlyingError as NSError?)?.localizedDescription
            return "\(path(context)): malformed JSON: \(underlying ?? context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

// MARK: - Decoding with defaults, rejecting unknown keys

/// Any string key, for listing the keys an object actually has.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Throws when the object being decoded has a key outside `known`.
func rejectUnknownKeys<K: CodingKey & CaseIterable>(_ decoder: Decoder, _ known: K.Type) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    let names = Set(K.allCases.map(\.stringValue))
    for key in container.allKeys where !names.contains(key.stringValue) {
        let where_ = (decoder.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
        throw TrainingError.invalidConfiguration("unknown key '\(where_)' (known: \(names.sorted().joined(separator: ", ")))")
    }
}

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the key is absent.
    func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

extension ModelConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case contextLength, horizon, hiddenWidth, depth, futureAsDelta, spectralNorm, architecture, channels, kernelSize
        case conditionOnGoal, conditionOnControls, ensemble
    }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelConfiguration()
        contextLength = try c.value(.contextLength, or: d.contextLength)
        horizon = try c.value(.horizon, or: d.horizon)
        hiddenWidth = try c.value(.hiddenWidth, or: d.hiddenWidth)
        depth = try c.value(.depth, or: d.depth)
        futureAsDelta = try c.value(.futureAsDelta, or: d.futureAsDelta)
        spectralNorm = try c.value(.spectralNorm, or: d.spectralNorm)
        if let name = try c.decodeIfPresent(String.self, forKey: .architecture) {
            guard let value = Architecture(rawValue: name) else {
                throw TrainingError.invalidConfiguration("model.architecture '\(name)' is not one of \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            architecture = value
        }
        channels = try c.value(.channels, or: d.channels)
        kernelSize = try c.value(.kernelSize, or: d.kernelSize)
        conditionOnGoal = try c.value(.conditionOnGoal, or: d.conditionOnGoal)
        conditionOnControls = try c.value(.conditionOnControls, or: d.conditionOnControls)
        ensemble = try c.value(.ensemble, or: d.ensemble)
    }
}

extension LangevinConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable { case steps, stepSize, gradientClip, noise, initialScale, finalStepSize, finalNoise, moveContext }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LangevinConfiguration()
        steps = try c.value(.steps, or: d.steps)
        stepSize = try c.value(.stepSize, or: d.stepSize)
        gradientClip = try c.value(.gradientClip, or: d.gradientClip)
        noise = try c.value(.noise, or: d.noise)
        initialScale = try c.value(.initialScale, or: d.initialScale)
        finalStepSize = try c.decodeIfPresent(Float.self, forKey: .finalStepSize)
        finalNoise = try c.decodeIfPresent(Float.self, forKey: .finalNoise)
        moveContext = try c.value(.moveContext, or: d.moveContext)
    }
}

extension ReplayConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable { case fraction, capacity }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ReplayConfiguration()
        fraction = try c.value(.fraction, or: d.fraction)
        capacity = try c.value(.capacity, or: d.capacity)
    }
}

extension DataConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable { case episodeStartFraction, episodeStartSpan, padEpisodeEnds }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DataConfiguration()
        episodeStartFraction = try c.value(.episodeStartFraction, or: d.episodeStartFraction)
        episodeStartSpan = try c.value(.episodeStartSpan, or: d.episodeStartSpan)
        padEpisodeEnds = try c.value(.padEpisodeEnds, or: d.padEpisodeEnds)
    }
}

extension ImprovedCDConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable { case klWeight, entropyWeight, gradientPenalty }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ImprovedCDConfiguration()
        klWeight = try c.value(.klWeight, or: d.klWeight)
        entropyWeight = try c.value(.entropyWeight, or: d.entropyWeight)
        gradientPenalty = try c.value(.gradientPenalty, or: d.gradientPenalty)
    }
}

extension OptimizationConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case steps, batchSize, learningRate, beta1, beta2, gradientClip, energyRegularization, divergenceThreshold, goalCrossEntropy
        case objective, learningRateSchedule, warmupSteps
    }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = OptimizationConfiguration()
        steps = try c.value(.steps, or: d.steps)
        batchSize = try c.value(.batchSize, or: d.batchSize)
        learningRate = try c.value(.learningRate, or: d.learningRate)
        beta1 = try c.value(.beta1, or: d.beta1)
        beta2 = try c.value(.beta2, or: d.beta2)
        gradientClip = try c.value(.gradientClip, or: d.gradientClip)
        energyRegularization = try c.value(.energyRegularization, or: d.energyRegularization)
        divergenceThreshold = try c.value(.divergenceThreshold, or: d.divergenceThreshold)
        goalCrossEntropy = try c.value(.goalCrossEntropy, or: d.goalCrossEntropy)
        objective = try decodeName(c, .objective, "optimization.objective", or: d.objective)
        learningRateSchedule = try decodeName(c, .learningRateSchedule, "optimization.learningRateSchedule", or: d.learningRateSchedule)
        warmupSteps = try c.value(.warmupSteps, or: d.warmupSteps)
    }
}

/// An enum stored by name, with an error that names the key and the accepted names.
func decodeName<K: CodingKey, T: RawRepresentable & CaseIterable>(_ c: KeyedDecodingContainer<K>, _ key: K, _ name: String,
                                                                  or fallback: T) throws -> T where T.RawValue == String {
    guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return fallback }
    guard let value = T(rawValue: text) else {
        throw TrainingError.invalidConfiguration("\(name) '\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
}

extension DenoisingConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case sigmaMin, sigmaMax, basis, basisSize, ema, basisWindows, contextNoise, samplerSteps, samplerStepScale, samplerTemperature
        case samplerTemperatureBelow, originFade
    }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DenoisingConfiguration()
        sigmaMin = try c.value(.sigmaMin, or: d.sigmaMin)
        sigmaMax = try c.value(.sigmaMax, or: d.sigmaMax)
        basis = try decodeName(c, .basis, "denoising.basis", or: d.basis)
        basisSize = try c.value(.basisSize, or: d.basisSize)
        ema = try c.value(.ema, or: d.ema)
        basisWindows = try c.value(.basisWindows, or: d.basisWindows)
        contextNoise = try c.value(.contextNoise, or: d.contextNoise)
        samplerSteps = try c.value(.samplerSteps, or: d.samplerSteps)
        samplerStepScale = try c.value(.samplerStepScale, or: d.samplerStepScale)
        samplerTemperature = try c.value(.samplerTemperature, or: d.samplerTemperature)
        samplerTemperatureBelow = try c.decodeIfPresent(Float.self, forKey: .samplerTemperatureBelow)
        originFade = try c.decodeIfPresent(Int.self, forKey: .originFade)
    }
}

extension TrainingConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case seed, model, langevin, replay, optimization, data, improved, denoising, checkpointEvery, logEvery
    }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfiguration()
        seed = try c.value(.seed, or: d.seed)
        model = try c.value(.model, or: d.model)
        langevin = try c.value(.langevin, or: d.langevin)
        replay = try c.value(.replay, or: d.replay)
        optimization = try c.value(.optimization, or: d.optimization)
        data = try c.value(.data, or: d.data)
        improved = try c.value(.improved, or: d.improved)
        denoising = try c.value(.denoising, or: d.denoising)
        checkpointEvery = try c.value(.checkpointEvery, or: d.checkpointEvery)
        logEvery = try c.value(.logEvery, or: d.logEvery)
    }
}
