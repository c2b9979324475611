import XCTest
@testable import NeuralCore

final class ParametersTests: XCTestCase {
    func testViewsAreContiguousAndNamed() {
        let layout = ParameterLayout([(name: "a", spec: ParameterSpec("a", shape: [2, 3], initializer: .zeros)),
                                      (name: "u", spec: ParameterSpec("u", shape: [4], initializer: .zeros, isTrainable: false)),
                                      (name: "b", spec: ParameterSpec("b", shape: [5], initializer: .zeros)),
                                      (name: "c", spec: ParameterSpec("c", shape: [1], initializer: .zeros))])
        XCTAssertEqual(layout.count, 16)
        XCTAssertEqual(layout.views.map(\.offset), [0, 6, 10, 15])
        XCTAssertEqual(layout.trainableRanges, [0..<6, 10..<16])
        let buffer = ParameterBuffer(layout: layout)
        buffer["b"] = Tensor(shape: [5], scalars: [1, 2, 3, 4, 5])
        XCTAssertEqual(Array(buffer.storage[10..<15]), [1, 2, 3, 4, 5])
        XCTAssertEqual(buffer["b"].shape, [5])
    }

    func testUnitVectorInitializer() {
        var generator = SeededGenerator(seed: 1)
        var values = [Float](repeating: 0, count: 10)
        values.withUnsafeMutableBufferPointer { Initializer.unitVector.fill($0.baseAddress!, count: 10, generator: &generator) }
        assertClose([values.reduce(0) { $0 + $1 * $1 }], [1] as [Double], absolute: 1e-6, relative: 0, "‖u‖²")
    }
}
