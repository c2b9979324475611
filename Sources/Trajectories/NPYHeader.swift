/// The `.npy` header dictionary: `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`.
///
/// Writing reproduces `numpy.lib.format._write_array_header` byte for byte (key order, growth padding,
/// 64-byte alignment); reading parses the Python literal strictly: exactly these three keys, a
/// supported `descr`, a bool, a tuple of non-negative ints.
struct NPYHeader: Equatable {
    var dtype: NumPyDType
    /// True for big-endian data (`>f8`), swapped to little-endian when read.
    var byteSwapped = false
    var fortranOrder = false
    var shape: [Int]

    /// `\x93NUMPY`.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// NumPy aligns the start of the data to this many bytes.
    static let alignment = 64
    /// NumPy leaves room for the growth axis to reach this many digits.
    static let growthAxisMaxDigits = 21

    // MARK: - Writing

    /// Magic, version, header length, dictionary, padding and newline, as `np.save` writes them:
    /// version 1.0 unless the header needs more than 65535 bytes, then 2.0.
    func encoded() -> [UInt8] {
        let shapeRepr: String
        switch shape.count {
        case 0: shapeRepr = "()"
        case 1: shapeRepr = "(\(shape[0]),)"
        default: shapeRepr = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': \(shapeRepr), }"
        if let first = shape.first {
            dict += String(repeating: " ", count: max(0, NPYHeader.growthAxisMaxDigits - String(first).count))
        }
        let body = Array(dict.utf8)
        for (major, lengthBytes) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let prefixCount = NPYHeader.magic.count + 2 + lengthBytes
            let headerLength = body.count + 1
            let padding = NPYHeader.alignment - (prefixCount + headerLength) % NPYHeader.alignment
            let total = headerLength + padding
            guard lengthBytes == 4 || total <= Int(UInt16.max) else { continue }
            var out = NPYHeader.magic + [major, 0]
            for index in 0..<lengthBytes { out.append(UInt8(truncatingIfNeeded: total >> (8 * index))) }
            out += body
            out += [UInt8](repeating: 0x20, count: padding)
            out.append(0x0A)
            return out
        }
        preconditionFailure("unreachable: version 2.0 always fits")
    }

    // MARK: - Reading

    /// Parses the magic, version and dictionary at the start of `bytes`.
    ///
    /// - Returns: The header and the offset where the data starts.
    /// - Throws: `NumPyError` (without a file) for a bad magic, an unknown version, a truncated or
    ///   malformed header, an unsupported dtype or an invalid shape.
    static func decode(_ bytes: [UInt8]) throws -> (header: NPYHeader, dataOffset: Int) {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            if bytes.count < magic.count, Array(magic.prefix(bytes.count)) == bytes {
                throw NumPyError(.truncatedData, "truncated: \(bytes.count) bytes, shorter than the .npy magic")
            }
            let found = bytes.prefix(magic.count).map { byte -> String in
                (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + hex(byte)
            }.joined()
            throw NumPyError(.badMagic, "bad magic: not an .npy file (expected \\x93NUMPY, found '\(found)')")
        }
        guard bytes.count >= 8 else {
            throw NumPyError(.truncatedData, "truncated: \(bytes.count) bytes, header version missing")
        }
        let (major, minor) = (bytes[6], bytes[7])
        guard (1...3).contains(major), minor == 0 else {
            throw NumPyError(.badMagic, "unsupported .npy format version \(major).\(minor) (known: 1.0, 2.0, 3.0)")
        }
        let lengthBytes = major == 1 ? 2 : 4
        let lengthEnd = 8 + lengthBytes
        guard bytes.count >= lengthEnd else {
            throw NumPyError(.truncatedData, "truncated: \(bytes.count) bytes, header length missing")
        }
        var headerLength = 0
        for index in 0..<lengthBytes { headerLength |= Int(bytes[8 + index]) << (8 * index) }
        guard bytes.count - lengthEnd >= headerLength else {
            throw NumPyError(.truncatedData, "truncated header: declares \(headerLength) bytes, "
                             + "\(bytes.count - lengthEnd) present")
        }
        let raw = bytes[lengthEnd..<(lengthEnd + headerLength)]
        // Versions 1.0 and 2.0 are latin-1, 3.0 is UTF-8; NumPy itself writes only ASCII.
        let text: String
        if major == 3 {
            guard let utf8 = String(validating: raw, as: UTF8.self) else {
                throw NumPyError(.malformedHeader, "malformed header: not valid UTF-8")
            }
            text = utf8
        } else {
            text = String(String.UnicodeScalarView(raw.map { UnicodeScalar($0) }))
        }
        guard text.hasSuffix("\n") else {
            throw NumPyError(.malformedHeader, "malformed header: does not end with a newline")
        }
        let header = try parse(dictionary: text)
        return (header, lengthEnd + headerLength)
    }

