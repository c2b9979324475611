import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

/// Goal- and control-conditioned windows: what the context carries, the state gradient through the
/// encoding, training and reloading a conditioned model, and the errors around it.
final class ConditioningTests: XCTestCase {
    /// Episodes walking in direction +1 (goal 0) or −1 (goal 1) per step, S = 2, nu = 1 (control = 10·e + t).
    static func twoGoalWalks(episodes: Int, steps: Int, seed: UInt64) -> TrajectoryDataset {
        var g = SeededGenerator(seed: seed)
        var states: [Double] = [], controls: [Double] = [], goals: [Int64] = []
        for e in 0..<episodes {
            let goal = Int64(e % 2), direction = goal == 0 ? 1.0 : -1.0
            var x = [0.1 * Double(g.nextGaussian()), 0.1 * Double(g.nextGaussian())]
            for t in 0...steps {
                states += x
                if t < steps { controls.append(Double(10 * e + t)) }
                x = [x[0] + 0.1 * direction + 0.01 * Double(g.nextGaussian()), x[1] + 0.01 * Double(g.nextGaussian())]
            }
            goals.append(goal)
        }
        return TrajectoryDataset(episodes: episodes, steps: steps, stateSize: 2, controlSize: 1, siteCount: 1, states: states,
                                 controls: controls, sites: [Double](repeating: 0, count: episodes * (steps + 1) * 3),
                                 goal: goals, episodeSeed: (0..<episodes).map(Int64.init))
    }

    func testGatherPutsGoalOneHotAndContextControlsBetweenStatesAndFuture() throws {
        let data = Self.twoGoalWalks(episodes: 4, steps: 10, seed: 1)
        let windows = try TrajectoryWindows(data, context: 3, future: 2)
        let encoding = WindowEncoding(windows: windows, futureAsDelta: true, goalCount: 2, conditionOnControls: true)
        XCTAssertEqual(encoding.conditionWidth, 2 + 3)
        XCTAssertEqual(encoding.width, 3 * 2 + 5 + 2 * 2)
        // window 2 of episode 3 (goal 1) starts at step 2: controls 32, 33, 34
        let index = 3 * windows.perEpisode + 2
        var context: [Float] = [], future: [Float] = []
        encoding.gather(windows, [index], context: &context, future: &future)
        XCTAssertEqual(context.count, encoding.contextWidth)
        XCTAssertEqual(Array(context[0..<6]), (2..<5).flatMap { t in data.state(episode: 3, step: t).map(Float.init) })
        XCTAssertEqual(Array(context[6...]), [0, 1, 32, 33, 34])
        // the encoded row keeps the future relative to the last context state, not to a control
        let rows = encoding.encode(context: context, future: future)
        let decoded = encoding.decodeFuture(rows: rows, context: context)
        for (a, b) in zip(decoded, future) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        // statistics of the one-hot: half the windows each goal
        XCTAssertEqual(encoding.mean[6], 0.5, accuracy: 1e-6)
        XCTAssertEqual(encoding.standardDeviation[6], 0.5, accuracy: 1e-6)
        // building the same context from states and labels
        let states = Array(context[0..<6])
        XCTAssertEqual(encoding.conditioned(states: states, goals: [1], controls: [32, 33, 34]), context)
    }

