// SamplerBenchmarkTests: `ebm bench sample`'s untrained models have the configuration's
// architecture at each horizon, and a measurement reports the sampler's own figures.

import EnergyModels
import Foundation
import NeuralCore
import XCTest
@testable import Sampling

final class SamplerBenchmarkTests: XCTestCase {
    func testUntrainedModelsPerHorizon() {
        var configuration = TrainingConfiguration()
        (configuration.model.contextLength, configuration.model.hiddenWidth, configuration.model.depth) = (3, 16, 2)
        let models = SamplerBenchmark.untrainedModels(configuration: configuration, stateSize: 2, horizons: [1, 4])
        XCTAssertEqual(models.map(\.name), ["untrained H=1", "untrained H=4"])
        XCTAssertEqual(models.map(\.model.encoding.horizon), [1, 4])
        for (_, m) in models {
            XCTAssertEqual(m.encoding.contextLength, 3)
            XCTAssertEqual(m.encoding.stateSize, 2)
            XCTAssertEqual(m.encoding.mean, [Float](repeating: 0, count: m.encoding.width))
            XCTAssertEqual(m.encoding.standardDeviation, [Float](repeating: 1, count: m.encoding.width))
        }
    }

    /// `models(runs:configuration:…)`: untrained models of the configuration file without runs; a file
    /// that does not load names --config; a missing run is the run folder's error.
    func testModelsFromAConfigurationFileOrRuns() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-sample-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try #"{"model": {"contextLength": 3, "hiddenWidth": 16, "depth": 2}}"#.write(to: file, atomically: true, encoding: .utf8)
        let models = try SamplerBenchmark.models(runs: [], configuration: file.path, stateSize: 2, horizons: [1, 4])
        XCTAssertEqual(models.map(\.name), ["untrained H=1", "untrained H=4"])
        XCTAssertEqual(models.map(\.model.encoding.contextLength), [3, 3])
        XCTAssertThrowsError(try SamplerBenchmark.models(runs: [], configuration: "/nonexistent.json", stateSize: 2, horizons: [1])) {
            XCTAssertTrue("\($0)".hasPrefix("--config /nonexistent.json: "), "\($0)")
        }
        XCTAssertThrowsError(try SamplerBenchmark.models(runs: ["/nonexistent/run"], configuration: file.path, stateSize: 2, horizons: [1])) {
            XCTAssertEqual($0 as? RunFolderError, .missing(path: "/nonexistent/run"))
        }
    }

    func testMeasurementReportsTheRunsFigures() throws {
        var configuration = TrainingConfiguration()
        (configuration.model.contextLength, configuration.model.hiddenWidth, configuration.model.depth) = (2, 8, 2)
        let (name, model) = SamplerBenchmark.untrainedModels(configuration: configuration, stateSize: 2, horizons: [3])[0]
        let sampler = try FutureSampler(kind: .mala, chainDefault: .langevin, for: model, steps: 4)
        let row = try SamplerBenchmark.measure(model, name: name, sampler: sampler, samples: 5, steps: 4, threads: 1, minTime: 0.01)
        XCTAssertEqual(row.model, "untrained H=3")
        XCTAssertEqual(row.sampler, "mala")
        XCTAssertEqual([row.horizon, row.samples, row.steps, row.threads], [3, 5, 4, 1])
        XCTAssertEqual(row.threading, "single")
        XCTAssertGreaterThan(row.futures_per_second, 0)
        XCTAssertEqual(row.states_per_second, 3 * row.futures_per_second, accuracy: 1e-9 * row.states_per_second)
        // K futures per run at R futures/s: a run takes K / R seconds, i.e. steps of K / (R · steps)
        XCTAssertEqual(row.milliseconds_per_step, 1000 * 5 / (row.futures_per_second * 4), accuracy: 1e-9 * row.milliseconds_per_step)
        guard case .automatic = model.network.threading else { return XCTFail("threading is automatic afterwards") }
        // the table row and the JSON of `ebm bench sample`
        var fixed = row
        (fixed.futures_per_second, fixed.states_per_second, fixed.milliseconds_per_step) = (12.34, 37.02, 0.5)
        XCTAssertTrue(fixed.line.hasSuffix(" H  3  threads  1        12.3 futures/s        37.0 states/s    0.500 ms/step"), fixed.line)
        XCTAssertTrue(fixed.line.hasPrefix("untrained H=3"), fixed.line)
        let json = try SamplerBenchmark.json([fixed])
        XCTAssertTrue(json.hasPrefix(#"[{"futures_per_second":12.34,"horizon":3,"milliseconds_per_step":0.5,"model":"untrained H=3","#), json)
        XCTAssertEqual(try JSONDecoder().decode([SamplerBenchmark.Row].self, from: Data(json.utf8)), [fixed])
    }
}
