import Foundation
import Trajectories
import XCTest
@testable import Scoring

/// Goal 1 when the window's last first coordinate is positive: s = (−x, x) of the last state.
struct SignScorer: GoalScorer {
    var name: String { "sign" }
    var goalCount: Int { 2 }
    var windowLength: Int { 2 }
    var stateSize: Int { 1 }
    func windowScores(states: [Float]) -> [Float] {
        var out: [Float] = []
        for b in 0..<states.count / 2 { let x: Float = states[b * 2 + 1]; out += [-x, x] }
        return out
    }
    func stateGradient(states: [Float], weights: [Float]) -> [Float] {
        var out: [Float] = []
        for b in 0..<states.count / 2 { let w: Float = weights[b * 2 + 1] - weights[b * 2]; out += [0, w] }
        return out
    }
}

/// Accuracy grows as the sign shows, attacks of a large radius flip it, and the attack unit is the data's spread.
final class IntentBenchmarkTests: XCTestCase {
    func testAccuracyByObservedStatesAndUnderAttack() {
        // 4 episodes of 5 states: x = 0 for t < 3, then ±1 by goal (goals 0, 1, 0, 1)
        let goals: [Int64] = [0, 1, 0, 1]
        let states = goals.flatMap { g in (0..<5).map { t -> Double in t < 3 ? 0 : (g == 1 ? 1 : -1) } }
        let data = TrajectoryDataset(episodes: 4, steps: 4, stateSize: 1, controlSize: 0, siteCount: 0, states: states, controls: [], sites: [],
                                     goal: goals, episodeSeed: [0, 1, 2, 3])
        let benchmark = IntentBenchmark(scorers: [SignScorer()], test: data, episodes: 4, goalCount: 2)
        let curve = benchmark.accuracy(observed: [1, 4])[0]
        XCTAssertEqual(curve[1], 1, "the sign is visible at n = 4")
        XCTAssertLessThan(curve[0], 1, "nothing to see at n = 1")
        let scale = IntentBenchmark.attackScale(data)
        XCTAssertEqual(Double(scale[0]), (8.0 / 20).squareRoot(), accuracy: 1e-6)   // mean 0; ±1 on 8 of 20 states
        let attacked = benchmark.adversarialAccuracy(lengths: [4], epsilons: [0, 5], scale: scale, iterations: 4)
        XCTAssertEqual(attacked[0][0][0], 1, "ε = 0 changes nothing")
        XCTAssertLessThan(attacked[0][0][1], 1, "a radius of 5 spreads flips the sign")
    }
}
