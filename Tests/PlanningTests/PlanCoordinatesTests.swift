import Foundation
import Simulation
import XCTest
@testable import Planning

/// The optimisers' coordinates: acceleration plans are consistent by construction, the inverse
/// map recovers the points, the pullback is the map's transpose (finite differences of the whole
/// objective), and the warm start shifts.
final class PlanCoordinatesTests: XCTestCase {
    let reacher = try! RobotModel.builtin("reacher2")

    func testAccelerationPlansAreConsistentAndInvertible() throws {
        let layout = try PlanLayout(horizon: 5, nq: 2, nv: 2, timestep: 0.01)
        let start = try PlanStart(history: [0.3, -0.2, 1.5, -0.5], stateSize: 4)
        let coordinates = PlanCoordinates.accelerations(scale: [100, 50])
        let y = PlanFixtures.plans(count: 3, layout: try PlanLayout(horizon: 5, nq: 1, nv: 1, timestep: 0.01), centre: [0, 0], spread: 1, seed: 3)
        let plans = coordinates.plans(y, count: 3, layout: layout, current: start.current)
        // trapezoidal consistency holds exactly: the smoothness term's first residual is zero
        let consistency = try SmoothnessEnergy(layout: layout, consistency: 1, acceleration: 0)
        for e in try consistency.evaluate(plans, count: 3, start: start, gradient: false).energies { XCTAssertEqual(e, 0, accuracy: 1e-18) }
        // by hand, chain 0, joint 0, first state: a = 100·y₀, v₁ = 1.5 + 0.01a, q₁ = 0.3 + 0.005(1.5 + v₁)
        let a = 100 * y[0], v1 = 1.5 + 0.01 * a
        XCTAssertEqual(plans[2], v1, accuracy: 1e-12)
        XCTAssertEqual(plans[0], 0.3 + 0.005 * (1.5 + v1), accuracy: 1e-12)
        let back = coordinates.points(plans, count: 3, layout: layout, current: start.current)
        for (u, w) in zip(back, y) { XCTAssertEqual(u, w, accuracy: 1e-9) }
    }

    func testPullbackMatchesFiniteDifferencesOfTheObjective() throws {
        let layout = try PlanLayout(horizon: 6, nq: 2, nv: 2, timestep: 0.01)
        let start = try PlanStart(history: [0.3, 0.5, 2, -1], stateSize: 4)
        let objective = try PlanObjective([
            (400, try GoalEnergy(model: reacher, target: .site(0, position: SIMD3(0.05, 0.15, 0.01)), layout: layout)),
            (0.5, try SmoothnessEnergy(layout: layout, consistency: 1, acceleration: 1, velocity: 0.5)),
            (100, try LimitEnergy(model: reacher, layout: layout, velocityLimit: [2]))])
        for coordinates in [PlanCoordinates.accelerations(scale: [100, 80]), .states(scale: [0.5, 0.5, 5, 5])] {
            let energy = objective.energy(after: start, coordinates: coordinates)
            let D = energy.dimension
            let y = (0..<(2 * D)).map { 0.4 * sin(Double($0) * 1.7) + (coordinates == .states(scale: [0.5, 0.5, 5, 5]) ? 1 : 0) }
            let g = energy.energiesAndGradients(y, count: 2).gradients
            let h = 1e-6
            var worst = 0.0
            for i in y.indices {
                var p = y, m = y
                p[i] += h; m[i] -= h
                let fd = (energy.energies(p, count: 2)[i / D] - energy.energies(m, count: 2)[i / D]) / (2 * h)
                worst = max(worst, abs(fd - g[i]))
            }
            let norm = g.map(abs).max()!
            XCTAssertGreaterThan(norm, 1e-2)
            XCTAssertLessThan(worst / max(1, norm), 1e-6, "\(coordinates)")
        }
    }

    func testWarmStartShift() throws {
        let layout = try PlanLayout(horizon: 4, nq: 1, nv: 1, timestep: 0.1)
        let y = [1.0, 2, 3, 4]
        XCTAssertEqual(PlanCoordinates.accelerations(scale: [1]).shifted(y, count: 1, steps: 1, layout: layout), [2, 3, 4, 0])
        let states = PlanCoordinates.states(scale: [1, 1])
        XCTAssertEqual(states.shifted([1, 10, 2, 20, 3, 30, 4, 40], count: 1, steps: 3, layout: layout), [4, 40, 4, 40, 4, 40, 4, 40])
        XCTAssertThrowsError(try PlanCoordinates.accelerations(scale: [1, 1]).validate(layout))
    }

    /// The default reacher2 Langevin planner (acceleration coordinates, no learned model) reaches
    /// a goal a quarter turn away without touching the obstacle on the way.
    func testReacherLangevinReachesGoalAroundObstacle() throws {
        var setup = try PlanningSetup.defaults(robot: "reacher2")
        setup.threads = 1
        var mpc = try setup.controller(kind: .langevin, goal: SIMD3(0.02, 0.2, 0.01),
                                       obstacles: [.sphere(center: SIMD3(0.15, 0.15, 0.01), radius: 0.02)], learned: nil, seed: 4)
        let outcome = try mpc.run(qpos: [0, 0], qvel: [0, 0])
        XCTAssertTrue(outcome.success, outcome.failure?.description ?? "")
        XCTAssertEqual(outcome.collisions, 0)
        XCTAssertEqual(outcome.replanTerms.first?.map(\.name), ["goal", "limits", "obstacle", "smoothness"])
    }
}
