import XCTest
@testable import Trajectories

/// `.npz` reading and writing without Python; `NumPyInteropTests` checks against NumPy itself.
final class NumPyArchiveTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// qpos: (2 x 5 x 3) float64, tau: (2 x 5 x 2) float32, done: (2 x 5) bool, seed: () int64
    func makeArchive() throws -> NumPyArchive {
        try NumPyArchive([
            ("qpos", testArray(.float64, shape: [2, 5, 3])),
            ("tau", testArray(.float32, shape: [2, 5, 2])),
            ("done", testArray(.bool, shape: [2, 5])),
            ("seed", testArray(.int64, shape: [])),
            ("ids", testArray(.int32, shape: [2])),
            ("pixels", testArray(.uint8, shape: [2, 2, 3])),
        ])
    }

    // MARK: - Round trips and determinism

    func testRoundTripKeepsOrderAndValues() throws {
        let archive = try makeArchive()
        for compression in [NPZCompression.none, .deflate] {
            let url = scratch.appendingPathComponent("t.npz")
            try archive.write(to: url, compression: compression)
            let back = try NumPyArchive(contentsOf: url)
            XCTAssertEqual(back, archive)
            XCTAssertEqual(back.names, ["qpos", "tau", "done", "seed", "ids", "pixels"])
            XCTAssertEqual(back.file, url.path)
            XCTAssertEqual(try back.array(named: "pixels").uint8s, try testArray(.uint8, shape: [2, 2, 3]).uint8s)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["t.npz"])
    }

    func testEmptyArchiveRoundTrips() throws {
        let back = try NumPyArchive(npzBytes: NumPyArchive().npzBytes())
        XCTAssertEqual(back.names, [])
    }

    func testSameArraysGiveIdenticalBytes() throws {
        let first = try makeArchive().npzBytes()
        let second = try makeArchive().npzBytes()
        XCTAssertEqual(first, second)
        XCTAssertEqual(try makeArchive().npzBytes(compression: .deflate),
                       try makeArchive().npzBytes(compression: .deflate))
        XCTAssertNotEqual(first, try makeArchive().npzBytes(compression: .deflate))
    }

    func testEntriesAreStoredWithTheFixedDate() throws {
        // Read the local file headers directly: an independent check of what the zip library wrote.
        let bytes = try makeArchive().npzBytes()
        var offset = 0
        var paths: [String] = []
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        while u32(offset) == 0x0403_4B50 {
            XCTAssertEqual(u16(offset + 8), 0, "compression method: stored")
            XCTAssertEqual(u16(offset + 10), 0, "DOS time 00:00:00")
            XCTAssertEqual(u16(offset + 12), 1 << 5 | 1, "DOS date 1980-01-01")
            let nameLength = u16(offset + 26), extraLength = u16(offset + 28)
            paths.append(String(decoding: bytes[(offset + 30)..<(offset + 30 + nameLength)], as: UTF8.self))
            offset += 30 + nameLength + extraLength + u32(offset + 18)
        }
        XCTAssertEqual(paths, ["qpos.npy", "tau.npy", "done.npy", "seed.npy", "ids.npy", "pixels.npy"])
    }

    func testInvalidNames() throws {
        var archive = NumPyArchive()
        let array = try testArray(.float64, shape: [1])
        try archive.append(array, named: "qpos")
        assertNumPyError(.invalidName, ["duplicate array name 'qpos'"]) { try archive.append(array, named: "qpos") }
        assertNumPyError(.invalidName, ["'a/b'", "path separator"]) { try archive.append(array, named: "a/b") }
        assertNumPyError(.invalidName, ["empty"]) { try archive.append(array, named: "") }
        XCTAssertEqual(archive.names, ["qpos"])
    }

    // MARK: - Lookup and validation

    func testMissingArrayListsNamesPresent() throws {
        let url = scratch.appendingPathComponent("run.npz")
        try makeArchive().write(to: url)
        let archive = try NumPyArchive(contentsOf: url)
        assertNumPyError(.missingArray, [url.path, "no array 'qvel'", "arrays present: 'qpos', 'tau', 'done'"]) {
            try archive.array(named: "qvel")
        }
        assertNumPyError(.missingArray, ["no array 'x'", "arrays present: none"]) {
            try NumPyArchive().array(named: "x")
        }
    }

    func testShapeDTypeAndFinitenessChecksNameFileAndArray() throws {
        let url = scratch.appendingPathComponent("run.npz")
        var archive = try makeArchive()
        var nonFinite = try testArray(.float64, shape: [2, 5, 3]).doubles
        nonFinite[4] = .nan
        try archive.append(NumPyArray(doubles: nonFinite, shape: [2, 5, 3]), named: "qvel")
        try archive.write(to: url)
        let loaded = try NumPyArchive(contentsOf: url)

        var bindings: [String: Int] = [:]
        let qpos = try loaded.array(named: "qpos", shape: ["B", "T", 3], dtype: .float64, requireFinite: true,
                                    bindings: &bindings)
        XCTAssertEqual(qpos.shape, [2, 5, 3])
        XCTAssertEqual(bindings, ["B": 2, "T": 5])
        XCTAssertNoThrow(try loaded.array(named: "done", shape: ["B", "T"], bindings: &bindings))

        assertNumPyError(.shapeMismatch, ["\(url.path): array 'tau': must have shape [B, T, 3], found [2, 5, 2]"]) {
            try loaded.array(named: "tau", shape: ["B", "T", 3], bindings: &bindings)
        }
        assertNumPyError(.shapeMismatch, ["array 'ids'", "B is 2 on axis 0 but 7 elsewhere"]) {
            var other = ["B": 7]
            return try loaded.array(named: "ids", shape: ["B"], bindings: &other)
        }
        assertNumPyError(.wrongDType, ["array 'tau'", "has dtype <f4 (float32); expected <f8 (float64)"]) {
            try loaded.array(named: "tau", shape: ["B", "T", 2], dtype: .float64)
        }
        assertNumPyError(.nonFinite, [url.path, "array 'qvel'", "1 NaN", "first at index [0, 1, 1]"]) {
            try loaded.array(named: "qvel", shape: ["B", "T", 3], requireFinite: true)
        }
    }

    // MARK: - Bad input

    func testNotAZip() throws {
        let url = scratch.appendingPathComponent("bad.npz")
        try Foundation.Data("definitely not a zip archive, just some text".utf8).write(to: url)
        assertNumPyError(.notAZip, [url.path, "not a zip archive", "no end-of-central-directory record"]) {
            try NumPyArchive(contentsOf: url)
        }
        try Foundation.Data().write(to: url)
        assertNumPyError(.notAZip, [url.path, "the file is empty"]) { try NumPyArchive(contentsOf: url) }

        let npy = scratch.appendingPathComponent("array.npy")
        try testArray(.float64, shape: [10]).write(to: npy)
        assertNumPyError(.notAZip, [npy.path, "this is an .npy file"]) { try NumPyArchive(contentsOf: npy) }
    }

    func testMissingFileAndDirectory() throws {
        let absent = scratch.appendingPathComponent("absent.npz")
        assertFileError(.notFound, path: absent.path, ["cannot read"]) { try NumPyArchive(contentsOf: absent) }
        assertFileError(.unreadable, path: scratch.path, ["cannot read"]) { try NumPyArchive(contentsOf: scratch) }
        assertFileError(.unreadable, path: scratch.path, ["cannot read"]) { try NumPyArray(contentsOf: scratch) }
    }

    func testTruncatedArchive() throws {
        let bytes = try makeArchive().npzBytes()
        assertNumPyError(.notAZip, ["t.npz", "the archive is truncated"]) {
            try NumPyArchive(npzBytes: Array(bytes.prefix(bytes.count / 2)), file: "t.npz")
        }
    }

    func testChecksumMismatchNamesTheEntry() throws {
        var bytes = try makeArchive().npzBytes()
        // The last data byte of the first entry (qpos.npy: 128-byte header + 240 data bytes).
        let dataStart = 30 + "qpos.npy".utf8.count + (Int(bytes[28]) | Int(bytes[29]) << 8)
        bytes[dataStart + 128 + 239] ^= 0x01
        assertNumPyError(.corruptArchive, ["c.npz", "checksum mismatch in entry 'qpos.npy'"]) {
            try NumPyArchive(npzBytes: bytes, file: "c.npz")
        }
    }

    func testEntryThatIsNotAnArray() throws {
        let bytes = try NumPyArchive.zipBytes([("notes.txt", Array("hi".utf8))], compression: .none)
        assertNumPyError(.corruptArchive, ["e.npz", "entry 'notes.txt' is not an .npy array"]) {
            try NumPyArchive(npzBytes: bytes, file: "e.npz")
        }
    }

    func testBadEntryNamesFileAndArray() throws {
        let good = try testArray(.float64, shape: [2, 3]).npyBytes()
        let bytes = try NumPyArchive.zipBytes([("ok.npy", good), ("qpos.npy", Array(good.dropLast(8)))],
                                              compression: .deflate)
        assertNumPyError(.truncatedData, ["r.npz: array 'qpos': truncated data", "needs 48 bytes of data, found 40"]) {
            try NumPyArchive(npzBytes: bytes, file: "r.npz")
        }
        let unsupported = handMadeNPY(header: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
                                      data: [UInt8](repeating: 0, count: 8))
        let archive = try NumPyArchive.zipBytes([("z.npy", unsupported)], compression: .none)
        assertNumPyError(.unsupportedDType, ["r.npz: array 'z': unsupported dtype '<c8'"]) {
            try NumPyArchive(npzBytes: archive, file: "r.npz")
        }
        let badMagic = try NumPyArchive.zipBytes([("m.npy", Array("PK not numpy".utf8))], compression: .none)
        assertNumPyError(.badMagic, ["r.npz: array 'm': bad magic"]) {
            try NumPyArchive(npzBytes: badMagic, file: "r.npz")
        }
    }

    func testDuplicateEntriesAreCorruption() throws {
        let npy = try testArray(.float64, shape: [1]).npyBytes()
        let bytes = try NumPyArchive.zipBytes([("a.npy", npy), ("a.npy", npy)], compression: .none)
        assertNumPyError(.corruptArchive, ["bad entry 'a.npy'", "duplicate array name 'a'"]) {
            try NumPyArchive(npzBytes: bytes)
        }
    }

    // MARK: - Fuzz: never crash, always a NumPyError

    func testEveryTruncationFailsCleanly() throws {
        for compression in [NPZCompression.none, .deflate] {
            let bytes = try makeArchive().npzBytes(compression: compression)
            for length in 0..<bytes.count {
                do {
                    _ = try NumPyArchive(npzBytes: Array(bytes.prefix(length)))
                    XCTFail("truncation to \(length) of \(bytes.count) bytes was accepted")
                } catch is NumPyError {
                } catch {
                    XCTFail("truncation to \(length): unexpected \(error)")
                }
            }
        }
    }

    func testByteFlipsAndDeletionsNeverCrash() throws {
        for compression in [NPZCompression.none, .deflate] {
            let bytes = try makeArchive().npzBytes(compression: compression)
            var accepted = 0
            for position in 0..<bytes.count {
                var variants: [[UInt8]] = []
                var flipped = bytes
                flipped[position] ^= 0xFF
                variants.append(flipped)
                var shortened = bytes
                shortened.remove(at: position)
                variants.append(shortened)
                for damaged in variants {
                    do {
                        _ = try NumPyArchive(npzBytes: damaged)
                        accepted += 1  // e.g. a flipped timestamp or attribute byte
                    } catch is NumPyError {
                    } catch {
                        XCTFail("damage at \(position): unexpected \(error)")
                    }
                }
            }
            // Accepted damage is confined to bytes nobody checks: timestamps, attributes, versions.
            XCTAssertLessThan(accepted, bytes.count / 2, "most damage must be detected")
        }
    }

    // MARK: - Read failures name the caller's file and the array

    /// A member whose header cannot be read (the file shrank after the index was built) is a
    /// `FileError` `.unreadable` whose detail starts `array 'NAME': `, as the `NumPyError` did before.
    func testStoredArrayReadFailureNamesTheArray() throws {
        let url = scratch.appendingPathComponent("shrinks.npz")
        try NumPyArchive([("qpos", testArray(.float64, shape: [2, 5, 3]))]).write(to: url)
        let index = try NumPyArchiveIndex(PositionalReader(contentsOf: url))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 10)
        try handle.close()
        XCTAssertThrowsError(try index.storedArray(named: "qpos")) { error in
            guard let error = error as? FileError else { return XCTFail("not a FileError: \(error)") }
            XCTAssertEqual(error.kind, .unreadable)
            XCTAssertEqual(error.path, url.path)
            XCTAssertEqual(error.description, "\(url.path): array 'qpos': cannot read the .npy header of 'qpos': "
                           + "the file ended early (changed while reading?)")
        }
    }

    /// A `FileError` about the temporary copy `init(npzBytes:file:)` reads names the caller's file;
    /// `NumPyError`s are relocated too, and other errors pass unchanged.
    func testBytesReaderNamesTheCallersFile() {
        let temporary = "/tmp/npz-0000.npz"
        let read = NumPyArchive.relocate(FileError(.unreadable, path: temporary, "cannot read: Input/output error"),
                                         from: temporary, to: "data/train.npz")
        XCTAssertEqual(read as? FileError, FileError(.unreadable, path: "data/train.npz", "cannot read: Input/output error"))
        XCTAssertEqual((NumPyArchive.relocate(FileError(.notFound, path: temporary, "x"), from: temporary, to: nil) as? FileError)?.path, "<bytes>")
        let format = NumPyArchive.relocate(NumPyError(.corruptArchive, "bad", file: temporary), from: temporary, to: "a.npz")
        XCTAssertEqual((format as? NumPyError)?.description, "a.npz: bad")
        let other = FileError(.writeFailed, path: "elsewhere", "full")
        XCTAssertEqual(NumPyArchive.relocate(other, from: temporary, to: "a.npz") as? FileError, other)
    }
}
