import XCTest
import Simulation

/// Bad input at the bridge never crashes: it gives a status and a message naming the problem.
final class BadInputTests: XCTestCase {
    func testNaNStateIsRefusedAndLeavesStateUnchanged() throws {
        let model = try RobotModel.builtin("reacher2")
        let state = try RobotState(model: model)
        try state.set(qpos: [0.1, 0.2], qvel: [0, 0])
        XCTAssertThrowsError(try state.set(qpos: [.nan, 0], qvel: [0, 0])) { error in
            XCTAssertEqual((error as? SimulationError)?.status, SimulationError.nonFinite)
        }
        XCTAssertEqual(state.qpos, [0.1, 0.2])
    }

    func testNaNControlStopsTheStep() throws {
        let model = try RobotModel.builtin("pointmass2d")
        let state = try RobotState(model: model)
        XCTAssertThrowsError(try state.set(ctrl: [.infinity, 0]))
        let r = try? model.rollout(qpos: [0, 0], qvel: [0, 0], batch: 1, steps: 3, controls: [0, 0, .nan, 0, 0, 0])
        XCTAssertNil(r)
        do {
            _ = try model.rollout(qpos: [0, 0, 0, 0], qvel: [0, 0, 0, 0], batch: 2, steps: 3,
                                  controls: [0, 0, 0, 0, 0, 0, 0, 0, .nan, 0, 0, 0])
            XCTFail("expected an error")
        } catch let error as SimulationError {
            XCTAssertEqual(error.status, SimulationError.nonFinite)
            XCTAssertTrue(error.message.contains("element 1 at step 1"), error.message)
        }
    }

    func testBlowUpIsReportedNotPropagated() throws {
        var options = try RobotModel.builtin("chain8").options
        options.timestep = 5.0  // absurdly large: RK4 diverges to infinity
        options.integrator = .rk4
        let model = try RobotModel.builtin("chain8").with(options: options)
        let state = try RobotState(model: model)
        try state.set(qpos: [Double](repeating: 1, count: 8), qvel: [Double](repeating: 50, count: 8))
        var failed = false
        for _ in 0..<200 {
            do { try state.step() } catch { failed = true; break }
        }
        XCTAssertTrue(failed)
        XCTAssertTrue(state.qpos.allSatisfy(\.isFinite))  // the state before the failing step
    }

    func testWrongArraySizes() throws {
        let model = try RobotModel.builtin("arm7")
        XCTAssertThrowsError(try model.rollout(qpos: [0], qvel: [0], batch: 1, steps: 2)) { error in
            XCTAssertTrue("\(error)".contains("qpos"), "\(error)")
        }
        XCTAssertThrowsError(try model.inverseDynamics(qpos: [Double](repeating: 0, count: 7), qvel: nil, qacc: [0], batch: 1))
        XCTAssertThrowsError(try model.rollout(qpos: [], qvel: [], batch: -1, steps: 2))
        let state = try RobotState(model: model)
        XCTAssertThrowsError(try state.siteJacobian(99))
        var bad = model.options
        bad.timestep = -1
        XCTAssertThrowsError(try model.with(options: bad)) { XCTAssertTrue("\($0)".contains("timestep"), "\($0)") }
        bad = model.options
        bad.substeps = 0
        XCTAssertThrowsError(try model.with(options: bad))
    }

    func testUnknownBuiltinAndMissingFile() {
        XCTAssertThrowsError(try RobotModel.builtin("reacher9")) { XCTAssertTrue("\($0)".contains("reacher9")) }
        XCTAssertThrowsError(try RobotModel.builtin("chain0"))
        XCTAssertThrowsError(try RobotModel(contentsOf: "/nonexistent/robot.xml")) { error in
            XCTAssertEqual((error as? SimulationError)?.status, SimulationError.io)
            XCTAssertTrue("\(error)".contains("/nonexistent/robot.xml"))
        }
    }
}
