import ArgumentParser
import EnergyModels
import Foundation
import Sampling
import Simulation
import Scene
import Trajectories

/// What `ebm predict` and `compose` share: the dataset's robot for `PredictionFile.positionArrays`
/// (Scene), or a warning why the output holds no positions.
enum FutureSampling {
    /// `qpos` and `sites` of the futures (for `ebm view --futures`), when the dataset's meta.json names
    /// a robot whose nq fits the states.
    static func positionArrays(futures sampled: [Double], context: [Double], chains K: Int, total: Int, stateSize S: Int,
                               nearDataset file: String) throws -> [(String, ArraySource)] {
        guard let robotName = EpisodeFile.robotName(near: file) else { return [] }   // hand-made data: no robot, no positions
        guard let robot = try? RobotModel.load(robotName), robot.nq <= S else {
            // said, not silent (issue 18): the output lacks what `ebm view --futures` needs
            fputs("warning: meta.json beside \(file) names robot '\(robotName)', which does not load or has more joints than the \(S) state numbers; "
                  + "writing no qpos or sites\n", stderr)
            return []
        }
        return try PredictionFile.positionArrays(futures: sampled, context: context, chains: K, total: total, stateSize: S, robot: robot)
    }
}

/// One episode's context and, where the episode has it, its true future: what `ebm predict` and
/// `ebm compose` sample from. Errors name `file`.
struct EpisodeContext {
    /// k states (raw units) from `contextStart`.
    let context: [Double]
    /// Up to `total` states after the context (fewer near the episode's end).
    let truth: [Double]

    init(_ dataset: TrajectoryDataset, file: String, episode: Int, contextStart: Int, contextLength k: Int, total: Int) throws {
        guard (0..<dataset.episodes).contains(episode) else { throw CLIError("--episode \(episode): \(file) holds \(dataset.episodes) episodes") }
        let length = dataset.steps + 1
        guard contextStart >= 0, contextStart + k <= length else {
            throw CLIError("--context-start \(contextStart): \(k) context states are needed and episodes hold \(length)")
        }
        func states(_ range: Range<Int>) -> [Double] { range.flatMap { Array(dataset.state(episode: episode, step: $0)) } }
        context = states(contextStart..<contextStart + k)
        truth = states(contextStart + k..<min(contextStart + k + total, length))
    }
}
