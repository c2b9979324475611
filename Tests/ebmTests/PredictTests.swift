import Foundation
import Trajectories
import XCTest

/// `ebm predict` on the tiny recipe: generate, train a few steps (EBM and feedforward), sample.
final class PredictTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func testPredictWritesSamplesOfEveryShapeForEachSampler() throws {
        let (data, ebmRun, ffRun) = try EBMProcess.tinyTrainedRuns(in: scratch)

        for (sampler, horizon) in [("langevin", 10), ("mala", 4), ("hmc", 6)] {
            let out = scratch.appendingPathComponent("\(sampler).npz").path
            let r = try EBMProcess.succeeding(["predict", "--model", ebmRun, "--data", data, "--episode", "1", "--context-start", "3",
                             "--samples", "8", "--steps", "12", "--sampler", sampler, "--horizon", "\(horizon)",
                             "--baseline", ffRun, "--out", out])
            XCTAssertTrue(r.stdout.contains("predict: 8 futures × \(horizon) states (\(sampler) at T = "), r.stdout)
            XCTAssertTrue(r.stdout.contains("feedforward"), r.stdout)
            // progress on standard error (not a terminal here: the closing line)
            XCTAssertTrue(r.stderr.contains("\((horizon + 3) / 4)/\((horizon + 3) / 4) blocks (100%)"), r.stderr)
            let a = try NumPyArchive(contentsOf: URL(fileURLWithPath: out))
            let blocks = (horizon + 3) / 4
            XCTAssertEqual(a["context"]?.shape, [4, 4])
            XCTAssertEqual(a["truth"]?.shape, [horizon, 4])
            XCTAssertEqual(a["samples"]?.shape, [8, horizon, 4])
            XCTAssertEqual(a["futures"]?.shape, [8, horizon, 4])
            XCTAssertEqual(a["baseline"]?.shape, [horizon, 4])
            XCTAssertEqual(a["energies"]?.shape, [8])
            XCTAssertEqual(a["qpos"]?.shape, [8, horizon + 1, 2])
            for name in ["diagnostics_mean_energy", "diagnostics_gradient_norm", "diagnostics_acceptance", "diagnostics_step_size", "diagnostics_block"] {
                XCTAssertEqual(a[name]?.shape, [12 * blocks], name)
            }
            // the context and truth are the dataset's states; samples are finite and differ between chains
            let dataset = try TrajectoryDataset(contentsOf: URL(fileURLWithPath: data + "/test.npz"))
            let context = try a.array(named: "context").doubles, truth = try a.array(named: "truth").doubles
            XCTAssertEqual(context, (3..<7).flatMap { Array(dataset.state(episode: 1, step: $0)) })
            XCTAssertEqual(Array(truth.prefix(4)), Array(dataset.state(episode: 1, step: 7)))
            let samples = try a.array(named: "samples").doubles
            XCTAssertTrue(samples.allSatisfy(\.isFinite))
            XCTAssertNotEqual(Array(samples[0..<horizon * 4]), Array(samples[horizon * 4..<2 * horizon * 4]))
            // qpos starts at the current state (the last context state's positions)
            XCTAssertEqual(Array(try a.array(named: "qpos").doubles.prefix(2)), Array(context[12..<14]))
            let acceptance = try a.array(named: "diagnostics_acceptance").doubles
            XCTAssertTrue(acceptance.allSatisfy { (0...1).contains($0) })
            if sampler == "langevin" { XCTAssertEqual(Set(acceptance), [1]) }
        }

        // the viewer reads the qpos layout
        let view = try EBMProcess.run(["view", "--data", data, "--futures", scratch.appendingPathComponent("langevin.npz").path,
                                       "--svg", scratch.appendingPathComponent("f.svg").path])
        XCTAssertEqual(view.status, 0, view.stderr)

        // a bad episode names the file and its size; same seed, same output
        let bad = try EBMProcess.run(["predict", "--model", ebmRun, "--data", data, "--episode", "99", "--out", scratch.appendingPathComponent("x.npz").path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--episode 99:") && bad.stderr.contains("episodes"), bad.stderr)
        let again = scratch.appendingPathComponent("again.npz").path
        try EBMProcess.succeeding(["predict", "--model", ebmRun, "--data", data, "--episode", "1", "--context-start", "3", "--samples", "8",
                     "--steps", "12", "--sampler", "mala", "--horizon", "4", "--baseline", ffRun, "--out", again])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: again)),
                       try Data(contentsOf: scratch.appendingPathComponent("mala.npz")))
    }
}
