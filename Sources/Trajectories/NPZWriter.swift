// NPZWriter: an `.npz` written member by member as its arrays are produced (issue 18: writers held
// 5–7 copies of their output in memory). A stored (uncompressed) zip: each member's local header
// is written with its sizes, known from the shape, and a zero CRC-32 that is patched once the
// member's bytes are in; the central directory goes last; ZIP64 fields appear where a size or an
// offset reaches 4 GiB. The bytes equal those of the in-memory writer (`NumPyArchive.npzBytes`,
// ZIPFoundation's layout) for the same arrays.

import Foundation

/// An array to write whose bytes are produced in C order, piece by piece, as they are written, so
/// that no writer needs them all in memory.
public struct ArraySource {
    public let dtype: NumPyDType
    public let shape: [Int]
    /// Calls `emit` with the array's bytes, in order, in pieces of any size.
    public let produce: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void

    public init(dtype: NumPyDType, shape: [Int], produce: @escaping (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) {
        (self.dtype, self.shape, self.produce) = (dtype, shape, produce)
    }

    /// The bytes of `array`.
    public init(_ array: NumPyArray) {
        self.init(dtype: array.dtype, shape: array.shape) { emit in try array.bytes.withUnsafeBytes(emit) }
    }

    /// The array in memory (tests; small arrays).
    public func array() throws -> NumPyArray {
        var bytes: [UInt8] = []
        try produce { bytes += $0 }
        return try NumPyArray(shape: shape, dtype: dtype, bytes: bytes)
    }

    /// `values` as float64 of `shape` (no copy is made).
    public static func doubles(_ values: [Double], shape: [Int]) -> ArraySource {
        ArraySource(dtype: .float64, shape: shape) { emit in try values.withUnsafeBytes(emit) }
    }

    /// `values` as int64 of `shape` (no copy is made).
    public static func int64s(_ values: [Int64], shape: [Int]) -> ArraySource {
        ArraySource(dtype: .int64, shape: shape) { emit in try values.withUnsafeBytes(emit) }
    }
}

/// Writes an `.npz` (stored, as `np.savez`) member by member: declare an array (name, dtype,
/// shape), then hand it its bytes in order; several declared arrays can be filled side by side
/// (each in its own order), since every member's place follows from the shapes declared before it.
/// Memory: the central directory only. The file appears at `url` whole, at `finish()`
/// (`AtomicFile.Output`), or not at all.
///
/// ```swift
/// let writer = try NPZWriter(to: url)
/// let states = try writer.declare("states", dtype: .float64, shape: [E, T + 1, S])
/// let goal = try writer.declare("goal", dtype: .int64, shape: [E])
/// for batch in batches { try writer.write(batch.states, to: states); try writer.write(batch.goal, to: goal) }
/// try writer.finish()
/// ```
public final class NPZWriter {
    /// Sizes and offsets from this many bytes on are stored in ZIP64 fields (the zip format's
    /// 32-bit fields hold up to 0xFFFFFFFF, which itself means "see ZIP64").
    public static let zip64Limit = 0xFFFF_FFFF
    /// The largest archive written, in bytes (1 PiB; no disk holds more, and offsets stay far from overflow).
    public static let maximumSize = 1 << 50

    /// The destination.
    public var url: URL { output.url }
    private let output: AtomicFile.Output
    private let zip64Threshold: Int
    private struct Member {
        var name: String, path: [UInt8]
        /// Where its local header starts, where its `.npy` bytes start, how many they are.
        var offset: Int, start: Int, size: Int
        var zip64Sizes: Bool
        var written = 0
        var checksum = ZipChecksum()
    }
    private var members: [Member] = []
    private var names = Set<String>()
    /// Where the next member's local header goes.
    private var end = 0
    private var finished = false

    /// Starts a temporary file beside `url`.
    /// - Parameter zip64Threshold: Sizes and offsets from this many bytes on go to ZIP64 fields
    ///   (`zip64Limit`; lower only to test the ZIP64 layout on small files).
    /// - Throws: `FileError` `.writeFailed` when the folder does not take a new file.
    public init(to url: URL, zip64Threshold: Int = NPZWriter.zip64Limit) throws {
        precondition((1...Self.zip64Limit).contains(zip64Threshold), "NPZWriter: zip64Threshold \(zip64Threshold)")
        output = try AtomicFile.Output(url)
        self.zip64Threshold = zip64Threshold
    }

