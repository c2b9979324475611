/// A JSON object of a recipe with typed, checked field access; every error names the file and the
/// field's path (`policy.kp`). Policies read their parameters through one of these, so a user's
/// policy reports bad parameters the way built-in ones do.
public struct RecipeObject: Sendable {
    /// The fields in document order.
    public let entries: [(String, JSONValue)]
    /// Path of this object in the recipe, e.g. `policy`; empty at the top.
    public let path: String
    /// The recipe file, named in errors.
    public let file: String?

    public init(_ value: JSONValue, path: String, file: String?) throws {
        guard case .object(let entries) = value else {
            throw DatasetError.invalid("\(path.isEmpty ? "recipe" : path): expected an object, found \(value.kindName)", file: file)
        }
        self.entries = entries
        self.path = path
        self.file = file
    }

    /// The full path of field `key`.
    public func fieldPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// An error about field `key`.
    public func error(_ key: String, _ problem: String) -> DatasetError {
        DatasetError.invalid("\(fieldPath(key)): \(problem)", file: file)
    }

    public subscript(key: String) -> JSONValue? { entries.first { $0.0 == key }?.1 }

    /// Throws for a field not in `allowed` (a typo would otherwise be silently ignored).
    public func rejectUnknownKeys(_ allowed: [String]) throws {
        for (key, _) in entries where !allowed.contains(key) {
            throw DatasetError.invalid("\(fieldPath(key)): unknown field (known: \(allowed.sorted().joined(separator: ", ")))", file: file)
        }
    }

    // MARK: - Typed fields

    public func string(_ key: String) throws -> String {
        guard let value = self[key] else { throw error(key, "missing (a string is required)") }
        guard case .string(let s) = value else { throw error(key, "expected a string, found \(value.kindName)") }
        return s
    }

    public func string(_ key: String, default fallback: String?) throws -> String? {
        self[key] == nil ? fallback : try string(key)
    }

    public func double(_ key: String) throws -> Double {
        guard let value = self[key] else { throw error(key, "missing (a number is required)") }
        guard case .number(let x, _) = value else { throw error(key, "expected a number, found \(value.kindName)") }
        return x
    }

    public func double(_ key: String, default fallback: Double) throws -> Double {
        self[key] == nil ? fallback : try double(key)
    }

    /// A number that must lie in `range`.
    public func double(_ key: String, default fallback: Double? = nil, in range: ClosedRange<Double>) throws -> Double {
        let x = try fallback.map { try double(key, default: $0) } ?? double(key)
        guard range.contains(x) else { throw error(key, "\(x) is outside \(range.lowerBound)...\(range.upperBound)") }
        return x
    }

    public func int(_ key: String) throws -> Int {
        guard let value = self[key] else { throw error(key, "missing (an integer is required)") }
        guard case .number(let x, let isInteger) = value, isInteger, abs(x) < 9.0e15 else {
            throw error(key, "expected an integer, found \(describe(value))")
        }
        return Int(x)
    }

    /// An integer of at least `minimum` (counts: "must be >= 0, found -5").
    /// With `maximum`, an upper bound too ("must be <= 10000, found 1000000000").
    public func int(_ key: String, default fallback: Int? = nil, minimum: Int, maximum: Int = .max) throws -> Int {
        let n = try (self[key] == nil ? fallback : nil) ?? int(key)
        guard n >= minimum else { throw error(key, "must be >= \(minimum), found \(n)") }
        guard n <= maximum else { throw error(key, "must be <= \(maximum), found \(n)") }
        return n
    }

    /// An array of numbers; with `count`, exactly that many (`countName` says what they are per).
    public func doubles(_ key: String, count: Int? = nil, countName: String = "") throws -> [Double] {
        guard let value = self[key] else { throw error(key, "missing (an array of numbers is required)") }
        return try RecipeObject.doubles(value, path: fieldPath(key), count: count, countName: countName, file: file)
    }

    /// A number (broadcast to `count`) or an array of `count` numbers.
    public func vector(_ key: String, count: Int, countName: String, default fallback: Double) throws -> [Double] {
        guard let value = self[key] else { return [Double](repeating: fallback, count: count) }
        if case .number(let x, _) = value { return [Double](repeating: x, count: count) }
        return try doubles(key, count: count, countName: countName)
    }

    public func object(_ key: String) throws -> RecipeObject? {
        guard let value = self[key] else { return nil }
        return try RecipeObject(value, path: fieldPath(key), file: file)
    }

    static func doubles(_ value: JSONValue, path: String, count: Int?, countName: String, file: String?) throws -> [Double] {
        guard case .array(let items) = value else {
            throw DatasetError.invalid("\(path): expected an array of numbers, found \(value.kindName)", file: file)
        }
        let numbers = try items.enumerated().map { index, item -> Double in
            guard case .number(let x, _) = item else {
                throw DatasetError.invalid("\(path)[\(index)]: expected a number, found \(item.kindName)", file: file)
            }
            return x
        }
        if let count, numbers.count != count {
            throw DatasetError.invalid("\(path): expected \(count) numbers\(countName.isEmpty ? "" : " (\(countName))"), found \(numbers.count)", file: file)
        }
        return numbers
    }

    private func describe(_ value: JSONValue) -> String {
        if case .number(let x, _) = value { return "\(x)" }
        return value.kindName
    }
}
