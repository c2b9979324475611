import XCTest
@testable import Trajectories

final class NumPyArrayTests: XCTestCase {
    // MARK: - Construction and typed access

    func testTypedInitialisersRoundTripThroughAccessors() throws {
        // x: (2 x 3) for each dtype
        XCTAssertEqual(try NumPyArray(doubles: [1, 2, 3, 4, 5, 6], shape: [2, 3]).doubles, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try NumPyArray(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3]).floats, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try NumPyArray(int64s: [.min, -1, 0, 1, 2, .max], shape: [2, 3]).int64s,
                       [.min, -1, 0, 1, 2, .max])
        XCTAssertEqual(try NumPyArray(int32s: [.min, -1, 0, 1, 2, .max], shape: [2, 3]).int32s,
                       [.min, -1, 0, 1, 2, .max])
        XCTAssertEqual(try NumPyArray(uint8s: [0, 1, 2, 127, 128, 255], shape: [2, 3]).uint8s,
                       [0, 1, 2, 127, 128, 255])
        XCTAssertEqual(try NumPyArray(bools: [true, false, true, false, false, true], shape: [2, 3]).bools,
                       [true, false, true, false, false, true])
    }

    func testRawBytesAreLittleEndianCOrder() throws {
        let array = try NumPyArray(int32s: [1, 256], shape: [2])
        XCTAssertEqual(array.bytes, [1, 0, 0, 0, 0, 1, 0, 0])
        XCTAssertEqual(array.count, 2)
        XCTAssertEqual(try NumPyArray(shape: [2], dtype: .int32, bytes: array.bytes), array)
    }

    func testScalarAndEmptyShapes() throws {
        let scalar = try NumPyArray(doubles: [42], shape: [])
        XCTAssertEqual(scalar.count, 1)
        XCTAssertEqual(try NumPyArray(doubles: [], shape: [0, 5]).count, 0)
        XCTAssertEqual(try NumPyArray(bools: [], shape: [3, 0]).bools, [])
    }

    func testCountMustMatchShape() {
        assertNumPyError(.countMismatch, ["5 float64 values do not fill shape [2, 3]", "product 6"]) {
            try NumPyArray(doubles: [1, 2, 3, 4, 5], shape: [2, 3])
        }
        assertNumPyError(.countMismatch, ["7 bytes do not fill shape [2] of <f4"]) {
            try NumPyArray(shape: [2], dtype: .float32, bytes: [UInt8](repeating: 0, count: 7))
        }
        assertNumPyError(.invalidValue, ["bool element 1 holds byte 2"]) {
            try NumPyArray(shape: [2], dtype: .bool, bytes: [1, 2])
        }
    }

    func testShapeMustBeSane() {
        assertNumPyError(.invalidShape, ["negative dimension -2"]) {
            try NumPyArray(doubles: [], shape: [3, -2])
        }
        assertNumPyError(.invalidShape, ["overflows"]) {
            try NumPyArray(doubles: [], shape: [1 << 40, 1 << 40])
        }
        assertNumPyError(.invalidShape, ["65 dimensions", "at most 64"]) {
            try NumPyArray(doubles: [1], shape: [Int](repeating: 1, count: 65))
        }
    }

    func testWrongDTypeAccessorNamesBothTypes() throws {
        let array = try NumPyArray(floats: [1], shape: [1])
        assertNumPyError(.wrongDType, ["has dtype <f4 (float32)", "`doubles` needs <f8 (float64)"]) {
            try array.doubles
        }
        assertNumPyError(.wrongDType, ["`bools` needs |b1"]) { try array.bools }
        assertNumPyError(.wrongDType, ["`int64s` needs <i8"]) { try array.int64s }
    }

    // MARK: - Shape patterns

    func testShapePatternMatchesAndBinds() throws {
        let qpos = try testArray(.float64, shape: [4, 10, 3])
        XCTAssertEqual(try qpos.requireShape(["B", "T", 3]), ["B": 4, "T": 10])
        XCTAssertNoThrow(try qpos.requireShape(["*", "_", 3]))

        var bindings = ["B": 4]
        let qvel = try testArray(.float64, shape: [4, 10, 3])
        try qvel.requireShape(["B", "T", 3], bindings: &bindings)
        XCTAssertEqual(bindings, ["B": 4, "T": 10])
    }

    func testShapePatternMismatchMessages() throws {
        let array = try testArray(.float64, shape: [4, 10, 2])
        assertNumPyError(.shapeMismatch, ["must have shape [B, T, 3], found [4, 10, 2]", "axis 2 is 2"]) {
            try array.requireShape(["B", "T", 3])
        }
        assertNumPyError(.shapeMismatch, ["must have shape [B, T], found [4, 10, 2]", "3 dimensions, expected 2"]) {
            try array.requireShape(["B", "T"])
        }
        assertNumPyError(.shapeMismatch, ["[N, N, *]", "N is 10 on axis 1 but 4 elsewhere"]) {
            try array.requireShape(["N", "N", "*"])
        }
        var bindings = ["T": 20]
        assertNumPyError(.shapeMismatch, ["T is 10 on axis 1 but 20 elsewhere"]) {
            try array.requireShape(["B", "T", 2], bindings: &bindings)
        }
        XCTAssertEqual(bindings, ["T": 20], "a failed match must not bind")
    }

    // MARK: - Finiteness

    func testRequireFiniteCountsAndLocates() throws {
        var values = [Double](repeating: 1, count: 24)  // (2 x 4 x 3)
        values[13] = .nan
        values[14] = -.infinity
        values[20] = .nan
        let array = try NumPyArray(doubles: values, shape: [2, 4, 3])
        assertNumPyError(.nonFinite, ["3 non-finite values", "2 NaN, 1 infinite", "first at index [1, 0, 1]"]) {
            try array.requireFinite()
        }
        let floats = try NumPyArray(floats: [0, .infinity], shape: [2])
        assertNumPyError(.nonFinite, ["1 infinite", "[1]"]) { try floats.requireFinite() }

        XCTAssertNoThrow(try testArray(.float64, shape: [5]).requireFinite())
        XCTAssertNoThrow(try testArray(.int64, shape: [5]).requireFinite())
        XCTAssertNoThrow(try NumPyArray(doubles: [], shape: [0]).requireFinite())
    }

    func testMultiIndexIsCOrder() throws {
        let array = try testArray(.uint8, shape: [2, 3, 4])
        XCTAssertEqual(array.multiIndex(0), [0, 0, 0])
        XCTAssertEqual(array.multiIndex(5), [0, 1, 1])
        XCTAssertEqual(array.multiIndex(23), [1, 2, 3])
    }
}
