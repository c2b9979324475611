/// An error in a recipe, a dataset file or a generation request, naming the file and the problem:
/// `trajectories/x.json: policy.kp: expected 2 numbers (one per actuator), found 3`.
public struct DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file involved, as the caller spelled it; nil when none.
    public var file: String?
    /// The problem, in words, without the file prefix.
    public var message: String

    public init(_ message: String, file: String? = nil) {
        self.message = message
        self.file = file
    }

    public var description: String { (file.map { "\($0): " } ?? "") + message }
}
