// TrainingError: a bad configuration, dataset, checkpoint or a diverged run; file problems as FileError.

#if canImport(Trajectories)  // scripts/fuzz.sh compiles this file with FileError.swift in one module
import Trajectories
#endif

/// A failure of training or of loading a trained model.
///
/// A problem with a file (a configuration key, a dataset split, a checkpoint of another robot, a
/// metrics file that cannot be written) is `.file`, naming the path and its kind:
/// `runs/x/config.json: unknown key 'model.widht'`. Callers branch on the case and, for `.file`,
/// on `FileError.kind`, never on the text.
public enum TrainingError: FileErrorWrapping, Equatable, Sendable, CustomStringConvertible {
    /// A configuration, dataset, checkpoint or run file that cannot be read, used or written.
    case file(FileError)
    /// A configuration that cannot train, not read from a file (or before its file is known).
    case invalidConfiguration(String)
    /// Training data that cannot train (too few windows, non-finite futures), not tied to one file.
    case invalidData(String)
    /// The loss or energies became non-finite; the message names the last good checkpoint.
    case diverged(String)
    /// Data-parallel training failed: an MPI error, or ranks that disagree.
    case collective(String)

    /// `.file` with a `FileError` of `kind` where `file` is given, else `.invalidConfiguration`:
    /// for a check that runs on a configuration read from a file or built in memory.
    public static func invalid(_ message: String, file: String?, kind: FileError.Kind = .malformed) -> TrainingError {
        file.map { .file(FileError(kind, path: $0, message)) } ?? .invalidConfiguration(message)
    }

    /// The old struct's initialiser; builds `invalid(_:file:)`.
    @available(*, deprecated, message: "use a case: .file(FileError(...)), .invalidConfiguration, .invalidData, .diverged, .collective")
    public init(_ message: String, file: String? = nil) { self = .invalid(message, file: file) }

    public var fileError: FileError? {
        if case .file(let error) = self { return error }
        return nil
    }

    /// The file involved; nil for the cases without one.
    public var file: String? { fileError?.path }

    /// The problem, in words, without the file prefix.
    public var message: String {
        switch self {
        case .file(let error): return error.detail
        case .invalidConfiguration(let m), .invalidData(let m), .diverged(let m), .collective(let m): return m
        }
    }

    public var description: String { (file.map { "\($0): " } ?? "") + message }
}
