import Foundation
import Simulation
import Trajectories
import XCTest

/// `ebm predict`'s fixed output keys on the tiny recipe, `sites` against forward kinematics computed
/// here; and `ebm bench sample`'s JSON.
final class PredictSitesTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func testSitesAreTheForwardKinematicsOfEachFuture() throws {
        let (data, ebmRun, _) = try EBMProcess.tinyTrainedRuns(in: scratch)
        let out = scratch.appendingPathComponent("p.npz").path
        // horizon 6 > H = 4: two chained blocks; the episode's real future is longer, so truth has 6 states
        try EBMProcess.succeeding(["predict", "--model", ebmRun, "--data", data, "--episode", "2", "--context-start", "5",
                                   "--samples", "5", "--steps", "6", "--horizon", "6", "--out", out])
        let a = try NumPyArchive(contentsOf: URL(fileURLWithPath: out))
        let robot = try RobotModel.load("reacher2")
        let (K, H, S, nsite) = (5, 6, 4, robot.nsite)
        XCTAssertEqual(a["futures"]?.shape, [K, H, S])
        XCTAssertEqual(a["context"]?.shape, [4, S])
        XCTAssertEqual(a["sites"]?.shape, [K, H, nsite, 3])
        XCTAssertEqual(a["energies"]?.shape, [K])
        XCTAssertEqual(a["truth"]?.shape, [H, S])
        let futures = try a.array(named: "futures").doubles, sites = try a.array(named: "sites").doubles
        // forward kinematics of every future's qpos, one state at a time (not the batched call predict used)
        for r in 0..<(K * H) {
            let expected = try robot.kinematics(qpos: Array(futures[r * S..<r * S + robot.nq]), batch: 1).sites
            for j in 0..<(nsite * 3) { XCTAssertEqual(sites[r * nsite * 3 + j], expected[j], accuracy: 1e-12, "row \(r) site value \(j)") }
        }
        // the fingertip of a two-link arm lies within the links' reach of the base
        for r in 0..<(K * H) {
            let p = sites[(r * nsite) * 3..<(r * nsite) * 3 + 3]
            XCTAssertLessThan((p[p.startIndex] * p[p.startIndex] + p[p.startIndex + 1] * p[p.startIndex + 1]).squareRoot(), 0.25)
        }
        // energies are finite; different chains give different sites
        XCTAssertTrue(try a.array(named: "energies").doubles.allSatisfy(\.isFinite))
        XCTAssertNotEqual(Array(sites[0..<3]), Array(sites[H * nsite * 3..<H * nsite * 3 + 3]))
    }

    func testBenchSampleReportsRatesForEachHorizonAndThreadCount() throws {
        let r = try EBMProcess.succeeding(["bench", "sample", "--config", EBMProcess.recipes + "/reacher2-tiny.train.json", "--samples", "8",
                                           "--steps", "3", "--min-time", "0.01", "--threads", "1", "2", "--json"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows.map { $0["horizon"] as? Int }, [1, 1, 16, 16])
        XCTAssertEqual(rows.map { $0["threads"] as? Int }, [1, 2, 1, 2])
        for row in rows {
            let rate = try XCTUnwrap(row["futures_per_second"] as? Double)
            XCTAssertTrue(rate.isFinite && rate > 0)
            XCTAssertEqual(row["states_per_second"] as! Double, rate * Double(row["horizon"] as! Int), accuracy: 1e-9 * rate * 16)
        }
        let bad = try EBMProcess.run(["bench", "sample", "--config", scratch.appendingPathComponent("none.json").path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("none.json"), bad.stderr)
    }
}
