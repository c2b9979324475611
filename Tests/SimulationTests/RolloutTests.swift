import XCTest
import Simulation

final class RolloutTests: XCTestCase {
    func randomBatch(_ model: RobotModel, _ batch: Int, _ steps: Int, seed: UInt64) -> ([Double], [Double], [Double]) {
        var rng = TestRandom(seed: seed)
        let q = (0..<batch).flatMap { _ in model.joints.qpos0.map { $0 + rng.uniform(-0.3, 0.3) } }
        return (q, rng.vector(batch * model.nv, -1, 1), rng.vector(batch * steps * model.nu, -1, 1))
    }

    /// Same inputs → bit-identical rollouts on 1 thread and on every core.
    func testRolloutIsBitIdenticalAcrossThreadCounts() throws {
        let model = try RobotModel.builtin("arm7")
        let (q, v, u) = randomBatch(model, 37, 200, seed: 5)
        let one = try model.rollout(qpos: q, qvel: v, batch: 37, steps: 200, controls: u, threads: 1)
        let all = try model.rollout(qpos: q, qvel: v, batch: 37, steps: 200, controls: u, threads: 0)
        let four = try model.rollout(qpos: q, qvel: v, batch: 37, steps: 200, controls: u, threads: 4)
        XCTAssertEqual(one.qpos, all.qpos)
        XCTAssertEqual(one.qvel, all.qvel)
        XCTAssertEqual(one.sites, all.sites)
        XCTAssertEqual(one.qpos, four.qpos)
    }

    /// A batched rollout equals stepping each element alone with the single-state API.
    func testRolloutMatchesSingleStateStepping() throws {
        let model = try RobotModel.builtin("cartpole")
        let (batch, steps) = (3, 50)
        let (q, v, u) = randomBatch(model, batch, steps, seed: 9)
        let r = try model.rollout(qpos: q, qvel: v, batch: batch, steps: steps, controls: u)
        let (nq, nu) = (model.nq, model.nu)
        for b in 0..<batch {
            let s = try RobotState(model: model)
            try s.set(qpos: Array(q[b * nq..<(b + 1) * nq]), qvel: Array(v[b * nq..<(b + 1) * nq]))
            for t in 0..<steps {
                try s.set(ctrl: Array(u[(b * steps + t) * nu..<(b * steps + t + 1) * nu]))
                try s.step()
            }
            let last = (b * (steps + 1) + steps) * nq
            XCTAssertEqual(Array(r.qpos[last..<last + nq]), s.qpos)
        }
    }

    /// A PD feedback law with gravity compensation holds arm7 at a target pose.
    func testFeedbackRolloutReachesTarget() throws {
        let model = try RobotModel.builtin("arm7")
        let target = model.joints.qpos0.enumerated().map { $0.element + 0.2 * Double($0.offset % 2 == 0 ? 1 : -1) }
        let gear = model.actuators.gear
        let law = FeedbackLaw(kp: gear.map { _ in 100 }, kd: gear.map { _ in 10 }, qposTarget: target,
                              targetPerStep: false, gravityCompensation: true)
        let steps = 1500
        let r = try model.rollout(qpos: model.joints.qpos0, qvel: [Double](repeating: 0, count: model.nv),
                                  batch: 1, steps: steps, feedback: law, recordControls: true)
        let final = Array(r.qpos[steps * model.nq..<(steps + 1) * model.nq])
        XCTAssertLessThan(maxAbsDifference(final, target), 0.01, "final \(final) target \(target)")
        XCTAssertEqual(r.ctrl.count, steps * model.nu)
        // recorded controls respect ctrlrange
        for (a, range) in model.actuators.ctrlRange.enumerated() {
            guard let range else { continue }
            for t in 0..<steps { XCTAssert((range.0...range.1).contains(r.ctrl[t * model.nu + a])) }
        }
    }

    /// step(batch) in place equals the rollout's final state.
    func testStepBatchMatchesRollout() throws {
        let model = try RobotModel.builtin("reacher2")
        let (q, v, _) = randomBatch(model, 4, 10, seed: 1)
        let u = [Double](repeating: 0.3, count: 4 * model.nu)
        var qs = q, vs = v
        try model.step(qpos: &qs, qvel: &vs, controls: u, batch: 4, steps: 10)
        let repeated = (0..<4).flatMap { _ in (0..<10).flatMap { _ in [0.3, 0.3] } }
        let r = try model.rollout(qpos: q, qvel: v, batch: 4, steps: 10, controls: repeated)
        for b in 0..<4 {
            let last = (b * 11 + 10) * 2
            XCTAssertEqual(Array(qs[2 * b..<2 * b + 2]), Array(r.qpos[last..<last + 2]))
        }
    }
}
