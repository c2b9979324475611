import Foundation
import XCTest

/// `ebm evaluate --ood` on the tiny recipe: every shift, every detector, metrics in range, and the
/// physics shifts regenerated with a changed model hash.
final class OODEvaluationTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func testOODWritesEveryShiftForEveryDetector() throws {
        let (data, ebmRun, ffRun) = try EBMProcess.tinyTrainedRuns(in: scratch)
        let out = scratch.appendingPathComponent("ood")
        let r = try EBMProcess.succeeding(["evaluate", "--ood", "--model", ebmRun, "--baseline", ffRun, "--data", data,
                                           "--episodes", "5", "--out", out.path])
        XCTAssertTrue(r.stdout.contains("| time reversed |"), r.stdout)
        XCTAssertTrue(r.stderr.contains("11/11 steps (normal episodes, then each shift) (100%)"), "progress off a terminal: \(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("ood.json"))) as! [String: Any]
        let shifts = try XCTUnwrap(json["shifts"] as? [[String: Any]])
        XCTAssertEqual(shifts.map { $0["shift"] as! String },
                       ["mass", "mass-retuned", "damping", "gear", "controller", "reversed", "averaged", "averaged-any", "glitch", "noise"])
        var hashes = Set<String>()
        for s in shifts {
            // averaged pairs that end on a goal are left out
            if s["shift"] as? String == "averaged" { XCTAssertTrue((1...5).contains(s["episodes"] as! Int)) } else { XCTAssertEqual(s["episodes"] as? Int, 5) }
            for key in ["ebm", "feedforward", "gaussian"] {
                let m = try XCTUnwrap(s[key] as? [String: Any], "\(s["shift"]!) \(key)")
                for metric in ["auroc", "fpr_at_95_tpr", "auroc_max_window"] {
                    let v = try XCTUnwrap(m[metric] as? Double)
                    XCTAssertTrue((0...1).contains(v), "\(s["shift"]!) \(key) \(metric) = \(v)")
                }
            }
            if let h = s["model_sha256"] as? String { hashes.insert(h) }
        }
        // mass (both controllers: one changed MJCF), damping and gear each compile a different model; the
        // controller shift keeps the robot's
        XCTAssertEqual(hashes.count, 4)
        XCTAssertEqual(shifts[0]["model_sha256"] as? String, shifts[1]["model_sha256"] as? String)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data).appendingPathComponent("meta.json"))) as! [String: Any]
        XCTAssertEqual(shifts[4]["model_sha256"] as? String, meta["model_sha256"] as? String)
        XCTAssertNotEqual(shifts[0]["model_sha256"] as? String, meta["model_sha256"] as? String)
        // random torques on a reacher that otherwise settles on a goal: every detector sees it
        let controller = shifts[4]["ebm"] as! [String: Any]
        XCTAssertGreaterThan(controller["auroc"] as! Double, 0.5)
    }
}
