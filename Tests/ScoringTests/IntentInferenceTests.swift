import EnergyModels
import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import Scoring

/// Intent inference: gradients of both goal scorers against finite differences, a classifier that
/// must separate two walking directions, accuracy's tie rule and the attack's bound.
final class IntentInferenceTests: XCTestCase {
    /// Episodes walking +x (goal 0) or −x (goal 1), S = 2.
    static func walks(episodes: Int, steps: Int, seed: UInt64) -> TrajectoryDataset {
        var g = SeededGenerator(seed: seed)
        var states: [Double] = []
        for e in 0..<episodes {
            let direction = e % 2 == 0 ? 1.0 : -1.0
            var x = [0.1 * Double(g.nextGaussian()), 0.1 * Double(g.nextGaussian())]
            for _ in 0...steps {
                states += x
                x = [x[0] + 0.1 * direction + 0.02 * Double(g.nextGaussian()), x[1] + 0.02 * Double(g.nextGaussian())]
            }
        }
        return TrajectoryDataset(episodes: episodes, steps: steps, stateSize: 2, controlSize: 1, siteCount: 1, states: states,
                                 controls: [Double](repeating: 0, count: episodes * steps), sites: [Double](repeating: 0, count: episodes * (steps + 1) * 3),
                                 goal: (0..<episodes).map { Int64($0 % 2) }, episodeSeed: (0..<episodes).map(Int64.init))
    }

    func checkGradient(_ scorer: any GoalScorer, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var g = SeededGenerator(seed: seed)
        let B = 3, L = scorer.windowLength * scorer.stateSize, G = scorer.goalCount
        let states = (0..<(B * L)).map { _ in 0.3 * g.nextGaussian() }
        let weights = (0..<(B * G)).map { _ in g.nextGaussian() }
        func f(_ s: [Float]) -> Double { zip(scorer.windowScores(states: s), weights).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
        let analytic = scorer.stateGradient(states: states, weights: weights)
        for i in states.indices {
            var plus = states, minus = states
            plus[i] += 1e-2; minus[i] -= 1e-2
            let numeric = (f(plus) - f(minus)) / 2e-2
            XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 2e-2 * max(0.1, abs(numeric)), "\(scorer.name) state \(i)", file: file, line: line)
        }
    }

    func testGoalScorerGradientsMatchFiniteDifferences() throws {
        let windows = try TrajectoryWindows(Self.walks(episodes: 6, steps: 8, seed: 1), context: 2, future: 2)
        var configuration = ModelConfiguration()
        (configuration.contextLength, configuration.horizon, configuration.hiddenWidth, configuration.depth) = (2, 2, 16, 2)
        let encoding = WindowEncoding(windows: windows, futureAsDelta: true, goalCount: 2)
        checkGradient(try EnergyGoalScorer(model: TrajectoryEnergyModel(configuration: configuration, encoding: encoding, seed: 5)), seed: 2)
        checkGradient(try GoalClassifier(windows: windows, goalCount: 2, hiddenWidth: 16, depth: 2, steps: 5, batchSize: 16, seed: 3), seed: 4)
    }

    /// The best-goal energy is min over goals of the per-goal energies (the intent scorer's, which
    /// feeds each label itself), whatever label the episode carries — none included.
    func testBestGoalEnergyIsTheMinimumOverGoalsAndIgnoresTheLabel() throws {
        var data = Self.walks(episodes: 4, steps: 8, seed: 1)
        let windows = try TrajectoryWindows(data, context: 2, future: 2)
        var configuration = ModelConfiguration()
        (configuration.contextLength, configuration.horizon, configuration.hiddenWidth, configuration.depth) = (2, 2, 16, 2)
        let model = TrajectoryEnergyModel(configuration: configuration, encoding: WindowEncoding(windows: windows, futureAsDelta: true, goalCount: 2), seed: 5)
        let bestGoal = try GoalFreeEnergyScorer(model: model)
        let scores = try EpisodeScores(scoring: data, with: bestGoal).window
        let perGoal = try EnergyGoalScorer(model: model)
        let L = 4 * 2, states = data.states.map(Float.init)
        for e in 0..<4 {
            for w in 0..<(9 - 4 + 1) {
                let window = Array(states[(e * 9 + w) * 2..<((e * 9 + w) * 2 + L)])
                let expected = perGoal.windowScores(states: window).map { -Double($0) }.min()!
                XCTAssertEqual(scores[e * 6 + w], expected, accuracy: 1e-6, "episode \(e) window \(w)")
            }
        }
        data.goal = [-1, 1, 0, -1]  // relabelled or unlabelled: the same scores
        XCTAssertEqual(try EpisodeScores(scoring: data, with: bestGoal).window, scores)
        XCTAssertGreaterThan(Set(scores).count, 1)
        let unconditioned = TrajectoryEnergyModel(configuration: configuration, encoding: WindowEncoding(windows: windows, futureAsDelta: true), seed: 5)
        XCTAssertThrowsError(try GoalFreeEnergyScorer(model: unconditioned)) { XCTAssertTrue("\($0)".contains("conditionOnGoal")) }
    }

