// FileError: the one error for a file or folder that cannot be used — missing, unreadable, too
// large, malformed, of the wrong content, or that cannot be written or moved into place. Every
// module above Trajectories throws it (or wraps it in its own enum's `.file` case) for a failure
// about a file; the format-level details of `.npy`/`.npz` stay in `NumPyError`, whose `file` names
// the archive (see the Trajectories README for why).

import Foundation

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

    public var description: String { "\(path): \(detail)" }

    public var errorDescription: String? { description }
}

/// A module's error enum with a `.file(FileError)` case.
public protocol FileErrorWrapping: Error {
    /// The wrapped `FileError`; nil for the other cases.
    var fileError: FileError? { get }
}

extension FileError {
    /// `error` itself when it is a `FileError`, else the one it wraps (`FileErrorWrapping`), else nil:
    /// how a caller asks "which file, and what kind of problem" of any error of the project.
    public static func of(_ error: Error) -> FileError? {
        (error as? FileError) ?? (error as? FileErrorWrapping)?.fileError
    }
}
