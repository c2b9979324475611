import XCTest
@testable import NeuralCore

final class CheckpointTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// One of every layer kind. Widths 12 → … → 1; the convolution sees 4 steps of 3 channels.
    func makeModel(seed: UInt64) -> Sequential {
        Sequential([TemporalConvolution(length: 4, inputChannels: 3, outputChannels: 2, kernelSize: 3),
                    Linear(inputWidth: 8, outputWidth: 16), SiLU(width: 16),
                    ResidualBlock(width: 16, hiddenWidth: 8), LayerNorm(width: 16), Tanh(width: 16),
                    SpectralNormLinear(inputWidth: 16, outputWidth: 8), LeakyReLU(width: 8, negativeSlope: 0.1),
                    Linear(inputWidth: 8, outputWidth: 1)], seed: seed)
    }

    let normalization = InputNormalization(mean: (0..<12).map { Float($0) * 0.1 },
                                           standardDeviation: (0..<12).map { 1 + Float($0) * 0.01 })

    func testRoundTripRebuildsTheSameModel() throws {
        let model = makeModel(seed: 1)
        _ = model.forward(randomTensor([3, 12], seed: 2), training: true)  // advance u, v
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(model, to: url, normalization: normalization, metadata: ["step": "17"])

        let (loaded, contents) = try Checkpoint.loadModel(from: url)
        XCTAssertEqual(contents.architecture, model.architecture)
        XCTAssertEqual(contents.normalization, normalization)
        XCTAssertEqual(contents.metadata, ["step": "17"])
        XCTAssertEqual(loaded.parameters.scalars, model.parameters.scalars)
        let input = randomTensor([5, 12], seed: 3)
        XCTAssertEqual(loaded.forward(input), model.forward(input))

        // Loading into an existing model of the same architecture.
        let other = makeModel(seed: 99)
        try Checkpoint.load(from: url, into: other)
        XCTAssertEqual(other.parameters.scalars, model.parameters.scalars)
    }

    func testOverwriteIsAtomicAndLeavesNoTemporaryFile() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(makeModel(seed: 1), to: url)
        try Checkpoint.save(makeModel(seed: 2), to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"])
        XCTAssertEqual(try Checkpoint.loadModel(from: url).model.parameters.scalars,
                       makeModel(seed: 2).parameters.scalars)
    }

    func testWriteIntoMissingDirectoryFails() {
        let url = directory.appendingPathComponent("absent/model.safetensors")
        XCTAssertThrowsError(try Checkpoint.save(makeModel(seed: 1), to: url)) {
            guard case .writeFailed(let file, _) = $0 as? CheckpointError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, url.path)
        }
    }

    // MARK: - Bad input

    /// Loads `url` into `model` and checks the error; the model must be unchanged.
    func expectLoadError(_ url: URL, into model: Sequential, file: StaticString = #filePath, line: UInt = #line,
                         _ check: (CheckpointError) -> Bool) {
        let before = model.parameters.scalars
        do {
            try Checkpoint.load(from: url, into: model)
            XCTFail("no error", file: file, line: line)
        } catch let error as CheckpointError {
            XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains(url.path), "error does not name the file: \(error)", file: file, line: line)
        } catch {
            XCTFail("not a CheckpointError: \(error)", file: file, line: line)
        }
        XCTAssertEqual(model.parameters.scalars, before, "model changed by a failed load", file: file, line: line)
    }

    func testTruncatedCheckpoint() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(makeModel(seed: 1), to: url)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 10).write(to: url)
        expectLoadError(url, into: makeModel(seed: 2)) {
            if case .truncated(_, let reason) = $0 { return reason.contains("'layers.8.weight'") }; return false
        }
    }

    func testShapeMismatchNamesTensor() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(Sequential([Linear(inputWidth: 4, outputWidth: 3)]), to: url)
        expectLoadError(url, into: Sequential([Linear(inputWidth: 5, outputWidth: 3)])) {
            $0 == .shapeMismatch(file: url.path, tensor: "layers.0.weight", found: [3, 4], expected: [3, 5])
        }
    }

    func testNaNNamesTensor() throws {
        let model = makeModel(seed: 1)
        let view = model.parameterLayout.view(named: "layers.3.fc2.weight")!
        model.parameters.storage[view.offset + 5] = .nan
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(model, to: url)
        expectLoadError(url, into: makeModel(seed: 2)) {
            if case .nonFiniteValue(_, "layers.3.fc2.weight", 5, let value) = $0 { return value.isNaN }; return false
        }
    }

    func testMissingAndUnexpectedTensors() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        let model = Sequential([Linear(inputWidth: 2, outputWidth: 2)])
        try Checkpoint.save(model, to: url)
        var file = try SafetensorsFile.read(from: url)
        file.tensors.removeAll { $0.name == "layers.0.bias" }
        try file.write(to: url)
        expectLoadError(url, into: model) { $0 == .missingTensor(file: url.path, tensor: "layers.0.bias") }

        try Checkpoint.save(model, to: url)
        file = try SafetensorsFile.read(from: url)
        file.tensors.append((name: "extra", tensor: Tensor(shape: [1], scalars: [0])))
        try file.write(to: url)
        expectLoadError(url, into: model) { $0 == .unexpectedTensor(file: url.path, tensor: "extra") }
    }

    func testArchitectureAndFormatMismatches() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        // Same tensors, different activation slope: only the architecture tells them apart.
        try Checkpoint.save(Sequential([Linear(inputWidth: 2, outputWidth: 2), LeakyReLU(width: 2, negativeSlope: 0.1)]), to: url)
        expectLoadError(url, into: Sequential([Linear(inputWidth: 2, outputWidth: 2), LeakyReLU(width: 2, negativeSlope: 0.2)])) {
            if case .badMetadata = $0 { return true }; return false
        }
        // A plain safetensors file without our metadata.
        try SafetensorsFile(tensors: [(name: "layers.0.weight", tensor: Tensor(shape: [2, 2]))]).write(to: url)
        expectLoadError(url, into: Sequential([Linear(inputWidth: 2, outputWidth: 2)])) {
            if case .badMetadata(_, let reason) = $0 { return reason.contains("format") }; return false
        }
    }

    func testHeaderLengthPastEndAndWrongDType() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        let model = Sequential([Linear(inputWidth: 2, outputWidth: 2)])
        try Checkpoint.save(model, to: url)
        var bytes = try Data(contentsOf: url)
        bytes[6] = 1  // header length += 2^48
        try bytes.write(to: url)
        expectLoadError(url, into: model) { if case .headerLengthPastEnd = $0 { return true }; return false }

        try Checkpoint.save(model, to: url)
        bytes = try Data(contentsOf: url)
        // Same length, so offsets stay valid; patched at the byte level (the data is binary).
        let range = try XCTUnwrap(bytes.range(of: Data(#""layers.0.bias":{"dtype":"F32""#.utf8)))
        bytes.replaceSubrange(range, with: Data(#""layers.0.bias":{"dtype":"I32""#.utf8))
        try bytes.write(to: url)
        expectLoadError(url, into: model) { $0 == .unsupportedDType(file: url.path, tensor: "layers.0.bias", dtype: "I32") }
    }
}
