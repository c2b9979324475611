/// A JSON document as a value: what recipes and `meta.json` are made of.
///
/// Parsed by a small strict parser that reports `line:column` (RFC 8259; no comments, no trailing
/// commas) and written by a serialiser with sorted keys and a fixed number format, so equal values
/// give equal bytes.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// Any JSON number; `isInteger` tells whether it was written without a fraction or exponent.
    case number(Double, isInteger: Bool)
    case string(String)
    case array([JSONValue])
    /// Keys in document order (duplicates are a parse error); equality ignores the order.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a, _), .number(b, _)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            // key order does not matter (keys are unique)
            return a.count == b.count && a.allSatisfy { entry in b.contains { $0.0 == entry.0 && $0.1 == entry.1 } }
        default: return false
        }
    }

    /// The value of `key` in an object, or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let entries) = self else { return nil }
        return entries.first { $0.0 == key }?.1
    }

    /// A short name of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    // MARK: - Writing

    /// Pretty JSON: two-space indent, object keys sorted, integers without a fraction, other
    /// numbers in Swift's shortest round-trip form; ends with a newline.
    public func serialized() -> String {
        var out = ""
        write(into: &out, indent: "")
        return out + "\n"
    }

    private func write(into out: inout String, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x, _):
            if x == x.rounded(), abs(x) < 1e15 { out += String(Int64(x)) } else { out += "\(x)" }
        case .string(let s): out += JSONValue.quote(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            // Arrays of scalars stay on one line (vectors of gains, goals).
            if items.allSatisfy({ if case .array = $0 { return false }; if case .object = $0 { return false }; return true }) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    item.write(into: &out, indent: indent)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += indent + "  "
                item.write(into: &out, indent: indent + "  ")
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let entries):
            if entries.isEmpty { out += "{}"; return }
            out += "{\n"
            let sorted = entries.sorted { $0.0 < $1.0 }
            for (i, (key, value)) in sorted.enumerated() {
                out += indent + "  " + JSONValue.quote(key) + ": "
                value.write(into: &out, indent: indent + "  ")
                out += i + 1 < sorted.count ? ",\n" : "\n"
            }
            out += indent + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: - Parsing

    /// Parses UTF-8 JSON text.
    /// - Throws: `JSONValue.ParseError` with the line and column (both from 1) of the problem.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    /// A syntax error at a line and column.
    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int, column: Int, message: String
        public var description: String { "\(line):\(column): \(message)" }
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        func failure(_ message: String) -> ParseError {
            var line = 1, column = 1
            for byte in bytes[0..<min(position, bytes.count)] {
                if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
            }
            return ParseError(line: line, column: column, message: message)
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 }
        }

        mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
            let utf8 = Array(literal.utf8)
            guard bytes.count - position >= utf8.count, Array(bytes[position..<position + utf8.count]) == utf8 else {
                throw failure("unexpected character; expected a JSON value")
            }
            position += utf8.count
            return value
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < 64 else { throw failure("nested more than 64 levels deep") }
            guard let c = current else { throw failure("unexpected end of input; expected a value") }
            switch c {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default:
                throw failure("unexpected character '\(String(UnicodeScalar(c)))'; expected a JSON value")
            }
        }

        mutating func object(depth: Int) throws -> JSONValue {
            position += 1
            var entries: [(String, JSONValue)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return .object([]) }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let keyStart = position
                let key = try string()
                if entries.contains(where: { $0.0 == key }) {
                    position = keyStart
                    throw failure("duplicate key \"\(key)\"")
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw failure("expected ':' after key \"\(key)\"") }
                position += 1
                skipWhitespace()
                entries.append((key, try value(depth: depth + 1)))
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                if current == UInt8(ascii: "}") { position += 1; return .object(entries) }
                throw failure("expected ',' or '}' in object")
            }
        }

        mutating func array(depth: Int) throws -> JSONValue {
            position += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return .array([]) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                if current == UInt8(ascii: "]") { position += 1; return .array(items) }
                throw failure("expected ',' or ']' in array")
            }
        }

        mutating func string() throws -> String {
            position += 1
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() throws {
                guard !run.isEmpty else { return }
                guard let s = String(validating: run, as: UTF8.self) else { throw failure("invalid UTF-8 in string") }
                scalars.append(contentsOf: s.unicodeScalars)
                run.removeAll()
            }
            while true {
                guard let c = current else { throw failure("unterminated string") }
                if c == UInt8(ascii: "\"") { position += 1; break }
                if c < 0x20 { throw failure("control character in string") }
                if c != UInt8(ascii: "\\") { run.append(c); position += 1; continue }
                try flush()
                position += 1
                guard let e = current else { throw failure("unterminated escape") }
                position += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    guard bytes.count - position >= 4,
                          let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
                        throw failure("bad \\u escape")
                    }
                    position += 4
                    // Surrogate pairs are rare in recipes; a lone surrogate is an error.
                    guard let scalar = UnicodeScalar(code) else { throw failure("unsupported \\u escape (surrogate)") }
                    scalars.append(scalar)
                default: throw failure("bad escape '\\\(String(UnicodeScalar(e)))'")
                }
            }
            try flush()
            return String(scalars)
        }

        mutating func number() throws -> JSONValue {
            let start = position
            var isInteger = true
            if current == UInt8(ascii: "-") { position += 1 }
            func digits() -> Int {
                var n = 0
                while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { position += 1; n += 1 }
                return n
            }
            guard digits() > 0 else { throw failure("malformed number") }
            if current == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                guard digits() > 0 else { throw failure("malformed number: digits expected after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                isInteger = false
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw failure("malformed number: digits expected in exponent") }
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard let value = Double(text), value.isFinite else {
                position = start
                throw failure("number \(text) is out of range")
            }
            return .number(value, isInteger: isInteger)
        }
    }
}
