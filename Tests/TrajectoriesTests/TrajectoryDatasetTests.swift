import XCTest
@testable import Trajectories

/// Reading dataset files: NumPy agrees with the Swift reader; damaged or wrong files are rejected
/// with the file, the array and the problem named, and writes leave nothing half-written.
final class TrajectoryDatasetTests: XCTestCase {
    var scratch: URL!
    var folder: URL!
    override func setUpWithError() throws {
        scratch = try makeScratchDirectory()
        folder = scratch.appendingPathComponent("tiny")
        try DatasetGenerator(recipe: committedRecipe("reacher2-tiny")).write(to: folder, projectVersion: "test")
    }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func testEpisodeSubsetsKeepEveryArrayInTheGivenOrder() throws {
        let train = try TrajectoryDataset(contentsOf: folder.appendingPathComponent("train.npz"))
        let picked = train.episodes([3, 0, 3])
        XCTAssertEqual(picked.episodes, 3)
        XCTAssertEqual(picked.goal, [train.goal[3], train.goal[0], train.goal[3]])
        XCTAssertEqual(picked.episodeSeed, [train.episodeSeed[3], train.episodeSeed[0], train.episodeSeed[3]])
        for t in [0, train.steps] { XCTAssertEqual(Array(picked.state(episode: 1, step: t)), Array(train.state(episode: 0, step: t))) }
        var joined = train.episodes([3])
        try joined.append(train.episodes([0]))
        try joined.append(train.episodes([3]))
        XCTAssertEqual(joined, picked)
        XCTAssertEqual(train.episodes(Array(0..<train.episodes)), train)
    }

    func testNumPyLoadsGeneratedFilesAndAgreesWithSwift() throws {
        let train = try TrajectoryDataset(contentsOf: folder.appendingPathComponent("train.npz"))
        let output = try Python.script("""
            import sys, json
            d = np.load(sys.argv[1])
            meta = json.load(open(sys.argv[2]))
            print(json.dumps({"names": list(d.files), "shapes": {k: list(d[k].shape) for k in d.files},
                              "dtypes": {k: d[k].dtype.str for k in d.files},
                              "s": float(d['states'][3, 7, 1]), "c": float(d['controls'][4, 2, 0]),
                              "site": float(d['sites'][1, 30, 0, 1]), "goal": d['goal'].tolist(),
                              "seed": int(d['episode_seed'][9]), "state_names": meta['state_names']}))
            """, [folder.appendingPathComponent("train.npz").path, folder.appendingPathComponent("meta.json").path])
        let json = try JSONValue.parse(Array(output.utf8))
        XCTAssertEqual(json["names"], .array(["states", "controls", "sites", "goal", "episode_seed"].map { .string($0) }))
        func shape(_ s: [Int]) -> JSONValue { .array(s.map { .number(Double($0), isInteger: true) }) }
        XCTAssertEqual(json["shapes"]?["states"], shape([10, 31, 4]))
        XCTAssertEqual(json["shapes"]?["controls"], shape([10, 30, 2]))
        XCTAssertEqual(json["shapes"]?["sites"], shape([10, 31, 1, 3]))
        XCTAssertEqual(json["dtypes"]?["goal"], .string("<i8"))
        XCTAssertEqual(json["s"], .number(train.states[(3 * 31 + 7) * 4 + 1], isInteger: false))
        XCTAssertEqual(json["c"], .number(train.controls[(4 * 30 + 2) * 2], isInteger: false))
        XCTAssertEqual(json["site"], .number(train.sites[(1 * 31 + 30) * 3 + 1], isInteger: false))
        XCTAssertEqual(json["goal"], .array(train.goal.map { .number(Double($0), isInteger: true) }))
        XCTAssertEqual(json["seed"], .number(Double(train.episodeSeed[9]), isInteger: true))
        XCTAssertEqual(json["state_names"], .array(["qpos.joint0", "qpos.joint1", "qvel.joint0", "qvel.joint1"].map { .string($0) }))
    }

    // MARK: - Bad files

