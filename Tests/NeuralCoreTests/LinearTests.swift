import XCTest
@testable import NeuralCore

final class LinearTests: XCTestCase {
    func testBackwardMatchesFiniteDifferences() {
        let (batch, inputWidth, outputWidth) = (3, 5, 4)
        checkGradients(of: Linear(inputWidth: inputWidth, outputWidth: outputWidth), batch: batch, seed: 11) { x, p in
            referenceLinear(x[...], batch: batch, inputWidth: inputWidth, outputWidth: outputWidth,
                            weight: p[0 ..< outputWidth * inputWidth], bias: p[(outputWidth * inputWidth)...])
        }
    }

    func testInitialisationIsSeededAndBounded() {
        let a = Sequential([Linear(inputWidth: 16, outputWidth: 8)], seed: 3)
        let b = Sequential([Linear(inputWidth: 16, outputWidth: 8)], seed: 3)
        let c = Sequential([Linear(inputWidth: 16, outputWidth: 8)], seed: 4)
        XCTAssertEqual(a.parameters.scalars, b.parameters.scalars)
        XCTAssertNotEqual(a.parameters.scalars, c.parameters.scalars)
        XCTAssertTrue(a.parameters.scalars.allSatisfy { abs($0) <= 0.25 })  // 1/sqrt(16)
    }
}
