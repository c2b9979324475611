// TrajectorySplit: one dataset split read a few episodes at a time, so that training memory does
// not grow with the dataset (issue 20). SplitWindows: its (context, future) windows, numbered as
// `TrajectoryWindows` numbers those of the whole split in memory, handed out chunk by chunk.

import Foundation

/// One split (`train.npz` or `test.npz`) whose episodes are read as needed: states, controls,
/// goals and seeds, never the sites (training does not use them).
///
/// An `.npz` whose arrays are stored uncompressed, little-endian and in C order — what `ebm
/// generate`, `ebm dataset merge` and `np.savez` write — is read in place with positional reads
/// (`NumPyArchiveIndex`): only the goals and seeds ([E] each) stay in memory. Any other `.npz`
/// (`np.savez_compressed`, big-endian, Fortran order) is read whole, as `TrajectoryDataset` reads it.
/// Both give the same numbers. Opening checks what `TrajectoryDataset(contentsOf:)` checks — shapes,
/// dtypes, goals >= -1, finite states and controls, the zip checksums — streaming through states
/// and controls once; the sites' values are not read.
public final class TrajectorySplit: @unchecked Sendable {
    public let episodes: Int, steps: Int, stateSize: Int, controlSize: Int
    /// [E]
    public let goal: [Int64]
    /// [E]
    public let episodeSeed: [Int64]
    /// The file read, named in errors (nil for a split in memory).
    public let file: String?
    private let storage: Storage
    private enum Storage {
        case memory(TrajectoryDataset)
        /// states [E, T+1, S], controls [E, T, nu]
        case stored(states: StoredArray, controls: StoredArray)
    }

    /// Whether episodes are read from the file when asked for (rather than held in memory).
    public var isStreamed: Bool { if case .stored = storage { return true } else { return false } }

    /// Bytes of states and controls read per chunk of `forEachChunk`.
    public static let chunkBytes = 1 << 22

    /// A split held in memory.
    public init(_ dataset: TrajectoryDataset, file: String? = nil) {
        (episodes, steps, stateSize, controlSize) = (dataset.episodes, dataset.steps, dataset.stateSize, dataset.controlSize)
        (goal, episodeSeed, self.file, storage) = (dataset.goal, dataset.episodeSeed, file, .memory(dataset))
        episodesPerChunk = Self.defaultChunk(steps: steps, stateSize: stateSize, controlSize: controlSize)
    }

    private init(shape: [String: Int], goal: [Int64], episodeSeed: [Int64], file: String, states: StoredArray, controls: StoredArray) {
        (episodes, steps, stateSize, controlSize) = (shape["E"]!, shape["T"]!, shape["S"]!, shape["nu"]!)
        (self.goal, self.episodeSeed, self.file, storage) = (goal, episodeSeed, file, .stored(states: states, controls: controls))
        episodesPerChunk = Self.defaultChunk(steps: steps, stateSize: stateSize, controlSize: controlSize)
    }

    private static func defaultChunk(steps: Int, stateSize: Int, controlSize: Int) -> Int {
        max(1, chunkBytes / max(1, ((steps + 1) * stateSize + steps * controlSize) * 8))
    }

    /// Opens a split: in place when its arrays are stored uncompressed, else read whole.
    /// - Parameter streaming: false reads the split whole whatever its storage (as training did
    ///   before splits were streamed; the tests compare the two).
    /// - Throws: `FileError` when the file cannot be opened or read (`.notFound`, `.unreadable`, its
    ///   detail naming the array where one was being read); `NumPyError` or `DatasetError` naming the
    ///   file (and array) for its content, as `TrajectoryDataset(contentsOf:)`.
    public convenience init(contentsOf url: URL, streaming: Bool = true) throws {
        guard streaming else { self.init(try TrajectoryDataset(contentsOf: url), file: url.path); return }
        let index = try NumPyArchiveIndex(PositionalReader(contentsOf: url))
        let patterns: [(String, [ShapeDimension], NumPyDType)] = [
            ("states", ["E", "T+1", "S"], .float64), ("controls", ["E", "T", "nu"], .float64),
            ("sites", ["E", "T+1", "nsite", 3], .float64), ("goal", ["E"], .int64), ("episode_seed", ["E"], .int64)]
        var arrays: [StoredArray] = []
        for (name, _, _) in patterns {
            guard let array = try index.storedArray(named: name) else {
                // compressed or unusual storage: the whole-archive reader (which also gives its errors)
                self.init(try TrajectoryDataset(contentsOf: url), file: url.path)
                return
            }
            arrays.append(array)
        }
        var dims: [String: Int] = [:]
        for (array, (name, pattern, dtype)) in zip(arrays, patterns) {
            do { try NumPyArray(unchecked: array.shape, array.dtype, []).require(pattern, dtype: dtype, bindings: &dims) } catch let error as NumPyError {
                throw error.located(file: url.path, array: name)
            }
        }
        guard dims["T"]! + 1 == dims["T+1"]! else {
            throw NumPyError(.shapeMismatch, "has \(dims["T"]!) steps but 'states' has \(dims["T+1"]!) rows per episode (expected steps + 1)",
                             file: url.path, array: "controls")
        }
        // states and controls: finite and intact, one chunk at a time; goals and seeds: read whole
        for array in arrays[0..<2] { try TrajectorySplit.check(array, file: url.path) }
        let goal: [Int64] = try TrajectorySplit.checkedValues(arrays[3], file: url.path)
        let seeds: [Int64] = try TrajectorySplit.checkedValues(arrays[4], file: url.path)
        if let bad = goal.firstIndex(where: { $0 < -1 }) {
            throw NumPyError(.invalidValue, "episode \(bad) has goal \(goal[bad]); goals are indices >= 0 or -1 (none)",
                             file: url.path, array: "goal")
        }
        self.init(shape: dims, goal: goal, episodeSeed: seeds, file: url.path, states: arrays[0], controls: arrays[1])
    }

