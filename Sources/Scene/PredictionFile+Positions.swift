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
