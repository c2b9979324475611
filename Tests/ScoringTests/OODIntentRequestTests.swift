// OODIntentRequestTests: `OODBenchmark.run(_ request:…)` and `IntentEvaluation.run(_ request:…)`
// (ebm evaluate ood / intent) from files — trained runs and a generated dataset — print their
// summary, table and files and write ood.json/ood.md or intent.json; a dataset or setting at fault
// is named as `ebm evaluate` names it, and nothing is written.

import EnergyModels
import Foundation
import Trajectories
import XCTest
@testable import Scoring

final class OODIntentRequestTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ood-intent-request-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { if let folder { try? FileManager.default.removeItem(at: folder) } }

    /// The tiny reacher2 dataset in `name`, and an energy model trained on it for two steps.
    func dataAndRun(conditionOnGoal: Bool = false) throws -> (data: URL, run: String) {
        let file = EvaluationSectionsTests.recipeFile
        let data = folder.appendingPathComponent("data")
        try DatasetGenerator(recipe: Recipe(json: [UInt8](Data(contentsOf: file)), file: file.path)).write(to: data, projectVersion: "test", threads: 1)
        var c = TrainingConfiguration()
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth, c.model.conditionOnGoal) = (2, 4, 8, 2, conditionOnGoal)
        (c.optimization.steps, c.optimization.batchSize, c.checkpointEvery, c.logEvery) = (2, 8, 0, 1)
        let run = folder.appendingPathComponent("ebm")
        _ = try Trainer(kind: .ebm, configuration: c, dataDirectory: data, outputDirectory: run).run()
        return (data, run.path)
    }

    func testOODRequestWritesTheTableAndNamesAMetaWithoutRecipe() throws {
        let (data, run) = try dataAndRun()
        var request = OODBenchmark.Request(model: run, data: data.path)
        (request.episodes, request.descentSteps, request.seed) = (5, 0, 2)
        let out = folder.appendingPathComponent("ood")
        var lines: [String] = [], calls = 0
        let evaluation = try OODBenchmark.run(request, out: out, progress: { _, _ in calls += 1 }) { lines.append($0) }
        XCTAssertTrue(lines[0].hasPrefix("evaluate --ood: 5 normal vs 5 shifted episodes per shift"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("| shift | "), lines[1])
        XCTAssertEqual(lines.count, 1 + 2 + evaluation.report.shifts.count + 2, "summary, header and rule, one row per shift, verdict, files")
        XCTAssertEqual(lines.last, "wrote \(out.path)/ood.json, \(out.path)/ood.md")
        XCTAssertGreaterThan(calls, 0, "progress heard")
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("ood.md"), encoding: .utf8), evaluation.markdown)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("ood.json"))) as? [String: Any]
        XCTAssertEqual(json?["model"] as? String, run)
        XCTAssertTrue(json?["baseline_model"] is NSNull)
        XCTAssertEqual(json?["shift_count"] as? Int, evaluation.report.shifts.count)

        // a meta.json without recipe: the dataset's file named, nothing written
        let metaURL = data.appendingPathComponent("meta.json")
        var meta = try JSONSerialization.jsonObject(with: Data(contentsOf: metaURL)) as! [String: Any]
        meta["recipe"] = nil
        try JSONSerialization.data(withJSONObject: meta).write(to: metaURL)
        let out2 = folder.appendingPathComponent("ood2")
        XCTAssertThrowsError(try OODBenchmark.run(request, out: out2)) { error in
            XCTAssertEqual((error as? ScoringError)?.fileError?.kind, .mismatched)
            XCTAssertEqual("\(error)", "\(data.path)/meta.json: no recipe; the physics and controller shifts regenerate from it")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out2.path), "nothing written")
    }

    func testIntentRequestWritesTheTablesAndNamesTheObservedSteps() throws {
        let (data, run) = try dataAndRun(conditionOnGoal: true)
        var request = IntentEvaluation.Request(model: run, data: data.path)
        (request.settings.episodes, request.settings.observedSteps, request.settings.classifierSteps) = (3, [5, 10], 2)
        (request.settings.attackObserved, request.settings.epsilons, request.settings.attackIterations) = ([5], [0, 0.1], 1)
        let out = folder.appendingPathComponent("intent")
        var lines: [String] = []
        let result = try IntentEvaluation.run(request, out: out) { lines.append($0) }
        XCTAssertEqual(result.observed, [5, 10])
        XCTAssertTrue(lines[0].hasPrefix("evaluate --intent: 3 episodes, 4 goals, windows of 6 states"), lines[0])
        XCTAssertEqual(lines[1...].dropLast().joined(separator: "\n") + "\n", result.report.markdown)
        XCTAssertTrue(lines.last!.hasPrefix("wrote \(out.path)/intent.json, "), lines.last!)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("intent.json"))) as? [String: Any]
        XCTAssertEqual(json?["observed_steps"] as? [Int], [5, 10])
        XCTAssertEqual(json?["split"] as? String, "test")

        request.settings.observedSteps = [200]
        let out2 = folder.appendingPathComponent("intent2")
        XCTAssertThrowsError(try IntentEvaluation.run(request, out: out2)) { error in
            XCTAssertEqual("\(error)", "--observed-steps: none in 5...30 (a window holds 6 states; episodes 31)")
            XCTAssertNil((error as? ScoringError)?.fileError, "a setting, not a file")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out2.path), "nothing written")
    }

    /// `Settings.validate()` (ebm evaluate's intent checks): each setting out of range named with its flag.
    func testIntentSettingsOutOfRangeNameTheirFlags() {
        func refused(_ change: (inout IntentEvaluation.Settings) -> Void) -> String? {
            var s = IntentEvaluation.Settings()
            change(&s)
            do { try s.validate(); return nil } catch { return "\(error)" }
        }
        XCTAssertNil(refused { _ in })
        XCTAssertEqual(refused { $0.classifierSteps = 0 }, "--intent-episodes, --classifier-steps and --attack-iterations must be at least 1")
        XCTAssertEqual(refused { $0.observedSteps = [] }, "--observed-steps must list state indices ≥ 0")
        XCTAssertEqual(refused { $0.attackObserved = [3, -1] }, "--attack-observed must list state indices ≥ 0")
        XCTAssertEqual(refused { $0.epsilons = [.nan] }, "--epsilons must list finite radii ≥ 0")
    }
}
