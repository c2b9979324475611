import XCTest
@testable import NeuralCore

final class SafetensorsTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Bytes of a safetensors file with the given header text and data section.
    func fileBytes(header: String, data: [UInt8]) -> Data {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: data)
        return bytes
    }

    func expectError(_ bytes: Data, file: StaticString = #filePath, line: UInt = #line,
                     _ check: (CheckpointError) -> Bool) {
        do {
            _ = try SafetensorsFile.decode(bytes, file: "test.safetensors")
            XCTFail("no error", file: file, line: line)
        } catch let error as CheckpointError {
            XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix("test.safetensors: "), "\(error)", file: file, line: line)
        } catch {
            XCTFail("not a CheckpointError: \(error)", file: file, line: line)
        }
    }

    func testRoundTripKeepsOrderShapesValuesAndMetadata() throws {
        let contents = SafetensorsFile(tensors: [(name: "b", tensor: Tensor(shape: [2, 3]) { Float($0) - 2.5 }),
                                                 (name: "a", tensor: Tensor(shape: [1], scalars: [.pi])),
                                                 (name: "empty", tensor: Tensor(shape: [0, 4]))],
                                       metadata: ["note": "quote \" and \\ and\nnewline", "x": "1"])
        let url = directory.appendingPathComponent("round.safetensors")
        try contents.write(to: url)
        XCTAssertEqual(try SafetensorsFile.read(from: url), contents)
        // Header padded to 8 bytes, as the reference implementation does.
        let bytes = try Data(contentsOf: url)
        XCTAssertEqual(bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 8, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["round.safetensors"],
                       "temporary file left behind")
    }

    func testFileShorterThanHeaderLength() {
        expectError(Data([1, 2, 3])) { if case .truncated = $0 { return true }; return false }
    }

    func testHeaderLengthPastEnd() {
        var bytes = fileBytes(header: "{}", data: [])
        bytes[0] = 0xFF; bytes[1] = 0xFF
        expectError(bytes) { if case .headerLengthPastEnd(_, 65535, 10) = $0 { return true }; return false }
    }

    func testTruncatedDataNamesTensor() {
        let header = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        let bytes = fileBytes(header: header, data: [UInt8](repeating: 0, count: 12))
        expectError(bytes) { if case .truncated(_, let reason) = $0 { return reason.contains("'w'") }; return false }
    }

    func testWrongDTypeNamesTensor() {
        let header = #"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        expectError(fileBytes(header: header, data: [0, 0, 0, 0])) {
            $0 == .unsupportedDType(file: "test.safetensors", tensor: "w", dtype: "F16")
        }
    }

    func testOffsetsThatDisagreeWithShape() {
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        expectError(fileBytes(header: header, data: [UInt8](repeating: 0, count: 8))) {
            if case .badDataOffsets(_, "w", _) = $0 { return true }; return false
        }
    }

    func testOverlappingTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        expectError(fileBytes(header: header, data: [UInt8](repeating: 0, count: 8))) {
            if case .badDataOffsets(_, "b", _) = $0 { return true }; return false
        }
    }

    func testMalformedHeaders() {
        for header in ["not json", "[1, 2]", #"{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,4]}}"#,
                       #"{"w":{"dtype":"F32","shape":[1]}}"#, #"{"__metadata__":{"k":1}}"#] {
            expectError(fileBytes(header: header, data: [0, 0, 0, 0])) {
                if case .malformedHeader = $0 { return true }; return false
            }
        }
    }

    func testTrailingBytesAreRejected() {
        let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        expectError(fileBytes(header: header, data: [UInt8](repeating: 0, count: 8))) {
            if case .malformedHeader = $0 { return true }; return false
        }
    }

    func testUnreadableFile() {
        XCTAssertThrowsError(try SafetensorsFile.read(from: directory.appendingPathComponent("absent.safetensors"))) {
            guard case .unreadable(let file, _) = $0 as? CheckpointError else { return XCTFail("\($0)") }
            XCTAssertTrue(file.hasSuffix("absent.safetensors"))
        }
    }
}
