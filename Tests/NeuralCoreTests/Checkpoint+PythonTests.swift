// Cross-checks with Python: a checkpoint written here loads in Python's safetensors (or, where
// that package is absent, a json + numpy reader of the format) with the same values, and a file
// written by Python loads here.

import XCTest
@testable import NeuralCore

final class CheckpointPythonTests: XCTestCase {
    /// Runs `python3 -c script arguments…`; returns (exit status, stdout, stderr), or nil when no
    /// python3 can be started.
    func runPython(_ script: String, _ arguments: [String]) -> (status: Int32, output: String, error: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        do { try process.run() } catch { return nil }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    func requireNumpy() throws {
        guard let probe = runPython("import numpy", []), probe.status == 0 else {
            throw XCTSkip("python3 with numpy is not available: cannot cross-check checkpoints with Python")
        }
    }

    static let readerScript = #"""
import json, struct, sys
import numpy as np
path = sys.argv[1]
try:
    from safetensors import safe_open
    from safetensors.numpy import load_file
    tensors = load_file(path)
    with safe_open(path, "np") as f:
        metadata = f.metadata()
    reader = "safetensors"
except ImportError:
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype="<f4").reshape(v["shape"])
               for k, v in header.items() if v["dtype"] == "F32"}
    reader = "json+numpy"
print(json.dumps({"reader": reader, "metadata": metadata,
                  "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape),
                                  "values": v.astype(np.float64).ravel().tolist()} for k, v in tensors.items()}}))
"""#

    func testPythonReadsOurCheckpoint() throws {
        try requireNumpy()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = Sequential([Linear(inputWidth: 5, outputWidth: 4), SiLU(width: 4),
                                SpectralNormLinear(inputWidth: 4, outputWidth: 1)], seed: 3)
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(model, to: url, normalization: InputNormalization(mean: [0, 1, 2, 3, 4], standardDeviation: [1, 1, 1, 1, 2]))

        let result = try XCTUnwrap(runPython(Self.readerScript, [url.path]))
        XCTAssertEqual(result.status, 0, result.error)
        struct Entry: Decodable { var dtype: String; var shape: [Int]; var values: [Double] }
        struct Report: Decodable { var reader: String; var metadata: [String: String]; var tensors: [String: Entry] }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.output.utf8))
        print("Python reader: \(report.reader)")
        XCTAssertEqual(Set(report.tensors.keys), Set(model.parameterLayout.views.map(\.name)))
        for view in model.parameterLayout.views {
            let entry = try XCTUnwrap(report.tensors[view.name])
            XCTAssertEqual(entry.dtype, "float32", view.name)
            XCTAssertEqual(entry.shape, view.shape, view.name)
            // Float32 → Python float → JSON → Double → Float32 is exact.
            XCTAssertEqual(entry.values.map { Float($0) }, model.parameters[view.name].scalars, view.name)
        }
        XCTAssertEqual(report.metadata["format"], Checkpoint.format)
        XCTAssertNotNil(report.metadata["architecture"])
        XCTAssertNotNil(report.metadata["normalization"])
    }

    static let writerScript = #"""
import json, struct, sys
import numpy as np
path, architecture = sys.argv[1], sys.argv[2]
tensors = {"layers.0.weight": (np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5) / 7,
           "layers.0.bias": np.array([0.25, -1e-3], dtype=np.float32)}
metadata = {"format": "energydynamics.neuralcore/1", "architecture": architecture}
try:
    from safetensors.numpy import save_file
    save_file(tensors, path, metadata=metadata)
except ImportError:
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, value in tensors.items():
        blob = value.astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob); blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
"""#

    func testWeReadPythonsCheckpoint() throws {
        try requireNumpy()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = Sequential([Linear(inputWidth: 3, outputWidth: 2)])
        let url = directory.appendingPathComponent("from-python.safetensors")
        let architecture = String(decoding: try JSONEncoder().encode(model.architecture), as: UTF8.self)
        let result = try XCTUnwrap(runPython(Self.writerScript, [url.path, architecture]))
        XCTAssertEqual(result.status, 0, result.error)
        try Checkpoint.load(from: url, into: model)
        XCTAssertEqual(model.parameters["layers.0.weight"].scalars, (0..<6).map { (Float($0) - 2.5) / 7 })
        XCTAssertEqual(model.parameters["layers.0.bias"].scalars, [0.25, -1e-3])
    }
}
