// RunFolder: where a trained run keeps its model — the `--out` folder of `ebm train` (its final
// `model.safetensors` inside) or a checkpoint file given directly — and the loaders every program
// that reads one (the CLI, the examples, a user's own) shares.

import Foundation

/// A run that cannot be used: missing, unfinished, or conditioned where states alone are given.
public enum RunFolderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither a run folder nor a checkpoint file at `path`.
    case missing(path: String)
    /// A run folder without its final `model.safetensors` (training unfinished).
    case unfinished(path: String)
    /// The model at `checkpoint` reads a goal label (`goal` true) or controls besides the context states.
    case conditioned(checkpoint: String, goal: Bool)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path): no such run folder or checkpoint (give the --out folder of `ebm train`, or a .safetensors file)"
        case .unfinished(let path):
            return "\(path): the run folder has no model.safetensors yet (training unfinished? re-run `ebm train` with the same --out to resume)"
        case .conditioned(let checkpoint, let goal):
            return "\(checkpoint): the model is conditioned on " + (goal ? "a goal label" : "controls")
                + "; this command samples from states alone (use `ebm score`, `ebm evaluate --ood` or `ebm evaluate --intent`)"
        }
    }
}

/// Paths of a trained run: a folder written by `ebm train --out DIR`, or one of its checkpoint files.
public enum RunFolder {
    /// `path/model.safetensors` for a folder, else `path` itself.
    public static func checkpoint(_ path: String) -> URL {
        var isDirectory: ObjCBool = false
        let url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return url.appendingPathComponent("model.safetensors")
        }
        return url
    }

    /// `checkpoint(path)` when it exists; otherwise what is missing: the path itself, or a folder's final model.
    public static func existingCheckpoint(_ path: String) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw RunFolderError.missing(path: path) }
        let url = checkpoint(path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw RunFolderError.unfinished(path: path) }
        return url
    }

    /// Throws `RunFolderError.conditioned` when `encoding` reads a goal label or controls besides the
    /// context states (programs that build contexts from states alone refuse such models).
    public static func requireUnconditioned(_ encoding: WindowEncoding, run path: String) throws {
        guard encoding.conditionWidth == 0 else {
            throw RunFolderError.conditioned(checkpoint: checkpoint(path).path, goal: encoding.goalCount > 0)
        }
    }
}

extension TrajectoryEnergyModel {
    /// The contrastive-divergence energy model of a run folder or checkpoint file; unless
    /// `conditioned`, a goal- or control-conditioned model is refused.
    public static func load(run path: String, conditioned: Bool = false) throws -> (model: TrajectoryEnergyModel, metadata: CheckpointMetadata) {
        let loaded = try load(from: RunFolder.existingCheckpoint(path))
        if !conditioned { try RunFolder.requireUnconditioned(loaded.model.encoding, run: path) }
        return loaded
    }
}

extension FeedforwardPredictor {
    /// The feedforward baseline of a run folder or checkpoint file; unless `conditioned`, a goal- or
    /// control-conditioned model is refused.
    public static func load(run path: String, conditioned: Bool = false) throws -> (model: FeedforwardPredictor, metadata: CheckpointMetadata) {
        let loaded = try load(from: RunFolder.existingCheckpoint(path))
        if !conditioned { try RunFolder.requireUnconditioned(loaded.model.encoding, run: path) }
        return loaded
    }

    /// The prediction of `total` states after `context` (raw units, its last k states are read),
    /// chained: each prediction of H states is appended and the next reads the last k. Shape (total, S).
    public func rollout(context: [Double], total: Int) -> [Double] {
        let (k, S) = (encoding.contextLength, encoding.stateSize)
        var path = Array(context.suffix(k * S)).map(Float.init)
        while path.count < (k + total) * S { path += predict(context: Array(path.suffix(k * S))) }
        return path[(k * S)..<((k + total) * S)].map(Double.init)
    }
}
