import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Scoring

/// The reference comparison and the long-horizon scores on the tiny reacher2 recipe: futures that
/// are the references themselves score zero discrepancy, the data's own continuations zero error.
final class EvaluationSectionsTests: XCTestCase {
    static let recipeFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("trajectories/reacher2-tiny.json")

    func simulator() throws -> ReferenceSimulator {
        try ReferenceSimulator(recipe: Recipe(json: [UInt8](Data(contentsOf: Self.recipeFile)), file: Self.recipeFile.path))
    }

    func testFuturesEqualToTheReferencesHaveNoDiscrepancy() throws {
        let sim = try simulator()
        let (k, M, S) = (4, 4, 4), total = sim.steps + 1 - 4
        let starts: [Double] = [0.1, 1.0, 0, 0, -0.2, 1.3, 0, 0]   // two contexts' first states
        // the references of each context, re-simulated as `run` seeds them: used as the sampled futures
        var futures: [Double] = []
        for e in 0..<2 {
            let master = EpisodeGenerator.episodeSeed(master: 9 ^ 0x5EF5_1A7E, index: e)
            let states = try sim.simulate(qpos: Array(starts[e * S..<e * S + 2]), qvel: Array(starts[e * S + 2..<e * S + 4]), count: M, seed: master).states
            let length = total + k
            for m in 0..<M {
                let from: Int = (m * length + k) * S, to: Int = (m + 1) * length * S
                futures += states[from..<to]
            }
        }
        let comparison = ReferenceComparison(simulator: sim, deviation: [1, 1, 1, 1], site: 0, referenceSamples: M, contextLength: k)
        let same = try comparison.run(futures: futures, perContext: M, baseline: nil, starts: starts, total: total, seed: 9)
        XCTAssertEqual(same.ebm.mmdFuture, 0, accuracy: 1e-12)
        XCTAssertEqual(same.ebm.mmdSite, 0, accuracy: 1e-12)
        XCTAssertGreaterThan(same.resimulatedHalf.mmdFuture, 0)
        XCTAssertTrue((1...4).contains(same.referenceGoalsPerContext))
        // futures moved away score worse on every feature
        let shifted = try comparison.run(futures: futures.map { $0 + 0.5 }, perContext: M, baseline: nil, starts: starts, total: total, seed: 9)
        XCTAssertGreaterThan(shifted.ebm.energyScoreFuture, same.ebm.energyScoreFuture)
        XCTAssertGreaterThan(shifted.ebm.energyScoreSite, same.ebm.energyScoreSite)
        XCTAssertGreaterThan(shifted.ebm.mmdFuture, 0.01)
    }

    func testTheDatasOwnContinuationsStayInRangeWithoutError() throws {
        let sim = try simulator()
        let data = try sim.generator.generate(.train, range: 0..<6, threads: 1)
        let S = 4, k = 4, N = data.steps + 1 - k
        var mean = [Double](repeating: 0, count: S), square = mean
        let n = Double(data.states.count / S)
        for (i, v) in data.states.enumerated() { mean[i % S] += v / n; square[i % S] += v * v / n }
        let deviation = (0..<S).map { max((square[$0] - mean[$0] * mean[$0]).squareRoot(), 1e-12) }
        let judge = LongHorizonReference(states: data, mean: mean, deviation: deviation, margin: 0.1, evaluated: data, contextLength: k)
        // the episodes' own futures (6, N, S), one per context
        let paths = (0..<6).flatMap { e in (k..<k + N).flatMap { Array(data.state(episode: e, step: $0)) } }
        let own = try judge.scores(paths, count: 6, contexts: 6, length: N, physics: sim.model)
        XCTAssertEqual(own.withinRange, [Double](repeating: 1, count: N))
        XCTAssertEqual(own.error, [Double](repeating: 0, count: N))
        XCTAssertEqual(own.frechet[0], 0, accuracy: 1e-9, "the same states as the data's at that time")
        XCTAssertEqual(own.physics?.replayed, 6)
        XCTAssertEqual(own.at(own.withinRange, N), 1)
        XCTAssertTrue(own.at(own.frechet, N + 1).isNaN)
        // a generator that drifts off leaves the ranges and the distribution
        let drifting = paths.enumerated().map { $0.element + 0.05 * Double(($0.offset / S) % N) }
        let bad = try judge.scores(drifting, count: 6, contexts: 6, length: N, physics: nil)
        XCTAssertLessThan(bad.withinRange.last!, 1)
        XCTAssertGreaterThan(bad.frechet.last!, own.frechet.last! + 1)
        XCTAssertNil(bad.physics)
    }
}
