import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

final class TrainerTests: XCTestCase {
    static func smallConfiguration() -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.seed = 3
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (2, 2, 16, 2)
        (c.optimization.steps, c.optimization.batchSize) = (30, 16)
        (c.langevin.steps, c.replay.capacity) = (5, 100)
        (c.checkpointEvery, c.logEvery) = (10, 5)
        return c
    }

    func walkFolder(stateSize: Int = 2) throws -> URL {
        try Fixtures.folder(train: Fixtures.randomWalk(episodes: 8, steps: 10, stateSize: stateSize, seed: 1),
                            test: Fixtures.randomWalk(episodes: 2, steps: 10, stateSize: stateSize, seed: 2))
    }

    /// Interrupting at step 17 (checkpoint) and resuming in a new Trainer ends with the same
    /// bits as one uninterrupted run, for both model kinds; the saved model loads back.
    func testResumeIsBitIdentical() throws {
        let data = try walkFolder()
        for kind in ModelKind.allCases {
            let configuration = Self.smallConfiguration()
            let straight = try Fixtures.temporaryDirectory(), resumed = try Fixtures.temporaryDirectory()
            let a = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: straight)
            XCTAssertEqual(try a.run(), .finished)

            var calls = 0
            let b1 = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: resumed)
            XCTAssertEqual(try b1.run(shouldStop: { calls += 1; return calls > 17 }), .interrupted(step: 17))
            let b2 = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: resumed)
            XCTAssertEqual(b2.startStep, 17)
            XCTAssertEqual(try b2.run(), .finished)

            XCTAssertEqual(a.network.parameters.scalars, b2.network.parameters.scalars, "\(kind): resumed parameters differ")
            let fileA = try SafetensorsFile.read(from: straight.appendingPathComponent("model.safetensors"))
            let fileB = try SafetensorsFile.read(from: resumed.appendingPathComponent("model.safetensors"))
            // Same tensors and metadata (the architecture and normalization entries also compared decoded;
            // TrainerHardeningTests compares the whole files byte for byte).
            XCTAssertTrue(zip(fileA.tensors, fileB.tensors).allSatisfy { $0.name == $1.name && $0.tensor == $1.tensor })
            let unordered: Set<String> = ["architecture", "normalization"]
            XCTAssertEqual(fileA.metadata.filter { !unordered.contains($0.key) }, fileB.metadata.filter { !unordered.contains($0.key) })
            XCTAssertEqual(try JSONDecoder().decode(InputNormalization.self, from: Data(fileA.metadata["normalization"]!.utf8)),
                           try JSONDecoder().decode(InputNormalization.self, from: Data(fileB.metadata["normalization"]!.utf8)))
            let decode = { (f: SafetensorsFile) in try JSONDecoder().decode([LayerArchitecture].self, from: Data(f.metadata["architecture"]!.utf8)) }
            XCTAssertEqual(try decode(fileA), try decode(fileB))
            let metricsA = try String(contentsOf: straight.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            XCTAssertEqual(metricsA.split(separator: "\n").count, 6)
            // Only the two latest checkpoint pairs are kept.
            let kept = try FileManager.default.contentsOfDirectory(atPath: straight.appendingPathComponent("checkpoints").path).sorted()
            XCTAssertEqual(kept, ["step-00000020.safetensors", "step-00000020.state.safetensors",
                                  "step-00000030.safetensors", "step-00000030.state.safetensors"])

            // Round trip: the saved model gives the trained network's outputs.
            let url = straight.appendingPathComponent("model.safetensors")
            let rows = (0..<(4 * a.encoding.width)).map { Float($0 % 7) * 0.3 - 1 }
            switch kind {
            case .ebm:
                let (loaded, meta) = try TrajectoryEnergyModel.load(from: url)
                XCTAssertEqual(meta.step, 30)
                XCTAssertEqual(meta.configuration, configuration)
                XCTAssertEqual(loaded.energies(rows: rows), a.energyModel!.energies(rows: rows))
            case .feedforward:
                let (loaded, _) = try FeedforwardPredictor.load(from: url)
                let context = (0..<(4 * a.encoding.contextWidth)).map { Float($0) * 0.1 }
                XCTAssertEqual(loaded.predict(context: context), a.predictor!.predict(context: context))
            }
        }
    }

    func testBadConfigurationsNameTheFileAndKey() throws {
        let cases: [(String, String)] = [
            (#"{"model": {"widht": 3}}"#, "unknown key 'model.widht'"),
            (#"{"optimization": {"steps": "many"}}"#, "optimization.steps"),
            (#"{"replay": {"fraction": 2}}"#, "replay.fraction 2.0 must be in [0, 1]"),
            (#"{"seed": 1,"#, "malformed JSON"),
        ]
        let directory = try Fixtures.temporaryDirectory()
        for (index, (text, expected)) in cases.enumerated() {
            let url = directory.appendingPathComponent("bad\(index).train.json")
            try text.write(to: url, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try TrainingConfiguration.load(from: url)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(url.path + ": "), message)
                XCTAssertTrue(message.contains(expected), "\(message) lacks \(expected)")
                assertFileError(error, .malformed, path: url.path)
            }
        }
        XCTAssertThrowsError(try TrainingConfiguration.load(from: directory.appendingPathComponent("missing.json"))) { error in
            XCTAssertTrue("\(error)".contains("missing.json: cannot read"), "\(error)")
            assertFileError(error, .notFound, path: directory.appendingPathComponent("missing.json").path)
        }
        // a folder where the file should be: there, but not readable as a file
        XCTAssertThrowsError(try TrainingConfiguration.load(from: directory)) { assertFileError($0, .unreadable, path: directory.path) }
        // a configuration built in memory has no file: its own case
        var inMemory = TrainingConfiguration()
        inMemory.replay.fraction = 2
        XCTAssertThrowsError(try inMemory.validate()) {
            guard case .invalidConfiguration(let message)? = $0 as? TrainingError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.hasPrefix("replay.fraction 2.0"), message)
        }
    }

    func testBadDatasetsAndCheckpointsGiveClearErrors() throws {
        let configuration = Self.smallConfiguration()
        // No train.npz.
        let empty = try Fixtures.temporaryDirectory()
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: configuration, dataDirectory: empty, outputDirectory: empty)) { error in
            XCTAssertTrue("\(error)".hasPrefix(empty.appendingPathComponent("train.npz").path + ": no train.npz"), "\(error)")
            assertFileError(error, .notFound, path: empty.appendingPathComponent("train.npz").path)
        }
        // A file that is not an archive.
        let garbage = try Fixtures.temporaryDirectory()
        try Data("not a zip".utf8).write(to: garbage.appendingPathComponent("train.npz"))
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: configuration, dataDirectory: garbage, outputDirectory: garbage)) { error in
            XCTAssertTrue("\(error)".contains(garbage.appendingPathComponent("train.npz").path), "\(error)")
            assertFileError(error, .malformed, path: garbage.appendingPathComponent("train.npz").path)
        }
        // A run trained on 2-D states resumed on 3-D states.
        let out = try Fixtures.temporaryDirectory()
        _ = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: try walkFolder(), outputDirectory: out).run()
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: configuration, dataDirectory: try walkFolder(stateSize: 3),
                                         outputDirectory: out)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("step-00000030.safetensors") && message.contains("2 coordinates"), message)
            assertFileError(error, .mismatched, path: out.appendingPathComponent("checkpoints/step-00000030.safetensors").path)
        }
        // A different configuration in the same run folder.
        var other = configuration
        other.optimization.learningRate *= 2
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: other, dataDirectory: try walkFolder(), outputDirectory: out)) { error in
            XCTAssertTrue("\(error)".contains("different configuration"), "\(error)")
            assertFileError(error, .mismatched, path: out.appendingPathComponent("checkpoints/step-00000030.safetensors").path)
        }
        // A truncated checkpoint.
        let latest = out.appendingPathComponent("checkpoints/step-00000030.safetensors")
        let bytes = try Data(contentsOf: latest)
        try bytes.prefix(bytes.count / 2).write(to: latest)
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: configuration, dataDirectory: try walkFolder(), outputDirectory: out)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(latest.path + ": ") && message.contains("corrupted checkpoint"), message)
            assertFileError(error, .malformed, path: latest.path)
        }
    }
}