    // MARK: - Members

    /// Declares array `name` after those declared before, and writes its local header and `.npy`
    /// header; returns the index its bytes are written to.
    /// - Throws: `NumPyError` naming the file: `.invalidName` for an empty, duplicate or unstorable
    ///   name; `.invalidShape` for a negative or overflowing shape; `FileError` `.writeFailed` when the write fails.
    @discardableResult
    public func declare(_ name: String, dtype: NumPyDType, shape: [Int]) throws -> Int {
        precondition(!finished, "NPZWriter: declare after finish")
        let file = url.path
        if let problem = NumPyArchive.problem(withName: name) {
            throw NumPyError(.invalidName, "cannot store array name '\(name)': \(problem)", file: file)
        }
        guard !names.contains(name) else {
            throw NumPyError(.invalidName, "duplicate array name '\(name)'", file: file)
        }
        let count: Int
        do { count = try NumPyArray.elementCount(of: shape) } catch let error as NumPyError { throw error.located(file: file, array: name) }
        let header = NPYHeader(dtype: dtype, shape: shape).encoded()
        let path = Array((name + ".npy").utf8)
        // count ≤ 2^56 and itemSize ≤ 8: no overflow until the sum of members
        let size = header.count + count * dtype.itemSize
        let zip64Sizes = size >= zip64Threshold
        let local = localHeader(path: path, size: size, checksum: 0, zip64: zip64Sizes)
        let (start, overflow1) = end.addingReportingOverflow(local.count)
        let (next, overflow2) = start.addingReportingOverflow(size)
        guard !overflow1, !overflow2, next <= Self.maximumSize else {
            throw NumPyError(.invalidShape, "array '\(name)' of shape \(shape) would end the archive past \(Self.maximumSize) bytes (1 PiB)", file: file)
        }
        try local.withUnsafeBytes { try output.write($0, at: end) }
        members.append(Member(name: name, path: path, offset: end, start: start, size: size, zip64Sizes: zip64Sizes))
        names.insert(name)
        end = next
        let index = members.count - 1
        try header.withUnsafeBytes { try write($0, to: index) }
        return index
    }

    /// Appends `bytes` to the data of member `index` (as returned by `declare`).
    /// - Throws: `NumPyError` `.countMismatch` when they pass the member's shape; `FileError` `.writeFailed`.
    public func write(_ bytes: UnsafeRawBufferPointer, to index: Int) throws {
        precondition(!finished && members.indices.contains(index), "NPZWriter: member \(index) of \(members.count)")
        let member = members[index]
        guard bytes.count <= member.size - member.written else {
            throw NumPyError(.countMismatch, "more bytes than its declared shape holds (\(member.size) in all)", file: url.path, array: member.name)
        }
        try output.write(bytes, at: member.start + member.written)
        members[index].checksum.update(bytes)
        members[index].written += bytes.count
    }

    /// Appends the bytes of `values` (plain numbers) to member `index`; see `write(_:to:)`.
    public func write<T: BitwiseCopyable>(_ values: [T], to index: Int) throws {
        try values.withUnsafeBytes { try write($0, to: index) }
    }

    /// Declares array `name` and writes all of `source`.
    public func append(_ name: String, _ source: ArraySource) throws {
        let index = try declare(name, dtype: source.dtype, shape: source.shape)
        try source.produce { try write($0, to: index) }
    }

    // MARK: - Finishing

    /// Checks that every member is complete, fills in the checksums, writes the central directory
    /// and renames the file into place (flushed first).
    /// - Throws: `NumPyError` `.countMismatch` naming a member that got fewer bytes than its shape
    ///   holds (nothing is written then); `FileError` `.writeFailed`.
    public func finish() throws {
        precondition(!finished, "NPZWriter: finished twice")
        for member in members where member.written != member.size {
            throw NumPyError(.countMismatch, "\(member.written) of its \(member.size) bytes were written", file: url.path, array: member.name)
        }
        var directory: [UInt8] = []
        for member in members {
            var crc = member.checksum.value
            try withUnsafeBytes(of: &crc) { try output.write($0, at: member.offset + 14) }
            directory += centralHeader(member)
        }
        directory += endRecords(directorySize: directory.count)
        try directory.withUnsafeBytes { try output.write($0, at: end) }
        try output.commit()
        finished = true
    }

