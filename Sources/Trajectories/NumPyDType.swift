/// The element types a `NumPyArray` can hold, spelled as NumPy's `dtype.str`.
///
/// Storage is always little-endian; big-endian files (`>f8`, …) are byte-swapped when read.
public enum NumPyDType: String, CaseIterable, Sendable {
    /// IEEE-754 binary64, `np.float64`.
    case float64 = "<f8"
    /// IEEE-754 binary32, `np.float32`.
    case float32 = "<f4"
    /// Signed 64-bit integer, `np.int64`.
    case int64 = "<i8"
    /// Signed 32-bit integer, `np.int32`.
    case int32 = "<i4"
    /// Unsigned byte, `np.uint8`.
    case uint8 = "|u1"
    /// One byte holding 0 or 1, `np.bool_`.
    case bool = "|b1"

    /// The `descr` string written into `.npy` headers, e.g. `<f8`.
    public var descr: String { rawValue }

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .uint8, .bool: return 1
        }
    }

    /// NumPy's name for the type, e.g. `float64`.
    public var name: String {
        switch self {
        case .float64: return "float64"
        case .float32: return "float32"
        case .int64: return "int64"
        case .int32: return "int32"
        case .uint8: return "uint8"
        case .bool: return "bool"
        }
    }

    /// Whether values can be NaN or infinite.
    public var isFloatingPoint: Bool { self == .float64 || self == .float32 }

    /// Parses a header `descr`; `byteSwapped` is true for big-endian multi-byte types.
    ///
    /// Accepts `<` and `>` for multi-byte types and `|`, `<`, `>` for one-byte types, as NumPy does;
    /// returns `nil` for anything else (structured, string, object, float16, complex, …).
    static func parse(descr: String) -> (dtype: NumPyDType, byteSwapped: Bool)? {
        guard let order = descr.first, descr.count >= 2 else { return nil }
        let code = String(descr.dropFirst())
        guard let dtype = allCases.first(where: { String($0.rawValue.dropFirst()) == code }) else { return nil }
        switch (order, dtype.itemSize) {
        case ("<", _): return (dtype, false)
        case (">", 1), ("|", 1): return (dtype, false)
        case (">", _): return (dtype, true)
        default: return nil
        }
    }

    /// The list of supported `descr` strings, for error messages.
    static var supportedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
