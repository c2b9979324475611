import Foundation
import Simulation
import XCTest
@testable import Scoring

/// The physical-consistency replay on trajectories of the real simulator and on broken ones.
final class PhysicalConsistencyTests: XCTestCase {
    func testPhysicalConsistencyOfSimulatedAndOfInconsistentPaths() throws {
        let robot = try RobotModel.load("reacher2")
        var options = robot.options
        (options.timestep, options.integrator, options.substeps) = (0.01, .rk4, 1)
        let model = try robot.with(options: options)
        let (B, N, nq) = (3, 60, model.nq)
        let controls = (0..<(B * N * model.nu)).map { 0.3 * sin(0.05 * Double($0)) }
        var start: [Double] = [], qpos0: [Double] = [], qvel0: [Double] = []   // start (B, 4)
        for b in 0..<B {
            qpos0 += [0.1 * Double(b), -0.2]
            qvel0 += [0.0, 0.1]
            start += [0.1 * Double(b), -0.2, 0.0, 0.1]
        }
        let r = try model.rollout(qpos: qpos0, qvel: qvel0, batch: B, steps: N, controls: controls, sites: false)
        var paths: [Double] = []   // (B, N, 4): states 1…N of each rollout
        for b in 0..<B {
            for t in 1...N {
                let row = b * (N + 1) + t
                paths += r.qpos[row * nq..<(row + 1) * nq]
                paths += r.qvel[row * nq..<(row + 1) * nq]
            }
        }
        // the simulator's own states: the implied controls replay them closely (the finite-difference
        // acceleration is O(Δt) off under RK4: measured 0.0027 after one step, 0.032 after 60)
        let own = try PhysicalConsistency.check(model: model, start: start, paths: paths, count: B, length: N)
        print("physical consistency of simulated paths: one-step defect \(own.oneStepDefect), divergence after \(N) steps \(own.divergence.last!), out of range \(own.controlsOutOfRange)")
        XCTAssertEqual(own.replayed, B)
        XCTAssertLessThan(own.oneStepDefect, 0.01)
        XCTAssertLessThan(own.divergence.last!, 0.1)
        // positions that disagree with the velocities cannot be produced by any control
        var broken = paths
        for b in 0..<B { for t in 0..<N { broken[(b * N + t) * 4] += 0.1 * Double(t % 2) } }
        let bad = try PhysicalConsistency.check(model: model, start: start, paths: broken, count: B, length: N)
        XCTAssertGreaterThan(bad.oneStepDefect, 10 * own.oneStepDefect)
        XCTAssertGreaterThan(bad.oneStepDefect, 0.05)
        // a non-finite path is left out of the replay
        broken[5] = .nan
        XCTAssertEqual(try PhysicalConsistency.check(model: model, start: start, paths: broken, count: B, length: N).replayed, B - 1)
    }
}
