// NumPyArchiveIndex: the members of an `.npz` located from its zip central directory without
// reading them, so that stored (uncompressed) `.npy` members are read in place, a few rows at a
// time (`StoredArray`), instead of whole. Every offset and size is checked against the file before
// it is used.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes read at given offsets: an open file (`pread(2)`, which leaves the page cache out of this
/// process's resident memory) or bytes in memory (tests, fuzzing).
public final class PositionalReader: @unchecked Sendable {
    /// Bytes available.
    public let size: Int
    /// Named in error messages.
    public let file: String?
    private let descriptor: Int32
    private let bytes: [UInt8]

    /// Opens `url` for reading.
    /// - Throws: `FileError` `.notFound` when it does not exist, `.unreadable` when it cannot be opened or is not a regular file.
    public init(contentsOf url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(FileError.Kind(errno: errno), path: url.path, "cannot read: \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileError(.unreadable, path: url.path, "cannot read: not a regular file")
        }
        (descriptor, size, file, bytes) = (fd, Int(info.st_size), url.path, [])
    }

    /// Reads from `bytes`.
    public init(bytes: [UInt8], file: String? = nil) {
        (descriptor, size, self.file, self.bytes) = (-1, bytes.count, file, bytes)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Fills `buffer` with the bytes at `offset`.
    /// - Throws: `NumPyError` `.corruptArchive` when the range lies outside the file (`what` says
    ///   what was being read); `FileError` `.unreadable` when the read fails or comes back short (the file shrank).
    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer, what: String) throws {
        let (end, overflow) = offset.addingReportingOverflow(buffer.count)
        guard offset >= 0, !overflow, end <= size else {
            throw NumPyError(.corruptArchive, "corrupt zip archive: \(what) at bytes \(offset)..<\(overflow ? Int.max : end) "
                             + "lies past the end of the \(size)-byte file (truncated?)", file: file)
        }
        guard buffer.count > 0 else { return }
        if descriptor < 0 {
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
            return
        }
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw FileError(.unreadable, path: file ?? "<bytes>", "cannot read \(what): " + (n == 0 ? "the file ended early (changed while reading?)"
                                                                                     : String(cString: strerror(errno))))
            }
            done += n
        }
    }

    /// The `count` bytes at `offset`; see `read(at:into:what:)`.
    public func read(at offset: Int, count: Int, what: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(count, 0))
        try out.withUnsafeMutableBytes { try read(at: offset, into: $0, what: what) }
        return out
    }
}

/// CRC-32 (ISO-HDLC, the zip checksum), fed piece by piece.
public struct ZipChecksum: Sendable {
    public private(set) var value: UInt32 = 0
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = ~value
        Self.table.withUnsafeBufferPointer { t in
            for byte in bytes { c = t[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        }
        value = ~c
    }
}

/// The members of an `.npz` as its central directory lists them, each with its local header
/// checked: name, compression, checksum and where its bytes lie. ZIP64 archives (members or
/// offsets beyond 4 GiB, as `np.savez` writes them) are read too.
public struct NumPyArchiveIndex: Sendable {
    /// One `NAME.npy` member.
    public struct Member: Sendable, Equatable {
        /// The array name (entry name without `.npy`).
        public var name: String
        /// Zip compression method: 0 stored, 8 deflated.
        public var method: UInt16
        /// Zip general-purpose flags (bit 0: encrypted).
        public var flags: UInt16
        public var checksum: UInt32
        public var compressedSize: Int, uncompressedSize: Int
        /// Where the member's bytes start in the file (after its local header).
        public var start: Int
        /// Stored as is, unencrypted: readable in place.
        public var isStored: Bool { method == 0 && flags & 1 == 0 }
    }

    /// Members in directory order.
    public let members: [Member]
    public let reader: PositionalReader
    /// The largest central directory read (64 MiB: about a million members).
    static let maximumDirectorySize = 1 << 26
    /// The largest `.npy` header read in place (NumPy's own `np.load` limit is 10,000 bytes).
    static let maximumHeaderSize = 1 << 16

