// RobotModel+Failures: a batch rollout that survives a trajectory going non-finite — the others are
// kept, the failed ones filled with NaN and listed (what `ebm simulate` writes).

extension RobotModel {
    /// Rolls out like `rollout(…, sites: true, recordControls: true)`; when one trajectory of a batch
    /// of more than one goes non-finite, rolls the batch out trajectory by trajectory instead, with the
    /// failed trajectories' rows NaN. Returns the rollout and the failed trajectories' indices.
    /// - Throws: `SimulationError` for wrong sizes, or a non-finite single trajectory.
    public func rolloutKeepingFinite(qpos: [Double], qvel: [Double], batch: Int, steps: Int, controls: [Double]? = nil,
                                     threads: Int = 0) throws -> (rollout: Rollout, failed: [Int]) {
        do {
            return (try rollout(qpos: qpos, qvel: qvel, batch: batch, steps: steps, controls: controls, sites: true, recordControls: true,
                                threads: threads), [])
        } catch let error as SimulationError where error.status == SimulationError.nonFinite && batch > 1 {
            var all = Rollout(batch: batch, steps: steps, nq: nq, nv: nv, nu: nu, nsite: nsite, qpos: [], qvel: [], sites: [], ctrl: [])
            var failed: [Int] = []
            for b in 0..<batch {
                do {
                    let one = try rollout(qpos: Array(qpos[b * nq..<(b + 1) * nq]), qvel: Array(qvel[b * nv..<(b + 1) * nv]), batch: 1, steps: steps,
                                          controls: controls.map { Array($0[b * steps * nu..<(b + 1) * steps * nu]) },
                                          sites: true, recordControls: true, threads: 1)
                    (all.qpos, all.qvel, all.sites, all.ctrl) = (all.qpos + one.qpos, all.qvel + one.qvel, all.sites + one.sites, all.ctrl + one.ctrl)
                } catch let error as SimulationError where error.status == SimulationError.nonFinite {
                    failed.append(b)
                    all.qpos += [Double](repeating: .nan, count: (steps + 1) * nq)
                    all.qvel += [Double](repeating: .nan, count: (steps + 1) * nv)
                    all.sites += [Double](repeating: .nan, count: (steps + 1) * nsite * 3)
                    all.ctrl += [Double](repeating: .nan, count: steps * nu)
                }
            }
            return (all, failed)
        }
    }
}
