import Foundation

/// One split of a trajectory dataset (`train.npz` or `test.npz`): E episodes of T steps.
///
/// Arrays, in file order:
/// - `states` [E, T+1, nq+nv] float64: qpos then qvel at each step;
/// - `controls` [E, T, nu] float64: controls as applied (clamped);
/// - `sites` [E, T+1, nsite, 3] float64: world positions of the model's sites;
/// - `goal` [E] int64: the policy's goal index, or -1;
/// - `episode_seed` [E] int64: the seed of each episode's generator.
public struct TrajectoryDataset: Equatable, Sendable {
    public var episodes: Int, steps: Int, stateSize: Int, controlSize: Int, siteCount: Int
    /// [E, T+1, S]
    public var states: [Double]
    /// [E, T, nu]
    public var controls: [Double]
    /// [E, T+1, nsite, 3]
    public var sites: [Double]
    /// [E]
    public var goal: [Int64]
    /// [E]
    public var episodeSeed: [Int64]

    public init(episodes: Int, steps: Int, stateSize: Int, controlSize: Int, siteCount: Int,
                states: [Double], controls: [Double], sites: [Double], goal: [Int64], episodeSeed: [Int64]) {
        (self.episodes, self.steps, self.stateSize, self.controlSize, self.siteCount) = (episodes, steps, stateSize, controlSize, siteCount)
        (self.states, self.controls, self.sites, self.goal, self.episodeSeed) = (states, controls, sites, goal, episodeSeed)
        precondition(states.count == episodes * (steps + 1) * stateSize && controls.count == episodes * steps * controlSize
                     && sites.count == episodes * (steps + 1) * siteCount * 3 && goal.count == episodes && episodeSeed.count == episodes)
    }

    /// An empty split with the given sizes (for building up by `append`).
    public static func empty(steps: Int, stateSize: Int, controlSize: Int, siteCount: Int) -> TrajectoryDataset {
        TrajectoryDataset(episodes: 0, steps: steps, stateSize: stateSize, controlSize: controlSize, siteCount: siteCount,
                          states: [], controls: [], sites: [], goal: [], episodeSeed: [])
    }

    /// Appends the episodes of `other`, which must have the same sizes.
    public mutating func append(_ other: TrajectoryDataset) throws {
        guard (other.steps, other.stateSize, other.controlSize, other.siteCount) == (steps, stateSize, controlSize, siteCount) else {
            throw DatasetError.invalidRequest("cannot join datasets of different shapes: T \(steps) vs \(other.steps), S \(stateSize) vs \(other.stateSize), "
                               + "nu \(controlSize) vs \(other.controlSize), nsite \(siteCount) vs \(other.siteCount)")
        }
        episodes += other.episodes
        states += other.states
        controls += other.controls
        sites += other.sites
        goal += other.goal
        episodeSeed += other.episodeSeed
    }

    /// The episodes `indices` (in that order, repeats allowed), each index in 0..<episodes.
    public func episodes(_ indices: [Int]) -> TrajectoryDataset {
        var out = TrajectoryDataset.empty(steps: steps, stateSize: stateSize, controlSize: controlSize, siteCount: siteCount)
        let (rows, w) = (steps + 1, (steps + 1) * siteCount * 3)
        for e in indices {
            precondition((0..<episodes).contains(e), "episode \(e) of \(episodes)")
            out.states += states[(e * rows * stateSize)..<((e + 1) * rows * stateSize)]
            out.controls += controls[(e * steps * controlSize)..<((e + 1) * steps * controlSize)]
            out.sites += sites[(e * w)..<((e + 1) * w)]
            out.goal.append(goal[e])
            out.episodeSeed.append(episodeSeed[e])
        }
        out.episodes = indices.count
        return out
    }

    /// State `t` of episode `e` [S].
    public func state(episode e: Int, step t: Int) -> ArraySlice<Double> {
        let start = (e * (steps + 1) + t) * stateSize
        return states[start..<(start + stateSize)]
    }

    // MARK: - .npz

    /// The split as a NumPy archive, arrays in the documented order.
    public func archive() throws -> NumPyArchive {
        let layout = TrajectoryDatasetWriter.layout(episodes: episodes, steps: steps, stateSize: stateSize, controlSize: controlSize, siteCount: siteCount)
        return try NumPyArchive([
            (layout[0].name, NumPyArray(doubles: states, shape: layout[0].shape)),
            (layout[1].name, NumPyArray(doubles: controls, shape: layout[1].shape)),
            (layout[2].name, NumPyArray(doubles: sites, shape: layout[2].shape)),
            (layout[3].name, NumPyArray(int64s: goal, shape: layout[3].shape)),
            (layout[4].name, NumPyArray(int64s: episodeSeed, shape: layout[4].shape)),
        ])
    }

    /// Writes the split atomically as an uncompressed `.npz` (same data → same bytes), streamed
    /// from the arrays (`TrajectoryDatasetWriter`).
    public func write(to url: URL) throws {
        let writer = try TrajectoryDatasetWriter(to: url, episodes: episodes, steps: steps, stateSize: stateSize,
                                                 controlSize: controlSize, siteCount: siteCount)
        try writer.append(self)
        try writer.finish()
    }

