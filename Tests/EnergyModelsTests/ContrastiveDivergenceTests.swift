import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

/// CD on toy futures with two separated modes: the trained energy is lower on data than on
/// noise, and Langevin chains started from noise end near both modes.
final class ContrastiveDivergenceTests: XCTestCase {
    static func toyConfiguration() -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.seed = 11
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (1, 1, 64, 2)
        (c.optimization.steps, c.optimization.batchSize, c.optimization.learningRate) = (800, 64, 3e-4)
        c.replay.capacity = 2000
        c.langevin.steps = 30
        c.checkpointEvery = 0
        c.logEvery = 100
        return c
    }

    func trainAndSample(modes: [[Double]], file: StaticString = #filePath, line: UInt = #line) throws {
        let S = modes[0].count
        let data = try Fixtures.folder(train: Fixtures.bimodal(modes: modes, episodes: 2000, spread: 0.1, seed: 1))
        let out = try Fixtures.temporaryDirectory()
        let configuration = Self.toyConfiguration()
        let trainer = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: data, outputDirectory: out)
        var log: [TrainingMetrics] = []
        XCTAssertEqual(try trainer.run(onLog: { log.append($0) }), .finished)
        let model = trainer.energyModel!

        // Fresh data vs noise (z ~ N(0, 1) in normalised units) under the same context.
        let n = 1000
        let fresh = Fixtures.bimodal(modes: modes, episodes: n, spread: 0.1, seed: 99)
        let windows = try TrajectoryWindows(fresh, context: 1, future: 1)
        var context: [Float] = [], future: [Float] = []
        windows.gather(Array(0..<n), context: &context, future: &future)
        let dataRows = model.encoding.encode(context: context, future: future)
        var generator = SeededGenerator(seed: 5)
        var noiseRows = dataRows
        for b in 0..<n { for j in 0..<S { noiseRows[b * 2 * S + S + j] = generator.nextGaussian() } }
        let energyData = model.energies(rows: dataRows).reduce(0, +) / Float(n)
        let energyNoise = model.energies(rows: noiseRows).reduce(0, +) / Float(n)

        // Langevin from noise: 200 steps with the training sampler, then the nearest mode of each sample.
        var samples = noiseRows
        LangevinChains.run(model, rows: &samples, configuration: configuration.langevin, steps: 200, generator: &generator)
        // … and 20 steps without noise, so the last step's own noise does not blur the modes.
        var quiet = configuration.langevin
        quiet.noise = 0
        LangevinChains.run(model, rows: &samples, configuration: quiet, steps: 20, generator: &generator)
        let raw = model.encoding.decodeFuture(rows: samples, context: context)
        var counts = [Int](repeating: 0, count: modes.count)
        var near = 0
        for b in 0..<n {
            let x = raw[(b * S)..<((b + 1) * S)].map(Double.init)
            let distances = modes.map { m in zip(m, x).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() }
            let nearest = distances.indices.min { distances[$0] < distances[$1] }!
            counts[nearest] += 1
            if distances[nearest] < 0.5 { near += 1 }
        }
        print("toy \(S)-D: loss \(log.first!.loss) → \(log.last!.loss); train E(data) \(log.last!.energyData), E(samples) \(log.last!.energySamples); "
              + "fresh E(data) \(energyData), E(noise) \(energyNoise); samples per mode \(counts), within 0.5 of a mode \(near)/\(n)")
        XCTAssertLessThan(energyData, energyNoise, "E(data) must sit below E(noise)", file: file, line: line)
        XCTAssertLessThan(log.last!.energyData, log.last!.energySamples + 0.05, file: file, line: line)
        // The replay buffer (the persistent chains CD trained against) also covers both modes.
        var bufferCounts = [Int](repeating: 0, count: modes.count)
        for r in 0..<trainer.replay.count {
            let row = Array(trainer.replay.row(r))
            let x = model.encoding.decodeFuture(rows: row, context: [Float](repeating: 0, count: S)).map(Double.init)
            let distances = modes.map { m in zip(m, x).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
            bufferCounts[distances.indices.min { distances[$0] < distances[$1] }!] += 1
        }
        print("toy \(S)-D: replay buffer rows per mode \(bufferCounts)")
        for (mode, count) in zip(bufferCounts, bufferCounts) where mode >= 0 {
            XCTAssertGreaterThan(count, trainer.replay.count / 5, "replay buffer: \(bufferCounts)", file: file, line: line)
        }
        for (mode, count) in zip(modes, counts) {
            XCTAssertGreaterThan(count, n / 5, "mode \(mode) holds only \(count) of \(n) samples", file: file, line: line)
        }
        XCTAssertGreaterThan(near, n * 35 / 100, "only \(near) of \(n) samples end within 0.5 of a mode", file: file, line: line)
    }

    func testOneDimensionalTwoModes() throws { try trainAndSample(modes: [[-2], [2]]) }

    func testTwoDimensionalTwoModes() throws { try trainAndSample(modes: [[1.5, 1.5], [-1.5, -1.5]]) }
}
