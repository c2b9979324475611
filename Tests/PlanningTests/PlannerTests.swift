import EnergyModels
import Foundation
import NeuralCore
import Simulation
import Trajectories
import XCTest
@testable import Planning

/// Composition, planning on pointmass2d with and without a learned model, and the bounded
/// "no feasible plan" answers.
final class PlannerTests: XCTestCase {
    /// The minimum of goal + obstacle is the goal when the goal is free, and on the obstacle's
    /// boundary (clearance ≈ 0) when the goal lies inside the obstacle.
    func testComposedMinimumLiesWhereTheTermsAgree() throws {
        let model = try PlanFixtures.pointmass()
        let layout = try PlanLayout(horizon: 1, nq: 2, nv: 2, timestep: 0.05)
        let geometry = try CollisionGeometry(robot: model)
        let start = try PlanStart(history: [0, 0, 0, 0], stateSize: 4)
        let obstacle = Obstacle.sphere(center: SIMD3(0.2, 0, 0), radius: 0.05)
        for (goal, expectGoal) in [(SIMD3(0.0, 0.2, 0.0), true), (SIMD3(0.2, 0.0, 0.0), false)] {
            let objective = try PlanObjective([
                (1, try GoalEnergy(model: model, target: .site(0, position: goal), layout: layout)),
                (1000, try ObstacleEnergy(geometry: geometry, obstacles: [obstacle], margin: 0, layout: layout))])
            // gradient descent from the origin
            var x = [0.0, 0.0, 0, 0]
            for _ in 0..<8000 {
                let g = try objective.evaluate(x, count: 1, start: start, gradient: true).gradients
                for i in 0..<2 { x[i] -= 0.002 * g[i] }
            }
            if expectGoal {
                XCTAssertEqual(x[0], 0, accuracy: 1e-5); XCTAssertEqual(x[1], 0.2, accuracy: 1e-5)
            } else {
                // ball (r 0.05) against obstacle (r 0.05): centre 0.1 m from (0.2, 0), on the start side
                XCTAssertEqual(x[0], 0.1, accuracy: 2e-3); XCTAssertEqual(x[1], 0, accuracy: 1e-6)
            }
        }
    }

    func pointmassController(goal: SIMD3<Double>, obstacles: [Obstacle], learned: TrajectoryEnergyModel? = nil,
                             maxSteps: Int = 60) throws -> ModelPredictiveController {
        let model = try PlanFixtures.pointmass()
        let layout = try PlanLayout(horizon: 8, nq: 2, nv: 2, timestep: 0.05)
        let goalTerm = try GoalEnergy(model: model, target: .site(0, position: goal), layout: layout, threads: 1)
        var terms: [(weight: Double, term: any PlanEnergy)] = [
            (100, goalTerm), (1, try SmoothnessEnergy(layout: layout, consistency: 1, acceleration: 1)),
            (0.1, try ControlEffortEnergy(model: model, layout: layout, threads: 1))]
        if let learned { terms.append((0.05, try LearnedDynamicsEnergy(model: learned, layout: layout))) }
        let obstacleTerm = obstacles.isEmpty ? nil : try ObstacleEnergy(geometry: CollisionGeometry(robot: model), obstacles: obstacles,
                                                                         margin: 0.02, layout: layout, threads: 1)
        if let obstacleTerm { terms.append((1000, obstacleTerm)) }
        let planner = try StatePlanner(objective: try PlanObjective(terms),
                                       optimizer: LangevinPlanOptimizer(steps: 40, stepSize: 0.1, finalStepSize: 0.01, noise: 0.05, gradientClip: 10),
                                       tracker: try PlanTracker(model: model, naturalFrequency: 8, threads: 1),
                                       coordinates: .accelerations(scale: [0.5, 0.5]), chains: 8)
        let feasibility = try FeasibilityCheck(goal: goalTerm, obstacles: obstacleTerm, limits: nil, tolerance: 0.02, spread: [0.2, 0.2])
        return try ModelPredictiveController(model: model, replanner: planner, goal: goalTerm, obstacles: obstacleTerm,
                                             settings: MPCSettings(replanEvery: 2, maxSteps: maxSteps, tolerance: 0.02, historyLength: 2, seed: 3),
                                             feasibility: feasibility)
    }

    func testReachesGoalWithoutLearnedModel() throws {
        var mpc = try pointmassController(goal: SIMD3(0.15, 0.1, 0), obstacles: [])
        let outcome = try mpc.run(qpos: [0, 0], qvel: [0, 0])
        XCTAssertTrue(outcome.success, outcome.failure?.description ?? "")
        XCTAssertLessThanOrEqual(outcome.finalDistance, 0.02)
        XCTAssertEqual(outcome.qpos.count, (outcome.steps + 1) * 2)
        XCTAssertEqual(outcome.alternatives.count, 8 * 8 * 4)
        // same seed → bit-identical run
        var again = try pointmassController(goal: SIMD3(0.15, 0.1, 0), obstacles: [])
        XCTAssertEqual(try again.run(qpos: [0, 0], qvel: [0, 0]).qpos, outcome.qpos)
    }

