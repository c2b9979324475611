import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

/// Issue 18: checkpoint metadata validated before use, bounded sizes, runs that know their data,
/// resumes whose metrics match, and no stale model or leftovers after a kill.
final class TrainerHardeningTests: XCTestCase {
    func walkFolder(stateSize: Int = 2, robot: String? = nil) throws -> URL {
        let folder = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 8, steps: 10, stateSize: stateSize, seed: 1),
                                         test: Fixtures.randomWalk(episodes: 2, steps: 10, stateSize: stateSize, seed: 2))
        if let robot {
            try Data(#"{"robot": "\#(robot)", "model_sha256": "\#(robot)-hash"}"#.utf8).write(to: folder.appendingPathComponent("meta.json"))
        }
        return folder
    }

    /// A trained model file with metadata key `key` replaced through `edit`.
    func tamperedModel(_ edit: (inout [String: String]) throws -> Void) throws -> URL {
        let out = try Fixtures.temporaryDirectory()
        var configuration = TrainerTests.smallConfiguration()
        configuration.optimization.steps = 2
        _ = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: try walkFolder(), outputDirectory: out).run()
        let url = out.appendingPathComponent("model.safetensors")
        var file = try SafetensorsFile.read(from: url)
        try edit(&file.metadata)
        try file.write(to: url)
        return url
    }

    func editConfiguration(_ change: @escaping (inout [String: Any]) -> Void) -> (inout [String: String]) throws -> Void {
        { metadata in
            var configuration = try JSONSerialization.jsonObject(with: Data(metadata["configuration"]!.utf8)) as! [String: Any]
            var model = configuration["model"] as! [String: Any]
            change(&model)
            configuration["model"] = model
            metadata["configuration"] = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        }
    }

    func assertLoadFails(_ url: URL, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TrajectoryEnergyModel.load(from: url), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line)
        }
    }

    /// Before issue 18: horizon 1e6 hit a precondition, hiddenWidth 1e9 aborted allocating 4e18 bytes.
    func testCheckpointMetadataIsValidatedBeforeAModelIsBuilt() throws {
        assertLoadFails(try tamperedModel(editConfiguration { $0["horizon"] = 1_000_000 }), "model.horizon 1000000 must be in 1...4096")
        assertLoadFails(try tamperedModel(editConfiguration { $0["horizon"] = 3 }), "does not match the configuration")
        assertLoadFails(try tamperedModel(editConfiguration { $0["hiddenWidth"] = 1_000_000_000 }), "model.hiddenWidth 1000000000 must be in 1...16384")
        assertLoadFails(try tamperedModel(editConfiguration { $0["hiddenWidth"] = 16384 }), "the file stores")
        // a window encoding whose width would overflow
        assertLoadFails(try tamperedModel { metadata in
            metadata["window_encoding"] = metadata["window_encoding"]!.replacingOccurrences(of: #""stateSize":2"#, with: #""stateSize":4611686018427387904"#)
        }, "window_encoding is missing or inconsistent")
    }

    func testConfigurationSizesHaveUpperBoundsWithTheMemoryNeeded() {
        var c = TrainerTests.smallConfiguration()
        c.model.hiddenWidth = 100_000
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("must be in 1...16384 (its weights alone would need"), "\($0)") }
        c = TrainerTests.smallConfiguration()
        c.langevin.steps = 1_000_000_000
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("langevin.steps 1000000000 must be in 0...100000"), "\($0)") }
        c = TrainerTests.smallConfiguration()
        (c.model.hiddenWidth, c.model.depth, c.model.ensemble) = (16384, 100, 64)
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("above the 16 GB limit"), "\($0)") }
    }

    /// Interrupted inside a logging interval (step 17 of intervals of 5), the resumed run writes the
    /// same model.safetensors bytes and metrics lines (but their wall-clock fields) as an uninterrupted one.
    func testResumedRunIsByteIdenticalMetricsIncluded() throws {
        let data = try walkFolder(robot: "walker")
        for kind in ModelKind.allCases {
            let configuration = TrainerTests.smallConfiguration()
            let straight = try Fixtures.temporaryDirectory(), resumed = try Fixtures.temporaryDirectory()
            XCTAssertEqual(try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: straight).run(), .finished)
            var calls = 0
            XCTAssertEqual(try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: resumed)
                .run(shouldStop: { calls += 1; return calls > 17 }), .interrupted(step: 17))
            XCTAssertEqual(try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: resumed).run(), .finished)
            for name in ["model.safetensors", "config.json"] {
                XCTAssertEqual(try Data(contentsOf: straight.appendingPathComponent(name)), try Data(contentsOf: resumed.appendingPathComponent(name)),
                               "\(kind): \(name)")
            }
            // metrics lines byte for byte, but for when they were written (wall_s, time)
            func metrics(_ run: URL) throws -> String {
                try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
                    .replacingOccurrences(of: #",\"wall_s\":[0-9.]+,\"time\":[0-9.]+"#, with: "", options: .regularExpression)
            }
            let expected = try metrics(straight)
            XCTAssertEqual(expected, try metrics(resumed), "\(kind): metrics.jsonl")
            XCTAssertFalse(expected.contains("wall_s"))
            XCTAssertTrue(expected.contains("\"step\""))
        }
    }

    func testIntervalEncodingIsExactAndRejectsGarbage() {
        let list = [TrainingMetrics(step: 3, loss: 0.1, energyData: -1e-300, energySamples: .pi, langevinGradientNorm: 2, replayAge: 0,
                                    gradientNorm: 7.25, learningRate: 1e-3)]
        XCTAssertEqual(Trainer.decodeInterval(Trainer.encodeInterval(list)), list)
        XCTAssertEqual(Trainer.decodeInterval(""), [])
        XCTAssertNil(Trainer.decodeInterval("1,2,3"))
        XCTAssertNil(Trainer.decodeInterval(Array(repeating: String(Double.nan.bitPattern, radix: 16), count: 8).joined(separator: ",")))
    }

    /// A kill leaves temporary files, unpaired checkpoint files and a half-written metrics line;
    /// the next run removes them. A fresh run into an old run's folder first removes its model.
    func testLeftoversOfKilledRunsAndStaleModelsAreRemoved() throws {
        let data = try walkFolder()
        let configuration = TrainerTests.smallConfiguration()
        let out = try Fixtures.temporaryDirectory()
        var calls = 0
        _ = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: data, outputDirectory: out).run(shouldStop: { calls += 1; return calls > 12 })
        let checkpoints = out.appendingPathComponent("checkpoints")
        for name in [".step-00000013.safetensors.tmp-123-456", "step-00000020.state.safetensors"] {
            try Data("x".utf8).write(to: checkpoints.appendingPathComponent(name))
        }
        try Data("x".utf8).write(to: out.appendingPathComponent(".metrics.jsonl.tmp-ABC"))
        let handle = try FileHandle(forWritingTo: out.appendingPathComponent("metrics.jsonl"))
        try handle.seekToEnd(); try handle.write(contentsOf: Data(#"{"event":"train","step":1"#.utf8)); try handle.close()
        _ = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: data, outputDirectory: out).run()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).sorted(),
                       ["step-00000020.safetensors", "step-00000020.state.safetensors", "step-00000030.safetensors", "step-00000030.state.safetensors"])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: out.path).contains { $0.hasPrefix(".") })
        let lines = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.allSatisfy { $0.hasSuffix("}") }, "\(lines)")

        // retraining from scratch (checkpoints gone) must not leave the old model beside a new config
        try FileManager.default.removeItem(at: checkpoints)
        var other = configuration
        other.optimization.learningRate *= 2
        calls = 0
        _ = try Trainer(kind: .ebm, configuration: other, dataDirectory: data, outputDirectory: out).run(shouldStop: { calls += 1; return calls > 3 })
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
    }

    /// Before issue 18 a run resumed on another robot's data of the same width, and train/test splits
    /// of different widths trained with exit 0.
    func testRunsKnowTheirDataAndSplitsMustMatch() throws {
        let configuration = TrainerTests.smallConfiguration()
        let out = try Fixtures.temporaryDirectory()
        var calls = 0
        _ = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: try walkFolder(robot: "reacher2"), outputDirectory: out)
            .run(shouldStop: { calls += 1; return calls > 10 })
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: configuration, dataDirectory: try walkFolder(robot: "pointmass2d"), outputDirectory: out)) {
            XCTAssertTrue("\($0)".contains("was trained on reacher2 data") && "\($0)".contains("holds pointmass2d"), "\($0)")
        }
        let model = try CheckpointMetadata.read(out.appendingPathComponent("checkpoints/step-00000010.safetensors"))
        XCTAssertEqual(model.dataset, DatasetIdentity(robot: "reacher2", modelHash: "reacher2-hash"))
        XCTAssertThrowsError(try model.requireRobot(ofDataset: try walkFolder(robot: "pointmass2d"), file: "m")) {
            XCTAssertTrue("\($0)".contains("trained on reacher2 data; the dataset"), "\($0)")
        }
        XCTAssertNoThrow(try model.requireRobot(ofDataset: try walkFolder(robot: "reacher2"), file: "m"))
        XCTAssertNoThrow(try model.requireRobot(ofDataset: try walkFolder(), file: "m"))   // hand-made data: unknown
        XCTAssertThrowsError(try model.requireRobot("arm7", file: "m"))
        // the same name with another MJCF text warns (a physics variant, an edited file); the same MJCF text
        // under another path passes; another MJCF under another path is refused
        XCTAssertTrue(try XCTUnwrap(try model.requireRobot("reacher2", file: "m")).contains("another MJCF of reacher2"))
        var real = model
        real.dataset = DatasetIdentity(robot: "reacher2", modelHash: SHA256.hex(try DatasetGenerator.modelText("reacher2")))
        XCTAssertNil(try real.requireRobot("reacher2", file: "m"))
        let folder = try Fixtures.temporaryDirectory()
        let copy = folder.appendingPathComponent("my-reacher.xml"), other = folder.appendingPathComponent("my-arm.xml")
        try Data(try DatasetGenerator.modelText("reacher2")).write(to: copy)
        try Data(try DatasetGenerator.modelText("arm7")).write(to: other)
        XCTAssertNil(try real.requireRobot(copy.path, file: "m"))
        XCTAssertThrowsError(try real.requireRobot(other.path, file: "m")) { XCTAssertTrue("\($0)".contains("trained on reacher2 data"), "\($0)") }

        // RunFolder.requireSameRobot (every model-reading command's first check): runs by path, nil skipped,
        // a dataset folder or an .npz in one, warnings to `warn`
        let checkpoint = out.appendingPathComponent("checkpoints/step-00000010.safetensors").path
        var warnings: [String] = []
        XCTAssertNoThrow(try RunFolder.requireSameRobot([checkpoint, nil], data: try walkFolder(robot: "reacher2").path, robot: "reacher2") { warnings.append($0) })
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings.first?.contains("another MJCF of reacher2") == true, "\(warnings)")
        XCTAssertThrowsError(try RunFolder.requireSameRobot([checkpoint], data: try walkFolder(robot: "pointmass2d").appendingPathComponent("test.npz").path)) {
            XCTAssertTrue("\($0)".contains("trained on reacher2 data; the dataset"), "\($0)")
        }
        XCTAssertThrowsError(try RunFolder.requireSameRobot([nil, out.path])) { XCTAssertEqual($0 as? RunFolderError, .unfinished(path: out.path)) }

        let mixed = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 8, steps: 10, stateSize: 2, seed: 1),
                                        test: Fixtures.randomWalk(episodes: 2, steps: 10, stateSize: 3, seed: 2))
        XCTAssertThrowsError(try Trainer(kind: .feedforward, configuration: configuration, dataDirectory: mixed, outputDirectory: try Fixtures.temporaryDirectory())) {
            XCTAssertTrue("\($0)".contains("splits of different datasets"), "\($0)")
        }
    }

    /// Before issue 18 a 1e300 in the data surfaced as a divergence blamed on the learning rate.
    func testAbsurdStateValuesAreBlamedOnTheData() throws {
        var train = Fixtures.randomWalk(episodes: 8, steps: 10, stateSize: 2, seed: 1)
        train.states[5 * 11 * 2 + 3 * 2 + 1] = 1e300
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: TrainerTests.smallConfiguration(), dataDirectory: try Fixtures.folder(train: train),
                                         outputDirectory: try Fixtures.temporaryDirectory())) {
            XCTAssertTrue("\($0)".contains("state 1 of episode 5, step 3 is 1e+300"), "\($0)")
        }
    }

    /// Before issue 18 valid JSON with "seed": -1 was called "malformed JSON".
    func testANegativeSeedIsNamedNotCalledMalformed() {
        XCTAssertThrowsError(try TrainingConfiguration.decode(Data(#"{"seed": -1}"#.utf8), file: "c.json")) {
            XCTAssertEqual("\($0)", "c.json: seed: must be an integer in 0...18446744073709551615, found -1")
        }
    }

    func testHugeGoalLabelsAreRefused() throws {
        var train = Fixtures.randomWalk(episodes: 8, steps: 10, stateSize: 2, seed: 1)
        train.goal = [Int64](repeating: 0, count: 8)
        train.goal[3] = 1_000_000_000_000_000
        var configuration = TrainerTests.smallConfiguration()
        configuration.model.conditionOnGoal = true
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: configuration, dataDirectory: try Fixtures.folder(train: train),
                                         outputDirectory: try Fixtures.temporaryDirectory())) {
            XCTAssertTrue("\($0)".contains("goal label 1000000000000000 is above the limit"), "\($0)")
        }
    }
}
