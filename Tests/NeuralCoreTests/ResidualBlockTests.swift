import XCTest
@testable import NeuralCore

final class ResidualBlockTests: XCTestCase {
    func testBackwardMatchesFiniteDifferences() {
        let (batch, width, hidden) = (3, 5, 6)
        checkGradients(of: ResidualBlock(width: width, hiddenWidth: hidden), batch: batch, seed: 61) { x, p in
            // Tensors: fc1.weight (h, w), fc1.bias (h), fc2.weight (w, h), fc2.bias (w).
            let w1End = hidden * width, b1End = w1End + hidden, w2End = b1End + width * hidden
            let z = referenceLinear(x[...], batch: batch, inputWidth: width, outputWidth: hidden,
                                    weight: p[0 ..< w1End], bias: p[w1End ..< b1End])
            let h = z.map(referenceSiLU)
            let f = referenceLinear(h[...], batch: batch, inputWidth: hidden, outputWidth: width,
                                    weight: p[b1End ..< w2End], bias: p[w2End...])
            return zip(x, f).map { $0 + $1 }
        }
    }
}