    /// f(states) = g · encode(states) is linear, so its state gradient is exact under central differences.
    func testStateGradientIsTheDerivativeOfTheEncoding() throws {
        let data = Self.twoGoalWalks(episodes: 4, steps: 10, seed: 2)
        let windows = try TrajectoryWindows(data, context: 3, future: 2)
        let encoding = WindowEncoding(windows: windows, futureAsDelta: true, goalCount: 2)
        var generator = SeededGenerator(seed: 9)
        let g = (0..<(2 * encoding.width)).map { _ in generator.nextGaussian() }
        let states = (0..<(2 * 5 * 2)).map { _ in generator.nextGaussian() }
        func f(_ s: [Float]) -> Double {
            var context: [Float] = [], future: [Float] = []
            for b in 0..<2 { context += s[(b * 10)..<(b * 10 + 6)]; future += s[(b * 10 + 6)..<(b * 10 + 10)] }
            let rows = encoding.encode(context: encoding.conditioned(states: context, goals: [0, 1]), future: future)
            return zip(rows, g).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let analytic = encoding.stateGradient(rowGradient: g)
        for i in states.indices {
            var plus = states, minus = states
            plus[i] += 1e-2; minus[i] -= 1e-2
            XCTAssertEqual(Double(analytic[i]), (f(plus) - f(minus)) / 2e-2, accuracy: 2e-3 * max(1, abs(Double(analytic[i]))), "state feature \(i)")
        }
    }

    func testGoalConditionedModelTrainsAndReloads() throws {
        let folder = try Fixtures.folder(train: Self.twoGoalWalks(episodes: 8, steps: 10, seed: 3), test: Self.twoGoalWalks(episodes: 2, steps: 10, seed: 4))
        var configuration = TrainerTests.smallConfiguration()
        configuration.model.conditionOnGoal = true
        for kind in ModelKind.allCases {
            let out = try Fixtures.temporaryDirectory()
            let trainer = try Trainer(kind: kind, configuration: configuration, dataDirectory: folder, outputDirectory: out)
            XCTAssertEqual(trainer.encoding.goalCount, 2)
            XCTAssertEqual(try trainer.run(), .finished)
            XCTAssertNotNil(try trainer.evaluate())
            let url = out.appendingPathComponent("model.safetensors")
            let encoding = kind == .ebm ? try TrajectoryEnergyModel.load(from: url).model.encoding : try FeedforwardPredictor.load(from: url).model.encoding
            XCTAssertEqual(encoding, trainer.encoding)
        }
    }

    func testConditioningNeedsLabelsAndTheMLP() throws {
        let unlabelled = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 8, steps: 10, stateSize: 2, seed: 1))
        var configuration = TrainerTests.smallConfiguration()
        configuration.model.conditionOnGoal = true
        XCTAssertThrowsError(try Trainer(kind: .ebm, configuration: configuration, dataDirectory: unlabelled, outputDirectory: try Fixtures.temporaryDirectory())) {
            XCTAssertTrue("\($0)".contains("conditionOnGoal") && "\($0)".contains("train.npz"), "\($0)")
        }
        let json = #"{"model": {"architecture": "temporal-convolution", "conditionOnControls": true}}"#
        XCTAssertThrowsError(try TrainingConfiguration.decode(Data(json.utf8), file: "x.json")) {
            XCTAssertTrue("\($0)".contains("x.json") && "\($0)".contains("mlp"), "\($0)")
        }
    }

    /// A checkpoint's window_encoding written before conditioning existed still decodes (no condition).
    func testEncodingWithoutConditionKeysDecodes() throws {
        let json = #"{"stateSize":1,"contextLength":1,"horizon":1,"futureAsDelta":false,"mean":[0,0],"standardDeviation":[1,1]}"#
        let encoding = try JSONDecoder().decode(WindowEncoding.self, from: Data(json.utf8))
        XCTAssertEqual(encoding.conditionWidth, 0)
        XCTAssertEqual(encoding.width, 2)
    }
}

