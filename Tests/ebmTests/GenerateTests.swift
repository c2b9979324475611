import Foundation
import XCTest

/// `ebm generate` and `ebm dataset` on the tiny recipe, through the built binary.
final class GenerateTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func contents(_ folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            out[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return out
    }

    func generate(_ extra: [String]) throws -> EBMProcess.Result {
        try EBMProcess.run(["generate", "reacher2-tiny", "--recipes", EBMProcess.recipes] + extra)
    }

    func testGenerateIsDeterministicAcrossThreadsAndShards() throws {
        let one = scratch.appendingPathComponent("one"), all = scratch.appendingPathComponent("all")
        let r1 = try generate(["--out", one.path, "--threads", "1"])
        XCTAssertEqual(r1.status, 0, r1.stderr)
        XCTAssertTrue(r1.stdout.contains("15 episodes × 30 steps of reacher2 (goal-pd)"), r1.stdout)
        XCTAssertEqual(try generate(["--out", all.path]).status, 0)
        XCTAssertEqual(try contents(one), try contents(all))
        XCTAssertEqual(Set(try contents(one).keys), ["train.npz", "test.npz", "meta.json"])

        var shards: [String] = []
        for i in 0..<2 {
            let out = scratch.appendingPathComponent("s\(i)").path
            let r = try generate(["--out", out, "--shard", "\(i)/2"])
            XCTAssertEqual(r.status, 0, r.stderr)
            shards.append(out)
        }
        let merged = scratch.appendingPathComponent("merged")
        let m = try EBMProcess.run(["dataset", "merge"] + shards + ["--out", merged.path])
        XCTAssertEqual(m.status, 0, m.stderr)
        XCTAssertEqual(try contents(merged), try contents(one))

        let info = try EBMProcess.run(["dataset", "info", one.path])
        XCTAssertEqual(info.status, 0, info.stderr)
        for fragment in ["reacher2-tiny, robot reacher2", "train.npz: 10 episodes", "states [10, 31, 4]", "qpos.joint0", "goals: "] {
            XCTAssertTrue(info.stdout.contains(fragment), "info output lacks \(fragment):\n\(info.stdout)")
        }
    }

    func testBadInputExitsWithAClearMessage() throws {
        let out = scratch.appendingPathComponent("never").path
        let shard = try generate(["--out", out, "--shard", "2/2"])
        XCTAssertNotEqual(shard.status, 0)
        XCTAssertTrue(shard.stderr.contains("--shard 2/2: shard index 2 is out of range 0..<2"), shard.stderr)
        let missing = try EBMProcess.run(["generate", "no-such-recipe", "--recipes", EBMProcess.recipes, "--out", out])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no-such-recipe.json: no such recipe file"), missing.stderr)
        let bad = scratch.appendingPathComponent("bad.json")
        try Data("{\"name\": \"bad\", \"robot\": \"reacher2\", \"steps\": -3}".utf8).write(to: bad)
        let negative = try EBMProcess.run(["generate", bad.path, "--out", out])
        XCTAssertNotEqual(negative.status, 0)
        XCTAssertTrue(negative.stderr.contains("bad.json: steps: must be >= 1, found -3"), negative.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written on failure")
        let info = try EBMProcess.run(["dataset", "info", bad.path])
        XCTAssertNotEqual(info.status, 0)
        XCTAssertTrue(info.stderr.contains("bad.json: not a zip archive"), info.stderr)
    }
}
