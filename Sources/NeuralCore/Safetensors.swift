// Safetensors: reading and writing the safetensors format (F32 tensors only), with strict
// validation. Format: 8-byte little-endian header length N, N bytes of JSON header
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}},
// then the data section; offsets are relative to the data section's start.

import Foundation

/// The contents of one safetensors file: named F32 tensors in data order, and string metadata.
public struct SafetensorsFile: Equatable {
    /// Tensors in the order their data is stored.
    public var tensors: [(name: String, tensor: Tensor)]
    /// The `__metadata__` entry: free-form string pairs.
    public var metadata: [String: String]

    /// Creates file contents from tensors (stored in this order) and metadata.
    public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    public static func == (lhs: SafetensorsFile, rhs: SafetensorsFile) -> Bool {
        lhs.metadata == rhs.metadata && lhs.tensors.map(\.name) == rhs.tensors.map(\.name)
            && lhs.tensors.map(\.tensor) == rhs.tensors.map(\.tensor)
    }

    /// The tensor with the given name, or nil.
    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

    // MARK: - Writing

    /// The file's bytes: header padded with spaces to a multiple of 8 bytes, then the data.
    public func encoded() -> Data {
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, tensor) in tensors {
            let byteCount = tensor.count * MemoryLayout<Float>.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            offset += byteCount
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var bytes = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for (_, tensor) in tensors {
            let littleEndian = tensor.scalars.map { $0.bitPattern.littleEndian }
            littleEndian.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Writes the file atomically: to a temporary file in the same directory, flushed to disk,
    /// then renamed over `url`, so readers see the old file or the new one, never a mix.
    public func write(to url: URL) throws {
        let path = url.path
        let temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        let bytes = encoded()
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw CheckpointError.writeFailed(file: path, reason: String(cString: strerror(errno)))
        }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let result = Foundation.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno)); return
                }
                written += result
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil && rename(temporaryPath, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporaryPath)
            throw CheckpointError.writeFailed(file: path, reason: failure)
        }
    }

    // MARK: - Reading

    /// Reads and validates a file: header length within the file, a JSON object header, F32
    /// dtypes, shapes that match `data_offsets`, tensors tiling the data section exactly.
    /// Errors name the file and the offending tensor.
    public static func read(from url: URL) throws -> SafetensorsFile {
        let file = url.path
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            throw CheckpointError.unreadable(file: file, reason: error.localizedDescription)
        }
        return try decode(bytes, file: file)
    }

    /// Decodes and validates file bytes; `file` names the source in errors.
    public static func decode(_ bytes: Data, file: String) throws -> SafetensorsFile {
        let bytes = [UInt8](bytes)
        guard bytes.count >= 8 else {
            throw CheckpointError.truncated(file: file, reason: "\(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw CheckpointError.headerLengthPastEnd(file: file, headerLength: headerLength, fileSize: bytes.count)
        }
        let dataStart = 8 + Int(headerLength)
        let header = try parseHeader(Array(bytes[8..<dataStart]), file: file)
        let dataSize = bytes.count - dataStart

        // Validate every entry, then check the entries tile the data section.
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, entry) in header.tensors {
            guard entry.dtype == "F32" else {
                throw CheckpointError.unsupportedDType(file: file, tensor: name, dtype: entry.dtype)
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw CheckpointError.malformedHeader(file: file, reason: "tensor '\(name)' has negative extent in shape \(entry.shape)")
            }
            guard entry.dataOffsets.count == 2, entry.dataOffsets[0] >= 0, entry.dataOffsets[0] <= entry.dataOffsets[1] else {
                throw CheckpointError.badDataOffsets(file: file, tensor: name, reason: "data_offsets \(entry.dataOffsets) are not [begin, end] with begin ≤ end")
            }
            let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
            // overflow-checked: a hostile shape such as [2^32, 2^32] must not trap; no tensor holds
            // more elements than the file has bytes
            guard let expectedBytes = checkedByteCount(entry.shape, limit: bytes.count) else {
                throw CheckpointError.malformedHeader(file: file, reason: "tensor '\(name)' has shape \(entry.shape), more F32 values than the file's \(bytes.count) bytes hold")
            }
            guard end - begin == expectedBytes else {
                throw CheckpointError.badDataOffsets(file: file, tensor: name,
                                                     reason: "data_offsets span \(end - begin) bytes, shape \(entry.shape) of F32 needs \(expectedBytes)")
            }
            entries.append((name, entry.shape, begin, end))
        }
        // In data order, so the first tensor past a truncation is the one reported.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        for entry in entries where entry.end > dataSize {
            throw CheckpointError.truncated(file: file,
                                            reason: "tensor '\(entry.name)' ends at data byte \(entry.end), but the data section has \(dataSize) bytes")
        }
        var expectedBegin = 0
        for entry in entries {
            guard entry.begin == expectedBegin else {
                throw CheckpointError.badDataOffsets(file: file, tensor: entry.name,
                                                     reason: "starts at data byte \(entry.begin), expected \(expectedBegin) (gap or overlap)")
            }
            expectedBegin = entry.end
        }
        guard expectedBegin == dataSize else {
            throw CheckpointError.malformedHeader(file: file, reason: "\(dataSize - expectedBegin) bytes after the last tensor")
        }

        // Copy the data out as little-endian Float32.
        let tensors = entries.map { entry -> (name: String, tensor: Tensor) in
            let count = (entry.end - entry.begin) / 4
            var scalars = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let p = dataStart + entry.begin + 4 * i
                let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
                scalars[i] = Float(bitPattern: bits)
            }
            return (entry.name, Tensor(shape: entry.shape, scalars: scalars))
        }
        return SafetensorsFile(tensors: tensors, metadata: header.metadata)
    }

    /// The bytes of F32 tensor `shape`, or nil when they overflow or exceed `limit`.
    static func checkedByteCount(_ shape: [Int], limit: Int) -> Int? {
        var count = MemoryLayout<Float>.size
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= limit else { return nil }
            count = product
        }
        return count
    }

    /// One tensor's header entry.
    private struct TensorEntry: Decodable {
        var dtype: String
        var shape: [Int]
        var dataOffsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
    }

    private static func parseHeader(_ header: [UInt8], file: String)
        throws -> (tensors: [(String, TensorEntry)], metadata: [String: String]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(header)) as? [String: Any] else {
            throw CheckpointError.malformedHeader(file: file, reason: "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [(String, TensorEntry)] = []
        for (name, value) in object {
            // Re-encode each entry and decode it with its exact type, so that a shape of 2.5 or
            // a string offset is an error rather than a silent conversion.
            guard let entryJSON = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) else {
                throw CheckpointError.malformedHeader(file: file, reason: "entry '\(name)' is not JSON")
            }
            if name == "__metadata__" {
                guard let decoded = try? JSONDecoder().decode([String: String].self, from: entryJSON) else {
                    throw CheckpointError.malformedHeader(file: file, reason: "__metadata__ is not a map of strings to strings")
                }
                metadata = decoded
            } else {
                guard let entry = try? JSONDecoder().decode(TensorEntry.self, from: entryJSON) else {
                    throw CheckpointError.malformedHeader(file: file,
                                                          reason: "tensor '\(name)' needs dtype (string), shape and data_offsets (integer arrays)")
                }
                tensors.append((name, entry))
            }
        }
        return (tensors, metadata)
    }
}

/// A JSON string literal for `text`, with quotes, backslashes and control characters escaped.
func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
