// TrajectoryEnergyModel: E_θ(future | context), an MLP on the flattened normalised window.

import Foundation
import NeuralCore

/// A conditional energy over state windows: low on real futures of the robot, high elsewhere.
///
/// The network reads one normalised row x̃ = encoding(context, future) of width k·S + H·S and
/// returns a scalar: Linear → SiLU repeated `depth` times at `hiddenWidth`, then Linear → 1
/// (spectrally normalised linear layers when `spectralNorm`). Langevin sampling works on the
/// future part z of x̃ (normalised units); `energyAndFutureGradient` gives ∂E/∂future in raw units.
public final class TrajectoryEnergyModel {
    public let configuration: ModelConfiguration
    public let encoding: WindowEncoding
    /// The energy network: (batch, encoding.width) → (batch, 1).
    public let network: Sequential

    /// A freshly initialised model (weights from `seed`).
    public init(configuration: ModelConfiguration, encoding: WindowEncoding, seed: UInt64) {
        precondition(encoding.contextLength == configuration.contextLength && encoding.horizon == configuration.horizon,
                     "TrajectoryEnergyModel: encoding window differs from the configuration")
        self.configuration = configuration
        self.encoding = encoding
        let length = configuration.contextLength + configuration.horizon
        let layers: [any Layer]
        switch configuration.architecture {
        case .mlp: layers = Self.layers(configuration, inputWidth: encoding.width, outputWidth: 1, spectralNorm: configuration.spectralNorm)
        case .temporalConvolution: layers = Self.convolutionLayers(configuration, length: length, stateSize: encoding.stateSize)
        case .temporalResidual: layers = Self.residualConvolutionLayers(configuration, length: length, stateSize: encoding.stateSize)
        }
        network = Sequential(layers, seed: seed)
    }

    init(configuration: ModelConfiguration, encoding: WindowEncoding, network: Sequential) {
        (self.configuration, self.encoding, self.network) = (configuration, encoding, network)
    }

    /// Linear(+SiLU) × depth, then the output layer.
    public static func layers(_ c: ModelConfiguration, inputWidth: Int, outputWidth: Int, spectralNorm: Bool) -> [any Layer] {
        func dense(_ i: Int, _ o: Int) -> any Layer {
            spectralNorm ? SpectralNormLinear(inputWidth: i, outputWidth: o) : Linear(inputWidth: i, outputWidth: o)
        }
        if c.ensemble > 1 { return ensembleLayers(c, inputWidth: inputWidth, outputWidth: outputWidth) }
        var layers: [any Layer] = []
        var width = inputWidth
        for _ in 0..<c.depth {
            layers += [dense(width, c.hiddenWidth), SiLU(width: c.hiddenWidth)]
            width = c.hiddenWidth
        }
        layers.append(dense(width, outputWidth))
        return layers
    }

    /// `c.ensemble` MLPs side by side: one Linear to all members' first hidden layers (each
    /// member's block of columns), GroupedLinear + SiLU for the rest, then the members' mean.
    static func ensembleLayers(_ c: ModelConfiguration, inputWidth: Int, outputWidth: Int) -> [any Layer] {
        let (M, h) = (c.ensemble, c.hiddenWidth)
        guard c.depth > 0 else { return [Linear(inputWidth: inputWidth, outputWidth: M * outputWidth), GroupMean(groups: M, width: outputWidth)] }
        var layers: [any Layer] = [Linear(inputWidth: inputWidth, outputWidth: M * h), SiLU(width: M * h)]
        for _ in 1..<c.depth { layers += [GroupedLinear(groups: M, inputWidth: h, outputWidth: h), SiLU(width: M * h)] }
        layers += [GroupedLinear(groups: M, inputWidth: h, outputWidth: outputWidth), GroupMean(groups: M, width: outputWidth)]
        return layers
    }

    /// (TemporalConvolution + SiLU) × depth over the (k + H, S) sequence, then Linear → 1
    /// (spectrally normalised when asked).
    static func convolutionLayers(_ c: ModelConfiguration, length: Int, stateSize: Int) -> [any Layer] {
        var layers: [any Layer] = []
        var channels = stateSize
        for _ in 0..<c.depth {
            layers += [TemporalConvolution(length: length, inputChannels: channels, outputChannels: c.channels, kernelSize: c.kernelSize),
                       SiLU(width: length * c.channels)]
            channels = c.channels
        }
        let width = length * channels
        layers.append(c.spectralNorm ? SpectralNormLinear(inputWidth: width, outputWidth: 1) : Linear(inputWidth: width, outputWidth: 1))
        return layers
    }

    /// Conv(S → channels) + SiLU, `depth` residual blocks, SiLU, then Linear → 1 (spectrally
    /// normalised when asked).
    static func residualConvolutionLayers(_ c: ModelConfiguration, length: Int, stateSize: Int) -> [any Layer] {
        let width = length * c.channels
        var layers: [any Layer] = [TemporalConvolution(length: length, inputChannels: stateSize, outputChannels: c.channels, kernelSize: c.kernelSize),
                                   SiLU(width: width)]
        for _ in 0..<c.depth { layers.append(TemporalResidualBlock(length: length, channels: c.channels, kernelSize: c.kernelSize)) }
        layers += [SiLU(width: width),
                   c.spectralNorm ? SpectralNormLinear(inputWidth: width, outputWidth: 1) : Linear(inputWidth: width, outputWidth: 1)]
        return layers
    }

    // MARK: - Energies

    /// E on normalised rows `rows` (B, width). Returns B energies.
    public func energies(rows: [Float]) -> [Float] {
        network.forward(Tensor(shape: [rows.count / encoding.width, encoding.width], scalars: rows)).scalars
    }

    /// E(future | context) for raw `context` (B, k, S) and `future` (B, H, S).
    public func energies(context: [Float], future: [Float]) -> [Float] {
        energies(rows: encoding.encode(context: context, future: future))
    }

    /// E and ∂E/∂x̃ on normalised rows (B, width).
    public func energyAndRowGradient(rows: [Float]) -> (energies: [Float], gradient: [Float]) {
        let (e, g) = network.energyAndInputGradient(Tensor(shape: [rows.count / encoding.width, encoding.width], scalars: rows))
        return (e, g.scalars)
    }

    /// E(future | context) and ∂E/∂future (B, H, S) in raw state units, through the
    /// normalisation and the delta parameterisation (∂(f − c_last)/∂f = I).
    public func energyAndFutureGradient(context: [Float], future: [Float]) -> (energies: [Float], futureGradient: [Float]) {
        let (e, g) = energyAndRowGradient(rows: encoding.encode(context: context, future: future))
        let (C, F, W) = (encoding.contextWidth, encoding.futureWidth, encoding.width)
        var out = [Float](repeating: 0, count: e.count * F)
        for b in 0..<e.count {
            for j in 0..<F { out[b * F + j] = g[b * W + C + j] / encoding.standardDeviation[C + j] }
        }
        return (e, out)
    }
}
