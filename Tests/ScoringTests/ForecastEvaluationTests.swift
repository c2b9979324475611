import EnergyModels
import Foundation
import NeuralCore
import Sampling
import Simulation
import Trajectories
import XCTest
@testable import Scoring

/// The forecast evaluation on episodes of the tiny reacher2 recipe with an untrained model: each
/// section agrees with the sampler and scores called directly, and reports what it was asked for.
final class ForecastEvaluationTests: XCTestCase {
    func evaluation(steps: Int = 3) throws -> (ForecastEvaluation, ReferenceSimulator) {
        let file = EvaluationSectionsTests.recipeFile
        let sim = try ReferenceSimulator(recipe: Recipe(json: [UInt8](Data(contentsOf: file)), file: file.path))
        let data = try sim.generator.generate(.train, range: 0..<4, threads: 1)
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (4, 4, 16, 2)
        let encoding = WindowEncoding(stateSize: 4, contextLength: 4, horizon: 4, futureAsDelta: true,
                                      mean: [Float](repeating: 0, count: 32), standardDeviation: [Float](repeating: 1, count: 32))
        let model = FutureModel.contrastive(TrajectoryEnergyModel(configuration: c, encoding: encoding, seed: 5), langevin: LangevinConfiguration())
        let ff = FeedforwardPredictor(configuration: c, encoding: encoding, seed: 6)
        let e = try ForecastEvaluation(model: model, dataset: data, sampler: FutureSampler(kind: .langevin, steps: steps),
                                       curveSampler: FutureSampler(kind: .langevin), feedforward: ff, seed: 11)
        return (e, sim)
    }

    func testForecastAgreesWithTheSamplerAndScoresCalledDirectly() throws {
        let (e, _) = try evaluation()
        let (k, total, S) = (e.k, e.total, e.S)
        let report = try e.forecast(contexts: 2, samples: 3)
        let contexts = (0..<2).flatMap { ep in (0..<k).flatMap { Array(e.dataset.state(episode: ep, step: $0)) } }
        let direct = try FutureSampler(kind: .langevin, steps: 3).sample(e.model, contexts: contexts, chainsPerContext: 3, total: total, seed: 11)
        XCTAssertEqual(report.futures, direct.futures)
        let truth = (0..<2).flatMap { ep in (k..<e.length).flatMap { Array(e.dataset.state(episode: ep, step: $0)) } }
        XCTAssertEqual(report.ebm, try ForecastScores(paths: direct.futures, perContext: 3, truth: truth, contexts: 2, steps: total, stateSize: S))
        // the baseline: one chained prediction per context
        let firstContext = Array(contexts[0..<(k * S)])
        XCTAssertEqual(Array(report.baselineFutures![0..<(total * S)]), e.feedforward!.rollout(context: firstContext, total: total))
        XCTAssertNotNil(report.baseline)
        XCTAssertNil(report.truthValidity)
        XCTAssertEqual(report.table.count, 3)
        XCTAssertEqual(report.table[0].count, 5, "no goal columns without goals")
        XCTAssertEqual((report.curves["step"] as? [Int])?.count, total)
        // a typed, encodable result
        let decoded = try JSONDecoder().decode(ForecastReport.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(decoded.ebm, report.ebm)
        XCTAssertTrue(decoded.futures.isEmpty, "futures are not encoded")
    }

    func testQualityVsStepsSortsCountsAndZeroStepsIsTheInitialNoise() throws {
        let (e, _) = try evaluation()
        let report = try e.forecast(contexts: 2, samples: 2)
        let steps = try e.qualityVsSteps(contexts: 1, samples: 2, stepCounts: [4, 0, 4], baselineFutures: report.baselineFutures)
        XCTAssertEqual(steps.rows.map(\.steps), [0, 4])
        XCTAssertEqual(steps.table.count, 1 + 2 + 1)
        XCTAssertEqual(steps.dictionary["steps"] as? [Int], [0, 4])
        // the curve sampler with 4 steps is the plain sampler run with 4 steps on the first context
        var four = e.curveSampler
        four.steps = 4
        let direct = try e.sampleFutures(contexts: 1, chains: 2, total: e.total, sampler: four)
        XCTAssertEqual(steps.rows[1].scores, try e.score(direct.futures, perContext: 2, contexts: 1))
        XCTAssertEqual(e.defaultStepCounts, [0, 5, 10, 20, 40, 60, 120])
    }

    func testLongHorizonAndDistributionSections() throws {
        let (e, sim) = try evaluation()
        let long = try e.longHorizon(states: 12, contexts: 2, chains: 2, margin: 0.1, reference: e.dataset, physics: nil)
        XCTAssertEqual(long.ebm.withinRange.count, 12)
        XCTAssertEqual(long.baseline?.frechet.count, 12)
        XCTAssertEqual(long.dataWithinRange, 1, "the reference's own episodes lie in its ranges")
        XCTAssertEqual(long.table.count, 4)
        XCTAssertNotNil(long.dictionary["data"])
        let report = try e.forecast(contexts: 2, samples: 2)
        let d = try e.distribution(of: report, simulator: sim, referenceSamples: 2, reference: e.dataset)
        XCTAssertEqual(d.contexts, 2)
        XCTAssertNotNil(d.baseline)
        XCTAssertNotNil(d.resimulatedHalf)
        XCTAssertEqual(d.site, sim.model.names(.site)[0])
        XCTAssertGreaterThan(d.ebm.energyScoreFuture, 0)
        XCTAssertNil(try e.distribution(of: report, simulator: sim, referenceSamples: 1, reference: e.dataset).resimulatedHalf)
    }

    func testMismatchedDataIsRefused() throws {
        let (e, _) = try evaluation()
        let other = TrajectoryDataset(episodes: 1, steps: 9, stateSize: 2, controlSize: 1, siteCount: 0, states: [Double](repeating: 0, count: 20),
                                      controls: [Double](repeating: 0, count: 9), sites: [], goal: [-1], episodeSeed: [0])
        XCTAssertThrowsError(try ForecastEvaluation(model: e.model, dataset: other, sampler: e.sampler, curveSampler: e.curveSampler)) {
            XCTAssertTrue("\($0)".contains("the model reads 4"), "\($0)")
        }
    }

    /// The figures of `ebm evaluate`: one SVG and one PNG per plot, its series named in it.
    func testSectionPlotsAreWrittenAsSVGAndPNG() throws {
        let (e, _) = try evaluation()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try e.forecast(contexts: 2, samples: 2)
        var files = try report.plots(to: dir)
        let steps = try e.qualityVsSteps(contexts: 1, samples: 2, stepCounts: [0, 4], baselineFutures: report.baselineFutures)
        files += try steps.plots(to: dir)
        XCTAssertEqual(files.map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["error_vs_horizon.svg", "error_vs_horizon.png", "ade_vs_steps.svg", "ade_vs_steps.png"], "no goals: no quality_vs_steps")
        let svg = try String(contentsOf: dir.appendingPathComponent("error_vs_horizon.svg"), encoding: .utf8)
        for name in ["EBM mean of K", "EBM best of K", "feedforward", "future step"] { XCTAssertTrue(svg.contains(name), name) }
        for f in files { XCTAssertGreaterThan(try Data(contentsOf: URL(fileURLWithPath: f)).count, 100, f) }
    }
}
