// PhysicalConsistency: whether generated states could have come from the simulator — the
// controls they imply through inverse dynamics (RNEA), replayed open loop and one step at a time.

import Foundation
import Simulation

/// Whether generated states are physically consistent: the controls they imply through inverse
/// dynamics, replayed open loop in the true simulator.
public enum PhysicalConsistency {
    /// What one check measured.
    public struct Result: Codable, Equatable, Sendable {
        /// Mean ‖re-simulated − generated state‖ after t + 1 steps of open-loop replay [length]
        /// (original state units; over the rollouts that re-simulated).
        public var divergence: [Double]
        /// Mean ‖state after one simulator step from each generated state under its implied control
        /// − the next generated state‖ (all transitions).
        public var oneStepDefect: Double
        /// Share of implied controls outside the actuators' control ranges (the simulator clamps them).
        public var controlsOutOfRange: Double
        /// Rollouts replayed (non-finite ones and those whose replay failed are left out).
        public var replayed: Int, rollouts: Int
    }

    /// For paths (count, length, S = nq + nv) following start states (count, S): for each transition
    /// s_t → s_{t+1}, the acceleration a = (v_{t+1} − v_t)/Δt (Δt = timestep × substeps) at (q_t, v_t),
    /// the actuator force RNEA(q, v, a) − RNEA(q, v, a₀) (a₀: the passive acceleration, so passive
    /// forces are not counted twice) and the controls force/gear; then one batched open-loop rollout
    /// from the start states and one batched one-step rollout from every generated state.
    ///
    /// The finite-difference acceleration is exact for semi-implicit Euler and O(Δt) off for RK4;
    /// the data's own episodes give the floor of both measures (`ebm evaluate`'s "data" row).
    public static func check(model: RobotModel, start: [Double], paths: [Double], count: Int, length N: Int) throws -> Result {
        let (nq, nv, nu) = (model.nq, model.nv, model.nu)
        let S = nq + nv
        guard nq == nv else { throw ScoringError.invalidArgument("physical consistency needs nq == nv; \(model.source) has nq \(model.nq), nv \(model.nv)") }
        let dt = model.options.timestep * Double(model.options.substeps)
        let finite = (0..<count).filter { c in
            start[c * S..<(c + 1) * S].allSatisfy(\.isFinite) && paths[c * N * S..<(c + 1) * N * S].allSatisfy { $0.isFinite && abs($0) < 1e6 }
        }
        guard !finite.isEmpty, N >= 1, nu > 0 else {
            return Result(divergence: [Double](repeating: .nan, count: N), oneStepDefect: .nan, controlsOutOfRange: .nan, replayed: 0, rollouts: count)
        }
        let B = finite.count, rows = B * N
        // every transition's state before (q, v) and velocity after: [B, N, ·]
        var q = [Double](repeating: 0, count: rows * nq), v = [Double](repeating: 0, count: rows * nv), a = v
        var next = [Double](repeating: 0, count: rows * S)
        for (b, c) in finite.enumerated() {
            for t in 0..<N {
                let before = t == 0 ? start[c * S..<(c + 1) * S] : paths[(c * N + t - 1) * S..<(c * N + t) * S]
                let after = paths[(c * N + t) * S..<(c * N + t + 1) * S]
                let r = b * N + t
                for i in 0..<nq { q[r * nq + i] = before[before.startIndex + i] }
                for i in 0..<nv {
                    v[r * nv + i] = before[before.startIndex + nq + i]
                    a[r * nv + i] = (after[after.startIndex + nq + i] - before[before.startIndex + nq + i]) / dt
                }
                for i in 0..<S { next[r * S + i] = after[after.startIndex + i] }
            }
        }
        // actuator forces by inverse dynamics, less the passive part; controls = force / gear
        let passiveQacc = try model.forwardDynamics(qpos: q, qvel: v, qfrc: nil, batch: rows)
        let total = try model.inverseDynamics(qpos: q, qvel: v, qacc: a, batch: rows)
        let passive = try model.inverseDynamics(qpos: q, qvel: v, qacc: passiveQacc, batch: rows)
        let (joint, gear, ranges) = (try model.actuatedDofs(), model.actuators.gear, model.actuators.ctrlRange)
        var controls = [Double](repeating: 0, count: rows * nu), outside = 0
        for r in 0..<rows {
            for u in 0..<nu {
                let value = (total[r * nv + joint[u]] - passive[r * nv + joint[u]]) / gear[u]
                controls[r * nu + u] = value
                if let range = ranges[u], !(value >= range.0 && value <= range.1) { outside += 1 }
            }
        }
        // one step from every generated state
        let one = try model.rollout(qpos: q, qvel: v, batch: rows, steps: 1, controls: controls, sites: false)
        var defect = 0.0
        for r in 0..<rows {
            var s = 0.0
            for i in 0..<nq { let e = one.qpos[(r * 2 + 1) * nq + i] - next[r * S + i]; s += e * e }
            for i in 0..<nv { let e = one.qvel[(r * 2 + 1) * nv + i] - next[r * S + nq + i]; s += e * e }
            defect += s.squareRoot() / Double(rows)
        }
        // open loop from the start states; a replay that fails (non-finite) is retried alone and left out
        let q0 = finite.flatMap { start[$0 * S..<$0 * S + nq] }, v0 = finite.flatMap { start[$0 * S + nq..<($0 + 1) * S] }
        var replay: [(index: Int, qpos: ArraySlice<Double>, qvel: ArraySlice<Double>)] = []
        if let r = try? model.rollout(qpos: q0, qvel: v0, batch: B, steps: N, controls: controls, sites: false) {
            for b in 0..<B { replay.append((b, r.qpos[b * (N + 1) * nq..<(b + 1) * (N + 1) * nq], r.qvel[b * (N + 1) * nv..<(b + 1) * (N + 1) * nv])) }
        } else {
            for b in 0..<B {
                if let r = try? model.rollout(qpos: Array(q0[b * nq..<(b + 1) * nq]), qvel: Array(v0[b * nv..<(b + 1) * nv]), batch: 1, steps: N,
                                              controls: Array(controls[b * N * nu..<(b + 1) * N * nu]), sites: false) {
                    replay.append((b, r.qpos[...], r.qvel[...]))
                }
            }
        }
        var divergence = [Double](repeating: replay.isEmpty ? .nan : 0, count: N)
        for (b, rq, rv) in replay {
            for t in 0..<N {
                var s = 0.0
                for i in 0..<nq { let e = rq[rq.startIndex + (t + 1) * nq + i] - next[(b * N + t) * S + i]; s += e * e }
                for i in 0..<nv { let e = rv[rv.startIndex + (t + 1) * nv + i] - next[(b * N + t) * S + nq + i]; s += e * e }
                divergence[t] += s.squareRoot() / Double(replay.count)
            }
        }
        return Result(divergence: divergence, oneStepDefect: defect, controlsOutOfRange: Double(outside) / Double(rows * nu),
                      replayed: replay.count, rollouts: count)
    }
}
