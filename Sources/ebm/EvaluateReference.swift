// EvaluateReference: ground truth for the distribution scores and physical checks of `ebm evaluate`
// — futures re-simulated from a context's start state by the dataset's own recipe and policy with
// fresh random draws, and the re-simulation of the controls implied by generated states.

import Foundation
import Simulation
import Trajectories

/// The dataset's recipe (from its `meta.json`) as a simulator of fresh episodes from given start states.
struct ReferenceSimulator {
    let generator: DatasetGenerator
    var model: RobotModel { generator.model }
    /// Steps per episode T (states T + 1).
    var steps: Int { generator.recipe.steps }

    /// Reads `folder/meta.json`'s copy of the recipe and builds its robot and policy.
    init(dataFolder folder: String) throws {
        let metaURL = URL(fileURLWithPath: folder).appendingPathComponent("meta.json")
        guard let bytes = FileManager.default.contents(atPath: metaURL.path),
              let meta = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw CLIError("\(metaURL.path): missing or not JSON (re-simulation needs the dataset's recipe)")
        }
        guard let recipeObject = meta["recipe"] as? [String: Any] else { throw CLIError("\(metaURL.path): no \"recipe\" object") }
        do {
            let recipeBytes = try JSONSerialization.data(withJSONObject: recipeObject)
            generator = try DatasetGenerator(recipe: try Recipe(json: [UInt8](recipeBytes), file: metaURL.path))
        } catch let error as DatasetError {
            throw CLIError("\(error)")
        }
    }

    /// `count` episodes of the recipe's policy from one start state (qpos [nq], qvel [nv]), each with
    /// its own generator seeded from (`seed`, episode index): fresh goal draws and fresh noise, the
    /// same draw order as generation after the initial-state draws.
    /// Returns states [count, T + 1, nq + nv] (row 0 is the start state) and goal indices [count].
    func simulate(qpos: [Double], qvel: [Double], count: Int, seed: UInt64) throws -> (states: [Double], goal: [Int]) {
        let (nq, nv, T) = (model.nq, model.nv, steps)
        let generators = (0..<count).map { EpisodeGenerator(seed: EpisodeGenerator.episodeSeed(master: seed, index: $0)) }
        var batch = EpisodeBatch(model: model, count: count, steps: T,
                                 qpos0: Array((0..<count).map { _ in qpos }.joined()), qvel0: Array((0..<count).map { _ in qvel }.joined()),
                                 generators: generators, processNoise: generator.recipe.processNoise, threads: 0)
        let collected: CollectedEpisodes
        do { collected = try generator.policy.collect(&batch) } catch { throw CLIError("re-simulating \(count) episodes: \(error)") }
        var states = [Double](repeating: 0, count: count * (T + 1) * (nq + nv))
        for row in 0..<(count * (T + 1)) {
            for i in 0..<nq { states[row * (nq + nv) + i] = collected.qpos[row * nq + i] }
            for i in 0..<nv { states[row * (nq + nv) + nq + i] = collected.qvel[row * nv + i] }
        }
        return (states, collected.goal)
    }
}

/// Whether generated states are physically consistent: the controls they imply through inverse
/// dynamics, replayed open loop in the true simulator.
enum PhysicalConsistency {
    struct Result {
        /// Mean ‖re-simulated − generated state‖ after t + 1 steps of open-loop replay [length]
        /// (original state units; over the rollouts that re-simulated).
        var divergence: [Double]
        /// Mean ‖state after one simulator step from each generated state under its implied control
        /// − the next generated state‖ (all transitions).
        var oneStepDefect: Double
        /// Share of implied controls outside the actuators' control ranges (the simulator clamps them).
        var controlsOutOfRange: Double
        /// Rollouts replayed (non-finite ones and those whose replay failed are left out).
        var replayed: Int, rollouts: Int
    }

    /// For paths (count, length, S = nq + nv) following start states (count, S): for each transition
    /// s_t → s_{t+1}, the acceleration a = (v_{t+1} − v_t)/Δt (Δt = timestep × substeps) at (q_t, v_t),
    /// the actuator force RNEA(q, v, a) − RNEA(q, v, a₀) (a₀: the passive acceleration, so passive
    /// forces are not counted twice) and the controls force/gear; then one batched open-loop rollout
    /// from the start states and one batched one-step rollout from every generated state.
    ///
    /// The finite-difference acceleration is exact for semi-implicit Euler and O(Δt) off for RK4;
    /// the data's own episodes give the floor of both measures (see `ebm evaluate`'s "data" row).
    static func check(model: RobotModel, start: [Double], paths: [Double], count: Int, length N: Int) throws -> Result {
        let (nq, nv, nu) = (model.nq, model.nv, model.nu)
        let S = nq + nv
        guard nq == nv else { throw CLIError("physical consistency needs nq == nv; \(model.source) has nq \(model.nq), nv \(model.nv)") }
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
        let (joint, gear, ranges) = (model.actuators.joint, model.actuators.gear, model.actuators.ctrlRange)
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
