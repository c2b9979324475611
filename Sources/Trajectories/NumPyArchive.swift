import Foundation
import ZIPFoundation

/// Named arrays in a fixed order: the contents of an `.npz` file (`np.savez`, `np.load`).
///
/// ```swift
/// var archive = NumPyArchive()
/// try archive.append(qpos, named: "qpos")   // qpos: (B x T x nq)
/// try archive.write(to: url)                 // same arrays → same bytes
///
/// let loaded = try NumPyArchive(contentsOf: url)
/// let q = try loaded.array(named: "qpos", shape: ["B", "T", 3], requireFinite: true)
/// ```
public struct NumPyArchive: Equatable, Sendable {
    /// The array names in archive order (entry names without `.npy`).
    public private(set) var names: [String] = []
    private var arrays: [String: NumPyArray] = [:]
    /// The file this archive was read from, named in error messages; `nil` when built in memory.
    public var file: String?

    /// An empty archive.
    public init() {}

    /// An archive of `arrays` in the given order.
    ///
    /// - Throws: `NumPyError` `.invalidName` for a duplicate or unstorable name.
    public init(_ arrays: [(name: String, array: NumPyArray)]) throws {
        for (name, array) in arrays { try append(array, named: name) }
    }

    /// The array called `name`, or `nil`.
    public subscript(name: String) -> NumPyArray? { arrays[name] }

    /// Adds `array` after the existing ones.
    ///
    /// - Throws: `NumPyError` `.invalidName` when `name` is empty, already present, or holds `/`,
    ///   `\` or NUL (an `.npz` entry is `NAME.npy` at the root of the archive).
    public mutating func append(_ array: NumPyArray, named name: String) throws {
        if let problem = NumPyArchive.problem(withName: name) {
            throw NumPyError(.invalidName, "cannot store array name '\(name)': \(problem)", file: file)
        }
        guard arrays[name] == nil else {
            throw NumPyError(.invalidName, "duplicate array name '\(name)'", file: file)
        }
        names.append(name)
        arrays[name] = array
    }

    static func problem(withName name: String) -> String? { ZipEndRecord.nameProblem(name) }

    // MARK: - Lookup with validation

    /// The array called `name`.
    ///
    /// - Throws: `NumPyError` `.missingArray`, naming the file and listing the arrays present.
    public func array(named name: String) throws -> NumPyArray {
        guard let array = arrays[name] else {
            let present = names.isEmpty ? "none" : names.map { "'\($0)'" }.joined(separator: ", ")
            throw NumPyError(.missingArray, "no array '\(name)' (arrays present: \(present))", file: file)
        }
        return array
    }

    /// The array called `name`, checked against a shape pattern, a dtype and finiteness.
    ///
    /// - Parameters:
    ///   - shape: e.g. `["B", "T", 3]`; named dimensions bind in `bindings` and must agree with
    ///     earlier bindings, so several arrays can be checked against one `B` and `T`.
    ///   - dtype: The required dtype, or `nil` for any.
    ///   - requireFinite: Whether NaN or infinity is an error.
    /// - Throws: `NumPyError` naming the file and array: `.missingArray`, `.shapeMismatch`,
    ///   `.wrongDType`, `.nonFinite`.
    public func array(named name: String, shape: [ShapeDimension], dtype: NumPyDType? = nil,
                      requireFinite: Bool = false, bindings: inout [String: Int]) throws -> NumPyArray {
        let array = try self.array(named: name)
        do {
            try array.require(shape, dtype: dtype, bindings: &bindings)
            if requireFinite { try array.requireFinite() }
        } catch let error as NumPyError {
            throw error.located(file: file, array: name)
        }
        return array
    }

    /// The array called `name`, checked against a shape pattern, a dtype and finiteness; see
    /// `array(named:shape:dtype:requireFinite:bindings:)`.
    public func array(named name: String, shape: [ShapeDimension], dtype: NumPyDType? = nil,
                      requireFinite: Bool = false) throws -> NumPyArray {
        var bindings: [String: Int] = [:]
        return try array(named: name, shape: shape, dtype: dtype, requireFinite: requireFinite,
                         bindings: &bindings)
    }

    public static func == (lhs: NumPyArchive, rhs: NumPyArchive) -> Bool {
        lhs.names == rhs.names && lhs.arrays == rhs.arrays
    }
}

// MARK: - Writing .npz

