import EnergyModels
import Foundation
import Simulation
import XCTest
@testable import Planning

/// Every term's gradient against central differences of its energy, at points where the term is
/// active (hinges violated, obstacles penetrated), on two plans at once.
final class PlanEnergyGradientTests: XCTestCase {
    let reacher = try! RobotModel.builtin("reacher2")

    func reacherSetup(horizon: Int = 3) throws -> (PlanLayout, PlanStart, [Double]) {
        let layout = try PlanLayout(horizon: horizon, nq: 2, nv: 2, timestep: 0.01)
        let start = try PlanStart(history: [0.3, 0.5, 0.2, -0.1], stateSize: 4)
        let plans = PlanFixtures.plans(count: 2, layout: layout, centre: [0.4, 0.6, 1, -1], spread: 0.3, seed: 5)
        return (layout, start, plans)
    }

    func testGoalSiteAndJointGradients() throws {
        let (layout, start, plans) = try reacherSetup()
        let site = try GoalEnergy(model: reacher, target: .site(0, position: SIMD3(0.1, 0.12, 0.01)), layout: layout)
        let joints = try GoalEnergy(model: reacher, target: .joints([1, -1]), layout: layout)
        for term in [site, joints] {
            let (error, norm) = try PlanFixtures.gradientError(term, plans: plans, count: 2, start: start)
            XCTAssertGreaterThan(norm, 1e-3)
            XCTAssertLessThan(error, 1e-7, "\(term.target)")
        }
    }

    func testObstacleGradientSphereAndCapsule() throws {
        let (layout, start, plans) = try reacherSetup()
        let geometry = try CollisionGeometry(robot: reacher)
        XCTAssertEqual(geometry.capsules.count, 3)   // link0, link1, fingertip sphere
        // obstacles across the arm's links at the plans' poses, so the hinge is active
        let obstacles: [Obstacle] = [.sphere(center: SIMD3(0.12, 0.08, 0.01), radius: 0.03),
                                     .capsule(from: SIMD3(0.05, -0.05, 0), to: SIMD3(0.05, 0.1, 0.02), radius: 0.01)]
        let term = try ObstacleEnergy(geometry: geometry, obstacles: obstacles, margin: 0.03, layout: layout)
        let e = try term.evaluate(plans, count: 2, start: start, gradient: false).energies
        XCTAssertTrue(e.allSatisfy { $0 > 0 }, "the test points must penetrate: \(e)")
        let (error, norm) = try PlanFixtures.gradientError(term, plans: plans, count: 2, start: start, step: 1e-6)
        XCTAssertGreaterThan(norm, 1e-4)
        XCTAssertLessThan(error, 1e-6)
    }

    func testObstacleDistanceMatchesGeometry() throws {
        // the fingertip at q = 0 is at (0.21, 0, 0.01) with radius 0.01: a sphere of radius 0.02 at
        // (0.26, 0, 0.01) leaves 0.05 − 0.01 − 0.02 = 0.02 m between them (link1 ends at 0.2 m)
        let geometry = try CollisionGeometry(robot: reacher)
        let layout = try PlanLayout(horizon: 1, nq: 2, nv: 2, timestep: 0.01)
        let term = try ObstacleEnergy(geometry: geometry, obstacles: [.sphere(center: SIMD3(0.26, 0, 0.01), radius: 0.02)], margin: 0, layout: layout)
        XCTAssertEqual(try term.clearance(qpos: [0, 0], count: 1)[0], 0.02, accuracy: 1e-9)
    }

    func testLimitAndSmoothnessGradients() throws {
        let (layout, start, _) = try reacherSetup()
        // joint1 beyond its range (±3 rad) and velocities beyond ±2 rad/s
        let plans = PlanFixtures.plans(count: 2, layout: layout, centre: [0, 3.1, 2.5, -2.5], spread: 0.2, seed: 9)
        let limits = try LimitEnergy(model: reacher, layout: layout, velocityLimit: [2])
        let smooth = try SmoothnessEnergy(layout: layout, consistency: 1, acceleration: 2, velocity: 3)
        for term in [limits, smooth] as [any PlanEnergy] {
            let (error, norm) = try PlanFixtures.gradientError(term, plans: plans, count: 2, start: start)
            XCTAssertGreaterThan(norm, 1e-3, term.name)
            XCTAssertLessThan(error, 1e-6, term.name)
        }
    }

