import XCTest
@testable import NeuralCore

/// Issue 18: hostile safetensors shapes are errors, not traps; checkpoints are byte-reproducible.
final class HostileCheckpointTests: XCTestCase {
    func bytes(header: String, data: Int) -> Data {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: [UInt8](repeating: 0, count: data))
        return bytes
    }

    /// Before issue 18, `shape.reduce(1, *)` trapped on these (SIGILL in every model loader).
    func testShapesWhoseSizeOverflowsAreMalformedHeaders() {
        for shape in ["[4294967296, 4294967296]", "[9223372036854775807, 2]", "[3037000500, 3037000500]", "[1048576, 1048576, 1048576]", "[1000000]"] {
            let header = #"{"w":{"dtype":"F32","shape":"# + shape + #","data_offsets":[0,16]}}"#
            XCTAssertThrowsError(try SafetensorsFile.decode(bytes(header: header, data: 16), file: "hostile.safetensors"), shape) { error in
                guard case CheckpointError.malformedHeader(_, let reason) = error else { return XCTFail("\(shape): \(error)") }
                XCTAssertTrue(reason.contains("more F32 values than the file"), reason)
            }
        }
        // a zero extent is a legal empty tensor
        XCTAssertNoThrow(try SafetensorsFile.decode(bytes(header: #"{"w":{"dtype":"F32","shape":[0, 5],"data_offsets":[0,0]}}"#, data: 0), file: "x"))
        XCTAssertEqual(SafetensorsFile.checkedByteCount([2, 3], limit: 100), 24)
        XCTAssertNil(SafetensorsFile.checkedByteCount([2, 3], limit: 23))
    }

    /// The architecture JSON has sorted keys, so identical models give identical files in every process
    /// (dictionary order is seeded per process: 4 different sha256 in 6 trainings before issue 18).
    func testArchitectureMetadataHasSortedKeys() throws {
        let model = Sequential(architecture: [.temporalConvolution(length: 3, inputChannels: 2, outputChannels: 2, kernelSize: 3),
                                              .layerNorm(width: 6, epsilon: 1e-5)])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sorted-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(model, to: url, normalization: InputNormalization(mean: [0, 1], standardDeviation: [1, 2]))
        let metadata = try SafetensorsFile.read(from: url).metadata
        XCTAssertTrue(metadata["architecture"]!.contains(#"{"inputChannels":2,"kernelSize":3,"length":3,"outputChannels":2}"#), metadata["architecture"]!)
        XCTAssertTrue(metadata["architecture"]!.contains(#"{"epsilon":"#), metadata["architecture"]!)
        XCTAssertTrue(metadata["normalization"]!.hasPrefix(#"{"mean":"#), metadata["normalization"]!)
    }
}