/// How `.npz` entries are stored.
public enum NPZCompression: Sendable {
    /// Stored as is, like `np.savez`; a reader can memory-map entries.
    case none
    /// Deflated, like `np.savez_compressed`.
    case deflate
}

extension NumPyArchive {
    /// The modification date written for every entry: 1980-01-01 00:00:00, the earliest a zip
    /// can hold and the default of Python's `zipfile.ZipInfo`. Fixed so equal arrays give equal bytes.
    public static let entryDate = Date(timeIntervalSince1970: 315_532_800)

    /// The archive as `.npz` bytes: one `NAME.npy` entry per array, in `names` order, each dated
    /// `entryDate` with permissions 0644. Equal archives give identical bytes (for `.deflate`,
    /// given the same zlib).
    public func npzBytes(compression: NPZCompression = .none) throws -> [UInt8] {
        let entries = names.map { (path: $0 + ".npy", payload: arrays[$0]!.npyBytes()) }
        return try NumPyArchive.zipBytes(entries, compression: compression, file: file)
    }

    /// A zip archive of `entries` in order, each dated `entryDate` with permissions 0644.
    static func zipBytes(_ entries: [(path: String, payload: [UInt8])], compression: NPZCompression,
                         file: String? = nil) throws -> [UInt8] {
        do {
            let archive = try Archive(data: Foundation.Data(), accessMode: .create)
            for (path, payload) in entries {
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(payload.count),
                    modificationDate: entryDate, permissions: 0o644,
                    compressionMethod: compression == .none ? .none : .deflate,
                    provider: { position, size in
                        let start = Int(position)
                        return Foundation.Data(payload[start..<min(start + size, payload.count)])
                    })
            }
            guard let data = archive.data else {
                throw NumPyError(.zipLibraryFailed, "zip library returned no archive bytes", file: file)
            }
            return [UInt8](data)
        } catch let error as NumPyError {
            throw error
        } catch {
            throw NumPyError(.zipLibraryFailed, "cannot build zip archive: \(error)", file: file)
        }
    }

    /// Writes the archive as an `.npz` file that `np.load` reads, with the bytes of
    /// `npzBytes(compression:)`; stored archives are streamed member by member (`NPZWriter`), so
    /// no second copy of the arrays is made.
    ///
    /// The write is atomic: a temporary file in the same directory is renamed over `url`; on error
    /// nothing is left behind and an existing file is untouched.
    public func write(to url: URL, compression: NPZCompression = .none) throws {
        guard compression == .deflate else {
            try NPZWriter.write(names.map { ($0, ArraySource(arrays[$0]!)) }, to: url)
            return
        }
        var copy = self
        copy.file = url.path
        try AtomicFile.write(copy.npzBytes(compression: compression), to: url)
    }
}

// MARK: - Reading .npz

extension NumPyArchive {
    /// Reads an `.npz` file written by `np.savez`, `np.savez_compressed` or `write(to:)`.
    ///
    /// Entries are read one at a time from the file; only the decoded arrays are held in memory.
    ///
    /// - Throws: `FileError` `.unreadable` when the file cannot be read; `NumPyError` naming `url.path`: `.notAZip`;
    ///   `.corruptArchive` for a truncated or damaged archive, a checksum mismatch, an entry that is
    ///   not `NAME.npy`, a duplicate name; any `.npy` error of an entry, naming the entry.
    public init(contentsOf url: URL) throws {
        let file = url.path
        let ends = try AtomicFile.readEnds(url, head: 8, tail: ZipEndRecord.searchLength)
        let expectedEntries = try ZipEndRecord.entryCount(size: ends.size, head: ends.head, tail: ends.tail, file: file)
        let archive: Archive
        do {
            // File-backed on purpose: ZIPFoundation 0.9.20's in-memory backend traps on offsets past
            // the end of damaged archives, while a FILE* read there just comes back short.
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw NumPyError(.corruptArchive, "corrupt zip archive: \(error)", file: file)
        }
        try self.init(archive: archive, size: ends.size, expectedEntries: expectedEntries, file: file)
    }

