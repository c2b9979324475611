import XCTest
@testable import Trajectories

/// The streaming `.npz` writer (issue 18): its bytes equal the in-memory writer's (ZIPFoundation,
/// what every `.npz` was written with before), however the arrays are fed; all three readers read
/// it back (the whole-file `NumPyArchive`, the in-place `NumPyArchiveIndex`, the streamed
/// `TrajectorySplit`); the ZIP64 layout, forced by a low threshold, reads back the same; hostile
/// shapes and short or long arrays are errors that leave nothing behind. NumPy's side is in
/// `NumPyInteropTests`.
final class NPZWriterTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// Every dtype, 0-d, empty and many-axis shapes, a name of many bytes.
    func makeArchive() throws -> NumPyArchive {
        var archive = NumPyArchive()
        for (index, dtype) in NumPyDType.allCases.enumerated() {
            try archive.append(testArray(dtype, shape: [[2, 5, 3], [], [0], [3, 0, 2], [7]][index % 5]), named: "a\(index)_\(dtype.name)")
        }
        try archive.append(testArray(.float64, shape: [4, 3]), named: String(repeating: "long", count: 100))
        return archive
    }

    /// A split of `episodes` with values that differ everywhere.
    func makeSplit(episodes E: Int, steps T: Int = 6, stateSize S: Int = 4, controlSize nu: Int = 2, siteCount nsite: Int = 2) -> TrajectoryDataset {
        func values(_ n: Int, _ offset: Double) -> [Double] { (0..<n).map { offset + Double($0) * 0.25 } }
        return TrajectoryDataset(episodes: E, steps: T, stateSize: S, controlSize: nu, siteCount: nsite,
                                 states: values(E * (T + 1) * S, 1), controls: values(E * T * nu, -3), sites: values(E * (T + 1) * nsite * 3, 7),
                                 goal: (0..<E).map { Int64($0 % 3) - 1 }, episodeSeed: (0..<E).map { Int64($0) * 1_000_003 })
    }

    func bytes(_ url: URL) throws -> [UInt8] { try AtomicFile.read(url) }

    // MARK: - Bytes

    func testBytesEqualTheInMemoryWriter() throws {
        let archive = try makeArchive()
        let url = scratch.appendingPathComponent("a.npz")
        try archive.write(to: url)
        XCTAssertEqual(try bytes(url), try archive.npzBytes(), "NumPyArchive.write streams the bytes npzBytes builds")
        let empty = scratch.appendingPathComponent("empty.npz")
        try NumPyArchive().write(to: empty)
        XCTAssertEqual(try bytes(empty), try NumPyArchive().npzBytes())
        // fed in pieces of 1, 3 and 1000 bytes: same file
        for piece in [1, 3, 1000] {
            let writer = try NPZWriter(to: scratch.appendingPathComponent("p\(piece).npz"))
            for name in archive.names {
                let array = archive[name]!
                let index = try writer.declare(name, dtype: array.dtype, shape: array.shape)
                try array.bytes.withUnsafeBytes { all in
                    for start in stride(from: 0, to: all.count, by: piece) {
                        try writer.write(UnsafeRawBufferPointer(rebasing: all[start..<min(start + piece, all.count)]), to: index)
                    }
                }
            }
            try writer.finish()
            XCTAssertEqual(try bytes(scratch.appendingPathComponent("p\(piece).npz")), try archive.npzBytes(), "pieces of \(piece)")
        }
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path)), ["a.npz", "empty.npz", "p1.npz", "p3.npz", "p1000.npz"],
                       "no temporary file is left")
    }

    /// Episodes written batch by batch, the five arrays side by side: the bytes of the split in memory.
    func testSplitWrittenInBatchesEqualsTheWholeSplit() throws {
        let whole = makeSplit(episodes: 11)
        let expected = try whole.archive().npzBytes()
        for batches in [[11], [1, 10], [4, 4, 3], [0, 5, 0, 6]] {
            let url = scratch.appendingPathComponent("split.npz")
            let writer = try TrajectoryDatasetWriter(to: url, episodes: 11, steps: 6, stateSize: 4, controlSize: 2, siteCount: 2)
            var first = 0
            for count in batches {
                try writer.append(whole.episodes(Array(first..<(first + count))))
                first += count
            }
            try writer.finish()
            XCTAssertEqual(try bytes(url), expected, "batches \(batches)")
            // the three readers
            XCTAssertEqual(try TrajectoryDataset(contentsOf: url), whole)
            let split = try TrajectorySplit(contentsOf: url)
            XCTAssertTrue(split.isStreamed)
            XCTAssertEqual(try split.episodes(0..<11).states, whole.states)
            XCTAssertEqual(split.goal, whole.goal)
        }
    }

    // MARK: - ZIP64

    /// A threshold of 200 bytes puts every larger member, every later offset and the directory's
    /// offset into ZIP64 fields: the three readers read the same arrays, the records say ZIP64.
    func testZIP64LayoutReadsBackTheSameArrays() throws {
        let whole = makeSplit(episodes: 9)
        let url = scratch.appendingPathComponent("zip64.npz")
        let writer = try TrajectoryDatasetWriter(to: url, episodes: 9, steps: 6, stateSize: 4, controlSize: 2, siteCount: 2, zip64Threshold: 200)
        try writer.append(whole.episodes(Array(0..<5)))
        try writer.append(whole.episodes(Array(5..<9)))
        try writer.finish()
        XCTAssertEqual(try TrajectoryDataset(contentsOf: url), whole, "whole-file reader (ZIPFoundation)")
        let split = try TrajectorySplit(contentsOf: url)
        XCTAssertTrue(split.isStreamed, "in-place reader")
        XCTAssertEqual(try split.episodes(0..<9).controls, whole.controls)
        let index = try NumPyArchiveIndex(PositionalReader(contentsOf: url))
        XCTAssertEqual(index.members.map(\.name), ["states", "controls", "sites", "goal", "episode_seed"])
        XCTAssertEqual(index.members[0].uncompressedSize, 128 + 9 * 7 * 4 * 8)
        XCTAssertEqual(try index.storedArray(named: "episode_seed")?.values(0..<9, as: Int64.self), whole.episodeSeed)

        let file = try bytes(url)
        func uint32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(file[at + $1]) << (8 * $1) } }
        func uint16(_ at: Int) -> UInt16 { UInt16(file[at]) | UInt16(file[at + 1]) << 8 }
        // states (2144 bytes): version 4.5, sizes in the extra field
        XCTAssertEqual(uint32(0), 0x0403_4B50)
        XCTAssertEqual(uint16(4), 45)
        XCTAssertEqual([uint32(18), uint32(22)], [UInt32.max, UInt32.max])
        XCTAssertEqual(uint16(28), 20)
        // the end record points to the ZIP64 end record through the locator
        let end = file.count - 22
        XCTAssertEqual(uint32(end), 0x0605_4B50)
        XCTAssertEqual(uint32(end + 16), UInt32.max, "directory offset past the threshold")
        XCTAssertEqual(uint32(end - 20), 0x0706_4B50)
        XCTAssertEqual(uint32(end - 20 - 56), 0x0606_4B50)

        // a threshold above every size and offset: the plain layout, the plain bytes
        let plain = scratch.appendingPathComponent("plain.npz")
        let high = try TrajectoryDatasetWriter(to: plain, episodes: 9, steps: 6, stateSize: 4, controlSize: 2, siteCount: 2, zip64Threshold: 1 << 20)
        try high.append(whole)
        try high.finish()
        XCTAssertEqual(try bytes(plain), try whole.archive().npzBytes())
    }

    /// 65,536 members: more than the end record's 16-bit count holds, so the ZIP64 end record
    /// carries it; both readers list every member.
    func testMoreMembersThanA16BitCountUseTheZIP64EndRecord() throws {
        let url = scratch.appendingPathComponent("many.npz")
        let writer = try NPZWriter(to: url)
        for i in 0..<65_536 { try writer.append("m\(i)", .int64s([Int64(i)], shape: [])) }
        try writer.finish()
        let file = try bytes(url)
        let end = file.count - 22
        XCTAssertEqual(Array(file[(end + 8)..<(end + 12)]), [0xFF, 0xFF, 0xFF, 0xFF], "16-bit counts saturated")
        XCTAssertEqual(Array(file[(end - 20)..<(end - 16)]), [0x50, 0x4B, 0x06, 0x07], "ZIP64 locator")
        let index = try NumPyArchiveIndex(PositionalReader(contentsOf: url))
        XCTAssertEqual(index.members.count, 65_536)
        XCTAssertEqual(try index.storedArray(named: "m65535")?.values(0..<1, as: Int64.self), [65_535])
        let archive = try NumPyArchive(contentsOf: url)
        XCTAssertEqual(archive.names.count, 65_536)
        XCTAssertEqual(try archive.array(named: "m40000").int64s, [40_000])
    }

    // MARK: - Hostile sizes and misuse

    func testHostileShapesAndWrongByteCountsAreErrorsThatLeaveNothing() throws {
        let url = scratch.appendingPathComponent("x.npz")
        do {
            let writer = try NPZWriter(to: url)
            assertNumPyError(.invalidShape, ["overflows"]) { try writer.declare("huge", dtype: .float64, shape: [Int.max / 2, 4]) }
            assertNumPyError(.invalidShape, ["negative"]) { try writer.declare("negative", dtype: .float64, shape: [-1]) }
            assertNumPyError(.invalidShape, ["past", "'big'"]) { try writer.declare("big", dtype: .float64, shape: [1 << 48]) }
            assertNumPyError(.invalidName, ["path separator"]) { try writer.declare("a/b", dtype: .int64, shape: [1]) }
            assertNumPyError(.invalidName, ["empty"]) { try writer.declare("", dtype: .int64, shape: [1]) }
        }
        do {
            let writer = try NPZWriter(to: url)
            let a = try writer.declare("a", dtype: .int64, shape: [2])
            assertNumPyError(.invalidName, ["duplicate"]) { try writer.declare("a", dtype: .int64, shape: [2]) }
            assertNumPyError(.countMismatch, ["more bytes", "'a'"]) { try writer.write([Int64](repeating: 1, count: 3), to: a) }
            try writer.write([Int64(5)], to: a)
            assertNumPyError(.countMismatch, ["'a'", "136 of its 144 bytes"]) { try writer.finish() }
        }
        // a writer dropped unfinished (an error upstream, a thrown produce): no file, no temporary
        do {
            let writer = try NPZWriter(to: url)
            XCTAssertThrowsError(try writer.append("b", ArraySource(dtype: .float64, shape: [4]) { _ in throw DatasetError.invalidRequest("simulation failed") }))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
        // an existing file stays untouched until a finished writer replaces it
        try NumPyArchive([("old", NumPyArray(int64s: [1], shape: [1]))]).write(to: url)
        let before = try bytes(url)
        do {
            let writer = try NPZWriter(to: url)
            try writer.declare("new", dtype: .int64, shape: [1])
        }
        XCTAssertEqual(try bytes(url), before)
        let split = try TrajectoryDatasetWriter(to: url, episodes: 2, steps: 6, stateSize: 4, controlSize: 2, siteCount: 2)
        XCTAssertThrowsError(try split.append(makeSplit(episodes: 3))) { XCTAssertTrue("\($0)".contains("cannot append 3 episodes"), "\($0)") }
        XCTAssertThrowsError(try split.append(makeSplit(episodes: 1, stateSize: 5)))
        try split.append(makeSplit(episodes: 1))
        XCTAssertThrowsError(try split.finish()) { XCTAssertTrue("\($0)".contains("1 of 2 episodes"), "\($0)") }
        XCTAssertEqual(try bytes(url), before)
    }

    func testAtomicOutputAppearsOnlyWhenCommitted() throws {
        let url = scratch.appendingPathComponent("out.bin")
        let output = try AtomicFile.Output(url)
        try [UInt8](repeating: 7, count: 10).withUnsafeBytes { try output.write($0, at: 5) }   // a hole first
        try [UInt8](repeating: 1, count: 5).withUnsafeBytes { try output.append($0) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        XCTAssertEqual(output.size, 20)
        try [UInt8](repeating: 2, count: 5).withUnsafeBytes { try output.write($0, at: 0) }
        try output.commit()
        XCTAssertEqual(try bytes(url), [UInt8](repeating: 2, count: 5) + [UInt8](repeating: 7, count: 10) + [UInt8](repeating: 1, count: 5))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["out.bin"])
    }
}
