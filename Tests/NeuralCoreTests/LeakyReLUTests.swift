import XCTest
@testable import NeuralCore

final class LeakyReLUTests: XCTestCase {
    func testBackwardMatchesFiniteDifferences() {
        // Gaussian inputs lie farther than h = 1e-6 from the kink at 0 with probability ~1.
        checkGradients(of: LeakyReLU(width: 11, negativeSlope: 0.2), batch: 3, seed: 31) { x, _ in
            x.map { $0 > 0 ? $0 : 0.2 * $0 }
        }
    }
}
