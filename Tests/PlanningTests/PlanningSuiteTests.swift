import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Planning

/// The seeded suite's goals, a row's tally, and the presets as typed initialisers.
final class PlanningSuiteTests: XCTestCase {
    func testPointMassGoalsAreSeededAtTheirDistanceWithAnObstacleHalfway() throws {
        let setup = try PlanningSetup(preset: .pointmass2d)
        let cases = try PlanningSuite.cases(robot: "pointmass2d", setup: setup, count: 20, seed: 7)
        XCTAssertEqual(cases.count, 20)
        let start = try setup.sitePosition(qpos: [0, 0])
        for c in cases {
            let d = c.goal - start
            XCTAssertGreaterThanOrEqual((d * d).sum().squareRoot(), 0.25 - 1e-12)
            XCTAssertLessThanOrEqual((d * d).sum().squareRoot(), 0.35 + 1e-12)
            guard case .sphere(let centre, let r)? = c.obstacles.first else { return XCTFail("no obstacle") }
            XCTAssertEqual(r, 0.04)
            XCTAssertLessThan(simd_length(centre - (start + c.goal) / 2), 1e-12)
        }
        // the same seed gives the same goals; another seed others
        XCTAssertEqual(try PlanningSuite.cases(robot: "pointmass2d", setup: setup, count: 20, seed: 7).map(\.goal), cases.map(\.goal))
        XCTAssertNotEqual(try PlanningSuite.cases(robot: "pointmass2d", setup: setup, count: 20, seed: 8).map(\.goal), cases.map(\.goal))
    }

    func testReacherGoalsAreReachableAndOnlyOddCasesHaveObstacles() throws {
        let setup = try PlanningSetup(preset: .reacher2)
        let cases = try PlanningSuite.cases(robot: "reacher2", setup: setup, count: 10, seed: 2025)
        for (i, c) in cases.enumerated() {
            XCTAssertGreaterThan((c.goal.x * c.goal.x + c.goal.y * c.goal.y).squareRoot(), 0.08)
            if i % 2 == 0 { XCTAssertTrue(c.obstacles.isEmpty) }
        }
        XCTAssertTrue(cases.contains { !$0.obstacles.isEmpty })
    }

