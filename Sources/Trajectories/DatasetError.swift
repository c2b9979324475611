/// A recipe, dataset or generation request that cannot be used.
///
/// A problem with a file (a recipe field, a missing `train.npz`, a folder that cannot be renamed into
/// place) is `.file`, whose `FileError` names the path and its kind:
/// `trajectories/x.json: policy.kp: expected 2 numbers (one per actuator), found 3`; a request
/// without a file (a shard spec, window sizes, an episode range) is `.invalidRequest`.
public enum DatasetError: FileErrorWrapping, Equatable, Sendable, CustomStringConvertible {
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

    /// The old struct's initialiser; builds `invalid(_:file:)`.
    @available(*, deprecated, message: "use .invalidRequest(_:) or .file(FileError(...))")
    public init(_ message: String, file: String? = nil) { self = .invalid(message, file: file) }

    public var fileError: FileError? {
        if case .file(let error) = self { return error }
        return nil
    }

    /// The file involved; nil for `.invalidRequest`.
    public var file: String? { fileError?.path }

    /// The problem, in words, without the file prefix.
    public var message: String {
        switch self {
        case .file(let error): return error.detail
        case .invalidRequest(let message): return message
        }
    }

    public var description: String { (file.map { "\($0): " } ?? "") + message }
}
