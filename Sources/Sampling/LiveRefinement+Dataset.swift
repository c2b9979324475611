// LiveRefinement+Dataset: live refinement of one context of a dataset split by a run folder's
// contrastive-divergence model, with what `ebm view live` shows beside the chains: the context,
// the episode's real future and a feedforward baseline's prediction.

import EnergyModels
import Foundation
import Trajectories

extension LiveRefinement {
    /// The input a setup failure concerns (a command line names it by its flag).
    public enum Input: Sendable { case model, data, episode, contextStart, baseline }

    /// Why live refinement of a dataset context could not be set up, and which input is at fault.
    public struct SetupFailure: FileErrorWrapping, CustomStringConvertible, Equatable {
        public let input: Input, description: String
        /// The file problem underneath (a run or checkpoint, the dataset split), when the failure is about a file.
        public let fileError: FileError?

        public init(input: Input, description: String, fileError: FileError? = nil) {
            (self.input, self.description, self.fileError) = (input, description, fileError)
        }

        /// The message led by the flag and value of the input at fault, as `ebm view` prints it
        /// ("--episode 9: …"; a dataset's own message names its file).
        public func flagged(run: String, episode: Int, contextStart: Int, baseline: String?) -> String {
            switch input {
            case .model: return "--model \(run): \(description)"
            case .data: return description
            case .episode: return "--episode \(episode): \(description)"
            case .contextStart: return "--context-start \(contextStart): \(description)"
            case .baseline: return "--baseline \(baseline ?? ""): \(description)"
            }
        }
    }

    /// Live refinement of one context, and the raw states shown beside its chains.
    public struct DatasetContext {
        public let live: LiveRefinement
        /// The context [k, S], the episode's real future after it [H', S] (H' ≤ H), the baseline's prediction [H, S].
        public let context: [Double], truth: [Double], feedforward: [Double]?
        /// The split's file.
        public let file: String
    }

    /// `chains` chains of `kind` (`steps` per refinement) of the contrastive-divergence model of the
    /// run folder `run`, for the k states of `episode` of the dataset folder `data`'s `split` from
    /// state `contextStart`; the model must read states of `stateSize` numbers (the nq + nv of the
    /// robot `robot` names); the feedforward run `baseline`, when given, predicts alongside.
    public static func forDataset(run: String, data: String, split: Split, episode: Int, contextStart: Int, baseline: String?,
                                  stateSize: Int, robot: String, kind: FutureSamplerKind, steps: Int, chains: Int, seed: UInt64) throws -> DatasetContext {
        func fail(_ input: Input, _ message: String, _ fileError: FileError? = nil) -> SetupFailure {
            SetupFailure(input: input, description: message, fileError: fileError)
        }
        let (energyModel, meta): (TrajectoryEnergyModel, CheckpointMetadata)
        do { (energyModel, meta) = try TrajectoryEnergyModel.load(from: RunFolder.existingCheckpoint(run)) } catch { throw fail(.model, "\(error)", FileError.of(error)) }
        try RunFolder.requireUnconditioned(energyModel.encoding, run: run)
        let enc = energyModel.encoding
        let (k, H, S) = (enc.contextLength, enc.horizon, enc.stateSize)
        guard S == stateSize else { throw fail(.model, "reads states of \(S) numbers, but \(robot) has nq + nv = \(stateSize): a model of another robot?") }
        let file = URL(fileURLWithPath: data).appendingPathComponent("\(split.rawValue).npz")
        let dataset: TrajectoryDataset
        do { dataset = try TrajectoryDataset(contentsOf: file) } catch {
            throw fail(.data, "\(file.path): \(error)", FileError(wrapping: error, path: file.path))
        }
        guard dataset.stateSize == S else {
            let detail = "states have \(dataset.stateSize) numbers, the model reads \(S)"
            throw fail(.data, "\(file.path): \(detail)", FileError(.mismatched, path: file.path, detail))
        }
        guard episode < dataset.episodes else { throw fail(.episode, "\(file.path) holds \(dataset.episodes) episodes") }
        let length = dataset.steps + 1
        guard contextStart >= 0, contextStart + k <= length else { throw fail(.contextStart, "the model needs \(k) context states and episodes hold \(length)") }
        let context = dataset.states(episode: episode, contextStart..<contextStart + k)
        let truth = dataset.states(episode: episode, contextStart + k..<min(contextStart + k + H, length))
        var feedforward: [Double]?
        if let baseline {
            let ff: FeedforwardPredictor
            do { (ff, _) = try FeedforwardPredictor.load(from: RunFolder.existingCheckpoint(baseline)) } catch { throw fail(.baseline, "\(error)", FileError.of(error)) }
            do { try ff.requireContext(contextStart + k, stateSize: S, run: baseline) } catch let e as RunFolderError { throw fail(.baseline, e.reason) }
            feedforward = ff.rollout(context: dataset.states(episode: episode, contextStart + k - ff.encoding.contextLength..<contextStart + k), total: H)
        }
        let live: LiveRefinement
        do {
            live = try LiveRefinement(model: energyModel, langevin: meta.configuration.langevin, kind: kind, steps: steps, context: context, chains: chains, seed: seed)
        } catch { throw fail(.model, "\(error)") }
        return DatasetContext(live: live, context: context, truth: truth, feedforward: feedforward, file: file.path)
    }
}
