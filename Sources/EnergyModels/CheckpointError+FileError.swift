// CheckpointError+FileError: a checkpoint problem as the project's one file error.

import NeuralCore
import Trajectories

extension CheckpointError: FileErrorWrapping {
    /// The checkpoint problem as a `FileError` about its file, the description after the path as
    /// its detail: `.unreadable`, `.unsupported` (a dtype), `.mismatched` (a tensor the model lacks,
    /// misses or shapes otherwise), `.writeFailed`, `.malformed` otherwise.
    public var fileError: FileError? { asFileError }

    /// `fileError`, never nil: every checkpoint error names its file.
    public var asFileError: FileError {
        let file: String, kind: FileError.Kind
        switch self {
        case .unreadable(let f, _): (file, kind) = (f, .unreadable)
        case .writeFailed(let f, _): (file, kind) = (f, .writeFailed)
        case .unsupportedDType(let f, _, _): (file, kind) = (f, .unsupported)
        case .missingTensor(let f, _), .unexpectedTensor(let f, _), .shapeMismatch(let f, _, _, _): (file, kind) = (f, .mismatched)
        case .truncated(let f, _), .headerLengthPastEnd(let f, _, _), .malformedHeader(let f, _), .badDataOffsets(let f, _, _),
             .nonFiniteValue(let f, _, _, _), .badMetadata(let f, _): (file, kind) = (f, .malformed)
        }
        return FileError(kind, path: file, String(description.dropFirst(file.count + 2)))
    }
}