    /// Reads and checks the central directory and every member's local header.
    /// - Throws: `NumPyError` naming the file: `.notAZip`, `.corruptArchive` for a truncated or
    ///   inconsistent directory, offsets or sizes past the end, a member that is not `NAME.npy`,
    ///   a duplicate name, a multi-disk archive.
    public init(_ reader: PositionalReader) throws {
        self.reader = reader
        let file = reader.file, size = reader.size
        func corrupt(_ message: String) -> NumPyError { NumPyError(.corruptArchive, "corrupt zip archive: " + message, file: file) }
        let tailCount = min(size, ZipEndRecord.searchLength)
        let tail = try reader.read(at: size - tailCount, count: tailCount, what: "the end of the archive")
        let head = try reader.read(at: 0, count: min(size, 8), what: "the start of the archive")
        _ = try ZipEndRecord.entryCount(size: size, head: head, tail: tail, file: file)
        // the last end record whose comment fits (as `EndRecord.entryCount` found it)
        var at = tail.count - ZipEndRecord.size
        while at >= 0, !(Self.uint32(tail, at) == 0x0605_4B50 && at + 22 + Int(Self.uint16(tail, at + 20)) <= tail.count) { at -= 1 }
        guard at >= 0 else { throw corrupt("no complete end-of-central-directory record") }
        let endOffset = size - tailCount + at
        guard Self.uint16(tail, at + 4) == 0, Self.uint16(tail, at + 6) == 0 else { throw corrupt("multi-disk archives are not supported") }
        var entries = UInt64(Self.uint16(tail, at + 10))
        var directorySize = UInt64(Self.uint32(tail, at + 12)), directoryOffset = UInt64(Self.uint32(tail, at + 16))
        var directoryEnd = endOffset
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the end record points at the ZIP64 end record
            guard endOffset >= 20 else { throw corrupt("ZIP64 end-of-central-directory locator missing") }
            let locator = try reader.read(at: endOffset - 20, count: 20, what: "the ZIP64 locator")
            guard Self.uint32(locator, 0) == 0x0706_4B50 else { throw corrupt("ZIP64 end-of-central-directory locator missing") }
            let recordOffset = Self.uint64(locator, 8)
            guard endOffset - 20 >= 56, recordOffset <= UInt64(endOffset - 20 - 56) else {
                throw corrupt("ZIP64 end record at byte \(recordOffset) lies outside the archive")
            }
            let record = try reader.read(at: Int(recordOffset), count: 56, what: "the ZIP64 end record")
            guard Self.uint32(record, 0) == 0x0606_4B50 else { throw corrupt("no ZIP64 end record where the locator points") }
            (entries, directorySize, directoryOffset) = (Self.uint64(record, 32), Self.uint64(record, 40), Self.uint64(record, 48))
            directoryEnd = Int(recordOffset)
        }
        guard directorySize <= UInt64(Self.maximumDirectorySize), directoryOffset <= UInt64(directoryEnd),
              directorySize <= UInt64(directoryEnd) - directoryOffset else {
            throw corrupt("central directory of \(directorySize) bytes at byte \(directoryOffset) does not fit before byte \(directoryEnd)")
        }
        guard entries <= directorySize / 46 else { throw corrupt("central directory lists \(entries) entries in \(directorySize) bytes") }
        let directory = try reader.read(at: Int(directoryOffset), count: Int(directorySize), what: "the central directory")
        var members: [Member] = [], names = Set<String>(), position = 0
        for index in 0..<Int(entries) {
            guard position + 46 <= directory.count, Self.uint32(directory, position) == 0x0201_4B50 else {
                throw corrupt("central directory entry \(index) is damaged")
            }
            let nameCount = Int(Self.uint16(directory, position + 28)), extraCount = Int(Self.uint16(directory, position + 30))
            let commentCount = Int(Self.uint16(directory, position + 32))
            let next = position + 46 + nameCount + extraCount + commentCount
            guard next <= directory.count else { throw corrupt("central directory entry \(index) runs past the directory") }
            guard let path = String(validating: directory[(position + 46)..<(position + 46 + nameCount)], as: UTF8.self) else {
                throw corrupt("entry \(index) has a name that is not UTF-8")
            }
            guard path.hasSuffix(".npy"), path.count > 4, ZipEndRecord.nameProblem(String(path.dropLast(4))) == nil else {
                throw corrupt("entry '\(path)' is not an .npy array")
            }
            // a directory or symbolic link by its attributes is not an array either (as the zip library reads them)
            let (host, attributes) = (directory[position + 5], Self.uint32(directory, position + 38))
            let mode = (attributes >> 16) & 0o170000
            guard !((host == 3 || host == 19) && (mode == 0o040000 || mode == 0o120000)), !(host == 0 && attributes >> 4 == 1) else {
                throw corrupt("entry '\(path)' is not an .npy array")
            }
            let name = String(path.dropLast(4))
            guard names.insert(name).inserted else { throw corrupt("bad entry '\(path)': duplicate array name '\(name)'") }
            var compressed = UInt64(Self.uint32(directory, position + 20)), uncompressed = UInt64(Self.uint32(directory, position + 24))
            var localOffset = UInt64(Self.uint32(directory, position + 42))
            // ZIP64 extra field: the 8-byte values of those saturated at 0xFFFFFFFF, in this order
            var extra = position + 46 + nameCount
            let extraEnd = extra + extraCount
            while extra + 4 <= extraEnd {
                let (id, length) = (Self.uint16(directory, extra), Int(Self.uint16(directory, extra + 2)))
                guard extra + 4 + length <= extraEnd else { throw corrupt("entry '\(path)' has a damaged extra field") }
                if id == 0x0001 {
                    var field = extra + 4
                    func widen(_ value: inout UInt64) throws {
                        guard value == 0xFFFF_FFFF else { return }
                        guard field + 8 <= extra + 4 + length else { throw corrupt("entry '\(path)' has a short ZIP64 field") }
                        value = Self.uint64(directory, field)
                        field += 8
                    }
                    try widen(&uncompressed)
                    try widen(&compressed)
                    try widen(&localOffset)
                }
                extra += 4 + length
            }
            guard localOffset < directoryOffset, compressed <= directoryOffset, uncompressed <= UInt64(Int.max) else {
                throw corrupt("entry '\(path)' claims \(compressed) bytes at byte \(localOffset), beyond the \(directoryOffset) bytes before the directory")
            }
            let local = try reader.read(at: Int(localOffset), count: 30, what: "the local header of '\(path)'")
            guard Self.uint32(local, 0) == 0x0403_4B50 else { throw corrupt("entry '\(path)' has no local header at byte \(localOffset)") }
            let start = Int(localOffset) + 30 + Int(Self.uint16(local, 26)) + Int(Self.uint16(local, 28))
            guard Int(Self.uint16(local, 26)) == nameCount,
                  try reader.read(at: Int(localOffset) + 30, count: nameCount, what: "the local name of '\(path)'") == Array(directory[(position + 46)..<(position + 46 + nameCount)]) else {
                throw corrupt("entry '\(path)': local header and central directory disagree on the name")
            }
            guard UInt64(start) <= directoryOffset, compressed <= directoryOffset - UInt64(start) else {
                throw corrupt("entry '\(path)' of \(compressed) bytes at byte \(start) runs into the central directory at byte \(directoryOffset)")
            }
            let member = Member(name: name, method: Self.uint16(directory, position + 10), flags: Self.uint16(directory, position + 8),
                                checksum: Self.uint32(directory, position + 16), compressedSize: Int(compressed),
                                uncompressedSize: Int(uncompressed), start: start)
            guard !member.isStored || compressed == uncompressed else {
                throw corrupt("stored entry '\(path)' declares \(compressed) bytes stored and \(uncompressed) uncompressed")
            }
            members.append(member)
            position = next
        }
        self.members = members
    }

