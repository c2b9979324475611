import Foundation
import NeuralCore
import XCTest

/// `ebm train --micro-batches M` and `mpirun -np N ebm train`: the same shares give the same bits,
/// a different split stays within 1e-5 of the plain run, and runs resume across process counts.
final class DataParallelTrainingTests: XCTestCase {
    /// The tiny dataset and a 100-step configuration of `objective` (dsm, cd with the improved-CD
    /// terms, or the feedforward baseline's), checkpoints at 50 and 100.
    static func setUp(_ scratch: URL, objective: String) throws -> (data: String, config: String) {
        let data = scratch.appendingPathComponent("data").path
        try EBMProcess.succeeding(["generate", "reacher2-tiny", "--recipes", EBMProcess.recipes, "--out", data])
        let base = objective == "dsm" ? "reacher2-tiny-dsm" : "reacher2-tiny"
        let file = scratch.appendingPathComponent("\(objective).train.json")
        try EBMProcess.writeConfig(from: EBMProcess.recipes + "/\(base).train.json", steps: 100, checkpointEvery: 50, logEvery: 10, to: file) {
            if objective == "cd" { $0["improved"] = ["klWeight": 1, "entropyWeight": 0.1] }
        }
        return (data, file.path)
    }

    /// The trained weights of a run folder's model.safetensors, tensor by tensor.
    static func weights(_ run: String) throws -> [(name: String, scalars: [Float])] {
        try SafetensorsFile.read(from: URL(fileURLWithPath: run + "/model.safetensors")).tensors.map { ($0.name, $0.tensor.scalars) }
    }

    /// max |a − b| / max |a| over all weights.
    static func relativeDifference(_ a: [(name: String, scalars: [Float])], _ b: [(name: String, scalars: [Float])]) -> Double {
        precondition(a.map(\.name) == b.map(\.name))
        var (difference, largest) = (0.0, 0.0)
        for (x, y) in zip(a, b) {
            for (p, q) in zip(x.scalars, y.scalars) { difference = max(difference, Double(abs(p - q))); largest = max(largest, Double(abs(p))) }
        }
        return difference / largest
    }

    static func train(_ data: String, _ config: String, _ out: String, model: String, extra: [String] = []) throws {
        try EBMProcess.succeeding(["train", "--data", data, "--config", config, "--model", model, "--out", out, "--quiet"] + extra)
    }

    /// `mpirun` on PATH (Open MPI, scripts/install-deps.sh), or nil.
    static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `ebm ARGS` under `mpirun -np ranks` (as root in CI, several ranks per core).
    static func mpi(_ ranks: Int, _ arguments: [String], timeout: Int = 300) throws -> EBMProcess.Result {
        try EBMProcess.capture(URL(fileURLWithPath: mpirun!), ["--oversubscribe", "--allow-run-as-root", "--timeout", String(timeout),
                                                               "-np", String(ranks), EBMProcess.binary.path] + arguments)
    }

    /// Skips the test (saying why) where Open MPI's mpirun is not installed.
    static func requireMPI() throws {
        guard mpirun == nil else { return }
        print("skipped: mpirun not found (apt-get install openmpi-bin libopenmpi-dev: scripts/install-deps.sh)")
        throw XCTSkip("mpirun not found")
    }

