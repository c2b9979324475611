// NetworkBenchmark: the reference energy network (80 → 256 → 256 → 256 → 1, SiLU) and the timing
// loops of `ebm bench nn`: evaluations and training steps per second, best of five windows.

/// The reference energy network of `ebm bench nn` and its timing loops.
public enum NetworkBenchmark {
    /// Input 80 (4 context + 16 future states of a 4-D state), three hidden layers of 256, SiLU.
    public static func referenceNetwork() -> Sequential {
        Sequential([Linear(inputWidth: 80, outputWidth: 256), SiLU(width: 256),
                    Linear(inputWidth: 256, outputWidth: 256), SiLU(width: 256),
                    Linear(inputWidth: 256, outputWidth: 256), SiLU(width: 256),
                    Linear(inputWidth: 256, outputWidth: 1)], seed: 0)
    }

    /// Energy + input-gradient calls on the whole batch per second, training steps (forward, backward,
    /// Adam) per second, and the floating-point rate of the evaluations.
    public struct Measurement: Codable, Equatable, Sendable {
        public var evaluationsPerSecond: Double
        public var trainingStepsPerSecond: Double
        public var evaluationGFLOPS: Double
    }

    /// The reference network on a batch of `batch` rows with `threading`, each rate over `seconds` of `clock`.
    public static func measure(batch: Int, threading: Threading, seconds: Double, clock: () -> Double) -> Measurement {
        let model = referenceNetwork()
        model.threading = threading
        // Multiply-adds per row of all dense layers; an evaluation does them twice (forward and
        // input gradient), each worth two floating-point operations.
        let multiplyAddsPerRow = model.layers.compactMap { $0 as? Linear }.reduce(0) { $0 + $1.inputWidth * $1.outputWidth }
        let flopsPerEvaluation = 4 * Double(multiplyAddsPerRow) * Double(batch)

        var generator = SeededGenerator(seed: 7)
        let input = (0..<(batch * 80)).map { _ in generator.nextGaussian() }
        var energies = [Float](repeating: 0, count: batch)
        var inputGradient = [Float](repeating: 0, count: batch * 80)
        let meanGradient = [Float](repeating: 1 / Float(batch), count: batch)
        var optimizer = Adam(learningRate: 1e-4)

        let evaluationRate = input.withUnsafeBufferPointer { x in
            energies.withUnsafeMutableBufferPointer { e in
                inputGradient.withUnsafeMutableBufferPointer { g in
                    callsPerSecond(seconds: seconds, clock: clock) {
                        model.energyAndInputGradient(input: x.baseAddress!, batch: batch,
                                                     energies: e.baseAddress!, inputGradient: g.baseAddress!)
                    }
                }
            }
        }
        // Training step: loss = mean energy; forward, backward, Adam (as a contrastive-divergence step does).
        let trainingRate = input.withUnsafeBufferPointer { x in
            meanGradient.withUnsafeBufferPointer { dE in
                callsPerSecond(seconds: seconds, clock: clock) {
                    model.forward(input: x.baseAddress!, batch: batch, training: true)
                    model.zeroGradients()
                    model.backward(outputGradient: dE.baseAddress!, inputGradient: nil, accumulateParameterGradients: true)
                    optimizer.step(parameters: model.parameters, gradients: model.gradients)
                }
            }
        }
        return Measurement(evaluationsPerSecond: evaluationRate, trainingStepsPerSecond: trainingRate,
                           evaluationGFLOPS: evaluationRate * flopsPerEvaluation * 1e-9)
    }

    /// Calls per second of `body`: the best of five windows of `seconds / 5` after a warm-up
    /// (the best, not the median, because other processes on a shared machine only ever slow a
    /// window down).
    public static func callsPerSecond(seconds: Double, clock: () -> Double, _ body: () -> Void) -> Double {
        let warmUpEnd = clock() + 0.1 * seconds
        repeat { body() } while clock() < warmUpEnd
        return bestCallsPerSecond(windows: 5, window: seconds / 5, clock: clock, body)
    }

    /// The most calls per second of `body` over `windows` timed windows of at least `window` seconds
    /// of `clock` each (no warm-up).
    public static func bestCallsPerSecond(windows: Int, window: Double, clock: () -> Double, _ body: () -> Void) -> Double {
        var best = 0.0
        for _ in 0..<windows {
            var calls = 0
            let start = clock()
            var elapsed = 0.0
            repeat {
                body()
                calls += 1
                elapsed = clock() - start
            } while elapsed < window
            best = max(best, Double(calls) / elapsed)
        }
        return best
    }
}