    /// The member holding array `name`.
    /// - Throws: `NumPyError` `.missingArray`, listing the arrays present.
    public func member(named name: String) throws -> Member {
        guard let member = members.first(where: { $0.name == name }) else {
            let present = members.isEmpty ? "none" : members.map { "'\($0.name)'" }.joined(separator: ", ")
            throw NumPyError(.missingArray, "no array '\(name)' (arrays present: \(present))", file: reader.file)
        }
        return member
    }

    /// Array `name` for reading in place, or nil when it cannot be (a compressed or encrypted
    /// member, big-endian or Fortran-order data, bools): read the archive whole then.
    /// - Throws: `NumPyError` naming the file and array: `.missingArray`, any `.npy` header error,
    ///   `.truncatedData` when the member's size does not match its shape; `FileError` `.unreadable`
    ///   (detail `array 'NAME': cannot read …`) when the header cannot be read.
    public func storedArray(named name: String) throws -> StoredArray? {
        let member = try member(named: name)
        guard member.isStored else { return nil }
        do {
            let size = member.uncompressedSize
            let prefix = try reader.read(at: member.start, count: min(size, 12), what: "the .npy header of '\(name)'")
            var headerEnd = prefix.count
            if prefix.count >= 10, prefix.starts(with: NPYHeader.magic) {
                let (major, lengthBytes) = (prefix[6], prefix[6] == 1 ? 2 : 4)
                if (1...3).contains(major), prefix.count >= 8 + lengthBytes {
                    var length = 0
                    for index in 0..<lengthBytes { length |= Int(prefix[8 + index]) << (8 * index) }
                    headerEnd = min(size, 8 + lengthBytes + min(length, Self.maximumHeaderSize))
                }
            }
            let headerBytes = try reader.read(at: member.start, count: headerEnd, what: "the .npy header of '\(name)'")
            let (header, dataOffset) = try NPYHeader.decode(headerBytes)
            let count = try NumPyArray.elementCount(of: header.shape)
            let needed = count * header.dtype.itemSize, present = size - dataOffset
            guard present == needed else {
                let shape = "shape \(header.shape) of \(header.dtype.descr) needs \(needed) bytes of data"
                throw NumPyError(.truncatedData, present < needed ? "truncated data: \(shape), found \(present) (\(present / header.dtype.itemSize) of \(count) elements)"
                                 : "\(shape), found \(present) (\(present - needed) trailing bytes)")
            }
            guard !header.byteSwapped, !(header.fortranOrder && header.shape.count > 1), header.dtype != .bool else { return nil }
            return StoredArray(name: name, dtype: header.dtype, shape: header.shape, count: count, header: headerBytes,
                               dataStart: member.start + dataOffset, checksum: member.checksum, reader: reader)
        } catch let error as NumPyError {
            throw error.located(file: reader.file, array: name)
        } catch let error as FileError {
            throw FileError(error.kind, path: error.path, "array '\(name)': \(error.detail)")
        }
    }