    /// `TrajectoryDataset(contentsOf:stateSize:)`: errors name the file, why it does not read or the size it holds.
    func testReadingForAModelsStateSize() throws {
        let file = folder.appendingPathComponent("train.npz")
        let plain = try TrajectoryDataset(contentsOf: file)
        XCTAssertEqual(try TrajectoryDataset(contentsOf: file, stateSize: plain.stateSize), plain)
        XCTAssertThrowsError(try TrajectoryDataset(contentsOf: file, stateSize: plain.stateSize + 1)) { error in
            XCTAssertEqual(error as? DatasetError, .file(FileError(.mismatched, path: file.path, "states have \(plain.stateSize) numbers, the model reads \(plain.stateSize + 1)")))
        }
        let missing = scratch.appendingPathComponent("missing.npz")
        assertFileError(.notFound, path: missing.path, ["cannot read"]) { try TrajectoryDataset(contentsOf: missing, stateSize: 4) }
        // a dataset folder without the split: not found, naming the file the folder lacks
        let empty = scratch.appendingPathComponent("empty-dataset")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        assertFileError(.notFound, path: empty.appendingPathComponent("train.npz").path, ["no such file"]) { try TrajectoryDataset(folder: empty.path, split: .train) }
    }

    func testTruncatedAndCorruptArchives() throws {
        let url = folder.appendingPathComponent("train.npz")
        var bytes = try AtomicFile.read(url)
        let truncated = scratch.appendingPathComponent("truncated.npz")
        try AtomicFile.write(Array(bytes.prefix(bytes.count / 2)), to: truncated)
        assertThrows(["truncated.npz", "not a zip archive"]) { try TrajectoryDataset(contentsOf: truncated) }
        bytes[bytes.count / 3] ^= 0xFF
        let corrupt = scratch.appendingPathComponent("corrupt.npz")
        try AtomicFile.write(bytes, to: corrupt)
        assertThrows(["corrupt.npz", "checksum mismatch"]) { try TrajectoryDataset(contentsOf: corrupt) }
        assertThrows(["missing.npz", "cannot read"]) { try TrajectoryDataset(contentsOf: scratch.appendingPathComponent("missing.npz")) }
    }

    /// Rewrites train.npz with one array replaced, and expects the reader's error.
    func replaced(_ name: String, with array: NumPyArray, _ fragments: [String]) throws {
        let source = try NumPyArchive(contentsOf: folder.appendingPathComponent("train.npz"))
        var archive = NumPyArchive()
        for n in source.names { try archive.append(n == name ? array : source[n]!, named: n) }
        let url = scratch.appendingPathComponent("bad-\(name).npz")
        try archive.write(to: url)
        assertThrows(["bad-\(name).npz"] + fragments) { try TrajectoryDataset(contentsOf: url) }
    }

    func testWrongDTypeShapeNaNAndGoal() throws {
        try replaced("states", with: NumPyArray(floats: [Float](repeating: 0, count: 10 * 31 * 4), shape: [10, 31, 4]),
                     ["array 'states'", "has dtype <f4 (float32); expected <f8 (float64)"])
        try replaced("controls", with: NumPyArray(doubles: [Double](repeating: 0, count: 10 * 29 * 2), shape: [10, 29, 2]),
                     ["array 'controls'", "29 steps", "31 rows"])
        try replaced("goal", with: NumPyArray(int64s: [Int64](repeating: 0, count: 9), shape: [9]),
                     ["array 'goal'", "must have shape [E]", "E is 9"])
        var states = try TrajectoryDataset(contentsOf: folder.appendingPathComponent("train.npz")).states
        states[123] = .nan
        try replaced("states", with: NumPyArray(doubles: states, shape: [10, 31, 4]), ["array 'states'", "1 NaN"])
        try replaced("goal", with: NumPyArray(int64s: [Int64](repeating: -3, count: 10), shape: [10]), ["array 'goal'", "goal -3"])
        let source = try NumPyArchive(contentsOf: folder.appendingPathComponent("train.npz"))
        var missing = NumPyArchive()
        for n in source.names where n != "sites" { try missing.append(source[n]!, named: n) }
        let url = scratch.appendingPathComponent("nosites.npz")
        try missing.write(to: url)
        assertThrows(["nosites.npz", "no array 'sites'"]) { try TrajectoryDataset(contentsOf: url) }
    }