    /// Micro-batches change only the order of float sums: after 100 steps the weights are within
    /// 1e-5 (relative) of the plain run, for DSM, improved CD and the feedforward baseline, yet
    /// they are not the same bits (the split is real); M = 1 is the plain run exactly.
    func testMicroBatchesStayWithinToleranceOfThePlainRun() throws {
        for (objective, model) in [("dsm", "ebm"), ("cd", "ebm"), ("ff", "feedforward")] {
            let scratch = try EBMProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: scratch) }
            let (data, config) = try Self.setUp(scratch, objective: objective)
            let runs = (plain: scratch.appendingPathComponent("plain").path, one: scratch.appendingPathComponent("m1").path,
                        two: scratch.appendingPathComponent("m2").path, three: scratch.appendingPathComponent("m3").path)
            try Self.train(data, config, runs.plain, model: model)
            try Self.train(data, config, runs.one, model: model, extra: ["--micro-batches", "1"])
            try Self.train(data, config, runs.two, model: model, extra: ["--micro-batches", "2"])
            try Self.train(data, config, runs.three, model: model, extra: ["--micro-batches", "3"])
            let plain = try Self.weights(runs.plain)
            XCTAssertEqual(Self.relativeDifference(plain, try Self.weights(runs.one)), 0, "\(objective): --micro-batches 1 is the plain run")
            for run in [runs.two, runs.three] {
                let d = Self.relativeDifference(plain, try Self.weights(run))
                print("\(objective) \(run.suffix(2)): max |Δw| / max |w| = \(d) after 100 steps")
                XCTAssertLessThanOrEqual(d, 1e-5, "\(objective) \(run)")
                XCTAssertGreaterThan(d, 0, "\(objective) \(run): bit-identical to the plain run, so the batch was not split")
            }
        }
    }

    /// More shares than batch rows, or 0 micro-batches, are refused with a message.
    func testMicroBatchesAreValidated() throws {
        let scratch = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (data, config) = try Self.setUp(scratch, objective: "dsm")
        let zero = try EBMProcess.run(["train", "--data", data, "--config", config, "--out", scratch.appendingPathComponent("a").path, "--micro-batches", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--micro-batches 0"), zero.stderr)
        let many = try EBMProcess.run(["train", "--data", data, "--config", config, "--out", scratch.appendingPathComponent("b").path, "--micro-batches", "33"])
        XCTAssertNotEqual(many.status, 0)
        XCTAssertTrue(many.stderr.contains("more than optimization.batchSize 32"), many.stderr)
    }

    /// Two MPI ranks give the weights of one process with two micro-batches bit for bit (DSM and
    /// improved CD); a run checkpointed by one process resumes under two ranks to the same bits;
    /// only rank 0 writes (one metrics line per interval).
    func testTwoRanksMatchTwoMicroBatches() throws {
        try DataParallelTrainingTests.requireMPI()
        for (objective, model) in [("dsm", "ebm"), ("cd", "ebm"), ("ff", "feedforward")] {
            let scratch = try EBMProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: scratch) }
            let (data, config) = try Self.setUp(scratch, objective: objective)
            let (micro, ranks, resumed) = (scratch.appendingPathComponent("micro").path, scratch.appendingPathComponent("ranks").path,
                                           scratch.appendingPathComponent("resumed").path)
            try Self.train(data, config, micro, model: model, extra: ["--micro-batches", "2"])
            let arguments = ["train", "--data", data, "--config", config, "--model", model, "--quiet"]
            let r = try Self.mpi(2, arguments + ["--out", ranks])
            XCTAssertEqual(r.status, 0, "mpirun: \(r.stderr)")
            if r.status != 0 && r.stderr.contains("built without MPI") { throw XCTSkip("this ebm was built without MPI") }
            let a = try Self.weights(micro), b = try Self.weights(ranks)
            XCTAssertTrue(zip(a, b).allSatisfy { $0.name == $1.name && $0.scalars == $1.scalars }, "\(objective): 2 ranks differ from 2 micro-batches")
            let lines = try String(contentsOfFile: ranks + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.filter { $0.contains("\"event\":\"train\"") }.count, 10, "\(objective): rank 0 alone logs")
            XCTAssertEqual(try String(contentsOfFile: micro + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").filter { $0.contains("\"train\"") }
                .map { $0.replacingOccurrences(of: #","wall_s.*"#, with: "", options: .regularExpression) },
                           lines.filter { $0.contains("\"train\"") }.map { $0.replacingOccurrences(of: #","wall_s.*"#, with: "", options: .regularExpression) },
                           "\(objective): the logged losses")

            // resume: one process wrote step 50; two ranks finish it
            try FileManager.default.copyItem(atPath: micro, toPath: resumed)
            for name in ["model.safetensors", "checkpoints/step-00000100.safetensors", "checkpoints/step-00000100.state.safetensors"] {
                try FileManager.default.removeItem(atPath: resumed + "/" + name)
            }
            let again = try Self.mpi(2, arguments + ["--out", resumed])
            XCTAssertEqual(again.status, 0, "mpirun (resume): \(again.stderr)")
            XCTAssertTrue(zip(a, try Self.weights(resumed)).allSatisfy { $0.scalars == $1.scalars }, "\(objective): resumed under 2 ranks differs")
        }
    }

    /// A rank killed mid-run (SIGKILL, as an out-of-memory kill or a lost node) makes mpirun exit
    /// non-zero; the last checkpoint pair is intact and one process resumes from it to the end.
    func testKilledRankLeavesAResumableCheckpoint() throws {
        try DataParallelTrainingTests.requireMPI()
        let scratch = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (data, base) = try Self.setUp(scratch, objective: "dsm")
        let file = scratch.appendingPathComponent("long.train.json")
        try EBMProcess.writeConfig(from: base, steps: 3000, checkpointEvery: 100, logEvery: 100, to: file)
        let run = scratch.appendingPathComponent("run").path

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.mpirun!)
        process.arguments = ["--oversubscribe", "--allow-run-as-root", "-np", "2", EBMProcess.binary.path,
                             "train", "--data", data, "--config", file.path, "--out", run, "--quiet"]
        (process.standardOutput, process.standardError) = (FileHandle.nullDevice, FileHandle.nullDevice)
        try process.run()
        // wait for the first checkpoint, then kill one rank (a child of mpirun)
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: run + "/checkpoints/step-00000100.state.safetensors") && process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        let ranks = Self.children(of: process.processIdentifier)
        XCTAssertEqual(ranks.count, 2, "ranks of mpirun \(process.processIdentifier)")
        guard let victim = ranks.last, process.isRunning else { process.terminate(); return XCTFail("training ended before a rank could be killed") }
        kill(victim, SIGKILL)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0, "mpirun exit status after a rank was killed")

        let resumed = try EBMProcess.succeeding(["train", "--data", data, "--config", file.path, "--out", run, "--quiet", "--micro-batches", "2"])
        let step = resumed.stdout.range(of: #"resuming at step (\d+)"#, options: .regularExpression).map { String(resumed.stdout[$0].dropFirst(17)) }
        XCTAssertEqual(step.flatMap(Int.init).map { $0 >= 100 && $0 % 100 == 0 }, true, resumed.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/model.safetensors"))
    }

    /// A rank that fails alone (rank 0 cannot create its checkpoints folder: a file is in the way)
    /// ends the whole job (MPI_Abort) with a message, instead of leaving rank 1 waiting in a collective.
    func testFailingRankEndsTheJob() throws {
        try DataParallelTrainingTests.requireMPI()
        let scratch = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (data, config) = try Self.setUp(scratch, objective: "dsm")
        let run = scratch.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try Data("in the way".utf8).write(to: run.appendingPathComponent("checkpoints"))
        let started = Date()
        // a hang check, not a speed check: without MPI_Abort the job would run into mpirun's 120 s limit
        let r = try Self.mpi(2, ["train", "--data", data, "--config", config, "--out", run.path, "--quiet"], timeout: 120)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("rank 0 of 2"), r.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 110, "the job waited for mpirun's time limit: \(r.stderr)")
    }

    /// Ranks that would start from different states (here: rank 0 resumes a run at step 50, rank 1
    /// is given an empty --out of its own, as with node-local folders) refuse to train.
    func testRanksStartingApartAreRefused() throws {
        try DataParallelTrainingTests.requireMPI()
        let scratch = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (data, config) = try Self.setUp(scratch, objective: "dsm")
        let (resumed, fresh) = (scratch.appendingPathComponent("resumed").path, scratch.appendingPathComponent("fresh").path)
        try Self.train(data, config, resumed, model: "ebm")
        for name in ["model.safetensors", "checkpoints/step-00000100.safetensors", "checkpoints/step-00000100.state.safetensors"] {
            try FileManager.default.removeItem(atPath: resumed + "/" + name)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.mpirun!)
        let train = ["train", "--data", data, "--config", config, "--quiet"]
        process.arguments = ["--oversubscribe", "--allow-run-as-root", "--timeout", "120", "-np", "1", EBMProcess.binary.path] + train + ["--out", resumed]
            + [":", "-np", "1", EBMProcess.binary.path] + train + ["--out", fresh]
        let err = Pipe()
        (process.standardOutput, process.standardError) = (FileHandle.nullDevice, err)
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertTrue(text.contains("starts at step") && text.contains("one shared --out"), text)
    }

    /// Processes whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid && stat.contains("(ebm)")
        }.sorted()
    }
}
