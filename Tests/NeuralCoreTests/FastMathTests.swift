import XCTest
@testable import NeuralCore

final class FastMathTests: XCTestCase {
    func testExpAgainstLibm() {
        var worst = 0.0
        var x: Float = -87
        while x < 87.98 {  // all eight lanes stay below the clamp at 88
            let lanes = Lanes((0..<8).map { x + Float($0) * 0.0013 })
            let approximation = fastExp(lanes)
            for lane in 0..<8 {
                let exact = Foundation.exp(Double(lanes[lane]))
                worst = max(worst, abs(Double(approximation[lane]) - exact) / exact)
            }
            x += 0.0173
        }
        XCTAssertLessThan(worst, 2e-7, "fastExp relative error")
    }

    func testSigmoidAndTanhAgainstLibm() {
        var worstSigmoid = 0.0, worstTanh = 0.0
        var x: Float = -30
        while x < 30 {
            let lanes = Lanes(repeating: x)
            worstSigmoid = max(worstSigmoid, abs(Double(fastSigmoid(lanes)[0]) - 1 / (1 + Foundation.exp(-Double(x)))))
            worstTanh = max(worstTanh, abs(Double(fastTanh(lanes)[0]) - Foundation.tanh(Double(x))))
            x += 0.001
        }
        XCTAssertLessThan(worstSigmoid, 1e-7)
        XCTAssertLessThan(worstTanh, 3e-7)
    }
}
