// RobotModel+Benchmark: the simulator's speed as `ebm bench sim` measures it — steps per second of
// batched open-loop rollouts on a given number of threads.

import Foundation

extension RobotModel {
    /// Simulator steps per second of open-loop rollouts of `8 × threads` trajectories of `steps` steps
    /// from a slightly perturbed rest pose, repeated until `minTime` seconds of `clock` have passed
    /// (after one untimed 50-step rollout). Sites are not computed.
    public func rolloutStepsPerSecond(threads: Int, steps: Int, minTime: Double, clock: () -> Double) throws -> Double {
        let batch = 8 * threads
        let q0 = joints.qpos0
        var qpos = [Double](), qvel = [Double]()
        for b in 0..<batch {
            qpos += q0.enumerated().map { $0.element + 0.1 * sin(Double($0.offset + b)) }
            qvel += (0..<nv).map { 0.1 * cos(Double($0 * 7 + b)) }
        }
        _ = try rollout(qpos: qpos, qvel: qvel, batch: batch, steps: 50, sites: false, threads: threads)
        var total = 0
        let start = clock()
        var elapsed = 0.0
        repeat {
            _ = try rollout(qpos: qpos, qvel: qvel, batch: batch, steps: steps, sites: false, threads: threads)
            total += batch * steps
            elapsed = clock() - start
        } while elapsed < minTime
        return Double(total) / elapsed
    }
}
