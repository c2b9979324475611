import Foundation

/// An error decoding, encoding or validating a NumPy array, naming the file, the array and the problem.
/// (A file that cannot be opened, read, written or renamed throws `FileError` instead; this type
/// keeps its own `Kind` because callers branch on the format-level problem and the array name.)
///
/// The `description` reads like a compiler diagnostic:
/// `runs/a.npz: array 'qpos': truncated data: shape [2, 3] of <f8 needs 48 bytes, found 40`.
public struct NumPyError: FileErrorWrapping, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// What went wrong, for callers that branch on it; the message carries the details.
    public enum Kind: String, Sendable {
        /// The zip library failed to build an archive in memory. (A file that cannot be read,
        /// written or renamed is a `FileError`, not a `NumPyError`.)
        case zipLibraryFailed
        /// The bytes are not a zip archive (no end-of-central-directory record).
        case notAZip
        /// The zip archive is damaged: truncated, bad checksum, inconsistent directory.
        case corruptArchive
        /// The archive has no array of the requested name.
        case missingArray
        /// An `.npy` payload does not start with `\x93NUMPY` and a known version.
        case badMagic
        /// The header dictionary is not the one NumPy writes.
        case malformedHeader
        /// The dtype is not one of `NumPyDType`.
        case unsupportedDType
        /// A shape has a negative dimension, too many dimensions, or an element count that overflows.
        case invalidShape
        /// The payload holds fewer (truncated) or more (trailing bytes) than the shape needs.
        case truncatedData
        /// Values and shape disagree when building an array in memory.
        case countMismatch
        /// An element holds a value its dtype cannot (a `bool` byte other than 0 or 1).
        case invalidValue
        /// A typed accessor was called on an array of another dtype.
        case wrongDType
        /// A shape does not match the pattern the caller requires.
        case shapeMismatch
        /// A floating-point array holds NaN or infinity.
        case nonFinite
        /// An array name cannot be stored in an `.npz` archive.
        case invalidName
    }

    /// What went wrong.
    public var kind: Kind
    /// The file involved, as the caller spelled it; `nil` for arrays in memory.
    public var file: String?
    /// The array involved (an `.npz` entry name without `.npy`); `nil` when not applicable.
    public var array: String?
    /// The problem, in words, without the file or array prefix.
    public var message: String

    /// Creates an error; `file` and `array` prefix the message in `description`.
    public init(_ kind: Kind, _ message: String, file: String? = nil, array: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.array = array
    }

    public var description: String {
        var prefix = ""
        if let file { prefix += "\(file): " }
        if let array { prefix += "array '\(array)': " }
        return prefix + message
    }

    public var errorDescription: String? { description }

    /// The problem as a `FileError` about `file` (nil for arrays in memory), its detail the
    /// description after the file: `.unsupported` for a dtype, `.mismatched` for an array of
    /// another dtype or shape than required, `.malformed` otherwise.
    public var fileError: FileError? {
        guard let file else { return nil }
        let kind: FileError.Kind
        switch self.kind {
        case .unsupportedDType: kind = .unsupported
        case .wrongDType, .shapeMismatch: kind = .mismatched
        default: kind = .malformed
        }
        return FileError(kind, path: file, (array.map { "array '\($0)': " } ?? "") + message)
    }

    /// The same error, located in `file` and `array` where it had no location yet.
    func located(file: String?, array: String? = nil) -> NumPyError {
        var copy = self
        if copy.file == nil { copy.file = file }
        if copy.array == nil { copy.array = array }
        return copy
    }
}
