import XCTest
@testable import Trajectories

/// `asDoubles()`: float64 as is, float32 widened exactly, other dtypes refused as `doubles` refuses them.
final class NumPyArrayDoublesTests: XCTestCase {
    func testAsDoublesWidensFloat32AndRefusesIntegers() throws {
        XCTAssertEqual(try NumPyArray(doubles: [0.1, -2], shape: [2]).asDoubles(), [0.1, -2])
        let f: [Float] = [0.1, 1e-7, -3.5]
        XCTAssertEqual(try NumPyArray(floats: f, shape: [3]).asDoubles(), [Double(Float(0.1)), Double(Float(1e-7)), -3.5])
        XCTAssertNotEqual(try NumPyArray(floats: [0.1], shape: [1]).asDoubles(), [0.1])   // widened, not re-rounded
        XCTAssertThrowsError(try NumPyArray(int64s: [1, 2], shape: [2]).asDoubles())
    }
}
