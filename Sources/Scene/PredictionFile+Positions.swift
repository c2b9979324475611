// PredictionFile+Positions: the arrays that place sampled futures on the robot — what `ebm predict`
// and `ebm compose` write beside the futures and `PredictionFile` reads back for the viewer.

import Foundation
import Simulation
import Trajectories

extension PredictionFile {
    /// `qpos [K, 1 + total, nq]` (the context's last state, then each future) and, when the robot has
    /// sites, `sites [K, total, nsite, 3]` (forward kinematics of every future state in one batch call,
    /// in metres; NaN rows for a non-finite state).
    /// - Parameters:
    ///   - futures: Sampled states (K, total, S), raw units; their first nq numbers are qpos.
    ///   - context: The context states (k, S) the futures follow.
    public static func positionArrays(futures: [Double], context: [Double], chains K: Int, total: Int, stateSize S: Int,
                                      robot: RobotModel) throws -> [(String, NumPyArray)] {
        let (nq, k) = (robot.nq, context.count / S)
        guard nq <= S, k >= 1, futures.count == K * total * S else {
            throw SceneError("futures hold \(futures.count) numbers and the context \(context.count), not [\(K), \(total), \(S)] and [k, \(S)] with nq = \(nq) ≤ \(S)")
        }
        var qpos: [Double] = []
        for c in 0..<K {
            qpos += context[(k - 1) * S..<(k - 1) * S + nq]
            for t in 0..<total { qpos += futures[(c * total + t) * S..<(c * total + t) * S + nq] }
        }
        var arrays = [("qpos", try NumPyArray(doubles: qpos, shape: [K, total + 1, nq]))]
        guard robot.nsite > 0 else { return arrays }
        let rows = K * total
        let finite = (0..<rows).map { r in futures[r * S..<r * S + nq].allSatisfy(\.isFinite) }
        let futureQpos = (0..<rows).flatMap { r in finite[r] ? Array(futures[r * S..<r * S + nq]) : [Double](repeating: 0, count: nq) }
        var sites: [Double]
        do { sites = try robot.kinematics(qpos: futureQpos, batch: rows).sites } catch { throw SceneError("forward kinematics of the futures: \(error)") }
        let width = robot.nsite * 3
        for r in 0..<rows where !finite[r] { for j in 0..<width { sites[r * width + j] = .nan } }
        arrays.append(("sites", try NumPyArray(doubles: sites, shape: [K, total, robot.nsite, 3])))
        return arrays
    }
}

extension PredictionFile {
    /// What every file of sampled futures holds (`ebm predict`, `ebm compose`): context [k, S],
    /// samples and futures [K, total, S] (the same states under both names), energies [K], and
    /// truth [H', S] when `truth` is not empty. Raw units, float64.
    public static func futureArrays(context: [Double], futures: [Double], energies: [Double], truth: [Double], chains K: Int, total: Int,
                                    stateSize S: Int) throws -> [(name: String, array: NumPyArray)] {
        var arrays: [(name: String, array: NumPyArray)] = [
            ("context", try NumPyArray(doubles: context, shape: [context.count / S, S])),
            ("samples", try NumPyArray(doubles: futures, shape: [K, total, S])),
            ("futures", try NumPyArray(doubles: futures, shape: [K, total, S])),
            ("energies", try NumPyArray(doubles: energies, shape: [K])),
        ]
        if !truth.isEmpty { arrays.append(("truth", try NumPyArray(doubles: truth, shape: [truth.count / S, S]))) }
        return arrays
    }

    /// `positionArrays` for the robot that the meta.json beside the dataset file `file` names:
    /// none for hand-made data without one, and none with a warning (the output then lacks what
    /// `ebm view --futures` needs) when that robot does not load or has more joints than S numbers.
    public static func positionArrays(futures: [Double], context: [Double], chains K: Int, total: Int, stateSize S: Int,
                                      nearDataset file: String) throws -> (arrays: [(name: String, array: NumPyArray)], warning: String?) {
        guard let robotName = DatasetFolder.robotName(near: file) else { return ([], nil) }
        guard let robot = try? RobotModel.load(robotName), robot.nq <= S else {
            return ([], "meta.json beside \(file) names robot '\(robotName)', which does not load or has more joints than the \(S) state numbers; "
                        + "writing no qpos or sites")
        }
        let arrays = try positionArrays(futures: futures, context: context, chains: K, total: total, stateSize: S, robot: robot)
        return (arrays.map { (name: $0.0, array: $0.1) }, nil)
    }
}
