import Foundation
import XCTest

/// scripts/cluster/: the Slurm array script for generation, run here with the indices a
/// scheduler would set, gives the dataset of one `ebm generate`.
final class ClusterScriptsTests: XCTestCase {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/cluster")

    /// Runs `bash scripts/cluster/NAME ARGS` with `environment` added (EBM and RECIPES point here).
    static func script(_ name: String, _ arguments: [String], environment: [String: String]) throws -> EBMProcess.Result {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM_") && $0.key != "JOB_COMPLETION_INDEX" }
        env["EBM"] = EBMProcess.binary.path
        env["RECIPES"] = EBMProcess.recipes
        for (key, value) in environment { env[key] = value }
        return try EBMProcess.capture(URL(fileURLWithPath: "/bin/bash"), [scripts.appendingPathComponent(name).path] + arguments, environment: env)
    }

    /// Three array tasks (Slurm's SLURM_ARRAY_TASK_ID/COUNT, one as a Kubernetes Indexed Job's
    /// JOB_COMPLETION_INDEX/SHARD_COUNT), then the merge step: the same train.npz and test.npz
    /// bytes as one `ebm generate`. Without an index the script refuses to guess.
    func testGenerationArrayMatchesOneRun() throws {
        let scratch = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dest = scratch.appendingPathComponent("array").path
        for index in 0..<3 {
            let environment = index == 2 ? ["JOB_COMPLETION_INDEX": "2", "SHARD_COUNT": "3"]
                                          : ["SLURM_ARRAY_TASK_ID": String(index), "SLURM_ARRAY_TASK_COUNT": "3"]
            let r = try Self.script("generate-array.sbatch", ["reacher2-tiny", dest], environment: environment)
            XCTAssertEqual(r.status, 0, "task \(index): \(r.stderr)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dest + "/shards").sorted(), ["0-of-3", "1-of-3", "2-of-3"])
        let merge = try Self.script("generate-array.sbatch", ["--merge", "reacher2-tiny", dest], environment: [:])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        let single = scratch.appendingPathComponent("single").path
        try EBMProcess.succeeding(["generate", "reacher2-tiny", "--recipes", EBMProcess.recipes, "--out", single])
        for split in ["train.npz", "test.npz"] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dest + "/merged/" + split)),
                           try Data(contentsOf: URL(fileURLWithPath: single + "/" + split)), split)
        }
        let unset = try Self.script("generate-array.sbatch", ["reacher2-tiny", dest], environment: [:])
        XCTAssertEqual(unset.status, 2)
        XCTAssertTrue(unset.stderr.contains("SLURM_ARRAY_TASK_ID"), unset.stderr)
    }

    /// The MPI training script outside Slurm (2 ranks through mpirun, as in CI) trains the model
    /// one process with --micro-batches 2 trains, bit for bit.
    func testMPITrainingScriptMatchesMicroBatches() throws {
        try DataParallelTrainingTests.requireMPI()
        let scratch = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (data, config) = try DataParallelTrainingTests.setUp(scratch, objective: "dsm")
        let (script, micro) = (scratch.appendingPathComponent("script").path, scratch.appendingPathComponent("micro").path)
        let r = try Self.script("train-mpi.sbatch", [data, script, "--config", config],
                                environment: ["NP": "2", "MPIRUN_ARGS": "--oversubscribe --allow-run-as-root"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("rank 0 of 2"), r.stdout)
        try DataParallelTrainingTests.train(data, config, micro, model: "ebm", extra: ["--micro-batches", "2"])
        XCTAssertTrue(zip(try DataParallelTrainingTests.weights(script), try DataParallelTrainingTests.weights(micro)).allSatisfy { $0.scalars == $1.scalars })
    }
}
