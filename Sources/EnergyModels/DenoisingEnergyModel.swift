// DenoisingEnergyModel: a noise-conditioned scalar energy E_θ(y, σ | context) over the D basis
// coefficients y of a whole future window, trained by denoising score matching.

import Foundation
import NeuralCore

/// A conditional energy over future coefficients at noise level σ:
///
///     E(y, σ | c) = Σᵢ yᵢ² / (2(λᵢ + σ²)) + N_θ([c̃, φ(σ), y / √(1 + σ²)]) / σ
///
/// The first term is the exact energy of a Gaussian with the training futures' per-coefficient
/// variances λᵢ blurred by σ (a skip connection: at large σ it is nearly the whole answer); the
/// network N (Linear + SiLU, `depth` hidden layers) learns what is not Gaussian — the modes — and its
/// output is divided by σ so that σ∇_y E, which regresses the noise ε, is O(1) at every level.
/// c̃ is the normalised context (the `WindowEncoding`'s context features), φ(σ) five features of
/// log σ. Sampling anneals σ from `sigmaMax` down to `sigmaMin` (see Sampling's `AnnealedSampler`).
///
/// N is an MLP on the flat row (`model.architecture` "mlp"), or a temporal convolutional network
/// ("temporal-convolution", "temporal-residual") over the identity basis — the window itself — read
/// as a sequence of k + H steps with S + 6 channels: [c̃_t, φ(σ), 1] at the k context steps and
/// [y_t / √(1 + σ²), φ(σ), 0] at the H future steps (the noise features and a context flag broadcast
/// over time).
public final class DenoisingEnergyModel {
    public let configuration: ModelConfiguration
    public let denoising: DenoisingConfiguration
    /// Normalises contexts (only its context features are used).
    public let encoding: WindowEncoding
    public let basis: FutureBasis
    /// (batch, inputWidth) → (batch, 1): rows (contextWidth + 5 + D) for an MLP, (k + H, S + 6) for
    /// a temporal network.
    public let network: Sequential
    /// Noise features φ(σ).
    public static let noiseFeatures = 5
    /// The network row's column of each coefficient (D).
    public let coefficientColumns: [Int]

    /// Whether N reads the window as a sequence over time.
    public var isTemporal: Bool { configuration.architecture != .mlp }
    /// Channels per step of a temporal network's rows: the state, φ(σ) and the context flag.
    var stepChannels: Int { encoding.stateSize + Self.noiseFeatures + 1 }

    /// A freshly initialised model (weights from `seed`).
    public init(configuration: ModelConfiguration, denoising: DenoisingConfiguration, encoding: WindowEncoding,
                basis: FutureBasis, seed: UInt64) {
        precondition(basis.horizon == configuration.horizon && basis.stateSize == encoding.stateSize, "DenoisingEnergyModel: basis window")
        (self.configuration, self.denoising, self.encoding, self.basis) = (configuration, denoising, encoding, basis)
        let (k, H, S, channels) = (configuration.contextLength, configuration.horizon, encoding.stateSize, encoding.stateSize + Self.noiseFeatures + 1)
        let layers: [any Layer]
        switch configuration.architecture {
        case .mlp:
            let width = encoding.contextWidth + Self.noiseFeatures + basis.dimension
            layers = TrajectoryEnergyModel.layers(configuration, inputWidth: width, outputWidth: 1, spectralNorm: false)
            coefficientColumns = (0..<basis.dimension).map { encoding.contextWidth + Self.noiseFeatures + $0 }
        case .temporalConvolution, .temporalResidual:
            precondition(basis.kind == .identity && encoding.contextWidth == k * S, "DenoisingEnergyModel: a temporal network reads the identity basis after state contexts")
            layers = configuration.architecture == .temporalConvolution
                ? TrajectoryEnergyModel.convolutionLayers(configuration, length: k + H, stateSize: channels)
                : TrajectoryEnergyModel.residualConvolutionLayers(configuration, length: k + H, stateSize: channels)
            coefficientColumns = (0..<basis.dimension).map { j in (k + j / S) * channels + j % S }
        }
        network = Sequential(layers, seed: seed)
    }

