import Foundation
import Trajectories
import XCTest

/// `ebm view` on bad input: a clear message naming the file or flag, a non-zero exit, no crash;
/// and headless output (PNG size, video frames through a stand-in ffmpeg) where a display exists.
final class ViewTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    /// Runs ebm with `environment` changes (nil removes a variable).
    func run(_ arguments: [String], environment changes: [String: String?] = [:]) throws -> EBMProcess.Result {
        let process = Process()
        process.executableURL = EBMProcess.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in changes { environment[k] = v }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return EBMProcess.Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                 stderr: String(decoding: e, as: UTF8.self))
    }

    func assertFails(_ arguments: [String], mentioning parts: [String], environment: [String: String?] = [:],
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(arguments, environment: environment)
        XCTAssertNotEqual(r.status, 0, "ebm \(arguments.joined(separator: " ")) succeeded", file: file, line: line)
        XCTAssertTrue(r.status < 128, "crashed with status \(r.status): \(r.stderr)", file: file, line: line)
        for p in parts { XCTAssertTrue(r.stderr.contains(p), "stderr lacks '\(p)': \(r.stderr)", file: file, line: line) }
    }

    /// A reacher2 prediction (S = 4) or one of another state size.
    func writePrediction(_ name: String, stateSize S: Int = 4) throws -> String {
        let path = scratch.appendingPathComponent(name).path
        try NumPyArchive([
            ("context", NumPyArray(doubles: [Double](repeating: 0.1, count: 2 * S), shape: [2, S])),
            ("futures", NumPyArray(doubles: (0..<(3 * 4 * S)).map { Double($0 % 7) * 0.1 }, shape: [3, 4, S])),
            ("energies", NumPyArray(doubles: [1, 2, 3], shape: [3])),
            ("baseline", NumPyArray(doubles: [Double](repeating: -0.5, count: 4 * S), shape: [4, S])),
        ]).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testMissingCorruptAndForeignFiles() throws {
        let png = scratch.appendingPathComponent("x.png").path
        let missing = scratch.appendingPathComponent("missing.npz").path
        try assertFails(["view", "--robot", "reacher2", "--predict", missing, "--screenshot", png], mentioning: [missing, "no such file"])
        try assertFails(["view", "--robot", "reacher2", "--plan", missing, "--screenshot", png], mentioning: [missing, "no such file"])
        try assertFails(["view", "--robot", "reacher2", "--data", missing, "--screenshot", png], mentioning: [missing])

        let corrupt = scratch.appendingPathComponent("corrupt.npz").path
        try Data("PK garbage".utf8).write(to: URL(fileURLWithPath: corrupt))
        try assertFails(["view", "--robot", "reacher2", "--predict", corrupt, "--screenshot", png], mentioning: [corrupt, "not a readable .npz"])
        try assertFails(["view", "--robot", "reacher2", "--plan", corrupt, "--screenshot", png], mentioning: [corrupt, "not a readable .npz"])

        // a prediction for a robot with 6 state numbers shown as reacher2 (nq + nv = 4)
        let foreign = try writePrediction("arm.npz", stateSize: 6)
        try assertFails(["view", "--robot", "reacher2", "--predict", foreign, "--screenshot", png], mentioning: [foreign, "another robot"])
        let plan = scratch.appendingPathComponent("plan.npz").path
        try NumPyArchive([("qpos", NumPyArray(doubles: [Double](repeating: 0, count: 21), shape: [3, 7]))]).write(to: URL(fileURLWithPath: plan))
        try assertFails(["view", "--robot", "reacher2", "--plan", plan, "--screenshot", png], mentioning: [plan, "another robot"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: png))

        // flags that contradict each other or the files
        let good = try writePrediction("p.npz")
        try assertFails(["view", "--robot", "reacher2", "--predict", good, "--plan", plan], mentioning: ["one of --predict, --model, --plan"])
        try assertFails(["view", "--robot", "reacher2", "--model", scratch.path], mentioning: ["--model needs --data"])
        try assertFails(["view", "--robot", "reacher2", "--predict", good, "--frame", "9", "--svg", scratch.appendingPathComponent("x.svg").path],
                        mentioning: ["--frame 9", "4 states"])
        try assertFails(["view", "--predict", good], mentioning: ["--robot"])
    }

    func testNoDisplayWithoutScreenshotIsAClearError() throws {
        try assertFails(["view", "--robot", "cartpole"], mentioning: ["cannot open a display", "xvfb-run"],
                        environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil])
        try assertFails(["view", "--robot", "cartpole", "--screenshot", scratch.appendingPathComponent("c.png").path],
                        mentioning: ["cannot open a display"], environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil])
    }

    func testVideoWithoutFFmpegIsAClearError() throws {
        let empty = scratch.appendingPathComponent("bin").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("v.mp4").path
        try assertFails(["view", "--robot", "cartpole", "--video", out], mentioning: ["--video \(out)", "ffmpeg is not installed"],
                        environment: ["PATH": empty])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// Under a display: the PNG has the asked size, the SVG is written, and --video pipes
    /// width × height × 4 bytes per state to ffmpeg (a stand-in script that keeps its input).
    func testHeadlessPredictionScreenshotAndVideoFrames() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["DISPLAY"] != nil || env["WAYLAND_DISPLAY"] != nil else {
            throw XCTSkip("no display: run under `xvfb-run -a` (scripts/test.sh does)")
        }
        let prediction = try writePrediction("p.npz")
        let png = scratch.appendingPathComponent("p.png").path
        let r = try EBMProcess.succeeding(["view", "--robot", "reacher2", "--predict", prediction, "--screenshot", png,
                                           "--frame", "2", "--size", "96x64", "--msaa", "0"])
        XCTAssertTrue(r.stdout.contains("3 futures x 4 states"), r.stdout)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        XCTAssertEqual(Array(bytes[1..<4]), Array("PNG".utf8))
        func be32(_ o: Int) -> Int { bytes[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual([be32(16), be32(20)], [96, 64], "IHDR width, height")

        // a stand-in ffmpeg: copies stdin to its last argument
        let bin = scratch.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let script = bin.appendingPathComponent("ffmpeg")
        try "#!/bin/sh\nfor a; do last=$a; done\ncat > \"$last\"\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let video = scratch.appendingPathComponent("p.mp4").path
        let v = try run(["view", "--robot", "reacher2", "--predict", prediction, "--video", video, "--size", "32x24", "--msaa", "0"],
                        environment: ["PATH": bin.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")])
        XCTAssertEqual(v.status, 0, v.stderr)
        let size = try FileManager.default.attributesOfItem(atPath: video)[.size] as? Int
        XCTAssertEqual(size, 32 * 24 * 4 * 4, "4 states of 32 x 24 RGBA")
    }
}
