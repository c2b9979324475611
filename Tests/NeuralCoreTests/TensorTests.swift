import XCTest
@testable import NeuralCore

final class TensorTests: XCTestCase {
    func testRowMajorIndexing() {
        var tensor = Tensor(shape: [2, 3, 4]) { Float($0) }
        XCTAssertEqual(tensor[1, 2, 3], 23)
        XCTAssertEqual(tensor[0, 1, 0], 4)
        tensor[1, 0, 0] = -1
        XCTAssertEqual(tensor.scalars[12], -1)
        XCTAssertEqual(tensor.reshaped([6, 4]).shape, [6, 4])
        XCTAssertEqual(Tensor(rows: [[1, 2], [3, 4], [5, 6]]).shape, [3, 2])
        XCTAssertFalse(Tensor(shape: [2], scalars: [1, .nan]).isFinite)
    }
}
