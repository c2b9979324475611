// PredictionFile+Positions: the arrays that place sampled futures on the robot — what `ebm predict`
// and `ebm compose` write beside the futures and `PredictionFile` reads back for the viewer.

import Foundation
import Simulation
import Trajectories

extension PredictionFile {
    /// `qpos [K, 1 + total, nq]` (the context's last state, then each future) and, when the robot has
    /// sites, `sites [K, total, nsite, 3]` (forward kinematics of every future state, in metres; NaN
    /// rows for a non-finite state). Both are produced as they are written (`ArraySource`), a few
    /// thousand states at a time, so a writer never holds them whole.
    /// - Parameters:
    ///   - futures: Sampled states (K, total, S), raw units; their first nq numbers are qpos.
    ///   - context: The context states (k, S) the futures follow.
    public static func positionArrays(futures: [Double], context: [Double], chains K: Int, total: Int, stateSize S: Int,
                                      robot: RobotModel) throws -> [(String, ArraySource)] {
        let (nq, k) = (robot.nq, context.count / S)
        guard nq <= S, k >= 1, futures.count == K * total * S else {
            throw SceneError.invalidArgument("futures hold \(futures.count) numbers and the context \(context.count), not [\(K), \(total), \(S)] and [k, \(S)] with nq = \(nq) ≤ \(S)")
        }
        let current = Array(context[(k - 1) * S..<(k - 1) * S + nq])
        let qpos = ArraySource(dtype: .float64, shape: [K, total + 1, nq]) { emit in
            for c in 0..<K {
                var chain = current
                for t in 0..<total { chain += futures[(c * total + t) * S..<(c * total + t) * S + nq] }
                try chain.withUnsafeBytes(emit)
            }
        }
        guard robot.nsite > 0 else { return [("qpos", qpos)] }
        let width = robot.nsite * 3
        // forward kinematics `chunk` future states per batch call
        let rows = K * total, chunk = 4096
        let sites = ArraySource(dtype: .float64, shape: [K, total, robot.nsite, 3]) { emit in
            for first in stride(from: 0, to: rows, by: chunk) {
                let range = first..<min(first + chunk, rows)
                let finite = range.map { r in futures[r * S..<r * S + nq].allSatisfy(\.isFinite) }
                let rowQpos = zip(range, finite).flatMap { r, ok in ok ? Array(futures[r * S..<r * S + nq]) : [Double](repeating: 0, count: nq) }
                var block: [Double]
                do { block = try robot.kinematics(qpos: rowQpos, batch: range.count).sites } catch { throw SceneError.invalidArgument("forward kinematics of the futures: \(error)") }
                for (i, ok) in finite.enumerated() where !ok { for j in 0..<width { block[i * width + j] = .nan } }
                try block.withUnsafeBytes(emit)
            }
        }
        return [("qpos", qpos), ("sites", sites)]
    }
}

extension PredictionFile {
    /// What every file of sampled futures holds (`ebm predict`, `ebm compose`): context [k, S],
    /// samples and futures [K, total, S] (the same states under both names), energies [K], and
    /// truth [H', S] when `truth` is not empty. Raw units, float64.
    public static func futureArrays(context: [Double], futures: [Double], energies: [Double], truth: [Double], chains K: Int, total: Int,
                                    stateSize S: Int) -> [(String, ArraySource)] {
        var arrays: [(String, ArraySource)] = [
            ("context", .doubles(context, shape: [context.count / S, S])),
            ("samples", .doubles(futures, shape: [K, total, S])),
            ("futures", .doubles(futures, shape: [K, total, S])),
            ("energies", .doubles(energies, shape: [K])),
        ]
        if !truth.isEmpty { arrays.append(("truth", .doubles(truth, shape: [truth.count / S, S]))) }
        return arrays
    }

    /// `positionArrays` for the robot that the meta.json beside the dataset file `file` names:
    /// none for hand-made data without one, and none with a warning (the output then lacks what
    /// `ebm view --futures` needs) when that robot does not load or has more joints than S numbers.
    public static func positionArrays(futures: [Double], context: [Double], chains K: Int, total: Int, stateSize S: Int,
                                      nearDataset file: String) throws -> (arrays: [(String, ArraySource)], warning: String?) {
        guard let robotName = DatasetFolder.robotName(near: file) else { return ([], nil) }
        guard let robot = try? RobotModel.load(robotName), robot.nq <= S else {
            return ([], "meta.json beside \(file) names robot '\(robotName)', which does not load or has more joints than the \(S) state numbers; "
                        + "writing no qpos or sites")
        }
        return (try positionArrays(futures: futures, context: context, chains: K, total: total, stateSize: S, robot: robot), nil)
    }
}

extension PredictionFile {
    /// Every array of a file of sampled futures, in the order `ebm predict` and `ebm compose` write
    /// them: `futureArrays`, then `extra` (a baseline, per-model energies, …), then
    /// `positionArrays(nearDataset:)`; `warning` is the latter's.
    public static func arrays(context: [Double], futures: [Double], energies: [Double], truth: [Double], chains K: Int, total: Int,
                              stateSize S: Int, extra: [(String, ArraySource)] = [],
                              nearDataset file: String) throws -> (arrays: [(String, ArraySource)], warning: String?) {
        let positions = try positionArrays(futures: futures, context: context, chains: K, total: total, stateSize: S, nearDataset: file)
        return (futureArrays(context: context, futures: futures, energies: energies, truth: truth, chains: K, total: total, stateSize: S)
                + extra + positions.arrays, positions.warning)
    }
}
