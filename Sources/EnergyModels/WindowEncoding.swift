// WindowEncoding: (context, future) windows of raw states ↔ the normalised feature rows the
// networks read, x̃ = ([c, f − δ·c_last] − mean) / std.

import Foundation
import NeuralCore
import Trajectories

/// How a window of k context states and H future states becomes one normalised feature row.
///
/// Row layout (width k·S + G + k·nu + H·S): the k context states, oldest first; the condition —
/// the episode's goal one-hot (G = `goalCount` features, 0 when unconditioned) and the controls
/// applied at the k context states (`controlWidth` = k·nu features, the last one drives the first
/// future state); then the H future states, each as s_{t+h} − s_t (the last context state) when
/// `futureAsDelta`. Every feature is then standardised with `mean`/`standardDeviation`, measured on
/// the training windows. Raw contexts carry the same first k·S + G + k·nu features (see `gather`).
public struct WindowEncoding: Codable, Equatable, Sendable {
    /// The most goal labels a model conditions on (one input each).
    public static let maximumGoalCount = 4096
    /// States per window position S (nq + nv).
    public var stateSize: Int
    /// Context states k.
    public var contextLength: Int
    /// Future states H.
    public var horizon: Int
    public var futureAsDelta: Bool
    /// Goals G of the one-hot goal label in the context (0: not goal-conditioned).
    public var goalCount = 0
    /// Control features k·nu in the context (0: not control-conditioned).
    public var controlWidth = 0
    /// Per-feature mean. Count `width`.
    public var mean: [Float]
    /// Per-feature standard deviation (> 0). Count `width`.
    public var standardDeviation: [Float]

    /// Features of the context's states k·S.
    public var stateContextWidth: Int { contextLength * stateSize }
    /// Condition features after the context states: G goal one-hot + k·nu controls.
    public var conditionWidth: Int { goalCount + controlWidth }
    /// Features of the context part k·S + G + k·nu (raw contexts have this many per window too).
    public var contextWidth: Int { stateContextWidth + conditionWidth }
    /// Features of the future part H·S.
    public var futureWidth: Int { horizon * stateSize }
    /// Features per row.
    public var width: Int { contextWidth + futureWidth }

    /// Measures the statistics on every window of `windows` (raw states, in Double); `goalCount` > 0
    /// adds the goal one-hot (labels must lie in 0..<G), `conditionOnControls` the context's controls.
    public init(windows: TrajectoryWindows, futureAsDelta: Bool, goalCount: Int = 0, conditionOnControls: Bool = false) {
        let data = windows.dataset
        self.init(stateSize: data.stateSize, controlSize: data.controlSize, contextLength: windows.context, horizon: windows.future,
                  futureAsDelta: futureAsDelta, goalCount: goalCount, conditionOnControls: conditionOnControls,
                  windowCount: windows.count) { visit in visit(windows) }
    }

    /// Measures the statistics on every window of a split read chunk by chunk: the same sums in the
    /// same order as `init(windows:…)` on the whole split in memory, so the same numbers.
    /// - Throws: read errors of the split.
    public init(windows: SplitWindows, futureAsDelta: Bool, goalCount: Int = 0, conditionOnControls: Bool = false) throws {
        let data = windows.split
        try self.init(stateSize: data.stateSize, controlSize: data.controlSize, contextLength: windows.context, horizon: windows.future,
                      futureAsDelta: futureAsDelta, goalCount: goalCount, conditionOnControls: conditionOnControls,
                      windowCount: windows.count) { visit in try windows.forEachChunk(visit) }
    }

    /// The statistics of `windowCount` windows that `chunks` hands out in index order (as one or
    /// several `TrajectoryWindows`), once per pass.
    private init(stateSize: Int, controlSize: Int, contextLength: Int, horizon: Int, futureAsDelta: Bool, goalCount: Int,
                 conditionOnControls: Bool, windowCount: Int, chunks: ((TrajectoryWindows) -> Void) throws -> Void) rethrows {
        (self.stateSize, self.contextLength, self.horizon, self.futureAsDelta) = (stateSize, contextLength, horizon, futureAsDelta)
        (self.goalCount, controlWidth) = (goalCount, conditionOnControls ? contextLength * controlSize : 0)
        let width = contextLength * stateSize + goalCount + controlWidth + horizon * stateSize
        (mean, standardDeviation) = ([Float](repeating: 0, count: width), [Float](repeating: 1, count: width))
        var sum = [Double](repeating: 0, count: width), squares = [Double](repeating: 0, count: width)
        var x = [Double](repeating: 0, count: width)
        // Two passes (mean, then spread) keep the variance stable for large offsets.
        for pass in 0..<2 {
            let centre = pass == 0 ? [Double](repeating: 0, count: width) : sum.map { $0 / Double(max(windowCount, 1)) }
            try chunks { windows in
                for index in 0..<windows.count {
                    rawRow(windows, index, into: &x)
                    for f in 0..<width {
                        if pass == 0 { sum[f] += x[f] } else { squares[f] += (x[f] - centre[f]) * (x[f] - centre[f]) }
                    }
                }
            }
            if pass == 1 { sum = centre }
        }
        mean = sum.map(Float.init)
        standardDeviation = squares.map { Float(Swift.max(($0 / Double(max(windowCount, 1))).squareRoot(), 1e-6)) }
    }

