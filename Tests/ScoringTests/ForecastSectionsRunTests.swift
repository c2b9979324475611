import EnergyModels
import Foundation
import NeuralCore
import Sampling
import Simulation
import Trajectories
import XCTest
@testable import Scoring

/// `ForecastEvaluation.run(_:after:…)`: on a generated dataset folder, the sections asked for run in
/// order, print what the section calls return, and add their metrics and plots; 0 skips a section.
final class ForecastSectionsRunTests: XCTestCase {
    func testSectionsRunInOrderAndMatchTheDirectCalls() throws {
        let file = EvaluationSectionsTests.recipeFile
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sections-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try DatasetGenerator(recipe: Recipe(json: [UInt8](Data(contentsOf: file)), file: file.path)).write(to: folder.appendingPathComponent("data"), projectVersion: "test", threads: 1)
        let data = folder.appendingPathComponent("data").path
        let test = try TrajectoryDataset(folder: data, split: .test)
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (4, 4, 16, 2)
        let encoding = WindowEncoding(stateSize: 4, contextLength: 4, horizon: 4, futureAsDelta: true,
                                      mean: [Float](repeating: 0, count: 32), standardDeviation: [Float](repeating: 1, count: 32))
        let model = FutureModel.contrastive(TrajectoryEnergyModel(configuration: c, encoding: encoding, seed: 5), langevin: LangevinConfiguration())
        let e = try ForecastEvaluation(model: model, dataset: test, sampler: FutureSampler(kind: .langevin, steps: 3),
                                       curveSampler: FutureSampler(kind: .langevin), feedforward: nil, seed: 11)
        let report = try e.forecast(contexts: 2, samples: 3)
        var sections = ForecastEvaluation.Sections()
        (sections.referenceSamples, sections.longHorizon, sections.longContexts, sections.longSamples) = (4, 40, 2, 2)
        (sections.curveEpisodes, sections.stepCounts) = (2, [0, 2])
        XCTAssertEqual(sections.count, 4)
        var names: [String] = [], lines: [[String]] = []
        let plots = folder.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
        let result = try e.run(sections, after: report, folder: data, split: .test, plotsTo: plots, started: { names.append($0) }, printed: { lines.append($0) })
        XCTAssertEqual(names, ["distribution against 4 re-simulated futures per context", "long horizon: 2 contexts × 2 chains of 40 states", "quality vs steps"])
        XCTAssertEqual(Set(result.metrics.keys), ["distribution", "long_horizon", "quality_vs_steps"])
        XCTAssertFalse(result.plots.isEmpty)
        for p in result.plots { XCTAssertTrue(FileManager.default.fileExists(atPath: p), p) }

        // the distribution section's figures are those of the direct call on the train split's reference
        let reference = try ForecastEvaluation.referenceSplit(folder: data, split: .test, evaluated: test, stateSize: 4, needed: true)
        let direct = try e.distribution(of: report, simulator: ReferenceSimulator(dataFolder: data), referenceSamples: 4, reference: reference)
        XCTAssertEqual(Array(lines[0].dropFirst()), ForecastEvaluation.tableLines(direct.table))
        XCTAssertEqual(lines[1].last, try e.longHorizon(states: 40, contexts: 2, chains: 2, margin: 0.1, reference: reference, physics: nil).footnote)

        // nothing asked, nothing run
        var none = ForecastEvaluation.Sections()
        (none.referenceSamples, none.longHorizon, none.curveEpisodes) = (0, 0, 0)
        names = []
        let empty = try e.run(none, after: report, folder: data, split: .test, plotsTo: plots, started: { names.append($0) })
        XCTAssertTrue(empty.metrics.isEmpty && empty.plots.isEmpty && names.isEmpty)
        XCTAssertEqual(none.count, 1)
    }
}
