import Foundation
import XCTest
import Simulation

/// Joint limits, dry friction and contacts as MuJoCo's soft constraints, against closed forms
/// (the same figures sim/tests/constraint_test.cpp asserts at the C level).
final class ConstraintTests: XCTestCase {
    /// A 1 kg slider without gravity, one motor; `joint` adds limit or friction attributes.
    private func slider(_ joint: String) throws -> RobotModel {
        try RobotModel(xml: """
        <mujoco><option timestep="0.002" gravity="0 0 0"/><worldbody><body>
          <joint name="x" type="slide" axis="1 0 0" \(joint)/>
          <inertial pos="0 0 0" mass="1" diaginertia="0.1 0.1 0.1"/>
        </body></worldbody><actuator><motor joint="x"/></actuator></mujoco>
        """, sourceName: "slider.xml")
    }

    /// Pushed into its limit by F = 100 N, the slider rests where the soft constraint balances
    /// the force: F (1 − dmax) timeconst² dampratio² / m past the limit (margin 0 and 0.01).
    func testLimitRestPenetrationIsTheSoftConstraints() throws {
        for margin in [0.0, 0.01] {
            let model = try slider("range=\"-0.1 0.1\" margin=\"\(margin)\"")
            let state = try RobotState(model: model)
            try state.set(qpos: [0], qvel: [0], ctrl: [-100])
            try state.step(3000)
            XCTAssertEqual(state.qpos[0], -0.1 + margin - 100 * 0.05 * 0.02 * 0.02, accuracy: 1e-9)
            XCTAssertEqual(state.qvel[0], 0, accuracy: 1e-9)
        }
    }

    /// Dry friction 2 N: a 1 N push only creeps, at F·R/B (R = (1 − 0.9)/0.9 · 1/m, B =
    /// 2/(0.95 · 0.02)); a 5 N push slides with qacc = (5 − 2)/m.
    func testFrictionLossHoldsASmallForceAndYieldsToALargeOne() throws {
        let model = try slider("frictionloss=\"2\"")
        let state = try RobotState(model: model)
        try state.set(qpos: [0], qvel: [0], ctrl: [1])
        try state.step(500)
        let creep = (0.1 / 0.9) / (2 / (0.95 * 0.02))
        XCTAssertEqual(state.qvel[0], creep, accuracy: 1e-9)
        XCTAssertLessThan(abs(state.qpos[0]), creep + 1e-9)
        try state.set(qpos: [0], qvel: [0], ctrl: [5])
        try state.step(250)
        XCTAssertEqual(state.qacc[0], 3, accuracy: 1e-9)
    }

    /// Solver options come from <option> and round-trip through a copy; the copy's solver runs.
    func testSolverOptionsFromTheFileAndCopies() throws {
        let model = try RobotModel(xml: """
        <mujoco><option solver="PGS" iterations="50" tolerance="1e-10" impratio="2"><flag warmstart="disable"/></option>
        <worldbody><body><joint range="-0.1 0.1" frictionloss="0.1"/><geom size="0.1"/></body></worldbody></mujoco>
        """, sourceName: "o.xml")
        var o = model.solverOptions
        XCTAssertEqual(o.solver, .pgs)
        XCTAssertEqual(o.iterations, 50)
        XCTAssertEqual(o.tolerance, 1e-10)
        XCTAssertEqual(o.impratio, 2)
        XCTAssertFalse(o.warmstart)
        XCTAssertTrue(o.limits && o.frictionloss && o.contacts)
        o.solver = .newton
        o.tolerance = 1e-14
        let copy = try model.with(solverOptions: o)
        XCTAssertEqual(copy.solverOptions, o)
        o.impratio = 0
        XCTAssertThrowsError(try model.with(solverOptions: o))
        let state = try RobotState(model: copy)
        try state.set(qpos: [0.2], qvel: [0])
        try state.step(500)
        XCTAssertLessThan(state.qpos[0], 0.1 + 1e-2)  // pushed back inside its range
    }

    /// The ridge ball falls to the side it starts on and lands on the floor.
    func testRidgeBallBranchesOnItsStartingSide() throws {
        let model = try RobotModel.builtin("ridgeball")
        for x0 in [0.01, -0.01] {
            let state = try RobotState(model: model)
            try state.set(qpos: [x0, 0, 0], qvel: [0, 0, 0])
            try state.step(1000)
            XCTAssertGreaterThan(state.qpos[0] * x0, 0)
            XCTAssertGreaterThan(abs(state.qpos[0]), 0.5)
            XCTAssertEqual(state.qpos[1], -0.5, accuracy: 1e-3)  // ball centre one radius above the floor
        }
    }

    /// The ball at rest on the floor: one contact, normal +z from the floor (geom 0) to the ball,
    /// its normal force the ball's weight (1 kg) and no friction; in the air: none.
    func testContactsOfTheRidgeBallAtRest() throws {
        let model = try RobotModel.builtin("ridgeball")
        let state = try RobotState(model: model)
        try state.set(qpos: [1, -0.5, 0], qvel: [0, 0, 0])
        try state.step(1000)
        try state.forward()
        let contacts = try state.contacts()
        XCTAssertEqual(contacts.count, 1)
        let c = try XCTUnwrap(contacts.first)
        XCTAssertEqual([c.geom1, c.geom2], [0, 2])  // floor, ball
        XCTAssertEqual(c.normal.z, 1, accuracy: 1e-12)
        XCTAssertEqual(c.force[0], 9.81, accuracy: 1e-6)
        XCTAssertEqual(c.worldForce.z, 9.81, accuracy: 1e-6)
        XCTAssertEqual(abs(c.force[1]) + abs(c.force[2]), 0, accuracy: 1e-6)
        XCTAssertLessThan(c.distance, 0)  // soft contact: the resting ball sinks in a little
        XCTAssertEqual(c.position[2], 0, accuracy: 1e-3)
        let decoded = try JSONDecoder().decode(Contact.self, from: JSONEncoder().encode(c))
        XCTAssertEqual(decoded, c)
        try state.set(qpos: [1, 0, 0], qvel: [0, 0, 0])
        try state.forward()
        XCTAssertEqual(try state.contacts(), [])
    }
}
