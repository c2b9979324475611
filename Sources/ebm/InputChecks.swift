import EnergyModels
import Foundation

/// Checks every model-reading command runs on its inputs before it works (the logic lives in
/// `CheckpointMetadata.requireRobot`; this only finds the files).
enum InputChecks {
    /// Throws unless each model in `models` (run folders or checkpoints) was trained on data of the
    /// robot of `data` (a dataset folder, or an .npz in one) and of `robot` (a built-in name or MJCF).
    static func requireSameRobot(_ models: [String?], data: String? = nil, robot: String? = nil) throws {
        for case let path? in models {
            let url = try RunFolder.existingCheckpoint(path)
            do {
                let metadata = try CheckpointMetadata.read(url)
                if let data {
                    let folder = URL(fileURLWithPath: data)
                    try metadata.requireRobot(ofDataset: data.hasSuffix(".npz") ? folder.deletingLastPathComponent() : folder, file: url.path)
                }
                if let robot, let warning = try metadata.requireRobot(robot, file: url.path) {
                    FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
                }
            } catch let e as TrainingError { throw CLIError(e.description) }
        }
    }
}
