import Foundation
import Planning
import Scene
import XCTest

/// `MPCOutcome.write(toFolder:…)`: the folder `ebm plan` writes reads back through `PlanFile` with the
/// executed states, goal and obstacle, and summary.json is the outcome's summary.
final class MPCOutcomeWritingTests: XCTestCase {
    func testTheRunFolderReadsBack() throws {
        var setup = try PlanningSetup.defaults(robot: "pointmass2d")
        (setup.threads, setup.maxSteps, setup.chains) = (1, 6, 4)
        let goal = SIMD3(0.1, 0.05, 0.0), obstacle = Obstacle.sphere(center: SIMD3(-0.05, 0.1, 0), radius: 0.02)
        var mpc = try setup.controller(kind: .mppiSim, goal: goal, obstacles: [obstacle], learned: nil, seed: 3)
        let outcome = try mpc.run(qpos: [0, 0], qvel: [0, 0])
        XCTAssertGreaterThan(outcome.steps, 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mpc-write-\(UUID().uuidString)/run")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        try outcome.write(toFolder: dir, model: setup.model, goal: goal, obstacles: [obstacle], layout: mpc.replanner.layout)

        let m = setup.model
        let plan = try PlanFile(contentsOf: dir.appendingPathComponent("plan.npz").path, nq: m.nq, nv: m.nv, robot: m.source)
        XCTAssertEqual(plan.executed, outcome.qpos)
        XCTAssertEqual(plan.steps, outcome.steps + 1)
        XCTAssertEqual(plan.alternativeCount, outcome.alternativeEnergies.count)
        XCTAssertEqual(plan.goals.first.map { [$0.x, $0.y, $0.z] }, [goal.x, goal.y, goal.z])
        XCTAssertEqual(plan.obstacles.map { [$0.centre.x, $0.centre.y, $0.radius] }, [[-0.05, 0.1, 0.02]])
        let summary = try String(contentsOf: dir.appendingPathComponent("summary.json"), encoding: .utf8)
        XCTAssertEqual(summary, outcome.summary.serialized() + "\n")
        XCTAssertTrue(summary.contains("\"final_distance\""))
    }

    /// `run(qpos:qvel:afterStep:)` (ebm plan's progress): one call per step, steps growing, the last one
    /// finished and equal to the returned outcome; the same outcome as the step-by-step loop.
    func testRunReportsEveryStep() throws {
        var setup = try PlanningSetup.defaults(robot: "pointmass2d")
        (setup.threads, setup.maxSteps, setup.chains, setup.replanEvery) = (1, 6, 4, 2)
        var mpc = try setup.controller(kind: .mppiSim, goal: SIMD3(0.1, 0.05, 0.0), obstacles: [], learned: nil, seed: 3)
        var seen: [(steps: Int, finished: Bool)] = []
        let outcome = try mpc.run(qpos: [0, 0], qvel: [0, 0]) { seen.append(($0.outcome.steps, $0.finished)) }
        XCTAssertFalse(seen.isEmpty)
        XCTAssertEqual(seen.map(\.steps), seen.map(\.steps).sorted())
        XCTAssertEqual(seen.last?.finished, true)
        XCTAssertEqual(seen.filter(\.finished).count, 1)
        XCTAssertEqual(seen.last?.steps, outcome.steps)
        var run = try mpc.start(qpos: [0, 0], qvel: [0, 0])
        while !run.finished { try mpc.step(&run) }
        XCTAssertEqual(run.outcome.qpos, outcome.qpos, "the same run")
    }
}
