// PlanPreviewTests: live planning's one MPC run from rest is the run `ModelPredictiveController`
// makes with the same setup and seed; a failure comes back as a value; the replan lines follow
// the outcome; the example goal poses are reachable site positions.

import Foundation
import Simulation
import XCTest
@testable import Planning

final class PlanPreviewTests: XCTestCase {
    func setup() throws -> PlanningSetup {
        var s = try PlanningSetup(preset: .pointmass2d)
        (s.chains, s.maxSteps, s.threads) = (8, 12, 1)
        return s
    }

    func testPreviewIsTheControllersRunFromRest() throws {
        let s = try setup()
        let q0 = s.model.joints.qpos0
        let request = PlanRequest(goal: try s.goal(x: 0.1, y: 0.05, qpos: q0), obstacles: [.sphere(center: SIMD3(0.2, -0.2, 0), radius: 0.02)])
        let preview = s.preview(request, kind: .mppiSim, learned: nil, seed: 4, start: q0)
        XCTAssertNil(preview.error)
        var mpc = try s.controller(kind: .mppiSim, goal: request.goal, obstacles: request.obstacles, learned: nil, seed: 4)
        let direct = try mpc.run(qpos: q0, qvel: [Double](repeating: 0, count: s.model.nv))
        XCTAssertEqual(preview.qpos, direct.qpos)
        XCTAssertEqual(preview.alternatives, direct.alternatives)
        XCTAssertEqual(preview.alternativeCount, direct.alternativeEnergies.count)
        XCTAssertEqual(preview.request, request)
        XCTAssertTrue(preview.summary.hasPrefix("mppi-sim: "), preview.summary)
        XCTAssertTrue(preview.summary.contains(String(format: "in %d steps, final distance %.4f m", direct.steps, direct.finalDistance)), preview.summary)
    }

    func testFailureIsAValueWithTheStartAsThePath() throws {
        let s = try setup()
        let q0 = s.model.joints.qpos0
        // a negative obstacle radius is refused when the energy is built
        let preview = s.preview(PlanRequest(goal: SIMD3(0.1, 0, 0), obstacles: [.sphere(center: .zero, radius: -1)]), kind: .langevin,
                                learned: nil, seed: 1, start: q0)
        XCTAssertNotNil(preview.error)
        XCTAssertEqual(preview.qpos, q0)
        XCTAssertEqual(preview.alternativeCount, 0)
        XCTAssertTrue(preview.summary.hasPrefix("planning failed: "), preview.summary)
    }

    func testReplanLinesFollowTheOutcome() throws {
        let s = try setup()
        let q0 = s.model.joints.qpos0
        var mpc = try s.controller(kind: .langevin, goal: try s.goal(x: 0.1, y: 0.05, qpos: q0), obstacles: [], learned: nil, seed: 2)
        let o = try mpc.run(qpos: q0, qvel: [0, 0])
        let lines = try o.replanLines(goal: mpc.goal, replanEvery: s.replanEvery, nq: s.model.nq)
        XCTAssertEqual(lines.count, o.replanTerms.count)
        XCTAssertGreaterThan(lines.count, 0)
        // the first replan is at the start, where the distance is the goal's from the start
        let d0 = try mpc.goal.distances(qpos: q0, count: 1)[0]
        XCTAssertTrue(lines[0].hasPrefix(String(format: "replan   0  step    0  distance %.4f", d0)), lines[0])
        for (line, terms) in zip(lines, o.replanTerms) { for t in terms { XCTAssertTrue(line.contains(t.name), line) } }
    }

    func testExampleGoalPosesAndObstacleShapes() throws {
        for preset in PlanningSetup.Preset.allCases {
            let s = try PlanningSetup(preset: preset)
            let pose = try XCTUnwrap(PlanningSetup.exampleGoalPose(robot: preset.rawValue))
            XCTAssertEqual(pose.count, s.model.nq)
            let goal = try s.sitePosition(qpos: pose)
            let start = try s.sitePosition(qpos: s.model.joints.qpos0)
            XCTAssertGreaterThan(((goal - start) * (goal - start)).sum().squareRoot(), 0.05, "\(preset): a goal away from the start")
        }
        XCTAssertNil(PlanningSetup.exampleGoalPose(robot: "pendulum"))
        let sphere = Obstacle.sphere(center: SIMD3(1, 2, 3), radius: 0.5)
        XCTAssertEqual(sphere.sphere?.centre, SIMD3(1, 2, 3))
        XCTAssertEqual(sphere.sphere?.radius, 0.5)
        XCTAssertEqual(sphere.centre, SIMD3(1, 2, 3))
        let capsule = Obstacle.capsule(from: SIMD3(0, 0, 0), to: SIMD3(2, 0, 0), radius: 0.1)
        XCTAssertNil(capsule.sphere)
        XCTAssertEqual(capsule.centre, SIMD3(1, 0, 0))
    }
}