    /// A failing generation (the state blows up) writes nothing.
    func testFailedGenerationLeavesNothingBehind() throws {
        let out = scratch.appendingPathComponent("blown")
        let g = try DatasetGenerator(recipe: recipe(tinyRecipeText(["policy": "{\"type\": \"random\"}", "timestep": "100", "steps": "100", "initial": "{\"qvel_std\": 1}"])))
        assertThrows(["test.json: train episodes", "simulation failed"]) { try g.write(to: out, projectVersion: "test") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }
}

final class TrajectoryWindowsTests: XCTestCase {
    /// A dataset whose state values encode (episode, step, coordinate).
    func synthetic(episodes: Int = 3, steps: Int = 9, size: Int = 2) -> TrajectoryDataset {
        var states: [Double] = []
        for e in 0..<episodes { for t in 0...steps { for d in 0..<size { states.append(Double(100 * e + t) + 0.5 * Double(d)) } } }
        return TrajectoryDataset(episodes: episodes, steps: steps, stateSize: size, controlSize: 0, siteCount: 0, states: states,
                                 controls: [], sites: [], goal: [Int64](repeating: -1, count: episodes), episodeSeed: [Int64](repeating: 0, count: episodes))
    }

    func testWindowsCountAndContents() throws {
        let data = synthetic()
        let w = try TrajectoryWindows(data, context: 3, future: 4, stride: 2)
        XCTAssertEqual(w.perEpisode, 2)  // 10 states: starts 0 and 2 (start 4 would need 11)
        XCTAssertEqual(w.count, 6)
        XCTAssertEqual(w.location(of: 3).episode, 1)
        XCTAssertEqual(w.location(of: 3).start, 2)
        var c: [Float] = [], f: [Float] = []
        w.gather([3], context: &c, future: &f)
        XCTAssertEqual(c, [102, 102.5, 103, 103.5, 104, 104.5])
        XCTAssertEqual(f, [105, 105.5, 106, 106.5, 107, 107.5, 108, 108.5])
        XCTAssertEqual(try TrajectoryWindows(data, context: 6, future: 6).count, 0)
        assertThrows(["context 0"]) { try TrajectoryWindows(data, context: 0, future: 1) }
    }

    func testNormalization() {
        let data = synthetic()
        let n = NormalizationStatistics(states: data)
        var x = data.states
        n.normalize(&x)
        let again = NormalizationStatistics(values: x, dimension: 2)
        for d in 0..<2 {
            XCTAssertEqual(again.mean[d], 0, accuracy: 1e-12)
            XCTAssertEqual(again.std[d], 1, accuracy: 1e-12)
        }
        n.denormalize(&x)
        for (a, b) in zip(x, data.states) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(NormalizationStatistics(values: [5, 5, 5], dimension: 1).std, [NormalizationStatistics.minimumStd])
    }

    func testMiniBatchesAreSeededPermutations() throws {
        var a = try MiniBatches(count: 10, batchSize: 4, seed: 3)
        var b = try MiniBatches(count: 10, batchSize: 4, seed: 3)
        var c = try MiniBatches(count: 10, batchSize: 4, seed: 4)
        let epochA = try (0..<2).flatMap { _ in try a.next() }
        XCTAssertEqual(epochA, try (0..<2).flatMap { _ in try b.next() })
        XCTAssertNotEqual(epochA, try (0..<2).flatMap { _ in try c.next() })
        XCTAssertEqual(Set(epochA).count, 8, "no repeats within an epoch")
        let next = try a.next()  // two left over are dropped; a new epoch starts
        XCTAssertEqual(a.epoch, 1)
        XCTAssertEqual(next.count, 4)
        var keep = try MiniBatches(count: 10, batchSize: 4, seed: 3, dropLast: false)
        XCTAssertEqual(try (0..<3).flatMap { _ in try keep.next() }.sorted(), Array(0..<10))
        assertThrows(["batch size 11 exceeds the 10 windows"]) { try MiniBatches(count: 10, batchSize: 11, seed: 0) }
    }
}
