// WindowEncoding: (context, future) windows of raw states ↔ the normalised feature rows the
// networks read, x̃ = ([c, f − δ·c_last] − mean) / std.

import Foundation
import NeuralCore
import Trajectories

/// How a window of k context states and H future states becomes one normalised feature row.
///
/// Row layout (width k·S + H·S): the k context states, oldest first, then the H future states,
/// each as s_{t+h} − s_t (the last context state) when `futureAsDelta`. Every feature is then
/// standardised with `mean`/`standardDeviation`, measured on the training windows.
public struct WindowEncoding: Codable, Equatable, Sendable {
    /// States per window position S (nq + nv).
    public var stateSize: Int
    /// Context states k.
    public var contextLength: Int
    /// Future states H.
    public var horizon: Int
    public var futureAsDelta: Bool
    /// Per-feature mean. Count `width`.
    public var mean: [Float]
    /// Per-feature standard deviation (> 0). Count `width`.
    public var standardDeviation: [Float]

    /// Features of the context part k·S.
    public var contextWidth: Int { contextLength * stateSize }
    /// Features of the future part H·S.
    public var futureWidth: Int { horizon * stateSize }
    /// Features per row.
    public var width: Int { contextWidth + futureWidth }

    /// Measures the statistics on every window of `windows` (raw states, in Double).
    public init(windows: TrajectoryWindows, futureAsDelta: Bool) {
        let data = windows.dataset
        let S = data.stateSize, k = windows.context, H = windows.future
        (stateSize, contextLength, horizon, self.futureAsDelta) = (S, k, H, futureAsDelta)
        let width = (k + H) * S
        var sum = [Double](repeating: 0, count: width), squares = [Double](repeating: 0, count: width)
        // Two passes (mean, then spread) keep the variance stable for large offsets.
        for pass in 0..<2 {
            let centre = pass == 0 ? [Double](repeating: 0, count: width) : sum.map { $0 / Double(max(windows.count, 1)) }
            for index in 0..<windows.count {
                let (e, start) = windows.location(of: index)
                let last = (e * (data.steps + 1) + start + k - 1) * S
                for t in 0..<(k + H) {
                    let row = (e * (data.steps + 1) + start + t) * S
                    for d in 0..<S {
                        var x = data.states[row + d]
                        if t >= k && futureAsDelta { x -= data.states[last + d] }
                        let feature = t * S + d
                        if pass == 0 { sum[feature] += x } else { squares[feature] += (x - centre[feature]) * (x - centre[feature]) }
                    }
                }
            }
            if pass == 1 { sum = centre }
        }
        mean = sum.map(Float.init)
        standardDeviation = squares.map { Float(Swift.max(($0 / Double(max(windows.count, 1))).squareRoot(), 1e-6)) }
    }

    /// An encoding with given statistics (tests, checkpoints).
    public init(stateSize: Int, contextLength: Int, horizon: Int, futureAsDelta: Bool,
                mean: [Float], standardDeviation: [Float]) {
        (self.stateSize, self.contextLength, self.horizon, self.futureAsDelta) = (stateSize, contextLength, horizon, futureAsDelta)
        (self.mean, self.standardDeviation) = (mean, standardDeviation)
        precondition(mean.count == width && standardDeviation.count == width, "WindowEncoding: statistics of \(mean.count) features, width \(width)")
    }

    /// Normalised rows (B, width) from raw `context` (B, k, S) and `future` (B, H, S).
    public func encode(context: [Float], future: [Float]) -> [Float] {
        let batch = context.count / contextWidth
        precondition(context.count == batch * contextWidth && future.count == batch * futureWidth, "WindowEncoding.encode: sizes")
        var rows = [Float](repeating: 0, count: batch * width)
        for b in 0..<batch {
            let last = b * contextWidth + contextWidth - stateSize
            for j in 0..<contextWidth {
                rows[b * width + j] = (context[b * contextWidth + j] - mean[j]) / standardDeviation[j]
            }
            for j in 0..<futureWidth {
                var x = future[b * futureWidth + j]
                if futureAsDelta { x -= context[last + j % stateSize] }
                let f = contextWidth + j
                rows[b * width + f] = (x - mean[f]) / standardDeviation[f]
            }
        }
        return rows
    }

    /// Raw futures (B, H, S) from normalised rows (B, width) and the raw `context` (B, k, S).
    public func decodeFuture(rows: [Float], context: [Float]) -> [Float] {
        let batch = rows.count / width
        var future = [Float](repeating: 0, count: batch * futureWidth)
        for b in 0..<batch {
            let last = b * contextWidth + contextWidth - stateSize
            for j in 0..<futureWidth {
                let f = contextWidth + j
                var x = rows[b * width + f] * standardDeviation[f] + mean[f]
                if futureAsDelta { x += context[last + j % stateSize] }
                future[b * futureWidth + j] = x
            }
        }
        return future
    }

    /// The normalisation of the first `features` features, as a checkpoint stores it.
    func inputNormalization(features: Range<Int>) -> InputNormalization {
        InputNormalization(mean: Array(mean[features]), standardDeviation: Array(standardDeviation[features]))
    }
}
