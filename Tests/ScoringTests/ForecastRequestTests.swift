// ForecastRequestTests: `ForecastEvaluation.run(_ request:…)` (ebm evaluate's forecast) from files —
// trained runs and a generated dataset — prints the summary and the files, reports its sections,
// writes metrics.json with the request's figures; a baseline reading more states than the model's
// context is refused before anything is sampled.

import EnergyModels
import Foundation
import Sampling
import Trajectories
import XCTest
@testable import Scoring

final class ForecastRequestTests: XCTestCase {
    func testRequestFromFilesWritesMetricsAndRefusesALongerBaseline() throws {
        let file = EvaluationSectionsTests.recipeFile
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("forecast-request-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try DatasetGenerator(recipe: Recipe(json: [UInt8](Data(contentsOf: file)), file: file.path)).write(to: data, projectVersion: "test", threads: 1)
        func train(_ kind: ModelKind, context: Int, horizon: Int = 4, name: String) throws -> String {
            var c = TrainingConfiguration()
            (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (context, horizon, 8, 2)
            (c.optimization.steps, c.optimization.batchSize, c.checkpointEvery, c.logEvery) = (2, 8, 0, 1)
            let out = folder.appendingPathComponent(name)
            _ = try Trainer(kind: kind, configuration: c, dataDirectory: data, outputDirectory: out).run()
            return out.path
        }
        let (ebm, ff, longFF) = (try train(.ebm, context: 2, name: "ebm"), try train(.feedforward, context: 2, name: "ff"), try train(.feedforward, context: 3, name: "ff3"))

        var request = ForecastEvaluation.Request(model: ebm, baseline: ff, data: data.path)
        (request.contexts, request.samples, request.seed) = (2, 3, 4)
        (request.sections.referenceSamples, request.sections.longHorizon, request.sections.curveEpisodes) = (0, 0, 0)
        var lines: [String] = [], progress = ""
        let out = folder.appendingPathComponent("eval")
        let metrics = try ForecastEvaluation.run(request, sampler: { try FutureSampler(kind: .langevin, chainDefault: .langevin, for: $0, steps: 2) }, out: out,
                                                 progress: SectionProgress(command: "evaluate", sections: request.sections.count) { progress += $0 }) { lines.append($0) }
        XCTAssertTrue(lines[0].hasPrefix("evaluate: 2 episodes × 3 futures of "), lines[0])
        XCTAssertTrue(lines[0].contains("(langevin, 2 steps per block)"), lines[0])
        XCTAssertEqual(lines.last, "wrote \(out.path)/metrics.json, \(out.path)/error_vs_horizon.svg and \((metrics["plots"] as? [String] ?? []).count - 1) more plots")
        XCTAssertTrue(progress.hasPrefix("evaluate: section 1/1, forecast: 2 contexts × 3 futures …"), progress)
        XCTAssertTrue(progress.contains("evaluate: 1/1 sections done in "), progress)
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as? [String: Any]
        XCTAssertEqual(written?["seed"] as? Int, 4)
        XCTAssertEqual(written?["baseline_model"] as? String, ff)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("error_vs_horizon.svg").path))

        request.baseline = longFF
        XCTAssertThrowsError(try ForecastEvaluation.run(request, sampler: { try FutureSampler(kind: nil, chainDefault: .mala, for: $0) },
                                                        out: folder.appendingPathComponent("eval2"))) { error in
            XCTAssertEqual("\(error)", "--baseline \(longFF): reads 3 states of 4, this context offers 2 of 4")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("eval2").path), "nothing written")

        // FutureComposition.experts (ebm compose's loading): one H and S for all, else the first that differs is named
        XCTAssertEqual(try FutureComposition.experts(runs: [ebm, ebm]).map(\.encoding.horizon), [4, 4])
        let shorter = try train(.ebm, context: 2, horizon: 3, name: "ebm-h3")
        XCTAssertThrowsError(try FutureComposition.experts(runs: [ebm, shorter])) { error in
            XCTAssertEqual("\(error)", "--model \(shorter): reads 3 future states of 4, --model \(ebm) reads 4 of 4")
        }
        XCTAssertThrowsError(try FutureComposition.experts(runs: [ebm, folder.appendingPathComponent("none").path])) { XCTAssertTrue($0 is RunFolderError) }
    }

    /// `Request.validate()` (ebm evaluate's size checks): each size out of range is named with its flag.
    func testRequestSizesOutOfRangeNameTheirFlags() {
        func refused(_ change: (inout ForecastEvaluation.Request) -> Void) -> String? {
            var r = ForecastEvaluation.Request(model: "m", data: "d")
            change(&r)
            do { try r.validate(); return nil } catch { return "\(error)" }
        }
        XCTAssertNil(refused { _ in })
        XCTAssertNil(refused { ($0.sections.referenceSamples, $0.sections.longHorizon, $0.sections.curveEpisodes) = (0, 0, 0) }, "0 skips a section")
        XCTAssertEqual(refused { $0.contexts = 0 }, "--episodes must be at least 1")
        XCTAssertEqual(refused { $0.sections.longSamples = 0 }, "--long-contexts and --long-samples must be at least 1")
        XCTAssertEqual(refused { $0.sections.rangeMargin = .infinity }, "--range-margin must be a finite number ≥ 0")
        XCTAssertEqual(refused { $0.radius = 0 }, "--radius 0.0 must be a finite number > 0")
        XCTAssertEqual(refused { $0.sections.stepCounts = [0, -1] }, "--step-counts must list step counts ≥ 0")
        XCTAssertEqual(refused { ($0.contexts, $0.radius) = (0, 0) }, "--episodes must be at least 1", "the first problem")
    }
}