    func testRowTallyAndJSONKeys() throws {
        func outcome(success: Bool, steps: Int, collisions: Int, routes: Int, failure: MPCOutcome.Failure?, ms: [Double]) -> MPCOutcome {
            MPCOutcome(planner: "p", success: success, failure: failure, steps: steps, finalDistance: 0, collisions: collisions,
                       qpos: [], qvel: [], ctrl: [], replanSeconds: ms, alternatives: [], alternativeEnergies: [], routes: routes)
        }
        var row = PlanningSuite.Row(robot: "r", planner: "p", goals: 3)
        row.add(outcome(success: true, steps: 10, collisions: 0, routes: 2, failure: nil, ms: [0.001, 0.003]), obstacles: true)
        row.add(outcome(success: true, steps: 20, collisions: 3, routes: 1, failure: nil, ms: [0.004]), obstacles: true)
        row.add(outcome(success: false, steps: 0, collisions: 0, routes: 0, failure: .infeasible(reason: "enclosed"), ms: []), obstacles: true)
        XCTAssertEqual(row.successes, 2)
        XCTAssertEqual(row.meanSteps, 15)
        XCTAssertEqual(row.infeasible, 1)
        XCTAssertEqual(row.collisions, 3)
        XCTAssertEqual(row.collidingEpisodes, 1)
        XCTAssertEqual(row.obstacleCases, 2, "the infeasible case took no step")
        XCTAssertEqual(row.multiRoute, 1)
        XCTAssertEqual(row.median(row.ms), 2, accuracy: 1e-12)   // 2, 4, 0 ms → upper median 2
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(row.json.serialized().utf8)) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["robot", "planner", "goals", "success_rate", "mean_steps_to_goal", "collision_steps", "colliding_episodes",
                                        "ms_per_replan", "obstacle_cases", "multi_route_cases", "no_feasible_plan", "errors"])
        XCTAssertEqual(try XCTUnwrap(json["success_rate"] as? Double), 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(json["no_feasible_plan"] as? Int, 1)
        XCTAssertEqual(json["mean_steps_to_goal"] as? Double, 15)
    }

    func testPresetsAndAnyModelWithASite() throws {
        for preset in PlanningSetup.Preset.allCases {
            let a = try PlanningSetup(preset: preset), b = try PlanningSetup.defaults(robot: preset.rawValue)
            XCTAssertEqual(a.scale, b.scale)
            XCTAssertEqual(a.site, preset.site)
            XCTAssertEqual(a.model.options.timestep, b.model.options.timestep)
        }
        XCTAssertEqual(try PlanningSetup(preset: .reacher2).scale, [0.5, 0.5, 5, 5])
        XCTAssertEqual(try PlanningSetup(preset: .arm7).accelerationScale, [Double](repeating: 20, count: 7))
        XCTAssertEqual(try PlanningSetup(preset: .pointmass2d).model.options.timestep, 0.05)
        XCTAssertThrowsError(try PlanningSetup.defaults(robot: "cartpole")) { XCTAssertTrue("\($0)".contains("known: reacher2, pointmass2d, arm7")) }
        // a model loaded by the user: the preset's numbers sized to its joints, its integration applied
        let reacher = try RobotModel.load("reacher2")
        let like = try PlanningSetup(model: reacher, site: "fingertip", like: .arm7)
        XCTAssertEqual(like.scale, [0.3, 0.3, 2, 2])
        XCTAssertEqual(like.accelerationScale, [20, 20])
        XCTAssertEqual(like.model.options.timestep, 0.01)
        XCTAssertEqual(like.model.options.substeps, 5)
        XCTAssertThrowsError(try PlanningSetup(model: reacher, site: "nose")) { XCTAssertTrue("\($0)".contains("fingertip"), "\($0)") }
        _ = try like.controller(kind: .langevin, goal: SIMD3(0.1, 0.1, 0), obstacles: [], learned: nil, seed: 1)
    }

    func testTermWeightsAndStepsByName() throws {
        var setup = try PlanningSetup(preset: .arm7)
        XCTAssertEqual(setup[weight: .goal], 400)
        setup[weight: .smoothness] = 3
        XCTAssertEqual(setup.smoothnessWeight, 3)
        for (i, term) in PlanningSetup.Term.allCases.enumerated() { setup[weight: term] = Double(i) }
        XCTAssertEqual([setup.goalWeight, setup.obstacleWeight, setup.limitWeight, setup.smoothnessWeight, setup.effortWeight, setup.modelWeight],
                       [0, 1, 2, 3, 4, 5])
        setup.optimizerSteps = 5
        XCTAssertEqual([setup.langevinSteps, setup.malaSteps, setup.populationIterations], [5, 5, 5])
    }

    func testGoalHeightIsTheSitesAtTheStart() throws {
        let setup = try PlanningSetup(preset: .arm7)
        let q0 = setup.model.joints.qpos0
        let here = try setup.sitePosition(qpos: q0)
        XCTAssertEqual(try setup.goal(x: 0.3, y: 0.2, qpos: q0), SIMD3(0.3, 0.2, here.z))
        XCTAssertEqual(try setup.goal(x: 0.3, y: 0.2, z: 1, qpos: q0), SIMD3(0.3, 0.2, 1))
        XCTAssertEqual(here.z, 1.79, accuracy: 1e-9, "arm7 upright: base 0.05 + links 0.3·4 + 0.2·2 + site 0.14")
    }

    /// `run(robots:kinds:…)` (ebm bench plan): the header, a skipped row for a planner that needs a
    /// transition model none was given for, and the rows of the direct per-planner calls on the
    /// configured setup; an unknown robot names --robots; a bad learned-model path names --model.
    func testSuiteOverRobotsPrintsTheDirectRowsAndSkipsWhatCannotRun() throws {
        var lines: [String] = []
        let shorten = { (s: inout PlanningSetup) in (s.maxSteps, s.chains, s.horizon) = (6, 4, 6) }
        let rows = try PlanningSuite.run(robots: ["pointmass2d"], kinds: [.mppiFF, .mppiSim], count: 2, threads: 1, seed: 3, configure: shorten) { lines.append($0) }
        var setup = try PlanningSetup.defaults(robot: "pointmass2d")
        setup.threads = 1
        shorten(&setup)
        let cases = try PlanningSuite.cases(robot: "pointmass2d", setup: setup, count: 2, seed: 3)
        let direct = PlanningSuite.run(.mppiSim, robot: "pointmass2d", planner: "mppi-sim", cases: cases, setup: setup, seed: 3)
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual([rows[0].goals, rows[0].successes, rows[0].errors, rows[0].collisions, rows[0].obstacleCases, rows[0].multiRoute],
                       [direct.goals, direct.successes, direct.errors, direct.collisions, direct.obstacleCases, direct.multiRoute], "same tally")
        XCTAssertEqual(rows[0].steps, direct.steps)
        XCTAssertEqual(rows[0].goals, 2)
        XCTAssertEqual(lines, PlanningSuite.markdownHeader + [PlanningSuite.skippedRow(robot: "pointmass2d", kind: .mppiFF), rows[0].markdown])
        XCTAssertThrowsError(try PlanningSuite.run(robots: ["nosuch"], kinds: [.mppiSim], count: 1, threads: 1, seed: 3) { _ in }) {
            XCTAssertTrue("\($0)".hasPrefix("--robots: "), "\($0)")
        }
        XCTAssertThrowsError(try PlanningSuite.run(robots: ["pointmass2d"], kinds: [.mppiSim], count: 1, learned: ["pointmass2d": "/nonexistent/run"],
                                                   threads: 1, seed: 3) { _ in }) {
            XCTAssertTrue("\($0)".hasPrefix("--model /nonexistent/run: "), "\($0)")
            guard case .option("--model", .file(let fileError))? = $0 as? PlanningError else { return XCTFail("\($0)") }
            XCTAssertEqual(fileError.kind, .notFound)
            XCTAssertEqual(fileError.path, "/nonexistent/run")
        }
    }
}
