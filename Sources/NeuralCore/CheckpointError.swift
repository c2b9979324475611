// CheckpointError: every way reading or writing a checkpoint can fail, each naming the file
// and, where there is one, the tensor.

/// A checkpoint that cannot be read, written or applied to a model.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file ends before its content does.
    case truncated(file: String, reason: String)
    /// The 8-byte header length points past the end of the file.
    case headerLengthPastEnd(file: String, headerLength: UInt64, fileSize: Int)
    /// The JSON header is not a valid safetensors header.
    case malformedHeader(file: String, reason: String)
    /// A tensor is stored with a dtype other than F32.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// A tensor's `data_offsets` do not match its shape or the data section.
    case badDataOffsets(file: String, tensor: String, reason: String)
    /// The model has a tensor the file lacks.
    case missingTensor(file: String, tensor: String)
    /// The file has a tensor the model lacks.
    case unexpectedTensor(file: String, tensor: String)
    /// A tensor's shape differs from the model's.
    case shapeMismatch(file: String, tensor: String, found: [Int], expected: [Int])
    /// A tensor holds NaN or infinity.
    case nonFiniteValue(file: String, tensor: String, index: Int, value: Float)
    /// The metadata's architecture or normalisation is missing or unreadable, or disagrees with the model.
    case badMetadata(file: String, reason: String)
    /// The file could not be written or moved into place.
    case writeFailed(file: String, reason: String)

    public var description: String { "\(file): \(detail)" }

    /// The checkpoint file.
    public var file: String {
        switch self {
        case let .unreadable(file, _), let .truncated(file, _), let .headerLengthPastEnd(file, _, _), let .malformedHeader(file, _),
             let .unsupportedDType(file, _, _), let .badDataOffsets(file, _, _), let .missingTensor(file, _),
             let .unexpectedTensor(file, _), let .shapeMismatch(file, _, _, _), let .nonFiniteValue(file, _, _, _),
             let .badMetadata(file, _), let .writeFailed(file, _):
            return file
        }
    }

    /// The problem, without the file in front.
    public var detail: String {
        switch self {
        case let .unreadable(_, reason): return "cannot read: \(reason)"
        case let .truncated(_, reason): return "truncated file: \(reason)"
        case let .headerLengthPastEnd(_, headerLength, fileSize):
            return "header length \(headerLength) runs past the end of the file (\(fileSize) bytes)"
        case let .malformedHeader(_, reason): return "malformed safetensors header: \(reason)"
        case let .unsupportedDType(_, tensor, dtype): return "tensor '\(tensor)' has dtype \(dtype), expected F32"
        case let .badDataOffsets(_, tensor, reason): return "tensor '\(tensor)': \(reason)"
        case let .missingTensor(_, tensor): return "tensor '\(tensor)' is missing"
        case let .unexpectedTensor(_, tensor): return "tensor '\(tensor)' is not part of the model"
        case let .shapeMismatch(_, tensor, found, expected): return "tensor '\(tensor)' has shape \(found), the model expects \(expected)"
        case let .nonFiniteValue(_, tensor, index, value): return "tensor '\(tensor)' holds \(value) at flat index \(index)"
        case let .badMetadata(_, reason): return "metadata: \(reason)"
        case let .writeFailed(_, reason): return "cannot write: \(reason)"
        }
    }
}
