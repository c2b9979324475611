import Foundation
import XCTest
@testable import Trajectories

/// Splits read in place (issue 20): the same numbers as the whole-file reader, chunk by chunk;
/// hostile archives give errors, never a trap; the on-disk window order equals the in-memory one.
final class TrajectorySplitTests: XCTestCase {
    /// (q, v) episodes of a damped oscillator at dt 0.01 (so `positionVelocityTimestep` applies),
    /// controls and goals varying per episode, 2 sites.
    static func oscillators(episodes: Int, steps: Int, seed: UInt64) -> TrajectoryDataset {
        var g = EpisodeGenerator(seed: seed)
        var states: [Double] = [], controls: [Double] = []
        for _ in 0..<episodes {
            var (q, v) = (g.uniform() - 0.5, 2 * g.uniform() - 1)
            for t in 0...steps {
                states += [q, 0.5 * q, v, 0.5 * v]
                let a = -4 * q - 0.3 * v
                if t < steps { controls += [a, -a] }
                let v1 = v + 0.01 * a
                q += 0.01 * (v + v1) / 2
                v = v1
            }
        }
        return TrajectoryDataset(episodes: episodes, steps: steps, stateSize: 4, controlSize: 2, siteCount: 2, states: states,
                                 controls: controls, sites: (0..<(episodes * (steps + 1) * 6)).map { Double($0 % 13) },
                                 goal: (0..<episodes).map { Int64($0 % 3) }, episodeSeed: (0..<episodes).map { Int64($0) * 7 })
    }

    func write(_ data: TrajectoryDataset, compression: NPZCompression = .none) throws -> URL {
        let url = try makeScratchDirectory().appendingPathComponent("train.npz")
        try data.archive().write(to: url, compression: compression)
        return url
    }

    /// In place and whole, stored and compressed: the same episodes, the same windows, in any chunking.
    func testStreamedSplitGivesTheWholeReadersNumbers() throws {
        let data = Self.oscillators(episodes: 23, steps: 12, seed: 5)
        let url = try write(data)
        let streamed = try TrajectorySplit(contentsOf: url)
        XCTAssertTrue(streamed.isStreamed)
        XCTAssertFalse(try TrajectorySplit(contentsOf: url, streaming: false).isStreamed)
        XCTAssertFalse(try TrajectorySplit(contentsOf: write(data, compression: .deflate)).isStreamed, "compressed: read whole")
        XCTAssertEqual([streamed.episodes, streamed.steps, streamed.stateSize, streamed.controlSize], [23, 12, 4, 2])
        XCTAssertEqual(streamed.goal, data.goal)
        XCTAssertEqual(streamed.episodeSeed, data.episodeSeed)
        let part = try streamed.episodes(5..<9), whole = data.episodes(Array(5..<9))
        XCTAssertEqual(part.states, whole.states)
        XCTAssertEqual(part.controls, whole.controls)
        XCTAssertEqual(try streamed.episodes([7, 2, 7]).states, data.episodes([7, 2, 7]).states)
        XCTAssertEqual(try streamed.positionVelocityTimestep(), data.positionVelocityTimestep())
        XCTAssertNotNil(data.positionVelocityTimestep())

        for padEnd in [false, true] {
            let reference = try TrajectoryWindows(data, context: 3, future: 5, padEnd: padEnd)
            for chunk in [1, 4, 100] {
                streamed.episodesPerChunk = chunk
                var windows = try SplitWindows(streamed, context: 3, future: 5, padEnd: padEnd)
                windows.gatherChunk = chunk
                XCTAssertEqual(windows.count, reference.count)
                var g = EpisodeGenerator(seed: 9)
                let indices = (0..<50).map { _ in g.index(below: reference.count) }
                var (c1, f1, c2, f2) = ([Float](), [Float](), [Float](), [Float]())
                reference.gather(indices, context: &c1, future: &f1)
                try windows.gather(indices, context: &c2, future: &f2)
                XCTAssertEqual(c1, c2, "padEnd \(padEnd), chunk \(chunk)")
                XCTAssertEqual(f1, f2, "padEnd \(padEnd), chunk \(chunk)")
                // every window once, in index order
                var seen: [Double] = []
                try windows.forEachChunk { w in
                    for i in 0..<w.count { let (e, s) = w.location(of: i); seen.append(w.value(episode: e, start: s, offset: 7, coordinate: 2)) }
                }
                XCTAssertEqual(seen, (0..<reference.count).map { i in
                    let (e, s) = reference.location(of: i); return reference.value(episode: e, start: s, offset: 7, coordinate: 2)
                })
            }
        }
    }

    /// The whole reader's checks hold in place too: non-finite values (same message), goals < −1,
    /// shapes that disagree, a damaged byte (checksum), a member that is not `.npy`.
    func testStreamedSplitValidatesLikeTheWholeReader() throws {
        var bad = Self.oscillators(episodes: 4, steps: 6, seed: 1)
        bad.states[37] = .nan
        let url = try write(bad)
        let whole = "\(try XCTUnwrap({ () -> Error? in do { _ = try TrajectoryDataset(contentsOf: url); return nil } catch { return error } }()))"
        assertNumPyError(.nonFinite, [whole]) { try TrajectorySplit(contentsOf: url) }
        var goals = Self.oscillators(episodes: 4, steps: 6, seed: 1)
        goals.goal[2] = -3
        assertNumPyError(.invalidValue, ["episode 2 has goal -3"]) { try TrajectorySplit(contentsOf: write(goals)) }
        let data = Self.oscillators(episodes: 4, steps: 6, seed: 1)
        var archive = try data.archive()
        archive = try NumPyArchive(archive.names.map { ($0, $0 == "controls" ? try NumPyArray(doubles: [Double](repeating: 0, count: 4 * 5 * 2), shape: [4, 5, 2]) : archive[$0]!) })
        let shapes = try makeScratchDirectory().appendingPathComponent("shapes.npz")
        try archive.write(to: shapes)
        assertNumPyError(.shapeMismatch, ["'controls'", "has 5 steps but 'states' has 7 rows"]) { try TrajectorySplit(contentsOf: shapes) }

        var bytes = try data.archive().npzBytes()
        let states = try NumPyArchiveIndex(PositionalReader(bytes: bytes)).storedArray(named: "states")!
        bytes[states.dataStart + 20] ^= 0x01
        let flipped = try makeScratchDirectory().appendingPathComponent("flipped.npz")
        try AtomicFile.write(bytes, to: flipped)
        assertNumPyError(.corruptArchive, ["checksum mismatch in entry 'states.npy'"]) { try TrajectorySplit(contentsOf: flipped) }
    }