    /// Window `index` as one unnormalised row in Double (`row`: `width` numbers, all overwritten):
    /// states, condition, (delta) future.
    private func rawRow(_ windows: TrajectoryWindows, _ index: Int, into row: inout [Double]) {
        let data = windows.dataset
        let (e, start) = windows.location(of: index)
        let (S, k) = (stateSize, contextLength)
        for t in 0..<(k + horizon) {
            let target = t < k ? t * S : contextWidth + (t - k) * S
            for d in 0..<S {
                row[target + d] = windows.value(episode: e, start: start, offset: t, coordinate: d)
                    - (t >= k && futureAsDelta ? windows.value(episode: e, start: start, offset: k - 1, coordinate: d) : 0)
            }
        }
        let condition = conditionFeatures(data, episode: e, start: start)
        for j in 0..<conditionWidth { row[stateContextWidth + j] = Double(condition[j]) }
    }

    /// The condition features of the window of episode `e` starting at `start`: goal one-hot, then
    /// the controls u_start ..< u_{start+k}.
    func conditionFeatures(_ data: TrajectoryDataset, episode e: Int, start: Int) -> [Float] {
        var features = [Float](repeating: 0, count: conditionWidth)
        if goalCount > 0, (0..<Int64(goalCount)).contains(data.goal[e]) { features[Int(data.goal[e])] = 1 }
        if controlWidth > 0 {
            let nu = data.controlSize
            for t in 0..<contextLength where start + t < data.steps {
                for u in 0..<nu { features[goalCount + t * nu + u] = Float(data.controls[(e * data.steps + start + t) * nu + u]) }
            }
        }
        return features
    }

    /// Raw windows `indices` of `windows`: contexts (B, contextWidth) — the k states then the
    /// condition features — and futures (B, H, S), ready for `encode`.
    public func gather(_ windows: TrajectoryWindows, _ indices: [Int], context: inout [Float], future: inout [Float]) {
        windows.gather(indices, context: &context, future: &future)
        guard conditionWidth > 0 else { return }
        let states = context
        let (K, C) = (stateContextWidth, contextWidth)
        context = [Float](repeating: 0, count: indices.count * C)
        for (b, index) in indices.enumerated() {
            let (e, start) = windows.location(of: index)
            for j in 0..<K { context[b * C + j] = states[b * K + j] }
            let condition = conditionFeatures(windows.dataset, episode: e, start: start)
            for j in 0..<conditionWidth { context[b * C + K + j] = condition[j] }
        }
    }

    /// `gather` of windows `indices` of a split read chunk by chunk.
    /// - Throws: read errors of the split.
    public func gather(_ windows: SplitWindows, _ indices: [Int], context: inout [Float], future: inout [Float]) throws {
        var (contexts, futures) = ([Float](), [Float]())
        contexts.reserveCapacity(indices.count * contextWidth)
        futures.reserveCapacity(indices.count * futureWidth)
        try windows.forEachChunk(of: indices) { chunk, local in
            var c: [Float] = [], f: [Float] = []
            gather(chunk, local, context: &c, future: &f)
            contexts += c
            futures += f
        }
        (context, future) = (contexts, futures)
    }

