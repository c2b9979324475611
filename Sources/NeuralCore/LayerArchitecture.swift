// LayerArchitecture: a layer's configuration as a value, written to and read from checkpoints.

/// The configuration of one layer: enough to rebuild it (its tensors come separately).
///
/// Encoded as JSON in a checkpoint's `__metadata__` (key `"architecture"`), one entry per
/// layer, for example `{"linear":{"inputWidth":80,"outputWidth":256}}`.
public enum LayerArchitecture: Codable, Equatable, Sendable {
    case linear(inputWidth: Int, outputWidth: Int)
    case silu(width: Int)
    case leakyReLU(width: Int, negativeSlope: Float)
    case tanh(width: Int)
    case layerNorm(width: Int, epsilon: Float)
    case residualBlock(width: Int, hiddenWidth: Int)
    case temporalConvolution(length: Int, inputChannels: Int, outputChannels: Int, kernelSize: Int)
    case spectralNormLinear(inputWidth: Int, outputWidth: Int)
    case temporalResidualBlock(length: Int, channels: Int, kernelSize: Int)
    case groupedLinear(groups: Int, inputWidth: Int, outputWidth: Int)
    case groupMean(groups: Int, width: Int)

    /// A layer with this configuration.
    public func makeLayer() -> any Layer {
        switch self {
        case let .linear(inputWidth, outputWidth): return Linear(inputWidth: inputWidth, outputWidth: outputWidth)
        case let .silu(width): return SiLU(width: width)
        case let .leakyReLU(width, negativeSlope): return LeakyReLU(width: width, negativeSlope: negativeSlope)
        case let .tanh(width): return Tanh(width: width)
        case let .layerNorm(width, epsilon): return LayerNorm(width: width, epsilon: epsilon)
        case let .residualBlock(width, hiddenWidth): return ResidualBlock(width: width, hiddenWidth: hiddenWidth)
        case let .temporalConvolution(length, inputChannels, outputChannels, kernelSize):
            return TemporalConvolution(length: length, inputChannels: inputChannels,
                                       outputChannels: outputChannels, kernelSize: kernelSize)
        case let .spectralNormLinear(inputWidth, outputWidth):
            return SpectralNormLinear(inputWidth: inputWidth, outputWidth: outputWidth)
        case let .temporalResidualBlock(length, channels, kernelSize):
            return TemporalResidualBlock(length: length, channels: channels, kernelSize: kernelSize)
        case let .groupedLinear(groups, inputWidth, outputWidth):
            return GroupedLinear(groups: groups, inputWidth: inputWidth, outputWidth: outputWidth)
        case let .groupMean(groups, width): return GroupMean(groups: groups, width: width)
        }
    }
}
