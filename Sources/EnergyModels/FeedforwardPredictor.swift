// FeedforwardPredictor: the baseline, context → future under mean squared error, with the energy
// model's width and depth.

import Foundation
import NeuralCore

/// Maps the normalised context (B, k·S) to the normalised future features (B, H·S) (deltas when
/// the encoding says so), with the same hidden layers as `TrajectoryEnergyModel`.
public final class FeedforwardPredictor {
    public let configuration: ModelConfiguration
    public let encoding: WindowEncoding
    /// (batch, encoding.contextWidth) → (batch, encoding.futureWidth).
    public let network: Sequential

    public init(configuration: ModelConfiguration, encoding: WindowEncoding, seed: UInt64) {
        self.configuration = configuration
        self.encoding = encoding
        network = Sequential(TrajectoryEnergyModel.layers(configuration, inputWidth: encoding.contextWidth,
                                                          outputWidth: encoding.futureWidth, spectralNorm: false), seed: seed)
    }

    init(configuration: ModelConfiguration, encoding: WindowEncoding, network: Sequential) {
        (self.configuration, self.encoding, self.network) = (configuration, encoding, network)
    }

    /// Predicted raw futures (B, H, S) for raw contexts (B, k, S).
    public func predict(context: [Float]) -> [Float] {
        let batch = context.count / encoding.contextWidth
        let rows = encoding.encode(context: context, future: [Float](repeating: 0, count: batch * encoding.futureWidth))
        var input = [Float](repeating: 0, count: batch * encoding.contextWidth)
        for b in 0..<batch {
            for j in 0..<encoding.contextWidth { input[b * encoding.contextWidth + j] = rows[b * encoding.width + j] }
        }
        let output = network.forward(Tensor(shape: [batch, encoding.contextWidth], scalars: input)).scalars
        var full = rows
        for b in 0..<batch {
            for j in 0..<encoding.futureWidth { full[b * encoding.width + encoding.contextWidth + j] = output[b * encoding.futureWidth + j] }
        }
        return encoding.decodeFuture(rows: full, context: context)
    }
}
