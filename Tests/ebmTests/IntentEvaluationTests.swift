import Foundation
import XCTest

/// `ebm evaluate --intent` on the tiny recipe with a goal-conditioned model: the curves and attack
/// tables are written with values in range; sampling commands and --intent refuse the wrong models.
final class IntentEvaluationTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func testIntentCurvesAndRefusals() throws {
        let (data, plainRun, _) = try EBMProcess.tinyTrainedRuns(in: scratch)
        var config = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: EBMProcess.recipes + "/reacher2-tiny.train.json"))) as! [String: Any]
        var model = config["model"] as! [String: Any], optimization = config["optimization"] as! [String: Any]
        model["conditionOnGoal"] = true
        (optimization["steps"], optimization["goalCrossEntropy"]) = (10, 1)
        (config["model"], config["optimization"], config["checkpointEvery"], config["logEvery"]) = (model, optimization, 10, 5)
        let configFile = scratch.appendingPathComponent("goal.train.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)
        let goalRun = scratch.appendingPathComponent("goal").path
        try EBMProcess.succeeding(["train", "--data", data, "--config", configFile.path, "--out", goalRun, "--quiet"])

        let out = scratch.appendingPathComponent("intent")
        let r = try EBMProcess.succeeding(["evaluate", "--intent", "--model", goalRun, "--data", data, "--out", out.path,
                                           "--observed-steps", "7", "15", "30", "--classifier-steps", "20",
                                           "--attack-observed", "15", "--epsilons", "0", "0.1", "--attack-iterations", "2"])
        XCTAssertTrue(r.stdout.contains("| observed n | EBM argmin energy | direct classifier |"), r.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("intent.json"))) as! [String: Any]
        XCTAssertEqual(json["observed_steps"] as? [Int], [7, 15, 30])
        XCTAssertEqual(json["goals"] as? Int, 4)
        for key in ["ebm_accuracy", "classifier_accuracy"] {
            let values = try XCTUnwrap(json[key] as? [Double], key)
            XCTAssertEqual(values.count, 3)
            XCTAssertTrue(values.allSatisfy { (0...1).contains($0) }, "\(key) \(values)")
        }
        let attacked = try XCTUnwrap(json["ebm_adversarial_accuracy"] as? [[Double]])
        XCTAssertEqual(attacked.map(\.count), [2])
        // no attack = the clean accuracy at the same observed length
        XCTAssertEqual(attacked[0][0], (json["ebm_accuracy"] as! [Double])[1], accuracy: 1e-12)
        for name in ["intent_accuracy.png", "intent_adversarial.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }

        // an unconditioned model cannot name a goal; a goal-conditioned one cannot sample from states alone
        let plain = try EBMProcess.run(["evaluate", "--intent", "--model", plainRun, "--data", data, "--out", out.path])
        XCTAssertNotEqual(plain.status, 0)
        XCTAssertTrue(plain.stderr.contains("conditionOnGoal"), plain.stderr)
        let predict = try EBMProcess.run(["predict", "--model", goalRun, "--data", data, "--out", scratch.appendingPathComponent("p.npz").path])
        XCTAssertNotEqual(predict.status, 0)
        XCTAssertTrue(predict.stderr.contains("conditioned on a goal label"), predict.stderr)
    }
}