extension ConditioningTests {
    /// CD alone leaves a per-goal offset of E free; the goal cross-entropy term makes the true goal's
    /// energy the lowest on training windows of walks whose direction reveals the goal.
    func testGoalCrossEntropyMakesTheTrueGoalsEnergyLowest() throws {
        let data = Self.twoGoalWalks(episodes: 16, steps: 10, seed: 5)
        let folder = try Fixtures.folder(train: data)
        var configuration = TrainerTests.smallConfiguration()
        configuration.model.conditionOnGoal = true
        (configuration.optimization.goalCrossEntropy, configuration.optimization.steps, configuration.optimization.learningRate) = (1, 150, 2e-3)
        let trainer = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: folder, outputDirectory: try Fixtures.temporaryDirectory())
        XCTAssertEqual(try trainer.run(), .finished)
        let model = trainer.energyModel!, enc = model.encoding
        let windows = try TrajectoryWindows(data, context: 2, future: 2)
        var context: [Float] = [], future: [Float] = []
        enc.gather(windows, Array(0..<windows.count), context: &context, future: &future)
        let states = (0..<windows.count).flatMap { b in context[(b * enc.contextWidth)..<(b * enc.contextWidth + enc.stateContextWidth)] }
        let e0 = model.energies(context: enc.conditioned(states: states, goals: [Int](repeating: 0, count: windows.count)), future: future)
        let e1 = model.energies(context: enc.conditioned(states: states, goals: [Int](repeating: 1, count: windows.count)), future: future)
        var correct = 0
        for b in 0..<windows.count where (e0[b] < e1[b]) == (data.goal[windows.location(of: b).episode] == 0) { correct += 1 }
        XCTAssertGreaterThan(Double(correct) / Double(windows.count), 0.95)
    }
}

extension ConditioningTests {
    /// With `langevin.moveContext` the chains move the context too, and the trained energy rises
    /// when the whole window is moved off the data (AUROC > 0.9 against the data windows; the same
    /// training with fixed contexts gave 0.33 when this test was written: a conditional model's
    /// per-context normaliser is free).
    func testMovingTheContextLearnsWhereContextsLie() throws {
        let data = Fixtures.randomWalk(episodes: 40, steps: 10, stateSize: 2, seed: 11)
        let folder = try Fixtures.folder(train: data)
        var configuration = TrainerTests.smallConfiguration()
        (configuration.langevin.moveContext, configuration.optimization.steps, configuration.optimization.learningRate) = (true, 300, 1e-3)
        (configuration.langevin.steps, configuration.langevin.noise) = (20, 0.05)
        let trainer = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: folder, outputDirectory: try Fixtures.temporaryDirectory())
        let model = trainer.energyModel!, enc = model.encoding

        var generator = SeededGenerator(seed: 1)
        var rows = (0..<(4 * enc.width)).map { _ in generator.nextGaussian() }
        let before = rows
        LangevinChains.run(model, rows: &rows, configuration: configuration.langevin, steps: 2, moveContext: false, generator: &generator)
        XCTAssertEqual((0..<4).flatMap { b in rows[(b * enc.width)..<(b * enc.width + enc.contextWidth)] },
                       (0..<4).flatMap { b in before[(b * enc.width)..<(b * enc.width + enc.contextWidth)] })
        LangevinChains.run(model, rows: &rows, configuration: configuration.langevin, steps: 2, moveContext: true, generator: &generator)
        XCTAssertNotEqual(Array(rows[0..<enc.contextWidth]), Array(before[0..<enc.contextWidth]))

        XCTAssertEqual(try trainer.run(), .finished)
        let windows = try TrajectoryWindows(data, context: 2, future: 2)
        var context: [Float] = [], future: [Float] = []
        enc.gather(windows, Array(0..<windows.count), context: &context, future: &future)
        let normal = model.energies(context: context, future: future)
        // the same motions 6 standard deviations of the first state number away
        let shift = 6 * enc.standardDeviation[0]
        var farContext = context, farFuture = future
        for i in stride(from: 0, to: farContext.count, by: 2) { farContext[i] += shift }
        for i in stride(from: 0, to: farFuture.count, by: 2) { farFuture[i] += shift }
        let far = model.energies(context: farContext, future: farFuture)
        // AUROC of "far" against the data windows: the share of (far, data) pairs ranked right
        let ranked = far.reduce(0) { sum, f in sum + normal.filter { $0 < f }.count }
        let auroc = Double(ranked) / Double(far.count * normal.count)
        XCTAssertGreaterThan(auroc, 0.9)
    }
}