    static func uint16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func uint32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(uint16(b, i)) | UInt32(uint16(b, i + 2)) << 16 }
    static func uint64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(uint32(b, i)) | UInt64(uint32(b, i + 4)) << 32 }
}

/// A little-endian, C-order `.npy` member stored uncompressed in an `.npz`, read a range of
/// elements at a time.
public struct StoredArray: Sendable {
    public let name: String
    public let dtype: NumPyDType
    public let shape: [Int]
    /// Elements (the product of `shape`).
    public let count: Int
    /// The member's `.npy` header bytes (the start of what `checksum` covers).
    public let header: [UInt8]
    /// Where element 0 lies in the file.
    public let dataStart: Int
    /// The zip CRC-32 of the whole member (header and data).
    public let checksum: UInt32
    let reader: PositionalReader

    /// Reads elements `range` into `buffer` (`range.count × itemSize` bytes).
    public func read(_ range: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= count && buffer.count == range.count * dtype.itemSize,
                     "StoredArray.read: range \(range) of \(count) elements")
        try reader.read(at: dataStart + range.lowerBound * dtype.itemSize, into: buffer, what: "array '\(name)'")
    }

    /// Elements `range` as values of `T` (whose size must be the dtype's).
    public func values<T>(_ range: Range<Int>, as: T.Type = T.self) throws -> [T] {
        precondition(MemoryLayout<T>.stride == dtype.itemSize)
        return try [T](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            try read(range, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = range.count
        }
    }
}

/// The end-of-central-directory record, found before the zip library sees the file so that
/// non-zip input gets a clear message.
enum ZipEndRecord {
    /// Why `name` cannot be an `.npz` array name (an entry is `NAME.npy` at the archive's root), or nil.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "empty" }
        if name.contains("/") || name.contains("\\") { return "contains a path separator" }
        if name.unicodeScalars.contains("\0") { return "contains NUL" }
        if name.utf8.count > 4096 { return "longer than 4096 bytes" }
        return nil
    }

    static let size = 22
    /// The record sits in the last 22 + 65535 (comment) bytes.
    static let searchLength = size + Int(UInt16.max)

    /// The entry count the record declares (`nil` for ZIP64's 0xFFFF).
    ///
    /// - Parameters:
    ///   - size: The file size in bytes.
    ///   - head: Its first (up to) 8 bytes, for hints about what the file is instead.
    ///   - tail: Its last (up to) `searchLength` bytes.
    static func entryCount(size: Int, head: [UInt8], tail: [UInt8], file: String?) throws -> Int? {
        guard size >= Self.size else {
            throw NumPyError(.notAZip, size == 0 ? "not a zip archive: the file is empty"
                             : "not a zip archive: \(size) bytes, too short (truncated?)", file: file)
        }
        var offset = tail.count - Self.size
        while offset >= 0 {
            if tail[offset] == 0x50, tail[offset + 1] == 0x4B, tail[offset + 2] == 0x05, tail[offset + 3] == 0x06 {
                let count = Int(tail[offset + 10]) | Int(tail[offset + 11]) << 8
                return count == 0xFFFF ? nil : count
            }
            offset -= 1
        }
        var message = "not a zip archive: no end-of-central-directory record"
        if head.starts(with: NPYHeader.magic) {
            message += " (this is an .npy file; read it with NumPyArray(contentsOf:))"
        } else if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            message += " (the archive is truncated)"
        }
        throw NumPyError(.notAZip, message, file: file)
    }
}
