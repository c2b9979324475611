import Foundation
import Trajectories
import XCTest

/// `ebm train --objective dsm` and `ebm predict` on a denoising model: every denoising sampler, futures
/// chained past H by overlapping windows, the fixed output keys, a CD-only sampler refused.
final class DenoisingPredictTests: XCTestCase {
    func testTrainAndPredictWithEveryDenoisingSampler() throws {
        let scratch = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let data = scratch.appendingPathComponent("data").path
        try EBMProcess.succeeding(["generate", "reacher2-tiny", "--recipes", EBMProcess.recipes, "--out", data])
        let config: [String: Any] = [
            "seed": 2, "model": ["contextLength": 4, "horizon": 6, "hiddenWidth": 32, "depth": 2],
            "optimization": ["steps": 30, "batchSize": 16, "learningRate": 0.002, "beta1": 0.9, "learningRateSchedule": "cosine", "warmupSteps": 5],
            "denoising": ["basisSize": 8, "contextNoise": 0.5], "data": ["padEpisodeEnds": true, "episodeStartFraction": 0.5, "episodeStartSpan": 2],
            "checkpointEvery": 0, "logEvery": 10,
        ]
        let configFile = scratch.appendingPathComponent("dsm.train.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)
        let run = scratch.appendingPathComponent("run").path
        // --objective overrides the file's (cd) objective; off a terminal training prints progress lines
        let train = try EBMProcess.succeeding(["train", "--data", data, "--config", configFile.path, "--objective", "dsm", "--out", run])
        XCTAssertTrue(train.stdout.contains("step 10/30"), train.stdout)
        XCTAssertTrue(train.stdout.contains("test: denoising loss"), train.stdout)

        for sampler in ["langevin", "annealed-mala", "annealed-hmc", "ddim", "heun"] {
            let out = scratch.appendingPathComponent("\(sampler).npz").path
            let r = try EBMProcess.succeeding(["predict", "--model", run, "--data", data, "--episode", "1", "--samples", "5",
                                               "--steps", "12", "--sampler", sampler, "--horizon", "15", "--out", out])
            XCTAssertTrue(r.stdout.contains("predict: 5 futures × 15 states"), r.stdout)
            let a = try NumPyArchive(contentsOf: URL(fileURLWithPath: out))
            XCTAssertEqual(a["futures"]?.shape, [5, 15, 4])
            XCTAssertEqual(a["samples"]?.shape, [5, 15, 4])
            XCTAssertEqual(a["energies"]?.shape, [5])
            XCTAssertEqual(a["context"]?.shape, [4, 4])
            XCTAssertTrue(try a.array(named: "futures").doubles.allSatisfy(\.isFinite), sampler)
            XCTAssertEqual(try a.array(named: "diagnostics_block").int64s.max(), 2, "\(sampler): 15 states = 3 blocks of H = 6")
            // same seed, same file
            let again = scratch.appendingPathComponent("again.npz").path
            try EBMProcess.succeeding(["predict", "--model", run, "--data", data, "--episode", "1", "--samples", "5",
                                       "--steps", "12", "--sampler", sampler, "--horizon", "15", "--out", again])
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: again)), try Data(contentsOf: URL(fileURLWithPath: out)), sampler)
        }
        // ebm compose with this one model samples what predict does, bit for bit
        let composed = scratch.appendingPathComponent("composed.npz").path
        let compose = try EBMProcess.succeeding(["compose", "--model", run, "--data", data, "--episode", "1", "--samples", "5", "--steps", "12",
                                                 "--sampler", "annealed-mala", "--horizon", "15", "--out", composed])
        XCTAssertTrue(compose.stdout.contains("from 1 models"), compose.stdout)
        XCTAssertTrue(compose.stderr.contains(" blocks (100%)"), compose.stderr)
        XCTAssertEqual(try NumPyArchive(contentsOf: URL(fileURLWithPath: composed)).array(named: "futures").doubles,
                       try NumPyArchive(contentsOf: scratch.appendingPathComponent("annealed-mala.npz")).array(named: "futures").doubles)
        let annealedWeights = try EBMProcess.run(["compose", "--model", run, "--initial-weight", "0", "--data", data, "--out", composed])
        XCTAssertNotEqual(annealedWeights.status, 0)
        XCTAssertTrue(annealedWeights.stderr.contains("annealed over their noise levels"), annealedWeights.stderr)
        // evaluate, score and the OOD benchmark read a denoising model too: its own sampler defaults
        let evaluation = scratch.appendingPathComponent("evaluate")
        let evaluate = try EBMProcess.succeeding(["evaluate", "--model", run, "--data", data, "--episodes", "3", "--samples", "4", "--steps", "10",
                                                  "--reference-samples", "4", "--long-horizon", "20", "--long-contexts", "2", "--long-samples", "2",
                                                  "--curve-episodes", "2", "--step-counts", "0", "10", "--out", evaluation.path])
        XCTAssertTrue(evaluate.stdout.contains("(annealed-mala, 10 steps per block)"), evaluate.stdout)
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: evaluation.appendingPathComponent("metrics.json"))) as! [String: Any]
        XCTAssertEqual(metrics["sampler"] as? String, "annealed-mala")
        XCTAssertEqual((metrics["quality_vs_steps"] as? [String: Any])?["steps"] as? [Int], [0, 10])
        XCTAssertNotNil(metrics["long_horizon"])
        let score = try EBMProcess.succeeding(["score", "--model", run, "--data", data, "--out", scratch.appendingPathComponent("score.npz").path])
        XCTAssertTrue(score.stdout.contains("score: "), score.stdout)
        let scored = try NumPyArchive(contentsOf: scratch.appendingPathComponent("score.npz"))
        XCTAssertTrue(try scored.array(named: "episode_energy").doubles.allSatisfy(\.isFinite))
        let ood = try EBMProcess.succeeding(["evaluate", "ood", "--model", run, "--data", data, "--episodes", "4",
                                             "--out", scratch.appendingPathComponent("ood").path])
        XCTAssertTrue(ood.stdout.contains("| link mass ×2, nominal controller |"), ood.stdout)

        // a contrastive-divergence model has no annealed samplers
        let cd = scratch.appendingPathComponent("cd").path
        try EBMProcess.succeeding(["train", "--data", data, "--config", configFile.path, "--objective", "cd", "--out", cd, "--quiet"])
        let refused = try EBMProcess.run(["predict", "--model", cd, "--data", data, "--sampler", "ddim", "--out", scratch.appendingPathComponent("x.npz").path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("needs a denoising model"), refused.stderr)
    }
}
