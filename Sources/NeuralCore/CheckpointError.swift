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

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read: \(reason)"
        case let .truncated(file, reason): return "\(file): truncated file: \(reason)"
        case let .headerLengthPastEnd(file, headerLength, fileSize):
            return "\(file): header length \(headerLength) runs past the end of the file (\(fileSize) bytes)"
        case let .malformedHeader(file, reason): return "\(file): malformed safetensors header: \(reason)"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype), expected F32"
        case let .badDataOffsets(file, tensor, reason): return "\(file): tensor '\(tensor)': \(reason)"
        case let .missingTensor(file, tensor): return "\(file): tensor '\(tensor)' is missing"
        case let .unexpectedTensor(file, tensor): return "\(file): tensor '\(tensor)' is not part of the model"
        case let .shapeMismatch(file, tensor, found, expected):
            return "\(file): tensor '\(tensor)' has shape \(found), the model expects \(expected)"
        case let .nonFiniteValue(file, tensor, index, value):
            return "\(file): tensor '\(tensor)' holds \(value) at flat index \(index)"
        case let .badMetadata(file, reason): return "\(file): metadata: \(reason)"
        case let .writeFailed(file, reason): return "\(file): cannot write: \(reason)"
        }
    }
}