    func testEffortGradientAndControls() throws {
        let (layout, start, plans) = try reacherSetup()
        let term = try ControlEffortEnergy(model: reacher, layout: layout, limitWeight: 10)
        let (error, norm) = try PlanFixtures.gradientError(term, plans: plans, count: 2, start: start, step: 1e-5)
        XCTAssertGreaterThan(norm, 1e-3)
        XCTAssertLessThan(error, 1e-7)  // exact products of RNEA's derivatives (forward differences reached 1e-5)
        // independent check of the controls (RNEA) by forward dynamics (ABA): gear·u gives the plan's acceleration
        let oneStep = try PlanLayout(horizon: 1, nq: 2, nv: 2, timestep: 0.01)
        let effort = try ControlEffortEnergy(model: reacher, layout: oneStep)
        let u = try effort.controls([0.302, 0.499, 0.4, -0.2], count: 1, start: start).controls
        let gear = reacher.actuators.gear
        let qacc = try reacher.forwardDynamics(qpos: [0.3, 0.5], qvel: [0.2, -0.1], qfrc: [gear[0] * u[0], gear[1] * u[1]], batch: 1)
        XCTAssertEqual(qacc[0], (0.4 - 0.2) / 0.01, accuracy: 1e-8)
        XCTAssertEqual(qacc[1], (-0.2 + 0.1) / 0.01, accuracy: 1e-8)
    }

    /// arm7: 7 joints, gravity, controls past their bounds (the range penalty active) — the
    /// effort gradient against central differences of the energy.
    func testEffortGradientOnArm7() throws {
        let arm = try RobotModel.builtin("arm7")
        let layout = try PlanLayout(horizon: 4, nq: 7, nv: 7, timestep: 0.01)
        let start = try PlanStart(history: [0.1, 0.4, -0.2, -1.2, 0.3, 0.5, 0.0, 0.5, -0.3, 0.2, 0.4, -0.6, 0.1, 0.2], stateSize: 14)
        let plans = PlanFixtures.plans(count: 3, layout: layout, centre: [0.1, 0.4, -0.2, -1.2, 0.3, 0.5, 0.0, 2, -2, 1, 1.5, -1, 0.5, 1],
                                       spread: 0.5, seed: 9)
        let term = try ControlEffortEnergy(model: arm, layout: layout, limitWeight: 10)
        let u = try term.controls(plans, count: 3, start: start).controls
        let bounds = arm.actuators.ctrlRange.map { $0.map { max(abs($0.0), abs($0.1)) } ?? .infinity }
        XCTAssertTrue(u.enumerated().contains { abs($0.element) > bounds[$0.offset % arm.nu] }, "the range penalty should be active")
        let (error, norm) = try PlanFixtures.gradientError(term, plans: plans, count: 3, start: start, step: 1e-6)
        XCTAssertGreaterThan(norm, 1e-3)
        XCTAssertLessThan(error, 1e-7)
    }

    func testLearnedModelGradient() throws {
        var configuration = ModelConfiguration()
        (configuration.contextLength, configuration.horizon, configuration.hiddenWidth, configuration.depth) = (2, 2, 16, 2)
        let width = 4 * 4
        let encoding = WindowEncoding(stateSize: 4, contextLength: 2, horizon: 2, futureAsDelta: true,
                                      mean: (0..<width).map { Float($0) * 0.01 }, standardDeviation: (0..<width).map { 0.5 + Float($0) * 0.05 })
        let model = TrajectoryEnergyModel(configuration: configuration, encoding: encoding, seed: 4)
        let (layout, start, plans) = try reacherSetup(horizon: 4)
        for stride in [1, 2] {
            let term = try LearnedDynamicsEnergy(model: model, layout: layout, temperature: 2, stride: stride)
            // Float32 network: a larger step and a looser tolerance
            let (error, norm) = try PlanFixtures.gradientError(term, plans: plans, count: 2, start: start, step: 1e-2)
            XCTAssertGreaterThan(norm, 1e-3)
            XCTAssertLessThan(error, 2e-3, "stride \(stride)")
        }
        XCTAssertThrowsError(try LearnedDynamicsEnergy(model: model, layout: try PlanLayout(horizon: 1, nq: 2, nv: 2, timestep: 0.01)))
    }
}
