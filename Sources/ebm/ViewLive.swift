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
        if try FutureModel.load(run: run).metadata.isDenoising {
            throw CLIError.failed("--model \(run): a denoising model is sampled over its noise levels, not refined live step by step: "
                           + "run `ebm predict --model \(run) … --out F.npz`, then `ebm view --futures F.npz`")
        }
        let setup: LiveRefinement.DatasetContext
        do {
            setup = try LiveRefinement.forDataset(run: run, data: data!, split: split, episode: episode, contextStart: contextStart, baseline: baseline,
                                                  stateSize: robot.nq + robot.nv, robot: robot.source, kind: sampler, steps: steps, chains: samples, seed: seed)
        } catch let e as LiveRefinement.SetupFailure { throw CLIError.failed(e.flagged(run: run, episode: episode, contextStart: contextStart, baseline: baseline)) }
        let (live, H) = (setup.live, setup.live.energy.model.encoding.horizon)
        live.threadName = "ebm view: Langevin refinement"
        live.onError = { FileHandle.standardError.write(Data("ebm view: refinement stopped: \($0)\n".utf8)) }
        if request.headless {
            let clock = Date()
            try live.runSynchronously()
            print(String(format: "refined %d chains for %d %@ steps in %.2f s", samples, steps, sampler.rawValue, Date().timeIntervalSince(clock)))
        } else {
            live.start()
        }
        let title = "\(robot.source), live \(sampler.rawValue): \(samples) chains x \(H) states, episode \(episode), context from \(contextStart)"
        return try .liveRefinement(live, context: setup.context, truth: setup.truth, feedforward: setup.feedforward, model: robot, title: title, path: "\(run) on \(setup.file)")
    }
}