    /// Contexts (B, contextWidth) from context states (B, k, S), each with goal `goals[b]`'s one-hot
    /// and controls `controls` (B, k, nu) when the encoding is conditioned on them.
    public func conditioned(states: [Float], goals: [Int]? = nil, controls: [Float]? = nil) -> [Float] {
        let (K, C) = (stateContextWidth, contextWidth)
        let batch = states.count / K
        precondition(states.count == batch * K && (goals?.count ?? batch) == batch && (controls?.count ?? batch * controlWidth) == batch * controlWidth,
                     "WindowEncoding.conditioned: sizes")
        guard conditionWidth > 0 else { return states }
        var context = [Float](repeating: 0, count: batch * C)
        for b in 0..<batch {
            for j in 0..<K { context[b * C + j] = states[b * K + j] }
            if let goals, goalCount > 0, (0..<goalCount).contains(goals[b]) { context[b * C + K + goals[b]] = 1 }
            if let controls { for j in 0..<controlWidth { context[b * C + K + goalCount + j] = controls[b * controlWidth + j] } }
        }
        return context
    }

    /// An encoding with given statistics (tests, checkpoints).
    public init(stateSize: Int, contextLength: Int, horizon: Int, futureAsDelta: Bool,
                goalCount: Int = 0, controlWidth: Int = 0, mean: [Float], standardDeviation: [Float]) {
        (self.stateSize, self.contextLength, self.horizon, self.futureAsDelta) = (stateSize, contextLength, horizon, futureAsDelta)
        (self.goalCount, self.controlWidth) = (goalCount, controlWidth)
        (self.mean, self.standardDeviation) = (mean, standardDeviation)
        precondition(mean.count == width && standardDeviation.count == width, "WindowEncoding: statistics of \(mean.count) features, width \(width)")
    }

    /// Normalised rows (B, width) from raw `context` (B, contextWidth) and `future` (B, H, S).
    public func encode(context: [Float], future: [Float]) -> [Float] {
        let batch = context.count / contextWidth
        precondition(context.count == batch * contextWidth && future.count == batch * futureWidth, "WindowEncoding.encode: sizes")
        var rows = [Float](repeating: 0, count: batch * width)
        for b in 0..<batch {
            let last = b * contextWidth + stateContextWidth - stateSize
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

    /// Raw futures (B, H, S) from normalised rows (B, width) and the raw `context` (B, contextWidth).
    public func decodeFuture(rows: [Float], context: [Float]) -> [Float] {
        let batch = rows.count / width
        var future = [Float](repeating: 0, count: batch * futureWidth)
        for b in 0..<batch {
            let last = b * contextWidth + stateContextWidth - stateSize
            for j in 0..<futureWidth {
                let f = contextWidth + j
                var x = rows[b * width + f] * standardDeviation[f] + mean[f]
                if futureAsDelta { x += context[last + j % stateSize] }
                future[b * futureWidth + j] = x
            }
        }
        return future
    }

    /// ∂/∂(window states) (B, k + H, S) of a row gradient (B, width), through the normalisation and
    /// the delta parameterisation (a future feature s_{t+h} − s_t also moves with the last context
    /// state); the condition features have no state to flow into.
    public func stateGradient(rowGradient g: [Float]) -> [Float] {
        let batch = g.count / width, (S, k, L) = (stateSize, contextLength, contextLength + horizon)
        var out = [Float](repeating: 0, count: batch * L * S)
        for b in 0..<batch {
            for j in 0..<stateContextWidth { out[b * L * S + j] = g[b * width + j] / standardDeviation[j] }
            for j in 0..<futureWidth {
                let f = contextWidth + j
                let value = g[b * width + f] / standardDeviation[f]
                out[b * L * S + k * S + j] += value
                if futureAsDelta { out[b * L * S + (k - 1) * S + j % S] -= value }
            }
        }
        return out
    }

    /// The normalisation of the first `features` features, as a checkpoint stores it.
    func inputNormalization(features: Range<Int>) -> InputNormalization {
        InputNormalization(mean: Array(mean[features]), standardDeviation: Array(standardDeviation[features]))
    }

    enum CodingKeys: String, CodingKey { case stateSize, contextLength, horizon, futureAsDelta, goalCount, controlWidth, mean, standardDeviation }

    /// Checkpoints written before conditioning existed have no goal or control features.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stateSize = try c.decode(Int.self, forKey: .stateSize)
        contextLength = try c.decode(Int.self, forKey: .contextLength)
        horizon = try c.decode(Int.self, forKey: .horizon)
        futureAsDelta = try c.decode(Bool.self, forKey: .futureAsDelta)
        goalCount = try c.decodeIfPresent(Int.self, forKey: .goalCount) ?? 0
        controlWidth = try c.decodeIfPresent(Int.self, forKey: .controlWidth) ?? 0
        mean = try c.decode([Float].self, forKey: .mean)
        standardDeviation = try c.decode([Float].self, forKey: .standardDeviation)
    }
}
