import Foundation
import XCTest

/// Runs the built `ebm` binary (beside the test bundle) and captures its output.
enum EBMProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL {
        Bundle.main.bundleURL.appendingPathComponent("ebm")
    }

    static func run(_ arguments: [String]) throws -> Result { try capture(binary, arguments) }

    /// Runs any executable (`environment` nil: this process's) and captures its output.
    static func capture(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    /// Writes `file`: the training configuration `base` (a path) with `steps` optimisation steps,
    /// checkpoints and log lines every `checkpointEvery` / `logEvery` steps, then `edit` applied.
    static func writeConfig(from base: String, steps: Int, checkpointEvery: Int, logEvery: Int, to file: URL,
                            edit: (inout [String: Any]) -> Void = { _ in }) throws {
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base))) as! [String: Any]
        var optimization = config["optimization"] as! [String: Any]
        optimization["steps"] = steps
        config["optimization"] = optimization
        (config["checkpointEvery"], config["logEvery"]) = (checkpointEvery, logEvery)
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: file)
    }

    /// The repository's trajectories/ folder (committed recipes and training configs).
    static let recipes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("trajectories").path

    /// Runs `ebm` and fails the test (with its stderr) unless it exits 0.
    @discardableResult
    static func succeeding(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let r = try run(arguments)
        XCTAssertEqual(r.status, 0, "ebm \(arguments.joined(separator: " ")):\n\(r.stderr)", file: file, line: line)
        return r
    }

    /// Generates the tiny recipe into `scratch` (reacher2: S = 4, 31 states per episode) and trains
    /// an energy model and a feedforward baseline on it for 10 steps (k = 4, H = 4).
    static func tinyTrainedRuns(in scratch: URL) throws -> (data: String, ebmRun: String, ffRun: String) {
        let data = scratch.appendingPathComponent("data").path
        try succeeding(["generate", "reacher2-tiny", "--recipes", recipes, "--out", data])
        let configFile = scratch.appendingPathComponent("tiny.train.json")
        try writeConfig(from: recipes + "/reacher2-tiny.train.json", steps: 10, checkpointEvery: 10, logEvery: 5, to: configFile)
        let (ebmRun, ffRun) = (scratch.appendingPathComponent("ebm").path, scratch.appendingPathComponent("ff").path)
        try succeeding(["train", "--data", data, "--config", configFile.path, "--out", ebmRun, "--quiet"])
        try succeeding(["train", "--data", data, "--model", "feedforward", "--config", configFile.path, "--out", ffRun, "--quiet"])
        return (data, ebmRun, ffRun)
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ebm-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
