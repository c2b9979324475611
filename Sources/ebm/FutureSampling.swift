import ArgumentParser
import EnergyModels
import Foundation
import Sampling
import Simulation
import Scene
import Trajectories

/// What `ebm predict`, `evaluate`, `compose` and `view` share around `FutureSampler` (Sampling): the
/// arrays that place futures on the robot, and the feedforward baseline chained like the futures.
enum FutureSampling {
    /// `qpos [K, 1 + total, nq]` (the current state, then each future; for `ebm view --futures`) and
    /// `sites [K, total, nsite, 3]` (forward kinematics of every future state in one batch call; NaN
    /// for a non-finite state), when the dataset's meta.json names a robot whose nq fits the states.
    static func positionArrays(futures sampled: [Double], context: [Double], chains K: Int, total: Int, stateSize S: Int,
                               nearDataset file: String) throws -> [(String, NumPyArray)] {
        guard let robotName = EpisodeFile.robotName(near: file) else { return [] }   // hand-made data: no robot, no positions
        guard let robot = try? RobotModel.load(robotName), robot.nq <= S else {
            // said, not silent (issue 18): the output lacks what `ebm view --futures` needs
            fputs("warning: meta.json beside \(file) names robot '\(robotName)', which does not load or has more joints than the \(S) state numbers; "
                  + "writing no qpos or sites\n", stderr)
            return []
        }
        let (nq, k) = (robot.nq, context.count / S)
        var qpos: [Double] = []
        for c in 0..<K {
            qpos += context[(k - 1) * S..<(k - 1) * S + nq]
            for t in 0..<total { qpos += sampled[(c * total + t) * S..<(c * total + t) * S + nq] }
        }
        var arrays = [("qpos", try NumPyArray(doubles: qpos, shape: [K, total + 1, nq]))]
        if robot.nsite > 0 {
            let rows = K * total
            let finite = (0..<rows).map { r in sampled[r * S..<r * S + nq].allSatisfy(\.isFinite) }
            let futureQpos = (0..<rows).flatMap { r in finite[r] ? Array(sampled[r * S..<r * S + nq]) : [Double](repeating: 0, count: nq) }
            var sites: [Double]
            do { sites = try robot.kinematics(qpos: futureQpos, batch: rows).sites } catch { throw CLIError("forward kinematics of the futures: \(error)") }
            let width = robot.nsite * 3
            for r in 0..<rows where !finite[r] { for j in 0..<width { sites[r * width + j] = .nan } }
            arrays.append(("sites", try NumPyArray(doubles: sites, shape: [K, total, robot.nsite, 3])))
        }
        return arrays
    }

    /// The feedforward prediction of `total` states after `context` (its last fk states are read), chained.
    static func feedforward(_ ff: FeedforwardPredictor, context: [Double], total: Int) -> [Double] {
        let (fk, S) = (ff.encoding.contextLength, ff.encoding.stateSize)
        var path = Array(context.suffix(fk * S)).map(Float.init)
        while path.count < (fk + total) * S { path += ff.predict(context: Array(path.suffix(fk * S))) }
        return path[(fk * S)..<((fk + total) * S)].map(Double.init)
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

extension FutureSamplerKind: ExpressibleByArgument {}
