import XCTest
@testable import Trajectories

/// `.npy` encoding and decoding without Python; `NumPyInteropTests` checks against NumPy itself.
final class NumPyArrayNPYTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    // MARK: - Round trips

    func testEveryDTypeRoundTripsThroughAFile() throws {
        for dtype in NumPyDType.allCases {
            for shape in [[], [0], [7], [2, 3], [2, 0, 3], [3, 1, 2, 2]] {
                let array = try testArray(dtype, shape: shape)
                let url = scratch.appendingPathComponent("\(dtype.name).npy")
                try array.write(to: url)
                let back = try NumPyArray(contentsOf: url)
                XCTAssertEqual(back, array, "\(dtype) \(shape)")
                XCTAssertEqual(back.shape, shape)
                XCTAssertEqual(back.dtype, dtype)
            }
        }
    }

    func testSpecialDoublesKeepTheirBits() throws {
        let array = try NumPyArray(doubles: specialDoubles, shape: [specialDoubles.count])
        let back = try NumPyArray(npyBytes: array.npyBytes()).doubles
        XCTAssertEqual(back.map(\.bitPattern), specialDoubles.map(\.bitPattern))
    }

    // MARK: - Header layout (the exact bytes np.save writes; checked against NumPy in the interop tests)

    func testHeaderTextAndAlignment() throws {
        let bytes = try testArray(.float64, shape: [2, 3]).npyBytes()
        XCTAssertEqual(Array(bytes[0..<8]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0, "data starts on a 64-byte boundary")
        let text = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        // 20 spaces of growth room for a one-digit first axis, then alignment padding and a newline
        XCTAssertTrue(text.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
                                     + String(repeating: " ", count: 20)), text)
        XCTAssertTrue(text.hasSuffix(" \n"))
        XCTAssertEqual(bytes.count, 10 + headerLength + 48)

        let scalar = String(decoding: try testArray(.bool, shape: []).npyBytes().dropFirst(10), as: UTF8.self)
        XCTAssertTrue(scalar.hasPrefix("{'descr': '|b1', 'fortran_order': False, 'shape': (), }      "))
        let vector = String(decoding: try testArray(.uint8, shape: [12]).npyBytes().dropFirst(10), as: UTF8.self)
        XCTAssertTrue(vector.hasPrefix("{'descr': '|u1', 'fortran_order': False, 'shape': (12,), }"))
    }

    // MARK: - Reading what other writers produce

    func testReadsVersion2And3Headers() throws {
        let data = try testArray(.int32, shape: [2, 2]).bytes
        for major: UInt8 in [2, 3] {
            let bytes = handMadeNPY(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }",
                                    data: data, major: major)
            XCTAssertEqual(try NumPyArray(npyBytes: bytes).int32s, [-100, -93, -86, -79])
        }
    }

    func testReadsHeadersInAnyKeyOrderAndQuoting() throws {
        let bytes = handMadeNPY(header: "{\"shape\": (3,), \"descr\": \"<i8\", \"fortran_order\": False}",
                                data: try testArray(.int64, shape: [3]).bytes)
        XCTAssertEqual(try NumPyArray(npyBytes: bytes), try testArray(.int64, shape: [3]))
    }

    func testBigEndianDataIsSwapped() throws {
        let bytes = handMadeNPY(header: "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }",
                                data: [0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE])
        let array = try NumPyArray(npyBytes: bytes)
        XCTAssertEqual(array.dtype, .int32)
        XCTAssertEqual(try array.int32s, [1, -2])
    }

    func testFortranOrderIsTransposedToCOrder() throws {
        // x: (2 x 3) = [[0, 1, 2], [3, 4, 5]] stored column-major as 0 3 1 4 2 5
        let columnMajor: [UInt8] = [0, 3, 1, 4, 2, 5]
        let bytes = handMadeNPY(header: "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }",
                                data: columnMajor)
        let array = try NumPyArray(npyBytes: bytes)
        XCTAssertEqual(array.shape, [2, 3])
        XCTAssertEqual(try array.uint8s, [0, 1, 2, 3, 4, 5])

        // y: (2 x 3 x 4), element [i, j, k] = 100i + 10j + k, stored column-major (i fastest)
        var columnMajorValues: [Int64] = []
        for k in 0..<4 { for j in 0..<3 { for i in 0..<2 { columnMajorValues.append(Int64(100 * i + 10 * j + k)) } } }
        let raw = columnMajorValues.withUnsafeBytes { [UInt8]($0) }
        let y = try NumPyArray(npyBytes: handMadeNPY(
            header: "{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3, 4), }", data: raw))
        var expected: [Int64] = []
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { expected.append(Int64(100 * i + 10 * j + k)) } } }
        XCTAssertEqual(try y.int64s, expected)
    }

    // MARK: - Bad input: every case names the file and the problem

    func testBadMagic() throws {
        let url = scratch.appendingPathComponent("notes.npy")
        try Foundation.Data("hello, world".utf8).write(to: url)
        assertNumPyError(.badMagic, [url.path, "bad magic", "not an .npy file", "found 'hello,'"]) {
            try NumPyArray(contentsOf: url)
        }
        var bytes = try testArray(.float64, shape: [1]).npyBytes()
        bytes[6] = 4
        assertNumPyError(.badMagic, ["unsupported .npy format version 4.0"]) { try NumPyArray(npyBytes: bytes) }
    }

    func testMissingFile() {
        let url = scratch.appendingPathComponent("absent.npy")
        assertFileError(.notFound, path: url.path, ["cannot read"]) { try NumPyArray(contentsOf: url) }
    }

    func testTruncatedData() throws {
        let bytes = try testArray(.float64, shape: [2, 3]).npyBytes()
        assertNumPyError(.truncatedData, ["x.npy", "truncated data: shape [2, 3] of <f8 needs 48 bytes of data, found 40",
                                          "5 of 6 elements"]) {
            try NumPyArray(npyBytes: Array(bytes.dropLast(8)), file: "x.npy")
        }
        assertNumPyError(.truncatedData, ["found 51 (3 trailing bytes)"]) {
            try NumPyArray(npyBytes: bytes + [1, 2, 3])
        }
        assertNumPyError(.truncatedData, ["truncated header: declares 118 bytes, 20 present"]) {
            try NumPyArray(npyBytes: Array(bytes.prefix(30)))
        }
    }

    func testUnsupportedDTypes() {
        for descr in ["<f2", "<c16", "|O", "<U10", "|S4", "<u4", "|f8", "f8"] {
            let bytes = handMadeNPY(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }",
                                    data: [UInt8](repeating: 0, count: 16))
            assertNumPyError(.unsupportedDType, ["unsupported dtype '\(descr)'", "supported: <f8, <f4"]) {
                try NumPyArray(npyBytes: bytes, file: "d.npy")
            }
        }
        let structured = handMadeNPY(
            header: "{'descr': [('x', '<f8'), ('y', '<i4')], 'fortran_order': False, 'shape': (1,), }")
        assertNumPyError(.unsupportedDType, ["structured dtypes are not supported"]) {
            try NumPyArray(npyBytes: structured)
        }
    }

    func testMalformedHeaders() {
        let cases: [(header: String, fragment: String)] = [
            ("{'descr': '<f8', 'fortran_order': False}", "missing key 'shape'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key 'extra'"),
            ("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", "duplicate key 'descr'"),
            ("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", "'fortran_order' is not True or False"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}", "'shape' is not a tuple"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,)}", "not an integer"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': ('a',)}", "'shape' holds a non-integer"),
            ("{'descr': 8, 'fortran_order': False, 'shape': (1,)}", "'descr' is not a string"),
            ("['descr', '<f8']", "expected a dictionary"),
            ("{'descr': '<f8', 'fortran_order': Falsey, 'shape': (1,)}", "unexpected 'F'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,) garbage", "expected ',' or '}'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} trailing", "unexpected text after"),
            ("{'descr': '<f8", "unterminated string"),
            ("", "unexpected end"),
            (String(repeating: "(", count: 40), "nesting too deep"),
        ]
        for (header, fragment) in cases {
            assertNumPyError(.malformedHeader, ["h.npy", "malformed header", fragment]) {
                try NumPyArray(npyBytes: handMadeNPY(header: header, data: [UInt8](repeating: 0, count: 8)),
                               file: "h.npy")
            }
        }
        // A header without the final newline
        var bytes = try! testArray(.float64, shape: [1]).npyBytes()
        let newline = 10 + (Int(bytes[8]) | Int(bytes[9]) << 8) - 1
        bytes[newline] = 0x20
        assertNumPyError(.malformedHeader, ["does not end with a newline"]) { try NumPyArray(npyBytes: bytes) }
    }

    func testNegativeAndAbsurdShapes() {
        let cases: [(shape: String, fragment: String)] = [
            ("(-1, 3)", "negative dimension -1"),
            ("(99999999999, 99999999999)", "element count that overflows"),
            ("(123456789012345678901234567890,)", "does not fit in 64 bits"),
            ("(" + String(repeating: "1, ", count: 65) + ")", "65 dimensions"),
        ]
        for (shape, fragment) in cases {
            let bytes = handMadeNPY(header: "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }")
            assertNumPyError(.invalidShape, ["s.npy", fragment]) { try NumPyArray(npyBytes: bytes, file: "s.npy") }
        }
    }

    func testInvalidBoolByte() {
        let bytes = handMadeNPY(header: "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", data: [0, 1, 9])
        assertNumPyError(.invalidValue, ["b.npy", "bool element 2 holds byte 9"]) {
            try NumPyArray(npyBytes: bytes, file: "b.npy")
        }
    }

    // MARK: - Fuzz: never crash, always a NumPyError

    func testEveryTruncationFailsCleanly() throws {
        let bytes = try testArray(.float32, shape: [3, 5]).npyBytes()
        for length in 0..<bytes.count {
            assertNumPyError(.truncatedData, ["truncated"]) { try NumPyArray(npyBytes: Array(bytes.prefix(length))) }
        }
    }

    func testByteFlipsNeverCrash() throws {
        let original = try testArray(.int64, shape: [2, 4])
        let bytes = original.npyBytes()
        let dataOffset = bytes.count - original.bytes.count
        for position in 0..<bytes.count {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[position] ^= mask
                do {
                    let array = try NumPyArray(npyBytes: damaged)
                    // Only flips in the data can leave a readable file.
                    XCTAssertTrue(position >= dataOffset || array == original, "flip at \(position)")
                } catch is NumPyError {
                } catch {
                    XCTFail("flip at \(position): unexpected \(error)")
                }
            }
        }
    }

    // MARK: - Atomic writes

    func testWriteReplacesAtomicallyAndLeavesNoTemporaries() throws {
        let url = scratch.appendingPathComponent("a.npy")
        try testArray(.float64, shape: [4]).write(to: url)
        try testArray(.int32, shape: [2, 2]).write(to: url)
        XCTAssertEqual(try NumPyArray(contentsOf: url), try testArray(.int32, shape: [2, 2]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["a.npy"])
    }

    func testFailedWriteLeavesNothingBehind() throws {
        // Renaming a file over a non-empty directory fails after the temporary file is written.
        let blocker = scratch.appendingPathComponent("blocked.npy")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
        try Foundation.Data([1]).write(to: blocker.appendingPathComponent("keep"))
        assertFileError(.writeFailed, path: blocker.path, ["cannot rename temporary file into place"]) {
            try testArray(.float64, shape: [4]).write(to: blocker)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["blocked.npy"])

        let nowhere = scratch.appendingPathComponent("missing/dir/x.npy")
        assertFileError(.writeFailed, path: nowhere.path, ["cannot create temporary file"]) {
            try testArray(.float64, shape: [4]).write(to: nowhere)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["blocked.npy"])
    }
}