    /// Streams through float64 `array`: every value finite, the member's CRC-32 as the zip declares.
    private static func check(_ array: StoredArray, file: String) throws {
        var crc = ZipChecksum()
        array.header.withUnsafeBytes { crc.update($0) }
        var nan = 0, infinite = 0, first: Int?
        let chunk = chunkBytes / 8
        var buffer = [Double](repeating: 0, count: min(chunk, array.count))
        for start in Swift.stride(from: 0, to: array.count, by: chunk) {
            let n = min(chunk, array.count - start)
            try buffer.withUnsafeMutableBytes { try array.read(start..<(start + n), into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<(n * 8)])) }
            buffer.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[0..<(n * 8)])) }
            for i in 0..<n where !buffer[i].isFinite {
                if buffer[i].isNaN { nan += 1 } else { infinite += 1 }
                if first == nil { first = start + i }
            }
        }
        try requireChecksum(crc, array, file: file)
        if let first {
            throw NumPyArray(unchecked: array.shape, array.dtype, []).nonFinite(nan: nan, infinite: infinite, first: first)
                .located(file: file, array: array.name)
        }
    }

    /// All of `array`, its checksum checked.
    private static func checkedValues<T>(_ array: StoredArray, file: String) throws -> [T] {
        let values: [T] = try array.values(0..<array.count)
        var crc = ZipChecksum()
        array.header.withUnsafeBytes { crc.update($0) }
        values.withUnsafeBytes { crc.update($0) }
        try requireChecksum(crc, array, file: file)
        return values
    }

    private static func requireChecksum(_ crc: ZipChecksum, _ array: StoredArray, file: String) throws {
        guard crc.value == array.checksum else {
            throw NumPyError(.corruptArchive, "corrupt zip archive: checksum mismatch in entry '\(array.name).npy'", file: file)
        }
    }

    // MARK: - Episodes

    /// Episodes `range` in memory, without sites (`siteCount` 0).
    public func episodes(_ range: Range<Int>) throws -> TrajectoryDataset {
        precondition(range.lowerBound >= 0 && range.upperBound <= episodes, "TrajectorySplit: episodes \(range) of \(episodes)")
        let (rows, S, T, nu) = (steps + 1, stateSize, steps, controlSize)
        let states: [Double], controls: [Double]
        switch storage {
        case .memory(let data):
            states = Array(data.states[(range.lowerBound * rows * S)..<(range.upperBound * rows * S)])
            controls = Array(data.controls[(range.lowerBound * T * nu)..<(range.upperBound * T * nu)])
        case .stored(let stateArray, let controlArray):
            states = try stateArray.values((range.lowerBound * rows * S)..<(range.upperBound * rows * S))
            controls = try controlArray.values((range.lowerBound * T * nu)..<(range.upperBound * T * nu))
        }
        return TrajectoryDataset(episodes: range.count, steps: steps, stateSize: S, controlSize: nu, siteCount: 0,
                                 states: states, controls: controls, sites: [],
                                 goal: Array(goal[range]), episodeSeed: Array(episodeSeed[range]))
    }

    /// Episodes `indices` (in that order, repeats allowed) in memory, without sites.
    public func episodes(_ indices: [Int]) throws -> TrajectoryDataset {
        var out = TrajectoryDataset.empty(steps: steps, stateSize: stateSize, controlSize: controlSize, siteCount: 0)
        out.states.reserveCapacity(indices.count * (steps + 1) * stateSize)
        out.controls.reserveCapacity(indices.count * steps * controlSize)
        for e in indices {
            let one = try episodes(e..<(e + 1))
            out.states += one.states
            out.controls += one.controls
            out.goal += one.goal
            out.episodeSeed += one.episodeSeed
        }
        out.episodes = indices.count
        return out
    }

    /// Episodes per chunk of `forEachChunk`: by default about `chunkBytes` of states and controls
    /// (the size changes memory and speed, never the numbers).
    /// Set before the split is shared between threads.
    public var episodesPerChunk: Int { didSet { episodesPerChunk = max(1, episodesPerChunk) } }

    /// Calls `body` with consecutive chunks of episodes, in order: the first episode's index and
    /// the chunk (see `episodes(_:)`).
    public func forEachChunk(_ body: (Int, TrajectoryDataset) throws -> Void) throws {
        for first in Swift.stride(from: 0, to: episodes, by: episodesPerChunk) {
            try body(first, try episodes(first..<min(first + episodesPerChunk, episodes)))
        }
    }

    /// `TrajectoryDataset.positionVelocityTimestep()` of the whole split, streamed (same sums, same order).
    public func positionVelocityTimestep() throws -> Double? {
        var fit = PositionVelocityFit(stateSize: stateSize, steps: steps)
        try forEachChunk { _, chunk in fit.add(chunk) }
        return fit.timestep
    }
}