    /// Interprets the header text as the three-key dictionary NumPy writes.
    static func parse(dictionary text: String) throws -> NPYHeader {
        var parser = PythonLiteralParser(text)
        let literal: PythonLiteral
        do {
            literal = try parser.parseValue()
            parser.skipWhitespace()
            guard parser.atEnd else { throw parser.failure("unexpected text after the dictionary") }
        } catch let error as PythonLiteralParser.Failure {
            throw NumPyError(.malformedHeader, "malformed header: \(error.message) in \(quoted(text))")
        }
        guard case .dict(let entries) = literal else {
            throw NumPyError(.malformedHeader, "malformed header: expected a dictionary, found \(quoted(text))")
        }
        var fields: [String: PythonLiteral] = [:]
        for (key, value) in entries {
            guard ["descr", "fortran_order", "shape"].contains(key) else {
                throw NumPyError(.malformedHeader, "malformed header: unexpected key '\(key)'")
            }
            guard fields.updateValue(value, forKey: key) == nil else {
                throw NumPyError(.malformedHeader, "malformed header: duplicate key '\(key)'")
            }
        }
        for key in ["descr", "fortran_order", "shape"] where fields[key] == nil {
            throw NumPyError(.malformedHeader, "malformed header: missing key '\(key)'")
        }

        // descr: a supported dtype string
        let dtype: NumPyDType, swapped: Bool
        switch fields["descr"]! {
        case .string(let descr):
            guard let parsed = NumPyDType.parse(descr: descr) else {
                throw NumPyError(.unsupportedDType,
                                 "unsupported dtype '\(descr)' (supported: \(NumPyDType.supportedList))")
            }
            (dtype, swapped) = parsed
        case .list:
            throw NumPyError(.unsupportedDType,
                             "unsupported dtype: structured dtypes are not supported "
                             + "(supported: \(NumPyDType.supportedList))")
        default:
            throw NumPyError(.malformedHeader, "malformed header: 'descr' is not a string")
        }

        // fortran_order: a bool
        guard case .bool(let fortranOrder) = fields["fortran_order"]! else {
            throw NumPyError(.malformedHeader, "malformed header: 'fortran_order' is not True or False")
        }

        // shape: a tuple of non-negative ints whose product fits
        guard case .tuple(let items) = fields["shape"]! else {
            throw NumPyError(.malformedHeader, "malformed header: 'shape' is not a tuple")
        }
        var shape: [Int] = []
        for item in items {
            switch item {
            case .int(let value?): shape.append(value)
            case .int(nil):
                throw NumPyError(.invalidShape, "invalid shape: a dimension does not fit in 64 bits")
            default:
                throw NumPyError(.malformedHeader, "malformed header: 'shape' holds a non-integer")
            }
        }
        _ = try NumPyArray.elementCount(of: shape)
        return NPYHeader(dtype: dtype, byteSwapped: swapped, fortranOrder: fortranOrder, shape: shape)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    /// The header text shortened for messages.
    private static func quoted(_ text: String) -> String {
        let trimmed = text.trimmingTrailingWhitespace()
        let short = trimmed.count > 120 ? String(trimmed.prefix(120)) + "…" : trimmed
        return "\"" + short + "\""
    }
}

private extension String {
    func trimmingTrailingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last == " " || last == "\n" || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}

// MARK: - A strict parser for the Python literals NumPy writes in headers

/// The Python literal subset found in `.npy` headers.
enum PythonLiteral: Equatable {
    case string(String)
    case bool(Bool)
    /// `nil` when the integer does not fit in `Int`.
    case int(Int?)
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(String, PythonLiteral)])

    static func == (lhs: PythonLiteral, rhs: PythonLiteral) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.tuple(a), .tuple(b)), let (.list(a), .list(b)): return a == b
        case let (.dict(a), .dict(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

/// Recursive descent over strings, `True`/`False`, integers, tuples, lists and dicts with string keys.
/// Nesting is limited so hostile headers cannot exhaust the stack.
struct PythonLiteralParser {
    struct Failure: Error { var message: String }

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var depth = 0
    private static let maxDepth = 16

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    var atEnd: Bool { position == scalars.count }

    func failure(_ message: String) -> Failure {
        Failure(message: "\(message) at character \(position)")
    }

    mutating func skipWhitespace() {
        while position < scalars.count, [" ", "\t", "\n", "\r"].contains(scalars[position]) { position += 1 }
    }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    mutating func parseValue() throws -> PythonLiteral {
        skipWhitespace()
        guard let scalar = current else { throw failure("unexpected end") }
        switch scalar {
        case "'", "\"": return .string(try parseString())
        case "{": return try nested { try $0.parseDict() }
        case "(":
            return try nested { parser in
                let (items, sawComma) = try parser.parseSequence(closing: ")")
                // `(3)` is the int 3 in Python, not a tuple
                if items.count == 1 && !sawComma { return items[0] }
                return .tuple(items)
            }
        case "[": return try nested { .list(try $0.parseSequence(closing: "]").items) }
        case "-", "0"..."9": return .int(try parseInt())
        default:
            if matchWord("True") { return .bool(true) }
            if matchWord("False") { return .bool(false) }
            throw failure("unexpected '\(scalar)'")
        }
    }

    private mutating func nested(_ body: (inout PythonLiteralParser) throws -> PythonLiteral) throws -> PythonLiteral {
        depth += 1
        defer { depth -= 1 }
        guard depth <= PythonLiteralParser.maxDepth else { throw failure("nesting too deep") }
        return try body(&self)
    }

    private mutating func matchWord(_ word: String) -> Bool {
        let wordScalars = Array(word.unicodeScalars)
        guard position + wordScalars.count <= scalars.count,
              Array(scalars[position..<(position + wordScalars.count)]) == wordScalars else { return false }
        let after = position + wordScalars.count
        if after < scalars.count, scalars[after].properties.isAlphabetic || scalars[after] == "_" { return false }
        position = after
        return true
    }

    private mutating func parseString() throws -> String {
        let quote = scalars[position]
        position += 1
        var result = String.UnicodeScalarView()
        while let scalar = current {
            position += 1
            if scalar == quote { return String(result) }
            guard scalar != "\n" else { throw failure("unterminated string") }
            guard scalar != "\\" else { throw failure("escape sequence in a string") }
            result.append(scalar)
        }
        throw failure("unterminated string")
    }

    private mutating func parseInt() throws -> Int? {
        var negative = false
        if current == "-" { negative = true; position += 1 }
        var value: Int? = 0
        var digits = 0
        while let scalar = current, ("0"..."9").contains(scalar) {
            let digit = Int(scalar.value - 48)
            if let soFar = value {
                let (times, o1) = soFar.multipliedReportingOverflow(by: 10)
                let (next, o2) = times.addingReportingOverflow(digit)
                value = (o1 || o2) ? nil : next
            }
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw failure("'-' without digits") }
        if let scalar = current, scalar.properties.isAlphabetic || scalar == "." {
            throw failure("not an integer")
        }
        return value.map { negative ? -$0 : $0 }
    }

    /// Items separated by commas, an optional trailing comma, then `closing`.
    private mutating func parseSequence(closing: Unicode.Scalar) throws -> (items: [PythonLiteral], sawComma: Bool) {
        position += 1
        var items: [PythonLiteral] = []
        var sawComma = false
        while true {
            skipWhitespace()
            if current == closing { position += 1; return (items, sawComma) }
            items.append(try parseValue())
            skipWhitespace()
            if current == "," { position += 1; sawComma = true; continue }
            guard current == closing else { throw failure("expected ',' or '\(closing)'") }
        }
    }

    private mutating func parseDict() throws -> PythonLiteral {
        position += 1
        var entries: [(String, PythonLiteral)] = []
        while true {
            skipWhitespace()
            if current == "}" { position += 1; return .dict(entries) }
            guard current == "'" || current == "\"" else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard current == ":" else { throw failure("expected ':' after key '\(key)'") }
            position += 1
            entries.append((key, try parseValue()))
            skipWhitespace()
            if current == "," { position += 1; continue }
            guard current == "}" else { throw failure("expected ',' or '}'") }
        }
    }
}
