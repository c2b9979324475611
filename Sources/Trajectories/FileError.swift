// FileError: the one error for a file or folder that cannot be used — missing, unreadable, too
// large, malformed, of the wrong content, or that cannot be written or moved into place. Every
// module above Trajectories throws it (or wraps it in its own enum's `.file` case) for a failure
// about a file; the format-level details of `.npy`/`.npz` stay in `NumPyError`, whose `file` names
// the archive (see the Trajectories README for why).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or folder that cannot be read, validated or written, naming the path and the problem.
///
/// The `description` reads like a compiler diagnostic, `path: detail`:
/// `runs/x/config.json: unknown key 'model.widht'`. Callers branch on `kind`, never on the text.
public struct FileError: Error, Equatable, Hashable, Sendable, CustomStringConvertible, LocalizedError {
    /// What went wrong, as far as a caller can act on it.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Nothing at the path (or a folder lacks the file it should hold).
        case notFound
        /// The path exists but cannot be opened or read (permissions, a folder for a file, a short read).
        case unreadable
        /// The file is larger than the reader accepts.
        case tooLarge
        /// The bytes are not the format the reader expects (bad JSON, not a PNG, an unknown field,
        /// a value out of range).
        case malformed
        /// Well-formed, but not what the caller needs: another robot's model, other array shapes,
        /// another kind of checkpoint.
        case mismatched
        /// A format or feature the reader does not support.
        case unsupported
        /// The file or folder could not be created, written, flushed or renamed into place.
        case writeFailed
    }

    /// What went wrong.
    public var kind: Kind
    /// The file or folder, as the caller spelled it.
    public var path: String
    /// The problem, in words, without the path in front.
    public var detail: String

    public init(_ kind: Kind, path: String, _ detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    /// `error` as a problem with `path`: the kind of the `FileError` it is or wraps (`FileError.of`),
    /// else `kind`; the detail is `detail`, or the error's description when nil.
    public init(wrapping error: Error, path: String, default kind: Kind = .malformed, _ detail: String? = nil) {
        self.init(FileError.of(error)?.kind ?? kind, path: path, detail ?? "\(error)")
    }

    public var description: String { "\(path): \(detail)" }

    public var errorDescription: String? { description }
}

extension FileError.Kind {
    /// The kind of a failed read: `.notFound` when the error says nothing is at the path (Foundation's
    /// "no such file", an underlying or plain POSIX `ENOENT`), `.unreadable` otherwise.
    public init(readError error: Error) {
        let nsError = error as NSError
        let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError
        let missing = nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError
            || (underlying?.domain == NSPOSIXErrorDomain && underlying?.code == Int(ENOENT))
            || (nsError.domain == NSPOSIXErrorDomain && nsError.code == Int(ENOENT))
        self = missing ? .notFound : .unreadable
    }

    /// The kind of a failed `open(2)`: `.notFound` for `ENOENT`, `.unreadable` otherwise.
    public init(errno code: Int32) {
        self = code == ENOENT ? .notFound : .unreadable
    }

    /// `kind` when something is at `path`, else `.notFound`: for readers (libpng, a folder's
    /// meta.json) whose failure does not say whether the file was there.
    public init(_ kind: FileError.Kind, ifPresentAt path: String) {
        self = FileManager.default.fileExists(atPath: path) ? kind : .notFound
    }
}

/// An error that can say which file it is about and what kind of problem it is: a module's error
/// enum with a `.file(FileError)` case (`DatasetError`, `SceneError`, …), or an error that names its
/// file in its own fields and converts (`NumPyError`, `CheckpointError`, `RunFolderError`, …).
public protocol FileErrorWrapping: Error {
    /// The problem as a `FileError` (the wrapped one, or the error converted); nil when it is not
    /// about a file (another case, an array in memory).
    var fileError: FileError? { get }
}

/// What a case of a module error enum holds: the `.file` case's `FileError`, or words.
public enum FileErrorOrWords: Sendable {
    case file(FileError)
    case words(String)
}

/// A module error enum with a `.file(FileError)` case and cases in words (`DatasetError`,
/// `TrainingError`, `ScoringError`, `SceneError`, …): it says which its case is in `content`, and
/// shares `fileError`, `file`, `message` and `description` from here.
public protocol FileCaseError: FileErrorWrapping, CustomStringConvertible {
    /// The `.file` case's `FileError`, or the other case's words.
    var content: FileErrorOrWords { get }
}

extension FileCaseError {
    public var fileError: FileError? {
        if case .file(let error) = content { return error }
        return nil
    }

    /// The file involved; nil for the cases in words.
    public var file: String? { fileError?.path }

    /// The problem, in words, without the file prefix.
    public var message: String {
        switch content {
        case .file(let error): return error.detail
        case .words(let words): return words
        }
    }

    /// `path: detail` for `.file`, else the words.
    public var description: String { fileError?.description ?? message }
}

extension FileError {
    /// `error` itself when it is a `FileError`, else the one it wraps (`FileErrorWrapping`), else nil:
    /// how a caller asks "which file, and what kind of problem" of any error of the project.
    public static func of(_ error: Error) -> FileError? {
        (error as? FileError) ?? (error as? FileErrorWrapping)?.fileError
    }
}
