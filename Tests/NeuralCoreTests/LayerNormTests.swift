import XCTest
@testable import NeuralCore

final class LayerNormTests: XCTestCase {
    func testBackwardMatchesFiniteDifferences() {
        let (batch, width) = (3, 7)
        let layer = LayerNorm(width: width, epsilon: 1e-5)
        // Perturbed γ, β so the γ path of dInput is exercised.
        checkGradients(of: layer, batch: batch, seed: 51, perturbParameters: true) { x, p in
            var y = [Double](repeating: 0, count: batch * width)
            for n in 0..<batch {
                let row = x[(n * width) ..< (n + 1) * width]
                let mean = row.reduce(0, +) / Double(width)
                let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
                for j in 0..<width {
                    y[n * width + j] = p[j] * (x[n * width + j] - mean) / (variance + 1e-5).squareRoot() + p[width + j]
                }
            }
            return y
        }
    }

    func testNormalisesRows() {
        let model = Sequential([LayerNorm(width: 6)])
        let output = model.forward(randomTensor([4, 6], seed: 5, scale: 10))
        for row in 0..<4 {
            let values = output.scalars[(row * 6) ..< (row + 1) * 6].map(Double.init)
            let mean = values.reduce(0, +) / 6
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 6
            assertClose([Float(mean), Float(variance)], [0, 1] as [Double], absolute: 1e-5, relative: 1e-5, "row \(row)")
        }
    }
}