    /// Coefficients D.
    public var dimension: Int { basis.dimension }
    /// Features per network row.
    public var inputWidth: Int { network.inputWidth }

    /// φ(σ): t = log σ mapped to [−1, 1] over [σmin, σmax], then t, sin πt, cos πt, sin 2πt, cos 2πt.
    public func noiseFeatures(_ sigma: Float) -> [Float] {
        let (lo, hi) = (log(denoising.sigmaMin), log(denoising.sigmaMax))
        let t = 2 * (log(sigma) - lo) / (hi - lo) - 1
        return [t, sin(.pi * t), cos(.pi * t), sin(2 * .pi * t), cos(2 * .pi * t)]
    }

    /// s(σ) = 1/√(1 + σ²): the network reads y·s, and σ ∂E/∂y carries ∂N/∂y′ · s.
    @inline(__always)
    public static func inputScale(_ sigma: Float) -> Float { 1 / (1 + sigma * sigma).squareRoot() }

    /// Σᵢ yᵢ²/(2(λᵢ + σ²)) for row `b` of `y` (B, D): the skip term.
    @inline(__always)
    func prior(_ y: [Float], row b: Int, sigma: Float) -> Float {
        let (D, s2) = (dimension, sigma * sigma)
        var prior: Float = 0
        for i in 0..<D { let v = y[b * D + i]; prior += 0.5 * v * v * (1 / (basis.variances[i] + s2)) }
        return prior
    }

    /// y + σ ε per row: coefficients (B, D) blurred at levels σ (B) by noise ε (B, D).
    public func noisy(_ y: [Float], sigma: [Float], noise: [Float]) -> [Float] {
        let D = dimension
        var out = y
        for b in 0..<sigma.count { for i in 0..<D { out[b * D + i] += sigma[b] * noise[b * D + i] } }
        return out
    }

    /// Normalised context features (B, contextWidth) from raw contexts (B, contextWidth).
    public func normalizedContexts(_ context: [Float]) -> [Float] {
        let C = encoding.contextWidth
        var out = context
        for i in 0..<out.count { out[i] = (context[i] - encoding.mean[i % C]) / encoding.standardDeviation[i % C] }
        return out
    }

    /// The context states (B, k, S) of raw contexts (B, contextWidth): the condition features dropped.
    public func contextStates(_ context: [Float]) -> [Float] {
        let (C, K) = (encoding.contextWidth, encoding.stateContextWidth)
        guard C != K else { return context }
        return (0..<(context.count / C)).flatMap { b in context[(b * C)..<(b * C + K)] }
    }

    /// Network rows (B, inputWidth) for normalised contexts (B, C), coefficients (B, D) and levels (B).
    public func rows(normalizedContexts c: [Float], coefficients y: [Float], sigma: [Float]) -> [Float] {
        let (C, D, P, W) = (encoding.contextWidth, dimension, Self.noiseFeatures, inputWidth)
        let batch = sigma.count
        precondition(c.count == batch * C && y.count == batch * D, "DenoisingEnergyModel.rows: sizes")
        var out = [Float](repeating: 0, count: batch * W)
        for b in 0..<batch {
            let phi = noiseFeatures(sigma[b]), scale = Self.inputScale(sigma[b])
            if isTemporal {
                // every step: its state (context, or future scaled), φ(σ), the context flag
                let (S, channels, steps) = (encoding.stateSize, stepChannels, W / stepChannels)
                for t in 0..<steps {
                    let row = b * W + t * channels
                    for j in 0..<P { out[row + S + j] = phi[j] }
                    if t < encoding.contextLength {
                        for d in 0..<S { out[row + d] = c[b * C + t * S + d] }
                        out[row + S + P] = 1
                    }
                }
            } else {
                for j in 0..<C { out[b * W + j] = c[b * C + j] }
                for j in 0..<P { out[b * W + C + j] = phi[j] }
            }
            for j in 0..<D { out[b * W + coefficientColumns[j]] = y[b * D + j] * scale }
        }
        return out
    }