    /// Reads and validates a split: every array present with the documented dtype and
    /// consistent shapes, float arrays finite, goals >= -1.
    /// - Throws: `NumPyError` or `DatasetError`, naming the file (and array) and the problem.
    public init(contentsOf url: URL) throws {
        let archive = try NumPyArchive(contentsOf: url)
        var dims: [String: Int] = [:]
        let states = try archive.array(named: "states", shape: ["E", "T+1", "S"], dtype: .float64, requireFinite: true, bindings: &dims)
        let controls = try archive.array(named: "controls", shape: ["E", "T", "nu"], dtype: .float64, requireFinite: true, bindings: &dims)
        let sites = try archive.array(named: "sites", shape: ["E", "T+1", "nsite", 3], dtype: .float64, requireFinite: true, bindings: &dims)
        let goal = try archive.array(named: "goal", shape: ["E"], dtype: .int64, bindings: &dims)
        let seeds = try archive.array(named: "episode_seed", shape: ["E"], dtype: .int64, bindings: &dims)
        guard dims["T"]! + 1 == dims["T+1"]! else {
            throw NumPyError(.shapeMismatch, "has \(dims["T"]!) steps but 'states' has \(dims["T+1"]!) rows per episode (expected steps + 1)",
                             file: url.path, array: "controls")
        }
        let goals = try goal.int64s
        if let bad = goals.firstIndex(where: { $0 < -1 }) {
            throw NumPyError(.invalidValue, "episode \(bad) has goal \(goals[bad]); goals are indices >= 0 or -1 (none)",
                             file: url.path, array: "goal")
        }
        self.init(episodes: dims["E"]!, steps: dims["T"]!, stateSize: dims["S"]!, controlSize: dims["nu"]!, siteCount: dims["nsite"]!,
                  states: try states.doubles, controls: try controls.doubles, sites: try sites.doubles, goal: goals,
                  episodeSeed: try seeds.int64s)
    }
}

/// A split (`train.npz` or `test.npz`) written batch by batch as its episodes are produced: the
/// five arrays are declared for all `episodes` up front (`NPZWriter`), and each batch's episodes
/// go to the end of each array, so only one batch is ever in memory. Equal episodes give the bytes
/// of `TrajectoryDataset.write(to:)`, however they were batched.
public final class TrajectoryDatasetWriter {
    public let episodes: Int, steps: Int, stateSize: Int, controlSize: Int, siteCount: Int
    /// Episodes appended so far.
    public private(set) var written = 0
    private let writer: NPZWriter

    /// The arrays of a split, in file order, with their dtypes and shapes.
    public static func layout(episodes E: Int, steps T: Int, stateSize S: Int, controlSize nu: Int, siteCount nsite: Int)
        -> [(name: String, dtype: NumPyDType, shape: [Int])] {
        [("states", .float64, [E, T + 1, S]), ("controls", .float64, [E, T, nu]), ("sites", .float64, [E, T + 1, nsite, 3]),
         ("goal", .int64, [E]), ("episode_seed", .int64, [E])]
    }

    /// Starts `url` (a temporary file beside it until `finish`).
    /// - Parameter zip64Threshold: see `NPZWriter`.
    /// - Throws: `FileError` `.writeFailed`; `NumPyError` `.invalidShape` for sizes that overflow.
    public init(to url: URL, episodes: Int, steps: Int, stateSize: Int, controlSize: Int, siteCount: Int,
                zip64Threshold: Int = NPZWriter.zip64Limit) throws {
        (self.episodes, self.steps, self.stateSize, self.controlSize, self.siteCount) = (episodes, steps, stateSize, controlSize, siteCount)
        writer = try NPZWriter(to: url, zip64Threshold: zip64Threshold)
        for array in Self.layout(episodes: episodes, steps: steps, stateSize: stateSize, controlSize: controlSize, siteCount: siteCount) {
            try writer.declare(array.name, dtype: array.dtype, shape: array.shape)
        }
    }

    /// Appends the episodes of `batch` after those written before.
    /// - Throws: `DatasetError` for a batch of other sizes or one past `episodes`; `FileError` `.writeFailed`.
    public func append(_ batch: TrajectoryDataset) throws {
        guard (batch.steps, batch.stateSize, batch.controlSize, batch.siteCount) == (steps, stateSize, controlSize, siteCount),
              batch.episodes <= episodes - written else {
            throw DatasetError.file(FileError(.mismatched, path: writer.url.path, "cannot append \(batch.episodes) episodes (T \(batch.steps), S \(batch.stateSize), nu \(batch.controlSize), nsite \(batch.siteCount)) "
                               + "to a split of \(episodes) (\(written) written; T \(steps), S \(stateSize), nu \(controlSize), nsite \(siteCount))"))
        }
        try writer.write(batch.states, to: 0)
        try writer.write(batch.controls, to: 1)
        try writer.write(batch.sites, to: 2)
        try writer.write(batch.goal, to: 3)
        try writer.write(batch.episodeSeed, to: 4)
        written += batch.episodes
    }

    /// Renames the finished file into place.
    /// - Throws: `DatasetError` when fewer than `episodes` episodes were appended (nothing appears); `FileError` `.writeFailed`.
    public func finish() throws {
        guard written == episodes else {
            throw DatasetError.file(FileError(.writeFailed, path: writer.url.path, "\(written) of \(episodes) episodes were written"))
        }
        try writer.finish()
    }
}
