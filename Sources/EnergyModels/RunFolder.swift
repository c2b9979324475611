// RunFolder: where a trained run keeps its model — the `--out` folder of `ebm train` (its final
// `model.safetensors` inside) or a checkpoint file given directly — and the loaders every program
// that reads one (the CLI, the examples, a user's own) shares.

import Foundation
import Trajectories

/// A run that cannot be used: missing, unfinished, or conditioned where states alone are given.
public enum RunFolderError: FileErrorWrapping, Equatable, Sendable, CustomStringConvertible {
    /// Neither a run folder nor a checkpoint file at `path`.
    case missing(path: String)
    /// A run folder without its final `model.safetensors` (training unfinished).
    case unfinished(path: String)
    /// The model at `checkpoint` reads a goal label (`goal` true) or controls besides the context states.
    case conditioned(checkpoint: String, goal: Bool)
    /// The model of `run` reads `reads` states of `stateSize` numbers; the input offers `offered` states of `offeredSize`.
    case contextMismatch(run: String, reads: Int, stateSize: Int, offered: Int, offeredSize: Int)

    public var description: String { "\(path): \(detail)" }

    /// The run folder or checkpoint the problem is about.
    public var path: String {
        switch self {
        case .missing(let path), .unfinished(let path): return path
        case .conditioned(let checkpoint, _): return checkpoint
        case .contextMismatch(let run, _, _, _, _): return run
        }
    }

    /// The problem, without the path in front.
    public var detail: String {
        switch self {
        case .missing:
            return "no such run folder or checkpoint (give the --out folder of `ebm train`, or a .safetensors file)"
        case .unfinished:
            return "the run folder has no model.safetensors yet (training unfinished? re-run `ebm train` with the same --out to resume)"
        case .conditioned(_, let goal):
            return "the model is conditioned on " + (goal ? "a goal label" : "controls")
                + "; this command samples from states alone (use `ebm score`, `ebm evaluate --ood` or `ebm evaluate --intent`)"
        case .contextMismatch(_, let reads, let stateSize, let offered, let offeredSize):
            return "reads \(reads) states of \(stateSize), this context offers \(offered) of \(offeredSize)"
        }
    }

    /// The problem as a `FileError` about the run folder or checkpoint: `.notFound` for a missing
    /// or unfinished run, `.mismatched` for a model that does not take the input.
    public var fileError: FileError? {
        switch self {
        case .missing, .unfinished: return FileError(.notFound, path: path, detail)
        case .conditioned, .contextMismatch: return FileError(.mismatched, path: path, detail)
        }
    }

    /// The problem without the run's path in front (for a caller that names the input itself).
    public var reason: String {
        guard case .contextMismatch = self else { return description }
        return detail
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

    /// Throws unless each run in `runs` (folders or checkpoints; nil skipped) was trained on data of
    /// the robot of `data` (a dataset folder, or an .npz in one) and of `robot` (a built-in name or
    /// MJCF file), as `CheckpointMetadata.requireRobot` decides; its warnings go to `warn`
    /// ("warning: …" on standard error by default). Every model-reading command runs this first.
    public static func requireSameRobot(_ runs: [String?], data: String? = nil, robot: String? = nil,
                                        warn: (String) -> Void = { writeToStandardError("warning: \($0)\n") }) throws {
        for case let path? in runs {
            let url = try existingCheckpoint(path)
            let metadata = try CheckpointMetadata.read(url)
            if let data {
                let folder = URL(fileURLWithPath: data)
                try metadata.requireRobot(ofDataset: data.hasSuffix(".npz") ? folder.deletingLastPathComponent() : folder, file: url.path)
            }
            if let robot, let warning = try metadata.requireRobot(robot, file: url.path) { warn(warning) }
        }
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

    /// Throws `RunFolderError.contextMismatch` (naming `run`) unless a context of `offered` states of
    /// `stateSize` numbers feeds this model: its states are that size and it reads at most `offered`.
    public func requireContext(_ offered: Int, stateSize: Int, run: String) throws {
        let (k, S) = (encoding.contextLength, encoding.stateSize)
        guard S == stateSize, k <= offered else {
            throw RunFolderError.contextMismatch(run: run, reads: k, stateSize: S, offered: offered, offeredSize: stateSize)
        }
    }

    /// `rollout(context:total:)` from a dataset episode: the k states this model reads, ending before
    /// state `contextEnd` (where a sampler's context ends), then `total` predicted states (total, S).
    /// Throws `RunFolderError.contextMismatch` (naming `run`) when the dataset's states are not this
    /// model's size or fewer than k states precede `contextEnd`, `DatasetError` for an episode or
    /// `contextEnd` outside the dataset.
    public func rollout(dataset: TrajectoryDataset, episode: Int, contextEnd: Int, total: Int, run: String) throws -> [Double] {
        try requireContext(contextEnd, stateSize: dataset.stateSize, run: run)
        guard (0..<dataset.episodes).contains(episode), contextEnd <= dataset.steps + 1 else {
            throw DatasetError.invalidRequest("episode \(episode), states before \(contextEnd): the dataset holds \(dataset.episodes) episodes of \(dataset.steps + 1) states")
        }
        let k = encoding.contextLength
        return rollout(context: dataset.states(episode: episode, contextEnd - k..<contextEnd), total: total)
    }
}