/// The windows of a `TrajectorySplit`, numbered as `TrajectoryWindows` numbers the windows of the
/// whole split in memory (episode-major, `perEpisode` per episode), and handed out as
/// `TrajectoryWindows` over just the episodes asked for: identical numbers, bounded memory.
public struct SplitWindows: Sendable {
    public let split: TrajectorySplit
    /// Context length C and future length F, in states.
    public let context: Int, future: Int
    public let stride: Int
    public let padEnd: Bool
    /// Windows per episode.
    public let perEpisode: Int
    /// The whole split's `positionVelocityTimestep()` when `padEnd` (padded windows come to rest
    /// with it, see `TrajectoryWindows.padEnd`), else nil.
    public let restTimestep: Double?
    /// Windows gathered at a time by `forEachChunk(of:)` (changes memory, never the numbers).
    public var gatherChunk = 1024

    /// - Throws: `DatasetError` for non-positive lengths or stride; read errors of the split.
    public init(_ split: TrajectorySplit, context: Int, future: Int, stride: Int = 1, padEnd: Bool = false) throws {
        // the window arithmetic of TrajectoryWindows, on an episode-less split of the same length
        let shape = try TrajectoryWindows(.empty(steps: split.steps, stateSize: split.stateSize, controlSize: split.controlSize, siteCount: 0),
                                          context: context, future: future, stride: stride, padEnd: padEnd)
        (self.split, self.context, self.future, self.stride, self.padEnd, perEpisode) = (split, context, future, stride, padEnd, shape.perEpisode)
        restTimestep = padEnd ? try split.positionVelocityTimestep() : nil
    }

    /// Number of windows.
    public var count: Int { split.episodes * perEpisode }

    /// The windows of episodes `range`: window i of the result is window `range.lowerBound × perEpisode + i`.
    public func windows(episodes range: Range<Int>) throws -> TrajectoryWindows {
        try TrajectoryWindows(split.episodes(range), context: context, future: future, stride: stride, padEnd: padEnd, restTimestep: restTimestep)
    }

    /// Windows `indices` as windows of a split holding only their episodes, and their indices there.
    public func windows(covering indices: [Int]) throws -> (windows: TrajectoryWindows, indices: [Int]) {
        var local: [Int: Int] = [:], episodes: [Int] = []
        let mapped = indices.map { index -> Int in
            precondition((0..<count).contains(index), "SplitWindows: window \(index) of \(count)")
            let e = index / perEpisode
            if local[e] == nil { local[e] = episodes.count; episodes.append(e) }
            return local[e]! * perEpisode + index % perEpisode
        }
        let windows = try TrajectoryWindows(split.episodes(episodes), context: context, future: future, stride: stride,
                                            padEnd: padEnd, restTimestep: restTimestep)
        return (windows, mapped)
    }

    /// Calls `body` with every window in index order, a chunk of episodes at a time.
    public func forEachChunk(_ body: (TrajectoryWindows) throws -> Void) throws {
        try split.forEachChunk { _, chunk in
            try body(try TrajectoryWindows(chunk, context: context, future: future, stride: stride, padEnd: padEnd, restTimestep: restTimestep))
        }
    }

    /// Calls `body` with windows `indices`, `gatherChunk` at a time, in order (see `windows(covering:)`).
    public func forEachChunk(of indices: [Int], _ body: (TrajectoryWindows, [Int]) throws -> Void) throws {
        for start in Swift.stride(from: 0, to: indices.count, by: gatherChunk) {
            let (windows, local) = try windows(covering: Array(indices[start..<min(start + gatherChunk, indices.count)]))
            try body(windows, local)
        }
    }

    /// `TrajectoryWindows.gather` of windows `indices` (raw states, no normalisation).
    public func gather(_ indices: [Int], context contextOut: inout [Float], future futureOut: inout [Float]) throws {
        var (contexts, futures) = ([Float](), [Float]())
        contexts.reserveCapacity(indices.count * context * split.stateSize)
        futures.reserveCapacity(indices.count * future * split.stateSize)
        try forEachChunk(of: indices) { windows, local in
            var c: [Float] = [], f: [Float] = []
            windows.gather(local, context: &c, future: &f)
            contexts += c
            futures += f
        }
        (contextOut, futureOut) = (contexts, futures)
    }
}
