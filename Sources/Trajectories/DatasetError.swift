/// A recipe, dataset or generation request that cannot be used.
///
/// A problem with a file (a recipe field, a missing `train.npz`, a folder that cannot be renamed into
/// place) is `.file`, whose `FileError` names the path and its kind:
/// `trajectories/x.json: policy.kp: expected 2 numbers (one per actuator), found 3`; a request
/// without a file (a shard spec, window sizes, an episode range) is `.invalidRequest`.
public enum DatasetError: FileCaseError, Equatable, Sendable, CustomStringConvertible {
    /// A recipe, dataset file or output folder that is missing, unreadable, malformed or not writable.
    case file(FileError)
    /// A request that cannot be met, in words (a bad shard, window or batch size, episode range,
    /// a robot or policy that does not fit, a failed simulation).
    case invalidRequest(String)

    /// `.file` with a `FileError` of `kind` where `file` is given, else `.invalidRequest`: for a
    /// check that runs on a recipe read from a file or built in memory.
    public static func invalid(_ message: String, file: String?, kind: FileError.Kind = .malformed) -> DatasetError {
        file.map { .file(FileError(kind, path: $0, message)) } ?? .invalidRequest(message)
    }

    public var content: FileErrorOrWords {
        switch self {
        case .file(let error): return .file(error)
        case .invalidRequest(let message): return .words(message)
        }
    }
}