    /// Writes `arrays` in order as an `.npz` at `url`, atomically.
    public static func write(_ arrays: [(String, ArraySource)], to url: URL) throws {
        let writer = try NPZWriter(to: url)
        for (name, source) in arrays { try writer.append(name, source) }
        try writer.finish()
    }

    // MARK: - Zip records (APPNOTE.TXT 4.3), in ZIPFoundation's layout

    /// `NumPyArchive.entryDate`, 1980-01-01 00:00:00, as MS-DOS date ((year − 1980) << 9 | month << 5 | day) and time.
    private static let (dosDate, dosTime): (UInt16, UInt16) = (0 << 9 | 1 << 5 | 1, 0)
    /// Version needed to extract: 2.0 (stored files), 4.5 (ZIP64 sizes).
    private static let (version20, version45): (UInt16, UInt16) = (20, 45)
    /// Flags: bit 11, names in UTF-8.
    private static let utf8Flag: UInt16 = 1 << 11

    /// Local file header; with `zip64`, sizes 0xFFFFFFFF and a ZIP64 extra field holding both.
    private func localHeader(path: [UInt8], size: Int, checksum: UInt32, zip64: Bool) -> [UInt8] {
        var out: [UInt8] = []
        Self.put(&out, UInt32(0x0403_4B50), zip64 ? Self.version45 : Self.version20, Self.utf8Flag, UInt16(0), Self.dosTime, Self.dosDate)
        let small = zip64 ? UInt32.max : UInt32(size)
        Self.put(&out, checksum, small, small, UInt16(path.count), UInt16(zip64 ? 20 : 0))
        out += path
        if zip64 { Self.put(&out, UInt16(1), UInt16(16), UInt64(size), UInt64(size)) }
        return out
    }

    /// Central directory header: made by UNIX 3.0 (789), regular file 0644; ZIP64 sizes as in the
    /// local header, ZIP64 offset when it reaches the threshold.
    private func centralHeader(_ m: Member) -> [UInt8] {
        let zip64Offset = m.offset >= zip64Threshold
        var extra: [UInt8] = []
        if m.zip64Sizes { Self.put(&extra, UInt64(m.size), UInt64(m.size)) }
        if zip64Offset { Self.put(&extra, UInt64(m.offset)) }
        if !extra.isEmpty { extra = Self.littleEndian(UInt16(1)) + Self.littleEndian(UInt16(extra.count)) + extra }
        var out: [UInt8] = []
        let small = m.zip64Sizes ? UInt32.max : UInt32(m.size)
        Self.put(&out, UInt32(0x0201_4B50), UInt16(789), m.zip64Sizes ? Self.version45 : Self.version20, Self.utf8Flag, UInt16(0), Self.dosTime, Self.dosDate)
        Self.put(&out, m.checksum.value, small, small, UInt16(m.path.count), UInt16(extra.count), UInt16(0), UInt16(0), UInt16(0))
        Self.put(&out, UInt32(0o100644) << 16, zip64Offset ? UInt32.max : UInt32(m.offset))
        return out + m.path + extra
    }

    /// End of central directory, preceded by the ZIP64 end record and locator when the entry
    /// count, the directory's size or its offset does not fit the 16/32-bit fields.
    private func endRecords(directorySize: Int) -> [UInt8] {
        let (count, offset) = (members.count, end)
        let (wideCount, wideSize, wideOffset) = (count >= 0xFFFF, directorySize >= zip64Threshold, offset >= zip64Threshold)
        var out: [UInt8] = []
        if wideCount || wideSize || wideOffset {
            let record = offset + directorySize
            Self.put(&out, UInt32(0x0606_4B50), UInt64(44), UInt16(789), Self.version45, UInt32(0), UInt32(0))
            Self.put(&out, UInt64(count), UInt64(count), UInt64(directorySize), UInt64(offset))
            Self.put(&out, UInt32(0x0706_4B50), UInt32(0), UInt64(record), UInt32(1))
        }
        let count16 = wideCount ? UInt16.max : UInt16(count)
        Self.put(&out, UInt32(0x0605_4B50), UInt16(0), UInt16(0), count16, count16)
        Self.put(&out, wideSize ? UInt32.max : UInt32(directorySize), wideOffset ? UInt32.max : UInt32(offset), UInt16(0))
        return out
    }

    /// Appends each value little-endian.
    private static func put(_ out: inout [UInt8], _ values: any FixedWidthInteger...) {
        for value in values { out += littleEndian(value) }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