    /// Decodes `.npz` bytes; see `init(contentsOf:)`.
    ///
    /// The bytes pass through a temporary file (removed before returning), for the reason given in
    /// `init(contentsOf:)`.
    ///
    /// - Parameter file: Named in error messages and kept in `file`.
    public init(npzBytes bytes: [UInt8], file: String? = nil) throws {
        // Check first, so that non-zip input never reaches the disk.
        _ = try ZipEndRecord.entryCount(size: bytes.count, head: Array(bytes.prefix(8)),
                                     tail: Array(bytes.suffix(ZipEndRecord.searchLength)), file: file)
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("npz-" + UUID().uuidString + ".npz")
        try AtomicFile.write(bytes, to: temporary, durable: false)
        defer { try? FileManager.default.removeItem(at: temporary) }
        do {
            try self.init(contentsOf: temporary)
        } catch {
            throw Self.relocate(error, from: temporary.path, to: file)
        }
        self.file = file
    }

    /// `error` from reading the temporary copy at `temporary`, naming the caller's `file` instead
    /// (`<bytes>` for a `FileError` when there is none); other errors unchanged.
    static func relocate(_ error: Error, from temporary: String, to file: String?) -> Error {
        if var relocated = error as? NumPyError {
            relocated.file = file
            return relocated
        }
        if let fileError = error as? FileError, fileError.path == temporary {
            return FileError(fileError.kind, path: file ?? "<bytes>", fileError.detail)
        }
        return error
    }

    /// Extracts and decodes every entry of `archive`, in order.
    private init(archive: Archive, size: Int, expectedEntries: Int?, file: String) throws {
        self.file = file
        var entryCount = 0
        for entry in archive {
            entryCount += 1
            let path = entry.path
            guard entry.type == .file, path.hasSuffix(".npy") else {
                throw NumPyError(.corruptArchive, "entry '\(path)' is not an .npy array", file: file)
            }
            let name = String(path.dropLast(4))
            let payload = try NumPyArchive.extract(entry, from: archive, archiveSize: size, file: file)
            let array = try NumPyArray(npyBytes: payload, file: file, array: name)
            do {
                try append(array, named: name)
            } catch let error as NumPyError {
                throw NumPyError(.corruptArchive, "bad entry '\(path)': \(error.message)", file: file)
            }
        }
        if let expectedEntries, entryCount != expectedEntries {
            throw NumPyError(.corruptArchive, "corrupt zip archive: central directory lists "
                             + "\(expectedEntries) entries, \(entryCount) readable", file: file)
        }
    }

    /// The uncompressed bytes of `entry`, with sizes checked before anything is allocated.
    private static func extract(_ entry: Entry, from archive: Archive, archiveSize: Int,
                                file: String?) throws -> [UInt8] {
        let path = entry.path
        let compressed = entry.compressedSize
        let uncompressed = entry.uncompressedSize
        // Deflate expands at most ~1032:1; a larger claim is corruption, not data.
        let plausible = compressed <= UInt64(archiveSize)
            && (entry.isCompressed ? uncompressed <= compressed &* 1100 &+ 1024 : uncompressed == compressed)
        guard plausible, uncompressed <= UInt64(Int.max) else {
            throw NumPyError(.corruptArchive, "corrupt zip archive: entry '\(path)' claims \(uncompressed) "
                             + "bytes from \(compressed) stored in a \(archiveSize)-byte file", file: file)
        }
        var payload: [UInt8] = []
        payload.reserveCapacity(Int(uncompressed))
        let checksum: CRC32
        do {
            // ZIPFoundation computes the CRC-32 here but leaves the comparison to the caller.
            checksum = try archive.extract(entry, skipCRC32: false) { chunk in
                guard payload.count + chunk.count <= Int(uncompressed) else {
                    throw NumPyError(.corruptArchive, "corrupt zip archive: entry '\(path)' inflates past "
                                     + "its declared \(uncompressed) bytes", file: file)
                }
                payload += chunk
            }
        } catch let error as NumPyError {
            throw error
        } catch {
            throw NumPyError(.corruptArchive, "corrupt zip archive: cannot extract entry '\(path)' "
                             + "(truncated or damaged): \(error)", file: file)
        }
        guard checksum == entry.checksum else {
            throw NumPyError(.corruptArchive, "corrupt zip archive: checksum mismatch in entry '\(path)'",
                             file: file)
        }
        guard payload.count == Int(uncompressed) else {
            throw NumPyError(.corruptArchive, "corrupt zip archive: entry '\(path)' holds \(payload.count) "
                             + "bytes, its header declares \(uncompressed)", file: file)
        }
        return payload
    }
}
