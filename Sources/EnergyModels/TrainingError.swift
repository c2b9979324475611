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
public enum TrainingError: FileCaseError, Equatable, Sendable, CustomStringConvertible {
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

    public var content: FileErrorOrWords {
        switch self {
        case .file(let error): return .file(error)
        case .invalidConfiguration(let m), .invalidData(let m), .diverged(let m), .collective(let m): return .words(m)
        }
    }
}
