// TrainingError: a bad configuration, dataset, checkpoint or a diverged run, naming the file.

/// A failure of training or of loading a trained model, naming the file and the problem:
/// `runs/x/config.json: unknown key 'model.widht'`.
public struct TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
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