    /// The energies and ∂E/∂y (B, D) given the network's energies N and its row gradients (B, inputWidth).
    func assemble(coefficients y: [Float], sigma: [Float], network n: [Float], rowGradient g: [Float]) -> (energies: [Float], gradients: [Float]) {
        let (D, W) = (dimension, inputWidth)
        var energies = [Float](repeating: 0, count: sigma.count), gradients = [Float](repeating: 0, count: y.count)
        for b in 0..<sigma.count {
            let s2 = sigma[b] * sigma[b], scale = Self.inputScale(sigma[b])
            for i in 0..<D { gradients[b * D + i] = y[b * D + i] * (1 / (basis.variances[i] + s2)) + g[b * W + coefficientColumns[i]] * scale / sigma[b] }
            energies[b] = prior(y, row: b, sigma: sigma[b]) + n[b] / sigma[b]
        }
        return (energies, gradients)
    }

    /// E(y, σ | c) and ∂E/∂y for normalised contexts (B, C), coefficients (B, D) and levels (B).
    public func energiesAndGradients(normalizedContexts c: [Float], coefficients y: [Float], sigma: [Float]) -> (energies: [Float], gradients: [Float]) {
        let input = rows(normalizedContexts: c, coefficients: y, sigma: sigma)
        let (n, g) = network.energyAndInputGradient(Tensor(shape: [sigma.count, inputWidth], scalars: input))
        return assemble(coefficients: y, sigma: sigma, network: n, rowGradient: g.scalars)
    }

    /// E(y, σ | c) alone.
    public func energies(normalizedContexts c: [Float], coefficients y: [Float], sigma: [Float]) -> [Float] {
        let input = rows(normalizedContexts: c, coefficients: y, sigma: sigma)
        let n = network.forward(Tensor(shape: [sigma.count, inputWidth], scalars: input)).scalars
        return (0..<sigma.count).map { b in prior(y, row: b, sigma: sigma[b]) + n[b] / sigma[b] }
    }

    /// E(future | context) at the smallest noise level, for raw contexts (B, contextWidth) and futures
    /// (B, H, S): how unlikely each future is (judges and scores). The whole window counts: the
    /// energy of its basis coefficients plus, when the basis keeps a residual variance σr², ‖r‖²/(2σr²)
    /// for the part off the basis (what noise or a glitch adds); samples lie in the basis (r = 0).
    /// `offBasis` false leaves that term out: the energy of the basis coefficients alone.
    public func energies(context: [Float], future: [Float], offBasis: Bool = true) -> [Float] {
        let (c, y) = normalizedContextsAndCoefficients(context: context, future: future)
        let batch = context.count / encoding.contextWidth
        var e = energies(normalizedContexts: c, coefficients: y, sigma: [Float](repeating: denoising.sigmaMin, count: batch))
        if offBasis, let variance = basis.residualVariance, variance > 0 {
            let r = basis.residuals(context: contextStates(context), contextLength: encoding.contextLength, future: future, coefficients: y)
            for b in 0..<batch { e[b] += r[b] / (2 * variance) }
        }
        return e
    }

    /// What the network reads of raw windows: normalised contexts (B, C) and the futures' basis coefficients (B, D).
    public func normalizedContextsAndCoefficients(context: [Float], future: [Float]) -> (contexts: [Float], coefficients: [Float]) {
        (normalizedContexts(context), basis.encode(context: contextStates(context), contextLength: encoding.contextLength, future: future))
    }

    /// Raw futures (B, H, S) of coefficients (B, D) after raw contexts (B, contextWidth).
    public func futures(coefficients: [Float], context: [Float]) -> [Float] {
        basis.decode(coefficients, context: contextStates(context), contextLength: encoding.contextLength)
    }
}
