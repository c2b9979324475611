import Foundation

#if _endian(big)
#error("Trajectories stores NumPy arrays little-endian and assumes a little-endian host")
#endif

/// An n-dimensional array as NumPy stores it: a shape, a dtype and contiguous C-order bytes.
///
/// A plain value: no strides, no views. Build one from typed values and a shape, read it back through
/// the typed accessors (`doubles`, `floats`, …), which throw on a dtype mismatch rather than convert.
///
/// ```swift
/// // qpos: (B x T x nq), float64
/// let qpos = try NumPyArray(doubles: flat, shape: [B, T, nq])
/// let back: [Double] = try qpos.doubles
/// ```
public struct NumPyArray: Equatable, Sendable {
    /// Most dimensions a shape may have (NumPy 2's `NPY_MAXDIMS`).
    public static let maxDimensions = 64

    /// The extent of each axis, outermost first; `[]` for a 0-d (scalar) array.
    public let shape: [Int]
    /// The element type.
    public let dtype: NumPyDType
    /// The elements, little-endian, in C (row-major) order. Count: `count * dtype.itemSize`.
    public let bytes: [UInt8]

    /// Number of elements: the product of `shape` (1 for a 0-d array).
    public var count: Int { bytes.count / dtype.itemSize }

    /// Creates an array from raw little-endian C-order bytes.
    ///
    /// - Throws: `NumPyError` `.invalidShape` for a negative or overflowing shape; `.countMismatch`
    ///   when `bytes.count != product(shape) * dtype.itemSize`; `.invalidValue` when a `bool` byte is
    ///   neither 0 nor 1.
    public init(shape: [Int], dtype: NumPyDType, bytes: [UInt8]) throws {
        let count = try NumPyArray.elementCount(of: shape)
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, needed == bytes.count else {
            throw NumPyError(.countMismatch,
                             "\(bytes.count) bytes do not fill shape \(shape) of \(dtype.descr) "
                             + "(needs \(count) x \(dtype.itemSize) bytes)")
        }
        if dtype == .bool, let bad = bytes.firstIndex(where: { $0 > 1 }) {
            throw NumPyError(.invalidValue, "bool element \(bad) holds byte \(bytes[bad]); expected 0 or 1")
        }
        self.init(unchecked: shape, dtype, bytes)
    }

    /// Creates an array without validation; callers have checked the byte count.
    init(unchecked shape: [Int], _ dtype: NumPyDType, _ bytes: [UInt8]) {
        self.shape = shape
        self.dtype = dtype
        self.bytes = bytes
    }

    // MARK: - Typed initialisers

    /// A `float64` array; `values.count` must equal the product of `shape`.
    public init(doubles values: [Double], shape: [Int]) throws {
        try self.init(values, shape: shape, dtype: .float64)
    }

    /// A `float32` array; `values.count` must equal the product of `shape`.
    public init(floats values: [Float], shape: [Int]) throws {
        try self.init(values, shape: shape, dtype: .float32)
    }

    /// An `int64` array; `values.count` must equal the product of `shape`.
    public init(int64s values: [Int64], shape: [Int]) throws {
        try self.init(values, shape: shape, dtype: .int64)
    }

    /// An `int32` array; `values.count` must equal the product of `shape`.
    public init(int32s values: [Int32], shape: [Int]) throws {
        try self.init(values, shape: shape, dtype: .int32)
    }

    /// A `uint8` array; `values.count` must equal the product of `shape`.
    public init(uint8s values: [UInt8], shape: [Int]) throws {
        try self.init(values, shape: shape, dtype: .uint8)
    }

    /// A `bool` array; `values.count` must equal the product of `shape`.
    public init(bools values: [Bool], shape: [Int]) throws {
        try self.init(values.map { $0 ? UInt8(1) : UInt8(0) }, shape: shape, dtype: .bool)
    }

    private init<T>(_ values: [T], shape: [Int], dtype: NumPyDType) throws {
        assert(MemoryLayout<T>.stride == dtype.itemSize)
        let count = try NumPyArray.elementCount(of: shape)
        guard values.count == count else {
            throw NumPyError(.countMismatch,
                             "\(values.count) \(dtype.name) values do not fill shape \(shape) "
                             + "(product \(count))")
        }
        let bytes = values.withUnsafeBytes { [UInt8]($0) }
        self.init(unchecked: shape, dtype, bytes)
    }

    // MARK: - Typed accessors

    /// The elements as `Double`, in C order. Throws `.wrongDType` unless the dtype is `float64`.
    public var doubles: [Double] { get throws { try values(.float64, "doubles") } }
    /// The elements as `Float`, in C order. Throws `.wrongDType` unless the dtype is `float32`.
    public var floats: [Float] { get throws { try values(.float32, "floats") } }
    /// The values as Double, converting float32 (an int64 array throws, as `doubles` does).
    public func asDoubles() throws -> [Double] { dtype == .float32 ? try floats.map(Double.init) : try doubles }
    /// The elements as `Int64`, in C order. Throws `.wrongDType` unless the dtype is `int64`.
    public var int64s: [Int64] { get throws { try values(.int64, "int64s") } }
    /// The elements as `Int32`, in C order. Throws `.wrongDType` unless the dtype is `int32`.
    public var int32s: [Int32] { get throws { try values(.int32, "int32s") } }
    /// The elements as `UInt8`, in C order. Throws `.wrongDType` unless the dtype is `uint8`.
    public var uint8s: [UInt8] { get throws { try values(.uint8, "uint8s") } }
    /// The elements as `Bool`, in C order. Throws `.wrongDType` unless the dtype is `bool`.
    public var bools: [Bool] {
        get throws { try requireDType(.bool, "bools"); return bytes.map { $0 != 0 } }
    }

    private func values<T>(_ expected: NumPyDType, _ accessor: String) throws -> [T] {
        try requireDType(expected, accessor)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }

    private func requireDType(_ expected: NumPyDType, _ accessor: String) throws {
        guard dtype == expected else {
            throw NumPyError(.wrongDType,
                             "has dtype \(dtype.descr) (\(dtype.name)); `\(accessor)` needs "
                             + "\(expected.descr) (\(expected.name))")
        }
    }

    // MARK: - Shape arithmetic

    /// The product of `shape`, checking dimensions are non-negative, at most `maxDimensions` of them,
    /// and that the product and its byte size fit in `Int`.
    static func elementCount(of shape: [Int]) throws -> Int {
        guard shape.count <= maxDimensions else {
            throw NumPyError(.invalidShape,
                             "shape has \(shape.count) dimensions; at most \(maxDimensions) allowed")
        }
        if let negative = shape.first(where: { $0 < 0 }) {
            throw NumPyError(.invalidShape, "shape \(shape) has negative dimension \(negative)")
        }
        // Beyond 2^56 elements (or one axis that long) no byte count fits in memory; refuse early.
        let limit = 1 << 56
        var product = 1
        for extent in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            guard !overflow, next <= limit, extent <= limit else {
                throw NumPyError(.invalidShape, "shape \(shape) has an element count that overflows")
            }
            product = next
        }
        return product
    }
}