    func testUnconditionedModelIsRejected() throws {
        let windows = try TrajectoryWindows(Self.walks(episodes: 4, steps: 8, seed: 1), context: 2, future: 2)
        var configuration = ModelConfiguration()
        (configuration.contextLength, configuration.horizon, configuration.hiddenWidth) = (2, 2, 8)
        let model = TrajectoryEnergyModel(configuration: configuration, encoding: WindowEncoding(windows: windows, futureAsDelta: true), seed: 1)
        XCTAssertThrowsError(try EnergyGoalScorer(model: model)) { XCTAssertTrue("\($0)".contains("conditionOnGoal")) }
    }

    /// The classifier learns the walking direction; with no window observed every goal ties (chance);
    /// a large enough attack, kept inside its box, breaks it.
    func testClassifierSeparatesDirectionsAndTheAttackStaysInItsBox() throws {
        let train = try TrajectoryWindows(Self.walks(episodes: 40, steps: 12, seed: 5), context: 2, future: 2)
        let classifier = try GoalClassifier(windows: train, goalCount: 2, hiddenWidth: 32, depth: 2, steps: 300, batchSize: 64, seed: 6)
        let test = Self.walks(episodes: 10, steps: 12, seed: 7)
        let states = test.states.map(Float.init), labels = test.goal.map { Int($0) }
        let clean = IntentInference.prefixScores(classifier, states: states, episodes: 10, length: 13, observed: 6)
        XCTAssertEqual(IntentInference.accuracy(scores: clean, labels: labels, goalCount: 2), 1)
        let none = IntentInference.prefixScores(classifier, states: states, episodes: 10, length: 13, observed: 2)
        XCTAssertEqual(IntentInference.accuracy(scores: none, labels: labels, goalCount: 2), 0.5)

        let scale: [Float] = [0.5, 0.1]
        let attacked = IntentInference.attack(classifier, states: states, episodes: 10, length: 13, observed: 6, labels: labels,
                                              epsilon: 1, scale: scale, iterations: 10)
        for e in 0..<10 {
            for t in 0...12 {
                for d in 0..<2 {
                    let i = (e * 13 + t) * 2 + d, moved = abs(attacked[i] - states[i])
                    if t <= 6 { XCTAssertLessThanOrEqual(moved, scale[d] * 1.0001) } else { XCTAssertEqual(moved, 0) }
                }
            }
        }
        let broken = IntentInference.prefixScores(classifier, states: attacked, episodes: 10, length: 13, observed: 6)
        XCTAssertLessThan(IntentInference.accuracy(scores: broken, labels: labels, goalCount: 2), 0.5)
    }
}

/// The descent detector: zero without steps, never negative, and one step is exactly the energy
/// the clipped gradient step gains.
final class EnergyDescentScorerTests: XCTestCase {
    func testOneStepIsTheEnergyTheClippedStepGains() throws {
        let windows = try TrajectoryWindows(IntentInferenceTests.walks(episodes: 4, steps: 8, seed: 3), context: 2, future: 2)
        var configuration = ModelConfiguration()
        (configuration.contextLength, configuration.horizon, configuration.hiddenWidth, configuration.depth) = (2, 2, 16, 2)
        let model = TrajectoryEnergyModel(configuration: configuration, encoding: WindowEncoding(windows: windows, futureAsDelta: true), seed: 8)
        var context: [Float] = [], future: [Float] = []
        windows.gather(Array(0..<8), context: &context, future: &future)
        XCTAssertEqual(EnergyDescentScorer(model: model, steps: 0, stepSize: 10, gradientClip: 0.01).scores(context: context, future: future),
                       [Double](repeating: 0, count: 8))
        let (eta, clip): (Float, Float) = (5, 0.02)
        let one = EnergyDescentScorer(model: model, steps: 1, stepSize: eta, gradientClip: clip).scores(context: context, future: future)
        let enc = model.encoding
        var rows = enc.encode(context: context, future: future)
        let (e0, g) = model.energyAndRowGradient(rows: rows)
        for b in 0..<8 { for j in enc.contextWidth..<enc.width { rows[b * enc.width + j] -= eta * min(max(g[b * enc.width + j], -clip), clip) } }
        let e1 = model.energies(rows: rows)
        for b in 0..<8 { XCTAssertEqual(one[b], Double(e0[b] - min(e0[b], e1[b])), accuracy: 1e-6) }
        let many = EnergyDescentScorer(model: model, steps: 10, stepSize: eta, gradientClip: clip).scores(context: context, future: future)
        XCTAssertTrue(zip(many, one).allSatisfy { $0 >= $1 - 1e-6 && $1 >= 0 }, "\(many) \(one)")
        XCTAssertGreaterThan(many.reduce(0, +), 0)
    }
}
