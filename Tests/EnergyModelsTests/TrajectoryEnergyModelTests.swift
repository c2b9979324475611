import NeuralCore
import XCTest
@testable import EnergyModels

final class TrajectoryEnergyModelTests: XCTestCase {
    /// ∂E/∂future in raw units against central differences of E through encode (normalisation
    /// and deltas) and the network: an independent path for every element.
    func testFutureGradientMatchesFiniteDifferences() {
        for (spectralNorm, architecture) in [(false, Architecture.mlp), (true, .mlp), (false, .temporalConvolution), (true, .temporalConvolution),
                                              (false, .temporalResidual), (true, .temporalResidual)] {
            var configuration = ModelConfiguration()
            (configuration.contextLength, configuration.horizon, configuration.hiddenWidth, configuration.depth) = (2, 2, 16, 2)
            (configuration.channels, configuration.kernelSize) = (6, 3)
            configuration.spectralNorm = spectralNorm
            configuration.architecture = architecture
            let (S, k, H) = (3, 2, 2)
            var g = SeededGenerator(seed: 7)
            let width = (k + H) * S
            let encoding = WindowEncoding(stateSize: S, contextLength: k, horizon: H, futureAsDelta: true,
                                          mean: (0..<width).map { _ in g.nextUniform(-1, 1) },
                                          standardDeviation: (0..<width).map { _ in g.nextUniform(0.5, 2) })
            let model = TrajectoryEnergyModel(configuration: configuration, encoding: encoding, seed: 3)
            let batch = 3
            let context = (0..<(batch * k * S)).map { _ in g.nextUniform(-2, 2) }
            let future = (0..<(batch * H * S)).map { _ in g.nextUniform(-2, 2) }
            let (energies, gradient) = model.energyAndFutureGradient(context: context, future: future)
            XCTAssertEqual(energies, model.energies(context: context, future: future))
            let h: Float = 1e-2
            var worst: Float = 0
            for i in future.indices {
                var plus = future, minus = future
                plus[i] += h; minus[i] -= h
                let b = i / (H * S)
                let difference = (model.energies(context: context, future: plus)[b] - model.energies(context: context, future: minus)[b]) / (2 * h)
                worst = max(worst, abs(gradient[i] - difference))
                XCTAssertTrue(close(gradient[i], difference, absolute: 2e-3, relative: 1e-2),
                              "\(architecture), spectralNorm \(spectralNorm), element \(i): analytic \(gradient[i]), finite difference \(difference)")
            }
            print("future gradient vs central differences (spectralNorm \(spectralNorm)): max |error| \(worst)")
        }
    }

    /// encode then decodeFuture returns the raw futures.
    func testEncodingRoundTrip() {
        let encoding = WindowEncoding(stateSize: 2, contextLength: 2, horizon: 1, futureAsDelta: true,
                                      mean: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], standardDeviation: [1, 2, 3, 4, 5, 6])
        let context: [Float] = [1, 2, 3, 4], future: [Float] = [5, 7]
        let rows = encoding.encode(context: context, future: future)
        XCTAssertEqual(rows[4], (5 - 3 - 0.5) / 5, accuracy: 1e-6)
        let decoded = encoding.decodeFuture(rows: rows, context: context)
        XCTAssertEqual(decoded[0], 5, accuracy: 1e-5)
        XCTAssertEqual(decoded[1], 7, accuracy: 1e-5)
    }
}