    func testReachesGoalWithTinyLearnedModel() throws {
        // data: PD toward random targets from random starts, 0.05 s steps, as pointmass2d-plan collects
        let model = try PlanFixtures.pointmass()
        let (E, T) = (64, 20)
        var g = SeededGenerator(seed: 11)
        let q0 = (0..<(E * 2)).map { _ in 0.2 * Double(g.nextGaussian()) }
        let target = (0..<(E * 2)).map { _ in 0.3 * Double(g.nextGaussian()) }
        let law = FeedbackLaw(kp: [20, 20], kd: [6, 6], qposTarget: target, targetPerStep: false)
        let r = try model.rollout(qpos: q0, qvel: [Double](repeating: 0, count: E * 2), batch: E, steps: T, feedback: law, recordControls: true)
        var c = TrainingConfiguration()
        c.seed = 2
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (2, 8, 32, 2)
        (c.optimization.steps, c.optimization.batchSize, c.optimization.learningRate) = (150, 32, 1e-3)
        (c.langevin.steps, c.replay.capacity, c.checkpointEvery, c.logEvery) = (10, 500, 1000, 1000)
        let trainer = try PlanFixtures.trained(.ebm, c, on: r, episodes: E, steps: T, controls: r.ctrl)
        let learned = try XCTUnwrap(trainer.energyModel)
        var mpc = try pointmassController(goal: SIMD3(-0.1, 0.15, 0), obstacles: [], learned: learned)
        let outcome = try mpc.run(qpos: [0, 0], qvel: [0, 0])
        XCTAssertTrue(outcome.success, outcome.failure?.description ?? "")
        XCTAssertLessThanOrEqual(outcome.finalDistance, 0.02)
    }

    func testUnreachableGoalIsNoFeasiblePlan() throws {
        let model = try RobotModel.builtin("reacher2")
        let layout = try PlanLayout(horizon: 4, nq: 2, nv: 2, timestep: 0.01)
        let goal = try GoalEnergy(model: model, target: .site(0, position: SIMD3(0.5, 0, 0.01)), layout: layout)
        let check = try FeasibilityCheck(goal: goal, obstacles: nil, limits: try LimitEnergy(model: model, layout: layout, velocityLimit: [50]),
                                         tolerance: 0.01, spread: [1, 1])
        let reason = try XCTUnwrap(try check.verdict(qpos: [0, 0]))
        XCTAssertTrue(reason.contains("unreachable"), reason)
        // a reachable goal passes
        let near = try GoalEnergy(model: model, target: .site(0, position: SIMD3(0.1, 0.12, 0.01)), layout: layout)
        XCTAssertNil(try FeasibilityCheck(goal: near, obstacles: nil, limits: nil, tolerance: 0.01, spread: [1, 1]).verdict(qpos: [0, 0]))
    }

    func testEnclosedGoalIsNoFeasiblePlanWithoutSteps() throws {
        var mpc = try pointmassController(goal: SIMD3(0.2, 0.1, 0), obstacles: [.sphere(center: SIMD3(0.2, 0.1, 0), radius: 0.08)])
        let outcome = try mpc.run(qpos: [0, 0], qvel: [0, 0])
        XCTAssertFalse(outcome.success)
        XCTAssertEqual(outcome.steps, 0)
        let failure = try XCTUnwrap(outcome.failure)
        guard case .infeasible(let reason) = failure else { return XCTFail("\(failure)") }
        XCTAssertTrue(reason.contains("enclosed"), reason)
        XCTAssertTrue(failure.description.hasPrefix("no feasible plan: "), failure.description)
    }

    func testBoundedWhenTheGoalCannotBeReachedInTime() throws {
        var mpc = try pointmassController(goal: SIMD3(0.6, 0, 0), obstacles: [], maxSteps: 6)
        let outcome = try mpc.run(qpos: [0, 0], qvel: [0, 0])
        XCTAssertFalse(outcome.success)
        XCTAssertEqual(outcome.steps, 6)
        XCTAssertEqual(outcome.failure, .notReached(steps: 6, finalDistance: outcome.finalDistance))
        XCTAssertTrue(outcome.failure?.description.hasPrefix("not reached within 6 steps (final distance 0.") ?? false)
        // summary.json's keys and values
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.summary.serialized().utf8)) as? [String: Any])
        XCTAssertEqual(Set(summary.keys), ["success", "final_distance", "steps", "collisions", "ms_per_replan", "routes", "planner"])
        XCTAssertEqual(summary["success"] as? Bool, false)
        XCTAssertEqual(summary["steps"] as? Int, 6)
        XCTAssertEqual(try XCTUnwrap(summary["final_distance"] as? Double), outcome.finalDistance, accuracy: 1e-15)
    }

    func testSteppingByHandGivesTheRunsOutcome() throws {
        let obstacles: [Obstacle] = [.sphere(center: SIMD3(0.15, 0.05, 0), radius: 0.03)]
        var a = try pointmassController(goal: SIMD3(0.3, 0.1, 0), obstacles: obstacles)
        let whole = try a.run(qpos: [0, 0], qvel: [0, 0])
        var b = try pointmassController(goal: SIMD3(0.3, 0.1, 0), obstacles: obstacles)
        var run = try b.start(qpos: [0, 0], qvel: [0, 0])
        var steps: [Int] = []
        while !run.finished {
            try b.step(&run)
            steps.append(run.outcome.steps)
            XCTAssertEqual(run.qpos, Array(run.outcome.qpos.suffix(2)), "the run continues from the last executed state")
        }
        XCTAssertEqual(run.replans, whole.replanSeconds.count)
        XCTAssertEqual(steps.last, whole.steps)
        XCTAssertTrue(steps.dropFirst().enumerated().allSatisfy { $0.element - steps[$0.offset] <= 2 }, "at most replanEvery (2) steps a step: \(steps)")
        XCTAssertEqual(run.outcome.qpos, whole.qpos)
        XCTAssertEqual(run.outcome.ctrl, whole.ctrl)
        XCTAssertEqual(run.outcome.success, whole.success)
        XCTAssertEqual(run.outcome.failure, whole.failure)
        // a finished run stays as it is
        let before = run.outcome.qpos
        try b.step(&run)
        XCTAssertEqual(run.outcome.qpos, before)
    }
}
