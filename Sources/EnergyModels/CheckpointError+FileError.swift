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
        let kind: FileError.Kind
        switch self {
        case .unreadable: kind = .unreadable
        case .writeFailed: kind = .writeFailed
        case .unsupportedDType: kind = .unsupported
        case .missingTensor, .unexpectedTensor, .shapeMismatch: kind = .mismatched
        case .truncated, .headerLengthPastEnd, .malformedHeader, .badDataOffsets, .nonFiniteValue, .badMetadata: kind = .malformed
        }
        return FileError(kind, path: file, detail)
    }
}
