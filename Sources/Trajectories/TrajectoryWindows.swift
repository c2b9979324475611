/// (context, future) pairs cut from every episode of a split: a window starting at step s holds
/// states s..<s+C as context and s+C..<s+C+F as future. Starts step by `stride`.
///
/// Episode e with T + 1 states has ⌊(T + 1 − C − F) / stride⌋ + 1 windows (none if T + 1 < C + F).
public struct TrajectoryWindows: Sendable {
    public let dataset: TrajectoryDataset
    /// Context length C and future length F, in states.
    public let context: Int, future: Int
    public let stride: Int
    /// Windows per episode.
    public let perEpisode: Int
    /// Windows may run past an episode's last state, which then repeats — or, when the states are
    /// (q, v) pairs (`positionVelocityTimestep` dt), the robot comes to rest where its last step takes
    /// it: q_end + dt v_end / 2 with v = 0, which keeps q_{t+1} − q_t = dt (v_t + v_{t+1})/2 exact.
    public let padEnd: Bool
    /// dt of (q, v) states, padded as at rest; nil: padded states repeat the last one.
    let restTimestep: Double?

    /// - Throws: `DatasetError` for non-positive lengths or stride.
    public init(_ dataset: TrajectoryDataset, context: Int, future: Int, stride: Int = 1, padEnd: Bool = false) throws {
        guard context >= 1, future >= 1, stride >= 1 else {
            throw DatasetError("window context \(context), future \(future) and stride \(stride) must all be >= 1")
        }
        self.dataset = dataset
        (self.context, self.future, self.stride, self.padEnd) = (context, future, stride, padEnd)
        let rows = dataset.steps + 1
        // padded: every start whose context fits (the future repeats the last state past the end)
        let span = padEnd ? context : context + future
        perEpisode = rows >= span ? (rows - span) / stride + 1 : 0
        restTimestep = padEnd ? dataset.positionVelocityTimestep() : nil
    }

    /// State coordinate `d` of state `t` of the window of episode `e` starting at `start`.
    @inline(__always)
    public func value(episode e: Int, start: Int, offset t: Int, coordinate d: Int) -> Double {
        let row = stateRow(episode: e, start: start, offset: t) * dataset.stateSize
        guard start + t > dataset.steps, let dt = restTimestep else { return dataset.states[row + d] }
        let n = dataset.stateSize / 2
        return d < n ? dataset.states[row + d] + dt / 2 * dataset.states[row + n + d] : 0
    }

    /// Index into `dataset.states` (in states) of state `t` of the window of episode `e` starting at
    /// `start`: past the episode's end (padded windows), its last state.
    @inline(__always)
    public func stateRow(episode e: Int, start: Int, offset t: Int) -> Int {
        e * (dataset.steps + 1) + min(start + t, dataset.steps)
    }

    /// Number of windows.
    public var count: Int { dataset.episodes * perEpisode }

    /// The episode and first step of window `index`.
    public func location(of index: Int) -> (episode: Int, start: Int) {
        (index / perEpisode, (index % perEpisode) * stride)
    }

    /// Fills `contextOut` [B, C, S] and `futureOut` [B, F, S] (Float, normalised with
    /// `normalization` when given) with the windows `indices` [B].
    public func gather(_ indices: [Int], normalization: NormalizationStatistics? = nil,
                       context contextOut: inout [Float], future futureOut: inout [Float]) {
        let S = dataset.stateSize
        contextOut = [Float](repeating: 0, count: indices.count * context * S)
        futureOut = [Float](repeating: 0, count: indices.count * future * S)
        for (b, index) in indices.enumerated() {
            let (e, start) = location(of: index)
            for t in 0..<(context + future) {
                for d in 0..<S {
                    var x = value(episode: e, start: start, offset: t, coordinate: d)
                    if let n = normalization { x = (x - n.mean[d]) / n.std[d] }
                    if t < context { contextOut[(b * context + t) * S + d] = Float(x) }
                    else { futureOut[(b * future + t - context) * S + d] = Float(x) }
                }
            }
        }
    }
}

/// Shuffled mini-batches of window indices: each epoch is a Fisher–Yates permutation drawn from
/// an `EpisodeGenerator` seeded with `EpisodeGenerator.episodeSeed(master: seed, index: epoch)`, so
/// the order depends only on the seed and the epoch. The last partial batch of an epoch is
/// dropped when `dropLast` (default), else returned short.
public struct MiniBatches: Sendable {
    public let count: Int, batchSize: Int, seed: UInt64, dropLast: Bool
    public private(set) var epoch = 0
    private var order: [Int] = []
    private var position = 0

    /// - Throws: `DatasetError` for a batch size < 1 or larger than `count` with `dropLast`.
    public init(count: Int, batchSize: Int, seed: UInt64, dropLast: Bool = true) throws {
        guard batchSize >= 1 else { throw DatasetError("batch size \(batchSize) must be >= 1") }
        guard count >= 1, !(dropLast && batchSize > count) else {
            throw DatasetError("batch size \(batchSize) exceeds the \(count) windows available")
        }
        (self.count, self.batchSize, self.seed, self.dropLast) = (count, batchSize, seed, dropLast)
        order = MiniBatches.permutation(count, seed: seed, epoch: 0)
    }

    static func permutation(_ n: Int, seed: UInt64, epoch: Int) -> [Int] {
        var g = EpisodeGenerator(seed: EpisodeGenerator.episodeSeed(master: seed, index: epoch))
        var p = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, g.index(below: i + 1)) }
        return p
    }

    /// The next batch of indices; starts a new epoch (new permutation) when this one is used up.
    public mutating func next() -> [Int] {
        let remaining = count - position
        if remaining == 0 || (dropLast && remaining < batchSize) {
            epoch += 1
            order = MiniBatches.permutation(count, seed: seed, epoch: epoch)
            position = 0
        }
        let end = min(position + batchSize, count)
        defer { position = end }
        return Array(order[position..<end])
    }
}
