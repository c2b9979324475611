import Foundation
#if canImport(Glibc)
import Glibc
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let posixWrite = Darwin.write
#endif

/// Whole-file reads and atomic whole-file writes, with errors that name the file.
public enum AtomicFile {
    /// The contents of `url`.
    public static func read(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Foundation.Data(contentsOf: url))
        } catch {
            throw NumPyError(.io, "cannot read: \(reason(error))", file: url.path)
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
            throw NumPyError(.io, "cannot read: \(reason(error))", file: url.path)
        }
    }

    /// Writes `bytes` to a temporary file beside `url`, flushes it, then renames it over `url`.
    ///
    /// `rename(2)` within one directory is atomic: readers see the old file or the new one, never a
    /// part. On any error the temporary file is removed and `url` is untouched.
    /// - Parameter durable: Whether to `fsync` before renaming (skipped for scratch files).
    public static func write(_ bytes: [UInt8], to url: URL, durable: Bool = true) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o666)
        guard fd >= 0 else {
            throw NumPyError(.io, "cannot create temporary file in \(directory): \(errnoString())", file: path)
        }
        var done = false
        defer {
            if !done { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { buffer in
                    posixWrite(fd, buffer.baseAddress! + offset, min(bytes.count - offset, 1 << 30))
                }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw NumPyError(.io, "cannot write: \(errnoString())", file: path) }
                offset += written
            }
            guard !durable || fsync(fd) == 0 else { throw NumPyError(.io, "cannot flush: \(errnoString())", file: path) }
        }
        guard rename(temporary, path) == 0 else {
            throw NumPyError(.io, "cannot rename temporary file into place: \(errnoString())", file: path)
        }
        done = true
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
                    throw NumPyError(.io, "cannot create the folder: \(path) is a file", file: url.path)
                }
                continue
            }
            guard mkdir(path, 0o777) == 0 || errno == EEXIST else {
                throw NumPyError(.io, "cannot create the folder \(path): \(errnoString())", file: url.path)
            }
        }
    }

    private static func errnoString() -> String { String(cString: strerror(errno)) }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }
}