    /// Hostile archives: truncations at every length class, offsets and sizes past the end or
    /// overflowing, a compressed method on stored bytes, random byte damage: an error or the right
    /// numbers, never a trap.
    func testHostileArchivesGiveErrorsNotTraps() throws {
        let data = Self.oscillators(episodes: 3, steps: 4, seed: 2)
        let good = try data.archive().npzBytes()
        let index = try NumPyArchiveIndex(PositionalReader(bytes: good))
        XCTAssertEqual(index.members.map(\.name), ["states", "controls", "sites", "goal", "episode_seed"])
        XCTAssertTrue(index.members.allSatisfy(\.isStored))
        let directory = try makeScratchDirectory()
        var cases = 0
        func attempt(_ bytes: [UInt8], _ label: String) {
            cases += 1
            let url = directory.appendingPathComponent("case\(cases).npz")
            try? AtomicFile.write(bytes, to: url, durable: false)
            do {
                let split = try TrajectorySplit(contentsOf: url)
                // accepted: then it reads what the whole reader reads, unless the damage lies in the sites,
                // whose values training never reads (so they are not checked)
                do {
                    let whole = try TrajectoryDataset(contentsOf: url)
                    XCTAssertEqual(try split.episodes(0..<split.episodes).states, whole.states, label)
                } catch {
                    XCTAssertTrue("\(error)".contains("sites"), "\(label): accepted in place, refused whole: \(error)")
                }
            } catch {
                XCTAssertTrue(error is NumPyError || error is DatasetError, "\(label): \(error)")
            }
        }
        for length in [0, 1, 4, 21, 22, 30, 100, good.count / 2, good.count - 23, good.count - 22, good.count - 1] {
            attempt(Array(good.prefix(length)), "truncated to \(length)")
        }
        // central directory: every 4-byte field of the first entry set to hostile values
        let eocd = good.count - 22
        let cd = Int(NumPyArchiveIndex.uint32(good, eocd + 16))
        for field in [10, 20, 24, 28, 30, 42] {
            for value: UInt32 in [0, 1, 0xFFFF, 0xFFFF_FFFF, 0x7FFF_FFFF, UInt32(good.count)] {
                var bytes = good
                let width = [28, 30].contains(field) ? 2 : 4
                for k in 0..<width { bytes[cd + field + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
                attempt(bytes, "directory field \(field) = \(value)")
            }
        }
        // end record: entry count, directory size and offset
        for field in [8, 10, 12, 16] {
            for value: UInt32 in [0, 1, 0xFFFF, 0xFFFF_FFFF, UInt32(good.count)] {
                var bytes = good
                for k in 0..<(field < 12 ? 2 : 4) { bytes[eocd + field + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
                attempt(bytes, "end record field \(field) = \(value)")
            }
        }
        // the stored states member declared deflated: not read in place (the whole reader decides)
        var deflated = good
        deflated[cd + 10] = 8
        attempt(deflated, "stored bytes declared deflated")
        // an .npy header whose shape overflows
        let states = try index.storedArray(named: "states")!
        var huge = good
        let text = String(decoding: states.header, as: UTF8.self)
        var hostile = text.replacingOccurrences(of: "(3, 5, 4)", with: "(9223372036854775807, 5, 4)")
        XCTAssertNotEqual(hostile, text)
        hostile = String(hostile.dropLast(hostile.utf8.count - text.utf8.count + 1)) + "\n"   // the same length: less padding
        XCTAssertEqual(hostile.utf8.count, text.utf8.count)
        huge.replaceSubrange((states.dataStart - states.header.count)..<states.dataStart, with: Array(hostile.utf8))
        attempt(huge, "overflowing shape")
        var g = EpisodeGenerator(seed: 4)
        for _ in 0..<1000 {
            var bytes = good
            for _ in 0..<(1 + g.index(below: 4)) { bytes[g.index(below: bytes.count)] = UInt8(truncatingIfNeeded: g.next()) }
            attempt(bytes, "random damage")
        }
    }

    /// The on-disk permutation (beyond `memoryLimit` windows) is the in-memory one, epoch after epoch.
    func testWindowOrderOnDiskEqualsInMemory() throws {
        for count in [1, 2, 7, 1000, 70_000] {
            var memory = try MiniBatches(count: count, batchSize: min(count, 64), seed: 11)
            var disk = try MiniBatches(count: count, batchSize: min(count, 64), seed: 11, memoryLimit: 0)
            for _ in 0..<(2 * (count / min(count, 64)) + 3) { XCTAssertEqual(try memory.next(), try disk.next(), "count \(count)") }
            XCTAssertEqual(memory.epoch, disk.epoch)
        }
        var whole = try MiniBatches(count: 70_000, batchSize: 70_000, seed: 2, memoryLimit: 0)
        XCTAssertEqual(Set(try whole.next()), Set(0..<70_000))
    }
}
