import XCTest
@testable import NeuralCore

final class SiLUTests: XCTestCase {
    func testBackwardMatchesFiniteDifferences() {
        checkGradients(of: SiLU(width: 13), batch: 3, seed: 21) { x, _ in x.map(referenceSiLU) }
    }

    func testLargeInputsStayFinite() {
        let model = Sequential([SiLU(width: 4)])
        let output = model.forward(Tensor(rows: [[-200, -50, 50, 200]]))
        assertClose(output.scalars, [0, 0, 50, 200] as [Double], absolute: 1e-6, relative: 1e-6, "saturation")
    }
}
