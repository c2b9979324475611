/// One entry of a shape pattern such as `["B", "T", 3]`.
///
/// An integer literal requires that extent; a string literal names a dimension that may take any
/// extent but must take the same one wherever the name appears; `"*"` or `"_"` matches anything.
public enum ShapeDimension: Hashable, Sendable, CustomStringConvertible,
                            ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    /// Exactly this extent.
    case exactly(Int)
    /// Any extent, bound to this name.
    case named(String)
    /// Any extent.
    case any

    public init(integerLiteral value: Int) { self = .exactly(value) }

    public init(stringLiteral value: String) {
        self = (value == "*" || value == "_") ? .any : .named(value)
    }

    public var description: String {
        switch self {
        case .exactly(let extent): return String(extent)
        case .named(let name): return name
        case .any: return "*"
        }
    }
}

extension NumPyArray {
    /// Checks `shape` against `pattern`, binding named dimensions.
    ///
    /// - Parameter bindings: Extents of named dimensions seen so far; new names are added.
    /// - Throws: `NumPyError` `.shapeMismatch`, e.g. `must have shape [B, T, 3], found [4, 10, 2]`.
    public func requireShape(_ pattern: [ShapeDimension], bindings: inout [String: Int]) throws {
        let expected = "[" + pattern.map(\.description).joined(separator: ", ") + "]"
        func mismatch(_ detail: String = "") -> NumPyError {
            NumPyError(.shapeMismatch, "must have shape \(expected), found \(shape)\(detail)")
        }
        guard shape.count == pattern.count else {
            throw mismatch(" (\(shape.count) dimensions, expected \(pattern.count))")
        }
        var local = bindings
        for (axis, (extent, dimension)) in zip(shape, pattern).enumerated() {
            switch dimension {
            case .any: continue
            case .exactly(let required):
                guard extent == required else { throw mismatch(" (axis \(axis) is \(extent), expected \(required))") }
            case .named(let name):
                if let bound = local[name], bound != extent {
                    throw mismatch(" (\(name) is \(extent) on axis \(axis) but \(bound) elsewhere)")
                }
                local[name] = extent
            }
        }
        bindings = local
    }

    /// Checks `shape` against `pattern` (see `requireShape(_:bindings:)`) and the dtype (`nil`: any).
    /// - Throws: `NumPyError` `.shapeMismatch` or `.wrongDType`.
    func require(_ pattern: [ShapeDimension], dtype: NumPyDType?, bindings: inout [String: Int]) throws {
        try requireShape(pattern, bindings: &bindings)
        if let dtype, self.dtype != dtype {
            throw NumPyError(.wrongDType, "has dtype \(self.dtype.descr) (\(self.dtype.name)); "
                             + "expected \(dtype.descr) (\(dtype.name))")
        }
    }

    /// Checks `shape` against `pattern`; see `requireShape(_:bindings:)`.
    ///
    /// - Returns: The extent bound to each named dimension.
    @discardableResult
    public func requireShape(_ pattern: [ShapeDimension]) throws -> [String: Int] {
        var bindings: [String: Int] = [:]
        try requireShape(pattern, bindings: &bindings)
        return bindings
    }

    /// Checks that no element is NaN or infinite; integer and bool arrays always pass.
    ///
    /// - Throws: `NumPyError` `.nonFinite` with the number of NaN and infinite values and the
    ///   index of the first, e.g. `has 3 non-finite values (2 NaN, 1 infinite); first at index [0, 4, 1]`.
    public func requireFinite() throws {
        var nanCount = 0, infiniteCount = 0, first: Int?
        func tally<T: BinaryFloatingPoint>(_ values: [T]) {
            for (index, value) in values.enumerated() where !value.isFinite {
                if value.isNaN { nanCount += 1 } else { infiniteCount += 1 }
                if first == nil { first = index }
            }
        }
        switch dtype {
        case .float64: tally(try doubles)
        case .float32: tally(try floats)
        default: return
        }
        guard let first else { return }
        throw nonFinite(nan: nanCount, infinite: infiniteCount, first: first)
    }

    /// The `.nonFinite` error of `requireFinite` for these counts and the first bad element's flat index.
    func nonFinite(nan: Int, infinite: Int, first: Int) -> NumPyError {
        NumPyError(.nonFinite, "has \(nan + infinite) non-finite values "
                   + "(\(nan) NaN, \(infinite) infinite); first at index \(multiIndex(first))")
    }

    /// The C-order multi-index of the element at flat position `flat`.
    public func multiIndex(_ flat: Int) -> [Int] {
        var remainder = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
            index[axis] = remainder % shape[axis]
            remainder /= shape[axis]
        }
        return index
    }
}
