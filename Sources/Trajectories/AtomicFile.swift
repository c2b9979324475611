import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic whole-file writes, with errors that name the file.
public enum AtomicFile {
    /// The contents of `url`.
    public static func read(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Foundation.Data(contentsOf: url))
        } catch {
            throw FileError(FileError.Kind(readError: error), path: url.path, "cannot read: \(reason(error))")
        }
    }

    /// The size of `url` and its first `head` and last `tail` bytes (fewer when the file is short).
    static func readEnds(_ url: URL, head: Int, tail: Int) throws -> (size: Int, head: [UInt8], tail: [UInt8]) {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let first = [UInt8](try handle.read(upToCount: head) ?? Foundation.Data())
            try handle.seek(toOffset: UInt64(max(0, size - tail)))
            let last = [UInt8](try handle.readToEnd() ?? Foundation.Data())
            return (size, first, last)
        } catch {
            throw FileError(FileError.Kind(readError: error), path: url.path, "cannot read: \(reason(error))")
        }
    }

    /// Writes `bytes` to a temporary file beside `url`, flushes it, then renames it over `url`
    /// (see `Output`, the streaming form: the one atomic-write policy of the project).
    ///
    /// `rename(2)` within one directory is atomic: readers see the old file or the new one, never a
    /// part. On any error the temporary file is removed and `url` is untouched.
    /// - Parameter durable: Whether to `fsync` before renaming (skipped for scratch files).
    public static func write(_ bytes: [UInt8], to url: URL, durable: Bool = true) throws {
        let output = try Output(url)
        try bytes.withUnsafeBytes { try output.append($0) }
        try output.commit(durable: durable)
    }

    /// A file written piece by piece, then made visible whole: the bytes go to a hidden temporary
    /// file in `url`'s folder (`.NAME.tmp-UUID`), `commit` flushes it and renames it over `url`.
    /// Dropped without `commit` (an error, a thrown write), the temporary file is removed and `url`
    /// is untouched; a killed process leaves only the temporary file (inside a dataset's partial
    /// folder, `DatasetFolder.publish` removes it with the folder).
    public final class Output {
        /// The destination.
        public let url: URL
        /// Bytes appended so far (the file's size, holes included).
        public private(set) var size = 0
        private let temporary: String
        private var fd: Int32
        private var committed = false

        /// Creates the temporary file beside `url`.
        /// - Throws: `FileError` `.writeFailed` naming `url` when the folder does not take a new file.
        public init(_ url: URL) throws {
            self.url = url
            let directory = url.deletingLastPathComponent().path
            temporary = directory + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            guard fd >= 0 else {
                throw FileError(.writeFailed, path: url.path, "cannot create temporary file in \(directory): \(AtomicFile.errnoString())")
            }
        }

        deinit {
            if fd >= 0 { close(fd) }
            if !committed { unlink(temporary) }
        }

        /// Writes `bytes` at the end.
        public func append(_ bytes: UnsafeRawBufferPointer) throws {
            try write(bytes, at: size)
        }

        /// Writes `bytes` at `offset` (`pwrite(2)`): before the end to fill in a header, past it to
        /// leave a hole filled later.
        public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
            precondition(fd >= 0 && offset >= 0, "AtomicFile.Output: write after commit")
            var done = 0
            while done < bytes.count {
                let written = pwrite(fd, bytes.baseAddress! + done, min(bytes.count - done, 1 << 30), off_t(offset + done))
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw FileError(.writeFailed, path: url.path, "cannot write: \(AtomicFile.errnoString())") }
                done += written
            }
            size = max(size, offset + bytes.count)
        }

        /// Flushes the file (`fsync` when `durable`) and renames it over `url`.
        public func commit(durable: Bool = true) throws {
            precondition(fd >= 0, "AtomicFile.Output: committed twice")
            let flushed = !durable || fsync(fd) == 0
            let reason = AtomicFile.errnoString()
            close(fd)
            fd = -1
            guard flushed else { throw FileError(.writeFailed, path: url.path, "cannot flush: \(reason)") }
            guard rename(temporary, url.path) == 0 else {
                throw FileError(.writeFailed, path: url.path, "cannot rename temporary file into place: \(AtomicFile.errnoString())")
            }
            committed = true
        }
    }

    /// Creates `url` and its missing parents; errors name the folder and say why in plain words
    /// (not a raw `NSCocoaErrorDomain` dump).
    public static func createDirectory(_ url: URL) throws {
        var path = ""
        for component in url.standardizedFileURL.path.split(separator: "/") {
            path += "/" + component
            var info = stat()
            if stat(path, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw FileError(.writeFailed, path: url.path, "cannot create the folder: \(path) is a file")
                }
                continue
            }
            guard mkdir(path, 0o777) == 0 || errno == EEXIST else {
                throw FileError(.writeFailed, path: url.path, "cannot create the folder \(path): \(errnoString())")
            }
        }
    }

    private static func errnoString() -> String { String(cString: strerror(errno)) }

    /// `.notFound` for a Foundation read error of a missing file, else `.unreadable`.
    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }
}
