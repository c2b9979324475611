import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
        try self.init(dataset, context: context, future: future, stride: stride, padEnd: padEnd,
                      restTimestep: padEnd ? dataset.positionVelocityTimestep() : nil)
    }

    /// Windows padded at rest with `restTimestep` (measured on a whole split of which `dataset` is part).
    init(_ dataset: TrajectoryDataset, context: Int, future: Int, stride: Int, padEnd: Bool, restTimestep: Double?) throws {
        guard context >= 1, future >= 1, stride >= 1 else {
            throw DatasetError.invalidRequest("window context \(context), future \(future) and stride \(stride) must all be >= 1")
        }
        self.dataset = dataset
        (self.context, self.future, self.stride, self.padEnd) = (context, future, stride, padEnd)
        let rows = dataset.steps + 1
        // padded: every start whose context fits (the future repeats the last state past the end)
        let span = padEnd ? context : context + future
        perEpisode = rows >= span ? (rows - span) / stride + 1 : 0
        self.restTimestep = padEnd ? restTimestep : nil
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
///
/// Up to `memoryLimit` windows the permutation is held in memory; beyond, it is built and kept in
/// an unlinked temporary file (4 bytes a window, read one batch at a time), so that memory does not
/// grow with the dataset. Both hold the same permutation.
public struct MiniBatches: Sendable {
    public let count: Int, batchSize: Int, seed: UInt64, dropLast: Bool
    public private(set) var epoch = 0
    private var order: WindowOrder
    private var position = 0
    /// The most windows whose permutation is held in memory (8 MiB of indices).
    public static let defaultMemoryLimit = 1 << 20
    let memoryLimit: Int

    /// - Throws: `DatasetError` for a batch size < 1 or larger than `count` with `dropLast`, more
    ///   than 2³² − 1 windows, or a temporary file that cannot be written.
    public init(count: Int, batchSize: Int, seed: UInt64, dropLast: Bool = true) throws {
        try self.init(count: count, batchSize: batchSize, seed: seed, dropLast: dropLast, memoryLimit: MiniBatches.defaultMemoryLimit)
    }

    init(count: Int, batchSize: Int, seed: UInt64, dropLast: Bool = true, memoryLimit: Int) throws {
        guard batchSize >= 1 else { throw DatasetError.invalidRequest("batch size \(batchSize) must be >= 1") }
        guard count >= 1, !(dropLast && batchSize > count) else {
            throw DatasetError.invalidRequest("batch size \(batchSize) exceeds the \(count) windows available")
        }
        guard count <= Int(UInt32.max) else { throw DatasetError.invalidRequest("\(count) windows: at most \(UInt32.max) can be shuffled") }
        (self.count, self.batchSize, self.seed, self.dropLast, self.memoryLimit) = (count, batchSize, seed, dropLast, memoryLimit)
        order = try WindowOrder(count, seed: seed, epoch: 0, memoryLimit: memoryLimit)
    }

    static func permutation(_ n: Int, seed: UInt64, epoch: Int) -> [Int] {
        var g = EpisodeGenerator(seed: EpisodeGenerator.episodeSeed(master: seed, index: epoch))
        var p = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, g.index(below: i + 1)) }
        return p
    }

    /// The next batch of indices; starts a new epoch (new permutation) when this one is used up.
    /// - Throws: `DatasetError` when the permutation file cannot be written or read.
    public mutating func next() throws -> [Int] {
        let remaining = count - position
        if remaining == 0 || (dropLast && remaining < batchSize) {
            epoch += 1
            order = try WindowOrder(count, seed: seed, epoch: epoch, memoryLimit: memoryLimit)
            position = 0
        }
        let end = min(position + batchSize, count)
        defer { position = end }
        return try order.slice(position..<end)
    }
}

/// One epoch's permutation (`MiniBatches.permutation`), in memory or in an unlinked temporary file.
/// Immutable once built (a new epoch builds a new one), so `MiniBatches` copies stay independent.
final class WindowOrder: @unchecked Sendable {
    private let memory: [Int]
    private let descriptor: Int32

    init(_ n: Int, seed: UInt64, epoch: Int, memoryLimit: Int) throws {
        guard n > memoryLimit else { (memory, descriptor) = (MiniBatches.permutation(n, seed: seed, epoch: epoch), -1); return }
        memory = []
        var template = Array((FileManager.default.temporaryDirectory.path + "/ebm-window-order-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw WindowOrder.failure("cannot create a temporary file in \(FileManager.default.temporaryDirectory.path)") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        // Fisher–Yates as in `MiniBatches.permutation`, the top `block` entries in memory (where i
        // walks down) and single entries read and written where j falls below them
        var g = EpisodeGenerator(seed: EpisodeGenerator.episodeSeed(master: seed, index: epoch))
        let block = 1 << 16
        var buffer = [UInt32](repeating: 0, count: block)
        for start in Swift.stride(from: 0, to: n, by: block) {
            let m = min(block, n - start)
            for k in 0..<m { buffer[k] = UInt32(start + k) }
            try write(buffer, count: m, at: start)
        }
        var (lo, hi) = (n, n)
        for i in Swift.stride(from: n - 1, to: 0, by: -1) {
            if i < lo {
                if hi > lo { try write(buffer, count: hi - lo, at: lo) }
                (lo, hi) = (max(0, i + 1 - block), i + 1)
                try read(&buffer, count: hi - lo, at: lo)
            }
            let j = g.index(below: i + 1)
            if j >= lo {
                buffer.swapAt(i - lo, j - lo)
            } else {
                var other = [UInt32](repeating: 0, count: 1)
                try read(&other, count: 1, at: j)
                try write([buffer[i - lo]], count: 1, at: j)
                buffer[i - lo] = other[0]
            }
        }
        if hi > lo { try write(buffer, count: hi - lo, at: lo) }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Entries `range` of the permutation.
    func slice(_ range: Range<Int>) throws -> [Int] {
        guard descriptor >= 0 else { return Array(memory[range]) }
        var values = [UInt32](repeating: 0, count: range.count)
        try read(&values, count: range.count, at: range.lowerBound)
        return values.map(Int.init)
    }

    private func read(_ values: inout [UInt32], count: Int, at index: Int) throws {
        let bytes = count * 4
        let done = values.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, bytes, off_t(index * 4)) }
        guard done == bytes else { throw WindowOrder.failure("cannot read the window order file") }
    }

    private func write(_ values: [UInt32], count: Int, at index: Int) throws {
        let bytes = count * 4
        let done = values.withUnsafeBytes { pwrite(descriptor, $0.baseAddress!, bytes, off_t(index * 4)) }
        guard done == bytes else { throw WindowOrder.failure("cannot write the window order file") }
    }

    private static func failure(_ what: String) -> DatasetError {
        DatasetError.invalidRequest("\(what): \(String(cString: strerror(errno))) (the shuffled order of a large dataset's windows is kept on disk, 4 bytes a window)")
    }
}
