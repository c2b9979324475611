// IntentBenchmark: how often goal scorers name the goal a partial trajectory pursues, as more of it
// is observed and under bounded signed-gradient attacks on the observed states.

import Foundation
import Trajectories

/// The intent benchmark of `ebm evaluate intent` over the first episodes of a labelled split.
public struct IntentBenchmark {
    /// The scorers compared, in report order.
    public var scorers: [any GoalScorer]
    /// Labelled test episodes; the first `episodes` are used.
    public var test: TrajectoryDataset
    public var episodes: Int
    /// Goals G (labels 0..<G).
    public var goalCount: Int

    public init(scorers: [any GoalScorer], test: TrajectoryDataset, episodes: Int, goalCount: Int) {
        (self.scorers, self.test, self.episodes, self.goalCount) = (scorers, test, episodes, goalCount)
    }

    /// States (N, T + 1, S) of the used episodes, as float32.
    var states: [Float] { test.states.prefix(episodes * (test.steps + 1) * test.stateSize).map(Float.init) }
    var labels: [Int] { test.goal.prefix(episodes).map { Int($0) } }

    /// Accuracy [scorer][observed] of each scorer on the prefixes s_0 … s_n for each n in `observed`.
    public func accuracy(observed: [Int]) -> [[Double]] {
        let (states, labels, T1) = (states, labels, test.steps + 1)
        var curves = [[Double]](repeating: [], count: scorers.count)
        for n in observed {
            for (i, scorer) in scorers.enumerated() {
                curves[i].append(IntentInference.accuracy(scores: IntentInference.prefixScores(scorer, states: states, episodes: episodes, length: T1, observed: n),
                                                          labels: labels, goalCount: goalCount))
            }
        }
        return curves
    }

    /// Per-coordinate standard deviation (S) of `data`'s states, at least 1e-6: the unit of attack radii.
    public static func attackScale(_ data: TrajectoryDataset) -> [Float] {
        let S = data.stateSize
        var scale = [Float](repeating: 0, count: S)
        let states = data.states
        let count = Double(states.count / S)
        for d in 0..<S {
            var (sum, squares) = (0.0, 0.0)
            for i in stride(from: d, to: states.count, by: S) { sum += states[i]; squares += states[i] * states[i] }
            scale[d] = Float(max((squares / count - (sum / count) * (sum / count)).squareRoot(), 1e-6))
        }
        return scale
    }

    /// Accuracy [length][scorer][epsilon] after an L∞ attack of radius ε × `scale` (per coordinate) on
    /// the observed prefix s_0 … s_n, for each n in `lengths`, with `iterations` signed-gradient steps.
    public func adversarialAccuracy(lengths: [Int], epsilons: [Double], scale: [Float], iterations: Int) -> [[[Double]]] {
        let (states, labels, T1) = (states, labels, test.steps + 1)
        return lengths.map { n in
            scorers.map { scorer in
                epsilons.map { epsilon in
                    let perturbed = IntentInference.attack(scorer, states: states, episodes: episodes, length: T1, observed: n, labels: labels,
                                                           epsilon: Float(epsilon), scale: scale, iterations: iterations)
                    return IntentInference.accuracy(scores: IntentInference.prefixScores(scorer, states: perturbed, episodes: episodes, length: T1, observed: n),
                                                    labels: labels, goalCount: goalCount)
                }
            }
        }
    }
}
