import EnergyModels
import Foundation
import Sampling
import Scene
import Simulation
import Trajectories
import Viewer

extension View {
    /// `--model RUN --data DIR`: the context of --episode from --context-start, K chains refined live.
    func liveTimeline(run: String, robot: RobotModel) throws -> Timeline {
        let (energyModel, meta): (TrajectoryEnergyModel, CheckpointMetadata)
        if try FutureModel.load(run: run).metadata.isDenoising {
            throw CLIError("--model \(run): a denoising model is sampled over its noise levels, not refined live step by step: "
                           + "run `ebm predict --model \(run) … --out F.npz`, then `ebm view --futures F.npz`")
        }
        do { (energyModel, meta) = try TrajectoryEnergyModel.load(from: RunFolder.existingCheckpoint(run)) } catch {
            throw CLIError("--model \(run): \(error)")
        }
        try RunFolder.requireUnconditioned(energyModel.encoding, run: run)
        let enc = energyModel.encoding
        let (k, H, S) = (enc.contextLength, enc.horizon, enc.stateSize)
        guard S == robot.nq + robot.nv else {
            throw CLIError("--model \(run): reads states of \(S) numbers, but \(robot.source) has nq + nv = \(robot.nq + robot.nv): a model of another robot?")
        }
        let file = URL(fileURLWithPath: data!).appendingPathComponent("\(split.rawValue).npz")
        let dataset: TrajectoryDataset
        do { dataset = try TrajectoryDataset(contentsOf: file) } catch { throw CLIError("\(file.path): \(error)") }
        guard dataset.stateSize == S else { throw CLIError("\(file.path): states have \(dataset.stateSize) numbers, the model reads \(S)") }
        guard episode < dataset.episodes else { throw CLIError("--episode \(episode): \(file.path) holds \(dataset.episodes) episodes") }
        let length = dataset.steps + 1
        guard contextStart >= 0, contextStart + k <= length else {
            throw CLIError("--context-start \(contextStart): the model needs \(k) context states and episodes hold \(length)")
        }
        func states(_ range: Range<Int>) -> [Double] { range.flatMap { Array(dataset.state(episode: episode, step: $0)) } }
        let context = states(contextStart..<contextStart + k)
        let truth = states(contextStart + k..<min(contextStart + k + H, length))
        var feedforward: [Double]?
        if let baseline {
            let ff: FeedforwardPredictor
            do { (ff, _) = try FeedforwardPredictor.load(from: RunFolder.existingCheckpoint(baseline)) } catch { throw CLIError("--baseline \(baseline): \(error)") }
            guard ff.encoding.stateSize == S, ff.encoding.contextLength <= contextStart + k else {
                throw CLIError("--baseline \(baseline): reads \(ff.encoding.contextLength) states of \(ff.encoding.stateSize), this context offers \(contextStart + k) of \(S)")
            }
            feedforward = ff.rollout(context: states(contextStart + k - ff.encoding.contextLength..<contextStart + k), total: H)
        }

        let live: LiveRefinement
        do {
            live = try LiveRefinement(model: energyModel, langevin: meta.configuration.langevin, kind: sampler, steps: steps, context: context,
                                      chains: samples, seed: seed)
        } catch { throw CLIError("--model \(run): \(error)") }
        live.threadName = "ebm view: Langevin refinement"
        live.onError = { FileHandle.standardError.write(Data("ebm view: refinement stopped: \($0)\n".utf8)) }
        if headless {
            let clock = Date()
            try live.runSynchronously()
            print(String(format: "refined %d chains for %d %@ steps in %.2f s", samples, steps, sampler.rawValue, Date().timeIntervalSince(clock)))
        } else {
            live.start()
        }
        let title = "\(robot.source), live \(sampler.rawValue): \(samples) chains x \(H) states, episode \(episode), context from \(contextStart)"
        return try .liveRefinement(live, context: context, truth: truth, feedforward: feedforward, model: robot, title: title, path: "\(run) on \(file.path)")
    }
}
